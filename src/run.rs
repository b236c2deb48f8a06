//! Running an invocation: builds the engine, runs the program on a thread
//! with a big stack, and turns the outcome into an exit status
//! (LANGUAGE.md §9).

use std::io::{IsTerminal, Read};
use std::path::Path;

use elle_vm::Value;

use crate::cli::{Invocation, Source};
use crate::repl;
use crate::{Engine, Error};

pub const EXIT_OK: i32 = 0;
/// An uncaught error: read, compile or run time.
pub const EXIT_ERROR: i32 = 1;
/// The interpreter itself panicked (a bug in Elle, not in the program);
/// the same status Rust gives an unhandled panic.
pub const EXIT_PANIC: i32 = 101;

/// Stack reserved for evaluation: the compiler recurses on the nesting of
/// the source, so deeply nested programs need far more than the default.
/// Only touched pages are committed, so reserving this much is cheap.
const EVAL_STACK_BYTES: usize = 1 << 30;

/// Source names used in error reports for programs that have no file.
pub const EVAL_NAME: &str = "-e";
pub const STDIN_NAME: &str = "<stdin>";

/// Runs the invocation on a big-stack thread and returns the exit status.
pub fn run_on_big_stack(inv: Invocation) -> i32 {
    let spawned = std::thread::Builder::new()
        .name("elle".into())
        .stack_size(EVAL_STACK_BYTES)
        .spawn(move || run(inv));
    match spawned {
        // The panic hook has already printed the panic's message.
        Ok(handle) => handle.join().unwrap_or(EXIT_PANIC),
        Err(e) => {
            errln!("elle: cannot start the evaluation thread: {e}");
            EXIT_ERROR
        }
    }
}

fn run(inv: Invocation) -> i32 {
    let mut engine = new_engine(&inv);
    let status = match inv.source {
        Source::Eval(code) => run_eval(&mut engine, &code),
        Source::File(path) => run_file(&mut engine, &path),
        Source::Stdin => run_stdin(&mut engine),
        Source::Default if std::io::stdin().is_terminal() => repl::run(&mut engine.vm),
        Source::Default => run_stdin(&mut engine),
    };
    // The process ends now: freeing every object of the heap one by one
    // would only delay the exit (by a tenth of the run time on
    // allocation-heavy programs), so the engine is left to the OS once its
    // output is flushed.
    engine.vm.flush_output();
    if inv.jit_stats {
        errln!("{}", crate::tier::report(&engine.vm));
    }
    std::mem::forget(engine);
    status
}

fn new_engine(inv: &Invocation) -> Engine {
    let mut builder = Engine::builder()
        .command_line(inv.args.clone())
        .jit(inv.jit_mode());
    if let Some(depth) = inv.max_depth {
        builder = builder.max_depth(depth);
    }
    if let Some(fuel) = inv.fuel {
        builder = builder.fuel(fuel);
    }
    if let Some(bytes) = inv.max_memory {
        builder = builder.memory_limit(bytes);
    }
    if inv.sandbox {
        builder = builder.sandbox();
    }
    builder.build()
}

/// `-e CODE`: prints the write form of the value on success.
fn run_eval(engine: &mut Engine, code: &str) -> i32 {
    match engine.eval_named::<Value>(EVAL_NAME, code) {
        Ok(v) => {
            let vm = &mut engine.vm;
            let text = elle_vm::printer::write_string(vm, v);
            // A closed stdout (`elle -e ... | head -c1`) is not the
            // program's failure, so a write error is ignored.
            let _ = vm.write_out(&text).and_then(|()| vm.write_out("\n"));
            vm.flush_output();
            EXIT_OK
        }
        Err(e) => fail(engine, &e),
    }
}

fn run_file(engine: &mut Engine, path: &Path) -> i32 {
    // `eval_file` (rather than reading the text here) records the file so
    // that relative imports resolve against its folder.
    match engine.eval_file::<()>(path) {
        Ok(()) => EXIT_OK,
        Err(e) => fail(engine, &e),
    }
}

fn run_stdin(engine: &mut Engine) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        errln!("error[io-error]: cannot read the program from stdin: {e}");
        return EXIT_ERROR;
    }
    let file = elle_vm::span::FileId::register(STDIN_NAME);
    let src = match elle_vm::reader::decode_source(bytes, file) {
        Ok(src) => src,
        Err(e) => {
            errln!("error[read-error]: {}: {}", e.span, e.message);
            return EXIT_ERROR;
        }
    };
    match engine.eval_named::<()>(STDIN_NAME, &src) {
        Ok(()) => EXIT_OK,
        Err(e) => fail(engine, &e),
    }
}

/// Ends a run that did not succeed: honours `(exit n)`, otherwise prints the
/// error report on stderr. Program output is flushed first so that it
/// appears before the report.
fn fail(engine: &mut Engine, e: &Error) -> i32 {
    engine.vm.flush_output();
    if let Some(code) = e.exit_code() {
        return code;
    }
    errln!("{e}");
    EXIT_ERROR
}
