//! The embedding API (`elle::Engine`): typed calls both ways, closures with
//! state, handles across collections, conversion errors, host errors as
//! conditions, output capture, capabilities and the sandbox.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use elle::{Capabilities, Capability, Engine, Error, Handle, JitMode, OutputBuffer, Value};

fn engine() -> Engine {
    Engine::new()
}

/// The error of a result that should have failed.
fn failure<T: std::fmt::Debug>(r: Result<T, Error>) -> Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn ok<T>(r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rust_calls_elle_with_typed_arguments_and_results() {
    let mut e = engine();
    ok(e.eval::<()>(
        "(define (describe n s xs flag) (list (* n 2) (string-append s \"!\") (length xs) (not flag)))",
    ));
    let r: (i64, String, usize, bool) = ok(e.call("describe", (21u8, "hi", vec![1.5, 2.5], false)));
    assert_eq!(r, (42, "hi!".to_string(), 2, true));
    let f: f32 = ok(e.call("+", (1.5f32, 2)));
    assert_eq!(f, 3.5);
    let none: Option<i64> = ok(e.call("vector-ref", (vec![None::<i64>], 0)));
    assert_eq!(none, None);
    let some: Option<String> = ok(e.eval("\"x\""));
    assert_eq!(some.as_deref(), Some("x"));
}

#[test]
fn elle_calls_rust_with_typed_arguments_and_results() {
    let mut e = engine();
    e.register_fn("scale", |xs: Vec<f64>, k: f64| -> Vec<f64> {
        xs.into_iter().map(|x| x * k).collect()
    });
    e.register_fn("lookup", |m: HashMap<String, i64>, k: String| {
        m.get(&k).copied()
    });
    e.register_fn("swap", |p: (i32, String)| (p.1, p.0));
    e.register_fn("seven", || 7u64);
    assert_eq!(ok(e.eval::<Vec<f64>>("(scale '(1 2.5) 2)")), [2.0, 5.0]);
    assert_eq!(ok(e.eval::<Vec<f64>>("(scale [1] 3)")), [3.0]);
    assert_eq!(ok(e.eval::<Option<i64>>("(lookup {:a 1} \"a\")")), Some(1));
    assert_eq!(ok(e.eval::<Option<i64>>("(lookup @{\"b\" 2} \"a\")")), None);
    assert_eq!(
        ok(e.eval::<String>("(repr (swap '(1 \"one\")))")),
        "(\"one\" 1)"
    );
    assert_eq!(ok(e.eval::<i64>("(+ (seven) 1)")), 8);
}

#[test]
fn a_registered_function_is_a_value_like_any_other() {
    let mut e = engine();
    e.register_fn("bump", |x: i64| x + 1);
    assert_eq!(ok(e.eval::<Vec<i64>>("(map bump '(1 2 3))")), [2, 3, 4]);
    assert_eq!(ok(e.eval::<i64>("(apply bump '(9))")), 10);
    // Elle may redefine it, like any global.
    ok(e.eval::<()>("(define (bump x) (- x 1))"));
    assert_eq!(ok(e.call::<i64>("bump", (1,))), 0);
}

#[test]
fn closures_keep_and_share_state() {
    let mut e = engine();
    let mut_count = RefCell::new(0);
    e.register_fn("tick", move || {
        *mut_count.borrow_mut() += 1;
        *mut_count.borrow()
    });
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    e.register_fn("emit", move |x: i64| sink.borrow_mut().push(x));
    assert_eq!(ok(e.eval::<i64>("(tick) (tick) (tick)")), 3);
    ok(e.eval::<()>("(for-each emit '(4 5 6))"));
    assert_eq!(*seen.borrow(), [4, 5, 6]);
    assert_eq!(ok(e.eval::<i64>("(tick)")), 4);
}

#[test]
fn globals_are_read_and_set_with_conversions() {
    let mut e = engine();
    ok(e.set("n", 5i16));
    ok(e.set("name", String::from("elle")));
    ok(e.set("m", HashMap::from([("k".to_string(), vec![1u8, 2])])));
    ok(e.set("nothing", None::<i64>));
    assert_eq!(ok(e.eval::<i64>("(* n 2)")), 10);
    assert_eq!(ok(e.eval::<String>("(string-upcase name)")), "ELLE");
    assert_eq!(ok(e.eval::<i64>("(vector-ref (get m \"k\") 1)")), 2);
    assert!(ok(e.eval::<bool>("(nil? nothing)")));
    ok(e.eval::<()>("(define answer 42)"));
    assert_eq!(ok(e.get::<u8>("answer")), 42);
    let err = failure(e.get::<i64>("missing"));
    assert_eq!(err.condition_type(), "unbound-variable");
    assert_eq!(err.message(), "unbound variable: missing");
}

#[test]
fn integer_conversions_are_range_checked() {
    let mut e = engine();
    let err = failure(e.eval::<u8>("256"));
    assert_eq!(err.condition_type(), "type-error");
    assert_eq!(err.message(), "256 is out of range for u8");
    let err = failure(e.eval::<u32>("-1"));
    assert_eq!(err.message(), "-1 is out of range for u32");
    assert_eq!(ok(e.eval::<i8>("-128")), -128);
    let err = failure(e.eval::<i8>("-129"));
    assert_eq!(err.message(), "-129 is out of range for i8");
    let err = failure(e.set("big", u64::MAX));
    assert_eq!(err.condition_type(), "type-error");
    assert_eq!(
        err.message(),
        "18446744073709551615 is out of range for an Elle integer (i64)"
    );
    let err = failure(e.eval::<i64>("1.5"));
    assert_eq!(err.message(), "expected an integer (i64), got float 1.5");
    let err = failure(e.eval::<Vec<u8>>("'(1 2 300)"));
    assert_eq!(err.message(), "300 is out of range for u8");
    let err = failure(e.eval::<(i64, i64)>("'(1 2 3)"));
    assert_eq!(
        err.message(),
        "expected a list of 2 items, got list (1 2 3)"
    );
}

#[test]
fn bad_arguments_to_a_registered_function_name_it_and_the_position() {
    let mut e = engine();
    e.register_fn("byte", |_: i64, b: u8| b);
    let err = failure(e.eval::<i64>("(byte 1 1000)"));
    assert_eq!(err.condition_type(), "type-error");
    assert_eq!(
        err.message(),
        "byte: argument 2: 1000 is out of range for u8"
    );
    let err = failure(e.eval::<i64>("(byte \"a\" 1)"));
    assert_eq!(
        err.message(),
        "byte: argument 1: expected an integer (i64), got string \"a\""
    );
    let err = failure(e.eval::<i64>("(byte 1 2 3)"));
    assert_eq!(err.condition_type(), "arity-error");
    assert_eq!(err.message(), "byte: expected 2 arguments, got 3");
    // Elle code catches them like any type-error.
    let caught: String =
        ok(e.eval("(try (byte 1 -1) (catch (c type-error) (condition-message c)))"));
    assert_eq!(caught, "byte: argument 2: -1 is out of range for u8");
    e.register_fn("huge", || u64::MAX);
    let err = failure(e.eval::<()>("(huge)"));
    assert_eq!(
        err.message(),
        "huge: result: 18446744073709551615 is out of range for an Elle integer (i64)"
    );
}

#[test]
fn an_err_result_is_an_error_condition_that_try_catches() {
    let mut e = engine();
    e.register_fn("checked-div", |a: i64, b: i64| {
        if b == 0 {
            Err(format!("cannot divide {a} by zero"))
        } else {
            Ok(a / b)
        }
    });
    assert_eq!(ok(e.eval::<i64>("(checked-div 7 2)")), 3);
    let caught: (String, String) = ok(e.eval(
        "(try (checked-div 1 0) (catch c (list (symbol->string (condition-type c)) (condition-message c))))",
    ));
    assert_eq!(
        caught,
        ("error".to_string(), "cannot divide 1 by zero".to_string())
    );
    // Uncaught, it reaches the host with the Elle trace of the call.
    let err = failure(e.eval_named::<i64>("t", "(define (f) (checked-div 1 0))\n(f)"));
    assert_eq!(err.condition_type(), "error");
    assert_eq!(err.message(), "cannot divide 1 by zero");
    assert_eq!(err.trace(), ["f (t:1:13)", "<top> (t:2:1)"]);
    // `finally` runs on the way out.
    let out = OutputBuffer::new();
    e.set_output(out.clone());
    let _ = failure(e.eval::<()>("(try (checked-div 1 0) (finally (print \"cleanup\")))"));
    assert_eq!(out.contents(), "cleanup");
}

#[test]
fn a_handle_keeps_its_value_across_collections() {
    let mut e = Engine::builder().gc_stress(true).build();
    let list: Handle = ok(e.eval("(define tmp (list 1 2 (vector 3 \"four\"))) tmp"));
    // No other reference is left: the global is rebound and the list is
    // unreachable from Elle.
    ok(e.eval::<()>("(set! tmp nil)"));
    ok(e.eval::<()>(
        "(define (churn n) (when (> n 0) (list n n n) (churn (- n 1)))) (churn 20000)",
    ));
    e.collect_garbage();
    let back: (i64, i64, (i64, String)) = ok(list.get(&mut e));
    assert_eq!(back, (1, 2, (3, "four".to_string())));
    // It can be passed back to Elle.
    ok(e.set("again", &list));
    assert_eq!(ok(e.eval::<i64>("(length again)")), 3);
    // A clone is a root of its own.
    let copy = list.clone();
    drop(list);
    e.collect_garbage();
    assert_eq!(ok(e.eval::<String>("(repr again)")), "(1 2 [3 \"four\"])");
    assert_eq!(ok(copy.get::<Vec<Value>>(&mut e)).len(), 3);
}

#[test]
fn dropping_a_handle_lets_the_value_go() {
    let mut e = engine();
    let h: Handle = ok(e.eval("(make-vector 100000 0)"));
    e.collect_garbage();
    let live = e.heap_bytes();
    assert!(live > 100_000 * 16, "the vector is counted");
    drop(h);
    e.collect_garbage();
    assert!(
        e.heap_bytes() + 100_000 * 16 <= live,
        "the vector's memory was not freed"
    );
}

#[test]
fn a_handle_to_a_function_can_be_called() {
    let mut e = engine();
    let adder: Handle = ok(e.eval("(let ((k 10)) (fn (x) (+ x k)))"));
    e.collect_garbage();
    assert_eq!(ok(adder.call::<i64>(&mut e, (5,))), 15);
    let err = failure(adder.call::<i64>(&mut e, ()));
    assert_eq!(err.condition_type(), "arity-error");
}

#[test]
fn a_handle_belongs_to_its_engine() {
    let mut a = engine();
    let mut b = engine();
    let h: Handle = ok(a.eval("(list 1)"));
    let err = failure(h.get::<Vec<i64>>(&mut b));
    assert_eq!(err.condition_type(), "error");
    assert_eq!(
        err.message(),
        "a handle was used with another engine than its own"
    );
    let err = failure(b.set("x", &h));
    assert_eq!(err.condition_type(), "error");
    assert_eq!(ok(h.get::<Vec<i64>>(&mut a)), [1]);
    // It may outlive its engine; dropping it then is harmless.
    drop(a);
    drop(h);
    assert_eq!(ok(b.eval::<i64>("1")), 1);
}

#[test]
fn output_goes_to_the_host_writer() {
    let out = OutputBuffer::new();
    let diag = OutputBuffer::new();
    let mut e = Engine::builder()
        .output(out.clone())
        .diagnostics(diag.clone())
        .build();
    ok(e.eval::<()>(
        "(print 1 2) (newline) (println \"a\" 'b) (display \"s\") (write \"s\") (trace \"t\" 1)",
    ));
    assert_eq!(out.take(), "1 2\na b\ns\"s\"");
    assert_eq!(diag.take(), "[TRACE] t: 1\n");
    e.register_fn("shout", |s: String| s.to_uppercase());
    ok(e.eval::<()>("(define (greet) (println (shout \"hi\")))"));
    ok(e.call::<()>("greet", ()));
    assert_eq!(out.take(), "HI\n");
    // Output written before an error is kept.
    let _ = failure(e.eval::<()>("(print \"before\") (car 1)"));
    assert_eq!(out.take(), "before");
}

#[test]
fn errors_display_like_the_command_line_report() {
    let mut e = engine();
    let err = failure(e.eval_named::<()>(
        "deep",
        "(define (f n) (if (= n 0) (car 1) (+ 1 (f (- n 1)))))\n(f 5)",
    ));
    assert_eq!(err.condition_type(), "type-error");
    assert_eq!(err.data(), Some("1"));
    assert_eq!(err.trace().len(), 7);
    assert_eq!(
        err.to_string(),
        "error[type-error]: car: expected non-empty list, got integer 1\n  \
         at f (deep:1:27)\n  at f (deep:1:40)\n  at f (deep:1:40)\n  \
         ... previous line repeated 3 more times\n  at <top> (deep:2:1)"
    );
    let e: Box<dyn std::error::Error> = Box::new(err);
    assert!(e.to_string().starts_with("error[type-error]"));
}

#[test]
fn the_engine_stays_usable_after_errors() {
    let mut e = engine();
    let _ = failure(e.eval::<()>("(car"));
    let _ = failure(e.eval::<()>("(error \"boom\")"));
    let _ = failure(e.call::<()>("car", (1,)));
    assert_eq!(ok(e.eval::<i64>("(+ 1 1)")), 2);
}

#[test]
fn files_are_run_with_their_imports() {
    let dir = std::env::temp_dir().join(format!("elle-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("lib.lisp"), "(define (twice x) (* 2 x))").expect("write");
    std::fs::write(dir.join("main.lisp"), "(import \"lib.lisp\")\n(twice 21)").expect("write");
    let mut e = engine();
    let r = e.eval_file::<i64>(dir.join("main.lisp"));
    let missing = e.eval_file::<i64>(dir.join("missing.lisp"));
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert_eq!(ok(r), 42);
    let err = failure(missing);
    assert_eq!(err.condition_type(), "io-error");
    assert!(
        err.message().starts_with("cannot read"),
        "{}",
        err.message()
    );
}

#[test]
fn every_jit_mode_gives_the_same_answers() {
    for mode in [JitMode::Off, JitMode::Auto(2), JitMode::Eager] {
        let mut e = Engine::builder().jit(mode).build();
        e.register_fn("sq", |x: i64| x * x);
        ok(e.eval::<()>("(define (sum-sq n) (let loop ((i 0) (acc 0)) (if (= i n) acc (loop (+ i 1) (+ acc (sq i))))))"));
        assert_eq!(ok(e.call::<i64>("sum-sq", (100,))), 328_350, "{mode:?}");
    }
}

/// A temporary folder with `lib.lisp` and `data.txt`, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("elle-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("lib.lisp"), "(define (twice x) (* 2 x))").expect("write");
        std::fs::write(dir.join("data.txt"), "secret\n").expect("write");
        TempDir(dir)
    }

    /// The path of `name` inside, as Elle source (a string literal).
    fn lit(&self, name: &str) -> String {
        format!("{:?}", self.0.join(name).to_string_lossy())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_sandboxed_engine_has_no_files() {
    let dir = TempDir::new("sandbox");
    let (data, lib, new) = (dir.lit("data.txt"), dir.lit("lib.lisp"), dir.lit("new.txt"));
    let folder = format!("{:?}", dir.0.to_string_lossy());
    let forms = [
        format!("(read-file {data})"),
        format!("(read-lines {data})"),
        format!("(file-exists? {data})"),
        format!("(list-directory {folder})"),
        format!("(write-file {new} \"x\")"),
        format!("(append-file {new} \"x\")"),
        format!("(delete-file {data})"),
        format!("(import {lib})"),
    ];
    let mut e = Engine::sandboxed();
    for src in &forms {
        let err = failure(e.eval::<Value>(src));
        assert_eq!(err.condition_type(), "io-error", "{src}");
        assert!(
            err.message().contains("file access is not allowed"),
            "{src}: {}",
            err.message()
        );
        // An ordinary error: the script may catch it.
        let caught = format!("(try {src} (catch e (string (condition-type e))))");
        assert_eq!(ok(e.eval::<String>(&caught)), "io-error");
    }
    assert!(!dir.0.join("new.txt").exists());
    assert!(dir.0.join("data.txt").exists());
    // The host may still run a file (its own act), and grant files back.
    ok(e.eval_file::<()>(dir.0.join("lib.lisp")));
    assert_eq!(ok(e.eval::<i64>("(twice 21)")), 42);
    let mut e = Engine::builder()
        .sandbox()
        .capability(Capability::Files, true)
        .build();
    assert_eq!(ok(e.eval::<String>(&forms[0])), "secret\n");
}

#[test]
fn a_sandboxed_engine_cannot_exit_the_host() {
    let mut e = Engine::sandboxed();
    let err = failure(e.eval::<()>("(exit 3)"));
    assert_eq!(err.condition_type(), "capability-error");
    assert_eq!(
        err.message(),
        "exit: exit is not allowed in this engine (it is sandboxed)"
    );
    assert_eq!(
        ok(e.eval::<String>("(try (exit 0) (catch e (string (condition-type e))))")),
        "capability-error"
    );
    assert!(ok(e.eval::<bool>(
        "(condition-is? (make-condition 'capability-error \"x\") 'error)"
    )));
}

#[test]
fn each_capability_is_on_by_default_off_in_a_sandbox_and_toggled_on_the_builder() {
    let all = Engine::new().capabilities();
    let sandbox = Engine::sandboxed().capabilities();
    for cap in Capability::ALL {
        assert!(all.has(cap), "{cap:?}");
        assert_eq!(sandbox.has(cap), cap == Capability::Output, "{cap:?}");
        let off = Engine::builder().capability(cap, false).build();
        assert!(!off.capabilities().has(cap), "{cap:?}");
        let on = Engine::builder().sandbox().capability(cap, true).build();
        assert!(on.capabilities().has(cap), "{cap:?}");
    }
    assert_eq!(Capabilities::default(), Capabilities::all());
}

#[test]
fn the_ffi_is_absent_in_a_sandbox_and_refused_once_its_capability_is_taken_away() {
    // Sandboxed: the names are unbound (LANGUAGE.md §8).
    let mut e = Engine::sandboxed();
    let err = failure(e.eval::<()>("(ffi/load \"libm.so.6\")"));
    assert_eq!(err.condition_type(), "unbound-variable");
    // Installed, then taken away: the FFI's functions, and those `ffi/fn`
    // made, raise ffi-error.
    let mut e = Engine::new();
    ok(e.eval::<()>(
        "(define libm (ffi/load \"libm.so.6\")) (define cos (ffi/fn libm \"cos\" :double :double))",
    ));
    assert_eq!(ok(e.eval::<f64>("(cos 0.0)")), 1.0);
    e.set_capabilities(Capabilities::all().with(Capability::Ffi, false));
    for (src, name) in [
        ("(cos 0.0)", "cos"),
        ("(ffi/load \"libm.so.6\")", "ffi/load"),
        ("(ffi/fn libm \"sin\" :double :double)", "ffi/fn"),
        ("(ffi/alloc 8)", "ffi/alloc"),
    ] {
        let err = failure(e.eval::<()>(src));
        assert_eq!(err.condition_type(), "ffi-error", "{src}");
        assert_eq!(
            err.message(),
            format!("{name}: the FFI is not allowed in this engine (it is sandboxed)"),
            "{src}"
        );
    }
}

#[test]
fn without_output_printing_is_an_io_error() {
    let out = OutputBuffer::new();
    let mut e = Engine::builder()
        .output(out.clone())
        .capability(Capability::Output, false)
        .build();
    for src in [
        "(print 1)",
        "(println \"x\")",
        "(display 'a)",
        "(write 2)",
        "(newline)",
    ] {
        let err = failure(e.eval::<()>(src));
        assert_eq!(err.condition_type(), "io-error", "{src}");
    }
    assert_eq!(out.contents(), "");
    e.set_capabilities(Capabilities::sandbox());
    ok(e.eval::<()>("(print 1)"));
    assert_eq!(out.contents(), "1");
}

#[test]
fn a_sandbox_and_a_memory_limit_together() {
    let mut e = Engine::builder().sandbox().memory_limit(16 << 20).build();
    let err = failure(e.eval::<()>("(define (f s) (f (string s s))) (f \"x\")"));
    assert_eq!(err.condition_type(), "memory-limit");
    let err = failure(e.eval::<()>("(read-file \"Cargo.toml\")"));
    assert_eq!(err.condition_type(), "io-error");
}
