//! How much of the native (Rust) stack the current thread has left.
//!
//! Elle calls do not recurse in Rust: the interpreter keeps its own frames.
//! A few paths still do: a call from Rust into Elle (a `handler-bind`
//! function, a redefined inlined operator, a macro, a built-in that calls
//! back) runs a nested interpreter loop, and the compiler recurses over the
//! program's nesting. Each of those paths asks [`exhausted`] before it goes
//! one level deeper and raises `stack-overflow` when the thread is close to
//! the end of its stack, so a host thread of any size (a plain 2 MiB
//! `std::thread`, the CLI's 1 GiB one) ends such a recursion in a
//! condition rather than a crash. Frame counting (`--max-depth`) stays the
//! limit for ordinary Elle recursion, which costs no native stack.

/// Native stack kept free at every check: the deepest stretch of Rust code
/// between two checks (a dispatch loop and what it calls up to the next
/// nested call, a compiler step, raising and reporting the
/// `stack-overflow` itself) must fit in it.
pub const RED_ZONE: usize = 256 * 1024;

/// Whether the current thread has less than [`RED_ZONE`] of native stack
/// left. When the thread's stack bounds are unknown it answers `false`,
/// and the frame limit is the only bound.
#[inline]
pub fn exhausted() -> bool {
    stacker::remaining_stack().is_some_and(|left| left < RED_ZONE)
}

/// Native stack bytes the current thread has beyond [`RED_ZONE`], for
/// code that bounds its own recursion (compiled code, by a call budget):
/// `None` when the thread's stack bounds are unknown, so that only the
/// frame limit applies.
pub fn room() -> Option<usize> {
    stacker::remaining_stack().map(|left| left.saturating_sub(RED_ZONE))
}

/// The `stack-overflow` raised when [`exhausted`] stops a recursion:
/// `what` says what nested too deeply, `span` where, if known.
pub fn overflow(what: &str, span: Option<crate::span::Span>) -> crate::error::RtError {
    let message = format!("stack overflow: {what} nest too deeply for the native stack");
    match span {
        Some(span) => crate::error::RtError::at("stack-overflow", span, message),
        None => crate::error::RtError::new("stack-overflow", message),
    }
}
