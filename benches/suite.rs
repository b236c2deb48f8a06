//! Criterion benches of the benchmark programs (`benches/programs/*.lisp`),
//! in-process, on every tier: ids `PROGRAM/TIER` (`fib/interp`). See
//! docs/benchmarks.md, "In-process benches (criterion)".
//!
//! One iteration is one whole run, as `elle PROGRAM.lisp` does it minus the
//! process: a new VM (built-ins installed and the prelude compiled and run,
//! so VM construction is included), then reading, compiling and running the
//! program, its output going to a buffer. Dropping the VM is not timed: the
//! `elle` binary does not drop it either (it leaves the heap to the OS).
//! Before the first timed run, one run must print exactly `NAME.out`.

mod common;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main,
};

use common::{Program, TIERS, Tier};

fn bench_programs(c: &mut Criterion) {
    for program in common::programs() {
        let mut group = c.benchmark_group(&program.name);
        configure(&mut group);
        for tier in TIERS {
            bench_run(&mut group, &program, tier);
        }
        group.finish();
    }
}

/// A run takes from 0.1 ms to 0.8 s, so few samples. Flat sampling gives
/// every sample the same number of runs; criterion's default (linear) would
/// need 1 + 2 + ... + 10 = 55 runs of the slowest program at the least. Ten
/// seconds hold ten runs of the slowest program with room to spare, so no
/// sample is cut short.
fn configure(group: &mut BenchmarkGroup<WallTime>) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
}

fn bench_run(group: &mut BenchmarkGroup<WallTime>, program: &Program, tier: &Tier) {
    common::bench_checked(
        group,
        BenchmarkId::from_parameter(tier.name),
        || common::check(program, tier),
        |b| b.iter_with_large_drop(|| common::run(program, tier)),
    );
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = bench_programs
}
criterion_main!(benches);
