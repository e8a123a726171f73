//! The bundled samples: `check` finds exactly the gaps their READMEs list.

use crate::support::*;

/// Reads the `## Deliberate gaps` table of a sample's README.
fn gap_list(sample_dir: &std::path::Path) -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(sample_dir.join("README.md")).expect("sample README");
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

fn assert_sample(name: &str) {
    let dir = sample(name);
    let expected = gap_list(&dir);
    let (code, json) = check_json(&dir);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        finding_set(&json),
        expected,
        "findings differ from the README's gap list"
    );
}

#[test]
fn doors_zh_findings_are_its_documented_gaps() {
    assert_sample("doors-zh");
}

#[test]
fn auto_parts_en_findings_are_its_documented_gaps() {
    assert_sample("auto-parts-en");
}

#[test]
fn samples_together_exercise_every_builtin_rule() {
    let mut rules = std::collections::BTreeSet::new();
    for name in ["doors-zh", "auto-parts-en"] {
        for (rule, _, _) in gap_list(&sample(name)) {
            rules.insert(rule);
        }
    }
    for rule in [
        "requirement-reviewed",
        "requirement-clarify-open",
        "legal-cites-regulation",
        "stated-has-source",
        "requirement-has-design-input",
        "design-input-traced",
        "objective-measurable",
        "complaint-traced",
        "design-input-verified",
        "requirement-validated-or-delivered",
    ] {
        assert!(rules.contains(rule), "no sample shows {rule}");
    }
}
