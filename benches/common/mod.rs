//! What the criterion benches share: the tiers, the benchmark programs
//! (found in `benches/programs/` at run time) and running a program
//! in-process with its output captured.

// Each bench target compiles its own copy of this module and uses only part
// of it.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion};
use elle_vm::Vm;
use elle_vm::tier::{DEFAULT_THRESHOLD, JitMode};

/// The settings both bench targets start from (the command line's options
/// override them).
pub fn criterion() -> Criterion {
    // Criterion draws the report's estimate distributions from its bootstrap
    // resamples; with the default 100,000 that took 5 s per benchmark here
    // (2 cores, no rayon), more than timing the reader. 10,000 resamples
    // give the same confidence intervals to within the noise.
    Criterion::default().nresamples(10_000)
}

/// A way of running Elle code: a name for the benchmark ids and what to do
/// to a fresh VM (built-ins and prelude loaded) before it runs a program.
pub struct Tier {
    pub name: &'static str,
    pub configure: fn(&mut Vm),
}

/// Every tier that is benchmarked: the interpreter alone (`elle --jit off`)
/// and the Cranelift JIT compiling what runs often (`elle --jit auto`, the
/// default, with the default threshold). Another tier is one more entry
/// here, and every bench that runs Elle code picks it up.
pub const TIERS: &[Tier] = &[
    Tier {
        name: "interp",
        configure: |_vm| {},
    },
    Tier {
        name: "jit-auto",
        configure: |vm| {
            vm.set_tier(
                Some(Box::new(elle_jit::CraneliftTier::new())),
                JitMode::Auto(DEFAULT_THRESHOLD),
            )
        },
    },
];

impl Tier {
    /// A fresh VM for this tier.
    pub fn vm(&self) -> Vm {
        let mut vm = Vm::new();
        (self.configure)(&mut vm);
        vm
    }
}

/// One benchmark program: `NAME.lisp` and its exact expected output
/// `NAME.out`.
pub struct Program {
    pub name: String,
    /// The path given to the VM as the source's name (for error reports).
    pub path: String,
    pub source: String,
    pub expected: String,
}

/// The folder of the benchmark programs.
fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

/// Every `benches/programs/*.lisp`, sorted by name, with its expected
/// output. Found at run time, so a new program is benchmarked without
/// touching the benches.
pub fn programs() -> Vec<Program> {
    let dir = programs_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("cannot read an entry of benches/programs")
                .path()
        })
        .filter(|p| p.extension().is_some_and(|x| x == "lisp"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .lisp programs in {}", dir.display());
    paths.iter().map(|p| load(p)).collect()
}

fn load(path: &Path) -> Program {
    let read = |p: &Path| {
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    };
    Program {
        name: path
            .file_stem()
            .expect("a .lisp file has a stem")
            .to_string_lossy()
            .into_owned(),
        path: path.display().to_string(),
        source: read(path),
        expected: read(&path.with_extension("out")),
    }
}

/// Every program's source, one after the other: a sizeable body of real
/// Elle code.
pub fn all_sources(programs: &[Program]) -> String {
    programs
        .iter()
        .map(|p| p.source.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A writer that keeps everything written to it, shared with the code that
/// reads it back once the VM is done.
#[derive(Clone, Default)]
pub struct Capture(Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// Makes the VM's output go to a new capture.
    pub fn install(vm: &mut Vm) -> Capture {
        let capture = Capture::default();
        vm.set_output(Box::new(capture.clone()));
        capture
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One whole run of a program: a fresh VM for the tier, then the program.
/// Returns the VM, so that the caller decides whether dropping it is timed,
/// and what the program printed. An error in the program is a panic: a
/// benchmark must never time a failing run.
pub fn run(program: &Program, tier: &Tier) -> (Vm, Capture) {
    let mut vm = tier.vm();
    let capture = Capture::install(&mut vm);
    if let Err(e) = vm.eval_source(&program.source, &program.path) {
        panic!("{} on tier {} failed:\n{e}", program.name, tier.name);
    }
    (vm, capture)
}

/// Panics unless `got` is exactly the expected output of `what`.
pub fn assert_output(what: &str, got: &str, expected: &str) {
    assert!(
        got == expected,
        "{what} printed the wrong output\n--- expected\n{expected}\n--- got\n{got}"
    );
}

/// Runs the program once on the tier and panics unless it prints exactly
/// its `.out`.
pub fn check(program: &Program, tier: &Tier) {
    let (_vm, output) = run(program, tier);
    let what = format!("{} on tier {}", program.name, tier.name);
    assert_output(&what, &output.text(), &program.expected);
}

/// `group.bench_function(id, timed)`, with `check` run once before anything
/// is timed. The check is made inside the benchmark's closure, which
/// criterion calls only for the ids that pass the command line's filter, so
/// an expensive check (a whole program run) is skipped with its benchmark;
/// criterion calls that closure again for the warm-up and for every sample,
/// hence the `Option`.
pub fn bench_checked(
    group: &mut BenchmarkGroup<WallTime>,
    id: BenchmarkId,
    check: impl FnOnce(),
    mut timed: impl FnMut(&mut Bencher),
) {
    let mut check = Some(check);
    group.bench_function(id, |b| {
        if let Some(check) = check.take() {
            check();
        }
        timed(b);
    });
}
