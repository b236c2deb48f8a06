//! Timing: whole-process wall time of each run, implementations interleaved
//! round-robin, every run's output checked.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use crate::implementations::{Invocation, Prepared};
use crate::progress::Progress;
use crate::rusage;

/// How one implementation did on one program.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The timed runs (the warm-up is not among them).
    Measured(Samples),
    /// The implementation has no version of this program.
    Absent,
    /// Something went wrong (wrong output, failure, timeout...): not timed.
    Broken(String),
}

/// What the timed runs of one implementation on one program measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Whole-process wall times, in seconds.
    pub times: Vec<f64>,
    /// The largest resident set size of any run, in KiB (`ru_maxrss`).
    pub peak_kib: u64,
    /// The runner's own peak when it started those runs: a smaller program
    /// reports this instead of its own size (see rusage.rs).
    pub floor_kib: u64,
}

impl Cell {
    pub fn samples(&self) -> Option<&Samples> {
        match self {
            Cell::Measured(samples) if !samples.times.is_empty() => Some(samples),
            _ => None,
        }
    }

    /// The median of the timed runs, if the cell was measured.
    pub fn median(&self) -> Option<f64> {
        median(&self.samples()?.times)
    }

    pub fn min(&self) -> Option<f64> {
        self.samples()?.times.iter().copied().reduce(f64::min)
    }

    pub fn max(&self) -> Option<f64> {
        self.samples()?.times.iter().copied().reduce(f64::max)
    }

    /// Peak memory in MiB, and whether it is only an upper bound (the
    /// program stayed below the floor of what can be measured).
    pub fn peak_mib(&self) -> Option<(f64, bool)> {
        let samples = self.samples()?;
        let at_most = samples.peak_kib <= samples.floor_kib;
        Some((samples.peak_kib as f64 / 1024.0, at_most))
    }
}

/// The middle value (mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// What one run produced.
#[derive(Debug)]
enum Outcome {
    /// The right output: its wall time and peak resident set size in KiB.
    Correct(Duration, u64),
    /// The run does not count: the table's word for it (`WRONG`, `FAILED`,
    /// `TIMEOUT`) and the details.
    Bad(&'static str, String),
}

/// Settings shared by every run.
pub struct Settings<'a> {
    pub runs: usize,
    pub timeout: Duration,
    /// A folder for the runs' stdout and stderr.
    pub scratch: &'a Path,
    pub progress: &'a Progress,
}

/// Measures one program on every implementation: one warm-up round, then
/// `runs` timed rounds; each round runs every implementation still in the
/// race once, starting with a different one each round. A run with the wrong
/// output (or a failure, or a timeout) takes its implementation out of the
/// race and is reported on stderr, labelled with `program` and `names`.
pub fn measure(
    prepared: &[Prepared],
    program: &str,
    names: &[String],
    expected: &str,
    settings: &Settings,
) -> Vec<Cell> {
    let progress = settings.progress;
    let mut cells: Vec<Cell> = prepared
        .iter()
        .zip(names)
        .map(|(p, name)| initial_cell(p, program, name, progress))
        .collect();
    for cell in &cells {
        if !matches!(cell, Cell::Measured(_)) {
            progress.skip(settings.runs + 1);
        }
    }
    for round in 0..=settings.runs {
        let racing: Vec<usize> = (0..cells.len())
            .filter(|&i| matches!(cells[i], Cell::Measured(_)))
            .collect();
        for k in 0..racing.len() {
            let i = racing[(k + round) % racing.len()];
            let Prepared::Ready(invocation) = &prepared[i] else {
                continue;
            };
            progress.running(program, &names[i], round, settings.runs);
            match run_once(invocation, expected, settings) {
                Outcome::Correct(time, kib) if round > 0 => record(&mut cells[i], time, kib),
                Outcome::Correct(..) => {}
                Outcome::Bad(word, detail) => {
                    progress.say(&format!(
                        "*** {program}: {}: {detail}\n    command: {}",
                        names[i],
                        describe(invocation)
                    ));
                    cells[i] = Cell::Broken(word.to_string());
                    progress.skip(settings.runs - round);
                }
            }
        }
    }
    cells
}

fn initial_cell(prepared: &Prepared, program: &str, name: &str, progress: &Progress) -> Cell {
    match prepared {
        Prepared::Ready(_) => Cell::Measured(Samples::default()),
        Prepared::Absent => Cell::Absent,
        Prepared::Failed(why) => {
            progress.say(&format!("*** {program}: {name}: {why}"));
            Cell::Broken("NO BUILD".to_string())
        }
    }
}

fn record(cell: &mut Cell, time: Duration, peak_kib: u64) {
    if let Cell::Measured(samples) = cell {
        samples.times.push(time.as_secs_f64());
        samples.peak_kib = samples.peak_kib.max(peak_kib);
        samples.floor_kib = samples.floor_kib.max(rusage::own_peak_kib());
    }
}

fn describe(invocation: &Invocation) -> String {
    let mut words = vec![invocation.exe.display().to_string()];
    words.extend(
        invocation
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// Runs `invocation` once, timing it from spawn to exit, and checks that it
/// exits successfully having printed exactly `expected`.
fn run_once(invocation: &Invocation, expected: &str, settings: &Settings) -> Outcome {
    // Named after this process, so that two runners can share the folder.
    let pid = std::process::id();
    let stdout_path = settings.scratch.join(format!("stdout-{pid}"));
    let stderr_path = settings.scratch.join(format!("stderr-{pid}"));
    let mut cmd = invocation.command();
    match (File::create(&stdout_path), File::create(&stderr_path)) {
        (Ok(out), Ok(err)) => cmd.stdin(Stdio::null()).stdout(out).stderr(err),
        (Err(e), _) | (_, Err(e)) => return Outcome::Bad("FAILED", format!("scratch file: {e}")),
    };
    let start = Instant::now();
    let exit = match spawn_and_wait(&mut cmd, settings.timeout) {
        Ok(exit) => exit,
        Err(e) => return Outcome::Bad("FAILED", format!("cannot start: {e}")),
    };
    let elapsed = start.elapsed();
    if exit.timed_out {
        let secs = settings.timeout.as_secs();
        return Outcome::Bad("TIMEOUT", format!("killed after {secs} s (see --timeout)"));
    }
    if !exit.status.success() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let status = exit.status;
        return Outcome::Bad("FAILED", format!("{status}; stderr: {}", stderr.trim()));
    }
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    if stdout != expected {
        let detail = format!("wrong output: expected {expected:?}, got {stdout:?}");
        return Outcome::Bad("WRONG", detail);
    }
    Outcome::Correct(elapsed, exit.peak_kib)
}

/// How a child process ended.
struct Exit {
    status: ExitStatus,
    /// Its peak resident set size in KiB, as the kernel accounted it.
    peak_kib: u64,
    /// Whether the watchdog killed it.
    timed_out: bool,
}

/// Starts `cmd` and waits for it; a watchdog kills it after `timeout`. The
/// wait is a plain blocking wait, so the time measured around it is exact.
fn spawn_and_wait(cmd: &mut Command, timeout: Duration) -> std::io::Result<Exit> {
    let child = cmd.spawn()?;
    let (done, watchdog) = watch(&child, timeout);
    let waited = rusage::wait(child);
    drop(done);
    let timed_out = watchdog.join().unwrap_or(false);
    let (status, peak_kib) = waited?;
    Ok(Exit {
        status,
        peak_kib,
        timed_out,
    })
}

/// A thread that kills `child` unless the returned sender is dropped within
/// `timeout`; it returns whether it killed.
fn watch(child: &Child, timeout: Duration) -> (mpsc::Sender<()>, thread::JoinHandle<bool>) {
    let (done, finished) = mpsc::channel::<()>();
    let pid = child.id().to_string();
    let watchdog = thread::spawn(move || {
        let fired = finished.recv_timeout(timeout) == Err(RecvTimeoutError::Timeout);
        if fired {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        fired
    });
    (done, watchdog)
}
