//! What the runner does when `cargo test` runs it (without `--bench`): quick
//! checks of its parts, then two tiny runs of the whole runner on fixture
//! programs (one run each, a shell standing in for a peer), so that output
//! checking, skipping and the results folder are tested without measuring
//! the real suite.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::implementations::{Kind, PeerSpec};

use crate::Setup;
use crate::implementations;
use crate::machine;
use crate::measure::{self, Cell, Samples};
use crate::options;
use crate::report::{self, Ratio, Row};
use crate::rusage;
use crate::suite;

pub fn run(root: &Path) {
    options_parse();
    statistics();
    table();
    dates();
    suite_is_complete(root);
    peers_are_known();
    tiers_are_known();
    paths_are_portable();
    chart_names();
    details_and_memory();
    tiny_run_reports_wrong_output_and_skips_missing_peers();
    tiny_run_of_correct_programs_succeeds();
    println!("compare: self-check passed (measure with `cargo compare`)");
}

fn options_parse() {
    let opts = options::parse([
        "fib",
        "--runs",
        "3",
        "tak",
        "--baseline=luajit",
        "--peers",
        "c,lua5.4",
    ])
    .unwrap();
    assert_eq!(opts.programs, ["fib", "tak"]);
    assert_eq!(opts.runs, 3);
    assert_eq!(opts.baselines, ["luajit"]);
    assert_eq!(
        opts.peers,
        Some(vec!["c".to_string(), "lua5.4".to_string()])
    );
    assert_eq!(opts.timeout, Duration::from_secs(300));
    assert!(options::parse(["--runs", "0"]).is_err());
    assert!(options::parse(["--runs"]).is_err());
    assert!(options::parse(["--frobnicate", "1"]).is_err());
    assert!(options::parse(["--help"]).unwrap().help);
    let limited = options::parse(["--limits", "fib"]).unwrap();
    assert!(limited.limits && !opts.limits);
    assert_eq!(limited.programs, ["fib"]);
}

fn statistics() {
    assert_eq!(measure::median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(measure::median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(measure::median(&[]), None);
    let mean = report::geometric_mean(&[2.0, 8.0]).unwrap();
    assert!((mean - 4.0).abs() < 1e-12);
    assert_eq!(report::geometric_mean(&[]), None);
    assert_eq!(report::format_seconds(12.345), "12.3");
    assert_eq!(report::format_seconds(1.2345), "1.23");
    assert_eq!(report::format_seconds(0.31234), "0.312");
    assert_eq!(report::format_seconds(0.021_44), "0.0214");
    assert_eq!(report::format_seconds(0.000_912_3), "0.000912");
    assert_eq!(report::format_seconds(123.4), "123");
}

fn table() {
    let names = ["elle".to_string(), "lua5.4".to_string()];
    let rows = [
        Row {
            program: "fib".to_string(),
            cells: vec![
                measured(&[2.0, 3.0, 9.0], 2048),
                measured(&[1.0, 1.0, 1.0], 1024),
            ],
        },
        Row {
            program: "tak".to_string(),
            cells: vec![Cell::Broken("WRONG".to_string()), Cell::Absent],
        },
    ];
    let text = report::table(
        &names,
        &rows,
        &[Ratio {
            elle: 0,
            baseline: 1,
        }],
    );
    let expected = "\
| program | elle | lua5.4 | elle/lua5.4 |
| --- | ---: | ---: | ---: |
| fib | 3.00 | 1.00 | 3.00 |
| tak | **WRONG** | – | – |
| geometric mean |  |  | **3.00** (1 of 2) |
";
    assert_eq!(text, expected);
}

fn dates() {
    assert_eq!(machine::civil_from_days(0), (1970, 1, 1));
    assert_eq!(machine::civil_from_days(19_723), (2024, 1, 1));
    assert_eq!(machine::civil_from_days(19_782), (2024, 2, 29));
    assert_eq!(
        machine::cpu_model("processor\t: 0\nmodel name\t: AMD EPYC\n"),
        Some("AMD EPYC".to_string())
    );
}

/// Every program has its expected output, and the filter rejects unknown names.
fn suite_is_complete(root: &Path) {
    let programs = suite::discover(&root.join("benches/programs")).expect("benchmark programs");
    assert!(programs.len() >= 12, "the twelve benchmark programs");
    assert_eq!(programs[0].name, "fib");
    let picked = suite::select(programs.clone(), &["tak".to_string(), "fib".to_string()]).unwrap();
    assert_eq!(
        picked.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["fib", "tak"]
    );
    assert!(suite::select(programs, &["nope".to_string()]).is_err());
}

fn peers_are_known() {
    let names = implementations::peer_names(implementations::PEERS);
    for baseline in implementations::DEFAULT_BASELINES {
        assert!(names.contains(baseline), "{baseline}");
    }
    let path = implementations::search_path();
    assert!(implementations::which("sh", &path).is_some());
    assert!(implementations::which("no-such-command-anywhere", &path).is_none());
    assert!(implementations::which("sh", &[]).is_none());
}

/// The columns of Elle: the interpreter first, then the default, then eager.
fn tiers_are_known() {
    assert_eq!(implementations::tier_modes(), ["off", "auto", "eager"]);
    let labels: Vec<String> = implementations::ELLE_TIERS
        .iter()
        .map(|t| t.label())
        .collect();
    assert_eq!(
        labels,
        ["elle --jit off", "elle --jit auto", "elle --jit eager"]
    );
    let opts = options::parse(["--jit", "off,auto"]).unwrap();
    assert_eq!(
        opts.tiers,
        Some(vec!["off".to_string(), "auto".to_string()])
    );
}

/// A chart's file is named after its baseline, without spaces.
fn chart_names() {
    assert_eq!(crate::file_stem("lua5.4"), "lua5.4");
    assert_eq!(crate::file_stem("guile-3.0"), "guile-3.0");
    assert_eq!(crate::file_stem("elle --jit auto"), "elle-jit-auto");
}

/// `results.md` names the checkout's files relative to it and the home
/// folder as `~`.
fn paths_are_portable() {
    let root = Path::new("/src/elle");
    let home = Some(Path::new("/home/me"));
    assert_eq!(
        crate::portable_paths("elle 0.1.0 (/src/elle/target/release/elle)", root, home),
        "elle 0.1.0 (target/release/elle)"
    );
    assert_eq!(
        crate::portable_paths("Python 3.11.7 (/home/me/.pyenv/bin/python3)", root, home),
        "Python 3.11.7 (~/.pyenv/bin/python3)"
    );
    assert_eq!(
        crate::portable_paths("portless (no programs in /src/elle/peers/x)", root, None),
        "portless (no programs in peers/x)"
    );
    assert_eq!(
        crate::portable_paths("Lua 5.4.4 (/usr/bin/lua5.4)", root, home),
        "Lua 5.4.4 (/usr/bin/lua5.4)"
    );
    assert_eq!(
        crate::portable_paths("/home/meadow/x", root, home),
        "/home/meadow/x"
    );
}

fn measured(times: &[f64], peak_kib: u64) -> Cell {
    Cell::Measured(Samples {
        times: times.to_vec(),
        peak_kib,
        floor_kib: 0,
    })
}

fn details_and_memory() {
    let status = "Name:\tcompare\nVmPeak:\t  20000 kB\nVmHWM:\t    3584 kB\nVmRSS:\t 3500 kB\n";
    assert_eq!(rusage::vm_hwm_kib(status), 3584);
    assert_eq!(rusage::vm_hwm_kib("Name:\tx\n"), 0);
    let own = rusage::own_peak_kib();
    assert!(own > 0 && own < 1 << 20, "the runner's own peak: {own} KiB");
    let names = ["elle".to_string(), "c".to_string()];
    let small = Cell::Measured(Samples {
        times: vec![0.5],
        peak_kib: 3072,
        floor_kib: 3072,
    });
    let rows = [Row {
        program: "fib".to_string(),
        cells: vec![measured(&[3.0, 1.0, 2.0], 10 * 1024), small],
    }];
    let expected = "\
| program | implementation | median s | min s | max s | ÷ c | peak MiB |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
| fib | elle | 2.00 | 1.00 | 3.00 | 4.00 | 10.0 |
| fib | c | 0.500 | 0.500 | 0.500 | 1.00 | ≤ 3.0 |
";
    assert_eq!(report::details(&names, &rows, &[1]), expected);
    let means = report::means(&names, &rows, &[1]);
    assert!(means.contains("| elle | **4.00** |"), "{means}");
}

/// Peers for the tiny runs: a shell running `peers/sh/NAME.sh`, one that
/// is not installed, and one without a folder of programs.
const FIXTURE_PEERS: &[PeerSpec] = &[
    PeerSpec {
        name: "sh",
        command: "sh",
        dir: "sh",
        ext: "sh",
        kind: Kind::Script,
        args: &[],
        version: &["-c", "echo a POSIX shell"],
        real_exe: None,
    },
    PeerSpec {
        name: "not-installed",
        command: "no-such-interpreter-for-elle-tests",
        dir: "sh",
        ext: "sh",
        kind: Kind::Script,
        args: &[],
        version: &[],
        real_exe: None,
    },
    PeerSpec {
        name: "portless",
        command: "sh",
        dir: "no-ports-here",
        ext: "sh",
        kind: Kind::Script,
        args: &[],
        version: &[],
        real_exe: None,
    },
];

/// A fresh fixture folder: `good` (right output in Elle and sh), `bad`
/// (Elle prints 2, its `.out` says 3; the sh port prints 3) and `lonely`
/// (no sh port).
fn fixture(name: &str) -> Setup {
    let dir = PathBuf::from(crate::SCRATCH)
        .join("compare-selfcheck")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let files = [
        ("programs/good.lisp", "(println 1)\n"),
        ("programs/good.out", "1\n"),
        ("programs/bad.lisp", "(println 2)\n"),
        ("programs/bad.out", "3\n"),
        ("programs/lonely.lisp", "(println (+ 2 3))\n"),
        ("programs/lonely.out", "5\n"),
        ("peers/sh/good.sh", "echo 1\n"),
        ("peers/sh/bad.sh", "echo 3\n"),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("a file in a folder"))
            .expect("fixture folder");
        std::fs::write(&path, text).expect("fixture file");
    }
    Setup {
        elle: PathBuf::from(crate::ELLE),
        root: dir.clone(),
        programs: dir.join("programs"),
        peer_programs: dir.join("peers"),
        peers: FIXTURE_PEERS,
        search_path: implementations::search_path(),
        scratch: dir.join("scratch"),
        default_out: dir.join("results"),
        progress: false,
    }
}

fn tiny_run_reports_wrong_output_and_skips_missing_peers() {
    let setup = fixture("wrong");
    let opts = options::parse(["--runs", "1"]).expect("options");
    let report = crate::run(&opts, &setup, &[]).expect("the tiny run completes");
    assert!(!report.all_correct, "bad.lisp prints the wrong output");
    assert_eq!(
        report.lineup_skipped.len(),
        2,
        "{:?}",
        report.lineup_skipped
    );
    assert_eq!(report.lineup_skipped[0], "not-installed (not installed)");
    assert!(report.lineup_skipped[1].starts_with("portless (no programs in "));

    let results = setup.default_out.join("results.md");
    let chart = setup.default_out.join("ratios-to-sh.svg");
    assert_eq!(report.files, [results.clone(), chart.clone()]);
    let text = std::fs::read_to_string(&results).expect("results.md is written");
    for expected in [
        "- Not run: not-installed (not installed), portless (no programs in peers/no-ports-here)",
        "| program | elle --jit off | elle --jit auto | elle --jit eager | sh \
         | elle --jit off/sh | elle --jit auto/sh | elle --jit eager/sh |",
        "- elle --jit auto: elle ",
        "| bad | **WRONG** | ",
        "| lonely | ",
        "| bad | sh | ",
        "![Median time relative to a baseline, per program](ratios-to-sh.svg)",
        "## Geometric means over the programs",
    ] {
        assert!(
            text.contains(expected),
            "results.md lacks {expected:?}:\n{text}"
        );
    }
    let lonely = text
        .lines()
        .find(|l| l.starts_with("| lonely |"))
        .expect("lonely row");
    assert!(
        lonely.contains("| – |"),
        "sh has no port of lonely: {lonely}"
    );
    let svg = std::fs::read_to_string(&chart).expect("the chart is written");
    assert!(svg.starts_with("<svg"), "an SVG document");
    for label in [
        "good",
        "lonely",
        "geo. mean",
        "elle --jit off",
        "elle --jit auto",
        "elle --jit eager",
        "relative to sh",
    ] {
        assert!(svg.contains(label), "the chart lacks {label:?}");
    }
}

fn tiny_run_of_correct_programs_succeeds() {
    let setup = fixture("right");
    let opts = options::parse(["good", "--runs", "2", "--peers", "sh", "--out", "elsewhere"])
        .expect("options");
    let report = crate::run(&opts, &setup, &[]).expect("the tiny run completes");
    assert!(report.all_correct);
    assert!(report.lineup_skipped.is_empty(), "only sh was asked for");
    let results = setup.root.join("elsewhere/results.md");
    let text = std::fs::read_to_string(&results).expect("--out is the results folder");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| good | "))
        .collect();
    assert_eq!(
        rows.len(),
        5,
        "a summary row and a detail row per implementation (three tiers and sh)"
    );
    let detail = rows[1];
    let columns = detail.split(" | ").count();
    assert_eq!(
        columns, 7,
        "program, implementation, median, min, max, ÷ sh, peak: {detail}"
    );
    assert!(!detail.contains('–'), "every number was measured: {detail}");
    let unknown = options::parse(["--jit", "fast"]).expect("options");
    let err = crate::run(&unknown, &setup, &[])
        .err()
        .expect("an unknown tier is refused");
    assert_eq!(
        err,
        "no such Elle tier: --jit fast (this build has: off auto eager)"
    );

    let setup = fixture("one-tier");
    let opts =
        options::parse(["good", "--runs", "1", "--jit", "auto", "--peers", "sh"]).expect("options");
    let report = crate::run(&opts, &setup, &[]).expect("the tiny run completes");
    assert!(report.all_correct);
    let text = std::fs::read_to_string(setup.default_out.join("results.md")).expect("results.md");
    assert!(
        text.contains("| program | elle --jit auto | sh | elle --jit auto/sh |"),
        "--jit auto runs that tier alone:\n{text}"
    );

    let opts = options::parse([
        "good",
        "--runs",
        "1",
        "--jit",
        "off,auto",
        "--peers",
        "sh",
        "--baseline",
        "elle --jit off",
        "--out",
        "tiers",
    ])
    .expect("options");
    let report = crate::run(&opts, &setup, &[]).expect("the tiny run completes");
    let results = setup.root.join("tiers/results.md");
    let chart = setup.root.join("tiers/ratios-to-elle-jit-off.svg");
    assert_eq!(report.files, [results.clone(), chart]);
    let text = std::fs::read_to_string(&results).expect("results.md");
    for expected in [
        "| program | elle --jit off | elle --jit auto | sh | elle --jit auto/elle --jit off |",
        "![Median time relative to a baseline, per program](ratios-to-elle-jit-off.svg)",
    ] {
        assert!(
            text.contains(expected),
            "a tier can be the baseline: results.md lacks {expected:?}:\n{text}"
        );
    }
}
