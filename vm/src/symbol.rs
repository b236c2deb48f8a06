//! Interned symbols and keywords.
//!
//! Symbol names live in one process-wide table so that a `Sym` is a plain
//! `u32` that compares by identity, can be copied into any value, and means
//! the same thing in every engine (the reader of one engine and the printer
//! of another agree). Names are never freed: the set of distinct symbol names
//! a program uses is small, and `gensym` names are numbered, not random.
//! A program that makes names without end (`gensym` or `string->symbol` in
//! a loop) grows the table for good: [`Sym::interned_bytes`] lets a VM with
//! a memory limit count that growth (`Vm::note_symbols`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

/// An interned name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Sym(pub u32);

/// Bytes the interner holds, all names together (see [`Sym::interned_bytes`]).
static INTERNED_BYTES: AtomicUsize = AtomicUsize::new(0);

#[derive(Default)]
struct Interner {
    names: Vec<&'static str>,
    ids: FxHashMap<&'static str, u32>,
    gensym_counter: u64,
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        let mut t = Interner::default();
        for name in PREDEFINED_NAMES {
            t.insert(name);
        }
        Mutex::new(t)
    })
}

impl Interner {
    fn insert(&mut self, name: &str) -> u32 {
        // The name, its place in `names` (16 bytes) and its entry in `ids`
        // (24 bytes and a control byte, at most seven eighths full), those
        // two twice: each doubles by copying into a new table while the
        // old one is still held.
        let bytes = crate::object::malloc_bytes(name.len()) + 2 * (16 + 32);
        INTERNED_BYTES.fetch_add(bytes, Ordering::Relaxed);
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let id = self.names.len() as u32;
        self.names.push(leaked);
        self.ids.insert(leaked, id);
        id
    }
}

/// Declares the symbols interned first, in order, so that the runtime can
/// name them by constant (`sym::USER_ERROR`) instead of looking them up.
macro_rules! predefined_symbols {
    ($($konst:ident => $name:literal,)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(u32)]
        enum Predefined {
            $($konst,)*
        }

        /// Symbols the runtime names often, by constant.
        pub mod sym {
            use super::{Predefined, Sym};
            $(pub const $konst: Sym = Sym(Predefined::$konst as u32);)*
        }

        const PREDEFINED_NAMES: &[&str] = &[$($name,)*];
    };
}

predefined_symbols! {
    CONDITION => "condition",
    ERROR => "error",
    WARNING => "warning",
    STYLE_WARNING => "style-warning",
    TYPE_ERROR => "type-error",
    ARITY_ERROR => "arity-error",
    UNBOUND_VARIABLE => "unbound-variable",
    DIVISION_BY_ZERO => "division-by-zero",
    OVERFLOW_ERROR => "overflow-error",
    INDEX_ERROR => "index-error",
    KEY_ERROR => "key-error",
    STACK_OVERFLOW => "stack-overflow",
    READ_ERROR => "read-error",
    SYNTAX_ERROR => "syntax-error",
    IO_ERROR => "io-error",
    FFI_ERROR => "ffi-error",
    USER_ERROR => "user-error",
    FUEL_EXHAUSTED => "fuel-exhausted",
    MEMORY_LIMIT => "memory-limit",
    INTERRUPTED => "interrupted",
}

fn lock() -> std::sync::MutexGuard<'static, Interner> {
    // A poisoned lock only means another thread panicked while interning;
    // the table itself is always consistent (push then insert).
    interner().lock().unwrap_or_else(|e| e.into_inner())
}

impl Sym {
    /// Interns `name` and returns its symbol.
    pub fn intern(name: &str) -> Sym {
        let mut t = lock();
        if let Some(&id) = t.ids.get(name) {
            return Sym(id);
        }
        Sym(t.insert(name))
    }

    /// Approximately how many bytes the process-wide table of names holds:
    /// it only grows.
    pub fn interned_bytes() -> usize {
        INTERNED_BYTES.load(Ordering::Relaxed)
    }

    /// The symbol's name.
    pub fn name(self) -> &'static str {
        lock().names[self.0 as usize]
    }

    /// A fresh symbol named `G__N` that no earlier symbol shares.
    pub fn gensym() -> Sym {
        Sym::gensym_with("G")
    }

    /// A fresh symbol named `PREFIX__N` that no earlier symbol shares.
    pub fn gensym_with(prefix: &str) -> Sym {
        loop {
            let name = {
                let mut t = lock();
                t.gensym_counter += 1;
                format!("{prefix}__{}", t.gensym_counter)
            };
            let exists = lock().ids.contains_key(name.as_str());
            if !exists {
                return Sym::intern(&name);
            }
        }
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_identity() {
        assert_eq!(Sym::intern("foo"), Sym::intern("foo"));
        assert_ne!(Sym::intern("foo"), Sym::intern("bar"));
        assert_eq!(Sym::intern("foo").name(), "foo");
    }

    #[test]
    fn predefined_symbols_are_the_interned_names() {
        assert_eq!(Sym::intern("user-error"), sym::USER_ERROR);
        assert_eq!(sym::DIVISION_BY_ZERO.name(), "division-by-zero");
        assert_eq!(Sym::intern("interrupted"), sym::INTERRUPTED);
    }

    #[test]
    fn gensyms_are_fresh() {
        let a = Sym::gensym();
        let b = Sym::gensym();
        assert_ne!(a, b);
        assert!(a.name().starts_with("G__"));
    }
}
