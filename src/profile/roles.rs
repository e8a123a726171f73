//! Roles: which kind, field and rule of the profile plays each part the
//! engine knows about — the contract review and its decisions and verdicts,
//! the delivery and its dates, the complaint, the verification result, the
//! quality objective and its measurements, and the rules whose findings the
//! report and `review status` read.
//!
//! The profile declares them in `[roles]` (see `profiles/iso9001.toml` and
//! docs/format.md); a project's needtrail.toml may map a part onto kinds of
//! its own. They are resolved here, once, into indices: no other module
//! names a kind, field or rule of a profile. A part whose kind is absent
//! (the `none` profile, or a project that maps nothing onto it) resolves to
//! `None`, and what reads it does without it.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Location, suggest};
use crate::model::{FieldIdx, KindIdx, SourceFile};
use crate::profile::{FieldType, Profile};

/// `[roles]` as written: part → key → a name, or a list of enum values.
pub type RolesSpec = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<RoleValue>>>;

/// One entry of a part: a kind, field or rule name, or enum values.
#[derive(Clone, Debug)]
pub enum RoleValue {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for RoleValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RoleValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a name in quotes, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RoleValue, E> {
                Ok(RoleValue::One(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RoleValue, A::Error> {
                let mut names = Vec::new();
                while let Some(n) = seq.next_element::<String>()? {
                    names.push(n);
                }
                Ok(RoleValue::Many(names))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl RoleValue {
    fn names(&self) -> Vec<&str> {
        match self {
            RoleValue::One(s) => vec![s.as_str()],
            RoleValue::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// What an entry of a part names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// The part's kind (the key `kind`).
    Kind,
    /// A field of the part's kind (of every kind, in the part `common`).
    Field,
    /// Values of the enum field given by another key of the same part.
    Values(&'static str),
    /// A rule id.
    Rule,
}

struct Part {
    name: &'static str,
    keys: &'static [(&'static str, Slot)],
}

macro_rules! slot_ty {
    (kind) => { Option<KindIdx> };
    (field) => { Option<FieldIdx> };
    (values) => { Vec<String> };
    (rule) => { Option<usize> };
}

macro_rules! slot_of {
    (kind) => {
        Slot::Kind
    };
    (field) => {
        Slot::Field
    };
    (values $of:ident) => {
        Slot::Values(stringify!($of))
    };
    (rule) => {
        Slot::Rule
    };
}

macro_rules! slot_get {
    (kind, $r:expr, $p:expr, $k:expr) => {
        $r.kind($p)
    };
    (field, $r:expr, $p:expr, $k:expr) => {
        $r.field($p, $k)
    };
    (values, $r:expr, $p:expr, $k:expr) => {
        $r.values($p, $k)
    };
    (rule, $r:expr, $p:expr, $k:expr) => {
        $r.rule($k)
    };
}

macro_rules! parts {
    ($( $(#[$pm:meta])* $part:ident : $Ty:ident {
        $( $(#[$km:meta])* $key:ident : $slot:ident $(($of:ident))? ),* $(,)?
    } )*) => {
        $(
            $(#[$pm])*
            #[derive(Clone, Debug, Default)]
            pub struct $Ty { $( $(#[$km])* pub $key: slot_ty!($slot), )* }
        )*

        /// Every part, resolved.
        #[derive(Clone, Debug, Default)]
        pub struct Roles { $( $(#[$pm])* pub $part: $Ty, )* }

        const PARTS: &[Part] = &[ $( Part {
            name: stringify!($part),
            keys: &[ $( (stringify!($key), slot_of!($slot $($of)?)) ),* ],
        } ),* ];

        impl Roles {
            fn from_resolved(r: &Resolved) -> Roles {
                Roles { $( $part: $Ty { $(
                    $key: slot_get!($slot, r, stringify!($part), stringify!($key)),
                )* }, )* }
            }
        }
    };
}

parts! {
    /// The customer.
    customer: Customer { kind: kind }
    /// A criterion of the customer's supplier scorecard.
    criterion: Criterion {
        kind: kind, name: field, weight: field, metric: field, target: field,
    }
    /// The contract (tender, order, amendment).
    contract: Contract { kind: kind, customer: field, number: field, stage: field }
    /// The customer requirement the thread follows.
    requirement: Requirement {
        kind: kind, class: field, contract: field, customer: field, source: field,
        regulation: field, design: field,
        /// The class an imported requirement takes when the source gives none.
        default_class: values(class),
    }
    /// The contract review, which `review sign` signs.
    review: Review {
        kind: kind, contract: field, date: field, reviewers: field,
        signed_by: field, signed_on: field, signed_fingerprints: field,
        signed_decisions: field,
    }
    /// A review's decision on one requirement.
    decision: Decision {
        kind: kind, requirement: field, verdict: field, note: field, date: field,
        /// Verdicts that accept the requirement (with or without a deviation).
        accept: values(verdict),
        /// Verdicts that leave the requirement to be clarified.
        clarify: values(verdict),
        /// Verdicts that decline it.
        reject: values(verdict),
    }
    /// A design input, traced to requirements.
    design_input: DesignInput { kind: kind, traces: field, derived: field }
    /// A design output, satisfying design inputs.
    design_output: DesignOutput { kind: kind, satisfies: field }
    /// A verification of design inputs or outputs.
    verification: Verification {
        kind: kind, verifies: field, result: field, date: field, method: field,
        evidence: field,
        pass: values(result), fail: values(result), pending: values(result),
        /// The method of a verification imported from test results.
        test: values(method),
    }
    /// A validation of requirements.
    validation: Validation { kind: kind, validates: field, result: field, pass: values(result) }
    /// A delivery and its dates.
    delivery: Delivery {
        kind: kind, delivers: field, contract: field, planned: field, actual: field,
    }
    /// The customer's feedback, complaints among it.
    feedback: Feedback {
        kind: kind, type_: field, about: field, customer: field, date: field,
        status: field, action: field, resolved_by: field, score: field,
        /// The day the customer had an answer to a complaint.
        responded: field,
        /// The types that make feedback a complaint.
        complaint: values(type_),
        /// The types whose score counts towards customer satisfaction.
        survey: values(type_),
        /// The statuses that close a complaint.
        closed: values(status),
    }
    /// The customer's own evaluation of the organisation as a supplier.
    evaluation: Evaluation { kind: kind, period: field, score: field, rank: field, of: field }
    /// A change to requirements.
    change: Change { kind: kind, changes: field, date: field }
    /// A quality objective.
    objective: Objective {
        kind: kind, metric: field, target: field, period: field, traces: field,
        customer: field, contract: field,
    }
    /// A value of an objective measured outside needtrail.
    measurement: Measurement { kind: kind, period: field, value: field }
    /// Fields of every kind.
    common: Common {
        text: field, owner: field, stamped: field, reqif_id: field, section: field,
        attributes: field,
    }
    /// Rules whose findings the report and `review status` read.
    rules: RuleRoles {
        /// A requirement with no decision in its contract's review.
        reviewed: rule,
        /// A requirement whose latest decision awaits clarification.
        clarify_open: rule,
        /// An accepted requirement that reaches no design input.
        design_input: rule,
        /// A design input with no passing verification.
        verified: rule,
        /// An accepted requirement neither validated nor delivered.
        delivered: rule,
        /// An item resting on upstream items changed since it was stamped.
        suspect: rule,
        /// A signed review whose decided requirements changed.
        signoff: rule,
    }
}

/// The key as written in a profile: `type_` is written `type`.
fn written(key: &str) -> &str {
    key.strip_suffix('_').unwrap_or(key)
}

impl Roles {
    /// Whether `value` is one of `values` (a role's enum values).
    pub fn is(values: &[String], value: Option<&str>) -> bool {
        value.is_some_and(|v| values.iter().any(|x| x == v))
    }
}

/// The entries of every part after merging the files, each with the file
/// and span it came from.
type Merged<'a> = BTreeMap<&'static str, BTreeMap<&'static str, Entry<'a>>>;

struct Entry<'a> {
    value: &'a Spanned<RoleValue>,
    src: Option<&'a SourceFile>,
}

/// Names resolved to indices, keyed by part and key.
#[derive(Default)]
struct Resolved {
    kinds: HashMap<&'static str, KindIdx>,
    fields: HashMap<(&'static str, &'static str), FieldIdx>,
    values: HashMap<(&'static str, &'static str), Vec<String>>,
    rules: HashMap<&'static str, usize>,
}

impl Resolved {
    fn kind(&self, part: &str) -> Option<KindIdx> {
        self.kinds.get(part).copied()
    }
    fn field(&self, part: &'static str, key: &'static str) -> Option<FieldIdx> {
        self.fields.get(&(part, key)).copied()
    }
    fn values(&self, part: &'static str, key: &'static str) -> Vec<String> {
        self.values.get(&(part, key)).cloned().unwrap_or_default()
    }
    fn rule(&self, key: &'static str) -> Option<usize> {
        self.rules.get(key).copied()
    }
}

fn loc(src: Option<&SourceFile>, bytes: std::ops::Range<usize>) -> Location {
    match src {
        Some(s) => Location::in_source(s, bytes),
        None => Location::whole_file("needtrail.toml"),
    }
}

fn error(
    src: Option<&SourceFile>,
    span: std::ops::Range<usize>,
    msg: String,
    help: String,
) -> Diagnostic {
    Diagnostic::new("config", msg, loc(src, span)).with_help(help)
}

fn did_you_mean<'a>(
    typed: &str,
    names: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    match suggest(typed, names.clone()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let all: Vec<&str> = names.into_iter().collect();
            format!("{what} are: {}", all.join(", "))
        }
    }
}

/// Resolves the `[roles]` of the built-in profile and the project's file,
/// in that order. A part of the project that names its `kind` replaces the
/// profile's part; one that does not changes only the keys it gives.
/// `declared` are the ids of every rule declared, on or off; a role naming
/// a rule turned off resolves to `None`.
pub fn resolve(
    profile: &Profile,
    files: &[(&RolesSpec, Option<&SourceFile>)],
    declared: &[&str],
) -> (Roles, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut merged: Merged = BTreeMap::new();
    for (spec, src) in files {
        for (part_name, entries) in spec.iter() {
            let Some(part) = PARTS.iter().find(|p| p.name == part_name.get_ref()) else {
                diags.push(error(
                    *src,
                    part_name.span(),
                    format!("unknown role `{}` in `[roles]`", part_name.get_ref()),
                    did_you_mean(part_name.get_ref(), PARTS.iter().map(|p| p.name), "roles"),
                ));
                continue;
            };
            let into = merged.entry(part.name).or_default();
            if entries.keys().any(|k| k.get_ref() == "kind") {
                into.clear();
            }
            for (key, value) in entries {
                match part.keys.iter().find(|(k, _)| written(k) == key.get_ref()) {
                    Some((k, _)) => {
                        into.insert(k, Entry { value, src: *src });
                    }
                    None => diags.push(error(
                        *src,
                        key.span(),
                        format!("unknown key `{}` in `[roles.{}]`", key.get_ref(), part.name),
                        did_you_mean(
                            key.get_ref(),
                            part.keys.iter().map(|(k, _)| written(k)),
                            "its keys",
                        ),
                    )),
                }
            }
        }
    }
    let mut r = Resolved::default();
    for part in PARTS {
        let Some(entries) = merged.get(part.name) else {
            continue;
        };
        let kind = match entries.get("kind") {
            Some(e) => match one(e, "a kind name", &mut diags) {
                Some(name) => match profile.kind_index(name) {
                    Some(k) => Some(k),
                    None => {
                        let names = profile.kinds.iter().map(|k| k.name.as_str());
                        diags.push(error(
                            e.src,
                            e.value.span(),
                            format!("`[roles.{}] kind` names unknown kind `{name}`", part.name),
                            did_you_mean(name, names, "kinds"),
                        ));
                        None
                    }
                },
                None => None,
            },
            None => None,
        };
        if let Some(k) = kind {
            r.kinds.insert(part.name, k);
        } else if !entries.contains_key("kind")
            && !matches!(part.name, "common" | "rules")
            && let Some(e) = entries.values().next()
        {
            diags.push(error(
                e.src,
                e.value.span(),
                format!("`[roles.{}]` names fields but no kind", part.name),
                format!(
                    "add `kind = \"...\"` to `[roles.{}]`: the kind whose fields these are",
                    part.name
                ),
            ));
        }
        for (key, slot) in part.keys {
            let Some(e) = entries.get(key) else { continue };
            match slot {
                Slot::Kind => {}
                Slot::Field => {
                    let Some(name) = one(e, "a field name", &mut diags) else {
                        continue;
                    };
                    if let Some(f) = field_of(profile, part.name, kind, name, e, &mut diags) {
                        r.fields.insert((part.name, key), f);
                    }
                }
                Slot::Rule => {
                    let Some(id) = one(e, "a rule id", &mut diags) else {
                        continue;
                    };
                    if let Some(i) = profile.rules.iter().position(|x| x.id == id) {
                        r.rules.insert(key, i);
                    } else if !declared.contains(&id) {
                        diags.push(error(
                            e.src,
                            e.value.span(),
                            format!("`[roles.{}] {key}` names unknown rule `{id}`", part.name),
                            did_you_mean(id, declared.iter().copied(), "rules"),
                        ));
                    }
                }
                Slot::Values(of) => {
                    let values: Vec<String> = e
                        .value
                        .get_ref()
                        .names()
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    let Some(f) = r.field(part.name, of) else {
                        continue;
                    };
                    let Some(def) = kind.and_then(|k| profile.field_def(k, f)) else {
                        continue;
                    };
                    // Values of a free-text field (a status) are not checked.
                    for v in &values {
                        if def.ty == FieldType::Enum && !def.values.contains(v) {
                            diags.push(error(
                                e.src,
                                e.value.span(),
                                format!(
                                    "`[roles.{}] {}` names `{v}`, which is not a value of `{}`",
                                    part.name,
                                    written(key),
                                    profile.field_name(f)
                                ),
                                match profile.suggest_value(v, &def.values) {
                                    Some(close) => format!("did you mean {close}?"),
                                    None => format!("its values are: {}", def.values.join(", ")),
                                },
                            ));
                        }
                    }
                    r.values.insert((part.name, key), values);
                }
            }
        }
    }
    (Roles::from_resolved(&r), diags)
}

/// The single name an entry gives, or an error saying one is expected.
fn one<'a>(e: &Entry<'a>, what: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a str> {
    match e.value.get_ref() {
        RoleValue::One(s) => Some(s.as_str()),
        RoleValue::Many(_) => {
            diags.push(error(
                e.src,
                e.value.span(),
                format!("expected {what} here, found a list"),
                "give one name as a string".into(),
            ));
            None
        }
    }
}

/// The field a part's entry names: a field of the part's kind (of every
/// kind, in `common`).
fn field_of(
    profile: &Profile,
    part: &str,
    kind: Option<KindIdx>,
    name: &str,
    e: &Entry<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<FieldIdx> {
    let (known, candidates): (Option<FieldIdx>, Vec<&str>) = if part == "common" {
        let f = profile
            .field_index(name)
            .filter(|f| profile.common.iter().any(|d| d.name == *f));
        (
            f,
            profile
                .common
                .iter()
                .map(|d| profile.field_name(d.name))
                .collect(),
        )
    } else {
        // A part without a kind leaves its fields unresolved; its `kind`
        // entry (or its absence) is what is wrong.
        let k = kind?;
        let f = profile
            .field_index(name)
            .filter(|f| profile.field_def(k, *f).is_some());
        (f, profile.field_names_of(k))
    };
    if known.is_none() {
        let of = match kind {
            Some(k) if part != "common" => format!("kind `{}`", profile.kind(k).name),
            _ => "every kind (`[common]`)".to_owned(),
        };
        diags.push(error(
            e.src,
            e.value.span(),
            format!("`[roles.{part}]` names `{name}`, which is not a field of {of}"),
            did_you_mean(name, candidates.iter().copied(), "its fields"),
        ));
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_profile_plays_every_part() {
        let (profile, _) = crate::profile::build(None).expect("built-in profile");
        let shown = format!("{:?}", profile.roles);
        assert!(!shown.contains("None"), "{shown}");
        assert!(!shown.contains("[]"), "{shown}");
    }

    fn build(config: &str) -> Profile {
        let config = SourceFile::new("needtrail.toml".into(), config.into());
        let file = crate::profile::parse_file(&config).unwrap();
        crate::profile::build(Some((&config, file))).unwrap().0
    }

    #[test]
    fn a_part_naming_its_kind_replaces_the_profiles_and_one_without_changes_its_keys() {
        let base = build("");
        let replaced = build("[roles.review]\nkind = \"review\"\ndate = \"date\"\n");
        assert_eq!(replaced.roles.review.kind, base.roles.review.kind);
        assert_eq!(replaced.roles.review.date, base.roles.review.date);
        assert!(replaced.roles.review.signed_by.is_none());
        assert!(replaced.roles.review.contract.is_none());
        // Other parts keep the profile's.
        assert_eq!(replaced.roles.decision.verdict, base.roles.decision.verdict);

        let changed = build("[roles.review]\nsigned_by = \"owner\"\n");
        assert_eq!(changed.roles.review.signed_by, changed.field_index("owner"));
        assert_eq!(changed.roles.review.signed_on, base.roles.review.signed_on);
    }

    #[test]
    fn a_role_naming_a_rule_turned_off_plays_no_part() {
        let p = build("[rules]\nsuspect-link = \"off\"\n");
        assert!(p.roles.rules.suspect.is_none());
        let i = p.roles.rules.signoff.unwrap();
        assert_eq!(p.rules[i].builtin, Some(crate::profile::Builtin::Signoff));
    }

    #[test]
    fn the_none_profile_plays_no_part() {
        let config = SourceFile::new(
            "needtrail.toml".into(),
            "[project]\nprofile = \"none\"\n".into(),
        );
        let file = crate::profile::parse_file(&config).unwrap();
        let (profile, _) = crate::profile::build(Some((&config, file))).unwrap();
        assert!(profile.roles.review.kind.is_none());
        assert!(profile.roles.review.signed_by.is_none());
        assert!(profile.roles.rules.signoff.is_none());
    }
}
