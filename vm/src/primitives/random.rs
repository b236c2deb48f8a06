//! Random numbers: `(random n)` and `(random-seed! n)`.
//!
//! The generator is SplitMix64 (Steele, Lea and Flood 2014): one 64-bit
//! word of state per VM, seeded from the clock on first use unless the
//! program seeds it. It is not for cryptography.

use crate::error::RtResult;
use crate::primitives::{expected, int_arg};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("random", 1, Some(1), random);
    vm.define_native("random-seed!", 1, Some(1), |vm, a| {
        let seed = int_arg(vm, "random-seed!", a[0])?;
        vm.random_state = Some(seed as u64);
        Ok(Value::Nil)
    });
}

/// `(random n)`: an integer in [0, n) for a positive integer, a float in
/// [0, n) for a positive finite float.
fn random(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    match a[0] {
        Value::Int(n) if n > 0 => {
            // The high half of a 128-bit product: uniform enough for any
            // n below 2^63 (the bias is below 2^-64 per value).
            let x = next_u64(vm);
            Ok(Value::Int(((u128::from(x) * n as u128) >> 64) as i64))
        }
        Value::Float(n) if n > 0.0 && n.is_finite() => {
            // 53 random bits as a float in [0, 1).
            let unit = (next_u64(vm) >> 11) as f64 / (1u64 << 53) as f64;
            let r = unit * n;
            // Rounding may reach n itself; stay below it.
            Ok(Value::Float(if r < n { r } else { n.next_down() }))
        }
        v => Err(expected(vm, "random", "positive number", v)),
    }
}

fn next_u64(vm: &mut Vm) -> u64 {
    let state = vm.random_state.unwrap_or_else(clock_seed);
    let state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    vm.random_state = Some(state);
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed from the wall clock (nanoseconds) and the process id, so that
/// two runs, or two processes started together, differ.
fn clock_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}
