//! Small hostile spreadsheets, made here byte by byte: each is a few kilobytes and asks a reader for
//! gigabytes (or for an allocation that aborts the process). Every one must end `rejected`, cost its
//! sender a clear file-level error, and cost nobody else anything.
//!
//! - [`shared_strings_bomb`]: an xlsx whose shared-strings part declares ten billion strings;
//! - [`xls_lying_dimensions`]: an xls whose DIMENSIONS record claims 4,294,967,295 rows;
//! - [`xls_sparse`]: an xls with A1 and IV65536 filled on each of its sheets;
//! - [`ods_sparse`]: an ods with A1 and a cell at row 3,100, column 16,000;
//! - [`xlsx_sparse`]: an xlsx with A1 and XFD1048576 filled, its dimension saying so.

use std::io::{Cursor, Write};

/// One hostile file: what it is, the name it is uploaded under, its bytes.
#[derive(Debug, Clone)]
pub struct Hostile {
    pub class: &'static str,
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every class, in a fixed order.
pub fn files() -> Vec<Hostile> {
    vec![
        Hostile {
            class: "xlsx shared strings declaring 10 billion entries",
            file_name: "sst_bomb.xlsx",
            bytes: shared_strings_bomb(),
        },
        Hostile {
            class: "xls DIMENSIONS claiming 4,294,967,295 rows",
            file_name: "dimensions.xls",
            bytes: xls_lying_dimensions(),
        },
        Hostile {
            class: "xls with A1 and IV65536 on each sheet",
            file_name: "sparse.xls",
            bytes: xls_sparse(),
        },
        Hostile {
            class: "ods with A1 and a cell at row 3,100 / column 16,000",
            file_name: "sparse.ods",
            bytes: ods_sparse(),
        },
        Hostile {
            class: "xlsx with A1 and XFD1048576",
            file_name: "sparse.xlsx",
            bytes: xlsx_sparse(),
        },
    ]
}

/// An xlsx whose `sharedStrings.xml` declares ten billion strings and holds one.
pub fn shared_strings_bomb() -> Vec<u8> {
    let sheet = r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>"#;
    let strings = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="10000000000" uniqueCount="10000000000"><si><t>Title</t></si></sst>"#;
    xlsx(None, sheet, Some(strings))
}

/// An xlsx with a value in its first and its last cell, and a dimension spanning the whole sheet.
pub fn xlsx_sparse() -> Vec<u8> {
    let sheet = r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#;
    xlsx(Some("A1:XFD1048576"), sheet, None)
}

/// An ods whose table has "Title" in A1 and a number 3,099 rows and 15,999 columns away.
pub fn ods_sparse() -> Vec<u8> {
    let table = r#"<table:table table:name="Initiatives"><table:table-row><table:table-cell office:value-type="string"><text:p>Title</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="3098"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="15999"/><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_parts(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", &content),
    ])
}

/// An xls (BIFF8) of one sheet whose DIMENSIONS record claims rows 0 to 4,294,967,294 and 256
/// columns, with a single number in A1.
pub fn xls_lying_dimensions() -> Vec<u8> {
    let sheet = XlsSheet {
        last_row_plus_one: u32::MAX,
        last_col_plus_one: 256,
        numbers: vec![(0, 0, 1.0)],
    };
    xls(&[sheet])
}

/// An xls of six sheets, each with a number in A1 and in IV65536 (its last cell) and a DIMENSIONS
/// record that says so.
pub fn xls_sparse() -> Vec<u8> {
    let sheets: Vec<XlsSheet> = (0..6)
        .map(|_| XlsSheet {
            last_row_plus_one: 65_536,
            last_col_plus_one: 256,
            numbers: vec![(0, 0, 1.0), (65_535, 255, 2.0)],
        })
        .collect();
    xls(&sheets)
}

/// A minimal xlsx package: one sheet (with an optional `<dimension>`), an optional shared-strings part.
fn xlsx(dimension: Option<&str>, sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let strings_type = if shared_strings.is_some() {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    } else {
        ""
    };
    let content_types = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{strings_type}</Types>"#
    );
    let root_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Initiatives" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let strings_rel = if shared_strings.is_some() {
        format!(
            r#"<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#
        )
    } else {
        String::new()
    };
    let workbook_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>"#
    );
    let dimension = dimension
        .map(|range| format!(r#"<dimension ref="{range}"/>"#))
        .unwrap_or_default();
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{dimension}{sheet_data}</worksheet>"#
    );
    let mut parts = vec![
        ("[Content_Types].xml", content_types.as_str()),
        ("_rels/.rels", root_rels.as_str()),
        ("xl/workbook.xml", workbook.as_str()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_str()),
        ("xl/worksheets/sheet1.xml", sheet.as_str()),
    ];
    if let Some(strings) = shared_strings {
        parts.push(("xl/sharedStrings.xml", strings));
    }
    zip_parts(&parts)
}

/// A zip of the given parts, the first one stored (an ods's `mimetype` must be), the rest deflated.
fn zip_parts(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (i, (name, text)) in parts.iter().enumerate() {
        let method = if i == 0 && *name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer
            .start_file(*name, options)
            .expect("a zip part starts in memory");
        writer
            .write_all(text.as_bytes())
            .expect("a zip part is written in memory");
    }
    writer
        .finish()
        .expect("a zip in memory finishes")
        .into_inner()
}

/// One worksheet of [`xls`]: its DIMENSIONS (both "last + 1", as BIFF8 stores them) and its numbers
/// as (row, column, value), 0-based.
struct XlsSheet {
    last_row_plus_one: u32,
    last_col_plus_one: u16,
    numbers: Vec<(u16, u16, f64)>,
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
    data.extend_from_slice(&0x0600u16.to_le_bytes());
    data.extend_from_slice(&substream.to_le_bytes());
    data.extend_from_slice(&0x0DBBu16.to_le_bytes());
    data.extend_from_slice(&0x07CCu16.to_le_bytes());
    data.extend_from_slice(&0u32.to_le_bytes());
    data.extend_from_slice(&0x0006u32.to_le_bytes());
    record(out, 0x0809, &data);
}

/// An xls file: an OLE compound file holding a `Workbook` stream of BIFF8 records.
fn xls(sheets: &[XlsSheet]) -> Vec<u8> {
    // The globals: BOF, one BOUNDSHEET8 per sheet (whose offsets are patched below), EOF.
    let mut stream = Vec::new();
    bof(&mut stream, 0x0005);
    let mut offsets_at = Vec::new();
    for (i, _) in sheets.iter().enumerate() {
        let name = format!("Sheet{}", i + 1);
        let mut data = vec![0u8; 4];
        data.extend_from_slice(&[0, 0, name.len() as u8, 0]);
        data.extend_from_slice(name.as_bytes());
        offsets_at.push(stream.len() + 4);
        record(&mut stream, 0x0085, &data);
    }
    record(&mut stream, 0x000A, &[]);
    for (sheet, at) in sheets.iter().zip(offsets_at) {
        let offset = stream.len() as u32;
        stream[at..at + 4].copy_from_slice(&offset.to_le_bytes());
        bof(&mut stream, 0x0010);
        let mut dimensions = Vec::new();
        dimensions.extend_from_slice(&0u32.to_le_bytes());
        dimensions.extend_from_slice(&sheet.last_row_plus_one.to_le_bytes());
        dimensions.extend_from_slice(&0u16.to_le_bytes());
        dimensions.extend_from_slice(&sheet.last_col_plus_one.to_le_bytes());
        dimensions.extend_from_slice(&0u16.to_le_bytes());
        record(&mut stream, 0x0200, &dimensions);
        for (row, col, value) in &sheet.numbers {
            let mut data = Vec::new();
            data.extend_from_slice(&row.to_le_bytes());
            data.extend_from_slice(&col.to_le_bytes());
            data.extend_from_slice(&0u16.to_le_bytes());
            data.extend_from_slice(&value.to_le_bytes());
            record(&mut stream, 0x0203, &data);
        }
        record(&mut stream, 0x000A, &[]);
    }
    compound_file("Workbook", stream)
}

/// A compound file (version 3, 512-byte sectors) with one stream: sector 0 is the FAT, sector 1 the
/// directory, the stream follows. The stream is padded to 4,096 bytes so it lives in regular sectors
/// (no mini stream), which bounds it to the 126 sectors one FAT sector can chain.
fn compound_file(name: &str, mut stream: Vec<u8>) -> Vec<u8> {
    const SECTOR: usize = 512;
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let size = stream.len().max(4096);
    stream.resize(size.div_ceil(SECTOR) * SECTOR, 0);
    let sectors = stream.len() / SECTOR;
    assert!(sectors <= 126, "the test stream fits one FAT sector");

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
    put32(&mut file, 44, 1); // one FAT sector
    put32(&mut file, 48, 1); // the directory starts at sector 1
    put32(&mut file, 56, 4096); // mini stream cutoff
    put32(&mut file, 60, END); // no mini FAT
    put32(&mut file, 68, END); // no DIFAT sectors
    for i in 0..109 {
        put32(&mut file, 76 + 4 * i, if i == 0 { 0 } else { FREE });
    }
    // The FAT, in the sector after the header: itself, the directory, then the stream's chain.
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
    // The directory: the root storage (its child is entry 1), then the stream.
    let dir = 2 * SECTOR;
    for (i, entry_name) in ["Root Entry", name].iter().enumerate() {
        let at = dir + 128 * i;
        let units: Vec<u16> = entry_name.encode_utf16().collect();
        for (j, unit) in units.iter().enumerate() {
            put16(&mut file, at + 2 * j, *unit);
        }
        put16(&mut file, at + 64, ((units.len() + 1) * 2) as u16);
        file[at + 66] = if i == 0 { 5 } else { 2 };
        file[at + 67] = 1; // black
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
    // The header is sector -1: the FAT and directory come after it, then the stream.
    let mut out = file;
    out.extend_from_slice(&stream);
    out
}
