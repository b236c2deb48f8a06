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

/// The peak resident set size of this process's address space in KiB
/// (`VmHWM` in `/proc/self/status`): the least a child can report (see the
/// module's comment), or 0 if it cannot be read.
///
/// Not `getrusage(RUSAGE_SELF)`: that also counts the address space this
/// process itself replaced at its `exec`, i.e. cargo's (about 50 MiB).
pub fn own_peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status").map_or(0, |status| vm_hwm_kib(&status))
}

/// The `VmHWM:` line of a `/proc/PID/status` text, in KiB.
pub fn vm_hwm_kib(status: &str) -> u64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap_or(0)
}
