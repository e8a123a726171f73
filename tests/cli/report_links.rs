//! `report`: every link of a large, paged report resolves. A generated
//! project big enough to page everything a report pages (a review's
//! decisions beyond the 500 its page lists, a contract's sign-off sheet
//! in parts of 1,000 requirements, the matrix in pages of 500 rows) is
//! rendered, and every relative link of every page is followed: to a file
//! that was written, and its `#fragment` to an element with that id there.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use scraper::{Html, Selector};

use crate::support::*;

/// The links (`href` and `src`) of one page and the ids it holds.
struct Page {
    links: Vec<String>,
    ids: HashSet<String>,
}

/// Every page of a site, parsed once, keyed by its path on disk.
fn pages(out: &Path) -> BTreeMap<PathBuf, Page> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    let linked = Selector::parse("[href], [src]").unwrap();
    let with_id = Selector::parse("[id]").unwrap();
    files
        .into_par_iter()
        .map(|path| {
            let doc = Html::parse_document(&fs::read_to_string(&path).unwrap());
            let links = doc
                .select(&linked)
                .filter_map(|e| e.attr("href").or_else(|| e.attr("src")))
                .map(str::to_owned)
                .collect();
            let ids = doc
                .select(&with_id)
                .map(|e| e.attr("id").unwrap().to_owned())
                .collect();
            (path, Page { links, ids })
        })
        .collect()
}

/// The links of a site's pages that lead nowhere: to a file not written,
/// or to an id not on the page they lead to. Gives them with the number of
/// links followed.
fn broken_links(out: &Path) -> (Vec<String>, usize) {
    let pages = pages(out);
    let mut broken = Vec::new();
    let mut followed = 0;
    for (from, page) in &pages {
        let dir = from.parent().unwrap();
        for href in &page.links {
            if href.starts_with("http://")
                || href.starts_with("https://")
                || href.starts_with("mailto:")
            {
                continue;
            }
            followed += 1;
            let (path, fragment) = match href.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (href.as_str(), None),
            };
            let target = if path.is_empty() {
                from.clone()
            } else {
                normalise(&dir.join(path))
            };
            let rel = from.strip_prefix(out).unwrap().display();
            if !target.is_file() {
                broken.push(format!("{rel}: {href} (no such file)"));
                continue;
            }
            if let Some(fragment) = fragment {
                let ids = pages.get(&target).map(|p| &p.ids);
                if !ids.is_some_and(|ids| ids.contains(fragment)) {
                    broken.push(format!("{rel}: {href} (no such id)"));
                }
            }
        }
    }
    (broken, followed)
}

/// `a/b/../c` as `a/c`, so that a target is found under the name its
/// page was parsed under.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// 10,000 requirements, all decided in one review, as in the report the
/// broken links were found in: the review's decisions take twenty pages,
/// the sign-off sheet ten parts, the matrix twenty pages.
const REQUIREMENTS: &str = "10000";

#[test]
fn every_link_of_a_large_paged_report_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("big");
    let r = run([
        "generate",
        project.to_str().unwrap(),
        "--requirements",
        REQUIREMENTS,
        "--lived-in",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("site");
    let r = run([
        "report",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);

    let (broken, followed) = broken_links(&out);
    assert!(followed > 50_000, "only {followed} links followed");
    assert!(
        broken.is_empty(),
        "{} of {followed} links broken, the first: {:#?}",
        broken.len(),
        &broken[..broken.len().min(10)]
    );

    // No page is more than a browser opens at once: item pages hold as many
    // items as fit (a delivery of fifty requirements is a heavy article).
    let mut heaviest = (0u64, PathBuf::new());
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let size = entry.metadata().unwrap().len();
            if size > heaviest.0 {
                heaviest = (size, entry.into_path());
            }
        }
    }
    assert!(
        heaviest.0 <= 800_000,
        "{} is {} bytes",
        heaviest.1.display(),
        heaviest.0
    );

    // Every kind of paging happened.
    for paged in [
        "items/review-1~2.html",
        "items/review-1~6.html",
        "signoff/CON-1~3.html",
        "matrix-6.html",
    ] {
        assert!(out.join(paged).is_file(), "{paged} not written");
    }
}

/// A decision beyond the first 500 of its review is linked to the page
/// that lists it, and that page links back to the review's other pages.
#[test]
fn a_review_with_thousands_of_decisions_lists_every_one() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("big");
    let r = run([
        "generate",
        project.to_str().unwrap(),
        "--requirements",
        "1200",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("site");
    let r = run([
        "report",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let sub = Selector::parse("div.sub-item[id]").unwrap();
    let pager = Selector::parse("nav.pager a[href]").unwrap();
    let mut decisions = HashSet::new();
    for (n, name) in ["review-1.html", "review-1~2.html", "review-1~3.html"]
        .iter()
        .enumerate()
    {
        let text = fs::read_to_string(out.join("items").join(name)).unwrap();
        let doc = Html::parse_document(&text);
        let ids: Vec<String> = doc
            .select(&sub)
            .map(|e| e.attr("id").unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), [500, 500, 200][n], "{name}");
        decisions.extend(ids);
        let links: Vec<&str> = doc.select(&pager).filter_map(|a| a.attr("href")).collect();
        assert_eq!(links.len(), 2, "{name}: {links:?}");
    }
    assert!(!out.join("items/review-1~4.html").exists());
    assert_eq!(decisions.len(), 1200, "every decision listed once");
}
