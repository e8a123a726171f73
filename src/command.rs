//! What every command is given besides its own options, and what it gives
//! back: where it writes, where long stages report progress, the as-of
//! date and language of the run, and how the command ended ([`Outcome`]),
//! which [`finish`] prints (a failure, once) and turns into the process
//! exit code. The commands ([`crate::app`],
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

/// How a command that did its work ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// Nothing at or above the threshold: exit code 0.
    Clean,
    /// Findings at or above the threshold, or a change refused for a
    /// reason the output explains: exit code 1.
    Findings,
}

impl Done {
    /// The process exit code: 0 or 1.
    pub fn exit_code(self) -> i32 {
        match self {
            Done::Clean => EXIT_OK,
            Done::Findings => EXIT_FINDINGS,
        }
    }
}

/// Why a command could not do its work: the input or the command line is
/// wrong, or a file cannot be written. Printed once, by [`finish`].
#[derive(Debug)]
pub enum Failure {
    /// The project did not load: its diagnostics, on standard output as
    /// JSON too when JSON was asked for, after `context` if any.
    Load {
        error: Box<crate::load::LoadError>,
        json: bool,
        context: Option<String>,
    },
    /// Anything else the user must put right, in one message.
    Input(String),
    /// Problems the command listed in its own form (an import's list of
    /// problems): `err` for the terminal, `out` for standard output (JSON
    /// asked for), each printed as it is.
    Listed { out: String, err: String },
}

/// What every command gives back.
pub type Outcome = Result<Done, Failure>;

impl Failure {
    /// The project in a folder did not load.
    pub fn load(error: crate::load::LoadError, json: bool) -> Self {
        Failure::Load {
            error: Box::new(error),
            json,
            context: None,
        }
    }

    /// One message for the user.
    pub fn input(message: impl Into<String>) -> Self {
        Failure::Input(message.into())
    }

    /// The failure as the terminal shows it.
    pub fn text(&self) -> String {
        match self {
            Failure::Load { error, context, .. } => {
                let mut s = context
                    .as_ref()
                    .map(|c| format!("error: {c}\n"))
                    .unwrap_or_default();
                s.push_str(&crate::diag::render_text(
                    &error.diagnostics,
                    &error.sources,
                ));
                s
            }
            Failure::Input(m) => format!("error: {m}\n"),
            Failure::Listed { err, .. } => err.clone(),
        }
    }
}

/// The process exit code of `outcome`; a failure is printed on `io.err`
/// (and a load failure asked for as JSON on `io.out` too). This is the one
/// place where outcomes become exit codes.
pub fn finish(outcome: Outcome, io: &mut Io<'_>) -> i32 {
    match outcome {
        Ok(done) => done.exit_code(),
        Err(failure) => {
            match &failure {
                Failure::Load {
                    error, json: true, ..
                } => {
                    let _ = io
                        .out
                        .write_all(crate::diag::render_json(&error.diagnostics).as_bytes());
                }
                Failure::Listed { out, .. } => {
                    let _ = io.out.write_all(out.as_bytes());
                }
                _ => {}
            }
            let _ = io.err.write_all(failure.text().as_bytes());
            EXIT_INPUT
        }
    }
}
