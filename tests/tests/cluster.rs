//! The 3-node JetStream cluster for real: everything kept with the configured replicas (existing
//! streams reconciled), data and reads surviving the loss of one node, and a client given the whole
//! server list starting while the first server is down.

use jvap_tests::received_status as status;
use std::future::Future;
use std::time::{Duration, Instant};

use jvap_bus::{Bus, NatsConfig};
use jvap_record::messages::{self as m, SubmissionState};
use jvap_tests::NatsCluster;

/// Every stream jvap keeps: the message stream, the KV buckets and the object stores.
const STREAMS: [&str; 12] = [
    m::STREAM,
    m::AUDIT_STREAM,
    "KV_submissions",
    "KV_tokens",
    "KV_rounds",
    "KV_datasets",
    "KV_sessions",
    "KV_committee",
    "KV_partners",
    "OBJ_uploads",
    "OBJ_reports",
    "OBJ_datasets",
];

/// How long the cluster may take to elect new leaders after a node is lost.
const FAILOVER: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_bucket_and_object_store_is_created_with_three_replicas() {
    // Arrange
    let cluster = NatsCluster::start().expect("cluster starts");
    let config = nats_config(&cluster.urls(), 3);

    // Act
    let bus = Bus::connect_with(&config).await.expect("bus connects");

    // Assert
    for name in STREAMS {
        let (replicas, peers, _, _) = settings(&bus, name).await;
        assert_eq!(replicas, 3, "{name}: replicas");
        assert_eq!(peers, 3, "{name}: a leader and two replicas");
    }
    for (name, max_bytes) in [
        ("OBJ_uploads", config.uploads_max_bytes),
        ("OBJ_reports", config.reports_max_bytes),
        ("OBJ_datasets", config.datasets_max_bytes),
    ] {
        let (_, _, limit, direct) = settings(&bus, name).await;
        assert_eq!(limit, max_bytes, "{name}: max_bytes from the configuration");
        assert!(direct, "{name}: direct gets allowed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_replicas_than_the_cluster_has_servers_stop_the_start_naming_the_setting() {
    let cluster = NatsCluster::start().expect("cluster starts");
    let error = Bus::connect_with(&nats_config(&cluster.urls(), 5))
        .await
        .err()
        .expect("five copies cannot be placed on three servers")
        .to_string();
    assert!(error.contains("JVAP_NATS_REPLICAS is 5"), "{error}");
    assert!(error.contains("3 are known"), "{error}");
    // Nothing was created with it: the right count then starts cleanly.
    Bus::connect_with(&nats_config(&cluster.urls(), 3))
        .await
        .expect("three copies fit");
}

#[tokio::test]
async fn a_service_asked_for_three_copies_on_one_server_exits_with_what_to_set() {
    let nats = jvap_tests::NatsServer::start().expect("nats-server starts");
    let binary = jvap_tests::processes::binary("jvap-validation").expect("built");
    let output = tokio::process::Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JVAP_NATS_URL", nats.url())
        .env("JVAP_NATS_REPLICAS", "3")
        .env("JVAP_METRICS_ADDR", "127.0.0.1:0")
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .expect("it stops at once")
        .expect("it runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("JVAP_NATS_REPLICAS is 3") && stderr.contains("1 for a single server"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_created_with_one_replica_are_reconciled_to_three_on_the_next_connect() {
    // Arrange: everything created with one replica, a small upload limit, data in it, and one
    // bucket whose direct gets someone turned off.
    let cluster = NatsCluster::start().expect("cluster starts");
    let mut config = nats_config(&cluster.urls(), 1);
    config.uploads_max_bytes = 64 * 1024 * 1024;
    let first = Bus::connect_with(&config).await.expect("bus connects");
    for name in STREAMS {
        assert_eq!(settings(&first, name).await.0, 1, "{name} starts with 1");
    }
    let status = status("cluster-reconciled");
    assert!(first.create_status(&status).await.expect("status written"));
    let bytes = sample_bytes(300 * 1024);
    first
        .uploads
        .put("cluster-reconciled", &bytes)
        .await
        .expect("object written");
    let mut rounds = first
        .js
        .get_stream("KV_rounds")
        .await
        .expect("KV_rounds")
        .cached_info()
        .config
        .clone();
    rounds.allow_direct = false;
    first.js.update_stream(&rounds).await.expect("direct off");

    // Act: the next start asks for three replicas and a larger upload limit.
    config.replicas = 3;
    config.uploads_max_bytes = 128 * 1024 * 1024;
    let second = Bus::connect_with(&config).await.expect("bus reconnects");

    // Assert
    for name in STREAMS {
        assert_eq!(settings(&second, name).await.0, 3, "{name} reconciled to 3");
    }
    let (_, _, limit, _) = settings(&second, "OBJ_uploads").await;
    assert_eq!(limit, 128 * 1024 * 1024, "OBJ_uploads max_bytes updated");
    assert!(
        settings(&second, "KV_rounds").await.3,
        "direct gets back on"
    );
    let read = second.status("cluster-reconciled").await.expect("status");
    assert_eq!(read.map(|s| s.submission_id), Some(status.submission_id));
    let object = second.uploads.get("cluster-reconciled").await.expect("get");
    assert_eq!(object.as_deref(), Some(bytes.as_slice()));
    first
        .kv_put(&first.rounds, "2022", &"open")
        .await
        .expect("round");
    let keys = second.kv_keys(&second.rounds).await.expect("round keys");
    assert_eq!(keys, vec!["2022".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_node_killed_an_uploads_status_and_object_survive_and_reads_work() {
    // Arrange: an upload's status and raw bytes on replicas 3.
    let mut cluster = NatsCluster::start().expect("cluster starts");
    let config = nats_config(&cluster.urls(), 3);
    let bus = Bus::connect_with(&config).await.expect("bus connects");
    let status = status("cluster-survivor");
    assert!(bus.create_status(&status).await.expect("status written"));
    let bytes = sample_bytes(700 * 1024);
    bus.uploads
        .put("cluster-survivor", &bytes)
        .await
        .expect("object written");

    // Act: kill the node that leads the uploads (the worst one to lose), SIGKILL.
    let leader = leader_of(&bus, "OBJ_uploads").await;
    cluster.kill(leader);
    cluster.wait_ready().expect("the two others elect leaders");

    // Assert: reads and writes still work through the same connection, which fails over.
    let read = eventually("status", || bus.status("cluster-survivor")).await;
    assert_eq!(read.map(|s| s.state), Some(SubmissionState::Received));
    let listed = eventually("listing", || bus.all_statuses()).await;
    assert_eq!(listed.len(), 1);
    let object = eventually("object", || bus.uploads.get("cluster-survivor")).await;
    assert_eq!(object.as_deref(), Some(bytes.as_slice()), "object intact");
    // `false` would mean a retry found it already written: written either way.
    let later = self::status("cluster-after-loss");
    eventually("write", || bus.create_status(&later)).await;

    // Assert: the node comes back with everything.
    cluster.restart(leader).expect("node restarts");
    let direct = Bus::connect_with(&nats_config(&cluster.url(leader), 3))
        .await
        .expect("bus on the restarted node");
    let listed = eventually("listing on the restarted node", || direct.all_statuses()).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let object = eventually("object on the restarted node", || {
        direct.uploads.get("cluster-survivor")
    })
    .await;
    assert_eq!(object.as_deref(), Some(bytes.as_slice()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_given_the_server_list_connects_when_the_first_node_is_down() {
    // Arrange: the services' first start made everything with three replicas (which needs all
    // three nodes up); then the first node of the list goes down.
    let mut cluster = NatsCluster::start().expect("cluster starts");
    let urls = cluster.urls();
    let first_start = Bus::connect_with(&nats_config(&urls, 3))
        .await
        .expect("first start");
    drop(first_start);
    cluster.kill(0);
    cluster.wait_ready().expect("two nodes keep a meta leader");

    // Act: the list as JVAP_NATS_URL gives it, the first server unreachable.
    let config = nats_config(&urls, 3);
    let bus = tokio::time::timeout(FAILOVER, Bus::connect_with(&config))
        .await
        .expect("connects within the bound")
        .expect("bus connects");

    // Assert
    let status = status("cluster-first-down");
    assert!(bus.create_status(&status).await.expect("status written"));
    let read = bus.status("cluster-first-down").await.expect("status");
    assert_eq!(read.map(|s| s.submission_id), Some(status.submission_id));
}

fn nats_config(urls: &str, replicas: usize) -> NatsConfig {
    let mut config = NatsConfig::new(urls).expect("valid URLs");
    config.replicas = replicas;
    config
}

/// A stream's replicas, the number of servers holding it (leader and replicas), its `max_bytes`
/// and whether it allows direct gets.
async fn settings(bus: &Bus, name: &str) -> (usize, usize, i64, bool) {
    let mut stream = bus.js.get_stream(name).await.expect("stream exists");
    let info = stream.info().await.expect("stream info");
    let peers = info
        .cluster
        .as_ref()
        .map(|c| 1 + c.replicas.len())
        .unwrap_or(1);
    (
        info.config.num_replicas,
        peers,
        info.config.max_bytes,
        info.config.allow_direct,
    )
}

/// The index of the node leading stream `name` (nodes are named `jvap-test-1` to `-3`).
async fn leader_of(bus: &Bus, name: &str) -> usize {
    let mut stream = bus.js.get_stream(name).await.expect("stream exists");
    let info = stream.info().await.expect("stream info");
    let leader = info
        .cluster
        .as_ref()
        .and_then(|c| c.leader.clone())
        .expect("a leader");
    let number: usize = leader
        .trim_start_matches("jvap-test-")
        .parse()
        .expect("a node name");
    number - 1
}

/// Retry `action` until it succeeds, for at most [`FAILOVER`] (leaders move after a node is lost).
async fn eventually<T, E, F, Fut>(what: &str, action: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    loop {
        match action().await {
            Ok(value) => return value,
            Err(e) if started.elapsed() < FAILOVER => {
                eprintln!("{what}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("{what} still failing after {FAILOVER:?}: {e}"),
        }
    }
}

/// `len` bytes that are not all the same (several object chunks of 128 KiB).
fn sample_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}
