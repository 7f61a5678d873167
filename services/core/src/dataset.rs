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
