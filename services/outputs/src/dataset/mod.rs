//! The consolidated dataset of a round: workbook (xlsx), JSON and CSV, written from the same rows.
//!
//! One table definition ([`table`]) says which columns the Initiatives sheet and the CSV have and what
//! each cell holds, from [`jvap_record::FIELDS`]; the writers only decide how a cell is encoded.
//!
//! - [`write_xlsx`]: `Read me`, `Initiatives` (constant memory), `Initiative countries`, the summary sheets
//!   with charts, `Tracker`, `Possible duplicates` and `Data quality` (see [`xlsx`]).
//! - [`write_json`]: `{ round, version, generated_at, counts, changes, duplicates, figures, initiatives }`
//!   (`schemas/dataset.schema.json`).
//! - [`write_csv`]: the Initiatives columns, UTF-8 with BOM, safe against formula injection.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::changes::ChangeLog;
use crate::duplicates::PossibleDuplicate;
use crate::figures::Figures;
use crate::round::DatasetInitiative;

pub(crate) mod csv;
mod json;
pub mod table;
pub mod xlsx;

pub use self::csv::write_csv;
pub use self::json::write_json;
pub use self::xlsx::write_xlsx;

/// The headline counts of a dataset version, shown in the read-me sheet and the JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetCounts {
    pub initiatives: u64,
    /// Partners with at least one initiative in this version.
    pub partners: u64,
    /// Submissions the current initiatives come from.
    pub submissions: u64,
}

impl DatasetCounts {
    pub fn of(initiatives: &[DatasetInitiative]) -> DatasetCounts {
        let partners: BTreeSet<&str> = initiatives.iter().map(|i| i.partner.as_str()).collect();
        let submissions: BTreeSet<&str> = initiatives
            .iter()
            .map(|i| i.submission_id.as_str())
            .collect();
        DatasetCounts {
            initiatives: initiatives.len() as u64,
            partners: partners.len() as u64,
            submissions: submissions.len() as u64,
        }
    }
}

/// The JSON dataset as [`write_json`] writes it, for readers (aggregation, the CLI, tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub round: String,
    pub version: u32,
    pub generated_at: DateTime<Utc>,
    pub counts: DatasetCounts,
    /// The change log against the previous version (absent in files written before it existed).
    #[serde(default)]
    pub changes: Option<ChangeLog>,
    /// Possible duplicates across partners, best score first.
    #[serde(default)]
    pub duplicates: Option<Vec<PossibleDuplicate>>,
    /// Every figure of the version, as the workbook and the summary show them.
    #[serde(default)]
    pub figures: Option<Figures>,
    pub initiatives: Vec<DatasetInitiative>,
}

/// A dataset file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("writing the dataset workbook failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the dataset JSON failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("writing the dataset CSV failed: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("writing the dataset CSV failed: {0}")]
    Io(#[from] std::io::Error),
}
