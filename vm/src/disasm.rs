//! A readable listing of a function's bytecode, for the REPL's `:dis`.
//!
//! Each instruction is printed with its `Debug` form, so the listing keeps
//! working whatever the instruction set looks like; only `note`, which
//! explains operands that index side tables (constants, globals, nested
//! functions, handlers), knows particular instructions.

use std::fmt::Write;
use std::rc::Rc;

use crate::bytecode::{HandlerInfo, Op, Proto};
use crate::object::Obj;
use crate::span::Span;
use crate::value::Value;
use crate::vm::Vm;

/// Longest constant shown in a note; longer ones are cut with `...`.
const MAX_NOTE_CHARS: usize = 60;

/// The prototype of a compiled function value, `None` for anything else
/// (built-ins have no bytecode).
pub fn closure_proto(vm: &Vm, v: Value) -> Option<Rc<Proto>> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Closure(c) => Some(c.proto().clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Lists `proto`'s instructions (index, source line:col, instruction, and a
/// note on its operand), its handlers, then its nested functions, indented.
pub fn disassemble(vm: &Vm, proto: &Proto) -> String {
    let mut out = String::new();
    write_proto(vm, proto, 0, &mut out);
    out
}

fn write_proto(vm: &Vm, proto: &Proto, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let _ = writeln!(out, "{indent}{}", header(vm, proto));
    let width = proto.code.len().saturating_sub(1).to_string().len();
    for (i, op) in proto.code.iter().map(|c| c.get()).enumerate() {
        let pos = position(proto.spans.get(i).copied());
        let text = format!("{op:?}");
        let _ = write!(out, "{indent}  {i:>width$}  {pos:<8} {text}");
        if let Some(n) = note(vm, proto, op) {
            let pad = 28usize.saturating_sub(text.chars().count());
            let _ = write!(out, "{:pad$} ; {n}", "");
        }
        out.push('\n');
    }
    for (i, h) in proto.handlers.iter().enumerate() {
        let _ = writeln!(out, "{indent}  handler {i}: {}", describe_handler(h));
    }
    for child in &proto.children {
        write_proto(vm, child, depth + 1, out);
    }
}

/// `fn name (params: 2, registers: 3, captures: 1, constants: 0) in file;
/// jit: eligible`, or `...; jit: not eligible: REASON (line L, column C)`.
/// An eligible function that calls a global which is not an eligible Elle
/// function now (a built-in, say) says so: its compilation would be
/// rejected for that call.
fn header(vm: &Vm, proto: &Proto) -> String {
    let rest = if proto.rest { " + rest" } else { "" };
    let mut s = format!(
        "fn {} (params: {}{rest}, registers: {}, captures: {}, constants: {})",
        proto.trace_name().name(),
        proto.nparams,
        proto.nregs,
        proto.captures.len(),
        proto.consts.len(),
    );
    // A proto records no position of its own, only its instructions'.
    if let Some(span) = proto.spans.iter().find(|s| s.line > 0) {
        let _ = write!(s, " in {}", span.file.name());
    }
    let eligibility = proto.tier().eligibility();
    let _ = write!(s, "; jit: {}", eligibility.describe(proto));
    if let Some(name) = eligibility
        .is_eligible()
        .then(|| uncompilable_callee(vm, proto))
        .flatten()
    {
        let _ = write!(
            s,
            ", but it calls `{name}`, which is not an eligible Elle function now: its compilation would be rejected"
        );
    }
    s
}

/// The first global `proto` calls whose value is not an eligible Elle
/// function.
fn uncompilable_callee(vm: &Vm, proto: &Proto) -> Option<String> {
    proto.code.iter().find_map(|c| match c.get() {
        Op::GlobalGet { slot, .. } => {
            let callable = vm
                .global_value(slot)
                .and_then(|v| closure_proto(vm, v))
                .is_some_and(|p| p.tier().eligibility().is_eligible());
            let name = vm.global_name(slot).map(|n| n.name().to_string());
            if callable { None } else { name }
        }
        _ => None,
    })
}

/// `line:col`, or `-` for generated code with no position.
fn position(span: Option<Span>) -> String {
    match span {
        Some(s) if s.line > 0 => format!("{}:{}", s.line, s.col),
        _ => "-".to_string(),
    }
}

/// What an operand that indexes a side table refers to.
fn note(vm: &Vm, proto: &Proto, op: Op) -> Option<String> {
    match op {
        Op::LoadConst { k, .. } => proto
            .consts
            .get(k as usize)
            .map(|&v| shorten(crate::printer::write_string(vm, v))),
        Op::GlobalGet { slot, .. } | Op::GlobalSet { slot, .. } | Op::GlobalDefine { slot, .. } => {
            vm.global_names
                .get(slot as usize)
                .map(|s| s.name().to_string())
        }
        Op::Closure { idx, .. } => proto
            .children
            .get(idx as usize)
            .map(|c| format!("fn {}", c.trace_name().name())),
        Op::PushHandler { idx } => proto.handlers.get(idx as usize).map(describe_handler),
        _ => None,
    }
}

/// `catch type-error -> 12, catch error -> 20`, `finally -> 30`,
/// `bind error r4`, `restart use-value (r5) -> 40`.
fn describe_handler(h: &HandlerInfo) -> String {
    let names =
        |types: &[crate::symbol::Sym]| types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" ");
    let clauses: Vec<String> = match h {
        HandlerInfo::Catch { clauses, .. } => clauses
            .iter()
            .map(|c| format!("catch {} -> {}", names(&c.types), c.target))
            .collect(),
        HandlerInfo::Finally { target } => vec![format!("finally -> {target}")],
        HandlerInfo::Bind { clauses } => clauses
            .iter()
            .map(|c| format!("bind {} r{}", c.ctype.name(), c.handler))
            .collect(),
        HandlerInfo::Restarts { clauses } => clauses
            .iter()
            .map(|c| {
                let regs: Vec<String> = c.params.iter().map(|r| format!("r{r}")).collect();
                let rest = c.rest.map(|r| format!(" & r{r}")).unwrap_or_default();
                format!(
                    "restart {} ({}{rest}) -> {}",
                    c.name.name(),
                    regs.join(" "),
                    c.target
                )
            })
            .collect(),
    };
    clauses.join(", ")
}

fn shorten(s: String) -> String {
    if s.chars().count() <= MAX_NOTE_CHARS {
        return s;
    }
    let cut: String = s.chars().take(MAX_NOTE_CHARS).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(src: &str, name: &str) -> String {
        let mut vm = Vm::new();
        if let Err(e) = vm.eval_source(src, "dis-test") {
            panic!("{e}");
        }
        let f = vm.get_global(name).expect("function defined");
        let proto = closure_proto(&vm, f).expect("a closure");
        disassemble(&vm, &proto)
    }

    #[test]
    fn lists_header_constants_globals_and_positions() {
        let text = listing("(define (greet who)\n  (println \"hello\" who))", "greet");
        assert!(text.starts_with("fn greet (params: 1,"), "{text}");
        assert!(text.contains(") in dis-test; jit: "), "{text}");
        assert!(text.contains("; \"hello\""), "{text}");
        assert!(text.contains("; println"), "{text}");
        assert!(text.contains(" 2:3 "), "{text}");
    }

    #[test]
    fn lists_nested_functions_indented() {
        let text = listing("(define (adder n) (lambda (x) (+ x n)))", "adder");
        assert!(text.contains("; fn <lambda>"), "{text}");
        assert!(text.contains("\n  fn <lambda> (params: 1,"), "{text}");
    }

    #[test]
    fn headers_show_jit_eligibility() {
        let text = listing("(define (square x) (* x x))", "square");
        let first = text.lines().next().unwrap_or_default();
        assert!(first.ends_with(") in dis-test; jit: eligible"), "{text}");
        // The outer function makes a closure; the nested one reads a
        // captured variable. Each header says so.
        let text = listing("(define (adder n)\n  (lambda (x) (+ x n)))", "adder");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.ends_with("; jit: not eligible: makes a closure (line 2, column 3)"),
            "{text}"
        );
        let nested = text
            .lines()
            .find(|l| l.starts_with("  fn <lambda>"))
            .unwrap_or_default();
        assert!(
            nested.ends_with("; jit: not eligible: uses a captured variable (line 2, column 20)"),
            "{text}"
        );
        // Eligible, but it calls a built-in, and the JIT compiles calls of
        // eligible Elle functions only; calling an eligible one is fine.
        let src = "(define (magnitude x) (floor x)) (define (sq x) (* x x)) (define (f x) (sq x))";
        let text = listing(src, "magnitude");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.ends_with(
                "; jit: eligible, but it calls `floor`, which is not an eligible Elle function now: \
                 its compilation would be rejected"
            ),
            "{text}"
        );
        let text = listing(src, "f");
        let first = text.lines().next().unwrap_or_default();
        assert!(first.ends_with("; jit: eligible"), "{text}");
    }

    #[test]
    fn built_ins_have_no_proto() {
        let vm = Vm::new();
        let car = vm.get_global("car").expect("car");
        assert!(closure_proto(&vm, car).is_none());
    }

    #[test]
    fn long_constants_are_cut() {
        let s = shorten("x".repeat(100));
        assert_eq!(s.chars().count(), MAX_NOTE_CHARS + 3);
        assert!(s.ends_with("..."));
    }
}
