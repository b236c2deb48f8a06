//! The prelude: built-ins written in Elle.
//!
//! Higher-order functions live here rather than in Rust so that the
//! functions they call run in the interpreter's own loop: deep recursion
//! through `map` is bounded by the frame limit, conditions and `finally`
//! cross them like any Lisp code, and tail calls stay proper.

use crate::vm::Vm;

const PRELUDE: &str = include_str!("prelude.lisp");

pub fn load(vm: &mut Vm) {
    if let Err(e) = vm.eval_source(PRELUDE, "<prelude>") {
        panic!("the prelude failed to load: {e}");
    }
}
