//! Countries of implementation and the geographic scope.

use super::ctx::{RowCtx, cell_text};
use crate::parse::codes::code;
use jvap_record::catalogue;
use jvap_record::country::{Country, find_country, list_names};
use jvap_record::text::split_known;

pub(super) struct Places {
    /// ISO alpha-3 codes, in the order given, without repeats.
    pub countries: Vec<String>,
    pub scope: Option<String>,
}

pub(super) fn check(ctx: &mut RowCtx) -> Places {
    let countries = countries(ctx);
    let scope = scope(ctx, &countries);
    Places {
        countries: countries.into_iter().map(|c| c.iso3).collect(),
        scope,
    }
}

fn countries(ctx: &mut RowCtx) -> Vec<Country> {
    let Some(value) = ctx.required("countries") else {
        return vec![];
    };
    let written = cell_text(value);
    if let Some(country) = find_country(&written) {
        return vec![accepted(ctx, &written, country)];
    }
    let mut found: Vec<Country> = Vec::new();
    for item in split_known(&written, list_names()) {
        match find_country(item) {
            Some(c) if found.iter().any(|f| f.iso3 == c.iso3) => {}
            Some(c) => found.push(accepted(ctx, item, c)),
            None => ctx.report(&catalogue::COUNTRY_UNKNOWN, "countries", item),
        }
    }
    found
}

/// A recognised country; one outside the partner list is accepted with a warning.
fn accepted(ctx: &mut RowCtx, written: &str, country: Country) -> Country {
    if !country.is_partner() {
        let detail = format!("{written} ({})", country.iso3);
        ctx.report(&catalogue::COUNTRY_NOT_PARTNER, "countries", &detail);
    }
    country
}

/// The scope as written, or derived: one country is national, several in one region regional, several
/// regions (or countries outside the partner list) multi-regional. Bilateral and continental are never
/// derived.
fn scope(ctx: &mut RowCtx, countries: &[Country]) -> Option<String> {
    if let Some(written) = ctx.text("geographic_scope") {
        let found = code("geographic_scope", &written);
        if found.is_none() {
            ctx.report_not_listed("geographic_scope", "geographic_scope", &written);
        }
        return found.map(String::from);
    }
    derive_scope(countries).map(String::from)
}

fn derive_scope(countries: &[Country]) -> Option<&'static str> {
    let first = countries.first()?;
    if countries.len() == 1 {
        return Some("national");
    }
    let one_region =
        first.region().is_some() && countries.iter().all(|c| c.region() == first.region());
    Some(if one_region {
        "regional"
    } else {
        "multi_regional"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_of(names: &[&str]) -> Option<&'static str> {
        let countries: Vec<Country> = names.iter().filter_map(|n| find_country(n)).collect();
        derive_scope(&countries)
    }

    #[test]
    fn scope_is_derived_from_the_countries_regions() {
        assert_eq!(scope_of(&["Niger"]), Some("national"));
        assert_eq!(scope_of(&["Senegal", "Mali"]), Some("regional"));
        assert_eq!(scope_of(&["Morocco", "Tunisia", "Egypt"]), Some("regional"));
        assert_eq!(scope_of(&["Germany", "Ghana"]), Some("multi_regional"));
        assert_eq!(scope_of(&["Burundi", "Rwanda"]), Some("multi_regional"));
        assert_eq!(scope_of(&[]), None);
    }
}
