//! Possible duplicates across partners: initiatives of different partners that are probably the same
//! (similar normalised titles in EN or FR, overlapping countries and dates, close budgets). Listed with a
//! score and the reasons; never merged.

use serde::{Deserialize, Serialize};

use crate::dataset::DatasetInitiative;
use crate::record::SourceRef;

/// Two initiatives of different partners that are probably the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PossibleDuplicate {
    /// From 0 to 1; pairs under the threshold are not listed.
    pub score: f64,
    /// Why they look alike, as codes: `title`, `countries`, `dates`, `budget`.
    pub reasons: Vec<String>,
    pub a: InitiativeRef,
    pub b: InitiativeRef,
}

/// Enough of an initiative to find it in the workbook and in the partner's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeRef {
    pub partner: String,
    pub submission_id: String,
    pub partner_ref: Option<String>,
    pub title: String,
    pub source: SourceRef,
}

/// Every pair of initiatives of different partners that look like the same one, best score first.
pub fn find(initiatives: &[DatasetInitiative]) -> Vec<PossibleDuplicate> {
    todo!("duplicates::find {}", initiatives.len())
}
