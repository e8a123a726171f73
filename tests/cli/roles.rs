//! The profile's roles: the engine names no kind, field or rule of the
//! built-in profile outside `src/profile/roles.rs`, and a project that keeps its
//! contract reviews in kinds of its own gets `review status`, `review sign`,
//! the sign-off check and the report's sign-off sheet through `[roles]`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{run, write};

/// Literals that equal a name of the built-in profile but name something
/// else, each with what it names. Everything else equal to a kind, field or
/// rule name is a lookup that belongs in the profile's `[roles]`.
///
/// The profile's names are ordinary words (`type`, `date`, `name`,
/// `value`), so the formats needtrail reads and writes use them too: this
/// list holds those, file by file, so that the same word used as a profile
/// name anywhere else still fails the test.
const NOT_PROFILE_NAMES: &[(&str, &str, &str)] = &[
    ("src/schema.rs", "type", "a JSON Schema keyword"),
    ("src/schema.rs", "description", "a JSON Schema keyword"),
    ("src/schema.rs", "number", "a JSON Schema type"),
    ("src/schema.rs", "date", "a JSON Schema format"),
    ("src/import/junit.rs", "name", "a JUnit XML attribute"),
    ("src/import/junit.rs", "status", "a JUnit XML attribute"),
    ("src/import/junit.rs", "result", "a JUnit XML attribute"),
    ("src/import/junit.rs", "value", "a JUnit XML attribute"),
    (
        "src/import/junit.rs",
        "verifies",
        "the JUnit test property naming what a test verifies",
    ),
    (
        "src/import/mapping.rs",
        "value",
        "a key of an import mapping",
    ),
    ("src/import/reqif.rs", "class", "a key of [import.reqif]"),
    (
        "src/import/reqif.rs",
        "attributes",
        "a key of [import.reqif]",
    ),
    (
        "src/import/doorstop.rs",
        "derived",
        "the Doorstop attribute kept when no field takes it",
    ),
    (
        "src/interchange/doorstop.rs",
        "derived",
        "a key of a Doorstop item file",
    ),
    (
        "src/interchange/doorstop.rs",
        "text",
        "a key of a Doorstop item file",
    ),
    (
        "src/interchange/reqif/write.rs",
        "type",
        "a part of the identifiers the ReqIF export derives",
    ),
    (
        "src/interchange/reqif/write.rs",
        "attributes",
        "a part of the identifiers the ReqIF export derives",
    ),
    (
        "src/interchange/reqif/write.rs",
        "contract",
        "a part of the identifiers the ReqIF export derives",
    ),
    (
        "src/load/mod.rs",
        "target",
        "the build folder a project scan skips",
    ),
    (
        "src/matrix/format.rs",
        "status",
        "a column heading of the matrix files",
    ),
    (
        "src/profile/mod.rs",
        "type",
        "the key `type` of a field declaration",
    ),
    (
        "src/profile/mod.rs",
        "objective",
        "the name of a built-in check (`builtin = ...`)",
    ),
    (
        "src/profile/mod.rs",
        "complaint-overdue",
        "the name of a built-in check",
    ),
    (
        "src/profile/mod.rs",
        "change-after-signoff",
        "the name of a built-in check",
    ),
    ("src/rules.rs", "actual", "a placeholder of a rule message"),
    ("src/rules.rs", "metric", "a placeholder of a rule message"),
    ("src/export.rs", "contract", "a key of the catalogue"),
    ("src/export.rs", "customer", "a key of the catalogue"),
    ("src/export.rs", "date", "a key of the catalogue"),
    (
        "src/app.rs",
        "review",
        "a placeholder of a catalogue message",
    ),
    ("src/app.rs", "date", "a placeholder of a catalogue message"),
    (
        "src/objectives.rs",
        "period",
        "a placeholder of a catalogue message",
    ),
    (
        "src/objectives.rs",
        "metric",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "metric",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "actual",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "target",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "note",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "weight",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "date",
        "a placeholder of a catalogue message",
    ),
    (
        "src/output.rs",
        "action",
        "a placeholder of a catalogue message",
    ),
    (
        "src/report/mod.rs",
        "contract",
        "the sign-off sheet template's variable holding its contract",
    ),
    ("src/report/svg.rs", "period", "a CSS class of the chart"),
    (
        "src/report/svg.rs",
        "target",
        "a placeholder of a catalogue message",
    ),
    (
        "src/corpus.rs",
        "design",
        "a folder of the generated project",
    ),
    (
        "src/corpus.rs",
        "delivery",
        "a folder of the generated project",
    ),
];

/// Every kind, field and rule name the built-in profile declares.
fn profile_names() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("profiles/iso9001.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let mut names = Vec::new();
    let tables = |v: &toml::Value| v.as_table().cloned().unwrap_or_default();
    for (field, _) in tables(&doc["common"]) {
        names.push(field);
    }
    for (kind, spec) in tables(&doc["kinds"]) {
        names.push(kind);
        if let Some(fields) = spec.get("fields") {
            names.extend(tables(fields).into_iter().map(|(f, _)| f));
        }
    }
    for rule in doc["rule"].as_array().unwrap() {
        names.push(rule["id"].as_str().unwrap().to_owned());
    }
    names.sort();
    names.dedup();
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// A string literal of the source: its line, its text, and the code just
/// before it (to tell a name lookup).
struct Literal {
    line: usize,
    text: String,
    before: String,
}

/// The ordinary string literals of Rust source, outside comments and outside
/// items marked `#[cfg(test)]` (test fixtures are written in the built-in
/// profile's terms on purpose). Raw strings (HTML, SQL-like templates) and
/// byte strings are markup or protocol, not names, and are skipped.
fn literals(src: &str) -> Vec<Literal> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Depth of braces, and the depth at which a test item started.
    let mut depth = 0usize;
    let mut test_from: Option<usize> = None;
    let mut pending_test = false;
    let mut code = String::new();
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
        }
        if src[i..].starts_with("//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if src[i..].starts_with("/*") {
            let end = src[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            line += src[i..end].matches('\n').count();
            i = end;
            continue;
        }
        if src[i..].starts_with("#[cfg(test)]") {
            pending_test = true;
            i += "#[cfg(test)]".len();
            continue;
        }
        // Raw strings: r"..", r#".."#, br#".."#.
        let raw_at = if src[i..].starts_with("br") {
            i + 2
        } else if c == b'r' {
            i + 1
        } else {
            usize::MAX
        };
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if raw_at != usize::MAX && !ident_before {
            let hashes = src[raw_at..].bytes().take_while(|h| *h == b'#').count();
            if src[raw_at + hashes..].starts_with('"') {
                let close = format!("\"{}", "#".repeat(hashes));
                let start = raw_at + hashes + 1;
                let end = src[start..]
                    .find(&close)
                    .map_or(b.len(), |e| start + e + close.len());
                line += src[i..end].matches('\n').count();
                i = end;
                continue;
            }
        }
        if c == b'\'' {
            // A char literal ('"', '\'', '{'), or a lifetime.
            if src[i + 1..].starts_with('\\') {
                let len = src[i + 3..].find('\'').map_or(0, |l| l + 2);
                i += len + 2;
                continue;
            }
            if let Some(len) = src[i + 1..].find('\'')
                && len <= 4
                && !src[i + 1..i + 1 + len].contains(['\n', ' '])
            {
                i += len + 2;
                continue;
            }
        }
        if c == b'"' {
            let byte_string =
                i > 0 && b[i - 1] == b'b' && !(i > 1 && b[i - 2].is_ascii_alphanumeric());
            let mut j = i + 1;
            let mut text = String::new();
            let start_line = line;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' {
                    j += 1;
                }
                if j < b.len() && b[j] == b'\n' {
                    line += 1;
                }
                j += 1;
            }
            text.push_str(&src[i + 1..j.min(b.len())]);
            if test_from.is_none() && !pending_test && !byte_string {
                let keep = code.len().saturating_sub(40);
                out.push(Literal {
                    line: start_line,
                    text,
                    before: code[keep..].to_owned(),
                });
            }
            code.push_str("\"\"");
            i = j + 1;
            continue;
        }
        match c {
            b'{' => {
                if pending_test {
                    pending_test = false;
                    test_from = test_from.or(Some(depth));
                }
                depth += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if test_from == Some(depth) {
                    test_from = None;
                }
            }
            // `#[cfg(test)] use ...;` or a test-only constant.
            b';' if pending_test && depth == test_from.unwrap_or(depth) => pending_test = false,
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            code.push(c as char);
            if code.len() > 200 {
                code.drain(..100);
            }
        }
        i += 1;
    }
    out
}

#[test]
fn no_kind_field_or_rule_of_the_builtin_profile_is_named_outside_its_roles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let names = profile_names();
    // The scan must see the names it looks for.
    for n in [
        "review",
        "signed_by",
        "verdict",
        "suspect-link",
        "design_input",
    ] {
        assert!(
            names.iter().any(|x| x == n),
            "{n} not read from the profile"
        );
    }
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    let mut allowed_used = std::collections::BTreeSet::new();
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "src/profile/roles.rs" {
            continue;
        }
        let src = fs::read_to_string(path).unwrap();
        for lit in literals(&src) {
            // A lookup by a literal name never belongs outside the roles,
            // whatever the name.
            let lookup = ["kind_index(", "field_index("]
                .iter()
                .any(|f| lit.before.ends_with(f));
            let named = names.contains(&lit.text);
            let allowed = NOT_PROFILE_NAMES
                .iter()
                .any(|(f, n, _)| *f == rel && *n == lit.text);
            if lookup || (named && !allowed) {
                found.push(format!("{rel}:{}: \"{}\"", lit.line, lit.text));
            }
            if named && allowed {
                allowed_used.insert((rel.clone(), lit.text.clone()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "names of the built-in profile outside src/profile/roles.rs (name them in [roles] and read them from Profile::roles):\n{}",
        found.join("\n")
    );
    // An exception that nothing uses any more is removed, so the list
    // cannot grow stale and hide a name later.
    let stale: Vec<String> = NOT_PROFILE_NAMES
        .iter()
        .filter(|(f, n, _)| !allowed_used.contains(&(f.to_string(), n.to_string())))
        .map(|(f, n, why)| format!("{f}: \"{n}\" ({why})"))
        .collect();
    assert!(
        stale.is_empty(),
        "exceptions no longer needed:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_literal_scan_sees_lookups_and_skips_comments_raw_strings_and_tests() {
    let src = r##"
// profile.kind_index("review") in a comment
fn a(p: &Profile) { p.field_index("anything"); let s = "signed_by"; }
const HTML: &str = r#"<p class="verdict">"#;
const BYTES: &[u8] = b"review";
fn c() { let q = '"'; let r = "x\"review"; }
#[cfg(test)]
mod tests { fn t() { let k = "review"; } }
fn after() { let k = "decision"; }
"##;
    let got: Vec<(usize, String)> = literals(src)
        .into_iter()
        .map(|l| (l.line, l.text))
        .collect();
    assert_eq!(
        got,
        [
            (3, "anything".to_owned()),
            (3, "signed_by".to_owned()),
            (6, "x\\\"review".to_owned()),
            (9, "decision".to_owned()),
        ]
    );
    let lookup = literals(src)
        .into_iter()
        .find(|l| l.text == "anything")
        .unwrap();
    assert!(lookup.before.ends_with("field_index("));
}

/// A project on the `none` profile that keeps orders, needs and order
/// reviews with rulings, and says in `[roles]` which plays which part.
const OWN_KINDS: &str = r#"[project]
name = "Own kinds"
profile = "none"

[fingerprint]
fields = ["title"]

[kinds.order.fields]
number = { type = "string" }

[kinds.need.fields]
order = { type = "link", to = ["order"] }

[kinds.order_review.fields]
order = { type = "link", to = ["order"] }
held = { type = "date" }
signer = { type = "string" }
signed_at = { type = "date" }
signed_hashes = { type = "fingerprints" }
signed_rulings = { type = "string" }

[kinds.ruling]
within = "order_review"
[kinds.ruling.fields]
need = { type = "link", to = ["need"] }
outcome = { type = "enum", values = ["ok", "ask", "no"] }
remark = { type = "string" }

[[rule]]
id = "order-review-holds"
kind = "order_review"
builtin = "signoff"
message = "the order review no longer holds: {matched} changed after it was signed"
label = "Every signed order review still holds"

[roles.contract]
kind = "order"
number = "number"

[roles.requirement]
kind = "need"
contract = "order"

[roles.review]
kind = "order_review"
contract = "order"
date = "held"
signed_by = "signer"
signed_on = "signed_at"
signed_fingerprints = "signed_hashes"
signed_decisions = "signed_rulings"

[roles.decision]
kind = "ruling"
requirement = "need"
verdict = "outcome"
note = "remark"
accept = ["ok"]
clarify = ["ask"]
reject = ["no"]

[roles.rules]
signoff = "order-review-holds"
"#;

const ITEMS: &str = r#"[[order]]
id = "ORD-1"
title = "Pumps for the harbour"
number = "PO-77"

[[need]]
id = "NEED-1"
title = "Flow 40 m3/h"
order = "ORD-1"

[[need]]
id = "NEED-2"
title = "Salt-water resistant"
order = "ORD-1"

[[order_review]]
id = "OR-1"
title = "Review of ORD-1"
order = "ORD-1"
held = 2026-01-04

[[order_review.ruling]]
need = "NEED-1"
outcome = "ok"

[[order_review.ruling]]
need = "NEED-2"
outcome = "ask"
remark = "Which grade of steel?"
"#;

fn own_kinds() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", OWN_KINDS);
    write(dir.path(), "orders.toml", ITEMS);
    dir
}

fn review_status(dir: &Path) -> serde_json::Value {
    let r = run([
        "review".as_ref(),
        "status".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r.json()
}

fn sign(dir: &Path) -> crate::support::Run {
    run([
        "review".as_ref(),
        "sign".as_ref(),
        "OR-1".as_ref(),
        "--by".as_ref(),
        "Q. Manager".as_ref(),
        "--date".as_ref(),
        "2026-01-05".as_ref(),
        dir.as_os_str(),
    ])
}

#[test]
fn a_project_with_its_own_kinds_gets_review_status_and_sign_off_through_its_roles() {
    let dir = own_kinds();
    let p = dir.path();

    // The `ask` ruling keeps NEED-2 open, by the verdicts [roles.decision] names.
    let st = review_status(p);
    let c = &st["contracts"][0];
    assert_eq!(c["id"], "ORD-1");
    assert_eq!(c["open_clarifications"], serde_json::json!(["NEED-2"]));
    assert_eq!(c["undecided"], serde_json::json!([]));
    assert_eq!(c["requirements"][1]["note"], "Which grade of steel?");
    assert_eq!(c["reviews"][0]["id"], "OR-1");
    assert_eq!(c["reviews"][0]["date"], "2026-01-04");
    assert_eq!(c["reviews"][0]["signoff"], "unsigned");
    let text = run(["review".as_ref(), "status".as_ref(), p.as_os_str()]);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.contains('✗') && l.contains("NEED-2") && l.contains("ask")),
        "{}",
        text.stdout
    );

    // Open: not signed, nothing written.
    let before = fs::read(p.join("orders.toml")).unwrap();
    let r = sign(p);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("awaiting clarification: NEED-2"),
        "{}",
        r.stdout
    );
    assert_eq!(fs::read(p.join("orders.toml")).unwrap(), before);

    // Decided: signed into the fields the review part names.
    let items = ITEMS.replace("outcome = \"ask\"", "outcome = \"ok\"");
    write(p, "orders.toml", &items);
    let r = sign(p);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let signed = fs::read_to_string(p.join("orders.toml")).unwrap();
    assert!(signed.contains("signer = \"Q. Manager\""), "{signed}");
    assert!(signed.contains("signed_at = 2026-01-05"), "{signed}");
    assert!(signed.contains("signed_hashes"), "{signed}");
    assert!(signed.contains("signed_rulings = "), "{signed}");
    assert_eq!(
        review_status(p)["contracts"][0]["reviews"][0]["signoff"],
        "valid"
    );
    let (code, json) = crate::support::check_json(p);
    assert_eq!(code, 0, "{json}");

    // A need changed after signing: the sign-off breaks, in `review status`
    // and in the project's own rule playing the sign-off part.
    let changed = signed.replace("Salt-water resistant", "Salt-water and sand resistant");
    write(p, "orders.toml", &changed);
    let st = review_status(p);
    assert_eq!(st["contracts"][0]["reviews"][0]["signoff"], "broken");
    assert_eq!(
        st["contracts"][0]["reviews"][0]["changed"],
        serde_json::json!(["NEED-2"])
    );
    let (code, json) = crate::support::check_json(p);
    assert_eq!(code, 1, "{json}");
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["id"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, [("order-review-holds", "OR-1")]);
}

#[test]
fn a_project_with_its_own_kinds_gets_the_report_sign_off_sheet_through_its_roles() {
    let dir = own_kinds();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let r = run([
        "report".as_ref(),
        dir.path().as_os_str(),
        "--out".as_ref(),
        site.as_os_str(),
    ]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let sheets: Vec<PathBuf> = fs::read_dir(site.join("signoff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    let html = fs::read_to_string(&sheets[0]).unwrap();
    assert!(html.contains("ORD-1") && html.contains("NEED-1") && html.contains("NEED-2"));
    // NEED-2 awaits clarification (`ask`), NEED-1 is accepted (`ok`): only
    // NEED-2's verdict is marked.
    let row = |id: &str| {
        let at = html.find(&format!(">{id}<")).unwrap();
        let end = html[at..].find("</tr>").unwrap();
        html[at..at + end].to_owned()
    };
    assert!(
        row("NEED-2").contains("class=\"broken\""),
        "{}",
        row("NEED-2")
    );
    assert!(row("NEED-2").contains("✗ ask"), "{}", row("NEED-2"));
    assert!(
        !row("NEED-1").contains("class=\"broken\""),
        "{}",
        row("NEED-1")
    );
}

#[test]
fn a_role_naming_what_the_profile_lacks_is_an_error_with_its_place_and_a_suggestion() {
    for (from, to, message, help) in [
        (
            "signed_by = \"signer\"",
            "signed_by = \"signr\"",
            "`[roles.review]` names `signr`, which is not a field of kind `order_review`",
            "did you mean `signer`?",
        ),
        (
            "[roles.requirement]\nkind = \"need\"",
            "[roles.requirement]\nkind = \"needs\"",
            "`[roles.requirement] kind` names unknown kind `needs`",
            "did you mean `need`?",
        ),
        (
            "clarify = [\"ask\"]",
            "clarify = [\"aks\"]",
            "`[roles.decision] clarify` names `aks`, which is not a value of `outcome`",
            "did you mean \"ask\"?",
        ),
        (
            "signoff = \"order-review-holds\"",
            "signoff = \"order-review-hold\"",
            "`[roles.rules] signoff` names unknown rule `order-review-hold`",
            "did you mean `order-review-holds`?",
        ),
        (
            "signed_by = \"signer\"",
            "signd_by = \"signer\"",
            "unknown key `signd_by` in `[roles.review]`",
            "did you mean `signed_by`?",
        ),
        (
            "signed_by = \"signer\"",
            "signed_by = 3",
            "expected a name in quotes, or a list of them",
            "docs/format.md",
        ),
        (
            "[roles.decision]",
            "[roles.decison]",
            "unknown role `decison` in `[roles]`",
            "did you mean `decision`?",
        ),
    ] {
        let dir = own_kinds();
        let config = OWN_KINDS.replace(from, to);
        assert_ne!(config, OWN_KINDS, "{from}");
        write(dir.path(), "needtrail.toml", &config);
        let before = fs::read(dir.path().join("orders.toml")).unwrap();
        let r = run(["check".as_ref(), dir.path().as_os_str()]);
        assert_eq!(r.code, 2, "{to}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(message), "{to}: {}", r.stderr);
        assert!(r.stderr.contains(help), "{to}: {}", r.stderr);
        // The place: the line of the value (or key) as written.
        let line = config
            .lines()
            .position(|l| l.contains(to.lines().last().unwrap()))
            .unwrap()
            + 1;
        assert!(
            r.stderr.contains(&format!("needtrail.toml:{line}:")),
            "{to}: line {line}: {}",
            r.stderr
        );
        // `review sign` writes nothing with such a profile.
        let r = sign(dir.path());
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(fs::read(dir.path().join("orders.toml")).unwrap(), before);
    }
}

#[test]
fn a_project_on_the_builtin_profile_may_rename_one_field_of_a_part() {
    // The review part keeps its kind; only `signed_by` moves to a field the
    // project adds.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "needtrail.toml",
        "[project]\nname = \"x\"\n\n[kinds.review.fields]\napproved_by = { type = \"string\" }\n\n[roles.review]\nsigned_by = \"approved_by\"\n",
    );
    write(
        p,
        "c.toml",
        "[[customer]]\nid = \"CUS-1\"\ntitle = \"C\"\n\n[[contract]]\nid = \"CON-1\"\ntitle = \"K\"\ncustomer = \"CUS-1\"\n\n[[requirement]]\nid = \"REQ-1\"\ntitle = \"R\"\nclass = \"implied\"\ncontract = \"CON-1\"\n\n[[review]]\nid = \"REV-1\"\ntitle = \"Review\"\ncontract = \"CON-1\"\ndate = 2026-01-02\n\n[[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"rejected\"\n",
    );
    let r = run([
        "review".as_ref(),
        "sign".as_ref(),
        "REV-1".as_ref(),
        "--by".as_ref(),
        "QA".as_ref(),
        "--date".as_ref(),
        "2026-01-05".as_ref(),
        p.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let text = fs::read_to_string(p.join("c.toml")).unwrap();
    assert!(text.contains("approved_by = \"QA\""), "{text}");
    assert!(!text.contains("signed_by"), "{text}");
    assert!(text.contains("signed_on = 2026-01-05"), "{text}");
    let st = {
        let r = run([
            "review".as_ref(),
            "status".as_ref(),
            p.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        r.json()
    };
    assert_eq!(st["contracts"][0]["reviews"][0]["signed_by"], "QA");
    assert_eq!(st["contracts"][0]["reviews"][0]["signoff"], "valid");
}
