//! Searching lists by equality: `assoc assq member memq`. The searches
//! with a predicate (`find any? every? count remove`) are in the prelude,
//! so that the predicate runs in the interpreter's loop.

use crate::error::RtResult;
use crate::object::Obj;
use crate::primitives::expected;
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("assoc", 2, Some(2), |vm, a| {
        assoc(vm, "assoc", a, crate::equality::equal)
    });
    vm.define_native("assq", 2, Some(2), |vm, a| {
        assoc(vm, "assq", a, |_, x, y| x.identical(y))
    });
    vm.define_native("member", 2, Some(2), |vm, a| {
        member(vm, "member", a, crate::equality::equal)
    });
    vm.define_native("memq", 2, Some(2), |vm, a| {
        member(vm, "memq", a, |_, x, y| x.identical(y))
    });
}

type Same = fn(&Vm, Value, Value) -> bool;

/// `(member x lst)`: the first tail of `lst` whose car is the same as `x`,
/// or nil. `lst` must be a list; an improper end is a `type-error` once
/// the search reaches it.
fn member(vm: &Vm, func: &str, a: &[Value], same: Same) -> RtResult<Value> {
    let mut cur = a[1];
    while !cur.is_nil() {
        let Some((car, cdr)) = vm.pair(cur) else {
            return Err(expected(vm, func, "proper list", a[1]));
        };
        if same(vm, a[0], car) {
            return Ok(cur);
        }
        cur = cdr;
    }
    Ok(Value::Nil)
}

/// `(assoc key alist)`: the first pair of `alist` whose car is the same as
/// `key`, or nil. Nil elements are passed over (an empty entry); any other
/// element that is not a pair is a `type-error`.
fn assoc(vm: &Vm, func: &str, a: &[Value], same: Same) -> RtResult<Value> {
    for entry in crate::primitives::list_arg(vm, func, a[1])? {
        match entry {
            Value::Nil => {}
            Value::Obj(r) => match vm.heap.get(r) {
                Obj::Pair(car, _) if same(vm, a[0], *car) => return Ok(entry),
                Obj::Pair(..) => {}
                _ => return Err(expected(vm, func, "list of pairs", a[1])),
            },
            _ => return Err(expected(vm, func, "list of pairs", a[1])),
        }
    }
    Ok(Value::Nil)
}
