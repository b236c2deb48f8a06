//! Interned symbols and keywords.
//!
//! Symbol names live in one process-wide table so that a `Sym` is a plain
//! `u32` that compares by identity, can be copied into any value, and means
//! the same thing in every engine (the reader of one engine and the printer
//! of another agree). Names are never freed: the set of distinct symbol names
//! a program uses is small, and `gensym` names are numbered, not random.

use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

/// An interned name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Sym(pub u32);

#[derive(Default)]
struct Interner {
    names: Vec<&'static str>,
    ids: FxHashMap<&'static str, u32>,
    gensym_counter: u64,
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| Mutex::new(Interner::default()))
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
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let id = t.names.len() as u32;
        t.names.push(leaked);
        t.ids.insert(leaked, id);
        Sym(id)
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
    fn gensyms_are_fresh() {
        let a = Sym::gensym();
        let b = Sym::gensym();
        assert_ne!(a, b);
        assert!(a.name().starts_with("G__"));
    }
}
