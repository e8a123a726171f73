//! Editing the user's files: the only stage that writes them.
//!
//! Takes changes to items of a loaded project (a sign-off, stamps) and
//! applies them with a format-preserving TOML editor: comments, order,
//! spacing and every other table stay as they were, only the named fields
//! change. Each file is written atomically, and only if it still holds what
//! was loaded: a file changed on disk since is left alone. Commands that
//! write take the project's write lock ([`lock_project`]) before they load,
//! so two of them never work on the same files at once.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use toml_edit::{DocumentMut, Item as TomlItem, Table, TableLike, value};

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
}

impl Change {
    /// The field the change sets.
    pub fn field(&self) -> &str {
        match self {
            Change::SetString { field, .. }
            | Change::SetDate { field, .. }
            | Change::SetFingerprints { field, .. } => field,
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

/// Applies changes to items, file by file. Files are written in path
/// order; the first file that cannot be written stops the run, and the
/// files already written stay written (each one whole).
pub fn apply(
    root: &Path,
    project: &Project,
    profile: &Profile,
    changes: Vec<(ItemIdx, Vec<Change>)>,
) -> Result<Vec<String>, EditError> {
    let mut by_file: BTreeMap<FileIdx, Vec<(ItemIdx, Vec<Change>)>> = BTreeMap::new();
    for (idx, c) in changes {
        by_file
            .entry(project.item(idx).span.file)
            .or_default()
            .push((idx, c));
    }
    let mut written = Vec::new();
    for (file, edits) in by_file {
        let source = &project.files[file as usize];
        let path = root.join(&source.path);
        let seen = Seen::read(&path)
            .map_err(|e| EditError::Io(format!("cannot read {}: {e}", source.path)))?;
        let text = edit_text(
            seen.bytes(),
            &source.path,
            &source.text,
            project,
            profile,
            &edits,
        )?;
        // Replaced only if it still holds what was read, checked right
        // before the rename: a save made meanwhile is never written over.
        match replace_unchanged(&path, text.as_bytes(), &seen) {
            Ok(()) => {}
            Err(ReplaceError::Changed) => {
                return Err(EditError::ChangedOnDisk(source.path.clone()));
            }
            Err(ReplaceError::Io(e)) => {
                return Err(EditError::Io(format!(
                    "cannot write {}: {e}; the file is unchanged",
                    source.path
                )));
            }
        }
        written.push(source.path.clone());
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
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if body != loaded.as_bytes() {
        return Err(EditError::ChangedOnDisk(rel.to_owned()));
    }
    let mut doc: DocumentMut = loaded
        .parse()
        .map_err(|e| EditError::Io(format!("cannot parse {rel}: {e}")))?;
    // Where each id stands, per kind, found once: a file of many items is
    // edited in one pass, not searched again for each item.
    let mut positions: std::collections::HashMap<&str, std::collections::HashMap<String, usize>> =
        std::collections::HashMap::new();
    for (idx, changes) in edits {
        let item = project.item(*idx);
        let kind = profile.kind(item.kind).name.as_str();
        let at = positions
            .entry(kind)
            .or_insert_with(|| id_positions(&doc, kind))
            .get(&item.id)
            .copied();
        let mut table = at
            .and_then(|i| table_at(&mut doc, kind, i))
            .ok_or_else(|| {
                EditError::NotFound(format!(
                    "cannot find the [[{kind}]] with id \"{}\" in {rel}",
                    item.id
                ))
            })?;
        for change in changes {
            apply_change(&mut table, change);
        }
    }
    let mut text = doc.to_string();
    // Lines added by the editor end in `\n`; a file written with CRLF line
    // endings throughout keeps them.
    if loaded.contains("\r\n") && !loaded.replace("\r\n", "").contains('\n') {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    Ok(text)
}

/// An item's table in the document: a `[[kind]]` table, or an inline
/// table in an array written `kind = [{ ... }]`.
enum ItemTable<'d> {
    Table(&'d mut Table),
    Inline(&'d mut toml_edit::InlineTable),
}

#[cfg(test)]
fn find_table<'d>(doc: &'d mut DocumentMut, kind: &str, id: &str) -> Option<ItemTable<'d>> {
    let at = *id_positions(doc, kind).get(id)?;
    table_at(doc, kind, at)
}

/// The position of each id among the tables of `kind` (the first, if an id
/// stands twice).
fn id_positions(doc: &DocumentMut, kind: &str) -> std::collections::HashMap<String, usize> {
    fn id_of(t: &dyn TableLike) -> Option<String> {
        t.get("id").and_then(|v| v.as_str()).map(str::to_owned)
    }
    let ids: Vec<Option<String>> = match doc.get(kind) {
        Some(TomlItem::ArrayOfTables(tables)) => tables.iter().map(|t| id_of(t)).collect(),
        Some(TomlItem::Value(toml_edit::Value::Array(values))) => values
            .iter()
            .map(|v| v.as_inline_table().and_then(|t| id_of(t)))
            .collect(),
        _ => Vec::new(),
    };
    let mut at = std::collections::HashMap::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        if let Some(id) = id {
            at.entry(id).or_insert(i);
        }
    }
    at
}

/// The table at position `i` among those of `kind`.
fn table_at<'d>(doc: &'d mut DocumentMut, kind: &str, i: usize) -> Option<ItemTable<'d>> {
    match doc.get_mut(kind)? {
        TomlItem::ArrayOfTables(tables) => tables.get_mut(i).map(ItemTable::Table),
        TomlItem::Value(toml_edit::Value::Array(values)) => values
            .get_mut(i)?
            .as_inline_table_mut()
            .map(ItemTable::Inline),
        _ => None,
    }
}

fn apply_change(table: &mut ItemTable<'_>, change: &Change) {
    let v = match change {
        Change::SetString { text, .. } => value(text.as_str()),
        Change::SetDate { date, .. } => {
            let d = toml_edit::Date {
                year: date.year,
                month: date.month,
                day: date.day,
            };
            let dt = toml_edit::Datetime {
                date: Some(d),
                time: None,
                offset: None,
            };
            value(dt)
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
}
