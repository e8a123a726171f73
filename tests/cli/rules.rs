//! The built-in iso9001 rules on small hand-written projects: each test
//! states the gap, and asserts the exact findings and messages.

use crate::support::*;
use serde_json::Value;

const BASE: &str = r#"
[[customer]]
id = "CUS-1"
title = "Customer"
type = "external"

[[contract]]
id = "CON-1"
title = "Contract one"
customer = "CUS-1"

[[contract]]
id = "CON-2"
title = "Contract two"
customer = "CUS-1"
"#;

/// Checks a project made of BASE plus `items`; gives the findings.
fn findings(items: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", "[project]\nname = \"t\"\n");
    write(dir.path(), "base.toml", BASE);
    write(dir.path(), "items.toml", items);
    let (code, json) = check_json(dir.path());
    assert_ne!(code, 2, "input error: {json:#}");
    json["findings"].as_array().unwrap().clone()
}

fn of_rule<'a>(all: &'a [Value], rule: &str) -> Vec<(&'a str, &'a str)> {
    all.iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["id"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_requirement_is_reviewed_only_by_a_review_of_its_own_contract() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "r1"
class = "implied"
contract = "CON-1"
design = false
rationale = "commercial"

[[requirement]]
id = "R-2"
title = "r2"
class = "implied"
contract = "CON-1"
design = false
rationale = "commercial"

[[requirement]]
id = "R-3"
title = "no contract: nothing to review"
class = "organisation"

[[review]]
id = "REV-1"
title = "review of contract one"
contract = "CON-1"
[[review.decision]]
requirement = "R-1"
verdict = "accepted"

[[review]]
id = "REV-2"
title = "review of contract two, deciding R-2 by mistake"
contract = "CON-2"
[[review.decision]]
requirement = "R-2"
verdict = "accepted"
"#,
    );
    assert_eq!(
        of_rule(&f, "requirement-reviewed"),
        vec![(
            "R-2",
            "requirement of contract CON-1 has no decision in a review of that contract"
        )]
    );
}

#[test]
fn only_the_latest_decision_counts_for_clarification() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "clarified later"
class = "implied"
contract = "CON-1"
design = false
rationale = "x"

[[requirement]]
id = "R-2"
title = "still open"
class = "implied"
contract = "CON-1"

[[review]]
id = "REV-1"
title = "first review"
contract = "CON-1"
date = 2026-01-10
[[review.decision]]
requirement = "R-1"
verdict = "clarify"
[[review.decision]]
requirement = "R-2"
verdict = "accepted"

[[review]]
id = "REV-2"
title = "second review"
contract = "CON-1"
date = 2026-02-01
[[review.decision]]
requirement = "R-1"
verdict = "accepted"
[[review.decision]]
requirement = "R-2"
verdict = "clarify"
"#,
    );
    assert_eq!(
        of_rule(&f, "requirement-clarify-open"),
        vec![(
            "R-2",
            "clarification still open: the latest decision, in review REV-2, is `clarify`"
        )]
    );
    // R-2 is not accepted any more, so it needs no design input yet.
    assert_eq!(of_rule(&f, "requirement-has-design-input"), vec![]);
}

#[test]
fn design_input_verification_says_failed_pending_or_none() {
    let f = findings(
        r#"
[[design_input]]
id = "DI-1"
title = "verified through its output"
derived = true
rationale = "x"

[[design_output]]
id = "DO-1"
title = "drawing"
satisfies = ["DI-1"]

[[verification]]
id = "V-1"
title = "test of the drawing"
verifies = ["DO-1"]
result = "pass"

[[design_input]]
id = "DI-2"
title = "failed, and pending"
derived = true
rationale = "x"

[[verification]]
id = "V-2"
title = "failed test"
verifies = ["DI-2"]
result = "fail"

[[verification]]
id = "V-3"
title = "retest not yet run"
verifies = ["DI-2"]
result = "pending"

[[design_input]]
id = "DI-3"
title = "only pending"
derived = true
rationale = "x"

[[verification]]
id = "V-4"
title = "planned"
verifies = ["DI-3"]
result = "pending"

[[design_input]]
id = "DI-4"
title = "nothing"
derived = true
rationale = "x"
"#,
    );
    assert_eq!(
        of_rule(&f, "design-input-verified"),
        vec![
            ("DI-2", "failed: verification V-2 did not pass"),
            ("DI-3", "only pending: verification V-4 has no result yet"),
            (
                "DI-4",
                "no verification: no verification covers this design input or its design outputs"
            ),
        ]
    );
}

#[test]
fn design_inputs_trace_or_are_justified() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "r"
class = "implied"

[[design_input]]
id = "DI-1"
title = "traced"
traces = ["R-1"]

[[design_input]]
id = "DI-2"
title = "derived with a reason"
derived = true
rationale = "needed by the frame supplier's process"

[[design_input]]
id = "DI-3"
title = "derived, no reason"
derived = true

[[design_input]]
id = "DI-4"
title = "gold plating"
"#,
    );
    assert_eq!(
        of_rule(&f, "design-input-traced"),
        vec![
            ("DI-3", "derived design input gives no rationale"),
            (
                "DI-4",
                "design input traces to no requirement and is not derived with a rationale (orphan or gold plating)"
            ),
        ]
    );
}

#[test]
fn accepted_requirements_need_design_and_delivery() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "delivered through its design output"
class = "implied"
contract = "CON-1"

[[requirement]]
id = "R-2"
title = "no design input, not delivered"
class = "implied"
contract = "CON-1"

[[requirement]]
id = "R-3"
title = "needs no design, but says not why"
class = "implied"
contract = "CON-1"
design = false

[[requirement]]
id = "R-4"
title = "rejected: nothing to do"
class = "implied"
contract = "CON-1"

[[requirement]]
id = "R-5"
title = "validated"
class = "implied"
contract = "CON-1"
design = false
rationale = "bought in"

[[review]]
id = "REV-1"
title = "review"
contract = "CON-1"
[[review.decision]]
requirement = "R-1"
verdict = "accepted"
[[review.decision]]
requirement = "R-2"
verdict = "deviation"
[[review.decision]]
requirement = "R-3"
verdict = "accepted"
[[review.decision]]
requirement = "R-4"
verdict = "rejected"
[[review.decision]]
requirement = "R-5"
verdict = "accepted"

[[design_input]]
id = "DI-1"
title = "di"
traces = ["R-1"]

[[design_output]]
id = "DO-1"
title = "do"
satisfies = ["DI-1"]

[[verification]]
id = "V-1"
title = "v"
verifies = ["DI-1"]
result = "pass"

[[delivery]]
id = "DEL-1"
title = "delivery"
contract = "CON-1"
delivers = ["DO-1"]

[[validation]]
id = "VAL-1"
title = "site acceptance"
validates = ["R-5"]
result = "pass"
"#,
    );
    assert_eq!(
        of_rule(&f, "requirement-has-design-input"),
        vec![
            (
                "R-2",
                "accepted requirement reaches no design input (or set design = false with a rationale)"
            ),
            (
                "R-3",
                "design = false but no rationale says why this requirement needs no design work"
            ),
        ]
    );
    let delivered: Vec<&str> = of_rule(&f, "requirement-validated-or-delivered")
        .iter()
        .map(|x| x.0)
        .collect();
    assert_eq!(delivered, vec!["R-2", "R-3"]);
    assert!(
        f.iter()
            .filter(|x| x["rule"] == "requirement-validated-or-delivered")
            .all(|x| x["severity"] == "warning")
    );
}

#[test]
fn class_specific_rules_legal_stated_objectives_and_complaints() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "legal, no regulation"
class = "legal"

[[requirement]]
id = "R-2"
title = "legal with regulation"
class = "legal"
regulation = "GB 50411-2019 clause 6.2"

[[requirement]]
id = "R-3"
title = "stated, no source"
class = "stated"

[[requirement]]
id = "R-4"
title = "stated with an empty source"
class = "stated"
source = ""

[[objective]]
id = "O-1"
title = "complete"
metric = "on_time_delivery"
target = ">= 95%"
traces = ["CUS-1"]

[[objective]]
id = "O-2"
title = "no target"
metric = "on_time_delivery"
traces = ["R-2"]

[[objective]]
id = "O-3"
title = "untied"
metric = "on_time_delivery"
target = ">= 95%"

[[feedback]]
id = "F-1"
title = "complaint about nothing"
type = "complaint"

[[feedback]]
id = "F-2"
title = "praise about nothing is fine"
type = "praise"

[[feedback]]
id = "F-3"
title = "complaint about a requirement"
type = "complaint"
about = ["R-2"]
"#,
    );
    let ids = |rule: &str| of_rule(&f, rule).iter().map(|x| x.0).collect::<Vec<_>>();
    assert_eq!(ids("legal-cites-regulation"), vec!["R-1"]);
    assert_eq!(ids("stated-has-source"), vec!["R-3", "R-4"]);
    assert_eq!(
        of_rule(&f, "objective-measurable"),
        vec![
            ("O-2", "quality objective has no target"),
            (
                "O-3",
                "quality objective traces to no requirement or customer"
            ),
        ]
    );
    assert_eq!(ids("complaint-traced"), vec!["F-1"]);
}

/// `same` compares the linked ids of a links field as sets: order and
/// repeats do not matter, one id more or less does; and this holds for long
/// lists as for short ones.
#[test]
fn same_compares_linked_ids_as_sets() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        r#"[project]
name = "t"

[kinds.risk.fields]
threatens = { type = "links", to = ["requirement"] }

[kinds.control]
[kinds.control.fields]
mitigates = { type = "link", to = ["risk"] }
threatens = { type = "links", to = ["requirement"] }

[[rule]]
id = "control-covers-its-risk"
kind = "control"
require = { to = { kind = "risk", via = "mitigates", same = ["threatens"] } }
message = "{id} does not cover what its risk threatens"
"#,
    );
    let reqs: String = (1..=40)
        .map(|i| format!("[[requirement]]\nid = \"R-{i}\"\ntitle = \"r\"\nclass = \"implied\"\ndesign = false\nrationale = \"x\"\n\n"))
        .collect();
    let ids = |range: std::ops::RangeInclusive<u32>| -> String {
        range
            .map(|i| format!("\"R-{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let long: String = ids(1..=40);
    let long_reversed: String = (1..=40)
        .rev()
        .map(|i| format!("\"R-{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let items = format!(
        r#"{reqs}
[[risk]]
id = "K-SHORT"
title = "short"
threatens = ["R-1", "R-2"]

[[risk]]
id = "K-LONG"
title = "long"
threatens = [{long}]

[[risk]]
id = "K-NONE"
title = "threatens nothing"

[[control]]
id = "C-SWAPPED"
title = "same ids, other order, one twice"
mitigates = "K-SHORT"
threatens = ["R-2", "R-1", "R-2"]

[[control]]
id = "C-FEWER"
title = "one missing"
mitigates = "K-SHORT"
threatens = ["R-1"]

[[control]]
id = "C-MORE"
title = "one more"
mitigates = "K-SHORT"
threatens = ["R-1", "R-2", "R-3"]

[[control]]
id = "C-LONG"
title = "all forty, reversed"
mitigates = "K-LONG"
threatens = [{long_reversed}]

[[control]]
id = "C-LONG-SHORT"
title = "thirty-nine of forty"
mitigates = "K-LONG"
threatens = [{}]

[[control]]
id = "C-NONE"
title = "both name nothing"
mitigates = "K-NONE"
"#,
        ids(2..=40)
    );
    write(dir.path(), "items.toml", &items);
    let (code, json) = check_json(dir.path());
    assert_ne!(code, 2, "input error: {json:#}");
    let mut failed: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "control-covers-its-risk")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    failed.sort();
    assert_eq!(failed, ["C-FEWER", "C-LONG-SHORT", "C-MORE", "C-NONE"]);
}

#[test]
fn work_on_a_rejected_requirement_is_a_finding() {
    let f = findings(
        r#"
[[requirement]]
id = "R-1"
title = "rejected, yet designed and delivered"
class = "implied"
contract = "CON-1"

[[requirement]]
id = "R-2"
title = "rejected, and left alone"
class = "implied"
contract = "CON-1"

[[requirement]]
id = "R-3"
title = "rejected first, accepted later"
class = "implied"
contract = "CON-1"
design = false
rationale = "commercial"

[[review]]
id = "REV-1"
contract = "CON-1"
date = 2026-01-10

[[review.decision]]
requirement = "R-1"
verdict = "rejected"

[[review.decision]]
requirement = "R-2"
verdict = "rejected"

[[review.decision]]
requirement = "R-3"
verdict = "rejected"

[[review]]
id = "REV-2"
contract = "CON-1"
date = 2026-02-10

[[review.decision]]
requirement = "R-3"
verdict = "accepted"

[[design_input]]
id = "DI-1"
title = "di"
traces = ["R-1"]

[[delivery]]
id = "DEL-1"
title = "d"
contract = "CON-1"
delivers = ["R-1", "R-3"]
"#,
    );
    assert_eq!(
        of_rule(&f, "rejected-not-worked-on"),
        vec![(
            "R-1",
            "rejected in contract review, yet DEL-1, DI-1 works on it: the organisation declined this requirement, or the review is wrong"
        )]
    );
}

#[test]
fn a_pass_without_evidence_is_a_warning() {
    let f = findings(
        r#"
[[design_input]]
id = "DI-1"
title = "di"
derived = true
rationale = "internal"

[[verification]]
id = "VER-1"
title = "pass, no evidence"
verifies = ["DI-1"]
result = "pass"

[[verification]]
id = "VER-2"
title = "pass with its report"
verifies = ["DI-1"]
result = "pass"
evidence = "Lab report LR-7"

[[verification]]
id = "VER-3"
title = "pending, no evidence yet"
verifies = ["DI-1"]
result = "pending"

[[validation]]
id = "VAL-1"
title = "site acceptance"
result = "pass"
"#,
    );
    let found = of_rule(&f, "pass-has-evidence");
    assert_eq!(
        found.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec!["VER-1", "VAL-1"]
    );
    assert!(found[0].1.starts_with("passed with no evidence"));
    let sev: Vec<&str> = f
        .iter()
        .filter(|x| x["rule"] == "pass-has-evidence")
        .map(|x| x["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, vec!["warning", "warning"]);
}
