//! The report's view: everything the templates show, computed, sorted and
//! labelled in the report's language. Templates only lay it out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

// Keys here are item indices and names the tool made: a fast hash will do.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::MATRIX_PAGE_SIZE;
use super::svg;
use crate::graph::{Dir, TraceGraph};
use crate::model::{FieldIdx, ItemIdx, KindIdx, Project, Value};
use crate::pipeline::Checked;
use crate::profile::roles::Roles;
use crate::profile::{FieldType, Profile, Severity};
use crate::rules::Finding;

/// What every page shows: interface strings, project, evidence footer.
#[derive(Serialize)]
pub struct Common<'a> {
    pub text: &'a BTreeMap<&'a str, &'a str>,
    pub lang: &'a str,
    pub project: &'a str,
    pub digest: &'a str,
    pub version: &'a str,
    pub generated: Option<String>,
    pub has_other: bool,
    /// Strings the page's script needs, as escaped JSON.
    pub script_strings: String,
}

#[derive(Clone, Default, Serialize)]
pub struct ItemRef {
    pub id: String,
    /// From the site's root.
    pub href: String,
    /// From a page under `items/`.
    pub local: String,
    pub title: String,
    pub kind: String,
    /// Short status shown beside the id, e.g. a verification's result.
    pub status: Option<String>,
    /// The raw status value, for styling (`pass`, `fail`, ...).
    pub status_class: Option<String>,
}

#[derive(Serialize)]
pub struct KindCount {
    pub name: String,
    pub label: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct RuleRow {
    pub id: String,
    pub label: String,
    pub group: String,
    pub severity: Severity,
    pub applicable: usize,
    pub passed: usize,
    pub failed: usize,
    /// Share of applicable items that pass, 0–100, rounded down.
    pub percent: usize,
    pub href: String,
}

#[derive(Serialize)]
pub struct FunnelStep {
    pub label: String,
    pub count: usize,
    pub percent: usize,
}

#[derive(Serialize)]
pub struct ContractRow {
    pub item: ItemRef,
    pub customer: Option<ItemRef>,
    pub stage: Option<String>,
    pub requirements_count: usize,
    pub decided: usize,
    pub clarify: usize,
    pub reviews: Vec<ReviewRef>,
    /// `complete`, `open` or `none`.
    pub state: &'static str,
    /// `valid`, `broken` or `unsigned`.
    pub signoff: &'static str,
    /// The printable sign-off sheet, relative to the site root.
    pub sheet: String,
    /// Requirements that changed after a review signed them, each linked
    /// to its row on the sheet.
    pub changed_rows: Vec<RowLink>,
    /// The requirements of the sheet, whose rows are built part by part
    /// as the sheet's pages are rendered ([`Site::sheet_rows`]).
    #[serde(skip)]
    pub requirements: Vec<crate::review::RequirementStatus>,
}

/// A requirement on a contract's sign-off sheet.
#[derive(Serialize)]
pub struct SheetRow {
    pub item: ItemRef,
    pub class: Option<String>,
    pub source: Option<String>,
    pub verdict: Option<String>,
    pub verdict_raw: String,
    /// Whether the verdict leaves the requirement to be clarified.
    pub clarify: bool,
    pub review: Option<String>,
    pub note: Option<String>,
    /// How the requirement changed since a review signed it, if it did.
    pub change: Option<RowChange>,
}

/// A requirement that changed after a review signed it, as its sheet row
/// shows it.
#[derive(Clone, Serialize)]
pub struct RowChange {
    /// The reviews whose sign-off the change broke.
    pub reviews: Vec<String>,
    /// Where the signed text comes from: `git` (the fields below), or why
    /// there is none: `history` (no revision holds it), `none` (the project
    /// is not in git), `unknown` (its history was not read, as for a report
    /// rendered in memory).
    pub signed: &'static str,
    /// The revision the review was signed in (with `git`).
    pub revision: Option<String>,
    /// The fields that differ, signed and now (with `git`).
    pub fields: Vec<FieldChange>,
}

/// A field of a requirement as signed and as it is now.
#[derive(Clone, Serialize)]
pub struct FieldChange {
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A link to a changed requirement's row, from any part of its sheet.
#[derive(Serialize)]
pub struct RowLink {
    pub id: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct ReviewRef {
    pub item: ItemRef,
    pub date: Option<String>,
    pub reviewers: Option<String>,
    /// One per reviewer the review records, in the order written: the rows
    /// of its signature block.
    pub signers: Vec<Signer>,
    pub signed_by: Option<String>,
    pub signed_on: Option<String>,
    /// `valid`, `broken` or `unsigned`.
    pub signoff: &'static str,
    /// Requirements changed since the sign-off, each linked to its row on
    /// the sign-off sheet (no link for one not on it, such as the review
    /// itself when a verdict changed).
    pub changed: Vec<RowLink>,
}

/// A reviewer as a review records them, e.g. `Sales: Zhou Min` or
/// `销售部 王明`: the function they speak for, if written, and the name.
#[derive(Serialize)]
pub struct Signer {
    pub role: Option<String>,
    pub name: String,
}

impl Signer {
    /// Reads `Function: Name` (`:` or `：`), `Function Name` (the name is
    /// the last word), or a name alone.
    pub fn parse(text: &str) -> Signer {
        let text = text.trim();
        // A name written in Latin letters has spaces of its own (`Zhou
        // Min`): only a Chinese entry is split at its last space.
        let cjk = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let split = text
            .split_once([':', '：'])
            .or_else(|| cjk.then(|| text.rsplit_once(char::is_whitespace)).flatten());
        match split {
            Some((role, name)) if !role.trim().is_empty() && !name.trim().is_empty() => Signer {
                role: Some(role.trim().to_owned()),
                name: name.trim().to_owned(),
            },
            _ => Signer {
                role: None,
                name: text.to_owned(),
            },
        }
    }
}

#[derive(Serialize)]
pub struct CustomerRow {
    pub item: ItemRef,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Serialize)]
pub struct Dashboard {
    pub kinds: Vec<KindCount>,
    pub rules: Vec<RuleRow>,
    pub funnel: Vec<FunnelStep>,
    pub contracts: Vec<ContractRow>,
    pub customers: Vec<CustomerRow>,
    pub errors: usize,
    pub warnings: usize,
    pub items: usize,
}

#[derive(Clone, Serialize)]
pub struct FindingRow {
    pub item: ItemRef,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: u32,
}

#[derive(Serialize)]
pub struct FindingGroup {
    pub rule: String,
    pub label: String,
    pub severity: Severity,
    pub findings: Vec<FindingRow>,
}

#[derive(Serialize)]
pub struct FindingsPage {
    /// `untraced`, `unverified`, `changed` or `other`.
    pub group: String,
    pub groups: Vec<FindingGroup>,
    pub total: usize,
}

/// One cell of the matrix: linked items, and whether the thread breaks here.
#[derive(Serialize, Default)]
pub struct Cell {
    pub items: Vec<ItemRef>,
    pub broken: bool,
}

/// A row of the report's matrix: a row of [`crate::matrix::build`]'s
/// matrix, in the report's language, with links to the item pages.
#[derive(Serialize)]
pub struct MatrixRow {
    /// The row's first item, and whether it carries a finding.
    pub item: ItemRef,
    pub item_broken: bool,
    /// The other columns, each the item of its kind on the thread (if any).
    pub cells: Vec<Cell>,
    pub class: Option<String>,
    pub class_raw: String,
    pub customer: Cell,
    pub contract: Cell,
    /// One of [`crate::matrix::STATUSES`], as `matrix` gives it.
    pub status: &'static str,
    pub status_label: String,
    /// The sign shown before the status: ✓ traced, ○ not required, ✗ a gap.
    pub status_mark: &'static str,
    /// Why the thread is not required, as the item says it.
    pub note: Option<String>,
    /// Rule ids of the findings on the row's items.
    pub rules: Vec<String>,
    /// The row's contract and customer ids as JSON lists, for the filters.
    pub contract_keys: String,
    pub customer_keys: String,
}

#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Serialize)]
pub struct Matrix {
    /// The kinds it runs between, e.g. `Requirement → Verification`.
    pub title: String,
    /// One heading per column: the kinds' labels.
    pub headings: Vec<String>,
    pub total: usize,
    pub pages: usize,
    /// Whether rows are filed under contracts, customers or classes (the
    /// profile has those fields): the matrix then shows them.
    pub facets: bool,
    pub contracts: Vec<Choice>,
    pub customers: Vec<Choice>,
    pub classes: Vec<Choice>,
    pub statuses: Vec<Choice>,
}

#[derive(Clone, Serialize)]
pub struct PagerLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

impl PagerLink {
    /// The links to `count` pages, page `current` marked, each page's link
    /// from `href`.
    pub fn list(count: usize, current: usize, href: impl Fn(usize) -> String) -> Vec<PagerLink> {
        (0..count)
            .map(|i| PagerLink {
                number: i + 1,
                href: href(i),
                current: i == current,
            })
            .collect()
    }
}

#[derive(Clone, Serialize)]
pub struct FieldRow {
    pub name: String,
    pub label: String,
    /// The value is a date (kept on one line).
    pub date: bool,
    pub value: Option<String>,
    pub links: Vec<ItemRef>,
}

#[derive(Clone, Serialize)]
pub struct LinkRow {
    pub field: String,
    pub item: ItemRef,
    /// The upstream item changed since this item was stamped.
    pub suspect: bool,
}

#[derive(Clone, Serialize)]
pub struct SubItem {
    pub anchor: String,
    pub fields: Vec<FieldRow>,
    pub findings: Vec<FindingRow>,
}

#[derive(Clone, Serialize)]
pub struct ItemPage {
    /// The item's anchor on its page.
    pub anchor: String,
    pub item: ItemRef,
    pub kind_label: String,
    pub source: String,
    pub line: u32,
    pub fields: Vec<FieldRow>,
    pub upstream: Vec<LinkRow>,
    pub downstream: Vec<LinkRow>,
    /// Links not listed because the item is a hub (a customer with
    /// thousands of requirements): the matrix lists them all.
    pub downstream_more: usize,
    pub sub_items_more: usize,
    /// The pages that list the item's sub-items, when they take more than
    /// one (this one marked current).
    pub sub_pages: Vec<PagerLink>,
    pub findings: Vec<FindingRow>,
    pub sub_items: Vec<SubItem>,
    pub svg: String,
    /// The other items of the thread the picture draws, as text: upstream
    /// first (furthest first), then downstream (nearest first), each with
    /// its findings.
    pub thread: Vec<ThreadRow>,
    /// Findings on the other items of the thread.
    pub thread_findings: usize,
    /// The thread holds more items than are drawn and listed.
    pub thread_cut: bool,
}

/// An item of another item's thread, as its page lists it.
#[derive(Clone, Serialize)]
pub struct ThreadRow {
    /// `up` or `down`.
    pub dir: &'static str,
    /// Steps away from the item.
    pub steps: u32,
    pub item: ItemRef,
    pub findings: Vec<FindingRow>,
}

/// One objective, measured, with its chart.
#[derive(Serialize)]
pub struct ObjectiveView {
    pub item: ItemRef,
    pub metric: String,
    pub target: String,
    pub actual: Option<String>,
    /// `met`, `missed` or `unmeasured`.
    pub state: &'static str,
    pub trend: Option<&'static str>,
    pub records: usize,
    pub note: Option<String>,
    pub periods: Vec<PeriodView>,
    pub chart: String,
    /// The actual is over all the records, not one period's: the chart
    /// and the table of periods show it on a line of its own.
    pub overall: bool,
}

#[derive(Serialize)]
pub struct PeriodView {
    pub period: String,
    pub actual: Option<String>,
    pub met: Option<bool>,
}

#[derive(Serialize)]
pub struct ScorecardView {
    pub customer: ItemRef,
    pub score: Option<f64>,
    pub criteria: Vec<CriterionView>,
    /// The points earned and the weights of the criteria that could be
    /// scored: the score is the one over the other, out of 100.
    pub points: f64,
    pub scored_weight: f64,
    pub periods: Vec<crate::objectives::ScorePeriod>,
    /// The customer's own evaluations, beside the computed score.
    pub evaluations: Vec<crate::objectives::EvaluationRow>,
}

/// One criterion of a scorecard: what it asks, what it gets, and the
/// points it earns of its weight.
#[derive(Serialize)]
pub struct CriterionView {
    pub name: String,
    pub metric: String,
    pub target: Option<String>,
    pub weight: f64,
    pub actual: Option<String>,
    /// `None`: nothing to measure, so the criterion does not count.
    pub points: Option<f64>,
}

#[derive(Serialize)]
pub struct ComplaintView {
    pub item: ItemRef,
    pub date: Option<String>,
    pub closed: bool,
    pub age: Option<i64>,
    pub overdue: bool,
    pub action: Option<String>,
    pub resolved_by: Vec<ItemRef>,
    pub about: Vec<ItemRef>,
}

/// The objectives page: objectives with charts, scorecards, complaints.
#[derive(Serialize)]
pub struct ObjectivesView {
    pub as_of: Option<String>,
    pub objectives: Vec<ObjectiveView>,
    pub scorecards: Vec<ScorecardView>,
    pub complaints: Vec<ComplaintView>,
}

/// The whole site's data. Item pages are built a page at a time, when
/// they are rendered ([`Site::item_group`]), so a large project never holds
/// them all at once.
pub struct Site<'a> {
    pub digest: String,
    pub dashboard: Dashboard,
    pub untraced: FindingsPage,
    pub unverified: FindingsPage,
    pub changed: FindingsPage,
    pub objectives_findings: FindingsPage,
    pub objectives: ObjectivesView,
    pub other: FindingsPage,
    pub matrix: Matrix,
    /// The rows of the profile's matrix (`[matrix]`), as `needtrail matrix`
    /// builds them; their pages are built a page at a time, when rendered
    /// ([`Site::matrix_page`]).
    matrix_rows: Vec<crate::matrix::Row>,
    pub item_groups: Vec<GroupPlan>,
    builder: Builder<'a>,
    /// Sub-items of each item that has any.
    subs: HashMap<ItemIdx, Vec<ItemIdx>>,
    /// Requirements changed since a review signed them.
    changes: HashMap<ItemIdx, RowChange>,
}

impl Site<'_> {
    /// The contracts, each with its sign-off sheet.
    pub fn contracts(&self) -> &[ContractRow] {
        &self.dashboard.contracts
    }
}

pub fn matrix_page_name(n: usize) -> String {
    if n == 0 {
        "matrix.html".to_owned()
    } else {
        format!("matrix-{}.html", n + 1)
    }
}

impl<'a> Site<'a> {
    /// The view of `checked`, in `lang`; the text a sign-off approved is
    /// read from the git history of the project folder `history`, if given.
    pub fn build(
        checked: &'a Checked,
        lang: &'a str,
        history: Option<&std::path::Path>,
    ) -> Site<'a> {
        let b = Builder::new(checked, lang);
        let built = crate::matrix::MatrixSpec::of_profile(b.profile, false)
            .and_then(|spec| crate::matrix::build(checked, &spec).ok());
        // The parts are independent: the review state and the dashboard on
        // one core, the rest on the other.
        let ((dashboard, changes), (digest, matrix, item_groups, subs)) = rayon::join(
            || {
                let statuses = crate::review::status(b.project, b.profile, b.graph, None);
                let changes = b.row_changes(&statuses, history);
                (b.dashboard(b.contracts(statuses, &changes)), changes)
            },
            || {
                (
                    b.digest(),
                    b.matrix(built.as_ref()),
                    plan_groups(checked, lang, &b.pages),
                    b.sub_items(),
                )
            },
        );
        Site {
            digest,
            dashboard,
            untraced: b.findings_page("untraced"),
            unverified: b.findings_page("unverified"),
            changed: b.findings_page("changed"),
            objectives_findings: b.findings_page("objectives"),
            objectives: b.objectives_view(),
            other: b.findings_page("other"),
            matrix,
            matrix_rows: built.map(|m| m.rows).unwrap_or_default(),
            item_groups,
            subs,
            changes,
            builder: b,
        }
    }

    /// The items of one page under `items/`, ready to render.
    pub fn item_group(&self, plan: &GroupPlan) -> ItemGroup {
        ItemGroup {
            file: plan.file.clone(),
            kind_label: plan.kind_label.clone(),
            items: plan
                .items
                .iter()
                .map(|idx| self.builder.item_page(*idx, &self.subs, plan.run))
                .collect(),
        }
    }

    /// The rows of `contract`'s sign-off sheet for its requirements `range`.
    pub fn sheet_rows(
        &self,
        contract: &ContractRow,
        range: std::ops::Range<usize>,
    ) -> Vec<SheetRow> {
        contract.requirements[range]
            .iter()
            .map(|r| {
                let mut row = self.builder.sheet_row(r);
                row.change = self.changes.get(&r.idx).cloned();
                row
            })
            .collect()
    }

    /// How many pages the matrix takes (one, if it has no rows).
    pub fn matrix_page_count(&self) -> usize {
        self.matrix_rows.len().div_ceil(MATRIX_PAGE_SIZE).max(1)
    }

    /// The rows of matrix page `n` (from 0).
    pub fn matrix_page(&self, n: usize) -> Vec<MatrixRow> {
        let all = &self.matrix_rows;
        let start = (n * MATRIX_PAGE_SIZE).min(all.len());
        let end = (start + MATRIX_PAGE_SIZE).min(all.len());
        all[start..end]
            .iter()
            .map(|r| self.builder.matrix_row(r))
            .collect()
    }
}

struct Builder<'a> {
    checked: &'a Checked,
    /// The matrix statuses in the report's language.
    status_labels: BTreeMap<&'static str, String>,
    /// What follows the entries of a long table of fingerprints (`{n}`
    /// more), in the report's language.
    map_more: String,
    project: &'a Project,
    profile: &'a Profile,
    graph: &'a TraceGraph,
    findings: &'a [Finding],
    lang: &'a str,
    by_item: HashMap<ItemIdx, Vec<&'a Finding>>,
    /// The sign-off sheet of each contract, by item.
    files: Vec<String>,
    /// The page (under `items/`) that holds each item.
    pages: Pages,
    /// For an item whose sub-items take several pages (a review of 100k
    /// decisions takes 200), what each of its pages shows besides its
    /// share of the sub-items, made by the first page that needs it:
    /// made for each page, the picture and lists of a hub were made 200
    /// times over its 100k links.
    shared: HashMap<ItemIdx, std::sync::OnceLock<ItemPage>>,
    stats: &'a [crate::rules::RuleStats],
}

impl<'a> Builder<'a> {
    fn new(checked: &'a Checked, lang: &'a str) -> Self {
        let project = &checked.loaded.project;
        let mut by_item: HashMap<ItemIdx, Vec<&Finding>> = HashMap::default();
        for f in &checked.result.findings {
            by_item.entry(f.item).or_default().push(f);
        }
        let (files, pages) = rayon::join(
            || unique_file_names(project, &checked.loaded.profile),
            || Pages::new(project, &checked.loaded.profile, &checked.graph),
        );
        let catalog = super::Catalog::builtin();
        let strings = catalog
            .language(lang)
            .or_else(|| catalog.language("en"))
            .unwrap_or_default();
        let status_labels = crate::matrix::STATUSES
            .iter()
            .map(|&st| {
                let key = format!("matrix_status_{}", st.replace('-', "_"));
                let label = strings.get(key.as_str()).copied().unwrap_or(st);
                (st, label.to_owned())
            })
            .collect();
        let map_more = strings
            .get("map_more")
            .copied()
            .unwrap_or("({n} more, not listed here)")
            .to_owned();
        Builder {
            checked,
            status_labels,
            map_more,
            project,
            profile: &checked.loaded.profile,
            graph: &checked.graph,
            findings: &checked.result.findings,
            lang,
            by_item,
            files,
            shared: pages
                .runs
                .keys()
                .map(|i| (*i, Default::default()))
                .collect(),
            pages,
            stats: &checked.result.stats,
        }
    }

    /// The kinds, fields and rules the views read; a profile without
    /// them simply shows empty columns.
    fn roles(&self) -> &'a Roles {
        &self.profile.roles
    }

    fn digest(&self) -> String {
        super::input_digest(self.project)
    }

    /// Appends the link to an item from a page under `items/`.
    fn local_href_into(&self, idx: ItemIdx, out: &mut String) {
        let item = self.project.item(idx);
        out.push_str(self.pages.name(idx));
        out.push('#');
        anchor_into(out, &item.id);
    }

    fn href(&self, idx: ItemIdx) -> String {
        let mut href = String::from("items/");
        self.local_href_into(idx, &mut href);
        href
    }

    fn kind_label(&self, kind: KindIdx) -> String {
        let k = self.profile.kind(kind);
        k.label.get(self.lang, &k.name).to_owned()
    }

    fn item_ref(&self, idx: ItemIdx) -> ItemRef {
        let item = self.project.item(idx);
        let (status, status_class) = self.status_of(idx);
        let href = self.href(idx);
        ItemRef {
            id: item.id.clone(),
            local: href.strip_prefix("items/").unwrap_or(&href).to_owned(),
            href,
            title: item.display_title().to_owned(),
            kind: self.kind_label(item.kind),
            status,
            status_class,
        }
    }

    /// The first enum value of an item worth showing beside it (a result, a verdict).
    fn status_of(&self, idx: ItemIdx) -> (Option<String>, Option<String>) {
        let item = self.project.item(idx);
        let r = self.roles();
        for f in [
            r.verification.result,
            r.validation.result,
            r.decision.verdict,
        ] {
            if let Some(f) = f
                && let Some(Value::String(v)) = item.field(f)
            {
                // A result reads as passed, failed or pending whatever the
                // profile calls it; any other value as itself.
                let is = |values: &[String]| Roles::is(values, Some(v));
                let (ver, val) = (&r.verification, &r.validation);
                let class = if is(&ver.pass) || is(&val.pass) {
                    "pass"
                } else if is(&ver.fail) {
                    "fail"
                } else if is(&ver.pending) {
                    "pending"
                } else {
                    v.as_str()
                };
                return (
                    Some(self.profile.value_label(v, self.lang).to_owned()),
                    Some(class.to_owned()),
                );
            }
        }
        (None, None)
    }

    fn objectives_view(&self) -> ObjectivesView {
        let mut ctx = crate::objectives::Context::new(self.project, self.profile, self.graph);
        ctx.lang = crate::lang::Lang::parse(self.lang).unwrap_or_default();
        let refs = |ids: &[String]| -> Vec<ItemRef> {
            ids.iter()
                .filter_map(|id| self.project.get(id))
                .map(|i| self.item_ref(i))
                .collect()
        };
        let catalog = super::Catalog::builtin();
        let strings = catalog.language(self.lang).unwrap_or_default();
        let overall_label = strings.get("overall").copied().unwrap_or("overall");
        let objectives = crate::objectives::evaluate(&ctx, self.profile)
            .into_iter()
            .map(|r| {
                let fmt = |v: f64| crate::objectives::with_unit(v, r.unit);
                // The headline's value gets a bar of its own when no
                // period has it (it is over all the records).
                let overall = r.actual.is_some() && !r.periods.iter().any(|p| p.actual == r.actual);
                ObjectiveView {
                    item: self.item_ref(r.idx),
                    chart: svg::objective_chart(&r, self.lang, overall.then_some(overall_label)),
                    overall,
                    metric: r.metric.clone(),
                    target: r.target.clone(),
                    actual: r.actual.map(fmt),
                    state: match r.met {
                        Some(true) => "met",
                        Some(false) => "missed",
                        None => "unmeasured",
                    },
                    trend: r.trend,
                    records: r.records,
                    note: r.note.clone(),
                    periods: r
                        .periods
                        .iter()
                        .map(|p| PeriodView {
                            period: p.period.clone(),
                            actual: p.actual.map(fmt),
                            met: p.met,
                        })
                        .collect(),
                }
            })
            .collect();
        let scorecards = crate::objectives::scorecards(&ctx, self.profile)
            .into_iter()
            .filter_map(|c| {
                let criteria: Vec<CriterionView> = c
                    .criteria
                    .into_iter()
                    .map(|k| {
                        let unit = crate::objectives::Metric::parse(&k.metric)
                            .map_or(crate::objectives::Unit::Number, |m| m.unit());
                        CriterionView {
                            points: k.fraction.map(|f| round1(f * k.weight)),
                            actual: k.actual.map(|v| crate::objectives::with_unit(v, unit)),
                            name: k.name,
                            metric: k.metric,
                            target: k.target,
                            weight: k.weight,
                        }
                    })
                    .collect();
                let scored = criteria.iter().filter(|k| k.points.is_some());
                Some(ScorecardView {
                    customer: self.item_ref(self.project.get(&c.customer)?),
                    score: c.score,
                    points: round1(scored.clone().filter_map(|k| k.points).sum()),
                    scored_weight: scored.map(|k| k.weight).sum(),
                    criteria,
                    periods: c.periods,
                    evaluations: c.evaluations,
                })
            })
            .collect();
        let complaints = crate::objectives::complaints(&ctx)
            .into_iter()
            .filter_map(|c| {
                Some(ComplaintView {
                    item: self.item_ref(self.project.get(&c.id)?),
                    date: c.date,
                    closed: c.closed,
                    age: c.age,
                    overdue: c.overdue,
                    action: c.action,
                    resolved_by: refs(&c.resolved_by),
                    about: refs(&c.about),
                })
            })
            .collect();
        ObjectivesView {
            as_of: ctx
                .as_of
                .map(|d| crate::calendar::Date::from_days(d).to_string()),
            objectives,
            scorecards,
            complaints,
        }
    }

    fn finding_row(&self, f: &Finding) -> FindingRow {
        let (file, line, _) = self.project.finding_place(f.item, f.at.as_ref());
        FindingRow {
            item: self.item_ref(f.item),
            severity: f.severity,
            message: f.message_in(self.lang, self.project, self.profile),
            file,
            line,
        }
    }

    fn findings_page(&self, group: &str) -> FindingsPage {
        let mut groups = Vec::new();
        let mut total = 0;
        for (ri, rule) in self.profile.rules.iter().enumerate() {
            let in_group = match group {
                "untraced" | "unverified" | "changed" | "objectives" => rule.group == group,
                _ => !matches!(
                    rule.group.as_str(),
                    "untraced" | "unverified" | "changed" | "objectives"
                ),
            };
            if !in_group {
                continue;
            }
            let findings: Vec<FindingRow> = self
                .findings
                .iter()
                .filter(|f| f.rule == ri)
                .map(|f| self.finding_row(f))
                .collect();
            total += findings.len();
            groups.push(FindingGroup {
                rule: rule.id.clone(),
                label: rule.label.get(self.lang, &rule.id).to_owned(),
                severity: rule.severity,
                findings,
            });
        }
        FindingsPage {
            group: group.to_owned(),
            groups,
            total,
        }
    }

    fn dashboard(&self, contracts: Vec<ContractRow>) -> Dashboard {
        let kinds = self
            .profile
            .top_kinds()
            .map(|(i, k)| KindCount {
                name: k.name.clone(),
                label: self.kind_label(i),
                count: self.project.by_kind[i as usize].len(),
            })
            .collect();
        let rules = self
            .profile
            .rules
            .iter()
            .zip(self.stats)
            .map(|(r, s)| {
                let passed = s.applicable - s.failed;
                RuleRow {
                    id: r.id.clone(),
                    label: r.label.get(self.lang, &r.id).to_owned(),
                    group: r.group.clone(),
                    severity: r.severity,
                    applicable: s.applicable,
                    passed,
                    failed: s.failed,
                    percent: (passed * 100).checked_div(s.applicable).unwrap_or(100),
                    href: match r.group.as_str() {
                        "untraced" | "unverified" | "changed" | "objectives" => {
                            format!("{}.html#rule-{}", r.group, r.id)
                        }
                        _ => format!("other.html#rule-{}", r.id),
                    },
                }
            })
            .collect();
        Dashboard {
            kinds,
            rules,
            funnel: self.funnel(),
            contracts,
            customers: self.customers(),
            errors: self
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            warnings: self
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count(),
            items: self
                .project
                .items
                .iter()
                .filter(|i| i.parent.is_none())
                .count(),
        }
    }

    /// Items linking to `idx` through `field` (any field if `None`) of kind `kind`.
    fn down(&self, idx: ItemIdx, kind: Option<KindIdx>, field: Option<FieldIdx>) -> Vec<ItemIdx> {
        let Some(kind) = kind else { return Vec::new() };
        let mut v: Vec<ItemIdx> = self
            .graph
            .downstream(idx)
            .filter(|(f, i)| field.is_none_or(|x| x == *f) && self.project.item(*i).kind == kind)
            .map(|(_, i)| i)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn up(&self, idx: ItemIdx, kind: Option<KindIdx>) -> Vec<ItemIdx> {
        let Some(kind) = kind else { return Vec::new() };
        let mut v: Vec<ItemIdx> = self
            .graph
            .upstream(idx)
            .filter(|(_, i)| self.project.item(*i).kind == kind)
            .map(|(_, i)| i)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether `holder`'s link to `target` is suspect.
    fn is_suspect(&self, holder: ItemIdx, target: ItemIdx) -> bool {
        self.by_item.get(&holder).is_some_and(|fs| {
            fs.iter()
                .any(|f| Some(f.rule) == self.roles().rules.suspect && f.evidence.contains(&target))
        })
    }

    fn has_rule_finding(&self, idx: ItemIdx, rule: Option<usize>) -> bool {
        rule.is_some_and(|rule| {
            self.by_item
                .get(&idx)
                .is_some_and(|fs| fs.iter().any(|f| f.rule == rule))
        })
    }

    /// The decision on a requirement from its latest review (by date, then order).
    fn latest_decision(&self, req: ItemIdx) -> Option<ItemIdx> {
        crate::review::latest_decision(self.project, self.profile, self.graph, req)
    }

    fn enum_value(&self, idx: ItemIdx, field: Option<FieldIdx>) -> Option<String> {
        match self.project.item(idx).field(field?)? {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn funnel(&self) -> Vec<FunnelStep> {
        let n = self.roles();
        let Some(req_kind) = n.requirement.kind else {
            return Vec::new();
        };
        let reqs = &self.project.by_kind[req_kind as usize];
        let (mut reviewed, mut in_design, mut verified, mut delivered) = (0, 0, 0, 0);
        for &r in reqs {
            if self.latest_decision(r).is_some() {
                reviewed += 1;
            }
            let no_design = self.enum_value(r, n.requirement.design).as_deref() == Some("false");
            let dis = self.down(r, n.design_input.kind, n.design_input.traces);
            if no_design || !dis.is_empty() {
                in_design += 1;
            }
            if no_design
                || (!dis.is_empty()
                    && dis
                        .iter()
                        .all(|d| !self.has_rule_finding(*d, n.rules.verified)))
            {
                verified += 1;
            }
            let val = &n.validation;
            if !self.deliveries(r).is_empty()
                || self
                    .down(r, val.kind, val.validates)
                    .iter()
                    .any(|v| Roles::is(&val.pass, self.enum_value(*v, val.result).as_deref()))
            {
                delivered += 1;
            }
        }
        let total = reqs.len();
        let pct = |x: usize| (x * 100).checked_div(total).unwrap_or(0);
        [
            ("funnel_requirements", total),
            ("funnel_reviewed", reviewed),
            ("funnel_in_design", in_design),
            ("funnel_verified", verified),
            ("funnel_delivered", delivered),
        ]
        .into_iter()
        .map(|(key, count)| FunnelStep {
            label: key.to_owned(),
            count,
            percent: pct(count),
        })
        .collect()
    }

    /// Deliveries of a requirement: directly, or of a design output of one of its design inputs.
    fn deliveries(&self, req: ItemIdx) -> Vec<ItemIdx> {
        let n = self.roles();
        let (del, di_, do_) = (&n.delivery, &n.design_input, &n.design_output);
        let mut out: BTreeSet<ItemIdx> =
            self.down(req, del.kind, del.delivers).into_iter().collect();
        for di in self.down(req, di_.kind, di_.traces) {
            for d_o in self.down(di, do_.kind, do_.satisfies) {
                out.extend(self.down(d_o, del.kind, del.delivers));
            }
        }
        out.into_iter().collect()
    }

    /// Each contract's review state, from the same reading `review status` gives.
    /// A requirement's row on a sign-off sheet.
    fn sheet_row(&self, r: &crate::review::RequirementStatus) -> SheetRow {
        SheetRow {
            item: self.item_ref(r.idx),
            class: self
                .enum_value(r.idx, self.roles().requirement.class)
                .map(|v| self.profile.value_label(&v, self.lang).to_owned()),
            source: self
                .roles()
                .requirement
                .source
                .and_then(|f| self.project.item(r.idx).field(f))
                .map(Value::display),
            verdict: r
                .verdict
                .as_ref()
                .map(|v| self.profile.value_label(v, self.lang).to_owned()),
            verdict_raw: r.verdict.clone().unwrap_or_default(),
            clarify: r.clarify,
            review: r.review.clone(),
            note: r.note.clone(),
            change: None,
        }
    }

    /// How each requirement changed since a review of its contract signed
    /// it: the reviews it broke, and the fields as signed (from the git
    /// history of the project folder `history`) and now.
    fn row_changes(
        &self,
        statuses: &[crate::review::ContractStatus],
        history: Option<&std::path::Path>,
    ) -> HashMap<ItemIdx, RowChange> {
        let mut git = super::signed::History::new(history);
        let mut out: HashMap<ItemIdx, RowChange> = HashMap::default();
        for st in statuses {
            let of_contract: HashSet<ItemIdx> = st.requirements.iter().map(|r| r.idx).collect();
            for r in st.reviews.iter().filter(|r| !r.changed.is_empty()) {
                let Some(review) = self.project.get(&r.id) else {
                    continue;
                };
                let signed_as: HashMap<&str, &str> = r
                    .signed_as
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                for id in &r.changed {
                    let Some(req) = self.project.get(id).filter(|i| of_contract.contains(i)) else {
                        continue;
                    };
                    let change = out.entry(req).or_insert_with(|| RowChange {
                        reviews: Vec::new(),
                        signed: "unknown",
                        revision: None,
                        fields: Vec::new(),
                    });
                    change.reviews.push(r.id.clone());
                    if change.signed == "git" {
                        continue;
                    }
                    let fp = signed_as.get(id.as_str()).copied().unwrap_or_default();
                    match git.signed(self.project, review, id, fp, r.signed_decisions.as_deref()) {
                        super::signed::Signed::Found { revision, item } => {
                            change.signed = "git";
                            change.revision = Some(revision);
                            change.fields = self.field_changes(req, &item);
                        }
                        super::signed::Signed::NotInHistory => change.signed = "history",
                        super::signed::Signed::NoGit => change.signed = "none",
                        super::signed::Signed::Unknown => change.signed = "unknown",
                    }
                }
            }
        }
        out
    }

    /// The fingerprinted fields and links of `req` that differ from `old`.
    fn field_changes(&self, req: ItemIdx, old: &super::signed::SignedItem) -> Vec<FieldChange> {
        let now = super::signed::SignedItem::of(self.project, self.profile, req);
        let mut out = Vec::new();
        for name in &self.profile.fingerprint_fields {
            let (o, n) = (old.fields.get(name), now.fields.get(name));
            if o != n {
                out.push(FieldChange {
                    label: self.profile.field_label(name, self.lang).to_owned(),
                    old: o.cloned(),
                    new: n.cloned(),
                });
            }
        }
        // Links, field by field.
        let fields: BTreeSet<&str> = old
            .links
            .iter()
            .chain(&now.links)
            .map(|(f, _)| f.as_str())
            .collect();
        for field in fields {
            let targets = |links: &[(String, String)]| {
                let v: Vec<&str> = links
                    .iter()
                    .filter(|(f, _)| f == field)
                    .map(|(_, t)| t.as_str())
                    .collect();
                (!v.is_empty()).then(|| v.join(", "))
            };
            let (o, n) = (targets(&old.links), targets(&now.links));
            if o != n {
                out.push(FieldChange {
                    label: self.profile.field_label(field, self.lang).to_owned(),
                    old: o,
                    new: n,
                });
            }
        }
        out
    }

    fn contracts(
        &self,
        statuses: Vec<crate::review::ContractStatus>,
        changes: &HashMap<ItemIdx, RowChange>,
    ) -> Vec<ContractRow> {
        let n = self.roles();
        statuses
            .into_iter()
            .filter_map(|st| {
                let c = self.project.get(&st.id)?;
                let sheet = format!("signoff/{}", self.files[c.index()]);
                // Each changed requirement's row, on whichever part holds it.
                let changed_rows: Vec<RowLink> = st
                    .requirements
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| changes.contains_key(&r.idx))
                    .map(|(n, r)| {
                        let part = super::sheet_part_name(&sheet, n / super::SHEET_ROWS);
                        let file = part.rsplit('/').next().unwrap_or_default();
                        RowLink {
                            id: r.id.clone(),
                            href: format!("{file}#row-{}", r.id),
                        }
                    })
                    .collect();
                let row_of: HashMap<&str, &str> = changed_rows
                    .iter()
                    .map(|l| (l.id.as_str(), l.href.as_str()))
                    .collect();
                let reviews: Vec<ReviewRef> = st
                    .reviews
                    .iter()
                    .filter_map(|r| {
                        let idx = self.project.get(&r.id)?;
                        let item = self.project.item(idx);
                        let reviewers = n.review.reviewers.and_then(|f| item.field(f));
                        Some(ReviewRef {
                            item: self.item_ref(idx),
                            date: r.date.clone(),
                            reviewers: reviewers.map(Value::display),
                            signers: match reviewers {
                                Some(Value::Strings(list)) => list
                                    .iter()
                                    .filter(|s| !s.trim().is_empty())
                                    .map(|s| Signer::parse(s))
                                    .collect(),
                                Some(Value::String(s)) if !s.trim().is_empty() => {
                                    vec![Signer::parse(s)]
                                }
                                _ => Vec::new(),
                            },
                            signed_by: r.signed_by.clone(),
                            signed_on: r.signed_on.clone(),
                            signoff: r.signoff,
                            changed: r
                                .changed
                                .iter()
                                .map(|id| RowLink {
                                    id: id.clone(),
                                    href: row_of
                                        .get(id.as_str())
                                        .copied()
                                        .unwrap_or_default()
                                        .to_owned(),
                                })
                                .collect(),
                        })
                    })
                    .collect();
                let state = if reviews.is_empty() {
                    "none"
                } else if st.undecided.is_empty() && st.open_clarifications.is_empty() {
                    "complete"
                } else {
                    "open"
                };
                let signoff = if st.reviews.iter().any(|r| r.signoff == "broken") {
                    "broken"
                } else if st.reviews.iter().any(|r| r.signoff == "valid") {
                    "valid"
                } else {
                    "unsigned"
                };
                Some(ContractRow {
                    changed_rows,
                    item: self.item_ref(c),
                    customer: self
                        .up(c, n.customer.kind)
                        .first()
                        .map(|x| self.item_ref(*x)),
                    stage: self
                        .enum_value(c, n.contract.stage)
                        .map(|s| self.profile.value_label(&s, self.lang).to_owned()),
                    requirements_count: st.requirements.len(),
                    decided: st.requirements.len() - st.undecided.len(),
                    clarify: st.open_clarifications.len(),
                    reviews,
                    state,
                    signoff,
                    sheet,
                    requirements: st.requirements,
                })
            })
            .collect()
    }

    /// Customers whose threads a finding's item belongs to, walking upstream.
    fn customers_of(&self, idx: ItemIdx) -> BTreeSet<ItemIdx> {
        let mut out = BTreeSet::new();
        let Some(ck) = self.roles().customer.kind else {
            return out;
        };
        let mut seen = BTreeSet::from([idx]);
        let mut queue = VecDeque::from([idx]);
        while let Some(i) = queue.pop_front() {
            if self.project.item(i).kind == ck {
                out.insert(i);
                continue;
            }
            for (_, up) in self.graph.upstream(i) {
                if seen.insert(up) {
                    queue.push_back(up);
                }
            }
        }
        out
    }

    fn customers(&self) -> Vec<CustomerRow> {
        let Some(ck) = self.roles().customer.kind else {
            return Vec::new();
        };
        let mut counts: BTreeMap<ItemIdx, (usize, usize)> = self.project.by_kind[ck as usize]
            .iter()
            .map(|c| (*c, (0, 0)))
            .collect();
        for f in self.findings {
            for c in self.customers_of(f.item) {
                let e = counts.entry(c).or_default();
                match f.severity {
                    Severity::Error => e.0 += 1,
                    Severity::Warning => e.1 += 1,
                    Severity::Info => {}
                }
            }
        }
        counts
            .into_iter()
            .map(|(c, (errors, warnings))| CustomerRow {
                item: self.item_ref(c),
                errors,
                warnings,
            })
            .collect()
    }

    fn cell(&self, items: Vec<ItemIdx>, broken: bool) -> Cell {
        Cell {
            items: items.into_iter().map(|i| self.item_ref(i)).collect(),
            broken,
        }
    }

    /// A row of the matrix, in the report's language.
    fn matrix_row(&self, row: &crate::matrix::Row) -> MatrixRow {
        let facets = crate::matrix::facets(self.checked, row);
        let keys = |items: &[ItemIdx]| {
            let ids: Vec<&str> = items
                .iter()
                .map(|i| self.project.item(*i).id.as_str())
                .collect();
            serde_json::to_string(&ids).expect("serialisable")
        };
        let mut cells = row.cells.iter().map(|c| match c {
            Some(c) => self.cell(vec![c.idx], c.broken),
            None => Cell::default(),
        });
        let first = cells.next().unwrap_or_default();
        let class_raw = facets.class.unwrap_or_default();
        MatrixRow {
            // A row always starts with an item of the matrix's first kind.
            item: first.items.into_iter().next().unwrap_or_default(),
            item_broken: first.broken,
            cells: cells.collect(),
            class: (!class_raw.is_empty())
                .then(|| self.profile.value_label(&class_raw, self.lang).to_owned()),
            class_raw,
            customer: self.cell(facets.customers.clone(), false),
            contract: self.cell(facets.contracts.clone(), false),
            status: row.status,
            status_label: self.status_label(row.status),
            status_mark: match row.status {
                crate::matrix::TRACED => "✓",
                crate::matrix::NOT_REQUIRED => "○",
                _ => "✗",
            },
            note: row.note.clone(),
            rules: row.findings.clone(),
            contract_keys: keys(&facets.contracts),
            customer_keys: keys(&facets.customers),
        }
    }

    /// A matrix status in the report's language.
    fn status_label(&self, status: &str) -> String {
        self.status_labels
            .get(status)
            .cloned()
            .unwrap_or_else(|| status.to_owned())
    }

    /// The matrix's headings, and what its filters offer: the contracts,
    /// customers, classes and statuses of its rows.
    fn matrix(&self, built: Option<&crate::matrix::Matrix>) -> Matrix {
        let rows: &[crate::matrix::Row] = built.map_or(&[], |m| &m.rows);
        let per_row: Vec<crate::matrix::Facets> = rows
            .par_iter()
            .map(|r| crate::matrix::facets(self.checked, r))
            .collect();
        let mut contracts = BTreeMap::new();
        let mut customers = BTreeMap::new();
        let mut classes = BTreeMap::new();
        let choice = |i: &ItemIdx| {
            let item = self.project.item(*i);
            (
                item.id.clone(),
                format!("{} · {}", item.id, item.display_title()),
            )
        };
        for f in per_row {
            contracts.extend(f.contracts.iter().map(choice));
            customers.extend(f.customers.iter().map(choice));
            if let Some(class_raw) = f.class.filter(|c| !c.is_empty())
                && !classes.contains_key(&class_raw)
            {
                let label = self.profile.value_label(&class_raw, self.lang).to_owned();
                classes.insert(class_raw, label);
            }
        }
        let choices = |m: BTreeMap<String, String>| {
            m.into_iter()
                .map(|(value, label)| Choice { value, label })
                .collect::<Vec<_>>()
        };
        let headings: Vec<String> = built
            .map(|m| {
                m.columns
                    .iter()
                    .filter_map(|k| self.profile.kind_index(k))
                    .map(|k| self.kind_label(k))
                    .collect()
            })
            .unwrap_or_default();
        let (contracts, customers, classes) =
            (choices(contracts), choices(customers), choices(classes));
        Matrix {
            title: match (headings.first(), headings.last()) {
                (Some(from), Some(to)) => format!("{from} → {to}"),
                _ => String::new(),
            },
            headings,
            total: rows.len(),
            pages: rows.len().div_ceil(MATRIX_PAGE_SIZE).max(1),
            facets: !(contracts.is_empty() && customers.is_empty() && classes.is_empty()),
            contracts,
            customers,
            classes,
            statuses: crate::matrix::STATUSES
                .iter()
                .map(|s| Choice {
                    value: (*s).to_owned(),
                    label: self.status_label(s),
                })
                .collect(),
        }
    }

    fn fields_of(&self, idx: ItemIdx) -> Vec<FieldRow> {
        let item = self.project.item(idx);
        let kind = self.profile.kind(item.kind);
        let mut rows = Vec::new();
        for def in kind.fields.iter().chain(&self.profile.common) {
            let name = self.profile.field_name(def.name);
            if item.parent.is_some()
                && kind.inherit.contains(&def.name)
                && !item.field_spans.iter().any(|(f, _)| *f == def.name)
            {
                continue;
            }
            let (value, links) = if def.ty.is_link() {
                let mut links: Vec<ItemIdx> = item
                    .links
                    .iter()
                    .filter(|l| l.field == def.name && !l.inherited)
                    .map(|l| l.target)
                    .collect();
                links.dedup();
                if links.is_empty() {
                    continue;
                }
                (None, links.into_iter().map(|l| self.item_ref(l)).collect())
            } else {
                let Some(v) = item.field(def.name) else {
                    continue;
                };
                let shown = match (def.ty, v) {
                    (FieldType::Enum, Value::String(s)) => {
                        self.profile.value_label(s, self.lang).to_owned()
                    }
                    (_, Value::Bool(b)) => self
                        .profile
                        .value_label(if *b { "true" } else { "false" }, self.lang)
                        .to_owned(),
                    (_, Value::Map(pairs)) if pairs.len() > MAP_SHOWN => self.map_in_part(pairs),
                    _ => v.display(),
                };
                (Some(shown), Vec::new())
            };
            rows.push(FieldRow {
                name: name.to_owned(),
                label: self.profile.field_label(name, self.lang).to_owned(),
                date: def.ty == FieldType::Date && value.is_some(),
                value,
                links,
            });
        }
        rows
    }

    /// The first [`MAP_SHOWN`] entries of a table of fingerprints and how
    /// many more there are: a review that signed every requirement of a
    /// large contract holds one for each, on every page of its decisions.
    fn map_in_part(&self, pairs: &crate::model::Table) -> String {
        let mut shown = pairs
            .iter()
            .take(MAP_SHOWN)
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut more = String::new();
        crate::text::count_into(&mut more, (pairs.len() - MAP_SHOWN) as u64);
        shown.push_str(" … ");
        shown.push_str(&self.map_more.replace("{n}", &more));
        shown
    }

    /// `idx`'s links one way, its own sub-items left out: they are listed
    /// and counted as sub-items.
    fn own_links(&self, idx: ItemIdx, dir: Dir) -> Vec<(FieldIdx, ItemIdx)> {
        let mut links = self.graph.sorted(idx, dir);
        links.retain(|(_, other)| self.project.item(*other).parent != Some(idx));
        links
    }

    /// The rows of the first `limit` of `links` (from [`Builder::own_links`]).
    fn link_rows(
        &self,
        idx: ItemIdx,
        dir: Dir,
        links: Vec<(FieldIdx, ItemIdx)>,
        limit: usize,
    ) -> Vec<LinkRow> {
        links
            .into_iter()
            .take(limit)
            .map(|(f, other)| {
                let name = self.profile.field_name(f);
                // Upstream links are suspect from this item; downstream ones from the other.
                let (holder, target) = match dir {
                    Dir::Outgoing => (idx, other),
                    Dir::Incoming => (other, idx),
                };
                LinkRow {
                    field: self.profile.field_label(name, self.lang).to_owned(),
                    item: self.item_ref(other),
                    suspect: self.is_suspect(holder, target),
                }
            })
            .collect()
    }

    /// The items of a thread other than `root`, in the picture's order:
    /// left to right, each column in item order.
    fn thread_rows(
        &self,
        walked: &svg::Walk,
        root: ItemIdx,
        findings: &dyn Fn(ItemIdx) -> Vec<FindingRow>,
    ) -> Vec<ThreadRow> {
        let mut items: Vec<(i32, ItemIdx)> = walked
            .column
            .iter()
            .filter(|(i, _)| *i != root)
            .map(|(i, c)| (*c, *i))
            .collect();
        items.sort();
        items
            .into_iter()
            .map(|(col, i)| ThreadRow {
                dir: if col < 0 { "up" } else { "down" },
                steps: col.unsigned_abs(),
                item: self.item_ref(i),
                findings: findings(i),
            })
            .collect()
    }

    fn sub_items(&self) -> HashMap<ItemIdx, Vec<ItemIdx>> {
        let mut subs: HashMap<ItemIdx, Vec<ItemIdx>> = HashMap::default();
        for (i, item) in self.project.items.iter().enumerate() {
            if let Some(p) = item.parent {
                subs.entry(p).or_default().push(ItemIdx(i as u32));
            }
        }
        subs
    }

    /// The article of `idx`, listing the `run`th [`MAX_LISTED`] of its
    /// sub-items (see [`Pages`]).
    fn item_page(
        &self,
        idx: ItemIdx,
        subs: &HashMap<ItemIdx, Vec<ItemIdx>>,
        run: usize,
    ) -> ItemPage {
        let mut page = match self.shared.get(&idx) {
            Some(made) => made.get_or_init(|| self.item_page_base(idx)).clone(),
            None => self.item_page_base(idx),
        };
        let item = self.project.item(idx);
        page.sub_items_more = if run == 0 {
            subs.get(&idx)
                .map_or(0, |v| v.len().saturating_sub(MAX_LISTED))
        } else {
            0
        };
        page.sub_pages = self.pages.runs.get(&idx).map_or_else(Vec::new, |pages| {
            PagerLink::list(pages.len(), run, |n| {
                let mut href = self.pages.files[pages[n] as usize].clone();
                href.push('#');
                anchor_into(&mut href, &item.id);
                href
            })
        });
        page.sub_items = subs
            .get(&idx)
            .into_iter()
            .flatten()
            .skip(run * MAX_LISTED)
            .take(MAX_LISTED)
            .map(|s| SubItem {
                anchor: anchor(&self.project.item(*s).id),
                fields: self
                    .fields_of(*s)
                    .into_iter()
                    .filter(|f| {
                        Some(f.name.as_str()) != Some(self.profile.kind(item.kind).name.as_str())
                    })
                    .collect(),
                findings: self.finding_rows(*s),
            })
            .collect();
        page
    }

    /// The findings of `idx`, as its article lists them.
    fn finding_rows(&self, idx: ItemIdx) -> Vec<FindingRow> {
        self.by_item
            .get(&idx)
            .into_iter()
            .flatten()
            .map(|f| self.finding_row(f))
            .collect()
    }

    /// The article of `idx` without its sub-items: the same on each page
    /// that lists a share of them.
    fn item_page_base(&self, idx: ItemIdx) -> ItemPage {
        let item = self.project.item(idx);
        let (source, line) = self.project.place(idx);
        let rows = |i: ItemIdx| self.finding_rows(i);
        let walked = svg::walk(self.graph, idx);
        let thread = self.thread_rows(&walked, idx, &rows);
        let incoming = self.own_links(idx, Dir::Incoming);
        ItemPage {
            anchor: anchor(&item.id),
            item: self.item_ref(idx),
            kind_label: self.kind_label(item.kind),
            source,
            line,
            fields: self.fields_of(idx),
            upstream: self.link_rows(
                idx,
                Dir::Outgoing,
                self.own_links(idx, Dir::Outgoing),
                usize::MAX,
            ),
            downstream_more: incoming.len().saturating_sub(MAX_LISTED),
            // A hub (a contract of 100k requirements) lists the first
            // MAX_LISTED and counts the rest; rows are made for those only.
            downstream: self.link_rows(idx, Dir::Incoming, incoming, MAX_LISTED),
            sub_items_more: 0,
            sub_pages: Vec::new(),
            findings: rows(idx),
            sub_items: Vec::new(),
            svg: svg::thread(
                self.project,
                self.profile,
                &walked,
                &self.by_item,
                idx,
                self.lang,
                // Links inside the SVG are relative to the item page.
                &|i, out| self.local_href_into(i, out),
            ),
            thread_findings: thread.iter().map(|r| r.findings.len()).sum(),
            thread,
            thread_cut: walked.truncated,
        }
    }
}

/// `x` to one decimal.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Items per page under `items/` at most: one file per item would mean
/// hundreds of thousands of files for a large project.
pub const ITEMS_PER_PAGE: usize = 200;

/// What the articles of one page may weigh together, in bytes as
/// [`article_weight`] estimates them: pages stay well under the 0.8 MB a
/// browser opens at once, however many links their items hold.
const PAGE_BUDGET: usize = 600_000;

/// An estimate of the bytes of an item's article, from what it lists: the
/// thread (picture and text, at most [`svg::MAX_NODES`] items, counted two
/// steps each way), its links
/// (its own in its fields and in the upstream list, at most [`MAX_LISTED`]
/// downstream) and the sub-items on its page. Made from counts alone, so
/// the pages are known before anything is rendered.
fn article_weight(graph: &TraceGraph, idx: ItemIdx, subs: usize) -> usize {
    let up = graph.upstream(idx).count();
    let down = graph.downstream_count(idx).min(MAX_LISTED);
    // The thread goes on from each neighbour the same way: the items two
    // steps away, as many as the picture holds (a complaint about a
    // delivery of fifty requirements draws them all).
    let mut near = up + down;
    for (_, n) in graph.upstream(idx) {
        if near >= svg::MAX_NODES {
            break;
        }
        near += graph.upstream(n).count();
    }
    for (_, n) in graph.downstream(idx) {
        if near >= svg::MAX_NODES {
            break;
        }
        near += graph.downstream_count(n);
    }
    let near = near.min(svg::MAX_NODES);
    2_400 + 550 * near + 300 * (up + down) + 400 * subs.min(MAX_LISTED)
}

/// Entries of a table of fingerprints (`signed_fingerprints`) shown on an
/// item's page at most.
const MAP_SHOWN: usize = 20;

/// Links and sub-items listed on an item's page at most, so that a hub's
/// page stays small; the matrix and the lists hold the rest.
pub const MAX_LISTED: usize = 500;

/// The page of every item: `KIND-N.html`, items of a kind in load order,
/// as many to a page as [`PAGE_BUDGET`] holds and [`ITEMS_PER_PAGE`] at
/// most. Sub-items (a review's decisions) are on
/// their parent's page, [`MAX_LISTED`] of them; an item with more gets
/// them on pages of its own, `KIND-N~M.html`, each with its article and
/// the next [`MAX_LISTED`] of its sub-items in load order.
struct Pages {
    /// The file name of each page.
    files: Vec<String>,
    /// The page of each item, an index into `files`.
    of: Vec<u32>,
    /// The pages that continue an item's sub-items: the page (an index
    /// into `files`), the item and which run of its sub-items (from 1).
    continued: Vec<(u32, ItemIdx, usize)>,
    /// The pages of each item whose sub-items are continued, from its own.
    runs: HashMap<ItemIdx, Vec<u32>>,
}

impl Pages {
    fn new(project: &Project, profile: &crate::profile::Profile, graph: &TraceGraph) -> Pages {
        let mut files = Vec::new();
        let mut of = vec![u32::MAX; project.items.len()];
        let mut subs = vec![0usize; project.items.len()];
        for item in &project.items {
            if let Some(p) = item.parent {
                subs[p.index()] += 1;
            }
        }
        for (k, kind) in profile.kinds.iter().enumerate() {
            let mut base: String = kind
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            fit_stem(&mut base);
            if base != kind.name {
                base.push_str(&format!("-k{k}"));
            }
            // Items and estimated bytes on the page being filled.
            let (mut on_page, mut weight, mut number) = (0usize, 0usize, 0usize);
            for idx in project.by_kind[k]
                .iter()
                .filter(|i| project.item(**i).parent.is_none())
            {
                let w = article_weight(graph, *idx, subs[idx.index()]);
                if number == 0 || on_page == ITEMS_PER_PAGE || weight + w > PAGE_BUDGET {
                    number += 1;
                    files.push(format!("{base}-{number}.html"));
                    (on_page, weight) = (0, 0);
                }
                on_page += 1;
                weight += w;
                of[idx.index()] = (files.len() - 1) as u32;
            }
        }
        // Sub-items in load order, the order their parent's page lists them.
        let mut listed: HashMap<ItemIdx, usize> = HashMap::default();
        let mut continued = Vec::new();
        let mut runs: HashMap<ItemIdx, Vec<u32>> = HashMap::default();
        // Continuation pages made from each page so far, to number them.
        let mut made = vec![1u32; files.len()];
        for (i, item) in project.items.iter().enumerate() {
            let Some(p) = item.parent else { continue };
            let n = listed.entry(p).or_default();
            let run = *n / MAX_LISTED;
            *n += 1;
            let home = of[p.index()];
            if run == 0 {
                of[i] = home;
                continue;
            }
            let pages = runs.entry(p).or_insert_with(|| vec![home]);
            if pages.len() == run {
                made[home as usize] += 1;
                let stem = files[home as usize]
                    .strip_suffix(".html")
                    .unwrap_or_default();
                files.push(format!("{stem}~{}.html", made[home as usize]));
                let page = (files.len() - 1) as u32;
                pages.push(page);
                continued.push((page, p, run));
            }
            of[i] = pages[run];
        }
        Pages {
            files,
            of,
            continued,
            runs,
        }
    }

    /// The file name of the page that holds `idx`.
    fn name(&self, idx: ItemIdx) -> &str {
        self.files
            .get(self.of[idx.index()] as usize)
            .map_or("", String::as_str)
    }
}

/// One page under `items/`: a run of items of one kind.
#[derive(Serialize)]
pub struct ItemGroup {
    pub file: String,
    pub kind_label: String,
    pub items: Vec<ItemPage>,
}

/// What `item.html` lays out: the page's index and its articles, rendered.
#[derive(Serialize)]
pub struct ItemFrame<'a> {
    pub file: &'a str,
    pub kind_label: &'a str,
    pub first_id: &'a str,
    pub last_id: &'a str,
    pub index: Vec<IndexEntry<'a>>,
    pub articles: &'a str,
}

#[derive(Serialize)]
pub struct IndexEntry<'a> {
    pub anchor: &'a str,
    pub id: &'a str,
}

impl<'a> ItemFrame<'a> {
    pub fn new(group: &'a ItemGroup, articles: &'a str) -> Self {
        let id = |i: Option<&'a ItemPage>| i.map_or("", |i| i.item.id.as_str());
        ItemFrame {
            file: &group.file,
            kind_label: &group.kind_label,
            first_id: id(group.items.first()),
            last_id: id(group.items.last()),
            index: group
                .items
                .iter()
                .map(|i| IndexEntry {
                    anchor: &i.anchor,
                    id: &i.item.id,
                })
                .collect(),
            articles,
        }
    }
}

/// Which items go on one page under `items/`, before they are built.
pub struct GroupPlan {
    pub file: String,
    pub kind_label: String,
    pub items: Vec<ItemIdx>,
    /// Which run of its items' sub-items the page lists: 0 on an item's
    /// own page, more on the pages that continue them.
    pub run: usize,
}

/// Items grouped into their pages, in kind order.
fn plan_groups(checked: &Checked, lang: &str, pages: &Pages) -> Vec<GroupPlan> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let mut groups: Vec<GroupPlan> = Vec::new();
    for (k, kind) in profile.kinds.iter().enumerate() {
        for idx in project.by_kind[k]
            .iter()
            .filter(|i| project.item(**i).parent.is_none())
        {
            let file = pages.name(*idx);
            match groups.last_mut() {
                Some(g) if g.file == file => g.items.push(*idx),
                _ => groups.push(GroupPlan {
                    file: file.to_owned(),
                    kind_label: kind.label.get(lang, &kind.name).to_owned(),
                    items: vec![*idx],
                    run: 0,
                }),
            }
        }
    }
    for &(page, item, run) in &pages.continued {
        let kind = profile.kind(project.item(item).kind);
        groups.push(GroupPlan {
            file: pages.files[page as usize].clone(),
            kind_label: kind.label.get(lang, &kind.name).to_owned(),
            items: vec![item],
            run,
        });
    }
    groups
}

/// An id made safe for an HTML anchor.
fn anchor(id: &str) -> String {
    let mut s = String::with_capacity(id.len() + 2);
    anchor_into(&mut s, id);
    s
}

/// Appends the anchor of the item `id` (see [`anchor`]).
fn anchor_into(out: &mut String, id: &str) {
    out.push_str("i-");
    for ch in id.chars() {
        if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
            out.push(ch);
        } else {
            let _ = std::fmt::Write::write_fmt(out, format_args!("_{:x}_", ch as u32));
        }
    }
}

/// The longest start of a file name made from an id or a kind's name, in
/// bytes. File systems take names of up to 255 bytes; this leaves room for
/// what may follow it (a hash, a number, `~N` for a part, `.html`).
const MAX_STEM: usize = 100;

/// Cuts `stem` to [`MAX_STEM`] bytes, on a character boundary. A name cut
/// short differs from the id it was made from, so it gets that id's hash
/// and stays apart from other ids that start the same way.
fn fit_stem(stem: &mut String) {
    if stem.len() > MAX_STEM {
        let mut end = MAX_STEM;
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        stem.truncate(end);
    }
}

/// A file name for the sign-off sheet of every contract (empty for other
/// items), unique even where ids differ only in characters that are unsafe
/// in file names or in letter case.
fn unique_file_names(project: &Project, profile: &crate::profile::Profile) -> Vec<String> {
    let base_of = |id: &str| -> String {
        let mut base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.trim_matches(['_', '.']).is_empty() {
            base = "item".into();
        }
        fit_stem(&mut base);
        if base != id {
            // Keep pages of ids like "R/1" and "R_1" apart.
            let h = Sha256::digest(id.as_bytes());
            base.push_str(&format!("-{:02x}{:02x}{:02x}", h[0], h[1], h[2]));
        }
        base
    };
    let contracts: Vec<ItemIdx> = profile
        .roles
        .contract
        .kind
        .map(|k| project.by_kind[k as usize].clone())
        .unwrap_or_default();
    let bases: Vec<String> = contracts
        .iter()
        .map(|i| base_of(&project.item(*i).id))
        .collect();
    // Names that ids would take as they are; a numbered name avoids them
    // (file systems may ignore case, so names compare in lower case).
    let natural: HashSet<String> = bases.iter().map(|b| b.to_lowercase()).collect();
    let mut taken: HashSet<String> = HashSet::default();
    let mut names = vec![String::new(); project.items.len()];
    for (idx, base) in contracts.into_iter().zip(bases) {
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name.to_lowercase())
            || (n > 1 && natural.contains(&name.to_lowercase()))
        {
            n += 1;
            name = format!("{base}-{n}");
        }
        taken.insert(name.to_lowercase());
        names[idx.index()] = format!("{name}.html");
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::natural_cmp;

    #[test]
    fn ids_compare_in_natural_order() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("REQ-2", "REQ-10"), Less);
        assert_eq!(natural_cmp("REQ-10", "REQ-9"), Greater);
        assert_eq!(natural_cmp("REQ-1", "REQ-1a"), Less);
        assert_eq!(natural_cmp("A-2", "B-1"), Less);
        // Equal by value, still a total order.
        assert_eq!(natural_cmp("R-01", "R-1"), "R-01".cmp("R-1"));
        assert_eq!(natural_cmp("需求-3", "需求-12"), Less);
    }

    #[test]
    fn a_long_stem_is_cut_on_a_character_boundary() {
        let mut short = "CON-001".to_owned();
        fit_stem(&mut short);
        assert_eq!(short, "CON-001");
        let mut ascii = "A".repeat(300);
        fit_stem(&mut ascii);
        assert_eq!(ascii.len(), MAX_STEM);
        // Three bytes a character: 100 is not a boundary.
        let mut wide = "需".repeat(100);
        fit_stem(&mut wide);
        assert_eq!(wide, "需".repeat(33));
    }
}
