//! Validation: rows to records and issues, following the record definition.
//!
//! # Layout
//! - this file: the entry points;
//! - [`validator`]: the streaming validator, sheet by sheet (skipped sheets, header, missing columns,
//!   rows); [`pipeline`]: reading on a second thread for large files;
//! - [`header`]: finding the header row and placing its columns, exactly or by [`meaning`] (words,
//!   the fields' vocabulary, the one-to-one assignment); [`probe`]: what the first data rows say;
//! - [`row`]: one data row's context (cells by field, issue reporting) and its record;
//! - one file per rule family: [`basics`] (type, title, status, reference, ...), [`dates`],
//!   [`domains`], [`places`] (countries and scope), [`money`] (funders, budget, currency), [`contact`].

mod basics;
mod contact;
mod ctx;
mod dates;
mod domains;
mod header;
mod ids;
mod meaning;
mod money;
mod pipeline;
mod places;
mod probe;
mod references;
mod row;
#[cfg(test)]
mod tests;
mod validator;

use crate::read::{Limits, RowVisitor};
use crate::sheet::Sheet;
use jvap_record::catalogue::IssueKind;
use jvap_record::columns::{ColumnMapping, ColumnRead};
use jvap_record::ids::IdCheck;
use jvap_record::report::{CollectSink, Issue, Report, ReportSink};

pub(crate) use ids::FileIds;
pub(crate) use references::References;
pub use validator::Validator;

/// Validate a file with the default limits.
pub fn validate(file_name: &str, bytes: &[u8]) -> Report {
    validate_with(file_name, bytes, &Limits::default())
}

/// Validate a file: read it, find the data sheets and their header rows, check every row.
pub fn validate_with(file_name: &str, bytes: &[u8], limits: &Limits) -> Report {
    let mut sink = CollectSink::default();
    validate_into(file_name, bytes, limits, &mut sink);
    sink.into_report()
}

/// [`validate_with`], reading the headers of `mapping` as the partner confirmed them (overriding the
/// automatic reading); the report and how every header cell was read (the mapping used).
pub fn validate_mapped(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    mapping: &ColumnMapping,
) -> (Report, Vec<ColumnRead>) {
    let mut sink = CollectSink::default();
    validate_mapped_into(file_name, bytes, limits, mapping, &mut sink);
    sink.into_parts()
}

/// [`validate_with`], streaming: rows are validated as the reader produces them and what is found goes
/// to `sink` as it is found, so neither the sheet nor the records are held (a sink may still keep them).
///
/// A file of more than [`PIPELINE_BYTES`] is read on a second thread while this one validates: reading
/// and checking take about as long as each other, so the two together take little more than reading.
pub fn validate_into(file_name: &str, bytes: &[u8], limits: &Limits, sink: &mut dyn ReportSink) {
    validate_mapped_into(file_name, bytes, limits, &ColumnMapping::default(), sink);
}

/// [`validate_into`] with the headers of `mapping` read as the partner confirmed them; `sink` is told
/// how every header cell of each data sheet was read ([`ReportSink::columns`]).
pub fn validate_mapped_into(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    mapping: &ColumnMapping,
    sink: &mut dyn ReportSink,
) {
    validate_checked_into(file_name, bytes, limits, mapping, None, sink);
}

/// [`validate_mapped_into`], checking the file's JVAP ids against the database's ([`IdCheck`]): a
/// row with an id the database does not have, or another partner's, is an error at its cell. Without
/// a check (offline), only an id's shape and its repeats in the file are checked.
pub fn validate_checked_into(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    mapping: &ColumnMapping,
    ids: Option<&IdCheck>,
    sink: &mut dyn ReportSink,
) {
    let mut validator = Validator::mapped(sink, mapping.clone()).with_ids(ids.cloned());
    let read = if bytes.len() > PIPELINE_BYTES {
        pipeline::pipelined(&mut validator, |visitor| {
            crate::read::read_rows(file_name, bytes, limits, visitor)
        })
        .unwrap_or_else(|| Err(internal_error()))
    } else {
        crate::read::read_rows(file_name, bytes, limits, &mut validator)
    };
    match read {
        Ok(()) => validator.finish(),
        Err(error) => {
            sink.reset();
            sink.finish(0, Some(error.issue()));
        }
    }
}

/// Files larger than this are read and validated on two threads.
pub const PIPELINE_BYTES: usize = 64 << 10;

/// [`validate_into`] for a file on disk: an xlsx is read from the file as needed, never loaded whole
/// ([`crate::read::read_rows_path`]). The error is the file's own: it cannot be opened or read.
pub fn validate_path_into(
    path: &std::path::Path,
    limits: &Limits,
    sink: &mut dyn ReportSink,
) -> std::io::Result<()> {
    validate_path_mapped_into(path, limits, &ColumnMapping::default(), sink)
}

/// [`validate_path_into`] with the headers of `mapping` read as the partner confirmed them.
pub fn validate_path_mapped_into(
    path: &std::path::Path,
    limits: &Limits,
    mapping: &ColumnMapping,
    sink: &mut dyn ReportSink,
) -> std::io::Result<()> {
    validate_path_checked_into(path, limits, mapping, None, sink)
}

/// [`validate_path_mapped_into`], checking the file's JVAP ids against the database's
/// ([`validate_checked_into`]).
pub fn validate_path_checked_into(
    path: &std::path::Path,
    limits: &Limits,
    mapping: &ColumnMapping,
    ids: Option<&IdCheck>,
    sink: &mut dyn ReportSink,
) -> std::io::Result<()> {
    let mut validator = Validator::mapped(sink, mapping.clone()).with_ids(ids.cloned());
    let large = std::fs::metadata(path)?.len() > PIPELINE_BYTES as u64;
    let read = if large {
        pipeline::pipelined(&mut validator, |visitor| {
            crate::read::read_rows_path(path, limits, visitor)
        })
        .unwrap_or_else(|| Ok(Err(internal_error())))?
    } else {
        crate::read::read_rows_path(path, limits, &mut validator)?
    };
    match read {
        Ok(()) => validator.finish(),
        Err(error) => {
            sink.reset();
            sink.finish(0, Some(error.issue()));
        }
    }
    Ok(())
}

/// A reader that panicked outside calamine's guard.
fn internal_error() -> crate::read::FileError {
    crate::read::FileError::Corrupt("the workbook's internal structure is invalid".into())
}

/// Validate sheets already read (the part of [`validate_with`] after reading).
pub fn validate_sheets(sheets: &[Sheet]) -> Report {
    validate_sheets_mapped(sheets, &ColumnMapping::default()).0
}

/// [`validate_sheets`] with the headers of `mapping` read as the partner confirmed them.
pub fn validate_sheets_mapped(
    sheets: &[Sheet],
    mapping: &ColumnMapping,
) -> (Report, Vec<ColumnRead>) {
    let mut sink = CollectSink::default();
    let mut validator = Validator::mapped(&mut sink, mapping.clone());
    for sheet in sheets {
        validator.sheet_start(sheet.name.as_deref(), sheet.visibility);
        for row in &sheet.rows {
            validator.visit(row);
        }
        validator.sheet_end();
    }
    validator.finish();
    sink.into_parts()
}

/// An issue whose `{detail}` differs by language.
pub(crate) fn issue_in(kind: &IssueKind, en: &str, fr: &str) -> Issue {
    let mut issue = Issue::new(kind, en);
    issue.message_fr = kind.render_fr(fr);
    issue
}
