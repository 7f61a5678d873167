//! Readers: xlsx, xls, xlsb, ods (calamine) and csv into the [`crate::sheet`] row model.

use crate::report::Issue;
use crate::sheet::Sheet;
use crate::validate::Limits;

/// A whole-file problem: the file cannot be read as a spreadsheet at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is not a readable spreadsheet: {0}")]
    Corrupt(String),
}

impl FileError {
    /// The file-level issue (sheet, cell, row and column null) this problem is reported as.
    pub fn issue(&self) -> Issue {
        match self {
            FileError::Corrupt(detail) => Issue::new(&crate::catalogue::FILE_CORRUPT, detail),
        }
    }
}

/// Read every sheet of a file. The format is decided from the bytes, with the name as a hint.
pub fn read(_file_name: &str, _bytes: &[u8], _limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    Err(FileError::Corrupt("reader not written yet".into()))
}
