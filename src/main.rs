//! The `elle` command: runs a program file, `-e` code or stdin, or starts a
//! REPL (LANGUAGE.md §9). Everything is in the library (`elle::cli_main`),
//! whose `Engine` it runs programs with.

fn main() {
    std::process::exit(elle::cli_main());
}
