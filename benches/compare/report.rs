//! The markdown table, and the header that goes with it in `--markdown FILE`.

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
    let mut marks = vec!["---"];
    marks.extend(std::iter::repeat_n("---:", numeric));
    markdown_row(&marks.iter().map(|m| m.to_string()).collect::<Vec<_>>())
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
    let elle = row.cells.get(r.elle)?.median()?;
    let baseline = row.cells.get(r.baseline)?.median()?;
    (baseline > 0.0).then(|| elle / baseline)
}

fn ratio_cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

/// The geometric mean of a ratio column over the rows that have it, noting
/// how many rows that is when some are missing.
fn mean_cell(rows: &[Row], r: Ratio) -> String {
    let values: Vec<f64> = rows.iter().filter_map(|row| ratio(row, r)).collect();
    match geometric_mean(&values) {
        None => "–".to_string(),
        Some(mean) if values.len() == rows.len() => format!("**{mean:.2}**"),
        Some(mean) => format!("**{mean:.2}** ({} of {})", values.len(), rows.len()),
    }
}

pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let log_sum: f64 = values.iter().map(|v| v.ln()).sum();
    Some((log_sum / values.len() as f64).exp())
}

/// Everything the `--markdown` header states.
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

/// The markdown document: header, table and how to read it.
pub fn document(info: &RunInfo, table: &str) -> String {
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
    out += table;
    out += "\n";
    out += &legend(info.runs);
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
