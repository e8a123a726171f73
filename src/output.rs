//! Outputs for the terminal and for other tools: findings as text or JSON,
//! and the thread through one item as a tree.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::{Dir, TraceGraph};
use crate::model::{ItemIdx, Project};
use crate::objectives::with_unit;
use crate::profile::{FieldType, Profile, Severity};
use crate::rules::{CheckResult, Finding};

/// A finding as other tools read it.
#[derive(Debug, Serialize)]
pub struct FindingView<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub group: &'a str,
    pub id: &'a str,
    pub kind: &'a str,
    pub message: &'a str,
    pub file: String,
    pub line: u32,
    /// Present when the finding points at a word rather than at the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl<'a> FindingView<'a> {
    pub fn new(f: &'a Finding, project: &'a Project, profile: &'a Profile) -> Self {
        let rule = &profile.rules[f.rule];
        let item = project.item(f.item);
        let (file, line, column) = project.finding_place(f.item, f.at.as_ref());
        FindingView {
            rule: &rule.id,
            severity: f.severity,
            group: &rule.group,
            id: &item.id,
            kind: &profile.kind(item.kind).name,
            message: &f.message,
            file,
            line,
            column,
        }
    }

    /// `file:line`, or `file:line:column` for a finding that points at a word.
    pub fn place(&self) -> String {
        match self.column {
            Some(c) => format!("{}:{}:{c}", self.file, self.line),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RuleSummary<'a> {
    pub id: &'a str,
    pub group: &'a str,
    pub severity: Severity,
    pub applicable: usize,
    pub failed: usize,
}

#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub project: &'a str,
    pub profile: &'a str,
    pub files: usize,
    pub items: usize,
    pub kinds: BTreeMap<&'a str, usize>,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub rules: Vec<RuleSummary<'a>>,
}

impl<'a> Summary<'a> {
    pub fn new(project: &'a Project, profile: &'a Profile, result: &'a CheckResult) -> Self {
        let kinds = profile
            .kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.within.is_none())
            .map(|(i, k)| (k.name.as_str(), project.by_kind[i].len()))
            .collect();
        let rules = profile
            .rules
            .iter()
            .zip(&result.stats)
            .map(|(r, s)| RuleSummary {
                id: &r.id,
                group: &r.group,
                severity: r.severity,
                applicable: s.applicable,
                failed: s.failed,
            })
            .collect();
        Summary {
            project: &project.name,
            profile: &profile.name,
            // The configuration file is not an item file.
            files: project.files.len().saturating_sub(1),
            items: project.items.iter().filter(|i| i.parent.is_none()).count(),
            kinds,
            findings: result.findings.len(),
            errors: result.count(Severity::Error),
            warnings: result.count(Severity::Warning),
            infos: result.count(Severity::Info),
            rules,
        }
    }
}

/// `{"summary": {...}, "findings": [...]}` with a trailing newline.
pub fn check_json(project: &Project, profile: &Profile, result: &CheckResult) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        summary: Summary<'a>,
        findings: Vec<FindingView<'a>>,
    }
    project.count_lines(result.findings.iter().map(|f| f.item));
    let out = Out {
        summary: Summary::new(project, profile, result),
        findings: result
            .findings
            .iter()
            .map(|f| FindingView::new(f, project, profile))
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
    s.push('\n');
    s
}

/// Findings grouped by rule, each with `file:line`, and a closing count.
pub fn check_text(project: &Project, profile: &Profile, result: &CheckResult) -> String {
    project.count_lines(result.findings.iter().map(|f| f.item));
    let mut out = String::new();
    let mut start = 0;
    while start < result.findings.len() {
        let ri = result.findings[start].rule;
        let end = result.findings[start..]
            .iter()
            .position(|f| f.rule != ri)
            .map_or(result.findings.len(), |p| start + p);
        let rule = &profile.rules[ri];
        let n = end - start;
        let _ = writeln!(
            out,
            "{} ({}, {}): {} finding{}",
            rule.id,
            rule.severity.as_str(),
            rule.group,
            n,
            plural(n)
        );
        for f in &result.findings[start..end] {
            let v = FindingView::new(f, project, profile);
            let _ = writeln!(
                out,
                "  {:<7} {} ({})  {}\n          {}",
                v.severity.as_str(),
                v.id,
                v.kind,
                v.place(),
                v.message
            );
        }
        out.push('\n');
        start = end;
    }
    let s = Summary::new(project, profile, result);
    let _ = write!(
        out,
        "{}: {} item{} in {} file{}; ",
        s.project,
        s.items,
        plural(s.items),
        s.files,
        plural(s.files)
    );
    if s.findings == 0 {
        let _ = writeln!(out, "every thread is complete, no findings.");
    } else {
        let _ = writeln!(
            out,
            "{} finding{}: {} error{}, {} warning{}{}.",
            s.findings,
            plural(s.findings),
            s.errors,
            plural(s.errors),
            s.warnings,
            plural(s.warnings),
            if s.infos > 0 {
                format!(", {} info", s.infos)
            } else {
                String::new()
            }
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The thread through one item: what it answers to (upstream, towards the
/// customer) and what answers to it (downstream, towards delivery).
pub fn trace_text(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    result: &CheckResult,
    root: ItemIdx,
) -> String {
    let mut findings: BTreeMap<ItemIdx, Vec<&Finding>> = BTreeMap::new();
    for f in &result.findings {
        findings.entry(f.item).or_default().push(f);
    }
    let tree = TreeWriter {
        project,
        profile,
        graph,
        findings: &findings,
    };
    let mut out = String::new();
    let (file, line) = project.place(root);
    let _ = writeln!(out, "{}  ({file}:{line})", tree.describe(root));
    tree.findings_of(root, "  ", &mut out);
    for (dir, heading) in [
        (Dir::Outgoing, "▲ upstream: what it answers to"),
        (Dir::Incoming, "▼ downstream: what answers to it"),
    ] {
        let _ = writeln!(out, "{heading}");
        let children = graph.sorted(root, dir);
        if children.is_empty() {
            let _ = writeln!(out, "    (nothing)");
        }
        let mut seen = HashSet::from([root]);
        tree.children(root, dir, "", &mut seen, &mut out);
    }
    out
}

struct TreeWriter<'a> {
    project: &'a Project,
    profile: &'a Profile,
    graph: &'a TraceGraph,
    findings: &'a BTreeMap<ItemIdx, Vec<&'a Finding>>,
}

impl TreeWriter<'_> {
    /// `kind ID · title [enum values]`
    fn describe(&self, idx: ItemIdx) -> String {
        let item = self.project.item(idx);
        let kind = self.profile.kind(item.kind);
        let mut s = format!("{} {}", kind.name, item.id);
        if let Some(t) = &item.title {
            let _ = write!(s, " · {t}");
        }
        let tags: Vec<String> = kind
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Enum)
            .filter_map(|f| item.field(f.name).map(|v| v.display()))
            .collect();
        if !tags.is_empty() {
            let _ = write!(s, " [{}]", tags.join(", "));
        }
        s
    }

    fn findings_of(&self, idx: ItemIdx, indent: &str, out: &mut String) {
        for f in self.findings.get(&idx).into_iter().flatten() {
            let _ = writeln!(
                out,
                "{indent}✗ {} {}: {}",
                f.severity.as_str(),
                self.profile.rules[f.rule].id,
                f.message
            );
        }
    }

    fn children(
        &self,
        idx: ItemIdx,
        dir: Dir,
        prefix: &str,
        seen: &mut HashSet<ItemIdx>,
        out: &mut String,
    ) {
        let children = self.graph.sorted(idx, dir);
        let last = children.len().saturating_sub(1);
        for (n, (field, child)) in children.iter().enumerate() {
            let (branch, cont) = if n == last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let again = !seen.insert(*child);
            let _ = writeln!(
                out,
                "{prefix}{branch}{} (via {}){}",
                self.describe(*child),
                self.profile.field_name(*field),
                if again { " (shown above)" } else { "" }
            );
            if again {
                continue;
            }
            let inner = format!("{prefix}{cont}");
            self.findings_of(*child, &format!("{inner}  "), out);
            self.children(*child, dir, &inner, seen, out);
        }
    }
}

/// `review status` for the terminal.
pub fn review_status_text(statuses: &[crate::review::ContractStatus]) -> String {
    let mut out = String::new();
    if statuses.is_empty() {
        out.push_str("No contracts in this project.\n");
    }
    for c in statuses {
        let _ = writeln!(out, "contract {} · {}", c.id, c.title);
        if c.reviews.is_empty() {
            let _ = writeln!(out, "  no review yet");
        }
        for r in &c.reviews {
            let state = match r.signoff {
                "valid" => format!(
                    "signed by {} on {}, still holds",
                    r.signed_by.as_deref().unwrap_or("?"),
                    r.signed_on.as_deref().unwrap_or("?")
                ),
                "broken" => format!(
                    "signed by {} on {}, NO LONGER HOLDS: {} changed since",
                    r.signed_by.as_deref().unwrap_or("?"),
                    r.signed_on.as_deref().unwrap_or("?"),
                    r.changed.join(", ")
                ),
                _ => "not signed".to_owned(),
            };
            let _ = writeln!(
                out,
                "  review {}{}: {state}",
                r.id,
                r.date
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
        }
        let width = c
            .requirements
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(0);
        for r in &c.requirements {
            let verdict = r.verdict.as_deref().unwrap_or("no decision");
            let mark = if r.verdict.is_none() || r.clarify {
                "✗"
            } else {
                " "
            };
            let _ = write!(out, "  {mark} {:<width$}  {:<11}", r.id, verdict);
            if let Some(rev) = &r.review {
                let _ = write!(out, "  {rev}");
            }
            let _ = write!(out, "  {}", r.title);
            if let Some(note) = &r.note {
                let _ = write!(out, "  — {note}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "  {} requirement{}: {} without decision, {} awaiting clarification\n",
            c.requirements.len(),
            plural(c.requirements.len()),
            c.undecided.len(),
            c.open_clarifications.len()
        );
    }
    out
}

/// `review status --format json`: `{"contracts": [...]}`.
pub fn review_status_json(statuses: &[crate::review::ContractStatus]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        contracts: Vec<ContractOut<'a>>,
    }
    #[derive(Serialize)]
    struct ContractOut<'a> {
        #[serde(flatten)]
        status: &'a crate::review::ContractStatus,
        signed_and_valid: bool,
    }
    let out = Out {
        contracts: statuses
            .iter()
            .map(|s| ContractOut {
                status: s,
                signed_and_valid: s.signed_and_valid(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
    s.push('\n');
    s
}

/// `impact` as a tree for the terminal.
pub fn impact_text(tree: &crate::review::ImpactNode) -> String {
    fn walk(node: &crate::review::ImpactNode, prefix: &str, out: &mut String) {
        let last = node.children.len().saturating_sub(1);
        for (n, c) in node.children.iter().enumerate() {
            let (branch, cont) = if n == last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let _ = writeln!(out, "{prefix}{branch}{} {} · {}", c.kind, c.id, c.title);
            walk(c, &format!("{prefix}{cont}"), out);
        }
    }
    let mut out = format!("{} {} · {}\n", tree.kind, tree.id, tree.title);
    walk(tree, "", &mut out);
    fn count(n: &crate::review::ImpactNode) -> usize {
        n.children.iter().map(|c| 1 + count(c)).sum()
    }
    let n = count(tree);
    if n == 0 {
        out.push_str("Nothing downstream depends on it.\n");
    } else {
        let _ = writeln!(out, "{n} item{} to re-examine if it changes.", plural(n));
    }
    out
}

fn as_of_text(as_of: Option<i64>) -> Option<String> {
    as_of.map(|d| crate::calendar::Date::from_days(d).to_string())
}

/// `objectives` for the terminal.
pub fn objectives_text(
    results: &[crate::objectives::ObjectiveResult],
    cards: &[crate::objectives::Scorecard],
    complaints: &[crate::objectives::ComplaintRow],
    as_of: Option<i64>,
) -> String {
    let mut out = String::new();
    if results.is_empty() {
        out.push_str("No quality objectives in this project.\n");
    }
    for r in results {
        let state = match r.met {
            Some(true) => "MET",
            Some(false) => "MISSED",
            None => "not measured",
        };
        let actual = r.actual.map_or("—".to_owned(), |a| with_unit(a, r.unit));
        let _ = writeln!(out, "{} · {}", r.id, r.title);
        let _ = writeln!(
            out,
            "  {} {}: actual {actual} against target {}  {state}{}",
            r.metric,
            if r.records == 1 {
                "(1 record)".to_owned()
            } else {
                format!("({} records)", r.records)
            },
            if r.target.is_empty() {
                "—"
            } else {
                &r.target
            },
            r.trend.map(|t| format!(", {t}")).unwrap_or_default()
        );
        if let Some(note) = &r.note {
            let _ = writeln!(out, "  note: {note}");
        }
        for p in &r.periods {
            let mark = match p.met {
                Some(true) => "✓",
                Some(false) => "✗",
                None => " ",
            };
            let _ = writeln!(
                out,
                "    {mark} {:<8} {}",
                p.period,
                p.actual
                    .map_or("no data".to_owned(), |a| with_unit(a, r.unit))
            );
        }
    }
    if !cards.is_empty() {
        let _ = writeln!(out, "\nCustomer scorecards (riskiest first)");
        for c in cards {
            let _ = writeln!(
                out,
                "  {} · {}: {}",
                c.customer,
                c.title,
                c.score
                    .map_or("no score".to_owned(), |s| format!("{s} / 100"))
            );
            for k in &c.criteria {
                let _ = writeln!(
                    out,
                    "    {:<24} weight {:<4} {} {}",
                    k.name,
                    k.weight,
                    k.metric,
                    k.actual.map_or("no data".to_owned(), |a| format!("= {a}"))
                );
            }
        }
    }
    if !complaints.is_empty() {
        let _ = writeln!(
            out,
            "\nComplaints{}",
            as_of_text(as_of)
                .map(|d| format!(" (ages as of {d})"))
                .unwrap_or_default()
        );
        for c in complaints {
            let state = if c.closed {
                "closed".to_owned()
            } else {
                format!(
                    "open {} days",
                    c.age.map_or("?".to_owned(), |a| a.to_string())
                )
            };
            let _ = writeln!(
                out,
                "  {}{} · {} · {state}{}",
                if c.overdue { "✗ " } else { "" },
                c.id,
                c.title,
                match (&c.action, c.resolved_by.is_empty()) {
                    (Some(a), _) => format!(" · action: {a}"),
                    (None, false) => format!(" · resolved by {}", c.resolved_by.join(", ")),
                    (None, true) if c.closed => " · no action recorded".to_owned(),
                    (None, true) => " · no action yet".to_owned(),
                }
            );
        }
    }
    out
}

/// `objectives --format json`.
pub fn objectives_json(
    results: &[crate::objectives::ObjectiveResult],
    cards: &[crate::objectives::Scorecard],
    complaints: &[crate::objectives::ComplaintRow],
    as_of: Option<i64>,
) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        as_of: Option<String>,
        objectives: &'a [crate::objectives::ObjectiveResult],
        scorecards: &'a [crate::objectives::Scorecard],
        complaints: &'a [crate::objectives::ComplaintRow],
    }
    let mut s = serde_json::to_string_pretty(&Out {
        as_of: as_of_text(as_of),
        objectives: results,
        scorecards: cards,
        complaints,
    })
    .expect("serialisable");
    s.push('\n');
    s
}
