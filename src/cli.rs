//! The command line: clap types, turned once into plain options for the
//! commands in [`app`](crate::app).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app;

#[derive(Debug, Parser)]
#[command(
    name = "needtrail",
    version,
    about = "Follows every customer requirement from contract to delivery and reports where the thread breaks",
    long_about = "Follows every customer requirement from where it was stated, through contract review, \
design inputs, design outputs, verification and quality objectives, to delivery and the customer's \
feedback, and reports each place where the thread breaks.\n\n\
Exit codes: 0 = no findings at or above --fail-on, 1 = findings, 2 = the input or the command line is wrong."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the project, run the trace rules and print the findings
    Check {
        /// The project folder (the one that holds needtrail.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Show the thread through one item: upstream to the customer, downstream to delivery
    Trace {
        /// The id of the item
        id: String,
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Render the HTML traceability report into a folder
    Report {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The folder to write the report into (created; an earlier report there is replaced)
        #[arg(long)]
        out: PathBuf,
        /// Language of the interface (item texts stay as written)
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// A folder of templates that replace built-in ones of the same name
        #[arg(long)]
        templates: Option<PathBuf>,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Create a new project folder with a commented example
    Init {
        /// The folder to create (or an empty one to fill)
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write a synthetic project of any size, for benchmarks and scale tests
    Generate {
        /// The folder to write (must not exist yet)
        dir: PathBuf,
        /// Number of customer requirements
        #[arg(long, default_value_t = 1000)]
        requirements: usize,
        /// Requirements per file
        #[arg(long, default_value_t = 500)]
        per_file: usize,
        /// Leave every n-th design input unverified (0: no gaps)
        #[arg(long, default_value_t = 97)]
        gap_every: usize,
    },
}

#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// Exit with 1 when there are findings of this severity or worse
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl From<FailOn> for app::FailOn {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => app::FailOn::Error,
            FailOn::Warning => app::FailOn::Warning,
            FailOn::Never => app::FailOn::Never,
        }
    }
}

/// Runs the parsed command line and gives the process exit code.
pub fn run(cli: Cli) -> i32 {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut io = app::Io {
        out: &mut out,
        err: &mut err,
    };
    match cli.command {
        Command::Check { dir, output, gate } => app::check(
            &app::CheckOptions {
                dir,
                json: output.format == Format::Json,
                fail_on: gate.fail_on.into(),
            },
            &mut io,
        ),
        Command::Trace { id, dir } => app::trace(&dir, &id, &mut io),
        Command::Report {
            dir,
            out,
            lang,
            templates,
            gate,
        } => app::report(
            &app::ReportCommand {
                dir,
                out,
                fail_on: gate.fail_on.into(),
                options: crate::report::ReportOptions {
                    lang: match lang {
                        Lang::En => "en".into(),
                        Lang::Zh => "zh".into(),
                    },
                    templates,
                    timestamp: source_date_epoch(),
                },
            },
            &mut io,
        ),
        Command::Init { dir } => app::init(&dir, &mut io),
        Command::Generate {
            dir,
            requirements,
            per_file,
            gap_every,
        } => app::generate(
            &dir,
            crate::corpus::CorpusSpec {
                requirements,
                per_file: per_file.max(1),
                gap_every,
            },
            &mut io,
        ),
    }
}

/// The time reproducible builds ask for, if any (`SOURCE_DATE_EPOCH`).
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}
