//! The `elle` command: runs a program file, `-e` code or stdin, or starts a
//! REPL (LANGUAGE.md §9).

mod cli;
mod repl;
mod report;
mod run;

use clap::Parser;

fn main() {
    // On a usage error clap prints the message and exits with status 2;
    // `--help` and `--version` exit with 0.
    let invocation = cli::Cli::parse().invocation();
    let status = run::run_on_big_stack(invocation);
    std::process::exit(status);
}
