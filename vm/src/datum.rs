//! Source data: what the reader produces and the compiler consumes.
//!
//! A `Datum` is a plain Rust tree (not a heap value) so that every node can
//! carry its source position. Macros see and return heap values; the
//! expander converts between the two (see `expander.rs`).

use std::rc::Rc;

use crate::span::Span;
use crate::symbol::Sym;

/// The deepest nesting of lists and vectors that the reader, the expander and
/// the compiler accept. Deeper input is a `read-error` / `syntax-error`, so no
/// recursive pass over a datum can overflow the native stack.
pub const MAX_NESTING: usize = 10_000;

#[derive(Clone, Debug)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum DatumKind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Symbol(Sym),
    Keyword(Sym),
    /// A list; `tail` is `Some` for a dotted list `(a b . c)`.
    List(Vec<Datum>, Option<Box<Datum>>),
    /// A `[...]` vector literal.
    Vector(Vec<Datum>),
}

impl Datum {
    pub fn new(kind: DatumKind, span: Span) -> Datum {
        Datum { kind, span }
    }

    pub fn sym(name: &str, span: Span) -> Datum {
        Datum::new(DatumKind::Symbol(Sym::intern(name)), span)
    }

    pub fn list(items: Vec<Datum>, span: Span) -> Datum {
        Datum::new(DatumKind::List(items, None), span)
    }

    pub fn as_symbol(&self) -> Option<Sym> {
        match self.kind {
            DatumKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a proper list (nil counts as the empty list).
    pub fn as_list(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items, None) => Some(items),
            DatumKind::Nil => Some(&[]),
            _ => None,
        }
    }

    /// The head symbol of a proper, non-empty list.
    pub fn head_symbol(&self) -> Option<Sym> {
        self.as_list()?.first()?.as_symbol()
    }

    /// Takes the kind out of the datum. (`Datum` implements `Drop`, so its
    /// fields cannot be moved out by a pattern.)
    pub fn into_kind(mut self) -> DatumKind {
        std::mem::replace(&mut self.kind, DatumKind::Nil)
    }

    /// A list or vector with at least one element or a tail.
    fn has_children(&self) -> bool {
        match &self.kind {
            DatumKind::List(items, tail) => !items.is_empty() || tail.is_some(),
            DatumKind::Vector(items) => !items.is_empty(),
            _ => false,
        }
    }
}

/// The derived drop glue recurses once per level, about 200 bytes of stack
/// per level in debug builds: a `MAX_NESTING`-deep datum needed just under
/// 2 MB, the whole stack of a test or spawned thread. Moving every child
/// that has children of its own onto a worklist keeps the recursion at most
/// two `drop` calls deep whatever the depth.
impl Drop for Datum {
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_branches(&mut self.kind, &mut work);
        while let Some(mut datum) = work.pop() {
            take_branches(&mut datum.kind, &mut work);
        }
    }
}

/// Moves the children of `kind` that have children into `work`; the others
/// stay and are dropped without recursion.
fn take_branches(kind: &mut DatumKind, work: &mut Vec<Datum>) {
    let items = match kind {
        DatumKind::List(items, tail) => {
            if let Some(tail) = tail.take_if(|t| t.has_children()) {
                work.push(*tail);
            }
            items
        }
        DatumKind::Vector(items) => items,
        _ => return,
    };
    if items.iter().any(Datum::has_children) {
        work.extend(items.drain(..).filter(Datum::has_children));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(text: &Rc<str>) -> Datum {
        Datum::new(DatumKind::Str(text.clone()), Span::default())
    }

    /// A chain `depth` levels deep, alternating lists, vectors and dotted
    /// tails, with `text` shared by every level.
    fn deep(depth: usize, text: &Rc<str>) -> Datum {
        let mut d = leaf(text);
        for i in 0..depth {
            let kind = match i % 3 {
                0 => DatumKind::List(vec![leaf(text), d], None),
                1 => DatumKind::Vector(vec![d, leaf(text)]),
                _ => DatumKind::List(vec![leaf(text)], Some(Box::new(d))),
            };
            d = Datum::new(kind, Span::default());
        }
        d
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds and drops a 1,000,000-deep datum: over 3 min under Miri"
    )]
    fn dropping_a_very_deep_datum_does_not_recurse() {
        let run = || {
            let text: Rc<str> = Rc::from("shared");
            let d = deep(1_000_000, &text);
            assert_eq!(Rc::strong_count(&text), 1_000_002);
            drop(d);
            // Everything was freed, not leaked.
            assert_eq!(Rc::strong_count(&text), 1);
        };
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("no stack overflow");
    }

    #[test]
    fn into_kind_moves_the_kind_out() {
        let text: Rc<str> = Rc::from("x");
        let d = Datum::list(vec![leaf(&text), deep(3, &text)], Span::default());
        let DatumKind::List(items, None) = d.into_kind() else {
            panic!("not a list")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(Rc::strong_count(&text), 6);
        drop(items);
        assert_eq!(Rc::strong_count(&text), 1);
    }
}
