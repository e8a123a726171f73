//! Fingerprints: a short hash of an item's normative content, so that a
//! sign-off or a stamp can tell later whether what it approved has changed.
//!
//! What is hashed, in this order: a version tag; the item's kind; the fields
//! the profile lists under `[fingerprint] fields` (for `iso9001`: class,
//! title, text, source, regulation), each as written, with `\r\n` read as
//! `\n`; then every link, as field name and target id, sorted. Nothing else:
//! not formatting, comments, field order, the file the item is in, or other
//! fields such as `owner`, `tags`, `note`, stamps and sign-offs. So
//! reformatting a file never changes a fingerprint, and editing a
//! requirement's text always does.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::model::{ItemIdx, Project, Value};
use crate::profile::Profile;

/// The fingerprint of a review's decisions: for each `[[review.decision]]`,
/// the requirement it decides, its verdict and its note, in order. A
/// sign-off records it, so a verdict changed after signing breaks the
/// sign-off just as a changed requirement does.
pub fn of_decisions(project: &Project, profile: &Profile, review: ItemIdx) -> String {
    let mut h = Hasher(Sha256::new());
    h.0.update(b"needtrail-decisions-v1\n");
    let d = &profile.roles.decision;
    let fields: Vec<_> = [d.requirement, d.verdict, d.note]
        .into_iter()
        .flatten()
        .map(|f| (profile.field_name(f), f))
        .collect();
    let mut ids = String::new();
    for item in project.items.iter().skip(review.index() + 1) {
        if item.parent != Some(review) {
            break;
        }
        for &(name, f) in &fields {
            h.0.update(name.as_bytes());
            h.0.update(b"=");
            match item.field(f) {
                Some(Value::String(s)) => value_into(&mut h, s),
                Some(v) => value_into(&mut h, &v.display()),
                None => {
                    ids.clear();
                    for (n, t) in item.links_in(f).enumerate() {
                        if n > 0 {
                            ids.push(',');
                        }
                        ids.push_str(&project.item(t).id);
                    }
                    value_into(&mut h, &ids);
                }
            }
            h.0.update(b"\n");
        }
        h.0.update(b"--\n");
    }
    h.finish()
}

#[cfg(test)]
fn short_hash(text: &str) -> String {
    let mut h = Hasher(Sha256::new());
    h.0.update(text.as_bytes());
    h.finish()
}

/// Text written straight into the hash, not first into a string.
struct Hasher(Sha256);

impl std::fmt::Write for Hasher {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl Hasher {
    fn finish(self) -> String {
        text(&self.digits()).to_owned()
    }

    /// The first [`LEN`] hex digits of the hash.
    fn digits(self) -> [u8; LEN] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let digest = self.0.finalize();
        let mut hex = [0u8; LEN];
        for (pair, b) in hex.chunks_exact_mut(2).zip(digest.iter()) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0xf)];
        }
        hex
    }
}

/// Hex digits as text (always ASCII).
fn text(digits: &[u8; LEN]) -> &str {
    std::str::from_utf8(digits).unwrap_or_default()
}

/// Hex digits kept of the SHA-256: 64 bits, short enough to read in a file.
const LEN: usize = 16;

/// The fingerprint of one item.
pub fn of(project: &Project, profile: &Profile, idx: ItemIdx) -> String {
    text(&digits_of(project, profile, idx)).to_owned()
}

/// [`of`], as its digits.
fn digits_of(project: &Project, profile: &Profile, idx: ItemIdx) -> [u8; LEN] {
    digits_with(project, profile, &Fields::of(profile), idx)
}

/// The fields a fingerprint hashes, in order, each with its index (the
/// title is not a field): looked up once for every item hashed.
struct Fields<'p>(Vec<(&'p str, Option<crate::model::FieldIdx>)>);

impl<'p> Fields<'p> {
    fn of(profile: &'p Profile) -> Fields<'p> {
        Fields(
            profile
                .fingerprint_fields
                .iter()
                .map(|name| {
                    let idx = (name != "title")
                        .then(|| profile.field_index(name))
                        .flatten();
                    (name.as_str(), idx)
                })
                .collect(),
        )
    }
}

/// Links of an item kept on the stack while they are sorted: most items
/// have a few.
const FEW_LINKS: usize = 8;

fn digits_with(
    project: &Project,
    profile: &Profile,
    fields: &Fields<'_>,
    idx: ItemIdx,
) -> [u8; LEN] {
    use std::borrow::Cow;
    let item = project.item(idx);
    let mut h = Hasher(Sha256::new());
    h.0.update(b"needtrail-fingerprint-v1\nkind=");
    h.0.update(profile.kind(item.kind).name.as_bytes());
    h.0.update(b"\n");
    for &(name, f) in &fields.0 {
        let value: Option<Cow<'_, str>> = if name == "title" {
            item.title.as_deref().map(Cow::Borrowed)
        } else {
            f.and_then(|f| item.field(f)).map(|v| match v {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                v => Cow::Owned(v.display()),
            })
        };
        if let Some(v) = value {
            h.0.update(name.as_bytes());
            h.0.update(b"=");
            value_into(&mut h, &v);
            h.0.update(b"\n");
        }
    }
    let link = |l: &crate::model::Link| {
        (
            profile.field_name(l.field),
            project.item(l.target).id.as_str(),
        )
    };
    let mut few = [("", ""); FEW_LINKS];
    let mut many = Vec::new();
    let links: &mut [(&str, &str)] = if item.links.len() <= FEW_LINKS {
        for (slot, l) in few.iter_mut().zip(&item.links) {
            *slot = link(l);
        }
        &mut few[..item.links.len()]
    } else {
        many.extend(item.links.iter().map(link));
        &mut many
    };
    links.sort_unstable();
    let mut last = None;
    for &(field, target) in links.iter() {
        if last == Some((field, target)) {
            continue;
        }
        last = Some((field, target));
        h.0.update(b"link ");
        h.0.update(field.as_bytes());
        h.0.update(b"=");
        escaped_into(&mut h, target);
        h.0.update(b"\n");
    }
    h.digits()
}

/// Writes `text` as `str::escape_debug` gives it, the form fingerprints
/// were first made from. Text of characters that escape as themselves
/// (printable ASCII but quotes and backslash, Chinese characters and the
/// punctuation written beside them) goes in as it is, without formatting
/// it character by character: on a stamped project that formatting was a
/// sixth of `check`.
fn escaped_into(h: &mut Hasher, text: &str) {
    if plain(text) {
        h.0.update(text.as_bytes());
    } else {
        let _ = write!(h, "{}", text.escape_debug());
    }
}

/// A field's value as it is hashed: `\r\n` read as `\n`, then escaped.
fn value_into(h: &mut Hasher, text: &str) {
    if text.as_bytes().contains(&b'\r') && text.contains("\r\n") {
        escaped_into(h, &text.replace("\r\n", "\n"));
    } else {
        escaped_into(h, text);
    }
}

/// Whether every character of `text` is one [`as_itself`] takes; ASCII is
/// decided a byte at a time.
fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if let Some(word) = bytes.get(at..at + 8)
            && plain_ascii(u64::from_le_bytes(word.try_into().unwrap_or_default()))
        {
            at += 8;
            continue;
        }
        if b.is_ascii() {
            if !matches!(b, b' '..=b'~') || matches!(b, b'"' | b'\'' | b'\\') {
                return false;
            }
            at += 1;
        } else if (0xe5..=0xe9).contains(&b) || b == 0xe4 && bytes.get(at + 1) >= Some(&0xb8) {
            // A Chinese character, U+4E00 to U+9FFF, told by its first bytes.
            at += 3;
        } else {
            let Some(c) = text[at..].chars().next() else {
                return false;
            };
            if !as_itself(c) {
                return false;
            }
            at += c.len_utf8();
        }
    }
    true
}

/// Whether eight bytes are all printable ASCII other than quotes and
/// backslash: each test says exactly whether some byte of the word is in
/// its class (bytes under 0x20 are told apart only among ASCII bytes,
/// which the first test ensures).
fn plain_ascii(word: u64) -> bool {
    use crate::text::{word_ascii, word_below, word_holds};
    word_ascii(word)
        && !word_below(word, 0x20)
        && !word_holds(word, 0x7f)
        && !word_holds(word, b'"')
        && !word_holds(word, b'\'')
        && !word_holds(word, b'\\')
}

/// Whether `escape_debug` leaves `c` as it is wherever it stands in a
/// string (checked for every character of these ranges by a test).
fn as_itself(c: char) -> bool {
    matches!(c,
        ' '..='!' | '#'..='&' | '('..='[' | ']'..='~'
        | '\u{a1}'..='\u{ac}' | '\u{ae}'..='\u{2ff}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}'
        | '\u{2100}'..='\u{218b}' | '\u{2190}'..='\u{23ff}' | '\u{2460}'..='\u{24ff}'
        | '\u{3001}'..='\u{3029}' | '\u{3030}'..='\u{303f}'
        | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30ff}'
        | '\u{3200}'..='\u{321e}' | '\u{3220}'..='\u{33ff}' | '\u{4e00}'..='\u{9fff}'
        | '\u{ff01}'..='\u{ff5e}')
}
/// Each item's fingerprint, made the first time it is asked for: one item
/// is the upstream of many (a customer of every requirement), and is hashed
/// once, not once per stamp or sign-off that compares with it. Safe to share
/// between threads.
pub struct Cache<'a> {
    project: &'a Project,
    profile: &'a Profile,
    fields: Fields<'a>,
    /// Each item's digits, kept in place: a stamp compared with them
    /// reads no other memory.
    made: Vec<std::sync::OnceLock<[u8; LEN]>>,
}

impl<'a> Cache<'a> {
    pub fn new(project: &'a Project, profile: &'a Profile) -> Cache<'a> {
        Cache {
            project,
            profile,
            fields: Fields::of(profile),
            made: (0..project.items.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    /// The fingerprint of item `idx` (see [`of`]).
    pub fn get(&self, idx: ItemIdx) -> &str {
        text(
            self.made[idx.index()]
                .get_or_init(|| digits_with(self.project, self.profile, &self.fields, idx)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint as first written, through a string: what [`of`],
    /// which hashes as it goes, must always give (fingerprints are stored
    /// in the project's files).
    fn of_through_a_string(project: &Project, profile: &Profile, idx: ItemIdx) -> String {
        let item = project.item(idx);
        let mut text = String::from("needtrail-fingerprint-v1\n");
        let _ = writeln!(text, "kind={}", profile.kind(item.kind).name);
        for name in &profile.fingerprint_fields {
            let value = if name == "title" {
                item.title.clone()
            } else {
                profile
                    .field_index(name)
                    .and_then(|f| item.field(f))
                    .map(Value::display)
            };
            if let Some(v) = value {
                let _ = writeln!(text, "{name}={}", v.replace("\r\n", "\n").escape_debug());
            }
        }
        let mut links: Vec<(&str, &str)> = item
            .links
            .iter()
            .map(|l| {
                (
                    profile.field_name(l.field),
                    project.item(l.target).id.as_str(),
                )
            })
            .collect();
        links.sort_unstable();
        links.dedup();
        for (field, target) in links {
            let _ = writeln!(text, "link {field}={}", target.escape_debug());
        }
        short_hash(&text)
    }

    #[test]
    fn eight_bytes_are_plain_exactly_when_each_byte_is() {
        let one = |b: u8| matches!(b, b' '..=b'~') && !matches!(b, b'"' | b'\'' | b'\\');
        // Every byte value at every position among plain neighbours, and
        // pairs of bytes near the class edges.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = b;
                assert_eq!(
                    plain_ascii(u64::from_le_bytes(word)),
                    one(b),
                    "{b:#x} at {at}"
                );
            }
        }
        let edges = [
            0u8, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x26, 0x27, 0x28, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f,
            0x80, 0xff,
        ];
        for a in edges {
            for b in edges {
                let word = [a, b, b'x', a, b'y', b, a, b];
                assert_eq!(
                    plain_ascii(u64::from_le_bytes(word)),
                    one(a) && one(b),
                    "{a:#x} {b:#x}"
                );
            }
        }
    }

    #[test]
    fn text_is_plain_exactly_when_every_character_is_taken_as_itself() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for text in [format!("{c}"), format!("ab{c}"), format!("abcdefghij{c}中")] {
                assert_eq!(plain(&text), text.chars().all(as_itself), "{c:?}");
            }
        }
    }

    #[test]
    fn characters_taken_as_themselves_are_what_escape_debug_leaves_alone() {
        let mut taken = 0;
        for c in (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|c| as_itself(*c))
        {
            let alone = c.to_string();
            let after = format!("a{c}");
            assert_eq!(alone.escape_debug().to_string(), alone, "{:?}", c);
            assert_eq!(after.escape_debug().to_string(), after, "{:?}", c);
            taken += 1;
        }
        assert!(taken > 20_000, "{taken}");
        for c in [
            '"', '\'', '\\', '\u{3000}', '\u{a0}', '\u{ad}', '\u{301}', '\n',
        ] {
            assert!(!as_itself(c), "{c:?}");
        }
    }

    /// The decisions' fingerprint as first written, through a string.
    fn of_decisions_through_a_string(
        project: &Project,
        profile: &Profile,
        review: ItemIdx,
    ) -> String {
        let mut text = String::from("needtrail-decisions-v1\n");
        let d = &profile.roles.decision;
        let fields: Vec<_> = [d.requirement, d.verdict, d.note]
            .into_iter()
            .flatten()
            .map(|f| (profile.field_name(f), f))
            .collect();
        for item in project.items.iter().skip(review.index() + 1) {
            if item.parent != Some(review) {
                break;
            }
            for &(name, f) in &fields {
                let value = match item.field(f) {
                    Some(v) => v.display(),
                    None => item
                        .links_in(f)
                        .map(|t| project.item(t).id.clone())
                        .collect::<Vec<_>>()
                        .join(","),
                };
                let _ = writeln!(
                    text,
                    "{name}={}",
                    value.replace("\r\n", "\n").escape_debug()
                );
            }
            text.push_str("--\n");
        }
        short_hash(&text)
    }

    #[test]
    fn hashing_as_it_goes_gives_the_fingerprints_already_in_files() {
        for sample in ["doors-zh", "auto-parts-en"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("samples")
                .join(sample);
            let loaded = crate::load::load(&dir).unwrap();
            let (project, profile) = (&loaded.project, &loaded.profile);
            for i in 0..project.items.len() {
                let idx = ItemIdx(i as u32);
                assert_eq!(
                    of(project, profile, idx),
                    of_through_a_string(project, profile, idx)
                );
                assert_eq!(
                    of_decisions(project, profile, idx),
                    of_decisions_through_a_string(project, profile, idx)
                );
            }
        }
        // Line breaks of both kinds, quotes, escapes, a combining mark first.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("needtrail.toml"), "").unwrap();
        std::fs::write(
            dir.path().join("a.toml"),
            "[[requirement]]\nid = \"R\"\ntitle = \"\\u0301a \\\"q\\\" \\\\ \\t\"\ntext = \"one\\r\\ntwo\\nthree\\r\"\nclass = \"stated\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.toml"),
            "[[review]]\nid = \"V\"\n[[review.decision]]\nrequirement = \"R\"\nverdict = \"accepted\"\nnote = \"\\u0301x \\\"q\\\" 说明\\r\\n'y'\"\n[[review.decision]]\nrequirement = \"R\"\nverdict = \"rejected\"\n",
        )
        .unwrap();
        let loaded = crate::load::load(dir.path()).unwrap();
        let idx = loaded.project.get("R").unwrap();
        assert_eq!(
            of(&loaded.project, &loaded.profile, idx),
            of_through_a_string(&loaded.project, &loaded.profile, idx)
        );
        let review = loaded.project.get("V").unwrap();
        assert_eq!(
            of_decisions(&loaded.project, &loaded.profile, review),
            of_decisions_through_a_string(&loaded.project, &loaded.profile, review)
        );
    }
}
