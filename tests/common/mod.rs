//! Helpers shared by the integration tests that run the `elle` binary.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished (or killed) process did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// None when killed by a signal (or by the timeout).
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// Runs `command` with stdin closed, collecting its output, and kills it
/// after `timeout`.
///
/// The child checks the IR of everything it compiles with Cranelift's
/// verifier (`ELLE_JIT_VERIFY`), so that a malformed function fails the
/// test rather than whatever runs it.
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
    let status = loop {
        match child.try_wait().expect("waiting for the child") {
            Some(st) => break st,
            None if start.elapsed() > timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("waiting for the killed child");
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let text = |r: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&r.join().expect("output reader")).into_owned()
    };
    Outcome {
        status: status.code(),
        stdout: text(out_reader),
        stderr: text(err_reader),
        timed_out,
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
