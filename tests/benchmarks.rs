//! Every benchmark program prints exactly its expected output. (Timing is
//! not tested here: it lives in `cargo bench` and the comparison runner.)

use std::path::Path;
use std::process::Command;

#[test]
fn benchmark_programs_print_their_expected_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs");
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("benches/programs exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lisp"))
        .collect();
    programs.sort();
    assert_eq!(programs.len(), 12, "expected the twelve benchmark programs");
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = programs.iter().map(|p| s.spawn(move || check(p))).collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs one program; returns a description of the failure, if any.
fn check(program: &Path) -> Option<String> {
    let expected = std::fs::read_to_string(program.with_extension("out")).ok()?;
    let out = Command::new(env!("CARGO_BIN_EXE_elle"))
        .arg(program)
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout == expected {
        return None;
    }
    Some(format!(
        "{}: status {:?}\n  expected: {:?}\n  got:      {:?}\n  stderr: {}",
        program.display(),
        out.status.code(),
        expected,
        stdout,
        String::from_utf8_lossy(&out.stderr)
    ))
}
