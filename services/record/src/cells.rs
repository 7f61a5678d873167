//! A record's fields as table cells, for the dataset's workbook and CSV: [`Initiative::cells`].
//!
//! Texts become [`Cell::Text`], dates [`Cell::Date`], amounts [`Cell::Number`]; none, an empty text
//! and an empty list [`Cell::Empty`]; a list one text joined with [`LIST_SEPARATOR`]. `source` has
//! no cell: the table writes it in its own columns.

use chrono::NaiveDate;

use crate::record::Initiative;

/// Lists are joined with this in one cell.
pub const LIST_SEPARATOR: &str = "; ";

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    fn text(text: &str) -> Cell {
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text.to_string())
        }
    }

    fn optional_text(text: Option<&String>) -> Cell {
        text.map_or(Cell::Empty, |text| Cell::text(text))
    }

    /// The items joined (an empty item too, so the cell splits back into the same list).
    fn list(items: &[String]) -> Cell {
        Cell::text(&items.join(LIST_SEPARATOR))
    }

    /// JSON has no NaN or infinity: like the JSON dataset, they are no value.
    fn number(number: Option<f64>) -> Cell {
        match number {
            Some(n) if n.is_finite() => Cell::Number(n),
            _ => Cell::Empty,
        }
    }
}

/// How many cells [`Initiative::cells`] gives: every field but `source`.
pub const CELLS: usize = 24;

impl Initiative {
    /// Every field but `source`, by its key (the keys of `schemas/fields.csv`, and `budget_eur`),
    /// in declaration order.
    pub fn cells(&self) -> [(&'static str, Cell); CELLS] {
        [
            (
                "partner_ref",
                Cell::optional_text(self.partner_ref.as_ref()),
            ),
            ("initiative_type", Cell::text(&self.initiative_type)),
            ("title", Cell::text(&self.title)),
            (
                "description",
                Cell::optional_text(self.description.as_ref()),
            ),
            ("status", Cell::text(&self.status)),
            ("start_date", Cell::Date(self.start_date)),
            ("end_date", self.end_date.map_or(Cell::Empty, Cell::Date)),
            ("jvap_domains", Cell::list(&self.jvap_domains)),
            ("primary_domain", Cell::text(&self.primary_domain)),
            ("jvap_priorities", Cell::list(&self.jvap_priorities)),
            (
                "marrakesh_objectives",
                Cell::list(&self.marrakesh_objectives),
            ),
            ("countries", Cell::list(&self.countries)),
            ("geographic_scope", Cell::text(&self.geographic_scope)),
            (
                "lead_funder",
                Cell::optional_text(self.lead_funder.as_ref()),
            ),
            ("other_funders", Cell::list(&self.other_funders)),
            (
                "funder_category",
                Cell::optional_text(self.funder_category.as_ref()),
            ),
            ("implementers", Cell::list(&self.implementers)),
            ("budget", Cell::number(self.budget)),
            ("currency", Cell::optional_text(self.currency.as_ref())),
            ("budget_eur", Cell::number(self.budget_eur)),
            ("target_groups", Cell::list(&self.target_groups)),
            ("website", Cell::optional_text(self.website.as_ref())),
            (
                "contact_email",
                Cell::optional_text(self.contact_email.as_ref()),
            ),
            ("jvap_id", Cell::optional_text(self.jvap_id.as_ref())),
        ]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::{FIELDS, SourceRef};

    /// An initiative with every kind of cell, from row 7 of sheet `Initiatives`.
    pub(crate) fn record() -> Initiative {
        Initiative {
            partner_ref: None,
            initiative_type: "project".into(),
            title: "Border management".into(),
            description: Some(String::new()),
            status: "ongoing".into(),
            start_date: NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date"),
            end_date: None,
            jvap_domains: vec!["D1".into(), "D3".into()],
            primary_domain: "D1".into(),
            jvap_priorities: vec![],
            marrakesh_objectives: vec![],
            countries: vec!["NER".into(), "MLI".into()],
            geographic_scope: "national".into(),
            lead_funder: Some("EU".into()),
            other_funders: vec!["DEU".into(), String::new(), "ITA".into()],
            funder_category: None,
            implementers: vec![],
            budget: Some(1200.5),
            currency: Some("EUR".into()),
            budget_eur: Some(f64::NAN),
            target_groups: vec![],
            website: None,
            contact_email: None,
            jvap_id: None,
            source: SourceRef {
                sheet: Some("Initiatives".into()),
                row: 7,
            },
        }
    }

    #[test]
    fn every_field_but_source_has_a_cell_in_declaration_order() {
        let json = serde_json::to_value(record()).expect("a record serialises");
        let keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "source")
            .collect();
        let cells = record().cells();
        let mut names: Vec<&str> = cells.iter().map(|(k, _)| *k).collect();
        names.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(names, keys);
        for field in FIELDS.iter() {
            assert!(names.contains(&field.key.as_str()), "{}", field.key);
        }
    }

    #[test]
    fn texts_lists_dates_and_amounts_become_cells_and_nothing_is_empty() {
        let cells = record().cells();
        let cell = |key: &str| {
            cells
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, c)| c.clone())
        };
        assert_eq!(cell("title"), Some(Cell::Text("Border management".into())));
        assert_eq!(cell("description"), Some(Cell::Empty));
        assert_eq!(cell("partner_ref"), Some(Cell::Empty));
        assert_eq!(
            cell("start_date"),
            Some(Cell::Date(
                NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date")
            ))
        );
        assert_eq!(cell("end_date"), Some(Cell::Empty));
        assert_eq!(cell("countries"), Some(Cell::Text("NER; MLI".into())));
        assert_eq!(cell("other_funders"), Some(Cell::Text("DEU; ; ITA".into())));
        assert_eq!(cell("implementers"), Some(Cell::Empty));
        assert_eq!(cell("budget"), Some(Cell::Number(1200.5)));
        assert_eq!(cell("budget_eur"), Some(Cell::Empty));
    }
}
