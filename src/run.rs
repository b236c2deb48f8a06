//! Running an invocation: builds the VM, runs the program on a thread with a
//! big stack, and turns the outcome into an exit status (LANGUAGE.md §9).

use std::io::{IsTerminal, Read};
use std::path::Path;

use elle_vm::{ElleError, Vm};

use crate::cli::{Invocation, Source};
use crate::repl;
use crate::report::format_report;

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
    let mut vm = new_vm(&inv);
    let inv_stats = inv.jit_stats;
    let status = match inv.source {
        Source::Eval(code) => run_eval(&mut vm, &code),
        Source::File(path) => run_file(&mut vm, &path),
        Source::Stdin => run_stdin(&mut vm),
        Source::Default if std::io::stdin().is_terminal() => repl::run(&mut vm),
        Source::Default => run_stdin(&mut vm),
    };
    // The process ends now: freeing every object of the heap one by one
    // would only delay the exit (by a tenth of the run time on
    // allocation-heavy programs), so the VM is left to the OS once its
    // output is flushed.
    vm.flush_output();
    if inv_stats {
        errln!("{}", crate::tier::report(&vm));
    }
    std::mem::forget(vm);
    status
}

fn new_vm(inv: &Invocation) -> Vm {
    let mut vm = Vm::new();
    vm.set_command_line(inv.args.clone());
    if let Some(depth) = inv.max_depth {
        vm.set_max_depth(depth);
    }
    crate::tier::install(&mut vm, inv.jit, inv.jit_threshold);
    vm
}

/// `-e CODE`: prints the write form of the value on success.
fn run_eval(vm: &mut Vm, code: &str) -> i32 {
    match vm.eval_source(code, EVAL_NAME) {
        Ok(v) => {
            let text = elle_vm::printer::write_string(vm, v);
            // A closed stdout (`elle -e ... | head -c1`) is not the
            // program's failure, so a write error is ignored.
            let _ = vm.write_out(&text).and_then(|()| vm.write_out("\n"));
            vm.flush_output();
            EXIT_OK
        }
        Err(e) => fail(vm, &e),
    }
}

fn run_file(vm: &mut Vm, path: &Path) -> i32 {
    // `load_file` (rather than reading the text here) records the file so
    // that relative imports resolve against its folder.
    let result = vm.load_file(path);
    vm.flush_output();
    match result {
        Ok(_) => EXIT_OK,
        Err(e) => {
            let e = vm.host_error(e);
            fail(vm, &e)
        }
    }
}

fn run_stdin(vm: &mut Vm) -> i32 {
    let mut src = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut src) {
        errln!("error[io-error]: cannot read the program from stdin: {e}");
        return EXIT_ERROR;
    }
    match vm.eval_source(&src, STDIN_NAME) {
        Ok(_) => EXIT_OK,
        Err(e) => fail(vm, &e),
    }
}

/// Ends a run that did not succeed: honours `(exit n)`, otherwise prints the
/// error report on stderr. Program output is flushed first so that it
/// appears before the report.
pub fn fail(vm: &mut Vm, e: &ElleError) -> i32 {
    vm.flush_output();
    if let Some(code) = e.exit_code {
        return code;
    }
    errln!("{}", format_report(e));
    EXIT_ERROR
}
