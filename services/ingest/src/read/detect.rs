//! Format sniffing from the bytes: magic numbers first, then the entries of a zip, then text versus binary.

use std::io::{Read, Seek};

use super::{FileError, Format};

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A zip archive (xlsx, xlsb, ods, or something else zipped).
    Zip,
    /// An OLE compound file (xls, or a password-protected OOXML workbook).
    Cfb,
    /// Text: read as CSV.
    Text,
    /// Not a spreadsheet; what it looks like, for the report.
    Other(&'static str),
}

const ZIP: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// How many leading bytes decide between text and binary.
const TEXT_SAMPLE: usize = 64 * 1024;

/// Decide the broad kind of file from its first bytes.
pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(ZIP) || bytes.starts_with(ZIP_EMPTY) {
        return Sniffed::Zip;
    }
    if bytes.starts_with(CFB) {
        return Sniffed::Cfb;
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"{\\rtf", "an RTF document"),
    ];
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Sniffed::Other(what);
        }
    }
    if looks_like_text(bytes) {
        markup(bytes).map_or(Sniffed::Text, Sniffed::Other)
    } else {
        Sniffed::Other("binary data, not text or a workbook")
    }
}

/// A web page or an XML file saved with a spreadsheet's name (web systems' "export to Excel" often
/// writes an HTML table as `.xls`): what it is, for the report.
fn markup(bytes: &[u8]) -> Option<&'static str> {
    let start = &bytes[..bytes.len().min(4096)];
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let at = start.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = String::from_utf8_lossy(&start[at..]).to_ascii_lowercase();
    if ["<!doctype html", "<html", "<table", "<head", "<body"]
        .iter()
        .any(|tag| head.starts_with(tag))
    {
        return Some(
            "a web page (HTML) saved with a spreadsheet's name: open it in Excel or LibreOffice and save it as .xlsx",
        );
    }
    if head.starts_with("mime-version:") {
        return Some(
            "a saved web page (MHTML): open it in Excel or LibreOffice and save it as .xlsx",
        );
    }
    if head.starts_with("<?xml") || head.starts_with('<') {
        if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Some(
                "an Excel 2003 XML spreadsheet, which cannot be read: open it in Excel or LibreOffice and save it as .xlsx",
            );
        }
        if head.starts_with("<?xml") {
            return Some("an XML file, not a spreadsheet");
        }
    }
    None
}

/// Text has no NUL bytes (unless UTF-16 with a BOM) and almost no other control characters.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true; // UTF-16 with a byte-order mark, as Excel's "Unicode text" export writes
    }
    let sample = &bytes[..bytes.len().min(TEXT_SAMPLE)];
    let mut controls = 0usize;
    for &b in sample {
        match b {
            0 => return false,
            b'\t' | b'\n' | b'\r' | 0x0C | 0x1A => {}
            0x01..=0x1F | 0x7F => controls += 1,
            _ => {}
        }
    }
    // A stray control character or two happens in hand-edited text; random bytes have ~12%.
    controls * 100 <= sample.len()
}

/// The workbook format inside a zip, from its entries.
pub(crate) fn zip_format<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<Format, FileError> {
    let has = |archive: &zip::ZipArchive<R>, wanted: &str| {
        archive
            .file_names()
            .any(|name| name.is_ok_and(|name| name.eq_ignore_ascii_case(wanted)))
    };
    if has(archive, "xl/workbook.xml") {
        return Ok(Format::Xlsx);
    }
    if has(archive, "xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if let Some(mimetype) = read_mimetype(archive) {
        let mimetype = mimetype.trim();
        if mimetype.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if mimetype.starts_with("application/vnd.oasis.opendocument.text") {
            return Err(FileError::WrongType("an OpenDocument text document".into()));
        }
        if mimetype.starts_with("application/vnd.oasis.opendocument.presentation") {
            return Err(FileError::WrongType("an OpenDocument presentation".into()));
        }
    }
    if has(archive, "word/document.xml") {
        return Err(FileError::WrongType("a Word document".into()));
    }
    if has(archive, "ppt/presentation.xml") {
        return Err(FileError::WrongType("a PowerPoint presentation".into()));
    }
    Err(FileError::WrongType(
        "a zip archive without a workbook inside".into(),
    ))
}

/// The OpenDocument `mimetype` entry, read at most 200 bytes of it.
fn read_mimetype<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Option<String> {
    let entry = archive.by_name("mimetype").ok()?;
    let mut text = String::new();
    entry.take(200).read_to_string(&mut text).ok()?;
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_recognised_by_its_header() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"),
            Sniffed::Other("a PDF document")
        );
    }

    #[test]
    fn semicolon_text_in_windows_1252_is_text() {
        assert_eq!(
            sniff(b"Pays de mise en \x9Cuvre;Type\r\nFrance;Projet\r\n"),
            Sniffed::Text
        );
    }

    #[test]
    fn web_pages_and_xml_saved_as_spreadsheets_are_named_for_what_they_are() {
        let html =
            b"\xEF\xBB\xBF\n  <!DOCTYPE html><html><body><table><tr><td>Title</td></tr></table>";
        assert!(
            matches!(sniff(html), Sniffed::Other(what) if what.starts_with("a web page (HTML)"))
        );
        assert!(matches!(
            sniff(b"<table border=1><tr><td>x</td></tr></table>"),
            Sniffed::Other(_)
        ));
        let xml = b"<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">";
        assert!(
            matches!(sniff(xml), Sniffed::Other(what) if what.starts_with("an Excel 2003 XML"))
        );
        assert!(matches!(
            sniff(b"<?xml version=\"1.0\"?><rows/>"),
            Sniffed::Other("an XML file, not a spreadsheet")
        ));
        assert_eq!(
            sniff(b"Title;Type\r\n<b>bold</b>;Project\r\n"),
            Sniffed::Text
        );
    }

    #[test]
    fn bytes_with_nul_are_binary() {
        assert!(matches!(sniff(b"abc\0def"), Sniffed::Other(_)));
    }
}
