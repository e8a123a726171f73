//! Text for a terminal: anything from the input is shown as it is, except
//! control characters, which a terminal would obey rather than show (move
//! the cursor, clear the screen, retitle the window, ring the bell…). They
//! are written visibly, as `\u{1b}`, so an id, a key or a name can never
//! take over the screen. Every text printer goes through [`escape_controls`]
//! (standard error always, standard output unless it carries JSON, CSV,
//! HTML or a workbook, which have escapes of their own).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether a character is one a terminal acts on: C0 controls (newline and
/// tab excepted, they are the text's own layout), DEL and C1 controls; and
/// the byte-order mark, which shows as nothing at all.
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}'
}

/// `text` with every control character but newline and tab written as
/// `\u{..}`; ordinary text (Chinese included) unchanged.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_control(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How a control character is shown.
pub fn escaped(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// Columns the shown form of `c` takes in place of `c` itself.
pub fn shown_width(c: char) -> usize {
    if is_control(c) {
        escaped(c).len()
    } else {
        crate::text::char_width(c)
    }
}

/// A writer that passes text on with its control characters escaped; when
/// `escape` is false (output that is not text), it passes bytes unchanged.
pub struct Escaping<W: Write> {
    pub inner: W,
    pub escape: bool,
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.inner.write(buf);
        }
        match std::str::from_utf8(buf) {
            Ok(s) => self.inner.write_all(escape_controls(s).as_bytes())?,
            Err(_) => {
                // Not UTF-8: escape the control bytes, pass the rest.
                for chunk in buf.split_inclusive(|b| is_control_byte(*b)) {
                    match chunk.split_last() {
                        Some((last, head)) if is_control_byte(*last) => {
                            self.inner.write_all(head)?;
                            self.inner
                                .write_all(escaped(char::from(*last)).as_bytes())?;
                        }
                        _ => self.inner.write_all(chunk)?,
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_other_text_is_kept() {
        assert_eq!(
            escape_controls("REQ-\u{1b}]0;pwned\u{7}1"),
            "REQ-\\u{1b}]0;pwned\\u{7}1"
        );
        assert_eq!(escape_controls("\u{1b}[2J清屏"), "\\u{1b}[2J清屏");
        assert_eq!(
            escape_controls("a\u{9b}31m\u{7f}\r"),
            "a\\u{9b}31m\\u{7f}\\u{d}"
        );
        assert_eq!(escape_controls("外窗 6级\n\tok"), "外窗 6级\n\tok");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_text_and_passes_other_bytes() {
        let mut w = Escaping {
            inner: Vec::new(),
            escape: true,
        };
        let id = "\u{1b}[2J";
        writeln!(w, "id {id}").unwrap();
        w.write_all(b"\xff\x1b\n").unwrap();
        assert_eq!(w.inner, b"id \\u{1b}[2J\n\xff\\u{1b}\n");
        let mut raw = Escaping {
            inner: Vec::new(),
            escape: false,
        };
        raw.write_all(b"\x1b\xff").unwrap();
        assert_eq!(raw.inner, b"\x1b\xff");
    }
}
