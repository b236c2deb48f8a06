//! Condition built-ins: making, raising and inspecting conditions.

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::{expected, str_arg};
use crate::symbol::{Sym, sym};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("exception", 1, Some(2), |vm, a| {
        str_arg(vm, "exception", a[0])?;
        let data = a.get(1).copied().unwrap_or(Value::Nil);
        Ok(vm.make_condition(sym::USER_ERROR, a[0], data))
    });
    vm.define_native("make-condition", 2, Some(3), |vm, a| {
        let ctype = condition_type_arg(vm, "make-condition", a[0])?;
        str_arg(vm, "make-condition", a[1])?;
        let data = a.get(2).copied().unwrap_or(Value::Nil);
        Ok(vm.make_condition(ctype, a[1], data))
    });
    vm.define_native("condition?", 1, Some(1), |vm, a| {
        Ok(Value::bool(vm.as_condition(a[0]).is_some()))
    });
    vm.define_native("condition-type", 1, Some(1), |vm, a| {
        Ok(Value::Symbol(
            condition_arg(vm, "condition-type", a[0])?.ctype,
        ))
    });
    vm.define_native("condition-message", 1, Some(1), |vm, a| {
        Ok(condition_arg(vm, "condition-message", a[0])?.message)
    });
    vm.alias("exception-message", "condition-message");
    vm.define_native("condition-data", 1, Some(1), |vm, a| {
        Ok(condition_arg(vm, "condition-data", a[0])?.data)
    });
    vm.alias("exception-data", "condition-data");
    vm.define_native("condition-trace", 1, Some(1), |vm, a| {
        let lines: Vec<String> = condition_arg(vm, "condition-trace", a[0])?
            .trace
            .lines()
            .map(|t| t.to_string())
            .collect();
        let vals: Vec<Value> = lines.into_iter().map(|s| vm.heap.alloc_string(s)).collect();
        Ok(vm.heap.list(&vals))
    });
    vm.define_native("condition-is?", 2, Some(2), |vm, a| {
        let ctype = condition_arg(vm, "condition-is?", a[0])?.ctype;
        let t = condition_type_arg(vm, "condition-is?", a[1])?;
        Ok(Value::bool(vm.condition_type_is(ctype, t)))
    });
    vm.define_native("throw", 1, Some(1), throw);
    vm.define_native("error", 1, Some(3), error);
    vm.define_native("signal", 1, Some(1), |vm, a| {
        condition_arg(vm, "signal", a[0])?;
        signal_or_nil(vm, a[0])
    });
    // `warn` itself is in the prelude: it calls this within a
    // `muffle-warning` restart.
    vm.define_native("%warn", 1, Some(1), warn);
    vm.define_native("invoke-restart", 1, None, |vm, a| {
        let name = restart_name_arg(vm, "invoke-restart", a[0])?;
        Err(vm.invoke_restart(name, &a[1..]))
    });
    vm.define_native("find-restart", 1, Some(1), |vm, a| {
        let name = restart_name_arg(vm, "find-restart", a[0])?;
        Ok(if vm.restart_available(name) {
            Value::Symbol(name)
        } else {
            Value::Nil
        })
    });
    vm.define_native("compute-restarts", 0, Some(0), |vm, _| {
        let names: Vec<Value> = vm
            .compute_restarts()
            .into_iter()
            .map(Value::Symbol)
            .collect();
        Ok(vm.heap.list(&names))
    });
}

/// Signals a condition; nil when nothing transferred control. A condition
/// of a host limit's type is raised instead: it always reaches the host.
fn signal_or_nil(vm: &mut Vm, cond: Value) -> RtResult<Value> {
    if vm
        .as_condition(cond)
        .is_some_and(|c| crate::limits::is_uncatchable(c.ctype))
    {
        return Err(RtError::Raise(cond));
    }
    match vm.signal(cond)? {
        Some(target) => Err(RtError::Unwind(target)),
        None => Ok(Value::Nil),
    }
}

/// `(%warn msg)`: signals a `warning`; unhandled, it is printed on stderr.
fn warn(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    str_arg(vm, "warn", a[0])?;
    let cond = vm.make_condition(sym::WARNING, a[0], Value::Nil);
    // Handlers get it as their argument, which roots it while they run.
    let r = signal_or_nil(vm, cond);
    if matches!(r, Ok(Value::Nil)) {
        let line = format!("warning: {}", str_arg(vm, "warn", a[0])?);
        vm.write_diagnostic(&line);
    }
    r
}

/// A restart's name: a symbol (as `find-restart` returns it).
fn restart_name_arg(vm: &Vm, func: &str, v: Value) -> RtResult<Sym> {
    match v {
        Value::Symbol(s) => Ok(s),
        _ => Err(expected(vm, func, "restart name (a symbol)", v)),
    }
}

fn condition_arg<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<&'a crate::object::Condition> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Condition(c) => Ok(c),
            _ => Err(expected(vm, func, "condition", v)),
        },
        _ => Err(expected(vm, func, "condition", v)),
    }
}

/// A condition type given as a quoted symbol (or keyword), which must be
/// known.
fn condition_type_arg(vm: &Vm, func: &str, v: Value) -> RtResult<Sym> {
    let (Value::Symbol(s) | Value::Keyword(s)) = v else {
        return Err(expected(vm, func, "condition type symbol", v));
    };
    if !vm.is_condition_type(s) {
        return Err(RtError::with_data(
            "error",
            format!("{func}: unknown condition type {s}"),
            v,
        ));
    }
    Ok(s)
}

fn throw(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let v = a[0];
    if vm.as_condition(v).is_some() {
        return Err(RtError::Raise(v));
    }
    if str_arg(vm, "throw", v).is_ok() {
        return Err(RtError::Raise(vm.make_condition(
            sym::USER_ERROR,
            v,
            Value::Nil,
        )));
    }
    let msg = crate::printer::write_string(vm, v);
    Err(RtError::Raise(vm.make_condition_text(
        sym::USER_ERROR,
        msg,
        v,
    )))
}

/// `(error msg [data])` or `(error 'type msg [data])`. A string message is
/// shared with the condition, not copied.
fn error(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let (ctype, rest) = if let Value::Symbol(_) = a[0] {
        (condition_type_arg(vm, "error", a[0])?, &a[1..])
    } else {
        if a.len() > 2 {
            return Err(RtError::arity(
                "error: expected 1 to 2 arguments after a message",
            ));
        }
        (sym::USER_ERROR, a)
    };
    let message = match rest.first() {
        Some(&m) if str_arg(vm, "error", m).is_ok() => m,
        Some(&m) if ctype == sym::USER_ERROR => {
            let text = crate::printer::display_string(vm, m);
            vm.heap.alloc_string(text)
        }
        Some(&m) => return Err(expected(vm, "error", "string", m)),
        None => vm.heap.alloc_str(ctype.name()),
    };
    let data = rest.get(1).copied().unwrap_or(Value::Nil);
    Err(RtError::Raise(vm.make_condition(ctype, message, data)))
}
