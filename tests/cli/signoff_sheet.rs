//! The printable sign-off sheet of the HTML report: a signature block per
//! review, filled from the record, and requirements that changed after the
//! sign-off marked with the text that was signed (from git) and the text
//! now. How the sheet prints is checked in a browser (`browser.rs`).

use std::fs;
use std::path::Path;
use std::process::Command;

use scraper::{Html, Selector};

use crate::support::*;

/// A contract with two requirements and two reviews: REV-1 decides both
/// and names two reviewers written two ways; REV-2 decides one and names
/// one reviewer.
fn project(dir: &Path) {
    write(dir, "needtrail.toml", "[project]\nname = \"sheet\"\n");
    write(
        dir,
        "contract.toml",
        r#"[[customer]]
id = "CUS-1"
title = "Huaxing Automobile"

[[contract]]
id = "CON-1"
title = "HX-S5 supply agreement"
customer = "CUS-1"

[[requirement]]
id = "REQ-1"
title = "Wear indicator"
class = "stated"
source = "Clause 4.1"
customer = "CUS-1"
contract = "CON-1"
text = "The wear indicator sounds at 2 mm of lining left."

[[requirement]]
id = "REQ-2"
title = "Packaging"
class = "stated"
source = "Clause 7"
customer = "CUS-1"
contract = "CON-1"
text = "Forty sets to a returnable crate."
"#,
    );
    write(
        dir,
        "review.toml",
        r#"[[review]]
id = "REV-1"
title = "Contract review HX-S5"
contract = "CON-1"
date = 2026-01-10
reviewers = ["工程部 赵刚", "Logistics: Xu Fang"]

[[review.decision]]
requirement = "REQ-1"
verdict = "accepted"

[[review.decision]]
requirement = "REQ-2"
verdict = "accepted"

[[review]]
id = "REV-2"
title = "Packaging follow-up"
contract = "CON-1"
date = 2026-01-12
reviewers = ["Quality: Chen Yu"]

[[review.decision]]
requirement = "REQ-2"
verdict = "accepted"
"#,
    );
}

fn sign_rev_1(dir: &Path) {
    sign_rev_1_on(dir, "2026-01-11");
}

fn sign_rev_1_on(dir: &Path, date: &str) {
    let r = run([
        "review".as_ref(),
        "sign".as_ref(),
        "REV-1".as_ref(),
        "--by".as_ref(),
        "质量部 张红".as_ref(),
        "--date".as_ref(),
        date.as_ref(),
        dir.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// REQ-1's text as the customer revised it after the sign-off.
fn revise_req_1(dir: &Path) {
    let path = dir.join("contract.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("at 2 mm of lining", "at 1.5 mm of lining"),
    )
    .unwrap();
}

/// The sign-off sheet of CON-1, reported from `dir` (with the templates of
/// `templates`, if given), as text.
fn sheet(dir: &Path, templates: Option<&Path>) -> String {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report");
    let mut args = vec![
        "report".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        report.as_os_str(),
        "--fail-on".as_ref(),
        "never".as_ref(),
    ];
    if let Some(t) = templates {
        args.extend(["--templates".as_ref(), t.as_os_str()]);
    }
    let r = run(args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    fs::read_to_string(report.join("signoff/CON-1.html")).unwrap()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The text of each element `selector` picks, whitespace collapsed.
fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The cells of each row `selector` picks, joined by ` | `.
fn cells(doc: &Html, selector: &str) -> Vec<String> {
    let cell = sel("th, td");
    doc.select(&sel(selector))
        .map(|row| {
            row.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// Runs git in `repo` with an identity of its own.
fn git(repo: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=needtrail test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

#[test]
fn each_review_gets_a_signature_block_with_its_reviewers_and_approver() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    // A third review records no reviewers.
    let path = dir.join("review.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text + "\n[[review]]\nid = \"REV-3\"\ntitle = \"Phone review\"\ncontract = \"CON-1\"\n\n\
                [[review.decision]]\nrequirement = \"REQ-1\"\nverdict = \"accepted\"\n",
    )
    .unwrap();
    sign_rev_1(dir);
    let doc = Html::parse_document(&sheet(dir, None));
    assert_eq!(doc.select(&sel("section.signature-block")).count(), 3);
    for review in ["REV-1", "REV-2", "REV-3"] {
        // Each block says whose contract it is, wherever it is printed.
        assert_eq!(
            texts(&doc, &format!("#sign-{review} .sign-of strong")),
            ["CON-1"],
            "{review}"
        );
        // ... and so does the page it is on.
        let page = texts(
            &doc,
            &format!("section.sheet-page:has(#sign-{review}) .sheet-page-head"),
        );
        assert!(
            page[0].contains("CON-1") && page[0].contains("part 1 of 1"),
            "{page:?}"
        );
    }
    let rows = |review: &str| cells(&doc, &format!("#sign-{review} table.signatures tbody tr"));
    // One row per reviewer the review records, function and name apart,
    // then the approver: the one who signed, and when.
    assert_eq!(
        rows("REV-1"),
        [
            "工程部 | 赵刚 |  | ",
            "Logistics | Xu Fang |  | ",
            "Approved by | 质量部 张红 | ✓ signed, still holds | 2026-01-11"
        ]
    );
    assert_eq!(
        texts(&doc, "#sign-REV-1 tr.signer th"),
        ["工程部", "Logistics"]
    );
    assert_eq!(
        texts(&doc, "#sign-REV-1 tr.signer td:nth-child(2)"),
        ["赵刚", "Xu Fang"]
    );
    // REV-2 is not signed: its approver's row waits for a hand.
    assert_eq!(
        rows("REV-2"),
        ["Quality | Chen Yu |  | ", "Approved by |  |  | "]
    );
    assert!(texts(&doc, "#sign-REV-2 .sign-of")[0].contains("not signed"));
    // With no reviewer recorded, rows to fill in by hand.
    assert_eq!(
        rows("REV-3"),
        [
            "The review records no reviewers: fill them in by hand.",
            " |  |  | ",
            " |  |  | ",
            "Approved by |  |  | "
        ]
    );
    assert!(texts(&doc, "#sign-REV-1 .sign-of")[0].contains("2026-01-10"));
}

#[test]
fn a_requirement_changed_after_signing_shows_the_signed_text_from_git() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "records"]);
    sign_rev_1(dir);
    git(dir, &["commit", "-q", "-am", "REV-1 signed"]);
    let signed_in = git(dir, &["rev-parse", "HEAD"]);
    revise_req_1(dir);
    git(
        dir,
        &["commit", "-q", "-am", "revision B of the customer's list"],
    );

    let html = sheet(dir, None);
    let doc = Html::parse_document(&html);
    // The sheet no longer says all is well, and links the changed row.
    let state = texts(&doc, ".sheet-head tr:nth-child(3) td")[0].clone();
    assert!(state.starts_with('✗'), "{state}");
    assert!(state.contains("the sign-off no longer holds"), "{state}");
    let link: Vec<&str> = doc
        .select(&sel(".sheet-head a[href$='#row-REQ-1']"))
        .filter_map(|a| a.attr("href"))
        .collect();
    assert_eq!(link, ["CON-1.html#row-REQ-1"]);
    // So do the review's line in the table of reviews and its signature block.
    for place in [".sheet-reviews", "#sign-REV-1 .sign-of"] {
        let links = format!("{place} a[href='CON-1.html#row-REQ-1']");
        assert_eq!(doc.select(&sel(&links)).count(), 1, "{place}");
    }
    // The row is marked, linked to the sign-off it broke.
    assert_eq!(
        doc.select(&sel(
            "tr#row-REQ-1.changed .changed-mark a[href='#sign-REV-1']"
        ))
        .count(),
        1
    );
    assert_eq!(
        doc.select(&sel("tr.changed")).count(),
        1,
        "REQ-2 is unchanged"
    );
    // Below it, what was signed and what stands now.
    let detail = texts(&doc, "tr.change-detail td")[0].clone();
    assert!(
        detail.contains(&format!("revision {}", &signed_in[..10])),
        "{detail}"
    );
    assert_eq!(
        cells(&doc, "table.change-fields tbody tr"),
        [
            "Text | The wear indicator sounds at 2 mm of lining left. | The wear indicator sounds at 1.5 mm of lining left."
        ]
    );
    assert_eq!(
        texts(&doc, "table.change-fields td.old"),
        ["The wear indicator sounds at 2 mm of lining left."]
    );
    // The built-in template gives the same bytes as the rows written by code.
    let templates = tempfile::tempdir().unwrap();
    write(
        templates.path(),
        "signoff.html",
        include_str!("../../templates/signoff.html"),
    );
    assert!(
        sheet(dir, Some(templates.path())) == html,
        "the template and the code differ on a changed row"
    );

    // Uncommitted, the change is found the same way: the signed text is in
    // the revision that was signed.
    git(dir, &["reset", "-q", "--hard", "HEAD~1"]);
    revise_req_1(dir);
    let doc = Html::parse_document(&sheet(dir, None));
    assert_eq!(
        texts(&doc, "table.change-fields td.new"),
        ["The wear indicator sounds at 1.5 mm of lining left."]
    );

    // Signed again with the same decisions, then changed again: the text
    // signed is the one of the second signing.
    git(dir, &["commit", "-q", "-am", "revision B"]);
    sign_rev_1_on(dir, "2026-02-01");
    git(dir, &["commit", "-q", "-am", "REV-1 signed again"]);
    let signed_again = git(dir, &["rev-parse", "HEAD"]);
    let path = dir.join("contract.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("at 1.5 mm", "at 1 mm")).unwrap();
    let doc = Html::parse_document(&sheet(dir, None));
    assert_eq!(
        cells(&doc, "table.change-fields tbody tr"),
        [
            "Text | The wear indicator sounds at 1.5 mm of lining left. | The wear indicator sounds at 1 mm of lining left."
        ]
    );
    assert!(texts(&doc, "tr.change-detail td")[0].contains(&signed_again[..10]));
}

#[test]
fn without_git_a_changed_requirement_is_marked_and_said_to_have_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir);
    sign_rev_1(dir);
    revise_req_1(dir);
    let html = sheet(dir, None);
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("tr#row-REQ-1.changed")).count(), 1);
    let detail = texts(&doc, "tr.change-detail td");
    assert_eq!(
        detail,
        [
            "Changed after it was signed; the text that was signed cannot be shown, as the project is not kept in git."
        ]
    );
    assert_eq!(doc.select(&sel("table.change-fields")).count(), 0);
    // The state says so, and the changed requirement's row is linked.
    assert!(texts(&doc, ".sheet-head")[0].contains("no longer holds: requirements changed"));
    let templates = tempfile::tempdir().unwrap();
    write(
        templates.path(),
        "signoff.html",
        include_str!("../../templates/signoff.html"),
    );
    assert!(sheet(dir, Some(templates.path())) == html);
}
