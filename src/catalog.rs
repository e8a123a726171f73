//! The interface strings in every language, from `templates/i18n.toml`
//! (the report's) and `templates/i18n-cli.toml` (the other outputs'): one
//! table per message, one key per language.

use std::collections::BTreeMap;

use serde::Deserialize;

const CATALOG: &str = include_str!("../templates/i18n.toml");
const CLI_CATALOG: &str = include_str!("../templates/i18n-cli.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    zh: String,
}

/// Every interface string, by message key.
#[derive(Debug)]
pub struct Catalog {
    entries: BTreeMap<String, Entry>,
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Self {
        let mut entries: BTreeMap<String, Entry> =
            toml::from_str(CATALOG).expect("templates/i18n.toml is a valid catalog");
        let cli: BTreeMap<String, Entry> =
            toml::from_str(CLI_CATALOG).expect("templates/i18n-cli.toml is a valid catalog");
        for (key, entry) in cli {
            let before = entries.insert(key, entry);
            assert!(before.is_none(), "a message is in both catalogue files");
        }
        Catalog { entries }
    }

    /// All strings of one language, by key; `None` for a language not offered.
    pub fn language(&self, lang: &str) -> Option<BTreeMap<&str, &str>> {
        let pick: fn(&Entry) -> &str = match lang {
            "en" => |e| &e.en,
            "zh" => |e| &e.zh,
            _ => return None,
        };
        Some(
            self.entries
                .iter()
                .map(|(k, e)| (k.as_str(), pick(e)))
                .collect(),
        )
    }

    /// Message keys.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// `(key, en, zh)` of every message.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.entries
            .iter()
            .map(|(k, e)| (k.as_str(), e.en.as_str(), e.zh.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_every_language_and_is_translated() {
        let c = Catalog::builtin();
        let mut n = 0;
        for (key, en, zh) in c.entries() {
            n += 1;
            assert!(!en.trim().is_empty(), "{key} has no English");
            assert!(!zh.trim().is_empty(), "{key} has no Chinese");
            // A Chinese string is written in Chinese, not copied from English
            // (numbers, ids, symbols and `{placeholders}` aside).
            let words: String = en
                .split('{')
                .map(|part| part.split_once('}').map_or(part, |(_, rest)| rest))
                .collect();
            assert!(
                zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
                    || !words.chars().any(char::is_alphabetic),
                "{key}: zh `{zh}` is not Chinese"
            );
        }
        assert!(n > 50, "catalog has only {n} messages");
    }
}
