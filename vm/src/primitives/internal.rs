//! `%`-prefixed helpers that the compiler's rewrites call (`for`, `match`,
//! quasiquote, `import`, `define-condition`).

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::{expected, index_arg, str_arg};
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("%car", 1, Some(1), |vm, a| vm.car(a[0], "car"));
    vm.define_native("%cdr", 1, Some(1), |vm, a| vm.cdr(a[0], "cdr"));
    vm.define_native("%pair?", 1, Some(1), |vm, a| {
        Ok(Value::Bool(vm.is_pair(a[0])))
    });
    vm.define_native("%null?", 1, Some(1), |_, a| Ok(Value::Bool(a[0].is_nil())));
    vm.define_native("%equal?", 2, Some(2), |vm, a| {
        Ok(Value::Bool(crate::equality::equal(vm, a[0], a[1])))
    });
    vm.define_native("%append", 0, None, append);
    vm.define_native("%list->vector", 1, Some(1), |vm, a| {
        let items = crate::primitives::list_arg(vm, "list->vector", a[0])?;
        Ok(vm.heap.alloc(Obj::Vector(items)))
    });
    vm.define_native("%for-items", 1, Some(1), for_items);
    vm.define_native("%list-of-length?", 2, Some(2), |vm, a| {
        Ok(Value::Bool(
            list_length(vm, a[0]) == Some(index_arg(vm, "match", a[1])?),
        ))
    });
    vm.define_native("%list-at-least?", 2, Some(2), |vm, a| {
        let n = index_arg(vm, "match", a[1])?;
        Ok(Value::Bool(
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
        Ok(Value::Bool(matches!(a[0], Value::Obj(r) if matches!(vm.heap.get(r), Obj::Vector(v) if v.len() == n))))
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
        Ok(Value::Bool(
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
    vm.define_native("%sort-default", 1, Some(1), sort_default);
    for (alias, name) in [
        ("%cons", "cons"),
        ("%reverse", "reverse"),
        ("%apply", "apply"),
        ("%length", "length"),
        ("%take", "take"),
        ("%drop", "drop"),
        ("%quotient", "quotient"),
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

/// What `for` walks: a list as is; a vector's elements; a string's
/// characters (as one-character strings); a table's or struct's keys.
fn for_items(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let v = a[0];
    let Value::Obj(r) = v else {
        return if v.is_nil() {
            Ok(Value::Nil)
        } else {
            Err(expected(vm, "for", "sequence", v))
        };
    };
    match vm.heap.get(r) {
        Obj::Pair(..) => Ok(v),
        Obj::Vector(items) => {
            let items = items.clone();
            Ok(vm.heap.list(&items))
        }
        Obj::Str(s) => {
            let chars: Vec<String> = s.text.chars().map(String::from).collect();
            let vals: Vec<Value> = chars.into_iter().map(|c| vm.heap.alloc_string(c)).collect();
            Ok(vm.heap.list(&vals))
        }
        Obj::Table(m) | Obj::Struct(m) => {
            let keys: Vec<_> = m.keys().cloned().collect();
            let vals: Vec<Value> = keys
                .iter()
                .map(|k| crate::equality::key_to_value(vm, k))
                .collect();
            Ok(vm.heap.list(&vals))
        }
        _ => Err(expected(vm, "for", "sequence", v)),
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
    if name == Sym::intern("condition") || vm.condition_type_is(parent, name) {
        return Err(RtError::with_data(
            "error",
            format!("define-condition: {name} cannot be its own ancestor"),
            a[0],
        ));
    }
    vm.condition_parents.insert(name, parent);
    Ok(Value::Symbol(name))
}

/// `sort` without a comparator: numbers by value, strings by content,
/// symbols and keywords by name; mixing kinds is a `type-error`.
fn sort_default(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let is_vector = matches!(a[0], Value::Obj(r) if matches!(vm.heap.get(r), Obj::Vector(_)));
    let mut items = crate::primitives::seq_arg(vm, "sort", a[0])?;
    let mut failure = None;
    items.sort_by(|&x, &y| match default_order(vm, x, y) {
        Ok(o) => o,
        Err(e) => {
            failure.get_or_insert(e);
            std::cmp::Ordering::Equal
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(if is_vector {
        vm.heap.alloc(Obj::Vector(items))
    } else {
        vm.heap.list(&items)
    })
}

fn default_order(vm: &Vm, x: Value, y: Value) -> RtResult<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if let (Ok(a), Ok(b)) = (str_arg(vm, "sort", x), str_arg(vm, "sort", y)) {
        return Ok(a.cmp(b));
    }
    match (x, y) {
        (Value::Symbol(a), Value::Symbol(b)) | (Value::Keyword(a), Value::Keyword(b)) => {
            Ok(a.name().cmp(b.name()))
        }
        _ => Ok(crate::primitives::arith::compare(vm, "sort", x, y)?.unwrap_or(Ordering::Equal)),
    }
}
