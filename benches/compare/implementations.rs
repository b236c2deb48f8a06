//! The implementations compared: Elle in each of its configurations, and the
//! peers (other languages running the same programs from `benches/peers/`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::suite::Program;

/// One of Elle's tiers: a `--jit` mode of the binary, a column of its own.
pub struct ElleTier {
    /// The `--jit` value, also what the runner's `--jit` option selects.
    pub mode: &'static str,
}

impl ElleTier {
    /// The column's name, which is also how to run it.
    pub fn label(&self) -> String {
        format!("elle --jit {}", self.mode)
    }
}

/// The tiers the binary supports, in column order: the interpreter alone,
/// the default (the JIT compiles what runs often) and the JIT compiling
/// every eligible function and loop at its first call or iteration.
pub const ELLE_TIERS: &[ElleTier] = &[
    ElleTier { mode: "off" },
    ElleTier { mode: "auto" },
    ElleTier { mode: "eager" },
];

/// What `--limits` adds to an Elle tier's command: fuel and a memory limit
/// no benchmark program reaches, so that the column measures what the
/// limits' checks cost.
pub const LIMIT_ARGS: &[&str] = &["--fuel", "1000000000000000", "--max-memory", "16G"];

/// The default baselines of the ratio columns, those that are run.
pub const DEFAULT_BASELINES: &[&str] = &["c", "lua5.4"];

/// How a peer runs a program.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `COMMAND ARGS... FILE`.
    Script,
    /// `COMMAND ARGS... -o EXE FILE -lm`, then `EXE`.
    CompiledC,
}

/// A peer as the runner knows it before looking for it.
pub struct PeerSpec {
    /// Its name in columns, `--peers` and `--baseline`.
    pub name: &'static str,
    /// The executable, looked up on `PATH`.
    pub command: &'static str,
    /// Its programs are `benches/peers/DIR/NAME.EXT`.
    pub dir: &'static str,
    pub ext: &'static str,
    pub kind: Kind,
    /// Arguments before the program file (compiler flags for C).
    pub args: &'static [&'static str],
    /// Arguments that make it print its version.
    pub version: &'static [&'static str],
    /// Arguments that make it print the path of the real executable, for
    /// commands that may be wrappers (a pyenv shim costs ~50 ms per start).
    pub real_exe: Option<&'static [&'static str]>,
}

/// The peers, in column order.
pub const PEERS: &[PeerSpec] = &[
    PeerSpec {
        name: "c",
        command: "gcc",
        dir: "c",
        ext: "c",
        kind: Kind::CompiledC,
        args: &["-O2"],
        version: &["--version"],
        real_exe: None,
    },
    PeerSpec {
        name: "luajit",
        command: "luajit",
        dir: "lua",
        ext: "lua",
        kind: Kind::Script,
        args: &[],
        version: &["-v"],
        real_exe: None,
    },
    PeerSpec {
        name: "lua5.4",
        command: "lua5.4",
        dir: "lua",
        ext: "lua",
        kind: Kind::Script,
        args: &[],
        version: &["-v"],
        real_exe: None,
    },
    PeerSpec {
        name: "python3",
        command: "python3",
        dir: "python",
        ext: "py",
        kind: Kind::Script,
        args: &[],
        version: &["--version"],
        real_exe: Some(&["-c", "import sys; print(sys.executable)"]),
    },
    PeerSpec {
        name: "guile-3.0",
        command: "guile-3.0",
        dir: "guile",
        ext: "scm",
        kind: Kind::Script,
        args: &[],
        version: &["--version"],
        real_exe: None,
    },
    PeerSpec {
        name: "chezscheme",
        command: "chezscheme",
        dir: "chez",
        ext: "ss",
        kind: Kind::Script,
        args: &["--script"],
        version: &["--version"],
        real_exe: None,
    },
];

/// The names `--peers` and `--baseline` accept, besides Elle's labels.
pub fn peer_names(peers: &[PeerSpec]) -> Vec<&'static str> {
    peers.iter().map(|p| p.name).collect()
}

/// The `--jit` modes the runner can measure.
pub fn tier_modes() -> Vec<&'static str> {
    ELLE_TIERS.iter().map(|t| t.mode).collect()
}

/// One column of the table: something that runs the programs.
#[derive(Debug, Clone)]
pub struct Implementation {
    pub name: String,
    /// What it says its version is, and where it was found.
    pub version: String,
    runner: Runner,
}

#[derive(Debug, Clone)]
enum Runner {
    Elle {
        exe: PathBuf,
        args: Vec<String>,
    },
    Script {
        exe: PathBuf,
        args: Vec<String>,
        dir: PathBuf,
        ext: &'static str,
    },
    CompiledC {
        compiler: PathBuf,
        flags: Vec<String>,
        dir: PathBuf,
        /// Where the executables go.
        out: PathBuf,
    },
}

/// A ready-to-run command.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub exe: PathBuf,
    pub args: Vec<OsString>,
}

impl Invocation {
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.args(&self.args);
        cmd
    }
}

/// What an implementation can do with one program.
#[derive(Debug, Clone)]
pub enum Prepared {
    Ready(Invocation),
    /// It has no version of this program.
    Absent,
    /// It has one but it cannot be run (e.g. it does not compile).
    Failed(String),
}

impl Implementation {
    pub fn is_elle(&self) -> bool {
        matches!(self.runner, Runner::Elle { .. })
    }

    /// The command that runs `program`, compiling it first if need be.
    pub fn prepare(&self, program: &Program) -> Prepared {
        match &self.runner {
            Runner::Elle { exe, args } => Prepared::Ready(script(exe, args, &program.path)),
            Runner::Script {
                exe,
                args,
                dir,
                ext,
            } => {
                let source = dir.join(format!("{}.{ext}", program.name));
                if !source.is_file() {
                    return Prepared::Absent;
                }
                Prepared::Ready(script(exe, args, &source))
            }
            Runner::CompiledC {
                compiler,
                flags,
                dir,
                out,
            } => compile_c(
                compiler,
                flags,
                &dir.join(format!("{}.c", program.name)),
                &out.join(&program.name),
            ),
        }
    }
}

/// `EXE ARGS... FILE`.
fn script(exe: &Path, args: &[String], file: &Path) -> Invocation {
    let mut args: Vec<OsString> = args.iter().map(OsString::from).collect();
    args.push(file.into());
    Invocation {
        exe: exe.to_path_buf(),
        args,
    }
}

/// Compiles one C program into `exe`.
fn compile_c(compiler: &Path, flags: &[String], source: &Path, exe: &Path) -> Prepared {
    if !source.is_file() {
        return Prepared::Absent;
    }
    let result = Command::new(compiler)
        .args(flags)
        .arg("-o")
        .arg(exe)
        .arg(source)
        .arg("-lm")
        .output();
    match result {
        Ok(out) if out.status.success() => Prepared::Ready(Invocation {
            exe: exe.to_path_buf(),
            args: Vec::new(),
        }),
        Ok(out) => Prepared::Failed(format!(
            "does not compile: {}",
            first_line(&String::from_utf8_lossy(&out.stderr))
        )),
        Err(e) => Prepared::Failed(format!("cannot run {}: {e}", compiler.display())),
    }
}

/// The implementations to run, and what was left out and why.
pub struct Lineup {
    pub implementations: Vec<Implementation>,
    pub skipped: Vec<String>,
}

/// Where the implementations come from.
pub struct Sources<'a> {
    /// The `elle` binary.
    pub elle: &'a Path,
    /// The `--jit` modes to run (`None`: every tier).
    pub tiers: Option<&'a [String]>,
    /// Whether each tier also runs under [`LIMIT_ARGS`], in a column of
    /// its own.
    pub limits: bool,
    /// The peers the runner knows ([`PEERS`] outside tests).
    pub peers: &'a [PeerSpec],
    /// The peers to run (`None`: every installed one).
    pub wanted: Option<&'a [String]>,
    /// The folder of the peers' programs, one sub-folder per language.
    pub peer_programs: &'a Path,
    /// The folders searched for the peers' commands (`PATH`).
    pub search_path: &'a [PathBuf],
    /// A folder for compiled programs.
    pub scratch: &'a Path,
}

/// Finds Elle's tiers and the peers.
pub fn discover(sources: &Sources) -> Result<Lineup, String> {
    let known = peer_names(sources.peers);
    if let Some(unknown) = sources
        .wanted
        .into_iter()
        .flatten()
        .find(|w| !known.contains(&w.as_str()))
    {
        return Err(format!(
            "no such peer: {unknown} (the peers are: {})",
            known.join(" ")
        ));
    }
    let mut lineup = Lineup {
        implementations: elle_tiers(sources.elle, sources.tiers, sources.limits)?,
        skipped: Vec::new(),
    };
    for spec in sources.peers {
        if sources
            .wanted
            .is_some_and(|w| !w.iter().any(|n| n == spec.name))
        {
            continue;
        }
        match find_peer(spec, sources) {
            Ok(found) => lineup.implementations.push(found),
            Err(why) => lineup.skipped.push(format!("{} ({why})", spec.name)),
        }
    }
    Ok(lineup)
}

/// A column per tier asked for (every tier when `wanted` is `None`), and
/// with `limits` another beside each, under [`LIMIT_ARGS`].
fn elle_tiers(
    elle: &Path,
    wanted: Option<&[String]>,
    limits: bool,
) -> Result<Vec<Implementation>, String> {
    if let Some(unknown) = wanted
        .into_iter()
        .flatten()
        .find(|w| !tier_modes().contains(&w.as_str()))
    {
        return Err(format!(
            "no such Elle tier: --jit {unknown} (this build has: {})",
            tier_modes().join(" ")
        ));
    }
    let version = version_line(elle, &["--version"]);
    let column = |name: String, args: Vec<String>| Implementation {
        name,
        version: format!("{version} ({})", elle.display()),
        runner: Runner::Elle {
            exe: elle.to_path_buf(),
            args,
        },
    };
    let mut columns = Vec::new();
    for tier in ELLE_TIERS
        .iter()
        .filter(|tier| wanted.is_none_or(|w| w.iter().any(|m| m == tier.mode)))
    {
        let args = vec!["--jit".to_string(), tier.mode.to_string()];
        columns.push(column(tier.label(), args.clone()));
        if limits {
            let limited: Vec<String> = args
                .into_iter()
                .chain(LIMIT_ARGS.iter().map(|a| a.to_string()))
                .collect();
            columns.push(column(format!("elle {}", limited.join(" ")), limited));
        }
    }
    Ok(columns)
}

/// A peer ready to run, or why it cannot.
fn find_peer(spec: &PeerSpec, sources: &Sources) -> Result<Implementation, String> {
    let dir = sources.peer_programs.join(spec.dir);
    if !dir.is_dir() {
        return Err(format!("no programs in {}", dir.display()));
    }
    let found = which(spec.command, sources.search_path).ok_or("not installed")?;
    let exe = spec
        .real_exe
        .and_then(|args| real_executable(&found, args))
        .unwrap_or(found);
    let mut version = version_line(&exe, spec.version);
    version.push_str(&format!(" ({})", exe.display()));
    let args: Vec<String> = spec.args.iter().map(|a| a.to_string()).collect();
    let runner = match spec.kind {
        Kind::Script => Runner::Script {
            exe,
            args,
            dir,
            ext: spec.ext,
        },
        Kind::CompiledC => {
            let out = sources.scratch.join("c");
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            version.push_str(&format!(", flags {}", args.join(" ")));
            Runner::CompiledC {
                compiler: exe,
                flags: args,
                dir,
                out,
            }
        }
    };
    Ok(Implementation {
        name: spec.name.to_string(),
        version,
        runner,
    })
}

/// The folders of `PATH`.
pub fn search_path() -> Vec<PathBuf> {
    std::env::var_os("PATH").map_or_else(Vec::new, |p| std::env::split_paths(&p).collect())
}

/// `command` as found in the folders of `search_path`.
pub fn which(command: &str, search_path: &[PathBuf]) -> Option<PathBuf> {
    search_path
        .iter()
        .map(|dir| dir.join(command))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The executable a wrapper such as a pyenv shim stands for.
fn real_executable(command: &Path, args: &[&str]) -> Option<PathBuf> {
    let out = Command::new(command).args(args).output().ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && is_executable(&path)).then_some(path)
}

/// The first line a command prints (on stdout or stderr) when asked `args`.
pub fn version_line(command: &Path, args: &[&str]) -> String {
    match Command::new(command).args(args).output() {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let line = first_line(&stdout);
            let line = if line.is_empty() {
                first_line(&stderr)
            } else {
                line
            };
            without_copyright(&line)
        }
        Err(_) => String::new(),
    }
}

/// `Lua 5.4.4  Copyright (C) ...` without the copyright notice.
fn without_copyright(line: &str) -> String {
    let end = line.find("Copyright").unwrap_or(line.len());
    line[..end].trim_end_matches([' ', '-']).to_string()
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}
