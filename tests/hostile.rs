//! The hostile-script suite: every `tests/hostile/*.lisp` attacks a limit
//! and must end, in a child process, with the condition it names, exit
//! status 1 and its earlier output intact, in every JIT mode, well before
//! the timeout.
//!
//! Each script starts with two comment lines:
//!
//! ```text
//! ; expect: CONDITION-TYPE
//! ; flags: OPTIONS...
//! ```
//!
//! and prints `start` before it attacks. `HOSTILE_FILTER=substring`
//! restricts the run to matching names.
//!
//! A script run with `--max-memory BYTES` must also stay within that many
//! bytes of resident memory at its peak (the child's `ru_maxrss`), plus
//! [`RSS_BASE`]: what the process holds before and beside the heap.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::run_with_timeout;

const BIN: &str = env!("CARGO_BIN_EXE_elle");
/// Far beyond what any script needs (each takes well under a second): a
/// script still running then has escaped its limits.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Resident memory a script may use beyond its `--max-memory`: the binary,
/// the JIT, the prelude and the allocator's arenas (`elle -e 1` peaks at
/// about 15 MiB in the test profile), and transients the heap does not
/// count (the collector's work lists, the reader's data, a buffer being
/// reallocated). Measured in docs/ARCHITECTURE.md, "Memory accounting".
const RSS_BASE: u64 = 28 << 20;
/// The default tier, and the one that compiles everything it can.
const JIT_MODES: &[&str] = &["auto", "eager"];

struct Script {
    path: PathBuf,
    expect: String,
    flags: Vec<String>,
}

impl Script {
    /// The `--max-memory` it runs with, in bytes.
    fn memory_limit(&self) -> Option<u64> {
        let i = self.flags.iter().position(|f| f == "--max-memory")?;
        let text = self.flags.get(i + 1)?;
        let (digits, shift) = match text.strip_suffix('M') {
            Some(d) => (d, 20),
            None => (text.as_str(), 0),
        };
        let n: u64 = digits.parse().ok()?;
        Some(n << shift)
    }
}

/// The value of the `; NAME: value` header line of `text`.
fn header(text: &str, name: &str) -> Option<String> {
    let prefix = format!("; {name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
}

fn scripts() -> Vec<Script> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("hostile");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lisp"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read a hostile script");
            let name = path.display().to_string();
            let expect = header(&text, "expect").unwrap_or_else(|| panic!("{name}: no expect"));
            let flags = header(&text, "flags").unwrap_or_else(|| panic!("{name}: no flags"));
            Script {
                path,
                expect,
                flags: flags.split_whitespace().map(String::from).collect(),
            }
        })
        .collect()
}

/// What is wrong with one run of `script`, if anything.
fn check(script: &Script, jit: &str) -> Option<String> {
    let mut cmd = Command::new(BIN);
    cmd.args(["--jit", jit])
        .args(&script.flags)
        .arg(&script.path);
    let o = run_with_timeout(&mut cmd, TIMEOUT);
    let name = format!(
        "{} (--jit {jit})",
        script.path.file_name()?.to_string_lossy()
    );
    let headline = format!("error[{}]: ", script.expect);
    if o.timed_out {
        return Some(format!("{name}: still running after {TIMEOUT:?}"));
    }
    let expected_out = header(&std::fs::read_to_string(&script.path).ok()?, "output")
        .map_or_else(|| "start\n".to_string(), |o| format!("start\n{o}\n"));
    if o.status != Some(1) || !o.stderr.starts_with(&headline) || o.stdout != expected_out {
        return Some(format!(
            "{name}: status {:?}, stdout {:?}, stderr {:?}",
            o.status,
            o.stdout,
            o.stderr.lines().next()
        ));
    }
    if let Some(limit) = script.memory_limit() {
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        eprintln!(
            "{name}: peak RSS {:.1} MiB, limit {:.1} MiB",
            mib(o.peak_rss),
            mib(limit)
        );
        if o.peak_rss > limit + RSS_BASE {
            return Some(format!(
                "{name}: peak RSS {:.1} MiB, over the limit of {:.1} MiB plus {:.1} MiB",
                mib(o.peak_rss),
                mib(limit),
                mib(RSS_BASE)
            ));
        }
    }
    None
}

#[test]
fn every_hostile_script_ends_with_its_condition() {
    let mut all = scripts();
    if let Ok(filter) = std::env::var("HOSTILE_FILTER") {
        all.retain(|s| s.path.to_string_lossy().contains(&filter));
    }
    assert!(!all.is_empty(), "no hostile scripts found");
    let failures: Vec<String> = all
        .iter()
        .flat_map(|s| JIT_MODES.iter().filter_map(move |jit| check(s, jit)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
