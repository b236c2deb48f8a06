//! Heap object kinds.

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use crate::bytecode::Proto;
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;

/// An immutable UTF-8 string. `ascii` lets character indexing be O(1) for
/// the common case.
#[derive(Debug)]
pub struct Str {
    pub text: Box<str>,
    pub ascii: bool,
}

impl Str {
    pub fn new(text: Box<str>) -> Str {
        let ascii = text.is_ascii();
        Str { text, ascii }
    }

    pub fn char_len(&self) -> usize {
        if self.ascii {
            self.text.len()
        } else {
            self.text.chars().count()
        }
    }
}

/// A map key: the hashable subset of values. Strings are keys by content.
///
/// `Hash` is written by hand (a tag byte, then the payload) so that borrowed
/// forms of a key (`primitives::collections::KeyRef`) can hash identically
/// and look entries up without allocating.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Key {
    Nil,
    Bool(bool),
    Int(i64),
    /// The float's bits, so that NaN and -0.0 are well-defined keys.
    Float(u64),
    Symbol(Sym),
    Keyword(Sym),
    Str(Rc<str>),
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match self {
            Key::Nil => h.write_u8(0),
            Key::Bool(b) => {
                h.write_u8(1);
                h.write_u8(*b as u8);
            }
            Key::Int(n) => {
                h.write_u8(2);
                h.write_i64(*n);
            }
            Key::Float(bits) => {
                h.write_u8(3);
                h.write_u64(*bits);
            }
            Key::Symbol(s) => {
                h.write_u8(4);
                h.write_u32(s.0);
            }
            Key::Keyword(s) => {
                h.write_u8(5);
                h.write_u32(s.0);
            }
            Key::Str(s) => {
                h.write_u8(6);
                h.write(s.as_bytes());
                h.write_u8(0xff);
            }
        }
    }
}

pub type Map = IndexMap<Key, Value, FxBuildHasher>;

pub fn new_map() -> Map {
    IndexMap::with_hasher(FxBuildHasher)
}

/// A function value made by `lambda`: its code and its captured variables
/// (values for captures never assigned, cells for assigned ones).
///
/// It always has exactly as many captured values as its prototype names
/// (the constructors check it): the interpreter reads them without bounds
/// checks (`vm::Frame`).
#[derive(Debug)]
pub struct Closure {
    proto: Rc<Proto>,
    captures: Box<[Value]>,
}

impl Closure {
    /// A closure of `proto` over `captures`, one per `proto.captures`.
    ///
    /// # Panics
    /// If the counts differ (a compiler bug: `Op::Closure` builds exactly
    /// that many).
    pub(crate) fn new(proto: Rc<Proto>, captures: Box<[Value]>) -> Closure {
        assert_eq!(
            captures.len(),
            proto.captures.len(),
            "a closure needs one value per captured variable"
        );
        Closure { proto, captures }
    }

    /// A closure of top-level code, which captures nothing.
    pub(crate) fn toplevel(proto: Rc<Proto>) -> crate::error::RtResult<Closure> {
        if !proto.captures.is_empty() {
            return Err(crate::error::RtError::new(
                "internal-error",
                "top-level code with captured variables",
            ));
        }
        Ok(Closure {
            proto,
            captures: Box::new([]),
        })
    }

    pub fn proto(&self) -> &Rc<Proto> {
        &self.proto
    }

    pub fn captures(&self) -> &[Value] {
        &self.captures
    }
}

/// A raised or raisable condition.
#[derive(Debug, Clone)]
pub struct Condition {
    pub ctype: Sym,
    /// A string object: raising with a message string from Elle shares it,
    /// and `condition-message` returns it without copying.
    pub message: Value,
    pub data: Value,
    /// Stack trace at the raise point, innermost first. Kept raw so that
    /// raising is cheap; formatted only when asked for. A short trace is
    /// stored in the condition itself, so raising allocates once.
    pub trace: Trace,
    /// The restarts that were available when it went unhandled.
    pub restarts: Vec<Sym>,
}

pub type Trace = smallvec::SmallVec<[TraceEntry; 4]>;

/// One line of a stack trace: the function's name (`<top>` for top-level
/// code, `<lambda>` for anonymous functions) and the position executing in it.
#[derive(Debug, Clone, Copy)]
pub struct TraceEntry {
    pub function: Sym,
    pub span: Span,
}

impl std::fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.function, self.span)
    }
}

#[derive(Debug)]
pub enum Obj {
    /// An empty slot; the payload links the free list.
    Free(u32),
    Pair(Value, Value),
    Str(Str),
    Vector(Vec<Value>),
    Table(Box<Map>),
    Struct(Box<Map>),
    Closure(Closure),
    /// A shared, assignable captured variable.
    Cell(Value),
    Condition(Box<Condition>),
}

impl Obj {
    /// Approximate bytes owned outside the object table, for the heap's
    /// accounting.
    pub fn extra_bytes(&self) -> usize {
        match self {
            Obj::Str(s) => s.text.len(),
            Obj::Vector(v) => v.capacity() * std::mem::size_of::<Value>(),
            Obj::Table(m) | Obj::Struct(m) => m.capacity() * 48,
            Obj::Closure(c) => c.captures.len() * std::mem::size_of::<Value>(),
            Obj::Condition(c) => 64 + c.trace.len() * 16,
            _ => 0,
        }
    }

    /// Calls `f` on every value this object refers to.
    pub fn for_each_child(&self, mut f: impl FnMut(Value)) {
        match self {
            Obj::Pair(a, b) => {
                f(*a);
                f(*b);
            }
            Obj::Vector(v) => v.iter().for_each(|x| f(*x)),
            Obj::Table(m) | Obj::Struct(m) => m.values().for_each(|x| f(*x)),
            Obj::Closure(c) => c.captures.iter().for_each(|x| f(*x)),
            Obj::Cell(v) => f(*v),
            Obj::Condition(c) => {
                f(c.message);
                f(c.data);
            }
            Obj::Free(_) | Obj::Str(_) => {}
        }
    }
}
