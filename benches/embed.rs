//! Criterion benches of embedding, Elle beside mlua (Lua 5.4) and rhai in
//! the same run: a call from Rust into a script function, a call from a
//! script into a Rust function, and evaluating a small script from source.
//! See docs/benchmarks.md, "Embedding".
//!
//! Every engine runs the same work: `add1` returns its argument plus one;
//! the script-to-Rust loop calls the host's `host-add1` 1,000 times per
//! iteration (throughput: calls); the small script squares a local. Each
//! result is checked before timing starts, and every timed call's result
//! is checked too, so no engine can be timing an error path.

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};

/// Script-to-Rust calls per timed iteration.
const HOST_CALLS: i64 = 1_000;

const ELLE_SCRIPT: &str = "
(define (add1 x) (+ x 1))
(define (call-host n)
  (let loop ((i 0) (acc 0))
    (if (< i n) (loop (+ i 1) (host-add1 acc)) acc)))";

const LUA_SCRIPT: &str = "
function add1(x) return x + 1 end
function call_host(n)
  local acc = 0
  for i = 1, n do acc = host_add1(acc) end
  return acc
end";

const RHAI_SCRIPT: &str = "
fn add1(x) { x + 1 }
fn call_host(n) {
  let acc = 0;
  for i in 0..n { acc = host_add1(acc); }
  acc
}";

fn elle_engine() -> elle::Engine {
    let mut engine = elle::Engine::new();
    engine.register_fn("host-add1", |x: i64| x + 1);
    engine
        .eval::<()>(ELLE_SCRIPT)
        .unwrap_or_else(|e| panic!("{e}"));
    engine
}

fn lua_engine() -> mlua::Lua {
    let lua = mlua::Lua::new();
    let host = lua
        .create_function(|_, x: i64| Ok(x + 1))
        .expect("a Lua function");
    lua.globals().set("host_add1", host).expect("a global");
    lua.load(LUA_SCRIPT).exec().expect("the Lua script");
    lua
}

fn rhai_engine() -> (rhai::Engine, rhai::AST) {
    let mut engine = rhai::Engine::new();
    engine.register_fn("host_add1", |x: i64| x + 1);
    let ast = engine.compile(RHAI_SCRIPT).expect("the rhai script");
    (engine, ast)
}

/// Times `add1` as `id` in `group`, each call's argument the last result,
/// after checking that it adds one.
fn bench_add1(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    mut add1: impl FnMut(i64) -> i64,
) {
    assert_eq!(add1(41), 42);
    group.bench_function(BenchmarkId::from_parameter(id), |b| {
        let mut x = 0;
        b.iter(|| x = add1(x));
        assert!(x > 0);
    });
}

/// `rust-to-script/ENGINE`: one call of the script's `add1` from Rust.
fn bench_rust_to_script(c: &mut Criterion) {
    let mut group = c.benchmark_group("rust-to-script");
    group.throughput(Throughput::Elements(1));

    // Through a handle to the function, as mlua's `Function` below; then
    // by name.
    let mut elle = elle_engine();
    let add1: elle::Handle = elle.get("add1").unwrap_or_else(|e| panic!("{e}"));
    bench_add1(&mut group, "elle", |x| {
        add1.call(&mut elle, (x,)).unwrap_or_else(|e| panic!("{e}"))
    });
    let mut elle = elle_engine();
    bench_add1(&mut group, "elle-by-name", |x| {
        elle.call("add1", (x,)).unwrap_or_else(|e| panic!("{e}"))
    });

    let lua = lua_engine();
    let add1: mlua::Function = lua.globals().get("add1").expect("add1");
    bench_add1(&mut group, "mlua", |x| add1.call::<i64>(x).expect("a call"));

    let (rhai, ast) = rhai_engine();
    let mut scope = rhai::Scope::new();
    bench_add1(&mut group, "rhai", |x| {
        rhai.call_fn(&mut scope, &ast, "add1", (x,))
            .expect("a call")
    });
    group.finish();
}

/// `script-to-rust/ENGINE`: a script loop calling the host's `add1`, per
/// call.
fn bench_script_to_rust(c: &mut Criterion) {
    let mut group = c.benchmark_group("script-to-rust");
    group.throughput(Throughput::Elements(HOST_CALLS as u64));

    let mut elle = elle_engine();
    let mut loop_elle = || -> i64 {
        elle.call("call-host", (HOST_CALLS,))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(loop_elle(), HOST_CALLS);
    group.bench_function(BenchmarkId::from_parameter("elle"), |b| {
        b.iter(|| assert_eq!(loop_elle(), HOST_CALLS));
    });

    let lua = lua_engine();
    let call_host: mlua::Function = lua.globals().get("call_host").expect("call_host");
    let loop_lua = || -> i64 { call_host.call::<i64>(HOST_CALLS).expect("a call") };
    assert_eq!(loop_lua(), HOST_CALLS);
    group.bench_function(BenchmarkId::from_parameter("mlua"), |b| {
        b.iter(|| assert_eq!(loop_lua(), HOST_CALLS));
    });

    let (rhai, ast) = rhai_engine();
    let mut scope = rhai::Scope::new();
    let mut loop_rhai = || -> i64 {
        rhai.call_fn(&mut scope, &ast, "call_host", (HOST_CALLS,))
            .expect("a call")
    };
    assert_eq!(loop_rhai(), HOST_CALLS);
    group.bench_function(BenchmarkId::from_parameter("rhai"), |b| {
        b.iter(|| assert_eq!(loop_rhai(), HOST_CALLS));
    });
    group.finish();
}

/// `eval-small-script/ENGINE`: reading, compiling and running a
/// three-operation script from its source.
fn bench_eval(c: &mut Criterion) {
    let mut group = c.benchmark_group("eval-small-script");

    let mut elle = elle::Engine::new();
    let src = "(let ((x 12)) (* x x))";
    assert_eq!(elle.eval::<i64>(src).unwrap_or_else(|e| panic!("{e}")), 144);
    group.bench_function(BenchmarkId::from_parameter("elle"), |b| {
        b.iter(|| assert_eq!(elle.eval::<i64>(src).unwrap_or_else(|e| panic!("{e}")), 144));
    });

    let lua = mlua::Lua::new();
    let src = "local x = 12 return x * x";
    assert_eq!(lua.load(src).eval::<i64>().expect("eval"), 144);
    group.bench_function(BenchmarkId::from_parameter("mlua"), |b| {
        b.iter(|| assert_eq!(lua.load(src).eval::<i64>().expect("eval"), 144));
    });

    let rhai = rhai::Engine::new();
    let src = "let x = 12; x * x";
    assert_eq!(rhai.eval::<i64>(src).expect("eval"), 144);
    group.bench_function(BenchmarkId::from_parameter("rhai"), |b| {
        b.iter(|| assert_eq!(rhai.eval::<i64>(src).expect("eval"), 144));
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_rust_to_script,
    bench_script_to_rust,
    bench_eval
);
criterion_main!(benches);
