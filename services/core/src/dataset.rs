//! The consolidated dataset of a round: workbook (xlsx), JSON and CSV, written from the same rows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Initiative;

/// What identifies a published dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetMeta {
    pub round: String,
    pub version: u32,
    pub generated_at: DateTime<Utc>,
}

/// One initiative as it stands in the consolidated dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInitiative {
    /// The reporting partner's code.
    pub partner: String,
    /// The submission the current version of this initiative came from.
    pub submission_id: String,
    #[serde(flatten)]
    pub record: Initiative,
    /// The warnings carried from validation, as codes with the cell, e.g. `currency.assumed_eur@S9`.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The consolidated workbook (stub until the writer lands).
pub fn write_xlsx(
    _meta: &DatasetMeta,
    _initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    Ok(rust_xlsxwriter::Workbook::new().save_to_buffer()?)
}

/// The JSON dataset (stub until the writer lands).
pub fn write_json(
    meta: &DatasetMeta,
    initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    Ok(serde_json::to_vec(
        &serde_json::json!({ "round": meta.round, "version": meta.version, "initiatives": initiatives }),
    )?)
}

/// The CSV of the Initiatives sheet (stub until the writer lands).
pub fn write_csv(
    _meta: &DatasetMeta,
    _initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    Ok(b"\xEF\xBB\xBF".to_vec())
}
