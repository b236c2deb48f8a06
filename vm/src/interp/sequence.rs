//! Walking a sequence in a `for` loop: lists by their pairs, vectors and
//! strings by position (nothing is copied), tables and structs by a copy of
//! their keys (so the body may change the table).
//!
//! A vector is read as the loop goes, up to its length when the loop began:
//! the body sees changes to elements ahead of it, elements it pushes are not
//! visited (so pushing in the loop cannot make it endless), and a vector
//! that shrinks ends the loop early.

use crate::error::RtResult;
use crate::object::Obj;
use crate::primitives::expected;
use crate::value::{Value, copy_value};
use crate::vm::Vm;

impl Vm {
    /// `ForPrep`: checks the sequence in stack slot `s` and sets the
    /// position in `s + 1` (nil for a list, 0 for a vector or string) and a
    /// vector's end in `s + 2` (a list's whole self).
    pub(super) fn for_prep(&mut self, s: usize) -> RtResult<()> {
        let v = self.stack[s];
        let (position, end) = match v {
            Value::Nil => (Value::Nil, Value::Nil),
            Value::Obj(r) => match self.heap.get(r) {
                // A list keeps itself in the end slot, for the error if it
                // turns out to be dotted.
                Obj::Pair(..) => (Value::Nil, v),
                Obj::Str(_) => (Value::Int(0), Value::Nil),
                Obj::Vector(items) => (Value::Int(0), Value::Int(items.len() as i64)),
                Obj::Table(_) | Obj::Struct(_) => {
                    let keys = crate::equality::keys_of(self, r);
                    let end = Value::Int(keys.len() as i64);
                    self.stack[s] = self.heap.alloc(Obj::Vector(keys));
                    (Value::Int(0), end)
                }
                _ => return Err(expected(self, "for", "sequence", v)),
            },
            _ => return Err(expected(self, "for", "sequence", v)),
        };
        self.stack[s + 1] = position;
        self.stack[s + 2] = end;
        Ok(())
    }

    /// `ForNext`: puts the next item of the sequence walked in slots `s`
    /// and `s + 1` into slot `dst`, advancing past it; `false` at the end
    /// (check it with [`Vm::for_end`]). A vector that shrank ends early.
    ///
    /// The item goes straight to its slot, word by word, rather than back
    /// through an `Option<Value>`: returned in memory, that option was
    /// written whole and re-read in halves, which stalls.
    #[inline(always)]
    pub(super) fn for_next(&mut self, s: usize, dst: usize) -> bool {
        let Value::Obj(r) = self.stack[s] else {
            return false;
        };
        match self.heap.get(r) {
            Obj::Pair(car, cdr) => {
                let (car, cdr) = (car as *const Value, *cdr);
                // SAFETY: `car` points into the heap's object table; `dst` is
                // a register of the running frame (`Proto::verify` checks
                // registers against `nregs`, and the stack holds the whole
                // window), so it is inside the value stack, a different
                // allocation. Nothing changes the heap before the copy.
                unsafe { copy_value(car, self.stack.as_mut_ptr().add(dst)) };
                self.stack[s] = cdr;
                true
            }
            Obj::Vector(items) => {
                // A list's tail that is a vector has no position.
                let (Value::Int(i), Value::Int(end)) = (self.stack[s + 1], self.stack[s + 2])
                else {
                    return false;
                };
                if i >= end {
                    return false;
                }
                let Some(&item) = usize::try_from(i).ok().and_then(|i| items.get(i)) else {
                    return false;
                };
                self.stack[s + 1] = Value::Int(i + 1);
                self.stack[dst] = item;
                true
            }
            Obj::Str(_) => match self.next_char(s) {
                Some(item) => {
                    self.stack[dst] = item;
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// At the end of a `for` loop's walk: a list must end in nil.
    #[cold]
    pub(super) fn for_end(&self, s: usize) -> RtResult<()> {
        let (tail, position) = (self.stack[s], self.stack[s + 1]);
        if position.is_nil() && !tail.is_nil() {
            return Err(expected(self, "for", "proper list", self.stack[s + 2]));
        }
        Ok(())
    }

    /// The next character of the string in slot `s` as a one-character
    /// string; the position is a byte offset.
    #[cold]
    fn next_char(&mut self, s: usize) -> Option<Value> {
        let (Value::Obj(r), Value::Int(at)) = (self.stack[s], self.stack[s + 1]) else {
            return None;
        };
        let Obj::Str(text) = self.heap.get(r) else {
            return None;
        };
        let at = usize::try_from(at).ok()?;
        let c = text.text.get(at..)?.chars().next()?;
        self.stack[s + 1] = Value::Int((at + c.len_utf8()) as i64);
        Some(self.heap.alloc_string(c.to_string()))
    }
}
