//! What every rule of a row works with: where the row is, its cells, and what has been found so far.

use super::header::Header;
use super::issue_in;
use crate::sheet::{Cell, CellValue, Row};
use jvap_record::Severity;
use jvap_record::catalogue::{self, IssueKind};
use jvap_record::record::field;
use jvap_record::reference::{Code, code_list};
use jvap_record::report::Issue;

/// Where `code.unknown` lists the allowed values.
const ALLOWED: &str = "{allowed}";

/// The context every rule works in: where the row is, its cells, and what has been found so far.
pub(super) struct RowCtx<'a> {
    pub sheet: Option<&'a str>,
    pub row: &'a Row,
    pub header: &'a Header,
    pub references: &'a mut super::References,
    pub ids: &'a mut super::FileIds,
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
        ids: &'a mut super::FileIds,
    ) -> Self {
        RowCtx {
            sheet,
            row,
            header,
            references,
            ids,
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

    /// Report `code.unknown` for a value outside code list `list`, naming the allowed values in each
    /// language.
    pub fn report_not_listed(&mut self, key: &str, list: &str, written: &str) {
        self.report(&catalogue::CODE_UNKNOWN, key, written);
        let labels =
            |label: fn(&Code) -> &str| code_list(list).map(label).collect::<Vec<_>>().join(", ");
        if let Some(issue) = self.issues.last_mut() {
            issue.message_en = issue
                .message_en
                .replace(ALLOWED, &labels(|c| c.name_en.as_str()));
            issue.message_fr = issue
                .message_fr
                .replace(ALLOWED, &labels(|c| c.name_fr.as_str()));
        }
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
