//! Finding a sheet's header row and mapping its cells to the record's fields.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::sheet::{CellValue, Row};
use jvap_record::catalogue;
use jvap_record::record::{FIELDS, Field};
use jvap_record::reference::EUR_RATES;
use jvap_record::report::Issue;
use jvap_record::text::fold;

/// How many rows from the top of a sheet may hold the header row (title rows and banners above it).
pub(super) const HEADER_SEARCH_ROWS: usize = 30;

/// At least this many cells of a row must name a field for it to be the header row.
const MIN_MATCHED: usize = 3;

/// A sheet's header row: which column holds which field.
#[derive(Debug, Clone)]
pub(super) struct Header {
    /// Index in `Sheet::rows` of the header row.
    #[cfg_attr(not(test), allow(dead_code))]
    pub index: usize,
    /// The header's 1-based sheet row.
    pub row: u32,
    /// Field key to 0-based column.
    pub columns: BTreeMap<&'static str, usize>,
    /// A currency the budget header names (`Budget (EUR)`), used when there is no currency column.
    pub budget_currency: Option<String>,
    /// Unknown and duplicate header cells.
    pub issues: Vec<Issue>,
}

impl Header {
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.get(key).copied()
    }
}

/// Folded EN and FR headers and synonyms to field.
static HEADERS: LazyLock<HashMap<String, &'static Field>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for field in FIELDS.iter() {
        let names = [&field.header_en, &field.header_fr]
            .into_iter()
            .chain(field.synonyms.iter());
        for name in names {
            map.entry(fold(name)).or_insert(field);
        }
    }
    map
});

/// The field a header cell names, and the currency it names, if any (`Total budget (USD)`).
fn match_header(text: &str) -> Option<(&'static Field, Option<String>)> {
    let currency = header_currency(text);
    if let Some(field) = HEADERS.get(&fold(text)) {
        return Some((field, currency));
    }
    let code = currency?;
    let without: String = text.replace(&code, " ");
    let field = HEADERS.get(&fold(&without))?;
    (field.key == "budget").then_some((field, Some(code)))
}

/// An ISO currency code of the rate table written as a word of a header (`Budget (EUR)`).
fn header_currency(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| w.len() == 3 && EUR_RATES.contains_key(*w))
        .map(String::from)
}

/// Find the header row among the first rows of a sheet.
#[cfg(test)]
pub(super) fn find_header(sheet: &crate::sheet::Sheet) -> Option<Header> {
    sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find_map(|(index, row)| header_at(sheet.name.as_deref(), row, index))
}

/// The header, if `row` (the `index`th row of its sheet) is the header row.
pub(super) fn header_at(sheet: Option<&str>, row: &Row, index: usize) -> Option<Header> {
    (matched_fields(row) >= MIN_MATCHED).then(|| map_header(sheet, row, index))
}

fn matched_fields(row: &Row) -> usize {
    let mut keys: Vec<&str> = row
        .cells
        .iter()
        .filter_map(|cell| match_header(&header_text(&cell.value)?))
        .map(|(field, _)| field.key.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

fn header_text(value: &CellValue) -> Option<String> {
    match value {
        CellValue::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        CellValue::Empty | CellValue::Text(_) => None,
        other => Some(other.display()),
    }
}

fn map_header(sheet: Option<&str>, row: &Row, index: usize) -> Header {
    let mut header = Header {
        index,
        row: row.number,
        columns: BTreeMap::new(),
        budget_currency: None,
        issues: vec![],
    };
    for (col, cell) in row.cells.iter().enumerate() {
        if let Some(text) = header_text(&cell.value) {
            map_cell(&mut header, sheet, col, &text);
        }
    }
    header
}

fn map_cell(header: &mut Header, sheet: Option<&str>, col: usize, text: &str) {
    let at = |kind| {
        Issue::new(kind, text)
            .at(sheet, header.row, col)
            .value(text)
    };
    let Some((field, currency)) = match_header(text) else {
        header.issues.push(at(&catalogue::COLUMN_UNKNOWN));
        return;
    };
    if header.columns.contains_key(field.key.as_str()) {
        header
            .issues
            .push(at(&catalogue::COLUMN_DUPLICATE).column(&field.key));
        return;
    }
    header.columns.insert(field.key.as_str(), col);
    if field.key == "budget" {
        header.budget_currency = currency;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Cell, Sheet, Visibility};

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
        let codes: Vec<(&str, Option<&str>)> = header
            .issues
            .iter()
            .map(|i| (i.code.as_str(), i.cell.as_deref()))
            .collect();
        assert_eq!(
            codes,
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
}
