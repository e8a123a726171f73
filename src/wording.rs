//! How a requirement or design input is worded: the words that make it
//! ambiguous (`[words.vague]`, `[words.placeholder]`, ...) and whether it
//! states a number with a unit (`[words.units]`). Read by the `wording` and
//! `quantity` checks of the rules.
//!
//! English words match whole words, ignoring ASCII case: `fast` is found in
//! "Fast start-up" but not in "fastening". Chinese words have no spaces to
//! stop at, so they match anywhere, except inside a longer word the list
//! says is fine (`等` is vague in "门锁、合页等", not in "抗风压等级").

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// A compiled word list: one automaton over its words and exceptions.
#[derive(Clone, Debug)]
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// Patterns `0..words` are words, the rest exceptions.
    words: usize,
}

impl Matcher {
    pub fn new(words: &[String], except: &[String]) -> Matcher {
        let patterns: Vec<&str> = words.iter().chain(except).map(String::as_str).collect();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok()
            .filter(|_| !patterns.is_empty());
        Matcher {
            automaton,
            words: words.len(),
        }
    }

    /// The first listed word in `text`: its byte offset and length. Of two
    /// starting at the same place, the longer one.
    pub fn find(&self, text: &str) -> Option<(usize, usize)> {
        let ac = self.automaton.as_ref()?;
        let matches: Vec<Match> = ac
            .find_overlapping_iter(text)
            .map(|m| Match {
                word: m.pattern().as_usize() < self.words,
                start: m.start(),
                end: m.end(),
            })
            .collect();
        first_word(text, &matches)
    }

    /// Whether `text` states a number followed by one of the list's units
    /// (`≥ 98 %`, `4级`, `-20 °C`, `1,500 N`).
    pub fn has_quantity(&self, text: &str) -> bool {
        let Some(ac) = self.automaton.as_ref() else {
            return false;
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            // The number: digits with decimal points and thousands commas.
            let mut end = i;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit()
                    || (matches!(bytes[end], b'.' | b',')
                        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)))
            {
                end += 1;
            }
            // A bound needs no unit when the quantity has none (a friction
            // coefficient `>= 0.30`, a ratio `≤ 0.5`).
            let before = text[..i].trim_end_matches([' ', '\u{a0}', '\u{2009}', '\u{202f}']);
            if ["≥", "≤", ">=", "<=", ">", "<", "≧", "≦", "±"]
                .iter()
                .any(|c| before.ends_with(c))
            {
                return true;
            }
            let rest = text[end..].trim_start_matches([' ', '\u{a0}', '\u{2009}', '\u{202f}']);
            let at = text.len() - rest.len();
            // A unit right after the number lies within the longest word's
            // length of it: only so much is searched, not the rest of the text
            // after every number.
            let near = &rest.as_bytes()[..rest.len().min(ac.max_pattern_len())];
            let unit = ac
                .find_overlapping_iter(near)
                .filter(|m| m.start() == 0 && m.pattern().as_usize() < self.words)
                .any(|m| after_word(text, at + m.end(), &text[at..at + m.end()]));
            if unit {
                return true;
            }
            i = end.max(i + 1);
        }
        false
    }
}

/// A listed word or exception found in a text.
#[derive(Clone, Copy, Debug)]
struct Match {
    /// A word, not an exception.
    word: bool,
    start: usize,
    end: usize,
}

/// The first word of `matches` (all of one list, as an overlapping search
/// gives them) that stands as a whole word and inside no exception: its
/// byte offset and length. Of two starting at the same place, the longer.
fn first_word(text: &str, matches: &[Match]) -> Option<(usize, usize)> {
    matches
        .iter()
        .filter(|m| m.word && whole_word(text, m.start, m.end))
        .filter(|m| {
            !matches
                .iter()
                .any(|f| !f.word && f.start <= m.start && m.end <= f.end)
        })
        .map(|m| (m.start, m.end))
        .min_by_key(|&(s, e)| (s, std::cmp::Reverse(e)))
        .map(|(s, e)| (s, e - s))
}

/// Several word lists compiled into one automaton, so that a text several
/// lists are looked for in (a requirement's title and text, by the vague,
/// placeholder and and/or rules) is read once for all of them. What it
/// finds for each list is what that list's own [`Matcher`] finds.
#[derive(Clone, Debug)]
pub struct Lists {
    automaton: Option<AhoCorasick>,
    /// Each pattern's list, and whether it is a word (not an exception).
    patterns: Vec<(usize, bool)>,
    lists: usize,
}

/// What [`Lists::find_each`] keeps between texts.
#[derive(Default)]
pub struct Scratch(Vec<(usize, Match)>);

impl Lists {
    /// The lists, each as its words and its exceptions; `many_texts` when
    /// they are to read enough text to repay the automaton that is slowest
    /// to build and fastest to read with.
    pub fn new<'a>(lists: &[(&'a [String], &'a [String])], many_texts: bool) -> Lists {
        let mut patterns = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        for (n, (words, except)) in lists.iter().enumerate() {
            for (list, word) in [(words, true), (except, false)] {
                for w in list.iter() {
                    texts.push(w);
                    patterns.push((n, word));
                }
            }
        }
        // The lists together are over a hundred words, where the builder
        // would take a slower automaton to build a smaller one: for many
        // texts, the fastest one is built, once, for all of them (2.5 ms
        // for the built-in lists); for a few, the one quickest to build.
        // Lists too large for the fastest (thousands of a project's own
        // words) get the one the builder picks.
        let build = |kind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&texts)
                .ok()
        };
        let kind = if many_texts {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = build(Some(kind))
            .or_else(|| build(None))
            .filter(|_| !texts.is_empty());
        Lists {
            automaton,
            patterns,
            lists: lists.len(),
        }
    }

    /// How many lists.
    pub fn len(&self) -> usize {
        self.lists
    }

    pub fn is_empty(&self) -> bool {
        self.lists == 0
    }

    /// The first word of each list in `text`, into `out` (a place per
    /// list): what [`Matcher::find`] gives for that list.
    pub fn find_each(&self, text: &str, out: &mut [Option<(usize, usize)>], scratch: &mut Scratch) {
        out.fill(None);
        let Some(ac) = self.automaton.as_ref() else {
            return;
        };
        let found = &mut scratch.0;
        found.clear();
        found.extend(ac.find_overlapping_iter(text).map(|m| {
            let (list, word) = self.patterns[m.pattern().as_usize()];
            (
                list,
                Match {
                    word,
                    start: m.start(),
                    end: m.end(),
                },
            )
        }));
        if found.is_empty() {
            return;
        }
        found.sort_by_key(|(list, _)| *list);
        let mut matches: Vec<Match> = Vec::new();
        for run in found.chunk_by(|a, b| a.0 == b.0) {
            matches.clear();
            matches.extend(run.iter().map(|(_, m)| *m));
            if let Some(slot) = out.get_mut(run[0].0) {
                *slot = first_word(text, &matches);
            }
        }
    }
}

/// An English word matches only as a whole word: no ASCII letter or digit
/// right before or after it. Words that begin or end with another character
/// (`°C`, `%`, Chinese) need no boundary on that side.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = &text[start..end];
    let starts_alnum = word
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let before_ok = !starts_alnum
        || !text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    before_ok && after_word(text, end, word)
}

fn after_word(text: &str, end: usize, word: &str) -> bool {
    let ends_alnum = word
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    !ends_alnum
        || !text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(words: &[&str], except: &[&str]) -> Matcher {
        let w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let e: Vec<String> = except.iter().map(|s| s.to_string()).collect();
        Matcher::new(&w, &e)
    }

    #[test]
    fn english_words_match_whole_words_in_any_case() {
        let m = matcher(&["fast", "as needed", "TBD"], &[]);
        assert_eq!(m.find("Fast start-up"), Some((0, 4)));
        assert_eq!(m.find("fastening torque"), None);
        assert_eq!(m.find("lubricate as needed."), Some((10, 9)));
        assert_eq!(m.find("value tbd"), Some((6, 3)));
        assert_eq!(m.find("TBDs"), None);
    }

    #[test]
    fn chinese_words_match_anywhere_but_inside_an_exception() {
        let m = matcher(&["等", "适当"], &["等级", "一等"]);
        assert_eq!(m.find("抗风压性能等级不低于4级"), None);
        let text = "配门锁、合页等五金件";
        let (at, len) = m.find(text).unwrap();
        assert_eq!(&text[at..at + len], "等");
        assert_eq!(m.find("一等品"), None);
        let text = "适当加强";
        assert_eq!(m.find(text), Some((0, "适当".len())));
    }

    #[test]
    fn the_first_word_wins_and_the_longer_at_one_place() {
        let m = matcher(&["as", "as far as possible", "robust"], &[]);
        assert_eq!(m.find("robust, as far as possible"), Some((0, 6)));
        assert_eq!(m.find("as far as possible"), Some((0, 18)));
    }

    /// Lists read together find, for each list, what the list alone finds:
    /// with words shared between lists, a word of one list that is an
    /// exception of another, and words inside exceptions.
    #[test]
    fn lists_read_together_find_what_each_finds_alone() {
        let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let lists = [
            (
                owned(&["等", "适当", "fast", "as", "as far as possible", "etc."]),
                owned(&["等级", "一等"]),
            ),
            (owned(&["TBD", "待定", "等级", "fast"]), owned(&[])),
            (owned(&["and/or", "和/或"]), owned(&["fast"])),
            (owned(&[]), owned(&["等"])),
        ];
        let refs: Vec<(&[String], &[String])> = lists
            .iter()
            .map(|(w, e)| (w.as_slice(), e.as_slice()))
            .collect();
        // Both automata, the one for few texts and the one for many, find the same.
        for many_texts in [false, true] {
            let together = Lists::new(&refs, many_texts);
            let alone: Vec<Matcher> = lists.iter().map(|(w, e)| Matcher::new(w, e)).collect();
            let mut out = vec![Some((9, 9)); together.len()];
            let mut scratch = Scratch::default();
            let texts = [
                "",
                "抗风压性能等级不低于4级",
                "配门锁、合页等五金件，适当加强",
                "Fast start-up and/or fastening, as far as possible; TBD",
                "一等品 等级 等 待定 和/或 FAST etc.",
                "fastening torque, tbds, ASAP",
                "no listed word at all",
            ];
            for text in texts {
                together.find_each(text, &mut out, &mut scratch);
                let each: Vec<_> = alone.iter().map(|m| m.find(text)).collect();
                assert_eq!(out, each, "{text}");
            }
            assert!(out.iter().any(Option::is_none));
            together.find_each("等级 fast", &mut out, &mut scratch);
            assert_eq!(
                out,
                [
                    Some(("等级 ".len(), 4)),
                    Some((0, "等级".len())),
                    None,
                    None
                ]
            );
        }
    }

    #[test]
    fn a_quantity_is_a_number_followed_by_a_unit() {
        let m = matcher(&["mm", "%", "°C", "级", "N", "s"], &[]);
        assert!(m.has_quantity("抗风压性能不低于4级"));
        assert!(m.has_quantity("pass rate ≥ 98 %"));
        assert!(m.has_quantity("works from -20 °C"));
        assert!(m.has_quantity("holds 1,500 N"));
        assert!(m.has_quantity("closes within 3 s."));
        assert!(!m.has_quantity("closes within 3 seconds or so"));
        assert!(!m.has_quantity("model 2 window"));
        assert!(!m.has_quantity("fast start-up"));
        assert!(!m.has_quantity("2mmx"));
        assert!(m.has_quantity("mu 0.38-0.45, >= 0.30 in fade"));
        assert!(m.has_quantity("摩擦系数 ≥ 0.30"));
    }

    #[test]
    fn a_unit_counts_right_after_its_number_however_long_the_text() {
        let m = matcher(&["W/(m²·K)", "kPa", "s"], &[]);
        // The longest unit, ending the text; and one that starts within
        // its length of the number but runs past it.
        assert!(m.has_quantity("U-value at most 2.0 W/(m²·K)"));
        assert!(m.has_quantity("U 2.0W/(m²·K) and more text after it"));
        assert!(!m.has_quantity("U 2.0 W/(m²·"));
        // A unit far from every number, after many numbers, does not count.
        let mut text = String::new();
        for n in 0..200 {
            text.push_str(&format!("item {n} of the list; "));
        }
        text.push_str("tested at 3.5 kPa");
        assert!(m.has_quantity(&text));
        let far = text.replace("3.5 kPa", "kPa, as before");
        assert!(!m.has_quantity(&far));
        assert!(m.has_quantity(&format!("{far} 3 s")));
    }
}
