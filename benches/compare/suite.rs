//! The benchmark programs: `benches/programs/NAME.lisp` with `NAME.out`.

use std::path::{Path, PathBuf};

/// The order of the suite in `BENCHMARKS.md`; programs not listed here come
/// after these, alphabetically.
const SUITE_ORDER: &[&str] = &[
    "fib",
    "tak",
    "loop",
    "mandelbrot",
    "nbody",
    "closures",
    "nqueens",
    "tables",
    "strings",
    "exceptions",
    "sort",
    "startup",
];

/// One benchmark program.
#[derive(Debug, Clone)]
pub struct Program {
    pub name: String,
    /// The Elle source, `NAME.lisp`.
    pub path: PathBuf,
    /// What every implementation must print, from `NAME.out`.
    pub expected: String,
}

/// Every program in `dir` (each `.lisp` with its `.out`), in suite order.
pub fn discover(dir: &Path) -> Result<Vec<Program>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut programs = Vec::new();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_none_or(|x| x != "lisp") {
            continue;
        }
        let out = path.with_extension("out");
        let expected = std::fs::read_to_string(&out).map_err(|e| {
            format!(
                "{}: {e} (every program needs its expected output)",
                out.display()
            )
        })?;
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        programs.push(Program {
            name,
            path,
            expected,
        });
    }
    programs.sort_by_key(|p| (rank(&p.name), p.name.clone()));
    Ok(programs)
}

fn rank(name: &str) -> usize {
    SUITE_ORDER
        .iter()
        .position(|n| *n == name)
        .unwrap_or(SUITE_ORDER.len())
}

/// The programs named in `wanted` (all when it is empty), in suite order.
pub fn select(programs: Vec<Program>, wanted: &[String]) -> Result<Vec<Program>, String> {
    let unknown: Vec<&str> = wanted
        .iter()
        .filter(|w| !programs.iter().any(|p| &p.name == *w))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = programs.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "no such program: {} (the programs are: {})",
            unknown.join(", "),
            names.join(" ")
        ));
    }
    Ok(programs
        .into_iter()
        .filter(|p| wanted.is_empty() || wanted.contains(&p.name))
        .collect())
}
