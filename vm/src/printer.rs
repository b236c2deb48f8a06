//! Printing values in their write form (readable) and display form.
//!
//! The two differ only for a string at top level, which display writes raw.
//! A collection entered a second time while printing it (a cycle) prints as
//! `...`. Printing works from an explicit task stack, so any nesting depth
//! prints in full without touching the native stack.

use std::fmt::Write;

use crate::object::{Key, Map, Obj};
use rustc_hash::FxHashSet;

use crate::value::{ObjRef, Truth, Value};
use crate::vm::Vm;

pub fn write_string(vm: &Vm, v: Value) -> String {
    let mut p = Printer::new(vm);
    p.value(v, false);
    p.out
}

pub fn display_string(vm: &Vm, v: Value) -> String {
    let mut p = Printer::new(vm);
    p.value(v, true);
    p.out
}

/// Rust's `{:?}` for finite floats; Scheme-style names for the rest.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "+nan.0".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+inf.0" } else { "-inf.0" }.to_string()
    } else {
        format!("{f:?}")
    }
}

/// The write form of a string literal.
pub fn escape_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // C0, DEL and C1 controls; all are below 0x100, and the reader
            // reads `\xHH` back as the character U+00HH.
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A step of printing, kept on an explicit stack so that nesting depth
/// costs heap memory, not native stack.
enum Task {
    Value(Value),
    Text(&'static str),
    Key(Key),
    /// The end of a collection: it leaves the path of open collections.
    Leave(ObjRef),
}

struct Printer<'a> {
    vm: &'a Vm,
    out: String,
    /// Collections being printed (entered and not yet left).
    path: FxHashSet<ObjRef>,
    tasks: Vec<Task>,
}

impl<'a> Printer<'a> {
    fn new(vm: &'a Vm) -> Self {
        Printer {
            vm,
            out: String::new(),
            path: FxHashSet::default(),
            tasks: Vec::new(),
        }
    }

    /// Prints `v`; only a string at top level uses the display form.
    fn value(&mut self, v: Value, display: bool) {
        if display
            && let Value::Obj(r) = v
            && let Obj::Str(s) = self.vm.heap.get(r)
        {
            self.out.push_str(&s.text);
            return;
        }
        self.tasks.push(Task::Value(v));
        while let Some(task) = self.tasks.pop() {
            match task {
                Task::Value(v) => self.atom_or_enter(v),
                Task::Text(t) => self.out.push_str(t),
                Task::Key(k) => self.key(&k),
                Task::Leave(r) => {
                    self.path.remove(&r);
                }
            }
        }
    }

    fn atom_or_enter(&mut self, v: Value) {
        match v {
            Value::Nil => self.out.push_str("nil"),
            Value::Bool(Truth::True) => self.out.push_str("#t"),
            Value::Bool(Truth::False) => self.out.push_str("#f"),
            Value::Int(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Float(f) => self.out.push_str(&format_float(f)),
            Value::Symbol(s) => self.out.push_str(s.name()),
            Value::Keyword(s) => {
                self.out.push(':');
                self.out.push_str(s.name());
            }
            Value::Native(id) => {
                let name = self.vm.natives[id.0 as usize].name;
                let _ = write!(self.out, "#<function {name}>");
            }
            Value::Unbound => self.out.push_str("#<unbound>"),
            Value::Pointer(p) => {
                let _ = write!(self.out, "#<pointer {p:#x}>");
            }
            Value::Obj(r) => self.object(r),
        }
    }

    fn object(&mut self, r: ObjRef) {
        let vm = self.vm;
        match vm.heap.get(r) {
            Obj::Str(s) => escape_string(&s.text, &mut self.out),
            Obj::Closure(c) => match c.proto().name {
                Some(n) => {
                    let _ = write!(self.out, "#<function {n}>");
                }
                None => self.out.push_str("#<function>"),
            },
            Obj::Condition(c) => {
                let message = self.vm.condition_message(c);
                let _ = write!(self.out, "#<condition {}: {message}>", c.ctype);
            }
            Obj::Cell(_) => self.out.push_str("#<cell>"),
            Obj::Free(_) => self.out.push_str("#<freed>"),
            Obj::Foreign(o) => o.write(&mut self.out),
            Obj::Pair(..) | Obj::Vector(_) | Obj::Table(_) | Obj::Struct(_) => {
                // A collection entered a second time: a cycle.
                if !self.path.insert(r) {
                    self.out.push_str("...");
                    return;
                }
                self.tasks.push(Task::Leave(r));
                self.enter(r);
            }
        }
    }

    /// Writes a collection's opening and schedules its contents (tasks run
    /// in reverse order of pushing).
    fn enter(&mut self, r: ObjRef) {
        let vm = self.vm;
        match vm.heap.get(r) {
            Obj::Pair(..) => self.list(r),
            Obj::Vector(items) => {
                self.out.push('[');
                self.tasks.push(Task::Text("]"));
                self.sequence(items.iter().copied());
            }
            Obj::Table(m) => {
                self.out.push_str("@{");
                self.tasks.push(Task::Text("}"));
                self.map(m);
            }
            Obj::Struct(m) => {
                self.out.push('{');
                self.tasks.push(Task::Text("}"));
                self.map(m);
            }
            _ => {}
        }
    }

    /// Schedules values separated by spaces.
    fn sequence(&mut self, items: impl DoubleEndedIterator<Item = Value> + ExactSizeIterator) {
        let n = items.len();
        for (i, x) in items.rev().enumerate() {
            self.tasks.push(Task::Value(x));
            if i + 1 < n {
                self.tasks.push(Task::Text(" "));
            }
        }
    }

    fn map(&mut self, m: &Map) {
        for (i, (k, v)) in m.iter().rev().enumerate() {
            if i > 0 {
                self.tasks.push(Task::Text(" "));
            }
            self.tasks.push(Task::Value(*v));
            self.tasks.push(Task::Text(" "));
            self.tasks.push(Task::Key(k.clone()));
        }
    }

    fn key(&mut self, k: &Key) {
        let v = match k {
            Key::Str(s) => return escape_string(s, &mut self.out),
            Key::Nil => Value::Nil,
            Key::Bool(b) => Value::bool(*b),
            Key::Int(n) => Value::Int(*n),
            Key::Float(bits) => Value::Float(f64::from_bits(*bits)),
            Key::Symbol(s) => Value::Symbol(*s),
            Key::Keyword(s) => Value::Keyword(*s),
        };
        self.atom_or_enter(v);
    }

    /// A list: walks the cdr chain; a pair met again on the chain (a
    /// circular tail) or already being printed prints as `...`.
    fn list(&mut self, first: ObjRef) {
        let vm = self.vm;
        self.out.push('(');
        let mut items = Vec::new();
        let mut tail = None;
        let mut circular = false;
        let mut seen: FxHashSet<ObjRef> = FxHashSet::default();
        let mut cur = first;
        while let Obj::Pair(car, cdr) = vm.heap.get(cur) {
            items.push(*car);
            match *cdr {
                Value::Nil => break,
                Value::Obj(next) if matches!(vm.heap.get(next), Obj::Pair(..)) => {
                    if next == first || !seen.insert(next) || self.path.contains(&next) {
                        circular = true;
                        break;
                    }
                    cur = next;
                }
                t => {
                    tail = Some(t);
                    break;
                }
            }
        }
        self.tasks.push(Task::Text(")"));
        if circular {
            self.tasks.push(Task::Text(" ..."));
        }
        if let Some(t) = tail {
            self.tasks.push(Task::Value(t));
            self.tasks.push(Task::Text(" . "));
        }
        self.sequence(items.into_iter());
    }
}
