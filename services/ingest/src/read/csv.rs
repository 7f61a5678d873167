//! Delimited text (calamine does not read CSV) into one [`Sheet`] with no name.
//!
//! - Encoding: UTF-8 with or without BOM; UTF-16 with BOM (Excel's "Unicode text"); anything else that
//!   is not valid UTF-8 is Windows-1252, which is what French- and German-locale Excel writes ('œ' is
//!   byte 0x9C there, a byte Latin-1 leaves undefined).
//! - Delimiter: `;`, tab or `,`, whichever the header line has most of outside quotes.
//! - Quoted fields may hold delimiters and new lines; records may have any number of fields.
//! - Row numbers are record numbers, the header being row 1; records whose fields are all empty are
//!   skipped (French Excel ends files with lines of bare `;`). Every value stays Text.

use std::borrow::Cow;

use super::FileError;
use super::rows::RowsBuilder;
use crate::read::Limits;
use crate::sheet::{Cell, CellValue, Sheet, Visibility};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, FileError> {
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut builder = RowsBuilder::new("the CSV file", limits.max_rows);
    let mut record = csv::StringRecord::new();
    let mut index: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                return Err(FileError::Corrupt(format!(
                    "the CSV text cannot be read: {error}"
                )));
            }
        }
        for (col, field) in record.iter().enumerate() {
            if !field.is_empty() {
                let cell = Cell::new(CellValue::Text(field.to_string()));
                builder.push(index, col as u32, cell)?;
            }
        }
        index = index.saturating_add(1);
    }
    Ok(vec![Sheet {
        name: None,
        visibility: Visibility::Visible,
        rows: builder.finish()?,
    }])
}

/// The text of the file: UTF-8 (BOM stripped), UTF-16 by its BOM, otherwise Windows-1252.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest);
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return encoding_rs::UTF_16LE.decode_with_bom_removal(bytes).0;
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE.decode_with_bom_removal(bytes).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The delimiter the header line (the first record, up to its first new line outside quotes) uses most:
/// `;`, then tab, then `,` on a tie; `,` when it has none (a one-column file).
fn sniff_delimiter(text: &str) -> u8 {
    let (mut semicolons, mut tabs, mut commas) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => semicolons += 1,
            '\t' if !quoted => tabs += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semicolons == 0 && tabs == 0 && commas == 0 {
        b','
    } else if semicolons >= tabs && semicolons >= commas {
        b';'
    } else if tabs >= commas {
        b'\t'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sheet: &Sheet) -> Vec<(u32, Vec<String>)> {
        sheet
            .rows
            .iter()
            .map(|row| {
                (
                    row.number,
                    row.cells.iter().map(|c| c.value.display()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_delimiter_is_the_one_the_header_uses_outside_quotes() {
        assert_eq!(sniff_delimiter("a;b;\"c,d,e\"\n1,2,3,4,5,6"), b';');
        assert_eq!(sniff_delimiter("a,b,\"c;d;e\"\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc, d\n"), b'\t');
        assert_eq!(sniff_delimiter("Title\nx\n"), b',');
    }

    #[test]
    fn windows_1252_bytes_are_decoded_and_utf8_kept() {
        assert_eq!(decode(b"en \x9Cuvre"), "en œuvre");
        assert_eq!(decode("en œuvre".as_bytes()), "en œuvre");
        assert_eq!(decode(b"\xEF\xBB\xBFRef"), "Ref");
    }

    #[test]
    fn row_numbers_are_record_numbers_and_blank_records_are_skipped() {
        let sheets = read(
            b"a;b\r\n\"x\ny\";1\r\n;\r\n2;3\r\n;;\r\n",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].name, None);
        assert_eq!(
            texts(&sheets[0]),
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["x\ny".into(), "1".into()]),
                (4, vec!["2".into(), "3".into()]),
            ]
        );
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Title\tType\r\nA\tB\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sheets = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(texts(&sheets[0])[1], (2, vec!["A".into(), "B".into()]));
    }
}
