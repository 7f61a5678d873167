//! The annotated workbook against the real partner samples, checked through calamine and the raw xlsx XML.

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use super::*;
use crate::sheet::Cell;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

const GMB: &str = "GMB_MoI_JVAP_2022.xlsx";
const GMB_ERROR_CELLS: [&str; 6] = ["C6", "G7", "H9", "J10", "V11", "R13"];

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}{name}")).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

/// A sample, its report and its annotated workbook in `lang`.
fn annotated(name: &str, lang: Lang) -> (Vec<u8>, Report, Vec<u8>) {
    let bytes = sample(name);
    let report = crate::validate(name, &bytes);
    let out = annotate(name, &bytes, &report, lang).unwrap_or_else(|e| panic!("{name}: {e}"));
    (bytes, report, out)
}

fn open(xlsx: &[u8]) -> Xlsx<Cursor<&[u8]>> {
    Xlsx::new(Cursor::new(xlsx)).expect("calamine opens the annotated workbook")
}

fn text(data: Option<&Data>) -> String {
    match data {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The issues table of the first sheet: one map of header to text per issue row.
fn issue_rows(xlsx: &[u8]) -> (String, Vec<Vec<(String, String)>>) {
    let mut workbook = open(xlsx);
    let first = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&first).expect("first sheet");
    let header = range
        .rows()
        .position(|r| text(r.first()) == "Severity" || text(r.first()) == "Gravité")
        .expect("a header row on the issues sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    let headers: Vec<String> = rows[header].iter().map(|d| text(Some(d))).collect();
    let issues = rows[header + 1..]
        .iter()
        .map(|row| {
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), text(row.get(i))))
                .collect()
        })
        .collect();
    (first, issues)
}

fn field<'a>(row: &'a [(String, String)], header: &str) -> &'a str {
    row.iter()
        .find(|(h, _)| h == header)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// The parts of the xlsx zip, by name.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("a zip");
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|e| panic!("part {name}: {e}"));
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8 xml");
    text
}

fn parts_named(xlsx: &[u8], prefix: &str) -> Vec<String> {
    let zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("a zip");
    zip.file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with(prefix))
        .map(String::from)
        .collect()
}

fn unescape(xml: &str) -> String {
    xml.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The value of `attr="..."` in the first element of `xml` starting with `start`.
fn attribute(xml: &str, start: &str, attr: &str) -> Option<String> {
    let at = xml.find(start)?;
    let element = &xml[at..at + xml[at..].find('>')?];
    let key = format!(" {attr}=\"");
    let from = element.find(&key)? + key.len();
    Some(element[from..from + element[from..].find('"')?].to_string())
}

/// The fill colour (ARGB) of cell style `index` in styles.xml.
fn fill_of_style(styles: &str, index: usize) -> Option<String> {
    let xfs = &styles[styles.find("<cellXfs")?..styles.find("</cellXfs>")?];
    let xf = xfs.split("<xf ").nth(index + 1)?;
    let fill_id: usize = attribute(&format!("<xf {xf}"), "<xf ", "fillId")?
        .parse()
        .ok()?;
    let fills = &styles[styles.find("<fills")?..styles.find("</fills>")?];
    let fill = fills.split("<fill>").nth(fill_id + 1)?;
    attribute(fill, "<fgColor", "rgb")
}

/// The xml of the worksheet with this name (rust_xlsxwriter numbers sheet parts in workbook order).
fn sheet_xml(xlsx: &[u8], name: &str) -> String {
    let mut workbook = open(xlsx);
    let index = workbook
        .sheet_names()
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"));
    drop(workbook.worksheet_range(name));
    part(xlsx, &format!("xl/worksheets/sheet{}.xml", index + 1))
}

fn error_cells(report: &Report) -> BTreeSet<String> {
    report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .filter_map(|i| i.cell.clone())
        .collect()
}

fn values(cells: &[Cell]) -> Vec<CellValue> {
    let mut values: Vec<CellValue> = cells.iter().map(|c| c.value.clone()).collect();
    while values.last().is_some_and(CellValue::is_empty) {
        values.pop();
    }
    values
}

#[test]
fn the_gambian_workbook_opens_on_an_issues_sheet_listing_its_six_errors() {
    let (_, report, out) = annotated(GMB, Lang::En);
    assert_eq!(
        error_cells(&report),
        GMB_ERROR_CELLS.map(String::from).into()
    );

    let (first, issues) = issue_rows(&out);
    assert_eq!(first, "Issues");
    let errors: Vec<_> = issues
        .iter()
        .filter(|r| field(r, "Severity") == "Error")
        .collect();
    assert_eq!(errors.len(), 6);
    let cells: BTreeSet<String> = errors
        .iter()
        .map(|r| field(r, "Cell").to_string())
        .collect();
    assert_eq!(cells, GMB_ERROR_CELLS.map(String::from).into());
    for row in &errors {
        assert_eq!(field(row, "Sheet"), "Initiatives");
        assert!(!field(row, "Message").is_empty());
    }
    let end = errors
        .iter()
        .find(|r| field(r, "Cell") == "G7")
        .expect("G7");
    assert_eq!(field(end, "Column"), "End date");
}

#[test]
fn each_listed_cell_links_to_its_cell_on_its_sheet() {
    let (_, _, out) = annotated(GMB, Lang::En);
    let issues = sheet_xml(&out, "Issues");
    for cell in GMB_ERROR_CELLS {
        assert!(
            issues.contains(&format!("location=\"Initiatives!{cell}\"")),
            "no internal link to {cell}"
        );
    }
    // The header stays in view and the table can be filtered.
    assert!(issues.contains("<pane ") && issues.contains("state=\"frozen\""));
    assert!(issues.contains("<autoFilter "));
}

#[test]
fn the_annotated_gambian_workbook_keeps_every_value_of_the_original_at_its_place() {
    let (original, _, out) = annotated(GMB, Lang::En);
    let before = crate::read::read(GMB, &original, &Limits::default()).expect("original");
    let after = crate::read::read("annotated.xlsx", &out, &Limits::default()).expect("annotated");
    assert_eq!(
        after.len(),
        before.len() + 1,
        "the issues sheet, then every sheet"
    );
    assert_eq!(after[0].name.as_deref(), Some("Issues"));
    for (b, a) in before.iter().zip(&after[1..]) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.visibility, b.visibility);
        let rows = |s: &Sheet| -> Vec<(u32, Vec<CellValue>)> {
            s.rows
                .iter()
                .map(|r| (r.number, values(&r.cells)))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        };
        assert_eq!(rows(a), rows(b), "sheet {:?}", b.name);
    }
    assert!(
        before
            .iter()
            .any(|s| s.name.as_deref() == Some("Initiatives"))
    );
}

#[test]
fn revalidating_the_annotated_workbook_finds_the_same_errors_at_the_same_cells() {
    let (_, report, out) = annotated(GMB, Lang::En);
    let again = crate::validate("annotated.xlsx", &out);
    assert_eq!(error_cells(&again), error_cells(&report));
    assert_eq!(again.counts.records, report.counts.records);
}

/// The six error cells carry a red-filled style and their messages in `lang` are in the notes.
fn check_error_cells(lang: Lang) {
    let (_, report, out) = annotated(GMB, lang);
    let sheet = sheet_xml(&out, "Initiatives");
    let styles = part(&out, "xl/styles.xml");
    for cell in GMB_ERROR_CELLS {
        let style: usize = attribute(&sheet, &format!("<c r=\"{cell}\""), "s")
            .unwrap_or_else(|| panic!("{cell} has no style"))
            .parse()
            .expect("a style index");
        assert_eq!(
            fill_of_style(&styles, style).as_deref(),
            Some("FFFFC7CE"),
            "{cell} is not filled light red"
        );
    }
    // A cell without an issue (the header's first cell) is not filled.
    let plain = attribute(&sheet, "<c r=\"A4\"", "s")
        .and_then(|s| s.parse().ok())
        .and_then(|s| fill_of_style(&styles, s));
    assert_eq!(plain, None);

    let comments: String = parts_named(&out, "xl/comments")
        .iter()
        .map(|name| unescape(&part(&out, name)))
        .collect();
    assert!(comments.contains("JVAP"), "notes are by JVAP");
    for issue in report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
    {
        assert!(
            comments.contains(issue.message(lang)),
            "no note with {:?}",
            issue.message(lang)
        );
        let other = match lang {
            Lang::En => Lang::Fr,
            Lang::Fr => Lang::En,
        };
        if issue.message(other) != issue.message(lang) {
            assert!(!comments.contains(issue.message(other)));
        }
    }
}

#[test]
fn the_six_error_cells_are_filled_red_with_their_messages_in_english() {
    check_error_cells(Lang::En);
}

#[test]
fn the_six_error_cells_are_filled_red_with_their_messages_in_french() {
    check_error_cells(Lang::Fr);
    let (_, _, out) = annotated(GMB, Lang::Fr);
    let (first, issues) = issue_rows(&out);
    assert_eq!(first, "Problèmes");
    assert_eq!(
        issues
            .iter()
            .filter(|r| field(r, "Gravité") == "Erreur")
            .count(),
        6
    );
}

#[test]
fn a_csv_submission_becomes_one_data_sheet_holding_its_issues() {
    for (lang, name) in [(Lang::En, "Data"), (Lang::Fr, "Données")] {
        let (_, report, out) = annotated("BEL_Enabel_collecte_JVAP_2022.csv", lang);
        let names = open(&out).sheet_names();
        assert_eq!(names.len(), 2);
        assert_eq!(names[1], name);
        let located: Vec<&Issue> = report.issues.iter().filter(|i| i.cell.is_some()).collect();
        assert!(!located.is_empty(), "the BEL sample has located warnings");
        let data = sheet_xml(&out, name);
        for issue in located {
            let cell = issue.cell.as_deref().unwrap_or_default();
            assert!(
                attribute(&data, &format!("<c r=\"{cell}\""), "s").is_some(),
                "{cell} is not styled"
            );
        }
        let issues = sheet_xml(&out, names[0].as_str());
        assert!(issues.contains(&format!("location=\"{}!", quote_sheet_name(name))));
    }
}

#[test]
fn an_ods_submission_annotates_with_its_errors_coloured() {
    let (_, report, out) = annotated("ESP_AECID_FIIAPP_JVAP2022.ods", Lang::Fr);
    let (_, issues) = issue_rows(&out);
    assert_eq!(issues.len(), report.issues.len());
    let again = crate::validate("annotated.xlsx", &out);
    assert_eq!(error_cells(&again), error_cells(&report));
}

#[test]
fn hidden_sheets_stay_hidden() {
    let (_, _, out) = annotated("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx", Lang::En);
    let workbook = part(&out, "xl/workbook.xml");
    let lists = attribute(&workbook, "<sheet name=\"Lists\"", "state");
    assert_eq!(lists.as_deref(), Some("hidden"));
    let issues = attribute(&workbook, "<sheet name=\"Issues\"", "state");
    assert_eq!(issues, None);
}

#[test]
fn a_file_that_cannot_be_read_gives_only_the_issues_sheet() {
    for name in [
        "CIV_Rapport_JVAP_2022.xlsx",
        "BFA_Fiche_collecte_JVAP_2022.xlsx",
    ] {
        let (_, report, out) = annotated(name, Lang::Fr);
        assert_eq!(open(&out).sheet_names(), vec!["Problèmes".to_string()]);
        let (_, issues) = issue_rows(&out);
        assert_eq!(issues.len(), 1);
        assert_eq!(field(&issues[0], "Gravité"), "Erreur");
        assert_eq!(field(&issues[0], "Message"), report.issues[0].message_fr);
        assert_eq!(field(&issues[0], "Cellule"), "");
    }
}

#[test]
fn an_issue_on_a_row_but_no_cell_is_only_listed() {
    let sheets = vec![Sheet {
        name: Some("Initiatives".into()),
        visibility: Visibility::Visible,
        rows: vec![Row {
            number: 1,
            cells: vec![Cell::new(CellValue::Text("Title".into()))],
        }],
    }];
    let mut issue = Issue::new(&jvap_record::catalogue::FILE_EMPTY, "");
    issue.sheet = Some("Initiatives".into());
    issue.row = Some(1);
    let report = Report::from_parts(1, vec![issue], vec![]);
    let places: Vec<_> = report.issues.iter().map(|i| place(i, &sheets)).collect();
    assert_eq!(places, vec![None]);
    assert_eq!(sheet_of(&report.issues[0], &sheets), Some(0));
}

#[test]
fn sheet_names_are_made_valid_for_excel_and_unique() {
    assert_eq!(
        valid_sheet_name("Projets [2022]: a/b"),
        "Projets _2022__ a_b"
    );
    assert_eq!(valid_sheet_name("'quoted'"), "quoted");
    assert_eq!(valid_sheet_name(""), "Sheet");
    assert_eq!(valid_sheet_name("History"), "History_");
    assert_eq!(valid_sheet_name(&"x".repeat(40)).chars().count(), 31);

    let sheet = |name: &str| Sheet {
        name: Some(name.into()),
        visibility: Visibility::Visible,
        rows: vec![],
    };
    let names = SheetNames::new(&[sheet("Issues"), sheet("a/b"), sheet("a_b")], Lang::En);
    assert_eq!(names.sheets, vec!["Issues", "a_b", "a_b (2)"]);
    assert_eq!(names.issues, "Issues (2)");
    let long = SheetNames::new(&[sheet(&"y".repeat(31)), sheet(&"y".repeat(35))], Lang::En);
    assert_eq!(long.sheets[1], format!("{} (2)", "y".repeat(27)));
}

#[test]
fn a1_references_parse_to_zero_based_rows_and_columns() {
    assert_eq!(parse_a1("G7"), Some((6, 6)));
    assert_eq!(parse_a1("AA1"), Some((0, 26)));
    assert_eq!(parse_a1("$C$6"), Some((5, 2)));
    assert_eq!(parse_a1("XFD1048576"), Some((1_048_575, 16_383)));
    assert_eq!(parse_a1("XFE1"), None);
    assert_eq!(parse_a1("A0"), None);
    assert_eq!(parse_a1("7"), None);
    assert_eq!(parse_a1("A1048577"), None);
}

/// An issue of `severity` at `cell` of `sheet`, with distinct messages in each language.
fn issue_at(severity: Severity, sheet: &str, cell: &str, en: &str, fr: &str) -> Issue {
    let (row, _) = parse_a1(cell).expect("a cell");
    Issue {
        severity,
        code: "test.issue".into(),
        sheet: Some(sheet.into()),
        cell: Some(cell.into()),
        row: Some(row + 1),
        column: None,
        value: None,
        message_en: en.into(),
        message_fr: fr.into(),
    }
}

#[test]
fn a_cell_with_several_issues_takes_the_most_severe_colour_and_every_message() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name("My data").expect("name");
    ws.write_string(0, 0, "a").expect("write");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 3, 15).expect("date");
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    ws.write_datetime_with_format(0, 1, &date, &date_format)
        .expect("write");
    ws.write_number(0, 2, 12.5).expect("write");
    let bytes = workbook.save_to_buffer().expect("xlsx");

    let issues = vec![
        issue_at(Severity::Warning, "My data", "A1", "warn en", "warn fr"),
        issue_at(Severity::Error, "My data", "A1", "error en", "error fr"),
        issue_at(Severity::Warning, "My data", "B1", "date en", "date fr"),
        issue_at(Severity::Info, "My data", "C1", "info en", "info fr"),
        issue_at(Severity::Info, "My data", "E3", "empty en", "empty fr"),
    ];
    let report = Report::from_parts(1, issues, vec![]);
    let out = annotate("mine.xlsx", &bytes, &report, Lang::Fr).expect("annotated");

    let sheet = sheet_xml(&out, "My data");
    let styles = part(&out, "xl/styles.xml");
    let fill = |cell: &str| {
        let style = attribute(&sheet, &format!("<c r=\"{cell}\""), "s")
            .unwrap_or_else(|| panic!("{cell} has no style"));
        fill_of_style(&styles, style.parse().expect("index"))
    };
    assert_eq!(
        fill("A1").as_deref(),
        Some("FFFFC7CE"),
        "error beats warning"
    );
    assert_eq!(fill("B1").as_deref(), Some("FFFFEB9C"), "warning amber");
    assert_eq!(fill("C1").as_deref(), Some("FFDDEBF7"), "info blue");
    assert_eq!(
        fill("E3").as_deref(),
        Some("FFDDEBF7"),
        "an empty cell is coloured too"
    );

    // The date stays a date cell with a date format, and keeps its fill.
    let after = crate::read::read("a.xlsx", &out, &Limits::default()).expect("read back");
    assert_eq!(
        after[1].rows[0].cells[1].value,
        CellValue::Date(chrono::NaiveDate::from_ymd_opt(2019, 3, 15).expect("date"))
    );
    assert_eq!(after[1].rows[0].cells[2].value, CellValue::Number(12.5));

    let comments = unescape(&part(&out, "xl/comments1.xml"));
    let a1 = &comments[comments.find("ref=\"A1\"").expect("a note on A1")..];
    let a1 = &a1[..a1.find("</comment>").expect("end")];
    assert!(a1.contains("Avertissement : warn fr") && a1.contains("Erreur : error fr"));
    for english in ["warn en", "error en", "date en", "info en", "empty en"] {
        assert!(!comments.contains(english), "{english} in a French note");
    }

    // Names with a space are quoted in links.
    let issues = sheet_xml(&out, "Problèmes");
    assert!(issues.contains("location=\"'My data'!A1\""));
}
