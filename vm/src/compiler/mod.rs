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

use crate::bytecode::Proto;
use crate::datum::Datum;
use crate::error::RtResult;
use crate::vm::Vm;

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
