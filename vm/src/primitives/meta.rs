//! Meta built-ins: `eval`, `read-string`, macros, `exit`, clocks,
//! `command-line`.

use std::sync::OnceLock;
use std::time::Instant;

use crate::compiler::convert::{datum_to_value, made_value_to_datum};
use crate::compiler::desugar::{MAX_EXPANSIONS, endless_expansion};
use crate::error::{RtError, RtResult};
use crate::object::{Closure, Obj};
use crate::primitives::{expected, int_arg, str_arg};
use crate::span::{FileId, Span};
use crate::value::Value;
use crate::vm::{Control, Vm};

pub fn install(vm: &mut Vm) {
    vm.define_control("eval", 1, Some(1), eval);
    vm.define_native("read-string", 1, Some(1), read_string);
    vm.define_native("macroexpand-1", 1, Some(1), |vm, a| expand(vm, a[0], true));
    vm.define_native("macroexpand", 1, Some(1), |vm, a| expand(vm, a[0], false));
    vm.define_native("macro?", 1, Some(1), |vm, a| match a[0] {
        Value::Symbol(s) => Ok(Value::bool(vm.macros.contains_key(&s))),
        _ => Ok(Value::FALSE),
    });
    vm.define_native("exit", 0, Some(1), |vm, a| {
        vm.require(crate::capabilities::Capability::Exit, "exit")?;
        let code = match a.first() {
            Some(&v) => int_arg(vm, "exit", v)?,
            None => 0,
        };
        vm.flush_output();
        Err(RtError::Exit(
            code.clamp(i32::MIN as i64, i32::MAX as i64) as i32
        ))
    });
    vm.define_native("clock", 0, Some(0), |_, _| {
        Ok(Value::Float(start().elapsed().as_secs_f64()))
    });
    vm.define_native("time-ms", 0, Some(0), |_, _| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Ok(Value::Int(ms))
    });
    vm.define_native("command-line", 0, Some(0), |vm, _| {
        let args = vm.command_line.clone();
        let vals: Vec<Value> = args.into_iter().map(|s| vm.heap.alloc_string(s)).collect();
        Ok(vm.heap.list(&vals))
    });
}

fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

fn eval_span() -> Span {
    Span::new(FileId::register("<eval>"), 1, 1)
}

/// Compiles the form and hands its code to the interpreter as a call, so
/// `eval` needs no nested interpreter loop.
fn eval(vm: &mut Vm, a: &[Value]) -> RtResult<Control> {
    if let Some(limit) = vm.heap.memory_limit() {
        let bytes = compile_bytes(vm, a[0], limit);
        vm.reserve(bytes)?;
    }
    let form = made_value_to_datum(vm, a[0], eval_span())?;
    let proto = crate::compiler::compile_toplevel(vm, &form)?;
    // The compiler's own names (`gensym` in expansions).
    vm.note_symbols();
    let f = vm.heap.alloc(Obj::Closure(Closure::toplevel(proto)?));
    Ok(Control::Call(f, Vec::new()))
}

/// What compiling `form` takes before any of it is counted, at most
/// (stopping once past `cap`: the form may be circular): a datum for each
/// value in it, a copy of each string, and the constants made of them.
fn compile_bytes(vm: &Vm, form: Value, cap: usize) -> usize {
    let per_value = std::mem::size_of::<crate::datum::Datum>() + crate::heap::SLOT_BYTES;
    let mut bytes = 0usize;
    let mut work = vec![form];
    while let Some(v) = work.pop() {
        bytes = bytes.saturating_add(per_value);
        if bytes > cap {
            break;
        }
        if let Value::Obj(r) = v {
            match vm.heap.get(r) {
                Obj::Pair(car, cdr) => work.extend([*car, *cdr]),
                Obj::Vector(items) => work.extend_from_slice(items),
                Obj::Str(s) => bytes = bytes.saturating_add(2 * s.text.len()),
                _ => {}
            }
        }
    }
    bytes
}

fn read_string(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let len = str_arg(vm, "read-string", a[0])?.len();
    // At most a datum and then a value for every two bytes of text (one
    // and a separator), and a copy of the text, before anything is read.
    let per_two_bytes = std::mem::size_of::<crate::datum::Datum>() + crate::heap::SLOT_BYTES;
    vm.reserve(len.saturating_mul(per_two_bytes) / 2 + len)?;
    let src = str_arg(vm, "read-string", a[0])?.to_string();
    match crate::reader::read_first(&src, FileId::register("<string>")) {
        Ok(Some(d)) => Ok(datum_to_value(vm, &d)),
        Ok(None) => Ok(Value::Nil),
        Err(e) => Err(crate::eval::read_error(&e)),
    }
}

/// `macroexpand` (`once`: `macroexpand-1`). Bounded like the compiler's
/// expansion, so that a macro expanding into a call of itself is an error
/// rather than a hang.
fn expand(vm: &mut Vm, form: Value, once: bool) -> RtResult<Value> {
    let who = if once { "macroexpand-1" } else { "macroexpand" };
    let mut cur = form;
    for _ in 0..MAX_EXPANSIONS {
        let head = match cur {
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Pair(Value::Symbol(s), _) => *s,
                _ => return Ok(cur),
            },
            _ => return Ok(cur),
        };
        let Some(&m) = vm.macros.get(&head) else {
            return Ok(cur);
        };
        let args = crate::primitives::list_arg(vm, who, vm.cdr(cur, who)?)
            .map_err(|_| expected(vm, who, "proper list", cur))?;
        let r = vm.call_value(m, &args);
        cur = r?;
        if once {
            return Ok(cur);
        }
    }
    Err(endless_expansion(who))
}
