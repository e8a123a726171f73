//! A matrix as an auditor files it: aligned text, CSV (RFC 4180, with a
//! UTF-8 byte-order mark so Excel reads Chinese), XLSX (frozen header,
//! autofilter, fitted columns, broken cells highlighted, a summary sheet),
//! Markdown, JSON and a standalone HTML page. Every format is deterministic:
//! the same matrix gives the same bytes.

use std::fmt::Write as _;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};
use serde::Serialize;

use super::{Matrix, Row};
use crate::lang::Lang;
use crate::text::display_width;

pub use crate::pipeline::Provenance;

/// The header row: per column the id and title, then result, status,
/// findings and the note saying why a thread is not required.
fn header(m: &Matrix, lang: Lang) -> Vec<String> {
    let mut h = Vec::new();
    for heading in &m.headings {
        h.push(heading.clone());
        h.push(lang.f("cli_matrix_title_column", &[("heading", heading)]));
    }
    h.extend([
        lang.t("cli_matrix_result").to_owned(),
        lang.t("status").to_owned(),
        lang.t("cli_matrix_findings").to_owned(),
        lang.t("cli_matrix_note").to_owned(),
    ]);
    h
}

/// A row's status (`traced`, `unverified`, `untraced`) in the words of `lang`.
fn status(code: &str, lang: Lang) -> &'static str {
    match code {
        super::TRACED => lang.t("cli_matrix_traced"),
        super::UNVERIFIED => lang.t("cli_matrix_unverified"),
        super::NOT_REQUIRED => lang.t("cli_matrix_not_required"),
        _ => lang.t("cli_matrix_untraced"),
    }
}

/// The result shown for a row: that of the last item on the thread that has one.
fn result(row: &Row) -> String {
    row.cells
        .iter()
        .rev()
        .flatten()
        .find_map(|c| c.status.clone())
        .unwrap_or_default()
}

fn record(row: &Row, lang: Lang) -> Vec<String> {
    let mut r = Vec::new();
    for c in &row.cells {
        match c {
            Some(c) => {
                r.push(c.id.clone());
                r.push(c.title.clone());
            }
            None => {
                r.push(String::new());
                r.push(String::new());
            }
        }
    }
    r.push(result(row));
    r.push(status(row.status, lang).to_owned());
    r.push(row.findings.join(" "));
    r.push(row.note.clone().unwrap_or_default());
    r
}

/// A cell a spreadsheet would read as a formula gets a leading `'`, so
/// opening the file can never run anything: one that starts with `=`, `+`,
/// `@`, a tab or a carriage return, and one that starts with `-` unless it
/// is a plain number or quantity.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        Some('-') if !is_negative_quantity(cell) => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A negative number, possibly with a unit: `-` then a digit (or `.` and a
/// digit), and after it only digits, letters, spaces and the marks numbers
/// and units are written with (`.`, `,`, `%`, `°`, `·`…), none of the
/// characters that make a formula (operators, brackets, quotes, `!`, `|`,
/// `;`, `:`). `-20 °C`, `-3.5`, `-1,5 mm` stay as written.
fn is_negative_quantity(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix('-') else {
        return false;
    };
    let digits = rest.strip_prefix('.').unwrap_or(rest);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    rest.chars().all(|c| {
        !c.is_control()
            && !matches!(
                c,
                '=' | '+'
                    | '-'
                    | '*'
                    | '/'
                    | '^'
                    | '&'
                    | '<'
                    | '>'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '|'
                    | '!'
                    | '@'
                    | ';'
                    | ':'
                    | '"'
                    | '\''
                    | '$'
                    | '#'
                    | '\\'
                    | '~'
                    | '`'
            )
    })
}

/// CSV with a UTF-8 byte-order mark.
pub fn csv(m: &Matrix, lang: Lang) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_csv(m, lang, &mut bytes).expect("writes to memory");
    bytes
}

/// [`csv`], written into `out` a row at a time.
pub fn write_csv(m: &Matrix, lang: Lang, mut out: impl std::io::Write) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(header(m, lang).iter().map(|c| neutralise(c).into_owned()))?;
    for row in &m.rows {
        w.write_record(record(row, lang).iter().map(|c| neutralise(c).into_owned()))?;
    }
    w.flush()
}

/// An aligned table of ids (titles would not fit a terminal), then a count.
pub fn text(m: &Matrix, lang: Lang) -> String {
    let mut head: Vec<String> = match lang {
        Lang::En => m.columns.clone(),
        _ => m.headings.clone(),
    };
    head.extend([
        lang.t("cli_matrix_result_short").into(),
        lang.t("cli_matrix_status_short").into(),
    ]);
    let rows: Vec<Vec<String>> = m
        .rows
        .iter()
        .map(|row| {
            let mut r: Vec<String> = row
                .cells
                .iter()
                .map(|c| match c {
                    Some(c) if c.broken => format!("{} ✗", c.id),
                    Some(c) => c.id.clone(),
                    None => "—".to_owned(),
                })
                .collect();
            r.push(result(row));
            r.push(status(row.status, lang).to_owned());
            r
        })
        .collect();
    let mut widths: Vec<usize> = head.iter().map(|h| display_width(h)).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(display_width(c));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - display_width(c) + 2));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = lang.f(
        "cli_matrix_heading",
        &[("title", &m.title), ("paths", &paths_text(m))],
    );
    out.push('\n');
    out.push_str(&line(&head));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    let _ = writeln!(out, "{}", counts(m, lang));
    out
}

fn paths_text(m: &Matrix) -> String {
    m.paths.join("; ")
}

fn counts(m: &Matrix, lang: Lang) -> String {
    let n = |s: &str| m.rows.iter().filter(|r| r.status == s).count();
    lang.f(
        "cli_matrix_counts",
        &[
            ("rows", &m.rows.len()),
            ("traced", &n(super::TRACED)),
            ("unverified", &n(super::UNVERIFIED)),
            ("untraced", &n(super::UNTRACED)),
            ("not_required", &n(super::NOT_REQUIRED)),
        ],
    )
}

/// `s` as Markdown text that reads as written: the characters that could
/// start emphasis, code, a link, maths or a heading's end, or end a table
/// cell, are escaped with a backslash, and those that could start HTML or
/// an entity are written as entities (which every Markdown reads alike);
/// line breaks become spaces. (Bare web and mail addresses may still be
/// shown as links, as Markdown viewers do with any text.)
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Markdown for pasting into documents, every text escaped (see [`md_escape`]).
pub fn markdown(m: &Matrix, lang: Lang) -> String {
    let esc = md_escape;
    let mut out = format!("### {}\n\n", esc(&m.title));
    let mut head: Vec<String> = m.headings.iter().map(|h| esc(h)).collect();
    head.extend([lang.t("cli_matrix_result").into(), lang.t("status").into()]);
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for row in &m.rows {
        let mut cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c {
                Some(c) => {
                    let mark = if c.broken { " ✗" } else { "" };
                    format!("{}{mark} {}", esc(&c.id), esc(&c.title))
                }
                None => "—".into(),
            })
            .collect();
        cells.push(esc(&result(row)));
        cells.push(match &row.note {
            Some(note) => format!("{}: {}", status(row.status, lang), esc(note)),
            None => status(row.status, lang).to_owned(),
        });
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\n{}", counts(m, lang));
    out
}

/// JSON for other tools.
pub fn json(m: &Matrix, p: &Provenance) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        provenance: &'a Provenance,
        matrix: &'a Matrix,
    }
    let mut s = serde_json::to_string_pretty(&Out {
        provenance: p,
        matrix: m,
    })
    .expect("serialisable");
    s.push('\n');
    s
}

/// A standalone HTML page: no script, styles in the page, everything escaped.
pub fn html(m: &Matrix, p: &Provenance, lang: Lang) -> String {
    let esc = crate::text::escape_xml;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>{} · {}</title>\n<style>\n\
body{{font-family:system-ui,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;margin:1rem;color:#1d2430}}\n\
table{{border-collapse:collapse;font-size:.85rem}}th,td{{border:1px solid #c9d1db;padding:.25rem .4rem;text-align:left;vertical-align:top}}\n\
thead th{{background:#eef2f6}}td.broken{{background:#fdecea}}.untraced,.unverified{{color:#b3261e;font-weight:600}}\n\
.muted{{color:#5b6675}}@media print{{@page{{size:A4 landscape;margin:10mm}}}}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"muted\">{}</p>\n<table>\n<thead><tr>",
        lang.code(),
        esc(&m.title),
        esc(&p.project),
        esc(&m.title),
        esc(&paths_text(m)),
    );
    for h in &m.headings {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    let _ = write!(
        out,
        "<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        lang.t("cli_matrix_result"),
        lang.t("status"),
    );
    for row in &m.rows {
        out.push_str("<tr>");
        for c in &row.cells {
            match c {
                Some(c) if c.broken => {
                    let _ = write!(
                        out,
                        "<td class=\"broken\">✗ {}<br>{}</td>",
                        esc(&c.id),
                        esc(&c.title)
                    );
                }
                Some(c) => {
                    let _ = write!(out, "<td>{}<br>{}</td>", esc(&c.id), esc(&c.title));
                }
                None => out.push_str("<td class=\"muted\">—</td>"),
            }
        }
        let _ = write!(
            out,
            "<td>{}</td><td class=\"{}\">{}",
            esc(&result(row)),
            row.status,
            status(row.status, lang)
        );
        if let Some(note) = &row.note {
            let _ = write!(out, "<br><span class=\"muted\">{}</span>", esc(note));
        }
        out.push_str("</td></tr>\n");
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<p>{}</p>\n<p class=\"muted\">{} · SHA-256 {} · needtrail {}</p>\n</body>\n</html>\n",
        esc(&counts(m, lang)),
        esc(&p.project),
        esc(&p.digest),
        esc(&p.version)
    );
    out
}

/// A workbook with one sheet per matrix and a summary sheet.
pub fn xlsx(matrices: &[&Matrix], p: &Provenance, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the file the same for the same input.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(lang.f("cli_xlsx_title", &[("project", &p.project)]))
            .set_creation_datetime(&created),
    );
    let bold = Format::new()
        .set_bold()
        .set_background_color("EEF2F6")
        .set_border_bottom(FormatBorder::Thin);
    let broken = Format::new()
        .set_background_color("FDECEA")
        .set_font_color("B3261E");
    let wrap = Format::new().set_text_wrap();

    let summary = wb.add_worksheet();
    summary.set_name(lang.t("cli_xlsx_summary"))?;
    let facts = [
        (lang.t("footer_project"), p.project.clone()),
        (lang.t("footer_digest"), p.digest.clone()),
        (lang.t("cli_xlsx_tool"), format!("needtrail {}", p.version)),
    ];
    let mut r = 0u32;
    for (k, v) in facts {
        summary.write_string_with_format(r, 0, k, &bold)?;
        summary.write_string(r, 1, v)?;
        r += 1;
    }
    r += 1;
    for (c, h) in [
        "cli_xlsx_matrix",
        "cli_xlsx_paths",
        "cli_xlsx_rows",
        "cli_xlsx_traced",
        "cli_xlsx_unverified",
        "cli_xlsx_untraced",
        "cli_xlsx_not_required",
    ]
    .into_iter()
    .enumerate()
    {
        summary.write_string_with_format(r, c as u16, lang.t(h), &bold)?;
    }
    for m in matrices {
        r += 1;
        let n = |s: &str| m.rows.iter().filter(|x| x.status == s).count() as f64;
        summary.write_string(r, 0, &m.title)?;
        summary.write_string_with_format(r, 1, paths_text(m), &wrap)?;
        summary.write_number(r, 2, m.rows.len() as f64)?;
        summary.write_number(r, 3, n(super::TRACED))?;
        summary.write_number(r, 4, n(super::UNVERIFIED))?;
        summary.write_number(r, 5, n(super::UNTRACED))?;
        summary.write_number(r, 6, n(super::NOT_REQUIRED))?;
    }
    summary.set_column_width(0, 34)?;
    summary.set_column_width(1, 70)?;

    for (i, m) in matrices.iter().enumerate() {
        let ws = wb.add_worksheet();
        // Sheet names: at most 31 characters, unique.
        let name: String = format!(
            "{} {}",
            i + 1,
            m.title.replace(['[', ']', ':', '*', '?', '/', '\\'], " ")
        )
        .chars()
        .take(31)
        .collect();
        ws.set_name(name.trim())?;
        let head = header(m, lang);
        let mut widths: Vec<usize> = head.iter().map(|h| display_width(h)).collect();
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (ri, row) in m.rows.iter().enumerate() {
            let rr = ri as u32 + 1;
            for (c, v) in record(row, lang).iter().enumerate() {
                let cell = row.cells.get(c / 2).and_then(|x| x.as_ref());
                let is_broken = cell.is_some_and(|x| x.broken)
                    || (c >= 2 * row.cells.len()
                        && ![super::TRACED, super::NOT_REQUIRED].contains(&row.status));
                if is_broken {
                    ws.write_string_with_format(rr, c as u16, v, &broken)?;
                } else {
                    ws.write_string(rr, c as u16, v)?;
                }
                widths[c] = widths[c].max(display_width(v));
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        let last_col = head.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, m.rows.len() as u32, last_col)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-20 °C"), "-20 °C");
        assert_eq!(neutralise("外窗"), "外窗");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
    }

    #[test]
    fn a_leading_minus_is_neutralised_unless_the_cell_is_a_quantity() {
        for plain in [
            "-20 °C", "-3.5", "-.5", "-1,5 mm", "-40", "-5 %", "-0.2 kPa", "-3 级",
        ] {
            assert_eq!(neutralise(plain), plain, "{plain}");
        }
        for formula in [
            "-2+3+cmd|' /C calc'!A0",
            "-cmd|' /C calc'!A0",
            "-SUM(A1:A9)",
            "-1-1",
            "-1*2",
            "-A1",
            "-",
            "- 5",
            "-1;2",
            "-1\n=2",
            "-HYPERLINK(\"x\")",
            "-1/0",
            "-1e2!A1",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula}");
        }
    }

    #[test]
    fn markdown_cells_read_as_written() {
        assert_eq!(
            md_escape("*M8* bolt_A [see](x) <b>1</b> `x` ~y~ &amp; a|b \\ #7 $5$"),
            "\\*M8\\* bolt\\_A \\[see\\](x) &lt;b&gt;1&lt;/b&gt; \\`x\\` \\~y\\~ &amp;amp; a\\|b \\\\ \\#7 \\$5\\$"
        );
        assert_eq!(md_escape("第一行\r\n外窗 - 6级."), "第一行  外窗 - 6级.");
    }
}
