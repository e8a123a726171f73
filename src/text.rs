//! Text as it goes out: escaping for markup (HTML, SVG, XML) and the width
//! a string takes in a terminal or a fixed-width column. Every output uses
//! these; none of them knows about items or findings.

/// Appends `s` with each byte that `entity` names replaced by the entity
/// (only ASCII bytes may be named, so the text stays whole).
#[inline]
pub fn escape_by(out: &mut String, s: &str, entity: fn(u8) -> Option<&'static str>) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(rep) = entity(b) {
            out.push_str(&s[last..i]);
            out.push_str(rep);
            last = i + 1;
        }
    }
    out.push_str(&s[last..]);
}

/// Appends `s` escaped for XML (and SVG, and HTML) content and attribute
/// values: `& < > " '`.
pub fn escape_xml_into(out: &mut String, s: &str) {
    escape_by(out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    });
}

/// [`escape_xml_into`] into a new string.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_xml_into(&mut out, s);
    out
}

/// Appends `s` escaped for HTML text and attribute values exactly as
/// tera's autoescaping does (`/` too), so code-written parts of a page
/// match what its template would give.
pub fn escape_html_into(out: &mut String, s: &str) {
    escape_by(out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#x27;"),
        b'/' => Some("&#x2F;"),
        _ => None,
    });
}

/// Columns a character takes in a terminal: CJK and other wide characters two.
pub fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// Columns a string takes in a terminal (see [`char_width`]).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Compares ids in natural order: runs of digits by their value
/// (`REQ-2` before `REQ-10`), the rest as text; ids equal so (`R-01`,
/// `R-1`) fall back to plain order, so that the order is total.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digits = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            rest = tail;
            Some((digits, run))
        })
    }
    let mut x = runs(a);
    let mut y = runs(b);
    loop {
        let ord = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some((true, p)), Some((true, q))) => {
                let p = p.trim_start_matches('0');
                let q = q.trim_start_matches('0');
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some((_, p)), Some((_, q))) => p.cmp(q),
        };
        if ord.is_ne() {
            return ord;
        }
    }
}

/// `s` followed by spaces up to `width` terminal columns.
pub fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(display_width(s)),
    ));
    out
}

/// Eight bytes read as one word, for tests of every byte at once.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether some byte of `word` (eight bytes, little-endian) is `b`. Exact
/// about whether one is, not about which.
pub fn word_holds(word: u64, b: u8) -> bool {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH != 0
}

/// Whether some byte of `word` is under `n` (at most 0x80). Exact about
/// whether one is, not about which.
pub fn word_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH != 0
}

/// Whether every byte of `word` is ASCII.
pub fn word_ascii(word: u64) -> bool {
    word & HIGH == 0
}

/// Appends `n` in decimal, without the formatting machinery: for what is
/// written once per item or per point (a sub-item's id, a picture's
/// coordinates).
pub fn decimal_into(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Appends a count with its thousands grouped by commas (`12,345`), as
/// the `count` filter does: the way both English and Chinese write them.
pub fn count_into(out: &mut String, n: u64) {
    grouped_into(out, &n.to_string());
}

/// Appends a run of digits with its thousands grouped by commas.
pub fn grouped_into(out: &mut String, digits: &str) {
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
}

/// The 1-based line of `bytes` on which they stop being valid UTF-8, for
/// a message saying where (`e` is what reading them as UTF-8 gave).
pub fn utf8_error_line(bytes: &[u8], e: &std::str::Utf8Error) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count() + 1
}

/// Bytes that start with the byte-order mark of UTF-16 (either way
/// round), as text: `None` when they do not start so; the encoding's name
/// as the error when what follows the mark is not valid UTF-16 (nothing is
/// replaced). Windows tools write XML and text sheets so.
pub fn decode_utf16_with_bom(bytes: &[u8]) -> Option<Result<String, &'static str>> {
    let (encoding, bom) =
        encoding_rs::Encoding::for_bom(bytes).filter(|(e, _)| *e != encoding_rs::UTF_8)?;
    Some(
        encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(std::borrow::Cow::into_owned)
            .ok_or(encoding.name()),
    )
}

/// `text` in UTF-16 with its byte-order mark, big- or little-endian: what
/// the tests of [`decode_utf16_with_bom`]'s callers read.
#[cfg(test)]
pub fn utf16_with_bom(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_rust_writes_them() {
        for n in [0u64, 7, 9, 10, 99, 100, 12345, 1 << 40, u64::MAX] {
            let mut out = String::from("x");
            decimal_into(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn xml_escaping_names_every_markup_character() {
        assert_eq!(
            escape_xml(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn html_escaping_is_teras() {
        let hostile = r#"<script>alert("x") & 'y' </script>"#;
        let mut out = String::new();
        escape_html_into(&mut out, hostile);
        assert_eq!(out, tera::escape_html(hostile));
    }

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("REQ-1 门窗"), 10);
    }
}
