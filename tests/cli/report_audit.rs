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
            // A row whose thread breaks (`gap`, or the broken link named:
            // `untraced`, `unverified`), not one complete or not required.
            let status = tr.value().attr("data-status").unwrap_or_default();
            Row {
                gap: !matches!(status, "ok" | "traced" | "not-required"),
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

// ---------------------------------------------------------------------------
// Numbers, badges and messages.

/// Whether `s` is a count written with its thousands grouped by commas.
fn grouped(s: &str) -> bool {
    let mut parts = s.split(',');
    let first = parts.next().unwrap_or_default();
    !first.is_empty()
        && first.len() <= 3
        && first.chars().all(|c| c.is_ascii_digit())
        && parts.all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
}

#[test]
fn counts_of_thousands_are_grouped_in_english_and_chinese() {
    assert!(grouped("1,200") && grouped("12") && !grouped("1200") && !grouped("12,34"));
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("big");
    let r = run([
        "generate".as_ref(),
        project.as_os_str(),
        "--requirements".as_ref(),
        "1200".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for lang in ["en", "zh"] {
        let (_t, out) = site(&project, &["--lang", lang]);
        let index = page(&out, "index.html");
        let mut big = 0;
        for cell in index.select(&sel(".total .n, td.num")) {
            let text = text_of(cell);
            // `12/1,200`, `✗ 3`: each number in the cell.
            for n in text
                .split(|c: char| !(c.is_ascii_digit() || c == ','))
                .filter(|n| !n.is_empty())
            {
                assert!(grouped(n), "{lang}: dashboard number {n:?} in {text:?}");
                big += usize::from(n.contains(','));
            }
        }
        assert!(
            big >= 3,
            "{lang}: only {big} numbers of thousands on the dashboard"
        );
        let items: Vec<String> = index.select(&sel(".total .n")).map(text_of).collect();
        assert!(items[0].contains(','), "{lang}: items {items:?}");
        let matrix = page(&out, "matrix.html");
        let total: Vec<String> = matrix.select(&sel("p.count strong")).map(text_of).collect();
        assert_eq!(total, ["1,200"], "{lang}: matrix total");
    }
}

#[test]
fn a_passing_rule_is_not_badged_as_failing() {
    let (_t, out) = site(&sample("auto-parts-en"), &[]);
    let (mut passing, mut failing) = (0, 0);
    for rel in [
        "untraced.html",
        "unverified.html",
        "changed.html",
        "objectives.html",
    ] {
        let doc = page(&out, rel);
        for group in doc.select(&sel("section.rule-group")) {
            let badge = group.select(&sel("h2 .n")).next().expect("badge");
            let classes: Vec<&str> = badge.value().classes().collect();
            let count = group.select(&sel("table.findings tbody tr")).count();
            assert_eq!(text_of(badge), count.to_string(), "{rel}");
            if count == 0 {
                passing += 1;
                assert!(
                    classes.contains(&"n-pass"),
                    "{rel}: passing rule badged {classes:?}"
                );
            } else {
                failing += 1;
                assert!(
                    !classes.contains(&"n-pass"),
                    "{rel}: failing rule badged {classes:?}"
                );
            }
        }
    }
    assert!(
        passing > 3 && failing > 3,
        "{passing} passing, {failing} failing"
    );
    // The style sheet gives a passing badge no red.
    let css = fs::read_to_string(out.join("assets/report.css")).unwrap();
    let rule = css
        .lines()
        .find(|l| l.contains(".n.n-pass"))
        .expect("a style for a passing rule's badge");
    assert!(!rule.contains("--bad"), "{rule}");
}

#[test]
fn quoted_words_in_messages_show_as_code_not_backticks() {
    for (sample_name, lang) in [("auto-parts-en", "en"), ("doors-zh", "zh")] {
        let (_t, out) = site(&sample(sample_name), &["--lang", lang]);
        let mut code = 0;
        let mut pages = vec![
            "untraced.html".to_owned(),
            "unverified.html".to_owned(),
            "changed.html".to_owned(),
            "objectives.html".to_owned(),
        ];
        for e in fs::read_dir(out.join("items")).unwrap() {
            pages.push(format!(
                "items/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
        for rel in &pages {
            let doc = page(&out, rel);
            for m in doc.select(&sel(".reason, ul.findings li, .sub-item p, .hint")) {
                let text = text_of(m);
                assert!(
                    !text.contains('`'),
                    "{sample_name} {rel}: backticks in {text:?}"
                );
                code += m.select(&sel("code")).count();
            }
        }
        assert!(
            code > 3,
            "{sample_name}: only {code} quoted words shown as code"
        );
    }
}

// ---------------------------------------------------------------------------
// Objectives and scorecards.

/// A value as the page writes it, without its ✓ / ✗ mark.
fn bare(s: &str) -> String {
    s.replace(['✓', '✗'], "").trim().to_owned()
}

#[test]
fn an_objectives_headline_value_is_drawn_in_its_chart_and_listed_in_its_table() {
    let mut overall = 0;
    for (sample_name, lang) in [("auto-parts-en", "en"), ("doors-zh", "zh")] {
        let (_t, out) = site(&sample(sample_name), &["--lang", lang]);
        let doc = page(&out, "objectives.html");
        for a in doc.select(&sel("article.objective")) {
            let id = a.value().attr("id").unwrap();
            // Target, then actual.
            let headline: Vec<String> = a.select(&sel("p strong")).map(text_of).collect();
            let actual = &headline[1];
            if actual == "—" {
                continue;
            }
            let drawn: Vec<String> = a
                .select(&sel("svg.chart text.value"))
                .map(|t| bare(&text_of(t)))
                .collect();
            assert!(
                drawn.contains(actual),
                "{sample_name} {id}: the headline says {actual}, the chart shows {drawn:?}"
            );
            let listed: Vec<String> = a
                .select(&sel("table.periods tbody td:nth-child(2)"))
                .map(text_of)
                .collect();
            assert!(
                listed.contains(actual),
                "{sample_name} {id}: the headline says {actual}, the table lists {listed:?}"
            );
            overall += a.select(&sel("svg.chart rect.overall")).count();
        }
    }
    // doors-zh's OBJ-004: 2 complaints per delivery over all its records,
    // while its one quarter with a delivery had none.
    assert!(overall > 0, "no objective needed a bar for all its records");
}

#[test]
fn a_scorecard_shows_each_criterions_target_weight_and_points() {
    let mut cards = 0;
    for (sample_name, lang) in [("auto-parts-en", "en"), ("doors-zh", "zh")] {
        let (_t, out) = site(&sample(sample_name), &["--lang", lang]);
        let doc = page(&out, "objectives.html");
        for row in doc.select(&sel("#scorecards > table > tbody > tr")) {
            let score = text_of(row.select(&sel("td.num strong")).next().expect("score"));
            let score: f64 = score.parse().unwrap();
            let criteria = row
                .select(&sel("table.criteria"))
                .next()
                .unwrap_or_else(|| panic!("{sample_name}: no criteria table"));
            let (mut points, mut weights) = (0.0, 0.0);
            for tr in criteria.select(&sel(":scope > tbody > tr")) {
                let cells: Vec<String> = tr.select(&sel("th, td")).map(text_of).collect();
                assert_eq!(cells.len(), 5, "{sample_name}: {cells:?}");
                assert!(
                    !cells[2].trim().is_empty(),
                    "{sample_name}: no target in {cells:?}"
                );
                let weight: f64 = cells[3]
                    .parse()
                    .unwrap_or_else(|e| panic!("{sample_name}: weight in {cells:?}: {e}"));
                if let Some((p, w)) = cells[4].split_once(" / ") {
                    let (p, w): (f64, f64) = (p.parse().unwrap(), w.parse().unwrap());
                    assert_eq!(w, weight, "{sample_name}: {cells:?}");
                    assert!((0.0..=w).contains(&p), "{sample_name}: {cells:?}");
                    points += p;
                    weights += w;
                }
            }
            assert!(weights > 0.0, "{sample_name}: no criterion scored");
            assert!(
                (points * 100.0 / weights - score).abs() < 0.6,
                "{sample_name}: {points} points of {weights} is not a score of {score}"
            );
            let total = text_of(
                criteria
                    .select(&sel(":scope > tfoot td"))
                    .next()
                    .expect("total"),
            );
            assert_eq!(total, format!("{points} / {weights}"), "{sample_name}");
            cards += 1;
        }
    }
    assert!(cards >= 1, "{cards} scorecards");
}

/// A review that signed every requirement of a contract holds a
/// fingerprint for each; its page (and each page of its decisions) shows
/// the first twenty and says how many more there are, in the page's
/// language, rather than carrying every one on every page.
#[test]
fn a_review_signing_many_requirements_lists_twenty_fingerprints_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("signed");
    let r = run([
        "generate".as_ref(),
        project.as_os_str(),
        "--requirements".as_ref(),
        "60".as_ref(),
        "--lived-in".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let review = fs::read_to_string(project.join("review.toml")).unwrap();
    let signed = review.matches("signed_fingerprints.").count();
    assert!(signed > 20, "{signed} fingerprints signed");
    for (lang, more) in [
        ("en", format!("({} more, not listed here)", signed - 20)),
        ("zh", format!("（另有 {} 条，此处未列出）", signed - 20)),
    ] {
        let (_t, out) = site(&project, &["--lang", lang]);
        let html = fs::read_to_string(out.join("items/review-1.html")).unwrap();
        let doc = Html::parse_document(&html);
        let field = doc
            .select(&sel("dl.fields dd"))
            .map(text_of)
            .find(|t| t.contains(&more))
            .unwrap_or_else(|| panic!("no field says {more:?}"));
        assert_eq!(field.matches(": ").count(), 20, "{field}");
    }
}
