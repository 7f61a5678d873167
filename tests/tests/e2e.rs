//! End to end: the three services on a real nats-server, samples uploaded over HTTP as partners do,
//! statuses, every file of every dataset version and the round tracker checked against
//! `../shared/samples/manifest.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jvap_outputs::DatasetFile;
use jvap_tests::{Backend, Client, System, manifest, samples_dir};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_uploaded_over_http_ends_as_the_manifest_says_on_sqlite() {
    every_sample_ends_as_the_manifest_says(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_uploaded_over_http_ends_as_the_manifest_says_on_postgres() {
    every_sample_ends_as_the_manifest_says(Backend::Postgres).await;
}

async fn every_sample_ends_as_the_manifest_says(backend: Backend) {
    // Arrange
    let system = System::start(backend).await.expect("system starts");
    let analyst = system
        .admin
        .issue("analyst", None)
        .await
        .expect("analyst token");
    let entries = manifest().expect("manifest");
    let mut partners: BTreeMap<String, Client> = BTreeMap::new();

    // Act: every partner uploads its file.
    let mut submitted = Vec::new();
    for entry in &entries {
        let partner = entry["partner"].as_str().expect("partner").to_string();
        if !partners.contains_key(&partner) {
            let client = system
                .admin
                .issue("partner", Some(&partner))
                .await
                .expect("partner token");
            partners.insert(partner.clone(), client);
        }
        let file = entry["file"].as_str().expect("file");
        let bytes = std::fs::read(samples_dir().join(file)).expect("sample readable");
        let (code, status) = partners[&partner]
            .submit(file, bytes, None)
            .await
            .expect("upload");
        assert_eq!(code, 202, "{file}: {status}");
        submitted.push((
            entry,
            partner,
            status["submission_id"].as_str().expect("id").to_string(),
        ));
    }

    // Assert: each ends as the manifest says, accepted ones published.
    let mut problems = Vec::new();
    let mut accepted_records = 0;
    for (entry, partner, id) in &submitted {
        let client = &partners[partner];
        let status = client
            .wait_final(id, true, LIMIT)
            .await
            .expect("final state");
        let file = entry["file"].as_str().unwrap_or_default();
        let expected_state = entry["verdict"].as_str().unwrap_or_default();
        if status["state"] != expected_state {
            problems.push(format!(
                "{file}: state {} (expected {expected_state}; reason {})",
                status["state"], status["reason"]
            ));
            continue;
        }
        if status["counts"]["records"] != entry["records"] {
            problems.push(format!(
                "{file}: {} records, expected {}",
                status["counts"]["records"], entry["records"]
            ));
        }
        if expected_state == "accepted" {
            accepted_records += entry["records"].as_u64().unwrap_or_default();
        }
        let report = client
            .get_json(&format!("/api/v1/submissions/{id}/report"))
            .await
            .expect("report")
            .expect("report exists");
        let found = error_cells(&report);
        let wanted: Vec<&Value> = entry["errors"].as_array().into_iter().flatten().collect();
        let all_found = wanted.iter().all(|w| {
            let alternatives = w["alternatives"].as_array().into_iter().flatten();
            std::iter::once(*w)
                .chain(alternatives)
                .any(|place| found.contains(&cell_key(place)))
        });
        if !all_found || found.len() != wanted.len() {
            problems.push(format!(
                "{file}: error cells {found:?}, expected {}",
                entry["errors"]
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Assert: the latest dataset holds every accepted record with its normalised values.
    let dataset = analyst
        .get_json("/api/v1/datasets/latest.json")
        .await
        .expect("dataset")
        .expect("published");
    let initiatives = dataset["initiatives"].as_array().expect("initiatives");
    assert_eq!(initiatives.len() as u64, accepted_records);
    let mut mismatches = Vec::new();
    for entry in entries.iter().filter(|e| e["verdict"] == "accepted") {
        for check in entry["checks"].as_array().into_iter().flatten() {
            let record = initiatives.iter().find(|i| {
                i["partner"] == entry["partner"]
                    && i["source"]["row"] == check["row"]
                    && i["source"]["sheet"] == check["sheet"]
            });
            let field = check["field"].as_str().unwrap_or_default();
            match record {
                Some(record) if matches(&record[field], &check["expected"]) => {}
                Some(record) => mismatches.push(format!(
                    "{} row {}: {field} = {} (expected {})",
                    entry["file"], check["row"], record[field], check["expected"]
                )),
                None => mismatches.push(format!(
                    "{} row {}: no initiative in the dataset",
                    entry["file"], check["row"]
                )),
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let (code, xlsx) = analyst
        .get_bytes("/api/v1/datasets/latest.xlsx")
        .await
        .expect("xlsx");
    assert_eq!(code, 200);
    assert!(xlsx.starts_with(b"PK"), "the workbook is a zip");
    let (code, csv) = analyst
        .get_bytes("/api/v1/datasets/latest.csv")
        .await
        .expect("csv");
    assert_eq!(code, 200);
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "the CSV starts with a byte-order mark"
    );

    every_file_of_every_version_downloads(&analyst, &entries).await;
    the_tracker_follows_the_submissions_and_the_expected_list(&system, &analyst, &entries).await;
}

/// One dataset version per accepted file, each with all of its files, served with their types.
async fn every_file_of_every_version_downloads(analyst: &Client, entries: &[Value]) {
    let accepted = entries
        .iter()
        .filter(|e| e["verdict"] == "accepted")
        .count();
    let listing = analyst
        .get_json("/api/v1/datasets")
        .await
        .expect("listing")
        .expect("listed");
    let versions = listing.as_array().expect("a list");
    assert_eq!(versions.len(), accepted, "{listing}");
    let mut problems = Vec::new();
    for version in versions {
        let number = version["version"].as_u64().expect("version");
        for (file, content_type) in DatasetFile::ALL.map(|f| (f.name(), f.content_type())) {
            let path = format!("/api/v1/datasets/2022/v{number}/{file}");
            let (code, served_type, bytes) = analyst.get_typed(&path).await.expect("download");
            if code != 200 || served_type != content_type || bytes.is_empty() {
                problems.push(format!(
                    "{path}: HTTP {code}, {served_type}, {} bytes",
                    bytes.len()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let (code, _, html) = analyst
        .get_typed("/api/v1/datasets/latest.summary.fr.html")
        .await
        .expect("latest summary");
    assert_eq!(code, 200);
    assert!(String::from_utf8_lossy(&html).contains("<html"));
}

/// The tracker lists accepted partners with their counts, rejected ones, and expected partners that
/// sent nothing; when an admin narrows the expected list, the tracker follows.
async fn the_tracker_follows_the_submissions_and_the_expected_list(
    system: &System,
    analyst: &Client,
    entries: &[Value],
) {
    let row_of = |tracker: &Value, partner: &str| {
        tracker["partners"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|row| row["partner"] == partner)
            .cloned()
    };
    let tracker = analyst
        .get_json("/api/v1/rounds/2022/tracker")
        .await
        .expect("tracker")
        .expect("a tracker");
    for entry in entries {
        let partner = entry["partner"].as_str().expect("partner");
        let row = row_of(&tracker, partner).unwrap_or_else(|| panic!("{partner} in {tracker}"));
        assert_eq!(row["state"], entry["verdict"], "{partner}: {row}");
        assert_eq!(row["submissions"], 1, "{partner}: {row}");
        let initiatives = if entry["verdict"] == "accepted" {
            entry["records"].clone()
        } else {
            Value::from(0)
        };
        assert_eq!(row["initiatives"], initiatives, "{partner}: {row}");
    }
    let silent = row_of(&tracker, "SEN").expect("every reference partner is expected");
    assert_eq!(silent["state"], "not_submitted");
    assert_eq!(silent["expected"], true);
    assert_eq!(silent["initiatives"], 0);

    // A partner cannot see the tracker.
    let partner = system
        .admin
        .issue("partner", Some("SEN"))
        .await
        .expect("partner token");
    let (code, _) = partner
        .get_bytes("/api/v1/rounds/2022/tracker")
        .await
        .expect("answered");
    assert_eq!(code, 403);

    // The admin narrows the list: the tracker follows.
    let (code, record) = system
        .admin
        .put_json(
            "/api/v1/rounds/2022/partners",
            &serde_json::json!(["NER", "GMB", "SEN"]),
        )
        .await
        .expect("list set");
    assert_eq!(code, 200, "{record}");
    assert_eq!(
        record["expected_partners"],
        serde_json::json!(["NER", "GMB", "SEN"])
    );
    let narrowed = analyst
        .get_json("/api/v1/rounds/2022/tracker")
        .await
        .expect("tracker")
        .expect("a tracker");
    let expected: BTreeSet<&str> = narrowed["partners"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row["expected"] == true)
        .filter_map(|row| row["partner"].as_str())
        .collect();
    assert_eq!(
        expected,
        BTreeSet::from(["GMB", "NER", "SEN"]),
        "{narrowed}"
    );
    assert!(
        row_of(&narrowed, "MLI").is_none(),
        "a silent partner off the list is not shown"
    );
    let eu = row_of(&narrowed, "EU").expect("a partner that submitted stays");
    assert_eq!(eu["expected"], false);
    assert_eq!(eu["state"], "accepted");
}

fn error_cells(report: &Value) -> BTreeSet<String> {
    report["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["severity"] == "error")
        .map(cell_key)
        .collect()
}

/// `sheet!cell column` of an issue (or an expected error), with `null` for whole-file problems.
fn cell_key(issue: &Value) -> String {
    format!("{}!{} {}", issue["sheet"], issue["cell"], issue["column"])
}

/// `{"approx": x}` within 1%, lists as sets, anything else exactly.
fn matches(actual: &Value, expected: &Value) -> bool {
    if let Some(target) = expected.get("approx").and_then(Value::as_f64) {
        return actual
            .as_f64()
            .is_some_and(|v| (v - target).abs() <= target.abs() * 0.01);
    }
    if let (Some(a), Some(e)) = (actual.as_array(), expected.as_array()) {
        let set = |v: &Vec<Value>| v.iter().map(Value::to_string).collect::<BTreeSet<_>>();
        return set(a) == set(e);
    }
    actual == expected
}
