//! Validation: rows to records and issues, following the record definition.

use crate::report::Report;

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
        Ok(_sheets) => Report::from_parts(0, vec![], vec![]),
        Err(error) => Report::file_error(error.issue()),
    }
}
