//! Limits set by the host: fuel, a deadline, an interrupt flag and a
//! memory limit (LANGUAGE.md §6: their conditions reach the host whatever
//! the script's handlers say).
//!
//! # Check points
//!
//! The interpreter counts *check points*: loop back-edges (`Op::JumpBack`)
//! and calls (`Op::Call`, `Op::TailCall`). Any computation that runs for
//! long passes through them, since straight-line bytecode is finite. At
//! each one it decrements `Limits::countdown` and, only when that
//! reaches zero, calls the cold `Vm::limit_check`; so whatever limits are
//! set, the hot path is one decrement and one well-predicted branch.
//!
//! The slow path charges fuel, looks at the interrupt flag and the clock,
//! and sets the countdown again: to the fuel left, at most
//! [`CHECK_INTERVAL`] check points, so that an interrupt or a deadline is
//! seen within that many (well under a millisecond of interpretation).
//! Fuel is prepaid that way in chunks: the fuel left is the reserve plus
//! the part of the chunk not used yet.
//!
//! # Memory
//!
//! The memory limit is the heap's (`heap.rs`, "Memory accounting"): it is
//! found exceeded where the heap is collected, at the safe points that
//! follow the check points, and by [`Vm::reserve`] before a built-in makes
//! something large. Either way the heap is collected first, and only what
//! is still over the limit after that raises `memory-limit`, which then
//! unwinds like the other limits.
//!
//! # After a limit
//!
//! When a limit stops the script, its condition unwinds to the host; the
//! `finally` cleanups on the way still run, with [`CLEANUP_ALLOWANCE`]
//! check points between them all. Past that allowance every check point
//! raises the same condition again, so a cleanup that loops or recurses
//! cannot keep the script alive; and any condition a cleanup raises is
//! replaced by the limit's, so that no handler in the script can catch
//! its way past the limit. The next call from the host starts
//! afresh (`Limits::begin_host_call`); fuel that ran out stays out
//! until the host adds some.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::error::{RtError, RtResult};
use crate::symbol::{Sym, sym};
use crate::vm::Vm;

/// Check points between two looks at the clock and the interrupt flag.
/// A check point is a loop iteration or a call, a few dozen nanoseconds of
/// interpretation at most, so this keeps an interrupt's latency far below
/// a millisecond while the slow path stays rare.
pub const CHECK_INTERVAL: u32 = 1000;

/// Check points the `finally` cleanups may use, all together, once a limit
/// has stopped the script.
pub const CLEANUP_ALLOWANCE: u32 = 10_000;

/// Which limit stopped the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Fuel,
    Deadline,
    Interrupt,
    Memory,
}

impl Limit {
    /// The condition it raises (type and message).
    fn error(self) -> RtError {
        match self {
            Limit::Fuel => RtError::of(sym::FUEL_EXHAUSTED, "fuel exhausted"),
            Limit::Deadline => RtError::of(sym::INTERRUPTED, "deadline passed"),
            Limit::Interrupt => RtError::of(sym::INTERRUPTED, "interrupted"),
            Limit::Memory => RtError::of(sym::MEMORY_LIMIT, "memory limit exceeded"),
        }
    }
}

/// Whether conditions of type `ctype` escape every handler: the limits'
/// conditions, which always reach the host.
pub fn is_uncatchable(ctype: Sym) -> bool {
    ctype == sym::FUEL_EXHAUSTED || ctype == sym::INTERRUPTED || ctype == sym::MEMORY_LIMIT
}

/// The limits of one VM and the countdown to their next check.
pub struct Limits {
    /// Check points left before the slow path runs, counting the one that
    /// runs it: never zero outside the slow path.
    pub(crate) countdown: u32,
    /// Fuel not prepaid into `countdown`; `None` when fuel is unlimited.
    fuel: Option<u64>,
    deadline: Option<Instant>,
    interrupt: Arc<AtomicBool>,
    /// The limit whose condition is unwinding, while cleanups run.
    tripped: Option<Limit>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            countdown: CHECK_INTERVAL,
            fuel: None,
            deadline: None,
            interrupt: Arc::new(AtomicBool::new(false)),
            tripped: None,
        }
    }
}

impl Limits {
    /// Something can stop a running script: fuel or a deadline is set, or
    /// someone holds the interrupt flag ([`Limits::interrupt_flag`]: the
    /// REPL's Ctrl-C, an embedder's `InterruptHandle`). Compiled code
    /// counts check points only then.
    pub fn bounded(&self) -> bool {
        self.fuel.is_some() || self.deadline.is_some() || Arc::strong_count(&self.interrupt) > 1
    }

    /// The check points left, or `None` when fuel is unlimited.
    pub fn fuel(&self) -> Option<u64> {
        let prepaid = match self.tripped {
            // The allowance for cleanups is not fuel.
            Some(_) => 0,
            None => u64::from(self.countdown - 1),
        };
        self.fuel.map(|f| f + prepaid)
    }

    /// Sets the fuel (`None`: unlimited). The next check point charges it.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.fuel = fuel;
        if self.tripped.is_none() {
            self.countdown = 1;
        }
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The flag that, once set, stops the running script at its next check
    /// point with `interrupted` (and is cleared then). Setting it while no
    /// script runs stops the next one at its first check point.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// `e`, or the condition of the limit whose unwinding is under way.
    pub(crate) fn while_tripped(&self, e: RtError) -> RtError {
        match self.tripped {
            Some(limit) => limit.error(),
            None => e,
        }
    }

    /// Called when the host calls into the VM with no Elle code running:
    /// the cleanups of an earlier limit are over, and the prepaid fuel goes
    /// back to the reserve so that the next check point looks at
    /// everything afresh.
    pub(crate) fn begin_host_call(&mut self) {
        if self.tripped.take().is_none()
            && let Some(f) = self.fuel.as_mut()
        {
            *f += u64::from(self.countdown - 1);
        }
        self.countdown = 1;
    }

    /// Stops the script with `limit`, found exceeded outside a check point
    /// (the memory limit): its cleanups get their allowance, and the fuel
    /// prepaid into the countdown goes back to the reserve.
    fn trip(&mut self, limit: Limit) -> RtError {
        if self.tripped.is_none() {
            if let Some(f) = self.fuel.as_mut() {
                *f += u64::from(self.countdown - 1);
            }
            self.tripped = Some(limit);
            self.countdown = CLEANUP_ALLOWANCE;
        }
        limit.error()
    }

    /// The slow path of a check point (the countdown has reached zero).
    fn check(&mut self) -> Result<(), Limit> {
        if let Some(limit) = self.tripped {
            // The cleanups have used their allowance.
            self.countdown = 1;
            return Err(limit);
        }
        match self.exceeded() {
            Some(limit) => {
                self.tripped = Some(limit);
                self.countdown = CLEANUP_ALLOWANCE;
                Err(limit)
            }
            None => Ok(()),
        }
    }

    /// The limit this check point exceeds, if any; otherwise charges it and
    /// prepays the next chunk of fuel.
    fn exceeded(&mut self) -> Option<Limit> {
        if self.interrupt.load(Ordering::Relaxed) {
            self.interrupt.store(false, Ordering::Relaxed);
            return Some(Limit::Interrupt);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(Limit::Deadline);
        }
        let chunk = match self.fuel.as_mut() {
            None => CHECK_INTERVAL,
            Some(0) => return Some(Limit::Fuel),
            Some(f) => {
                // This check point, then a chunk.
                *f -= 1;
                let chunk = (*f).min(u64::from(CHECK_INTERVAL));
                *f -= chunk;
                chunk as u32
            }
        };
        self.countdown = chunk + 1;
        None
    }
}

impl Vm {
    /// The host's limits on this VM.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn limits_mut(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// Waits for `d` (`sleep`), waking every few milliseconds to look at
    /// the interrupt flag and the deadline: either ends the wait with its
    /// condition, as a check point would.
    pub(crate) fn sleep(&mut self, d: std::time::Duration) -> RtResult<()> {
        const SLICE: std::time::Duration = std::time::Duration::from_millis(20);
        let end = Instant::now().checked_add(d);
        loop {
            let now = Instant::now();
            if self.limits.interrupt.load(Ordering::Relaxed)
                || self.limits.deadline.is_some_and(|dl| now >= dl)
            {
                return self.limit_check();
            }
            let left = match end {
                Some(end) if now >= end => return Ok(()),
                Some(end) => end - now,
                None => SLICE,
            };
            std::thread::sleep(left.min(SLICE));
        }
    }

    /// The memory limit in bytes, if one is set.
    pub fn memory_limit(&self) -> Option<usize> {
        self.heap.memory_limit()
    }

    /// Caps the bytes the heap and the value stack may hold (`None`: no
    /// cap). Past it, once a collection has freed what it can, the script
    /// stops with `memory-limit`.
    pub fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.heap.set_memory_limit(limit);
    }

    /// Counts against the memory limit the names interned since the last
    /// look (by any VM of the process: the table is shared and never
    /// shrinks): a built-in that may make new symbols calls it, and so does
    /// every collection at a safe point.
    pub(crate) fn note_symbols(&mut self) {
        let now = crate::symbol::Sym::interned_bytes();
        let grown = now.saturating_sub(self.symbols_seen);
        if grown > 0 {
            self.symbols_seen = now;
            self.heap.note_outside(grown as isize);
        }
    }

    /// Collects at a safe point of the interpreter, where the heap asked
    /// for it ([`crate::heap::Heap::should_collect`]); `memory-limit` if
    /// what is left still exceeds the memory limit.
    #[cold]
    #[inline(never)]
    pub(crate) fn collect_at_safe_point(&mut self) -> RtResult<()> {
        self.note_symbols();
        self.note_output();
        self.collect_garbage();
        if self.heap.over_limit() {
            return Err(self.memory_exceeded());
        }
        Ok(())
    }

    /// Stops the script with `memory-limit`; its cleanups may hold
    /// [`crate::heap::CLEANUP_MEMORY`] bytes more until the host calls in
    /// again.
    fn memory_exceeded(&mut self) -> RtError {
        self.heap.allow_cleanups(true);
        self.limits.trip(Limit::Memory)
    }

    /// Called when the host calls into the VM with no Elle code running
    /// (see [`Limits::begin_host_call`]).
    pub(crate) fn begin_host_call(&mut self) {
        self.limits.begin_host_call();
        self.heap.allow_cleanups(false);
    }

    /// Makes sure that `bytes` more fit under the memory limit, before a
    /// built-in makes something that large (a vector, a string, a file's
    /// contents): collects if they do not fit, and raises `memory-limit` if
    /// they still do not. With no limit set this is one comparison.
    ///
    /// It may collect, so it must be called while every value the caller
    /// holds is rooted: a built-in calls it first, when all it holds are
    /// its arguments (on the value stack).
    #[inline]
    pub fn reserve(&mut self, bytes: usize) -> RtResult<()> {
        if self.heap.fits(bytes) {
            Ok(())
        } else {
            self.reserve_slow(bytes)
        }
    }

    #[cold]
    #[inline(never)]
    fn reserve_slow(&mut self, bytes: usize) -> RtResult<()> {
        self.collect_garbage();
        if self.heap.fits(bytes) {
            Ok(())
        } else {
            Err(self.memory_exceeded())
        }
    }

    /// The slow path of a check point: the countdown reached zero.
    #[cold]
    #[inline(never)]
    pub(crate) fn limit_check(&mut self) -> RtResult<()> {
        self.limits.check().map_err(Limit::error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passes `n` check points the way the interpreter does; the number
    /// passed before a limit stopped them, and that limit.
    fn run(limits: &mut Limits, n: u64) -> (u64, Option<Limit>) {
        for i in 0..n {
            limits.countdown -= 1;
            if limits.countdown == 0
                && let Err(l) = limits.check()
            {
                return (i, Some(l));
            }
        }
        (n, None)
    }

    #[test]
    fn fuel_allows_exactly_that_many_check_points() {
        let mut limits = Limits::default();
        limits.set_fuel(Some(2500));
        assert_eq!(run(&mut limits, 1000), (1000, None));
        assert_eq!(limits.fuel(), Some(1500));
        assert_eq!(run(&mut limits, 10_000), (1500, Some(Limit::Fuel)));
        assert_eq!(limits.fuel(), Some(0));
    }

    #[test]
    fn fuel_returns_to_the_reserve_between_host_calls() {
        let mut limits = Limits::default();
        limits.set_fuel(Some(5000));
        run(&mut limits, 10);
        limits.begin_host_call();
        assert_eq!(limits.fuel(), Some(4990));
        assert_eq!(run(&mut limits, 4990), (4990, None));
        assert_eq!(run(&mut limits, 1), (0, Some(Limit::Fuel)));
    }

    #[test]
    fn cleanups_get_an_allowance_then_the_limit_again() {
        let mut limits = Limits::default();
        limits.set_fuel(Some(0));
        assert_eq!(run(&mut limits, 1), (0, Some(Limit::Fuel)));
        let allowed = u64::from(CLEANUP_ALLOWANCE) - 1;
        assert_eq!(run(&mut limits, allowed), (allowed, None));
        assert_eq!(run(&mut limits, 1), (0, Some(Limit::Fuel)));
        assert_eq!(run(&mut limits, 1), (0, Some(Limit::Fuel)));
        limits.begin_host_call();
        limits.set_fuel(Some(3));
        assert_eq!(run(&mut limits, 10), (3, Some(Limit::Fuel)));
    }

    #[test]
    fn an_interrupt_is_seen_within_the_check_interval_and_only_once() {
        let mut limits = Limits::default();
        run(&mut limits, 17);
        limits.interrupt_flag().store(true, Ordering::Relaxed);
        let (passed, limit) = run(&mut limits, 10_000);
        assert_eq!(limit, Some(Limit::Interrupt));
        assert!(passed < u64::from(CHECK_INTERVAL), "{passed}");
        limits.begin_host_call();
        assert_eq!(run(&mut limits, 10_000), (10_000, None));
    }

    #[test]
    fn a_passed_deadline_stops_at_the_next_look_at_the_clock() {
        let mut limits = Limits::default();
        limits.set_deadline(Some(Instant::now()));
        assert!(limits.bounded());
        let (passed, limit) = run(&mut limits, 10_000);
        assert_eq!(limit, Some(Limit::Deadline));
        assert!(passed < u64::from(CHECK_INTERVAL), "{passed}");
        limits.set_deadline(None);
        limits.begin_host_call();
        assert!(!limits.bounded());
        assert_eq!(run(&mut limits, 10_000), (10_000, None));
    }
}
