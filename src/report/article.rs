//! Item articles written straight into the page, without the template
//! engine: the item pages are most of a large report, and rendering them
//! through tera costs several times the rest of the report together.
//!
//! The output is byte for byte what `templates/item-article.html` gives for
//! the same [`ItemPage`]; that template stays the definition, is used
//! whenever a project overrides it, and a test renders both ways and
//! compares. Text is escaped exactly as tera's `escape_html` does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::text::count_into;

use super::view::{FieldRow, FindingRow, ItemPage, LinkRow, ThreadRow};

pub use crate::text::escape_html_into as escape_into;

/// The interface strings an article uses, looked up once per page.
pub struct Strings<'a> {
    source_file: &'a str,
    findings_heading: &'a str,
    no_findings_here: &'a str,
    fields_heading: &'a str,
    decisions_heading: &'a str,
    and_more: &'a str,
    pages: &'a str,
    thread_heading: &'a str,
    upstream_heading: &'a str,
    downstream_heading: &'a str,
    suspect_link: &'a str,
    none: &'a str,
    severity_error: &'a str,
    severity_warning: &'a str,
    severity_info: &'a str,
    no_findings_itself: &'a str,
    thread_findings_note: &'a str,
    thread_list_heading: &'a str,
    thread_up: &'a str,
    thread_down: &'a str,
    thread_cut: &'a str,
}

impl<'a> Strings<'a> {
    /// The strings from a catalog language; a missing key reads as empty
    /// (the catalog test makes sure none is missing).
    pub fn new(t: &BTreeMap<&'a str, &'a str>) -> Self {
        let get = |k: &str| t.get(k).copied().unwrap_or_default();
        Strings {
            source_file: get("source_file"),
            findings_heading: get("findings_heading"),
            no_findings_here: get("no_findings_here"),
            fields_heading: get("fields_heading"),
            decisions_heading: get("decisions_heading"),
            and_more: get("and_more"),
            pages: get("pages"),
            thread_heading: get("thread_heading"),
            upstream_heading: get("upstream_heading"),
            downstream_heading: get("downstream_heading"),
            suspect_link: get("suspect_link"),
            none: get("none"),
            severity_error: get("severity_error"),
            severity_warning: get("severity_warning"),
            severity_info: get("severity_info"),
            no_findings_itself: get("no_findings_itself"),
            thread_findings_note: get("thread_findings_note"),
            thread_list_heading: get("thread_list_heading"),
            thread_up: get("thread_up"),
            thread_down: get("thread_down"),
            thread_cut: get("thread_cut"),
        }
    }
}

/// Appends the article of one item, as `item-article.html` renders it.
pub fn write(out: &mut String, t: &Strings, i: &ItemPage) {
    let e = escape_into;
    out.push_str("<article class=\"item\" id=\"");
    e(out, &i.anchor);
    out.push_str("\">\n<p class=\"kind-line\">");
    e(out, &i.kind_label);
    out.push_str("</p>\n<h1><code>");
    e(out, &i.item.id);
    out.push_str("</code> ");
    e(out, &i.item.title);
    out.push_str("</h1>\n<p class=\"source\">");
    e(out, t.source_file);
    out.push_str(": <code>");
    e(out, &i.source);
    let _ = write!(out, ":{}</code></p>\n\n", i.line);
    if i.findings.is_empty() && i.thread_findings == 0 {
        out.push_str("\n<p class=\"ok\">✓ ");
        e(out, t.no_findings_here);
        out.push_str("</p>\n");
    } else if i.findings.is_empty() {
        out.push_str("\n<p class=\"none\">");
        e(out, t.no_findings_itself);
        out.push_str("</p>\n");
    } else {
        out.push_str("\n<section class=\"item-findings\" aria-label=\"");
        e(out, t.findings_heading);
        out.push_str("\">\n<h2>");
        e(out, t.findings_heading);
        out.push_str("</h2>\n<ul class=\"findings\">\n");
        for f in &i.findings {
            finding_item(out, t, f);
        }
        out.push_str("\n</ul>\n</section>\n");
    }
    out.push('\n');
    if i.thread_findings > 0 {
        out.push_str("<p class=\"thread-note bad\">✗ ");
        e(out, t.thread_findings_note);
        out.push_str(": <a href=\"#t-");
        e(out, &i.anchor);
        let _ = writeln!(out, "\">{}</a></p>", i.thread_findings);
    }
    out.push_str("\n<section>\n<h2>");
    e(out, t.fields_heading);
    out.push_str("</h2>\n<dl class=\"fields\">\n");
    for f in &i.fields {
        field_row(out, f, true);
        out.push('\n');
    }
    out.push_str("\n</dl>\n</section>\n\n");
    if !i.sub_items.is_empty() {
        out.push_str("\n<section>\n<h2>");
        e(out, t.decisions_heading);
        out.push_str("</h2>\n");
        for s in &i.sub_items {
            out.push_str("\n<div class=\"sub-item\" id=\"");
            e(out, &s.anchor);
            out.push_str("\">\n<dl class=\"fields\">");
            for f in &s.fields {
                field_row(out, f, false);
            }
            out.push_str("</dl>\n");
            for f in &s.findings {
                let _ = write!(out, "<p class=\"sev-{}\">✗ ", f.severity.as_str());
                code_spans_into(out, &f.message);
                out.push_str("</p>");
            }
            out.push_str("\n</div>\n");
        }
        out.push('\n');
        if i.sub_items_more > 0 {
            out.push_str("<p class=\"hint\">");
            e(out, t.and_more);
            out.push_str(": ");
            count_into(out, i.sub_items_more as u64);
            out.push_str("</p>");
        }
        out.push('\n');
        if !i.sub_pages.is_empty() {
            out.push_str("<nav class=\"pager\" aria-label=\"");
            e(out, t.pages);
            out.push_str("\">");
            e(out, t.pages);
            out.push_str(": ");
            for p in &i.sub_pages {
                if p.current {
                    let _ = write!(out, "<strong aria-current=\"page\">{}</strong> ", p.number);
                } else {
                    out.push_str("<a href=\"");
                    e(out, &p.href);
                    let _ = write!(out, "\">{}</a> ", p.number);
                }
            }
            out.push_str("</nav>");
        }
        out.push_str("\n</section>\n");
    }
    out.push_str("\n\n<section>\n<h2>");
    e(out, t.thread_heading);
    out.push_str("</h2>\n<div class=\"svg-wrap\">");
    out.push_str(&i.svg);
    out.push_str("</div>\n");
    if !i.thread.is_empty() {
        out.push_str("<h3 id=\"t-");
        e(out, &i.anchor);
        out.push_str("\">");
        e(out, t.thread_list_heading);
        out.push_str("</h3>\n<ul class=\"thread-items\">\n");
        for r in &i.thread {
            thread_item(out, t, r);
        }
        out.push_str("</ul>\n");
        if i.thread_cut {
            out.push_str("<p class=\"hint\">");
            e(out, t.thread_cut);
            out.push_str("</p>\n");
        }
    }
    out.push_str("</section>\n\n<section class=\"links\">\n<div>\n<h2>");
    e(out, t.upstream_heading);
    out.push_str("</h2>\n");
    if i.upstream.is_empty() {
        none(out, t);
    } else {
        out.push_str("<ul>");
        for l in &i.upstream {
            out.push_str("<li><span class=\"via\">");
            e(out, &l.field);
            out.push_str("</span> → ");
            link_item(out, t, l, true);
        }
        out.push_str("</ul>");
    }
    out.push_str("\n</div>\n<div>\n<h2>");
    e(out, t.downstream_heading);
    out.push_str("</h2>\n");
    if i.downstream.is_empty() {
        none(out, t);
    } else {
        out.push_str("<ul>");
        for l in &i.downstream {
            out.push_str("<li>");
            link_item(out, t, l, false);
        }
        out.push_str("</ul>");
        if i.downstream_more > 0 {
            out.push_str("<p class=\"hint\">");
            e(out, t.and_more);
            out.push_str(": ");
            count_into(out, i.downstream_more as u64);
            out.push_str("</p>");
        }
    }
    out.push_str("\n</div>\n</section>\n</article>\n");
}

/// Appends a message escaped, its `quoted` words (a field name, a value
/// to write) as code: the way the `code_spans` filter renders it. A
/// backtick without its pair stays as it is.
pub fn code_spans_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`').filter(|c| *c > 0) else {
            break;
        };
        escape_into(out, &rest[..open]);
        out.push_str("<code>");
        escape_into(out, &after[..close]);
        out.push_str("</code>");
        rest = &after[close + 1..];
    }
    escape_into(out, rest);
}

fn none(out: &mut String, t: &Strings) {
    out.push_str("<p class=\"none\">");
    escape_into(out, t.none);
    out.push_str("</p>");
}

/// One item of the thread listed as text, with its findings, and the
/// line's end.
fn thread_item(out: &mut String, t: &Strings, r: &ThreadRow) {
    out.push_str(if r.findings.is_empty() {
        "<li><span class=\"via\">"
    } else {
        "<li class=\"has-findings\"><span class=\"via\">"
    });
    if r.dir == "up" {
        out.push_str("↑ ");
        escape_into(out, t.thread_up);
    } else {
        out.push_str("↓ ");
        escape_into(out, t.thread_down);
    }
    let _ = write!(out, " {}</span> ", r.steps);
    escape_into(out, &r.item.kind);
    out.push_str(" <a href=\"");
    escape_into(out, &r.item.local);
    out.push_str("\">");
    escape_into(out, &r.item.id);
    out.push_str("</a> ");
    escape_into(out, &r.item.title);
    if let Some(status) = r.item.status.as_deref().filter(|s| !s.is_empty()) {
        let class = r.item.status_class.as_deref().unwrap_or_default();
        out.push_str(" <span class=\"result result-");
        escape_into(out, class);
        out.push_str("\">");
        if class == "fail" {
            out.push_str("✗ ");
        }
        escape_into(out, status);
        out.push_str("</span>");
    }
    if !r.findings.is_empty() {
        out.push_str("<ul class=\"findings\">");
        for f in &r.findings {
            finding_line(out, t, f);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>\n");
}

fn finding_item(out: &mut String, t: &Strings, f: &FindingRow) {
    finding_line(out, t, f);
    out.push('\n');
}

/// A finding as a list item: its severity and message.
fn finding_line(out: &mut String, t: &Strings, f: &FindingRow) {
    let sev = f.severity.as_str();
    let label = match f.severity {
        crate::profile::Severity::Error => t.severity_error,
        crate::profile::Severity::Warning => t.severity_warning,
        crate::profile::Severity::Info => t.severity_info,
    };
    let _ = write!(
        out,
        "<li class=\"sev-{sev}\"><span class=\"sev sev-{sev}\">✗ "
    );
    escape_into(out, label);
    out.push_str("</span> ");
    code_spans_into(out, &f.message);
    out.push_str("</li>");
}

/// A `<dt>`/`<dd>` pair; the item's own fields put a line break between links.
fn field_row(out: &mut String, f: &FieldRow, breaks: bool) {
    out.push_str("<dt>");
    escape_into(out, &f.label);
    out.push_str("</dt><dd>");
    if let Some(v) = &f.value {
        if f.date {
            out.push_str("<span class=\"date\">");
            escape_into(out, v);
            out.push_str("</span>");
        } else {
            escape_into(out, v);
        }
    }
    for (n, l) in f.links.iter().enumerate() {
        out.push_str("<a href=\"");
        escape_into(out, &l.local);
        out.push_str("\">");
        escape_into(out, &l.id);
        out.push_str("</a> ");
        escape_into(out, &l.title);
        if breaks && n + 1 < f.links.len() {
            out.push_str("<br>");
        }
    }
    out.push_str("</dd>");
}

/// One upstream or downstream link, from the kind to the closing `</li>`.
fn link_item(out: &mut String, t: &Strings, l: &LinkRow, upstream: bool) {
    escape_into(out, &l.item.kind);
    out.push_str(" <a href=\"");
    escape_into(out, &l.item.local);
    out.push_str("\">");
    escape_into(out, &l.item.id);
    out.push_str("</a> ");
    escape_into(out, &l.item.title);
    if let Some(status) = l.item.status.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(" <span class=\"result result-");
        escape_into(out, l.item.status_class.as_deref().unwrap_or_default());
        out.push_str("\">");
        escape_into(out, status);
        out.push_str("</span>");
    }
    if !upstream {
        out.push_str(" <span class=\"via\">(");
        escape_into(out, &l.field);
        out.push_str(")</span>");
    }
    if l.suspect {
        out.push_str(" <span class=\"suspect-mark\">⚠ ");
        escape_into(out, t.suspect_link);
        out.push_str("</span>");
    }
    out.push_str("</li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_tera_does() {
        let hostile = "<script>alert('x' & \"y\")</script> 中文/é";
        let mut out = String::new();
        escape_into(&mut out, hostile);
        assert_eq!(out, tera::escape_html(hostile));
    }

    #[test]
    fn quoted_words_become_code_and_stay_escaped() {
        let spans = |s: &str| {
            let mut out = String::new();
            code_spans_into(&mut out, s);
            out
        };
        assert_eq!(
            spans("add `source` or `<b>`"),
            "add <code>source</code> or <code>&lt;b&gt;</code>"
        );
        assert_eq!(spans("a ` alone"), "a ` alone");
        assert_eq!(spans("``x`"), "``x`");
        assert_eq!(spans("`a`b`"), "<code>a</code>b`");
        assert_eq!(
            spans("填写 `regulation`（条款）"),
            "填写 <code>regulation</code>（条款）"
        );
    }

    #[test]
    fn counts_group_thousands() {
        let count = |n| {
            let mut out = String::new();
            count_into(&mut out, n);
            out
        };
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(12345), "12,345");
        assert_eq!(count(1234567), "1,234,567");
    }
}
