//! The consolidated workbook prints: every sheet of the sample round's workbook, in both languages,
//! is set up for A4 landscape one page wide, with a footer naming the round, the version, the sheet
//! and the page; the tables' header rows repeat on each page. Read from the xlsx parts, as a
//! spreadsheet program reads them (the page count itself is checked by printing through LibreOffice,
//! see the README).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::Event;

use jvap_outputs::RoundData;
use jvap_outputs::dataset::xlsx::print::PAPER_A4;
use jvap_outputs::dataset::xlsx::{
    SHEET_BY_DOMAIN, SHEET_COUNTRIES, SHEET_INITIATIVES, SHEET_QUALITY, SHEET_README, SHEETS,
};
use jvap_record::Lang;

mod round;

/// The parts of the workbook, by name.
fn parts(xlsx: Vec<u8>) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("an xlsx is a zip");
    (0..archive.len())
        .filter_map(|i| {
            let mut entry = archive.by_index(i).expect("an entry");
            let name = entry.name().expect("a name").to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).ok()?;
            Some((name, text))
        })
        .collect()
}

/// The attributes of every element `tag` in `xml`, in order.
fn elements(xml: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == tag => {
                found.push(
                    e.attributes()
                        .map(|a| {
                            let a = a.expect("an attribute");
                            (
                                a.key.as_ref().to_string(),
                                a.normalized_value(XmlVersion::Implicit1_0)
                                    .expect("a value")
                                    .into_owned(),
                            )
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// The text of the first element `tag` in `xml`.
fn text_of(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(
        quick_xml::escape::unescape(&xml[start..end])
            .expect("escaped text")
            .into_owned(),
    )
}

fn workbook(lang: Lang) -> BTreeMap<String, String> {
    let initiatives = round::accepted_samples();
    let meta = round::meta();
    let tracker = round::tracker(&initiatives);
    let files = jvap_outputs::build_in(
        lang,
        &RoundData {
            meta: &meta,
            initiatives: &initiatives,
            previous: None,
            tracker: &tracker,
        },
    )
    .expect("the files build");
    let xlsx = files
        .into_iter()
        .find(|f| f.name == "dataset.xlsx")
        .expect("the workbook");
    parts(xlsx.bytes)
}

#[test]
fn every_sheet_prints_a4_landscape_one_page_wide_with_a_footer() {
    for lang in [Lang::En, Lang::Fr] {
        let parts = workbook(lang);
        for (i, name) in SHEETS.iter().enumerate() {
            let xml = &parts[&format!("xl/worksheets/sheet{}.xml", i + 1)];
            let setup = elements(xml, "pageSetup");
            assert_eq!(setup.len(), 1, "{lang:?} {name}: a page setup");
            let setup = &setup[0];
            assert_eq!(
                setup.get("orientation").map(String::as_str),
                Some("landscape"),
                "{name}"
            );
            assert_eq!(
                setup.get("paperSize"),
                Some(&PAPER_A4.to_string()),
                "{name}"
            );
            // One page wide: 1 is the attribute's default, so it may be left out.
            assert_eq!(
                setup.get("fitToWidth").map_or("1", String::as_str),
                "1",
                "{name}: one page wide"
            );
            assert_eq!(
                setup.get("fitToHeight").map(String::as_str),
                Some("0"),
                "{name}: as many pages tall as needed"
            );
            let fit = elements(xml, "pageSetUpPr");
            assert_eq!(
                fit.first()
                    .and_then(|a| a.get("fitToPage"))
                    .map(String::as_str),
                Some("1"),
                "{lang:?} {name}: fitted to the page width"
            );
            let footer = text_of(xml, "oddFooter").unwrap_or_default();
            for code in ["&A", "&P", "&N", "2022", "version 1"] {
                assert!(
                    footer.contains(code),
                    "{lang:?} {name}: footer {footer:?} has {code}"
                );
            }
        }
    }
}

#[test]
fn the_header_rows_of_every_table_repeat_on_each_page() {
    let parts = workbook(Lang::Fr);
    let names: BTreeMap<String, String> = elements(&parts["xl/workbook.xml"], "definedName")
        .into_iter()
        .zip(defined_names(&parts["xl/workbook.xml"]))
        .filter(|(attributes, _)| {
            attributes.get("name").map(String::as_str) == Some("_xlnm.Print_Titles")
        })
        .map(|(attributes, range)| (attributes["localSheetId"].clone(), range))
        .collect();
    for (i, name) in SHEETS.iter().enumerate() {
        let titles = names.get(&i.to_string());
        match *name {
            SHEET_README | SHEET_QUALITY => assert_eq!(titles, None, "{name}: no table header"),
            SHEET_INITIATIVES | SHEET_COUNTRIES => {
                assert_eq!(
                    titles.map(|r| r.ends_with("!$1:$1")),
                    Some(true),
                    "{name}: {titles:?}"
                )
            }
            _ if SHEETS[3..9].contains(name) => {
                // A breakdown: its title and the table's header.
                assert_eq!(
                    titles.map(|r| r.ends_with("!$1:$2")),
                    Some(true),
                    "{name}: {titles:?}"
                )
            }
            _ => assert_eq!(
                titles.map(|r| r.ends_with("!$1:$1")),
                Some(true),
                "{name}: {titles:?}"
            ),
        }
    }
    assert!(SHEETS[3..9].contains(&SHEET_BY_DOMAIN));
}

/// The text of every `definedName` of the workbook, in order.
fn defined_names(xml: &str) -> Vec<String> {
    xml.split("<definedName ")
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').expect("an element") + 1;
            let end = rest.find("</definedName>").expect("a closing tag");
            rest[start..end].to_string()
        })
        .collect()
}

/// The sample round's workbook in both languages, written to `$JVAP_PRINT_DIR` (default
/// `target/print`) to print through LibreOffice and look at:
/// `soffice --headless --convert-to pdf --outdir target/print target/print/dataset.fr.xlsx`.
#[test]
#[ignore = "writes the sample workbooks for a person to print"]
fn write_sample_workbooks() {
    let dir = std::env::var("JVAP_PRINT_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/print").to_string());
    std::fs::create_dir_all(&dir).expect("the folder");
    let initiatives = round::accepted_samples();
    let meta = round::meta();
    let tracker = round::tracker(&initiatives);
    for lang in [Lang::En, Lang::Fr] {
        let data = RoundData {
            meta: &meta,
            initiatives: &initiatives,
            previous: None,
            tracker: &tracker,
        };
        let files = jvap_outputs::build_in(lang, &data).expect("the files build");
        let xlsx = files
            .into_iter()
            .find(|f| f.name == "dataset.xlsx")
            .expect("the workbook");
        let path = format!("{dir}/dataset.{}.xlsx", lang.code());
        std::fs::write(&path, xlsx.bytes).expect("written");
    }
}
