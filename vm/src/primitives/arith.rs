//! Arithmetic, comparison and numeric functions.
//!
//! Integers never wrap: an operation whose result leaves i64 raises
//! `overflow-error`. Any float operand makes the result a float.

use crate::bytecode::BinOp;
use crate::error::{RtError, RtResult};
use crate::primitives::expected;
use crate::value::Value;
use crate::vm::Vm;

/// The general path of a binary operator (the interpreter inlines the
/// int/int and float/float cases).
pub fn binop(vm: &mut Vm, op: BinOp, a: Value, b: Value) -> RtResult<Value> {
    match op {
        BinOp::Add => add(vm, a, b),
        BinOp::Sub => sub(vm, a, b),
        BinOp::Mul => mul(vm, a, b),
        BinOp::Div => div(vm, a, b),
        BinOp::Mod => modulo(vm, "mod", a, b),
        BinOp::Lt => {
            compare(vm, "<", a, b).map(|o| Value::bool(o == Some(std::cmp::Ordering::Less)))
        }
        BinOp::Gt => {
            compare(vm, ">", a, b).map(|o| Value::bool(o == Some(std::cmp::Ordering::Greater)))
        }
        BinOp::Le => compare(vm, "<=", a, b).map(|o| {
            Value::bool(matches!(
                o,
                Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
            ))
        }),
        BinOp::Ge => compare(vm, ">=", a, b).map(|o| {
            Value::bool(matches!(
                o,
                Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
            ))
        }),
        BinOp::NumEq => {
            compare(vm, "==", a, b).map(|o| Value::bool(o == Some(std::cmp::Ordering::Equal)))
        }
        BinOp::Eq => Ok(Value::bool(crate::equality::equal(vm, a, b))),
        BinOp::VectorRef => {
            let f = vm.builtin("vector-ref");
            vm.call_value(f, &[a, b])
        }
    }
}

/// `inc` and `dec`: adds `delta`, naming `name` in errors.
pub fn step(vm: &Vm, name: &str, a: Value, delta: i64) -> RtResult<Value> {
    match a {
        Value::Int(n) => n
            .checked_add(delta)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow(name)),
        Value::Float(f) => Ok(Value::Float(f + delta as f64)),
        _ => Err(expected(vm, name, "number", a)),
    }
}

/// Two numbers as floats, or both integers.
enum Pair {
    Ints(i64, i64),
    Floats(f64, f64),
}

fn numbers(vm: &Vm, name: &str, a: Value, b: Value) -> RtResult<Pair> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Pair::Ints(x, y)),
        (Value::Int(x), Value::Float(y)) => Ok(Pair::Floats(x as f64, y)),
        (Value::Float(x), Value::Int(y)) => Ok(Pair::Floats(x, y as f64)),
        (Value::Float(x), Value::Float(y)) => Ok(Pair::Floats(x, y)),
        (Value::Int(_) | Value::Float(_), _) => Err(expected(vm, name, "number", b)),
        _ => Err(expected(vm, name, "number", a)),
    }
}

pub fn add(vm: &Vm, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, "+", a, b)? {
        Pair::Ints(x, y) => x
            .checked_add(y)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("+")),
        Pair::Floats(x, y) => Ok(Value::Float(x + y)),
    }
}

pub fn sub(vm: &Vm, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, "-", a, b)? {
        Pair::Ints(x, y) => x
            .checked_sub(y)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("-")),
        Pair::Floats(x, y) => Ok(Value::Float(x - y)),
    }
}

pub fn mul(vm: &Vm, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, "*", a, b)? {
        Pair::Ints(x, y) => x
            .checked_mul(y)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("*")),
        Pair::Floats(x, y) => Ok(Value::Float(x * y)),
    }
}

pub fn div(vm: &Vm, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, "/", a, b)? {
        Pair::Ints(_, 0) => Err(RtError::division_by_zero()),
        Pair::Ints(x, y) => x
            .checked_div(y)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("/")),
        Pair::Floats(x, y) => Ok(Value::Float(x / y)),
    }
}

/// Floored modulo: the result has the divisor's sign.
pub fn modulo(vm: &Vm, name: &str, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, name, a, b)? {
        Pair::Ints(_, 0) => Err(RtError::division_by_zero()),
        Pair::Ints(x, y) => {
            let r = x.checked_rem(y).ok_or_else(|| RtError::overflow(name))?;
            Ok(Value::Int(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            }))
        }
        Pair::Floats(x, y) => Ok(Value::Float(float_modulo(x, y))),
    }
}

/// Floored modulo of floats: the result has the divisor's sign. Compiled
/// code calls it too (`tier::abi::float_mod`).
pub(crate) fn float_modulo(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
        r + y
    } else {
        r
    }
}

/// Truncated remainder: the result has the dividend's sign.
pub fn remainder(vm: &Vm, a: Value, b: Value) -> RtResult<Value> {
    match numbers(vm, "remainder", a, b)? {
        Pair::Ints(_, 0) => Err(RtError::division_by_zero()),
        Pair::Ints(x, y) => x
            .checked_rem(y)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("remainder")),
        Pair::Floats(x, y) => Ok(Value::Float(x % y)),
    }
}

/// Numeric ordering across integer and float (`None` for NaN).
pub fn compare(vm: &Vm, name: &str, a: Value, b: Value) -> RtResult<Option<std::cmp::Ordering>> {
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(&y)),
        (Value::Int(x), Value::Float(y)) => compare_int_float(x, y),
        (Value::Float(x), Value::Int(y)) => compare_int_float(y, x).map(|o| o.reverse()),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y),
        (Value::Int(_) | Value::Float(_), _) => return Err(expected(vm, name, "number", b)),
        _ => return Err(expected(vm, name, "number", a)),
    })
}

/// Exact comparison of an integer with a float (no rounding of large i64).
fn compare_int_float(x: i64, y: f64) -> Option<std::cmp::Ordering> {
    if y.is_nan() {
        return None;
    }
    if y >= 9.223_372_036_854_776e18 {
        return Some(std::cmp::Ordering::Less);
    }
    if y < -9.223_372_036_854_776e18 {
        return Some(std::cmp::Ordering::Greater);
    }
    let t = y.trunc();
    match x.cmp(&(t as i64)) {
        std::cmp::Ordering::Equal => 0.0f64.partial_cmp(&(y - t)),
        o => Some(o),
    }
}
