//! ReqIF (OMG Requirements Interchange Format 1.0–1.2): the document as
//! read ([`read`]), resolved into objects with named, typed values
//! ([`ReqIf::resolve`]), and written ([`write`]).

pub mod read;
pub mod write;
pub mod xhtml;

use std::collections::HashMap;

use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

/// The seven ReqIF datatypes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataKind {
    String,
    Xhtml,
    Integer,
    Real,
    Boolean,
    Date,
    Enumeration,
}

impl DataKind {
    /// From the suffix of `DATATYPE-DEFINITION-*`, `ATTRIBUTE-VALUE-*`.
    pub fn from_suffix(s: &str) -> Option<DataKind> {
        Some(match s {
            "STRING" => DataKind::String,
            "XHTML" => DataKind::Xhtml,
            "INTEGER" => DataKind::Integer,
            "REAL" => DataKind::Real,
            "BOOLEAN" => DataKind::Boolean,
            "DATE" => DataKind::Date,
            "ENUMERATION" => DataKind::Enumeration,
            _ => return None,
        })
    }

    pub fn suffix(self) -> &'static str {
        match self {
            DataKind::String => "STRING",
            DataKind::Xhtml => "XHTML",
            DataKind::Integer => "INTEGER",
            DataKind::Real => "REAL",
            DataKind::Boolean => "BOOLEAN",
            DataKind::Date => "DATE",
            DataKind::Enumeration => "ENUMERATION",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Header {
    pub identifier: String,
    pub comment: String,
    pub creation_time: String,
    pub req_if_tool_id: String,
    pub req_if_version: String,
    pub source_tool_id: String,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub identifier: String,
    pub long_name: Option<String>,
    /// `PROPERTIES/EMBEDDED-VALUE/@OTHER-CONTENT`, which some tools use as
    /// the label.
    pub other_content: Option<String>,
}

impl EnumValue {
    /// The value as a user reads it: its LONG-NAME, else its other
    /// content, else its identifier.
    pub fn label(&self) -> &str {
        self.long_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.other_content.as_deref())
            .unwrap_or(&self.identifier)
    }
}

#[derive(Clone, Debug)]
pub struct Datatype {
    pub identifier: String,
    pub long_name: Option<String>,
    pub kind: DataKind,
    /// The values of an enumeration.
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug)]
pub struct AttrDef {
    pub identifier: String,
    pub long_name: Option<String>,
    pub kind: DataKind,
    pub datatype: Option<String>,
    pub multi_valued: bool,
    pub default: Option<RawValue>,
}

impl AttrDef {
    /// The attribute's name: its LONG-NAME, or its IDENTIFIER when it has
    /// none (the schema makes LONG-NAME optional).
    pub fn name(&self) -> &str {
        self.long_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&self.identifier)
    }
}

#[derive(Clone, Debug)]
pub struct SpecType {
    pub identifier: String,
    pub long_name: Option<String>,
    /// Identifiers of its attribute definitions, in file order.
    pub attributes: Vec<String>,
}

impl SpecType {
    pub fn name(&self) -> &str {
        self.long_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&self.identifier)
    }
}

/// A value as written, before its definition is known.
#[derive(Clone, Debug, PartialEq)]
pub enum RawValue {
    /// THE-VALUE of a STRING, INTEGER, REAL, BOOLEAN or DATE value.
    Scalar(DataKind, String),
    /// The plain text of an XHTML value.
    Xhtml(String),
    /// ENUM-VALUE-REFs.
    Enumeration(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct ValueEntry {
    /// The identifier of the attribute definition.
    pub definition: String,
    pub value: RawValue,
}

#[derive(Clone, Debug)]
pub struct SpecObject {
    pub identifier: String,
    pub long_name: Option<String>,
    pub object_type: String,
    pub values: Vec<ValueEntry>,
}

#[derive(Clone, Debug)]
pub struct SpecRelation {
    pub identifier: String,
    pub relation_type: String,
    pub source: String,
    pub target: String,
    pub values: Vec<ValueEntry>,
}

#[derive(Clone, Debug)]
pub struct HierarchyNode {
    pub identifier: String,
    pub object: String,
    pub children: Vec<HierarchyNode>,
}

#[derive(Clone, Debug)]
pub struct Specification {
    pub identifier: String,
    pub long_name: Option<String>,
    pub spec_type: String,
    pub values: Vec<ValueEntry>,
    pub children: Vec<HierarchyNode>,
}

/// One ReqIF document as read, references not yet resolved.
#[derive(Clone, Debug, Default)]
pub struct ReqIf {
    /// The file (or `archive!member`) it was read from.
    pub source_name: String,
    pub header: Header,
    pub datatypes: HashMap<String, Datatype>,
    pub attributes: HashMap<String, AttrDef>,
    pub object_types: IndexMap<String, SpecType>,
    pub relation_types: IndexMap<String, SpecType>,
    pub specification_types: IndexMap<String, SpecType>,
    pub group_types: IndexMap<String, SpecType>,
    pub objects: Vec<SpecObject>,
    pub relations: Vec<SpecRelation>,
    pub specifications: Vec<Specification>,
}

/// A value with its type, as a user reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    Text(String),
    Integer(i64),
    Real(f64),
    Bool(bool),
    /// An xsd:dateTime or date, as written.
    Date(String),
    /// The LONG-NAMEs of the chosen enumeration values.
    Enum(Vec<String>),
}

impl Typed {
    pub fn display(&self) -> String {
        match self {
            Typed::Text(s) | Typed::Date(s) => s.clone(),
            Typed::Integer(i) => i.to_string(),
            Typed::Real(r) => r.to_string(),
            Typed::Bool(b) => b.to_string(),
            Typed::Enum(v) => v.join(", "),
        }
    }
}

/// An object with its type's name and its values by attribute name, in the
/// order the type defines them.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub identifier: String,
    pub type_name: String,
    /// The object's own LONG-NAME, when it has one.
    pub long_name: Option<String>,
    pub values: IndexMap<String, Typed, FxBuildHasher>,
}

impl Resolved {
    /// A text value by name (any type, as displayed), when not blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .map(Typed::display)
            .filter(|s| !s.trim().is_empty())
    }
}

/// A relation with its type's name.
#[derive(Clone, Debug)]
pub struct ResolvedRelation {
    pub identifier: String,
    pub type_name: String,
    pub source: String,
    pub target: String,
}

/// A problem found while resolving: a reference to nothing, a value that
/// is not of its type. Reported, never silently dropped.
pub type Warning = String;

/// The whole document resolved.
#[derive(Clone, Debug, Default)]
pub struct ResolvedDoc {
    pub objects: Vec<Resolved>,
    pub relations: Vec<ResolvedRelation>,
    /// Per object identifier: the specification it is in, and the titles
    /// of the heading objects above it (outermost first).
    pub placement: FxHashMap<String, (String, Vec<String>)>,
    /// Object identifiers in specification order (objects in no
    /// specification follow, in file order).
    pub order: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// Whether STRING values carry StrictDoc's `unicode_escape` encoding.
pub fn is_strictdoc(header: &Header) -> bool {
    [&header.source_tool_id, &header.req_if_tool_id]
        .iter()
        .any(|s| s.to_ascii_lowercase().contains("strictdoc"))
}

/// Undoes StrictDoc's escaping of STRING values (Python's
/// `unicode_escape`): `\uXXXX`, `\UXXXXXXXX`, `\xXX`, `\n`, `\t`, `\r`,
/// `\\`, `\'`, `\"`. An escape that does not decode is kept as written.
pub fn unescape_strictdoc(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let next = chars[i + 1];
        let hex = |len: usize| -> Option<char> {
            let digits: String = chars.get(i + 2..i + 2 + len)?.iter().collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        let (decoded, used) = match next {
            'n' => (Some('\n'), 2),
            't' => (Some('\t'), 2),
            'r' => (Some('\r'), 2),
            '\\' => (Some('\\'), 2),
            '\'' => (Some('\''), 2),
            '"' => (Some('"'), 2),
            'x' => (hex(2), 4),
            'u' => (hex(4), 6),
            'U' => (hex(8), 10),
            _ => (None, 1),
        };
        match decoded {
            Some(d) => {
                out.push(d);
                i += used;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

impl ReqIf {
    /// Resolves types, attribute definitions, enumeration values and the
    /// specification hierarchy. `heading` tells whether an object is a
    /// heading (its title then labels the objects below it).
    pub fn resolve(&self, heading: &dyn Fn(&Resolved) -> Option<String>) -> ResolvedDoc {
        let strictdoc = is_strictdoc(&self.header);
        let mut doc = ResolvedDoc::default();
        let mut enum_labels: FxHashMap<&str, &str> = FxHashMap::default();
        for dt in self.datatypes.values() {
            for v in &dt.values {
                enum_labels.insert(&v.identifier, v.label());
            }
        }
        // Each object on every core; the warnings kept in the file's order.
        let resolved: Vec<(Resolved, Vec<Warning>)> = self
            .objects
            .par_iter()
            .map(|o| {
                    let mut warnings = Vec::new();
                    let ty = self.object_types.get(&o.object_type);
                    if ty.is_none() {
                        warnings.push(format!(
                            "SPEC-OBJECT {} names the type `{}`, which the file does not define",
                            o.identifier, o.object_type
                        ));
                    }
                    let mut values = IndexMap::default();
                    // Values in the order the type defines its attributes, then any
                    // value whose definition the type does not list.
                    let mut given: FxHashMap<&str, &RawValue> = FxHashMap::default();
                    for v in &o.values {
                        given.insert(v.definition.as_str(), &v.value);
                    }
                    let mut defs: Vec<&str> = ty
                        .map(|t| t.attributes.iter().map(String::as_str).collect())
                        .unwrap_or_default();
                    for v in &o.values {
                        if !defs.contains(&v.definition.as_str()) {
                            defs.push(&v.definition);
                        }
                    }
                    for def_id in defs {
                        let def = self.attributes.get(def_id);
                        let raw = match (given.get(def_id), def.and_then(|d| d.default.as_ref())) {
                            (Some(r), _) => *r,
                            (None, Some(d)) => d,
                            (None, None) => continue,
                        };
                        let Some(def) = def else {
                            warnings.push(format!(
                                "SPEC-OBJECT {} has a value for `{def_id}`, an attribute the file does not define",
                                o.identifier
                            ));
                            continue;
                        };
                        match typed(raw, strictdoc, &enum_labels) {
                            Ok(t) => {
                                values.insert(def.name().to_owned(), t);
                            }
                            Err(m) => warnings.push(format!(
                                "SPEC-OBJECT {}, attribute `{}`: {m}",
                                o.identifier,
                                def.name()
                            )),
                        }
                    }
                let object = Resolved {
                    identifier: o.identifier.clone(),
                    type_name: ty.map_or_else(|| o.object_type.clone(), |t| t.name().to_owned()),
                    long_name: o.long_name.clone(),
                    values,
                };
                (object, warnings)
            })
            .collect();
        doc.objects.reserve(resolved.len());
        for (object, warnings) in resolved {
            doc.warnings.extend(warnings);
            doc.objects.push(object);
        }
        let by_id: FxHashMap<&str, usize> = doc
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.identifier.as_str(), i))
            .collect();
        for r in &self.relations {
            let type_name = self
                .relation_types
                .get(&r.relation_type)
                .map_or_else(|| r.relation_type.clone(), |t| t.name().to_owned());
            doc.relations.push(ResolvedRelation {
                identifier: r.identifier.clone(),
                type_name,
                source: r.source.clone(),
                target: r.target.clone(),
            });
        }
        let mut placed = FxHashSet::default();
        for s in &self.specifications {
            let name = s
                .long_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| s.identifier.clone());
            let mut path = Vec::new();
            walk(
                &s.children,
                &name,
                &mut path,
                &doc.objects,
                &by_id,
                heading,
                &mut doc.placement,
                &mut doc.order,
                &mut placed,
            );
        }
        for o in &doc.objects {
            if placed.insert(o.identifier.clone()) {
                doc.order.push(o.identifier.clone());
            }
        }
        doc
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(
    nodes: &[HierarchyNode],
    spec: &str,
    path: &mut Vec<String>,
    objects: &[Resolved],
    by_id: &FxHashMap<&str, usize>,
    heading: &dyn Fn(&Resolved) -> Option<String>,
    placement: &mut FxHashMap<String, (String, Vec<String>)>,
    order: &mut Vec<String>,
    placed: &mut FxHashSet<String>,
) {
    for n in nodes {
        let obj = by_id.get(n.object.as_str()).map(|&i| &objects[i]);
        if placed.insert(n.object.clone()) {
            order.push(n.object.clone());
            placement.insert(n.object.clone(), (spec.to_owned(), path.clone()));
        }
        let title = obj.and_then(heading);
        if let Some(t) = &title {
            path.push(t.clone());
        }
        walk(
            &n.children,
            spec,
            path,
            objects,
            by_id,
            heading,
            placement,
            order,
            placed,
        );
        if title.is_some() {
            path.pop();
        }
    }
}

fn typed(
    raw: &RawValue,
    strictdoc: bool,
    enum_labels: &FxHashMap<&str, &str>,
) -> Result<Typed, String> {
    Ok(match raw {
        RawValue::Xhtml(s) => Typed::Text(s.clone()),
        RawValue::Enumeration(refs) => {
            let mut out = Vec::new();
            for r in refs {
                match enum_labels.get(r.as_str()) {
                    Some(l) => out.push((*l).to_owned()),
                    None => return Err(format!("enumeration value `{r}` is not defined")),
                }
            }
            Typed::Enum(out)
        }
        RawValue::Scalar(kind, v) => match kind {
            DataKind::String => Typed::Text(if strictdoc {
                unescape_strictdoc(v)
            } else {
                v.clone()
            }),
            DataKind::Integer => Typed::Integer(
                v.trim()
                    .parse()
                    .map_err(|_| format!("`{v}` is not an integer"))?,
            ),
            DataKind::Real => {
                let r: f64 = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{v}` is not a real number"))?;
                if !r.is_finite() {
                    return Err(format!("`{v}` is not a finite number"));
                }
                Typed::Real(r)
            }
            DataKind::Boolean => match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Typed::Bool(true),
                "false" | "0" => Typed::Bool(false),
                _ => return Err(format!("`{v}` is not a boolean")),
            },
            DataKind::Date => {
                // xsd:dateTime, as ReqIF writes dates: `2026-02-15T00:00:00+08:00`.
                let d = v.trim();
                match d.parse::<toml_edit::Datetime>() {
                    Ok(t) if t.date.is_some() => Typed::Date(d.to_owned()),
                    _ => {
                        return Err(format!(
                            "`{v}` is not a date (ReqIF writes 2026-02-15T00:00:00+08:00)"
                        ));
                    }
                }
            }
            DataKind::Xhtml | DataKind::Enumeration => Typed::Text(v.clone()),
        },
    })
}

/// The names of the standard attributes.
pub mod names {
    pub const FOREIGN_ID: &str = "ReqIF.ForeignID";
    pub const NAME: &str = "ReqIF.Name";
    pub const CHAPTER_NAME: &str = "ReqIF.ChapterName";
    pub const TEXT: &str = "ReqIF.Text";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_that_is_no_date_is_said_so_not_kept_as_one() {
        let labels = FxHashMap::default();
        let date = |v: &str| typed(&RawValue::Scalar(DataKind::Date, v.into()), false, &labels);
        assert_eq!(
            date("2026-02-15T00:00:00+08:00"),
            Ok(Typed::Date("2026-02-15T00:00:00+08:00".into()))
        );
        assert_eq!(date(" 2026-02-15 "), Ok(Typed::Date("2026-02-15".into())));
        for bad in ["15.02.2026", "2026-02-30T00:00:00Z", "10:00:00", ""] {
            let e = date(bad).unwrap_err();
            assert!(e.contains("is not a date"), "{bad}: {e}");
        }
    }

    const VENDOR: &str = include_str!("../../../tests/fixtures/interchange/vendor.reqif");

    fn heading(o: &Resolved) -> Option<String> {
        if o.values.contains_key(names::TEXT) {
            None
        } else {
            o.text(names::CHAPTER_NAME)
        }
    }

    #[test]
    fn a_vendor_file_with_a_prefixed_namespace_reads_whole() {
        let doc = read::read_bytes(VENDOR.as_bytes(), "vendor.reqif").unwrap();
        assert_eq!(doc.header.title, "整车厂 门锁系统 技术要求");
        assert_eq!(doc.objects.len(), 6);
        assert_eq!(doc.relations.len(), 2);
        let r = doc.resolve(&heading);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let o3 = &r.objects[2];
        assert_eq!(o3.type_name, "Customer Requirement");
        assert_eq!(o3.text(names::FOREIGN_ID).as_deref(), Some("CSR-101"));
        assert_eq!(
            o3.values[names::TEXT],
            Typed::Text(
                "门锁应在 -40 °C 至 +85 °C 范围内正常工作。\nThe lock shall work from -40 °C to +85 °C & keep its\nsettings.\n- 冷启动 cold start\n- 热浸 hot soak".into()
            )
        );
        // An attribute without LONG-NAME is named by its IDENTIFIER.
        assert_eq!(o3.values["_a_prio"], Typed::Integer(3));
        assert_eq!(o3.values["Weight"], Typed::Real(2.5));
        assert_eq!(o3.values["Safety relevant"], Typed::Bool(true));
        assert_eq!(
            o3.values["Due date"],
            Typed::Date("2026-02-15T00:00:00+08:00".into())
        );
        assert_eq!(
            o3.values["Status"],
            Typed::Enum(vec!["agreed 已确认".into()])
        );
        // The vendor's own markup inside an object is skipped.
        assert_eq!(o3.values.len(), 8);
        let (spec, path) = &r.placement["_o4"];
        assert_eq!(spec, "门锁系统技术要求 V2.1");
        assert_eq!(path, &["1 总则 General", "1.1 环境 Environment"]);
        assert_eq!(r.placement["_o5"].1, ["1 总则 General"]);
        assert_eq!(r.order, ["_o1", "_o2", "_o3", "_o6", "_o4", "_o5"]);
        assert_eq!(r.relations[0].type_name, "refines");
        assert_eq!(
            (
                r.relations[0].source.as_str(),
                r.relations[0].target.as_str()
            ),
            ("_o4", "_o3")
        );
    }

    #[test]
    fn the_default_namespace_and_a_strictdoc_string_read_alike() {
        let xml = r#"<?xml version="1.0"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><SOURCE-TOOL-ID>strictdoc</SOURCE-TOOL-ID></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="10"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t" LONG-NAME="REQUIREMENT"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="a" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o"><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE><VALUES>
<ATTRIBUTE-VALUE-STRING THE-VALUE="\u6307\u7eb9 &amp; ^fw-\\d+$\nline 2"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>a</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
</VALUES></SPEC-OBJECT></SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#;
        let doc = read::read_bytes(xml.as_bytes(), "x.reqif").unwrap();
        let r = doc.resolve(&heading);
        assert_eq!(
            r.objects[0].values["ReqIF.Text"],
            Typed::Text("指纹 & ^fw-\\d+$\nline 2".into())
        );
    }

    #[test]
    fn an_undeclared_entity_in_xhtml_is_kept_not_fatal() {
        let xml = format!(
            r#"<REQ-IF xmlns="{}"><CORE-CONTENT><REQ-IF-CONTENT><SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o"><VALUES><ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>a</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE><div xmlns="http://www.w3.org/1999/xhtml">3&nbsp;kPa &copy; &lt;ok&gt;</div></THE-VALUE></ATTRIBUTE-VALUE-XHTML></VALUES></SPEC-OBJECT></SPEC-OBJECTS></REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#,
            read::REQIF_NS
        );
        let doc = read::read_bytes(xml.as_bytes(), "x.reqif").unwrap();
        assert_eq!(
            doc.objects[0].values[0].value,
            RawValue::Xhtml("3 kPa &copy; <ok>".into())
        );
    }

    #[test]
    fn strictdoc_escapes_decode_and_bad_ones_stay() {
        assert_eq!(unescape_strictdoc(r"a\u4e2d\n\\x\q"), "a中\n\\x\\q");
        assert_eq!(unescape_strictdoc(r"\U0001F600 \x41 \u12"), "😀 A \\u12");
    }

    #[test]
    fn a_file_that_is_not_reqif_is_an_error_with_its_position() {
        let e = read::read_bytes(b"<html><body/></html>", "x.reqif").unwrap_err();
        assert!(e.message.contains("not a ReqIF file"), "{e}");
        let e = read::read_bytes(b"<REQ-IF>\n<a></b>", "x.reqif").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2), "{e}");
    }
}
