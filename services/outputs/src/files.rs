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

/// One file of a dataset version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatasetFile {
    Xlsx,
    Json,
    Csv,
    SummaryEnHtml,
    SummaryFrHtml,
    SummaryEnMd,
    SummaryFrMd,
}

impl DatasetFile {
    /// Every file, in the order they are listed; [`build`] writes the workbook apart from the
    /// others, and puts it first.
    pub const ALL: [DatasetFile; 7] = [
        DatasetFile::Xlsx,
        DatasetFile::Json,
        DatasetFile::Csv,
        DatasetFile::SummaryEnHtml,
        DatasetFile::SummaryFrHtml,
        DatasetFile::SummaryEnMd,
        DatasetFile::SummaryFrMd,
    ];

    /// The file's name in the version: `dataset.xlsx`, `summary.fr.html`.
    pub const fn name(self) -> &'static str {
        match self {
            DatasetFile::Xlsx => "dataset.xlsx",
            DatasetFile::Json => "dataset.json",
            DatasetFile::Csv => "dataset.csv",
            DatasetFile::SummaryEnHtml => "summary.en.html",
            DatasetFile::SummaryFrHtml => "summary.fr.html",
            DatasetFile::SummaryEnMd => "summary.en.md",
            DatasetFile::SummaryFrMd => "summary.fr.md",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            DatasetFile::Xlsx => XLSX,
            DatasetFile::Json => "application/json",
            DatasetFile::Csv => "text/csv; charset=utf-8",
            DatasetFile::SummaryEnHtml | DatasetFile::SummaryFrHtml => "text/html; charset=utf-8",
            DatasetFile::SummaryEnMd | DatasetFile::SummaryFrMd => "text/markdown; charset=utf-8",
        }
    }

    /// The file of that name, if it is one.
    pub fn from_name(name: &str) -> Option<DatasetFile> {
        DatasetFile::ALL
            .into_iter()
            .find(|file| file.name() == name)
    }
}

const _: () = assert!(matches!(DatasetFile::ALL[0], DatasetFile::Xlsx));

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One built file.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Build every [`DatasetFile`] for `data`, from one [`Figures`], the workbook in English.
pub fn build(data: &RoundData<'_>) -> Result<Vec<OutputFile>, DatasetError> {
    build_in(Lang::En, data)
}

/// Build every [`DatasetFile`] for `data`, from one [`Figures`], the workbook in `lang` (the
/// summaries are in both languages either way).
///
/// The workbook's long sheets, which need no figures, are written on other threads while the figures
/// are computed and the other files written; the workbook is finished last.
pub fn build_in(lang: Lang, data: &RoundData<'_>) -> Result<Vec<OutputFile>, DatasetError> {
    let contents: Vec<Result<Vec<u8>, DatasetError>> = std::thread::scope(|scope| {
        let long_sheets = scope.spawn(|| LongSheets::write(lang, data));
        let figures = Figures::compute(data);
        let others: Vec<_> = DatasetFile::ALL[1..]
            .iter()
            .map(|file| {
                Ok(match file {
                    DatasetFile::Json => dataset::write_json(data, &figures)?,
                    DatasetFile::Csv => dataset::write_csv(data.meta, data.initiatives)?,
                    DatasetFile::SummaryEnHtml => summary::html(&figures, Lang::En).into_bytes(),
                    DatasetFile::SummaryFrHtml => summary::html(&figures, Lang::Fr).into_bytes(),
                    DatasetFile::SummaryEnMd => summary::markdown(&figures, Lang::En).into_bytes(),
                    DatasetFile::SummaryFrMd => summary::markdown(&figures, Lang::Fr).into_bytes(),
                    // Not among these: written apart, below.
                    DatasetFile::Xlsx => Vec::new(),
                })
            })
            .collect();
        // The workbook is the first file of DatasetFile::ALL.
        let workbook = joined(long_sheets).and_then(|sheets| sheets.finish(data, &figures));
        std::iter::once(workbook).chain(others).collect()
    });
    DatasetFile::ALL
        .iter()
        .zip(contents)
        .map(|(file, bytes)| {
            Ok(OutputFile {
                name: file.name(),
                content_type: file.content_type(),
                bytes: bytes?,
            })
        })
        .collect()
}
