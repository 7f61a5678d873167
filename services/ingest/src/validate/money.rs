//! Funders, implementers, budget and currency.

use chrono::{Datelike, NaiveDate};

use super::ctx::{RowCtx, cell_text};
use crate::parse::amount::{ParsedAmount, parse_amount};
use crate::parse::codes::{Funder, code, funder};
use jvap_record::catalogue;
use jvap_record::reference::{EUR_RATES, eur_rate, partner};
use jvap_record::text::split_organisations;

pub(super) struct Money {
    pub lead_funder: Option<String>,
    pub other_funders: Vec<String>,
    pub funder_category: Option<String>,
    pub implementers: Vec<String>,
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub budget_eur: Option<f64>,
}

pub(super) fn check(ctx: &mut RowCtx, is_project: bool, start: Option<NaiveDate>) -> Money {
    let lead = optional_for_policies(ctx, "lead_funder", is_project).map(|v| funder(&cell_text(v)));
    let funder_category = category(ctx, lead.as_ref());
    let implementers = optional_for_policies(ctx, "implementers", is_project)
        .map(|v| split_organisations(&cell_text(v)))
        .unwrap_or_default();
    let (budget, currency) = budget(ctx, is_project);
    Money {
        lead_funder: lead.map(funder_name),
        other_funders: other_funders(ctx),
        funder_category,
        implementers,
        budget_eur: to_eur(budget, currency.as_deref(), start),
        budget,
        currency,
    }
}

/// The budget in euros at the start year's rate (`reference::eur_rate`).
fn to_eur(budget: Option<f64>, currency: Option<&str>, start: Option<NaiveDate>) -> Option<f64> {
    Some(budget? / eur_rate(currency?, start?.year())?)
}

/// Required for projects, optional otherwise.
fn optional_for_policies<'a>(
    ctx: &mut RowCtx<'a>,
    key: &str,
    is_project: bool,
) -> Option<&'a crate::sheet::CellValue> {
    if is_project {
        ctx.required(key)
    } else {
        ctx.value(key)
    }
}

fn funder_name(funder: Funder) -> String {
    match funder {
        Funder::Partner(code) => code.to_string(),
        Funder::Other(name) => name,
    }
}

fn other_funders(ctx: &mut RowCtx) -> Vec<String> {
    let Some(written) = ctx.text("other_funders") else {
        return vec![];
    };
    split_organisations(&written)
        .iter()
        .map(|name| funder_name(funder(name)))
        .collect()
}

/// The funder category as written, or the lead funder's when it is a known partner.
fn category(ctx: &mut RowCtx, lead: Option<&Funder>) -> Option<String> {
    if let Some(written) = ctx.text("funder_category") {
        let found = code("funder_category", &written);
        if found.is_none() {
            ctx.report_not_listed("funder_category", "funder_category", &written);
        }
        return found.map(String::from);
    }
    match lead? {
        Funder::Partner(code) => partner(code).map(|p| p.funder_category.clone()),
        Funder::Other(_) => None,
    }
}

/// The budget and its currency: from the currency column, the amount's own symbol or code, or the
/// budget header (`Budget (EUR)`); EUR assumed with a warning when none says.
fn budget(ctx: &mut RowCtx, is_project: bool) -> (Option<f64>, Option<String>) {
    let column = currency_column(ctx);
    let Some(amount) = amount(ctx, is_project) else {
        return (None, column.flatten());
    };
    let currency = match (column, amount.currency) {
        (Some(Some(column)), Some(text)) if column != text => {
            ctx.report(&catalogue::CURRENCY_CONFLICT, "budget", &text);
            Some(column)
        }
        (Some(column), _) => column,
        (None, Some(text)) => known_currency(ctx, text),
        (None, None) => Some(assumed_currency(ctx)),
    };
    (Some(amount.value), currency)
}

/// The budget read as an amount: negative is an error, ambiguous separators are flagged.
fn amount(ctx: &mut RowCtx, is_project: bool) -> Option<ParsedAmount> {
    let value = optional_for_policies(ctx, "budget", is_project)?;
    let written = value.display();
    let Some(amount) = parse_amount(value) else {
        ctx.report(&catalogue::AMOUNT_UNPARSEABLE, "budget", &written);
        return None;
    };
    if amount.value < 0.0 {
        ctx.report(&catalogue::AMOUNT_NEGATIVE, "budget", &written);
    }
    if amount.ambiguous {
        ctx.report(&catalogue::AMOUNT_AMBIGUOUS, "budget", &written);
    }
    Some(amount)
}

/// The currency column's value: `None` when empty, `Some(None)` when written but not convertible.
fn currency_column(ctx: &mut RowCtx) -> Option<Option<String>> {
    let written = ctx.text("currency")?;
    let code = written.to_ascii_uppercase();
    if EUR_RATES.contains_key(&code) {
        return Some(Some(code));
    }
    ctx.report(&catalogue::CURRENCY_UNKNOWN, "currency", &written);
    Some(None)
}

/// A currency named in the amount's text must be one we can convert.
fn known_currency(ctx: &mut RowCtx, code: String) -> Option<String> {
    if EUR_RATES.contains_key(&code) {
        return Some(code);
    }
    ctx.report(&catalogue::CURRENCY_UNKNOWN, "budget", &code);
    None
}

/// The header's currency (`Budget (EUR)`), or EUR with a warning.
fn assumed_currency(ctx: &mut RowCtx) -> String {
    if let Some(code) = ctx.header.budget_currency.clone() {
        return code;
    }
    let key = if ctx.header.column("currency").is_some() {
        "currency"
    } else {
        "budget"
    };
    ctx.report(&catalogue::CURRENCY_ASSUMED_EUR, key, "");
    "EUR".to_string()
}
