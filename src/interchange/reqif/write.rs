//! Writing the project as ReqIF 1.0, for the customer's requirements tool.
//!
//! One SPEC-OBJECT-TYPE per kind, with an attribute definition per field
//! (strings, enumerations with their values, dates, booleans, numbers, the
//! text as XHTML) besides the standard `ReqIF.ForeignID`, `ReqIF.Name` and
//! `ReqIF.Text`; a SPEC-RELATION-TYPE per link field; one SPECIFICATION per
//! contract (its requirements) and per kind (everything else). Each
//! requirement carries the verdict and note of its latest contract-review
//! decision. Identifiers are the item's original ReqIF IDENTIFIER when it
//! came from a ReqIF file, else derived from its kind and id, so the same
//! project always gives the same file; the creation time is
//! `SOURCE_DATE_EPOCH`, else fixed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write as _;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use sha2::{Digest, Sha256};

use super::read::{REQIF_NS, XHTML_NS};
use crate::diag::suggest;
use crate::model::{ItemIdx, Value};
use crate::pipeline::Checked;
use crate::profile::{FieldType, Profile};

/// What `export reqif` writes.
pub struct ExportOptions {
    /// Only these kinds (empty: every top-level kind but `review`).
    pub kinds: Vec<String>,
    /// Only the requirements of this contract, and what traces to them.
    pub contract: Option<String>,
    /// A `.reqifz` (a zip holding the `.reqif`).
    pub zipped: bool,
    /// The name of the `.reqif` inside a `.reqifz`, without extension.
    pub file_name: String,
}

type W = Writer<Vec<u8>>;

/// An identifier fit for `xsd:ID`, derived from its parts.
fn derived_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("_nt-{hex}")
}

/// `prefix-name` when the name is fit for an identifier, else a hash.
fn readable_id(prefix: &str, name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        format!("_nt-{prefix}-{name}")
    } else {
        derived_id(&[prefix, name])
    }
}

/// Whether a text is an `xsd:ID` (an NCName) as far as a ReqIF tool needs.
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Characters XML 1.0 cannot hold become U+FFFD.
fn xml_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// An attribute value escaped by the crate, with line breaks and tabs as
/// character references so that a reader's attribute-value normalisation
/// keeps them.
fn attr<'a>(key: &'a str, value: &str) -> Attribute<'a> {
    let escaped = quick_xml::escape::escape(xml_text(value))
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;");
    Attribute {
        key: QName(key.as_bytes()),
        value: Cow::Owned(escaped.into_bytes()),
    }
}

fn open(w: &mut W, name: &str, attrs: &[(&str, &str)]) {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute(attr(k, v));
    }
    let _ = w.write_event(Event::Start(e));
}

fn empty(w: &mut W, name: &str, attrs: &[(&str, &str)]) {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute(attr(k, v));
    }
    let _ = w.write_event(Event::Empty(e));
}

fn close(w: &mut W, name: &str) {
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

fn text_element(w: &mut W, name: &str, text: &str) {
    open(w, name, &[]);
    let t = xml_text(text);
    let _ = w.write_event(Event::Text(BytesText::new(&t)));
    close(w, name);
}

/// `<TYPE><REF>id</REF></TYPE>` and the like.
fn reference(w: &mut W, outer: &str, inner: &str, id: &str) {
    open(w, outer, &[]);
    text_element(w, inner, id);
    close(w, outer);
}

/// The datatype of a field in ReqIF.
#[derive(Clone, Copy, PartialEq)]
enum Ty {
    String,
    Xhtml,
    Date,
    Integer,
    Enum,
}

impl Ty {
    fn suffix(self) -> &'static str {
        match self {
            Ty::String => "STRING",
            Ty::Xhtml => "XHTML",
            Ty::Date => "DATE",
            Ty::Integer => "INTEGER",
            Ty::Enum => "ENUMERATION",
        }
    }
}

/// One attribute definition of a kind's type.
struct AttrDef {
    id: String,
    name: String,
    ty: Ty,
    /// The datatype's identifier.
    datatype: String,
    /// How the value is found on an item.
    source: Source,
}

enum Source {
    Id,
    Title,
    Text,
    Field(crate::model::FieldIdx),
    /// An entry of the `attributes` table.
    Attribute(String),
    Verdict,
    Note,
    Review,
}

/// An enumeration's values: datatype id, name, values.
struct EnumType {
    id: String,
    name: String,
    values: Vec<String>,
}

fn value_id(datatype: &str, value: &str) -> String {
    derived_id(&[datatype, value])
}

/// The time the file says it was made.
fn creation_time() -> Result<String, String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse::<i64>().map_err(|_| {
            format!("SOURCE_DATE_EPOCH is `{v}`, not a number of seconds since 1970")
        })?,
        _ => 0,
    };
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let date = crate::calendar::Date::from_days(days);
    Ok(format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    ))
}

/// The latest decision on each requirement: (verdict, note, review id).
fn verdicts(checked: &Checked) -> HashMap<ItemIdx, (String, String, String)> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let mut out: HashMap<ItemIdx, (String, (String, String, String))> = HashMap::new();
    let d = &profile.roles.decision;
    let (Some(decision), Some(req_f), Some(verdict_f)) = (d.kind, d.requirement, d.verdict) else {
        return HashMap::new();
    };
    let (note_f, date_f) = (d.note, d.date);
    for &d in &project.by_kind[decision as usize] {
        let item = project.item(d);
        let Some(req) = item
            .links
            .iter()
            .find(|l| l.field == req_f)
            .map(|l| l.target)
        else {
            continue;
        };
        let verdict = match item.field(verdict_f) {
            Some(Value::String(v)) => v.clone(),
            _ => continue,
        };
        let note = note_f
            .and_then(|f| item.field(f))
            .map(Value::display)
            .unwrap_or_default();
        let date = date_f
            .and_then(|f| item.field(f))
            .map(Value::display)
            .unwrap_or_default();
        let review = item
            .parent
            .map(|p| project.item(p).id.clone())
            .unwrap_or_default();
        // The latest date wins; on the same date, the later one written.
        match out.get(&req) {
            Some((d0, _)) if *d0 > date => {}
            _ => {
                out.insert(req, (date, (verdict, note, review)));
            }
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

/// Which kinds, and which items, are exported.
fn select(checked: &Checked, options: &ExportOptions) -> Result<Vec<ItemIdx>, String> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let top: Vec<&str> = profile.top_kinds().map(|(_, k)| k.name.as_str()).collect();
    let mut kinds: HashSet<crate::model::KindIdx> = HashSet::new();
    if options.kinds.is_empty() {
        // Reviews go out as each requirement's verdict, not as objects.
        for (k, _) in profile.top_kinds() {
            if Some(k) != profile.roles.review.kind {
                kinds.insert(k);
            }
        }
    } else {
        for name in &options.kinds {
            let name = name.trim();
            match profile
                .kind_index(name)
                .filter(|k| profile.kind(*k).within.is_none())
            {
                Some(k) => {
                    kinds.insert(k);
                }
                None => {
                    let hint = suggest(name, top.iter().copied())
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    return Err(format!(
                        "--kinds: no kind `{name}`; {hint}kinds are: {}",
                        top.join(", ")
                    ));
                }
            }
        }
    }
    let mut chosen: Vec<ItemIdx> = (0..project.items.len())
        .map(|i| ItemIdx(i as u32))
        .filter(|&i| {
            let it = project.item(i);
            it.parent.is_none() && kinds.contains(&(it.kind))
        })
        .collect();
    if let Some(c) = &options.contract {
        let contract_kind = profile.roles.contract.kind;
        let Some(cidx) = project
            .get(c)
            .filter(|i| Some(project.item(*i).kind) == contract_kind)
        else {
            let ids: Vec<&str> = contract_kind
                .map(|k| {
                    project.by_kind[k as usize]
                        .iter()
                        .map(|i| project.item(*i).id.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let hint = suggest(c, ids.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            return Err(format!(
                "--contract: no contract `{c}`; {hint}contracts are: {}",
                ids.join(", ")
            ));
        };
        let req_kind = profile.roles.requirement.kind;
        // The contract's requirements, then everything that links to what
        // is in, until nothing more joins.
        let mut inside: HashSet<ItemIdx> = chosen
            .iter()
            .copied()
            .filter(|&i| {
                let it = project.item(i);
                Some(it.kind) == req_kind && it.links.iter().any(|l| l.target == cidx)
            })
            .collect();
        loop {
            let before = inside.len();
            for &i in &chosen {
                if !inside.contains(&i)
                    && Some(project.item(i).kind) != req_kind
                    && project
                        .item(i)
                        .links
                        .iter()
                        .any(|l| inside.contains(&l.target))
                {
                    inside.insert(i);
                }
            }
            if inside.len() == before {
                break;
            }
        }
        chosen.retain(|i| inside.contains(i));
    }
    Ok(chosen)
}

/// The fields of a kind that become attributes (links become relations).
fn exported_fields(
    profile: &Profile,
    kind: crate::model::KindIdx,
) -> Vec<(crate::model::FieldIdx, FieldType)> {
    let mut out = Vec::new();
    // Written as the object's own id, name and text, or read back as its
    // identifier and the attributes no field takes.
    let c = &profile.roles.common;
    let own = [
        Some(profile.id_field),
        Some(profile.title_field),
        c.text,
        c.reqif_id,
        c.attributes,
    ];
    for name in profile.field_names_of(kind) {
        let Some(f) = profile.field_index(name) else {
            continue;
        };
        if own.contains(&Some(f)) {
            continue;
        }
        let Some(def) = profile.field_def(kind as _, f) else {
            continue;
        };
        if def.ty.is_link() || def.ty == FieldType::Fingerprints || def.ty == FieldType::Attributes
        {
            continue;
        }
        if Some(f) == profile.parent_field(kind) {
            continue;
        }
        out.push((f, def.ty));
    }
    out
}

/// What of the chosen items the file does not hold, one line each, for
/// the user to be told: their sub-items (a design review's actions, an
/// objective's measurements), which ReqIF has no place for, and their
/// stamps and sign-off fingerprints, needtrail's own records. Empty when
/// nothing is left out.
fn left_out(checked: &Checked, items: &[ItemIdx]) -> Vec<String> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let chosen: HashSet<ItemIdx> = items.iter().copied().collect();
    let mut subs: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for it in &project.items {
        if let Some(p) = it.parent
            && chosen.contains(&p)
            && Some(it.kind) != profile.roles.decision.kind
        {
            let parent = &profile.kind(project.item(p).kind).name;
            *subs
                .entry((parent.clone(), profile.kind(it.kind).name.clone()))
                .or_default() += 1;
        }
    }
    let mut out: Vec<String> = subs
        .into_iter()
        .map(|((parent, sub), n)| {
            format!(
                "not exported: {n} [[{parent}.{sub}]] sub-item{} (ReqIF has no place for them; they stay in the project)",
                if n == 1 { "" } else { "s" }
            )
        })
        .collect();
    let stamped = items
        .iter()
        .filter(|&&i| {
            let it = project.item(i);
            it.fields.iter().any(|(f, _)| {
                profile
                    .field_def(it.kind, *f)
                    .is_some_and(|d| d.ty == FieldType::Fingerprints)
            })
        })
        .count();
    if stamped > 0 {
        out.push(format!(
            "not exported: the stamps and sign-off fingerprints of {stamped} item{} (needtrail's own record of what was approved; they stay in the project)",
            if stamped == 1 { "" } else { "s" }
        ));
    }
    out
}

/// An export: the file's bytes, and what of the chosen items it does not
/// hold (see [`left_out`]), to be said.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub left_out: Vec<String>,
}

/// Writes the project (or the chosen part) as ReqIF: the bytes of a
/// `.reqif`, or of a `.reqifz` when asked.
pub fn export(checked: &Checked, options: &ExportOptions) -> Result<Exported, String> {
    let items = select(checked, options)?;
    let left_out = left_out(checked, &items);
    let xml = export_xml(checked, &items)?;
    if !options.zipped {
        return Ok(Exported {
            bytes: xml,
            left_out,
        });
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        zip.start_file(format!("{}.reqif", options.file_name), opts)
            .map_err(|e| format!("cannot write the archive: {e}"))?;
        zip.write_all(&xml)
            .map_err(|e| format!("cannot write the archive: {e}"))?;
        zip.finish()
            .map_err(|e| format!("cannot write the archive: {e}"))?;
    }
    Ok(Exported {
        bytes: buf.into_inner(),
        left_out,
    })
}

fn export_xml(checked: &Checked, items: &[ItemIdx]) -> Result<Vec<u8>, String> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let now = creation_time()?;
    let verdicts = verdicts(checked);
    let roles = &profile.roles;
    let req_kind = roles.requirement.kind;
    let verdict_values: Vec<String> = roles
        .decision
        .kind
        .zip(roles.decision.verdict)
        .and_then(|(k, f)| profile.field_def(k, f))
        .map(|d| d.values.clone())
        .unwrap_or_default();
    let attributes_f = roles.common.attributes;
    let reqif_f = roles.common.reqif_id;

    // Kinds in profile order, with their items.
    let mut kinds: Vec<crate::model::KindIdx> =
        items.iter().map(|i| project.item(*i).kind).collect();
    kinds.sort_unstable();
    kinds.dedup();

    // Datatypes: the fixed ones, and an enumeration per enum field.
    let dt_string = "_nt-dt-string".to_owned();
    let dt_xhtml = "_nt-dt-xhtml".to_owned();
    let dt_date = "_nt-dt-date".to_owned();
    let dt_bool = "_nt-dt-boolean".to_owned();
    let dt_int = "_nt-dt-integer".to_owned();
    let mut enums: Vec<EnumType> = Vec::new();

    // Attribute definitions per kind.
    let mut defs: Vec<(crate::model::KindIdx, String, Vec<AttrDef>)> = Vec::new();
    for &k in &kinds {
        let kind = &profile.kind(k).name;
        let type_id = readable_id("type", kind);
        let mut list = vec![
            AttrDef {
                id: format!("{type_id}-ForeignID"),
                name: super::names::FOREIGN_ID.into(),
                ty: Ty::String,
                datatype: dt_string.clone(),
                source: Source::Id,
            },
            AttrDef {
                id: format!("{type_id}-Name"),
                name: super::names::NAME.into(),
                ty: Ty::String,
                datatype: dt_string.clone(),
                source: Source::Title,
            },
            AttrDef {
                id: format!("{type_id}-Text"),
                name: super::names::TEXT.into(),
                ty: Ty::Xhtml,
                datatype: dt_xhtml.clone(),
                source: Source::Text,
            },
        ];
        for (f, ty) in exported_fields(profile, k) {
            let name = profile.field_name(f).to_owned();
            let (t, datatype) = match ty {
                FieldType::Date => (Ty::Date, dt_date.clone()),
                // Booleans as a true/false enumeration and numbers as text:
                // StrictDoc reads neither BOOLEAN nor REAL attributes.
                FieldType::Bool => {
                    if !enums.iter().any(|e| e.id == dt_bool) {
                        enums.push(EnumType {
                            id: dt_bool.clone(),
                            name: "Boolean".into(),
                            values: vec!["true".into(), "false".into()],
                        });
                    }
                    (Ty::Enum, dt_bool.clone())
                }
                FieldType::Integer => (Ty::Integer, dt_int.clone()),
                FieldType::Enum => {
                    let id = readable_id("dt", &format!("{kind}-{name}"));
                    let values = profile
                        .field_def(k, f)
                        .map(|d| d.values.clone())
                        .unwrap_or_default();
                    enums.push(EnumType {
                        id: id.clone(),
                        name: format!("{kind}.{name}"),
                        values,
                    });
                    (Ty::Enum, id)
                }
                _ => (Ty::String, dt_string.clone()),
            };
            list.push(AttrDef {
                id: readable_id("attr", &format!("{kind}-{name}")),
                name,
                ty: t,
                datatype,
                source: Source::Field(f),
            });
        }
        // The keys of the kind's `attributes` tables, as strings.
        if let Some(af) = attributes_f {
            let mut keys: Vec<String> = items
                .iter()
                .filter(|i| project.item(**i).kind == k)
                .filter_map(|i| match project.item(*i).field(af) {
                    Some(Value::Map(m)) => {
                        Some(m.iter().map(|(k, _)| k.to_owned()).collect::<Vec<_>>())
                    }
                    _ => None,
                })
                .flatten()
                .collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                if list.iter().any(|d| d.name == key) {
                    continue;
                }
                list.push(AttrDef {
                    id: derived_id(&["attr", kind, "attributes", &key]),
                    name: key.clone(),
                    ty: Ty::String,
                    datatype: dt_string.clone(),
                    source: Source::Attribute(key),
                });
            }
        }
        if Some(k) == req_kind && !verdict_values.is_empty() {
            let dt_verdict = "_nt-dt-verdict".to_owned();
            if !enums.iter().any(|e| e.id == dt_verdict) {
                enums.push(EnumType {
                    id: dt_verdict.clone(),
                    name: "needtrail.verdict".into(),
                    values: verdict_values.clone(),
                });
            }
            list.push(AttrDef {
                id: format!("{type_id}-verdict"),
                name: "needtrail.verdict".into(),
                ty: Ty::Enum,
                datatype: dt_verdict,
                source: Source::Verdict,
            });
            list.push(AttrDef {
                id: format!("{type_id}-note"),
                name: "needtrail.note".into(),
                ty: Ty::String,
                datatype: dt_string.clone(),
                source: Source::Note,
            });
            list.push(AttrDef {
                id: format!("{type_id}-review"),
                name: "needtrail.review".into(),
                ty: Ty::String,
                datatype: dt_string.clone(),
                source: Source::Review,
            });
        }
        defs.push((k, type_id, list));
    }

    // Object identifiers: the original one when unique, else derived.
    let mut object_id: HashMap<ItemIdx, String> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for &i in items {
        let it = project.item(i);
        let original = reqif_f
            .and_then(|f| it.field(f))
            .and_then(|v| match v {
                Value::String(s) if is_ncname(s) => Some(s.clone()),
                _ => None,
            })
            .filter(|s| {
                !taken.contains(s) && !s.starts_with("_nt-dt") && !s.starts_with("_nt-type")
            });
        let id = original
            .unwrap_or_else(|| derived_id(&["object", &profile.kind(it.kind).name, &it.id]));
        taken.insert(id.clone());
        object_id.insert(i, id);
    }

    // Relations: every link between exported items.
    let mut rel_fields: Vec<crate::model::FieldIdx> = Vec::new();
    let mut relations: Vec<(String, crate::model::FieldIdx, ItemIdx, ItemIdx)> = Vec::new();
    for &i in items {
        for l in &project.item(i).links {
            if l.inherited || !object_id.contains_key(&l.target) {
                continue;
            }
            if !rel_fields.contains(&l.field) {
                rel_fields.push(l.field);
            }
            let id = derived_id(&[
                "relation",
                &object_id[&i],
                profile.field_name(l.field),
                &object_id[&l.target],
            ]);
            relations.push((id, l.field, i, l.target));
        }
    }
    rel_fields.sort_by(|a, b| profile.field_name(*a).cmp(profile.field_name(*b)));

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    open(
        &mut w,
        "REQ-IF",
        &[("xmlns", REQIF_NS), ("xmlns:xhtml", XHTML_NS)],
    );
    open(&mut w, "THE-HEADER", &[]);
    let header_id = derived_id(&["header", &project.name]);
    open(&mut w, "REQ-IF-HEADER", &[("IDENTIFIER", &header_id)]);
    text_element(
        &mut w,
        "COMMENT",
        "Written by needtrail export reqif. Each requirement carries the verdict and note of its latest contract-review decision (needtrail.verdict, needtrail.note).",
    );
    text_element(&mut w, "CREATION-TIME", &now);
    text_element(&mut w, "REQ-IF-TOOL-ID", "needtrail");
    text_element(&mut w, "REQ-IF-VERSION", "1.0");
    text_element(
        &mut w,
        "SOURCE-TOOL-ID",
        &format!("needtrail {}", env!("CARGO_PKG_VERSION")),
    );
    text_element(&mut w, "TITLE", &project.name);
    close(&mut w, "REQ-IF-HEADER");
    close(&mut w, "THE-HEADER");
    open(&mut w, "CORE-CONTENT", &[]);
    open(&mut w, "REQ-IF-CONTENT", &[]);

    // Datatypes.
    open(&mut w, "DATATYPES", &[]);
    let lc = now.as_str();
    empty(
        &mut w,
        "DATATYPE-DEFINITION-DATE",
        &[
            ("IDENTIFIER", &dt_date),
            ("LAST-CHANGE", lc),
            ("LONG-NAME", "Date"),
        ],
    );
    for e in &enums {
        open(
            &mut w,
            "DATATYPE-DEFINITION-ENUMERATION",
            &[
                ("IDENTIFIER", &e.id),
                ("LAST-CHANGE", lc),
                ("LONG-NAME", &e.name),
            ],
        );
        open(&mut w, "SPECIFIED-VALUES", &[]);
        for (n, v) in e.values.iter().enumerate() {
            open(
                &mut w,
                "ENUM-VALUE",
                &[
                    ("IDENTIFIER", &value_id(&e.id, v)),
                    ("LAST-CHANGE", lc),
                    ("LONG-NAME", v),
                ],
            );
            open(&mut w, "PROPERTIES", &[]);
            empty(
                &mut w,
                "EMBEDDED-VALUE",
                &[("KEY", &n.to_string()), ("OTHER-CONTENT", v)],
            );
            close(&mut w, "PROPERTIES");
            close(&mut w, "ENUM-VALUE");
        }
        close(&mut w, "SPECIFIED-VALUES");
        close(&mut w, "DATATYPE-DEFINITION-ENUMERATION");
    }
    empty(
        &mut w,
        "DATATYPE-DEFINITION-INTEGER",
        &[
            ("IDENTIFIER", &dt_int),
            ("LAST-CHANGE", lc),
            ("LONG-NAME", "Integer"),
            ("MAX", "9223372036854775807"),
            ("MIN", "-9223372036854775808"),
        ],
    );
    empty(
        &mut w,
        "DATATYPE-DEFINITION-STRING",
        &[
            ("IDENTIFIER", &dt_string),
            ("LAST-CHANGE", lc),
            ("LONG-NAME", "String"),
            ("MAX-LENGTH", "1000000"),
        ],
    );
    empty(
        &mut w,
        "DATATYPE-DEFINITION-XHTML",
        &[
            ("IDENTIFIER", &dt_xhtml),
            ("LAST-CHANGE", lc),
            ("LONG-NAME", "XHTML"),
        ],
    );
    close(&mut w, "DATATYPES");

    // Types.
    open(&mut w, "SPEC-TYPES", &[]);
    for (k, type_id, list) in &defs {
        let kind = profile.kind(*k);
        open(
            &mut w,
            "SPEC-OBJECT-TYPE",
            &[
                ("IDENTIFIER", type_id),
                ("LAST-CHANGE", lc),
                ("LONG-NAME", &kind.name),
                ("DESC", kind.label.get("en", &kind.name)),
            ],
        );
        open(&mut w, "SPEC-ATTRIBUTES", &[]);
        for d in list {
            let el = format!("ATTRIBUTE-DEFINITION-{}", d.ty.suffix());
            let mut attrs = vec![
                ("IDENTIFIER", d.id.as_str()),
                ("LAST-CHANGE", lc),
                ("LONG-NAME", d.name.as_str()),
            ];
            if d.ty == Ty::Enum {
                attrs.push(("MULTI-VALUED", "false"));
            }
            open(&mut w, &el, &attrs);
            reference(
                &mut w,
                "TYPE",
                &format!("DATATYPE-DEFINITION-{}-REF", d.ty.suffix()),
                &d.datatype,
            );
            close(&mut w, &el);
        }
        close(&mut w, "SPEC-ATTRIBUTES");
        close(&mut w, "SPEC-OBJECT-TYPE");
    }
    for f in &rel_fields {
        let name = profile.field_name(*f);
        empty(
            &mut w,
            "SPEC-RELATION-TYPE",
            &[
                ("IDENTIFIER", &readable_id("rel", name)),
                ("LAST-CHANGE", lc),
                ("LONG-NAME", name),
            ],
        );
    }
    empty(
        &mut w,
        "SPECIFICATION-TYPE",
        &[
            ("IDENTIFIER", "_nt-spec-type"),
            ("LAST-CHANGE", lc),
            ("LONG-NAME", "needtrail specification"),
        ],
    );
    close(&mut w, "SPEC-TYPES");

    // Objects.
    let defs_of: HashMap<crate::model::KindIdx, (&String, &Vec<AttrDef>)> =
        defs.iter().map(|(k, t, l)| (*k, (t, l))).collect();
    open(&mut w, "SPEC-OBJECTS", &[]);
    for &i in items {
        let it = project.item(i);
        let (type_id, list) = defs_of[&(it.kind)];
        open(
            &mut w,
            "SPEC-OBJECT",
            &[("IDENTIFIER", &object_id[&i]), ("LAST-CHANGE", lc)],
        );
        open(&mut w, "VALUES", &[]);
        for d in list {
            let v: Option<String> = match &d.source {
                Source::Id => Some(it.id.clone()),
                Source::Title => it.title.clone(),
                Source::Text => roles
                    .common
                    .text
                    .and_then(|f| it.field(f))
                    .map(Value::display),
                Source::Field(f) => it.field(*f).map(|v| match (d.ty, v) {
                    (Ty::Date, Value::Date(s)) => {
                        if s.len() == 10 {
                            format!("{s}T00:00:00Z")
                        } else {
                            s.clone()
                        }
                    }
                    (_, v) => v.display(),
                }),
                Source::Attribute(key) => {
                    attributes_f
                        .and_then(|f| it.field(f))
                        .and_then(|v| match v {
                            Value::Map(m) => m.get(key).map(str::to_owned),
                            _ => None,
                        })
                }
                Source::Verdict => verdicts.get(&i).map(|v| v.0.clone()),
                Source::Note => verdicts
                    .get(&i)
                    .map(|v| v.1.clone())
                    .filter(|s| !s.is_empty()),
                Source::Review => verdicts
                    .get(&i)
                    .map(|v| v.2.clone())
                    .filter(|s| !s.is_empty()),
            };
            let Some(v) = v.filter(|s| !s.is_empty()) else {
                continue;
            };
            let el = format!("ATTRIBUTE-VALUE-{}", d.ty.suffix());
            let def_ref = format!("ATTRIBUTE-DEFINITION-{}-REF", d.ty.suffix());
            match d.ty {
                Ty::Xhtml => {
                    open(&mut w, &el, &[]);
                    reference(&mut w, "DEFINITION", &def_ref, &d.id);
                    open(&mut w, "THE-VALUE", &[]);
                    open(&mut w, "xhtml:div", &[]);
                    // One paragraph, a line break per line: read back,
                    // it gives the same lines.
                    open(&mut w, "xhtml:p", &[]);
                    for (n, line) in v.split('\n').enumerate() {
                        if n > 0 {
                            empty(&mut w, "xhtml:br", &[]);
                        }
                        let t = xml_text(line.trim_end_matches('\r'));
                        let _ = w.write_event(Event::Text(BytesText::new(&t)));
                    }
                    close(&mut w, "xhtml:p");
                    close(&mut w, "xhtml:div");
                    close(&mut w, "THE-VALUE");
                    close(&mut w, &el);
                }
                Ty::Enum => {
                    let allowed = enums.iter().find(|e| e.id == d.datatype);
                    if !allowed.is_some_and(|e| e.values.contains(&v)) {
                        continue;
                    }
                    open(&mut w, &el, &[]);
                    reference(&mut w, "DEFINITION", &def_ref, &d.id);
                    reference(
                        &mut w,
                        "VALUES",
                        "ENUM-VALUE-REF",
                        &value_id(&d.datatype, &v),
                    );
                    close(&mut w, &el);
                }
                _ => {
                    open(&mut w, &el, &[("THE-VALUE", &v)]);
                    reference(&mut w, "DEFINITION", &def_ref, &d.id);
                    close(&mut w, &el);
                }
            }
        }
        close(&mut w, "VALUES");
        reference(&mut w, "TYPE", "SPEC-OBJECT-TYPE-REF", type_id);
        close(&mut w, "SPEC-OBJECT");
    }
    close(&mut w, "SPEC-OBJECTS");

    open(&mut w, "SPEC-RELATIONS", &[]);
    for (id, f, s, t) in &relations {
        open(
            &mut w,
            "SPEC-RELATION",
            &[("IDENTIFIER", id), ("LAST-CHANGE", lc)],
        );
        reference(&mut w, "SOURCE", "SPEC-OBJECT-REF", &object_id[s]);
        reference(&mut w, "TARGET", "SPEC-OBJECT-REF", &object_id[t]);
        reference(
            &mut w,
            "TYPE",
            "SPEC-RELATION-TYPE-REF",
            &readable_id("rel", profile.field_name(*f)),
        );
        close(&mut w, "SPEC-RELATION");
    }
    close(&mut w, "SPEC-RELATIONS");

    // Specifications: the requirements of each contract, then each kind.
    let contract_f = roles.requirement.contract;
    let mut specs: Vec<(String, String, Vec<ItemIdx>)> = Vec::new();
    let mut by_contract: HashMap<ItemIdx, Vec<ItemIdx>> = HashMap::new();
    let mut rest: HashMap<crate::model::KindIdx, Vec<ItemIdx>> = HashMap::new();
    for &i in items {
        let it = project.item(i);
        let contract = (Some(it.kind) == req_kind)
            .then(|| {
                it.links
                    .iter()
                    .find(|l| Some(l.field) == contract_f)
                    .map(|l| l.target)
            })
            .flatten();
        match contract {
            Some(c) => by_contract.entry(c).or_default().push(i),
            None => rest.entry(it.kind).or_default().push(i),
        }
    }
    let mut by_contract: Vec<(ItemIdx, Vec<ItemIdx>)> = by_contract.into_iter().collect();
    by_contract.sort_by(|a, b| project.item(a.0).id.cmp(&project.item(b.0).id));
    for (c, list) in by_contract {
        let ci = project.item(c);
        let name = match &ci.title {
            Some(t) => format!("{} {t}", ci.id),
            None => ci.id.clone(),
        };
        specs.push((
            derived_id(&["specification", "contract", &ci.id]),
            name,
            list,
        ));
    }
    for &k in &kinds {
        if let Some(list) = rest.remove(&k) {
            let kind = profile.kind(k);
            specs.push((
                derived_id(&["specification", "kind", &kind.name]),
                kind.label.get("en", &kind.name).to_owned(),
                list,
            ));
        }
    }
    open(&mut w, "SPECIFICATIONS", &[]);
    for (id, name, list) in &specs {
        open(
            &mut w,
            "SPECIFICATION",
            &[("IDENTIFIER", id), ("LAST-CHANGE", lc), ("LONG-NAME", name)],
        );
        reference(&mut w, "TYPE", "SPECIFICATION-TYPE-REF", "_nt-spec-type");
        open(&mut w, "CHILDREN", &[]);
        for i in list {
            let hid = derived_id(&["hierarchy", id, &object_id[i]]);
            open(
                &mut w,
                "SPEC-HIERARCHY",
                &[("IDENTIFIER", &hid), ("LAST-CHANGE", lc)],
            );
            reference(&mut w, "OBJECT", "SPEC-OBJECT-REF", &object_id[i]);
            close(&mut w, "SPEC-HIERARCHY");
        }
        close(&mut w, "CHILDREN");
        close(&mut w, "SPECIFICATION");
    }
    close(&mut w, "SPECIFICATIONS");
    close(&mut w, "REQ-IF-CONTENT");
    close(&mut w, "CORE-CONTENT");
    close(&mut w, "REQ-IF");
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_derived_from_kind_and_id_and_fit_xsd_id() {
        let a = derived_id(&["object", "requirement", "REQ-001"]);
        assert_eq!(a, derived_id(&["object", "requirement", "REQ-001"]));
        assert_ne!(a, derived_id(&["object", "design_input", "REQ-001"]));
        assert!(is_ncname(&a), "{a}");
        assert_eq!(readable_id("type", "design_input"), "_nt-type-design_input");
        assert!(is_ncname(&readable_id("type", "风险")));
        assert!(!is_ncname("1abc") && !is_ncname("a b") && !is_ncname(""));
    }

    #[test]
    fn attribute_values_keep_line_breaks_and_lose_what_xml_cannot_hold() {
        let a = attr("THE-VALUE", "a < b & \"c\"\nline 2\u{7}");
        let v = String::from_utf8(a.value.into_owned()).unwrap();
        assert_eq!(v, "a &lt; b &amp; &quot;c&quot;&#10;line 2\u{fffd}");
    }
}
