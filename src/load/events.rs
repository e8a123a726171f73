//! The fast way to read an item file: items built straight from its lines,
//! without first building the generic TOML document.
//!
//! It reads the files needtrail itself writes and people usually write:
//! `[[kind]]` and `[[kind.sub]]` tables holding `key = value` lines with
//! strings, numbers, booleans, dates and arrays of these. The lines come
//! from [`super::scan`], one pass over the bytes, when the file uses only
//! the commonest TOML; otherwise from the TOML parser's events. On anything
//! neither takes (another TOML construct, a syntax error, a value that does
//! not fit its field, a key the profile does not know) it gives up, and the
//! file is read the general way ([`super::FileReader`]), which says what is
//! wrong. For every file it does read, it gives exactly the items the
//! general way gives; tests compare the three on the samples, on a
//! generated corpus, on edited sample files, on random values and on files
//! written to exercise the corners.

use std::borrow::Cow;

use toml_parser::Source;
use toml_parser::decoder::ScalarKind;
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};

use std::ops::Range;

use super::lines::{Line, Lines, Scalar, Val};
use super::{RawId, RawItem, inherit, scan};
use crate::model::{FieldIdx, FileIdx, KindIdx, Span, Table, Value};
use crate::profile::{FieldType, Profile};

/// The items of a file, or `None` when the file needs the general reader.
pub(super) fn read(text: &str, file: FileIdx, profile: &Profile) -> Option<Vec<RawItem>> {
    // The plainest files are scanned directly; a file the scanner does not
    // take (it knows only the commonest constructs) goes through the TOML
    // parser's events, which know them all.
    match read_scanned(text, file, profile) {
        Ok(items) => Some(items),
        Err(Decline::Content) => None,
        Err(Decline::Syntax) => read_events(text, file, profile),
    }
}

fn read_scanned(text: &str, file: FileIdx, profile: &Profile) -> Result<Vec<RawItem>, Decline> {
    Builder::new(text, file, profile).run(scan::Scanner::new(text))
}

fn read_events(text: &str, file: FileIdx, profile: &Profile) -> Option<Vec<RawItem>> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut error: Option<toml_parser::ParseError> = None;
    // Checked as the general reader checks them: comments and line ends,
    // and nesting no deeper than it allows.
    let mut validate = ValidateWhitespace::new(&mut events, source);
    let mut guarded = RecursionGuard::new(&mut validate, 80);
    toml_parser::parser::parse_document(&tokens, &mut guarded, &mut error);
    if error.is_some() {
        return None;
    }
    drop(tokens);
    let lines = EventLines {
        source,
        events: &events,
        at: 0,
    };
    Builder::new(text, file, profile).run(lines).ok()
}

/// Why the fast reader gave a file up.
#[derive(Debug, PartialEq)]
enum Decline {
    /// Its lines could not be read (another source of lines may read them).
    Syntax,
    /// It holds something the items cannot take: the general reader says what.
    Content,
}

/// The item being read: top-level, or a sub-item of the last top-level
/// item of its parent's kind.
struct Open {
    raw: RawItem,
    /// For a sub-item: the index of its parent in `items`, and its number
    /// among the parent's sub-items.
    parent: Option<(usize, usize)>,
    /// Fields written so far (the title among them), to refuse duplicates.
    seen: Vec<FieldIdx>,
    /// Whether `id` was written.
    id_seen: bool,
    /// Fields written with dotted keys so far.
    dotted: Vec<FieldIdx>,
}

/// The lines of a file read from the TOML parser's events.
struct EventLines<'e, 'i> {
    source: Source<'i>,
    events: &'e [Event],
    at: usize,
}

impl<'i> EventLines<'_, 'i> {
    fn next(&mut self) -> Option<Event> {
        let e = self.events.get(self.at).copied();
        self.at += 1;
        e
    }

    /// The next event that is not whitespace, a comment or a line end.
    fn next_significant(&mut self) -> Option<Event> {
        while let Some(e) = self.next() {
            match e.kind() {
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline => {}
                _ => return Some(e),
            }
        }
        None
    }

    fn decode_key(&self, e: &Event) -> Option<Cow<'i, str>> {
        let raw = self.source.get(e)?;
        let mut out: Cow<'i, str> = Cow::Borrowed("");
        let mut error: Option<toml_parser::ParseError> = None;
        raw.decode_key(&mut out, &mut error);
        error.is_none().then_some(out)
    }

    fn decode_scalar(&self, e: &Event) -> Option<Scalar<'i>> {
        let raw = self.source.get(e)?;
        let mut out: Cow<'i, str> = Cow::Borrowed("");
        let mut error: Option<toml_parser::ParseError> = None;
        let kind = raw.decode_scalar(&mut out, &mut error);
        if error.is_some() {
            return None;
        }
        Some(match kind {
            ScalarKind::String => Scalar::String(out),
            ScalarKind::Boolean(b) => Scalar::Bool(b),
            ScalarKind::DateTime => Scalar::Date(out),
            ScalarKind::Float => Scalar::Float(out),
            // Only decimal integers: other radixes read the general way.
            ScalarKind::Integer(radix) if radix.value() == 10 => Scalar::Integer(out),
            ScalarKind::Integer(_) => return None,
        })
    }

    /// `[[kind]]` or `[[parent.sub]]`, after its opening brackets.
    fn header(&mut self, open: Event) -> Option<Line<'i>> {
        let mut names: Vec<Cow<'i, str>> = Vec::new();
        let close = loop {
            let e = self.next()?;
            match e.kind() {
                EventKind::Whitespace | EventKind::KeySep => {}
                EventKind::SimpleKey => names.push(self.decode_key(&e)?),
                EventKind::ArrayTableClose => break e,
                _ => return None,
            }
        };
        Some(Line::Header(names, open.span().start()..close.span().end()))
    }

    /// One `key = value` line, after its key.
    fn key_value(&mut self, key: Event) -> Option<Line<'i>> {
        let name = self.decode_key(&key)?;
        // A dotted key of two parts (`a.b = ...`); longer ones and anything
        // unexpected: the general way.
        let sub = match self.next_significant()?.kind() {
            EventKind::KeyValSep => None,
            EventKind::KeySep => {
                let sub = self.next_significant()?;
                if sub.kind() != EventKind::SimpleKey {
                    return None;
                }
                let sub = self.decode_key(&sub)?;
                if self.next_significant()?.kind() != EventKind::KeyValSep {
                    return None;
                }
                Some(sub)
            }
            _ => return None,
        };
        let (value, bytes) = self.value()?;
        Some(match sub {
            Some(sub) => Line::Dotted(
                name,
                sub,
                key.span().start()..key.span().end(),
                value,
                bytes,
            ),
            None => Line::KeyValue(name, key.span().start(), value, bytes),
        })
    }

    /// A value: a scalar, or an array of scalars.
    fn value(&mut self) -> Option<(Val<'i>, Range<usize>)> {
        let e = self.next_significant()?;
        match e.kind() {
            EventKind::Scalar => Some((
                Val::Scalar(self.decode_scalar(&e)?),
                e.span().start()..e.span().end(),
            )),
            EventKind::ArrayOpen => {
                let mut items = Vec::new();
                loop {
                    let x = self.next_significant()?;
                    match x.kind() {
                        EventKind::Scalar => {
                            items.push((self.decode_scalar(&x)?, x.span().start()..x.span().end()))
                        }
                        EventKind::ValueSep => {}
                        EventKind::ArrayClose => {
                            return Some((Val::Array(items), e.span().start()..x.span().end()));
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }
}

impl<'i> Lines<'i> for EventLines<'_, 'i> {
    fn next_line(&mut self) -> Result<Option<Line<'i>>, ()> {
        let Some(e) = self.next_significant() else {
            return Ok(None);
        };
        let line = match e.kind() {
            EventKind::ArrayTableOpen => self.header(e),
            EventKind::SimpleKey => self.key_value(e),
            _ => None,
        };
        line.map(Some).ok_or(())
    }
}

/// Builds the items from the lines of one file, checking them as the
/// general reader does.
struct Builder<'e, 'i> {
    text: &'i str,
    file: FileIdx,
    profile: &'e Profile,
    items: Vec<RawItem>,
    /// The index in `items` of the last item of each kind.
    last_of_kind: Vec<(KindIdx, usize)>,
    /// How many sub-items of each kind each item has so far.
    sub_counts: rustc_hash::FxHashMap<(usize, KindIdx), usize>,
    /// Lists an open item fills, kept between items (see [`Builder::close`]).
    spare: Spare,
    /// The open item's fingerprints (`stamped.REQ-001 = "..."`), by field:
    /// each field's table is made of them when the item ends.
    entries: Vec<(FieldIdx, Cow<'i, str>, Cow<'i, str>)>,
    /// The last field written with dotted keys, by name: a stamped
    /// project writes `stamped.` on most lines.
    last_dotted: Option<(&'i str, FieldIdx)>,
    /// Whether a sub-item was written apart from its parent.
    regroup: bool,
}

#[derive(Default)]
struct Spare {
    fields: Vec<(FieldIdx, Value)>,
    links: Vec<super::RawLink>,
    field_spans: Vec<(FieldIdx, Span)>,
    seen: Vec<FieldIdx>,
    dotted: Vec<FieldIdx>,
}

/// How many lines of `text` start with `[[`: about as many items as the
/// file holds (a header inside a multi-line string counts too, an
/// indented one does not), so that the list of a file's items is made
/// once at about its size. Grown a doubling at a time instead, a file of
/// 100k decisions had its list copied seventeen times, each copy into
/// memory new to the process, which the system must clear first.
fn headers(text: &str) -> usize {
    let bytes = text.as_bytes();
    usize::from(bytes.starts_with(b"[[")) + memchr::memmem::find_iter(bytes, b"\n[[").count()
}

/// `v`'s items in a list of just their number, `v` left empty for reuse.
fn exact<T>(v: &mut Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(v.len());
    out.append(v);
    out
}

impl<'e, 'i> Builder<'e, 'i> {
    fn new(text: &'i str, file: FileIdx, profile: &'e Profile) -> Self {
        Builder {
            text,
            file,
            profile,
            items: Vec::with_capacity(headers(text)),
            last_of_kind: Vec::new(),
            sub_counts: Default::default(),
            spare: Spare::default(),
            entries: Vec::new(),
            last_dotted: None,
            regroup: false,
        }
    }

    fn span(&self, bytes: Range<usize>) -> Span {
        Span::new(self.file, bytes)
    }

    fn run(mut self, mut lines: impl Lines<'i>) -> Result<Vec<RawItem>, Decline> {
        let content = |x: Option<()>| x.ok_or(Decline::Content);
        let mut open: Option<Open> = None;
        while let Some(line) = lines.next_line().map_err(|()| Decline::Syntax)? {
            match line {
                Line::Header(names, span) => {
                    if let Some(o) = open.take() {
                        content(self.close(o))?;
                    }
                    open = Some(self.header(&names, span).ok_or(Decline::Content)?);
                }
                Line::KeyValue(name, key_start, value, bytes) => {
                    let o = open.as_mut().ok_or(Decline::Content)?;
                    content(self.key_value(o, name, key_start, value, bytes))?;
                }
                Line::Dotted(name, key, name_span, value, _) => {
                    let o = open.as_mut().ok_or(Decline::Content)?;
                    content(self.dotted(o, name, key, name_span, value))?;
                }
            }
        }
        if let Some(o) = open.take() {
            content(self.close(o))?;
        }
        if self.regroup {
            super::regroup(&mut self.items);
        }
        Ok(self.items)
    }

    /// Opens the item a `[[kind]]` or `[[parent.sub]]` header starts.
    fn header(&mut self, names: &[Cow<'i, str>], span: Range<usize>) -> Option<Open> {
        let header = self.span(span);
        let profile = self.profile;
        let (kind, parent) = match names {
            [name] => {
                let kind = profile.kind_index(name)?;
                if profile.kind(kind).within.is_some() {
                    return None;
                }
                (kind, None)
            }
            [parent, sub] => {
                let pk = profile.kind_index(parent)?;
                let sk = *profile
                    .kind(pk)
                    .sub_kinds
                    .iter()
                    .find(|s| profile.kind(**s).name == *sub)?;
                let at = self.last_of(pk)?;
                let count = self.sub_counts.entry((at, sk)).or_insert(0);
                *count += 1;
                (sk, Some((at, *count)))
            }
            _ => return None,
        };
        Some(Open {
            raw: RawItem {
                id: String::new(),
                kind,
                title: None,
                fields: std::mem::take(&mut self.spare.fields),
                links: std::mem::take(&mut self.spare.links),
                span: header,
                field_spans: std::mem::take(&mut self.spare.field_spans),
                parent: parent.map(|(at, _)| at as u32),
            },
            parent,
            seen: std::mem::take(&mut self.spare.seen),
            id_seen: false,
            dotted: std::mem::take(&mut self.spare.dotted),
        })
    }

    fn last_of(&self, kind: KindIdx) -> Option<usize> {
        self.last_of_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, at)| *at)
    }

    /// One `key = value` line of the open item.
    fn key_value(
        &mut self,
        o: &mut Open,
        name: Cow<'i, str>,
        key_start: usize,
        value: Val<'i>,
        bytes: Range<usize>,
    ) -> Option<()> {
        let raw = &mut o.raw;
        match name.as_ref() {
            "id" => {
                if std::mem::replace(&mut o.id_seen, true) {
                    return None;
                }
                let Val::Scalar(Scalar::String(s)) = value else {
                    return None;
                };
                if s.trim().is_empty() {
                    return None;
                }
                raw.id = s.into_owned();
                return Some(());
            }
            "title" => {
                if o.seen.contains(&self.profile.title_field) {
                    return None;
                }
                o.seen.push(self.profile.title_field);
                let Val::Scalar(Scalar::String(s)) = value else {
                    return None;
                };
                raw.title = Some(s.into_owned());
                raw.field_spans.push((
                    self.profile.title_field,
                    Span::new(self.file, key_start..bytes.end),
                ));
                return Some(());
            }
            _ => {}
        }
        let profile = self.profile;
        let field = profile.field_index(&name)?;
        // A name is a field or is declined: fields stand for names here.
        if o.seen.contains(&field) {
            return None;
        }
        o.seen.push(field);
        if profile
            .kind(raw.kind)
            .sub_kinds
            .iter()
            .any(|s| profile.kind(*s).name == *name)
        {
            return None;
        }
        let def = profile.field_def(raw.kind, field)?;
        if o.parent.is_some() && profile.parent_field(raw.kind) == Some(field) {
            return None;
        }
        raw.field_spans
            .push((field, Span::new(self.file, key_start..bytes.end)));
        if def.ty.is_link() {
            // Each id as it is read: a value that is not all ids declines
            // the whole file, so what was pushed before does not matter.
            let (file, text) = (self.file, self.text);
            let mut link = |s: Scalar<'i>, r: Range<usize>| {
                let Scalar::String(id) = s else {
                    return None;
                };
                if id.trim().is_empty() {
                    return None;
                }
                let id = RawId::new(text, id);
                raw.links.push((field, id, Span::new(file, r), false));
                Some(())
            };
            match value {
                Val::Scalar(s) => link(s, bytes)?,
                Val::Array(items) if def.ty == FieldType::Links => {
                    for (s, r) in items {
                        link(s, r)?;
                    }
                }
                _ => return None,
            }
        } else {
            let v = typed(def.ty, &def.values, value)?;
            raw.fields.push((field, v));
        }
        Some(())
    }

    /// One `field.key = "text"` line of the open item: an entry of a
    /// fingerprints field, the only kind of field written with dotted keys.
    fn dotted(
        &mut self,
        o: &mut Open,
        name: Cow<'i, str>,
        key: Cow<'i, str>,
        name_span: Range<usize>,
        value: Val<'i>,
    ) -> Option<()> {
        let Val::Scalar(Scalar::String(text)) = value else {
            return None;
        };
        let profile = self.profile;
        let raw = &mut o.raw;
        let field = match (self.last_dotted, &name) {
            (Some((last, f)), Cow::Borrowed(n)) if last == *n => f,
            _ => {
                let f = profile.field_index(&name)?;
                if let Cow::Borrowed(n) = name {
                    self.last_dotted = Some((n, f));
                }
                f
            }
        };
        if profile.field_def(raw.kind, field)?.ty != FieldType::Fingerprints {
            return None;
        }
        // The field's table is made by its first dotted key, which is where
        // the field stands (as the general reader has it); a plain key of
        // the same name before or after it is a TOML error.
        if !o.dotted.contains(&field) {
            if o.seen.contains(&field) {
                return None;
            }
            o.seen.push(field);
            o.dotted.push(field);
            raw.field_spans
                .push((field, Span::new(self.file, name_span)));
            raw.fields.push((field, Value::Map(Table::default())));
        }
        self.entries.push((field, key, text));
        Some(())
    }

    /// Ends the open item: checks it as the general reader does and files it.
    ///
    /// An item's lists are filled in lists kept from item to item, then
    /// copied to lists of their exact length: no room is left over, and the
    /// lists of successive items lie side by side in memory, where the
    /// rules, which visit items in order, find them quickly.
    fn close(&mut self, o: Open) -> Option<()> {
        let mut seen = o.seen;
        seen.clear();
        self.spare.seen = seen;
        let mut raw = o.raw;
        let mut dotted = o.dotted;
        let profile = self.profile;
        // Each fingerprints field's table, in key order as the general
        // reader gives it; a key written twice is a TOML error, and a NUL
        // not allowed in a table: both left to the general reader to report.
        if !self.entries.is_empty() {
            self.entries
                .sort_unstable_by(|a, b| (a.0, a.1.as_ref()).cmp(&(b.0, b.1.as_ref())));
            for (f, v) in &mut raw.fields {
                if dotted.contains(f) {
                    let from = self.entries.partition_point(|e| e.0 < *f);
                    let to = self.entries.partition_point(|e| e.0 <= *f);
                    let entries = self.entries[from..to]
                        .iter()
                        .map(|(_, k, v)| (k.as_ref(), v.as_ref()));
                    *v = Value::Map(Table::from_sorted(entries).ok()?);
                }
            }
            self.entries.clear();
        }
        dotted.clear();
        self.spare.dotted = dotted;
        match o.parent {
            Some((at, n)) => {
                let parent = &self.items[at];
                if raw.id.is_empty() {
                    raw.id = profile.sub_item_id(raw.kind, &parent.id, n);
                }
                let pf = profile.parent_field(raw.kind)?;
                raw.links
                    .push((pf, RawId::Owned(parent.id.clone()), raw.span.clone(), false));
                raw.fields.sort_by_key(|(f, _)| *f);
                inherit(profile, parent, &mut raw);
                self.tighten(&mut raw);
                // Sub-items usually follow their parent and its earlier
                // sub-items; when one does not, the items are put in that
                // order at the end.
                let last = self.items.len() - 1;
                if last != at && self.items[last].parent != Some(at as u32) {
                    self.regroup = true;
                }
                self.items.push(raw);
            }
            None => {
                if raw.id.is_empty() {
                    return None;
                }
                raw.fields.sort_by_key(|(f, _)| *f);
                self.tighten(&mut raw);
                let kind = raw.kind;
                self.items.push(raw);
                let at = self.items.len() - 1;
                match self.last_of_kind.iter_mut().find(|(k, _)| *k == kind) {
                    Some(slot) => slot.1 = at,
                    None => self.last_of_kind.push((kind, at)),
                }
            }
        }
        Some(())
    }

    /// Gives `raw` lists of their exact length, keeping its own for the next item.
    fn tighten(&mut self, raw: &mut RawItem) {
        fn swap<T>(full: &mut Vec<T>, spare: &mut Vec<T>) {
            let tight = exact(full);
            *spare = std::mem::replace(full, tight);
        }
        swap(&mut raw.fields, &mut self.spare.fields);
        swap(&mut raw.links, &mut self.spare.links);
        swap(&mut raw.field_spans, &mut self.spare.field_spans);
    }
}

/// The value of a non-link field, as the general reader types it.
fn typed(ty: FieldType, allowed: &[String], value: Val<'_>) -> Option<Value> {
    Some(match (ty, value) {
        (FieldType::String, Val::Scalar(Scalar::String(s))) => Value::String(s.into_owned()),
        (FieldType::Strings, Val::Scalar(Scalar::String(s))) => {
            Value::Strings(vec![s.into_owned()])
        }
        (FieldType::Strings, Val::Array(items)) => Value::Strings(
            items
                .into_iter()
                .map(|(s, _)| match s {
                    Scalar::String(s) => Some(s.into_owned()),
                    _ => None,
                })
                .collect::<Option<_>>()?,
        ),
        (FieldType::Date, Val::Scalar(Scalar::Date(d))) => {
            Value::Date(d.parse::<toml::value::Datetime>().ok()?.to_string())
        }
        (FieldType::Bool, Val::Scalar(Scalar::Bool(b))) => Value::Bool(b),
        (FieldType::Integer, Val::Scalar(Scalar::Integer(i))) => Value::Integer(i.parse().ok()?),
        (FieldType::Number, Val::Scalar(Scalar::Integer(x) | Scalar::Float(x))) => {
            Value::Float(x.parse().ok()?)
        }
        (FieldType::Enum, Val::Scalar(Scalar::String(s))) => {
            if !allowed.iter().any(|a| *a == *s) {
                return None;
            }
            Value::String(s.into_owned())
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFile;
    use crate::profile;
    use std::path::Path;

    fn iso9001() -> Profile {
        profile::build(None).expect("built-in profile").0
    }

    fn project_profile(dir: &Path) -> Profile {
        let text = std::fs::read_to_string(dir.join(super::super::CONFIG_FILE)).unwrap();
        let config = SourceFile::new("needtrail.toml".into(), text);
        let file = profile::parse_file(&config).unwrap();
        profile::build(Some((&config, file))).unwrap().0
    }

    /// The items the general reader gives, and whether it found anything wrong.
    fn general(source: &SourceFile, profile: &Profile) -> (Vec<RawItem>, usize) {
        let mut diags = Vec::new();
        let mut items = Vec::new();
        match toml::de::DeTable::parse(&source.text) {
            Err(_) => return (items, 1),
            Ok(table) => {
                let mut reader = super::super::FileReader {
                    source,
                    file: 1,
                    profile,
                    diags: &mut diags,
                };
                reader.read_document(table.get_ref(), &mut items);
            }
        }
        (items, diags.len())
    }

    /// How a file was read.
    #[derive(Debug, PartialEq)]
    enum Way {
        Scanned,
        Events,
        General,
    }

    /// Reads `text` every way; where the scanner or the events take the
    /// file, the items must be those of the general reader, which must find
    /// no fault. Gives the way the loader takes.
    fn read_ways(text: &str, profile: &Profile) -> Way {
        // All read the same copy of the text, as the loader does.
        let source = SourceFile::new("f.toml".into(), text.to_owned());
        let (slow, problems) = general(&source, profile);
        let scanned = read_scanned(&source.text, 1, profile);
        let events = read_events(&source.text, 1, profile);
        for (way, items) in [
            ("scanner", scanned.as_ref().ok()),
            ("events", events.as_ref()),
        ] {
            if let Some(items) = items {
                assert_eq!(
                    problems, 0,
                    "the general reader rejects what the {way} took:\n{text}"
                );
                assert_eq!(*items, slow, "the {way} read other items from:\n{text}");
            }
        }
        // What the scanner gives up for its content, the events do too.
        if scanned == Err(Decline::Content) {
            assert!(events.is_none(), "only the scanner refused:\n{text}");
        }
        let fast = read(&source.text, 1, profile);
        match (scanned, fast) {
            (Ok(_), Some(_)) => Way::Scanned,
            (_, Some(_)) => Way::Events,
            (_, None) => Way::General,
        }
    }

    /// Whether the fast reader (either way) takes `text`, reading it right.
    fn both(text: &str, profile: &Profile) -> bool {
        read_ways(text, profile) != Way::General
    }

    /// Repeatable pseudo-random numbers (xorshift): `next(n)` is below `n`
    /// (0 when `n` is 0).
    fn numbers_below(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        }
    }

    fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
        super::super::discover(dir)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn sub_items_follow_their_parent_wherever_they_are_written() {
        let profile = iso9001();
        // Each item's id and parent, in the order read.
        type Items = &'static [(&'static str, Option<u32>)];
        let cases: [(&str, Items); 2] = [
            (
                "[[review]]\nid = \"V1\"\n[[review.decision]]\nverdict = \"accepted\"\n\
                 [[requirement]]\nid = \"R\"\n[[review]]\nid = \"V2\"\n\
                 [[requirement]]\nid = \"S\"\n[[review.decision]]\nverdict = \"clarify\"\n\
                 [[review.decision]]\nid = \"D\"\nverdict = \"rejected\"\n",
                &[
                    ("V1", None),
                    ("V1#1", Some(0)),
                    ("R", None),
                    ("V2", None),
                    ("V2#1", Some(3)),
                    ("D", Some(3)),
                    ("S", None),
                ],
            ),
            // Two sub-items written after another item: both follow their parent.
            (
                "[[review]]\nid = \"V\"\n[[requirement]]\nid = \"R\"\n\
                 [[review.decision]]\nverdict = \"accepted\"\n\
                 [[review.decision]]\nverdict = \"clarify\"\n",
                &[("V", None), ("V#1", Some(0)), ("V#2", Some(0)), ("R", None)],
            ),
        ];
        for (text, want) in cases {
            let items = read(text, 1, &profile).expect("read fast");
            let got: Vec<(&str, Option<u32>)> =
                items.iter().map(|i| (i.id.as_str(), i.parent)).collect();
            assert_eq!(got, want, "{text}");
            assert_eq!(read_ways(text, &profile), Way::Scanned);
        }
    }

    #[test]
    fn samples_and_a_generated_corpus_read_the_same_both_ways() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut fast = 0;
        for sample in ["samples/doors-zh", "samples/auto-parts-en"] {
            let dir = root.join(sample);
            let profile = project_profile(&dir);
            for path in toml_files(&dir) {
                let text = std::fs::read_to_string(&path).unwrap();
                fast += usize::from(both(&text, &profile));
            }
        }
        assert!(
            fast >= 4,
            "the samples barely use the fast reader: {fast} files"
        );

        let tmp = tempfile::tempdir().unwrap();
        crate::corpus::generate(tmp.path(), crate::corpus::CorpusSpec::new(300)).unwrap();
        let profile = project_profile(tmp.path());
        for path in toml_files(tmp.path()) {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                read_ways(&text, &profile),
                Way::Scanned,
                "not scanned: {}",
                path.display()
            );
        }
    }

    const EDITS: usize = 40;

    #[test]
    fn edited_sample_files_read_the_same_whenever_read_fast() {
        // Lines dropped, doubled, swapped, cut short or given a character
        // that means something to TOML: whatever the fast
        // reader still takes must read exactly as the general reader reads it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut next = numbers_below(0x9e37_79b9_7f4a_7c15);
        let (mut scanned, mut taken, mut declined) = (0, 0, 0);
        for sample in ["samples/doors-zh", "samples/auto-parts-en"] {
            let dir = root.join(sample);
            let profile = project_profile(&dir);
            for path in toml_files(&dir) {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for _ in 0..EDITS {
                    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    let (a, b) = (next(edited.len()), next(edited.len()));
                    match next(5) {
                        0 => {
                            edited.remove(a);
                        }
                        1 => {
                            let l = edited[a].clone();
                            edited.insert(b, l);
                        }
                        2 => edited.swap(a, b),
                        3 => {
                            // A character that means something to TOML.
                            let l = &edited[a];
                            let at = l
                                .char_indices()
                                .nth(next(l.chars().count()))
                                .map_or(0, |(i, _)| i);
                            let c = ['"', '\'', '[', ']', '=', '#', '.', ',', '\\', '{'][next(10)];
                            edited[a] = format!("{}{c}{}", &l[..at], &l[at..]);
                        }
                        _ => {
                            let l = &edited[a];
                            let cut = l
                                .char_indices()
                                .nth(next(l.chars().count()))
                                .map_or(0, |(i, _)| i);
                            edited[a] = l[..cut].to_owned();
                        }
                    }
                    match read_ways(&(edited.join("\n") + "\n"), &profile) {
                        Way::Scanned => scanned += 1,
                        Way::Events => taken += 1,
                        Way::General => declined += 1,
                    }
                }
            }
        }
        assert!(
            scanned > 100 && taken + scanned > 100 && declined > 20,
            "scanned {scanned}, taken by the events {taken}, declined {declined}"
        );
    }

    #[test]
    fn random_values_read_the_same_whenever_scanned() {
        // Values made of the characters that mean most to TOML, in fields
        // of every type: whatever the scanner takes, the general reader
        // must take too and read the same.
        let profile = iso9001();
        let alphabet = [
            "\"",
            "'",
            "\\",
            "u",
            "U",
            "0",
            "1",
            "9",
            "-",
            ":",
            "T",
            "Z",
            ".",
            "_",
            "+",
            "e",
            " ",
            "\t",
            "#",
            "[",
            "]",
            ",",
            "\n",
            "\r",
            "a",
            "true",
            "\u{e9}",
            "\u{7f}",
            "\u{1}",
            "2025-04-01",
            "T10:00:00",
            "00E9",
            "D800",
            "\"\"\"",
            "'''",
            "\\\n",
            "\n",
        ];
        let hosts = [
            "[[requirement]]\nid = \"R\"\ntext = {}\n",
            "[[requirement]]\nid = \"R\"\ntags = {}\n",
            "[[requirement]]\nid = \"R\"\ndesign = {}\n",
            "[[review]]\nid = \"V\"\ndate = {} # c\n",
            "[[customer]]\nid = \"C\"\n[[customer.criterion]]\nweight = {}\n",
            "[[design_input]]\nid = \"D\"\ntraces = [{}]\n",
            "[[requirement]]\n{} = \"x\"\n",
        ];
        let mut next = numbers_below(0x2545_f491_4f6c_dd1d);
        let mut scanned = 0;
        for _ in 0..20_000 {
            let body: String = (0..1 + next(8))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            // Often inside quotes, where most of a file's text is.
            let value = match next(5) {
                0 => body,
                1 => format!("\"{body}\""),
                2 => format!("'{body}'"),
                3 => format!("\"\"\"{body}\"\"\""),
                _ => format!("'''{body}'''"),
            };
            let text = hosts[next(hosts.len())].replace("{}", &value);
            scanned += usize::from(read_ways(&text, &profile) == Way::Scanned);
        }
        assert!(scanned > 1000, "scanned only {scanned}");
    }

    #[test]
    fn numbers_read_the_same_every_way() {
        let profile = iso9001();
        for (number, scanned) in [
            ("40", true),
            ("-7", true),
            ("0.5", true),
            ("-2.5e1", true),
            ("1E-3", true),
            ("3e+2", true),
            ("-0.0", true),
            ("6.02e23", true),
            ("1e400", true),
            ("007", false),
            ("1_000", false),
            ("+1.5", false),
            ("inf", false),
            ("0x1F", false),
        ] {
            let text = format!(
                "[[customer]]\nid = \"C\"\n[[customer.criterion]]\nname = \"x\"\nweight = {number}\n"
            );
            let way = read_ways(&text, &profile);
            assert_eq!(way == Way::Scanned, scanned, "{number}: {way:?}");
        }
    }

    #[test]
    fn plain_item_files_are_read_fast_and_the_same() {
        let profile = iso9001();
        let cases = [
            // Strings of every kind, escapes, quoted keys, comments.
            r#"
# Customers
[[customer]]
id = "CUS-1"   # the first
title = 'Literal \n not an escape'
"type" = "external"
contact = """
Two lines,
with "quotes" and \u00e9 and \t tab"""
region = '''raw
text'''

[[ contract ]]
id = "CON-1"
customer = "CUS-1"
signed = 2025-03-01
stage = "contract"
"#,
            // Links as lists, with comments and a trailing comma.
            r#"
[[requirement]]
id = "REQ-1"
title = "外窗气密性能不低于6级"
class = "stated"
contract = "CON-1"
customer = "CUS-1"
design = false
tags = ["a", "b",]
text = "x"

[[design_input]]
id = "DI-1"
traces = [
  "REQ-1",  # first
  "REQ-2",
  "REQ-\u0033", # written with an escape
  'REQ-4',
]
tags = "single"
derived = true
"#,
            // Sub-items: numbered, inheriting, and one after another item.
            r#"
[[review]]
id = "REV-1"
contract = "CON-1"
date = 2025-04-01
reviewers = ["Li", "Wang"]

[[review.decision]]
requirement = "REQ-1"
verdict = "accepted"

[[review.decision]]
id = "D-2"
requirement = "REQ-2"
verdict = "clarify"
note = "ask"

[[requirement]]
id = "REQ-3"

[[review.decision]]
requirement = "REQ-3"
verdict = "rejected"
date = 2025-05-01T10:00:00Z
"#,
            // Numbers and empty lists.
            r#"
[[customer]]
id = "C"
[[customer.criterion]]
name = "delivery"
weight = 40
[[customer.criterion]]
name = "quality"
weight = -2.5e1
[[customer.criterion]]
weight = 1_000
[[design_input]]
id = "DI-2"
traces = []
"#,
        ];
        for (n, text) in cases.iter().enumerate() {
            // All but the numbers (floats, `1_000`) in one pass of the scanner.
            let way = if n == 3 { Way::Events } else { Way::Scanned };
            assert_eq!(read_ways(text, &profile), way, "read another way:\n{text}");
            // Files saved on Windows end their lines with CR LF.
            let crlf = text.replace('\n', "\r\n");
            assert!(both(&crlf, &profile), "not read fast with CR LF:\n{crlf}");
        }
    }

    #[test]
    fn signed_and_stamped_files_are_read_fast_and_the_same() {
        let profile = iso9001();
        // As `review sign` and `stamp` write them: one dotted key per
        // fingerprint, in any order, quoted where the id needs it, the
        // same field's keys apart from each other too.
        let cases = [
            r#"
[[requirement]]
id = "REQ-2"
title = "t"
stamped.REQ-1 = "aa11"
stamped."CUS 1" = "bb22"
class = "stated"
stamped.CON-1 = "cc33"

[[review]]
id = "REV-1"
contract = "CON-1"
date = 2025-04-01
signed_by = "王经理"
signed_on = 2025-04-02
signed_fingerprints.REQ-2 = "dd44"
signed_fingerprints.REQ-1 = "ee55"
signed_decisions = "ff66"

[[review.decision]]
requirement = "REQ-1"
verdict = "accepted"
stamped.REQ-1 = "aa11"
"#,
            "[[design_input]]\nid = \"DI-1\"\ntraces = [\"REQ-1\"]\nstamped . \"REQ-1\" = 'x'\n",
        ];
        for text in cases {
            assert_eq!(
                read_ways(text, &profile),
                Way::Scanned,
                "not scanned:\n{text}"
            );
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(
                read_ways(&crlf, &profile),
                Way::Scanned,
                "not scanned:\n{crlf}"
            );
        }
        // Floats send the file to the parser's events, which read dotted keys too.
        let text = format!(
            "{}\n[[customer]]\nid = \"C\"\n[[customer.criterion]]\nweight = 1_0\n",
            cases[0]
        );
        assert_eq!(read_ways(&text, &profile), Way::Events);
    }

    #[test]
    fn anything_else_goes_the_general_way() {
        let profile = iso9001();
        let cases = [
            "[requirement]\nid = \"R\"\n",
            "[[requirement]]\nid = \"R\"\nstamped = { R = \"x\" }\n",
            "[[requirement]]\nid = \"R\"\nstamped.R = \"x\"\nstamped.R = \"y\"\n",
            "[[requirement]]\nid = \"R\"\nstamped.R = \"x\"\nstamped = { S = \"y\" }\n",
            "[[requirement]]\nid = \"R\"\nstamped = { S = \"y\" }\nstamped.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\nstamped.R.S = \"x\"\n",
            "[[requirement]]\nid = \"R\"\nstamped.R = 1\n",
            "[[requirement]]\nid = \"R\"\nstamped.R = [\"x\"]\n",
            "[[requirement]]\nid = \"R\"\ntext.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\nid.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\ntracse.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\ncontract.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\nid = \"S\"\n",
            "[[requirement]]\nid = \"R\"\ntitle = \"a\"\ntitle = \"b\"\n",
            "[[requirement]]\nid = \"R\"\ntext = \"a\"\nclass = \"stated\"\ntext = \"b\"\n",
            "[[requirement]]\nid = \"R\"\ntext = \"a\"\n\"text\" = \"b\"\n",
            "[[design_input]]\nid = \"D\"\ntraces = [\"R\"]\ntraces = [\"S\"]\n",
            "[[design_input]]\nid = \"D\"\nstamped.R = \"x\"\ntraces = [\"R\"]\nstamped = \"y\"\n",
            "[[requirement]]\nid = \"R\"\ntracse = [\"X\"]\n",
            "[[requirment]]\nid = \"R\"\n",
            "[[requirement]]\nid = \"R\"\nclass = \"spoken\"\n",
            "[[customer.criterion]]\nname = \"x\"\n",
            "[[customer]]\nid = \"C\"\n[[customer.criterion]]\nweight = 0x10\n",
            "[[requirement]]\nid = \"\"\n",
            "[[requirement]]\ntitle = \"no id\"\n",
            "[[decision]]\nverdict = \"accepted\"\n",
            "[[review.decision]]\nverdict = \"accepted\"\n",
            "id = \"R\"\n",
            "[[requirement]]\nid = \"R\"\ncontract = [\"C1\", \"C2\"]\n",
            "[[requirement]]\nid = \"R\"\ncontract = \"\"\n",
            "[[requirement]]\nid = \"R\"\ntitle = 3\n",
            "[[requirement]]\nid = \"R\"\ndesign = \"no\"\n",
            "[[review]]\nid = \"V\"\ndate = \"2025-01-01\"\n",
            "[[review]]\nid = \"V\"\n[[review.decision]]\nreview = \"V\"\n",
            "[[review]]\nid = \"V\"\ndecision = []\n",
            "[[requirement]]\nid = \"R\"\ntags = [[\"nested\"]]\n",
            "[[requirement]]\nid = \"R\"\ntext = \"unclosed\n",
            "[[requirement]]\nid = \"R\" # bad \u{7} comment\n",
        ];
        for text in cases {
            assert!(
                !both(text, &profile),
                "read fast, but should not be:\n{text}"
            );
        }
    }
}
