//! `report`: the HTML site, checked by parsing the pages it writes.
//!
//! Every test runs the real binary into a temporary folder and reads the
//! result with an HTML parser (`scraper`), so that the assertions are about
//! what a browser would see (elements, attributes, text), not about how the
//! templates happen to spell it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Node, Selector};

use crate::support::*;

/// Rules whose findings the untraced page lists.
const UNTRACED_RULES: &[&str] = &[
    "requirement-reviewed",
    "requirement-clarify-open",
    "legal-cites-regulation",
    "stated-has-source",
    "requirement-has-design-input",
    "rejected-not-worked-on",
    "design-input-traced",
    "verification-verifies",
    "objective-measurable",
    "complaint-traced",
];

/// Rules whose findings the unverified page lists.
const UNVERIFIED_RULES: &[&str] = &[
    "design-input-verified",
    "pass-has-evidence",
    "requirement-validated-or-delivered",
];

const SAMPLES: &[&str] = &["doors-zh", "auto-parts-en"];
const LANGS: &[&str] = &["en", "zh"];

// ---------------------------------------------------------------------------
// Helpers

/// `needtrail report PROJECT --out OUT ARGS...`, with `SOURCE_DATE_EPOCH`
/// removed from the environment unless `env` sets it.
fn report_env(project: &Path, out: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = needtrail();
    cmd.arg("report")
        .arg(project)
        .arg("--out")
        .arg(out)
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("runs");
    Run {
        code: o.status.code().expect("exited normally"),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

fn report(project: &Path, out: &Path, args: &[&str]) -> Run {
    report_env(project, out, args, &[])
}

/// Renders `project` into a new temporary folder; the site is `<tmp>/site`.
fn site(project: &Path, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = report(project, &out, args);
    assert!(
        r.code == 0 || r.code == 1,
        "report failed with {}:\n{}",
        r.code,
        r.stderr
    );
    assert!(out.join("index.html").is_file(), "no index.html written");
    (tmp, out)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

fn page(out: &Path, rel: &str) -> Html {
    let text = fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

/// The page under `items/` that holds an item's article, and the article
/// alone as a document of its own.
fn item_article(out: &Path, id: &str) -> (String, Html) {
    let mut found = Vec::new();
    for rel in html_pages(out)
        .into_iter()
        .filter(|p| p.starts_with("items/"))
    {
        let doc = page(out, &rel);
        for a in doc.select(&sel("article.item")) {
            let head: String = a.select(&sel("h1 code")).map(text_of).collect();
            if head == id {
                found.push((rel.clone(), Html::parse_fragment(&a.html())));
            }
        }
    }
    assert_eq!(found.len(), 1, "{id}: {} articles", found.len());
    found.pop().unwrap()
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect()
}

/// Every `*.html` under the site, as paths relative to it with `/`.
fn html_pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

/// Every file of a site with its bytes, keyed by path relative to the site.
fn site_files(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot_tree(out)
        .into_iter()
        .map(|(p, b)| (p.strip_prefix(out).unwrap().to_path_buf(), b))
        .collect()
}

/// A link on a page at `from` (relative to the site) resolved to a file on
/// disk, without its `#fragment`.
fn link_target(out: &Path, from: &str, href: &str) -> PathBuf {
    let path = href.split('#').next().unwrap();
    let base = Path::new(from).parent().unwrap_or(Path::new(""));
    out.join(base).join(path)
}

/// One top-level item of a project: kind, id and its table.
struct Item {
    kind: String,
    id: String,
    table: toml::Table,
}

/// The project's item files (every `*.toml` below it but the root
/// `needtrail.toml`), parsed independently of needtrail.
fn item_files(project: &Path) -> Vec<toml::Table> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(project)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| e.path().to_path_buf())
        .filter(|p| p != &project.join("needtrail.toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            fs::read_to_string(p)
                .unwrap()
                .parse::<toml::Table>()
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// The top-level items (`[[kind]]` tables, not sub-items) of a project.
fn items_of(project: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    for file in item_files(project) {
        for (kind, value) in file {
            let Some(list) = value.as_array() else {
                continue;
            };
            for t in list {
                let table = t.as_table().expect("item is a table").clone();
                let id = table["id"].as_str().expect("item has an id").to_owned();
                items.push(Item {
                    kind: kind.clone(),
                    id,
                    table,
                });
            }
        }
    }
    items
}

fn ids_of_kind(items: &[Item], kind: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.id.clone())
        .collect()
}

/// The `<footer>` input digest of a page.
fn digest_of(doc: &Html) -> String {
    let d: Vec<String> = doc
        .select(&sel("footer code.digest"))
        .map(text_of)
        .collect();
    assert_eq!(d.len(), 1, "one digest per footer");
    d[0].trim().to_owned()
}

/// Runs `generate` into `<tmp>/NAME`.
fn generate(tmp: &Path, name: &str, args: &[&str]) -> PathBuf {
    let dir = tmp.join(name);
    let mut all = vec!["generate".to_owned(), dir.to_string_lossy().into_owned()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let r = run(all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir
}

// ---------------------------------------------------------------------------
// 1. The findings pages list exactly the documented gaps.

fn assert_findings_pages(sample_name: &str) {
    let dir = sample(sample_name);
    let gaps = documented_gaps(&dir);
    for lang in LANGS {
        let (_tmp, out) = site(&dir, &["--lang", lang]);
        for (file, rules) in [
            ("untraced.html", UNTRACED_RULES),
            ("unverified.html", UNVERIFIED_RULES),
        ] {
            let doc = page(&out, file);
            let mut sections = BTreeSet::new();
            let mut found: Vec<(String, String, String)> = Vec::new();
            for section in doc.select(&sel("section.rule-group")) {
                let rule = section
                    .attr("id")
                    .and_then(|id| id.strip_prefix("rule-"))
                    .unwrap_or_else(|| panic!("{file}: section without a rule-<id>"))
                    .to_owned();
                assert!(
                    rules.contains(&rule.as_str()),
                    "{lang} {file}: section for `{rule}`, which belongs to another page"
                );
                assert!(sections.insert(rule.clone()), "{file}: `{rule}` twice");
                for row in section.select(&sel("tr.finding[data-id]")) {
                    let id = row.attr("data-id").unwrap().to_owned();
                    let severity = row
                        .value()
                        .classes()
                        .find_map(|c| c.strip_prefix("sev-"))
                        .unwrap_or_else(|| panic!("{file}: row {id} has no sev-* class"))
                        .to_owned();
                    // The row links to the item's page, which exists.
                    let links: Vec<ElementRef> = row.select(&sel("a[href]")).collect();
                    assert!(!links.is_empty(), "{lang} {file}: row {id} links nowhere");
                    for a in links {
                        let href = a.attr("href").unwrap();
                        let target = link_target(&out, file, href);
                        assert!(
                            target.is_file(),
                            "{lang} {file}: row {id} links to {href}, which is not written"
                        );
                    }
                    found.push((rule.clone(), id, severity));
                }
            }
            // No finding rows outside a rule's section.
            assert_eq!(
                doc.select(&sel("tr.finding")).count(),
                found.len(),
                "{lang} {file}: finding rows outside rule sections"
            );
            found.sort();
            let expected: Vec<_> = gaps
                .iter()
                .filter(|(rule, _, _)| rules.contains(&rule.as_str()))
                .cloned()
                .collect();
            assert_eq!(
                found, expected,
                "{sample_name} {lang} {file}: (rule, id, severity) rows differ from the README's gaps"
            );
            // Every rule of the group has its section, with or without findings.
            let all: BTreeSet<String> = rules.iter().map(|r| (*r).to_owned()).collect();
            assert_eq!(sections, all, "{lang} {file}: rule sections");
            let total: Vec<String> = doc
                .select(&sel("#finding-count strong"))
                .map(text_of)
                .collect();
            assert_eq!(total, vec![expected.len().to_string()], "{lang} {file}");
        }
    }
}

#[test]
fn findings_pages_of_doors_zh_list_exactly_its_documented_gaps() {
    assert_findings_pages("doors-zh");
}

#[test]
fn findings_pages_of_auto_parts_en_list_exactly_its_documented_gaps() {
    assert_findings_pages("auto-parts-en");
}

// ---------------------------------------------------------------------------
// 2. The matrix: the rows of `needtrail matrix`, with their statuses.

/// The report's matrix is the profile's (requirement → verification):
/// the rows `matrix --format json` gives, in the same order, with the same
/// statuses, notes, findings and marked cells, in every language; and its
/// filters select what they say.
fn assert_matrix(sample_name: &str) {
    let dir = sample(sample_name);
    let items = items_of(&dir);
    let json = crate::matrix_one::matrix_json(&dir, "requirement", "verification", &[]);
    let columns = json["matrix"]["columns"].as_array().unwrap().len();
    let rows = crate::matrix_one::json_rows(&json);
    assert!(
        rows.iter().any(|r| r.iter().any(|c| c.ends_with('✗'))),
        "the sample should have broken cells"
    );
    for lang in LANGS {
        let (_tmp, out) = site(&dir, &["--lang", lang]);
        let doc = page(&out, "matrix.html");
        assert_eq!(
            crate::matrix_one::html_rows(&doc, columns),
            rows,
            "{sample_name} {lang}: matrix rows"
        );
        // A broken cell says so in words, not only in colour.
        for cell in doc.select(&sel("table#matrix tbody .broken")) {
            let marks: Vec<String> = cell.select(&sel(".broken-mark")).map(text_of).collect();
            assert_eq!(marks.len(), 1, "{lang}: {}", cell.html());
            let mark = marks[0].trim();
            assert!(
                mark.starts_with('✗') && mark.chars().count() > 2,
                "{lang}: broken cell marked `{mark}`"
            );
        }
        assert_filters_select_rows(&doc, &contract_customers(&items));
    }
}

/// The matrix filters as `report.js` applies them: a row matches a select's
/// value when the value is one of the ids in the row's `data-<filter>`
/// attribute (a JSON list; a plain attribute is split at whitespace). Every contract and customer offered must
/// select exactly the rows that link to it.
/// A requirement belongs to its own customer and to the customer of its
/// contract (`contract_customers`: each contract's customers), so the
/// customer filter selects both.
fn assert_filters_select_rows(doc: &Html, contract_customers: &BTreeMap<String, BTreeSet<String>>) {
    for (filter, column) in [("contract", 2), ("customer", 1)] {
        let options: Vec<String> = doc
            .select(&sel(&format!("#filter-{filter} option")))
            .filter_map(|o| o.attr("value"))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        assert!(!options.is_empty(), "no {filter} to filter by");
        for value in options {
            for row in doc.select(&sel("table#matrix tbody tr")) {
                let attr = row.attr(&format!("data-{filter}")).unwrap_or_default();
                let words: Vec<String> = if attr.starts_with('[') {
                    serde_json::from_str(attr).expect("a JSON list of ids")
                } else {
                    attr.split_whitespace().map(str::to_owned).collect()
                };
                let cell = row.select(&sel(":scope > td")).nth(column).unwrap();
                let mut links: Vec<String> = cell.select(&sel("a")).map(text_of).collect();
                if filter == "customer" {
                    let contracts = row.select(&sel(":scope > td")).nth(2).unwrap();
                    for k in contracts.select(&sel("a")).map(text_of) {
                        links.extend(contract_customers.get(&k).into_iter().flatten().cloned());
                    }
                }
                assert_eq!(
                    words.contains(&value),
                    links.contains(&value),
                    "{filter} filter `{value}` on a row linking {links:?} (data-{filter} = {words:?})"
                );
            }
        }
    }
}

/// Ids may contain spaces (`CON 1`); the filter's space-separated lists
/// then split them, and choosing that contract hides every row.
#[test]
fn matrix_filters_work_for_ids_with_spaces() {
    let p = tempfile::tempdir().unwrap();
    write(
        p.path(),
        "needtrail.toml",
        "[project]\nname = \"spaces\"\nprofile = \"iso9001\"\n",
    );
    write(
        p.path(),
        "items.toml",
        r#"
[[customer]]
id = "CUS 1"
title = "Customer"
type = "external"

[[contract]]
id = "CON 1"
title = "Contract"
customer = "CUS 1"

[[requirement]]
id = "REQ 1"
title = "Requirement"
class = "stated"
source = "clause 1"
contract = "CON 1"
customer = "CUS 1"
"#,
    );
    let (_, json) = check_json(p.path());
    assert_eq!(
        json["summary"]["kinds"]["contract"], 1,
        "ids with spaces load"
    );
    let (_tmp, out) = site(p.path(), &[]);
    assert_filters_select_rows(
        &page(&out, "matrix.html"),
        &contract_customers(&items_of(p.path())),
    );
}

/// Each contract's customers, from the project's files.
fn contract_customers(items: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    items
        .iter()
        .filter(|i| i.kind == "contract")
        .map(|i| {
            let customers = match i.table.get("customer") {
                Some(toml::Value::String(c)) => BTreeSet::from([c.clone()]),
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => BTreeSet::new(),
            };
            (i.id.clone(), customers)
        })
        .collect()
}

/// The requirements whose rows a filter value selects, as `report.js`
/// reads a row's `data-<filter>` list.
fn rows_selected(doc: &Html, filter: &str, value: &str) -> BTreeSet<String> {
    doc.select(&sel("table#matrix tbody tr"))
        .filter(|row| {
            let attr = row.attr(&format!("data-{filter}")).unwrap_or_default();
            let words: Vec<String> = serde_json::from_str(attr).expect("a JSON list of ids");
            words.iter().any(|w| w == value)
        })
        .map(|row| row.select(&sel("th[scope=row] > a")).map(text_of).collect())
        .collect()
}

/// A legal requirement names no customer, but its contract is the
/// customer's: filtering the matrix by that customer keeps it, as
/// `matrix --customer` does.
#[test]
fn the_customer_filter_keeps_requirements_of_the_customers_contracts() {
    let dir = sample("doors-zh");
    let (_tmp, out) = site(&dir, &[]);
    let doc = page(&out, "matrix.html");
    let selected = rows_selected(&doc, "customer", "CUS-001");
    for id in ["REQ-013", "REQ-014", "REQ-015", "REQ-016", "REQ-019"] {
        assert!(selected.contains(id), "CUS-001 drops {id}: {selected:?}");
    }
    // The same rows as the command line's matrix, for every customer offered.
    let customers: Vec<String> = doc
        .select(&sel("#filter-customer option"))
        .filter_map(|o| o.attr("value"))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(customers.contains(&"CUS-001".to_owned()), "{customers:?}");
    for c in customers {
        let r = run([
            "matrix",
            dir.to_str().unwrap(),
            "--from",
            "requirement",
            "--to",
            "design_input",
            "--customer",
            &c,
            "--format",
            "json",
        ]);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let cli: BTreeSet<String> = json["matrix"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["cells"][0]["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(rows_selected(&doc, "customer", &c), cli, "customer {c}");
    }
}

/// Matrix rows come in the natural order of their ids (`REQ-2` before
/// `REQ-10`), not in the order of the files that hold them.
#[test]
fn matrix_rows_come_in_natural_id_order() {
    let p = tempfile::tempdir().unwrap();
    write(
        p.path(),
        "needtrail.toml",
        "[project]\nname = \"order\"\nprofile = \"iso9001\"\n",
    );
    let req = |id: &str| {
        format!(
            "[[requirement]]\nid = \"{id}\"\ntitle = \"Requirement {id}\"\nclass = \"stated\"\nsource = \"clause\"\n\n"
        )
    };
    write(p.path(), "a.toml", &(req("REQ-10") + &req("REQ-9")));
    write(
        p.path(),
        "b.toml",
        &(req("REQ-2") + &req("REQ-1") + &req("REQ-100")),
    );
    let (_tmp, out) = site(p.path(), &[]);
    let ids = |doc: &Html| -> Vec<String> {
        doc.select(&sel("table#matrix tbody tr th[scope=row] > a"))
            .map(text_of)
            .collect()
    };
    assert_eq!(
        ids(&page(&out, "matrix.html")),
        ["REQ-1", "REQ-2", "REQ-9", "REQ-10", "REQ-100"]
    );
    // A sample spread over several files, too.
    let (_tmp2, out) = site(&sample("auto-parts-en"), &[]);
    let shown = ids(&page(&out, "matrix.html"));
    let mut sorted = shown.clone();
    sorted.sort_by_key(|id| {
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        (
            id.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned(),
            digits.parse::<u64>().unwrap_or(0),
        )
    });
    assert_eq!(shown, sorted);
}

#[test]
fn matrix_of_doors_zh_shows_the_rows_and_statuses_of_the_matrix_command() {
    assert_matrix("doors-zh");
}

#[test]
fn matrix_of_auto_parts_en_shows_the_rows_and_statuses_of_the_matrix_command() {
    assert_matrix("auto-parts-en");
}

// ---------------------------------------------------------------------------
// 3. Escaping and the content security policy.

const SCRIPT_TEXT: &str = "<script>alert(1)</script>";
const CUSTOMER_TITLE: &str = r#""quotes" & <b>tags</b>"#;
const PROJECT_NAME: &str = r#"</title><script>alert("name")</script>"#;
const SOURCE_TEXT: &str = "<img src=x onerror=alert(3)>";

fn hostile_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        &format!("[project]\nname = '{PROJECT_NAME}'\nprofile = \"iso9001\"\n"),
    );
    write(
        dir.path(),
        "items.toml",
        &format!(
            r#"
[[customer]]
id = "CUS-1"
title = '{CUSTOMER_TITLE}'
type = "external"

[[contract]]
id = "CON-1"
title = "Contract <i>one</i>"
customer = "CUS-1"

[[requirement]]
id = "REQ-1"
title = '{SCRIPT_TEXT}'
text = '{SCRIPT_TEXT}'
class = "stated"
contract = "CON-1"
customer = "CUS-1"
source = '{SOURCE_TEXT}'
"#
        ),
    );
    dir
}

#[test]
fn item_texts_are_escaped_and_pages_forbid_inline_scripts() {
    let project = hostile_project();
    let (_tmp, out) = site(project.path(), &[]);
    let pages = html_pages(&out);
    assert!(
        pages.contains(&"items/requirement-1.html".to_owned()),
        "{pages:?}"
    );
    for rel in &pages {
        let raw = fs::read_to_string(out.join(rel)).unwrap();
        let doc = Html::parse_document(&raw);
        let root = "../".repeat(rel.matches('/').count());

        // Scripts: only the report's own file and the JSON data block.
        let mut json_blocks = 0;
        for s in doc.select(&sel("script")) {
            match (s.attr("src"), s.attr("type")) {
                (Some(src), _) => {
                    assert_eq!(src, format!("{root}assets/report.js"), "{rel}");
                    assert!(
                        text_of(s).trim().is_empty(),
                        "{rel}: script with src and body"
                    );
                }
                (None, Some("application/json")) => {
                    json_blocks += 1;
                    let body = text_of(s);
                    assert!(!body.contains('<'), "{rel}: raw `<` in JSON block: {body}");
                    serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|e| {
                        panic!("{rel}: JSON block does not parse ({e}): {body}")
                    });
                }
                _ => panic!("{rel}: inline script: {}", s.html()),
            }
        }
        assert_eq!(json_blocks, 1, "{rel}: JSON data blocks");

        // No markup from item texts became elements or event handlers.
        for tag in ["b", "i", "img"] {
            assert_eq!(doc.select(&sel(tag)).count(), 0, "{rel}: a <{tag}> element");
        }
        for el in doc.root_element().descendent_elements() {
            for (name, _) in el.value().attrs() {
                assert!(
                    !name.starts_with("on"),
                    "{rel}: event handler {}",
                    el.html()
                );
            }
        }
        // The project name is on every page, so its markup is escaped on every page.
        assert!(raw.contains("&lt;script&gt;"), "{rel}: no escaped <script>");
        let title: String = doc.select(&sel("head > title")).map(text_of).collect();
        assert!(title.contains(PROJECT_NAME), "{rel}: <title> is `{title}`");

        // Content security policy: scripts from files of the report only.
        let csp: Vec<&str> = doc
            .select(&sel("head > meta[http-equiv]"))
            .filter(|m| {
                m.attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("Content-Security-Policy"))
            })
            .filter_map(|m| m.attr("content"))
            .collect();
        assert_eq!(csp.len(), 1, "{rel}: CSP meta elements");
        assert!(csp[0].contains("script-src 'self'"), "{rel}: {}", csp[0]);
        assert!(!csp[0].contains("unsafe-inline"), "{rel}: {}", csp[0]);
        assert!(!csp[0].contains("unsafe-eval"), "{rel}: {}", csp[0]);
    }

    // The texts read as written, as text.
    let (_, item) = item_article(&out, "REQ-1");
    let h1: String = item.select(&sel("h1")).map(text_of).collect();
    assert!(h1.contains(SCRIPT_TEXT), "item heading: {h1}");
    let fields: String = item.select(&sel("dl.fields dd")).map(text_of).collect();
    assert!(fields.contains(SCRIPT_TEXT), "text field: {fields}");
    assert!(fields.contains(SOURCE_TEXT), "source field: {fields}");
    let svg_titles: String = item.select(&sel("svg.thread title")).map(text_of).collect();
    assert!(svg_titles.contains(SCRIPT_TEXT), "svg titles: {svg_titles}");
    assert!(
        svg_titles.contains(CUSTOMER_TITLE),
        "svg titles: {svg_titles}"
    );

    let untraced = page(&out, "untraced.html");
    let row: String = untraced
        .select(&sel(r#"tr.finding[data-id="REQ-1"]"#))
        .map(text_of)
        .collect();
    assert!(row.contains(SCRIPT_TEXT), "finding row: {row}");

    let matrix = page(&out, "matrix.html");
    let titles: Vec<String> = matrix
        .select(&sel("table#matrix tbody span.title"))
        .map(text_of)
        .collect();
    assert_eq!(titles, vec![SCRIPT_TEXT.to_owned()]);
    let customer_links: Vec<&str> = matrix
        .select(&sel(
            r#"table#matrix tbody a[href="items/customer-1.html#i-CUS-1"]"#,
        ))
        .filter_map(|a| a.attr("title"))
        .collect();
    assert_eq!(customer_links, vec![CUSTOMER_TITLE], "title attribute");
    let options: Vec<String> = matrix
        .select(&sel("#filter-customer option"))
        .map(text_of)
        .collect();
    assert!(
        options.iter().any(|o| o.contains(CUSTOMER_TITLE)),
        "{options:?}"
    );

    let (customer_page, customer) = item_article(&out, "CUS-1");
    let h1: String = customer.select(&sel("h1")).map(text_of).collect();
    assert!(h1.contains(CUSTOMER_TITLE), "customer heading: {h1}");
    let raw = fs::read_to_string(out.join(customer_page)).unwrap();
    assert!(raw.contains("&lt;b&gt;"), "customer page: <b> not escaped");
}

// ---------------------------------------------------------------------------
// 4. The zh report has no English in its interface.

/// Runs of ASCII letters of two or more, the "English words" of a text.
fn ascii_words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
}

fn collect_strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// The Chinese strings (`zh = "..."`) of a catalog or profile that are written
/// in Chinese: one without a CJK character is an English string copied over,
/// whose words must not count as Chinese.
fn collect_zh(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Array(a) => a.iter().for_each(|x| collect_zh(x, out)),
        toml::Value::Table(t) => {
            for (k, x) in t {
                match x {
                    toml::Value::String(s) if k == "zh" => {
                        if s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                            out.push(s.clone());
                        }
                    }
                    _ => collect_zh(x, out),
                }
            }
        }
        _ => {}
    }
}

fn read_toml(path: &Path) -> toml::Table {
    fs::read_to_string(path)
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every value an `enum` field may take, in a profile or a needtrail.toml.
fn collect_enum_values(v: &toml::Value, out: &mut BTreeSet<String>) {
    match v {
        toml::Value::Array(a) => a.iter().for_each(|x| collect_enum_values(x, out)),
        toml::Value::Table(t) => {
            if t.get("type").and_then(|x| x.as_str()) == Some("enum")
                && let Some(values) = t.get("values").and_then(|x| x.as_array())
            {
                out.extend(values.iter().filter_map(|x| x.as_str()).map(str::to_owned));
            }
            t.values().for_each(|x| collect_enum_values(x, out));
        }
        _ => {}
    }
}

/// ASCII words a zh page may show: the project's own texts (item content is
/// never translated) and words that Chinese translations themselves contain
/// (e.g. `SHA-256`, `PPAP`), plus the tool's name.
///
/// Item values of `enum` fields (`stated`, `accepted`, `tender`...) are left
/// out: the report must show those through their translated labels.
fn allowed_in_zh(project: &Path) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let profile = toml::Value::Table(read_toml(&root.join("profiles/iso9001.toml")));
    let config = toml::Value::Table(read_toml(&project.join("needtrail.toml")));
    let mut enums = BTreeSet::new();
    collect_enum_values(&profile, &mut enums);
    collect_enum_values(&config, &mut enums);
    assert!(enums.contains("accepted"), "enum values: {enums:?}");

    let mut texts = Vec::new();
    for file in item_files(project) {
        collect_strings(&toml::Value::Table(file), &mut texts);
    }
    texts.retain(|s| !enums.contains(s));
    collect_strings(&config["project"]["name"], &mut texts);
    collect_zh(
        &toml::Value::Table(read_toml(&root.join("templates/i18n.toml"))),
        &mut texts,
    );
    collect_zh(&profile, &mut texts);
    collect_zh(&config, &mut texts);
    texts.push("needtrail".into());
    texts
        .iter()
        .flat_map(|t| ascii_words(t).map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// What a reader sees of a page as words, outside `<code>` (ids, rule ids,
/// file paths, the digest) and scripts: every text node (the `<title>`, SVG
/// labels included) and the attributes browsers show or read aloud.
fn visible_words(doc: &Html) -> BTreeSet<String> {
    let mut texts: Vec<&str> = Vec::new();
    for node in doc.tree.nodes() {
        match node.value() {
            Node::Text(t) => {
                let hidden = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "code" | "script" | "style"))
                });
                if !hidden {
                    texts.push(t);
                }
            }
            Node::Element(e) => {
                for attr in ["title", "aria-label", "placeholder", "alt"] {
                    if let Some(v) = e.attr(attr) {
                        texts.push(v);
                    }
                }
            }
            _ => {}
        }
    }
    texts.into_iter().flat_map(words_marking_cuts).collect()
}

/// The words of `text` as [`ascii_words`] gives them, except that a word cut
/// short by an ellipsis (the SVG shortens long titles) keeps its `…`.
fn words_marking_cuts(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        if word.len() >= 2 || (c == '…' && !word.is_empty()) {
            if c == '…' {
                word.push('…');
            }
            words.push(std::mem::take(&mut word));
        }
        word.clear();
    }
    words
}

/// Words on the pages of a site that are not allowed, by page. A word cut
/// short is allowed when an allowed word begins with it.
fn english_on_pages(out: &Path, allowed: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut found = BTreeMap::new();
    for rel in html_pages(out) {
        let words: BTreeSet<String> = visible_words(&page(out, &rel))
            .into_iter()
            .filter(|w| match w.strip_suffix('…') {
                Some(cut) => !allowed.iter().any(|a| a.starts_with(cut)),
                None => !allowed.contains(w),
            })
            .collect();
        if !words.is_empty() {
            found.insert(rel, words);
        }
    }
    found
}

/// Catches an interface string left in English in the zh report: a template
/// that writes English text instead of `{{ site.text.key }}`, a catalog entry whose
/// zh is a copy of the en, a kind/field/value/rule label without zh that falls
/// back to its English name, or English hard-coded in Rust (the SVG).
///
/// It does so without knowing where the interface ends and item content
/// begins: on doors-zh, whose content is written in Chinese, every ASCII word
/// a reader sees on a zh page (all text nodes and shown attributes, outside
/// `<code>`) must come from the project's own files or from a Chinese
/// translation. That is stricter than looking for the en catalog's words in
/// headings only: it covers every element and strings not in the catalog.
///
/// To show the check can fail, the same detector is run on the en report of
/// the same project, where it must flag the English words of interface
/// strings on every kind of page (dashboard, findings, matrix, item).
#[test]
fn zh_report_shows_no_english_interface_text() {
    let dir = sample("doors-zh");
    let allowed = allowed_in_zh(&dir);

    let (_tz, zh) = site(&dir, &["--lang", "zh"]);
    let english = english_on_pages(&zh, &allowed);
    assert!(
        english.is_empty(),
        "English words on zh pages (a missing translation?):\n{english:#?}"
    );

    // The strings for the page's script are Chinese too.
    let catalog = read_toml(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/i18n.toml"));
    for rel in html_pages(&zh) {
        let doc = page(&zh, &rel);
        for s in doc.select(&sel(r#"script[type="application/json"]"#)) {
            let v: serde_json::Value = serde_json::from_str(&text_of(s)).unwrap();
            let shown = v["rows_shown"].as_str().unwrap_or_default();
            assert_eq!(
                Some(shown),
                catalog["rows_shown"]["zh"].as_str(),
                "{rel}: script strings"
            );
        }
        let lang = doc
            .select(&sel("html"))
            .next()
            .and_then(|h| h.attr("lang"))
            .unwrap_or_default()
            .to_owned();
        assert!(lang.starts_with("zh"), "{rel}: <html lang={lang}>");
    }

    // The detector sees English where there is some.
    let (_te, en) = site(&dir, &["--lang", "en"]);
    let flagged = english_on_pages(&en, &allowed);
    for (rel, key) in [
        ("index.html", "dashboard_heading"),
        ("index.html", "nav_dashboard"),
        ("untraced.html", "intro_untraced"),
        ("unverified.html", "findings_total"),
        ("matrix.html", "matrix_intro"),
        ("items/requirement-1.html", "thread_heading"),
        ("items/requirement-1.html", "upstream_heading"),
        ("items/requirement-1.html", "footer_digest_note"),
    ] {
        let en_text = catalog[key]["en"].as_str().unwrap();
        let want: BTreeSet<String> = ascii_words(en_text)
            .filter(|w| !allowed.contains(*w))
            .map(str::to_owned)
            .collect();
        assert!(
            !want.is_empty(),
            "{key}: `{en_text}` has no English word to find"
        );
        let got = flagged.get(rel).cloned().unwrap_or_default();
        assert!(
            want.is_subset(&got),
            "{rel}: en `{en_text}` ({key}) not flagged; flagged: {got:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 5. The same input gives the same bytes; the time only when asked for.

#[test]
fn renders_are_byte_identical_and_timestamped_only_by_source_date_epoch() {
    let dir = sample("doors-zh");
    let (_ta, a) = site(&dir, &["--lang", "zh"]);
    let tb = tempfile::tempdir().unwrap();
    let b = tb.path().join("another-name");
    let r = report_env(&dir, &b, &["--lang", "zh"], &[("RAYON_NUM_THREADS", "1")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (fa, fb) = (site_files(&a), site_files(&b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "file lists differ"
    );
    for (path, bytes) in &fa {
        assert!(
            fb[path] == *bytes,
            "{} differs between runs",
            path.display()
        );
    }

    // Without SOURCE_DATE_EPOCH no time appears.
    let catalog = read_toml(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/i18n.toml"));
    let generated_zh = catalog["footer_generated"]["zh"].as_str().unwrap();
    let generated_en = catalog["footer_generated"]["en"].as_str().unwrap();
    for rel in html_pages(&a) {
        let doc = page(&a, &rel);
        let footer: String = doc.select(&sel("footer")).map(text_of).collect();
        assert!(!footer.is_empty(), "{rel}: no footer");
        assert!(!footer.contains(generated_zh), "{rel}: {footer}");
        assert!(!footer.contains("UTC"), "{rel}: {footer}");
        let raw = fs::read_to_string(a.join(&rel)).unwrap();
        assert!(!raw.contains(" UTC"), "{rel} shows a time");
    }

    // With it, every footer says when, in UTC.
    let tc = tempfile::tempdir().unwrap();
    let c = tc.path().join("site");
    let r = report_env(&dir, &c, &[], &[("SOURCE_DATE_EPOCH", "0")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for rel in html_pages(&c) {
        let doc = page(&c, &rel);
        let dts: Vec<ElementRef> = doc.select(&sel("footer dt")).collect();
        let at = dts
            .iter()
            .find(|dt| text_of(**dt).trim() == generated_en)
            .unwrap_or_else(|| panic!("{rel}: no `{generated_en}` in the footer"));
        let dd = at
            .next_siblings()
            .find_map(ElementRef::wrap)
            .expect("dd after dt");
        assert_eq!(dd.value().name(), "dd");
        assert_eq!(text_of(dd).trim(), "1970-01-01 00:00 UTC", "{rel}");
    }
    // And two such runs still agree.
    let td = tempfile::tempdir().unwrap();
    let d = td.path().join("site");
    let r = report_env(&dir, &d, &[], &[("SOURCE_DATE_EPOCH", "0")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(site_files(&c) == site_files(&d), "timestamped runs differ");
}

#[test]
fn a_copy_of_the_project_elsewhere_gives_the_same_report() {
    // The footer promises: the same files always give the same digest and
    // the same report, wherever they are checked out.
    let copy = copy_tree(&sample("auto-parts-en"));
    let (_ta, a) = site(&sample("auto-parts-en"), &[]);
    let (_tb, b) = site(copy.path(), &[]);
    let (fa, fb) = (site_files(&a), site_files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (path, bytes) in &fa {
        assert!(fb[path] == *bytes, "{} differs", path.display());
    }
}

// ---------------------------------------------------------------------------
// 6. The output folder: never someone else's, never stale.

/// Names in a folder, to show no staging folders are left beside the output.
fn names_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_non_empty_folder_not_written_by_needtrail_is_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("docs");
    write(&out, "notes.txt", "keep me\n");
    write(&out, "index.html", "<p>my own page</p>\n");
    write(&out, "items/REQ-001.html", "mine too\n");
    let before = snapshot_tree(&out);

    let r = report(&sample("doors-zh"), &out, &[]);
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert!(r.stderr.contains("docs"), "names the folder: {}", r.stderr);
    assert_eq!(snapshot_tree(&out), before, "the folder was changed");
    assert_eq!(names_in(tmp.path()), BTreeSet::from(["docs".to_owned()]));

    // A file where the folder should be is refused too.
    let file = tmp.path().join("report.html");
    fs::write(&file, "a file\n").unwrap();
    let r = report(&sample("doors-zh"), &file, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), "a file\n");
}

#[test]
fn rendering_again_replaces_the_earlier_report_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = report(&sample("doors-zh"), &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(out.join(".needtrail-output").is_file(), "marker written");
    let first = site_files(&out);

    write(&out, "items/STALE.html", "<p>from an old run</p>");
    write(&out, "old-page.html", "<p>from an old run</p>");
    let r = report(&sample("doors-zh"), &out, &[]);
    assert_eq!(r.code, 1, "second run into our own folder: {}", r.stderr);
    assert!(
        !out.join("items/STALE.html").exists(),
        "stale item page kept"
    );
    assert!(!out.join("old-page.html").exists(), "stale page kept");
    assert!(
        site_files(&out) == first,
        "second run differs from the first"
    );
    assert_eq!(
        names_in(tmp.path()),
        BTreeSet::from(["site".to_owned()]),
        "staging folders left beside the output"
    );

    // A report in another language replaces it too.
    let r = report(&sample("doors-zh"), &out, &["--lang", "zh"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lang = page(&out, "index.html")
        .select(&sel("html"))
        .next()
        .and_then(|h| h.attr("lang").map(str::to_owned));
    assert_eq!(lang.as_deref(), Some("zh-CN"));
}

#[test]
fn an_empty_existing_folder_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("empty");
    fs::create_dir(&out).unwrap();
    let r = report(&sample("auto-parts-en"), &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(out.join("index.html").is_file());
    assert!(out.join(".needtrail-output").is_file());
    assert_eq!(names_in(tmp.path()), BTreeSet::from(["empty".to_owned()]));
}

/// `--out .` from inside an empty folder: the folder is accepted (it is
/// empty), but replacing it means renaming `.`, which fails ("Device or
/// resource busy"), and the staging folder is made inside it.
#[test]
fn the_current_folder_can_be_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("docs");
    fs::create_dir(&out).unwrap();
    for _ in 0..2 {
        let o = needtrail()
            .current_dir(&out)
            .arg("report")
            .arg(sample("auto-parts-en"))
            .args(["--out", "."])
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(out.join("index.html").is_file());
        assert!(out.join(".needtrail-output").is_file());
    }
    assert_eq!(names_in(tmp.path()), BTreeSet::from(["docs".to_owned()]));
}

// ---------------------------------------------------------------------------
// 7. Template overrides.

#[test]
fn an_overriding_template_replaces_only_its_page() {
    let dir = sample("doors-zh");
    let tpl = tempfile::tempdir().unwrap();
    write(
        tpl.path(),
        "index.html",
        r#"{% extends "base.html" %}{% block content %}<p id="custom">custom {{ site.project }}</p>{% endblock content %}"#,
    );
    write(tpl.path(), "notes.txt", "not a template, ignored");
    let (_ta, plain) = site(&dir, &[]);
    let (_tb, custom) = site(&dir, &["--templates", tpl.path().to_str().unwrap()]);

    let doc = page(&custom, "index.html");
    let p: Vec<String> = doc.select(&sel("main p#custom")).map(text_of).collect();
    let name = read_toml(&dir.join("needtrail.toml"))["project"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(p, vec![format!("custom {name}")]);
    // Still inside the built-in base: the same navigation, and the footer.
    let nav = |d: &Html| -> Vec<String> {
        d.select(&sel("header nav a"))
            .map(|a| a.attr("href").unwrap_or_default().to_owned())
            .collect()
    };
    let plain_nav = nav(&page(&plain, "index.html"));
    assert!(plain_nav.len() >= 4, "{plain_nav:?}");
    assert_eq!(nav(&doc), plain_nav);
    assert_eq!(digest_of(&doc).len(), 64);
    assert_eq!(doc.select(&sel("table.rules")).count(), 0, "old dashboard");

    let (a, b) = (site_files(&plain), site_files(&custom));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        if path == Path::new("index.html") {
            assert!(b[path] != *bytes);
        } else {
            assert!(b[path] == *bytes, "{} changed", path.display());
        }
    }
}

#[test]
fn a_broken_template_is_an_input_error_naming_it() {
    let dir = sample("auto-parts-en");
    for (name, text) in [
        // Does not parse.
        (
            "findings.html",
            r#"{% extends "base.html" %}{% block content %}{{ findings.total "#,
        ),
        // Parses, fails to render.
        (
            "item.html",
            r#"{% extends "base.html" %}{% block content %}{{ no_such.thing }}{% endblock content %}"#,
        ),
    ] {
        let tpl = tempfile::tempdir().unwrap();
        write(tpl.path(), name, text);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let r = report(&dir, &out, &["--templates", tpl.path().to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(name), "{name}: message: {}", r.stderr);
        assert!(!out.exists(), "{name}: output written despite the error");
        assert!(names_in(tmp.path()).is_empty(), "{name}: leftovers");
    }

    // A templates folder that does not exist.
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-templates");
    let r = report(
        &dir,
        &tmp.path().join("site"),
        &["--templates", missing.to_str().unwrap()],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-templates"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------
// 8. Exit codes, item pages, evidence footer.

#[test]
fn exit_codes_follow_fail_on_like_check() {
    for name in SAMPLES {
        let dir = sample(name);
        for (fail_on, want) in [
            (None, 1),
            (Some("error"), 1),
            (Some("warning"), 1),
            (Some("never"), 0),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            let args: Vec<&str> = fail_on.map(|f| vec!["--fail-on", f]).unwrap_or_default();
            let r = report(&dir, &out, &args);
            assert_eq!(r.code, want, "{name} {fail_on:?}: {}", r.stderr);
            assert!(
                out.join("index.html").is_file(),
                "{name} {fail_on:?}: written"
            );
            // Same as check.
            let mut check = vec!["check".to_owned(), dir.to_string_lossy().into_owned()];
            if let Some(f) = fail_on {
                check.extend(["--fail-on".to_owned(), f.to_owned()]);
            }
            assert_eq!(run(check).code, want, "{name} {fail_on:?}: check");
        }
    }

    // A project with only a warning: 0 by default, 1 with --fail-on warning.
    let p = tempfile::tempdir().unwrap();
    write(
        p.path(),
        "needtrail.toml",
        "[project]\nname = \"w\"\nprofile = \"iso9001\"\n",
    );
    write(
        p.path(),
        "items.toml",
        r#"
[[customer]]
id = "CUS-1"
title = "Customer"
type = "external"

[[contract]]
id = "CON-1"
title = "Contract"
customer = "CUS-1"

[[requirement]]
id = "REQ-1"
title = "Payment in 30 days"
class = "stated"
contract = "CON-1"
customer = "CUS-1"
source = "clause 9"
design = false
rationale = "commercial"

[[review]]
id = "REV-1"
title = "Review"
contract = "CON-1"

[[review.decision]]
requirement = "REQ-1"
verdict = "accepted"
"#,
    );
    let (_, json) = check_json(p.path());
    assert_eq!(
        (
            json["summary"]["errors"].as_u64(),
            json["summary"]["warnings"].as_u64()
        ),
        (Some(0), Some(1)),
        "{json:#}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let r = report(p.path(), &tmp.path().join("a"), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = report(p.path(), &tmp.path().join("b"), &["--fail-on", "warning"]);
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Bad input is 2, and nothing is written.
    let out = tmp.path().join("c");
    let r = report(&fixture("no-such-fixture"), &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn every_item_has_a_page_with_its_thread_and_every_page_its_evidence() {
    let version = env!("CARGO_PKG_VERSION");
    for name in SAMPLES {
        let dir = sample(name);
        let items = items_of(&dir);
        let (_tmp, out) = site(&dir, &[]);
        let mut expected = BTreeSet::new();
        for item in &items {
            assert!(
                item.id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{name}: {} is not a simple id",
                item.id
            );
            // Items are grouped into pages by kind; each has one article.
            let (rel, doc) = item_article(&out, &item.id);
            assert_eq!(
                doc.select(&sel("svg.thread")).count(),
                1,
                "{name} {rel}: thread of {}",
                item.id
            );
            expected.insert(rel);
        }
        let written: BTreeSet<String> = html_pages(&out)
            .into_iter()
            .filter(|p| p.starts_with("items/"))
            .collect();
        assert_eq!(written, expected, "{name}: item pages");

        let mut digests = BTreeSet::new();
        for rel in html_pages(&out) {
            let doc = page(&out, &rel);
            let digest = digest_of(&doc);
            assert!(
                digest.len() == 64
                    && digest
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{rel}: digest `{digest}`"
            );
            digests.insert(digest);
            let footer: String = doc.select(&sel("footer")).map(text_of).collect();
            assert!(
                footer.contains(&format!("needtrail {version}")),
                "{rel}: footer without the tool version: {footer}"
            );
        }
        assert_eq!(digests.len(), 1, "{name}: one digest for the whole site");
        assert_links_resolve(&out);
    }
}

/// Every link of every page (SVG threads included) leads to a written file,
/// and its `#fragment` to an element with that id there.
fn assert_links_resolve(out: &Path) {
    let mut ids_of: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut checked = 0;
    for rel in html_pages(out) {
        let doc = page(out, &rel);
        for a in doc.select(&sel("a[href], link[href], script[src]")) {
            let href = a.attr("href").or_else(|| a.attr("src")).unwrap();
            assert!(
                !href.contains("://") && !href.starts_with("//"),
                "{rel}: external link {href}"
            );
            let target = if href.starts_with('#') {
                out.join(&rel)
            } else {
                link_target(out, &rel, href)
            };
            assert!(target.is_file(), "{rel}: link to {href}, not written");
            if let Some((_, fragment)) = href.split_once('#') {
                let ids = ids_of.entry(target.clone()).or_insert_with(|| {
                    let t = Html::parse_document(&fs::read_to_string(&target).unwrap());
                    t.select(&sel("[id]"))
                        .map(|e| e.attr("id").unwrap().to_owned())
                        .collect()
                });
                assert!(ids.contains(fragment), "{rel}: link to {href}, no such id");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links");
}

#[test]
fn the_digest_follows_the_input_files() {
    let copy = copy_tree(&sample("doors-zh"));
    let digest = |project: &Path| {
        let (_tmp, out) = site(project, &[]);
        digest_of(&page(&out, "index.html"))
    };
    let original = digest(&sample("doors-zh"));
    assert_eq!(digest(copy.path()), original, "same files, same digest");
    let file = copy.path().join("quality/objectives.toml");
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("\n# one more comment\n");
    fs::write(&file, text).unwrap();
    assert_ne!(
        digest(copy.path()),
        original,
        "a changed file, the same digest"
    );

    // needtrail.toml is an input too: it can change every finding.
    let copy = copy_tree(&sample("doors-zh"));
    let file = copy.path().join("needtrail.toml");
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("\n# one more comment\n");
    fs::write(&file, text).unwrap();
    assert_ne!(
        digest(copy.path()),
        original,
        "needtrail.toml is not in the digest"
    );
}

/// Every item has an article of its own and a link that reaches it, even
/// where ids differ only in letter case (`a`, `A`), in a suffix (`A-2`) or in
/// characters unsafe in file names and anchors (`R/1`, `R_1`).
#[test]
fn ids_differing_only_in_case_get_distinct_pages() {
    let p = tempfile::tempdir().unwrap();
    write(
        p.path(),
        "needtrail.toml",
        "[project]\nname = \"ids\"\nprofile = \"iso9001\"\n",
    );
    let mut items = String::new();
    let ids = ["a", "A", "A-2", "R/1", "R_1"];
    for id in ids {
        items.push_str(&format!(
            "[[customer]]\nid = \"{id}\"\ntitle = \"customer {id}\"\ntype = \"external\"\n\n"
        ));
    }
    write(p.path(), "items.toml", &items);
    let (_tmp, out) = site(p.path(), &[]);
    // Each item has an article of its own.
    for id in ids {
        item_article(&out, id);
    }
    // Each customer's link on the dashboard leads to its own article.
    let index = page(&out, "index.html");
    let mut seen = BTreeSet::new();
    for a in index.select(&sel("table.customers th[scope=row] a")) {
        let id = text_of(a);
        let (file, fragment) = a.attr("href").unwrap().split_once('#').unwrap();
        let target = page(&out, file);
        let article = target
            .select(&sel("article.item"))
            .find(|x| x.value().attr("id") == Some(fragment))
            .unwrap_or_else(|| panic!("{id}: no article #{fragment} in {file}"));
        let h1: Vec<String> = article.select(&sel("h1 code")).map(text_of).collect();
        assert_eq!(h1, vec![id.clone()], "{id} links to another item's article");
        seen.insert(id);
    }
    assert_eq!(seen.len(), ids.len());
}

// ---------------------------------------------------------------------------
// 9. A large project: the matrix is paged.

#[test]
fn a_large_matrix_is_paged_by_500_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let project = generate(
        tmp.path(),
        "corpus",
        &["--requirements", "1200", "--per-file", "300"],
    );
    let out = tmp.path().join("site");
    let r = report(&project, &out, &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);

    let pages = ["matrix.html", "matrix-2.html", "matrix-3.html"];
    assert!(!out.join("matrix-4.html").exists());
    let mut ids = BTreeSet::new();
    for (n, (rel, rows)) in pages.iter().zip([500, 500, 200]).enumerate() {
        let doc = page(&out, rel);
        let found: Vec<String> = doc
            .select(&sel("table#matrix tbody tr th[scope=row] a"))
            .map(text_of)
            .collect();
        assert_eq!(found.len(), rows, "{rel}: rows");
        assert_eq!(
            doc.select(&sel("table#matrix tbody tr")).count(),
            rows,
            "{rel}"
        );
        ids.extend(found);
        let total: Vec<String> = doc.select(&sel("p.count strong")).map(text_of).collect();
        assert_eq!(
            total,
            vec!["1,200".to_owned()],
            "{rel}: total, its thousands grouped"
        );

        let pager: Vec<ElementRef> = doc.select(&sel("nav.pager")).collect();
        assert_eq!(pager.len(), 1, "{rel}: pager");
        let links: BTreeSet<String> = pager[0]
            .select(&sel("a[href]"))
            .map(|a| a.attr("href").unwrap().to_owned())
            .collect();
        let others: BTreeSet<String> = pages
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != n)
            .map(|(_, p)| (*p).to_owned())
            .collect();
        assert_eq!(links, others, "{rel}: pager links");
        let current: Vec<String> = pager[0]
            .select(&sel(r#"[aria-current="page"]"#))
            .map(text_of)
            .collect();
        assert_eq!(current, vec![(n + 1).to_string()], "{rel}: current page");
    }
    assert_eq!(ids.len(), 1200, "every requirement on exactly one page");

    // The pager's words are translated too (doors-zh is too small to show it).
    let out_zh = tmp.path().join("site-zh");
    let r = report(&project, &out_zh, &["--lang", "zh"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    for rel in pages {
        let doc = page(&out_zh, rel);
        for chrome in ["nav.pager", "main > h1", "main > p", "#matrix thead th"] {
            for el in doc.select(&sel(chrome)) {
                let text = text_of(el);
                assert!(
                    !text.chars().any(|c| c.is_ascii_alphabetic()),
                    "zh {rel}: `{chrome}` reads `{text}`"
                );
            }
        }
    }

    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let size = entry.metadata().unwrap().len();
            assert!(
                size <= 3 * 1024 * 1024,
                "{} is {size} bytes",
                entry.path().display()
            );
        }
    }
}

#[test]
fn the_index_of_a_paged_matrix_lists_every_row_once_in_page_order() {
    // The filters of a paged matrix read one index of every row: its
    // requirement, page, contracts, customers, class, status and text.
    let tmp = tempfile::tempdir().unwrap();
    let project = generate(
        tmp.path(),
        "corpus",
        &[
            "--requirements",
            "1001",
            "--per-file",
            "1001",
            "--gap-every",
            "5",
        ],
    );
    // A row whose text would close the script if it were not escaped.
    let reqs = project.join("requirements/part-00000.toml");
    let mut text = fs::read_to_string(&reqs).unwrap();
    text.push_str(
        "\n[[requirement]]\nid = \"REQ-ZZ\"\ntitle = \"Seal </script><b>& \\\"Co\\\"\"\ntext = \"x\"\nclass = \"implied\"\ncontract = \"CON-1\"\ncustomer = \"CUS-1\"\n",
    );
    fs::write(&reqs, text).unwrap();
    let out = tmp.path().join("site");
    let r = report(&project, &out, &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);

    let js = fs::read_to_string(out.join("assets/matrix-index.js")).unwrap();
    let json = js
        .strip_prefix("window.NEEDTRAIL_MATRIX = ")
        .and_then(|j| j.strip_suffix(";\n"))
        .expect("an assignment of one value");
    assert!(
        !json.contains('<') && !json.contains('>') && !json.contains('&'),
        "markup characters in the index"
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    assert_eq!(rows.len(), 1002);
    // Rows in the order of the pages, each page's rows as the page shows them.
    let mut listed = Vec::new();
    for (n, rel) in ["matrix.html", "matrix-2.html", "matrix-3.html"]
        .iter()
        .enumerate()
    {
        let doc = page(&out, rel);
        let ids: Vec<String> = doc
            .select(&sel("table#matrix tbody tr th[scope=row] a"))
            .map(text_of)
            .collect();
        assert_eq!(ids.len(), [500, 500, 2][n], "{rel}");
        for id in ids {
            listed.push((id, (*rel).to_owned()));
        }
    }
    let indexed: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(indexed, listed);
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(
        row("REQ-ZZ"),
        serde_json::json!([
            "REQ-ZZ",
            "matrix-3.html",
            ["CON-1"],
            ["CUS-1"],
            "implied",
            "not-required",
            "req-zz seal </script><b>& \"co\""
        ])
    );
    // Every fifth design input has no verification: its requirement's row
    // is unverified. REQ-ZZ has no design input, but no review accepted
    // it, so none is required yet.
    let unverified = rows.iter().filter(|r| r[5] == "unverified").count();
    assert_eq!(unverified, 1001 / 5, "unverified rows");
    assert!(
        rows.iter()
            .all(|r| ["traced", "unverified", "not-required"].contains(&r[5].as_str().unwrap())),
        "statuses"
    );
}

/// A project whose item pages use every part of an article: findings on
/// items and on decisions, suspect links, statuses, several links in one
/// field, and hubs with more links and decisions than a page lists.
fn article_coverage_project(tmp: &Path) -> PathBuf {
    let dir = generate(
        tmp,
        "coverage",
        &["--requirements", "520", "--gap-every", "7"],
    );
    write(
        &dir,
        "extra.toml",
        r#"
[[design_input]]
id = "DI-X"
title = "Covers two requirements / 两项要求"
traces = ["REQ-0000001", "REQ-0000002"]
stamped.REQ-0000001 = "0000000000000000"
"#,
    );
    // A rule of the project's own that decisions fail.
    let config = fs::read_to_string(dir.join("needtrail.toml")).unwrap();
    write(
        &dir,
        "needtrail.toml",
        &format!(
            "{config}\n[[rule]]\nid = \"decision-has-note\"\nkind = \"decision\"\nrequire = {{ field = \"note\" }}\nmessage = {{ en = \"the decision has no note\", zh = \"结论没有说明\" }}\n"
        ),
    );
    dir
}

#[test]
fn articles_written_directly_equal_the_article_template() {
    // Item articles are written by code unless item-article.html is
    // overridden, and set into the built-in item.html's frame on their way
    // out; matrix rows likewise unless matrix.html or macros.html is, and
    // sign-off sheet rows unless signoff.html is.
    // Overrides that are copies of the built-in templates must give the
    // same bytes, for every kind of content an article or a row has.
    let tmp = tempfile::tempdir().unwrap();
    let builtin_of = |name: &str| {
        fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("templates")
                .join(name),
        )
        .unwrap()
    };
    let builtin = builtin_of("item-article.html");
    let copy = tempfile::tempdir().unwrap();
    write(copy.path(), "item-article.html", &builtin);
    let frame = tempfile::tempdir().unwrap();
    for name in ["item.html", "matrix.html", "signoff.html"] {
        write(frame.path(), name, &builtin_of(name));
    }
    // A base of the project's own, with a table before the content and a
    // filter over it, gets the whole content: articles and rows included.
    let tabled_base = builtin_of("base.html")
        .replace(
            "<main>",
            "<table class=\"sheet-requirements\"><tbody>\n<tr><td>x</td></tr></tbody></table>\n<main>",
        )
        .replace(
            "{% block content %}{% endblock content %}",
            "{% filter replace(from=\"Trace thread\", to=\"Thread drawn\") %}{% block content %}{% endblock content %}{% endfilter %}",
        );
    assert!(tabled_base.contains("<tbody>") && tabled_base.contains("{% filter"));
    let based = tempfile::tempdir().unwrap();
    write(based.path(), "base.html", &tabled_base);
    let based_frame = tempfile::tempdir().unwrap();
    write(based_frame.path(), "base.html", &tabled_base);
    for name in ["item.html", "matrix.html", "signoff.html"] {
        write(based_frame.path(), name, &builtin_of(name));
    }
    let marked = tempfile::tempdir().unwrap();
    write(
        marked.path(),
        "item-article.html",
        &builtin.replace("<article class=\"item\"", "<article class=\"item marked\""),
    );
    let hostile = hostile_project();
    let projects = [
        (sample("doors-zh"), "zh"),
        (sample("auto-parts-en"), "en"),
        (hostile.path().to_path_buf(), "en"),
        (article_coverage_project(tmp.path()), "zh"),
    ];
    let mut seen = String::new();
    let mut seen_rows = String::new();
    let mut seen_sheets = String::new();
    for (project, lang) in &projects {
        // The site's files, rendered with the templates of `dir`, if any.
        let files = |dir: Option<&Path>| {
            let mut args = vec!["--lang", *lang];
            if let Some(dir) = dir {
                args.extend(["--templates", dir.to_str().unwrap()]);
            }
            let (_t, out) = site(project, &args);
            site_files(&out)
        };
        let same = |a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>, what: &str| {
            assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
            for (path, bytes) in a {
                assert!(
                    b[path] == *bytes,
                    "{}: {} differs between {what}",
                    project.display(),
                    path.display()
                );
            }
        };
        let in_items = |files: &BTreeMap<PathBuf, Vec<u8>>, text: &str| -> usize {
            files
                .iter()
                .filter(|(p, _)| p.starts_with("items"))
                .map(|(_, b)| String::from_utf8_lossy(b).matches(text).count())
                .sum()
        };
        let a = files(None);
        let own_base = files(Some(based.path()));
        same(
            &own_base,
            &files(Some(based_frame.path())),
            "code and copied templates under a base of the project's own",
        );
        if *lang == "en" {
            let threads = in_items(&a, "Trace thread");
            assert!(threads > 0);
            assert_eq!(
                in_items(&own_base, "Thread drawn"),
                threads,
                "the base's filter reaches every article"
            );
        }
        same(
            &a,
            &files(Some(copy.path())),
            "the direct and the templated article",
        );
        same(
            &a,
            &files(Some(frame.path())),
            "the rows and frames written by code and by copied templates",
        );
        for (path, bytes) in &a {
            if path.starts_with("items") {
                seen.push_str(&String::from_utf8_lossy(bytes));
            }
            if path.to_string_lossy().starts_with("matrix") {
                seen_rows.push_str(&String::from_utf8_lossy(bytes));
            }
            if path.starts_with("signoff") {
                seen_sheets.push_str(&String::from_utf8_lossy(bytes));
            }
        }
        // The override is really used: a changed copy shows on every article.
        let marked_count = in_items(&files(Some(marked.path())), "class=\"item marked\"");
        assert!(marked_count > 0);
        assert_eq!(marked_count, in_items(&a, "<article "));
    }
    // The projects exercise every branch of the article.
    for part in [
        "class=\"item-findings\"",
        "class=\"ok\"",
        "class=\"sub-item\"",
        "<p class=\"sev-error\">",
        "class=\"suspect-mark\"",
        "class=\"result result-",
        "class=\"hint\"",
        "<br>",
        "class=\"none\"",
        "&lt;script&gt;",
    ] {
        assert!(seen.contains(part), "no article shows {part}");
    }
    // ... and of the matrix rows.
    for part in [
        " class=\"broken\"><a ",
        "<td class=\"broken\">\n<a ",
        "<br><span class=\"broken-mark\">",
        "class=\"result result-pass\">✓ ",
        "<span class=\"none\">—</span>",
        "<span class=\"status-traced\">✓ ",
        "<span class=\"status-unverified\">✗ ",
        "<span class=\"status-not-required\">○ ",
        "<code class=\"small\">",
        "&lt;script&gt;",
    ] {
        assert!(seen_rows.contains(part), "no matrix row shows {part}");
    }
    // ... and of the sheet rows.
    for part in [
        "<td class=\"broken\">✗ ",
        "<td class=\"broken\"><span class=\"broken-mark\">✗ ",
        "<td class=\"\">",
        "<br><span class=\"small\">",
        "<td></td>\n</tr>",
        "&lt;script&gt;",
    ] {
        assert!(seen_sheets.contains(part), "no sheet row shows {part}");
    }
}

/// Requirement ids in the rows of a sign-off sheet page.
fn sheet_rows(doc: &Html) -> Vec<String> {
    doc.select(&sel(
        "table.sheet-requirements > tbody > tr[id] > th > a:first-child",
    ))
    .map(text_of)
    .collect()
}

#[test]
fn every_contract_has_a_sign_off_sheet_listing_its_requirements_once() {
    let dir = sample("doors-zh");
    let (_t, out) = site(&dir, &["--lang", "zh"]);
    let items = items_of(&dir);
    let contracts = ids_of_kind(&items, "contract");
    assert!(!contracts.is_empty());
    let index = page(&out, "index.html");
    for contract in &contracts {
        // The dashboard links the contract's sheet.
        let href = index
            .select(&sel("a"))
            .filter_map(|a| a.attr("href"))
            .find(|h| h.starts_with("signoff/") && h.contains(contract.as_str()))
            .unwrap_or_else(|| panic!("no sheet link for {contract}"))
            .to_owned();
        let doc = page(&out, &href);
        let rows = sheet_rows(&doc);
        let expected: BTreeSet<String> = items
            .iter()
            .filter(|i| {
                i.kind == "requirement"
                    && i.table.get("contract").and_then(|c| c.as_str()) == Some(contract.as_str())
            })
            .map(|i| i.id.clone())
            .collect();
        assert_eq!(
            rows.iter().cloned().collect::<BTreeSet<_>>(),
            expected,
            "{href}"
        );
        assert_eq!(
            rows.len(),
            expected.len(),
            "{href}: a requirement listed twice"
        );
        // A signature block per review of the contract: a row per reviewer
        // the review records, and the approver.
        let reviews: Vec<&Item> = items
            .iter()
            .filter(|i| {
                i.kind == "review"
                    && i.table.get("contract").and_then(|c| c.as_str()) == Some(contract.as_str())
            })
            .collect();
        assert!(!reviews.is_empty(), "{contract} has no review");
        assert_eq!(
            doc.select(&sel("section.signature-block")).count(),
            reviews.len(),
            "{href}"
        );
        for review in reviews {
            let block = format!("#sign-{}", review.id);
            let heading = doc
                .select(&sel(&format!("{block} .sign-of strong")))
                .map(text_of)
                .collect::<Vec<_>>();
            assert_eq!(
                heading,
                std::slice::from_ref(contract),
                "{href}: {block} names its contract"
            );
            let names: Vec<String> = doc
                .select(&sel(&format!("{block} tr.signer td:nth-child(2)")))
                .map(text_of)
                .collect();
            let recorded: Vec<String> = review
                .table
                .get("reviewers")
                .and_then(|r| r.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if recorded.is_empty() {
                assert!(names.iter().all(String::is_empty), "{href}: {names:?}");
            } else {
                assert_eq!(names.len(), recorded.len(), "{href}: {block}");
                for (name, entry) in names.iter().zip(&recorded) {
                    assert!(
                        !name.is_empty() && entry.ends_with(name.as_str()),
                        "{href}: {block}: `{name}` is not from `{entry}`"
                    );
                }
            }
            assert_eq!(
                doc.select(&sel(&format!("{block} tr.approver"))).count(),
                1,
                "{href}: {block}"
            );
        }
        assert_eq!(
            doc.select(&sel("nav.pager")).count(),
            0,
            "{href}: one part only"
        );
    }
}

#[test]
fn a_contract_with_thousands_of_requirements_gets_its_sheet_in_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let project = generate(tmp.path(), "big", &["--requirements", "2500"]);
    let (_t, out) = site(&project, &[]);
    let items = items_of(&project);
    let all: BTreeSet<String> = ids_of_kind(&items, "requirement");
    let names: Vec<String> = fs::read_dir(out.join("signoff"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(names, ["CON-1.html", "CON-1~2.html", "CON-1~3.html"]);
    let mut seen = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let rel = format!("signoff/{name}");
        let doc = page(&out, &rel);
        let rows = sheet_rows(&doc);
        assert_eq!(rows.len(), if n < 2 { 1000 } else { 500 }, "{rel}");
        seen.extend(rows);
        // The reviews on the first part, the signatures closing every part.
        let first = n == 0;
        assert_eq!(doc.select(&sel("table.signatures")).count(), 1, "{rel}");
        assert_eq!(
            doc.select(&sel("table.sheet-reviews")).count() == 1,
            first,
            "{rel}"
        );
        // Every part links the others, and the links resolve.
        let links: Vec<String> = doc
            .select(&sel("nav.pager a"))
            .filter_map(|a| a.attr("href"))
            .map(str::to_owned)
            .collect();
        assert_eq!(links.len(), 2, "{rel}: {links:?}");
        for href in links {
            assert!(link_target(&out, &rel, &href).is_file(), "{rel}: {href}");
        }
    }
    assert_eq!(seen.len(), all.len(), "a requirement on two parts");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);
}

/// A rule that had nothing to apply to reads as such on the dashboard, not
/// as "100% (0/0)", which looks like good news.
#[test]
fn a_rule_with_nothing_to_check_says_so_on_the_dashboard() {
    for (lang, words) in [("en", "nothing to check"), ("zh", "无适用项")] {
        let (_tmp, out) = site(&sample("doors-zh"), &["--lang", lang]);
        let doc = page(&out, "index.html");
        let mut empty = 0;
        for row in doc.select(&sel("table.rules tbody tr, section table tbody tr")) {
            let cells: Vec<String> = row.select(&sel("td")).map(text_of).collect();
            let Some(last) = cells.last() else { continue };
            if last.contains("(0/0)") {
                panic!("a rule with nothing to check shows {last:?}");
            }
            if last.contains(words) {
                empty += 1;
                assert!(!last.contains('%'), "{last:?}");
            }
        }
        // doors-zh has no change records: change-after-signoff applies to none.
        assert!(empty >= 1, "no rule said {words:?} ({lang})");
    }
}

#[test]
fn a_hub_with_sub_items_counts_only_the_links_it_does_not_list() {
    // A customer with two scorecard criteria (its sub-items) and 503
    // contracts: its page lists 500 contracts and says 3 more, the
    // criteria being listed as its sub-items, not as links left out.
    let tmp = tempfile::tempdir().unwrap();
    let dir = generate(tmp.path(), "hub", &["--requirements", "20"]);
    let mut extra = String::from(
        "[[customer]]\nid = \"CUS-9\"\ntitle = \"Large customer\"\ntype = \"external\"\n\n\
         [[customer.criterion]]\nname = \"On-time delivery\"\nweight = 0.6\nmetric = \"on_time_delivery\"\n\n\
         [[customer.criterion]]\nname = \"Complaints\"\nweight = 0.4\nmetric = \"complaints\"\n",
    );
    for n in 1..=503 {
        extra.push_str(&format!(
            "\n[[contract]]\nid = \"CON-9-{n:03}\"\ntitle = \"Framework order {n}\"\ncustomer = \"CUS-9\"\n"
        ));
    }
    write(&dir, "hub.toml", &extra);
    let (_t, out) = site(&dir, &["--lang", "en"]);
    let page = fs::read_dir(out.join("items"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|text| text.contains("Large customer"))
        .expect("a page holds the customer");
    let start = page.find("id=\"i-CUS-9\"").expect("the customer's article");
    let article = &page[start..page[start..].find("</article>").unwrap() + start];
    // The downstream list is the last list of the article, the count of
    // what it leaves out right after it.
    let hint = article
        .rfind("<p class=\"hint\">")
        .expect("a count of links not listed");
    let list = &article[article[..hint].rfind("<ul>").unwrap()..hint];
    assert_eq!(list.matches("<li>").count(), 500, "500 contracts listed");
    assert!(list.matches("CON-9-").count() >= 500);
    assert!(
        article[hint..].starts_with("<p class=\"hint\">Not listed here")
            && article[hint..].contains(": 3</p>"),
        "the 3 contracts not listed are counted, the criteria are not: {}",
        &article[hint..]
    );
}
