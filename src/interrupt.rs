//! [`InterruptHandle`]: stopping a running script from another thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Stops the script an [`Engine`](crate::Engine) is running, from any
/// thread (from [`Engine::interrupt_handle`](crate::Engine::interrupt_handle)).
///
/// [`InterruptHandle::interrupt`] makes the script stop at its next check
/// point (a loop iteration or a call; they come a few microseconds apart at
/// most) with the condition `interrupted`, which no handler in the script
/// can catch: its `finally` cleanups run, and the call into the engine
/// returns that error. The engine stays usable. An interrupt sent while no
/// script runs stops the next one at its first check point.
///
/// Machine code compiled by the JIT does not look at the handle: an
/// interrupt is seen when the compiled function returns to the interpreter
/// (compiled functions call no Elle code, so that is when their own loops
/// end).
///
/// ```
/// use std::time::Duration;
/// let mut engine = elle::Engine::builder().jit(elle::JitMode::Off).build();
/// let handle = engine.interrupt_handle();
/// let watchdog = std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(50));
///     handle.interrupt();
/// });
/// let e = engine.eval::<()>("(let loop () (loop))").unwrap_err();
/// assert_eq!((e.condition_type(), e.message()), ("interrupted", "interrupted"));
/// watchdog.join().unwrap();
/// assert_eq!(engine.eval::<i64>("(+ 1 2)")?, 3);
/// # Ok::<(), elle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    pub(crate) flag: Arc<AtomicBool>,
}

impl InterruptHandle {
    /// Asks the engine to stop its script at the next check point.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.interrupt_handle().interrupt();
    /// let e = engine.eval::<()>("(define (f) (f)) (f)").unwrap_err();
    /// assert_eq!(e.condition_type(), "interrupted");
    /// ```
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}
