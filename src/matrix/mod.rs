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
use crate::profile::Profile;

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
    /// Items with no thread to the target kind.
    Untraced,
    /// Threads whose items are not verified: a result other than `pass`
    /// on the way, or an unverified finding on one of its items.
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
    /// `traced` (the thread reaches the target kind), `untraced` (it
    /// does not), or `unverified` (it does, but not with passing evidence).
    pub status: &'static str,
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
    field: &str,
    option: &'static str,
    value: &str,
) -> Result<(), MatrixError> {
    let Some(idx) = profile.field_index(field) else {
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
        check_enum_filter(profile, from, "class", "--class", class)?;
    }

    let (direction, paths) = [Direction::Forward, Direction::Backward]
        .into_iter()
        .map(|d| (d, kind_paths(profile, from, to, &via, d)))
        .find(|(_, p)| !p.is_empty())
        .ok_or_else(|| MatrixError::NoPath(spec.from.clone(), spec.to.clone()))?;
    let columns = column_order(from, &paths);

    let findings = findings_by_item(checked);
    let mut rows = Vec::new();
    for &start in &project.by_kind[from as usize] {
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

    let n = Names::of(profile);
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(cells, traced)| make_row(project, profile, &n, &findings, cells, traced))
        .filter(|row| keep(project, profile, &n, row, &spec.filter))
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

fn findings_by_item(checked: &Checked) -> BTreeMap<ItemIdx, Vec<(String, String)>> {
    let mut m: BTreeMap<ItemIdx, Vec<(String, String)>> = BTreeMap::new();
    for f in &checked.result.findings {
        let rule = &checked.loaded.profile.rules[f.rule];
        m.entry(f.item)
            .or_default()
            .push((rule.id.clone(), rule.group.clone()));
    }
    m
}

struct Names {
    contract: Option<FieldIdx>,
    customer: Option<FieldIdx>,
    class: Option<FieldIdx>,
    result: Option<FieldIdx>,
    verdict: Option<FieldIdx>,
}

impl Names {
    fn of(profile: &Profile) -> Names {
        Names {
            contract: profile.field_index("contract"),
            customer: profile.field_index("customer"),
            class: profile.field_index("class"),
            result: profile.field_index("result"),
            verdict: profile.field_index("verdict"),
        }
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
    _profile: &Profile,
    n: &Names,
    findings: &BTreeMap<ItemIdx, Vec<(String, String)>>,
    cells: Vec<Option<ItemIdx>>,
    traced: bool,
) -> RowWithItems {
    let items: Vec<ItemIdx> = cells.iter().flatten().copied().collect();
    let mut rules: BTreeSet<String> = BTreeSet::new();
    let mut unverified = false;
    for i in &items {
        for (rule, group) in findings.get(i).into_iter().flatten() {
            rules.insert(rule.clone());
            unverified |= group == "unverified";
        }
        if let Some(r) = string_field(project, *i, n.result) {
            unverified |= r != "pass";
        }
    }
    let status = match (traced, unverified) {
        (false, _) => "untraced",
        (true, true) => "unverified",
        (true, false) => "traced",
    };
    let cells = cells
        .into_iter()
        .map(|c| {
            c.map(|i| Cell {
                id: project.item(i).id.clone(),
                title: project.item(i).display_title().to_owned(),
                status: string_field(project, i, n.result)
                    .or_else(|| string_field(project, i, n.verdict)),
                broken: findings.contains_key(&i),
            })
        })
        .collect();
    (
        Row {
            cells,
            status,
            findings: rules.into_iter().collect(),
        },
        items,
    )
}

/// Whether a row passes the filters: contract and customer match when an
/// item of the row is, or links to, that item (a requirement also through
/// its contract's customer); class when a row item has that class.
fn keep(
    project: &Project,
    _profile: &Profile,
    n: &Names,
    (row, items): &RowWithItems,
    filter: &Filter,
) -> bool {
    let linked_to = |target: &str, field: Option<FieldIdx>| {
        items.iter().any(|i| {
            let it = project.item(*i);
            it.id == target
                || field.is_some_and(|f| {
                    it.links_in(f).any(|t| {
                        project.item(t).id == target
                            || (Some(f) == n.contract
                                && n.customer.is_some_and(|cf| {
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
        && !linked_to(c, n.contract)
    {
        return false;
    }
    if let Some(c) = &filter.customer
        && !(linked_to(c, n.customer) || linked_to(c, n.contract))
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
        Some(Only::Untraced) => row.status == "untraced",
        Some(Only::Unverified) => row.status == "unverified",
        None => true,
    }
}
