//! The compiler: macro expansion, scope analysis and bytecode emission.
//!
//! - [`desugar`] turns data into the core forms: it expands macros and
//!   rewrites derived forms (`cond`, `case`, `let*`, named `let`,
//!   `handler-case`, `match`, quasiquote, threading) into core ones.
//! - [`analyze`] resolves every name (local slot, captured variable or
//!   global slot), records which locals are captured and assigned, and builds
//!   an [`ast::Node`] tree.
//! - [`emit`] walks that tree and writes bytecode, marking tail calls.
//!
//! Compilation inhibits garbage collection: constants and macro results are
//! heap values that become reachable only once the compiled code runs.

pub mod analyze;
pub mod ast;
pub mod convert;
pub mod desugar;
pub mod emit;

use std::rc::Rc;

use crate::bytecode::{MAX_ARGS, Proto};
use crate::datum::Datum;
use crate::error::{RtError, RtResult};
use crate::span::Span;
use crate::vm::Vm;

/// The `syntax-error` for a program that exceeds one of the bytecode's
/// limits (`bytecode::MAX_REGS`...): `what` it has, then the limit.
pub(crate) fn over_limit(
    span: Span,
    what: impl std::fmt::Display,
    limit: impl std::fmt::Display,
) -> RtError {
    RtError::syntax(span, format!("{what} (at most {limit})"))
}

/// `n` as the argument count of a call instruction, or the error naming
/// the limit; `what` describes the count for the message ("call of `f`
/// has 70000 arguments").
pub(crate) fn check_argc(span: Span, n: usize, what: impl FnOnce() -> String) -> RtResult<u16> {
    match u16::try_from(n) {
        Ok(argc) if n <= MAX_ARGS => Ok(argc),
        _ => Err(over_limit(span, what(), MAX_ARGS)),
    }
}

/// Compiles a macro's function, `(fn params body...)` named `name`, into
/// top-level code that makes it.
pub fn compile_macro(
    vm: &mut Vm,
    params: &Datum,
    body: &[Datum],
    name: crate::symbol::Sym,
    span: crate::span::Span,
) -> RtResult<Rc<Proto>> {
    let result = vm.without_collection(|vm| {
        analyze::analyze_macro(vm, params, body, name, span)
            .and_then(|(node, info)| emit::emit_toplevel(&node, &info))
    });
    if let Ok(proto) = &result {
        vm.register_code(proto);
    }
    result
}

/// Compiles one top-level form into a function of no arguments.
pub fn compile_toplevel(vm: &mut Vm, form: &Datum) -> RtResult<Rc<Proto>> {
    let result = vm.without_collection(|vm| {
        analyze::analyze_toplevel(vm, form)
            .and_then(|(node, info)| emit::emit_toplevel(&node, &info))
    });
    if let Ok(proto) = &result {
        vm.register_code(proto);
    }
    result
}

#[cfg(test)]
mod limit_tests;
