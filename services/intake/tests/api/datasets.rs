//! Dataset downloads, from objects the aggregation service would have published.

use std::collections::BTreeMap;

use chrono::Utc;
use jvap_outputs::DatasetFile;
use jvap_record::messages::{self as m, BuildReason, BuildRequested, DatasetPublished};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// Put version `version` of round 2022 in the stores the way aggregation does: its files, then
/// the round's latest version in KV.
async fn publish(app: &TestApp, version: u32) {
    for file in DatasetFile::ALL.map(DatasetFile::name) {
        let name = format!("2022/v{version}/{file}");
        let ext = file.strip_prefix("dataset.").unwrap_or(file);
        let body = format!("version {version} as {ext}");
        app.bus.datasets.put(&name, body.as_bytes()).await.unwrap();
    }
    announce(app, version).await;
}

/// Version `version` as aggregation announces it when it commits, before its files are built.
async fn announce(app: &TestApp, version: u32) {
    let objects = DatasetFile::ALL
        .map(DatasetFile::name)
        .iter()
        .map(|file| (file.to_string(), format!("2022/v{version}/{file}")))
        .collect();
    let published = DatasetPublished {
        round: "2022".into(),
        version,
        objects,
        initiatives: 10,
        by_partner: BTreeMap::from([("NER".to_string(), 10)]),
        submission_id: "0123456789abcdef01234567".into(),
        published_at: Utc::now(),
    };
    app.bus
        .kv_put(&app.bus.dataset_versions, "2022", &published)
        .await
        .unwrap();
}

#[tokio::test]
async fn no_dataset_yet_is_404() {
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;

    let response = app.get("/api/v1/datasets/latest.xlsx", &analyst).await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_latest_and_earlier_versions_download_with_their_type_and_file_name() {
    // Arrange
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;
    publish(&app, 1).await;
    publish(&app, 2).await;

    // Act
    let latest = app.get("/api/v1/datasets/latest.xlsx", &analyst).await;
    let first = app.get("/api/v1/datasets/1.csv?round=2022", &analyst).await;
    let json = app.get("/api/v1/datasets/v2.json", &analyst).await;
    let missing = app.get("/api/v1/datasets/9.json", &analyst).await;

    // Assert
    assert_eq!(latest.status(), 200);
    assert!(
        latest.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert_eq!(
        latest.headers()["content-disposition"],
        "attachment; filename=\"jvap-2022-v2.xlsx\""
    );
    assert_eq!(latest.bytes().await.unwrap(), "version 2 as xlsx");
    assert!(
        first.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(first.bytes().await.unwrap(), "version 1 as csv");
    assert_eq!(json.headers()["content-type"], "application/json");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn every_file_of_every_version_downloads_by_its_name_with_its_content_type() {
    // Arrange
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;
    let partner = app.issue_token("partner", Some("NER")).await;
    publish(&app, 1).await;
    publish(&app, 2).await;

    for version in ["v1", "v2", "latest"] {
        for (file, content_type) in DatasetFile::ALL.map(|f| (f.name(), f.content_type())) {
            // Act
            let response = app
                .get(&format!("/api/v1/datasets/2022/{version}/{file}"), &analyst)
                .await;

            // Assert
            assert_eq!(response.status(), 200, "{version}/{file}");
            assert_eq!(response.headers()["content-type"], content_type, "{file}");
            let number = if version == "v1" { 1 } else { 2 };
            let ext = file.strip_prefix("dataset.").unwrap_or(file);
            assert_eq!(
                response.bytes().await.unwrap(),
                format!("version {number} as {ext}")
            );
        }
    }
    let summary = app
        .get("/api/v1/datasets/latest.summary.fr.html", &analyst)
        .await;
    assert_eq!(summary.status(), 200);
    assert_eq!(
        summary.headers()["content-disposition"],
        "attachment; filename=\"jvap-2022-v2-summary.fr.html\""
    );
    let unknown = app
        .get("/api/v1/datasets/2022/v1/summary.de.html", &analyst)
        .await;
    assert_eq!(unknown.status(), 404);
    let missing = app
        .get("/api/v1/datasets/2022/v9/dataset.xlsx", &analyst)
        .await;
    assert_eq!(missing.status(), 404);
    let refused = app
        .get("/api/v1/datasets/2022/v1/summary.en.md", &partner)
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_listing_names_every_published_version_of_the_round() {
    let app = spawn_app().await;
    let admin = app.issue_token("admin", None).await;
    publish(&app, 1).await;
    publish(&app, 2).await;

    let listing: Vec<Value> = app
        .get("/api/v1/datasets", &admin)
        .await
        .json()
        .await
        .unwrap();
    let other_round: Vec<Value> = app
        .get("/api/v1/datasets?round=2023", &admin)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(listing.len(), 2);
    assert_eq!(listing[0]["version"], 1);
    assert_eq!(listing[1]["version"], 2);
    assert_eq!(
        listing[1]["formats"],
        serde_json::json!(["csv", "json", "xlsx"])
    );
    assert_eq!(
        listing[1]["files"].as_array().map(Vec::len),
        Some(DatasetFile::ALL.len())
    );
    assert!(other_round.is_empty());
}

/// Every build request in the stream.
async fn build_requests(app: &TestApp) -> Vec<BuildRequested> {
    use async_nats::jetstream::consumer::{AckPolicy, pull};
    use futures::StreamExt;
    let stream = app.bus.js.get_stream(m::STREAM).await.unwrap();
    let consumer = stream
        .create_consumer(pull::Config {
            filter_subject: m::SUBJECT_BUILD_REQUESTED.into(),
            ack_policy: AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let pending = consumer.cached_info().num_pending as usize;
    if pending == 0 {
        return Vec::new();
    }
    let mut messages = consumer
        .fetch()
        .max_messages(pending)
        .messages()
        .await
        .unwrap();
    let mut requests = Vec::new();
    while let Some(message) = messages.next().await {
        requests.push(serde_json::from_slice(&message.unwrap().payload).unwrap());
    }
    requests
}

#[tokio::test]
async fn a_version_listed_before_its_files_are_built_answers_202_with_retry_after_and_asks_for_them()
 {
    // Arrange: version 1 built; version 2 committed (listed), its files not built yet.
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;
    publish(&app, 1).await;
    announce(&app, 2).await;

    // Act
    let listing: Vec<Value> = app
        .get("/api/v1/datasets", &analyst)
        .await
        .json()
        .await
        .unwrap();
    let preparing = app
        .get("/api/v1/datasets/2022/v2/dataset.xlsx", &analyst)
        .await;
    let latest = app.get("/api/v1/datasets/latest.csv", &analyst).await;
    let built = app.get("/api/v1/datasets/1.csv", &analyst).await;
    let beyond = app
        .get("/api/v1/datasets/2022/v3/dataset.xlsx", &analyst)
        .await;

    // Assert
    assert_eq!(listing.len(), 2, "listed as soon as it commits");
    assert_eq!(preparing.status(), 202);
    assert_eq!(preparing.headers()["retry-after"], "2");
    let body: Value = preparing.json().await.unwrap();
    assert_eq!(body["retry_after"], 2);
    assert_eq!(body["version"], 2);
    assert!(body["error"].as_str().unwrap().contains("being prepared"));
    assert_eq!(latest.status(), 202);
    assert_eq!(built.status(), 200);
    assert_eq!(beyond.status(), 404);
    let requests = build_requests(&app).await;
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| *r
        == BuildRequested {
            round: "2022".into(),
            version: 2,
            reason: BuildReason::OnDemand,
        }));

    // Once the builder has stored them, the files download.
    publish(&app, 2).await;
    let ready = app
        .get("/api/v1/datasets/2022/v2/dataset.xlsx", &analyst)
        .await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.bytes().await.unwrap(), "version 2 as xlsx");
}
