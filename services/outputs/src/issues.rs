//! A report's issues as a file to share with whoever fixes the workbook: CSV (UTF-8 with a BOM, so
//! spreadsheets read the accents) or xlsx, every issue in one language, with where it is (sheet,
//! cell, column), the value found, the message and how to fix it (the column's rule from
//! `schemas/fields.csv`). Text is formula-safe in both.

use jvap_record::record::FIELDS;
use jvap_record::vocabulary::{Bilingual, capitalized};
use jvap_record::{Issue, Lang, Report};
use rust_xlsxwriter::{Format, Workbook};

use crate::dataset::DatasetError;
use crate::dataset::csv::neutralise;

/// The byte-order mark that makes spreadsheets read a CSV file as UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

const fn words(en: &'static str, fr: &'static str) -> Bilingual {
    Bilingual { en, fr }
}

/// The columns of the issue list, in order.
const COLUMNS: [Bilingual; 9] = [
    words("Severity", "Gravité"),
    words("Code", "Code"),
    words("Sheet", "Feuille"),
    words("Cell", "Cellule"),
    words("Row", "Ligne"),
    words("Column", "Colonne"),
    words("Value found", "Valeur trouvée"),
    words("Message", "Message"),
    words("How to fix", "Comment corriger"),
];

/// The issue list sheet's name.
const SHEET: Bilingual = words("Issues", "Problèmes");

/// One issue as the cells of its line, in `lang`.
fn line(issue: &Issue, lang: Lang) -> [String; 9] {
    let field = issue
        .column
        .as_deref()
        .and_then(|key| FIELDS.iter().find(|field| field.key == key));
    [
        capitalized(issue.severity.label(lang)),
        issue.code.clone(),
        issue.sheet.clone().unwrap_or_default(),
        issue.cell.clone().unwrap_or_default(),
        issue.row.map(|row| row.to_string()).unwrap_or_default(),
        field.map_or_else(
            || issue.column.clone().unwrap_or_default(),
            |f| f.header(lang).to_string(),
        ),
        issue.value.clone().unwrap_or_default(),
        match lang {
            Lang::En => issue.message_en.clone(),
            Lang::Fr => issue.message_fr.clone(),
        },
        field.map(|f| f.rule(lang).to_string()).unwrap_or_default(),
    ]
}

/// The issues of `report` as CSV in `lang`: a header line, then one line per issue in report order.
pub fn issues_csv(report: &Report, lang: Lang) -> Result<Vec<u8>, DatasetError> {
    let mut out = BOM.to_vec();
    {
        let mut writer = ::csv::Writer::from_writer(&mut out);
        writer.write_record(COLUMNS.map(|c| c.get(lang)))?;
        for issue in &report.issues {
            writer.write_record(line(issue, lang).map(|cell| neutralise(&cell)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// The issues of `report` as a workbook in `lang`: one sheet, a bold frozen header with a filter.
pub fn issues_xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, DatasetError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET.get(lang))?;
    for (col, column) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, column.get(lang), &bold)?;
    }
    let mut row = 0u32;
    for issue in &report.issues {
        row += 1;
        for (col, cell) in line(issue, lang).iter().enumerate() {
            // write_string stores text as text: nothing a partner wrote can become a formula.
            if col >= 6 {
                sheet.write_string_with_format(row, col as u16, cell, &wrap)?;
            } else {
                sheet.write_string(row, col as u16, cell)?;
            }
        }
    }
    for (col, width) in [12, 24, 16, 8, 6, 22, 30, 60, 50].iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, row, (COLUMNS.len() - 1) as u16)?;
    sheet.set_landscape();
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_print_fit_to_pages(1, 0);
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use jvap_record::catalogue;
    use jvap_record::{Counts, Verdict};

    fn report() -> Report {
        let mut date = Issue::new(&catalogue::ALL[0], "x");
        date.sheet = Some("Initiatives".into());
        date.cell = Some("F7".into());
        date.row = Some(7);
        date.column = Some("start_date".into());
        date.value = Some("=cmd|' /C calc'!A0".into());
        let whole = Issue::new(&catalogue::ALL[1], "y");
        Report {
            verdict: Verdict::Rejected,
            counts: Counts::default(),
            issues: vec![date, whole],
            records: vec![],
            columns: vec![],
        }
    }

    #[test]
    fn the_csv_has_every_issue_in_the_language_asked_with_how_to_fix_and_no_formula() {
        let report = report();
        let bytes = issues_csv(&report, Lang::Fr).expect("written");
        assert!(bytes.starts_with(BOM));
        let mut reader = ::csv::Reader::from_reader(&bytes[BOM.len()..]);
        let header: Vec<String> = reader
            .headers()
            .expect("a header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header[0], "Gravité");
        assert_eq!(header[8], "Comment corriger");
        let lines: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("a line").iter().map(String::from).collect())
            .collect();
        assert_eq!(lines.len(), 2);
        let date = &lines[0];
        assert_eq!(date[2..5], ["Initiatives", "F7", "7"]);
        assert_eq!(date[5], jvap_record::record::field("start_date").header_fr);
        assert_eq!(date[6], "'=cmd|' /C calc'!A0");
        assert_eq!(date[7], report.issues[0].message_fr);
        assert_eq!(date[8], jvap_record::record::field("start_date").rule_fr);
        assert_eq!(lines[1][2..6], ["", "", "", ""]);
    }

    #[test]
    fn the_workbook_lists_the_same_lines_as_text() {
        let report = report();
        let bytes = issues_xlsx(&report, Lang::En).expect("written");
        let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx");
        let range = workbook.worksheet_range("Issues").expect("the sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(Data::to_string).collect())
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][7], "Message");
        assert_eq!(rows[1][6], "=cmd|' /C calc'!A0");
        assert_eq!(rows[1][7], report.issues[0].message_en);
        assert_eq!(rows[1][8], jvap_record::record::field("start_date").rule_en);
    }
}
