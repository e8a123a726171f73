//! The customer part of a management review (ISO 9001 9.3.2; IRIS 5.6.2),
//! computed from the records for one period and the period before:
//! customer satisfaction and feedback, on-time delivery, complaints and the
//! time to answer them, objectives met and missed, contract reviews signed
//! and changed after sign-off, and the customers' own evaluations. Every
//! figure lists the records behind it.
//!
//! Built from the pipeline's result, below the commands; written as
//! Markdown, standalone HTML (templates/management.html), an XLSX workbook
//! or JSON, in the user's language.

use serde::Serialize;

use crate::calendar::Date;
use crate::lang::Lang;
use crate::model::{ItemIdx, Project, Value};
use crate::objectives::{self, Context, Metric, Period};
use crate::pipeline::Checked;
use crate::profile::roles::Roles;

/// One figure of the review, this period and the one before.
#[derive(Debug, Serialize)]
pub struct Figure {
    /// Stable key, the same in every language.
    pub key: &'static str,
    pub label: String,
    /// `%`, `days`, or empty for a count or a score.
    pub unit: &'static str,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    /// `current - previous`, when both are known.
    pub change: Option<f64>,
    /// Whether the change is for the better (`None`: no change or unknown).
    pub better: Option<bool>,
    /// The ids of the records behind the current figure.
    pub items: Vec<String>,
    /// The ids behind the previous figure.
    pub previous_items: Vec<String>,
}

/// A quality objective over the period.
#[derive(Debug, Serialize)]
pub struct ObjectiveLine {
    pub id: String,
    pub title: String,
    pub target: String,
    /// The target's unit: `%`, `ppm`, `days`, or empty.
    pub unit: &'static str,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    /// Met over the period (`None`: nothing to judge).
    pub met: Option<bool>,
}

/// A customer's own evaluation of the period.
#[derive(Debug, Serialize)]
pub struct EvaluationLine {
    pub customer: String,
    pub id: String,
    pub period: String,
    pub score: Option<f64>,
    pub rank: Option<f64>,
    pub of: Option<f64>,
    /// The scorecard's score over the same period.
    pub computed: Option<f64>,
    pub difference: Option<f64>,
}

/// The customer part of the management review.
#[derive(Debug, Serialize)]
pub struct ManagementReview {
    pub project: String,
    pub period: String,
    pub previous: String,
    /// The day ages and open complaints are counted to.
    pub as_of: Option<String>,
    pub figures: Vec<Figure>,
    pub objectives: Vec<ObjectiveLine>,
    pub evaluations: Vec<EvaluationLine>,
    #[serde(skip)]
    lang: Lang,
}

/// How a figure is measured over a period: its value and the records behind it.
type Measure<'a> = dyn Fn(&Period) -> (Option<f64>, Vec<ItemIdx>) + 'a;

/// Which way is better for a figure.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
    Neither,
}

/// The review of `period`, against the period before.
pub fn build(checked: &Checked, period: &Period, lang: Lang) -> ManagementReview {
    let loaded = &checked.loaded;
    let (project, profile) = (&loaded.project, &loaded.profile);
    let mut ctx = Context::new(project, profile, &checked.graph);
    ctx.lang = lang;
    let before = period.previous();
    let mut figures = Vec::new();
    let mut add = |key: &'static str, unit: &'static str, better: Better, of: &Measure<'_>| {
        let (current, items) = of(period);
        let (previous, previous_items) = of(&before);
        let change = match (current, previous) {
            (Some(c), Some(p)) => Some(round(c - p)),
            _ => None,
        };
        figures.push(Figure {
            key,
            label: lang.t(label_key(key)).to_owned(),
            unit,
            current,
            previous,
            change,
            better: change.filter(|c| *c != 0.0).and_then(|c| match better {
                Better::Higher => Some(c > 0.0),
                Better::Lower => Some(c < 0.0),
                Better::Neither => None,
            }),
            items: ids(project, &items),
            previous_items: ids(project, &previous_items),
        });
    };
    let records = Records::of(&ctx, project, profile, checked);
    add(
        "customer_satisfaction",
        "",
        Better::Higher,
        &|p: &Period| objectives::metric_in(&ctx, Metric::CustomerSatisfaction, p),
    );
    add("feedback_received", "", Better::Neither, &|p: &Period| {
        count(records.feedback.iter().filter(|(d, _)| in_period(p, *d)))
    });
    add("on_time_delivery", "%", Better::Higher, &|p: &Period| {
        objectives::metric_in(&ctx, Metric::OnTimeDelivery, p)
    });
    add("deliveries", "", Better::Neither, &|p: &Period| {
        count(records.deliveries.iter().filter(|(d, _)| in_period(p, *d)))
    });
    add("complaints", "", Better::Lower, &|p: &Period| {
        count(
            records
                .complaints
                .iter()
                .filter(|c| in_period(p, c.received)),
        )
    });
    add("complaints_to_date", "", Better::Lower, &|p: &Period| {
        count(
            records
                .complaints
                .iter()
                .filter(|c| c.received.is_some_and(|d| d <= p.end)),
        )
    });
    add("response_days", "days", Better::Lower, &|p: &Period| {
        let answered: Vec<(i64, ItemIdx)> = records
            .complaints
            .iter()
            .filter(|c| in_period(p, c.received))
            .filter_map(|c| Some((c.responded? - c.received?, c.idx)))
            .collect();
        let mean = (!answered.is_empty()).then(|| {
            round(answered.iter().map(|(d, _)| *d as f64).sum::<f64>() / answered.len() as f64)
        });
        (mean, answered.into_iter().map(|(_, i)| i).collect())
    });
    add("open_complaints", "", Better::Lower, &|p: &Period| {
        count(records.complaints.iter().filter(|c| {
            c.received.is_some_and(|d| d <= p.end)
                && !c.closed
                && c.responded.is_none_or(|r| r > p.end)
        }))
    });
    add("reviews_signed", "", Better::Neither, &|p: &Period| {
        count(records.reviews.iter().filter(|r| in_period(p, r.signed)))
    });
    add("reviews_changed", "", Better::Lower, &|p: &Period| {
        count(
            records
                .reviews
                .iter()
                .filter(|r| r.broken && r.signed.is_some_and(|d| d <= p.end)),
        )
    });

    let o = &profile.roles.objective;
    let mut lines = Vec::new();
    for &idx in o
        .kind
        .map_or(&[][..], |k| project.by_kind[k as usize].as_slice())
    {
        let item = project.item(idx);
        let (current, met) = objectives::objective_in(&ctx, idx, period);
        let (previous, _) = objectives::objective_in(&ctx, idx, &before);
        let target = o
            .target
            .and_then(|f| item.field(f))
            .map(Value::display)
            .unwrap_or_default();
        lines.push(ObjectiveLine {
            id: item.id.clone(),
            title: item.display_title().to_owned(),
            unit: objectives::Target::parse(&target).map_or("", |t| t.unit.symbol()),
            target,
            current,
            previous,
            met,
        });
    }
    let judged = |met: bool| -> (Option<f64>, Vec<ItemIdx>) {
        let items: Vec<ItemIdx> = lines
            .iter()
            .filter(|l| l.met == Some(met))
            .filter_map(|l| project.get(&l.id))
            .collect();
        (Some(items.len() as f64), items)
    };
    for (key, met) in [("objectives_met", true), ("objectives_missed", false)] {
        let (current, items) = judged(met);
        figures.push(Figure {
            key,
            label: lang.t(label_key(key)).to_owned(),
            unit: "",
            current,
            previous: None,
            change: None,
            better: None,
            items: ids(project, &items),
            previous_items: Vec::new(),
        });
    }

    let mut evaluations = Vec::new();
    for card in objectives::scorecards(&ctx, profile) {
        for e in card.evaluations {
            let Some(p) = Period::parse(&e.period) else {
                continue;
            };
            // Evaluations of this period, or of a longer one that ends in it.
            if p.end < period.start || p.end > period.end {
                continue;
            }
            evaluations.push(EvaluationLine {
                customer: card.customer.clone(),
                id: e.id,
                period: e.period,
                score: e.score,
                rank: e.rank,
                of: e.of,
                computed: e.computed,
                difference: e.difference,
            });
        }
    }

    ManagementReview {
        project: project.name.clone(),
        period: period.name.clone(),
        previous: before.name,
        as_of: ctx.as_of.map(|d| Date::from_days(d).to_string()),
        figures,
        objectives: lines,
        evaluations,
        lang,
    }
}

/// The catalogue key of a figure's label.
fn label_key(key: &str) -> &'static str {
    match key {
        "customer_satisfaction" => "mr_customer_satisfaction",
        "feedback_received" => "mr_feedback_received",
        "on_time_delivery" => "mr_on_time_delivery",
        "deliveries" => "mr_deliveries",
        "complaints" => "mr_complaints",
        "complaints_to_date" => "mr_complaints_to_date",
        "response_days" => "mr_response_days",
        "open_complaints" => "mr_open_complaints",
        "reviews_signed" => "mr_reviews_signed",
        "reviews_changed" => "mr_reviews_changed",
        "objectives_met" => "mr_objectives_met",
        _ => "mr_objectives_missed",
    }
}

/// The records the figures count, read once through the profile's roles.
struct Records {
    /// Every feedback item, by the day it was received.
    feedback: Vec<(Option<i64>, ItemIdx)>,
    /// Deliveries made, by the day they were made.
    deliveries: Vec<(Option<i64>, ItemIdx)>,
    complaints: Vec<Complaint>,
    reviews: Vec<SignedReview>,
}

struct Complaint {
    idx: ItemIdx,
    received: Option<i64>,
    responded: Option<i64>,
    closed: bool,
}

struct SignedReview {
    idx: ItemIdx,
    signed: Option<i64>,
    /// Its sign-off no longer holds (the sign-off rule's finding).
    broken: bool,
}

impl Records {
    fn of(
        ctx: &Context<'_>,
        project: &Project,
        profile: &crate::profile::Profile,
        checked: &Checked,
    ) -> Records {
        let roles = &profile.roles;
        let day = |idx: ItemIdx, field: Option<crate::model::FieldIdx>| -> Option<i64> {
            let v = project.item(idx).field(field?)?;
            Date::of_value(&v.display()).map(Date::days)
        };
        let text = |idx: ItemIdx, field: Option<crate::model::FieldIdx>| -> Option<String> {
            Some(project.item(idx).field(field?)?.display())
        };
        let of_kind = |kind: Option<crate::model::KindIdx>| -> &[ItemIdx] {
            kind.map_or(&[][..], |k| project.by_kind[k as usize].as_slice())
        };
        let fb = &roles.feedback;
        let feedback: Vec<(Option<i64>, ItemIdx)> = of_kind(fb.kind)
            .iter()
            .map(|&f| (day(f, fb.date), f))
            .collect();
        let complaints = of_kind(fb.kind)
            .iter()
            .filter(|&&f| Roles::is(&fb.complaint, text(f, fb.type_).as_deref()))
            .map(|&f| Complaint {
                idx: f,
                received: day(f, fb.date),
                responded: day(f, fb.responded),
                closed: ctx.is_closed(f),
            })
            .collect();
        let dl = &roles.delivery;
        let deliveries = of_kind(dl.kind)
            .iter()
            .filter_map(|&d| day(d, dl.actual).map(|a| (Some(a), d)))
            .collect();
        let rv = &roles.review;
        let signoff = roles.rules.signoff;
        let broken: std::collections::HashSet<ItemIdx> = checked
            .result
            .findings
            .iter()
            .filter(|f| Some(f.rule) == signoff)
            .map(|f| f.item)
            .collect();
        let reviews = of_kind(rv.kind)
            .iter()
            .filter_map(|&r| {
                let signed = day(r, rv.signed_on)?;
                Some(SignedReview {
                    idx: r,
                    signed: Some(signed),
                    broken: broken.contains(&r),
                })
            })
            .collect();
        Records {
            feedback,
            deliveries,
            complaints,
            reviews,
        }
    }
}

/// A count of records, with the records.
fn count<'a, T: Counted + 'a>(records: impl Iterator<Item = &'a T>) -> (Option<f64>, Vec<ItemIdx>) {
    let items: Vec<ItemIdx> = records.map(Counted::idx).collect();
    (Some(items.len() as f64), items)
}

trait Counted {
    fn idx(&self) -> ItemIdx;
}

impl Counted for (Option<i64>, ItemIdx) {
    fn idx(&self) -> ItemIdx {
        self.1
    }
}

impl Counted for Complaint {
    fn idx(&self) -> ItemIdx {
        self.idx
    }
}

impl Counted for SignedReview {
    fn idx(&self) -> ItemIdx {
        self.idx
    }
}

fn in_period(p: &Period, day: Option<i64>) -> bool {
    day.is_some_and(|d| p.contains(d))
}

fn ids(project: &Project, items: &[ItemIdx]) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|&i| project.reference(i).to_owned())
        .collect();
    v.sort_by(|a, b| crate::text::natural_cmp(a, b));
    v.dedup();
    v
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A number as the review shows it: no trailing zeros, grouped thousands.
fn number(v: Option<f64>, unit: &str, lang: Lang) -> String {
    let Some(v) = v else {
        return "—".to_owned();
    };
    let mut s = format!("{:.2}", v.abs());
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    crate::text::grouped_into(&mut grouped, int);
    if !frac.is_empty() {
        grouped.push('.');
        grouped.push_str(frac);
    }
    let sign = if v < 0.0 { "−" } else { "" };
    match unit {
        "" => format!("{sign}{grouped}"),
        "%" => format!("{sign}{grouped}%"),
        "days" => format!("{sign}{grouped} {}", lang.t("mr_days")),
        other => format!("{sign}{grouped} {other}"),
    }
}

impl ManagementReview {
    /// `+3` / `−2.5` with the unit, or a dash.
    fn change_text(&self, f: &Figure) -> String {
        match f.change {
            Some(c) if c > 0.0 => format!("+{}", number(Some(c), f.unit, self.lang)),
            Some(c) => number(Some(c), f.unit, self.lang),
            None => "—".to_owned(),
        }
    }

    fn judgement(&self, met: Option<bool>) -> &'static str {
        match met {
            Some(true) => self.lang.t("mr_met"),
            Some(false) => self.lang.t("mr_missed"),
            None => "—",
        }
    }

    /// The review as JSON, with a trailing newline.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serialisable");
        s.push('\n');
        s
    }

    /// The review as Markdown.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let lang = self.lang;
        let cell = |s: &str| md_cell(s);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# {}\n\n{}\n",
            cell(&lang.f("mr_title", &[("project", &self.project)])),
            lang.f(
                "mr_period_line",
                &[
                    ("this", &self.period),
                    ("prior", &self.previous),
                    ("day", &self.as_of.clone().unwrap_or_else(|| "—".into())),
                ],
            )
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |\n|---|---:|---:|---:|---|",
            lang.t("mr_figure"),
            cell(&self.period),
            cell(&self.previous),
            lang.t("mr_change"),
            lang.t("mr_records")
        );
        for f in &self.figures {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&f.label),
                number(f.current, f.unit, lang),
                number(f.previous, f.unit, lang),
                self.change_text(f),
                cell(&f.items.join(", "))
            );
        }
        if !self.objectives.is_empty() {
            let _ = writeln!(
                out,
                "\n## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---:|---:|---|",
                lang.t("mr_objectives"),
                lang.t("mr_objective"),
                lang.t("mr_target"),
                cell(&self.period),
                cell(&self.previous),
                lang.t("mr_judgement")
            );
            for o in &self.objectives {
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} | {} | {} |",
                    cell(&o.id),
                    cell(&o.title),
                    cell(&o.target),
                    number(o.current, o.unit, lang),
                    number(o.previous, o.unit, lang),
                    self.judgement(o.met)
                );
            }
        }
        if !self.evaluations.is_empty() {
            let _ = writeln!(
                out,
                "\n## {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---:|",
                lang.t("mr_evaluations"),
                lang.t("mr_customer"),
                lang.t("mr_period"),
                lang.t("mr_their_score"),
                lang.t("mr_rank"),
                lang.t("mr_computed"),
                lang.t("mr_difference")
            );
            for e in &self.evaluations {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    cell(&e.customer),
                    cell(&e.period),
                    number(e.score, "", lang),
                    rank_text(e.rank, e.of, lang),
                    number(e.computed, "", lang),
                    number(e.difference, "", lang)
                );
            }
        }
        out
    }

    /// The review as one HTML page that needs nothing else.
    pub fn html(&self) -> Result<String, String> {
        let lang = self.lang;
        let mut tera = tera::Tera::default();
        tera.add_raw_template(
            "management.html",
            include_str!("../templates/management.html"),
        )
        .map_err(|e| format!("the management review template: {e}"))?;
        #[derive(Serialize)]
        struct Row<'a> {
            label: &'a str,
            current: String,
            previous: String,
            change: String,
            better: Option<bool>,
            items: &'a [String],
        }
        #[derive(Serialize)]
        struct Line<'a> {
            id: &'a str,
            title: &'a str,
            target: &'a str,
            current: String,
            previous: String,
            judgement: &'a str,
            met: Option<bool>,
        }
        #[derive(Serialize)]
        struct Eval<'a> {
            customer: &'a str,
            period: &'a str,
            score: String,
            rank: String,
            computed: String,
            difference: String,
        }
        let rows: Vec<Row> = self
            .figures
            .iter()
            .map(|f| Row {
                label: &f.label,
                current: number(f.current, f.unit, lang),
                previous: number(f.previous, f.unit, lang),
                change: self.change_text(f),
                better: f.better,
                items: &f.items,
            })
            .collect();
        let lines: Vec<Line> = self
            .objectives
            .iter()
            .map(|o| Line {
                id: &o.id,
                title: &o.title,
                target: &o.target,
                current: number(o.current, o.unit, lang),
                previous: number(o.previous, o.unit, lang),
                judgement: self.judgement(o.met),
                met: o.met,
            })
            .collect();
        let evals: Vec<Eval> = self
            .evaluations
            .iter()
            .map(|e| Eval {
                customer: &e.customer,
                period: &e.period,
                score: number(e.score, "", lang),
                rank: rank_text(e.rank, e.of, lang),
                computed: number(e.computed, "", lang),
                difference: number(e.difference, "", lang),
            })
            .collect();
        let words: std::collections::BTreeMap<&str, String> = [
            "mr_figure",
            "mr_change",
            "mr_records",
            "mr_objectives",
            "mr_objective",
            "mr_target",
            "mr_judgement",
            "mr_evaluations",
            "mr_customer",
            "mr_period",
            "mr_their_score",
            "mr_rank",
            "mr_computed",
            "mr_difference",
        ]
        .into_iter()
        .map(|k| (k, lang.t(k).to_owned()))
        .collect();
        let mut context = tera::Context::new();
        context.insert("lang", lang.code());
        context.insert("title", &lang.f("mr_title", &[("project", &self.project)]));
        context.insert(
            "period_line",
            &lang.f(
                "mr_period_line",
                &[
                    ("this", &self.period),
                    ("prior", &self.previous),
                    ("day", &self.as_of.clone().unwrap_or_else(|| "—".into())),
                ],
            ),
        );
        context.insert("this_period", &self.period);
        context.insert("previous", &self.previous);
        context.insert("figures", &rows);
        context.insert("objectives", &lines);
        context.insert("evaluations", &evals);
        context.insert("words", &words);
        tera.render("management.html", &context)
            .map_err(|e| format!("the management review page: {e}"))
    }

    /// The review as a workbook: the figures, then every record behind them.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let lang = self.lang;
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name(lang.t("mr_sheet_figures"))?;
        let heads = [
            lang.t("mr_figure").to_owned(),
            self.period.clone(),
            self.previous.clone(),
            lang.t("mr_change").to_owned(),
            lang.t("mr_records").to_owned(),
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        let mut r = 1u32;
        let put = |ws: &mut rust_xlsxwriter::Worksheet,
                   r: u32,
                   c: u16,
                   v: Option<f64>|
         -> Result<(), rust_xlsxwriter::XlsxError> {
            match v {
                Some(v) => ws.write_number(r, c, v).map(|_| ()),
                None => ws.write_string(r, c, "—").map(|_| ()),
            }
        };
        for f in &self.figures {
            let label = match f.unit {
                "" => f.label.clone(),
                "%" => format!("{} (%)", f.label),
                _ => format!("{} ({})", f.label, lang.t("mr_days")),
            };
            ws.write_string(r, 0, &label)?;
            put(ws, r, 1, f.current)?;
            put(ws, r, 2, f.previous)?;
            put(ws, r, 3, f.change)?;
            ws.write_string(r, 4, f.items.join(", "))?;
            r += 1;
        }
        if !self.objectives.is_empty() {
            r += 1;
            let heads = [
                lang.t("mr_objective").to_owned(),
                lang.t("mr_target").to_owned(),
                self.period.clone(),
                self.previous.clone(),
                lang.t("mr_judgement").to_owned(),
            ];
            for (c, h) in heads.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, h, &bold)?;
            }
            for o in &self.objectives {
                r += 1;
                ws.write_string(r, 0, format!("{} {}", o.id, o.title))?;
                ws.write_string(r, 1, &o.target)?;
                put(ws, r, 2, o.current)?;
                put(ws, r, 3, o.previous)?;
                ws.write_string(r, 4, self.judgement(o.met))?;
            }
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(4, 60)?;
        if !self.evaluations.is_empty() {
            let ws = wb.add_worksheet();
            ws.set_name(lang.t("mr_sheet_evaluations"))?;
            let heads = [
                "mr_customer",
                "mr_period",
                "mr_their_score",
                "mr_rank",
                "mr_of",
                "mr_computed",
                "mr_difference",
            ];
            for (c, h) in heads.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, lang.t(h), &bold)?;
            }
            for (i, e) in self.evaluations.iter().enumerate() {
                let r = i as u32 + 1;
                ws.write_string(r, 0, &e.customer)?;
                ws.write_string(r, 1, &e.period)?;
                for (c, v) in [e.score, e.rank, e.of, e.computed, e.difference]
                    .into_iter()
                    .enumerate()
                {
                    put(ws, r, c as u16 + 2, v)?;
                }
            }
        }
        wb.save_to_buffer()
    }
}

fn rank_text(rank: Option<f64>, of: Option<f64>, lang: Lang) -> String {
    match (rank, of) {
        (Some(r), Some(o)) => lang.f(
            "mr_rank_of",
            &[
                ("place", &number(Some(r), "", lang)),
                ("among", &number(Some(o), "", lang)),
            ],
        ),
        (Some(r), None) => number(Some(r), "", lang),
        _ => "—".to_owned(),
    }
}

/// A Markdown table cell: pipes and line breaks escaped, HTML neutralised.
fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_period_has_the_same_length() {
        let p = |s: &str| Period::parse(s).unwrap().previous().name;
        assert_eq!(p("2026-Q1"), "2025-Q4");
        assert_eq!(p("2026-Q3"), "2026-Q2");
        assert_eq!(p("2026-H1"), "2025-H2");
        assert_eq!(p("2026-H2"), "2026-H1");
        assert_eq!(p("2026"), "2025");
        assert_eq!(p("2026-01"), "2025-12");
        assert_eq!(p("2026-07"), "2026-06");
    }

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(number(Some(12345.5), "", Lang::En), "12,345.5");
        assert_eq!(number(Some(-2.0), "%", Lang::En), "−2%");
        assert_eq!(number(None, "", Lang::En), "—");
        assert_eq!(md_cell("a|b\n<c>"), "a\\|b &lt;c&gt;");
    }
}
