//! The interactive REPL (LANGUAGE.md §9): multi-line entries, history, tab
//! completion, every form's value printed and kept as `$N`, the
//! `:commands`, and debug levels (`debug.rs`).

mod debug;
mod describe;
mod helper;
mod input;
mod jit;
mod output;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};

use elle_vm::bytecode::Proto;
use elle_vm::{RtError, Value, Vm};

use crate::report::format_repl_report;
use crate::run::{EXIT_ERROR, EXIT_OK};
use helper::ElleHelper;
use input::{Command, Entry, REPL_NAME};
use output::LineTracker;

const PROMPT: &str = "elle> ";
const CONTINUATION_PROMPT: &str = "  ...> ";
const HISTORY_FILE: &str = ".elle_history";
const HISTORY_SIZE: usize = 1000;

type ElleEditor = Editor<ElleHelper, DefaultHistory>;

/// What the loop does after an entry.
enum Flow {
    Continue,
    /// `(exit n)` was called, or `:quit`.
    Exit(i32),
    /// `:abort` at a debug level: leave it.
    Abort,
    /// A restart of the computation suspended under the debug level was
    /// invoked: the transfer that carries it out.
    Transfer(RtError),
}

/// Runs the REPL until `:quit`, end of input or `(exit n)`; returns the
/// exit status.
pub fn run(vm: &mut Vm) -> i32 {
    let mut editor = match new_editor(vm) {
        Ok(e) => e,
        Err(e) => {
            errln!("elle: cannot start the REPL: {e}");
            return EXIT_ERROR;
        }
    };
    let tracker = LineTracker::install(vm);
    let history = history_path();
    if let Some(path) = &history {
        // A missing or unreadable history file just means a fresh history.
        let _ = editor.load_history(path);
    }
    let interrupt = match CtrlC::install(vm) {
        Ok(c) => c,
        Err(e) => {
            errln!("elle: cannot catch Ctrl-C: {e}");
            return EXIT_ERROR;
        }
    };
    outln!(
        "Elle {} (type :help for help, :quit to leave)",
        env!("CARGO_PKG_VERSION")
    );
    let repl = Rc::new(Repl {
        editor: RefCell::new(editor),
        tracker,
        history,
        interrupt,
        results: Cell::new(0),
        level: Cell::new(0),
        reported: Cell::new(false),
    });
    vm.set_debugger(Some(debug::debugger(repl.clone())));
    let status = repl.session(vm);
    vm.set_debugger(None);
    repl.interrupt.uninstall();
    status
}

/// Ctrl-C during evaluation: the terminal sends SIGINT, which sets the
/// VM's interrupt flag, so the running code stops at its next check point
/// with `interrupted` and the session goes on. Compiled code does not look
/// at the flag: a second Ctrl-C while the first is still unseen ends the
/// process (status 130, as a shell reports SIGINT), so a runaway compiled
/// loop can still be stopped. While an entry is typed the terminal is in
/// raw mode and Ctrl-C is a key (it abandons the entry).
struct CtrlC {
    flag: Arc<AtomicBool>,
    ids: [signal_hook::SigId; 2],
}

impl CtrlC {
    fn install(vm: &Vm) -> std::io::Result<CtrlC> {
        use signal_hook::consts::SIGINT;
        let flag = vm.limits().interrupt_flag();
        // The shutdown is registered first, so that it looks at the flag
        // before the second registration sets it.
        let exit = signal_hook::flag::register_conditional_shutdown(SIGINT, 130, flag.clone())?;
        let set = signal_hook::flag::register(SIGINT, flag.clone())?;
        Ok(CtrlC {
            flag,
            ids: [exit, set],
        })
    }

    /// Forgets a Ctrl-C typed while no code ran.
    fn clear(&self) {
        self.flag.store(false, Ordering::Relaxed);
    }

    fn uninstall(&self) {
        for id in self.ids {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// A REPL session's state, shared by the top level and the debug levels
/// (the debugger is a closure the VM calls while the top level waits for
/// its evaluation to end).
struct Repl {
    /// Borrowed only while a line is read, never during an evaluation.
    editor: RefCell<ElleEditor>,
    tracker: LineTracker,
    /// Where history is written, entry by entry.
    history: Option<PathBuf>,
    interrupt: CtrlC,
    /// How many results have been kept as `$1`, `$2`...
    results: Cell<usize>,
    /// The debug level: 0 at the top level.
    level: Cell<usize>,
    /// The error that just came out of an evaluation was reported when it
    /// entered a debug level, left by `:abort`: not reported again.
    reported: Cell<bool>,
}

fn new_editor(vm: &Vm) -> rustyline::Result<ElleEditor> {
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .build();
    let mut editor = ElleEditor::with_config(config)?;
    editor.set_helper(Some(ElleHelper::new(vm)));
    Ok(editor)
}

/// `~/.elle_history`, or nothing when there is no home folder.
fn history_path() -> Option<PathBuf> {
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map(|h| h.join(HISTORY_FILE))
}

impl Repl {
    fn session(&self, vm: &mut Vm) -> i32 {
        loop {
            let Some(entry) = self.read_entry() else {
                // End of input: put the shell's prompt on a fresh line.
                outln!();
                return EXIT_OK;
            };
            if entry.trim().is_empty() {
                continue;
            }
            self.remember(&entry);
            match self.execute(vm, &entry, None) {
                Flow::Exit(code) => return code,
                // Only debug levels abort or invoke restarts.
                Flow::Continue | Flow::Abort | Flow::Transfer(_) => {}
            }
        }
    }

    /// Adds an entry to the history, and to the history file at once, so
    /// that no entry is lost however the session ends.
    fn remember(&self, entry: &str) {
        let mut editor = self.editor.borrow_mut();
        let _ = editor.add_history_entry(entry);
        if let Some(path) = &self.history {
            // An unwritable history file is not worth stopping for.
            let _ = editor.append_history(path);
        }
    }

    /// The prompt of the current level: `elle> `, `elle[2]> `.
    fn prompt(&self) -> String {
        match self.level.get() {
            0 => PROMPT.to_string(),
            n => format!("elle[{n}]> "),
        }
    }

    /// Reads lines until they make a complete entry. `None` at end of
    /// input.
    fn read_entry(&self) -> Option<String> {
        let prompt = self.prompt();
        let mut editor = self.editor.borrow_mut();
        let mut entry = String::new();
        loop {
            let continuing = !entry.is_empty();
            if let Some(h) = editor.helper_mut() {
                h.continuation = continuing;
            }
            let prompt = if continuing {
                CONTINUATION_PROMPT
            } else {
                &prompt
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    if continuing {
                        entry.push('\n');
                    }
                    entry.push_str(&line);
                    if !input::needs_more(&entry) {
                        return Some(entry);
                    }
                }
                // Ctrl-C abandons the entry being typed, as in a shell.
                Err(ReadlineError::Interrupted) => entry.clear(),
                Err(ReadlineError::Eof) => {
                    if continuing {
                        errln!(
                            "elle: end of input in an unfinished entry (its brackets do not balance); it was not evaluated"
                        );
                    }
                    return None;
                }
                Err(e) => {
                    errln!("elle: cannot read input: {e}");
                    return None;
                }
            }
        }
    }

    /// Runs an entry. `cond` is the condition of the debug level the entry
    /// was typed at (`None` at the top level).
    fn execute(&self, vm: &mut Vm, entry: &str, cond: Option<Value>) -> Flow {
        let flow = match input::parse_entry(entry) {
            Entry::Blank => Flow::Continue,
            Entry::Code(src) => self.eval_code(vm, src),
            Entry::Command(c) => self.command(vm, c, cond),
        };
        if let Some(h) = self.editor.borrow_mut().helper_mut() {
            h.refresh(vm);
        }
        flow
    }

    /// Evaluates each form of `src` in turn and prints its value, which is
    /// also kept as the next `$N`; stops at the first error.
    fn eval_code(&self, vm: &mut Vm, src: &str) -> Flow {
        match self.eval_each(vm, src, |repl, vm, v| repl.keep(vm, v)) {
            Ok(()) => Flow::Continue,
            Err(flow) => flow,
        }
    }

    /// Evaluates each form of `src` in turn, passing each value to `take`.
    /// `Err`: it stopped at an error, and what comes next.
    fn eval_each(
        &self,
        vm: &mut Vm,
        src: &str,
        mut take: impl FnMut(&Self, &mut Vm, Value),
    ) -> Result<(), Flow> {
        let forms = Vm::read_forms(src, REPL_NAME).map_err(|e| self.failed(vm, e))?;
        for form in &forms {
            self.interrupt.clear();
            self.reported.set(false);
            let result = vm.eval_toplevel(form);
            self.end_output(vm);
            match result {
                Ok(v) => take(self, vm, v),
                Err(e) => return Err(self.failed(vm, e)),
            }
        }
        Ok(())
    }

    /// Ends a line the program's output left open, so that what is printed
    /// next starts on a line of its own.
    fn end_output(&self, vm: &mut Vm) {
        vm.flush_output();
        self.tracker.end_line();
    }

    /// Prints a result in write form and keeps it as the next `$N`.
    fn keep(&self, vm: &mut Vm, v: Value) {
        let n = self.results.get() + 1;
        self.results.set(n);
        vm.define_global(&format!("${n}"), v);
        outln!("{}", elle_vm::printer::write_string(vm, v));
    }

    /// What an evaluation that failed with `e` leads to: an exit, a restart
    /// invoked from a debug level, or the error report (unless the error
    /// was reported when it entered a debug level).
    fn failed(&self, vm: &mut Vm, e: RtError) -> Flow {
        match e {
            RtError::Exit(code) => Flow::Exit(code),
            e if e.is_transfer_to_clause() && self.level.get() > 0 => Flow::Transfer(e),
            e => {
                let e = vm.host_error(e);
                if !self.reported.replace(false) {
                    errln!("{}", format_repl_report(&e));
                }
                Flow::Continue
            }
        }
    }

    fn command(&self, vm: &mut Vm, c: Command<'_>, cond: Option<Value>) -> Flow {
        match c {
            Command::Help => outln!("{}", input::HELP),
            Command::Quit => return Flow::Exit(EXIT_OK),
            Command::Time(src) => return self.time(vm, src),
            Command::Dis(name) => match disassemble_global(vm, name) {
                Ok(text) => out!("{text}"),
                Err(msg) => errln!("{msg}"),
            },
            Command::Load(path) => {
                self.reported.set(false);
                let result = vm.load_file(Path::new(path));
                self.end_output(vm);
                return match result {
                    Ok(v) => {
                        self.keep(vm, v);
                        Flow::Continue
                    }
                    Err(e) => self.failed(vm, e),
                };
            }
            Command::Jit => outln!("{}", jit::status(vm)),
            Command::JitIr { name, args } => match jit::ir(vm, name, args) {
                Ok(text) => out!("{text}"),
                Err(msg) => errln!("{msg}"),
            },
            Command::Describe(name) => outln!("{}", describe::describe(vm, name)),
            Command::Apropos(text) => outln!("{}", describe::apropos(vm, text)),
            Command::Backtrace | Command::Restarts | Command::Restart { .. } | Command::Abort => {
                return match cond {
                    Some(cond) => self.debug_command(vm, c, cond),
                    None => {
                        errln!("not in a debug level: an error that nothing handles enters one");
                        Flow::Continue
                    }
                };
            }
            Command::MissingArgument { command, usage } => {
                errln!(":{command} needs an argument: {usage}");
            }
            Command::BadArgument {
                command,
                usage,
                arg,
            } => errln!(":{command} does not take {arg:?}: type {usage}"),
            Command::Unknown(name) => errln!("{}", input::unknown_command(name)),
        }
        Flow::Continue
    }

    fn time(&self, vm: &mut Vm, src: &str) -> Flow {
        let start = Instant::now();
        let flow = self.eval_code(vm, src);
        let elapsed = start.elapsed();
        if matches!(flow, Flow::Continue) {
            outln!("; time: {}", format_elapsed(elapsed));
        }
        flow
    }
}

/// The `:dis` listing of a global function, or why there is none.
fn disassemble_global(vm: &Vm, name: &str) -> Result<String, String> {
    let value = vm
        .get_global(name)
        .or_else(|| vm.get_macro(name))
        .ok_or_else(|| format!("{name} is not defined"))?;
    let proto = function_proto(vm, name, value)?;
    Ok(elle_vm::disasm::disassemble(vm, &proto))
}

/// The prototype of `value`, the value of the global `name`, or why it has
/// none.
fn function_proto(vm: &Vm, name: &str, value: Value) -> Result<Rc<Proto>, String> {
    if let Some(proto) = elle_vm::disasm::closure_proto(vm, value) {
        return Ok(proto);
    }
    if let Value::Native(_) = value {
        return Err(format!("{name} is a built-in function: it has no bytecode"));
    }
    let shown = elle_vm::printer::write_string(vm, value);
    Err(format!("{name} is not a function: its value is {shown}"))
}

/// `850µs`, `12.345ms`, `2.500s`: three significant decimals in a readable
/// unit.
fn format_elapsed(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.3}s")
    } else if secs >= 1e-3 {
        format!("{:.3}ms", secs * 1e3)
    } else {
        format!("{:.1}µs", secs * 1e6)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A VM that has run `src`.
    pub(in crate::repl) fn vm_with(src: &str) -> Vm {
        let mut vm = Vm::new();
        if let Err(e) = vm.eval_source(src, "t") {
            panic!("{e}");
        }
        vm
    }

    #[test]
    fn elapsed_units() {
        assert_eq!(format_elapsed(Duration::from_micros(850)), "850.0µs");
        assert_eq!(format_elapsed(Duration::from_micros(12_345)), "12.345ms");
        assert_eq!(format_elapsed(Duration::from_millis(2_500)), "2.500s");
    }

    #[test]
    fn dis_of_a_user_function() {
        let vm = vm_with("(define (square x) (* x x))");
        let text = disassemble_global(&vm, "square").unwrap_or_else(|e| panic!("{e}"));
        assert!(text.starts_with("fn square"), "{text}");
        let first = text.lines().next().unwrap_or_default();
        assert!(first.ends_with("; jit: eligible"), "{text}");
        let vm = vm_with("(define (adder n)\n  (lambda (x) (+ x n)))");
        let text = disassemble_global(&vm, "adder").unwrap_or_else(|e| panic!("{e}"));
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.ends_with("; jit: not eligible: makes a closure (line 2, column 3)"),
            "{text}"
        );
    }

    #[test]
    fn dis_explains_why_there_is_no_listing() {
        let vm = vm_with("(define answer 42)");
        let err = |n| disassemble_global(&vm, n).err().unwrap_or_default();
        assert_eq!(err("nope"), "nope is not defined");
        assert!(err("car").contains("built-in"));
        assert!(err("answer").contains("not a function: its value is 42"));
    }
}
