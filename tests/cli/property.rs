//! Random edits of the bundled samples and the test fixtures: whatever a
//! careless edit or a bad merge does to a project (lines deleted, duplicated,
//! moved or shuffled, TOML tokens inserted or dropped, strings swapped
//! between items, files removed or copied, needtrail.toml included), loading
//! and checking it ends in exit code 0, 1 or 2, never a panic, in bounded
//! time.
//!
//! Most cases run the library's pipeline in-process (the one `check` runs),
//! for speed; a few go through the real binary, whose exit code must be the
//! one the pipeline gave.
//!
//! The cases are seeded and reproducible. `NEEDTRAIL_PROPERTY_CASES=N`
//! (or `PROPTEST_CASES=N`) runs N cases instead of the default, and
//! `NEEDTRAIL_PROPERTY_SEED=S` starts from another seed. A failing case is
//! kept as a project folder under the test's temporary folder and named in
//! the failure, ready for `needtrail check`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use needtrail::app::{self, FailOn};
use needtrail::{diag, load, output};

use crate::support::*;

/// Cases run by default: a few seconds in a debug build.
const DEFAULT_CASES: u64 = 200;

/// Every this many cases, the case also goes through the real binary.
const BINARY_EVERY: u64 = 25;

/// The longest one case may take, loaded machine and debug build included;
/// the projects are small, so any case near it has gone wrong.
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// Text a careless edit or a bad merge may put anywhere.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    " = ",
    ",",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "#",
    "\n",
    "\r\n",
    ".",
    "-",
    "0",
    "-1",
    "1e400",
    "inf",
    "nan",
    "true",
    "\"\"",
    "[]",
    "{}",
    "2025-02-30",
    "2025-09-30T25:00:00",
    "9223372036854775808",
    "\\u001b[2J",
    "\\",
    "\u{feff}",
    "设计",
    "[[requirement]]\n",
    "[[contract]]\nid = \"CON-NEW\"\n",
    "[[review]]\nid = \"CR-NEW\"\ncontract = \"CON-NEW\"\n",
    "id = \"REQ-001\"\n",
    "[kinds.requirement.fields]\n",
    "extra = { type = \"links\", to = [\"requirement\"] }\n",
    "[kinds.risk]\n",
    "[[rule]]\nid = \"r\"\nkind = \"requirement\"\nrequire = { field = \"title\" }\n",
    "severity = \"off\"\n",
    "[rules]\n",
    "[settings]\n",
    "as_of = 1979-01-01\n",
    "[project]\n",
    "profile = \"none\"\n",
];

/// Bytes no text editor should leave, but a bad copy may.
const RAW: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\xc3",
    b"\x1b",
    b"\t",
    b"\r",
    b"\xef\xbb\xbf",
];

/// A project in memory: `needtrail.toml` first, then the item files.
#[derive(Clone)]
struct Files(Vec<(String, Vec<u8>)>);

impl Files {
    fn read(root: &Path) -> Files {
        let mut files = vec![(
            load::CONFIG_FILE.to_owned(),
            fs::read(root.join(load::CONFIG_FILE)).unwrap(),
        )];
        for (path, rel) in load::discover(root) {
            files.push((rel, fs::read(path).unwrap()));
        }
        Files(files)
    }

    fn write(&self, dir: &Path) {
        if dir.exists() {
            fs::remove_dir_all(dir).unwrap();
        }
        for (rel, bytes) in &self.0 {
            let p = dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, bytes).unwrap();
        }
    }
}

/// Lines of a file, each with its line ending.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// A random place in `bytes` that does not split a UTF-8 character.
fn boundary(rng: &mut fastrand::Rng, bytes: &[u8]) -> usize {
    let mut at = rng.usize(..=bytes.len());
    while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

/// Every double-quoted string in the project, quotes included.
fn strings(files: &Files) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (_, bytes) in &files.0 {
        for line in bytes.split(|&b| b == b'\n') {
            let quotes: Vec<usize> = (0..line.len()).filter(|&i| line[i] == b'"').collect();
            for pair in quotes.chunks_exact(2) {
                out.push(line[pair[0]..=pair[1]].to_vec());
            }
        }
    }
    out
}

/// One random edit, described for the failure message.
fn mutate(rng: &mut fastrand::Rng, files: &mut Files) -> String {
    // needtrail.toml is edited a quarter of the time.
    let f = if rng.u8(..4) == 0 {
        0
    } else {
        rng.usize(..files.0.len())
    };
    let name = files.0[f].0.clone();
    let op = rng.u8(..13);
    let mut ls = lines(&files.0[f].1);
    let n = ls.len();
    let what = match op {
        0 if n > 0 => {
            let i = rng.usize(..n);
            ls.remove(i);
            format!("delete line {}", i + 1)
        }
        1 if n > 0 => {
            let i = rng.usize(..n);
            let j = rng.usize(..=n);
            ls.insert(j, ls[i].clone());
            format!("copy line {} before line {}", i + 1, j + 1)
        }
        2 if n > 1 => {
            let i = rng.usize(..n);
            let line = ls.remove(i);
            let j = rng.usize(..=ls.len());
            ls.insert(j, line);
            format!("move line {} to {}", i + 1, j + 1)
        }
        3 if n > 1 => {
            let i = rng.usize(..n);
            let end = (i + 2 + rng.usize(..8)).min(n);
            rng.shuffle(&mut ls[i..end]);
            format!("shuffle lines {}..{}", i + 1, end)
        }
        4 => {
            let bytes = &mut files.0[f].1;
            let token = TOKENS[rng.usize(..TOKENS.len())];
            let at = boundary(rng, bytes);
            bytes.splice(at..at, token.bytes());
            return format!("{name}: insert {token:?} at byte {at}");
        }
        5 if !files.0[f].1.is_empty() => {
            let bytes = &mut files.0[f].1;
            let at = boundary(rng, bytes);
            let len = 1 + rng.usize(..16);
            let end = boundary(rng, &bytes[at..(at + len).min(bytes.len())]);
            bytes.drain(at..at + end);
            return format!("{name}: delete {end} bytes at byte {at}");
        }
        6 => {
            // A token of a line dropped: a key, a `=`, a value, a bracket.
            if n == 0 {
                return format!("{name}: (empty)");
            }
            let i = rng.usize(..n);
            let text = String::from_utf8_lossy(&ls[i]).into_owned();
            let mut words: Vec<&str> = text.split(' ').collect();
            let w = rng.usize(..words.len());
            words.remove(w);
            ls[i] = words.join(" ").into_bytes();
            format!("drop word {} of line {}", w + 1, i + 1)
        }
        7 => {
            // A string replaced by another from anywhere in the project:
            // links rewired, ids duplicated, enum values swapped.
            let all = strings(files);
            let bytes = &mut files.0[f].1;
            let here: Vec<(usize, usize)> = {
                let quotes: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'"').collect();
                quotes.chunks_exact(2).map(|p| (p[0], p[1])).collect()
            };
            if all.is_empty() || here.is_empty() {
                return format!("{name}: (no string)");
            }
            let (a, b) = here[rng.usize(..here.len())];
            let with = all[rng.usize(..all.len())].clone();
            let text = String::from_utf8_lossy(&with).into_owned();
            bytes.splice(a..=b, with);
            return format!("{name}: string at byte {a} becomes {text}");
        }
        8 => {
            // A line from another file.
            let g = rng.usize(..files.0.len());
            let from = lines(&files.0[g].1);
            if from.is_empty() {
                return format!("{name}: (empty source)");
            }
            let i = rng.usize(..from.len());
            let j = rng.usize(..=n);
            ls.insert(j, from[i].clone());
            format!(
                "line {} of {} inserted at line {}",
                i + 1,
                files.0[g].0,
                j + 1
            )
        }
        9 => {
            let bytes = &mut files.0[f].1;
            let at = boundary(rng, bytes);
            bytes.truncate(at);
            return format!("{name}: cut at byte {at}");
        }
        10 if f > 0 && rng.bool() => {
            files.0.remove(f);
            return format!("{name}: removed");
        }
        10 if f > 0 => {
            let copy = (
                format!("copy-{}", name.replace('/', "-")),
                files.0[f].1.clone(),
            );
            files.0.push(copy);
            return format!("{name}: copied");
        }
        11 => {
            let bytes = &mut files.0[f].1;
            let raw = RAW[rng.usize(..RAW.len())];
            let at = rng.usize(..=bytes.len());
            bytes.splice(at..at, raw.iter().copied());
            return format!("{name}: insert bytes {raw:?} at byte {at}");
        }
        _ => {
            // A whole table header or array-of-tables block duplicated.
            let heads: Vec<usize> = (0..n).filter(|&i| ls[i].starts_with(b"[")).collect();
            if heads.is_empty() {
                return format!("{name}: (no table)");
            }
            let h = rng.usize(..heads.len());
            let start = heads[h];
            let end = heads.get(h + 1).copied().unwrap_or(n);
            let block: Vec<Vec<u8>> = ls[start..end].to_vec();
            let j = rng.usize(..=n);
            ls.splice(j..j, block);
            format!("table at line {} copied to line {}", start + 1, j + 1)
        }
    };
    files.0[f].1 = ls.concat();
    format!("{name}: {what}")
}

/// Every `"PREFIX-123"`-like id in a line, as (start, end) of the text
/// between the quotes.
fn ids_in(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let quotes: Vec<usize> = line.match_indices('"').map(|(i, _)| i).collect();
    for pair in quotes.chunks_exact(2) {
        let text = &line[pair[0] + 1..pair[1]];
        let looks_like_id = text.contains('-')
            && text.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && text.chars().last().is_some_and(|c| c.is_ascii_digit())
            && !text.contains(' ');
        if looks_like_id {
            out.push((pair[0] + 1, pair[1]));
        }
    }
    out
}

/// One edit that keeps the files valid TOML most of the time, so that the
/// project often still loads and the rules see it: a field or a whole item
/// dropped, a link rewired to another item, an item moved to another file,
/// a file removed, a date changed.
fn tidy_edit(rng: &mut fastrand::Rng, files: &mut Files) -> String {
    let f = 1 + rng.usize(..files.0.len() - 1);
    let name = files.0[f].0.clone();
    let text = String::from_utf8_lossy(&files.0[f].1).into_owned();
    let mut ls: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let n = ls.len();
    let pick = |rng: &mut fastrand::Rng, ok: &dyn Fn(&str) -> bool| -> Option<usize> {
        let fit: Vec<usize> = (0..n).filter(|&i| ok(&ls[i])).collect();
        (!fit.is_empty()).then(|| fit[rng.usize(..fit.len())])
    };
    let what = match rng.u8(..6) {
        0 => {
            let field = |l: &str| {
                let l = l.trim_end();
                l.starts_with(|c: char| c.is_ascii_lowercase())
                    && !l.starts_with("id ")
                    && l.contains(" = ")
                    && !l.ends_with('[')
                    && !l.ends_with("\"\"\"")
            };
            let Some(i) = pick(rng, &field) else {
                return format!("{name}: (no field)");
            };
            let line = ls.remove(i);
            format!("field dropped: {}", line.trim_end())
        }
        1 if files.0.len() > 2 => {
            files.0.remove(f);
            return format!("{name}: removed");
        }
        2 => {
            let Some(i) = pick(rng, &|l: &str| ids_in(l).len() > 1) else {
                return format!("{name}: (no list of links)");
            };
            let (a, b) = ids_in(&ls[i])[rng.usize(..ids_in(&ls[i]).len())];
            // The id with its quotes and the separator after or before it.
            let line = &ls[i];
            let (a, b) = if line[b + 1..].starts_with(", ") {
                (a - 1, b + 3)
            } else if line[..a - 1].ends_with(", ") {
                (a - 3, b + 1)
            } else {
                return format!("{name}: (no list on line {})", i + 1);
            };
            let dropped = ls[i][a..b].to_owned();
            ls[i].replace_range(a..b, "");
            format!("link {dropped} dropped from line {}", i + 1)
        }
        3 => {
            let link = |l: &str| !l.starts_with("id ") && !ids_in(l).is_empty();
            let Some(i) = pick(rng, &link) else {
                return format!("{name}: (no link)");
            };
            let spots = ids_in(&ls[i]);
            let (a, b) = spots[rng.usize(..spots.len())];
            let old = ls[i][a..b].to_owned();
            let prefix = &old[..old.rfind('-').unwrap() + 1];
            let mut same: Vec<String> = Vec::new();
            for (_, bytes) in &files.0 {
                for l in String::from_utf8_lossy(bytes).lines() {
                    if let Some(id) = l.strip_prefix("id = \"").and_then(|r| r.strip_suffix('"'))
                        && id.starts_with(prefix)
                    {
                        same.push(id.to_owned());
                    }
                }
            }
            if same.is_empty() {
                return format!("{name}: (nothing to link {old} to)");
            }
            let new = same[rng.usize(..same.len())].clone();
            ls[i].replace_range(a..b, &new);
            format!("link {old} on line {} now names {new}", i + 1)
        }
        4 => {
            let heads: Vec<usize> = (0..n).filter(|&i| ls[i].starts_with("[[")).collect();
            if heads.is_empty() {
                return format!("{name}: (no item)");
            }
            let h = rng.usize(..heads.len());
            let end = heads.get(h + 1).copied().unwrap_or(n);
            let block: String = ls.drain(heads[h]..end).collect();
            let g = 1 + rng.usize(..files.0.len() - 1);
            files.0[f].1 = ls.concat().into_bytes();
            let to = files.0[g].0.clone();
            files.0[g].1.extend_from_slice(b"\n");
            files.0[g].1.extend_from_slice(block.as_bytes());
            return format!("{name}: item at line {} moved to {to}", heads[h] + 1);
        }
        _ => {
            let dated = |l: &str| l.contains(" = 20") && l.trim_end().len() >= 10;
            let Some(i) = pick(rng, &dated) else {
                return format!("{name}: (no date)");
            };
            let at = ls[i].find(" = 20").unwrap() + 3;
            if !ls[i][at..].starts_with(|c: char| c.is_ascii_digit())
                || ls[i].len() < at + 10
                || &ls[i][at + 4..at + 5] != "-"
            {
                return format!("{name}: (no date on line {})", i + 1);
            }
            let date = format!(
                "{}-{:02}-{:02}",
                2020 + rng.u32(..8),
                1 + rng.u32(..12),
                1 + rng.u32(..28)
            );
            ls[i].replace_range(at..at + 10, &date);
            format!("date on line {} now {date}", i + 1)
        }
    };
    files.0[f].1 = ls.concat().into_bytes();
    format!("{name}: {what}")
}

/// The exit code `check` gives, from the pipeline in-process, rendering
/// what `check` renders; on a thread of its own, so that a case that runs
/// past `limit` fails rather than hangs. A panic comes back as its message.
fn check_in_process(dir: &Path, limit: Duration) -> Result<i32, String> {
    let dir = dir.to_path_buf();
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let code = match app::run_pipeline(&dir) {
            Ok(checked) => {
                let (project, profile) = (&checked.loaded.project, &checked.loaded.profile);
                let text = output::check_text(
                    project,
                    profile,
                    &checked.result,
                    needtrail::lang::Lang::En,
                );
                let json = output::check_json(
                    project,
                    profile,
                    &checked.result,
                    needtrail::lang::Lang::En,
                );
                assert!(!text.is_empty() && !json.is_empty());
                FailOn::Error.outcome(&checked.result).exit_code()
            }
            Err(e) => {
                assert!(!e.diagnostics.is_empty(), "input refused without a message");
                let text = diag::render_text(&e.diagnostics, &e.sources);
                assert!(!text.is_empty());
                let _ = diag::render_json(&e.diagnostics);
                app::EXIT_INPUT
            }
        };
        let _ = tx.send(code);
    });
    match rx.recv_timeout(limit) {
        Ok(code) => Ok(code),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("still running after {limit:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let p = worker
                .join()
                .expect_err("the check ended without an exit code");
            Err(format!(
                "panicked: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "(no message)".into())
            ))
        }
    }
}

/// One generated case: what was done to which project.
struct Case<'a> {
    work: &'a Path,
    seed: u64,
    number: u64,
    files: Files,
    edits: Vec<String>,
}

impl Case<'_> {
    /// Keeps the project and fails with what was done to it.
    fn fail(&self, why: &str) -> ! {
        let kept: PathBuf = self.work.join(format!("failed-{}", self.number));
        self.files.write(&kept);
        panic!(
            "case {} (seed {:#x}): {why}\nedits:\n  {}\nproject kept in {}",
            self.number,
            self.seed,
            self.edits.join("\n  "),
            kept.display()
        )
    }
}

fn env_u64(names: &[&str]) -> Option<u64> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .map(|v| v.trim().parse().expect("a whole number"))
}

#[test]
fn random_edits_of_the_samples_end_in_exit_0_1_or_2() {
    let cases = env_u64(&["NEEDTRAIL_PROPERTY_CASES", "PROPTEST_CASES"]).unwrap_or(DEFAULT_CASES);
    let seed = env_u64(&["NEEDTRAIL_PROPERTY_SEED"]).unwrap_or(0x6e65_6564_7472_6169);
    let sources: Vec<Files> = [
        sample("doors-zh"),
        sample("auto-parts-en"),
        fixture("custom-kind"),
        fixture("broken"),
    ]
    .iter()
    .map(|p| Files::read(p))
    .collect();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("property-{seed:x}"));
    let mut codes = [0u64; 3];
    let started = Instant::now();
    for case in 0..cases {
        let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(case));
        let mut files = sources[rng.usize(..sources.len())].clone();
        // Half the cases are tidy edits, half are any edit at all.
        let tidy = case % 2 == 0;
        let edits: Vec<String> = (0..1 + rng.usize(..4))
            .map(|_| {
                if tidy {
                    tidy_edit(&mut rng, &mut files)
                } else {
                    mutate(&mut rng, &mut files)
                }
            })
            .collect();
        let c = Case {
            work: &work,
            seed,
            number: case,
            files,
            edits,
        };
        let dir = work.join("case");
        c.files.write(&dir);

        let code = check_in_process(&dir, CASE_LIMIT).unwrap_or_else(|why| c.fail(&why));
        codes[code as usize] += 1;

        if case % BINARY_EVERY == 0 {
            let out = needtrail()
                .arg("check")
                .arg(&dir)
                .timeout(CASE_LIMIT)
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(code) {
                c.fail(&format!(
                    "the binary ended with {} where the pipeline gave exit code {code}\nstderr:\n{stderr}",
                    out.status
                ));
            }
            if code == app::EXIT_INPUT && stderr.trim().is_empty() {
                c.fail("exit code 2 without a message");
            }
        }
    }
    eprintln!(
        "{cases} random edits in {:?}: {} exit 0, {} exit 1, {} exit 2",
        started.elapsed(),
        codes[0],
        codes[1],
        codes[2]
    );
    // The edits must reach both sides: some projects still load, some not.
    if cases >= 100 {
        assert!(
            codes[0] + codes[1] > 0,
            "no edited project loaded: {codes:?}"
        );
        assert!(codes[2] > 0, "no edited project was refused: {codes:?}");
    }
}
