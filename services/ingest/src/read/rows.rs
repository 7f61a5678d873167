//! Building [`Row`]s from cells given in sheet order, and spreading merged ranges over them.

use crate::sheet::{Cell, CellValue, Row};

use super::FileError;

/// The most columns a sheet can have in any format read (XFD in xlsx and xlsb, 16,384 in ods, 256 in xls).
/// A cell past it is a damaged or crafted file: its position would size a row of gigabytes.
pub(crate) const MAX_COLUMNS: u32 = 16_384;

/// Cell positions the rows of one sheet may hold (their non-empty cells, the empty ones padding a row up
/// to a cell far to the right, those a merged range fills in): this many, plus [`SLOTS_PER_CELL`] per
/// non-empty cell. One value in column XFD on each of many rows, or a merge spanning them, would otherwise
/// turn a file of a few kilobytes into gigabytes of empty cells.
const FREE_SLOTS: u64 = 1 << 20;
const SLOTS_PER_CELL: u64 = 16;

fn slot_budget(non_empty: u64) -> u64 {
    FREE_SLOTS.saturating_add(non_empty.saturating_mul(SLOTS_PER_CELL))
}

fn too_sparse(label: &str, non_empty: u64) -> FileError {
    FileError::Corrupt(format!(
        "{label} scatters its {non_empty} values over too many empty cells to be read"
    ))
}

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
    /// Cells pushed with a value (or a formula), and cell positions the rows hold: see [`slot_budget`].
    non_empty: u64,
    slots: u64,
}

impl<'a> RowsBuilder<'a> {
    pub(crate) fn new(label: &'a str, max_rows: u32) -> Self {
        RowsBuilder {
            label,
            max_rows,
            rows: Vec::new(),
            current: None,
            in_order: true,
            non_empty: 0,
            slots: 0,
        }
    }

    /// Add one cell at 0-based absolute `(row, col)`. Empty values without a formula are ignored.
    pub(crate) fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), FileError> {
        if cell.value == CellValue::Empty && !cell.formula {
            return Ok(());
        }
        if col >= MAX_COLUMNS {
            return Err(FileError::Corrupt(format!(
                "{} has a cell in column {}, past the last column a sheet can have ({MAX_COLUMNS})",
                self.label,
                u64::from(col) + 1
            )));
        }
        self.non_empty += 1;
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
                self.slots += (col + 1 - current.cells.len()) as u64;
                if self.slots > slot_budget(self.non_empty) {
                    return Err(too_sparse(self.label, self.non_empty));
                }
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

/// Why streaming a sheet stopped: a file error, or cells out of order (the caller reads the file
/// whole instead, with [`RowsBuilder`] sorting them).
#[derive(Debug)]
pub(crate) enum StreamError {
    File(FileError),
    Unordered,
}

impl From<FileError> for StreamError {
    fn from(error: FileError) -> Self {
        StreamError::File(error)
    }
}

/// [`RowsBuilder`] without the rows: each non-empty row goes to `emit` as soon as the next row starts
/// (cells come row by row in sheet order), so a sheet is never held whole. Same checks, same rows, as
/// long as the cells are in order; a row coming after a later one is [`StreamError::Unordered`].
pub(crate) struct RowStream<'a> {
    label: &'a str,
    max_rows: u32,
    current: Option<Row>,
    /// The number of the last row emitted (0: none yet) and how many were.
    last: u32,
    emitted: u64,
    non_empty: u64,
    slots: u64,
}

impl<'a> RowStream<'a> {
    pub(crate) fn new(label: &'a str, max_rows: u32) -> Self {
        RowStream {
            label,
            max_rows,
            current: None,
            last: 0,
            emitted: 0,
            non_empty: 0,
            slots: 0,
        }
    }

    /// Add one cell at 0-based absolute `(row, col)`. Empty values without a formula are ignored.
    pub(crate) fn push(
        &mut self,
        row: u32,
        col: u32,
        cell: Cell,
        emit: &mut impl FnMut(Row),
    ) -> Result<(), StreamError> {
        if cell.value == CellValue::Empty && !cell.formula {
            return Ok(());
        }
        if col >= MAX_COLUMNS {
            return Err(FileError::Corrupt(format!(
                "{} has a cell in column {}, past the last column a sheet can have ({MAX_COLUMNS})",
                self.label,
                u64::from(col) + 1
            ))
            .into());
        }
        self.non_empty += 1;
        let number = row.saturating_add(1);
        if self
            .current
            .as_ref()
            .is_none_or(|current| current.number != number)
        {
            self.flush(emit)?;
            self.current = Some(Row {
                number,
                cells: Vec::with_capacity(24),
            });
        }
        if let Some(current) = self.current.as_mut() {
            let col = col as usize;
            if current.cells.len() <= col {
                self.slots += (col + 1 - current.cells.len()) as u64;
                if self.slots > slot_budget(self.non_empty) {
                    return Err(too_sparse(self.label, self.non_empty).into());
                }
                current.cells.resize(col + 1, Cell::new(CellValue::Empty));
            }
            current.cells[col] = cell;
        }
        Ok(())
    }

    fn flush(&mut self, emit: &mut impl FnMut(Row)) -> Result<(), StreamError> {
        let Some(mut row) = self.current.take() else {
            return Ok(());
        };
        if row.cells.iter().all(|cell| cell.value.is_empty()) {
            return Ok(());
        }
        trim_trailing(&mut row.cells);
        if self.last >= row.number {
            return Err(StreamError::Unordered);
        }
        self.last = row.number;
        self.emitted += 1;
        if self.emitted > u64::from(self.max_rows) {
            return Err(FileError::TooManyRows(format!(
                "{} has more than {} non-empty rows",
                self.label, self.max_rows
            ))
            .into());
        }
        emit(row);
        Ok(())
    }

    /// The sheet's last row.
    pub(crate) fn finish(mut self, emit: &mut impl FnMut(Row)) -> Result<(), StreamError> {
        self.flush(emit)
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
/// (the second line of a two-row banner) are created. Ranges that would fill in more cells than the
/// sheet's values justify ([`slot_budget`]; a crafted file merging one value over every row of a very
/// wide, sparse sheet) make the sheet unreadable: a [`FileError::Corrupt`] naming `label`.
pub(crate) fn apply_merges(
    rows: &mut Vec<Row>,
    merges: &[Merge],
    label: &str,
) -> Result<(), FileError> {
    let Some(last) = rows.last() else {
        return Ok(());
    };
    let non_empty = rows
        .iter()
        .flat_map(|row| &row.cells)
        .filter(|cell| cell.value != CellValue::Empty || cell.formula)
        .count() as u64;
    let mut slots: u64 = rows.iter().map(|row| row.cells.len() as u64).sum();
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
        let area = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
        slots = slots.saturating_add(area);
        if slots > slot_budget(non_empty) {
            return Err(too_sparse(label, non_empty));
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
    Ok(())
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
            "S",
        )
        .unwrap();
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
            "S",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells.len(), 2);
        assert_eq!(rows[1].cells[1].value, CellValue::Text("Title".into()));
    }

    /// Fuzzing: a 4 KB xlsx whose cell reference was `ZZZZZZ3` (column 321,272,406) made the row
    /// allocate 12.8 GB of empty cells.
    #[test]
    fn a_cell_past_the_last_column_is_a_damaged_file_not_a_huge_row() {
        let mut builder = RowsBuilder::new("sheet 'S'", 10);
        let error = builder.push(2, 321_272_405, text("1")).unwrap_err();
        assert!(
            matches!(error, FileError::Corrupt(ref d) if d.contains("sheet 'S'") && d.contains("321272406")),
            "{error:?}"
        );
        let mut builder = RowsBuilder::new("S", 10);
        builder
            .push(0, MAX_COLUMNS - 1, text("far right, still read"))
            .unwrap();
        assert_eq!(
            builder.finish().unwrap()[0].cells.len(),
            MAX_COLUMNS as usize
        );
    }

    #[test]
    fn many_rows_padded_to_the_last_column_are_refused_before_they_are_built() {
        let mut builder = RowsBuilder::new("sheet 'S'", 1_048_576);
        let mut result = Ok(());
        let mut r = 0;
        while result.is_ok() && r < 1_000 {
            result = builder.push(r, MAX_COLUMNS - 1, text("x"));
            r += 1;
        }
        assert!(
            matches!(result, Err(FileError::Corrupt(ref d)) if d.contains("sheet 'S'")),
            "{result:?}"
        );
        assert!(r < 100, "refused only after {r} rows");
        // A normal sheet, with a note far to the right on a few rows, is read.
        let mut builder = RowsBuilder::new("S", 1_048_576);
        for r in 0..5_000 {
            for c in 0..20 {
                builder.push(r, c, text("v")).unwrap();
            }
            if r % 100 == 0 {
                builder.push(r, 300, text("note")).unwrap();
            }
        }
        assert_eq!(builder.finish().unwrap().len(), 5_000);
    }

    #[test]
    fn a_merge_filling_a_wide_sparse_sheet_is_refused() {
        let mut builder = RowsBuilder::new("S", 1_048_576);
        builder.push(0, 0, text("Banner")).unwrap();
        builder.push(100_000, MAX_COLUMNS - 1, text("x")).unwrap();
        let mut rows = builder.finish().unwrap();
        let merge = Merge {
            start: (0, 0),
            end: (100_000, MAX_COLUMNS - 1),
        };
        let error = apply_merges(&mut rows, &[merge], "sheet 'S'").unwrap_err();
        assert!(
            matches!(error, FileError::Corrupt(ref d) if d.contains("sheet 'S'")),
            "{error:?}"
        );
        assert_eq!(rows.len(), 2, "nothing filled in before refusing");
    }
}
