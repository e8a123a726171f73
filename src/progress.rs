//! Progress on long runs: files loaded, rules run, pages written, shown on
//! stderr when it is a terminal. The library only reports stages and counts
//! through [`Progress`]; the command line decides whether to draw them.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where a stage reports how far it has come.
pub trait Progress: Sync {
    /// A stage starts, with the number of steps it will take.
    fn start(&self, stage: &str, total: u64);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The stage is over.
    fn finish(&self);
}

/// Reports nothing: for pipes, files, `--quiet` and JSON output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Draws one bar per stage on stderr.
pub struct Bars {
    bar: std::sync::Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            bar: std::sync::Mutex::new(None),
        }
    }
}

impl Default for Bars {
    fn default() -> Self {
        Bars::new()
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg:>16} [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message(stage.to_owned());
        bar.tick();
        if let Ok(mut b) = self.bar.lock()
            && let Some(old) = b.replace(bar)
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(bar) = b.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(bar) = b.take()
        {
            bar.finish_and_clear();
        }
    }
}
