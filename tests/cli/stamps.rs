//! What a stamp covers and how `diff` reads a re-stamp: stamps record the
//! links along the trace thread, not context links such as a requirement's
//! customer and contract (the profile's `[fingerprint] context`), and `diff`
//! lists items in which only stamps and sign-offs changed apart from items
//! whose content changed.
//!
//! Every test works on a copy of doors-zh.

use std::fs;
use std::path::Path;

use needtrail::model::Value;

use crate::support::*;

fn doors() -> tempfile::TempDir {
    copy_tree(&sample("doors-zh"))
}

fn replace_once(dir: &Path, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(dir.join(rel)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{rel}: {from:?}");
    fs::write(dir.join(rel), text.replacen(from, to, 1)).unwrap();
}

fn stamp_all(dir: &Path) {
    let r = run(["stamp".into(), "--all".into(), dir.as_os_str().to_owned()]);
    assert_eq!(r.code, 0, "stamp --all failed:\n{}{}", r.stdout, r.stderr);
}

/// Every stamp entry of the project: `(stamped item's kind, its id, the
/// kind of the item the entry is for, that item's id)`, sorted.
fn stamp_entries(dir: &Path) -> Vec<(String, String, String, String)> {
    let loaded = needtrail::load::load(dir).expect("loads");
    let (project, profile) = (&loaded.project, &loaded.profile);
    let stamped = profile.field_index("stamped").expect("iso9001 has stamped");
    let mut out = Vec::new();
    for item in &project.items {
        let Some(Value::Map(entries)) = item.field(stamped) else {
            continue;
        };
        for (id, _) in entries.iter() {
            let target = project.get(id).expect("stamped item exists");
            out.push((
                profile.kind(item.kind).name.clone(),
                item.id.clone(),
                profile.kind(project.kind_of(target)).name.clone(),
                id.to_owned(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn stamp_all_records_no_customer_or_contract_of_a_requirement_or_delivery() {
    let dir = doors();
    stamp_all(dir.path());
    let entries = stamp_entries(dir.path());
    assert!(!entries.is_empty());
    // No stamp records a contract, and no requirement, review or contract
    // is stamped at all: they link upstream only to their customer and
    // contract (requirements of doors-zh refine nothing).
    for (kind, id, target_kind, target) in &entries {
        assert_ne!(
            target_kind, "contract",
            "{kind} {id} stamped against {target}"
        );
        assert!(
            !["requirement", "review", "contract"].contains(&kind.as_str()),
            "{kind} {id} stamped against {target_kind} {target}"
        );
        // A customer only where an objective traces it: `traces` is a
        // trace link, not context.
        if target_kind == "customer" {
            assert_eq!(kind, "objective", "{id} stamped against {target}");
        }
    }
    // The trace links are all there: DEL-003 delivers DO-004 and three
    // requirements, and nothing else (not its contract CON-002).
    let del3: Vec<&str> = entries
        .iter()
        .filter(|e| e.1 == "DEL-003")
        .map(|e| e.3.as_str())
        .collect();
    assert_eq!(del3, ["DO-004", "REQ-007", "REQ-008", "REQ-018"]);

    // A requirement has only context links: nothing to stamp, nothing written.
    let before = snapshot_tree(dir.path());
    let r = run([
        "stamp".into(),
        "REQ-002".into(),
        dir.path().as_os_str().to_owned(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("nothing to stamp"), "{}", r.stderr);
    assert!(r.stderr.contains("[fingerprint] context"), "{}", r.stderr);
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn the_context_list_is_profile_data_a_project_can_change() {
    let dir = doors();
    let conf = fs::read_to_string(dir.path().join("needtrail.toml")).unwrap();
    // Only contracts are context here: requirements are stamped against
    // their customer.
    fs::write(
        dir.path().join("needtrail.toml"),
        format!("{conf}\n[fingerprint]\ncontext = [\"contract\"]\n"),
    )
    .unwrap();
    stamp_all(dir.path());
    let entries = stamp_entries(dir.path());
    assert!(entries.contains(&(
        "requirement".into(),
        "REQ-002".into(),
        "customer".into(),
        "CUS-001".into()
    )));
    assert!(!entries.iter().any(|e| e.2 == "contract"));
    // The customer's name changes: what a stamp covers becomes suspect.
    replace_once(
        dir.path(),
        "contracts/customers.toml",
        "title = \"江南置业有限公司(滨江花园二期建设单位)\"",
        "title = \"江南置业集团有限公司(滨江花园二期建设单位)\"",
    );
    let (_, json) = check_json(dir.path());
    assert!(
        finding_set(&json)
            .iter()
            .any(|(rule, id, _)| rule == "suspect-link" && id == "REQ-002"),
        "{json}"
    );
}

#[test]
fn one_edit_and_a_restamp_diff_as_one_change_and_the_restamped_items_apart() {
    let old = doors();
    stamp_all(old.path());
    let new = copy_tree(old.path());
    replace_once(
        new.path(),
        "contracts/tender.toml",
        "气密性能 ≥ 6级。",
        "气密性能 ≥ 7级。",
    );
    stamp_all(new.path());
    let diff = |format: &str| {
        let r = run([
            "diff".into(),
            old.path().as_os_str().to_owned(),
            new.path().as_os_str().to_owned(),
            "--format".into(),
            format.into(),
        ]);
        assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
        r
    };
    let json = diff("json").json();
    let ids = |key: &str| -> Vec<String> {
        json["items"][key]
            .as_array()
            .unwrap_or_else(|| panic!("items.{key}: {json}"))
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids("changed"), ["REQ-002"]);
    // What traces or validates REQ-002, re-stamped against its new text.
    assert_eq!(ids("restamped"), ["DI-002", "VAL-001"]);
    for c in json["items"]["restamped"].as_array().unwrap() {
        assert_eq!(c["fields"].as_array().unwrap().len(), 1, "{c}");
        assert_eq!(c["fields"][0]["field"], "stamped", "{c}");
        assert_eq!(c["normative"], false);
    }
    assert_eq!(json["items"]["added"], serde_json::json!([]));
    assert_eq!(json["links"]["added"], serde_json::json!([]));
    assert_eq!(json["findings"]["new"], serde_json::json!([]));

    let text = diff("text").stdout;
    assert!(
        text.contains("Items: 0 added, 0 removed, 1 changed, 2 re-stamped or re-signed only"),
        "{text}"
    );
    assert!(text.contains("  ~ requirement REQ-002 "), "{text}");
    assert!(text.contains("  = design_input DI-002 "), "{text}");
    assert!(text.contains("  = validation VAL-001 "), "{text}");
    assert!(!text.contains("~ design_input"), "{text}");

    let html = diff("html").stdout;
    assert!(
        html.contains("0 added, 0 removed, 1 changed, 2 re-stamped or re-signed only"),
        "{html}"
    );
    assert_eq!(html.matches("= re-stamped").count(), 2, "{html}");
    assert_eq!(html.matches("~ changed").count(), 1, "{html}");

    // A sign-off alone is not a change of content either.
    let signed = copy_tree(new.path());
    let r = run([
        "review".into(),
        "sign".into(),
        "REV-001".into(),
        "--by".into(),
        "质量部 张红".into(),
        "--date".into(),
        "2024-03-20".into(),
        signed.path().as_os_str().to_owned(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run([
        "diff".into(),
        new.path().as_os_str().to_owned(),
        signed.path().as_os_str().to_owned(),
        "--format".into(),
        "json".into(),
    ]);
    let json = r.json();
    assert_eq!(json["items"]["changed"], serde_json::json!([]), "{json}");
    assert_eq!(json["items"]["restamped"][0]["id"], "REV-001", "{json}");
}

#[test]
fn a_project_stamped_the_old_way_checks_with_no_new_findings() {
    let dir = doors();
    let conf_path = dir.path().join("needtrail.toml");
    let conf = fs::read_to_string(&conf_path).unwrap();
    // Stamped as before context links were left out: every link, the
    // customer and contract of each requirement and delivery included.
    fs::write(&conf_path, format!("{conf}\n[fingerprint]\ncontext = []\n")).unwrap();
    stamp_all(dir.path());
    fs::write(&conf_path, &conf).unwrap();
    let entries = stamp_entries(dir.path());
    for (kind, target) in [
        ("requirement", "CUS-001"),
        ("requirement", "CON-001"),
        ("delivery", "CON-002"),
    ] {
        assert!(
            entries.iter().any(|e| e.0 == kind && e.3 == target),
            "no {kind} stamped against {target}: {entries:?}"
        );
    }
    // Then both contracts' texts are amended and the customer entries of
    // the tender's requirements no longer match.
    let edit = |dir: &Path| {
        replace_once(
            dir,
            "contracts/tender.toml",
            "投标截止日期 2024-03-25。",
            "投标截止日期 2024-03-28。",
        );
        let rel = "contracts/tender.toml";
        let text = fs::read_to_string(dir.join(rel)).unwrap();
        let stale: String = text
            .split_inclusive('\n')
            .map(|l| {
                if l.starts_with("stamped.CUS-001 = ") {
                    "stamped.CUS-001 = \"fedcba9876543210\"\n".to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect();
        fs::write(dir.join(rel), stale).unwrap();
    };
    edit(dir.path());
    replace_once(
        dir.path(),
        "contracts/contract.toml",
        "title = \"滨江花园二期门窗工程施工合同\"",
        "title = \"滨江花园二期门窗工程施工合同(补充协议一)\"",
    );
    let (_, after) = check_json(dir.path());
    // The same project never stamped, with the same contract edits.
    let unstamped = doors();
    edit(unstamped.path());
    replace_once(
        unstamped.path(),
        "contracts/contract.toml",
        "title = \"滨江花园二期门窗工程施工合同\"",
        "title = \"滨江花园二期门窗工程施工合同(补充协议一)\"",
    );
    let (_, before) = check_json(unstamped.path());
    assert_eq!(finding_set(&after), finding_set(&before), "{after}");
    assert!(
        !finding_set(&after).iter().any(|f| f.0 == "suspect-link"),
        "{after}"
    );
}

#[test]
fn a_wrong_field_in_a_fingerprint_list_is_an_input_error_with_its_place() {
    for (list, typed, help) in [
        (
            "context",
            "\"customer\", \"contrat\"",
            "did you mean `contract`?",
        ),
        // A field that is not a link cannot be a context link.
        ("context", "\"customer\", \"title\"", "link fields are:"),
        (
            "signoff",
            "\"signed_by\", \"signed_onn\"",
            "did you mean `signed_on`?",
        ),
    ] {
        let dir = doors();
        let conf = fs::read_to_string(dir.path().join("needtrail.toml")).unwrap();
        let line = conf.lines().count() + 3;
        fs::write(
            dir.path().join("needtrail.toml"),
            format!("{conf}\n[fingerprint]\n{list} = [{typed}]\n"),
        )
        .unwrap();
        let before = snapshot_tree(dir.path());
        let (code, json) = check_json(dir.path());
        assert_eq!(code, 2, "{json}");
        let column = format!("{list} = [\"customer\", ").len() as u64 + 1;
        let column = if list == "signoff" {
            format!("{list} = [\"signed_by\", ").len() as u64 + 1
        } else {
            column
        };
        assert_eq!(
            error_places(&json)
                .into_iter()
                .map(|(_, file, l, c)| (file, l, c))
                .collect::<Vec<_>>(),
            [("needtrail.toml".to_owned(), line as u64, column)],
            "{json}"
        );
        let text = json.to_string();
        assert!(text.contains(&format!("[fingerprint] {list}")), "{text}");
        assert!(text.contains(help), "{text}");
        // Nothing is stamped with a profile that does not load.
        let r = run([
            "stamp".into(),
            "--all".into(),
            dir.path().as_os_str().to_owned(),
        ]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert_eq!(before, snapshot_tree(dir.path()));
    }
}

#[test]
fn a_nul_in_a_stamp_is_an_input_error_at_its_place_whichever_reader_reads_it() {
    // Written as dotted keys (read by the fast reader, which hands the
    // file to the general one) and as an inline table (the general reader).
    let rel = "design/reviews.toml";
    let original = fs::read_to_string(sample("doors-zh").join(rel)).unwrap();
    // The design review's ten stamps, lines 15 to 24.
    let stamps: String = original
        .lines()
        .skip(14)
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        stamps.starts_with("stamped.DI-001 = ")
            && stamps.ends_with("stamped.DI-010 = \"04bddf2a43fdc0f5\"\n")
    );
    // Each at the entry that holds the NUL.
    for (from, to, line) in [
        (
            "stamped.DI-002 = \"5196899f3c50cb7b\"\n".to_owned(),
            "stamped.DI-002 = \"5196\\u0000899f3c50cb7b\"\n".to_owned(),
            16,
        ),
        (
            stamps.clone(),
            "stamped = { \"DI-001\" = \"fc02e2c46750ec49\", \"DI\\u0000-002\" = \"x\" }\n"
                .to_owned(),
            15,
        ),
    ] {
        let dir = doors();
        replace_once(dir.path(), rel, &from, &to);
        let before = snapshot_tree(dir.path());
        let (code, json) = check_json(dir.path());
        assert_eq!(code, 2, "{json}");
        let places: Vec<(String, u64)> = error_places(&json)
            .into_iter()
            .map(|(_, file, l, _)| (file, l))
            .collect();
        assert_eq!(places, [(rel.to_owned(), line)], "{json}");
        let text = json.to_string();
        assert!(text.contains("NUL"), "{text}");
        assert!(text.contains("`stamped`"), "{text}");
        assert_eq!(snapshot_tree(dir.path()), before);
    }
}
