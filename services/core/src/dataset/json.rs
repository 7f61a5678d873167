//! The JSON dataset.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{DatasetCounts, DatasetError, DatasetInitiative, DatasetMeta};

/// The document, borrowing the initiatives so 100,000 of them are not cloned to be written.
#[derive(Serialize)]
struct Document<'a> {
    round: &'a str,
    version: u32,
    generated_at: &'a DateTime<Utc>,
    counts: DatasetCounts,
    initiatives: &'a [DatasetInitiative],
}

/// `{ "round", "version", "generated_at", "counts", "initiatives": [...] }`, compact UTF-8 JSON.
pub fn write_json(
    meta: &DatasetMeta,
    initiatives: &[DatasetInitiative],
) -> Result<Vec<u8>, DatasetError> {
    let document = Document {
        round: &meta.round,
        version: meta.version,
        generated_at: &meta.generated_at,
        counts: DatasetCounts::of(initiatives),
        initiatives,
    };
    Ok(serde_json::to_vec(&document)?)
}

#[cfg(test)]
mod tests {
    use super::super::Dataset;
    use super::super::sample::{meta, sample};
    use super::*;

    #[test]
    fn json_reads_back_as_the_same_dataset() {
        let initiatives = sample();
        let bytes = write_json(&meta(), &initiatives).expect("json");
        let dataset: Dataset = serde_json::from_slice(&bytes).expect("reads back");
        assert_eq!(dataset.round, "2022");
        assert_eq!(dataset.version, 3);
        assert_eq!(dataset.generated_at, meta().generated_at);
        assert_eq!(dataset.counts, DatasetCounts::of(&initiatives));
        assert_eq!(dataset.counts.partners, 2);
        assert_eq!(dataset.initiatives, initiatives);
    }
}
