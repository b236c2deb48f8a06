//! Tab completion for the REPL: global names, macros, special forms and,
//! at the start of an entry, the REPL's commands.

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use elle_vm::Vm;

/// Commands offered when completing a `:` at the start of an entry.
const COMMANDS: &[&str] = &[
    ":help",
    ":quit",
    ":time",
    ":dis",
    ":jit",
    ":load",
    ":describe",
    ":apropos",
    ":bt",
    ":restarts",
    ":r",
    ":abort",
];

/// Characters that end a symbol, so that completion works on the symbol
/// under the cursor (after `(`, `'`, and so on).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "()[]{}'`,\";@".contains(c)
}

/// The completer. It holds a snapshot of the names, refreshed after each
/// evaluation, because rustyline calls it while the VM is not reachable.
#[derive(Default)]
pub struct ElleHelper {
    names: Vec<String>,
    /// True while reading the continuation lines of an entry, where a
    /// leading `:` cannot start a command.
    pub continuation: bool,
}

impl ElleHelper {
    pub fn new(vm: &Vm) -> ElleHelper {
        ElleHelper {
            names: completion_names(vm),
            continuation: false,
        }
    }

    pub fn refresh(&mut self, vm: &Vm) {
        self.names = completion_names(vm);
    }
}

/// Bound globals, macros and special forms, sorted and without duplicates.
/// `%`-prefixed globals are the compiler's internals, not for users.
pub fn completion_names(vm: &Vm) -> Vec<String> {
    let bound_globals = vm.global_names().map(|s| s.name());
    let macros = vm.macro_names().map(|s| s.name());
    let specials = elle_vm::compiler::desugar::SPECIAL_FORMS.iter().copied();
    let mut names: Vec<String> = bound_globals
        .chain(macros)
        .chain(specials)
        .filter(|n| !n.starts_with('%'))
        .map(str::to_string)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Where the word under the cursor starts and the candidates that extend it.
/// `at_entry_start` tells whether `line` is the first line of an entry.
pub fn complete_word(
    names: &[String],
    line: &str,
    pos: usize,
    at_entry_start: bool,
) -> (usize, Vec<String>) {
    let before = line.get(..pos).unwrap_or(line);
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_delimiter(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    if at_entry_start && start == 0 && word.starts_with(':') {
        return (start, matching(COMMANDS.iter().copied(), word));
    }
    if word.is_empty() {
        // Offering every name on a bare Tab is noise.
        return (start, Vec::new());
    }
    (start, matching(names.iter().map(String::as_str), word))
}

fn matching<'a>(candidates: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    candidates
        .filter(|c| c.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

impl Completer for ElleHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = complete_word(&self.names, line, pos, !self.continuation);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

// No hints, highlighting or validation: the REPL loop itself decides when
// an entry is complete, so that continuation lines get their own prompt.
impl Hinter for ElleHelper {
    type Hint = String;
}
impl Highlighter for ElleHelper {}
impl Validator for ElleHelper {}
impl Helper for ElleHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["car", "cdr", "cons", "string-append", "string-length"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn completes_the_symbol_under_the_cursor() {
        let (start, c) = complete_word(&names(), "(map (fn (x) (co", 16, true);
        assert_eq!(start, 14);
        assert_eq!(c, vec!["cons"]);
        let (start, c) = complete_word(&names(), "(string-", 8, true);
        assert_eq!(start, 1);
        assert_eq!(c, vec!["string-append", "string-length"]);
    }

    #[test]
    fn completes_before_the_end_of_the_line() {
        let (start, c) = complete_word(&names(), "(ca x)", 3, true);
        assert_eq!((start, c), (1, vec!["car".to_string()]));
    }

    #[test]
    fn after_a_quote() {
        let (start, c) = complete_word(&names(), "'cd", 3, true);
        assert_eq!((start, c), (1, vec!["cdr".to_string()]));
    }

    #[test]
    fn nothing_for_an_empty_word() {
        assert!(complete_word(&names(), "(", 1, true).1.is_empty());
    }

    #[test]
    fn commands_only_at_the_start_of_an_entry() {
        let (start, c) = complete_word(&names(), ":d", 2, true);
        assert_eq!(
            (start, c),
            (0, vec![":dis".to_string(), ":describe".to_string()])
        );
        assert!(complete_word(&names(), ":d", 2, false).1.is_empty());
    }

    #[test]
    fn names_come_from_the_vm() {
        let mut vm = Vm::new();
        if let Err(e) = vm.eval_source("(define my-global-thing 1)", "t") {
            panic!("{e}");
        }
        let all = completion_names(&vm);
        assert!(all.iter().any(|n| n == "my-global-thing"));
        assert!(all.iter().any(|n| n == "car"));
        assert!(all.iter().any(|n| n == "lambda"), "special forms too");
        assert!(!all.iter().any(|n| n.starts_with('%')));
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    }
}
