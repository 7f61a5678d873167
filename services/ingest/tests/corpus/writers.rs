//! A workbook of text cells written as xlsx, ods, xls (BIFF8) or csv, as spreadsheet programs save
//! them: cells that read as plain numbers are written as numbers, the rest as text.

use std::io::{Cursor, Write};

/// A workbook to write: sheets of rows from row 1, each a list of cells from column A ("" is empty).
pub struct Book {
    pub sheets: Vec<Sheet>,
}

pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Ods,
    Xls,
    /// UTF-8 with a byte-order mark, `,` between fields.
    CsvComma,
    /// Windows-1252, `;` between fields, as French-locale Excel exports.
    CsvSemicolon,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Xls => "xls",
            Format::CsvComma | Format::CsvSemicolon => "csv",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Xls => "xls",
            Format::CsvComma => "csv_comma",
            Format::CsvSemicolon => "csv_semicolon",
        }
    }

    /// Whether the format holds several sheets (a csv is one table).
    pub fn has_sheets(self) -> bool {
        !matches!(self, Format::CsvComma | Format::CsvSemicolon)
    }
}

pub fn write(book: &Book, format: Format) -> Vec<u8> {
    match format {
        Format::Xlsx => xlsx(book),
        Format::Ods => ods(book),
        Format::Xls => xls(book),
        Format::CsvComma => csv(book, b',', false),
        Format::CsvSemicolon => csv(book, b';', true),
    }
}

/// A cell's number, when it is written as a plain number (not `007`, not `1 200`).
fn number(text: &str) -> Option<f64> {
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !(text.starts_with('0') && text.len() > 1);
    plain.then(|| text.parse().ok()).flatten()
}

fn xlsx(book: &Book) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for sheet in &book.sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&sheet.name).expect("a sheet name");
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match number(text) {
                    Some(n) => worksheet.write_number(r, c, n).map(|_| ()),
                    None if text.is_empty() => Ok(()),
                    None => worksheet.write_string(r, c, text).map(|_| ()),
                }
                .expect("a cell is written");
            }
        }
        if sheet.hidden {
            worksheet.set_hidden(true);
        }
    }
    workbook.save_to_buffer().expect("the workbook is written")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ods(book: &Book) -> Vec<u8> {
    let mut tables = String::new();
    for sheet in &book.sheets {
        let style = if sheet.hidden {
            r#" table:style-name="hidden""#
        } else {
            ""
        };
        tables.push_str(&format!(
            r#"<table:table table:name="{}"{style}>"#,
            escape(&sheet.name)
        ));
        for row in &sheet.rows {
            tables.push_str("<table:table-row>");
            for text in row {
                match number(text) {
                    _ if text.is_empty() => tables.push_str("<table:table-cell/>"),
                    Some(n) => tables.push_str(&format!(
                        r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{text}</text:p></table:table-cell>"#
                    )),
                    None => tables.push_str(&format!(
                        r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                        escape(text)
                    )),
                }
            }
            tables.push_str("</table:table-row>");
        }
        tables.push_str("</table:table>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:automatic-styles><style:style style:name="hidden" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let parts = [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ];
    for (i, (name, text)) in parts.iter().enumerate() {
        let method = if i == 0 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(*name, options).expect("a part starts");
        writer
            .write_all(text.as_bytes())
            .expect("a part is written");
    }
    writer.finish().expect("the zip finishes").into_inner()
}

fn csv(book: &Book, delimiter: u8, windows_1252: bool) -> Vec<u8> {
    let sheet = book
        .sheets
        .iter()
        .find(|s| !s.hidden)
        .expect("a visible sheet");
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    for row in &sheet.rows {
        writer.write_record(row).expect("a record");
    }
    let text = String::from_utf8(writer.into_inner().expect("the csv is written")).expect("UTF-8");
    if windows_1252 {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        assert!(!unmappable, "the corpus writes Windows-1252 text only");
        bytes.into_owned()
    } else {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }
}

/// A BIFF8 record: type, length, data.
fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// A BOF record of BIFF8 for the workbook globals (`0x0005`) or a worksheet (`0x0010`).
fn bof(out: &mut Vec<u8>, substream: u16) {
    let mut data = Vec::new();
    for v in [0x0600u16, substream, 0x0DBB, 0x07CC] {
        data.extend_from_slice(&v.to_le_bytes());
    }
    data.extend_from_slice(&0u32.to_le_bytes());
    data.extend_from_slice(&0x0006u32.to_le_bytes());
    record(out, 0x0809, &data);
}

/// An xls: an OLE compound file holding a `Workbook` stream of BIFF8 records, strings as LABEL
/// records in UTF-16.
fn xls(book: &Book) -> Vec<u8> {
    let mut stream = Vec::new();
    bof(&mut stream, 0x0005);
    record(&mut stream, 0x0042, &1200u16.to_le_bytes()); // CODEPAGE: UTF-16
    let mut offsets_at = Vec::new();
    for sheet in &book.sheets {
        let name: Vec<u16> = sheet.name.encode_utf16().collect();
        let mut data = vec![0u8; 4];
        data.extend_from_slice(&[u8::from(sheet.hidden), 0, name.len() as u8, 1]);
        for unit in name {
            data.extend_from_slice(&unit.to_le_bytes());
        }
        offsets_at.push(stream.len() + 4);
        record(&mut stream, 0x0085, &data);
    }
    record(&mut stream, 0x000A, &[]);
    for (sheet, at) in book.sheets.iter().zip(offsets_at) {
        let offset = stream.len() as u32;
        stream[at..at + 4].copy_from_slice(&offset.to_le_bytes());
        bof(&mut stream, 0x0010);
        let columns = sheet.rows.iter().map(Vec::len).max().unwrap_or(0) as u16;
        let mut dimensions = Vec::new();
        dimensions.extend_from_slice(&0u32.to_le_bytes());
        dimensions.extend_from_slice(&(sheet.rows.len() as u32).to_le_bytes());
        dimensions.extend_from_slice(&0u16.to_le_bytes());
        dimensions.extend_from_slice(&columns.to_le_bytes());
        dimensions.extend_from_slice(&0u16.to_le_bytes());
        record(&mut stream, 0x0200, &dimensions);
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let mut data = Vec::new();
                data.extend_from_slice(&(r as u16).to_le_bytes());
                data.extend_from_slice(&(c as u16).to_le_bytes());
                data.extend_from_slice(&0u16.to_le_bytes());
                match number(text) {
                    Some(n) => {
                        data.extend_from_slice(&n.to_le_bytes());
                        record(&mut stream, 0x0203, &data);
                    }
                    None => {
                        let units: Vec<u16> = text.encode_utf16().collect();
                        data.extend_from_slice(&(units.len() as u16).to_le_bytes());
                        data.push(1);
                        for unit in units {
                            data.extend_from_slice(&unit.to_le_bytes());
                        }
                        record(&mut stream, 0x0204, &data);
                    }
                }
            }
        }
        record(&mut stream, 0x000A, &[]);
    }
    compound_file("Workbook", stream)
}

/// A compound file (version 3, 512-byte sectors) with one stream: sector 0 is the FAT, sector 1 the
/// directory, the stream follows, padded to 4,096 bytes so it lives in regular sectors.
fn compound_file(name: &str, mut stream: Vec<u8>) -> Vec<u8> {
    const SECTOR: usize = 512;
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let size = stream.len().max(4096);
    stream.resize(size.div_ceil(SECTOR) * SECTOR, 0);
    let sectors = stream.len() / SECTOR;
    assert!(sectors <= 126, "a corpus workbook fits one FAT sector");

    let mut file = vec![0u8; SECTOR * 3];
    let put16 =
        |file: &mut [u8], at: usize, v: u16| file[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |file: &mut [u8], at: usize, v: u32| file[at..at + 4].copy_from_slice(&v.to_le_bytes());
    file[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    put16(&mut file, 24, 0x3E);
    put16(&mut file, 26, 3);
    put16(&mut file, 28, 0xFFFE);
    put16(&mut file, 30, 9);
    put16(&mut file, 32, 6);
    put32(&mut file, 44, 1);
    put32(&mut file, 48, 1);
    put32(&mut file, 56, 4096);
    put32(&mut file, 60, END);
    put32(&mut file, 68, END);
    for i in 0..109 {
        put32(&mut file, 76 + 4 * i, if i == 0 { 0 } else { FREE });
    }
    let fat = SECTOR;
    for i in 0..128 {
        let v = match i {
            0 => 0xFFFF_FFFD,
            1 => END,
            i if i >= 2 && i < 2 + sectors - 1 => (i + 1) as u32,
            i if i == 2 + sectors - 1 => END,
            _ => FREE,
        };
        put32(&mut file, fat + 4 * i, v);
    }
    let dir = 2 * SECTOR;
    for (i, entry_name) in ["Root Entry", name].iter().enumerate() {
        let at = dir + 128 * i;
        let units: Vec<u16> = entry_name.encode_utf16().collect();
        for (j, unit) in units.iter().enumerate() {
            put16(&mut file, at + 2 * j, *unit);
        }
        put16(&mut file, at + 64, ((units.len() + 1) * 2) as u16);
        file[at + 66] = if i == 0 { 5 } else { 2 };
        file[at + 67] = 1;
        put32(&mut file, at + 68, FREE);
        put32(&mut file, at + 72, FREE);
        put32(&mut file, at + 76, if i == 0 { 1 } else { FREE });
        if i == 0 {
            put32(&mut file, at + 116, END);
            put32(&mut file, at + 120, 0);
        } else {
            put32(&mut file, at + 116, 2);
            put32(&mut file, at + 120, size as u32);
        }
    }
    let mut out = file;
    out.extend_from_slice(&stream);
    out
}
