//! Runtime errors as Rust values, before they become heap conditions.

use crate::span::Span;
use crate::symbol::{Sym, sym};
use crate::value::Value;

/// An error raised by a primitive or the interpreter. The VM turns it into a
/// condition object (with a stack trace) when it propagates into Lisp code.
#[derive(Debug, Clone)]
pub enum RtError {
    /// A new condition of type `ctype`.
    New {
        ctype: Sym,
        message: String,
        data: Value,
    },
    /// An existing condition object being raised (`throw`, re-raise).
    Raise(Value),
    /// `(exit n)`: stop the program with this status.
    Exit(i32),
    /// A transfer of control on its way to its target (a catch clause, a
    /// restart) or out of the program: every interpreter loop it crosses
    /// unwinds its frames, running `finally` cleanups, without signalling
    /// anything again (`conditions.rs`).
    Unwind(crate::conditions::UnwindTarget),
    /// A `finally` cleanup run while unwinding has ended; never leaves the
    /// interpreter loop that ran it.
    EndFinally,
}

pub type RtResult<T> = Result<T, RtError>;

impl RtError {
    pub fn new(ctype: &str, message: impl Into<String>) -> RtError {
        RtError::of(Sym::intern(ctype), message)
    }

    /// A new condition of a type given as a symbol (see `symbol::sym`).
    pub fn of(ctype: Sym, message: impl Into<String>) -> RtError {
        RtError::New {
            ctype,
            message: message.into(),
            data: Value::Nil,
        }
    }

    pub fn with_data(ctype: &str, message: impl Into<String>, data: Value) -> RtError {
        RtError::New {
            ctype: Sym::intern(ctype),
            message: message.into(),
            data,
        }
    }

    pub fn type_error(message: impl Into<String>) -> RtError {
        RtError::of(sym::TYPE_ERROR, message)
    }

    pub fn arity(message: impl Into<String>) -> RtError {
        RtError::of(sym::ARITY_ERROR, message)
    }

    /// `NAME: expected N arguments, got M`, where N reads `2`, `1 to 3` or
    /// `at least 1` (`max` is `None` for no upper bound).
    pub fn wrong_arg_count(
        who: impl std::fmt::Display,
        min: usize,
        max: Option<usize>,
        got: usize,
    ) -> RtError {
        let expected = match max {
            Some(m) if m == min => m.to_string(),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        let one = min == 1 && max.is_none_or(|m| m == 1);
        let s = if one { "" } else { "s" };
        RtError::arity(format!("{who}: expected {expected} argument{s}, got {got}"))
    }

    pub fn index(message: impl Into<String>) -> RtError {
        RtError::of(sym::INDEX_ERROR, message)
    }

    pub fn io(message: impl Into<String>) -> RtError {
        RtError::of(sym::IO_ERROR, message)
    }

    pub fn user(message: impl Into<String>) -> RtError {
        RtError::of(sym::USER_ERROR, message)
    }

    pub fn division_by_zero() -> RtError {
        RtError::of(sym::DIVISION_BY_ZERO, "division by zero")
    }

    pub fn overflow(op: &str) -> RtError {
        RtError::of(sym::OVERFLOW_ERROR, format!("integer overflow in {op}"))
    }

    /// A `read-error` or `syntax-error` positioned in the source.
    pub fn at(ctype: &str, span: Span, message: impl std::fmt::Display) -> RtError {
        RtError::new(ctype, format!("{span}: {message}"))
    }

    pub fn syntax(span: Span, message: impl std::fmt::Display) -> RtError {
        RtError::at("syntax-error", span, message)
    }
}

/// The number of frames left out of the middle of a deep stack's trace
/// (`object::Trace`); displayed, the line that stands for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramesLeftOut(pub usize);

impl std::fmt::Display for FramesLeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "... {} more frames ...", self.0)
    }
}

/// An error as the host sees it: the condition's type, message, data (in
/// write form) and the Elle stack trace, innermost call first.
#[derive(Debug, Clone, PartialEq)]
pub struct ElleError {
    pub ctype: String,
    pub message: String,
    pub data: Option<String>,
    /// The frames of the trace, as `name (file:line:col)`. Of a deep stack
    /// only both ends: the innermost `object::TRACE_INNER` frames, then the
    /// outermost.
    pub trace: Box<[String]>,
    /// How many frames between those ends were left out (0 for none).
    pub frames_left_out: usize,
    /// The restarts that were available where the condition went
    /// unhandled, innermost first.
    pub restarts: Box<[String]>,
    /// Set when the program called `(exit n)`.
    pub exit_code: Option<i32>,
}

impl std::fmt::Display for ElleError {
    /// The report format of the command line:
    /// `error[type]: message` then `  at name (file:line:col)` lines.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.ctype, self.message)?;
        let (inner, gap, outer) = self.trace_parts();
        for t in inner {
            write!(f, "\n  at {t}")?;
        }
        if let Some(gap) = gap {
            write!(f, "\n  {gap}")?;
        }
        for t in outer {
            write!(f, "\n  at {t}")?;
        }
        Ok(())
    }
}

impl ElleError {
    /// The trace split where frames were left out: the innermost frames,
    /// the count of those left out, the outermost frames (all of them,
    /// when none were).
    pub fn trace_parts(&self) -> (&[String], Option<FramesLeftOut>, &[String]) {
        if self.frames_left_out == 0 {
            return (&self.trace, None, &[]);
        }
        let at = crate::object::TRACE_INNER.min(self.trace.len());
        let (inner, outer) = self.trace.split_at(at);
        (inner, Some(FramesLeftOut(self.frames_left_out)), outer)
    }
}

impl std::error::Error for ElleError {}
