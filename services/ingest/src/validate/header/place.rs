//! Placing a header row's columns: confirmed first, then exact, then the best assignment by
//! meaning; and what each header cell gives the report.

use std::collections::BTreeMap;

use super::{
    CANDIDATES_PER_FIELD, CellReading, GUESSES, Header, HeaderRow, PROBABLE_AT, Placed, READ_AT,
};
use crate::sheet::Row;
use crate::validate::{issue_in, meaning, probe};
use jvap_record::catalogue::{self, IssueKind};
use jvap_record::columns::{ColumnRead, ReadAs};
use jvap_record::record::FIELDS;
use jvap_record::report::{Issue, cell_name};

/// Place the columns of a header row, knowing the sheet's first data rows (`sample`).
pub(in crate::validate) fn place(
    sheet: Option<&str>,
    header: HeaderRow,
    sample: &[&Row],
) -> Header {
    let placed = placements(&header.cells, sample);
    let mut out = Header {
        index: header.index,
        row: header.row,
        columns: BTreeMap::new(),
        budget_currency: None,
        issues: vec![],
        reads: vec![],
        probable: BTreeMap::new(),
    };
    for (cell, placed) in header.cells.iter().zip(&placed) {
        out.reads
            .push(column_read(sheet, header.row, cell, *placed));
        if let Some(issue) = cell_issue(sheet, header.row, cell, *placed) {
            out.issues.push(issue);
        }
        let Placed::Field(field, how) = *placed else {
            continue;
        };
        if how == ReadAs::Duplicate {
            continue;
        }
        let key = FIELDS[field].key.as_str();
        out.columns.insert(key, cell.col);
        if key == "budget" {
            out.budget_currency = cell.currency.clone();
        }
    }
    for (field, def) in FIELDS.iter().enumerate() {
        if out.columns.contains_key(def.key.as_str()) {
            continue;
        }
        let best = header
            .cells
            .iter()
            .zip(&placed)
            .filter(|(_, placed)| **placed == Placed::Unknown)
            .filter_map(|(cell, _)| Some((cell.score(field)?, cell)))
            .filter(|(score, _)| *score >= PROBABLE_AT)
            .max_by_key(|(score, cell)| (*score, std::cmp::Reverse(cell.col)));
        if let Some((_, cell)) = best {
            out.probable
                .insert(def.key.as_str(), (cell.col, cell.text.clone()));
        }
    }
    out
}

/// What becomes of each cell: confirmed first, then exact, then the best assignment by meaning.
fn placements(cells: &[CellReading], sample: &[&Row]) -> Vec<Placed> {
    let mut placed = vec![Placed::Unknown; cells.len()];
    let mut taken = vec![false; FIELDS.len()];
    claim(cells, &mut placed, &mut taken, ReadAs::Confirmed, |c| {
        c.confirmed
    });
    claim(cells, &mut placed, &mut taken, ReadAs::Exact, |c| c.exact);
    let open: Vec<usize> = (0..FIELDS.len()).filter(|&f| !taken[f]).collect();
    let candidates = |field: usize| {
        let mut found: Vec<(i32, usize)> = cells
            .iter()
            .enumerate()
            .filter(|(i, _)| placed[*i] == Placed::Unknown)
            .filter_map(|(i, cell)| Some((cell.score(field)?, i)))
            .filter(|(score, i)| *score >= READ_AT && fits(field, cells[*i].col, sample))
            .collect();
        found.sort_by_key(|(score, i)| (std::cmp::Reverse(*score), *i));
        found.truncate(CANDIDATES_PER_FIELD);
        found
    };
    let per_field: Vec<Vec<(i32, usize)>> = open.iter().map(|&f| candidates(f)).collect();
    let mut columns: Vec<usize> = per_field.iter().flatten().map(|(_, i)| *i).collect();
    columns.sort_unstable();
    columns.dedup();
    let weights: Vec<Vec<i64>> = per_field
        .iter()
        .map(|found| {
            let mut row = vec![0i64; columns.len()];
            for (score, i) in found {
                if let Ok(at) = columns.binary_search(i) {
                    row[at] = i64::from(*score);
                }
            }
            row
        })
        .collect();
    for (field, column) in open.iter().zip(meaning::assign::assign(&weights)) {
        if let Some(at) = column {
            placed[columns[at]] = Placed::Field(*field, ReadAs::Meaning);
        }
    }
    placed
}

/// Give each cell still unknown the field `pick` names, `how`; a field already taken makes it a
/// duplicate.
fn claim(
    cells: &[CellReading],
    placed: &mut [Placed],
    taken: &mut [bool],
    how: ReadAs,
    pick: impl Fn(&CellReading) -> Option<usize>,
) {
    for (cell, placed) in cells.iter().zip(placed.iter_mut()) {
        let (Placed::Unknown, Some(field)) = (*placed, pick(cell)) else {
            continue;
        };
        *placed = if taken[field] {
            Placed::Field(field, ReadAs::Duplicate)
        } else {
            taken[field] = true;
            Placed::Field(field, how)
        };
    }
}

/// Whether the sample's values in `col` fit the field (every value is allowed when there are none).
fn fits(field: usize, col: usize, sample: &[&Row]) -> bool {
    let values = sample
        .iter()
        .filter_map(|row| row.get(col))
        .map(|cell| &cell.value)
        .filter(|value| !value.is_empty());
    probe::values_fit(&FIELDS[field], values)
}

fn column_read(sheet: Option<&str>, row: u32, cell: &CellReading, placed: Placed) -> ColumnRead {
    let (field, read_as) = match placed {
        Placed::Unknown => (None, ReadAs::Unknown),
        Placed::Field(field, how) => (Some(FIELDS[field].key.clone()), how),
    };
    let mut guesses: Vec<(i32, usize)> = Vec::new();
    if placed == Placed::Unknown {
        guesses = (0..FIELDS.len())
            .filter_map(|f| Some((cell.score(f)?, f)))
            .filter(|(score, _)| *score >= PROBABLE_AT)
            .collect();
        guesses.sort_by_key(|(score, f)| (std::cmp::Reverse(*score), *f));
        guesses.truncate(GUESSES);
    }
    ColumnRead {
        sheet: sheet.map(String::from),
        cell: cell_name(row, cell.col),
        header: cell.text.clone(),
        field,
        read_as,
        guesses: guesses
            .into_iter()
            .map(|(_, f)| FIELDS[f].key.clone())
            .collect(),
    }
}

/// The issue a header cell gives: none when it is the template's header or a synonym.
fn cell_issue(sheet: Option<&str>, row: u32, cell: &CellReading, placed: Placed) -> Option<Issue> {
    let text = cell.text.as_str();
    let at = |issue: Issue| issue.at(sheet, row, cell.col).value(text);
    let (field, how) = match placed {
        Placed::Unknown => return Some(at(Issue::new(&catalogue::COLUMN_UNKNOWN, text))),
        Placed::Field(field, how) => (&FIELDS[field], how),
    };
    let kind: &IssueKind = match how {
        ReadAs::Exact | ReadAs::Unknown => return None,
        ReadAs::Duplicate => {
            return Some(at(Issue::new(&catalogue::COLUMN_DUPLICATE, text)).column(&field.key));
        }
        ReadAs::Meaning => &catalogue::COLUMN_READ_AS,
        ReadAs::Confirmed => &catalogue::COLUMN_CONFIRMED,
    };
    let letters = jvap_record::report::column_letters(cell.col);
    let en = format!("{letters} \"{text}\" was read as \"{}\"", field.header_en);
    let fr = format!(
        "{letters} « {text} » a été lue comme « {} »",
        field.header_fr
    );
    Some(at(issue_in(kind, &en, &fr)).column(&field.key))
}
