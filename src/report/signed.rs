//! What a sign-off approved, for the requirements that changed after it:
//! the text as it was signed, read from the project's git history when the
//! project is in git.
//!
//! A sign-off records the fingerprint of the review's decisions and of each
//! requirement. The last commit that added the decisions' fingerprint to
//! the review's file is the one the review was signed in (or, should the
//! requirement have been signed again since with the same decisions, the
//! last that added its own fingerprint); the project is read as it was
//! there (without a checkout, as `diff --git` reads it), and the
//! requirement found in it is the signed one only if its fingerprint is the
//! recorded one. Nothing is written anywhere but a temporary folder, which
//! is removed. Git is run only for a requirement that changed after a
//! sign-off, and only to read.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::fingerprint;
use crate::load::Loaded;
use crate::model::{ItemIdx, Project, Value};
use crate::profile::Profile;

/// A requirement as a review signed it.
pub enum Signed {
    /// Found in the revision the review was signed in (short commit id);
    /// its fields, by the current profile's field names.
    Found { revision: String, item: SignedItem },
    /// The project is in git, but no revision holds the signed text.
    NotInHistory,
    /// The project is not in a git repository (or git cannot be run).
    NoGit,
    /// Where the project is was not given, so its history is not read.
    Unknown,
}

/// The fields of a signed requirement that its fingerprint covers.
pub struct SignedItem {
    /// Title and the other fingerprinted fields, by name.
    pub fields: HashMap<String, String>,
    /// Link field name and target id, sorted.
    pub links: Vec<(String, String)>,
}

/// Reads signed requirements from the git history of the project in `dir`.
pub struct History<'a> {
    dir: Option<&'a Path>,
    in_git: Option<bool>,
    /// Each revision read, by commit: the project as it was (`None` when it
    /// could not be read).
    revisions: HashMap<String, Option<Loaded>>,
    /// The commit that last added each text to each file, as looked up.
    added: HashMap<(String, String), Option<String>>,
}

impl<'a> History<'a> {
    /// The history of the project in `dir`; with `None`, none is read.
    pub fn new(dir: Option<&'a Path>) -> Self {
        History {
            dir,
            in_git: None,
            revisions: HashMap::new(),
            added: HashMap::new(),
        }
    }

    fn git(dir: &Path, args: &[&str]) -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Requirement `id` as `review` (its item in `project`) signed it, with
    /// fingerprint `fp`; `signing` is the review's signed decisions, which
    /// name the signing itself (one lookup for all its requirements).
    pub fn signed(
        &mut self,
        project: &Project,
        review: ItemIdx,
        id: &str,
        fp: &str,
        signing: Option<&str>,
    ) -> Signed {
        let Some(dir) = self.dir else {
            return Signed::Unknown;
        };
        let in_git = *self.in_git.get_or_insert_with(|| {
            Self::git(dir, &["rev-parse", "--is-inside-work-tree"]).as_deref() == Some("true")
        });
        if !in_git {
            return Signed::NoGit;
        }
        let file = &project.files[project.item(review).span.file as usize].path;
        // The revision that recorded the signing; should the requirement
        // have been signed again since with the same decisions, the one
        // that recorded its own fingerprint.
        for needle in [signing, Some(fp)].into_iter().flatten() {
            let Some(commit) = self.added(dir, file, needle) else {
                continue;
            };
            if let Some(found) = self.read(dir, &commit, id, fp) {
                return found;
            }
        }
        Signed::NotInHistory
    }

    /// The last commit that added or removed `needle` in `file`: the one
    /// that wrote it, when the file holds it now.
    fn added(&mut self, dir: &Path, file: &str, needle: &str) -> Option<String> {
        // Fingerprints are hex digits: safe as an argument, and never empty.
        if needle.is_empty() || !needle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.added
            .entry((file.to_owned(), needle.to_owned()))
            .or_insert_with(|| {
                let args = [
                    "log",
                    "-1",
                    "--format=%H",
                    &format!("-S{needle}"),
                    "--",
                    file,
                ];
                Self::git(dir, &args).filter(|c| !c.is_empty())
            })
            .clone()
    }

    /// Requirement `id` in revision `commit`, if its fingerprint there is `fp`.
    fn read(&mut self, dir: &Path, commit: &str, id: &str, fp: &str) -> Option<Signed> {
        let loaded = self.revisions.entry(commit.to_owned()).or_insert_with(|| {
            let tmp = tempfile::tempdir().ok()?;
            crate::diff::extract_revision(dir, commit, tmp.path()).ok()?;
            crate::load::load(tmp.path()).ok()
        });
        let old = loaded.as_ref()?;
        let idx = old.project.get(id)?;
        (fingerprint::of(&old.project, &old.profile, idx) == fp).then(|| Signed::Found {
            revision: commit.chars().take(10).collect(),
            item: SignedItem::of(&old.project, &old.profile, idx),
        })
    }
}

impl SignedItem {
    /// The fingerprinted fields and the links of item `idx`.
    pub fn of(project: &Project, profile: &Profile, idx: ItemIdx) -> SignedItem {
        let item = project.item(idx);
        let mut fields = HashMap::new();
        for name in &profile.fingerprint_fields {
            let value = if name == "title" {
                item.title.clone()
            } else {
                profile
                    .field_index(name)
                    .and_then(|f| item.field(f))
                    .map(Value::display)
            };
            if let Some(v) = value {
                fields.insert(name.clone(), v);
            }
        }
        let mut links: Vec<(String, String)> = item
            .links
            .iter()
            .map(|l| {
                (
                    profile.field_name(l.field).to_owned(),
                    project.item(l.target).id.clone(),
                )
            })
            .collect();
        links.sort();
        links.dedup();
        SignedItem { fields, links }
    }
}
