//! The record: one initiative, defined once.
//!
//! The fields, their EN and FR headers, synonyms, requirement and rule text live in `schemas/fields.csv`,
//! which is embedded here. Everything else (template, header matching, validation, workbook, JSON, docs)
//! reads [`FIELDS`]. [`Initiative`] is the normalised record; a test checks that its keys are exactly the
//! keys of `fields.csv` (plus the derived `budget_eur` and `source`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The record definition, in template column order.
pub static FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
    parse_fields(include_str!("../../../schemas/fields.csv"))
        .expect("schemas/fields.csv is well-formed")
});

/// One column of the template.
#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub key: String,
    pub header_en: String,
    pub header_fr: String,
    pub required: Required,
    pub kind: Kind,
    /// The code list (in `reference/codes.csv`) a `code` or `codes` field takes its values from.
    #[serde(deserialize_with = "empty_as_none")]
    pub list: Option<String>,
    /// Other headers partners use for this column, EN or FR, separated by `|` in the CSV.
    #[serde(deserialize_with = "pipe_list")]
    pub synonyms: Vec<String>,
    pub rule_en: String,
    pub rule_fr: String,
}

/// When a field must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Required {
    Yes,
    No,
    /// Required when the initiative is a project.
    Projects,
    /// Required when a budget is given.
    WithBudget,
    /// Required when more than one domain is given.
    MultiDomain,
}

/// What kind of value a field holds, which decides how it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Code,
    Codes,
    Date,
    Domains,
    Domain,
    Priorities,
    Objectives,
    Countries,
    Funder,
    List,
    Amount,
    Currency,
    Url,
    Email,
    /// A JVAP id (`JVAP-000123`, [`crate::ids`]).
    JvapId,
}

impl Field {
    /// The header in the given language.
    pub fn header(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::En => &self.header_en,
            crate::Lang::Fr => &self.header_fr,
        }
    }

    /// The rule in the given language.
    pub fn rule(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::En => &self.rule_en,
            crate::Lang::Fr => &self.rule_fr,
        }
    }
}

/// The field with this key. Panics on an unknown key: keys are compile-time knowledge of the code.
pub fn field(key: &str) -> &'static Field {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key:?} in schemas/fields.csv"))
}

/// The template column letter(s) of a field, A for the first.
pub fn column_index(key: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.key == key)
}

fn parse_fields(text: &str) -> Result<Vec<Field>, csv::Error> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect()
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.trim().is_empty()).then(|| s.trim().to_string()))
}

fn pipe_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(s.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect())
}

/// Where a record came from in the partner's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The sheet name; null for CSV.
    pub sheet: Option<String>,
    /// The 1-based sheet row (for CSV, the record number with the header as row 1).
    pub row: u32,
}

/// One initiative, normalised. Field names are the keys of `schemas/fields.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Initiative {
    pub partner_ref: Option<String>,
    /// `project` or `policy`.
    pub initiative_type: String,
    pub title: String,
    pub description: Option<String>,
    /// `planned`, `ongoing`, `completed` or `suspended`.
    pub status: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Domain codes `D1`..`D5`, in the order given, without repeats.
    pub jvap_domains: Vec<String>,
    pub primary_domain: String,
    /// Priority codes such as `1.2`.
    pub jvap_priorities: Vec<String>,
    /// Objective codes `O1`..`O10`.
    pub marrakesh_objectives: Vec<String>,
    /// ISO 3166-1 alpha-3 codes.
    pub countries: Vec<String>,
    /// A `geographic_scope` code, derived from the countries when the partner left it empty.
    pub geographic_scope: String,
    /// The partner code when the funder is a known partner (e.g. `EU`, `DEU`), otherwise the name as written.
    pub lead_funder: Option<String>,
    pub other_funders: Vec<String>,
    /// A `funder_category` code; derived from the lead funder when it is a known partner.
    pub funder_category: Option<String>,
    pub implementers: Vec<String>,
    pub budget: Option<f64>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// The budget converted to euros at the start year's rate (`reference/eur_rates.csv`).
    pub budget_eur: Option<f64>,
    /// `target_group` codes.
    pub target_groups: Vec<String>,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    /// The JVAP id (`JVAP-000123`): as the partner wrote it back (validated, in its canonical form),
    /// or as aggregation gave it when the initiative entered the database; none in a file's new row.
    #[serde(default)]
    pub jvap_id: Option<String>,
    pub source: SourceRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_csv_defines_the_twenty_three_template_columns_in_order() {
        let keys: Vec<&str> = FIELDS.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys.len(), 23);
        assert_eq!(keys[0], "partner_ref");
        assert_eq!(keys[2], "title");
        assert_eq!(keys[21], "contact_email");
        assert_eq!(keys[22], "jvap_id");
    }

    #[test]
    fn initiative_serialises_exactly_the_fields_plus_derived_keys() {
        let record = Initiative {
            partner_ref: None,
            initiative_type: "project".into(),
            title: "t".into(),
            description: None,
            status: "ongoing".into(),
            start_date: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            end_date: None,
            jvap_domains: vec![],
            primary_domain: "D1".into(),
            jvap_priorities: vec![],
            marrakesh_objectives: vec![],
            countries: vec![],
            geographic_scope: "national".into(),
            lead_funder: None,
            other_funders: vec![],
            funder_category: None,
            implementers: vec![],
            budget: None,
            currency: None,
            budget_eur: None,
            target_groups: vec![],
            website: None,
            contact_email: None,
            jvap_id: None,
            source: SourceRef {
                sheet: None,
                row: 2,
            },
        };
        let value = serde_json::to_value(&record).unwrap();
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        let mut expected: Vec<String> = FIELDS.iter().map(|f| f.key.clone()).collect();
        expected.push("budget_eur".into());
        expected.push("source".into());
        keys.sort();
        expected.sort();
        assert_eq!(keys, expected);
    }
}
