//! No read path can exhaust the server: one partner token hammers the read endpoints (listings,
//! status and report reads) while an analyst downloads dataset files, all at once; then another
//! partner's valid upload must still be accepted and reach the dataset, and every download answer.
//!
//! Before the fix each listing (KV `keys()`) and each object read left a JetStream consumer alive for
//! about 30 s; a stream allows 1000, so a burst like this one made aggregation's tracker listing fail
//! with "maximum consumers limit reached" and the other partner's valid submission end `failed`.

use jvap_tests::received_status as status;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jvap_outputs::DatasetFile;
use jvap_tests::{Backend, Client, System, samples_dir};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const LIMIT: Duration = Duration::from_secs(90);
/// Requests made by the one partner token.
const PARTNER_REQUESTS: usize = 3000;
/// Dataset downloads made by the analyst at the same time.
const DOWNLOADS: usize = 700;
/// Requests in flight at once.
const CONCURRENCY: usize = 48;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_reads_by_one_token_stops_no_other_partner() {
    // Arrange: partner EU has one accepted submission published as version 1.
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let hammer = system
        .admin
        .issue("partner", Some("EU"))
        .await
        .expect("EU token");
    let other = system
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("NER token");
    let analyst = system
        .admin
        .issue("analyst", None)
        .await
        .expect("analyst token");
    let first = submit(&hammer, "EU_DG-INTPA_JVAP_2022.xlsx").await;
    let status = hammer
        .wait_final(&first, true, LIMIT)
        .await
        .expect("EU final");
    assert_eq!(status["state"], "accepted", "{status}");
    let version = status["dataset_version"].as_u64().expect("published");
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("test bus connects");
    let consumers_before = consumers(&bus).await;

    // Act: the burst, every request at most CONCURRENCY at a time.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let mut requests = JoinSet::new();
    for i in 0..PARTNER_REQUESTS {
        let path = match i % 5 {
            0 | 1 => "/api/v1/submissions".to_string(),
            2 => format!("/api/v1/submissions/{first}"),
            3 => format!("/api/v1/submissions/{first}/annotated.xlsx?lang=fr"),
            _ => format!("/api/v1/submissions/{first}/report"),
        };
        spawn_get(&mut requests, &gate, &hammer, path);
    }
    for i in 0..DOWNLOADS {
        let file = DatasetFile::ALL[i % DatasetFile::ALL.len()].name();
        let path = match i % 10 {
            0 => "/api/v1/datasets".to_string(),
            1 => "/api/v1/rounds/2022/tracker".to_string(),
            _ => format!("/api/v1/datasets/2022/v{version}/{file}"),
        };
        spawn_get(&mut requests, &gate, &analyst, path);
    }
    let mut refused = Vec::new();
    while let Some(answer) = requests.join_next().await {
        let (path, code) = answer.expect("request task");
        if code != 200 {
            refused.push(format!("{path}: {code}"));
        }
    }
    let burst = started.elapsed();
    let consumers_after = consumers(&bus).await;
    println!(
        "burst: {} requests in {burst:.1?}; {} not answered 200; JetStream consumers {consumers_before} before, {consumers_after} after",
        PARTNER_REQUESTS + DOWNLOADS,
        refused.len(),
    );

    // Assert: every read was answered and none left a consumer behind.
    refused.truncate(10);
    assert!(refused.is_empty(), "refused reads:\n{}", refused.join("\n"));
    assert!(
        consumers_after <= consumers_before + 5,
        "the burst left {consumers_after} JetStream consumers (there were {consumers_before})"
    );

    // Assert: another partner's valid upload is accepted and published right after the burst.
    let id = submit(&other, "NER_Donnees_JVAP_2022.xlsx").await;
    let status = other.wait_final(&id, true, LIMIT).await.expect("NER final");
    assert_eq!(status["state"], "accepted", "{status}");
    let latest = status["dataset_version"].as_u64().expect("published");
    assert!(latest > version, "{status}");
    let dataset = analyst
        .get_json(&format!("/api/v1/datasets/2022/v{latest}/dataset.json"))
        .await
        .expect("dataset")
        .expect("published");
    let initiatives = dataset["initiatives"].as_array().expect("initiatives");
    assert!(
        initiatives.iter().any(|i| i["partner"] == "NER"),
        "NER's initiatives are in version {latest}"
    );
    for file in DatasetFile::ALL.map(DatasetFile::name) {
        let path = format!("/api/v1/datasets/2022/v{latest}/{file}");
        let (code, bytes) = analyst.get_bytes(&path).await.expect("download");
        assert_eq!(code, 200, "{path}");
        assert!(!bytes.is_empty(), "{path}");
    }
    system.shutdown().await.expect("clean shutdown");
}

async fn submit(client: &Client, file: &str) -> String {
    let bytes = std::fs::read(samples_dir().join(file)).expect("sample readable");
    let (code, status) = client.submit(file, bytes, None).await.expect("upload");
    assert_eq!(code, 202, "{file}: {status}");
    status["submission_id"].as_str().expect("id").to_string()
}

fn spawn_get(
    requests: &mut JoinSet<(String, u16)>,
    gate: &Arc<Semaphore>,
    client: &Client,
    path: String,
) {
    let gate = gate.clone();
    let client = client.clone();
    requests.spawn(async move {
        let _permit = gate.acquire_owned().await.expect("gate open");
        let code = match client.get_bytes(&path).await {
            Ok((code, _)) => code,
            Err(_) => 0,
        };
        (path, code)
    });
}

/// How many JetStream consumers the account holds right now.
async fn consumers(bus: &jvap_bus::Bus) -> usize {
    bus.js
        .query_account()
        .await
        .expect("account info")
        .consumers
}

/// The read paths one by one on a bare bus: listing keys and statuses, reading and listing objects
/// leave no consumer behind, and deleted or purged entries do not come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_leave_no_consumer_and_deleted_entries_stay_gone() {
    // Arrange
    let nats = jvap_tests::NatsServer::start().expect("nats-server starts");
    let bus = jvap_bus::Bus::connect(&nats.url())
        .await
        .expect("bus connects");
    for key in ["kept", "deleted", "purged"] {
        bus.kv_put(&bus.tokens, key, &key).await.expect("token");
    }
    bus.tokens.delete("deleted").await.expect("delete");
    bus.kv_purge(&bus.tokens, "purged").await.expect("purge");
    for (id, minutes) in [("older", 2), ("newer", 1), ("dropped", 0)] {
        let mut status = status(id);
        status.received_at -= chrono::Duration::minutes(minutes);
        assert!(bus.create_status(&status).await.expect("status"));
    }
    bus.kv_purge(&bus.submissions, "dropped")
        .await
        .expect("purge");
    let large: Vec<u8> = (0..400 * 1024).map(|i| (i % 253) as u8).collect();
    bus.reports.put("a/large", &large).await.expect("large");
    bus.reports.put("b/empty", b"").await.expect("empty");
    bus.reports.put("c/gone", b"soon gone").await.expect("gone");
    bus.reports.store.delete("c/gone").await.expect("delete");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &large).expect("written");
    let mut reader = tokio::fs::File::open(file.path()).await.expect("open");
    bus.reports
        .put_reader("d/from-disk", &mut reader)
        .await
        .expect("streamed");
    let before = consumers(&bus).await;

    // Act: many reads of every kind.
    for _ in 0..200 {
        bus.kv_keys(&bus.tokens).await.expect("keys");
        bus.all_statuses().await.expect("statuses");
        bus.reports.get("a/large").await.expect("object");
        bus.reports.list().await.expect("objects");
    }

    // Assert
    assert_eq!(consumers(&bus).await, before, "no consumer left behind");
    assert_eq!(bus.kv_keys(&bus.tokens).await.expect("keys"), vec!["kept"]);
    let ids: Vec<String> = bus
        .all_statuses()
        .await
        .expect("statuses")
        .into_iter()
        .map(|s| s.submission_id)
        .collect();
    assert_eq!(ids, vec!["newer", "older"], "newest first, purged left out");
    let reports = &bus.reports;
    assert_eq!(
        reports.get("a/large").await.expect("get"),
        Some(large.clone())
    );
    assert_eq!(reports.get("b/empty").await.expect("get"), Some(Vec::new()));
    assert_eq!(reports.get("c/gone").await.expect("get"), None);
    assert_eq!(reports.get("never").await.expect("get"), None);
    assert_eq!(reports.get("d/from-disk").await.expect("get"), Some(large));
    let listed: Vec<(String, usize)> = reports
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|o| (o.name, o.size))
        .collect();
    let expected = [
        ("a/large", 400 * 1024),
        ("b/empty", 0),
        ("d/from-disk", 400 * 1024),
    ];
    let expected: Vec<(String, usize)> = expected
        .into_iter()
        .map(|(name, size)| (name.to_string(), size))
        .collect();
    assert_eq!(listed, expected);
}
