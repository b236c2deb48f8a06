//! Built-in functions, one module per family.
//!
//! Every native receives its arguments already checked for count (the
//! interpreter checks the arity recorded at registration), and checks their
//! types itself with the helpers below, so that a wrong type is always a
//! `type-error` naming the function.

pub mod arith;
pub mod bits;
pub mod collections;
pub mod condition_prims;
pub mod files;
pub mod format;
pub mod internal;
pub mod json;
pub mod lists;
pub mod meta;
pub mod numeric;
pub mod output;
pub mod random;
pub mod search;
pub mod strings;
pub mod system;
pub mod types;

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    numeric::install(vm);
    lists::install(vm);
    types::install(vm);
    output::install(vm);
    condition_prims::install(vm);
    meta::install(vm);
    strings::install(vm);
    collections::install(vm);
    files::install(vm);
    json::install(vm);
    bits::install(vm);
    format::install(vm);
    random::install(vm);
    search::install(vm);
    system::install(vm);
    // After the public built-ins: some internal names are their aliases.
    internal::install(vm);
}

/// The name `type` returns for a value, without the colon.
pub fn type_name(vm: &Vm, v: Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "float",
        Value::Symbol(_) => "symbol",
        Value::Keyword(_) => "keyword",
        Value::Native(_) => "function",
        Value::Unbound => "unbound",
        Value::Pointer(_) => "pointer",
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Pair(..) => "list",
            Obj::Str(_) => "string",
            Obj::Vector(_) => "vector",
            Obj::Table(_) => "table",
            Obj::Struct(_) => "struct",
            Obj::Closure(_) => "function",
            Obj::Condition(_) => "condition",
            Obj::Cell(_) => "cell",
            Obj::Free(_) => "freed",
            Obj::Foreign(o) => o.type_name(),
        },
    }
}

/// The `type-error` for a function given the wrong kind of value.
pub fn expected(vm: &Vm, func: &str, what: &str, got: Value) -> RtError {
    let shown = match got {
        Value::Nil => "nil".to_string(),
        _ => format!(
            "{} {}",
            type_name(vm, got),
            crate::printer::write_string(vm, got)
        ),
    };
    RtError::with_data(
        "type-error",
        format!("{func}: expected {what}, got {shown}"),
        got,
    )
}

pub fn int_arg(vm: &Vm, func: &str, v: Value) -> RtResult<i64> {
    match v {
        Value::Int(n) => Ok(n),
        _ => Err(expected(vm, func, "integer", v)),
    }
}

/// A number as f64 (integers convert).
pub fn float_arg(vm: &Vm, func: &str, v: Value) -> RtResult<f64> {
    match v {
        Value::Int(n) => Ok(n as f64),
        Value::Float(f) => Ok(f),
        _ => Err(expected(vm, func, "number", v)),
    }
}

/// A non-negative integer usable as an index or count.
pub fn index_arg(vm: &Vm, func: &str, v: Value) -> RtResult<usize> {
    match v {
        Value::Int(n) if n >= 0 => Ok(n as usize),
        Value::Int(n) => Err(RtError::with_data(
            "index-error",
            format!("{func}: index {n} out of range"),
            v,
        )),
        _ => Err(expected(vm, func, "integer", v)),
    }
}

pub fn str_arg<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<&'a str> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => Ok(&s.text),
            _ => Err(expected(vm, func, "string", v)),
        },
        _ => Err(expected(vm, func, "string", v)),
    }
}

/// The elements of a proper list.
pub fn list_arg(vm: &Vm, func: &str, v: Value) -> RtResult<Vec<Value>> {
    let mut out = Vec::new();
    let mut cur = v;
    loop {
        match cur {
            Value::Nil => return Ok(out),
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Pair(car, cdr) => {
                    out.push(*car);
                    cur = *cdr;
                }
                _ => return Err(expected(vm, func, "proper list", v)),
            },
            _ => return Err(expected(vm, func, "proper list", v)),
        }
    }
}

/// The elements of a list or vector.
pub fn seq_arg(vm: &Vm, func: &str, v: Value) -> RtResult<Vec<Value>> {
    if let Value::Obj(r) = v
        && let Obj::Vector(items) = vm.heap.get(r)
    {
        return Ok(items.clone());
    }
    list_arg(vm, func, v).map_err(|_| expected(vm, func, "list or vector", v))
}

impl Vm {
    /// The car and cdr of a pair.
    #[inline(always)]
    pub fn pair(&self, v: Value) -> Option<(Value, Value)> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Pair(a, d) => Some((*a, *d)),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_pair(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Obj::Pair(..)))
    }

    pub fn car(&self, v: Value, func: &str) -> RtResult<Value> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Pair(a, _) => Ok(*a),
                _ => Err(expected(self, func, "non-empty list", v)),
            },
            _ => Err(expected(self, func, "non-empty list", v)),
        }
    }

    pub fn cdr(&self, v: Value, func: &str) -> RtResult<Value> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Pair(_, d) => Ok(*d),
                _ => Err(expected(self, func, "non-empty list", v)),
            },
            _ => Err(expected(self, func, "non-empty list", v)),
        }
    }

    pub fn string_value(&mut self, s: impl Into<String>) -> Value {
        self.heap.alloc_string(s.into())
    }
}
