//! Quality objectives (ISO 9001 6.2) measured from the records the project
//! already holds, customer scorecards, and the complaint loop (9.1.2).
//!
//! Takes a loaded project and its graph; gives, for each objective, the
//! actual value in its target's unit, per period, met or missed, and the
//! trend; for each customer that declares how it scores its suppliers, a
//! score per period. Target units are checked against the metric
//! ([`validate`]): a ppm target against a percentage metric is an input
//! error, never a guess.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use crate::calendar::Date;
use crate::diag::{Diagnostic, Location};
use crate::graph::TraceGraph;
use crate::model::{FieldIdx, ItemIdx, KindIdx, Project, Value};
use crate::profile::Profile;
use crate::profile::roles::Roles;

/// The unit of a target or a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A share, 0–100.
    Percent,
    /// Parts per million.
    Ppm,
    Days,
    /// A plain number: a count, a ratio, a score.
    Number,
}

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Ppm => "ppm",
            Unit::Days => "days",
            Unit::Number => "",
        }
    }
}

/// A comparison operator of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

/// A parsed target such as `>= 98%`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub op: Op,
    pub value: f64,
    pub unit: Unit,
}

impl Target {
    /// Parses `>= 98%`, `<= 50 ppm`, `< 30 days`, `>= 4.5`.
    pub fn parse(s: &str) -> Result<Target, String> {
        let t = s.trim();
        let (op, rest) = [(">=", Op::Ge), ("≥", Op::Ge), ("<=", Op::Le), ("≤", Op::Le), ("==", Op::Eq), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
            .iter()
            .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r.trim())))
            .ok_or_else(|| format!("`{s}` is not a comparison; write it like \">= 98%\", \"<= 50 ppm\" or \"<= 30 days\""))?;
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(rest.len());
        let (num, unit) = rest.split_at(split);
        let value: f64 = num.trim().parse().map_err(|_| {
            format!("`{s}` has no number to compare with; write it like \">= 98%\"")
        })?;
        let unit = match unit.trim().to_lowercase().as_str() {
            "%" => Unit::Percent,
            "ppm" => Unit::Ppm,
            "day" | "days" | "d" | "天" => Unit::Days,
            "" => Unit::Number,
            other => {
                return Err(format!(
                    "`{other}` in `{s}` is not a unit needtrail knows; use %, ppm, days, or none"
                ));
            }
        };
        Ok(Target { op, value, unit })
    }

    pub fn holds(&self, actual: f64) -> bool {
        const EPS: f64 = 1e-9;
        match self.op {
            Op::Ge => actual >= self.value - EPS,
            Op::Gt => actual > self.value + EPS,
            Op::Le => actual <= self.value + EPS,
            Op::Lt => actual < self.value - EPS,
            Op::Eq => (actual - self.value).abs() <= EPS,
        }
    }

    /// Whether a higher actual is better (`>=`, `>`).
    pub fn higher_is_better(&self) -> bool {
        matches!(self.op, Op::Ge | Op::Gt)
    }
}

/// A metric needtrail computes from the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    OnTimeDelivery,
    VerificationFirstPass,
    ContractFulfilment,
    ComplaintsPerDelivery,
    CustomerSatisfaction,
    OpenComplaintAge,
    /// The customer's own ranking of the organisation among its suppliers
    /// (`[[customer.evaluation]]`): the share ranked at or above it, in %.
    CustomerRank,
}

impl Metric {
    pub const ALL: [(&'static str, Metric); 7] = [
        ("on_time_delivery", Metric::OnTimeDelivery),
        ("verification_first_pass", Metric::VerificationFirstPass),
        ("contract_fulfilment", Metric::ContractFulfilment),
        ("complaints_per_delivery", Metric::ComplaintsPerDelivery),
        ("customer_satisfaction", Metric::CustomerSatisfaction),
        ("open_complaint_age", Metric::OpenComplaintAge),
        ("customer_rank", Metric::CustomerRank),
    ];

    pub fn parse(id: &str) -> Option<Metric> {
        Metric::ALL.iter().find(|(n, _)| *n == id).map(|(_, m)| *m)
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::OnTimeDelivery
            | Metric::VerificationFirstPass
            | Metric::ContractFulfilment
            | Metric::CustomerRank => Unit::Percent,
            Metric::ComplaintsPerDelivery | Metric::CustomerSatisfaction => Unit::Number,
            Metric::OpenComplaintAge => Unit::Days,
        }
    }

    /// Whether a target unit can be compared with this metric. A metric in
    /// days also takes a bare number of days.
    fn accepts(self, unit: Unit) -> bool {
        unit == self.unit() || (self.unit() == Unit::Days && unit == Unit::Number)
    }
}

/// A period: a year, half, quarter or month, as written in `period`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Period {
    pub name: String,
    #[serde(skip)]
    pub start: i64,
    /// Last day, inclusive, as days since 1970.
    #[serde(skip)]
    pub end: i64,
}

impl Period {
    /// Parses `2026`, `2026-H1`, `2026-Q3`, `2026-03`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year: u16 = s.get(..4)?.parse().ok()?;
        let rest = &s[4..];
        let (m1, m2) = match rest {
            "" => (1, 12),
            r => {
                let r = r.strip_prefix('-')?;
                match r.chars().next()? {
                    'Q' | 'q' => {
                        let q: u8 = r[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
                        (q * 3 - 2, q * 3)
                    }
                    'H' | 'h' => {
                        let h: u8 = r[1..].parse().ok().filter(|h| (1..=2).contains(h))?;
                        (h * 6 - 5, h * 6)
                    }
                    _ => {
                        let m: u8 = r.parse().ok().filter(|m| (1..=12).contains(m))?;
                        if r.len() != 2 {
                            return None;
                        }
                        (m, m)
                    }
                }
            }
        };
        Some(Period::months(s.to_owned(), year, m1, m2))
    }

    fn months(name: String, year: u16, m1: u8, m2: u8) -> Period {
        let start = Date {
            year,
            month: m1,
            day: 1,
        }
        .days();
        let (ny, nm) = if m2 == 12 {
            (year + 1, 1)
        } else {
            (year, m2 + 1)
        };
        let end = Date {
            year: ny,
            month: nm,
            day: 1,
        }
        .days()
            - 1;
        Period { name, start, end }
    }

    /// The period of the same length just before: 2026-Q1 for 2026-Q2,
    /// 2025-H2 for 2026-H1, 2025 for 2026, 2025-12 for 2026-01.
    pub fn previous(&self) -> Period {
        let first = Date::from_days(self.start);
        let last = Date::from_days(self.end);
        let months = (i32::from(last.year) - i32::from(first.year)) * 12 + i32::from(last.month)
            - i32::from(first.month)
            + 1;
        // Month numbers counted from year 0, to step back across years.
        let start = i32::from(first.year) * 12 + i32::from(first.month) - 1 - months;
        let (y, m1) = (start / 12, start % 12 + 1);
        let m2 = m1 + months - 1;
        let (y, m1, m2) = (y as u16, m1 as u8, m2 as u8);
        let name = match months {
            12 => format!("{y}"),
            6 => format!("{y}-H{}", m1 / 6 + 1),
            3 => format!("{y}-Q{}", m1 / 3 + 1),
            _ => format!("{y}-{m1:02}"),
        };
        Period::months(name, y, m1, m2)
    }

    pub fn contains(&self, day: i64) -> bool {
        (self.start..=self.end).contains(&day)
    }

    /// The quarters (for a year or no period) or months (for a half, a
    /// quarter or a month) the results are broken into.
    fn parts(&self) -> Vec<Period> {
        let first = Date::from_days(self.start);
        let last = Date::from_days(self.end);
        let months = (i32::from(last.year) - i32::from(first.year)) * 12 + i32::from(last.month)
            - i32::from(first.month)
            + 1;
        let mut out = Vec::new();
        let (mut y, mut m) = (first.year, first.month);
        if months > 6 {
            // Quarters.
            m = (m - 1) / 3 * 3 + 1;
            while (Date {
                year: y,
                month: m,
                day: 1,
            })
            .days()
                <= self.end
            {
                out.push(Period::months(
                    format!("{y}-Q{}", (m - 1) / 3 + 1),
                    y,
                    m,
                    m + 2,
                ));
                (y, m) = if m >= 10 { (y + 1, 1) } else { (y, m + 3) };
            }
        } else {
            while (Date {
                year: y,
                month: m,
                day: 1,
            })
            .days()
                <= self.end
            {
                out.push(Period::months(format!("{y}-{m:02}"), y, m, m));
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
        }
        out
    }
}

/// One period of an objective's results.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodResult {
    pub period: String,
    pub actual: Option<f64>,
    pub met: Option<bool>,
    /// How many records the value rests on.
    pub records: usize,
}

/// An objective measured.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveResult {
    pub id: String,
    pub title: String,
    pub metric: String,
    pub target: String,
    /// In the target's unit (a percentage as 0–100); `None` with no data.
    pub actual: Option<f64>,
    pub unit: Unit,
    /// `None` when there is nothing to judge (no data, no target).
    pub met: Option<bool>,
    pub periods: Vec<PeriodResult>,
    /// `improving`, `worsening` or `steady`, from the last two periods with data.
    pub trend: Option<&'static str>,
    pub records: usize,
    /// Why there is no actual, or how it was measured.
    pub note: Option<String>,
    #[serde(skip)]
    pub idx: ItemIdx,
}

/// The customers and the contracts an item's thread leads up to.
type Reach = (BTreeSet<ItemIdx>, BTreeSet<ItemIdx>);

/// What the metrics read, built once per evaluation.
pub struct Context<'a> {
    project: &'a Project,
    graph: &'a TraceGraph,
    n: &'a Roles,
    /// The day ages are counted to.
    pub as_of: Option<i64>,
    /// Customers and contracts each item's thread leads up to.
    scope: std::cell::RefCell<rustc_hash::FxHashMap<ItemIdx, Reach>>,
    max_age: u32,
    /// The language of the notes on objectives that cannot be measured.
    pub lang: crate::lang::Lang,
}

impl<'a> Context<'a> {
    pub fn new(project: &'a Project, profile: &'a Profile, graph: &'a TraceGraph) -> Context<'a> {
        let n = &profile.roles;
        let as_of = profile
            .as_of
            .as_deref()
            .and_then(Date::of_value)
            .or_else(|| {
                std::env::var("SOURCE_DATE_EPOCH")
                    .ok()
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .map(|s| Date::from_days(s.div_euclid(86_400)))
            })
            .unwrap_or_else(Date::today)
            .days();
        Context {
            project,
            graph,
            n,
            as_of: Some(as_of),
            scope: std::cell::RefCell::new(rustc_hash::FxHashMap::default()),
            max_age: profile.complaint_max_age_days,
            lang: crate::lang::Lang::En,
        }
    }

    fn text(&self, idx: ItemIdx, field: Option<FieldIdx>) -> Option<String> {
        match self.project.item(idx).field(field?)? {
            Value::String(s) | Value::Date(s) => Some(s.clone()),
            v => Some(v.display()),
        }
    }

    fn number(&self, idx: ItemIdx, field: Option<FieldIdx>) -> Option<f64> {
        match self.project.item(idx).field(field?)? {
            Value::Float(f) => Some(*f),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    fn day(&self, idx: ItemIdx, field: Option<FieldIdx>) -> Option<i64> {
        self.text(idx, field)
            .as_deref()
            .and_then(Date::of_value)
            .map(Date::days)
    }

    fn items(&self, kind: Option<KindIdx>) -> &'a [ItemIdx] {
        kind.map_or(&[], |k| self.project.by_kind[k as usize].as_slice())
    }

    fn down(&self, idx: ItemIdx, kind: Option<KindIdx>, field: Option<FieldIdx>) -> Vec<ItemIdx> {
        let (Some(kind), Some(f)) = (kind, field) else {
            return Vec::new();
        };
        let mut v: Vec<ItemIdx> = self
            .graph
            .downstream(idx)
            .filter(|(g, i)| *g == f && self.project.item(*i).kind == kind)
            .map(|(_, i)| i)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Customers and contracts an item's thread leads up to.
    fn scope_of(&self, idx: ItemIdx) -> Reach {
        if let Some(s) = self.scope.borrow().get(&idx) {
            return s.clone();
        }
        let (mut customers, mut contracts) = (BTreeSet::new(), BTreeSet::new());
        let mut seen = BTreeSet::from([idx]);
        let mut queue = VecDeque::from([idx]);
        while let Some(i) = queue.pop_front() {
            let k = Some(self.project.item(i).kind);
            if k == self.n.customer.kind {
                customers.insert(i);
            }
            if k == self.n.contract.kind {
                contracts.insert(i);
            }
            for (_, up) in self.graph.upstream(i) {
                if seen.insert(up) {
                    queue.push_back(up);
                }
            }
        }
        let s = (customers, contracts);
        self.scope.borrow_mut().insert(idx, s.clone());
        s
    }

    /// An objective's metric that nothing measures: neither one needtrail
    /// computes nor given values with `[[objective.measurement]]`. Gives
    /// the metric as written and the computed metric most like it.
    pub fn unknown_metric(&self, idx: ItemIdx) -> Option<(String, Option<&'static str>)> {
        let metric = self.text(idx, self.n.objective.metric)?;
        if Metric::parse(&metric).is_some() {
            return None;
        }
        let project = self.project;
        let measured = (idx.index() + 1..project.items.len())
            .map(|i| ItemIdx(i as u32))
            .take_while(|i| project.item(*i).parent == Some(idx))
            .any(|i| Some(project.item(i).kind) == self.n.measurement.kind);
        if measured {
            return None;
        }
        let close = crate::diag::suggest(&metric, Metric::ALL.iter().map(|(n, _)| *n));
        Some((metric, close))
    }

    /// Whether an item is a complaint (feedback of type `complaint`).
    pub fn is_complaint_item(&self, idx: ItemIdx) -> bool {
        self.is_complaint(idx)
    }

    fn is_complaint(&self, idx: ItemIdx) -> bool {
        let f = &self.n.feedback;
        Roles::is(&f.complaint, self.text(idx, f.type_).as_deref())
    }

    /// Whether a complaint's status says it is closed: exactly the statuses
    /// `complaint-closed-with-action` checks, so that every complaint is
    /// either aged (`complaint-overdue`) or asked for its action, never
    /// neither.
    pub fn is_closed(&self, idx: ItemIdx) -> bool {
        let f = &self.n.feedback;
        Roles::is(&f.closed, self.text(idx, f.status).as_deref())
    }

    fn has_action(&self, idx: ItemIdx) -> bool {
        let f = &self.n.feedback;
        self.text(idx, f.action)
            .is_some_and(|a| !a.trim().is_empty())
            || f.resolved_by
                .is_some_and(|f| self.project.item(idx).has_links_in(f))
    }

    /// A complaint that is open, has no action, and is older than allowed:
    /// its age in days and the limit.
    pub fn overdue(&self, idx: ItemIdx) -> Option<(i64, u32)> {
        if !self.is_complaint(idx) || self.is_closed(idx) || self.has_action(idx) {
            return None;
        }
        let age = self.as_of? - self.day(idx, self.n.feedback.date)?;
        (age > i64::from(self.max_age)).then_some((age, self.max_age))
    }
}

/// A record a metric counts: the day it belongs to, and what it counts.
#[derive(Clone, Copy, Debug)]
enum Sample {
    /// A yes/no outcome (on time, first pass, delivered).
    Share(bool),
    /// A value to average (a survey score).
    Score(f64),
    /// A complaint, or a delivery, for complaints per delivery.
    Complaint,
    Delivery,
    /// An open complaint's age in days at the as-of date.
    Age(f64),
}

/// Which records an objective measures.
struct Scope {
    customers: BTreeSet<ItemIdx>,
    contracts: BTreeSet<ItemIdx>,
}

impl Scope {
    fn admits(&self, ctx: &Context<'_>, record: ItemIdx) -> bool {
        if self.customers.is_empty() && self.contracts.is_empty() {
            return true;
        }
        let (cu, co) = ctx.scope_of(record);
        (self.customers.is_empty() || !self.customers.is_disjoint(&cu))
            && (self.contracts.is_empty() || !self.contracts.is_disjoint(&co))
    }
}

/// Every sample of a metric, with the day it falls on (`None`: undated).
fn samples(ctx: &Context<'_>, metric: Metric, scope: &Scope) -> Vec<(Option<i64>, Sample)> {
    samples_of(ctx, metric, scope)
        .into_iter()
        .map(|(day, s, _)| (day, s))
        .collect()
}

/// Every sample of a metric, with the day it falls on (`None`: undated)
/// and the record it comes from.
fn samples_of(
    ctx: &Context<'_>,
    metric: Metric,
    scope: &Scope,
) -> Vec<(Option<i64>, Sample, ItemIdx)> {
    let n = &ctx.n;
    let mut out = Vec::new();
    match metric {
        Metric::OnTimeDelivery => {
            for &d in ctx.items(n.delivery.kind) {
                // Only deliveries made and planned can be on time or late.
                let (p, a) = (n.delivery.planned, n.delivery.actual);
                if let (Some(planned), Some(actual)) = (ctx.day(d, p), ctx.day(d, a))
                    && scope.admits(ctx, d)
                {
                    out.push((Some(planned), Sample::Share(actual <= planned), d));
                }
            }
        }
        Metric::VerificationFirstPass => {
            // Each verified item's first verification with a result.
            let mut first: BTreeMap<ItemIdx, (Option<i64>, ItemIdx, bool)> = BTreeMap::new();
            let ver = &n.verification;
            for &v in ctx.items(ver.kind) {
                let result = ctx.text(v, ver.result);
                let passed = if Roles::is(&ver.pass, result.as_deref()) {
                    true
                } else if Roles::is(&ver.fail, result.as_deref()) {
                    false
                } else {
                    continue;
                };
                let day = ctx.day(v, ver.date);
                let Some(f) = ver.verifies else {
                    continue;
                };
                for target in ctx.project.item(v).links_in(f) {
                    let key = (day.unwrap_or(i64::MAX), v);
                    let replace = first
                        .get(&target)
                        .is_none_or(|(d, w, _)| key < (d.unwrap_or(i64::MAX), *w));
                    if replace {
                        first.insert(target, (day, v, passed));
                    }
                }
            }
            for (target, (day, _, passed)) in first {
                if scope.admits(ctx, target) {
                    out.push((day, Sample::Share(passed), target));
                }
            }
        }
        Metric::ContractFulfilment => {
            let Some(req_field) = n.decision.requirement else {
                return out;
            };
            let mut latest: BTreeMap<ItemIdx, (String, ItemIdx)> = BTreeMap::new();
            for &d in ctx.items(n.decision.kind) {
                for r in ctx.project.item(d).links_in(req_field) {
                    let key = (ctx.text(d, n.decision.date).unwrap_or_default(), d);
                    if latest.get(&r).is_none_or(|k| key > *k) {
                        latest.insert(r, key);
                    }
                }
            }
            for (r, (_, d)) in latest {
                if !Roles::is(
                    &n.decision.accept,
                    ctx.text(d, n.decision.verdict).as_deref(),
                ) || !scope.admits(ctx, r)
                {
                    continue;
                }
                let (del, di_, do_) = (&n.delivery, &n.design_input, &n.design_output);
                let mut delivered = !ctx.down(r, del.kind, del.delivers).is_empty();
                for di in ctx.down(r, di_.kind, di_.traces) {
                    for d_o in ctx.down(di, do_.kind, do_.satisfies) {
                        delivered |= !ctx.down(d_o, del.kind, del.delivers).is_empty();
                    }
                }
                out.push((ctx.day(d, n.decision.date), Sample::Share(delivered), r));
            }
        }
        Metric::ComplaintsPerDelivery => {
            for &d in ctx.items(n.delivery.kind) {
                if let Some(actual) = ctx.day(d, n.delivery.actual)
                    && scope.admits(ctx, d)
                {
                    out.push((Some(actual), Sample::Delivery, d));
                }
            }
            for &f in ctx.items(n.feedback.kind) {
                if ctx.is_complaint(f) && scope.admits(ctx, f) {
                    out.push((ctx.day(f, n.feedback.date), Sample::Complaint, f));
                }
            }
        }
        Metric::CustomerSatisfaction => {
            let fb = &n.feedback;
            for &f in ctx.items(fb.kind) {
                let kind = ctx.text(f, fb.type_);
                if Roles::is(&fb.survey, kind.as_deref())
                    && let Some(score) = ctx.number(f, fb.score)
                    && scope.admits(ctx, f)
                {
                    out.push((ctx.day(f, fb.date), Sample::Score(score), f));
                }
            }
        }
        Metric::OpenComplaintAge => {
            let Some(as_of) = ctx.as_of else { return out };
            for &f in ctx.items(n.feedback.kind) {
                if ctx.is_complaint(f)
                    && !ctx.is_closed(f)
                    && let Some(day) = ctx.day(f, n.feedback.date)
                    && day <= as_of
                    && scope.admits(ctx, f)
                {
                    out.push((Some(day), Sample::Age((as_of - day) as f64), f));
                }
            }
        }
        Metric::CustomerRank => {
            let ev = &n.evaluation;
            for &e in ctx.items(ev.kind) {
                let item = ctx.project.item(e);
                // An evaluation is written under its customer.
                let customer_ok = scope.customers.is_empty()
                    || item.parent.is_some_and(|c| scope.customers.contains(&c));
                if let (Some(rank), Some(of)) = (ctx.number(e, ev.rank), ctx.number(e, ev.of))
                    && of > 0.0
                    && customer_ok
                {
                    let day = ctx
                        .text(e, ev.period)
                        .as_deref()
                        .and_then(Period::parse)
                        .map(|p| p.end);
                    out.push((day, Sample::Score(rank * 100.0 / of), e));
                }
            }
        }
    }
    out
}

/// The metric's value over some samples: `None` when there is nothing to
/// measure (no deliveries for an on-time share, say).
fn value(metric: Metric, samples: &[Sample]) -> Option<f64> {
    match metric {
        Metric::OnTimeDelivery | Metric::VerificationFirstPass | Metric::ContractFulfilment => {
            let total = samples
                .iter()
                .filter(|s| matches!(s, Sample::Share(_)))
                .count();
            let yes = samples
                .iter()
                .filter(|s| matches!(s, Sample::Share(true)))
                .count();
            (total > 0).then(|| yes as f64 * 100.0 / total as f64)
        }
        Metric::ComplaintsPerDelivery => {
            let deliveries = samples
                .iter()
                .filter(|s| matches!(s, Sample::Delivery))
                .count();
            let complaints = samples
                .iter()
                .filter(|s| matches!(s, Sample::Complaint))
                .count();
            (deliveries > 0).then(|| complaints as f64 / deliveries as f64)
        }
        Metric::CustomerSatisfaction | Metric::CustomerRank => {
            let scores: Vec<f64> = samples
                .iter()
                .filter_map(|s| match s {
                    Sample::Score(x) => Some(*x),
                    _ => None,
                })
                .collect();
            (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
        }
        // No open complaint is an age of 0 days.
        Metric::OpenComplaintAge => Some(
            samples
                .iter()
                .filter_map(|s| match s {
                    Sample::Age(a) => Some(*a),
                    _ => None,
                })
                .fold(0.0, f64::max),
        ),
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Checks every objective's target and metric: a target that does not parse,
/// or whose unit does not fit its metric, is an input error with its place.
pub fn validate(project: &Project, profile: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let o = &profile.roles.objective;
    let (Some(kind), Some(metric_f), Some(target_f)) = (o.kind, o.metric, o.target) else {
        return out;
    };
    let mut check = |idx: ItemIdx, metric: Option<Metric>, target_field: FieldIdx| {
        let item = project.item(idx);
        let Some(Value::String(t)) = item.field(target_field) else {
            return;
        };
        let place = item.field_span(target_field).unwrap_or(&item.span);
        let loc = Location::in_source(&project.files[place.file as usize], place.bytes());
        match Target::parse(t) {
            Err(e) => out.push(
                Diagnostic::new(
                    "bad-target",
                    format!("the target of {} cannot be read: {e}", item.id),
                    loc,
                )
                .with_help("write a comparison and a unit, e.g. target = \">= 98%\""),
            ),
            Ok(target) => {
                if let Some(m) = metric
                    && !m.accepts(target.unit)
                {
                    out.push(
                        Diagnostic::new(
                            "unit-mismatch",
                            format!(
                                "{}'s target `{t}` is in {}, but its metric is measured in {}",
                                item.id,
                                describe(target.unit),
                                describe(m.unit())
                            ),
                            loc,
                        )
                        .with_help(format!(
                            "write the target in {}, e.g. {}",
                            describe(m.unit()),
                            example(m.unit())
                        )),
                    );
                }
            }
        }
    };
    for &o in &project.by_kind[kind as usize] {
        let metric = match project.item(o).field(metric_f) {
            Some(Value::String(m)) => Metric::parse(m),
            _ => None,
        };
        check(o, metric, target_f);
    }
    let c = &profile.roles.criterion;
    if let (Some(ck), Some(mf), Some(tf)) = (c.kind, c.metric, c.target) {
        for &c in &project.by_kind[ck as usize] {
            let metric = match project.item(c).field(mf) {
                Some(Value::String(m)) => Metric::parse(m),
                _ => None,
            };
            check(c, metric, tf);
        }
    }
    out
}

fn describe(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "percent (%)",
        Unit::Ppm => "parts per million (ppm)",
        Unit::Days => "days",
        Unit::Number => "a plain number",
    }
}

fn example(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "\">= 98%\"",
        Unit::Ppm => "\"<= 50 ppm\"",
        Unit::Days => "\"<= 30 days\"",
        Unit::Number => "\"<= 0.05\"",
    }
}

/// Measures every objective.
pub fn evaluate(ctx: &Context<'_>, profile: &Profile) -> Vec<ObjectiveResult> {
    let Some(kind) = profile.roles.objective.kind else {
        return Vec::new();
    };
    ctx.project.by_kind[kind as usize]
        .iter()
        .map(|o| evaluate_one(ctx, *o))
        .collect()
}

/// Measures one objective.
pub fn evaluate_one(ctx: &Context<'_>, idx: ItemIdx) -> ObjectiveResult {
    let project = ctx.project;
    let item = project.item(idx);
    let o = &ctx.n.objective;
    let metric_id = ctx.text(idx, o.metric).unwrap_or_default();
    let target_text = ctx.text(idx, o.target).unwrap_or_default();
    let target = Target::parse(&target_text).ok();
    let period = ctx.text(idx, o.period);
    let parsed_period = period.as_deref().and_then(Period::parse);
    let mut result = ObjectiveResult {
        id: item.id.clone(),
        title: item.display_title().to_owned(),
        metric: metric_id.clone(),
        target: target_text,
        actual: None,
        unit: target.map_or(Unit::Number, |t| t.unit),
        met: None,
        periods: Vec::new(),
        trend: None,
        records: 0,
        note: None,
        idx,
    };
    if period.is_some() && parsed_period.is_none() {
        result.note = Some(ctx.lang.f(
            "objective_note_period",
            &[("period", &period.clone().unwrap_or_default())],
        ));
    }

    // Values measured outside needtrail: [[objective.measurement]].
    let measurements: Vec<(String, f64)> = {
        let mut v: Vec<(String, f64)> = (idx.index() + 1..project.items.len())
            .map(|i| ItemIdx(i as u32))
            .take_while(|i| project.item(*i).parent == Some(idx))
            .filter(|i| Some(project.item(*i).kind) == ctx.n.measurement.kind)
            .filter_map(|i| {
                let m = &ctx.n.measurement;
                Some((ctx.text(i, m.period)?, ctx.number(i, m.value)?))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let judge = |actual: Option<f64>| Some(target?.holds(actual?));
    if !measurements.is_empty() {
        for (p, v) in &measurements {
            result.periods.push(PeriodResult {
                period: p.clone(),
                actual: Some(*v),
                met: judge(Some(*v)),
                records: 1,
            });
        }
        // The objective's own period if it was measured, else the latest.
        let pick = period
            .as_deref()
            .and_then(|p| measurements.iter().find(|(q, _)| q == p))
            .or(measurements.last());
        result.actual = pick.map(|(_, v)| *v);
        result.records = measurements.len();
        result.met = judge(result.actual);
        result.trend = trend(&result.periods, Want::of(target, true));
        return result;
    }

    let Some(metric) = Metric::parse(&metric_id) else {
        result.note = Some(ctx.lang.f(
            "objective_note_metric",
            &[
                ("metric", &metric_id),
                ("metrics", &Metric::ALL.map(|(n, _)| n).join(", ")),
            ],
        ));
        return result;
    };
    result.unit = metric.unit();
    let scope = objective_scope(ctx, idx);
    let all = samples(ctx, metric, &scope);
    let in_period: Vec<(Option<i64>, Sample)> = all
        .iter()
        .filter(|(d, _)| match (&parsed_period, d) {
            (Some(p), Some(d)) => p.contains(*d),
            // Undated records count only when no period is asked for.
            (Some(_), None) => false,
            (None, _) => true,
        })
        .copied()
        .collect();
    let values: Vec<Sample> = in_period.iter().map(|(_, s)| *s).collect();
    result.actual = value(metric, &values).map(round);
    result.records = values.len();
    result.met = judge(result.actual);
    if result.actual.is_none() {
        result.note = Some(ctx.lang.t("objective_note_no_records").to_owned());
    }
    // Per period: the objective's own period in parts, or the quarters the
    // records fall in.
    let parts = match &parsed_period {
        Some(p) => p.parts(),
        None => {
            let days: Vec<i64> = in_period.iter().filter_map(|(d, _)| *d).collect();
            match (days.iter().min(), days.iter().max()) {
                (Some(a), Some(b)) => {
                    let (fa, fb) = (Date::from_days(*a), Date::from_days(*b));
                    Period::months(String::new(), fa.year, 1, 12)
                        .parts()
                        .into_iter()
                        .chain(
                            (fa.year + 1..=fb.year)
                                .flat_map(|y| Period::months(String::new(), y, 1, 12).parts()),
                        )
                        .filter(|p| p.end >= *a && p.start <= *b)
                        .collect()
                }
                _ => Vec::new(),
            }
        }
    };
    for p in parts {
        let vs: Vec<Sample> = in_period
            .iter()
            .filter(|(d, _)| d.is_some_and(|d| p.contains(d)))
            .map(|(_, s)| *s)
            .collect();
        let actual = if vs.is_empty() {
            None
        } else {
            value(metric, &vs).map(round)
        };
        result.periods.push(PeriodResult {
            period: p.name,
            actual,
            met: judge(actual),
            records: vs.len(),
        });
    }
    let higher = !matches!(
        metric,
        Metric::ComplaintsPerDelivery | Metric::OpenComplaintAge | Metric::CustomerRank
    );
    result.trend = trend(&result.periods, Want::of(target, higher));
    result
}

/// A metric over the records of one period, every customer's: its value,
/// and the records it rests on, in item order.
pub fn metric_in(
    ctx: &Context<'_>,
    metric: Metric,
    period: &Period,
) -> (Option<f64>, Vec<ItemIdx>) {
    let everyone = Scope {
        customers: BTreeSet::new(),
        contracts: BTreeSet::new(),
    };
    let mut values = Vec::new();
    let mut items = Vec::new();
    for (day, sample, item) in samples_of(ctx, metric, &everyone) {
        if day.is_some_and(|d| period.contains(d)) {
            values.push(sample);
            items.push(item);
        }
    }
    items.sort_unstable();
    items.dedup();
    (value(metric, &values).map(round), items)
}

/// An objective over one period: its actual (the value measured for that
/// very period, else its metric over the period's records, within its
/// customer or contract), and whether that meets its target.
pub fn objective_in(
    ctx: &Context<'_>,
    idx: ItemIdx,
    period: &Period,
) -> (Option<f64>, Option<bool>) {
    let project = ctx.project;
    let o = &ctx.n.objective;
    let target = ctx.text(idx, o.target).and_then(|t| Target::parse(&t).ok());
    let judge = |actual: Option<f64>| Some(target?.holds(actual?));
    let m = &ctx.n.measurement;
    let measured = (idx.index() + 1..project.items.len())
        .map(|i| ItemIdx(i as u32))
        .take_while(|i| project.item(*i).parent == Some(idx))
        .filter(|i| Some(project.item(*i).kind) == m.kind)
        .find(|i| ctx.text(*i, m.period).as_deref() == Some(period.name.as_str()))
        .and_then(|i| ctx.number(i, m.value));
    if measured.is_some() {
        return (measured, judge(measured));
    }
    let Some(metric) = ctx.text(idx, o.metric).as_deref().and_then(Metric::parse) else {
        return (None, None);
    };
    let scope = objective_scope(ctx, idx);
    let values: Vec<Sample> = samples(ctx, metric, &scope)
        .into_iter()
        .filter(|(d, _)| d.is_some_and(|d| period.contains(d)))
        .map(|(_, s)| s)
        .collect();
    let actual = value(metric, &values).map(round);
    (actual, judge(actual))
}

/// The customers and contracts an objective measures: its own `customer`
/// and `contract`, or the customers it traces to when it traces to nothing
/// else.
fn objective_scope(ctx: &Context<'_>, idx: ItemIdx) -> Scope {
    let item = ctx.project.item(idx);
    let links = |field: Option<FieldIdx>| -> BTreeSet<ItemIdx> {
        field
            .map(|f| item.links_in(f).collect())
            .unwrap_or_default()
    };
    let o = &ctx.n.objective;
    let mut customers = links(o.customer);
    let contracts = links(o.contract);
    let traced = links(o.traces);
    if customers.is_empty()
        && contracts.is_empty()
        && !traced.is_empty()
        && traced
            .iter()
            .all(|t| Some(ctx.project.item(*t).kind) == ctx.n.customer.kind)
    {
        customers = traced;
    }
    Scope {
        customers,
        contracts,
    }
}

/// Which way a target wants its actual to move.
#[derive(Clone, Copy, Debug)]
enum Want {
    Higher,
    Lower,
    /// An `=` target: towards its value, from either side.
    Toward(f64),
}

impl Want {
    /// The target's direction; without a target, higher or lower as given.
    fn of(target: Option<Target>, higher_without_target: bool) -> Want {
        match target {
            Some(t) if t.op == Op::Eq => Want::Toward(t.value),
            Some(t) if t.higher_is_better() => Want::Higher,
            Some(_) => Want::Lower,
            None if higher_without_target => Want::Higher,
            None => Want::Lower,
        }
    }
}

fn trend(periods: &[PeriodResult], want: Want) -> Option<&'static str> {
    let with: Vec<f64> = periods.iter().filter_map(|p| p.actual).collect();
    let [.., a, b] = with.as_slice() else {
        return None;
    };
    // How much better the last period is than the one before.
    let gain = match want {
        Want::Higher => b - a,
        Want::Lower => a - b,
        Want::Toward(t) => (a - t).abs() - (b - t).abs(),
    };
    Some(if gain.abs() < 1e-9 {
        "steady"
    } else if gain > 0.0 {
        "improving"
    } else {
        "worsening"
    })
}

/// One customer's score in one period.
#[derive(Clone, Debug, Serialize)]
pub struct ScorePeriod {
    pub period: String,
    /// 0–100, weighted over the criteria that could be measured.
    pub score: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CriterionResult {
    pub name: String,
    pub weight: f64,
    pub metric: String,
    pub target: Option<String>,
    pub actual: Option<f64>,
    /// 0–1: how much of the weight the criterion earns.
    pub fraction: Option<f64>,
}

/// How a customer scores the organisation, per its own criteria.
#[derive(Clone, Debug, Serialize)]
pub struct Scorecard {
    pub customer: String,
    pub title: String,
    pub criteria: Vec<CriterionResult>,
    /// Over all records.
    pub score: Option<f64>,
    pub periods: Vec<ScorePeriod>,
    /// The customer's own evaluations, beside this scorecard.
    pub evaluations: Vec<EvaluationRow>,
}

/// The customer's own evaluation of one period (`[[customer.evaluation]]`),
/// with the scorecard's score over the same period.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationRow {
    pub id: String,
    pub period: String,
    /// The customer's score.
    pub score: Option<f64>,
    pub rank: Option<f64>,
    pub of: Option<f64>,
    /// The share of suppliers ranked at or above the organisation, in %.
    pub share: Option<f64>,
    /// The scorecard's score over the period, 0–100.
    pub computed: Option<f64>,
    /// The customer's score less the computed one.
    pub difference: Option<f64>,
}

/// The share of a criterion's weight earned by an actual value.
fn fraction(metric: Metric, actual: f64, target: Option<Target>) -> Option<f64> {
    let f = match (target, metric.unit()) {
        // `=`: the closer to the value, from either side, the more earned.
        (Some(t), _) if t.op == Op::Eq => {
            let (lo, hi) = (actual.min(t.value), actual.max(t.value));
            if t.holds(actual) {
                1.0
            } else if hi <= 0.0 {
                0.0
            } else {
                lo / hi
            }
        }
        (Some(t), _) if t.higher_is_better() => {
            if t.value <= 0.0 {
                1.0
            } else {
                actual / t.value
            }
        }
        (Some(t), _) => {
            if actual <= t.value || actual <= 0.0 {
                1.0
            } else {
                t.value / actual
            }
        }
        (None, Unit::Percent) => actual / 100.0,
        (None, _) => return None,
    };
    Some(f.clamp(0.0, 1.0))
}

/// Scorecards of every customer that declares criteria, riskiest (lowest
/// score) first; customers without a score last.
pub fn scorecards(ctx: &Context<'_>, profile: &Profile) -> Vec<Scorecard> {
    let (Some(ck), Some(crit)) = (profile.roles.customer.kind, profile.roles.criterion.kind) else {
        return Vec::new();
    };
    let project = ctx.project;
    let mut out = Vec::new();
    for &c in &project.by_kind[ck as usize] {
        let criteria: Vec<ItemIdx> = (c.index() + 1..project.items.len())
            .map(|i| ItemIdx(i as u32))
            .take_while(|i| project.item(*i).parent == Some(c))
            .filter(|i| project.item(*i).kind == crit)
            .collect();
        let ev = &ctx.n.evaluation;
        let evaluations: Vec<ItemIdx> = (c.index() + 1..project.items.len())
            .map(|i| ItemIdx(i as u32))
            .take_while(|i| project.item(*i).parent == Some(c))
            .filter(|i| Some(project.item(*i).kind) == ev.kind)
            .collect();
        if criteria.is_empty() && evaluations.is_empty() {
            continue;
        }
        let scope = Scope {
            customers: BTreeSet::from([c]),
            contracts: BTreeSet::new(),
        };
        let mut results = Vec::new();
        let mut per_period: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let (mut earned, mut weights) = (0.0, 0.0);
        for &k in &criteria {
            let cr = &ctx.n.criterion;
            let metric_id = ctx.text(k, cr.metric).unwrap_or_default();
            let target_text = ctx.text(k, cr.target);
            let target = target_text.as_deref().and_then(|t| Target::parse(t).ok());
            let weight = ctx.number(k, cr.weight).unwrap_or(0.0);
            let metric = Metric::parse(&metric_id);
            let (actual, frac) = match metric {
                Some(m) => {
                    let all = samples(ctx, m, &scope);
                    let vals: Vec<Sample> = all.iter().map(|(_, s)| *s).collect();
                    let actual = value(m, &vals).map(round);
                    // Per quarter.
                    let mut by_quarter: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
                    for (d, s) in &all {
                        if let Some(d) = d {
                            let date = Date::from_days(*d);
                            by_quarter
                                .entry(format!("{}-Q{}", date.year, (date.month - 1) / 3 + 1))
                                .or_default()
                                .push(*s);
                        }
                    }
                    for (q, vs) in by_quarter {
                        if let Some(f) = value(m, &vs).and_then(|a| fraction(m, a, target)) {
                            let e = per_period.entry(q).or_default();
                            e.0 += weight * f;
                            e.1 += weight;
                        }
                    }
                    (actual, actual.and_then(|a| fraction(m, a, target)))
                }
                None => (None, None),
            };
            if let Some(f) = frac {
                earned += weight * f;
                weights += weight;
            }
            results.push(CriterionResult {
                name: ctx
                    .text(k, ctx.n.criterion.name)
                    .unwrap_or_else(|| metric_id.clone()),
                weight,
                metric: metric_id,
                target: target_text,
                actual,
                fraction: frac.map(round),
            });
        }
        // The scorecard over one period, for an evaluation to stand beside.
        let score_over = |period: &Period| -> Option<f64> {
            let (mut earned, mut weights) = (0.0, 0.0);
            for &k in &criteria {
                let cr = &ctx.n.criterion;
                let Some(m) = ctx.text(k, cr.metric).as_deref().and_then(Metric::parse) else {
                    continue;
                };
                let target = ctx.text(k, cr.target).and_then(|t| Target::parse(&t).ok());
                let vs: Vec<Sample> = samples(ctx, m, &scope)
                    .into_iter()
                    .filter(|(d, _)| d.is_some_and(|d| period.contains(d)))
                    .map(|(_, s)| s)
                    .collect();
                if let Some(f) = value(m, &vs).and_then(|a| fraction(m, a, target)) {
                    let weight = ctx.number(k, cr.weight).unwrap_or(0.0);
                    earned += weight * f;
                    weights += weight;
                }
            }
            (weights > 0.0).then(|| round(earned * 100.0 / weights))
        };
        let mut evaluation_rows: Vec<EvaluationRow> = evaluations
            .iter()
            .map(|&e| {
                let period = ctx.text(e, ev.period).unwrap_or_default();
                let (score, rank, of) = (
                    ctx.number(e, ev.score),
                    ctx.number(e, ev.rank),
                    ctx.number(e, ev.of),
                );
                let computed = Period::parse(&period).and_then(|p| score_over(&p));
                EvaluationRow {
                    id: project.reference(e).to_owned(),
                    period,
                    score,
                    rank,
                    of,
                    share: match (rank, of) {
                        (Some(r), Some(o)) if o > 0.0 => Some(round(r * 100.0 / o)),
                        _ => None,
                    },
                    computed,
                    difference: match (score, computed) {
                        (Some(a), Some(b)) => Some(round(a - b)),
                        _ => None,
                    },
                }
            })
            .collect();
        evaluation_rows.sort_by(|a, b| a.period.cmp(&b.period));
        out.push(Scorecard {
            evaluations: evaluation_rows,
            customer: project.item(c).id.clone(),
            title: project.item(c).display_title().to_owned(),
            criteria: results,
            score: (weights > 0.0).then(|| round(earned * 100.0 / weights)),
            periods: per_period
                .into_iter()
                .map(|(period, (e, w))| ScorePeriod {
                    period,
                    score: (w > 0.0).then(|| round(e * 100.0 / w)),
                })
                .collect(),
        });
    }
    out.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.customer.cmp(&b.customer)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.customer.cmp(&b.customer),
    });
    out
}

/// A complaint in the loop: how old, whether answered.
#[derive(Clone, Debug, Serialize)]
pub struct ComplaintRow {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub status: Option<String>,
    pub closed: bool,
    pub action: Option<String>,
    pub resolved_by: Vec<String>,
    pub about: Vec<String>,
    /// Days open at the as-of date, for open complaints.
    pub age: Option<i64>,
    pub overdue: bool,
}

/// Every complaint, oldest first.
pub fn complaints(ctx: &Context<'_>) -> Vec<ComplaintRow> {
    let project = ctx.project;
    let ids = |idx: ItemIdx, field: Option<FieldIdx>| -> Vec<String> {
        field
            .map(|f| {
                project
                    .item(idx)
                    .links_in(f)
                    .map(|t| project.item(t).id.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let fb = &ctx.n.feedback;
    let mut rows: Vec<ComplaintRow> = ctx
        .items(ctx.n.feedback.kind)
        .iter()
        .filter(|f| ctx.is_complaint(**f))
        .map(|&f| {
            let closed = ctx.is_closed(f);
            ComplaintRow {
                id: project.item(f).id.clone(),
                title: project.item(f).display_title().to_owned(),
                date: ctx.text(f, fb.date),
                status: ctx.text(f, fb.status),
                closed,
                action: ctx.text(f, fb.action),
                resolved_by: ids(f, fb.resolved_by),
                about: ids(f, fb.about),
                // A complaint dated after the as-of date has no age yet
                // (open_complaint_age leaves it out too).
                age: if closed {
                    None
                } else {
                    ctx.as_of
                        .zip(ctx.day(f, fb.date))
                        .map(|(a, d)| a - d)
                        .filter(|age| *age >= 0)
                },
                overdue: ctx.overdue(f).is_some(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    rows
}

/// A measured value with its unit, e.g. `96.5%`, `42 ppm`, `0.25`.
pub fn with_unit(v: f64, unit: Unit) -> String {
    let n = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    };
    match unit {
        Unit::Percent => format!("{n}%"),
        Unit::Number => n,
        u => format!("{n} {}", u.symbol()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_their_units() {
        assert_eq!(
            Target::parse(">= 98%").unwrap(),
            Target {
                op: Op::Ge,
                value: 98.0,
                unit: Unit::Percent
            }
        );
        assert_eq!(Target::parse("<= 50 ppm").unwrap().unit, Unit::Ppm);
        assert_eq!(Target::parse("< 30 days").unwrap().unit, Unit::Days);
        assert_eq!(
            Target::parse("≥4.5").unwrap(),
            Target {
                op: Op::Ge,
                value: 4.5,
                unit: Unit::Number
            }
        );
        assert!(Target::parse("98%").is_err());
        assert!(Target::parse(">= lots").is_err());
        assert!(Target::parse(">= 5 widgets").is_err());
    }

    #[test]
    fn targets_judge_at_the_boundary() {
        let t = Target::parse(">= 98%").unwrap();
        assert!(t.holds(98.0) && t.holds(100.0) && !t.holds(97.99));
        let t = Target::parse("< 2").unwrap();
        assert!(t.holds(1.9) && !t.holds(2.0));
    }

    #[test]
    fn units_must_fit_the_metric() {
        assert!(Metric::OnTimeDelivery.accepts(Unit::Percent));
        assert!(!Metric::OnTimeDelivery.accepts(Unit::Ppm));
        assert!(!Metric::OnTimeDelivery.accepts(Unit::Number));
        assert!(!Metric::ComplaintsPerDelivery.accepts(Unit::Percent));
        assert!(Metric::OpenComplaintAge.accepts(Unit::Number));
    }

    #[test]
    fn an_equality_target_wants_its_value_from_either_side() {
        let periods = |a: f64, b: f64| {
            [a, b]
                .iter()
                .map(|v| PeriodResult {
                    period: String::new(),
                    actual: Some(*v),
                    met: None,
                    records: 1,
                })
                .collect::<Vec<_>>()
        };
        let eq = Target::parse("= 100%").ok();
        assert_eq!(
            trend(&periods(50.0, 100.0), Want::of(eq, true)),
            Some("improving")
        );
        assert_eq!(
            trend(&periods(100.0, 90.0), Want::of(eq, true)),
            Some("worsening")
        );
        assert_eq!(
            trend(&periods(90.0, 110.0), Want::of(eq, true)),
            Some("steady")
        );
        let le = Target::parse("<= 5").ok();
        assert_eq!(
            trend(&periods(4.0, 3.0), Want::of(le, true)),
            Some("improving")
        );
        assert_eq!(
            trend(&periods(4.0, 3.0), Want::of(None, false)),
            Some("improving")
        );
        assert_eq!(
            trend(&periods(4.0, 3.0), Want::of(None, true)),
            Some("worsening")
        );

        let m = Metric::OnTimeDelivery;
        assert_eq!(fraction(m, 50.0, eq), Some(0.5));
        assert_eq!(fraction(m, 100.0, eq), Some(1.0));
        let zero = Target::parse("= 0").ok();
        assert_eq!(
            fraction(Metric::ComplaintsPerDelivery, 2.0, zero),
            Some(0.0)
        );
        assert_eq!(
            fraction(Metric::ComplaintsPerDelivery, 0.0, zero),
            Some(1.0)
        );
    }

    #[test]
    fn periods_parse_and_break_into_parts() {
        let y = Period::parse("2026").unwrap();
        assert_eq!(
            y.parts()
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        let q = Period::parse("2026-Q1").unwrap();
        assert_eq!(
            q.parts()
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["2026-01", "2026-02", "2026-03"]
        );
        let h = Period::parse("2026-H2").unwrap();
        assert_eq!(
            h.parts()
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            [
                "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"
            ]
        );
        assert!(q.contains(Date::parse("2026-03-31").unwrap().days()));
        assert!(!q.contains(Date::parse("2026-04-01").unwrap().days()));
        assert!(Period::parse("FY2026").is_none());
        assert!(Period::parse("2026-13").is_none());
    }
}
