//! What a sheet's first data rows say: whether they are initiatives or lists of codes and labels, and
//! whether a column's values fit the field its header seems to name.

use crate::parse::amount::parse_amount;
use crate::parse::date::parse_date;
use crate::sheet::{CellValue, Row};
use jvap_record::record::{Field, Kind};

/// How many data rows are looked at before a sheet's columns are placed and the sheet is read.
pub(super) const PROBE_ROWS: usize = 10;

/// Whether the first data rows of a sheet look like initiatives. With a title column, they do unless
/// no row holds a title or a date (a sheet of codes and labels whose first row names fields); without
/// one, some row must hold a date and several values (a data sheet whose title header is not
/// recognised, reported as a missing column). A sheet with a header and no data row is read (as
/// empty) only when it has a title column.
pub(super) fn looks_like_initiatives(rows: &[&Row], title: Option<usize>, dates: &[usize]) -> bool {
    let dated = |row: &Row| {
        row.cells
            .iter()
            .any(|c| matches!(c.value, CellValue::Date(_)))
            || dates
                .iter()
                .filter_map(|&col| row.get(col))
                .any(|cell| is_date_like(&cell.value))
    };
    match title {
        Some(col) => {
            let titled = |row: &Row| row.get(col).is_some_and(|cell| is_title_like(&cell.value));
            rows.is_empty() || rows.iter().any(|row| titled(row) || dated(row))
        }
        None => rows.iter().any(|row| {
            let filled = row.cells.iter().filter(|c| !c.value.is_empty()).count();
            dated(row) && filled >= 4
        }),
    }
}

/// At least half of the values fit the field (there may be none).
pub(super) fn values_fit<'a>(field: &Field, values: impl Iterator<Item = &'a CellValue>) -> bool {
    let (mut seen, mut fitting) = (0usize, 0usize);
    for value in values {
        seen += 1;
        fitting += usize::from(fits(field, value));
    }
    fitting * 2 >= seen
}

/// Whether one value could be the field's: loose, only to tell a column of amounts or dates from
/// one of names (the rules judge the value itself later).
fn fits(field: &Field, value: &CellValue) -> bool {
    let text = || match value {
        CellValue::Text(s) => s.trim().to_ascii_lowercase(),
        other => other.display(),
    };
    match field.kind {
        Kind::Date => is_date_like(value),
        Kind::Amount => parse_amount(value).is_some(),
        Kind::Email => text().contains('@'),
        Kind::Url => {
            let text = text();
            text.contains("http")
                || text.contains("www")
                || (text.contains('.') && !text.contains(' '))
        }
        Kind::JvapId => jvap_record::ids::number(&text()).is_some(),
        Kind::Domains | Kind::Domain | Kind::Priorities | Kind::Objectives => true,
        Kind::Text if field.key == "partner_ref" => true,
        Kind::Currency => !is_numeric(value) && text().chars().count() <= 12,
        Kind::Text | Kind::Code | Kind::Codes | Kind::Countries | Kind::Funder | Kind::List => {
            !is_numeric(value) && !matches!(value, CellValue::Date(_))
        }
    }
}

/// A date, or a year written alone.
fn is_date_like(value: &CellValue) -> bool {
    let year = |n: f64| n.fract() == 0.0 && (1950.0..=2100.0).contains(&n);
    match value {
        CellValue::Number(n) if year(*n) => true,
        CellValue::Text(s) if s.trim().parse::<f64>().is_ok_and(year) => true,
        other => parse_date(other).is_some(),
    }
}

/// A number, written as a number or as digits with separators.
fn is_numeric(value: &CellValue) -> bool {
    match value {
        CellValue::Number(_) => true,
        CellValue::Text(s) => {
            let s = s.trim();
            s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'.' | b',' | b'-' | b'\''))
        }
        _ => false,
    }
}

/// Text such as a title: a few words, not a code or a label of one word.
fn is_title_like(value: &CellValue) -> bool {
    let CellValue::Text(s) = value else {
        return false;
    };
    let s = s.trim();
    s.chars().count() >= 10 && s.split_whitespace().nth(1).is_some() && !is_numeric(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Cell;
    use jvap_record::record::field;

    fn row(texts: &[&str]) -> Row {
        Row {
            number: 2,
            cells: texts
                .iter()
                .map(|t| Cell::new(CellValue::Text((*t).into())))
                .collect(),
        }
    }

    #[test]
    fn rows_of_labels_are_no_initiatives_and_rows_with_titles_or_dates_are() {
        let labels = row(&["Project", "Planned", "National", "African country", "D1"]);
        assert!(!looks_like_initiatives(&[&labels], None, &[]));
        assert!(!looks_like_initiatives(&[&labels], Some(0), &[]));
        let titled = row(&["Project", "Support to border management", "Ongoing"]);
        assert!(looks_like_initiatives(&[&labels, &titled], Some(1), &[]));
        let dated = row(&["Project", "", "Ongoing", "15/03/2019", "D1"]);
        assert!(looks_like_initiatives(&[&dated], None, &[3]));
        assert!(looks_like_initiatives(&[], Some(0), &[]));
        assert!(!looks_like_initiatives(&[], None, &[]));
    }

    #[test]
    fn amounts_are_no_names_and_names_no_amounts() {
        let numbers = [CellValue::Number(1.2e6), CellValue::Text("450 000".into())];
        assert!(!values_fit(field("other_funders"), numbers.iter()));
        assert!(values_fit(field("budget"), numbers.iter()));
        let names = [CellValue::Text("GIZ; Enabel".into())];
        assert!(!values_fit(field("budget"), names.iter()));
        assert!(values_fit(field("implementers"), names.iter()));
        assert!(values_fit(field("lead_funder"), std::iter::empty()));
        let years = [CellValue::Number(2019.0), CellValue::Text("TBC".into())];
        assert!(values_fit(field("start_date"), years.iter()));
    }
}
