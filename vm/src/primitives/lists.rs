//! List built-ins. The higher-order ones (`map`, `filter`, `fold`,
//! `for-each`, `sort`) are written in Elle in the prelude, so that calling
//! back into Lisp never recurses in Rust.

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::{expected, index_arg, int_arg, list_arg};
use crate::value::Value;
use crate::vm::{Control, Vm};

pub fn install(vm: &mut Vm) {
    vm.define_native("cons", 2, Some(2), |vm, a| Ok(vm.heap.cons(a[0], a[1])));
    vm.define_native("first", 1, Some(1), |vm, a| vm.car(a[0], "first"));
    vm.alias("car", "first");
    vm.define_native("rest", 1, Some(1), |vm, a| vm.cdr(a[0], "rest"));
    vm.alias("cdr", "rest");
    vm.define_native("second", 1, Some(1), |vm, a| {
        let d = vm.cdr(a[0], "second")?;
        vm.car(d, "second")
    });
    vm.alias("cadr", "second");
    vm.define_native("cddr", 1, Some(1), |vm, a| {
        let d = vm.cdr(a[0], "cddr")?;
        vm.cdr(d, "cddr")
    });
    vm.define_native("caddr", 1, Some(1), |vm, a| {
        let d = vm.cdr(a[0], "caddr")?;
        let dd = vm.cdr(d, "caddr")?;
        vm.car(dd, "caddr")
    });
    vm.define_native("list", 0, None, |vm, a| Ok(vm.heap.list(a)));
    vm.define_native("list?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_proper_list(vm, a[0])))
    });
    vm.define_native("pair?", 1, Some(1), |vm, a| {
        Ok(Value::bool(vm.is_pair(a[0])))
    });
    vm.define_native("null?", 1, Some(1), |_, a| Ok(Value::bool(a[0].is_nil())));
    vm.alias("nil?", "null?");
    vm.define_native("length", 1, Some(1), length);
    vm.define_native("append", 0, None, append);
    vm.define_native("reverse", 1, Some(1), reverse);
    vm.define_native("nth", 2, Some(2), nth);
    vm.define_native("last", 1, Some(1), last);
    vm.define_native("take", 2, Some(2), take);
    vm.define_native("drop", 2, Some(2), drop);
    vm.define_native("range", 1, Some(3), range);
    vm.define_control("apply", 1, None, apply);
}

pub fn is_proper_list(vm: &Vm, mut v: Value) -> bool {
    loop {
        match v {
            Value::Nil => return true,
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Pair(_, d) => v = *d,
                _ => return false,
            },
            _ => return false,
        }
    }
}

fn length(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let v = a[0];
    let n = match v {
        Value::Nil => 0,
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Pair(..) => list_arg(vm, "length", v)?.len(),
            Obj::Str(s) => s.char_len(),
            Obj::Vector(items) => items.len(),
            Obj::Table(m) | Obj::Struct(m) => m.len(),
            _ => return Err(expected(vm, "length", "sequence", v)),
        },
        _ => return Err(expected(vm, "length", "sequence", v)),
    };
    Ok(Value::Int(n as i64))
}

fn append(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let Some((&last, init)) = a.split_last() else {
        return Ok(Value::Nil);
    };
    let mut items = Vec::new();
    for &l in init {
        items.extend(list_arg(vm, "append", l)?);
    }
    Ok(vm.heap.list_with_tail(&items, last))
}

fn reverse(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    if let Value::Obj(r) = a[0]
        && let Obj::Vector(items) = vm.heap.get(r)
    {
        let rev: Vec<Value> = items.iter().rev().copied().collect();
        return Ok(vm.heap.alloc(Obj::Vector(rev)));
    }
    let items = list_arg(vm, "reverse", a[0])?;
    let mut acc = Value::Nil;
    for x in items {
        acc = vm.heap.cons(x, acc);
    }
    Ok(acc)
}

fn nth(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let i = index_arg(vm, "nth", a[0])?;
    let items = crate::primitives::seq_arg(vm, "nth", a[1])?;
    items.get(i).copied().ok_or_else(|| {
        RtError::with_data(
            "index-error",
            format!("nth: index {i} out of range for length {}", items.len()),
            a[0],
        )
    })
}

fn last(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let items = crate::primitives::seq_arg(vm, "last", a[0])?;
    items
        .last()
        .copied()
        .ok_or_else(|| expected(vm, "last", "non-empty list or vector", a[0]))
}

/// The elements of a vector, or `None` for any other value.
fn vector_items(vm: &Vm, v: Value) -> Option<Vec<Value>> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Vector(items) => Some(items.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `(take n seq)`: the first `n` elements (all of them if there are fewer),
/// as a list for a list and a vector for a vector.
fn take(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let n = index_arg(vm, "take", a[0])?;
    if let Some(mut items) = vector_items(vm, a[1]) {
        items.truncate(n);
        return Ok(vm.heap.alloc(Obj::Vector(items)));
    }
    if !a[1].is_nil() && !vm.is_pair(a[1]) {
        return Err(expected(vm, "take", "list or vector", a[1]));
    }
    let mut items = Vec::new();
    let mut cur = a[1];
    while items.len() < n
        && let Some((x, rest)) = vm.pair(cur)
    {
        items.push(x);
        cur = rest;
    }
    if items.len() < n && !cur.is_nil() {
        return Err(expected(vm, "take", "list or vector", a[1]));
    }
    Ok(vm.heap.list(&items))
}

/// `(drop n seq)`: all but the first `n` elements (nothing if there are
/// fewer). A list shares its tail with the argument; a vector is copied.
fn drop(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let n = index_arg(vm, "drop", a[0])?;
    if let Some(items) = vector_items(vm, a[1]) {
        let rest = items.get(n..).unwrap_or_default().to_vec();
        return Ok(vm.heap.alloc(Obj::Vector(rest)));
    }
    if !a[1].is_nil() && !vm.is_pair(a[1]) {
        return Err(expected(vm, "drop", "list or vector", a[1]));
    }
    let mut cur = a[1];
    for _ in 0..n {
        match vm.pair(cur) {
            Some((_, rest)) => cur = rest,
            None if cur.is_nil() => break,
            None => return Err(expected(vm, "drop", "list or vector", a[1])),
        }
    }
    Ok(cur)
}

/// Most elements `range` will build, so a typo cannot exhaust memory
/// before the heap limit applies.
const MAX_RANGE: i64 = 1 << 28;

fn range(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let (start, end, step) = match a.len() {
        1 => (0, int_arg(vm, "range", a[0])?, 1),
        2 => (int_arg(vm, "range", a[0])?, int_arg(vm, "range", a[1])?, 1),
        _ => (
            int_arg(vm, "range", a[0])?,
            int_arg(vm, "range", a[1])?,
            int_arg(vm, "range", a[2])?,
        ),
    };
    if step == 0 {
        return Err(RtError::with_data(
            "type-error",
            "range: step must not be zero",
            Value::Int(0),
        ));
    }
    let count = if step > 0 {
        (end.saturating_sub(start).max(0) as i128 + step as i128 - 1) / step as i128
    } else {
        (start.saturating_sub(end).max(0) as i128 + (-(step as i128)) - 1) / (-(step as i128))
    };
    if count > MAX_RANGE as i128 {
        return Err(RtError::index(format!(
            "range: too many elements ({count})"
        )));
    }
    vm.reserve((count as usize).saturating_mul(crate::heap::SLOT_BYTES))?;
    let mut acc = Value::Nil;
    for k in (0..count as i64).rev() {
        acc = vm.heap.cons(Value::Int(start + k * step), acc);
    }
    Ok(acc)
}

/// `(apply f a b... lst)`: hands the call to the interpreter.
fn apply(vm: &mut Vm, a: &[Value]) -> RtResult<Control> {
    let f = a[0];
    let mut args: Vec<Value> = Vec::new();
    if a.len() > 1 {
        args.extend_from_slice(&a[1..a.len() - 1]);
        let last = a[a.len() - 1];
        args.extend(crate::primitives::seq_arg(vm, "apply", last)?);
    }
    if !vm.is_callable(f) {
        return Err(expected(vm, "apply", "function", f));
    }
    Ok(Control::Call(f, args))
}
