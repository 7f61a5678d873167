//! What a dataset version is built from: the round's accepted initiatives, each with the warnings
//! validation gave its row, the tracker and the previous version.

use chrono::{DateTime, Utc};
use jvap_record::tracker::Tracker;
use jvap_record::{Initiative, Issue, Report, report};
use serde::{Deserialize, Serialize};

/// What a dataset version is built from.
#[derive(Debug, Clone, Copy)]
pub struct RoundData<'a> {
    pub meta: &'a DatasetMeta,
    pub initiatives: &'a [DatasetInitiative],
    /// The previous published version and its initiatives, for the change log; None for the first.
    pub previous: Option<(u32, &'a [DatasetInitiative])>,
    pub tracker: &'a Tracker,
}

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

impl DatasetInitiative {
    /// The initiatives of an accepted report, as `partner` submitted them in `submission_id`, each
    /// with the warnings of its row written `code@cell` (just the code when the issue has no cell).
    pub fn from_report(
        partner: &str,
        submission_id: &str,
        report: &Report,
    ) -> Vec<DatasetInitiative> {
        Self::from_records(
            partner,
            submission_id,
            report.records.clone(),
            &report.issues,
        )
    }

    /// The initiatives of an accepted submission from its records and its report's issues, each
    /// with the warnings of its row ([`jvap_record::report::with_warnings`]).
    pub fn from_records(
        partner: &str,
        submission_id: &str,
        records: Vec<Initiative>,
        issues: &[Issue],
    ) -> Vec<DatasetInitiative> {
        report::with_warnings(records, issues)
            .map(|(record, warnings)| DatasetInitiative {
                partner: partner.to_string(),
                submission_id: submission_id.to_string(),
                warnings,
                record,
            })
            .collect()
    }
}
