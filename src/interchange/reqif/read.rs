//! Reading a ReqIF file: streams the XML with quick-xml's namespace-aware
//! reader into a [`ReqIf`] document, then resolves every reference (types
//! may be defined after the objects that use them).
//!
//! Elements are recognised by namespace and local name, never by prefix:
//! the ReqIF namespace may be the default one or bound to any prefix
//! (`reqif:`), and the XHTML inside `THE-VALUE` may be prefixed or default.

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::xhtml::XhtmlText;
use super::{
    AttrDef, DataKind, Datatype, EnumValue, HierarchyNode, RawValue, ReqIf, SpecObject,
    SpecRelation, SpecType, Specification, ValueEntry,
};

/// The namespace of ReqIF 1.0, 1.1 and 1.2 (the schema keeps the 1.0 name).
pub const REQIF_NS: &str = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd";
/// The XHTML namespace used inside `THE-VALUE`.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

pub use crate::interchange::ReadError;

/// Reads a `.reqif` file, or every `.reqif` member of a `.reqifz` archive
/// (attachments and other members are ignored), as one document per file.
/// A `.reqif` file is read as it streams past, never held whole: a file of
/// 100k objects is over a quarter of a gigabyte.
pub fn read_path(path: &Path) -> Result<Vec<ReqIf>, ReadError> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| ReadError {
        file: name.clone(),
        position: None,
        message: format!("cannot read the file: {e}"),
    };
    let mut file = BufReader::with_capacity(1 << 18, std::fs::File::open(path).map_err(cannot)?);
    let zipped = file.fill_buf().map_err(cannot)?.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("reqifz"));
    if zipped {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(cannot)?;
        read_zip(std::io::Cursor::new(bytes), &name)
    } else if utf16_bom(file.fill_buf().map_err(cannot)?) {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(cannot)?;
        Ok(vec![read_bytes(&bytes, &name)?])
    } else {
        Ok(vec![read_from(file, &name, Source::File(path))?])
    }
}

/// What to say of text that cannot be decoded: the file is not in UTF-8.
fn not_utf8(e: &quick_xml::encoding::EncodingError) -> String {
    format!(
        "the text is not UTF-8 ({e}): XML files are UTF-8 (or UTF-16 with its byte-order mark); export the file again as UTF-8 (a file from a Chinese Windows tool may be in GBK)"
    )
}

/// Whether `bytes` start with the byte-order mark of UTF-16, either way round.
fn utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")
}

/// A `.reqif` member of an archive may unpack to this many times its packed
/// size, or to [`MIN_UNPACKED`] bytes, whichever is more.
const MAX_RATIO: u64 = 100;
const MIN_UNPACKED: u64 = 64 << 20;

/// Reads every `.reqif` member of a zip archive, in name order.
pub fn read_zip<R: Read + Seek>(reader: R, name: &str) -> Result<Vec<ReqIf>, ReadError> {
    let err = |message: String| ReadError {
        file: name.to_owned(),
        position: None,
        message,
    };
    let mut archive =
        zip::ZipArchive::new(reader).map_err(|e| err(format!("not a readable .reqifz: {e}")))?;
    let mut members: Vec<String> = archive
        .file_names()
        .filter(|n| n.to_ascii_lowercase().ends_with(".reqif"))
        .map(str::to_owned)
        .collect();
    members.sort();
    if members.is_empty() {
        return Err(err(
            "the archive holds no .reqif file (a .reqifz is a zip of .reqif files)".into(),
        ));
    }
    let mut docs = Vec::new();
    for member in members {
        let mut file = archive
            .by_name(&member)
            .map_err(|e| err(format!("cannot read {member} in the archive: {e}")))?;
        // XML packs ten to thirty times; a member that unpacks to far more
        // is a zip bomb, refused before it fills the memory.
        let limit = MIN_UNPACKED.max(file.compressed_size().saturating_mul(MAX_RATIO));
        let mut bytes = Vec::new();
        (&mut file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("cannot read {member} in the archive: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(err(format!(
                "{member} in the archive unpacks to more than {} MB from {} KB ({MAX_RATIO} times or more): that is not a ReqIF export; ask for the file again",
                limit >> 20,
                file.compressed_size() >> 10
            )));
        }
        docs.push(read_bytes(&bytes, &format!("{name}!{member}"))?);
    }
    Ok(docs)
}

/// Reads one ReqIF document from its bytes.
pub fn read_bytes(bytes: &[u8], name: &str) -> Result<ReqIf, ReadError> {
    // A document written in UTF-16 (with its byte-order mark, as XML asks)
    // is read as UTF-8; one that is not valid UTF-16 is an error.
    if let Some(decoded) = crate::text::decode_utf16_with_bom(bytes) {
        let text = decoded.map_err(|encoding| ReadError {
            file: name.to_owned(),
            position: None,
            message: format!(
                "not valid {encoding} (it starts with that encoding's byte-order mark): save the file as UTF-8"
            ),
        })?;
        return read_from(text.as_bytes(), name, Source::Bytes(text.as_bytes()));
    }
    read_from(bytes, name, Source::Bytes(bytes))
}

/// Where the text being read can be found again, for the line and column
/// of an error.
#[derive(Clone, Copy)]
enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// Reads one ReqIF document as it streams from `input`.
fn read_from<R: BufRead>(mut input: R, name: &str, source: Source<'_>) -> Result<ReqIf, ReadError> {
    // A byte-order mark is not part of the XML (nor counted in positions).
    if input
        .fill_buf()
        .is_ok_and(|b| b.starts_with(b"\xEF\xBB\xBF"))
    {
        input.consume(3);
    }
    let mut parser = Parser {
        reader: NsReader::from_reader(input),
        name,
        source,
        buf: Vec::new(),
        doc: ReqIf::default(),
        stack: Vec::new(),
        text: String::new(),
        cur_datatype: None,
        cur_type: None,
        cur_attr: None,
        cur_value: None,
        owner: Owner::None,
        in_default: false,
        hierarchy: Vec::new(),
        saw_root: false,
        root_closed: false,
        object_ids: Default::default(),
    };
    parser.run()?;
    let mut doc = parser.doc;
    doc.source_name = name.to_owned();
    Ok(doc)
}

/// What the values being read belong to.
#[derive(Clone, Copy)]
enum Owner {
    None,
    Object(usize),
    Relation(usize),
    Specification(usize),
}

/// Which kind of spec type is open.
#[derive(Clone, Copy, PartialEq)]
enum TypeClass {
    Object,
    Relation,
    Specification,
    Group,
}

struct Parser<'a, R> {
    reader: NsReader<R>,
    name: &'a str,
    source: Source<'a>,
    /// The bytes of the events read (quick-xml reads into it).
    buf: Vec<u8>,
    doc: ReqIf,
    /// The open ReqIF elements, as far as an element inside them cares
    /// (see [`Under`]).
    stack: Vec<Under>,
    /// Text of the innermost element, for references and header fields.
    text: String,
    cur_datatype: Option<Datatype>,
    cur_type: Option<(TypeClass, SpecType)>,
    cur_attr: Option<AttrDef>,
    cur_value: Option<ValueEntry>,
    owner: Owner,
    in_default: bool,
    hierarchy: Vec<HierarchyNode>,
    saw_root: bool,
    /// Whether the outermost element has been closed: nothing but
    /// whitespace, comments and processing instructions may follow it.
    root_closed: bool,
    /// The SPEC-OBJECT identifiers read so far: each is given once.
    object_ids: rustc_hash::FxHashSet<String>,
}

/// SPEC-HIERARCHY nested deeper than this is refused: no tool writes a
/// document hundreds of headings deep, and such nesting would otherwise
/// exhaust the stack.
const MAX_DEPTH: usize = 500;

impl<R: BufRead> Parser<'_, R> {
    fn error(&self, message: String) -> ReadError {
        // Read again to find the line and column: only when reading fails.
        let file;
        let source = match self.source {
            Source::Bytes(b) => b,
            Source::File(path) => {
                file = std::fs::read(path).unwrap_or_default();
                &file[..]
            }
        };
        let source = source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(source);
        let pos = usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .min(source.len());
        let before = &source[..pos];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let col = String::from_utf8_lossy(&before[start..]).chars().count() as u64 + 1;
        ReadError {
            file: self.name.to_owned(),
            position: Some((line, col)),
            message,
        }
    }

    fn run(&mut self) -> Result<(), ReadError> {
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            buf.clear();
            let (in_reqif, event) = match self.reader.read_resolved_event_into(&mut buf) {
                Ok((ns, event)) => (is_reqif(&ns), event),
                Err(e) => {
                    let message = format!("not well-formed XML: {e}");
                    return Err(self.error(message));
                }
            };
            if self.root_closed && !may_follow_root(&event) {
                return Err(self.error(
                    "content after the end of the REQ-IF element: a ReqIF file holds one \
                     REQ-IF element and nothing after it (were two files joined?)"
                        .to_owned(),
                ));
            }
            match event {
                Event::Start(e) => {
                    if !in_reqif {
                        // A tool extension or foreign markup: skip it whole.
                        self.skip(&e)?;
                        continue;
                    }
                    let local = local_name(&e);
                    if !self.start(&local, &e, false)? {
                        self.stack.push(Under::of(&local));
                    }
                }
                Event::Empty(e) => {
                    if !in_reqif {
                        continue;
                    }
                    let local = local_name(&e);
                    if self.start(&local, &e, true)? {
                        continue;
                    }
                    // Its parent is the innermost open element.
                    let under = self.stack.last().copied().unwrap_or(Under::Other);
                    self.end(&local, under)?;
                }
                Event::End(e) if in_reqif => {
                    let local = e.local_name();
                    let local = String::from_utf8_lossy(local.as_ref());
                    // The element is on top of the stack, its parent below.
                    let parent = self.stack.len().checked_sub(2).map(|i| self.stack[i]);
                    let under = parent.unwrap_or(Under::Other);
                    self.end(&local, under)?;
                    self.stack.pop();
                    self.root_closed = self.saw_root && self.stack.is_empty();
                }
                // The indentation between tags, which leads any text of an
                // element and is trimmed from it: not worth decoding.
                Event::Text(t)
                    if self.text.is_empty()
                        && t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) => {}
                Event::Text(t) => {
                    let s = t.xml10_content().map_err(|e| self.error(not_utf8(&e)))?;
                    self.text.push_str(&s);
                }
                Event::CData(t) => {
                    let s = t.decode().map_err(|e| self.error(not_utf8(&e)))?;
                    self.text.push_str(&s);
                }
                Event::GeneralRef(r) => {
                    let s = resolve_ref(&r).map_err(|m| self.error(m))?;
                    self.text.push_str(&s);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !self.saw_root {
            return Err(self.error(format!(
                "no REQ-IF element in the ReqIF namespace ({REQIF_NS}): this is not a ReqIF file"
            )));
        }
        if !self.stack.is_empty() {
            // What is read of it would look whole: the objects and relations
            // after the cut would be reported removed, and pruned.
            return Err(self.error(format!(
                "the file ends with {} element{} still open: it looks cut short \
                 (an interrupted download or copy); get the whole file again",
                self.stack.len(),
                if self.stack.len() == 1 { "" } else { "s" }
            )));
        }
        Ok(())
    }

    /// Skips a foreign element and everything in it.
    fn skip(&mut self, e: &BytesStart<'_>) -> Result<(), ReadError> {
        let end = e.to_end().into_owned();
        self.buf.clear();
        self.reader
            .read_to_end_into(end.name(), &mut self.buf)
            .map_err(|err| self.error(format!("not well-formed XML: {err}")))?;
        Ok(())
    }

    fn attr(&self, e: &BytesStart<'_>, key: &str) -> Result<Option<String>, ReadError> {
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(format!("bad attribute: {err}")))?;
            if a.key.local_name().as_ref() == key.as_bytes() {
                let v = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|err| self.error(format!("bad attribute value: {err}")))?;
                return Ok(Some(v.into_owned()));
            }
        }
        Ok(None)
    }

    fn required(&self, e: &BytesStart<'_>, key: &str, what: &str) -> Result<String, ReadError> {
        self.attr(e, key)?
            .ok_or_else(|| self.error(format!("{what} without {key}")))
    }

    /// Handles a start tag; returns true when the element was read whole
    /// (its end tag consumed) here.
    fn start(&mut self, local: &str, e: &BytesStart<'_>, empty: bool) -> Result<bool, ReadError> {
        self.text.clear();
        match local {
            "REQ-IF" => self.saw_root = true,
            "REQ-IF-HEADER" => {
                self.doc.header.identifier = self.attr(e, "IDENTIFIER")?.unwrap_or_default();
            }
            l if l.starts_with("DATATYPE-DEFINITION-") && !l.ends_with("-REF") => {
                let kind = DataKind::from_suffix(&l["DATATYPE-DEFINITION-".len()..])
                    .ok_or_else(|| self.error(format!("unknown datatype {l}")))?;
                self.cur_datatype = Some(Datatype {
                    identifier: self.required(e, "IDENTIFIER", l)?,
                    long_name: self.attr(e, "LONG-NAME")?,
                    kind,
                    values: Vec::new(),
                });
            }
            "ENUM-VALUE" => {
                let id = self.required(e, "IDENTIFIER", "ENUM-VALUE")?;
                let long_name = self.attr(e, "LONG-NAME")?;
                if let Some(dt) = self.cur_datatype.as_mut() {
                    dt.values.push(EnumValue {
                        identifier: id,
                        long_name,
                        other_content: None,
                    });
                }
            }
            "EMBEDDED-VALUE" => {
                let other = self.attr(e, "OTHER-CONTENT")?;
                if let Some(v) = self
                    .cur_datatype
                    .as_mut()
                    .and_then(|dt| dt.values.last_mut())
                {
                    v.other_content = other.filter(|s| !s.trim().is_empty());
                }
            }
            "SPEC-OBJECT-TYPE"
            | "SPEC-RELATION-TYPE"
            | "SPECIFICATION-TYPE"
            | "RELATION-GROUP-TYPE" => {
                let class = match local {
                    "SPEC-OBJECT-TYPE" => TypeClass::Object,
                    "SPEC-RELATION-TYPE" => TypeClass::Relation,
                    "SPECIFICATION-TYPE" => TypeClass::Specification,
                    _ => TypeClass::Group,
                };
                self.cur_type = Some((
                    class,
                    SpecType {
                        identifier: self.required(e, "IDENTIFIER", local)?,
                        long_name: self.attr(e, "LONG-NAME")?,
                        attributes: Vec::new(),
                    },
                ));
            }
            l if l.starts_with("ATTRIBUTE-DEFINITION-") && !l.ends_with("-REF") => {
                let kind = DataKind::from_suffix(&l["ATTRIBUTE-DEFINITION-".len()..])
                    .ok_or_else(|| self.error(format!("unknown attribute definition {l}")))?;
                let multi = self.attr(e, "MULTI-VALUED")?.as_deref() == Some("true");
                self.cur_attr = Some(AttrDef {
                    identifier: self.required(e, "IDENTIFIER", l)?,
                    long_name: self.attr(e, "LONG-NAME")?,
                    kind,
                    datatype: None,
                    multi_valued: multi,
                    default: None,
                });
            }
            "DEFAULT-VALUE" => self.in_default = true,
            l if l.starts_with("ATTRIBUTE-VALUE-") => {
                let kind = DataKind::from_suffix(&l["ATTRIBUTE-VALUE-".len()..])
                    .ok_or_else(|| self.error(format!("unknown attribute value {l}")))?;
                let raw = match kind {
                    DataKind::Xhtml => RawValue::Xhtml(String::new()),
                    DataKind::Enumeration => RawValue::Enumeration(Vec::new()),
                    _ => {
                        let v = self.attr(e, "THE-VALUE")?.unwrap_or_default();
                        RawValue::Scalar(kind, v)
                    }
                };
                self.cur_value = Some(ValueEntry {
                    definition: String::new(),
                    value: raw,
                });
            }
            "THE-VALUE" if !empty => {
                if let Some(ValueEntry {
                    value: RawValue::Xhtml(_),
                    ..
                }) = self.cur_value
                {
                    let end = e.to_end().into_owned();
                    let mut out = XhtmlText::default();
                    let mut depth = 0usize;
                    let mut buf = std::mem::take(&mut self.buf);
                    loop {
                        buf.clear();
                        let ev = match self.reader.read_resolved_event_into(&mut buf) {
                            Ok((_, ev)) => ev,
                            Err(err) => {
                                let message = format!(
                                    "not well-formed XML in THE-VALUE: {err} (in XHTML, write `&amp;` for `&` and `&lt;` for `<`, and close every tag)"
                                );
                                return Err(self.error(message));
                            }
                        };
                        match ev {
                            Event::Start(s) => {
                                depth += 1;
                                out.open(&String::from_utf8_lossy(s.local_name().as_ref()), &s);
                            }
                            Event::Empty(s) => {
                                let n =
                                    String::from_utf8_lossy(s.local_name().as_ref()).into_owned();
                                out.open(&n, &s);
                                out.close(&n);
                            }
                            Event::End(s) => {
                                if depth == 0 && s.name() == end.name() {
                                    break;
                                }
                                depth = depth.saturating_sub(1);
                                out.close(&String::from_utf8_lossy(s.local_name().as_ref()));
                            }
                            Event::Text(t) => {
                                let s = match t.xml10_content() {
                                    Ok(s) => s,
                                    Err(err) => {
                                        let message = not_utf8(&err);
                                        return Err(self.error(message));
                                    }
                                };
                                out.text(&s);
                            }
                            Event::CData(t) => out.text(&String::from_utf8_lossy(&t)),
                            Event::GeneralRef(r) => {
                                let s = resolve_ref(&r).map_err(|m| self.error(m))?;
                                out.text(&s);
                            }
                            Event::Eof => {
                                return Err(self.error("THE-VALUE is not closed".into()));
                            }
                            _ => {}
                        }
                    }
                    self.buf = buf;
                    if let Some(v) = self.cur_value.as_mut() {
                        v.value = RawValue::Xhtml(out.finish());
                    }
                    return Ok(true);
                }
            }
            "SPEC-OBJECT" => {
                let identifier = self.required(e, "IDENTIFIER", local)?;
                if !self.object_ids.insert(identifier.clone()) {
                    return Err(self.error(format!(
                        "a second SPEC-OBJECT with the IDENTIFIER `{}`: each object's IDENTIFIER is its own, so one of the two would be lost; export the file again, or give one of them another IDENTIFIER",
                        identifier.escape_debug()
                    )));
                }
                self.doc.objects.push(SpecObject {
                    identifier,
                    long_name: self.attr(e, "LONG-NAME")?,
                    object_type: String::new(),
                    values: Vec::new(),
                });
                self.owner = Owner::Object(self.doc.objects.len() - 1);
            }
            "SPEC-RELATION" => {
                self.doc.relations.push(SpecRelation {
                    identifier: self.required(e, "IDENTIFIER", local)?,
                    relation_type: String::new(),
                    source: String::new(),
                    target: String::new(),
                    values: Vec::new(),
                });
                self.owner = Owner::Relation(self.doc.relations.len() - 1);
            }
            "SPECIFICATION" => {
                self.doc.specifications.push(Specification {
                    identifier: self.required(e, "IDENTIFIER", local)?,
                    long_name: self.attr(e, "LONG-NAME")?,
                    spec_type: String::new(),
                    values: Vec::new(),
                    children: Vec::new(),
                });
                self.owner = Owner::Specification(self.doc.specifications.len() - 1);
            }
            "SPEC-HIERARCHY" => {
                if self.hierarchy.len() >= MAX_DEPTH {
                    return Err(self.error(format!(
                        "SPEC-HIERARCHY nested more than {MAX_DEPTH} deep: a document's headings and objects nest a few levels; check the tool that wrote the file"
                    )));
                }
                self.hierarchy.push(HierarchyNode {
                    identifier: self.attr(e, "IDENTIFIER")?.unwrap_or_default(),
                    object: String::new(),
                    children: Vec::new(),
                });
            }
            _ => {}
        }
        Ok(false)
    }

    /// Handles an end tag (or the end of an empty element) of `local`,
    /// inside the element `under` tells.
    fn end(&mut self, local: &str, under: Under) -> Result<(), ReadError> {
        let result = self.end_element(local, under);
        // The text read since the last tag belongs to this element only.
        self.text.clear();
        result
    }

    fn end_element(&mut self, local: &str, under: Under) -> Result<(), ReadError> {
        let header = under == Under::Header;
        match local {
            "CREATION-TIME" if header => self.doc.header.creation_time = trimmed(&self.text),
            "TITLE" if header => self.doc.header.title = trimmed(&self.text),
            "SOURCE-TOOL-ID" if header => self.doc.header.source_tool_id = trimmed(&self.text),
            "REQ-IF-TOOL-ID" if header => self.doc.header.req_if_tool_id = trimmed(&self.text),
            "REQ-IF-VERSION" if header => self.doc.header.req_if_version = trimmed(&self.text),
            "COMMENT" if header => self.doc.header.comment = trimmed(&self.text),
            l if l.starts_with("DATATYPE-DEFINITION-") && l.ends_with("-REF") => {
                if let Some(a) = self.cur_attr.as_mut() {
                    a.datatype = Some(trimmed(&self.text));
                }
            }
            l if l.starts_with("DATATYPE-DEFINITION-") => {
                if let Some(dt) = self.cur_datatype.take() {
                    self.doc.datatypes.insert(dt.identifier.clone(), dt);
                }
            }
            l if l.starts_with("ATTRIBUTE-DEFINITION-") && l.ends_with("-REF") => {
                if let Some(v) = self.cur_value.as_mut() {
                    v.definition = trimmed(&self.text);
                }
            }
            l if l.starts_with("ATTRIBUTE-DEFINITION-") => {
                if let Some(a) = self.cur_attr.take() {
                    if let Some((_, t)) = self.cur_type.as_mut() {
                        t.attributes.push(a.identifier.clone());
                    }
                    self.doc.attributes.insert(a.identifier.clone(), a);
                }
            }
            "ENUM-VALUE-REF" => {
                if let Some(ValueEntry {
                    value: RawValue::Enumeration(refs),
                    ..
                }) = self.cur_value.as_mut()
                {
                    refs.push(trimmed(&self.text));
                }
            }
            "DEFAULT-VALUE" => self.in_default = false,
            l if l.starts_with("ATTRIBUTE-VALUE-") => {
                if let Some(v) = self.cur_value.take() {
                    if self.in_default {
                        if let Some(a) = self.cur_attr.as_mut() {
                            a.default = Some(v.value);
                        }
                    } else {
                        match self.owner {
                            Owner::Object(i) => self.doc.objects[i].values.push(v),
                            Owner::Relation(i) => self.doc.relations[i].values.push(v),
                            Owner::Specification(i) => self.doc.specifications[i].values.push(v),
                            Owner::None => {}
                        }
                    }
                }
            }
            "SPEC-OBJECT-TYPE"
            | "SPEC-RELATION-TYPE"
            | "SPECIFICATION-TYPE"
            | "RELATION-GROUP-TYPE" => {
                if let Some((class, t)) = self.cur_type.take() {
                    let map = match class {
                        TypeClass::Object => &mut self.doc.object_types,
                        TypeClass::Relation => &mut self.doc.relation_types,
                        TypeClass::Specification => &mut self.doc.specification_types,
                        TypeClass::Group => &mut self.doc.group_types,
                    };
                    map.insert(t.identifier.clone(), t);
                }
            }
            "SPEC-OBJECT-TYPE-REF" => {
                if let Owner::Object(i) = self.owner {
                    self.doc.objects[i].object_type = trimmed(&self.text);
                }
            }
            "SPEC-RELATION-TYPE-REF" => {
                if let Owner::Relation(i) = self.owner {
                    self.doc.relations[i].relation_type = trimmed(&self.text);
                }
            }
            "SPECIFICATION-TYPE-REF" => {
                if let Owner::Specification(i) = self.owner {
                    self.doc.specifications[i].spec_type = trimmed(&self.text);
                }
            }
            "SPEC-OBJECT-REF" => match (under, self.owner) {
                (Under::Source, Owner::Relation(i)) => {
                    self.doc.relations[i].source = trimmed(&self.text)
                }
                (Under::Target, Owner::Relation(i)) => {
                    self.doc.relations[i].target = trimmed(&self.text)
                }
                (Under::Object, _) => {
                    if let Some(node) = self.hierarchy.last_mut() {
                        node.object = trimmed(&self.text);
                    }
                }
                _ => {}
            },
            "SPEC-HIERARCHY" => {
                if let Some(node) = self.hierarchy.pop() {
                    if let Some(up) = self.hierarchy.last_mut() {
                        up.children.push(node);
                    } else if let Owner::Specification(i) = self.owner {
                        self.doc.specifications[i].children.push(node);
                    }
                }
            }
            "SPEC-OBJECT" | "SPEC-RELATION" | "SPECIFICATION" => self.owner = Owner::None,
            _ => {}
        }
        Ok(())
    }
}

/// The text of an element as it is kept: trimmed. Taken only by the
/// elements that keep their text.
fn trimmed(text: &str) -> String {
    text.trim().to_owned()
}

/// The element an element ends in, as far as reading it depends on it.
#[derive(Clone, Copy, PartialEq)]
enum Under {
    Header,
    Source,
    Target,
    Object,
    Other,
}

impl Under {
    fn of(parent: &str) -> Under {
        match parent {
            "REQ-IF-HEADER" => Under::Header,
            "SOURCE" => Under::Source,
            "TARGET" => Under::Target,
            "OBJECT" => Under::Object,
            _ => Under::Other,
        }
    }
}

/// Whether `event` may come after the outermost element has been closed.
fn may_follow_root(event: &Event<'_>) -> bool {
    match event {
        // Some tools pad the file with NULs, or end it with the old end-of-file
        // byte (0x1A).
        Event::Text(t) => t
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x1a)),
        Event::Comment(_) | Event::PI(_) | Event::Eof => true,
        _ => false,
    }
}

fn is_reqif(ns: &ResolveResult<'_>) -> bool {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => {
            // ReqIF 1.0 to 1.2 all use the 20110401 namespace; a file that
            // names the schema without the `.xsd` is read too. Compared as
            // bytes: this runs for every tag of the file.
            let mut uri: &[u8] = uri;
            while let Some(rest) = uri.strip_suffix(b".xsd") {
                uri = rest;
            }
            let ns = REQIF_NS.as_bytes();
            uri == ns.strip_suffix(b".xsd").unwrap_or(ns)
        }
        // Some tools write no namespace at all.
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(_) => false,
    }
}

fn local_name<'e>(e: &'e BytesStart<'_>) -> std::borrow::Cow<'e, str> {
    String::from_utf8_lossy(e.local_name().into_inner())
}

/// The text of an entity or character reference (`&amp;`, `&#x4e2d;`).
fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r
        .resolve_char_ref()
        .map_err(|e| format!("bad character reference: {e}"))?
    {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| format!("bad reference: {e}"))?;
    // Some tools write HTML's `&nbsp;` into XHTML without declaring it;
    // any other undeclared entity is kept as written, not dropped.
    Ok(match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(s) => s.to_owned(),
        None if name == "nbsp" => "\u{a0}".to_owned(),
        None => format!("&{name};"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn minimal(id: &str) -> String {
        format!(
            r#"<REQ-IF xmlns="{REQIF_NS}"><CORE-CONTENT><REQ-IF-CONTENT><SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="{id}"><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS></REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#
        )
    }

    #[test]
    fn a_file_is_read_as_it_streams_as_its_bytes_would_be_with_the_same_error_places() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.reqif");
        std::fs::write(&good, format!("\u{feff}{}", minimal("only"))).unwrap();
        let docs = read_path(&good).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].objects[0].identifier, "only");
        let bad = "\u{feff}<REQ-IF>\n<a>\n  </b>";
        let path = dir.path().join("bad.reqif");
        std::fs::write(&path, bad).unwrap();
        let streamed = read_path(&path).unwrap_err();
        let whole = read_bytes(bad.as_bytes(), &path.display().to_string()).unwrap_err();
        assert_eq!(streamed.position, whole.position);
        assert_eq!(streamed.position.map(|p| p.0), Some(3), "{streamed}");
        assert_eq!(streamed.message, whole.message);
    }

    #[test]
    fn a_reqifz_gives_every_reqif_member_and_ignores_attachments() {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            z.start_file("b.reqif", o).unwrap();
            z.write_all(minimal("second").as_bytes()).unwrap();
            z.start_file("files/picture.png", o).unwrap();
            z.write_all(b"\x89PNG").unwrap();
            z.start_file("a.reqif", o).unwrap();
            z.write_all(minimal("first").as_bytes()).unwrap();
            z.finish().unwrap();
        }
        let docs = read_zip(std::io::Cursor::new(buf.into_inner()), "x.reqifz").unwrap();
        let ids: Vec<&str> = docs
            .iter()
            .map(|d| d.objects[0].identifier.as_str())
            .collect();
        assert_eq!(ids, ["first", "second"]);
        assert_eq!(docs[0].source_name, "x.reqifz!a.reqif");
    }

    /// A file in UTF-16 (little- or big-endian, with its byte-order mark)
    /// reads as the same file in UTF-8 does, from a path or from an
    /// archive; a broken one is an error that says to save it as UTF-8,
    /// with its line and column when the XML itself is broken.
    #[test]
    fn a_utf16_file_reads_as_its_utf8_twin_and_a_broken_one_says_so() {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n{}",
            minimal("指纹-1")
        );
        let utf16 = |big: bool| crate::text::utf16_with_bom(&text, big);
        let dir = tempfile::tempdir().unwrap();
        for big in [false, true] {
            let path = dir.path().join(format!("wide-{big}.reqif"));
            std::fs::write(&path, utf16(big)).unwrap();
            let docs = read_path(&path).unwrap();
            assert_eq!(docs[0].objects[0].identifier, "指纹-1");
            let doc = read_bytes(&utf16(big), "member.reqif").unwrap();
            assert_eq!(doc.objects[0].identifier, "指纹-1");
        }
        // A lone high surrogate: not UTF-16 at all.
        let mut broken = utf16(false);
        broken.extend([0x00, 0xD8, b'<', 0]);
        let e = read_bytes(&broken, "broken.reqif").unwrap_err();
        assert!(
            e.message.contains("UTF-16LE") && e.message.contains("save the file as UTF-8"),
            "{e}"
        );
        // Valid UTF-16, broken XML: the place is counted in the text.
        let bad = crate::text::utf16_with_bom("<REQ-IF>\n<a>\n  </b>", false);
        let path = dir.path().join("bad.reqif");
        std::fs::write(&path, &bad).unwrap();
        assert_eq!(read_path(&path).unwrap_err().position.map(|p| p.0), Some(3));
    }
}
