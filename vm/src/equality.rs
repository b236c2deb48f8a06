//! Structural equality (`=`) and map keys.

use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::object::{Key, Obj};
use crate::value::Value;
use crate::vm::Vm;

/// Deeper structures than this compare as unequal rather than risk the
/// native stack.
const MAX_EQUAL_DEPTH: usize = 10_000;

/// `=`: integers with integers, floats with floats, strings by content,
/// lists, vectors and structs element-wise; everything else by identity.
pub fn equal(vm: &Vm, a: Value, b: Value) -> bool {
    equal_at(vm, a, b, 0)
}

fn equal_at(vm: &Vm, a: Value, b: Value, depth: usize) -> bool {
    if depth > MAX_EQUAL_DEPTH {
        return false;
    }
    let (ra, rb) = match (a, b) {
        (Value::Float(x), Value::Float(y)) => return x == y,
        (Value::Obj(ra), Value::Obj(rb)) => (ra, rb),
        _ => return a.identical(b),
    };
    if ra == rb {
        return true;
    }
    match (vm.heap.get(ra), vm.heap.get(rb)) {
        (Obj::Str(x), Obj::Str(y)) => x.text == y.text,
        (Obj::Pair(..), Obj::Pair(..)) => lists_equal(vm, a, b, depth),
        (Obj::Vector(x), Obj::Vector(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| equal_at(vm, *p, *q, depth + 1))
        }
        (Obj::Struct(x), Obj::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equal_at(vm, *v, *w, depth + 1)))
        }
        _ => false,
    }
}

/// Compares lists walking the spine iteratively, so long lists need no
/// native stack.
fn lists_equal(vm: &Vm, mut a: Value, mut b: Value, depth: usize) -> bool {
    loop {
        match (a, b) {
            (Value::Obj(ra), Value::Obj(rb)) => match (vm.heap.get(ra), vm.heap.get(rb)) {
                (Obj::Pair(ca, da), Obj::Pair(cb, db)) => {
                    if ra == rb {
                        return true;
                    }
                    if !equal_at(vm, *ca, *cb, depth + 1) {
                        return false;
                    }
                    a = *da;
                    b = *db;
                }
                _ => return equal_at(vm, a, b, depth + 1),
            },
            _ => return equal_at(vm, a, b, depth + 1),
        }
    }
}

/// The map key for a value; other kinds of key raise `type-error`.
pub fn to_key(vm: &Vm, v: Value) -> RtResult<Key> {
    Ok(match v {
        Value::Nil => Key::Nil,
        Value::Bool(b) => Key::Bool(b),
        Value::Int(n) => Key::Int(n),
        Value::Float(f) => Key::Float(f.to_bits()),
        Value::Symbol(s) => Key::Symbol(s),
        Value::Keyword(s) => Key::Keyword(s),
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => Key::Str(Rc::from(&*s.text)),
            _ => return Err(bad_key(vm, v)),
        },
        _ => return Err(bad_key(vm, v)),
    })
}

fn bad_key(vm: &Vm, v: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!("invalid map key: {}", crate::printer::write_string(vm, v)),
        v,
    )
}

/// The value for a map key (allocating strings anew).
pub fn key_to_value(vm: &mut Vm, k: &Key) -> Value {
    match k {
        Key::Nil => Value::Nil,
        Key::Bool(b) => Value::Bool(*b),
        Key::Int(n) => Value::Int(*n),
        Key::Float(bits) => Value::Float(f64::from_bits(*bits)),
        Key::Symbol(s) => Value::Symbol(*s),
        Key::Keyword(s) => Value::Keyword(*s),
        Key::Str(s) => vm.heap.alloc_str(s),
    }
}
