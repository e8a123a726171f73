//! A generated corpus: the findings are exactly the gaps the generator planted.

use crate::support::*;

/// The findings the generator planted: expected-findings.json, sorted.
fn planted(project: &std::path::Path) -> Vec<(String, String)> {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("expected-findings.json")).unwrap(),
    )
    .unwrap();
    let mut expected: Vec<(String, String)> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["rule"].as_str().unwrap().to_owned(),
                g["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    expected.sort();
    expected
}

/// `check --format json`'s findings as sorted (rule, id) pairs.
fn found(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = finding_set(json)
        .into_iter()
        .map(|(r, id, _)| (r, id))
        .collect();
    found.sort();
    found
}

#[test]
fn findings_on_a_generated_corpus_are_exactly_the_planted_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("corpus");
    let r = run([
        "generate".as_ref(),
        project.as_os_str(),
        "--requirements".as_ref(),
        "3000".as_ref(),
        "--per-file".as_ref(),
        "250".as_ref(),
        "--gap-every".as_ref(),
        "41".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = planted(&project);
    assert_eq!(expected.len(), 3000 / 41);

    let (code, json) = check_json(&project);
    assert_eq!(code, 1);
    let found = found(&json);
    assert_eq!(found, expected);
    assert_eq!(json["summary"]["kinds"]["requirement"], 3000);
}

/// A lived-in corpus: signed, stamped, delivered, complained about,
/// measured, and changed after sign-off. The findings are the planted gaps
/// plus exactly what the changes must raise, and every file, signed and
/// stamped as it is, is still read by the fast reader.
#[test]
fn a_lived_in_corpus_is_signed_stamped_and_changed_as_planted() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("corpus");
    let r = run([
        "generate".as_ref(),
        project.as_os_str(),
        "--requirements".as_ref(),
        "2100".as_ref(),
        "--per-file".as_ref(),
        "300".as_ref(),
        "--lived-in".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = planted(&project);
    // Two requirements changed (every 1000th): each leaves its design
    // input, validation and delivery suspect, and the sign-off broken.
    for id in ["DI-0001000", "VAL-0002000", "DEL-000020", "DEL-000040"] {
        assert!(
            expected.contains(&("suspect-link".to_owned(), id.to_owned())),
            "{expected:?}"
        );
    }
    assert!(expected.contains(&("signoff-broken".to_owned(), "REV-1".to_owned())));

    let (code, json) = check_json(&project);
    assert_eq!(code, 1);
    let found = found(&json);
    assert_eq!(found, expected);
    for kind in ["delivery", "feedback", "objective"] {
        assert!(
            json["summary"]["kinds"][kind].as_u64().unwrap_or(0) > 0,
            "no {kind}: {:#}",
            json["summary"]
        );
    }

    let profile = needtrail::load::load(&project).expect("loads").profile;
    let mut stamped = 0;
    for entry in walkdir::WalkDir::new(&project) {
        let p = entry.unwrap().into_path();
        if p.extension().is_none_or(|x| x != "toml") || p.ends_with("needtrail.toml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        stamped += usize::from(text.contains("stamped."));
        assert!(
            needtrail::load::reads_fast(&text, &profile),
            "{} is not read fast",
            p.display()
        );
    }
    assert!(stamped > 10, "only {stamped} files were stamped");
}
