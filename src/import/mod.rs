//! Importing records from other tools' files: the stage before load that
//! writes the project's TOML.
//!
//! Each source (a spreadsheet read through a mapping, JUnit results, and
//! other interchange formats) turns its file into a [`Batch`]: plain
//! [`Record`]s, each with a kind, an id (or, for a sub-item such as a
//! review's decision, its parent's id and a key field), the fields the
//! source fills, the file a new item goes to and an origin for messages.
//! [`apply`] does the rest, the same for every source:
//!
//! 1. loads the project (the ordinary loader) and matches each record to
//!    an item by id across the whole project; a sub-item is matched by its
//!    parent and the value of its key field (a decision by its review and
//!    its `requirement`);
//! 2. converts every value to the type the profile gives the field (dates
//!    written `2026-3-5`, `2026/3/5` or `2026年3月5日`, numbers, yes/no,
//!    lists, links) and checks it: the field exists on the kind, an enum
//!    value is allowed, a link names an item of an allowed kind that exists
//!    or is imported in the same batch. Any problem stops the import before
//!    anything is written, each problem named with its origin;
//! 3. updates an existing item in place, only in the fields the source
//!    fills (a field filled with nothing is removed; a field the source
//!    marks `only_new` is given to new items only), adds new items (at the
//!    end of the record's file, which is created if needed; a sub-item in
//!    its parent's table), and never duplicates an item;
//! 4. reports as `removed` every item the import *owns* that the source no
//!    longer has. Owned are: the top-level items of each [`Scope`] (a kind,
//!    a file, an id prefix): items of that kind written in that file whose
//!    id starts with the prefix; and the sub-items of each kind in
//!    [`Batch::sub_scopes`] under a parent the batch names. Owned items are
//!    kept unless [`Options::prune`], which deletes them (and lists them as
//!    `pruned`); an item that something else still links to is not pruned
//!    but reported as an error;
//! 5. writes each changed file through the format-preserving writer of
//!    [`crate::edit`] (atomic; a file changed on disk since it was read is
//!    not overwritten), unless [`Options::dry_run`]. A file whose text would
//!    not change is not written, so importing the same source twice writes
//!    nothing the second time.
//!
//! The outcome is a [`Summary`]; its JSON shape is fixed (see
//! [`Summary::to_json`]).
//!
//! The sources: [`mapping`] (a `[import.NAME]` mapping in needtrail.toml)
//! reads a [`sheet`] (`.xlsx`, `.xls`, `.ods`, `.csv`); [`junit`] reads
//! test results. [`command`] picks the importer for `needtrail import NAME`
//! and reports its outcome. An importer that has loaded the project itself
//! (to match names against ids) hands it to [`apply_loaded`].

pub mod command;
pub mod config;
pub mod doorstop;
pub mod junit;
pub mod mapping;
pub mod reqif;
pub mod sheet;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::calendar::Date;
use crate::diag::suggest;
use crate::edit::{self, Change, EditError, EditValue, NewItem, NewParent, Plan};
use crate::load::{self, LoadError};
use crate::model::{ItemIdx, KindIdx, Project, Value};
use crate::profile::{FieldType, Profile};

/// A value as the source gives it; [`apply`] converts it to the field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceValue {
    /// The source holds nothing for this field: it is removed from an
    /// existing item, and left out of a new one.
    Empty,
    /// Text, converted to the field's type: a date, a number, yes/no, an
    /// enum value, a list (split at `,` `;` `、` `，` `；` and line breaks),
    /// one id or several.
    Text(String),
    /// A list of texts, for a `strings` or `links` field.
    List(Vec<String>),
    Date(Date),
    Number(f64),
    Bool(bool),
    /// Typed values by name, for an `attributes` field.
    Table(Vec<(String, EditValue)>),
}

/// One field a record fills.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceField {
    /// The field's name in the profile (`title` too).
    pub name: String,
    pub value: SourceValue,
    /// Where the value stands in the source, for messages (a cell such as
    /// `C7`); `None` when the record's origin says enough.
    pub at: Option<String>,
    /// Given to new items only; an existing item keeps what it has.
    pub only_new: bool,
}

impl SourceField {
    pub fn new(name: impl Into<String>, value: SourceValue) -> SourceField {
        SourceField {
            name: name.into(),
            value,
            at: None,
            only_new: false,
        }
    }

    pub fn at(mut self, at: impl Into<String>) -> SourceField {
        self.at = Some(at.into());
        self
    }
}

/// A sub-item's parent and the field that tells it from its siblings.
#[derive(Clone, Debug, PartialEq)]
pub struct ParentKey {
    /// The parent's id (an item of the project or a record of the batch).
    pub id: String,
    /// The field whose value is the sub-item's key, e.g. `requirement`: it
    /// must be among the record's fields.
    pub key: String,
}

/// One incoming item.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The kind's name in the profile.
    pub kind: String,
    /// The item's id; empty for a sub-item (matched by [`Record::parent`]).
    pub id: String,
    /// The fields the source fills, in the order a new item writes them.
    pub fields: Vec<SourceField>,
    /// Project-relative path (with `/`) of the file a new top-level item
    /// goes to. A new sub-item goes to its parent's file.
    pub file: String,
    /// Where the record comes from, for messages, e.g.
    /// `review.xlsx, sheet 评审表, row 7`.
    pub origin: String,
    pub parent: Option<ParentKey>,
}

/// Top-level items a batch owns: of `kind`, written in `file`, with an id
/// starting with `id_prefix` (empty: every id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scope {
    pub kind: String,
    pub file: String,
    pub id_prefix: String,
    /// When set, a link field and a suffix: only the id made of exactly
    /// `id_prefix`, the id of an item of the project (or of the item it
    /// links to through the field), and the suffix is owned. A JUnit results file `pytest.xml` owns
    /// `TEST-pytest-DI-004`, not `TEST-pytest-unit-DI-004` of
    /// `pytest-unit.xml`.
    pub linked: Option<(String, String)>,
}

impl Scope {
    /// Whether the scope owns `item` (of its kind, in its file).
    fn owns(&self, project: &Project, profile: &Profile, item: &crate::model::Item) -> bool {
        let Some(rest) = item.id.strip_prefix(&self.id_prefix) else {
            return false;
        };
        let Some((field, suffix)) = &self.linked else {
            return true;
        };
        let Some(middle) = rest.strip_suffix(suffix.as_str()) else {
            return false;
        };
        // The id names an item of the project (`unit-DI-004`, of a file
        // named like this one, names none), or the item its link names.
        project.get(middle).is_some()
            || profile
                .field_index(field)
                .is_some_and(|f| item.links_in(f).any(|t| project.item(t).id == middle))
    }
}

/// Everything one source gives.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub records: Vec<Record>,
    /// What the batch owns at the top level (see the module doc).
    pub scopes: Vec<Scope>,
    /// Sub-kinds owned under every parent the batch names.
    pub sub_scopes: Vec<String>,
    /// The comment a file created by the import starts with.
    pub new_file_comment: Option<String>,
    /// Problems found reading the source (a cell not in a value map, a
    /// formula's error): reported together with those found checking the
    /// records, and nothing is written while there are any.
    pub problems: Vec<Problem>,
    /// What the user should know of how the source was read (where a
    /// sheet's table was taken to end), shown with the summary.
    pub notes: Vec<String>,
}

/// How [`apply`] runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Work everything out and report it, but write nothing.
    pub dry_run: bool,
    /// Delete owned items the source no longer has.
    pub prune: bool,
}

/// An item whose fields changed, and which.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Changed {
    pub id: String,
    pub fields: Vec<String>,
}

/// What an import did (or, with `--dry-run`, would do). Ids of sub-items
/// read `PARENT/KEY`, e.g. `REV-002/REQ-008`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub added: Vec<String>,
    pub changed: Vec<Changed>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    pub pruned: Vec<String>,
    pub files: Vec<String>,
    /// Only from `import junit`, and only when there are any: tests that
    /// name no item, as `FILE: CLASS.NAME`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<String>,
}

impl Summary {
    /// `{"added": [ids], "changed": [{"id": ID, "fields": [names]}],
    /// "unchanged": N, "removed": [ids], "pruned": [ids], "files": [paths]}`,
    /// pretty-printed, with a final line break.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serialisable");
        s.push('\n');
        s
    }

    /// The summary for a person.
    pub fn to_text(&self, dry_run: bool) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        // Long lists are cut: the JSON summary has them whole.
        let list = |ids: &[String]| {
            const SHOWN: usize = 30;
            let mut s = ids
                .iter()
                .take(SHOWN)
                .map(|i| safe(i))
                .collect::<Vec<_>>()
                .join(", ");
            if ids.len() > SHOWN {
                s.push_str(&format!(
                    " … and {} more (--format json lists them all)",
                    ids.len() - SHOWN
                ));
            }
            s
        };
        if !self.added.is_empty() {
            let _ = writeln!(out, "added     {}: {}", self.added.len(), list(&self.added));
        }
        for c in self.changed.iter().take(200) {
            let _ = writeln!(
                out,
                "changed   {} ({})",
                safe(&c.id),
                safe(&c.fields.join(", "))
            );
        }
        if self.changed.len() > 200 {
            let _ = writeln!(
                out,
                "changed   … and {} more (--format json lists them all)",
                self.changed.len() - 200
            );
        }
        if !self.unmatched.is_empty() {
            let _ = writeln!(
                out,
                "unmatched {} (tests that name no item: no `verifies` property, no item id in the name): {}",
                self.unmatched.len(),
                list(&self.unmatched)
            );
        }
        if !self.removed.is_empty() {
            let _ = writeln!(
                out,
                "removed   {} no longer in the source, kept (add --prune to delete): {}",
                self.removed.len(),
                list(&self.removed)
            );
        }
        if !self.pruned.is_empty() {
            let _ = writeln!(
                out,
                "pruned    {}: {}",
                self.pruned.len(),
                list(&self.pruned)
            );
        }
        let _ = writeln!(
            out,
            "{} added, {} changed, {} unchanged, {} removed, {} pruned.",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.removed.len(),
            self.pruned.len()
        );
        let verb = if dry_run { "would write" } else { "wrote" };
        if self.files.is_empty() {
            let _ = writeln!(
                out,
                "Nothing to write: the project already holds what the source says."
            );
        } else {
            let _ = writeln!(
                out,
                "{}{verb} {}",
                if dry_run {
                    "Dry run, nothing written; "
                } else {
                    ""
                },
                list(&self.files)
            );
        }
        out
    }
}

/// One thing wrong with the source, the mapping or what they would make.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// Where: a file and place in it (a cell, a line).
    pub origin: String,
    pub message: String,
    /// How to put it right; `null` in JSON when there is nothing to add.
    pub help: Option<String>,
}

impl Problem {
    pub fn new(origin: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            origin: origin.into(),
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// `error: ORIGIN: MESSAGE` and the help on its own line.
    pub fn render(&self) -> String {
        let mut s = format!("error: {}: {}\n", safe(&self.origin), safe(&self.message));
        if let Some(h) = &self.help {
            s.push_str(&format!("  = help: {}\n", safe(h)));
        }
        s
    }
}

/// Why an import wrote nothing (or, for [`ImportError::Write`], stopped).
#[derive(Debug)]
pub enum ImportError {
    /// The project does not load.
    Load(LoadError),
    /// The source, the mapping or the result is wrong: every problem found.
    Problems(Vec<Problem>),
    /// A file could not be written (or changed on disk meanwhile).
    Write(EditError),
}

impl From<Vec<Problem>> for ImportError {
    fn from(p: Vec<Problem>) -> Self {
        ImportError::Problems(p)
    }
}

/// Text from a source, fit for a terminal: control characters (which
/// could move the cursor or recolour the screen) are shown escaped.
pub fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A value converted to its field's type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Typed {
    Empty,
    Value(EditValue),
    Links(Vec<String>),
}

/// The separators a list in one cell may use.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '、', '，', '；', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// needtrail.toml as a source file, for messages with lines and columns.
pub fn read_config(dir: &Path) -> Result<crate::model::SourceFile, ImportError> {
    let path = dir.join(load::CONFIG_FILE);
    let text =
        std::fs::read_to_string(&path).map_err(|e| {
            ImportError::Problems(
                vec![Problem::new(
            path.display().to_string(),
            format!("cannot read the project's configuration: {e}"),
        )
        .help("give the project folder, the one that holds needtrail.toml, as the last argument")],
            )
        })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(crate::model::SourceFile::new(
        load::CONFIG_FILE.to_owned(),
        text,
    ))
}

/// Parses a date as people write it (see [`Date::parse_written`]).
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse_written(s)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "对" | "√" | "✓" | "x" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "不" | "×" | "✗" => Some(false),
        _ => None,
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace([',', ' '], "");
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Formats a float as TOML would read back the same number.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// Converts a source value to a field's type, or says what was expected.
pub(crate) fn convert(ty: FieldType, allowed: &[String], v: &SourceValue) -> Result<Typed, String> {
    let text = match v {
        SourceValue::Empty => return Ok(Typed::Empty),
        SourceValue::Text(t) if t.trim().is_empty() => return Ok(Typed::Empty),
        SourceValue::List(l) if l.is_empty() => return Ok(Typed::Empty),
        SourceValue::Text(t) => t.trim().to_owned(),
        SourceValue::List(l) => l.join(", "),
        SourceValue::Date(d) => d.to_string(),
        SourceValue::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }
        }
        SourceValue::Bool(b) => b.to_string(),
        SourceValue::Table(t) if t.is_empty() => return Ok(Typed::Empty),
        SourceValue::Table(t) => {
            return if ty == FieldType::Attributes {
                Ok(Typed::Value(EditValue::Table(t.clone())))
            } else {
                Err("a table of values fits only an `attributes` field".into())
            };
        }
    };
    let list = || match v {
        SourceValue::List(l) => l
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => split_list(&text),
    };
    Ok(match ty {
        FieldType::String => Typed::Value(EditValue::String(text)),
        FieldType::Strings => Typed::Value(EditValue::Strings(list())),
        FieldType::Date => match v {
            SourceValue::Date(d) => Typed::Value(EditValue::Date(*d)),
            // A spreadsheet date whose cell is not formatted as a date
            // reads as its serial number (days since 1899-12-30).
            SourceValue::Number(n) if (20_000.0..80_000.0).contains(n) => {
                Typed::Value(EditValue::Date(Date::from_days(n.floor() as i64 - 25_569)))
            }
            _ => Typed::Value(EditValue::Date(parse_date(&text).ok_or_else(|| {
                format!("`{text}` is not a date; write e.g. 2026-03-05, 2026/3/5 or 2026年3月5日")
            })?)),
        },
        FieldType::Bool => match v {
            SourceValue::Bool(b) => Typed::Value(EditValue::Bool(*b)),
            _ => Typed::Value(EditValue::Bool(parse_bool(&text).ok_or_else(|| {
                format!("`{text}` is not yes or no; write true/false, yes/no or 是/否")
            })?)),
        },
        FieldType::Integer => {
            let f = match v {
                SourceValue::Number(n) => Some(*n),
                _ => parse_number(&text),
            };
            match f {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Typed::Value(EditValue::Integer(f as i64))
                }
                _ => {
                    return Err(format!(
                        "`{text}` is not a whole number; write one such as 3 (no decimals, no units)"
                    ));
                }
            }
        }
        FieldType::Number => match v {
            SourceValue::Number(n) => Typed::Value(EditValue::Float(*n)),
            _ => Typed::Value(EditValue::Float(parse_number(&text).ok_or_else(|| {
                format!("`{text}` is not a number; write one such as 3 or 2.5 (no units)")
            })?)),
        },
        FieldType::Enum => {
            if allowed.contains(&text) {
                Typed::Value(EditValue::String(text))
            } else {
                let hint = suggest(&text, allowed.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "`{text}` is not one of the allowed values; {hint}allowed: {} (a value map in the mapping turns the sheet's words into these)",
                    allowed.join(", ")
                ));
            }
        }
        FieldType::Link => {
            let ids = list();
            if ids.len() > 1 {
                return Err(format!(
                    "`{text}` names {} items, but this field links to one",
                    ids.len()
                ));
            }
            Typed::Links(ids)
        }
        FieldType::Links => Typed::Links(list()),
        FieldType::Fingerprints => {
            return Err("this field is written by needtrail itself (sign-off, stamps) and cannot be imported".into());
        }
        FieldType::Attributes => {
            return Err("an `attributes` field takes a table of named values".into());
        }
    })
}

/// An item's own value of a field (not one inherited from its parent),
/// as the typed value an import would give it.
fn current(project: &Project, profile: &Profile, idx: ItemIdx, field: &str) -> Typed {
    let item = project.item(idx);
    if field == "title" {
        return item
            .title
            .as_ref()
            .map_or(Typed::Empty, |t| Typed::Value(EditValue::String(t.clone())));
    }
    let Some(f) = profile.field_index(field) else {
        return Typed::Empty;
    };
    let Some(def) = profile.field_def(item.kind, f) else {
        return Typed::Empty;
    };
    if def.ty.is_link() {
        let ids: Vec<String> = item
            .links
            .iter()
            .filter(|l| l.field == f && !l.inherited)
            .map(|l| project.item(l.target).id.clone())
            .collect();
        return if ids.is_empty() {
            Typed::Empty
        } else {
            Typed::Links(ids)
        };
    }
    if item.field_span(f).is_none() {
        return Typed::Empty;
    }
    match item.field(f) {
        None => Typed::Empty,
        Some(Value::String(s)) => Typed::Value(EditValue::String(s.clone())),
        Some(Value::Strings(v)) => Typed::Value(EditValue::Strings(v.clone())),
        Some(Value::Bool(b)) => Typed::Value(EditValue::Bool(*b)),
        Some(Value::Integer(i)) => Typed::Value(EditValue::Integer(*i)),
        Some(Value::Float(x)) => Typed::Value(EditValue::Float(*x)),
        // A date written with a time is compared as text.
        Some(Value::Date(d)) => match Date::parse(d) {
            Some(d) => Typed::Value(EditValue::Date(d)),
            None => Typed::Value(EditValue::String(d.clone())),
        },
        Some(Value::Map(m)) if def.ty == FieldType::Attributes => Typed::Value(EditValue::Table(
            m.iter()
                .map(|(k, v)| (k.to_owned(), EditValue::String(v.to_owned())))
                .collect(),
        )),
        Some(Value::Map(_)) => Typed::Empty,
    }
}

/// The typed value as it is written to the file.
fn to_edit(ty: FieldType, t: &Typed) -> Option<EditValue> {
    into_edit(ty, t.clone())
}

/// [`to_edit`] of a value no longer needed.
fn into_edit(ty: FieldType, t: Typed) -> Option<EditValue> {
    match t {
        Typed::Empty => None,
        Typed::Value(v) => Some(v),
        Typed::Links(ids) if ty == FieldType::Link => ids.into_iter().next().map(EditValue::String),
        Typed::Links(ids) => Some(EditValue::Strings(ids)),
    }
}

/// How a record found its item.
#[derive(Clone, Copy, Debug)]
enum Match {
    Existing(ItemIdx),
    New,
}

/// A record, checked: its kind, its typed fields, and the item it matches.
struct Checked<'b> {
    record: &'b Record,
    kind: KindIdx,
    fields: Vec<(&'b SourceField, FieldType, Typed)>,
    matched: Match,
    /// The id it is reported by.
    label: String,
    /// For a sub-item: the parent's id.
    parent: Option<&'b str>,
}

/// Imports a batch into the project in `root` (see the module doc).
pub fn apply(root: &Path, batch: &Batch, options: Options) -> Result<Summary, ImportError> {
    let loaded = load::load(root).map_err(ImportError::Load)?;
    apply_loaded(root, &loaded, batch, options)
}

/// [`apply`] to a project the importer has already loaded from `root` (to
/// match names against its ids, say), so that it is not read twice.
pub fn apply_loaded(
    root: &Path,
    loaded: &load::Loaded,
    batch: &Batch,
    options: Options,
) -> Result<Summary, ImportError> {
    let (project, profile) = (&loaded.project, &loaded.profile);
    let mut problems = batch.problems.clone();

    // Ids the batch brings, with their kinds, for links between new items.
    let mut batch_ids: HashMap<&str, KindIdx> = HashMap::new();
    for r in &batch.records {
        if r.parent.is_none()
            && let Some(k) = profile.kind_index(&r.kind)
        {
            batch_ids.entry(r.id.as_str()).or_insert(k);
        }
    }

    // Existing sub-items under the parents the batch names, by key.
    let mut sub_kinds: HashSet<KindIdx> = HashSet::new();
    let mut parents: HashSet<&str> = HashSet::new();
    for r in &batch.records {
        if let Some(p) = &r.parent {
            parents.insert(p.id.as_str());
            if let Some(k) = profile.kind_index(&r.kind) {
                sub_kinds.insert(k);
            }
        }
    }
    for s in &batch.sub_scopes {
        if let Some(k) = profile.kind_index(s) {
            sub_kinds.insert(k);
        }
    }
    let key_of: HashMap<KindIdx, &str> = batch
        .records
        .iter()
        .filter_map(|r| {
            let p = r.parent.as_ref()?;
            Some((profile.kind_index(&r.kind)?, p.key.as_str()))
        })
        .collect();
    let parent_idx: HashSet<ItemIdx> = parents.iter().filter_map(|p| project.get(p)).collect();
    // (parent, kind, key) → sub-item; and every owned sub-item.
    let mut existing_subs: HashMap<(ItemIdx, KindIdx, String), ItemIdx> = HashMap::new();
    let mut owned_subs: Vec<ItemIdx> = Vec::new();
    if !parent_idx.is_empty() {
        for &k in &sub_kinds {
            let owned = batch
                .sub_scopes
                .iter()
                .any(|s| profile.kind_index(s) == Some(k));
            for &s in &project.by_kind[k as usize] {
                let item = project.item(s);
                let Some(p) = item.parent.filter(|p| parent_idx.contains(p)) else {
                    continue;
                };
                if owned {
                    owned_subs.push(s);
                }
                if let Some(key) = key_of.get(&k)
                    && let Some(kv) = key_text(&current(project, profile, s, key))
                {
                    existing_subs.entry((p, k, kv)).or_insert(s);
                }
            }
        }
    }

    // Check every record and find its item.
    let mut checked: Vec<Checked<'_>> = Vec::with_capacity(batch.records.len());
    // The records already checked, by id (top-level) and by label (sub-items).
    let mut seen_ids: HashMap<&str, &str> = HashMap::with_capacity(batch.records.len());
    let mut seen: HashMap<String, &str> = HashMap::new();
    for r in &batch.records {
        let Some(kind) = profile.kind_index(&r.kind) else {
            let names: Vec<&str> = profile.kinds.iter().map(|k| k.name.as_str()).collect();
            problems.push(
                Problem::new(&r.origin, format!("unknown kind `{}`", r.kind)).help(
                    match suggest(&r.kind, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("kinds are: {}", names.join(", ")),
                    },
                ),
            );
            continue;
        };
        let within = profile.kind(kind).within;
        match (&r.parent, within) {
            (None, Some(p)) => {
                problems.push(Problem::new(
                    &r.origin,
                    format!(
                        "a {} belongs inside a {}: give the {} it belongs to",
                        r.kind,
                        profile.kind(p).name,
                        profile.kind(p).name
                    ),
                ));
                continue;
            }
            (Some(_), None) => {
                problems.push(Problem::new(
                    &r.origin,
                    format!("a {} stands on its own; it has no parent item", r.kind),
                ));
                continue;
            }
            _ => {}
        }
        let mut fields = Vec::with_capacity(r.fields.len());
        let mut ok = true;
        for f in &r.fields {
            // Where the value stands, made only for a problem with it.
            let at = || match &f.at {
                Some(a) => format!("{}, {a}", r.origin),
                None => r.origin.clone(),
            };
            if f.name == "title" {
                match convert(FieldType::String, &[], &f.value) {
                    Ok(t) => fields.push((f, FieldType::String, t)),
                    Err(e) => {
                        problems.push(Problem::new(at(), e));
                        ok = false;
                    }
                }
                continue;
            }
            let def = profile
                .field_index(&f.name)
                .and_then(|i| profile.field_def(kind, i));
            let Some(def) = def.filter(|d| Some(d.name) != profile.parent_field(kind)) else {
                let names = profile.field_names_of(kind);
                problems.push(
                    Problem::new(at(), format!("a {} has no field `{}`", r.kind, f.name)).help(
                        match suggest(&f.name, names.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("fields of {} are: {}", r.kind, names.join(", ")),
                        },
                    ),
                );
                ok = false;
                continue;
            };
            match convert(def.ty, &def.values, &f.value) {
                Ok(t) => {
                    if let Typed::Links(ids) = &t {
                        for id in ids {
                            let target = project
                                .get(id)
                                .filter(|t| project.item(*t).parent.is_none())
                                .map(|t| project.item(t).kind)
                                .or_else(|| batch_ids.get(id.as_str()).copied());
                            let allowed: Vec<&str> = def
                                .to
                                .iter()
                                .map(|k| profile.kind(*k).name.as_str())
                                .collect();
                            match target {
                                None => {
                                    let hint =
                                        suggest(id, project.ids().chain(batch_ids.keys().copied()))
                                            .map(|s| format!("did you mean `{s}`? "))
                                            .unwrap_or_default();
                                    problems.push(
                                        Problem::new(
                                            at(),
                                            format!(
                                                "`{}` names `{id}`, but no item has that id",
                                                f.name
                                            ),
                                        )
                                        .help(format!(
                                            "{hint}add the {} first, or import it in the same file",
                                            allowed.join(" or ")
                                        )),
                                    );
                                    ok = false;
                                }
                                Some(k) if !def.to.contains(&k) => {
                                    problems.push(Problem::new(
                                        at(),
                                        format!(
                                            "`{}` names `{id}`, which is a {}, not a {}",
                                            f.name,
                                            profile.kind(k).name,
                                            allowed.join(" or ")
                                        ),
                                    ));
                                    ok = false;
                                }
                                Some(_) => {}
                            }
                        }
                    }
                    fields.push((f, def.ty, t));
                }
                Err(e) => {
                    problems.push(Problem::new(at(), format!("`{}`: {e}", f.name)));
                    ok = false;
                }
            }
        }
        // Find the item.
        let (matched, label, parent) = match &r.parent {
            None => {
                if r.id.trim().is_empty() {
                    problems.push(Problem::new(&r.origin, "the row gives no id").help(
                        "every record needs the key its id is made from; fill the key cell or leave the row out",
                    ));
                    continue;
                }
                // An id is one line: a line break or a control character
                // in it could not be linked to, nor read back the same.
                if r.id.chars().any(char::is_control) {
                    problems.push(
                        Problem::new(
                            &r.origin,
                            format!(
                                "the id `{}` holds a line break or a control character",
                                r.id.escape_debug()
                            ),
                        )
                        .help("an id is one line of text: correct the cell the id is made from"),
                    );
                    continue;
                }
                if let Some(prev) = seen_ids.insert(&r.id, &r.origin) {
                    problems.push(
                        Problem::new(&r.origin, format!("the id `{}` comes twice", r.id))
                            .help(format!("it is also made by {prev}; keys must be unique")),
                    );
                    continue;
                }
                let matched = match project.get(&r.id) {
                    Some(i) if project.item(i).parent.is_none() && project.item(i).kind == kind => {
                        Match::Existing(i)
                    }
                    Some(i) => {
                        let (file, line) = project.place(i);
                        problems.push(Problem::new(
                            &r.origin,
                            format!(
                                "`{}` is already a {} ({file}:{line}), so it cannot be imported as a {}",
                                r.id,
                                profile.kind(project.item(i).kind).name,
                                r.kind
                            ),
                        ));
                        continue;
                    }
                    None => Match::New,
                };
                (matched, r.id.clone(), None)
            }
            Some(pk) => {
                let key = fields
                    .iter()
                    .find(|(f, _, _)| f.name == pk.key)
                    .and_then(|(_, _, t)| key_text(t));
                let Some(key) = key else {
                    if ok {
                        problems.push(Problem::new(
                            &r.origin,
                            format!(
                                "the {} has no `{}`, which tells it from the others",
                                r.kind, pk.key
                            ),
                        ));
                    }
                    continue;
                };
                let label = format!("{}/{key}", pk.id);
                if let Some(prev) = seen.insert(label.clone(), &r.origin) {
                    problems.push(
                        Problem::new(&r.origin, format!("`{label}` comes twice"))
                            .help(format!("it is also made by {prev}")),
                    );
                    continue;
                }
                let parent_kind = within.expect("checked above");
                let parent = project.get(&pk.id);
                let matched = match parent {
                    Some(p)
                        if project.item(p).kind == parent_kind
                            && project.item(p).parent.is_none() =>
                    {
                        match existing_subs.get(&(p, kind, key)) {
                            Some(s) => Match::Existing(*s),
                            None => Match::New,
                        }
                    }
                    Some(p) => {
                        problems.push(Problem::new(
                            &r.origin,
                            format!(
                                "`{}` is a {}, not a {}",
                                pk.id,
                                profile.kind(project.item(p).kind).name,
                                profile.kind(parent_kind).name
                            ),
                        ));
                        continue;
                    }
                    None if batch_ids.get(pk.id.as_str()) == Some(&parent_kind) => Match::New,
                    None => {
                        problems.push(Problem::new(
                            &r.origin,
                            format!(
                                "no {} `{}` to put this {} in",
                                profile.kind(parent_kind).name,
                                pk.id,
                                r.kind
                            ),
                        ));
                        continue;
                    }
                };
                (matched, label, Some(pk.id.as_str()))
            }
        };
        if !ok {
            continue;
        }
        if let (Match::New, None) = (matched, &r.parent)
            && let Err(p) = check_new_file(&r.file, &r.origin)
        {
            problems.push(p);
            continue;
        }
        checked.push(Checked {
            record: r,
            kind,
            fields,
            matched,
            label,
            parent,
        });
    }
    if !problems.is_empty() {
        sort_problems(&mut problems);
        problems.dedup();
        return Err(ImportError::Problems(problems));
    }

    // What changes.
    let mut summary = Summary::default();
    let mut plan = Plan {
        new_file_comment: batch.new_file_comment.clone(),
        ..Plan::default()
    };
    let mut matched_items: HashSet<ItemIdx> = HashSet::new();
    let mut new_top: HashMap<&str, usize> = HashMap::new();
    // New top-level items first, so that new sub-items find their parents.
    // (The records are taken apart: their values move into the plan.)
    checked.sort_by_key(|c| c.parent.is_some());
    for c in checked {
        match c.matched {
            Match::Existing(idx) => {
                matched_items.insert(idx);
                let mut changes = Vec::new();
                let mut names = Vec::new();
                for (f, ty, t) in &c.fields {
                    if f.only_new {
                        continue;
                    }
                    let now = current(project, profile, idx, &f.name);
                    if same(&now, t) {
                        continue;
                    }
                    changes.push(match to_edit(*ty, t) {
                        Some(value) => Change::Set {
                            field: f.name.clone(),
                            value,
                        },
                        None => Change::Remove {
                            field: f.name.clone(),
                        },
                    });
                    names.push(f.name.clone());
                }
                if changes.is_empty() {
                    summary.unchanged += 1;
                } else {
                    plan.changes.push((idx, changes));
                    summary.changed.push(Changed {
                        id: c.label,
                        fields: names,
                    });
                }
            }
            Match::New => {
                let mut fields = Vec::with_capacity(c.fields.len() + 1);
                if c.parent.is_none() {
                    fields.push(("id".to_owned(), EditValue::String(c.record.id.clone())));
                }
                for (f, ty, t) in c.fields {
                    if let Some(v) = into_edit(ty, t) {
                        fields.push((f.name.clone(), v));
                    }
                }
                let parent = c.parent.map(|pid| match project.get(pid) {
                    Some(p) => NewParent::Existing(p),
                    None => NewParent::Added(new_top[pid]),
                });
                if c.parent.is_none() {
                    new_top.insert(c.record.id.as_str(), plan.additions.len());
                }
                plan.additions.push(NewItem {
                    kind: profile.kind(c.kind).name.clone(),
                    file: c.record.file.clone(),
                    parent,
                    fields,
                });
                summary.added.push(c.label);
            }
        }
    }

    // Owned items the source no longer has.
    let mut gone: Vec<ItemIdx> = Vec::new();
    for s in &batch.scopes {
        let Some(k) = profile.kind_index(&s.kind) else {
            continue;
        };
        for &i in &project.by_kind[k as usize] {
            let item = project.item(i);
            if item.parent.is_none()
                && project.files[item.span.file as usize].path == s.file
                && s.owns(project, profile, item)
                && !matched_items.contains(&i)
            {
                gone.push(i);
            }
        }
    }
    gone.extend(
        owned_subs
            .into_iter()
            .filter(|i| !matched_items.contains(i)),
    );
    gone.sort_unstable();
    gone.dedup();
    let label_of = |i: ItemIdx| -> String {
        let item = project.item(i);
        match item.parent {
            None => item.id.clone(),
            Some(p) => {
                let key = key_of
                    .get(&item.kind)
                    .and_then(|k| key_text(&current(project, profile, i, k)))
                    .unwrap_or_else(|| item.id.clone());
                format!("{}/{key}", project.item(p).id)
            }
        }
    };
    if options.prune && !gone.is_empty() {
        let pruned: HashSet<ItemIdx> = gone.iter().copied().collect();
        // A pruned parent takes its sub-items with it.
        let goes = |i: ItemIdx| {
            pruned.contains(&i) || project.item(i).parent.is_some_and(|p| pruned.contains(&p))
        };
        for (n, item) in project.items.iter().enumerate() {
            let i = ItemIdx(n as u32);
            if goes(i) {
                continue;
            }
            for l in &item.links {
                if !l.inherited && goes(l.target) {
                    let (file, line) = project.place(project.item(i).parent.unwrap_or(i));
                    problems.push(
                        Problem::new(
                            format!("{file}:{line}"),
                            format!(
                                "cannot prune `{}`: `{}` of {} links to it",
                                label_of(l.target),
                                profile.field_name(l.field),
                                project.reference(i)
                            ),
                        )
                        .help("remove or change that link first, or import without --prune"),
                    );
                }
            }
        }
        if !problems.is_empty() {
            sort_problems(&mut problems);
            problems.dedup();
            return Err(ImportError::Problems(problems));
        }
        summary.pruned = gone.iter().map(|i| label_of(*i)).collect();
        plan.removals = gone;
    } else {
        summary.removed = gone.iter().map(|i| label_of(*i)).collect();
    }

    let texts = edit::plan_texts(root, project, profile, &plan).map_err(ImportError::Write)?;
    summary.files = texts.iter().map(|t| t.path.clone()).collect();
    if !options.dry_run {
        edit::write_texts(root, &texts).map_err(ImportError::Write)?;
    }
    summary.added.sort();
    summary.changed.sort();
    summary.removed.sort();
    summary.pruned.sort();
    Ok(summary)
}

/// Sorts problems by place, numbers in it by value (row 9 before row 10),
/// and drops repeats.
fn sort_problems(problems: &mut Vec<Problem>) {
    fn key(s: &str) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut num: Option<u64> = None;
        for c in s.chars() {
            match (c.to_digit(10), num) {
                (Some(d), Some(n)) => num = Some(n.saturating_mul(10).saturating_add(d as u64)),
                (Some(d), None) => num = Some(d as u64),
                (None, Some(n)) => {
                    out.push((std::mem::take(&mut text), n));
                    num = None;
                    text.push(c);
                }
                (None, None) => text.push(c),
            }
        }
        out.push((text, num.unwrap_or(0)));
        out
    }
    problems.sort_by(|a, b| key(&a.origin).cmp(&key(&b.origin)).then_with(|| a.cmp(b)));
    problems.dedup();
}

/// The text a key field's value is matched by.
fn key_text(t: &Typed) -> Option<String> {
    match t {
        Typed::Empty => None,
        Typed::Links(ids) => ids.first().cloned(),
        Typed::Value(EditValue::String(s)) => Some(s.clone()),
        Typed::Value(v) => Some(format!("{v:?}")),
    }
}

/// Whether an item's value and an imported one are the same.
fn same(now: &Typed, new: &Typed) -> bool {
    match (now, new) {
        (Typed::Value(EditValue::Float(a)), Typed::Value(EditValue::Float(b))) => {
            a == b || number_text(*a) == number_text(*b)
        }
        (Typed::Value(EditValue::Float(a)), Typed::Value(EditValue::Integer(b)))
        | (Typed::Value(EditValue::Integer(b)), Typed::Value(EditValue::Float(a))) => {
            *a == *b as f64
        }
        // A table read back from the file holds each value as text.
        (Typed::Value(EditValue::Table(a)), Typed::Value(EditValue::Table(b))) => {
            let text = |t: &[(String, EditValue)]| {
                let mut v: Vec<(String, String)> =
                    t.iter().map(|(k, v)| (k.clone(), v.display())).collect();
                v.sort();
                v
            };
            text(a) == text(b)
        }
        // A text of several lines in a file with CRLF line endings (as a
        // Windows checkout has it) reads back with `\r\n` between its lines,
        // as a fingerprint reads it: the same text as with `\n`.
        (Typed::Value(EditValue::String(a)), Typed::Value(EditValue::String(b))) => {
            a == b || (a.contains('\r') || b.contains('\r')) && crlf_as_lf(a) == crlf_as_lf(b)
        }
        _ => now == new,
    }
}

/// `text` with each `\r\n` read as `\n`.
fn crlf_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

/// The project's files as TOML, each read the first time a value is
/// needed as written, with its type: an entry of an item's `attributes`
/// table written by hand, which an import keeps as it is.
pub(crate) struct WrittenValues(Vec<std::sync::OnceLock<HashMap<String, toml::Table>>>);

impl WrittenValues {
    pub(crate) fn new(loaded: &load::Loaded) -> WrittenValues {
        WrittenValues(
            loaded
                .project
                .files
                .iter()
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        )
    }

    /// The entry `name` of the table `field` of the top-level `item`, as
    /// its file holds it.
    pub(crate) fn value(
        &self,
        loaded: &load::Loaded,
        item: &crate::model::Item,
        field: &str,
        name: &str,
    ) -> Option<EditValue> {
        let file = item.span.file as usize;
        // The file's top-level items by id, made once.
        let items = self.0.get(file)?.get_or_init(|| {
            let doc = loaded.project.files[file]
                .text
                .parse::<toml::Table>()
                .unwrap_or_default();
            doc.into_iter()
                .filter_map(|(_, v)| match v {
                    toml::Value::Array(a) => Some(a),
                    _ => None,
                })
                .flatten()
                .filter_map(|v| match v {
                    toml::Value::Table(t) => Some(t),
                    _ => None,
                })
                .filter_map(|t| Some((t.get("id")?.as_str()?.to_owned(), t)))
                .collect()
        });
        Some(
            match items.get(&item.id)?.get(field)?.as_table()?.get(name)? {
                toml::Value::String(s) => EditValue::String(s.clone()),
                toml::Value::Integer(i) => EditValue::Integer(*i),
                toml::Value::Float(f) => EditValue::Float(*f),
                toml::Value::Boolean(b) => EditValue::Bool(*b),
                toml::Value::Datetime(d) => EditValue::Datetime(d.to_string()),
                toml::Value::Array(a) => EditValue::Strings(
                    a.iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<_>>()?,
                ),
                toml::Value::Table(_) => return None,
            },
        )
    }
}

/// A file new items may go to: inside the project, a `.toml` file, not
/// the configuration.
pub(crate) fn check_new_file(file: &str, origin: &str) -> Result<(), Problem> {
    let bad = file.is_empty()
        || file.starts_with('/')
        || file.contains('\\')
        || file
            .split('/')
            .any(|p| p.is_empty() || p == ".." || p == "." || p.starts_with('.'))
        || !file.ends_with(".toml")
        || file == load::CONFIG_FILE;
    if bad {
        return Err(Problem::new(
            origin,
            format!("new items cannot go to `{file}`"),
        )
        .help("give a `.toml` file inside the project folder, relative to it, e.g. `requirements/imported.toml` (not needtrail.toml, no `..`, no hidden folders)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("needtrail.toml"),
            "[project]\nname = \"t\"\n",
        )
        .unwrap();
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        dir
    }

    fn text(s: &str) -> SourceValue {
        SourceValue::Text(s.into())
    }

    fn req(id: &str, title: &str, verdict: &str) -> Vec<Record> {
        vec![
            Record {
                kind: "requirement".into(),
                id: id.into(),
                fields: vec![
                    SourceField::new("title", text(title)).at("C7"),
                    SourceField::new("class", text("stated")),
                    SourceField::new("contract", text("C-1")),
                ],
                file: "reqs/imported.toml".into(),
                origin: format!("sheet, row of {id}"),
                parent: None,
            },
            Record {
                kind: "decision".into(),
                id: String::new(),
                fields: vec![
                    SourceField::new("requirement", text(id)),
                    SourceField::new("verdict", text(verdict)),
                ],
                file: String::new(),
                origin: format!("sheet, row of {id}"),
                parent: Some(ParentKey {
                    id: "R-1".into(),
                    key: "requirement".into(),
                }),
            },
        ]
    }

    fn batch(rows: &[(&str, &str, &str)]) -> Batch {
        Batch {
            records: rows.iter().flat_map(|(i, t, v)| req(i, t, v)).collect(),
            scopes: vec![Scope {
                kind: "requirement".into(),
                file: "reqs/imported.toml".into(),
                id_prefix: String::new(),
                linked: None,
            }],
            sub_scopes: vec!["decision".into()],
            new_file_comment: Some("Imported".into()),
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    const CONTRACT: &str = "# Contract\n[[contract]]\nid = \"C-1\"\n\n[[review]]\nid = \"R-1\"   # kept\ncontract = \"C-1\"\ndate = 2026-01-05\n\n[[review.decision]]\nrequirement = \"REQ-9\"\nverdict = \"clarify\"\n\n[[requirement]]\nid = \"REQ-9\"\ntitle = \"Old\"\ncontract = \"C-1\"\n";

    #[test]
    fn keyed_import_adds_updates_reports_and_prunes_without_duplicates() {
        let dir = project(&[("contract.toml", CONTRACT)]);
        let root = dir.path();
        let b = batch(&[("REQ-1", "One", "accepted"), ("REQ-2", "Two", "clarify")]);
        let s = apply(root, &b, Options::default()).unwrap();
        assert_eq!(s.added, ["R-1/REQ-1", "R-1/REQ-2", "REQ-1", "REQ-2"]);
        assert_eq!(s.removed, ["R-1/REQ-9"]);
        assert_eq!(s.files, ["contract.toml", "reqs/imported.toml"]);
        let imported = std::fs::read_to_string(root.join("reqs/imported.toml")).unwrap();
        assert!(
            imported.starts_with("# Imported\n[[requirement]]\nid = \"REQ-1\"\ntitle = \"One\""),
            "{imported}"
        );
        let contract = std::fs::read_to_string(root.join("contract.toml")).unwrap();
        assert!(
            contract.starts_with(
                "# Contract\n[[contract]]\nid = \"C-1\"\n\n[[review]]\nid = \"R-1\"   # kept\n"
            ),
            "{contract}"
        );
        assert!(
            contract
                .contains("[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"accepted\"\n"),
            "{contract}"
        );
        crate::load::load(root).unwrap();

        // The same batch again: nothing changes, nothing is written.
        let again = apply(root, &b, Options::default()).unwrap();
        assert_eq!(again.unchanged, 4);
        assert!(again.added.is_empty() && again.changed.is_empty() && again.files.is_empty());

        // A revised source: one changed, one gone, one new.
        let b2 = batch(&[
            ("REQ-1", "One, revised", "accepted"),
            ("REQ-3", "Three", "rejected"),
        ]);
        let dry = apply(
            root,
            &b2,
            Options {
                dry_run: true,
                prune: true,
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("contract.toml")).unwrap(),
            contract
        );
        assert_eq!(dry.pruned, ["R-1/REQ-2", "R-1/REQ-9", "REQ-2"]);
        let s = apply(
            root,
            &b2,
            Options {
                dry_run: false,
                prune: true,
            },
        )
        .unwrap();
        assert_eq!(s, dry);
        assert_eq!(s.added, ["R-1/REQ-3", "REQ-3"]);
        assert_eq!(
            s.changed,
            [Changed {
                id: "REQ-1".into(),
                fields: vec!["title".into()]
            }]
        );
        let loaded = crate::load::load(root).unwrap();
        assert!(loaded.project.get("REQ-2").is_none());
        let decisions =
            loaded.project.by_kind[loaded.profile.kind_index("decision").unwrap() as usize].len();
        assert_eq!(decisions, 2);
        let again = apply(
            root,
            &b2,
            Options {
                dry_run: false,
                prune: true,
            },
        )
        .unwrap();
        assert!(again.files.is_empty(), "{again:?}");
    }

    #[test]
    fn an_item_something_links_to_is_not_pruned() {
        let dir = project(&[("contract.toml", CONTRACT)]);
        let root = dir.path();
        let b = batch(&[("REQ-1", "One", "accepted"), ("REQ-2", "Two", "accepted")]);
        apply(root, &b, Options::default()).unwrap();
        std::fs::write(
            root.join("design.toml"),
            "[[design_input]]\nid = \"DI-1\"\ntraces = [\"REQ-2\"]\n",
        )
        .unwrap();
        let before = std::fs::read_to_string(root.join("reqs/imported.toml")).unwrap();
        let b2 = batch(&[("REQ-1", "One", "accepted")]);
        let Err(ImportError::Problems(p)) = apply(
            root,
            &b2,
            Options {
                dry_run: false,
                prune: true,
            },
        ) else {
            panic!("expected a refusal");
        };
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].origin, "design.toml:1");
        assert!(
            p[0].message
                .contains("cannot prune `REQ-2`: `traces` of DI-1 links to it"),
            "{p:?}"
        );
        assert_eq!(
            std::fs::read_to_string(root.join("reqs/imported.toml")).unwrap(),
            before
        );
        // Without --prune it is only reported.
        let s = apply(root, &b2, Options::default()).unwrap();
        assert_eq!(s.removed, ["R-1/REQ-2", "R-1/REQ-9", "REQ-2"]);
    }

    #[test]
    fn bad_values_stop_the_import_and_name_their_place() {
        let dir = project(&[("contract.toml", CONTRACT)]);
        let before = std::fs::read_to_string(dir.path().join("contract.toml")).unwrap();
        let mut b = batch(&[("REQ-1", "One", "acepted")]);
        b.records[0]
            .fields
            .push(SourceField::new("contract", text("C-9")).at("B2"));
        b.records[0]
            .fields
            .push(SourceField::new("clas", text("x")));
        let Err(ImportError::Problems(p)) = apply(dir.path(), &b, Options::default()) else {
            panic!("expected problems");
        };
        let all: Vec<String> = p.iter().map(Problem::render).collect();
        let all = all.join("");
        assert!(all.contains("did you mean `accepted`"), "{all}");
        assert!(
            all.contains("sheet, row of REQ-1, B2: `contract` names `C-9`"),
            "{all}"
        );
        assert!(all.contains("did you mean `class`"), "{all}");
        assert!(!dir.path().join("reqs").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("contract.toml")).unwrap(),
            before
        );
    }

    #[test]
    fn dates_as_people_write_them() {
        let d = Date::parse("2026-03-05").unwrap();
        for s in [
            "2026-03-05",
            "2026-3-5",
            "2026/3/5",
            "2026.3.5",
            "2026年3月5日",
            "2026-03-05 00:00:00",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "3/5/2026",
            "2026-13-01",
            "2026年2月30日",
            "soon",
            "20260305",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn values_convert_to_the_field_type_or_say_what_was_expected() {
        let t = |s: &str| SourceValue::Text(s.into());
        assert_eq!(
            convert(FieldType::Strings, &[], &t("a、b; c\nd")).unwrap(),
            Typed::Value(EditValue::Strings(vec![
                "a".into(),
                "b".into(),
                "c".into(),
                "d".into()
            ]))
        );
        assert_eq!(
            convert(FieldType::Bool, &[], &t("否")).unwrap(),
            Typed::Value(EditValue::Bool(false))
        );
        assert_eq!(
            convert(FieldType::Number, &[], &t("1,200.5")).unwrap(),
            Typed::Value(EditValue::Float(1200.5))
        );
        assert_eq!(
            convert(FieldType::String, &[], &t("  ")).unwrap(),
            Typed::Empty
        );
        let allowed = vec!["accepted".to_owned(), "rejected".to_owned()];
        let e = convert(FieldType::Enum, &allowed, &t("acepted")).unwrap_err();
        assert!(e.contains("did you mean `accepted`"), "{e}");
        assert!(convert(FieldType::Link, &[], &t("A, B")).is_err());
        assert!(convert(FieldType::Date, &[], &t("next week")).is_err());
        assert_eq!(
            convert(FieldType::String, &[], &SourceValue::Number(12.0)).unwrap(),
            Typed::Value(EditValue::String("12".into()))
        );
    }
}
