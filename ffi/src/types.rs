//! The C types of `ffi/fn` signatures: one table row per type keyword.
//!
//! Each row says how big the type is, which class of register carries it
//! (integer or float) and, for integers, the range an Elle integer must be
//! in. The call stubs (`stub.rs`) read only the class; another calling
//! convention needs another mapping of classes to registers (Cranelift's
//! `CallConv`), not new rows.

use elle_vm::symbol::Sym;

/// A C type an `ffi/fn` signature can name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CType {
    Void,
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    Float,
    Double,
    Pointer,
    String,
}

/// How a value of the type travels in a call.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Class {
    /// No value (`:void`, results only).
    Void,
    /// An integer register; `bits` wide, extended by the caller as the C
    /// ABI wants (sign-extended when `signed`).
    Int { bits: u8, signed: bool },
    /// A float register, single (32) or double (64) precision.
    Float { bits: u8 },
}

/// One row of the table.
pub struct TypeInfo {
    /// The keyword, without the colon.
    pub name: &'static str,
    pub ctype: CType,
    /// `sizeof`, in bytes (0 for void).
    pub size: usize,
    pub class: Class,
    /// For integer types: the smallest and largest value an Elle integer
    /// passed as this type may have.
    pub range: Option<(i128, i128)>,
}

const fn int(name: &'static str, ctype: CType, bits: u8, signed: bool) -> TypeInfo {
    let range = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    TypeInfo {
        name,
        ctype,
        size: bits as usize / 8,
        class: Class::Int { bits, signed },
        range: Some(range),
    }
}

const POINTER_BITS: u8 = usize::BITS as u8;

/// Every type keyword of LANGUAGE.md §8, aliases included (`:int` is
/// `:i32`, `:long` and `:size` are the pointer-sized integers of LP64).
pub static TYPES: &[TypeInfo] = &[
    TypeInfo {
        name: "void",
        ctype: CType::Void,
        size: 0,
        class: Class::Void,
        range: None,
    },
    TypeInfo {
        name: "bool",
        ctype: CType::Bool,
        size: 1,
        class: Class::Int {
            bits: 8,
            signed: false,
        },
        range: None,
    },
    int("i8", CType::I8, 8, true),
    int("u8", CType::U8, 8, false),
    int("i16", CType::I16, 16, true),
    int("u16", CType::U16, 16, false),
    int("i32", CType::I32, 32, true),
    int("u32", CType::U32, 32, false),
    int("i64", CType::I64, 64, true),
    int("u64", CType::U64, 64, false),
    int("int", CType::I32, 32, true),
    int("uint", CType::U32, 32, false),
    int("long", CType::I64, POINTER_BITS, true),
    int("ulong", CType::U64, POINTER_BITS, false),
    int("size", CType::U64, POINTER_BITS, false),
    TypeInfo {
        name: "float",
        ctype: CType::Float,
        size: 4,
        class: Class::Float { bits: 32 },
        range: None,
    },
    TypeInfo {
        name: "double",
        ctype: CType::Double,
        size: 8,
        class: Class::Float { bits: 64 },
        range: None,
    },
    TypeInfo {
        name: "pointer",
        ctype: CType::Pointer,
        size: POINTER_BITS as usize / 8,
        class: Class::Int {
            bits: POINTER_BITS,
            signed: false,
        },
        range: None,
    },
    TypeInfo {
        name: "string",
        ctype: CType::String,
        size: POINTER_BITS as usize / 8,
        class: Class::Int {
            bits: POINTER_BITS,
            signed: false,
        },
        range: None,
    },
];

/// The row of the type keyword `name` (without the colon).
pub fn lookup(name: Sym) -> Option<&'static TypeInfo> {
    lookup_name(name.name())
}

/// The row of the type named `name` (without the colon).
pub fn lookup_name(name: &str) -> Option<&'static TypeInfo> {
    TYPES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges_are_the_c_types() {
        let range = |n: &str| lookup(Sym::intern(n)).and_then(|t| t.range);
        assert_eq!(range("i8"), Some((-128, 127)));
        assert_eq!(range("u8"), Some((0, 255)));
        assert_eq!(range("int"), Some((i32::MIN as i128, i32::MAX as i128)));
        assert_eq!(range("u32"), Some((0, u32::MAX as i128)));
        assert_eq!(range("i64"), Some((i64::MIN as i128, i64::MAX as i128)));
        assert_eq!(range("size"), Some((0, u64::MAX as i128)));
        assert_eq!(range("double"), None);
        assert!(lookup(Sym::intern("nope")).is_none());
    }

    #[test]
    fn sizes_are_the_c_sizes() {
        let size = |n: &str| lookup(Sym::intern(n)).map(|t| t.size);
        assert_eq!(size("void"), Some(0));
        assert_eq!(size("bool"), Some(1));
        assert_eq!(size("i16"), Some(2));
        assert_eq!(size("float"), Some(4));
        assert_eq!(size("double"), Some(8));
        assert_eq!(size("pointer"), Some(std::mem::size_of::<*const u8>()));
        assert_eq!(size("long"), Some(std::mem::size_of::<std::ffi::c_long>()));
    }
}
