//! `init` makes a project that `check` accepts; `trace` draws one item's thread.

use crate::support::*;

#[test]
fn init_creates_a_project_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new-project");
    let r = run(["init".as_ref(), project.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, json) = check_json(&project);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    assert_eq!(json["summary"]["project"], "new-project");
    assert!(json["summary"]["items"].as_u64().unwrap() >= 8);
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "# mine\n");
    let r = run(["init".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("needtrail.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn trace_shows_the_thread_up_and_down() {
    let dir = tempfile::tempdir().unwrap();
    run(["init".as_ref(), dir.path().as_os_str()]);
    let r = run(["trace".as_ref(), "DI-001".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = &r.stdout;
    let up = t.find("▲ upstream").unwrap();
    let down = t.find("▼ downstream").unwrap();
    assert!(t.starts_with("design_input DI-001 · "), "{t}");
    let upstream = &t[up..down];
    let downstream = &t[down..];
    assert!(upstream.contains("requirement REQ-001"), "{t}");
    assert!(upstream.contains("contract CON-001"), "{t}");
    assert!(upstream.contains("customer CUS-001"), "{t}");
    assert!(downstream.contains("design_output DO-001"), "{t}");
    assert!(downstream.contains("verification VER-001"), "{t}");
    assert!(downstream.contains("delivery DEL-001"), "{t}");
    assert!(!downstream.contains("REQ-001"), "{t}");
}

#[test]
fn trace_marks_findings_on_the_thread() {
    let r = run([
        "trace".as_ref(),
        "REQ-1".as_ref(),
        fixture("custom-kind").as_os_str(),
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("risk RSK-1 · Closer spring fatigue [major] (via threatens)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("✗ error risk-mitigated: major risk RSK-1 has no mitigation"),
        "{}",
        r.stdout
    );
}

#[test]
fn trace_of_an_unknown_id_suggests_the_closest() {
    let r = run([
        "trace".as_ref(),
        "RSK-4".as_ref(),
        fixture("custom-kind").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no item with id `RSK-4`"), "{}", r.stderr);
    assert!(r.stderr.contains("Did you mean `RSK-"), "{}", r.stderr);
}

#[test]
fn an_id_typed_in_lower_case_or_with_underscores_is_found_as_a_hint() {
    for typed in ["req-001", "REQ_001", "req_001"] {
        let r = run([
            "trace".as_ref(),
            typed.as_ref(),
            sample("doors-zh").as_os_str(),
        ]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("Did you mean `REQ-001`?"),
            "{typed}: {}",
            r.stderr
        );
    }
}
