//! Bit operations on integers: `bit-and bit-or bit-xor bit-not shift-left
//! shift-right`. Integers are signed 64-bit, two's complement.

use crate::error::{RtError, RtResult};
use crate::primitives::{expected, int_arg};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("bit-and", 1, None, |vm, a| {
        fold_bits(vm, "bit-and", a, |x, y| x & y)
    });
    vm.define_native("bit-or", 1, None, |vm, a| {
        fold_bits(vm, "bit-or", a, |x, y| x | y)
    });
    vm.define_native("bit-xor", 1, None, |vm, a| {
        fold_bits(vm, "bit-xor", a, |x, y| x ^ y)
    });
    vm.define_native("bit-not", 1, Some(1), |vm, a| {
        Ok(Value::Int(!int_arg(vm, "bit-not", a[0])?))
    });
    vm.define_native("shift-left", 2, Some(2), shift_left);
    vm.define_native("shift-right", 2, Some(2), |vm, a| {
        let n = int_arg(vm, "shift-right", a[0])?;
        let k = count_arg(vm, "shift-right", a[1])?;
        // Arithmetic: the sign fills in from the left.
        Ok(Value::Int(n >> k.min(63)))
    });
}

fn fold_bits(vm: &Vm, func: &str, a: &[Value], op: fn(i64, i64) -> i64) -> RtResult<Value> {
    let mut acc = int_arg(vm, func, a[0])?;
    for &v in &a[1..] {
        acc = op(acc, int_arg(vm, func, v)?);
    }
    Ok(Value::Int(acc))
}

/// A shift count: a non-negative integer.
fn count_arg(vm: &Vm, func: &str, v: Value) -> RtResult<u32> {
    match v {
        Value::Int(k) if k >= 0 => Ok(u32::try_from(k).unwrap_or(u32::MAX)),
        _ => Err(expected(vm, func, "non-negative integer", v)),
    }
}

/// `(shift-left n k)`: n times 2^k, an `overflow-error` when that does not
/// fit a signed 64-bit integer.
fn shift_left(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let n = int_arg(vm, "shift-left", a[0])?;
    let k = count_arg(vm, "shift-left", a[1])?;
    if n == 0 {
        return Ok(Value::Int(0));
    }
    if k >= 64 {
        return Err(RtError::overflow("shift-left"));
    }
    let r = n << k;
    if r >> k != n {
        return Err(RtError::overflow("shift-left"));
    }
    Ok(Value::Int(r))
}
