//! The commands: each runs the pipeline (load → graph → rules → output),
//! or as much of it as what it shows needs (`stamp` no rules, `trace` the
//! rules on the items of one thread only), writes its results and gives
//! back how it ended ([`Outcome`]); a failure is printed, and every
//! outcome made an exit code, by [`finish`](crate::command::finish) alone.
//! Nothing here parses arguments; nothing below here prints.

use std::path::{Path, PathBuf};

use crate::diag;
use crate::load::{self, LoadError, Loaded};
use crate::output;
pub use crate::pipeline::{Checked, provenance, run_pipeline, run_pipeline_with};
use crate::profile::Severity;
use crate::rules::CheckResult;

pub use crate::command::{Done, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, Failure, Io, Outcome};

/// Which findings make the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl FailOn {
    /// How a run with `result` ends.
    pub fn outcome(self, result: &CheckResult) -> Done {
        let failing = match self {
            FailOn::Error => result.count(Severity::Error),
            FailOn::Warning => result.count(Severity::Error) + result.count(Severity::Warning),
            FailOn::Never => 0,
        };
        if failing > 0 {
            Done::Findings
        } else {
            Done::Clean
        }
    }
}

#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub dir: PathBuf,
    pub json: bool,
    pub fail_on: FailOn,
}

/// [`run_pipeline_with`] for a command: progress shown on `io`, and first
/// a note of what under the folder looks like part of the project but is
/// not read.
fn pipeline(dir: &Path, io: &mut Io<'_>) -> Result<Checked, LoadError> {
    note_skipped(dir, io);
    crate::pipeline::run_pipeline_as_of(dir, io.progress, io.as_of)
}

/// [`pipeline`] up to the graph, for a command that runs the rules on
/// part of the project or not at all: the same note, the same errors.
fn linked(dir: &Path, io: &mut Io<'_>) -> Result<crate::pipeline::Linked, LoadError> {
    loaded(dir, io).map(crate::pipeline::link)
}

/// [`pipeline`] up to the loaded project.
fn loaded(dir: &Path, io: &mut Io<'_>) -> Result<Loaded, LoadError> {
    note_skipped(dir, io);
    crate::pipeline::load_as_of(dir, io.progress, io.as_of)
}

/// Notes on `io` what under the folder looks like part of the project
/// but is not read.
fn note_skipped(dir: &Path, io: &mut Io<'_>) {
    let skipped = load::skipped(dir);
    if !skipped.is_empty() {
        let _ = writeln!(
            io.err,
            "note: {} under {} {} not read:",
            if skipped.len() == 1 {
                "one path"
            } else {
                "these paths"
            },
            dir.display(),
            if skipped.len() == 1 { "is" } else { "are" },
        );
        for s in &skipped {
            let _ = writeln!(io.err, "  {}: {}", s.path, s.why);
        }
    }
}

/// `needtrail check`
pub fn check(opts: &CheckOptions, io: &mut Io<'_>) -> Outcome {
    let checked = pipeline(&opts.dir, io).map_err(|e| Failure::load(e, opts.json))?;
    let Loaded { project, profile } = &checked.loaded;
    let lang = io.lang_for(project);
    let text = if opts.json {
        output::check_json(project, profile, &checked.result, lang)
    } else {
        output::check_text(project, profile, &checked.result, lang)
    };
    let _ = io.out.write_all(text.as_bytes());
    let done = opts.fail_on.outcome(&checked.result);
    end_of_run(checked);
    Ok(done)
}

/// `check`, `report`, `trace`, `impact` and `stamp` are the last thing
/// the process does: freeing a large project item by item would only add
/// to the time the user waits, so the memory goes back to the system with
/// the process instead.
fn end_of_run<T>(project: T) {
    std::mem::forget(project);
}

/// `needtrail trace ID`: the rules run only on the items of the thread
/// shown, which get the findings a whole `check` gives them.
pub fn trace(dir: &Path, id: &str, io: &mut Io<'_>) -> Outcome {
    let crate::pipeline::Linked { loaded, graph } =
        linked(dir, io).map_err(|e| Failure::load(e, false))?;
    let Loaded { project, profile } = &loaded;
    let idx = find_item(project, id)?;
    let shown = output::trace_items(&graph, idx);
    let result = crate::rules::check_items(project, profile, &graph, &shown);
    let text = output::trace_text(project, profile, &graph, &result, idx, io.lang_for(project));
    let _ = io.out.write_all(text.as_bytes());
    end_of_run((loaded, graph, result));
    Ok(Done::Clean)
}

/// `needtrail report`
#[derive(Clone, Debug)]
pub struct ReportCommand {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub fail_on: FailOn,
    /// A folder of templates that replace built-in ones of the same name.
    pub templates: Option<PathBuf>,
    /// Seconds since 1970 to print as the time of the report, if any.
    pub timestamp: Option<i64>,
}

/// `needtrail report`: renders the site, writes it, exits like `check`.
pub fn report(cmd: &ReportCommand, io: &mut Io<'_>) -> Outcome {
    let checked = pipeline(&cmd.dir, io).map_err(|e| Failure::load(e, false))?;
    let options = crate::report::ReportOptions {
        lang: io.lang_for(&checked.loaded.project),
        templates: cmd.templates.clone(),
        timestamp: cmd.timestamp,
    };
    let written = crate::report::write_report(&cmd.out, &cmd.dir, &checked, &options, io.progress);
    if let Err(e) = written {
        return Err(Failure::input(e.to_string()));
    }
    let result = &checked.result;
    let lang = options.lang;
    let (n, errors, warnings) = (
        result.findings.len(),
        result.count(Severity::Error),
        result.count(Severity::Warning),
    );
    let _ = writeln!(
        io.out,
        "{}",
        lang.f(
            "cli_report_written",
            &[
                ("out", &cmd.out.display()),
                ("index", &cmd.out.join("index.html").display()),
                ("n", &n),
                ("s1", &lang.plural(n)),
                ("errors", &errors),
                ("s2", &lang.plural(errors)),
                ("warnings", &warnings),
                ("s3", &lang.plural(warnings)),
            ]
        )
    );
    let done = cmd.fail_on.outcome(result);
    end_of_run(checked);
    Ok(done)
}

const INIT_CONFIG: &str = include_str!("../templates/init/needtrail.toml");
const INIT_ITEMS: &str = include_str!("../templates/init/requirements.toml");
const INIT_TAPLO: &str = include_str!("../templates/init/taplo.toml");

/// `needtrail init`: a new project folder that `check` accepts.
pub fn init(dir: &Path, io: &mut Io<'_>) -> Outcome {
    let config = dir.join(load::CONFIG_FILE);
    let items = dir.join("requirements.toml");
    let schema = dir.join(crate::schema::FILE_NAME);
    let taplo = dir.join(".taplo.toml");
    for existing in [&config, &items, &schema, &taplo] {
        if existing.exists() {
            return Err(Failure::input(format!(
                "{} already exists; init never overwrites a file.\n  = help: choose an empty or new folder",
                existing.display()
            )));
        }
    }
    let name = dir
        .canonicalize()
        .ok()
        .or_else(|| Some(dir.to_path_buf()))
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "my-project".into());
    let written = std::fs::create_dir_all(dir)
        .and_then(|_| {
            crate::atomic::write_new(
                &config,
                INIT_CONFIG
                    .replace("{name}", &toml_escape(&name))
                    .as_bytes(),
            )
        })
        .and_then(|_| crate::atomic::write_new(&items, INIT_ITEMS.as_bytes()))
        .and_then(|_| {
            // The editor's schema, from the profile just written.
            let profile = crate::schema::project_profile(dir).map_err(std::io::Error::other)?;
            crate::atomic::write_new(&schema, crate::schema::generate(&profile).as_bytes())
        })
        .and_then(|_| crate::atomic::write_new(&taplo, INIT_TAPLO.as_bytes()));
    if let Err(e) = written {
        return Err(Failure::input(format!(
            "cannot create the project in {}: {e}",
            dir.display()
        )));
    }
    let _ = writeln!(
        io.out,
        "Created {} and {}.\nNext: edit them, then run `needtrail check {}`.\n\
Editors that read {} (taplo, Even Better TOML) check the item files against {}.",
        config.display(),
        items.display(),
        dir.display(),
        taplo.display(),
        schema.display()
    );
    Ok(Done::Clean)
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `needtrail generate`: a synthetic project, with its planted gaps listed
/// in `expected-findings.json` beside it.
pub fn generate(dir: &Path, spec: crate::corpus::CorpusSpec, io: &mut Io<'_>) -> Outcome {
    if dir.exists() {
        return Err(Failure::input(format!(
            "{} already exists; generate writes a new folder only",
            dir.display()
        )));
    }
    let result = crate::corpus::generate(dir, spec).and_then(|mut gaps| {
        if spec.lived_in {
            gaps.extend(live_in(dir, spec)?);
            gaps.sort();
        }
        let list: Vec<serde_json::Value> = gaps
            .iter()
            .map(|(rule, id)| serde_json::json!({"rule": rule, "id": id}))
            .collect();
        let mut text = serde_json::to_string_pretty(&list).expect("serialisable");
        text.push('\n');
        std::fs::write(dir.join("expected-findings.json"), text)?;
        Ok(gaps.len())
    });
    match result {
        Ok(n) => {
            let _ = writeln!(
                io.out,
                "Wrote {} requirements to {} with {n} planted gaps (expected-findings.json).",
                spec.requirements,
                dir.display()
            );
            Ok(Done::Clean)
        }
        Err(e) => Err(Failure::input(format!(
            "cannot write {}: {e}",
            dir.display()
        ))),
    }
}

/// Signs and stamps a generated corpus with the real commands, then changes
/// a few requirements after sign-off; gives the findings that must follow.
fn live_in(
    dir: &Path,
    spec: crate::corpus::CorpusSpec,
) -> std::io::Result<Vec<crate::corpus::PlantedGap>> {
    let mut said = Vec::new();
    let outcome = {
        let mut quiet = Io {
            out: &mut said,
            err: &mut std::io::sink(),
            progress: &crate::progress::Silent,
            as_of: None,
            lang: None,
        };
        match review_sign(
            dir,
            "REV-1",
            "Quality manager",
            Some("2026-01-05"),
            &mut quiet,
        ) {
            Ok(Done::Clean) => stamp(dir, None, &mut quiet),
            other => other,
        }
    };
    match outcome {
        Ok(Done::Clean) => {}
        Ok(Done::Findings) => {
            return Err(std::io::Error::other(
                String::from_utf8_lossy(&said).into_owned(),
            ));
        }
        Err(failure) => return Err(std::io::Error::other(failure.text())),
    }
    let changed = crate::corpus::change_after_signoff(dir, spec)?;
    let suspect = crate::corpus::rule_id(|r| r.suspect);
    let mut gaps = vec![(crate::corpus::rule_id(|r| r.signoff), "REV-1".to_owned())];
    for id in changed {
        let n: usize = id["REQ-".len()..].parse().expect("generated id");
        // What rests on the changed requirement: its design input, its
        // validation and the delivery that delivers it.
        gaps.push((suspect.clone(), format!("DI-{n:07}")));
        gaps.push((suspect.clone(), format!("VAL-{n:07}")));
        gaps.push((
            suspect.clone(),
            format!("DEL-{:06}", (n - 1) / crate::corpus::PER_DELIVERY + 1),
        ));
    }
    Ok(gaps)
}

/// Finds an item by id for a command, or says plainly that there is none.
fn find_item(project: &crate::model::Project, id: &str) -> Result<crate::model::ItemIdx, Failure> {
    project.get(id).ok_or_else(|| {
        let hint = diag::suggest(id, project.ids())
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        Failure::input(format!("no item with id `{id}` in this project.{hint}"))
    })
}

/// `needtrail review status`
pub fn review_status(dir: &Path, contract: Option<&str>, json: bool, io: &mut Io<'_>) -> Outcome {
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, json))?;
    let Loaded { project, profile } = &checked.loaded;
    let only = match contract {
        Some(id) => match find_item(project, id)? {
            i if Some(project.item(i).kind) == profile.roles.contract.kind => Some(i),
            _ => return Err(Failure::input(format!("`{id}` is not a contract"))),
        },
        None => None,
    };
    let statuses = crate::review::status(project, profile, &checked.graph, only);
    let text = if json {
        output::review_status_json(&statuses)
    } else {
        output::review_status_text(&statuses, profile, io.lang_for(project))
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(Done::Clean)
}

/// `needtrail review sign`
pub fn review_sign(
    dir: &Path,
    review: &str,
    by: &str,
    date: Option<&str>,
    io: &mut Io<'_>,
) -> Outcome {
    let date = match date {
        None => crate::edit::Date::today(),
        Some(d) => match crate::edit::Date::parse(d) {
            Some(d) => d,
            None => {
                return Err(Failure::input(format!(
                    "`{d}` is not a date; write --date YYYY-MM-DD, e.g. --date 2026-02-08"
                )));
            }
        },
    };
    if by.trim().is_empty() {
        return Err(Failure::input(
            "--by needs the name of the person who signs",
        ));
    }
    let _lock = lock_for_writing(dir)?;
    // A sign-off needs the links but no findings: the rules are not run.
    let crate::pipeline::Linked { loaded, graph } =
        linked(dir, io).map_err(|e| Failure::load(e, false))?;
    let Loaded { project, profile } = &loaded;
    let lang = io.lang_for(project);
    match crate::review::sign(project, profile, &graph, review, by, date) {
        Err(crate::review::SignRefusal::NotAReview(id)) => Err(Failure::input(format!(
            "`{id}` is not a contract review ([[review]]) of this project"
        ))),
        Err(crate::review::SignRefusal::NothingDecided(id)) => {
            let _ = writeln!(
                io.out,
                "{}",
                lang.f("cli_sign_nothing_decided", &[("id", &id)])
            );
            Ok(Done::Findings)
        }
        Err(crate::review::SignRefusal::NoContract(id)) => Err(Failure::input(format!(
            "review {id} names no contract; add `contract = \"...\"` to it first"
        ))),
        Err(crate::review::SignRefusal::Open { undecided, clarify }) => {
            let _ = writeln!(
                io.out,
                "{}",
                lang.f("cli_sign_open", &[("review", &review)])
            );
            if !undecided.is_empty() {
                let _ = writeln!(
                    io.out,
                    "  {}",
                    lang.f("cli_sign_undecided", &[("ids", &undecided.join(", "))])
                );
            }
            if !clarify.is_empty() {
                let _ = writeln!(
                    io.out,
                    "  {}",
                    lang.f("cli_sign_clarify", &[("ids", &clarify.join(", "))])
                );
            }
            let _ = writeln!(io.out, "{}", lang.t("cli_sign_decide_all"));
            Ok(Done::Findings)
        }
        Ok((idx, changes)) => {
            let count = changes
                .iter()
                .find_map(|c| match c {
                    crate::edit::Change::SetFingerprints { entries, .. } => Some(entries.len()),
                    _ => None,
                })
                .unwrap_or(0);
            match crate::edit::apply(dir, project, profile, vec![(idx, changes)]) {
                Ok(files) => {
                    let _ = writeln!(
                        io.out,
                        "{}",
                        lang.f(
                            "cli_signed",
                            &[
                                ("review", &review),
                                ("by", &by),
                                ("date", &date),
                                ("n", &count),
                                ("s", &lang.plural(count)),
                                ("files", &files.join(", ")),
                            ]
                        )
                    );
                    Ok(Done::Clean)
                }
                Err(e) => Err(Failure::input(e.to_string())),
            }
        }
    }
}

/// How long a command that writes waits for another that is writing to
/// the same project.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The project's write lock, taken before the files are loaded, or why it
/// cannot be had.
fn lock_for_writing(dir: &Path) -> Result<crate::edit::ProjectLock, Failure> {
    if !dir.join(load::CONFIG_FILE).is_file() {
        // Not a project: loading says so, and there is nothing to lock.
        return Ok(crate::edit::ProjectLock::none());
    }
    crate::edit::lock_project(dir, LOCK_WAIT).map_err(|e| Failure::input(e.to_string()))
}

/// `needtrail stamp`
pub fn stamp(dir: &Path, id: Option<&str>, io: &mut Io<'_>) -> Outcome {
    use rayon::prelude::*;
    let _lock = lock_for_writing(dir)?;
    // Stamps need no findings: the rules are not run.
    let loaded = loaded(dir, io).map_err(|e| Failure::load(e, false))?;
    let Loaded { project, profile } = &loaded;
    let targets: Vec<crate::model::ItemIdx> = match id {
        Some(id) => {
            let idx = find_item(project, id)?;
            if project.item(idx).parent.is_some() {
                return Err(Failure::input(format!(
                    "`{id}` is part of {}; stamp items that stand in their own table",
                    project.reference(idx)
                )));
            }
            vec![idx]
        }
        None => (0..project.items.len() as u32)
            .map(crate::model::ItemIdx)
            .filter(|i| project.item(*i).parent.is_none())
            .collect(),
    };
    let fingerprints = crate::fingerprint::Cache::new(project, profile);
    // Each item's stamp on every core, each upstream item hashed once.
    let changes: Vec<_> = targets
        .par_iter()
        .filter_map(|i| {
            crate::review::stamp_with(&fingerprints, project, profile, *i).map(|c| (*i, vec![c]))
        })
        .collect();
    if changes.is_empty() {
        let what = id.map_or("no item of this project".to_owned(), |i| format!("`{i}`"));
        return Err(Failure::input(format!(
            "{what} links to no upstream item a stamp covers (links listed in `[fingerprint] context`, such as a customer or contract, are not stamped); there is nothing to stamp"
        )));
    }
    let n = changes.len();
    match crate::edit::apply(dir, project, profile, changes) {
        Ok(files) => {
            let lang = io.lang_for(project);
            let _ = writeln!(
                io.out,
                "{}",
                lang.f(
                    "cli_stamped",
                    &[
                        ("n", &n),
                        ("s1", &lang.plural(n)),
                        ("files", &files.len()),
                        ("s2", &lang.plural(files.len())),
                    ]
                )
            );
            end_of_run(fingerprints);
            end_of_run(loaded);
            Ok(Done::Clean)
        }
        Err(e) => Err(Failure::input(e.to_string())),
    }
}

/// `needtrail impact`: the tree shows no findings, so no rule runs.
pub fn impact(dir: &Path, id: &str, json: bool, io: &mut Io<'_>) -> Outcome {
    let crate::pipeline::Linked { loaded, graph } =
        linked(dir, io).map_err(|e| Failure::load(e, json))?;
    let Loaded { project, profile } = &loaded;
    let idx = find_item(project, id)?;
    let tree = crate::review::impact(project, profile, &graph, idx);
    let text = if json {
        let mut s = serde_json::to_string_pretty(&tree).expect("serialisable");
        s.push('\n');
        s
    } else {
        output::impact_text(&tree, profile, io.lang_for(project))
    };
    let _ = io.out.write_all(text.as_bytes());
    end_of_run((loaded, graph));
    Ok(Done::Clean)
}

/// The formats `matrix` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixOutput {
    Text,
    Csv,
    Xlsx,
    Markdown,
    Json,
    Html,
}

/// `needtrail matrix`
pub fn matrix(
    dir: &Path,
    spec: &crate::matrix::MatrixSpec,
    format: MatrixOutput,
    out: Option<&Path>,
    io: &mut Io<'_>,
) -> Outcome {
    use crate::matrix::format as f;
    use std::io::IsTerminal as _;
    // Refused before the project is read: a workbook on a terminal is noise.
    if format == MatrixOutput::Xlsx && out.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::input(
            "an XLSX workbook is binary: add --out FILE.xlsx, or redirect standard output to a file",
        ));
    }
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, format == MatrixOutput::Json))?;
    let spec = &crate::matrix::MatrixSpec {
        lang: io.lang_for(&checked.loaded.project),
        ..spec.clone()
    };
    let m = match crate::matrix::build(&checked, spec) {
        Ok(m) => m,
        Err(e) => {
            return Err(Failure::input(e.to_string()));
        }
    };
    let p = provenance(&checked);
    let lang = spec.lang;
    let bytes = match format {
        MatrixOutput::Text => f::text(&m, lang).into_bytes(),
        MatrixOutput::Csv => f::csv(&m, lang),
        MatrixOutput::Markdown => f::markdown(&m, lang).into_bytes(),
        MatrixOutput::Json => f::json(&m, &p).into_bytes(),
        MatrixOutput::Html => f::html(&m, &p, lang).into_bytes(),
        MatrixOutput::Xlsx => match f::xlsx(&[&m], &p, lang) {
            Ok(b) => b,
            Err(e) => {
                return Err(Failure::input(format!("cannot make the workbook: {e}")));
            }
        },
    };
    match out {
        Some(path) => {
            refuse_input_as_output(path, &[(dir, &checked)])?;
            if let Err(e) = crate::atomic::write(path, &bytes) {
                return Err(Failure::input(format!(
                    "cannot write {}: {e}",
                    path.display()
                )));
            }
            let _ = writeln!(
                io.err,
                "{}",
                lang.f(
                    "cli_matrix_wrote",
                    &[
                        ("title", &m.title),
                        ("rows", &m.rows.len()),
                        ("file", &path.display()),
                    ]
                )
            );
        }
        None => {
            let _ = io.out.write_all(&bytes);
        }
    }
    Ok(Done::Clean)
}

/// Refuses `out` when it is one of the files of a project that `checked`
/// was read from its folder: an output file never replaces a file the
/// command reads. Links and `..` are resolved first.
fn refuse_input_as_output(out: &Path, read_from: &[(&Path, &Checked)]) -> Result<(), Failure> {
    let Ok(file) = out.canonicalize() else {
        // A file that does not exist yet is no project's file.
        return Ok(());
    };
    for (dir, checked) in read_from {
        let Ok(dir) = dir.canonicalize() else {
            continue;
        };
        let Ok(rel) = file.strip_prefix(&dir) else {
            continue;
        };
        if let Some(f) = checked
            .loaded
            .project
            .files
            .iter()
            .find(|f| Path::new(&f.path) == rel)
        {
            return Err(Failure::input(format!(
                "--out {} is {}, a file of the project this command reads; it is left untouched. Choose another file for --out",
                out.display(),
                f.path
            )));
        }
    }
    Ok(())
}

/// What `diff` compares.
#[derive(Clone, Debug)]
pub enum DiffSides {
    Folders(PathBuf, PathBuf),
    /// A project folder in a git repository, and two revisions of it.
    Git(PathBuf, String, String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffOutput {
    Text,
    Json,
    Html,
}

/// A new folder of this process's own under `parent`, removed when dropped:
/// its name is random and it is made with `mkdir`, which fails rather than
/// take over a folder or link someone else put at that name, and only the
/// user may enter it.
fn scratch_dir(parent: &Path) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("needtrail-diff-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir_in(parent)
}

/// `needtrail diff`
pub fn diff(sides: &DiffSides, format: DiffOutput, out: Option<&Path>, io: &mut Io<'_>) -> Outcome {
    let mut scratch = Vec::new();
    let (old_dir, new_dir, old_name, new_name) = match sides {
        DiffSides::Folders(a, b) => (
            a.clone(),
            b.clone(),
            a.display().to_string(),
            b.display().to_string(),
        ),
        DiffSides::Git(dir, r1, r2) => {
            let mut dirs = Vec::new();
            for rev in [r1.as_str(), r2] {
                let tmp = match scratch_dir(&std::env::temp_dir()) {
                    Ok(t) => t,
                    Err(e) => {
                        return Err(Failure::input(format!(
                            "cannot make a temporary folder: {e}"
                        )));
                    }
                };
                if let Err(e) = crate::diff::extract_revision(dir, rev, tmp.path()) {
                    return Err(Failure::input(format!("cannot read revision {rev}: {e}")));
                }
                dirs.push(tmp.path().to_path_buf());
                scratch.push(tmp);
            }
            (
                dirs[0].clone(),
                dirs[1].clone(),
                r1.to_owned(),
                r2.to_owned(),
            )
        }
    };
    let mut checked = Vec::new();
    for (dir, name) in [(&old_dir, &old_name), (&new_dir, &new_name)] {
        match pipeline(dir, io) {
            Ok(c) => checked.push(c),
            Err(e) => {
                return Err(Failure::Load {
                    error: Box::new(e),
                    json: false,
                    context: Some(format!("{name} cannot be read:")),
                });
            }
        }
    }
    let lang = io.lang_for(&checked[1].loaded.project);
    let d = crate::diff::diff(&checked[0], &checked[1], &old_name, &new_name, lang);
    let text = match format {
        DiffOutput::Text => crate::diff::text(&d, &checked[1].loaded.profile, lang),
        DiffOutput::Json => crate::diff::json(&d),
        DiffOutput::Html => crate::diff::html(&d, &checked[1].loaded.profile, lang),
    };
    drop(scratch);
    match out {
        Some(path) => {
            // With --git, both revisions' files have their place in the work tree.
            let read_from = match sides {
                DiffSides::Folders(a, b) => [(a.as_path(), &checked[0]), (b, &checked[1])],
                DiffSides::Git(dir, ..) => [(dir.as_path(), &checked[0]), (dir, &checked[1])],
            };
            refuse_input_as_output(path, &read_from)?;
            if let Err(e) = crate::atomic::write(path, text.as_bytes()) {
                return Err(Failure::input(format!(
                    "cannot write {}: {e}",
                    path.display()
                )));
            }
        }
        None => {
            let _ = io.out.write_all(text.as_bytes());
        }
    }
    Ok(Done::Clean)
}

/// `needtrail audit --out`
pub fn audit(dir: &Path, out: &Path, timestamp: Option<i64>, io: &mut Io<'_>) -> Outcome {
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, false))?;
    let options = &crate::report::ReportOptions {
        lang: io.lang_for(&checked.loaded.project),
        templates: None,
        timestamp,
    };
    let files = crate::audit::write_package(out, dir, checked, options, io.progress)
        .map_err(Failure::input)?;
    let _ = writeln!(
        io.out,
        "{}",
        options.lang.f(
            "cli_audit_written",
            &[
                ("out", &out.display()),
                ("n", &files),
                ("manifest", &out.join(crate::audit::MANIFEST).display()),
            ]
        )
    );
    Ok(Done::Clean)
}

/// `needtrail audit --verify`: 0 when intact, 1 when anything changed.
pub fn audit_verify(out: &Path, project: Option<&Path>, io: &mut Io<'_>) -> Outcome {
    // The package is not a project: --lang, else English.
    let lang = io.lang.unwrap_or_default();
    let v = crate::audit::verify(out, project).map_err(|e| Failure::input(e.to_string()))?;
    for (key, files) in [
        ("cli_verify_changed", &v.changed),
        ("cli_verify_missing", &v.missing),
        ("cli_verify_unlisted", &v.unlisted),
    ] {
        for f in files {
            let _ = writeln!(io.out, "{}{f}", crate::text::pad(lang.t(key), 10));
        }
    }
    for f in &v.refused {
        let _ = writeln!(
            io.out,
            "{}{}",
            crate::text::pad(lang.t("cli_verify_tampered"), 10),
            lang.f("cli_verify_names", &[("file", f)])
        );
    }
    if v.intact() {
        let _ = writeln!(
            io.out,
            "{}",
            lang.f("cli_verify_intact", &[("n", &v.checked)])
        );
        return Ok(Done::Clean);
    }
    let refused = if v.refused.is_empty() {
        String::new()
    } else {
        lang.f(
            "cli_verify_refused",
            &[
                ("n", &v.refused.len()),
                ("s", &lang.plural(v.refused.len())),
            ],
        )
    };
    let _ = writeln!(
        io.out,
        "{}",
        lang.f(
            "cli_verify_not_intact",
            &[
                ("changed", &v.changed.len()),
                ("missing", &v.missing.len()),
                ("unlisted", &v.unlisted.len()),
                ("n", &v.checked),
                ("refused", &refused),
            ]
        )
    );
    Ok(Done::Findings)
}

/// `needtrail objectives`
pub fn objectives(dir: &Path, json: bool, io: &mut Io<'_>) -> Outcome {
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, json))?;
    let Loaded { project, profile } = &checked.loaded;
    let mut ctx = crate::objectives::Context::new(project, profile, &checked.graph);
    ctx.lang = io.lang_for(project);
    let results = crate::objectives::evaluate(&ctx, profile);
    let cards = crate::objectives::scorecards(&ctx, profile);
    let complaints = crate::objectives::complaints(&ctx);
    let text = if json {
        output::objectives_json(&results, &cards, &complaints, ctx.as_of)
    } else {
        output::objectives_text(
            &results,
            &cards,
            &complaints,
            ctx.as_of,
            io.lang_for(project),
        )
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(Done::Clean)
}

/// The forms `management-review` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewOutput {
    Markdown,
    Html,
    Xlsx,
    Json,
}

/// `needtrail management-review [DIR] --period P`
pub fn management_review(
    dir: &Path,
    period: &crate::objectives::Period,
    format: ReviewOutput,
    out: Option<&Path>,
    io: &mut Io<'_>,
) -> Outcome {
    // Refused before the project is read: a workbook on a terminal is noise.
    if format == ReviewOutput::Xlsx
        && out.is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        return Err(Failure::input(
            "an .xlsx workbook is binary: give --out FILE.xlsx, or redirect standard output to a file"
                .to_owned(),
        ));
    }
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, format == ReviewOutput::Json))?;
    let lang = io.lang_for(&checked.loaded.project);
    let review = crate::management::build(&checked, period, lang);
    let bytes = match format {
        ReviewOutput::Markdown => review.markdown().into_bytes(),
        ReviewOutput::Json => review.json().into_bytes(),
        ReviewOutput::Html => review.html().map_err(Failure::Input)?.into_bytes(),
        ReviewOutput::Xlsx => review
            .xlsx()
            .map_err(|e| Failure::input(format!("cannot make the workbook: {e}")))?,
    };
    match out {
        Some(path) => {
            refuse_input_as_output(path, &[(dir, &checked)])?;
            crate::atomic::write(path, &bytes)
                .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
        }
        None => {
            let _ = io.out.write_all(&bytes);
        }
    }
    Ok(Done::Clean)
}

/// `needtrail export reqif [DIR] --out FILE`
pub fn export_reqif(
    dir: &Path,
    out: &Path,
    kinds: &[String],
    contract: Option<&str>,
    io: &mut Io<'_>,
) -> Outcome {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext != "reqif" && ext != "reqifz" {
        return Err(Failure::input(format!(
            "--out {}: write a .reqif file, or a .reqifz for a zipped one",
            out.display()
        )));
    }
    let checked = pipeline(dir, io).map_err(|e| Failure::load(e, false))?;
    refuse_input_as_output(out, &[(dir, &checked)])?;
    let options = crate::interchange::reqif::write::ExportOptions {
        kinds: kinds.to_vec(),
        contract: contract.map(str::to_owned),
        zipped: ext == "reqifz",
        file_name: out
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into()),
    };
    let exported = match crate::interchange::reqif::write::export(&checked, &options) {
        Ok(e) => e,
        Err(m) => {
            return Err(Failure::input(m.to_string()));
        }
    };
    if let Err(e) = crate::atomic::write(out, &exported.bytes) {
        return Err(Failure::input(format!(
            "cannot write {}: {e}",
            out.display()
        )));
    }
    // What the file does not hold is said, never left to be found.
    for line in &exported.left_out {
        let _ = writeln!(io.err, "note: {line}");
    }
    let _ = writeln!(io.err, "wrote {}", out.display());
    Ok(Done::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folders and links planted at the names an earlier version used
    /// (`needtrail-diff-PID-N`) are never used: each scratch folder is new,
    /// a real folder, and empty.
    #[cfg(unix)]
    #[test]
    fn a_scratch_folder_is_never_one_planted_beforehand() {
        let parent = tempfile::tempdir().unwrap();
        let trap = tempfile::tempdir().unwrap();
        let pid = std::process::id();
        for n in 0..4 {
            let link = parent.path().join(format!("needtrail-diff-{pid}-{n}"));
            std::os::unix::fs::symlink(trap.path(), link).unwrap();
        }
        let planted = parent.path().join("needtrail-diff-");
        std::fs::create_dir(&planted).unwrap();
        let mut kept: Vec<tempfile::TempDir> = Vec::new();
        for _ in 0..4 {
            let dir = scratch_dir(parent.path()).unwrap();
            let meta = std::fs::symlink_metadata(dir.path()).unwrap();
            assert!(meta.is_dir() && !meta.file_type().is_symlink());
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
            {
                use std::os::unix::fs::PermissionsExt as _;
                assert_eq!(meta.permissions().mode() & 0o077, 0, "others may enter");
            }
            std::fs::write(dir.path().join("requirements.toml"), "x").unwrap();
            assert!(kept.iter().all(|k| k.path() != dir.path()));
            kept.push(dir);
        }
        assert_eq!(std::fs::read_dir(trap.path()).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(&planted).unwrap().count(), 0);
    }
}
