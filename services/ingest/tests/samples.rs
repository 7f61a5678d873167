//! Every real-life sample workbook of `shared/samples/` gives exactly the outcome its manifest expects:
//! verdict, number of records, the cells reported as errors, a lower bound on counted warnings, and
//! normalised values of some records. All files are checked before failing, so one run shows every
//! difference.

use std::collections::BTreeSet;

use jvap_record::{Report, Severity, Verdict};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

/// The warnings the manifest's `warnings_min` counts (ambiguous dates and amounts are not counted).
const COUNTED_WARNINGS: &[&str] = &[
    "column.unknown",
    "cell.merged",
    "cell.formula",
    "description.empty",
    "currency.assumed_eur",
    "country.not_partner",
];

type Place = (Option<String>, Option<String>, Option<String>);

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
        let problems = check_file(entry, &report);
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

fn check_file(entry: &Value, report: &Report) -> Vec<String> {
    let mut problems = Vec::new();
    let verdict = match report.verdict {
        Verdict::Accepted => "accepted",
        Verdict::Rejected => "rejected",
    };
    if entry["verdict"] != verdict {
        problems.push(format!(
            "verdict: expected {}, got {verdict}",
            entry["verdict"]
        ));
    }
    if entry["records"].as_u64() != Some(report.records.len() as u64) {
        problems.push(format!(
            "records: expected {}, got {}",
            entry["records"],
            report.records.len()
        ));
    }
    problems.extend(check_errors(entry, report));
    problems.extend(check_warnings(entry, report));
    for check in entry["checks"].as_array().into_iter().flatten() {
        problems.extend(check_value(check, report));
    }
    problems
}

fn place(v: &Value) -> Place {
    let text = |k: &str| v[k].as_str().map(String::from);
    (text("sheet"), text("cell"), text("column"))
}

/// The set of error places must equal the manifest's, where an expected error may be met by one of
/// its alternatives.
fn check_errors(entry: &Value, report: &Report) -> Vec<String> {
    let got: BTreeSet<Place> = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.sheet.clone(), i.cell.clone(), i.column.clone()))
        .collect();
    let mut matched = BTreeSet::new();
    let mut problems = Vec::new();
    for expected in entry["errors"].as_array().into_iter().flatten() {
        let options: Vec<Place> = std::iter::once(place(expected))
            .chain(
                expected["alternatives"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(place),
            )
            .collect();
        match options.iter().find(|p| got.contains(*p)) {
            Some(found) => {
                matched.insert(found.clone());
            }
            None => problems.push(format!("missing error at {:?}", options[0])),
        }
    }
    for extra in got.difference(&matched) {
        let issue = report.issues.iter().find(|i| {
            i.severity == Severity::Error
                && (&i.sheet, &i.cell, &i.column) == (&extra.0, &extra.1, &extra.2)
        });
        let detail = issue.map(|i| format!("{} {:?}: {}", i.code, i.value, i.message_en));
        problems.push(format!(
            "unexpected error at {extra:?}: {}",
            detail.unwrap_or_default()
        ));
    }
    problems
}

fn check_warnings(entry: &Value, report: &Report) -> Vec<String> {
    let counted = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning && COUNTED_WARNINGS.contains(&i.code.as_str()))
        .count() as u64;
    let min = entry["warnings_min"].as_u64().unwrap_or(0);
    if counted < min {
        vec![format!("warnings: expected at least {min}, got {counted}")]
    } else {
        vec![]
    }
}

/// One `checks` entry against the record whose source is that sheet and row.
fn check_value(check: &Value, report: &Report) -> Vec<String> {
    let sheet = check["sheet"].as_str();
    let row = check["row"].as_u64();
    let field = check["field"].as_str().unwrap_or_default();
    let record = report
        .records
        .iter()
        .find(|r| r.source.sheet.as_deref() == sheet && Some(u64::from(r.source.row)) == row);
    let Some(record) = record else {
        return vec![format!(
            "no record for {sheet:?} row {row:?} (checking {field})"
        )];
    };
    let actual = serde_json::to_value(record).expect("a record serialises")[field].clone();
    let expected = &check["expected"];
    if same(expected, &actual) {
        vec![]
    } else {
        vec![format!(
            "{sheet:?} row {row:?} {field}: expected {expected}, got {actual}"
        )]
    }
}

fn same(expected: &Value, actual: &Value) -> bool {
    if let Some(x) = expected.get("approx").and_then(Value::as_f64) {
        return actual
            .as_f64()
            .is_some_and(|a| (a - x).abs() <= x.abs() * 0.01);
    }
    match (expected.as_array(), actual.as_array()) {
        (Some(e), Some(a)) => as_set(e) == as_set(a),
        _ => expected == actual,
    }
}

fn as_set(values: &[Value]) -> BTreeSet<String> {
    values.iter().map(Value::to_string).collect()
}
