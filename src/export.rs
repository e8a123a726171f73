//! Exports for other people's tools: a contract's review as the sheet a
//! department fills in (`export review-sheet`), and the mapping that
//! imports the filled sheet back (see docs/import.md).

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
};

use crate::command::{Done, Failure, Io, Outcome};
use crate::lang::Lang;
use crate::load::Loaded;
use crate::model::{ItemIdx, Project};
use crate::profile::Profile;

/// `needtrail export review-sheet`, as typed.
#[derive(Clone, Debug)]
pub struct ReviewSheetCommand {
    pub contract: String,
    pub dir: PathBuf,
    pub out: PathBuf,
    pub write_mapping: bool,
}

/// The words of the sheet in one language.
struct Words {
    sheet: &'static str,
    title: &'static str,
    contract: &'static str,
    customer: &'static str,
    number: &'static str,
    review: &'static str,
    review_date: &'static str,
    headers: [&'static str; 8],
    mapping: &'static str,
    hint: &'static str,
}

/// The sheet's header row (1-based).
const HEADER_ROW: u32 = 5;

/// The most characters an Excel cell holds.
const EXCEL_CELL_MAX: usize = 32_767;

fn words(lang: Lang) -> Words {
    Words {
        sheet: lang.t("export_sheet"),
        title: lang.t("export_title"),
        contract: lang.t("contract"),
        customer: lang.t("customer"),
        number: lang.t("export_number"),
        review: lang.t("export_review"),
        review_date: lang.t("export_review_date"),
        headers: [
            lang.t("export_requirement"),
            lang.t("export_requirement_title"),
            lang.t("export_class"),
            lang.t("export_source"),
            lang.t("export_verdict"),
            lang.t("export_note"),
            lang.t("export_reviewer"),
            lang.t("date"),
        ],
        // The mapping's name in needtrail.toml: one per language, as the
        // headings it reads differ.
        mapping: match lang {
            Lang::En => "review-sheet",
            Lang::Zh => "review-sheet-zh",
        },
        hint: lang.t("export_hint"),
    }
}

/// What the sheet shows for one requirement.
struct Row {
    id: String,
    title: String,
    class: String,
    source: String,
    verdict: String,
    note: String,
    reviewer: String,
    date: String,
}

impl Row {
    /// The row's cells, in the order of the sheet's columns.
    fn cells(&self) -> [&String; 8] {
        [
            &self.id,
            &self.title,
            &self.class,
            &self.source,
            &self.verdict,
            &self.note,
            &self.reviewer,
            &self.date,
        ]
    }
}

/// `needtrail export review-sheet`.
pub fn review_sheet(cmd: &ReviewSheetCommand, io: &mut Io<'_>) -> Outcome {
    let checked = crate::pipeline::run_pipeline_as_of(&cmd.dir, io.progress, io.as_of)
        .map_err(|e| Failure::load(e, false))?;
    let Loaded { project, profile } = &checked.loaded;
    let lang = io.lang_for(project);
    let w = &words(lang);
    let lang = lang.code();
    let roles = &profile.roles;
    let contract_kind = roles.contract.kind;
    let Some(contract) = project
        .get(&cmd.contract)
        .filter(|c| Some(project.item(*c).kind) == contract_kind)
    else {
        let contracts = contract_kind
            .map(|k| &project.by_kind[k as usize][..])
            .unwrap_or_default();
        let hint = crate::diag::suggest(
            &cmd.contract,
            contracts.iter().map(|c| project.item(*c).id.as_str()),
        )
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
        return Err(Failure::input(format!(
            "`{}` is not a contract of this project.{hint}",
            crate::import::safe(&cmd.contract)
        )));
    };
    if cmd.out.extension().is_none_or(|e| e != "xlsx") {
        return Err(Failure::input(
            "--out must name an .xlsx file, e.g. --out review.xlsx",
        ));
    }
    let statuses = crate::review::status(project, profile, &checked.graph, Some(contract));
    let status = &statuses[0];
    // The review the sheet fills: the contract's latest, or a new one.
    let review = status
        .reviews
        .iter()
        .max_by_key(|r| (r.date.clone().unwrap_or_default(), project.get(&r.id)))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| format!("REV-{}", cmd.contract));
    let review_idx = project.get(&review);
    let field = |idx: ItemIdx, field: Option<crate::model::FieldIdx>| -> String {
        field
            .and_then(|f| project.item(idx).field(f))
            .map(|v| v.display())
            .unwrap_or_default()
    };
    // The contract's requirements, then any other the review decides.
    let mut listed: Vec<(String, String, ItemIdx)> = status
        .requirements
        .iter()
        .map(|r| (r.id.clone(), r.title.clone(), r.idx))
        .collect();
    if let (Some(rv), Some(f)) = (review_idx, roles.decision.requirement) {
        let known: std::collections::HashSet<ItemIdx> = listed.iter().map(|l| l.2).collect();
        let more: Vec<ItemIdx> = (rv.index() + 1..project.items.len())
            .map(|i| ItemIdx(i as u32))
            .take_while(|i| project.item(*i).parent == Some(rv))
            .filter_map(|d| project.item(d).links_in(f).next())
            .filter(|r| !known.contains(r))
            .collect();
        for r in more {
            let item = project.item(r);
            listed.push((item.id.clone(), item.display_title().to_owned(), r));
        }
    }
    let rows: Vec<Row> = listed
        .iter()
        .map(|(id, title, idx)| {
            let r = RowSource {
                id,
                title,
                idx: *idx,
            };
            let decision = review_idx
                .and_then(|rv| decision_in(project, profile, rv, &project.item(r.idx).id));
            let own = |name: Option<crate::model::FieldIdx>| -> String {
                decision
                    .filter(|d| name.is_some_and(|f| project.item(*d).field_span(f).is_some()))
                    .map(|d| field(d, name))
                    .unwrap_or_default()
            };
            let req = &roles.requirement;
            let class = field(r.idx, req.class);
            Row {
                id: r.id.to_owned(),
                title: r.title.to_owned(),
                class: if class.is_empty() {
                    class
                } else {
                    profile.value_label(&class, lang).to_owned()
                },
                source: {
                    let s = field(r.idx, req.source);
                    if s.is_empty() {
                        field(r.idx, req.regulation)
                    } else {
                        s
                    }
                },
                verdict: {
                    let v = own(roles.decision.verdict);
                    if v.is_empty() {
                        v
                    } else {
                        profile.value_label(&v, lang).to_owned()
                    }
                },
                note: own(roles.decision.note),
                reviewer: own(roles.common.owner),
                date: own(roles.decision.date),
            }
        })
        .collect();
    let verdicts = verdict_values(profile);
    let customer = roles
        .contract
        .customer
        .and_then(|f| project.item(contract).links_in(f).next())
        .map(|c| project.item(c).display_title().to_owned())
        .unwrap_or_default();
    let head = Head {
        contract: cmd.contract.clone(),
        contract_title: project.item(contract).display_title().to_owned(),
        customer,
        number: field(contract, roles.contract.number),
        review: review.clone(),
        review_date: review_idx
            .map(|r| field(r, roles.review.date))
            .unwrap_or_default(),
    };
    let labels: Vec<String> = verdicts
        .iter()
        .map(|v| profile.value_label(v, lang).to_owned())
        .collect();
    // An Excel cell holds at most 32,767 characters; a longer text cannot go
    // out whole, and cut short it would come back cut.
    for r in &rows {
        for (v, column) in r.cells().into_iter().zip(&w.headers) {
            let n = v.chars().count();
            if n > EXCEL_CELL_MAX {
                return Err(Failure::input(format!(
                    "the {column} of {} is {n} characters long, and an Excel cell holds at most {EXCEL_CELL_MAX}: shorten it in the project, then export the sheet again",
                    r.id
                )));
            }
        }
    }
    let bytes = match workbook(w, &head, &rows, &labels) {
        Ok(b) => b,
        Err(e) => {
            return Err(Failure::input(format!("cannot make the workbook: {e}")));
        }
    };
    if let Err(e) = crate::atomic::write(&cmd.out, &bytes) {
        return Err(Failure::input(format!(
            "cannot write {}: {e}",
            cmd.out.display()
        )));
    }
    let mapping = mapping_text(w, profile, lang, &verdicts);
    let _ = writeln!(
        io.out,
        "Wrote the review sheet of {} ({} requirement{}, review {review}) to {}.",
        crate::import::safe(&cmd.contract),
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        cmd.out.display()
    );
    if cmd.write_mapping {
        match write_mapping(&cmd.dir, w.mapping, &mapping) {
            Ok(()) => {
                let _ = writeln!(
                    io.out,
                    "The mapping [import.{0}] is in needtrail.toml. Once the sheet is filled in:\n  needtrail import {0} {1} {2}",
                    w.mapping,
                    cmd.out.display(),
                    cmd.dir.display()
                );
            }
            Err(e) => {
                return Err(Failure::input(e.to_string()));
            }
        }
    } else {
        let _ = writeln!(
            io.out,
            "Once it is filled in, import it with this mapping (add it to needtrail.toml, or export again with --write-mapping):\n  needtrail import {} {} {}\n\n{mapping}",
            w.mapping,
            cmd.out.display(),
            cmd.dir.display()
        );
    }
    Ok(Done::Clean)
}

/// A requirement the sheet lists.
struct RowSource<'a> {
    id: &'a str,
    title: &'a str,
    idx: ItemIdx,
}

/// The decision on `requirement` in `review`, if it has one.
fn decision_in(
    project: &Project,
    profile: &Profile,
    review: ItemIdx,
    requirement: &str,
) -> Option<ItemIdx> {
    let f = profile.roles.decision.requirement?;
    (review.index() + 1..project.items.len())
        .map(|i| ItemIdx(i as u32))
        .take_while(|i| project.item(*i).parent == Some(review))
        .find(|d| {
            project
                .item(*d)
                .links_in(f)
                .any(|t| project.item(t).id == requirement)
        })
}

/// The profile's verdicts.
fn verdict_values(profile: &Profile) -> Vec<String> {
    let d = &profile.roles.decision;
    d.kind
        .zip(d.verdict)
        .and_then(|(k, f)| profile.field_def(k, f))
        .map(|d| d.values.clone())
        .unwrap_or_default()
}

struct Head {
    contract: String,
    contract_title: String,
    customer: String,
    number: String,
    review: String,
    review_date: String,
}

fn workbook(
    w: &Words,
    head: &Head,
    rows: &[Row],
    verdicts: &[String],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the file the same for the same input.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} {}", w.title, head.contract))
            .set_creation_datetime(&created),
    );
    let title = Format::new().set_bold().set_font_size(14);
    let label = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color("EEF2F6")
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let fill = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_background_color("FFF8E1");
    let ws = wb.add_worksheet();
    ws.set_name(w.sheet)?;
    ws.merge_range(
        0,
        0,
        0,
        7,
        &format!("{} · {}", w.title, head.contract_title),
        &title,
    )?;
    let facts = [
        (1, 0, w.contract, head.contract.as_str()),
        (1, 3, w.customer, head.customer.as_str()),
        (1, 6, w.review, head.review.as_str()),
        (2, 0, w.number, head.number.as_str()),
        (2, 6, w.review_date, head.review_date.as_str()),
    ];
    for (r, c, k, v) in facts {
        ws.write_string_with_format(r, c, k, &label)?;
        ws.write_string(r, c + 1, v)?;
    }
    ws.merge_range(2, 2, 2, 5, "", &Format::new())?;
    ws.write_string(3, 0, w.hint)?;
    let h = HEADER_ROW - 1;
    for (c, name) in w.headers.iter().enumerate() {
        ws.write_string_with_format(h, c as u16, *name, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = h + 1 + i as u32;
        for (c, v) in r.cells().iter().enumerate() {
            let f = if c >= 4 { &fill } else { &cell };
            ws.write_string_with_format(row, c as u16, v.as_str(), f)?;
        }
    }
    let last = h + rows.len().max(1) as u32 + 50;
    if !verdicts.is_empty() {
        let list: Vec<&str> = verdicts.iter().map(String::as_str).collect();
        let dv = DataValidation::new().allow_list_strings(&list)?;
        ws.add_data_validation(h + 1, 4, last, 4, &dv)?;
    }
    for (c, width) in [14, 40, 12, 28, 14, 36, 14, 12].iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(h + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(h, h)?;
    wb.save_to_buffer()
}

/// The mapping that imports the filled sheet: each row with a verdict
/// becomes the decision on its requirement in the review named in the
/// title block.
fn mapping_text(w: &Words, profile: &Profile, lang: &str, verdicts: &[String]) -> String {
    let q = |s: &str| toml_edit::Value::from(s).to_string();
    let map: Vec<String> = verdicts
        .iter()
        .map(|v| format!("{} = {}", q(profile.value_label(v, lang)), q(v)))
        .collect();
    let h = &w.headers;
    let r = &profile.roles;
    let kind = |k: Option<crate::model::KindIdx>| k.map_or("", |k| profile.kind(k).name.as_str());
    let field = |f: Option<crate::model::FieldIdx>| f.map_or("", |f| profile.field_name(f));
    format!(
        "# Imports the sheet written by `needtrail export review-sheet --lang {lang}`:\n\
# every row with a verdict becomes the decision on its requirement in the\n\
# review named in the title block.\n\
[import.{name}]\n\
sheet = {sheet}\n\
header_row = {HEADER_ROW}\n\
\n\
[[import.{name}.item]]\n\
kind = \"{review_kind}\"\n\
once = true\n\
file = \"reviews/imported.toml\"\n\
id = {{ after = {review} }}\n\
fields.{f_contract} = {{ after = {contract} }}\n\
fields.{f_review_date} = {{ after = {review_date} }}\n\
\n\
[[import.{name}.item]]\n\
kind = \"{decision_kind}\"\n\
parent = {{ id_of = \"{review_kind}\" }}\n\
key = \"{f_requirement}\"\n\
only_if_filled = [{verdict}]\n\
fields.{f_requirement} = {req}\n\
fields.{f_verdict} = {{ column = {verdict}, map = {{ {map} }} }}\n\
fields.{f_note} = {note}\n\
fields.{f_owner} = {reviewer}\n\
fields.{f_date} = {date}\n",
        review_kind = kind(r.review.kind),
        decision_kind = kind(r.decision.kind),
        f_contract = field(r.review.contract),
        f_review_date = field(r.review.date),
        f_requirement = field(r.decision.requirement),
        f_verdict = field(r.decision.verdict),
        f_note = field(r.decision.note),
        f_owner = field(r.common.owner),
        f_date = field(r.decision.date),
        name = w.mapping,
        sheet = q(w.sheet),
        review = q(w.review),
        contract = q(w.contract),
        review_date = q(w.review_date),
        verdict = q(h[4]),
        req = q(h[0]),
        note = q(h[5]),
        reviewer = q(h[6]),
        date = q(h[7]),
        map = map.join(", "),
    )
}

/// Puts `[import.NAME]` into needtrail.toml (replacing one of that name),
/// keeping the rest of the file as it is.
fn write_mapping(dir: &Path, name: &str, mapping: &str) -> Result<(), String> {
    let path = dir.join(crate::load::CONFIG_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(b) => (true, b),
        None => (false, text.as_str()),
    };
    let mut doc: toml_edit::DocumentMut = body
        .parse()
        .map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
    // An earlier mapping of this name goes; the new one is added at the end.
    let mut out = match doc.get_mut("import").and_then(|i| i.as_table_like_mut()) {
        Some(import) if import.contains_key(name) => {
            import.remove(name);
            let mut t = doc.to_string();
            while t.ends_with("\n\n") {
                t.pop();
            }
            t
        }
        Some(_) | None => body.to_owned(),
    };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(mapping);
    if bom {
        out.insert(0, '\u{feff}');
    }
    crate::atomic::write(&path, out.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
