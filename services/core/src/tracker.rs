//! The round tracker: every expected partner of a round and where it stands.
//!
//! Built from the expected partners (the reference list, or the round's own list an admin keeps), the
//! submission statuses, and the current initiatives. Shown in the workbook, the JSON API
//! (`GET /api/v1/rounds/{round}/tracker`), `jvap status --round`, the summary and the web page.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::messages::SubmissionStatus;

/// Every expected partner of a round (and any other partner that submitted), in partner-code order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracker {
    pub round: String,
    pub partners: Vec<TrackerRow>,
}

/// One partner's line in the tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackerRow {
    /// The partner code of `reference/partners.csv`.
    pub partner: String,
    pub name_en: String,
    pub name_fr: String,
    /// False for a partner that submitted without being on the round's expected list.
    pub expected: bool,
    pub state: PartnerState,
    /// The partner's initiatives in the current dataset.
    pub initiatives: u64,
    /// Submissions received from the partner this round.
    pub submissions: u32,
    pub last_submission_id: Option<String>,
    /// When the partner's latest submission last changed state.
    pub last_activity: Option<DateTime<Utc>>,
}

/// Where a partner stands in the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerState {
    NotSubmitted,
    /// Its latest submission is still being received or validated.
    InProgress,
    Rejected,
    Accepted,
    Failed,
}

impl Tracker {
    /// The tracker of `round` from its expected partner codes, every submission status of the round,
    /// and how many initiatives each partner has in the current dataset.
    pub fn build(
        round: &str,
        expected: &[String],
        statuses: &[SubmissionStatus],
        initiatives_by_partner: &BTreeMap<String, u64>,
    ) -> Tracker {
        todo!("tracker::build {round} {expected:?} {} {initiatives_by_partner:?}", statuses.len())
    }
}
