//! Criterion micro-benches: the reader, the compiler and calls, one at a
//! time. See docs/benchmarks.md, "In-process benches (criterion)".
//!
//! Every bench checks its result before it is timed (the calls check every
//! timed result too), so none can be timing an error path. Dropping what a
//! timed routine made (forms, VMs, code) is not timed.

mod common;

use std::rc::Rc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use elle_vm::bytecode::Proto;
use elle_vm::datum::Datum;
use elle_vm::reader;
use elle_vm::span::FileId;
use elle_vm::{Value, Vm};

use common::{Capture, Program, TIERS, Tier};

// ----- the reader -----

/// `reader/all-programs`: reading every benchmark program's text as one
/// source into forms, with its size as the throughput.
fn bench_reader(c: &mut Criterion) {
    let programs = common::programs();
    let source = common::all_sources(&programs);
    let file = FileId::register("benches/programs/*.lisp");
    check_reader(&programs, &source, file);
    let mut group = c.benchmark_group("reader");
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("all-programs"), |b| {
        b.iter_with_large_drop(|| read(&source, file))
    });
    group.finish();
}

fn read(source: &str, file: FileId) -> Vec<Datum> {
    reader::read_all(source, file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.name()))
}

/// The whole text must read as the forms of its programs, read one by one.
fn check_reader(programs: &[Program], source: &str, file: FileId) {
    let expected: usize = programs.iter().map(|p| read_program(p).len()).sum();
    let got = read(source, file).len();
    assert!(
        got == expected && got > 0,
        "the programs read as {got} forms together, {expected} one by one"
    );
}

fn read_program(program: &Program) -> Vec<Datum> {
    read(&program.source, FileId::register(&program.path))
}

// ----- the compiler -----

/// `compiler/all-programs`: compiling every top-level form of every
/// benchmark program, in order, into a fresh VM, without running any of
/// them: macro expansion, analysis and bytecode emission. The forms are read
/// beforehand and the VM made beforehand (neither is timed).
///
/// `eval_source` runs each form before it compiles the next; compiling them
/// all first is the same compilation here. `defmacro` takes effect when it
/// is compiled, so compiling depends on earlier forms having run only
/// through a macro whose expander calls a function they define, and through
/// the redefinition of an inlined built-in (`+`...), which stops the
/// compiler inlining it; no benchmark program defines a macro or redefines
/// a built-in. The check proves it for the programs as they are: the code
/// compiled ahead, run afterwards, prints every program's expected output.
fn bench_compiler(c: &mut Criterion) {
    let programs = common::programs();
    let forms: Vec<Datum> = programs.iter().flat_map(read_program).collect();
    let bytes: usize = programs.iter().map(|p| p.source.len()).sum();
    let mut group = c.benchmark_group("compiler");
    group.throughput(Throughput::Bytes(bytes as u64));
    // Every iteration also makes its VM, outside the timing but not outside
    // the measurement time: 100 samples (5,050 iterations at the least)
    // would not fit in it.
    group.sample_size(50);
    common::bench_checked(
        &mut group,
        BenchmarkId::from_parameter("all-programs"),
        || check_compiled_ahead(&programs, &forms),
        |b| {
            b.iter_batched(
                Vm::new,
                |mut vm| {
                    let code = compile_all(&mut vm, &forms);
                    (vm, code)
                },
                BatchSize::SmallInput,
            )
        },
    );
    group.finish();
}

/// Compiles the top-level forms in order, as `eval_source` would but
/// without running them. (A top-level `begin` is compiled as one form; no
/// benchmark program has one.)
fn compile_all(vm: &mut Vm, forms: &[Datum]) -> Vec<Rc<Proto>> {
    forms
        .iter()
        .map(|form| {
            elle_vm::compiler::compile_toplevel(vm, form).unwrap_or_else(|e| {
                let e = vm.host_error(e);
                panic!("cannot compile a form of the benchmark programs:\n{e}")
            })
        })
        .collect()
}

/// Compiles every form ahead, then runs the code in order: the output must
/// be every program's expected output, one after the other. Takes as long
/// as running all the programs once.
fn check_compiled_ahead(programs: &[Program], forms: &[Datum]) {
    let mut vm = Vm::new();
    let output = Capture::install(&mut vm);
    let code = compile_all(&mut vm, forms);
    // Code waiting to run must survive the collections made by the code
    // that runs first: its functions are rooted until all have run.
    let functions: Vec<Value> = code
        .into_iter()
        .map(|proto| vm.toplevel_function(proto))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("top-level code: {}", vm.host_error(e)));
    let ran = vm.with_roots(&functions, |vm| {
        functions
            .iter()
            .try_for_each(|&f| vm.call_value(f, &[]).map(drop))
    });
    if let Err(e) = ran {
        let e = vm.host_error(e);
        panic!("the benchmark programs compiled ahead failed:\n{e}");
    }
    vm.flush_output();
    let expected: String = programs.iter().map(|p| p.expected.as_str()).collect();
    common::assert_output(
        "the benchmark programs compiled ahead",
        &output.text(),
        &expected,
    );
}

// ----- calls -----

/// Two loops of `n` iterations summing 0 + 1 + ... + (n - 1), one calling
/// `id` for every term, the other not: their difference is the cost of the
/// Elle-to-Elle calls.
const CALL_DEFS: &str = "
(define (id x) x)

(define (sum-calling n)
  (let ((acc 0) (i 0))
    (while (< i n)
      (set! acc (+ acc (id i)))
      (set! i (+ i 1)))
    acc))

(define (sum-plain n)
  (let ((acc 0) (i 0))
    (while (< i n)
      (set! acc (+ acc i))
      (set! i (+ i 1)))
    acc))
";

/// The functions of `CALL_DEFS` in a VM of one tier.
struct CallVm {
    vm: Vm,
    id: Value,
    calling: Value,
    plain: Value,
}

impl CallVm {
    fn new(tier: &Tier) -> CallVm {
        let mut vm = tier.vm();
        if let Err(e) = vm.eval_source(CALL_DEFS, "benches/micro.rs") {
            panic!(
                "the call benches' definitions failed on tier {}:\n{e}",
                tier.name
            );
        }
        let global = |name| {
            vm.get_global(name)
                .unwrap_or_else(|| panic!("{name} is not defined"))
        };
        let (id, calling, plain) = (global("id"), global("sum-calling"), global("sum-plain"));
        CallVm {
            vm,
            id,
            calling,
            plain,
        }
    }

    /// Times one call of the loop `f` over `n` terms and checks its sum.
    fn time_loop(&mut self, f: Value, n: u64) -> Duration {
        let arg = i64::try_from(n).expect("the iteration count fits an integer");
        let start = Instant::now();
        let result = self.vm.call_value(f, &[Value::Int(arg)]);
        let elapsed = start.elapsed();
        let expected = i128::from(arg) * i128::from(arg - 1) / 2;
        match result {
            Ok(Value::Int(sum)) if i128::from(sum) == expected => elapsed,
            Ok(other) => panic!("a loop of {n} summed to {other:?}, not {expected}"),
            Err(e) => panic!("a loop of {n} failed:\n{}", self.vm.host_error(e)),
        }
    }

    /// One host → Elle call of `id`.
    fn call_id(&mut self) -> Option<i64> {
        match self.vm.call_value(self.id, &[Value::Int(7)]) {
            Ok(Value::Int(n)) => Some(n),
            _ => None,
        }
    }
}

/// Per tier: `call/loop-with-call/TIER` and `call/loop-without-call/TIER`
/// (time per loop iteration), `call/elle-to-elle/TIER` (their difference:
/// the time of one Elle-to-Elle call) and `call/host-to-elle/TIER` (one
/// `Vm::call_value` of `id` from Rust).
fn bench_calls(c: &mut Criterion) {
    let mut group = c.benchmark_group("call");
    for tier in TIERS {
        let mut calls = CallVm::new(tier);
        let (calling, plain) = (calls.calling, calls.plain);
        // A criterion iteration is one loop iteration: the loop is called
        // with n = the iterations asked for, and every sum is checked.
        group.bench_function(BenchmarkId::new("loop-with-call", tier.name), |b| {
            b.iter_custom(|n| calls.time_loop(calling, n))
        });
        group.bench_function(BenchmarkId::new("loop-without-call", tier.name), |b| {
            b.iter_custom(|n| calls.time_loop(plain, n))
        });
        group.bench_function(BenchmarkId::new("elle-to-elle", tier.name), |b| {
            b.iter_custom(|n| {
                let with = calls.time_loop(calling, n);
                with.saturating_sub(calls.time_loop(plain, n))
            })
        });
        assert_eq!(calls.call_id(), Some(7), "(id 7) from the host");
        group.bench_function(BenchmarkId::new("host-to-elle", tier.name), |b| {
            b.iter(|| calls.call_id())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs: these are steady, and the whole set stays at a minute.
    config = common::criterion()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_reader, bench_compiler, bench_calls
}
criterion_main!(benches);
