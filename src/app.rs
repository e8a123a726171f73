//! The commands: each runs the pipeline (load → graph → rules → output) and
//! returns the process exit code. Nothing here parses arguments; nothing
//! below here prints.

use std::path::{Path, PathBuf};

use crate::diag;
use crate::load::{self, LoadError, Loaded};
use crate::output;
pub use crate::pipeline::{Checked, provenance, run_pipeline, run_pipeline_with};
use crate::profile::Severity;
use crate::rules::CheckResult;

pub use crate::command::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, Io};

/// Which findings make the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub fn exit_code(self, result: &CheckResult) -> i32 {
        let failing = match self {
            FailOn::Error => result.count(Severity::Error),
            FailOn::Warning => result.count(Severity::Error) + result.count(Severity::Warning),
            FailOn::Never => 0,
        };
        if failing > 0 { EXIT_FINDINGS } else { EXIT_OK }
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
    crate::pipeline::run_pipeline_as_of(dir, io.progress, io.as_of)
}

fn report_load_error(e: &LoadError, json: bool, io: &mut Io<'_>) -> i32 {
    if json {
        let _ = io
            .out
            .write_all(diag::render_json(&e.diagnostics).as_bytes());
    }
    let _ = io
        .err
        .write_all(diag::render_text(&e.diagnostics, &e.sources).as_bytes());
    EXIT_INPUT
}

/// `needtrail check`
pub fn check(opts: &CheckOptions, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(&opts.dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, opts.json, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let text = if opts.json {
        output::check_json(project, profile, &checked.result)
    } else {
        output::check_text(project, profile, &checked.result)
    };
    let _ = io.out.write_all(text.as_bytes());
    let code = opts.fail_on.exit_code(&checked.result);
    end_of_run(checked);
    code
}

/// `check` and `report` are the last thing the process does: freeing a
/// large project item by item would only add to the time the user waits,
/// so the memory goes back to the system with the process instead.
fn end_of_run(checked: Checked) {
    std::mem::forget(checked);
}

/// `needtrail trace ID`
pub fn trace(dir: &Path, id: &str, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let Some(idx) = project.get(id) else {
        let hint = diag::suggest(id, project.ids())
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        let _ = writeln!(
            io.err,
            "error: no item with id `{id}` in this project.{hint}"
        );
        return EXIT_INPUT;
    };
    let text = output::trace_text(project, profile, &checked.graph, &checked.result, idx);
    let _ = io.out.write_all(text.as_bytes());
    EXIT_OK
}

/// `needtrail report`
#[derive(Clone, Debug)]
pub struct ReportCommand {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub fail_on: FailOn,
    pub options: crate::report::ReportOptions,
}

/// `needtrail report`: renders the site, writes it, exits like `check`.
pub fn report(cmd: &ReportCommand, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(&cmd.dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let written =
        crate::report::write_report(&cmd.out, &cmd.dir, &checked, &cmd.options, io.progress);
    if let Err(e) = written {
        let _ = writeln!(io.err, "error: {e}");
        return EXIT_INPUT;
    }
    let result = &checked.result;
    let _ = writeln!(
        io.out,
        "Report written to {}
Open {} in a browser. {} finding{}: {} error{}, {} warning{}.",
        cmd.out.display(),
        cmd.out.join("index.html").display(),
        result.findings.len(),
        if result.findings.len() == 1 { "" } else { "s" },
        result.count(Severity::Error),
        if result.count(Severity::Error) == 1 {
            ""
        } else {
            "s"
        },
        result.count(Severity::Warning),
        if result.count(Severity::Warning) == 1 {
            ""
        } else {
            "s"
        },
    );
    let code = cmd.fail_on.exit_code(result);
    end_of_run(checked);
    code
}

const INIT_CONFIG: &str = include_str!("../templates/init/needtrail.toml");
const INIT_ITEMS: &str = include_str!("../templates/init/requirements.toml");
const INIT_TAPLO: &str = include_str!("../templates/init/taplo.toml");

/// `needtrail init`: a new project folder that `check` accepts.
pub fn init(dir: &Path, io: &mut Io<'_>) -> i32 {
    let config = dir.join(load::CONFIG_FILE);
    let items = dir.join("requirements.toml");
    let schema = dir.join(crate::schema::FILE_NAME);
    let taplo = dir.join(".taplo.toml");
    for existing in [&config, &items, &schema, &taplo] {
        if existing.exists() {
            let _ = writeln!(
                io.err,
                "error: {} already exists; init never overwrites a file.\n  = help: choose an empty or new folder",
                existing.display()
            );
            return EXIT_INPUT;
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
        let _ = writeln!(
            io.err,
            "error: cannot create the project in {}: {e}",
            dir.display()
        );
        return EXIT_INPUT;
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
    EXIT_OK
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `needtrail generate`: a synthetic project, with its planted gaps listed
/// in `expected-findings.json` beside it.
pub fn generate(dir: &Path, spec: crate::corpus::CorpusSpec, io: &mut Io<'_>) -> i32 {
    if dir.exists() {
        let _ = writeln!(
            io.err,
            "error: {} already exists; generate writes a new folder only",
            dir.display()
        );
        return EXIT_INPUT;
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
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: cannot write {}: {e}", dir.display());
            EXIT_INPUT
        }
    }
}

/// Signs and stamps a generated corpus with the real commands, then changes
/// a few requirements after sign-off; gives the findings that must follow.
fn live_in(
    dir: &Path,
    spec: crate::corpus::CorpusSpec,
) -> std::io::Result<Vec<crate::corpus::PlantedGap>> {
    let mut sink = Vec::new();
    let mut quiet = Io {
        out: &mut std::io::sink(),
        err: &mut sink,
        progress: &crate::progress::Silent,
        as_of: None,
    };
    if review_sign(
        dir,
        "REV-1",
        "Quality manager",
        Some("2026-01-05"),
        &mut quiet,
    ) != EXIT_OK
        || stamp(dir, None, &mut quiet) != EXIT_OK
    {
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&sink).into_owned(),
        ));
    }
    let changed = crate::corpus::change_after_signoff(dir, spec)?;
    let mut gaps = vec![("signoff-broken", "REV-1".to_owned())];
    for id in changed {
        let n: usize = id["REQ-".len()..].parse().expect("generated id");
        // What rests on the changed requirement: its design input, its
        // validation and the delivery that delivers it.
        gaps.push(("suspect-link", format!("DI-{n:07}")));
        gaps.push(("suspect-link", format!("VAL-{n:07}")));
        gaps.push((
            "suspect-link",
            format!("DEL-{:06}", (n - 1) / crate::corpus::PER_DELIVERY + 1),
        ));
    }
    Ok(gaps)
}

/// Finds an item by id for a command, or says plainly that there is none.
fn find_item(
    project: &crate::model::Project,
    id: &str,
    io: &mut Io<'_>,
) -> Option<crate::model::ItemIdx> {
    let found = project.get(id);
    if found.is_none() {
        let hint = diag::suggest(id, project.ids())
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        let _ = writeln!(
            io.err,
            "error: no item with id `{id}` in this project.{hint}"
        );
    }
    found
}

/// `needtrail review status`
pub fn review_status(dir: &Path, contract: Option<&str>, json: bool, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, json, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let only = match contract {
        Some(id) => match find_item(project, id, io) {
            Some(i) if Some(project.item(i).kind) == profile.kind_index("contract") => Some(i),
            Some(_) => {
                let _ = writeln!(io.err, "error: `{id}` is not a contract");
                return EXIT_INPUT;
            }
            None => return EXIT_INPUT,
        },
        None => None,
    };
    let statuses = crate::review::status(project, profile, &checked.graph, only);
    let text = if json {
        output::review_status_json(&statuses)
    } else {
        output::review_status_text(&statuses)
    };
    let _ = io.out.write_all(text.as_bytes());
    EXIT_OK
}

/// `needtrail review sign`
pub fn review_sign(dir: &Path, review: &str, by: &str, date: Option<&str>, io: &mut Io<'_>) -> i32 {
    let date = match date {
        None => crate::edit::Date::today(),
        Some(d) => match crate::edit::Date::parse(d) {
            Some(d) => d,
            None => {
                let _ = writeln!(
                    io.err,
                    "error: `{d}` is not a date; write --date YYYY-MM-DD, e.g. --date 2026-02-08"
                );
                return EXIT_INPUT;
            }
        },
    };
    if by.trim().is_empty() {
        let _ = writeln!(io.err, "error: --by needs the name of the person who signs");
        return EXIT_INPUT;
    }
    let Some(_lock) = lock_for_writing(dir, io) else {
        return EXIT_INPUT;
    };
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    match crate::review::sign(project, profile, &checked.graph, review, by, date) {
        Err(crate::review::SignRefusal::NotAReview(id)) => {
            let _ = writeln!(
                io.err,
                "error: `{id}` is not a contract review ([[review]]) of this project"
            );
            EXIT_INPUT
        }
        Err(crate::review::SignRefusal::NothingDecided(id)) => {
            let _ = writeln!(
                io.out,
                "Not signed: review {id} decides no requirement. Add a [[review.decision]] for each requirement of the contract, then sign."
            );
            EXIT_FINDINGS
        }
        Err(crate::review::SignRefusal::NoContract(id)) => {
            let _ = writeln!(
                io.err,
                "error: review {id} names no contract; add `contract = \"...\"` to it first"
            );
            EXIT_INPUT
        }
        Err(crate::review::SignRefusal::Open { undecided, clarify }) => {
            let _ = writeln!(
                io.out,
                "Not signed: the contract review of {review} is not complete."
            );
            if !undecided.is_empty() {
                let _ = writeln!(io.out, "  no decision yet: {}", undecided.join(", "));
            }
            if !clarify.is_empty() {
                let _ = writeln!(io.out, "  awaiting clarification: {}", clarify.join(", "));
            }
            let _ = writeln!(
                io.out,
                "Decide every requirement of the contract, then sign again."
            );
            EXIT_FINDINGS
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
                        "Signed {review} by {by} on {date}: {count} requirement{} fingerprinted in {}.",
                        if count == 1 { "" } else { "s" },
                        files.join(", ")
                    );
                    EXIT_OK
                }
                Err(e) => {
                    let _ = writeln!(io.err, "error: {e}");
                    EXIT_INPUT
                }
            }
        }
    }
}

/// How long a command that writes waits for another that is writing to
/// the same project.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The project's write lock, taken before the files are loaded, or `None`
/// (said on `io.err`) when it cannot be had.
fn lock_for_writing(dir: &Path, io: &mut Io<'_>) -> Option<crate::edit::ProjectLock> {
    if !dir.join(load::CONFIG_FILE).is_file() {
        // Not a project: loading says so, and there is nothing to lock.
        return Some(crate::edit::ProjectLock::none());
    }
    match crate::edit::lock_project(dir, LOCK_WAIT) {
        Ok(lock) => Some(lock),
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            None
        }
    }
}

/// `needtrail stamp`
pub fn stamp(dir: &Path, id: Option<&str>, io: &mut Io<'_>) -> i32 {
    let Some(_lock) = lock_for_writing(dir, io) else {
        return EXIT_INPUT;
    };
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let targets: Vec<crate::model::ItemIdx> = match id {
        Some(id) => {
            let Some(idx) = find_item(project, id, io) else {
                return EXIT_INPUT;
            };
            if project.item(idx).parent.is_some() {
                let _ = writeln!(
                    io.err,
                    "error: `{id}` is part of {}; stamp items that stand in their own table",
                    project.reference(idx)
                );
                return EXIT_INPUT;
            }
            vec![idx]
        }
        None => (0..project.items.len() as u32)
            .map(crate::model::ItemIdx)
            .filter(|i| project.item(*i).parent.is_none())
            .collect(),
    };
    let fingerprints = crate::fingerprint::Cache::new(project, profile);
    let changes: Vec<_> = targets
        .iter()
        .filter_map(|i| {
            crate::review::stamp_with(&fingerprints, project, profile, *i).map(|c| (*i, vec![c]))
        })
        .collect();
    if changes.is_empty() {
        let what = id.map_or("no item of this project".to_owned(), |i| format!("`{i}`"));
        let _ = writeln!(
            io.err,
            "error: {what} links to no upstream item a stamp covers (links listed in `[fingerprint] context`, such as a customer or contract, are not stamped); there is nothing to stamp"
        );
        return EXIT_INPUT;
    }
    let n = changes.len();
    match crate::edit::apply(dir, project, profile, changes) {
        Ok(files) => {
            let _ = writeln!(
                io.out,
                "Stamped {n} item{} in {} file{}.",
                if n == 1 { "" } else { "s" },
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            EXIT_INPUT
        }
    }
}

/// `needtrail impact`
pub fn impact(dir: &Path, id: &str, json: bool, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, json, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let Some(idx) = find_item(project, id, io) else {
        return EXIT_INPUT;
    };
    let tree = crate::review::impact(project, profile, &checked.graph, idx);
    let text = if json {
        let mut s = serde_json::to_string_pretty(&tree).expect("serialisable");
        s.push('\n');
        s
    } else {
        output::impact_text(&tree)
    };
    let _ = io.out.write_all(text.as_bytes());
    EXIT_OK
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
) -> i32 {
    use crate::matrix::format as f;
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, format == MatrixOutput::Json, io),
    };
    let m = match crate::matrix::build(&checked, spec) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            return EXIT_INPUT;
        }
    };
    let p = provenance(&checked);
    let bytes = match format {
        MatrixOutput::Text => f::text(&m).into_bytes(),
        MatrixOutput::Csv => f::csv(&m),
        MatrixOutput::Markdown => f::markdown(&m).into_bytes(),
        MatrixOutput::Json => f::json(&m, &p).into_bytes(),
        MatrixOutput::Html => f::html(&m, &p).into_bytes(),
        MatrixOutput::Xlsx => {
            use std::io::IsTerminal as _;
            if out.is_none() && std::io::stdout().is_terminal() {
                let _ = writeln!(
                    io.err,
                    "error: an XLSX workbook is binary: add --out FILE.xlsx, or redirect standard output to a file"
                );
                return EXIT_INPUT;
            }
            match f::xlsx(&[&m], &p) {
                Ok(b) => b,
                Err(e) => {
                    let _ = writeln!(io.err, "error: cannot make the workbook: {e}");
                    return EXIT_INPUT;
                }
            }
        }
    };
    match out {
        Some(path) => {
            if refuse_input_as_output(path, &[(dir, &checked)], io) {
                return EXIT_INPUT;
            }
            if let Err(e) = crate::atomic::write(path, &bytes) {
                let _ = writeln!(io.err, "error: cannot write {}: {e}", path.display());
                return EXIT_INPUT;
            }
            let _ = writeln!(
                io.err,
                "Wrote {} ({} rows) to {}.",
                m.title,
                m.rows.len(),
                path.display()
            );
        }
        None => {
            let _ = io.out.write_all(&bytes);
        }
    }
    EXIT_OK
}

/// Says so, and gives `true`, when `out` is one of the files of a project
/// that `checked` was read from its folder: an output file never replaces
/// a file the command reads. Links and `..` are resolved first.
fn refuse_input_as_output(out: &Path, read_from: &[(&Path, &Checked)], io: &mut Io<'_>) -> bool {
    let Ok(file) = out.canonicalize() else {
        // A file that does not exist yet is no project's file.
        return false;
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
            let _ = writeln!(
                io.err,
                "error: --out {} is {}, a file of the project this command reads; it is left untouched. Choose another file for --out",
                out.display(),
                f.path
            );
            return true;
        }
    }
    false
}

/// What `diff` compares.
#[derive(Clone, Debug)]
pub enum DiffSides {
    Folders(PathBuf, PathBuf),
    /// A project folder in a git repository, and `REV1..REV2`.
    Git(PathBuf, String),
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
pub fn diff(sides: &DiffSides, format: DiffOutput, out: Option<&Path>, io: &mut Io<'_>) -> i32 {
    let mut scratch = Vec::new();
    let (old_dir, new_dir, old_name, new_name) = match sides {
        DiffSides::Folders(a, b) => (
            a.clone(),
            b.clone(),
            a.display().to_string(),
            b.display().to_string(),
        ),
        DiffSides::Git(dir, range) => {
            let Some((r1, r2)) = range
                .split_once("..")
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            else {
                let _ = writeln!(
                    io.err,
                    "error: --git takes two revisions as REV1..REV2, e.g. --git v1.0..HEAD"
                );
                return EXIT_INPUT;
            };
            let mut dirs = Vec::new();
            for rev in [r1, r2] {
                let tmp = match scratch_dir(&std::env::temp_dir()) {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = writeln!(io.err, "error: cannot make a temporary folder: {e}");
                        return EXIT_INPUT;
                    }
                };
                if let Err(e) = crate::diff::extract_revision(dir, rev, tmp.path()) {
                    let _ = writeln!(io.err, "error: cannot read revision {rev}: {e}");
                    return EXIT_INPUT;
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
                let _ = writeln!(io.err, "error: {name} cannot be read:");
                return report_load_error(&e, false, io);
            }
        }
    }
    let d = crate::diff::diff(&checked[0], &checked[1], &old_name, &new_name);
    let text = match format {
        DiffOutput::Text => crate::diff::text(&d),
        DiffOutput::Json => crate::diff::json(&d),
        DiffOutput::Html => crate::diff::html(&d),
    };
    drop(scratch);
    match out {
        Some(path) => {
            // With --git, both revisions' files have their place in the work tree.
            let read_from = match sides {
                DiffSides::Folders(a, b) => [(a.as_path(), &checked[0]), (b, &checked[1])],
                DiffSides::Git(dir, _) => [(dir.as_path(), &checked[0]), (dir, &checked[1])],
            };
            if refuse_input_as_output(path, &read_from, io) {
                return EXIT_INPUT;
            }
            if let Err(e) = crate::atomic::write(path, text.as_bytes()) {
                let _ = writeln!(io.err, "error: cannot write {}: {e}", path.display());
                return EXIT_INPUT;
            }
        }
        None => {
            let _ = io.out.write_all(text.as_bytes());
        }
    }
    EXIT_OK
}

/// `needtrail audit --out`
pub fn audit(
    dir: &Path,
    out: &Path,
    options: &crate::report::ReportOptions,
    io: &mut Io<'_>,
) -> i32 {
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let files = match crate::audit::package(&checked, options, dir) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            return EXIT_INPUT;
        }
    };
    let inputs = crate::report::Inputs::of(dir, &checked, options);
    if let Err(e) = crate::report::write_site(out, &files, &inputs) {
        let _ = writeln!(io.err, "error: {e}");
        return EXIT_INPUT;
    }
    let _ = writeln!(
        io.out,
        "Audit package written to {} ({} files, listed with their SHA-256 in {}).\nCheck it later with `needtrail audit --verify {}`.",
        out.display(),
        files.len(),
        out.join(crate::audit::MANIFEST).display(),
        out.display()
    );
    EXIT_OK
}

/// `needtrail audit --verify`: 0 when intact, 1 when anything changed.
pub fn audit_verify(out: &Path, project: Option<&Path>, io: &mut Io<'_>) -> i32 {
    match crate::audit::verify(out, project) {
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            EXIT_INPUT
        }
        Ok(v) => {
            for f in &v.changed {
                let _ = writeln!(io.out, "CHANGED   {f}");
            }
            for f in &v.missing {
                let _ = writeln!(io.out, "MISSING   {f}");
            }
            for f in &v.unlisted {
                let _ = writeln!(io.out, "UNLISTED  {f}");
            }
            for f in &v.refused {
                let _ = writeln!(io.out, "TAMPERED  MANIFEST names {f}; not read");
            }
            if v.intact() {
                let _ = writeln!(
                    io.out,
                    "Intact: all {} files match the MANIFEST.",
                    v.checked
                );
                EXIT_OK
            } else {
                let refused = if v.refused.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the MANIFEST was tampered with: it names {} path{} a package never holds",
                        v.refused.len(),
                        if v.refused.len() == 1 { "" } else { "s" }
                    )
                };
                let _ = writeln!(
                    io.out,
                    "NOT intact: {} changed, {} missing, {} not listed, of {} files in the MANIFEST{refused}.",
                    v.changed.len(),
                    v.missing.len(),
                    v.unlisted.len(),
                    v.checked
                );
                EXIT_FINDINGS
            }
        }
    }
}

/// `needtrail objectives`
pub fn objectives(dir: &Path, json: bool, io: &mut Io<'_>) -> i32 {
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, json, io),
    };
    let Loaded { project, profile } = &checked.loaded;
    let ctx = crate::objectives::Context::new(project, profile, &checked.graph);
    let results = crate::objectives::evaluate(&ctx, profile);
    let cards = crate::objectives::scorecards(&ctx, profile);
    let complaints = crate::objectives::complaints(&ctx);
    let text = if json {
        output::objectives_json(&results, &cards, &complaints, ctx.as_of)
    } else {
        output::objectives_text(&results, &cards, &complaints, ctx.as_of)
    };
    let _ = io.out.write_all(text.as_bytes());
    EXIT_OK
}

/// `needtrail export reqif [DIR] --out FILE`
pub fn export_reqif(
    dir: &Path,
    out: &Path,
    kinds: &[String],
    contract: Option<&str>,
    io: &mut Io<'_>,
) -> i32 {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext != "reqif" && ext != "reqifz" {
        let _ = writeln!(
            io.err,
            "error: --out {}: write a .reqif file, or a .reqifz for a zipped one",
            out.display()
        );
        return EXIT_INPUT;
    }
    let checked = match pipeline(dir, io) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    if refuse_input_as_output(out, &[(dir, &checked)], io) {
        return EXIT_INPUT;
    }
    let options = crate::interchange::reqif::write::ExportOptions {
        kinds: kinds.to_vec(),
        contract: contract.map(str::to_owned),
        zipped: ext == "reqifz",
        file_name: out
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into()),
    };
    let bytes = match crate::interchange::reqif::write::export(&checked, &options) {
        Ok(b) => b,
        Err(m) => {
            let _ = writeln!(io.err, "error: {m}");
            return EXIT_INPUT;
        }
    };
    if let Err(e) = crate::atomic::write(out, &bytes) {
        let _ = writeln!(io.err, "error: cannot write {}: {e}", out.display());
        return EXIT_INPUT;
    }
    let _ = writeln!(io.err, "wrote {}", out.display());
    EXIT_OK
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
