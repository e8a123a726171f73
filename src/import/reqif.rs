//! `needtrail import reqif FILE`: the objects of a ReqIF file (read by
//! [`crate::interchange::reqif`]) as a [`Batch`] of records, mapped by
//! default or by `[import.reqif]` in needtrail.toml; `needtrail import
//! NAME FILE.reqif` maps them by `[import.NAME]` (docs/interchange.md).

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use super::config::{ConfigText, EntryValue, Table};
use super::{Batch, Problem, Record, Scope, SourceField, SourceValue};
use crate::diag::suggest;
use crate::edit::EditValue;
use crate::interchange::reqif::{ReqIf, Resolved, Typed, names};
use crate::load::Loaded;
use crate::model::{FieldIdx, KindIdx, Value};
use crate::profile::{FieldType, Profile};

/// What the objects of one SPEC-OBJECT-TYPE become.
#[derive(Clone, Debug, PartialEq)]
enum TypeTarget {
    Kind(String),
    /// A heading: its title labels the objects below it (`section`).
    Heading,
    Skip,
}

#[derive(Clone, Debug, Default)]
struct AttrMap {
    field: String,
    values: HashMap<String, String>,
    at: String,
}

/// `[import.reqif]` (or another `[import.NAME]` given a ReqIF file),
/// checked against the profile.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    /// The mapping's name: `reqif`, or the NAME of `import NAME FILE.reqif`.
    name: String,
    file: Option<String>,
    /// Put before every id the file gives (`SRS-` makes DOORS' object
    /// number 12 the id `SRS-12`).
    id_prefix: String,
    kind: Option<String>,
    class: Option<String>,
    types: HashMap<String, TypeTarget>,
    attributes: HashMap<String, AttrMap>,
    /// Relation type → link field, and whether its TARGET is the
    /// downstream end; `None`: not imported (still reported).
    relations: HashMap<String, Option<(String, bool)>>,
}

const KEYS: &[&str] = &[
    "file",
    "id_prefix",
    "kind",
    "class",
    "types",
    "attributes",
    "relations",
];

impl Mapping {
    /// Reads and checks `[import.NAME]`: for `reqif`, no table is the
    /// default mapping; any other name must have its table.
    pub fn read(
        config: &ConfigText,
        profile: &Profile,
        name: &str,
    ) -> Result<Mapping, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut m = Mapping {
            name: name.to_owned(),
            ..Mapping::default()
        };
        let table = match config.import_table(name) {
            Ok(Some(t)) => t,
            Ok(None) if name == "reqif" => return Ok(m),
            Ok(None) => {
                let names = config.import_names();
                let hint = suggest(name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? or "))
                    .unwrap_or_default();
                return Err(vec![
                    Problem::new(
                        crate::load::CONFIG_FILE,
                        format!("no mapping `{name}` in [import] for the ReqIF file"),
                    )
                    .help(format!(
                        "{hint}declare [import.{name}] with the keys of a ReqIF mapping ({}), or run `needtrail import reqif FILE` for [import.reqif] (see docs/interchange.md)",
                        KEYS.join(", ")
                    )),
                ]);
            }
            Err(p) => return Err(vec![p]),
        };
        // A sheet's mapping given a ReqIF file: say why its keys are wrong.
        let sheet_key = |key: &str| {
            super::mapping::MAPPING_KEYS.contains(&key).then(|| {
                format!(
                    "[import.{name}] maps a sheet, and the file given is a ReqIF file, which a mapping reads with the keys {}: give the mapping a sheet (.xlsx, .xls, .ods, .csv), or the ReqIF file a mapping of its own",
                    KEYS.join(", ")
                )
            })
        };
        table.check_keys_hinting(KEYS, &sheet_key, &mut problems);
        let kinds: Vec<&str> = profile.top_kinds().map(|(_, k)| k.name.as_str()).collect();
        let check_kind = |name: &str, at: &str, problems: &mut Vec<Problem>| -> bool {
            if kinds.contains(&name) {
                return true;
            }
            problems.push(Problem::new(at, format!("no kind `{name}`")).help(
                match suggest(name, kinds.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("kinds are: {}", kinds.join(", ")),
                },
            ));
            false
        };
        if let Some((f, at)) = table.string("file", &mut problems) {
            if !f.ends_with(".toml") || f.contains("..") || f.starts_with('/') {
                problems.push(
                    Problem::new(at, format!("new items cannot go to `{f}`")).help(
                        "give a .toml file inside the project, e.g. \"requirements/customer.toml\"",
                    ),
                );
            } else {
                m.file = Some(f);
            }
        }
        if let Some((p, at)) = table.string("id_prefix", &mut problems) {
            if p.is_empty() || p.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problems.push(
                    Problem::new(at, format!("`{}` cannot begin an id", p.escape_debug())).help(
                        "give letters, digits or marks without spaces, e.g. id_prefix = \"SRS-\"",
                    ),
                );
            } else {
                m.id_prefix = p;
            }
        }
        if let Some((k, at)) = table.string("kind", &mut problems)
            && check_kind(&k, &at, &mut problems)
        {
            m.kind = Some(k);
        }
        if let Some((c, at)) = table.string("class", &mut problems) {
            let r = &profile.roles.requirement;
            let allowed = enum_values(profile, r.kind, r.class);
            if c.is_empty() || allowed.contains(&c) {
                m.class = Some(c);
            } else {
                problems.push(Problem::new(at, format!("`{c}` is not a class")).help(
                    match suggest(&c, allowed.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`? classes: {}", allowed.join(", ")),
                        None => format!("classes: {}", allowed.join(", ")),
                    },
                ));
            }
        }
        if let Some(types) = table.table("types", &mut problems) {
            for e in types.entries(&mut problems) {
                let EntryValue::String(target, at) = e.value else {
                    problems.push(
                        Problem::new(
                            e.at,
                            format!("`{}` in [import.{}.types] must name a kind", e.key, m.name),
                        )
                        .help(
                            "write \"TYPE NAME\" = \"requirement\" (or \"heading\", or \"skip\")",
                        ),
                    );
                    continue;
                };
                let t = match target.as_str() {
                    "heading" => TypeTarget::Heading,
                    "skip" => TypeTarget::Skip,
                    k if kinds.contains(&k) => TypeTarget::Kind(k.to_owned()),
                    k => {
                        let targets = kinds.iter().copied().chain(["heading", "skip"]);
                        problems.push(
                            Problem::new(at, format!("no kind `{k}`, nor `heading` or `skip`"))
                                .help(match suggest(k, targets) {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => format!(
                                        "a type becomes a kind ({}), \"heading\" or \"skip\"",
                                        kinds.join(", ")
                                    ),
                                }),
                        );
                        continue;
                    }
                };
                m.types.insert(e.key, t);
            }
        }
        if let Some(attrs) = table.table("attributes", &mut problems) {
            for e in attrs.entries(&mut problems) {
                let a = match e.value {
                    EntryValue::String(field, at) => AttrMap {
                        field,
                        values: HashMap::default(),
                        at,
                    },
                    EntryValue::Table(t) => match attr_table(&t, &mut problems) {
                        Some(a) => a,
                        None => continue,
                    },
                };
                if check_field(profile, &m.name, &a, &mut problems) {
                    m.attributes.insert(e.key, a);
                }
            }
        }
        if let Some(rels) = table.table("relations", &mut problems) {
            let links: Vec<&str> = link_fields(profile);
            for e in rels.entries(&mut problems) {
                let (field, at, reverse) = match e.value {
                    EntryValue::String(field, at) => (field, at, false),
                    EntryValue::Table(t) => {
                        t.check_keys(&["field", "reverse"], &mut problems);
                        let reverse = t.boolean("reverse", &mut problems).unwrap_or(false);
                        match t.string("field", &mut problems) {
                            Some((field, at)) => (field, at, reverse),
                            None => {
                                problems.push(
                                    Problem::new(
                                        t.position(),
                                        format!("[{}] names no `field`", t.path),
                                    )
                                    .help("write { field = \"traces\", reverse = true }"),
                                );
                                continue;
                            }
                        }
                    }
                };
                if field == "skip" {
                    m.relations.insert(e.key, None);
                } else if links.contains(&field.as_str()) {
                    m.relations.insert(e.key, Some((field, reverse)));
                } else {
                    problems.push(Problem::new(at, format!("no link field `{field}`")).help(
                        match suggest(&field, links.iter().copied()) {
                            Some(s) => {
                                format!("did you mean `{s}`? link fields: {}", links.join(", "))
                            }
                            None => format!("link fields: {}", links.join(", ")),
                        },
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(problems)
        }
    }
}

fn attr_table(t: &Table<'_>, problems: &mut Vec<Problem>) -> Option<AttrMap> {
    t.check_keys(&["field", "values"], problems);
    let Some((field, at)) = t.string("field", problems) else {
        problems.push(
            Problem::new(t.position(), format!("[{}] names no `field`", t.path))
                .help("write { field = \"...\", values = { \"THEIR VALUE\" = \"our value\" } }"),
        );
        return None;
    };
    let mut values = HashMap::default();
    if let Some(v) = t.table("values", problems) {
        for e in v.entries(problems) {
            match e.value {
                EntryValue::String(s, _) => {
                    values.insert(e.key, s);
                }
                EntryValue::Table(_) => problems.push(
                    Problem::new(e.at, "a value map maps one value to one value")
                        .help("write \"THEIR VALUE\" = \"our value\""),
                ),
            }
        }
    }
    Some(AttrMap { field, values, at })
}

fn link_fields(profile: &Profile) -> Vec<&str> {
    let mut out: Vec<&str> = profile
        .top_kinds()
        .flat_map(|(_, k)| k.fields.iter())
        .filter(|f| f.ty.is_link())
        .map(|f| profile.field_name(f.name))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn enum_values(profile: &Profile, kind: Option<KindIdx>, field: Option<FieldIdx>) -> Vec<String> {
    let (Some(k), Some(f)) = (kind, field) else {
        return Vec::new();
    };
    profile
        .field_def(k, f)
        .map(|d| d.values.clone())
        .unwrap_or_default()
}

/// A mapped attribute's field must exist (not as a link) on some kind, and
/// its value map must give values the field allows.
fn check_field(profile: &Profile, mapping: &str, a: &AttrMap, problems: &mut Vec<Problem>) -> bool {
    let mut names: Vec<&str> = vec!["title"];
    names.extend(profile.roles.common.text.map(|f| profile.field_name(f)));
    let mut defs = Vec::new();
    for (k, _) in profile.top_kinds() {
        for n in profile.field_names_of(k) {
            if let Some(d) = profile
                .field_index(n)
                .and_then(|i| profile.field_def(k, i))
                .filter(|d| !d.ty.is_link() && d.ty != FieldType::Fingerprints)
            {
                names.push(n);
                if n == a.field {
                    defs.push(d);
                }
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    if !names.contains(&a.field.as_str()) {
        problems.push(
            Problem::new(&a.at, format!("no field `{}` an attribute can fill", a.field)).help(
                match suggest(&a.field, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? (relations fill link fields: [import.{mapping}.relations])"),
                    None => "name a field of the kind, or leave the attribute out: it is then kept in `attributes`".into(),
                },
            ),
        );
        return false;
    }
    let enums: Vec<&String> = defs
        .iter()
        .filter(|d| d.ty == FieldType::Enum)
        .flat_map(|d| d.values.iter())
        .collect();
    let mut ok = true;
    if !enums.is_empty() {
        for (from, to) in &a.values {
            if !enums.contains(&to) {
                problems.push(
                    Problem::new(
                        &a.at,
                        format!(
                            "`{from}` maps to `{to}`, which `{}` does not allow",
                            a.field
                        ),
                    )
                    .help(format!(
                        "allowed: {}",
                        enums
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                ok = false;
            }
        }
    }
    ok
}

/// The import of one ReqIF file: the batch, and what could not become a
/// field or link (reported with the summary, never dropped silently).
pub struct Prepared {
    pub batch: Batch,
    pub notes: Vec<String>,
}

/// The title of an object: ReqIF.ChapterName, ReqIF.Name, or its LONG-NAME.
fn title_of(o: &Resolved) -> Option<String> {
    o.text(names::CHAPTER_NAME)
        .or_else(|| o.text(names::NAME))
        .or_else(|| o.long_name.clone().filter(|s| !s.trim().is_empty()))
}

/// What an object is: an item of a kind, a heading (and why), or skipped.
enum Role {
    Item(String),
    Heading(&'static str),
    Skip,
}

/// What one object makes.
enum Made<'o> {
    Nothing,
    /// Not an item, and why.
    NotImported(&'o str, &'static str),
    Record {
        identifier: &'o str,
        record: Record,
        /// What of it is kept nowhere.
        note: Option<String>,
    },
}

/// Builds the batch for the documents of one file.
pub fn prepare(
    docs: Vec<ReqIf>,
    source: &Path,
    loaded: &Loaded,
    mapping: &Mapping,
) -> Result<Prepared, Vec<Problem>> {
    let profile = &loaded.profile;
    let file_name = source
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".into());
    let target_file = mapping.file.clone().unwrap_or_else(|| {
        let safe: String = stem
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("reqif/{safe}.toml")
    });
    let roles = &profile.roles;
    let default_kind = mapping.kind.clone().unwrap_or_else(|| {
        roles
            .requirement
            .kind
            .map(|k| profile.kind(k).name.clone())
            .unwrap_or_default()
    });
    let text_name = roles.common.text.map(|f| profile.field_name(f));
    // The attributes the mapping makes the text.
    let text_attributes: Vec<&str> = mapping
        .attributes
        .iter()
        .filter(|(_, a)| Some(a.field.as_str()) == text_name)
        .map(|(n, _)| n.as_str())
        .collect();
    // Fields an attribute of the same name never fills: the item's own id,
    // title and text, and what the import itself writes.
    let c = &roles.common;
    let own = [
        Some(profile.id_field),
        Some(profile.title_field),
        c.text,
        c.reqif_id,
        c.section,
        c.attributes,
    ];
    let kind_names: HashMap<String, String> = profile
        .top_kinds()
        .map(|(_, k)| (k.name.to_lowercase(), k.name.clone()))
        .collect();
    let written = super::WrittenValues::new(loaded);
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let mut records: Vec<Record> = Vec::new();
    // ReqIF IDENTIFIER → (record index, kind).
    let mut by_identifier: HashMap<String, (usize, String)> = HashMap::default();
    let mut not_imported: HashMap<String, &'static str> = HashMap::default();
    let mut ids: HashMap<String, String> = HashMap::default();
    let mut relations = Vec::new();

    // The relation types the files declare, used or not.
    let mut relation_types: Vec<String> = Vec::new();
    for mut doc in docs {
        relation_types.extend(doc.relation_types.values().map(|t| t.name().to_owned()));
        let target_of = |type_name: &str| -> Option<TypeTarget> {
            if let Some(t) = mapping.types.get(type_name) {
                return Some(t.clone());
            }
            if mapping.kind.is_some() {
                // The mapping's `kind` is the kind of every type `types`
                // does not name, whatever the type is called.
                return None;
            }
            kind_names
                .get(&type_name.to_lowercase())
                .map(|k| TypeTarget::Kind(k.clone()))
        };
        // Worked out once a type, not once an object.
        let targets: HashMap<&str, Option<TypeTarget>> = doc
            .object_types
            .values()
            .map(|t| (t.name(), target_of(t.name())))
            .collect();
        let type_target = |o: &Resolved| -> Option<TypeTarget> {
            match targets.get(o.type_name.as_str()) {
                Some(t) => t.clone(),
                None => target_of(&o.type_name),
            }
        };
        // An object's id: its ReqIF.ForeignID, else its IDENTIFIER, after
        // the mapping's prefix.
        let id_of = |o: &Resolved| {
            let own = o.text(names::FOREIGN_ID);
            let own = own.as_deref().map_or(o.identifier.as_str(), str::trim);
            format!("{}{own}", mapping.id_prefix)
        };
        // What an object becomes. An object with no text but a chapter name
        // is a heading whatever its type: DOORS gives a module's headings
        // the type of its requirements, and writes their Object Heading as
        // ReqIF.ChapterName.
        let role = |o: &Resolved| -> Role {
            let has_text = o.text(names::TEXT).is_some()
                || text_attributes.iter().any(|n| o.text(n).is_some());
            match type_target(o) {
                Some(TypeTarget::Skip) => Role::Skip,
                Some(TypeTarget::Heading) => Role::Heading("it is a heading"),
                _ if !has_text && o.text(names::CHAPTER_NAME).is_some() => {
                    Role::Heading("it is a heading (a chapter name and no text)")
                }
                Some(TypeTarget::Kind(k)) => Role::Item(k),
                // A module the mapping gives a kind holds items of it, with
                // text or (a title alone) without; headings have their
                // chapter name, above.
                None if has_text || mapping.kind.is_some() => Role::Item(default_kind.clone()),
                None => Role::Heading("it is a heading (it has no text)"),
            }
        };
        let is_heading = |o: &Resolved| matches!(role(o), Role::Heading(_));
        // The path above an object: the headings' titles, and the id of a
        // requirement (or other item) that objects are nested under.
        let resolved = doc.resolve(&|o| {
            if is_heading(o) {
                title_of(o)
            } else if matches!(role(o), Role::Skip) {
                None
            } else {
                Some(id_of(o))
            }
        });
        notes.extend(
            resolved
                .warnings
                .iter()
                .map(|w| format!("{}: {w}", doc.source_name)),
        );
        // The objects as read are resolved now: let them go before the
        // records are made of them.
        doc.objects = Vec::new();
        doc.relations = Vec::new();
        doc.specifications = Vec::new();
        let objects: HashMap<&str, &Resolved> = resolved
            .objects
            .iter()
            .map(|o| (o.identifier.as_str(), o))
            .collect();
        // The attributes the file declares: an entry of an item's
        // `attributes` under one of these names is the file's to change or
        // remove; any other was written by hand, and stays.
        let declared: HashSet<&str> = doc.attributes.values().map(|a| a.name()).collect();
        // Each object's record is made on every core; what depends on the
        // objects before it (repeated ids) is settled after, in order.
        let made: Vec<Made<'_>> = resolved
            .order
            .par_iter()
            .map(|identifier| {
                let Some(o) = objects.get(identifier.as_str()) else {
                    return Made::Nothing;
                };
                let kind = match role(o) {
                    Role::Skip => {
                        return Made::NotImported(&o.identifier, "its type is skipped");
                    }
                    Role::Heading(why) => return Made::NotImported(&o.identifier, why),
                    Role::Item(k) => k,
                };
                let Some(kidx) = profile.kind_index(&kind) else {
                    return Made::Nothing;
                };
                let id = id_of(o);
                let origin = format!("{}, SPEC-OBJECT {}", doc.source_name, o.identifier);
                let has_name = |f: &str| {
                    profile
                        .field_index(f)
                        .and_then(|i| profile.field_def(kidx, i))
                        .is_some()
                };
                // The name of a field the profile's roles give, if this kind has it.
                let has = |f: Option<FieldIdx>| {
                    f.filter(|f| profile.field_def(kidx, *f).is_some())
                        .map(|f| profile.field_name(f))
                };
                let mut fields = Vec::new();
                let mut note = None;
                let mut used: HashSet<&str> = HashSet::default();
                used.insert(names::FOREIGN_ID);
                // Mapped attributes first: they may fill title or text.
                let mut extra: Vec<(String, EditValue)> = Vec::new();
                let mut filled: HashSet<String> = HashSet::default();
                for (name, value) in &o.values {
                    if name.starts_with("needtrail.") {
                        // Answers needtrail wrote (review verdicts): not item data.
                        used.insert(name);
                        continue;
                    }
                    if let Some(a) = mapping.attributes.get(name) {
                        used.insert(name);
                        if a.field == "title"
                            || Some(a.field.as_str()) == text_name
                            || has_name(&a.field)
                        {
                            fields.push(
                                SourceField::new(&a.field, mapped_value(value, a))
                                    .at(format!("attribute {name}")),
                            );
                            filled.insert(a.field.clone());
                        } else {
                            extra.push((name.clone(), edit_value(value)));
                        }
                    }
                }
                if !filled.contains("title")
                    && let Some(t) = title_of(o)
                {
                    fields.push(SourceField::new("title", SourceValue::Text(t)));
                }
                used.insert(names::CHAPTER_NAME);
                used.insert(names::NAME);
                if let Some(text) = text_name
                    && !filled.contains(text)
                    && let Some(t) = o.text(names::TEXT)
                {
                    fields.push(SourceField::new(text, SourceValue::Text(t)));
                }
                used.insert(names::TEXT);
                let (spec, path) = resolved
                    .placement
                    .get(&o.identifier)
                    .cloned()
                    .unwrap_or_default();
                if let Some(reqif_id) = has(roles.common.reqif_id) {
                    fields.push(SourceField::new(
                        reqif_id,
                        SourceValue::Text(o.identifier.clone()),
                    ));
                }
                if let Some(section) = has(roles.common.section) {
                    // The headings above the object; else a `section` attribute
                    // (as needtrail's own export writes it).
                    let given = o
                        .values
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(section))
                        .map(|(n, v)| (n.as_str(), v.display()));
                    let v = if !path.is_empty() {
                        SourceValue::Text(path.join(" / "))
                    } else if let Some((name, text)) = &given {
                        used.insert(name);
                        SourceValue::Text(text.clone())
                    } else {
                        SourceValue::Empty
                    };
                    fields.push(SourceField::new(section, v));
                }
                // Attributes named like a field of the kind fill it when the
                // value fits; everything else is kept in `attributes`.
                for (name, value) in &o.values {
                    if used.contains(name.as_str()) {
                        continue;
                    }
                    let field = name.to_lowercase();
                    let fits = !filled.contains(&field)
                        && profile
                            .field_index(&field)
                            .filter(|i| !own.contains(&Some(*i)))
                            .and_then(|i| profile.field_def(kidx, i))
                            .is_some_and(|d| fits(d.ty, &d.values, value));
                    if fits {
                        fields.push(SourceField::new(&field, plain_value(value)));
                        filled.insert(field);
                    } else {
                        extra.push((name.clone(), edit_value(value)));
                    }
                }
                if let Some(source) = has(roles.requirement.source)
                    && !filled.contains(source)
                    && !spec.is_empty()
                {
                    fields.push(SourceField::new(
                        source,
                        SourceValue::Text(format!("{spec} ({file_name})")),
                    ));
                }
                if let Some(class_f) = has(roles.requirement.class)
                    && !filled.contains(class_f)
                {
                    let class = mapping.class.clone().unwrap_or_else(|| {
                        let default = &roles.requirement.default_class;
                        default.first().cloned().unwrap_or_default()
                    });
                    if !class.is_empty() {
                        let mut f = SourceField::new(class_f, SourceValue::Text(class));
                        f.only_new = true;
                        fields.push(f);
                    }
                }
                if let Some(attributes) = has(roles.common.attributes) {
                    let f = roles.common.attributes;
                    if let Some((item, Some(Value::Map(now)))) = loaded
                        .project
                        .get(&id)
                        .map(|x| loaded.project.item(x))
                        .map(|item| (item, f.and_then(|f| item.field(f))))
                    {
                        for (name, text) in now {
                            if !declared.contains(name) && !extra.iter().any(|(n, _)| n == name) {
                                let value = written.value(loaded, item, attributes, name);
                                extra.push((
                                    name.to_owned(),
                                    value.unwrap_or_else(|| EditValue::String(text.to_owned())),
                                ));
                            }
                        }
                    }
                    fields.push(SourceField::new(attributes, SourceValue::Table(extra)));
                } else if !extra.is_empty() {
                    note = Some(format!(
                        "{id}: attributes kept nowhere, the {kind} kind has no `attributes` field: {}",
                        extra
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Made::Record {
                    identifier: &o.identifier,
                    record: Record {
                        kind,
                        id,
                        fields,
                        file: target_file.clone(),
                        origin,
                        parent: None,
                    },
                    note,
                }
            })
            .collect();
        for m in made {
            let (identifier, record, note) = match m {
                Made::Nothing => continue,
                Made::NotImported(identifier, why) => {
                    not_imported.insert(identifier.to_owned(), why);
                    continue;
                }
                Made::Record {
                    identifier,
                    record,
                    note,
                } => (identifier, record, note),
            };
            let (id, origin) = (&record.id, &record.origin);
            if let Some(first) = ids.insert(id.clone(), origin.clone()) {
                problems.push(
                    Problem::new(
                        origin,
                        format!("the id `{id}` is given twice; first at {first}"),
                    )
                    .help("each object needs its own ReqIF.ForeignID"),
                );
                continue;
            }
            notes.extend(note);
            if by_identifier.contains_key(identifier) {
                // Two files of one archive with one IDENTIFIER: a relation
                // to it could not tell which object it means.
                problems.push(
                    Problem::new(
                        origin,
                        format!(
                            "the IDENTIFIER `{identifier}` is given to an object of another file of the archive too"
                        ),
                    )
                    .help("each object of an archive needs its own IDENTIFIER: export the archive again, or import its files one by one"),
                );
                continue;
            }
            by_identifier.insert(identifier.to_owned(), (records.len(), record.kind.clone()));
            records.push(record);
        }
        relations.extend(
            resolved
                .relations
                .iter()
                .cloned()
                .map(|r| (doc.source_name.clone(), r)),
        );
    }

    // Items imported earlier from other files, by their ReqIF identifier.
    let mut known: HashMap<&str, (String, String)> = HashMap::default();
    if let Some(f) = roles.common.reqif_id {
        for item in &loaded.project.items {
            if let Some(Value::String(r)) = item.field(f) {
                known.insert(
                    r.as_str(),
                    (item.id.clone(), profile.kind(item.kind).name.clone()),
                );
            }
        }
    }

    // Relations → links on the source (downstream) item.
    let mut links: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    for (doc_name, r) in &relations {
        let describe = || {
            let end = |x: &str| {
                by_identifier
                    .get(x)
                    .map(|(i, _)| records[*i].id.clone())
                    .unwrap_or_else(|| x.to_owned())
            };
            format!(
                "{doc_name}: SPEC-RELATION {} `{}` {} → {}",
                r.identifier,
                r.type_name,
                end(&r.source),
                end(&r.target)
            )
        };
        // The downstream end writes the link: the SOURCE, unless the
        // mapping says the relation type points the other way.
        let reverse = matches!(mapping.relations.get(&r.type_name), Some(Some((_, true))));
        let (down, up) = if reverse {
            (&r.target, &r.source)
        } else {
            (&r.source, &r.target)
        };
        let Some((si, skind)) = by_identifier.get(down) else {
            let why = not_imported
                .get(down)
                .copied()
                .unwrap_or("it is not in the file");
            notes.push(format!(
                "{} not imported: its source is not imported ({why})",
                describe()
            ));
            continue;
        };
        let target = by_identifier
            .get(up)
            .map(|(i, k)| (records[*i].id.clone(), k.clone()))
            .or_else(|| known.get(up.as_str()).cloned());
        let Some((tid, tkind)) = target else {
            let why = not_imported
                .get(up)
                .copied()
                .unwrap_or("it is not in the file");
            notes.push(format!(
                "{} not imported: its target is not imported ({why})",
                describe()
            ));
            continue;
        };
        let field = match mapping.relations.get(&r.type_name) {
            Some(None) => {
                notes.push(format!(
                    "{} not imported: [import.{}.relations] skips its type",
                    describe(),
                    mapping.name
                ));
                continue;
            }
            Some(Some((f, _))) => Some(f.clone()),
            None => link_field_for(profile, skind, &tkind, &r.type_name),
        };
        let Some(field) = field else {
            notes.push(format!(
                "{} not imported: a {skind} has no link field to a {tkind}; map the relation type in [import.{}.relations]",
                describe(),
                mapping.name
            ));
            continue;
        };
        let ok = profile
            .kind_index(skind)
            .zip(profile.field_index(&field))
            .and_then(|(k, f)| profile.field_def(k, f))
            .filter(|d| d.ty.is_link())
            .is_some_and(|d| d.to.iter().any(|t| profile.kind(*t).name == tkind));
        if !ok {
            notes.push(format!(
                "{} not imported: `{field}` of a {skind} does not link to a {tkind}",
                describe()
            ));
            continue;
        }
        let list = links.entry((*si, field.clone())).or_default();
        if !list.contains(&tid) {
            list.push(tid);
        }
    }
    // The link fields the file fills, by kind: those its relations fill,
    // those its mapping's `relations` name, and those named like a
    // relation type it declares (`refines`), which say their field even
    // with no relation left. In them, the links between the file's own
    // objects are the file's (see below).
    let mut owned: Vec<(String, String)> = links
        .keys()
        .map(|(i, f)| (records[*i].kind.clone(), f.clone()))
        .collect();
    let mut named: Vec<String> = relation_types
        .iter()
        .filter(|t| !mapping.relations.contains_key(*t))
        .map(|t| t.to_lowercase())
        .chain(mapping.relations.values().flatten().map(|(f, _)| f.clone()))
        .collect();
    named.sort();
    named.dedup();
    let mut record_kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    record_kinds.sort_unstable();
    record_kinds.dedup();
    for &kind in &record_kinds {
        let Some(k) = profile.kind_index(kind) else {
            continue;
        };
        // The field a relation of a declared type would fill between two
        // kinds of the file's items: its last relation gone, its link goes.
        for t in relation_types
            .iter()
            .filter(|t| !mapping.relations.contains_key(*t))
        {
            for &target in &record_kinds {
                if let Some(field) = link_field_for(profile, kind, target, t) {
                    owned.push((kind.to_owned(), field));
                }
            }
        }
        for field in &named {
            if profile
                .field_index(field)
                .and_then(|f| profile.field_def(k, f))
                .is_some_and(|d| d.ty.is_link())
            {
                owned.push((kind.to_owned(), field.clone()));
            }
        }
    }
    owned.sort();
    owned.dedup();
    // A link to an object of this file is the file's to make or remove;
    // a link to anything else (written by hand, or by another import) is
    // kept where it stands, first, in its order: a file read twice
    // changes nothing.
    let file_ids: HashSet<String> = records.iter().map(|r| r.id.clone()).collect();
    let project = &loaded.project;
    for (i, record) in records.iter_mut().enumerate() {
        let from = owned.partition_point(|(k, _)| *k < record.kind);
        let mut fields: Vec<String> = owned[from..]
            .iter()
            .take_while(|(k, _)| *k == record.kind)
            .map(|(_, f)| f.clone())
            .collect();
        fields.extend(
            links
                .range((i, String::new())..(i + 1, String::new()))
                .map(|((_, f), _)| f.clone()),
        );
        fields.sort();
        fields.dedup();
        let existing = project.get(&record.id).map(|x| project.item(x));
        for field in fields {
            let stated = links.remove(&(i, field.clone())).unwrap_or_default();
            let f = profile.field_index(&field);
            let current: Vec<&str> = match (existing, f) {
                (Some(item), Some(f)) => item
                    .links
                    .iter()
                    .filter(|l| l.field == f && !l.inherited)
                    .map(|l| project.id_of(l.target))
                    .collect(),
                _ => Vec::new(),
            };
            let single = profile
                .kind_index(&record.kind)
                .zip(f)
                .and_then(|(k, f)| profile.field_def(k, f))
                .is_some_and(|d| d.ty == FieldType::Link);
            let ids: Vec<String> = if single {
                // One link: the file's, if it states one.
                if stated.len() > 1 {
                    notes.push(format!(
                        "{}: `{field}` links to one item; kept {}, not {}",
                        record.id,
                        stated[0],
                        stated[1..].join(", ")
                    ));
                }
                match stated.first() {
                    Some(t) => vec![t.clone()],
                    None => current
                        .iter()
                        .filter(|t| !file_ids.contains(**t))
                        .take(1)
                        .map(|t| (*t).to_owned())
                        .collect(),
                }
            } else {
                let mut ids: Vec<String> = current
                    .iter()
                    .filter(|t| !file_ids.contains(**t) || stated.iter().any(|s| s == **t))
                    .map(|t| (*t).to_owned())
                    .collect();
                for t in stated {
                    if !ids.contains(&t) {
                        ids.push(t);
                    }
                }
                ids
            };
            let value = if ids.is_empty() {
                SourceValue::Empty
            } else {
                SourceValue::List(ids)
            };
            record.fields.push(SourceField::new(field, value));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut kinds: Vec<String> = records.iter().map(|r| r.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let scopes = kinds
        .into_iter()
        .map(|kind| Scope {
            kind,
            file: target_file.clone(),
            // Items of another module put in the same file under their
            // own prefix are not this import's to report or prune.
            id_prefix: mapping.id_prefix.clone(),
            linked: None,
        })
        .collect();
    Ok(Prepared {
        batch: Batch {
            records,
            scopes,
            sub_scopes: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            new_file_comment: Some(format!(
                "Imported from {file_name} by `needtrail import {}`: a new import\nupdates these items in place; fields it does not fill are yours.\n",
                mapping.name
            )),
        },
        notes,
    })
}

/// The link field a relation of `type_name` from a `skind` to a `tkind`
/// fills: the field named like the relation type, else the only link
/// field of `skind` that takes a `tkind`.
fn link_field_for(profile: &Profile, skind: &str, tkind: &str, type_name: &str) -> Option<String> {
    let k = profile.kind_index(skind)?;
    let candidates: Vec<&str> = profile
        .kind(k)
        .fields
        .iter()
        .filter(|d| d.ty.is_link() && d.to.iter().any(|t| profile.kind(*t).name == tkind))
        .map(|d| profile.field_name(d.name))
        .collect();
    let lower = type_name.to_lowercase();
    if let Some(f) = candidates.iter().find(|f| **f == lower) {
        return Some((*f).to_owned());
    }
    match candidates.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

/// Whether an attribute's value fits a field of this type as it is.
fn fits(ty: FieldType, allowed: &[String], v: &Typed) -> bool {
    match (ty, v) {
        (FieldType::String, Typed::Text(_) | Typed::Enum(_)) => true,
        (FieldType::Strings, Typed::Text(_) | Typed::Enum(_)) => true,
        (FieldType::Integer, Typed::Integer(_)) => true,
        (FieldType::Number, Typed::Integer(_) | Typed::Real(_)) => true,
        (FieldType::Bool, Typed::Bool(_)) => true,
        // needtrail writes booleans as a true/false enumeration and numbers
        // as text, which StrictDoc reads.
        (FieldType::Bool, Typed::Enum(v)) => {
            v.len() == 1 && matches!(v[0].as_str(), "true" | "false")
        }
        (FieldType::Number, Typed::Text(s)) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        (FieldType::Date, Typed::Date(d)) => super::parse_date(d).is_some(),
        (FieldType::Enum, Typed::Text(s)) => allowed.contains(s),
        (FieldType::Enum, Typed::Enum(v)) => v.len() == 1 && allowed.contains(&v[0]),
        _ => false,
    }
}

fn plain_value(v: &Typed) -> SourceValue {
    match v {
        Typed::Text(s) | Typed::Date(s) => SourceValue::Text(s.clone()),
        Typed::Integer(i) => SourceValue::Number(*i as f64),
        Typed::Real(r) => SourceValue::Number(*r),
        Typed::Bool(b) => SourceValue::Bool(*b),
        Typed::Enum(v) if v.len() == 1 => SourceValue::Text(v[0].clone()),
        Typed::Enum(v) => SourceValue::List(v.clone()),
    }
}

fn mapped_value(v: &Typed, a: &AttrMap) -> SourceValue {
    let map = |s: &String| a.values.get(s).cloned().unwrap_or_else(|| s.clone());
    match v {
        Typed::Text(s) => SourceValue::Text(map(s)),
        Typed::Enum(v) if v.len() == 1 => SourceValue::Text(map(&v[0])),
        Typed::Enum(v) => SourceValue::List(v.iter().map(map).collect()),
        other => plain_value(other),
    }
}

/// A value for the `attributes` table, with its type.
fn edit_value(v: &Typed) -> EditValue {
    match v {
        Typed::Text(s) => EditValue::String(s.clone()),
        Typed::Integer(i) => EditValue::Integer(*i),
        Typed::Real(r) => EditValue::Float(*r),
        Typed::Bool(b) => EditValue::Bool(*b),
        // As the project reads the date-time back (`.000` is `.0`), so that
        // an unchanged file compares equal.
        Typed::Date(d) => EditValue::Datetime(
            d.trim()
                .parse::<toml_edit::Datetime>()
                .map_or_else(|_| d.clone(), |t| t.to_string()),
        ),
        Typed::Enum(v) if v.len() == 1 => EditValue::String(v[0].clone()),
        Typed::Enum(v) => EditValue::Strings(v.clone()),
    }
}

/// Imports a `.reqif` or `.reqifz` file into the project in `root` with
/// the mapping `[import.NAME]` (`reqif`: the default one): the summary,
/// and the notes on what did not become a field or link.
pub fn run(
    root: &Path,
    file: &Path,
    name: &str,
    options: super::Options,
) -> Result<(super::Summary, Vec<String>), super::ImportError> {
    let loaded = crate::load::load(root).map_err(super::ImportError::Load)?;
    let mapping = Mapping::read(&ConfigText::read(root), &loaded.profile, name)?;
    let docs = crate::interchange::reqif::read::read_path(file)
        .map_err(|e| vec![Problem::new(e.place(), e.message)])?;
    let prepared = prepare(docs, file, &loaded, &mapping)?;
    drop(loaded);
    let summary = super::apply(root, &prepared.batch, options)?;
    Ok((summary, prepared.notes))
}
