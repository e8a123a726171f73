//! Reading the `[import.reqif]` and `[import.doorstop]` tables of
//! needtrail.toml with their positions, so that every problem in them is
//! reported as `needtrail.toml:LINE:COL` with a way to fix it.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Problem;
use crate::diag::suggest;

/// needtrail.toml's text, and where a byte offset stands in it.
pub struct ConfigText {
    text: String,
}

impl ConfigText {
    /// Reads `root/needtrail.toml` (an empty text when it cannot be read:
    /// loading the project reports that).
    pub fn read(root: &Path) -> ConfigText {
        let text = std::fs::read_to_string(root.join(crate::load::CONFIG_FILE)).unwrap_or_default();
        ConfigText {
            text: text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned(),
        }
    }

    pub fn from_text(text: &str) -> ConfigText {
        ConfigText {
            text: text.to_owned(),
        }
    }

    /// `needtrail.toml:LINE:COL` of a span.
    pub fn at(&self, span: &Range<usize>) -> String {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}", crate::load::CONFIG_FILE)
    }

    /// The names of the `[import.NAME]` tables, in file order.
    pub fn import_names(&self) -> Vec<String> {
        let Ok(doc) = DeTable::parse(&self.text) else {
            return Vec::new();
        };
        match doc.get_ref().get("import").map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => t.iter().map(|(k, _)| k.get_ref().to_string()).collect(),
            _ => Vec::new(),
        }
    }

    /// The table `[import.NAME]`, when needtrail.toml has one.
    pub fn import_table<'t>(&'t self, name: &str) -> Result<Option<Table<'t>>, Problem> {
        let doc = DeTable::parse(&self.text)
            .map_err(|e| Problem::new(crate::load::CONFIG_FILE, format!("not valid TOML: {e}")))?;
        let doc = doc.into_inner();
        let Some(import) = doc.get("import") else {
            return Ok(None);
        };
        let DeValue::Table(import) = import.get_ref() else {
            return Err(
                Problem::new(self.at(&import.span()), "`import` must be a table")
                    .help("write [import.NAME] tables"),
            );
        };
        let Some(t) = import.get(name) else {
            return Ok(None);
        };
        let DeValue::Table(table) = t.get_ref() else {
            return Err(Problem::new(
                self.at(&t.span()),
                format!("`import.{name}` must be a table"),
            )
            .help(format!("write [import.{name}] and its keys below it")));
        };
        Ok(Some(Table {
            config: self,
            path: format!("import.{name}"),
            table: table.clone(),
            span: t.span(),
        }))
    }
}

/// A table of the mapping, with its path (`import.reqif.types`) for messages.
pub struct Table<'t> {
    config: &'t ConfigText,
    pub path: String,
    table: DeTable<'t>,
    span: Range<usize>,
}

impl<'t> Table<'t> {
    pub fn at(&self, span: &Range<usize>) -> String {
        self.config.at(span)
    }

    /// Every key must be one of `known`: an unknown one is a problem with a
    /// did-you-mean.
    pub fn check_keys(&self, known: &[&str], problems: &mut Vec<Problem>) {
        self.check_keys_hinting(known, &|_| None, problems);
    }

    /// [`check_keys`](Self::check_keys), with `hint` giving the help for
    /// an unknown key it knows more about (a key of another kind of table).
    pub fn check_keys_hinting(
        &self,
        known: &[&str],
        hint: &dyn Fn(&str) -> Option<String>,
        problems: &mut Vec<Problem>,
    ) {
        for (k, _) in self.table.iter() {
            let key = k.get_ref();
            if !known.contains(&key.as_ref()) {
                let help = hint(key).unwrap_or_else(|| match suggest(key, known.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? keys of [{}]: {}",
                        self.path,
                        known.join(", ")
                    ),
                    None => format!("keys of [{}]: {}", self.path, known.join(", ")),
                });
                problems.push(
                    Problem::new(
                        self.at(&k.span()),
                        format!("unknown key `{key}` in [{}]", self.path),
                    )
                    .help(help),
                );
            }
        }
    }

    /// A string value, with its position.
    pub fn string(&self, key: &str, problems: &mut Vec<Problem>) -> Option<(String, String)> {
        let v = self.table.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), self.at(&v.span()))),
            _ => {
                problems.push(
                    Problem::new(
                        self.at(&v.span()),
                        format!("`{key}` in [{}] must be a string in quotes", self.path),
                    )
                    .help(format!("write {key} = \"...\"")),
                );
                None
            }
        }
    }

    /// A `true`/`false` value, with its position.
    pub fn boolean(&self, key: &str, problems: &mut Vec<Problem>) -> Option<bool> {
        let v = self.table.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                problems.push(
                    Problem::new(
                        self.at(&v.span()),
                        format!("`{key}` in [{}] must be true or false", self.path),
                    )
                    .help(format!("write {key} = true, without quotes")),
                );
                None
            }
        }
    }

    /// A sub-table, when given.
    pub fn table(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Table<'t>> {
        let v = self.table.get(key)?;
        self.as_table(key, v, problems)
    }

    fn as_table(
        &self,
        key: &str,
        v: &Spanned<DeValue<'t>>,
        problems: &mut Vec<Problem>,
    ) -> Option<Table<'t>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Table {
                config: self.config,
                path: format!("{}.{key}", self.path),
                table: t.clone(),
                span: v.span(),
            }),
            _ => {
                problems.push(
                    Problem::new(
                        self.at(&v.span()),
                        format!("`{key}` in [{}] must be a table", self.path),
                    )
                    .help(format!(
                        "write [{}.{key}] with one line per entry",
                        self.path
                    )),
                );
                None
            }
        }
    }

    /// Every entry: its key, the key's position, and the value as a string
    /// or as a table.
    pub fn entries(&self, problems: &mut Vec<Problem>) -> Vec<Entry<'t>> {
        let mut out = Vec::new();
        for (k, v) in self.table.iter() {
            let key = k.get_ref().to_string();
            let at = self.at(&k.span());
            let value = match v.get_ref() {
                DeValue::String(s) => EntryValue::String(s.to_string(), self.at(&v.span())),
                DeValue::Table(_) => match self.as_table(&key, v, problems) {
                    Some(t) => EntryValue::Table(t),
                    None => continue,
                },
                _ => {
                    problems.push(
                        Problem::new(
                            self.at(&v.span()),
                            format!("`{key}` in [{}] must be a string or a table", self.path),
                        )
                        .help("write \"NAME\" = \"field\", or \"NAME\" = { field = \"...\", values = { ... } }"),
                    );
                    continue;
                }
            };
            out.push(Entry { key, at, value });
        }
        out
    }

    /// Where the table itself stands.
    pub fn position(&self) -> String {
        self.at(&self.span)
    }
}

/// One `key = value` of a mapping table.
pub struct Entry<'t> {
    pub key: String,
    pub at: String,
    pub value: EntryValue<'t>,
}

pub enum EntryValue<'t> {
    String(String, String),
    Table(Table<'t>),
}
