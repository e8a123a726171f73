//! JUnit XML test results as verifications (`needtrail import junit`).
//!
//! Reads the flavours that pytest, CTest, GoogleTest and Maven Surefire
//! write (`<testsuites>` or a bare `<testsuite>`, nested suites,
//! `<failure>`, `<error>`, `<skipped>`, `status="notrun"`, properties on
//! the case or the suite, GoogleTest's properties as attributes), with
//! quick-xml. A test names an item by a `verifies` property (ids separated
//! by commas or spaces) or by the item's id in its name or class name:
//! `test_DI_004_salt_spray` and `di004SaltSpray` name `DI-004`. Ids are
//! matched against the items a verification may verify, without regard to
//! case, with `_`, `-`, `.` and the change from letters to digits alike.
//!
//! Each results file gives one verification per item it names, with the id
//! `TEST-{file}-{item}` (settable in `[import.junit]`), so re-importing the
//! file updates it in place and results of other files stay apart.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};

use super::{
    Batch, ImportError, Options, Problem, Record, Scope, SourceField, SourceValue, Summary,
};

/// One test case as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Case {
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub outcome: Outcome,
    /// Ids from `verifies` properties (of the case or its suites).
    pub verifies: Vec<String>,
    /// The suite's timestamp, if it has one.
    pub timestamp: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Outcome {
    #[default]
    Passed,
    Failed,
    Skipped,
}

/// The settings of `[import.junit]`.
struct Settings {
    file: String,
    id: String,
}

/// A suite as read: its name, its timestamp (or its parent's), the suite
/// it is in, and the ids of its `verifies` properties, which may come after
/// its cases (Robot Framework writes them last).
struct Suite {
    name: String,
    timestamp: Option<String>,
    parent: Option<usize>,
    verifies: Vec<String>,
}

/// Reads the test cases of one JUnit XML text. An error gives the byte
/// offset it was found at.
pub fn parse(text: &str) -> Result<Vec<Case>, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    // Each case with its innermost suite.
    let mut cases: Vec<(Case, Option<usize>)> = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut case: Option<Case> = None;
    let mut in_properties = false;
    // Elements open, and whether the root was seen.
    let mut depth = 0usize;
    let mut root = false;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event().map_err(|e| {
            (
                usize::try_from(reader.error_position()).unwrap_or(at),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let (start, empty) = match &ev {
            Event::Start(s) => (Some(s.clone()), false),
            Event::Empty(s) => (Some(s.clone()), true),
            _ => (None, false),
        };
        // Where the tag starts: `<`, its text, and `>` or `/>` end where
        // the reader now is (what came before it, trimmed, is not counted).
        let at = start.as_ref().map_or(at, |s| {
            let after = usize::try_from(reader.buffer_position()).unwrap_or(at);
            after.saturating_sub(s.len() + if empty { 3 } else { 2 })
        });
        let attrs_of = |s: &BytesStart<'_>| attrs(s, reader.decoder()).map_err(|e| (at, e));
        if let Some(s) = start {
            let name = s.local_name();
            if !root {
                root = true;
                if !matches!(name.as_ref(), b"testsuites" | b"testsuite") {
                    return Err((
                        at,
                        format!(
                            "not JUnit XML: the root element is <{}>, not <testsuites> or <testsuite>",
                            String::from_utf8_lossy(name.as_ref())
                        ),
                    ));
                }
            }
            if !empty {
                depth += 1;
            }
            match name.as_ref() {
                b"testsuite" => {
                    let a = attrs_of(&s)?;
                    let parent = open.last().copied();
                    suites.push(Suite {
                        name: a.get("name").cloned().unwrap_or_default(),
                        timestamp: a
                            .get("timestamp")
                            .cloned()
                            .or_else(|| parent.and_then(|p| suites[p].timestamp.clone())),
                        parent,
                        verifies: Vec::new(),
                    });
                    if !empty {
                        open.push(suites.len() - 1);
                    }
                }
                b"testcase" => {
                    let a = attrs_of(&s)?;
                    let suite = open.last().map(|&i| &suites[i]);
                    let mut c = Case {
                        suite: suite.map(|s| s.name.clone()).unwrap_or_default(),
                        classname: a.get("classname").cloned().unwrap_or_default(),
                        name: a.get("name").cloned().unwrap_or_default(),
                        outcome: Outcome::Passed,
                        verifies: Vec::new(),
                        timestamp: suite.and_then(|s| s.timestamp.clone()),
                    };
                    // CTest and GoogleTest mark tests that did not run.
                    let status = a.get("status").map(|s| s.to_lowercase());
                    let result = a.get("result").map(|s| s.to_lowercase());
                    if matches!(status.as_deref(), Some("notrun" | "disabled" | "skipped"))
                        || matches!(result.as_deref(), Some("skipped" | "suppressed"))
                    {
                        c.outcome = Outcome::Skipped;
                    }
                    if matches!(status.as_deref(), Some("fail" | "failed")) {
                        c.outcome = Outcome::Failed;
                    }
                    // GoogleTest (older) writes RecordProperty as attributes.
                    if let Some(v) = a.get("verifies") {
                        c.verifies.extend(super::split_list(&v.replace(' ', ",")));
                    }
                    if empty {
                        cases.push((c, open.last().copied()));
                    } else {
                        case = Some(c);
                    }
                }
                b"failure" | b"error" => {
                    if let Some(c) = &mut case {
                        c.outcome = Outcome::Failed;
                    }
                }
                b"skipped" => {
                    if let Some(c) = &mut case
                        && c.outcome != Outcome::Failed
                    {
                        c.outcome = Outcome::Skipped;
                    }
                }
                b"properties" => in_properties = !empty,
                b"property" if in_properties => {
                    let a = attrs_of(&s)?;
                    if a.get("name")
                        .is_some_and(|n| n.eq_ignore_ascii_case("verifies"))
                    {
                        let ids = super::split_list(
                            &a.get("value")
                                .cloned()
                                .unwrap_or_default()
                                .replace(' ', ","),
                        );
                        match &mut case {
                            Some(c) => c.verifies.extend(ids),
                            None => {
                                if let Some(&i) = open.last() {
                                    suites[i].verifies.extend(ids);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        match ev {
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    b"testsuite" => {
                        open.pop();
                    }
                    b"testcase" => {
                        if let Some(c) = case.take() {
                            cases.push((c, open.last().copied()));
                        }
                    }
                    b"properties" => in_properties = false,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root {
        return Err((
            0,
            "the file holds no XML element, so no test results: did the test run write it whole?"
                .to_owned(),
        ));
    }
    if depth > 0 {
        // What was read would look whole: a failure in the cut-off part
        // would be lost, and the test read as passed.
        return Err((
            text.len(),
            format!(
                "the file ends with {depth} element{} still open: it looks cut short (a test run stopped while writing it); run the tests again",
                if depth == 1 { "" } else { "s" }
            ),
        ));
    }
    // A case verifies what its suites (all the way out) and it name.
    Ok(cases
        .into_iter()
        .map(|(mut c, suite)| {
            let mut from_suites = Vec::new();
            let mut at = suite;
            while let Some(i) = at {
                from_suites.splice(0..0, suites[i].verifies.iter().cloned());
                at = suites[i].parent;
            }
            from_suites.append(&mut c.verifies);
            c.verifies = from_suites;
            c
        })
        .collect())
}

/// The text of a results file: UTF-8, UTF-16 with its byte-order mark, or
/// the encoding its XML declaration names (`encoding="GBK"`).
fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(decoded) = crate::text::decode_utf16_with_bom(bytes) {
        return decoded.map_err(|e| format!("the file starts as {e} text but is not valid {e}"));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let declared = match reader.read_event_into(&mut buf) {
        Ok(Event::Decl(d)) => match d.encoding() {
            Some(Ok(label)) => Some(label.into_owned()),
            _ => None,
        },
        _ => None,
    };
    let encoding = match &declared {
        Some(label) => encoding_rs::Encoding::for_label(label.trim_ascii()).ok_or_else(|| {
            format!(
                "the XML declaration names the encoding `{}`, which is not one needtrail reads",
                String::from_utf8_lossy(label)
            )
        })?,
        None => encoding_rs::UTF_8,
    };
    // A declaration read as ASCII is no UTF-16 (which would have had its
    // mark, handled above): .NET writes `encoding="utf-16"` on UTF-8 text.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        encoding
    };
    if encoding == encoding_rs::UTF_8 {
        return String::from_utf8(body.to_vec()).map_err(|e| {
            let line = crate::text::utf8_error_line(body, &e.utf8_error());
            format!("the file is not UTF-8 text (line {line}), and its XML declaration names no other encoding")
        });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| {
            format!(
                "the file is not valid {} text, the encoding its XML declaration names",
                encoding.name()
            )
        })
}

fn attrs(
    s: &BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for a in s.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a
            .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder)
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
        out.insert(key, value);
    }
    Ok(out)
}

/// The words of a name: split at anything but letters and digits, at a
/// change between letters and digits, and before a capital that follows a
/// small letter; upper-cased.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for ch in s.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            // Chinese text and the id written right after it (`盐雾试验DI-005`)
            // are two words, as letters and digits are.
            let boundary = (p.is_ascii_digit() != ch.is_ascii_digit())
                || (p.is_lowercase() && ch.is_uppercase())
                || (p.is_ascii() != ch.is_ascii());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(ch.to_uppercase());
        prev = Some(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The ids a name mentions, by their words; longest first at each place.
fn ids_in(name: &str, by_words: &HashMap<String, String>, longest: usize) -> Vec<String> {
    let w = words(name);
    let mut found = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let mut step = 1;
        for len in (1..=longest.min(w.len() - i)).rev() {
            if let Some(id) = by_words.get(&w[i..i + len].join("-")) {
                found.push(id.clone());
                step = len;
                break;
            }
        }
        i += step;
    }
    found
}

fn settings(dir: &Path) -> Result<Settings, ImportError> {
    let config = super::read_config(dir)?;
    let mut s = Settings {
        file: "verification/test-results.toml".into(),
        id: "TEST-{file}-{item}".into(),
    };
    let Ok(doc) = config.text.parse::<toml_edit::Document<String>>() else {
        return Ok(s);
    };
    let Some(t) = doc.get("import").and_then(|i| i.get("junit")) else {
        return Ok(s);
    };
    let loc = |span: Option<std::ops::Range<usize>>| {
        let (l, c) = config.line_col(span.map_or(0, |r| r.start));
        format!("{}:{l}:{c}", config.path)
    };
    let Some(t) = t.as_table_like() else {
        return Err(vec![Problem::new(
            loc(t.span()),
            "[import.junit] must be a table",
        )]
        .into());
    };
    let mut problems = Vec::new();
    for (k, v) in t.iter() {
        let span = t.key(k).and_then(|k| k.span());
        match (k, v.as_str()) {
            ("file", Some(f)) => {
                if let Err(p) = super::check_new_file(f, &loc(v.span())) {
                    problems.push(p);
                }
                s.file = f.to_owned();
            }
            ("id", Some(i)) => {
                if i.matches("{item}").count() != 1 {
                    problems.push(
                        Problem::new(loc(v.span()), "the id must contain {item}, once").help(
                            "e.g. id = \"TEST-{file}-{item}\"; {file} is the results file's name",
                        ),
                    );
                }
                s.id = i.to_owned();
            }
            ("file" | "id", None) => problems.push(
                Problem::new(loc(v.span()), format!("`{k}` must be a string"))
                    .help(format!("write it in quotes: {k} = \"...\"")),
            ),
            _ => {
                let hint = crate::diag::suggest(k, ["file", "id"])
                    .map(|x| format!("did you mean `{x}`? "))
                    .unwrap_or_default();
                problems.push(
                    Problem::new(loc(span), format!("unknown key `{k}` in [import.junit]"))
                        .help(format!("{hint}[import.junit] takes file (where new verifications go) and id (e.g. \"TEST-{{file}}-{{item}}\")")),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems.into())
    }
}

/// A results file's name as it goes into ids: letters, digits and `-`.
fn file_tag(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    tag.trim_matches('-').to_owned()
}

/// Imports JUnit result files into the project in `dir`.
pub fn import(dir: &Path, files: &[PathBuf], options: Options) -> Result<Summary, ImportError> {
    let settings = settings(dir)?;
    let loaded = crate::load::load(dir).map_err(ImportError::Load)?;
    let (project, profile) = (&loaded.project, &loaded.profile);
    let v = &profile.roles.verification;
    let Some(vk) = v.kind else {
        return Err(vec![
            Problem::new(
                "needtrail.toml",
                "the profile has no verification kind to record test results as",
            )
            .help("name it in `[roles.verification]`: see docs/format.md"),
        ]
        .into());
    };
    let verification = profile.kind(vk).name.as_str();
    // The items a verification may verify, by the words of their ids.
    let targets: Vec<u16> = v
        .verifies
        .and_then(|f| profile.field_def(vk, f))
        .map(|d| d.to.clone())
        .unwrap_or_default();
    let mut by_words: HashMap<String, String> = HashMap::new();
    let mut longest = 1;
    for k in &targets {
        for &i in &project.by_kind[*k as usize] {
            let id = &project.item(i).id;
            let w = words(id);
            longest = longest.max(w.len());
            by_words.entry(w.join("-")).or_insert_with(|| id.clone());
        }
    }
    let mut problems = Vec::new();
    let mut batch = Batch {
        new_file_comment: Some("Test results imported with `needtrail import junit`.\nRe-import a results file to update its verifications.".into()),
        ..Batch::default()
    };
    let mut unmatched = Vec::new();
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let shown = file.display().to_string();
        const HELP: &str = "give JUnit XML as pytest --junitxml, ctest --output-junit, gtest --gtest_output=xml or Maven Surefire write it";
        let text = match std::fs::read(file).map_err(|e| format!("cannot read the file: {e}")) {
            Ok(b) => match decode(&b) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(
                        Problem::new(shown, e)
                            .help("save it as UTF-8, or name its encoding in the XML declaration"),
                    );
                    continue;
                }
            },
            Err(e) => {
                problems.push(Problem::new(shown, e));
                continue;
            }
        };
        let cases = match parse(&text) {
            Ok(c) => c,
            Err((at, e)) => {
                let (line, col) = crate::model::SourceFile::new(shown.clone(), text).line_col(at);
                problems.push(Problem::new(format!("{shown}:{line}:{col}"), e).help(HELP));
                continue;
            }
        };
        let tag = file_tag(file);
        if let Some(other) = tags.insert(tag.clone(), shown.clone()) {
            problems.push(Problem::new(
                shown.clone(),
                format!("{other} and this file both give ids with `{tag}`; import them from files of different names"),
            ));
            continue;
        }
        // Per item: its cases.
        let mut per_item: BTreeMap<String, Vec<&Case>> = BTreeMap::new();
        for c in &cases {
            let mut ids: Vec<String> = Vec::new();
            for v in &c.verifies {
                match project.get(v).filter(|i| targets.contains(&project.item(*i).kind)) {
                    Some(_) => ids.push(v.clone()),
                    None => match by_words.get(&words(v).join("-")) {
                        Some(id) => ids.push(id.clone()),
                        None => problems.push(
                            Problem::new(
                                format!("{shown}, test {}", c.name),
                                format!("the `verifies` property names `{v}`, but no design input or output has that id"),
                            )
                            .help(
                                crate::diag::suggest(v, by_words.values().map(String::as_str))
                                    .map_or("check the id".to_owned(), |s| format!("did you mean `{s}`?")),
                            ),
                        ),
                    },
                }
            }
            if c.verifies.is_empty() {
                ids.extend(ids_in(&c.name, &by_words, longest));
                ids.extend(ids_in(&c.classname, &by_words, longest));
            }
            ids.sort();
            ids.dedup();
            if ids.is_empty() && c.verifies.is_empty() {
                let full = if c.classname.is_empty() {
                    c.name.clone()
                } else {
                    format!("{}.{}", c.classname, c.name)
                };
                unmatched.push(format!("{}: {full}", file_name(file)));
            }
            for id in ids {
                per_item.entry(id).or_default().push(c);
            }
        }
        let template = settings.id.replace("{file}", &tag);
        // The file owns exactly the ids it makes: `TEST-pytest-` is also how
        // the ids of pytest-unit.xml start.
        let (prefix, suffix) = template.split_once("{item}").unwrap_or((&template, ""));
        batch.scopes.push(Scope {
            kind: verification.into(),
            file: settings.file.clone(),
            id_prefix: prefix.to_owned(),
            linked: v
                .verifies
                .map(|f| (profile.field_name(f).to_owned(), suffix.to_owned())),
        });
        for (item, cases) in per_item {
            let failed = cases.iter().any(|c| c.outcome == Outcome::Failed);
            let ran = cases.iter().any(|c| c.outcome == Outcome::Passed);
            let result = if failed {
                &v.fail
            } else if ran {
                &v.pass
            } else {
                &v.pending
            };
            let result = result.first().cloned().unwrap_or_default();
            let mut suites: Vec<&str> = cases
                .iter()
                .map(|c| c.suite.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            suites.sort_unstable();
            suites.dedup();
            let names: Vec<String> = cases
                .iter()
                .map(|c| {
                    let mark = match c.outcome {
                        Outcome::Passed => "",
                        Outcome::Failed => " (failed)",
                        Outcome::Skipped => " (skipped)",
                    };
                    format!("{}{mark}", c.name)
                })
                .collect();
            let evidence = format!(
                "{}{}: {}",
                file_name(file),
                if suites.is_empty() {
                    String::new()
                } else {
                    format!(", suite {}", suites.join(", "))
                },
                names.join(", ")
            );
            let date = cases
                .iter()
                .filter_map(|c| c.timestamp.as_deref().and_then(super::parse_date))
                .max();
            let test = v.test.first().cloned().unwrap_or_default();
            let mut fields = vec![SourceField::new(
                "title",
                SourceValue::Text(format!("Tests of {item} ({})", file_name(file))),
            )];
            fields.extend(
                [
                    (v.verifies, SourceValue::List(vec![item.clone()])),
                    (
                        v.method.filter(|_| !test.is_empty()),
                        SourceValue::Text(test),
                    ),
                    (v.result, SourceValue::Text(result)),
                    (v.evidence, SourceValue::Text(evidence)),
                    (v.date, date.map_or(SourceValue::Empty, SourceValue::Date)),
                ]
                .into_iter()
                .filter_map(|(f, value)| Some(SourceField::new(profile.field_name(f?), value))),
            );
            batch.records.push(Record {
                kind: verification.into(),
                id: template.replace("{item}", &item),
                fields,
                file: settings.file.clone(),
                origin: format!("{shown}, tests of {item}"),
                parent: None,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let mut summary = super::apply_loaded(dir, &loaded, &batch, options)?;
    unmatched.sort();
    summary.unmatched = unmatched;
    Ok(summary)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_in_test_names_of_every_style() {
        let mut by_words = HashMap::new();
        for id in ["DI-004", "DI-04", "DO-1", "SYS-REQ-7"] {
            by_words.insert(words(id).join("-"), id.to_owned());
        }
        let found = |n: &str| ids_in(n, &by_words, 3);
        assert_eq!(found("test_DI_004_salt_spray"), ["DI-004"]);
        assert_eq!(found("di004SaltSpray"), ["DI-004"]);
        assert_eq!(found("DI-04 and do.1"), ["DI-04", "DO-1"]);
        assert_eq!(found("sys_req_7_boot"), ["SYS-REQ-7"]);
        assert!(found("test_DI_0040").is_empty());
        assert!(found("test_login").is_empty());
    }
}
