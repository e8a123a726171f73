//! Hardening: what needtrail writes (CSV cells, terminal text, the user's
//! files) holds nothing a hostile or careless input could turn against
//! the person who opens it, and no edit the user saved is ever lost.

use std::fs;
use std::path::Path;

use crate::support::*;

/// Replaces the first `from` in a project file with `to`.
fn replace_in(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} holds {from}");
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// Parses CSV bytes written with a byte-order mark into records.
fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

// ---------------------------------------------------------------------------
// CSV formulas

#[test]
fn a_cell_starting_with_minus_cannot_run_as_a_formula_in_any_csv() {
    let dir = copy_tree(&sample("auto-parts-en"));
    let payload = "-2+3+cmd|' /C calc'!A0";
    replace_in(
        dir.path(),
        "contracts/europarts.toml",
        "title = \"ECE R90 approval of the replacement brake lining assemblies\"",
        &format!("title = \"{payload}\""),
    );
    replace_in(
        dir.path(),
        "contracts/europarts.toml",
        "title = \"Pallets labelled with GS1-128 SSCC labels\"",
        "title = \"-20 °C\"",
    );
    let out = tempfile::tempdir().unwrap();
    let csv_path = out.path().join("m.csv");
    let r = run([
        "matrix".as_ref(),
        dir.path().as_os_str(),
        "--from".as_ref(),
        "requirement".as_ref(),
        "--to".as_ref(),
        "verification".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--out".as_ref(),
        csv_path.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let package = out.path().join("package");
    let a = run([
        "audit".as_ref(),
        dir.path().as_os_str(),
        "--out".as_ref(),
        package.as_os_str(),
    ]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let mut files = vec![csv_path];
    for e in fs::read_dir(package.join("matrices")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            files.push(p);
        }
    }
    let mut seen_payload = 0;
    let mut seen_quantity = 0;
    for f in &files {
        for rec in csv_records(&fs::read(f).unwrap()) {
            for cell in rec {
                assert!(
                    !cell.starts_with(['=', '+', '@', '-', '\t', '\r']) || cell == "-20 °C",
                    "{}: a cell a spreadsheet would run: {cell}",
                    f.display()
                );
                seen_payload += usize::from(cell == format!("'{payload}"));
                seen_quantity += usize::from(cell == "-20 °C");
            }
        }
    }
    assert!(seen_payload >= 1, "the title is in a CSV, neutralised");
    assert!(seen_quantity >= 1, "a quantity stays as written");
}

// ---------------------------------------------------------------------------
// Many input errors

/// A generated project of `n` requirements, all in one file.
fn generated(n: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let r = run([
        "generate".as_ref(),
        "-q".as_ref(),
        dir.as_os_str(),
        "--requirements".as_ref(),
        n.to_string().as_ref(),
        "--per-file".as_ref(),
        n.to_string().as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    tmp
}

/// `check` on a project, stopped if it takes longer than `limit`.
fn check_within(dir: &Path, limit: std::time::Duration) -> (i32, String) {
    let started = std::time::Instant::now();
    let out = needtrail()
        .args(["check", "-q"])
        .arg(dir)
        .timeout(limit)
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "check was stopped after {:?}: reporting the errors took too long",
            started.elapsed()
        )
    });
    (code, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn tens_of_thousands_of_input_errors_are_reported_quickly() {
    let n = 30_000;
    let tmp = generated(n);
    let dir = tmp.path().join("p");
    let file = dir.join("requirements/part-00000.toml");
    let text = fs::read_to_string(&file).unwrap();

    // One find-and-replace typo: every requirement has a bad enum value.
    fs::write(
        &file,
        text.replace("class = \"stated\"", "class = \"stat\""),
    )
    .unwrap();
    let (code, stderr) = check_within(&dir, std::time::Duration::from_secs(60));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{n} input errors in 1 file")),
        "{}",
        &stderr[stderr.len().saturating_sub(500)..]
    );

    // The same file twice: every id is a duplicate.
    fs::write(&file, &text).unwrap();
    fs::write(dir.join("requirements/part-00001.toml"), &text).unwrap();
    let (code, stderr) = check_within(&dir, std::time::Duration::from_secs(60));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{n} input errors")),
        "{}",
        &stderr[stderr.len().saturating_sub(500)..]
    );
}

// ---------------------------------------------------------------------------
// Edits saved while needtrail writes

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn relative_snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot_tree(dir)
        .into_iter()
        .map(|(p, b)| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                b,
            )
        })
        .collect()
}

/// `needtrail ARGS`, started and left running.
fn spawn(args: &[&std::ffi::OsStr]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("needtrail"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts")
}

#[test]
fn concurrent_stamps_wait_for_each_other_and_lose_nothing() {
    // What one run writes, on its own.
    let alone = copy_tree(&sample("doors-zh"));
    let r = run(["stamp".as_ref(), "--all".as_ref(), alone.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = relative_snapshot(alone.path());
    let again = run(["stamp".as_ref(), "--all".as_ref(), alone.path().as_os_str()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        relative_snapshot(alone.path()),
        expected,
        "stamping twice changes nothing"
    );

    // Several at once on another copy: they take turns, each loading what
    // the one before wrote, and all end as one run alone would.
    let dir = copy_tree(&sample("doors-zh"));
    let children: Vec<_> = (0..4)
        .map(|_| spawn(&["stamp".as_ref(), "--all".as_ref(), dir.path().as_os_str()]))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        relative_snapshot(dir.path()),
        expected,
        "the same files, byte for byte, and no lock or temporary file left"
    );
}

#[test]
fn an_edit_saved_at_any_moment_of_a_stamp_is_never_lost() {
    let tmp = generated(600);
    let dir = tmp.path().join("p");
    let target = dir.join("requirements/part-00000.toml");
    let stamp_args = [
        "stamp".as_ref(),
        "-q".as_ref(),
        "--all".as_ref(),
        dir.as_os_str(),
    ];
    let started = std::time::Instant::now();
    let first = spawn(&stamp_args).wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    let took = started.elapsed();

    // The user saves the file once per run, each time a little later, from
    // before the files are read to after they are written. An edit saved
    // before needtrail reads the file is kept in what it writes; one saved
    // later makes it refuse that file. Never is an edit written over.
    let trials = 16u32;
    let mut refused = 0;
    for i in 0..trials {
        let marker = format!("# saved by hand, {i}");
        let child = spawn(&stamp_args);
        std::thread::sleep(took * (i + 1) / (trials - 2));
        let mut f = fs::OpenOptions::new().append(true).open(&target).unwrap();
        std::io::Write::write_all(&mut f, format!("\n{marker}\n").as_bytes()).unwrap();
        drop(f);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let text = fs::read_to_string(&target).unwrap();
        assert!(
            text.contains(&marker),
            "run {i}: exit {:?}, the edit saved during the run is gone\n{stderr}",
            out.status.code()
        );
        match out.status.code() {
            Some(0) => {}
            Some(2) => {
                assert!(
                    stderr.contains("part-00000.toml changed on disk after needtrail read it")
                        && stderr.contains("nothing was written to it"),
                    "{stderr}"
                );
                refused += 1;
            }
            code => panic!("run {i}: exit {code:?}\n{stderr}"),
        }
    }
    // Every saved edit is still there, and the files are still a project.
    let text = fs::read_to_string(&target).unwrap();
    for i in 0..trials {
        assert!(text.contains(&format!("# saved by hand, {i}\n")));
    }
    let check = run(["check".as_ref(), "-q".as_ref(), dir.as_os_str()]);
    assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
    eprintln!("{refused} of {trials} runs refused a file saved while they ran");
}

// ---------------------------------------------------------------------------
// Terminal escapes

/// Control characters a terminal would obey: C0 (but the newline and the
/// tab that lay the output out), DEL and C1.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect()
}

/// Asserts a run's output shows no control character raw.
fn assert_no_raw_controls(what: &str, r: &Run) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        let raw = raw_controls(text);
        assert!(
            raw.is_empty(),
            "{what}: raw {raw:?} on {name}:\n{}",
            text.escape_debug()
        );
    }
}

#[test]
fn control_characters_from_the_input_are_shown_escaped_in_every_terminal_output() {
    let dir = copy_tree(&sample("doors-zh"));
    let file = dir.path().join("contracts/contract-review.toml");
    let mut text = fs::read_to_string(&file).unwrap();
    // TOML escapes: the file itself is plain text, the values are not.
    text = text.replacen(
        "text = \"评审依据",
        "signed_by = \"\\u001b]0;owned\\u0007王工\"\nsigned_on = 2024-05-16\ntext = \"评审依据",
        1,
    );
    text.push_str(
        "\n[[requirement]]\nid = \"REQ-\\u001b]0;pwned\\u0007X\"\ntitle = \"\\u001b[2J清屏 \\u009b31m红\"\nclass = \"stated\"\ncontract = \"CON-002\"\ncustomer = \"CUS-001\"\nsource = \"\\u001b[31m施工合同\"\n",
    );
    fs::write(&file, text).unwrap();
    let d = dir.path().as_os_str();
    let id = "REQ-\u{1b}]0;pwned\u{7}X";

    let check = run(["check".as_ref(), d]);
    assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
    assert!(
        check.stdout.contains("REQ-\\u{1b}]0;pwned\\u{7}X"),
        "{}",
        check.stdout
    );
    assert_no_raw_controls("check", &check);

    let trace = run(["trace".as_ref(), id.as_ref(), d]);
    assert_eq!(trace.code, 0, "{}", trace.stderr);
    assert!(
        trace.stdout.contains("\\u{1b}[2J清屏 \\u{9b}31m红"),
        "{}",
        trace.stdout
    );
    assert_no_raw_controls("trace", &trace);

    let status = run(["review".as_ref(), "status".as_ref(), d]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.stdout.contains("\\u{1b}]0;owned\\u{7}王工"),
        "{}",
        status.stdout
    );
    assert_no_raw_controls("review status", &status);

    for args in [
        vec!["impact", id],
        vec!["matrix", "--from", "requirement", "--to", "verification"],
        vec![
            "matrix",
            "--from",
            "requirement",
            "--to",
            "verification",
            "--format",
            "md",
        ],
        vec!["objectives"],
        vec!["trace", "REQ-\u{1b}[2J"],
    ] {
        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
        a.push(d);
        assert_no_raw_controls(&args.join(" "), &run(a));
    }

    // JSON keeps its own escapes, and says the value exactly.
    let json = run(["check".as_ref(), d, "--format".as_ref(), "json".as_ref()]);
    assert!(
        json.stdout.contains("REQ-\\u001b]0;pwned\\u0007X"),
        "{}",
        json.stdout
    );
}

#[test]
fn control_characters_in_input_errors_are_shown_escaped() {
    let dir = copy_tree(&sample("doors-zh"));
    let file = dir.path().join("contracts/contract.toml");
    let text = fs::read_to_string(&file).unwrap();
    // An unknown key written with escapes, and a raw escape in a string.
    fs::write(
        &file,
        text.replacen(
            "class = \"stated\"",
            "class = \"stated\"\n\"\\u001b[2Jkey\" = 1",
            1,
        ),
    )
    .unwrap();
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("\\u{1b}[2Jkey"), "{}", r.stderr);
    assert_no_raw_controls("unknown key", &r);

    fs::write(
        &file,
        text.replacen(
            "class = \"stated\"",
            "class = \"stated\"\nnote = \"\u{1b}]0;x\u{7}\"",
            1,
        ),
    )
    .unwrap();
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("note = \"\\u{1b}]0;x\\u{7}\""),
        "{}",
        r.stderr
    );
    assert_no_raw_controls("raw escape in a file", &r);
}

// ---------------------------------------------------------------------------
// What killed writes leave behind

#[test]
fn temporary_files_of_a_killed_write_are_removed_by_the_next_write() {
    let dir = copy_tree(&sample("doors-zh"));
    let folder = dir.path().join("design");
    // As a write killed half-way leaves them: no process 4294967295 runs;
    // process 1 always does, and its file may still be in use.
    let dead = folder.join(".inputs.toml.needtrail-4294967295.tmp");
    let running = folder.join(".outputs.toml.needtrail-1.tmp");
    let users = folder.join(".inputs.toml.bak");
    for f in [&dead, &running, &users] {
        fs::write(f, "half a file").unwrap();
    }
    let r = run(["stamp".as_ref(), "--all".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!dead.exists(), "the stale temporary file is removed");
    assert!(running.exists(), "one of a running process is left");
    assert!(users.exists(), "a file that is not needtrail's is left");
}

// ---------------------------------------------------------------------------
// The file-size limit

/// `needtrail ARGS` under `ulimit -f 1` (a file-size limit of a block).
#[cfg(unix)]
fn run_with_file_size_limit(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("needtrail"))
        .args(args)
        .output()
        .expect("sh runs")
}

#[cfg(unix)]
#[test]
fn a_write_past_the_file_size_limit_is_an_error_naming_the_file() {
    let dir = copy_tree(&sample("doors-zh"));
    let before = snapshot_tree(dir.path());
    let out =
        run_with_file_size_limit(&["stamp".as_ref(), "--all".as_ref(), dir.path().as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "killed instead of failing: {out:?}"
    );
    assert!(
        stderr.contains("cannot write contracts/contract.toml")
            && stderr.contains("the file is unchanged"),
        "{stderr}"
    );
    assert_eq!(
        snapshot_tree(dir.path()),
        before,
        "every file as it was, nothing left behind"
    );

    let csv = dir.path().join("m.csv");
    let out = run_with_file_size_limit(&[
        "matrix".as_ref(),
        dir.path().as_os_str(),
        "--from".as_ref(),
        "requirement".as_ref(),
        "--to".as_ref(),
        "verification".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--out".as_ref(),
        csv.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "killed instead of failing: {out:?}"
    );
    assert!(
        stderr.contains(&format!("cannot write {}", csv.display())),
        "{stderr}"
    );
    assert!(!csv.exists());
}

// ---------------------------------------------------------------------------
// Long lines in input errors

#[test]
fn an_error_on_a_very_long_line_quotes_only_the_part_around_it() {
    let dir = copy_tree(&sample("doors-zh"));
    // An unterminated string of 5 MB: the error would otherwise quote all
    // of it, and underline all of it.
    let mut text = String::from("[[requirement]]\nid = \"REQ-900\"\ntitle = \"");
    text.push_str(&"门窗".repeat(2_500_000));
    fs::write(dir.path().join("requirements/long.toml"), text).unwrap();
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2, "{}", &r.stderr[..r.stderr.len().min(2000)]);
    assert!(
        r.stderr.contains("requirements/long.toml:3:"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
    assert!(
        r.stderr.len() < 4_000,
        "{} bytes of error output",
        r.stderr.len()
    );
    assert!(r.stderr.contains("3 | …门窗门窗"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------
// Byte-order marks

#[test]
fn a_byte_order_mark_anywhere_but_the_very_start_is_an_input_error() {
    let original = fs::read(sample("doors-zh").join("requirements/legal.toml")).unwrap();
    let header = "[[requirement]]";
    let second = String::from_utf8(original.clone())
        .unwrap()
        .find(header)
        .unwrap();
    let line = original[..second].iter().filter(|b| **b == b'\n').count() + 1;
    for (bytes, place) in [
        // Two at the start.
        (
            [b"\xEF\xBB\xBF\xEF\xBB\xBF".as_slice(), &original].concat(),
            "requirements/legal.toml:1:1".to_owned(),
        ),
        // One before a table header further down.
        (
            [&original[..second], b"\xEF\xBB\xBF", &original[second..]].concat(),
            format!("requirements/legal.toml:{line}:1"),
        ),
    ] {
        let dir = copy_tree(&sample("doors-zh"));
        fs::write(dir.path().join("requirements/legal.toml"), bytes).unwrap();
        let r = run(["check".as_ref(), dir.path().as_os_str()]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("error[misplaced-bom]"), "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("--> {place}\n")),
            "{place}\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("\\u{feff}"),
            "shown, not invisible: {}",
            r.stderr
        );
    }
    // One at the start is the usual way to say "UTF-8": accepted.
    let dir = copy_tree(&sample("doors-zh"));
    fs::write(
        dir.path().join("requirements/legal.toml"),
        [b"\xEF\xBB\xBF".as_slice(), &original].concat(),
    )
    .unwrap();
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

// ---------------------------------------------------------------------------
// Files that are not read

#[cfg(unix)]
#[test]
fn symbolic_links_and_upper_case_toml_files_are_named_once_as_not_read() {
    let dir = copy_tree(&sample("doors-zh"));
    let outside = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements");
    fs::rename(req.join("legal.toml"), outside.path().join("legal.toml")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("legal.toml"), req.join("legal.toml")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("shared")).unwrap();
    fs::rename(req.join("organisation.toml"), req.join("ORGANISATION.TOML")).unwrap();
    // Links to other files, and hidden files, are none of its business.
    std::os::unix::fs::symlink(
        outside.path().join("legal.toml"),
        dir.path().join("notes.txt"),
    )
    .unwrap();

    for args in [
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["trace", "REQ-001"],
    ] {
        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
        a.push(dir.path().as_os_str());
        let r = run(a);
        for (path, why) in [
            ("requirements/legal.toml", "a symbolic link"),
            ("shared", "a symbolic link"),
            (
                "requirements/ORGANISATION.TOML",
                "its extension is not written `.toml` in lower case",
            ),
        ] {
            let line = format!("  {path}: {why}");
            assert_eq!(
                r.stderr.matches(&line).count(),
                1,
                "{args:?}: `{line}` once in:\n{}",
                r.stderr
            );
        }
        assert_eq!(r.stderr.matches("are not read:").count(), 1, "{}", r.stderr);
        assert!(!r.stderr.contains("notes.txt"), "{}", r.stderr);
        assert!(
            !r.stdout.contains("not read"),
            "standard output stays clean"
        );
    }
}

#[test]
fn stamping_a_file_of_thousands_of_items_takes_one_pass_over_it() {
    // 5000 requirements in one file, their 15000 design inputs,
    // verifications and validations in another, all stamped: looking each
    // one up from the top of its file took over a minute.
    let tmp = generated(5_000);
    let dir = tmp.path().join("p");
    let out = needtrail()
        .args(["stamp", "-q", "--all"])
        .arg(&dir)
        .timeout(std::time::Duration::from_secs(40))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stopped or failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One stamp line each (a requirement, linked only to its customer and
    // contract, has nothing to stamp); every 97th design input is left
    // without a verification.
    let text = fs::read_to_string(dir.join("design/part-00000.toml")).unwrap();
    assert_eq!(
        text.matches("\nstamped.").count(),
        5_000 * 3 - 5_000 / 97,
        "each design input, verification and validation stamped"
    );
}
