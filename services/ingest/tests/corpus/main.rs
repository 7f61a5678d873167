//! A generated corpus of partner workbooks, each with its exact expectation in the manifest format
//! of `shared/samples/manifest.json`, scored like the samples: header variants in EN and FR, amounts
//! that must never be the total budget, required columns that are only probably there, names that
//! hold commas, and the template's lists sheet un-hidden, in xlsx, ods, xls and csv (comma, UTF-8
//! with BOM; semicolon, Windows-1252).
//!
//! `JVAP_CORPUS_DIR=DIR cargo test -p jvap-ingest --test corpus` also writes the files and their
//! `manifest.json` to DIR (for `jvap validate`, or to score another build).

#[path = "../common/mod.rs"]
mod common;

mod cases;
mod data;
mod writers;

use std::collections::BTreeSet;

#[test]
fn every_generated_workbook_gives_the_outcome_its_manifest_expects() {
    let corpus = cases::corpus();
    let mut failures = Vec::new();
    let mut score = common::Outcome::default();
    let mut verdicts = 0;
    for case in &corpus {
        let bytes = writers::write(&case.book, case.format);
        let report = jvap_ingest::validate(&case.file, &bytes);
        let outcome = common::check_file(&case.entry, &report);
        verdicts += usize::from(outcome.verdict_ok);
        score.errors_expected += outcome.errors_expected;
        score.errors_found += outcome.errors_found;
        score.errors_unexpected += outcome.errors_unexpected;
        score.checks += outcome.checks;
        score.checks_ok += outcome.checks_ok;
        let status = if outcome.problems.is_empty() {
            "PASS"
        } else {
            "FAIL"
        };
        println!("{status} {}", case.file);
        if !outcome.problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}",
                case.file,
                outcome.problems.join("\n  ")
            ));
        }
    }
    println!(
        "corpus: {} files, {verdicts} right verdicts, error cells {}/{} found ({} unexpected), checks {}/{} right",
        corpus.len(),
        score.errors_found,
        score.errors_expected,
        score.errors_unexpected,
        score.checks_ok,
        score.checks
    );
    if let Ok(dir) = std::env::var("JVAP_CORPUS_DIR") {
        write_corpus(&corpus, std::path::Path::new(&dir));
    }
    assert!(
        failures.is_empty(),
        "{} of {} generated workbooks differ from their manifest:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
}

/// The published corpus is one draw; the classes must hold for any draw, not for that one.
#[test]
fn every_class_holds_for_other_draws_of_the_corpus() {
    let mut failures = Vec::new();
    let mut files = 0;
    for seed in 1..=20 {
        for case in cases::corpus_seeded(seed) {
            files += 1;
            let bytes = writers::write(&case.book, case.format);
            let report = jvap_ingest::validate(&case.file, &bytes);
            let problems = common::check_file(&case.entry, &report).problems;
            if !problems.is_empty() {
                failures.push(format!(
                    "seed {seed} {}:\n  {}",
                    case.file,
                    problems.join("\n  ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {files} workbooks differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_class_in_every_format() {
    let corpus = cases::corpus();
    assert!(corpus.len() >= 40, "{} workbooks", corpus.len());
    let formats: BTreeSet<&str> = corpus.iter().map(|c| c.format.name()).collect();
    assert_eq!(formats.len(), 5, "{formats:?}");
    let kinds: BTreeSet<&str> = corpus
        .iter()
        .flat_map(|c| c.entry["kinds"].as_array().into_iter().flatten())
        .filter_map(|k| k.as_str())
        .collect();
    for kind in [
        "exact_template",
        "header_variants",
        "decoy_amounts",
        "probable_header",
        "comma_names",
        "visible_lists_sheet",
        "blank_template",
    ] {
        assert!(kinds.contains(kind), "no workbook of kind {kind}");
    }
    let files: BTreeSet<&str> = corpus.iter().map(|c| c.file.as_str()).collect();
    assert_eq!(files.len(), corpus.len(), "file names are unique");
}

#[test]
fn the_corpus_is_the_same_on_every_run() {
    let first: Vec<Vec<u8>> = cases::corpus()
        .iter()
        .filter(|c| c.format != writers::Format::Xlsx)
        .map(|c| writers::write(&c.book, c.format))
        .collect();
    let again: Vec<Vec<u8>> = cases::corpus()
        .iter()
        .filter(|c| c.format != writers::Format::Xlsx)
        .map(|c| writers::write(&c.book, c.format))
        .collect();
    assert_eq!(first, again);
}

fn write_corpus(corpus: &[cases::Case], dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("the corpus directory");
    for case in corpus {
        std::fs::write(
            dir.join(&case.file),
            writers::write(&case.book, case.format),
        )
        .expect("a corpus file is written");
    }
    let manifest: Vec<&serde_json::Value> = corpus.iter().map(|c| &c.entry).collect();
    let text = serde_json::to_string_pretty(&manifest).expect("the manifest serialises");
    std::fs::write(dir.join("manifest.json"), text).expect("the manifest is written");
}
