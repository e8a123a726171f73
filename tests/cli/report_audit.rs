//! `report`: what an auditor reads must agree with itself. An item page
//! tells in text what the matrix marks on its thread, the dashboard's
//! numbers read as numbers, a passing rule does not look failed, and the
//! objectives' headlines, charts and scorecards say the same thing.
//!
//! Every test runs the real binary and reads the pages with an HTML parser.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

use crate::support::*;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

/// Renders `project` with `args` into a new temporary folder.
fn site(project: &Path, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let mut all = vec![
        "report".to_owned(),
        project.to_string_lossy().into_owned(),
        "--out".to_owned(),
        out.to_string_lossy().into_owned(),
        "--fail-on".to_owned(),
        "never".to_owned(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let r = run(all);
    assert_eq!(r.code, 0, "report failed:\n{}", r.stderr);
    (tmp, out)
}

fn page(out: &Path, rel: &str) -> Html {
    let text = fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect()
}

/// Whether `el` is inside an `<svg>` (a picture, which a reader cannot
/// search, copy or have read aloud as text).
fn in_picture(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "svg")
}

/// The article of item `id` and the page (under `items/`) it is on.
fn article(out: &Path, id: &str) -> (String, Html) {
    let href = format!("#{}", anchor(id));
    for entry in fs::read_dir(out.join("items")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let doc = page(out, &format!("items/{name}"));
        if let Some(a) = doc
            .select(&sel("article.item"))
            .find(|a| a.value().attr("id") == Some(&href[1..]))
        {
            return (name, Html::parse_fragment(&a.html()));
        }
    }
    panic!("no article of {id}");
}

/// The anchor of an item with a plain id.
fn anchor(id: &str) -> String {
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    format!("i-{id}")
}

/// A matrix row: the requirement, its status, and every item it links to
/// (cells and complaint marks), as `(id, href from the site's root)`.
struct Row {
    id: String,
    gap: bool,
    linked: BTreeSet<(String, String)>,
}

fn matrix_rows(out: &Path) -> Vec<Row> {
    let doc = page(out, "matrix.html");
    doc.select(&sel("#matrix tbody tr"))
        .map(|tr| {
            let id = text_of(tr.select(&sel("th a")).next().expect("row id"));
            let linked = tr
                .select(&sel("a[href]"))
                .map(|a| (text_of(a), a.value().attr("href").unwrap().to_owned()))
                .filter(|(i, _)| *i != id)
                .collect();
            Row {
                gap: tr.value().attr("data-status") == Some("gap"),
                id,
                linked,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Item pages: the thread in text.

#[test]
fn an_item_page_tells_in_text_what_the_matrix_marks_on_its_thread() {
    for (sample_name, lang) in [("auto-parts-en", "en"), ("doors-zh", "zh")] {
        let (_t, out) = site(&sample(sample_name), &["--lang", lang]);
        let rows = matrix_rows(&out);
        assert!(
            rows.iter().any(|r| r.gap),
            "{sample_name}: no gap in the matrix"
        );
        for row in &rows {
            let (file, art) = article(&out, &row.id);
            let where_ = format!("{sample_name} {} (items/{file})", row.id);
            // A requirement whose thread has a gap never reads as clean.
            let clean = art
                .select(&sel("article.item > p.ok"))
                .map(text_of)
                .collect::<Vec<_>>();
            if row.gap {
                assert!(
                    clean.is_empty(),
                    "{where_}: gap in the matrix, page says {clean:?}"
                );
                // Its own findings are listed, or those on its thread are.
                let own = art
                    .select(&sel("section.item-findings li"))
                    .next()
                    .is_some();
                let note = art.select(&sel("article.item > p.thread-note")).next();
                assert!(
                    own || note.is_some(),
                    "{where_}: no word of the findings on its thread"
                );
                if let Some(note) = note {
                    let target = note.select(&sel("a")).next().expect("link to the list");
                    let fragment = target.value().attr("href").unwrap();
                    assert!(
                        art.select(&sel(&format!("[id='{}']", &fragment[1..])))
                            .next()
                            .is_some(),
                        "{where_}: the note links to {fragment}, not on the page"
                    );
                }
            }
            // Every item the row links to is a link on the item's page, in
            // text, to the same place.
            let text_links: BTreeSet<(String, String)> = art
                .select(&sel("a[href]"))
                .filter(|a| !in_picture(*a))
                .map(|a| {
                    let href = a.value().attr("href").unwrap();
                    (text_of(a), format!("items/{href}"))
                })
                .collect();
            for link in &row.linked {
                assert!(
                    text_links.contains(link),
                    "{where_}: {} ({}) is in the matrix row but not in the page's text",
                    link.0,
                    link.1
                );
            }
        }
    }
}

#[test]
fn a_requirement_whose_design_input_failed_verification_lists_the_whole_thread() {
    let (_t, out) = site(&sample("auto-parts-en"), &[]);
    let (_, art) = article(&out, "REQ-005");
    let list = art
        .select(&sel("ul.thread-items"))
        .next()
        .expect("the thread as a list");
    let items: Vec<ElementRef> = list.select(&sel(":scope > li")).collect();
    let line = |id: &str| {
        items
            .iter()
            .find(|li| li.select(&sel(":scope > a")).any(|a| text_of(a) == id))
            .unwrap_or_else(|| panic!("{id} not listed: {}", text_of(list)))
    };
    // The design input, with its finding in words.
    let di = line("DI-004");
    let finding = text_of(
        di.select(&sel("ul.findings li.sev-error"))
            .next()
            .expect("finding"),
    );
    assert!(finding.contains("VER-005"), "{finding}");
    // The failed test, marked failed; the delivery; the complaint.
    let ver = line("VER-005");
    assert!(
        text_of(ver.select(&sel(".result-fail")).next().expect("result")).contains('✗'),
        "{}",
        text_of(*ver)
    );
    assert!(text_of(*line("DEL-001")).contains("downstream"));
    assert!(text_of(*line("FB-001")).contains("downstream"));
    assert!(text_of(*line("CUS-001")).contains("upstream"));
    // No clean bill of health on the page.
    assert!(!text_of(art.root_element()).contains("No findings on this item."));
}
