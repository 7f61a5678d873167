//! One data row: its cells by field, the issues found in it, and the record it becomes.

use super::ctx::RowCtx;
use super::{basics, contact, dates, domains, money, places};
use jvap_record::catalogue;
use jvap_record::record::{Initiative, SourceRef};

/// Check every rule on a row; the record when no error was found.
pub(super) fn check_row(ctx: &mut RowCtx) -> Option<Initiative> {
    let basics = basics::check(ctx);
    let dates = dates::check(ctx, basics.is_project());
    let domains = domains::check(ctx);
    let places = places::check(ctx);
    let money = money::check(ctx, basics.is_project(), dates.start);
    let contact = contact::check(ctx);
    cell_warnings(ctx);
    if ctx.failed {
        return None;
    }
    Some(Initiative {
        partner_ref: basics.partner_ref,
        initiative_type: basics.initiative_type?.to_string(),
        title: basics.title?,
        description: basics.description,
        status: basics.status?.to_string(),
        start_date: dates.start?,
        end_date: dates.end,
        jvap_domains: domains.domains,
        primary_domain: domains.primary?.to_string(),
        jvap_priorities: domains.priorities,
        marrakesh_objectives: domains.objectives,
        countries: places.countries,
        geographic_scope: places.scope?,
        lead_funder: money.lead_funder,
        other_funders: money.other_funders,
        funder_category: money.funder_category,
        implementers: money.implementers,
        budget: money.budget,
        currency: money.currency,
        budget_eur: money.budget_eur,
        target_groups: contact.target_groups,
        website: contact.website,
        contact_email: contact.email,
        jvap_id: basics.jvap_id,
        source: SourceRef {
            sheet: ctx.sheet.map(String::from),
            row: ctx.row.number,
        },
    })
}

/// Warn about merged and formula cells in the row's known columns.
fn cell_warnings(ctx: &mut RowCtx) {
    // Most rows have neither: nothing to look up, sort or display.
    if !ctx.row.cells.iter().any(|c| c.merged || c.formula) {
        return;
    }
    let mut columns: Vec<(usize, &'static str)> = ctx
        .header
        .columns
        .iter()
        .map(|(key, col)| (*col, *key))
        .collect();
    columns.sort_unstable();
    for (_, key) in columns {
        let Some(cell) = ctx.cell(key) else {
            continue;
        };
        if cell.value.is_empty() {
            if cell.formula {
                ctx.report(&catalogue::CELL_FORMULA_UNCALCULATED, key, "");
            }
            continue;
        }
        if !cell.merged && !cell.formula {
            continue;
        }
        let shown = cell.value.display();
        if cell.merged {
            ctx.report(&catalogue::CELL_MERGED, key, &shown);
        }
        if cell.formula {
            ctx.report(&catalogue::CELL_FORMULA, key, &shown);
        }
    }
}
