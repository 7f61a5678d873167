//! Finding a sheet's header row and placing its columns: which column holds which field.
//!
//! A header cell is read, in this order of trust, as the partner confirmed it ([`ColumnMapping`]),
//! as a template header or synonym (folded: case, accents, punctuation and spacing aside), or by
//! meaning ([`super::meaning`]). A row is the header when at least [`MIN_MATCHED`] of its cells name
//! distinct fields. Its columns are placed once the sheet's first data rows are known: a column
//! read by meaning must hold values that fit its field (a column of amounts is no list of funders),
//! and each field gets at most one column, for the best total score.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::meaning::{self, PROBABLE_AT, READ_AT, Score};
use crate::sheet::{CellValue, Row};
use jvap_record::columns::{ColumnMapping, ColumnRead, ReadAs};
use jvap_record::record::FIELDS;
use jvap_record::reference::EUR_RATES;
use jvap_record::report::Issue;
use jvap_record::text::fold;

/// How many rows from the top of a sheet may hold the header row (title rows and banners above it).
pub(super) const HEADER_SEARCH_ROWS: usize = 30;

/// At least this many cells of a row must name distinct fields for it to be the header row.
const MIN_MATCHED: usize = 3;

/// The most columns a field considers by meaning: a header of thousands of look-alike cells costs no
/// more than one of a few.
const CANDIDATES_PER_FIELD: usize = 8;

/// Only this many first cells of a row are read by meaning (a header has a few dozen): a row of
/// thousands of cells costs exact lookups only past them.
const MEANING_CELLS: usize = 256;

/// At most this many guesses are given for a column that was not placed.
const GUESSES: usize = 3;

/// A sheet's header row with its columns placed.
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
    /// Header cells that are unknown, repeated, read by meaning or as confirmed, in column order.
    pub issues: Vec<Issue>,
    /// How every header cell was read: the mapping used.
    pub reads: Vec<ColumnRead>,
    /// For a field without a column, the unplaced column that probably holds it, and its header.
    pub probable: BTreeMap<&'static str, (usize, String)>,
}

impl Header {
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.get(key).copied()
    }
}

/// A header row found, its columns not placed yet.
#[derive(Debug, Clone)]
pub(super) struct HeaderRow {
    pub index: usize,
    pub row: u32,
    cells: Vec<CellReading>,
}

/// One header cell as read, before placing.
#[derive(Debug, Clone)]
struct CellReading {
    col: usize,
    text: String,
    /// The field (index in `FIELDS`) the partner confirmed for this header.
    confirmed: Option<usize>,
    /// The field whose template header or synonym this is.
    exact: Option<usize>,
    /// The meaning score of each field; empty for text too long to be a header.
    scores: Vec<Score>,
    /// A currency the header names (`Total budget (USD)`).
    currency: Option<String>,
}

impl CellReading {
    fn score(&self, field: usize) -> Option<i32> {
        self.scores.get(field).copied().flatten()
    }

    /// The field this cell most probably names, if any names it well enough to be read.
    fn named(&self) -> Option<usize> {
        self.confirmed.or(self.exact).or_else(|| {
            (0..self.scores.len())
                .filter(|&f| self.score(f).is_some_and(|s| s >= READ_AT))
                .max_by_key(|&f| (self.score(f), std::cmp::Reverse(f)))
        })
    }
}

/// What became of a header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    Unknown,
    Field(usize, ReadAs),
}

/// Folded EN and FR headers and synonyms to field index.
static HEADERS: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (index, field) in FIELDS.iter().enumerate() {
        let names = [&field.header_en, &field.header_fr]
            .into_iter()
            .chain(field.synonyms.iter());
        for name in names {
            map.entry(fold(name)).or_insert(index);
        }
    }
    map
});

/// The field a header cell names exactly, also with a currency code left out for the budget
/// (`Total budget (USD)`).
fn exact_field(text: &str, currency: Option<&str>) -> Option<usize> {
    if let Some(&field) = HEADERS.get(&fold(text)) {
        return Some(field);
    }
    let without = text.replace(currency?, " ");
    let field = *HEADERS.get(&fold(&without))?;
    (FIELDS[field].key == "budget").then_some(field)
}

/// A currency a header names: an ISO code of the rate table written as a word (`Budget (EUR)`), or
/// the euro by its sign or name (`Montant (€)`, `Coût en euros`).
fn header_currency(text: &str) -> Option<String> {
    let code = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| w.len() == 3 && EUR_RATES.contains_key(*w));
    if let Some(code) = code {
        return Some(code.to_string());
    }
    let euro = text.contains('€')
        || text
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.eq_ignore_ascii_case("euro") || w.eq_ignore_ascii_case("euros"));
    euro.then(|| "EUR".to_string())
}

fn read_cell(col: usize, text: String, mapping: &ColumnMapping) -> CellReading {
    let currency = header_currency(&text);
    let exact = exact_field(&text, currency.as_deref());
    let confirmed = mapping
        .field_for(&text)
        .and_then(|field| FIELDS.iter().position(|f| f.key == field.key));
    let scores = meaning::header_words(&text)
        .filter(|_| col < MEANING_CELLS)
        .map(|words| meaning::scores(&words))
        .unwrap_or_default();
    CellReading {
        col,
        text,
        confirmed,
        exact,
        scores,
        currency,
    }
}

/// The header, if `row` (the `index`th row of its sheet) is the header row.
pub(super) fn header_at(row: &Row, index: usize, mapping: &ColumnMapping) -> Option<HeaderRow> {
    let cells: Vec<CellReading> = row
        .cells
        .iter()
        .enumerate()
        .filter_map(|(col, cell)| Some(read_cell(col, header_text(&cell.value)?, mapping)))
        .collect();
    let mut named: Vec<usize> = cells.iter().filter_map(CellReading::named).collect();
    named.sort_unstable();
    named.dedup();
    (named.len() >= MIN_MATCHED).then_some(HeaderRow {
        index,
        row: row.number,
        cells,
    })
}

fn header_text(value: &CellValue) -> Option<String> {
    match value {
        CellValue::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        CellValue::Empty | CellValue::Text(_) => None,
        other => Some(other.display()),
    }
}

mod place;
#[cfg(test)]
mod tests;

pub(super) use place::place;
