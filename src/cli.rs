//! Command-line arguments (LANGUAGE.md §9) and the run mode they select.

use std::path::PathBuf;

use clap::Parser;

/// Text shown after the options by `--help`.
const AFTER_HELP: &str = "\
With no FILE and no -e, elle starts a REPL when stdin is a terminal and
otherwise reads the whole program from stdin. FILE `-` always reads stdin.
Everything after FILE is passed to the program: (command-line) returns it.
With -e, every positional argument is passed to the program.

Exit status: 0 on success, 1 on an uncaught error, 2 on a usage error;
(exit n) exits with n.";

#[derive(Parser, Debug)]
#[command(
    name = "elle",
    version,
    about = "Elle: a small, practical Lisp",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Evaluate CODE, print the write form of its value and exit
    // CODE may start with `-` (`elle -e -7`, `elle -e '-x'`).
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "CODE",
        allow_hyphen_values = true
    )]
    pub eval: Option<String>,

    /// Execution tiers: the interpreter only (`off`), hot functions to
    /// machine code (`auto`), or every eligible function at its first call
    /// (`eager`)
    #[arg(long, value_enum, value_name = "MODE", default_value = "auto")]
    pub jit: JitMode,

    /// Calls or loop iterations after which `--jit auto` compiles a function
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jit_threshold: Option<u32>,

    /// Print what the JIT did (compiled, rejected and why, deoptimisations,
    /// compile time, code size) on stderr at exit
    #[arg(long)]
    pub jit_stats: bool,

    /// Limit on nested (non-tail) calls; deeper recursion raises stack-overflow
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_depth: Option<u64>,

    /// Limit on fuel: loop iterations and calls, all together; past it the
    /// program stops with fuel-exhausted (compiled code counts them too)
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Limit on the memory the program holds, in bytes, with an optional
    /// K, M or G suffix (powers of 1024); past it the program stops with
    /// memory-limit
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<usize>,

    /// Run without files, foreign functions, exit or environment variables
    /// (file primitives raise io-error, exit raises capability-error)
    #[arg(long)]
    pub sandbox: bool,

    /// Program to run; `-` reads it from stdin
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Arguments for the program, returned by (command-line)
    // Hyphenated values belong to the program once FILE is given, so
    // `elle prog.lisp --verbose` passes `--verbose` instead of rejecting it.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// A byte count with an optional `K`, `M` or `G` suffix (powers of 1024,
/// either case; a trailing `B` or `iB` is allowed): `--max-memory 64M`.
fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let t = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 10),
        Some('m') => (&t[..t.len() - 1], 20),
        Some('g') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a byte count (such as 500000, 64K, 256M or 2G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// `--jit MODE`: which tiers run the program (LANGUAGE.md §9).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitMode {
    /// The bytecode interpreter only.
    Off,
    /// Profiler-driven: hot eligible functions and loops become machine code.
    Auto,
    /// Every eligible function on its first call, every loop on its first
    /// iteration.
    Eager,
}

/// Where the program comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-e CODE`.
    Eval(String),
    /// A program file.
    File(PathBuf),
    /// The whole of stdin (`-`, or no FILE while stdin is not a terminal).
    Stdin,
    /// No FILE and no -e: a REPL if stdin is a terminal, else `Stdin`.
    Default,
}

/// What to run and with which settings, once the arguments are understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub source: Source,
    /// What `(command-line)` returns.
    pub args: Vec<String>,
    pub max_depth: Option<usize>,
    pub fuel: Option<u64>,
    /// `--max-memory`, in bytes.
    pub max_memory: Option<usize>,
    pub sandbox: bool,
    pub jit: JitMode,
    pub jit_threshold: Option<u32>,
    pub jit_stats: bool,
}

impl Invocation {
    /// The tier's mode for `--jit MODE` and `--jit-threshold N`.
    pub fn jit_mode(&self) -> elle_vm::tier::JitMode {
        use elle_vm::tier::{DEFAULT_THRESHOLD, JitMode as Tier};
        match self.jit {
            JitMode::Off => Tier::Off,
            JitMode::Auto => Tier::Auto(self.jit_threshold.unwrap_or(DEFAULT_THRESHOLD)),
            JitMode::Eager => Tier::Eager,
        }
    }
}

impl Cli {
    /// Sorts the positional arguments into the program and its arguments.
    pub fn invocation(self) -> Invocation {
        let max_depth = self
            .max_depth
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let (source, args) = match (self.eval, self.file) {
            // With -e there is no file: every positional is a program argument.
            (Some(code), file) => {
                let mut args: Vec<String> = file
                    .map(|f| f.to_string_lossy().into_owned())
                    .into_iter()
                    .collect();
                args.extend(self.args);
                (Source::Eval(code), args)
            }
            (None, Some(f)) if f.as_os_str() == "-" => (Source::Stdin, self.args),
            (None, Some(f)) => (Source::File(f), self.args),
            (None, None) => (Source::Default, self.args),
        };
        Invocation {
            source,
            args,
            max_depth,
            fuel: self.fuel,
            max_memory: self.max_memory,
            sandbox: self.sandbox,
            jit: self.jit,
            jit_threshold: self.jit_threshold,
            jit_stats: self.jit_stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Invocation {
        let argv = std::iter::once("elle").chain(args.iter().copied());
        match Cli::try_parse_from(argv) {
            Ok(cli) => cli.invocation(),
            Err(e) => panic!("parse failed for {args:?}: {e}"),
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn jit_modes_threshold_and_stats() {
        assert_eq!(parse(&[]).jit, JitMode::Auto);
        assert_eq!(parse(&["--jit", "off", "p.lisp"]).jit, JitMode::Off);
        assert_eq!(parse(&["--jit", "eager", "p.lisp"]).jit, JitMode::Eager);
        let inv = parse(&["--jit-threshold", "7", "--jit-stats", "p.lisp"]);
        assert_eq!((inv.jit_threshold, inv.jit_stats), (Some(7), true));
        let err =
            Cli::try_parse_from(["elle", "--jit", "fast", "p.lisp"]).expect_err("no such mode");
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(
            err.to_string()
                .contains("[possible values: off, auto, eager]"),
            "{err}"
        );
        assert!(Cli::try_parse_from(["elle", "--jit-threshold", "0"]).is_err());
    }

    #[test]
    fn nothing_means_default() {
        let inv = parse(&[]);
        assert_eq!(inv.source, Source::Default);
        assert!(inv.args.is_empty());
        assert_eq!(inv.max_depth, None);
        assert_eq!(inv.fuel, None);
    }

    #[test]
    fn file_with_args_including_hyphenated_ones() {
        let inv = parse(&["prog.lisp", "a", "--max-depth", "-x"]);
        assert_eq!(inv.source, Source::File(PathBuf::from("prog.lisp")));
        assert_eq!(inv.args, strings(&["a", "--max-depth", "-x"]));
        assert_eq!(inv.max_depth, None);
    }

    #[test]
    fn options_before_file_are_ours() {
        let inv = parse(&["--max-depth", "100", "--fuel", "5000", "prog.lisp", "x"]);
        assert_eq!(inv.max_depth, Some(100));
        assert_eq!(inv.fuel, Some(5000));
        assert_eq!((inv.max_memory, inv.sandbox), (None, false));
        let capped = parse(&["--max-memory", "64M", "--sandbox", "prog.lisp"]);
        assert_eq!((capped.max_memory, capped.sandbox), (Some(64 << 20), true));
        for (text, bytes) in [
            ("1000", 1000),
            ("2k", 2048),
            ("3K", 3072),
            ("5MiB", 5 << 20),
            ("1G", 1 << 30),
            ("7b", 7),
        ] {
            assert_eq!(parse_bytes(text), Ok(bytes), "{text}");
        }
        for bad in ["", "M", "12X", "-5", "1.5G", "99999999999999999999G"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
        assert_eq!(inv.source, Source::File(PathBuf::from("prog.lisp")));
        assert_eq!(inv.args, strings(&["x"]));
    }

    #[test]
    fn dash_reads_stdin() {
        let inv = parse(&["-", "a", "b"]);
        assert_eq!(inv.source, Source::Stdin);
        assert_eq!(inv.args, strings(&["a", "b"]));
    }

    #[test]
    fn eval_takes_every_positional_as_an_argument() {
        let inv = parse(&["-e", "(command-line)", "a", "b"]);
        assert_eq!(inv.source, Source::Eval("(command-line)".into()));
        assert_eq!(inv.args, strings(&["a", "b"]));
    }

    #[test]
    fn eval_code_may_start_with_a_hyphen() {
        let inv = parse(&["-e", "-7"]);
        assert_eq!(inv.source, Source::Eval("-7".into()));
        let inv = parse(&["--eval", "-0.5", "x"]);
        assert_eq!(inv.source, Source::Eval("-0.5".into()));
        assert_eq!(inv.args, strings(&["x"]));
    }

    #[test]
    fn usage_errors() {
        for bad in [
            &["--bogus"][..],
            &["--max-depth"],
            &["--max-depth", "zero"],
            &["--max-depth", "0"],
            &["--fuel", "-1"],
            &["--fuel", "lots"],
            &["-e"],
        ] {
            let argv = std::iter::once("elle").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(argv).is_err(), "{bad:?} should fail");
        }
    }
}
