//! Numeric built-ins: `+ - * /`, comparisons, rounding, math functions.

use std::cmp::Ordering;

use crate::error::{RtError, RtResult};
use crate::primitives::arith::{self, compare};
use crate::primitives::{expected, float_arg, int_arg, str_arg};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("+", 0, None, plus);
    vm.define_native("-", 1, None, minus);
    vm.define_native("*", 0, None, times);
    vm.define_native("/", 1, None, divide);
    vm.define_native("mod", 2, Some(2), |vm, a| {
        arith::modulo(vm, "mod", a[0], a[1])
    });
    vm.alias("%", "mod");
    vm.define_native("remainder", 2, Some(2), |vm, a| {
        arith::remainder(vm, a[0], a[1])
    });
    vm.define_native("quotient", 2, Some(2), quotient);
    vm.define_native("<", 2, None, |vm, a| {
        chain(vm, "<", a, |o| o == Ordering::Less)
    });
    vm.define_native(">", 2, None, |vm, a| {
        chain(vm, ">", a, |o| o == Ordering::Greater)
    });
    vm.define_native("<=", 2, None, |vm, a| {
        chain(vm, "<=", a, |o| o != Ordering::Greater)
    });
    vm.define_native(">=", 2, None, |vm, a| {
        chain(vm, ">=", a, |o| o != Ordering::Less)
    });
    vm.define_native("==", 2, None, |vm, a| {
        chain(vm, "==", a, |o| o == Ordering::Equal)
    });
    vm.define_native("abs", 1, Some(1), abs);
    vm.define_native("min", 1, None, |vm, a| {
        extreme(vm, "min", a, Ordering::Less)
    });
    vm.define_native("max", 1, None, |vm, a| {
        extreme(vm, "max", a, Ordering::Greater)
    });
    vm.define_native("inc", 1, Some(1), |vm, a| arith::step(vm, "inc", a[0], 1));
    vm.define_native("dec", 1, Some(1), |vm, a| arith::step(vm, "dec", a[0], -1));
    vm.define_native("even?", 1, Some(1), |vm, a| {
        Ok(Value::bool(int_arg(vm, "even?", a[0])? % 2 == 0))
    });
    vm.define_native("odd?", 1, Some(1), |vm, a| {
        Ok(Value::bool(int_arg(vm, "odd?", a[0])? % 2 != 0))
    });
    vm.define_native("zero?", 1, Some(1), |vm, a| {
        sign_test(vm, "zero?", a[0], Ordering::Equal)
    });
    vm.define_native("pos?", 1, Some(1), |vm, a| {
        sign_test(vm, "pos?", a[0], Ordering::Greater)
    });
    vm.define_native("neg?", 1, Some(1), |vm, a| {
        sign_test(vm, "neg?", a[0], Ordering::Less)
    });
    vm.define_native("sqrt", 1, Some(1), |vm, a| {
        unary_float(vm, "sqrt", a[0], f64::sqrt)
    });
    vm.define_native("sin", 1, Some(1), |vm, a| {
        unary_float(vm, "sin", a[0], f64::sin)
    });
    vm.define_native("cos", 1, Some(1), |vm, a| {
        unary_float(vm, "cos", a[0], f64::cos)
    });
    vm.define_native("tan", 1, Some(1), |vm, a| {
        unary_float(vm, "tan", a[0], f64::tan)
    });
    vm.define_native("asin", 1, Some(1), |vm, a| {
        unary_float(vm, "asin", a[0], f64::asin)
    });
    vm.define_native("acos", 1, Some(1), |vm, a| {
        unary_float(vm, "acos", a[0], f64::acos)
    });
    vm.define_native("atan", 1, Some(2), atan);
    vm.define_native("exp", 1, Some(1), |vm, a| {
        unary_float(vm, "exp", a[0], f64::exp)
    });
    vm.define_native("log", 1, Some(2), log);
    vm.define_native("pow", 2, Some(2), |vm, a| pow(vm, "pow", a));
    vm.define_native("expt", 2, Some(2), |vm, a| pow(vm, "expt", a));
    vm.define_native("floor", 1, Some(1), |vm, a| {
        rounding(vm, "floor", a[0], f64::floor)
    });
    vm.define_native("ceil", 1, Some(1), |vm, a| {
        rounding(vm, "ceil", a[0], f64::ceil)
    });
    vm.define_native("round", 1, Some(1), |vm, a| {
        rounding(vm, "round", a[0], f64::round)
    });
    vm.define_native("truncate", 1, Some(1), |vm, a| {
        rounding(vm, "truncate", a[0], f64::trunc)
    });
    vm.define_native("pi", 0, Some(0), |_, _| {
        Ok(Value::Float(std::f64::consts::PI))
    });
    vm.define_native("e", 0, Some(0), |_, _| {
        Ok(Value::Float(std::f64::consts::E))
    });
    vm.define_native("int", 1, Some(1), to_int);
    vm.define_native("float", 1, Some(1), to_float);
    vm.define_native("number?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Int(_) | Value::Float(_))))
    });
    vm.define_native("integer?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Int(_))))
    });
    vm.define_native("float?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Float(_))))
    });
    vm.define_native("nan?", 1, Some(1), |vm, a| {
        Ok(Value::bool(float_arg(vm, "nan?", a[0])?.is_nan()))
    });
}

fn fold(
    vm: &mut Vm,
    args: &[Value],
    op: fn(&Vm, Value, Value) -> RtResult<Value>,
) -> RtResult<Value> {
    let mut acc = args[0];
    for &x in &args[1..] {
        acc = op(vm, acc, x)?;
    }
    Ok(acc)
}

fn check_number(vm: &Vm, name: &str, v: Value) -> RtResult<Value> {
    match v {
        Value::Int(_) | Value::Float(_) => Ok(v),
        _ => Err(expected(vm, name, "number", v)),
    }
}

fn plus(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    if args.is_empty() {
        return Ok(Value::Int(0));
    }
    check_number(vm, "+", args[0])?;
    fold(vm, args, arith::add)
}

fn times(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    if args.is_empty() {
        return Ok(Value::Int(1));
    }
    check_number(vm, "*", args[0])?;
    fold(vm, args, arith::mul)
}

fn minus(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    if args.len() == 1 {
        return match check_number(vm, "-", args[0])? {
            Value::Int(n) => n
                .checked_neg()
                .map(Value::Int)
                .ok_or_else(|| RtError::overflow("-")),
            Value::Float(f) => Ok(Value::Float(-f)),
            v => Ok(v),
        };
    }
    fold(vm, args, arith::sub)
}

fn divide(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    if args.len() == 1 {
        return Ok(Value::Float(1.0 / float_arg(vm, "/", args[0])?));
    }
    fold(vm, args, arith::div)
}

fn quotient(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let x = int_arg(vm, "quotient", a[0])?;
    let y = int_arg(vm, "quotient", a[1])?;
    if y == 0 {
        return Err(RtError::division_by_zero());
    }
    x.checked_div(y)
        .map(Value::Int)
        .ok_or_else(|| RtError::overflow("quotient"))
}

fn chain(vm: &mut Vm, name: &str, args: &[Value], ok: fn(Ordering) -> bool) -> RtResult<Value> {
    check_number(vm, name, args[0])?;
    let mut result = true;
    for w in args.windows(2) {
        // Keep checking types after a false comparison.
        match compare(vm, name, w[0], w[1])? {
            Some(o) if ok(o) => {}
            _ => result = false,
        }
    }
    Ok(Value::bool(result))
}

fn abs(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    match a[0] {
        Value::Int(n) => n
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow("abs")),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => Err(expected(vm, "abs", "number", v)),
    }
}

fn extreme(vm: &mut Vm, name: &str, args: &[Value], want: Ordering) -> RtResult<Value> {
    let mut best = check_number(vm, name, args[0])?;
    for &x in &args[1..] {
        if compare(vm, name, x, best)? == Some(want) {
            best = x;
        }
    }
    Ok(best)
}

fn sign_test(vm: &mut Vm, name: &str, v: Value, want: Ordering) -> RtResult<Value> {
    Ok(Value::bool(
        compare(vm, name, v, Value::Int(0))? == Some(want),
    ))
}

fn unary_float(vm: &mut Vm, name: &str, v: Value, f: fn(f64) -> f64) -> RtResult<Value> {
    Ok(Value::Float(f(float_arg(vm, name, v)?)))
}

fn atan(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let y = float_arg(vm, "atan", a[0])?;
    match a.get(1) {
        Some(&x) => Ok(Value::Float(y.atan2(float_arg(vm, "atan", x)?))),
        None => Ok(Value::Float(y.atan())),
    }
}

fn log(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let x = float_arg(vm, "log", a[0])?;
    match a.get(1) {
        Some(&b) => Ok(Value::Float(x.ln() / float_arg(vm, "log", b)?.ln())),
        None => Ok(Value::Float(x.ln())),
    }
}

/// `(pow b e)` (alias `expt`): exact for an integer base and a
/// non-negative integer exponent, a float otherwise.
fn pow(vm: &mut Vm, name: &str, a: &[Value]) -> RtResult<Value> {
    match (a[0], a[1]) {
        (Value::Int(b), Value::Int(e)) if e >= 0 => exact_pow(b, e)
            .map(Value::Int)
            .ok_or_else(|| RtError::overflow(name)),
        (b, e) => Ok(Value::Float(
            float_arg(vm, name, b)?.powf(float_arg(vm, name, e)?),
        )),
    }
}

/// b^e for e >= 0, or `None` when it does not fit an i64. Bases 0, 1 and
/// -1 take any exponent; the others overflow long before 2^32.
fn exact_pow(b: i64, e: i64) -> Option<i64> {
    match b {
        0 => Some(i64::from(e == 0)),
        1 => Some(1),
        -1 => Some(if e % 2 == 0 { 1 } else { -1 }),
        _ => u32::try_from(e).ok().and_then(|e| b.checked_pow(e)),
    }
}

/// Rounds to an integer value; a float outside i64 is an `overflow-error`.
fn rounding(vm: &mut Vm, name: &str, v: Value, f: fn(f64) -> f64) -> RtResult<Value> {
    match v {
        Value::Int(_) => Ok(v),
        Value::Float(x) => float_to_int(name, f(x)),
        _ => Err(expected(vm, name, "number", v)),
    }
}

/// An integral float as an integer: `overflow-error` when it is out of
/// range (infinities included) or NaN.
pub fn float_to_int(name: &str, x: f64) -> RtResult<Value> {
    if x.is_nan() {
        return Err(RtError::with_data(
            "overflow-error",
            format!("{name}: NaN has no integer value"),
            Value::Float(x),
        ));
    }
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x) {
        return Err(RtError::overflow(name));
    }
    Ok(Value::Int(x as i64))
}

fn to_int(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    match a[0] {
        Value::Int(_) => Ok(a[0]),
        Value::Float(x) => float_to_int("int", x.trunc()),
        v => {
            let s =
                str_arg(vm, "int", v).map_err(|_| expected(vm, "int", "number or string", v))?;
            let t = s.trim();
            if let Ok(n) = t.parse::<i64>() {
                return Ok(Value::Int(n));
            }
            if let Some(f) = crate::reader::non_finite(t) {
                return float_to_int("int", f);
            }
            match t.parse::<f64>() {
                Ok(f) if t.chars().any(|c| c.is_ascii_digit()) => float_to_int("int", f.trunc()),
                _ => Err(RtError::with_data(
                    "type-error",
                    format!("int: cannot parse {s:?} as a number"),
                    v,
                )),
            }
        }
    }
}

fn to_float(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    match a[0] {
        Value::Int(n) => Ok(Value::Float(n as f64)),
        Value::Float(_) => Ok(a[0]),
        v => {
            let s = str_arg(vm, "float", v)
                .map_err(|_| expected(vm, "float", "number or string", v))?;
            if let Some(f) = crate::reader::non_finite(s.trim()) {
                return Ok(Value::Float(f));
            }
            match s.trim().parse::<f64>() {
                Ok(f) if s.chars().any(|c| c.is_ascii_digit()) => Ok(Value::Float(f)),
                _ => Err(RtError::with_data(
                    "type-error",
                    format!("float: cannot parse {s:?} as a number"),
                    v,
                )),
            }
        }
    }
}
