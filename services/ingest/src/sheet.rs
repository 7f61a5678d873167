//! The row model every reader produces and the validator consumes.
//!
//! Readers turn xlsx, xls, xlsb, ods and csv into [`Sheet`]s of [`Row`]s of [`Cell`]s, hiding format
//! differences: dates from date-formatted cells (1900 or 1904 system, ODS ISO dates) are already
//! [`CellValue::Date`], merged ranges are already spread to every cell with `merged` set, formulas carry
//! their cached value with `formula` set, and fully empty rows are never produced.

use chrono::NaiveDate;

/// A value as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell with a date format (or an ODS date); the time of day, if any, is dropped.
    Date(NaiveDate),
    /// An error value such as `#REF!`.
    Error(String),
}

impl CellValue {
    pub fn is_empty(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a partner would read it in the cell, for reports (`"2017-01-28 (date cell)"` for dates).
    pub fn display(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(s) => s.clone(),
            CellValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            CellValue::Number(n) => format!("{n}"),
            CellValue::Bool(b) => b.to_string(),
            CellValue::Date(d) => format!("{d} (date cell)"),
            CellValue::Error(e) => e.clone(),
        }
    }
}

/// One cell with how it got its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: CellValue,
    /// The value was copied from the top-left cell of a merged range this cell belongs to.
    pub merged: bool,
    /// The cell holds a formula; `value` is its cached result.
    pub formula: bool,
}

impl Cell {
    pub fn new(value: CellValue) -> Cell {
        Cell {
            value,
            merged: false,
            formula: false,
        }
    }
}

/// One non-empty row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based sheet row; for CSV, the record number with the header as row 1.
    pub number: u32,
    /// Cells by 0-based column index from column A; trailing empty cells may be absent.
    pub cells: Vec<Cell>,
}

/// Whether `c` is kept in a partner's text: tab and new lines, and no other control character nor a
/// bidirectional override or isolate (which would reverse the text around it on pages).
fn kept(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || !(c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

impl Row {
    /// This row with control characters and bidirectional overrides removed from its texts, and the
    /// columns it removed some from; `None` when there were none (the usual case, which copies
    /// nothing).
    pub fn without_controls(&self) -> Option<(Row, Vec<usize>)> {
        let dirty = |cell: &Cell| matches!(&cell.value, CellValue::Text(t) if !t.chars().all(kept));
        if !self.cells.iter().any(dirty) {
            return None;
        }
        let mut columns = Vec::new();
        let cells = self
            .cells
            .iter()
            .enumerate()
            .map(|(col, cell)| {
                let mut cell = cell.clone();
                if let CellValue::Text(text) = &cell.value
                    && !text.chars().all(kept)
                {
                    columns.push(col);
                    cell.value = CellValue::Text(text.chars().filter(|&c| kept(c)).collect());
                }
                cell
            })
            .collect();
        Some((
            Row {
                number: self.number,
                cells,
            },
            columns,
        ))
    }

    pub fn get(&self, col: usize) -> Option<&Cell> {
        self.cells.get(col)
    }
}

/// Why a sheet is not read as data (said in the report as `sheet.skipped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Visible,
    Hidden,
}

/// One sheet of a workbook (or the single table of a CSV file).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Null for CSV.
    pub name: Option<String>,
    pub visibility: Visibility,
    /// Non-empty rows in order.
    pub rows: Vec<Row>,
}
