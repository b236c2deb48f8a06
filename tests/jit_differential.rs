//! Differential tests of the execution tiers: random *JIT-eligible* Elle
//! programs (DESIGN.md, "Eligibility") run through the real `elle` binary
//! under `--jit off`, `--jit eager` and `--jit auto --jit-threshold 2`, and
//! every mode must give the same stdout, stderr and exit status.
//!
//! Default run (128 random programs; a few seconds in the dev profile):
//!
//! ```sh
//! cargo test --test jit_differential
//! ```
//!
//! A long run (any number of cases, some 60 a second today; proptest's own
//! variables such as `PROPTEST_MAX_SHRINK_ITERS` apply too):
//!
//! ```sh
//! PROPTEST_CASES=5000 cargo test --test jit_differential
//! ```
//!
//! A failing case is shrunk and reported with the program, the first line
//! where the outputs differ and the whole output of both modes; proptest
//! records its seed in `tests/jit_differential.proptest-regressions`, and
//! later runs try it first (commit that file to keep the regression).
//!
//! Until the binary has JIT modes (`elle --jit eager -e 1` is a usage error,
//! exit status 2), the random programs run twice under `--jit off` and must
//! agree with themselves (the generator and the interpreter are
//! deterministic), and a NOTE says so on stderr. The fixed regression cases
//! at the end check their exact expected output under `--jit off` today, and
//! the agreement of every mode once the modes exist.
//!
//! # The generated programs
//!
//! A program defines 1–4 functions `f0`..`f3`. Each uses only what the JIT
//! compiles: integer, float and boolean literals; parameters and `let`/
//! `let*`/loop locals (no closures, captured or global variables); `if`,
//! `cond` (with and without `else`, and a test-only clause), `when`,
//! `unless`, `and`, `or`, `begin`, `while` loops, named-`let` loops, `set!`
//! of locals; `+ - * /` with two or three operands, `mod`, `inc`, `dec`,
//! unary `-`; `< > <= >= == =` with two or three operands, `not`, `zero?`;
//! calls to lower-numbered functions and self-recursion, in tail and
//! non-tail position. Literals include values next to the i64 limits, zero,
//! `-0.0`, `0.5` and `1e308`; expressions mix integers and floats and now and
//! then put a boolean where a number belongs (a `type-error`).
//!
//! Every program terminates, by construction: a recursive function's first
//! parameter `n` is read-only, its self-calls pass `(dec n)`, `(- n 1)` or
//! `(- n 2)`, and they run only under a guard `0 < n <= D` that is false for
//! NaN (so any argument, however large or odd, recurses at most D+1 levels);
//! loop counters are read-only and count to a bound of at most 5. A static
//! cost estimate keeps every call under about 20,000 steps.
//!
//! Each function is then called at top level with several argument tuples
//! (values next to the i64 limits, zero divisors, negative divisors, -0.0,
//! 1e308, mixed integers and floats, now and then a boolean), each call
//! wrapped in `try` so that an error prints its condition type and message,
//! and 50 times in a loop (through a closure, which is not eligible itself)
//! so that `--jit auto` compiles it in the middle of the run, with argument
//! types that change between iterations. Some programs end with an unwrapped
//! call, so that an uncaught error's report and exit status are compared
//! too.

mod common;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Outcome, run_with_timeout};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

const BIN: &str = env!("CARGO_BIN_EXE_elle");
const TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CASES: u32 = 128;

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

impl Outcome {
    fn describe(&self) -> String {
        let status = match (self.timed_out, self.status) {
            (true, _) => format!("timed out after {TIMEOUT:?}"),
            (false, Some(c)) => c.to_string(),
            (false, None) => "none (killed by a signal)".to_string(),
        };
        format!(
            "  exit status: {status}\n  stdout:\n{}  stderr:\n{}",
            indent(&self.stdout),
            indent(&self.stderr)
        )
    }
}

fn indent(text: &str) -> String {
    if text.is_empty() {
        return "    (empty)\n".to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        let _ = writeln!(out, "    | {line}");
    }
    out
}

fn run(args: &[&str]) -> Outcome {
    run_with_timeout(Command::new(BIN).args(args), TIMEOUT)
}

/// A program written to a unique temporary file, deleted on drop.
struct TempProgram {
    path: PathBuf,
}

impl TempProgram {
    fn new(text: &str) -> TempProgram {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "elle-jit-differential-{}-{}.lisp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        TempProgram { path }
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempProgram {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The reference mode: the interpreter alone.
const OFF: &[&str] = &["--jit", "off"];

/// The JIT modes compared with `OFF`, when the binary accepts them.
const JIT_MODES: &[&[&str]] = &[
    &["--jit", "eager"],
    &["--jit", "auto", "--jit-threshold", "2"],
];

/// The JIT modes this binary accepts, probed once with `elle MODE -e 1`.
/// A mode rejected as a usage error (status 2) is not there yet and is
/// skipped with a NOTE; a mode that fails in any other way is a bug.
fn jit_modes() -> &'static [&'static [&'static str]] {
    static MODES: OnceLock<Vec<&'static [&'static str]>> = OnceLock::new();
    MODES.get_or_init(|| {
        let mut modes = Vec::new();
        for &mode in JIT_MODES {
            let mut args = mode.to_vec();
            args.extend(["-e", "1"]);
            let got = run(&args);
            if got.status == Some(0) && got.stdout == "1\n" {
                modes.push(mode);
            } else if got.status == Some(2) {
                // Straight to the process's stderr: the test harness
                // captures `eprintln!` of passing tests.
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: the binary does not accept `{}` yet (usage error); the \
                     JIT differential tests compare `--jit off` with itself instead",
                    mode.join(" ")
                );
            } else {
                panic!(
                    "`elle {}` should print 1 or be a usage error (status 2):\n{}",
                    args.join(" "),
                    got.describe()
                );
            }
        }
        modes
    })
}

/// Runs `program` under `--jit off` and then under every available JIT mode
/// (or a second time under `--jit off` when there is none), and returns the
/// reference outcome, or a report of the first disagreement.
fn differential(program: &str) -> Result<Outcome, String> {
    let file = TempProgram::new(program);
    let path = file.path().to_str().expect("temporary path is UTF-8");
    let with = |mode: &[&'static str]| -> Vec<&str> {
        let mut args: Vec<&str> = mode.to_vec();
        args.push(path);
        args
    };
    let reference = run(&with(OFF));
    let modes = jit_modes();
    let others: Vec<&[&str]> = if modes.is_empty() {
        vec![OFF]
    } else {
        modes.to_vec()
    };
    for mode in others {
        let got = run(&with(mode));
        if got != reference {
            return Err(format!(
                "`elle {}` and `elle {}` disagree on this program:\n\n{}\n{}\n\
                 --- elle {}:\n{}--- elle {}:\n{}",
                OFF.join(" "),
                mode.join(" "),
                numbered(program),
                first_difference(&reference, &got, &mode.join(" ")),
                OFF.join(" "),
                reference.describe(),
                mode.join(" "),
                got.describe()
            ));
        }
    }
    Ok(reference)
}

/// Where two outcomes first differ, in a few lines.
fn first_difference(a: &Outcome, b: &Outcome, b_mode: &str) -> String {
    let mut out = String::from("First difference:\n");
    if (a.status, a.timed_out) != (b.status, b.timed_out) {
        let _ = writeln!(out, "  exit status {:?} vs {:?}", a.status, b.status);
    }
    for (what, x, y) in [
        ("stdout", &a.stdout, &b.stdout),
        ("stderr", &a.stderr, &b.stderr),
    ] {
        if x == y {
            continue;
        }
        let (xs, ys): (Vec<&str>, Vec<&str>) = (x.lines().collect(), y.lines().collect());
        let k = (0..xs.len().max(ys.len()))
            .find(|&k| xs.get(k) != ys.get(k))
            .unwrap_or(0);
        let (xl, yl) = (xs.get(k).copied(), ys.get(k).copied());
        // The byte offset of the first differing character.
        let common = match (xl, yl) {
            (Some(p), Some(q)) => p
                .char_indices()
                .zip(q.chars())
                .find(|((_, c), d)| c != d)
                .map_or(p.len().min(q.len()), |((i, _), _)| i),
            _ => 0,
        };
        let excerpt = |line: Option<&str>| match line {
            None => "(no such line)".to_string(),
            Some(line) => {
                let boundary = |mut i: usize| {
                    i = i.min(line.len());
                    while !line.is_char_boundary(i) {
                        i -= 1;
                    }
                    i
                };
                let start = boundary(common.saturating_sub(60));
                let end = boundary(common + 140);
                format!(
                    "{}{}{}",
                    if start > 0 { "..." } else { "" },
                    &line[start..end],
                    if end < line.len() { "..." } else { "" }
                )
            }
        };
        let _ = writeln!(
            out,
            "  {what} line {}:\n    --jit off: {}\n    {b_mode}: {}",
            k + 1,
            excerpt(xl),
            excerpt(yl)
        );
    }
    out
}

fn numbered(program: &str) -> String {
    let mut out = String::new();
    for (k, line) in program.lines().enumerate() {
        let _ = writeln!(out, "{:4} {line}", k + 1);
    }
    out
}

// ---------------------------------------------------------------------------
// S-expressions and their printing
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Sx {
    Atom(String),
    List(Vec<Sx>),
}

fn atom(s: impl Into<String>) -> Sx {
    Sx::Atom(s.into())
}

fn list(items: Vec<Sx>) -> Sx {
    Sx::List(items)
}

/// `(head args...)`.
fn form(head: &str, args: Vec<Sx>) -> Sx {
    let mut items = Vec::with_capacity(args.len() + 1);
    items.push(atom(head));
    items.extend(args);
    Sx::List(items)
}

impl Sx {
    fn flat(&self, out: &mut String) {
        match self {
            Sx::Atom(a) => out.push_str(a),
            Sx::List(items) => {
                out.push('(');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    item.flat(out);
                }
                out.push(')');
            }
        }
    }

    fn flat_string(&self) -> String {
        let mut s = String::new();
        self.flat(&mut s);
        s
    }

    /// Prints the form flat when it fits in the line, else in the usual Lisp
    /// layout: the head and its first argument on the first line (`(define
    /// (f x)`, `(if test`, `(let ((x 1))`), the other arguments each on its
    /// own line, indented by two.
    fn pretty(&self, col: usize, out: &mut String) {
        const WIDTH: usize = 90;
        let flat = self.flat_string();
        let items = match self {
            Sx::List(items) if col + flat.len() > WIDTH && items.len() > 1 => items,
            _ => {
                out.push_str(&flat);
                return;
            }
        };
        out.push('(');
        items[0].pretty(col + 1, out);
        let mut rest = &items[1..];
        if let Sx::Atom(head) = &items[0] {
            out.push(' ');
            rest[0].pretty(col + head.len() + 2, out);
            rest = &rest[1..];
        }
        for item in rest {
            out.push('\n');
            out.push_str(&" ".repeat(col + 2));
            item.pretty(col + 2, out);
        }
        out.push(')');
    }
}

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

/// The random decisions, read in order. proptest generates and shrinks the
/// vector; the generator reads 0 for every decision past its end, and 0
/// always selects the simplest option, so shrinking the vector (removing
/// entries, lowering them) simplifies the program.
struct Choices<'a> {
    data: &'a [u32],
    pos: usize,
}

impl Choices<'_> {
    fn next(&mut self) -> u32 {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v
    }

    /// 0..n.
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        self.next() as usize % n
    }

    /// `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with the given probability in percent (never for a 0 decision).
    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 >= 100 - percent
    }

    /// An index with probability proportional to its weight; a weight of 0
    /// is never chosen. A 0 decision picks the first possible index.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        assert!(total > 0, "no possible choice");
        let mut v = self.next() % total;
        for (k, &w) in weights.iter().enumerate() {
            if v < w {
                return k;
            }
            v -= w;
        }
        unreachable!()
    }

    fn pick<'p, T>(&mut self, items: &'p [T]) -> &'p T {
        &items[self.below(items.len())]
    }
}

/// Small integer literals (the simplest is 0).
const INTS: &[&str] = &["0", "1", "-1", "2", "3", "-3", "5", "7", "10", "-100"];

/// Integer literals next to the i64 limits, and powers of two whose
/// products overflow.
const BIG_INTS: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "4611686018427387904",
    "-4611686018427387904",
    "3037000500",
    "4294967296",
];

/// Float literals, in the reader's syntax.
const FLOATS: &[&str] = &[
    "0.0",
    "-0.0",
    "0.5",
    "1.5",
    "-2.5",
    "3.0",
    "1e308",
    "-1e308",
    "0.1",
    "-7.25",
    "4.611686018427388e18",
    "9007199254740993.0",
    "1e-300",
];

/// A number literal: usually a small integer, else a float or an integer
/// next to the limits.
fn literal(ch: &mut Choices) -> &'static str {
    let pool = match ch.weighted(&[11, 5, 4]) {
        0 => INTS,
        1 => FLOATS,
        _ => BIG_INTS,
    };
    pool[ch.below(pool.len())]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Num,
    Bool,
}

struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

/// A generated function, as later functions and the top level see it.
struct FnInfo {
    name: String,
    params: Vec<String>,
    /// Estimated steps of one call, whatever its arguments.
    cost: f64,
}

/// Estimated steps of one activation (a function body without its
/// self-calls), including the calls to lower functions.
const BODY_LIMIT: f64 = 600.0;
/// Estimated steps of one call, recursion included.
const CALL_LIMIT: f64 = 20_000.0;
/// Self-call sites of one activation, weighted by their loop iterations.
const SELF_CALL_LIMIT: f64 = 3.0;
/// Product of the bounds of nested loops.
const LOOP_LIMIT: f64 = 30.0;
/// The most iterations of one generated loop.
const MAX_LOOP: usize = 5;

/// Generates one function body.
struct FnGen<'c, 'd> {
    ch: &'c mut Choices<'d>,
    lower: &'c [FnInfo],
    name: String,
    params: Vec<String>,
    env: Vec<Var>,
    fresh: usize,
    /// Estimated steps of one activation so far.
    spent: f64,
    /// Iterations of the enclosing loops (1 outside loops).
    mult: f64,
    /// Self-call sites so far, weighted by `mult`.
    self_calls: f64,
    /// In the recursive branch of a recursive function's guard.
    may_recurse: bool,
}

impl FnGen<'_, '_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    /// The innermost binding of each name, as visible here.
    fn visible(&self) -> Vec<&Var> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for var in self.env.iter().rev() {
            if !seen.contains(&var.name.as_str()) {
                seen.push(&var.name);
                out.push(var);
            }
        }
        out
    }

    fn vars(&self, ty: Ty, mutable_only: bool) -> Vec<String> {
        self.visible()
            .into_iter()
            .filter(|v| v.ty == ty && (v.mutable || !mutable_only))
            .map(|v| v.name.clone())
            .collect()
    }

    fn literal_num(&mut self) -> Sx {
        atom(literal(self.ch))
    }

    fn leaf_num(&mut self) -> Sx {
        let vars = self.vars(Ty::Num, false);
        if !vars.is_empty() && !self.ch.chance(35) {
            atom(self.ch.pick(&vars).clone())
        } else {
            self.literal_num()
        }
    }

    /// A small boolean: usually a comparison of two leaves.
    fn leaf_bool(&mut self) -> Sx {
        let vars = self.vars(Ty::Bool, false);
        match self.ch.weighted(&[6, 2, 1, 1]) {
            0 => {
                let op = *self.ch.pick(&["<", ">", "<=", ">=", "==", "="]);
                form(op, vec![self.leaf_num(), self.leaf_num()])
            }
            1 if !vars.is_empty() => atom(self.ch.pick(&vars).clone()),
            2 => atom("#f"),
            _ => atom("#t"),
        }
    }

    fn expr(&mut self, ty: Ty, depth: usize) -> Sx {
        match ty {
            Ty::Num => self.num(depth),
            Ty::Bool => self.boolean(depth),
        }
    }

    /// The lower functions that a call here can afford.
    fn affordable(&self) -> Vec<usize> {
        (0..self.lower.len())
            .filter(|&j| self.spent + self.mult * self.lower[j].cost <= BODY_LIMIT)
            .collect()
    }

    /// An expression that is usually a number.
    fn num(&mut self, depth: usize) -> Sx {
        self.spent += self.mult;
        if depth == 0 {
            return self.leaf_num();
        }
        let d = depth - 1;
        let affordable = self.affordable();
        let can_loop = self.mult * 2.0 <= LOOP_LIMIT;
        let can_recurse = self.may_recurse && self.self_calls + self.mult <= SELF_CALL_LIMIT;
        let has_mutable = !self.vars(Ty::Num, true).is_empty();
        let on = |b: bool, w: u32| if b { w } else { 0 };
        let choice = self.ch.weighted(&[
            4,                             // 0 leaf
            6,                             // 1 binary arithmetic
            2,                             // 2 three operands
            3,                             // 3 unary
            3,                             // 4 if
            1,                             // 5 cond
            1,                             // 6 when / unless
            1,                             // 7 and / or
            3,                             // 8 let / let*
            1,                             // 9 begin
            on(can_loop, 2),               // 10 while
            on(can_loop, 2),               // 11 named let
            on(!affordable.is_empty(), 3), // 12 call a lower function
            on(can_recurse, 4),            // 13 self-call
            on(has_mutable, 1),            // 14 set! as an expression
            1,                             // 15 a boolean where a number belongs
        ]);
        // A boolean where a number belongs (a type error, or not: it may be
        // an `if` test, or never reach arithmetic) is rarer still.
        let choice = if choice == 15 && !self.ch.chance(25) {
            0
        } else {
            choice
        };
        match choice {
            0 => self.leaf_num(),
            1 => {
                let op = *self.ch.pick(&["+", "-", "*", "/", "mod"]);
                form(op, vec![self.num(d), self.num(d)])
            }
            2 => {
                let op = *self.ch.pick(&["+", "-", "*", "/"]);
                form(op, vec![self.num(d), self.num(d), self.num(d)])
            }
            3 => {
                let op = *self.ch.pick(&["inc", "dec", "-"]);
                form(op, vec![self.num(d)])
            }
            4 => {
                let test = self.boolean(d);
                let then = self.num(d);
                if self.ch.chance(4) {
                    form("if", vec![test, then])
                } else {
                    form("if", vec![test, then, self.num(d)])
                }
            }
            5 => self.cond(d),
            6 => {
                let head = *self.ch.pick(&["when", "unless"]);
                let mut args = vec![self.boolean(d)];
                args.extend(self.body(Ty::Num, d));
                form(head, args)
            }
            // Numbers are truthy: these give a number. With a boolean
            // first they may give the boolean.
            7 => match self.ch.weighted(&[3, 3, 1, 1]) {
                0 => form("or", vec![self.num(d), self.num(d)]),
                1 => form("and", vec![self.num(d), self.num(d), self.num(d)]),
                2 => form("and", vec![self.boolean(d), self.num(d)]),
                _ => form("or", vec![self.boolean(d), self.num(d)]),
            },
            8 => self.let_form(d),
            9 => form("begin", self.body(Ty::Num, d)),
            10 => self.while_loop(d),
            11 => self.named_let(d),
            12 => {
                let j = *self.ch.pick(&affordable);
                self.spent += self.mult * self.lower[j].cost;
                let name = self.lower[j].name.clone();
                let args = (0..self.lower[j].params.len())
                    .map(|_| self.num(d))
                    .collect();
                form(&name, args)
            }
            13 => self.self_call(d),
            14 => {
                let vars = self.vars(Ty::Num, true);
                let v = self.ch.pick(&vars).clone();
                form("set!", vec![atom(v), self.num(d)])
            }
            _ => self.boolean(d),
        }
    }

    /// `(fK (dec n) args...)`: the only way a function calls itself.
    fn self_call(&mut self, d: usize) -> Sx {
        self.self_calls += self.mult;
        let step = match self.ch.below(3) {
            0 => form("dec", vec![atom("n")]),
            1 => form("-", vec![atom("n"), atom("1")]),
            _ => form("-", vec![atom("n"), atom("2")]),
        };
        let mut args = vec![step];
        for _ in 1..self.params.len() {
            args.push(self.num(d));
        }
        let name = self.name.clone();
        form(&name, args)
    }

    fn cond(&mut self, d: usize) -> Sx {
        let clauses = self.ch.range(1, 3);
        let mut args = Vec::new();
        for _ in 0..clauses {
            let test = self.boolean(d);
            if self.ch.chance(8) {
                // A clause without a body returns its test's value.
                args.push(list(vec![test]));
            } else {
                args.push(list(vec![test, self.num(d)]));
            }
        }
        if !self.ch.chance(6) {
            args.push(list(vec![atom("else"), self.num(d)]));
        }
        form("cond", args)
    }

    /// Statements then a final expression of type `ty`.
    fn body(&mut self, ty: Ty, d: usize) -> Vec<Sx> {
        let mut out = Vec::new();
        for _ in 0..self.ch.below(3) {
            out.push(self.statement(d));
        }
        out.push(self.expr(ty, d));
        out
    }

    /// Something evaluated for its effect: usually an assignment.
    fn statement(&mut self, d: usize) -> Sx {
        self.spent += self.mult;
        let nums = self.vars(Ty::Num, true);
        let bools = self.vars(Ty::Bool, true);
        if nums.is_empty() && bools.is_empty() {
            return self.num(d);
        }
        let assign = |g: &mut Self| {
            let ty = if bools.is_empty() || (!nums.is_empty() && !g.ch.chance(20)) {
                Ty::Num
            } else {
                Ty::Bool
            };
            let v =
                g.ch.pick(if ty == Ty::Num { &nums } else { &bools })
                    .clone();
            form("set!", vec![atom(v), g.expr(ty, d)])
        };
        match self.ch.weighted(&[5, 2, 1, 1]) {
            0 => assign(self),
            1 => {
                let head = *self.ch.pick(&["when", "unless"]);
                let test = self.boolean(d);
                form(head, vec![test, assign(self)])
            }
            2 => {
                let test = self.boolean(d);
                let a = assign(self);
                let b = assign(self);
                form("if", vec![test, a, b])
            }
            _ => self.num(d),
        }
    }

    /// A name for a new local: fresh, or now and then shadowing a parameter
    /// other than `n` (which the recursion guard relies on).
    fn local_name(&mut self) -> String {
        let shadowable: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.as_str() != "n")
            .cloned()
            .collect();
        if !shadowable.is_empty() && self.ch.chance(10) {
            self.ch.pick(&shadowable).clone()
        } else {
            self.fresh("v")
        }
    }

    fn let_form(&mut self, d: usize) -> Sx {
        let star = self.ch.chance(40);
        let count = self.ch.range(1, 3);
        let mark = self.env.len();
        let mut bindings = Vec::new();
        let mut new_vars = Vec::new();
        for _ in 0..count {
            let ty = if self.ch.chance(20) {
                Ty::Bool
            } else {
                Ty::Num
            };
            let name = self.local_name();
            let init = self.expr(ty, d);
            bindings.push(list(vec![atom(name.clone()), init]));
            let var = Var {
                name,
                ty,
                mutable: true,
            };
            if star {
                self.env.push(var);
            } else {
                new_vars.push(var);
            }
        }
        self.env.extend(new_vars);
        let mut args = vec![list(bindings)];
        args.extend(self.body(Ty::Num, d));
        self.env.truncate(mark);
        form(if star { "let*" } else { "let" }, args)
    }

    /// `(let ((i 0) (acc init)) (while (< i L) stmts... (set! i (+ i 1))) acc)`
    /// and a counting-down variant. The counter is read-only to the body.
    fn while_loop(&mut self, d: usize) -> Sx {
        let bound = self.ch.range(0, MAX_LOOP);
        let counter = self.fresh("i");
        let acc = self.fresh("acc");
        let init = self.num(d);
        let down = self.ch.chance(30);
        let mark = self.env.len();
        self.env.push(Var {
            name: counter.clone(),
            ty: Ty::Num,
            mutable: false,
        });
        self.env.push(Var {
            name: acc.clone(),
            ty: Ty::Num,
            mutable: true,
        });
        let saved = self.mult;
        self.mult *= bound.max(1) as f64;
        let (start, test, step) = if down {
            (
                atom(bound.to_string()),
                form(">", vec![atom(counter.clone()), atom("0")]),
                form("dec", vec![atom(counter.clone())]),
            )
        } else {
            (
                atom("0"),
                form("<", vec![atom(counter.clone()), atom(bound.to_string())]),
                form("+", vec![atom(counter.clone()), atom("1")]),
            )
        };
        let mut body = vec![test];
        // At least one statement, usually assigning the accumulator.
        let acc_update = self.num(d);
        body.push(form("set!", vec![atom(acc.clone()), acc_update]));
        for _ in 0..self.ch.below(2) {
            body.push(self.statement(d));
        }
        body.push(form("set!", vec![atom(counter.clone()), step]));
        self.mult = saved;
        self.env.truncate(mark);
        form(
            "let",
            vec![
                list(vec![
                    list(vec![atom(counter), start]),
                    list(vec![atom(acc.clone()), init]),
                ]),
                form("while", body),
                atom(acc),
            ],
        )
    }

    /// `(let lp ((i 0) (acc init)) (if (< i L) (lp (inc i) next) acc))` and
    /// variants of the test. The loop call is always in tail position.
    fn named_let(&mut self, d: usize) -> Sx {
        let bound = self.ch.range(0, MAX_LOOP);
        let name = self.fresh("lp");
        let counter = self.fresh("i");
        let acc = self.fresh("acc");
        let init = self.num(d);
        let mark = self.env.len();
        self.env.push(Var {
            name: counter.clone(),
            ty: Ty::Num,
            mutable: false,
        });
        self.env.push(Var {
            name: acc.clone(),
            ty: Ty::Num,
            mutable: true,
        });
        let saved = self.mult;
        self.mult *= bound.max(1) as f64;
        let next = self.num(d);
        self.mult = saved;
        self.env.truncate(mark);
        let step = if self.ch.chance(50) {
            form("inc", vec![atom(counter.clone())])
        } else {
            form("+", vec![atom(counter.clone()), atom("1")])
        };
        let again = form(&name, vec![step, next]);
        let i = || atom(counter.clone());
        let l = || atom(bound.to_string());
        let body = match self.ch.below(3) {
            0 => form(
                "if",
                vec![form("<", vec![i(), l()]), again, atom(acc.clone())],
            ),
            1 => form(
                "if",
                vec![form(">=", vec![i(), l()]), atom(acc.clone()), again],
            ),
            _ => form(
                "cond",
                vec![
                    list(vec![form(">=", vec![i(), l()]), atom(acc.clone())]),
                    list(vec![atom("else"), again]),
                ],
            ),
        };
        form(
            "let",
            vec![
                atom(name),
                list(vec![
                    list(vec![atom(counter.clone()), atom("0")]),
                    list(vec![atom(acc), init]),
                ]),
                body,
            ],
        )
    }

    /// An expression that is usually a boolean.
    fn boolean(&mut self, depth: usize) -> Sx {
        self.spent += self.mult;
        if depth == 0 {
            return self.leaf_bool();
        }
        let d = depth - 1;
        match self.ch.weighted(&[2, 6, 2, 2, 2, 2, 1, 1]) {
            0 => self.leaf_bool(),
            1 => {
                let op = *self.ch.pick(&["<", ">", "<=", ">=", "==", "="]);
                form(op, vec![self.num(d), self.num(d)])
            }
            2 => {
                let op = *self.ch.pick(&["<", ">", "<=", ">=", "==", "="]);
                form(op, vec![self.num(d), self.num(d), self.num(d)])
            }
            3 => {
                let ty = if self.ch.chance(30) {
                    Ty::Num
                } else {
                    Ty::Bool
                };
                form("not", vec![self.expr(ty, d)])
            }
            4 => form("zero?", vec![self.num(d)]),
            5 => {
                let head = *self.ch.pick(&["and", "or"]);
                form(head, vec![self.boolean(d), self.boolean(d)])
            }
            6 => form(
                "if",
                vec![self.boolean(d), self.boolean(d), self.boolean(d)],
            ),
            _ => self.num(d),
        }
    }
}

/// Number of activations of a recursive function: levels `0..=levels` with
/// `branching` self-calls each.
fn activations(branching: f64, levels: usize) -> f64 {
    (0..=levels).map(|k| branching.powi(k as i32)).sum()
}

fn gen_function(ch: &mut Choices, lower: &[FnInfo], index: usize) -> (Sx, FnInfo) {
    let name = format!("f{index}");
    let recursive = ch.chance(60);
    let params: Vec<String> = if recursive {
        let extra = ch.below(3);
        std::iter::once("n")
            .chain(["x", "y"].into_iter().take(extra))
            .map(str::to_string)
            .collect()
    } else {
        let count = ch.range(1, 3);
        ["x", "y", "z"]
            .into_iter()
            .take(count)
            .map(str::to_string)
            .collect()
    };
    // A quarter of the plain functions are small helpers, which compiled
    // callers inline (at most 16 instructions, jit/src/codegen.rs).
    let depth = if !recursive && ch.chance(25) {
        1
    } else {
        ch.range(2, 4)
    };
    let mut g = FnGen {
        ch,
        lower,
        name: name.clone(),
        params: params.clone(),
        env: params
            .iter()
            .map(|p| Var {
                name: p.clone(),
                ty: Ty::Num,
                mutable: p != "n",
            })
            .collect(),
        fresh: 0,
        spent: 0.0,
        mult: 1.0,
        self_calls: 0.0,
        may_recurse: false,
    };
    let body = if recursive {
        // The branches for n out of range must not call themselves.
        let base = g.num(depth);
        let base2 = g.num(depth - 1);
        g.may_recurse = true;
        let rec = match g.ch.weighted(&[2, 2, 1]) {
            // A tail self-call.
            0 => g.self_call(depth - 1),
            // A non-tail self-call.
            1 => {
                let op = *g.ch.pick(&["+", "-", "*", "/", "mod"]);
                let call = g.self_call(depth - 1);
                let other = g.num(depth - 1);
                if g.ch.chance(50) {
                    form(op, vec![call, other])
                } else {
                    form(op, vec![other, call])
                }
            }
            // Anything (it may call itself anywhere, or not at all).
            _ => g.num(depth),
        };
        // The deepest recursion the cost allows, up to 6 levels.
        let mut limit = g.ch.range(1, 6);
        while limit > 0 && g.spent * activations(g.self_calls, limit + 1) > CALL_LIMIT {
            limit -= 1;
        }
        let cost = g.spent * activations(g.self_calls, limit + 1);
        let d = atom(limit.to_string());
        let n = || atom("n");
        // Guards that are false for NaN, so that recursion stops for any n.
        let body = match g.ch.below(3) {
            0 => form(
                "if",
                vec![
                    form(
                        "and",
                        vec![form(">", vec![n(), atom("0")]), form("<=", vec![n(), d])],
                    ),
                    rec,
                    base,
                ],
            ),
            1 => form(
                "if",
                vec![
                    form(
                        "or",
                        vec![
                            form("not", vec![form(">", vec![n(), atom("0")])]),
                            form(">", vec![n(), d]),
                        ],
                    ),
                    base,
                    rec,
                ],
            ),
            _ => form(
                "cond",
                vec![
                    list(vec![
                        form("not", vec![form(">", vec![n(), atom("0")])]),
                        base,
                    ]),
                    list(vec![form(">", vec![n(), d]), base2]),
                    list(vec![atom("else"), rec]),
                ],
            ),
        };
        (vec![body], cost)
    } else {
        let body = g.body(Ty::Num, depth);
        (body, g.spent)
    };
    let (body, cost) = body;
    let mut define = vec![list(
        std::iter::once(atom(name.clone()))
            .chain(params.iter().map(|p| atom(p.clone())))
            .collect(),
    )];
    define.extend(body);
    let info = FnInfo { name, params, cost };
    (form("define", define), info)
}

/// An argument value for a top-level call.
fn literal_arg(ch: &mut Choices, recursion_counter: bool) -> String {
    if recursion_counter && !ch.chance(25) {
        return ch.range(0, 6).to_string();
    }
    if ch.chance(5) {
        "#t".to_string()
    } else {
        literal(ch).to_string()
    }
}

/// An argument of a call inside `rep`, where `i` is the iteration (0..50).
fn rep_arg(ch: &mut Choices, recursion_counter: bool) -> Sx {
    let lit = |ch: &mut Choices| atom(literal_arg(ch, recursion_counter));
    match ch.weighted(&[3, 2, 1, 1, 1, 1]) {
        0 => lit(ch),
        1 if recursion_counter => form("mod", vec![atom("i"), atom("7")]),
        1 => atom("i"),
        2 => form("*", vec![atom("i"), atom("0.5")]),
        3 => form("-", vec![atom("i"), atom("25")]),
        4 => form(
            "-",
            vec![atom("5"), form("mod", vec![atom("i"), atom("7")])],
        ),
        // The argument's type changes between iterations.
        _ => {
            let a = lit(ch);
            let b = lit(ch);
            form("if", vec![form("even?", vec![atom("i")]), a, b])
        }
    }
}

/// The top-level helpers: `rep` calls a function of the iteration number k
/// times and lists the results (an error as `(error TYPE MESSAGE)`).
const PRELUDE: &str = "\
(define (rep k f)
  (let loop ((i 0) (acc nil))
    (if (>= i k)
        (reverse acc)
        (loop (inc i) (cons (try (f i) (catch e (list 'error (condition-type e) (condition-message e)))) acc)))))
";

fn catching(call: Sx) -> Sx {
    form(
        "try",
        vec![
            call,
            form(
                "catch",
                vec![
                    atom("e"),
                    form(
                        "list",
                        vec![
                            atom("'error"),
                            form("condition-type", vec![atom("e")]),
                            form("condition-message", vec![atom("e")]),
                        ],
                    ),
                ],
            ),
        ],
    )
}

/// A whole program from a choice sequence.
fn generate(data: &[u32]) -> String {
    let mut ch = Choices { data, pos: 0 };
    let count = ch.range(1, 4);
    let mut infos: Vec<FnInfo> = Vec::new();
    let mut out = String::from(PRELUDE);
    for index in 0..count {
        let (def, info) = gen_function(&mut ch, &infos, index);
        out.push('\n');
        def.pretty(0, &mut out);
        out.push('\n');
        infos.push(info);
    }
    out.push('\n');
    for info in &infos {
        let tuples = ch.range(2, 5);
        for _ in 0..tuples {
            let args = info
                .params
                .iter()
                .map(|p| atom(literal_arg(&mut ch, p == "n")))
                .collect();
            let line = form("println", vec![catching(form(&info.name, args))]);
            out.push_str(&line.flat_string());
            out.push('\n');
        }
        let args = info
            .params
            .iter()
            .map(|p| rep_arg(&mut ch, p == "n"))
            .collect();
        let thunk = form("fn", vec![list(vec![atom("i")]), form(&info.name, args)]);
        let line = form("println", vec![form("rep", vec![atom("50"), thunk])]);
        out.push_str(&line.flat_string());
        out.push('\n');
    }
    // Now and then an unwrapped call, so that an uncaught error's report
    // and exit status are compared too.
    if ch.chance(30) {
        let info = ch.pick(&infos);
        let args = info
            .params
            .iter()
            .map(|p| atom(literal_arg(&mut ch, p == "n")))
            .collect();
        let line = form("println", vec![form(&info.name, args)]);
        out.push_str(&line.flat_string());
        out.push('\n');
    }
    out
}

/// Errors that a valid generated program never raises: they would mean the
/// generator wrote a wrong program (and the test would check nothing).
const INVALID: &[&str] = &[
    "syntax-error",
    "read-error",
    "arity-error",
    "unbound-variable",
    "stack-overflow",
    "user-error",
];

/// Checks that the reference run is what a valid program gives.
fn check_valid(program: &str, reference: &Outcome) -> Result<(), String> {
    let problem = if reference.timed_out || !matches!(reference.status, Some(0 | 1)) {
        Some("it did not finish with status 0 or 1")
    } else if reference.status == Some(1) && reference.stderr.is_empty() {
        Some("it failed without an error report")
    } else if INVALID
        .iter()
        .any(|e| reference.stdout.contains(e) || reference.stderr.contains(e))
    {
        Some("it raised an error that a valid generated program never raises")
    } else {
        None
    };
    match problem {
        Some(why) => Err(format!(
            "the generator wrote an invalid program ({why}):\n\n{}\n--- elle --jit off:\n{}",
            numbered(program),
            reference.describe()
        )),
        None => Ok(()),
    }
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        // Each shrinking step runs the binary two or three times (about
        // 15 ms in all): a few thousand steps, five minutes at most.
        max_shrink_iters: 4000,
        max_shrink_time: 300_000,
        // `tests/jit_differential.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn interpreter_and_jit_agree(choices in vec(any::<u32>(), 0..800)) {
        let program = generate(&choices);
        let reference = differential(&program).map_err(TestCaseError::fail)?;
        check_valid(&program, &reference).map_err(TestCaseError::fail)?;
    }
}

/// Prints a few generated programs and their output (`cargo test --test
/// jit_differential samples -- --ignored --nocapture`).
#[test]
#[ignore = "prints samples of the generator for a person to read"]
fn samples() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..5 {
        let choices = vec(any::<u32>(), 0..800)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let program = generate(&choices);
        let file = TempProgram::new(&program);
        let got = run(&["--jit", "off", file.path().to_str().unwrap()]);
        println!("{program}\n;; ==>\n{}\n", got.describe());
    }
}

/// How often the calls of generated programs return a value and which
/// errors the others raise (`cargo test --test jit_differential
/// generator_statistics -- --ignored --nocapture`): a generator whose calls
/// nearly all fail would test little beyond the first error.
#[test]
#[ignore = "prints statistics of the generator for a person to read"]
fn generator_statistics() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut calls, mut lines, mut bytes) = (0usize, 0usize, 0usize);
    let (mut uncaught, mut inlining) = (0, 0);
    let mut errors: std::collections::BTreeMap<String, usize> = Default::default();
    let programs = 200;
    let start = Instant::now();
    for _ in 0..programs {
        let choices = vec(any::<u32>(), 0..800)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let program = generate(&choices);
        lines += program.lines().count();
        bytes += program.len();
        calls += program.matches("(println (try").count()
            + 50 * program.matches("(println (rep").count();
        let file = TempProgram::new(&program);
        let got = run(&["--jit", "off", file.path().to_str().unwrap()]);
        check_valid(&program, &got).unwrap_or_else(|report| panic!("{report}"));
        if got.status == Some(1) {
            uncaught += 1;
        }
        for piece in got.stdout.split("(error ").skip(1) {
            let kind = piece.split(' ').next().unwrap_or("").to_string();
            *errors.entry(kind).or_default() += 1;
        }
        let jit = run(&[
            "--jit",
            "eager",
            "--jit-stats",
            file.path().to_str().unwrap(),
        ]);
        let inlined = jit
            .stderr
            .split(" calls inlined")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        inlining += (inlined > 0) as usize;
    }
    let failed: usize = errors.values().sum();
    println!(
        "{programs} programs in {:?}: {} lines, {} bytes on average",
        start.elapsed(),
        lines / programs,
        bytes / programs
    );
    println!(
        "{calls} calls: {} returned a value, {failed} raised an error: {errors:?}; \
         {uncaught} programs ended with an uncaught error",
        calls - failed
    );
    println!("{inlining} programs inline a call under --jit eager");
}

// ---------------------------------------------------------------------------
// Fixed regression cases
// ---------------------------------------------------------------------------

/// Runs a hand-written program: its `--jit off` output must be exactly
/// `expected` (status 0, empty stderr), and every JIT mode must agree.
fn fixed(program: &str, expected: &str) {
    let reference = differential(program).unwrap_or_else(|report| panic!("{report}"));
    assert!(
        reference.status == Some(0) && reference.stderr.is_empty() && reference.stdout == expected,
        "unexpected output under --jit off for:\n\n{}\n--- expected stdout:\n{}--- got:\n{}",
        numbered(program),
        indent(expected),
        reference.describe()
    );
}

#[test]
fn fixed_fib() {
    fixed(
        "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(println (fib 0) (fib 1) (fib 2) (fib 20))
(println (fib 20.0) (fib 1.5) (fib -3))
(define (loop-fib k) (let loop ((i 0) (acc 0)) (if (< i k) (loop (inc i) (+ acc (fib 15))) acc)))
(println (loop-fib 50))
(define (fib-iter n a b) (cond ((<= n 0) a) ((= n 1) b) (else (fib-iter (dec n) b (+ a b)))))
(println (fib-iter 20 0 1) (fib-iter 92 0 1) (try (fib-iter 93 0 1) (catch e (condition-type e))) (fib-iter 93 0 1.0))
",
        "0 1 1 6765\n\
         6765.0 1.5 -3\n\
         30500\n\
         6765 7540113804746346429 overflow-error 1.2200160415121877e19\n",
    );
}

#[test]
fn fixed_float_loop() {
    fixed(
        "(define (fsum n) (let loop ((i 0) (acc 0.0)) (if (< i n) (loop (inc i) (+ acc (* i 0.1))) acc)))
(println (fsum 10) (fsum 100))
(define (escape cr ci)
  (let ((zr 0.0) (zi 0.0) (k 0))
    (while (and (< k 100) (<= (+ (* zr zr) (* zi zi)) 4.0))
      (let ((t (+ (- (* zr zr) (* zi zi)) cr)))
        (set! zi (+ (* 2.0 zr zi) ci))
        (set! zr t))
      (set! k (inc k)))
    k))
(println (escape 0.0 0.0) (escape 1.0 1.0) (escape -0.75 0.1) (escape 0 0))
(define (grow x n) (let ((i 0)) (while (< i n) (set! x (* x 10.0)) (set! i (inc i))) x))
(println (grow 1e300 5) (grow -1e300 20) (grow 0.5 3))
",
        "4.500000000000001 495.0\n100 2 33 100\n1e305 -inf.0 500.0\n",
    );
}

#[test]
fn fixed_overflow_in_deep_recursion() {
    fixed(
        "(define (deep n) (if (<= n 0) 9223372036854775800 (+ 1 (deep (dec n)))))
(println (deep 7))
(println (try (deep 10000) (catch e (list (condition-type e) (condition-message e)))))
(define (sum-to n acc) (if (<= n 0) acc (sum-to (dec n) (+ acc 4611686018427387904))))
(println (sum-to 1 0) (try (sum-to 100000 0) (catch e (condition-type e))))
(define (neg-deep n) (if (<= n 0) -9223372036854775807 (- (neg-deep (dec n)) 1)))
(println (neg-deep 1) (try (neg-deep 2) (catch e (condition-type e))))
(define (prod n) (if (<= n 0) 1 (* n (prod (dec n)))))
(println (prod 20) (try (prod 21) (catch e (condition-type e))) (prod 21.0))
(define (count-down n) (if (<= n 0) 0 (count-down (dec n))))
(println (count-down 1000000))
(define (no-tail n) (if (<= n 0) 0 (+ 1 (no-tail (dec n)))))
(println (try (no-tail 10000000) (catch e (condition-type e))))
",
        "9223372036854775807\n\
         (overflow-error \"integer overflow in +\")\n\
         4611686018427387904 overflow-error\n\
         -9223372036854775808 overflow-error\n\
         2432902008176640000 overflow-error 5.109094217170944e19\n\
         0\n\
         stack-overflow\n",
    );
}

#[test]
fn fixed_division_by_zero_in_a_loop() {
    fixed(
        "(define (divloop n d)
  (let ((i 0) (acc 1000))
    (while (< i n)
      (set! acc (+ acc (/ 100 (- d i))))
      (set! i (inc i)))
    acc))
(println (divloop 3 5))
(println (try (divloop 10 5) (catch e (list (condition-type e) (condition-message e)))))
(println (divloop 10 5.0) (divloop 6 5.5))
(define (modloop n d) (let loop ((i 0) (acc 0)) (if (< i n) (loop (inc i) (+ acc (mod 7 (- d i)))) acc)))
(println (modloop 2 3) (try (modloop 5 3) (catch e (condition-type e))) (modloop 5 3.0))
(define (fdiv a b) (/ a b))
(println (fdiv 1.0 0) (fdiv -1 0.0) (fdiv 0 0.0) (fdiv 0.0 -0.0) (try (fdiv 0 0) (catch e (condition-type e))))
(println (try (fdiv -9223372036854775808 -1) (catch e (condition-type e))) (fdiv -9223372036854775808 -1.0))
",
        "1078\n\
         (division-by-zero \"division by zero\")\n\
         +inf.0 1375.6421356421358\n\
         2 division-by-zero +nan.0\n\
         +inf.0 -inf.0 +nan.0 +nan.0 division-by-zero\n\
         overflow-error 9.223372036854776e18\n",
    );
}

#[test]
fn fixed_mod_by_negative() {
    fixed(
        "(define (m a b) (mod a b))
(println (m -17 5) (m 17 -5) (m -17 -5) (m 17 5) (m 6 -3) (m -6 3))
(println (m 17.5 -5) (m -17.5 5) (m -6.0 3) (m 6.0 -3) (m -0.0 5) (m 1e308 -3))
(println (m -3 9223372036854775807) (m 9223372036854775807 -9223372036854775808))
(println (try (m -9223372036854775808 -1) (catch e (condition-type e))))
(println (try (m 7 0) (catch e (condition-type e))) (m 7 0.0) (m 7.0 0) (m 5 -0.0))
(define (msum n d) (let ((i 0) (acc 0)) (while (< i n) (set! acc (+ acc (mod (- i 10) d))) (set! i (inc i))) acc))
(println (msum 20 -3) (msum 20 3) (msum 20 -2.5))
",
        "3 -3 -2 2 0 0\n\
         -2.5 2.5 -0.0 0.0 -0.0 -1.0\n\
         9223372036854775804 -1\n\
         overflow-error\n\
         division-by-zero +nan.0 +nan.0 +nan.0\n\
         -19 20 -20.0\n",
    );
}

#[test]
fn fixed_equality_across_types() {
    fixed(
        "(define (eq a b) (= a b))
(define (num-eq a b) (== a b))
(define (lt a b) (< a b))
(println (eq 1 1.0) (num-eq 1 1.0) (eq 1 1) (eq 1.0 1.0) (num-eq 2 2.5))
(println (eq 9007199254740993 9007199254740992.0) (num-eq 9007199254740993 9007199254740992.0))
(println (lt 9007199254740992.0 9007199254740993) (lt 9223372036854775807 9223372036854775808.0))
(println (num-eq 9223372036854775807 9223372036854775808.0) (eq #t #t) (try (num-eq #t #t) (catch e (condition-type e))))
(define (chain a b c) (+ (if (= a b c) 1 0) (if (== a b c) 2 0) (if (< a b c) 4 0) (if (<= a b c) 8 0)))
(println (chain 1 1 1.0) (chain 1 2 3) (chain 1.0 1 1) (chain 1 1 1) (chain 3 2 1))
",
        "#f #t #t #t #f\n\
         #f #f\n\
         #t #t\n\
         #f #t type-error\n\
         10 12 10 11 0\n",
    );
}

#[test]
fn fixed_signed_zero() {
    fixed(
        "(define (lt a b) (< a b))
(define (le a b) (<= a b))
(define (eq a b) (= a b))
(define (num-eq a b) (== a b))
(define (neg a) (- a))
(define (add a b) (+ a b))
(define (mul a b) (* a b))
(println (lt -0.0 0.0) (le 0.0 -0.0) (eq -0.0 0.0) (num-eq -0.0 0) (zero? -0.0) (lt -0.0 0))
(println (neg 0.0) (neg -0.0) (neg 0) (add -0.0 -0.0) (add -0.0 0.0) (add -0.0 0) (mul 0 -1.0) (mul -0.0 -0.0))
(println (/ 1.0 (neg 0.0)) (/ 1.0 (add -0.0 0)) (inc -0.0) (dec 1.0) (- -0.0 0.0))
",
        "#f #t #t #t #t #f\n\
         -0.0 0.0 0 -0.0 0.0 0.0 -0.0 0.0\n\
         -inf.0 +inf.0 1.0 0.0 -0.0\n",
    );
}

#[test]
fn fixed_nan_comparisons() {
    fixed(
        "(define (nan) (/ 0.0 0.0))
(define (cmp a b) (+ (if (< a b) 1 0) (if (> a b) 2 0) (if (<= a b) 4 0) (if (>= a b) 8 0) (if (== a b) 16 0) (if (= a b) 32 0)))
(println (nan) (cmp (nan) 1) (cmp 1 (nan)) (cmp (nan) (nan)) (cmp 1.0 1) (cmp 1 1))
(define (pick a) (if (< a 0) -1 (if (>= a 0) 1 0)))
(println (pick (nan)) (pick -0.0) (zero? (nan)) (not (nan)) (if (nan) 'truthy 'falsy))
(define (count-nan n) (let ((i 0) (k 0)) (while (< i n) (when (not (== (nan) (nan))) (set! k (inc k))) (set! i (inc i))) k))
(println (count-nan 50) (< 1 (nan) 3) (- (nan)) (* 0 (nan)) (+ 1e308 1e308 (- 1e308)))
",
        "+nan.0 0 0 0 28 60\n\
         0 1 #f #f truthy\n\
         50 #f +nan.0 +nan.0 +inf.0\n",
    );
}

#[test]
fn fixed_redefinition_is_seen_by_callers() {
    fixed(
        "(define (g x) (+ x 1))
(define (f x) (* 2 (g x)))
(define (run k) (let loop ((i 0) (acc 0)) (if (< i k) (loop (inc i) (+ acc (f i))) acc)))
(println (run 50))
(define (g x) (- x 1))
(println (run 50) (f 10))
(define (g x) (* x 0.5))
(println (run 50) (f 3))
",
        "2550\n2350 18\n1225.0 3.0\n",
    );
}

#[test]
fn generated_programs_are_deterministic_and_valid() {
    // A fixed choice sequence (the smallest program) and a few others whose
    // exact output does not matter: they must run cleanly.
    for data in [vec![], vec![1; 50], (0..400).collect::<Vec<u32>>()] {
        let program = generate(&data);
        assert_eq!(
            program,
            generate(&data),
            "the generator is not deterministic"
        );
        let reference = differential(&program).unwrap_or_else(|report| panic!("{report}"));
        check_valid(&program, &reference).unwrap_or_else(|report| panic!("{report}"));
    }
}
