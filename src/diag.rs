//! Diagnostics: problems in the user's files (broken TOML, unknown fields,
//! dangling links…), collected rather than thrown, sorted, and rendered for
//! a terminal or as JSON. Trace findings are a different thing (see
//! [`rules`](crate::rules)): a project with gaps is still a valid project.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

use crate::model::SourceFile;
use crate::terminal::{escape_controls, shown_width};

/// Where a diagnostic points: a file, and a place in it when known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path relative to the project root (or as given, for files outside it).
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub bytes: Option<Range<usize>>,
}

impl Location {
    pub fn in_source(source: &SourceFile, bytes: Range<usize>) -> Self {
        let (line, column) = source.line_col(bytes.start);
        Location {
            file: source.path.clone(),
            line,
            column,
            bytes: Some(bytes),
        }
    }

    pub fn whole_file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: 1,
            column: 1,
            bytes: None,
        }
    }
}

/// One problem with the input, with a stable kebab-case code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    #[serde(flatten)]
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>, location: Location) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            location,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sort order: by file, then position, then code and message.
    fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.location.file,
            self.location.line,
            self.location.column,
            self.code,
            &self.message,
        )
    }
}

/// Sorts diagnostics into a stable order and drops exact repeats.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// Renders diagnostics for a terminal, each with the offending line and a
/// caret under the place, followed by a one-line count.
pub fn render_text(diags: &[Diagnostic], sources: &[SourceFile]) -> String {
    let by_path: std::collections::HashMap<&str, &SourceFile> =
        sources.iter().map(|s| (s.path.as_str(), s)).collect();
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "error[{}]: {}", d.code, escape_controls(&d.message));
        let loc = &d.location;
        let _ = writeln!(
            out,
            "  --> {}:{}:{}",
            escape_controls(&loc.file),
            loc.line,
            loc.column
        );
        let help = d.help.as_deref().map(escape_controls);
        let source = by_path.get(loc.file.as_str());
        if let (Some(source), Some(bytes)) = (source, &loc.bytes) {
            let line_text = line_at(&source.text, bytes.start);
            let gutter = loc.line.to_string();
            let pad = " ".repeat(gutter.len());
            let line_chars = line_text.chars().count();
            let span_chars = source
                .text
                .get(bytes.clone())
                .map_or(1, |s| s.lines().next().unwrap_or("").chars().count())
                .clamp(1, line_chars.saturating_sub(loc.column as usize - 1).max(1));
            // A long line is quoted around the place only.
            let (shown, start_col, span_chars) =
                window(line_text, loc.column as usize - 1, span_chars);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{gutter} | {}", escape_controls(&shown));
            // Under a control character shown as `\u{..}`, as many columns;
            // under a CJK or other wide character, two.
            let indent: String = shown
                .chars()
                .take(start_col)
                .map(|c| match c {
                    '\t' => "\t".to_owned(),
                    c => " ".repeat(shown_width(c)),
                })
                .collect();
            let carets: usize = shown
                .chars()
                .skip(start_col)
                .take(span_chars)
                .map(shown_width)
                .sum();
            let _ = writeln!(out, "{pad} | {indent}{}", "^".repeat(carets.max(1)));
            if let Some(help) = &help {
                let _ = writeln!(out, "{pad} = help: {help}");
            }
        } else if let Some(help) = &help {
            let _ = writeln!(out, "   = help: {help}");
        }
        out.push('\n');
    }
    let files: std::collections::BTreeSet<&str> =
        diags.iter().map(|d| d.location.file.as_str()).collect();
    let _ = writeln!(
        out,
        "{} input error{} in {} file{}; nothing was checked.",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" },
    );
    out
}

/// The line of `text` that holds byte `offset`, without its line end. Found
/// from the offset outwards, so quoting a line costs its length, never the
/// length of the file before it.
fn line_at(text: &str, offset: usize) -> &str {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| offset + p);
    text.get(start..end).unwrap_or("").trim_end_matches('\r')
}

/// Characters of a quoted line shown on each side of the place, at most.
const QUOTE_CONTEXT: usize = 60;

/// The part of `line` to quote for a place at character `col` spanning
/// `span` characters: the whole line when it is short, else a window around
/// the place with `…` where it is cut. Gives the text, the place's column
/// in it and the span's length in it.
fn window(line: &str, col: usize, span: usize) -> (std::borrow::Cow<'_, str>, usize, usize) {
    let total = line.chars().count();
    if total <= 3 * QUOTE_CONTEXT {
        return (line.into(), col, span);
    }
    let from = col.saturating_sub(QUOTE_CONTEXT);
    let to = (col + span.min(QUOTE_CONTEXT) + QUOTE_CONTEXT).min(total);
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(from).take(to - from));
    if to < total {
        shown.push('…');
    }
    let start = col - from + usize::from(from > 0);
    (shown.into(), start, span.min(to.saturating_sub(col)).max(1))
}

/// Renders diagnostics as `{"errors": [...]}`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        errors: &'a [Diagnostic],
    }
    let mut s = serde_json::to_string_pretty(&Out { errors: diags }).expect("serialisable");
    s.push('\n');
    s
}

/// The closest of `candidates` to `word`, if one is close enough to be a
/// likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let mut distance = Distance::new(word);
    candidates
        .into_iter()
        .filter_map(|c| Some((distance.within(c, limit)?, c)))
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance counting an adjacent swap as one edit, from one
/// word to many others (its rows are kept from one to the next: an id is
/// compared with every id of a large project).
///
/// Letter case and `_` against `-` do not count: `req_01` is one typing
/// away from `REQ-01`, not four.
struct Distance {
    word: Vec<char>,
    other: Vec<char>,
    rows: [Vec<usize>; 3],
}

fn fold(c: char) -> char {
    match c {
        '_' => '-',
        c => c.to_ascii_lowercase(),
    }
}

impl Distance {
    fn new(word: &str) -> Distance {
        Distance {
            word: word.chars().map(fold).collect(),
            other: Vec::new(),
            rows: Default::default(),
        }
    }

    /// The distance to `other` if it is at most `limit`. A row's least
    /// value never falls in the next row, so a row all over the limit ends
    /// the comparison.
    fn within(&mut self, other: &str, limit: usize) -> Option<usize> {
        self.other.clear();
        self.other.extend(other.chars().map(fold));
        let (a, b) = (&self.word, &self.other);
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let [prev2, prev, cur] = &mut self.rows;
        for row in [&mut *prev2, &mut *prev, &mut *cur] {
            row.clear();
            row.resize(b.len() + 1, 0);
        }
        for (j, cell) in prev.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            cur[0] = i;
            let mut least = i;
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    cur[j] = cur[j].min(prev2[j - 2] + 1);
                }
                least = least.min(cur[j]);
            }
            if least > limit {
                return None;
            }
            std::mem::swap(prev2, prev);
            std::mem::swap(prev, cur);
        }
        Some(prev[b.len()]).filter(|d| *d <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance computed in full, row by row, with no limit.
    fn full_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().map(fold).collect();
        let b: Vec<char> = b.chars().map(fold).collect();
        let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (j, cell) in rows[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            rows[i][0] = i;
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (rows[i - 1][j] + 1)
                    .min(rows[i][j - 1] + 1)
                    .min(rows[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(rows[i - 2][j - 2] + 1);
                }
                rows[i][j] = d;
            }
        }
        rows[a.len()][b.len()]
    }

    #[test]
    fn a_distance_within_its_limit_is_the_full_distance() {
        let words = [
            "",
            "a",
            "REQ-001",
            "req_001",
            "REQ-010",
            "RQE-001",
            "REQ-0001",
            "REQ-1",
            "DI-001",
            "traces",
            "tracse",
            "catgeory",
            "category",
            "验证",
            "验证记录",
            "abcdef",
            "badcfe",
        ];
        for a in words {
            let mut distance = Distance::new(a);
            for b in words {
                let full = full_distance(a, b);
                for limit in 0..8 {
                    assert_eq!(
                        distance.within(b, limit),
                        (full <= limit).then_some(full),
                        "{a:?} {b:?} within {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn suggests_transposed_field_name() {
        let fields = ["traces", "derived", "rationale", "category"];
        assert_eq!(suggest("tracse", fields), Some("traces"));
        assert_eq!(suggest("catgeory", fields), Some("category"));
        assert_eq!(suggest("zzz", fields), None);
    }

    #[test]
    fn quotes_the_line_that_holds_the_place() {
        let text = "a = 1\r\n\n标题 = \"x\"\nlast";
        assert_eq!(line_at(text, 0), "a = 1");
        assert_eq!(line_at(text, 3), "a = 1");
        assert_eq!(line_at(text, 7), "");
        let eq = text.find('=').unwrap();
        assert_eq!(line_at(text, eq), "a = 1");
        let second = text.rfind('=').unwrap();
        assert_eq!(line_at(text, second), "标题 = \"x\"");
        assert_eq!(line_at(text, text.len()), "last");
        assert_eq!(line_at(text, text.len() + 5), "last");
        assert_eq!(line_at("", 0), "");
    }

    #[test]
    fn rendering_many_errors_takes_time_in_proportion_to_them() {
        // 200k lines, an error on every other one: quoting each line by
        // counting lines from the start of the file would take minutes.
        let mut text = String::new();
        for i in 0..200_000 {
            text.push_str(&format!("x{i} = 1\n"));
        }
        let src = SourceFile::new("big.toml".into(), text);
        let mut diags = Vec::new();
        let mut offset = 0;
        for (i, line) in src.text.lines().enumerate() {
            if i % 2 == 0 {
                diags.push(Diagnostic::new(
                    "bad",
                    "bad",
                    Location::in_source(&src, offset..offset + 2),
                ));
            }
            offset += line.len() + 1;
        }
        let started = std::time::Instant::now();
        let out = render_text(&diags, std::slice::from_ref(&src));
        assert!(out.contains("199999 | x199998 = 1\n"), "last error quoted");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn controls_in_a_quoted_line_are_escaped_and_the_caret_still_points() {
        let src = SourceFile::new("a.toml".into(), "x = \"\u{1b}[2J\" y\n".into());
        let at = src.text.find('y').unwrap();
        let d = Diagnostic::new("bad", "bad \u{7}", Location::in_source(&src, at..at + 1));
        let text = render_text(&[d], &[src]);
        assert!(text.contains("error[bad]: bad \\u{7}\n"), "{text}");
        assert!(
            text.contains(&format!(
                "1 | x = \"\\u{{1b}}[2J\" y\n  | {}^\n",
                " ".repeat(16)
            )),
            "{text}"
        );
    }

    #[test]
    fn carets_under_chinese_text_are_as_wide_as_it() {
        let line = "class = \"明示的\" # 要求类型\n";
        let src = SourceFile::new("a.toml".into(), line.to_owned());
        let d = Diagnostic::new("bad", "bad", Location::in_source(&src, 8..19));
        let text = render_text(&[d], &[src]);
        assert!(
            text.contains("1 | class = \"明示的\" # 要求类型\n  |         ^^^^^^^^\n"),
            "{text}"
        );
        let line = "title = \"外窗\"; x\n";
        let src = SourceFile::new("b.toml".into(), line.to_owned());
        let at = line.find(';').unwrap();
        let d = Diagnostic::new("bad", "bad", Location::in_source(&src, at..at + 1));
        let text = render_text(&[d], &[src]);
        assert!(text.contains("\n  |               ^\n"), "{text}");
    }

    #[test]
    fn a_long_line_is_quoted_around_the_place() {
        let line = format!("title = \"{}", "长".repeat(1_000_000));
        let src = SourceFile::new("a.toml".into(), line.clone());
        let at = line.char_indices().nth(500_000).unwrap().0;
        let d = Diagnostic::new("bad", "bad", Location::in_source(&src, at..line.len()));
        let text = render_text(&[d], &[src]);
        assert!(text.len() < 2_000, "{} bytes", text.len());
        let quoted = format!("1 | …{}…\n", "长".repeat(180));
        assert!(text.contains(&quoted), "{text}");
        // Each CJK character takes two columns, the ellipsis one.
        let caret = format!("\n  | {}{}\n", " ".repeat(121), "^".repeat(240));
        assert!(text.contains(&caret), "{text}");
        // At the start of a long line: no cut before.
        let src = SourceFile::new("b.toml".into(), "x".repeat(10_000));
        let d = Diagnostic::new("bad", "bad", Location::in_source(&src, 0..1));
        let text = render_text(&[d], &[src]);
        assert!(
            text.contains(&format!("1 | {}…\n  | ^\n", "x".repeat(61))),
            "{text}"
        );
    }

    #[test]
    fn renders_caret_under_the_place() {
        let src = SourceFile::new("a.toml".into(), "[[x]]\ntracse = 1\n".into());
        let d = Diagnostic::new(
            "unknown-field",
            "unknown field",
            Location::in_source(&src, 6..12),
        )
        .with_help("did you mean `traces`?");
        let text = render_text(&[d], &[src]);
        assert!(text.contains("--> a.toml:2:1"), "{text}");
        assert!(text.contains("2 | tracse = 1\n  | ^^^^^^\n"), "{text}");
        assert!(text.contains("= help: did you mean `traces`?"), "{text}");
    }
}
