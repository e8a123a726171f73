//! Traceability matrices (`matrix`), baselines (`diff`, also `--git` on a
//! real repository) and the audit package (`audit`, `audit --verify`).
//!
//! The expected threads are worked out by hand from the samples' TOML files
//! (the comments say how), never taken from a previous run; every other
//! format is then read back with a real parser (csv, calamine, scraper) and
//! compared with the JSON rows.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use scraper::{Html, Selector};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::*;

// ---------------------------------------------------------------------------
// Helpers

/// Runs the binary with `SOURCE_DATE_EPOCH` removed, in `cwd` when given.
fn run_in<I, S>(cwd: Option<&Path>, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = needtrail();
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH");
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let o = cmd.output().expect("runs");
    Run {
        code: o.status.code().expect("exited normally"),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

/// `needtrail matrix DIR --from FROM --to TO EXTRA...`
fn matrix(dir: &Path, from: &str, to: &str, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec![
        "matrix".into(),
        dir.into(),
        "--from".into(),
        from.into(),
        "--to".into(),
        to.into(),
    ];
    args.extend(extra.iter().map(Into::into));
    run_in(None, args)
}

/// The bytes `matrix` writes with `--out`, in the given format.
fn matrix_file(dir: &Path, from: &str, to: &str, format: &str, extra: &[&str]) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(format!("m.{format}"));
    let mut args = vec!["--format", format, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let r = matrix(dir, from, to, &args);
    assert_eq!(r.code, 0, "matrix --format {format} failed:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "with --out nothing goes to stdout");
    fs::read(&out).unwrap()
}

/// `matrix ... --format json`, parsed.
fn matrix_json(dir: &Path, from: &str, to: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    let r = matrix(dir, from, to, &args);
    assert_eq!(r.code, 0, "matrix failed:\n{}", r.stderr);
    r.json()
}

/// A row as the tests compare it: the id in each column (`-` for none), then the status.
fn row_key(row: &Value) -> Vec<String> {
    let mut k: Vec<String> = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap_or("-").to_owned())
        .collect();
    k.push(row["status"].as_str().unwrap().to_owned());
    k
}

/// Every row of a JSON matrix as a [`row_key`], sorted.
fn row_keys(m: &Value) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = m["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(row_key)
        .collect();
    v.sort();
    v
}

/// Rows written as `"REQ-004 DI-004 - VER-002 unverified"`, sorted.
fn keys(rows: &[&str]) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.split_whitespace().map(str::to_owned).collect())
        .collect();
    v.sort();
    v
}

/// The record a row becomes in CSV and XLSX, worked out from its JSON form:
/// id and title per column, the result of the last item on the thread that
/// has one, the status, the findings' rule ids.
fn expected_record(row: &Value) -> Vec<String> {
    let cells = row["cells"].as_array().unwrap();
    let mut r = Vec::new();
    for c in cells {
        r.push(c["id"].as_str().unwrap_or("").to_owned());
        r.push(c["title"].as_str().unwrap_or("").to_owned());
    }
    r.push(
        cells
            .iter()
            .rev()
            .find_map(|c| c["status"].as_str())
            .unwrap_or("")
            .to_owned(),
    );
    r.push(row["status"].as_str().unwrap().to_owned());
    r.push(
        row["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" "),
    );
    r.push(row["note"].as_str().unwrap_or("").to_owned());
    r
}

/// The header row of CSV and XLSX: per column heading and title, then four more.
fn expected_header(m: &Value) -> Vec<String> {
    let mut h = Vec::new();
    for heading in m["matrix"]["headings"].as_array().unwrap() {
        let heading = heading.as_str().unwrap();
        h.push(heading.to_owned());
        h.push(format!("{heading} title"));
    }
    h.extend([
        "Result".into(),
        "Status".into(),
        "Findings".into(),
        "Note".into(),
    ]);
    h
}

/// Parses CSV bytes (which must start with a UTF-8 BOM) into records.
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("CSV starts with a UTF-8 byte-order mark");
    assert!(
        !body.starts_with(b"\xEF\xBB\xBF"),
        "only one byte-order mark"
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
        .collect()
}

/// Every sheet of a workbook on disk, each as rows of cell texts.
fn read_xlsx(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("a valid XLSX workbook");
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet reads");
            assert_eq!(range.start(), Some((0, 0)), "sheet {name} starts at A1");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            Data::Float(f) => format!("{f}"),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// Splits a Markdown table line into its cells, as a Markdown viewer reads
/// them: `\x` is `x`, and `&lt;`, `&gt;` and `&amp;` are `<`, `>` and `&`.
fn md_cells(line: &str) -> Vec<String> {
    let inner = line
        .strip_prefix("| ")
        .and_then(|l| l.strip_suffix(" |"))
        .unwrap_or_else(|| panic!("not a table row: {line}"));
    let mut cells = vec![String::new()];
    let mut rest = inner;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let entity = [("lt;", '<'), ("gt;", '>'), ("amp;", '&')]
            .into_iter()
            .find(|(name, _)| c == '&' && rest.starts_with(name));
        match (c, entity) {
            (_, Some((name, ch))) => {
                rest = &rest[name.len()..];
                cells.last_mut().unwrap().push(ch);
            }
            ('\\', _) => {
                let next = rest.chars().next().expect("escape before the end");
                rest = &rest[next.len_utf8()..];
                cells.last_mut().unwrap().push(next);
            }
            ('|', _) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Titles of every item of the sample, read straight from its TOML files.
fn toml_titles(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let table: toml::Table = fs::read_to_string(entry.path()).unwrap().parse().unwrap();
        for value in table.values() {
            for item in value.as_array().into_iter().flatten() {
                if let (Some(id), Some(title)) = (
                    item.get("id").and_then(|v| v.as_str()),
                    item.get("title").and_then(|v| v.as_str()),
                ) {
                    out.insert(id.to_owned(), title.to_owned());
                }
            }
        }
    }
    out
}

/// Titles that must survive every format: a comma, a quote and a line
/// break for CSV; a script tag, pipes and a backslash for HTML and Markdown.
const TRICKY_CSV_TITLE: &str = "Gasket, \"EPDM\" grade\nsecond line";
const TRICKY_HTML_TITLE: &str = "<script>alert(\"x\")</script> a|b \\ c";

/// A copy of doors-zh with two organisation requirements whose titles are
/// hard to quote. They are not linked to anything, so each gives one
/// not-required row and no finding (an organisation requirement without a
/// contract is not reviewed, and only accepted requirements need a design input).
fn doors_with_tricky_titles() -> tempfile::TempDir {
    let dir = copy_tree(&sample("doors-zh"));
    write(
        dir.path(),
        "requirements/test-items.toml",
        r#"
[[requirement]]
id = "REQ-901"
title = "Gasket, \"EPDM\" grade\nsecond line"
class = "organisation"
source = "test"

[[requirement]]
id = "REQ-902"
title = "<script>alert(\"x\")</script> a|b \\ c"
class = "organisation"
source = "test"
"#,
    );
    dir
}

/// Every format of one matrix agrees with its JSON rows: CSV and XLSX
/// record by record, Markdown and HTML row by row, text by ids.
fn assert_formats_agree(dir: &Path, from: &str, to: &str, extra: &[&str]) {
    let m = matrix_json(dir, from, to, extra);
    let rows = m["matrix"]["rows"].as_array().unwrap();
    let headings: Vec<&str> = m["matrix"]["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let what = format!("{} {from} → {to} {extra:?}", dir.display());
    assert!(!rows.is_empty(), "{what}: no rows");

    // CSV: BOM, CRLF records, a header, then one record per row.
    let csv_bytes = matrix_file(dir, from, to, "csv", extra);
    let header_end = csv_bytes.windows(2).position(|w| w == b"\r\n").unwrap();
    assert!(
        !csv_bytes[..header_end].contains(&b'\n'),
        "{what}: records end with CRLF"
    );
    assert!(
        csv_bytes.ends_with(b"\r\n"),
        "{what}: last record ends with CRLF"
    );
    let records = read_csv(&csv_bytes);
    assert_eq!(records[0], expected_header(&m), "{what}: CSV header");
    let expected: Vec<Vec<String>> = rows.iter().map(expected_record).collect();
    assert_eq!(&records[1..], &expected[..], "{what}: CSV records");

    // XLSX: a summary sheet and the matrix sheet, same records.
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("m.xlsx");
    let r = matrix(
        dir,
        from,
        to,
        &[
            &["--format", "xlsx", "--out", xlsx.to_str().unwrap()][..],
            extra,
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{what}: {}", r.stderr);
    let sheets = read_xlsx(&xlsx);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let title = m["matrix"]["title"].as_str().unwrap();
    assert_eq!(
        names,
        ["Summary".to_owned(), format!("1 {title}")],
        "{what}"
    );
    let sheet = &sheets[1].1;
    assert_eq!(sheet[0], expected_header(&m), "{what}: XLSX header");
    assert_eq!(sheet.len(), rows.len() + 1, "{what}: XLSX row count");
    assert_eq!(&sheet[1..], &expected[..], "{what}: XLSX records");
    let summary = &sheets[0].1;
    // The sheet is a rectangle: the facts rows are padded to its width.
    assert_eq!(
        summary[0][..2],
        ["Project", m["provenance"]["project"].as_str().unwrap()]
    );
    assert_eq!(
        summary[1][..2],
        [
            "Input digest (SHA-256)",
            m["provenance"]["digest"].as_str().unwrap()
        ]
    );
    let count = |s: &str| rows.iter().filter(|r| r["status"] == s).count().to_string();
    assert_eq!(
        summary[4],
        [
            "Matrix",
            "Paths",
            "Rows",
            "Traced",
            "Unverified",
            "Untraced",
            "Not required"
        ]
    );
    assert_eq!(summary[5][0], title);
    assert_eq!(
        summary[5][2..],
        [
            rows.len().to_string(),
            count("traced"),
            count("unverified"),
            count("untraced"),
            count("not-required")
        ],
        "{what}: summary counts"
    );

    // Markdown: a heading line, a separator, one table line per row, each
    // with exactly one cell per column plus result and status.
    let md = matrix(dir, from, to, &[&["--format", "md"][..], extra].concat());
    assert_eq!(md.code, 0);
    let table: Vec<&str> = md.stdout.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), rows.len() + 2, "{what}: Markdown table lines");
    assert_eq!(
        md_cells(table[0]),
        headings
            .iter()
            .map(|h| h.to_string())
            .chain(["Result".into(), "Status".into()])
            .collect::<Vec<_>>()
    );
    for (line, row) in table[2..].iter().zip(rows) {
        let cells = md_cells(line);
        assert_eq!(cells.len(), headings.len() + 2, "{what}: {line}");
        let rec = expected_record(row);
        for (i, c) in row["cells"].as_array().unwrap().iter().enumerate() {
            let want = match c["id"].as_str() {
                None => "—".to_owned(),
                Some(id) => format!(
                    "{id}{} {}",
                    if c["broken"] == true { " ✗" } else { "" },
                    c["title"].as_str().unwrap().replace('\n', " ")
                ),
            };
            assert_eq!(cells[i], want, "{what}: Markdown cell");
        }
        assert_eq!(cells[headings.len()], rec[rec.len() - 4]);
        let status = row["status"].as_str().unwrap();
        let want = match row["note"].as_str() {
            Some(note) => format!("{status}: {note}"),
            None => status.to_owned(),
        };
        assert_eq!(cells[headings.len() + 1], want);
    }

    // HTML: a row per thread, cells as text.
    let html = matrix(dir, from, to, &[&["--format", "html"][..], extra].concat());
    assert_eq!(html.code, 0);
    let doc = Html::parse_document(&html.stdout);
    let th: Vec<String> = doc
        .select(&sel("table thead th"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(
        th,
        headings
            .iter()
            .map(|h| h.to_string())
            .chain(["Result".into(), "Status".into()])
            .collect::<Vec<_>>()
    );
    let trs: Vec<_> = doc.select(&sel("table tbody tr")).collect();
    assert_eq!(trs.len(), rows.len(), "{what}: HTML rows");
    for (tr, row) in trs.iter().zip(rows) {
        let tds: Vec<String> = tr.select(&sel("td")).map(|e| e.text().collect()).collect();
        assert_eq!(tds.len(), headings.len() + 2);
        for (i, c) in row["cells"].as_array().unwrap().iter().enumerate() {
            let want = match c["id"].as_str() {
                None => "—".to_owned(),
                Some(id) => format!(
                    "{}{id}{}",
                    if c["broken"] == true { "✗ " } else { "" },
                    c["title"].as_str().unwrap()
                ),
            };
            assert_eq!(tds[i], want, "{what}: HTML cell");
        }
        assert_eq!(
            tds[headings.len() + 1],
            format!(
                "{}{}",
                row["status"].as_str().unwrap(),
                row["note"].as_str().unwrap_or("")
            )
        );
    }
    assert_eq!(
        doc.select(&sel("script")).count(),
        0,
        "{what}: no script element"
    );

    // Text: one line per row after the two heading lines, with the row's ids.
    let text = matrix(dir, from, to, extra);
    assert_eq!(text.code, 0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), rows.len() + 3, "{what}: text lines");
    for (line, row) in lines[2..].iter().zip(rows) {
        let words: Vec<&str> = line.split_whitespace().filter(|w| *w != "✗").collect();
        let ids: Vec<&str> = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap_or("—"))
            .collect();
        assert_eq!(&words[..ids.len()], &ids[..], "{what}: text row {line}");
        assert_eq!(words.last(), Some(&row["status"].as_str().unwrap()));
    }
    assert_eq!(
        lines.last().unwrap(),
        &format!(
            "{} rows: {} traced, {} unverified, {} untraced, {} not required",
            rows.len(),
            count("traced"),
            count("unverified"),
            count("untraced"),
            count("not-required")
        )
    );
}

// ---------------------------------------------------------------------------
// 1. Content of the forward matrix, by hand

/// doors-zh, requirement → verification. Worked out from the TOML files:
///
/// - design/inputs.toml: which design inputs `traces` each requirement;
/// - verification/lab-tests.toml: VER-001 verifies DI-002 and DI-003, VER-002
///   DI-004 (`fail`), VER-003 DI-001, DI-010 and DI-011, VER-004 DI-005,
///   VER-005 DI-006, VER-006 the design output DO-004, VER-007 DI-009 (`pending`);
/// - design/outputs.toml: DO-004 satisfies DI-007; no verification names
///   DO-001, DO-002 or DO-003, so they lead nowhere.
///
/// So REQ-009 reaches VER-006 only through DI-007 → DO-004; REQ-004 and
/// REQ-013 reach VER-002 through DI-004, which failed (unverified); REQ-017
/// has a design input (DI-008) that nothing verifies (unverified, as check
/// says of DI-008). REQ-018, accepted, has no design input: untraced.
/// REQ-007 and REQ-008 have none either, but `design = false` with a
/// rationale, and REQ-011 (not reviewed) and REQ-012 (awaiting
/// clarification) are not accepted yet: no rule requires their thread.
const DOORS_FORWARD: &[&str] = &[
    "REQ-001 DI-001 - VER-003 traced",
    "REQ-002 DI-002 - VER-001 traced",
    "REQ-003 DI-002 - VER-001 traced",
    "REQ-004 DI-003 - VER-001 traced",
    "REQ-004 DI-004 - VER-002 unverified",
    "REQ-005 DI-005 - VER-004 traced",
    "REQ-006 DI-006 - VER-005 traced",
    "REQ-007 - - - not-required",
    "REQ-008 - - - not-required",
    "REQ-009 DI-007 DO-004 VER-006 traced",
    "REQ-010 DI-010 - VER-003 traced",
    "REQ-011 - - - not-required",
    "REQ-012 - - - not-required",
    "REQ-013 DI-002 - VER-001 traced",
    "REQ-013 DI-003 - VER-001 traced",
    "REQ-013 DI-004 - VER-002 unverified",
    "REQ-014 DI-005 - VER-004 traced",
    "REQ-015 DI-001 - VER-003 traced",
    "REQ-016 DI-006 - VER-005 traced",
    "REQ-017 DI-008 DO-001 - unverified",
    "REQ-018 - - - untraced",
    "REQ-019 DI-009 - VER-007 unverified",
    "REQ-020 DI-006 - VER-005 traced",
];

#[test]
fn forward_matrix_of_doors_zh_has_the_threads_worked_out_by_hand() {
    let m = matrix_json(&sample("doors-zh"), "requirement", "verification", &[]);
    let mx = &m["matrix"];
    assert_eq!(mx["direction"], "forward");
    assert_eq!(mx["title"], "requirement → verification");
    assert_eq!(
        mx["columns"],
        json!([
            "requirement",
            "design_input",
            "design_output",
            "verification"
        ])
    );
    assert_eq!(
        mx["headings"],
        json!([
            "Requirement",
            "Design input",
            "Design output",
            "Verification"
        ])
    );
    assert_eq!(
        mx["paths"],
        json!([
            "requirement → design_input → design_output → verification",
            "requirement → design_input → verification"
        ])
    );
    assert_eq!(row_keys(&m), keys(DOORS_FORWARD));

    // Every requirement of the sample has at least one row.
    let titles = toml_titles(&sample("doors-zh"));
    let reqs: BTreeSet<&str> = titles
        .keys()
        .filter(|k| k.starts_with("REQ-"))
        .map(String::as_str)
        .collect();
    let first: BTreeSet<&str> = mx["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0]["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, reqs);

    // The rows of one item stay together (one block per requirement).
    let mut seen = Vec::new();
    for r in mx["rows"].as_array().unwrap() {
        let id = r["cells"][0]["id"].as_str().unwrap();
        if seen.last() != Some(&id) {
            assert!(!seen.contains(&id), "rows of {id} are not together");
            seen.push(id);
        }
    }

    let find = |ids: &[&str]| -> Value {
        mx["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                ids.iter()
                    .enumerate()
                    .all(|(i, id)| r["cells"][i]["id"].as_str().unwrap_or("-") == *id)
            })
            .unwrap_or_else(|| panic!("no row {ids:?}"))
            .clone()
    };
    // Through a design output: every cell carries its item's title as written.
    let r = find(&["REQ-009", "DI-007", "DO-004", "VER-006"]);
    for c in r["cells"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert_eq!(c["title"].as_str().unwrap(), titles[id], "title of {id}");
        // DI-007's text ends its list with 等 (a wording warning): its cell
        // is marked, and the thread is still traced.
        assert_eq!(c["broken"], id == "DI-007", "{id}");
    }
    assert_eq!(r["cells"][3]["status"], "pass");
    assert_eq!(r["status"], "traced");
    assert_eq!(r["findings"], json!(["wording-vague"]));

    // Through a design input that failed verification: DI-004 carries the finding.
    let r = find(&["REQ-004", "DI-004", "-", "VER-002"]);
    assert_eq!(r["status"], "unverified");
    assert_eq!(r["cells"][1]["broken"], true);
    assert_eq!(r["cells"][3]["status"], "fail");
    assert_eq!(r["findings"], json!(["design-input-verified"]));

    // A pending verification, and the warning on the requirement itself.
    let r = find(&["REQ-019", "DI-009", "-", "VER-007"]);
    assert_eq!(r["cells"][3]["status"], "pending");
    assert_eq!(
        r["findings"],
        json!([
            "design-input-verified",
            "requirement-validated-or-delivered",
            "wording-placeholder"
        ])
    );

    // No design input: a row with the requirement alone, saying why.
    let r = find(&["REQ-018"]);
    assert_eq!(r["status"], "untraced");
    assert_eq!(r["cells"][0]["broken"], true);
    assert_eq!(r["cells"][1], Value::Null);
    assert_eq!(r["findings"], json!(["requirement-has-design-input"]));
    // REQ-008 has `design = false` with a rationale: no design input is
    // required, and the row says why.
    let r = find(&["REQ-008"]);
    assert_eq!(r["status"], "not-required");
    assert_eq!(
        r["note"],
        "售后服务条款,由客服部按《售后服务管理程序》执行,不涉及设计"
    );
    assert_eq!(r["findings"], json!([]));

    // Provenance: the project's name as written in needtrail.toml.
    assert_eq!(
        m["provenance"]["project"],
        "华安门窗 · 滨江花园二期门窗工程"
    );
    assert_eq!(m["provenance"]["digest"].as_str().unwrap().len(), 64);
}

/// auto-parts-en, requirement → verification, from apqp/*.toml and
/// testing/verification.toml: VER-001 verifies the design output DO-001
/// (which satisfies DI-001, tracing REQ-001 and REQ-006), VER-003 DO-002
/// (satisfies DI-002 → REQ-004), VER-002 DI-002 directly, VER-004 DI-003
/// (→ REQ-002, REQ-003, REQ-017), VER-005 DI-004 (→ REQ-005, `fail`), VER-006
/// DI-005 (→ REQ-008), VER-007 DI-006 (→ REQ-013, REQ-016). REQ-011,
/// accepted, has no design input: untraced. The other requirements without
/// one need none: `design = false` with a rationale, or not accepted yet.
const AUTO_FORWARD: &[&str] = &[
    "REQ-001 DI-001 DO-001 VER-001 traced",
    "REQ-002 DI-003 - VER-004 traced",
    "REQ-003 DI-003 - VER-004 traced",
    "REQ-004 DI-002 - VER-002 traced",
    "REQ-004 DI-002 DO-002 VER-003 traced",
    "REQ-005 DI-004 - VER-005 unverified",
    "REQ-006 DI-001 DO-001 VER-001 traced",
    "REQ-007 - - - not-required",
    "REQ-008 DI-005 - VER-006 traced",
    "REQ-009 - - - not-required",
    "REQ-010 - - - not-required",
    "REQ-011 - - - untraced",
    "REQ-012 - - - not-required",
    "REQ-013 DI-006 - VER-007 traced",
    "REQ-014 - - - not-required",
    "REQ-015 - - - not-required",
    "REQ-016 DI-006 - VER-007 traced",
    "REQ-017 DI-003 - VER-004 traced",
];

#[test]
fn forward_matrix_of_auto_parts_en_has_the_threads_worked_out_by_hand() {
    let m = matrix_json(&sample("auto-parts-en"), "requirement", "verification", &[]);
    assert_eq!(row_keys(&m), keys(AUTO_FORWARD));
}

#[test]
fn every_format_agrees_with_the_json_rows_on_both_samples() {
    for s in ["doors-zh", "auto-parts-en"] {
        assert_formats_agree(&sample(s), "requirement", "verification", &[]);
        assert_formats_agree(&sample(s), "verification", "requirement", &[]);
    }
    assert_formats_agree(
        &sample("doors-zh"),
        "requirement",
        "verification",
        &["--only", "unverified"],
    );
}

#[test]
fn titles_with_commas_quotes_line_breaks_pipes_and_script_survive_every_format() {
    let dir = doors_with_tricky_titles();
    let d = dir.path();
    // The cross-checks of every format hold with the tricky titles too.
    assert_formats_agree(d, "requirement", "verification", &[]);

    let m = matrix_json(d, "requirement", "verification", &[]);
    let rows = m["matrix"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), DOORS_FORWARD.len() + 2);
    let mut expected = keys(DOORS_FORWARD);
    expected.extend(keys(&[
        "REQ-901 - - - not-required",
        "REQ-902 - - - not-required",
    ]));
    expected.sort();
    assert_eq!(row_keys(&m), expected);

    // CSV (RFC 4180): the field is quoted, the quote doubled, the line break kept.
    let csv_bytes = matrix_file(d, "requirement", "verification", "csv", &[]);
    let text = std::str::from_utf8(&csv_bytes).unwrap();
    assert!(
        text.contains("REQ-901,\"Gasket, \"\"EPDM\"\" grade\nsecond line\","),
        "CSV quoting:\n{text}"
    );
    let records = read_csv(&csv_bytes);
    let rec = |id: &str| records.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(rec("REQ-901")[1], TRICKY_CSV_TITLE);
    assert_eq!(rec("REQ-902")[1], TRICKY_HTML_TITLE);
    assert_eq!(rec("REQ-901").len(), 12);

    // XLSX keeps both titles as written.
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("m.xlsx");
    let r = matrix(
        d,
        "requirement",
        "verification",
        &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sheets = read_xlsx(&xlsx);
    let sheet = &sheets[1].1;
    let row = |id: &str| sheet.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(row("REQ-901")[1], TRICKY_CSV_TITLE);
    assert_eq!(row("REQ-902")[1], TRICKY_HTML_TITLE);

    // Markdown: the pipe and the backslash escaped, the angle brackets
    // written as entities (a Markdown viewer shows the tag as text), the
    // line break made a space.
    let md = matrix(d, "requirement", "verification", &["--format", "md"]);
    let line = md
        .stdout
        .lines()
        .find(|l| l.contains("REQ-902"))
        .unwrap()
        .to_owned();
    assert!(line.contains(r"a\|b \\ c"), "{line}");
    assert!(line.contains("&lt;script&gt;"), "{line}");
    assert!(!line.contains('<'), "{line}");
    assert_eq!(md_cells(&line)[0], format!("REQ-902 {TRICKY_HTML_TITLE}"));
    let line = md.stdout.lines().find(|l| l.contains("REQ-901")).unwrap();
    assert!(
        line.contains("Gasket, \"EPDM\" grade second line"),
        "{line}"
    );

    // HTML: the script tag is text, not an element.
    let html = matrix(d, "requirement", "verification", &["--format", "html"]);
    assert!(!html.stdout.contains("<script>"));
    assert!(html.stdout.contains("&lt;script&gt;"));
    let doc = Html::parse_document(&html.stdout);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    let cell: String = doc
        .select(&sel("tbody td"))
        .find(|td| td.text().any(|t| t == "REQ-902"))
        .unwrap()
        .text()
        .collect();
    assert_eq!(cell, format!("REQ-902{TRICKY_HTML_TITLE}"));

    // Text: ids only, so the titles cannot break the alignment.
    let text = matrix(d, "requirement", "verification", &[]);
    assert!(text.stdout.contains("REQ-901"));
    assert!(!text.stdout.contains("Gasket"));
}

// ---------------------------------------------------------------------------
// 2. Backward, --via and the filters

/// doors-zh, verification → requirement: the same links read the other
/// way. VER-001 reaches REQ-002, REQ-003, REQ-013 through DI-002 and REQ-004,
/// REQ-013 through DI-003; VER-003's DI-011 traces nothing, so that branch
/// stops there (an untraced row showing how far it goes); VER-006 reaches
/// REQ-009 only through DO-004 → DI-007.
const DOORS_BACKWARD: &[&str] = &[
    "VER-001 - DI-002 REQ-002 traced",
    "VER-001 - DI-002 REQ-003 traced",
    "VER-001 - DI-002 REQ-013 traced",
    "VER-001 - DI-003 REQ-004 traced",
    "VER-001 - DI-003 REQ-013 traced",
    "VER-002 - DI-004 REQ-004 unverified",
    "VER-002 - DI-004 REQ-013 unverified",
    "VER-003 - DI-001 REQ-001 traced",
    "VER-003 - DI-001 REQ-015 traced",
    "VER-003 - DI-010 REQ-010 traced",
    "VER-003 - DI-011 - untraced",
    "VER-004 - DI-005 REQ-005 traced",
    "VER-004 - DI-005 REQ-014 traced",
    "VER-005 - DI-006 REQ-006 traced",
    "VER-005 - DI-006 REQ-016 traced",
    "VER-005 - DI-006 REQ-020 traced",
    "VER-006 DO-004 DI-007 REQ-009 traced",
    "VER-007 - DI-009 REQ-019 unverified",
];

#[test]
fn backward_matrix_lists_each_verification_with_the_requirements_it_reaches() {
    let m = matrix_json(&sample("doors-zh"), "verification", "requirement", &[]);
    let mx = &m["matrix"];
    assert_eq!(mx["direction"], "backward");
    assert_eq!(mx["title"], "verification → requirement");
    assert_eq!(
        mx["columns"],
        json!([
            "verification",
            "design_output",
            "design_input",
            "requirement"
        ])
    );
    assert_eq!(row_keys(&m), keys(DOORS_BACKWARD));
    // Every verification of the sample has a row.
    let vers: BTreeSet<&str> = mx["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        vers,
        BTreeSet::from([
            "VER-001", "VER-002", "VER-003", "VER-004", "VER-005", "VER-006", "VER-007"
        ])
    );

    // The backward matrix is the forward one read the other way: the same
    // (verification, requirement) pairs.
    let pairs = |rows: &[&str], v: usize, r: usize| -> BTreeSet<(String, String)> {
        rows.iter()
            .map(|row| row.split_whitespace().collect::<Vec<_>>())
            .filter(|w| w[v] != "-" && w[r] != "-")
            .map(|w| (w[v].to_owned(), w[r].to_owned()))
            .collect()
    };
    assert_eq!(
        pairs(DOORS_BACKWARD, 0, 3),
        pairs(DOORS_FORWARD, 3, 0),
        "forward and backward threads disagree"
    );
}

#[test]
fn via_design_output_keeps_only_threads_through_a_design_output() {
    // doors-zh: only VER-006 verifies a design output (DO-004 ← DI-007 ←
    // REQ-009), so that is the one thread left; every other requirement
    // now has no thread through a design output and gets a row that stops
    // short, with the status check gives it.
    let m = matrix_json(
        &sample("doors-zh"),
        "requirement",
        "verification",
        &["--via", "design_output"],
    );
    assert_eq!(
        m["matrix"]["paths"],
        json!(["requirement → design_input → design_output → verification"])
    );
    let rows = row_keys(&m);
    let threads: Vec<_> = rows.iter().filter(|r| r[3] != "-").collect();
    assert_eq!(
        threads,
        [&keys(&["REQ-009 DI-007 DO-004 VER-006 traced"])[0]]
    );
    // Every requirement has a row; every row but REQ-009's thread stops
    // short, showing how far its branch goes (to a design input, or to an
    // output nothing verifies) and never reaching a verification. Its
    // status is check's: DI-001 → DO-001 stops, but VER-003 verifies DI-001
    // directly, so no rule requires more (not required); DI-004 and DI-009
    // have no passing verification at all (unverified); REQ-018 has no
    // design input (untraced).
    let reqs: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(reqs.len(), 20, "a row for each of REQ-001..REQ-020");
    assert!(
        rows.iter()
            .all(|r| r[0] == "REQ-009" || (r[3] == "-" && r[4] != "traced")),
        "{rows:?}"
    );
    let status = |k: &str| rows.iter().find(|r| r[..4].join(" ") == k).unwrap()[4].clone();
    assert_eq!(status("REQ-001 DI-001 DO-001 -"), "not-required");
    assert_eq!(status("REQ-004 DI-004 DO-002 -"), "unverified");
    assert_eq!(status("REQ-018 - - -"), "untraced");

    // auto-parts-en: VER-001 verifies DO-001 (← DI-001 ← REQ-001, REQ-006),
    // VER-003 DO-002 (← DI-002 ← REQ-004); REQ-004's direct thread through
    // VER-002 is dropped.
    let m = matrix_json(
        &sample("auto-parts-en"),
        "requirement",
        "verification",
        &["--via", "design_output"],
    );
    let threads: Vec<Vec<String>> = row_keys(&m).into_iter().filter(|r| r[3] != "-").collect();
    assert_eq!(
        threads,
        keys(&[
            "REQ-001 DI-001 DO-001 VER-001 traced",
            "REQ-004 DI-002 DO-002 VER-003 traced",
            "REQ-006 DI-001 DO-001 VER-001 traced",
        ])
    );
    // Without --via the same threads are a subset of the full matrix.
    let all = keys(AUTO_FORWARD);
    assert!(threads.iter().all(|t| all.contains(t)));
}

/// The rows of [`DOORS_FORWARD`] whose requirement is one of `reqs`.
fn doors_forward_of(reqs: &[&str]) -> Vec<Vec<String>> {
    keys(
        &DOORS_FORWARD
            .iter()
            .copied()
            .filter(|r| reqs.contains(&r.split_whitespace().next().unwrap()))
            .collect::<Vec<_>>(),
    )
}

#[test]
fn filters_select_exactly_the_expected_rows() {
    let doors = sample("doors-zh");
    let rows =
        |extra: &[&str]| row_keys(&matrix_json(&doors, "requirement", "verification", extra));

    // contracts/tender.toml: REQ-001..REQ-007 are `contract = "CON-001"`;
    // nothing else on these threads names a contract.
    assert_eq!(
        rows(&["--contract", "CON-001"]),
        doors_forward_of(&[
            "REQ-001", "REQ-002", "REQ-003", "REQ-004", "REQ-005", "REQ-006", "REQ-007"
        ])
    );
    // REQ-008..012, 017, 018 (contract.toml) and the legal REQ-013..016, 019
    // (legal.toml) are of CON-002; REQ-020 (organisation) has no contract.
    assert_eq!(
        rows(&["--contract", "CON-002"]),
        doors_forward_of(&[
            "REQ-008", "REQ-009", "REQ-010", "REQ-011", "REQ-012", "REQ-013", "REQ-014", "REQ-015",
            "REQ-016", "REQ-017", "REQ-018", "REQ-019"
        ])
    );
    // Only REQ-017 and REQ-018 name CUS-002 (the owners), and neither
    // contract is CUS-002's: two rows, REQ-017's unverified (it stops at
    // DI-008 → DO-001, which nothing verifies), REQ-018's untraced.
    assert_eq!(
        rows(&["--customer", "CUS-002"]),
        keys(&[
            "REQ-017 DI-008 DO-001 - unverified",
            "REQ-018 - - - untraced"
        ])
    );
    // CUS-001 is named by REQ-001..012 and is the customer of both
    // contracts, so every requirement of a contract counts (a requirement
    // also through its contract's customer); only REQ-020 is left out.
    let mut all_but_020 = keys(DOORS_FORWARD);
    all_but_020.retain(|r| r[0] != "REQ-020");
    assert_eq!(rows(&["--customer", "CUS-001"]), all_but_020);
    // legal.toml: REQ-013, 014, 015, 016, 019.
    assert_eq!(
        rows(&["--class", "legal"]),
        doors_forward_of(&["REQ-013", "REQ-014", "REQ-015", "REQ-016", "REQ-019"])
    );
    // The implied requirements REQ-017 and REQ-018 have no thread.
    assert_eq!(
        rows(&["--class", "implied"]),
        doors_forward_of(&["REQ-017", "REQ-018"])
    );
    // Untraced: the accepted requirement with no design input (see
    // DOORS_FORWARD).
    assert_eq!(
        rows(&["--only", "untraced"]),
        doors_forward_of(&["REQ-018"])
    );
    // Unverified: the two threads through DI-004 (VER-002 failed), the one
    // through DI-009 (VER-007 pending) and REQ-017's, whose DI-008 nothing
    // verifies.
    assert_eq!(
        rows(&["--only", "unverified"]),
        keys(&[
            "REQ-004 DI-004 - VER-002 unverified",
            "REQ-013 DI-004 - VER-002 unverified",
            "REQ-017 DI-008 DO-001 - unverified",
            "REQ-019 DI-009 - VER-007 unverified",
        ])
    );
    // Filters combine: of CON-001, only REQ-004's thread through DI-004.
    assert_eq!(
        rows(&["--contract", "CON-001", "--only", "unverified"]),
        keys(&["REQ-004 DI-004 - VER-002 unverified"])
    );
    assert_eq!(
        rows(&["--class", "implied", "--only", "untraced"]),
        doors_forward_of(&["REQ-018"])
    );
    assert!(rows(&["--class", "stated", "--only", "untraced"]).is_empty());

    // auto-parts-en, midwest.toml: REQ-014, 015, 016 name CUS-003; REQ-013
    // names no customer but its contract CON-003 is CUS-003's.
    let m = matrix_json(
        &sample("auto-parts-en"),
        "requirement",
        "verification",
        &["--customer", "CUS-003"],
    );
    assert_eq!(
        row_keys(&m),
        keys(&[
            "REQ-013 DI-006 - VER-007 traced",
            "REQ-014 - - - not-required",
            "REQ-015 - - - not-required",
            "REQ-016 DI-006 - VER-007 traced",
        ])
    );

    // A filter on an id that does not exist is an input error.
    let r = matrix(
        &doors,
        "requirement",
        "verification",
        &["--contract", "CON-999"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CON-999"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------
// 3. Chinese round trip

#[test]
fn chinese_titles_survive_csv_and_xlsx_exactly() {
    let doors = sample("doors-zh");
    let titles = toml_titles(&doors);
    // Titles read back from the TOML with a TOML parser, not from needtrail.
    assert_eq!(titles["REQ-009"], "交付时向业主提供《门窗使用维护说明书》");

    for (from, to) in [
        ("requirement", "verification"),
        ("verification", "requirement"),
    ] {
        let csv_records = read_csv(&matrix_file(&doors, from, to, "csv", &[]));
        let tmp = tempfile::tempdir().unwrap();
        let xlsx = tmp.path().join("矩阵.xlsx");
        let r = matrix(
            &doors,
            from,
            to,
            &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let sheets = read_xlsx(&xlsx);
        assert_eq!(sheets[0].1[0][1], "华安门窗 · 滨江花园二期门窗工程");
        for (what, records) in [("CSV", &csv_records[1..]), ("XLSX", &sheets[1].1[1..])] {
            let mut checked = 0;
            for rec in records {
                for pair in rec[..8].chunks(2) {
                    if pair[0].is_empty() {
                        assert!(pair[1].is_empty());
                        continue;
                    }
                    assert_eq!(pair[1], titles[&pair[0]], "{what} title of {}", pair[0]);
                    checked += 1;
                }
            }
            assert!(checked > 40, "{what}: only {checked} titles checked");
        }
    }
}

// ---------------------------------------------------------------------------
// 4. Determinism

#[test]
fn two_runs_give_identical_bytes_in_every_format() {
    for (s, from, to) in [
        ("doors-zh", "requirement", "verification"),
        ("doors-zh", "verification", "requirement"),
        ("auto-parts-en", "requirement", "verification"),
    ] {
        for format in ["text", "csv", "xlsx", "md", "json", "html"] {
            let a = matrix_file(&sample(s), from, to, format, &[]);
            let b = matrix_file(&sample(s), from, to, format, &[]);
            assert!(!a.is_empty());
            assert!(
                a == b,
                "{s} {from} → {to} --format {format} differs between runs"
            );
        }
    }
}

/// Every file under a folder, by path relative to it.
fn relative_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot_tree(dir)
        .into_iter()
        .map(|(p, b)| {
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (rel, b)
        })
        .collect()
}

fn audit(project: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> =
        vec!["audit".into(), project.into(), "--out".into(), out.into()];
    args.extend(extra.iter().map(Into::into));
    run_in(None, args)
}

fn verify(out: &Path) -> Run {
    run_in(
        None,
        ["audit".as_ref(), "--verify".as_ref(), out.as_os_str()],
    )
}

#[test]
fn two_audit_packages_of_the_same_input_are_identical() {
    for (s, lang) in [("doors-zh", "zh"), ("auto-parts-en", "en")] {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for out in [&a, &b] {
            let r = audit(&sample(s), out, &["--lang", lang]);
            assert_eq!(r.code, 0, "{}", r.stderr);
        }
        let (ta, tb) = (relative_tree(&a), relative_tree(&b));
        assert_eq!(
            ta.keys().collect::<Vec<_>>(),
            tb.keys().collect::<Vec<_>>(),
            "{s}: same files"
        );
        for (name, bytes) in &ta {
            assert!(bytes == &tb[name], "{s}: {name} differs between two runs");
        }
        for name in [
            "MANIFEST",
            "findings.json",
            "matrices/requirement-verification.csv",
            "matrices/verification-requirement.csv",
            "matrices/matrices.xlsx",
            "report/index.html",
        ] {
            assert!(ta.contains_key(name), "{s}: no {name} in the package");
        }
    }
}

#[test]
fn the_report_in_an_audit_package_is_the_one_report_writes() {
    for (s, lang) in [("doors-zh", "zh"), ("auto-parts-en", "en")] {
        let tmp = tempfile::tempdir().unwrap();
        let (pkg, site) = (tmp.path().join("audit"), tmp.path().join("report"));
        let r = audit(&sample(s), &pkg, &["--lang", lang]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = run_in(
            None,
            [
                "report".as_ref(),
                sample(s).as_os_str(),
                "--out".as_ref(),
                site.as_os_str(),
                "--lang".as_ref(),
                lang.as_ref(),
            ],
        );
        assert!(r.code <= 1, "{}", r.stderr);
        let in_package: BTreeMap<String, Vec<u8>> = relative_tree(&pkg)
            .into_iter()
            .filter_map(|(p, b)| Some((p.strip_prefix("report/")?.to_owned(), b)))
            .collect();
        let written = relative_tree(&site);
        assert_eq!(
            in_package.keys().collect::<Vec<_>>(),
            written.keys().collect::<Vec<_>>(),
            "{s}: same pages"
        );
        for (name, bytes) in &written {
            assert!(bytes == &in_package[name], "{s}: report/{name} differs");
        }
    }
}

// ---------------------------------------------------------------------------
// 5. diff of two folders

/// Replaces the one occurrence of `from` in a file of the project.
fn replace_once(dir: &Path, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(dir.join(rel)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{rel}: one {from:?}");
    fs::write(dir.join(rel), text.replacen(from, to, 1)).unwrap();
}

const REQ_002_OLD_TEXT: &str = "按 GB/T 7106 分级,气密性能 ≥ 6级。";
const REQ_002_NEW_TEXT: &str = "按 GB/T 7106 分级,气密性能 ≥ 7级。";
const REQ_021_TITLE: &str = "门窗五金件提供两年免费更换";

/// The edits of the diff test, made to a copy of doors-zh:
///
/// - REQ-021 added (a stated requirement without `source`: one new
///   `stated-has-source` finding, nothing else, as it has no contract and
///   no review decision);
/// - CHG-001 removed (a requirement change is no link's target, so nothing
///   links to it; its own link `changes → REQ-011` goes with it; it has no
///   finding, as no review was signed after it);
/// - REQ-002's `text` changed (in the fingerprint: normative);
/// - REQ-001's `owner` changed (not in the fingerprint: not normative);
/// - one link added: DI-011 `traces` REQ-010 (DI-011 changes, normatively,
///   as links are in the fingerprint, and its `design-input-traced`
///   finding is resolved).
fn edit_doors(dir: &Path) {
    replace_once(
        dir,
        "contracts/tender.toml",
        REQ_002_OLD_TEXT,
        REQ_002_NEW_TEXT,
    );
    replace_once(
        dir,
        "contracts/tender.toml",
        "owner = \"技术部\"",
        "owner = \"技术部 陈志远\"",
    );
    replace_once(
        dir,
        "design/inputs.toml",
        "category = \"other\"\n",
        "category = \"other\"\ntraces = [\"REQ-010\"]\n",
    );
    let path = dir.join("contracts/contract.toml");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find("[[change]]\nid = \"CHG-001\"").unwrap();
    assert!(!text[at + 1..].contains("[["), "CHG-001 is the last table");
    fs::write(&path, &text[..at]).unwrap();
    let mut org = fs::read_to_string(dir.join("requirements/organisation.toml")).unwrap();
    org.push_str(&format!(
        "\n[[requirement]]\nid = \"REQ-021\"\ntitle = \"{REQ_021_TITLE}\"\nclass = \"stated\"\n"
    ));
    fs::write(dir.join("requirements/organisation.toml"), org).unwrap();
}

fn finding_keys(list: &Value) -> Vec<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn diff_of_two_folders_reports_exactly_the_edits() {
    let old = copy_tree(&sample("doors-zh"));
    let new = copy_tree(&sample("doors-zh"));
    edit_doors(new.path());
    let before = snapshot_tree(old.path());

    let r = run_in(
        None,
        [
            "diff".as_ref(),
            old.path().as_os_str(),
            new.path().as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = r.json();
    let titles = toml_titles(&sample("doors-zh"));

    assert_eq!(
        d["items"]["added"],
        json!([{"id": "REQ-021", "kind": "requirement", "title": REQ_021_TITLE}])
    );
    assert_eq!(
        d["items"]["removed"],
        json!([{"id": "CHG-001", "kind": "change", "title": titles["CHG-001"]}])
    );
    assert_eq!(
        d["items"]["changed"],
        json!([
            {
                "id": "DI-011", "kind": "design_input", "title": titles["DI-011"],
                "normative": true,
                "fields": [{"field": "traces", "old": null, "new": "REQ-010"}]
            },
            {
                "id": "REQ-001", "kind": "requirement", "title": titles["REQ-001"],
                "normative": false,
                "fields": [{"field": "owner", "old": "技术部", "new": "技术部 陈志远"}]
            },
            {
                "id": "REQ-002", "kind": "requirement", "title": titles["REQ-002"],
                "normative": true,
                "fields": [{"field": "text", "old": REQ_002_OLD_TEXT, "new": REQ_002_NEW_TEXT}]
            }
        ])
    );
    assert_eq!(
        d["links"]["added"],
        json!([{"from": "DI-011", "field": "traces", "to": "REQ-010"}])
    );
    assert_eq!(
        d["links"]["removed"],
        json!([{"from": "CHG-001", "field": "changes", "to": "REQ-011"}])
    );
    assert_eq!(
        finding_keys(&d["findings"]["new"]),
        [
            // DI-011 now traces a requirement of CON-002, whose design is
            // reviewed (DR-001), and no design review covers it.
            (
                "design-input-reviewed".to_owned(),
                "DI-011".to_owned(),
                "error".to_owned()
            ),
            (
                "stated-has-source".to_owned(),
                "REQ-021".to_owned(),
                "error".to_owned()
            )
        ]
    );
    assert_eq!(
        finding_keys(&d["findings"]["resolved"]),
        [(
            "design-input-traced".to_owned(),
            "DI-011".to_owned(),
            "error".to_owned()
        )]
    );
    // The same as the difference of what `check` finds in each version.
    let old_set: BTreeSet<_> = finding_set(&check_json(old.path()).1).into_iter().collect();
    let new_set: BTreeSet<_> = finding_set(&check_json(new.path()).1).into_iter().collect();
    assert_eq!(
        new_set.difference(&old_set).cloned().collect::<Vec<_>>(),
        finding_keys(&d["findings"]["new"])
    );
    assert_eq!(
        old_set.difference(&new_set).cloned().collect::<Vec<_>>(),
        finding_keys(&d["findings"]["resolved"])
    );
    assert_eq!(snapshot_tree(old.path()), before, "diff changed a file");

    // A folder compared with itself: no differences.
    let r = run_in(
        None,
        [
            "diff".as_ref(),
            old.path().as_os_str(),
            sample("doors-zh").as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    );
    let d = r.json();
    for (k, l) in [
        ("items", "added"),
        ("items", "removed"),
        ("items", "changed"),
        ("links", "added"),
        ("links", "removed"),
        ("findings", "new"),
        ("findings", "resolved"),
    ] {
        assert_eq!(d[k][l], json!([]), "{k}.{l}");
    }
    let r = run_in(
        None,
        [
            "diff".as_ref(),
            old.path().as_os_str(),
            sample("doors-zh").as_os_str(),
        ],
    );
    assert!(r.stdout.contains("No differences."), "{}", r.stdout);

    // The text and HTML forms name the same edits.
    let r = run_in(
        None,
        [
            "diff".as_ref(),
            old.path().as_os_str(),
            new.path().as_os_str(),
        ],
    );
    assert_eq!(r.code, 0);
    for s in [
        "Items: 1 added, 1 removed, 3 changed",
        "Links: 1 added, 1 removed",
        "Findings: 2 new, 1 resolved",
        "~ requirement REQ-002",
        "(normative: fingerprint changed)",
    ] {
        assert!(r.stdout.contains(s), "text diff lacks {s:?}:\n{}", r.stdout);
    }
    let r = run_in(
        None,
        [
            "diff".as_ref(),
            old.path().as_os_str(),
            new.path().as_os_str(),
            "--format".as_ref(),
            "html".as_ref(),
        ],
    );
    let doc = Html::parse_document(&r.stdout);
    let tables: Vec<_> = doc.select(&sel("table")).collect();
    assert_eq!(tables.len(), 3);
    let body_rows = |i: usize| tables[i].select(&sel("tbody tr")).count();
    assert_eq!((body_rows(0), body_rows(1), body_rows(2)), (5, 2, 3));
}

// ---------------------------------------------------------------------------
// 6. diff --git

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs git in `repo` with an identity of its own (no user config needed).
fn git(repo: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=needtrail test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_NAME", "needtrail test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "needtrail test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Makes a git repository holding a copy of doors-zh at `sub` ("" for the
/// repository's root), commits it, commits an edit of REQ-002's text, then
/// leaves an uncommitted edit of REQ-001's owner in the work tree; checks
/// that `diff --git HEAD~1..HEAD` run from each `(cwd, DIR)` reports the
/// committed edit only, and that the work tree, HEAD and status are untouched.
fn check_diff_git(sub: &str) {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git(root, &["init", "-q"]);
    let project: PathBuf = if sub.is_empty() {
        root.to_path_buf()
    } else {
        root.join(sub)
    };
    copy_into(&sample("doors-zh"), &project);
    write(root, "NOTES.md", "not a project file\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "baseline"]);
    // The committed edit: REQ-002's text.
    replace_once(
        &project,
        "contracts/tender.toml",
        REQ_002_OLD_TEXT,
        REQ_002_NEW_TEXT,
    );
    git(root, &["commit", "-q", "-am", "raise air tightness"]);
    let head = git(root, &["rev-parse", "HEAD"]);
    // An uncommitted edit in the work tree: must stay, and must not show.
    replace_once(
        &project,
        "contracts/tender.toml",
        "owner = \"技术部\"",
        "owner = \"技术部 未提交\"",
    );
    let work_tree = snapshot_tree(root);
    let status = git(root, &["status", "--porcelain"]);
    let tender = if sub.is_empty() {
        "contracts/tender.toml".to_owned()
    } else {
        format!("{sub}/contracts/tender.toml")
    };
    assert_eq!(
        status.trim(),
        format!("M {tender}"),
        "only the uncommitted edit is pending"
    );

    let expected_changed = json!([{
        "id": "REQ-002", "kind": "requirement",
        "title": toml_titles(&sample("doors-zh"))["REQ-002"],
        "normative": true,
        "fields": [{"field": "text", "old": REQ_002_OLD_TEXT, "new": REQ_002_NEW_TEXT}]
    }]);
    let outside = tempfile::tempdir().unwrap();
    // From inside the project folder with no DIR, from the repository root
    // with a relative DIR, and from outside the repository with an absolute DIR.
    let mut runs = vec![
        (project.clone(), None),
        (outside.path().to_path_buf(), Some(project.clone())),
    ];
    if !sub.is_empty() {
        runs.push((root.to_path_buf(), Some(PathBuf::from(sub))));
    }
    for (cwd, dir) in runs {
        let mut args: Vec<std::ffi::OsString> = vec![
            "diff".into(),
            "--git".into(),
            "HEAD~1..HEAD".into(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(dir.iter().map(Into::into));
        let r = run_in(Some(&cwd), args);
        let place = format!("project at {sub:?}, run from {}", cwd.display());
        assert_eq!(r.code, 0, "{place}: {}", r.stderr);
        let d = r.json();
        assert_eq!(d["old"], "HEAD~1");
        assert_eq!(d["new"], "HEAD");
        assert_eq!(d["items"]["changed"], expected_changed, "{place}");
        for (k, l) in [
            ("items", "added"),
            ("items", "removed"),
            ("links", "added"),
            ("links", "removed"),
            ("findings", "new"),
            ("findings", "resolved"),
        ] {
            assert_eq!(d[k][l], json!([]), "{place}: {k}.{l}");
        }
    }

    // No checkout happened: the work tree, HEAD and the status are as they were.
    assert_eq!(snapshot_tree(root), work_tree, "the work tree changed");
    assert!(
        fs::read_to_string(project.join("contracts/tender.toml"))
            .unwrap()
            .contains("owner = \"技术部 未提交\"")
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["status", "--porcelain"]), status);

    // A range without `..`, or with a revision that does not exist, is an input error.
    let r = run_in(Some(&project), ["diff", "--git", "HEAD"]);
    assert_eq!(r.code, 2);
    let r = run_in(Some(&project), ["diff", "--git", "HEAD~5..HEAD"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("HEAD~5"), "{}", r.stderr);
}

#[test]
fn diff_git_compares_two_revisions_of_a_project_in_a_subfolder() {
    if !git_available() {
        eprintln!("note: git is not installed; skipping the `diff --git` test");
        return;
    }
    check_diff_git("projects/doors");
}

#[test]
fn diff_git_compares_two_revisions_of_a_project_at_the_repository_root() {
    if !git_available() {
        eprintln!("note: git is not installed; skipping the `diff --git` test");
        return;
    }
    // The prefix inside the repository is empty here (git refuses an empty pathspec).
    check_diff_git("");
}

// ---------------------------------------------------------------------------
// 7. audit --verify

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A MANIFEST section (`inputs:` or `outputs:`) as path → SHA-256.
fn manifest_section(manifest: &str, section: &str) -> BTreeMap<String, String> {
    manifest
        .split(&format!("\n{section}:\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("MANIFEST has no {section}: section"))
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let (h, p) = l.split_once("  ").unwrap();
            (p.to_owned(), h.to_owned())
        })
        .collect()
}

#[test]
fn audit_manifest_lists_every_input_and_output_and_verify_catches_tampering() {
    let doors = sample("doors-zh");
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("audit");
    let r = audit(&doors, &pkg, &["--lang", "zh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest = fs::read_to_string(pkg.join("MANIFEST")).unwrap();

    // Inputs: needtrail.toml and every other .toml of the project (not the
    // README), each with the SHA-256 of its bytes (the samples have no BOM).
    let mut expected_inputs = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&doors) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "toml") {
            let bytes = fs::read(entry.path()).unwrap();
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
            let rel = entry
                .path()
                .strip_prefix(&doors)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            expected_inputs.insert(rel, sha256_hex(&bytes));
        }
    }
    assert_eq!(expected_inputs.len(), 16);
    assert_eq!(manifest_section(&manifest, "inputs"), expected_inputs);

    // Outputs: every file written but the MANIFEST, with its SHA-256.
    let written: BTreeMap<String, String> = relative_tree(&pkg)
        .into_iter()
        .filter(|(p, _)| p != "MANIFEST")
        .map(|(p, b)| (p, sha256_hex(&b)))
        .collect();
    assert!(written.contains_key("matrices/requirement-verification.csv"));
    assert!(written.contains_key("report/index.html"));
    assert_eq!(manifest_section(&manifest, "outputs"), written);

    // The header names the project and the same input digest as the matrices.
    let m = matrix_json(&doors, "requirement", "verification", &[]);
    assert!(manifest.starts_with("needtrail audit package\n"));
    assert!(manifest.contains("project: 华安门窗 · 滨江花园二期门窗工程\n"));
    assert!(manifest.contains(&format!(
        "input-digest: {}\n",
        m["provenance"]["digest"].as_str().unwrap()
    )));
    // The package's CSV is the `matrix --format csv` of the same project,
    // in the package's language.
    assert_eq!(
        fs::read(pkg.join("matrices/requirement-verification.csv")).unwrap(),
        matrix_file(
            &doors,
            "requirement",
            "verification",
            "csv",
            &["--lang", "zh"]
        )
    );
    assert_eq!(
        fs::read(pkg.join("matrices/verification-requirement.csv")).unwrap(),
        matrix_file(
            &doors,
            "verification",
            "requirement",
            "csv",
            &["--lang", "zh"]
        )
    );

    // Intact.
    let r = verify(&pkg);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Intact"), "{}", r.stdout);

    // One byte changed.
    let changed = copy_tree(&pkg);
    let csv_path = changed.path().join("matrices/requirement-verification.csv");
    let mut bytes = fs::read(&csv_path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    fs::write(&csv_path, bytes).unwrap();
    let r = verify(changed.path());
    assert_eq!(r.code, 1, "{}", r.stdout);
    let flagged: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("NOT intact"))
        .collect();
    assert_eq!(flagged, ["CHANGED   matrices/requirement-verification.csv"]);

    // A file deleted.
    let missing = copy_tree(&pkg);
    fs::remove_file(missing.path().join("findings.json")).unwrap();
    let r = verify(missing.path());
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().any(|l| l == "MISSING   findings.json"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("CHANGED"));

    // A file added.
    let added = copy_tree(&pkg);
    write(added.path(), "report/extra.html", "<p>added later</p>\n");
    let r = verify(added.path());
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().any(|l| l == "UNLISTED  report/extra.html"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("CHANGED") && !r.stdout.contains("MISSING"));

    // Not a package at all.
    let empty = tempfile::tempdir().unwrap();
    let r = verify(empty.path());
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = verify(&doors);
    assert_eq!(r.code, 2);

    // The original package is still intact, and writing it again over
    // itself (a folder needtrail wrote) works and stays intact.
    assert_eq!(verify(&pkg).code, 0);
    let r = audit(&doors, &pkg, &["--lang", "zh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(verify(&pkg).code, 0);
}

// ---------------------------------------------------------------------------
// 8. Errors

#[test]
fn command_line_errors_exit_2_with_a_useful_message() {
    let doors = sample("doors-zh");
    // The kinds of the built-in profile (doors-zh adds none), in its order.
    let profile: toml::Table =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/iso9001.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let kind_names: Vec<&str> = profile["kinds"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "requirement",
        "design_input",
        "design_output",
        "verification",
    ] {
        assert!(kind_names.contains(&k));
    }
    let kinds = format!("; kinds are: {}\n", kind_names.join(", "));

    let r = matrix(&doors, "requirment", "verification", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("unknown kind `requirment`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&kinds), "{}", r.stderr);

    let r = matrix(&doors, "requirement", "verifcation", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown kind `verifcation`"),
        "{}",
        r.stderr
    );
    let r = matrix(
        &doors,
        "requirement",
        "verification",
        &["--via", "desgin_output"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("desgin_output"), "{}", r.stderr);

    // A class filter that names no class is an error, not an empty matrix.
    let r = matrix(
        &doors,
        "requirement",
        "verification",
        &["--class", "organization"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("--class `organization` is not a value of the field; did you mean \"organisation\" (组织附加的)?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("stated, implied, legal, organisation"),
        "{}",
        r.stderr
    );
    // Its Chinese label is understood as what it means, and the hint says so.
    let r = matrix(
        &doors,
        "requirement",
        "verification",
        &["--class", "法律法规的"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean \"legal\" (法律法规的)?"),
        "{}",
        r.stderr
    );

    // No link path from a quality objective to a verification.
    let r = matrix(&doors, "objective", "verification", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no link path"), "{}", r.stderr);

    // XLSX goes to standard output when that is not a terminal (here, a
    // pipe): the bytes of a workbook, a zip file.
    let out = needtrail()
        .args([
            "matrix".as_ref(),
            doors.as_os_str(),
            "--from".as_ref(),
            "requirement".as_ref(),
            "--to".as_ref(),
            "verification".as_ref(),
            "--format".as_ref(),
            "xlsx".as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.starts_with(b"PK\x03\x04"),
        "a zip-packed workbook"
    );

    // An unknown --only value or format is a usage error from the parser.
    let r = matrix(&doors, "requirement", "verification", &["--only", "broken"]);
    assert_eq!(r.code, 2);

    // audit into a folder that holds something needtrail did not write.
    let foreign = tempfile::tempdir().unwrap();
    write(foreign.path(), "notes.txt", "mine\n");
    write(foreign.path(), "sub/data.csv", "a,b\n");
    let before = snapshot_tree(foreign.path());
    let r = audit(&doors, foreign.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(
        snapshot_tree(foreign.path()),
        before,
        "the folder was touched"
    );
    assert!(!foreign.path().join("MANIFEST").exists());

    // audit with neither --out nor --verify.
    let r = run_in(None, ["audit".as_ref(), doors.as_os_str()]);
    assert_eq!(r.code, 2);
}

#[test]
fn audit_verify_with_the_project_rechecks_the_input_files() {
    let project = copy_tree(&sample("doors-zh"));
    let pkg = tempfile::tempdir().unwrap();
    let out = pkg.path().join("audit");
    let r = run([
        "audit".as_ref(),
        project.path().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let verify = || {
        run([
            "audit".as_ref(),
            "--verify".as_ref(),
            out.as_os_str(),
            project.path().as_os_str(),
        ])
    };
    let r = verify();
    assert_eq!(r.code, 0, "{}", r.stdout);
    // An input edited after the audit, and one added.
    let inputs = project.path().join("design/inputs.toml");
    let text = std::fs::read_to_string(&inputs).unwrap();
    std::fs::write(&inputs, format!("{text}# edited after the audit\n")).unwrap();
    write(
        project.path(),
        "late.toml",
        "[[customer]]\nid = \"CUS-9\"\ntitle = \"late\"\n",
    );
    let r = verify();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("CHANGED   input: design/inputs.toml"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("UNLISTED  input: late.toml"),
        "{}",
        r.stdout
    );
    // Without the project, only the package itself is checked: still intact.
    let r = run(["audit".as_ref(), "--verify".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}
