//! Reading a Doorstop tree: every document (a folder with a
//! `.doorstop.yml`) and its items, written as YAML (`CUS001.yml`) or as
//! Markdown with YAML front matter (`CUS001.md`), parsed with a YAML
//! library. The result is plain data; the import maps it to items.

use std::path::{Path, PathBuf};

use serde_yaml_ng::Value as Yaml;

use super::Scalar;

pub use super::ReadError;

/// A Doorstop document.
#[derive(Clone, Debug)]
pub struct Document {
    pub prefix: String,
    pub parent: Option<String>,
    /// The folder, relative to the tree, with `/`.
    pub path: String,
    pub items: Vec<Item>,
}

/// A Doorstop item, as its file says.
#[derive(Clone, Debug)]
pub struct Item {
    pub uid: String,
    /// The file, relative to the tree, with `/`.
    pub path: String,
    pub level: Option<String>,
    pub header: String,
    pub text: String,
    pub active: bool,
    pub derived: bool,
    pub normative: bool,
    /// UIDs of the parent items it links to, sorted.
    pub links: Vec<String>,
    pub reference: String,
    /// Attributes beyond Doorstop's own, in file order.
    pub extra: Vec<(String, Scalar)>,
    /// The paths of `references` (Doorstop's list of files an item names,
    /// each `{path, type}`), in order.
    pub references: Vec<String>,
}

/// Doorstop's own attributes, which are not carried as extra attributes.
const OWN: &[&str] = &[
    "active",
    "derived",
    "header",
    "level",
    "links",
    "normative",
    "ref",
    "references",
    "reviewed",
    "text",
];

/// Reads every document below `root`, sorted by prefix.
pub fn read_tree(root: &Path) -> Result<Vec<Document>, ReadError> {
    let mut configs: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !e.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        let entry = entry.map_err(|e| ReadError {
            file: root.display().to_string(),
            position: None,
            message: format!("cannot read the tree: {e}"),
        })?;
        if entry.file_name() == ".doorstop.yml" {
            let dir = entry.path().parent().unwrap_or(root);
            if !dir.join(".doorstop.skip").exists() {
                configs.push(entry.path().to_owned());
            }
        }
    }
    if configs.is_empty() {
        return Err(ReadError {
            file: root.display().to_string(),
            position: None,
            message: "no Doorstop document here: no folder below it has a .doorstop.yml".into(),
        });
    }
    let dirs: Vec<PathBuf> = configs
        .iter()
        .filter_map(|c| c.parent().map(Path::to_owned))
        .collect();
    let mut docs = Vec::new();
    for config in &configs {
        docs.push(read_document(root, config, &dirs)?);
    }
    docs.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    Ok(docs)
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn yaml_error(file: String, e: &serde_yaml_ng::Error) -> ReadError {
    ReadError {
        file,
        position: e.location().map(|l| (l.line() as u64, l.column() as u64)),
        message: format!("not valid YAML: {e}"),
    }
}

fn read_document(root: &Path, config: &Path, dirs: &[PathBuf]) -> Result<Document, ReadError> {
    let name = rel(root, config);
    let text = std::fs::read_to_string(config).map_err(|e| ReadError {
        file: name.clone(),
        position: None,
        message: format!("cannot read: {e}"),
    })?;
    let yaml: Yaml = serde_yaml_ng::from_str(&text).map_err(|e| yaml_error(name.clone(), &e))?;
    let settings = yaml.get("settings");
    let setting = |k: &str| {
        settings
            .and_then(|s| s.get(k))
            .and_then(scalar_text)
            .filter(|s| !s.is_empty())
    };
    let prefix = setting("prefix").ok_or_else(|| ReadError {
        file: name.clone(),
        position: None,
        message: "the document has no settings.prefix".into(),
    })?;
    let markdown = setting("itemformat").as_deref() == Some("markdown");
    let ext = if markdown { "md" } else { "yml" };
    let dir = config.parent().unwrap_or(root);
    let mut items = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Sub-folders that are documents of their own belong to them.
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (e.file_name().to_string_lossy().starts_with('.')
                        || dirs.iter().any(|d| d == e.path())))
        });
    for entry in walker {
        let entry = entry.map_err(|e| ReadError {
            file: name.clone(),
            position: None,
            message: format!("cannot read the document folder: {e}"),
        })?;
        let fname = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_file()
            || fname.starts_with('.')
            || !fname.to_ascii_lowercase().ends_with(&format!(".{ext}"))
        {
            continue;
        }
        items.push(read_item(root, entry.path(), markdown)?);
    }
    Ok(Document {
        prefix,
        parent: setting("parent"),
        path: rel(root, dir),
        items,
    })
}

fn read_item(root: &Path, path: &Path, markdown: bool) -> Result<Item, ReadError> {
    let name = rel(root, path);
    let raw = std::fs::read_to_string(path).map_err(|e| ReadError {
        file: name.clone(),
        position: None,
        message: format!("cannot read: {e}"),
    })?;
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
    let (front, body, offset) = if markdown {
        split_front_matter(raw)
    } else {
        (raw, None, 0)
    };
    let yaml: Yaml = if front.trim().is_empty() {
        Yaml::Mapping(Default::default())
    } else {
        serde_yaml_ng::from_str(front).map_err(|e| {
            let mut err = yaml_error(name.clone(), &e);
            if let Some((l, c)) = err.position {
                err.position = Some((l + offset as u64, c));
            }
            err
        })?
    };
    let Yaml::Mapping(map) = &yaml else {
        return Err(ReadError {
            file: name,
            position: None,
            message: "an item must be a YAML mapping of attributes".into(),
        });
    };
    let get = |k: &str| yaml.get(k);
    let text_of = |k: &str| get(k).and_then(scalar_text).unwrap_or_default();
    let flag = |k: &str, default: bool| match get(k) {
        Some(Yaml::Bool(b)) => *b,
        Some(v) => scalar_text(v).map_or(default, |s| {
            matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "on")
        }),
        None => default,
    };
    let (mut header, mut text) = (text_of("header"), text_of("text"));
    if let Some(body) = body {
        let (h, t) = markdown_body(body);
        if let Some(h) = h {
            header = h;
        }
        text = t;
    }
    let mut links = Vec::new();
    if let Some(Yaml::Sequence(seq)) = get("links") {
        for l in seq {
            match l {
                Yaml::Mapping(m) => {
                    links.extend(m.keys().filter_map(scalar_text));
                }
                other => links.extend(scalar_text(other)),
            }
        }
    }
    links.sort();
    links.dedup();
    let mut references = Vec::new();
    if let Some(Yaml::Sequence(seq)) = get("references") {
        for r in seq {
            match r {
                Yaml::Mapping(m) => references.extend(
                    m.iter()
                        .find(|(k, _)| scalar_text(k).as_deref() == Some("path"))
                        .and_then(|(_, v)| scalar_text(v)),
                ),
                other => references.extend(scalar_text(other)),
            }
        }
    }
    let mut extra = Vec::new();
    for (k, v) in map {
        let Some(key) = scalar_text(k) else { continue };
        if OWN.contains(&key.as_str()) {
            continue;
        }
        extra.push((key, to_scalar(v)));
    }
    let uid = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Item {
        uid,
        path: name,
        level: get("level").and_then(scalar_text),
        header: trim_block(&header),
        text: trim_block(&text),
        active: flag("active", true),
        derived: flag("derived", false),
        normative: flag("normative", true),
        links,
        reference: text_of("ref").trim().to_owned(),
        extra,
        references,
    })
}

/// Front matter between `---` lines, the body after it, and the number of
/// lines before the front matter (for error positions).
fn split_front_matter(raw: &str) -> (&str, Option<&str>, usize) {
    let Some(rest) = raw
        .strip_prefix("---\n")
        .or_else(|| raw.strip_prefix("---\r\n"))
    else {
        return ("", Some(raw), 0);
    };
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return (&rest[..pos], Some(&rest[pos + line.len()..]), 1);
        }
        pos += line.len();
    }
    (rest, Some(""), 1)
}

/// Doorstop's reading of a Markdown body: a first `# ` line is the header,
/// the rest is the text.
fn markdown_body(body: &str) -> (Option<String>, String) {
    let mut lines = body.lines().skip_while(|l| l.trim().is_empty()).peekable();
    let header = match lines.peek() {
        Some(l) if l.trim_start().starts_with("# ") => {
            let h = l.trim().trim_start_matches('#').trim().to_owned();
            lines.next();
            Some(h)
        }
        _ => None,
    };
    let text: Vec<&str> = lines.skip_while(|l| l.trim().is_empty()).collect();
    (header, text.join("\n"))
}

/// A block scalar's trailing newline is not part of the text.
fn trim_block(s: &str) -> String {
    s.trim_end_matches(['\n', '\r']).to_owned()
}

fn scalar_text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn to_scalar(v: &Yaml) -> Scalar {
    match v {
        Yaml::Bool(b) => Scalar::Bool(*b),
        Yaml::Number(n) => match n.as_i64() {
            Some(i) => Scalar::Integer(i),
            None => Scalar::Real(n.as_f64().unwrap_or_default()),
        },
        Yaml::String(s) => Scalar::Text(s.trim_end_matches('\n').to_owned()),
        Yaml::Null => Scalar::Text(String::new()),
        Yaml::Sequence(seq) if seq.iter().all(|x| scalar_text(x).is_some()) => {
            Scalar::List(seq.iter().filter_map(scalar_text).collect())
        }
        other => Scalar::Text(
            serde_yaml_ng::to_string(other)
                .unwrap_or_default()
                .trim_end()
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn yaml_and_markdown_items_read_with_their_links_and_extra_attributes() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        write(
            d,
            "reqs/.doorstop.yml",
            "settings:\n  digits: 3\n  prefix: REQ\n  sep: ''\n",
        );
        write(
            d,
            "reqs/REQ001.yml",
            "active: true\nderived: false\nheader: |\n  泵速\nlevel: 1.10\nlinks: []\nnormative: true\nref: ''\nreviewed: abc\ntext: |\n  第一行\n  second line\npriority: 2\nowner: 王工\n",
        );
        write(d, "reqs/REQ002.yml", "active: false\ntext: gone\n");
        write(
            d,
            "reqs/tests/.doorstop.yml",
            "settings:\n  itemformat: markdown\n  parent: REQ\n  prefix: TST\n",
        );
        write(
            d,
            "reqs/tests/TST001.md",
            "---\nactive: true\nderived: false\nlevel: 2\nlinks:\n- REQ001: stamp\n- REQ002\nnormative: true\n---\n\n# Flow test\n\nRun it.\nTwice.\n",
        );
        let docs = read_tree(d).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].prefix, "REQ");
        assert_eq!(docs[0].items.len(), 2);
        let r = &docs[0].items[0];
        assert_eq!(r.uid, "REQ001");
        assert_eq!(r.header, "泵速");
        assert_eq!(r.text, "第一行\nsecond line");
        assert_eq!(r.level.as_deref(), Some("1.1"));
        assert_eq!(
            r.extra,
            [
                ("priority".to_owned(), Scalar::Integer(2)),
                ("owner".to_owned(), Scalar::Text("王工".into()))
            ]
        );
        assert!(!docs[0].items[1].active);
        let t1 = &docs[1].items[0];
        assert_eq!(docs[1].parent.as_deref(), Some("REQ"));
        assert_eq!(docs[1].path, "reqs/tests");
        assert_eq!(t1.header, "Flow test");
        assert_eq!(t1.text, "Run it.\nTwice.");
        assert_eq!(t1.links, ["REQ001", "REQ002"]);
    }

    #[test]
    fn a_yaml_error_names_the_file_and_line() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "a/.doorstop.yml", "settings:\n  prefix: A\n");
        write(t.path(), "a/A001.yml", "text: ok\nlinks: [\n");
        let e = read_tree(t.path()).unwrap_err();
        assert_eq!(e.file, "a/A001.yml");
        assert!(e.position.is_some(), "{e}");
    }
}
