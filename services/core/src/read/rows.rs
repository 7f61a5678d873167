//! Building [`Row`]s from cells given in sheet order, and spreading merged ranges over them.

use crate::sheet::{Cell, CellValue, Row};

use super::FileError;

/// Collects cells (0-based absolute positions, row-major order) into non-empty rows.
///
/// Empty cells are never stored, so formatted empty rows cost nothing; a row is kept only when one of its
/// cells has a non-empty value. Counting stops with [`FileError::TooManyRows`] as soon as the sheet
/// passes `max_rows` non-empty rows, before the rest is read.
pub(crate) struct RowsBuilder<'a> {
    /// How the sheet is named in the detail of [`FileError::TooManyRows`]: `sheet 'Projects'`.
    label: &'a str,
    max_rows: u32,
    rows: Vec<Row>,
    current: Option<Row>,
    in_order: bool,
}

impl<'a> RowsBuilder<'a> {
    pub(crate) fn new(label: &'a str, max_rows: u32) -> Self {
        RowsBuilder {
            label,
            max_rows,
            rows: Vec::new(),
            current: None,
            in_order: true,
        }
    }

    /// Add one cell at 0-based absolute `(row, col)`. Empty values without a formula are ignored.
    pub(crate) fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), FileError> {
        if cell.value == CellValue::Empty && !cell.formula {
            return Ok(());
        }
        let number = row.saturating_add(1);
        if self
            .current
            .as_ref()
            .is_none_or(|current| current.number != number)
        {
            self.flush()?;
            self.current = Some(Row {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(current) = self.current.as_mut() {
            let col = col as usize;
            if current.cells.len() <= col {
                current.cells.resize(col + 1, Cell::new(CellValue::Empty));
            }
            current.cells[col] = cell;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), FileError> {
        let Some(mut row) = self.current.take() else {
            return Ok(());
        };
        if row.cells.iter().all(|cell| cell.value.is_empty()) {
            return Ok(());
        }
        trim_trailing(&mut row.cells);
        if self
            .rows
            .last()
            .is_some_and(|last| last.number >= row.number)
        {
            self.in_order = false;
        }
        self.rows.push(row);
        if self.rows.len() as u64 > u64::from(self.max_rows) {
            return Err(FileError::TooManyRows(format!(
                "{} has more than {} non-empty rows",
                self.label, self.max_rows
            )));
        }
        Ok(())
    }

    /// The rows in sheet order. Cells given out of order (allowed by the formats, never seen from Excel)
    /// are sorted and rows with the same number joined.
    pub(crate) fn finish(mut self) -> Result<Vec<Row>, FileError> {
        self.flush()?;
        let mut rows = self.rows;
        if !self.in_order {
            rows.sort_by_key(|row| row.number);
            let mut joined: Vec<Row> = Vec::with_capacity(rows.len());
            for row in rows {
                match joined.last_mut() {
                    Some(last) if last.number == row.number => {
                        for (col, cell) in row.cells.into_iter().enumerate() {
                            if cell.value == CellValue::Empty && !cell.formula {
                                continue;
                            }
                            if last.cells.len() <= col {
                                last.cells.resize(col + 1, Cell::new(CellValue::Empty));
                            }
                            last.cells[col] = cell;
                        }
                    }
                    _ => joined.push(row),
                }
            }
            rows = joined;
            if rows.len() as u64 > u64::from(self.max_rows) {
                return Err(FileError::TooManyRows(format!(
                    "{} has more than {} non-empty rows",
                    self.label, self.max_rows
                )));
            }
        }
        Ok(rows)
    }
}

fn trim_trailing(cells: &mut Vec<Cell>) {
    while cells
        .last()
        .is_some_and(|cell| cell.value == CellValue::Empty && !cell.formula)
    {
        cells.pop();
    }
}

/// A merged range, 0-based inclusive `(row, col)` corners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Merge {
    pub(crate) start: (u32, u32),
    pub(crate) end: (u32, u32),
}

/// Copy each merged range's top-left value to every cell of the range, with `merged` set on all of them.
///
/// Ranges of a single cell, and ranges whose top-left cell is empty, change nothing. A range is clipped
/// to the rows and columns that hold data, so a banner merged over whole columns (or a crafted
/// `A1:XFD1048576`) costs no more than the data itself; rows inside the data that only the range fills
/// (the second line of a two-row banner) are created.
pub(crate) fn apply_merges(rows: &mut Vec<Row>, merges: &[Merge]) {
    let Some(last) = rows.last() else {
        return;
    };
    let last_row = last.number - 1;
    let last_col = rows.iter().map(|row| row.cells.len()).max().unwrap_or(0) as u32;
    for merge in merges {
        let (r0, c0) = merge.start;
        let (r1, c1) = (
            merge.end.0.min(last_row),
            merge.end.1.min(last_col.saturating_sub(1)),
        );
        if merge.start == merge.end || r0 > r1 || c0 > c1 {
            continue;
        }
        let Ok(top) = rows.binary_search_by_key(&(r0 + 1), |row| row.number) else {
            continue;
        };
        let Some(value) = rows[top].get(c0 as usize).map(|cell| cell.value.clone()) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        for r in r0..=r1 {
            let index = match rows.binary_search_by_key(&(r + 1), |row| row.number) {
                Ok(index) => index,
                Err(index) => {
                    rows.insert(
                        index,
                        Row {
                            number: r + 1,
                            cells: Vec::new(),
                        },
                    );
                    index
                }
            };
            let cells = &mut rows[index].cells;
            if cells.len() <= c1 as usize {
                cells.resize(c1 as usize + 1, Cell::new(CellValue::Empty));
            }
            for cell in &mut cells[c0 as usize..=c1 as usize] {
                cell.value = value.clone();
                cell.merged = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::new(CellValue::Text(s.into()))
    }

    #[test]
    fn formatted_empty_and_blank_rows_are_not_produced() {
        let mut builder = RowsBuilder::new("S", 10);
        builder.push(0, 0, text("a")).unwrap();
        builder.push(1, 0, Cell::new(CellValue::Empty)).unwrap();
        builder.push(2, 3, text("   ")).unwrap();
        builder.push(3, 2, text("b")).unwrap();
        let rows = builder.finish().unwrap();
        assert_eq!(
            rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![1, 4]
        );
        assert_eq!(rows[1].cells.len(), 3);
    }

    #[test]
    fn more_rows_than_the_limit_name_the_sheet() {
        let mut builder = RowsBuilder::new("sheet 'Projects'", 2);
        let mut result = Ok(());
        for r in 0..5 {
            result = result.and(builder.push(r, 0, text("x")));
        }
        let error = result.and(builder.finish().map(|_| ())).unwrap_err();
        assert!(
            matches!(error, FileError::TooManyRows(ref d) if d.contains("Projects")),
            "{error:?}"
        );
    }

    #[test]
    fn a_merged_range_gives_its_value_to_every_cell_and_creates_rows_it_fills() {
        let mut builder = RowsBuilder::new("S", 10);
        builder.push(0, 0, text("Banner")).unwrap();
        builder.push(2, 0, text("x")).unwrap();
        builder.push(2, 4, text("y")).unwrap();
        let mut rows = builder.finish().unwrap();
        apply_merges(
            &mut rows,
            &[Merge {
                start: (0, 0),
                end: (1, 2),
            }],
        );
        assert_eq!(
            rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        for row in &rows[..2] {
            for cell in &row.cells[..3] {
                assert_eq!(cell.value, CellValue::Text("Banner".into()));
                assert!(cell.merged);
            }
        }
        assert!(!rows[2].cells[0].merged);
    }

    #[test]
    fn a_merge_over_whole_columns_is_clipped_to_the_data() {
        let mut builder = RowsBuilder::new("S", 10);
        builder.push(0, 0, text("Title")).unwrap();
        builder.push(1, 1, text("x")).unwrap();
        let mut rows = builder.finish().unwrap();
        apply_merges(
            &mut rows,
            &[Merge {
                start: (0, 0),
                end: (1_048_575, 16_383),
            }],
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells.len(), 2);
        assert_eq!(rows[1].cells[1].value, CellValue::Text("Title".into()));
    }
}
