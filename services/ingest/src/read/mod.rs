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
mod limits;
mod ods_merge;
mod rows;
#[cfg(test)]
mod tests;
mod workbook;
mod zipcheck;

use std::io::Cursor;

use crate::sheet::{Row, Sheet, Visibility};
use jvap_record::catalogue;
use jvap_record::report::Issue;

use detect::Sniffed;

pub use limits::{INFLATION_FLOOR, Limits};

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
    TooLarge(Detail),
    /// The zip parts declare or actually inflate to more than [`Limits::inflation_limit`] allows.
    #[error("the file is a zip bomb: {0}")]
    ZipBomb(Detail),
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
            FileError::TooLarge(detail) => {
                Issue::new_in(&catalogue::FILE_TOO_LARGE, &detail.en, &detail.fr)
            }
            FileError::ZipBomb(detail) => {
                Issue::new_in(&catalogue::FILE_ZIP_BOMB, &detail.en, &detail.fr)
            }
            FileError::TooManyRows(detail) => Issue::new(&catalogue::SHEET_TOO_MANY_ROWS, detail),
        }
    }
}

/// The detail of a file-level problem, said in both languages (sizes and names, no library text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub en: String,
    pub fr: String,
}

impl Detail {
    pub(crate) fn new(en: String, fr: String) -> Detail {
        Detail { en, fr }
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// The zip-based spreadsheet formats the readers handle (an xls is an OLE compound file: `read_cfb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Xlsx,
    Xlsb,
    Ods,
}

/// What a streaming read hands its rows to: [`read_rows`] calls `sheet_start`, then `row` for each
/// non-empty row in sheet order, then `sheet_end`, for every sheet in workbook order (hidden ones
/// included, with their [`Visibility`]).
pub trait RowVisitor {
    /// A sheet begins (`name` is null for CSV).
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility);
    /// The next non-empty row of the current sheet.
    fn row(&mut self, row: Row);
    /// The current sheet is complete.
    fn sheet_end(&mut self);
    /// Forget everything visited so far: the file is read again from its first sheet (a workbook
    /// whose cells are not stored in order is read whole and sorted instead of streamed).
    fn restart(&mut self);
}

/// Read every sheet of a file. The format is decided from the bytes alone: a renamed file is read as
/// what it is (the name is kept in the signature for messages and hints).
///
/// Every sheet is returned, hidden ones included (with their [`crate::sheet::Visibility`]); the
/// validator decides what to skip. A workbook whose sheets hold no non-empty cell is [`FileError::Empty`].
/// This collects [`read_rows`].
pub fn read(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    let mut collect = Collect::default();
    read_rows(file_name, bytes, limits, &mut collect)?;
    Ok(collect.sheets)
}

/// Read a file row by row into `visitor`, never holding a whole xlsx sheet: xlsx sheets are streamed
/// from the sheet XML as their cells arrive (a sheet with merged ranges, or with cells out of order,
/// is read whole first); xls, xlsb, ods and csv are read a sheet at a time, as calamine parses them.
///
/// On an error the visitor may have seen part of the file already: the error is the whole outcome.
/// A file whose sheets hold no non-empty row is [`FileError::Empty`], found at the end.
pub fn read_rows(
    _file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    visitor: &mut dyn RowVisitor,
) -> Result<(), FileError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large(bytes.len() as u64, limits));
    }
    let mut counting = Counting {
        inner: visitor,
        rows: 0,
    };
    match detect::sniff(bytes) {
        Sniffed::Zip => {
            let mut archive =
                zip::ZipArchive::new(Cursor::new(bytes)).map_err(zipcheck::zip_error)?;
            let format = detect::zip_format(&mut archive)?;
            let inspected = zipcheck::check(&mut archive, bytes.len() as u64, limits)?;
            drop(archive);
            let merges = inspected.worksheet_merges;
            if format == Format::Xlsx {
                let streamed = guarded(|| {
                    workbook::stream_xlsx(Cursor::new(bytes), limits, merges, &mut counting)
                });
                match streamed {
                    Ok(()) => {}
                    Err(rows::StreamError::File(error)) => return Err(error),
                    Err(rows::StreamError::Unordered) => {
                        counting.restart();
                        let sheets = guarded(|| workbook::read(format, bytes, limits, merges))?;
                        feed(sheets, &mut counting);
                    }
                }
            } else {
                let sheets = guarded(|| workbook::read(format, bytes, limits, merges))?;
                feed(sheets, &mut counting);
            }
        }
        Sniffed::Cfb => {
            cfbcheck::check(bytes)?;
            feed(
                guarded(|| workbook::read_cfb(bytes, limits))?,
                &mut counting,
            )
        }
        Sniffed::Text => feed(csv::read(bytes, limits)?, &mut counting),
        Sniffed::Other(what) => return Err(FileError::WrongType(what.to_string())),
    }
    if counting.rows == 0 {
        return Err(FileError::Empty);
    }
    Ok(())
}

/// [`read_rows`] for a file on disk. An xlsx is read from the file part by part as it is needed, never
/// loaded whole (a million-row workbook is tens of megabytes); any other file is loaded and read as
/// bytes. The outer error is the file's own (it cannot be opened or read).
pub fn read_rows_path(
    path: &std::path::Path,
    limits: &Limits,
    visitor: &mut dyn RowVisitor,
) -> std::io::Result<Result<(), FileError>> {
    use std::io::Read;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limits.max_bytes {
        return Ok(Err(too_large(len, limits)));
    }
    let mut head = Vec::with_capacity(8);
    (&mut file).take(8).read_to_end(&mut head)?;
    if detect::sniff(&head) == Sniffed::Zip {
        let open = || std::fs::File::open(path).map(std::io::BufReader::new);
        match xlsx_from(open()?, open, limits, visitor) {
            Some(Err(rows::StreamError::Unordered)) => visitor.restart(),
            Some(Err(rows::StreamError::File(error))) => return Ok(Err(error)),
            Some(Ok(())) => return Ok(Ok(())),
            None => {}
        }
    }
    let bytes = std::fs::read(path)?;
    Ok(read_rows(&name, &bytes, limits, visitor))
}

/// The file is larger than `limits.max_bytes`, said with both sizes.
fn too_large(len: u64, limits: &Limits) -> FileError {
    FileError::TooLarge(Detail::new(
        format!(
            "{}, the limit is {}",
            human_size(len),
            human_size(limits.max_bytes)
        ),
        format!(
            "{}, la limite est de {}",
            human_size_fr(len),
            human_size_fr(limits.max_bytes)
        ),
    ))
}

/// Stream a zip-based file that is an xlsx; None when it is another zip format (read from bytes).
fn xlsx_from<RS: std::io::Read + std::io::Seek>(
    source: RS,
    open: impl Fn() -> std::io::Result<RS>,
    limits: &Limits,
    visitor: &mut dyn RowVisitor,
) -> Option<Result<(), rows::StreamError>> {
    let inspect = || -> Result<Option<bool>, FileError> {
        let mut source = source;
        let length = source
            .seek(std::io::SeekFrom::End(0))
            .and_then(|length| source.rewind().map(|()| length))
            .map_err(|e| FileError::Corrupt(format!("the file cannot be read: {e}")))?;
        let mut archive = zip::ZipArchive::new(source).map_err(zipcheck::zip_error)?;
        if detect::zip_format(&mut archive)? != Format::Xlsx {
            return Ok(None);
        }
        Ok(Some(
            zipcheck::check(&mut archive, length, limits)?.worksheet_merges,
        ))
    };
    let merges = match inspect() {
        Ok(Some(merges)) => merges,
        Ok(None) => return None,
        Err(error) => return Some(Err(error.into())),
    };
    let source = match open() {
        Ok(source) => source,
        Err(error) => return Some(Err(FileError::Corrupt(error.to_string()).into())),
    };
    let mut counting = Counting {
        inner: visitor,
        rows: 0,
    };
    let streamed = guarded(|| workbook::stream_xlsx(source, limits, merges, &mut counting));
    Some(streamed.and_then(|()| {
        if counting.rows == 0 {
            Err(FileError::Empty.into())
        } else {
            Ok(())
        }
    }))
}

/// Hand sheets already read to a visitor, consuming them.
fn feed(sheets: Vec<Sheet>, visitor: &mut dyn RowVisitor) {
    for sheet in sheets {
        visitor.sheet_start(sheet.name.as_deref(), sheet.visibility);
        for row in sheet.rows {
            visitor.row(row);
        }
        visitor.sheet_end();
    }
}

/// Counts the rows a visitor is given (a file without any is [`FileError::Empty`]).
struct Counting<'v> {
    inner: &'v mut dyn RowVisitor,
    rows: u64,
}

impl RowVisitor for Counting<'_> {
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.inner.sheet_start(name, visibility);
    }
    fn row(&mut self, row: Row) {
        self.rows += 1;
        self.inner.row(row);
    }
    fn sheet_end(&mut self) {
        self.inner.sheet_end();
    }
    fn restart(&mut self) {
        self.rows = 0;
        self.inner.restart();
    }
}

/// The visitor behind [`read`]: every sheet with all its rows.
#[derive(Default)]
struct Collect {
    sheets: Vec<Sheet>,
}

impl RowVisitor for Collect {
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.sheets.push(Sheet {
            name: name.map(String::from),
            visibility,
            rows: Vec::new(),
        });
    }
    fn row(&mut self, row: Row) {
        if let Some(sheet) = self.sheets.last_mut() {
            sheet.rows.push(row);
        }
    }
    fn sheet_end(&mut self) {}
    fn restart(&mut self) {
        self.sheets.clear();
    }
}

/// Run a calamine reader, turning a panic inside it (a crafted file tripping an unchecked index in a
/// parser) into [`FileError::Corrupt`] instead of taking the service down.
fn guarded<T, E: From<FileError>>(read: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(E::from(FileError::Corrupt(
            "the workbook's internal structure is invalid".into(),
        )))
    })
}

/// A size as people read it: `3.5 MB`, `1.2 GB`, `812 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    sized(bytes, ["bytes", "KB", "MB", "GB"], '.')
}

/// A size as French readers read it: `3,5 Mo`, `1,2 Go`, `812 octets`.
pub(crate) fn human_size_fr(bytes: u64) -> String {
    sized(bytes, ["octets", "Ko", "Mo", "Go"], ',')
}

/// `bytes` in the largest unit it reaches, with one decimal after `point`.
fn sized(bytes: u64, units: [&str; 4], point: char) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if b >= KB * KB * KB {
        (b / (KB * KB * KB), units[3])
    } else if b >= KB * KB {
        (b / (KB * KB), units[2])
    } else if b >= KB {
        (b / KB, units[1])
    } else {
        return format!("{bytes} {}", units[0]);
    };
    format!("{value:.1} {unit}").replace('.', &point.to_string())
}
