//! The CSV of the Initiatives table: UTF-8 with a BOM (so Excel reads accents right), and safe to open
//! in a spreadsheet: text that a spreadsheet would take for a formula is prefixed with `'`.

use super::DatasetError;
use super::table::{self, Cell};
use crate::round::{DatasetInitiative, DatasetMeta};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The Initiatives columns as CSV bytes. `meta` is not written (CSV has no place for it) but keeps the
/// writers' signatures alike.
pub fn write_csv(
    _meta: &DatasetMeta,
    initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    let mut out = BOM.to_vec();
    {
        let mut writer = ::csv::Writer::from_writer(&mut out);
        writer.write_record(table::columns().iter().map(|c| c.key))?;
        for initiative in initiatives {
            let cells = table::row(initiative);
            writer.write_record(cells.iter().map(field))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s),
        Cell::Number(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
    }
}

/// Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that a
/// spreadsheet shows it as text instead of evaluating it (OWASP "CSV injection"). Numbers and dates are
/// never text cells, so a negative amount would not be touched.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::super::table::{ColumnType, readback};
    use super::*;
    use crate::sample::{meta, sample};

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        assert!(bytes.starts_with(BOM), "UTF-8 BOM first");
        let mut reader = ::csv::Reader::from_reader(&bytes[BOM.len()..]);
        let header = reader
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.expect("a record").iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    /// How a reader that knows the columns' types (and the `'` convention) reads a row.
    fn cells(row: &[String]) -> Vec<Cell> {
        table::columns()
            .iter()
            .zip(row)
            .map(|(column, s)| match column.column_type {
                _ if s.is_empty() => Cell::Empty,
                ColumnType::Date => {
                    Cell::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"))
                }
                ColumnType::Amount | ColumnType::Integer => {
                    Cell::Number(s.parse().expect("number"))
                }
                ColumnType::Text | ColumnType::List => {
                    let unquoted = s.strip_prefix('\'').filter(|rest| neutralise(rest) == *s);
                    Cell::Text(unquoted.unwrap_or(s).to_string())
                }
            })
            .collect()
    }

    #[test]
    fn csv_reads_back_as_the_same_initiatives() {
        let initiatives = sample();
        let (header, rows) = read(&write_csv(&meta(), &initiatives).expect("csv"));
        let keys: Vec<&str> = table::columns().iter().map(|c| c.key).collect();
        assert_eq!(header, keys);
        let back: Vec<DatasetInitiative> = rows
            .iter()
            .map(|r| readback::initiative(&cells(r)))
            .collect();
        assert_eq!(back, initiatives);
    }

    #[test]
    fn formula_like_text_is_prefixed_and_numbers_are_not() {
        let (header, rows) = read(&write_csv(&meta(), &sample()).expect("csv"));
        let col = |key: &str| header.iter().position(|h| h == key).expect("column");
        let hostile = &rows[2];
        assert_eq!(hostile[col("partner_ref")], "'-12");
        assert_eq!(
            hostile[col("title")],
            "'=HYPERLINK(\"http://evil.example\",\"click\")"
        );
        assert_eq!(hostile[col("description")], "'+cmd|' /C calc'!A0");
        assert_eq!(hostile[col("lead_funder")], "'@SUM(1+1)");
        assert_eq!(hostile[col("implementers")], "'\tTabbed org; \rReturn org");
        assert_eq!(hostile[col("budget")], "0");
        assert_eq!(rows[0][col("budget")], "1200000.5");
        assert_eq!(rows[0][col("start_date")], "2019-03-15");
        assert_eq!(
            rows[0][col("title")],
            "Appui à la réintégration des migrants de retour"
        );
    }

    #[test]
    fn neutralise_covers_every_trigger() {
        for trigger in ["=1+1", "+1", "-1", "@x", "\tx", "\rx"] {
            assert_eq!(neutralise(trigger), format!("'{trigger}"));
        }
        for safe in ["1", "a=b", "'quoted", "", " =space first"] {
            assert_eq!(neutralise(safe), safe);
        }
    }
}
