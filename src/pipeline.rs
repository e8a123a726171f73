//! The pipeline as one step: load (files → items, checked against the
//! profile) → graph → rules, giving a [`Checked`] project that every output
//! (terminal, JSON, report, matrix, diff, audit) reads, and the facts that
//! make an output evidence of what it was made from ([`Provenance`]).

use std::path::Path;

use serde::Serialize;

use crate::diag;
use crate::graph::TraceGraph;
use crate::load::{self, LoadError, Loaded};
use crate::rules::{self, CheckResult};

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
    run_pipeline_as_of(dir, progress, None)
}

/// [`run_pipeline_with`], counting ages to `as_of` when given (over the
/// project's `[settings] as_of`).
pub fn run_pipeline_as_of(
    dir: &Path,
    progress: &dyn crate::progress::Progress,
    as_of: Option<crate::calendar::Date>,
) -> Result<Checked, LoadError> {
    // While the profile is read, a spare core reads the message
    // catalogue, and while the files are read, it compiles the word lists
    // the rules read: a millisecond or more each, which a small project
    // would otherwise wait for one after another.
    rayon::spawn(crate::lang::warm);
    let warm = |profile: &crate::profile::Profile| {
        profile.wording();
    };
    let Linked { loaded, graph } = link(checked_load(dir, progress, as_of, &warm)?);
    let result = rules::check_with(&loaded.project, &loaded.profile, &graph, progress);
    Ok(Checked {
        loaded,
        graph,
        result,
    })
}

/// The first stage alone: the project loaded and its input checked as
/// [`run_pipeline_as_of`] checks it (a project that fails here fails
/// there, with the same errors), for a command that needs neither links
/// nor findings, such as `stamp`.
pub fn load_as_of(
    dir: &Path,
    progress: &dyn crate::progress::Progress,
    as_of: Option<crate::calendar::Date>,
) -> Result<Loaded, LoadError> {
    checked_load(dir, progress, as_of, &|_| {})
}

/// [`load_as_of`], with `warm` run beside the reading (see
/// [`load::load_warming`]).
fn checked_load(
    dir: &Path,
    progress: &dyn crate::progress::Progress,
    as_of: Option<crate::calendar::Date>,
    warm: &(dyn Fn(&crate::profile::Profile) + Sync),
) -> Result<Loaded, LoadError> {
    let mut loaded = load::load_warming(dir, progress, warm)?;
    if let Some(d) = as_of {
        loaded.profile.as_of = Some(d.to_string());
    }
    // Targets whose units do not fit their metric are input errors too.
    let mut diagnostics = crate::objectives::validate(&loaded.project, &loaded.profile);
    if !diagnostics.is_empty() {
        diag::sort(&mut diagnostics);
        return Err(LoadError {
            diagnostics,
            sources: loaded.project.files,
        });
    }
    Ok(loaded)
}

/// A project loaded and linked, before any rule runs: for a command that
/// shows part of the thread and runs the rules only on what it shows (or
/// on nothing), such as `trace` and `impact`.
pub struct Linked {
    pub loaded: Loaded,
    pub graph: TraceGraph,
}

/// Builds the trace graph of a loaded project.
pub fn link(loaded: Loaded) -> Linked {
    let graph = TraceGraph::build(&loaded.project);
    Linked { loaded, graph }
}

/// Facts about the project printed with the matrices, so a file stands as evidence alone.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    pub project: String,
    pub digest: String,
    pub version: String,
}

/// Facts that make an exported file evidence on its own.
pub fn provenance(checked: &Checked) -> Provenance {
    Provenance {
        project: checked.loaded.project.name.clone(),
        digest: input_digest(&checked.loaded.project),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// SHA-256 over every input file's path and bytes, in path order: the
/// digest a report or an export carries to show what it was made from.
pub fn input_digest(project: &crate::model::Project) -> String {
    use sha2::{Digest, Sha256};
    let mut files: Vec<_> = project.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut h = Sha256::new();
    for f in files {
        h.update(f.path.as_bytes());
        h.update([0]);
        h.update((f.text.len() as u64).to_le_bytes());
        h.update(f.text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
