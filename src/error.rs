//! [`Error`]: how a failure reaches the host.

use elle_vm::{ElleError, RtError};

/// An Elle condition that reached the host, or a conversion that failed:
/// the condition's type, message, data (in write form) and the Elle stack
/// trace where it was raised, innermost call first.
///
/// `Display` gives the report the `elle` command prints, with runs of
/// identical frames collapsed:
///
/// ```
/// let mut engine = elle::Engine::new();
/// let e = engine.eval::<i64>("(define (f x) (/ x 0))\n(f 1)").unwrap_err();
/// assert_eq!(e.condition_type(), "division-by-zero");
/// assert_eq!(e.message(), "division by zero");
/// assert_eq!(
///     e.to_string(),
///     "error[division-by-zero]: division by zero\n  at f (<eval>:1:15)\n  at <top> (<eval>:2:1)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    inner: Box<ElleError>,
}

impl Error {
    /// An error of condition type `ctype` with no data and no trace, for
    /// conversions of the host's own types (see [`FromElle`](crate::FromElle)).
    ///
    /// ```
    /// let e = elle::Error::new("type-error", "expected a colour");
    /// assert_eq!(e.to_string(), "error[type-error]: expected a colour");
    /// ```
    pub fn new(ctype: &str, message: impl Into<String>) -> Error {
        Error::from_vm(ElleError {
            ctype: ctype.to_string(),
            message: message.into(),
            data: None,
            trace: Box::default(),
            frames_left_out: 0,
            restarts: Box::default(),
            exit_code: None,
        })
    }

    pub(crate) fn from_vm(e: ElleError) -> Error {
        Error { inner: Box::new(e) }
    }

    /// The same error with `context: ` before its message (which argument
    /// of which function failed to convert).
    pub(crate) fn in_context(mut self, context: impl std::fmt::Display) -> Error {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    /// The error as a new condition raised from Rust code inside the VM.
    pub(crate) fn into_rt(self) -> RtError {
        RtError::new(&self.inner.ctype, self.inner.message)
    }

    /// The condition's type: `"type-error"`, `"user-error"`...
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(car 1)").unwrap_err();
    /// assert_eq!(e.condition_type(), "type-error");
    /// ```
    pub fn condition_type(&self) -> &str {
        &self.inner.ctype
    }

    /// The condition's message.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(error \"no luck\")").unwrap_err();
    /// assert_eq!(e.message(), "no luck");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The condition's data in write form, `None` when it had none (nil).
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(error \"bad\" '(1 \"two\"))").unwrap_err();
    /// assert_eq!(e.data(), Some("(1 \"two\")"));
    /// ```
    pub fn data(&self) -> Option<&str> {
        self.inner.data.as_deref()
    }

    /// The frames of the stack trace, as `name (file:line:col)`, innermost
    /// first. Of a deep stack only both ends are kept:
    /// [`Error::frames_left_out`] counts the frames between.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(define (f) (car 1))\n(f)").unwrap_err();
    /// assert_eq!(e.trace(), ["f (<eval>:1:13)", "<top> (<eval>:2:1)"]);
    /// ```
    pub fn trace(&self) -> &[String] {
        &self.inner.trace
    }

    /// How many frames were left out of the middle of the trace (0 for
    /// none).
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(define (f n) (+ 1 (f n)))\n(f 1)").unwrap_err();
    /// assert_eq!(e.condition_type(), "stack-overflow");
    /// assert_eq!(e.trace().len(), 40);
    /// assert!(e.frames_left_out() > 90_000);
    /// ```
    pub fn frames_left_out(&self) -> usize {
        self.inner.frames_left_out
    }

    /// The restarts that were available where the condition went
    /// unhandled, innermost first.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(restart-case (car 1) (use-value (v) v))").unwrap_err();
    /// assert_eq!(e.restarts(), ["use-value"]);
    /// ```
    pub fn restarts(&self) -> &[String] {
        &self.inner.restarts
    }

    /// The status the script asked for with `(exit n)`, in which case the
    /// condition type is `exit`.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval::<()>("(exit 3)").unwrap_err();
    /// assert_eq!(e.exit_code(), Some(3));
    /// ```
    pub fn exit_code(&self) -> Option<i32> {
        self.inner.exit_code
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::report::format_report(&self.inner))
    }
}

impl std::error::Error for Error {}
