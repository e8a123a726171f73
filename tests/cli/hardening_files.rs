//! What needtrail promises about files: it never writes outside the folder
//! it is given or a private folder of its own, never replaces a folder that
//! holds the project, reads only the files an audit package is made of, and
//! names its pages so that any valid id fits a file system.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// Every path under `dir` (files, folders, links), relative to it.
fn all_paths(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            out.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// diff --git

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs git in `repo` with an identity of its own, `input` on its standard
/// input; its standard output, trimmed.
fn git_with(repo: &Path, args: &[&str], input: &str) -> String {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=needtrail test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn git(repo: &Path, args: &[&str]) -> String {
    git_with(repo, args, "")
}

/// A repository at `repo` holding doors-zh at its root, committed twice
/// (the second commit edits a title).
fn two_commits(repo: &Path) {
    git(repo, &["init", "-q"]);
    copy_into(&sample("doors-zh"), repo);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "baseline"]);
    let tender = repo.join("contracts/tender.toml");
    let text = fs::read_to_string(&tender).unwrap();
    fs::write(&tender, text.replacen("title = \"", "title = \"(修订) ", 1)).unwrap();
    git(repo, &["commit", "-q", "-am", "edit"]);
}

/// `needtrail diff --git RANGE DIR --format json`, with `TMPDIR` set.
fn diff_git(dir: &Path, range: &str, tmpdir: &Path) -> Run {
    let o = needtrail()
        .args(["diff", "--git", range, "--format", "json"])
        .arg(dir)
        .env("TMPDIR", tmpdir)
        .output()
        .unwrap();
    Run {
        code: o.status.code().unwrap(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// A commit whose tree names files `../evil.toml` and `../../evil.toml`
/// (git writes such trees without a word; only checkout and fsck object)
/// is refused: nothing is written anywhere, and the user is told which path.
#[test]
fn diff_git_refuses_a_revision_with_paths_that_leave_the_folder() {
    if !git_available() {
        eprintln!("note: git is not installed; skipping the `diff --git` test");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    let tmp = root.path().join("tmp");
    fs::create_dir_all(&repo).unwrap();
    fs::create_dir_all(&tmp).unwrap();
    two_commits(&repo);

    let blob = git_with(
        &repo,
        &["hash-object", "-w", "--stdin"],
        "[[requirement]]\nid = \"EVIL\"\n",
    );
    let inner = git_with(
        &repo,
        &["mktree"],
        &format!("100644 blob {blob}\tevil.toml\n"),
    );
    let up = git_with(
        &repo,
        &["mktree"],
        &format!("040000 tree {inner}\t..\n100644 blob {blob}\tevil.toml\n"),
    );
    let mut listing = git(&repo, &["ls-tree", "HEAD"]);
    listing.push_str(&format!("\n040000 tree {up}\t..\n"));
    let tree = git_with(&repo, &["mktree"], &listing);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let commit = git(&repo, &["commit-tree", &tree, "-p", &head, "-m", "evil"]);
    git(&repo, &["update-ref", "refs/heads/evil", &commit]);
    let listed = git(&repo, &["ls-tree", "-r", "--name-only", "evil"]);
    assert!(listed.contains("../../evil.toml"), "{listed}");

    let before = all_paths(root.path());
    let work_tree = snapshot_tree(&repo);
    let r = diff_git(&repo, "HEAD..evil", &tmp);
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("../"), "names the path: {}", r.stderr);
    assert!(
        r.stderr.contains("evil"),
        "names the revision: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(
        all_paths(root.path()),
        before,
        "files appeared or vanished around the repository"
    );
    assert_eq!(snapshot_tree(&repo), work_tree);

    // The same repository's ordinary revisions still compare.
    let r = diff_git(&repo, "HEAD~1..HEAD", &tmp);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["items"]["changed"].as_array().unwrap().len(), 1);
    assert_eq!(all_paths(&tmp), BTreeSet::new(), "scratch folders left");
}

/// A folder or link planted in the temporary folder at a name needtrail
/// could be expected to use (an earlier version used
/// `needtrail-diff-PID-N`) is never written through: links are planted for
/// the next few thousand process ids, the run is repeated until its process
/// got one of them, and the folder the links lead to stays empty.
#[cfg(target_os = "linux")]
#[test]
fn diff_git_never_writes_through_a_planted_scratch_folder() {
    if !git_available() {
        eprintln!("note: git is not installed; skipping the `diff --git` test");
        return;
    }
    let Ok(last) = fs::read_to_string("/proc/sys/kernel/ns_last_pid") else {
        eprintln!("note: no /proc/sys/kernel/ns_last_pid; skipping");
        return;
    };
    let mut last: u32 = last.trim().parse().unwrap();
    const WINDOW: u32 = 3000;
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    let tmp = root.path().join("tmp");
    let trap = root.path().join("trap");
    for d in [&repo, &tmp, &trap] {
        fs::create_dir_all(d).unwrap();
    }
    two_commits(&repo);
    let mut planted = BTreeSet::new();
    for _attempt in 0..5 {
        for pid in last + 1..=last + WINDOW {
            for n in 0..2 {
                let name = format!("needtrail-diff-{pid}-{n}");
                if planted.insert(name.clone()) {
                    std::os::unix::fs::symlink(&trap, tmp.join(name)).unwrap();
                }
            }
        }
        let child = Command::new(assert_cmd::cargo::cargo_bin("needtrail"))
            .args(["diff", "--git", "HEAD~1..HEAD", "--format", "json"])
            .arg(&repo)
            .env("TMPDIR", &tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(d["items"]["changed"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(all_paths(&trap), BTreeSet::new(), "written through a link");
        let left: BTreeSet<String> = fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, planted, "the planted links are left as they were");
        if pid > last && pid <= last + WINDOW {
            return;
        }
        last = pid;
    }
    panic!("the process never got one of the planted process ids");
}

// ---------------------------------------------------------------------------
// report --out / audit --out never replace a folder that holds the project

/// `report DIR --out OUT` or `audit DIR --out OUT`.
fn write_out(command: &str, dir: &Path, out: &Path) -> Run {
    run([
        command.as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// Runs `report` and `audit` with `--out out` on the project `dir`, each
/// expected to be refused with every file under `root` left as it was.
fn assert_refused(root: &Path, dir: &Path, out: &Path, what: &str) {
    let before = snapshot_tree(root);
    let paths = all_paths(root);
    for command in ["report", "audit"] {
        let r = write_out(command, dir, out);
        assert_eq!(
            r.code, 2,
            "{command} {what}:\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        assert!(
            r.stderr.contains("project") && r.stderr.contains("left untouched"),
            "{command} {what} says why: {}",
            r.stderr
        );
        assert_eq!(
            snapshot_tree(root),
            before,
            "{command} {what}: files changed"
        );
        assert_eq!(all_paths(root), paths, "{command} {what}: paths changed");
    }
}

/// The project folder itself as the output, with the marker of a
/// needtrail output folder in it (copied from a report, say).
#[test]
fn the_project_folder_is_never_replaced_even_with_a_marker() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("project");
    copy_into(&sample("doors-zh"), &dir);
    write(&dir, "NOTES.md", "my own notes, not a project file\n");
    write(&dir, ".needtrail-output", "");
    assert_refused(root.path(), &dir, &dir, "into the project");

    // Through a link to it, or spelled with `.`.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        let link = elsewhere.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert_refused(root.path(), &dir, &link, "through a link");
        assert_refused(root.path(), &link, &dir, "given through a link");
    }
    assert_refused(root.path(), &dir, &dir.join("contracts/.."), "as dir/x/..");
}

/// An output folder of needtrail's own (marked) that the project was later
/// put into.
#[test]
fn an_output_folder_that_holds_the_project_is_never_replaced() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("site");
    let r = write_out("report", &sample("doors-zh"), &out);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(out.join(".needtrail-output").is_file());
    let dir = out.join("projects/doors");
    copy_into(&sample("doors-zh"), &dir);
    assert_refused(root.path(), &dir, &out, "over the project's parent");

    // An audit package of its own, too.
    let package = root.path().join("package");
    let r = write_out("audit", &sample("doors-zh"), &package);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = package.join("doors");
    copy_into(&sample("doors-zh"), &dir);
    assert_refused(root.path(), &dir, &package, "over the package");
}

/// A folder of templates inside the output folder is read, not replaced.
#[test]
fn an_output_folder_that_holds_the_templates_read_is_never_replaced() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("site");
    let r = write_out("report", &sample("doors-zh"), &out);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let templates = out.join("my-templates");
    write(&templates, "index.html", "{% extends \"base.html\" %}\n");
    let before = snapshot_tree(root.path());
    let r = run([
        "report".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--templates".as_ref(),
        templates.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("templates"), "{}", r.stderr);
    assert_eq!(snapshot_tree(root.path()), before);

    // The project's own report folder is still replaced as before.
    let dir = root.path().join("project");
    copy_into(&sample("doors-zh"), &dir);
    for _ in 0..2 {
        let r = write_out("report", &dir, &dir.join("report"));
        assert_eq!(r.code, 1, "{}", r.stderr);
    }
}

// ---------------------------------------------------------------------------
// audit --verify reads only the files inside the package

/// Runs needtrail with `args`, killing it if it has not ended after 30 s;
/// the run, and how long it took.
fn run_timed(args: &[&std::ffi::OsStr]) -> (Run, Duration) {
    let start = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("needtrail"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("needtrail {args:?} did not end in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    let run = Run {
        code: o.status.code().unwrap(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    };
    (run, start.elapsed())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An audit package of doors-zh at `root/package`, and a file outside it
/// at `root/secret.txt` with the hash of its content.
fn package_and_secret(root: &Path) -> (PathBuf, PathBuf, String) {
    let pkg = root.join("package");
    let r = write_out("audit", &sample("doors-zh"), &pkg);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let secret = root.join("secret.txt");
    fs::write(&secret, "the salary list\n").unwrap();
    (pkg, secret, sha256_hex(b"the salary list\n"))
}

/// Adds a line to the MANIFEST's last section (`outputs:`).
fn list_in_manifest(pkg: &Path, hash: &str, path: &str) {
    let manifest = pkg.join("MANIFEST");
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!("{hash}  {path}\n"));
    fs::write(&manifest, text).unwrap();
}

/// `audit --verify` on `pkg` (and `project`) reports the MANIFEST as
/// tampered with for naming `path`, quickly.
fn assert_tampered(pkg: &Path, project: Option<&Path>, path: &str) {
    let mut args = vec!["audit".as_ref(), "--verify".as_ref(), pkg.as_os_str()];
    args.extend(project.map(Path::as_os_str));
    let (r, took) = run_timed(&args);
    assert_eq!(
        r.code, 1,
        "{path}:\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("TAMPERED  MANIFEST names ") && l.contains(path)),
        "{path}: {}",
        r.stdout
    );
    assert!(r.stdout.contains("NOT intact"), "{}", r.stdout);
    assert!(!r.stdout.contains("Intact:"), "{}", r.stdout);
    assert!(took < Duration::from_secs(20), "{path}: took {took:?}");
}

#[test]
fn audit_verify_refuses_paths_outside_the_package() {
    let root = tempfile::tempdir().unwrap();
    let (pkg, secret, hash) = package_and_secret(root.path());
    assert_eq!(
        run_timed(&["audit".as_ref(), "--verify".as_ref(), pkg.as_os_str()])
            .0
            .code,
        0
    );

    // An absolute path, with the right hash: no hash oracle for any file.
    let absolute = root.path().join("absolute");
    copy_into(&pkg, &absolute);
    list_in_manifest(&absolute, &hash, secret.to_str().unwrap());
    assert_tampered(&absolute, None, secret.to_str().unwrap());

    // `..` out of the package.
    let dotdot = root.path().join("dotdot");
    copy_into(&pkg, &dotdot);
    list_in_manifest(&dotdot, &hash, "../secret.txt");
    assert_tampered(&dotdot, None, "../secret.txt");
    list_in_manifest(&dotdot, &hash, "report/../../secret.txt");
    assert_tampered(&dotdot, None, "report/../../secret.txt");

    // An input path out of the project, with the project given.
    let project = root.path().join("project");
    copy_into(&sample("doors-zh"), &project);
    let inputs = root.path().join("inputs");
    copy_into(&pkg, &inputs);
    let manifest = inputs.join("MANIFEST");
    let text = fs::read_to_string(&manifest).unwrap();
    let text = text.replacen(
        "\ninputs:\n",
        &format!("\ninputs:\n{hash}  ../secret.txt\n"),
        1,
    );
    fs::write(&manifest, text).unwrap();
    assert_tampered(&inputs, Some(&project), "input: ../secret.txt");
}

#[cfg(unix)]
#[test]
fn audit_verify_reads_no_link_and_no_pipe() {
    let root = tempfile::tempdir().unwrap();
    let (pkg, secret, hash) = package_and_secret(root.path());

    // A link inside the package to a file outside it.
    let linked = root.path().join("linked");
    copy_into(&pkg, &linked);
    std::os::unix::fs::symlink(&secret, linked.join("report/secret.txt")).unwrap();
    list_in_manifest(&linked, &hash, "report/secret.txt");
    assert_tampered(&linked, None, "report/secret.txt");

    // A folder of the package replaced by a link to a copy elsewhere.
    let moved = root.path().join("moved");
    copy_into(&pkg, &moved);
    let elsewhere = root.path().join("elsewhere");
    fs::rename(moved.join("matrices"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, moved.join("matrices")).unwrap();
    assert_tampered(&moved, None, "matrices/");

    // A named pipe: reading it would wait for a writer for ever.
    let piped = root.path().join("piped");
    copy_into(&pkg, &piped);
    let made = Command::new("mkfifo")
        .arg(piped.join("findings.pipe"))
        .status();
    if made.is_ok_and(|s| s.success()) {
        list_in_manifest(&piped, &hash, "findings.pipe");
        assert_tampered(&piped, None, "findings.pipe");
    } else {
        eprintln!("note: no mkfifo; the pipe case is skipped");
    }

    // A link nobody listed is something added to the package.
    let added = root.path().join("added");
    copy_into(&pkg, &added);
    std::os::unix::fs::symlink(&secret, added.join("extra.txt")).unwrap();
    let (r, _) = run_timed(&["audit".as_ref(), "--verify".as_ref(), added.as_os_str()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.lines().any(|l| l == "UNLISTED  extra.txt"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------
// Long ids

/// doors-zh with CON-001 and CON-002 renamed to two 300-character ids that
/// differ only at their end, REQ-001 to a 300-character id of Chinese
/// characters (900 bytes), and an item of a kind with a 300-character name.
fn long_ids_project(dir: &Path) -> (String, String, String) {
    copy_into(&sample("doors-zh"), dir);
    let con1 = format!("CON-{}1", "A".repeat(295));
    let con2 = format!("CON-{}2", "A".repeat(295));
    let req = format!("REQ-{}", "需".repeat(296));
    for (from, to) in [("CON-001", &con1), ("CON-002", &con2), ("REQ-001", &req)] {
        let mut found = false;
        for (path, _) in snapshot_tree(dir) {
            // Item files only (the sample also holds the sheet it came from).
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            let quoted = format!("\"{from}\"");
            if text.contains(&quoted) {
                fs::write(&path, text.replace(&quoted, &format!("\"{to}\""))).unwrap();
                found = true;
            }
        }
        assert!(found, "{from} not in doors-zh");
    }
    // A kind of the project's own with a long name, which names its pages.
    let kind = format!("risk{}", "x".repeat(296));
    let config = dir.join("needtrail.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[kinds.{kind}]\nlabel = {{ en = \"Risk\" }}\n"));
    fs::write(&config, text).unwrap();
    write(
        dir,
        "risks.toml",
        &format!("[[{kind}]]\nid = \"RISK-1\"\ntitle = \"风压计算未复核\"\n"),
    );
    (con1, con2, req)
}

/// Every relative link on every page of the site at `out` leads to a file
/// that exists, and every name is short enough; how many links there are.
fn assert_links_resolve(out: &Path) -> usize {
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        for name in entry.path().strip_prefix(out).unwrap() {
            assert!(name.len() <= 255, "{}", entry.path().display());
        }
        let text = fs::read_to_string(entry.path()).unwrap();
        let doc = scraper::Html::parse_document(&text);
        let a = scraper::Selector::parse("a[href]").unwrap();
        for link in doc.select(&a) {
            let href = link.value().attr("href").unwrap();
            let path = href.split('#').next().unwrap();
            if path.is_empty() || path.contains("://") {
                continue;
            }
            let target = entry.path().parent().unwrap().join(path);
            assert!(
                target.is_file(),
                "{}: the link {href} leads nowhere",
                entry.path().display()
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn ids_too_long_for_a_file_name_still_give_a_report_and_an_audit_package() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("project");
    let (con1, con2, req) = long_ids_project(&dir);
    let r = run(["check".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 1, "the project is valid: {}", r.stderr);

    let out = root.path().join("site");
    let r = write_out("report", &dir, &out);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(assert_links_resolve(&out) > 100);
    // Each long contract has its own sign-off sheet, found from the index
    // by the contract's id, and the requirement its article.
    let sheets: BTreeSet<PathBuf> = fs::read_dir(out.join("signoff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for con in [&con1, &con2] {
        let holding: Vec<&PathBuf> = sheets
            .iter()
            .filter(|p| fs::read_to_string(p).unwrap().contains(con.as_str()))
            .collect();
        assert!(!holding.is_empty(), "no sheet names {con}");
    }
    assert_eq!(sheets.len(), 2, "{sheets:?}");
    let index = scraper::Html::parse_document(&fs::read_to_string(out.join("index.html")).unwrap());
    let linked: BTreeSet<PathBuf> = index
        .select(&scraper::Selector::parse("a[href^='signoff/']").unwrap())
        .map(|a| out.join(a.value().attr("href").unwrap()))
        .collect();
    assert_eq!(linked, sheets, "the dashboard links each sheet");
    let items = snapshot_tree(&out.join("items"));
    assert!(
        items
            .values()
            .any(|b| String::from_utf8_lossy(b).contains(&req)),
        "the long requirement has its article"
    );
    assert!(
        items
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("风压计算未复核")),
        "the item of the long kind has its page"
    );

    let package = root.path().join("package");
    let r = write_out("audit", &dir, &package);
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(assert_links_resolve(&package.join("report")) > 100);
    let r = run(["audit".as_ref(), "--verify".as_ref(), package.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// An output folder of needtrail's own that another project, or a single
/// item file, was put into: replacing it would delete them.
#[test]
fn an_output_folder_that_holds_another_project_is_never_replaced() {
    let root = tempfile::tempdir().unwrap();
    for command in ["report", "audit"] {
        let out = root.path().join(command);
        let r = write_out(command, &sample("doors-zh"), &out);
        assert!(r.code <= 1, "{}", r.stderr);
        for planted in ["auto-parts/needtrail.toml", "notes/risks.TOML"] {
            let (folder, _) = planted.split_once('/').unwrap();
            if folder == "auto-parts" {
                copy_into(&sample("auto-parts-en"), &out.join(folder));
            } else {
                write(&out, planted, "[[risk]]\n");
            }
            let before = snapshot_tree(root.path());
            let r = write_out(command, &sample("doors-zh"), &out);
            assert_eq!(r.code, 2, "{command} over {planted}: {}", r.stderr);
            assert!(r.stderr.contains("left untouched"), "{}", r.stderr);
            assert!(
                r.stderr.to_lowercase().contains(".toml"),
                "names the file: {}",
                r.stderr
            );
            assert_eq!(
                snapshot_tree(root.path()),
                before,
                "{command} over {planted}"
            );
            fs::remove_dir_all(out.join(folder)).unwrap();
        }
        // Without them, the folder is replaced as before.
        let r = write_out(command, &sample("doors-zh"), &out);
        assert!(r.code <= 1, "{}", r.stderr);
    }
}

/// `matrix --out` and `diff --out` write a file; never one of the files of
/// the project they read, however it is spelled.
#[test]
fn an_output_file_never_replaces_a_file_of_the_project() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("project");
    copy_into(&sample("doors-zh"), &dir);
    let other = root.path().join("other");
    copy_into(&sample("doors-zh"), &other);
    let mut targets = vec![
        dir.join("contracts/tender.toml"),
        dir.join("design/../needtrail.toml"),
    ];
    #[cfg(unix)]
    {
        let link = root.path().join("tender-link.toml");
        std::os::unix::fs::symlink(dir.join("contracts/tender.toml"), &link).unwrap();
        targets.push(link);
    }
    let before = snapshot_tree(&dir);
    for target in &targets {
        let matrix = run([
            "matrix".as_ref(),
            dir.as_os_str(),
            "--from".as_ref(),
            "requirement".as_ref(),
            "--to".as_ref(),
            "verification".as_ref(),
            "--format".as_ref(),
            "csv".as_ref(),
            "--out".as_ref(),
            target.as_os_str(),
        ]);
        let diff = run([
            "diff".as_ref(),
            other.as_os_str(),
            dir.as_os_str(),
            "--out".as_ref(),
            target.as_os_str(),
        ]);
        for (command, r) in [("matrix", matrix), ("diff", diff)] {
            assert_eq!(
                r.code,
                2,
                "{command} --out {}: {}",
                target.display(),
                r.stderr
            );
            assert!(r.stderr.contains("left untouched"), "{}", r.stderr);
        }
        assert_eq!(snapshot_tree(&dir), before, "--out {}", target.display());
    }
    // A new file beside them is written.
    let r = run([
        "diff".as_ref(),
        other.as_os_str(),
        dir.as_os_str(),
        "--out".as_ref(),
        dir.join("changes.txt").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.join("changes.txt").is_file());
}

/// A MANIFEST grown beyond any package's is not read into memory.
#[test]
fn audit_verify_reads_no_giant_manifest() {
    let root = tempfile::tempdir().unwrap();
    let (pkg, _, _) = package_and_secret(root.path());
    // Sparse: takes no room on the disk.
    let manifest = fs::OpenOptions::new()
        .write(true)
        .open(pkg.join("MANIFEST"))
        .unwrap();
    manifest.set_len(512 << 20).unwrap();
    drop(manifest);
    let (r, took) = run_timed(&["audit".as_ref(), "--verify".as_ref(), pkg.as_os_str()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("MANIFEST"), "{}", r.stderr);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
