//! The fast way to read an item file: items built straight from the TOML
//! parser's events, without first building the generic document.
//!
//! It reads the files needtrail itself writes and people usually write:
//! `[[kind]]` and `[[kind.sub]]` tables holding `key = value` lines with
//! strings, numbers, booleans, dates and arrays of these. On anything else
//! (another TOML construct, a syntax error, a value that does not fit its
//! field, a key the profile does not know) it gives up, and the file is
//! read the general way ([`super::FileReader`]), which says what is wrong.
//! For every file it does read, it gives exactly the items the general way
//! gives; a test compares the two on the samples, on a generated corpus and
//! on files written to exercise the corners.

use std::borrow::Cow;

use toml_parser::Source;
use toml_parser::decoder::ScalarKind;
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};

use super::{RawId, RawItem, inherit};
use crate::model::{FileIdx, KindIdx, Span, Value};
use crate::profile::{FieldType, Profile};

/// The items of a file, or `None` when the file needs the general reader.
pub(super) fn read(text: &str, file: FileIdx, profile: &Profile) -> Option<Vec<RawItem>> {
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
    let mut reader = Reader {
        source,
        events: &events,
        at: 0,
        file,
        profile,
        items: Vec::new(),
        last_of_kind: Vec::new(),
        sub_counts: Default::default(),
    };
    reader.document()?;
    Some(reader.items)
}

/// A value as the parser gives it, before it meets its field.
enum Scalar<'i> {
    String(Cow<'i, str>),
    Integer(Cow<'i, str>),
    Float(Cow<'i, str>),
    Bool(bool),
    Date(Cow<'i, str>),
}

enum Val<'i> {
    Scalar(Scalar<'i>),
    Array(Vec<(Scalar<'i>, std::ops::Range<usize>)>),
}

/// The item being read: top-level, or a sub-item of the last top-level
/// item of its parent's kind.
struct Open<'i> {
    raw: RawItem,
    /// For a sub-item: the index of its parent in `items`, and its number
    /// among the parent's sub-items.
    parent: Option<(usize, usize)>,
    /// Keys written so far, to refuse duplicates.
    keys: Vec<Cow<'i, str>>,
}

struct Reader<'e, 'i> {
    source: Source<'i>,
    events: &'e [Event],
    at: usize,
    file: FileIdx,
    profile: &'e Profile,
    items: Vec<RawItem>,
    /// The index in `items` of the last item of each kind.
    last_of_kind: Vec<(KindIdx, usize)>,
    /// How many sub-items of each kind each item has so far.
    sub_counts: rustc_hash::FxHashMap<(usize, KindIdx), usize>,
}

impl<'i> Reader<'_, 'i> {
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

    fn span(&self, bytes: std::ops::Range<usize>) -> Span {
        Span::new(self.file, bytes)
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

    fn document(&mut self) -> Option<()> {
        let mut open: Option<Open<'i>> = None;
        while let Some(e) = self.next_significant() {
            match e.kind() {
                EventKind::ArrayTableOpen => {
                    if let Some(o) = open.take() {
                        self.close(o)?;
                    }
                    open = Some(self.header(e)?);
                }
                EventKind::SimpleKey => {
                    let o = open.as_mut()?;
                    self.key_value(e, o)?;
                }
                _ => return None,
            }
        }
        if let Some(o) = open.take() {
            self.close(o)?;
        }
        Some(())
    }

    /// `[[kind]]` or `[[parent.sub]]`, up to its closing brackets.
    fn header(&mut self, open: Event) -> Option<Open<'i>> {
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
        let header = self.span(open.span().start()..close.span().end());
        let profile = self.profile;
        let (kind, parent) = match names.as_slice() {
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
                fields: Vec::new(),
                links: Vec::new(),
                span: header,
                field_spans: Vec::new(),
                subs: Vec::new(),
            },
            parent,
            keys: Vec::new(),
        })
    }

    fn last_of(&self, kind: KindIdx) -> Option<usize> {
        self.last_of_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, at)| *at)
    }

    /// One `key = value` line of the open item.
    fn key_value(&mut self, key: Event, o: &mut Open<'i>) -> Option<()> {
        let name = self.decode_key(&key)?;
        // Dotted keys (`a.b = ...`) and anything unexpected: the general way.
        if self.next_significant()?.kind() != EventKind::KeyValSep {
            return None;
        }
        if o.keys.contains(&name) {
            return None;
        }
        o.keys.push(name.clone());
        let (value, bytes) = self.value()?;
        let key_start = key.span().start();
        let raw = &mut o.raw;
        match name.as_ref() {
            "id" => {
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
                let Val::Scalar(Scalar::String(s)) = value else {
                    return None;
                };
                raw.title = Some(s.into_owned());
                return Some(());
            }
            _ => {}
        }
        let profile = self.profile;
        let field = profile.field_index(&name)?;
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
            let ids: Vec<(Cow<'i, str>, std::ops::Range<usize>)> = match value {
                Val::Scalar(Scalar::String(s)) => vec![(s, bytes)],
                Val::Array(items) if def.ty == FieldType::Links => items
                    .into_iter()
                    .map(|(s, r)| match s {
                        Scalar::String(s) => Some((s, r)),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
                _ => return None,
            };
            for (id, r) in ids {
                if id.trim().is_empty() {
                    return None;
                }
                let id = RawId::new(self.source.input(), id);
                raw.links.push((field, id, Span::new(self.file, r), false));
            }
        } else {
            let v = typed(def.ty, &def.values, value)?;
            raw.fields.push((field, v));
        }
        Some(())
    }

    /// A value: a scalar, or an array of scalars.
    fn value(&mut self) -> Option<(Val<'i>, std::ops::Range<usize>)> {
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

    /// Ends the open item: checks it as the general reader does and files it.
    fn close(&mut self, o: Open<'i>) -> Option<()> {
        let mut raw = o.raw;
        let profile = self.profile;
        match o.parent {
            Some((at, n)) => {
                let parent = &self.items[at];
                if raw.id.is_empty() {
                    raw.id = format!("{}#{n}", parent.id);
                }
                let pf = profile.parent_field(raw.kind)?;
                raw.links
                    .push((pf, RawId::Owned(parent.id.clone()), raw.span.clone(), false));
                raw.fields.sort_by_key(|(f, _)| *f);
                inherit(profile, parent, &mut raw);
                self.items[at].subs.push(raw);
            }
            None => {
                if raw.id.is_empty() {
                    return None;
                }
                raw.fields.sort_by_key(|(f, _)| *f);
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

    /// Reads `text` both ways; where the fast reader takes the file, the
    /// items must be the same and the general reader must find no fault.
    fn both(text: &str, profile: &Profile) -> bool {
        // Both read the same copy of the text, as the loader does.
        let source = SourceFile::new("f.toml".into(), text.to_owned());
        let fast = read(&source.text, 1, profile);
        let (slow, problems) = general(&source, profile);
        match fast {
            Some(fast) => {
                assert_eq!(
                    problems, 0,
                    "the general reader rejects what the fast one took:\n{text}"
                );
                assert_eq!(fast, slow, "different items from:\n{text}");
                true
            }
            None => false,
        }
    }

    fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
        super::super::discover(dir)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
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
            assert!(both(&text, &profile), "not read fast: {}", path.display());
        }
    }

    #[test]
    fn edited_sample_files_read_the_same_whenever_read_fast() {
        // Lines dropped, doubled, swapped, cut short or given a character
        // that means something to TOML: whatever the fast
        // reader still takes must read exactly as the general reader reads it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let (mut taken, mut declined) = (0, 0);
        for sample in ["samples/doors-zh", "samples/auto-parts-en"] {
            let dir = root.join(sample);
            let profile = project_profile(&dir);
            for path in toml_files(&dir) {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for _ in 0..40 {
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
                    if both(&(edited.join("\n") + "\n"), &profile) {
                        taken += 1;
                    } else {
                        declined += 1;
                    }
                }
            }
        }
        assert!(
            taken > 100 && declined > 20,
            "taken {taken}, declined {declined}"
        );
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
        for text in cases {
            assert!(both(text, &profile), "not read fast:\n{text}");
            // Files saved on Windows end their lines with CR LF.
            let crlf = text.replace('\n', "\r\n");
            assert!(both(&crlf, &profile), "not read fast with CR LF:\n{crlf}");
        }
    }

    #[test]
    fn anything_else_goes_the_general_way() {
        let profile = iso9001();
        let cases = [
            "[requirement]\nid = \"R\"\n",
            "[[requirement]]\nid = \"R\"\nstamped = { R = \"x\" }\n",
            "[[requirement]]\nid = \"R\"\nstamped.R = \"x\"\n",
            "[[requirement]]\nid = \"R\"\nid = \"S\"\n",
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
