//! Plugging the JIT tier (`elle-jit`) into the VM, and its statistics as
//! `--jit-stats` and the REPL's `:jit` show them.

#[cfg(feature = "cli")]
use std::fmt::Write;

use elle_vm::Vm;
use elle_vm::tier::JitMode;

/// Sets `vm`'s tier for `mode` (the engine's `Builder::jit`).
pub fn install(vm: &mut Vm, mode: JitMode) {
    let tier: Option<Box<dyn elle_vm::tier::Tier>> = match mode {
        JitMode::Off => None,
        _ => Some(Box::new(elle_jit::CraneliftTier::new())),
    };
    vm.set_tier(tier, mode);
}

/// The tier's mode and statistics, one fact per line.
#[cfg(feature = "cli")]
pub fn report(vm: &Vm) -> String {
    let stats = vm.tier_stats();
    let mode = match vm.jit_mode() {
        JitMode::Off => "off".to_string(),
        JitMode::Auto(n) => format!("auto (threshold {n})"),
        JitMode::Eager => "eager".to_string(),
    };
    let mut out = format!("jit: {mode}\n");
    let functions = stats.functions.max(1) as f64;
    let _ = writeln!(
        out,
        "jit: compiled {} entries, {} machine functions ({} bytes, {} calls inlined) in {:.3} ms, {:.3} ms per function",
        stats.compiled,
        stats.functions,
        stats.code_bytes,
        stats.inlined,
        stats.compile_time.as_secs_f64() * 1e3,
        stats.compile_time.as_secs_f64() * 1e3 / functions,
    );
    let _ = writeln!(
        out,
        "jit: {} deoptimisations, {} failed entry guards, {} re-specialisations",
        stats.deopts, stats.guard_failures, stats.respecialisations
    );
    for name in &stats.given_up {
        let _ = writeln!(out, "jit: gave up on {name} after too many specialisations");
    }
    for (name, reason) in &stats.rejected {
        let _ = writeln!(out, "jit: not compiled: {name}: {reason}");
    }
    out.truncate(out.trim_end().len());
    out
}
