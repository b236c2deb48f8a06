//! Printing values in their write form (readable) and display form.
//!
//! The two differ only for a string at top level, which display writes raw.
//! A collection entered a second time while printing it (a cycle) prints as
//! `...`, and so does nesting deeper than [`MAX_PRINT_DEPTH`], so printing
//! never hangs or exhausts the native stack.

use std::fmt::Write;

use crate::object::{Key, Map, Obj};
use crate::value::{ObjRef, Value};
use crate::vm::Vm;

pub const MAX_PRINT_DEPTH: usize = 1000;

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
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Printer<'a> {
    vm: &'a Vm,
    out: String,
    /// Collections being printed, outermost first.
    path: Vec<ObjRef>,
}

impl<'a> Printer<'a> {
    fn new(vm: &'a Vm) -> Self {
        Printer {
            vm,
            out: String::new(),
            path: Vec::new(),
        }
    }

    fn value(&mut self, v: Value, display: bool) {
        match v {
            Value::Nil => self.out.push_str("nil"),
            Value::Bool(true) => self.out.push_str("#t"),
            Value::Bool(false) => self.out.push_str("#f"),
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
            Value::Obj(r) => self.object(r, display),
        }
    }

    fn object(&mut self, r: ObjRef, display: bool) {
        let vm = self.vm;
        match vm.heap.get(r) {
            Obj::Str(s) if display => self.out.push_str(&s.text),
            Obj::Str(s) => escape_string(&s.text, &mut self.out),
            Obj::Closure(c) => match c.proto.name {
                Some(n) => {
                    let _ = write!(self.out, "#<function {n}>");
                }
                None => self.out.push_str("#<function>"),
            },
            Obj::Condition(c) => {
                let _ = write!(self.out, "#<condition {}: {}>", c.ctype, c.message);
            }
            Obj::Cell(_) => self.out.push_str("#<cell>"),
            Obj::Free(_) => self.out.push_str("#<freed>"),
            Obj::Pair(..) | Obj::Vector(_) | Obj::Table(_) | Obj::Struct(_) => {
                if self.path.contains(&r) || self.path.len() >= MAX_PRINT_DEPTH {
                    self.out.push_str("...");
                    return;
                }
                self.path.push(r);
                self.collection(r);
                self.path.pop();
            }
        }
    }

    fn collection(&mut self, r: ObjRef) {
        let vm = self.vm;
        match vm.heap.get(r) {
            Obj::Pair(..) => self.list(r),
            Obj::Vector(items) => {
                self.out.push('[');
                self.sequence(items);
                self.out.push(']');
            }
            Obj::Table(m) => {
                self.out.push_str("@{");
                self.map(m);
                self.out.push('}');
            }
            Obj::Struct(m) => {
                self.out.push('{');
                self.map(m);
                self.out.push('}');
            }
            _ => {}
        }
    }

    fn sequence(&mut self, items: &[Value]) {
        for (i, &x) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.value(x, false);
        }
    }

    fn map(&mut self, m: &Map) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.key(k);
            self.out.push(' ');
            self.value(*v, false);
        }
    }

    fn key(&mut self, k: &Key) {
        match k {
            Key::Str(s) => escape_string(s, &mut self.out),
            Key::Nil => self.out.push_str("nil"),
            Key::Bool(b) => self.value(Value::Bool(*b), false),
            Key::Int(n) => self.value(Value::Int(*n), false),
            Key::Float(bits) => self.value(Value::Float(f64::from_bits(*bits)), false),
            Key::Symbol(s) => self.value(Value::Symbol(*s), false),
            Key::Keyword(s) => self.value(Value::Keyword(*s), false),
        }
    }

    /// A list, walking the cdr chain iteratively; a pair met again on the
    /// chain (a circular tail) prints as `...`.
    fn list(&mut self, first: ObjRef) {
        let vm = self.vm;
        self.out.push('(');
        let mut cur = first;
        let mut seen_tail: rustc_hash::FxHashSet<ObjRef> = Default::default();
        while let Obj::Pair(car, cdr) = vm.heap.get(cur) {
            self.value(*car, false);
            match *cdr {
                Value::Nil => break,
                Value::Obj(next) if matches!(vm.heap.get(next), Obj::Pair(..)) => {
                    if next == first || !seen_tail.insert(next) || self.path.contains(&next) {
                        self.out.push_str(" ...");
                        break;
                    }
                    self.out.push(' ');
                    cur = next;
                }
                tail => {
                    self.out.push_str(" . ");
                    self.value(tail, false);
                    break;
                }
            }
        }
        self.out.push(')');
    }
}
