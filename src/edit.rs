//! Editing the user's files: the only stage that writes them.
//!
//! Takes changes to items of a loaded project (a sign-off, stamps) and
//! applies them with a format-preserving TOML editor: comments, order,
//! spacing and every other table stay as they were, only the named fields
//! change. Each file is written atomically, and only if it still holds what
//! was loaded: a file changed on disk since is left alone. Commands that
//! write take the project's write lock ([`lock_project`]) before they load,
//! so two of them never work on the same files at once.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use toml_edit::{DocumentMut, Item as TomlItem, Table, TableLike, value};
use toml_writer::{WriteTomlKey as _, WriteTomlValue as _};

use crate::atomic::{ReplaceError, Seen, replace_unchanged};
use crate::model::{FileIdx, ItemIdx, Project};
use crate::profile::Profile;

/// One change to one item's table.
#[derive(Clone, Debug)]
pub enum Change {
    /// Sets `field = "text"`.
    SetString { field: String, text: String },
    /// Sets `field = YYYY-MM-DD`.
    SetDate { field: String, date: Date },
    /// Replaces `field` with dotted keys `field.ID = "fingerprint"`, one per id.
    SetFingerprints {
        field: String,
        entries: Vec<(String, String)>,
    },
    /// Sets `field` to a value of any type (where it stands, or at the end).
    Set { field: String, value: EditValue },
    /// Removes `field` (and the comment on its line) if it is there.
    Remove { field: String },
}

/// A value to write into an item's table.
#[derive(Clone, Debug, PartialEq)]
pub enum EditValue {
    String(String),
    Strings(Vec<String>),
    Date(Date),
    Bool(bool),
    Integer(i64),
    Float(f64),
    /// A TOML date-time as written (`2026-02-15T00:00:00+08:00`); text that
    /// is not one is written as a string.
    Datetime(String),
    /// An inline table of values, for an `attributes` field.
    Table(Vec<(String, EditValue)>),
}

impl EditValue {
    /// The value as `needtrail` reads it back from the file (what an
    /// `attributes` table holds in the model).
    pub fn display(&self) -> String {
        match self {
            EditValue::String(s) | EditValue::Datetime(s) => s.clone(),
            EditValue::Strings(v) => v.join(", "),
            EditValue::Date(d) => d.to_string(),
            EditValue::Bool(b) => b.to_string(),
            EditValue::Integer(i) => i.to_string(),
            EditValue::Float(f) => f.to_string(),
            EditValue::Table(t) => t
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.display()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn to_toml(&self) -> toml_edit::Value {
        match self {
            EditValue::String(s) => string_value(s),
            EditValue::Strings(v) => {
                let mut a = toml_edit::Array::new();
                for s in v {
                    a.push(string_value(s));
                }
                toml_edit::Value::Array(a)
            }
            EditValue::Date(d) => toml_edit::Value::from(toml_date(*d)),
            EditValue::Bool(b) => (*b).into(),
            EditValue::Integer(i) => (*i).into(),
            EditValue::Float(f) => (*f).into(),
            EditValue::Datetime(s) => match s.parse::<toml_edit::Datetime>() {
                Ok(d) => toml_edit::Value::from(d),
                Err(_) => string_value(s),
            },
            EditValue::Table(entries) => {
                let mut t = toml_edit::InlineTable::new();
                for (k, v) in entries {
                    match bom_key(k) {
                        Some(key) => t.insert_formatted(&key, v.to_toml()),
                        None => t.insert(k, v.to_toml()),
                    };
                }
                toml_edit::Value::InlineTable(t)
            }
        }
    }
}

/// A string as a TOML value. The byte-order mark (U+FEFF, which text
/// pasted from a web page or a document can hold) is written escaped,
/// `\uFEFF`: needtrail refuses it raw anywhere but at the start of a file
/// (`misplaced-bom`), and toml_edit would write it raw.
fn string_value(s: &str) -> toml_edit::Value {
    if !s.contains('\u{feff}') {
        return s.into();
    }
    let builder = toml_writer::TomlStringBuilder::new(s);
    let mut text = String::new();
    // Basic strings, the kind that reads escapes.
    let written = if s.contains('\n') {
        builder.as_ml_basic().write_toml_value(&mut text)
    } else {
        builder.as_basic().write_toml_value(&mut text)
    };
    written
        .ok()
        .and_then(|()| text.replace('\u{feff}', "\\uFEFF").parse().ok())
        .unwrap_or_else(|| s.into())
}

/// A table key holding U+FEFF, written escaped (see [`string_value`]);
/// `None` for any other key, which toml_edit writes as it does.
fn bom_key(k: &str) -> Option<toml_edit::Key> {
    if !k.contains('\u{feff}') {
        return None;
    }
    let mut text = String::new();
    toml_writer::TomlKeyBuilder::new(k)
        .as_basic()
        .write_toml_key(&mut text)
        .ok()?;
    let mut keys = toml_edit::Key::parse(&text.replace('\u{feff}', "\\uFEFF")).ok()?;
    (keys.len() == 1).then(|| keys.remove(0))
}

fn toml_date(date: Date) -> toml_edit::Datetime {
    toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: date.year,
            month: date.month,
            day: date.day,
        }),
        time: None,
        offset: None,
    }
}

impl Change {
    /// The field the change sets.
    pub fn field(&self) -> &str {
        match self {
            Change::SetString { field, .. }
            | Change::SetDate { field, .. }
            | Change::SetFingerprints { field, .. }
            | Change::Set { field, .. }
            | Change::Remove { field } => field,
        }
    }
}

pub use crate::calendar::Date;

/// Why an edit was not written.
#[derive(Debug)]
pub enum EditError {
    /// The file changed on disk after it was read; nothing was written to it.
    ChangedOnDisk(String),
    /// The item's table could not be found in the file as it is now.
    NotFound(String),
    /// Reading, parsing or writing failed; the original is intact.
    Io(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::ChangedOnDisk(p) => write!(
                f,
                "{p} changed on disk after needtrail read it; nothing was written to it. Run the command again"
            ),
            EditError::NotFound(m) | EditError::Io(m) => f.write_str(m),
        }
    }
}

/// Applies changes to items, file by file. Files are put in place in path
/// order; the first file that cannot be written stops the run, and the
/// files already written stay written (each one whole). The new texts are
/// made, and written beside their files, on every core, each file parsed
/// and written out once; only putting them in place goes one file after
/// another.
pub fn apply(
    root: &Path,
    project: &Project,
    profile: &Profile,
    changes: Vec<(ItemIdx, Vec<Change>)>,
) -> Result<Vec<String>, EditError> {
    use rayon::prelude::*;
    let mut by_file: BTreeMap<FileIdx, Vec<(ItemIdx, Vec<Change>)>> = BTreeMap::new();
    for (idx, c) in changes {
        by_file
            .entry(project.item(idx).span.file)
            .or_default()
            .push((idx, c));
    }
    let cannot_write = |rel: &str, e: std::io::Error| {
        EditError::Io(format!("cannot write {rel}: {e}; the file is unchanged"))
    };
    let staged: Vec<_> = by_file
        .into_par_iter()
        .map(|(file, edits)| {
            let source = &project.files[file as usize];
            let rel = source.path.as_str();
            let path = root.join(rel);
            let seen =
                Seen::read(&path).map_err(|e| EditError::Io(format!("cannot read {rel}: {e}")))?;
            let text = edit_text(seen.bytes(), rel, &source.text, project, profile, &edits)?;
            let staged =
                crate::atomic::stage(&path, text.as_bytes()).map_err(|e| cannot_write(rel, e))?;
            Ok((rel, seen, staged))
        })
        .collect();
    let mut written = Vec::new();
    for file in staged {
        let (rel, seen, staged) = file?;
        // Put in place only if it still holds what was read, checked right
        // before the rename: a save made meanwhile is never written over.
        match staged.replace_unchanged(&seen) {
            Ok(()) => {}
            Err(ReplaceError::Changed) => {
                return Err(EditError::ChangedOnDisk(rel.to_owned()));
            }
            Err(ReplaceError::Io(e)) => return Err(cannot_write(rel, e)),
        }
        written.push(rel.to_owned());
    }
    Ok(written)
}

/// The lock file that commands writing to a project hold while they run.
pub const LOCK_FILE: &str = ".needtrail.lock";

/// The project's write lock, held until it is dropped; the lock file is
/// removed then, so a project holds it only while a command writes.
#[derive(Debug)]
pub struct ProjectLock {
    held: Option<(fs::File, std::path::PathBuf)>,
}

impl ProjectLock {
    /// No lock: for a folder that is not a project, where nothing will be written.
    pub fn none() -> ProjectLock {
        ProjectLock { held: None }
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        if let Some((file, path)) = self.held.take() {
            // Removed while still locked: a command waiting on this file
            // finds, once it has the lock, that the file is gone, and
            // takes a new one (see `lock_project`).
            #[cfg(unix)]
            let _ = fs::remove_file(&path);
            let _ = path;
            drop(file);
        }
    }
}

/// Takes the project's write lock ([`LOCK_FILE`] in `root`, an advisory
/// lock the system drops when the process ends, however it ends), waiting
/// up to `wait` while another needtrail holds it. Take it before loading
/// the files that will be edited. Where the file system cannot lock, the
/// check before each rename still protects the files.
pub fn lock_project(root: &Path, wait: std::time::Duration) -> Result<ProjectLock, EditError> {
    let path = root.join(LOCK_FILE);
    let started = std::time::Instant::now();
    loop {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| EditError::Io(format!("cannot create {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) if same_file(&file, &path) => {
                return Ok(ProjectLock {
                    held: Some((file, path)),
                });
            }
            // The holder removed the file as it finished: lock a new one.
            Ok(()) => continue,
            Err(fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(ProjectLock::none());
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(EditError::Io(format!(
                    "cannot lock {}: {e}; nothing was written",
                    path.display()
                )));
            }
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(EditError::Io(format!(
                    "another needtrail is writing to this project (it holds {}); nothing was written. Run the command again when it has finished",
                    path.display()
                )));
            }
        }
    }
}

/// Whether `file` is the one `path` names now.
fn same_file(file: &fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// The new text of one file, after checking it still holds what was loaded.
fn edit_text(
    bytes: &[u8],
    rel: &str,
    loaded: &str,
    project: &Project,
    profile: &Profile,
    edits: &[(ItemIdx, Vec<Change>)],
) -> Result<String, EditError> {
    let (bom, mut doc) = read_checked(bytes, rel, loaded)?;
    let mut cache = Places::default();
    for (idx, changes) in edits {
        let mut table = item_table(&mut doc, project, profile, *idx, &mut cache)
            .ok_or_else(|| not_found(project, profile, *idx, rel))?;
        for change in changes {
            apply_change(&mut table, change);
        }
    }
    Ok(finish_text(&doc, loaded, bom))
}

fn not_found(project: &Project, profile: &Profile, idx: ItemIdx, rel: &str) -> EditError {
    let item = project.item(idx);
    let kind = &profile.kind(item.kind).name;
    EditError::NotFound(match item.parent {
        Some(p) => format!("cannot find the {kind} of {} in {rel}", project.item(p).id),
        None => format!(
            "cannot find the [[{kind}]] with id \"{}\" in {rel}",
            item.id
        ),
    })
}

/// The file parsed for editing, after checking it still holds what was
/// loaded; and whether it starts with a byte-order mark.
fn read_checked(bytes: &[u8], rel: &str, loaded: &str) -> Result<(bool, DocumentMut), EditError> {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if body != loaded.as_bytes() {
        return Err(EditError::ChangedOnDisk(rel.to_owned()));
    }
    let doc: DocumentMut = loaded
        .parse()
        .map_err(|e| EditError::Io(format!("cannot parse {rel}: {e}")))?;
    Ok((bom, doc))
}

/// The document as text, in the line endings and with the byte-order mark
/// of the file it was loaded from.
fn finish_text(doc: &DocumentMut, loaded: &str, bom: bool) -> String {
    let mut text = doc.to_string();
    // Lines added by the editor end in `\n`; a file written with CRLF line
    // endings throughout keeps them.
    if loaded.contains("\r\n") && !loaded.replace("\r\n", "").contains('\n') {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    text
}

/// Where an item's table stands in its document: the index in its kind's
/// array, and for a sub-item also the index in its parent's array of the
/// sub-kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    kind: String,
    index: usize,
    sub: Option<(String, usize)>,
}

/// What holds an array of item tables: an item of a table, or a value
/// of an inline table.
enum Holder<'d> {
    Item(&'d mut TomlItem),
    Value(&'d mut toml_edit::Value),
}

fn inline_tables(values: &mut toml_edit::Array) -> Vec<ItemTable<'_>> {
    values
        .iter_mut()
        .filter_map(|v| v.as_inline_table_mut())
        .map(ItemTable::Inline)
        .collect()
}

fn tables_of(holder: Holder<'_>) -> Vec<ItemTable<'_>> {
    let inline = inline_tables;
    match holder {
        Holder::Item(TomlItem::ArrayOfTables(tables)) => {
            tables.iter_mut().map(ItemTable::Table).collect()
        }
        Holder::Item(TomlItem::Value(toml_edit::Value::Array(values)))
        | Holder::Value(toml_edit::Value::Array(values)) => inline(values),
        _ => Vec::new(),
    }
}

impl<'d> ItemTable<'d> {
    fn id(&self) -> Option<&str> {
        match self {
            ItemTable::Table(t) => t.get("id").and_then(|v| v.as_str()),
            ItemTable::Inline(t) => t.get("id").and_then(|v| v.as_str()),
        }
    }

    fn into_sub(self, key: &str) -> Option<Holder<'d>> {
        match self {
            ItemTable::Table(t) => t.get_mut(key).map(Holder::Item),
            ItemTable::Inline(t) => t.get_mut(key).map(Holder::Value),
        }
    }
}

/// The table at index `n` of an array of item tables.
fn nth_table(holder: Holder<'_>, n: usize) -> Option<ItemTable<'_>> {
    match holder {
        Holder::Item(TomlItem::ArrayOfTables(tables)) => tables.get_mut(n).map(ItemTable::Table),
        Holder::Item(TomlItem::Value(toml_edit::Value::Array(values)))
        | Holder::Value(toml_edit::Value::Array(values)) => values
            .get_mut(n)
            .and_then(|v| v.as_inline_table_mut())
            .map(ItemTable::Inline),
        _ => None,
    }
}

/// Where the items of one document stand, worked out once: looking each
/// item up anew would read the whole array for every item edited.
#[derive(Default)]
struct Places {
    /// Kind → id → index in the kind's array, as the document was loaded.
    index: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, usize>>,
    /// Each sub-item's rank among its parent's sub-items of its kind.
    ranks: Option<HashMap<ItemIdx, usize>>,
}

/// The place of an item's table in `doc`.
fn place(
    doc: &mut DocumentMut,
    project: &Project,
    profile: &Profile,
    idx: ItemIdx,
    cache: &mut Places,
) -> Option<Place> {
    let item = project.item(idx);
    let (top, sub) = match item.parent {
        Some(p) => {
            let ranks = cache.ranks.get_or_insert_with(|| {
                let mut count: HashMap<(ItemIdx, crate::model::KindIdx), usize> = HashMap::new();
                let mut ranks = HashMap::new();
                for (i, it) in project.items.iter().enumerate() {
                    if let Some(p) = it.parent {
                        let c = count.entry((p, it.kind)).or_default();
                        ranks.insert(ItemIdx(i as u32), *c);
                        *c += 1;
                    }
                }
                ranks
            });
            (p, Some((profile.kind(item.kind).name.clone(), ranks[&idx])))
        }
        None => (idx, None),
    };
    let kind = &profile.kind(project.item(top).kind).name;
    let index = top_index(doc, kind, &project.item(top).id, cache)?;
    let place = Place {
        kind: kind.clone(),
        index,
        sub,
    };
    table_at(doc, &place)?;
    Some(place)
}

/// The index of the table with `id` in the array of `kind` tables, as the
/// document was loaded.
fn top_index(doc: &mut DocumentMut, kind: &str, id: &str, cache: &mut Places) -> Option<usize> {
    if !cache.index.contains_key(kind) {
        let mut ids = rustc_hash::FxHashMap::default();
        if let Some(holder) = doc.get_mut(kind) {
            for (i, t) in tables_of(Holder::Item(holder)).iter().enumerate() {
                if let Some(id) = t.id() {
                    ids.entry(id.to_owned()).or_insert(i);
                }
            }
        }
        cache.index.insert(kind.to_owned(), ids);
    }
    cache.index.get(kind)?.get(id).copied()
}

fn table_at<'d>(doc: &'d mut DocumentMut, place: &Place) -> Option<ItemTable<'d>> {
    let top = nth_table(Holder::Item(doc.get_mut(&place.kind)?), place.index)?;
    match &place.sub {
        None => Some(top),
        Some((sub, rank)) => nth_table(top.into_sub(sub)?, *rank),
    }
}

fn item_table<'d>(
    doc: &'d mut DocumentMut,
    project: &Project,
    profile: &Profile,
    idx: ItemIdx,
    cache: &mut Places,
) -> Option<ItemTable<'d>> {
    let item = project.item(idx);
    if item.parent.is_none() {
        // An item of its own table, looked up once (no place is kept).
        let kind = &profile.kind(item.kind).name;
        let index = top_index(doc, kind, &item.id, cache)?;
        return nth_table(Holder::Item(doc.get_mut(kind)?), index);
    }
    let place = place(doc, project, profile, idx, cache)?;
    table_at(doc, &place)
}

/// An array of item tables: a kind's, or (parent index, sub-kind) within it.
type ArrayKey = (String, Option<(usize, String)>);

/// Removes the tables at `places` (each with its sub-items): every array
/// is filtered once, however many of its tables go.
fn remove_all(doc: &mut DocumentMut, places: &[Place]) {
    // Array → the indices to remove from it.
    let mut groups: BTreeMap<ArrayKey, std::collections::HashSet<usize>> = BTreeMap::new();
    for p in places {
        let (key, index) = match &p.sub {
            None => ((p.kind.clone(), None), p.index),
            Some((sub, rank)) => ((p.kind.clone(), Some((p.index, sub.clone()))), *rank),
        };
        groups.entry(key).or_default().insert(index);
    }
    // A sub-item whose parent goes anyway needs no removal of its own.
    let whole: std::collections::HashSet<(String, usize)> = places
        .iter()
        .filter(|p| p.sub.is_none())
        .map(|p| (p.kind.clone(), p.index))
        .collect();
    let retain = |holder: Holder<'_>, gone: &std::collections::HashSet<usize>| {
        let mut i = 0;
        let mut keep = |_: &dyn std::any::Any| {
            let k = !gone.contains(&i);
            i += 1;
            k
        };
        match holder {
            Holder::Item(TomlItem::ArrayOfTables(tables)) => {
                tables.retain(|t| keep(t));
                tables.is_empty()
            }
            Holder::Item(TomlItem::Value(toml_edit::Value::Array(values)))
            | Holder::Value(toml_edit::Value::Array(values)) => {
                // The new first element takes the place of the old one.
                let prefix = values.get(0).and_then(|v| v.decor().prefix().cloned());
                values.retain(|v| keep(v));
                if gone.contains(&0)
                    && let (Some(first), Some(prefix)) = (values.get_mut(0), prefix)
                {
                    first.decor_mut().set_prefix(prefix);
                }
                values.is_empty()
            }
            _ => false,
        }
    };
    // Sub-items first: their parents' indices still hold.
    for ((kind, sub), gone) in groups.iter().rev() {
        match sub {
            Some((parent, sub)) => {
                if whole.contains(&(kind.clone(), *parent)) {
                    continue;
                }
                if let Some(top) = doc.get_mut(kind)
                    && let Some(p) = nth_table(Holder::Item(top), *parent)
                    && let Some(holder) = p.into_sub(sub)
                {
                    retain(holder, gone);
                }
            }
            None => {
                if let Some(top) = doc.get_mut(kind)
                    && retain(Holder::Item(top), gone)
                {
                    doc.remove(kind);
                }
            }
        }
    }
}

/// An item to add: its kind, the file it goes to, its parent for a
/// sub-item, and its fields in the order they are written (`id` and
/// `title` among them when it has them).
#[derive(Clone, Debug)]
pub struct NewItem {
    pub kind: String,
    pub file: String,
    pub parent: Option<NewParent>,
    pub fields: Vec<(String, EditValue)>,
}

/// The parent of a new sub-item: an item of the project, or an item added
/// by the same plan (its index in [`Plan::additions`], which must come
/// earlier).
#[derive(Clone, Copy, Debug)]
pub enum NewParent {
    Existing(ItemIdx),
    Added(usize),
}

/// Everything one run does to the files: changes to items, items removed
/// (with their sub-items), items added.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<(ItemIdx, Vec<Change>)>,
    pub removals: Vec<ItemIdx>,
    pub additions: Vec<NewItem>,
    /// The comment a new file starts with (without `# `), if any.
    pub new_file_comment: Option<String>,
}

/// The text of a file after a plan.
#[derive(Clone, Debug)]
pub struct NewText {
    pub path: String,
    pub text: String,
    /// The file does not exist yet.
    pub created: bool,
    /// What an existing file held when it was read: it is replaced only if
    /// it still holds that.
    seen: Option<std::sync::Arc<Seen>>,
}

/// What a plan makes of the files, without writing anything: the new text
/// of every file whose text changes, in path order. Fails if a file
/// changed on disk since it was loaded, or an item's table cannot be found.
pub fn plan_texts(
    root: &Path,
    project: &Project,
    profile: &Profile,
    plan: &Plan,
) -> Result<Vec<NewText>, EditError> {
    // Per file: changes, removals, additions (as indices into the plan).
    #[derive(Default)]
    struct PerFile {
        changes: Vec<usize>,
        removals: Vec<ItemIdx>,
        additions: Vec<usize>,
    }
    let by_path: HashMap<&str, FileIdx> = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i as FileIdx))
        .collect();
    let mut files: BTreeMap<String, PerFile> = BTreeMap::new();
    let path_of = |idx: ItemIdx| {
        project.files[project.item(idx).span.file as usize]
            .path
            .clone()
    };
    for (i, (idx, _)) in plan.changes.iter().enumerate() {
        files.entry(path_of(*idx)).or_default().changes.push(i);
    }
    for idx in &plan.removals {
        files.entry(path_of(*idx)).or_default().removals.push(*idx);
    }
    // A new sub-item goes to the file of its parent.
    let mut add_file: Vec<String> = Vec::with_capacity(plan.additions.len());
    for (i, add) in plan.additions.iter().enumerate() {
        let file = match add.parent {
            Some(NewParent::Existing(p)) => path_of(p),
            Some(NewParent::Added(j)) => add_file[j].clone(),
            None => add.file.clone(),
        };
        files.entry(file.clone()).or_default().additions.push(i);
        add_file.push(file);
    }
    let mut out = Vec::new();
    for (path, per) in files {
        let full = root.join(&path);
        if !by_path.contains_key(path.as_str())
            && let Some(text) = new_file_text(plan, &per.additions)
        {
            if full.exists() {
                return Err(EditError::Io(format!(
                    "{path} exists but is not one of the project's item files; choose another file for new items"
                )));
            }
            out.push(NewText {
                path,
                text,
                created: true,
                seen: None,
            });
            continue;
        }
        let (loaded, bom, mut doc, seen) = match by_path.get(path.as_str()) {
            Some(f) => {
                let loaded = project.files[*f as usize].text.as_str();
                let seen = Seen::read(&full)
                    .map_err(|e| EditError::Io(format!("cannot read {path}: {e}")))?;
                let (bom, doc) = read_checked(seen.bytes(), &path, loaded)?;
                (loaded, bom, doc, Some(std::sync::Arc::new(seen)))
            }
            None => {
                if full.exists() {
                    return Err(EditError::Io(format!(
                        "{path} exists but is not one of the project's item files; choose another file for new items"
                    )));
                }
                let mut doc = DocumentMut::new();
                if let Some(c) = &plan.new_file_comment {
                    let lines: String = c.lines().map(|l| format!("# {l}\n")).collect();
                    doc.decor_mut().set_prefix(lines);
                }
                ("", false, doc, None)
            }
        };
        let created = seen.is_none();
        // Places first, while the document is as loaded.
        let mut cache = Places::default();
        let mut removals = Vec::new();
        for idx in &per.removals {
            removals.push(
                place(&mut doc, project, profile, *idx, &mut cache)
                    .ok_or_else(|| not_found(project, profile, *idx, &path))?,
            );
        }
        for i in &per.changes {
            let (idx, changes) = &plan.changes[*i];
            let mut table = item_table(&mut doc, project, profile, *idx, &mut cache)
                .ok_or_else(|| not_found(project, profile, *idx, &path))?;
            for change in changes {
                apply_change(&mut table, change);
            }
        }
        // Where each addition went, for its own sub-items.
        let mut added_at: HashMap<usize, Place> = HashMap::new();
        for i in &per.additions {
            let add = &plan.additions[*i];
            let parent = match add.parent {
                None => None,
                Some(NewParent::Existing(p)) => Some(
                    place(&mut doc, project, profile, p, &mut cache)
                        .ok_or_else(|| not_found(project, profile, p, &path))?,
                ),
                Some(NewParent::Added(j)) => added_at.get(&j).cloned(),
            };
            let place = push_table(&mut doc, parent.as_ref(), &add.kind, new_table(add));
            added_at.insert(*i, place);
        }
        remove_all(&mut doc, &removals);
        let text = finish_text(&doc, loaded, bom);
        if created || text != loaded {
            out.push(NewText {
                path,
                text,
                created,
                seen,
            });
        }
    }
    Ok(out)
}

/// The table of a new item, its fields in order.
fn new_table(add: &NewItem) -> Table {
    let mut table = Table::new();
    for (k, v) in &add.fields {
        table.insert(k, TomlItem::Value(v.to_toml()));
    }
    table
}

/// The text of a file the plan creates, which holds only new items (the
/// `additions`, indices into the plan), without holding the whole file as
/// one document: toml_edit takes some 2.5 kB a table, a quarter of a
/// gigabyte for 100k new items. Each top-level item is laid out with its
/// new sub-items in a document of its own and the texts are joined, which
/// gives what one document of them all gives (the test
/// `a_new_file_is_written_as_one_document_would_be` holds this): toml_edit
/// writes a new document's tables kind by kind in the order the kinds
/// first come, each kind's tables in the order they were added, each
/// sub-table after its parent, every table header but the first after a
/// blank line. `None` when some addition's parent is not among them
/// (it cannot be: a parent in the project has its file already), or
/// when there are none.
fn new_file_text(plan: &Plan, additions: &[usize]) -> Option<String> {
    // Each addition's top-level item, and the top-level items by kind.
    let mut root_of: HashMap<usize, usize> = HashMap::with_capacity(additions.len());
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut kinds: Vec<(&str, Vec<usize>)> = Vec::new();
    for &i in additions {
        let add = &plan.additions[i];
        let root = match add.parent {
            None => {
                match kinds.iter_mut().find(|(k, _)| *k == add.kind) {
                    Some((_, roots)) => roots.push(i),
                    None => kinds.push((&add.kind, vec![i])),
                }
                i
            }
            Some(NewParent::Added(j)) => *root_of.get(&j)?,
            Some(NewParent::Existing(_)) => return None,
        };
        root_of.insert(i, root);
        if root != i {
            members.entry(root).or_default().push(i);
        }
    }
    if kinds.is_empty() {
        return None;
    }
    // The top-level items in the order they are written; rendered a block
    // at a time on every core, joined in order.
    let order: Vec<(&str, usize)> = kinds
        .iter()
        .flat_map(|(kind, roots)| roots.iter().map(move |&r| (*kind, r)))
        .collect();
    const BLOCK: usize = 1024;
    let blocks: Vec<String> = order
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let mut text = String::new();
            for (n, &(kind, r)) in block.iter().enumerate() {
                let first = b == 0 && n == 0;
                let mut doc = DocumentMut::new();
                if first && let Some(c) = &plan.new_file_comment {
                    let lines: String = c.lines().map(|l| format!("# {l}\n")).collect();
                    doc.decor_mut().set_prefix(lines);
                }
                let mut added_at: HashMap<usize, Place> = HashMap::new();
                let place = push_table(&mut doc, None, kind, new_table(&plan.additions[r]));
                added_at.insert(r, place);
                for &i in members.get(&r).map_or(&[][..], Vec::as_slice) {
                    let add = &plan.additions[i];
                    let Some(NewParent::Added(j)) = add.parent else {
                        unreachable!("a member has a new parent");
                    };
                    let parent = added_at.get(&j).cloned();
                    let place = push_table(&mut doc, parent.as_ref(), &add.kind, new_table(add));
                    added_at.insert(i, place);
                }
                if !first {
                    text.push('\n');
                }
                let _ = write!(text, "{doc}");
            }
            text
        })
        .collect();
    Some(blocks.concat())
}

/// Adds a table of `kind` at the end of its array (in the parent's table
/// for a sub-item), and gives its place.
fn push_table(doc: &mut DocumentMut, parent: Option<&Place>, kind: &str, table: Table) -> Place {
    fn push(holder: &mut dyn TableLike, kind: &str, table: Table) -> usize {
        match holder.get_mut(kind) {
            Some(TomlItem::ArrayOfTables(tables)) => {
                tables.push(table);
                tables.len() - 1
            }
            Some(TomlItem::Value(toml_edit::Value::Array(values))) => {
                values.push(table.into_inline_table());
                values.len() - 1
            }
            _ => {
                let mut tables = toml_edit::ArrayOfTables::new();
                tables.push(table);
                holder.insert(kind, TomlItem::ArrayOfTables(tables));
                0
            }
        }
    }
    match parent {
        None => {
            let index = push(doc.as_table_mut(), kind, table);
            Place {
                kind: kind.to_owned(),
                index,
                sub: None,
            }
        }
        Some(p) => {
            let mut at = table_at(doc, p).expect("the parent was found");
            let rank = match &mut at {
                ItemTable::Table(t) => push(&mut **t, kind, table),
                ItemTable::Inline(t) => push(&mut **t, kind, table),
            };
            Place {
                kind: p.kind.clone(),
                index: p.index,
                sub: Some((kind.to_owned(), rank)),
            }
        }
    }
}

/// Writes the texts [`plan_texts`] made, each file atomically (new files
/// with their folders). The first file that cannot be written stops the
/// run; files already written stay written, each one whole.
pub fn write_texts(root: &Path, texts: &[NewText]) -> Result<Vec<String>, EditError> {
    // A folder on the way that is a symbolic link would take a new file
    // outside the project: refused before anything is written.
    for t in texts.iter().filter(|t| t.seen.is_none()) {
        if let Some(link) = linked_folder(root, &t.path) {
            return Err(EditError::Io(format!(
                "cannot write {}: `{link}` is a symbolic link, and needtrail writes only inside the project folder; nothing was written (name a file in a folder of the project itself)",
                t.path
            )));
        }
    }
    let mut written = Vec::new();
    for t in texts {
        let path = root.join(&t.path);
        let result = match &t.seen {
            None => path
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|_| crate::atomic::write_new(&path, t.text.as_bytes()))
                .map_err(ReplaceError::Io),
            // Replaced only if it still holds what was read, checked right
            // before the rename: a save made meanwhile is never written over.
            Some(seen) => replace_unchanged(&path, t.text.as_bytes(), seen),
        };
        match result {
            Ok(()) => {}
            Err(ReplaceError::Changed) => return Err(EditError::ChangedOnDisk(t.path.clone())),
            Err(ReplaceError::Io(e)) => {
                return Err(EditError::Io(format!(
                    "cannot write {}: {e}; the file is unchanged",
                    t.path
                )));
            }
        }
        written.push(t.path.clone());
    }
    Ok(written)
}

/// The first folder of `rel` (a path under `root`, written with `/`)
/// that is a symbolic link, if one is.
fn linked_folder(root: &Path, rel: &str) -> Option<String> {
    let mut at = root.to_path_buf();
    let mut shown = String::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        at.push(part);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(part);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Some(shown),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// An item's table in the document: a `[[kind]]` table, or an inline
/// table in an array written `kind = [{ ... }]`.
enum ItemTable<'d> {
    Table(&'d mut Table),
    Inline(&'d mut toml_edit::InlineTable),
}

/// The `[[kind]]` table (or inline table) with `id`, for tests.
#[cfg(test)]
fn find_table<'d>(doc: &'d mut DocumentMut, kind: &str, id: &str) -> Option<ItemTable<'d>> {
    let has_id = |t: &dyn TableLike| t.get("id").and_then(|v| v.as_str()) == Some(id);
    match doc.get_mut(kind)? {
        TomlItem::ArrayOfTables(tables) => {
            tables.iter_mut().find(|t| has_id(*t)).map(ItemTable::Table)
        }
        TomlItem::Value(toml_edit::Value::Array(values)) => values
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut())
            .find(|t| has_id(*t))
            .map(ItemTable::Inline),
        _ => None,
    }
}

fn apply_change(table: &mut ItemTable<'_>, change: &Change) {
    let v = match change {
        Change::SetString { text, .. } => value(text.as_str()),
        Change::SetDate { date, .. } => value(toml_date(*date)),
        Change::Set { value: v, .. } => TomlItem::Value(v.to_toml()),
        Change::Remove { field } => {
            match table {
                ItemTable::Table(t) => {
                    t.remove(field);
                }
                ItemTable::Inline(t) => {
                    t.remove(field);
                }
            }
            return;
        }
        Change::SetFingerprints { field, entries } => {
            // Dotted keys in a `[[kind]]` table, unless the field is written
            // as an inline table there; always an inline table in an
            // inline item.
            let inline = match table {
                ItemTable::Table(t) => t.get(field).is_some_and(|i| i.as_inline_table().is_some()),
                ItemTable::Inline(_) => true,
            };
            if inline {
                let mut t = toml_edit::InlineTable::new();
                for (id, fp) in entries {
                    t.insert(id, fp.as_str().into());
                }
                value(t)
            } else {
                let mut sub = Table::new();
                sub.set_dotted(true);
                for (id, fp) in entries {
                    sub.insert(id, value(fp.as_str()));
                }
                TomlItem::Table(sub)
            }
        }
    };
    let field = change.field();
    match table {
        ItemTable::Table(t) => set(&mut **t, field, v),
        ItemTable::Inline(t) => {
            // A key added at the end takes over the space before the
            // closing brace from the value that was last.
            let suffix = if t.contains_key(field) {
                None
            } else {
                t.iter_mut().last().and_then(|(_, last)| {
                    let decor = last.decor_mut();
                    let suffix = decor.suffix().cloned();
                    decor.set_suffix("");
                    suffix
                })
            };
            set(&mut **t, field, v);
            if let (Some(suffix), Some(new)) = (suffix, t.get_mut(field)) {
                new.decor_mut().set_suffix(suffix);
            }
        }
    }
}

/// Sets a value where the key stands if it is already there (keeping the
/// spacing and comments around a plain value), else at the end.
fn set(table: &mut dyn TableLike, field: &str, v: TomlItem) {
    match table.get_mut(field) {
        Some(existing) if existing.is_value() && v.is_value() => {
            let decor = existing.as_value().map(|x| x.decor().clone());
            *existing = v;
            if let (Some(decor), Some(val)) = (decor, existing.as_value_mut()) {
                *val.decor_mut() = decor;
            }
        }
        Some(existing) => *existing = v,
        None => {
            table.insert(field, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_as_one_document_would_be() {
        let s = |t: &str| EditValue::String(t.into());
        let item = |kind: &str, parent: Option<usize>, fields: Vec<(&str, EditValue)>| NewItem {
            kind: kind.into(),
            file: "new.toml".into(),
            parent: parent.map(NewParent::Added),
            fields: fields.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        };
        let additions = vec![
            item(
                "requirement",
                None,
                vec![
                    ("id", s("REQ-1")),
                    ("title", s("窗 \"A\"\nsecond line")),
                    ("tags", EditValue::Strings(vec!["a".into(), "b".into()])),
                    ("due", EditValue::Date(Date::parse("2026-03-05").unwrap())),
                ],
            ),
            item(
                "review",
                None,
                vec![("id", s("R-1")), ("held", EditValue::Bool(true))],
            ),
            item(
                "decision",
                Some(1),
                vec![("requirement", s("REQ-1")), ("verdict", s("accepted"))],
            ),
            item(
                "requirement",
                None,
                vec![
                    ("id", s("REQ-2")),
                    ("weight", EditValue::Float(1.5)),
                    ("count", EditValue::Integer(3)),
                    (
                        "attributes",
                        EditValue::Table(vec![
                            ("Owner".into(), s("QA")),
                            (
                                "at".into(),
                                EditValue::Datetime("2026-02-15T00:00:00+08:00".into()),
                            ),
                        ]),
                    ),
                ],
            ),
            item("decision", Some(1), vec![("requirement", s("REQ-2"))]),
            item("review", None, vec![("id", s("R-2"))]),
        ];
        for comment in [
            None,
            Some("Imported from a sheet.\nRe-import to update.".to_owned()),
        ] {
            let plan = Plan {
                additions: additions.clone(),
                new_file_comment: comment.clone(),
                ..Plan::default()
            };
            // All of them in one document, as an existing file takes them.
            let mut doc = DocumentMut::new();
            if let Some(c) = &comment {
                let lines: String = c.lines().map(|l| format!("# {l}\n")).collect();
                doc.decor_mut().set_prefix(lines);
            }
            let mut added_at: HashMap<usize, Place> = HashMap::new();
            for (i, add) in plan.additions.iter().enumerate() {
                let parent = match add.parent {
                    Some(NewParent::Added(j)) => added_at.get(&j).cloned(),
                    _ => None,
                };
                let place = push_table(&mut doc, parent.as_ref(), &add.kind, new_table(add));
                added_at.insert(i, place);
            }
            let whole = finish_text(&doc, "", false);
            let all: Vec<usize> = (0..plan.additions.len()).collect();
            let text = new_file_text(&plan, &all).unwrap();
            assert_eq!(text, whole);
            assert!(text.contains("[[review.decision]]"), "{text}");
            text.parse::<DocumentMut>().unwrap();
        }
        // Enough items to be laid out in several blocks, kinds taking turns.
        let plan = Plan {
            additions: (0..2500)
                .map(|n| {
                    let kind = if n % 3 == 0 { "review" } else { "requirement" };
                    item(kind, None, vec![("id", s(&format!("X-{n}")))])
                })
                .collect(),
            new_file_comment: Some("Imported".into()),
            ..Plan::default()
        };
        let mut doc = DocumentMut::new();
        doc.decor_mut().set_prefix("# Imported\n");
        for add in &plan.additions {
            push_table(&mut doc, None, &add.kind, new_table(add));
        }
        let all: Vec<usize> = (0..plan.additions.len()).collect();
        assert_eq!(
            new_file_text(&plan, &all).unwrap(),
            finish_text(&doc, "", false)
        );
    }

    #[test]
    fn changes_keep_everything_else_byte_for_byte() {
        let text = "# Reviews of contract C-1\n[[review]]\nid = \"R-1\"   # first\ntitle = \"Review\"\n\n[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"accepted\"\n\n[[review]]\nid = \"R-2\"\ntitle = \"Other\"\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let mut t = find_table(&mut doc, "review", "R-1").unwrap();
        apply_change(
            &mut t,
            &Change::SetString {
                field: "signed_by".into(),
                text: "王工".into(),
            },
        );
        apply_change(
            &mut t,
            &Change::SetFingerprints {
                field: "signed_fingerprints".into(),
                entries: vec![("REQ-1".into(), "0123456789abcdef".into())],
            },
        );
        let out = doc.to_string();
        assert_eq!(
            out,
            "# Reviews of contract C-1\n[[review]]\nid = \"R-1\"   # first\ntitle = \"Review\"\nsigned_by = \"王工\"\nsigned_fingerprints.REQ-1 = \"0123456789abcdef\"\n\n[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"accepted\"\n\n[[review]]\nid = \"R-2\"\ntitle = \"Other\"\n"
        );
    }

    #[test]
    fn signing_again_replaces_the_fingerprints_where_they_stand() {
        let resign = |text: &str| {
            let mut doc: DocumentMut = text.parse().unwrap();
            let mut t = find_table(&mut doc, "review", "R-1").unwrap();
            apply_change(
                &mut t,
                &Change::SetFingerprints {
                    field: "signed_fingerprints".into(),
                    entries: vec![
                        ("REQ-1".into(), "new1".into()),
                        ("REQ-2".into(), "new2".into()),
                    ],
                },
            );
            doc.to_string()
        };
        assert_eq!(
            resign(
                "[[review]]\nid = \"R-1\"\nsigned_by = \"王工\"\nsigned_fingerprints.REQ-1 = \"old1\"\nsigned_on = 2026-01-05\nnote = \"ok\"\n"
            ),
            "[[review]]\nid = \"R-1\"\nsigned_by = \"王工\"\nsigned_fingerprints.REQ-1 = \"new1\"\nsigned_fingerprints.REQ-2 = \"new2\"\nsigned_on = 2026-01-05\nnote = \"ok\"\n"
        );
        assert_eq!(
            resign(
                "[[review]]\nid = \"R-1\"\nsigned_fingerprints = { REQ-1 = \"old1\" }\nsigned_on = 2026-01-05\n"
            ),
            "[[review]]\nid = \"R-1\"\nsigned_fingerprints = { REQ-1 = \"new1\", REQ-2 = \"new2\" }\nsigned_on = 2026-01-05\n"
        );
    }

    #[test]
    fn removals_take_sub_items_and_inline_items_and_leave_the_rest() {
        let text = "requirement = [{ id = \"X\" }, { id = \"Y\" }]\n[[review]]\nid = \"R-1\"\n\n[[review.decision]]\nrequirement = \"A\"\n\n[[review.decision]]\nrequirement = \"B\"\n\n[[review.decision]]\nrequirement = \"C\"\n\n[[review]]\nid = \"R-2\"\n\n[[review.decision]]\nrequirement = \"D\"\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let place = |kind: &str, index: usize, sub: Option<usize>| Place {
            kind: kind.into(),
            index,
            sub: sub.map(|r| ("decision".to_owned(), r)),
        };
        remove_all(
            &mut doc,
            &[
                place("review", 0, Some(0)),
                place("review", 0, Some(2)),
                place("review", 1, None),
                place("review", 1, Some(0)),
                place("requirement", 0, None),
            ],
        );
        assert_eq!(
            doc.to_string(),
            "requirement = [{ id = \"Y\" }]\n[[review]]\nid = \"R-1\"\n\n[[review.decision]]\nrequirement = \"B\"\n"
        );
    }

    #[test]
    fn items_written_inline_are_edited_in_place() {
        let text = "review = [\n  { id = \"R-0\", title = \"Other\" },\n  { id = \"R-1\", title = \"Review\", signed_fingerprints = { REQ-1 = \"old\" } },\n]\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let mut t = find_table(&mut doc, "review", "R-1").unwrap();
        for change in [
            Change::SetString {
                field: "signed_by".into(),
                text: "王工".into(),
            },
            Change::SetFingerprints {
                field: "signed_fingerprints".into(),
                entries: vec![("REQ-1".into(), "new".into())],
            },
        ] {
            apply_change(&mut t, &change);
        }
        assert_eq!(
            doc.to_string(),
            "review = [\n  { id = \"R-0\", title = \"Other\" },\n  { id = \"R-1\", title = \"Review\", signed_fingerprints = { REQ-1 = \"new\" }, signed_by = \"王工\" },\n]\n"
        );
        assert!(find_table(&mut doc, "review", "R-9").is_none());
    }

    /// Files are made on every core but put in place in path order: a file
    /// changed on disk stops the run there, the files before it are
    /// written, those after it are left as they were, and no temporary
    /// file is left behind.
    #[test]
    fn a_file_changed_on_disk_stops_the_run_at_it_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("needtrail.toml"), "").unwrap();
        let names = ["a.toml", "b.toml", "c.toml", "d.toml"];
        for (n, name) in names.iter().enumerate() {
            fs::write(
                root.join(name),
                format!("[[requirement]]\nid = \"R-{n}\"\ntitle = \"Requirement {n}\"\nclass = \"stated\"\n"),
            )
            .unwrap();
        }
        let loaded = crate::load::load(root).unwrap();
        let (project, profile) = (&loaded.project, &loaded.profile);
        let before: Vec<String> = names
            .iter()
            .map(|n| fs::read_to_string(root.join(n)).unwrap())
            .collect();
        let saved = format!("{}# saved meanwhile\n", before[2]);
        fs::write(root.join("c.toml"), &saved).unwrap();
        let changes = (0..names.len())
            .map(|n| {
                let idx = project.get(&format!("R-{n}")).unwrap();
                let change = Change::SetString {
                    field: "owner".into(),
                    text: "王工".into(),
                };
                (idx, vec![change])
            })
            .collect();
        let err = apply(root, project, profile, changes).unwrap_err();
        assert!(
            matches!(&err, EditError::ChangedOnDisk(p) if p == "c.toml"),
            "{err}"
        );
        let now: Vec<String> = names
            .iter()
            .map(|n| fs::read_to_string(root.join(n)).unwrap())
            .collect();
        for n in [0, 1] {
            assert_eq!(now[n], format!("{}owner = \"王工\"\n", before[n]));
        }
        assert_eq!(now[2], saved);
        assert_eq!(now[3], before[3]);
        let left: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
