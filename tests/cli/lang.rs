//! The user's language: `--lang en|zh` on every command (before or after
//! the subcommand), `[project] lang` in needtrail.toml as the default, and
//! every interface word of every output from the catalogue. A project
//! written in Chinese, output with `--lang zh`, shows no English interface
//! word; JSON has the same keys in both languages.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::*;

/// Every English interface phrase of the catalogue: the words of each
/// message between its `{placeholders}`, where they hold a word of three
/// letters or more and differ from the Chinese.
fn english_phrases() -> BTreeSet<String> {
    let catalog = needtrail::report::Catalog::builtin();
    let mut phrases = BTreeSet::new();
    for (_, en, zh) in catalog.entries() {
        if en == zh {
            continue;
        }
        for part in en.split('{') {
            let part = part.split_once('}').map_or(part, |(_, rest)| rest);
            let words = part.trim_matches(|c: char| !c.is_ascii_alphabetic());
            let longest = words
                .split(|c: char| !c.is_ascii_alphabetic())
                .map(str::len)
                .max()
                .unwrap_or(0);
            if longest >= 3 {
                phrases.insert(words.to_owned());
            }
        }
    }
    assert!(phrases.len() > 100, "only {} phrases", phrases.len());
    phrases
}

/// The English phrases found in `text` as whole words (an identifier such
/// as `design-input-traced` or `design_input` does not count as `traced`
/// or `input`).
fn english_in(text: &str, phrases: &BTreeSet<String>) -> Vec<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut found = Vec::new();
    for p in phrases {
        let mut from = 0;
        while let Some(at) = text[from..].find(p.as_str()) {
            let start = from + at;
            let end = start + p.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if !before.is_some_and(word) && !after.is_some_and(word) {
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
                found.push(format!("{p:?} in: {}", &text[line_start..line_end]));
                break;
            }
            from = end;
        }
    }
    found
}

fn assert_chinese(what: &str, text: &str, phrases: &BTreeSet<String>) {
    // The project's file names (`contracts/contract.toml:17`) are the
    // user's, not the interface's.
    let text: String = text
        .split_inclusive(char::is_whitespace)
        .filter(|token| !token.contains(".toml") && !token.contains('/'))
        .collect();
    let text = text.as_str();
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: no Chinese at all:\n{text}"
    );
    let found = english_in(text, phrases);
    assert!(
        found.is_empty(),
        "{what} with --lang zh shows English interface words:\n{}",
        found.join("\n")
    );
}

/// The visible text of an HTML page, one node a line: not scripts or
/// styles, nor `<code>`, which shows names as written in the files.
fn html_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let body = Selector::parse("body").unwrap();
    let mut out = String::new();
    for b in doc.select(&body) {
        for node in b.descendants() {
            if let Some(t) = node.value().as_text() {
                let inside_code = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "script" | "style" | "code"))
                });
                if !inside_code {
                    out.push_str(t);
                    out.push('\n');
                }
            }
        }
    }
    // Attributes a reader sees too: titles and labels.
    let labelled = Selector::parse("[title], [aria-label], [placeholder]").unwrap();
    for e in doc.select(&labelled) {
        for a in ["title", "aria-label", "placeholder"] {
            if let Some(v) = e.value().attr(a) {
                out.push_str(v);
                out.push('\n');
            }
        }
    }
    out
}

/// Every cell of every sheet, and every sheet's name.
fn xlsx_text(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).expect("a valid XLSX workbook");
    let mut out = String::new();
    for name in wb.sheet_names() {
        out.push_str(&name);
        out.push('\n');
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for cell in row {
                if let Data::String(s) = cell {
                    out.push_str(s);
                    out.push('\t');
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The string values of `json`'s `message`, `title`, `headings` and
/// `paths` fields: the texts the language changes (the rest are ids,
/// codes, item texts and numbers).
fn json_texts(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("message" | "title", Value::String(s)) => {
                        out.push_str(s);
                        out.push('\n');
                    }
                    ("headings" | "paths", Value::Array(list)) => {
                        for s in list.iter().filter_map(Value::as_str) {
                            out.push_str(s);
                            out.push('\n');
                        }
                    }
                    _ => json_texts(v, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| json_texts(v, out)),
        _ => {}
    }
}

/// `json`'s shape: every key path, with arrays' lengths.
fn shape(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{at}.{k}");
                out.insert(here.clone());
                shape(v, &here, out);
            }
        }
        Value::Array(list) => {
            out.insert(format!("{at}[{}]", list.len()));
            for (i, v) in list.iter().enumerate() {
                shape(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Runs `args` with `--lang zh`, once before the subcommand and once after
/// it: both give the same output, which is returned.
fn zh(args: &[&str]) -> Run {
    let mut before = vec!["--lang", "zh"];
    before.extend(args);
    let mut after = args.to_vec();
    after.extend(["--lang", "zh"]);
    let a = run(&before);
    let b = run(&after);
    assert_eq!(a.stdout, b.stdout, "--lang before and after {args:?}");
    assert_eq!(a.code, b.code, "--lang before and after {args:?}");
    a
}

#[test]
fn every_output_of_a_chinese_project_with_lang_zh_is_in_chinese() {
    let phrases = english_phrases();
    let doors = sample("doors-zh");
    let d = doors.to_str().unwrap();

    let r = zh(&["check", d]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_chinese("check", &r.stdout, &phrases);
    // The scan finds the English of the same output in English.
    let en = run(["check", d]);
    assert!(english_in(&en.stdout, &phrases).len() >= 3, "{}", en.stdout);

    let mut json = String::new();
    json_texts(&zh(&["check", d, "--format", "json"]).json(), &mut json);
    assert_chinese("check --format json", &json, &phrases);

    for id in ["REQ-001", "DI-001", "VER-001"] {
        let r = zh(&["trace", id, d]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_chinese(&format!("trace {id}"), &r.stdout, &phrases);
    }
    let r = zh(&["review", "status", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_chinese("review status", &r.stdout, &phrases);

    let r = zh(&["impact", "REQ-001", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_chinese("impact", &r.stdout, &phrases);

    let r = zh(&["objectives", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_chinese("objectives", &r.stdout, &phrases);

    let tmp = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("requirement", "verification"),
        ("verification", "requirement"),
    ] {
        let m = ["matrix", d, "--from", from, "--to", to];
        for format in ["text", "csv", "md", "html"] {
            let mut args = m.to_vec();
            args.extend(["--format", format]);
            let r = zh(&args);
            assert_eq!(r.code, 0, "{}", r.stderr);
            let text = if format == "html" {
                html_text(&r.stdout)
            } else {
                r.stdout
            };
            assert_chinese(&format!("matrix {from} {to} {format}"), &text, &phrases);
        }
        let mut args = m.to_vec();
        args.extend(["--format", "json"]);
        let mut json = String::new();
        json_texts(&zh(&args).json(), &mut json);
        assert_chinese("matrix --format json", &json, &phrases);

        let out = tmp.path().join(format!("{from}.xlsx"));
        let mut args = m.to_vec();
        args.extend([
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "zh",
        ]);
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_chinese("matrix --format xlsx", &xlsx_text(&out), &phrases);
    }

    // diff: the sample against a copy with one requirement changed and one
    // finding fixed; folders named in Chinese, so no path reads as a word.
    let old = tmp.path().join("旧版");
    let new = tmp.path().join("新版");
    copy_into(&doors, &old);
    copy_into(&doors, &new);
    let file = new.join("design/inputs.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replacen("title = \"", "title = \"（修订）", 1)).unwrap();
    let req = new.join("requirements/legal.toml");
    fs::write(
        &req,
        fs::read_to_string(&req).unwrap()
            + "\n[[requirement]]\nid = \"REQ-900\"\ntitle = \"新增要求\"\nclass = \"legal\"\n",
    )
    .unwrap();
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let r = zh(&["diff", o, n]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("REQ-900"), "{}", r.stdout);
    assert_chinese("diff", &r.stdout.replace(o, "").replace(n, ""), &phrases);
    let r = zh(&["diff", o, n, "--format", "html"]);
    assert_chinese("diff --format html", &html_text(&r.stdout), &phrases);
    let mut json = String::new();
    json_texts(&zh(&["diff", o, n, "--format", "json"]).json(), &mut json);
    assert_chinese("diff --format json", &json, &phrases);

    // audit: every file of the package a person reads.
    let pkg = tmp.path().join("审核包");
    let r = run(["audit", d, "--out", pkg.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&pkg) {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = path.to_string_lossy();
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("html") => html_text(&fs::read_to_string(path).unwrap()),
            Some("csv") => fs::read_to_string(path).unwrap(),
            Some("xlsx") => xlsx_text(path),
            Some("json") => {
                let mut s = String::new();
                json_texts(
                    &serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap(),
                    &mut s,
                );
                s
            }
            // The MANIFEST is read by `audit --verify`: its format is fixed.
            _ => continue,
        };
        files += 1;
        assert_chinese(&name, &text, &phrases);
    }
    assert!(files > 10, "only {files} files read");
}

#[test]
fn json_has_the_same_keys_in_english_and_chinese() {
    let doors = sample("doors-zh");
    let d = doors.to_str().unwrap();
    for args in [
        &["check", d, "--format", "json"][..],
        &["review", "status", d, "--format", "json"],
        &["impact", "REQ-001", d, "--format", "json"],
        &["objectives", d, "--format", "json"],
        &[
            "matrix",
            d,
            "--from",
            "requirement",
            "--to",
            "verification",
            "--format",
            "json",
        ],
        &["diff", d, d, "--format", "json"],
    ] {
        let mut en_args = args.to_vec();
        en_args.extend(["--lang", "en"]);
        let mut zh_args = args.to_vec();
        zh_args.extend(["--lang", "zh"]);
        let (en, zh) = (run(&en_args).json(), run(&zh_args).json());
        let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
        shape(&en, "", &mut a);
        shape(&zh, "", &mut b);
        assert!(a.len() > 3, "{args:?}");
        assert_eq!(a, b, "{args:?}: keys differ between en and zh");
    }
    // Messages change with the language; ids, rules and codes do not.
    let (en, zh) = (
        run(["check", d, "--format", "json", "--lang", "en"]).json(),
        run(["check", d, "--format", "json", "--lang", "zh"]).json(),
    );
    let (fe, fz) = (&en["findings"][0], &zh["findings"][0]);
    assert_ne!(fe["message"], fz["message"]);
    for k in ["rule", "id", "severity", "group", "kind", "file", "line"] {
        assert_eq!(fe[k], fz[k], "{k}");
    }
}

#[test]
fn project_lang_in_needtrail_toml_is_the_default_and_lang_overrides_it() {
    let dir = copy_tree(&sample("doors-zh"));
    let config = dir.path().join("needtrail.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        text.replacen(
            "profile = \"iso9001\"",
            "profile = \"iso9001\"\nlang = \"zh\"",
            1,
        ),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let zh = run(["check", d]);
    assert_eq!(zh.code, 1, "{}", zh.stderr);
    assert!(zh.stdout.contains("项问题"), "{}", zh.stdout);
    assert!(!zh.stdout.contains(" finding"), "{}", zh.stdout);
    // Given on the command line, --lang wins.
    let en = run(["check", d, "--lang", "en"]);
    assert!(en.stdout.contains(" findings: "), "{}", en.stdout);
    assert_eq!(zh.stdout, run(["check", d, "--lang", "zh"]).stdout);
    // Every command reads it: a matrix's headers, the report's pages.
    let m = run([
        "matrix",
        d,
        "--from",
        "requirement",
        "--to",
        "verification",
        "--format",
        "csv",
    ]);
    assert!(m.stdout.contains("状态"), "{}", m.stdout);
    let out = tempfile::tempdir().unwrap();
    let r = run(["report", d, "--out", out.path().join("r").to_str().unwrap()]);
    assert!(r.code <= 1, "{}", r.stderr);
    let index = fs::read_to_string(out.path().join("r/index.html")).unwrap();
    assert!(
        index.contains("<html lang=\"zh-CN\">"),
        "the report is not in Chinese"
    );

    // A language not offered is an error naming the place, and nothing runs.
    fs::write(
        &config,
        text.replacen(
            "profile = \"iso9001\"",
            "profile = \"iso9001\"\nlang = \"fr\"",
            1,
        ),
    )
    .unwrap();
    let r = run(["check", d]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("unknown interface language `fr`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("needtrail.toml:"), "{}", r.stderr);
    assert!(r.stderr.contains("lang = \"zh\""), "{}", r.stderr);
    // On the command line, clap refuses it.
    let r = run([
        "check",
        sample("doors-zh").to_str().unwrap(),
        "--lang",
        "fr",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("possible values: en, zh"), "{}", r.stderr);
}

#[test]
fn every_command_takes_lang() {
    let help = run(["--help"]);
    assert!(help.stdout.contains("--lang"), "{}", help.stdout);
    // Parsing accepts --lang with each command (the run itself may then
    // refuse the missing project: exit 2 from the command, not from clap).
    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    let out = empty.path().join("o");
    let o = out.to_str().unwrap();
    for args in [
        &["check", e][..],
        &["trace", "X", e],
        &["report", e, "--out", o],
        &["review", "status", e],
        &["review", "sign", "R", e, "--by", "x"],
        &["stamp", "X", e],
        &["impact", "X", e],
        &["matrix", e, "--from", "a", "--to", "b"],
        &["diff", e, e],
        &["audit", e, "--out", o],
        &["objectives", e],
        &["import", "junit", "x.xml", e],
        &["export", "review-sheet", "C", e, "--out", o],
        &["export", "reqif", e, "--out", o],
        &["schema", e],
        &["completions", "bash"],
    ] {
        for lang in ["en", "zh"] {
            let mut with = args.to_vec();
            with.extend(["--lang", lang]);
            let r = run(&with);
            assert!(
                !r.stderr.contains("unexpected argument"),
                "{with:?}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn misuse_of_the_modes_of_stamp_diff_and_audit_exits_2_with_the_usage() {
    let d = sample("doors-zh");
    let d = d.to_str().unwrap();
    for (args, usage) in [
        (&["stamp"][..], "needtrail stamp <ID> [DIR]"),
        (&["stamp", "--all", d, d], "needtrail stamp --all [DIR]"),
        (
            &["stamp", "REQ-001", d, "extra"],
            "needtrail stamp <ID> [DIR]",
        ),
        (&["diff"], "needtrail diff OLD_DIR NEW_DIR"),
        (&["diff", d], "needtrail diff --git REV1..REV2 [DIR]"),
        (&["diff", d, d, d], "needtrail diff OLD_DIR NEW_DIR"),
        (
            &["diff", "--git", "v1..HEAD", d, d],
            "needtrail diff --git REV1..REV2 [DIR]",
        ),
        (&["audit", d], "needtrail audit --verify OUT [DIR]"),
        (
            &["audit", d, "--out", "x", "--verify", "y"],
            "needtrail audit [DIR] --out OUT",
        ),
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(usage), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // A range that is not REV1..REV2 is refused before git is asked.
    for range in ["HEAD", "..HEAD", "v1.."] {
        let r = run(["diff", "--git", range]);
        assert_eq!(r.code, 2, "{range}");
        assert!(r.stderr.contains("REV1..REV2"), "{}", r.stderr);
    }
    // The same command lines as before still run: an id, or --all and a folder.
    let copy = copy_tree(&sample("doors-zh"));
    let c = copy.path().to_str().unwrap();
    let r = run(["stamp", "--all", c]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(["stamp", c, "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(["diff", d, c]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_failure_is_printed_once() {
    // A project that does not load: its diagnostics once on stderr, and
    // with --format json once on stdout as JSON.
    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    let r = run(["check", e, "--format", "json"]);
    assert_eq!(r.code, 2);
    let json = r.json();
    assert!(json.to_string().contains("needtrail.toml"), "{json}");
    assert_eq!(r.stderr.matches("error[").count(), 1, "{}", r.stderr);
    // An unknown id: one line, with the closest id.
    let r = run(["trace", "REQ-0001", sample("doors-zh").to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.matches("error:").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("Did you mean"), "{}", r.stderr);
}

#[test]
fn an_xlsx_matrix_is_refused_on_a_terminal_and_written_when_redirected() {
    // A terminal for standard output, from util-linux `script`.
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("note: `script` is not installed; skipping the terminal test");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("needtrail");
    let line = format!(
        "'{}' matrix '{}' --from requirement --to verification --format xlsx",
        bin.display(),
        sample("doors-zh").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("an XLSX workbook is binary"), "{shown}");
    assert!(shown.contains("--out FILE.xlsx"), "{shown}");
    // Redirected to a file or pipe, the workbook is written.
    let r = needtrail()
        .args(["matrix", sample("doors-zh").to_str().unwrap()])
        .args([
            "--from",
            "requirement",
            "--to",
            "verification",
            "--format",
            "xlsx",
        ])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    assert!(r.stdout.starts_with(b"PK"), "not a workbook");
}
