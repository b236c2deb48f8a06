//! Elle, a Lisp for Rust programs: the embedding API.
//!
//! An [`Engine`] runs Elle code for a Rust program. Values cross between
//! the two through conversion traits ([`IntoElle`], [`FromElle`]): integers
//! of every width (range-checked), floats, booleans, strings, vectors, maps,
//! options and tuples. Rust functions and closures become Elle functions
//! with [`Engine::register_fn`]; a [`Handle`] keeps an Elle value alive
//! across calls; output can be captured ([`OutputBuffer`]); failures come
//! back as one [`Error`] type with the condition's type, message and Elle
//! stack trace.
//!
//! ```
//! use elle::{Engine, OutputBuffer};
//!
//! fn main() -> Result<(), elle::Error> {
//!     let out = OutputBuffer::new();
//!     let mut engine = Engine::builder().output(out.clone()).build();
//!     engine.register_fn("tax", |price: f64| price * 0.2);
//!     // An `Err` is raised in Elle as a condition of type `error`.
//!     engine.register_fn("parse-qty", |s: String| s.parse::<u32>());
//!     engine.eval::<()>(
//!         r#"(define (total price qty) (+ (* price qty) (tax (* price qty))))
//!            (println "rules loaded")"#,
//!     )?;
//!     assert_eq!(engine.call::<f64>("total", (10.0, 3))?, 36.0);
//!     let qty: String = engine.eval(r#"(try (parse-qty "x") (catch e (condition-message e)))"#)?;
//!     assert_eq!(qty, "invalid digit found in string");
//!     assert_eq!(out.contents(), "rules loaded\n");
//!     Ok(())
//! }
//! ```
//!
//! Limits stop a script that runs too long: fuel ([`Engine::set_fuel`]), a
//! time limit or deadline ([`Engine::set_time_limit`],
//! [`Engine::set_deadline`]) and an [`InterruptHandle`] usable from any
//! thread; their conditions escape every handler in the script.
//!
//! ```
//! let mut engine = elle::Engine::builder().fuel(100_000).build();
//! let e = engine.eval::<()>("(try (while true nil) (catch e :never))").unwrap_err();
//! assert_eq!(e.condition_type(), "fuel-exhausted");
//! engine.add_fuel(1000);
//! assert_eq!(engine.eval::<i64>("(+ 1 2)")?, 3);
//! # Ok::<(), elle::Error>(())
//! ```
//!
//! A memory limit ([`Engine::set_memory_limit`]) caps what a script
//! holds, with the same uncatchable kind of condition (`memory-limit`),
//! and [`Engine::sandboxed`] runs scripts without files, foreign
//! functions, `exit` or the environment ([`Capability`]).
//!
//! ```
//! let mut engine = elle::Engine::builder().sandbox().memory_limit(32 << 20).build();
//! let e = engine.eval::<()>("(define (f acc) (f (cons acc acc))) (f nil)").unwrap_err();
//! assert_eq!(e.condition_type(), "memory-limit");
//! let e = engine.eval::<()>(r#"(read-file "secret.txt")"#).unwrap_err();
//! assert_eq!(e.condition_type(), "io-error");
//! ```

#![deny(missing_docs)]

// The command line's printing macros: `println!` and friends panic when the
// stream is closed (`elle ... | head`); these ignore write errors instead,
// so a closed pipe never turns into a crash with exit status 101.
#[cfg(feature = "cli")]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[cfg(feature = "cli")]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

#[cfg(feature = "cli")]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Invokes `$m!` with the tuple arities 1 to 8, as `N: (Type index, ...);`
/// lines: the tuples that convert and the functions that register are
/// implemented for the same arities.
macro_rules! for_tuples {
    ($m:ident) => {
        $m! {
            1: (A 0);
            2: (A 0, B 1);
            3: (A 0, B 1, C 2);
            4: (A 0, B 1, C 2, D 3);
            5: (A 0, B 1, C 2, D 3, E 4);
            6: (A 0, B 1, C 2, D 3, E 4, F 5);
            7: (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
            8: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
        }
    };
}

mod convert;
mod engine;
mod error;
mod function;
mod handle;
mod interrupt;
mod report;
mod tier;

#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod repl;
#[cfg(feature = "cli")]
mod run;

pub use convert::{Context, FromElle, IntoArgs, IntoElle};
/// A raw Elle value: the escape hatch of the conversions ([`FromElle`] and
/// [`IntoElle`] pass it through unchanged). Unlike a [`Handle`], it keeps
/// nothing alive: it is valid only until the engine next runs Elle code,
/// after which a collection may have freed what it refers to (reading it
/// then panics with "stale heap reference" or, if the slot was reused,
/// sees another object).
pub use elle_vm::Value;
pub use elle_vm::capabilities::{Capabilities, Capability};
/// When the engine compiles functions to machine code ([`Builder::jit`]).
pub use elle_vm::tier::JitMode;
pub use engine::{Builder, EVAL_NAME, Engine, OutputBuffer};
pub use error::Error;
pub use function::{HostFn, IntoResult};
pub use handle::Handle;
pub use interrupt::InterruptHandle;

/// The `elle` command (LANGUAGE.md §9): parses the process's arguments,
/// runs the program or the REPL and returns the exit status. The binary's
/// `main` is this; it is public only for that.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub fn cli_main() -> i32 {
    use clap::Parser;
    // On a usage error clap prints the message and exits with status 2;
    // `--help` and `--version` exit with 0.
    let invocation = cli::Cli::parse().invocation();
    run::run_on_big_stack(invocation)
}
