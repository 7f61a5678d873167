//! The Initiatives table shared by the workbook and the CSV: its columns and each row's cells.
//!
//! Columns: `partner`, every key of [`FIELDS`] in template order, `budget_eur`, `submission_id`,
//! `warnings`, then `source_sheet` and `source_row` (where the row came from in the partner's file).
//! Field cells come from [`jvap_record::Initiative::cells`] by key.

use crate::round::DatasetInitiative;
use jvap_record::record::{FIELDS, Field, Kind};

pub use jvap_record::cells::{Cell, LIST_SEPARATOR};

/// How a column's cells are typed, which decides their format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// Several values joined with [`LIST_SEPARATOR`].
    List,
    Date,
    /// An amount of money.
    Amount,
    /// A whole number (a sheet row).
    Integer,
}

/// One column of the Initiatives table, with its data-dictionary entry.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: &'static str,
    pub column_type: ColumnType,
    pub header_en: &'static str,
    pub header_fr: &'static str,
    pub rule_en: &'static str,
    pub rule_fr: &'static str,
}

impl Column {
    /// The column's header in `lang`: the label of its field in `fields.csv`, or of the derived column.
    pub fn header(&self, lang: jvap_record::Lang) -> &'static str {
        match lang {
            jvap_record::Lang::En => self.header_en,
            jvap_record::Lang::Fr => self.header_fr,
        }
    }
}

/// The columns, in order.
pub fn columns() -> Vec<Column> {
    let mut columns = vec![extra(
        "partner",
        ColumnType::Text,
        ["Partner", "Partenaire"],
        [
            "The code of the partner that reported the initiative",
            "Le code du partenaire qui a déclaré l'initiative",
        ],
    )];
    columns.extend(FIELDS.iter().map(field_column));
    columns.extend([
        extra(
            "budget_eur",
            ColumnType::Amount,
            ["Total budget (EUR)", "Budget total (EUR)"],
            [
                "The budget converted to euros at the start year's rate",
                "Le budget converti en euros au taux de l'année de début",
            ],
        ),
        extra(
            "submission_id",
            ColumnType::Text,
            ["Submission", "Envoi"],
            [
                "The submission this version of the initiative came from",
                "L'envoi dont provient cette version de l'initiative",
            ],
        ),
        extra(
            "warnings",
            ColumnType::List,
            ["Warnings", "Avertissements"],
            [
                "Validation warnings, as code@cell",
                "Avertissements de validation, sous la forme code@cellule",
            ],
        ),
        extra(
            "source_sheet",
            ColumnType::Text,
            ["Source sheet", "Feuille d'origine"],
            [
                "The sheet of the partner's file (empty for CSV)",
                "La feuille du fichier du partenaire (vide pour un CSV)",
            ],
        ),
        extra(
            "source_row",
            ColumnType::Integer,
            ["Source row", "Ligne d'origine"],
            [
                "The row in the partner's file",
                "La ligne dans le fichier du partenaire",
            ],
        ),
    ]);
    columns
}

fn extra(
    key: &'static str,
    column_type: ColumnType,
    [header_en, header_fr]: [&'static str; 2],
    [rule_en, rule_fr]: [&'static str; 2],
) -> Column {
    Column {
        key,
        column_type,
        header_en,
        header_fr,
        rule_en,
        rule_fr,
    }
}

fn field_column(field: &'static Field) -> Column {
    Column {
        key: &field.key,
        column_type: field_type(field.kind),
        header_en: &field.header_en,
        header_fr: &field.header_fr,
        rule_en: &field.rule_en,
        rule_fr: &field.rule_fr,
    }
}

/// The column type of a record field.
pub fn field_type(kind: Kind) -> ColumnType {
    match kind {
        Kind::Codes
        | Kind::Domains
        | Kind::Priorities
        | Kind::Objectives
        | Kind::Countries
        | Kind::List => ColumnType::List,
        Kind::Date => ColumnType::Date,
        Kind::Amount => ColumnType::Amount,
        Kind::Text
        | Kind::Code
        | Kind::Domain
        | Kind::Funder
        | Kind::Currency
        | Kind::Url
        | Kind::Email
        | Kind::JvapId => ColumnType::Text,
    }
}

/// The cells of one initiative, in [`columns`] order.
pub fn row(initiative: &DatasetInitiative) -> Vec<Cell> {
    let mut fields = initiative.record.cells();
    let mut cells = Vec::with_capacity(FIELDS.len() + 6);
    cells.push(text(&initiative.partner));
    cells.extend(FIELDS.iter().map(|f| {
        fields
            .iter_mut()
            .find(|(key, _)| *key == f.key)
            .map_or(Cell::Empty, |(_, cell)| {
                std::mem::replace(cell, Cell::Empty)
            })
    }));
    cells.push(
        initiative
            .record
            .budget_eur
            .map_or(Cell::Empty, Cell::Number),
    );
    cells.push(text(&initiative.submission_id));
    cells.push(text(&initiative.warnings.join(LIST_SEPARATOR)));
    cells.push(
        initiative
            .record
            .source
            .sheet
            .as_deref()
            .map_or(Cell::Empty, text),
    );
    cells.push(Cell::Number(f64::from(initiative.record.source.row)));
    cells
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

#[cfg(test)]
pub(crate) mod readback {
    //! Turning a table row back into an initiative, to check the writers lose nothing.

    use serde_json::{Map, Value, json};

    use super::*;
    use jvap_record::record::SourceRef;

    pub fn initiative(cells: &[Cell]) -> DatasetInitiative {
        let columns = columns();
        assert_eq!(cells.len(), columns.len(), "row width");
        let mut by_key = Map::new();
        for (column, cell) in columns.iter().zip(cells) {
            let value = match (cell, column.column_type) {
                (Cell::Empty, ColumnType::List) => json!([]),
                (Cell::Empty, _) => Value::Null,
                (Cell::Text(s), ColumnType::List) => {
                    json!(s.split(LIST_SEPARATOR).collect::<Vec<_>>())
                }
                (Cell::Text(s), _) => json!(s),
                (Cell::Number(n), ColumnType::Integer) => json!(*n as u32),
                (Cell::Number(n), _) => json!(n),
                (Cell::Date(d), _) => json!(d.to_string()),
            };
            by_key.insert(column.key.to_string(), value);
        }
        let take = |key: &str| by_key.get(key).cloned().unwrap_or(Value::Null);
        let source = SourceRef {
            sheet: take("source_sheet").as_str().map(String::from),
            row: take("source_row").as_u64().expect("source_row") as u32,
        };
        let mut record = Map::new();
        for field in FIELDS.iter() {
            record.insert(field.key.clone(), take(&field.key));
        }
        record.insert("budget_eur".into(), take("budget_eur"));
        record.insert(
            "source".into(),
            serde_json::to_value(source).expect("source"),
        );
        DatasetInitiative {
            partner: take("partner").as_str().unwrap_or_default().to_string(),
            submission_id: take("submission_id")
                .as_str()
                .unwrap_or_default()
                .to_string(),
            record: serde_json::from_value(Value::Object(record)).expect("a record"),
            warnings: serde_json::from_value(take("warnings")).expect("warnings"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_partner_then_fields_then_derived() {
        let keys: Vec<&str> = columns().iter().map(|c| c.key).collect();
        assert_eq!(keys[0], "partner");
        assert_eq!(keys.len(), FIELDS.len() + 6);
        for (i, field) in FIELDS.iter().enumerate() {
            assert_eq!(keys[i + 1], field.key);
        }
        assert_eq!(
            &keys[FIELDS.len() + 1..],
            [
                "budget_eur",
                "submission_id",
                "warnings",
                "source_sheet",
                "source_row"
            ]
        );
    }

    #[test]
    fn every_field_of_a_record_becomes_a_cell_and_reads_back() {
        for initiative in crate::sample::sample() {
            let cells = row(&initiative);
            assert_eq!(readback::initiative(&cells), initiative);
        }
    }
}
