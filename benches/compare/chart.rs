//! `ratios.svg`: a grouped bar chart of every implementation's median time
//! relative to one baseline, per program, on a logarithmic axis (the ratios
//! span from C's tenths to Python's tens).

use std::path::Path;

use plotters::prelude::*;

use crate::report::{Row, geometric_mean, relative};

/// Distinct colours, Elle's tiers first (they are the first columns).
const PALETTE: &[RGBColor] = &[
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

const SIZE: (u32, u32) = (1100, 520);

/// One group of bars: a program, or the geometric mean over them.
struct Group {
    label: String,
    /// A value per implementation (`None`: no bar).
    values: Vec<Option<f64>>,
}

/// Writes the chart of every column but `baseline` divided by `baseline`.
/// Returns `false` (and writes nothing) when there is nothing to draw.
pub fn write(file: &Path, names: &[String], rows: &[Row], baseline: usize) -> Result<bool, String> {
    let groups = groups(names.len(), rows, baseline);
    let values = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten().copied());
    let Some((low, high)) = decades(values) else {
        return Ok(false);
    };
    draw(file, names, &groups, baseline, (low, high))
        .map_err(|e| format!("{}: cannot draw the chart: {e}", file.display()))?;
    Ok(true)
}

fn groups(columns: usize, rows: &[Row], baseline: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = rows
        .iter()
        .map(|row| Group {
            label: row.program.clone(),
            values: (0..columns)
                .map(|c| relative(row, c, baseline).filter(|_| c != baseline))
                .collect(),
        })
        .collect();
    let means = (0..columns)
        .map(|c| {
            let ratios: Vec<f64> = groups.iter().filter_map(|g| g.values[c]).collect();
            geometric_mean(&ratios)
        })
        .collect();
    groups.push(Group {
        label: "geo. mean".to_string(),
        values: means,
    });
    groups
}

/// The powers of ten just below and above every value.
fn decades(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (low, high) = values.filter(|v| v.is_finite() && *v > 0.0).fold(
        None,
        |range: Option<(f64, f64)>, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        },
    )?;
    let low = 10f64.powf(low.log10().floor().min(0.0));
    let high = 10f64.powf(high.log10().ceil().max(0.0));
    let high = if high > low { high } else { low * 10.0 };
    // A hair beyond the decades, so that the axis labels both ends.
    Some((low * 0.999, high * 1.001))
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(
    file: &Path,
    names: &[String],
    groups: &[Group],
    baseline: usize,
    (low, high): (f64, f64),
) -> DrawResult {
    let root = SVGBackend::new(file, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let n = groups.len();
    let caption = format!(
        "Median time relative to {} (lower is faster, log scale)",
        names[baseline]
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (low..high).log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| group_label(groups, *x))
        .y_label_formatter(&|y| format_ratio(*y))
        .y_desc(format!("time ÷ {}", names[baseline]))
        .label_style(("sans-serif", 14))
        .draw()?;
    let series: Vec<usize> = (0..names.len()).filter(|&c| c != baseline).collect();
    let width = 0.8 / series.len() as f64;
    for (k, &column) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let bars = groups.iter().enumerate().filter_map(|(g, group)| {
            let value = group.values[column]?;
            let left = g as f64 - 0.4 + k as f64 * width;
            Some(Rectangle::new(
                [(left, low), (left + width * 0.9, value)],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(names[column].as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    let one = [(-0.5, 1.0), (n as f64 - 0.5, 1.0)];
    chart.draw_series(std::iter::once(PathElement::new(
        one,
        BLACK.stroke_width(1),
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    root.present()?;
    Ok(())
}

/// The label of the group at `x`, for the mesh's key points that fall on a
/// group's centre.
fn group_label(groups: &[Group], x: f64) -> String {
    let index = x.round();
    if (x - index).abs() > 1e-6 || index < 0.0 {
        return String::new();
    }
    groups
        .get(index as usize)
        .map_or_else(String::new, |g| g.label.clone())
}

/// `0.01`, `0.1`, `1`, `10`... for the axis.
fn format_ratio(y: f64) -> String {
    if y >= 1.0 {
        format!("{y:.0}")
    } else {
        let decimals = (-y.log10()).ceil() as usize;
        format!("{y:.decimals$}")
    }
}
