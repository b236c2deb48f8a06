//! Waiting for a child process with `wait4`, which also reports the
//! resources the child used: its peak resident set size is the memory
//! column of the tables. (`Child::wait` uses `waitpid`, which drops that.)
//!
//! Linux counts in a process's peak the memory it had before `exec`: a
//! child starts as a copy of (or sharing) the runner's address space, so a
//! program smaller than the runner reports the runner's peak. [`own_peak_kib`]
//! gives that floor, so the tables can say "at most" instead of a wrong
//! number.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ExitStatus};

/// Waits for `child` to end; returns its exit status and its peak resident
/// set size in KiB (Linux reports `ru_maxrss` in KiB).
pub fn wait(child: Child) -> io::Result<(ExitStatus, u64)> {
    let pid = libc::pid_t::try_from(child.id())
        .map_err(|_| io::Error::other("child process id out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (`Child` never
        // waited for it), and both out-pointers point to live locals of
        // the types wait4 expects.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let peak_kib = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    Ok((ExitStatus::from_raw(status), peak_kib))
}

/// This process's own peak resident set size in KiB: the least a child
/// can report (see the module's comment).
pub fn own_peak_kib() -> u64 {
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF is a valid target and `usage` a live local.
    let done = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if done != 0 {
        return 0;
    }
    u64::try_from(usage.ru_maxrss).unwrap_or(0)
}
