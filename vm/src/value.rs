//! The `Value` type: a 16-byte `Copy` word.
//!
//! Numbers, booleans, nil, symbols and keywords are immediate; everything
//! else is an index into the VM's [`Heap`](crate::heap::Heap). Copying a
//! value never touches a reference count.
//!
//! # Layout
//!
//! The JIT reads and writes values in registers and on the value stack as
//! two words, so the layout is fixed here and pinned by the tests below:
//!
//! | tag (word 0, [`Value::tag`]) | variant | payload word (offset 8) |
//! |---|---|---|
//! | 0 [`TAG_NIL`] | `Nil` | undefined |
//! | 1 [`TAG_BOOL`] | `Bool` | the whole word: 0 false, 1 true ([`Truth`]) |
//! | 2 [`TAG_INT`] | `Int` | the whole word: the `i64` |
//! | 3 [`TAG_FLOAT`] | `Float` | the whole word: the `f64`'s bits |
//! | 4 [`TAG_SYMBOL`] | `Symbol` | low 4 bytes: the symbol's `u32`; high 4 undefined |
//! | 5 [`TAG_KEYWORD`] | `Keyword` | low 4 bytes: the symbol's `u32`; high 4 undefined |
//! | 6 [`TAG_NATIVE`] | `Native` | low 4 bytes: the native's index; high 4 undefined |
//! | 7 [`TAG_OBJ`] | `Obj` | low 4 bytes: the heap index; high 4 undefined |
//! | 8 [`TAG_UNBOUND`] | `Unbound` | undefined |
//! | 9 [`TAG_POINTER`] | `Pointer` | the whole word: the address |
//!
//! "Undefined" bytes are padding: they may hold anything, and code may copy
//! them (as [`copy_value`] does) but never read them as an integer.

use crate::symbol::Sym;

/// An index into the heap's object table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ObjRef(pub u32);

/// An index into the VM's table of built-in functions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NativeId(pub u32);

/// The payload of [`Value::Bool`]: a whole word holding 0 or 1.
///
/// With a `bool` payload only the byte at offset 8 is defined and the other
/// seven are padding, so compiled code could not load or compare the
/// payload as a word. A `repr(u64)` enum defines all eight bytes, and
/// storing it is one word store, as cheap as the byte store it replaces.
/// Build one with [`Value::bool`] (or `Value::from(b)`), read one back with
/// [`Value::as_bool`] or [`Truth::get`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u64)]
pub enum Truth {
    False = 0,
    True = 1,
}

impl Truth {
    /// Compiles to a zero-extension of `b`: no branch.
    #[inline(always)]
    pub const fn new(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    #[inline(always)]
    pub const fn get(self) -> bool {
        matches!(self, Truth::True)
    }
}

impl From<bool> for Truth {
    #[inline(always)]
    fn from(b: bool) -> Truth {
        Truth::new(b)
    }
}

impl From<Truth> for bool {
    #[inline(always)]
    fn from(t: Truth) -> bool {
        t.get()
    }
}

/// `repr(u64)` fixes the layout (see the module documentation): a full-word
/// tag, the variant's explicit discriminant, then the payload at offset 8.
/// Copies are two aligned word moves; with the default layout the payloads
/// sit at offsets 1, 4 and 8 and a copy becomes overlapping unaligned moves
/// that stall store forwarding (fib ran 20% slower). The discriminants are
/// the single definition of the tags: the `TAG_*` constants are read from
/// them, so renumbering a variant moves its constant with it.
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub enum Value {
    Nil = 0,
    Bool(Truth) = 1,
    Int(i64) = 2,
    Float(f64) = 3,
    Symbol(Sym) = 4,
    Keyword(Sym) = 5,
    /// A built-in function.
    Native(NativeId) = 6,
    /// A heap object (pair, string, vector, table, struct, closure, cell,
    /// condition).
    Obj(ObjRef) = 7,
    /// The content of a global slot that was never defined. Never visible to
    /// programs: reading it raises `unbound-variable`.
    Unbound = 8,
    /// A raw foreign address (`:pointer`, from the FFI). Compared and
    /// hashed by address; nothing in the VM dereferences it.
    Pointer(u64) = 9,
}

/// Tag words, one per variant, for code that reads values as words.
pub const TAG_NIL: u64 = Value::Nil.tag();
pub const TAG_BOOL: u64 = Value::FALSE.tag();
pub const TAG_INT: u64 = Value::Int(0).tag();
pub const TAG_FLOAT: u64 = Value::Float(0.0).tag();
pub const TAG_SYMBOL: u64 = Value::Symbol(Sym(0)).tag();
pub const TAG_KEYWORD: u64 = Value::Keyword(Sym(0)).tag();
pub const TAG_NATIVE: u64 = Value::Native(NativeId(0)).tag();
pub const TAG_OBJ: u64 = Value::Obj(ObjRef(0)).tag();
pub const TAG_UNBOUND: u64 = Value::Unbound.tag();
pub const TAG_POINTER: u64 = Value::Pointer(0).tag();

/// Where the payload word starts, in bytes.
pub const PAYLOAD_OFFSET: usize = 8;

// Compiled code depends on these; a change must fail the build, not the JIT.
const _: () = {
    assert!(std::mem::size_of::<Value>() == 16);
    assert!(std::mem::align_of::<Value>() == 8);
    assert!(std::mem::size_of::<Truth>() == 8);
};

impl Value {
    pub const TRUE: Value = Value::Bool(Truth::True);
    pub const FALSE: Value = Value::Bool(Truth::False);

    /// The boolean value `b`.
    #[inline(always)]
    pub const fn bool(b: bool) -> Value {
        Value::Bool(Truth::new(b))
    }

    /// `Some(b)` for the boolean `b`, `None` for any other kind of value.
    #[inline]
    pub const fn as_bool(self) -> Option<bool> {
        match self {
            Value::Bool(t) => Some(t.get()),
            _ => None,
        }
    }

    /// The tag word: the variant's discriminant.
    #[inline(always)]
    pub const fn tag(&self) -> u64 {
        // SAFETY: for a `repr(u64)` enum with fields, the Reference
        // ("Primitive representation of enums with fields", RFC 2195)
        // guarantees that every variant starts with its discriminant as a
        // `u64`, so the first word of any value is initialised and the
        // pointer, taken from a reference to an 8-aligned `Value`, is valid
        // and aligned for reading a `u64`.
        unsafe { *(self as *const Value).cast::<u64>() }
    }

    #[inline]
    pub fn is_truthy(self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(Truth::False))
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
            (Value::Pointer(a), Value::Pointer(b)) => a == b,
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

impl From<bool> for Value {
    #[inline(always)]
    fn from(b: bool) -> Value {
        Value::bool(b)
    }
}

/// Copies the value at `src` to `dst` as two separate word moves.
///
/// A value just computed by the interpreter is stored as two word stores
/// (tag, then payload); reading it back with one 16-byte load, which is
/// what a plain copy of the enum compiles to, defeats store-to-load
/// forwarding and stalls the pipeline. Copying word by word avoids that.
/// The words are moved as `MaybeUninit`, so undefined payload bytes (the
/// high half after a symbol or an index, the whole payload of nil) are
/// copied as the bytes they are, never read as an integer; the moves are volatile only so that the compiler cannot
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
    use std::hint::black_box;

    /// The tag word of the value in `slot`.
    fn tag_word(slot: &Value) -> u64 {
        // SAFETY: `slot` is a reference to a valid, 8-aligned `Value`, whose
        // first word is its `u64` discriminant (`repr(u64)`).
        unsafe { (slot as *const Value).cast::<u64>().read() }
    }

    /// The payload word of the value in `slot`. Only for variants whose
    /// whole payload word is defined (bool, int, float, pointer).
    fn payload_word(slot: &Value) -> u64 {
        assert!(matches!(
            slot,
            Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Pointer(_)
        ));
        // SAFETY: `slot` is a valid, 8-aligned 16-byte `Value`, so its
        // second word is in bounds and aligned, and the assertion above
        // limits this to the variants whose payload fills that word
        // (`Truth` and `i64`/`f64` are 8 bytes at offset 8): no padding
        // byte is read.
        unsafe {
            (slot as *const Value)
                .cast::<u64>()
                .add(PAYLOAD_OFFSET / 8)
                .read()
        }
    }

    /// Builds a value with `make` straight into a slot whose every byte
    /// was 0xff, so that a constructor that left any byte of the payload
    /// word unwritten (as a `bool` payload did) shows in that word; under
    /// Miri such a byte is uninitialised and reading it fails the test.
    fn built_over_ones(make: impl FnOnce() -> Value) -> Value {
        let mut slot = Value::Int(-1);
        let r = black_box(&mut slot);
        *r = make();
        slot
    }

    #[test]
    fn value_is_two_aligned_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::align_of::<Value>(), 8);
        assert_eq!(PAYLOAD_OFFSET, 8);
    }

    #[test]
    fn tags_are_the_documented_numbers() {
        let tags = [
            TAG_NIL,
            TAG_BOOL,
            TAG_INT,
            TAG_FLOAT,
            TAG_SYMBOL,
            TAG_KEYWORD,
            TAG_NATIVE,
            TAG_OBJ,
            TAG_UNBOUND,
            TAG_POINTER,
        ];
        assert_eq!(tags, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn tag_word_of_every_variant_is_its_constant() {
        let cases = [
            (Value::Nil, TAG_NIL),
            (Value::TRUE, TAG_BOOL),
            (Value::FALSE, TAG_BOOL),
            (Value::Int(-1), TAG_INT),
            (Value::Float(f64::NAN), TAG_FLOAT),
            (Value::Symbol(Sym::intern("tagged")), TAG_SYMBOL),
            (Value::Keyword(Sym::intern("tagged")), TAG_KEYWORD),
            (Value::Native(NativeId(3)), TAG_NATIVE),
            (Value::Obj(ObjRef(u32::MAX)), TAG_OBJ),
            (Value::Unbound, TAG_UNBOUND),
            (Value::Pointer(u64::MAX), TAG_POINTER),
        ];
        for (v, tag) in cases {
            // Built at run time and stored over other bytes, so the word
            // read is what the compiled store wrote, not a constant.
            let slot = built_over_ones(|| v);
            assert_eq!(tag_word(&slot), tag, "{v:?}");
            assert_eq!(slot.tag(), tag, "{v:?}");
        }
    }

    #[test]
    fn int_and_float_payload_words_read_back_exactly() {
        for n in [0, 1, -1, i64::MIN, i64::MAX, 0x0123_4567_89ab_cdef] {
            let slot = built_over_ones(|| Value::Int(black_box(n)));
            assert_eq!(payload_word(&slot), n as u64);
        }
        let nan_with_payload = f64::from_bits(0x7ff8_dead_beef_0001);
        for f in [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::MIN_POSITIVE,
            nan_with_payload,
        ] {
            let slot = built_over_ones(|| Value::Float(black_box(f)));
            assert_eq!(payload_word(&slot), f.to_bits());
        }
        for p in [0, 1, u64::MAX, 0x7f00_dead_beef] {
            let slot = built_over_ones(|| Value::Pointer(black_box(p)));
            assert_eq!(payload_word(&slot), p);
        }
    }

    #[test]
    fn bool_payload_is_a_whole_word_from_every_constructor() {
        let constructors: [fn(bool) -> Value; 7] = [
            Value::bool,
            Value::from,
            |b| Value::Bool(Truth::new(b)),
            |b| Value::Bool(Truth::from(b)),
            |b| Value::Bool(b.into()),
            |b| if b { Value::TRUE } else { Value::FALSE },
            |b| Value::Bool(if b { Truth::True } else { Truth::False }),
        ];
        for (i, make) in constructors.into_iter().enumerate() {
            for b in [false, true] {
                let slot = built_over_ones(|| make(black_box(b)));
                assert_eq!(tag_word(&slot), TAG_BOOL, "constructor {i}");
                assert_eq!(payload_word(&slot), b as u64, "constructor {i}, {b}");
                assert_eq!(slot.as_bool(), Some(b));
            }
        }
    }

    #[test]
    fn bool_payload_is_a_whole_word_from_the_interpreter() {
        // Each way a program makes a boolean: a literal (`LoadBool`), an
        // inlined comparison and its general path, an inlined predicate, a
        // built-in function, and a bool read back from a data structure.
        let programs = [
            ("#t", true),
            ("#f", false),
            ("(< 1 2)", true),
            ("(let ((x 2.5)) (< x 1))", false),
            ("(< 1 2 3)", true),
            ("(null? '())", true),
            ("(not 1)", false),
            ("(even? 4)", true),
            ("(string? 1)", false),
            ("(vector-ref (vector #f #t) 1)", true),
        ];
        let mut vm = crate::vm::Vm::new();
        for (src, expected) in programs {
            let v = vm.eval_source(src, "bool-payload").unwrap();
            let slot = built_over_ones(|| v);
            assert_eq!(tag_word(&slot), TAG_BOOL, "{src}");
            assert_eq!(payload_word(&slot), expected as u64, "{src}");
        }
    }

    #[test]
    fn truth_round_trips() {
        for b in [false, true] {
            assert_eq!(Truth::new(b).get(), b);
            assert_eq!(bool::from(Truth::from(b)), b);
            assert_eq!(Value::bool(b).as_bool(), Some(b));
        }
        assert_eq!(Value::Int(1).as_bool(), None);
        assert_eq!(Value::Nil.as_bool(), None);
    }

    #[test]
    fn copy_value_copies_every_kind_exactly() {
        let values = [
            Value::Nil,
            Value::TRUE,
            Value::FALSE,
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Float(-0.0),
            Value::Float(f64::NAN),
            Value::Symbol(Sym::intern("copied")),
            Value::Keyword(Sym::intern("copied")),
            Value::Native(NativeId(7)),
            Value::Obj(ObjRef(u32::MAX)),
            Value::Unbound,
            Value::Pointer(0x7f00_0000_1234),
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
            if let Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Pointer(_) = v {
                assert_eq!(payload_word(&slots[1]), payload_word(&slots[0]));
            }
        }
    }

    #[test]
    fn truthiness() {
        assert!(!Value::Nil.is_truthy());
        assert!(!Value::FALSE.is_truthy());
        assert!(Value::Int(0).is_truthy());
        assert!(Value::TRUE.is_truthy());
    }
}
