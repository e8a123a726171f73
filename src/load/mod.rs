//! Loading: the only stage that reads the user's files.
//!
//! Takes a project folder; finds `needtrail.toml` and every other `*.toml`
//! below it in sorted order; parses the files in parallel; checks each table
//! against the profile; resolves links. Gives a [`Project`] and its
//! [`Profile`], or every [`Diagnostic`] found (never only the first).

mod events;
mod lines;
mod scan;

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{self, Diagnostic, Location, suggest};
use crate::model::{
    FieldIdx, FileIdx, IdIndex, Item, ItemIdx, KindIdx, Link, Project, SourceFile, Span, Table,
    TableError, Value,
};
use crate::profile::{self, FieldType, Profile};

/// The project's configuration file, at the root of the folder.
pub const CONFIG_FILE: &str = "needtrail.toml";

/// A file that marks a folder as written by needtrail: such folders are skipped.
pub const OUTPUT_MARKER: &str = ".needtrail-output";

/// What loading found wrong, with the files it read so messages can quote them.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Vec<SourceFile>,
}

/// A loaded project and the profile it was checked against.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub profile: Profile,
}

/// Loads and validates the project in `root`.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    load_with(root, &crate::progress::Silent)
}

/// [`load`], reporting each file parsed to `progress`.
pub fn load_with(
    root: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<Loaded, LoadError> {
    load_warming(root, progress, &|_| {})
}

/// [`load_with`], running `warm` with the profile on a spare core while the
/// files are read: for what the stages after loading read first and
/// can make ready from the profile alone.
pub fn load_warming(
    root: &Path,
    progress: &dyn crate::progress::Progress,
    warm: &(dyn Fn(&Profile) + Sync),
) -> Result<Loaded, LoadError> {
    let fail = |d: Diagnostic| LoadError {
        diagnostics: vec![d],
        sources: Vec::new(),
    };
    if !root.is_dir() {
        return Err(fail(
            Diagnostic::new(
                "no-project",
                format!("`{}` is not a folder", root.display()),
                Location::whole_file(root.display().to_string()),
            )
            .with_help("give the project folder, the one that holds needtrail.toml"),
        ));
    }
    let config_path = root.join(CONFIG_FILE);
    if !config_path.is_file() {
        return Err(fail(
            Diagnostic::new(
                "no-project",
                format!("no {CONFIG_FILE} in `{}`", root.display()),
                Location::whole_file(config_path.display().to_string()),
            )
            .with_help(format!(
                "run needtrail in the project folder, or create one with `needtrail init {}`",
                root.display()
            )),
        ));
    }
    let config = match read_source(&config_path, CONFIG_FILE.to_owned()) {
        Ok(s) => s,
        Err(d) => return Err(fail(d)),
    };
    if let Some(d) = misplaced_bom(&config) {
        return Err(LoadError {
            diagnostics: vec![d],
            sources: vec![config],
        });
    }
    let (mut profile, settings) = match profile::parse_file(&config)
        .map_err(|d| vec![d])
        .and_then(|file| profile::build(Some((&config, file))))
    {
        Ok(p) => p,
        Err(diagnostics) => {
            return Err(LoadError {
                diagnostics,
                sources: vec![config],
            });
        }
    };

    let paths = discover(root);
    progress.start("loading files", paths.len() as u64);
    // The largest files start first, so that no core is left reading a
    // large file (a contract review of every requirement) while the
    // others are done; the results go back into path order.
    let mut order: Vec<(u64, usize)> = paths
        .iter()
        .enumerate()
        .map(|(i, (path, _))| (fs::metadata(path).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_unstable_by_key(|&(size, i)| (std::cmp::Reverse(size), i));
    profile.expect_text(order.iter().map(|&(size, _)| size).sum());
    let (mut parsed, ()): (Vec<(usize, FileResult)>, ()) = rayon::join(
        || {
            order
                .par_iter()
                .with_max_len(1)
                .map(|&(_, i)| {
                    let (path, rel) = &paths[i];
                    let r = parse_file(path, rel.clone(), i as FileIdx + 1, &profile);
                    progress.advance(1);
                    (i, r)
                })
                .collect()
        },
        || warm(&profile),
    );
    parsed.sort_unstable_by_key(|(i, _)| *i);
    let parsed: Vec<FileResult> = parsed.into_iter().map(|(_, r)| r).collect();
    progress.finish();

    // One vector of items for the whole project, filled once: at a million
    // items, every copy of it costs as much as parsing a file. Its memory is
    // new to the process and the system hands it out a page at a time, so
    // it is made on every core, then filled a file at a time in parallel.
    let total: usize = parsed.iter().map(|r| r.items.len()).sum();
    let mut diags = Vec::new();
    let mut files = vec![config];
    let mut parts = Vec::with_capacity(parsed.len());
    for r in parsed {
        diags.extend(r.diags);
        files.push(r.source);
        parts.push(r.items);
    }
    let mut items: Vec<Item> = (0..total)
        .into_par_iter()
        .map(|_| Item::new(String::new(), 0, Span::new(0, 0..0)))
        .collect();
    let mut links: Vec<Vec<RawLink>> = (0..total).into_par_iter().map(|_| Vec::new()).collect();
    let (mut item_rest, mut link_rest) = (items.as_mut_slice(), links.as_mut_slice());
    let mut jobs = Vec::with_capacity(parts.len());
    let mut offset = 0;
    for part in parts {
        let (i, rest) = std::mem::take(&mut item_rest).split_at_mut(part.len());
        item_rest = rest;
        let (l, rest) = std::mem::take(&mut link_rest).split_at_mut(part.len());
        link_rest = rest;
        let len = part.len() as u32;
        jobs.push((i, l, part, offset));
        offset += len;
    }
    jobs.into_par_iter().for_each(|(i, l, part, offset)| {
        for ((slot, link_slot), raw) in i.iter_mut().zip(l).zip(part) {
            (*slot, *link_slot) = raw.into_item(offset);
        }
    });

    let name = settings.name.clone().unwrap_or_else(|| {
        root.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "project".into())
    });
    let mut project = assemble(name, files, items, links, &profile, &mut diags);
    project.lang = settings.lang;
    if diags.is_empty() {
        Ok(Loaded { project, profile })
    } else {
        diag::sort(&mut diags);
        Err(LoadError {
            diagnostics: diags,
            sources: project.files,
        })
    }
}

/// Every item file under `root`, sorted, with its path relative to `root`.
/// Skips hidden folders, `target/`, folders needtrail wrote (they hold
/// [`OUTPUT_MARKER`]) and nested projects (they hold their own needtrail.toml).
pub fn discover(root: &Path) -> Vec<(PathBuf, String)> {
    walk(root).0
}

/// A file or folder under the project that looks like part of it but is
/// not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Path relative to the project root.
    pub path: String,
    pub why: &'static str,
}

/// What [`discover`] leaves out that a user may have meant to be read:
/// symbolic links (needtrail reads only what is in the folder itself) and
/// files named `.TOML` or another case of it. Sorted by path.
pub fn skipped(root: &Path) -> Vec<Skipped> {
    walk(root).1
}

fn walk(root: &Path) -> (Vec<(PathBuf, String)>, Vec<Skipped>) {
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(name.starts_with('.')
                || name == "target"
                || e.path().join(OUTPUT_MARKER).exists()
                || e.path().join(CONFIG_FILE).exists())
        });
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for entry in walker.filter_map(Result::ok) {
        let path = entry.path();
        if entry.depth() > 0 && !entry.file_name().to_string_lossy().starts_with('.') {
            let toml_like = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            if entry.path_is_symlink() {
                if toml_like || path.is_dir() {
                    skipped.push(Skipped {
                        path: relative(root, path),
                        why: "a symbolic link; needtrail reads only files and folders that are in the project itself",
                    });
                }
                continue;
            }
            if entry.file_type().is_file()
                && toml_like
                && path.extension().is_some_and(|e| e != "toml")
            {
                skipped.push(Skipped {
                    path: relative(root, path),
                    why: "its extension is not written `.toml` in lower case; rename it to have it read",
                });
                continue;
            }
        }
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = relative(root, path);
        if rel == CONFIG_FILE {
            continue;
        }
        out.push((path.to_path_buf(), rel));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (out, skipped)
}

/// Whether `rel`, a path with `/` read from somewhere the user does not
/// control (a git tree, a MANIFEST), names a file under the folder it is
/// joined to: relative, and made of plain names only (no `..`, no `.`, no
/// empty name, no root or drive).
pub fn stays_inside(rel: &str) -> bool {
    !rel.contains('\0')
        && rel.split('/').all(|name| !matches!(name, "" | "." | ".."))
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a file as UTF-8 text (a leading byte-order mark is dropped).
fn read_source(path: &Path, rel: String) -> Result<SourceFile, Diagnostic> {
    let mut bytes = fs::read(path).map_err(|e| {
        Diagnostic::new(
            "io",
            format!("cannot read the file: {e}"),
            Location::whole_file(&rel),
        )
        .with_help("check that the file exists and is readable")
    })?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // The text is kept as read, without a copy.
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(rel, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let good = &bytes[..valid];
            let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
            Err(Diagnostic::new(
                "not-utf8",
                "the file is not UTF-8 text",
                Location {
                    file: rel,
                    line,
                    column: col,
                    bytes: None,
                },
            )
            .with_help("save the file as UTF-8 (in most editors: Save As, encoding UTF-8); GBK and other encodings are not read"))
        }
    }
}

/// A byte-order mark anywhere but at the very start (where [`read_source`]
/// drops one): a parser may skip it, or misread the line around it.
fn misplaced_bom(source: &SourceFile) -> Option<Diagnostic> {
    // A search for its three bytes: a search for the character goes by its
    // last byte, which is frequent in Chinese text.
    let at = memchr::memmem::find(source.text.as_bytes(), "\u{feff}".as_bytes())?;
    Some(
        Diagnostic::new(
            "misplaced-bom",
            "a byte-order mark (U+FEFF) that is not at the very start of the file",
            Location::in_source(source, at..at + '\u{feff}'.len_utf8()),
        )
        .with_help("remove it: a file may start with one byte-order mark and hold none anywhere else (in a text, write the character as \\uFEFF)"),
    )
}

/// An item as read from one file, before ids are resolved across the project.
#[derive(Debug, PartialEq)]
struct RawItem {
    id: String,
    kind: KindIdx,
    title: Option<String>,
    fields: Vec<(FieldIdx, Value)>,
    links: Vec<RawLink>,
    span: Span,
    field_spans: Vec<(FieldIdx, Span)>,
    /// For a sub-item (such as a decision): the position of its parent
    /// among the items of its file.
    parent: Option<u32>,
}

/// A link as written: field, id, place, and whether it came from the parent.
type RawLink = (FieldIdx, RawId, Span, bool);

/// The id a link names, before it is resolved: where it stands in its file
/// (most ids: no copy is made), or the decoded text when it was written with
/// escapes or made up (a sub-item's link to its parent).
#[derive(Clone, Debug, PartialEq)]
enum RawId {
    Source(u32, u32),
    Owned(String),
}

impl RawId {
    /// `id` as decoded from `text`: a range when it is a slice of `text`.
    fn new(text: &str, id: std::borrow::Cow<'_, str>) -> RawId {
        if let std::borrow::Cow::Borrowed(s) = &id {
            let start = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
            if let Some(end) = start.checked_add(s.len())
                && let (Ok(a), Ok(b)) = (u32::try_from(start), u32::try_from(end))
                && text.get(start..end).is_some_and(|t| std::ptr::eq(t, *s))
            {
                return RawId::Source(a, b);
            }
        }
        RawId::Owned(id.into_owned())
    }

    fn as_str<'a>(&'a self, text: &'a str) -> &'a str {
        match self {
            RawId::Source(a, b) => &text[*a as usize..*b as usize],
            RawId::Owned(s) => s,
        }
    }
}

struct FileResult {
    source: SourceFile,
    /// The file's items in order, each sub-item after its parent and
    /// the parent's earlier sub-items.
    items: Vec<RawItem>,
    diags: Vec<Diagnostic>,
}

/// Whether an item file's text is read by one of the fast readers, which
/// build items straight from its lines, rather than through the general
/// TOML reader (for tests and benchmarks: the items are the same either way).
pub fn reads_fast(text: &str, profile: &Profile) -> bool {
    events::read(text, 0, profile).is_some()
}

fn parse_file(path: &Path, rel: String, file: FileIdx, profile: &Profile) -> FileResult {
    let source = match read_source(path, rel.clone()) {
        Ok(s) => s,
        Err(d) => {
            return FileResult {
                source: SourceFile::new(rel, String::new()),
                items: Vec::new(),
                diags: vec![d],
            };
        }
    };
    if let Some(d) = misplaced_bom(&source) {
        return FileResult {
            source,
            items: Vec::new(),
            diags: vec![d],
        };
    }
    if let Some(items) = events::read(&source.text, file, profile) {
        return FileResult {
            source,
            items,
            diags: Vec::new(),
        };
    }
    let mut diags = Vec::new();
    let mut items = Vec::new();
    match DeTable::parse(&source.text) {
        Err(_) => {
            // Parse again with recovery to report the earliest error: the
            // first one the parser meets is not always first in the file.
            let (_, mut errors) = DeTable::parse_recoverable(&source.text);
            errors.sort_by_key(|e| e.span().map_or(0, |s| s.start));
            if let Some(e) = errors.first() {
                let bytes = e.span().unwrap_or(0..0);
                // Quotation marks a Chinese input method types look like
                // quotes but are not TOML's.
                let line_start = source.text[..bytes.start.min(source.text.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let line_end = source.text[line_start..]
                    .find('\n')
                    .map_or(source.text.len(), |i| line_start + i);
                let wide_quotes = source.text[line_start..line_end]
                    .contains(['“', '”', '‘', '’', '＂', '＇', '「', '」']);
                let help = if wide_quotes {
                    "replace the quotation marks “ ” (or ‘ ’, ＂, 「 」) with ASCII quotes \" \": a Chinese input method types them, TOML does not read them"
                } else {
                    "fix the TOML syntax here; strings need quotes, arrays need commas and a closing `]`"
                };
                diags.push(
                    Diagnostic::new(
                        "toml-syntax",
                        format!("invalid TOML: {}", e.message().trim_end()),
                        Location::in_source(&source, bytes),
                    )
                    .with_help(help),
                );
            }
        }
        Ok(table) => {
            let mut reader = FileReader {
                source: &source,
                file,
                profile,
                diags: &mut diags,
            };
            reader.read_document(table.get_ref(), &mut items);
        }
    }
    FileResult {
        source,
        items,
        diags,
    }
}

/// Puts each sub-item after its parent and the parent's earlier sub-items,
/// keeping the order of the file otherwise, and counts the parents anew.
fn regroup(items: &mut Vec<RawItem>) {
    let mut tagged: Vec<(u32, u32, RawItem)> = std::mem::take(items)
        .into_iter()
        .enumerate()
        .map(|(i, item)| (item.parent.unwrap_or(i as u32), i as u32, item))
        .collect();
    // Stable: a parent comes before its sub-items, which keep their order.
    tagged.sort_by_key(|(group, _, _)| *group);
    let mut moved_to = vec![0u32; tagged.len()];
    for (new, (_, old, _)) in tagged.iter().enumerate() {
        moved_to[*old as usize] = new as u32;
    }
    items.extend(tagged.into_iter().map(|(_, _, mut item)| {
        item.parent = item.parent.map(|p| moved_to[p as usize]);
        item
    }));
}

impl RawItem {
    /// The item, its parent counted from `offset`, and its links as written.
    fn into_item(self, offset: u32) -> (Item, Vec<RawLink>) {
        let item = Item {
            id: self.id,
            kind: self.kind,
            title: self.title,
            parent: self.parent.map(|p| ItemIdx(p + offset)),
            fields: self.fields,
            links: Vec::new(),
            span: self.span,
            field_spans: self.field_spans,
        };
        (item, self.links)
    }
}

struct FileReader<'a> {
    source: &'a SourceFile,
    file: FileIdx,
    profile: &'a Profile,
    diags: &'a mut Vec<Diagnostic>,
}

type DeEntry<'i> = (
    &'i Spanned<std::borrow::Cow<'i, str>>,
    &'i Spanned<DeValue<'i>>,
);

impl FileReader<'_> {
    fn span(&self, bytes: Range<usize>) -> Span {
        Span::new(self.file, bytes)
    }

    fn error(&mut self, code: &'static str, bytes: Range<usize>, message: String, help: String) {
        self.diags.push(
            Diagnostic::new(code, message, Location::in_source(self.source, bytes)).with_help(help),
        );
    }

    fn read_document(&mut self, table: &DeTable<'_>, items: &mut Vec<RawItem>) {
        // Items in the order they stand in the file, whatever their kind,
        // each followed by its sub-items.
        let mut found: Vec<(usize, Vec<RawItem>)> = Vec::new();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(kind) = self.profile.kind_index(name) else {
                let kinds: Vec<&str> = self
                    .profile
                    .top_kinds()
                    .map(|(_, k)| k.name.as_str())
                    .collect();
                let help = match suggest(name, kinds.iter().copied()) {
                    Some(s) => format!("did you mean `[[{s}]]`?"),
                    None => format!(
                        "item kinds are: {}; declare a new kind in needtrail.toml under [kinds.{name}]",
                        kinds.join(", ")
                    ),
                };
                self.error(
                    "unknown-kind",
                    key.span(),
                    format!("unknown kind `{name}`"),
                    help,
                );
                continue;
            };
            if let Some(parent) = self.profile.kind(kind).within {
                let pname = &self.profile.kind(parent).name;
                self.error(
                    "misplaced-kind",
                    key.span(),
                    format!("`{name}` belongs inside a {pname}"),
                    format!("write it as [[{pname}.{name}]] after the [[{pname}]] it belongs to"),
                );
                continue;
            }
            let Some(tables) = self.tables(name, value) else {
                continue;
            };
            for t in tables {
                if let Some(group) = self.read_item(kind, t, None) {
                    found.push((t.span().start, group));
                }
            }
        }
        found.sort_by_key(|(pos, _)| *pos);
        for (_, group) in found {
            let at = items.len() as u32;
            items.extend(group.into_iter().map(|mut i| {
                i.parent = i.parent.map(|_| at);
                i
            }));
        }
    }

    /// The tables of an array of tables such as `[[requirement]]`.
    fn tables<'v, 'i>(
        &mut self,
        name: &str,
        value: &'v Spanned<DeValue<'i>>,
    ) -> Option<Vec<&'v Spanned<DeValue<'i>>>> {
        let ok = match value.get_ref() {
            DeValue::Array(a) => a.iter().all(|v| matches!(v.get_ref(), DeValue::Table(_))),
            _ => false,
        };
        if !ok {
            // `[[review.decision]]` with no `[[review]]` above it makes
            // `review` a plain table holding only its sub-items.
            let profile = self.profile;
            let orphan = match (value.get_ref(), profile.kind_index(name)) {
                (DeValue::Table(t), Some(kind)) if !t.is_empty() => t.iter().find_map(|(k, _)| {
                    let sub = profile
                        .kind(kind)
                        .sub_kinds
                        .iter()
                        .find(|s| profile.kind(**s).name == k.get_ref().as_ref())?;
                    Some(profile.kind(*sub).name.clone())
                }),
                _ => None,
            };
            match orphan {
                Some(sub) => self.error(
                    "not-a-table-array",
                    value.span(),
                    format!("[[{name}.{sub}]] stands under no [[{name}]]: a {sub} belongs to the {name} above it"),
                    format!("put the [[{name}]] it belongs to (with its id) above it, in the same file"),
                ),
                None => self.error(
                    "not-a-table-array",
                    value.span(),
                    format!("`{name}` must be an array of tables"),
                    format!("write each {name} as a table under its own [[{name}]] header"),
                ),
            }
            return None;
        }
        match value.get_ref() {
            DeValue::Array(a) => Some(a.iter().collect()),
            _ => None,
        }
    }

    fn read_item(
        &mut self,
        kind: KindIdx,
        value: &Spanned<DeValue<'_>>,
        parent: Option<(&str, usize)>,
    ) -> Option<Vec<RawItem>> {
        let DeValue::Table(table) = value.get_ref() else {
            return None;
        };
        let header = value.span();
        let profile = self.profile;
        let kind_name = &profile.kind(kind).name;
        let mut item = RawItem {
            id: String::new(),
            kind,
            title: None,
            fields: Vec::new(),
            links: Vec::new(),
            span: self.span(header.clone()),
            field_spans: Vec::new(),
            parent: parent.map(|_| 0),
        };
        let mut entries: Vec<DeEntry<'_>> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut sub_tables = Vec::new();
        for (key, val) in entries {
            let name = key.get_ref().as_ref();
            match name {
                "id" => {
                    if let Some(s) = self.string(val, "id") {
                        if s.trim().is_empty() {
                            self.error(
                                "missing-id",
                                val.span(),
                                "the id is empty".into(),
                                "give the item a unique id, e.g. id = \"REQ-001\"".into(),
                            );
                        }
                        item.id = s;
                    }
                    continue;
                }
                "title" => {
                    item.title = self.string(val, "title");
                    item.field_spans.push((
                        profile.title_field,
                        self.span(key.span().start..val.span().end),
                    ));
                    continue;
                }
                _ => {}
            }
            let Some(field) = profile.field_index(name) else {
                self.unknown_field(kind, key);
                continue;
            };
            if let Some(sub) = profile
                .kind(kind)
                .sub_kinds
                .iter()
                .find(|s| profile.kind(**s).name == name)
            {
                sub_tables.push((*sub, val));
                continue;
            }
            let Some(def) = profile.field_def(kind, field) else {
                self.unknown_field(kind, key);
                continue;
            };
            if parent.is_some() && profile.parent_field(kind) == Some(field) {
                let pname = &profile
                    .kind(profile.kind(kind).within.expect("sub-kind"))
                    .name;
                self.error(
                    "bad-value",
                    key.span(),
                    format!("a {kind_name} belongs to the {pname} it is written under"),
                    format!("remove `{name}`; to move it, write it under the other [[{pname}]]"),
                );
                continue;
            }
            item.field_spans
                .push((field, self.span(key.span().start..val.span().end)));
            if def.ty.is_link() {
                for (id, span) in self.link_ids(name, def.ty, val) {
                    let id = RawId::new(&self.source.text, id);
                    item.links.push((field, id, self.span(span), false));
                }
            } else if let Some(v) = self.value(name, def.ty, &def.values, val) {
                item.fields.push((field, v));
            }
        }
        match parent {
            Some((pid, n)) => {
                if item.id.is_empty() {
                    item.id = profile.sub_item_id(kind, pid, n);
                }
                let pf = profile
                    .parent_field(kind)
                    .expect("sub-kinds link to their parent");
                item.links.push((
                    pf,
                    RawId::Owned(pid.to_owned()),
                    self.span(header.clone()),
                    false,
                ));
            }
            None => {
                if item.id.is_empty() && !table.contains_key("id") {
                    self.error(
                        "missing-id",
                        header.clone(),
                        format!("this {kind_name} has no id"),
                        "add a unique id, e.g. id = \"REQ-001\"".into(),
                    );
                }
            }
        }
        item.fields.sort_by_key(|(f, _)| *f);
        // The item, then its sub-items (their parent: the first of the list).
        let mut group = vec![item];
        for (sub, val) in sub_tables {
            let sub_name = profile.kind(sub).name.clone();
            let Some(tables) = self.tables(&format!("{kind_name}.{sub_name}"), val) else {
                continue;
            };
            for (i, t) in tables.into_iter().enumerate() {
                let pid = group[0].id.clone();
                // Sub-items nest one level (the profile refuses deeper
                // kinds): the first of the list is the sub-item itself.
                if let Some(mut s) = self
                    .read_item(sub, t, Some((&pid, i + 1)))
                    .and_then(|g| g.into_iter().next())
                {
                    inherit(profile, &group[0], &mut s);
                    group.push(s);
                }
            }
        }
        Some(group)
    }

    fn unknown_field(&mut self, kind: KindIdx, key: &Spanned<std::borrow::Cow<'_, str>>) {
        let name = key.get_ref().as_ref();
        let kind_name = &self.profile.kind(kind).name;
        let names = self.profile.field_names_of(kind);
        let help = match suggest(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "fields of {kind_name} are: {}; declare your own under [kinds.{kind_name}.fields] in needtrail.toml",
                names.join(", ")
            ),
        };
        self.error(
            "unknown-field",
            key.span(),
            format!("unknown field `{name}` in a {kind_name}"),
            help,
        );
    }

    fn string(&mut self, val: &Spanned<DeValue<'_>>, name: &str) -> Option<String> {
        match val.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.error(
                    "bad-value",
                    val.span(),
                    format!("`{name}` must be a string"),
                    format!("write it in quotes: {name} = \"...\""),
                );
                None
            }
        }
    }

    fn link_ids<'v>(
        &mut self,
        name: &str,
        ty: FieldType,
        val: &'v Spanned<DeValue<'v>>,
    ) -> Vec<(std::borrow::Cow<'v, str>, Range<usize>)> {
        let mut out = Vec::new();
        match val.get_ref() {
            DeValue::String(s) => out.push((s.clone(), val.span())),
            DeValue::Array(a) if ty == FieldType::Links => {
                for v in a.iter() {
                    match v.get_ref() {
                        DeValue::String(s) => out.push((s.clone(), v.span())),
                        _ => self.error(
                            "bad-value",
                            v.span(),
                            format!("`{name}` holds ids, and this is not a string"),
                            format!("write ids in quotes: {name} = [\"REQ-001\", \"REQ-002\"]"),
                        ),
                    }
                }
            }
            DeValue::Array(_) => self.error(
                "bad-value",
                val.span(),
                format!("`{name}` links to one item, not a list"),
                format!("write one id: {name} = \"...\""),
            ),
            _ => {
                let example = if ty == FieldType::Links {
                    format!("{name} = [\"REQ-001\"]")
                } else {
                    format!("{name} = \"C-001\"")
                };
                self.error(
                    "bad-value",
                    val.span(),
                    format!("`{name}` must hold the id of an item"),
                    format!("write ids in quotes: {example}"),
                );
            }
        }
        out.retain(|(id, span)| {
            if id.trim().is_empty() {
                self.error(
                    "bad-value",
                    span.clone(),
                    format!("empty id in `{name}`"),
                    "remove it or write the id of an item".into(),
                );
                false
            } else {
                true
            }
        });
        out
    }

    fn value(
        &mut self,
        name: &str,
        ty: FieldType,
        allowed: &[String],
        val: &Spanned<DeValue<'_>>,
    ) -> Option<Value> {
        let v = val.get_ref();
        let got = match (ty, v) {
            (FieldType::String, DeValue::String(s)) => Some(Value::String(s.to_string())),
            (FieldType::Strings, DeValue::String(s)) => Some(Value::Strings(vec![s.to_string()])),
            (FieldType::Strings, DeValue::Array(a)) => {
                let strings: Option<Vec<String>> = a
                    .iter()
                    .map(|v| match v.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect();
                strings.map(Value::Strings)
            }
            (FieldType::Date, DeValue::Datetime(d)) => Some(Value::Date(d.to_string())),
            (FieldType::Fingerprints, DeValue::Table(t)) => {
                let pairs: Option<Vec<(&str, &str)>> = t
                    .iter()
                    .map(|(k, v)| match v.get_ref() {
                        DeValue::String(s) => Some((k.get_ref().as_ref(), s.as_ref())),
                        _ => None,
                    })
                    .collect();
                if let Some(at) = nul_in(t) {
                    self.nul_error(name, at);
                    return None;
                }
                match pairs {
                    Some(p) => return self.table(name, val, p),
                    None => None,
                }
            }
            (FieldType::Attributes, DeValue::Table(t)) => {
                let pairs: Option<Vec<(&str, String)>> = t
                    .iter()
                    .map(|(k, v)| Some((k.get_ref().as_ref(), attribute_text(v.get_ref())?)))
                    .collect();
                if pairs.is_some()
                    && let Some(at) = nul_in(t)
                {
                    self.nul_error(name, at);
                    return None;
                }
                match pairs {
                    Some(p) => return self.table(name, val, p),
                    None => None,
                }
            }
            (FieldType::Date, DeValue::String(s)) => {
                // The hint must itself be valid TOML: a date is written
                // YYYY-MM-DD, with two-digit month and day.
                let help = match crate::calendar::Date::parse_written(s) {
                    Some(d) if d.to_string() == s.trim() => {
                        format!("drop the quotes: {name} = {d}")
                    }
                    Some(d) => format!("write the date without quotes as YYYY-MM-DD: {name} = {d}"),
                    None => format!(
                        "write the date without quotes as YYYY-MM-DD, e.g. {name} = 2026-01-05"
                    ),
                };
                self.error(
                    "bad-value",
                    val.span(),
                    format!("`{name}` must be a TOML date, not a string"),
                    help,
                );
                return None;
            }
            (FieldType::Bool, DeValue::Boolean(b)) => Some(Value::Bool(*b)),
            (FieldType::Integer, DeValue::Integer(i)) => {
                i.to_string().parse::<i64>().ok().map(Value::Integer)
            }
            (FieldType::Number, DeValue::Integer(i)) => {
                i.to_string().parse::<f64>().ok().map(Value::Float)
            }
            (FieldType::Number, DeValue::Float(f)) => {
                f.to_string().parse::<f64>().ok().map(Value::Float)
            }
            (FieldType::Enum, DeValue::String(s)) => {
                if allowed.iter().any(|a| a == s.as_ref()) {
                    Some(Value::String(s.to_string()))
                } else {
                    // A value written as its label (`明示的` for `stated`)
                    // is pointed at the value the file must hold.
                    let help = match self.profile.suggest_value(s, allowed) {
                        Some(x) => {
                            format!("did you mean {x}? allowed: {}", allowed.join(" | "))
                        }
                        None => format!("allowed values: {}", allowed.join(" | ")),
                    };
                    self.error(
                        "bad-value",
                        val.span(),
                        format!("`{s}` is not a valid {name}"),
                        help,
                    );
                    return None;
                }
            }
            _ => None,
        };
        if got.is_none() {
            let expected = match ty {
                FieldType::String => "a string in quotes".to_owned(),
                FieldType::Strings => "a list of strings, e.g. [\"a\", \"b\"]".to_owned(),
                FieldType::Date => "a date such as 2026-02-08 (no quotes)".to_owned(),
                FieldType::Bool => "true or false".to_owned(),
                FieldType::Integer => "a whole number".to_owned(),
                FieldType::Number => "a number".to_owned(),
                FieldType::Enum => format!("one of: {}", allowed.join(" | ")),
                FieldType::Link | FieldType::Links => "ids".to_owned(),
                FieldType::Fingerprints => {
                    "fingerprints written by needtrail, e.g. stamped.REQ-001 = \"…\"".to_owned()
                }
                FieldType::Attributes => {
                    "a table of values, e.g. attributes.Priority = \"High\" (strings, numbers, true/false, dates or lists of strings)".to_owned()
                }
            };
            self.error(
                "bad-value",
                val.span(),
                format!("`{name}` has a value of the wrong type"),
                format!("`{name}` takes {expected}"),
            );
        }
        got
    }

    /// A table's key or value that holds a NUL, at `bytes`.
    fn nul_error(&mut self, name: &str, bytes: Range<usize>) {
        self.error(
            "bad-value",
            bytes,
            format!("`{name}` holds a NUL character (\\u0000) in a key or a value"),
            format!("remove the \\u0000 from this entry of `{name}`"),
        );
    }

    /// A fingerprints or attributes field's table of `entries`.
    fn table<V: AsRef<str>>(
        &mut self,
        name: &str,
        val: &Spanned<DeValue<'_>>,
        entries: Vec<(&str, V)>,
    ) -> Option<Value> {
        match Table::new(entries) {
            Ok(t) => Some(Value::Map(t)),
            Err(TableError::Nul) => {
                self.nul_error(name, val.span());
                None
            }
            // A TOML table has each key once.
            Err(TableError::Repeated) => {
                self.error(
                    "bad-value",
                    val.span(),
                    format!("`{name}` has a key written twice"),
                    format!("keep one entry of each key in `{name}`"),
                );
                None
            }
        }
    }
}

/// Where in `table` a key or a text holds a NUL, which a [`Table`] cannot
/// hold: the entry's key and value.
fn nul_in(table: &DeTable<'_>) -> Option<Range<usize>> {
    fn holds(v: &DeValue<'_>) -> bool {
        match v {
            DeValue::String(s) => s.contains('\0'),
            DeValue::Array(a) => a.iter().any(|x| holds(x.get_ref())),
            _ => false,
        }
    }
    table
        .iter()
        .find(|(k, v)| k.get_ref().contains('\0') || holds(v.get_ref()))
        .map(|(k, v)| k.span().start..v.span().end)
}

/// One value of an `attributes` table as a user reads it (`None` for a
/// nested table or a list of non-strings).
pub(crate) fn attribute_text(v: &DeValue<'_>) -> Option<String> {
    Some(match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.to_string().parse::<i64>().ok()?.to_string(),
        DeValue::Float(f) => f.to_string().parse::<f64>().ok()?.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(a) => a
            .iter()
            .map(|x| match x.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?
            .join(", "),
        _ => return None,
    })
}

/// Gives a sub-item the inherited fields of its parent that it does not set.
fn inherit(profile: &Profile, parent: &RawItem, sub: &mut RawItem) {
    for &f in &profile.kind(sub.kind).inherit {
        let has = sub.fields.iter().any(|(g, _)| *g == f) || sub.links.iter().any(|l| l.0 == f);
        if has {
            continue;
        }
        if let Some((_, v)) = parent.fields.iter().find(|(g, _)| *g == f) {
            sub.fields.push((f, v.clone()));
        }
        sub.links.extend(
            parent
                .links
                .iter()
                .filter(|l| l.0 == f)
                .map(|(g, id, span, _)| (*g, id.clone(), span.clone(), true)),
        );
    }
    sub.fields.sort_by_key(|(f, _)| *f);
}

/// A link that did not resolve, and the id it named when no item has it
/// and the kinds it may link to (a suggestion is looked for later).
type LinkProblem<'p> = (Diagnostic, Option<(String, &'p [KindIdx])>);

/// Checks ids are unique and resolves links, in place.
fn assemble(
    name: String,
    files: Vec<SourceFile>,
    mut items: Vec<Item>,
    mut links: Vec<Vec<RawLink>>,
    profile: &Profile,
    diags: &mut Vec<Diagnostic>,
) -> Project {
    let (by_id, duplicates) = IdIndex::build(&items);
    let loc = |span: &Span| Location::in_source(&files[span.file as usize], span.bytes());
    let mut is_duplicate = vec![false; items.len()];
    for (dup, first) in duplicates {
        is_duplicate[dup.index()] = true;
        let (r, f) = (&items[dup.index()], loc(&items[first.index()].span));
        diags.push(
            Diagnostic::new(
                "duplicate-id",
                format!("the id `{}` is used twice", r.id),
                loc(&r.span),
            )
            .with_help(format!(
                "ids are unique across the project; it is first used at {}:{}",
                f.file, f.line
            )),
        );
    }
    let mut by_kind = vec![Vec::new(); profile.kinds.len()];
    for (i, r) in items.iter().enumerate() {
        if !r.id.is_empty() && !is_duplicate[i] {
            by_kind[r.kind as usize].push(ItemIdx(i as u32));
        }
    }
    // Links resolve on every core, a chunk of items at a time, each item
    // taking its own: the ids of a chunk's links are looked up together, and
    // the targets' kinds come from the index alone. Items with a link that
    // does not resolve give their problems.
    let problems_all: Vec<Vec<LinkProblem<'_>>> = items
        .par_chunks_mut(1024)
        .zip(links.par_chunks_mut(1024))
        .flat_map_iter(|(items, raws)| {
            let ids: Vec<&str> = raws
                .iter()
                .flatten()
                .map(|(_, id, span, _)| id.as_str(&files[span.file as usize].text))
                .collect();
            let mut found = Vec::with_capacity(ids.len());
            by_id.get_many(&ids, &mut found);
            let mut targets = found.into_iter();
            let mut out = Vec::new();
            for (item, raw) in items.iter_mut().zip(raws) {
                let raw = std::mem::take(raw);
                let mut problems = Vec::new();
                let mut links = Vec::with_capacity(raw.len());
                for (field, id, span, inherited) in raw {
                    let def = profile
                        .field_def(item.kind, field)
                        .expect("link fields are defined");
                    let id = id.as_str(&files[span.file as usize].text);
                    let target = targets.next().expect("one lookup per link");
                    match target {
                        Some(target) if def.to.contains(&by_id.kind(target)) => {
                            links.push(Link {
                                field,
                                target,
                                span,
                                inherited,
                            });
                        }
                        Some(target) => {
                            let tk = by_id.kind(target);
                            let allowed: Vec<&str> = def
                                .to
                                .iter()
                                .map(|k| profile.kind(*k).name.as_str())
                                .collect();
                            let d = Diagnostic::new(
                                "wrong-link-kind",
                                format!(
                                    "`{}` links to `{id}`, which is a {}, not a {}",
                                    profile.field_name(field),
                                    profile.kind(tk).name,
                                    allowed.join(" or ")
                                ),
                                loc(&span),
                            )
                            .with_help(format!(
                                "`{}` takes ids of: {}",
                                profile.field_name(field),
                                allowed.join(", ")
                            ));
                            problems.push((d, None));
                        }
                        None => {
                            let d = Diagnostic::new(
                                "unknown-link",
                                format!(
                                    "`{}` names `{id}`, but no item has that id",
                                    profile.field_name(field)
                                ),
                                loc(&span),
                            );
                            problems.push((d, Some((id.to_owned(), def.to.as_slice()))));
                        }
                    }
                }
                item.links = links;
                if !problems.is_empty() {
                    out.push(problems);
                }
            }
            out
        })
        .collect();
    // Suggestions scan every id of the kinds the field links to, so only
    // the first few dangling links get one.
    let mut suggestions_left = 50;
    for problems in problems_all {
        for (mut d, unknown) in problems {
            if let Some((id, to)) = unknown {
                let close = if suggestions_left > 0 {
                    suggestions_left -= 1;
                    suggest(
                        &id,
                        by_id
                            .items()
                            .filter(|i| to.contains(&by_id.kind(*i)))
                            .map(|i| by_id.id(i)),
                    )
                } else {
                    None
                };
                d = match close {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("check the id for a typo, or add the item it refers to"),
                };
            }
            diags.push(d);
        }
    }
    Project {
        name,
        lang: None,
        files,
        items,
        by_id,
        by_kind,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_relative_paths_stay_inside_the_folder() {
        for ok in [
            "requirements.toml",
            "contracts/tender.toml",
            "a..b/..c.toml",
            "设计/输入.toml",
        ] {
            assert!(super::stays_inside(ok), "{ok}");
        }
        for bad in [
            "",
            "../evil.toml",
            "a/../../evil.toml",
            "a/..",
            "..",
            "/etc/evil.toml",
            "./a.toml",
            "a/./b.toml",
            "a//b.toml",
            "a/",
            "a\0b.toml",
        ] {
            assert!(!super::stays_inside(bad), "{bad:?}");
        }
    }

    use super::RawId;
    use std::borrow::Cow;

    #[test]
    fn link_ids_from_the_text_are_ranges_and_others_copies() {
        let text = "traces = [\"REQ-1\"]";
        let id = RawId::new(text, Cow::Borrowed(&text[11..16]));
        assert_eq!(id, RawId::Source(11, 16));
        assert_eq!(id.as_str(text), "REQ-1");
        // Equal text elsewhere, or decoded text, is kept as a copy.
        let elsewhere = String::from("REQ-1");
        assert_eq!(
            RawId::new(text, Cow::Borrowed(elsewhere.as_str())),
            RawId::Owned("REQ-1".into())
        );
        assert_eq!(
            RawId::new(text, Cow::Owned("REQ-1".into())),
            RawId::Owned("REQ-1".into())
        );
    }
}
