//! The error report printed on stderr (LANGUAGE.md §9):
//!
//! ```text
//! error[division-by-zero]: division by zero
//!   at average (stats.lisp:4:3)
//!   at <top> (stats.lisp:9:1)
//! ```
//!
//! A runaway recursion leaves a trace as deep as the depth limit (100,000
//! frames by default), so runs of the same line are collapsed and a trace
//! that is still long keeps only its innermost and outermost frames.

use elle_vm::ElleError;

/// Lines kept at each end of a long trace.
const TRACE_END_LINES: usize = 20;
/// A line repeated more than this many times in a row is collapsed.
const MAX_REPEATS_SHOWN: usize = 2;

/// The report for an uncaught error, without a final newline.
pub fn format_report(e: &ElleError) -> String {
    let mut out = format!("error[{}]: {}", e.ctype, e.message);
    for line in trace_lines(&e.trace) {
        out.push('\n');
        out.push_str(&line);
    }
    out
}

/// The REPL's report: the same, then the restarts that were available
/// where the condition went unhandled (the computation was abandoned; the
/// REPL is ready for the next entry).
pub fn format_repl_report(e: &ElleError) -> String {
    let mut out = format_report(e);
    if !e.restarts.is_empty() {
        out.push_str(
            "
restarts that were available: ",
        );
        out.push_str(&e.restarts.join(", "));
    }
    out
}

/// The trace as report lines: collapsed, then shortened.
fn trace_lines(trace: &[String]) -> Vec<String> {
    let lines = collapse_repeats(trace);
    if lines.len() <= 2 * TRACE_END_LINES {
        return lines;
    }
    let hidden = lines.len() - 2 * TRACE_END_LINES;
    let mut kept = lines[..TRACE_END_LINES].to_vec();
    kept.push(format!("  ... {hidden} more lines ..."));
    kept.extend_from_slice(&lines[lines.len() - TRACE_END_LINES..]);
    kept
}

/// `  at f (x:1:2)` lines, with a run of identical frames shown as its
/// first few and a count of the rest.
fn collapse_repeats(trace: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < trace.len() {
        let run = trace[i..].iter().take_while(|t| **t == trace[i]).count();
        for _ in 0..run.min(MAX_REPEATS_SHOWN) {
            lines.push(format!("  at {}", trace[i]));
        }
        if run > MAX_REPEATS_SHOWN {
            let more = run - MAX_REPEATS_SHOWN;
            lines.push(format!("  ... previous line repeated {more} more times"));
        }
        i += run;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(trace: Vec<String>) -> ElleError {
        ElleError {
            ctype: "division-by-zero".into(),
            message: "division by zero".into(),
            data: None,
            trace,
            restarts: Box::default(),
            exit_code: None,
        }
    }

    #[test]
    fn the_repl_report_names_the_restarts_that_were_available() {
        let mut e = error(vec!["f (t:1:1)".into()]);
        assert_eq!(format_repl_report(&e), format_report(&e));
        e.restarts = vec!["use-value".to_string(), "retry".to_string()].into();
        assert_eq!(
            format_repl_report(&e),
            "error[division-by-zero]: division by zero\n  at f (t:1:1)\n\
             restarts that were available: use-value, retry"
        );
    }

    #[test]
    fn short_traces_match_the_vm_display() {
        let e = error(vec![
            "average (stats.lisp:4:3)".into(),
            "<top> (stats.lisp:9:1)".into(),
        ]);
        assert_eq!(format_report(&e), e.to_string());
        assert_eq!(
            format_report(&e),
            "error[division-by-zero]: division by zero\n  at average (stats.lisp:4:3)\n  at <top> (stats.lisp:9:1)"
        );
        assert_eq!(
            format_report(&error(vec![])),
            "error[division-by-zero]: division by zero"
        );
    }

    #[test]
    fn repeated_frames_are_collapsed() {
        let mut trace = vec!["f (x:1:2)".to_string(); 1000];
        trace.push("<top> (x:3:1)".into());
        let report = format_report(&error(trace));
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(
            lines[1..],
            [
                "  at f (x:1:2)",
                "  at f (x:1:2)",
                "  ... previous line repeated 998 more times",
                "  at <top> (x:3:1)",
            ]
        );
    }

    #[test]
    fn long_varied_traces_keep_both_ends() {
        let trace: Vec<String> = (0..100).map(|i| format!("f{i} (x:{i}:1)")).collect();
        let report = format_report(&error(trace));
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * TRACE_END_LINES + 1);
        assert_eq!(lines[1], "  at f0 (x:0:1)");
        assert_eq!(lines[1 + TRACE_END_LINES], "  ... 60 more lines ...");
        assert_eq!(lines[lines.len() - 1], "  at f99 (x:99:1)");
    }
}
