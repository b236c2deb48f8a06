//! The inlined built-ins: their fast paths (numbers of the expected types,
//! pairs, vectors) and their general paths (other types, errors, or a
//! redefined global, which is then called instead).
//!
//! A fast path returns `None` whenever it cannot give exactly the built-in's
//! answer; the general path then computes it, error included, so the two
//! never disagree.

use crate::bytecode::{BinOp, UnOp, VECTOR_SET_BIT};
use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::arith;
use crate::value::Value;
use crate::vm::Vm;

/// Applies `int` to two integers and `float` to two floats or a float and
/// an integer (which the built-ins convert to float the same way).
#[inline(always)]
fn numeric(
    x: Value,
    y: Value,
    int: impl FnOnce(i64, i64) -> Option<Value>,
    float: impl FnOnce(f64, f64) -> Option<Value>,
) -> Option<Value> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => int(a, b),
        (Value::Float(a), Value::Float(b)) => float(a, b),
        (Value::Float(a), Value::Int(b)) => float(a, b as f64),
        (Value::Int(a), Value::Float(b)) => float(a as f64, b),
        _ => None,
    }
}

#[inline(always)]
pub(super) fn add(x: Value, y: Value) -> Option<Value> {
    numeric(
        x,
        y,
        |a, b| a.checked_add(b).map(Value::Int),
        |a, b| Some(Value::Float(a + b)),
    )
}

#[inline(always)]
pub(super) fn sub(x: Value, y: Value) -> Option<Value> {
    numeric(
        x,
        y,
        |a, b| a.checked_sub(b).map(Value::Int),
        |a, b| Some(Value::Float(a - b)),
    )
}

#[inline(always)]
pub(super) fn mul(x: Value, y: Value) -> Option<Value> {
    numeric(
        x,
        y,
        |a, b| a.checked_mul(b).map(Value::Int),
        |a, b| Some(Value::Float(a * b)),
    )
}

/// Integer division truncates; zero and overflow take the general path.
#[inline(always)]
pub(super) fn div(x: Value, y: Value) -> Option<Value> {
    numeric(
        x,
        y,
        |a, b| a.checked_div(b).map(Value::Int),
        |a, b| Some(Value::Float(a / b)),
    )
}

/// Floored modulo of integers by a positive divisor (the common case).
#[inline(always)]
pub(super) fn modulo(x: Value, y: Value) -> Option<Value> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) if b > 0 => Some(Value::Int(a.rem_euclid(b))),
        _ => None,
    }
}

/// A numeric comparison of two integers or two floats. Mixed operands take
/// the general path, which compares them exactly.
#[inline(always)]
fn compare(
    x: Value,
    y: Value,
    int: fn(i64, i64) -> bool,
    float: fn(f64, f64) -> bool,
) -> Option<bool> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => Some(int(a, b)),
        (Value::Float(a), Value::Float(b)) => Some(float(a, b)),
        _ => None,
    }
}

/// A comparison with a small integer immediate: a float operand compares
/// exactly with the immediate converted to float (every i16 is exact).
#[inline(always)]
fn compare_imm(
    x: Value,
    n: i16,
    int: fn(i64, i64) -> bool,
    float: fn(f64, f64) -> bool,
) -> Option<bool> {
    match x {
        Value::Int(a) => Some(int(a, n as i64)),
        Value::Float(a) => Some(float(a, n as f64)),
        _ => None,
    }
}

macro_rules! comparisons {
    ($($name:ident $imm:ident: $op:tt;)*) => {$(
        #[inline(always)]
        pub(super) fn $name(x: Value, y: Value) -> Option<bool> {
            compare(x, y, |a, b| a $op b, |a, b| a $op b)
        }
        #[inline(always)]
        pub(super) fn $imm(x: Value, n: i16) -> Option<bool> {
            compare_imm(x, n, |a, b| a $op b, |a, b| a $op b)
        }
    )*};
}

comparisons! {
    lt lt_imm: <;
    gt gt_imm: >;
    le le_imm: <=;
    ge ge_imm: >=;
    num_eq num_eq_imm: ==;
}

/// `=`: values of different kinds are never equal, immediates compare by
/// value, floats numerically; distinct heap objects need the structural
/// comparison.
#[inline(always)]
pub(super) fn eq(x: Value, y: Value) -> Option<bool> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => Some(a == b),
        (Value::Float(a), Value::Float(b)) => Some(a == b),
        (Value::Obj(a), Value::Obj(b)) => (a == b).then_some(true),
        // Values of different kinds are never equal; deciding that from
        // the tags alone keeps the compiler from comparing payload words,
        // part of which is padding for some kinds (valgrind reported the
        // branch on it after `(= 99 "a")`).
        _ if x.tag() != y.tag() => Some(false),
        _ => Some(x.identical(y)),
    }
}

#[inline(always)]
pub(super) fn eq_imm(x: Value, n: i16) -> Option<bool> {
    match x {
        Value::Int(a) => Some(a == n as i64),
        _ => None,
    }
}

impl Vm {
    #[inline(always)]
    /// The element `i` of the vector `v`, when both are what they must be:
    /// a pointer valid until the heap is next changed.
    pub(super) fn vector_slot(&mut self, v: Value, i: Value) -> Option<*mut Value> {
        let (Value::Obj(r), Value::Int(i)) = (v, i) else {
            return None;
        };
        match self.heap.get_mut(r) {
            Obj::Vector(items) => usize::try_from(i)
                .ok()
                .and_then(|i| items.get_mut(i))
                .map(|x| x as *mut Value),
            _ => None,
        }
    }

    /// The unary operators other than the pair operations.
    #[inline(always)]
    pub(super) fn unary_fast(&self, op: UnOp, a: Value) -> Option<Value> {
        match (op, a) {
            (UnOp::Not, _) => Some(Value::bool(!a.is_truthy())),
            (UnOp::Inc, Value::Int(n)) => n.checked_add(1).map(Value::Int),
            (UnOp::Dec, Value::Int(n)) => n.checked_sub(1).map(Value::Int),
            (UnOp::IsZero, Value::Int(n)) => Some(Value::bool(n == 0)),
            (UnOp::Neg, Value::Int(n)) => n.checked_neg().map(Value::Int),
            (UnOp::Neg, Value::Float(f)) => Some(Value::Float(-f)),
            (UnOp::Sqrt, Value::Float(f)) => Some(Value::Float(f.sqrt())),
            (UnOp::Sqrt, Value::Int(n)) => Some(Value::Float((n as f64).sqrt())),
            (UnOp::Abs, Value::Int(n)) => n.checked_abs().map(Value::Int),
            (UnOp::Abs, Value::Float(f)) => Some(Value::Float(f.abs())),
            (UnOp::IsEven, Value::Int(n)) => Some(Value::bool(n % 2 == 0)),
            (UnOp::IsOdd, Value::Int(n)) => Some(Value::bool(n % 2 != 0)),
            (UnOp::IsPos, Value::Int(n)) => Some(Value::bool(n > 0)),
            (UnOp::IsPos, Value::Float(f)) => Some(Value::bool(f > 0.0)),
            (UnOp::IsNeg, Value::Int(n)) => Some(Value::bool(n < 0)),
            (UnOp::IsNeg, Value::Float(f)) => Some(Value::bool(f < 0.0)),
            _ => None,
        }
    }

    /// A binary operator off the fast path (other types, errors): the
    /// built-in's general code.
    #[cold]
    #[inline(never)]
    pub(super) fn binary_slow(&mut self, op: BinOp, a: Value, b: Value) -> RtResult<Value> {
        if op == BinOp::VectorRef {
            return self.call_builtin(op.bit(), &[a, b]);
        }
        arith::binop(self, op, a, b)
    }

    /// A unary operator off the fast path.
    #[cold]
    #[inline(never)]
    pub(super) fn unary_slow(&mut self, op: UnOp, a: Value) -> RtResult<Value> {
        Ok(match op {
            UnOp::Not => Value::bool(!a.is_truthy()),
            UnOp::IsNull | UnOp::InternalIsNull => Value::bool(a.is_nil()),
            UnOp::IsPair | UnOp::InternalIsPair => Value::bool(self.is_pair(a)),
            UnOp::First | UnOp::Car => self.car(a, op.global_name())?,
            UnOp::Rest | UnOp::Cdr => self.cdr(a, op.global_name())?,
            UnOp::InternalCar => self.car(a, "car")?,
            UnOp::InternalCdr => self.cdr(a, "cdr")?,
            UnOp::Inc => arith::step(self, "inc", a, 1)?,
            UnOp::Dec => arith::step(self, "dec", a, -1)?,
            UnOp::IsZero => match a {
                Value::Int(n) => Value::bool(n == 0),
                Value::Float(f) => Value::bool(f == 0.0),
                _ => return Err(crate::primitives::expected(self, "zero?", "number", a)),
            },
            // The built-ins produce the errors (overflow, wrong type).
            UnOp::Neg
            | UnOp::Sqrt
            | UnOp::Abs
            | UnOp::IsEven
            | UnOp::IsOdd
            | UnOp::IsPos
            | UnOp::IsNeg => return self.call_builtin(op.bit(), &[a]),
        })
    }

    /// `vector-set!` off the fast path: the built-in raises the error.
    #[cold]
    #[inline(never)]
    pub(super) fn vector_set_slow(&mut self, v: Value, i: Value, x: Value) -> RtResult<Value> {
        self.call_builtin(VECTOR_SET_BIT, &[v, i, x])
    }

    /// Calls the built-in numbered `bit` itself.
    fn call_builtin(&mut self, bit: u8, args: &[Value]) -> RtResult<Value> {
        let f = self.inlined_builtin(bit);
        self.call_value(f, args)
    }

    /// The generic form of an inlined instruction: calls whatever the
    /// built-in's global holds now.
    #[cold]
    #[inline(never)]
    pub(super) fn call_inlined(&mut self, bit: u8, args: &[Value]) -> RtResult<Value> {
        let f = self.inlined_global(bit);
        self.call_value(f, args)
    }

    /// The content of a cell: a pointer valid until the heap is next
    /// changed. Compiled code only ever gives cells here.
    #[inline(always)]
    pub(super) fn cell_slot(&mut self, cell: Value) -> Option<*mut Value> {
        match cell {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Obj::Cell(v) => Some(v as *mut Value),
                _ => None,
            },
            _ => None,
        }
    }

    #[cold]
    pub(super) fn unbound(&self, slot: u32) -> RtError {
        let name = self.global_names[slot as usize];
        RtError::with_data(
            "unbound-variable",
            format!("unbound variable: {name}"),
            Value::Symbol(name),
        )
    }
}
