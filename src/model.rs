//! The model: plain data for what the loader found and the rules read.
//!
//! Items live in one vector and are addressed by [`ItemIdx`]; their kinds and
//! field names are small indices into the [`Profile`](crate::profile::Profile).
//! Nothing here knows about TOML, petgraph or templates.

use std::ops::Range;

/// Ids to items: a hash table of item indices, beside the id and kind of
/// every item packed into a few arrays. Resolving a link reads only these,
/// a few megabytes even at a million items, rather than the items spread
/// over the heap; and links are looked up many at a time
/// ([`IdIndex::get_many`]), so that the processor waits for the memory of
/// many lookups at once rather than one after the other. The hash is a fast
/// one: ids are short strings made by people, not chosen by an attacker.
#[derive(Debug, Default)]
pub struct IdIndex {
    /// Open addressing with linear probing, at most half full. A slot holds
    /// an item index plus one (0: empty) and 32 bits of its id's hash, which
    /// rule out almost every other id without reading it.
    slots: Vec<Slot>,
    /// Every item's id, back to back: item `i`'s ends at `ends[i]`.
    ids: String,
    ends: Vec<usize>,
    kinds: Vec<KindIdx>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    item: u32,
    tag: u32,
}

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// How many lookups [`IdIndex::get_many`] makes together.
const LOOKUPS_AT_ONCE: usize = 16;

impl IdIndex {
    /// The index of `items` by id (empty ids left out), and each item whose
    /// id an earlier item already has, with that earlier item.
    pub fn build(items: &[Item]) -> (IdIndex, Vec<(ItemIdx, ItemIdx)>) {
        use rayon::prelude::*;
        // Packed a chunk at a time on every core, then joined in order:
        // ids, where each ends, kinds and hashes.
        type Packed = (String, Vec<usize>, Vec<KindIdx>, Vec<u64>);
        let chunks: Vec<Packed> = items
            .par_chunks(4096)
            .map(|chunk| {
                let mut ids = String::with_capacity(chunk.iter().map(|i| i.id.len()).sum());
                let mut ends = Vec::with_capacity(chunk.len());
                for item in chunk {
                    ids.push_str(&item.id);
                    ends.push(ids.len());
                }
                let kinds = chunk.iter().map(|i| i.kind).collect();
                let hashes = chunk.iter().map(|i| id_hash(&i.id)).collect();
                (ids, ends, kinds, hashes)
            })
            .collect();
        let mut index = IdIndex {
            slots: vec![Slot::default(); (items.len() * 2).next_power_of_two().max(16)],
            ids: String::with_capacity(chunks.iter().map(|c| c.0.len()).sum()),
            ends: Vec::with_capacity(items.len()),
            kinds: Vec::with_capacity(items.len()),
        };
        let mut hashes = Vec::with_capacity(items.len());
        for (ids, ends, kinds, h) in chunks {
            let offset = index.ids.len();
            index.ids.push_str(&ids);
            index.ends.extend(ends.into_iter().map(|e| e + offset));
            index.kinds.extend(kinds);
            hashes.extend(h);
        }
        let mut duplicates = Vec::new();
        let mask = index.slots.len() - 1;
        for (i, &hash) in hashes.iter().enumerate() {
            let idx = ItemIdx(i as u32);
            let id = index.id(idx);
            if id.is_empty() {
                continue;
            }
            let mut at = index.home(hash);
            loop {
                let slot = index.slots[at];
                if slot.item == 0 {
                    index.slots[at] = Slot {
                        item: idx.0 + 1,
                        tag: tag(hash),
                    };
                    break;
                }
                if slot.tag == tag(hash) && index.id(ItemIdx(slot.item - 1)) == id {
                    duplicates.push((idx, ItemIdx(slot.item - 1)));
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        (index, duplicates)
    }

    /// The slot a hash starts probing at: its bits well mixed (Fibonacci
    /// hashing), so that ids differing only at the end spread out.
    /// (The table has at least 16 slots, a power of two.)
    fn home(&self, hash: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// The id of an item.
    pub fn id(&self, idx: ItemIdx) -> &str {
        let i = idx.index();
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }

    /// The kind of an item.
    pub fn kind(&self, idx: ItemIdx) -> KindIdx {
        self.kinds[idx.index()]
    }

    /// The item with this id, probing from `at`.
    fn find(&self, id: &str, hash: u64, mut at: usize) -> Option<ItemIdx> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[at];
            if slot.item == 0 {
                return None;
            }
            let idx = ItemIdx(slot.item - 1);
            if slot.tag == tag(hash) && self.id(idx) == id {
                return Some(idx);
            }
            at = (at + 1) & mask;
        }
    }

    /// The item with this id.
    pub fn get(&self, id: &str) -> Option<ItemIdx> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = id_hash(id);
        self.find(id, hash, self.home(hash))
    }

    /// The items with these ids, in order, as [`IdIndex::get`] finds them.
    /// Lookups go a few at a time, each step done for all of them before
    /// the next: the loads of one step do not wait on each other, so their
    /// waits for memory overlap.
    pub fn get_many(&self, ids: &[&str], found: &mut Vec<Option<ItemIdx>>) {
        found.clear();
        if self.slots.is_empty() {
            found.resize(ids.len(), None);
            return;
        }
        const N: usize = LOOKUPS_AT_ONCE;
        for group in ids.chunks(N) {
            let mut hash = [0u64; N];
            let mut at = [0usize; N];
            for (k, id) in group.iter().enumerate() {
                hash[k] = id_hash(id);
                at[k] = self.home(hash[k]);
            }
            // The first slot of each, then where its candidate's id lies.
            let mut first = [Slot::default(); N];
            for k in 0..group.len() {
                first[k] = self.slots[at[k]];
            }
            let mut span = [(0usize, 0usize); N];
            for k in 0..group.len() {
                let i = first[k].item as usize;
                if i != 0 && first[k].tag == tag(hash[k]) {
                    let start = if i == 1 { 0 } else { self.ends[i - 2] };
                    span[k] = (start, self.ends[i - 1]);
                }
            }
            for (k, id) in group.iter().enumerate() {
                let slot = first[k];
                let hit = slot.item != 0
                    && slot.tag == tag(hash[k])
                    && self.ids.as_bytes().get(span[k].0..span[k].1) == Some(id.as_bytes());
                found.push(if hit {
                    Some(ItemIdx(slot.item - 1))
                } else if slot.item == 0 {
                    None
                } else {
                    self.find(id, hash[k], (at[k] + 1) & (self.slots.len() - 1))
                });
            }
        }
    }

    /// Every indexed item, in no particular order.
    pub fn items(&self) -> impl Iterator<Item = ItemIdx> + '_ {
        self.slots
            .iter()
            .filter(|s| s.item != 0)
            .map(|s| ItemIdx(s.item - 1))
    }
}

/// The bits of a hash kept beside its item.
fn tag(hash: u64) -> u32 {
    hash as u32
}

/// Index of a source file in [`Project::files`].
pub type FileIdx = u32;
/// Index of a kind in the profile.
pub type KindIdx = u16;
/// Index of a field name in the profile's field-name table.
pub type FieldIdx = u16;

/// Index of an item in [`Project::items`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemIdx(pub u32);

impl ItemIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A place in a source file, as a byte range; [`Project::line_col`] turns it
/// into a line and column when a message needs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: FileIdx,
    start: u32,
    end: u32,
}

impl Span {
    /// A span of `bytes` in `file`. Files are read whole into memory, and
    /// needtrail refuses none, so offsets past 4 GiB are clamped.
    pub fn new(file: FileIdx, bytes: Range<usize>) -> Span {
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(bytes.start),
            end: clamp(bytes.end),
        }
    }

    /// The byte range in the file.
    pub fn bytes(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One file the loader read, kept for messages and digests.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    pub text: String,
    /// How many lines end before each block of [`LINE_BLOCK`] bytes, counted
    /// the first time a message needs a line: a count per block rather than
    /// a table of every line, so it takes one quick pass and little memory.
    lines_before: std::sync::OnceLock<Vec<u32>>,
}

/// The size of the blocks [`SourceFile::line_col`] counts lines by.
const LINE_BLOCK: usize = 1024;

fn newlines(bytes: &[u8]) -> u32 {
    // A plain count, which the compiler turns into vector instructions.
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        SourceFile {
            path,
            text,
            lines_before: std::sync::OnceLock::new(),
        }
    }

    fn lines_before(&self) -> &[u32] {
        self.lines_before.get_or_init(|| {
            let mut before = 0;
            self.text
                .as_bytes()
                .chunks(LINE_BLOCK)
                .map(|block| {
                    let at = before;
                    before += newlines(block);
                    at
                })
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let blocks = self.lines_before();
        let block = (offset / LINE_BLOCK).min(blocks.len().saturating_sub(1));
        let line =
            blocks.get(block).copied().unwrap_or(0) + newlines(&bytes[block * LINE_BLOCK..offset]);
        let start = bytes[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col as u32 + 1)
    }
}

/// A scalar or list value of a non-link field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// A TOML date or date-time, kept as written (ISO 8601 sorts as text).
    Date(String),
    Strings(Vec<String>),
    /// A table of ids to fingerprints, as `stamped.REQ-001 = "..."` writes
    /// it, or of an `attributes` field's names to values.
    Map(Table),
}

/// A table of keys to text, in key order, each key once: a fingerprints
/// field (`stamped.REQ-001 = "..."`) or an attributes field.
///
/// Held as one block of text, every key and every value followed by a
/// NUL, which neither may hold (the readers refuse it): a project signed
/// and stamped throughout has a table on nearly every item, and as a list
/// of string pairs each entry took three allocations of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table(Box<str>);

/// Why entries do not make a [`Table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// Two entries have this key.
    Repeated,
    /// A key or a value holds a NUL character.
    Nul,
}

impl Table {
    /// The table of `entries`, in any order.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(
        mut entries: Vec<(K, V)>,
    ) -> Result<Table, TableError> {
        entries.sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        Table::from_sorted(entries.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
    }

    /// The table of `entries`, given in key order.
    pub fn from_sorted<'a>(
        entries: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Result<Table, TableError> {
        let mut text =
            String::with_capacity(entries.clone().map(|(k, v)| k.len() + v.len() + 2).sum());
        let mut last: Option<&str> = None;
        let mut count = 0;
        for (k, v) in entries {
            if last.is_some_and(|l| l >= k) {
                return Err(TableError::Repeated);
            }
            last = Some(k);
            text.push_str(k);
            text.push('\0');
            text.push_str(v);
            text.push('\0');
            count += 1;
        }
        // A NUL inside a key or a value shows as one NUL too many: one
        // count over the whole table rather than a search of each text.
        if text.bytes().filter(|&b| b == 0).count() != 2 * count {
            return Err(TableError::Nul);
        }
        Ok(Table(text.into_boxed_str()))
    }

    /// The entries, in key order.
    pub fn iter(&self) -> Entries<'_> {
        Entries(&self.0)
    }

    pub fn len(&self) -> usize {
        self.0.bytes().filter(|&b| b == 0).count() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        for (k, v) in self {
            match k.cmp(key) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Some(v),
                std::cmp::Ordering::Greater => break,
            }
        }
        None
    }
}

/// The entries of a [`Table`]: key and value.
#[derive(Clone)]
pub struct Entries<'t>(&'t str);

impl<'t> Iterator for Entries<'t> {
    type Item = (&'t str, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        // Keys and values are short: a plain loop finds their ends sooner
        // than a search set up for long text.
        let bytes = self.0.as_bytes();
        let k = bytes.iter().position(|&b| b == 0)?;
        let v = k + 1 + bytes[k + 1..].iter().position(|&b| b == 0)?;
        let entry = (&self.0[..k], &self.0[k + 1..v]);
        self.0 = &self.0[v + 1..];
        Some(entry)
    }
}

impl<'t> IntoIterator for &'t Table {
    type Item = (&'t str, &'t str);
    type IntoIter = Entries<'t>;

    fn into_iter(self) -> Entries<'t> {
        self.iter()
    }
}

impl Value {
    /// The value as a user would read it.
    pub fn display(&self) -> String {
        match self {
            Value::String(s) | Value::Date(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Strings(v) => v.join(", "),
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Whether the value counts as given: empty strings and lists do not.
    pub fn is_present(&self) -> bool {
        match self {
            Value::String(s) => !s.trim().is_empty(),
            Value::Strings(v) => !v.is_empty(),
            Value::Map(m) => !m.is_empty(),
            _ => true,
        }
    }
}

/// A link from an item to an upstream item, through one of its fields.
#[derive(Clone, Debug)]
pub struct Link {
    pub field: FieldIdx,
    pub target: ItemIdx,
    pub span: Span,
    /// Taken from the parent table (e.g. a decision's contract, from its
    /// review) rather than written on the item itself.
    pub inherited: bool,
}

/// One record of the project: a table in an array of tables such as
/// `[[requirement]]`, or a sub-table such as `[[review.decision]]`.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    pub kind: KindIdx,
    pub title: Option<String>,
    /// The table that holds this item, for sub-items such as decisions.
    pub parent: Option<ItemIdx>,
    /// Non-link fields, sorted by field index.
    pub fields: Vec<(FieldIdx, Value)>,
    /// Links to upstream items, in the order written.
    pub links: Vec<Link>,
    /// The table header (`[[requirement]]`) of the item.
    pub span: Span,
    /// Where each field was written, for messages and editing.
    pub field_spans: Vec<(FieldIdx, Span)>,
}

impl Item {
    /// An item with an id, a kind and a header, and nothing else yet.
    pub fn new(id: String, kind: KindIdx, span: Span) -> Item {
        Item {
            id,
            kind,
            title: None,
            parent: None,
            fields: Vec::new(),
            links: Vec::new(),
            span,
            field_spans: Vec::new(),
        }
    }

    pub fn field(&self, field: FieldIdx) -> Option<&Value> {
        self.fields
            .binary_search_by_key(&field, |(f, _)| *f)
            .ok()
            .map(|i| &self.fields[i].1)
    }

    /// Targets of the links written in `field`.
    pub fn links_in(&self, field: FieldIdx) -> impl Iterator<Item = ItemIdx> + '_ {
        self.links
            .iter()
            .filter(move |l| l.field == field)
            .map(|l| l.target)
    }

    pub fn has_links_in(&self, field: FieldIdx) -> bool {
        self.links.iter().any(|l| l.field == field)
    }

    pub fn field_span(&self, field: FieldIdx) -> Option<&Span> {
        self.field_spans
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, s)| s)
    }

    /// The title, or the id when the item has none.
    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }
}

/// Everything loaded from a project folder, checked against the profile.
#[derive(Debug)]
pub struct Project {
    pub name: String,
    /// `[project] lang`: the language of the interface when the command
    /// line names none.
    pub lang: Option<crate::lang::Lang>,
    /// Files in the order they were read (sorted by path).
    pub files: Vec<SourceFile>,
    pub items: Vec<Item>,
    pub by_id: IdIndex,
    /// Items of each kind, in load order, indexed by [`KindIdx`].
    pub by_kind: Vec<Vec<ItemIdx>>,
}

impl Project {
    pub fn item(&self, idx: ItemIdx) -> &Item {
        &self.items[idx.index()]
    }

    pub fn get(&self, id: &str) -> Option<ItemIdx> {
        self.by_id.get(id)
    }

    /// The kind of an item, from a compact array: cheaper than
    /// `item(idx).kind` when items are visited out of order.
    pub fn kind_of(&self, idx: ItemIdx) -> KindIdx {
        self.by_id.kind(idx)
    }

    /// The id of an item, from a compact array: cheaper than
    /// `item(idx).id` when items are visited out of order.
    pub fn id_of(&self, idx: ItemIdx) -> &str {
        self.by_id.id(idx)
    }

    /// Every id in the project, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.items().map(|i| self.by_id.id(i))
    }

    pub fn file_of(&self, idx: ItemIdx) -> &SourceFile {
        &self.files[self.item(idx).span.file as usize]
    }

    /// 1-based line and column where a span starts.
    pub fn line_col(&self, span: &Span) -> (u32, u32) {
        self.files[span.file as usize].line_col(span.bytes().start)
    }

    /// Counts the lines of the files that hold `items`, on every core, ahead
    /// of the many messages that will name lines in them.
    pub fn count_lines(&self, items: impl Iterator<Item = ItemIdx>) {
        use rayon::prelude::*;
        let mut wanted = vec![false; self.files.len()];
        for i in items {
            wanted[self.item(i).span.file as usize] = true;
        }
        self.files
            .par_iter()
            .zip(wanted)
            .filter(|(_, w)| *w)
            .for_each(|(f, _)| {
                f.lines_before();
            });
    }

    /// `path:line` of an item's table header.
    pub fn place(&self, idx: ItemIdx) -> (String, u32) {
        let item = self.item(idx);
        let (line, _) = self.line_col(&item.span);
        (self.files[item.span.file as usize].path.clone(), line)
    }

    /// Where a finding points: its own place if it has one (file, line and
    /// column), else the item's header (file and line).
    pub fn finding_place(&self, item: ItemIdx, at: Option<&Span>) -> (String, u32, Option<u32>) {
        match at {
            Some(span) => {
                let (line, column) = self.line_col(span);
                (
                    self.files[span.file as usize].path.clone(),
                    line,
                    Some(column),
                )
            }
            None => {
                let (file, line) = self.place(item);
                (file, line, None)
            }
        }
    }

    /// The id a person would use to find an item: sub-items name their parent.
    pub fn reference(&self, idx: ItemIdx) -> &str {
        let item = self.item(idx);
        match item.parent {
            Some(p) => &self.item(p).id,
            None => &item.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_gives_back_its_entries_in_key_order() {
        let t = Table::new(vec![
            ("REQ-010", "b2"),
            ("REQ-002", "a1"),
            ("", "empty key"),
            ("标识-1", ""),
        ])
        .unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [
                ("", "empty key"),
                ("REQ-002", "a1"),
                ("REQ-010", "b2"),
                ("标识-1", ""),
            ]
        );
        assert_eq!(t.len(), 4);
        assert!(!t.is_empty());
        assert_eq!(t.get("REQ-010"), Some("b2"));
        assert_eq!(t.get("标识-1"), Some(""));
        assert_eq!(t.get(""), Some("empty key"));
        assert_eq!(t.get("REQ-003"), None);
        assert_eq!(t.get("REQ-1"), None);
        let empty = Table::new(Vec::<(&str, &str)>::new()).unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.iter().next(), None);
        assert_eq!(empty, Table::default());
    }

    #[test]
    fn a_table_refuses_a_repeated_key_and_a_nul() {
        assert_eq!(
            Table::new(vec![("a", "1"), ("b", "2"), ("a", "3")]),
            Err(TableError::Repeated)
        );
        assert_eq!(Table::new(vec![("a\0b", "1")]), Err(TableError::Nul));
        assert_eq!(Table::new(vec![("a", "1\0")]), Err(TableError::Nul));
        assert_eq!(
            Table::from_sorted([("b", "1"), ("a", "2")].into_iter()),
            Err(TableError::Repeated),
            "entries out of order are not taken as sorted"
        );
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a.toml".into(), "a = 1\n标题 = \"x\"\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        let eq = f.text.find('=').unwrap();
        assert_eq!(f.line_col(eq), (1, 3));
        let second_eq = f.text.rfind('=').unwrap();
        assert_eq!(f.line_col(second_eq), (2, 4));
    }

    #[test]
    fn line_col_agrees_with_counting_lines_across_blocks() {
        // Lines of varied length (some empty, some multi-byte) over several
        // blocks, and every offset checked against a plain count, including
        // the end of the text and offsets on block boundaries.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&"需x".repeat(i % 7));
            text.push('\n');
        }
        text.push_str("tail");
        let f = SourceFile::new("big.toml".into(), text.clone());
        let (mut line, mut col) = (1, 1);
        for (offset, ch) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
            if ch == '\n' {
                (line, col) = (line + 1, 1);
            } else {
                col += 1;
            }
        }
        let whole = SourceFile::new("exact.toml".into(), "a\n".repeat(LINE_BLOCK / 2));
        assert_eq!(whole.line_col(LINE_BLOCK), (LINE_BLOCK as u32 / 2 + 1, 1));
        assert_eq!(
            SourceFile::new("e.toml".into(), String::new()).line_col(5),
            (1, 1)
        );
    }

    #[test]
    fn the_id_index_finds_ids_and_kinds_and_names_duplicates() {
        // More items than one packing chunk, so chunks are joined.
        let mut items: Vec<Item> = (0..10_000)
            .map(|i| {
                let id = if i % 1000 == 7 {
                    String::new()
                } else {
                    format!("ID-{i}")
                };
                Item::new(id, (i % 3) as KindIdx, Span::new(0, 0..0))
            })
            .collect();
        items[9_000].id = "ID-4100".into();
        items[9_001].id = "需求-1".into();
        let (index, duplicates) = IdIndex::build(&items);
        assert_eq!(duplicates, vec![(ItemIdx(9_000), ItemIdx(4_100))]);
        assert_eq!(index.get("ID-4100"), Some(ItemIdx(4_100)));
        assert_eq!(index.get("需求-1"), Some(ItemIdx(9_001)));
        assert_eq!(index.get("ID-9001"), None);
        assert_eq!(index.get(""), None);
        assert_eq!(index.get("ID-10000"), None);
        for (i, item) in items.iter().enumerate() {
            let idx = ItemIdx(i as u32);
            assert_eq!(index.id(idx), item.id);
            assert_eq!(index.kind(idx), item.kind);
        }
        // Every item with an id once, empty ids and the duplicate left out.
        assert_eq!(index.items().count(), 10_000 - 10 - 1);

        // Many at a time, as one at a time: ids present and absent, in
        // groups of every length, some probing past their first slot.
        let mut wanted: Vec<String> = (0..10_200).map(|i| format!("ID-{i}")).collect();
        wanted.extend(["", "需求-1", "ID-4100", "id-1", "ID-00"].map(String::from));
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let mut found = Vec::new();
        for len in [0, 1, 15, 16, 17, wanted.len()] {
            index.get_many(&wanted[..len], &mut found);
            let one_by_one: Vec<_> = wanted[..len].iter().map(|id| index.get(id)).collect();
            assert_eq!(found, one_by_one);
        }
        assert_eq!(found.iter().flatten().count(), 10_000 - 10 - 1 + 1);
        let (empty, _) = IdIndex::build(&[]);
        empty.get_many(&["A", "B"], &mut found);
        assert_eq!(found, [None, None]);
        assert_eq!(empty.get("A"), None);
    }

    #[test]
    fn empty_values_are_not_present() {
        assert!(!Value::String("  ".into()).is_present());
        assert!(!Value::Strings(vec![]).is_present());
        assert!(Value::Bool(false).is_present());
    }
}
