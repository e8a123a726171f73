//! Progress on long runs: drawn on stderr when it is a terminal, never
//! otherwise, never under `--quiet`, never with `--format json`.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// Runs the binary under a pseudo-terminal (util-linux `script`) and gives
/// what the terminal showed; `None` where `script` is missing.
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("needtrail");
    let mut line = shell_quote(&bin.display().to_string());
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm")
        .output();
    match out {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "`script` (util-linux) is needed for the progress test: {e}"
            );
            eprintln!("progress test skipped: `script` (util-linux) not found: {e}");
            None
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn corpus(dir: &Path) -> String {
    let project = dir.join("corpus");
    let r = run([
        "generate".as_ref(),
        project.as_os_str(),
        "--requirements".as_ref(),
        "3000".as_ref(),
        "--per-file".as_ref(),
        "100".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    project.display().to_string()
}

#[test]
fn progress_shows_on_a_terminal_and_nowhere_else() {
    let tmp = tempfile::tempdir().unwrap();
    let project = corpus(tmp.path());
    let Some(shown) = on_a_terminal(&["check", &project, "--fail-on", "never"]) else {
        return;
    };
    assert!(shown.contains("loading files"), "{shown:?}");
    assert!(shown.contains("running rules"), "{shown:?}");
    // The findings still come through.
    assert!(shown.contains("design-input-verified"), "{shown:?}");

    let out = tmp.path().join("report");
    let shown = on_a_terminal(&[
        "report",
        &project,
        "--out",
        &out.display().to_string(),
        "--fail-on",
        "never",
    ])
    .unwrap();
    assert!(shown.contains("writing pages"), "{shown:?}");

    for args in [
        vec!["check", &project, "--fail-on", "never", "--quiet"],
        vec!["check", &project, "--fail-on", "never", "--format", "json"],
    ] {
        let shown = on_a_terminal(&args).unwrap();
        assert!(!shown.contains("loading files"), "{args:?}: {shown:?}");
        assert!(!shown.contains("running rules"), "{args:?}: {shown:?}");
    }

    // Not a terminal: nothing on stderr at all.
    let r = run(["check", &project, "--fail-on", "never"]);
    assert_eq!(r.stderr, "");
    let json = run(["check", &project, "--format", "json", "--fail-on", "never"]);
    assert_eq!(json.stderr, "");
    json.json();
}
