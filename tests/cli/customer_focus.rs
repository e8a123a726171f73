//! Design inputs worded so they can be verified, design reviews that still
//! hold, and customer property: the profile's rules for each, on small
//! hand-written projects.

use crate::support::*;
use serde_json::Value;

const BASE: &str = r#"
[[customer]]
id = "CUS-1"
title = "Customer"

[[contract]]
id = "CON-1"
title = "Contract one"
customer = "CUS-1"
"#;

fn project(config: &str, items: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", config);
    write(dir.path(), "base.toml", BASE);
    write(dir.path(), "items.toml", items);
    dir
}

fn findings_of(dir: &std::path::Path) -> Vec<Value> {
    let (code, json) = check_json(dir);
    assert_ne!(code, 2, "input error: {json:#}");
    json["findings"].as_array().unwrap().clone()
}

/// `(id, line, column, message)` of the findings of one rule.
fn of_rule(all: &[Value], rule: &str) -> Vec<(String, u64, Option<u64>, String)> {
    all.iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const PLAIN: &str = "[project]\nname = \"t\"\n";

#[test]
fn vague_words_placeholders_and_and_or_point_at_the_word() {
    let dir = project(
        PLAIN,
        r#"[[design_input]]
id = "DI-1"
title = "Door closes fast"
category = "functional"
derived = true
rationale = "r"

[[design_input]]
id = "DI-2"
title = "外窗气密性能"
category = "functional"
derived = true
rationale = "r"
text = "密封胶条尽量选用三元乙丙材料"

[[design_input]]
id = "DI-3"
title = "抗风压性能等级不低于5级"
category = "functional"
derived = true
rationale = "r"
text = "型材壁厚待定"

[[requirement]]
id = "R-1"
title = "Painted and/or anodised frames"
class = "organisation"

[[requirement]]
id = "R-2"
title = "Fastening torque 25 N·m"
class = "organisation"
"#,
    );
    let all = findings_of(dir.path());
    let vague = of_rule(&all, "wording-vague");
    assert_eq!(vague.len(), 2, "{vague:?}");
    // `fast` in the title, column of the word itself (1-based, in characters).
    assert_eq!(vague[0].0, "DI-1");
    assert_eq!((vague[0].1, vague[0].2), (3, Some(22)));
    assert!(vague[0].3.contains("“fast”"), "{}", vague[0].3);
    // 尽量 in the text; 等 inside 等级 (DI-3) is no finding, and neither is
    // `fast` inside "Fastening" (R-2).
    assert_eq!(vague[1].0, "DI-2");
    assert_eq!((vague[1].1, vague[1].2), (14, Some(13)));
    assert!(vague[1].3.contains("“尽量”"));
    let placeholder = of_rule(&all, "wording-placeholder");
    assert_eq!(
        placeholder
            .iter()
            .map(|f| (f.0.as_str(), f.1, f.2))
            .collect::<Vec<_>>(),
        [("DI-3", 22, Some(13))]
    );
    let and_or = of_rule(&all, "wording-and-or");
    assert_eq!(and_or.len(), 1);
    assert_eq!((and_or[0].0.as_str(), and_or[0].2), ("R-1", Some(18)));
    // The text output shows file:line:column.
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert!(
        r.stdout.contains("items.toml:3:22"),
        "no column in the text output:\n{}",
        r.stdout
    );
}

#[test]
fn a_performance_input_needs_a_number_with_a_unit() {
    let dir = project(
        PLAIN,
        r#"[[design_input]]
id = "DI-1"
title = "Sliding door opens easily"
category = "performance"
derived = true
rationale = "r"

[[design_input]]
id = "DI-2"
title = "Opening force ≤ 50 N"
category = "performance"
derived = true
rationale = "r"

[[design_input]]
id = "DI-3"
title = "摩擦系数"
category = "performance"
derived = true
rationale = "r"
text = "常温摩擦系数 ≥ 0.38"

[[design_input]]
id = "DI-4"
title = "外窗传热系数 K 值满足节能设计"
category = "performance"
derived = true
rationale = "r"

[[design_input]]
id = "DI-5"
title = "Colour as agreed"
category = "functional"
derived = true
rationale = "r"
"#,
    );
    let all = findings_of(dir.path());
    let ids: Vec<String> = of_rule(&all, "performance-has-quantity")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(ids, ["DI-1", "DI-4"]);
}

#[test]
fn a_project_adds_words_and_turns_a_wording_rule_off() {
    let items = r#"[[design_input]]
id = "DI-1"
title = "Seal lasts a lifetime, TBD"
category = "functional"
derived = true
rationale = "r"
"#;
    let dir = project(
        "[project]\nname = \"t\"\n\n[words.vague]\nwords = [\"lifetime\"]\n\n[rules]\nwording-placeholder = \"off\"\n",
        items,
    );
    let all = findings_of(dir.path());
    let vague = of_rule(&all, "wording-vague");
    assert_eq!(vague.len(), 1);
    assert!(vague[0].3.contains("“lifetime”"));
    assert!(of_rule(&all, "wording-placeholder").is_empty());
}

#[test]
fn a_misspelt_word_list_is_an_error_with_a_suggestion() {
    let dir = project(
        "[project]\nname = \"t\"\n\n[[rule]]\nid = \"no-marketing\"\nkind = \"requirement\"\nbuiltin = \"wording\"\nwords = \"vauge\"\nfields = [\"title\"]\nmessage = { en = \"{word}\" }\n",
        "",
    );
    let r = run([
        "check".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 2);
    let json = r.json();
    let places = error_places(&json);
    assert_eq!(places[0].1, "needtrail.toml");
    assert_eq!(places[0].2, 8);
    let text = json.to_string();
    assert!(text.contains("did you mean `vague`?"), "{text}");

    // A field the kind does not have.
    let dir = project(
        "[project]\nname = \"t\"\n\n[[rule]]\nid = \"no-marketing\"\nkind = \"requirement\"\nbuiltin = \"wording\"\nwords = \"vague\"\nfields = [\"txet\"]\nmessage = { en = \"{word}\" }\n",
        "",
    );
    let r = run(["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `text`?"), "{}", r.stderr);
}

const REVIEWED: &str = r#"[[requirement]]
id = "R-1"
title = "Window seals against driving rain"
class = "stated"
source = "contract 3.2"
contract = "CON-1"
design = true

[[design_input]]
id = "DI-1"
title = "Water tightness ≥ 350 Pa"
category = "performance"
traces = ["R-1"]

[[design_input]]
id = "DI-2"
title = "Air tightness ≥ 6 class, q1 ≤ 1.5 m³/(m·h)"
category = "performance"
traces = ["R-1"]
"#;

#[test]
fn a_design_input_is_reviewed_after_its_last_change() {
    let review = r#"
[[design_review]]
id = "DR-1"
title = "Design input review"
contract = "CON-1"
date = 2026-03-02
participants = ["Engineering: Li", "Quality: Wang"]
reviews = ["DI-1"]
result = "approved-with-actions"

[[design_review.action]]
title = "Recalculate the mullion"
status = "open"

[[design_review.action]]
title = "Order test samples"
status = "closed"
closed_on = 2026-03-10
"#;
    let dir = project(PLAIN, &format!("{REVIEWED}{review}"));
    let reviewed = |dir: &std::path::Path| {
        let all = findings_of(dir);
        (
            of_rule(&all, "design-input-reviewed"),
            of_rule(&all, "design-review-action-closed"),
        )
    };
    // Not stamped yet: DI-1 is in the review, DI-2 in none.
    let (inputs, actions) = reviewed(dir.path());
    let ids: Vec<&str> = inputs.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids, ["DI-1", "DI-2"]);
    assert!(inputs[0].3.contains("DR-1"), "{}", inputs[0].3);
    assert!(inputs[1].3.contains("no design review covers"));
    assert_eq!(actions.len(), 1);
    assert!(actions[0].3.contains("DR-1"), "{}", actions[0].3);

    // Stamped after the meeting: DI-1 holds.
    let r = run(["stamp".as_ref(), "DR-1".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (inputs, _) = reviewed(dir.path());
    let ids: Vec<&str> = inputs.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids, ["DI-2"]);

    // DI-1 changes: the review no longer covers it as it is.
    let path = dir.path().join("items.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("≥ 350 Pa", "≥ 500 Pa")).unwrap();
    let (inputs, _) = reviewed(dir.path());
    let ids: Vec<&str> = inputs.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids, ["DI-1", "DI-2"]);
    assert!(inputs[0].3.contains("changed since design review DR-1"));
}

#[test]
fn design_reviews_are_asked_for_only_where_a_contract_keeps_them() {
    // No design review anywhere: nothing asks for one.
    let dir = project(PLAIN, REVIEWED);
    let all = findings_of(dir.path());
    assert!(of_rule(&all, "design-input-reviewed").is_empty());
}

#[test]
fn customer_property_is_reported_when_damaged_and_returned_after_delivery() {
    let items = r#"[[customer_property]]
id = "CP-1"
title = "Customer's gauge"
contract = "CON-1"
condition = "damaged"

[[customer_property]]
id = "CP-2"
title = "Customer's drawings"
contract = "CON-1"
condition = "good"
returned = 2026-05-02

[[customer_property]]
id = "CP-3"
title = "Free-issue steel sub-frames"
contract = "CON-1"
condition = "lost"
reported = "letter QA-2026-12 of 2026-04-02"
accounted = "written off with the customer's consent, letter 2026-04-10"

[[delivery]]
id = "DEL-1"
title = "Lot 1"
contract = "CON-1"
planned = 2026-04-01
actual = 2026-04-01
"#;
    let later = r#"
[[delivery]]
id = "DEL-2"
title = "Lot 2"
contract = "CON-1"
planned = 2026-09-01
"#;
    // A delivery still to come: nothing needs to be back yet.
    let dir = project(PLAIN, &format!("{items}{later}"));
    let all = findings_of(dir.path());
    let ids =
        |rule: &str| -> Vec<String> { of_rule(&all, rule).into_iter().map(|f| f.0).collect() };
    assert_eq!(ids("property-problem-reported"), ["CP-1"]);
    assert!(ids("property-returned").is_empty());
    // Every delivery made: CP-1 is neither returned nor accounted for.
    let dir = project(PLAIN, items);
    let all = findings_of(dir.path());
    let returned: Vec<String> = of_rule(&all, "property-returned")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(returned, ["CP-1"]);
}

#[test]
fn a_contract_with_many_requirements_asks_each_design_input_the_same() {
    // More requirements than the engine walks afresh for each design input
    // (it remembers what it found of the contract): the findings must be
    // those of a small project, item by item.
    let mut items = String::from(
        r#"[[design_review]]
id = "DR-1"
title = "Design input review"
contract = "CON-1"
reviews = ["DI-1"]
"#,
    );
    for n in 1..=150 {
        items.push_str(&format!(
            "\n[[requirement]]\nid = \"R-{n}\"\ntitle = \"Requirement {n}\"\nclass = \"organisation\"\ncontract = \"CON-1\"\ndesign = true\n\n[[design_input]]\nid = \"DI-{n}\"\ntitle = \"Input {n}: 5 mm\"\ncategory = \"functional\"\ntraces = [\"R-{n}\"]\n"
        ));
    }
    let dir = project(PLAIN, &items);
    let all = findings_of(dir.path());
    let reviewed = of_rule(&all, "design-input-reviewed");
    assert_eq!(reviewed.len(), 150);
    // DI-1 is in the review (never stamped): its message names DR-1; the
    // others are in no review.
    let di1 = reviewed.iter().find(|f| f.0 == "DI-1").unwrap();
    assert!(di1.3.contains("DR-1"), "{}", di1.3);
    assert!(
        reviewed
            .iter()
            .filter(|f| f.0 != "DI-1")
            .all(|f| f.3.contains("no design review covers")),
        "{reviewed:?}"
    );
    // Stamped: DI-1 drops out, the rest stay.
    let r = run(["stamp".as_ref(), "DR-1".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = findings_of(dir.path());
    let reviewed = of_rule(&all, "design-input-reviewed");
    assert_eq!(reviewed.len(), 149);
    assert!(!reviewed.iter().any(|f| f.0 == "DI-1"));
}

/// The wording rules of a group read each text once for all their lists;
/// each rule still gets what its own list finds in its own fields, in its
/// own order: here rules of the project that read the fields the other way
/// round, share a list with a built-in rule, or read one field.
#[test]
fn wording_rules_sharing_lists_and_fields_each_find_their_own_word() {
    let config = r#"[project]
name = "t"

[[rule]]
id = "text-then-title"
kind = "requirement"
builtin = "wording"
words = "vague"
fields = ["text", "title"]
message = { en = "{word} in {field}" }

[[rule]]
id = "title-only"
kind = "requirement"
builtin = "wording"
words = "vague"
fields = ["title"]
message = { en = "{word} in {field}" }

[[rule]]
id = "text-placeholder"
kind = "requirement"
builtin = "wording"
words = "placeholder"
fields = ["text"]
message = { en = "{word} in {field}" }
"#;
    let items = r#"[[requirement]]
id = "R-1"
title = "Door closes fast"
text = "Seal adequate, TBD"
class = "organisation"

[[requirement]]
id = "R-2"
title = "Plain"
class = "organisation"

[[requirement]]
id = "R-3"
title = "Quick release"
text = "Plain"
class = "organisation"
"#;
    let dir = project(config, items);
    let (code, json) = check_json(dir.path());
    assert_ne!(code, 2, "{json:#}");
    let all = json["findings"].as_array().unwrap().clone();
    let messages = |rule: &str| -> Vec<(String, String)> {
        of_rule(&all, rule)
            .into_iter()
            .map(|(id, _, _, m)| (id, m))
            .collect()
    };
    let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // The text first where it has a word; else on to the title.
    assert_eq!(
        messages("text-then-title"),
        pairs(&[("R-1", "adequate in text"), ("R-3", "Quick in title")])
    );
    assert_eq!(
        messages("title-only"),
        pairs(&[("R-1", "fast in title"), ("R-3", "Quick in title")])
    );
    assert_eq!(
        messages("text-placeholder"),
        pairs(&[("R-1", "TBD in text")])
    );
    // The built-in rule reads the title first.
    let vague: Vec<(String, String)> = of_rule(&all, "wording-vague")
        .into_iter()
        .map(|(id, _, _, m)| (id, m))
        .collect();
    assert_eq!(vague.len(), 2, "{vague:?}");
    assert!(
        vague[0].0 == "R-1" && vague[0].1.contains("“fast”"),
        "{vague:?}"
    );
    assert!(
        vague[1].0 == "R-3" && vague[1].1.contains("“Quick”"),
        "{vague:?}"
    );
    // A rule applies where one of its fields holds text: R-2 has no text.
    let stats = |rule: &str| {
        let r = json["summary"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == rule)
            .unwrap()
            .clone();
        (
            r["applicable"].as_u64().unwrap(),
            r["failed"].as_u64().unwrap(),
        )
    };
    assert_eq!(stats("text-then-title"), (3, 2));
    assert_eq!(stats("title-only"), (3, 2));
    assert_eq!(stats("text-placeholder"), (2, 1));
}
