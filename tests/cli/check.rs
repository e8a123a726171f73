//! `check`: findings, their JSON shape, exit codes, project-defined kinds and rules.

use crate::support::*;

#[test]
fn a_kind_and_rules_added_in_needtrail_toml_are_enforced() {
    let (code, json) = check_json(&fixture("custom-kind"));
    assert_eq!(code, 1);
    assert_eq!(
        finding_set(&json),
        vec![
            (
                "high-priority-risk-assessed".into(),
                "REQ-2".into(),
                "warning".into()
            ),
            ("risk-mitigated".into(), "RSK-1".into(), "error".into()),
        ]
    );
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "risk-mitigated");
    assert_eq!(f["kind"], "risk");
    assert_eq!(f["message"], "major risk RSK-1 has no mitigation");
    assert_eq!(f["file"], "items.toml");
    assert_eq!(f["line"], 19);
    assert_eq!(json["summary"]["kinds"]["risk"], 3);
}

#[test]
fn json_findings_have_the_documented_fields() {
    let (_, json) = check_json(&fixture("custom-kind"));
    for f in json["findings"].as_array().unwrap() {
        for key in ["rule", "severity", "id", "kind", "message", "file", "line"] {
            assert!(!f[key].is_null(), "finding lacks {key}: {f}");
        }
    }
    let s = &json["summary"];
    assert_eq!(s["errors"], 1);
    assert_eq!(s["warnings"], 1);
    assert_eq!(s["items"], 6);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = fixture("custom-kind");
    let code = |level: &str| {
        run([
            "check".as_ref(),
            dir.as_os_str(),
            "--fail-on".as_ref(),
            level.as_ref(),
        ])
        .code
    };
    assert_eq!(code("error"), 1);
    assert_eq!(code("warning"), 1);
    assert_eq!(code("never"), 0);

    // With the error fixed, only the warning is left.
    let copy = copy_tree(&dir);
    let items = copy.path().join("items.toml");
    let text = std::fs::read_to_string(&items).unwrap().replace(
        "severity = \"major\"\n\n",
        "severity = \"major\"\nmitigation = \"Spring rated 200k cycles\"\n\n",
    );
    std::fs::write(&items, text).unwrap();
    let code = |level: &str| {
        run([
            "check".as_ref(),
            copy.path().as_os_str(),
            "--fail-on".as_ref(),
            level.as_ref(),
        ])
        .code
    };
    assert_eq!(code("error"), 0);
    assert_eq!(code("warning"), 1);
}

#[test]
fn text_output_groups_findings_by_rule_with_file_and_line() {
    let r = run(["check".as_ref(), fixture("custom-kind").as_os_str()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "risk-mitigated (error, untraced): 1 finding\n  error   RSK-1 (risk)  items.toml:19\n          major risk RSK-1 has no mitigation\n\n\
high-priority-risk-assessed (warning, untraced): 1 finding\n  warning REQ-2 (requirement)  items.toml:7\n          high-priority requirement has no risk assessment\n\n\
custom kind: 6 items in 1 file; 2 findings: 1 error, 1 warning.\n"
    );
}

#[test]
fn output_does_not_depend_on_file_order_or_run() {
    let a = run([
        "check".as_ref(),
        fixture("broken").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let b = run([
        "check".as_ref(),
        fixture("broken").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stderr, b.stderr);

    // The same items split over files in another way give the same findings.
    let one = tempfile::tempdir().unwrap();
    let split = tempfile::tempdir().unwrap();
    for d in [one.path(), split.path()] {
        copy_into(&fixture("custom-kind"), d);
    }
    let text = std::fs::read_to_string(split.path().join("items.toml")).unwrap();
    let (reqs, risks) = text.split_at(text.find("[[risk]]").unwrap());
    std::fs::remove_file(split.path().join("items.toml")).unwrap();
    write(split.path(), "z/requirements.toml", reqs);
    write(split.path(), "a/risks.toml", risks);
    let (_, j1) = check_json(one.path());
    let (_, j2) = check_json(split.path());
    assert_eq!(finding_set(&j1), finding_set(&j2));
}

#[test]
fn skipped_folders_are_not_read() {
    let dir = copy_tree(&fixture("custom-kind"));
    let junk = "this is = not [valid toml";
    write(dir.path(), ".git/x.toml", junk);
    write(dir.path(), "target/x.toml", junk);
    write(dir.path(), "report/x.toml", junk);
    write(dir.path(), "report/.needtrail-output", "");
    write(dir.path(), "other-project/needtrail.toml", "[project]\n");
    write(dir.path(), "other-project/x.toml", junk);
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn rules_see_links_a_decision_takes_from_its_review() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        r#"[project]
name = "x"

[[rule]]
id = "contract-has-decisions"
kind = "contract"
require = { from = { kind = "decision", via = "contract" } }
message = "no decision names {id}"
"#,
    );
    write(
        dir.path(),
        "a.toml",
        r#"[[contract]]
id = "C-1"
title = "reviewed"

[[contract]]
id = "C-2"
title = "not reviewed"

[[requirement]]
id = "R-1"
title = "r"
class = "implied"
contract = "C-1"
design = false
rationale = "x"

[[review]]
id = "V-1"
title = "review"
contract = "C-1"

[[review.decision]]
requirement = "R-1"
verdict = "rejected"
"#,
    );
    let (_, json) = check_json(dir.path());
    let found: Vec<_> = finding_set(&json)
        .into_iter()
        .filter(|f| f.0 == "contract-has-decisions")
        .map(|f| f.1)
        .collect();
    assert_eq!(found, vec!["C-2".to_owned()]);
}

/// The complete example of docs/format.md §6: its needtrail.toml and
/// items.toml, exactly as printed there, make a project `check` accepts.
#[test]
fn the_complete_example_in_the_format_docs_checks_clean() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/format.md"),
    )
    .unwrap();
    let section = doc
        .split("## 6. A complete example")
        .nth(1)
        .and_then(|s| s.split("\n## 7").next())
        .expect("docs/format.md has section 6");
    let block_after = |label: &str| -> String {
        let rest = &section[section.find(label).unwrap_or_else(|| panic!("no {label}"))..];
        let start = rest.find("```toml\n").unwrap() + "```toml\n".len();
        let end = start + rest[start..].find("\n```").unwrap();
        rest[start..end].to_owned() + "\n"
    };
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        &block_after("`needtrail.toml`:"),
    );
    write(dir.path(), "items.toml", &block_after("`items.toml`"));
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json:#}");
    assert!(json["summary"]["items"].as_u64().unwrap() >= 15);
}
