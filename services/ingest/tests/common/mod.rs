//! A report checked against one manifest entry (the format of `shared/samples/manifest.json`):
//! verdict, number of records, the cells reported as errors, a lower bound on counted warnings, and
//! normalised values of some records. Shared by the samples and the generated corpus.

use std::collections::BTreeSet;

use jvap_record::{Report, Severity, Verdict};
use serde_json::Value;

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

/// How a report met its entry: every difference, and the figures of a score.
#[derive(Debug, Default)]
pub struct Outcome {
    pub problems: Vec<String>,
    pub verdict_ok: bool,
    pub records_ok: bool,
    /// Expected error cells, those found, and errors found that were not expected.
    pub errors_expected: usize,
    pub errors_found: usize,
    pub errors_unexpected: usize,
    /// Normalised values checked, and those right.
    pub checks: usize,
    pub checks_ok: usize,
}

pub fn check_file(entry: &Value, report: &Report) -> Outcome {
    let mut outcome = Outcome::default();
    let verdict = match report.verdict {
        Verdict::Accepted => "accepted",
        Verdict::Rejected => "rejected",
    };
    outcome.verdict_ok = entry["verdict"] == verdict;
    if !outcome.verdict_ok {
        outcome.problems.push(format!(
            "verdict: expected {}, got {verdict}",
            entry["verdict"]
        ));
    }
    outcome.records_ok = entry["records"].as_u64() == Some(report.records.len() as u64);
    if !outcome.records_ok {
        outcome.problems.push(format!(
            "records: expected {}, got {}",
            entry["records"],
            report.records.len()
        ));
    }
    check_errors(entry, report, &mut outcome);
    check_warnings(entry, report, &mut outcome);
    for check in entry["checks"].as_array().into_iter().flatten() {
        outcome.checks += 1;
        let problems = check_value(check, report);
        if problems.is_empty() {
            outcome.checks_ok += 1;
        }
        outcome.problems.extend(problems);
    }
    outcome
}

fn place(v: &Value) -> Place {
    let text = |k: &str| v[k].as_str().map(String::from);
    (text("sheet"), text("cell"), text("column"))
}

/// The set of error places must equal the manifest's, where an expected error may be met by one of
/// its alternatives.
fn check_errors(entry: &Value, report: &Report, outcome: &mut Outcome) {
    let got: BTreeSet<Place> = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.sheet.clone(), i.cell.clone(), i.column.clone()))
        .collect();
    let mut matched = BTreeSet::new();
    for expected in entry["errors"].as_array().into_iter().flatten() {
        outcome.errors_expected += 1;
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
                outcome.errors_found += 1;
                matched.insert(found.clone());
            }
            None => outcome
                .problems
                .push(format!("missing error at {:?}", options[0])),
        }
    }
    for extra in got.difference(&matched) {
        outcome.errors_unexpected += 1;
        let issue = report.issues.iter().find(|i| {
            i.severity == Severity::Error
                && (&i.sheet, &i.cell, &i.column) == (&extra.0, &extra.1, &extra.2)
        });
        let detail = issue.map(|i| format!("{} {:?}: {}", i.code, i.value, i.message_en));
        outcome.problems.push(format!(
            "unexpected error at {extra:?}: {}",
            detail.unwrap_or_default()
        ));
    }
}

fn check_warnings(entry: &Value, report: &Report, outcome: &mut Outcome) {
    let counted = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning && COUNTED_WARNINGS.contains(&i.code.as_str()))
        .count() as u64;
    let min = entry["warnings_min"].as_u64().unwrap_or(0);
    if counted < min {
        outcome
            .problems
            .push(format!("warnings: expected at least {min}, got {counted}"));
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
