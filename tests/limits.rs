//! The host's limits through `elle::Engine`: fuel, a time limit or deadline,
//! the interrupt handle; their conditions escape every handler in the
//! script, `finally` cleanups still run, and the engine is usable after.

use std::time::{Duration, Instant};

use elle::{Engine, Error, JitMode, OutputBuffer};

fn ok<T>(r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn failure<T: std::fmt::Debug>(r: Result<T, Error>) -> Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// An engine writing to `out`, with `fuel` and no JIT (each limit's own
/// tests say when the JIT matters).
fn fueled(fuel: u64, out: &OutputBuffer) -> Engine {
    Engine::builder()
        .fuel(fuel)
        .output(out.clone())
        .jit(JitMode::Off)
        .build()
}

/// Ways of running forever: a loop without calls, tail calls, non-tail
/// recursion (kept within the depth limit by fuel), mutual recursion
/// through closures, and a callback through a built-in.
const RUNAWAYS: &[&str] = &[
    "(while true nil)",
    "(let loop ((i 0)) (loop (+ i 1)))",
    "(define (deep n) (+ 1 (deep (+ n 1)))) (deep 0)",
    "(define (ping n) ((fn () (pong n)))) (define (pong n) (ping (+ n 1))) (ping 0)",
    "(define (again) (map (fn (x) (again)) '(1))) (again)",
    "(define v (make-vector 10 0)) (while true (for x v x))",
];

#[test]
fn every_runaway_runs_out_of_fuel() {
    for src in RUNAWAYS {
        let out = OutputBuffer::new();
        let mut engine = fueled(50_000, &out);
        let e = failure(engine.eval::<()>(src));
        assert_eq!(
            (e.condition_type(), e.message()),
            ("fuel-exhausted", "fuel exhausted"),
            "{src}"
        );
        assert_eq!(engine.fuel_remaining(), Some(0), "{src}");
    }
}

#[test]
fn fuel_exhausted_escapes_every_handler_but_cleanups_run() {
    let forms = [
        "(try (while true nil) (catch e (println \"caught\")))",
        "(handler-case (while true nil) (condition (c) (println \"caught\")))",
        "(handler-case (while true nil) (fuel-exhausted (c) (println \"caught\")))",
        "(handler-bind ((condition (fn (c) (println \"seen\")))) (while true nil))",
        "(try (while true nil) (finally (println \"cleanup\")))",
        "(restart-case (while true nil) (go-on () 1))",
    ];
    for src in forms {
        let out = OutputBuffer::new();
        let mut engine = fueled(10_000, &out);
        let e = failure(engine.eval::<()>(src));
        assert_eq!(e.condition_type(), "fuel-exhausted", "{src}");
        let printed = out.take();
        let expected = if src.contains("finally") {
            "cleanup\n"
        } else {
            ""
        };
        assert_eq!(printed, expected, "{src}");
    }
}

#[test]
fn raising_or_signalling_a_limit_condition_reaches_the_host_too() {
    let mut engine = Engine::new();
    for src in [
        "(try (error 'interrupted \"fake\") (catch e :caught))",
        "(handler-case (signal (make-condition 'memory-limit \"fake\")) (condition (c) :caught))",
    ] {
        let e = failure(engine.eval::<()>(src));
        assert_eq!(e.message(), "fake", "{src}");
    }
    // Conditions of other types are still caught.
    assert_eq!(
        ok(engine.eval::<String>("(try (error \"x\") (catch e \"caught\"))")),
        "caught"
    );
}

#[test]
fn the_engine_runs_again_once_fuel_is_added() {
    let out = OutputBuffer::new();
    let mut engine = fueled(1000, &out);
    ok(engine.eval::<()>("(define (count-to n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i)))"));
    let e = failure(engine.call::<i64>("count-to", (5000,)));
    assert_eq!(e.condition_type(), "fuel-exhausted");
    // Still out of fuel: the next call stops at its first check point.
    assert_eq!(
        failure(engine.call::<i64>("count-to", (1,))).condition_type(),
        "fuel-exhausted"
    );
    engine.add_fuel(10_000);
    assert_eq!(ok(engine.call::<i64>("count-to", (5000,))), 5000);
    let left = engine.fuel_remaining().unwrap_or(0);
    // 5000 back-edges (a call from the host is not a check point).
    assert_eq!(left, 5000);
    engine.set_fuel(None);
    assert_eq!(ok(engine.call::<i64>("count-to", (100_000,))), 100_000);
}

#[test]
fn a_cleanup_that_runs_away_is_stopped_too() {
    let out = OutputBuffer::new();
    let mut engine = fueled(10_000, &out);
    let src = "(define (f n) (try (f (+ n 1)) (finally (println n) (while true nil)))) (f 0)";
    let e = failure(engine.eval::<()>(src));
    assert_eq!(e.condition_type(), "fuel-exhausted");
    // The innermost cleanup printed its level; the rest were cut short
    // once the cleanups' allowance was spent.
    assert!(out.take().lines().count() >= 1);
    engine.add_fuel(100);
    assert_eq!(ok(engine.eval::<i64>("(+ 1 2)")), 3);
}

#[test]
fn a_time_limit_stops_each_call_and_the_next_one_starts_afresh() {
    let mut engine = Engine::builder()
        .time_limit(Duration::from_millis(100))
        .build();
    ok(engine.eval::<()>("(define (spin) (spin))"));
    for _ in 0..2 {
        let start = Instant::now();
        let e = failure(engine.call::<()>("spin", ()));
        assert_eq!(
            (e.condition_type(), e.message()),
            ("interrupted", "deadline passed")
        );
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(100) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }
    engine.set_time_limit(None);
    assert_eq!(ok(engine.eval::<i64>("(+ 2 2)")), 4);
}

#[test]
fn an_interrupt_from_another_thread_stops_the_script_and_the_engine_goes_on() {
    let out = OutputBuffer::new();
    // The JIT stays on: a handle alone does not turn it off. The loop makes
    // a closure, so it is not compiled and sees the interrupt.
    let mut engine = Engine::builder().output(out.clone()).build();
    let handle = engine.interrupt_handle();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let src = "(try (let loop () ((fn () nil)) (loop)) (catch e (println \"caught\")) (finally (println \"cleanup\")))";
    let start = Instant::now();
    let e = failure(engine.eval::<()>(src));
    assert_eq!(
        (e.condition_type(), e.message()),
        ("interrupted", "interrupted")
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.take(), "cleanup\n");
    sender.join().expect("the sender thread");
    // The interrupt was used up.
    assert_eq!(
        ok(engine.eval::<i64>("(let loop ((i 0)) (if (< i 100000) (loop (+ i 1)) i))")),
        100000
    );
}

#[test]
fn sleep_ends_at_a_deadline_or_an_interrupt() {
    let mut engine = Engine::builder()
        .time_limit(Duration::from_millis(100))
        .build();
    let start = Instant::now();
    let e = failure(engine.eval::<()>("(try (sleep 30) (catch e :caught))"));
    assert_eq!(
        (e.condition_type(), e.message()),
        ("interrupted", "deadline passed")
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    engine.set_time_limit(None);

    let handle = engine.interrupt_handle();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let start = Instant::now();
    let e = failure(engine.eval::<()>("(sleep 30)"));
    assert_eq!(
        (e.condition_type(), e.message()),
        ("interrupted", "interrupted")
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    sender.join().expect("the sender thread");
    // A short sleep with no limit just returns.
    assert!(ok(engine.eval::<bool>("(sleep 0.01) #t")));
}

#[test]
fn an_interrupt_is_seen_within_a_millisecond_or_so() {
    let mut engine = Engine::builder().jit(JitMode::Off).build();
    let handle = engine.interrupt_handle();
    let (tx, rx) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        handle.interrupt();
        let _ = tx.send(Instant::now());
    });
    failure(engine.eval::<()>("(while true nil)"));
    let stopped = Instant::now();
    let sent = rx.recv().expect("the interrupt's time");
    sender.join().expect("the sender thread");
    let latency = stopped.saturating_duration_since(sent);
    // Generous for a loaded machine: the check interval is about 10 µs.
    assert!(latency < Duration::from_millis(100), "{latency:?}");
}

#[test]
fn compiled_code_runs_out_of_fuel_too() {
    // Eagerly compiled, this loop runs in machine code, which counts the
    // same check points as the interpreter under a fuel limit.
    let mut engine = Engine::builder().jit(JitMode::Eager).fuel(100_000).build();
    ok(engine.eval::<()>("(define (sum n acc) (if (= n 0) acc (sum (- n 1) (+ acc n))))"));
    let e = failure(engine.call::<i64>("sum", (10_000_000, 0)));
    assert_eq!(e.condition_type(), "fuel-exhausted");
}

/// An engine writing to `out` whose scripts may hold at most `bytes`.
fn capped(bytes: usize, out: &OutputBuffer) -> Engine {
    Engine::builder()
        .memory_limit(bytes)
        .output(out.clone())
        .build()
}

/// Ways of holding ever more memory: string doubling, a growing vector, a
/// growing table, consing, code made by `eval`, and single large requests.
/// (Symbols made without end are a hostile script, `symbol_bomb.lisp`: the
/// table of names is shared by the whole process and never shrinks, so
/// that bomb would charge the other tests' engines too.)
const MEMORY_BOMBS: &[&str] = &[
    "(define (grow s) (grow (string-append s s))) (grow \"abcd\")",
    "(define (grow s) (grow (string s s))) (grow \"abcd\")",
    "(define v []) (let loop ((i 0)) (vector-push! v i) (loop (+ i 1)))",
    "(define t @{}) (let loop ((i 0)) (put t i i) (loop (+ i 1)))",
    "(define t @{}) (let loop ((i 0)) (put t (string \"key-\" i) i) (loop (+ i 1)))",
    "(define (grow n acc) (grow (+ n 1) (cons (list n n) acc))) (grow 0 nil)",
    "(define fs []) (let loop ((i 0)) (vector-push! fs (eval (list 'fn '(x) (list '+ 'x i)))) (loop (+ i 1)))",
    "(make-vector 200000000 0)",
    "(range 100000000)",
    "(define (grow s) (if (> (string-length s) 4000000) s (grow (string s s)))) (string->list (grow \"ab\"))",
    "(define (grow s) (if (> (string-length s) 4000000) s (grow (string s s)))) (string-split (grow \"a,\") \",\")",
    "(vector->list (make-vector 1000000 0))",
    "(string-join (map (fn (i) \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") (range 1000000)))",
];

#[test]
fn every_memory_bomb_stops_at_the_limit() {
    for src in MEMORY_BOMBS {
        let out = OutputBuffer::new();
        let mut engine = capped(24 << 20, &out);
        let e = failure(engine.eval::<()>(src));
        assert_eq!(
            (e.condition_type(), e.message()),
            ("memory-limit", "memory limit exceeded"),
            "{src}"
        );
        // Usable afterwards, once what the bomb kept is let go.
        ok(engine.eval::<()>("(define v nil) (define t nil) (define fs nil)"));
        assert_eq!(
            ok(engine.eval::<usize>("(length (range 1000))")),
            1000,
            "{src}"
        );
    }
}

#[test]
fn memory_limit_escapes_every_handler_but_cleanups_run() {
    let bomb = "(let loop ((acc nil)) (loop (cons acc acc)))";
    let forms = [
        format!("(try {bomb} (catch e (println \"caught\")))"),
        format!("(handler-case {bomb} (condition (c) (println \"caught\")))"),
        format!("(handler-case {bomb} (memory-limit (c) (println \"caught\")))"),
        format!("(handler-bind ((condition (fn (c) (println \"seen\")))) {bomb})"),
        format!("(try {bomb} (finally (println \"cleanup\")))"),
    ];
    for src in &forms {
        let out = OutputBuffer::new();
        let mut engine = capped(16 << 20, &out);
        let e = failure(engine.eval::<()>(src));
        assert_eq!(e.condition_type(), "memory-limit", "{src}");
        let expected = if src.contains("finally") {
            "cleanup\n"
        } else {
            ""
        };
        assert_eq!(out.take(), expected, "{src}");
        assert_eq!(ok(engine.eval::<i64>("(+ 40 2)")), 42);
    }
}

#[test]
fn garbage_does_not_count_once_collected() {
    // Far more is allocated over the run than the limit, little at once.
    let out = OutputBuffer::new();
    let mut engine = capped(16 << 20, &out);
    let src = "(let loop ((i 0) (n 0)) (if (< i 20000) (loop (+ i 1) (+ n (length (string-append (make-string-of 100) \"x\")))) n))";
    ok(engine
        .eval::<()>("(define (make-string-of n) (string-join (map (fn (i) \"ab\") (range n))))"));
    assert_eq!(ok(engine.eval::<i64>(src)), 20000 * 201);
    assert!(engine.heap_bytes() < 16 << 20);
}

#[test]
fn the_memory_limit_can_be_raised_and_removed() {
    let out = OutputBuffer::new();
    let mut engine = capped(8 << 20, &out);
    let src = "(define v (make-vector 1000000 0)) (vector-length v)";
    assert_eq!(
        failure(engine.eval::<usize>(src)).condition_type(),
        "memory-limit"
    );
    engine.set_memory_limit(Some(64 << 20));
    assert_eq!(ok(engine.eval::<usize>(src)), 1_000_000);
    engine.set_memory_limit(None);
    assert_eq!(engine.memory_limit(), None);
    assert_eq!(
        ok(engine.eval::<usize>("(vector-length (make-vector 3000000 0))")),
        3_000_000
    );
}

#[test]
fn fuel_and_memory_limits_together_each_stop_their_own_bomb() {
    let mut engine = Engine::builder()
        .fuel(10_000_000)
        .memory_limit(16 << 20)
        .build();
    let e = failure(engine.eval::<()>("(let loop ((acc nil)) (loop (cons 1 acc)))"));
    assert_eq!(e.condition_type(), "memory-limit");
    let left = engine.fuel_remaining().unwrap_or(0);
    assert!(left > 0 && left < 10_000_000, "{left}");
    let e = failure(engine.eval::<()>("(while true nil)"));
    assert_eq!(e.condition_type(), "fuel-exhausted");
}

#[test]
fn captured_output_counts_until_the_host_takes_it() {
    let out = OutputBuffer::new();
    let mut engine = capped(16 << 20, &out);
    let e = failure(engine.eval::<()>("(while true (print \"0123456789abcdef0123456789abcdef\"))"));
    assert_eq!(e.condition_type(), "memory-limit");
    let held = out.take().len();
    assert!(held > 8 << 20 && held <= 16 << 20, "{held}");
    // Taken, it no longer counts.
    ok(engine.eval::<()>(
        "(let loop ((i 0)) (when (< i 100000) (print \"0123456789\") (loop (+ i 1))))",
    ));
    assert_eq!(out.take().len(), 1_000_000);
}
