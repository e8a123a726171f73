//! Matrix rows and sign-off sheet rows written straight into their pages,
//! without the template engine: at 100k requirements the matrix is 200
//! pages of 500 rows and the sheet 100 parts of 1,000, and tera would first
//! turn each page's rows into a tree of JSON values.
//!
//! The output is byte for byte what the row loops of `templates/matrix.html`
//! (with the `refs` macro of `templates/macros.html`) and
//! `templates/signoff.html` give for the same rows; those templates stay the
//! definition, are used whenever a project overrides them, and a test
//! renders both ways and compares.

use std::collections::BTreeMap;

use super::article::escape_into as e;
use super::view::{Cell, MatrixRow, SheetRow};

/// Where the rows go in the rendered frame of a matrix page (the frame is
/// rendered with no rows): after these marks, each the first after the one
/// before. The frame is built-in (rows are written by code only when
/// neither the page's templates nor `base.html` are overridden), and text
/// from the input is escaped, so nothing else can look like the marks.
pub const MATRIX_ROWS_AT: &[&str] = &[
    "<table class=\"matrix sortable\" id=\"matrix\">",
    "<tbody>\n",
];

/// Where the rows go in a sign-off sheet's page: the requirements table's body.
pub const SHEET_ROWS_AT: &[&str] = &["<table class=\"sheet-requirements\">", "<tbody>\n"];

/// The interface strings the rows use, looked up once.
pub struct Strings<'a> {
    cell_missing: &'a str,
    cell_finding: &'a str,
    /// Whether the matrix shows class, customer and contract columns.
    facets: bool,
}

/// The interface strings the sheet rows use, looked up once.
pub struct SheetStrings<'a> {
    cell_not_reviewed: &'a str,
}

impl<'a> SheetStrings<'a> {
    /// See [`Strings::new`].
    pub fn new(t: &BTreeMap<&'a str, &'a str>) -> Self {
        SheetStrings {
            cell_not_reviewed: t.get("cell_not_reviewed").copied().unwrap_or_default(),
        }
    }
}

impl<'a> Strings<'a> {
    /// The strings from a catalog language; a missing key reads as empty
    /// (the catalog test makes sure none is missing).
    /// `facets`: whether the matrix shows class, customer and contract
    /// columns ([`super::view::Matrix::facets`]).
    pub fn new(t: &BTreeMap<&'a str, &'a str>, facets: bool) -> Self {
        let get = |k: &str| t.get(k).copied().unwrap_or_default();
        Strings {
            cell_missing: get("cell_missing"),
            cell_finding: get("cell_finding"),
            facets,
        }
    }
}

/// Whether a template would take `s` as true.
fn truthy(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

/// The `refs` macro: the items of a cell, or what is missing.
fn refs(out: &mut String, cell: &Cell, empty: &str) {
    out.push('\n');
    for (n, x) in cell.items.iter().enumerate() {
        out.push_str("<a href=\"");
        e(out, &x.href);
        out.push_str("\" title=\"");
        e(out, &x.title);
        out.push_str("\">");
        e(out, &x.id);
        out.push_str("</a>");
        if truthy(&x.status) {
            out.push_str(" <span class=\"result result-");
            let class = x.status_class.as_deref().unwrap_or_default();
            e(out, class);
            out.push_str("\">");
            out.push_str(match x.status_class.as_deref() {
                Some("fail") => "✗ ",
                Some("pending") => "… ",
                Some("pass") => "✓ ",
                _ => "",
            });
            e(out, x.status.as_deref().unwrap_or_default());
            out.push_str("</span>");
        }
        if n + 1 < cell.items.len() {
            out.push_str("<br>");
        }
    }
    if cell.broken {
        if !cell.items.is_empty() {
            out.push_str("<br>");
        }
        out.push_str("<span class=\"broken-mark\">✗ ");
        e(out, empty);
        out.push_str("</span>");
    } else if cell.items.is_empty() {
        out.push_str("<span class=\"none\">—</span>");
    }
    out.push('\n');
}

/// A `<td>` holding a cell, `broken` in its class if `classed`.
fn cell_td(out: &mut String, cell: &Cell, empty: &str, classed: bool) {
    if classed {
        out.push_str("<td class=\"");
        if cell.broken {
            out.push_str("broken");
        }
        out.push_str("\">");
    } else {
        out.push_str("<td>");
    }
    refs(out, cell, empty);
    out.push_str("</td>\n");
}

/// Appends one row of a sign-off sheet, as the loop of `signoff.html`
/// renders it.
pub fn write_sheet(out: &mut String, t: &SheetStrings, r: &SheetRow) {
    out.push_str("\n<tr>\n<th scope=\"row\"><a href=\"../");
    e(out, &r.item.href);
    out.push_str("\">");
    e(out, &r.item.id);
    out.push_str("</a><br><span class=\"title\">");
    e(out, &r.item.title);
    out.push_str("</span></th>\n<td>");
    if truthy(&r.class) {
        e(out, r.class.as_deref().unwrap_or_default());
    }
    out.push_str("</td>\n<td>");
    if truthy(&r.source) {
        e(out, r.source.as_deref().unwrap_or_default());
    }
    out.push_str("</td>\n<td class=\"");
    let verdict = truthy(&r.verdict);
    let clarify = r.clarify;
    if !verdict || clarify {
        out.push_str("broken");
    }
    out.push_str("\">");
    if verdict {
        if clarify {
            out.push_str("✗ ");
        }
        e(out, r.verdict.as_deref().unwrap_or_default());
        if truthy(&r.review) {
            out.push_str("<br><span class=\"small\">");
            e(out, r.review.as_deref().unwrap_or_default());
            out.push_str("</span>");
        }
    } else {
        out.push_str("<span class=\"broken-mark\">✗ ");
        e(out, t.cell_not_reviewed);
        out.push_str("</span>");
    }
    out.push_str("</td>\n<td>");
    if truthy(&r.note) {
        e(out, r.note.as_deref().unwrap_or_default());
    }
    out.push_str("</td>\n</tr>\n");
}

/// Appends one row, as the loop of `matrix.html` renders it.
pub fn write(out: &mut String, t: &Strings, r: &MatrixRow) {
    out.push_str("\n<tr class=\"row-");
    e(out, r.status);
    out.push_str("\" data-status=\"");
    e(out, r.status);
    out.push_str("\" data-class=\"");
    e(out, &r.class_raw);
    out.push_str("\" data-contract=\"");
    e(out, &r.contract_keys);
    out.push_str("\" data-customer=\"");
    e(out, &r.customer_keys);
    out.push_str("\">\n<th scope=\"row\" data-sort-value=\"");
    e(out, &r.item.id);
    out.push('"');
    if r.item_broken {
        out.push_str(" class=\"broken\"");
    }
    out.push_str("><a href=\"");
    e(out, &r.item.href);
    out.push_str("\">");
    e(out, &r.item.id);
    out.push_str("</a><br><span class=\"title\">");
    e(out, &r.item.title);
    out.push_str("</span>");
    if r.item_broken {
        out.push_str("<br><span class=\"broken-mark\">✗ ");
        e(out, t.cell_finding);
        out.push_str("</span>");
    }
    out.push_str("</th>\n");
    if t.facets {
        out.push_str("<td>");
        match &r.class {
            Some(class) if !class.is_empty() => e(out, class),
            _ => out.push_str("<span class=\"none\">—</span>"),
        }
        out.push_str("</td>\n");
        cell_td(out, &r.customer, t.cell_missing, false);
        cell_td(out, &r.contract, t.cell_missing, false);
    }
    for cell in &r.cells {
        cell_td(out, cell, t.cell_finding, true);
    }
    out.push_str("<td class=\"status-cell\"><span class=\"status-");
    e(out, r.status);
    out.push_str("\">");
    out.push_str(r.status_mark);
    out.push(' ');
    e(out, &r.status_label);
    out.push_str("</span>");
    if truthy(&r.note) {
        out.push_str("<br><span class=\"note\">");
        e(out, r.note.as_deref().unwrap_or_default());
        out.push_str("</span>");
    }
    for rule in &r.rules {
        out.push_str("<br><code class=\"small\">");
        e(out, rule);
        out.push_str("</code>");
    }
    out.push_str("</td>\n</tr>\n");
}
