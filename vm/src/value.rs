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

/// Copies the value at `src` to `dst` as two separate word moves.
///
/// A value just computed by the interpreter is stored as two word stores
/// (tag, then payload); reading it back with one 16-byte load, which is
/// what a plain copy of the enum compiles to, defeats store-to-load
/// forwarding and stalls the pipeline. Copying word by word avoids that.
/// The words are moved as `MaybeUninit`, so the padding after a short
/// payload (a `bool`, a symbol) is copied as the bytes it is, never read as
/// an integer; the moves are volatile only so that the compiler cannot
/// merge them back into one 16-byte move.
///
/// # Safety
/// `src` must point to a valid value and `dst` to memory valid for writing
/// one.
#[inline(always)]
pub unsafe fn copy_value(src: *const Value, dst: *mut Value) {
    use std::mem::MaybeUninit;
    let (s, d) = (src as *const MaybeUninit<u64>, dst as *mut MaybeUninit<u64>);
    // SAFETY: the caller's guarantees, split into the value's two aligned
    // words (`Value` is 16 bytes with 8-byte alignment).
    unsafe {
        let tag = s.read_volatile();
        let payload = s.add(1).read_volatile();
        d.write_volatile(tag);
        d.add(1).write_volatile(payload);
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
    fn copy_value_copies_every_kind_exactly() {
        use crate::symbol::Sym;
        let values = [
            Value::Nil,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Float(-0.0),
            Value::Float(f64::NAN),
            Value::Symbol(Sym::intern("copied")),
            Value::Keyword(Sym::intern("copied")),
            Value::Native(NativeId(7)),
            Value::Obj(ObjRef(u32::MAX)),
            Value::Unbound,
        ];
        for v in values {
            let mut slots = [Value::Int(0xdead), Value::Int(0xbeef)];
            slots[0] = v;
            let p = slots.as_mut_ptr();
            // SAFETY: two distinct, valid slots of one array.
            unsafe { copy_value(p, p.add(1)) };
            let copied = slots[1];
            // `identical` compares floats by their bits, NaN included.
            assert!(copied.identical(v), "{v:?} copied as {copied:?}");
        }
    }

    #[test]
    fn truthiness() {
        assert!(!Value::Nil.is_truthy());
        assert!(!Value::Bool(false).is_truthy());
        assert!(Value::Int(0).is_truthy());
        assert!(Value::Bool(true).is_truthy());
    }
}
