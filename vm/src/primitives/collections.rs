//! Vectors, tables and structs.
//!
//! Tables and structs share one representation, an insertion-ordered
//! [`Map`]. Lookups go through [`KeyRef`], a borrowed key that hashes like
//! [`Key`], so that `get`, `has?` and `put` on an existing key never allocate
//! (a string key is looked up by the `&str` inside the heap string).

use std::hash::{Hash, Hasher};

use indexmap::Equivalent;

use crate::equality::to_key;
use crate::error::{RtError, RtResult};
use crate::object::{Key, MAP_SLOT_BYTES, Map, Obj, new_map};
use crate::primitives::{expected, index_arg, list_arg};
use crate::symbol::Sym;
use crate::value::{ObjRef, Value};
use crate::vm::Vm;

/// Bytes the heap accounts per map slot (see `Obj::extra_bytes`).
const VALUE_BYTES: usize = std::mem::size_of::<Value>();
/// Largest vector `make-vector` builds, so that a typo cannot abort the
/// process on allocation before the heap limit applies.
const MAX_VECTOR: usize = 1 << 28;

pub fn install(vm: &mut Vm) {
    // Vectors.
    vm.define_native("vector", 0, None, |vm, a| {
        Ok(vm.heap.alloc(Obj::Vector(a.to_vec())))
    });
    vm.define_native("make-vector", 1, Some(2), make_vector);
    vm.define_native("vector-length", 1, Some(1), |vm, a| {
        let v = vector_of(vm, "vector-length", a[0])?;
        Ok(Value::Int(v.len() as i64))
    });
    vm.define_native("vector-ref", 2, Some(2), vector_ref);
    vm.define_native("vector-set!", 3, Some(3), vector_set);
    vm.define_native("vector-push!", 2, Some(2), vector_push);
    vm.define_native("vector-pop!", 1, Some(1), vector_pop);
    vm.define_native("vector->list", 1, Some(1), |vm, a| {
        let n = vector_of(vm, "vector->list", a[0])?.len();
        // A pair each, and the copy the list is built from.
        vm.reserve(n.saturating_mul(crate::heap::SLOT_BYTES + VALUE_BYTES))?;
        let items = vector_of(vm, "vector->list", a[0])?.clone();
        Ok(vm.heap.list(&items))
    });
    vm.define_native("list->vector", 1, Some(1), |vm, a| {
        let items = list_arg(vm, "list->vector", a[0])?;
        Ok(vm.heap.alloc(Obj::Vector(items)))
    });

    // Tables.
    vm.define_native("table", 0, None, |vm, a| {
        let m = build_map(vm, "table", a)?;
        Ok(vm.heap.alloc(Obj::Table(Box::new(m))))
    });
    vm.define_native("get", 2, Some(3), |vm, a| map_get(vm, "get", a, true));
    vm.define_native("put", 3, Some(3), put);
    vm.define_native("del", 2, Some(2), del);
    vm.define_native("has?", 2, Some(2), |vm, a| map_has(vm, "has?", a, true));
    vm.define_native("keys", 1, Some(1), |vm, a| map_keys(vm, "keys", a[0], true));
    vm.define_native("values", 1, Some(1), |vm, a| {
        map_values(vm, "values", a[0], true)
    });
    vm.define_native("table-length", 1, Some(1), |vm, a| {
        let (m, _) = map_of(vm, "table-length", a[0], false)?;
        Ok(Value::Int(m.len() as i64))
    });

    // Structs.
    vm.define_native("struct", 0, None, |vm, a| {
        let m = build_map(vm, "struct", a)?;
        Ok(vm.heap.alloc(Obj::Struct(Box::new(m))))
    });
    vm.define_native("struct-get", 2, Some(3), |vm, a| {
        map_get(vm, "struct-get", a, false)
    });
    vm.define_native("struct-put", 3, Some(3), struct_put);
    vm.define_native("struct-del", 2, Some(2), struct_del);
    vm.define_native("struct-has?", 2, Some(2), |vm, a| {
        map_has(vm, "struct-has?", a, false)
    });
    vm.define_native("struct-length", 1, Some(1), |vm, a| {
        let m = struct_of(vm, "struct-length", a[0])?;
        Ok(Value::Int(m.len() as i64))
    });
    vm.define_native("struct-keys", 1, Some(1), |vm, a| {
        struct_of(vm, "struct-keys", a[0])?;
        map_keys(vm, "struct-keys", a[0], true)
    });
    vm.define_native("struct-values", 1, Some(1), |vm, a| {
        struct_of(vm, "struct-values", a[0])?;
        map_values(vm, "struct-values", a[0], true)
    });
}

// ---- borrowed keys ----

/// A map key borrowed from a value, for lookups that must not allocate.
/// Hashes exactly like the [`Key`] it is equivalent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(u64),
    Symbol(Sym),
    Keyword(Sym),
    Str(&'a str),
}

impl Hash for KeyRef<'_> {
    /// Must agree with `impl Hash for Key` in object.rs.
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            KeyRef::Nil => h.write_u8(0),
            KeyRef::Bool(b) => {
                h.write_u8(1);
                h.write_u8(*b as u8);
            }
            KeyRef::Int(n) => {
                h.write_u8(2);
                h.write_i64(*n);
            }
            KeyRef::Float(bits) => {
                h.write_u8(3);
                h.write_u64(*bits);
            }
            KeyRef::Symbol(s) => {
                h.write_u8(4);
                h.write_u32(s.0);
            }
            KeyRef::Keyword(s) => {
                h.write_u8(5);
                h.write_u32(s.0);
            }
            KeyRef::Str(s) => {
                h.write_u8(6);
                h.write(s.as_bytes());
                h.write_u8(0xff);
            }
        }
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        match (*self, key) {
            (KeyRef::Nil, Key::Nil) => true,
            (KeyRef::Bool(a), Key::Bool(b)) => a == *b,
            (KeyRef::Int(a), Key::Int(b)) => a == *b,
            (KeyRef::Float(a), Key::Float(b)) => a == *b,
            (KeyRef::Symbol(a), Key::Symbol(b)) | (KeyRef::Keyword(a), Key::Keyword(b)) => a == *b,
            (KeyRef::Str(a), Key::Str(b)) => a == &**b,
            _ => false,
        }
    }
}

/// The borrowed key for `v`; values that cannot be keys raise `type-error`
/// naming `func`.
pub fn key_ref<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<KeyRef<'a>> {
    Ok(match v {
        Value::Nil => KeyRef::Nil,
        Value::Bool(b) => KeyRef::Bool(b.get()),
        Value::Int(n) => KeyRef::Int(n),
        Value::Float(f) => KeyRef::Float(f.to_bits()),
        Value::Symbol(s) => KeyRef::Symbol(s),
        Value::Keyword(s) => KeyRef::Keyword(s),
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => KeyRef::Str(&s.text),
            _ => return Err(bad_key(vm, func, v)),
        },
        _ => return Err(bad_key(vm, func, v)),
    })
}

fn bad_key(vm: &Vm, func: &str, v: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!(
            "{func}: invalid map key: {} (keys are nil, booleans, numbers, symbols, keywords and strings)",
            crate::printer::write_string(vm, v)
        ),
        v,
    )
}

// ---- argument helpers ----

fn vector_ref_of(vm: &Vm, func: &str, v: Value) -> RtResult<ObjRef> {
    match v {
        Value::Obj(r) if matches!(vm.heap.get(r), Obj::Vector(_)) => Ok(r),
        _ => Err(expected(vm, func, "vector", v)),
    }
}

fn vector_of<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<&'a Vec<Value>> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Vector(items) => Ok(items),
            _ => Err(expected(vm, func, "vector", v)),
        },
        _ => Err(expected(vm, func, "vector", v)),
    }
}

fn vector_mut(vm: &mut Vm, r: ObjRef) -> &mut Vec<Value> {
    match vm.heap.get_mut(r) {
        Obj::Vector(items) => items,
        _ => unreachable!("checked to be a vector"),
    }
}

/// The map of a table (or, when `structs` is set, a struct too), and its
/// object reference.
fn map_of<'a>(vm: &'a Vm, func: &str, v: Value, structs: bool) -> RtResult<(&'a Map, ObjRef)> {
    if let Value::Obj(r) = v {
        match vm.heap.get(r) {
            Obj::Table(m) => return Ok((m, r)),
            Obj::Struct(m) if structs => return Ok((m, r)),
            _ => {}
        }
    }
    let what = if structs { "table or struct" } else { "table" };
    Err(expected(vm, func, what, v))
}

fn struct_of<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<&'a Map> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Struct(m) => Ok(m),
            _ => Err(expected(vm, func, "struct", v)),
        },
        _ => Err(expected(vm, func, "struct", v)),
    }
}

fn table_mut(vm: &mut Vm, r: ObjRef) -> &mut Map {
    match vm.heap.get_mut(r) {
        Obj::Table(m) => m,
        _ => unreachable!("checked to be a table"),
    }
}

/// Checks that `i` indexes a sequence of length `len`.
fn check_index(func: &str, i: usize, len: usize, idx: Value) -> RtResult<usize> {
    if i < len {
        Ok(i)
    } else {
        Err(RtError::with_data(
            "index-error",
            format!("{func}: index {i} out of range for vector of length {len}"),
            idx,
        ))
    }
}

// ---- vectors ----

fn make_vector(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    if let Value::Int(n) = a[0]
        && n < 0
    {
        return Err(RtError::with_data(
            "index-error",
            format!("make-vector: size {n} is negative"),
            a[0],
        ));
    }
    let n = index_arg(vm, "make-vector", a[0])?;
    if n > MAX_VECTOR {
        return Err(RtError::with_data(
            "index-error",
            format!("make-vector: size {n} too large (at most {MAX_VECTOR})"),
            a[0],
        ));
    }
    vm.reserve(n * VALUE_BYTES)?;
    let fill = a.get(1).copied().unwrap_or(Value::Nil);
    Ok(vm.heap.alloc(Obj::Vector(vec![fill; n])))
}

fn vector_ref(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let items = vector_of(vm, "vector-ref", a[0])?;
    let i = index_arg(vm, "vector-ref", a[1])?;
    let i = check_index("vector-ref", i, items.len(), a[1])?;
    Ok(items[i])
}

fn vector_set(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let r = vector_ref_of(vm, "vector-set!", a[0])?;
    let i = index_arg(vm, "vector-set!", a[1])?;
    let items = vector_mut(vm, r);
    let i = check_index("vector-set!", i, items.len(), a[1])?;
    items[i] = a[2];
    Ok(a[0])
}

fn vector_push(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let r = vector_ref_of(vm, "vector-push!", a[0])?;
    let (len, cap) = {
        let items = vector_mut(vm, r);
        (items.len(), items.capacity())
    };
    if len == cap {
        // It is about to double: the new buffer (twice the old) is made
        // while the old one is still held.
        vm.reserve(2 * cap.max(4) * VALUE_BYTES)?;
    }
    let items = vector_mut(vm, r);
    items.push(a[1]);
    let grown = items.capacity() - cap;
    if grown > 0 {
        vm.heap.note_growth(grown * VALUE_BYTES);
    }
    Ok(a[0])
}

fn vector_pop(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let r = vector_ref_of(vm, "vector-pop!", a[0])?;
    vector_mut(vm, r)
        .pop()
        .ok_or_else(|| RtError::with_data("index-error", "vector-pop!: vector is empty", a[0]))
}

// ---- tables and structs ----

/// A map from alternating keys and values.
fn build_map(vm: &Vm, func: &str, a: &[Value]) -> RtResult<Map> {
    if !a.len().is_multiple_of(2) {
        return Err(RtError::arity(format!(
            "{func}: expected an even number of arguments (keys and values), got {}",
            a.len()
        )));
    }
    let mut m = new_map();
    m.reserve(a.len() / 2);
    for kv in a.chunks_exact(2) {
        key_ref(vm, func, kv[0])?;
        m.insert(to_key(vm, kv[0])?, kv[1]);
    }
    Ok(m)
}

/// `(get m k [default])`.
fn map_get(vm: &mut Vm, func: &str, a: &[Value], tables: bool) -> RtResult<Value> {
    let m = if tables {
        map_of(vm, func, a[0], true)?.0
    } else {
        struct_of(vm, func, a[0])?
    };
    let k = key_ref(vm, func, a[1])?;
    Ok(match m.get(&k) {
        Some(v) => *v,
        None => a.get(2).copied().unwrap_or(Value::Nil),
    })
}

fn map_has(vm: &mut Vm, func: &str, a: &[Value], tables: bool) -> RtResult<Value> {
    let m = if tables {
        map_of(vm, func, a[0], true)?.0
    } else {
        struct_of(vm, func, a[0])?
    };
    let k = key_ref(vm, func, a[1])?;
    Ok(Value::bool(m.contains_key(&k)))
}

fn map_keys(vm: &mut Vm, func: &str, v: Value, structs: bool) -> RtResult<Value> {
    map_of(vm, func, v, structs)?;
    let Value::Obj(r) = v else {
        return Ok(Value::Nil);
    };
    let keys = crate::equality::keys_of(vm, r);
    Ok(vm.heap.list(&keys))
}

fn map_values(vm: &mut Vm, func: &str, v: Value, structs: bool) -> RtResult<Value> {
    let (m, _) = map_of(vm, func, v, structs)?;
    let vals: Vec<Value> = m.values().copied().collect();
    Ok(vm.heap.list(&vals))
}

/// `(put t k v)`: mutates and returns the table. An existing key is updated
/// in place (keeping its position) without allocating.
fn put(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let (m, r) = map_of(vm, "put", a[0], false)?;
    let k = key_ref(vm, "put", a[1])?;
    match m.get_index_of(&k) {
        Some(i) => {
            if let Some((_, slot)) = table_mut(vm, r).get_index_mut(i) {
                *slot = a[2];
            }
        }
        None => {
            if m.len() == m.capacity() {
                // It is about to double: the new entries and index are
                // made while the old ones are still held.
                let cap = m.capacity();
                vm.reserve(2 * cap.max(4) * MAP_SLOT_BYTES)?;
            }
            let key = to_key(vm, a[1])?;
            let key_bytes = key.heap_bytes();
            let m = table_mut(vm, r);
            let cap = m.capacity();
            m.insert(key, a[2]);
            let grown = m.capacity().saturating_sub(cap);
            vm.heap.note_growth(grown * MAP_SLOT_BYTES + key_bytes);
        }
    }
    Ok(a[0])
}

/// `(del t k)`: removes the key (if present), keeping the order of the
/// rest; returns the table.
fn del(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let (m, r) = map_of(vm, "del", a[0], false)?;
    let k = key_ref(vm, "del", a[1])?;
    if let Some(i) = m.get_index_of(&k) {
        table_mut(vm, r).shift_remove_index(i);
    }
    Ok(a[0])
}

fn struct_put(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let m = struct_of(vm, "struct-put", a[0])?;
    key_ref(vm, "struct-put", a[1])?;
    let key = to_key(vm, a[1])?;
    let mut m = m.clone();
    m.insert(key, a[2]);
    Ok(vm.heap.alloc(Obj::Struct(Box::new(m))))
}

fn struct_del(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let m = struct_of(vm, "struct-del", a[0])?;
    let k = key_ref(vm, "struct-del", a[1])?;
    let mut m = m.clone();
    m.shift_remove(&k);
    Ok(vm.heap.alloc(Obj::Struct(Box::new(m))))
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;
    use std::rc::Rc;

    use super::*;
    use crate::printer::write_string;

    fn run(src: &str) -> String {
        let mut vm = Vm::new();
        match vm.eval_source(src, "test") {
            Ok(v) => write_string(&vm, v),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    fn fails(src: &str, ctype: &str, msg: &str) {
        let mut vm = Vm::new();
        match vm.eval_source(src, "test") {
            Ok(v) => panic!("{src}: expected an error, got {}", write_string(&vm, v)),
            Err(e) => {
                assert_eq!(e.ctype, ctype, "{src}: {}", e.message);
                assert!(
                    e.message.contains(msg),
                    "{src}: message {:?} lacks {msg:?}",
                    e.message
                );
            }
        }
    }

    #[test]
    fn key_ref_hashes_like_key() {
        let s = rustc_hash::FxBuildHasher;
        let pairs = [
            (Key::Nil, KeyRef::Nil),
            (Key::Bool(true), KeyRef::Bool(true)),
            (Key::Int(-5), KeyRef::Int(-5)),
            (
                Key::Float(1.5f64.to_bits()),
                KeyRef::Float(1.5f64.to_bits()),
            ),
            (
                Key::Symbol(Sym::intern("a")),
                KeyRef::Symbol(Sym::intern("a")),
            ),
            (
                Key::Keyword(Sym::intern("a")),
                KeyRef::Keyword(Sym::intern("a")),
            ),
            (Key::Str(Rc::from("k123")), KeyRef::Str("k123")),
        ];
        for (k, r) in &pairs {
            assert_eq!(s.hash_one(k), s.hash_one(r), "{k:?}");
            assert!(r.equivalent(k));
        }
        assert!(!KeyRef::Symbol(Sym::intern("a")).equivalent(&Key::Keyword(Sym::intern("a"))));
        assert!(!KeyRef::Int(1).equivalent(&Key::Float(1.0f64.to_bits())));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn vectors() {
        assert_eq!(run("(vector 1 2 3)"), "[1 2 3]");
        assert_eq!(run("(vector)"), "[]");
        assert_eq!(run("(make-vector 3)"), "[nil nil nil]");
        assert_eq!(run("(make-vector 2 0)"), "[0 0]");
        assert_eq!(run("(vector-length [1 2 3])"), "3");
        assert_eq!(run("(vector-ref [1 2 3] 2)"), "3");
        assert_eq!(run("(define v [1 2 3]) (vector-set! v 0 :x)"), "[:x 2 3]");
        assert_eq!(run("(define v [1 2 3]) (vector-set! v 0 :x) v"), "[:x 2 3]");
        assert_eq!(
            run("(define v []) (vector-push! v 1) (vector-push! v 2)"),
            "[1 2]"
        );
        assert_eq!(run("(define v [1 2]) (list (vector-pop! v) v)"), "(2 [1])");
        assert_eq!(run("(vector->list [1 2 3])"), "(1 2 3)");
        assert_eq!(run("(vector->list [])"), "nil");
        assert_eq!(run("(list->vector '(1 2))"), "[1 2]");
        assert_eq!(run("(list->vector nil)"), "[]");
        assert_eq!(
            run("(define v []) (for i (range 1000) (vector-push! v i)) (vector-ref v 999)"),
            "999"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn vector_errors() {
        fails(
            "(vector-ref [1 2] 2)",
            "index-error",
            "vector-ref: index 2 out of range",
        );
        fails("(vector-ref [1 2] -1)", "index-error", "vector-ref");
        fails(
            "(vector-ref '(1) 0)",
            "type-error",
            "vector-ref: expected vector",
        );
        fails(
            "(vector-ref [1] 0.0)",
            "type-error",
            "vector-ref: expected integer",
        );
        fails(
            "(vector-set! [] 0 1)",
            "index-error",
            "vector-set!: index 0",
        );
        fails("(vector-set! \"a\" 0 1)", "type-error", "vector-set!");
        fails(
            "(vector-pop! [])",
            "index-error",
            "vector-pop!: vector is empty",
        );
        fails("(vector-push! nil 1)", "type-error", "vector-push!");
        fails("(vector-length '(1))", "type-error", "vector-length");
        fails("(vector->list '(1))", "type-error", "vector->list");
        fails("(list->vector [1])", "type-error", "list->vector");
        fails("(make-vector -1)", "index-error", "make-vector");
        fails("(make-vector 1000000000000)", "index-error", "too large");
        fails("(make-vector :a)", "type-error", "make-vector");
        fails("(vector-ref [1])", "arity-error", "");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn tables() {
        assert_eq!(run("(table :a 1 \"b\" 2)"), "@{:a 1 \"b\" 2}");
        assert_eq!(run("@{:a 1}"), "@{:a 1}");
        assert_eq!(run("(get (table :a 1) :a)"), "1");
        assert_eq!(run("(get (table :a 1) :b)"), "nil");
        assert_eq!(run("(get (table :a 1) :b 7)"), "7");
        assert_eq!(run("(get (table \"k\" 1) (string \"k\"))"), "1");
        assert_eq!(run("(get (table 1 :int 1.0 :float) 1.0)"), ":float");
        assert_eq!(run("(get (table nil 1 #f 2) nil)"), "1");
        assert_eq!(run("(get (table 'a 1 :a 2) 'a)"), "1");
        assert_eq!(
            run("(define t @{}) (put t :a 1) (put t :b 2)"),
            "@{:a 1 :b 2}"
        );
        assert_eq!(run("(define t @{:a 1 :b 2}) (put t :a 3)"), "@{:a 3 :b 2}");
        assert_eq!(
            run("(define t @{:a 1 :b 2 :c 3}) (del t :a) (put t :a 4)"),
            "@{:b 2 :c 3 :a 4}"
        );
        assert_eq!(
            run("(define t @{:a 1 :b 2 :c 3}) (del t :b)"),
            "@{:a 1 :c 3}"
        );
        assert_eq!(run("(define t @{:a 1}) (del t :zz)"), "@{:a 1}");
        assert_eq!(run("(has? @{:a nil} :a)"), "#t");
        assert_eq!(run("(has? @{:a nil} :b)"), "#f");
        assert_eq!(run("(has? {:a 1} :a)"), "#t");
        assert_eq!(run("(keys @{:a 1 \"b\" 2 3 4})"), "(:a \"b\" 3)");
        assert_eq!(run("(values @{:a 1 \"b\" 2})"), "(1 2)");
        assert_eq!(run("(keys {:x 1 :y 2})"), "(:x :y)");
        assert_eq!(run("(values {:x 1 :y 2})"), "(1 2)");
        assert_eq!(run("(keys @{})"), "nil");
        assert_eq!(run("(table-length @{:a 1 :b 2})"), "2");
        assert_eq!(run("(table :a 1 :a 2)"), "@{:a 2}");
        assert_eq!(run("(get {:a 1} :a)"), "1");
        assert_eq!(run("(get {:a 1} :b :none)"), ":none");
        assert_eq!(
            run(
                "(define t @{}) (for i (range 500) (put t (string \"k\" i) i)) \
                 (for i (range 0 500 2) (del t (string \"k\" i))) \
                 (list (table-length t) (get t \"k499\") (get t \"k0\") (first (keys t)))"
            ),
            "(250 499 nil \"k1\")"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn table_errors() {
        fails("(get [1] 0)", "type-error", "get: expected table or struct");
        fails("(get @{} '(1))", "type-error", "get: invalid map key: (1)");
        fails("(put @{} [1] 1)", "type-error", "put: invalid map key");
        fails("(put {:a 1} :b 1)", "type-error", "put: expected table");
        fails("(del {:a 1} :a)", "type-error", "del: expected table");
        fails("(has? nil :a)", "type-error", "has?");
        fails("(keys '(1 2))", "type-error", "keys");
        fails("(values 1)", "type-error", "values");
        fails(
            "(table-length {:a 1})",
            "type-error",
            "table-length: expected table",
        );
        fails(
            "(table :a)",
            "arity-error",
            "table: expected an even number",
        );
        fails("(table [] 1)", "type-error", "table: invalid map key");
        fails("(get @{})", "arity-error", "");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn structs() {
        assert_eq!(run("(struct :a 1 \"b\" 2)"), "{:a 1 \"b\" 2}");
        assert_eq!(run("(struct-get {:a 1} :a)"), "1");
        assert_eq!(run("(struct-get {:a 1} :b)"), "nil");
        assert_eq!(run("(struct-get {:a 1} :b 0)"), "0");
        assert_eq!(
            run("(define s {:a 1}) (list (struct-put s :b 2) s)"),
            "({:a 1 :b 2} {:a 1})"
        );
        assert_eq!(run("(struct-put {:a 1 :b 2} :a 3)"), "{:a 3 :b 2}");
        assert_eq!(
            run("(define s {:a 1 :b 2 :c 3}) (list (struct-del s :a) s)"),
            "({:b 2 :c 3} {:a 1 :b 2 :c 3})"
        );
        assert_eq!(run("(struct-has? {:a 1} :a)"), "#t");
        assert_eq!(run("(struct-has? {:a 1} :b)"), "#f");
        assert_eq!(run("(struct-length {:a 1 :b 2})"), "2");
        assert_eq!(run("(struct-keys {:a 1 :b 2})"), "(:a :b)");
        assert_eq!(run("(struct-values {:a 1 :b 2})"), "(1 2)");
        assert_eq!(run("(= (struct-put {:a 1} :b 2) {:a 1 :b 2})"), "#t");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn struct_errors() {
        fails(
            "(struct-get @{:a 1} :a)",
            "type-error",
            "struct-get: expected struct",
        );
        fails(
            "(struct-put @{} :a 1)",
            "type-error",
            "struct-put: expected struct",
        );
        fails(
            "(struct-put {} '(1) 1)",
            "type-error",
            "struct-put: invalid map key",
        );
        fails("(struct-del 1 :a)", "type-error", "struct-del");
        fails("(struct-has? [] :a)", "type-error", "struct-has?");
        fails("(struct-length @{})", "type-error", "struct-length");
        fails("(struct-keys @{})", "type-error", "struct-keys");
        fails("(struct-values @{})", "type-error", "struct-values");
        fails(
            "(struct :a 1 :b)",
            "arity-error",
            "struct: expected an even number",
        );
    }
}
