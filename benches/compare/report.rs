//! The markdown tables: the summary printed on stdout, and `results.md` in
//! the results folder (summary, every implementation's details, geometric
//! means, with a header saying how and where it was measured).

use crate::measure::Cell;

/// One program's row: a cell per implementation, in column order.
pub struct Row {
    pub program: String,
    pub cells: Vec<Cell>,
}

/// A ratio column: the median of column `elle` divided by that of `baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub elle: usize,
    pub baseline: usize,
}

/// The table: a row per program with each implementation's median seconds
/// and the ratio columns, then a row of geometric means of the ratios.
pub fn table(names: &[String], rows: &[Row], ratios: &[Ratio]) -> String {
    let mut header = vec!["program".to_string()];
    header.extend(names.iter().cloned());
    header.extend(
        ratios
            .iter()
            .map(|r| format!("{}/{}", names[r.elle], names[r.baseline])),
    );
    let mut lines = vec![markdown_row(&header), alignment(names.len() + ratios.len())];
    for row in rows {
        let mut cells = vec![row.program.clone()];
        cells.extend(row.cells.iter().map(seconds_cell));
        cells.extend(ratios.iter().map(|r| ratio_cell(ratio(row, *r))));
        lines.push(markdown_row(&cells));
    }
    if !ratios.is_empty() {
        let mut means = vec!["geometric mean".to_string()];
        means.extend(names.iter().map(|_| String::new()));
        means.extend(ratios.iter().map(|r| mean_cell(rows, *r)));
        lines.push(markdown_row(&means));
    }
    lines.join("\n") + "\n"
}

fn markdown_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// The first column left-aligned, the numbers right-aligned.
fn alignment(numeric: usize) -> String {
    alignment_after(1, numeric)
}

/// `text` columns left-aligned, then `numeric` columns right-aligned.
fn alignment_after(text: usize, numeric: usize) -> String {
    let marks = std::iter::repeat_n("---", text).chain(std::iter::repeat_n("---:", numeric));
    markdown_row(&marks.map(String::from).collect::<Vec<_>>())
}

fn seconds_cell(cell: &Cell) -> String {
    match cell {
        Cell::Broken(word) => format!("**{word}**"),
        _ => cell_text(cell),
    }
}

/// A cell as plain text: the median, the failure's word, or `–`.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Broken(word) => word.clone(),
        _ => cell
            .median()
            .map_or_else(|| "–".to_string(), format_seconds),
    }
}

/// Seconds to three significant digits (at most six decimals).
pub fn format_seconds(s: f64) -> String {
    let magnitude = if s > 0.0 { s.log10().floor() as i32 } else { 0 };
    let decimals = (2 - magnitude).clamp(0, 6) as usize;
    format!("{s:.decimals$}")
}

fn ratio(row: &Row, r: Ratio) -> Option<f64> {
    relative(row, r.elle, r.baseline)
}

/// The median of column `column` divided by that of column `baseline`.
pub fn relative(row: &Row, column: usize, baseline: usize) -> Option<f64> {
    let value = row.cells.get(column)?.median()?;
    let base = row.cells.get(baseline)?.median()?;
    (base > 0.0).then(|| value / base)
}

fn ratio_cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

/// The geometric mean of a ratio column over the rows that have it, noting
/// how many rows that is when some are missing.
fn mean_cell(rows: &[Row], r: Ratio) -> String {
    relative_mean_cell(rows, r.elle, r.baseline)
}

/// The geometric mean of column / baseline over the programs, as a cell.
fn relative_mean_cell(rows: &[Row], column: usize, baseline: usize) -> String {
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|row| relative(row, column, baseline))
        .collect();
    match geometric_mean(&values) {
        None => "–".to_string(),
        Some(mean) if values.len() == rows.len() => format!("**{mean:.2}**"),
        Some(mean) => format!("**{mean:.2}** ({} of {})", values.len(), rows.len()),
    }
}

/// A row per program and implementation: median, min and max seconds, the
/// median relative to each baseline, and the peak memory.
pub fn details(names: &[String], rows: &[Row], baselines: &[usize]) -> String {
    let mut header: Vec<String> = ["program", "implementation", "median s", "min s", "max s"]
        .map(String::from)
        .to_vec();
    header.extend(baselines.iter().map(|&b| format!("÷ {}", names[b])));
    header.push("peak MiB".to_string());
    let mut lines = vec![markdown_row(&header), alignment_after(2, header.len() - 2)];
    for row in rows {
        for (column, cell) in row.cells.iter().enumerate() {
            if *cell == Cell::Absent {
                continue;
            }
            let mut cells = vec![row.program.clone(), names[column].clone()];
            cells.push(seconds_cell(cell));
            cells.push(optional(cell.min(), format_seconds));
            cells.push(optional(cell.max(), format_seconds));
            cells.extend(
                baselines
                    .iter()
                    .map(|&b| ratio_cell(relative(row, column, b))),
            );
            cells.push(peak_cell(cell));
            lines.push(markdown_row(&cells));
        }
    }
    lines.join("\n") + "\n"
}

/// A row per implementation: the geometric mean over the programs of its
/// median relative to each baseline's.
pub fn means(names: &[String], rows: &[Row], baselines: &[usize]) -> String {
    let mut header = vec!["implementation".to_string()];
    header.extend(baselines.iter().map(|&b| format!("÷ {}", names[b])));
    let mut lines = vec![markdown_row(&header), alignment(baselines.len())];
    for (column, name) in names.iter().enumerate() {
        let mut cells = vec![name.clone()];
        cells.extend(
            baselines
                .iter()
                .map(|&b| relative_mean_cell(rows, column, b)),
        );
        lines.push(markdown_row(&cells));
    }
    lines.join("\n") + "\n"
}

/// Peak memory in MiB, `≤ X` when the program stayed below what can be
/// measured.
fn peak_cell(cell: &Cell) -> String {
    match cell.peak_mib() {
        None => "–".to_string(),
        Some((mib, true)) => format!("≤ {mib:.1}"),
        Some((mib, false)) => format!("{mib:.1}"),
    }
}

fn optional(value: Option<f64>, format: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "–".to_string(), format)
}

pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let log_sum: f64 = values.iter().map(|v| v.ln()).sum();
    Some((log_sum / values.len() as f64).exp())
}

/// Everything the header of `results.md` states.
pub struct RunInfo {
    pub date: String,
    pub machine: String,
    pub commit: Option<String>,
    /// (implementation, version) for every column.
    pub versions: Vec<(String, String)>,
    pub skipped: Vec<String>,
    pub runs: usize,
    pub command: String,
}

/// The tables of one run, in markdown.
pub struct Tables {
    pub summary: String,
    pub details: String,
    pub means: String,
}

/// `results.md`: the header, the charts (files beside it), the tables and
/// how to read them.
pub fn document(info: &RunInfo, tables: &Tables, charts: &[String]) -> String {
    let mut out = format!(
        "# Elle compared with other implementations, {}\n\n",
        info.date
    );
    out += &format!("- Machine: {}\n", info.machine);
    if let Some(commit) = &info.commit {
        out += &format!("- Elle commit: {commit}\n");
    }
    for (name, version) in &info.versions {
        out += &format!("- {name}: {version}\n");
    }
    if !info.skipped.is_empty() {
        out += &format!("- Not run: {}\n", info.skipped.join(", "));
    }
    out += &format!("- Command: `{}`\n\n", info.command);
    out += &tables.summary;
    out += "\n";
    out += &legend(info.runs);
    for chart in charts {
        out += &format!("\n![Median time relative to a baseline, per program]({chart})\n");
    }
    out += "\n## Every implementation\n\n";
    out += &tables.details;
    out += "\nMedian, fastest and slowest of the timed runs; `÷ X`: the median \
            divided by X's; peak MiB: the largest resident set size of a run \
            (`ru_maxrss` from `wait4`); `≤ X`: the program used less than the \
            runner itself, whose size Linux counts in every child's peak.\n";
    out += "\n## Geometric means over the programs\n\n";
    out += &tables.means;
    out
}

/// What the numbers are, under the table.
pub fn legend(runs: usize) -> String {
    let runs = if runs == 1 {
        "1 run".to_string()
    } else {
        format!("{runs} runs")
    };
    format!(
        "Seconds of whole-process wall time, median of {runs} after a warm-up, \
         implementations interleaved; a ratio above 1 means Elle is slower. \
         `–`: no such program or no measurement; a word in bold: the run failed \
         or printed the wrong output, so it was not timed.\n"
    )
}
