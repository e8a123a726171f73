//! Fingerprints: a short hash of an item's normative content, so that a
//! sign-off or a stamp can tell later whether what it approved has changed.
//!
//! What is hashed, in this order: a version tag; the item's kind; the fields
//! the profile lists under `[fingerprint] fields` (for `iso9001`: class,
//! title, text, source, regulation), each as written, with `\r\n` read as
//! `\n`; then every link, as field name and target id, sorted. Nothing else:
//! not formatting, comments, field order, the file the item is in, or other
//! fields such as `owner`, `tags`, `note`, stamps and sign-offs. So
//! reformatting a file never changes a fingerprint, and editing a
//! requirement's text always does.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::model::{ItemIdx, Project, Value};
use crate::profile::Profile;

/// The fingerprint of a review's decisions: for each `[[review.decision]]`,
/// the requirement it decides, its verdict and its note, in order. A
/// sign-off records it, so a verdict changed after signing breaks the
/// sign-off just as a changed requirement does.
pub fn of_decisions(project: &Project, profile: &Profile, review: ItemIdx) -> String {
    let mut text = String::from("needtrail-decisions-v1\n");
    let fields = ["requirement", "verdict", "note"].map(|n| profile.field_index(n));
    for item in project.items.iter().skip(review.index() + 1) {
        if item.parent != Some(review) {
            break;
        }
        for (name, f) in ["requirement", "verdict", "note"].iter().zip(fields) {
            let Some(f) = f else { continue };
            let value = match item.field(f) {
                Some(v) => v.display(),
                None => item
                    .links_in(f)
                    .map(|t| project.item(t).id.clone())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            let _ = writeln!(
                text,
                "{name}={}",
                value.replace("\r\n", "\n").escape_debug()
            );
        }
        text.push_str("--\n");
    }
    short_hash(&text)
}

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(LEN);
    for b in digest.iter().take(LEN / 2) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Hex digits kept of the SHA-256: 64 bits, short enough to read in a file.
const LEN: usize = 16;

/// The fingerprint of one item.
pub fn of(project: &Project, profile: &Profile, idx: ItemIdx) -> String {
    let item = project.item(idx);
    let mut text = String::from("needtrail-fingerprint-v1\n");
    let _ = writeln!(text, "kind={}", profile.kind(item.kind).name);
    for name in &profile.fingerprint_fields {
        let value = if name == "title" {
            item.title.clone()
        } else {
            profile
                .field_index(name)
                .and_then(|f| item.field(f))
                .map(Value::display)
        };
        if let Some(v) = value {
            let _ = writeln!(text, "{name}={}", v.replace("\r\n", "\n").escape_debug());
        }
    }
    let mut links: Vec<(&str, &str)> = item
        .links
        .iter()
        .map(|l| {
            (
                profile.field_name(l.field),
                project.item(l.target).id.as_str(),
            )
        })
        .collect();
    links.sort_unstable();
    links.dedup();
    for (field, target) in links {
        let _ = writeln!(text, "link {field}={}", target.escape_debug());
    }
    short_hash(&text)
}
