//! The official template as partners use it: with its lists sheet (`Lists`, in French `Listes`) made
//! visible (to see the allowed values), a blank template is rejected only for having no initiatives,
//! nothing on the lists sheet; filled in, it is accepted. Both languages: the reader knows the lists
//! sheet by what it holds, whatever its name.

use std::io::{Cursor, Read, Write};

use jvap_outputs::template::{SHEET_LISTS, template};
use jvap_record::{Lang, Severity, Verdict};

/// The template of `lang` with its lists sheet un-hidden and `rows` (cell texts from column A) added
/// below the header of `Initiatives`, as a spreadsheet program would save them.
fn visible_lists_template(lang: Lang, rows: &[&[&str]]) -> Vec<u8> {
    let bytes = template(lang).expect("the template builds");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("the template is a zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        let name = entry.name().expect("an entry name").to_string();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).expect("the entry inflates");
        let text = match name.as_str() {
            "xl/workbook.xml" => {
                let xml = String::from_utf8(text).expect("UTF-8 XML");
                assert!(
                    xml.contains(r#"state="hidden""#),
                    "the lists sheet starts hidden"
                );
                xml.replace(r#" state="hidden""#, "").into_bytes()
            }
            "xl/worksheets/sheet2.xml" => with_rows(&String::from_utf8(text).expect("UTF-8"), rows),
            _ => text,
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, options).expect("an entry starts");
        out.write_all(&text).expect("an entry is written");
    }
    out.finish().expect("the zip finishes").into_inner()
}

/// The sheet XML with inline-string rows from row 2.
fn with_rows(xml: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut added = String::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 2;
        added.push_str(&format!(r#"<row r="{row}">"#));
        for (col, text) in cells.iter().enumerate() {
            let cell = jvap_record::report::cell_name(row as u32, col);
            let text = text.replace('&', "&amp;").replace('<', "&lt;");
            added.push_str(&format!(
                r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#
            ));
        }
        added.push_str("</row>");
    }
    xml.replacen("</sheetData>", &format!("{added}</sheetData>"), 1)
        .into_bytes()
}

/// One project in the template's column order (`fields.csv`).
const PROJECT: &[&str] = &[
    "REF-1",
    "Project",
    "Support to integrated border management",
    "The action builds capacities.",
    "Ongoing",
    "15/03/2019",
    "31/12/2022",
    "D1; D4",
    "D4",
    "4.1",
    "O7",
    "Senegal; Mali",
    "Regional",
    "European Union",
    "",
    "EU institution",
    "IOM; GIZ",
    "1 200 000",
    "EUR",
    "Migrants",
    "https://example.org",
    "focal.point@moi.gov.sn",
];

#[test]
fn a_blank_template_with_its_lists_sheet_visible_is_rejected_only_for_having_no_initiatives() {
    for lang in [Lang::En, Lang::Fr] {
        let bytes = visible_lists_template(lang, &[]);
        let report = jvap_ingest::validate("modele.xlsx", &bytes);
        assert_eq!(report.verdict, Verdict::Rejected, "{lang:?}");
        let errors: Vec<&str> = report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(errors, vec!["file.empty"], "{lang:?}: {:?}", report.issues);
        assert!(
            report
                .issues
                .iter()
                .any(|i| i.code == "sheet.skipped"
                    && i.sheet.as_deref() == Some(SHEET_LISTS.get(lang))),
            "{lang:?}: the lists sheet is said to be skipped"
        );
    }
}

#[test]
fn a_filled_template_with_its_lists_sheet_visible_is_accepted() {
    for lang in [Lang::En, Lang::Fr] {
        let bytes = visible_lists_template(lang, &[PROJECT]);
        let report = jvap_ingest::validate("template.xlsx", &bytes);
        assert_eq!(
            report.verdict,
            Verdict::Accepted,
            "{lang:?}: {:?}",
            report.issues
        );
        assert_eq!(report.records.len(), 1);
        assert!(
            report
                .issues
                .iter()
                .all(|i| i.sheet.as_deref() != Some(SHEET_LISTS.get(lang))
                    || i.code == "sheet.skipped"),
            "{lang:?}: {:?}",
            report.issues
        );
    }
}
