//! Validation running against one real nats-server. A test "uploads" by doing what intake does:
//! the bytes into the `uploads` store, a `received` status, and the message; intake itself is not
//! started (its tests are its own; the whole system's are in `tests/`).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::message::PublishMessage;
use futures::StreamExt;
use jvap_bus::{Bus, CancellationToken};
use jvap_record::messages::{STREAM, SubmissionReceived};
use jvap_testkit::NatsServer;

/// How long a test waits for the system to settle before it fails.
const DEADLINE: Duration = Duration::from_secs(20);

pub struct TestSystem {
    pub bus: Bus,
    /// How many files [`TestSystem::upload`] received, for their ids.
    uploads: AtomicU64,
    /// Stops every service when the test ends.
    stop: CancellationToken,
    _nats: NatsServer,
}

impl Drop for TestSystem {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Validation alone, with its settings changed by `configure` (shorter retries, say).
pub async fn spawn_validation(configure: impl FnOnce(&mut jvap_validation::Config)) -> TestSystem {
    if std::env::var("TEST_LOG").is_ok() {
        jvap_bus::telemetry::init("validation", jvap_bus::telemetry::LogFormat::Text);
    }
    let nats = NatsServer::start().expect("nats-server starts");
    let binary = jvap_testkit::processes::binary("jvap-worker").unwrap_or_else(|e| panic!("{e:#}"));
    let worker = jvap_worker::Worker::binary(binary, jvap_worker::Budget::default());
    let mut config = jvap_validation::Config {
        nats: jvap_bus::NatsConfig::new(&nats.url()).expect("a valid NATS URL"),
        consumer: jvap_validation::config::consumer_spec(&worker.budget),
        worker,
        limits: jvap_ingest::Limits::default(),
        check_workers: 1,
        metrics_addr: "127.0.0.1:0".into(),
    };
    configure(&mut config);
    let app = jvap_validation::App::build(config)
        .await
        .expect("validation builds");
    let stop = CancellationToken::new();
    let service = app.run_until_stopped(stop.clone());
    tokio::spawn(async move {
        if let Err(e) = service.await {
            panic!("validation stopped: {e:#}");
        }
    });
    TestSystem {
        bus: Bus::connect(&nats.url()).await.expect("test bus connects"),
        uploads: AtomicU64::new(0),
        stop,
        _nats: nats,
    }
}

impl TestSystem {
    /// Receive a file as intake does (stored bytes, a `received` status, the message); returns the
    /// submission id.
    pub async fn upload(&self, partner: &str, file_name: &str, bytes: Vec<u8>) -> String {
        let id = format!(
            "{}-{}",
            partner.to_lowercase(),
            self.uploads.fetch_add(1, Ordering::SeqCst)
        );
        self.bus.uploads.put(&id, &bytes).await.expect("stored");
        let mut status = jvap_testkit::received_status(&id);
        status.partner = partner.to_string();
        status.file_name = file_name.to_string();
        status.size = bytes.len() as u64;
        assert!(self.bus.create_status(&status).await.expect("status"));
        let received = SubmissionReceived {
            submission_id: id.clone(),
            partner: status.partner,
            round: status.round,
            mode: status.mode,
            file_name: status.file_name,
            size: status.size,
            sha256: self
                .bus
                .uploads
                .sha256(&id)
                .await
                .expect("info")
                .expect("a digest"),
            received_at: status.received_at,
            revalidation: None,
            mapping: Default::default(),
        };
        self.publish_received(&received, &id).await;
        id
    }

    /// Publish a received message straight onto the stream (as a replay would); returns its sequence.
    pub async fn publish_received(&self, received: &SubmissionReceived, msg_id: &str) -> u64 {
        let payload = serde_json::to_vec(received).expect("JSON");
        let message = PublishMessage::build()
            .payload(payload.into())
            .message_id(msg_id);
        let subject = jvap_record::messages::subject_received(&received.partner);
        self.bus
            .js
            .send_publish(subject, message)
            .await
            .expect("publish")
            .await
            .expect("publish ack")
            .sequence
    }

    /// How many messages the stream holds on subjects matching `filter`.
    pub async fn messages_on(&self, filter: &str) -> usize {
        let stream = self.bus.js.get_stream(STREAM).await.expect("the stream");
        let mut subjects = stream
            .info_with_subjects(filter)
            .await
            .expect("stream info");
        let mut total = 0;
        while let Some(entry) = subjects.next().await {
            total += entry.expect("subject count").1;
        }
        total
    }

    /// Wait until the validation consumer has acknowledged every message up to `sequence`.
    pub async fn wait_until_handled(&self, sequence: u64) {
        wait_for(
            "the validation consumer to acknowledge the message",
            || async {
                let stream = self.bus.js.get_stream(STREAM).await.ok()?;
                let info = stream.consumer_info("validation").await.ok()?;
                (info.ack_floor.stream_sequence >= sequence).then_some(())
            },
        )
        .await
    }
}

/// Poll `check` until it gives a value, failing the test after the deadline.
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
