//! Everything published for one dataset version of a round, from one computation ([`Figures`]):
//! the consolidated workbook, the JSON and CSV datasets, and the Steering Committee summaries (HTML and
//! Markdown, English and French). The aggregation service and `jvap consolidate` both call [`build`],
//! so they write exactly the same files.

use crate::dataset::xlsx::LongSheets;
use crate::dataset::{self, DatasetError};
use crate::figures::Figures;
use crate::round::RoundData;
use crate::summary;
use crate::threads::joined;
use jvap_record::Lang;

/// The files of one dataset version: `(file name, content type)`, in the order they are listed.
pub const FILES: [(&str, &str); 7] = [
    ("dataset.xlsx", XLSX),
    ("dataset.json", "application/json"),
    ("dataset.csv", "text/csv; charset=utf-8"),
    ("summary.en.html", "text/html; charset=utf-8"),
    ("summary.fr.html", "text/html; charset=utf-8"),
    ("summary.en.md", "text/markdown; charset=utf-8"),
    ("summary.fr.md", "text/markdown; charset=utf-8"),
];

/// [`build`] writes the workbook apart from the other files, and puts it first.
const _: () = assert!(matches!(FILES[0].0.as_bytes(), b"dataset.xlsx"));

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One built file.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Build every file of [`FILES`] for `data`, from one [`Figures`].
///
/// The workbook's long sheets, which need no figures, are written on other threads while the figures
/// are computed and the other files written; the workbook is finished last.
pub fn build(data: &RoundData<'_>) -> Result<Vec<OutputFile>, DatasetError> {
    let contents: Vec<Result<Vec<u8>, DatasetError>> = std::thread::scope(|scope| {
        let long_sheets = scope.spawn(|| LongSheets::write(data));
        let figures = Figures::compute(data);
        let others: Vec<_> = FILES
            .iter()
            .skip(1)
            .map(|&(name, _)| {
                Ok(match name {
                    "dataset.json" => dataset::write_json(data, &figures)?,
                    "dataset.csv" => dataset::write_csv(data.meta, data.initiatives)?,
                    "summary.en.html" => summary::html(&figures, Lang::En).into_bytes(),
                    "summary.fr.html" => summary::html(&figures, Lang::Fr).into_bytes(),
                    "summary.en.md" => summary::markdown(&figures, Lang::En).into_bytes(),
                    _ => summary::markdown(&figures, Lang::Fr).into_bytes(),
                })
            })
            .collect();
        // The workbook is the first file (checked when compiling, below FILES).
        let workbook = joined(long_sheets).and_then(|sheets| sheets.finish(data, &figures));
        std::iter::once(workbook).chain(others).collect()
    });
    FILES
        .iter()
        .zip(contents)
        .map(|(&(name, content_type), bytes)| {
            Ok(OutputFile {
                name,
                content_type,
                bytes: bytes?,
            })
        })
        .collect()
}
