//! One data row: its cells by field, the issues found in it, and the record it becomes.

use super::header::Header;
use super::{basics, contact, dates, domains, issue_in, money, places};
use crate::catalogue::{self, IssueKind};
use crate::record::{Initiative, SourceRef, field};
use crate::report::{Issue, Severity};
use crate::sheet::{Cell, CellValue, Row};

/// The context every rule works in: where the row is, its cells, and what has been found so far.
pub(super) struct RowCtx<'a> {
    pub sheet: Option<&'a str>,
    pub row: &'a Row,
    pub header: &'a Header,
    pub references: &'a mut super::References,
    pub issues: Vec<Issue>,
    /// An error was found: the row yields no record.
    pub failed: bool,
}

impl<'a> RowCtx<'a> {
    pub fn new(
        sheet: Option<&'a str>,
        row: &'a Row,
        header: &'a Header,
        references: &'a mut super::References,
    ) -> Self {
        RowCtx {
            sheet,
            row,
            header,
            references,
            issues: vec![],
            failed: false,
        }
    }

    /// The cell of a field, if the sheet has the column.
    pub fn cell(&self, key: &str) -> Option<&'a Cell> {
        let col = self.header.column(key)?;
        self.row.get(col)
    }

    /// The non-empty value of a field.
    pub fn value(&self, key: &str) -> Option<&'a CellValue> {
        self.cell(key).map(|c| &c.value).filter(|v| !v.is_empty())
    }

    /// The non-empty value of a field as trimmed text (dates as ISO, numbers as written).
    pub fn text(&self, key: &str) -> Option<String> {
        self.value(key).map(cell_text)
    }

    /// The value of a required field; reports `value.required` when the cell is empty. A missing
    /// column was reported once for the sheet: the row fails without a second issue.
    pub fn required(&mut self, key: &str) -> Option<&'a CellValue> {
        if self.header.column(key).is_none() {
            self.failed = true;
            return None;
        }
        let value = self.value(key);
        if value.is_none() {
            let f = field(key);
            let (en, fr) = (
                format!("\"{}\"", f.header_en),
                format!("« {} »", f.header_fr),
            );
            self.report_in(&catalogue::VALUE_REQUIRED, key, &en, &fr);
        }
        value
    }

    /// Report an issue at a field's cell (or at the row when the column is absent).
    pub fn report(&mut self, kind: &IssueKind, key: &str, detail: &str) {
        self.report_in(kind, key, detail, detail);
    }

    /// Report an issue whose detail differs by language.
    pub fn report_in(&mut self, kind: &IssueKind, key: &str, en: &str, fr: &str) {
        let mut issue = issue_in(kind, en, fr).column(key);
        match self.header.column(key) {
            Some(col) => issue = issue.at(self.sheet, self.row.number, col),
            None => {
                issue.sheet = self.sheet.map(String::from);
                issue.row = Some(self.row.number);
            }
        }
        if let Some(value) = self.value(key) {
            issue = issue.value(value.display());
        }
        self.failed |= issue.severity == Severity::Error;
        self.issues.push(issue);
    }
}

/// A cell's value as text for text fields: trimmed, dates as ISO.
pub(super) fn cell_text(value: &CellValue) -> String {
    match value {
        CellValue::Date(d) => d.to_string(),
        other => other.display().trim().to_string(),
    }
}

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
        let Some(cell) = ctx.cell(key).filter(|c| !c.value.is_empty()) else {
            continue;
        };
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
