//! Every real-life sample workbook of `shared/samples/` gives exactly the outcome its manifest expects:
//! verdict, number of records, the cells reported as errors, a lower bound on counted warnings, and
//! normalised values of some records. All files are checked before failing, so one run shows every
//! difference.

mod common;

use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

#[test]
fn every_sample_gives_the_outcome_its_manifest_expects() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{SAMPLES}manifest.json"))
            .expect("manifest.json is readable"),
    )
    .expect("manifest.json is JSON");
    let entries = manifest.as_array().expect("the manifest is a list");
    let mut failures = Vec::new();
    for entry in entries {
        let file = entry["file"].as_str().expect("each entry names its file");
        let bytes = std::fs::read(format!("{SAMPLES}{file}")).expect("the sample file is readable");
        let report = jvap_ingest::validate(file, &bytes);
        let problems = common::check_file(entry, &report).problems;
        println!(
            "{} {file}",
            if problems.is_empty() { "PASS" } else { "FAIL" }
        );
        if !problems.is_empty() {
            failures.push(format!("{file}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} samples differ from the manifest:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}
