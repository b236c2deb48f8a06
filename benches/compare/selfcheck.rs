//! What the runner does when `cargo test` runs it (without `--bench`): a few
//! quick checks of its own parts, so that it is built and exercised by the
//! test suite without measuring anything.

use std::path::Path;
use std::time::Duration;

use crate::implementations;
use crate::machine;
use crate::measure::{self, Cell};
use crate::options;
use crate::report::{self, Ratio, Row};
use crate::suite;

pub fn run(root: &Path) {
    options_parse();
    statistics();
    table();
    dates();
    suite_is_complete(root);
    peers_are_known();
    println!("compare: self-check passed (measure with `cargo bench --bench compare`)");
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
                Cell::Times(vec![2.0, 3.0, 9.0]),
                Cell::Times(vec![1.0, 1.0, 1.0]),
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
    let names = implementations::peer_names();
    assert!(names.contains(&implementations::DEFAULT_BASELINE));
    assert!(implementations::which("sh").is_some());
    assert!(implementations::which("no-such-command-anywhere").is_none());
}
