//! What changed between two dataset versions, per partner: initiatives added, updated and removed.

use serde::{Deserialize, Serialize};

use crate::dataset::DatasetInitiative;

/// The change log of a dataset version against the previous one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeLog {
    /// The version compared against; None for the first version.
    pub previous_version: Option<u32>,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    /// Partners with at least one change, in partner-code order.
    pub partners: Vec<PartnerChanges>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerChanges {
    pub partner: String,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
}

impl ChangeLog {
    /// The changes from `previous` (version `previous_version`, None when there is none) to `current`.
    /// An initiative is the same one when it has the same partner and `partner_ref`, or, without a
    /// reference, the same partner, normalised title and start date.
    pub fn between(
        previous_version: Option<u32>,
        previous: &[DatasetInitiative],
        current: &[DatasetInitiative],
    ) -> ChangeLog {
        todo!("changes {previous_version:?} {} {}", previous.len(), current.len())
    }
}
