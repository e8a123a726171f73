//! The command line: clap types, turned once into plain options for the
//! commands in [`app`](crate::app).

use std::path::PathBuf;

use std::io::Write;

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
    /// Show no progress on long runs
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Count complaint ages to this day, YYYY-MM-DD (default: [settings] as_of, else today)
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<crate::calendar::Date>,
    /// Language of the interface: headings, statuses, messages (item texts
    /// stay as written; default: [project] lang in needtrail.toml, else en)
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::lang::Lang>,
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
        /// A folder of templates that replace built-in ones of the same name
        /// (what each template receives: docs/templates.md)
        #[arg(long)]
        templates: Option<PathBuf>,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Contract review: status of every contract, and signing a review off
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Record that an item was checked against its upstream items (clears suspect links)
    #[command(override_usage = "needtrail stamp <ID> [DIR]\n       needtrail stamp --all [DIR]")]
    Stamp {
        /// Stamp every item that has upstream links
        #[arg(long)]
        all: bool,
        /// The item's id (with --all: the project folder)
        #[arg(value_name = "ID", required_unless_present = "all")]
        id: Option<String>,
        /// The project folder (not with --all, which takes the folder first)
        #[arg(value_name = "DIR", conflicts_with = "all")]
        dir: Option<PathBuf>,
    },
    /// Everything downstream of an item that must be re-examined if it changes
    Impact {
        /// The id of the item
        id: String,
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// A traceability matrix between two kinds, forward or backward, in a form to file
    Matrix {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The kind each row starts from, e.g. requirement
        #[arg(long)]
        from: String,
        /// The kind each thread ends at, e.g. verification
        #[arg(long)]
        to: String,
        /// Kinds the threads must pass through, in order (comma-separated)
        #[arg(long, value_delimiter = ',')]
        via: Vec<String>,
        /// Only rows about this contract
        #[arg(long)]
        contract: Option<String>,
        /// Only rows about this customer
        #[arg(long)]
        customer: Option<String>,
        /// Only rows with a requirement of this class (stated, implied, legal, organisation)
        #[arg(long)]
        class: Option<String>,
        /// Only the rows whose status is untraced, or unverified, as check finds them (docs/format.md, `[matrix]`)
        #[arg(long, value_enum)]
        only: Option<OnlyArg>,
        /// Output format
        #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
        /// Write to this file instead of standard output (required for xlsx)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// What changed between two versions of a project: items, links, findings
    #[command(
        override_usage = "needtrail diff OLD_DIR NEW_DIR [OPTIONS]\n       needtrail diff --git REV1..REV2 [DIR] [OPTIONS]"
    )]
    Diff {
        /// The older project folder (with --git: the project folder in the repository)
        #[arg(value_name = "OLD_DIR", required_unless_present = "git")]
        old: Option<PathBuf>,
        /// The newer project folder (not with --git)
        #[arg(
            value_name = "NEW_DIR",
            required_unless_present = "git",
            conflicts_with = "git"
        )]
        new: Option<PathBuf>,
        /// Compare two git revisions of one project, e.g. v1.0..HEAD
        #[arg(long, value_name = "REV1..REV2", value_parser = parse_range)]
        git: Option<(String, String)>,
        /// Output format
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write an audit package (report, matrices, findings, MANIFEST), or verify one
    #[command(
        override_usage = "needtrail audit [DIR] --out OUT [--lang en|zh]\n       needtrail audit --verify OUT [DIR]"
    )]
    Audit {
        /// The project folder
        dir: Option<PathBuf>,
        /// The folder to write the package into
        #[arg(long, conflicts_with = "verify", required_unless_present = "verify")]
        out: Option<PathBuf>,
        /// Check that every file of a package still matches its MANIFEST (with DIR: the project's input files too)
        #[arg(long, value_name = "OUT")]
        verify: Option<PathBuf>,
    },
    /// Quality objectives measured from the records: actual per period, met or missed, trend; customer scorecards
    Objectives {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The customer part of a management review for one period, against the period before: satisfaction, feedback, on-time delivery, complaints and the time to answer them, objectives, contract reviews, the customers' own evaluations
    #[command(name = "management-review")]
    ManagementReview {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The period: a year, half, quarter or month, e.g. 2026, 2026-H1, 2026-Q1, 2026-03
        #[arg(long, value_parser = parse_period)]
        period: crate::objectives::Period,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReviewFormat::Md)]
        format: ReviewFormat,
        /// Write to this file instead of standard output (required for xlsx on a terminal)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Bring records in: a sheet through a mapping in needtrail.toml, JUnit test results, a ReqIF file or a Doorstop tree
    #[command(
        override_usage = "needtrail import NAME FILE [DIR] [--dry-run] [--prune] [--format text|json]\n       needtrail import junit FILE... [DIR]\n       needtrail import reqif FILE.reqif|FILE.reqifz [DIR]\n       needtrail import NAME FILE.reqif|FILE.reqifz [DIR]   (with [import.NAME] as its ReqIF mapping)\n       needtrail import doorstop TREE [DIR] [--map PREFIX=KIND,...]",
        long_about = "Imports FILE into the project with the mapping [import.NAME] of its needtrail.toml \
(an .xlsx, .xls, .ods or .csv file; see docs/import.md; a .reqif or .reqifz file is read with \
[import.NAME] as a ReqIF mapping), JUnit XML results with `import junit`, \
a ReqIF file with `import reqif` or a Doorstop tree with `import doorstop` (see docs/interchange.md). \
Items are matched by id: an existing item is updated in place, only in the fields the source fills; \
a new one is added; one the source no longer has is reported (and deleted with --prune). \
Importing the same file twice changes nothing.\n\n\
The project folder comes last and defaults to `.`; with several paths, the last one is taken as the \
project folder when it is a folder."
    )]
    Import {
        /// The mapping's name in needtrail.toml, or a built-in format: `junit`, `reqif`, `doorstop`
        name: String,
        /// The file(s) to import, then optionally the project folder
        #[arg(value_name = "FILE... [DIR]", num_args = 1.., required = true)]
        paths: Vec<PathBuf>,
        /// Show what would change, and write nothing
        #[arg(long)]
        dry_run: bool,
        /// Delete the items the import owns that the source no longer has
        #[arg(long)]
        prune: bool,
        /// `import doorstop`: documents to kinds, e.g. `CUS=requirement,SRD=design_input`
        #[arg(long, value_delimiter = ',', value_name = "PREFIX=KIND,...")]
        map: Vec<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write records out for other tools: the contract review as a sheet to fill in, or the project as ReqIF
    #[command(subcommand)]
    Export(ExportCommand),
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
        /// A project as it looks after a year of use: deliveries, feedback and
        /// objectives, the review signed, every item stamped, a few
        /// requirements changed after sign-off
        #[arg(long)]
        lived_in: bool,
    },
    /// Write a JSON Schema of the project's item files, for an editor to complete and check field names
    Schema {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The file to write, e.g. needtrail.schema.json (default: standard output)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the completion script for a shell (see the README for where to put it)
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Write the manual page (roff), to standard output or a file
    Man {
        /// The file to write, e.g. needtrail.1 (default: standard output)
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A contract's review as an .xlsx sheet to fill in, which imports back with its mapping
    ReviewSheet {
        /// The id of the contract
        contract: String,
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The .xlsx file to write
        #[arg(long)]
        out: PathBuf,
        /// Also write the mapping that imports the filled sheet back into needtrail.toml
        #[arg(long)]
        write_mapping: bool,
    },
    /// A ReqIF file for the customer's requirements tool: every item, its links, and each requirement's review verdict
    Reqif {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The file to write: `.reqif`, or `.reqifz` for a zipped one
        #[arg(long)]
        out: PathBuf,
        /// Only these kinds, e.g. `requirement,design_input`
        #[arg(long, value_delimiter = ',')]
        kinds: Vec<String>,
        /// Only the requirements of this contract (and what traces to them)
        #[arg(long)]
        contract: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Per contract: each requirement's verdict, open clarifications, and whether the review is signed and still holds
    Status {
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only this contract
        #[arg(long)]
        contract: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Sign a contract review off: records who, when, and the fingerprint of every requirement it decided
    Sign {
        /// The id of the review
        review: String,
        /// The project folder
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Who signs
        #[arg(long)]
        by: String,
        /// The date of the sign-off, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
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
pub enum MatrixFormat {
    Text,
    Csv,
    Xlsx,
    Md,
    Json,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    Md,
    Html,
    Xlsx,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnlyArg {
    Untraced,
    Unverified,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
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
    use std::io::IsTerminal as _;
    survive_file_size_limit();
    let mut out = Recording {
        inner: std::io::stdout().lock(),
        error: None,
    };
    // Not locked: progress bars draw on stderr from worker threads.
    let mut err = std::io::stderr();
    let json = match &cli.command {
        Command::Check { output, .. }
        | Command::Impact { output, .. }
        | Command::Objectives { output, .. }
        | Command::Review(ReviewCommand::Status { output, .. }) => output.format == Format::Json,
        Command::Matrix { format, .. } => *format == MatrixFormat::Json,
        Command::Diff { format, .. } => *format == DiffFormat::Json,
        Command::Import { output, .. } => output.format == Format::Json,
        Command::ManagementReview { format, .. } => *format == ReviewFormat::Json,
        _ => false,
    };
    // Text for a terminal has its control characters escaped; JSON, CSV,
    // HTML and workbooks have escapes of their own and go out as written.
    let data = json
        || match &cli.command {
            Command::Matrix { format, .. } => matches!(
                format,
                MatrixFormat::Csv | MatrixFormat::Xlsx | MatrixFormat::Html
            ),
            Command::ManagementReview { format, .. } => {
                matches!(format, ReviewFormat::Html | ReviewFormat::Xlsx)
            }
            Command::Diff { format, .. } => *format == DiffFormat::Html,
            // Scripts and roff go out byte for byte.
            Command::Completions { .. } | Command::Man { .. } | Command::Schema { .. } => true,
            _ => false,
        };
    let mut out_text = crate::terminal::Escaping {
        inner: &mut out,
        escape: !data,
    };
    let mut err_text = crate::terminal::Escaping {
        inner: &mut err,
        escape: true,
    };
    let bars = crate::progress::Bars::new();
    let progress: &dyn crate::progress::Progress =
        if !cli.quiet && !json && std::io::stderr().is_terminal() {
            &bars
        } else {
            &crate::progress::Silent
        };
    let mut io = app::Io {
        out: &mut out_text,
        err: &mut err_text,
        progress,
        as_of: cli.as_of,
        lang: cli.lang,
    };
    let outcome = dispatch(cli.command, &mut io);
    let code = crate::command::finish(outcome, &mut io);
    if let Some(e) = out.error.take() {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return code;
        }
        eprintln!("error: cannot write the output: {e}");
        return app::EXIT_INPUT;
    }
    if let Err(e) = out.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the output: {e}");
        return app::EXIT_INPUT;
    }
    code
}

/// Runs one parsed command.
fn dispatch(command: Command, io: &mut app::Io<'_>) -> app::Outcome {
    match command {
        Command::Check { dir, output, gate } => app::check(
            &app::CheckOptions {
                dir,
                json: output.format == Format::Json,
                fail_on: gate.fail_on.into(),
            },
            io,
        ),
        Command::Trace { id, dir } => app::trace(&dir, &id, io),
        Command::Report {
            dir,
            out,
            templates,
            gate,
        } => {
            let timestamp = source_date_epoch().map_err(app::Failure::Input)?;
            app::report(
                &app::ReportCommand {
                    dir,
                    out,
                    fail_on: gate.fail_on.into(),
                    templates,
                    timestamp,
                },
                io,
            )
        }
        Command::Init { dir } => app::init(&dir, io),
        Command::Schema { dir, out } => crate::schema::command(&dir, out.as_deref(), io),
        Command::Completions { shell } => crate::shell::completions(
            match shell {
                ShellArg::Bash => crate::shell::Shell::Bash,
                ShellArg::Zsh => crate::shell::Shell::Zsh,
                ShellArg::Fish => crate::shell::Shell::Fish,
                ShellArg::Powershell => crate::shell::Shell::PowerShell,
            },
            <Cli as clap::CommandFactory>::command(),
            io,
        ),
        Command::Man { out } => {
            crate::shell::man(<Cli as clap::CommandFactory>::command(), out.as_deref(), io)
        }
        Command::Import {
            name,
            paths,
            dry_run,
            prune,
            map,
            output,
        } => crate::import::command::import(
            &crate::import::command::ImportCommand {
                name,
                paths,
                options: crate::import::Options { dry_run, prune },
                json: output.format == Format::Json,
                map,
            },
            io,
        ),
        Command::Export(ExportCommand::ReviewSheet {
            contract,
            dir,
            out,
            write_mapping,
        }) => crate::export::review_sheet(
            &crate::export::ReviewSheetCommand {
                contract,
                dir,
                out,
                write_mapping,
            },
            io,
        ),
        Command::ManagementReview {
            dir,
            period,
            format,
            out,
        } => app::management_review(
            &dir,
            &period,
            match format {
                ReviewFormat::Md => app::ReviewOutput::Markdown,
                ReviewFormat::Html => app::ReviewOutput::Html,
                ReviewFormat::Xlsx => app::ReviewOutput::Xlsx,
                ReviewFormat::Json => app::ReviewOutput::Json,
            },
            out.as_deref(),
            io,
        ),
        Command::Objectives { dir, output } => {
            app::objectives(&dir, output.format == Format::Json, io)
        }
        Command::Audit { dir, out, verify } => match (verify, out) {
            (Some(package), _) => app::audit_verify(&package, dir.as_deref(), io),
            (None, out) => {
                let timestamp = source_date_epoch().map_err(app::Failure::Input)?;
                app::audit(
                    &dir.unwrap_or_else(|| PathBuf::from(".")),
                    &out.expect("clap requires --out without --verify"),
                    timestamp,
                    io,
                )
            }
        },
        Command::Diff {
            old,
            new,
            git,
            format,
            out,
        } => {
            // clap has checked the mode: two folders, or --git and at most one.
            let sides = match (git, old, new) {
                (Some((r1, r2)), dir, _) => {
                    app::DiffSides::Git(dir.unwrap_or_else(|| PathBuf::from(".")), r1, r2)
                }
                (None, old, new) => app::DiffSides::Folders(
                    old.expect("clap requires OLD_DIR without --git"),
                    new.expect("clap requires NEW_DIR without --git"),
                ),
            };
            app::diff(
                &sides,
                match format {
                    DiffFormat::Text => app::DiffOutput::Text,
                    DiffFormat::Json => app::DiffOutput::Json,
                    DiffFormat::Html => app::DiffOutput::Html,
                },
                out.as_deref(),
                io,
            )
        }
        Command::Matrix {
            dir,
            from,
            to,
            via,
            contract,
            customer,
            class,
            only,
            format,
            out,
        } => app::matrix(
            &dir,
            &crate::matrix::MatrixSpec {
                from,
                to,
                via,
                filter: crate::matrix::Filter {
                    contract,
                    customer,
                    class,
                    only: only.map(|o| match o {
                        OnlyArg::Untraced => crate::matrix::Only::Untraced,
                        OnlyArg::Unverified => crate::matrix::Only::Unverified,
                    }),
                },
                // Set by the command: --lang, else the project's [project] lang.
                lang: Default::default(),
            },
            match format {
                MatrixFormat::Text => app::MatrixOutput::Text,
                MatrixFormat::Csv => app::MatrixOutput::Csv,
                MatrixFormat::Xlsx => app::MatrixOutput::Xlsx,
                MatrixFormat::Md => app::MatrixOutput::Markdown,
                MatrixFormat::Json => app::MatrixOutput::Json,
                MatrixFormat::Html => app::MatrixOutput::Html,
            },
            out.as_deref(),
            io,
        ),
        Command::Review(ReviewCommand::Status {
            dir,
            contract,
            output,
        }) => app::review_status(&dir, contract.as_deref(), output.format == Format::Json, io),
        Command::Review(ReviewCommand::Sign {
            review,
            dir,
            by,
            date,
        }) => app::review_sign(&dir, &review, &by, date.as_deref(), io),
        Command::Stamp { all, id, dir } => {
            // clap has checked the mode: an id and a folder, or --all and a folder.
            let (id, dir) = if all {
                (None, id.map(PathBuf::from))
            } else {
                (id, dir)
            };
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            app::stamp(&dir, id.as_deref(), io)
        }
        Command::Export(ExportCommand::Reqif {
            dir,
            out,
            kinds,
            contract,
        }) => app::export_reqif(&dir, &out, &kinds, contract.as_deref(), io),
        Command::Impact { id, dir, output } => {
            app::impact(&dir, &id, output.format == Format::Json, io)
        }
        Command::Generate {
            dir,
            requirements,
            per_file,
            gap_every,
            lived_in,
        } => app::generate(
            &dir,
            crate::corpus::CorpusSpec {
                requirements,
                per_file: per_file.max(1),
                gap_every,
                lived_in,
            },
            io,
        ),
    }
}

/// A write past the file-size limit (`ulimit -f`) would end the process
/// with SIGXFSZ, naming no file. With the signal caught instead, the write
/// fails with "File too large" and the command says which file it was.
fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        let caught = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, caught);
    }
}

/// The time reproducible builds ask for, if any (`SOURCE_DATE_EPOCH`); an
/// error if it is set but is not a number of seconds.
fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(_) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v.trim().parse().map(Some).map_err(|_| {
            format!("SOURCE_DATE_EPOCH is `{v}`, not a number of seconds since 1970; set it to e.g. 1767225600 or unset it")
        }),
    }
}

/// Standard output that remembers the first failed write, so a full disk
/// or a closed pipe is not mistaken for success.
struct Recording<W: Write> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Write for Recording<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        if let Err(e) = &r
            && self.error.is_none()
        {
            self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `--git REV1..REV2`: two revisions, neither empty.
fn parse_range(s: &str) -> Result<(String, String), String> {
    s.split_once("..")
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| {
            format!("`{s}` is not a range: give two revisions as REV1..REV2, e.g. --git v1.0..HEAD")
        })
}

/// `--period`: a year, half, quarter or month.
fn parse_period(s: &str) -> Result<crate::objectives::Period, String> {
    crate::objectives::Period::parse(s).ok_or_else(|| {
        format!("`{s}` is not a period: write a year, half, quarter or month, e.g. 2026, 2026-H1, 2026-Q1 or 2026-03")
    })
}

/// `--as-of`: a real calendar day written `YYYY-MM-DD`.
fn parse_as_of(s: &str) -> Result<crate::calendar::Date, String> {
    crate::calendar::Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date: write the day as YYYY-MM-DD, e.g. 2026-03-31"))
}
