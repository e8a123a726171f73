//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The folder holding the test fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A bundled sample project.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// The needtrail binary, ready for arguments.
pub fn needtrail() -> Command {
    Command::cargo_bin("needtrail").expect("binary is built")
}

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = needtrail().args(args).output().expect("runs");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `check --format json` on a folder, with the exit code.
pub fn check_json(dir: &Path) -> (i32, Value) {
    let r = run([
        "check".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let code = r.code;
    (code, r.json())
}

/// The findings of a JSON check as sorted `(rule, id, severity)` triples.
pub fn finding_set(json: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Copies a folder tree into a new temporary folder.
pub fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_into(from, dir.path());
    dir
}

pub fn copy_into(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_into(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under a folder with its bytes, to show nothing was modified.
pub fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(entry.path(), fs::read(entry.path()).unwrap());
            }
        }
    }
    out
}

/// Writes a file, creating its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// The `## Deliberate gaps` table of a sample's README as sorted
/// `(rule, id, severity)` triples.
pub fn documented_gaps(sample_dir: &Path) -> Vec<(String, String, String)> {
    let readme = fs::read_to_string(sample_dir.join("README.md")).expect("sample README");
    let section = readme
        .split("## Deliberate gaps")
        .nth(1)
        .expect("README has a `## Deliberate gaps` section");
    let mut rows: Vec<(String, String, String)> = section
        .lines()
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let clean = |s: &str| s.trim_matches('`').to_owned();
            (clean(cells[0]), clean(cells[1]), clean(cells[2]))
        })
        .collect();
    rows.sort();
    assert!(!rows.is_empty(), "gap list is empty");
    rows
}

/// `(code, file, line, column)` of every error in a JSON error report.
pub fn error_places(json: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    json["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_owned(),
                e["file"].as_str().unwrap().to_owned(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect()
}
