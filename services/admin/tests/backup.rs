//! Backup and restore on a real nats-server and SQLite, without the services: every part comes back
//! as it was (messages with their headers and sequences, consumers after their ack floor, KV values,
//! objects of several chunks, rows), a damaged backup or a non-empty target is refused, and the
//! ephemeral buckets are left out.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use bytes::Bytes;
use futures::StreamExt;
use jvap_admin::{AdminError, RestoreOptions, Target};
use jvap_aggregation::{Database, Store};
use jvap_bus::{Bus, NatsConfig};
use jvap_testkit::NatsServer;

/// A durable consumer like the services' own, on the `JVAP` stream.
const DURABLE: &str = "drill";

struct Side {
    nats: NatsServer,
    data: tempfile::TempDir,
}

impl Side {
    fn start() -> Side {
        Side {
            nats: NatsServer::start().expect("nats-server starts"),
            data: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn target(&self) -> Target {
        Target {
            nats: NatsConfig::new(&self.nats.url()).expect("url"),
            database: Database::Sqlite(self.data.path().join("jvap.db")),
        }
    }
}

/// Four messages (one with a trace header), a consumer that acknowledged the first two, KV
/// entries (one deleted), a session, objects (one of several chunks), and rows in two tables.
async fn fill(side: &Side) -> Bus {
    let bus = Bus::connect(&side.nats.url()).await.expect("bus");
    for (i, subject) in [
        "jvap.submission.received.EU",
        "jvap.submission.received.NER",
        "jvap.submission.validated.EU",
        "jvap.dataset.published",
    ]
    .iter()
    .enumerate()
    {
        let body = serde_json::json!({ "n": i, "submission_id": format!("s{i}"), "partner": "EU" });
        bus.publish(subject, &format!("msg-{i}"), &body)
            .await
            .expect("published");
    }
    let stream = bus.js.get_stream("JVAP").await.expect("stream");
    let consumer: consumer::PullConsumer = stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some(DURABLE.into()),
            filter_subject: "jvap.submission.>".into(),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .expect("consumer");
    let mut messages = consumer
        .fetch()
        .max_messages(2)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .expect("fetch");
    while let Some(message) = messages.next().await {
        message
            .expect("message")
            .double_ack()
            .await
            .expect("acknowledged");
    }
    bus.tokens
        .put("hash-a", Bytes::from_static(b"{\"role\":\"admin\"}"))
        .await
        .expect("put");
    bus.tokens
        .put("hash-b", Bytes::from_static(b"{\"role\":\"partner\"}"))
        .await
        .expect("put");
    bus.tokens.delete("hash-b").await.expect("delete");
    bus.rounds
        .put("2022", Bytes::from_static(b"{\"open\":true}"))
        .await
        .expect("put");
    bus.sessions
        .put("cookie", Bytes::from_static(b"x"))
        .await
        .expect("put");
    bus.uploads.put("s0", b"small upload").await.expect("put");
    bus.datasets
        .put("2022/v1/dataset.xlsx", &big_object())
        .await
        .expect("put");
    bus.datasets.put("gone", b"deleted").await.expect("put");
    bus.datasets.store.delete("gone").await.expect("delete");

    let store = Store::connect(&side.target().database)
        .await
        .expect("database");
    store.migrate().await.expect("migrated");
    sqlx::query(
        "INSERT INTO submissions (submission_id, partner, round, mode, accepted_at, \
         dataset_version, records) VALUES ('s2', 'EU', '2022', 'replace', '2026-01-01T00:00:00Z', 1, 2)",
    )
    .execute(store.pool())
    .await
    .expect("row");
    sqlx::query(
        "INSERT INTO deliveries (request_id, round, reason, version, recipients, outcome, detail, \
         message_id, attempts, requested_at, sent_at, updated_at) VALUES ('r1', '2022', 'on_demand', \
         NULL, '[]', 'skipped', 'it''s \"quoted\"\nand multi-line', NULL, 0, 't', NULL, 't')",
    )
    .execute(store.pool())
    .await
    .expect("row");
    store.pool().close().await;
    bus
}

/// 700 KiB of varied bytes: six chunks of the store's 128 KiB.
fn big_object() -> Vec<u8> {
    (0..700 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// Every message of a stream: (sequence, subject, headers, payload).
async fn messages_of(js: &jetstream::Context) -> Vec<(u64, String, String, Bytes)> {
    let mut stream = js.get_stream("JVAP").await.expect("stream");
    let last = stream.info().await.expect("info").state.last_sequence;
    let mut all = Vec::new();
    for seq in 1..=last {
        let message = stream.get_raw_message(seq).await.expect("message");
        let mut headers: Vec<String> = message
            .headers
            .iter()
            .map(|(name, values)| format!("{name}={values:?}"))
            .collect();
        headers.sort();
        all.push((
            message.sequence,
            message.subject.to_string(),
            headers.join(";"),
            message.payload,
        ));
    }
    all
}

async fn rows_of(database: &Database) -> Vec<(String, Vec<Vec<serde_json::Value>>)> {
    use futures::TryStreamExt;
    let store = Store::connect(database).await.expect("database");
    let mut all = Vec::new();
    for table in store.tables().await.expect("tables") {
        let rows: Vec<_> = store.rows(&table).try_collect().await.expect("rows");
        all.push((table.name, rows));
    }
    store.pool().close().await;
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_comes_back_and_each_consumer_goes_on_after_its_ack_floor() {
    // Arrange: a filled source and an empty target.
    let source = Side::start();
    let bus = fill(&source).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let backup_dir = dir.path().join("backup");
    let target = Side::start();

    // Act
    let report = jvap_admin::backup(&source.target(), &backup_dir)
        .await
        .expect("backup");
    let restored = jvap_admin::restore(&target.target(), &backup_dir, RestoreOptions::default())
        .await
        .expect("restore");

    // Assert: what the backup holds, and nothing ephemeral.
    let manifest = &report.manifest;
    let buckets: Vec<&str> = manifest.buckets.iter().map(|b| b.name.as_str()).collect();
    assert!(buckets.contains(&"tokens"), "{buckets:?}");
    assert!(
        !buckets.contains(&"sessions") && !buckets.contains(&"services"),
        "{buckets:?}"
    );
    // Every stream found, the audit log's too: none is named in the backup's code.
    let names: Vec<&str> = manifest.streams.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"JVAP_AUDIT"), "{names:?}");
    let work = manifest
        .streams
        .iter()
        .find(|s| s.name == "JVAP")
        .expect("the JVAP stream is backed up");
    assert_eq!(work.messages, 4);
    assert_eq!(work.consumers[0].ack_floor, 2);
    assert_eq!(
        restored.streams[0].consumers,
        vec![(DURABLE.to_string(), 3)]
    );
    assert!(!restored.streams[0].renumbered);
    assert!(
        report.to_string().contains("stream JVAP: 4 messages"),
        "{report}"
    );
    assert!(
        restored.to_string().contains("drill (from 3)"),
        "{restored}"
    );

    // The stream: the same messages, sequences, subjects, headers and payloads.
    let restored_bus = Bus::connect(&target.nats.url()).await.expect("bus");
    assert_eq!(
        messages_of(&restored_bus.js).await,
        messages_of(&bus.js).await
    );
    // The consumer is given the first message it had not acknowledged, and nothing before it.
    let stream = restored_bus.js.get_stream("JVAP").await.expect("stream");
    let consumer: consumer::PullConsumer = stream
        .get_consumer(DURABLE)
        .await
        .expect("consumer restored");
    let mut next = consumer
        .fetch()
        .max_messages(10)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .expect("fetch");
    let mut given = Vec::new();
    while let Some(message) = next.next().await {
        let message = message.expect("message");
        given.push(message.info().expect("info").stream_sequence);
        message.double_ack().await.expect("ack");
    }
    assert_eq!(
        given,
        vec![3],
        "only the validated message, never the two received ones"
    );

    // KV: the live keys with their values; the deleted key and the session are not there.
    assert_eq!(
        restored_bus
            .kv_keys(&restored_bus.tokens)
            .await
            .expect("keys"),
        vec!["hash-a".to_string()]
    );
    assert_eq!(
        restored_bus.tokens.get("hash-a").await.expect("get"),
        Some(Bytes::from_static(b"{\"role\":\"admin\"}"))
    );
    assert_eq!(
        restored_bus.sessions.get("cookie").await.expect("get"),
        None
    );
    // Objects: byte for byte, several chunks; the deleted one is not there.
    assert_eq!(
        restored_bus
            .datasets
            .get("2022/v1/dataset.xlsx")
            .await
            .expect("get"),
        Some(big_object())
    );
    assert_eq!(
        restored_bus
            .uploads
            .get("s0")
            .await
            .expect("get")
            .as_deref(),
        Some(&b"small upload"[..])
    );
    assert_eq!(restored_bus.datasets.get("gone").await.expect("get"), None);
    // Rows: every table, every value (quotes, new lines and NULLs included).
    assert_eq!(
        rows_of(&target.target().database).await,
        rows_of(&source.target().database).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_or_a_target_with_data_is_refused_before_anything_changes() {
    // Arrange
    let source = Side::start();
    let _bus = fill(&source).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let backup_dir = dir.path().join("backup");
    jvap_admin::backup(&source.target(), &backup_dir)
        .await
        .expect("backup");
    let target = Side::start();

    // Act: a backup into a directory that holds something; a restore into the source itself.
    let into_used = jvap_admin::backup(&source.target(), &backup_dir).await;
    let onto_data =
        jvap_admin::restore(&source.target(), &backup_dir, RestoreOptions::default()).await;
    // One byte of one object changed.
    let object = backup_dir.join("objects/uploads/000001.bin");
    let mut bytes = std::fs::read(&object).expect("object file");
    bytes[0] ^= 1;
    std::fs::write(&object, bytes).expect("written");
    let damaged =
        jvap_admin::restore(&target.target(), &backup_dir, RestoreOptions::default()).await;

    // Assert
    assert!(
        matches!(into_used, Err(AdminError::DirectoryNotEmpty(_))),
        "{into_used:?}"
    );
    match onto_data {
        Err(AdminError::NotEmpty(what)) => {
            let what = what.join("; ");
            assert!(what.contains("stream JVAP holds 4 messages"), "{what}");
            assert!(what.contains("table submissions holds 1 rows"), "{what}");
        }
        other => panic!("a target with data must be refused: {other:?}"),
    }
    match damaged {
        Err(AdminError::Invalid(why)) => {
            assert!(why.contains("objects/uploads/000001.bin"), "{why}")
        }
        other => panic!("a damaged backup must be refused: {other:?}"),
    }
    let js = jetstream::new(
        async_nats::connect(target.nats.url())
            .await
            .expect("connect"),
    );
    assert!(
        js.get_stream("JVAP").await.is_err(),
        "nothing was created in the target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_force_a_restore_replaces_what_the_target_holds() {
    // Arrange: the target already has a round of its own.
    let source = Side::start();
    let bus = fill(&source).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let backup_dir = dir.path().join("backup");
    jvap_admin::backup(&source.target(), &backup_dir)
        .await
        .expect("backup");
    let target = Side::start();
    let other = fill(&target).await;
    other
        .publish("jvap.dataset.published", "other", &serde_json::json!({}))
        .await
        .expect("published");

    // Act
    let restored = jvap_admin::restore(
        &target.target(),
        &backup_dir,
        RestoreOptions { force: true },
    )
    .await
    .expect("forced restore");

    // Assert: the target now holds exactly the backup.
    assert!(
        restored
            .replaced
            .iter()
            .any(|r| r == "stream JVAP holds 5 messages"),
        "{:?}",
        restored.replaced
    );
    assert_eq!(messages_of(&other.js).await, messages_of(&bus.js).await);
    assert_eq!(
        rows_of(&target.target().database).await,
        rows_of(&source.target().database).await
    );
}
