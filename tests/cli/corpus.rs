//! A generated corpus: the findings are exactly the gaps the generator planted.

use crate::support::*;

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
    assert_eq!(expected.len(), 3000 / 41);

    let (code, json) = check_json(&project);
    assert_eq!(code, 1);
    let mut found: Vec<(String, String)> = finding_set(&json)
        .into_iter()
        .map(|(r, id, _)| (r, id))
        .collect();
    found.sort();
    assert_eq!(found, expected);
    assert_eq!(json["summary"]["kinds"]["requirement"], 3000);
}
