//! Contract review sign-off, stamps and suspect links, change impact, and the
//! safety of the only edits needtrail makes to the user's files.
//!
//! Every test works on a copy of a bundled sample (never on the sample
//! itself) and passes `--date`, so nothing depends on the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

// ---------------------------------------------------------------------------
// Helpers

/// A fresh copy of the doors-zh sample.
fn doors() -> tempfile::TempDir {
    copy_tree(&sample("doors-zh"))
}

fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Replaces the one occurrence of `from` in a file of the project.
fn replace_once(dir: &Path, rel: &str, from: &str, to: &str) {
    let text = read(dir, rel);
    assert_eq!(
        text.matches(from).count(),
        1,
        "{rel} should hold exactly one {from:?}"
    );
    fs::write(dir.join(rel), text.replacen(from, to, 1)).unwrap();
}

/// Decides what the contract review REV-002 of doors-zh left open: REQ-011
/// (added by change CHG-001, never reviewed) gets a decision in REV-002, and
/// REQ-012 goes from `clarify` to `accepted`.
fn decide_open_requirements(dir: &Path) {
    decide_req_011(dir);
    accept_req_012(dir);
}

/// Adds a `[[review.decision]]` on REQ-011 after the last decision of REV-002
/// (CHG-001 follows it).
fn decide_req_011(dir: &Path) {
    replace_once(
        dir,
        "contracts/contract-review.toml",
        "note = \"7#楼为临街住宅,需单独送检隔声性能\"\nowner = \"质量部 张红\"\n",
        "note = \"7#楼为临街住宅,需单独送检隔声性能\"\nowner = \"质量部 张红\"\n\n\
         [[review.decision]]\n\
         requirement = \"REQ-011\"\n\
         verdict = \"accepted\"\n\
         note = \"设计变更 JNZY-BG-2024-03 补充评审\"\n",
    );
}

/// Turns REV-002's `clarify` on REQ-012 into `accepted`.
fn accept_req_012(dir: &Path) {
    replace_once(
        dir,
        "contracts/contract-review.toml",
        "verdict = \"clarify\"\nnote = \"限位开启宽度待甲方设计院书面确认\"",
        "verdict = \"accepted\"\nnote = \"甲方设计院书面确认:限位开启宽度 100 mm\"",
    );
}

fn args(list: &[&str], dir: &Path) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = list.iter().map(Into::into).collect();
    v.push(dir.as_os_str().to_owned());
    v
}

/// The arguments of `review sign REVIEW --by … --date DATE`.
fn sign_args<'a>(review: &'a str, date: &'a str) -> [&'a str; 7] {
    [
        "review",
        "sign",
        review,
        "--by",
        "质量部 张红",
        "--date",
        date,
    ]
}

/// `review sign REVIEW --by … --date DATE DIR`, which must succeed.
fn sign(dir: &Path, review: &str, date: &str) -> Run {
    let r = run(args(&sign_args(review, date), dir));
    assert_eq!(
        r.code, 0,
        "signing {review} failed:\n{}{}",
        r.stdout, r.stderr
    );
    r
}

/// `stamp ID DIR` or `stamp --all DIR`, which must succeed.
fn stamp(dir: &Path, what: &str) -> Run {
    let r = run(args(&["stamp", what], dir));
    assert_eq!(r.code, 0, "stamp {what} failed:\n{}{}", r.stdout, r.stderr);
    r
}

/// `check --format json`, which must have loaded the project (exit 0 or 1,
/// not 2: a reformatted or edited file that no longer loads fails here).
fn checked(dir: &Path) -> Value {
    let (code, json) = check_json(dir);
    assert!(code == 0 || code == 1, "check exited with {code}: {json}");
    json
}

/// The findings of one rule in a JSON check, as sorted `(id, message)`.
fn findings_of(json: &Value, rule: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The ids one rule reports.
fn ids_of(json: &Value, rule: &str) -> Vec<String> {
    findings_of(json, rule)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// `review status --format json`: the entry of one review.
fn review_entry(dir: &Path, review: &str) -> Value {
    let r = run(args(&["review", "status", "--format", "json"], dir));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["reviews"].as_array().unwrap().iter())
        .find(|rv| rv["id"] == review)
        .unwrap_or_else(|| panic!("review status lists no {review}"))
        .clone()
}

/// Lines (with their line ends) not starting with any of `prefixes`.
fn without_lines(text: &str, prefixes: &[&str]) -> String {
    text.split_inclusive('\n')
        .filter(|l| !prefixes.iter().any(|p| l.starts_with(p)))
        .collect()
}

/// Asserts that `after` is `before` with lines starting with `prefixes`
/// inserted and nothing else changed, byte for byte. Returns those lines.
fn assert_only_added<'a>(
    before: &str,
    after: &'a str,
    prefixes: &[&str],
    what: &str,
) -> Vec<&'a str> {
    assert!(
        before
            .lines()
            .all(|l| !prefixes.iter().any(|p| l.starts_with(p))),
        "{what}: the original already has such lines; the comparison would prove nothing"
    );
    assert_eq!(
        without_lines(after, prefixes),
        before,
        "{what}: something besides the {prefixes:?} lines changed"
    );
    let added: Vec<&str> = after
        .lines()
        .filter(|l| prefixes.iter().any(|p| l.starts_with(p)))
        .collect();
    assert!(!added.is_empty(), "{what}: nothing was added");
    added
}

/// A `key = value` line (not blank, a comment or a table header).
fn is_key_value(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#') && !t.starts_with('[')
}

fn is_hex16(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

const SIGNOFF: [&str; 4] = [
    "signed_by = ",
    "signed_on = ",
    "signed_decisions = ",
    "signed_fingerprints.",
];

/// The sign-off lines of a review sit at the end of the review's own
/// key/values (stamps aside), right before its first `[[review.decision]]`,
/// and nowhere else.
fn assert_signoff_placed(text: &str, review: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == format!("id = \"{review}\""))
        .unwrap_or_else(|| panic!("no `id = \"{review}\"` line"));
    assert_eq!(lines[start - 1], "[[review]]");
    let end = start
        + lines[start..]
            .iter()
            .take_while(|l| is_key_value(l))
            .count();
    // Stamps (also written by needtrail) may sit among them: a review
    // stamped after it was signed and then signed again has its
    // `signed_fingerprints` after its `stamped` lines.
    let own: Vec<&str> = lines[start..end]
        .iter()
        .filter(|l| !l.starts_with("stamped."))
        .copied()
        .collect();
    let is_signoff = |l: &&&str| SIGNOFF.iter().any(|p| l.starts_with(p));
    let k = own.iter().filter(is_signoff).count();
    assert!(k >= 4, "no sign-off among {review}'s keys: {own:#?}");
    assert!(
        !own[..own.len() - k].iter().any(|l| is_signoff(&l)),
        "the sign-off is not the tail of {review}'s keys: {own:#?}"
    );
    assert_eq!(
        lines.iter().filter(is_signoff).count(),
        k,
        "sign-off lines outside the table of {review}"
    );
    let tail = &own[own.len() - k..];
    assert!(tail[0].starts_with("signed_by = "), "{tail:#?}");
    assert!(tail[1].starts_with("signed_on = "), "{tail:#?}");
    assert!(tail[2].starts_with("signed_decisions = "), "{tail:#?}");
    assert!(
        tail[3..]
            .iter()
            .all(|l| l.starts_with("signed_fingerprints."))
    );
    let next = lines[end..].iter().find(|l| !l.trim().is_empty());
    assert_eq!(
        next,
        Some(&"[[review.decision]]"),
        "the sign-off of {review} is not followed by its decisions"
    );
}

/// Every block of `stamped.` lines closes the key/values of a top-level item
/// table (`[[kind]]`, not a sub-item such as `[[review.decision]]`).
fn assert_stamps_placed(text: &str, rel: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let mut header: Option<&str> = None;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with('[') {
            header = Some(l);
        }
        if !l.starts_with("stamped.") {
            i += 1;
            continue;
        }
        let h = header.unwrap_or_else(|| panic!("{rel}:{}: stamp before any table", i + 1));
        assert!(
            h.starts_with("[[") && !h.contains('.'),
            "{rel}:{}: stamp in {h}",
            i + 1
        );
        assert!(
            is_key_value(lines[i - 1]),
            "{rel}:{}: stamp does not follow the item's key/values",
            i + 1
        );
        let j = i + lines[i..]
            .iter()
            .take_while(|l| l.starts_with("stamped."))
            .count();
        assert!(
            j == lines.len() || !is_key_value(lines[j]),
            "{rel}:{}: a key of the item follows its stamp",
            j + 1
        );
        i = j;
    }
}

/// The keys (ids) and values of the `prefix` lines in the table of item `id`.
fn dotted_in_table(text: &str, id: &str, prefix: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == format!("id = \"{id}\""))
        .unwrap_or_else(|| panic!("no `id = \"{id}\"` line"));
    lines[start..]
        .iter()
        .take_while(|l| is_key_value(l))
        .filter_map(|l| l.strip_prefix(prefix))
        .map(|l| {
            let (k, v) = l.split_once(" = ").expect("key = value");
            (k.to_owned(), v.trim_matches('"').to_owned())
        })
        .collect()
}

/// doors-zh with REV-002's open requirements decided, both reviews signed
/// (REV-001 on 2024-03-20, REV-002 on 2024-05-16), and every item stamped.
fn signed_and_stamped() -> tempfile::TempDir {
    let dir = doors();
    decide_open_requirements(dir.path());
    sign(dir.path(), "REV-001", "2024-03-20");
    sign(dir.path(), "REV-002", "2024-05-16");
    stamp(dir.path(), "--all");
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "signoff-broken"), Vec::<String>::new());
    assert_eq!(ids_of(&json, "suspect-link"), Vec::<String>::new());
    assert_eq!(review_entry(dir.path(), "REV-001")["signoff"], "valid");
    assert_eq!(review_entry(dir.path(), "REV-002")["signoff"], "valid");
    dir
}

/// Every item file of a project (not `needtrail.toml`), relative paths.
fn item_files(dir: &Path) -> Vec<String> {
    snapshot_tree(dir)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != "needtrail.toml")
        .collect()
}

/// The same TOML written differently: tables and keys indented, double
/// quotes turned into single (literal) quotes where the line has no escape
/// and no `'`, the key/values of every table in reverse order, a comment
/// after every header and every key, blank lines, and CRLF line ends.
/// The samples have no multi-line values, which this would not handle.
fn reformat(text: &str) -> String {
    assert!(!text.contains("\"\"\"") && !text.contains("'''"));
    // (header, key/values, comments) per table; the first has no header.
    let mut tables: Vec<(Option<&str>, Vec<&str>, Vec<&str>)> = vec![(None, vec![], vec![])];
    for line in text.lines() {
        let t = line.trim();
        let last = tables.last_mut().unwrap();
        if t.starts_with('[') {
            tables.push((Some(t), vec![], vec![]));
        } else if t.is_empty() || t.starts_with('#') {
            last.2.push(t);
        } else {
            assert!(t.contains(" = "), "not a one-line key/value: {t}");
            last.1.push(t);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (header, kvs, comments) in tables {
        if let Some(h) = header {
            out.push(String::new());
            out.push(format!("  {h}    # 表头后的注释"));
        }
        for kv in kvs.into_iter().rev() {
            let kv = if kv.contains('\\') || kv.contains('\'') {
                kv.to_owned()
            } else {
                kv.replace('"', "'")
            };
            out.push(format!("      {kv}"));
            out.push("    # a comment between two keys".to_owned());
            out.push(String::new());
        }
        out.extend(
            comments
                .into_iter()
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        );
    }
    out.join("\r\n") + "\r\n"
}

// ---------------------------------------------------------------------------
// 1 and 3: signing refuses while anything is open; once decided it signs.

#[test]
fn signing_refuses_while_requirements_are_open_and_succeeds_once_decided() {
    let dir = doors();
    let before = snapshot_tree(dir.path());

    let r = run(args(&sign_args("REV-002", "2024-05-16"), dir.path()));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    // REQ-011 has no decision at all; REQ-012's latest decision is `clarify`.
    assert!(said.contains("REQ-011"), "{said}");
    assert!(said.contains("REQ-012"), "{said}");
    assert_eq!(
        snapshot_tree(dir.path()),
        before,
        "a refused sign-off wrote"
    );
    assert_eq!(review_entry(dir.path(), "REV-002")["signoff"], "unsigned");

    // With REQ-011 decided, the open clarification alone still stops it.
    decide_req_011(dir.path());
    let decided = snapshot_tree(dir.path());
    let r = run(args(&sign_args("REV-002", "2024-05-16"), dir.path()));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("REQ-012"), "{said}");
    assert!(!said.contains("REQ-011"), "{said}");
    assert_eq!(
        snapshot_tree(dir.path()),
        decided,
        "a refused sign-off wrote"
    );

    accept_req_012(dir.path());
    let r = sign(dir.path(), "REV-002", "2024-05-16");
    assert!(r.stdout.contains("REV-002"), "{}", r.stdout);

    let rev = review_entry(dir.path(), "REV-002");
    assert_eq!(rev["signoff"], "valid");
    assert_eq!(rev["signed_by"], "质量部 张红");
    assert_eq!(rev["signed_on"], "2024-05-16");
    assert_eq!(rev["changed"], serde_json::json!([]));
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "signoff-broken"), Vec::<String>::new());
    // The decisions closed the two gaps the sample documents for them.
    assert!(!ids_of(&json, "requirement-reviewed").contains(&"REQ-011".to_owned()));
    assert!(!ids_of(&json, "requirement-clarify-open").contains(&"REQ-012".to_owned()));
}

// ---------------------------------------------------------------------------
// 2: the edits add their lines and change no other byte.

#[test]
fn signing_adds_only_the_signoff_lines_after_the_reviews_own_keys() {
    let dir = doors();
    decide_open_requirements(dir.path());
    let before_tree = snapshot_tree(dir.path());
    let before = read(dir.path(), "contracts/contract-review.toml");
    sign(dir.path(), "REV-002", "2024-05-16");
    let after = read(dir.path(), "contracts/contract-review.toml");

    let added = assert_only_added(&before, &after, &SIGNOFF, "contract-review.toml");
    assert_eq!(added[0], "signed_by = \"质量部 张红\"");
    assert_eq!(added[1], "signed_on = 2024-05-16");
    // One fingerprint per requirement REV-002 decides, in id order: REQ-005
    // (a tender requirement whose clarification REV-002 closed) and every
    // requirement of CON-002, REQ-011 included now.
    let fingerprints = dotted_in_table(&after, "REV-002", "signed_fingerprints.");
    let ids: Vec<&str> = fingerprints.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        ids,
        [
            "REQ-005", "REQ-008", "REQ-009", "REQ-010", "REQ-011", "REQ-012", "REQ-013", "REQ-014",
            "REQ-015", "REQ-016", "REQ-017", "REQ-018", "REQ-019"
        ]
    );
    assert!(
        fingerprints.iter().all(|(_, v)| is_hex16(v)),
        "{fingerprints:?}"
    );
    assert_eq!(added.len(), 3 + ids.len());
    assert_signoff_placed(&after, "REV-002");

    // No other file was touched.
    let mut expected = before_tree;
    expected.insert(
        dir.path().join("contracts/contract-review.toml"),
        after.clone().into_bytes(),
    );
    assert_eq!(snapshot_tree(dir.path()), expected);

    // The same for REV-001 in tender.toml, which was signable as shipped.
    let before = read(dir.path(), "contracts/tender.toml");
    sign(dir.path(), "REV-001", "2024-03-20");
    let after = read(dir.path(), "contracts/tender.toml");
    let added = assert_only_added(&before, &after, &SIGNOFF, "tender.toml");
    assert_eq!(added.len(), 3 + 7, "REV-001 decides REQ-001 to REQ-007");
    assert_signoff_placed(&after, "REV-001");
}

#[test]
fn stamping_adds_only_stamped_lines_and_restamping_changes_nothing() {
    let dir = doors();
    let before = snapshot_tree(dir.path());
    stamp(dir.path(), "--all");
    let after = snapshot_tree(dir.path());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "files were added or removed"
    );
    let mut changed = Vec::new();
    for (path, old) in &before {
        let new = &after[path];
        if new == old {
            continue;
        }
        let rel = path.strip_prefix(dir.path()).unwrap().display().to_string();
        let (old, new) = (
            std::str::from_utf8(old).unwrap(),
            std::str::from_utf8(new).unwrap(),
        );
        assert_only_added(old, new, &["stamped."], &rel);
        assert_stamps_placed(new, &rel);
        changed.push(rel);
    }
    assert!(
        changed.contains(&"design/inputs.toml".to_owned()),
        "{changed:?}"
    );
    assert!(
        !changed
            .iter()
            .any(|f| f.ends_with("needtrail.toml") || f.ends_with(".md"))
    );

    // DI-002 traces REQ-002, REQ-003 and REQ-013: one stamp each, in order.
    let inputs = read(dir.path(), "design/inputs.toml");
    let di002 = dotted_in_table(&inputs, "DI-002", "stamped.");
    assert_eq!(
        di002.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["REQ-002", "REQ-003", "REQ-013"]
    );
    assert!(di002.iter().all(|(_, v)| is_hex16(v)));
    // DI-011 links to nothing, so it has nothing to be stamped against.
    assert!(dotted_in_table(&inputs, "DI-011", "stamped.").is_empty());

    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "suspect-link"), Vec::<String>::new());

    // Stamping again when nothing changed upstream writes the same bytes.
    stamp(dir.path(), "--all");
    assert_eq!(snapshot_tree(dir.path()), after);
}

// ---------------------------------------------------------------------------
// 4 and 5: what breaks a sign-off and makes links suspect, what does not,
// and how each is cleared.

#[test]
fn editing_a_requirements_text_breaks_its_signoff_and_makes_its_links_suspect() {
    let dir = signed_and_stamped();
    let contract_signed = read(dir.path(), "contracts/contract-review.toml");

    replace_once(
        dir.path(),
        "requirements/legal.toml",
        "text = \"外窗、阳台门的三性等级以具备资质的检测机构按 GB/T 7106 出具的报告为准。\"",
        "text = \"外窗、阳台门的三性等级以 CMA 资质检测机构按 GB/T 7106 出具的报告为准。\"",
    );
    let json = checked(dir.path());

    // REV-002 signed REQ-013; REV-001 did not, and still holds.
    let broken = findings_of(&json, "signoff-broken");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].0, "REV-002");
    assert!(broken[0].1.contains("REQ-013"), "{}", broken[0].1);
    let rev = review_entry(dir.path(), "REV-002");
    assert_eq!(rev["signoff"], "broken");
    assert_eq!(rev["changed"], serde_json::json!(["REQ-013"]));
    assert_eq!(review_entry(dir.path(), "REV-001")["signoff"], "valid");

    // The items whose own links name REQ-013 (from the sample files):
    //   DI-002   traces = ["REQ-002", "REQ-003", "REQ-013"]   design/inputs.toml
    //   DI-003   traces = ["REQ-004", "REQ-013"]              design/inputs.toml
    //   DI-004   traces = ["REQ-004", "REQ-013"]              design/inputs.toml
    //   OBJ-001  traces = ["CUS-001", "REQ-013", "REQ-015"]   quality/objectives.toml
    //   VAL-001  validates = [..., "REQ-013", ...]            verification/site-validation.toml
    // Not the decision REV-002#6 on REQ-013: sub-items are not stamped.
    // Not DO-001, VER-001 and the rest further down: they rest on DI-002 etc.,
    // whose own fingerprints did not change.
    let suspect = findings_of(&json, "suspect-link");
    assert_eq!(
        suspect
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["DI-002", "DI-003", "DI-004", "OBJ-001", "VAL-001"]
    );
    for (id, message) in &suspect {
        assert!(message.contains("REQ-013"), "{id}: {message}");
    }

    // 5: re-examined and re-stamped, DI-002 is no longer suspect.
    stamp(dir.path(), "DI-002");
    let json = checked(dir.path());
    assert_eq!(
        ids_of(&json, "suspect-link"),
        ["DI-003", "DI-004", "OBJ-001", "VAL-001"]
    );
    for id in ["DI-003", "DI-004", "OBJ-001", "VAL-001"] {
        stamp(dir.path(), id);
    }
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "suspect-link"), Vec::<String>::new());
    assert_eq!(ids_of(&json, "signoff-broken"), ["REV-002"]);

    // Signing REV-002 again records the new fingerprint, in place.
    sign(dir.path(), "REV-002", "2024-06-03");
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "signoff-broken"), Vec::<String>::new());
    let rev = review_entry(dir.path(), "REV-002");
    assert_eq!(rev["signoff"], "valid");
    assert_eq!(rev["signed_on"], "2024-06-03");
    let resigned = read(dir.path(), "contracts/contract-review.toml");
    assert_eq!(
        without_lines(&resigned, &SIGNOFF),
        without_lines(&contract_signed, &SIGNOFF)
    );
    assert_signoff_placed(&resigned, "REV-002");
    let old = dotted_in_table(&contract_signed, "REV-002", "signed_fingerprints.");
    let new = dotted_in_table(&resigned, "REV-002", "signed_fingerprints.");
    let differ: Vec<&str> = old
        .iter()
        .zip(&new)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert_eq!(old.len(), new.len());
    assert_eq!(differ, ["REQ-013"], "only REQ-013's fingerprint changes");
}

#[test]
fn editing_a_requirements_title_breaks_its_signoff_and_makes_its_links_suspect() {
    let dir = signed_and_stamped();
    replace_once(
        dir.path(),
        "contracts/tender.toml",
        "title = \"外窗及阳台推拉门抗风压性能不低于5级\"",
        "title = \"外窗及阳台推拉门抗风压性能不低于6级\"",
    );
    let json = checked(dir.path());
    let broken = findings_of(&json, "signoff-broken");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].0, "REV-001", "REV-001 decided and signed REQ-004");
    assert!(broken[0].1.contains("REQ-004"), "{}", broken[0].1);
    assert_eq!(review_entry(dir.path(), "REV-002")["signoff"], "valid");
    // DI-003 and DI-004 trace REQ-004; nothing else names it in a link
    // (its decision REV-001#4 is a sub-item, not stamped).
    assert_eq!(ids_of(&json, "suspect-link"), ["DI-003", "DI-004"]);

    stamp(dir.path(), "DI-004");
    sign(dir.path(), "REV-001", "2024-03-25");
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "suspect-link"), ["DI-003"]);
    assert_eq!(ids_of(&json, "signoff-broken"), Vec::<String>::new());
}

#[test]
fn reformatting_files_or_changing_an_owner_breaks_nothing() {
    let dir = signed_and_stamped();
    let json = checked(dir.path());
    let baseline = finding_set(&json);

    // `owner` is not part of a requirement's fingerprint. REQ-001 is signed
    // by REV-001 and traced by DI-001.
    replace_once(
        dir.path(),
        "contracts/tender.toml",
        "owner = \"技术部\"",
        "owner = \"技术部 陈志远\"",
    );
    let json = checked(dir.path());
    assert_eq!(
        finding_set(&json),
        baseline,
        "changing an owner changed the findings"
    );

    // Every item file re-indented, re-quoted, its keys reordered, commented,
    // spaced out and given CRLF line ends: the sign-off lines and the stamps
    // themselves included.
    for rel in item_files(dir.path()) {
        let old = read(dir.path(), &rel);
        let new = reformat(&old);
        assert_ne!(old, new);
        fs::write(dir.path().join(&rel), new).unwrap();
    }
    let legal = read(dir.path(), "requirements/legal.toml");
    assert!(
        legal.contains("\r\n") && legal.contains("'REQ-013'"),
        "{legal}"
    );
    assert!(legal.contains("  [[requirement]]    # 表头后的注释"));

    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "signoff-broken"), Vec::<String>::new());
    assert_eq!(ids_of(&json, "suspect-link"), Vec::<String>::new());
    assert_eq!(
        finding_set(&json),
        baseline,
        "reformatting changed the findings"
    );
    assert_eq!(review_entry(dir.path(), "REV-001")["signoff"], "valid");
    assert_eq!(review_entry(dir.path(), "REV-002")["signoff"], "valid");

    // The reformatted files can still be edited: a real edit is still seen.
    replace_once(
        dir.path(),
        "requirements/legal.toml",
        "title = '外门窗气密、水密、抗风压性能按国家标准检测并分级'",
        "title = '外门窗三性按国家标准检测并分级'",
    );
    let json = checked(dir.path());
    assert_eq!(ids_of(&json, "signoff-broken"), ["REV-002"]);
    assert_eq!(
        ids_of(&json, "suspect-link"),
        ["DI-002", "DI-003", "DI-004", "OBJ-001", "VAL-001"]
    );
}

// ---------------------------------------------------------------------------
// 6: impact

#[test]
fn impact_lists_everything_downstream_of_a_requirement() {
    let dir = doors();
    let r = run(args(&["impact", "REQ-013", "--format", "json"], dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tree = r.json();

    // Derived by hand from doors-zh: each id with its kind and the items it
    // links to on the way from REQ-013 (any of them may be its parent).
    let expected: BTreeMap<&str, (&str, &[&str])> = BTreeMap::from([
        // Its decision REV-002#6 (contracts/contract-review.toml); a decision counts as its review.
        ("REV-002", ("review", &["REQ-013"][..])),
        // Design inputs whose `traces` name REQ-013 (design/inputs.toml).
        ("DI-002", ("design_input", &["REQ-013"][..])),
        ("DI-003", ("design_input", &["REQ-013"][..])),
        ("DI-004", ("design_input", &["REQ-013"][..])),
        // `validates` names REQ-013 (verification/site-validation.toml).
        ("VAL-001", ("validation", &["REQ-013"][..])),
        // `traces` names REQ-013 (quality/objectives.toml).
        ("OBJ-001", ("objective", &["REQ-013"][..])),
        // `satisfies` DI-001, DI-002, DI-003, DI-008, DI-010, DI-011.
        ("DO-001", ("design_output", &["DI-002", "DI-003"][..])),
        // `satisfies` DI-004.
        ("DO-002", ("design_output", &["DI-004"][..])),
        // `verifies` DI-002, DI-003.
        ("VER-001", ("verification", &["DI-002", "DI-003"][..])),
        // `verifies` DI-004 (the failed test).
        ("VER-002", ("verification", &["DI-004"][..])),
        // `delivers` DO-001, DO-003.
        ("DEL-001", ("delivery", &["DO-001"][..])),
        // `delivers` DO-001, DO-002, DO-003.
        ("DEL-002", ("delivery", &["DO-001", "DO-002"][..])),
        // `about` DEL-001, DEL-003.
        ("FB-001", ("feedback", &["DEL-001"][..])),
        // `about` DEL-002, REQ-003.
        ("FB-002", ("feedback", &["DEL-002"][..])),
        // `reviews` DI-001 to DI-010 (design/reviews.toml).
        (
            "DR-001",
            ("design_review", &["DI-002", "DI-003", "DI-004"][..]),
        ),
    ]);
    // Not there: DI-001 (traces REQ-001, REQ-015), DO-003 (satisfies DI-005,
    // DI-006), DEL-003 and VER-003..007, which reach REQ-013 by no path.

    assert_eq!(tree["id"], "REQ-013");
    assert_eq!(tree["kind"], "requirement");
    assert!(tree["title"].as_str().unwrap().contains("国家标准"));
    // (depth, id) in pre-order, and each node's parent.
    let mut order: Vec<(usize, String)> = Vec::new();
    let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    fn walk(
        node: &Value,
        depth: usize,
        order: &mut Vec<(usize, String)>,
        seen: &mut BTreeMap<String, (String, String)>,
    ) {
        let id = node["id"].as_str().unwrap().to_owned();
        order.push((depth, id.clone()));
        for c in node["children"].as_array().unwrap() {
            let cid = c["id"].as_str().unwrap().to_owned();
            let kind = c["kind"].as_str().unwrap().to_owned();
            assert!(
                seen.insert(cid.clone(), (kind, id.clone())).is_none(),
                "{cid} is listed twice"
            );
            walk(c, depth + 1, order, seen);
        }
    }
    walk(&tree, 0, &mut order, &mut seen);
    assert_eq!(
        seen.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected.keys().copied().collect::<BTreeSet<_>>()
    );
    for (id, (kind, parent)) in &seen {
        let (want_kind, parents) = expected[id.as_str()];
        assert_eq!(kind, want_kind, "kind of {id}");
        assert!(parents.contains(&parent.as_str()), "{id} under {parent}");
    }
    // Everything that links to REQ-013 itself sits right under it.
    let direct: BTreeSet<&str> = tree["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        direct,
        BTreeSet::from([
            "DI-002", "DI-003", "DI-004", "OBJ-001", "REV-002", "VAL-001"
        ])
    );

    // The text form draws the same tree: same ids, same depths, same order.
    let r = run(args(&["impact", "REQ-013"], dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let drawn: Vec<(usize, String)> = r
        .stdout
        .lines()
        .filter(|l| l.contains(" · "))
        .map(|l| {
            let prefix = l.chars().take_while(|c| "│├└─ ".contains(*c)).count();
            let rest: String = l.chars().skip(prefix).collect();
            let id = rest.split_whitespace().nth(1).unwrap().to_owned();
            (prefix / 4, id)
        })
        .collect();
    assert_eq!(drawn, order, "text:\n{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("{} items", expected.len())),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------
// 7: a file changed on disk after it was read is not overwritten.

#[test]
fn an_edit_is_not_written_over_a_file_changed_on_disk() {
    use needtrail::edit::{self, Date, EditError};

    let dir = doors();
    let loaded = needtrail::load::load(dir.path()).expect("the sample loads");
    let (project, profile) = (&loaded.project, &loaded.profile);
    let graph = needtrail::graph::TraceGraph::build(project);
    let di = project.get("DI-002").unwrap();
    let stamp_change =
        needtrail::review::stamp(project, profile, di).expect("DI-002 links upstream");
    let (rev, signoff) = needtrail::review::sign(
        project,
        profile,
        &graph,
        "REV-001",
        "质量部 张红",
        Date::parse("2024-03-20").unwrap(),
    )
    .expect("REV-001 can be signed");

    // Someone saves design/inputs.toml in an editor after needtrail read it.
    let inputs = dir.path().join("design/inputs.toml");
    let theirs = format!(
        "{}\n# 2024-06-01 陈志远:复核完毕\n",
        read(dir.path(), "design/inputs.toml")
    );
    fs::write(&inputs, &theirs).unwrap();
    let before = snapshot_tree(dir.path());

    let result = edit::apply(
        dir.path(),
        project,
        profile,
        vec![(di, vec![stamp_change.clone()])],
    );
    match &result {
        Err(EditError::ChangedOnDisk(path)) => assert_eq!(path, "design/inputs.toml"),
        other => panic!("expected ChangedOnDisk, got {other:?}"),
    }
    let message = result.unwrap_err().to_string();
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(
        fs::read_to_string(&inputs).unwrap(),
        theirs,
        "their edit was lost"
    );
    assert_eq!(snapshot_tree(dir.path()), before);

    // In one batch, the changed file stops the run before anything is written:
    // contracts/tender.toml comes first and is changed now too.
    let tender = dir.path().join("contracts/tender.toml");
    let original_tender = read(dir.path(), "contracts/tender.toml");
    let theirs_tender = original_tender.replace('\n', "\r\n");
    fs::write(&tender, &theirs_tender).unwrap();
    let before = snapshot_tree(dir.path());
    let result = edit::apply(
        dir.path(),
        project,
        profile,
        vec![(rev, signoff.clone()), (di, vec![stamp_change.clone()])],
    );
    assert!(
        matches!(&result, Err(EditError::ChangedOnDisk(p)) if p == "contracts/tender.toml"),
        "{result:?}"
    );
    assert_eq!(snapshot_tree(dir.path()), before);

    // A file removed since it was read is not created again.
    fs::remove_file(&inputs).unwrap();
    let result = edit::apply(dir.path(), project, profile, vec![(di, vec![stamp_change])]);
    assert!(result.is_err(), "{result:?}");
    assert!(!inputs.exists(), "a removed file was written back");

    // A file that still holds what was read is written: the refusals above
    // were about the changes on disk, not about the edit.
    fs::write(&tender, &original_tender).unwrap();
    let written = edit::apply(dir.path(), project, profile, vec![(rev, signoff)]).expect("writes");
    assert_eq!(written, ["contracts/tender.toml"]);
    assert!(read(dir.path(), "contracts/tender.toml").contains("signed_by = \"质量部 张红\""));
}

// ---------------------------------------------------------------------------
// 8: a write that cannot complete leaves the original intact.

/// Makes every folder of a tree read-only (0o555) until dropped.
struct ReadOnlyTree(Vec<PathBuf>);

impl ReadOnlyTree {
    fn new(root: &Path) -> ReadOnlyTree {
        use std::os::unix::fs::PermissionsExt;
        let mut dirs = vec![root.to_path_buf()];
        let mut i = 0;
        while i < dirs.len() {
            for e in fs::read_dir(&dirs[i]).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    dirs.push(e.path());
                }
            }
            i += 1;
        }
        for d in &dirs {
            fs::set_permissions(d, fs::Permissions::from_mode(0o555)).unwrap();
        }
        ReadOnlyTree(dirs)
    }
}

impl Drop for ReadOnlyTree {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for d in &self.0 {
            let _ = fs::set_permissions(d, fs::Permissions::from_mode(0o755));
        }
    }
}

/// The two writing commands, each of which must fail without writing.
fn writing_commands() -> [Vec<&'static str>; 2] {
    [
        vec!["stamp", "--all"],
        sign_args("REV-001", "2024-03-20").to_vec(),
    ]
}

fn assert_failed_cleanly(code: i32, stderr: &str, what: &str) {
    assert_eq!(code, 2, "{what}: {stderr}");
    assert!(stderr.contains("error: cannot write"), "{what}: {stderr}");
    assert!(stderr.contains("unchanged"), "{what}: {stderr}");
}

#[test]
fn a_write_that_cannot_complete_leaves_every_file_intact() {
    let dir = doors();
    let before = snapshot_tree(dir.path());

    // 1. Read-only folders: the temporary file beside the target cannot be
    // created. Root ignores folder permissions, so when the probe file can
    // be created anyway this part cannot show anything and is skipped.
    {
        let _guard = ReadOnlyTree::new(dir.path());
        let probe = dir.path().join("contracts/.needtrail-probe");
        if fs::write(&probe, b"x").is_ok() {
            let _ = fs::remove_file(&probe);
            eprintln!(
                "note: running as root (or similar): read-only folders do not stop writes; \
                 only the file-size-limit part of this test applies"
            );
        } else {
            for cmd in writing_commands() {
                let r = run(args(&cmd, dir.path()));
                assert_failed_cleanly(r.code, &r.stderr, &cmd.join(" "));
                assert_eq!(snapshot_tree(dir.path()), before, "{}", cmd.join(" "));
            }
        }
    }
    assert_eq!(snapshot_tree(dir.path()), before);

    // 2. A write that fails half-way, even for root: the temporary file is
    // created, but a file-size limit of 0 (`ulimit -f 0`, RLIMIT_FSIZE)
    // makes writing its content fail with EFBIG, as a full disk would.
    // SIGXFSZ, which would kill the process instead, is ignored in the shell
    // and stays ignored across exec. (The temporary file's name holds the
    // child's pid, so it cannot be blocked in advance.)
    for cmd in writing_commands() {
        let out = Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 0 || exit 99; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_needtrail"))
            .args(&cmd)
            .arg(dir.path())
            .output()
            .expect("sh runs");
        let code = out.status.code().expect("exited normally, not by a signal");
        if code == 99 {
            eprintln!("note: this shell cannot set a file-size limit; skipped");
            return;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_failed_cleanly(code, &stderr, &cmd.join(" "));
        // Byte-identical, and no temporary file left behind.
        assert_eq!(snapshot_tree(dir.path()), before, "{}", cmd.join(" "));
    }

    // And without the limit the same commands do write.
    stamp(dir.path(), "--all");
    assert_ne!(snapshot_tree(dir.path()), before);
}

// ---------------------------------------------------------------------------
// 9: a requirement change after the last sign-off of its contract.

#[test]
fn a_change_after_the_signoff_asks_for_the_review_again() {
    let change = |date: &str| {
        format!(
            "[[change]]\nid = \"CHG-101\"\ntitle = \"型材系列由60改为65\"\n\
             changes = [\"REQ-001\"]\ndate = {date}\n"
        )
    };
    let dir = doors();
    sign(dir.path(), "REV-001", "2024-03-20");

    // REQ-001 belongs to CON-001, whose review REV-001 was signed 2024-03-20.
    write(dir.path(), "contracts/changes.toml", &change("2024-04-02"));
    let json = checked(dir.path());
    let found = findings_of(&json, "change-after-signoff");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CHG-101");
    assert!(found[0].1.contains("REV-001"), "{}", found[0].1);
    assert!(found[0].1.contains("2024-04-02"), "{}", found[0].1);

    // Dated before the sign-off: the review already saw it.
    write(dir.path(), "contracts/changes.toml", &change("2024-03-01"));
    let json = checked(dir.path());
    assert_eq!(findings_of(&json, "change-after-signoff"), Vec::new());

    // CHG-001 (2024-08-10, REQ-011 of CON-002) counts once CON-002 is signed
    // before it, and is answered by signing the review again after it.
    decide_open_requirements(dir.path());
    sign(dir.path(), "REV-002", "2024-05-16");
    let json = checked(dir.path());
    let found = findings_of(&json, "change-after-signoff");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CHG-001");
    assert!(found[0].1.contains("REV-002"), "{}", found[0].1);
    sign(dir.path(), "REV-002", "2024-08-12");
    let json = checked(dir.path());
    assert_eq!(findings_of(&json, "change-after-signoff"), Vec::new());
}

// ---------------------------------------------------------------------------
// 10: wrong input is refused before anything is written.

#[test]
fn a_bad_date_or_a_non_review_is_refused_without_writing() {
    let dir = doors();
    let before = snapshot_tree(dir.path());
    let cases = [
        sign_args("REV-001", "2026-02-30"),
        sign_args("REV-001", "2026-13-01"),
        sign_args("REV-001", "20260208"),
        sign_args("REV-001", "2024-+3-20"),
        // A requirement, a decision inside REV-001, and no item at all.
        sign_args("REQ-001", "2024-03-20"),
        sign_args("REV-001#1", "2024-03-20"),
        sign_args("REV-999", "2024-03-20"),
    ];
    for case in cases {
        let r = run(args(&case, dir.path()));
        assert_eq!(r.code, 2, "{case:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("error"), "{case:?}: {}", r.stderr);
        assert_eq!(snapshot_tree(dir.path()), before, "{case:?} wrote");
    }
    let r = run(args(&sign_args("REV-001", "2026-02-30"), dir.path()));
    assert!(r.stderr.contains("2026-02-30"), "{}", r.stderr);
    let r = run(args(&sign_args("REQ-001", "2024-03-20"), dir.path()));
    assert!(r.stderr.contains("REQ-001"), "{}", r.stderr);
    let r = run(args(
        &[
            "review",
            "sign",
            "REV-001",
            "--by",
            " ",
            "--date",
            "2024-03-20",
        ],
        dir.path(),
    ));
    assert_eq!(r.code, 2, "an empty --by: {}", r.stderr);
    assert_eq!(snapshot_tree(dir.path()), before);

    // Stamping a sub-item or an unknown id, and impact of an unknown id.
    for case in [
        &["stamp", "REV-001#1"][..],
        &["stamp", "DI-999"],
        &["impact", "REQ-999"],
    ] {
        let r = run(args(case, dir.path()));
        assert_eq!(r.code, 2, "{case:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(snapshot_tree(dir.path()), before, "{case:?} wrote");
    }
}

#[test]
fn a_review_that_decides_nothing_cannot_be_signed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    write(
        dir.path(),
        "a.toml",
        "[[contract]]\nid = \"C-1\"\ntitle = \"c\"\n\n[[review]]\nid = \"R-1\"\ntitle = \"r\"\ncontract = \"C-1\"\n",
    );
    let before = snapshot_tree(dir.path());
    let r = run([
        "review".as_ref(),
        "sign".as_ref(),
        "R-1".as_ref(),
        "--by".as_ref(),
        "X".as_ref(),
        "--date".as_ref(),
        "2026-01-01".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("decides no requirement"), "{}", r.stdout);
    assert_eq!(snapshot_tree(dir.path()), before);
}

#[test]
fn a_crlf_file_keeps_crlf_line_endings_when_stamped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"x\"\n");
    let text = "[[requirement]]\r\nid = \"R-1\"\r\ntitle = \"r\"\r\nclass = \"implied\"\r\n\r\n[[design_input]]\r\nid = \"DI-1\"\r\ntitle = \"d\"\r\ntraces = [\"R-1\"]\r\n";
    write(dir.path(), "a.toml", text);
    let r = run(["stamp".as_ref(), "DI-1".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(dir.path().join("a.toml")).unwrap();
    assert!(after.starts_with(text), "{after:?}");
    assert!(
        after[text.len()..].starts_with("stamped.R-1 = \""),
        "{after:?}"
    );
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF crept in: {after:?}"
    );
}

#[test]
fn changing_a_verdict_after_signing_breaks_the_signoff() {
    let dir = copy_tree(&sample("doors-zh"));
    let r = run([
        "review".as_ref(),
        "sign".as_ref(),
        "REV-001".as_ref(),
        "--by".as_ref(),
        "王经理".as_ref(),
        "--date".as_ref(),
        "2024-03-20".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let (_, json) = check_json(dir.path());
    assert!(!finding_set(&json).iter().any(|f| f.0 == "signoff-broken"));
    // The first decision of the tender review, REQ-001, turned down after signing.
    let tender = dir.path().join("contracts/tender.toml");
    let text = std::fs::read_to_string(&tender).unwrap();
    let at = text.find("requirement = \"REQ-001\"").unwrap();
    let verdict = at + text[at..].find("verdict = \"accepted\"").unwrap();
    let edited = format!(
        "{}verdict = \"rejected\"{}",
        &text[..verdict],
        &text[verdict + "verdict = \"accepted\"".len()..]
    );
    std::fs::write(&tender, edited).unwrap();
    let (_, json) = check_json(dir.path());
    let broken: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "signoff-broken")
        .collect();
    assert_eq!(broken.len(), 1, "{json:#}");
    assert_eq!(broken[0]["id"], "REV-001");
}

#[test]
fn items_written_as_inline_tables_are_signed_and_stamped_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "needtrail.toml", "[project]\nname = \"inline\"\n");
    write(
        d,
        "items.toml",
        "[[customer]]\nid = \"CUS-1\"\ntitle = \"Customer\"\n\n\
         [[contract]]\nid = \"CON-1\"\ntitle = \"Contract\"\ncustomer = \"CUS-1\"\n\n\
         [[requirement]]\nid = \"REQ-1\"\ntitle = \"Door opens\"\ncontract = \"CON-1\"\n",
    );
    let reviews = "# one line each\nreview = [\n  { id = \"REV-1\", title = \"Review\", contract = \"CON-1\", date = 2026-11-01, decision = [{ requirement = \"REQ-1\", verdict = \"accepted\" }] },\n]\n";
    write(d, "reviews.toml", reviews);
    let design =
        "design_input = [{ id = \"DI-1\", title = \"Hinge load\", traces = [\"REQ-1\"] }]\n";
    write(d, "design.toml", design);

    sign(d, "REV-1", "2026-11-24");
    stamp(d, "DI-1");
    // The new keys go inside the item's own braces, after its keys, and
    // nothing else in the file changes.
    let signed = read(d, "reviews.toml");
    let (head, tail) = reviews.split_once("] },\n]").unwrap();
    let added = signed
        .strip_prefix(&format!("{head}]"))
        .and_then(|s| s.strip_suffix(" },\n]\n"))
        .unwrap_or_else(|| panic!("{signed}"));
    assert_eq!(tail, "\n");
    let keys: Vec<&str> = added
        .split(", ")
        .skip(1)
        .map(|kv| kv.split(" = ").next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "signed_by",
            "signed_on",
            "signed_decisions",
            "signed_fingerprints"
        ],
        "{signed}"
    );
    let stamped = read(d, "design.toml");
    assert!(
        stamped.starts_with(&design[..design.len() - " }]\n".len()])
            && stamped.contains(", stamped = { REQ-1 = \"")
            && stamped.ends_with("\" } }]\n"),
        "{stamped}"
    );

    let entry = review_entry(d, "REV-1");
    assert_eq!(entry["signoff"], "valid", "{entry}");
    assert_eq!(entry["signed_on"], "2026-11-24");
    let json = checked(d);
    assert!(ids_of(&json, "suspect-link").is_empty(), "{json:#}");

    // Signing again replaces the sign-off where it stands; a changed
    // requirement then breaks the sign-off and makes the stamp suspect.
    sign(d, "REV-1", "2026-11-25");
    let again = read(d, "reviews.toml");
    assert_eq!(again, signed.replace("2026-11-24", "2026-11-25"));
    replace_once(d, "items.toml", "Door opens", "Door opens outward");
    let json = checked(d);
    assert_eq!(ids_of(&json, "signoff-broken"), ["REV-1"]);
    assert_eq!(ids_of(&json, "suspect-link"), ["DI-1"]);
}

/// What `review sign` and `stamp --all` write (dotted keys of fingerprints)
/// keeps a file on the fast reader: a signed, stamped project loads as
/// quickly as a fresh one, and gives the same findings as the general reader.
#[test]
fn signed_and_stamped_files_stay_on_the_fast_reader() {
    let dir = copy_tree(&sample("doors-zh"));
    let profile = needtrail::load::load(dir.path()).expect("loads").profile;
    let files: Vec<_> = walkdir::WalkDir::new(dir.path())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("needtrail.toml"))
        .collect();
    let fast_before: Vec<bool> = files
        .iter()
        .map(|p| needtrail::load::reads_fast(&std::fs::read_to_string(p).unwrap(), &profile))
        .collect();
    let (_, before) = check_json(dir.path());

    let r = run([
        "review".as_ref(),
        "sign".as_ref(),
        "REV-001".as_ref(),
        "--by".as_ref(),
        "质量部 张红".as_ref(),
        "--date".as_ref(),
        "2025-09-01".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(["stamp".as_ref(), "--all".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let mut dotted = 0;
    for (p, was_fast) in files.iter().zip(fast_before) {
        let text = std::fs::read_to_string(p).unwrap();
        if text.contains("stamped.") || text.contains("signed_fingerprints.") {
            dotted += 1;
        }
        if was_fast {
            assert!(
                needtrail::load::reads_fast(&text, &profile),
                "{} left the fast reader after sign and stamp:\n{text}",
                p.display()
            );
        }
    }
    assert!(
        dotted >= 5,
        "sign and stamp wrote dotted keys into {dotted} files"
    );
    // Signing and stamping clear findings, never add any.
    let (_, after) = check_json(dir.path());
    let after = finding_set(&after);
    assert!(
        after.iter().all(|f| finding_set(&before).contains(f)),
        "{after:?}"
    );
}
