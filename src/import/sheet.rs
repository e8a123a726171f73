//! Reading a spreadsheet or a CSV file into a grid of cells, with calamine
//! (`.xlsx`, `.xlsm`, `.xls`, `.ods`) and the csv crate. Merged cells are
//! filled: every cell of a merged region holds the region's value.

use std::path::Path;

use calamine::{Data, Reader};

use crate::calendar::Date;

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
    Bool(bool),
    /// An error value a formula gave (`#N/A`, `#REF!`, `#DIV/0!`): never
    /// read as a value, nor as a blank.
    Error(String),
    /// A formula saved without its value (by a program that writes
    /// workbooks without calculating them): never read as a blank.
    Uncomputed(String),
}

impl Cell {
    /// Whether the cell holds nothing (or only spaces).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a person reads it.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Uncomputed(f) => format!("={f}"),
        }
    }
}

static EMPTY: Cell = Cell::Empty;

/// The cells of one sheet, by 0-based row and column.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    rows: Vec<Vec<Cell>>,
}

impl Grid {
    pub fn new(rows: Vec<Vec<Cell>>) -> Grid {
        Grid { rows }
    }

    pub fn get(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// Number of rows (the last non-empty one, plus one).
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// Number of columns: the last one that holds anything, plus one.
    pub fn width(&self) -> usize {
        self.rows
            .iter()
            .filter_map(|r| r.iter().rposition(|c| !c.is_blank()))
            .max()
            .map_or(0, |last| last + 1)
    }

    pub fn row(&self, row: usize) -> &[Cell] {
        self.rows.get(row).map_or(&[], Vec::as_slice)
    }

    fn set(&mut self, row: usize, col: usize, cell: Cell) {
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut self.rows[row];
        if r.len() <= col {
            r.resize(col + 1, Cell::Empty);
        }
        r[col] = cell;
    }
}

/// `C7` for 0-based row 6, column 2.
pub fn cell_name(row: usize, col: usize) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// The 0-based column of letters such as `C` or `AB` (1 to 3 letters, any case).
pub fn parse_column(s: &str) -> Option<usize> {
    let s = s.trim();
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for b in s.to_ascii_uppercase().bytes() {
        n = n * 26 + (b - b'A' + 1) as usize;
    }
    Some(n - 1)
}

/// The 0-based row and column of a cell name such as `B3`.
pub fn parse_cell(s: &str) -> Option<(usize, usize)> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let col = parse_column(&s[..split])?;
    let row: usize = s[split..].parse().ok()?;
    row.checked_sub(1).map(|r| (r, col))
}

/// Why a sheet could not be read: what is wrong, and how to put it right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    pub help: Option<String>,
}

impl ReadError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> ReadError {
        ReadError {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

impl From<String> for ReadError {
    fn from(message: String) -> ReadError {
        ReadError {
            message,
            help: None,
        }
    }
}

/// How to read a CSV file.
#[derive(Clone, Debug, Default)]
pub struct CsvOptions {
    /// The delimiter the mapping names; else a tab for `.tsv` and `.txt`
    /// files (what Excel saves as "Text (Tab delimited)" and "Unicode
    /// Text"), a comma for the others.
    pub delimiter: Option<u8>,
    /// `utf-8` (default) or another encoding label such as `gbk`.
    pub encoding: Option<String>,
}

/// Whether the file is read as CSV (by its extension).
pub fn is_csv(path: &Path) -> bool {
    matches!(extension(path).as_str(), "csv" | "tsv" | "txt")
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The sheets of a workbook, in order (none for CSV).
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ReadError> {
    if is_csv(path) {
        return Ok(Vec::new());
    }
    Ok(open(path)?.sheet_names())
}

fn open(path: &Path) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>, ReadError> {
    let ext = extension(path);
    match ext.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "xla" | "ods" => {}
        "" => {
            return Err(ReadError::new(
                "the file's name has no extension, which tells how to read it",
                "name it .xlsx, .xls, .ods, .csv, .tsv or .txt as it was saved",
            ));
        }
        other => {
            return Err(ReadError::new(
                format!("cannot read `.{other}` files"),
                "give an .xlsx, .xls, .ods, .csv, .tsv or .txt file (in Excel: File > Save As)",
            ));
        }
    }
    // What the file holds, by its first bytes: a workbook saved under the
    // other Excel extension (an .xls named .xlsx) opens as Excel opens it.
    let mut head = [0u8; 8];
    let got = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..got];
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let (zip, ole) = (head.starts_with(b"PK\x03\x04"), head == OLE);
    let opened = match ext.as_str() {
        "xlsx" | "xlsm" if ole => calamine::open_workbook::<calamine::Xls<_>, _>(path)
            .map(calamine::Sheets::Xls)
            .map_err(calamine::Error::from),
        "xls" if zip => calamine::open_workbook::<calamine::Xlsx<_>, _>(path)
            .map(calamine::Sheets::Xlsx)
            .map_err(calamine::Error::from),
        _ => calamine::open_workbook_auto(path),
    };
    opened.map_err(|e| {
        let text = String::from_utf8_lossy(head).trim_start().to_ascii_lowercase();
        let help = if text.starts_with('<') {
            "the file is a web page or XML text under a workbook's name (some systems export tables so): open it in Excel or WPS and save it as .xlsx"
        } else if !zip && !ole {
            "the file is no workbook: check that it was saved from Excel, WPS or LibreOffice, or export it again"
        } else {
            "the file may be damaged, or protected with a password: open it in Excel or WPS, save it again (without a password), and import that"
        };
        ReadError::new(format!("cannot read the workbook: {e}"), help)
    })
}

/// Reads one sheet (by name; the first without one) or a CSV file.
/// Gives the grid and the sheet's name.
pub fn read(
    path: &Path,
    sheet: Option<&str>,
    csv: &CsvOptions,
) -> Result<(Grid, Option<String>), ReadError> {
    if is_csv(path) {
        return read_csv(path, csv).map(|g| (g, None));
    }
    let mut book = open(path)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                let hint = crate::diag::suggest(s, names.iter().map(String::as_str))
                    .map(|x| format!("did you mean `{x}`? "))
                    .unwrap_or_default();
                return Err(ReadError::new(
                    format!("the workbook has no sheet `{s}`"),
                    format!(
                        "{hint}its sheets are: {}; set `sheet` in the mapping to one of them",
                        names.join(", ")
                    ),
                ));
            }
            s.to_owned()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ReadError::from("the workbook has no sheet".to_owned()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read sheet `{name}`: {e}"))?;
    let mut grid = Grid::default();
    if let Some((r0, c0)) = range.start() {
        let (r0, c0) = (r0 as usize, c0 as usize);
        grid.rows.reserve(range.height() + r0);
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let cell = convert(v);
                if cell != Cell::Empty {
                    grid.set(r0 + r, c0 + c, cell);
                }
            }
        }
    }
    // A formula cell without a value reads as empty: it is marked, so that
    // it is reported rather than taken for a blank (which would empty the
    // field it fills).
    if let Ok(formulas) = book.worksheet_formula(&name)
        && let Some((r0, c0)) = formulas.start()
    {
        let (r0, c0) = (r0 as usize, c0 as usize);
        for (r, row) in formulas.rows().enumerate() {
            for (c, f) in row.iter().enumerate() {
                if !f.is_empty() && *grid.get(r0 + r, c0 + c) == Cell::Empty {
                    grid.set(r0 + r, c0 + c, Cell::Uncomputed(f.clone()));
                }
            }
        }
    }
    let merged = match &mut book {
        calamine::Sheets::Xlsx(x) => x.worksheet_merge_cells(&name).and_then(Result::ok),
        calamine::Sheets::Xls(x) => x.worksheet_merge_cells(&name),
        _ => None,
    };
    // A merged cell fills its rows and columns within the cells that hold
    // values: one merged down to the sheet's last row (1,048,576) does not
    // make a million rows.
    let (height, width) = (
        grid.rows.len(),
        grid.rows.iter().map(Vec::len).max().unwrap_or(0),
    );
    for d in merged.unwrap_or_default() {
        let (r0, c0) = (d.start.0 as usize, d.start.1 as usize);
        let value = grid.get(r0, c0).clone();
        if value == Cell::Empty {
            continue;
        }
        for r in r0..=(d.end.0 as usize).min(height.saturating_sub(1)) {
            for c in c0..=(d.end.1 as usize).min(width.saturating_sub(1)) {
                if (r, c) != (r0, c0) {
                    grid.set(r, c, value.clone());
                }
            }
        }
    }
    Ok((grid, Some(name)))
}

fn convert(v: &Data) -> Cell {
    match v {
        Data::Empty => Cell::Empty,
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) if d.is_datetime() && (0.0..1.0).contains(&d.as_f64()) => {
            // A time of day alone (14:30), which is no date: as it reads.
            let (_, _, _, h, m, s, _) = d.to_ymd_hms_milli();
            Cell::Text(if s == 0 {
                format!("{h:02}:{m:02}")
            } else {
                format!("{h:02}:{m:02}:{s:02}")
            })
        }
        Data::DateTime(d) if d.is_datetime() => {
            // In the workbook's date system, 1900 or 1904 (Excel for Mac).
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            match Date::parse(&format!("{y:04}-{m:02}-{day:02}")) {
                Some(date) => Cell::Date(date),
                None => Cell::Number(d.as_f64()),
            }
        }
        Data::DateTime(d) => Cell::Number(d.as_f64()),
        Data::DateTimeIso(s) => match crate::import::parse_date(s) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

fn read_csv(path: &Path, opts: &CsvOptions) -> Result<Grid, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = decode(bytes, opts.encoding.as_deref())?;
    let delimiter =
        opts.delimiter
            .unwrap_or(if matches!(extension(path).as_str(), "tsv" | "txt") {
                b'\t'
            } else {
                b','
            });
    if let Some(line) = unclosed_quote(text.as_bytes(), delimiter) {
        return Err(ReadError::new(
            format!(
                "line {line}: a value opens with a quote `\"` that is never closed, so the rest of the file would be read as that one value"
            ),
            "close the quote, or write a quote meant as text twice (`\"\"`)",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("cannot read row {}: {e}", n + 1))?;
        rows.push(
            rec.iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_owned())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid::new(rows))
}

/// The line of a quoted value that the file ends inside, if one does. A
/// value is quoted when its first character is `"` (as the CSV reader
/// takes it); inside, `""` is a quote and the next lone `"` closes it. The
/// reader itself would take everything to the end of the file as that
/// value, without a word.
fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<usize> {
    let (mut at, mut line, mut field_start) = (0, 1, true);
    while let Some(&c) = text.get(at) {
        if field_start && c == b'"' {
            let opened = line;
            at += 1;
            loop {
                match text.get(at) {
                    None => return Some(opened),
                    Some(b'"') if text.get(at + 1) == Some(&b'"') => at += 2,
                    Some(b'"') => {
                        at += 1;
                        break;
                    }
                    Some(b'\n') => {
                        line += 1;
                        at += 1;
                    }
                    Some(b'\r') if text.get(at + 1) != Some(&b'\n') => {
                        line += 1;
                        at += 1;
                    }
                    Some(_) => at += 1,
                }
            }
            field_start = false;
            continue;
        }
        field_start = c == delimiter || c == b'\n' || c == b'\r';
        // A line ends at LF, CRLF, or a CR alone (old Mac files).
        if c == b'\n' || (c == b'\r' && text.get(at + 1) != Some(&b'\n')) {
            line += 1;
        }
        at += 1;
    }
    None
}

/// The text of a CSV file: UTF-8 (a byte-order mark dropped), or the
/// encoding the mapping names.
fn decode(bytes: Vec<u8>, encoding: Option<&str>) -> Result<String, ReadError> {
    let label = encoding.unwrap_or("utf-8");
    let Some(enc) = encoding_rs::Encoding::for_label(label.trim().as_bytes()) else {
        return Err(ReadError::new(
            format!("unknown encoding `{label}`"),
            "write e.g. encoding = \"utf-8\" or \"gbk\"",
        ));
    };
    if enc == encoding_rs::UTF_8 {
        // Text that starts with the byte-order mark of UTF-16 is UTF-16
        // (Excel's "Unicode Text"): the mark says so unmistakably.
        if let Some(decoded) = crate::text::decode_utf16_with_bom(&bytes) {
            return decoded.map_err(|encoding| {
                ReadError::new(
                    format!("the file starts as {encoding} text but is not valid {encoding}"),
                    "save the sheet as \"CSV UTF-8\" (Excel: File > Save As > CSV UTF-8)",
                )
            });
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        return match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => {
                let line = crate::text::utf8_error_line(body, &e);
                let gbk =
                    encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(body);
                let help = if gbk.is_some() {
                    "it reads as GBK, the encoding Excel uses for CSV on Chinese Windows: add encoding = \"gbk\" to the mapping, or save the sheet as \"CSV UTF-8\""
                } else {
                    "save it as \"CSV UTF-8\" (Excel: File > Save As > CSV UTF-8), or name its encoding in the mapping, e.g. encoding = \"gbk\""
                };
                Err(ReadError::new(
                    format!("the file is not UTF-8 text (line {line})"),
                    help,
                ))
            }
        };
    }
    // Text in another encoding (GBK above all) is as good as never valid
    // UTF-8 once it holds characters beyond ASCII: such a file is UTF-8,
    // and read as the mapping says it would turn into other characters.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if enc != encoding_rs::UTF_8 && !body.is_ascii() && std::str::from_utf8(body).is_ok() {
        return Err(ReadError::new(
            format!(
                "the file is UTF-8 text, but the mapping says encoding = \"{label}\": read as {} its characters would come out as others",
                enc.name()
            ),
            "remove `encoding` from the mapping (UTF-8 is the default), or import the file as it was saved before",
        ));
    }
    let (text, _, bad) = enc.decode(&bytes);
    if bad {
        return Err(ReadError::new(
            format!("the file is not valid {} text", enc.name()),
            "check the encoding named in the mapping, or save the sheet as \"CSV UTF-8\" and remove `encoding`",
        ));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_formula_errors_read_as_the_sheet_shows_them() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let date = |v: f64, is_1904: bool| {
            convert(&Data::DateTime(ExcelDateTime::new(
                v,
                ExcelDateTimeType::DateTime,
                is_1904,
            )))
        };
        let day = |s: &str| Cell::Date(Date::parse(s).unwrap());
        // 2025-07-01 in the 1900 date system, and in 1904's (Excel for Mac).
        assert_eq!(date(45_839.0, false), day("2025-07-01"));
        assert_eq!(date(44_377.0, true), day("2025-07-01"));
        // A time of day on it is dropped; a time alone is no date.
        assert_eq!(date(45_839.75, false), day("2025-07-01"));
        assert_eq!(date(14.5 / 24.0, false), Cell::Text("14:30".into()));
        assert_eq!(
            date((8.0 * 3600.0 + 5.0 * 60.0 + 9.0) / 86_400.0, false),
            Cell::Text("08:05:09".into())
        );
        // Early 1900 dates, across Excel's 29 February 1900.
        assert_eq!(date(1.0, false), day("1900-01-01"));
        assert_eq!(date(61.0, false), day("1900-03-01"));
        // A formula's error is neither a value nor a blank.
        for (e, shown) in [
            (CellErrorType::NA, "#N/A"),
            (CellErrorType::Ref, "#REF!"),
            (CellErrorType::Div0, "#DIV/0!"),
        ] {
            let c = convert(&Data::Error(e));
            assert_eq!(c, Cell::Error(shown.into()));
            assert!(!c.is_blank());
        }
    }

    #[test]
    fn a_cell_merged_to_the_last_row_fills_only_the_rows_that_hold_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merged.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "序号").unwrap();
        ws.write_string(0, 1, "负责人").unwrap();
        for r in 1..4 {
            ws.write_number(r, 0, f64::from(r)).unwrap();
        }
        ws.merge_range(
            1,
            1,
            1_048_575,
            1,
            "质量部",
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
        wb.save(&path).unwrap();
        let (grid, _) = read(&path, None, &CsvOptions::default()).unwrap();
        assert_eq!(grid.height(), 4);
        assert_eq!(grid.get(3, 1), &Cell::Text("质量部".into()));
    }

    #[test]
    fn a_quote_left_open_is_found_at_its_line() {
        let open = |t: &str, d: u8| unclosed_quote(t.as_bytes(), d);
        assert_eq!(open("id,title\n1,\"A,unterminated\n2,B\n", b','), Some(2));
        assert_eq!(open("a\tb\n\"x\n\ny\tz\n", b'\t'), Some(2));
        assert_eq!(open("a,b\r1,2\r3,\"x\r4\r", b','), Some(3));
        assert_eq!(open("a,b\r\n1,\"x\r\ny\"\r\n2,\"z\r\n", b','), Some(4));
        // Closed quotes, doubled quotes, line breaks inside quotes, and a
        // quote inside an unquoted value (read as text) are all fine.
        for ok in [
            "id,title\n1,\"A, \"\"quoted\"\"\nsecond line\"\n2,B\n",
            "1,5\" disk,x\n2,\"\"\n",
            "1,\"a\"\r\n2,\"b\"",
            "",
        ] {
            assert_eq!(open(ok, b','), None, "{ok:?}");
        }
        // Read as a sheet: an error at its line, not a row swallowed.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, "序号,要求\n1,\"A,unterminated\n2,B\n").unwrap();
        let e = read_csv(&path, &CsvOptions::default()).unwrap_err();
        assert!(
            e.message.starts_with("line 2: a value opens with a quote"),
            "{e:?}"
        );
    }

    #[test]
    fn cell_names_and_columns() {
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(parse_column("aa"), Some(26));
        assert_eq!(parse_cell("B3"), Some((2, 1)));
        assert_eq!(parse_cell("B0"), None);
        assert_eq!(parse_cell("3B"), None);
        assert_eq!(parse_column("序号"), None);
    }

    #[test]
    fn csv_with_bom_crlf_and_quoted_line_breaks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "\u{feff}ID,Text\r\n1,\"a, b\r\nc\"\r\n").unwrap();
        let (g, _) = read(&p, None, &CsvOptions::default()).unwrap();
        assert_eq!(g.get(0, 0), &Cell::Text("ID".into()));
        assert_eq!(g.get(1, 1), &Cell::Text("a, b\r\nc".into()));
        let (gbk, _, _) = encoding_rs::GBK.encode("序号,要求\n1,防水\n");
        std::fs::write(&p, &gbk).unwrap();
        let e = read(&p, None, &CsvOptions::default()).unwrap_err();
        assert!(
            e.help
                .as_deref()
                .unwrap_or("")
                .contains("encoding = \"gbk\""),
            "{e:?}"
        );
        let opts = CsvOptions {
            encoding: Some("gbk".into()),
            ..CsvOptions::default()
        };
        let (g, _) = read(&p, None, &opts).unwrap();
        assert_eq!(g.get(1, 1), &Cell::Text("防水".into()));
    }

    /// What Excel saves as "Unicode Text" (UTF-16 with its byte-order
    /// mark, tab-separated, `.txt`) and a `.tsv` read without naming an
    /// encoding or a delimiter; a `.csv` stays comma-separated, and a named
    /// delimiter wins over the file's name.
    #[test]
    fn excel_unicode_text_and_tsv_read_without_naming_encoding_or_tabs() {
        let dir = tempfile::tempdir().unwrap();
        let text = "序号\t顾客要求\r\n1\t防水, IP67\r\n";
        for (name, big) in [("unicode.txt", false), ("big.txt", true)] {
            let p = dir.path().join(name);
            let mut bytes = crate::text::utf16_with_bom(text, big);
            std::fs::write(&p, &bytes).unwrap();
            let (g, _) = read(&p, None, &CsvOptions::default()).unwrap();
            assert_eq!(g.get(0, 1), &Cell::Text("顾客要求".into()), "{name}");
            assert_eq!(g.get(1, 1), &Cell::Text("防水, IP67".into()), "{name}");
            // Broken UTF-16 (a lone surrogate) is an error, not replaced text.
            bytes.extend(if big { [0xD8, 0x00] } else { [0x00, 0xD8] });
            bytes.extend(if big { [0x00, b'x'] } else { [b'x', 0x00] });
            std::fs::write(&p, &bytes).unwrap();
            let e = read(&p, None, &CsvOptions::default()).unwrap_err();
            assert!(
                e.message.contains("not valid UTF-16")
                    && e.help.as_deref().unwrap_or("").contains("CSV UTF-8"),
                "{e:?}"
            );
        }
        let tsv = dir.path().join("list.tsv");
        std::fs::write(&tsv, "ID\tText\nR-1\ta, b\n").unwrap();
        let (g, _) = read(&tsv, None, &CsvOptions::default()).unwrap();
        assert_eq!(g.get(1, 1), &Cell::Text("a, b".into()));
        let csv = dir.path().join("list.csv");
        std::fs::write(&csv, "ID,Text\nR-1,a\tb\n").unwrap();
        let (g, _) = read(&csv, None, &CsvOptions::default()).unwrap();
        assert_eq!(g.get(1, 1), &Cell::Text("a\tb".into()));
        let semicolons = CsvOptions {
            delimiter: Some(b';'),
            ..CsvOptions::default()
        };
        std::fs::write(&tsv, "ID;Text\nR-1;a\tb\n").unwrap();
        let (g, _) = read(&tsv, None, &semicolons).unwrap();
        assert_eq!(g.get(1, 1), &Cell::Text("a\tb".into()));
    }
}
