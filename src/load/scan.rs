//! The quickest way through an item file: one pass over its bytes that
//! reads the commonest TOML straight into lines, without tokens or events.
//!
//! It knows `[[kind]]` and `[[kind.sub]]` headers with bare or quoted keys,
//! `key = value` lines with a bare or quoted key, and values that are
//! strings of all four kinds (with the escapes of TOML 1.0; multi-line ones
//! without carriage returns inside), booleans, decimal integers and floats
//! (without `+` or `_`), dates (`2025-04-01`), date-times with seconds
//! (`2025-04-01T10:00:00Z`), and arrays of these over any number of lines;
//! comments, blank lines, and lines ending in LF or CR LF. Everything else
//! (`inf`, `nan`, other radixes, inline tables, dotted keys of more than two
//! parts, other escapes,
//! anything that is not TOML at all) it declines without judging, and the
//! file goes to the TOML parser. So it must never take what TOML forbids:
//! each check below is as strict as the TOML grammar or stricter.

use std::borrow::Cow;
use std::ops::Range;

use super::lines::{Line, Lines, Scalar, Val};

pub(super) struct Scanner<'i> {
    text: &'i str,
    at: usize,
}

/// Declined: the file is left to the TOML parser.
type Scan<T> = Result<T, ()>;

fn is_bare(b: u8) -> bool {
    BARE[usize::from(b)]
}

/// Which bytes a bare key is made of, by value: a look-up, not a chain of
/// comparisons, for the key of every line.
static BARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// Control characters TOML allows nowhere but as a tab.
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// From `at`, the place of the first `a`, `b` or control character (a tab
/// excepted), or the end of `bytes`: where a one-line string or a comment
/// must stop to look. Eight bytes are passed at a time while none of them
/// can be one, the common case for the text of a line.
fn stop_at(bytes: &[u8], mut at: usize, a: u8, b: u8) -> usize {
    loop {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !may_stop(word, a, b) {
                at += 8;
                continue;
            }
        }
        let end = (at + 8).min(bytes.len());
        while at < end {
            let c = bytes[at];
            if c == a || c == b || is_control(c) {
                return at;
            }
            at += 1;
        }
        if at == bytes.len() {
            return at;
        }
    }
}

/// Whether any of eight bytes is `a`, `b`, under 0x20 or 0x7f (a tab
/// counts: the bytes are then looked at one by one). Each test is exact
/// about whether some byte of the word is in its class.
fn may_stop(word: u64, a: u8, b: u8) -> bool {
    use crate::text::{word_below, word_holds};
    word_below(word, 0x20) || word_holds(word, a) || word_holds(word, b) || word_holds(word, 0x7f)
}

impl<'i> Scanner<'i> {
    pub(super) fn new(text: &'i str) -> Self {
        Scanner { text, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.as_bytes().get(self.at + ahead).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Scan<()> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// A comment from its `#` to the end of the line (not included).
    fn comment(&mut self) -> Scan<()> {
        self.expect(b'#')?;
        // NUL is a control character: only control characters stop.
        self.at = stop_at(self.text.as_bytes(), self.at, 0, 0);
        match self.peek() {
            None | Some(b'\n' | b'\r') => Ok(()),
            Some(_) => Err(()),
        }
    }

    /// The end of a line: a line break, or the end of the file.
    fn line_end(&mut self) -> Scan<()> {
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.at += 1;
                Ok(())
            }
            Some(b'\r') if self.peek_at(1) == Some(b'\n') => {
                self.at += 2;
                Ok(())
            }
            _ => Err(()),
        }
    }

    /// Spaces, an optional comment and the end of the line.
    fn rest_of_line(&mut self) -> Scan<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        self.line_end()
    }

    /// Spaces, comments and line breaks, as between the values of an array.
    fn skip_ws_comments_newlines(&mut self) -> Scan<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n' | b'\r') => self.line_end()?,
                _ => return Ok(()),
            }
        }
    }

    /// A bare key, or a quoted one on a single line.
    fn key(&mut self) -> Scan<Cow<'i, str>> {
        match self.peek() {
            Some(b'"') => self.basic_string(),
            Some(b'\'') => self.literal_string(),
            Some(b) if is_bare(b) => {
                let start = self.at;
                let rest = &self.text.as_bytes()[start..];
                self.at += rest.iter().position(|&b| !is_bare(b)).unwrap_or(rest.len());
                Ok(Cow::Borrowed(&self.text[start..self.at]))
            }
            _ => Err(()),
        }
    }

    /// `"..."` on one line (multi-line strings are read by
    /// [`Scanner::multi_line_string`]).
    fn basic_string(&mut self) -> Scan<Cow<'i, str>> {
        self.expect(b'"')?;
        if self.peek() == Some(b'"') && self.peek_at(1) == Some(b'"') {
            return Err(());
        }
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut owned: Option<String> = None;
        let mut plain = start;
        loop {
            self.at = stop_at(bytes, self.at, b'"', b'\\');
            let b = self.peek().ok_or(())?;
            match b {
                b'"' => {
                    let s = self.decoded(start, plain, self.at, owned);
                    self.at += 1;
                    return Ok(s);
                }
                b'\\' => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&self.text[plain..self.at]);
                    let escape = bytes.get(self.at + 1).copied().ok_or(())?;
                    self.at += 2;
                    o.push(self.escaped(escape)?);
                    plain = self.at;
                }
                b if is_control(b) => return Err(()),
                _ => self.at += 1,
            }
        }
    }

    /// `"""..."""` or `'''...'''` (as `quote` says), at its opening quotes:
    /// a line break right after them is dropped, and in the basic kind a
    /// backslash at the end of a line drops it and the blank space after.
    /// Carriage returns inside are declined (the TOML parser reads those).
    fn multi_line_string(&mut self, quote: u8) -> Scan<Cow<'i, str>> {
        let basic = quote == b'"';
        self.at += 3;
        if self.peek() == Some(b'\n') {
            self.at += 1;
        }
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut owned: Option<String> = None;
        let mut plain = start;
        loop {
            let b = self.peek().ok_or(())?;
            match b {
                b if b == quote => {
                    let run = bytes[self.at..].iter().take_while(|&&c| c == quote).count();
                    if run < 3 {
                        self.at += run;
                        continue;
                    }
                    // Up to two quotes before the closing three are text.
                    if run > 5 {
                        return Err(());
                    }
                    let s = self.decoded(start, plain, self.at + run - 3, owned);
                    self.at += run;
                    return Ok(s);
                }
                b'\\' if basic => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&self.text[plain..self.at]);
                    self.at += 1;
                    match self.peek().ok_or(())? {
                        b' ' | b'\t' | b'\n' => {
                            // A line-ending backslash: blank space, the line
                            // break, then every blank and break after it.
                            self.skip_ws();
                            if self.peek() != Some(b'\n') {
                                return Err(());
                            }
                            while let Some(b' ' | b'\t' | b'\n') = self.peek() {
                                self.at += 1;
                            }
                        }
                        escape => {
                            self.at += 1;
                            o.push(self.escaped(escape)?);
                        }
                    }
                    plain = self.at;
                }
                b'\n' => self.at += 1,
                b if is_control(b) => return Err(()),
                _ => self.at += 1,
            }
        }
    }

    /// A string's text, `start..end` of the file: borrowed while nothing
    /// was decoded, else what `owned` holds (decoded up to `plain`) and the
    /// rest. When only line breaks were dropped before the text, it is still
    /// one piece of the file.
    fn decoded(
        &self,
        start: usize,
        plain: usize,
        end: usize,
        owned: Option<String>,
    ) -> Cow<'i, str> {
        match owned {
            None => Cow::Borrowed(&self.text[start..end]),
            Some(o) if o.is_empty() => Cow::Borrowed(&self.text[plain..end]),
            Some(mut o) => {
                o.push_str(&self.text[plain..end]);
                Cow::Owned(o)
            }
        }
    }

    /// The character an escape stands for, its letter already read.
    fn escaped(&mut self, escape: u8) -> Scan<char> {
        Ok(match escape {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' => self.hex_char(4)?,
            b'U' => self.hex_char(8)?,
            _ => return Err(()),
        })
    }

    /// The character of `digits` hex digits after `\u` or `\U`.
    fn hex_char(&mut self, digits: usize) -> Scan<char> {
        let hex = self.text.get(self.at..self.at + digits).ok_or(())?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(());
        }
        self.at += digits;
        let code = u32::from_str_radix(hex, 16).map_err(|_| ())?;
        char::from_u32(code).ok_or(())
    }

    /// `'...'` on one line.
    fn literal_string(&mut self) -> Scan<Cow<'i, str>> {
        self.expect(b'\'')?;
        if self.peek() == Some(b'\'') && self.peek_at(1) == Some(b'\'') {
            return Err(());
        }
        let start = self.at;
        self.at = stop_at(self.text.as_bytes(), self.at, b'\'', b'\'');
        match self.peek().ok_or(())? {
            b'\'' => {
                let s = &self.text[start..self.at];
                self.at += 1;
                Ok(Cow::Borrowed(s))
            }
            _ => Err(()),
        }
    }

    /// A scalar value, and where it stands.
    fn scalar(&mut self) -> Scan<(Scalar<'i>, Range<usize>)> {
        let start = self.at;
        let rest = &self.text.as_bytes()[self.at..];
        let scalar = match self.peek().ok_or(())? {
            q @ (b'"' | b'\'') if rest.starts_with(&[q, q, q]) => {
                Scalar::String(self.multi_line_string(q)?)
            }
            b'"' => Scalar::String(self.basic_string()?),
            b'\'' => Scalar::String(self.literal_string()?),
            _ => {
                // A word: a boolean, a number or a date, taking in every
                // character TOML may read as part of one, so that a
                // fraction, an exponent or an offset is declined whole.
                while self.peek().is_some_and(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b':' | b'.' | b'_')
                }) {
                    self.at += 1;
                }
                let word = &self.text[start..self.at];
                // A date-time may separate its date and time by a space.
                if self.peek() == Some(b' ') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())
                {
                    return Err(());
                }
                match word {
                    "true" => Scalar::Bool(true),
                    "false" => Scalar::Bool(false),
                    w if is_integer(w) => Scalar::Integer(Cow::Borrowed(w)),
                    w if is_float(w) => Scalar::Float(Cow::Borrowed(w)),
                    w if is_date(w) => Scalar::Date(Cow::Borrowed(w)),
                    _ => return Err(()),
                }
            }
        };
        Ok((scalar, start..self.at))
    }

    /// A scalar, or an array of scalars over any number of lines.
    fn value(&mut self) -> Scan<(Val<'i>, Range<usize>)> {
        if self.peek() != Some(b'[') {
            let (s, r) = self.scalar()?;
            return Ok((Val::Scalar(s), r));
        }
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws_comments_newlines()?;
            if self.peek() == Some(b']') {
                break;
            }
            items.push(self.scalar()?);
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => break,
                _ => return Err(()),
            }
        }
        self.at += 1;
        Ok((Val::Array(items), start..self.at))
    }

    /// `[[name]]` or `[[name.sub]]`, at its first bracket.
    fn header(&mut self) -> Scan<Line<'i>> {
        let start = self.at;
        self.expect(b'[')?;
        self.expect(b'[')?;
        let mut names = Vec::with_capacity(2);
        loop {
            self.skip_ws();
            names.push(self.key()?);
            self.skip_ws();
            match self.peek() {
                Some(b'.') => self.at += 1,
                Some(b']') => break,
                _ => return Err(()),
            }
        }
        self.expect(b']')?;
        self.expect(b']')?;
        let end = self.at;
        self.rest_of_line()?;
        Ok(Line::Header(names, start..end))
    }

    /// `key = value`, at its key.
    fn key_value(&mut self) -> Scan<Line<'i>> {
        let key_start = self.at;
        let key = self.key()?;
        let key_end = self.at;
        self.skip_ws();
        // A dotted key of two parts (`field.key = ...`); longer ones are
        // declined at the `=` expected below.
        let sub = if self.peek() == Some(b'.') {
            self.at += 1;
            self.skip_ws();
            let sub = self.key()?;
            self.skip_ws();
            Some(sub)
        } else {
            None
        };
        self.expect(b'=')?;
        self.skip_ws();
        let (value, bytes) = self.value()?;
        self.rest_of_line()?;
        Ok(match sub {
            Some(sub) => Line::Dotted(key, sub, key_start..key_end, value, bytes),
            None => Line::KeyValue(key, key_start, value, bytes),
        })
    }
}

impl<'i> Lines<'i> for Scanner<'i> {
    fn next_line(&mut self) -> Result<Option<Line<'i>>, ()> {
        if self.at == 0 && self.text.starts_with('\u{feff}') {
            return Err(());
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Ok(None),
                Some(b'#') => self.rest_of_line()?,
                Some(b'\n' | b'\r') => self.line_end()?,
                Some(b'[') => return self.header().map(Some),
                Some(_) => return self.key_value().map(Some),
            }
        }
    }
}

/// A decimal integer as TOML writes it, without `+` or `_`, small enough
/// for any integer field.
fn is_integer(w: &str) -> bool {
    let digits = w.strip_prefix('-').unwrap_or(w);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// A decimal float as TOML writes it, without `+` or `_`: an integer part,
/// then a fraction, an exponent or both (`98.5`, `-2.5e1`, `1E-3`).
fn is_float(w: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let w = w.strip_prefix('-').unwrap_or(w);
    let (mantissa, exponent) = match w.find(['e', 'E']) {
        Some(at) => (&w[..at], Some(&w[at + 1..])),
        None => (w, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let whole_ok = digits(whole) && (whole == "0" || !whole.starts_with('0'));
    let fraction_ok = fraction.is_none_or(digits);
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    whole_ok && fraction_ok && exponent_ok && (fraction.is_some() || exponent.is_some())
}

/// `YYYY-MM-DD`, or that with `THH:MM:SS` and an optional `Z` or
/// `+HH:MM`/`-HH:MM`, and a real day and time of day.
fn is_date(w: &str) -> bool {
    let b = w.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if !date {
        return false;
    }
    let time =
        |at: usize| digits(at..at + 2) && b.get(at + 2) == Some(&b':') && digits(at + 3..at + 5);
    let shape = match b.len() {
        10 => true,
        19 | 20 | 25 => {
            b[10] == b'T'
                && time(11)
                && b[16] == b':'
                && digits(17..19)
                && match b.len() {
                    19 => true,
                    20 => b[19] == b'Z',
                    _ => matches!(b[19], b'+' | b'-') && time(20),
                }
        }
        _ => false,
    };
    // The calendar (months, days, leap years, hours) as TOML's own date
    // type checks it.
    shape && w.parse::<toml::value::Datetime>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Option<Vec<Line<'_>>> {
        let mut s = Scanner::new(text);
        let mut out = Vec::new();
        while let Some(l) = s.next_line().ok()? {
            out.push(l);
        }
        Some(out)
    }

    /// Where a string or comment stops, found a byte at a time.
    fn stop_one_by_one(bytes: &[u8], at: usize, a: u8, b: u8) -> usize {
        bytes[at..]
            .iter()
            .position(|&c| c == a || c == b || is_control(c))
            .map_or(bytes.len(), |p| at + p)
    }

    #[test]
    fn strings_and_comments_stop_where_a_byte_at_a_time_stops() {
        // Every byte value at every place of a 19-byte text of plain bytes
        // and tabs, from every start, for each pair of stops a reader uses.
        let stops = [(b'"', b'\\'), (b'\'', b'\''), (0, 0)];
        for v in 0..=255u8 {
            for place in 0..19 {
                let mut text = *b"ab\tcd efgh\tij klmno";
                text[place] = v;
                for &(a, b) in &stops {
                    for from in 0..text.len() {
                        assert_eq!(
                            stop_at(&text, from, a, b),
                            stop_one_by_one(&text, from, a, b),
                            "byte {v:#x} at {place}, from {from}, stops {a:#x} {b:#x}"
                        );
                    }
                }
            }
        }
        // Two bytes near the edges of the classes, side by side in a word.
        let edges = [
            0u8, 0x08, 0x09, 0x0a, 0x1f, 0x20, 0x21, 0x22, 0x27, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f,
            0x80, 0xe4, 0xff,
        ];
        for x in edges {
            for y in edges {
                let text = [b'p', x, y, b'q', b'r', x, b's', y, b't', b'u'];
                for &(a, b) in &stops {
                    assert_eq!(stop_at(&text, 0, a, b), stop_one_by_one(&text, 0, a, b));
                }
            }
        }
    }

    #[test]
    fn reads_headers_keys_and_values_with_their_places() {
        let text = "# top\n[[review . decision]] # c\n  \"a b\" = \"x\\u00e9\\n\" \r\nn = -12\nd = 2025-04-01\nl = [ 'p', # c\n  \"q\",\n]\n";
        let got = lines(text).expect("scanned");
        assert_eq!(
            got[0],
            Line::Header(vec!["review".into(), "decision".into()], 6..27)
        );
        let Line::KeyValue(key, key_start, value, bytes) = &got[1] else {
            panic!("{:?}", got[1])
        };
        assert_eq!((key.as_ref(), *key_start), ("a b", 34));
        assert_eq!(*value, Val::Scalar(Scalar::String("xé\n".into())));
        assert_eq!(&text[bytes.clone()], "\"x\\u00e9\\n\"");
        let n = text.find("n =").unwrap();
        assert_eq!(
            got[2],
            Line::KeyValue(
                "n".into(),
                n,
                Val::Scalar(Scalar::Integer("-12".into())),
                n + 4..n + 7
            )
        );
        let Line::KeyValue(_, _, Val::Array(items), bytes) = &got[4] else {
            panic!("{:?}", got[4])
        };
        assert_eq!(items.len(), 2);
        assert_eq!(&text[bytes.clone()], "[ 'p', # c\n  \"q\",\n]");
        assert_eq!(&text[items[1].1.clone()], "\"q\"");
    }

    #[test]
    fn declines_what_it_does_not_know_or_toml_forbids() {
        for text in [
            "a = 1.\n",
            "a = .5\n",
            "a = 1.e3\n",
            "a = 01.5\n",
            "a = 1e\n",
            "a = 1.5.2\n",
            "a = 1e3.5\n",
            "a = 1_000\n",
            "a = +1\n",
            "a = 007\n",
            "a = 0x10\n",
            "a = inf\n",
            "a = \"\"\"x\r\ny\"\"\"\n",
            "a = '''x\r\ny'''\n",
            "a = \"\"\"x\"\"\"\"\"\"\n",
            "a = \"\"\"x \\ y\"\"\"\n",
            "a = \"\"\"x\"\"\" y\n",
            "a = \"\"\"unclosed\n",
            "a = { b = 1 }\n",
            "a.b.c = 1\n",
            "a. = 1\n",
            "a.b.c = \"x\"\n",
            "a = [[1]]\n",
            "a = \"\\e\"\n",
            "a = \"\\x41\"\n",
            "a = \"\\uD800\"\n",
            "a = \"tab\tok but bell \u{7}\"\n",
            "a = 'unclosed\n",
            "a = \"x\" b = 2\n",
            "a = 1 # bell \u{7}\n",
            "a = 1\rb = 2\n",
            "a = 2025-02-30\n",
            "a = 2025-04-01 10:00:00\n",
            "a = 2025-04-01T10:00\n",
            "a = 2025-04-01T10:00:00.5Z\n",
            "a = 10:00:00\n",
            "[a]\n",
            "[[a]] b = 1\n",
            "[[a.b.c]\n",
            "\u{feff}[[a]]\n",
            "a =\n",
            "= 1\n",
            "a = tru\n",
        ] {
            assert!(
                lines(text).is_none(),
                "scanned, but should not be: {text:?}"
            );
        }
    }

    #[test]
    fn multi_line_strings_as_toml_reads_them() {
        let value = |text: &str| match lines(text).expect("scanned").pop() {
            Some(Line::KeyValue(_, _, Val::Scalar(Scalar::String(s)), _)) => s.into_owned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(value("a = \"\"\"\none\ntwo\"\"\"\n"), "one\ntwo");
        assert_eq!(value("a = \"\"\"x \\  \n\n   y\\t\"\"\"\n"), "x y\t");
        assert_eq!(value("a = \"\"\"say \"hi\"\"\"\"\"\n"), "say \"hi\"\"");
        assert_eq!(value("a = '''\nC:\\path\n'''\n"), "C:\\path\n");
        assert_eq!(value("a = ''''quoted''''\n"), "'quoted'");
    }

    #[test]
    fn dates_and_integers_as_toml_has_them() {
        for ok in [
            "2024-02-29",
            "2025-04-01T10:00:00Z",
            "2025-04-01T10:00:00+08:00",
            "2025-04-01T23:59:59",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-04-01T24:00:00",
            "2025-4-01",
            "20250401",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for ok in ["0", "-0", "7", "-123456789012345678"] {
            assert!(is_integer(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1234567890123456789", "1a"] {
            assert!(!is_integer(bad), "{bad}");
        }
        for ok in ["0.5", "-2.5e1", "1E-3", "3e+2", "0.0", "-0.0", "6.02e23"] {
            assert!(is_float(ok), "{ok}");
        }
        for bad in [
            "1", "1.", ".5", "01.5", "1e", "1.5.2", "1e3.5", "e5", "1.5e+", "--1.0",
        ] {
            assert!(!is_float(bad), "{bad}");
        }
    }
}
