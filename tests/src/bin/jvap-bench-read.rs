//! The baseline of `make bench`: a bare calamine read that opens a workbook and touches every cell of
//! every sheet, doing nothing else. `jvap-bench-read FILE` prints the number of non-empty cells.

use anyhow::Context;
use calamine::{Data, Reader, open_workbook_auto};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: jvap-bench-read FILE")?;
    let mut workbook = open_workbook_auto(&path).with_context(|| format!("opening {path}"))?;
    let mut cells = 0u64;
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name)?;
        cells += range
            .used_cells()
            .filter(|(_, _, value)| !matches!(value, Data::Empty))
            .count() as u64;
    }
    println!("{cells}");
    Ok(())
}
