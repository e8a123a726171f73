//! Baselines: what changed between two versions of a project, as an
//! auditor asks it ("what changed since the last audit?"): items added,
//! removed and changed (by fingerprint, with every changed field), items
//! only re-stamped or re-signed (apart, so that one real edit and the
//! stamps renewed around it do not read as many changes), links added and
//! removed, and findings that are new or resolved.
//!
//! Takes two checked projects; gives a [`Diff`]. Reading two git revisions
//! is [`extract_revision`]: it copies a revision's files out with git
//! itself, without touching the work tree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::fingerprint;
use crate::lang::Lang;
use crate::model::{ItemIdx, Project, Value};
use crate::pipeline::Checked;
use crate::profile::Profile;

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct ItemSummary {
    pub id: String,
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Serialize, Clone)]
pub struct ChangedItem {
    #[serde(flatten)]
    pub item: ItemSummary,
    /// The fingerprint changed: what a sign-off or stamp approved is different.
    pub normative: bool,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct LinkRef {
    pub from: String,
    pub field: String,
    pub to: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct FindingRef {
    pub rule: String,
    pub id: String,
    pub severity: String,
    pub message: String,
}

#[derive(Debug, Serialize, Default)]
pub struct Changes<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

#[derive(Debug, Serialize, Default)]
pub struct ItemChanges {
    pub added: Vec<ItemSummary>,
    pub removed: Vec<ItemSummary>,
    /// Items whose content changed: a field other than those `stamp` and
    /// `review sign` write.
    pub changed: Vec<ChangedItem>,
    /// Items in which only what `stamp` and `review sign` write changed
    /// (the profile's fields of type `fingerprints` and `[fingerprint]
    /// signoff`): re-examined, not edited.
    pub restamped: Vec<ChangedItem>,
}

#[derive(Debug, Serialize, Default)]
pub struct FindingChanges {
    pub new: Vec<FindingRef>,
    pub resolved: Vec<FindingRef>,
}

/// Everything that differs between two versions.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    pub items: ItemChanges,
    pub links: Changes<LinkRef>,
    pub findings: FindingChanges,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.items.added.is_empty()
            && self.items.removed.is_empty()
            && self.items.changed.is_empty()
            && self.items.restamped.is_empty()
            && self.links.added.is_empty()
            && self.links.removed.is_empty()
            && self.findings.new.is_empty()
            && self.findings.resolved.is_empty()
    }
}

fn summary(project: &Project, profile: &Profile, idx: ItemIdx) -> ItemSummary {
    let item = project.item(idx);
    ItemSummary {
        id: item.id.clone(),
        kind: profile.kind(item.kind).name.clone(),
        title: item.display_title().to_owned(),
    }
}

/// Every field of an item as text, links as id lists, by field name.
fn fields(project: &Project, profile: &Profile, idx: ItemIdx) -> BTreeMap<String, String> {
    let item = project.item(idx);
    let mut out = BTreeMap::new();
    if let Some(t) = &item.title {
        out.insert("title".to_owned(), t.clone());
    }
    out.insert("kind".to_owned(), profile.kind(item.kind).name.clone());
    for (f, v) in &item.fields {
        let text = match v {
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            v => v.display(),
        };
        out.insert(profile.field_name(*f).to_owned(), text);
    }
    let mut links: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for l in item.links.iter().filter(|l| !l.inherited) {
        links
            .entry(profile.field_name(l.field))
            .or_default()
            .push(&project.item(l.target).id);
    }
    for (f, ids) in links {
        out.insert(f.to_owned(), ids.join(", "));
    }
    out
}

fn links(project: &Project, profile: &Profile) -> BTreeSet<LinkRef> {
    project
        .items
        .iter()
        .flat_map(|item| {
            item.links
                .iter()
                .filter(|l| !l.inherited)
                .map(move |l| LinkRef {
                    from: item.id.clone(),
                    field: profile.field_name(l.field).to_owned(),
                    to: project.item(l.target).id.clone(),
                })
        })
        .collect()
}

fn findings(checked: &Checked, lang: Lang) -> BTreeMap<(String, String), FindingRef> {
    let project = &checked.loaded.project;
    let profile = &checked.loaded.profile;
    checked
        .result
        .findings
        .iter()
        .map(|f| {
            let r = FindingRef {
                rule: profile.rules[f.rule].id.clone(),
                id: project.item(f.item).id.clone(),
                severity: f.severity.as_str().to_owned(),
                message: f.message(lang, project, profile),
            };
            ((r.rule.clone(), r.id.clone()), r)
        })
        .collect()
}

/// Compares two checked versions of a project; findings' messages are
/// written in `lang`.
pub fn diff(old: &Checked, new: &Checked, old_name: &str, new_name: &str, lang: Lang) -> Diff {
    let (op, opr) = (&old.loaded.project, &old.loaded.profile);
    let (np, npr) = (&new.loaded.project, &new.loaded.profile);
    let mut items = ItemChanges::default();
    for (id, ni) in sorted(np) {
        match op.get(id) {
            None => items.added.push(summary(np, npr, ni)),
            Some(oi) => {
                let (fo, fnew) = (fields(op, opr, oi), fields(np, npr, ni));
                let names: BTreeSet<&String> = fo.keys().chain(fnew.keys()).collect();
                let changes: Vec<FieldChange> = names
                    .into_iter()
                    .filter(|n| fo.get(*n) != fnew.get(*n))
                    .map(|n| FieldChange {
                        field: n.clone(),
                        old: fo.get(n).cloned(),
                        new: fnew.get(n).cloned(),
                    })
                    .collect();
                if !changes.is_empty() {
                    let written = |pr: &Profile, name: &str| {
                        pr.field_index(name).is_some_and(|f| pr.is_signoff_field(f))
                    };
                    let only_signoff = changes
                        .iter()
                        .all(|c| written(npr, &c.field) || written(opr, &c.field));
                    let changed = ChangedItem {
                        item: summary(np, npr, ni),
                        normative: fingerprint::of(op, opr, oi) != fingerprint::of(np, npr, ni),
                        fields: changes,
                    };
                    if only_signoff {
                        items.restamped.push(changed);
                    } else {
                        items.changed.push(changed);
                    }
                }
            }
        }
    }
    for (id, oi) in sorted(op) {
        if np.get(id).is_none() {
            items.removed.push(summary(op, opr, oi));
        }
    }
    let (lo, ln) = (links(op, opr), links(np, npr));
    let (fo, fnew) = (findings(old, lang), findings(new, lang));
    Diff {
        old: old_name.to_owned(),
        new: new_name.to_owned(),
        items,
        links: Changes {
            added: ln.difference(&lo).cloned().collect(),
            removed: lo.difference(&ln).cloned().collect(),
        },
        findings: FindingChanges {
            new: fnew
                .iter()
                .filter(|(k, _)| !fo.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
            resolved: fo
                .iter()
                .filter(|(k, _)| !fnew.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
        },
    }
}

/// Items by id, sorted.
fn sorted(project: &Project) -> BTreeMap<&str, ItemIdx> {
    project
        .by_id
        .items()
        .map(|i| (project.item(i).id.as_str(), i))
        .collect()
}

/// The diff for a terminal.
pub fn text(d: &Diff, profile: &Profile, lang: Lang) -> String {
    let (kind, field) = (
        |k: &str| kind_word(profile, k, lang),
        |f: &str| field_word(profile, f, lang),
    );
    let mut out = lang.f("cli_diff_comparing", &[("old", &d.old), ("new", &d.new)]);
    out.push('\n');
    if d.is_empty() {
        let _ = writeln!(out, "{}", lang.t("cli_diff_none"));
        return out;
    }
    let _ = writeln!(
        out,
        "\n{}: {}",
        lang.t("cli_diff_items"),
        item_counts(d, lang)
    );
    for i in &d.items.added {
        let _ = writeln!(out, "  + {} {} · {}", kind(&i.kind), i.id, i.title);
    }
    for i in &d.items.removed {
        let _ = writeln!(out, "  - {} {} · {}", kind(&i.kind), i.id, i.title);
    }
    for c in &d.items.changed {
        let _ = writeln!(
            out,
            "  ~ {} {} · {}{}",
            kind(&c.item.kind),
            c.item.id,
            c.item.title,
            if c.normative {
                lang.t("cli_diff_normative")
            } else {
                ""
            }
        );
        for f in &c.fields {
            let show = |v: &Option<String>| {
                v.as_deref()
                    .map_or(lang.t("cli_diff_no_value").to_owned(), |s| format!("{s:?}"))
            };
            let _ = writeln!(
                out,
                "      {}: {} → {}",
                field(&f.field),
                show(&f.old),
                show(&f.new)
            );
        }
    }
    for c in &d.items.restamped {
        let fields: Vec<String> = c.fields.iter().map(|f| field(&f.field)).collect();
        let _ = writeln!(
            out,
            "  = {} {} · {} {}",
            kind(&c.item.kind),
            c.item.id,
            c.item.title,
            lang.f("cli_diff_restamped", &[("fields", &fields.join(", "))])
        );
    }
    let _ = writeln!(
        out,
        "\n{}: {}",
        lang.t("cli_diff_links"),
        lang.f(
            "cli_diff_link_counts",
            &[
                ("added", &d.links.added.len()),
                ("removed", &d.links.removed.len())
            ]
        )
    );
    for l in &d.links.added {
        let _ = writeln!(out, "  + {} {} → {}", l.from, field(&l.field), l.to);
    }
    for l in &d.links.removed {
        let _ = writeln!(out, "  - {} {} → {}", l.from, field(&l.field), l.to);
    }
    let _ = writeln!(
        out,
        "\n{}: {}",
        lang.t("cli_diff_findings"),
        lang.f(
            "cli_diff_finding_counts",
            &[
                ("new", &d.findings.new.len()),
                ("resolved", &d.findings.resolved.len())
            ]
        )
    );
    for f in &d.findings.new {
        let _ = writeln!(
            out,
            "  + {} {} {}: {}",
            severity(&f.severity, lang),
            f.rule,
            f.id,
            f.message
        );
    }
    for f in &d.findings.resolved {
        let _ = writeln!(
            out,
            "  - {} {} {}: {}",
            severity(&f.severity, lang),
            f.rule,
            f.id,
            f.message
        );
    }
    out
}

/// `3 added, 1 removed, …` of the items.
fn item_counts(d: &Diff, lang: Lang) -> String {
    lang.f(
        "cli_diff_item_counts",
        &[
            ("added", &d.items.added.len()),
            ("removed", &d.items.removed.len()),
            ("changed", &d.items.changed.len()),
            ("restamped", &d.items.restamped.len()),
        ],
    )
}

/// A kind's name in English (as written in the files), its label in the
/// new version's profile in another language.
fn kind_word(profile: &Profile, name: &str, lang: Lang) -> String {
    match (lang, profile.kind_index(name)) {
        (Lang::En, _) | (_, None) => name.to_owned(),
        (_, Some(k)) => profile.kind(k).label.get(lang.code(), name).to_owned(),
    }
}

/// A field's name in English (as written in the files), its label in
/// another language.
fn field_word(profile: &Profile, name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => name.to_owned(),
        _ => profile.field_label(name, lang.code()).to_owned(),
    }
}

/// A severity as the diff holds it (`error`…), in the words of `lang`.
fn severity(code: &str, lang: Lang) -> String {
    match code {
        "error" => lang.t("severity_error").to_owned(),
        "warning" => lang.t("severity_warning").to_owned(),
        "info" => lang.t("severity_info").to_owned(),
        other => other.to_owned(),
    }
}

/// The diff as JSON.
pub fn json(d: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(d).expect("serialisable");
    s.push('\n');
    s
}

/// The diff as a standalone HTML page.
pub fn html(d: &Diff, profile: &Profile, lang: Lang) -> String {
    let (kind, field) = (
        |k: &str| kind_word(profile, k, lang),
        |f: &str| field_word(profile, f, lang),
    );
    let esc = crate::text::escape_xml;
    let t = |k| lang.t(k);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>{} {} → {}</title>\n<style>\n\
body{{font-family:system-ui,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;margin:1rem;color:#1d2430}}\n\
table{{border-collapse:collapse;font-size:.9rem;margin-bottom:1rem}}th,td{{border:1px solid #c9d1db;padding:.25rem .4rem;text-align:left;vertical-align:top}}\n\
thead th{{background:#eef2f6}}.add{{color:#1c7c3a}}.del{{color:#b3261e}}.muted{{color:#5b6675}}\n</style>\n</head>\n<body>\n\
<h1>{}</h1>\n<p class=\"muted\">{} → {}</p>\n",
        lang.code(),
        t("cli_diff_title"),
        esc(&d.old),
        esc(&d.new),
        t("cli_diff_title"),
        esc(&d.old),
        esc(&d.new)
    );
    let _ = write!(
        out,
        "<h2>{}</h2>\n<p>{}</p>\n\
<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        t("cli_diff_items"),
        esc(&item_counts(d, lang)),
        t("cli_diff_change"),
        t("kind"),
        t("cli_diff_id"),
        t("title"),
        t("fields_heading"),
    );
    let added = format!("+ {}", t("cli_diff_added"));
    let removed = format!("− {}", t("cli_diff_removed"));
    for (mark, class, list) in [
        (&added, "add", &d.items.added),
        (&removed, "del", &d.items.removed),
    ] {
        for i in list {
            let _ = writeln!(
                out,
                "<tr><td class=\"{class}\">{mark}</td><td>{}</td><td>{}</td><td>{}</td><td></td></tr>",
                esc(&kind(&i.kind)),
                esc(&i.id),
                esc(&i.title)
            );
        }
    }
    for c in &d.items.changed {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|f| {
                format!(
                    "<b>{}</b>: <span class=\"del\">{}</span> → <span class=\"add\">{}</span>",
                    esc(&field(&f.field)),
                    esc(f.old.as_deref().unwrap_or("—")),
                    esc(f.new.as_deref().unwrap_or("—"))
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>~ {}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            t("cli_diff_changed"),
            if c.normative {
                t("cli_diff_normative_short")
            } else {
                ""
            },
            esc(&kind(&c.item.kind)),
            esc(&c.item.id),
            esc(&c.item.title),
            fields.join("<br>")
        );
    }
    for c in &d.items.restamped {
        let fields: Vec<String> = c.fields.iter().map(|f| esc(&field(&f.field))).collect();
        let _ = writeln!(
            out,
            "<tr><td class=\"muted\">= {}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
            t("cli_diff_restamped_short"),
            esc(&kind(&c.item.kind)),
            esc(&c.item.id),
            esc(&c.item.title),
            fields.join(", ")
        );
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        t("cli_diff_links"),
        t("cli_diff_change"),
        t("cli_diff_from"),
        t("cli_diff_field"),
        t("cli_diff_to"),
    );
    for (mark, class, list) in [
        (&added, "add", &d.links.added),
        (&removed, "del", &d.links.removed),
    ] {
        for l in list {
            let _ = writeln!(
                out,
                "<tr><td class=\"{class}\">{mark}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&l.from),
                esc(&field(&l.field)),
                esc(&l.to)
            );
        }
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        t("cli_diff_findings"),
        t("cli_diff_change"),
        t("severity"),
        t("rule"),
        t("cli_diff_id"),
        t("cli_diff_message"),
    );
    let new = format!("+ {}", t("cli_diff_new"));
    let resolved = format!("✓ {}", t("cli_diff_resolved"));
    for (mark, class, list) in [
        (&new, "del", &d.findings.new),
        (&resolved, "add", &d.findings.resolved),
    ] {
        for f in list {
            let _ = writeln!(
                out,
                "<tr><td class=\"{class}\">{mark}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&severity(&f.severity, lang)),
                esc(&f.rule),
                esc(&f.id),
                esc(&f.message)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

/// Copies the files of `dir` as they are at git revision `rev` into `into`,
/// reading them with git (`ls-tree`, `cat-file`), without a checkout.
pub fn extract_revision(dir: &Path, rev: &str, into: &Path) -> Result<(), String> {
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    };
    // The project folder's place in the repository, e.g. "projects/doors/".
    let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?)
        .trim()
        .to_owned();
    let commit = String::from_utf8_lossy(&git(&[
        "rev-parse",
        "--verify",
        &format!("{rev}^{{commit}}"),
    ])?)
    .trim()
    .to_owned();
    // At the repository's root the prefix is empty, and git refuses an
    // empty pathspec: list the whole tree instead.
    let mut ls_tree = vec!["ls-tree", "-r", "-z", "--full-tree", commit.as_str()];
    if !prefix.is_empty() {
        ls_tree.extend(["--", prefix.as_str()]);
    }
    let listing = git(&ls_tree)?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split_whitespace();
        let (_mode, kind, sha) = (parts.next(), parts.next(), parts.next());
        if kind != Some("blob") {
            continue;
        }
        let Some(rel) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if rel.ends_with(".toml") {
            blobs.push((sha.unwrap_or_default().to_owned(), rel.to_owned()));
        }
    }
    // A tree holds whatever names its author wrote (git checks them only
    // on checkout or fsck): a name such as `..` would put the file outside
    // the folder it is read into. Such a revision is refused whole.
    if let Some((_, rel)) = blobs
        .iter()
        .find(|(_, rel)| !crate::load::stays_inside(rel))
    {
        return Err(format!(
            "it holds the file `{}`, a path that leads outside the project folder, \
             so it is not read and nothing of it was written (`git fsck` reports such trees)",
            rel.escape_debug()
        ));
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = blobs.iter().map(|(sha, _)| format!("{sha}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut output)
        .map_err(|e| format!("cannot read from git: {e}"))?;
    let _ = writer.join();
    let _ = child.wait();
    let mut at = 0;
    for (_, rel) in &blobs {
        let header_end = output[at..]
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("git cat-file ended early")?;
        let header = String::from_utf8_lossy(&output[at..at + header_end]).to_string();
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("unexpected answer from git cat-file: {header}"))?;
        let start = at + header_end + 1;
        let content = output
            .get(start..start + size)
            .ok_or("git cat-file ended early")?;
        let path = into.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, content).map_err(|e| e.to_string())?;
        at = start + size + 1;
    }
    Ok(())
}
