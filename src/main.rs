//! The `elle` command: runs a program file, `-e` code or stdin, or starts a
//! REPL (LANGUAGE.md §9).

/// `println!` and friends panic when the stream is closed (`elle ... | head`);
/// these ignore write errors instead, so a closed pipe never turns into a
/// crash with exit status 101.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod repl;
mod report;
mod run;
mod tier;

use clap::Parser;

fn main() {
    // On a usage error clap prints the message and exits with status 2;
    // `--help` and `--version` exit with 0.
    let invocation = cli::Cli::parse().invocation();
    let status = run::run_on_big_stack(invocation);
    std::process::exit(status);
}
