//! Paths that recurse in Rust end in a `stack-overflow` condition, never a
//! crash, on an ordinary 2 MiB thread with the default limits
//! (`vm/src/native_stack.rs`). Each path is driven 1,000,000 levels deep:
//! far more than the native stack of such a thread can take.

use elle_vm::Vm;

/// Runs `src` in a fresh VM with default limits on a thread with a 2 MiB
/// stack (the default of `std::thread::spawn`) and returns the error type
/// and message it ended with.
fn overflow_on_small_thread(src: &'static str) -> (String, String) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut vm = Vm::new();
            match vm.eval_source(src, "deep.lisp") {
                Ok(v) => panic!(
                    "expected a stack overflow, got {}",
                    elle_vm::printer::write_string(&vm, v)
                ),
                Err(e) => {
                    // The VM stays usable after it.
                    let after = vm
                        .eval_source("(list 1 2)", "after.lisp")
                        .map(|v| elle_vm::printer::write_string(&vm, v));
                    assert_eq!(after.as_deref().ok(), Some("(1 2)"), "after the overflow");
                    (e.ctype, e.message)
                }
            }
        })
        .expect("spawn a 2 MiB thread")
        .join()
        .expect("the 2 MiB thread crashed")
}

/// `what`: the recursion the message names (`calls from Rust into Elle`,
/// or `expressions` when the compiler's own recursion is the deeper one).
fn assert_native_overflow(src: &'static str, what: &[&str]) {
    let (ctype, message) = overflow_on_small_thread(src);
    assert_eq!(ctype, "stack-overflow", "{message}");
    let expected = |w: &&str| {
        message.contains(&format!(
            "stack overflow: {w} nest too deeply for the native stack"
        ))
    };
    assert!(what.iter().any(expected), "{message}");
}

const CALLS: &[&str] = &["calls from Rust into Elle"];

#[test]
fn a_handler_that_rebinds_itself() {
    assert_native_overflow(
        "(define c (make-condition 'warning \"w\"))
         (define (h _) (handler-bind ((warning h)) (signal c)))
         (handler-bind ((warning h)) (signal c))",
        CALLS,
    );
}

#[test]
fn an_inlined_operator_redefined_into_a_recursion() {
    // `g` was compiled with `+` inlined; once `+` is redefined, its `+`
    // calls the new function from Rust, which calls `g` again.
    assert_native_overflow(
        "(define (g n) (+ n 1))
         (define (+ a b) (if (= a 0) b (g (- a 1))))
         (g 1000000)",
        CALLS,
    );
}

#[test]
fn a_macro_expanding_into_a_deeper_call_of_itself() {
    assert_native_overflow(
        "(defmacro m (n) (if (= n 0) 0 (list '+ 1 (list 'm (- n 1)))))
         (m 1000000)",
        // The macro's own call or the compiler's recursion over the
        // expansion, whichever runs out first.
        &["expressions", "macro results", "calls from Rust into Elle"],
    );
}

#[test]
fn a_macro_that_expands_itself_with_macroexpand() {
    assert_native_overflow(
        "(defmacro m (n) (if (= n 0) 0 (macroexpand (list 'm (- n 1)))))
         (m 1000000)",
        CALLS,
    );
}

#[test]
fn a_built_in_that_calls_back_into_elle() {
    // `macroexpand` calls the macro's function from Rust at run time.
    assert_native_overflow(
        "(defmacro m (n) (if (= n 0) 0 (list 'quote (f (- n 1)))))
         (define (f n) (macroexpand (list 'm n)))
         (f 1000000)",
        CALLS,
    );
}

#[test]
fn deeply_nested_source_compiles_or_overflows_cleanly() {
    // Within the reader's nesting limit, the compiler's recursion over
    // 9,000 levels either fits in the thread's stack or ends in the
    // condition.
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut vm = Vm::new();
            let src = format!("{}1{}", "(+ 1 ".repeat(9000), ")".repeat(9000));
            vm.eval_source(&src, "nested.lisp")
                .map(|v| elle_vm::printer::write_string(&vm, v))
                .map_err(|e| (e.ctype, e.message))
        })
        .expect("spawn a 2 MiB thread")
        .join()
        .expect("the 2 MiB thread crashed");
    match result {
        Ok(v) => assert_eq!(v, "9001"),
        Err((ctype, message)) => {
            assert_eq!(ctype, "stack-overflow", "{message}");
            assert!(message.starts_with("nested.lisp:1:"), "{message}");
            assert!(message.contains("expressions nest too deeply"), "{message}");
        }
    }
}
