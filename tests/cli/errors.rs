//! Bad input: every problem is reported in one run, with file, line and
//! column and a hint, exit code 2, and nothing is modified.

use crate::support::*;

#[test]
fn every_error_in_every_file_is_reported_with_its_place() {
    let dir = fixture("broken");
    let (code, json) = check_json(&dir);
    assert_eq!(code, 2);
    let s = |x: &str| x.to_owned();
    assert_eq!(
        error_places(&json),
        vec![
            (s("unknown-field"), s("design/inputs.toml"), 4, 1),
            (s("wrong-link-kind"), s("design/inputs.toml"), 9, 11),
            (s("unknown-kind"), s("design/inputs.toml"), 11, 3),
            (s("bad-value"), s("items.toml"), 4, 8),
            (s("bad-value"), s("items.toml"), 10, 10),
            (s("duplicate-id"), s("items.toml"), 12, 1),
            (s("unknown-link"), s("items.toml"), 16, 12),
            (s("missing-id"), s("items.toml"), 18, 1),
            (s("toml-syntax"), s("syntax.toml"), 3, 22),
        ]
    );
}

#[test]
fn errors_in_the_terminal_point_at_the_place_and_say_how_to_fix_it() {
    let r = run(["check".as_ref(), fixture("broken").as_os_str()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "", "errors go to stderr");
    let e = &r.stderr;
    assert!(
        e.contains(
            "error[unknown-field]: unknown field `tracse` in a design_input\n  --> design/inputs.toml:4:1\n  |\n4 | tracse = [\"REQ-1\"]\n  | ^^^^^^\n  = help: did you mean `traces`?"
        ),
        "{e}"
    );
    assert!(e.contains("help: did you mean \"external\" (外部)?"), "{e}");
    assert!(
        e.contains("help: drop the quotes: signed = 2026-01-15"),
        "{e}"
    );
    assert!(e.contains("help: did you mean `[[design_output]]`?"), "{e}");
    assert!(e.contains("help: did you mean `CON-1`?"), "{e}");
    assert!(
        e.contains("it is first used at design/inputs.toml:6"),
        "{e}"
    );
    assert!(
        e.contains("9 input errors in 3 files; nothing was checked."),
        "{e}"
    );
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn a_non_utf8_file_is_an_error_with_its_line() {
    let dir = copy_tree(&fixture("custom-kind"));
    // "名称" in GBK, as a Windows editor set to a Chinese locale saves it.
    std::fs::write(
        dir.path().join("gbk.toml"),
        b"[[requirement]]\nid = \"R-9\"\ntitle = \"\xc3\xfb\xb3\xc6\"\n",
    )
    .unwrap();
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        error_places(&json),
        vec![("not-utf8".to_owned(), "gbk.toml".to_owned(), 3, 10)]
    );
    assert!(
        json["errors"][0]["help"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = copy_tree(&fixture("custom-kind"));
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(b"[[requirement]]\nid = \"R-9\"\ntitle = \"x\"\nclass = \"implied\"\n");
    std::fs::write(dir.path().join("bom.toml"), bytes).unwrap();
    let (code, _) = check_json(dir.path());
    assert_eq!(code, 1, "the fixture's own findings, no input error");
}

#[test]
fn errors_in_needtrail_toml_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[rules]\nstated-has-sorce = \"off\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        error_places(&json),
        vec![("config".to_owned(), "needtrail.toml".to_owned(), 5, 1)]
    );
    assert_eq!(
        json["errors"][0]["help"],
        "did you mean `stated-has-source`?"
    );
}

#[test]
fn a_rule_naming_an_unknown_field_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[[rule]]\nid = \"r\"\nkind = \"requirement\"\nrequire = { field = \"sorce\" }\nmessage = \"m\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["line"], 7);
    assert_eq!(json["errors"][0]["help"], "did you mean `source`?");
}

#[test]
fn a_sub_kind_inside_a_sub_kind_is_a_config_error() {
    // `[[feedback.fix.step]]` cannot be written: sub-kinds nest one level.
    let cases = [
        (
            "[kinds.fix]\nwithin = \"feedback\"\n\n[kinds.step]\nwithin = \"fix\"\n",
            8,
            ["`step` is written inside `fix`", "within = \"feedback\""],
        ),
        (
            "[kinds.fix]\nwithin = \"fix\"\n",
            5,
            ["`fix` is written inside itself", "remove `within`"],
        ),
    ];
    for (kinds, line, [message, help]) in cases {
        let dir = tempfile::tempdir().unwrap();
        let config = format!("[project]\nname = \"x\"\n\n{kinds}");
        write(dir.path(), "needtrail.toml", &config);
        let (code, json) = check_json(dir.path());
        assert_eq!(code, 2, "{json:#}");
        assert_eq!(
            error_places(&json),
            vec![("config".to_owned(), "needtrail.toml".to_owned(), line, 10)]
        );
        let error = &json["errors"][0];
        assert!(
            error["message"].as_str().unwrap().contains(message),
            "{error}"
        );
        assert!(error["help"].as_str().unwrap().contains(help), "{error}");
    }
}

#[test]
fn a_folder_without_needtrail_toml_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no needtrail.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("needtrail init"), "{}", r.stderr);
}

#[test]
fn a_wrong_command_line_exits_with_2() {
    assert_eq!(run(["check", "--fail-on", "sometimes"]).code, 2);
    assert_eq!(run(["frobnicate"]).code, 2);
}

#[test]
fn loading_never_modifies_the_files_it_reads() {
    let dir = copy_tree(&fixture("broken"));
    let before = snapshot_tree(dir.path());
    run(["check".as_ref(), dir.path().as_os_str()]);
    run(["trace".as_ref(), "DI-1".as_ref(), dir.path().as_os_str()]);
    assert_eq!(snapshot_tree(dir.path()), before);
}

#[test]
fn value_types_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "a.toml",
        r#"[[contract]]
id = "C-1"
title = "c"
customer = ["CUS-1", "CUS-2"]

[[design_input]]
id = "DI-1"
title = "d"
derived = "yes"

[[verification]]
id = "V-1"
title = "v"
verifies = ["DI-1", 7]
"#,
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    let places = error_places(&json);
    assert_eq!(
        places.iter().map(|p| (p.2, p.3)).collect::<Vec<_>>(),
        vec![(4, 12), (9, 11), (14, 21)],
        "{json:#}"
    );
    assert!(places.iter().all(|p| p.0 == "bad-value"));
}

#[test]
fn a_value_written_as_its_chinese_label_points_at_the_value_the_file_must_hold() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "reqs.toml",
        "[[requirement]]\nid = \"REQ-1\"\ntitle = \"t\"\nclass = \"明示的\"\nsource = \"s\"\n\n[[review]]\nid = \"REV-1\"\n\n[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"接受\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2, "{json:#}");
    let helps: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["help"].as_str().unwrap())
        .collect();
    assert!(
        helps[0].starts_with("did you mean \"stated\" (明示的)?"),
        "{helps:?}"
    );
    assert!(
        helps[1].starts_with("did you mean \"accepted\" (接受)?"),
        "{helps:?}"
    );
    // The file keeps what it held: a check only reads.
    assert!(
        std::fs::read_to_string(dir.path().join("reqs.toml"))
            .unwrap()
            .contains("class = \"明示的\"")
    );
}

#[test]
fn a_rule_value_outside_the_enum_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[[rule]]\nid = \"r\"\nkind = \"requirement\"\nwhen = { field = \"class\", in = [\"statd\"] }\nrequire = { field = \"source\" }\nmessage = \"m\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["line"], 7);
    assert!(
        json["errors"][0]["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean \"stated\"?"),
        "{json:#}"
    );
}

#[test]
fn a_decision_cannot_name_another_review() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "a.toml",
        "[[review]]\nid = \"V1\"\ntitle = \"one\"\n\n[[review]]\nid = \"V2\"\ntitle = \"two\"\n\n[[review.decision]]\nreview = \"V1\"\nverdict = \"accepted\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["code"], "bad-value");
    assert_eq!(json["errors"][0]["line"], 10);
}

#[test]
fn a_failed_write_of_the_output_is_an_error_not_success() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("needtrail"))
        .args([
            "check".as_ref(),
            sample("doors-zh").as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the output"));
}

#[test]
fn a_decision_under_no_review_and_chinese_quotes_get_hints_that_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "a.toml",
        "[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"accepted\"\n",
    );
    write(
        dir.path(),
        "b.toml",
        "[[requirement]]\nid = \"REQ-1\"\ntitle = “外窗气密性能”\n",
    );
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "[[review.decision]] stands under no [[review]]: a decision belongs to the review above it"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("help: put the [[review]] it belongs to (with its id) above it"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "help: replace the quotation marks “ ” (or ‘ ’, ＂, 「 」) with ASCII quotes"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_date_in_quotes_gets_a_hint_that_is_itself_valid_toml() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "a.toml",
        "[[contract]]\nid = \"C-1\"\nsigned = \"2026-1-5\"\n\n[[contract]]\nid = \"C-2\"\nsigned = \"2026年3月5日\"\n\n[[contract]]\nid = \"C-3\"\nsigned = \"next week\"\n",
    );
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    let helps: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["help"].as_str().unwrap())
        .collect();
    assert_eq!(
        helps,
        vec![
            "write the date without quotes as YYYY-MM-DD: signed = 2026-01-05",
            "write the date without quotes as YYYY-MM-DD: signed = 2026-03-05",
            "write the date without quotes as YYYY-MM-DD, e.g. signed = 2026-01-05",
        ]
    );
    // What the first hint says to write is read as the date it means.
    write(
        dir.path(),
        "a.toml",
        "[[contract]]\nid = \"C-1\"\nsigned = 2026-01-05\n",
    );
    assert_eq!(check_json(dir.path()).0, 0);
}
