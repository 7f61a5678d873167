//! Validation (and, where a test uploads, intake) running against one real nats-server.

use std::future::Future;
use std::time::{Duration, Instant};

use async_nats::jetstream::message::PublishMessage;
use futures::StreamExt;
use jvap_bus::{Bus, CancellationToken};
use jvap_record::messages::{STREAM, SubmissionReceived};
use jvap_tests::NatsServer;

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// How long a test waits for the system to settle before it fails.
const DEADLINE: Duration = Duration::from_secs(20);

pub struct TestSystem {
    pub bus: Bus,
    /// Intake's base URL, when it was started.
    pub intake: Option<String>,
    pub client: reqwest::Client,
    /// Stops every service when the test ends.
    stop: CancellationToken,
    _nats: NatsServer,
}

impl Drop for TestSystem {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Intake and validation with their default settings.
pub async fn spawn_system() -> TestSystem {
    let mut system = spawn_validation(|_| {}).await;
    let config = jvap_intake::Config {
        nats: jvap_bus::NatsConfig::new(&system.nats_url()).expect("a valid NATS URL"),
        http_addr: "127.0.0.1:0".into(),
        round: "2022".into(),
        max_upload_bytes: 10 * 1024 * 1024,
        admin_token: Some(ADMIN_TOKEN.into()),
        quota: jvap_intake::config::Quota::default(),
    };
    let intake = jvap_intake::App::build(config)
        .await
        .expect("intake builds");
    system.intake = Some(format!("http://127.0.0.1:{}", intake.port()));
    tokio::spawn(intake.run_until_stopped(system.stop.clone()));
    system
}

/// Validation alone, with its settings changed by `configure` (shorter retries, say).
pub async fn spawn_validation(configure: impl FnOnce(&mut jvap_validation::Config)) -> TestSystem {
    if std::env::var("TEST_LOG").is_ok() {
        jvap_bus::telemetry::init("validation");
    }
    let nats = NatsServer::start().expect("nats-server starts");
    let worker = jvap_tests::worker();
    let mut config = jvap_validation::Config {
        nats: jvap_bus::NatsConfig::new(&nats.url()).expect("a valid NATS URL"),
        consumer: jvap_validation::config::consumer_spec(&worker.budget),
        worker,
        limits: jvap_ingest::Limits::default(),
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
        intake: None,
        client: reqwest::Client::new(),
        stop,
        _nats: nats,
    }
}

impl TestSystem {
    fn nats_url(&self) -> String {
        self._nats.url()
    }

    /// Upload through intake with a new partner token; returns the submission id.
    pub async fn upload(&self, partner: &str, file_name: &str, bytes: Vec<u8>) -> String {
        let intake = self.intake.as_deref().expect("intake was started");
        let token: serde_json::Value = self
            .client
            .post(format!("{intake}/api/v1/tokens"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&serde_json::json!({ "role": "partner", "partner": partner }))
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token JSON");
        let token = token["token"].as_str().expect("a token");
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
        let response = self
            .client
            .post(format!("{intake}/api/v1/submissions"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), 202);
        let status: serde_json::Value = response.json().await.expect("status JSON");
        status["submission_id"].as_str().expect("an id").to_string()
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
