//! Generates benchmark workbooks in the template's shape: `jvap-bench-gen ROWS OUT.xlsx [--sparse]`.
//!
//! Rows carry realistic, valid values (dates as date cells, budgets as numbers, several countries and
//! domains), written with rust_xlsxwriter's constant-memory mode so a million rows cost little to make.
//! `--sparse` writes one data row at row 2 and one at row ROWS, nothing between.

use anyhow::Context;
use jvap_record::{FIELDS, Lang};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: jvap-bench-gen ROWS OUT.xlsx [--sparse]";
    let rows: u32 = args.get(1).context(usage)?.parse().context(usage)?;
    let out = args.get(2).context(usage)?;
    let sparse = args.iter().any(|a| a == "--sparse");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Initiatives")?;
    for (col, field) in FIELDS.iter().enumerate() {
        sheet.write_string(0, col as u16, field.header(Lang::En))?;
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    if sparse {
        write_row(sheet, 1, &date)?;
        write_row(sheet, rows, &date)?;
    } else {
        for row in 1..=rows {
            write_row(sheet, row, &date)?;
        }
    }
    workbook
        .save(out)
        .with_context(|| format!("writing {out}"))?;
    Ok(())
}

const COUNTRIES: [&str; 6] = [
    "Senegal; Mali",
    "Niger",
    "Ghana / Togo",
    "Ethiopia",
    "Morocco; Tunisia; Egypt",
    "Nigeria",
];
const TARGETS: [&str; 3] = ["Youth; Women", "Migrants", "Refugees and asylum seekers"];

fn write_row(sheet: &mut Worksheet, row: u32, date: &Format) -> anyhow::Result<()> {
    let i = row as usize;
    let year = 2016 + (i % 6) as u16;
    let start = ExcelDateTime::from_ymd(year, 1 + (i % 12) as u8, 1 + (i % 28) as u8)?;
    let end = ExcelDateTime::from_ymd(year + 3, 12, 31)?;
    let (domains, primary, priority) = match i % 3 {
        0 => ("D1; D3", "D1", "1.2; 3.1"),
        1 => ("D4", "D4", "4.1"),
        _ => ("D2; D5", "D5", "5.2"),
    };
    sheet.write_string(row, 0, format!("REF-{row:07}"))?;
    sheet.write_string(
        row,
        1,
        if i.is_multiple_of(5) {
            "Policy"
        } else {
            "Project"
        },
    )?;
    sheet.write_string(
        row,
        2,
        format!("Support to migration governance and protection, action {row}"),
    )?;
    sheet.write_string(
        row,
        3,
        "The action builds the capacities of national authorities and supports host communities.",
    )?;
    sheet.write_string(row, 4, ["Planned", "Ongoing", "Completed"][i % 3])?;
    sheet.write_datetime_with_format(row, 5, &start, date)?;
    sheet.write_datetime_with_format(row, 6, &end, date)?;
    sheet.write_string(row, 7, domains)?;
    sheet.write_string(row, 8, primary)?;
    sheet.write_string(row, 9, priority)?;
    sheet.write_string(row, 10, "O1")?;
    sheet.write_string(row, 11, COUNTRIES[i % COUNTRIES.len()])?;
    sheet.write_string(
        row,
        13,
        ["European Union", "Germany", "Italy", "IOM"][i % 4],
    )?;
    sheet.write_string(row, 16, "IOM; GIZ")?;
    sheet.write_number(row, 17, 100_000.0 + (i % 1000) as f64 * 2_500.0)?;
    sheet.write_string(row, 18, ["EUR", "USD", "XOF"][i % 3])?;
    sheet.write_string(row, 19, TARGETS[i % TARGETS.len()])?;
    sheet.write_string(row, 21, format!("focal.point{}@example.org", i % 97))?;
    Ok(())
}
