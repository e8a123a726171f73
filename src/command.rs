//! What every command is given besides its own options, and what it gives
//! back: where it writes, where long stages report progress, the as-of
//! date of the run, and the process exit code. The commands ([`crate::app`],
//! the importers, exporters, `schema`, `completions`) share these, and sit
//! above this module.

use std::io::Write;

/// Exit code: nothing at or above the threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: the input or the command line is wrong.
pub const EXIT_INPUT: i32 = 2;

/// What a command is given besides its own options: where it writes
/// (results to `out`, problems to `err`), where long stages report
/// progress, and the as-of date the command line set for the run.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Where long stages report progress ([`crate::progress::Silent`] for none).
    pub progress: &'a dyn crate::progress::Progress,
    /// `--as-of`: the day complaint ages are counted to, over `[settings] as_of`.
    pub as_of: Option<crate::calendar::Date>,
    /// `--lang`: the language of the interface, over `[project] lang`.
    pub lang: Option<crate::lang::Lang>,
}

impl Io<'_> {
    /// The language to write in for `project`: `--lang`, else the
    /// project's `[project] lang`, else English.
    pub fn lang_for(&self, project: &crate::model::Project) -> crate::lang::Lang {
        self.lang.or(project.lang).unwrap_or_default()
    }
}
