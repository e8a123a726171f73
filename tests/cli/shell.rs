//! Shell completions and the man page.

use crate::support::run;

const COMMANDS: [&str; 6] = ["check", "report", "import", "export", "matrix", "review"];

#[test]
fn every_shell_gets_a_script_that_names_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run(["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(!r.stdout.trim().is_empty(), "{shell}: empty script");
        for command in COMMANDS {
            assert!(
                r.stdout.contains(command),
                "{shell}: the script does not complete `{command}`"
            );
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let Ok(bash) = which_bash() else {
        eprintln!("bash is not installed; the syntax check is skipped");
        return;
    };
    let r = run(["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("needtrail.bash");
    std::fs::write(&script, &r.stdout).unwrap();
    let out = std::process::Command::new(bash)
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Sourced, it registers a completion for needtrail.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p needtrail",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("needtrail"),
        "no completion registered: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn which_bash() -> Result<&'static str, ()> {
    std::process::Command::new("bash")
        .arg("-c")
        .arg("true")
        .status()
        .map(|_| "bash")
        .map_err(|_| ())
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let r = run(["completions", "tcsh"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(r.stderr.contains(shell), "{}", r.stderr);
    }
}

#[test]
fn the_man_page_documents_every_command() {
    let r = run(["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(".TH needtrail 1"), "{}", r.stdout);
    for command in COMMANDS {
        assert!(
            r.stdout.contains(&format!(".SS \"needtrail {command}")),
            "no section for `{command}`"
        );
    }
    // Options of a command are on the page, not left to other pages.
    assert!(r.stdout.contains("\\-\\-fail\\-on"), "no --fail-on");
    assert!(!r.stdout.contains("needtrail\\-check(1)"));
}

#[test]
fn the_man_page_is_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("needtrail.1");
    let r = run(["man", "--out", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), run(["man"]).stdout);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind");

    let r = run([
        "man",
        "--out",
        dir.path().join("missing/needtrail.1").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
}
