//! One matrix everywhere: the report's matrix page, `matrix --format csv`
//! and `matrix --format json` list the same rows with the same statuses,
//! for the iso9001 profile and for a project of its own kinds; and each
//! row's status is what `check` finds, through the rules that check the
//! links the matrix follows.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::support::*;

/// A matrix row as every format can give it: each cell's id (`-` for none,
/// `✗` after the id of an item with a finding), then the status, the note
/// and the findings' rule ids.
pub type RowKey = Vec<String>;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect()
}

/// `matrix --format json` from `from` to `to`.
pub fn matrix_json(dir: &Path, from: &str, to: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "matrix",
        dir.to_str().unwrap(),
        "--from",
        from,
        "--to",
        to,
        "--format",
        "json",
    ];
    args.extend(extra);
    let r = run(args);
    assert!(r.code == 0 || r.code == 1, "matrix: {}", r.stderr);
    r.json()
}

/// The rows of a JSON matrix.
pub fn json_rows(m: &Value) -> Vec<RowKey> {
    m["matrix"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let mut key: RowKey = r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| match c {
                    Value::Null => "-".to_owned(),
                    c if c["broken"] == true => format!("{}✗", c["id"].as_str().unwrap()),
                    c => c["id"].as_str().unwrap().to_owned(),
                })
                .collect();
            key.push(r["status"].as_str().unwrap().to_owned());
            key.push(r["note"].as_str().unwrap_or_default().to_owned());
            let findings: Vec<&str> = r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            key.push(findings.join(" "));
            key
        })
        .collect()
}

/// The rows of `matrix --format csv` with `columns` kind columns (id and
/// title each, then result, status, findings, note). The CSV marks no
/// broken cells, so neither does this.
pub fn csv_rows(dir: &Path, from: &str, to: &str, columns: usize) -> Vec<RowKey> {
    let r = needtrail()
        .args([
            "matrix",
            dir.to_str().unwrap(),
            "--from",
            from,
            "--to",
            to,
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let bytes = r.stdout.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), 2 * columns + 4, "CSV header {header:?}");
    assert_eq!(&header[2 * columns + 3], "Note");
    reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut key: RowKey = (0..columns)
                .map(|c| match &rec[2 * c] {
                    "" => "-".to_owned(),
                    id => id.to_owned(),
                })
                .collect();
            key.push(rec[2 * columns + 1].to_owned());
            key.push(rec[2 * columns + 3].to_owned());
            key.push(rec[2 * columns + 2].to_owned());
            key
        })
        .collect()
}

/// The rows of the report's matrix page(s) with `columns` kind columns:
/// the row header is the first, then (when the page files rows under
/// contracts, customers and classes) three columns for those, then the
/// other kinds, then the status.
pub fn html_rows(doc: &Html, columns: usize) -> Vec<RowKey> {
    doc.select(&sel("table#matrix tbody tr"))
        .map(|row| {
            let head = row.select(&sel(":scope > th[scope=row]")).next().unwrap();
            let id = text_of(head.select(&sel("a")).next().expect("a link"));
            let broken = |el: ElementRef| el.value().classes().any(|c| c == "broken");
            let mut key = vec![if broken(head) { format!("{id}✗") } else { id }];
            let tds: Vec<ElementRef> = row.select(&sel(":scope > td")).collect();
            let facets = tds.len() - columns;
            assert!(facets == 0 || facets == 3, "{} cells", tds.len());
            for td in &tds[facets..facets + columns - 1] {
                let id = td.select(&sel("a")).next().map(text_of);
                key.push(match id {
                    None => "-".to_owned(),
                    Some(id) if broken(*td) => format!("{id}✗"),
                    Some(id) => id,
                });
            }
            let status = tds[tds.len() - 1];
            key.push(row.attr("data-status").unwrap().to_owned());
            key.push(status.select(&sel(".note")).map(text_of).collect());
            let rules: Vec<String> = status.select(&sel("code")).map(text_of).collect();
            key.push(rules.join(" "));
            key
        })
        .collect()
}

/// Every matrix page of a report, in page order, as one list of rows.
pub fn report_rows(out: &Path, columns: usize) -> Vec<RowKey> {
    let mut rows = Vec::new();
    for n in 1.. {
        let name = if n == 1 {
            "matrix.html".to_owned()
        } else {
            format!("matrix-{n}.html")
        };
        let Ok(text) = std::fs::read_to_string(out.join(&name)) else {
            break;
        };
        rows.extend(html_rows(&Html::parse_document(&text), columns));
    }
    rows
}

/// Renders a report of `dir` into `<tmp>/site`.
pub fn render(dir: &Path, tmp: &Path, args: &[&str]) -> PathBuf {
    let out = tmp.join("site");
    let mut a = vec![
        "report",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend(args);
    let r = run(a);
    assert!(r.code == 0 || r.code == 1, "report: {}", r.stderr);
    out
}

/// Without the marks of broken cells, which the CSV does not have.
fn unmarked(rows: &[RowKey]) -> Vec<RowKey> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| c.trim_end_matches('✗').to_owned())
                .collect()
        })
        .collect()
}

/// A project of its own kinds, with no iso9001 in it: customer needs, the
/// specifications that answer them, and the tests that check the
/// specifications, with rules of its own.
///
/// - NEED-1 → SPEC-1 → TEST-1 (pass): traced, although SPEC-1 breaks an
///   unrelated rule (no owner);
/// - NEED-2 → SPEC-2 → TEST-2 (fail): the spec has no passing test, unverified;
/// - NEED-3: no spec, untraced;
/// - NEED-10: no spec, but waived with a reason: not required;
/// - NEED-4 → SPEC-3, which nothing tests: unverified.
fn own_kinds_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        r#"
[project]
name = "Pump controller"
profile = "none"

[matrix]
from = "need"
to = "test"

[kinds.need]
label = "Customer need"
[kinds.need.fields]
waived = { type = "bool" }
reason = { type = "string" }

[kinds.spec]
label = "Specification"
[kinds.spec.fields]
answers = { type = "links", to = ["need"] }
owner = { type = "string" }

[kinds.test]
label = "Test"
[kinds.test.fields]
checks = { type = "links", to = ["spec"] }
outcome = { type = "enum", values = ["pass", "fail"] }

[[rule]]
id = "need-answered"
group = "untraced"
kind = "need"
require = { any = [
  { from = { kind = "spec", via = "answers" } },
  { all = [{ field = "waived", in = [true] }, { field = "reason" }] },
] }
message = "need is answered by no specification"

[[rule]]
id = "spec-tested"
group = "unverified"
kind = "spec"
require = { from = { kind = "test", via = "checks", where = { field = "outcome", in = ["pass"] } } }
message = "specification has no passing test"

[[rule]]
id = "spec-has-owner"
group = "other"
severity = "warning"
kind = "spec"
require = { field = "owner" }
message = "specification names no owner"
"#,
    );
    write(
        dir.path(),
        "needs.toml",
        r#"
[[need]]
id = "NEED-10"
title = "Runs from a generator"
waived = true
reason = "Site power only, agreed with the customer"

[[need]]
id = "NEED-2"
title = "Quiet at night"

[[need]]
id = "NEED-1"
title = "Pumps 20 m3/h"

[[need]]
id = "NEED-3"
title = "Alarms by SMS"

[[need]]
id = "NEED-4"
title = "Frost protection"
"#,
    );
    write(
        dir.path(),
        "specs.toml",
        r#"
[[spec]]
id = "SPEC-1"
title = "Flow 20 m3/h at 30 m head"
answers = ["NEED-1"]

[[spec]]
id = "SPEC-2"
title = "Below 45 dB(A) at 1 m"
answers = ["NEED-2"]
owner = "Acoustics"

[[spec]]
id = "SPEC-3"
title = "Heater below 3 °C"
answers = ["NEED-4"]
owner = "Controls"

[[test]]
id = "TEST-1"
title = "Flow bench test"
checks = ["SPEC-1"]
outcome = "pass"

[[test]]
id = "TEST-2"
title = "Noise test"
checks = ["SPEC-2"]
outcome = "fail"
"#,
    );
    dir
}

#[test]
fn a_project_of_its_own_kinds_gets_the_same_matrix_in_the_report_csv_and_json() {
    let dir = own_kinds_project();
    let d = dir.path();
    let json = matrix_json(d, "need", "test", &[]);
    let columns = json["matrix"]["columns"].as_array().unwrap().len();
    assert_eq!(
        json["matrix"]["columns"],
        serde_json::json!(["need", "spec", "test"])
    );
    let rows = json_rows(&json);
    let row = |s: &[&str]| -> RowKey { s.iter().map(|x| (*x).to_owned()).collect() };
    assert_eq!(
        rows,
        vec![
            row(&[
                "NEED-1",
                "SPEC-1✗",
                "TEST-1",
                "traced",
                "",
                "spec-has-owner"
            ]),
            row(&[
                "NEED-2",
                "SPEC-2✗",
                "TEST-2",
                "unverified",
                "",
                "spec-tested"
            ]),
            row(&["NEED-3✗", "-", "-", "untraced", "", "need-answered"]),
            row(&["NEED-4", "SPEC-3✗", "-", "unverified", "", "spec-tested"]),
            row(&[
                "NEED-10",
                "-",
                "-",
                "not-required",
                "Site power only, agreed with the customer",
                "",
            ]),
        ],
        "JSON rows, in natural id order"
    );
    assert_eq!(csv_rows(d, "need", "test", columns), unmarked(&rows), "CSV");

    let tmp = tempfile::tempdir().unwrap();
    for lang in ["en", "zh"] {
        let out = render(d, tmp.path(), &["--lang", lang]);
        assert_eq!(report_rows(&out, columns), rows, "report ({lang})");
        let doc = Html::parse_document(&std::fs::read_to_string(out.join("matrix.html")).unwrap());
        let heads: Vec<String> = doc
            .select(&sel("table#matrix thead th"))
            .map(text_of)
            .collect();
        assert_eq!(
            heads[..3],
            ["Customer need", "Specification", "Test"],
            "headings ({lang}): {heads:?}"
        );
        // Every status offered by the status filter selects its rows.
        let offered: BTreeSet<String> = doc
            .select(&sel("#filter-status option"))
            .filter_map(|o| o.attr("value"))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        let shown: BTreeSet<String> = rows.iter().map(|r| r[columns].clone()).collect();
        assert!(shown.is_subset(&offered), "{shown:?} not in {offered:?}");
    }

    // The audit package files the same matrix, both ways.
    let pkg = tmp.path().join("audit");
    let r = run(["audit", d.to_str().unwrap(), "--out", pkg.to_str().unwrap()]);
    assert!(r.code == 0 || r.code == 1, "audit: {}", r.stderr);
    assert!(pkg.join("matrices/need-test.csv").is_file());
    assert!(pkg.join("matrices/test-need.csv").is_file());
    assert_eq!(
        report_rows(&pkg.join("report"), columns),
        rows,
        "the audit package's report"
    );
}

/// Ids of the items check reports with a finding of one of `rules`.
fn check_ids(dir: &Path, rules: &[&str]) -> BTreeSet<String> {
    let (_, json) = check_json(dir);
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The first ids of the rows of `matrix --only untraced`.
fn only_untraced(dir: &Path) -> BTreeSet<String> {
    let m = matrix_json(dir, "requirement", "verification", &["--only", "untraced"]);
    m["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn only_untraced_lists_exactly_what_check_reports_as_untraced() {
    // The rules of group untraced that check a requirement's link to its
    // design inputs: requirement-has-design-input (and, for a rejected
    // requirement, rejected-not-worked-on).
    let rules = ["requirement-has-design-input", "rejected-not-worked-on"];
    for s in ["doors-zh", "auto-parts-en"] {
        let dir = sample(s);
        let untraced = only_untraced(&dir);
        assert!(!untraced.is_empty(), "{s}: no untraced row");
        assert_eq!(untraced, check_ids(&dir, &rules), "{s}");
    }
    // A requirement accepted without a design input joins both lists; one
    // not reviewed yet (REQ-011 of doors-zh, which check reports as not
    // reviewed, not as untraced downstream) stays off both.
    let dir = copy_tree(&sample("doors-zh"));
    write(
        dir.path(),
        "requirements/extra.toml",
        r#"
[[requirement]]
id = "REQ-950"
title = "Powder coating colour RAL 7016"
class = "stated"
source = "minutes 3"
design = true
"#,
    );
    let untraced = only_untraced(dir.path());
    assert!(untraced.contains("REQ-950"), "{untraced:?}");
    assert!(!untraced.contains("REQ-011"), "{untraced:?}");
    assert_eq!(untraced, check_ids(dir.path(), &rules));
}

#[test]
fn a_requirement_needing_no_design_is_not_required_with_its_rationale_everywhere() {
    let dir = sample("doors-zh");
    let json = matrix_json(&dir, "requirement", "verification", &[]);
    let columns = json["matrix"]["columns"].as_array().unwrap().len();
    let rows = json_rows(&json);
    // REQ-008: `design = false` with a rationale, accepted in review.
    let rationale = "售后服务条款,由客服部按《售后服务管理程序》执行,不涉及设计";
    let req8: Vec<&RowKey> = rows.iter().filter(|r| r[0] == "REQ-008").collect();
    assert_eq!(req8.len(), 1);
    assert_eq!(req8[0][columns], "not-required");
    assert_eq!(req8[0][columns + 1], rationale);
    // check agrees: no finding on it.
    let (_, check) = check_json(&dir);
    assert!(
        !check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "REQ-008"),
        "check reports REQ-008"
    );

    let csv = csv_rows(&dir, "requirement", "verification", columns);
    assert_eq!(csv, unmarked(&rows), "CSV rows");
    let tmp = tempfile::tempdir().unwrap();
    let out = render(&dir, tmp.path(), &[]);
    assert_eq!(report_rows(&out, columns), rows, "report rows");
    let page = std::fs::read_to_string(out.join("matrix.html")).unwrap();
    assert!(page.contains(rationale), "the report shows the rationale");
}

#[test]
fn a_complete_verified_thread_stays_traced_beside_an_unrelated_finding() {
    // REQ-001 of doors-zh: DI-001 → VER-003, passed. Its verification now
    // passes without naming its evidence: a warning of group unverified,
    // about the record, not about the thread.
    let dir = copy_tree(&sample("doors-zh"));
    let path = dir.path().join("verification/lab-tests.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("id = \"VER-003\"").expect("VER-003");
    let end = text[start..].find("\n[[").map_or(text.len(), |n| start + n);
    let block: String = text[start..end]
        .lines()
        .filter(|l| !l.starts_with("evidence"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        &path,
        format!("{}{block}\n{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let (_, check) = check_json(dir.path());
    let finding = |rule: &str, id: &str| {
        check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == rule && f["id"] == id)
    };
    assert!(
        finding("pass-has-evidence", "VER-003"),
        "the warning is there"
    );

    let json = matrix_json(dir.path(), "requirement", "verification", &[]);
    let columns = json["matrix"]["columns"].as_array().unwrap().len();
    let rows = json_rows(&json);
    let req1: Vec<&RowKey> = rows.iter().filter(|r| r[0] == "REQ-001").collect();
    assert_eq!(req1.len(), 1);
    assert_eq!(req1[0][columns], "traced", "{:?}", req1[0]);
    assert_eq!(req1[0][columns + 2], "pass-has-evidence");
    // Nor does `--only unverified` list it.
    let unverified = matrix_json(
        dir.path(),
        "requirement",
        "verification",
        &["--only", "unverified"],
    );
    assert!(
        !json_rows(&unverified).iter().any(|r| r[0] == "REQ-001"),
        "REQ-001 listed as unverified"
    );
    // The report shows the same.
    let tmp = tempfile::tempdir().unwrap();
    let out = render(dir.path(), tmp.path(), &[]);
    assert_eq!(report_rows(&out, columns), rows, "report rows");
}

#[test]
fn a_misspelt_matrix_kind_is_an_input_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[matrix]\nfrom = \"requirment\"\nto = \"verification\"\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = run([
        "report",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown kind `requirment`")
            && r.stderr.contains("needtrail.toml:5:8")
            && r.stderr.contains("did you mean `requirement`?"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing written");
}
