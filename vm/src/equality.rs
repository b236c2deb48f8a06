//! Structural equality (`=`) and map keys.

use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::object::{Key, Obj};
use rustc_hash::FxHashSet;

use crate::value::{ObjRef, Value};
use crate::vm::Vm;

/// `=`: integers with integers, floats with floats, strings by content,
/// lists, vectors and structs element-wise; everything else by identity.
///
/// Works from an explicit stack of pairs still to compare, so depth costs
/// no native stack. Only vectors can close a cycle (pairs and structs are
/// immutable); a pair of vectors met again while being compared is taken as
/// equal, which makes cyclic structures compare by shape instead of looping.
pub fn equal(vm: &Vm, a: Value, b: Value) -> bool {
    let mut work = vec![(a, b)];
    let mut vectors_in_progress: FxHashSet<(ObjRef, ObjRef)> = FxHashSet::default();
    while let Some((a, b)) = work.pop() {
        let (ra, rb) = match (a, b) {
            (Value::Float(x), Value::Float(y)) => {
                if x != y {
                    return false;
                }
                continue;
            }
            (Value::Obj(ra), Value::Obj(rb)) if ra != rb => (ra, rb),
            _ => {
                if !a.identical(b) {
                    return false;
                }
                continue;
            }
        };
        match (vm.heap.get(ra), vm.heap.get(rb)) {
            (Obj::Str(x), Obj::Str(y)) => {
                if x.text != y.text {
                    return false;
                }
            }
            (Obj::Pair(ca, da), Obj::Pair(cb, db)) => {
                work.push((*da, *db));
                work.push((*ca, *cb));
            }
            (Obj::Vector(x), Obj::Vector(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                if vectors_in_progress.insert((ra, rb)) {
                    work.extend(x.iter().copied().zip(y.iter().copied()).rev());
                }
            }
            (Obj::Struct(x), Obj::Struct(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for (k, v) in x.iter() {
                    match y.get(k) {
                        Some(w) => work.push((*v, *w)),
                        None => return false,
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

/// The map key for a value; other kinds of key raise `type-error`.
pub fn to_key(vm: &Vm, v: Value) -> RtResult<Key> {
    Ok(match v {
        Value::Nil => Key::Nil,
        Value::Bool(b) => Key::Bool(b.get()),
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

/// The keys of the table or struct `r` as values, in order (nothing for
/// any other object).
pub fn keys_of(vm: &mut Vm, r: ObjRef) -> Vec<Value> {
    let keys: Vec<Key> = match vm.heap.get(r) {
        Obj::Table(m) | Obj::Struct(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    keys.iter().map(|k| key_to_value(vm, k)).collect()
}

/// The value for a map key (allocating strings anew).
pub fn key_to_value(vm: &mut Vm, k: &Key) -> Value {
    match k {
        Key::Nil => Value::Nil,
        Key::Bool(b) => Value::bool(*b),
        Key::Int(n) => Value::Int(*n),
        Key::Float(bits) => Value::Float(f64::from_bits(*bits)),
        Key::Symbol(s) => Value::Symbol(*s),
        Key::Keyword(s) => Value::Keyword(*s),
        Key::Str(s) => vm.heap.alloc_str(s),
    }
}
