//! The language of the interface: every word needtrail itself prints
//! (headings, statuses, findings' messages, counts) comes from the catalogue
//! (`templates/i18n.toml` and `templates/i18n-cli.toml`) in the language the
//! user chose with `--lang`, or with `lang` under `[project]` in
//! needtrail.toml. Item texts are never translated.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

use crate::catalog::Catalog;

/// A language of the interface; `--lang` takes its code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// Every language's strings, by key, read once from the catalogue.
struct Strings {
    by_lang: [BTreeMap<&'static str, &'static str>; 2],
}

fn strings() -> &'static Strings {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    static STRINGS: OnceLock<Strings> = OnceLock::new();
    STRINGS.get_or_init(|| {
        let c: &'static Catalog = CATALOG.get_or_init(Catalog::builtin);
        Strings {
            by_lang: Lang::ALL.map(|l| c.language(l.code()).expect("every language is offered")),
        }
    })
}

/// Reads the catalogue now, so that the first message made does not wait
/// for it (see [`crate::pipeline::run_pipeline_as_of`]).
pub fn warm() {
    strings();
}

impl Lang {
    /// Every language offered.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The code the command line, needtrail.toml and HTML use: `en`, `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language with this code, if it is offered.
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The catalogue's string `key` in this language. A key the catalogue
    /// lacks reads as itself (a test checks that every key used is there).
    pub fn t(self, key: &'static str) -> &'static str {
        strings().by_lang[self as usize]
            .get(key)
            .copied()
            .unwrap_or(key)
    }

    /// The string `key` with each `{name}` replaced by its value; `{s}`
    /// after a count is the plural ending, see [`Lang::plural`].
    pub fn f(self, key: &'static str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.t(key), args)
    }

    /// The ending of a plural noun after the count `n`: `s` in English for
    /// any count but one; nothing in Chinese.
    pub fn plural(self, n: usize) -> &'static str {
        match self {
            Lang::En if n != 1 => "s",
            _ => "",
        }
    }
}

impl Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// `template` with each `{name}` of `args` replaced by its value; other
/// braces stay as written.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| Some((close, args.iter().find(|(k, _)| *k == &after[..close])?)));
        match value {
            Some((close, (_, v))) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{v}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_other_braces_kept() {
        assert_eq!(
            fill("{n} row{s}, {x}", &[("n", &3), ("s", &"s")]),
            "3 rows, {x}"
        );
        assert_eq!(fill("{", &[]), "{");
    }

    #[test]
    fn every_key_used_in_the_code_is_in_the_catalogue() {
        let catalog = Catalog::builtin();
        let keys: std::collections::BTreeSet<&str> = catalog.keys().collect();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for marker in [".t(\"", ".f(\""] {
                let mut rest = text.as_str();
                while let Some(pos) = rest.find(marker) {
                    let after = &rest[pos + marker.len()..];
                    let end = after.find('"').unwrap_or(after.len());
                    let key = &after[..end];
                    if !keys.contains(key) {
                        missing.push(format!("{}: {key}", entry.path().display()));
                    }
                    rest = &after[end..];
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys not in the catalogue: {missing:#?}"
        );
    }
}
