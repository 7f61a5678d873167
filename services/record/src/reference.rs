//! The reference code lists, embedded from `schemas/reference/` (copies of the Secretariat's lists).
//!
//! Nothing here is retyped: each list is parsed once from its CSV on first use.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// A partner of the Rabat and/or Khartoum Process: a country or an organisation.
#[derive(Debug, Clone, Deserialize)]
pub struct Partner {
    /// ISO alpha-3 for countries (`SEN`), an acronym for organisations (`EU`, `IOM`).
    pub code: String,
    /// `country` or `organisation`.
    pub kind: String,
    /// ISO alpha-2 for countries, empty for organisations.
    pub iso2: String,
    pub name_en: String,
    pub name_fr: String,
    /// A `region` code for countries, empty for organisations.
    pub region: String,
    /// `rabat`, `khartoum` or `rabat;khartoum`.
    pub processes: String,
    pub status: String,
    /// A `funder_category` code.
    pub funder_category: String,
}

impl Partner {
    pub fn is_country(&self) -> bool {
        self.kind == "country"
    }
}

/// A JVAP domain, D1..D5.
#[derive(Debug, Clone, Deserialize)]
pub struct Domain {
    pub code: String,
    pub number: u8,
    pub name_en: String,
    pub name_fr: String,
}

/// A Marrakesh Action Plan objective, O1..O10, named in both languages (the file's header says
/// which French names are the Rabat Process's own and which the project's translation).
#[derive(Debug, Clone, Deserialize)]
pub struct Objective {
    pub code: String,
    pub domain: String,
    pub actions: u8,
    pub name_en: String,
    pub name_fr: String,
}

/// One entry of a code list in `codes.csv` (initiative_type, status, geographic_scope, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct Code {
    pub list: String,
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
}

pub static PARTNERS: LazyLock<Vec<Partner>> =
    LazyLock::new(|| parse(include_str!("../../../schemas/reference/partners.csv")));
pub static DOMAINS: LazyLock<Vec<Domain>> =
    LazyLock::new(|| parse(include_str!("../../../schemas/reference/jvap_domains.csv")));
pub static OBJECTIVES: LazyLock<Vec<Objective>> = LazyLock::new(|| {
    parse(include_str!(
        "../../../schemas/reference/marrakesh_objectives.csv"
    ))
});
pub static CODES: LazyLock<Vec<Code>> =
    LazyLock::new(|| parse(include_str!("../../../schemas/reference/codes.csv")));

/// Units of currency per euro, by currency and year (`eur_rates.csv`).
pub static EUR_RATES: LazyLock<BTreeMap<String, BTreeMap<i32, f64>>> =
    LazyLock::new(|| parse_rates(include_str!("../../../schemas/reference/eur_rates.csv")));

/// The entries of one code list, in file order.
pub fn code_list(list: &str) -> impl Iterator<Item = &'static Code> + use<'_> {
    CODES.iter().filter(move |c| c.list == list)
}

/// The partner with this code.
pub fn partner(code: &str) -> Option<&'static Partner> {
    PARTNERS.iter().find(|p| p.code.eq_ignore_ascii_case(code))
}

/// Units of `currency` per euro for `year`; years outside the table use the nearest year in it.
pub fn eur_rate(currency: &str, year: i32) -> Option<f64> {
    let by_year = EUR_RATES.get(&currency.to_ascii_uppercase())?;
    if let Some(rate) = by_year.get(&year) {
        return Some(*rate);
    }
    let (first, last) = (by_year.first_key_value()?, by_year.last_key_value()?);
    Some(if year < *first.0 { *first.1 } else { *last.1 })
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Vec<T> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("embedded reference CSV is well-formed")
}

fn parse_rates(text: &str) -> BTreeMap<String, BTreeMap<i32, f64>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let years: Vec<i32> = reader
        .headers()
        .expect("eur_rates.csv has a header")
        .iter()
        .skip(1)
        .map(|y| y.parse().expect("eur_rates.csv years are numbers"))
        .collect();
    let mut rates = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("eur_rates.csv is well-formed");
        let by_year = years
            .iter()
            .zip(row.iter().skip(1))
            .map(|(y, r)| (*y, r.parse().expect("eur_rates.csv rates are numbers")))
            .collect();
        rates.insert(row[0].to_string(), by_year);
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lists_load_from_the_embedded_csv() {
        assert_eq!(DOMAINS.len(), 5);
        assert_eq!(OBJECTIVES.len(), 10);
        assert!(PARTNERS.len() > 70);
        assert_eq!(partner("ner").map(|p| p.name_fr.as_str()), Some("Niger"));
        assert_eq!(code_list("status").count(), 4);
    }

    #[test]
    fn eur_rate_uses_the_year_or_the_nearest_year_in_the_table() {
        assert_eq!(eur_rate("USD", 2019), Some(1.1195));
        assert_eq!(eur_rate("usd", 2030), Some(1.0530));
        assert_eq!(eur_rate("USD", 2001), Some(1.1095));
        assert_eq!(eur_rate("EUR", 2020), Some(1.0));
        assert_eq!(eur_rate("ZZZ", 2020), None);
    }
}
