//! The reader against the real partner samples and small workbooks made in the test.

use std::io::{Cursor, Read, Write};
use std::time::Instant;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format as XlsxFormat, Formula, Workbook};

use super::*;
use crate::sheet::{Cell, CellValue, Row, Visibility};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}{name}")).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

fn read_sample(name: &str) -> Vec<Sheet> {
    read(name, &sample(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Read a file that must be refused, printing how long the refusal took.
fn refuse(label: &str, name: &str, bytes: &[u8], limits: &Limits) -> FileError {
    let started = Instant::now();
    let result = read(name, bytes, limits);
    let elapsed = started.elapsed();
    println!("{label}: refused in {elapsed:?}");
    match result {
        Ok(sheets) => panic!("{label}: read {} sheets instead of refusing", sheets.len()),
        Err(error) => error,
    }
}

fn sheet<'a>(sheets: &'a [Sheet], name: &str) -> &'a Sheet {
    sheets
        .iter()
        .find(|s| s.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

fn row(sheet: &Sheet, number: u32) -> &Row {
    sheet
        .rows
        .iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("no row {number} in {:?}", sheet.name))
}

fn value(sheet: &Sheet, number: u32, col: usize) -> CellValue {
    row(sheet, number)
        .get(col)
        .map_or(CellValue::Empty, |c| c.value.clone())
}

fn text(s: &str) -> CellValue {
    CellValue::Text(s.to_string())
}

fn date(y: i32, m: u32, d: u32) -> CellValue {
    CellValue::Date(NaiveDate::from_ymd_opt(y, m, d).expect("a real date"))
}

/// The column of the header row whose text is `header`.
fn column(sheet: &Sheet, header_row: u32, header: &str) -> usize {
    row(sheet, header_row)
        .cells
        .iter()
        .position(|c| c.value == text(header))
        .unwrap_or_else(|| panic!("no header {header:?} on row {header_row}"))
}

// ---- bad files -------------------------------------------------------------------------------

#[test]
fn a_truncated_download_is_reported_corrupt() {
    let error = refuse(
        "CIV truncated",
        "CIV_Rapport_JVAP_2022.xlsx",
        &sample("CIV_Rapport_JVAP_2022.xlsx"),
        &Limits::default(),
    );
    assert!(matches!(error, FileError::Corrupt(_)), "{error:?}");
    assert_eq!(error.issue().code, "file.corrupt");
}

#[test]
fn a_word_document_renamed_xlsx_is_the_wrong_type() {
    let error = refuse(
        "BFA docx",
        "BFA_Fiche_collecte_JVAP_2022.xlsx",
        &sample("BFA_Fiche_collecte_JVAP_2022.xlsx"),
        &Limits::default(),
    );
    assert_eq!(error, FileError::WrongType("a Word document".into()));
    let issue = error.issue();
    assert_eq!(issue.code, "file.wrong_type");
    assert!(
        issue.message_en.contains("a Word document"),
        "{}",
        issue.message_en
    );
    assert_eq!(
        (issue.sheet, issue.cell, issue.row, issue.column),
        (None, None, None, None)
    );
}

#[test]
fn a_saved_blank_workbook_is_empty() {
    let error = refuse(
        "TUN empty",
        "TUN_JVAP_2022.xlsx",
        &sample("TUN_JVAP_2022.xlsx"),
        &Limits::default(),
    );
    assert_eq!(error, FileError::Empty);
    assert_eq!(error.issue().code, "file.empty");
}

#[test]
fn a_zip_bomb_is_refused_without_inflating_it() {
    let bytes = sample("EGY_JVAP_initiatives_2022.xlsx");
    let error = refuse(
        "EGY zip bomb",
        "EGY_JVAP_initiatives_2022.xlsx",
        &bytes,
        &Limits::default(),
    );
    assert_eq!(error.issue().code, "file.zip_bomb");
    // Refused from the size its zip headers declare, before a byte is inflated.
    let FileError::ZipBomb(detail) = &error else {
        panic!("{error:?}")
    };
    assert!(
        detail
            .en
            .starts_with("the part xl/worksheets/sheet1.xml declares 1.1 GB"),
        "{}",
        detail.en
    );
}

/// An xlsx of `rows` rows whose sheet then claims, in both zip headers, to be 1000 bytes.
fn xlsx_with_lying_sheet_size(rows: u32) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    for r in 0..rows {
        worksheet
            .write(r, 0, "a row of text that inflates well")
            .unwrap();
        worksheet.write(r, 1, r).unwrap();
    }
    let mut bytes = workbook.save_to_buffer().unwrap();
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    for (signature, name_at, size_at) in [(b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)] {
        let mut at = 0;
        while let Some(found) = bytes[at..].windows(4).position(|w| w == signature) {
            let start = at + found;
            if bytes[start + name_at..].starts_with(name) {
                bytes[start + size_at..start + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
                patched += 1;
            }
            at = start + 4;
        }
    }
    assert_eq!(patched, 2);
    bytes
}

#[test]
fn a_part_inflating_far_beyond_its_declared_size_is_a_zip_bomb() {
    let bytes = xlsx_with_lying_sheet_size(40_000); // about 2.5 MB of sheet XML declared as 1000 bytes
    let error = refuse(
        "lying zip header (bomb)",
        "lie.xlsx",
        &bytes,
        &Limits::default(),
    );
    assert!(
        matches!(error, FileError::ZipBomb(ref d) if d.en.contains("sheet1.xml")),
        "{error:?}"
    );
}

#[test]
fn a_part_inflating_a_little_beyond_its_declared_size_is_corrupt() {
    let bytes = xlsx_with_lying_sheet_size(100);
    let error = refuse(
        "lying zip header (damage)",
        "lie.xlsx",
        &bytes,
        &Limits::default(),
    );
    assert!(
        matches!(error, FileError::Corrupt(ref d) if d.contains("sheet1.xml")),
        "{error:?}"
    );
}

#[test]
fn parts_actually_inflating_past_the_limit_are_a_zip_bomb() {
    // Honest headers under the limit are not enough: the actual total is checked too.
    let bytes = xlsx_with_lying_sheet_size(2000);
    let limits = Limits {
        max_inflated_bytes: 64 * 1024,
        ..Limits::default()
    };
    let error = refuse("actual total over the limit", "lie.xlsx", &bytes, &limits);
    assert!(
        matches!(error, FileError::ZipBomb(ref d) if d.en.contains("inflate to more than")),
        "{error:?}"
    );
}

#[test]
fn parts_inflating_to_more_than_the_limit_together_are_a_zip_bomb() {
    let bytes = sample("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx");
    let limits = Limits {
        max_inflated_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let error = refuse("DEU over a 1 MB inflate limit", "DEU.xlsx", &bytes, &limits);
    assert!(matches!(error, FileError::ZipBomb(_)), "{error:?}");
}

#[test]
fn the_inflation_bound_grows_with_the_file_between_a_floor_and_a_cap() {
    let limits = Limits::default();
    // A small file may always inflate to the floor.
    assert_eq!(limits.inflation_limit(10_000), crate::read::INFLATION_FLOOR);
    // A 3.5 MB file (the EGY sample) to 100 times its size: 350 MB, not the 1.2 GB its sheet declares.
    assert_eq!(limits.inflation_limit(3_495_456), 349_545_600);
    // The service's cap holds however big the upload.
    assert_eq!(limits.inflation_limit(50 << 20), 1 << 30);
    // Offline, an 84 MB workbook of a million rows (about 13:1) fits; a bomb of the same size would not.
    let offline = Limits::offline();
    assert_eq!(offline.inflation_limit(84_000_000), 8_400_000_000);
    assert!(offline.inflation_limit(84_000_000) > 13 * 84_000_000);
}

#[test]
fn the_egy_bomb_is_refused_offline_too_with_its_detail_in_both_languages() {
    let bytes = sample("EGY_JVAP_initiatives_2022.xlsx");
    let error = refuse("EGY offline", "EGY.xlsx", &bytes, &Limits::offline());
    // Refused from its declared size ("declares"): nothing is inflated.
    let FileError::ZipBomb(detail) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        detail.en,
        "the part xl/worksheets/sheet1.xml declares 1.1 GB, the limit for this file is 333.4 MB"
    );
    assert_eq!(
        detail.fr,
        "la partie xl/worksheets/sheet1.xml annonce 1,1 Go, la limite pour ce fichier est de 333,4 Mo"
    );
    let issue = error.issue();
    assert!(issue.message_fr.contains("1,1 Go"), "{}", issue.message_fr);
    assert!(
        !issue.message_fr.contains("the limit"),
        "{}",
        issue.message_fr
    );
}

#[test]
fn the_too_large_message_is_french_in_french() {
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let error = refuse(
        "too large",
        "DEU.xlsx",
        &sample("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx"),
        &limits,
    );
    let issue = error.issue();
    assert_eq!(
        issue.message_fr,
        "Le fichier est trop volumineux (146,0 Ko, la limite est de 1000 octets)."
    );
    assert_eq!(
        issue.message_en,
        "The file is too large (146.0 KB, the limit is 1000 bytes)."
    );
}

#[test]
fn a_pdf_and_random_bytes_are_the_wrong_type() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let error = refuse("PDF", "report.xlsx", pdf, &Limits::default());
    assert_eq!(error, FileError::WrongType("a PDF document".into()));

    // A simple deterministic generator: random-looking bytes, NULs included.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let error = refuse("random binary", "data.csv", &junk, &Limits::default());
    assert!(matches!(error, FileError::WrongType(_)), "{error:?}");
    assert_eq!(error.issue().code, "file.wrong_type");
}

/// A minimal OLE compound file (version 3, 512-byte sectors): header, one FAT sector, one directory
/// sector holding the root entry and the given (empty) streams.
fn compound_file(streams: &[&str]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    let mut file = vec![0u8; 512 * 3];
    file[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 =
        |file: &mut Vec<u8>, at: usize, v: u16| file[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |file: &mut Vec<u8>, at: usize, v: u32| file[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut file, 24, 0x3E); // minor version
    put16(&mut file, 26, 3); // major version
    put16(&mut file, 28, 0xFFFE); // byte order
    put16(&mut file, 30, 9); // 512-byte sectors
    put16(&mut file, 32, 6); // 64-byte mini sectors
    put32(&mut file, 44, 1); // one FAT sector
    put32(&mut file, 48, 1); // directory at sector 1
    put32(&mut file, 56, 4096); // mini stream cutoff
    put32(&mut file, 60, END); // no mini FAT
    put32(&mut file, 68, END); // no DIFAT sectors
    for i in 0..109 {
        put32(&mut file, 76 + 4 * i, if i == 0 { 0 } else { 0xFFFF_FFFF });
    }
    // FAT (sector 0, at 512): itself, the directory chain's end, then free.
    for i in 0..128 {
        let v = match i {
            0 => 0xFFFF_FFFD,
            1 => END,
            _ => 0xFFFF_FFFF,
        };
        put32(&mut file, 512 + 4 * i, v);
    }
    // Directory (sector 1, at 1024).
    let names: Vec<&str> = std::iter::once("Root Entry")
        .chain(streams.iter().copied())
        .collect();
    for (i, name) in names.iter().enumerate() {
        let at = 1024 + 128 * i;
        let units: Vec<u16> = name.encode_utf16().collect();
        for (j, unit) in units.iter().enumerate() {
            put16(&mut file, at + 2 * j, *unit);
        }
        put16(&mut file, at + 64, ((units.len() + 1) * 2) as u16);
        file[at + 66] = if i == 0 { 5 } else { 2 }; // root storage or stream
        put32(&mut file, at + 68, 0xFFFF_FFFF);
        put32(&mut file, at + 72, 0xFFFF_FFFF);
        put32(&mut file, at + 76, 0xFFFF_FFFF);
        put32(&mut file, at + 116, END);
        put32(&mut file, at + 120, 0);
    }
    file
}

#[test]
fn a_password_protected_xlsx_is_reported_encrypted() {
    let bytes = compound_file(&["EncryptionInfo", "EncryptedPackage"]);
    let error = refuse("encrypted OOXML", "secret.xlsx", &bytes, &Limits::default());
    assert_eq!(error, FileError::Encrypted);
    assert_eq!(error.issue().code, "file.encrypted");
}

#[test]
fn an_office_file_without_a_workbook_is_the_wrong_type() {
    let bytes = compound_file(&["WordDocument"]);
    let error = refuse("old Word .doc", "letter.xls", &bytes, &Limits::default());
    assert_eq!(error, FileError::WrongType("a Word document (.doc)".into()));
}

#[test]
fn a_damaged_xls_is_a_damaged_workbook_not_another_kind_of_file() {
    let whole = sample("ITA_MAECI_JVAP_2022.xls");
    for keep in [whole.len() / 2, whole.len() * 3 / 4, 4096] {
        let error = refuse(
            "truncated xls",
            "ITA.xls",
            &whole[..keep],
            &Limits::default(),
        );
        assert!(
            matches!(error, FileError::Corrupt(_)),
            "{keep} bytes: {error:?}"
        );
        assert_eq!(error.issue().code, "file.corrupt");
    }
}

#[test]
fn a_file_over_the_size_limit_is_too_large_before_anything_else() {
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let error = refuse(
        "too large",
        "EGY.xlsx",
        &sample("EGY_JVAP_initiatives_2022.xlsx"),
        &limits,
    );
    assert!(matches!(error, FileError::TooLarge(_)), "{error:?}");
    assert_eq!(error.issue().code, "file.too_large");
}

#[test]
fn a_sheet_over_the_row_limit_is_named_in_the_error() {
    let limits = Limits {
        max_rows: 5,
        ..Limits::default()
    };
    let bytes = sample("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx");
    let error = refuse("too many rows (xlsx)", "DEU.xlsx", &bytes, &limits);
    // Instructions comes first and has 31 non-empty rows.
    assert_eq!(
        error,
        FileError::TooManyRows("sheet 'Instructions' has more than 5 non-empty rows".into())
    );
    assert_eq!(error.issue().code, "sheet.too_many_rows");
    let error = refuse(
        "too many rows (csv)",
        "BEL.csv",
        &sample("BEL_Enabel_collecte_JVAP_2022.csv"),
        &limits,
    );
    assert!(matches!(error, FileError::TooManyRows(_)), "{error:?}");
    let error = refuse(
        "too many rows (ods)",
        "ESP.ods",
        &sample("ESP_AECID_FIIAPP_JVAP2022.ods"),
        &limits,
    );
    assert!(matches!(error, FileError::TooManyRows(_)), "{error:?}");
}

#[test]
fn an_empty_or_blank_csv_is_empty() {
    assert_eq!(
        refuse("empty file", "a.csv", b"", &Limits::default()),
        FileError::Empty
    );
    assert_eq!(
        refuse(
            "blank csv",
            "a.csv",
            b";;;\r\n;;\r\n  \r\n",
            &Limits::default()
        ),
        FileError::Empty
    );
}

// ---- the samples -----------------------------------------------------------------------------

#[test]
fn gha_title_rows_come_before_the_header_on_row_6_and_the_banner_is_merged() {
    let sheets = read_sample("GHA_MoI_JVAP_submission_final.xlsx");
    let initiatives = sheet(&sheets, "Initiatives");
    let numbers: Vec<u32> = initiatives.rows.iter().map(|r| r.number).collect();
    assert_eq!(
        &numbers[..6],
        &[1, 2, 3, 4, 6, 7],
        "row 5 is empty and absent"
    );
    assert_eq!(value(initiatives, 6, 0), text("Project title"));
    assert_eq!(value(initiatives, 7, 2), text("Project"));
    let banner = row(initiatives, 1);
    assert!(banner.cells.len() > 1);
    assert!(
        banner
            .cells
            .iter()
            .all(|c| c.merged && c.value == banner.cells[0].value)
    );
    assert!(matches!(&banner.cells[0].value, CellValue::Text(t) if t.starts_with("JVAP DATABASE")));
    assert!(!row(initiatives, 6).cells[0].merged);
    assert!(matches!(
        value(initiatives, 7, column(initiatives, 6, "Start")),
        CellValue::Date(_)
    ));
}

#[test]
fn deu_sheets_merged_lead_funder_formulas_and_formatted_empty_rows() {
    let sheets = read_sample("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx");
    let names: Vec<_> = sheets
        .iter()
        .map(|s| (s.name.clone().unwrap_or_default(), s.visibility))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Instructions".to_string(), Visibility::Visible),
            ("Projects".to_string(), Visibility::Visible),
            ("Policies".to_string(), Visibility::Visible),
            ("Lists".to_string(), Visibility::Hidden),
        ]
    );
    let projects = sheet(&sheets, "Projects");
    // 1 header + 7 projects; the 3000 formatted empty rows after them give nothing.
    assert_eq!(projects.rows.len(), 8);
    assert_eq!(projects.rows.last().map(|r| r.number), Some(8));

    let lead = column(projects, 1, "Lead funder");
    let germany: Vec<u32> = projects
        .rows
        .iter()
        .filter(|r| r.get(lead).is_some_and(|c| c.merged))
        .map(|r| r.number)
        .collect();
    assert_eq!(germany.len(), 4, "the merged cell covers four project rows");
    for number in germany {
        assert_eq!(value(projects, number, lead), text("Germany"));
    }

    let total = column(projects, 1, "Total budget");
    let bmz = column(projects, 1, "BMZ contribution (EUR)");
    let cofinancing = column(projects, 1, "Co-financing (EUR)");
    for r in &projects.rows[1..] {
        let cell = r.get(total).expect("a total budget");
        assert!(cell.formula, "row {} total is a formula", r.number);
        assert!(!r.get(bmz).is_some_and(|c| c.formula));
        let sum: f64 = [bmz, cofinancing]
            .into_iter()
            .map(|c| match value(projects, r.number, c) {
                CellValue::Number(n) => n,
                _ => 0.0,
            })
            .sum();
        assert_eq!(
            cell.value,
            CellValue::Number(sum),
            "row {} cached SUM",
            r.number
        );
    }
    // Start dates mix date cells, ISO text and serial numbers typed as plain numbers.
    let start = column(projects, 1, "Start date (or adoption date for a policy)");
    let kinds: Vec<_> = projects.rows[1..]
        .iter()
        .map(|r| r.get(start).map(|c| c.value.clone()))
        .collect();
    assert!(kinds.iter().any(|v| matches!(v, Some(CellValue::Date(_)))));
    assert!(
        kinds
            .iter()
            .any(|v| matches!(v, Some(CellValue::Number(_))))
    );
    assert!(kinds.iter().any(|v| matches!(v, Some(CellValue::Text(_)))));
}

#[test]
fn ita_xls_date_cells_are_dates_and_the_lists_sheet_is_hidden() {
    let sheets = read_sample("ITA_MAECI_JVAP_2022.xls");
    assert_eq!(
        sheet(&sheets, "Initiatives").visibility,
        Visibility::Visible
    );
    assert_eq!(sheet(&sheets, "Lists").visibility, Visibility::Hidden);
    let initiatives = sheet(&sheets, "Initiatives");
    assert_eq!(value(initiatives, 3, 0), text("Reference"));
    let start = column(initiatives, 3, "Start date (or adoption date for a policy)");
    let data: Vec<&Row> = initiatives.rows.iter().filter(|r| r.number > 3).collect();
    assert_eq!(
        data.len(),
        6,
        "6 initiatives; the 1500 formatted empty rows give nothing"
    );
    for r in data {
        assert!(
            matches!(value(initiatives, r.number, start), CellValue::Date(_)),
            "row {}",
            r.number
        );
    }
    assert!(
        row(initiatives, 1).cells.iter().all(|c| c.merged),
        "merged banner"
    );
}

#[test]
fn esp_ods_dates_are_dates_and_formatted_empty_rows_are_skipped() {
    let sheets = read_sample("ESP_AECID_FIIAPP_JVAP2022.ods");
    assert_eq!(sheet(&sheets, "Lists").visibility, Visibility::Hidden);
    let initiatives = sheet(&sheets, "Initiatives");
    assert_eq!(
        initiatives.rows.len(),
        10,
        "header and 9 rows; the 2000 empty rows give nothing"
    );
    let end = column(initiatives, 1, "End date");
    assert_eq!(value(initiatives, 3, end), date(2014, 12, 31));
    let start = column(initiatives, 1, "Start date (or adoption date for a policy)");
    assert_eq!(value(initiatives, 9, start), text("31/02/2019"));
}

#[test]
fn bel_csv_is_semicolon_separated_windows_1252_with_trailing_blank_records_skipped() {
    let sheets = read_sample("BEL_Enabel_collecte_JVAP_2022.csv");
    assert_eq!(sheets.len(), 1);
    let csv = &sheets[0];
    assert_eq!(csv.name, None);
    assert_eq!(value(csv, 1, 0), text("Référence"));
    assert_eq!(value(csv, 1, 11), text("Pays de mise en œuvre"));
    assert_eq!(value(csv, 1, 21), text("Courriel de contact"));
    let numbers: Vec<u32> = csv.rows.iter().map(|r| r.number).collect();
    assert_eq!(
        numbers,
        (1..=9).collect::<Vec<_>>(),
        "header and 8 records, no trailing ';' lines"
    );
    assert_eq!(value(csv, 3, 11), text("RDC; Burundi"));
    assert_eq!(value(csv, 2, 17), text("3 620 000,00"), "numbers stay text");
}

#[test]
fn unhcr_csv_bom_is_stripped_and_the_multi_line_field_is_intact_on_row_7() {
    let sheets = read_sample("UNHCR_JVAP_export_2022.csv");
    let csv = &sheets[0];
    assert_eq!(value(csv, 1, 0), text("Reference"));
    let last = csv.rows.last().expect("rows");
    assert_eq!(last.number, 7);
    let countries = column(csv, 1, "Countries of implementation");
    assert_eq!(value(csv, 7, countries), text("Burkina Faso\nMali\nNiger"));
    assert_eq!(value(csv, 7, 0), text("UNHCR-BFA-2019-06"));
}

#[test]
fn eu_clean_template_reads_quickly_with_its_date_cells() {
    let sheets = read_sample("EU_DG-INTPA_JVAP_2022.xlsx");
    let initiatives = sheet(&sheets, "Initiatives");
    assert_eq!(
        initiatives.rows.len(),
        11,
        "header and 10 rows; 300 formatted empty rows skipped"
    );
    let start = column(initiatives, 1, "Start date (or adoption date for a policy)");
    assert_eq!(value(initiatives, 2, start), date(2018, 9, 10));
}

// ---- generated workbooks ---------------------------------------------------------------------

fn cells(r: &Row) -> Vec<&CellValue> {
    r.cells.iter().map(|c| &c.value).collect()
}

#[test]
fn a_generated_workbook_keeps_absolute_positions_merges_formulas_and_hidden_sheets() {
    let mut workbook = Workbook::new();
    let dates = XlsxFormat::new().set_num_format("dd/mm/yyyy");
    let sheet1 = workbook.add_worksheet().set_name("Data").unwrap();
    sheet1
        .merge_range(0, 0, 0, 3, "Title banner", &XlsxFormat::new())
        .unwrap();
    sheet1.write(2, 2, "Title").unwrap(); // C3: the data starts off A1
    sheet1.write(2, 3, "Budget").unwrap();
    sheet1.write(2, 4, "Start").unwrap();
    sheet1.write(3, 2, "Water").unwrap();
    sheet1.write(3, 3, 100).unwrap();
    sheet1.write_with_format(3, 4, 43539, &dates).unwrap(); // 2019-03-15
    sheet1.write(4, 2, "Roads").unwrap();
    sheet1
        .write_formula(4, 3, Formula::new("=D4*2").set_result("200"))
        .unwrap();
    sheet1.write(4, 4, 43539).unwrap(); // a serial without a date format stays a number
    sheet1
        .merge_range(5, 2, 6, 2, "Merged down", &XlsxFormat::new())
        .unwrap();
    sheet1.write(5, 3, 5).unwrap();
    sheet1.write(6, 3, 6).unwrap();
    sheet1.write(8, 0, "#REF!").unwrap();
    for r in 10..500 {
        sheet1.write_blank(r, 0, &dates).unwrap(); // formatted empty rows
    }
    let hidden = workbook.add_worksheet().set_name("Lists").unwrap();
    hidden.write(0, 0, "x").unwrap();
    hidden.set_hidden(true);
    let very = workbook.add_worksheet().set_name("Secret").unwrap();
    very.write(0, 0, "y").unwrap();
    very.set_very_hidden(true);
    workbook.add_worksheet().set_name("Blank").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let sheets = read("generated.xlsx", &bytes, &Limits::default()).unwrap();
    let visibilities: Vec<_> = sheets
        .iter()
        .map(|s| (s.name.clone().unwrap_or_default(), s.visibility))
        .collect();
    assert_eq!(
        visibilities,
        vec![
            ("Data".into(), Visibility::Visible),
            ("Lists".into(), Visibility::Hidden),
            ("Secret".into(), Visibility::Hidden),
            ("Blank".into(), Visibility::Visible),
        ]
    );
    assert!(sheet(&sheets, "Blank").rows.is_empty());
    let data = sheet(&sheets, "Data");
    assert_eq!(
        data.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
        vec![1, 3, 4, 5, 6, 7, 9]
    );
    let banner = text("Title banner");
    assert_eq!(cells(row(data, 1)), vec![&banner; 4]);
    assert!(row(data, 1).cells.iter().all(|c| c.merged));
    assert_eq!(
        row(data, 3).cells.len(),
        5,
        "C3 is at index 2: columns count from A"
    );
    assert_eq!(value(data, 3, 2), text("Title"));
    assert_eq!(value(data, 4, 4), date(2019, 3, 15));
    assert_eq!(value(data, 5, 4), CellValue::Number(43539.0));
    let formula = row(data, 5).get(3).expect("formula cell");
    assert_eq!(
        formula,
        &Cell {
            value: CellValue::Number(200.0),
            merged: false,
            formula: true
        }
    );
    assert!(!row(data, 4).get(3).is_some_and(|c| c.formula));
    for number in [6, 7] {
        let cell = row(data, number).get(2).expect("merged cell");
        assert_eq!(cell.value, text("Merged down"));
        assert!(cell.merged);
    }
    assert_eq!(
        value(data, 9, 0),
        text("#REF!"),
        "text that looks like an error stays text"
    );
}

/// Switch a rust_xlsxwriter workbook to the 1904 date system (it has no public setting for it).
fn with_1904_dates(bytes: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        if name == "xl/workbook.xml" {
            let mut xml = String::new();
            entry.read_to_string(&mut xml).unwrap();
            assert!(xml.contains("<workbookPr "));
            let xml = xml.replace("<workbookPr ", "<workbookPr date1904=\"1\" ");
            writer
                .start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(xml.as_bytes()).unwrap();
        } else {
            drop(entry);
            let entry = archive.by_index_raw(index).unwrap();
            writer.raw_copy_file(entry).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn dates_in_a_1904_workbook_are_the_same_calendar_dates() {
    let mut workbook = Workbook::new();
    let dates = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let worksheet = workbook.add_worksheet();
    worksheet.write(0, 0, "Start").unwrap();
    worksheet
        .write_with_format(1, 0, 43539 - 1462, &dates)
        .unwrap(); // 2019-03-15 counted from 1904
    worksheet.write_with_format(2, 0, 366, &dates).unwrap(); // 1905-01-01
    let bytes = with_1904_dates(&workbook.save_to_buffer().unwrap());
    let sheets = read("mac.xlsx", &bytes, &Limits::default()).unwrap();
    assert_eq!(value(&sheets[0], 2, 0), date(2019, 3, 15));
    assert_eq!(value(&sheets[0], 3, 0), date(1905, 1, 1));
}

#[test]
fn the_1900_leap_year_bug_is_handled() {
    let mut workbook = Workbook::new();
    let dates = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let worksheet = workbook.add_worksheet();
    worksheet.write_with_format(0, 0, 61, &dates).unwrap(); // 1900-03-01 in Excel
    worksheet.write_with_format(1, 0, 45351, &dates).unwrap(); // 2024-02-29
    let bytes = workbook.save_to_buffer().unwrap();
    let sheets = read("leap.xlsx", &bytes, &Limits::default()).unwrap();
    assert_eq!(value(&sheets[0], 1, 0), date(1900, 3, 1));
    assert_eq!(value(&sheets[0], 2, 0), date(2024, 2, 29));
}

#[test]
fn the_file_name_does_not_decide_the_format() {
    let sheets = read(
        "renamed.csv",
        &sample("GHA_MoI_JVAP_submission_final.xlsx"),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(sheets[0].name.as_deref(), Some("Initiatives"));
    let sheets = read(
        "renamed.xlsx",
        &sample("UNHCR_JVAP_export_2022.csv"),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(sheets[0].name, None);
}

/// A minimal OpenDocument spreadsheet around the given `<table:table>` elements.
fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("mimetype", stored).unwrap();
    writer
        .write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    writer
        .start_file(
            "META-INF/manifest.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    writer
        .write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        )
        .unwrap();
    writer
        .start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(content.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

#[test]
fn ods_merged_ranges_give_their_value_to_every_cell() {
    let bytes = ods(concat!(
        r#"<table:table table:name="Data">"#,
        r#"<table:table-row><table:table-cell table:number-columns-spanned="3" table:number-rows-spanned="1" office:value-type="string"><text:p>Banner</text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>"#,
        r#"<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="4"/></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Title</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Funder</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Budget</text:p></table:table-cell></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>A</text:p></table:table-cell><table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>Spain</text:p></table:table-cell></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>B</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="date" office:date-value="2019-03-15"><text:p>15/03/2019</text:p></table:table-cell></table:table-row>"#,
        r#"</table:table>"#,
    ));
    let sheets = read("merged.ods", &bytes, &Limits::default()).unwrap();
    let data = sheet(&sheets, "Data");
    assert_eq!(
        data.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
        vec![1, 4, 5, 6, 7]
    );
    let banner = text("Banner");
    assert_eq!(cells(row(data, 1)), vec![&banner; 3]);
    assert!(row(data, 1).cells.iter().all(|c| c.merged));
    for number in [5, 6] {
        let cell = row(data, number).get(1).expect("merged cell");
        assert_eq!(cell.value, text("Spain"));
        assert!(cell.merged);
    }
    assert!(!row(data, 4).cells[1].merged);
    assert_eq!(value(data, 7, 0), date(2019, 3, 15));
}

/// A sheet XML whose rows are not in order (the format allows it, Excel never writes it) cannot be
/// streamed: the reader starts over and reads it whole, sorted, with the same rows as ever.
#[test]
fn an_xlsx_with_rows_out_of_order_is_read_sorted() {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    for (r, value) in ["head", "second", "third"].iter().enumerate() {
        worksheet.write(r as u32, 0, *value).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::new();
            entry.read_to_string(&mut xml).unwrap();
            let two = xml.find("<row r=\"2\"").unwrap();
            let three = xml.find("<row r=\"3\"").unwrap();
            let end = xml.find("</sheetData>").unwrap();
            let swapped = format!(
                "{}{}{}{}",
                &xml[..two],
                &xml[three..end],
                &xml[two..three],
                &xml[end..]
            );
            writer
                .start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(swapped.as_bytes()).unwrap();
        } else {
            drop(entry);
            let entry = archive.by_index_raw(index).unwrap();
            writer.raw_copy_file(entry).unwrap();
        }
    }
    let bytes = writer.finish().unwrap().into_inner();
    let sheets = read("shuffled.xlsx", &bytes, &Limits::default()).unwrap();
    assert_eq!(sheets.len(), 1);
    let rows: Vec<(u32, CellValue)> = sheets[0]
        .rows
        .iter()
        .map(|r| (r.number, r.cells[0].value.clone()))
        .collect();
    assert_eq!(
        rows,
        vec![(1, text("head")), (2, text("second")), (3, text("third"))]
    );
}
