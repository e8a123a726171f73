//! Snapshots of what users read and file: every diagnostic of a broken
//! project as the terminal shows it and as JSON, and the findings of both
//! samples as JSON. A change to any of them shows up as a reviewed diff
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` then `git diff`).

use crate::support::*;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn diagnostics_of_a_broken_project_in_the_terminal() {
    let r = run(["check".as_ref(), fixture("broken").as_os_str()]);
    assert_eq!(r.code, 2);
    settings().bind(|| insta::assert_snapshot!("broken_check_text", r.stderr));
}

#[test]
fn diagnostics_of_a_broken_project_as_json() {
    let (code, json) = check_json(&fixture("broken"));
    assert_eq!(code, 2);
    settings().bind(|| insta::assert_json_snapshot!("broken_check_json", json));
}

#[test]
fn diagnostics_of_a_broken_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[setting]\nas_of = 2026-01-01\n\n[kinds.widget.fields]\nsize = { type = \"nubmer\" }\n\n[[rule]]\nid = \"r\"\nkind = \"requirment\"\nrequire = { field = \"source\" }\nmessage = \"m\"\n",
    );
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    settings().bind(|| insta::assert_snapshot!("broken_profile_text", r.stderr));
}

#[test]
fn findings_of_the_samples_as_json() {
    for name in ["doors-zh", "auto-parts-en"] {
        let (code, json) = check_json(&sample(name));
        assert_eq!(code, 1, "{name} has deliberate gaps");
        settings().bind(|| insta::assert_json_snapshot!(format!("{name}_check_json"), json));
    }
}
