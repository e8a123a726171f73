//! Sheets as customers and colleagues really send them: characters pasted
//! from web pages, formulas saved without their values, files in another
//! encoding or split at another character than the mapping says, a
//! workbook under the other Excel extension, a note that ends the table,
//! a project checked out with Windows line endings. Each either imports
//! as the sheet reads, or is refused at its place with how to fix it;
//! never read as blanks or as other characters.

use std::path::Path;

use rust_xlsxwriter::Workbook;

use crate::support::*;

/// A project with the CSV mapping `csr` of a customer's requirement list,
/// plus `extra` lines in the mapping's table.
fn csr_project(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "contracts.toml",
        "[[customer]]\nid = \"CUS-1\"\n\n[[contract]]\nid = \"CON-1\"\ncustomer = \"CUS-1\"\n",
    );
    write(
        dir.path(),
        "needtrail.toml",
        &format!(
            r#"[project]
name = "csr"

[import.csr]
{extra}
[[import.csr.item]]
kind = "requirement"
file = "requirements/csr.toml"
id = "CSR-{{No.}}"
fields.title = "Requirement"
fields.text = "Details"
fields.class = {{ value = "stated" }}
fields.contract = {{ value = "CON-1" }}
"#
        ),
    );
    dir
}

/// [`csr_project`] with the customer's list `csr.csv` in it holding `csv`;
/// gives the project and the list's path.
fn csr_list(extra: &str, csv: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = csr_project(extra);
    let file = dir.path().join("csr.csv");
    std::fs::write(&file, csv).unwrap();
    (dir, file)
}

fn import(root: &Path, file: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec![
        "import".into(),
        "csr".into(),
        file.into(),
        root.into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|a| a.into()));
    run(args)
}

/// The one error of a refused import, as JSON, after checking that it was
/// refused and wrote nothing.
fn refused(root: &Path, file: &Path) -> serde_json::Value {
    let before = snapshot_tree(root);
    let r = import(root, file, &[]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(snapshot_tree(root) == before, "files were written");
    let json = r.json();
    json["errors"][0].clone()
}

#[test]
fn a_byte_order_mark_inside_a_cell_is_written_escaped_and_the_project_still_loads() {
    // U+FEFF comes with text pasted from web pages and documents; written
    // raw, the project would no longer load (a byte-order mark anywhere
    // but at the start of a file is refused) and no import would run again.
    let (dir, csv) = csr_list(
        "",
        "No.,Requirement,Details\n1,Brake\u{feff}pad,\"first line\u{feff}\nsecond line\"\n2,Rotor,plain\n",
    );
    let root = dir.path();
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(root.join("requirements/csr.toml")).unwrap();
    assert!(!written.contains('\u{feff}'), "{written}");
    assert_eq!(written.matches("\\uFEFF").count(), 2, "{written}");
    let (code, json) = check_json(root);
    assert!(code <= 1, "{json}");
    // The text is kept as it was, the mark and all.
    let parsed: toml::Table = written.parse().unwrap();
    let item = &parsed["requirement"].as_array().unwrap()[0];
    assert_eq!(item["title"].as_str(), Some("Brake\u{feff}pad"));
    assert_eq!(
        item["text"].as_str(),
        Some("first line\u{feff}\nsecond line")
    );
    let again = import(root, &csv, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["changed"], serde_json::json!([]));
    assert_eq!(again.json()["unchanged"], 2);
}

#[test]
fn a_misspelt_column_is_never_read_as_column_letters_past_the_sheet() {
    // `Req` or `Src` read as the column letters REQ or SRC are columns
    // with nothing in them: every title would be emptied.
    let (dir, csv) = csr_list("", "No.,Requirement,Details\n1,Brake pad,text\n");
    let root = dir.path();
    assert_eq!(import(root, &csv, &[]).code, 0);
    let config = std::fs::read_to_string(root.join("needtrail.toml")).unwrap();
    write(
        root,
        "needtrail.toml",
        &config.replace("fields.title = \"Requirement\"", "fields.title = \"Req\""),
    );
    let error = refused(root, &csv);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("no column `Req`"), "{error}");
    assert!(
        message.contains("column REQ, past the last column"),
        "{error}"
    );
    assert!(
        error["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `Requirement`?"),
        "{error}"
    );
    // A letter of a column the sheet uses is that column.
    write(
        root,
        "needtrail.toml",
        &config.replace("fields.title = \"Requirement\"", "fields.title = \"B\""),
    );
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["changed"], serde_json::json!([]));
    // A column named by its capital letters is that column, even one
    // empty in this file (a remarks column nobody filled this time).
    write(
        root,
        "needtrail.toml",
        &config.replace("fields.text = \"Details\"", "fields.source = \"E\""),
    );
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_project_checked_out_with_crlf_line_endings_reimports_as_unchanged() {
    let (dir, csv) = csr_list(
        "",
        "No.,Requirement,Details\n1,Brake pad,\"first line\nsecond line\"\n",
    );
    let root = dir.path();
    assert_eq!(import(root, &csv, &[]).code, 0);
    let file = root.join("requirements/csr.toml");
    let lf = std::fs::read_to_string(&file).unwrap();
    assert!(lf.contains("second line"), "{lf}");
    std::fs::write(&file, lf.replace('\n', "\r\n")).unwrap();
    let before = snapshot_tree(root);
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json = r.json();
    assert_eq!(json["changed"], serde_json::json!([]), "{json}");
    assert_eq!(json["unchanged"], 1, "{json}");
    assert!(snapshot_tree(root) == before);
    // A real change is still one.
    std::fs::write(
        &csv,
        "No.,Requirement,Details\n1,Brake pad,\"first line\nthird line\"\n",
    )
    .unwrap();
    let r = import(root, &csv, &[]);
    assert_eq!(
        r.json()["changed"],
        serde_json::json!([{"id": "CSR-1", "fields": ["text"]}])
    );
    let crlf = std::fs::read_to_string(&file).unwrap();
    assert!(crlf.contains("third line"), "{crlf}");
    assert!(!crlf.replace("\r\n", "").contains('\n'), "{crlf:?}");
}

/// `xlsx` with the value of every formula cell taken out, as programs that
/// write workbooks without calculating them save it.
fn without_formula_values(xlsx: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut stripped = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if entry.name().starts_with("xl/worksheets/sheet") {
            let mut text = String::from_utf8(data).unwrap();
            while let Some(at) = text.find("</f><v>") {
                let end = at + text[at..].find("</v>").unwrap() + "</v>".len();
                text.replace_range(at + "</f>".len()..end, "");
                stripped += 1;
            }
            data = text.into_bytes();
        }
        out.start_file(entry.name(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    assert!(stripped > 0);
    out.finish().unwrap().into_inner()
}

#[test]
fn a_formula_saved_without_its_value_is_refused_at_its_cell_not_read_as_blank() {
    let dir = csr_project("");
    let root = dir.path();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["No.", "Requirement", "Details"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "Brake pad").unwrap();
    ws.write_string(1, 2, "the text").unwrap();
    let calculated = root.join("calculated.xlsx");
    ws.write_number(2, 0, 2.0).unwrap();
    ws.write_string(2, 1, "Rotor").unwrap();
    ws.write_formula(2, 2, "=\"含\"&\"引号\"").unwrap();
    ws.set_formula_result(2, 2, "含引号");
    wb.save(&calculated).unwrap();
    // Saved by Excel, with the value: read as the sheet shows it.
    let r = import(root, &calculated, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(root.join("requirements/csr.toml")).unwrap();
    assert!(written.contains("text = \"含引号\""), "{written}");
    // Saved without it: the cell is named, and the text is not emptied.
    let bare = root.join("bare.xlsx");
    std::fs::write(
        &bare,
        without_formula_values(&std::fs::read(&calculated).unwrap()),
    )
    .unwrap();
    let error = refused(root, &bare);
    assert_eq!(
        error["origin"],
        "bare.xlsx, sheet Sheet1, C3".replace("bare.xlsx", &bare.display().to_string())
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("holds the formula `=\"含\"&\"引号\"` but not its value"),
        "{error}"
    );
    assert!(
        error["help"].as_str().unwrap().contains("save it"),
        "{error}"
    );
}

#[test]
fn a_utf8_file_under_a_gbk_mapping_is_refused_not_read_as_other_characters() {
    let (dir, csv) = csr_list(
        "encoding = \"gbk\"",
        "No.,Requirement,Details\n1,中文,国标\n",
    );
    let root = dir.path();
    let error = refused(root, &csv);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("the file is UTF-8 text, but the mapping says encoding = \"gbk\""),
        "{error}"
    );
    assert!(
        error["help"]
            .as_str()
            .unwrap()
            .contains("remove `encoding`"),
        "{error}"
    );
    // In GBK, as the mapping says: read as written.
    let (gbk, _, _) = encoding_rs::GBK.encode("No.,Requirement,Details\n1,中文,国标\n");
    std::fs::write(&csv, &gbk).unwrap();
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(root.join("requirements/csr.toml")).unwrap();
    assert!(written.contains("title = \"中文\""), "{written}");
}

#[test]
fn a_csv_split_at_semicolons_says_which_delimiter_to_set() {
    let (dir, csv) = csr_list("", "No.;Requirement;Details\n1;Brake pad;text\n");
    let root = dir.path();
    let error = refused(root, &csv);
    let help = error["help"].as_str().unwrap();
    assert!(help.contains("separates its values with `;`"), "{error}");
    assert!(
        help.contains("add delimiter = \";\" to [import.csr]"),
        "{error}"
    );
    let config = std::fs::read_to_string(root.join("needtrail.toml")).unwrap();
    write(
        root,
        "needtrail.toml",
        &config.replace("[import.csr]\n", "[import.csr]\ndelimiter = \";\"\n"),
    );
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["added"], serde_json::json!(["CSR-1"]));
}

#[test]
fn where_stop_at_ends_the_table_is_said_with_the_summary() {
    let (dir, csv) = csr_list(
        "stop_at = [\"评审结论\"]",
        "No.,Requirement,Details,Remarks\n1,Brake pad,text,\n2,Rotor,text,评审结论见会议纪要\n3,Caliper,text,\n",
    );
    let root = dir.path();
    let r = import(root, &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["added"], serde_json::json!(["CSR-1"]));
    assert!(
        r.stderr
            .contains("the table ends before row 3 (D3 reads `评审结论见会议纪要`, which `stop_at` names); rows after it are not read"),
        "{}",
        r.stderr
    );
    // A conclusion row below the table, with nothing else in it, is the
    // table's normal end: no note.
    std::fs::write(
        &csv,
        "No.,Requirement,Details,Remarks\n1,Brake pad,text,\n评审结论：同意,,,\n",
    )
    .unwrap();
    let r = import(root, &csv, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
    // So is one merged across the sheet: each of its cells holds the text.
    std::fs::write(
        &csv,
        "No.,Requirement,Details,Remarks\n1,Brake pad,text,\n评审结论：同意,评审结论：同意,评审结论：同意,评审结论：同意\n",
    )
    .unwrap();
    let r = import(root, &csv, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
    std::fs::write(
        &csv,
        "No.,Requirement,Details,Remarks\n1,Brake pad,text,\n2,Rotor,text,评审结论见会议纪要\n3,Caliper,text,\n",
    )
    .unwrap();
    // In text, before the summary.
    let r = run([
        "import".as_ref(),
        "csr".as_ref(),
        csv.as_os_str(),
        root.as_os_str(),
        "--dry-run".as_ref(),
    ]);
    let note = r.stdout.find("note: ").expect(&r.stdout);
    assert!(note < r.stdout.find("unchanged").unwrap(), "{}", r.stdout);
}

#[test]
fn a_workbook_under_the_other_excel_extension_is_read_as_what_it_is() {
    let dir = csr_project("");
    let root = dir.path();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["No.", "Requirement", "Details"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "Brake pad").unwrap();
    // An .xlsx saved with the name of an .xls: read as the workbook it is.
    let misnamed = root.join("list.xls");
    wb.save(&misnamed).unwrap();
    let r = import(root, &misnamed, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["added"], serde_json::json!(["CSR-1"]));
    // A web page saved as .xls, as some systems export tables: what it
    // is, and what to do.
    let page = root.join("page.xls");
    std::fs::write(
        &page,
        "<html><body><table><tr><td>No.</td></tr></table></body></html>",
    )
    .unwrap();
    let error = refused(root, &page);
    assert!(
        error["help"]
            .as_str()
            .unwrap()
            .contains("a web page or XML text"),
        "{error}"
    );
}

#[test]
fn a_review_sheet_cell_longer_than_excel_holds_names_its_requirement() {
    let dir = copy_tree(&sample("doors-zh"));
    let root = dir.path();
    let file = root.join("requirements/legal.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let title = "title = \"外门窗气密";
    assert!(text.contains(title));
    let long = format!("{title}{}", "长".repeat(40_000));
    std::fs::write(&file, text.replacen(title, &long, 1)).unwrap();
    let out = root.join("sheet.xlsx");
    let r = run([
        "export".as_ref(),
        "review-sheet".as_ref(),
        "CON-002".as_ref(),
        root.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("of REQ-013 is 40"), "{}", r.stderr);
    assert!(r.stderr.contains("at most 32767"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn every_json_error_has_origin_message_and_help() {
    // The shape docs/import.md gives, `help` null when there is none to add.
    let dir = csr_project("");
    let root = dir.path();
    let r = import(root, &root.join("missing.csv"), &[]);
    assert_eq!(r.code, 2);
    let json = r.json();
    let error = json["errors"][0].as_object().unwrap();
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["help", "message", "origin"], "{json}");
}
