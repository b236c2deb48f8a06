//! `%`-prefixed helpers that the compiler's rewrites call (`for`, `match`,
//! quasiquote, `import`, `define-condition`).

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::{expected, index_arg, str_arg};
use crate::value::Value;
use crate::vm::{Control, Vm};

pub fn install(vm: &mut Vm) {
    vm.define_native("%car", 1, Some(1), |vm, a| vm.car(a[0], "car"));
    vm.define_native("%cdr", 1, Some(1), |vm, a| vm.cdr(a[0], "cdr"));
    vm.define_native("%pair?", 1, Some(1), |vm, a| {
        Ok(Value::bool(vm.is_pair(a[0])))
    });
    vm.define_native("%null?", 1, Some(1), |_, a| Ok(Value::bool(a[0].is_nil())));
    vm.define_native("%equal?", 2, Some(2), |vm, a| {
        Ok(Value::bool(crate::equality::equal(vm, a[0], a[1])))
    });
    vm.define_native("%append", 0, None, append);
    vm.define_native("%list->vector", 1, Some(1), |vm, a| {
        let items = crate::primitives::list_arg(vm, "list->vector", a[0])?;
        Ok(vm.heap.alloc(Obj::Vector(items)))
    });
    vm.define_native("%for-items", 1, Some(2), for_items);
    // The elements of a list or vector, as a list; the second argument
    // names the function for the error (`find`, `remove`...).
    vm.define_native("%seq-items", 2, Some(2), |vm, a| {
        let func = match a[1] {
            Value::Symbol(s) => s.name(),
            _ => "%seq-items",
        };
        let items = crate::primitives::seq_arg(vm, func, a[0])?;
        Ok(vm.heap.list(&items))
    });
    vm.define_native("%list-of-length?", 2, Some(2), |vm, a| {
        Ok(Value::bool(
            list_length(vm, a[0]) == Some(index_arg(vm, "match", a[1])?),
        ))
    });
    vm.define_native("%list-at-least?", 2, Some(2), |vm, a| {
        let n = index_arg(vm, "match", a[1])?;
        Ok(Value::bool(
            list_length(vm, a[0]).is_some_and(|len| len >= n),
        ))
    });
    vm.define_native("%list-ref", 2, Some(2), |vm, a| {
        let tail = list_tail(vm, a[0], index_arg(vm, "match", a[1])?)?;
        vm.car(tail, "match")
    });
    vm.define_native("%list-tail", 2, Some(2), |vm, a| {
        list_tail(vm, a[0], index_arg(vm, "match", a[1])?)
    });
    vm.define_native("%vector-of-length?", 2, Some(2), |vm, a| {
        let n = index_arg(vm, "match", a[1])?;
        Ok(Value::bool(matches!(a[0], Value::Obj(r) if matches!(vm.heap.get(r), Obj::Vector(v) if v.len() == n))))
    });
    vm.define_native("%vector-ref", 2, Some(2), |vm, a| {
        let i = index_arg(vm, "match", a[1])?;
        match a[0] {
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Vector(v) => v
                    .get(i)
                    .copied()
                    .ok_or_else(|| RtError::index("match: index out of range")),
                _ => Err(expected(vm, "match", "vector", a[0])),
            },
            _ => Err(expected(vm, "match", "vector", a[0])),
        }
    });
    vm.define_native("%all-pairs?", 1, Some(1), |vm, a| {
        let items = crate::primitives::list_arg(vm, "map", a[0])?;
        Ok(Value::bool(
            !items.is_empty() && items.iter().all(|&x| vm.is_pair(x)),
        ))
    });
    vm.define_native("%append-reverse", 2, Some(2), |vm, a| {
        let items = crate::primitives::list_arg(vm, "sort", a[0])?;
        let mut acc = a[1];
        for x in items {
            acc = vm.heap.cons(x, acc);
        }
        Ok(acc)
    });
    vm.define_control("sort", 1, Some(2), sort);
    for (alias, name) in [
        ("%cons", "cons"),
        ("%reverse", "reverse"),
        ("%apply", "apply"),
        ("%length", "length"),
        ("%take", "take"),
        ("%drop", "drop"),
        ("%quotient", "quotient"),
        ("%inc", "inc"),
        ("%lt", "<"),
        ("%minus", "-"),
        ("%vector?", "vector?"),
    ] {
        vm.alias(alias, name);
    }
    vm.define_native("%define-condition", 2, Some(2), define_condition);
    vm.define_native("%import", 2, Some(2), |vm, a| {
        let path = str_arg(vm, "import", a[0])?.to_string();
        let from = str_arg(vm, "import", a[1])?.to_string();
        vm.import(&path, &from)
    });
}

/// Appends lists; the last argument is the tail (quasiquote's splicing).
fn append(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let Some((&last, init)) = a.split_last() else {
        return Ok(Value::Nil);
    };
    let mut items = Vec::new();
    for &l in init {
        items.extend(crate::primitives::list_arg(vm, "unquote-splicing", l)?);
    }
    Ok(vm.heap.list_with_tail(&items, last))
}

fn list_length(vm: &Vm, v: Value) -> Option<usize> {
    let mut n = 0;
    let mut cur = v;
    loop {
        match cur {
            Value::Nil => return Some(n),
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Pair(_, d) => {
                    n += 1;
                    cur = *d;
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

fn list_tail(vm: &Vm, v: Value, n: usize) -> RtResult<Value> {
    let mut cur = v;
    for _ in 0..n {
        cur = vm.cdr(cur, "match")?;
    }
    Ok(cur)
}

/// What `for` walks: a proper list as is; a vector's elements; a string's
/// characters (as one-character strings); a table's or struct's keys. The
/// optional second argument names the function for error messages (`map`,
/// `fold`...; `for` by default).
fn for_items(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let v = a[0];
    let func = match a.get(1) {
        Some(Value::Symbol(s)) => s.name(),
        _ => "for",
    };
    let Value::Obj(r) = v else {
        return if v.is_nil() {
            Ok(Value::Nil)
        } else {
            Err(expected(vm, func, "sequence", v))
        };
    };
    match vm.heap.get(r) {
        Obj::Pair(..) => {
            if list_length(vm, v).is_none() {
                return Err(expected(vm, func, "proper list", v));
            }
            Ok(v)
        }
        Obj::Vector(items) => {
            let items = items.clone();
            Ok(vm.heap.list(&items))
        }
        Obj::Str(s) => {
            let chars: Vec<String> = s.text.chars().map(String::from).collect();
            let vals: Vec<Value> = chars.into_iter().map(|c| vm.heap.alloc_string(c)).collect();
            Ok(vm.heap.list(&vals))
        }
        Obj::Table(_) | Obj::Struct(_) => {
            let keys = crate::equality::keys_of(vm, r);
            Ok(vm.heap.list(&keys))
        }
        _ => Err(expected(vm, func, "sequence", v)),
    }
}

fn define_condition(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let (Value::Symbol(name), Value::Symbol(parent)) = (a[0], a[1]) else {
        return Err(expected(vm, "define-condition", "symbol", a[0]));
    };
    if !vm.is_condition_type(parent) {
        return Err(RtError::with_data(
            "error",
            format!("define-condition: unknown parent condition type {parent}"),
            a[1],
        ));
    }
    // Moving a built-in type would change what the runtime's own errors
    // are: `(define-condition type-error warning)` would make type errors
    // uncatchable by `try`.
    if crate::conditions::is_builtin_type(name) {
        return Err(RtError::with_data(
            "error",
            format!("define-condition: {name} is a built-in condition type"),
            a[0],
        ));
    }
    if vm.condition_type_is(parent, name) {
        return Err(RtError::with_data(
            "error",
            format!("define-condition: {name} cannot be its own ancestor"),
            a[0],
        ));
    }
    vm.condition_parents.insert(name, parent);
    Ok(Value::Symbol(name))
}

/// `(sort seq [less])`: a new sorted list or vector. Without `less`,
/// [`sort_default`]; with it, a stable merge sort in the prelude
/// (`%sort-by`), so that the comparator runs in the interpreter's loop.
fn sort(vm: &mut Vm, a: &[Value]) -> RtResult<Control> {
    let seq = a[0];
    let is_seq = seq.is_nil()
        || matches!(seq, Value::Obj(r) if matches!(vm.heap.get(r), Obj::Pair(..) | Obj::Vector(_)));
    if !is_seq {
        return Err(expected(vm, "sort", "list or vector", seq));
    }
    let Some(&less) = a.get(1) else {
        return sort_default(vm, seq).map(Control::Return);
    };
    if !vm.is_callable(less) {
        return Err(expected(vm, "sort", "function", less));
    }
    match vm.get_global("%sort-by") {
        Some(sort_by) => Ok(Control::Call(sort_by, vec![seq, less])),
        None => Err(RtError::new("error", "sort: the prelude is not loaded")),
    }
}

fn sort_default(vm: &mut Vm, seq: Value) -> RtResult<Value> {
    let is_vector = matches!(seq, Value::Obj(r) if matches!(vm.heap.get(r), Obj::Vector(_)));
    let mut items = crate::primitives::seq_arg(vm, "sort", seq)?;
    let kind = items
        .first()
        .map_or(SortKind::Number, |&x| SortKind::of(vm, x));
    // The first element of no sortable kind, else the first of another
    // kind than the first element's: `(sort [[1] 2])` names the vector,
    // not the integer 2.
    let bad = items
        .iter()
        .find(|&&x| SortKind::of(vm, x) == SortKind::Other)
        .or_else(|| items.iter().find(|&&x| SortKind::of(vm, x) != kind));
    if let Some(&bad) = bad {
        let what = match kind {
            SortKind::Number => "number",
            SortKind::Str => "string",
            SortKind::Symbol => "symbol",
            SortKind::Keyword => "keyword",
            SortKind::Other => "number, string, symbol or keyword",
        };
        return Err(expected(vm, "sort", what, bad));
    }
    items.sort_by(|&x, &y| default_order(vm, x, y));
    Ok(if is_vector {
        vm.heap.alloc(Obj::Vector(items))
    } else {
        vm.heap.list(&items)
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKind {
    Number,
    Str,
    Symbol,
    Keyword,
    Other,
}

impl SortKind {
    fn of(vm: &Vm, v: Value) -> SortKind {
        match v {
            Value::Int(_) | Value::Float(_) => SortKind::Number,
            Value::Symbol(_) => SortKind::Symbol,
            Value::Keyword(_) => SortKind::Keyword,
            Value::Obj(r) if matches!(vm.heap.get(r), Obj::Str(_)) => SortKind::Str,
            _ => SortKind::Other,
        }
    }
}

/// A total order on values of one [`SortKind`].
fn default_order(vm: &Vm, x: Value, y: Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (x, y) {
        (Value::Symbol(a), Value::Symbol(b)) | (Value::Keyword(a), Value::Keyword(b)) => {
            a.name().cmp(b.name())
        }
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let nan = |v: Value| matches!(v, Value::Float(f) if f.is_nan());
            match crate::primitives::arith::compare(vm, "sort", x, y) {
                Ok(Some(o)) => o,
                // Only NaN is unordered: it sorts after every other number.
                _ => nan(x).cmp(&nan(y)),
            }
        }
        _ => match (str_arg(vm, "sort", x), str_arg(vm, "sort", y)) {
            (Ok(a), Ok(b)) => a.cmp(b),
            _ => Ordering::Equal,
        },
    }
}
