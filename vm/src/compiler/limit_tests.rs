//! Programs that exceed a range of the bytecode's fields (`bytecode::MAX_*`)
//! are `syntax-error`s naming the limit and the position; programs right at
//! a limit compile and compute the right value. The programs are generated,
//! since no one would write them by hand.

use crate::vm::Vm;

/// `prefix0 prefix1 ... prefix{n-1}`.
fn names(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` copies of `1`.
fn ones(n: usize) -> String {
    vec!["1"; n].join(" ")
}

fn eval(src: &str) -> Result<String, crate::ElleError> {
    let mut vm = Vm::new();
    let v = vm.eval_source(src, "big.lisp")?;
    Ok(crate::printer::write_string(&vm, v))
}

fn run(src: &str) -> String {
    eval(src).unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

/// The message of the `syntax-error` that `src` must raise.
fn syntax_error(src: &str) -> String {
    match eval(src) {
        Ok(v) => panic!("expected a syntax-error, got {v}"),
        Err(e) => {
            assert_eq!(e.ctype, "syntax-error", "{e}");
            e.message
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn a_function_of_65537_parameters_is_a_syntax_error() {
    // Parameter 65536 used to share register 0 with parameter 0.
    let src = format!(
        "(define (f {}) p65536)\n(apply f (range 65537))",
        names("p", 65537)
    );
    assert_eq!(
        syntax_error(&src),
        "big.lisp:1:1: function has 65537 parameters and local variables (at most 65536)"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn a_function_of_65536_parameters_works() {
    let src = format!(
        "(define (f {}) p65535)\n(apply f (range 65536))",
        names("p", 65536)
    );
    assert_eq!(run(&src), "65535");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn a_function_with_more_than_65536_locals_is_a_syntax_error() {
    let binds: Vec<String> = (0..70_000).map(|i| format!("(x{i} {i})")).collect();
    let src = format!("(list 1\n  (fn () (let ({}) x69999)))", binds.join(" "));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:2:3: function has 70000 parameters and local variables (at most 65536)"
    );
    // The same as internal definitions.
    let defines: Vec<String> = (0..70_000).map(|i| format!("(define y{i} {i})")).collect();
    let src = format!("(define (g) {} y69999)", defines.join(""));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:1:1: function has 70000 parameters and local variables (at most 65536)"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn temporaries_past_the_registers_are_a_syntax_error() {
    // All 65536 registers hold parameters: `(+ ...)` needs one more.
    let src = format!("(define (f {})\n  (+ p0 p65535))", names("p", 65536));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:2:3: function needs more registers for its variables and intermediate values (at most 65536)"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn a_call_with_70000_arguments_is_a_syntax_error() {
    let src = format!(
        "(define (f & xs) (length xs))\n(println (f {}))",
        ones(70_000)
    );
    assert_eq!(
        syntax_error(&src),
        "big.lisp:2:10: call of `f` has 70000 arguments (at most 65535)"
    );
    let src = format!("((fn (& xs) xs) {})", ones(70_000));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:1:1: call has 70000 arguments (at most 65535)"
    );
    // An inlined `+` of many operands falls back to a call of `+`.
    let src = format!("(+ {})", ones(70_000));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:1:1: call of `+` has 70000 arguments (at most 65535)"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn a_call_with_65535_arguments_works() {
    // In tail position the call needs 65536 registers: the function and
    // its arguments.
    let src = format!("(define (h) (list {}))\n(length (h))", ones(65_535));
    assert_eq!(run(&src), "65535");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn literals_that_compile_to_calls_are_limited_like_calls() {
    let src = format!("(length [{}])", ones(70_000));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:1:9: vector literal has 70000 elements (at most 65535)"
    );
    let src = format!("(define x 5)\n(length `({} ,x))", ones(70_000));
    assert_eq!(
        syntax_error(&src),
        "big.lisp:2:10: quasiquote template has 70001 elements (at most 65534)"
    );
    // A quoted list is one constant, whatever its length.
    let src = format!("(length '({}))", ones(70_000));
    assert_eq!(run(&src), "70000");
}

/// `(fn (a...) (fn (b...) (fn () a... b...)))` with `n` parameters in each
/// outer function, applied to `0..n` and `n..2n`; the innermost function
/// returns the last of the `2n` variables it captures.
fn captures_program(n: usize) -> String {
    let (a, b) = (names("a", n), names("b", n));
    format!(
        "(define (outer {a})\n  (fn ({b})\n    (fn () {a} {b})))\n\
         ((apply (apply outer (range {n})) (range {n} {})))",
        2 * n
    )
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn capturing_more_than_65536_variables_is_a_syntax_error() {
    // Each enclosing function has few enough locals; together they have
    // more than a capture index can name.
    assert_eq!(
        syntax_error(&captures_program(40_000)),
        "big.lisp:3:5: function uses 80000 variables of enclosing functions (at most 65536)"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "compiles 65,536-item programs: far too slow under Miri"
)]
fn capturing_65536_variables_works() {
    // The last one has the last index a capture instruction can name.
    assert_eq!(run(&captures_program(32_768)), "65535");
}
