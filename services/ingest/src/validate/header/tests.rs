use super::*;
use crate::sheet::{Cell, Sheet, Visibility};
use crate::validate::probe::PROBE_ROWS;

fn row(number: u32, texts: &[&str]) -> Row {
    let cells = texts
        .iter()
        .map(|t| Cell::new(CellValue::Text((*t).into())))
        .collect();
    Row { number, cells }
}

fn sheet(rows: Vec<Row>) -> Sheet {
    Sheet {
        name: Some("Initiatives".into()),
        visibility: Visibility::Visible,
        rows,
    }
}

/// The header of a sheet, its columns placed with the rows below it, as the validator does.
fn find_header(sheet: &Sheet) -> Option<Header> {
    find_header_mapped(sheet, &ColumnMapping::default())
}

fn find_header_mapped(sheet: &Sheet, mapping: &ColumnMapping) -> Option<Header> {
    let (at, found) = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find_map(|(index, row)| Some((index, header_at(row, index, mapping)?)))?;
    let sample: Vec<&Row> = sheet.rows[at + 1..].iter().take(PROBE_ROWS).collect();
    Some(place(sheet.name.as_deref(), found, &sample))
}

fn codes(header: &Header) -> Vec<(&str, Option<&str>)> {
    header
        .issues
        .iter()
        .map(|i| (i.code.as_str(), i.cell.as_deref()))
        .collect()
}

#[test]
fn the_header_row_is_found_below_title_rows() {
    let s = sheet(vec![
        row(1, &["JVAP DATA COLLECTION 2022"]),
        row(2, &["Focal point: Mr Mensah"]),
        row(
            6,
            &[
                "Project title",
                "Type",
                "Country(ies)",
                "Start",
                "Budget (EUR)",
            ],
        ),
    ]);
    let header = find_header(&s).expect("a header");
    assert_eq!((header.index, header.row), (2, 6));
    assert_eq!(header.column("title"), Some(0));
    assert_eq!(header.column("countries"), Some(2));
    assert_eq!(header.column("start_date"), Some(3));
    assert_eq!(header.column("budget"), Some(4));
    assert_eq!(header.budget_currency.as_deref(), Some("EUR"));
}

#[test]
fn french_headers_match_whatever_their_accents_and_case() {
    let s = sheet(vec![row(
        1,
        &[
            "Référence",
            "TITRE",
            "Date de debut (ou d'adoption)",
            "Pays de mise en oeuvre",
            "Devise",
        ],
    )]);
    let header = find_header(&s).expect("a header");
    assert_eq!(header.columns.len(), 5);
    assert_eq!(header.column("currency"), Some(4));
    assert!(header.issues.is_empty());
}

#[test]
fn unknown_and_repeated_header_cells_are_reported() {
    let s = sheet(vec![row(
        1,
        &["Title", "Type", "Status", "Comments", "Titre"],
    )]);
    let header = find_header(&s).expect("a header");
    assert_eq!(
        codes(&header),
        vec![
            ("column.unknown", Some("D1")),
            ("column.duplicate", Some("E1"))
        ]
    );
}

#[test]
fn a_budget_header_naming_another_currency_still_matches() {
    let s = sheet(vec![row(1, &["Title", "Type", "Total budget (USD)"])]);
    let header = find_header(&s).expect("a header");
    assert_eq!(header.column("budget"), Some(2));
    assert_eq!(header.budget_currency.as_deref(), Some("USD"));
}

#[test]
fn instruction_sheets_with_one_label_per_row_have_no_header() {
    let s = sheet(vec![
        row(1, &["Column", "Required", "Explanation"]),
        row(2, &["Title", "yes"]),
        row(3, &["Type", "yes"]),
        row(4, &["Status", "yes"]),
    ]);
    assert!(find_header(&s).is_none());
}

#[test]
fn headers_in_other_words_are_read_by_meaning_with_an_info_each() {
    let s = sheet(vec![row(
        1,
        &[
            "Nom du projet",
            "Financing body",
            "Date de lancement",
            "Montant global (EUR)",
            "Countries concerned",
            "Statut",
        ],
    )]);
    let header = find_header(&s).expect("a header");
    assert_eq!(header.column("lead_funder"), Some(1));
    assert_eq!(header.column("start_date"), Some(2));
    assert_eq!(header.column("budget"), Some(3));
    assert_eq!(header.column("countries"), Some(4));
    assert_eq!(header.budget_currency.as_deref(), Some("EUR"));
    let read_as: Vec<&str> = header
        .issues
        .iter()
        .filter(|i| i.code == "column.read_as")
        .filter_map(|i| i.cell.as_deref())
        .collect();
    assert_eq!(read_as, vec!["B1", "C1", "D1", "E1"]);
    let start = &header.issues[1];
    assert_eq!(start.severity, jvap_record::Severity::Info);
    assert_eq!(start.column.as_deref(), Some("start_date"));
    assert_eq!(
        start.message_en,
        "Column C \"Date de lancement\" was read as \"Start date (or adoption date for a policy)\". \
         If it holds something else, rename its header as in the template."
    );
    assert_eq!(
        start.message_fr,
        "La colonne C « Date de lancement » a été lue comme « Date de début (ou d'adoption) ». \
         Si elle contient autre chose, renommez son en-tête comme dans le modèle."
    );
}

#[test]
fn amounts_spent_paid_or_yearly_are_never_the_total_budget() {
    for decoy in [
        "Amount spent",
        "Amount disbursed to date",
        "Annual budget",
        "Budget 2021",
        "Montant décaissé",
        "Total paid (EUR)",
        "Dépenses",
        "Budget per year",
    ] {
        let s = sheet(vec![row(1, &["Title", "Type", "Status", decoy])]);
        let header = find_header(&s).expect("a header");
        assert_eq!(header.column("budget"), None, "{decoy}");
    }
}

#[test]
fn each_column_goes_to_the_field_its_words_say_best() {
    let s = sheet(vec![row(
        1,
        &["Title", "Type", "Funders", "Main donor", "Co-funders"],
    )]);
    let header = find_header(&s).expect("a header");
    // "Main donor" is a synonym of the lead funder: "Funders" cannot take it, and says the other
    // funders too weakly to be read as them.
    assert_eq!(header.column("lead_funder"), Some(3));
    assert_eq!(header.column("other_funders"), Some(4));
    assert!(!header.columns.values().any(|&c| c == 2));
}

#[test]
fn a_column_of_amounts_is_not_read_as_names() {
    let s = sheet(vec![
        row(
            1,
            &["Title", "Type", "Status", "Co-financing", "Total budget"],
        ),
        row(
            2,
            &[
                "Support to borders",
                "Project",
                "Ongoing",
                "450000",
                "900000",
            ],
        ),
    ]);
    let header = find_header(&s).expect("a header");
    assert_eq!(header.column("other_funders"), None);
    assert_eq!(header.column("budget"), Some(4));
}

#[test]
fn a_confirmed_mapping_wins_over_the_automatic_reading() {
    let mapping = ColumnMapping::from_pairs(["Financier=lead_funder", "Titre=description"])
        .expect("a mapping");
    let s = sheet(vec![row(
        1,
        &["Titre", "Type", "Statut", "Financier", "Intitulé"],
    )]);
    let header = find_header_mapped(&s, &mapping).expect("a header");
    assert_eq!(header.column("lead_funder"), Some(3));
    assert_eq!(header.column("description"), Some(0));
    assert_eq!(header.column("title"), Some(4));
    let confirmed: Vec<&str> = header
        .reads
        .iter()
        .filter(|r| r.read_as == ReadAs::Confirmed)
        .map(|r| r.header.as_str())
        .collect();
    assert_eq!(confirmed, vec!["Titre", "Financier"]);
    assert!(header.issues.iter().any(|i| i.code == "column.confirmed"
        && i.message_en
            == "Column D \"Financier\" was read as \"Lead funder\", as you confirmed."));
}

#[test]
fn a_column_not_placed_comes_with_its_best_guesses() {
    let s = sheet(vec![row(1, &["Title", "Type", "Status", "Partners"])]);
    let header = find_header(&s).expect("a header");
    let read = &header.reads[3];
    assert_eq!(read.read_as, ReadAs::Unknown);
    assert_eq!(read.cell, "D1");
    assert_eq!(read.guesses, vec!["implementers"]);
    assert_eq!(
        header.probable.get("implementers"),
        Some(&(3, "Partners".to_string()))
    );
}

#[test]
fn a_header_of_thousands_of_look_alike_cells_is_placed_and_stays_cheap() {
    let mut texts: Vec<String> = vec!["Title".into(), "Type".into(), "Status".into()];
    texts.extend((0..3000).map(|i| format!("Overall amount {i}")));
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let s = sheet(vec![row(1, &texts)]);
    let header = find_header(&s).expect("a header");
    // The first look-alike is the budget; the others are unknown columns, none read twice.
    assert_eq!(header.column("budget"), Some(3));
    assert_eq!(header.reads.len(), 3003);
    assert_eq!(
        header
            .issues
            .iter()
            .filter(|i| i.code == "column.unknown")
            .count(),
        2999
    );
}
