//! The comparison runner: times the benchmark programs (`benches/programs/`)
//! with Elle and with every installed peer (`benches/peers/`) in one run and
//! prints a markdown table of medians and ratios. See docs/benchmarks.md.
//!
//! `cargo bench --bench compare -- [OPTIONS] [PROGRAM...]` measures (cargo
//! passes `--bench`). Run without `--bench`, as `cargo test` does, it only
//! checks itself quickly and measures nothing.
//!
//! It builds nothing: it runs the `elle` binary cargo built for this target
//! (`CARGO_BIN_EXE_elle`: `target/release/elle` under `cargo bench`).

#[path = "compare/implementations.rs"]
mod implementations;
#[path = "compare/machine.rs"]
mod machine;
#[path = "compare/measure.rs"]
mod measure;
#[path = "compare/options.rs"]
mod options;
#[path = "compare/report.rs"]
mod report;
#[path = "compare/selfcheck.rs"]
mod selfcheck;
#[path = "compare/suite.rs"]
mod suite;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use implementations::{DEFAULT_BASELINE, Implementation, Lineup};
use measure::{Cell, Settings};
use options::Options;
use report::{Ratio, Row, RunInfo};
use suite::Program;

const ELLE: &str = env!("CARGO_BIN_EXE_elle");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SCRATCH: &str = env!("CARGO_TARGET_TMPDIR");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        selfcheck::run(Path::new(ROOT));
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = args.into_iter().filter(|a| a != "--bench").collect();
    let opts = match options::parse(args.clone()) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("compare: {e}\n\n{}", options::USAGE);
            return ExitCode::from(2);
        }
    };
    if opts.help {
        println!("{}", options::USAGE);
        return ExitCode::SUCCESS;
    }
    match run(&opts, &args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::from(2)
        }
    }
}

/// Measures everything asked for and reports it. Returns whether every run
/// succeeded with the right output.
fn run(opts: &Options, args: &[String]) -> Result<bool, String> {
    let root = Path::new(ROOT);
    let programs = suite::select(
        suite::discover(&root.join("benches/programs"))?,
        &opts.programs,
    )?;
    let scratch = PathBuf::from(SCRATCH).join("compare");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let lineup = implementations::discover(Path::new(ELLE), root, &scratch, opts.peers.as_deref())?;
    let names: Vec<String> = lineup
        .implementations
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let ratios = ratio_columns(&lineup.implementations, &opts.baselines)?;
    announce(&lineup, &programs, opts.runs);
    let settings = Settings {
        runs: opts.runs,
        timeout: opts.timeout,
        scratch: &scratch,
    };
    let rows: Vec<Row> = programs
        .iter()
        .map(|p| measure_program(p, &lineup.implementations, &names, &settings))
        .collect();
    let table = report::table(&names, &rows, &ratios);
    println!("{table}\n{}", report::legend(opts.runs));
    if let Some(file) = &opts.markdown {
        write_markdown(&root.join(file), &lineup, opts.runs, args, &table)?;
    }
    Ok(rows
        .iter()
        .all(|r| r.cells.iter().all(|c| !matches!(c, Cell::Broken(_)))))
}

/// The ratio columns: every Elle configuration against every baseline.
/// Without `--baseline`, the baseline is lua5.4, or else the first peer.
fn ratio_columns(
    implementations: &[Implementation],
    asked: &[String],
) -> Result<Vec<Ratio>, String> {
    let index = |name: &str| implementations.iter().position(|i| i.name == name);
    let baselines: Vec<usize> = if asked.is_empty() {
        let fallback = || {
            let peer = implementations.iter().position(|i| !i.is_elle())?;
            let name = &implementations[peer].name;
            eprintln!("compare: {DEFAULT_BASELINE} is not run; the baseline is {name}");
            Some(peer)
        };
        index(DEFAULT_BASELINE)
            .or_else(fallback)
            .into_iter()
            .collect()
    } else {
        asked
            .iter()
            .map(|b| {
                index(b).ok_or_else(|| format!("baseline {b} is not among the implementations run"))
            })
            .collect::<Result<_, _>>()?
    };
    if baselines.is_empty() {
        eprintln!("compare: no peer to compare with; the table has no ratios");
    }
    let elles = (0..implementations.len()).filter(|&i| implementations[i].is_elle());
    Ok(elles
        .flat_map(|elle| {
            baselines
                .iter()
                .map(move |&baseline| Ratio { elle, baseline })
        })
        .filter(|r| r.elle != r.baseline)
        .collect())
}

/// Tells the user on stderr what is about to run.
fn announce(lineup: &Lineup, programs: &[Program], runs: usize) {
    for implementation in &lineup.implementations {
        eprintln!(
            "compare: {}: {}",
            implementation.name, implementation.version
        );
    }
    for skipped in &lineup.skipped {
        eprintln!("compare: skipping {skipped}");
    }
    eprintln!(
        "compare: {} programs, 1 warm-up + {runs} timed runs each, interleaved",
        programs.len()
    );
}

/// Prepares and measures one program on every implementation, reporting
/// progress on stderr.
fn measure_program(
    program: &Program,
    implementations: &[Implementation],
    names: &[String],
    settings: &Settings,
) -> Row {
    let prepared: Vec<_> = implementations.iter().map(|i| i.prepare(program)).collect();
    let cells = measure::measure(&prepared, &program.name, names, &program.expected, settings);
    eprint!("{:<12}", program.name);
    for (name, cell) in names.iter().zip(&cells) {
        if *cell != Cell::Absent {
            eprint!(" {name} {}", report::cell_text(cell));
        }
    }
    eprintln!();
    Row {
        program: program.name.clone(),
        cells,
    }
}

fn write_markdown(
    file: &Path,
    lineup: &Lineup,
    runs: usize,
    args: &[String],
    table: &str,
) -> Result<(), String> {
    let info = RunInfo {
        date: machine::now_utc(),
        machine: machine::description(),
        commit: machine::git_commit(Path::new(ROOT)),
        versions: lineup
            .implementations
            .iter()
            .map(|i| (i.name.clone(), i.version.clone()))
            .collect(),
        skipped: lineup.skipped.clone(),
        runs,
        command: command_line(args),
    };
    std::fs::write(file, report::document(&info, table))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!("compare: wrote {}", file.display());
    Ok(())
}

/// The command that reproduces this run, as a user would type it.
fn command_line(args: &[String]) -> String {
    let mut line = "cargo bench --bench compare".to_string();
    if !args.is_empty() {
        let quoted: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
        line += &format!(" -- {}", quoted.join(" "));
    }
    line
}

fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=,:+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
