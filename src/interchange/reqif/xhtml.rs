//! XHTML rich text to plain text, for `ATTRIBUTE-VALUE-XHTML`.
//!
//! Markup is dropped, never its text: paragraphs, divisions, headings,
//! list items and table rows each start a new line, `<br/>` is a line
//! break, list items get a `- ` mark, table cells are separated by ` | `
//! (a row stays one line), and an embedded object without a text
//! alternative is kept as `[object: NAME]`. Runs of spaces and tabs
//! become one space and every line is trimmed; a line break written
//! inside a paragraph's text is
//! kept (tools such as StrictDoc write one line of the source per line);
//! two `<br/>` in a row make one empty line, and no more than one empty
//! line follows another.

use quick_xml::events::BytesStart;

/// Collects the text of an XHTML fragment as its events arrive.
#[derive(Default)]
pub struct XhtmlText {
    out: String,
    /// Depth of open `<pre>` elements, inside which spaces are kept.
    pre: usize,
    /// Whether the current table row already has a cell.
    cell_in_row: bool,
    /// Depth of open table cells: a row stays one line, so paragraphs and
    /// line breaks inside a cell are read as spaces.
    cell: usize,
    /// Whether the open `<object>` elements have shown any text.
    objects: Vec<(String, bool)>,
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "tr"
            | "pre"
            | "blockquote"
            | "table"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "caption"
            | "address"
            | "hr"
    )
}

impl XhtmlText {
    fn newline(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// A break inside a table cell: one space.
    fn space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
            self.out.push(' ');
        }
    }

    /// An element opens (an empty element opens and closes).
    pub fn open(&mut self, name: &str, e: &BytesStart<'_>) {
        if is_block(name) {
            if self.cell > 0 {
                self.space();
            } else {
                self.newline();
            }
        }
        match name {
            "br" if self.cell > 0 => self.space(),
            "br" => self.out.push('\n'),
            "pre" => self.pre += 1,
            "li" => self.out.push_str("- "),
            "tr" => self.cell_in_row = false,
            "td" | "th" => {
                if self.cell_in_row {
                    if self.out.ends_with(' ') {
                        self.out.pop();
                    }
                    self.out.push_str(" | ");
                }
                self.cell_in_row = true;
                self.cell += 1;
            }
            "object" | "img" => {
                let mut label = String::new();
                for a in e.attributes().flatten() {
                    let key = a.key.local_name();
                    if matches!(key.as_ref(), b"data" | b"src" | b"name" | b"alt")
                        && label.is_empty()
                    {
                        label = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                    }
                }
                if name == "img" {
                    self.out.push_str(&format!("[image: {label}]"));
                    self.shown();
                } else {
                    self.objects.push((label, false));
                }
            }
            _ => {}
        }
    }

    /// An element closes.
    pub fn close(&mut self, name: &str) {
        match name {
            "pre" => self.pre = self.pre.saturating_sub(1),
            "td" | "th" => self.cell = self.cell.saturating_sub(1),
            "object" => {
                if let Some((label, shown)) = self.objects.pop()
                    && !shown
                {
                    self.out.push_str(&format!("[object: {label}]"));
                    // An object inside another is the outer one's
                    // alternative (a picture of an OLE object): one mark.
                    self.shown();
                }
            }
            _ => {}
        }
        if is_block(name) {
            if self.cell > 0 {
                self.space();
            } else {
                self.newline();
            }
        }
    }

    /// The open objects have shown something in place of themselves.
    fn shown(&mut self) {
        for o in &mut self.objects {
            o.1 = true;
        }
    }

    /// Text between tags.
    pub fn text(&mut self, s: &str) {
        if s.trim().is_empty() && self.pre == 0 {
            // Indentation between tags: at most one space between inline
            // elements, nothing at the start of a line.
            if !s.is_empty() && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            return;
        }
        self.shown();
        if self.pre > 0 {
            self.out.push_str(s);
            return;
        }
        let mut first = true;
        for line in s.split('\n') {
            if !first {
                if self.cell > 0 {
                    self.space();
                } else {
                    self.out.push('\n');
                }
            }
            first = false;
            let mut words = line.split([' ', '\t', '\r']).filter(|w| !w.is_empty());
            let lead = line.starts_with([' ', '\t']);
            if let Some(w) = words.next() {
                if lead && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
                    self.out.push(' ');
                }
                self.out.push_str(w);
                for w in words {
                    self.out.push(' ');
                    self.out.push_str(w);
                }
                if line.ends_with([' ', '\t']) {
                    self.out.push(' ');
                }
            }
        }
    }

    /// The plain text: lines trimmed, no empty line at the start or end,
    /// and at most one in a row (two `<br/>` make an empty line).
    pub fn finish(self) -> String {
        let mut lines: Vec<&str> = Vec::new();
        for line in self.out.split('\n') {
            let t = line.trim_matches([' ', '\t', '\r']);
            if !t.is_empty() || lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(t);
            }
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(fragment: &str) -> String {
        let mut r = quick_xml::reader::NsReader::from_str(fragment);
        let mut out = XhtmlText::default();
        loop {
            match r.read_event().unwrap() {
                quick_xml::events::Event::Start(s) => {
                    out.open(&String::from_utf8_lossy(s.local_name().as_ref()), &s)
                }
                quick_xml::events::Event::Empty(s) => {
                    let n = String::from_utf8_lossy(s.local_name().as_ref()).into_owned();
                    out.open(&n, &s);
                    out.close(&n);
                }
                quick_xml::events::Event::End(e) => {
                    out.close(&String::from_utf8_lossy(e.local_name().as_ref()))
                }
                quick_xml::events::Event::Text(t) => out.text(&t.xml10_content().unwrap()),
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        out.finish()
    }

    #[test]
    fn markup_goes_and_its_text_stays() {
        assert_eq!(
            text(
                "<div>\n  <p>One <b>bold</b>\n     word</p>\n  <p>Two<br/><br/>after a gap</p>\n</div>"
            ),
            "One bold\nword\nTwo\n\nafter a gap"
        );
        assert_eq!(
            text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"),
            "a | b\nc | d"
        );
        // A cell's paragraphs and line breaks keep its row on one line.
        assert_eq!(
            text(
                "<table><tr><td><p>a</p></td><td><p>b</p><p>b2</p></td></tr><tr><td>c<br/>c2</td><td>d\n  d2</td></tr></table><p>after</p>"
            ),
            "a | b b2\nc c2 | d d2\nafter"
        );
        assert_eq!(
            text(
                "<p>See <object data=\"fig1.png\" type=\"image/png\"/> and <object data=\"f2.png\">Figure 2</object></p>"
            ),
            "See [object: fig1.png] and Figure 2"
        );
        assert_eq!(text("<pre>  x = 1;\n  y = 2;</pre>"), "x = 1;\ny = 2;");
    }
}
