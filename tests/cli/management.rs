//! `needtrail management-review`: the customer part of a management review,
//! computed from the records for one period against the one before; and
//! the customer's own evaluation beside the scorecard needtrail computes.

use crate::support::*;
use serde_json::Value;

const PROJECT: &str = r#"
[[customer]]
id = "CUS-1"
title = "Huaxing"

[[customer.criterion]]
name = "Delivery"
weight = 100
metric = "on_time_delivery"
target = ">= 90%"

[[customer.evaluation]]
period = "2026-Q1"
score = 92
rank = 3
of = 40

[[customer.evaluation]]
period = "2026-Q2"
score = 80
rank = 6
of = 40

[[contract]]
id = "CON-1"
title = "Frame contract"
customer = "CUS-1"

[[review]]
id = "REV-1"
title = "Review of CON-1"
contract = "CON-1"
date = 2026-01-10
signed_by = "Quality: Wang"
signed_on = 2026-01-12

[[review]]
id = "REV-2"
title = "Amendment review"
contract = "CON-1"
date = 2026-04-10
signed_by = "Quality: Wang"
signed_on = 2026-04-15

[[delivery]]
id = "DEL-1"
title = "Lot 1"
contract = "CON-1"
planned = 2026-02-01
actual = 2026-02-01

[[delivery]]
id = "DEL-2"
title = "Lot 2"
contract = "CON-1"
planned = 2026-04-01
actual = 2026-04-03

[[delivery]]
id = "DEL-3"
title = "Lot 3"
contract = "CON-1"
planned = 2026-05-01
actual = 2026-04-30

[[feedback]]
id = "FB-1"
title = "Cracked pads in lot 1"
type = "complaint"
about = ["DEL-1"]
customer = "CUS-1"
date = 2026-02-10
responded = 2026-02-14
status = "closed"
action = "8D-001"

[[feedback]]
id = "FB-2"
title = "Labels damaged in lot 2"
type = "complaint"
about = ["DEL-2"]
customer = "CUS-1"
date = 2026-04-20
responded = 2026-04-22
status = "closed"
action = "Carton changed"

[[feedback]]
id = "FB-3"
title = "Noise in lot 3"
type = "complaint"
about = ["DEL-3"]
customer = "CUS-1"
date = 2026-05-20
status = "open"

[[feedback]]
id = "SUR-1"
title = "Survey Q1"
type = "survey"
customer = "CUS-1"
date = 2026-03-30
score = 88

[[feedback]]
id = "SUR-2"
title = "Survey Q2"
type = "survey"
customer = "CUS-1"
date = 2026-06-28
score = 84

[[objective]]
id = "OBJ-1"
title = "On-time delivery to Huaxing"
metric = "on_time_delivery"
target = ">= 95%"
traces = ["CUS-1"]

[[objective]]
id = "OBJ-2"
title = "Gold supplier at Huaxing: top 10 %"
metric = "customer_rank"
target = "<= 10%"
period = "2026-Q2"
traces = ["CUS-1"]
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"Meilin\"\n\n[settings]\nas_of = 2026-06-30\n",
    );
    write(dir.path(), "records.toml", PROJECT);
    dir
}

fn review_json(dir: &std::path::Path, period: &str) -> Value {
    let r = run([
        "management-review".as_ref(),
        dir.as_os_str(),
        "--period".as_ref(),
        period.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn figure<'a>(review: &'a Value, key: &str) -> &'a Value {
    review["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}: {review:#}"))
}

#[test]
fn each_figure_is_counted_for_the_period_and_the_one_before_with_its_records() {
    let dir = project();
    let r = review_json(dir.path(), "2026-Q2");
    assert_eq!(r["period"], "2026-Q2");
    assert_eq!(r["previous"], "2026-Q1");
    let f = |key: &str| figure(&r, key);
    // DEL-2 late, DEL-3 early: 50 % this quarter; DEL-1 on time before.
    assert_eq!(f("on_time_delivery")["current"], 50.0);
    assert_eq!(f("on_time_delivery")["previous"], 100.0);
    assert_eq!(f("on_time_delivery")["change"], -50.0);
    assert_eq!(f("on_time_delivery")["better"], false);
    assert_eq!(
        f("on_time_delivery")["items"],
        serde_json::json!(["DEL-2", "DEL-3"])
    );
    assert_eq!(f("customer_satisfaction")["current"], 84.0);
    assert_eq!(f("customer_satisfaction")["previous"], 88.0);
    assert_eq!(f("complaints")["current"], 2.0);
    assert_eq!(
        f("complaints")["items"],
        serde_json::json!(["FB-2", "FB-3"])
    );
    assert_eq!(f("complaints")["previous"], 1.0);
    assert_eq!(f("complaints_to_date")["current"], 3.0);
    // FB-2 answered in 2 days; FB-3 not yet. FB-1 took 4 days.
    assert_eq!(f("response_days")["current"], 2.0);
    assert_eq!(f("response_days")["items"], serde_json::json!(["FB-2"]));
    assert_eq!(f("response_days")["previous"], 4.0);
    assert_eq!(f("response_days")["better"], true);
    assert_eq!(f("open_complaints")["current"], 1.0);
    assert_eq!(f("open_complaints")["items"], serde_json::json!(["FB-3"]));
    assert_eq!(f("reviews_signed")["items"], serde_json::json!(["REV-2"]));
    assert_eq!(
        f("reviews_signed")["previous_items"],
        serde_json::json!(["REV-1"])
    );
    assert_eq!(f("deliveries")["current"], 2.0);
    assert_eq!(f("feedback_received")["current"], 3.0);
    // Objectives over the quarter: OBJ-1 missed (50 % < 95 %), OBJ-2
    // missed (rank 6 of 40 is the top 15 %).
    assert_eq!(
        f("objectives_missed")["items"],
        serde_json::json!(["OBJ-1", "OBJ-2"])
    );
    let obj2 = r["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "OBJ-2")
        .unwrap();
    assert_eq!(obj2["current"], 15.0);
    assert_eq!(obj2["previous"], 7.5);
    assert_eq!(obj2["met"], false);
    // The customer's own evaluation, beside the scorecard: needtrail's
    // delivery score for Q2 is 50/90 of the weight.
    let e = &r["evaluations"][0];
    assert_eq!(e["customer"], "CUS-1");
    assert_eq!(e["period"], "2026-Q2");
    assert_eq!(e["score"], 80.0);
    assert_eq!(e["rank"], 6.0);
    assert_eq!(e["computed"], 55.56);
    assert_eq!(e["difference"], 24.44);
}

#[test]
fn the_keys_stay_and_the_words_change_with_the_language() {
    let dir = project();
    let run_in = |lang: &str, format: &str| {
        run([
            "management-review".as_ref(),
            dir.path().as_os_str(),
            "--period".as_ref(),
            "2026-Q2".as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            "--lang".as_ref(),
            lang.as_ref(),
        ])
    };
    let (en, zh) = (run_in("en", "json").json(), run_in("zh", "json").json());
    let keys = |v: &Value| -> Vec<String> {
        v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys(&en), keys(&zh));
    let md = run_in("zh", "md");
    assert_eq!(md.code, 0);
    for word in [
        "按期交付率",
        "顾客满意度",
        "投诉平均答复时间",
        "顾客对本组织的评价",
        "40 家中第 6",
    ] {
        assert!(md.stdout.contains(word), "no {word} in:\n{}", md.stdout);
    }
    // (The objective's own title, "On-time delivery to Huaxing", stays as written.)
    for english in [
        "Customer satisfaction",
        "Complaints received",
        "Figure",
        "Records",
        " of 40",
        "Met?",
    ] {
        assert!(
            !md.stdout.contains(english),
            "{english} in zh:\n{}",
            md.stdout
        );
    }
}

#[test]
fn html_stands_alone_and_escapes_the_records() {
    let dir = project();
    let path = dir.path().join("records.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "On-time delivery to Huaxing",
            "On-time <script>alert(1)</script>",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("review.html");
    let r = run([
        "management-review".as_ref(),
        dir.path().as_os_str(),
        "--period".as_ref(),
        "2026-Q2".as_ref(),
        "--format".as_ref(),
        "html".as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(html.contains("DEL-2, DEL-3"));
}

#[test]
fn the_workbook_holds_the_figures_and_the_evaluations() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = project();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("review.xlsx");
    let r = run([
        "management-review".as_ref(),
        dir.path().as_os_str(),
        "--period".as_ref(),
        "2026-Q2".as_ref(),
        "--format".as_ref(),
        "xlsx".as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wb: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Management review", "Customer evaluations"]
    );
    let figures = wb.worksheet_range("Management review").unwrap();
    let row = figures
        .rows()
        .find(|r| r[0] == Data::String("On-time delivery (%)".into()))
        .expect("an on-time delivery row");
    assert_eq!(row[1], Data::Float(50.0));
    assert_eq!(row[2], Data::Float(100.0));
    assert_eq!(row[4], Data::String("DEL-2, DEL-3".into()));
}

#[test]
fn a_period_that_is_not_one_is_refused() {
    let dir = project();
    for bad in ["2026-Q5", "26-Q1", "2026-13", "Q1"] {
        let r = run([
            "management-review".as_ref(),
            dir.path().as_os_str(),
            "--period".as_ref(),
            bad.as_ref(),
        ]);
        assert_eq!(r.code, 2, "{bad}");
        assert!(r.stderr.contains("is not a period"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn a_rank_outside_the_gold_threshold_is_a_missed_objective() {
    let dir = project();
    let (_, json) = check_json(dir.path());
    let missed: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "objective-missed")
        .map(|f| (f["id"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert!(
        missed
            .iter()
            .any(|(id, m)| *id == "OBJ-2" && m.contains("15%")),
        "{missed:?}"
    );
    // `objectives` shows the evaluations beside the scorecard.
    let r = run([
        "objectives".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let cards = &r.json()["scorecards"];
    let evals = cards[0]["evaluations"].as_array().unwrap();
    assert_eq!(evals.len(), 2);
    assert_eq!(evals[0]["period"], "2026-Q1");
    assert_eq!(evals[0]["share"], 7.5);
    assert_eq!(evals[0]["computed"], 100.0);
    assert_eq!(evals[0]["difference"], -8.0);
}
