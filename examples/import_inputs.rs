//! The inputs of the import timings in `scripts/perf-table.sh`: a customer's
//! requirements list of N rows as an .xlsx sheet, and an empty project whose
//! needtrail.toml maps the sheet (`[import.csr]`) and takes a ReqIF file
//! without a mapping.
//!
//! `cargo run --release --example import_inputs -- N SHEET.xlsx PROJECT`
//!
//! PROJECT must not exist yet; it is created with needtrail.toml only.
//! Import the sheet with `needtrail import csr SHEET.xlsx PROJECT`.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

const MAPPING: &str = r#"[project]
name = "Import timing"
profile = "iso9001"

# The customer's requirements list: one requirement per row.
[import.csr]
header_row = 1

[[import.csr.item]]
kind = "requirement"
file = "requirements/csr.toml"
id = "CSR-{No.:06}"
fields.title = "Requirement"
fields.text = "Details"
fields.source = "Clause"
fields.class = { value = "stated" }
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rows, sheet, project] = args.as_slice() else {
        return Err("usage: import_inputs N SHEET.xlsx PROJECT".into());
    };
    let rows: u32 = rows.parse()?;
    let project = Path::new(project);
    if project.exists() {
        return Err(format!("{} already exists", project.display()).into());
    }

    let mut workbook = Workbook::new();
    // A fixed creation time, so the same N writes the same file.
    workbook.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 5)?),
    );
    let ws = workbook.add_worksheet();
    ws.set_name("Requirements")?;
    for (col, name) in ["No.", "Requirement", "Details", "Clause"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, col as u16, *name)?;
    }
    for n in 1..=rows {
        ws.write_number(n, 0, f64::from(n))?;
        ws.write_string(
            n,
            1,
            format!("Window unit {n} meets air tightness class 6 / 外窗气密性能不低于6级"),
        )?;
        ws.write_string(
            n,
            2,
            format!(
                "The unit shall keep air leakage below 1.5 m3/(m·h) at 10 Pa as tested to GB/T 7106; 检测按GB/T 7106执行。Unit {n}."
            ),
        )?;
        ws.write_string(n, 3, format!("Tender clause 4.{n}"))?;
    }
    workbook.save(sheet)?;

    std::fs::create_dir_all(project)?;
    std::fs::write(project.join("needtrail.toml"), MAPPING)?;
    Ok(())
}
