//! Rules: evaluates the profile's trace rules over the graph and gives the
//! findings, each attached to the item that breaks the rule.
//!
//! Every rule looks only at the items of its kind and, for each, only at that
//! item's own links (through the graph's adjacency lists), so checking grows
//! with the number of items and links, never with their square.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use crate::fingerprint;
use crate::graph::TraceGraph;
use crate::lang::Lang;
use crate::model::{FieldIdx, Item, ItemIdx, KindIdx, Project, Span, Value};
use crate::objectives;
use crate::profile::{Builtin, Condition, Direction, Profile, Rule, Severity};

/// One place where the thread breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Index of the rule in [`Profile::rules`].
    pub rule: usize,
    pub severity: Severity,
    pub item: ItemIdx,
    /// Which of the rule's `explain` entries matched, if any.
    pub explain: Option<usize>,
    /// The linked items that explain the finding (`{matched}` in messages).
    pub evidence: Vec<ItemIdx>,
    /// Ids that explain the finding but name no item any more.
    pub missing: Vec<String>,
    /// Named values for the message, such as a measured `actual`.
    pub values: Vec<(&'static str, String)>,
    /// Where in the item the finding points, when more precisely than its
    /// header (the vague word of a `wording` check).
    pub at: Option<Span>,
}

impl Finding {
    /// The message in `lang`, made from the rule's (or the matching
    /// `explain` entry's) text in that language and the finding's values.
    pub fn message(&self, lang: Lang, project: &Project, profile: &Profile) -> String {
        self.message_in(lang.code(), project, profile)
    }

    /// [`Finding::message`] for a language code (`en`, `zh`).
    pub fn message_in(&self, lang: &str, project: &Project, profile: &Profile) -> String {
        let rule = &profile.rules[self.rule];
        let label = match self.explain {
            Some(i) => &rule.explain[i].1,
            None => &rule.message,
        };
        message(
            label.get(lang, ""),
            self.item,
            &matched_text(&self.evidence, &self.missing, project),
            &self.values,
            project,
            profile,
        )
    }
}

/// How many items a rule applied to, and how many of them broke it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub applicable: usize,
    pub failed: usize,
}

/// The outcome of running every rule.
#[derive(Debug, Default)]
pub struct CheckResult {
    /// Sorted by rule order, then file and line of the item.
    pub findings: Vec<Finding>,
    /// Indexed like [`Profile::rules`].
    pub stats: Vec<RuleStats>,
}

impl CheckResult {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Runs all rules of the profile.
pub fn check(project: &Project, profile: &Profile, graph: &TraceGraph) -> CheckResult {
    check_with(project, profile, graph, &crate::progress::Silent)
}

/// [`check`], reporting each rule run to `progress`.
pub fn check_with(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    progress: &dyn crate::progress::Progress,
) -> CheckResult {
    check_over(project, profile, graph, progress, None)
}

/// Runs all rules of the profile on `items` alone (in item order, without
/// repeats): each of them gets the findings a run over the whole project
/// gives it, in the same order, and the counts are of these items only.
/// For a command that shows a few items, such as `trace`.
pub fn check_items(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    items: &[ItemIdx],
) -> CheckResult {
    debug_assert!(items.windows(2).all(|w| w[0] < w[1]));
    check_over(
        project,
        profile,
        graph,
        &crate::progress::Silent,
        Some(items),
    )
}

/// Runs all rules, over every item or over `only` (sorted).
fn check_over(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    progress: &dyn crate::progress::Progress,
    only: Option<&[ItemIdx]>,
) -> CheckResult {
    let eval = Evaluator {
        project,
        profile,
        graph,
        stamped: profile.roles.common.stamped,
        fingerprints: fingerprint::Cache::new(project, profile),
        hubs: Default::default(),
    };
    progress.start("running rules", profile.rules.len() as u64);
    // Rules over the same kinds run together, a chunk of items at a time:
    // each item is then fetched from memory once for all of them, rather
    // than once per rule.
    let mut groups: Vec<(&[KindIdx], Vec<usize>)> = Vec::new();
    for (ri, rule) in profile.rules.iter().enumerate() {
        match groups.iter_mut().find(|(k, _)| *k == rule.kinds.as_slice()) {
            Some((_, rules)) => rules.push(ri),
            None => groups.push((&rule.kinds, vec![ri])),
        }
    }
    let mut per_rule: Vec<(Vec<Finding>, RuleStats)> = (0..profile.rules.len())
        .map(|_| (Vec::new(), RuleStats::default()))
        .collect();
    let results: Vec<Vec<(usize, Vec<Finding>, RuleStats)>> = groups
        .par_iter()
        .map(|(kinds, rules)| {
            let r = eval.run_group(kinds, rules, only);
            progress.advance(rules.len() as u64);
            r
        })
        .collect();
    progress.finish();
    for (ri, findings, stats) in results.into_iter().flatten() {
        per_rule[ri] = (findings, stats);
    }
    let mut result = CheckResult::default();
    for (findings, stats) in per_rule {
        result.findings.extend(findings);
        result.stats.push(stats);
    }
    result
}

/// One rule's run over a chunk of items: its counts and findings, and the
/// lists its checks fill item after item, kept rather than allocated anew
/// for every item.
#[derive(Default)]
struct RuleRun {
    stats: RuleStats,
    findings: Vec<Finding>,
    /// What made `when` hold (not reported).
    when: Vec<ItemIdx>,
    /// What made `require` hold, or explains why it does not.
    evidence: Vec<ItemIdx>,
    /// For a `wording` rule, what its words are found to be in the item
    /// checked, when read beforehand with the other wording rules' words.
    word: Option<WordOutcome>,
}

/// What a `wording` rule finds in an item's text fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordOutcome {
    /// None of the rule's fields holds text: the rule does not apply.
    NoText,
    /// No listed word in them.
    Clean,
    /// A listed word: in this field, at this byte offset, this long.
    Found(FieldIdx, usize, usize),
}

/// Where a built-in check puts what explains a failure.
struct Why<'w> {
    /// What a `wording` rule's words are found to be, if already read.
    word: Option<WordOutcome>,
    evidence: &'w mut Vec<ItemIdx>,
    missing: &'w mut Vec<String>,
    values: &'w mut Vec<(&'static str, String)>,
    at: &'w mut Option<Span>,
}

struct Evaluator<'a> {
    project: &'a Project,
    profile: &'a Profile,
    graph: &'a TraceGraph,
    /// The field suspect-link reads on every item, looked up once.
    stamped: Option<FieldIdx>,
    /// Fingerprints, each made once, for stamps and sign-offs to compare with.
    fingerprints: fingerprint::Cache<'a>,
    /// `from` conditions already answered for items many others link to
    /// (a contract, a customer), by condition and item: the answer and its
    /// evidence. Thousands of design inputs asking of one contract whether
    /// a design review names it would otherwise each walk its thousands
    /// of requirements.
    hubs: std::sync::Mutex<HubAnswers>,
}

/// Answers of `from` conditions on hub items, by condition and item: whether
/// it holds, and the items that made it hold.
type HubAnswers = rustc_hash::FxHashMap<(usize, ItemIdx), (bool, Vec<ItemIdx>)>;

/// Items with more links pointing at them than this have their `from`
/// conditions remembered.
const HUB: usize = 64;

impl Evaluator<'_> {
    fn fingerprint(&self, idx: ItemIdx) -> &str {
        self.fingerprints.get(idx)
    }

    /// Runs `rules`, all over items of `kinds` (those of `only`, when
    /// given): each rule's findings, in item order, and its counts.
    fn run_group(
        &self,
        kinds: &[KindIdx],
        rules: &[usize],
        only: Option<&[ItemIdx]>,
    ) -> Vec<(usize, Vec<Finding>, RuleStats)> {
        let needs_objectives = rules.iter().any(|ri| {
            matches!(
                self.profile.rules[*ri].builtin,
                Some(Builtin::Objective | Builtin::ComplaintOverdue)
            )
        });
        let of_kinds = kinds
            .iter()
            .filter_map(|k| self.project.by_kind.get(*k as usize));
        let items: Vec<ItemIdx> = if let Some(only) = only {
            only.iter()
                .copied()
                .filter(|i| kinds.contains(&self.project.kind_of(*i)))
                .collect()
        } else if kinds.len() > 1 {
            // Items of several kinds, in item order: marked, then read off
            // in order (linear, where sorting the lists together is not).
            let mut marked = vec![false; self.project.items.len()];
            for i in of_kinds.flatten() {
                marked[i.index()] = true;
            }
            (0..marked.len() as u32)
                .map(ItemIdx)
                .filter(|i| marked[i.index()])
                .collect()
        } else {
            of_kinds.flatten().copied().collect()
        };
        // Many items are split so that every core shares them; the parts
        // come back in item order.
        let parts: Vec<Vec<(Vec<Finding>, RuleStats)>> = items
            .par_chunks(2048)
            .map(|chunk| {
                let objectives = needs_objectives
                    .then(|| objectives::Context::new(self.project, self.profile, self.graph));
                let words = self.read_words(rules, chunk);
                rules
                    .iter()
                    .zip(words)
                    .map(|(&ri, words)| {
                        let rule = &self.profile.rules[ri];
                        let mut run = RuleRun::default();
                        for (n, &item) in chunk.iter().enumerate() {
                            run.word = words.as_ref().map(|w| w[n]);
                            self.check_item(ri, rule, item, objectives.as_ref(), &mut run);
                        }
                        (run.findings, run.stats)
                    })
                    .collect()
            })
            .collect();
        let mut out: Vec<(usize, Vec<Finding>, RuleStats)> = rules
            .iter()
            .map(|&ri| (ri, Vec::new(), RuleStats::default()))
            .collect();
        for part in parts {
            for ((_, findings, stats), (f, s)) in out.iter_mut().zip(part) {
                findings.extend(f);
                stats.applicable += s.applicable;
                stats.failed += s.failed;
            }
        }
        // Items are in load order, which is file order then position.
        out
    }

    /// For each of `rules`, what its words are found to be in each item of
    /// `chunk`, read for all of the group's `wording` rules at once: their
    /// lists are compiled together and each text field is read once for
    /// all of them. `None` for a rule that is not a `wording` rule, and for
    /// every rule when fewer than two are.
    fn read_words(&self, rules: &[usize], chunk: &[ItemIdx]) -> Vec<Option<Vec<WordOutcome>>> {
        let mut out: Vec<Option<Vec<WordOutcome>>> = rules.iter().map(|_| None).collect();
        let is_wording = |ri: usize| {
            let rule = &self.profile.rules[ri];
            rule.builtin == Some(Builtin::Wording) && rule.words.is_some()
        };
        if rules.iter().filter(|&&ri| is_wording(ri)).count() < 2 {
            return out;
        }
        let wording = self.profile.wording();
        let lists = wording.lists.len();
        // The fields the rules read, each once.
        let mut fields: Vec<FieldIdx> = rules
            .iter()
            .filter(|&&ri| is_wording(ri))
            .flat_map(|&ri| self.profile.rules[ri].fields.iter().copied())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        // By field: whether it holds text, and the first word of each list.
        let mut has_text = vec![false; fields.len()];
        let mut found = vec![None; fields.len() * lists];
        let mut scratch = crate::wording::Scratch::default();
        for (slot, &ri) in out.iter_mut().zip(rules) {
            if is_wording(ri) {
                *slot = Some(Vec::with_capacity(chunk.len()));
            }
        }
        for &item in chunk {
            let it = self.project.item(item);
            for (n, &f) in fields.iter().enumerate() {
                let words = &mut found[n * lists..(n + 1) * lists];
                match self.text_of(it, f) {
                    Some(text) => {
                        has_text[n] = true;
                        wording.lists.find_each(text, words, &mut scratch);
                    }
                    None => has_text[n] = false,
                }
            }
            for (slot, &ri) in out.iter_mut().zip(rules) {
                let (Some(outcomes), Some(list)) = (slot, wording.of_rule[ri]) else {
                    continue;
                };
                let mut outcome = WordOutcome::NoText;
                for &f in &self.profile.rules[ri].fields {
                    let Ok(n) = fields.binary_search(&f) else {
                        continue;
                    };
                    if !has_text[n] {
                        continue;
                    }
                    outcome = WordOutcome::Clean;
                    if let Some((start, len)) = found[n * lists + list] {
                        outcome = WordOutcome::Found(f, start, len);
                        break;
                    }
                }
                outcomes.push(outcome);
            }
        }
        out
    }

    /// Runs `rule` on one item, counting it and adding its finding if any.
    fn check_item(
        &self,
        ri: usize,
        rule: &Rule,
        item: ItemIdx,
        objectives: Option<&objectives::Context<'_>>,
        run: &mut RuleRun,
    ) {
        let RuleRun {
            stats,
            findings,
            when: scratch,
            evidence,
            word,
        } = run;
        scratch.clear();
        if let Some(when) = &rule.when
            && !self.eval(when, item, scratch)
        {
            return;
        }
        evidence.clear();
        let mut missing = Vec::new();
        let mut values = Vec::new();
        let mut at = None;
        match rule.builtin {
            Some(b) => {
                let why = Why {
                    word: *word,
                    evidence,
                    missing: &mut missing,
                    values: &mut values,
                    at: &mut at,
                };
                match self.builtin(b, rule, item, objectives, why) {
                    None => return,
                    Some(true) => {
                        stats.applicable += 1;
                        return;
                    }
                    Some(false) => stats.applicable += 1,
                }
            }
            None => {
                stats.applicable += 1;
                if self.eval(&rule.require, item, evidence) {
                    return;
                }
            }
        }
        stats.failed += 1;
        let mut evidence = std::mem::take(evidence);
        let mut explain = None;
        for (n, (cond, _)) in rule.explain.iter().enumerate() {
            let mut ev = Vec::new();
            if self.eval(cond, item, &mut ev) {
                explain = Some(n);
                evidence = ev;
                break;
            }
        }
        evidence.sort();
        evidence.dedup();
        findings.push(Finding {
            rule: ri,
            severity: rule.severity,
            item,
            explain,
            evidence,
            missing,
            values,
            at,
        });
    }

    /// A built-in check on one item: `None` when it does not apply, else
    /// whether the item passes, with the items (or missing ids) that explain
    /// a failure.
    fn builtin(
        &self,
        b: Builtin,
        rule: &Rule,
        item: ItemIdx,
        objectives: Option<&objectives::Context<'_>>,
        why: Why<'_>,
    ) -> Option<bool> {
        let Why {
            word,
            evidence,
            missing,
            values,
            at,
        } = why;
        let it = self.project.item(item);
        let roles = &self.profile.roles;
        let map_field = |f: Option<crate::model::FieldIdx>| -> Option<&crate::model::Table> {
            match it.field(f?)? {
                Value::Map(m) => Some(m),
                _ => None,
            }
        };
        match b {
            Builtin::Wording => {
                let list = rule.words.as_ref()?;
                let outcome = word.unwrap_or_else(|| {
                    let mut outcome = WordOutcome::NoText;
                    for &field in &rule.fields {
                        let Some(text) = self.text_of(it, field) else {
                            continue;
                        };
                        outcome = WordOutcome::Clean;
                        if let Some((start, len)) = list.matcher().find(text) {
                            return WordOutcome::Found(field, start, len);
                        }
                    }
                    outcome
                });
                return match outcome {
                    WordOutcome::NoText => None,
                    WordOutcome::Clean => Some(true),
                    WordOutcome::Found(field, start, len) => {
                        let text = self.text_of(it, field)?;
                        let word = &text[start..start + len];
                        values.push(("word", word.to_owned()));
                        values.push(("field", self.profile.field_name(field).to_owned()));
                        *at = self.word_span(it, field, word);
                        Some(false)
                    }
                };
            }
            Builtin::Quantity => {
                let list = rule.words.as_ref()?;
                let texts: Vec<&str> = rule
                    .fields
                    .iter()
                    .filter_map(|&f| self.text_of(it, f))
                    .collect();
                if texts.is_empty() {
                    return None;
                }
                return Some(texts.iter().any(|t| list.matcher().has_quantity(t)));
            }
            Builtin::Objective => {
                let r = objectives::evaluate_one(objectives?, item);
                let met = r.met?;
                if let Some(actual) = r.actual {
                    values.push(("actual", crate::objectives::with_unit(actual, r.unit)));
                }
                return Some(met);
            }
            Builtin::MetricKnown => {
                let Some((metric, close)) = objectives?.unknown_metric(item) else {
                    return Some(true);
                };
                values.push(("metric", metric));
                values.push((
                    "suggestion",
                    close.map_or_else(
                        || {
                            format!(
                                "one of {}",
                                objectives::Metric::ALL.map(|(n, _)| n).join(", ")
                            )
                        },
                        |c| format!("`{c}`"),
                    ),
                ));
                return Some(false);
            }
            Builtin::ComplaintOverdue => {
                let ctx = objectives?;
                if !ctx.is_complaint_item(item) {
                    return None;
                }
                let Some((age, limit)) = ctx.overdue(item) else {
                    return Some(true);
                };
                values.push(("age", age.to_string()));
                values.push(("limit", limit.to_string()));
                if let Some(d) = ctx.as_of {
                    values.push(("as_of", crate::calendar::Date::from_days(d).to_string()));
                }
                return Some(false);
            }
            Builtin::Signoff => {
                let signed = map_field(roles.review.signed_fingerprints)?;
                // A contract's review signs every requirement of it: the
                // requirements are compared on every core, beside the
                // verdicts, rather than one after another.
                let (changed, decisions_changed) = rayon::join(
                    || {
                        let mut entries = Vec::with_capacity(signed.len());
                        entries.extend(signed.iter());
                        entries
                            .par_iter()
                            .with_min_len(1024)
                            .filter_map(|&(id, fp)| match self.project.get(id) {
                                Some(req) => (self.fingerprint(req) != fp).then_some(Ok(req)),
                                None => Some(Err(id.to_owned())),
                            })
                            .collect::<Vec<_>>()
                    },
                    // The verdicts it signed: a changed decision names the review.
                    || {
                        matches!(
                            roles.review.signed_decisions.and_then(|f| it.field(f)),
                            Some(Value::String(signed))
                                if fingerprint::of_decisions(self.project, self.profile, item) != *signed
                        )
                    },
                );
                for c in changed {
                    match c {
                        Ok(req) => evidence.push(req),
                        Err(id) => missing.push(id),
                    }
                }
                if decisions_changed {
                    evidence.push(item);
                }
            }
            Builtin::SuspectLinks => {
                let Value::Map(stamped) = it.field(self.stamped?)? else {
                    return None;
                };
                // Exactly the links a stamp records: entries an older stamp
                // holds for context links are ignored. A table of a few
                // entries is read through for each link; a longer one (a
                // delivery's, of every requirement it delivers) is listed
                // once and searched.
                let listed: Vec<(&str, &str)> = if stamped.len() > 8 {
                    stamped.iter().collect()
                } else {
                    Vec::new()
                };
                for link in it
                    .links
                    .iter()
                    .filter(|l| !l.inherited && self.profile.stamp_covers(it.kind, l.field))
                {
                    let target = self.project.id_of(link.target);
                    let current = self.fingerprint(link.target);
                    let stamp = if listed.is_empty() {
                        stamped.get(target)
                    } else {
                        listed
                            .binary_search_by(|(k, _)| (*k).cmp(target))
                            .ok()
                            .map(|i| listed[i].1)
                    };
                    if stamp != Some(current) {
                        evidence.push(link.target);
                    }
                }
            }
            Builtin::ChangeAfterSignoff => {
                let date = it.field(roles.change.date?)?.display();
                let (changes, contract, signed_on) = (
                    roles.change.changes?,
                    roles.requirement.contract?,
                    roles.review.signed_on?,
                );
                let (review_kind, reviewed) = (roles.review.kind?, roles.review.contract?);
                let mut contracts: Vec<ItemIdx> = it
                    .links_in(changes)
                    .flat_map(|r| self.project.item(r).links_in(contract))
                    .collect();
                contracts.sort_unstable();
                contracts.dedup();
                let mut any_signed = false;
                for c in contracts {
                    // The last sign-off of the contract, over all its reviews.
                    let last = self
                        .graph
                        .downstream(c)
                        .filter(|(field, r)| {
                            *field == reviewed && self.project.kind_of(*r) == review_kind
                        })
                        .filter_map(|(_, r)| {
                            Some((self.project.item(r).field(signed_on)?.display(), r))
                        })
                        .max();
                    if let Some((on, review)) = last {
                        any_signed = true;
                        if date > on {
                            evidence.push(review);
                        }
                    }
                }
                if !any_signed {
                    return None;
                }
            }
        }
        Some(evidence.is_empty() && missing.is_empty())
    }

    /// Whether `by` holds a stamp of `item` with its current fingerprint.
    fn stamped_as_now(&self, by: ItemIdx, item: ItemIdx) -> bool {
        let Some(Value::Map(stamped)) = self.stamped.and_then(|f| self.project.item(by).field(f))
        else {
            return false;
        };
        let id = &self.project.item(item).id;
        stamped.get(id) == Some(self.fingerprint(item))
    }

    /// The text of a string field (or the title) of an item.
    fn text_of<'i>(&self, it: &'i Item, field: FieldIdx) -> Option<&'i str> {
        if field == self.profile.title_field {
            return it.title.as_deref();
        }
        match it.field(field)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Where `word` stands in the source of the item's `field`: the first
    /// place the word is written as is (a word spelt with escapes points
    /// at the field).
    fn word_span(&self, it: &Item, field: FieldIdx, word: &str) -> Option<Span> {
        let span = it.field_span(field)?;
        let file = &self.project.files[span.file as usize];
        let range = span.bytes();
        let source = file.text.get(range.clone())?;
        // Past the key and the `=`: the word may also be the field's name.
        let value_at = source.find('=').map_or(0, |i| i + 1);
        let at = source[value_at..]
            .find(word)
            .or_else(|| {
                source[value_at..]
                    .to_ascii_lowercase()
                    .find(&word.to_ascii_lowercase())
            })
            .map_or(0, |i| value_at + i);
        let start = range.start + at;
        Some(Span::new(
            span.file,
            start..start + word.len().min(range.end - start),
        ))
    }

    /// Whether `cond` holds for `item`. Linked items that made a link
    /// condition hold are pushed to `evidence` (the innermost ones when
    /// conditions nest), so messages can name them.
    fn eval(&self, cond: &Condition, item: ItemIdx, evidence: &mut Vec<ItemIdx>) -> bool {
        match cond {
            Condition::Field { field, values } => self.field_holds(item, *field, values.as_deref()),
            Condition::Any(list) => {
                let mut any = false;
                for c in list {
                    any |= self.eval(c, item, evidence);
                }
                any
            }
            // What a condition that does not count added is taken back off
            // `evidence` (rather than collected in a list of its own).
            Condition::All(list) => {
                let mark = evidence.len();
                for c in list {
                    if !self.eval(c, item, evidence) {
                        evidence.truncate(mark);
                        return false;
                    }
                }
                true
            }
            Condition::Not(inner) => {
                let mark = evidence.len();
                let holds = self.eval(inner, item, evidence);
                if !holds {
                    evidence.truncate(mark);
                }
                // What made the inner condition hold is why `not` fails.
                !holds
            }
            Condition::Link {
                dir,
                kinds,
                via,
                filter,
                latest,
                same,
                current,
            } => {
                // No list is built: rules run this for every item.
                let keep = |c: &ItemIdx| {
                    kinds.contains(&self.project.kind_of(*c))
                        && same.iter().all(|f| self.same_value(item, *c, *f))
                        && (!*current || self.stamped_as_now(*c, item))
                };
                match dir {
                    Direction::To => self.links_hold(
                        self.project.item(item).links_in(*via).filter(keep),
                        *latest,
                        filter.as_deref(),
                        evidence,
                    ),
                    Direction::From if self.graph.downstream_count(item) > HUB => {
                        let key = (std::ptr::from_ref(cond) as usize, item);
                        if let Some((holds, found)) =
                            self.hubs.lock().ok().and_then(|h| h.get(&key).cloned())
                        {
                            evidence.extend(found);
                            return holds;
                        }
                        let mut found = Vec::new();
                        let holds = self.links_hold(
                            self.graph
                                .downstream(item)
                                .filter(|(f, _)| f == via)
                                .map(|(_, i)| i)
                                .filter(keep),
                            *latest,
                            filter.as_deref(),
                            &mut found,
                        );
                        evidence.extend_from_slice(&found);
                        // A long list of evidence would cost more to copy
                        // than to find again.
                        if found.len() <= 32
                            && let Ok(mut h) = self.hubs.lock()
                        {
                            h.insert(key, (holds, found));
                        }
                        holds
                    }
                    Direction::From => self.links_hold(
                        self.graph
                            .downstream(item)
                            .filter(|(f, _)| f == via)
                            .map(|(_, i)| i)
                            .filter(keep),
                        *latest,
                        filter.as_deref(),
                        evidence,
                    ),
                }
            }
        }
    }

    /// Whether any of the linked `candidates` (or, with `latest`, the newest
    /// of them) meets `filter`; what does is added to `evidence`.
    fn links_hold(
        &self,
        candidates: impl Iterator<Item = ItemIdx>,
        latest: Option<FieldIdx>,
        filter: Option<&Condition>,
        evidence: &mut Vec<ItemIdx>,
    ) -> bool {
        let mut holds = false;
        let mut check = |c: ItemIdx| match filter {
            None => {
                evidence.push(c);
                holds = true;
            }
            Some(f) => {
                let mark = evidence.len();
                if self.eval(f, c, evidence) {
                    if evidence.len() == mark {
                        evidence.push(c);
                    }
                    holds = true;
                } else {
                    evidence.truncate(mark);
                }
            }
        };
        match latest {
            Some(order) => {
                let newest = candidates.max_by(|a, b| {
                    self.order_key(*a, order)
                        .cmp(&self.order_key(*b, order))
                        .then(a.cmp(b))
                });
                if let Some(c) = newest {
                    check(c);
                }
            }
            None => candidates.for_each(check),
        }
        holds
    }

    fn field_holds(&self, item: ItemIdx, field: FieldIdx, values: Option<&[Value]>) -> bool {
        let it = self.project.item(item);
        if field == self.profile.id_field {
            return values.is_none_or(|vs| {
                vs.iter()
                    .any(|v| matches!(v, Value::String(s) if *s == it.id))
            });
        }
        if field == self.profile.title_field {
            let present = it.title.as_deref().is_some_and(|t| !t.trim().is_empty());
            return present
                && values.is_none_or(|vs| {
                    vs.iter().any(
                    |v| matches!(v, Value::String(s) if Some(s.as_str()) == it.title.as_deref()),
                )
                });
        }
        if let Some(v) = it.field(field) {
            if !v.is_present() {
                return false;
            }
            return match values {
                None => true,
                Some(vs) => vs.iter().any(|want| value_matches(v, want)),
            };
        }
        let mut targets = it.links_in(field).peekable();
        if targets.peek().is_none() {
            return false;
        }
        match values {
            None => true,
            Some(vs) => targets.any(|t| {
                let id = &self.project.item(t).id;
                vs.iter().any(|v| matches!(v, Value::String(s) if s == id))
            }),
        }
    }

    /// Whether two items have the same value (or the same link targets) in `field`.
    fn same_value(&self, a: ItemIdx, b: ItemIdx, field: FieldIdx) -> bool {
        let (ia, ib) = (self.project.item(a), self.project.item(b));
        match (ia.field(field), ib.field(field)) {
            (Some(x), Some(y)) => return x == y,
            (Some(_), None) | (None, Some(_)) => return false,
            (None, None) => {}
        }
        // The same targets, as sets. Links in one field are usually few:
        // then each side's are looked for on the other, and no set is built.
        if !ia.has_links_in(field) {
            return false;
        }
        let few = |x: &Item| x.links_in(field).nth(16).is_none();
        if few(ia) && few(ib) {
            let within =
                |x: &Item, y: &Item| x.links_in(field).all(|t| y.links_in(field).any(|u| u == t));
            return within(ia, ib) && within(ib, ia);
        }
        let la: BTreeSet<ItemIdx> = ia.links_in(field).collect();
        let lb: BTreeSet<ItemIdx> = ib.links_in(field).collect();
        la == lb
    }

    /// The value `latest` orders by: dates and strings sort as text.
    fn order_key(&self, item: ItemIdx, field: FieldIdx) -> String {
        self.project
            .item(item)
            .field(field)
            .map(Value::display)
            .unwrap_or_default()
    }
}

/// The text of `{matched}`: the ids of the evidence, sub-items named by
/// their parent, and ids that name nothing any more.
fn matched_text(evidence: &[ItemIdx], missing: &[String], project: &Project) -> String {
    let refs: BTreeSet<&str> = evidence
        .iter()
        .map(|e| project.reference(*e))
        .chain(missing.iter().map(String::as_str))
        .collect();
    refs.into_iter().collect::<Vec<_>>().join(", ")
}

/// Fills a message template: `{matched}` lists the evidence, `{id}` and
/// `{title}` are the item's, named values (a built-in check's `{actual}`)
/// come next, and `{FIELD}` is the value of one of the item's fields.
pub fn message(
    template: &str,
    item: ItemIdx,
    matched: &str,
    values: &[(&'static str, String)],
    project: &Project,
    profile: &Profile,
) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let named = values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone());
        match named.or_else(|| placeholder(name, item, matched, project, profile)) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn placeholder(
    name: &str,
    item: ItemIdx,
    matched: &str,
    project: &Project,
    profile: &Profile,
) -> Option<String> {
    let it = project.item(item);
    match name {
        "matched" => Some(matched.to_owned()),
        "id" => Some(it.id.clone()),
        "title" => Some(it.display_title().to_owned()),
        // The item that holds a sub-item (the review of an action).
        "parent" => it.parent.map(|p| project.item(p).id.clone()),
        _ => {
            let f = profile.field_index(name)?;
            if let Some(v) = it.field(f) {
                return Some(v.display());
            }
            let ids: Vec<&str> = it
                .links_in(f)
                .map(|t| project.item(t).id.as_str())
                .collect();
            (!ids.is_empty()).then(|| ids.join(", "))
        }
    }
}

fn value_matches(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Strings(list), Value::String(w)) => list.iter().any(|s| s == w),
        (Value::Date(d), Value::String(w)) => d == w,
        (Value::Float(a), Value::Integer(b)) => *a == *b as f64,
        (Value::Integer(a), Value::Float(b)) => *a as f64 == *b,
        _ => have == want,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running the rules on part of a project gives each of its items the
    /// findings a run over the whole project gives it, in the same order:
    /// `trace` shows them so.
    #[test]
    fn rules_run_on_some_items_find_what_a_whole_run_finds_on_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            root.join("samples/doors-zh"),
            root.join("samples/auto-parts-en"),
            root.join("tests/fixtures/custom-kind"),
        ] {
            let loaded = crate::load::load(&dir).unwrap();
            let (project, profile) = (&loaded.project, &loaded.profile);
            let graph = TraceGraph::build(project);
            let whole = check(project, profile, &graph);
            assert!(!whole.findings.is_empty(), "{}", dir.display());
            let n = project.items.len() as u32;
            let mut subsets: Vec<Vec<ItemIdx>> = (0..n).map(|i| vec![ItemIdx(i)]).collect();
            subsets.extend((0..n).map(|i| crate::output::trace_items(&graph, ItemIdx(i))));
            subsets.push((0..n).step_by(3).map(ItemIdx).collect());
            subsets.push((0..n).map(ItemIdx).collect());
            let mut found = 0;
            for items in subsets {
                let part = check_items(project, profile, &graph, &items);
                let expected: Vec<&Finding> = whole
                    .findings
                    .iter()
                    .filter(|f| items.binary_search(&f.item).is_ok())
                    .collect();
                assert_eq!(
                    part.findings.iter().collect::<Vec<_>>(),
                    expected,
                    "{}: {items:?}",
                    dir.display()
                );
                found += expected.len();
            }
            assert!(found > whole.findings.len(), "{}", dir.display());
        }
    }
}
