//! Traceability matrices for auditors: from items of one kind to items of
//! another, forward (downstream, towards delivery) or backward (upstream,
//! towards the customer), through every path of kinds the profile's link
//! fields allow, or only through the kinds `--via` names.
//!
//! Takes a checked project and a [`MatrixSpec`]; gives a [`Matrix`]: one row
//! per thread, and a row saying so for an item with no thread. The formats
//! are in [`format`].

pub mod format;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{FieldIdx, ItemIdx, KindIdx, Project, Value};
use crate::pipeline::Checked;
use crate::profile::{Condition, Profile};
use crate::text::natural_cmp;

/// A row's status: the thread reaches the target kind and no rule that
/// checks its links fails.
pub const TRACED: &str = "traced";
/// A rule of group `untraced` that checks the links the matrix follows
/// fails on an item of the row (as `check` reports it).
pub const UNTRACED: &str = "untraced";
/// Another rule that checks the links the matrix follows fails on an item
/// of the row (a design input without passing verification, say).
pub const UNVERIFIED: &str = "unverified";
/// The thread stops short, and no rule asks more of it: a requirement with
/// `design = false` and a rationale, or one no review has accepted yet.
pub const NOT_REQUIRED: &str = "not-required";
/// Every status, the gaps first, as the report's filter offers them.
pub const STATUSES: [&str; 4] = [UNTRACED, UNVERIFIED, TRACED, NOT_REQUIRED];

/// What to build.
#[derive(Clone, Debug, Default)]
pub struct MatrixSpec {
    pub from: String,
    pub to: String,
    /// Kinds every thread must pass through, in this order.
    pub via: Vec<String>,
    pub filter: Filter,
    /// The language of the column headings (the kinds' labels).
    pub lang: crate::lang::Lang,
}

impl MatrixSpec {
    /// The profile's own matrix (`[matrix]` in the profile or
    /// needtrail.toml), the report's: `from` to `to`, or back with `reverse`.
    pub fn of_profile(profile: &Profile, reverse: bool) -> Option<MatrixSpec> {
        let (from, to) = profile.matrix?;
        let (from, to) = if reverse { (to, from) } else { (from, to) };
        Some(MatrixSpec {
            from: profile.kind(from).name.clone(),
            to: profile.kind(to).name.clone(),
            ..MatrixSpec::default()
        })
    }
}

/// Which rows to keep.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub contract: Option<String>,
    pub customer: Option<String>,
    pub class: Option<String>,
    pub only: Option<Only>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    /// Rows with the status [`UNTRACED`].
    Untraced,
    /// Rows with the status [`UNVERIFIED`].
    Unverified,
}

/// Which way the matrix reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From upstream items to the items that answer to them.
    Forward,
    /// From downstream items back to what they answer to.
    Backward,
}

/// One step of a kind path: the next kind, and the link fields that lead there.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    kind: KindIdx,
    fields: Vec<FieldIdx>,
}

/// A path of kinds from the matrix's `from` kind to its `to` kind.
type KindPath = Vec<Step>;

/// The matrix: columns (one per kind on the threads) and rows.
#[derive(Debug, Serialize)]
pub struct Matrix {
    pub title: String,
    pub from: String,
    pub to: String,
    pub direction: Direction,
    /// Kind names, one per column, from `from` to `to`.
    pub columns: Vec<String>,
    /// Column headings in the project's words (kind labels, in the
    /// language of [`MatrixSpec::lang`]).
    pub headings: Vec<String>,
    pub rows: Vec<Row>,
    /// The paths of kinds followed, e.g. `requirement → design_input → verification`.
    pub paths: Vec<String>,
}

/// A cell: the item of that column's kind on the thread, if the thread passes one.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    /// The item, for outputs that link to it.
    #[serde(skip)]
    pub idx: ItemIdx,
    pub id: String,
    pub title: String,
    /// A result or verdict, when the item has one.
    pub status: Option<String>,
    /// The item carries a finding.
    pub broken: bool,
}

/// One thread, or one item with no thread.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub cells: Vec<Option<Cell>>,
    /// One of [`STATUSES`], from the findings of the rules that check the
    /// links the matrix follows: [`UNTRACED`] when one of group `untraced`
    /// fails on an item of the row, else [`UNVERIFIED`] when another one
    /// does, else [`TRACED`] when the thread reaches the target kind, else
    /// [`NOT_REQUIRED`].
    pub status: &'static str,
    /// Why the thread is not required, in the item's words: for a row that
    /// stops short, the fields the rules accept instead of the thread (a
    /// requirement's `rationale` beside `design = false`).
    pub note: Option<String>,
    /// Rule ids of the findings on the row's items.
    pub findings: Vec<String>,
}

/// Why a matrix cannot be built.
#[derive(Debug)]
pub enum MatrixError {
    UnknownKind(String, Vec<String>),
    NoPath(String, String),
    UnknownItem(String),
    /// A filter value the field does not take: the option, the value, the
    /// values it takes, and the one most likely meant.
    UnknownValue {
        option: &'static str,
        value: String,
        values: Vec<String>,
        suggestion: Option<String>,
    },
}

impl std::fmt::Display for MatrixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatrixError::UnknownKind(k, kinds) => {
                write!(f, "unknown kind `{k}`; kinds are: {}", kinds.join(", "))
            }
            MatrixError::NoPath(a, b) => write!(
                f,
                "no link path leads from {a} to {b} (through the kinds given with --via) in this profile"
            ),
            MatrixError::UnknownItem(id) => write!(f, "no item with id `{id}` to filter by"),
            MatrixError::UnknownValue {
                option,
                value,
                values,
                suggestion,
            } => {
                write!(f, "{option} `{value}` is not a value of the field")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean {s}?")?;
                }
                write!(f, " It takes: {}", values.join(", "))
            }
        }
    }
}

/// A filter on an enum field must name one of its values: a typo would
/// otherwise give an empty matrix that reads as "nothing to show".
fn check_enum_filter(
    profile: &Profile,
    kind: KindIdx,
    field: Option<FieldIdx>,
    option: &'static str,
    value: &str,
) -> Result<(), MatrixError> {
    let Some(idx) = field else {
        return Ok(());
    };
    // The row kind's values, else those of any kind with the field.
    let own = profile.field_def(kind, idx).map(|d| d.values.clone());
    let values: Vec<String> = own.unwrap_or_else(|| {
        let mut all: Vec<String> = (0..profile.kinds.len())
            .filter_map(|k| profile.field_def(k as KindIdx, idx))
            .flat_map(|d| d.values.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    });
    if values.is_empty() || values.iter().any(|v| v == value) {
        return Ok(());
    }
    Err(MatrixError::UnknownValue {
        option,
        value: value.to_owned(),
        suggestion: profile.suggest_value(value, &values),
        values,
    })
}

/// Longest kind path followed, so that a profile with loops stays finite.
const MAX_PATH: usize = 8;

/// Builds a matrix.
pub fn build(checked: &Checked, spec: &MatrixSpec) -> Result<Matrix, MatrixError> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    let kind = |name: &str| {
        profile.kind_index(name).ok_or_else(|| {
            MatrixError::UnknownKind(
                name.to_owned(),
                profile.kinds.iter().map(|k| k.name.clone()).collect(),
            )
        })
    };
    let from = kind(&spec.from)?;
    let to = kind(&spec.to)?;
    let via: Vec<KindIdx> = spec.via.iter().map(|v| kind(v)).collect::<Result<_, _>>()?;
    for id in [&spec.filter.contract, &spec.filter.customer]
        .into_iter()
        .flatten()
    {
        if project.get(id).is_none() {
            return Err(MatrixError::UnknownItem(id.clone()));
        }
    }
    if let Some(class) = &spec.filter.class {
        let field = profile.roles.requirement.class;
        check_enum_filter(profile, from, field, "--class", class)?;
    }

    let (direction, paths) = [Direction::Forward, Direction::Backward]
        .into_iter()
        .map(|d| (d, kind_paths(profile, from, to, &via, d)))
        .find(|(_, p)| !p.is_empty())
        .ok_or_else(|| MatrixError::NoPath(spec.from.clone(), spec.to.clone()))?;
    let columns = column_order(from, &paths);

    let findings = findings_by_item(checked);
    let thread = ThreadRules::of(profile, from, &paths, direction);
    // Rows in the natural order of their first item's id (`REQ-2` before
    // `REQ-10`), whatever files the items are in.
    let mut starts = project.by_kind[from as usize].clone();
    starts.sort_by(|a, b| natural_cmp(&project.item(*a).id, &project.item(*b).id).then(a.cmp(b)));
    let mut rows = Vec::new();
    for start in starts {
        let mut threads: BTreeSet<Vec<ItemIdx>> = BTreeSet::new();
        let mut broken: BTreeSet<Vec<ItemIdx>> = BTreeSet::new();
        for path in &paths {
            follow(
                project,
                checked,
                direction,
                path,
                vec![start],
                &mut threads,
                &mut broken,
            );
        }
        // A branch that stops short is shown as far as it goes, unless its
        // first step is on a complete thread already (the item is traced
        // onward another way) or a longer broken branch shows as much.
        let covered = |b: &Vec<ItemIdx>| {
            let first_step_traced = b.len() > 1 && threads.iter().any(|t| t.contains(&b[1]));
            let alone_but_traced = b.len() == 1 && !threads.is_empty();
            first_step_traced
                || alone_but_traced
                || broken.iter().any(|t| t.len() > b.len() && t.starts_with(b))
        };
        // Each thread's items placed in the columns of their kinds.
        let place = |thread: &[ItemIdx]| {
            let mut cells = vec![None; columns.len()];
            for &item in thread {
                let k = project.item(item).kind;
                let col = columns
                    .iter()
                    .position(|c| *c == k)
                    .expect("every kind on a path has a column");
                cells[col] = Some(item);
            }
            cells
        };
        for b in broken.iter().filter(|b| !covered(b)) {
            rows.push((place(b), false));
        }
        for t in &threads {
            rows.push((place(t), true));
        }
    }

    let n = Fields::of(profile);
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(cells, traced)| make_row(project, &n, &thread, &findings, cells, traced))
        .filter(|row| keep(project, &n, row, &spec.filter))
        .map(|(row, _)| row)
        .collect();

    let name = |k: KindIdx| profile.kind(k).name.clone();
    // The title and paths in the user's words: kind names in English (as
    // typed in --from and --to), kind labels in another language.
    let word = |k: KindIdx| match spec.lang {
        crate::lang::Lang::En => name(k),
        lang => profile
            .kind(k)
            .label
            .get(lang.code(), &profile.kind(k).name)
            .to_owned(),
    };
    let arrow = match direction {
        Direction::Forward => " → ",
        Direction::Backward => " ← ",
    };
    let mut path_texts: Vec<String> = paths
        .iter()
        .map(|p| {
            std::iter::once(word(from))
                .chain(p.iter().map(|s| word(s.kind)))
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    path_texts.sort();
    Ok(Matrix {
        title: format!(
            "{}{}{}",
            word(from),
            arrow.trim_matches(' ').replace('←', "→"),
            word(to)
        )
        .replace('→', " → "),
        from: name(from),
        to: name(to),
        direction,
        headings: columns
            .iter()
            .map(|k| {
                profile
                    .kind(*k)
                    .label
                    .get(spec.lang.code(), &profile.kind(*k).name)
                    .to_owned()
            })
            .collect(),
        columns: columns.iter().map(|k| name(*k)).collect(),
        rows,
        paths: path_texts,
    })
}

/// Every simple path of kinds from `from` to `to` in direction `dir`,
/// passing the `via` kinds in order.
fn kind_paths(
    profile: &Profile,
    from: KindIdx,
    to: KindIdx,
    via: &[KindIdx],
    dir: Direction,
) -> Vec<KindPath> {
    // Link fields between kinds: holder kind → (field, target kind).
    let mut edges: BTreeMap<KindIdx, BTreeMap<KindIdx, Vec<FieldIdx>>> = BTreeMap::new();
    for (k, kind) in profile.kinds.iter().enumerate() {
        for f in kind
            .fields
            .iter()
            .chain(&profile.common)
            .filter(|f| f.ty.is_link())
        {
            for &t in &f.to {
                let (a, b) = match dir {
                    // Forward walks from an upstream item to the items linking to it.
                    Direction::Forward => (t, k as KindIdx),
                    Direction::Backward => (k as KindIdx, t),
                };
                edges
                    .entry(a)
                    .or_default()
                    .entry(b)
                    .or_default()
                    .push(f.name);
            }
        }
    }
    let mut out = Vec::new();
    let mut stack = vec![(from, Vec::<Step>::new())];
    while let Some((at, path)) = stack.pop() {
        if at == to && !path.is_empty() {
            let kinds: Vec<KindIdx> = path.iter().map(|s| s.kind).collect();
            if is_subsequence(via, &kinds) {
                out.push(path);
            }
            continue;
        }
        if path.len() >= MAX_PATH {
            continue;
        }
        for (next, fields) in edges.get(&at).into_iter().flatten() {
            if *next == from || path.iter().any(|s| s.kind == *next) {
                continue;
            }
            let mut p = path.clone();
            let mut fields = fields.clone();
            fields.sort_unstable();
            fields.dedup();
            p.push(Step {
                kind: *next,
                fields,
            });
            stack.push((*next, p));
        }
    }
    out.sort();
    out
}

fn is_subsequence(needle: &[KindIdx], hay: &[KindIdx]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|n| it.any(|h| h == n))
}

/// Columns: `from`, then every kind on the paths, each after the kinds that
/// come before it on some path, ending with `to`.
fn column_order(from: KindIdx, paths: &[KindPath]) -> Vec<KindIdx> {
    let mut cols = vec![from];
    let mut longest: Vec<&KindPath> = paths.iter().collect();
    longest.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in longest {
        let mut after = 0;
        for step in path {
            match cols.iter().position(|c| *c == step.kind) {
                Some(p) => after = p,
                None => {
                    cols.insert(after + 1, step.kind);
                    after += 1;
                }
            }
        }
    }
    cols
}

/// Extends `thread` along `path`, collecting every complete thread.
fn follow(
    project: &Project,
    checked: &Checked,
    dir: Direction,
    path: &[Step],
    thread: Vec<ItemIdx>,
    out: &mut BTreeSet<Vec<ItemIdx>>,
    broken: &mut BTreeSet<Vec<ItemIdx>>,
) {
    let Some((step, rest)) = path.split_first() else {
        out.insert(thread);
        return;
    };
    let at = *thread.last().expect("a thread starts with an item");
    let mut next: Vec<ItemIdx> = match dir {
        Direction::Forward => checked
            .graph
            .downstream(at)
            .filter(|(f, i)| step.fields.contains(f) && project.item(*i).kind == step.kind)
            .map(|(_, i)| i)
            .collect(),
        Direction::Backward => project
            .item(at)
            .links
            .iter()
            .filter(|l| step.fields.contains(&l.field) && project.item(l.target).kind == step.kind)
            .map(|l| l.target)
            .collect(),
    };
    next.sort_unstable();
    next.dedup();
    next.retain(|n| !thread.contains(n));
    if next.is_empty() {
        broken.insert(thread);
        return;
    }
    for n in next {
        let mut t = thread.clone();
        t.push(n);
        follow(project, checked, dir, rest, t, out, broken);
    }
}

fn findings_by_item(checked: &Checked) -> BTreeMap<ItemIdx, Vec<usize>> {
    let mut m: BTreeMap<ItemIdx, Vec<usize>> = BTreeMap::new();
    for f in &checked.result.findings {
        m.entry(f.item).or_default().push(f.rule);
    }
    m
}

/// A link the matrix follows: the kind holding the link field, the field,
/// the kind it links to.
type Edge = (KindIdx, FieldIdx, KindIdx);

/// The rules that check the links a matrix follows, per kind of item they
/// check: those whose `require` follows one of the matrix's links (and
/// from there only such links). A rule that an item reaches the next kind
/// on the matrix's paths is one; a rule that goes on from there to kinds
/// off the paths, or that only reads the item's own fields, is not.
struct ThreadRules<'p> {
    profile: &'p Profile,
    /// (kind, rule index) for each thread rule and each of its kinds.
    rules: BTreeSet<(KindIdx, usize)>,
}

impl<'p> ThreadRules<'p> {
    fn of(profile: &'p Profile, from: KindIdx, paths: &[KindPath], dir: Direction) -> Self {
        let mut edges: BTreeSet<Edge> = BTreeSet::new();
        for path in paths {
            let mut prev = from;
            for step in path {
                for &f in &step.fields {
                    edges.insert(match dir {
                        Direction::Forward => (step.kind, f, prev),
                        Direction::Backward => (prev, f, step.kind),
                    });
                }
                prev = step.kind;
            }
        }
        let mut rules = BTreeSet::new();
        for (ri, rule) in profile.rules.iter().enumerate() {
            if rule.builtin.is_some() {
                continue;
            }
            for &k in &rule.kinds {
                if follows(&rule.require, k, &edges, false) {
                    rules.insert((k, ri));
                }
            }
        }
        ThreadRules { profile, rules }
    }

    fn is_thread_rule(&self, kind: KindIdx, rule: usize) -> bool {
        self.rules.contains(&(kind, rule))
    }

    /// What the thread rules of `kind` accept instead of the thread: the
    /// fields whose presence their `require` asks of the item itself.
    fn reason_fields(&self, kind: KindIdx) -> Vec<FieldIdx> {
        let mut out = Vec::new();
        for &(k, ri) in &self.rules {
            if k == kind {
                presence_fields(&self.profile.rules[ri].require, &mut out);
            }
        }
        out.dedup();
        out
    }
}

/// Whether `cond`, about an item of kind `subject`, follows a link in
/// `edges` (with `all`: follows no link outside them).
fn follows(cond: &Condition, subject: KindIdx, edges: &BTreeSet<Edge>, all: bool) -> bool {
    match cond {
        Condition::Field { .. } => all,
        Condition::Any(list) | Condition::All(list) if all => {
            list.iter().all(|c| follows(c, subject, edges, true))
        }
        Condition::Any(list) | Condition::All(list) => {
            list.iter().any(|c| follows(c, subject, edges, false))
        }
        Condition::Not(inner) => follows(inner, subject, edges, all),
        Condition::Link {
            dir,
            kinds,
            via,
            filter,
            ..
        } => kinds.iter().any(|&k| {
            let edge = match dir {
                crate::profile::Direction::To => (subject, *via, k),
                crate::profile::Direction::From => (k, *via, subject),
            };
            edges.contains(&edge) && filter.as_deref().is_none_or(|f| follows(f, k, edges, true))
        }),
    }
}

/// Fields `cond` asks to be present on the item itself (not on linked
/// items, not under `not`), in order.
fn presence_fields(cond: &Condition, out: &mut Vec<FieldIdx>) {
    match cond {
        Condition::Field {
            field,
            values: None,
        } if !out.contains(field) => out.push(*field),
        Condition::Any(list) | Condition::All(list) => {
            for c in list {
                presence_fields(c, out);
            }
        }
        _ => {}
    }
}

/// The fields rows read, from the profile's roles: the links that say
/// which contract and customer an item belongs to, the class, and the
/// result or verdict shown in a cell.
struct Fields {
    contract: Vec<FieldIdx>,
    customer: Vec<FieldIdx>,
    /// A contract's customer.
    contract_customer: Option<FieldIdx>,
    class: Option<FieldIdx>,
    /// Per kind with a result or a verdict: that field.
    status: Vec<(KindIdx, FieldIdx)>,
}

impl Fields {
    fn of(profile: &Profile) -> Fields {
        let r = &profile.roles;
        let set = |fields: &[Option<FieldIdx>]| {
            let mut v: Vec<FieldIdx> = fields.iter().flatten().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let status = [
            (r.verification.kind, r.verification.result),
            (r.validation.kind, r.validation.result),
            (r.decision.kind, r.decision.verdict),
        ];
        Fields {
            contract: set(&[
                r.requirement.contract,
                r.review.contract,
                r.delivery.contract,
                r.objective.contract,
            ]),
            customer: set(&[
                r.requirement.customer,
                r.contract.customer,
                r.feedback.customer,
                r.objective.customer,
            ]),
            contract_customer: r.contract.customer,
            class: r.requirement.class,
            status: status
                .into_iter()
                .filter_map(|(k, f)| Some((k?, f?)))
                .collect(),
        }
    }

    /// An item's result (a verification's, a validation's) or verdict (a
    /// decision's).
    fn status(&self, project: &Project, idx: ItemIdx) -> Option<String> {
        let kind = project.item(idx).kind;
        let (_, f) = self.status.iter().find(|(k, _)| *k == kind)?;
        string_field(project, idx, Some(*f))
    }
}

fn string_field(project: &Project, idx: ItemIdx, field: Option<FieldIdx>) -> Option<String> {
    match project.item(idx).field(field?)? {
        Value::String(s) => Some(s.clone()),
        v => Some(v.display()),
    }
}

type RowWithItems = (Row, Vec<ItemIdx>);

fn make_row(
    project: &Project,
    n: &Fields,
    thread: &ThreadRules,
    findings: &BTreeMap<ItemIdx, Vec<usize>>,
    cells: Vec<Option<ItemIdx>>,
    traced: bool,
) -> RowWithItems {
    let profile = thread.profile;
    let items: Vec<ItemIdx> = cells.iter().flatten().copied().collect();
    let mut rules: BTreeSet<String> = BTreeSet::new();
    let (mut untraced, mut unverified) = (false, false);
    for &i in &items {
        for &ri in findings.get(&i).into_iter().flatten() {
            let rule = &profile.rules[ri];
            rules.insert(rule.id.clone());
            if thread.is_thread_rule(project.kind_of(i), ri) {
                if rule.group == UNTRACED {
                    untraced = true;
                } else {
                    unverified = true;
                }
            }
        }
    }
    let status = if untraced {
        UNTRACED
    } else if unverified {
        UNVERIFIED
    } else if traced {
        TRACED
    } else {
        NOT_REQUIRED
    };
    // Where the thread stops, what the item gives instead of it.
    let note = match (status, items.last()) {
        (NOT_REQUIRED, Some(&last)) => {
            let reasons: Vec<String> = thread
                .reason_fields(project.kind_of(last))
                .into_iter()
                .filter_map(|f| string_field(project, last, Some(f)))
                .filter(|v| !v.is_empty())
                .collect();
            (!reasons.is_empty()).then(|| reasons.join("; "))
        }
        _ => None,
    };
    let cells = cells
        .into_iter()
        .map(|c| {
            c.map(|i| Cell {
                idx: i,
                id: project.item(i).id.clone(),
                title: project.item(i).display_title().to_owned(),
                status: n.status(project, i),
                broken: findings.contains_key(&i),
            })
        })
        .collect();
    (
        Row {
            cells,
            status,
            note,
            findings: rules.into_iter().collect(),
        },
        items,
    )
}

/// What a row is filed under, for the report's filters: the contracts
/// and customers its items link to (a customer also through a contract),
/// each once, and the first item's class. `--contract`, `--customer` and
/// `--class` keep the rows filed under what they name.
#[derive(Debug, Default)]
pub struct Facets {
    pub contracts: Vec<ItemIdx>,
    pub customers: Vec<ItemIdx>,
    pub class: Option<String>,
}

/// See [`Facets`].
pub fn facets(checked: &Checked, row: &Row) -> Facets {
    let project = &checked.loaded.project;
    let n = Fields::of(&checked.loaded.profile);
    let mut contracts = BTreeSet::new();
    let mut customers = BTreeSet::new();
    for c in row.cells.iter().flatten() {
        let it = project.item(c.idx);
        for &f in &n.contract {
            contracts.extend(it.links_in(f));
        }
        for &f in &n.customer {
            customers.extend(it.links_in(f));
        }
    }
    if let Some(f) = n.contract_customer {
        for &k in &contracts {
            customers.extend(project.item(k).links_in(f));
        }
    }
    Facets {
        contracts: contracts.into_iter().collect(),
        customers: customers.into_iter().collect(),
        class: row
            .cells
            .iter()
            .flatten()
            .next()
            .and_then(|c| string_field(project, c.idx, n.class)),
    }
}

/// Whether a row passes the filters: contract and customer match when an
/// item of the row is, or links to, that item (a requirement also through
/// its contract's customer); class when a row item has that class.
fn keep(project: &Project, n: &Fields, (row, items): &RowWithItems, filter: &Filter) -> bool {
    let linked_to = |target: &str, fields: &[FieldIdx]| {
        items.iter().any(|i| {
            let it = project.item(*i);
            it.id == target
                || fields.iter().any(|&f| {
                    it.links_in(f).any(|t| {
                        project.item(t).id == target
                            || (n.contract.contains(&f)
                                && n.contract_customer.is_some_and(|cf| {
                                    project
                                        .item(t)
                                        .links_in(cf)
                                        .any(|c| project.item(c).id == target)
                                }))
                    })
                })
        })
    };
    if let Some(c) = &filter.contract
        && !linked_to(c, &n.contract)
    {
        return false;
    }
    if let Some(c) = &filter.customer
        && !(linked_to(c, &n.customer) || linked_to(c, &n.contract))
    {
        return false;
    }
    if let Some(class) = &filter.class
        && !items
            .iter()
            .any(|i| string_field(project, *i, n.class).as_deref() == Some(class.as_str()))
    {
        return false;
    }
    match filter.only {
        Some(Only::Untraced) => row.status == UNTRACED,
        Some(Only::Unverified) => row.status == UNVERIFIED,
        None => true,
    }
}
