//! Conversions between source data and heap values, for `quote`, macros,
//! `eval` and `read-string`.

use std::rc::Rc;

use crate::datum::{Datum, DatumKind, MAX_NESTING};
use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::span::Span;
use crate::value::Value;
use crate::vm::Vm;

/// The heap value a datum denotes when quoted.
pub fn datum_to_value(vm: &mut Vm, d: &Datum) -> Value {
    match &d.kind {
        DatumKind::Nil => Value::Nil,
        DatumKind::Bool(b) => Value::bool(*b),
        DatumKind::Int(n) => Value::Int(*n),
        DatumKind::Float(f) => Value::Float(*f),
        DatumKind::Str(s) => vm.heap.alloc_str(s),
        DatumKind::Symbol(s) => Value::Symbol(*s),
        DatumKind::Keyword(s) => Value::Keyword(*s),
        DatumKind::List(items, tail) => {
            let tail = match tail {
                Some(t) => datum_to_value(vm, t),
                None => Value::Nil,
            };
            let values: Vec<Value> = items.iter().map(|x| datum_to_value(vm, x)).collect();
            vm.heap.list_with_tail(&values, tail)
        }
        DatumKind::Vector(items) => {
            let values: Vec<Value> = items.iter().map(|x| datum_to_value(vm, x)).collect();
            vm.heap.alloc(Obj::Vector(values))
        }
    }
}

/// The most nodes a datum made from a value may have. A datum is a tree,
/// while the value may share its parts: `(defmacro grow (x) `(grow (,x
/// ,x)))` doubles its form at each expansion with two more pairs, and the
/// datum of the twentieth would have a million nodes.
pub const MAX_FORM_NODES: usize = 1 << 20;

/// What one node of a datum takes, for the memory limit.
const DATUM_NODE_BYTES: usize = std::mem::size_of::<Datum>() + 16;

/// The datum of `v`, a value Elle code made (a macro's result, `eval`'s
/// argument): its size is bounded by [`MAX_FORM_NODES`] and reserved
/// against the memory limit before it is built.
pub fn made_value_to_datum(vm: &mut Vm, v: Value, span: Span) -> RtResult<Datum> {
    let Some(nodes) = form_nodes(vm, v) else {
        return Err(RtError::syntax(
            span,
            format!("form has more than {MAX_FORM_NODES} parts (or is circular)"),
        ));
    };
    vm.with_roots(&[v], |vm| {
        vm.reserve(nodes.saturating_mul(DATUM_NODE_BYTES))?;
        value_to_datum(vm, v, span)
    })
}

/// The nodes of the datum of `v`, shared parts counted each time they
/// appear; `None` past [`MAX_FORM_NODES`] (as a cycle is).
fn form_nodes(vm: &Vm, v: Value) -> Option<usize> {
    let mut pending = vec![v];
    let mut nodes = 0;
    while let Some(v) = pending.pop() {
        nodes += 1;
        if nodes > MAX_FORM_NODES {
            return None;
        }
        if let Value::Obj(r) = v {
            match vm.heap.get(r) {
                Obj::Pair(a, d) => pending.extend([*a, *d]),
                Obj::Vector(items) => pending.extend(items.iter().copied()),
                _ => {}
            }
        }
    }
    Some(nodes)
}

/// The datum for a value returned by a macro or passed to `eval`. Data that
/// has no source form (tables, functions...) or nests too deeply is a
/// `syntax-error`; cycles are caught by the nesting limit.
pub fn value_to_datum(vm: &Vm, v: Value, span: Span) -> RtResult<Datum> {
    to_datum(vm, v, span, 0)
}

fn to_datum(vm: &Vm, v: Value, span: Span, depth: usize) -> RtResult<Datum> {
    if crate::native_stack::exhausted() {
        return Err(crate::native_stack::overflow("macro results", Some(span)));
    }
    if depth > MAX_NESTING {
        return Err(RtError::syntax(
            span,
            "form nests too deeply (or is circular)",
        ));
    }
    let kind = match v {
        Value::Nil => DatumKind::Nil,
        Value::Bool(b) => DatumKind::Bool(b.get()),
        Value::Int(n) => DatumKind::Int(n),
        Value::Float(f) => DatumKind::Float(f),
        Value::Symbol(s) => DatumKind::Symbol(s),
        Value::Keyword(s) => DatumKind::Keyword(s),
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => DatumKind::Str(Rc::from(&*s.text)),
            Obj::Pair(..) => {
                let mut items = Vec::new();
                let mut cur = v;
                let mut steps = 0usize;
                while let Some((a, d)) = vm.pair(cur) {
                    items.push(to_datum(vm, a, span, depth + 1)?);
                    cur = d;
                    steps += 1;
                    if steps > 10_000_000 {
                        return Err(RtError::syntax(span, "circular list in code"));
                    }
                }
                let tail = match cur {
                    Value::Nil => None,
                    t => Some(Box::new(to_datum(vm, t, span, depth + 1)?)),
                };
                DatumKind::List(items, tail)
            }
            Obj::Vector(items) => DatumKind::Vector(
                items
                    .iter()
                    .map(|x| to_datum(vm, *x, span, depth + 1))
                    .collect::<RtResult<_>>()?,
            ),
            _ => return Err(not_code(vm, v, span)),
        },
        Value::Native(_) | Value::Unbound | Value::Pointer(_) => return Err(not_code(vm, v, span)),
    };
    Ok(Datum::new(kind, span))
}

fn not_code(vm: &Vm, v: Value, span: Span) -> RtError {
    RtError::syntax(
        span,
        format!("cannot use {} as code", crate::printer::write_string(vm, v)),
    )
}
