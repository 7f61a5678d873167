//! The consolidated workbook: `Read me` and `Initiatives`.
//!
//! Initiatives is a constant-memory worksheet written row by row, so 100,000 initiatives cost a few MB.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::table::{self, Cell, Column, ColumnType};
use super::{DatasetCounts, DatasetError, DatasetInitiative, DatasetMeta};

pub const SHEET_README: &str = "Read me";
pub const SHEET_INITIATIVES: &str = "Initiatives";

/// Excel's limit on the characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// The workbook of one dataset version, as xlsx bytes.
pub fn write_xlsx(
    meta: &DatasetMeta,
    initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    let columns = table::columns();
    let mut workbook = Workbook::new();
    write_readme(
        workbook.add_worksheet(),
        meta,
        DatasetCounts::of(initiatives),
        &columns,
    )?;
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    write_initiatives(sheet, &columns, initiatives)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_readme(
    sheet: &mut Worksheet,
    meta: &DatasetMeta,
    counts: DatasetCounts,
    columns: &[Column],
) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_README)?;
    let title = Format::new().set_bold().set_font_size(16);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (col, width) in [22.0, 34.0, 34.0, 60.0, 60.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }

    sheet.write_string_with_format(0, 0, "JVAP consolidated dataset", &title)?;
    let facts: [(&str, String); 6] = [
        ("Round", meta.round.clone()),
        ("Dataset version", meta.version.to_string()),
        ("Generated at (UTC)", meta.generated_at.to_rfc3339()),
        ("Initiatives", counts.initiatives.to_string()),
        ("Partners", counts.partners.to_string()),
        ("Submissions", counts.submissions.to_string()),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string_with_format(row, 0, *label, &bold)?;
        sheet.write_string(row, 1, value)?;
    }

    let mut row = facts.len() as u32 + 3;
    sheet.write_string_with_format(row, 0, "Data dictionary / Dictionnaire des données", &bold)?;
    row += 1;
    let headers = [
        "Key",
        "Header (EN)",
        "En-tête (FR)",
        "Rule (EN)",
        "Règle (FR)",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *header, &bold)?;
    }
    for column in columns {
        row += 1;
        sheet.write_string(row, 0, column.key)?;
        sheet.write_string_with_format(row, 1, column.header_en, &wrap)?;
        sheet.write_string_with_format(row, 2, column.header_fr, &wrap)?;
        sheet.write_string_with_format(row, 3, column.rule_en, &wrap)?;
        sheet.write_string_with_format(row, 4, column.rule_fr, &wrap)?;
    }
    Ok(())
}

fn write_initiatives(
    sheet: &mut Worksheet,
    columns: &[Column],
    initiatives: &[DatasetInitiative],
) -> Result<(), DatasetError> {
    sheet.set_name(SHEET_INITIATIVES)?;
    let header = Format::new().set_bold().set_background_color(0xDDEBF7);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let amount = Format::new().set_num_format("#,##0.00");
    let integer = Format::new().set_num_format("0");

    for (col, column) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, width(column))?;
        sheet.write_string_with_format(0, col, column.key, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = columns.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, initiatives.len() as u32, last_col)?;

    for (i, initiative) in initiatives.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, (cell, column)) in table::row(initiative)?.iter().zip(columns).enumerate() {
            let col = col as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, truncate(s))?;
                }
                Cell::Number(n) => {
                    let format = match column.column_type {
                        ColumnType::Integer => &integer,
                        _ => &amount,
                    };
                    sheet.write_number_with_format(row, col, *n, format)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(excel) => {
                        sheet.write_datetime_with_format(row, col, excel, &date)?;
                    }
                    None => {
                        sheet.write_string(row, col, d.to_string())?;
                    }
                },
            }
        }
    }
    Ok(())
}

/// Excel has no dates before 1900; those (never valid in a JVAP round) are written as text.
fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS / 2) {
        // Count in UTF-16 units only when the string could be near the limit.
        Some(_) if s.encode_utf16().count() > MAX_CELL_CHARS => {
            let mut units = 0;
            let end = s
                .char_indices()
                .find(|(_, c)| {
                    units += c.len_utf16();
                    units > MAX_CELL_CHARS
                })
                .map_or(s.len(), |(i, _)| i);
            &s[..end]
        }
        _ => s,
    }
}

fn width(column: &Column) -> f64 {
    match (column.key, column.column_type) {
        ("title", _) => 45.0,
        ("description", _) => 50.0,
        ("submission_id", _) => 38.0,
        (_, ColumnType::List) => 24.0,
        (_, ColumnType::Date | ColumnType::Amount) => 15.0,
        (_, ColumnType::Integer) => 11.0,
        (_, ColumnType::Text) => 16.0,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::super::sample::{meta, sample};
    use super::super::table::readback;
    use super::*;

    fn cell(data: &Data) -> Cell {
        match data {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::DateTime(dt) => Cell::Date(dt.as_datetime().expect("a date").date()),
            other => panic!("unexpected cell {other:?}"),
        }
    }

    #[test]
    fn xlsx_reads_back_as_the_same_initiatives() {
        let initiatives = sample();
        let bytes = write_xlsx(&meta(), &initiatives).expect("xlsx");
        let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        assert_eq!(workbook.sheet_names(), [SHEET_README, SHEET_INITIATIVES]);

        let range = workbook.worksheet_range(SHEET_INITIATIVES).expect("sheet");
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .expect("header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        let keys: Vec<&str> = table::columns().iter().map(|c| c.key).collect();
        assert_eq!(header, keys);
        let back: Vec<DatasetInitiative> = rows
            .map(|r| readback::initiative(&r.iter().map(cell).collect::<Vec<_>>()))
            .collect();
        assert_eq!(back, initiatives);
    }

    #[test]
    fn read_me_has_the_counts_and_a_dictionary_entry_per_column() {
        let bytes = write_xlsx(&meta(), &sample()).expect("xlsx");
        let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        let range = workbook.worksheet_range(SHEET_README).expect("sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let fact = |label: &str| rows.iter().find(|r| r[0] == label).map(|r| r[1].clone());
        assert_eq!(fact("Round").as_deref(), Some("2022"));
        assert_eq!(fact("Dataset version").as_deref(), Some("3"));
        assert_eq!(fact("Initiatives").as_deref(), Some("3"));
        assert_eq!(fact("Partners").as_deref(), Some("2"));
        for field in crate::FIELDS.iter() {
            assert!(
                rows.iter().any(|r| r[0] == field.key
                    && r[1] == field.header_en
                    && r[2] == field.header_fr
                    && r[3] == field.rule_en
                    && r[4] == field.rule_fr),
                "no dictionary entry for {}",
                field.key
            );
        }
    }

    #[test]
    fn an_empty_dataset_is_still_a_workbook() {
        let bytes = write_xlsx(&meta(), &[]).expect("xlsx");
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn truncate_keeps_cells_under_excels_limit() {
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        assert_eq!(truncate(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(truncate("short"), "short");
    }
}
