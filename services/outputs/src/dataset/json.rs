//! The JSON dataset.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{DatasetCounts, DatasetError};
use crate::changes::ChangeLog;
use crate::duplicates::PossibleDuplicate;
use crate::figures::Figures;
use crate::round::DatasetInitiative;
use crate::round::RoundData;

/// The document, borrowing the initiatives so 100,000 of them are not cloned to be written.
#[derive(Serialize)]
struct Document<'a> {
    round: &'a str,
    version: u32,
    generated_at: &'a DateTime<Utc>,
    counts: DatasetCounts,
    changes: &'a ChangeLog,
    duplicates: &'a [PossibleDuplicate],
    figures: &'a Figures,
    initiatives: &'a [DatasetInitiative],
}

/// `{ "round", "version", "generated_at", "counts", "changes", "duplicates", "figures",
/// "initiatives": [...] }`, compact UTF-8 JSON. `changes` and `duplicates` are the figures' own
/// (`figures.changes`, `figures.quality.duplicates`), repeated at the top for readers that want
/// only them; money in `figures` is written as decimal strings.
pub fn write_json(data: &RoundData<'_>, figures: &Figures) -> Result<Vec<u8>, DatasetError> {
    let document = Document {
        round: &data.meta.round,
        version: data.meta.version,
        generated_at: &data.meta.generated_at,
        counts: DatasetCounts::of(data.initiatives),
        changes: &figures.changes,
        duplicates: &figures.quality.duplicates,
        figures,
        initiatives: data.initiatives,
    };
    Ok(serde_json::to_vec(&document)?)
}

#[cfg(test)]
mod tests {
    use super::super::Dataset;
    use super::*;
    use crate::sample::{figures, meta, round, sample};

    #[test]
    fn json_reads_back_as_the_same_dataset_with_its_figures() {
        let initiatives = sample();
        let tracker = jvap_record::tracker::Tracker::build("2022", &[], &[], &Default::default());
        let data = round(&initiatives, &tracker);
        let figures = figures(&data);
        let bytes = write_json(&data, &figures).expect("json");
        let dataset: Dataset = serde_json::from_slice(&bytes).expect("reads back");
        assert_eq!(dataset.round, "2022");
        assert_eq!(dataset.version, 3);
        assert_eq!(dataset.generated_at, meta().generated_at);
        assert_eq!(dataset.counts, DatasetCounts::of(&initiatives));
        assert_eq!(dataset.counts.partners, 2);
        assert_eq!(dataset.initiatives, initiatives);
        assert_eq!(dataset.figures, Some(figures.clone()));
        assert_eq!(dataset.changes, Some(figures.changes.clone()));

        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(value["figures"]["totals"]["budget_eur"], "1200000.50");
    }
}
