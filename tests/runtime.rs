//! Runtime guarantees: the collector reclaims cycles, tail calls run in
//! constant space, deep recursion works up to the depth limit and past it
//! raises `stack-overflow`.

use elle_vm::Vm;

/// Runs `f` on a thread with a large stack, as the `elle` binary does.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("test thread panicked")
}

fn eval(vm: &mut Vm, src: &str) -> String {
    match vm.eval_source(src, "test") {
        Ok(v) => elle_vm::printer::write_string(vm, v),
        Err(e) => format!("{e}"),
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_million_dropped_cycles_stay_in_bounded_memory() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        vm.set_output(Box::new(std::io::sink()));
        // Each iteration builds two cycles: a table holding itself and two
        // closures that refer to each other through shared cells.
        let src = r#"
            (define (churn n)
              (let ((i 0) (kept 0))
                (while (< i n)
                  (let ((t (table)))
                    (put t :self t)
                    (put t :n i))
                  (letrec ((ping (fn (k) (if (= k 0) 0 (pong (- k 1)))))
                           (pong (fn (k) (if (= k 0) 1 (ping (- k 1))))))
                    (set! kept (+ kept (ping 1))))
                  (set! i (+ i 1)))
                kept))
            (churn 1000000)
        "#;
        let before = peak_rss_kib();
        assert_eq!(eval(&mut vm, src), "1000000");
        assert!(vm.heap().collections() > 0, "the collector never ran");
        // The heap holds what is live plus at most one threshold of garbage.
        assert!(
            vm.heap().bytes() < 64 << 20,
            "heap grew to {} bytes",
            vm.heap().bytes()
        );
        if let (Some(b), Some(a)) = (before, peak_rss_kib()) {
            assert!(a - b < 256 * 1024, "peak RSS grew by {} KiB", a - b);
        }
    });
}

#[test]
fn a_million_iteration_tail_recursive_loop_runs_in_constant_stack() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        vm.set_max_depth(1000);
        let src = r#"
            (define (count-down n acc)
              (cond ((= n 0) acc)
                    (else (count-down (- n 1) (+ acc 1)))))
            (define (via-if n) (if (= n 0) :done (via-if (- n 1))))
            (define (via-and n) (and #t (if (= n 0) :done (via-and (- n 1)))))
            (define (via-let n) (let ((m (- n 1))) (if (< m 0) :done (via-let m))))
            (list (count-down 1000000 0) (via-if 1000000) (via-and 1000000) (via-let 1000000))
        "#;
        assert_eq!(eval(&mut vm, src), "(1000000 :done :done :done)");
    });
}

#[test]
fn mutual_tail_recursion_runs_in_constant_stack() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        vm.set_max_depth(1000);
        let src = r#"
            (define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
            (define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
            (my-even? 1000001)
        "#;
        assert_eq!(eval(&mut vm, src), "#f");
    });
}

#[test]
fn ten_thousand_deep_recursion_works() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        let src = "(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1))))) (depth 10000)";
        assert_eq!(eval(&mut vm, src), "10000");
    });
}

#[test]
fn exceeding_the_depth_limit_raises_stack_overflow() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        vm.set_max_depth(5000);
        let src = "(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1))))) (depth 10000)";
        let err = vm.eval_source(src, "test").expect_err("must overflow");
        assert_eq!(err.ctype, "stack-overflow");
        assert_eq!(err.message, "stack overflow: call depth exceeded 5000");
        // The VM is still usable, and the condition is catchable.
        let caught = "(try (depth 10000) (catch e (condition-type e)))";
        assert_eq!(eval(&mut vm, caught), "stack-overflow");
        assert_eq!(eval(&mut vm, "(depth 100)"), "100");
    });
}

#[test]
fn default_depth_limit_is_at_least_100000() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        let src = "(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1))))) (depth 99000)";
        assert_eq!(eval(&mut vm, src), "99000");
    });
}

#[test]
fn deeply_nested_source_is_a_read_error_not_a_crash() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        let src = "(".repeat(100_000);
        let err = vm.eval_source(&src, "deep.lisp").expect_err("must fail");
        assert_eq!(err.ctype, "read-error");
        assert!(err.message.starts_with("deep.lisp:1:"), "{}", err.message);
        assert!(err.message.contains("nesting too deep"), "{}", err.message);
    });
}

#[test]
fn nesting_within_the_limit_compiles_and_runs() {
    on_big_stack(|| {
        let mut vm = Vm::new();
        let src = format!("{}1{}", "(+ 1 ".repeat(5000), ")".repeat(5000));
        assert_eq!(eval(&mut vm, &src), "5001");
    });
}
