//! Golden-program tests: every `tests/lang/**/*.lisp` is run through the real
//! `elle` binary and its output is compared, byte for byte, with the files
//! beside it.
//!
//! For `group/name.lisp` (run with the working directory `tests/lang` and the
//! relative path `group/name.lisp` as argument, so error reports show a stable
//! path):
//!
//! - `name.out`: expected stdout (required; may be empty).
//! - `name.err`: expected stderr; its presence means the program must fail
//!   with exit status 1 (an uncaught error).
//! - `name.stderr`: expected stderr for a program that succeeds (warnings,
//!   `debug-print`, ...). Without `.err` or `.stderr`, stderr is not checked.
//! - `name.status`: expected exit status (overrides the 0/1 default).
//! - `name.flags`: extra command-line options placed before the file
//!   (whitespace separated).
//! - `name.args`: program arguments placed after the file.
//!
//! A `.lisp` file without a `.out` is a helper (for `import`) and is not run
//! itself; it must live in a folder called `helpers` or have a name starting
//! with `_`, so that a forgotten `.out` is reported instead of skipped.
//!
//! Every program runs once per JIT mode (`--jit off`, `--jit eager`; DESIGN.md
//! "Testing"), and all modes must give the expected output. The modes the
//! binary does not accept yet are skipped with a note on stderr.
//!
//! All failures are reported in one assertion with a line diff.
//! `GOLDEN_FILTER=substring` restricts the run to matching paths.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Outcome, run_with_timeout};

const BIN: &str = env!("CARGO_BIN_EXE_elle");
const TIMEOUT: Duration = Duration::from_secs(120);
const JIT_MODES: &[&[&str]] = &[&["--jit", "off"], &["--jit", "eager"]];

struct Case {
    /// Path relative to `tests/lang`, with `/` separators.
    rel: String,
    /// The `.lisp` file's absolute path without its extension.
    stem: PathBuf,
}

fn lang_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("lang")
}

fn collect(dir: &Path, root: &Path, cases: &mut Vec<Case>, problems: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, cases, problems);
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("lisp") {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let stem = path.with_extension("");
        if stem.with_extension("out").exists() {
            cases.push(Case { rel, stem });
        } else {
            let in_helpers = path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "helpers");
            let underscore = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('_'));
            if !in_helpers && !underscore {
                problems.push(format!(
                    "{rel}: no .out file (helpers belong in helpers/ or start with `_`)"
                ));
            }
        }
    }
}

fn read_opt(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// How a suite runs the binary: with extra environment variables
/// (`ELLE_GC_STRESS`), under a wrapper command (valgrind), and how long one
/// program may take.
#[derive(Clone, Copy)]
struct Env<'a> {
    vars: &'a [(&'a str, &'a str)],
    wrapper: &'a [&'a str],
    timeout: Duration,
}

impl Default for Env<'_> {
    fn default() -> Self {
        Env {
            vars: &[],
            wrapper: &[],
            timeout: TIMEOUT,
        }
    }
}

const VALGRIND: &[&str] = &["valgrind", "-q", "--error-exitcode=99"];
const GC_STRESS: &[(&str, &str)] = &[("ELLE_GC_STRESS", "1")];

fn valgrind_installed() -> bool {
    let found = Command::new("valgrind").arg("--version").output().is_ok();
    if !found {
        eprintln!("NOTE: valgrind is not installed; the memcheck run is skipped");
    }
    found
}

fn run(args: &[String], cwd: &Path, env: Env) -> Outcome {
    let mut command = match env.wrapper.split_first() {
        Some((program, options)) => {
            let mut c = Command::new(program);
            c.args(options).arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    command
        .args(args)
        .envs(env.vars.iter().copied())
        .current_dir(cwd);
    run_with_timeout(&mut command, env.timeout)
}

/// A line diff (longest common subsequence): ` ` common, `-` expected only,
/// `+` actual only. Long runs of common lines are elided.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let show = |l: &str| {
        let mut s = l
            .strip_suffix('\n')
            .map_or_else(|| format!("{l}\u{23ce}(no newline at end)"), str::to_string);
        if s.len() > 300 {
            let mut cut = 300;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push_str("...");
        }
        s
    };
    let mut lines: Vec<(char, String)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            lines.push((' ', show(a[i])));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', show(b[j])));
            j += 1;
        } else {
            lines.push(('-', show(a[i])));
            i += 1;
        }
    }
    // Keep two lines of context around changes.
    let changed: Vec<bool> = lines.iter().map(|(c, _)| *c != ' ').collect();
    let near = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 2).min(lines.len() - 1);
        (lo..=hi).any(|x| changed[x])
    };
    let mut out = String::new();
    let mut elided = false;
    let mut shown = 0;
    for (k, (c, l)) in lines.iter().enumerate() {
        if near(k) {
            if shown >= 80 {
                out.push_str("      ... (diff truncated)\n");
                break;
            }
            out.push_str(&format!("    {c} {l}\n"));
            shown += 1;
            elided = false;
        } else if !elided {
            out.push_str("      ...\n");
            elided = true;
        }
    }
    out
}

fn check(case: &Case, root: &Path, mode: &[&str], env: Env) -> Option<String> {
    let expected_out = read_opt(&case.stem.with_extension("out")).unwrap();
    let expected_err = read_opt(&case.stem.with_extension("err"));
    let expected_stderr = expected_err
        .clone()
        .or_else(|| read_opt(&case.stem.with_extension("stderr")));
    let expected_status: i32 = match read_opt(&case.stem.with_extension("status")) {
        Some(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{}: bad .status file", case.rel)),
        None if expected_err.is_some() => 1,
        None => 0,
    };
    let mut args: Vec<String> = mode.iter().map(|s| s.to_string()).collect();
    if let Some(flags) = read_opt(&case.stem.with_extension("flags")) {
        args.extend(flags.split_whitespace().map(str::to_string));
    }
    args.push(case.rel.clone());
    if let Some(pargs) = read_opt(&case.stem.with_extension("args")) {
        args.extend(pargs.split_whitespace().map(str::to_string));
    }

    let got = run(&args, root, env);
    let mut problems = Vec::new();
    if got.timed_out {
        problems.push(format!("  timed out after {:?}\n", env.timeout));
    }
    if got.status != Some(expected_status) {
        problems.push(format!(
            "  exit status: expected {expected_status}, got {}\n",
            got.status.map_or_else(
                || "none (killed by a signal)".to_string(),
                |c| c.to_string()
            )
        ));
    }
    if got.stdout != expected_out {
        problems.push(format!(
            "  stdout differs (- expected, + actual):\n{}",
            diff(&expected_out, &got.stdout)
        ));
    }
    match &expected_stderr {
        Some(exp) if *exp != got.stderr => problems.push(format!(
            "  stderr differs (- expected, + actual):\n{}",
            diff(exp, &got.stderr)
        )),
        None if !problems.is_empty() && !got.stderr.is_empty() => {
            let tail: Vec<&str> = got.stderr.lines().take(15).collect();
            problems.push(format!("  stderr was:\n    | {}\n", tail.join("\n    | ")));
        }
        _ => {}
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "FAIL {} (elle {})\n{}",
            case.rel,
            args.join(" "),
            problems.concat()
        ))
    }
}

/// The JIT modes this binary accepts (`elle MODE -e 1` prints `1`).
fn supported_modes(root: &Path) -> Vec<Vec<&'static str>> {
    let mut modes = Vec::new();
    for mode in JIT_MODES {
        let mut args: Vec<String> = mode.iter().map(|s| s.to_string()).collect();
        args.extend(["-e".to_string(), "1".to_string()]);
        let got = run(&args, root, Env::default());
        if got.status == Some(0) && got.stdout == "1\n" {
            modes.push(mode.to_vec());
        } else {
            eprintln!(
                "NOTE: the binary does not accept `{}` yet; golden programs do not run in that mode",
                mode.join(" ")
            );
        }
    }
    if modes.is_empty() {
        modes.push(Vec::new());
    }
    modes
}

#[test]
fn golden_programs() {
    run_suite(Env::default(), None);
}

/// The whole suite with the collector in stress mode (`heap.rs`): it
/// collects at nearly every safe point and poisons what it frees, so a
/// value the runtime holds outside its roots is caught as a panic or a
/// wrong output.
#[test]
fn golden_programs_under_gc_stress() {
    let env = Env {
        vars: GC_STRESS,
        ..Env::default()
    };
    run_suite(env, None);
}

/// The regression tests of use-after-free bugs found in review (and of a
/// read of padding bytes found by the run below), under
/// valgrind's memcheck: any invalid read or write fails them (exit status
/// 99). The whole suite under valgrind is too slow for every run:
/// `golden_programs_under_gc_stress_and_valgrind` is that run.
#[test]
fn gc_regressions_under_valgrind() {
    if !valgrind_installed() {
        return;
    }
    let env = Env {
        wrapper: VALGRIND,
        ..Env::default()
    };
    run_suite(env, Some("conditions/gc_"));
    // `=` of values of different kinds once branched on padding bytes.
    run_suite(env, Some("special_forms/case"));
}

/// Every golden program under valgrind's memcheck with the collector in
/// stress mode: a stale reference that the poisoning does not catch is
/// still an invalid read. It takes tens of minutes on two cores, so it is
/// run by hand (docs/testing.md):
/// `cargo test --release --test golden -- --ignored`.
#[test]
#[ignore = "tens of minutes; run by hand, see docs/testing.md"]
fn golden_programs_under_gc_stress_and_valgrind() {
    if !valgrind_installed() {
        return;
    }
    let env = Env {
        vars: GC_STRESS,
        wrapper: VALGRIND,
        timeout: Duration::from_secs(1800),
    };
    run_suite(env, None);
}

/// Runs every golden program (those whose path contains `only`, or
/// `GOLDEN_FILTER`, when given) and fails with every difference.
fn run_suite(env: Env, only: Option<&str>) {
    let root = lang_root();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    collect(&root, &root, &mut cases, &mut failures);
    if let Ok(filter) = std::env::var("GOLDEN_FILTER") {
        cases.retain(|c| c.rel.contains(&filter));
    }
    if let Some(only) = only {
        cases.retain(|c| c.rel.contains(only));
    }
    assert!(
        !cases.is_empty() || !failures.is_empty(),
        "no golden programs found"
    );

    let modes = supported_modes(&root);
    // One job per program; its modes run one after the other, so that a
    // program that writes files never races with itself.
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get())
        .min(16);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(k) else { break };
                    for mode in &modes {
                        if let Some(msg) = check(case, &root, mode, env) {
                            results.lock().unwrap().push((k, msg));
                        }
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(k, _)| *k); // stable: modes stay in order
    failures.extend(results.into_iter().map(|(_, m)| m));

    let failed_files: std::collections::BTreeSet<&str> = failures
        .iter()
        .filter_map(|f| f.strip_prefix("FAIL ").and_then(|r| r.split(' ').next()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden programs failed{}: {}\n\n{}",
        failed_files.len(),
        cases.len(),
        if env.vars.is_empty() && env.wrapper.is_empty() {
            String::new()
        } else {
            format!(" (with {:?} {:?})", env.vars, env.wrapper)
        },
        failed_files.iter().copied().collect::<Vec<_>>().join(" "),
        failures.join("\n")
    );
}
