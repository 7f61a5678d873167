//! Countries by English or French name, common alias, ISO alpha-2 or alpha-3, normalised to alpha-3.
//!
//! Three sources, in order: the partner list (`reference::PARTNERS`), our alias list
//! (`schemas/reference/country_aliases.csv`), and every other ISO 3166-1 country from the `celes` crate.

use std::collections::HashMap;
use std::sync::LazyLock;

use celes::LookupTable;

use crate::reference::{PARTNERS, Partner};
use crate::text::{KnownNames, fold};

/// A country recognised in a cell.
#[derive(Debug, Clone)]
pub struct Country {
    pub iso3: String,
    /// The partner entry when the country is a Rabat or Khartoum Process partner.
    pub partner: Option<&'static Partner>,
    /// The English name, for messages.
    pub name_en: String,
}

impl Country {
    pub fn is_partner(&self) -> bool {
        self.partner.is_some()
    }

    /// The partner's `region` code, `None` outside the partner list.
    pub fn region(&self) -> Option<&'static str> {
        self.partner.map(|p| p.region.as_str())
    }
}

/// Recognise one country name or code. `None` for anything unknown (`Atlantis`).
pub fn find_country(s: &str) -> Option<Country> {
    let iso3 = INDEX.get(&fold(s))?;
    let partner = PARTNERS.iter().find(|p| p.is_country() && p.code == *iso3);
    let name_en = match partner {
        Some(p) => p.name_en.clone(),
        None => celes::Country::from_alpha3(iso3)
            .ok()?
            .long_name
            .to_string(),
    };
    Some(Country {
        iso3: iso3.clone(),
        partner,
        name_en,
    })
}

/// The country names that hold a `,` or `/` (`"Korea, Republic of"`), for
/// [`crate::text::split_known`]: a list of countries is split around them, never through them.
pub fn list_names() -> &'static KnownNames {
    &LIST_NAMES
}

static LIST_NAMES: LazyLock<KnownNames> = LazyLock::new(|| {
    let names: Vec<(String, String)> = partner_names()
        .chain(alias_names())
        .chain(iso_names())
        .collect();
    KnownNames::new(names.iter().map(|(name, _)| name.as_str()))
});

/// Folded name or code to alpha-3; earlier sources win over later ones.
static INDEX: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for (name, iso3) in partner_names().chain(alias_names()).chain(iso_names()) {
        let key = fold(&name);
        if !key.is_empty() {
            index.entry(key).or_insert(iso3);
        }
    }
    index
});

fn partner_names() -> impl Iterator<Item = (String, String)> {
    PARTNERS.iter().filter(|p| p.is_country()).flat_map(|p| {
        [&p.code, &p.iso2, &p.name_en, &p.name_fr].map(|name| (name.clone(), p.code.clone()))
    })
}

fn alias_names() -> impl Iterator<Item = (String, String)> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(include_str!("../../../schemas/reference/country_aliases.csv").as_bytes())
        .into_records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((r.get(0)?.to_string(), r.get(1)?.to_string())))
        .collect::<Vec<_>>()
        .into_iter()
}

fn iso_names() -> impl Iterator<Item = (String, String)> {
    celes::Country::get_countries().into_iter().flat_map(|c| {
        let names = [c.alpha3, c.alpha2, c.long_name]
            .into_iter()
            .chain(c.aliases.iter().copied());
        names
            .map(|name| (name.to_string(), c.alpha3.to_string()))
            .collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso3(s: &str) -> Option<String> {
        find_country(s).map(|c| c.iso3)
    }

    #[test]
    fn partners_are_found_by_english_and_french_name_and_iso_codes() {
        assert_eq!(iso3("Senegal"), Some("SEN".into()));
        assert_eq!(iso3("Sénégal"), Some("SEN".into()));
        assert_eq!(iso3("SENEGAL"), Some("SEN".into()));
        assert_eq!(iso3("sn"), Some("SEN".into()));
        assert_eq!(iso3("sen"), Some("SEN".into()));
        assert_eq!(iso3("Allemagne"), Some("DEU".into()));
        assert_eq!(iso3("Ethiopie"), Some("ETH".into()));
        assert_eq!(iso3("République démocratique du Congo"), Some("COD".into()));
        assert_eq!(iso3("Congo"), Some("COG".into()));
        assert!(find_country("Mali").is_some_and(|c| c.is_partner()));
    }

    #[test]
    fn common_aliases_are_found_from_our_alias_list() {
        for (alias, code) in [
            ("Ivory Coast", "CIV"),
            ("RDC", "COD"),
            ("DRC", "COD"),
            ("Congo-Kinshasa", "COD"),
            ("The Gambia", "GMB"),
            ("Cape Verde", "CPV"),
            ("Cap Vert", "CPV"),
            ("Guinée Bissau", "GNB"),
            ("Tchad", "TCD"),
            ("Sao Tome", "STP"),
            ("eSwatini", "SWZ"),
            ("UK", "GBR"),
            ("Great Britain", "GBR"),
            ("Holland", "NLD"),
            ("Cote d'Ivoire", "CIV"),
        ] {
            assert_eq!(iso3(alias).as_deref(), Some(code), "{alias}");
        }
    }

    #[test]
    fn real_countries_outside_the_partner_list_are_found_but_not_partners() {
        let burundi = find_country("Burundi").expect("a real country");
        assert_eq!(burundi.iso3, "BDI");
        assert!(!burundi.is_partner());
        assert_eq!(burundi.region(), None);
        assert_eq!(iso3("Brazil"), Some("BRA".into()));
        assert_eq!(iso3("RW"), Some("RWA".into()));
        assert!(
            !find_country("Eswatini")
                .expect("a real country")
                .is_partner()
        );
    }

    #[test]
    fn partner_regions_come_from_the_partner_list() {
        assert_eq!(
            find_country("Niger").and_then(|c| c.region()),
            Some("west_africa")
        );
        assert_eq!(
            find_country("Kenya").and_then(|c| c.region()),
            Some("east_africa")
        );
    }

    #[test]
    fn names_written_with_a_comma_are_found_whole() {
        for (name, code) in [
            ("Korea, Republic of", "KOR"),
            ("Congo, The Democratic Republic of the", "COD"),
            ("Tanzania, United Republic of", "TZA"),
            ("Gambia, The", "GMB"),
            ("Corée, République de", "KOR"),
        ] {
            assert_eq!(iso3(name).as_deref(), Some(code), "{name}");
        }
        let split = crate::text::split_known("Korea, Republic of, Senegal", list_names());
        assert_eq!(split, vec!["Korea, Republic of", "Senegal"]);
    }

    #[test]
    fn unknown_names_and_organisations_are_not_countries() {
        assert_eq!(iso3("Atlantis"), None);
        assert_eq!(iso3(""), None);
        assert_eq!(iso3("EU"), None);
        assert_eq!(iso3("IOM"), None);
    }
}
