//! The validation report, exactly SPEC section 3 "The report, as data" (`schemas/report.schema.json`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Initiative;
use crate::catalogue::{IssueKind, Severity};
use crate::columns::ColumnRead;

/// The validation report of one file: its verdict, counts, issues and records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub verdict: Verdict,
    pub counts: Counts,
    pub issues: Vec<Issue>,
    /// The rows that passed, for accepted and rejected files alike: one object per initiative with the
    /// fields of `schemas/fields.csv`.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Initiative>,
    /// The mapping used, where it was not the template's: every header cell of a data sheet read by
    /// meaning, as the partner confirmed, repeated, or not placed (with the fields it may be, best
    /// first). Left out when every header is the template's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnRead>,
}

/// What validation made of a file: `rejected` when it found an error, otherwise `accepted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accepted,
    Rejected,
}

/// What validation counted in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    /// Non-empty data rows read, over every data sheet.
    pub rows: u64,
    /// Rows that became records.
    pub records: u64,
    pub errors: u64,
    pub warnings: u64,
}

/// One problem found in a file, located to the cell where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Issue {
    pub severity: Severity,
    /// A machine code of the issue catalogue (listed by `jvap codes` and in the README), e.g.
    /// `date.unparseable`.
    pub code: String,
    /// Null for CSV and for whole-file problems.
    pub sheet: Option<String>,
    /// A1-style cell; null for whole-file problems.
    pub cell: Option<String>,
    /// 1-based sheet row (CSV: record number, header = 1).
    pub row: Option<u32>,
    /// The record key of the column, when the column is a known field.
    pub column: Option<String>,
    /// The value found, as the partner wrote it.
    pub value: Option<String>,
    pub message_en: String,
    pub message_fr: String,
}

impl Issue {
    /// An issue of `kind` with its messages rendered from `detail` (the `{detail}` of the templates).
    pub fn new(kind: &IssueKind, detail: &str) -> Issue {
        Issue {
            severity: kind.severity,
            code: kind.code.to_string(),
            sheet: None,
            cell: None,
            row: None,
            column: None,
            value: None,
            message_en: kind.render_en(detail),
            message_fr: kind.render_fr(detail),
        }
    }

    /// [`Issue::new`] with a detail that differs by language.
    pub fn new_in(kind: &IssueKind, detail_en: &str, detail_fr: &str) -> Issue {
        Issue {
            message_fr: kind.render_fr(detail_fr),
            ..Issue::new(kind, detail_en)
        }
    }

    /// Locate the issue at a cell (0-based column index, 1-based row).
    pub fn at(mut self, sheet: Option<&str>, row: u32, col: usize) -> Issue {
        self.sheet = sheet.map(String::from);
        self.row = Some(row);
        self.cell = Some(cell_name(row, col));
        self
    }

    pub fn column(mut self, key: &str) -> Issue {
        self.column = Some(key.to_string());
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Issue {
        self.value = Some(value.into());
        self
    }

    /// The message in the given language.
    pub fn message(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::En => &self.message_en,
            crate::Lang::Fr => &self.message_fr,
        }
    }
}

impl Report {
    /// A report for a file that could not be read at all: one file-level error, no records.
    pub fn file_error(issue: Issue) -> Report {
        Report::from_parts(0, vec![issue], vec![])
    }

    /// Assemble a report; the verdict and counts follow from the issues and records.
    pub fn from_parts(rows: u64, issues: Vec<Issue>, records: Vec<Initiative>) -> Report {
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count() as u64;
        let warnings = issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
            .count() as u64;
        Report {
            verdict: if errors == 0 {
                Verdict::Accepted
            } else {
                Verdict::Rejected
            },
            counts: Counts {
                rows,
                records: records.len() as u64,
                errors,
                warnings,
            },
            issues,
            records,
            columns: vec![],
        }
    }

    /// Whether the report's errors are all about columns (a required column missing or probably
    /// under another header) and it names a column to place: confirming a mapping may be all the
    /// file needs.
    pub fn needs_mapping(&self) -> bool {
        let column_errors = |issue: &Issue| {
            issue.severity != Severity::Error
                || [
                    crate::catalogue::COLUMN_MISSING.code,
                    crate::catalogue::COLUMN_PROBABLE.code,
                    crate::catalogue::MAPPING_HEADER_MISSING.code,
                ]
                .contains(&issue.code.as_str())
        };
        self.verdict == Verdict::Rejected
            && self.issues.iter().all(column_errors)
            && self.unplaced().next().is_some()
    }

    /// The header cells that were not placed, in order.
    pub fn unplaced(&self) -> impl Iterator<Item = &ColumnRead> {
        self.columns
            .iter()
            .filter(|c| c.read_as == crate::columns::ReadAs::Unknown)
    }
}

/// Where a streaming validation (`jvap_ingest::validate_into`) puts what it finds, as it finds it:
/// issues in report order, records in row order, then the end. A sink that keeps everything makes the
/// [`Report`] ([`CollectSink`]); one that writes records out as they come keeps memory flat.
pub trait ReportSink {
    /// The next issue, in the order of [`Report::issues`].
    fn issue(&mut self, issue: Issue);
    /// The next record, in the order of [`Report::records`].
    fn record(&mut self, record: Initiative);
    /// Forget every issue and record given so far: the file is read again from the start, or it cannot
    /// be read at all (then `finish` brings its one whole-file issue).
    fn reset(&mut self);
    /// The end: `rows` is [`Counts::rows`]; `first`, a whole-file issue that goes before all the others.
    /// Verdict and counts follow from the issues and records, as in [`Report::from_parts`].
    fn finish(&mut self, rows: u64, first: Option<Issue>);
    /// How the header cells of a data sheet were read (the mapping used), once per data sheet, before
    /// its issues. A sink that shows no mapping ignores it.
    fn columns(&mut self, columns: &[ColumnRead]) {
        let _ = columns;
    }
}

/// The sink that keeps everything, for a [`Report`] built in memory.
#[derive(Debug, Default)]
pub struct CollectSink {
    rows: u64,
    issues: Vec<Issue>,
    records: Vec<Initiative>,
    columns: Vec<ColumnRead>,
}

impl CollectSink {
    pub fn into_report(self) -> Report {
        self.into_parts().0
    }

    /// The report and the mapping used: every header cell of every data sheet, in order.
    pub fn into_parts(self) -> (Report, Vec<ColumnRead>) {
        let columns = self.columns;
        let mut report = Report::from_parts(self.rows, self.issues, self.records);
        report.columns = crate::columns::not_exact(&columns);
        (report, columns)
    }
}

impl ReportSink for CollectSink {
    fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
    fn record(&mut self, record: Initiative) {
        self.records.push(record);
    }
    fn reset(&mut self) {
        self.issues.clear();
        self.records.clear();
        self.columns.clear();
    }
    fn finish(&mut self, rows: u64, first: Option<Issue>) {
        self.rows = rows;
        if let Some(first) = first {
            self.issues.insert(0, first);
        }
    }
    fn columns(&mut self, columns: &[ColumnRead]) {
        self.columns.extend_from_slice(columns);
    }
}

/// Verdict and counts as issues and records stream by, for sinks that do not keep them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub counts: Counts,
}

impl Tally {
    pub fn issue(&mut self, issue: &Issue) {
        match issue.severity {
            Severity::Error => self.counts.errors += 1,
            Severity::Warning => self.counts.warnings += 1,
            Severity::Info => {}
        }
    }
    pub fn record(&mut self) {
        self.counts.records += 1;
    }
    pub fn verdict(&self) -> Verdict {
        if self.counts.errors == 0 {
            Verdict::Accepted
        } else {
            Verdict::Rejected
        }
    }
}

/// Each record with the warnings of its row, written `code@CELL` (just the code when the issue has
/// no cell): what a dataset row carries. This is the one join of a report's records and issues: the
/// aggregation service and `jvap consolidate` (through `jvap_outputs::DatasetInitiative`) both use
/// it, so the same file gives the same dataset rows.
pub fn with_warnings(
    records: impl IntoIterator<Item = Initiative>,
    issues: &[Issue],
) -> impl Iterator<Item = (Initiative, Vec<String>)> {
    let mut by_row: HashMap<(Option<String>, u32), Vec<String>> = HashMap::new();
    for issue in issues.iter().filter(|i| i.severity == Severity::Warning) {
        let Some(row) = issue.row else { continue };
        let text = match &issue.cell {
            Some(cell) => format!("{}@{cell}", issue.code),
            None => issue.code.clone(),
        };
        by_row
            .entry((issue.sheet.clone(), row))
            .or_default()
            .push(text);
    }
    records.into_iter().map(move |record| {
        let warnings = by_row
            .remove(&(record.source.sheet.clone(), record.source.row))
            .unwrap_or_default();
        (record, warnings)
    })
}

/// A1-style name of a cell: 0-based column, 1-based row. `cell_name(7, 2)` is `C7`.
pub fn cell_name(row: u32, col: usize) -> String {
    format!("{}{row}", column_letters(col))
}

/// Spreadsheet column letters for a 0-based column index: 0 is `A`, 26 is `AA`.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names_follow_spreadsheet_letters() {
        assert_eq!(cell_name(7, 2), "C7");
        assert_eq!(cell_name(1, 25), "Z1");
        assert_eq!(cell_name(1, 26), "AA1");
        assert_eq!(cell_name(3, 701), "ZZ3");
    }

    fn issue(
        severity: Severity,
        code: &str,
        sheet: Option<&str>,
        cell: Option<&str>,
        row: Option<u32>,
    ) -> Issue {
        Issue {
            severity,
            code: code.into(),
            sheet: sheet.map(String::from),
            cell: cell.map(String::from),
            row,
            column: None,
            value: None,
            message_en: String::new(),
            message_fr: String::new(),
        }
    }

    #[test]
    fn warnings_are_grouped_by_sheet_and_row_as_code_at_cell_and_errors_are_left_out() {
        let issues = vec![
            issue(
                Severity::Warning,
                "currency.assumed_eur",
                Some("Initiatives"),
                Some("S9"),
                Some(9),
            ),
            issue(
                Severity::Warning,
                "description.empty",
                Some("Initiatives"),
                Some("D9"),
                Some(9),
            ),
            issue(
                Severity::Warning,
                "x.other_sheet",
                Some("Policies"),
                Some("B9"),
                Some(9),
            ),
            issue(
                Severity::Error,
                "date.unparseable",
                Some("Initiatives"),
                Some("G9"),
                Some(9),
            ),
            issue(Severity::Warning, "file.formulas", None, None, None),
            issue(Severity::Warning, "csv.row", None, None, Some(3)),
        ];
        let at = |sheet: Option<&str>, row: u32| {
            let mut record = crate::cells::tests::record();
            record.source.sheet = sheet.map(String::from);
            record.source.row = row;
            record
        };
        let records = vec![
            at(Some("Initiatives"), 9),
            at(Some("Policies"), 9),
            at(None, 3),
            at(Some("Initiatives"), 10),
        ];
        let warnings: Vec<Vec<String>> = with_warnings(records, &issues).map(|(_, w)| w).collect();
        assert_eq!(
            warnings,
            [
                vec!["currency.assumed_eur@S9", "description.empty@D9"],
                vec!["x.other_sheet@B9"],
                vec!["csv.row"],
                vec![],
            ]
        );
    }
}
