//! Contract review sign-off (ISO 9001 8.2.3) and change impact (8.2.4):
//! what each contract's review decided, whether its sign-off still holds,
//! what a sign-off or a stamp would record, and what a change reaches.
//!
//! Plain data from the loaded project and graph; [`crate::app`] prints it and
//! [`crate::edit`] writes what it records.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::edit::{Change, Date};
use crate::fingerprint;
use crate::graph::{Dir, TraceGraph};
use crate::model::{ItemIdx, Project, Value};
use crate::profile::Profile;
use crate::profile::roles::Roles;

/// One requirement of a contract and where its review stands.
#[derive(Debug, Serialize)]
pub struct RequirementStatus {
    pub id: String,
    pub title: String,
    /// The verdict of the latest decision on it, in any review.
    pub verdict: Option<String>,
    pub review: Option<String>,
    pub note: Option<String>,
    /// Whether the verdict leaves the requirement to be clarified.
    #[serde(skip)]
    pub clarify: bool,
    #[serde(skip)]
    pub idx: ItemIdx,
}

/// A review of the contract and whether its sign-off holds.
#[derive(Debug, Serialize)]
pub struct ReviewStatus {
    pub id: String,
    pub date: Option<String>,
    pub signed_by: Option<String>,
    pub signed_on: Option<String>,
    /// `unsigned`, `valid` or `broken`.
    pub signoff: &'static str,
    /// Requirements that changed since the sign-off (or no longer exist).
    pub changed: Vec<String>,
    /// The fingerprint the sign-off recorded for each requirement of
    /// `changed`, by id.
    #[serde(skip)]
    pub signed_as: Vec<(String, String)>,
    /// The fingerprint of the decisions the sign-off recorded, if any: it
    /// names the signing, as the review's file held it then.
    #[serde(skip)]
    pub signed_decisions: Option<String>,
}

/// A contract's review state.
#[derive(Debug, Serialize)]
pub struct ContractStatus {
    pub id: String,
    pub title: String,
    pub requirements: Vec<RequirementStatus>,
    pub reviews: Vec<ReviewStatus>,
    /// Requirements with no decision in a review of this contract.
    pub undecided: Vec<String>,
    /// Requirements whose latest decision is `clarify`.
    pub open_clarifications: Vec<String>,
}

impl ContractStatus {
    /// Whether the contract has a signed review and no sign-off is broken.
    pub fn signed_and_valid(&self) -> bool {
        self.reviews.iter().any(|r| r.signoff == "valid")
            && !self.reviews.iter().any(|r| r.signoff == "broken")
    }
}

fn text(project: &Project, idx: ItemIdx, field: Option<crate::model::FieldIdx>) -> Option<String> {
    project.item(idx).field(field?).map(Value::display)
}

/// The review state of every contract (or only `only`), in load order.
pub fn status(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    only: Option<ItemIdx>,
) -> Vec<ContractStatus> {
    let n = &profile.roles;
    let Some(contract_kind) = n.contract.kind else {
        return Vec::new();
    };
    project.by_kind[contract_kind as usize]
        .iter()
        .copied()
        .filter(|c| only.is_none_or(|o| o == *c))
        .map(|c| contract_status(project, profile, graph, n, c))
        .collect()
}

/// Items linking to `idx` through `field` whose kind is `kind`, sorted.
fn linking(
    project: &Project,
    graph: &TraceGraph,
    idx: ItemIdx,
    field: Option<crate::model::FieldIdx>,
    kind: Option<crate::model::KindIdx>,
) -> Vec<ItemIdx> {
    let (Some(field), Some(kind)) = (field, kind) else {
        return Vec::new();
    };
    let mut v: Vec<ItemIdx> = graph
        .downstream(idx)
        .filter(|(f, i)| *f == field && project.item(*i).kind == kind)
        .map(|(_, i)| i)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The decisions on `req`: the latest one in any review (what stands now,
/// as the rules read it), and whether a review of `contract` decided it.
fn decisions(
    project: &Project,
    graph: &TraceGraph,
    n: &Roles,
    req: ItemIdx,
    contract: ItemIdx,
) -> (Option<ItemIdx>, bool) {
    let all = linking(project, graph, req, n.decision.requirement, n.decision.kind);
    // A decision takes its review's contract.
    let of_contract = all.iter().any(|d| {
        let review = project.item(*d).parent.unwrap_or(*d);
        n.review
            .contract
            .is_some_and(|f| project.item(review).links_in(f).any(|t| t == contract))
    });
    (latest_of(project, n, all), of_contract)
}

/// The latest of some decisions: greatest date (a decision takes its
/// review's), then the one written last.
fn latest_of(project: &Project, n: &Roles, decisions: Vec<ItemIdx>) -> Option<ItemIdx> {
    decisions
        .into_iter()
        .max_by_key(|d| (text(project, *d, n.decision.date).unwrap_or_default(), *d))
}

/// The decision that stands on a requirement: the latest in any review, as
/// the rules read it.
pub fn latest_decision(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    req: ItemIdx,
) -> Option<ItemIdx> {
    let n = &profile.roles;
    let all = linking(project, graph, req, n.decision.requirement, n.decision.kind);
    latest_of(project, n, all)
}

fn contract_status(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    n: &Roles,
    c: ItemIdx,
) -> ContractStatus {
    let mut requirements = Vec::new();
    let mut undecided = Vec::new();
    let mut open_clarifications = Vec::new();
    for r in linking(
        project,
        graph,
        c,
        n.requirement.contract,
        n.requirement.kind,
    ) {
        let (decision, decided_here) = decisions(project, graph, n, r, c);
        let verdict = decision.and_then(|d| text(project, d, n.decision.verdict));
        let id = project.item(r).id.clone();
        let clarify = Roles::is(&n.decision.clarify, verdict.as_deref());
        if !decided_here {
            undecided.push(id.clone());
        } else if clarify {
            open_clarifications.push(id.clone());
        }
        requirements.push(RequirementStatus {
            id,
            title: project.item(r).display_title().to_owned(),
            verdict,
            review: decision.map(|d| project.reference(d).to_owned()),
            note: decision.and_then(|d| text(project, d, n.decision.note)),
            clarify,
            idx: r,
        });
    }
    let reviews = linking(project, graph, c, n.review.contract, n.review.kind)
        .into_iter()
        .map(|r| {
            let changed = changed_since_signoff(project, profile, n, r);
            let changed_ids: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
            let signed_as = match n
                .review
                .signed_fingerprints
                .and_then(|f| project.item(r).field(f))
            {
                Some(Value::Map(signed)) => signed
                    .iter()
                    .filter(|(id, _)| changed_ids.contains(*id))
                    .map(|(id, fp)| (id.to_owned(), fp.to_owned()))
                    .collect(),
                _ => Vec::new(),
            };
            let signed = [n.review.signed_fingerprints, n.review.signed_on]
                .iter()
                .flatten()
                .any(|f| project.item(r).field(*f).is_some());
            ReviewStatus {
                id: project.item(r).id.clone(),
                date: text(project, r, n.review.date),
                signed_by: text(project, r, n.review.signed_by),
                signed_on: text(project, r, n.review.signed_on),
                signoff: match (signed, changed.is_empty()) {
                    (false, _) => "unsigned",
                    (true, true) => "valid",
                    (true, false) => "broken",
                },
                changed,
                signed_as,
                signed_decisions: text(project, r, profile.roles.review.signed_decisions),
            }
        })
        .collect();
    ContractStatus {
        id: project.item(c).id.clone(),
        title: project.item(c).display_title().to_owned(),
        requirements,
        reviews,
        undecided,
        open_clarifications,
    }
}

/// Requirements a review signed whose fingerprint no longer matches.
fn changed_since_signoff(
    project: &Project,
    profile: &Profile,
    n: &Roles,
    review: ItemIdx,
) -> Vec<String> {
    let Some(Value::Map(signed)) = n
        .review
        .signed_fingerprints
        .and_then(|f| project.item(review).field(f))
    else {
        return Vec::new();
    };
    let mut changed: Vec<String> = signed
        .iter()
        .filter(|(id, fp)| {
            project
                .get(id)
                .is_none_or(|r| fingerprint::of(project, profile, r) != *fp)
        })
        .map(|(id, _)| id.to_owned())
        .collect();
    // A verdict changed after signing: the review itself changed.
    if let Some(Value::String(signed)) = n
        .review
        .signed_decisions
        .and_then(|f| project.item(review).field(f))
        && fingerprint::of_decisions(project, profile, review) != *signed
    {
        changed.push(project.item(review).id.clone());
    }
    changed
}

/// Why a review cannot be signed yet.
#[derive(Debug)]
pub enum SignRefusal {
    /// The id names no review.
    NotAReview(String),
    /// The review names no contract, so there is nothing to sign for.
    NoContract(String),
    /// The review decides no requirement, so a sign-off would approve nothing.
    NothingDecided(String),
    /// Requirements without a decision, and requirements awaiting clarification.
    Open {
        undecided: Vec<String>,
        clarify: Vec<String>,
    },
}

/// What signing `review` records in its table, or why it cannot be signed.
pub fn sign(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    review: &str,
    by: &str,
    date: Date,
) -> Result<(ItemIdx, Vec<Change>), SignRefusal> {
    let n = &profile.roles;
    let idx = project
        .get(review)
        .filter(|i| {
            Some(project.item(*i).kind) == n.review.kind && project.item(*i).parent.is_none()
        })
        .ok_or_else(|| SignRefusal::NotAReview(review.to_owned()))?;
    let contract = n
        .review
        .contract
        .and_then(|f| project.item(idx).links_in(f).next())
        .ok_or_else(|| SignRefusal::NoContract(review.to_owned()))?;
    let st = contract_status(project, profile, graph, n, contract);
    if !st.undecided.is_empty() || !st.open_clarifications.is_empty() {
        return Err(SignRefusal::Open {
            undecided: st.undecided,
            clarify: st.open_clarifications,
        });
    }
    // The requirements this review decided, each with its fingerprint now.
    let decided: BTreeSet<ItemIdx> = project
        .items
        .iter()
        .enumerate()
        .skip(idx.index() + 1)
        .take_while(|(_, it)| it.parent == Some(idx))
        .filter_map(|(_, it)| n.decision.requirement.and_then(|f| it.links_in(f).next()))
        .collect();
    if decided.is_empty() {
        return Err(SignRefusal::NothingDecided(review.to_owned()));
    }
    let mut entries: Vec<(String, String)> = decided
        .into_iter()
        .map(|r| {
            (
                project.item(r).id.clone(),
                fingerprint::of(project, profile, r),
            )
        })
        .collect();
    entries.sort();
    // What the review part maps; a field it leaves unmapped is not written.
    let name = |f: Option<crate::model::FieldIdx>| f.map(|f| profile.field_name(f).to_owned());
    let r = &n.review;
    let changes = [
        name(r.signed_by).map(|field| Change::SetString {
            field,
            text: by.to_owned(),
        }),
        name(r.signed_on).map(|field| Change::SetDate { field, date }),
        name(r.signed_decisions).map(|field| Change::SetString {
            field,
            text: fingerprint::of_decisions(project, profile, idx),
        }),
        name(r.signed_fingerprints).map(|field| Change::SetFingerprints { field, entries }),
    ];
    Ok((idx, changes.into_iter().flatten().collect()))
}

/// The stamp of one item: the fingerprint of every upstream item it links
/// to along the trace thread (its own links, not its parent table nor the
/// profile's context links such as a requirement's customer and contract;
/// see [`Profile::stamp_covers`]). `None` when it has no such link.
pub fn stamp(project: &Project, profile: &Profile, idx: ItemIdx) -> Option<Change> {
    stamp_with(
        &fingerprint::Cache::new(project, profile),
        project,
        profile,
        idx,
    )
}

/// [`stamp`], taking fingerprints from `cache`: stamping many items hashes
/// each upstream item once.
pub fn stamp_with(
    cache: &fingerprint::Cache<'_>,
    project: &Project,
    profile: &Profile,
    idx: ItemIdx,
) -> Option<Change> {
    let item = project.item(idx);
    let mut entries: Vec<(String, String)> = item
        .links
        .iter()
        .filter(|l| !l.inherited && profile.stamp_covers(item.kind, l.field))
        .map(|l| {
            (
                project.item(l.target).id.clone(),
                cache.get(l.target).to_owned(),
            )
        })
        .collect();
    entries.sort();
    entries.dedup();
    let field = profile.field_name(profile.roles.common.stamped?).to_owned();
    (!entries.is_empty()).then_some(Change::SetFingerprints { field, entries })
}

/// A node of the impact tree.
#[derive(Debug, Serialize)]
pub struct ImpactNode {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub children: Vec<ImpactNode>,
}

/// Everything downstream of `root` that must be re-examined if it changes,
/// as a tree. A decision counts as its review. An item reached twice is
/// expanded once, where it is first reached.
pub fn impact(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    root: ItemIdx,
) -> ImpactNode {
    let mut seen = BTreeSet::from([root]);
    impact_node(project, profile, graph, root, &mut seen)
}

fn impact_node(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    idx: ItemIdx,
    seen: &mut BTreeSet<ItemIdx>,
) -> ImpactNode {
    let item = project.item(idx);
    let mut next: Vec<ItemIdx> = graph
        .sorted(idx, Dir::Incoming)
        .into_iter()
        .map(|(_, i)| project.item(i).parent.unwrap_or(i))
        .filter(|i| *i != idx)
        .collect();
    next.dedup();
    // Breadth first: claim every child before expanding any, so an item
    // sits at its shallowest place in the tree.
    let fresh: Vec<ItemIdx> = next.into_iter().filter(|i| seen.insert(*i)).collect();
    let children = fresh
        .into_iter()
        .map(|c| impact_node(project, profile, graph, c, seen))
        .collect();
    ImpactNode {
        id: item.id.clone(),
        kind: profile.kind(item.kind).name.clone(),
        title: item.display_title().to_owned(),
        children,
    }
}
