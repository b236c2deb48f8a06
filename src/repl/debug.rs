//! The REPL's debug levels (LANGUAGE.md §9). The REPL installs a debugger
//! in the VM (`Vm::set_debugger`): when an error goes unhandled, the VM
//! calls it at the signal point, before anything unwinds, so the frames
//! and restarts of the failed computation are live while it runs. It runs
//! a nested read-eval-print loop, one level deeper, until a restart is
//! invoked (the computation goes on from the restart), `:abort` or Ctrl-D
//! (the error unwinds to the level above), or `:quit`/`(exit n)`.

use std::rc::Rc;

use elle_vm::host::Root;
use elle_vm::{Debugger, RestartInfo, RtError, Value, Vm};

use super::input::Command;
use super::{Flow, Repl};
use crate::report::{format_report, format_trace};

/// The debugger the REPL installs.
pub(super) fn debugger(repl: Rc<Repl>) -> Debugger {
    Rc::new(move |vm: &mut Vm, cond: Value| repl.debug_level(vm, cond))
}

impl Repl {
    /// A debug level for the unhandled condition `cond` (rooted by the VM
    /// while the level runs). `Ok`: leave it, the condition unwinds on.
    fn debug_level(&self, vm: &mut Vm, cond: Value) -> Result<(), RtError> {
        let level = self.level.get() + 1;
        self.level.set(level);
        self.end_output(vm);
        let report = vm.host_error(RtError::Raise(cond));
        errln!("{}", format_report(&report));
        errln!(
            "debug level {level}: :restarts lists the restarts, :r N [ARGS...] invokes one, \
             :bt shows the stack, :abort (or Ctrl-D) leaves"
        );
        let restarts = vm.restarts();
        if !restarts.is_empty() {
            errln!("{}", list_restarts(&restarts));
        }
        if let Some(h) = self.editor.borrow_mut().helper_mut() {
            h.refresh(vm);
        }
        let result = loop {
            let Some(entry) = self.read_entry() else {
                // Ctrl-D: back to the level above, on a fresh line.
                outln!();
                break Ok(());
            };
            if entry.trim().is_empty() {
                continue;
            }
            self.remember(&entry);
            match self.execute(vm, &entry, Some(cond)) {
                Flow::Continue => {}
                Flow::Abort => break Ok(()),
                Flow::Exit(code) => break Err(RtError::Exit(code)),
                Flow::Transfer(e) => break Err(e),
            }
        };
        self.level.set(level - 1);
        // Aborted: the condition comes out of the evaluation at the level
        // above, where it was already reported.
        self.reported.set(result.is_ok());
        result
    }

    /// `:bt`, `:restarts`, `:r N [ARGS...]` and `:abort` at a debug level
    /// whose condition is `cond`.
    pub(super) fn debug_command(&self, vm: &mut Vm, c: Command<'_>, cond: Value) -> Flow {
        match c {
            Command::Backtrace => {
                let e = vm.host_error(RtError::Raise(cond));
                outln!("{}", format_trace(&e));
            }
            Command::Restarts => {
                let restarts = vm.restarts();
                if restarts.is_empty() {
                    outln!("no restarts are available");
                } else {
                    outln!("{}", list_restarts(&restarts));
                }
            }
            Command::Restart { number, args } => return self.invoke(vm, number, args),
            Command::Abort => return Flow::Abort,
            _ => {}
        }
        Flow::Continue
    }

    /// `:r N ARGS...`: evaluates the arguments, then invokes restart N.
    fn invoke(&self, vm: &mut Vm, number: usize, args: &str) -> Flow {
        // Each value is kept alive while the next argument is evaluated.
        let mut values: Vec<Root> = Vec::new();
        if let Err(flow) = self.eval_each(vm, args, |_, vm, v| values.push(vm.root(v))) {
            return flow;
        }
        let values: Vec<Value> = values.iter().filter_map(|r| r.get(vm)).collect();
        let e = vm.invoke_restart_at(number.saturating_sub(1), &values);
        if e.is_transfer_to_clause() {
            return Flow::Transfer(e);
        }
        // Not invoked (no such restart, a wrong argument count): say why
        // and stay at this level.
        let e = vm.host_error(e);
        errln!("error[{}]: {}", e.ctype, e.message);
        Flow::Continue
    }
}

/// `  1: use-value (1 argument)` lines, innermost restart first.
fn list_restarts(restarts: &[RestartInfo]) -> String {
    restarts
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let args = match (r.params, r.rest) {
                (0, false) => "no arguments".to_string(),
                (1, false) => "1 argument".to_string(),
                (n, false) => format!("{n} arguments"),
                (n, true) => format!("{n} or more arguments"),
            };
            format!("  {}: {} ({args})", i + 1, r.name.name())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use elle_vm::symbol::Sym;

    #[test]
    fn restarts_are_numbered_from_one_with_their_arguments() {
        let r = |name: &str, params, rest| RestartInfo {
            name: Sym::intern(name),
            params,
            rest,
        };
        let text = list_restarts(&[
            r("use-value", 1, false),
            r("retry", 0, false),
            r("many", 2, false),
            r("any", 0, true),
        ]);
        assert_eq!(
            text,
            "  1: use-value (1 argument)\n  2: retry (no arguments)\n  3: many (2 arguments)\n  4: any (0 or more arguments)"
        );
    }
}
