//! Merged ranges of an ODS workbook, which calamine does not expose.
//!
//! ODS marks a merged range on its top-left cell with `table:number-rows-spanned` and
//! `table:number-columns-spanned`; the cells it covers are `table:covered-table-cell`. This walks
//! `content.xml` once more with quick-xml (the parser calamine already uses), streaming from the zip
//! entry and keeping nothing but the positions: rows are counted with `table:number-rows-repeated`,
//! columns with `table:number-columns-repeated`. The cost is a second XML pass over `content.xml`,
//! about what calamine spends parsing it, with no allocation per cell.
//!
//! Merges are best effort: calamine has already read the file, so anything this walk cannot parse just
//! ends it with the ranges found so far.

use std::collections::HashMap;
use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};

use super::rows::Merge;

/// The merged ranges of every sheet, by sheet name.
pub(crate) fn merges(bytes: &[u8]) -> HashMap<String, Vec<Merge>> {
    let mut found = HashMap::new();
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return found;
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return found;
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, content));
    let mut buf = Vec::new();
    let mut sheet: Option<String> = None;
    // Nesting depth of tables: a table inside a cell (rare) must not move the outer positions.
    let mut depth = 0usize;
    let (mut row, mut col) = (0u32, 0u32);
    let mut row_repeat = 1u32;
    loop {
        buf.clear();
        let (element, is_empty) = match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.local_name().as_ref() {
                    "table" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            sheet = None;
                        }
                    }
                    "table-row" if depth == 1 => row = row.saturating_add(row_repeat),
                    _ => {}
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match element.local_name().as_ref() {
            "table" => {
                if is_empty {
                    continue;
                }
                depth += 1;
                if depth == 1 {
                    sheet = attr_text(&element, "table:name");
                    (row, col) = (0, 0);
                }
            }
            "table-row" if depth == 1 => {
                col = 0;
                row_repeat = attr_u32(&element, "table:number-rows-repeated")
                    .unwrap_or(1)
                    .max(1);
                if is_empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            "table-cell" | "covered-table-cell" if depth == 1 => {
                let rows = attr_u32(&element, "table:number-rows-spanned").unwrap_or(1);
                let cols = attr_u32(&element, "table:number-columns-spanned").unwrap_or(1);
                if (rows > 1 || cols > 1)
                    && let Some(name) = &sheet
                {
                    found
                        .entry(name.clone())
                        .or_insert_with(Vec::new)
                        .push(Merge {
                            start: (row, col),
                            end: (
                                row.saturating_add(rows.max(1) - 1),
                                col.saturating_add(cols.max(1) - 1),
                            ),
                        });
                }
                let repeat = attr_u32(&element, "table:number-columns-repeated").unwrap_or(1);
                col = col.saturating_add(repeat.max(1));
            }
            _ => {}
        }
    }
    found
}

fn attr_text(element: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = element.try_get_attribute(name).ok()??;
    quick_xml::escape::unescape(&attribute.value)
        .ok()
        .map(|value| value.into_owned())
}

fn attr_u32(element: &BytesStart<'_>, name: &str) -> Option<u32> {
    let attribute = element.try_get_attribute(name).ok()??;
    attribute.value.trim().parse().ok()
}
