//! The official template, generated from the record definition.
//!
//! Headers, required flags and rule texts come from [`FIELDS`]; dropdown values come from
//! [`jvap_record::reference`]. Nothing about a column is typed twice.
//!
//! The workbook has three sheets: `Instructions` (how to fill it, the JVAP domains and Marrakesh
//! objectives, one row per column), `Initiatives` (the headers, with a note on each, dropdowns and date
//! formats on the first [`PREPARED_ROWS`] rows) and a hidden sheet of lists ([`SHEET_LISTS`]: `Lists`,
//! in French `Listes`) holding the dropdown values in the template's language, each list headed by
//! its field's header. A reader finds the lists sheet by what it holds (codes and labels, no
//! initiatives), never by its name.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Formula, Note, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use jvap_record::cells::{Cell, LIST_SEPARATOR};
use jvap_record::record::{FIELDS, Field, Kind};
use jvap_record::reference::{self, DOMAINS, OBJECTIVES};
use jvap_record::vocabulary::Bilingual;
use jvap_record::{Initiative, Lang};

/// Data rows prepared with dropdowns and formats below the header.
pub const PREPARED_ROWS: u32 = 500;

/// Sheet names; the data sheet's name is the one the readers look for first.
pub const SHEET_INSTRUCTIONS: &str = "Instructions";
pub const SHEET_INITIATIVES: &str = "Initiatives";
/// The hidden sheet of dropdown values, named in the template's language.
pub const SHEET_LISTS: Bilingual = Bilingual {
    en: "Lists",
    fr: "Listes",
};

/// The template could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("writing the template workbook failed: {0}")]
    Xlsx(#[from] XlsxError),
}

/// The official template in `lang`, as xlsx bytes.
pub fn template(lang: Lang) -> Result<Vec<u8>, TemplateError> {
    build(lang, None)
}

/// The official template in `lang` holding `initiatives` (a partner's, as the database has them)
/// from row 2, each with its JVAP id in a locked column (the sheet is protected, every other cell
/// left editable), and instructions on how to update, add and withdraw. Coded values are written as
/// the labels of `lang`, as the dropdowns offer them; the validator reads them back as the same
/// record.
pub fn prefilled(lang: Lang, initiatives: &[Initiative]) -> Result<Vec<u8>, TemplateError> {
    build(lang, Some(initiatives))
}

fn build(lang: Lang, initiatives: Option<&[Initiative]>) -> Result<Vec<u8>, TemplateError> {
    let text = Texts::of(lang);
    let mut workbook = Workbook::new();
    let lists = dropdown_lists(lang);

    write_instructions(workbook.add_worksheet(), lang, &text, initiatives.is_some())?;
    let sheet = workbook.add_worksheet();
    write_initiatives(sheet, lang, &text, &lists)?;
    if let Some(initiatives) = initiatives {
        write_prefilled_rows(sheet, lang, initiatives)?;
    }
    write_lists(workbook.add_worksheet(), lang, &lists)?;

    Ok(workbook.save_to_buffer()?)
}

/// The initiatives from row 2, by the field each cell is; the id column locked and the sheet
/// protected so that it stays as given, every other cell (and the prepared rows below) editable.
fn write_prefilled_rows(
    sheet: &mut Worksheet,
    lang: Lang,
    initiatives: &[Initiative],
) -> Result<(), XlsxError> {
    let editable = Format::new().set_unlocked();
    let date = Format::new().set_num_format("dd/mm/yyyy").set_unlocked();
    let amount = Format::new().set_num_format("#,##0.00").set_unlocked();
    let locked = Format::new().set_background_color(0xEDEDED);
    let id_col = jvap_record::record::column_index("jvap_id");
    for (col, field) in FIELDS.iter().enumerate() {
        if Some(col) == id_col {
            continue;
        }
        let format = match field.kind {
            Kind::Date => &date,
            Kind::Amount => &amount,
            _ => &editable,
        };
        sheet.set_column_format(col as u16, format)?;
    }
    for (index, initiative) in initiatives.iter().enumerate() {
        let row = index as u32 + 1;
        let cells = initiative.cells();
        for (col, field) in FIELDS.iter().enumerate() {
            let col16 = col as u16;
            let Some((_, cell)) = cells.iter().find(|(key, _)| *key == field.key) else {
                continue;
            };
            if Some(col) == id_col {
                if let Cell::Text(id) = cell {
                    sheet.write_string_with_format(row, col16, id, &locked)?;
                }
                continue;
            }
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    let shown = labelled(field, text, lang);
                    sheet.write_string_with_format(row, col16, &shown, &editable)?;
                }
                Cell::Number(n) => {
                    sheet.write_number_with_format(row, col16, *n, &amount)?;
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let day = u16::try_from(d.year()).ok().and_then(|y| {
                        ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
                    });
                    match day {
                        Some(day) => sheet.write_datetime_with_format(row, col16, day, &date)?,
                        None => sheet.write_string_with_format(
                            row,
                            col16,
                            d.format("%d/%m/%Y").to_string(),
                            &editable,
                        )?,
                    };
                }
            }
        }
    }
    let options = ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_cells: true,
        format_columns: true,
        format_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
    Ok(())
}

/// A coded value as the label of `lang` (the dropdown's), each code of a list of codes too; any
/// other value as it is.
fn labelled(field: &Field, text: &str, lang: Lang) -> String {
    let Some(list) = field.list.as_deref() else {
        return text.to_string();
    };
    if !matches!(field.kind, Kind::Code | Kind::Codes) {
        return text.to_string();
    }
    let label = |code: &str| {
        reference::code_list(list)
            .find(|c| c.code == code)
            .map(|c| match lang {
                Lang::En => c.name_en.clone(),
                Lang::Fr => c.name_fr.clone(),
            })
            .unwrap_or_else(|| code.to_string())
    };
    text.split(LIST_SEPARATOR)
        .map(label)
        .collect::<Vec<_>>()
        .join(LIST_SEPARATOR)
}

/// One dropdown: the field it serves and the values offered, in the `Lists` column `column`.
struct Dropdown {
    key: &'static str,
    values: Vec<String>,
    /// Values outside the list are allowed (with a notice) rather than refused.
    hint_only: bool,
}

/// The dropdowns, in `Lists` column order. Coded lists use the labels in `lang` (the validator accepts
/// labels and codes); domains use their codes, because domain names contain commas and `jvap_domains`
/// is a list separated by `;` or `,`.
fn dropdown_lists(lang: Lang) -> Vec<Dropdown> {
    let coded = |key: &'static str| {
        let list = jvap_record::record::field(key)
            .list
            .as_deref()
            .unwrap_or(key)
            .to_string();
        let values = reference::code_list(&list)
            .map(|c| match lang {
                Lang::En => c.name_en.clone(),
                Lang::Fr => c.name_fr.clone(),
            })
            .collect();
        Dropdown {
            key,
            values,
            hint_only: false,
        }
    };
    let domains = |key: &'static str, hint_only: bool| Dropdown {
        key,
        values: DOMAINS.iter().map(|d| d.code.clone()).collect(),
        hint_only,
    };
    vec![
        coded("initiative_type"),
        coded("status"),
        coded("geographic_scope"),
        coded("funder_category"),
        domains("primary_domain", false),
        domains("jvap_domains", true),
    ]
}

fn write_instructions(
    sheet: &mut Worksheet,
    lang: Lang,
    text: &Texts,
    prefilled: bool,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_INSTRUCTIONS)?;
    let title = Format::new().set_bold().set_font_size(16);
    let bold = Format::new().set_bold();
    let head = header_format();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    sheet.set_column_width(0, 42)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 90)?;
    sheet.write_string_with_format(0, 0, text.title, &title)?;
    let mut row = 2;
    for line in text.how_to {
        sheet.write_string(row, 0, *line)?;
        row += 1;
    }
    if prefilled {
        row += 1;
        sheet.write_string_with_format(row, 0, text.prefilled_title, &bold)?;
        row += 1;
        for line in text.prefilled {
            sheet.write_string(row, 0, *line)?;
            row += 1;
        }
    }

    row += 1;
    sheet.write_string_with_format(row, 0, text.domains_title, &bold)?;
    row += 1;
    for domain in DOMAINS.iter() {
        let name = match lang {
            Lang::En => &domain.name_en,
            Lang::Fr => &domain.name_fr,
        };
        sheet.write_string(row, 0, &domain.code)?;
        sheet.write_string_with_format(row, 2, name, &wrap)?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, text.objectives_title, &bold)?;
    row += 1;
    for objective in OBJECTIVES.iter() {
        let name = match lang {
            Lang::En => &objective.name_en,
            Lang::Fr => &objective.name_fr,
        };
        sheet.write_string(row, 0, &objective.code)?;
        sheet.write_string(row, 1, &objective.domain)?;
        sheet.write_string_with_format(row, 2, name, &wrap)?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, text.columns_title, &bold)?;
    row += 1;
    for (col, label) in text.table_headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *label, &head)?;
    }
    row += 1;
    for field in FIELDS.iter() {
        sheet.write_string_with_format(row, 0, field.header(lang), &wrap)?;
        sheet.write_string_with_format(row, 1, field.required.label(lang), &wrap)?;
        sheet.write_string_with_format(row, 2, field.rule(lang), &wrap)?;
        row += 1;
    }
    Ok(())
}

fn write_initiatives(
    sheet: &mut Worksheet,
    lang: Lang,
    text: &Texts,
    lists: &[Dropdown],
) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_INITIATIVES)?;
    let head = header_format();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let amount = Format::new().set_num_format("#,##0.00");
    let last_row = PREPARED_ROWS;

    sheet.set_row_height(0, 45)?;
    sheet.set_freeze_panes(1, 0)?;
    for (col, field) in FIELDS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, field.header(lang), &head)?;
        sheet.set_column_width(col, column_width(field))?;
        let note = Note::new(format!(
            "{}\n{}",
            required_line(field, lang),
            field.rule(lang)
        ))
        .add_author_prefix(false)
        .set_width(300)
        .set_height(110);
        sheet.insert_note(0, col, &note)?;
        match field.kind {
            Kind::Date => {
                sheet.set_column_format(col, &date)?;
            }
            Kind::Amount => {
                sheet.set_column_format(col, &amount)?;
            }
            _ => {}
        }
    }

    for (list_col, dropdown) in lists.iter().enumerate() {
        let Some(col) = jvap_record::record::column_index(dropdown.key) else {
            continue;
        };
        let letter = jvap_record::report::column_letters(list_col);
        let range = format!(
            "={}!${letter}$2:${letter}${}",
            SHEET_LISTS.get(lang),
            dropdown.values.len() + 1
        );
        let mut validation = DataValidation::new().allow_list_formula(Formula::new(range));
        if dropdown.hint_only {
            validation = validation
                .set_error_style(DataValidationErrorStyle::Information)
                .set_error_title(text.hint_title)?
                .set_error_message(text.hint_message)?;
        }
        sheet.add_data_validation(1, col as u16, last_row, col as u16, &validation)?;
    }
    Ok(())
}

fn write_lists(sheet: &mut Worksheet, lang: Lang, lists: &[Dropdown]) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_LISTS.get(lang))?;
    sheet.set_hidden(true);
    for (col, dropdown) in lists.iter().enumerate() {
        let col = col as u16;
        let header = jvap_record::record::field(dropdown.key).header(lang);
        sheet.write_string(0, col, header)?;
        for (row, value) in dropdown.values.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col, value)?;
        }
        sheet.set_column_width(col, 28)?;
    }
    Ok(())
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin)
}

/// A width that shows a typical value without hiding the neighbours.
fn column_width(field: &Field) -> f64 {
    match field.kind {
        Kind::Text if field.key == "title" => 40.0,
        Kind::Text if field.key == "description" => 60.0,
        Kind::Date | Kind::Code | Kind::Currency | Kind::Domain => 16.0,
        Kind::Amount => 16.0,
        Kind::List | Kind::Funder | Kind::Countries | Kind::Codes => 30.0,
        Kind::Url | Kind::Email => 28.0,
        _ => 18.0,
    }
}

fn required_line(field: &Field, lang: Lang) -> String {
    let label = match lang {
        Lang::En => "Required",
        Lang::Fr => "Obligatoire",
    };
    format!("{label}: {}", field.required.label(lang))
}

/// The template's own sentences, per language.
struct Texts {
    title: &'static str,
    how_to: &'static [&'static str],
    domains_title: &'static str,
    objectives_title: &'static str,
    columns_title: &'static str,
    table_headers: [&'static str; 3],
    hint_title: &'static str,
    hint_message: &'static str,
    prefilled_title: &'static str,
    /// How to update, add and withdraw, in a pre-filled workbook.
    prefilled: &'static [&'static str],
}

impl Texts {
    fn of(lang: Lang) -> Texts {
        match lang {
            Lang::En => Texts {
                title: "JVAP data collection 2022: initiatives template",
                how_to: &[
                    "1. Fill in one row per initiative (project or policy) on the sheet \"Initiatives\", from row 2.",
                    "2. Do not rename, reorder or delete the columns; leave a cell empty when you have nothing to report.",
                    "3. Use the dropdowns where there is one; hover over a column header to read its rule.",
                    "4. Dates as dd/mm/yyyy (day first); several values in one cell are separated by ;",
                    "5. Give each initiative a Reference of your own: it is how a later submission updates it.",
                    "6. Upload the file: you will see within seconds whether it is accepted, and which cells to correct if not.",
                ],
                domains_title: "JVAP domains (use the codes D1 to D5)",
                objectives_title: "Marrakesh Action Plan objectives (use the codes O1 to O10), with their domain",
                columns_title: "Columns",
                table_headers: ["Column", "Required", "Rule"],
                hint_title: "JVAP domains",
                hint_message: "Several domains can be given, separated by ; (for example D1; D3).",
                prefilled_title: "This workbook already holds your initiatives in the JVAP database",
                prefilled: &[
                    "Update: change the cells of the row and leave its JVAP id as it is; the id says which initiative the row updates.",
                    "Keep: leave a row that has not changed as it is; sending it again confirms it.",
                    "Add: write a new initiative on an empty row below and leave its JVAP id empty; it gets its own id once accepted.",
                    "Withdraw: keep the row of an initiative that should leave the database and tell the Secretariat its JVAP id; do not delete rows.",
                    "The JVAP id column is locked: an id is the database's, never typed or copied to another row.",
                ],
            },
            Lang::Fr => Texts {
                title: "Collecte de données PACV 2022 : modèle des initiatives",
                how_to: &[
                    "1. Remplissez une ligne par initiative (projet ou politique) dans la feuille « Initiatives », à partir de la ligne 2.",
                    "2. Ne renommez, ne déplacez et ne supprimez aucune colonne ; laissez une cellule vide si vous n'avez rien à indiquer.",
                    "3. Utilisez les listes déroulantes lorsqu'il y en a ; survolez un en-tête de colonne pour lire sa règle.",
                    "4. Dates au format jj/mm/aaaa (jour en premier) ; plusieurs valeurs dans une cellule sont séparées par ;",
                    "5. Donnez à chaque initiative votre propre Référence : elle permet de la mettre à jour lors d'un envoi ultérieur.",
                    "6. Envoyez le fichier : vous saurez en quelques secondes s'il est accepté et, sinon, quelles cellules corriger.",
                ],
                domains_title: "Domaines JVAP (utilisez les codes D1 à D5)",
                objectives_title: "Objectifs du Plan d'action de Marrakech (utilisez les codes O1 à O10), avec leur domaine",
                columns_title: "Colonnes",
                table_headers: ["Colonne", "Obligatoire", "Règle"],
                hint_title: "Domaines JVAP",
                hint_message: "Plusieurs domaines peuvent être indiqués, séparés par ; (par exemple D1; D3).",
                prefilled_title: "Ce classeur contient déjà vos initiatives de la base du PACV",
                prefilled: &[
                    "Mettre à jour : modifiez les cellules de la ligne et laissez son identifiant PACV tel quel ; l'identifiant indique quelle initiative la ligne met à jour.",
                    "Conserver : laissez telle quelle une ligne qui n'a pas changé ; la renvoyer la confirme.",
                    "Ajouter : écrivez une nouvelle initiative sur une ligne vide en dessous et laissez son identifiant PACV vide ; elle reçoit le sien une fois acceptée.",
                    "Retirer : gardez la ligne d'une initiative qui doit quitter la base et indiquez son identifiant PACV au Secrétariat ; ne supprimez pas de lignes.",
                    "La colonne Identifiant PACV est verrouillée : un identifiant est celui de la base, jamais saisi ni copié sur une autre ligne.",
                ],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, DataType, Reader, SheetVisible, Xlsx};

    use super::*;

    fn open(lang: Lang) -> Xlsx<Cursor<Vec<u8>>> {
        let bytes = template(lang).expect("template builds");
        assert_eq!(&bytes[..4], b"PK\x03\x04", "an xlsx is a zip");
        Xlsx::new(Cursor::new(bytes)).expect("calamine opens the template")
    }

    fn header_row(workbook: &mut Xlsx<Cursor<Vec<u8>>>) -> Vec<String> {
        let range = workbook
            .worksheet_range(SHEET_INITIATIVES)
            .expect("Initiatives sheet");
        range
            .rows()
            .next()
            .expect("a header row")
            .iter()
            .map(|c| match c {
                Data::String(s) => s.clone(),
                other => panic!("header cell is not text: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn initiatives_headers_are_the_fields_headers_in_each_language() {
        for lang in [Lang::En, Lang::Fr] {
            let mut workbook = open(lang);
            let expected: Vec<String> = FIELDS.iter().map(|f| f.header(lang).to_string()).collect();
            assert_eq!(header_row(&mut workbook), expected, "{lang:?}");
        }
    }

    #[test]
    fn lists_sheet_is_hidden_and_holds_the_labels_of_the_language() {
        let mut workbook = open(Lang::Fr);
        let sheets = workbook.sheets_metadata().to_vec();
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [SHEET_INSTRUCTIONS, SHEET_INITIATIVES, "Listes"],
            "sheet order"
        );
        assert_eq!(sheets[2].visible, SheetVisible::Hidden);
        assert_eq!(sheets[1].visible, SheetVisible::Visible);

        let lists = workbook.worksheet_range("Listes").expect("the lists sheet");
        let headers: Vec<String> = lists
            .rows()
            .next()
            .expect("a header row")
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            headers[1], "Statut",
            "each list is headed by its field's header"
        );
        let status: Vec<String> = lists
            .rows()
            .skip(1)
            .filter_map(|r| r.get(1).and_then(|c| c.get_string()).map(String::from))
            .collect();
        assert_eq!(
            status,
            ["Prévu", "En cours", "Achevé", "Suspendu ou annulé"]
        );
    }

    #[test]
    fn instructions_list_every_column_with_its_rule() {
        let mut workbook = open(Lang::En);
        let range = workbook
            .worksheet_range(SHEET_INSTRUCTIONS)
            .expect("Instructions sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        for field in FIELDS.iter() {
            assert!(
                rows.iter()
                    .any(|r| r[0] == field.header_en && r[2] == field.rule_en),
                "no instruction row for {}",
                field.key
            );
        }
        assert!(
            rows.iter()
                .any(|r| r[0] == "Total budget" && r[1] == "projects only")
        );
    }

    #[test]
    fn instructions_name_every_marrakesh_objective_in_the_language() {
        for lang in [Lang::En, Lang::Fr] {
            let mut workbook = open(lang);
            let range = workbook
                .worksheet_range(SHEET_INSTRUCTIONS)
                .expect("Instructions sheet");
            let rows: Vec<Vec<String>> = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            for objective in OBJECTIVES.iter() {
                let name = match lang {
                    Lang::En => &objective.name_en,
                    Lang::Fr => &objective.name_fr,
                };
                assert!(
                    rows.iter().any(|r| r[0] == objective.code
                        && r[1] == objective.domain
                        && &r[2] == name),
                    "{lang:?}: no row for {}",
                    objective.code
                );
            }
        }
    }

    #[test]
    fn the_lists_sheet_is_named_in_the_language() {
        for lang in [Lang::En, Lang::Fr] {
            let workbook = open(lang);
            assert_eq!(workbook.sheet_names()[2], SHEET_LISTS.get(lang));
        }
    }
}
