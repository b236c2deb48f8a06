//! Conditions: the type hierarchy, turning errors into condition objects,
//! and unwinding to a `try` handler.
//!
//! The handler stack (`Vm::handlers`) lives beside the frames. Raising walks
//! it from the top; a `try` whose types match takes the condition: the frames
//! above the handler's are dropped, the value stack is cut back to where it
//! was when the `try` began, and its catch code runs with the condition on
//! top of the stack. A `finally` is a handler that matches everything, runs
//! its cleanup and re-raises, so unwinding runs every `finally` in order.

use std::rc::Rc;

use crate::error::{ElleError, RtError};
use crate::object::{Condition, Obj};
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

/// Built-in condition types and their parents.
const BUILTIN_TYPES: &[(&str, &str)] = &[
    ("error", "condition"),
    ("warning", "condition"),
    ("style-warning", "warning"),
    ("type-error", "error"),
    ("arity-error", "error"),
    ("unbound-variable", "error"),
    ("division-by-zero", "error"),
    ("overflow-error", "error"),
    ("index-error", "error"),
    ("key-error", "error"),
    ("stack-overflow", "error"),
    ("read-error", "error"),
    ("syntax-error", "error"),
    ("io-error", "error"),
    ("ffi-error", "error"),
    ("user-error", "error"),
    // Host limits: not under `error`, so no `try` catches them.
    ("fuel-exhausted", "condition"),
    ("memory-limit", "condition"),
    ("interrupted", "condition"),
];

pub fn install_builtin_types(vm: &mut Vm) {
    for (name, parent) in BUILTIN_TYPES {
        vm.condition_parents
            .insert(Sym::intern(name), Sym::intern(parent));
    }
}

impl Vm {
    /// Whether `ctype` is `ancestor` or one of its subtypes.
    pub fn condition_type_is(&self, ctype: Sym, ancestor: Sym) -> bool {
        let mut t = ctype;
        loop {
            if t == ancestor {
                return true;
            }
            match self.condition_parents.get(&t) {
                Some(&p) => t = p,
                None => return false,
            }
        }
    }

    pub fn is_condition_type(&self, t: Sym) -> bool {
        t.name() == "condition" || self.condition_parents.contains_key(&t)
    }

    /// Makes a condition object.
    pub fn make_condition(&mut self, ctype: Sym, message: &str, data: Value) -> Value {
        self.heap.alloc(Obj::Condition(Box::new(Condition {
            ctype,
            message: Rc::from(message),
            data,
            trace: Vec::new(),
        })))
    }

    pub fn as_condition(&self, v: Value) -> Option<&Condition> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Condition(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }

    /// The condition object for an error, with the current stack trace
    /// recorded if it has none yet.
    pub fn condition_from_error(&mut self, e: RtError) -> Value {
        let cond = match e {
            RtError::New {
                ctype,
                message,
                data,
            } => self.make_condition(ctype, &message, data),
            RtError::Raise(v) if self.as_condition(v).is_some() => v,
            RtError::Raise(v) => {
                let ctype = Sym::intern("user-error");
                self.make_condition(ctype, "raised a non-condition", v)
            }
            RtError::Exit(code) => {
                let ctype = Sym::intern("error");
                self.make_condition(ctype, &format!("exit {code}"), Value::Int(code as i64))
            }
        };
        let trace_missing = self.as_condition(cond).is_some_and(|c| c.trace.is_empty());
        if trace_missing {
            let trace = self.trace();
            if let Value::Obj(r) = cond
                && let Obj::Condition(c) = self.heap.get_mut(r)
            {
                c.trace = trace;
            }
        }
        cond
    }

    /// Finds the innermost handler established at or above frame `entry`
    /// that takes `cond`, and transfers control to it. Returns false (and
    /// changes nothing) when there is none.
    pub(crate) fn unwind_to_handler(&mut self, cond: Value, entry: usize) -> bool {
        let ctype = match self.as_condition(cond) {
            Some(c) => c.ctype,
            None => return false,
        };
        let mut found = None;
        'search: for (i, h) in self.handlers.iter().enumerate().rev() {
            if h.frame < entry {
                break;
            }
            let info = &self.frames[h.frame].proto().handlers[h.info as usize];
            for clause in &info.clauses {
                let takes = clause.types.is_empty()
                    || clause
                        .types
                        .iter()
                        .any(|&t| self.condition_type_is(ctype, t));
                if takes {
                    found = Some((i, clause.target));
                    break 'search;
                }
            }
        }
        let Some((i, target)) = found else {
            return false;
        };
        self.handlers.truncate(i + 1);
        let Some(h) = self.handlers.pop() else {
            return false;
        };
        self.frames.truncate(h.frame + 1);
        let frame = &mut self.frames[h.frame];
        frame.pc = target as usize;
        let cond_reg = frame.proto().handlers[h.info as usize].cond_reg as usize;
        let slot = frame.base + cond_reg;
        self.stack[slot] = cond;
        true
    }

    /// Converts an error that reached the host into its Rust form.
    pub fn host_error(&mut self, e: RtError) -> ElleError {
        if let RtError::Exit(code) = e {
            return ElleError {
                ctype: "exit".into(),
                message: format!("exit {code}"),
                data: None,
                trace: Vec::new(),
                exit_code: Some(code),
            };
        }
        let cond = self.condition_from_error(e);
        let c = self.as_condition(cond).cloned();
        match c {
            Some(c) => {
                let data = match c.data {
                    Value::Nil => None,
                    d => Some(crate::printer::write_string(self, d)),
                };
                ElleError {
                    ctype: c.ctype.name().to_string(),
                    message: c.message.to_string(),
                    data,
                    trace: c.trace.iter().map(|t| t.to_string()).collect(),
                    exit_code: None,
                }
            }
            None => ElleError {
                ctype: "error".into(),
                message: "unknown error".into(),
                data: None,
                trace: Vec::new(),
                exit_code: None,
            },
        }
    }
}
