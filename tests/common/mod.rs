//! Helpers shared by the integration tests that run the `elle` binary.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished (or killed) process did. Two outcomes are equal when
/// the process did the same: the peak memory, which varies from run to
/// run, is left out.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// None when killed by a signal (or by the timeout).
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// The child's peak resident memory (its `ru_maxrss`), in bytes.
    // Read by the hostile suite only; every test crate has its own copy.
    #[allow(dead_code)]
    pub peak_rss: u64,
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        (self.status, &self.stdout, &self.stderr, self.timed_out)
            == (other.status, &other.stdout, &other.stderr, other.timed_out)
    }
}

impl Eq for Outcome {}

/// Runs `command` with stdin closed, collecting its output, and kills it
/// after `timeout`.
///
/// The child checks the IR of everything it compiles with Cranelift's
/// verifier (`ELLE_JIT_VERIFY`), so that a malformed function fails the
/// test rather than whatever runs it.
// The child is reaped with `libc::wait4`, which clippy does not know of.
#[allow(clippy::zombie_processes)]
pub fn run_with_timeout(command: &mut Command, timeout: Duration) -> Outcome {
    let mut child = command
        .env("ELLE_JIT_VERIFY", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let out_reader = reader(child.stdout.take());
    let err_reader = reader(child.stderr.take());
    let start = Instant::now();
    let mut timed_out = false;
    let pid = child.id() as libc::pid_t;
    // Reaped with `wait4` rather than `Child::try_wait`, for the child's
    // resource usage (its peak memory); `child` is not used afterwards.
    let (status, peak_rss) = loop {
        let mut st: libc::c_int = 0;
        // SAFETY: `rusage` is plain data, for which all zeroes is valid.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not reaped yet (only this loop
        // reaps it); `wait4` writes only to the two locals passed.
        let r = unsafe { libc::wait4(pid, &mut st, libc::WNOHANG, &mut usage) };
        if r == pid {
            let code = libc::WIFEXITED(st).then(|| libc::WEXITSTATUS(st));
            // Linux reports kilobytes.
            break (code, usage.ru_maxrss.max(0) as u64 * 1024);
        }
        assert!(
            r == 0,
            "waiting for the child: {}",
            std::io::Error::last_os_error()
        );
        if !timed_out && start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let text = |r: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&r.join().expect("output reader")).into_owned()
    };
    Outcome {
        status,
        stdout: text(out_reader),
        stderr: text(err_reader),
        timed_out,
        peak_rss,
    }
}

/// Reads a pipe to its end on a thread of its own, so that a child filling
/// one pipe never blocks on the other.
fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    })
}
