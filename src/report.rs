//! The error report printed on stderr (LANGUAGE.md §9), which is also how
//! `elle::Error` displays:
//!
//! ```text
//! error[division-by-zero]: division by zero
//!   at average (stats.lisp:4:3)
//!   at <top> (stats.lisp:9:1)
//! ```
//!
//! A runaway recursion reaches the depth limit (100,000 frames by default).
//! Of a stack that deep the VM keeps only the innermost and outermost
//! frames (`elle_vm::object::Trace`), shown with a `... N more frames ...`
//! line between them, and runs of the same line are collapsed.

use elle_vm::ElleError;

/// A line repeated more than this many times in a row is collapsed.
const MAX_REPEATS_SHOWN: usize = 2;

/// The report for an uncaught error, without a final newline.
pub fn format_report(e: &ElleError) -> String {
    let mut out = format!("error[{}]: {}", e.ctype, e.message);
    for line in trace_lines(e) {
        out.push('\n');
        out.push_str(&line);
    }
    out
}

/// The REPL's report: the same, then the restarts that were available
/// where the condition went unhandled (the computation was abandoned; the
/// REPL is ready for the next entry).
#[cfg(feature = "cli")]
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

/// The trace alone, one `  at ...` line per frame (the REPL's `:bt`).
#[cfg(feature = "cli")]
pub fn format_trace(e: &ElleError) -> String {
    let lines = trace_lines(e);
    if lines.is_empty() {
        return "  (no frames)".to_string();
    }
    lines.join("\n")
}

/// The trace as report lines: the frames on each side of the ones left
/// out, each side collapsed on its own (nothing is known of the frames in
/// between).
fn trace_lines(e: &ElleError) -> Vec<String> {
    let (inner, left_out, outer) = e.trace_parts();
    let mut lines = collapse_repeats(inner);
    lines.extend(left_out.map(|n| format!("  {n}")));
    lines.extend(collapse_repeats(outer));
    lines
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
            trace: trace.into(),
            frames_left_out: 0,
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
    fn the_frames_left_out_of_a_deep_stack_are_counted_between_both_ends() {
        let mut e = error((0..40).map(|i| format!("f{i} (x:{i}:1)")).collect());
        e.frames_left_out = 99_960;
        let report = format_report(&e);
        assert_eq!(report, e.to_string());
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), 1 + 40 + 1);
        assert_eq!(lines[1], "  at f0 (x:0:1)");
        assert_eq!(lines[20], "  at f19 (x:19:1)");
        assert_eq!(lines[21], "  ... 99960 more frames ...");
        assert_eq!(lines[22], "  at f20 (x:20:1)");
        assert_eq!(lines[41], "  at f39 (x:39:1)");
    }

    #[test]
    fn repeats_collapse_on_each_side_of_the_frames_left_out() {
        let mut trace = vec!["f (x:1:2)".to_string(); 39];
        trace.push("<top> (x:3:1)".into());
        let mut e = error(trace);
        e.frames_left_out = 99_960;
        let report = format_report(&e);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(
            lines[1..],
            [
                "  at f (x:1:2)",
                "  at f (x:1:2)",
                "  ... previous line repeated 18 more times",
                "  ... 99960 more frames ...",
                "  at f (x:1:2)",
                "  at f (x:1:2)",
                "  ... previous line repeated 17 more times",
                "  at <top> (x:3:1)",
            ]
        );
    }
}
