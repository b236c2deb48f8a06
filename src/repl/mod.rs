//! The interactive REPL (LANGUAGE.md §9): multi-line entries, history, tab
//! completion, and the `:commands`.

mod helper;
mod input;
mod jit;
mod output;

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

use elle_vm::bytecode::Proto;
use elle_vm::{ElleError, Value, Vm};

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
    /// `(exit n)` was called.
    Exit(i32),
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
    let mut repl = Repl {
        vm,
        editor: &mut editor,
        tracker: &tracker,
        history: history.as_deref(),
        interrupt: &interrupt,
    };
    let status = repl.session();
    interrupt.uninstall();
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

/// A REPL session's state.
struct Repl<'a> {
    vm: &'a mut Vm,
    editor: &'a mut ElleEditor,
    tracker: &'a LineTracker,
    /// Where history is written, entry by entry.
    history: Option<&'a Path>,
    interrupt: &'a CtrlC,
}

fn new_editor(vm: &Vm) -> rustyline::Result<ElleEditor> {
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .auto_add_history(false)
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

impl Repl<'_> {
    fn session(&mut self) -> i32 {
        loop {
            let Some(entry) = read_entry(self.editor) else {
                // End of input: put the shell's prompt on a fresh line.
                outln!();
                return EXIT_OK;
            };
            if entry.trim().is_empty() {
                continue;
            }
            self.remember(&entry);
            self.interrupt.clear();
            let flow = execute(self.vm, &entry, self.tracker);
            if let Some(h) = self.editor.helper_mut() {
                h.refresh(self.vm);
            }
            if let Flow::Exit(code) = flow {
                return code;
            }
        }
    }

    /// Adds an entry to the history, and to the history file at once, so
    /// that no entry is lost however the session ends.
    fn remember(&mut self, entry: &str) {
        let _ = self.editor.add_history_entry(entry);
        if let Some(path) = self.history {
            // An unwritable history file is not worth stopping for.
            let _ = self.editor.append_history(path);
        }
    }
}

/// Reads lines until they make a complete entry. `None` at end of input.
fn read_entry(editor: &mut ElleEditor) -> Option<String> {
    let mut entry = String::new();
    loop {
        let continuing = !entry.is_empty();
        if let Some(h) = editor.helper_mut() {
            h.continuation = continuing;
        }
        let prompt = if continuing {
            CONTINUATION_PROMPT
        } else {
            PROMPT
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

fn execute(vm: &mut Vm, entry: &str, tracker: &LineTracker) -> Flow {
    match input::parse_entry(entry) {
        Entry::Blank => Flow::Continue,
        Entry::Code(src) => {
            let result = vm.eval_source(src, REPL_NAME);
            show(vm, result, tracker)
        }
        Entry::Command(c) => command(vm, c, tracker),
    }
}

fn command(vm: &mut Vm, c: Command<'_>, tracker: &LineTracker) -> Flow {
    match c {
        Command::Help => outln!("{}", input::HELP),
        Command::Quit => return Flow::Exit(EXIT_OK),
        Command::Time(src) => return time(vm, src, tracker),
        Command::Dis(name) => match disassemble_global(vm, name) {
            Ok(text) => out!("{text}"),
            Err(msg) => errln!("{msg}"),
        },
        Command::Load(path) => return load(vm, Path::new(path), tracker),
        Command::Jit => outln!("{}", jit::status(vm)),
        Command::JitIr { name, args } => match jit::ir(vm, name, args) {
            Ok(text) => out!("{text}"),
            Err(msg) => errln!("{msg}"),
        },
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

/// Prints a result: the value's write form, or the error report. Program
/// output that did not end its line is ended first, so the value starts on
/// a line of its own.
fn show(vm: &mut Vm, result: Result<Value, ElleError>, tracker: &LineTracker) -> Flow {
    vm.flush_output();
    tracker.end_line();
    match result {
        Ok(v) => {
            outln!("{}", elle_vm::printer::write_string(vm, v));
            Flow::Continue
        }
        Err(e) => match e.exit_code {
            Some(code) => Flow::Exit(code),
            None => {
                errln!("{}", format_repl_report(&e));
                Flow::Continue
            }
        },
    }
}

fn time(vm: &mut Vm, src: &str, tracker: &LineTracker) -> Flow {
    let start = Instant::now();
    let result = vm.eval_source(src, REPL_NAME);
    let elapsed = start.elapsed();
    let flow = show(vm, result, tracker);
    if matches!(flow, Flow::Continue) {
        outln!("; time: {}", format_elapsed(elapsed));
    }
    flow
}

fn load(vm: &mut Vm, path: &Path, tracker: &LineTracker) -> Flow {
    let result = vm.load_file(path).map_err(|e| vm.host_error(e));
    show(vm, result, tracker)
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
mod tests {
    use super::*;

    fn vm_with(src: &str) -> Vm {
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
