//! Validation: rows to records and issues, following the record definition.
//!
//! # Layout
//! - this file: the entry points, sheet by sheet (skipped sheets, header, missing columns, rows);
//! - [`header`]: finding the header row and mapping its cells to fields;
//! - [`row`]: one data row's context (cells by field, issue reporting) and its record;
//! - one file per rule family: [`basics`] (type, title, status, reference, ...), [`dates`],
//!   [`domains`], [`places`] (countries and scope), [`money`] (funders, budget, currency), [`contact`].

mod basics;
mod contact;
mod dates;
mod domains;
mod header;
mod money;
mod places;
mod row;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::catalogue::{self, IssueKind};
use crate::record::{FIELDS, Required};
use crate::report::{Issue, Report};
use crate::sheet::{Sheet, Visibility};

use header::Header;

/// Bounds that protect the service from hostile or accidental huge input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest upload accepted, in bytes.
    pub max_bytes: u64,
    /// Most data rows in one sheet.
    pub max_rows: u32,
    /// Most bytes the parts of a zip-based workbook may inflate to, in total.
    pub max_inflated_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_rows: 1_048_576,
            max_inflated_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Validate a file with the default limits.
pub fn validate(file_name: &str, bytes: &[u8]) -> Report {
    validate_with(file_name, bytes, &Limits::default())
}

/// Validate a file: read it, find the data sheets and their header rows, check every row.
pub fn validate_with(file_name: &str, bytes: &[u8], limits: &Limits) -> Report {
    match crate::read::read(file_name, bytes, limits) {
        Ok(sheets) => validate_sheets(&sheets),
        Err(error) => Report::file_error(error.issue()),
    }
}

/// What checking the sheets of one file gathers.
#[derive(Default)]
struct Outcome {
    rows: u64,
    data_sheets: usize,
    issues: Vec<Issue>,
    records: Vec<crate::Initiative>,
    /// Partner references seen so far, across sheets: unique within the submission.
    references: HashMap<String, u32>,
}

/// Validate sheets already read (the part of [`validate_with`] after reading).
pub fn validate_sheets(sheets: &[Sheet]) -> Report {
    let mut outcome = Outcome::default();
    for sheet in sheets {
        validate_sheet(sheet, &mut outcome);
    }
    let whole_file = match (outcome.data_sheets, outcome.rows) {
        (0, _) => Some(&catalogue::FILE_NO_HEADER),
        (_, 0) => Some(&catalogue::FILE_EMPTY),
        _ => None,
    };
    if let Some(kind) = whole_file {
        let mut issues = vec![Issue::new(kind, "")];
        issues.append(&mut outcome.issues);
        return Report::from_parts(0, issues, vec![]);
    }
    Report::from_parts(outcome.rows, outcome.issues, outcome.records)
}

fn validate_sheet(sheet: &Sheet, outcome: &mut Outcome) {
    let name = sheet.name.as_deref();
    if sheet.visibility == Visibility::Hidden {
        outcome.issues.push(skipped(name, SKIP_HIDDEN));
        return;
    }
    let Some(mut header) = header::find_header(sheet) else {
        outcome.issues.push(skipped(name, SKIP_NO_HEADER));
        return;
    };
    outcome.data_sheets += 1;
    outcome.issues.append(&mut header.issues);
    let data: Vec<&crate::sheet::Row> = sheet.rows[header.index + 1..]
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.value.is_empty()))
        .collect();
    missing_columns(name, &header, &data, &mut outcome.issues);
    for data_row in data {
        outcome.rows += 1;
        let mut ctx = row::RowCtx::new(name, data_row, &header, &mut outcome.references);
        let record = row::check_row(&mut ctx);
        outcome.issues.append(&mut ctx.issues);
        outcome.records.extend(record);
    }
}

/// Why a sheet is skipped, in English and French.
const SKIP_HIDDEN: (&str, &str) = ("the sheet is hidden", "la feuille est masquée");
const SKIP_NO_HEADER: (&str, &str) = (
    "no row of template column headers in its first 30 rows (instructions, lists or an empty sheet)",
    "aucune ligne d'en-têtes du modèle dans ses 30 premières lignes (instructions, listes ou feuille vide)",
);

fn skipped(sheet: Option<&str>, (en, fr): (&str, &str)) -> Issue {
    let mut issue = issue_in(&catalogue::SHEET_SKIPPED, en, fr);
    issue.sheet = sheet.map(String::from);
    issue
}

/// An issue whose `{detail}` differs by language.
pub(crate) fn issue_in(kind: &IssueKind, en: &str, fr: &str) -> Issue {
    let mut issue = Issue::new(kind, en);
    issue.message_fr = kind.render_fr(fr);
    issue
}

/// Required columns absent from the header. Project-only columns are only missed on a sheet that has
/// projects (a policy sheet needs no budget or end date).
fn missing_columns(
    sheet: Option<&str>,
    header: &Header,
    data: &[&crate::sheet::Row],
    issues: &mut Vec<Issue>,
) {
    let has_projects = data.iter().any(|r| basics::is_project_row(r, header));
    for field in FIELDS.iter() {
        let needed = match field.required {
            Required::Yes => true,
            Required::Projects => has_projects,
            _ => false,
        };
        if needed && header.column(&field.key).is_none() {
            let mut issue = issue_in(
                &catalogue::COLUMN_MISSING,
                &field.header_en,
                &field.header_fr,
            )
            .column(&field.key);
            issue.sheet = sheet.map(String::from);
            issue.row = Some(header.row);
            issues.push(issue);
        }
    }
}
