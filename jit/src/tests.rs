//! The tier on small programs, in one process: every program runs in the
//! interpreter alone and with the JIT, and the two must agree on the value,
//! or on the condition's type, message and stack trace. Targeted at the
//! boundary: re-specialisation, deoptimisation (in calls and in loops
//! entered by OSR), redefinition, the depth limit and the native stack.
//! The golden suite and `tests/jit_differential.rs` cover the tier through
//! the command line.

use elle_vm::Vm;
use elle_vm::printer::write_string;
use elle_vm::tier::{JitMode, TierStats};

use crate::CraneliftTier;

fn vm(mode: JitMode) -> Vm {
    let mut vm = Vm::new();
    if mode != JitMode::Off {
        vm.set_tier(Some(Box::new(CraneliftTier::new())), mode);
    }
    vm
}

/// The value's write form, or the error with its trace.
fn run(vm: &mut Vm, src: &str) -> String {
    match vm.eval_source(src, "test") {
        Ok(v) => write_string(vm, v),
        Err(e) => format!(
            "error[{}]: {}\n{}\n({} frames left out)",
            e.ctype,
            e.message,
            e.trace.join("\n"),
            e.frames_left_out
        ),
    }
}

/// Runs `src` in the interpreter and under `mode`; asserts they agree and
/// returns the output and what the tier did.
fn agree(mode: JitMode, src: &str) -> (String, TierStats) {
    let expected = run(&mut vm(JitMode::Off), src);
    let mut jit = vm(mode);
    let got = run(&mut jit, src);
    assert_eq!(got, expected, "{src}");
    (got, jit.tier_stats().clone())
}

#[test]
fn fib_compiles_and_agrees() {
    let src = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 20)";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "6765");
    assert!(stats.compiled >= 1, "{stats:?}");
    assert_eq!(stats.deopts, 0, "{stats:?}");
}

#[test]
fn floats_booleans_and_mutual_calls() {
    let src = "
        (define (sq x) (* x x))
        (define (norm x y) (sqrt (+ (sq x) (sq y))))
        (define (inside? x y) (< (norm x y) 1.0))
        (list (norm 3.0 4.0) (inside? 0.5 0.5) (inside? 1 1) (sq -0.0) (norm 3 4))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(5.0 #t #f 0.0 5.0)");
    assert!(stats.compiled >= 3, "{stats:?}");
}

#[test]
fn a_type_change_declines_the_entry_and_respecialises() {
    let src = "
        (define (add a b) (+ a b))
        (list (add 1 2) (add 1.5 2) (add 1.5 2.25) (add 3 4))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(3 3.5 3.75 7)");
    assert!(stats.guard_failures >= 2, "{stats:?}");
    assert!(stats.respecialisations >= 2, "{stats:?}");
}

#[test]
fn overflow_deoptimises_and_the_interpreter_raises_it_with_the_same_trace() {
    let src = "
        (define (sq x) (* x x))
        (define (f x) (+ 1 (sq x)))
        (f 5)
        (f 4611686018427387904)";
    let (out, stats) = agree(JitMode::Eager, src);
    assert!(
        out.starts_with("error[overflow-error]: integer overflow in *"),
        "{out}"
    );
    assert!(out.contains("sq (test:2:"), "{out}");
    assert!(stats.deopts >= 1, "{stats:?}");
}

#[test]
fn division_by_zero_and_mod_by_a_negative_number_deoptimise() {
    for src in [
        "(define (d a b) (/ a b)) (d 7 2) (d 7 0)",
        "(define (m a b) (mod a b)) (list (m 7 2) (m -7 2) (m 7 -2) (m -7 -2))",
        "(define (m a) (mod a -1)) (m -9223372036854775808)",
        "(define (d a) (/ a -1)) (d -9223372036854775808)",
    ] {
        agree(JitMode::Eager, src);
    }
}

#[test]
fn redefining_a_compiled_callee_takes_effect_at_once() {
    let src = "
        (define (g x) (+ x 1))
        (define (f x) (* 2 (g x)))
        (define a (f 1))
        (define (g x) (* x 10))
        (list a (f 1) (f 2))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(4 20 40)");
    // The entry of `f` checks what `g` holds, declines, and `f` is
    // compiled again against the new `g`.
    assert!(stats.guard_failures >= 1, "{stats:?}");
    assert!(stats.respecialisations >= 1, "{stats:?}");
}

#[test]
fn redefining_an_inlined_operator_drops_compiled_code() {
    let src = "
        (define (f x) (+ x 1))
        (define a (f 1))
        (define (+ a b) (* a b))
        (list a (f 5))";
    let (out, _) = agree(JitMode::Eager, src);
    assert_eq!(out, "(2 5)");
}

#[test]
fn a_hot_loop_in_a_function_called_once_runs_by_osr() {
    let src = "
        (define (count n)
          (let ((i 0) (acc 0))
            (while (< i n)
              (set! acc (+ acc (mod (* i i) 7)))
              (set! i (+ i 1)))
            acc))
        (count 100000)";
    let (out, stats) = agree(JitMode::Auto(50), src);
    assert_eq!(out, "199999");
    assert_eq!(stats.compiled, 1, "{stats:?}");
    assert_eq!(stats.deopts, 0, "{stats:?}");
}

#[test]
fn an_overflow_inside_an_osr_loop_resumes_the_interpreter_in_the_loop() {
    let src = "
        (define (grow n)
          (let ((x 1) (i 0))
            (while (< i n)
              (set! x (* x 3))
              (set! i (+ i 1)))
            x))
        (grow 30)
        (grow 100)";
    let (out, stats) = agree(JitMode::Auto(5), src);
    assert!(out.starts_with("error[overflow-error]"), "{out}");
    assert!(stats.deopts >= 1, "{stats:?}");
}

#[test]
fn named_let_loops_and_tail_calls() {
    let src = "
        (define (sum-to n) (let loop ((i 0) (acc 0)) (if (> i n) acc (loop (+ i 1) (+ acc i)))))
        (define (even-odd n) (if (= n 0) #t (odd-even (- n 1))))
        (define (odd-even n) (if (= n 0) #f (even-odd (- n 1))))
        (list (sum-to 1000) (even-odd 1000001) (even-odd 1000000))";
    let (out, _) = agree(JitMode::Eager, src);
    assert_eq!(out, "(500500 #f #t)");
}

#[test]
fn a_function_tail_calling_itself_loops_and_deoptimises_inside_the_loop() {
    // The tail call of itself is a jump: a million iterations use no
    // stack, and an overflow in the 40th iteration gives the interpreter a
    // frame holding that iteration's registers (the trace and message are
    // compared with the interpreter's by `agree`).
    let src = "
        (define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc n))))
        (define (triple n acc) (if (= n 0) acc (triple (- n 1) (* acc 3))))
        (count 1000000 0)";
    let (out, _) = agree(JitMode::Eager, src);
    assert_eq!(out, "500000500000");
    let (out, stats) = agree(JitMode::Eager, &format!("{src} (triple 100 1)"));
    assert!(out.starts_with("error[overflow-error]"), "{out}");
    assert!(stats.deopts >= 1, "{stats:?}");
}

#[test]
fn compiled_recursion_respects_the_depth_limit() {
    let src = "
        (define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))
        (deep 5000)
        (deep 200000)";
    let (out, stats) = agree(JitMode::Eager, src);
    assert!(out.starts_with("error[stack-overflow]"), "{out}");
    assert!(stats.deopts >= 1, "{stats:?}");
}

#[test]
fn compiled_recursion_on_a_small_thread_continues_in_the_interpreter() {
    // Deep enough that compiled frames alone would overflow a 2 MiB
    // stack; the native-stack check deoptimises and the interpreter, whose
    // frames are on the heap, carries on.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut vm = vm(JitMode::Eager);
            run(
                &mut vm,
                "(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 90000)",
            )
        })
        .expect("thread");
    assert_eq!(handle.join().expect("no crash"), "90000");
}

#[test]
fn functions_that_are_not_eligible_stay_in_the_interpreter() {
    let src = "
        (define (greet) (println \"hi\") 1)
        (define (uses-list xs) (car xs))
        (define (f x) (+ (greet) x))
        (list (greet) (uses-list '(1 2)) (f 1))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(1 1 2)");
    assert_eq!(stats.compiled, 0, "{stats:?}");
}

#[test]
fn gc_stress_with_compiled_code() {
    let src = "
        (define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
        (define (build n acc) (if (= n 0) acc (build (- n 1) (cons (fib 10) acc))))
        (length (build 200 '()))";
    let mut jit = vm(JitMode::Eager);
    jit.set_gc_stress(true);
    assert_eq!(run(&mut jit, src), "200");
    assert!(jit.tier_stats().compiled >= 1);
}

#[test]
fn the_ir_of_an_eligible_function_is_shown() {
    let mut vm = vm(JitMode::Eager);
    run(
        &mut vm,
        "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))",
    );
    let f = vm.get_global("fib").expect("fib");
    let ir = vm.tier_ir(f, &[elle_vm::Value::Int(0)]).expect("ir");
    if std::env::var_os("ELLE_SHOW_IR").is_some() {
        eprintln!("{ir}");
    }
    assert!(
        ir.contains("sadd_overflow") || ir.contains("ssub_overflow"),
        "{ir}"
    );
    assert!(ir.contains("return_call") || ir.contains("call fn"), "{ir}");
}

#[test]
fn arithmetic_left_unchecked_by_range_analysis_is_exactly_what_cannot_overflow() {
    // Each `+`/`-` here sits next to the bound its range comes from: an
    // unchecked overflow would print a wrapped number instead of the
    // interpreter's condition.
    let cases = [
        (
            "(define (up i n) (let loop ((i i)) (if (< i n) (loop (+ i 1)) i)))
             (up 9223372036854775800 9223372036854775807)",
            "9223372036854775807",
        ),
        (
            "(define (h n) (+ (mod n 7) 9223372036854775801)) (h 6)",
            "9223372036854775807",
        ),
        (
            "(define (h n) (+ (mod n 7) 9223372036854775802)) (h 6)",
            "error[overflow-error]",
        ),
        (
            "(define (down n) (if (< n 2) (- n 1) n)) (down -9223372036854775808)",
            "error[overflow-error]",
        ),
        (
            "(define (acc n) (let loop ((i 0) (a 0)) (if (< i n) (loop (+ i 1) (+ a 4611686018427387904)) a)))
             (acc 2)",
            "error[overflow-error]",
        ),
        (
            "(define (neg n) (if (< n 0) (- 0 n) n)) (neg -9223372036854775808)",
            "error[overflow-error]",
        ),
    ];
    for (src, expected) in cases {
        let (out, stats) = agree(JitMode::Eager, src);
        assert!(out.starts_with(expected), "{src}: {out}");
        assert!(stats.compiled >= 1, "{src}: {stats:?}");
    }
}

#[test]
fn mod_of_a_number_that_cannot_be_negative_agrees_with_the_interpreter() {
    let src = "
        (define (f n) (let loop ((i 0) (acc 0)) (if (< i n) (loop (+ i 1) (+ acc (mod (* i i) 7))) acc)))
        (define (g n) (mod (- n 10) 7))
        (list (f 1000) (g 4) (g 17) (mod -3 7))";
    let (out, _) = agree(JitMode::Eager, src);
    assert_eq!(out, "(2001 1 0 4)");
}

#[test]
fn integers_and_floats_compare_exactly_in_compiled_code() {
    // 2^53 + 1 is not a float: a comparison through a conversion would
    // find it equal to 2^53. `cmp` sums a bit per comparison that holds:
    // < 1, > 2, <= 4, >= 8, == 16.
    let src = "
        (define (bit c n) (if c n 0))
        (define (cmp x y)
          (+ (+ (bit (< x y) 1) (bit (> x y) 2))
             (+ (+ (bit (<= x y) 4) (bit (>= x y) 8)) (bit (== x y) 16))))
        (define nan (- (sqrt -1.0)))
        (list (cmp 9007199254740993 9007199254740992.0)
              (cmp 9007199254740992.0 9007199254740993)
              (cmp 3 3.0) (cmp 3 3.5) (cmp -3 -3.5) (cmp 3.5 3)
              (cmp 9223372036854775807 9223372036854775807.0)
              (cmp -9223372036854775808 -9223372036854775808.0)
              (cmp -9223372036854775808 -1e300)
              (cmp 1 nan) (cmp nan 1) (cmp 0 -0.0))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert!(out.starts_with("(10 5 "), "{out}");
    assert!(stats.rejected.is_empty(), "{stats:?}");
    assert!(stats.compiled >= 1, "{stats:?}");
}

#[test]
fn numeric_predicates_and_abs_compile_and_agree() {
    let src = "
        (define (bits x)
          (+ (+ (if (even? x) 1 0) (if (odd? x) 2 0)) (+ (if (pos? x) 4 0) (if (neg? x) 8 0))))
        (define (fbits x) (+ (if (pos? x) 4 0) (if (neg? x) 8 0)))
        (define (h x) (abs x))
        (list (bits 5) (bits -4) (bits 0) (bits -3)
              (fbits -2.5) (fbits 0.0) (fbits (- (sqrt -1.0)))
              (h 3) (h -3.5) (h -9223372036854775807))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(6 9 1 10 8 0 0 3 3.5 9223372036854775807)");
    assert!(stats.rejected.is_empty(), "{stats:?}");
    let (out, stats) = agree(
        JitMode::Eager,
        "(define (h x) (abs x)) (h -9223372036854775808)",
    );
    assert!(
        out.starts_with("error[overflow-error]: integer overflow in abs"),
        "{out}"
    );
    assert!(stats.deopts >= 1, "{stats:?}");
}

/// Runs `src` under `fuel` in `mode`: its output and the fuel left.
fn run_with_fuel(mode: JitMode, fuel: u64, src: &str) -> (String, Option<u64>, TierStats) {
    let mut vm = vm(mode);
    vm.limits_mut().set_fuel(Some(fuel));
    let out = run(&mut vm, src);
    (out, vm.limits().fuel(), vm.tier_stats().clone())
}

#[test]
fn compiled_code_counts_the_limits_check_points_as_the_interpreter_does() {
    // Loops (back-edges), recursion (calls), self tail calls (jumps in
    // compiled code) and an OSR loop: the fuel left after each run, and
    // where fuel runs out, are the interpreter's exactly.
    let src = "
        (define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
        (define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc 1))))
        (define (loop n) (let ((i 0) (s 0)) (while (< i n) (set! s (+ s i)) (set! i (+ i 1))) s))
        (list (fib 15) (count 5000 0) (loop 5000))";
    for fuel in [1_000_000, 20_000, 3_001, 997] {
        let (expected, left, _) = run_with_fuel(JitMode::Off, fuel, src);
        let (got, got_left, stats) = run_with_fuel(JitMode::Eager, fuel, src);
        assert_eq!(got, expected, "fuel {fuel}");
        assert_eq!(got_left, left, "fuel {fuel}");
        assert!(stats.compiled >= 1, "fuel {fuel}: {stats:?}");
        if fuel < 20_000 {
            assert!(
                got.starts_with("error[fuel-exhausted]"),
                "fuel {fuel}: {got}"
            );
        }
    }
    let (out, _, _) = run_with_fuel(JitMode::Eager, 1_000_000, src);
    assert_eq!(out, "(610 5000 12497500)");
}

#[test]
fn a_deoptimisation_inside_an_inlined_callee_records_both_frames() {
    // `inc` is inlined into `f`; its overflow deoptimises with `f`'s live
    // registers (`s`, `a`) written back under `inc`'s frame, and the
    // interpreter raises the error with the interpreter's trace.
    let src = "
        (define (inc x) (+ x 1))
        (define (f a b) (let ((s (* a 2))) (+ s (inc b) a)))
        (list (f 1 2) (f 3 4))
        (f 5 9223372036854775807)";
    let (out, stats) = agree(JitMode::Eager, src);
    assert!(
        out.starts_with("error[overflow-error]: integer overflow in +"),
        "{out}"
    );
    assert!(out.contains("inc (test:2:"), "{out}");
    assert!(out.contains("f (test:3:"), "{out}");
    assert!(stats.deopts >= 1, "{stats:?}");
}

#[test]
fn inlined_recursion_near_the_depth_limit_continues_in_the_interpreter() {
    // Recursion unrolled once by inlining: the call budget runs out in the
    // function's own frame or in the inlined one, depending on the depth;
    // either way the interpreter carries on from the recorded frames and
    // raises `stack-overflow` exactly where it would.
    let src = "(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1)))))";
    for n in 490..=502 {
        let program = format!("{src} (down {n})");
        let expected = {
            let mut vm = vm(JitMode::Off);
            vm.set_max_depth(500);
            run(&mut vm, &program)
        };
        let mut jit = vm(JitMode::Eager);
        jit.set_max_depth(500);
        assert_eq!(run(&mut jit, &program), expected, "(down {n})");
        assert!(jit.tier_stats().compiled >= 1);
    }
}

#[test]
fn small_callees_are_inlined_even_when_compiled_before() {
    // `sq` and `sqf` are compiled on their own first; `norm2` and `normf`,
    // compiled later, inline them at both calls. fib inlines itself at its
    // two calls. tak is too large to inline.
    let src = "
        (define (sq x) (* x x))
        (define (sqf x) (* x x))
        (list (sq 3) (sqf 0.5))
        (define (norm2 x y) (+ (sq x) (sq y)))
        (define (normf x y) (+ (sqf x) (sqf y)))
        (define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
        (define (tak x y z)
          (if (< y x) (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y)) z))
        (list (norm2 3 4) (normf 1.5 2.0) (fib 15) (tak 6 4 2))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert_eq!(out, "(25 6.25 610 3)");
    assert_eq!(stats.inlined, 6, "{stats:?}");
}

#[test]
fn float_mod_compiles_and_agrees() {
    // Floored: the result has the divisor's sign; a zero divisor is NaN,
    // not an error, for floats.
    let src = "
        (define (m a b) (mod a b))
        (define (mi a) (mod a 3))
        (define (wrap x) (let ((s 0.0) (i 0)) (while (< i 10) (set! s (+ s (mod (* x i) 1.0))) (set! i (+ i 1))) s))
        (list (m 7.5 2.0) (m -7.5 2.0) (m 7.5 -2.0) (m -7.5 -2.0) (m 5 2.5) (m 7.5 2)
              (m -0.0 3.0) (m 1.0 0.0) (mi 7.5) (mi -7.5) (wrap 0.37))";
    let (out, stats) = agree(JitMode::Eager, src);
    assert!(
        out.starts_with("(1.5 0.5 -0.5 -1.5 0.0 1.5 -0.0 +nan.0 1.5 1.5 "),
        "{out}"
    );
    assert!(stats.rejected.is_empty(), "{stats:?}");
    assert!(stats.compiled >= 3, "{stats:?}");
}

/// Runs `src` in `vm` while another thread sets its interrupt flag after
/// a tenth of a second.
fn run_interrupted(vm: &mut Vm, src: &str) -> String {
    let flag = vm.limits().interrupt_flag();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let out = run(vm, src);
    setter.join().expect("setter thread");
    out
}

#[test]
fn an_interrupt_stops_a_compiled_loop_when_someone_holds_the_flag() {
    // Without fuel or a deadline: holding the interrupt flag is what makes
    // the code count check points. The loop runs in machine code (OSR)
    // until another thread sets the flag; had it been missed, the loop
    // would run some 20 seconds and return a number.
    let mut vm = vm(JitMode::Auto(50));
    let out = run_interrupted(
        &mut vm,
        "(define (spin) (let ((i 0)) (while (< i 20000000000) (set! i (+ i 1))) i)) (spin)",
    );
    assert!(out.starts_with("error[interrupted]: interrupted"), "{out}");
    assert!(vm.tier_stats().compiled >= 1, "{:?}", vm.tier_stats());
    // The VM is usable afterwards, and recursion is interrupted too.
    let out = run_interrupted(
        &mut vm,
        "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 46)",
    );
    assert!(out.starts_with("error[interrupted]: interrupted"), "{out}");
}
