//! xlsx, xlsb, xls and ods through calamine into [`Sheet`]s.
//!
//! - xlsx is streamed cell by cell (`worksheet_cells_reader`), value and formula flag in one pass, so
//!   a sheet is never held as a dense calamine `Range`; its merged ranges cost one more parse of the
//!   sheet XML (calamine reads `<mergeCells>`, which comes after the data).
//! - xls and ods are parsed whole by calamine when opened; xlsb goes the same way. Their sheets are taken
//!   as a `Range` one at a time, turned into rows from its used cells and dropped before the next one.
//! - Merged ranges come from calamine for xlsx and xls, and from `content.xml` for ods
//!   ([`super::ods_merge`]); calamine gives none for xlsb.

use std::io::Cursor;

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx,
};

use super::RowVisitor;
use super::rows::{Merge, RowStream, RowsBuilder, StreamError, apply_merges};
use super::{FileError, Format, ods_merge};
use crate::read::Limits;
use crate::sheet::{Cell, CellValue, Sheet, Visibility};

type Bytes<'a> = Cursor<&'a [u8]>;

/// Read a zip-based workbook whose format [`super::detect`] found.
/// `merges` false says no worksheet holds a merged range (seen by [`super::zipcheck`]), so the xlsx
/// merged-range pass, which re-parses the whole sheet to reach `<mergeCells>`, is skipped.
pub(crate) fn read(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
    merges: bool,
) -> Result<Vec<Sheet>, FileError> {
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx => {
            let mut workbook: Xlsx<Bytes<'_>> = Reader::new(cursor).map_err(calamine_error)?;
            read_xlsx(&mut workbook, limits, merges)
        }
        Format::Xlsb => {
            let mut workbook: Xlsb<Bytes<'_>> = Reader::new(cursor).map_err(calamine_error)?;
            read_ranges(&mut workbook, limits, |_, _| Ok(Vec::new()))
        }
        Format::Ods => {
            let mut workbook: Ods<Bytes<'_>> = Reader::new(cursor).map_err(calamine_error)?;
            let mut merges = ods_merge::merges(bytes);
            read_ranges(&mut workbook, limits, |_, name| {
                Ok(merges.remove(name).unwrap_or_default())
            })
        }
    }
}

/// Read an OLE compound file: an xls, or a password-protected OOXML workbook (whose encrypted package
/// calamine's xlsx reader recognises by its `EncryptedPackage` stream).
pub(crate) fn read_cfb(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    if let Err(calamine::XlsxError::Password) =
        <Xlsx<Bytes<'_>> as Reader<_>>::new(Cursor::new(bytes))
    {
        return Err(FileError::Encrypted);
    }
    // calamine parses every xls sheet into a dense range when it opens the file: the workbook opened to
    // tell an xls from other compound files is the one read, not opened again while it is still alive.
    match <Xls<Bytes<'_>> as Reader<_>>::new(Cursor::new(bytes)) {
        Ok(mut workbook) => read_xls(&mut workbook, limits),
        Err(calamine::XlsError::Password) => Err(FileError::Encrypted),
        Err(calamine::XlsError::Cfb(error)) => Err(office_file_error(bytes, &error.to_string())),
        Err(error) => Err(calamine_error(error)),
    }
}

/// A compound file calamine cannot open as an xls. When its directory was read and holds no
/// workbook stream, it is another Office file (named by its streams, UTF-16 in the directory);
/// otherwise its structure is damaged: a damaged workbook, never "another kind of file".
fn office_file_error(bytes: &[u8], error: &str) -> FileError {
    // calamine's words when the directory is whole but the stream is not in it.
    if !error.starts_with("Cannot find") {
        return FileError::Corrupt(format!("a damaged Excel 97-2003 workbook: {error}"));
    }
    let names = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        bytes.windows(utf16.len()).any(|w| w == utf16.as_slice())
    };
    if names("WordDocument") {
        FileError::WrongType("a Word document (.doc)".into())
    } else if names("PowerPoint Document") {
        FileError::WrongType("a PowerPoint presentation (.ppt)".into())
    } else {
        FileError::WrongType(format!(
            "an Office file without a workbook inside ({error})"
        ))
    }
}

fn read_xls(workbook: &mut Xls<Bytes<'_>>, limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    read_ranges(workbook, limits, |workbook: &mut Xls<Bytes<'_>>, name| {
        Ok(workbook
            .merge_cells_by_sheet_name(name)
            .map_err(calamine_error)?
            .into_iter()
            .map(|d| Merge {
                start: d.start,
                end: d.end,
            })
            .collect())
    })
}

/// A calamine error as a file error: password protection is [`FileError::Encrypted`], the rest Corrupt.
fn calamine_error(error: impl Into<calamine::Error>) -> FileError {
    let error: calamine::Error = error.into();
    let password = matches!(
        error,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Xlsb(calamine::XlsbError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    let text = error.to_string();
    let lower = text.to_ascii_lowercase();
    if password || lower.contains("password") || lower.contains("encrypt") {
        FileError::Encrypted
    } else {
        FileError::Corrupt(text)
    }
}

fn visibility(visible: SheetVisible) -> Visibility {
    match visible {
        SheetVisible::Visible => Visibility::Visible,
        SheetVisible::Hidden | SheetVisible::VeryHidden => Visibility::Hidden,
    }
}

/// Stream every xlsx sheet cell by cell: one pass for values and formula flags, one for merged ranges.
fn read_xlsx(
    workbook: &mut Xlsx<Bytes<'_>>,
    limits: &Limits,
    merges: bool,
) -> Result<Vec<Sheet>, FileError> {
    let metadata: Vec<_> = workbook
        .sheets_metadata()
        .iter()
        .map(|sheet| (sheet.name.clone(), sheet.visible, sheet.typ))
        .collect();
    let mut sheets = Vec::with_capacity(metadata.len());
    for (name, visible, typ) in metadata {
        let mut rows = Vec::new();
        if typ == SheetType::WorkSheet {
            let label = format!("sheet '{name}'");
            let mut builder = RowsBuilder::new(&label, limits.max_rows);
            let mut reader = workbook
                .worksheet_cells_reader(&name)
                .map_err(calamine_error)?;
            while let Some(record) = reader
                .next_cell_with_formula_metadata()
                .map_err(calamine_error)?
            {
                let cell = streamed_cell(record.value, record.formula.is_some());
                builder.push(record.pos.0, record.pos.1, cell)?;
            }
            drop(reader);
            rows = builder.finish()?;
            if merges && !rows.is_empty() {
                let merges: Vec<Merge> = workbook
                    .merge_cells_by_sheet_name(&name)
                    .map_err(calamine_error)?
                    .into_iter()
                    .map(|d| Merge {
                        start: d.start,
                        end: d.end,
                    })
                    .collect();
                apply_merges(&mut rows, &merges, &label)?;
            }
        }
        sheets.push(Sheet {
            name: Some(name),
            visibility: visibility(visible),
            rows,
        });
    }
    Ok(sheets)
}

/// Stream every xlsx sheet row by row into `visitor`. A sheet with merged ranges (looked for only when
/// `merges` says a worksheet has some) is read whole, its merges spread, then handed over; the others
/// are never held: each row goes to the visitor as soon as the next one starts.
pub(crate) fn stream_xlsx<RS: std::io::Read + std::io::Seek>(
    source: RS,
    limits: &Limits,
    merges: bool,
    visitor: &mut dyn RowVisitor,
) -> Result<(), StreamError> {
    let mut workbook: Xlsx<RS> = Reader::new(source).map_err(calamine_error)?;
    let metadata: Vec<_> = workbook
        .sheets_metadata()
        .iter()
        .map(|sheet| (sheet.name.clone(), sheet.visible, sheet.typ))
        .collect();
    for (name, visible, typ) in metadata {
        visitor.sheet_start(Some(&name), visibility(visible));
        if typ == SheetType::WorkSheet {
            let label = format!("sheet '{name}'");
            let sheet_merges: Vec<Merge> = if merges {
                workbook
                    .merge_cells_by_sheet_name(&name)
                    .map_err(calamine_error)?
                    .into_iter()
                    .map(|d| Merge {
                        start: d.start,
                        end: d.end,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mut reader = workbook
                .worksheet_cells_reader(&name)
                .map_err(calamine_error)?;
            if sheet_merges.is_empty() {
                let mut stream = RowStream::new(&label, limits.max_rows);
                let mut emit = |row| visitor.row(row);
                while let Some(record) = reader
                    .next_cell_with_formula_metadata()
                    .map_err(calamine_error)?
                {
                    let cell = streamed_cell(record.value, record.formula.is_some());
                    stream.push(record.pos.0, record.pos.1, cell, &mut emit)?;
                }
                stream.finish(&mut emit)?;
            } else {
                let mut builder = RowsBuilder::new(&label, limits.max_rows);
                while let Some(record) = reader
                    .next_cell_with_formula_metadata()
                    .map_err(calamine_error)?
                {
                    let cell = streamed_cell(record.value, record.formula.is_some());
                    builder.push(record.pos.0, record.pos.1, cell)?;
                }
                let mut rows = builder.finish()?;
                apply_merges(&mut rows, &sheet_merges, &label)?;
                for row in rows {
                    visitor.row(row);
                }
            }
        }
        visitor.sheet_end();
    }
    Ok(())
}

/// Read every sheet of a workbook calamine parses into ranges (xls, xlsb, ods), one range at a time.
fn read_ranges<'b, R>(
    workbook: &mut R,
    limits: &Limits,
    mut merges_of: impl FnMut(&mut R, &str) -> Result<Vec<Merge>, FileError>,
) -> Result<Vec<Sheet>, FileError>
where
    R: Reader<Bytes<'b>>,
    R::Error: Into<calamine::Error>,
{
    let metadata: Vec<_> = workbook
        .sheets_metadata()
        .iter()
        .map(|sheet| (sheet.name.clone(), sheet.visible, sheet.typ))
        .collect();
    let mut sheets = Vec::with_capacity(metadata.len());
    for (name, visible, typ) in metadata {
        let mut rows = Vec::new();
        if typ == SheetType::WorkSheet {
            let range = workbook.worksheet_range(&name).map_err(calamine_error)?;
            // Formulas are optional: a reader that cannot give them still gives the values.
            let formulas = workbook.worksheet_formula(&name).unwrap_or_default();
            rows = rows_from_range(&name, range, &formulas, limits)?;
            if !rows.is_empty() {
                let merges = merges_of(workbook, &name)?;
                apply_merges(&mut rows, &merges, &format!("sheet '{name}'"))?;
            }
        }
        sheets.push(Sheet {
            name: Some(name),
            visibility: visibility(visible),
            rows,
        });
    }
    Ok(sheets)
}

/// Rows from a calamine range (positions relative to `start()`), consuming it.
fn rows_from_range(
    name: &str,
    range: Range<Data>,
    formulas: &Range<String>,
    limits: &Limits,
) -> Result<Vec<crate::sheet::Row>, FileError> {
    let label = format!("sheet '{name}'");
    let mut builder = RowsBuilder::new(&label, limits.max_rows);
    let (row0, col0) = range.start().unwrap_or((0, 0));
    for (r, c, value) in range.used_cells() {
        let (row, col) = (row0 + r as u32, col0 + c as u32);
        let formula = formulas
            .get_value((row, col))
            .is_some_and(|formula| !formula.is_empty());
        let cell = Cell {
            value: from_data(value),
            merged: false,
            formula,
        };
        builder.push(row, col, cell)?;
    }
    drop(range);
    builder.finish()
}

fn from_data(value: &Data) -> CellValue {
    match value {
        Data::Empty => CellValue::Empty,
        Data::Int(n) => CellValue::Number(*n as f64),
        Data::Float(n) => CellValue::Number(*n),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => from_excel_datetime(dt),
        Data::DateTimeIso(s) => from_iso_date(s),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    }
}

/// A cell as the xlsx stream gives it: its value and whether it holds a formula.
fn streamed_cell(value: DataRef<'_>, formula: bool) -> Cell {
    Cell {
        value: from_data_ref(value),
        merged: false,
        formula,
    }
}

fn from_data_ref(value: DataRef<'_>) -> CellValue {
    match value {
        DataRef::Empty => CellValue::Empty,
        DataRef::Int(n) => CellValue::Number(n as f64),
        DataRef::Float(n) => CellValue::Number(n),
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Bool(b) => CellValue::Bool(b),
        DataRef::DateTime(dt) => from_excel_datetime(&dt),
        DataRef::DateTimeIso(s) => from_iso_date(&s),
        DataRef::DurationIso(s) => CellValue::Text(s),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
    }
}

/// A date-formatted cell: the date (1900 or 1904 system, 1900 leap-year bug handled by calamine), the
/// time dropped. A time of day alone (serial below 1) or a duration is not a date: it stays a Number.
fn from_excel_datetime(dt: &ExcelDateTime) -> CellValue {
    let serial = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&serial) {
        return CellValue::Number(serial);
    }
    match dt.as_datetime() {
        Some(datetime) => CellValue::Date(datetime.date()),
        None => CellValue::Number(serial),
    }
}

/// An ODS date (`2024-02-29` or `2024-03-01T13:45:30`): the date part, or the text if it is not one.
fn from_iso_date(s: &str) -> CellValue {
    s.get(..10)
        .and_then(|date| chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
        .map_or_else(|| CellValue::Text(s.to_string()), CellValue::Date)
}
