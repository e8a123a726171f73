//! Outputs for the terminal and for other tools: findings as text or JSON,
//! and the thread through one item as a tree.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::{Dir, TraceGraph};
use crate::lang::Lang;
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
    /// In the language of the output; the keys are the same in every language.
    pub message: String,
    pub file: String,
    pub line: u32,
    /// Present when the finding points at a word rather than at the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl<'a> FindingView<'a> {
    pub fn new(f: &'a Finding, project: &'a Project, profile: &'a Profile, lang: Lang) -> Self {
        let rule = &profile.rules[f.rule];
        let item = project.item(f.item);
        let (file, line, column) = project.finding_place(f.item, f.at.as_ref());
        FindingView {
            rule: &rule.id,
            severity: f.severity,
            group: &rule.group,
            id: &item.id,
            kind: &profile.kind(item.kind).name,
            message: f.message(lang, project, profile),
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
pub fn check_json(
    project: &Project,
    profile: &Profile,
    result: &CheckResult,
    lang: Lang,
) -> String {
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
            .map(|f| FindingView::new(f, project, profile, lang))
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
    s.push('\n');
    s
}

/// Findings grouped by rule, each with `file:line`, and a closing count.
pub fn check_text(
    project: &Project,
    profile: &Profile,
    result: &CheckResult,
    lang: Lang,
) -> String {
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
            "{}",
            lang.f(
                "cli_rule_findings",
                &[
                    ("rule", &rule.id),
                    ("severity", &severity(rule.severity, lang)),
                    ("group", &group(&rule.group, lang)),
                    ("n", &n),
                    ("s", &lang.plural(n)),
                ]
            )
        );
        let width = if lang == Lang::En { 7 } else { 4 };
        for f in &result.findings[start..end] {
            let v = FindingView::new(f, project, profile, lang);
            let item = project.item(f.item);
            let _ = writeln!(
                out,
                "  {} {} ({})  {}\n          {}",
                crate::text::pad(severity(v.severity, lang), width),
                v.id,
                kind_word(profile, item.kind, lang),
                v.place(),
                v.message
            );
        }
        out.push('\n');
        start = end;
    }
    let s = Summary::new(project, profile, result);
    out.push_str(&lang.f(
        "cli_check_items",
        &[
            ("project", &s.project),
            ("items", &s.items),
            ("s1", &lang.plural(s.items)),
            ("files", &s.files),
            ("s2", &lang.plural(s.files)),
        ],
    ));
    if s.findings == 0 {
        let _ = writeln!(out, "{}", lang.t("cli_check_clean"));
    } else {
        let infos = if s.infos > 0 {
            lang.f("cli_check_infos", &[("n", &s.infos)])
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}",
            lang.f(
                "cli_check_findings",
                &[
                    ("findings", &s.findings),
                    ("s1", &lang.plural(s.findings)),
                    ("errors", &s.errors),
                    ("s2", &lang.plural(s.errors)),
                    ("warnings", &s.warnings),
                    ("s3", &lang.plural(s.warnings)),
                    ("infos", &infos),
                ]
            )
        );
    }
    out
}

/// A severity in the words of `lang`.
pub fn severity(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Error => lang.t("severity_error"),
        Severity::Warning => lang.t("severity_warning"),
        Severity::Info => lang.t("severity_info"),
    }
}

/// A rule group in the words of `lang`: the built-in groups by the
/// catalogue, a project's own group as written.
pub fn group(g: &str, lang: Lang) -> String {
    match g {
        _ if lang == Lang::En => g.to_owned(),
        "untraced" => lang.t("group_untraced").to_owned(),
        "unverified" => lang.t("group_unverified").to_owned(),
        "changed" => lang.t("group_changed").to_owned(),
        "objectives" => lang.t("group_objectives").to_owned(),
        _ => g.to_owned(),
    }
}

/// The thread through one item: what it answers to (upstream, towards the
/// customer) and what answers to it (downstream, towards delivery).
pub fn trace_text(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    result: &CheckResult,
    root: ItemIdx,
    lang: Lang,
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
        lang,
    };
    let mut out = String::new();
    let (file, line) = project.place(root);
    let _ = writeln!(out, "{}  ({file}:{line})", tree.describe(root));
    tree.findings_of(root, "  ", &mut out);
    for (dir, heading) in [
        (Dir::Outgoing, lang.t("cli_trace_upstream")),
        (Dir::Incoming, lang.t("cli_trace_downstream")),
    ] {
        let _ = writeln!(out, "{heading}");
        let children = graph.sorted(root, dir);
        if children.is_empty() {
            let _ = writeln!(out, "    {}", lang.t("cli_nothing"));
        }
        let mut seen = HashSet::from([root]);
        tree.children(root, dir, "", &mut seen, &mut out);
    }
    out
}

/// The items whose findings [`trace_text`] shows: `root` and every item
/// its tree reaches upstream and downstream, in item order.
pub fn trace_items(graph: &TraceGraph, root: ItemIdx) -> Vec<ItemIdx> {
    let mut items = vec![root];
    for dir in [Dir::Outgoing, Dir::Incoming] {
        let mut seen = HashSet::from([root]);
        let mut next = vec![root];
        while let Some(idx) = next.pop() {
            for (_, child) in graph.sorted(idx, dir) {
                if seen.insert(child) {
                    items.push(child);
                    next.push(child);
                }
            }
        }
    }
    items.sort_unstable();
    items.dedup();
    items
}

struct TreeWriter<'a> {
    project: &'a Project,
    profile: &'a Profile,
    graph: &'a TraceGraph,
    findings: &'a BTreeMap<ItemIdx, Vec<&'a Finding>>,
    lang: Lang,
}

/// A kind's name in English output (as typed in `--from`), its label in
/// another language.
fn kind_word(profile: &Profile, kind: crate::model::KindIdx, lang: Lang) -> &str {
    let k = profile.kind(kind);
    match lang {
        Lang::En => &k.name,
        _ => k.label.get(lang.code(), &k.name),
    }
}

/// A field's or an enum value's name in English output, its label in
/// another language.
fn field_word<'a>(profile: &'a Profile, name: &'a str, lang: Lang) -> &'a str {
    match lang {
        Lang::En => name,
        _ => profile.field_label(name, lang.code()),
    }
}

fn value_word<'a>(profile: &'a Profile, value: &'a str, lang: Lang) -> std::borrow::Cow<'a, str> {
    match lang {
        Lang::En => value.into(),
        _ => profile.value_label(value, lang.code()).into(),
    }
}

impl TreeWriter<'_> {
    /// `kind ID · title [enum values]`
    fn describe(&self, idx: ItemIdx) -> String {
        let item = self.project.item(idx);
        let kind = self.profile.kind(item.kind);
        let mut s = format!(
            "{} {}",
            kind_word(self.profile, item.kind, self.lang),
            item.id
        );
        if let Some(t) = &item.title {
            let _ = write!(s, " · {t}");
        }
        let tags: Vec<String> = kind
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Enum)
            .filter_map(|f| item.field(f.name).map(|v| v.display()))
            .map(|v| value_word(self.profile, &v, self.lang).into_owned())
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
                severity(f.severity, self.lang),
                self.profile.rules[f.rule].id,
                f.message(self.lang, self.project, self.profile)
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
            let via = self.lang.f(
                "cli_via",
                &[(
                    "field",
                    &field_word(self.profile, self.profile.field_name(*field), self.lang),
                )],
            );
            let _ = writeln!(
                out,
                "{prefix}{branch}{} {via}{}",
                self.describe(*child),
                if again {
                    self.lang.t("cli_shown_above")
                } else {
                    ""
                }
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
pub fn review_status_text(
    statuses: &[crate::review::ContractStatus],
    profile: &Profile,
    lang: Lang,
) -> String {
    let mut out = String::new();
    if statuses.is_empty() {
        let _ = writeln!(out, "{}", lang.t("cli_no_contracts"));
    }
    for c in statuses {
        let _ = writeln!(
            out,
            "{}",
            lang.f("cli_contract_line", &[("id", &c.id), ("title", &c.title)])
        );
        if c.reviews.is_empty() {
            let _ = writeln!(out, "  {}", lang.t("cli_no_review_yet"));
        }
        for r in &c.reviews {
            let by = r.signed_by.as_deref().unwrap_or("?");
            let on = r.signed_on.as_deref().unwrap_or("?");
            let state = match r.signoff {
                "valid" => lang.f("cli_signed_holds", &[("by", &by), ("on", &on)]),
                "broken" => lang.f(
                    "cli_signed_broken",
                    &[("by", &by), ("on", &on), ("changed", &r.changed.join(", "))],
                ),
                _ => lang.t("signoff_unsigned").to_owned(),
            };
            let _ = writeln!(
                out,
                "  {} {}{}: {state}",
                lang.t("cli_review_word"),
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
        let verdict_width = if lang == Lang::En { 11 } else { 8 };
        for r in &c.requirements {
            let verdict = match r.verdict.as_deref() {
                Some(v) => value_word(profile, v, lang),
                None => lang.t("cli_no_decision").into(),
            };
            let mark = if r.verdict.is_none() || r.clarify {
                "✗"
            } else {
                " "
            };
            let _ = write!(
                out,
                "  {mark} {:<width$}  {}",
                r.id,
                crate::text::pad(&verdict, verdict_width)
            );
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
            "  {}\n",
            lang.f(
                "cli_review_counts",
                &[
                    ("n", &c.requirements.len()),
                    ("s", &lang.plural(c.requirements.len())),
                    ("undecided", &c.undecided.len()),
                    ("clarify", &c.open_clarifications.len()),
                ]
            )
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
pub fn impact_text(tree: &crate::review::ImpactNode, profile: &Profile, lang: Lang) -> String {
    let kind = |name: &str| match profile.kind_index(name) {
        Some(k) => kind_word(profile, k, lang).to_owned(),
        None => name.to_owned(),
    };
    fn walk(
        node: &crate::review::ImpactNode,
        prefix: &str,
        kind: &dyn Fn(&str) -> String,
        out: &mut String,
    ) {
        let last = node.children.len().saturating_sub(1);
        for (n, c) in node.children.iter().enumerate() {
            let (branch, cont) = if n == last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let _ = writeln!(
                out,
                "{prefix}{branch}{} {} · {}",
                kind(&c.kind),
                c.id,
                c.title
            );
            walk(c, &format!("{prefix}{cont}"), kind, out);
        }
    }
    let mut out = format!("{} {} · {}\n", kind(&tree.kind), tree.id, tree.title);
    walk(tree, "", &kind, &mut out);
    fn count(n: &crate::review::ImpactNode) -> usize {
        n.children.iter().map(|c| 1 + count(c)).sum()
    }
    let n = count(tree);
    if n == 0 {
        let _ = writeln!(out, "{}", lang.t("cli_impact_none"));
    } else {
        let _ = writeln!(
            out,
            "{}",
            lang.f("cli_impact_count", &[("n", &n), ("s", &lang.plural(n))])
        );
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
    lang: Lang,
) -> String {
    let mut out = String::new();
    if results.is_empty() {
        let _ = writeln!(out, "{}", lang.t("cli_no_objectives"));
    }
    let no_data = lang.t("no_data");
    for r in results {
        let state = match r.met {
            Some(true) => lang.t("cli_objective_met"),
            Some(false) => lang.t("cli_objective_missed"),
            None => lang.t("objective_unmeasured"),
        };
        let actual = r.actual.map_or("—".to_owned(), |a| with_unit(a, r.unit));
        let _ = writeln!(out, "{} · {}", r.id, r.title);
        let trend = r
            .trend
            .map(|t| {
                let word = match t {
                    "improving" => lang.t("trend_improving"),
                    "worsening" => lang.t("trend_worsening"),
                    "steady" => lang.t("trend_steady"),
                    other => other,
                };
                lang.f("cli_trend", &[("trend", &word)])
            })
            .unwrap_or_default();
        let target = if r.target.is_empty() {
            "—"
        } else {
            &r.target
        };
        let _ = writeln!(
            out,
            "  {}",
            lang.f(
                "cli_objective_line",
                &[
                    ("metric", &r.metric),
                    ("records", &r.records),
                    ("s", &lang.plural(r.records)),
                    ("actual", &actual),
                    ("target", &target),
                    ("state", &state),
                    ("trend", &trend),
                ]
            )
        );
        if let Some(note) = &r.note {
            let _ = writeln!(out, "  {}", lang.f("cli_note", &[("note", note)]));
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
                    .map_or(no_data.to_owned(), |a| with_unit(a, r.unit))
            );
        }
    }
    if !cards.is_empty() {
        let _ = writeln!(out, "\n{}", lang.t("cli_scorecards"));
        for c in cards {
            let _ = writeln!(
                out,
                "  {} · {}: {}",
                c.customer,
                c.title,
                c.score
                    .map_or(lang.t("cli_no_score").to_owned(), |s| format!("{s} / 100"))
            );
            for k in &c.criteria {
                let _ = writeln!(
                    out,
                    "    {:<24} {} {:<4} {} {}",
                    k.name,
                    lang.t("weight"),
                    k.weight,
                    k.metric,
                    k.actual.map_or(no_data.to_owned(), |a| format!("= {a}"))
                );
            }
            for e in &c.evaluations {
                let num = |v: Option<f64>| v.map_or("—".to_owned(), |v| v.to_string());
                let _ = writeln!(
                    out,
                    "    {}",
                    lang.f(
                        "cli_evaluation_line",
                        &[
                            ("when", &e.period),
                            ("theirs", &num(e.score)),
                            ("place", &num(e.rank)),
                            ("among", &num(e.of)),
                            ("ours", &num(e.computed)),
                            ("gap", &num(e.difference)),
                        ],
                    )
                );
            }
        }
    }
    if !complaints.is_empty() {
        let _ = writeln!(
            out,
            "\n{}{}",
            lang.t("cli_complaints"),
            as_of_text(as_of)
                .map(|d| lang.f("cli_ages_as_of", &[("date", &d)]))
                .unwrap_or_default()
        );
        for c in complaints {
            let state = if c.closed {
                lang.t("complaint_closed").to_owned()
            } else {
                lang.f(
                    "cli_open_days",
                    &[("days", &c.age.map_or("?".to_owned(), |a| a.to_string()))],
                )
            };
            let _ = writeln!(
                out,
                "  {}{} · {} · {state}{}",
                if c.overdue { "✗ " } else { "" },
                c.id,
                c.title,
                match (&c.action, c.resolved_by.is_empty()) {
                    (Some(a), _) => lang.f("cli_complaint_action", &[("action", a)]),
                    (None, false) => lang.f(
                        "cli_complaint_resolved_by",
                        &[("ids", &c.resolved_by.join(", "))]
                    ),
                    (None, true) if c.closed => lang.t("cli_no_action_recorded").to_owned(),
                    (None, true) => lang.t("cli_no_action_yet").to_owned(),
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
