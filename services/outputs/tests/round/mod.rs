//! The sample round of `shared/samples/`, validated as the service does, for the tests that build its
//! published files.

// Each test binary uses its own part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::Value;

use jvap_outputs::{DatasetInitiative, DatasetMeta};
use jvap_record::Verdict;
use jvap_record::report::Report;
use jvap_record::tracker::Tracker;

pub const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

/// The report on one sample file, validated as the service does.
pub fn report(file: &str) -> Report {
    let bytes = std::fs::read(format!("{SAMPLES}{file}")).expect("the sample is readable");
    jvap_ingest::validate(file, &bytes)
}

/// The initiatives of one sample file; the partner is the code the file name starts with (as in the
/// manifest), the submission id the file name.
pub fn sample(file: &str) -> (Verdict, Vec<DatasetInitiative>) {
    let report = report(file);
    let partner = file.split('_').next().expect("a partner code");
    let initiatives = DatasetInitiative::from_report(partner, file, &report);
    (report.verdict, initiatives)
}

/// The manifest's entries: each sample file with its expected verdict and partner.
pub fn manifest() -> Vec<Value> {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{SAMPLES}manifest.json")).expect("manifest.json"),
    )
    .expect("manifest.json is JSON");
    manifest.as_array().expect("a list").clone()
}

/// Every sample file the manifest lists as accepted.
pub fn accepted_samples() -> Vec<DatasetInitiative> {
    let mut initiatives = Vec::new();
    for entry in manifest() {
        if entry["verdict"] != "accepted" {
            continue;
        }
        let file = entry["file"].as_str().expect("a file name");
        let (verdict, records) = sample(file);
        assert_eq!(verdict, Verdict::Accepted, "{file}");
        assert_eq!(
            entry["partner"].as_str(),
            records.first().map(|r| r.partner.as_str())
        );
        initiatives.extend(records);
    }
    initiatives
}

pub fn meta() -> DatasetMeta {
    DatasetMeta {
        round: "2022".into(),
        version: 1,
        generated_at: Utc
            .with_ymd_and_hms(2022, 11, 30, 12, 0, 0)
            .single()
            .expect("an instant"),
    }
}

/// The round's tracker: every partner of `partners.csv` expected.
pub fn tracker(initiatives: &[DatasetInitiative]) -> Tracker {
    let mut counts = BTreeMap::new();
    for initiative in initiatives {
        *counts.entry(initiative.partner.clone()).or_insert(0) += 1;
    }
    let expected: Vec<String> = jvap_record::reference::PARTNERS
        .iter()
        .map(|p| p.code.clone())
        .collect();
    Tracker::build("2022", &expected, &[], &counts)
}
