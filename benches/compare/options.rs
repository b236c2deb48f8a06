//! The runner's command line: `cargo compare [OPTIONS] [PROGRAM...]`, an alias
//! of `cargo bench --bench compare -- [OPTIONS] [PROGRAM...]`.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: cargo compare [OPTIONS] [PROGRAM...]
   or: cargo bench --bench compare -- [OPTIONS] [PROGRAM...]

Builds Elle in release mode, runs the benchmark programs (all of them, or the
PROGRAMs named) with each Elle tier and every installed peer, interleaved,
checks every output, prints a table of median whole-process wall times with
ratios to the baselines, and writes results.md (medians, min, max, ratios,
peak memory) and ratios.svg (a bar chart) to the results folder.

options:
  --runs N           timed runs per implementation, after one warm-up (default 5)
  --jit MODES        Elle tiers to run, as --jit modes of the binary,
                     comma-separated (default: every tier it has)
  --peers A,B,...    run only these peers (default: every installed one):
                     c, luajit, lua5.4, python3, guile-3.0, chezscheme
  --baseline NAME    an implementation to divide by; repeat for several
                     (default: c and lua5.4, those that run)
  --out DIR          the results folder (default: target/bench-results);
                     a relative DIR is relative to the package root
  --timeout SECS     a run taking longer is killed and reported (default 300)
  --limits           beside each Elle tier, a column of the same tier under
                     fuel and a memory limit too large to reach (their cost)
  --help             this text";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Programs to run, by name; empty means all.
    pub programs: Vec<String>,
    pub runs: usize,
    /// Implementations to divide Elle's times by; empty means the default.
    pub baselines: Vec<String>,
    /// Elle's tiers to run, as `--jit` modes; `None` means every tier.
    pub tiers: Option<Vec<String>>,
    /// Peers to run; `None` means every installed one.
    pub peers: Option<Vec<String>>,
    /// The results folder; `None` means the default.
    pub out: Option<PathBuf>,
    pub timeout: Duration,
    /// A column of each Elle tier under limits, beside the tier's own.
    pub limits: bool,
    pub help: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            programs: Vec::new(),
            runs: 5,
            baselines: Vec::new(),
            tiers: None,
            peers: None,
            out: None,
            timeout: Duration::from_secs(300),
            limits: false,
            help: false,
        }
    }
}

/// Parses the arguments (without the program name and cargo's `--bench`).
/// Accepts `--opt value` and `--opt=value`.
pub fn parse<I, S>(args: I) -> Result<Options, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut opts = Options::default();
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        if !arg.starts_with("--") {
            opts.programs.push(arg);
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        match flag.as_str() {
            "--help" => opts.help = true,
            "--limits" => opts.limits = true,
            _ => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))?;
                apply(&mut opts, &flag, value)?;
            }
        }
    }
    Ok(opts)
}

/// Sets the option `flag` to `value`.
fn apply(opts: &mut Options, flag: &str, value: String) -> Result<(), String> {
    match flag {
        "--runs" => opts.runs = positive(flag, &value)?,
        "--timeout" => opts.timeout = Duration::from_secs(positive(flag, &value)? as u64),
        "--baseline" => opts.baselines.push(value),
        "--out" => opts.out = Some(PathBuf::from(value)),
        "--peers" => opts.peers = Some(list(&value)),
        "--jit" => opts.tiers = Some(list(&value)),
        _ => return Err(format!("unknown option {flag}")),
    }
    Ok(())
}

/// The items of a comma-separated list.
fn list(value: &str) -> Vec<String> {
    let items = value.split(',').map(str::trim).filter(|s| !s.is_empty());
    items.map(String::from).collect()
}

fn positive(flag: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{flag} needs a positive whole number, not {value:?}"
        )),
    }
}
