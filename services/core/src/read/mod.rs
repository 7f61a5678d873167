//! Readers: xlsx, xls, xlsb, ods (calamine) and csv into the [`crate::sheet`] row model.
//!
//! [`read`] decides the format from the bytes (the file name is only a hint), refuses what is not a
//! readable spreadsheet with a [`FileError`], checks zip-based workbooks against zip bombs before any
//! part is inflated for real, then hands the bytes to the format's reader:
//! - [`detect`]: format sniffing (magic numbers, zip entries, text versus binary);
//! - [`zipcheck`]: declared and actual inflated sizes of a zip-based workbook;
//! - [`cfbcheck`]: loops in the sector tables of an OLE compound file (xls), which calamine would follow
//!   forever;
//! - [`workbook`]: xlsx, xlsb, xls and ods through calamine, merged ranges and formulas included;
//! - [`csv`]: delimited text in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

mod cfbcheck;
mod csv;
mod detect;
mod ods_merge;
mod rows;
#[cfg(test)]
mod tests;
mod workbook;
mod zipcheck;

use std::io::Cursor;

use crate::catalogue;
use crate::report::Issue;
use crate::sheet::Sheet;
use crate::validate::Limits;

use detect::Sniffed;

/// A whole-file problem: the file cannot be read as a spreadsheet at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Damaged: a truncated zip, a broken workbook part, anything calamine cannot parse.
    #[error("the file is not a readable spreadsheet: {0}")]
    Corrupt(String),
    /// Not a spreadsheet at all; the detail says what it looks like ("a Word document").
    #[error("the file is not a spreadsheet: {0}")]
    WrongType(String),
    /// A password-protected workbook (encrypted OOXML, xls with FILEPASS, encrypted ods or zip entries).
    #[error("the workbook is protected by a password")]
    Encrypted,
    /// No sheet holds a single non-empty cell (or the CSV holds no text).
    #[error("the workbook contains no data")]
    Empty,
    /// More bytes than `Limits::max_bytes`; the detail gives both sizes.
    #[error("the file is too large: {0}")]
    TooLarge(String),
    /// The zip parts declare or actually inflate to more than `Limits::max_inflated_bytes`.
    #[error("the file is a zip bomb: {0}")]
    ZipBomb(String),
    /// A sheet has more non-empty rows than `Limits::max_rows`; the detail names the sheet.
    #[error("a sheet has too many rows: {0}")]
    TooManyRows(String),
}

impl FileError {
    /// The file-level issue (sheet, cell, row and column null) this problem is reported as.
    pub fn issue(&self) -> Issue {
        match self {
            FileError::Corrupt(detail) => Issue::new(&catalogue::FILE_CORRUPT, detail),
            FileError::WrongType(detail) => Issue::new(&catalogue::FILE_WRONG_TYPE, detail),
            FileError::Encrypted => Issue::new(&catalogue::FILE_ENCRYPTED, ""),
            FileError::Empty => Issue::new(&catalogue::FILE_EMPTY, ""),
            FileError::TooLarge(detail) => Issue::new(&catalogue::FILE_TOO_LARGE, detail),
            FileError::ZipBomb(detail) => Issue::new(&catalogue::FILE_ZIP_BOMB, detail),
            FileError::TooManyRows(detail) => Issue::new(&catalogue::SHEET_TOO_MANY_ROWS, detail),
        }
    }
}

/// The zip-based spreadsheet formats the readers handle (an xls is an OLE compound file: `read_cfb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Xlsx,
    Xlsb,
    Ods,
}

/// Read every sheet of a file. The format is decided from the bytes alone: a renamed file is read as
/// what it is (the name is kept in the signature for messages and hints).
///
/// Every sheet is returned, hidden ones included (with their [`crate::sheet::Visibility`]); the
/// validator decides what to skip. A workbook whose sheets hold no non-empty cell is [`FileError::Empty`].
pub fn read(_file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(FileError::TooLarge(format!(
            "{}, the limit is {}",
            human_size(bytes.len() as u64),
            human_size(limits.max_bytes)
        )));
    }
    let sheets = match detect::sniff(bytes) {
        Sniffed::Zip => {
            let mut archive =
                zip::ZipArchive::new(Cursor::new(bytes)).map_err(zipcheck::zip_error)?;
            let format = detect::zip_format(&mut archive)?;
            let inspected = zipcheck::check(&mut archive, limits)?;
            drop(archive);
            guarded(|| workbook::read(format, bytes, limits, inspected.worksheet_merges))?
        }
        Sniffed::Cfb => {
            cfbcheck::check(bytes)?;
            guarded(|| workbook::read_cfb(bytes, limits))?
        }
        Sniffed::Text => csv::read(bytes, limits)?,
        Sniffed::Other(what) => return Err(FileError::WrongType(what.to_string())),
    };
    if sheets.iter().all(|sheet| sheet.rows.is_empty()) {
        return Err(FileError::Empty);
    }
    Ok(sheets)
}

/// Run a calamine reader, turning a panic inside it (a crafted file tripping an unchecked index in a
/// parser) into [`FileError::Corrupt`] instead of taking the service down.
fn guarded(read: impl FnOnce() -> Result<Vec<Sheet>, FileError>) -> Result<Vec<Sheet>, FileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(FileError::Corrupt(
            "the workbook's internal structure is invalid".into(),
        ))
    })
}

/// A size as people read it: `3.5 MB`, `1.2 GB`, `812 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB * KB {
        format!("{:.1} GB", b / (KB * KB * KB))
    } else if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else if b >= KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{bytes} bytes")
    }
}
