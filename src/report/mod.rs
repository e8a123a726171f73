//! The HTML report: a static site rendered with tera from a sorted,
//! serialisable view of the project and its findings (item articles, most
//! of a large site, are written by [`article`] to the same bytes their
//! template gives, unless the template is overridden).
//!
//! Takes a checked project; gives the files of the site one by one to a
//! sink ([`render_into`]): [`write_report`] writes them into a staging
//! folder that replaces the output whole, [`render`] collects them in
//! memory. Pages are rendered into buffers each thread keeps from page to
//! page, and an item page reaches the sink in pieces (its frame around its
//! articles), so a large report does not copy or allocate its gigabytes
//! of pages more than once. Templates are compiled into the binary; a folder of overrides
//! replaces them file by file. Nothing here reads the clock unless
//! `SOURCE_DATE_EPOCH` says when.

mod article;

mod rows;
mod sheet;
mod signed;
mod svg;
mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

pub use crate::catalog::Catalog;

use crate::load::OUTPUT_MARKER;
use crate::pipeline::Checked;

/// Rows per matrix page: enough to scroll, small enough for any browser.
pub const MATRIX_PAGE_SIZE: usize = 500;

/// Requirements on one part of a sign-off sheet.
pub const SHEET_ROWS: usize = 1000;

/// How many pages the sign-off sheet of `contract` takes.
fn sheet_parts(contract: &view::ContractRow) -> usize {
    contract.requirements.len().div_ceil(SHEET_ROWS).max(1)
}

/// The file of part `n` (from 0) of a sign-off sheet: the sheet itself,
/// then `NAME~2.html` and so on (`~` never occurs in sheet names).
fn sheet_part_name(sheet: &str, n: usize) -> String {
    if n == 0 {
        return sheet.to_owned();
    }
    let base = sheet.strip_suffix(".html").unwrap_or(sheet);
    format!("{base}~{}.html", n + 1)
}

/// The built-in templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "findings.html",
        include_str!("../../templates/findings.html"),
    ),
    ("matrix.html", include_str!("../../templates/matrix.html")),
    ("item.html", include_str!("../../templates/item.html")),
    (
        "item-article.html",
        include_str!("../../templates/item-article.html"),
    ),
    ("signoff.html", include_str!("../../templates/signoff.html")),
];

/// Static files copied into the site as they are.
const ASSETS: &[(&str, &str)] = &[
    (
        "assets/report.css",
        include_str!("../../templates/assets/report.css"),
    ),
    (
        "assets/report.js",
        include_str!("../../templates/assets/report.js"),
    ),
];

/// What to render.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// The language of the interface.
    pub lang: crate::lang::Lang,
    /// A folder of templates that replace built-in ones of the same name.
    pub templates: Option<PathBuf>,
    /// Seconds since 1970 to print as the time of the report, if any.
    pub timestamp: Option<i64>,
}

/// Why a report could not be made.
#[derive(Debug)]
pub enum ReportError {
    /// A template (built-in or override) failed to parse or render.
    Template(String),
    /// The output folder is not ours to replace, or writing failed.
    Output(String),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Template(m) | ReportError::Output(m) => f.write_str(m),
        }
    }
}

/// One file of the site: path relative to the output folder, and content.
pub type SiteFile = (String, Vec<u8>);

/// Renders every page of the report, in memory, sorted by path.
pub fn render(checked: &Checked, opts: &ReportOptions) -> Result<Vec<SiteFile>, ReportError> {
    render_from(checked, opts, None)
}

/// [`render`], for the project read from the folder `dir`: the sign-off
/// sheets show what a sign-off approved from the folder's git history.
pub fn render_from(
    checked: &Checked,
    opts: &ReportOptions,
    dir: Option<&Path>,
) -> Result<Vec<SiteFile>, ReportError> {
    let files = std::sync::Mutex::new(Vec::new());
    render_site(
        checked,
        opts,
        dir,
        &crate::progress::Silent,
        &|name, parts| {
            let file = (name.to_owned(), parts.concat());
            files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            Ok(())
        },
    )?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Where rendered files go, one at a time, from any thread: the file's
/// path in the site and its content, which is the pieces one after another.
/// It is called while the calling thread's page buffers are in use, so it
/// must not render pages itself or wait on work that might run on the same
/// thread (no rayon inside).
pub type Sink<'a> = dyn Fn(&str, &[&[u8]]) -> Result<(), ReportError> + Sync + 'a;

thread_local! {
    /// The page a thread is rendering; kept from page to page.
    static PAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// What a thread writes by code into the page it is rendering: the
    /// articles of an item page, or the rows of a matrix page or sheet.
    /// Nothing run while it is borrowed renders another page.
    static BODY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` with this thread's page buffer, emptied.
fn with_page_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    PAGE.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        f(&mut b)
    })
}

/// Where the articles go in an item page's frame, rendered without them by
/// the built-in `item.html` and `base.html`: after these marks, each the
/// first after the one before. Text from the input is escaped in the
/// frame, so none of it can look like a mark.
const ITEM_ARTICLES_AT: &[&str] = &["<nav class=\"item-index\"", "</nav>\n"];

/// Renders every page of the report into `sink`, in no set order.
pub fn render_into(
    checked: &Checked,
    opts: &ReportOptions,
    progress: &dyn crate::progress::Progress,
    sink: &Sink<'_>,
) -> Result<(), ReportError> {
    render_site(checked, opts, None, progress, sink)
}

/// [`render_into`], for the project read from the folder `dir`: the
/// sign-off sheets show what a sign-off approved from the folder's git
/// history.
pub fn render_project_into(
    checked: &Checked,
    opts: &ReportOptions,
    dir: &Path,
    progress: &dyn crate::progress::Progress,
    sink: &Sink<'_>,
) -> Result<(), ReportError> {
    render_site(checked, opts, Some(dir), progress, sink)
}

/// [`render_into`]; with `history`, the project folder, whose git history
/// gives the text a sign-off approved where a requirement changed since.
fn render_site(
    checked: &Checked,
    opts: &ReportOptions,
    history: Option<&Path>,
    progress: &dyn crate::progress::Progress,
    sink: &Sink<'_>,
) -> Result<(), ReportError> {
    let (tera, overridden) = load_templates(opts.templates.as_deref())?;
    let catalog = Catalog::builtin();
    let lang = opts.lang.code();
    let strings = catalog
        .language(lang)
        .expect("the catalogue offers every language");
    let site = view::Site::build(checked, lang, history);
    let common = view::Common {
        text: &strings,
        lang,
        project: &checked.loaded.project.name,
        digest: &site.digest,
        version: env!("CARGO_PKG_VERSION"),
        generated: opts.timestamp.map(format_timestamp),
        has_other: !site.other.groups.is_empty(),
        script_strings: script_json(&BTreeMap::from(
            ["rows_shown", "matrix_other_pages", "page", "filters"]
                .map(|k| (k, strings.get(k).copied().unwrap_or_default())),
        )),
    };
    // A sign-off sheet is one page for any real contract; a contract with
    // thousands of requirements gets its sheet in parts.
    let sheets: Vec<(&view::ContractRow, usize)> = site
        .contracts()
        .iter()
        .flat_map(|k| (0..sheet_parts(k)).map(move |n| (k, n)))
        .collect();
    progress.start(
        "writing pages",
        (7 + site.matrix_page_count() + sheets.len() + site.item_groups.len()) as u64,
    );
    // What every template is given: the site's common parts, the way back
    // to the site's root and the active tab.
    let context = |root: &str, active: &str| {
        let mut ctx = tera::Context::new();
        ctx.insert("site", &common);
        ctx.insert("root", root);
        ctx.insert("active", active);
        ctx
    };
    // A page. With `splice`, `extra` is first told that parts of the page
    // are written by code (`true`), and those parts, the texts of `splice`,
    // are put into the rendered page, each after the next place its marks
    // are found, each mark the first after the one before. Should the marks
    // be missing, the page is rendered again the ordinary way (`false`).
    let page_with = |name: &str,
                     template: &str,
                     root: &str,
                     active: &str,
                     extra: &dyn Fn(&mut tera::Context, bool),
                     splice: Option<(&[&str], &[&str])>| {
        let render = |html: &mut Vec<u8>, by_code: bool| {
            let mut ctx = context(root, active);
            extra(&mut ctx, by_code);
            html.clear();
            tera.render_to(template, &ctx, &mut *html)
                .map_err(|e| ReportError::Template(describe_tera_error(&e)))
        };
        with_page_buffer(|html| {
            render(html, splice.is_some())?;
            progress.advance(1);
            if let Some((marks, texts)) = splice {
                if let Some(cuts) = cuts_after_marks(html, marks, texts.len()) {
                    let mut parts: Vec<&[u8]> = Vec::with_capacity(texts.len() * 2 + 1);
                    let mut at = 0;
                    for (cut, text) in cuts.into_iter().zip(texts) {
                        parts.extend([&html[at..cut], text.as_bytes()]);
                        at = cut;
                    }
                    parts.push(&html[at..]);
                    return sink(name, &parts);
                }
                render(html, false)?;
            }
            sink(name, &[html])
        })
    };
    let page = |name: &str,
                template: &str,
                root: &str,
                active: &str,
                extra: &dyn Fn(&mut tera::Context)| {
        page_with(name, template, root, active, &|ctx, _| extra(ctx), None)
    };
    page("index.html", "index.html", "", "index", &|ctx| {
        ctx.insert("dashboard", &site.dashboard)
    })?;
    for (group, findings) in [
        ("untraced", &site.untraced),
        ("unverified", &site.unverified),
        ("changed", &site.changed),
        ("objectives", &site.objectives_findings),
        ("other", &site.other),
    ] {
        if group == "other" && findings.groups.is_empty() {
            continue;
        }
        page(
            &format!("{group}.html"),
            "findings.html",
            "",
            group,
            &|ctx| {
                ctx.insert("findings", findings);
                if group == "objectives" {
                    ctx.insert("objectives", &site.objectives);
                }
            },
        )?;
    }
    // Matrix pages, each with its rows built as it is rendered, on every
    // core. A matrix of several pages also gets an index of every row, so
    // the filters can say what matches on the other pages.
    // Unless the project overrides the matrix's templates (or the base
    // they extend, which could hold anything), its rows are written by code
    // into the page rendered without them.
    let builtin = |names: &[&str]| names.iter().all(|n| !overridden.contains(*n));
    let fast_rows = builtin(&["matrix.html", "macros.html", "base.html"])
        .then(|| rows::Strings::new(&strings, site.matrix.facets));
    let page_count = site.matrix_page_count();
    let index_parts = (0..page_count)
        .into_par_iter()
        .map(|n| {
            let page_rows = site.matrix_page(n);
            let name = view::matrix_page_name(n);
            let pager = view::PagerLink::list(page_count, n, view::matrix_page_name);
            rows_page(
                &page_with,
                [&name, "matrix.html", "", "matrix"],
                &page_rows,
                fast_rows
                    .as_ref()
                    .map(|t| (t, rows::write as RowWriter<_, _>)),
                rows::MATRIX_ROWS_AT,
                &|ctx| {
                    ctx.insert("matrix", &site.matrix);
                    ctx.insert("pager", &pager);
                    ctx.insert("first_row", &(n * MATRIX_PAGE_SIZE + 1));
                },
            )?;
            Ok(if page_count > 1 {
                matrix_index_rows(&name, &page_rows)
            } else {
                String::new()
            })
        })
        .collect::<Result<Vec<String>, ReportError>>()?;
    if page_count > 1 {
        // Written as the pages' parts, without joining them first: at 100k
        // requirements the index is 16 MB.
        let mut index: Vec<&[u8]> = Vec::with_capacity(index_parts.len() * 2 + 2);
        index.push(b"window.NEEDTRAIL_MATRIX = [");
        for (n, part) in index_parts.iter().enumerate() {
            if n > 0 && !part.is_empty() {
                index.push(b",");
            }
            index.push(part.as_bytes());
        }
        index.push(b"];\n");
        sink("assets/matrix-index.js", &index)?;
    }
    // Sign-off sheets render on every core too.
    let fast_sheet_rows =
        builtin(&["signoff.html", "base.html"]).then(|| rows::SheetStrings::new(&strings));
    sheets.par_iter().try_for_each(|&(contract, n)| {
        let parts = sheet_parts(contract);
        let start = (n * SHEET_ROWS).min(contract.requirements.len());
        let end = (start + SHEET_ROWS).min(contract.requirements.len());
        let part_links = view::PagerLink::list(parts, n, |i| {
            sheet_part_name(&contract.sheet, i)
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        });
        let name = sheet_part_name(&contract.sheet, n);
        let sheet_rows = site.sheet_rows(contract, start..end);
        // The part as the pages it prints on, each with its own table.
        let plans = sheet::plan(contract, &sheet_rows, n == 0);
        BODY.with(|text| {
            let mut text = text.borrow_mut();
            text.clear();
            // Each page's rows, one after another in one buffer.
            let mut ends = Vec::new();
            if let Some(t) = &fast_sheet_rows {
                for page in sheet::pages(&plans, contract, &sheet_rows, start, true) {
                    if page.table {
                        for r in page.rows {
                            rows::write_sheet(&mut text, t, r);
                        }
                        ends.push(text.len());
                    }
                }
            }
            let texts: Vec<&str> = ends
                .iter()
                .scan(0, |from, &to| {
                    let piece = &text[*from..to];
                    *from = to;
                    Some(piece)
                })
                .collect();
            page_with(
                &name,
                "signoff.html",
                "../",
                "signoff",
                &|ctx, by_code| {
                    let pages = sheet::pages(&plans, contract, &sheet_rows, start, !by_code);
                    ctx.insert("contract", contract);
                    ctx.insert("part", &(n + 1));
                    ctx.insert("parts", &part_links);
                    ctx.insert("part_count", &parts);
                    ctx.insert("first_row", &(start + 1).min(end));
                    ctx.insert("last_row", &end);
                    ctx.insert("total", &contract.requirements.len());
                    ctx.insert("page_count", &pages.len());
                    ctx.insert("pages", &pages);
                },
                fast_sheet_rows
                    .is_some()
                    .then_some((rows::SHEET_ROWS_AT, texts.as_slice())),
            )
        })
    })?;
    // Item pages are most of a large report: build and render them a page
    // at a time, on every core. Articles are written directly unless the
    // project overrides their template.
    let fast = (!overridden.contains(ARTICLE_TEMPLATE)).then(|| article::Strings::new(&strings));
    // The built-in frame (under the built-in base) is rendered without the
    // articles, which go into it on their way out; a frame or base of the
    // project's own gets them as a value, to do with as it likes.
    let spliced = builtin(&["item.html", "base.html"]);
    site.item_groups.par_iter().try_for_each(|plan| {
        let group = site.item_group(plan);
        BODY.with(|articles| {
            let mut articles = articles.borrow_mut();
            articles.clear();
            match &fast {
                Some(t) => {
                    for i in &group.items {
                        article::write(&mut articles, t, i);
                    }
                }
                None => {
                    let mut ctx = context("../", "item");
                    ctx.insert("items", &group.items);
                    *articles = tera
                        .render(ARTICLES_TEMPLATE, &ctx)
                        .map_err(|e| ReportError::Template(describe_tera_error(&e)))?;
                }
            }
            page_with(
                &format!("items/{}", group.file),
                "item.html",
                "../",
                "item",
                &|ctx, by_code| {
                    let frame = view::ItemFrame::new(&group, if by_code { "" } else { &articles });
                    ctx.insert("group", &frame);
                },
                spliced.then_some((ITEM_ARTICLES_AT, &[articles.as_str()][..])),
            )
        })
    })?;
    progress.finish();
    for (name, content) in ASSETS {
        sink(name, &[content.as_bytes()])?;
    }
    sink(
        OUTPUT_MARKER,
        &[b"This folder was written by `needtrail report`, which replaces it whole on the next run.\n"],
    )
}

/// Renders a page through `page_with`; see [`render_into`].
type PageWith<'a> = dyn Fn(
        &str,
        &str,
        &str,
        &str,
        &dyn Fn(&mut tera::Context, bool),
        Option<(&[&str], &[&str])>,
    ) -> Result<(), ReportError>
    + Sync
    + 'a;

/// Appends one row of type `T` with strings `S`.
type RowWriter<S, T> = fn(&mut String, &S, &T);

/// A page of `rows` (`page` is its name, template, root and active tab).
/// With `writer`, the rows are written by code into the page rendered
/// without them, after `marks`; without, its template renders them.
/// `extra` puts in the rest of the page's data.
fn rows_page<S, T: Serialize>(
    page_with: &PageWith<'_>,
    page: [&str; 4],
    rows: &[T],
    writer: Option<(&S, RowWriter<S, T>)>,
    marks: &[&str],
    extra: &dyn Fn(&mut tera::Context),
) -> Result<(), ReportError> {
    BODY.with(|text| {
        let mut text = text.borrow_mut();
        text.clear();
        if let Some((strings, write)) = writer {
            for r in rows {
                write(&mut text, strings, r);
            }
        }
        let none: &[T] = &[];
        let [name, template, root, active] = page;
        page_with(
            name,
            template,
            root,
            active,
            &|ctx, by_code| {
                ctx.insert("rows", if by_code { none } else { rows });
                extra(ctx);
            },
            writer.is_some().then_some((marks, &[text.as_str()][..])),
        )
    })
}

/// Where `marks` end in `bytes`, `n` times over: each time the last of
/// the marks, each mark found after the one before, the first of them
/// after the end of the time before.
fn cuts_after_marks(bytes: &[u8], marks: &[&str], n: usize) -> Option<Vec<usize>> {
    let mut cuts = Vec::with_capacity(n);
    let mut at = 0;
    for _ in 0..n {
        at += after_marks(&bytes[at..], marks)?;
        cuts.push(at);
    }
    Some(cuts)
}

/// Where the last of `marks` ends in `bytes`, each mark found after the
/// one before.
fn after_marks(bytes: &[u8], marks: &[&str]) -> Option<usize> {
    let mut at = 0;
    for mark in marks {
        let (before, _) = split_once_bytes(&bytes[at..], mark.as_bytes())?;
        at += before.len() + mark.len();
    }
    Some(at)
}

/// `bytes` split around the first `mark` in it.
fn split_once_bytes<'b>(bytes: &'b [u8], mark: &[u8]) -> Option<(&'b [u8], &'b [u8])> {
    let at = bytes.windows(mark.len()).position(|w| w == mark)?;
    Some((&bytes[..at], &bytes[at + mark.len()..]))
}

/// The matrix index's entries for the rows of one page, comma-separated:
/// `[id, page, contracts, customers, class, status, text]` each, as JSON
/// that is safe inside a script.
fn matrix_index_rows(page: &str, rows: &[view::MatrixRow]) -> String {
    let json = |s: &str| script_json(&s);
    let page = json(page);
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        // The keys are JSON lists already.
        for (i, part) in [
            json(&r.item.id),
            page.clone(),
            script_safe(&r.contract_keys),
            script_safe(&r.customer_keys),
            json(&r.class_raw),
            json(r.status),
            json(&format!("{} {}", r.item.id, r.item.title).to_lowercase()),
        ]
        .iter()
        .enumerate()
        {
            out.push(if i == 0 { '[' } else { ',' });
            out.push_str(part);
        }
        out.push(']');
    }
    out
}

fn describe_tera_error(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// The template of one item's article on an item page.
const ARTICLE_TEMPLATE: &str = "item-article.html";
/// Internal: the articles of one item page, through [`ARTICLE_TEMPLATE`].
const ARTICLES_TEMPLATE: &str = "needtrail-item-articles";

/// The built-in templates, with any of the same name from `overrides` in
/// their place; and the names of the templates overridden.
fn load_templates(overrides: Option<&Path>) -> Result<(Tera, BTreeSet<String>), ReportError> {
    let mut sources: BTreeMap<String, String> = TEMPLATES
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    let mut overridden = BTreeSet::new();
    if let Some(dir) = overrides {
        let entries = fs::read_dir(dir).map_err(|e| {
            ReportError::Template(format!(
                "cannot read the templates folder {}: {e}",
                dir.display()
            ))
        })?;
        let mut names = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".html") && entry.path().is_file() {
                names.push((name, entry.path()));
            }
        }
        names.sort();
        for (name, path) in names {
            overridden.insert(name.clone());
            let text = fs::read_to_string(&path).map_err(|e| {
                ReportError::Template(format!("cannot read template {}: {e}", path.display()))
            })?;
            sources.insert(name, text);
        }
    }
    sources.insert(
        ARTICLES_TEMPLATE.to_owned(),
        format!("{{% for article in items %}}{{% include \"{ARTICLE_TEMPLATE}\" %}}{{% endfor %}}"),
    );
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ARTICLES_TEMPLATE]);
    register_filters(&mut tera);
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| ReportError::Template(describe_tera_error(&e)))?;
    Ok((tera, overridden))
}

/// The report's own filters: `count` groups a number's thousands
/// (`12,345`); `code_spans` escapes a message and shows its `quoted`
/// words as code (its output is HTML: follow it with `safe`).
fn register_filters(tera: &mut Tera) {
    tera.register_filter(
        "count",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            let mut out = String::new();
            match v {
                tera::Value::Number(n) if n.is_u64() => {
                    crate::text::count_into(&mut out, n.as_u64().unwrap_or_default())
                }
                tera::Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            }
            Ok(tera::Value::String(out))
        },
    );
    tera.register_filter(
        "code_spans",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            let mut out = String::new();
            match v {
                tera::Value::String(s) => article::code_spans_into(&mut out, s),
                other => article::escape_into(&mut out, &other.to_string()),
            }
            Ok(tera::Value::String(out))
        },
    );
}

/// The first `*.toml` file under `dir`, a folder needtrail wrote: a
/// project's files (of any project) were put there, and replacing the
/// folder would delete them. Links are not followed.
fn toml_file_in(dir: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| {
            !e.file_type().is_dir()
                && e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("toml"))
        })
        .map(|e| e.into_path())
}

/// What a run read, which replacing its output folder must leave alone:
/// the project folder, each of its files, and a folder of templates.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The project folder, as given.
    pub dir: &'a Path,
    /// The project read from it (its files, relative to `dir`).
    pub project: &'a crate::model::Project,
    /// The folder of overriding templates, if any.
    pub templates: Option<&'a Path>,
}

impl<'a> Inputs<'a> {
    /// The inputs of `checked`, read from `dir` with `opts`.
    pub fn of(dir: &'a Path, checked: &'a Checked, opts: &'a ReportOptions) -> Self {
        Inputs {
            dir,
            project: &checked.loaded.project,
            templates: opts.templates.as_deref(),
        }
    }

    /// Refuses `out` (an existing folder, canonical) when it is the project
    /// folder, holds it, or holds any file or template the run read: such a
    /// folder is never replaced, whatever marker it holds.
    fn refuse_overlap(&self, out: &Path) -> Result<(), ReportError> {
        let refuse = |what: String| {
            ReportError::Output(format!(
                "{} {what}; it is left untouched. Choose an --out folder outside the project's files, e.g. {}",
                out.display(),
                self.dir.join("report").display()
            ))
        };
        let dir = self
            .dir
            .canonicalize()
            .map_err(|e| io_error("resolve", self.dir, e))?;
        if dir == out {
            return Err(refuse("is the project folder".into()));
        }
        if dir.starts_with(out) {
            return Err(refuse(format!("holds the project {}", dir.display())));
        }
        if let Ok(inside) = out.strip_prefix(&dir)
            && let Some(f) = self
                .project
                .files
                .iter()
                .find(|f| Path::new(&f.path).starts_with(inside))
        {
            return Err(refuse(format!("holds the project's file {}", f.path)));
        }
        if let Some(t) = self.templates
            && let Ok(t) = t.canonicalize()
            && t.starts_with(out)
        {
            return Err(refuse(format!("holds the templates {}", t.display())));
        }
        Ok(())
    }
}

/// Writes the site into `out`, replacing an earlier report there. Refuses a
/// folder that holds anything and was not written by needtrail, and one
/// that holds any of `inputs`.
pub fn write_site(out: &Path, files: &[SiteFile], inputs: &Inputs<'_>) -> Result<(), ReportError> {
    let writer = SiteWriter::begin(out, inputs)?;
    // Large reports are gigabytes of pages: write on every core.
    files
        .par_iter()
        .try_for_each(|(name, bytes)| writer.write(name, bytes))?;
    writer.commit()
}

/// Renders the report and writes it into `out` page by page as the pages
/// are rendered, so a large report is never held in memory whole. Nothing
/// in `out` changes unless every page was written.
pub fn write_report(
    out: &Path,
    dir: &Path,
    checked: &Checked,
    opts: &ReportOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<(), ReportError> {
    let writer = SiteWriter::begin(out, &Inputs::of(dir, checked, opts))?;
    render_site(checked, opts, Some(dir), progress, &|name, parts| {
        writer.write_parts(name, parts)
    })?;
    writer.commit()
}

/// A site being written: files go into a staging folder beside `out`,
/// which replaces `out` whole on [`SiteWriter::commit`]; dropped without
/// committing, it removes the staging folder and leaves `out` as it was.
pub struct SiteWriter {
    out: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    dirs: std::sync::Mutex<BTreeSet<PathBuf>>,
    committed: bool,
}

fn io_error(what: &str, p: &Path, e: io::Error) -> ReportError {
    ReportError::Output(format!("cannot {what} {}: {e}", p.display()))
}

impl SiteWriter {
    /// Checks that `out` may be replaced (it holds none of `inputs`) and
    /// prepares the staging folder.
    pub fn begin(out: &Path, inputs: &Inputs<'_>) -> Result<SiteWriter, ReportError> {
        // Work on the absolute path: `.` or `dir/.` has no parent to stage in.
        let absolute = if out.exists() {
            out.canonicalize()
        } else {
            std::path::absolute(out)
        };
        let out = absolute.map_err(|e| io_error("resolve", out, e))?;
        let ours = out.join(OUTPUT_MARKER).is_file();
        if out.exists() {
            if !out.is_dir() {
                return Err(ReportError::Output(format!(
                    "{} exists and is not a folder; choose another --out",
                    out.display()
                )));
            }
            inputs.refuse_overlap(&out)?;
            let empty = fs::read_dir(&out)
                .map_err(|e| io_error("read", &out, e))?
                .next()
                .is_none();
            if !empty && !ours {
                return Err(ReportError::Output(format!(
                    "{} is not empty and was not written by needtrail; it is left untouched. Choose an empty or new folder for --out",
                    out.display()
                )));
            }
            if ours && let Some(found) = toml_file_in(&out) {
                return Err(ReportError::Output(format!(
                    "{} holds {}, which needtrail never writes into a report or an audit package (a project's file?); it is left untouched. Move that out, or choose another --out",
                    out.display(),
                    found.display()
                )));
            }
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| io_error("create", &parent, e))?;
        let base = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into());
        let staging = parent.join(format!(".{base}.needtrail-new-{}", std::process::id()));
        let old = parent.join(format!(".{base}.needtrail-old-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(|e| io_error("create", &staging, e))?;
        Ok(SiteWriter {
            out,
            staging,
            old,
            dirs: std::sync::Mutex::new(BTreeSet::new()),
            committed: false,
        })
    }

    /// Writes one file of the site; may be called from several threads.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        self.write_parts(name, &[bytes])
    }

    /// Writes one file of the site whose content is `parts` one after another.
    pub fn write_parts(&self, name: &str, parts: &[&[u8]]) -> Result<(), ReportError> {
        use std::io::Write as _;
        let (mut file, path) = self.create(name)?;
        for part in parts {
            file.write_all(part)
                .map_err(|e| io_error("write", &path, e))?;
        }
        Ok(())
    }

    /// Creates one file of the site, empty, for its content to be written
    /// into as it is made; with its path, for messages.
    pub fn create(&self, name: &str) -> Result<(fs::File, PathBuf), ReportError> {
        let path = self.staging.join(name);
        if let Some(dir) = path.parent()
            && dir != self.staging
        {
            let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
            if !dirs.contains(dir) {
                fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
                dirs.insert(dir.to_path_buf());
            }
        }
        let file = fs::File::create(&path).map_err(|e| io_error("write", &path, e))?;
        Ok((file, path))
    }

    /// Puts the staged site in place of `out`.
    pub fn commit(mut self) -> Result<(), ReportError> {
        if self.out.exists() {
            fs::rename(&self.out, &self.old).map_err(|e| io_error("move aside", &self.out, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.out) {
            let _ = fs::rename(&self.old, &self.out);
            return Err(io_error("write", &self.out, e));
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.old);
        Ok(())
    }
}

impl Drop for SiteWriter {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC` for seconds since 1970.
fn format_timestamp(secs: i64) -> String {
    let date = crate::calendar::Date::from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{date} {:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60)
}

pub use crate::pipeline::input_digest;

/// Serialises data for a `<script type="application/json">` block: `<`, `>`
/// and `&` are escaped so the data can never close the element or open markup.
pub fn script_json<T: Serialize>(value: &T) -> String {
    script_safe(&serde_json::to_string(value).expect("serialisable"))
}

/// JSON text with `<`, `>` and `&` escaped (see [`script_json`]).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_key_used_by_a_template_is_in_the_catalog() {
        let c = crate::catalog::Catalog::builtin();
        let keys: std::collections::BTreeSet<&str> = c.keys().collect();
        for (name, text) in super::TEMPLATES {
            let mut rest = *text;
            while let Some(pos) = rest.find("site.text.") {
                let after = &rest[pos + "site.text.".len()..];
                let end = after
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(after.len());
                let key = &after[..end];
                assert!(
                    keys.contains(key),
                    "{name} uses `{key}`, which the catalog lacks"
                );
                rest = &after[end..];
            }
        }
    }

    /// The names a template's tags use that are shorter than three
    /// characters, other than tera's own words: each as `name in tag`.
    /// Fields (after `.` or `::`), named arguments (`(to=`), strings and
    /// comments are not names a user overriding the template has to guess.
    fn short_names(source: &str) -> Vec<String> {
        const KEYWORDS: &[&str] = &["as", "if", "in", "is", "or"];
        let mut found = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = match after.chars().next() {
                Some('{') => "}}",
                Some('%') => "%}",
                Some('#') => {
                    rest = after.find("#}").map_or("", |end| &after[end + 2..]);
                    continue;
                }
                _ => {
                    rest = after;
                    continue;
                }
            };
            let Some(end) = after.find(close) else { break };
            let tag = &after[1..end];
            rest = &after[end + 2..];
            let chars: Vec<char> = tag.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let ch = chars[i];
                if matches!(ch, '"' | '\'' | '`') {
                    i += 1;
                    while i < chars.len() && chars[i] != ch {
                        i += 1;
                    }
                    i += 1;
                } else if ch.is_alphabetic() || ch == '_' {
                    let start = i;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                    let name: String = chars[start..i].iter().collect();
                    let before = chars[..start].iter().rev().find(|c| !c.is_whitespace());
                    let mut next = chars[i..].iter().filter(|c| !c.is_whitespace());
                    let argument = matches!(before, Some('(' | ','))
                        && next.next() == Some(&'=')
                        && next.next() != Some(&'=');
                    if name.chars().count() < 3
                        && !KEYWORDS.contains(&name.as_str())
                        && !matches!(before, Some('.' | ':'))
                        && !argument
                    {
                        found.push(format!("`{name}` in `{}`", tag.trim()));
                    }
                } else {
                    i += 1;
                }
            }
        }
        found
    }

    #[test]
    fn templates_name_their_variables_in_words() {
        let management = (
            "management.html",
            include_str!("../../templates/management.html"),
        );
        for (name, text) in TEMPLATES.iter().chain([&management]) {
            let short = short_names(text);
            assert!(
                short.is_empty(),
                "{name} uses names too short to say what they hold: {short:#?}"
            );
        }
        // The scan sees short names wherever a template puts them.
        let old = r#"{{ c.t.x }}{% for k in d.rules %}{% if x.ok %}{% set k_ = "a" ~ y %}{% endif %}{% endfor %}{{ m_::refs(cell=r) }}"#;
        assert_eq!(
            short_names(old)
                .iter()
                .map(|s| s.split('`').nth(1).unwrap())
                .collect::<Vec<_>>(),
            ["c", "k", "d", "x", "k_", "y", "m_", "r"]
        );
        let fine = r#"{# a b #}{{ site.text[key] | replace(from="a b", to=row.to) }}{% if a_name is number or item.id in "x y" %}{% import "m.html" as macros %}"#;
        assert_eq!(short_names(fine), Vec::<String>::new());
    }

    use super::*;

    #[test]
    fn timestamps_are_civil_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_timestamp(1_795_000_000), "2026-11-18 11:06 UTC");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn the_builtin_templates_hold_the_marks_that_place_code_written_parts() {
        let source = |name: &str| {
            TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
                .unwrap()
        };
        for (name, marks) in [
            ("item.html", ITEM_ARTICLES_AT),
            ("matrix.html", rows::MATRIX_ROWS_AT),
            ("signoff.html", rows::SHEET_ROWS_AT),
        ] {
            let text = source(name);
            assert!(
                after_marks(text.as_bytes(), marks).is_some(),
                "{name} lacks its marks {marks:?} (line endings other than LF?)"
            );
        }
        // No mark in the base, which every page extends.
        for marks in [ITEM_ARTICLES_AT, rows::MATRIX_ROWS_AT, rows::SHEET_ROWS_AT] {
            assert!(!source("base.html").contains(marks[0]));
        }
    }

    #[test]
    fn marks_are_found_each_after_the_one_before() {
        let text = b"<tbody>\na<table x><tbody>\nb";
        assert_eq!(after_marks(text, &["<table x>", "<tbody>\n"]), Some(26));
        assert_eq!(after_marks(text, &["<tbody>\n"]), Some(8));
        assert_eq!(after_marks(text, &["<table x>", "<table x>"]), None);
        assert_eq!(after_marks(text, &[]), Some(0));
    }

    #[test]
    fn marks_are_found_again_after_each_cut() {
        let text = b"<t><b>\n1<t><b>\n2<t><b>\n";
        let marks = &["<t>", "<b>\n"][..];
        assert_eq!(cuts_after_marks(text, marks, 3), Some(vec![7, 15, 23]));
        assert_eq!(cuts_after_marks(text, marks, 0), Some(vec![]));
        assert_eq!(cuts_after_marks(text, marks, 4), None);
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&vec!["</script><b>&"]);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, vec!["</script><b>&"]);
    }
}
