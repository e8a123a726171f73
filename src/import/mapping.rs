//! Spreadsheet mappings: `[import.NAME]` in needtrail.toml says how the
//! rows and title block of a sheet become records (see docs/import.md).
//!
//! [`Mapping::parse`] reads and checks a mapping (every problem with its
//! line and column in needtrail.toml); [`Mapping::batch`] reads a
//! [`Grid`] with it and gives the [`Batch`] that [`crate::import::apply`]
//! imports (every problem with its sheet and cell).

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::sheet::{self, Cell, CsvOptions, Grid, cell_name, column_letters};
use super::{Batch, ParentKey, Problem, Record, Scope, SourceField, SourceValue};
use crate::diag::suggest;
use crate::model::SourceFile;
use crate::profile::{FieldType, Profile};

/// The names that are not spreadsheet mappings but built-in importers.
pub const RESERVED: &[&str] = &["junit", "reqif", "doorstop"];

pub(super) const MAPPING_KEYS: &[&str] = &[
    "sheet",
    "header_row",
    "last_row",
    "stop_at",
    "end_at_blank_row",
    "fill_down",
    "encoding",
    "delimiter",
    "item",
];
const ITEM_KEYS: &[&str] = &[
    "kind",
    "file",
    "once",
    "id",
    "parent",
    "key",
    "only_if_filled",
    "fields",
];
const SOURCE_KEYS: &[&str] = &[
    "column", "cell", "after", "value", "template", "id_of", "map", "only_new",
];

/// Where a value comes from.
#[derive(Clone, Debug)]
enum From {
    /// The row's cell in a column (header name, or letters).
    Column(String),
    /// A fixed cell, e.g. in the title block.
    Cell(usize, usize),
    /// The first filled cell right of the cell that reads this label.
    After(String),
    /// A constant.
    Value(String),
    /// Text made from the row's cells: `REQ-{序号:03}`.
    Template(Vec<Part>),
    /// The id of the item of this kind made from the same row (or file).
    IdOf(String),
}

#[derive(Clone, Debug)]
enum Part {
    Text(String),
    /// A column and the width to pad a number to with zeros.
    Column(String, usize),
}

#[derive(Clone, Debug)]
struct Source {
    from: From,
    map: Option<Vec<(String, String)>>,
    only_new: bool,
    /// Where the source is written in needtrail.toml.
    at: String,
}

#[derive(Clone, Debug)]
struct ItemMap {
    kind: String,
    file: String,
    once: bool,
    id: Option<Source>,
    parent: Option<Source>,
    key: Option<String>,
    only_if_filled: Vec<(String, String)>,
    fields: Vec<(String, Source)>,
}

/// A checked `[import.NAME]`.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub name: String,
    pub sheet: Option<String>,
    /// 1-based.
    header_row: usize,
    last_row: Option<usize>,
    /// Words that end the table, as labels without spaces (see [`squeeze`]).
    stop_at: Vec<String>,
    end_at_blank_row: bool,
    fill_down: Vec<(String, String)>,
    pub csv: CsvOptions,
    items: Vec<ItemMap>,
    at: String,
}

/// Reads values out of needtrail.toml, collecting problems with their places.
struct Reader<'a> {
    source: &'a SourceFile,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn loc(&self, span: Range<usize>) -> String {
        let (line, col) = self.source.line_col(span.start);
        format!("{}:{line}:{col}", self.source.path)
    }

    fn err(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        let p = Problem::new(self.loc(span), message).help(help);
        self.problems.push(p);
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (k, _) in table.iter() {
            let name = k.get_ref().as_ref();
            if !known.contains(&name) {
                let help = match suggest(name, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("{what} takes: {}", known.join(", ")),
                };
                self.err(k.span(), format!("unknown key `{name}` in {what}"), help);
            }
        }
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.err(
                    v.span(),
                    format!("`{key}` must be a string"),
                    format!("write it in quotes: {key} = \"...\""),
                );
                None
            }
        }
    }

    fn strings(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Vec<String> {
        match v.get_ref() {
            DeValue::String(s) => vec![s.to_string()],
            DeValue::Array(a) => a.iter().filter_map(|x| self.string(x, key)).collect(),
            _ => {
                self.err(
                    v.span(),
                    format!("`{key}` must be a string or a list of strings"),
                    format!("e.g. {key} = [\"...\"]"),
                );
                Vec::new()
            }
        }
    }

    fn positive(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<usize> {
        if let DeValue::Integer(i) = v.get_ref()
            && let Ok(n) = i.to_string().parse::<usize>()
            && n >= 1
        {
            return Some(n);
        }
        self.err(
            v.span(),
            format!("`{key}` must be a row number (1 or more)"),
            format!("e.g. {key} = 5, as the row is numbered in the spreadsheet"),
        );
        None
    }

    fn bool(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> bool {
        match v.get_ref() {
            DeValue::Boolean(b) => *b,
            _ => {
                self.err(
                    v.span(),
                    format!("`{key}` must be true or false"),
                    format!("e.g. {key} = true"),
                );
                false
            }
        }
    }

    /// A value source: a string (a column, or for `id`/`parent` a
    /// template) or a table with one of the source keys.
    fn source(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        key: &str,
        string_is_template: bool,
    ) -> Option<Source> {
        let at = self.loc(v.span());
        match v.get_ref() {
            DeValue::String(s) => {
                let from = if string_is_template {
                    self.template(s, v.span())?
                } else {
                    From::Column(s.trim().to_owned())
                };
                Some(Source {
                    from,
                    map: None,
                    only_new: false,
                    at,
                })
            }
            DeValue::Table(t) => {
                self.unknown_keys(t, SOURCE_KEYS, &format!("the source of `{key}`"));
                let mut from = Vec::new();
                let mut map = None;
                let mut only_new = false;
                for (k, val) in t.iter() {
                    let name = k.get_ref().as_ref();
                    match name {
                        "column" => {
                            if let Some(s) = self.string(val, name) {
                                from.push(From::Column(s.trim().to_owned()));
                            }
                        }
                        "cell" => {
                            if let Some(s) = self.string(val, name) {
                                match sheet::parse_cell(&s) {
                                    Some((r, c)) => from.push(From::Cell(r, c)),
                                    None => self.err(
                                        val.span(),
                                        format!("`{s}` is not a cell"),
                                        "name a cell by column letters and row number, e.g. cell = \"B3\"",
                                    ),
                                }
                            }
                        }
                        "after" => {
                            if let Some(s) = self.string(val, name) {
                                from.push(From::After(label(&s)));
                            }
                        }
                        "value" => {
                            if let Some(s) = self.string(val, name) {
                                from.push(From::Value(s));
                            }
                        }
                        "template" => {
                            if let Some(s) = self.string(val, name)
                                && let Some(t) = self.template(&s, val.span())
                            {
                                from.push(t);
                            }
                        }
                        "id_of" => {
                            if let Some(s) = self.string(val, name) {
                                from.push(From::IdOf(s));
                            }
                        }
                        "map" => match val.get_ref() {
                            DeValue::Table(m) => {
                                let mut pairs = Vec::new();
                                for (mk, mv) in m.iter() {
                                    if let Some(s) = self.string(mv, "a value of `map`") {
                                        pairs.push((mk.get_ref().trim().to_owned(), s));
                                    }
                                }
                                map = Some(pairs);
                            }
                            _ => self.err(
                                val.span(),
                                "`map` must be a table of the sheet's words to values",
                                "e.g. map = { \"是\" = \"accepted\", \"否\" = \"rejected\" }",
                            ),
                        },
                        "only_new" => only_new = self.bool(val, name),
                        _ => {}
                    }
                }
                if from.len() != 1 {
                    self.err(
                        v.span(),
                        format!("the source of `{key}` must name exactly one of column, cell, after, value, template, id_of"),
                        "e.g. { column = \"顾客要求\" }, { cell = \"B3\" }, { after = \"合同编号\" }, { value = \"CON-002\" }",
                    );
                    return None;
                }
                Some(Source {
                    from: from.remove(0),
                    map,
                    only_new,
                    at,
                })
            }
            _ => {
                self.err(
                    v.span(),
                    format!("`{key}` must be a column name in quotes or a table such as {{ column = \"...\" }}"),
                    "see docs/import.md for the sources a value can come from",
                );
                None
            }
        }
    }

    fn template(&mut self, s: &str, span: Range<usize>) -> Option<From> {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.err(
                    span,
                    format!("`{s}` opens a `{{` it does not close"),
                    "write a column in braces, e.g. \"REQ-{序号:03}\"",
                );
                return None;
            };
            let inner = &rest[open + 1..open + close];
            let (col, width) = match inner.rsplit_once(':') {
                Some((c, w)) => match w.parse::<usize>() {
                    Ok(n) if n <= 12 => (c, n),
                    _ => {
                        self.err(
                            span,
                            format!("`{{{inner}}}`: after `:` comes the number of digits to pad to, e.g. {{{c}:03}}"),
                            "remove the `:...` or write a width such as 03",
                        );
                        return None;
                    }
                },
                None => (inner, 0),
            };
            if col.trim().is_empty() {
                self.err(
                    span,
                    "`{}` names no column",
                    "write a column in braces, e.g. {序号}",
                );
                return None;
            }
            parts.push(Part::Column(col.trim().to_owned(), width));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Some(From::Template(parts))
    }
}

/// `import.NAME` as written in a TOML header: NAME in quotes unless it is
/// a bare key.
pub fn header(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare {
        format!("import.{name}")
    } else {
        format!("import.{}", toml_edit::Value::from(name))
    }
}

/// A label as matched: trimmed, without a trailing colon.
fn label(s: &str) -> String {
    s.trim().trim_end_matches([':', '：']).trim().to_owned()
}

/// A name or label without any of its spaces and line breaks (full-width
/// spaces too), as header names and labels are matched: forms space out
/// short labels (`日  期`) and break long ones over lines (`顾客\n要求`).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A header name on one line, for messages: each run of spaces and line
/// breaks as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Mapping {
    /// The names of the mappings in needtrail.toml.
    pub fn names(config: &SourceFile) -> Vec<String> {
        super::config::ConfigText::from_text(&config.text).import_names()
    }

    /// Reads `[import.NAME]` from needtrail.toml and checks it against the
    /// profile.
    pub fn parse(
        config: &SourceFile,
        name: &str,
        profile: &Profile,
    ) -> Result<Mapping, Vec<Problem>> {
        let mut r = Reader {
            source: config,
            problems: Vec::new(),
        };
        let doc = DeTable::parse(&config.text).map_err(|e| {
            vec![Problem::new(
                r.loc(e.span().unwrap_or(0..0)),
                format!("invalid TOML: {}", e.message().trim_end()),
            )]
        })?;
        let table = match doc.get_ref().get("import").map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => t.get(name),
            _ => None,
        };
        let Some(table) = table else {
            let names = Mapping::names(config);
            let help = match suggest(name, names.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if names.is_empty() => "declare it in needtrail.toml as [import.NAME] with its sheet, header row and items: see docs/import.md".to_owned(),
                None => format!("the mappings are: {}; or declare [{}] (see docs/import.md)", names.join(", "), header(name)),
            };
            return Err(vec![
                Problem::new(
                    config.path.clone(),
                    format!("no mapping `{name}` in [import]"),
                )
                .help(help),
            ]);
        };
        let span = table.span();
        let DeValue::Table(t) = table.get_ref() else {
            r.err(
                span,
                format!("`{}` must be a table", header(name)),
                format!("write it as [{}]", header(name)),
            );
            return Err(r.problems);
        };
        r.unknown_keys(t, MAPPING_KEYS, &format!("[{}]", header(name)));
        let mut m = Mapping {
            name: name.to_owned(),
            sheet: None,
            header_row: 1,
            last_row: None,
            stop_at: Vec::new(),
            end_at_blank_row: false,
            fill_down: Vec::new(),
            csv: CsvOptions::default(),
            items: Vec::new(),
            at: r.loc(span.clone()),
        };
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "sheet" => m.sheet = r.string(v, key),
                "header_row" => m.header_row = r.positive(v, key).unwrap_or(1),
                "last_row" => m.last_row = r.positive(v, key),
                "stop_at" => {
                    m.stop_at = r
                        .strings(v, key)
                        .iter()
                        .map(|s| squeeze(&label(s)))
                        .collect()
                }
                "end_at_blank_row" => m.end_at_blank_row = r.bool(v, key),
                "fill_down" => {
                    let at = r.loc(v.span());
                    m.fill_down = r
                        .strings(v, key)
                        .into_iter()
                        .map(|c| (c.trim().to_owned(), at.clone()))
                        .collect();
                }
                "encoding" => {
                    if let Some(s) = r.string(v, key) {
                        if encoding_rs::Encoding::for_label(s.trim().as_bytes()).is_none() {
                            r.err(
                                v.span(),
                                format!("unknown encoding `{s}`"),
                                "write e.g. \"utf-8\" or \"gbk\"",
                            );
                        }
                        m.csv.encoding = Some(s);
                    }
                }
                "delimiter" => {
                    if let Some(s) = r.string(v, key) {
                        let s = if s == "\\t" { "\t".to_owned() } else { s };
                        if s.len() == 1 {
                            m.csv.delimiter = Some(s.as_bytes()[0]);
                        } else {
                            r.err(
                                v.span(),
                                "`delimiter` must be one character",
                                "e.g. delimiter = \";\" or \"\\t\" for tabs",
                            );
                        }
                    }
                }
                "item" => match v.get_ref() {
                    DeValue::Array(a) => {
                        for it in a.iter() {
                            if let Some(item) = read_item(&mut r, it, profile) {
                                m.items.push(item);
                            }
                        }
                    }
                    _ => r.err(
                        v.span(),
                        "`item` must be an array of tables",
                        format!("write each as [[{}.item]]", header(name)),
                    ),
                },
                _ => {}
            }
        }
        if m.items.is_empty() && r.problems.is_empty() {
            r.err(
                span,
                format!("[{}] makes no items", header(name)),
                format!(
                    "add an [[{}.item]] with kind, file, id and fields (see docs/import.md)",
                    header(name)
                ),
            );
        }
        if let (Some(last), Some(v)) = (m.last_row, t.get("last_row"))
            && last <= m.header_row
        {
            r.err(
                v.span(),
                format!(
                    "`last_row = {last}` is not below the header (row {})",
                    m.header_row
                ),
                "last_row is the last row of the table, below header_row; leave it out to read to the end",
            );
        }
        check_links_between_items(&mut r, &m);
        if r.problems.is_empty() {
            Ok(m)
        } else {
            Err(r.problems)
        }
    }

    /// Reads a sheet with the mapping: the records of its rows and title
    /// block. `file` names the source in messages.
    pub fn batch(
        &self,
        grid: &Grid,
        file: &str,
        sheet_name: Option<&str>,
    ) -> Result<Batch, Vec<Problem>> {
        let place = match sheet_name {
            Some(s) => format!("{file}, sheet {s}"),
            None => file.to_owned(),
        };
        let mut problems = Vec::new();
        let header = self.header_row - 1;
        // Header names to columns (the first column of a name; later ones
        // with the same name are remembered to say so).
        let mut columns: HashMap<String, usize> = HashMap::new();
        let mut doubled: HashMap<String, Vec<usize>> = HashMap::new();
        // The same names without their spaces and line breaks: a form's
        // narrow column reads `顾客\n要求` or `评 审 人`, and the mapping
        // says `顾客要求`, `评审人`.
        let mut loose: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names_in_order = Vec::new();
        for (c, cell) in grid.row(header).iter().enumerate() {
            let name = cell.text();
            if name.is_empty() {
                continue;
            }
            loose.entry(squeeze(&name)).or_default().push(c);
            if let Some(first) = columns.get(&name) {
                doubled
                    .entry(name.clone())
                    .or_insert_with(|| vec![*first])
                    .push(c);
            } else {
                columns.insert(name.clone(), c);
                names_in_order.push(name);
            }
        }
        if columns.is_empty() {
            return Err(vec![
                Problem::new(
                    format!("{place}, row {}", self.header_row),
                    format!(
                        "row {} is empty, but the mapping says the header is there",
                        self.header_row
                    ),
                )
                .help(format!(
                    "set header_row in [{}] ({}) to the row that holds the column names",
                    self::header(&self.name),
                    self.at
                )),
            ]);
        }
        let width = grid.width();
        let resolve = |name: &str, at: &str, problems: &mut Vec<Problem>| -> Option<usize> {
            if let Some(cols) = doubled.get(name) {
                let letters: Vec<String> = cols.iter().map(|c| column_letters(*c)).collect();
                problems.push(
                    Problem::new(
                        at,
                        format!(
                            "{place} has {} columns named `{name}` ({})",
                            cols.len(),
                            letters.join(", ")
                        ),
                    )
                    .help(format!(
                        "name the column by its letter instead, e.g. {{ column = \"{}\" }}",
                        letters[0]
                    )),
                );
                return None;
            }
            if let Some(c) = columns.get(name) {
                return Some(*c);
            }
            // Letters name a column the sheet uses; past its last one they
            // are a misspelt header (`Req`, `Src`), which would read blanks.
            // Capitals are column letters as written (`D` of a remarks
            // column empty this time); others only within the sheet.
            let as_letters = sheet::parse_column(name);
            if let Some(c) = as_letters
                && (c < width || name.trim().bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Some(c);
            }
            match loose.get(&squeeze(name)).map(Vec::as_slice) {
                Some(&[c]) => return Some(c),
                Some(cols) => {
                    let letters: Vec<String> = cols.iter().map(|c| column_letters(*c)).collect();
                    problems.push(
                        Problem::new(
                            at,
                            format!(
                                "{place} has {} columns named like `{name}` ({})",
                                cols.len(),
                                letters.join(", ")
                            ),
                        )
                        .help(format!(
                            "write the name as the header has it, spaces and all, or name the column by its letter, e.g. {{ column = \"{}\" }}",
                            letters[0]
                        )),
                    );
                    return None;
                }
                None => {}
            }
            let shown: Vec<String> = names_in_order.iter().map(|n| one_line(n)).collect();
            let hint = suggest(name, shown.iter().map(String::as_str))
                .or_else(|| shown.iter().map(String::as_str).find(|h| h.contains(name)))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let past = as_letters.map_or_else(String::new, |c| {
                format!(
                    "; as column letters it is column {}, past the last column of the sheet ({})",
                    column_letters(c),
                    column_letters(width.max(1) - 1)
                )
            });
            // A CSV file split at another character (Excel saves `;` where
            // the comma is the decimal mark) reads as one column.
            let split_by = match shown.as_slice() {
                [only] if sheet_name.is_none() => [';', '\t', '|']
                    .into_iter()
                    .find(|d| only.contains(*d) && only.contains(name)),
                _ => None,
            };
            let help = match split_by {
                Some(d) => {
                    let written = if d == '\t' {
                        "\\t".to_owned()
                    } else {
                        d.to_string()
                    };
                    format!(
                        "the header reads as one column, `{}`: the file separates its values with `{written}`, not commas; add delimiter = \"{written}\" to [{}] ({})",
                        shown[0],
                        self::header(&self.name),
                        self.at
                    )
                }
                None => format!(
                    "{hint}the header has: {}; names are matched whatever their spaces and line breaks, or give a column letter such as \"C\"",
                    shown.join(", ")
                ),
            };
            problems.push(
                Problem::new(
                    at,
                    format!(
                        "no column `{name}` in the header (row {}) of {place}{past}",
                        self.header_row
                    ),
                )
                .help(help),
            );
            None
        };
        // Every column the mapping reads, resolved once.
        let mut col_of: HashMap<String, usize> = HashMap::new();
        let mut want = |name: &str, at: &str, problems: &mut Vec<Problem>| {
            if !col_of.contains_key(name)
                && let Some(c) = resolve(name, at, problems)
            {
                col_of.insert(name.to_owned(), c);
            }
        };
        for (c, at) in &self.fill_down {
            want(c, at, &mut problems);
        }
        for item in &self.items {
            for (c, at) in &item.only_if_filled {
                want(c, at, &mut problems);
            }
            let sources = item
                .id
                .iter()
                .chain(&item.parent)
                .chain(item.fields.iter().map(|(_, s)| s));
            for s in sources {
                match &s.from {
                    From::Column(c) => {
                        if item.once {
                            problems.push(
                                Problem::new(&s.at, format!("an item made once per file cannot read column `{c}` of a row"))
                                    .help("take the value from a cell of the title block: { cell = \"B3\" } or { after = \"LABEL\" }"),
                            );
                        } else {
                            want(c, &s.at, &mut problems);
                        }
                    }
                    From::Template(parts) => {
                        for p in parts {
                            if let Part::Column(c, _) = p {
                                if item.once {
                                    problems.push(Problem::new(
                                        &s.at,
                                        format!("an item made once per file cannot use column `{c}` in a template"),
                                    ));
                                } else {
                                    want(c, &s.at, &mut problems);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // Values of the title block, read once.
        let mut fixed: HashMap<String, (SourceValue, String)> = HashMap::new();
        for item in &self.items {
            let sources = item
                .id
                .iter()
                .chain(&item.parent)
                .chain(item.fields.iter().map(|(_, s)| s));
            for s in sources {
                let (cell, at) = match &s.from {
                    From::Cell(r, c) => (grid.get(*r, *c).clone(), cell_name(*r, *c)),
                    From::After(l) => match find_after(grid, l) {
                        Some(((r, _), Some(c))) => (grid.get(r, c).clone(), cell_name(r, c)),
                        // The label with nothing right of it: a blank value.
                        Some(((r, c), None)) => (Cell::Empty, cell_name(r, c + 1)),
                        None => {
                            problems.push(
                                Problem::new(&s.at, format!("{place} has no cell reading `{l}`"))
                                    .help("check the label as it stands in the sheet (matched after trimming, a final colon aside), or name the cell: { cell = \"B3\" }"),
                            );
                            continue;
                        }
                    },
                    _ => continue,
                };
                match cell_value(&cell) {
                    Ok(v) => {
                        fixed.insert(format!("{:?}", s.from), (v, at));
                    }
                    Err((message, help)) => {
                        problems.push(Problem::new(format!("{place}, {at}"), message).help(help));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        // The rows of the table.
        let mut batch = Batch {
            new_file_comment: Some(format!(
                "Imported with `needtrail import {}` from {}.\nRe-import the sheet to update these items; edits to the fields it fills are overwritten.",
                self.name,
                file_name(file)
            )),
            ..Batch::default()
        };
        let read_cols: Vec<usize> = col_of.values().copied().collect();
        let mut last: HashMap<usize, Cell> = HashMap::new();
        let fill: Vec<usize> = self
            .fill_down
            .iter()
            .filter_map(|(c, _)| col_of.get(c).copied())
            .collect();
        let end = self
            .last_row
            .map_or(grid.height(), |l| l.min(grid.height()));
        let mut once_ids: HashMap<&str, String> = HashMap::new();
        // Items made once: their ids first, for `id_of` in rows.
        let mut once_failed: Vec<&str> = Vec::new();
        let once_records = self.once_records(
            &fixed,
            &place,
            &mut once_ids,
            &mut once_failed,
            &mut problems,
        );
        for row in header + 1..end {
            let cells = grid.row(row);
            if !self.stop_at.is_empty()
                && let Some((col, text)) = cells.iter().enumerate().find_map(|(c, cell)| {
                    let t = cell.text();
                    (!t.is_empty()
                        && self
                            .stop_at
                            .iter()
                            .any(|s| squeeze(&label(&t)).starts_with(s.as_str())))
                    .then_some((c, t))
                })
            {
                // A row that holds data besides the matched cell is no
                // conclusion block: a remark typed into a spare column ended
                // the table there, and is said.
                // (Cells merged with the matched one hold its text.)
                let data_row = read_cols.iter().any(|&c| {
                    let cell = grid.get(row, c);
                    c != col && !cell.is_blank() && cell.text() != text
                });
                let mut shown: String = text.chars().take(20).collect();
                if shown.len() < text.len() {
                    shown.push('…');
                }
                if data_row {
                    batch.notes.push(format!(
                    "{place}: the table ends before row {} ({} reads `{}`, which `stop_at` names); rows after it are not read",
                    row + 1,
                    cell_name(row, col),
                    one_line(&shown)
                ));
                }
                break;
            }
            let blank = read_cols.iter().all(|c| grid.get(row, *c).is_blank());
            if blank {
                if self.end_at_blank_row {
                    break;
                }
                continue;
            }
            let cell_at = |c: usize| -> Cell {
                let v = grid.get(row, c);
                if v.is_blank()
                    && fill.contains(&c)
                    && let Some(prev) = last.get(&c)
                {
                    return prev.clone();
                }
                v.clone()
            };
            let origin = format!("{place}, row {}", row + 1);
            let mut ids: HashMap<&str, String> = once_ids.clone();
            // The kinds of the row's items not made: their id or a value
            // could not be read (reported); items naming them are not
            // made either.
            let mut not_made: Vec<&str> = once_failed.clone();
            // Ids first, so that fields can name the row's other items.
            for item in self.items.iter().filter(|i| !i.once) {
                if let Some(Source {
                    from: From::Template(parts),
                    ..
                }) = &item.id
                {
                    match render(parts, &col_of, &cell_at) {
                        Ok(id) => {
                            ids.insert(item.kind.as_str(), id);
                        }
                        Err((c, why)) => {
                            if item.only_if_filled.iter().all(|(o, _)| {
                                !col_of.get(o).is_none_or(|oc| cell_at(*oc).is_blank())
                            }) {
                                not_made.push(item.kind.as_str());
                                problems.push(Problem::new(
                                    format!("{place}, {}", cell_name(row, c)),
                                    why,
                                ));
                            }
                        }
                    }
                } else if let Some(s) = &item.id {
                    match self.value(s, &col_of, &cell_at, &fixed, &ids, row) {
                        Ok((v, _)) => {
                            ids.insert(item.kind.as_str(), text_of(&v));
                        }
                        Err(p) => {
                            not_made.push(item.kind.as_str());
                            problems.push(p.in_place(&place));
                        }
                    }
                }
            }
            // The row's items, made in the mapping's order; those whose
            // values failed, and then those that name one of them, are
            // taken out below.
            let mut made: Vec<(&ItemMap, Record)> = Vec::new();
            for item in self.items.iter().filter(|i| !i.once) {
                if item
                    .only_if_filled
                    .iter()
                    .any(|(c, _)| col_of.get(c).is_none_or(|c| cell_at(*c).is_blank()))
                    || not_made.contains(&item.kind.as_str())
                    || names_any(item, &not_made)
                {
                    // Its problem is reported; what it would have made,
                    // and what names it, are not made.
                    continue;
                }
                let mut fields = Vec::with_capacity(item.fields.len());
                // A value that could not be read is reported; the item is
                // then not made, so that what it lacks is not reported too.
                let mut failed = false;
                for (name, s) in &item.fields {
                    match self.value(s, &col_of, &cell_at, &fixed, &ids, row) {
                        Ok((v, at)) => {
                            let mut f = SourceField::new(name.clone(), v);
                            f.at = at;
                            f.only_new = s.only_new;
                            fields.push(f);
                        }
                        Err(p) => {
                            failed = true;
                            problems.push(p.in_place(&place));
                        }
                    }
                }
                let parent = match &item.parent {
                    None => None,
                    Some(s) => match self.value(s, &col_of, &cell_at, &fixed, &ids, row) {
                        Ok((v, _)) => Some(ParentKey {
                            id: text_of(&v),
                            key: item.key.clone().unwrap_or_default(),
                        }),
                        Err(p) => {
                            failed = true;
                            problems.push(p.in_place(&place));
                            None
                        }
                    },
                };
                if failed {
                    not_made.push(item.kind.as_str());
                    continue;
                }
                made.push((
                    item,
                    Record {
                        kind: item.kind.clone(),
                        id: if item.parent.is_some() {
                            String::new()
                        } else {
                            ids.get(item.kind.as_str()).cloned().unwrap_or_default()
                        },
                        fields,
                        file: item.file.clone(),
                        origin: origin.clone(),
                        parent,
                    },
                ));
            }
            batch.records.extend(
                made.into_iter()
                    .filter(|(item, _)| !names_any(item, &not_made))
                    .map(|(_, r)| r),
            );
            for c in &fill {
                let v = grid.get(row, *c);
                if !v.is_blank() {
                    last.insert(*c, v.clone());
                }
            }
        }
        let mut records = once_records;
        records.append(&mut batch.records);
        batch.records = records;
        for item in &self.items {
            if item.parent.is_some() {
                if !batch.sub_scopes.contains(&item.kind) {
                    batch.sub_scopes.push(item.kind.clone());
                }
            } else if !item.once {
                let prefix = match &item.id {
                    Some(Source {
                        from: From::Template(parts),
                        ..
                    }) => match parts.first() {
                        Some(Part::Text(t)) => t.clone(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                batch.scopes.push(Scope {
                    kind: item.kind.clone(),
                    file: item.file.clone(),
                    id_prefix: prefix,
                    linked: None,
                });
            }
        }
        // Problems in the rows go with the batch, to be reported together
        // with what checking its records finds (a bad number, a link to
        // nothing, an id given twice), not one stage at a time.
        batch.problems = problems;
        Ok(batch)
    }

    fn once_records<'m>(
        &'m self,
        fixed: &HashMap<String, (SourceValue, String)>,
        place: &str,
        ids: &mut HashMap<&'m str, String>,
        failed: &mut Vec<&'m str>,
        problems: &mut Vec<Problem>,
    ) -> Vec<Record> {
        let none: HashMap<String, usize> = HashMap::new();
        let no_cell = |_: usize| Cell::Empty;
        let mut out = Vec::new();
        for item in self.items.iter().filter(|i| i.once) {
            if let Some(s) = &item.id {
                match self.value(s, &none, &no_cell, fixed, ids, 0) {
                    Ok((v, _)) => {
                        ids.insert(item.kind.as_str(), text_of(&v));
                    }
                    Err(p) => {
                        failed.push(item.kind.as_str());
                        problems.push(p.in_place(place));
                    }
                }
            }
        }
        for item in self.items.iter().filter(|i| i.once) {
            let mut fields = Vec::new();
            let mut bad = failed.contains(&item.kind.as_str());
            for (name, s) in &item.fields {
                match self.value(s, &none, &no_cell, fixed, ids, 0) {
                    Ok((v, at)) => {
                        let mut f = SourceField::new(name.clone(), v);
                        f.at = at;
                        f.only_new = s.only_new;
                        fields.push(f);
                    }
                    Err(p) => {
                        bad = true;
                        problems.push(p.in_place(place));
                    }
                }
            }
            if bad {
                // Reported; not made, and the rows' items that name it
                // are not made either.
                if !failed.contains(&item.kind.as_str()) {
                    failed.push(item.kind.as_str());
                }
                continue;
            }
            out.push(Record {
                kind: item.kind.clone(),
                id: ids.get(item.kind.as_str()).cloned().unwrap_or_default(),
                fields,
                file: item.file.clone(),
                origin: format!("{place}, title block"),
                parent: None,
            });
        }
        out
    }

    /// The value of a source for one row, and the cell it was read from.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &self,
        s: &Source,
        col_of: &HashMap<String, usize>,
        cell_at: &dyn Fn(usize) -> Cell,
        fixed: &HashMap<String, (SourceValue, String)>,
        ids: &HashMap<&str, String>,
        row: usize,
    ) -> Result<(SourceValue, Option<String>), RowProblem> {
        let (v, at) = match &s.from {
            From::Column(c) => {
                let col = col_of[c];
                match cell_value(&cell_at(col)) {
                    Ok(v) => (v, Some(cell_name(row, col))),
                    Err((message, help)) => {
                        return Err(RowProblem {
                            cell: Some(cell_name(row, col)),
                            message,
                            help: Some(help),
                        });
                    }
                }
            }
            From::Cell(..) | From::After(_) => {
                let (v, at) = fixed[&format!("{:?}", s.from)].clone();
                (v, Some(at))
            }
            From::Value(v) => (SourceValue::Text(v.clone()), None),
            From::Template(parts) => match render(parts, col_of, cell_at) {
                Ok(t) => (SourceValue::Text(t), None),
                Err((c, why)) => {
                    return Err(RowProblem {
                        cell: Some(cell_name(row, c)),
                        message: why,
                        help: None,
                    });
                }
            },
            From::IdOf(kind) => match ids.get(kind.as_str()) {
                Some(id) => (SourceValue::Text(id.clone()), None),
                None => (SourceValue::Empty, None),
            },
        };
        let Some(map) = &s.map else {
            return Ok((v, at));
        };
        let key = text_of(&v);
        if key.is_empty() && !map.iter().any(|(k, _)| k.is_empty()) {
            return Ok((SourceValue::Empty, at));
        }
        match map.iter().find(|(k, _)| *k == key) {
            Some((_, to)) => Ok((SourceValue::Text(to.clone()), at)),
            None => {
                let words: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
                let hint = suggest(&key, words.iter().copied())
                    .map(|w| format!("did you mean `{w}`? "))
                    .unwrap_or_default();
                Err(RowProblem {
                    cell: at,
                    message: format!("`{key}` is not in the value map"),
                    help: Some(format!(
                        "{hint}the map ({}) has: {}; add `\"{key}\" = \"...\"` to it, or correct the cell",
                        s.at,
                        words.join(", ")
                    )),
                })
            }
        }
    }
}

/// Whether `item` takes the id of an item of one of `kinds` (`id_of`).
fn names_any(item: &ItemMap, kinds: &[&str]) -> bool {
    item.fields
        .iter()
        .map(|(_, s)| s)
        .chain(&item.parent)
        .any(|s| matches!(&s.from, From::IdOf(k) if kinds.contains(&k.as_str())))
}

/// A problem in one row, before the row's place is known.
struct RowProblem {
    cell: Option<String>,
    message: String,
    help: Option<String>,
}

impl RowProblem {
    fn in_place(self, place: &str) -> Problem {
        let origin = match self.cell {
            Some(c) => format!("{place}, {c}"),
            None => place.to_owned(),
        };
        let p = Problem::new(origin, self.message);
        match self.help {
            Some(h) => p.help(h),
            None => p,
        }
    }
}

fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// A cell's value; a formula's error value is a problem, never a blank
/// (which would empty the field on a re-import).
fn cell_value(c: &Cell) -> Result<SourceValue, (String, String)> {
    Ok(match c {
        Cell::Empty => SourceValue::Empty,
        Cell::Text(t) if t.trim().is_empty() => SourceValue::Empty,
        Cell::Text(t) => SourceValue::Text(t.trim().to_owned()),
        Cell::Number(n) => SourceValue::Number(*n),
        Cell::Date(d) => SourceValue::Date(*d),
        Cell::Bool(b) => SourceValue::Bool(*b),
        Cell::Error(e) => return Err(formula_error(e)),
        Cell::Uncomputed(f) => return Err(uncomputed(f)),
    })
}

/// The message and help for a formula saved without its value.
fn uncomputed(formula: &str) -> (String, String) {
    (
        format!("the cell holds the formula `={formula}` but not its value: the file was saved by a program that does not calculate formulas"),
        "open the file in Excel, WPS or LibreOffice and save it (they store each formula's value), or type the value, and import again".to_owned(),
    )
}

/// The message and help for a cell holding a formula's error value.
fn formula_error(e: &str) -> (String, String) {
    (
        format!("the cell holds the error `{e}`: its formula fails"),
        "correct the formula in the sheet (or type the value), save, and import again".to_owned(),
    )
}

fn text_of(v: &SourceValue) -> String {
    match v {
        SourceValue::Empty => String::new(),
        SourceValue::Text(t) => t.clone(),
        SourceValue::List(l) => l.join(", "),
        SourceValue::Date(d) => d.to_string(),
        SourceValue::Number(n) => Cell::Number(*n).text(),
        SourceValue::Bool(b) => b.to_string(),
        SourceValue::Table(t) => crate::edit::EditValue::Table(t.clone()).display(),
    }
}

/// A template's text for a row, or the column and why it cannot be made.
fn render(
    parts: &[Part],
    col_of: &HashMap<String, usize>,
    cell_at: &dyn Fn(usize) -> Cell,
) -> Result<String, (usize, String)> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Column(c, width) => {
                let col = col_of[c];
                let cell = cell_at(col);
                if let Cell::Error(e) = &cell {
                    return Err((col, formula_error(e).0));
                }
                if let Cell::Uncomputed(f) = &cell {
                    return Err((col, uncomputed(f).0));
                }
                if cell.is_blank() {
                    return Err((col, format!("`{c}` is blank, and the id is made from it")));
                }
                if *width > 0 {
                    let n = match &cell {
                        Cell::Number(n) => Some(*n),
                        other => other.text().parse::<f64>().ok(),
                    };
                    match n {
                        Some(n) if n.fract() == 0.0 && (0.0..1e15).contains(&n) => {
                            out.push_str(&format!("{:0width$}", n as u64, width = *width));
                        }
                        _ => {
                            return Err((
                                col,
                                format!(
                                    "`{}` in `{c}` is not a whole number to pad to {width} digits",
                                    cell.text()
                                ),
                            ));
                        }
                    }
                } else {
                    out.push_str(&cell.text());
                }
            }
        }
    }
    Ok(out)
}

/// The first cell that reads `label`, and the first filled cell right of
/// it (none when the rest of the row is blank).
fn find_after(grid: &Grid, wanted: &str) -> Option<((usize, usize), Option<usize>)> {
    let loose = squeeze(wanted);
    let reads_label = |t: &str| {
        let t = label(t);
        t == wanted || squeeze(&t) == loose
    };
    for r in 0..grid.height() {
        let row = grid.row(r);
        for (c, cell) in row.iter().enumerate() {
            if let Cell::Text(t) = cell
                && reads_label(t)
            {
                // Skip the label's own merged copies.
                let value = (c + 1..row.len()).find(|x| {
                    !row[*x].is_blank() && !matches!(&row[*x], Cell::Text(t) if reads_label(t))
                });
                return Some(((r, c), value));
            }
        }
    }
    None
}

fn read_item(r: &mut Reader<'_>, v: &Spanned<DeValue<'_>>, profile: &Profile) -> Option<ItemMap> {
    let DeValue::Table(t) = v.get_ref() else {
        r.err(
            v.span(),
            "each item must be a table",
            "write it as [[import.NAME.item]]",
        );
        return None;
    };
    r.unknown_keys(t, ITEM_KEYS, "an [[import.NAME.item]]");
    let at = r.loc(v.span());
    let mut item = ItemMap {
        kind: String::new(),
        file: String::new(),
        once: false,
        id: None,
        parent: None,
        key: None,
        only_if_filled: Vec::new(),
        fields: Vec::new(),
    };
    let mut kind_span = v.span();
    let mut fields_table = None;
    let mut key_span = None;
    for (k, val) in t.iter() {
        let key = k.get_ref().as_ref();
        match key {
            "kind" => {
                item.kind = r.string(val, key).unwrap_or_default();
                kind_span = val.span();
            }
            "file" => item.file = r.string(val, key).unwrap_or_default(),
            "once" => item.once = r.bool(val, key),
            "id" => item.id = r.source(val, key, true),
            "parent" => item.parent = r.source(val, key, true),
            "key" => {
                item.key = r.string(val, key);
                key_span = Some(val.span());
            }
            "only_if_filled" => {
                let at = r.loc(val.span());
                item.only_if_filled = r
                    .strings(val, key)
                    .into_iter()
                    .map(|c| (c.trim().to_owned(), at.clone()))
                    .collect();
            }
            "fields" => fields_table = Some(val),
            _ => {}
        }
    }
    let Some(kind) = profile.kind_index(&item.kind) else {
        let names: Vec<&str> = profile.kinds.iter().map(|k| k.name.as_str()).collect();
        if item.kind.is_empty() {
            r.err(
                v.span(),
                "the item names no kind",
                format!("add kind = \"...\", one of: {}", names.join(", ")),
            );
        } else {
            let help = match suggest(&item.kind, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("kinds are: {}", names.join(", ")),
            };
            r.err(kind_span, format!("unknown kind `{}`", item.kind), help);
        }
        return None;
    };
    let within = profile.kind(kind).within;
    match (within, &item.parent) {
        (Some(p), None) => r.err(
            v.span(),
            format!(
                "a {} belongs inside a {}; say which one with `parent`",
                item.kind,
                profile.kind(p).name
            ),
            format!(
                "e.g. parent = {{ id_of = \"{}\" }}, or parent = {{ value = \"ID\" }}",
                profile.kind(p).name
            ),
        ),
        (None, Some(_)) => r.err(
            v.span(),
            format!("a {} stands on its own and takes no `parent`", item.kind),
            "remove `parent`",
        ),
        _ => {}
    }
    if within.is_none() {
        if item.id.is_none() {
            r.err(
                v.span(),
                format!("the {} item gives no `id`", item.kind),
                "make it from a column that stays the same from one version of the sheet to the next, e.g. id = \"REQ-{序号:03}\"",
            );
        }
        if item.file.is_empty() {
            r.err(
                v.span(),
                format!("the {} item names no `file` for new items", item.kind),
                "e.g. file = \"requirements/imported.toml\" (relative to the project folder)",
            );
        } else if let Err(p) = super::check_new_file(&item.file, &at) {
            r.problems.push(p);
        }
    } else if item.id.is_some() {
        r.err(
            v.span(),
            format!(
                "a {} is found by its parent and `key`, not by an id",
                item.kind
            ),
            "remove `id`",
        );
    }
    if let Some(f) = fields_table {
        match f.get_ref() {
            DeValue::Table(ft) => {
                for (fk, fv) in ft.iter() {
                    let name = fk.get_ref().to_string();
                    let def = profile
                        .field_index(&name)
                        .and_then(|i| profile.field_def(kind, i));
                    // Not fields needtrail writes itself (stamps, sign-off
                    // fingerprints), nor the link to the parent.
                    let importable = |d: &crate::profile::FieldDef| {
                        Some(d.name) != profile.parent_field(kind)
                            && d.ty != FieldType::Fingerprints
                    };
                    let ok = name == "title" || def.is_some_and(importable);
                    if !ok {
                        let importable = |n: &str| {
                            profile
                                .field_index(n)
                                .and_then(|f| profile.field_def(kind, f))
                                .is_none_or(importable)
                        };
                        let names: Vec<&str> = profile
                            .field_names_of(kind)
                            .into_iter()
                            .filter(|n| {
                                *n != "id"
                                    && importable(n)
                                    && !profile
                                        .kind(kind)
                                        .sub_kinds
                                        .iter()
                                        .any(|s| profile.kind(*s).name == *n)
                            })
                            .collect();
                        let help = if name == "id" {
                            "the id is given by the item's `id`, not as a field".to_owned()
                        } else if def.is_some_and(|d| d.ty == FieldType::Fingerprints) {
                            format!(
                                "`{name}` is written by needtrail itself (`review sign`, `stamp`) and cannot be imported; leave it out of the mapping"
                            )
                        } else if def.is_some() {
                            format!(
                                "`{name}` links a {} to its parent, which the item's `parent` gives; leave it out of `fields`",
                                item.kind
                            )
                        } else {
                            match suggest(&name, names.iter().copied()) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => {
                                    format!("fields of {} are: {}", item.kind, names.join(", "))
                                }
                            }
                        };
                        let message = if def.is_some() {
                            format!("a {}'s `{name}` cannot be imported", item.kind)
                        } else {
                            format!("a {} has no field `{name}` to import", item.kind)
                        };
                        r.err(fk.span(), message, help);
                        continue;
                    }
                    if let Some(s) = r.source(fv, &name, false) {
                        // Constants and the values of a map must fit the field.
                        if let Some(d) = def {
                            let mut check = |val: &str, at_span: Range<usize>| {
                                if let Err(e) = super::convert(
                                    d.ty,
                                    &d.values,
                                    &SourceValue::Text(val.to_owned()),
                                ) {
                                    r.err(
                                        at_span,
                                        format!("`{name}`: {e}"),
                                        "values given in the mapping must fit the field",
                                    );
                                }
                            };
                            if let From::Value(c) = &s.from {
                                check(c, fv.span());
                            }
                            if let Some(map) = &s.map {
                                for (_, to) in map {
                                    check(to, fv.span());
                                }
                            }
                        }
                        item.fields.push((name, s));
                    }
                }
            }
            _ => r.err(
                f.span(),
                "`fields` must be a table of field names to sources",
                "e.g. fields.title = \"顾客要求\"",
            ),
        }
    }
    if within.is_some() {
        if item.key.is_none() {
            // The first link field the mapping fills tells sub-items apart.
            item.key = item.fields.iter().find_map(|(n, _)| {
                let d = profile
                    .field_index(n)
                    .and_then(|i| profile.field_def(kind, i))?;
                d.ty.is_link().then(|| n.clone())
            });
        }
        match &item.key {
            None => r.err(
                v.span(),
                format!(
                    "say which field tells one {} from another under the same parent",
                    item.kind
                ),
                "add key = \"FIELD\", a field this item fills, e.g. key = \"requirement\"",
            ),
            Some(k) if !item.fields.iter().any(|(n, _)| n == k) => r.err(
                key_span.unwrap_or(v.span()),
                format!("the key `{k}` is not among the fields this item fills"),
                format!(
                    "add fields.{k}, or choose one of: {}",
                    item.fields
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            _ => {}
        }
    }
    Some(item)
}

/// `id_of` names a kind the mapping makes.
fn check_links_between_items(r: &mut Reader<'_>, m: &Mapping) {
    let kinds: Vec<&str> = m
        .items
        .iter()
        .filter(|i| i.parent.is_none())
        .map(|i| i.kind.as_str())
        .collect();
    for item in &m.items {
        let sources = item
            .id
            .iter()
            .chain(&item.parent)
            .chain(item.fields.iter().map(|(_, s)| s));
        for s in sources {
            if let From::IdOf(k) = &s.from {
                if !kinds.contains(&k.as_str()) {
                    let p = Problem::new(
                        &s.at,
                        format!("`id_of = \"{k}\"`: the mapping makes no {k}"),
                    )
                    .help(format!(
                        "id_of names the kind of another item of this mapping: {}",
                        kinds.join(", ")
                    ));
                    r.problems.push(p);
                } else if k == &item.kind {
                    r.problems.push(Problem::new(
                        &s.at,
                        format!("an item's id cannot be made from its own id (`id_of = \"{k}\"`)"),
                    ));
                } else if item.once && !m.items.iter().any(|i| i.once && i.kind == *k) {
                    r.problems.push(Problem::new(
                        &s.at,
                        format!("an item made once per file can only name the id of another such item, and {k} is made per row"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid::new(
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*c).into())
                            }
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn mapping(body: &str) -> Result<Mapping, Vec<Problem>> {
        let (profile, _) = crate::profile::build(None).unwrap();
        let config = SourceFile::new("needtrail.toml".into(), format!("[import.m]\n{body}"));
        Mapping::parse(&config, "m", &profile)
    }

    #[test]
    fn a_last_row_above_the_table_is_a_mistake_at_its_place() {
        let e = mapping(&format!("header_row = 3\nlast_row = 2\n{ITEM}")).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].origin, "needtrail.toml:3:12");
        assert!(
            e[0].message
                .contains("`last_row = 2` is not below the header (row 3)"),
            "{e:?}"
        );
        assert!(mapping(&format!("header_row = 3\nlast_row = 4\n{ITEM}")).is_ok());
    }

    const ITEM: &str = "[[import.m.item]]\nkind = \"requirement\"\nfile = \"r.toml\"\nid = \"R-{No:02}\"\nfields.title = \"Title\"\nfields.owner = { column = \"C\" }\nfields.contract = { after = \"Contract\" }\nonly_if_filled = \"Title\"\n";

    fn ids(b: &Batch) -> Vec<(String, Vec<String>)> {
        b.records
            .iter()
            .map(|r| {
                let f = r
                    .fields
                    .iter()
                    .map(|f| format!("{}={}", f.name, text_of(&f.value)))
                    .collect();
                (r.id.clone(), f)
            })
            .collect()
    }

    #[test]
    fn rows_fill_down_end_where_told_and_skip_what_is_not_data() {
        let g = grid(&[
            &["Contract:", "", "C-1"],
            &["No", "Title", "Dept"],
            &["1", "First", "QA"],
            &["2", "Second", ""],
            &["", "", ""],
            &["3", "", "Sales"],
            &["4", "Fourth", ""],
            &["5", "Fifth", ""],
        ]);
        let m = mapping(&format!(
            "header_row = 2\nfill_down = [\"C\"]\nlast_row = 7\n{ITEM}"
        ))
        .unwrap();
        let b = m.batch(&g, "f.xlsx", Some("S")).unwrap();
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        let contract = "contract=C-1".to_owned();
        assert_eq!(
            ids(&b),
            [
                (
                    "R-01".into(),
                    vec!["title=First".into(), "owner=QA".into(), contract.clone()]
                ),
                (
                    "R-02".into(),
                    vec!["title=Second".into(), "owner=QA".into(), contract.clone()]
                ),
                (
                    "R-04".into(),
                    vec![
                        "title=Fourth".into(),
                        "owner=Sales".into(),
                        contract.clone()
                    ]
                ),
            ]
        );
        assert_eq!(b.scopes[0].id_prefix, "R-");
        assert_eq!(b.records[0].origin, "f.xlsx, sheet S, row 3");
        assert_eq!(b.records[0].fields[0].at.as_deref(), Some("B3"));
        // The first blank row ends the table when asked to.
        let m = mapping(&format!("header_row = 2\nend_at_blank_row = true\n{ITEM}")).unwrap();
        let b = m.batch(&g, "f.xlsx", None).unwrap();
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        assert_eq!(b.records.len(), 2);
    }

    #[test]
    fn mapping_problems_name_their_line_and_column() {
        let e = mapping(&format!(
            "header = 2\n{}",
            ITEM.replace("fields.title", "fields.titel").replace(
                "kind = \"requirement\"",
                "kind = \"requirement\"\nonce = \"yes\""
            )
        ))
        .unwrap_err();
        let all: Vec<String> = e
            .iter()
            .map(|p| format!("{}: {}", p.origin, p.message))
            .collect();
        assert!(
            all.iter()
                .any(|p| p.starts_with("needtrail.toml:2:1: unknown key `header`")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|p| p.contains("`once` must be true or false")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|p| p.contains("no field `titel`")),
            "{all:?}"
        );
        let e = mapping(&ITEM.replace("id = \"R-{No:02}\"", "id = \"R-{No:x}\"")).unwrap_err();
        assert!(e[0].message.contains("the number of digits"), "{e:?}");
        let e = mapping(&format!(
            "{ITEM}fields.class = {{ column = \"T\", map = {{ \"a\" = \"statd\" }} }}\n"
        ))
        .unwrap_err();
        assert!(e[0].message.contains("did you mean `stated`"), "{e:?}");
    }

    #[test]
    fn labels_drop_colons_and_spaces() {
        assert_eq!(label(" 合同编号： "), "合同编号");
        assert_eq!(label("Contract No.:"), "Contract No.");
    }

    /// A form's header names and labels, spaced out or broken over lines
    /// (`序  号`, `顾客\n要求`, `合 同 编 号：`), are found by the names the
    /// mapping writes without those spaces; two columns that read alike
    /// so are an error naming both, and a name the header lacks is listed
    /// on one line in the message.
    #[test]
    fn spaced_and_broken_header_names_and_labels_are_found() {
        let item = "[[import.m.item]]\nkind = \"requirement\"\nfile = \"r.toml\"\nid = \"R-{序号:02}\"\nfields.title = \"顾客要求\"\nfields.contract = { after = \"合同编号\" }\n";
        let g = grid(&[
            &["合 同 编 号：", "HT-7"],
            &["序\u{3000}号", "顾客\n要求 ", "评审\r\n意见"],
            &["1", "防水", ""],
            &["评 审 结 论：同意", "", ""],
            &["2", "不应读到", ""],
        ]);
        let m = mapping(&format!("header_row = 2\nstop_at = \"评审结论\"\n{item}")).unwrap();
        let b = m.batch(&g, "f.xlsx", Some("S")).unwrap();
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        assert_eq!(
            ids(&b),
            [(
                "R-01".into(),
                vec!["title=防水".into(), "contract=HT-7".into()]
            )]
        );
        // Two columns that read the same without their spaces.
        let g = grid(&[
            &["合同编号", "HT-7", ""],
            &["序号", "顾客 要求", "顾客要 求"],
            &["1", "a", "b"],
        ]);
        let e = m.batch(&g, "f.xlsx", Some("S")).unwrap_err();
        let all: Vec<String> = e.iter().map(|p| p.message.clone()).collect();
        assert!(
            all.iter()
                .any(|p| p.contains("2 columns named like `顾客要求` (B, C)")),
            "{all:?}"
        );
        // A missing name: the header is listed a name to a line's part.
        let g = grid(&[&["合同编号", "HT-7"], &["序号", "顾客\n描述"], &["1", "a"]]);
        let e = m.batch(&g, "f.xlsx", Some("S")).unwrap_err();
        let help = e[0].help.clone().unwrap_or_default();
        assert!(help.contains("序号, 顾客 描述;"), "{help}");
        assert!(!help.contains('\n'), "{help}");
    }
}
