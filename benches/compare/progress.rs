//! What the runner shows while it runs: a progress bar on a terminal, and
//! the lines that must stay (per-program results, problems) above it. Off a
//! terminal (CI logs, tests) the bar is hidden and the lines go to stderr.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar counting `total` runs (warm-ups included).
    pub fn new(total: u64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} runs, {msg} (about {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar }
    }

    /// A bar that shows nothing (for runs inside tests).
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// Counts a run that is about to start and names it.
    pub fn running(&self, program: &str, implementation: &str, round: usize, runs: usize) {
        let which = if round == 0 {
            "warm-up".to_string()
        } else {
            format!("run {round}/{runs}")
        };
        self.bar
            .set_message(format!("{program}: {implementation}, {which}"));
        self.bar.inc(1);
    }

    /// Takes `runs` runs that will not happen off the count.
    pub fn skip(&self, runs: usize) {
        self.bar.dec_length(runs as u64);
    }

    /// Prints a line that stays, above the bar.
    pub fn say(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
