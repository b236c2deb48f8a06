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
}
