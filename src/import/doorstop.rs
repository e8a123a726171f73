//! `needtrail import doorstop TREE`: the items of a Doorstop tree (read by
//! [`crate::interchange::doorstop`]) as a [`Batch`]: each document's
//! items become one kind, child-to-parent links the link field the profile
//! allows between the two kinds (docs/interchange.md).

use std::collections::HashMap;
use std::path::Path;

use super::config::{ConfigText, EntryValue};
use super::{
    Batch, ImportError, Options, Problem, Record, Scope, SourceField, SourceValue, Summary,
};
use crate::diag::suggest;
use crate::edit::EditValue;
use crate::interchange::Scalar;
use crate::interchange::doorstop::{Document, read_tree};
use crate::profile::Profile;

/// The kinds documents become by default, by depth in the tree: the
/// profile's requirement, design input and verification.
fn by_depth(profile: &Profile) -> Vec<&str> {
    let r = &profile.roles;
    [r.requirement.kind, r.design_input.kind, r.verification.kind]
        .into_iter()
        .map_while(|k| Some(profile.kind(k?).name.as_str()))
        .collect()
}

/// Imports the tree at `tree` into the project in `root`.
pub fn run(
    root: &Path,
    tree: &Path,
    map: &[String],
    options: Options,
) -> Result<(Summary, Vec<String>), ImportError> {
    let loaded = crate::load::load(root).map_err(ImportError::Load)?;
    let profile = &loaded.profile;
    let docs = read_tree(tree).map_err(|e| vec![Problem::new(e.place(), e.message)])?;
    let (kinds, file) = kinds_of(&docs, map, &ConfigText::read(root), profile)?;
    let (batch, notes) = prepare(&docs, &kinds, &file, &loaded)?;
    let summary = super::apply_loaded(root, &loaded, &batch, options)?;
    Ok((summary, notes))
}

/// Each document's kind: `--map`, else `[import.doorstop.documents]`, else
/// by its depth in the tree. Also the file new items go to (`{prefix}` is
/// the document's prefix in lower case).
fn kinds_of(
    docs: &[Document],
    map: &[String],
    config: &ConfigText,
    profile: &Profile,
) -> Result<(HashMap<String, String>, String), Vec<Problem>> {
    let mut problems = Vec::new();
    let prefixes: Vec<&str> = docs.iter().map(|d| d.prefix.as_str()).collect();
    let kinds: Vec<&str> = profile.top_kinds().map(|(_, k)| k.name.as_str()).collect();
    let mut chosen: HashMap<String, String> = HashMap::new();
    let mut check = |prefix: &str, kind: &str, at: String, problems: &mut Vec<Problem>| {
        if !prefixes.contains(&prefix) {
            problems.push(
                Problem::new(&at, format!("the tree has no document `{prefix}`")).help(
                    match suggest(prefix, prefixes.iter().copied()) {
                        Some(s) => {
                            format!("did you mean `{s}`? documents: {}", prefixes.join(", "))
                        }
                        None => format!("documents: {}", prefixes.join(", ")),
                    },
                ),
            );
        } else if !kinds.contains(&kind) {
            problems.push(Problem::new(&at, format!("no kind `{kind}`")).help(
                match suggest(kind, kinds.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("kinds are: {}", kinds.join(", ")),
                },
            ));
        } else {
            chosen.insert(prefix.to_owned(), kind.to_owned());
        }
    };
    let mut file = "doorstop/{prefix}.toml".to_owned();
    match config.import_table("doorstop") {
        Ok(Some(t)) => {
            t.check_keys(&["documents", "file"], &mut problems);
            if let Some((f, at)) = t.string("file", &mut problems) {
                if !f.ends_with(".toml") || f.contains("..") || f.starts_with('/') {
                    problems.push(
                        Problem::new(at, format!("new items cannot go to `{f}`")).help(
                            "give a .toml file inside the project, e.g. \"doorstop/{prefix}.toml\"",
                        ),
                    );
                } else {
                    file = f;
                }
            }
            if let Some(d) = t.table("documents", &mut problems) {
                for e in d.entries(&mut problems) {
                    match e.value {
                        EntryValue::String(kind, at) => check(&e.key, &kind, at, &mut problems),
                        EntryValue::Table(_) => problems.push(
                            Problem::new(e.at, "a document maps to the name of a kind")
                                .help("write PREFIX = \"requirement\""),
                        ),
                    }
                }
            }
        }
        Ok(None) => {}
        Err(p) => problems.push(p),
    }
    for m in map {
        match m.split_once('=') {
            Some((p, k)) => check(p.trim(), k.trim(), format!("--map {m}"), &mut problems),
            None => problems.push(
                Problem::new(format!("--map {m}"), "a mapping is PREFIX=KIND")
                    .help("e.g. --map CUS=requirement,SRD=design_input"),
            ),
        }
    }
    // The rest by depth.
    let parent_of: HashMap<&str, Option<&str>> = docs
        .iter()
        .map(|d| (d.prefix.as_str(), d.parent.as_deref()))
        .collect();
    // A document placed under one the tree does not have, or under
    // itself: Doorstop refuses such a tree ("unplaced document"), and so
    // does the import, rather than guess where it stands.
    let mut prefixes: Vec<&str> = parent_of.keys().copied().collect();
    prefixes.sort_unstable();
    for d in docs {
        let Some(parent) = d.parent.as_deref() else {
            continue;
        };
        let at = format!("{}/.doorstop.yml", d.path);
        if !parent_of.contains_key(parent) {
            problems.push(
                Problem::new(
                    at,
                    format!(
                        "document `{}` names the parent `{parent}`, which is no document of the tree",
                        d.prefix
                    ),
                )
                .help(match suggest(parent, prefixes.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? correct `parent:` under `settings:`"),
                    None => format!(
                        "the tree's documents are: {}; correct `parent:` under `settings:`",
                        prefixes.join(", ")
                    ),
                }),
            );
            continue;
        }
        // Up the parents: back to itself is a circle it stands in; a
        // circle above it that it is not part of is reported by the
        // documents in it.
        let mut up = Some(parent);
        let mut steps = 0;
        while let Some(p) = up {
            if steps > docs.len() {
                break;
            }
            if p == d.prefix {
                problems.push(
                    Problem::new(
                        at.clone(),
                        format!("document `{}` stands below itself: its parents go round in a circle", d.prefix),
                    )
                    .help("give the top document no `parent:`, and every other one the document above it"),
                );
                break;
            }
            steps += 1;
            up = parent_of.get(p).copied().flatten();
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for d in docs {
        if chosen.contains_key(&d.prefix) {
            continue;
        }
        let mut depth = 0;
        let mut p = d.parent.as_deref();
        while let Some(up) = p {
            depth += 1;
            if depth > docs.len() {
                break;
            }
            p = parent_of.get(up).copied().flatten();
        }
        match by_depth(profile).get(depth) {
            Some(k) if kinds.contains(k) => {
                chosen.insert(d.prefix.clone(), (*k).to_owned());
            }
            _ => problems.push(
                Problem::new(
                    format!("{}/.doorstop.yml", d.path),
                    format!(
                        "no kind for document `{}` ({} levels below the top)",
                        d.prefix, depth
                    ),
                )
                .help(format!(
                    "map it: --map {}=KIND, or [import.doorstop.documents] in needtrail.toml",
                    d.prefix
                )),
            ),
        }
    }
    if problems.is_empty() {
        Ok((chosen, file))
    } else {
        Err(problems)
    }
}

/// The link field of `from` that takes items of `to`, when exactly one does.
fn link_field(profile: &Profile, from: &str, to: &str) -> Result<String, String> {
    let k = profile
        .kind_index(from)
        .ok_or_else(|| format!("no kind `{from}`"))?;
    let fields: Vec<&str> = profile
        .kind(k)
        .fields
        .iter()
        .filter(|d| d.ty.is_link() && d.to.iter().any(|t| profile.kind(*t).name == to))
        .map(|d| profile.field_name(d.name))
        .collect();
    match fields.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(format!("a {from} has no link field to a {to}")),
        many => Err(format!(
            "a {from} links to a {to} through {}; map the documents to other kinds",
            many.join(" or ")
        )),
    }
}

fn prepare(
    docs: &[Document],
    kinds: &HashMap<String, String>,
    file_pattern: &str,
    loaded: &crate::load::Loaded,
) -> Result<(Batch, Vec<String>), Vec<Problem>> {
    let profile = &loaded.profile;
    // The names the tree gives attributes: an entry of an item's
    // `attributes` under another name was written by hand, and stays.
    let declared: std::collections::HashSet<&str> =
        ["level", "references", "ref", "normative", "derived"]
            .into_iter()
            .chain(
                docs.iter()
                    .flat_map(|d| &d.items)
                    .flat_map(|i| i.extra.iter().map(|(k, _)| k.as_str())),
            )
            .collect();
    let written = super::WrittenValues::new(loaded);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut records = Vec::new();
    let mut scopes = Vec::new();
    // Every active item's kind, for links.
    let mut kind_of: HashMap<&str, &str> = HashMap::new();
    for d in docs {
        for i in d.items.iter().filter(|i| i.active) {
            kind_of.insert(&i.uid, &kinds[&d.prefix]);
        }
    }
    let has_child: std::collections::HashSet<&str> =
        docs.iter().filter_map(|d| d.parent.as_deref()).collect();
    let mut inactive = Vec::new();
    for d in docs {
        let kind = &kinds[&d.prefix];
        let Some(kidx) = profile.kind_index(kind) else {
            continue;
        };
        // The name of a field the profile's roles give, if this kind has it.
        let has = |f: Option<crate::model::FieldIdx>| {
            f.filter(|f| profile.field_def(kidx, *f).is_some())
                .map(|f| profile.field_name(f))
        };
        let r = &profile.roles;
        let file = file_pattern.replace("{prefix}", &d.prefix.to_lowercase());
        scopes.push(Scope {
            kind: kind.clone(),
            file: file.clone(),
            id_prefix: d.prefix.clone(),
            linked: None,
        });
        for item in &d.items {
            if !item.active {
                inactive.push(item.uid.clone());
                continue;
            }
            let mut fields = Vec::new();
            let text = |s: &str| {
                if s.trim().is_empty() {
                    SourceValue::Empty
                } else {
                    SourceValue::Text(s.to_owned())
                }
            };
            fields.push(SourceField::new("title", text(&item.header)));
            if let Some(name) = r.common.text.map(|f| profile.field_name(f)) {
                fields.push(SourceField::new(name, text(&item.text)));
            }
            let mut attrs: Vec<(String, EditValue)> = Vec::new();
            if let Some(l) = &item.level {
                attrs.push(("level".into(), EditValue::String(l.clone())));
            }
            if !item.references.is_empty() {
                attrs.push((
                    "references".into(),
                    EditValue::Strings(item.references.clone()),
                ));
            }
            if !item.reference.is_empty() {
                attrs.push(("ref".into(), EditValue::String(item.reference.clone())));
            }
            if !item.normative {
                attrs.push(("normative".into(), EditValue::Bool(false)));
            }
            // Doorstop expects every normative item of a document that has
            // a child document to be linked from it: `design = true` asks
            // the same of the requirement.
            // Given to new items only: `design = false` with a rationale,
            // decided later in the project, is not undone by a re-import.
            if has_child.contains(d.prefix.as_str())
                && let Some(design) = has(r.requirement.design)
                && item.normative
            {
                let mut f = SourceField::new(design, SourceValue::Bool(true));
                f.only_new = true;
                fields.push(f);
            }
            if let Some(derived) = has(r.design_input.derived) {
                fields.push(SourceField::new(
                    derived,
                    if item.derived {
                        SourceValue::Bool(true)
                    } else {
                        SourceValue::Empty
                    },
                ));
            } else if item.derived {
                attrs.push(("derived".into(), EditValue::Bool(true)));
            }
            for (k, v) in &item.extra {
                attrs.push((k.clone(), scalar_value(v)));
            }
            // Links by the field each parent's kind takes.
            let mut by_field: Vec<(String, Vec<String>)> = Vec::new();
            for target in &item.links {
                let Some(tkind) = kind_of.get(target.as_str()) else {
                    notes.push(format!(
                        "{}: link to {target} not imported: no active item {target} in the tree",
                        item.uid
                    ));
                    continue;
                };
                match link_field(profile, kind, tkind) {
                    Ok(f) => match by_field.iter_mut().find(|(g, _)| *g == f) {
                        Some((_, ids)) => ids.push(target.clone()),
                        None => by_field.push((f, vec![target.clone()])),
                    },
                    Err(m) => {
                        notes.push(format!("{}: link to {target} not imported: {m}", item.uid))
                    }
                }
            }
            // A field of the kind that takes the parent document's items is
            // filled (or emptied) by every import, links or none.
            if let Some(parent) = d.parent.as_deref().and_then(|p| kinds.get(p))
                && let Ok(f) = link_field(profile, kind, parent)
                && !by_field.iter().any(|(g, _)| *g == f)
            {
                by_field.push((f, Vec::new()));
            }
            for (f, ids) in by_field {
                fields.push(SourceField::new(
                    f,
                    if ids.is_empty() {
                        SourceValue::Empty
                    } else {
                        SourceValue::List(ids)
                    },
                ));
            }
            if let Some(name) = has(r.common.attributes) {
                if let Some((now, item_now)) = loaded.project.get(&item.uid).and_then(|i| {
                    let it = loaded.project.item(i);
                    match r.common.attributes.and_then(|f| it.field(f)) {
                        Some(crate::model::Value::Map(now)) => Some((now, it)),
                        _ => None,
                    }
                }) {
                    for (k, text) in now {
                        if !declared.contains(k) && !attrs.iter().any(|(n, _)| n == k) {
                            let value = written
                                .value(loaded, item_now, name, k)
                                .unwrap_or_else(|| EditValue::String(text.to_owned()));
                            attrs.push((k.to_owned(), value));
                        }
                    }
                }
                fields.push(SourceField::new(name, SourceValue::Table(attrs)));
            }
            if item.uid.is_empty() {
                problems.push(Problem::new(&item.path, "an item file without a name"));
                continue;
            }
            records.push(Record {
                kind: kind.clone(),
                id: item.uid.clone(),
                fields,
                file: file.clone(),
                origin: item.path.clone(),
                parent: None,
            });
        }
    }
    if !inactive.is_empty() {
        notes.push(format!(
            "{} inactive item{} skipped (active: false): {}",
            inactive.len(),
            if inactive.len() == 1 { "" } else { "s" },
            inactive.join(", ")
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((
        Batch {
            records,
            scopes,
            sub_scopes: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            new_file_comment: Some(
                "Imported from a Doorstop tree by `needtrail import doorstop`: a new\nimport updates these items in place; fields it does not fill are yours.\n"
                    .into(),
            ),
        },
        notes,
    ))
}

fn scalar_value(v: &Scalar) -> EditValue {
    match v {
        Scalar::Text(s) => EditValue::String(s.clone()),
        Scalar::Integer(i) => EditValue::Integer(*i),
        Scalar::Real(r) => EditValue::Float(*r),
        Scalar::Bool(b) => EditValue::Bool(*b),
        Scalar::Date(d) => EditValue::Datetime(d.clone()),
        Scalar::List(l) => EditValue::Strings(l.clone()),
    }
}
