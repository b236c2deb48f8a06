//! Every benchmark program prints exactly its expected output. (Timing is
//! not tested here: it lives in `cargo bench` and the comparison runner.)

use std::path::Path;
use std::process::Command;

#[test]
fn benchmark_programs_print_their_expected_output() {
    check_all(&[]);
}

/// The same with the collector in stress mode (`vm/src/heap.rs`): every
/// program's output must be identical.
#[test]
fn benchmark_programs_print_the_same_under_gc_stress() {
    check_all(&[("ELLE_GC_STRESS", "1")]);
}

/// Runs every program (in parallel) with the environment variables `env`.
fn check_all(env: &[(&str, &str)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs");
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("benches/programs exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lisp"))
        .collect();
    programs.sort();
    assert_eq!(programs.len(), 12, "expected the twelve benchmark programs");
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = programs
            .iter()
            .map(|p| s.spawn(move || check(p, env)))
            .collect();
        handles
            .into_iter()
            .zip(&programs)
            .filter_map(|(h, p)| match h.join() {
                Ok(failure) => failure,
                Err(_) => Some(format!("{}: the checking thread panicked", p.display())),
            })
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs one program; returns a description of the failure, if any. A
/// missing `.out` file or a binary that cannot be started is a failure, not
/// a pass.
fn check(program: &Path, env: &[(&str, &str)]) -> Option<String> {
    let out_file = program.with_extension("out");
    let expected = match std::fs::read_to_string(&out_file) {
        Ok(text) => text,
        Err(e) => return Some(format!("{}: {e}", out_file.display())),
    };
    let out = match Command::new(env!("CARGO_BIN_EXE_elle"))
        .arg(program)
        .envs(env.iter().copied())
        .output()
    {
        Ok(out) => out,
        Err(e) => return Some(format!("{}: cannot run elle: {e}", program.display())),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout == expected {
        return None;
    }
    Some(format!(
        "{} {env:?}: status {:?}\n  expected: {:?}\n  got:      {:?}\n  stderr: {}",
        program.display(),
        out.status.code(),
        expected,
        stdout,
        String::from_utf8_lossy(&out.stderr)
    ))
}
