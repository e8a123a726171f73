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

/// Each item `trace` draws, with the `✗` lines drawn under it.
fn traced_findings(text: &str) -> Vec<(String, Vec<String>)> {
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let body = line.trim_start_matches([' ', '│', '├', '└', '─']);
        if let Some(finding) = body.strip_prefix("✗ ") {
            items.last_mut().unwrap().1.push(finding.to_owned());
        } else if !line.starts_with(['▲', '▼']) && !body.starts_with('(') {
            let id = body.split_whitespace().nth(1).unwrap().to_owned();
            // An item drawn again is not expanded, nor are its findings repeated.
            if !body.contains("(shown above)") {
                items.push((id, Vec::new()));
            }
        }
    }
    items
}

#[test]
fn trace_shows_every_item_of_the_thread_with_the_findings_check_gives_it() {
    for name in ["doors-zh", "auto-parts-en"] {
        let dir = sample(name);
        let (_, json) = check_json(&dir);
        let mut expected: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for f in json["findings"].as_array().unwrap() {
            expected
                .entry(f["id"].as_str().unwrap().to_owned())
                .or_default()
                .push(format!(
                    "{} {}: {}",
                    f["severity"].as_str().unwrap(),
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ));
        }
        let mut ids: Vec<String> = Vec::new();
        for entry in walkdir::WalkDir::new(&dir) {
            let path = entry.unwrap().into_path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                ids.extend(text.lines().filter_map(|l| {
                    let id = l.trim().strip_prefix("id = \"")?.strip_suffix('"')?;
                    // Not the id templates of an import mapping.
                    (!id.contains('{')).then(|| id.to_owned())
                }));
            }
        }
        let (mut shown, mut with_findings) = (0, 0);
        for id in &ids {
            let r = run([
                "trace".as_ref(),
                id.as_ref(),
                dir.as_os_str(),
                "--lang".as_ref(),
                "en".as_ref(),
            ]);
            assert_eq!(r.code, 0, "{name} {id}: {}", r.stderr);
            for (item, findings) in traced_findings(&r.stdout) {
                let want = expected.get(&item).cloned().unwrap_or_default();
                assert_eq!(
                    findings, want,
                    "{name}: {item} in the trace of {id}\n{}",
                    r.stdout
                );
                shown += 1;
                with_findings += usize::from(!findings.is_empty());
            }
        }
        assert!(shown > 3 * ids.len(), "{name}: {shown}");
        assert!(with_findings > ids.len() / 2, "{name}: {with_findings}");
    }
}
