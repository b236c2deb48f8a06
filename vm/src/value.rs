//! The `Value` type: a 16-byte `Copy` word.
//!
//! Numbers, booleans, nil, symbols and keywords are immediate; everything
//! else is an index into the VM's [`Heap`](crate::heap::Heap). Copying a
//! value never touches a reference count.

use crate::symbol::Sym;

/// An index into the heap's object table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ObjRef(pub u32);

/// An index into the VM's table of built-in functions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NativeId(pub u32);

/// `repr(u64)` fixes the layout: a full-word tag, then the payload at
/// offset 8. Copies are two aligned word moves; with the default layout the
/// payloads sit at offsets 1, 4 and 8 and a copy becomes overlapping
/// unaligned moves that stall store forwarding (fib ran 20% slower). The
/// JIT also relies on this layout to read and write registers.
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Symbol(Sym),
    Keyword(Sym),
    /// A built-in function.
    Native(NativeId),
    /// A heap object (pair, string, vector, table, struct, closure, cell,
    /// condition).
    Obj(ObjRef),
    /// The content of a global slot that was never defined. Never visible to
    /// programs: reading it raises `unbound-variable`.
    Unbound,
}

impl Value {
    #[inline]
    pub fn is_truthy(self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    #[inline]
    pub fn is_nil(self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Identity, as `eq?` defines it: immediates compare by value, heap
    /// objects by reference.
    pub fn identical(self, other: Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) | (Value::Unbound, Value::Unbound) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::Symbol(a), Value::Symbol(b)) | (Value::Keyword(a), Value::Keyword(b)) => a == b,
            (Value::Native(a), Value::Native(b)) => a == b,
            (Value::Obj(a), Value::Obj(b)) => a == b,
            _ => false,
        }
    }

    pub fn sym(name: &str) -> Value {
        Value::Symbol(Sym::intern(name))
    }

    pub fn kw(name: &str) -> Value {
        Value::Keyword(Sym::intern(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn truthiness() {
        assert!(!Value::Nil.is_truthy());
        assert!(!Value::Bool(false).is_truthy());
        assert!(Value::Int(0).is_truthy());
        assert!(Value::Bool(true).is_truthy());
    }
}
