//! What the user typed at the REPL: code or a `:command`, and whether it is
//! complete. Kept free of terminal handling so it can be tested directly.

use elle_vm::reader;
use elle_vm::span::FileId;

/// The source name of REPL input in error reports.
pub const REPL_NAME: &str = "<repl>";

/// One complete entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<'a> {
    /// Only whitespace: nothing to do.
    Blank,
    /// Elle source to evaluate.
    Code(&'a str),
    Command(Command<'a>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    Help,
    Quit,
    /// `:time EXPR`.
    Time(&'a str),
    /// `:dis NAME`.
    Dis(&'a str),
    /// `:load FILE`.
    Load(&'a str),
    /// `:jit`: the tier's mode and statistics.
    Jit,
    /// `:describe NAME`.
    Describe(&'a str),
    /// `:apropos TEXT`.
    Apropos(&'a str),
    /// `:bt`: the stack of the error of the debug level.
    Backtrace,
    /// `:restarts`: the restarts available at the debug level.
    Restarts,
    /// `:r N [ARGS...]`: invoke restart N with the values of ARGS.
    Restart {
        number: usize,
        args: &'a str,
    },
    /// `:abort`: leave the debug level.
    Abort,
    /// `:jit ir NAME [ARG...]`: `args` is the text after the name.
    JitIr {
        name: &'a str,
        args: &'a str,
    },
    /// A known command given without its argument.
    MissingArgument {
        command: &'static str,
        usage: &'static str,
    },
    /// A known command given an argument it does not take.
    BadArgument {
        command: &'static str,
        usage: &'static str,
        arg: &'a str,
    },
    /// A command that does not exist (the name, without the colon).
    Unknown(&'a str),
}

/// Splits an entry into code or a command. A command is recognised only
/// when the entry starts with `:` in its very first column, so that a
/// keyword can still be evaluated by typing it after a space.
pub fn parse_entry(text: &str) -> Entry<'_> {
    let Some(rest) = text.strip_prefix(':') else {
        return if text.trim().is_empty() {
            Entry::Blank
        } else {
            Entry::Code(text)
        };
    };
    let (name, arg) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    Entry::Command(parse_command(name, arg))
}

fn parse_command<'a>(name: &'a str, arg: &'a str) -> Command<'a> {
    match name {
        "help" | "h" | "?" => Command::Help,
        "quit" | "q" | "exit" => Command::Quit,
        "time" => needs(arg, "time", ":time EXPR", Command::Time),
        "dis" => needs(arg, "dis", ":dis NAME", Command::Dis),
        "load" => needs(arg, "load", ":load FILE", |a| Command::Load(unquote(a))),
        "jit" => parse_jit(arg),
        "describe" | "d" => needs(arg, "describe", ":describe NAME", Command::Describe),
        "apropos" | "a" => needs(arg, "apropos", ":apropos TEXT", Command::Apropos),
        "bt" | "backtrace" => no_argument(arg, "bt", Command::Backtrace),
        "restarts" => no_argument(arg, "restarts", Command::Restarts),
        "abort" => no_argument(arg, "abort", Command::Abort),
        "r" | "restart" => parse_restart(arg),
        _ => Command::Unknown(name),
    }
}

/// `:jit`, or `:jit ir NAME [ARG...]`.
fn parse_jit(arg: &str) -> Command<'_> {
    const USAGE: &str = ":jit, or :jit ir NAME [ARG...]";
    if arg.is_empty() {
        return Command::Jit;
    }
    let (sub, rest) = split_word(arg);
    if sub != "ir" {
        return Command::BadArgument {
            command: "jit",
            usage: USAGE,
            arg,
        };
    }
    let (name, args) = split_word(rest);
    if name.is_empty() {
        return Command::MissingArgument {
            command: "jit ir",
            usage: ":jit ir NAME [ARG...]",
        };
    }
    Command::JitIr { name, args }
}

/// `:r N [ARGS...]`.
fn parse_restart(arg: &str) -> Command<'_> {
    const USAGE: &str = ":r N [ARGS...] (N as :restarts numbers them)";
    let (number, args) = split_word(arg);
    if number.is_empty() {
        return Command::MissingArgument {
            command: "r",
            usage: USAGE,
        };
    }
    match number.parse::<usize>() {
        Ok(number) if number > 0 => Command::Restart { number, args },
        _ => Command::BadArgument {
            command: "r",
            usage: USAGE,
            arg: number,
        },
    }
}

/// A command that takes no argument: `command` is its name, which is
/// also how it is typed.
fn no_argument<'a>(arg: &'a str, command: &'static str, c: Command<'a>) -> Command<'a> {
    if arg.is_empty() {
        c
    } else {
        Command::BadArgument {
            command,
            usage: "it alone",
            arg,
        }
    }
}

/// The first word of `text` and the rest, both trimmed.
fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    }
}

fn needs<'a>(
    arg: &'a str,
    command: &'static str,
    usage: &'static str,
    make: impl FnOnce(&'a str) -> Command<'a>,
) -> Command<'a> {
    if arg.is_empty() {
        Command::MissingArgument { command, usage }
    } else {
        make(arg)
    }
}

/// `"my file.lisp"` → `my file.lisp`, so paths with spaces can be given.
fn unquote(arg: &str) -> &str {
    arg.strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(arg)
}

/// Whether the input so far needs more lines: the code (or the expression
/// of `:time`) ends inside an unfinished form.
pub fn needs_more(text: &str) -> bool {
    match parse_entry(text) {
        Entry::Code(src) | Entry::Command(Command::Time(src)) => is_unfinished(src),
        _ => false,
    }
}

/// True only when more input could complete the source; other read errors
/// are left for evaluation to report.
fn is_unfinished(src: &str) -> bool {
    matches!(
        reader::read_all(src, FileId::register(REPL_NAME)),
        Err(e) if e.incomplete
    )
}

/// The text of `:help`.
pub const HELP: &str = "\
Type an expression to evaluate it; its value is printed in write form.
Input continues on `  ...>` lines until every form is complete.

Commands:
  :help          this text (also :h, :?)
  :quit          leave the REPL (also :q, Ctrl-D)
  :time EXPR     evaluate EXPR, print its value and the time it took
  :dis NAME      show the bytecode of the global function NAME, and whether
                 the JIT can compile it (and why not)
  :jit           show the JIT's mode and what it has compiled so far
  :jit ir NAME [ARG...]
                 show the Cranelift IR of the global function NAME compiled
                 for the types of the example arguments (numbers, booleans;
                 0 for each parameter when none are given)
  :load FILE     run a file (quote a path with spaces: :load \"my file.lisp\")
  :describe NAME what the global NAME is (also :d)
  :apropos TEXT  the global names that contain TEXT (also :a)

Every form of an entry is evaluated and its value printed; the values are
kept, in order, in the globals $1, $2...

An error that nothing handles enters a debug level at the point where it
was signalled, before anything unwinds (the prompt shows the level, as in
elle[1]>). There, expressions are evaluated in the global environment and:
  :bt            show the stack where the error happened
  :restarts      list the available restarts, numbered
  :r N [ARGS...] invoke restart N with the values of ARGS (expressions): the
                 computation goes on from there
  :abort         leave this debug level (also Ctrl-D)

Tab completes global names (Tab twice lists them). Ctrl-C abandons the
current input.";

/// The message for an unknown command.
pub fn unknown_command(name: &str) -> String {
    format!(
        "unknown command :{name} (type :help for the list; to evaluate the keyword :{name}, \
         type a space before it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_blank() {
        assert_eq!(parse_entry("(+ 1 2)"), Entry::Code("(+ 1 2)"));
        assert_eq!(parse_entry("  \n "), Entry::Blank);
        assert_eq!(parse_entry(""), Entry::Blank);
        // A keyword after a space is code, not a command.
        assert_eq!(parse_entry(" :foo"), Entry::Code(" :foo"));
    }

    #[test]
    fn commands() {
        assert_eq!(parse_entry(":help"), Entry::Command(Command::Help));
        assert_eq!(parse_entry(":?"), Entry::Command(Command::Help));
        assert_eq!(parse_entry(":quit"), Entry::Command(Command::Quit));
        assert_eq!(parse_entry(":q  "), Entry::Command(Command::Quit));
        assert_eq!(
            parse_entry(":time (fib 20)"),
            Entry::Command(Command::Time("(fib 20)"))
        );
        assert_eq!(
            parse_entry(":dis   square "),
            Entry::Command(Command::Dis("square"))
        );
        assert_eq!(
            parse_entry(":load lib/util.lisp"),
            Entry::Command(Command::Load("lib/util.lisp"))
        );
        assert_eq!(
            parse_entry(":load \"my file.lisp\""),
            Entry::Command(Command::Load("my file.lisp"))
        );
    }

    #[test]
    fn jit_commands() {
        assert_eq!(parse_entry(":jit"), Entry::Command(Command::Jit));
        assert_eq!(parse_entry(":jit  "), Entry::Command(Command::Jit));
        assert_eq!(
            parse_entry(":jit ir fib"),
            Entry::Command(Command::JitIr {
                name: "fib",
                args: ""
            })
        );
        assert_eq!(
            parse_entry(":jit  ir  add   1  2.5 "),
            Entry::Command(Command::JitIr {
                name: "add",
                args: "1  2.5"
            })
        );
        assert_eq!(
            parse_entry(":jit ir"),
            Entry::Command(Command::MissingArgument {
                command: "jit ir",
                usage: ":jit ir NAME [ARG...]"
            })
        );
        assert!(matches!(
            parse_entry(":jit stats"),
            Entry::Command(Command::BadArgument {
                command: "jit",
                arg: "stats",
                ..
            })
        ));
        assert!(!needs_more(":jit ir f (1"));
    }

    #[test]
    fn command_argument_may_span_lines() {
        assert_eq!(
            parse_entry(":time\n(+ 1\n 2)"),
            Entry::Command(Command::Time("(+ 1\n 2)"))
        );
    }

    #[test]
    fn bad_commands() {
        assert_eq!(
            parse_entry(":frob x"),
            Entry::Command(Command::Unknown("frob"))
        );
        assert_eq!(parse_entry(":"), Entry::Command(Command::Unknown("")));
        assert_eq!(
            parse_entry(":dis"),
            Entry::Command(Command::MissingArgument {
                command: "dis",
                usage: ":dis NAME"
            })
        );
        assert!(matches!(
            parse_entry(":time   "),
            Entry::Command(Command::MissingArgument {
                command: "time",
                ..
            })
        ));
        assert!(unknown_command("frob").contains(":help"));
    }

    #[test]
    fn describe_apropos_and_debugger_commands() {
        assert_eq!(
            parse_entry(":describe car"),
            Entry::Command(Command::Describe("car"))
        );
        assert_eq!(
            parse_entry(":apropos str"),
            Entry::Command(Command::Apropos("str"))
        );
        assert_eq!(parse_entry(":bt"), Entry::Command(Command::Backtrace));
        assert_eq!(parse_entry(":restarts"), Entry::Command(Command::Restarts));
        assert_eq!(parse_entry(":abort"), Entry::Command(Command::Abort));
        assert_eq!(
            parse_entry(":r 2 (+ 1 2) 4"),
            Entry::Command(Command::Restart {
                number: 2,
                args: "(+ 1 2) 4"
            })
        );
        assert_eq!(
            parse_entry(":r 1"),
            Entry::Command(Command::Restart {
                number: 1,
                args: ""
            })
        );
        assert!(matches!(
            parse_entry(":r 0"),
            Entry::Command(Command::BadArgument { command: "r", .. })
        ));
        assert!(matches!(
            parse_entry(":r x"),
            Entry::Command(Command::BadArgument { command: "r", .. })
        ));
        assert!(matches!(
            parse_entry(":r"),
            Entry::Command(Command::MissingArgument { command: "r", .. })
        ));
        assert!(matches!(
            parse_entry(":bt 3"),
            Entry::Command(Command::BadArgument { command: "bt", .. })
        ));
    }

    #[test]
    fn completeness_of_code() {
        assert!(!needs_more("(+ 1 2)"));
        assert!(needs_more("(define (f x)"));
        assert!(needs_more("(define (f x)\n  (* x"));
        assert!(!needs_more("(define (f x)\n  (* x x))"));
        assert!(needs_more("[1 2"));
        assert!(needs_more("\"unterminated"));
        assert!(!needs_more("42"));
        assert!(!needs_more("; just a comment"));
        assert!(!needs_more(""));
    }

    #[test]
    fn errors_other_than_unfinished_input_are_complete() {
        // Evaluation reports these; asking for more lines would never help.
        assert!(!needs_more(")"));
        assert!(!needs_more("(1 2]"));
    }

    #[test]
    fn completeness_of_commands() {
        assert!(needs_more(":time (fib"));
        assert!(!needs_more(":time (fib 20)"));
        assert!(!needs_more(":dis (oops"));
        assert!(!needs_more(":help"));
    }
}
