//! Heap object kinds.

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use crate::bytecode::Proto;
use crate::error::FramesLeftOut;
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

/// What an allocation of `n` bytes takes from the allocator: nothing for
/// none, else the size with the allocator's header, rounded up to its
/// granule (glibc's malloc: 8 bytes of header, 16-byte granules, 32 bytes
/// at least). Small objects are common enough (a short string, a
/// prototype's vectors) for the difference to matter to a memory limit.
#[inline]
pub fn malloc_bytes(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        n.saturating_add(8).next_multiple_of(16).max(32)
    }
}

/// Bytes counted for a slot of a [`Map`]: its entry (key, value and hash:
/// 48 bytes) and its share of the index (an 8-byte position and a control
/// byte a bucket, at most seven eighths full).
pub const MAP_SLOT_BYTES: usize = 60;

impl Key {
    /// Bytes the key holds outside the map: a string key's text (a copy).
    pub fn heap_bytes(&self) -> usize {
        match self {
            // An `Rc<str>`: two counts, then the text.
            Key::Str(s) => malloc_bytes(16 + s.len()),
            _ => 0,
        }
    }
}

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
    /// stored in the condition itself, so raising allocates once; a deep
    /// one keeps only both ends.
    pub trace: Trace,
    /// The restarts that were available when it went unhandled.
    pub restarts: Vec<Sym>,
}

/// Frames a trace keeps at its innermost end: where the error happened.
pub const TRACE_INNER: usize = 20;
/// Frames a trace keeps at its outermost end: how the program got there.
pub const TRACE_OUTER: usize = 20;

/// A stack trace, innermost frame first. Of a stack deeper than
/// `TRACE_INNER + TRACE_OUTER` frames it keeps the innermost `TRACE_INNER`
/// and the outermost `TRACE_OUTER` and counts the frames between, so that
/// recording one (at every raise) costs the same time and memory at any
/// depth: a condition raised and caught at every level of a deep recursion
/// would otherwise cost memory quadratic in the depth.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The innermost frames, then the outermost ones.
    frames: smallvec::SmallVec<[TraceEntry; 4]>,
    /// The frames left out, after the first `TRACE_INNER` of `frames`.
    left_out: usize,
}

/// One item of a trace as it is shown: a frame, or the frames left out.
#[derive(Debug, Clone, Copy)]
pub enum TraceLine<'a> {
    Frame(&'a TraceEntry),
    LeftOut(FramesLeftOut),
}

impl std::fmt::Display for TraceLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceLine::Frame(e) => e.fmt(f),
            TraceLine::LeftOut(n) => n.fmt(f),
        }
    }
}

impl Trace {
    /// The trace of `stack` (outermost first), each frame described by
    /// `entry`. Only the frames kept are described.
    pub fn of_stack<F>(stack: &[F], entry: impl Fn(&F) -> TraceEntry) -> Trace {
        let n = stack.len();
        if n <= TRACE_INNER + TRACE_OUTER {
            let frames = stack.iter().rev().map(entry).collect();
            return Trace {
                frames,
                left_out: 0,
            };
        }
        let inner = stack[n - TRACE_INNER..].iter().rev();
        let outer = stack[..TRACE_OUTER].iter().rev();
        // Exactly this capacity: collecting would round it up to a power
        // of two.
        let mut frames = smallvec::SmallVec::with_capacity(TRACE_INNER + TRACE_OUTER);
        frames.extend(inner.chain(outer).map(entry));
        Trace {
            frames,
            left_out: n - TRACE_INNER - TRACE_OUTER,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.left_out == 0
    }

    /// The frames kept, innermost first.
    pub fn frames(&self) -> &[TraceEntry] {
        &self.frames
    }

    /// How many frames were left out, after the innermost `TRACE_INNER`.
    pub fn frames_left_out(&self) -> usize {
        self.left_out
    }

    /// The lines to show: the frames, with the count of those left out in
    /// their place.
    pub fn lines(&self) -> impl Iterator<Item = TraceLine<'_>> {
        let at = if self.left_out > 0 {
            TRACE_INNER.min(self.frames.len())
        } else {
            self.frames.len()
        };
        let (inner, outer) = self.frames.split_at(at);
        let left_out = (self.left_out > 0).then_some(FramesLeftOut(self.left_out));
        inner
            .iter()
            .map(TraceLine::Frame)
            .chain(left_out.map(TraceLine::LeftOut))
            .chain(outer.iter().map(TraceLine::Frame))
    }

    /// Inserts a line `from_outer` frames from the outermost end of the
    /// stack the trace was taken of (for a frame that was not on the
    /// stack, such as the macro call being expanded). Of a deep stack the
    /// ends keep their sizes: the frame next to the middle is left out
    /// instead, or the line itself when it falls in the middle.
    pub fn insert_from_outer(&mut self, from_outer: usize, entry: TraceEntry) {
        let depth = self.frames.len() + self.left_out;
        let at = depth.saturating_sub(from_outer);
        if self.left_out == 0 {
            self.frames.insert(at, entry);
            return;
        }
        if at < TRACE_INNER {
            self.frames.insert(at, entry);
            self.frames.remove(TRACE_INNER);
        } else if at > TRACE_INNER + self.left_out {
            self.frames.insert(at - self.left_out, entry);
            self.frames.remove(TRACE_INNER);
        }
        self.left_out += 1;
    }

    /// Bytes held outside the condition.
    pub fn heap_bytes(&self) -> usize {
        if self.frames.spilled() {
            malloc_bytes(self.frames.capacity() * std::mem::size_of::<TraceEntry>())
        } else {
            0
        }
    }
}

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
    /// A host object (`foreign.rs`): a library handle, a foreign memory
    /// block. Dropped, and so released, when the collector frees the slot.
    Foreign(Box<dyn crate::foreign::ForeignObject>),
}

impl Obj {
    /// Approximate bytes owned outside the object table, for the heap's
    /// accounting: each payload's capacity (a map's entries and its index
    /// counted together, 48 bytes a slot), a condition's trace, a lone
    /// closure's code.
    #[inline]
    pub fn extra_bytes(&self) -> usize {
        match self {
            Obj::Pair(..) | Obj::Cell(_) | Obj::Free(_) => 0,
            Obj::Str(s) => malloc_bytes(s.text.len()),
            _ => self.payload_bytes(),
        }
    }

    /// [`Obj::extra_bytes`] of the larger kinds, out of line: allocating
    /// and sweeping pairs and strings, the common kinds, stay short.
    #[inline(never)]
    fn payload_bytes(&self) -> usize {
        match self {
            Obj::Vector(v) => malloc_bytes(v.capacity() * std::mem::size_of::<Value>()),
            Obj::Table(m) | Obj::Struct(m) => {
                malloc_bytes(std::mem::size_of::<Map>())
                    + m.capacity() * MAP_SLOT_BYTES
                    + m.keys().map(Key::heap_bytes).sum::<usize>()
            }
            Obj::Closure(c) => {
                // The code counts with the one closure that owns it alone
                // (the top-level code of `eval`, a function whose enclosing
                // code is gone): shared code belongs to its parent's count.
                let code = if Rc::strong_count(&c.proto) == 1 {
                    c.proto.bytes()
                } else {
                    0
                };
                malloc_bytes(c.captures.len() * std::mem::size_of::<Value>()) + code
            }
            Obj::Condition(c) => {
                malloc_bytes(std::mem::size_of::<Condition>()) + c.trace.heap_bytes()
            }
            Obj::Foreign(o) => o.extra_bytes(),
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
            Obj::Free(_) | Obj::Str(_) | Obj::Foreign(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    /// A frame on line `i`.
    fn entry(i: usize) -> TraceEntry {
        TraceEntry {
            function: Sym::intern("f"),
            span: Span::new(FileId::default(), i as u32, 1),
        }
    }

    /// The trace of a stack of `n` frames, frame `i` on line `i`.
    fn trace_of(n: usize) -> Trace {
        let stack: Vec<usize> = (0..n).collect();
        Trace::of_stack(&stack, |&i| entry(i))
    }

    /// Line numbers of the frames kept, innermost first.
    fn kept(t: &Trace) -> Vec<u32> {
        t.frames().iter().map(|e| e.span.line).collect()
    }

    #[test]
    fn a_shallow_stack_is_kept_whole() {
        let t = trace_of(TRACE_INNER + TRACE_OUTER);
        assert_eq!(t.frames_left_out(), 0);
        assert_eq!(kept(&t), (0..40).rev().collect::<Vec<u32>>());
        assert_eq!(t.lines().count(), 40);
        assert!(trace_of(0).is_empty());
    }

    #[test]
    fn a_deep_stack_keeps_both_ends_and_counts_the_rest() {
        let t = trace_of(100_000);
        assert_eq!(t.frames_left_out(), 100_000 - 40);
        let innermost: Vec<u32> = (100_000 - 20..100_000).rev().collect();
        let outermost: Vec<u32> = (0..20).rev().collect();
        assert_eq!(kept(&t), [innermost, outermost].concat());
        let shown: Vec<String> = t.lines().map(|l| l.to_string()).collect();
        assert_eq!(shown.len(), 41);
        assert_eq!(shown[19], "f (<unknown>:99980:1)");
        assert_eq!(shown[20], "... 99960 more frames ...");
        assert_eq!(shown[21], "f (<unknown>:19:1)");
        assert_eq!(
            t.heap_bytes(),
            malloc_bytes(40 * std::mem::size_of::<TraceEntry>())
        );
    }

    #[test]
    fn a_line_inserted_from_the_outer_end_lands_where_the_frame_would_be() {
        let mut t = trace_of(100);
        // Among the outermost frames, just inside the two outermost: the
        // one next to the middle is left out instead.
        t.insert_from_outer(2, entry(1_000));
        assert_eq!(&kept(&t)[20..22], [18, 17]);
        assert_eq!(&kept(&t)[36..], [2, 1_000, 1, 0]);
        assert_eq!(t.frames_left_out(), 61);
        // In the middle: counted only.
        t.insert_from_outer(50, entry(2_000));
        assert_eq!(t.frames_left_out(), 62);
        // Among the innermost frames.
        t.insert_from_outer(101, entry(3_000));
        assert_eq!(&kept(&t)[..4], [99, 3_000, 98, 97]);
        assert_eq!(kept(&t)[19], 81);
        assert_eq!(t.frames_left_out(), 63);
        assert_eq!(t.frames().len(), 40);
        // Without a gap, the same as inserting at that depth.
        let mut short = trace_of(3);
        short.insert_from_outer(1, entry(7));
        assert_eq!(kept(&short), [2, 1, 7, 0]);
        assert_eq!(short.frames_left_out(), 0);
    }
}
