//! Quality objectives, scorecards and the complaint loop, measured by the
//! real binary on small hand-written projects. Every expected number is
//! worked out by hand in the comments next to the records it comes from, so
//! a wrong metric shows up as a wrong number, not as a changed snapshot.
//!
//! Dates: 2026 is not a leap year (February has 28 days).

use std::ffi::OsStr;
use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// Customers and contracts most projects below share.
const BASE: &str = r#"
[[customer]]
id = "CUS-A"
title = "Customer A"
type = "external"

[[customer]]
id = "CUS-B"
title = "Customer B"
type = "external"

[[contract]]
id = "CON-A"
title = "Contract with A"
customer = "CUS-A"

[[contract]]
id = "CON-A2"
title = "Second contract with A"
customer = "CUS-A"

[[contract]]
id = "CON-B"
title = "Contract with B"
customer = "CUS-B"

[[requirement]]
id = "R-0"
title = "A requirement an objective can trace to"
class = "organisation"
"#;

const PROJECT: &str = "[project]\nname = \"t\"\n";

/// A project folder: needtrail.toml (`PROJECT` unless given) and BASE, plus
/// the files given.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", PROJECT);
    write(dir.path(), "base.toml", BASE);
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

/// Runs needtrail with `SOURCE_DATE_EPOCH` set as given, or unset (so the
/// environment the tests run in cannot move the as-of date).
fn run_with_epoch(args: &[&OsStr], epoch: Option<&str>) -> Run {
    let mut cmd = needtrail();
    cmd.args(args);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `objectives DIR --format json`, which must succeed.
fn measure(dir: &Path) -> Value {
    measure_at(dir, None)
}

fn measure_at(dir: &Path, epoch: Option<&str>) -> Value {
    let r = run_with_epoch(
        &[
            "objectives".as_ref(),
            dir.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        epoch,
    );
    assert_eq!(r.code, 0, "objectives failed:\n{}", r.stderr);
    r.json()
}

/// `check DIR --format json`: the findings of some rules as `(rule, id,
/// message)`, in report order.
fn findings_of(dir: &Path, epoch: Option<&str>, rules: &[&str]) -> Vec<(String, String, String)> {
    let r = run_with_epoch(
        &[
            "check".as_ref(),
            dir.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        epoch,
    );
    assert_ne!(r.code, 2, "input error:\n{}", r.stderr);
    r.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn finding(rule: &str, id: &str, message: &str) -> (String, String, String) {
    (rule.to_owned(), id.to_owned(), message.to_owned())
}

/// One objective of an `objectives --format json` answer.
fn objective<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["objectives"]
        .as_array()
        .expect("objectives array")
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no objective {id} in {json:#}"))
}

/// `(actual, met, records)` of an objective.
fn headline(o: &Value) -> (Option<f64>, Option<bool>, u64) {
    (
        o["actual"].as_f64(),
        o["met"].as_bool(),
        o["records"].as_u64().expect("records"),
    )
}

/// One period of an objective's results: `(period, actual, met, records)`.
type P = (String, Option<f64>, Option<bool>, u64);

fn periods(o: &Value) -> Vec<P> {
    o["periods"]
        .as_array()
        .expect("periods array")
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_owned(),
                p["actual"].as_f64(),
                p["met"].as_bool(),
                p["records"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn p(period: &str, actual: Option<f64>, met: Option<bool>, records: u64) -> P {
    (period.to_owned(), actual, met, records)
}

/// A period with no data: no value, nothing to judge, no records.
fn empty(period: &str) -> P {
    p(period, None, None, 0)
}

fn trend(o: &Value) -> Option<&str> {
    o["trend"].as_str()
}

// ---------------------------------------------------------------------------
// on_time_delivery

const DELIVERIES: &str = r#"
[[delivery]]
id = "D-1"
title = "two days early"
contract = "CON-A"
planned = 2026-01-10
actual = 2026-01-08

[[delivery]]
id = "D-2"
title = "on the day: on time"
contract = "CON-A"
planned = 2026-02-10
actual = 2026-02-10

[[delivery]]
id = "D-3"
title = "one day late"
contract = "CON-A"
planned = 2026-02-20
actual = 2026-02-21

[[delivery]]
id = "D-4"
title = "not made yet: not counted"
contract = "CON-A"
planned = 2026-03-05

[[delivery]]
id = "D-5"
title = "planned in March, made late in April: counts in March"
contract = "CON-B"
planned = 2026-03-31
actual = 2026-04-02

[[delivery]]
id = "D-6"
title = "early, second quarter"
contract = "CON-B"
planned = 2026-05-15
actual = 2026-05-12

[[delivery]]
id = "D-7"
title = "on time, in 2025"
contract = "CON-A"
planned = 2025-12-20
actual = 2025-12-19

[[delivery]]
id = "D-8"
title = "made, but never planned: not counted"
contract = "CON-A"
actual = 2026-02-01
"#;

const ON_TIME_OBJECTIVES: &str = r#"
[[objective]]
id = "OT-YEAR"
title = "On time in 2026"
metric = "on_time_delivery"
target = ">= 60%"
period = "2026"
traces = ["R-0"]

[[objective]]
id = "OT-Q1"
title = "On time in the first quarter"
metric = "on_time_delivery"
target = "> 50%"
period = "2026-Q1"
traces = ["R-0"]

[[objective]]
id = "OT-H1"
title = "On time in the first half"
metric = "on_time_delivery"
target = ">= 60%"
period = "2026-H1"
traces = ["R-0"]

[[objective]]
id = "OT-MAR"
title = "On time in March"
metric = "on_time_delivery"
target = ">= 95%"
period = "2026-03"
traces = ["R-0"]

[[objective]]
id = "OT-ALL"
title = "On time, every delivery ever"
metric = "on_time_delivery"
target = ">= 60%"
traces = ["R-0"]

[[objective]]
id = "OT-A"
title = "On time to A"
metric = "on_time_delivery"
target = ">= 60%"
customer = "CUS-A"
traces = ["R-0"]

[[objective]]
id = "OT-B"
title = "On time to B, by tracing to B only"
metric = "on_time_delivery"
target = ">= 60%"
traces = ["CUS-B"]

[[objective]]
id = "OT-MIXED"
title = "Traces to B and to a requirement: not scoped"
metric = "on_time_delivery"
target = ">= 60%"
traces = ["CUS-B", "R-0"]

[[objective]]
id = "OT-A2"
title = "On time on the second contract with A, which has no deliveries"
metric = "on_time_delivery"
target = ">= 60%"
contract = "CON-A2"
traces = ["R-0"]
"#;

#[test]
fn on_time_delivery_counts_made_deliveries_by_planned_date() {
    let dir = project(&[
        ("deliveries.toml", DELIVERIES),
        ("objectives.toml", ON_TIME_OBJECTIVES),
    ]);
    let json = measure(dir.path());

    // On time: D-1 (early), D-2 (on the day), D-6, D-7. Late: D-3, D-5.
    // Not counted: D-4 (no actual), D-8 (no planned).
    //
    // 2026: D-1 ✓ D-2 ✓ D-3 ✗ D-5 ✗ D-6 ✓ = 3 of 5 = 60%, exactly the target.
    // Q1 by planned date: D-1 ✓ D-2 ✓ D-3 ✗ D-5 ✗ (planned 03-31, made in
    // April) = 2/4 = 50%; Q2: D-6 = 100%; Q3, Q4: no deliveries.
    let o = objective(&json, "OT-YEAR");
    assert_eq!(o["unit"], "percent");
    assert_eq!(o["target"], ">= 60%");
    assert_eq!(o["metric"], "on_time_delivery");
    assert_eq!(headline(o), (Some(60.0), Some(true), 5));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(50.0), Some(false), 4),
            p("2026-Q2", Some(100.0), Some(true), 1),
            empty("2026-Q3"),
            empty("2026-Q4"),
        ]
    );
    assert_eq!(trend(o), Some("improving"), "50% then 100%");
    assert_eq!(o["note"], Value::Null);

    // Q1: D-1 ✓ D-2 ✓ D-3 ✗ D-5 ✗ = 50%, not > 50%. By month: January D-1
    // = 100%; February D-2 ✓ D-3 ✗ = 50%; March D-5 ✗ = 0% (D-4 has no
    // actual date and is not counted).
    let o = objective(&json, "OT-Q1");
    assert_eq!(headline(o), (Some(50.0), Some(false), 4));
    assert_eq!(
        periods(o),
        vec![
            p("2026-01", Some(100.0), Some(true), 1),
            p("2026-02", Some(50.0), Some(false), 2),
            p("2026-03", Some(0.0), Some(false), 1),
        ]
    );
    assert_eq!(trend(o), Some("worsening"), "50% then 0%");

    // The first half holds the same five deliveries as the year: 60%; a
    // half is broken into months. April and June have no planned delivery.
    let o = objective(&json, "OT-H1");
    assert_eq!(headline(o), (Some(60.0), Some(true), 5));
    assert_eq!(
        periods(o),
        vec![
            p("2026-01", Some(100.0), Some(true), 1),
            p("2026-02", Some(50.0), Some(false), 2),
            p("2026-03", Some(0.0), Some(false), 1),
            empty("2026-04"),
            p("2026-05", Some(100.0), Some(true), 1),
            empty("2026-06"),
        ]
    );
    assert_eq!(trend(o), Some("improving"), "March 0%, May 100%");

    // March: D-5 only (late) = 0%; one period, so no trend.
    let o = objective(&json, "OT-MAR");
    assert_eq!(headline(o), (Some(0.0), Some(false), 1));
    assert_eq!(periods(o), vec![p("2026-03", Some(0.0), Some(false), 1)]);
    assert_eq!(trend(o), None);

    // No period: every delivery, D-7 of 2025 too: 4 of 6 = 66.67%, by the
    // quarters the planned dates fall in.
    let o = objective(&json, "OT-ALL");
    assert_eq!(headline(o), (Some(66.67), Some(true), 6));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q4", Some(100.0), Some(true), 1),
            p("2026-Q1", Some(50.0), Some(false), 4),
            p("2026-Q2", Some(100.0), Some(true), 1),
        ]
    );

    // Customer A (contracts CON-A, CON-A2): D-7 ✓ D-1 ✓ D-2 ✓ D-3 ✗ = 3/4.
    // 2025-Q4: D-7 = 100%; 2026-Q1: 2 of 3 = 66.67%.
    let o = objective(&json, "OT-A");
    assert_eq!(headline(o), (Some(75.0), Some(true), 4));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q4", Some(100.0), Some(true), 1),
            p("2026-Q1", Some(66.67), Some(true), 3),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // Tracing only to customer B measures B's deliveries: D-5 ✗ D-6 ✓ = 50%.
    let o = objective(&json, "OT-B");
    assert_eq!(headline(o), (Some(50.0), Some(false), 2));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(0.0), Some(false), 1),
            p("2026-Q2", Some(100.0), Some(true), 1),
        ]
    );

    // Tracing to a requirement as well: not scoped, the same as OT-ALL.
    let o = objective(&json, "OT-MIXED");
    assert_eq!(headline(o), (Some(66.67), Some(true), 6));

    // Contract CON-A2 has no deliveries: nothing to measure, nothing judged.
    let o = objective(&json, "OT-A2");
    assert_eq!(headline(o), (None, None, 0));
    assert_eq!(o["note"], "no records to measure yet");
    assert_eq!(periods(o), vec![]);
    assert_eq!(trend(o), None);

    // `check` reports exactly the missed ones, with actual and target.
    assert_eq!(
        findings_of(dir.path(), None, &["objective-missed"]),
        vec![
            finding(
                "objective-missed",
                "OT-Q1",
                "objective missed: actual 50% against target > 50%"
            ),
            finding(
                "objective-missed",
                "OT-MAR",
                "objective missed: actual 0% against target >= 95%"
            ),
            finding(
                "objective-missed",
                "OT-B",
                "objective missed: actual 50% against target >= 60%"
            ),
        ]
    );
}

#[test]
fn with_no_deliveries_made_there_is_no_value_and_nothing_is_judged() {
    let dir = project(&[
        (
            "deliveries.toml",
            r#"
[[delivery]]
id = "D-1"
title = "planned, not made yet"
contract = "CON-A"
planned = 2026-02-01

[[feedback]]
id = "F-1"
title = "a complaint, but no delivery made"
type = "complaint"
about = ["D-1"]
customer = "CUS-A"
date = 2026-02-10
action = "call back"
"#,
        ),
        (
            "objectives.toml",
            r#"
[[objective]]
id = "N-Q1"
title = "On time in Q1"
metric = "on_time_delivery"
target = ">= 95%"
period = "2026-Q1"
traces = ["CUS-A"]

[[objective]]
id = "N-ALL"
title = "On time, no period"
metric = "on_time_delivery"
target = ">= 95%"
traces = ["CUS-A"]

[[objective]]
id = "N-CPD"
title = "Complaints per delivery"
metric = "complaints_per_delivery"
target = "<= 0.1"
traces = ["CUS-A"]
"#,
        ),
    ]);
    let json = measure(dir.path());

    // D-1 has no actual date: not counted, so there is no share at all.
    let o = objective(&json, "N-Q1");
    assert_eq!(headline(o), (None, None, 0));
    assert_eq!(o["note"], "no records to measure yet");
    assert_eq!(o["unit"], "percent");
    // The quarter's months are all listed, none with data.
    assert_eq!(
        periods(o),
        vec![empty("2026-01"), empty("2026-02"), empty("2026-03")]
    );
    assert_eq!(trend(o), None);

    // Without a period, no dated record gives no periods at all.
    let o = objective(&json, "N-ALL");
    assert_eq!(headline(o), (None, None, 0));
    assert_eq!(periods(o), vec![]);

    // One complaint and no delivery made: a ratio over zero deliveries is
    // no value (not infinity, not 0). The complaint is the one record seen.
    let o = objective(&json, "N-CPD");
    assert_eq!(o["unit"], "number");
    assert_eq!(headline(o), (None, None, 1));
    assert_eq!(o["note"], "no records to measure yet");
    assert_eq!(periods(o), vec![p("2026-Q1", None, None, 1)]);

    // Nothing measured is nothing missed.
    assert_eq!(findings_of(dir.path(), None, &["objective-missed"]), vec![]);
}

// ---------------------------------------------------------------------------
// verification_first_pass

const DESIGN: &str = r#"
[[requirement]]
id = "R-1"
title = "of contract A"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-2"
title = "of contract B"
class = "implied"
contract = "CON-B"

[[design_input]]
id = "DI-1"
title = "failed, then passed the retest"
traces = ["R-1"]

[[design_input]]
id = "DI-2"
title = "pending, then passed"
traces = ["R-1"]

[[design_input]]
id = "DI-3"
title = "only pending"
traces = ["R-1"]

[[design_input]]
id = "DI-4"
title = "failed and passed on the same day"
traces = ["R-2"]

[[design_input]]
id = "DI-5"
title = "passed in April"
traces = ["R-2"]

[[design_input]]
id = "DI-6"
title = "failed in 2025, passed in 2026"
traces = ["R-1"]

[[design_output]]
id = "DO-1"
title = "output of DI-1"
satisfies = ["DI-1"]

[[design_output]]
id = "DO-2"
title = "output of DI-5"
satisfies = ["DI-5"]
"#;

const VERIFICATIONS: &str = r#"
# The retest of DI-1 comes first in the file, but the first verification
# is the earliest by date: V-2, which failed.
[[verification]]
id = "V-1"
title = "DI-1 retest"
verifies = ["DI-1"]
result = "pass"
date = 2026-01-20

[[verification]]
id = "V-2"
title = "DI-1 first test"
verifies = ["DI-1"]
result = "fail"
date = 2026-01-10

[[verification]]
id = "V-3"
title = "DI-2, no result yet"
verifies = ["DI-2"]
result = "pending"
date = 2026-01-05

[[verification]]
id = "V-4"
title = "DI-2 passes"
verifies = ["DI-2"]
result = "pass"
date = 2026-02-03

[[verification]]
id = "V-5"
title = "DO-1 passes"
verifies = ["DO-1"]
result = "pass"
date = 2026-02-15

[[verification]]
id = "V-6"
title = "DI-3, no result yet"
verifies = ["DI-3"]
result = "pending"
date = 2026-02-20

# Same day: file order decides, and the fail comes first.
[[verification]]
id = "V-7"
title = "DI-4 fails"
verifies = ["DI-4"]
result = "fail"
date = 2026-03-01

[[verification]]
id = "V-8"
title = "DI-4 passes"
verifies = ["DI-4"]
result = "pass"
date = 2026-03-01

[[verification]]
id = "V-9"
title = "one test verifying two items"
verifies = ["DI-5", "DO-2"]
result = "pass"
date = 2026-04-10

[[verification]]
id = "V-10"
title = "DI-6 fails in 2025"
verifies = ["DI-6"]
result = "fail"
date = 2025-12-20

[[verification]]
id = "V-11"
title = "DI-6 passes in 2026"
verifies = ["DI-6"]
result = "pass"
date = 2026-01-05
"#;

#[test]
fn first_pass_is_each_verified_items_first_result_by_date_then_file_order() {
    let dir = project(&[
        ("design.toml", DESIGN),
        ("verification.toml", VERIFICATIONS),
        (
            "objectives.toml",
            r#"
[[objective]]
id = "FP-YEAR"
title = "first pass 2026"
metric = "verification_first_pass"
target = ">= 60%"
period = "2026"
traces = ["R-0"]

[[objective]]
id = "FP-Q1"
title = "first pass Q1"
metric = "verification_first_pass"
target = ">= 60%"
period = "2026-Q1"
traces = ["R-0"]

[[objective]]
id = "FP-ALL"
title = "first pass, all"
metric = "verification_first_pass"
target = ">= 60%"
traces = ["R-0"]

[[objective]]
id = "FP-B"
title = "first pass on contract B"
metric = "verification_first_pass"
target = ">= 60%"
contract = "CON-B"
traces = ["R-0"]

[[objective]]
id = "FP-A"
title = "first pass for customer A"
metric = "verification_first_pass"
target = ">= 60%"
customer = "CUS-A"
traces = ["R-0"]
"#,
        ),
    ]);
    let json = measure(dir.path());

    // Each verified item's first verification with a result:
    //   DI-1  V-2 fail 2026-01-10 (the pass of V-1 is a retest, later)
    //   DI-2  V-4 pass 2026-02-03 (V-3 is pending, ignored)
    //   DO-1  V-5 pass 2026-02-15
    //   DI-3  only pending: not counted
    //   DI-4  V-7 fail 2026-03-01 (same day as V-8's pass, earlier in the file)
    //   DI-5  V-9 pass 2026-04-10
    //   DO-2  V-9 pass 2026-04-10
    //   DI-6  V-10 fail 2025-12-20: belongs to 2025
    //
    // 2026: DI-1 ✗ DI-2 ✓ DO-1 ✓ DI-4 ✗ DI-5 ✓ DO-2 ✓ = 4/6 = 66.67%.
    // Q1: DI-1 ✗ DI-2 ✓ DO-1 ✓ DI-4 ✗ = 50%; Q2: DI-5 ✓ DO-2 ✓ = 100%.
    let o = objective(&json, "FP-YEAR");
    assert_eq!(o["unit"], "percent");
    assert_eq!(headline(o), (Some(66.67), Some(true), 6));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(50.0), Some(false), 4),
            p("2026-Q2", Some(100.0), Some(true), 2),
            empty("2026-Q3"),
            empty("2026-Q4"),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // Q1 by month: January DI-1 ✗ = 0%; February DI-2 ✓ DO-1 ✓ = 100%;
    // March DI-4 ✗ = 0%. In all 2 of 4 = 50%.
    let o = objective(&json, "FP-Q1");
    assert_eq!(headline(o), (Some(50.0), Some(false), 4));
    assert_eq!(
        periods(o),
        vec![
            p("2026-01", Some(0.0), Some(false), 1),
            p("2026-02", Some(100.0), Some(true), 2),
            p("2026-03", Some(0.0), Some(false), 1),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // All: DI-6 ✗ of 2025 too: 4 of 7 = 57.14%.
    let o = objective(&json, "FP-ALL");
    assert_eq!(headline(o), (Some(57.14), Some(false), 7));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q4", Some(0.0), Some(false), 1),
            p("2026-Q1", Some(50.0), Some(false), 4),
            p("2026-Q2", Some(100.0), Some(true), 2),
        ]
    );

    // Contract B: items whose thread leads up to R-2: DI-4 ✗ DI-5 ✓ and
    // DO-2 ✓ (through DI-5) = 2/3.
    let o = objective(&json, "FP-B");
    assert_eq!(headline(o), (Some(66.67), Some(true), 3));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(0.0), Some(false), 1),
            p("2026-Q2", Some(100.0), Some(true), 2),
        ]
    );

    // Customer A (R-1 of CON-A): DI-6 ✗ (2025), DI-1 ✗ DI-2 ✓ DO-1 ✓ = 2/4.
    let o = objective(&json, "FP-A");
    assert_eq!(headline(o), (Some(50.0), Some(false), 4));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q4", Some(0.0), Some(false), 1),
            p("2026-Q1", Some(66.67), Some(true), 3),
        ]
    );
}

// ---------------------------------------------------------------------------
// contract_fulfilment

#[test]
fn contract_fulfilment_counts_accepted_requirements_delivered_directly_or_through_design() {
    let dir = project(&[(
        "contract.toml",
        r#"
[[requirement]]
id = "R-1"
title = "accepted, delivered directly"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-2"
title = "accepted, then rejected on re-review"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-3"
title = "deviation, delivered through design"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-4"
title = "rejected"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-5"
title = "clarify, then accepted; not delivered"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-6"
title = "accepted, designed, the output never delivered"
class = "implied"
contract = "CON-A"

[[requirement]]
id = "R-7"
title = "accepted on contract B, delivered"
class = "implied"
contract = "CON-B"

# Decisions take the date of their review.
[[review]]
id = "REV-1"
title = "first review of A"
contract = "CON-A"
date = 2026-01-10
[[review.decision]]
requirement = "R-1"
verdict = "accepted"
[[review.decision]]
requirement = "R-2"
verdict = "accepted"
[[review.decision]]
requirement = "R-3"
verdict = "deviation"
[[review.decision]]
requirement = "R-4"
verdict = "rejected"
[[review.decision]]
requirement = "R-5"
verdict = "clarify"
[[review.decision]]
requirement = "R-6"
verdict = "accepted"

[[review]]
id = "REV-2"
title = "re-review of A"
contract = "CON-A"
date = 2026-02-15
[[review.decision]]
requirement = "R-5"
verdict = "accepted"
[[review.decision]]
requirement = "R-2"
verdict = "rejected"

[[review]]
id = "REV-3"
title = "review of B"
contract = "CON-B"
date = 2026-04-05
[[review.decision]]
requirement = "R-7"
verdict = "accepted"

[[design_input]]
id = "DI-3"
title = "for R-3"
traces = ["R-3"]

[[design_output]]
id = "DO-3"
title = "for DI-3"
satisfies = ["DI-3"]

[[design_input]]
id = "DI-6"
title = "for R-6"
traces = ["R-6"]

[[design_output]]
id = "DO-6"
title = "for DI-6, never shipped"
satisfies = ["DI-6"]

[[delivery]]
id = "D-1"
title = "R-1 itself"
contract = "CON-A"
delivers = ["R-1"]

[[delivery]]
id = "D-2"
title = "the output of R-3's design"
contract = "CON-A"
delivers = ["DO-3"]

[[delivery]]
id = "D-7"
title = "R-7"
contract = "CON-B"
delivers = ["R-7"]

[[objective]]
id = "CF-Q1"
title = "fulfilment in Q1"
metric = "contract_fulfilment"
target = ">= 90%"
period = "2026-Q1"
traces = ["R-0"]

[[objective]]
id = "CF-ALL"
title = "fulfilment, all"
metric = "contract_fulfilment"
target = "= 100%"
traces = ["R-0"]

[[objective]]
id = "CF-A"
title = "fulfilment of contract A"
metric = "contract_fulfilment"
target = ">= 50%"
contract = "CON-A"
traces = ["R-0"]

[[objective]]
id = "CF-B"
title = "fulfilment for customer B"
metric = "contract_fulfilment"
target = "= 100%"
traces = ["CUS-B"]
"#,
    )]);
    let json = measure(dir.path());

    // Latest decision of each requirement, and whether it is delivered:
    //   R-1  accepted  2026-01-10  ✓ D-1 delivers it
    //   R-2  rejected  2026-02-15  (latest decision; not counted)
    //   R-3  deviation 2026-01-10  ✓ DI-3 → DO-3 → D-2
    //   R-4  rejected             (not counted)
    //   R-5  accepted  2026-02-15  ✗ (the earlier clarify does not count)
    //   R-6  accepted  2026-01-10  ✗ DO-6 is never delivered
    //   R-7  accepted  2026-04-05  ✓ D-7
    //
    // Q1: R-1 ✓ R-3 ✓ R-6 ✗ R-5 ✗ = 50%. January 2 of 3 = 66.67%,
    // February 0 of 1, March none.
    let o = objective(&json, "CF-Q1");
    assert_eq!(o["unit"], "percent");
    assert_eq!(headline(o), (Some(50.0), Some(false), 4));
    assert_eq!(
        periods(o),
        vec![
            p("2026-01", Some(66.67), Some(false), 3),
            p("2026-02", Some(0.0), Some(false), 1),
            empty("2026-03"),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // All: + R-7 ✓ in Q2 = 3 of 5 = 60%; "= 100%" is missed. 50% then
    // 100% moves towards the target's value: improving.
    let o = objective(&json, "CF-ALL");
    assert_eq!(headline(o), (Some(60.0), Some(false), 5));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(50.0), Some(false), 4),
            p("2026-Q2", Some(100.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // Contract A: R-1, R-3, R-5, R-6 = 50%, met at the boundary.
    let o = objective(&json, "CF-A");
    assert_eq!(headline(o), (Some(50.0), Some(true), 4));
    assert_eq!(periods(o), vec![p("2026-Q1", Some(50.0), Some(true), 4)]);

    // Customer B: R-7 only = 100%.
    let o = objective(&json, "CF-B");
    assert_eq!(headline(o), (Some(100.0), Some(true), 1));
}

// ---------------------------------------------------------------------------
// complaints_per_delivery, customer_satisfaction, scorecards

const FEEDBACK: &str = r#"
[[delivery]]
id = "DA-1"
title = "A, on time"
contract = "CON-A"
planned = 2026-01-15
actual = 2026-01-15

[[delivery]]
id = "DA-2"
title = "A, five days late"
contract = "CON-A"
planned = 2026-02-10
actual = 2026-02-15

[[delivery]]
id = "DA-3"
title = "A's second contract, on time"
contract = "CON-A2"
planned = 2026-04-10
actual = 2026-04-10

[[delivery]]
id = "DA-4"
title = "A, not made yet"
contract = "CON-A"
planned = 2026-05-01

[[delivery]]
id = "DB-1"
title = "B, on time"
contract = "CON-B"
planned = 2026-01-20
actual = 2026-01-20

[[feedback]]
id = "F-1"
title = "A complains about DA-1"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-02-01
action = "replaced"

[[feedback]]
id = "F-2"
title = "B complains"
type = "complaint"
about = ["DB-1"]
customer = "CUS-B"
date = 2026-03-01
action = "replaced"

[[feedback]]
id = "F-3"
title = "a complaint about DA-3, no customer named: A's through the contract"
type = "complaint"
about = ["DA-3"]
date = 2026-04-20
action = "replaced"

[[feedback]]
id = "F-4"
title = "A's survey"
type = "survey"
customer = "CUS-A"
date = 2026-03-10
score = 80

[[feedback]]
id = "F-5"
title = "A's return visit"
type = "return-visit"
about = ["DA-3"]
customer = "CUS-A"
date = 2026-06-10
score = 90

[[feedback]]
id = "F-6"
title = "B's survey"
type = "survey"
customer = "CUS-B"
date = 2026-03-15
score = 60

[[feedback]]
id = "F-7"
title = "praise is not a survey"
type = "praise"
customer = "CUS-A"
date = 2026-03-20
score = 100

[[feedback]]
id = "F-8"
title = "a survey without a score"
type = "survey"
customer = "CUS-A"
date = 2026-05-01

[[feedback]]
id = "F-9"
title = "A complains in July, no delivery made in July"
type = "complaint"
about = ["DA-4"]
customer = "CUS-A"
date = 2026-07-05
action = "explained"
"#;

const FEEDBACK_OBJECTIVES: &str = r#"
[[objective]]
id = "C-ALL"
title = "complaints per delivery"
metric = "complaints_per_delivery"
target = "<= 0.5"
traces = ["R-0"]

[[objective]]
id = "C-H1"
title = "complaints per delivery, first half"
metric = "complaints_per_delivery"
target = "<= 0.7"
period = "2026-H1"
traces = ["R-0"]

[[objective]]
id = "C-A"
title = "complaints per delivery to A"
metric = "complaints_per_delivery"
target = "<= 1"
customer = "CUS-A"
traces = ["R-0"]

[[objective]]
id = "C-A2"
title = "complaints per delivery on A's second contract"
metric = "complaints_per_delivery"
target = "< 1"
contract = "CON-A2"
traces = ["R-0"]

[[objective]]
id = "C-B"
title = "complaints per delivery to B"
metric = "complaints_per_delivery"
target = "<= 1"
traces = ["CUS-B"]

[[objective]]
id = "S-ALL"
title = "satisfaction"
metric = "customer_satisfaction"
target = ">= 75"
traces = ["R-0"]

[[objective]]
id = "S-A"
title = "A's satisfaction"
metric = "customer_satisfaction"
target = ">= 75"
traces = ["CUS-A"]

[[objective]]
id = "S-B"
title = "B's satisfaction"
metric = "customer_satisfaction"
target = ">= 75"
customer = "CUS-B"
traces = ["R-0"]

[[objective]]
id = "S-MIXED"
title = "traces to B and a requirement: not scoped"
metric = "customer_satisfaction"
target = ">= 75"
traces = ["CUS-B", "R-0"]
"#;

#[test]
fn complaints_per_delivery_and_satisfaction_scoped_by_customer_and_contract() {
    let dir = project(&[
        ("feedback.toml", FEEDBACK),
        ("objectives.toml", FEEDBACK_OBJECTIVES),
    ]);
    let json = measure(dir.path());

    // Deliveries made (actual date): DA-1 01-15, DA-2 02-15, DB-1 01-20,
    // DA-3 04-10 (DA-4 not made). Complaints: F-1 02-01, F-2 03-01,
    // F-3 04-20, F-9 07-05.
    //
    // All: 4 complaints / 4 deliveries = 1. Q1: F-1 F-2 / DA-1 DA-2 DB-1 =
    // 2/3 = 0.67; Q2: F-3 / DA-3 = 1; Q3: F-9 and no delivery: no value.
    // Lower is better, so 0.67 → 1 is worsening.
    let o = objective(&json, "C-ALL");
    assert_eq!(o["unit"], "number");
    assert_eq!(headline(o), (Some(1.0), Some(false), 8));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(0.67), Some(false), 5),
            p("2026-Q2", Some(1.0), Some(false), 2),
            p("2026-Q3", None, None, 1),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // First half, by month: Jan DA-1 DB-1, no complaint = 0; Feb F-1 / DA-2
    // = 1; Mar F-2, no delivery: none; Apr F-3 / DA-3 = 1; May, Jun nothing.
    // In all 3 / 4 = 0.75 against <= 0.7. February 1, April 1: steady.
    let o = objective(&json, "C-H1");
    assert_eq!(headline(o), (Some(0.75), Some(false), 7));
    assert_eq!(
        periods(o),
        vec![
            p("2026-01", Some(0.0), Some(true), 2),
            p("2026-02", Some(1.0), Some(false), 2),
            p("2026-03", None, None, 1),
            p("2026-04", Some(1.0), Some(false), 2),
            empty("2026-05"),
            empty("2026-06"),
        ]
    );
    assert_eq!(trend(o), Some("steady"));

    // Customer A: F-1, F-3 (through DA-3 → CON-A2 → CUS-A), F-9 / DA-1,
    // DA-2, DA-3 = 1. Q1 F-1 / DA-1 DA-2 = 0.5; Q2 F-3 / DA-3 = 1.
    let o = objective(&json, "C-A");
    assert_eq!(headline(o), (Some(1.0), Some(true), 6));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(0.5), Some(true), 3),
            p("2026-Q2", Some(1.0), Some(true), 2),
            p("2026-Q3", None, None, 1),
        ]
    );

    // Contract CON-A2: F-3 / DA-3 = 1, not < 1.
    let o = objective(&json, "C-A2");
    assert_eq!(headline(o), (Some(1.0), Some(false), 2));
    assert_eq!(periods(o), vec![p("2026-Q2", Some(1.0), Some(false), 2)]);

    // Customer B: F-2 / DB-1 = 1.
    let o = objective(&json, "C-B");
    assert_eq!(headline(o), (Some(1.0), Some(true), 2));

    // Satisfaction: surveys and return visits with a score: F-4 80, F-6 60,
    // F-5 90 (praise F-7 and the scoreless F-8 do not count). Mean 230 / 3
    // = 76.67. Q1: (80 + 60) / 2 = 70; Q2: 90.
    let o = objective(&json, "S-ALL");
    assert_eq!(o["unit"], "number");
    assert_eq!(headline(o), (Some(76.67), Some(true), 3));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(70.0), Some(false), 2),
            p("2026-Q2", Some(90.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // A: (80 + 90) / 2 = 85. B: 60. Not scoped: as S-ALL.
    assert_eq!(
        headline(objective(&json, "S-A")),
        (Some(85.0), Some(true), 2)
    );
    assert_eq!(
        headline(objective(&json, "S-B")),
        (Some(60.0), Some(false), 1)
    );
    assert_eq!(
        headline(objective(&json, "S-MIXED")),
        (Some(76.67), Some(true), 3)
    );
}

#[test]
fn scorecards_weigh_each_criterion_by_how_close_it_comes_to_its_target() {
    let customers = r#"
[[customer]]
id = "CUS-C"
title = "Customer C, who scores its suppliers"
type = "external"

[[customer.criterion]]
name = "Delivery"
weight = 50
metric = "on_time_delivery"
target = ">= 90%"

[[customer.criterion]]
name = "Quality"
weight = 30
metric = "complaints_per_delivery"
target = "<= 0.5"

[[customer.criterion]]
name = "Service"
weight = 20
metric = "customer_satisfaction"
target = ">= 100"

[[customer]]
id = "CUS-D"
title = "Customer D: on time with no target, satisfaction exactly 100"
type = "external"

[[customer.criterion]]
name = "Delivery"
weight = 10
metric = "on_time_delivery"

[[customer.criterion]]
name = "Service"
weight = 10
metric = "customer_satisfaction"
target = "= 100"

[[contract]]
id = "CON-C"
title = "C's contract"
customer = "CUS-C"

[[contract]]
id = "CON-D"
title = "D's contract"
customer = "CUS-D"
"#;
    // The deliveries and feedback of FEEDBACK, moved to C (A's) and D (B's).
    let feedback = FEEDBACK
        .replace("\"CON-A\"", "\"CON-C\"")
        .replace("\"CON-A2\"", "\"CON-C\"")
        .replace("\"CUS-A\"", "\"CUS-C\"")
        .replace("\"CON-B\"", "\"CON-D\"")
        .replace("\"CUS-B\"", "\"CUS-D\"");
    let dir = project(&[("customers.toml", customers), ("feedback.toml", &feedback)]);
    let json = measure(dir.path());
    let cards = json["scorecards"].as_array().unwrap();
    // A and B declare no criteria: no scorecard. C is the riskier.
    let order: Vec<&str> = cards
        .iter()
        .map(|c| c["customer"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["CUS-C", "CUS-D"]);

    // C, over all records:
    //   Delivery: DA-1 ✓ DA-2 ✗ DA-3 ✓ = 66.67% against >= 90%:
    //     66.67 / 90 = 0.7407 of 50 = 37.04
    //   Quality: F-1 F-3 F-9 / DA-1 DA-2 DA-3 = 1 against <= 0.5 (lower is
    //     better): 0.5 / 1 = 0.5 of 30 = 15
    //   Service: (80 + 90) / 2 = 85 against >= 100: 0.85 of 20 = 17
    //   Score: 37.04 + 15 + 17 = 69.04 of 100.
    let c = &cards[0];
    assert_eq!(c["title"], "Customer C, who scores its suppliers");
    let criteria: Vec<(&str, f64, Option<f64>, Option<f64>)> = c["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap(),
                k["weight"].as_f64().unwrap(),
                k["actual"].as_f64(),
                k["fraction"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        criteria,
        vec![
            ("Delivery", 50.0, Some(66.67), Some(0.74)),
            ("Quality", 30.0, Some(1.0), Some(0.5)),
            ("Service", 20.0, Some(85.0), Some(0.85)),
        ]
    );
    assert_eq!(c["score"].as_f64(), Some(69.04));
    // Per quarter:
    //   Q1: Delivery DA-1 ✓ DA-2 ✗ = 50% → 50/90 of 50 = 27.78; Quality
    //       F-1 / DA-1 DA-2 = 0.5, on target → 30; Service 80 → 16.
    //       73.78.
    //   Q2: Delivery DA-3 ✓ → 50; Quality F-3 / DA-3 = 1 → 15; Service
    //       90 → 18. 83.
    //   Q3: only F-9, a complaint with no delivery: nothing measured, no
    //       score for the quarter.
    let quarters: Vec<(&str, Option<f64>)> = c["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["period"].as_str().unwrap(), q["score"].as_f64()))
        .collect();
    assert_eq!(
        quarters,
        vec![("2026-Q1", Some(73.78)), ("2026-Q2", Some(83.0))]
    );

    // D: DB-1 on time = 100%; a percentage with no target earns
    // actual / 100 = 1 of its weight: 10. Satisfaction F-6 60 against
    // "= 100": 60 / 100 = 0.6 of 10 = 6 (not the full weight, as if `=`
    // meant "at most"). (10 + 6) / 20 = 80. Everything in Q1.
    let d = &cards[1];
    assert_eq!(d["criteria"][0]["fraction"].as_f64(), Some(1.0));
    assert_eq!(d["criteria"][0]["target"], Value::Null);
    assert_eq!(d["criteria"][1]["actual"].as_f64(), Some(60.0));
    assert_eq!(d["criteria"][1]["fraction"].as_f64(), Some(0.6));
    assert_eq!(d["score"].as_f64(), Some(80.0));
    assert_eq!(d["periods"][0]["score"].as_f64(), Some(80.0));
}

// ---------------------------------------------------------------------------
// Units and targets

#[test]
fn a_target_whose_unit_does_not_fit_its_metric_is_an_input_error_at_its_place() {
    let objectives = r#"[[objective]]
id = "U-1"
title = "percent against a plain-number metric"
metric = "complaints_per_delivery"
traces = ["CUS-A"]
target = "<= 5%"

[[objective]]
id = "U-2"
title = "ppm against a percentage"
metric = "on_time_delivery"
traces = ["CUS-A"]
target = "<= 50 ppm"

[[objective]]
id = "U-3"
title = "a plain number against a percentage"
metric = "verification_first_pass"
target = ">= 95"
traces = ["CUS-A"]

[[objective]]
id = "U-4"
title = "not a comparison"
metric = "on_time_delivery"
target = "about 98 percent"
traces = ["CUS-A"]

[[objective]]
id = "U-5"
title = "a unit needtrail does not know"
metric = "customer_satisfaction"
target = ">= 4 stars"
traces = ["CUS-A"]

[[objective]]
id = "U-OK-1"
title = "a plain number of days is days"
metric = "open_complaint_age"
target = "<= 30"
traces = ["CUS-A"]

[[objective]]
id = "U-OK-2"
title = "a metric of one's own takes any unit"
metric = "audit_score"
target = ">= 90%"
traces = ["CUS-A"]
"#;
    let customers = r#"
[[customer]]
id = "CUS-S"
title = "scores its suppliers"

[[customer.criterion]]
name = "Quality"
weight = 40
metric = "complaints_per_delivery"
target = "<= 1%"
"#;
    let dir = project(&[
        ("quality/objectives.toml", objectives),
        ("customers.toml", customers),
    ]);
    // Line numbers, counted in the texts above: U-1's target is on line 6,
    // U-2's on 13, U-3's on 19, U-4's on 26, U-5's on 33; the criterion's
    // on line 10 of customers.toml (which starts with an empty line).
    let expected = [
        ("unit-mismatch", "customers.toml", 10),
        ("bad-target", "quality/objectives.toml", 26),
        ("bad-target", "quality/objectives.toml", 33),
        ("unit-mismatch", "quality/objectives.toml", 6),
        ("unit-mismatch", "quality/objectives.toml", 13),
        ("unit-mismatch", "quality/objectives.toml", 19),
    ];
    for (_, file, line) in expected {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let at = text.lines().nth(line - 1).unwrap();
        assert!(at.starts_with("target = "), "{file}:{line} is `{at}`");
    }

    for command in ["objectives", "check"] {
        let r = run_with_epoch(
            &[
                command.as_ref(),
                dir.path().as_os_str(),
                "--format".as_ref(),
                "json".as_ref(),
            ],
            None,
        );
        assert_eq!(r.code, 2, "{command}: {}", r.stdout);
        let mut got = error_places(&r.json());
        got.sort();
        let mut want: Vec<(String, String, u64, u64)> = expected
            .iter()
            .map(|(c, f, l)| (c.to_string(), f.to_string(), *l as u64, 1))
            .collect();
        want.sort();
        assert_eq!(got, want, "{command}");
    }

    // In the terminal: the place, the message and how to write it instead.
    let r = run_with_epoch(&["objectives".as_ref(), dir.path().as_os_str()], None);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    let e = &r.stderr;
    assert!(
        e.contains(
            "error[unit-mismatch]: U-1's target `<= 5%` is in percent (%), but its metric is measured in a plain number\n  --> quality/objectives.toml:6:1"
        ),
        "{e}"
    );
    assert!(
        e.contains("help: write the target in a plain number"),
        "{e}"
    );
    assert!(
        e.contains(
            "error[unit-mismatch]: U-2's target `<= 50 ppm` is in parts per million (ppm), but its metric is measured in percent (%)\n  --> quality/objectives.toml:13:1"
        ),
        "{e}"
    );
    assert!(
        e.contains("error[bad-target]: the target of U-4 cannot be read"),
        "{e}"
    );
    assert!(e.contains("--> quality/objectives.toml:26:1"), "{e}");
    assert!(e.contains("`stars` in `>= 4 stars` is not a unit"), "{e}");
    assert!(e.contains("6 input errors in 2 files"), "{e}");
}

#[test]
fn each_unit_mismatch_alone_stops_the_run() {
    // One mismatch at a time: a percentage against complaints_per_delivery,
    // a ppm target against on-time delivery, an unreadable target.
    for (metric, target, code) in [
        ("complaints_per_delivery", ">= 98%", "unit-mismatch"),
        ("on_time_delivery", "<= 50 ppm", "unit-mismatch"),
        ("on_time_delivery", "98%", "bad-target"),
    ] {
        let text = format!(
            "[[objective]]\nid = \"O-1\"\ntitle = \"t\"\nmetric = \"{metric}\"\ntraces = [\"CUS-A\"]\ntarget = \"{target}\"\n"
        );
        let dir = project(&[("objectives.toml", &text)]);
        let r = run_with_epoch(
            &[
                "objectives".as_ref(),
                dir.path().as_os_str(),
                "--format".as_ref(),
                "json".as_ref(),
            ],
            None,
        );
        assert_eq!(r.code, 2, "{metric} {target}: {}", r.stdout);
        let errors = r.json()["errors"].as_array().unwrap().clone();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0]["code"], code);
        assert_eq!(errors[0]["file"], "objectives.toml");
        assert_eq!(errors[0]["line"], 6);
    }
}

// ---------------------------------------------------------------------------
// The complaint loop

const LOOP_SETTINGS: &str = r#"[project]
name = "t"

[settings]
complaint_max_age_days = 30
as_of = 2026-03-31
"#;

const COMPLAINTS: &str = r#"
[[delivery]]
id = "DA-1"
title = "the delivery complained about"
contract = "CON-A"
planned = 2025-09-01
actual = 2025-09-01

[[change]]
id = "CHG-1"
title = "the change that answers complaints"
changes = ["R-0"]
date = 2026-01-20

[[feedback]]
id = "K-1"
title = "open 31 days, no action: overdue"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-02-28
status = "open"

[[feedback]]
id = "K-2"
title = "open 30 days, no action: just within the limit"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-03-01
status = "open"

[[feedback]]
id = "K-3"
title = "open 89 days, with an action"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-01-01
status = "8D at D4"
action = "8D-001: containment in place"

[[feedback]]
id = "K-4"
title = "open 75 days, resolved by a change"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-01-15
resolved_by = ["CHG-1"]

[[feedback]]
id = "K-5"
title = "closed with an action"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2025-12-01
status = "closed"
action = "parts replaced"

[[feedback]]
id = "K-6"
title = "closed with nothing to show for it"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2025-11-01
status = "closed"

[[feedback]]
id = "K-7"
title = "已关闭, resolved by a change"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2025-10-01
status = "已关闭"
resolved_by = ["CHG-1"]

[[feedback]]
id = "K-8"
title = "resolved, no action"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2025-10-15
status = "resolved"

[[feedback]]
id = "S-1"
title = "a survey left open is not a complaint"
type = "survey"
about = ["DA-1"]
customer = "CUS-A"
date = 2025-06-01
status = "open"
score = 70

[[objective]]
id = "AGE"
title = "no complaint open longer than 60 days"
metric = "open_complaint_age"
target = "<= 60 days"
traces = ["CUS-A"]

[[objective]]
id = "AGE-MAR"
title = "complaints of March open 30 days at most"
metric = "open_complaint_age"
target = "<= 30"
period = "2026-03"
traces = ["CUS-A"]

[[objective]]
id = "AGE-2025"
title = "complaints of 2025 all closed"
metric = "open_complaint_age"
target = "<= 0 days"
period = "2025"
traces = ["CUS-A"]
"#;

#[test]
fn complaint_ages_count_to_the_as_of_date_and_overdue_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", LOOP_SETTINGS);
    write(dir.path(), "base.toml", BASE);
    write(dir.path(), "complaints.toml", COMPLAINTS);
    // A SOURCE_DATE_EPOCH of 2026-01-20 does not move the as-of date
    // written in the settings.
    let json = measure_at(dir.path(), Some("1768910400"));
    assert_eq!(json["as_of"], "2026-03-31");

    // Ages at 2026-03-31:
    //   K-1 2026-02-28: 31 days (1 in Feb, 30 in Mar)  > 30, no action: overdue
    //   K-2 2026-03-01: 30 days                        = 30: not overdue
    //   K-3 2026-01-01: 30 + 28 + 31 = 89 days, has an action
    //   K-4 2026-01-15: 16 + 28 + 31 = 75 days, resolved by CHG-1
    //   K-5..K-8 closed: no age. Oldest first.
    let rows: Vec<(&str, bool, Option<i64>, bool)> = json["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["closed"].as_bool().unwrap(),
                c["age"].as_i64(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("K-7", true, None, false),
            ("K-8", true, None, false),
            ("K-6", true, None, false),
            ("K-5", true, None, false),
            ("K-3", false, Some(89), false),
            ("K-4", false, Some(75), false),
            ("K-1", false, Some(31), true),
            ("K-2", false, Some(30), false),
        ],
        "the survey S-1 is not a complaint"
    );
    let k4 = &json["complaints"][5];
    assert_eq!(k4["resolved_by"], serde_json::json!(["CHG-1"]));
    assert_eq!(k4["about"], serde_json::json!(["DA-1"]));
    assert_eq!(
        json["complaints"][4]["action"],
        "8D-001: containment in place"
    );

    // The oldest open complaint: K-3, 89 days, against <= 60 days. All open
    // complaints fall in 2026-Q1.
    let o = objective(&json, "AGE");
    assert_eq!(o["unit"], "days");
    assert_eq!(headline(o), (Some(89.0), Some(false), 4));
    assert_eq!(periods(o), vec![p("2026-Q1", Some(89.0), Some(false), 4)]);
    // March's only complaint K-2 is 30 days old: met at the boundary.
    let o = objective(&json, "AGE-MAR");
    assert_eq!(o["unit"], "days");
    assert_eq!(headline(o), (Some(30.0), Some(true), 1));
    assert_eq!(periods(o), vec![p("2026-03", Some(30.0), Some(true), 1)]);
    // Every complaint of 2025 is closed: no open complaint is an age of 0.
    let o = objective(&json, "AGE-2025");
    assert_eq!(headline(o), (Some(0.0), Some(true), 0));
    assert_eq!(
        periods(o),
        vec![
            empty("2025-Q1"),
            empty("2025-Q2"),
            empty("2025-Q3"),
            empty("2025-Q4"),
        ]
    );

    let rules = [
        "complaint-overdue",
        "complaint-closed-with-action",
        "objective-missed",
    ];
    assert_eq!(
        findings_of(dir.path(), None, &rules),
        vec![
            finding(
                "objective-missed",
                "AGE",
                "objective missed: actual 89 days against target <= 60 days"
            ),
            finding(
                "complaint-overdue",
                "K-1",
                "complaint open 31 days without an action on 2026-03-31 (allowed: 30 days)"
            ),
            finding(
                "complaint-closed-with-action",
                "K-6",
                "closed complaint names no change or corrective action: add `action` or `resolved_by`"
            ),
            finding(
                "complaint-closed-with-action",
                "K-8",
                "closed complaint names no change or corrective action: add `action` or `resolved_by`"
            ),
        ]
    );

    // An action, or a change that resolved it, clears K-1.
    for answer in [
        "action = \"called the customer, parts on the way\"",
        "resolved_by = [\"CHG-1\"]",
    ] {
        let text = COMPLAINTS.replace(
            "date = 2026-02-28\nstatus = \"open\"",
            &format!("date = 2026-02-28\nstatus = \"open\"\n{answer}"),
        );
        assert_ne!(text, COMPLAINTS);
        write(dir.path(), "complaints.toml", &text);
        assert_eq!(
            findings_of(dir.path(), None, &["complaint-overdue"]),
            vec![],
            "{answer}"
        );
        let json = measure(dir.path());
        assert_eq!(json["complaints"][6]["overdue"], false);
        // Answered but still open: it still ages.
        assert_eq!(json["complaints"][6]["age"], 31);
    }

    // A stricter limit makes K-2 overdue too; K-1 is open again.
    write(dir.path(), "complaints.toml", COMPLAINTS);
    write(
        dir.path(),
        "needtrail.toml",
        &LOOP_SETTINGS.replace("= 30", "= 29"),
    );
    let ids: Vec<String> = findings_of(dir.path(), None, &["complaint-overdue"])
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    assert_eq!(ids, ["K-1", "K-2"]);
}

#[test]
fn no_unanswered_complaint_escapes_both_loop_rules() {
    // A complaint is closed only by the statuses complaint-closed-with-action
    // checks (closed, resolved, done, 已关闭, 已解决, 关闭, as written); any
    // other status leaves it open, so it ages and complaint-overdue applies.
    // Either way an unanswered complaint is reported by exactly one rule.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "needtrail.toml", LOOP_SETTINGS);
    write(dir.path(), "base.toml", BASE);
    write(
        dir.path(),
        "complaints.toml",
        r#"
[[delivery]]
id = "DA-1"
title = "the delivery complained about"
contract = "CON-A"

[[feedback]]
id = "L-1"
title = "`Closed` is not a status the rule knows: open, 75 days"
type = "complaint"
about = ["DA-1"]
date = 2026-01-15
status = "Closed"

[[feedback]]
id = "L-2"
title = "`已完成` neither: open, 74 days"
type = "complaint"
about = ["DA-1"]
date = 2026-01-16
status = "已完成"

[[feedback]]
id = "L-3"
title = "closed, no action"
type = "complaint"
about = ["DA-1"]
date = 2026-01-17
status = "closed"

[[feedback]]
id = "L-4"
title = "已关闭, no action"
type = "complaint"
about = ["DA-1"]
date = 2026-01-18
status = "已关闭"

[[feedback]]
id = "L-5"
title = "done, with an action"
type = "complaint"
about = ["DA-1"]
date = 2026-01-19
status = "done"
action = "reworked on site"

[[feedback]]
id = "L-6"
title = "received after the as-of date: no age yet"
type = "complaint"
about = ["DA-1"]
date = 2026-04-20
status = "open"
"#,
    );
    let mut got: Vec<(String, String)> = findings_of(
        dir.path(),
        None,
        &["complaint-overdue", "complaint-closed-with-action"],
    )
    .into_iter()
    .map(|(rule, id, _)| (rule, id))
    .collect();
    got.sort();
    let s = |r: &str, id: &str| (r.to_owned(), id.to_owned());
    assert_eq!(
        got,
        vec![
            s("complaint-closed-with-action", "L-3"),
            s("complaint-closed-with-action", "L-4"),
            s("complaint-overdue", "L-1"),
            s("complaint-overdue", "L-2"),
        ]
    );
    // As of 2026-03-31: L-1 (01-15) 16 + 28 + 31 = 75 days, L-2 74 days;
    // L-6 comes after the as-of date: no age (not a negative one).
    let json = measure(dir.path());
    let rows: Vec<(&str, bool, Option<i64>, bool)> = json["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["closed"].as_bool().unwrap(),
                c["age"].as_i64(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("L-1", false, Some(75), true),
            ("L-2", false, Some(74), true),
            ("L-3", true, None, false),
            ("L-4", true, None, false),
            ("L-5", true, None, false),
            ("L-6", false, None, false),
        ]
    );
    assert_eq!(json["complaints"][5]["age"], Value::Null);
}

#[test]
fn the_as_of_date_is_the_option_else_the_setting_else_today_or_source_date_epoch() {
    let records = r#"
[[delivery]]
id = "DA-1"
title = "a delivery planned for 2099 does not move the as-of date"
contract = "CON-A"
planned = 2099-02-20

[[feedback]]
id = "Q-1"
title = "open, no action"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"
date = 2026-01-01
status = "open"

[[objective]]
id = "AGE"
title = "oldest open complaint"
metric = "open_complaint_age"
target = "<= 30 days"
traces = ["CUS-A"]
"#;
    let dir = project(&[("records.toml", records)]);
    // 1768910400 = 20473 days * 86400 + 12 h: 2026-01-20 at noon UTC.
    let epoch = "1768910400";
    // No setting, no SOURCE_DATE_EPOCH: today, never a date in the records
    // (DA-1 is planned for 2099).
    write(dir.path(), "needtrail.toml", PROJECT);
    let today = run_with_epoch(
        &[
            "objectives".as_ref(),
            dir.path().as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        None,
    )
    .json()["as_of"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        today.as_str() > "2026-11-30" && today.as_str() < "2099-01-01",
        "{today}"
    );
    let cases = [
        // SOURCE_DATE_EPOCH: 2026-01-20. 19 days.
        (None, Some(epoch), "2026-01-20", 19),
        // The setting wins over SOURCE_DATE_EPOCH: 2026-02-15, 30 + 15 = 45.
        (Some("2026-02-15"), Some(epoch), "2026-02-15", 45),
    ];
    for (setting, env, as_of, age) in cases {
        let settings = setting
            .map(|d| format!("\n[settings]\nas_of = {d}\n"))
            .unwrap_or_default();
        write(
            dir.path(),
            "needtrail.toml",
            &format!("{PROJECT}{settings}"),
        );
        let json = measure_at(dir.path(), env);
        assert_eq!(json["as_of"], as_of, "{setting:?} {env:?}");
        assert_eq!(json["complaints"][0]["age"], age, "{as_of}");
        let o = objective(&json, "AGE");
        assert_eq!(o["actual"].as_f64(), Some(age as f64));
        assert_eq!(o["met"], age <= 30);
        let overdue = findings_of(dir.path(), env, &["complaint-overdue"]);
        if age > 30 {
            assert_eq!(
                overdue,
                vec![finding(
                    "complaint-overdue",
                    "Q-1",
                    &format!(
                        "complaint open {age} days without an action on {as_of} (allowed: 30 days)"
                    )
                )],
                "{as_of}"
            );
        } else {
            assert_eq!(overdue, vec![], "{as_of}");
        }
    }
    // --as-of wins over the setting: 2026-03-02, 31 + 28 + 1 = 60 days.
    let r = run_with_epoch(
        &[
            "check".as_ref(),
            dir.path().as_os_str(),
            "--as-of".as_ref(),
            "2026-03-02".as_ref(),
        ],
        Some(epoch),
    );
    assert!(
        r.stdout
            .contains("complaint open 60 days without an action on 2026-03-02"),
        "{}",
        r.stdout
    );
    let r = run_with_epoch(
        &[
            "objectives".as_ref(),
            dir.path().as_os_str(),
            "--as-of".as_ref(),
            "2026-3-2".as_ref(),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("`2026-3-2` is not a date: write the day as YYYY-MM-DD"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_undated_complaint_is_a_finding() {
    let dir = project(&[(
        "records.toml",
        r#"
[[delivery]]
id = "DA-1"
title = "delivered"
contract = "CON-A"

[[feedback]]
id = "Q-1"
title = "open, no action, no date"
type = "complaint"
about = ["DA-1"]
customer = "CUS-A"

[[feedback]]
id = "Q-2"
title = "an undated survey is not asked for a date"
type = "survey"
customer = "CUS-A"
score = 90
"#,
    )]);
    assert_eq!(
        findings_of(dir.path(), None, &["complaint-dated"]),
        vec![finding(
            "complaint-dated",
            "Q-1",
            "complaint has no date: its age cannot be counted, so it can never become overdue; add `date` (the day it was received)"
        )]
    );
}

// ---------------------------------------------------------------------------
// Measured values and trends

#[test]
fn measured_objectives_are_judged_on_their_values_with_a_trend() {
    let dir = project(&[(
        "objectives.toml",
        r#"
[[objective]]
id = "M-UP"
title = "audit score, higher is better"
metric = "audit_score"
target = ">= 80"
traces = ["CUS-A"]

# Written out of order: sorted by period.
[[objective.measurement]]
period = "2026-Q2"
value = 85

[[objective.measurement]]
period = "2026-Q1"
value = 70

[[objective]]
id = "M-PPM"
title = "delivered PPM, with a value for the whole year"
metric = "delivered_ppm"
target = "<= 50 ppm"
period = "2026"
traces = ["CUS-A"]

[[objective.measurement]]
period = "2026-Q1"
value = 40

[[objective.measurement]]
period = "2026-Q2"
value = 60

[[objective.measurement]]
period = "2026"
value = 45

[[objective]]
id = "M-STEADY"
title = "delivered PPM, unchanged"
metric = "delivered_ppm"
target = "<= 50 ppm"
period = "2026-H1"
traces = ["CUS-A"]

[[objective.measurement]]
period = "2026-Q1"
value = 42

[[objective.measurement]]
period = "2026-Q2"
value = 42.0

[[objective]]
id = "M-MISS"
title = "returns PPM"
metric = "returns_ppm"
target = "<= 50 ppm"
traces = ["CUS-A"]

[[objective.measurement]]
period = "2026-01"
value = 55.5

[[objective]]
id = "M-NONE"
title = "a metric of one's own, never measured"
metric = "audit_score"
target = ">= 80"
traces = ["CUS-A"]
"#,
    )]);
    let json = measure(dir.path());

    // No own period: the latest value, Q2's 85, against >= 80. Up from 70.
    let o = objective(&json, "M-UP");
    assert_eq!(o["unit"], "number");
    assert_eq!(headline(o), (Some(85.0), Some(true), 2));
    assert_eq!(
        periods(o),
        vec![
            p("2026-Q1", Some(70.0), Some(false), 1),
            p("2026-Q2", Some(85.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));
    assert_eq!(o["note"], Value::Null);

    // Its own period 2026 was measured (45): that is the actual, not the
    // latest quarter (60). Q1 40 → Q2 60 is worse when lower is better.
    let o = objective(&json, "M-PPM");
    assert_eq!(o["unit"], "ppm");
    assert_eq!(headline(o), (Some(45.0), Some(true), 3));
    assert_eq!(
        periods(o),
        vec![
            p("2026", Some(45.0), Some(true), 1),
            p("2026-Q1", Some(40.0), Some(true), 1),
            p("2026-Q2", Some(60.0), Some(false), 1),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // 2026-H1 not measured itself: the latest, 42; 42 then 42 is steady.
    let o = objective(&json, "M-STEADY");
    assert_eq!(headline(o), (Some(42.0), Some(true), 2));
    assert_eq!(trend(o), Some("steady"));

    // One value, 55.5 against <= 50 ppm: missed, no trend.
    let o = objective(&json, "M-MISS");
    assert_eq!(headline(o), (Some(55.5), Some(false), 1));
    assert_eq!(trend(o), None);

    // Neither computed nor measured: nothing to judge, and the note says why.
    let o = objective(&json, "M-NONE");
    assert_eq!(headline(o), (None, None, 0));
    assert_eq!(periods(o), vec![]);
    let note = o["note"].as_str().unwrap();
    assert!(
        note.starts_with("`audit_score` is not a metric needtrail computes"),
        "{note}"
    );
    assert!(note.contains("[[objective.measurement]]"), "{note}");

    assert_eq!(
        findings_of(dir.path(), None, &["objective-missed"]),
        vec![finding(
            "objective-missed",
            "M-MISS",
            "objective missed: actual 55.5 ppm against target <= 50 ppm"
        )]
    );

    // The JSON carries every documented key.
    let keys: Vec<&str> = objective(&json, "M-UP")
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id", "metric", "target", "actual", "unit", "met", "periods", "trend", "records", "note",
    ] {
        assert!(keys.contains(&key), "no `{key}` in {keys:?}");
    }
    for key in ["as_of", "objectives", "scorecards", "complaints"] {
        assert!(json.get(key).is_some(), "no `{key}` at the top");
    }
}

// ---------------------------------------------------------------------------
// The bundled samples

#[test]
fn auto_parts_objectives_scorecard_and_complaints_match_the_records() {
    let dir = sample("auto-parts-en");
    let json = measure(&dir);
    // The sample's [settings] as_of: the end of the half-year its
    // management review covers.
    assert_eq!(json["as_of"], "2025-06-30");

    // OBJ-001 delivered_ppm, measured by Huaxing: 2025-Q1 42, 2025-Q2 35
    // (quality/objectives.toml). No value for 2025 itself: the latest, 35,
    // against <= 50 ppm: met; 42 → 35 is better when lower is better.
    let o = objective(&json, "OBJ-001");
    assert_eq!(o["unit"], "ppm");
    assert_eq!(headline(o), (Some(35.0), Some(true), 2));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q1", Some(42.0), Some(true), 1),
            p("2025-Q2", Some(35.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // OBJ-002 on-time to Huaxing (traces CUS-001 only): of the three
    // deliveries in logistics/deliveries.toml only DEL-001 is on Huaxing's
    // contract CON-001: planned = actual = 2025-03-03, on time: 100%
    // against >= 99.5%. (DEL-002, nine days late, is EuroParts'; counted
    // here it would make 2 of 3.)
    let o = objective(&json, "OBJ-002");
    assert_eq!(headline(o), (Some(100.0), Some(true), 1));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q1", Some(100.0), Some(true), 1),
            empty("2025-Q2"),
            empty("2025-Q3"),
            empty("2025-Q4"),
        ]
    );

    // OBJ-003 satisfaction of the aftermarket (traces CUS-002, CUS-003):
    // the one survey, FB-002 (EuroParts, 2025-06-30), scored 78 against
    // >= 85: missed, as the README's gap table says.
    let o = objective(&json, "OBJ-003");
    assert_eq!(headline(o), (Some(78.0), Some(false), 1));
    assert_eq!(
        periods(o),
        vec![
            empty("2025-Q1"),
            p("2025-Q2", Some(78.0), Some(false), 1),
            empty("2025-Q3"),
            empty("2025-Q4"),
        ]
    );

    // OBJ-004 first pass in 2025 (testing/verification.toml): the first
    // results dated 2025 are VER-003 DO-002 pass, VER-004 DI-003 pass,
    // VER-005 DI-004 fail, VER-007 DI-006 pass (VER-001, -002 and -006 are
    // of 2024). 3 of 4 = 75% against >= 97%, all in Q1.
    let o = objective(&json, "OBJ-004");
    assert_eq!(headline(o), (Some(75.0), Some(false), 4));
    assert_eq!(periods(o)[0], p("2025-Q1", Some(75.0), Some(false), 4));

    // Huaxing's scorecard (customers/customers.toml), 40/40/20:
    //   Delivery, on-time >= 98%: DEL-001 on time = 100% → full 40
    //   Quality, complaints per delivery <= 0.1: FB-001 / DEL-001 = 1 →
    //     0.1 / 1 = 0.1 of 40 = 4
    //   Service, satisfaction >= 90: no survey from Huaxing: not measured,
    //     its 20 points left out of the total
    //   Score: (40 + 4) / (40 + 40) = 55 of 100. Everything falls in 2025-Q1.
    let cards = json["scorecards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "only Huaxing declares criteria");
    let c = &cards[0];
    assert_eq!(c["customer"], "CUS-001");
    assert_eq!(c["score"].as_f64(), Some(55.0));
    let criteria: Vec<(&str, f64, Option<f64>, Option<f64>)> = c["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["metric"].as_str().unwrap(),
                k["weight"].as_f64().unwrap(),
                k["actual"].as_f64(),
                k["fraction"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        criteria,
        vec![
            ("on_time_delivery", 40.0, Some(100.0), Some(1.0)),
            ("complaints_per_delivery", 40.0, Some(1.0), Some(0.1)),
            ("customer_satisfaction", 20.0, None, None),
        ]
    );
    assert_eq!(c["periods"][0]["period"], "2025-Q1");
    assert_eq!(c["periods"][0]["score"].as_f64(), Some(55.0));

    // Complaints: FB-003 (2025-02-10) closed; FB-001 (2025-03-19) open
    // 12 + 30 + 31 + 30 = 103 days at 2025-06-30, but it has its 8D action.
    let rows: Vec<(&str, bool, Option<i64>, bool)> = json["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["closed"].as_bool().unwrap(),
                c["age"].as_i64(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("FB-003", true, None, false),
            ("FB-001", false, Some(103), false)
        ]
    );
    assert_eq!(
        json["complaints"][1]["about"],
        serde_json::json!(["DEL-001", "REQ-003"])
    );

    // The README's gap table lists exactly these objective findings.
    let rules = [
        "objective-missed",
        "complaint-overdue",
        "complaint-closed-with-action",
    ];
    let got: Vec<(String, String)> = findings_of(&dir, None, &rules)
        .into_iter()
        .map(|(r, id, _)| (r, id))
        .collect();
    let mut documented: Vec<(String, String)> = documented_gaps(&dir)
        .into_iter()
        .filter(|(r, _, _)| rules.contains(&r.as_str()))
        .map(|(r, id, _)| (r, id))
        .collect();
    documented.sort();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, documented);
    assert!(got.contains(&("objective-missed".into(), "OBJ-003".into())));
}

#[test]
fn doors_objectives_and_complaints_match_the_records() {
    let dir = sample("doors-zh");
    let json = measure(&dir);
    // needtrail.toml: [settings] as_of = 2025-09-30.
    assert_eq!(json["as_of"], "2025-09-30");

    // OBJ-005 on-time (delivery/handover.toml, all on CON-002 of CUS-001):
    //   DEL-001 planned 2024-10-15, actual 2024-10-12: on time (2024-Q4)
    //   DEL-002 planned 2024-11-30, actual 2024-12-08: 8 days late (2024-Q4)
    //   DEL-003 planned 2025-01-10, actual 2025-01-08: on time (2025-Q1)
    // 2 of 3 = 66.67% against >= 95%: missed. 2024-Q4 1 of 2 = 50%,
    // 2025-Q1 100%: improving.
    let o = objective(&json, "OBJ-005");
    assert_eq!(headline(o), (Some(66.67), Some(false), 3));
    assert_eq!(
        periods(o),
        vec![
            p("2024-Q4", Some(50.0), Some(false), 2),
            p("2025-Q1", Some(100.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // OBJ-001 first pass in 2024 (verification/lab-tests.toml):
    //   VER-003 2024-06-11 pass: DI-001, DI-010, DI-011      Q2 3/3
    //   VER-001 2024-07-16 pass: DI-002, DI-003              Q3
    //   VER-002 2024-07-16 fail: DI-004                      Q3
    //   VER-004 2024-07-22 pass: DI-005                      Q3
    //   VER-005 2024-09-05 pass: DI-006                      Q3 4/5 = 80%
    //   VER-006 2024-12-20 pass: DO-004                      Q4 1/1
    //   VER-007 pending: not counted
    // 8 of 9 = 88.89% against >= 98%: missed.
    let o = objective(&json, "OBJ-001");
    assert_eq!(headline(o), (Some(88.89), Some(false), 9));
    assert_eq!(
        periods(o),
        vec![
            empty("2024-Q1"),
            p("2024-Q2", Some(100.0), Some(true), 3),
            p("2024-Q3", Some(80.0), Some(false), 5),
            p("2024-Q4", Some(100.0), Some(true), 1),
        ]
    );
    assert_eq!(trend(o), Some("improving"));

    // OBJ-002 contract fulfilment 2024 (contracts/*.toml):
    //   REV-001 2024-03-18 accepts REQ-001, -002, -003, -004, -006, -007 (6)
    //   REV-002 2024-05-15 accepts REQ-005 (clarify before), -008, -009,
    //     -010, -013, -014, -015, -016, -017, -018, -019 (11)
    // Delivered: DEL-003 delivers REQ-007, -008, -018 directly; DEL-001/002
    // deliver DO-001..003 and DEL-003 DO-004, which satisfy DI-001..008,
    // DI-010, DI-011 and so every accepted requirement but REQ-019, whose
    // only design input DI-009 reaches no delivered output. 16 of 17 =
    // 94.12%; Q1 6/6 = 100%, Q2 10/11 = 90.91%.
    let o = objective(&json, "OBJ-002");
    assert_eq!(headline(o), (Some(94.12), Some(false), 17));
    assert_eq!(
        periods(o),
        vec![
            p("2024-Q1", Some(100.0), Some(true), 6),
            p("2024-Q2", Some(90.91), Some(false), 11),
            empty("2024-Q3"),
            empty("2024-Q4"),
        ]
    );
    assert_eq!(trend(o), Some("worsening"));

    // OBJ-003: the return visit FB-001 (2025-06-18) scored 92, >= 90.
    let o = objective(&json, "OBJ-003");
    assert_eq!(headline(o), (Some(92.0), Some(true), 1));

    // OBJ-004 has no target: measured (FB-002 and FB-003 of 2025-Q3 over
    // DEL-003, which delivers the owners' REQ-018: 2 / 1 = 2) but not judged.
    let o = objective(&json, "OBJ-004");
    assert_eq!(headline(o), (Some(2.0), None, 3));
    assert_eq!(
        periods(o),
        vec![
            p("2025-Q1", Some(0.0), None, 1),
            empty("2025-Q2"),
            p("2025-Q3", None, None, 2),
            empty("2025-Q4"),
        ]
    );

    // Complaints at 2025-09-30: FB-002 (07-28) 3 + 31 + 30 = 64 days, with
    // its corrective action; FB-003 (08-05) 26 + 30 = 56 days, no action:
    // overdue past 30 days.
    let rows: Vec<(&str, Option<i64>, bool)> = json["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["age"].as_i64(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("FB-002", Some(64), false), ("FB-003", Some(56), true)]
    );

    // Exactly the README's objective findings, with these messages.
    let rules = [
        "objective-missed",
        "complaint-overdue",
        "complaint-closed-with-action",
    ];
    let got = findings_of(&dir, None, &rules);
    let mut documented: Vec<(String, String)> = documented_gaps(&dir)
        .into_iter()
        .filter(|(r, _, _)| rules.contains(&r.as_str()))
        .map(|(r, id, _)| (r, id))
        .collect();
    documented.sort();
    let mut ids: Vec<(String, String)> = got
        .iter()
        .map(|(r, id, _)| (r.clone(), id.clone()))
        .collect();
    ids.sort();
    assert_eq!(ids, documented);
    assert!(got.contains(&finding(
        "objective-missed",
        "OBJ-005",
        "objective missed: actual 66.67% against target >= 95%"
    )));
    assert!(got.contains(&finding(
        "complaint-overdue",
        "FB-003",
        "complaint open 56 days without an action on 2025-09-30 (allowed: 30 days)"
    )));

    // And in the terminal.
    let r = run_with_epoch(&["objectives".as_ref(), dir.as_os_str()], None);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(
            "  on_time_delivery (3 records): actual 66.67% against target >= 95%  MISSED, improving\n    ✗ 2024-Q4  50%\n    ✓ 2025-Q1  100%\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Complaints (ages as of 2025-09-30)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("✗ FB-003"), "{}", r.stdout);
}

/// A typo in a metric would otherwise hide a missed objective: nothing
/// measures it, so it is never judged, and `check` said "no findings".
#[test]
fn an_objective_whose_metric_nothing_measures_is_a_finding_with_a_hint() {
    let dir = project(&[(
        "objectives.toml",
        r#"
[[delivery]]
id = "DEL-1"
title = "late"
contract = "CON-A"
planned = 2026-03-01
actual = 2026-03-20

[[objective]]
id = "OBJ-TYPO"
title = "On-time delivery, metric misspelt"
metric = "on_time_delivry"
target = ">= 95%"
traces = ["CUS-A"]

[[objective]]
id = "OBJ-WORDS"
title = "A metric as the department calls it"
metric = "OTD"
target = ">= 95%"
traces = ["CUS-A"]

[[objective]]
id = "OBJ-MEASURED"
title = "Measured by hand"
metric = "supplier_rating"
target = ">= 90"
traces = ["CUS-A"]

[[objective.measurement]]
period = "2026-H1"
value = 92

[[objective]]
id = "OBJ-RIGHT"
title = "Spelt right, and missed"
metric = "on_time_delivery"
target = ">= 95%"
traces = ["CUS-A"]
"#,
    )]);
    let found = findings_of(
        dir.path(),
        None,
        &["objective-metric-known", "objective-missed"],
    );
    assert_eq!(
        found,
        vec![
            finding(
                "objective-missed",
                "OBJ-RIGHT",
                "objective missed: actual 0% against target >= 95%"
            ),
            finding(
                "objective-metric-known",
                "OBJ-TYPO",
                "metric `on_time_delivry` is neither computed by needtrail nor measured with [[objective.measurement]], so the objective is never judged; did you mean `on_time_delivery`?"
            ),
            finding(
                "objective-metric-known",
                "OBJ-WORDS",
                "metric `OTD` is neither computed by needtrail nor measured with [[objective.measurement]], so the objective is never judged; did you mean one of on_time_delivery, verification_first_pass, contract_fulfilment, complaints_per_delivery, customer_satisfaction, open_complaint_age, customer_rank?"
            ),
        ]
    );
}
