//! The comparison runner: times the benchmark programs (`benches/programs/`)
//! with each Elle tier and every installed peer (`benches/peers/`) in one
//! run, checks every output, prints a markdown table of medians and ratios,
//! and writes `results.md` and bar charts to a results folder. See
//! docs/benchmarks.md.
//!
//! `cargo compare [OPTIONS] [PROGRAM...]` (an alias, .cargo/config.toml) is
//! `cargo bench --bench compare -- ...`: cargo builds Elle in release mode
//! (the bench profile) and runs this with `--bench`. Run without `--bench`,
//! as `cargo test` does, it checks itself (selfcheck.rs) and measures
//! nothing.
//!
//! It runs the `elle` binary cargo built for this target
//! (`CARGO_BIN_EXE_elle`: `target/release/elle` under `cargo bench`).

#[path = "compare/chart.rs"]
mod chart;
#[path = "compare/implementations.rs"]
mod implementations;
#[path = "compare/machine.rs"]
mod machine;
#[path = "compare/measure.rs"]
mod measure;
#[path = "compare/options.rs"]
mod options;
#[path = "compare/progress.rs"]
mod progress;
#[path = "compare/report.rs"]
mod report;
#[path = "compare/rusage.rs"]
mod rusage;
#[path = "compare/selfcheck.rs"]
mod selfcheck;
#[path = "compare/suite.rs"]
mod suite;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use implementations::{DEFAULT_BASELINES, Implementation, Lineup, PeerSpec, Sources};
use measure::{Cell, Settings};
use options::Options;
use progress::Progress;
use report::{Ratio, Row, RunInfo, Tables};
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
    match run(&opts, &Setup::project(), &args) {
        Ok(report) if report.all_correct => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::from(2)
        }
    }
}

/// Where a run finds its programs and implementations and puts its files:
/// the project's suite, or a test's fixtures.
pub struct Setup {
    pub elle: PathBuf,
    /// The package root: a relative `--out` starts here.
    pub root: PathBuf,
    /// The Elle programs with their expected outputs.
    pub programs: PathBuf,
    /// The peers' programs, a folder per language.
    pub peer_programs: PathBuf,
    pub peers: &'static [PeerSpec],
    pub search_path: Vec<PathBuf>,
    /// For compiled programs and the runs' output.
    pub scratch: PathBuf,
    /// The results folder when `--out` is not given.
    pub default_out: PathBuf,
    /// Whether to draw a progress bar (on a terminal).
    pub progress: bool,
}

impl Setup {
    /// The project's benchmark suite, measured with the binary cargo built.
    fn project() -> Setup {
        let root = PathBuf::from(ROOT);
        let scratch = PathBuf::from(SCRATCH).join("compare");
        let default_out = Path::new(SCRATCH)
            .parent()
            .map_or_else(|| root.join("target"), Path::to_path_buf)
            .join("bench-results");
        Setup {
            elle: PathBuf::from(ELLE),
            programs: root.join("benches/programs"),
            peer_programs: root.join("benches/peers"),
            peers: implementations::PEERS,
            search_path: implementations::search_path(),
            scratch,
            default_out,
            root,
            progress: true,
        }
    }
}

/// What a run produced.
pub struct Report {
    /// Whether every run printed the right output.
    pub all_correct: bool,
    pub lineup_skipped: Vec<String>,
    /// The files written to the results folder.
    pub files: Vec<PathBuf>,
}

/// Measures everything asked for, prints the summary table and writes the
/// results folder.
fn run(opts: &Options, setup: &Setup, args: &[String]) -> Result<Report, String> {
    let programs = suite::select(suite::discover(&setup.programs)?, &opts.programs)?;
    std::fs::create_dir_all(&setup.scratch)
        .map_err(|e| format!("{}: {e}", setup.scratch.display()))?;
    let lineup = implementations::discover(&Sources {
        elle: &setup.elle,
        tiers: opts.tiers.as_deref(),
        limits: opts.limits,
        peers: setup.peers,
        wanted: opts.peers.as_deref(),
        peer_programs: &setup.peer_programs,
        search_path: &setup.search_path,
        scratch: &setup.scratch,
    })?;
    let names: Vec<String> = lineup
        .implementations
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let baselines = baselines(&lineup.implementations, &opts.baselines)?;
    let progress = if setup.progress {
        let runs = programs.len() * names.len() * (opts.runs + 1);
        Progress::new(runs as u64)
    } else {
        Progress::hidden()
    };
    announce(&lineup, &programs, opts.runs, &progress);
    let settings = Settings {
        runs: opts.runs,
        timeout: opts.timeout,
        scratch: &setup.scratch,
        progress: &progress,
    };
    let rows: Vec<Row> = programs
        .iter()
        .map(|p| measure_program(p, &lineup.implementations, &names, &settings))
        .collect();
    progress.finish();
    let ratios = ratio_columns(&lineup.implementations, &baselines);
    let tables = Tables {
        summary: report::table(&names, &rows, &ratios),
        details: report::details(&names, &rows, &baselines),
        means: report::means(&names, &rows, &baselines),
    };
    println!("{}\n{}", tables.summary, report::legend(opts.runs));
    let out = opts
        .out
        .as_ref()
        .map_or_else(|| setup.default_out.clone(), |dir| setup.root.join(dir));
    let info = run_info(&lineup, opts.runs, args, &setup.root);
    let files = write_results(&out, &info, &tables, &names, &rows, &baselines)?;
    Ok(Report {
        all_correct: rows
            .iter()
            .all(|r| r.cells.iter().all(|c| !matches!(c, Cell::Broken(_)))),
        lineup_skipped: lineup.skipped,
        files,
    })
}

/// The implementations the others are divided by: those asked for, or by
/// default C and Lua 5.4 (those that run), or else the first peer.
fn baselines(implementations: &[Implementation], asked: &[String]) -> Result<Vec<usize>, String> {
    let index = |name: &str| implementations.iter().position(|i| i.name == name);
    if !asked.is_empty() {
        return asked
            .iter()
            .map(|b| {
                index(b).ok_or_else(|| format!("baseline {b} is not among the implementations run"))
            })
            .collect();
    }
    let defaults: Vec<usize> = DEFAULT_BASELINES.iter().filter_map(|b| index(b)).collect();
    if !defaults.is_empty() {
        return Ok(defaults);
    }
    let peer = implementations.iter().position(|i| !i.is_elle());
    match peer {
        Some(peer) => {
            let name = &implementations[peer].name;
            eprintln!(
                "compare: neither of {} is run; the baseline is {name}",
                DEFAULT_BASELINES.join(", ")
            );
        }
        None => eprintln!("compare: no peer to compare with; the tables have no ratios"),
    }
    Ok(peer.into_iter().collect())
}

/// The summary's ratio columns: every Elle tier against every baseline.
fn ratio_columns(implementations: &[Implementation], baselines: &[usize]) -> Vec<Ratio> {
    let elles = (0..implementations.len()).filter(|&i| implementations[i].is_elle());
    elles
        .flat_map(|elle| {
            baselines
                .iter()
                .map(move |&baseline| Ratio { elle, baseline })
        })
        .filter(|r| r.elle != r.baseline)
        .collect()
}

/// Tells the user on stderr what is about to run.
fn announce(lineup: &Lineup, programs: &[Program], runs: usize, progress: &Progress) {
    for implementation in &lineup.implementations {
        progress.say(&format!(
            "compare: {}: {}",
            implementation.name, implementation.version
        ));
    }
    for skipped in &lineup.skipped {
        progress.say(&format!("compare: skipping {skipped}"));
    }
    progress.say(&format!(
        "compare: {} programs, 1 warm-up + {runs} timed runs each, interleaved",
        programs.len()
    ));
}

/// Prepares and measures one program on every implementation, reporting
/// its medians when done.
fn measure_program(
    program: &Program,
    implementations: &[Implementation],
    names: &[String],
    settings: &Settings,
) -> Row {
    let prepared: Vec<_> = implementations.iter().map(|i| i.prepare(program)).collect();
    let cells = measure::measure(&prepared, &program.name, names, &program.expected, settings);
    let mut line = format!("{:<12}", program.name);
    for (name, cell) in names.iter().zip(&cells) {
        if *cell != Cell::Absent {
            line += &format!(" {name} {}", report::cell_text(cell));
        }
    }
    settings.progress.say(&line);
    Row {
        program: program.name.clone(),
        cells,
    }
}

fn run_info(lineup: &Lineup, runs: usize, args: &[String], root: &Path) -> RunInfo {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let portable = |text: &str| portable_paths(text, root, home.as_deref());
    RunInfo {
        date: machine::now_utc(),
        machine: machine::description(),
        commit: machine::git_commit(root),
        versions: lineup
            .implementations
            .iter()
            .map(|i| (i.name.clone(), portable(&i.version)))
            .collect(),
        skipped: lineup.skipped.iter().map(|s| portable(s)).collect(),
        runs,
        command: command_line(args),
    }
}

/// `text` with the paths of this checkout relative to it (`target/release/elle`)
/// and those under the home folder starting with `~/`, so that `results.md`,
/// which is committed, names no folder peculiar to the machine it ran on.
pub fn portable_paths(text: &str, root: &Path, home: Option<&Path>) -> String {
    let prefix = |dir: &Path| {
        let dir = dir.to_string_lossy();
        (dir.len() > 1).then(|| format!("{}/", dir.trim_end_matches('/')))
    };
    let mut text = text.to_string();
    if let Some(root) = prefix(root) {
        text = text.replace(&root, "");
    }
    if let Some(home) = home.and_then(prefix) {
        text = text.replace(&home, "~/");
    }
    text
}

/// Writes `results.md` and a chart per baseline into `dir`; returns the
/// files written.
fn write_results(
    dir: &Path,
    info: &RunInfo,
    tables: &Tables,
    names: &[String],
    rows: &[Row],
    baselines: &[usize],
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut charts = Vec::new();
    for &baseline in baselines {
        let file = format!("ratios-to-{}.svg", file_stem(&names[baseline]));
        if chart::write(&dir.join(&file), names, rows, baseline)? {
            charts.push(file);
        }
    }
    let results = dir.join("results.md");
    let document = report::document(info, tables, &charts);
    std::fs::write(&results, document).map_err(|e| format!("{}: {e}", results.display()))?;
    let mut files = vec![results];
    files.extend(charts.iter().map(|c| dir.join(c)));
    for file in &files {
        eprintln!("compare: wrote {}", file.display());
    }
    Ok(files)
}

/// An implementation's name as part of a file name: `elle --jit auto` is
/// `elle-jit-auto` (no spaces in the charts' names and links).
pub fn file_stem(name: &str) -> String {
    let words = name.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'));
    words
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The command that reproduces this run, as a user would type it.
fn command_line(args: &[String]) -> String {
    let mut words = vec!["cargo".to_string(), "compare".to_string()];
    words.extend(args.iter().map(|a| shell_word(a)));
    words.join(" ")
}

fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=,:+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
