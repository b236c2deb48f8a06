//! The tier on small programs, in one process: results, deoptimisation and
//! statistics. The golden suite and `tests/jit_*.rs` cover it through the
//! command line.

use elle_vm::Vm;
use elle_vm::printer::write_string;
use elle_vm::tier::JitMode;

use crate::CraneliftTier;

fn vm(mode: JitMode) -> Vm {
    let mut vm = Vm::new();
    vm.set_tier(Some(Box::new(CraneliftTier::new())), mode);
    vm
}

fn run(vm: &mut Vm, src: &str) -> String {
    match vm.eval_source(src, "test") {
        Ok(v) => write_string(vm, v),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn fib_compiles_and_agrees() {
    let mut vm = vm(JitMode::Eager);
    let out = run(
        &mut vm,
        "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 20)",
    );
    assert_eq!(out, "6765");
    assert!(vm.tier_stats().compiled >= 1, "{:?}", vm.tier_stats());
    assert_eq!(vm.tier_stats().deopts, 0);
}
