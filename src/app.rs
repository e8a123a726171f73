//! The commands: each runs the pipeline (load → graph → rules → output) and
//! returns the process exit code. Nothing here parses arguments; nothing
//! below here prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag;
use crate::graph::TraceGraph;
use crate::load::{self, LoadError, Loaded};
use crate::output;
use crate::profile::Severity;
use crate::rules::{self, CheckResult};

/// Exit code: nothing at or above the threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: the input or the command line is wrong.
pub const EXIT_INPUT: i32 = 2;

/// Where a command writes: results to `out`, problems to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Where long stages report progress ([`crate::progress::Silent`] for none).
    pub progress: &'a dyn crate::progress::Progress,
}

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

/// A project loaded, linked and checked.
pub struct Checked {
    pub loaded: Loaded,
    pub graph: TraceGraph,
    pub result: CheckResult,
}

/// Runs the whole pipeline up to the findings.
pub fn run_pipeline(dir: &Path) -> Result<Checked, LoadError> {
    run_pipeline_with(dir, &crate::progress::Silent)
}

/// [`run_pipeline`], reporting progress.
pub fn run_pipeline_with(
    dir: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<Checked, LoadError> {
    let loaded = load::load_with(dir, progress)?;
    // Targets whose units do not fit their metric are input errors too.
    let mut diagnostics = crate::objectives::validate(&loaded.project, &loaded.profile);
    if !diagnostics.is_empty() {
        diag::sort(&mut diagnostics);
        return Err(LoadError {
            diagnostics,
            sources: loaded.project.files,
        });
    }
    let graph = TraceGraph::build(&loaded.project);
    let result = rules::check_with(&loaded.project, &loaded.profile, &graph, progress);
    Ok(Checked {
        loaded,
        graph,
        result,
    })
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
    let checked = match run_pipeline_with(&opts.dir, io.progress) {
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
    let checked = match run_pipeline_with(dir, io.progress) {
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
    let checked = match run_pipeline_with(&cmd.dir, io.progress) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let written = crate::report::write_report(&cmd.out, &checked, &cmd.options, io.progress);
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

/// `needtrail init`: a new project folder that `check` accepts.
pub fn init(dir: &Path, io: &mut Io<'_>) -> i32 {
    let config = dir.join(load::CONFIG_FILE);
    let items = dir.join("requirements.toml");
    for existing in [&config, &items] {
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
        .and_then(|_| crate::atomic::write_new(&items, INIT_ITEMS.as_bytes()));
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
        "Created {} and {}.\nNext: edit them, then run `needtrail check {}`.",
        config.display(),
        items.display(),
        dir.display()
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
    let result = crate::corpus::generate(dir, spec).and_then(|gaps| {
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
    let checked = match run_pipeline_with(dir, io.progress) {
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
    let checked = match run_pipeline_with(dir, io.progress) {
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

/// `needtrail stamp`
pub fn stamp(dir: &Path, id: Option<&str>, io: &mut Io<'_>) -> i32 {
    let checked = match run_pipeline_with(dir, io.progress) {
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
    let changes: Vec<_> = targets
        .iter()
        .filter_map(|i| crate::review::stamp(project, profile, *i).map(|c| (*i, vec![c])))
        .collect();
    if changes.is_empty() {
        let what = id.map_or("no item of this project".to_owned(), |i| format!("`{i}`"));
        let _ = writeln!(
            io.err,
            "error: {what} links to no upstream item; there is nothing to stamp"
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
    let checked = match run_pipeline_with(dir, io.progress) {
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

/// Facts that make an exported file evidence on its own.
pub fn provenance(checked: &Checked) -> crate::matrix::format::Provenance {
    crate::matrix::format::Provenance {
        project: checked.loaded.project.name.clone(),
        digest: crate::report::input_digest(&checked.loaded.project),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
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
    let checked = match run_pipeline_with(dir, io.progress) {
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

/// A folder under the system's temporary folder, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(tag: &str) -> std::io::Result<ScratchDir> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "needtrail-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p)?;
        Ok(ScratchDir(p))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
                let tmp = match ScratchDir::new("diff") {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = writeln!(io.err, "error: cannot make a temporary folder: {e}");
                        return EXIT_INPUT;
                    }
                };
                if let Err(e) = crate::diff::extract_revision(dir, rev, &tmp.0) {
                    let _ = writeln!(io.err, "error: cannot read revision {rev}: {e}");
                    return EXIT_INPUT;
                }
                dirs.push(tmp.0.clone());
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
        match run_pipeline_with(dir, io.progress) {
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
    let checked = match run_pipeline_with(dir, io.progress) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
    let files = match crate::audit::package(&checked, options) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            return EXIT_INPUT;
        }
    };
    if let Err(e) = crate::report::write_site(out, &files) {
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
            if v.intact() {
                let _ = writeln!(
                    io.out,
                    "Intact: all {} files match the MANIFEST.",
                    v.checked
                );
                EXIT_OK
            } else {
                let _ = writeln!(
                    io.out,
                    "NOT intact: {} changed, {} missing, {} not listed, of {} files in the MANIFEST.",
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
    let checked = match run_pipeline_with(dir, io.progress) {
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
    let checked = match run_pipeline_with(dir, io.progress) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e, false, io),
    };
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
