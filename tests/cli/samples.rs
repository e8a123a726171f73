//! The bundled samples: `check` finds exactly the gaps their READMEs list.

use crate::support::*;

/// The sample README's `## Deliberate gaps` table.
fn gap_list(sample_dir: &std::path::Path) -> Vec<(String, String, String)> {
    documented_gaps(sample_dir)
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
