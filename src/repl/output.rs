//! The REPL's program output: written straight to stdout (unbuffered by
//! the VM, so a long computation's prints appear as they happen), while
//! remembering whether the last byte ended a line.

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;

use elle_vm::Vm;

/// Shared with the writer installed in the VM.
#[derive(Clone)]
pub struct LineTracker {
    /// False when program output was written and did not end with `\n`.
    at_line_start: Rc<Cell<bool>>,
}

impl LineTracker {
    /// Replaces the VM's output with a tracking writer on stdout.
    pub fn install(vm: &mut Vm) -> LineTracker {
        vm.flush_output();
        let tracker = LineTracker {
            at_line_start: Rc::new(Cell::new(true)),
        };
        vm.set_output(Box::new(TrackingWriter {
            inner: io::stdout(),
            at_line_start: tracker.at_line_start.clone(),
        }));
        tracker
    }

    /// Ends a line the program left open (`(display "x")`), so that what is
    /// printed next starts on a line of its own.
    pub fn end_line(&self) {
        if !self.at_line_start.replace(true) {
            outln!();
        }
    }
}

struct TrackingWriter<W> {
    inner: W,
    at_line_start: Rc<Cell<bool>>,
}

impl<W: Write> Write for TrackingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(&last) = buf[..n].last() {
            self.at_line_start.set(last == b'\n');
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_the_last_byte() {
        let flag = Rc::new(Cell::new(true));
        let mut w = TrackingWriter {
            inner: Vec::new(),
            at_line_start: flag.clone(),
        };
        let _ = w.write_all(b"abc");
        assert!(!flag.get());
        let _ = w.write_all(b"def\n");
        assert!(flag.get());
        let _ = w.write_all(b"");
        assert!(flag.get(), "an empty write changes nothing");
        assert_eq!(w.inner, b"abcdef\n");
    }
}
