//! The profile: kinds, their fields, which fields link to which kinds, and
//! the trace rules, all as data.
//!
//! The built-in `iso9001` profile is `profiles/iso9001.toml`, embedded in the
//! binary. A project's `needtrail.toml` has the same shape and is merged on
//! top: it can add kinds, add fields to a kind, add rules, and change the
//! severity of a rule or turn it off. The result is compiled into a
//! [`Profile`] whose names are resolved to indices, so that loading and rule
//! evaluation never compare strings.

mod names;
pub mod roles;

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Location, suggest};
use crate::model::{FieldIdx, KindIdx, SourceFile, Value};

/// The text of the built-in profile.
pub const ISO9001: &str = include_str!("../../profiles/iso9001.toml");

/// Names of the built-in profiles.
pub const BUILTIN: &[&str] = &["iso9001", "none"];

/// Severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A label in the report's languages.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Label {
    #[default]
    None,
    Plain(String),
    Translated {
        en: String,
        #[serde(default)]
        zh: Option<String>,
    },
}

impl Label {
    /// The label in `lang` ("en" or "zh"), falling back to English, then to `fallback`.
    pub fn get<'a>(&'a self, lang: &str, fallback: &'a str) -> &'a str {
        match self {
            Label::None => fallback,
            Label::Plain(s) => s,
            Label::Translated { en, zh } => match (lang, zh) {
                ("zh", Some(zh)) => zh,
                _ => en,
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The file shape (built-in profile and needtrail.toml)

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    #[serde(default)]
    pub profile: Option<ProfileMeta>,
    #[serde(default)]
    pub project: Option<ProjectMeta>,
    #[serde(default)]
    pub common: IndexMap<String, FieldSpec>,
    #[serde(default)]
    pub kinds: IndexMap<String, KindSpec>,
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Spanned<RuleOverride>>,
    /// Settings the objectives and complaint rules read.
    #[serde(default)]
    pub settings: Option<SettingsSpec>,
    /// Which fields make up an item's fingerprint (besides its kind and links).
    #[serde(default)]
    pub fingerprint: Option<FingerprintSpec>,
    /// The traceability matrix the report shows and the audit package files.
    #[serde(default)]
    pub matrix: Option<MatrixDefault>,
    #[serde(default)]
    pub field_labels: IndexMap<String, Label>,
    #[serde(default)]
    pub value_labels: IndexMap<String, Label>,
    /// Word lists the `wording` and `has-quantity` checks read, `[words.NAME]`.
    #[serde(default)]
    pub words: IndexMap<String, WordsSpec>,
    /// Which kind, field and rule plays each part the engine knows
    /// (see [`roles`]).
    #[serde(default)]
    pub roles: crate::profile::roles::RolesSpec,
    /// Import mappings, `[import.NAME]`: read and checked by
    /// [`crate::import`] when an import names them, not by the profile.
    #[serde(default)]
    pub import: Option<toml::Table>,
}

/// A word list as written: `[words.vague] words = [...] except = [...]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordsSpec {
    #[serde(default)]
    pub words: Vec<Spanned<String>>,
    /// Longer words that contain a listed word and are fine (`等级` for `等`).
    #[serde(default)]
    pub except: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSpec {
    /// Days a complaint may stay open without an action.
    #[serde(default)]
    pub complaint_max_age_days: Option<u32>,
    /// The date ages are counted to; without it, the latest date in the records.
    #[serde(default)]
    pub as_of: Option<toml::value::Datetime>,
}

/// `[matrix]`: the kinds the report's matrix and the audit package's
/// matrices run between (`needtrail matrix` takes any two with `--from`
/// and `--to`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixDefault {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintSpec {
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    /// Link fields that give an item its context (a requirement's customer
    /// and contract), not what it was derived from: stamps skip them, so a
    /// change there makes nothing suspect.
    #[serde(default)]
    pub context: Option<Vec<Spanned<String>>>,
    /// Fields written with a sign-off besides its fingerprints: `diff`
    /// tells a change only in these (and in fingerprints fields) from a
    /// change of content.
    #[serde(default)]
    pub signoff: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileMeta {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectMeta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// The language of the interface: `en` or `zh`.
    #[serde(default)]
    pub lang: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    #[serde(default)]
    pub label: Label,
    #[serde(default)]
    pub within: Option<Spanned<String>>,
    #[serde(default)]
    pub inherit: Vec<Spanned<String>>,
    #[serde(default)]
    pub fields: IndexMap<String, FieldSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub to: Vec<Spanned<String>>,
    #[serde(default)]
    pub label: Label,
}

/// The type of a field, as written in `type = "..."`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Strings,
    Date,
    Bool,
    Integer,
    Number,
    Enum,
    /// One id of an upstream item.
    Link,
    /// A list of ids of upstream items.
    Links,
    /// A table of item ids to fingerprints, written by needtrail itself
    /// (`review sign`, `stamp`).
    Fingerprints,
    /// A table of names to values (strings, numbers, booleans, dates, lists
    /// of strings): what an imported record held that no field takes, as
    /// `attributes.Priority = "High"`.
    Attributes,
}

impl FieldType {
    pub fn is_link(self) -> bool {
        matches!(self, FieldType::Link | FieldType::Links)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    /// One kind, a list of kinds, or "*" for every kind.
    pub kind: Spanned<OneOrMany>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub when: Option<CondSpec>,
    #[serde(default)]
    pub require: Option<CondSpec>,
    /// A check built into needtrail instead of `require`: `signoff`,
    /// `suspect-links` or `change-after-signoff`.
    #[serde(default)]
    pub builtin: Option<Spanned<String>>,
    /// For the `wording` and `has-quantity` checks: the word list (`[words.NAME]`).
    #[serde(default)]
    pub words: Option<Spanned<String>>,
    /// For the `wording` and `has-quantity` checks: the text fields they read.
    #[serde(default)]
    pub fields: Vec<Spanned<String>>,
    pub message: Label,
    #[serde(default)]
    pub label: Label,
    #[serde(default)]
    pub explain: Vec<ExplainSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainSpec {
    pub when: CondSpec,
    pub message: Label,
}

/// A condition as written. Exactly one of its keys is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondSpec {
    #[serde(default)]
    pub field: Option<Spanned<String>>,
    #[serde(default, rename = "in")]
    pub values: Option<Vec<toml::Value>>,
    #[serde(default)]
    pub from: Option<Box<LinkSpec>>,
    #[serde(default)]
    pub to: Option<Box<LinkSpec>>,
    #[serde(default)]
    pub any: Option<Vec<CondSpec>>,
    #[serde(default)]
    pub all: Option<Vec<CondSpec>>,
    #[serde(default)]
    pub not: Option<Box<CondSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub kind: Spanned<OneOrMany>,
    pub via: Spanned<String>,
    #[serde(default, rename = "where")]
    pub where_: Option<CondSpec>,
    #[serde(default)]
    pub latest: Option<Spanned<String>>,
    #[serde(default)]
    pub same: Vec<Spanned<String>>,
    /// With `from`: only linked items whose stamp (`needtrail stamp`) holds
    /// the subject's current fingerprint, i.e. that saw it as it is now.
    #[serde(default)]
    pub current: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, each with the span of the whole `kind` value.
    fn names(spanned: &Spanned<OneOrMany>) -> Vec<Spanned<String>> {
        let span = spanned.span();
        let names = match spanned.get_ref() {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        };
        names
            .into_iter()
            .map(|n| Spanned::new(span.clone(), n))
            .collect()
    }
}

/// A rule's severity as changed in `[rules]`: a severity, or `"off"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleOverride {
    Error,
    Warning,
    Info,
    Off,
}

// ---------------------------------------------------------------------------
// The compiled profile

/// A field of a kind, with its link targets resolved.
#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: FieldIdx,
    pub ty: FieldType,
    pub values: Vec<String>,
    pub to: Vec<KindIdx>,
    pub label: Label,
}

#[derive(Clone, Debug)]
pub struct Kind {
    pub name: String,
    pub label: Label,
    /// For sub-tables such as `[[review.decision]]`: the kind that holds them.
    pub within: Option<KindIdx>,
    /// Kinds written as sub-tables of this one.
    pub sub_kinds: Vec<KindIdx>,
    /// Fields a sub-item takes from its parent when it does not set them.
    pub inherit: Vec<FieldIdx>,
    /// Own fields, in declaration order (common fields are separate).
    pub fields: Vec<FieldDef>,
}

/// Which way a link condition looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Links written on the subject item, to upstream items.
    To,
    /// Links written on other items, pointing at the subject.
    From,
}

/// A compiled condition on an item.
#[derive(Clone, Debug)]
pub enum Condition {
    /// The field is present (and, with `values`, has one of them).
    Field {
        field: FieldIdx,
        values: Option<Vec<Value>>,
    },
    /// At least one linked item of one of `kinds`, through `via`, for which
    /// `filter` holds. With `latest`, only the linked item with the greatest
    /// value of that field counts. With `same`, only linked items whose value
    /// of each of those fields equals the subject's.
    Link {
        dir: Direction,
        kinds: Vec<KindIdx>,
        via: FieldIdx,
        filter: Option<Box<Condition>>,
        latest: Option<FieldIdx>,
        same: Vec<FieldIdx>,
        /// Only linked items stamped with the subject's current fingerprint.
        current: bool,
    },
    Any(Vec<Condition>),
    All(Vec<Condition>),
    Not(Box<Condition>),
}

/// Checks that compare fingerprints, which the condition language cannot say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// A signed review whose decided requirements changed since it was signed.
    Signoff,
    /// An item whose upstream items changed since it was stamped.
    SuspectLinks,
    /// A change dated after the last sign-off of its contract.
    ChangeAfterSignoff,
    /// A quality objective whose measured actual misses its target.
    Objective,
    /// A complaint open without an action past the allowed age.
    ComplaintOverdue,
    /// An objective whose metric nothing measures (a typo hides a miss).
    MetricKnown,
    /// A text field that uses a word of the rule's word list.
    Wording,
    /// Text fields that state no number with a unit of the rule's list.
    Quantity,
}

impl Builtin {
    pub const NAMES: &[&str] = &[
        "signoff",
        "suspect-links",
        "change-after-signoff",
        "objective",
        "complaint-overdue",
        "metric-known",
        "wording",
        "has-quantity",
    ];

    fn parse(name: &str) -> Option<Builtin> {
        match name {
            "signoff" => Some(Builtin::Signoff),
            "suspect-links" => Some(Builtin::SuspectLinks),
            "change-after-signoff" => Some(Builtin::ChangeAfterSignoff),
            "objective" => Some(Builtin::Objective),
            "complaint-overdue" => Some(Builtin::ComplaintOverdue),
            "metric-known" => Some(Builtin::MetricKnown),
            "wording" => Some(Builtin::Wording),
            "has-quantity" => Some(Builtin::Quantity),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    /// `untraced`, `unverified`, or another group a project names.
    pub group: String,
    pub severity: Severity,
    /// The kinds of item the rule looks at.
    pub kinds: Vec<KindIdx>,
    pub when: Option<Condition>,
    pub require: Condition,
    /// A check built into needtrail, which replaces `require`.
    pub builtin: Option<Builtin>,
    /// The message template (see [`crate::rules::message`]), per language.
    pub message: Label,
    pub label: Label,
    pub explain: Vec<(Condition, Label)>,
    /// The word list of a `wording` or `has-quantity` check.
    pub words: Option<WordList>,
    /// The text fields a `wording` or `has-quantity` check reads.
    pub fields: Vec<FieldIdx>,
}

/// A word list, merged from the profile and the project.
#[derive(Clone, Debug)]
pub struct WordList {
    pub name: String,
    pub words: Vec<String>,
    pub except: Vec<String>,
    /// The words and exceptions, compiled the first time a rule reads
    /// them: once, after the project's words are added to the profile's.
    matcher: std::sync::OnceLock<crate::wording::Matcher>,
}

impl WordList {
    /// The compiled words and exceptions.
    pub fn matcher(&self) -> &crate::wording::Matcher {
        self.matcher
            .get_or_init(|| crate::wording::Matcher::new(&self.words, &self.except))
    }
}

/// Kinds, fields and rules with every name resolved.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub kinds: Vec<Kind>,
    kind_by_name: names::NameIndex,
    field_names: Vec<String>,
    field_by_name: names::NameIndex,
    /// Fields every kind has, besides `id` and `title`.
    pub common: Vec<FieldDef>,
    /// Rules that are on, in the order they were declared.
    pub rules: Vec<Rule>,
    /// Days a complaint may stay open without an action.
    pub complaint_max_age_days: u32,
    /// The date ages are counted to (`YYYY-MM-DD`), if the project sets one.
    pub as_of: Option<String>,
    /// Fields hashed into an item's fingerprint, in order (see [`crate::fingerprint`]).
    pub fingerprint_fields: Vec<String>,
    /// Link fields a stamp does not cover (`[fingerprint] context`).
    pub stamp_context: Vec<FieldIdx>,
    /// Fields that `review sign` and `stamp` write: every field of type
    /// `fingerprints` and those listed in `[fingerprint] signoff`.
    pub signoff_fields: Vec<FieldIdx>,
    /// How field names read, per language (fields without one read as their name).
    pub field_labels: HashMap<String, Label>,
    /// How enum values read, per language.
    pub value_labels: HashMap<String, Label>,
    /// The kinds of the report's matrix and the audit package's matrices
    /// (`[matrix] from` and `to`), when the profile or project names them.
    pub matrix: Option<(KindIdx, KindIdx)>,
    /// Field index of `id` and `title`, which every item has.
    pub id_field: FieldIdx,
    pub title_field: FieldIdx,
    /// The kinds, fields and rules that play the parts the engine knows.
    pub roles: crate::profile::roles::Roles,
    /// The word lists of the `wording` rules, compiled together the first
    /// time a rule reads them.
    wording: std::sync::OnceLock<Wording>,
    /// How many bytes of items the rules are to read, when known before
    /// the word lists are compiled (see [`Profile::expect_text`]).
    text_bytes: u64,
}

/// From how many bytes of items on the word lists are compiled into the
/// automaton that is slower to build and faster to read with: about 2,000
/// requirements. Below it, building that one takes longer than it saves
/// (2.5 ms on an empty project against a few milliseconds of reading at
/// 1,000 requirements, measured in instructions with callgrind).
const FAST_WORDS_FROM: u64 = 2 << 20;

/// The word lists of every `wording` rule, compiled together (see
/// [`crate::wording::Lists`]), and which list each rule reads.
#[derive(Debug)]
pub struct Wording {
    pub lists: crate::wording::Lists,
    /// By rule: the index of its list in `lists`, for a `wording` rule.
    pub of_rule: Vec<Option<usize>>,
}

impl Profile {
    /// Tells the profile how many bytes of items the rules will read, so
    /// that the word lists are compiled for a project of that size. Has no
    /// effect once they are compiled.
    pub fn expect_text(&mut self, bytes: u64) {
        self.text_bytes = bytes;
    }

    /// The word lists of the `wording` rules, compiled together.
    pub fn wording(&self) -> &Wording {
        self.wording.get_or_init(|| {
            let mut names: Vec<&str> = Vec::new();
            let mut lists: Vec<(&[String], &[String])> = Vec::new();
            let of_rule = self
                .rules
                .iter()
                .map(|r| {
                    let list = r
                        .words
                        .as_ref()
                        .filter(|_| r.builtin == Some(Builtin::Wording))?;
                    Some(match names.iter().position(|n| *n == list.name) {
                        Some(at) => at,
                        None => {
                            names.push(&list.name);
                            lists.push((&list.words, &list.except));
                            lists.len() - 1
                        }
                    })
                })
                .collect();
            Wording {
                lists: crate::wording::Lists::new(&lists, self.text_bytes >= FAST_WORDS_FROM),
                of_rule,
            }
        })
    }

    pub fn kind(&self, idx: KindIdx) -> &Kind {
        &self.kinds[idx as usize]
    }

    /// The id of the `n`-th sub-item of one kind under a parent that gives
    /// it none: `REV-1#3` for the parent's first kind of sub-item (a review's
    /// decisions, a customer's criteria), `CUS-1#evaluation-2` for another.
    pub fn sub_item_id(&self, sub: KindIdx, parent_id: &str, n: usize) -> String {
        let first = self
            .kind(sub)
            .within
            .and_then(|p| self.kind(p).sub_kinds.first().copied());
        // Made for every sub-item read (a review's 100k decisions): put
        // together directly, without the formatting machinery.
        let name = (first != Some(sub)).then(|| self.kind(sub).name.as_str());
        let mut id = String::with_capacity(parent_id.len() + name.map_or(0, |k| k.len() + 1) + 21);
        id.push_str(parent_id);
        id.push('#');
        if let Some(kind) = name {
            id.push_str(kind);
            id.push('-');
        }
        crate::text::decimal_into(&mut id, n as u64);
        id
    }

    pub fn kind_index(&self, name: &str) -> Option<KindIdx> {
        self.kind_by_name.get(name).map(|i| i as KindIdx)
    }

    pub fn field_name(&self, idx: FieldIdx) -> &str {
        &self.field_names[idx as usize]
    }

    pub fn field_index(&self, name: &str) -> Option<FieldIdx> {
        self.field_by_name.get(name).map(|i| i as FieldIdx)
    }

    /// The definition of `field` on `kind`, own fields first, then common ones.
    pub fn field_def(&self, kind: KindIdx, field: FieldIdx) -> Option<&FieldDef> {
        self.kind(kind)
            .fields
            .iter()
            .chain(&self.common)
            .find(|f| f.name == field)
    }

    /// Every field name an item of `kind` may have, for suggestions.
    pub fn field_names_of(&self, kind: KindIdx) -> Vec<&str> {
        let mut names = vec!["id", "title"];
        let k = self.kind(kind);
        names.extend(k.fields.iter().map(|f| self.field_name(f.name)));
        names.extend(self.common.iter().map(|f| self.field_name(f.name)));
        names.extend(k.sub_kinds.iter().map(|s| self.kind(*s).name.as_str()));
        names
    }

    /// Kinds that are written as top-level arrays of tables.
    pub fn top_kinds(&self) -> impl Iterator<Item = (KindIdx, &Kind)> {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.within.is_none())
            .map(|(i, k)| (i as KindIdx, k))
    }

    /// How a field name reads in `lang`.
    pub fn field_label<'a>(&'a self, field: &'a str, lang: &str) -> &'a str {
        self.field_labels
            .get(field)
            .map_or(field, |l| l.get(lang, field))
    }

    /// How an enum value reads in `lang`.
    pub fn value_label<'a>(&'a self, value: &'a str, lang: &str) -> &'a str {
        self.value_labels
            .get(value)
            .map_or(value, |l| l.get(lang, value))
    }

    /// What a user most likely meant by `typed`, an invalid value of an
    /// enum with `values`: the value whose label (in any language) it is,
    /// else the value spelt most like it. Given with its Chinese label when
    /// it has one, e.g. `"stated" (明示的)`.
    pub fn suggest_value(&self, typed: &str, values: &[String]) -> Option<String> {
        let by_label = values.iter().find(|v| {
            self.value_labels.get(v.as_str()).is_some_and(|l| {
                ["en", "zh"]
                    .iter()
                    .any(|lang| l.get(lang, v) == typed.trim())
            })
        });
        let found = by_label.map(String::as_str).or_else(|| {
            crate::diag::suggest(&typed.to_lowercase(), values.iter().map(String::as_str))
        })?;
        let zh = self.value_label(found, "zh");
        Some(if zh != found {
            format!("\"{found}\" ({zh})")
        } else {
            format!("\"{found}\"")
        })
    }

    /// Whether a stamp on an item of `kind` covers its links in `field`:
    /// every link it writes except the one to its parent table and the
    /// context links listed in `[fingerprint] context`. `stamp` records
    /// exactly these and `suspect-link` checks exactly these.
    pub fn stamp_covers(&self, kind: KindIdx, field: FieldIdx) -> bool {
        Some(field) != self.parent_field(kind) && !self.stamp_context.contains(&field)
    }

    /// Whether `field` is written by `review sign` or `stamp` (see
    /// [`Profile::signoff_fields`]).
    pub fn is_signoff_field(&self, field: FieldIdx) -> bool {
        self.signoff_fields.contains(&field)
    }

    /// The field of a sub-kind that links it to its parent (named after the parent kind).
    pub fn parent_field(&self, kind: KindIdx) -> Option<FieldIdx> {
        let parent = self.kind(kind).within?;
        self.field_index(&self.kind(parent).name)
    }

    fn intern(&mut self, name: &str) -> FieldIdx {
        if let Some(i) = self.field_by_name.get(name) {
            return i as FieldIdx;
        }
        let i = self.field_names.len() as FieldIdx;
        self.field_names.push(name.to_owned());
        self.field_by_name.insert(name.to_owned(), u32::from(i));
        i
    }
}

/// The project's settings from `[project]`.
#[derive(Clone, Debug, Default)]
pub struct ProjectSettings {
    pub name: Option<String>,
    pub profile: String,
    /// `lang`: the interface language when the command line names none.
    pub lang: Option<crate::lang::Lang>,
}

/// Parses a profile-shaped TOML file, reporting a syntax or shape error with its place.
pub fn parse_file(source: &SourceFile) -> Result<ProfileFile, Diagnostic> {
    toml::from_str::<ProfileFile>(&source.text).map_err(|e| {
        let bytes = e.span().unwrap_or(0..0);
        let message = e.message().trim_end().to_owned();
        let help = match unknown_field_help(&message) {
            Some(h) => h,
            None => {
                "fix the TOML at this place: see docs/format.md for the shape of needtrail.toml"
                    .to_owned()
            }
        };
        Diagnostic::new("config", message, Location::in_source(source, bytes)).with_help(help)
    })
}

/// The hint for serde's "unknown field `x`, expected one of `a`, `b`": the
/// name most like the one typed (the message itself lists them all).
fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (typed, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map_or("", |(_, list)| list);
    let names = expected.split(", ").map(|n| n.trim().trim_matches('`'));
    Some(match crate::diag::suggest(typed, names) {
        Some(close) => format!("did you mean `{close}`? See docs/format.md"),
        None => "use one of the names above: see docs/format.md".to_owned(),
    })
}

/// Builds the profile for a project: the built-in profile it names (default
/// `iso9001`), with the project's own kinds, fields, rules and overrides on
/// top. All problems found are returned together.
pub fn build(
    project: Option<(&SourceFile, ProfileFile)>,
) -> Result<(Profile, ProjectSettings), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut settings = ProjectSettings {
        name: None,
        profile: "iso9001".to_owned(),
        lang: None,
    };
    let (source, mut user) = match project {
        Some((s, f)) => (Some(s), f),
        None => (None, ProfileFile::default()),
    };
    if let Some(meta) = user.project.take() {
        settings.name = meta.name;
        if let Some(l) = meta.lang {
            settings.lang = crate::lang::Lang::parse(l.get_ref());
            if settings.lang.is_none() {
                diags.push(
                    Diagnostic::new(
                        "config",
                        format!("unknown interface language `{}`", l.get_ref()),
                        loc(source, l.span()),
                    )
                    .with_help("write lang = \"en\" or lang = \"zh\""),
                );
            }
        }
        if let Some(p) = meta.profile {
            if !BUILTIN.contains(&p.get_ref().as_str()) {
                diags.push(
                    Diagnostic::new(
                        "config",
                        format!("unknown profile `{}`", p.get_ref()),
                        loc(source, p.span()),
                    )
                    .with_help(format!("built-in profiles are: {}", BUILTIN.join(", "))),
                );
            }
            settings.profile = p.into_inner();
        }
    }
    let builtin_src = SourceFile::new("<built-in iso9001 profile>".into(), ISO9001.into());
    let base = if settings.profile == "iso9001" {
        parse_file(&builtin_src).map_err(|d| vec![d])?
    } else {
        ProfileFile::default()
    };
    let mut compiler = Compiler {
        profile: Profile {
            name: settings.profile.clone(),
            kinds: Vec::new(),
            kind_by_name: Default::default(),
            field_names: Vec::new(),
            field_by_name: Default::default(),
            common: Vec::new(),
            rules: Vec::new(),
            fingerprint_fields: Vec::new(),
            stamp_context: Vec::new(),
            signoff_fields: Vec::new(),
            complaint_max_age_days: 30,
            as_of: None,
            field_labels: HashMap::new(),
            value_labels: HashMap::new(),
            matrix: None,
            id_field: 0,
            title_field: 0,
            roles: crate::profile::roles::Roles::default(),
            wording: std::sync::OnceLock::new(),
            text_bytes: 0,
        },
        diags: &mut diags,
        words: IndexMap::new(),
    };
    compiler.word_lists(&base, Some(&builtin_src));
    compiler.word_lists(&user, source);
    compiler.profile.id_field = compiler.profile.intern("id");
    compiler.profile.title_field = compiler.profile.intern("title");
    compiler.declare(&base, Some(&builtin_src));
    compiler.declare(&user, source);
    compiler.resolve_fields(&base, Some(&builtin_src));
    compiler.resolve_fields(&user, source);
    compiler.resolve_inherit(&base, Some(&builtin_src));
    compiler.resolve_inherit(&user, source);
    let mut rules = Vec::new();
    for (spec, src) in base
        .rule
        .iter()
        .map(|r| (r, Some(&builtin_src)))
        .chain(user.rule.iter().map(|r| (r, source)))
    {
        if let Some(rule) = compiler.rule(spec, src) {
            if rules.iter().any(|r: &Rule| r.id == rule.id) {
                compiler.diags.push(
                    Diagnostic::new(
                        "config",
                        format!("rule `{}` is declared twice", rule.id),
                        loc(src, spec.id.span()),
                    )
                    .with_help("give the new rule an id of its own"),
                );
            } else {
                rules.push(rule);
            }
        }
    }
    for (id, ov) in base.rules.iter().chain(user.rules.iter()) {
        match rules.iter_mut().find(|r| r.id == *id.get_ref()) {
            Some(rule) => {
                rule.severity = match ov.get_ref() {
                    RuleOverride::Error => Severity::Error,
                    RuleOverride::Warning => Severity::Warning,
                    RuleOverride::Info => Severity::Info,
                    RuleOverride::Off => continue,
                }
            }
            None => {
                let names: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
                let mut d = Diagnostic::new(
                    "config",
                    format!("no rule `{}` to override", id.get_ref()),
                    loc(source, id.span()),
                );
                d = match suggest(id.get_ref(), names.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("rules are: {}", names.join(", "))),
                };
                compiler.diags.push(d);
            }
        }
    }
    let off: Vec<&str> = base
        .rules
        .iter()
        .chain(user.rules.iter())
        .filter(|(_, v)| *v.get_ref() == RuleOverride::Off)
        .map(|(k, _)| k.get_ref().as_str())
        .collect();
    rules.retain(|r| !off.contains(&r.id.as_str()));
    compiler.fingerprint_lists(&base, Some(&builtin_src));
    compiler.fingerprint_lists(&user, source);
    compiler.matrix_kinds(&base, Some(&builtin_src));
    compiler.matrix_kinds(&user, source);
    // Fields of type `fingerprints` are written by needtrail, listed or not.
    let written = compiler.all_fields(|ty| ty == FieldType::Fingerprints);
    compiler.profile.signoff_fields.extend(written);
    compiler.profile.signoff_fields.sort_unstable();
    compiler.profile.signoff_fields.dedup();
    let mut profile = compiler.profile;
    profile.rules = rules;
    let declared: Vec<&str> = base
        .rule
        .iter()
        .chain(&user.rule)
        .map(|r| r.id.get_ref().as_str())
        .collect();
    let (roles, problems) = crate::profile::roles::resolve(
        &profile,
        &[(&base.roles, Some(&builtin_src)), (&user.roles, source)],
        &declared,
    );
    profile.roles = roles;
    diags.extend(problems);
    for file in [&base, &user] {
        if let Some(st) = &file.settings {
            if let Some(d) = st.complaint_max_age_days {
                profile.complaint_max_age_days = d;
            }
            if let Some(d) = &st.as_of {
                profile.as_of = Some(d.to_string());
            }
        }
        if let Some(fields) = file.fingerprint.as_ref().and_then(|fp| fp.fields.as_ref()) {
            profile.fingerprint_fields = fields.clone();
        }
        for (k, v) in &file.field_labels {
            profile.field_labels.insert(k.clone(), v.clone());
        }
        for (k, v) in &file.value_labels {
            profile.value_labels.insert(k.clone(), v.clone());
        }
    }
    if diags.is_empty() {
        Ok((profile, settings))
    } else {
        Err(diags)
    }
}

fn loc(source: Option<&SourceFile>, bytes: std::ops::Range<usize>) -> Location {
    match source {
        Some(s) => Location::in_source(s, bytes),
        None => Location::whole_file("needtrail.toml"),
    }
}

struct Compiler<'d> {
    profile: Profile,
    diags: &'d mut Vec<Diagnostic>,
    /// Word lists of the profile, with the project's words added.
    words: IndexMap<String, WordList>,
}

impl Compiler<'_> {
    fn error(
        &mut self,
        src: Option<&SourceFile>,
        span: std::ops::Range<usize>,
        msg: String,
        help: String,
    ) {
        self.diags
            .push(Diagnostic::new("config", msg, loc(src, span)).with_help(help));
    }

    /// First pass: make every kind and field name known.
    fn declare(&mut self, file: &ProfileFile, _src: Option<&SourceFile>) {
        for (name, spec) in &file.kinds {
            let idx = match self.profile.kind_index(name) {
                Some(i) => i,
                None => {
                    let i = self.profile.kinds.len() as KindIdx;
                    self.profile.kinds.push(Kind {
                        name: name.clone(),
                        label: Label::None,
                        within: None,
                        sub_kinds: Vec::new(),
                        inherit: Vec::new(),
                        fields: Vec::new(),
                    });
                    self.profile.kind_by_name.insert(name.clone(), u32::from(i));
                    self.profile.intern(name);
                    i
                }
            };
            if !matches!(spec.label, Label::None) {
                self.profile.kinds[idx as usize].label = spec.label.clone();
            }
            for field in spec.fields.keys() {
                self.profile.intern(field);
            }
        }
        for field in file.common.keys() {
            self.profile.intern(field);
        }
    }

    /// Second pass: resolve link targets, parents and inherited fields.
    fn resolve_fields(&mut self, file: &ProfileFile, src: Option<&SourceFile>) {
        for (name, spec) in &file.common {
            if let Some(def) = self.field(name, spec, src) {
                self.profile.common.retain(|f| f.name != def.name);
                self.profile.common.push(def);
            }
        }
        for (name, spec) in &file.kinds {
            let kind = self.profile.kind_index(name).expect("declared");
            for (fname, fspec) in &spec.fields {
                if matches!(fname.as_str(), "id" | "title") {
                    self.error(
                        src,
                        0..0,
                        format!("kind `{name}` redefines the field `{fname}`"),
                        "`id` and `title` are fields of every kind; choose another name".into(),
                    );
                    continue;
                }
                if let Some(def) = self.field(fname, fspec, src) {
                    let fields = &mut self.profile.kinds[kind as usize].fields;
                    match fields.iter_mut().find(|f| f.name == def.name) {
                        Some(existing) => *existing = def,
                        None => fields.push(def),
                    }
                }
            }
            if let Some(within) = &spec.within {
                match self.kind_ref(within, src) {
                    Some(parent) => {
                        if self
                            .profile
                            .kind(parent)
                            .fields
                            .iter()
                            .chain(&self.profile.common)
                            .any(|f| self.profile.field_name(f.name) == name)
                        {
                            self.error(
                                src,
                                within.span(),
                                format!("kind `{name}` is written inside `{}`, which has a field of the same name", within.get_ref()),
                                "rename the kind or the field: a table key cannot be both".into(),
                            );
                            continue;
                        }
                        self.profile.kinds[kind as usize].within = Some(parent);
                        if !self.profile.kinds[parent as usize]
                            .sub_kinds
                            .contains(&kind)
                        {
                            self.profile.kinds[parent as usize].sub_kinds.push(kind);
                        }
                        let pname = self.profile.kind(parent).name.clone();
                        let pf = self.profile.intern(&pname);
                        let fields = &mut self.profile.kinds[kind as usize].fields;
                        if !fields.iter().any(|f| f.name == pf) {
                            fields.push(FieldDef {
                                name: pf,
                                ty: FieldType::Link,
                                values: Vec::new(),
                                to: vec![parent],
                                label: Label::None,
                            });
                        }
                    }
                    None => continue,
                }
            }
        }
        // Sub-items are written `[[parent.sub]]`: one level, no deeper.
        for (name, spec) in &file.kinds {
            let Some(within) = &spec.within else { continue };
            let kind = self.profile.kind_index(name).expect("declared");
            let Some(parent) = self.profile.kind(kind).within else {
                continue;
            };
            if parent == kind {
                self.error(
                    src,
                    within.span(),
                    format!("kind `{name}` is written inside itself"),
                    "name the kind its items are written inside, or remove `within`".into(),
                );
            } else if let Some(grand) = self.profile.kind(parent).within {
                let (pname, gname) = (
                    self.profile.kind(parent).name.clone(),
                    self.profile.kind(grand).name.clone(),
                );
                let own = format!("make `{pname}` a kind of its own (no `within`)");
                // Suggest the grandparent only where it is a top-level kind.
                let help = if grand != kind && self.profile.kind(grand).within.is_none() {
                    format!("sub-kinds nest one level: write `within = \"{gname}\"`, or {own}")
                } else {
                    format!("sub-kinds nest one level: {own}")
                };
                self.error(
                    src,
                    within.span(),
                    format!("kind `{name}` is written inside `{pname}`, which is itself written inside `{gname}`"),
                    help,
                );
            }
        }
    }

    /// Third pass, once every kind's fields are known: inherited fields.
    fn resolve_inherit(&mut self, file: &ProfileFile, src: Option<&SourceFile>) {
        for (name, spec) in &file.kinds {
            let kind = self.profile.kind_index(name).expect("declared");
            for inh in &spec.inherit {
                let Some(f) = self.profile.field_index(inh.get_ref()) else {
                    self.error(
                        src,
                        inh.span(),
                        format!("kind `{name}` inherits unknown field `{}`", inh.get_ref()),
                        "inherit names fields of the parent kind".into(),
                    );
                    continue;
                };
                self.profile.kinds[kind as usize].inherit.push(f);
                // An inherited field is a field of the sub-kind too.
                let parent_def = self.profile.kinds[kind as usize]
                    .within
                    .and_then(|p| self.profile.field_def(p, f).cloned());
                let fields = &mut self.profile.kinds[kind as usize].fields;
                if let Some(def) = parent_def
                    && !fields.iter().any(|d| d.name == f)
                {
                    fields.push(def);
                }
            }
        }
    }

    fn kind_ref(&mut self, name: &Spanned<String>, src: Option<&SourceFile>) -> Option<KindIdx> {
        let found = self.profile.kind_index(name.get_ref());
        if found.is_none() {
            let names: Vec<String> = self.profile.kinds.iter().map(|k| k.name.clone()).collect();
            let help = match suggest(name.get_ref(), names.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("kinds are: {}", names.join(", ")),
            };
            self.error(
                src,
                name.span(),
                format!("unknown kind `{}`", name.get_ref()),
                help,
            );
        }
        found
    }

    fn field(
        &mut self,
        name: &str,
        spec: &FieldSpec,
        src: Option<&SourceFile>,
    ) -> Option<FieldDef> {
        let idx = self.profile.intern(name);
        let mut to = Vec::new();
        for t in &spec.to {
            to.push(self.kind_ref(t, src)?);
        }
        if spec.ty.is_link() && to.is_empty() {
            self.error(
                src,
                0..0,
                format!("link field `{name}` names no kinds it links to"),
                "add `to = [\"kind\", ...]`".into(),
            );
            return None;
        }
        if spec.ty == FieldType::Enum && spec.values.is_empty() {
            self.error(
                src,
                0..0,
                format!("enum field `{name}` lists no values"),
                "add `values = [\"a\", \"b\"]`".into(),
            );
            return None;
        }
        Some(FieldDef {
            name: idx,
            ty: spec.ty,
            values: spec.values.clone(),
            to,
            label: spec.label.clone(),
        })
    }

    /// Resolves `[fingerprint] context` and `signoff` of one file: a list
    /// given replaces the one before it.
    fn fingerprint_lists(&mut self, file: &ProfileFile, src: Option<&SourceFile>) {
        let Some(fp) = &file.fingerprint else { return };
        if let Some(names) = &fp.context {
            self.profile.stamp_context = self.field_list("context", names, true, src);
        }
        if let Some(names) = &fp.signoff {
            self.profile.signoff_fields = self.field_list("signoff", names, false, src);
        }
    }

    /// `[matrix] from` and `to`: kinds of the profile, else an error at the name.
    fn matrix_kinds(&mut self, file: &ProfileFile, src: Option<&SourceFile>) {
        let Some(m) = &file.matrix else { return };
        let mut kinds = Vec::new();
        for name in [&m.from, &m.to] {
            match self.profile.kind_index(name.get_ref()) {
                Some(k) => kinds.push(k),
                None => {
                    let names: Vec<&str> =
                        self.profile.kinds.iter().map(|k| k.name.as_str()).collect();
                    let help = match suggest(name.get_ref(), names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("kinds are: {}", names.join(", ")),
                    };
                    self.error(
                        src,
                        name.span(),
                        format!("[matrix] names unknown kind `{}`", name.get_ref()),
                        help,
                    );
                }
            }
        }
        if let [from, to] = kinds[..] {
            self.profile.matrix = Some((from, to));
        }
    }

    /// Every field some kind (or every kind) declares with a type `want` accepts.
    fn all_fields(&self, want: impl Fn(FieldType) -> bool) -> Vec<FieldIdx> {
        let mut fields: Vec<FieldIdx> = self
            .profile
            .kinds
            .iter()
            .flat_map(|k| &k.fields)
            .chain(&self.profile.common)
            .filter(|f| want(f.ty))
            .map(|f| f.name)
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// The fields a `[fingerprint]` list names, each checked to be a field
    /// of some kind (a link field when `links`), with its place when not.
    fn field_list(
        &mut self,
        key: &str,
        names: &[Spanned<String>],
        links: bool,
        src: Option<&SourceFile>,
    ) -> Vec<FieldIdx> {
        let candidates = self.all_fields(|ty| !links || ty.is_link());
        let mut out = Vec::new();
        for name in names {
            match self.profile.field_index(name.get_ref()) {
                Some(f) if candidates.contains(&f) => out.push(f),
                _ => {
                    let what = if links { "link field" } else { "field" };
                    let names: Vec<&str> = candidates
                        .iter()
                        .map(|f| self.profile.field_name(*f))
                        .collect();
                    let help = match suggest(name.get_ref(), names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("{what}s are: {}", names.join(", ")),
                    };
                    let msg = format!(
                        "`{}` in `[fingerprint] {key}` is not a {what} of any kind",
                        name.get_ref()
                    );
                    self.error(src, name.span(), msg, help);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn field_ref(
        &mut self,
        kinds: &[KindIdx],
        name: &Spanned<String>,
        src: Option<&SourceFile>,
    ) -> Option<FieldIdx> {
        let idx = self.profile.field_index(name.get_ref());
        let known = idx.is_some_and(|f| {
            f == self.profile.id_field
                || f == self.profile.title_field
                || kinds
                    .iter()
                    .all(|k| self.profile.field_def(*k, f).is_some())
        });
        if !known {
            let kind_names: Vec<String> = kinds
                .iter()
                .map(|k| self.profile.kind(*k).name.clone())
                .collect();
            let candidates: Vec<String> = kinds
                .first()
                .map(|k| {
                    self.profile
                        .field_names_of(*k)
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let help = match suggest(name.get_ref(), candidates.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("fields are: {}", candidates.join(", ")),
            };
            self.error(
                src,
                name.span(),
                format!(
                    "`{}` is not a field of {}",
                    name.get_ref(),
                    kind_names.join(" or ")
                ),
                help,
            );
            return None;
        }
        idx
    }

    fn rule(&mut self, spec: &RuleSpec, src: Option<&SourceFile>) -> Option<Rule> {
        let mut kinds = Vec::new();
        if matches!(spec.kind.get_ref(), OneOrMany::One(k) if k == "*") {
            kinds.extend(self.profile.top_kinds().map(|(i, _)| i));
        } else {
            for name in OneOrMany::names(&spec.kind) {
                kinds.push(self.kind_ref(&name, src)?);
            }
        }
        // Conditions are checked against every kind the rule looks at.
        let mut when = None;
        for &kind in &kinds {
            when = match &spec.when {
                Some(c) => Some(self.cond(kind, c, src)?),
                None => None,
            };
        }
        kinds.first()?;
        let builtin = match &spec.builtin {
            Some(name) => match Builtin::parse(name.get_ref()) {
                Some(b) => Some(b),
                None => {
                    self.error(
                        src,
                        name.span(),
                        format!("unknown built-in check `{}`", name.get_ref()),
                        format!("built-in checks are: {}", Builtin::NAMES.join(", ")),
                    );
                    return None;
                }
            },
            None => None,
        };
        let require = match (&spec.require, builtin) {
            (Some(c), None) => {
                let mut cond = None;
                for &k in &kinds {
                    cond = Some(self.cond(k, c, src)?);
                }
                cond?
            }
            (None, Some(_)) => Condition::All(Vec::new()),
            _ => {
                self.error(
                    src,
                    spec.id.span(),
                    format!(
                        "rule `{}` needs exactly one of `require` and `builtin`",
                        spec.id.get_ref()
                    ),
                    "say what the rule requires with `require = { ... }`".into(),
                );
                return None;
            }
        };
        let (words, fields) = self.rule_words(spec, builtin, &kinds, src)?;
        let mut explain = Vec::new();
        for e in &spec.explain {
            let mut cond = None;
            for &k in &kinds {
                cond = Some(self.cond(k, &e.when, src)?);
            }
            explain.push((cond?, e.message.clone()));
        }
        Some(Rule {
            id: spec.id.get_ref().clone(),
            group: spec.group.clone().unwrap_or_else(|| "other".into()),
            severity: spec.severity.unwrap_or(Severity::Error),
            kinds,
            when,
            require,
            builtin,
            message: spec.message.clone(),
            label: spec.label.clone(),
            explain,
            words,
            fields,
        })
    }

    /// Merges `[words.NAME]` lists: a project's words are added to the
    /// profile's list of the same name.
    fn word_lists(&mut self, file: &ProfileFile, src: Option<&SourceFile>) {
        for (name, spec) in &file.words {
            for w in spec.words.iter().chain(&spec.except) {
                if w.get_ref().trim().is_empty() {
                    self.error(
                        src,
                        w.span(),
                        format!("an empty word in [words.{name}]"),
                        "remove it, or write the word between the quotes".into(),
                    );
                }
            }
            let list = self.words.entry(name.clone()).or_insert_with(|| WordList {
                name: name.clone(),
                words: Vec::new(),
                except: Vec::new(),
                matcher: std::sync::OnceLock::new(),
            });
            for w in &spec.words {
                let w = w.get_ref().trim().to_owned();
                if !w.is_empty() && !list.words.contains(&w) {
                    list.words.push(w);
                }
            }
            for w in &spec.except {
                let w = w.get_ref().trim().to_owned();
                if !w.is_empty() && !list.except.contains(&w) {
                    list.except.push(w);
                }
            }
            list.matcher = std::sync::OnceLock::new();
        }
    }

    /// The word list and text fields of a `wording` or `has-quantity` check,
    /// checked against the lists and the kinds' fields.
    fn rule_words(
        &mut self,
        spec: &RuleSpec,
        builtin: Option<Builtin>,
        kinds: &[KindIdx],
        src: Option<&SourceFile>,
    ) -> Option<(Option<WordList>, Vec<FieldIdx>)> {
        let reads_words = matches!(builtin, Some(Builtin::Wording | Builtin::Quantity));
        if !reads_words {
            let stray = spec
                .words
                .as_ref()
                .map(|w| w.span())
                .or_else(|| spec.fields.first().map(|f| f.span()));
            if let Some(span) = stray {
                self.error(
                    src,
                    span,
                    format!(
                        "rule `{}` has `words` or `fields`, which only the `wording` and `has-quantity` checks read",
                        spec.id.get_ref()
                    ),
                    "remove them, or set `builtin = \"wording\"` (or \"has-quantity\")".into(),
                );
                return None;
            }
            return Some((None, Vec::new()));
        }
        let Some(name) = &spec.words else {
            self.error(
                src,
                spec.id.span(),
                format!("rule `{}` names no word list", spec.id.get_ref()),
                "add `words = \"NAME\"` naming a [words.NAME] table".into(),
            );
            return None;
        };
        let Some(list) = self.words.get(name.get_ref()).cloned() else {
            let names: Vec<&str> = self.words.keys().map(String::as_str).collect();
            let help = match suggest(name.get_ref(), names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if names.is_empty() => {
                    "declare the list as [words.NAME] with `words = [...]`".to_owned()
                }
                None => format!("word lists are: {}", names.join(", ")),
            };
            self.error(
                src,
                name.span(),
                format!("no word list `{}`", name.get_ref()),
                help,
            );
            return None;
        };
        if spec.fields.is_empty() {
            self.error(
                src,
                spec.id.span(),
                format!("rule `{}` names no fields to read", spec.id.get_ref()),
                "add e.g. `fields = [\"title\", \"text\"]`".into(),
            );
            return None;
        }
        let mut fields = Vec::new();
        for f in &spec.fields {
            fields.push(self.field_ref(kinds, f, src)?);
        }
        Some((Some(list), fields))
    }

    fn cond(
        &mut self,
        kind: KindIdx,
        spec: &CondSpec,
        src: Option<&SourceFile>,
    ) -> Option<Condition> {
        let set = [
            spec.field.is_some(),
            spec.from.is_some(),
            spec.to.is_some(),
            spec.any.is_some(),
            spec.all.is_some(),
            spec.not.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if set != 1 || (spec.values.is_some() && spec.field.is_none()) {
            let span = spec.field.as_ref().map_or(0..0, |f| f.span());
            self.error(
                src,
                span,
                "a condition takes exactly one of `field`, `from`, `to`, `any`, `all`, `not`"
                    .into(),
                "`in` goes with `field`; combine conditions with `all = [...]`".into(),
            );
            return None;
        }
        if let Some(field) = &spec.field {
            let f = self.field_ref(&[kind], field, src)?;
            if let (Some(def), Some(vs)) = (self.profile.field_def(kind, f), &spec.values)
                && def.ty == FieldType::Enum
            {
                let allowed = def.values.clone();
                for v in vs {
                    if v.as_str().is_some_and(|s| allowed.iter().any(|a| a == s)) {
                        continue;
                    }
                    let close = v
                        .as_str()
                        .and_then(|s| suggest(s, allowed.iter().map(String::as_str)));
                    let help = match close {
                        Some(s) => {
                            format!("did you mean \"{s}\"? allowed: {}", allowed.join(" | "))
                        }
                        None => format!("allowed values: {}", allowed.join(" | ")),
                    };
                    self.error(
                        src,
                        field.span(),
                        format!("`{v}` is not a value of `{}`", field.get_ref()),
                        help,
                    );
                    return None;
                }
            }
            let values = spec
                .values
                .as_ref()
                .map(|vs| vs.iter().map(toml_to_value).collect());
            return Some(Condition::Field { field: f, values });
        }
        if let Some(list) = &spec.any {
            let conds: Option<Vec<_>> = list.iter().map(|c| self.cond(kind, c, src)).collect();
            return Some(Condition::Any(conds?));
        }
        if let Some(list) = &spec.all {
            let conds: Option<Vec<_>> = list.iter().map(|c| self.cond(kind, c, src)).collect();
            return Some(Condition::All(conds?));
        }
        if let Some(inner) = &spec.not {
            return Some(Condition::Not(Box::new(self.cond(kind, inner, src)?)));
        }
        let (dir, link) = match (&spec.from, &spec.to) {
            (Some(l), _) => (Direction::From, l),
            (_, Some(l)) => (Direction::To, l),
            _ => unreachable!("one key is set"),
        };
        let mut kinds = Vec::new();
        for name in OneOrMany::names(&link.kind) {
            kinds.push(self.kind_ref(&name, src)?);
        }
        // `via` is a field of the item that holds the link.
        let holder = match dir {
            Direction::To => vec![kind],
            Direction::From => kinds.clone(),
        };
        let via = self.field_ref(&holder, &link.via, src)?;
        let filter = match &link.where_ {
            Some(w) => {
                let mut c = None;
                for k in &kinds {
                    c = Some(self.cond(*k, w, src)?);
                }
                c.map(Box::new)
            }
            None => None,
        };
        let latest = match &link.latest {
            Some(f) => Some(self.field_ref(&kinds, f, src)?),
            None => None,
        };
        let mut same = Vec::new();
        for f in &link.same {
            let idx = self.field_ref(&kinds, f, src)?;
            self.field_ref(&[kind], f, src)?;
            same.push(idx);
        }
        let current = match &link.current {
            Some(c) if *c.get_ref() && dir == Direction::To => {
                self.error(
                    src,
                    c.span(),
                    "`current` goes with `from`: it asks whether the linking item was stamped with this item as it is now".into(),
                    "write the condition as `from = { kind = ..., via = ..., current = true }`".into(),
                );
                return None;
            }
            Some(c) => *c.get_ref(),
            None => false,
        };
        Some(Condition::Link {
            dir,
            kinds,
            via,
            filter,
            latest,
            same,
            current,
        })
    }
}

/// A value from a rule's `in = [...]` list, as the model holds values.
fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::Integer(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::Date(d.to_string()),
        toml::Value::Array(a) => Value::Strings(a.iter().map(|v| v.to_string()).collect()),
        toml::Value::Table(_) => Value::String(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sub_item_is_named_after_its_parent_its_kind_and_its_number() {
        let (profile, _) = build(None).expect("built-in profile is valid");
        let kind = |n: &str| profile.kind_index(n).unwrap();
        // The first sub-kind of a parent goes without its name.
        let first = profile.kind(kind("customer")).sub_kinds[0];
        let other = profile.kind(kind("customer")).sub_kinds[1];
        let first_name = profile.kind(first).name.clone();
        let other_name = profile.kind(other).name.clone();
        for n in [1usize, 9, 10, 1234567, usize::MAX] {
            assert_eq!(
                profile.sub_item_id(first, "CUS-1", n),
                format!("CUS-1#{n}"),
                "{first_name}"
            );
            assert_eq!(
                profile.sub_item_id(other, "客户-1", n),
                format!("客户-1#{other_name}-{n}")
            );
        }
        assert_eq!(
            profile.sub_item_id(kind("decision"), "REV-001", 1),
            "REV-001#1"
        );
    }

    #[test]
    fn builtin_profile_compiles_with_every_rule_of_the_interface() {
        let (profile, settings) = build(None).expect("built-in profile is valid");
        assert_eq!(settings.profile, "iso9001");
        let ids: Vec<&str> = profile.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "requirement-reviewed",
                "requirement-clarify-open",
                "legal-cites-regulation",
                "stated-has-source",
                "requirement-has-design-input",
                "rejected-not-worked-on",
                "design-input-traced",
                "verification-verifies",
                "objective-measurable",
                "complaint-traced",
                "design-input-verified",
                "pass-has-evidence",
                "requirement-validated-or-delivered",
                "signoff-broken",
                "suspect-link",
                "change-after-signoff",
                "objective-missed",
                "objective-metric-known",
                "complaint-overdue",
                "complaint-dated",
                "complaint-closed-with-action",
                "design-input-reviewed",
                "design-review-action-closed",
                "property-problem-reported",
                "property-returned",
                "wording-vague",
                "wording-placeholder",
                "wording-and-or",
                "performance-has-quantity",
            ]
        );
        for r in &profile.rules {
            let expected = if ["requirement-validated-or-delivered", "pass-has-evidence"]
                .contains(&r.id.as_str())
                || r.group == "wording"
            {
                Severity::Warning
            } else {
                Severity::Error
            };
            assert_eq!(r.severity, expected, "{}", r.id);
        }
        let kinds: Vec<&str> = profile.kinds.iter().map(|k| k.name.as_str()).collect();
        for k in [
            "customer",
            "contract",
            "requirement",
            "review",
            "decision",
            "design_input",
            "design_output",
            "verification",
            "validation",
            "objective",
            "delivery",
            "feedback",
            "change",
            "design_review",
            "action",
            "customer_property",
        ] {
            assert!(kinds.contains(&k), "{k}");
        }
    }

    #[test]
    fn every_builtin_name_shown_in_the_report_has_english_and_chinese() {
        let (profile, _) = build(None).unwrap();
        let both = |l: &Label| matches!(l, Label::Translated { en, zh: Some(zh) } if !en.is_empty() && !zh.is_empty());
        for k in &profile.kinds {
            assert!(both(&k.label), "kind {}", k.name);
            for f in k.fields.iter().chain(&profile.common) {
                let name = profile.field_name(f.name);
                let l = profile.field_labels.get(name);
                assert!(l.is_some_and(both), "field {name}");
                for v in &f.values {
                    assert!(profile.value_labels.get(v).is_some_and(both), "value {v}");
                }
            }
        }
        for r in &profile.rules {
            assert!(both(&r.label), "rule {}", r.id);
            assert!(both(&r.message), "message of {}", r.id);
            for (_, m) in &r.explain {
                assert!(both(m), "explanation in {}", r.id);
            }
        }
        for f in ["id", "title", "true", "false"] {
            assert!(profile.field_labels.contains_key(f) || profile.value_labels.contains_key(f));
        }
    }

    #[test]
    fn overrides_change_severity_and_turn_rules_off() {
        let src = SourceFile::new(
            "needtrail.toml".into(),
            "[project]\nname = \"x\"\n[rules]\nstated-has-source = \"warning\"\nlegal-cites-regulation = \"off\"\n".into(),
        );
        let file = parse_file(&src).unwrap();
        let (profile, _) = build(Some((&src, file))).unwrap();
        let r = profile
            .rules
            .iter()
            .find(|r| r.id == "stated-has-source")
            .unwrap();
        assert_eq!(r.severity, Severity::Warning);
        assert!(
            !profile
                .rules
                .iter()
                .any(|r| r.id == "legal-cites-regulation")
        );
    }

    #[test]
    fn unknown_override_is_reported_with_its_place() {
        let src = SourceFile::new(
            "needtrail.toml".into(),
            "[rules]\nstated-has-sourse = \"off\"\n".into(),
        );
        let file = parse_file(&src).unwrap();
        let err = build(Some((&src, file))).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].location.line, 2);
        assert_eq!(
            err[0].help.as_deref(),
            Some("did you mean `stated-has-source`?")
        );
    }
}
