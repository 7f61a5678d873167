//! The consolidated workbook, its sheets in this order (the summaries cite their names):
//! `Read me`, `Initiatives`, `Initiative countries`, `By domain`, `By region`, `By country`,
//! `By partner`, `By funder category`, `By start year`, `Tracker`, `Possible duplicates`,
//! `Data quality`.
//!
//! The two long sheets (Initiatives, Initiative countries) are constant-memory worksheets written row by
//! row, so 100,000 initiatives cost a few MB. Every figure comes from [`Figures`]; nothing is added up
//! here.
//!
//! A workbook has a language ([`write_xlsx_in`]): its column headers are the labels of `fields.csv`
//! in that language, and its other words too; the keys stay in the JSON and the CSV, and in the read
//! me's data dictionary, which gives every key with its labels in both languages. The sheet names are
//! the same in both languages (the summaries cite them). Every sheet prints (see [`print`]).

use std::collections::HashMap;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Table, TableColumn, Workbook, Worksheet,
    XlsxError,
};

use super::table::{self, Cell, Column, ColumnType};
use super::{DatasetCounts, DatasetError};
use crate::changes::ChangeLog;
use crate::figures::{self, Figures};
use crate::round::RoundData;
use crate::round::{DatasetInitiative, DatasetMeta};
use crate::threads::joined;
use jvap_record::Lang;
use jvap_record::record::field;
use print::{Print, tr, width_of};

pub mod print;
mod reports;

pub use reports::{
    SHEET_BY_COUNTRY, SHEET_BY_DOMAIN, SHEET_BY_FUNDER_CATEGORY, SHEET_BY_PARTNER, SHEET_BY_REGION,
    SHEET_BY_START_YEAR, SHEET_DUPLICATES, SHEET_QUALITY, SHEET_TRACKER,
};

pub const SHEET_README: &str = "Read me";
pub const SHEET_INITIATIVES: &str = "Initiatives";
pub const SHEET_COUNTRIES: &str = "Initiative countries";

/// Every sheet, in workbook order.
pub const SHEETS: [&str; 12] = [
    SHEET_README,
    SHEET_INITIATIVES,
    SHEET_COUNTRIES,
    SHEET_BY_DOMAIN,
    SHEET_BY_REGION,
    SHEET_BY_COUNTRY,
    SHEET_BY_PARTNER,
    SHEET_BY_FUNDER_CATEGORY,
    SHEET_BY_START_YEAR,
    SHEET_TRACKER,
    SHEET_DUPLICATES,
    SHEET_QUALITY,
];

/// Amounts in euros.
pub(crate) const EUR_FORMAT: &str = "#,##0.00 [$€-x-euro2]";

/// Excel's limit on the characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// How hard the xlsx parts are compressed (zlib's levels, 1 to 9). The fastest level: the
/// default (6) makes the workbook of 100,000 initiatives about a third smaller and its saving several
/// times slower.
const ZIP_LEVEL: u8 = 1;

/// The workbook of one dataset version, in English, as xlsx bytes.
pub fn write_xlsx(data: &RoundData<'_>, figures: &Figures) -> Result<Vec<u8>, DatasetError> {
    write_xlsx_in(Lang::En, data, figures)
}

/// The workbook of one dataset version in `lang`, as xlsx bytes.
pub fn write_xlsx_in(
    lang: Lang,
    data: &RoundData<'_>,
    figures: &Figures,
) -> Result<Vec<u8>, DatasetError> {
    LongSheets::write(lang, data)?.finish(data, figures)
}

/// A workbook whose two long sheets (Initiatives and Initiative countries) are written. They need no
/// figures, so [`crate::build`] writes them while the figures are computed; [`finish`]
/// adds the other sheets and saves.
///
/// [`finish`]: LongSheets::finish
pub struct LongSheets {
    workbook: Workbook,
    print: Print,
}

impl LongSheets {
    /// A workbook in `lang` with an empty `Read me` sheet first, then the two long sheets written side
    /// by side.
    pub fn write(lang: Lang, data: &RoundData<'_>) -> Result<LongSheets, DatasetError> {
        let print = Print::of(data.meta, lang);
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(ZIP_LEVEL);
        // Created when the version was, not when its file is built: a version's workbook built
        // again on request (aggregation keeps only the latest files) has the same parts.
        let created = ExcelDateTime::from_timestamp(data.meta.generated_at.timestamp())?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
        workbook.add_worksheet().set_name(SHEET_README)?;
        workbook.add_worksheet_with_constant_memory()?;
        workbook.add_worksheet_with_constant_memory()?;
        let styles = LongStyles::registered(&mut workbook);
        let (first, rest) = workbook.worksheets_mut().split_at_mut(2);
        let (initiatives, countries) = (&mut first[1], &mut rest[0]);
        std::thread::scope(|scope| {
            let other =
                scope.spawn(|| write_countries(countries, data.initiatives, &styles, &print));
            write_initiatives(
                initiatives,
                &table::columns(),
                data.initiatives,
                &styles,
                &print,
            )?;
            joined(other)
        })?;
        Ok(LongSheets { workbook, print })
    }

    /// The `Read me` sheet and the sheets made from `figures`, and the workbook as xlsx bytes.
    pub fn finish(self, data: &RoundData<'_>, figures: &Figures) -> Result<Vec<u8>, DatasetError> {
        let LongSheets {
            mut workbook,
            print,
        } = self;
        write_readme(
            workbook.worksheet_from_index(0)?,
            data.meta,
            DatasetCounts::of(data.initiatives),
            &figures.changes,
            &table::columns(),
            &print,
        )?;
        reports::write(&mut workbook, figures, &print)?;
        Ok(workbook.save_to_buffer()?)
    }
}

/// The cell formats of the two long sheets.
///
/// They are registered with the workbook before the sheets are written side by side: the library
/// numbers a format the first time a sheet uses it, and two sheets meeting the same new format at the
/// same moment could number it twice, which shifts the styles of the saved workbook.
/// (`Workbook::register_format` is documented for this multi-threaded constant-memory use.)
struct LongStyles {
    header: Format,
    date: Format,
    amount: Format,
    euros: Format,
    integer: Format,
}

impl LongStyles {
    fn registered(workbook: &mut Workbook) -> LongStyles {
        let styles = LongStyles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(0xDDEBF7),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            amount: Format::new().set_num_format("#,##0.00"),
            euros: Format::new().set_num_format(EUR_FORMAT),
            integer: Format::new().set_num_format("0"),
        };
        for format in [
            &styles.header,
            &styles.date,
            &styles.amount,
            &styles.euros,
            &styles.integer,
        ] {
            workbook.register_format(format);
        }
        styles
    }
}

fn write_readme(
    sheet: &mut Worksheet,
    meta: &DatasetMeta,
    counts: DatasetCounts,
    changes: &ChangeLog,
    columns: &[Column],
    print: &Print,
) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(16);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (col, width) in [22.0, 34.0, 34.0, 60.0, 60.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    print.setup(sheet, None)?;

    sheet.write_string_with_format(
        0,
        0,
        print.tr(tr(
            "JVAP consolidated dataset",
            "Base de données consolidée du PACV",
        )),
        &title,
    )?;
    let facts: [(&str, String); 6] = [
        (print.tr(tr("Round", "Collecte")), meta.round.clone()),
        (
            print.tr(tr("Dataset version", "Version des données")),
            meta.version.to_string(),
        ),
        (
            print.tr(tr("Generated at (UTC)", "Produit le (UTC)")),
            meta.generated_at.to_rfc3339(),
        ),
        (
            print.tr(tr("Initiatives", "Initiatives")),
            counts.initiatives.to_string(),
        ),
        (
            print.tr(tr("Partners", "Partenaires")),
            counts.partners.to_string(),
        ),
        (
            print.tr(tr("Submissions", "Envois")),
            counts.submissions.to_string(),
        ),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string_with_format(row, 0, *label, &bold)?;
        sheet.write_string(row, 1, value)?;
    }

    let mut row = facts.len() as u32 + 3;
    row = write_changes(sheet, row, changes, &bold, print)? + 2;
    sheet.write_string_with_format(
        row,
        0,
        print.tr(tr("Data dictionary", "Dictionnaire des données")),
        &bold,
    )?;
    row += 1;
    let headers = [
        tr("Key", "Clé"),
        tr("Header (EN)", "En-tête (EN)"),
        tr("Header (FR)", "En-tête (FR)"),
        tr("Rule (EN)", "Règle (EN)"),
        tr("Rule (FR)", "Règle (FR)"),
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, print.tr(*header), &bold)?;
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

/// The change log against the previous version, per partner; returns the last row written.
fn write_changes(
    sheet: &mut Worksheet,
    mut row: u32,
    changes: &ChangeLog,
    bold: &Format,
    print: &Print,
) -> Result<u32, XlsxError> {
    let title = match (changes.previous_version, print.lang) {
        (Some(v), Lang::En) => format!("Changes since version {v}"),
        (Some(v), Lang::Fr) => format!("Modifications depuis la version {v}"),
        (None, Lang::En) => "Changes: first version".to_string(),
        (None, Lang::Fr) => "Modifications : première version".to_string(),
    };
    sheet.write_string_with_format(row, 0, title, bold)?;
    row += 1;
    for (col, header) in [
        tr("Partner", "Partenaire"),
        tr("Added", "Ajoutées"),
        tr("Updated", "Modifiées"),
        tr("Removed", "Retirées"),
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, print.tr(header), bold)?;
    }
    let lines = changes
        .partners
        .iter()
        .map(|p| (p.partner.as_str(), p.added, p.updated, p.removed))
        .chain([("Total", changes.added, changes.updated, changes.removed)]);
    for (partner, added, updated, removed) in lines {
        row += 1;
        sheet.write_string(row, 0, partner)?;
        sheet.write_number(row, 1, added as f64)?;
        sheet.write_number(row, 2, updated as f64)?;
        sheet.write_number(row, 3, removed as f64)?;
    }
    Ok(row)
}

fn write_initiatives(
    sheet: &mut Worksheet,
    columns: &[Column],
    initiatives: &[DatasetInitiative],
    styles: &LongStyles,
    print: &Print,
) -> Result<(), DatasetError> {
    sheet.set_name(SHEET_INITIATIVES)?;
    print.setup(sheet, Some((0, 0)))?;
    let LongStyles {
        header,
        date,
        amount,
        euros,
        integer,
    } = styles;

    for (col, column) in columns.iter().enumerate() {
        sheet.set_column_width(col as u16, width(column, print.lang))?;
    }
    let headers: Vec<TableColumn> = columns
        .iter()
        .map(|c| {
            TableColumn::new()
                .set_header(c.header(print.lang))
                .set_header_format(header)
        })
        .collect();
    // Room for a header of two lines.
    sheet.set_row_height(0, 30)?;
    let last_col = columns.len().saturating_sub(1) as u16;
    // An Excel table needs a data row, even an empty one.
    let last_row = (initiatives.len() as u32).max(1);
    sheet.add_table(
        0,
        0,
        last_row,
        last_col,
        &Table::new().set_name("Initiatives").set_columns(&headers),
    )?;
    sheet.set_freeze_panes(1, 0)?;

    for (i, initiative) in initiatives.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, (cell, column)) in table::row(initiative).iter().zip(columns).enumerate() {
            let col = col as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, truncate(s))?;
                }
                Cell::Number(n) => {
                    let format = match (column.key, column.column_type) {
                        (_, ColumnType::Integer) => integer,
                        ("budget_eur", _) => euros,
                        _ => amount,
                    };
                    sheet.write_number_with_format(row, col, *n, format)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(excel) => {
                        sheet.write_datetime_with_format(row, col, excel, date)?;
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

/// One row per initiative and country, for pivot tables. The total budget in euros is the
/// initiative's whole budget, repeated on each of its countries' rows (so sum it by initiative, not by
/// row).
fn write_countries(
    sheet: &mut Worksheet,
    initiatives: &[DatasetInitiative],
    styles: &LongStyles,
    print: &Print,
) -> Result<(), DatasetError> {
    sheet.set_name(SHEET_COUNTRIES)?;
    print.setup(sheet, Some((0, 0)))?;
    let LongStyles { header, euros, .. } = styles;
    let by_key = |key: &str| {
        table::columns()
            .into_iter()
            .find(|c| c.key == key)
            .map_or(key.to_string(), |c| c.header(print.lang).to_string())
    };
    let columns = [
        (by_key("partner"), 12.0),
        (field("partner_ref").header(print.lang).to_string(), 18.0),
        (field("title").header(print.lang).to_string(), 45.0),
        (print.tr(tr("Country", "Pays")).to_string(), 9.0),
        (
            print.tr(tr("Country name", "Nom du pays")).to_string(),
            24.0,
        ),
        (print.tr(tr("Region", "Région")).to_string(), 16.0),
        (field("primary_domain").header(print.lang).to_string(), 12.0),
        (by_key("budget_eur"), 18.0),
    ];
    for (col, (label, width)) in columns.iter().enumerate() {
        sheet.set_column_width(col as u16, width_of([label.as_str()], *width, 45.0))?;
        sheet.write_string_with_format(0, col as u16, label, header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let rows: u32 = initiatives
        .iter()
        .map(|i| i.record.countries.len() as u32)
        .sum();
    sheet.autofilter(0, 0, rows.max(1), columns.len() as u16 - 1)?;

    let mut names: HashMap<&str, String> = HashMap::new();
    let mut row = 0;
    for initiative in initiatives {
        let record = &initiative.record;
        for country in &record.countries {
            row += 1;
            let name = names
                .entry(country)
                .or_insert_with(|| figures::country_labels(country).0);
            sheet.write_string(row, 0, &initiative.partner)?;
            if let Some(r) = &record.partner_ref {
                sheet.write_string(row, 1, truncate(r))?;
            }
            sheet.write_string(row, 2, truncate(&record.title))?;
            sheet.write_string(row, 3, country)?;
            sheet.write_string(row, 4, name.as_str())?;
            sheet.write_string(row, 5, figures::region_of(country))?;
            sheet.write_string(row, 6, &record.primary_domain)?;
            if let Some(budget) = record.budget_eur.and_then(figures::money) {
                sheet.write_number_with_format(row, 7, money_number(budget), euros)?;
            }
        }
    }
    Ok(())
}

/// A [`figures::Money`] as the number Excel stores.
pub(crate) fn money_number(money: figures::Money) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    money.to_f64().unwrap_or_default()
}

/// Excel has no dates before 1900; those (never valid in a JVAP round) are written as text.
fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

pub(crate) fn truncate(s: &str) -> &str {
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

/// A column's width: enough for a typical value, and for its header up to a point (a long header
/// wraps in the print rather than widen the page).
fn width(column: &Column, lang: Lang) -> f64 {
    let typical = match (column.key, column.column_type) {
        ("title", _) => 45.0,
        ("description", _) => 50.0,
        ("submission_id", _) => 38.0,
        (_, ColumnType::List) => 24.0,
        (_, ColumnType::Date | ColumnType::Amount) => 15.0,
        (_, ColumnType::Integer) => 11.0,
        (_, ColumnType::Text) => 16.0,
    };
    width_of([column.header(lang)], typical, typical.max(28.0))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::super::table::readback;
    use super::*;
    use crate::sample::{figures, round, sample};
    use jvap_record::tracker::Tracker;

    fn write(initiatives: &[DatasetInitiative]) -> Vec<u8> {
        let tracker = Tracker::build("2022", &["NER".to_string()], &[], &Default::default());
        let data = round(initiatives, &tracker);
        write_xlsx(&data, &figures(&data)).expect("xlsx")
    }

    /// Every row of `sheet` in the workbook `bytes`, each cell as text.
    fn text_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
        let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        let range = workbook.worksheet_range(sheet).expect("sheet");
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

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
        let bytes = write(&initiatives);
        let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        assert_eq!(workbook.sheet_names(), SHEETS);

        let range = workbook.worksheet_range(SHEET_INITIATIVES).expect("sheet");
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .expect("header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        // Headed by the labels people read; the keys are in the JSON, the CSV and the read me.
        let labels: Vec<&str> = table::columns().iter().map(|c| c.header_en).collect();
        assert_eq!(header, labels);
        let back: Vec<DatasetInitiative> = rows
            .map(|r| readback::initiative(&r.iter().map(cell).collect::<Vec<_>>()))
            .collect();
        assert_eq!(back, initiatives);
    }

    #[test]
    fn read_me_has_the_counts_and_a_dictionary_entry_per_column() {
        let rows = text_rows(&write(&sample()), SHEET_README);
        let fact = |label: &str| rows.iter().find(|r| r[0] == label).map(|r| r[1].clone());
        assert_eq!(fact("Round").as_deref(), Some("2022"));
        assert_eq!(fact("Dataset version").as_deref(), Some("3"));
        assert_eq!(fact("Initiatives").as_deref(), Some("3"));
        assert_eq!(fact("Partners").as_deref(), Some("2"));
        for field in jvap_record::FIELDS.iter() {
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
        let bytes = write(&[]);
        let workbook = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
        assert_eq!(workbook.sheet_names(), SHEETS);
    }

    #[test]
    fn initiative_countries_has_a_row_per_initiative_and_country() {
        let rows = text_rows(&write(&sample()), SHEET_COUNTRIES);
        assert_eq!(rows[0][3], "Country");
        assert_eq!(
            rows[0][1],
            jvap_record::record::field("partner_ref").header_en
        );
        // NER (NER, MLI), SEN (SEN), SEN hostile (NER, MLI): five rows.
        assert_eq!(rows.len(), 6);
        assert_eq!(
            &rows[1][..7],
            [
                "NER",
                "NER-2019-04",
                "Appui à la réintégration des migrants de retour",
                "NER",
                "Niger",
                "west_africa",
                "D5"
            ]
        );
        assert_eq!(rows[2][4], "Mali");
        assert_eq!(rows[1][7], "1200000.5");
    }

    #[test]
    fn the_read_me_shows_the_change_log() {
        let rows = text_rows(&write(&sample()), SHEET_README);
        assert!(
            rows.iter()
                .any(|r| r[0].starts_with("Changes: first version"))
        );
        let sen = rows.iter().find(|r| r[0] == "SEN").expect("SEN's changes");
        assert_eq!(sen[1..4], ["2", "0", "0"]);
    }

    #[test]
    fn truncate_keeps_cells_under_excels_limit() {
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        assert_eq!(truncate(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(truncate("short"), "short");
    }
}
