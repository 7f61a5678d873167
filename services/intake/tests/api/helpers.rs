//! A running intake against a real nats-server, and a client that speaks its API.

use futures::StreamExt;
use jvap_bus::{Bus, CancellationToken};
use jvap_intake::{App, Config};
use jvap_testkit::NatsServer;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "test-admin-token";

pub struct TestApp {
    pub address: String,
    /// The ops listener: `/metrics`, `/livez`, `/readyz`.
    pub ops_address: String,
    pub bus: Bus,
    pub client: reqwest::Client,
    /// Stops the server when the test ends.
    stop: CancellationToken,
    /// The test's own server; killed on drop.
    pub nats: NatsServer,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Intake on a free port with the default settings and a bootstrap admin token.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Intake with settings changed by `configure` (a small upload limit, say).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        jvap_bus::telemetry::init("intake", jvap_bus::telemetry::LogFormat::Text);
    }
    let nats = NatsServer::start().expect("nats-server starts");
    let nats_config = jvap_bus::NatsConfig::new(&nats.url()).expect("a valid NATS URL");
    let mut config = Config {
        max_upload_bytes: 1024 * 1024,
        admin_token: Some(ADMIN_TOKEN.into()),
        // Tests knock fast from one address; the tests of the rate limits set their own.
        rates: jvap_intake::config::Rates {
            signin_per_minute: 10_000,
            uploads_per_minute: 10_000,
            ..jvap_intake::config::Rates::default()
        },
        ..Config::for_tests(nats_config)
    };
    configure(&mut config);
    let app = App::build(config).await.expect("intake builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let ops_address = format!("http://127.0.0.1:{}", app.ops_port());
    let stop = CancellationToken::new();
    tokio::spawn(app.run_until_stopped(stop.clone()));
    let bus = Bus::connect(&nats.url()).await.expect("test bus connects");
    TestApp {
        address,
        ops_address,
        bus,
        client: reqwest::Client::new(),
        stop,
        nats,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Issue a token through the API with the bootstrap admin token.
    pub async fn issue_token(&self, role: &str, partner: Option<&str>) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/tokens"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "role": role, "partner": partner }))
            .send()
            .await
            .expect("token request is sent");
        assert_eq!(response.status(), 201, "issuing a {role} token");
        let body: Value = response.json().await.expect("token JSON");
        body["token"].as_str().expect("a token").to_string()
    }

    /// Upload a file as a partner would.
    pub async fn upload(&self, token: &str, file_name: &str, bytes: &[u8]) -> reqwest::Response {
        let form = Form::new().part(
            "file",
            Part::bytes(bytes.to_vec()).file_name(file_name.to_string()),
        );
        self.upload_form(token, form).await
    }

    pub async fn upload_form(&self, token: &str, form: Form) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/submissions"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload is sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request is sent")
    }

    /// How many messages the stream holds on subjects matching `filter`.
    pub async fn messages_on(&self, filter: &str) -> usize {
        let stream = self
            .bus
            .js
            .get_stream(jvap_record::messages::STREAM)
            .await
            .expect("the stream exists");
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
}

/// The `error` message of a JSON error response.
pub async fn error_message(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("a JSON error body");
    body["error"]
        .as_str()
        .expect("an error message")
        .to_string()
}

/// Every `SubmissionReceived` in the stream on `filter`, in order, with its message id.
pub async fn received_messages(
    app: &TestApp,
    filter: &str,
) -> Vec<(String, jvap_record::messages::SubmissionReceived)> {
    use async_nats::jetstream::consumer::{AckPolicy, pull};
    let stream = app
        .bus
        .js
        .get_stream(jvap_record::messages::STREAM)
        .await
        .expect("the stream exists");
    let consumer = stream
        .create_consumer(pull::Config {
            filter_subject: filter.into(),
            ack_policy: AckPolicy::None,
            ..Default::default()
        })
        .await
        .expect("an ephemeral consumer");
    let mut batch = consumer
        .fetch()
        .max_messages(1000)
        .expires(std::time::Duration::from_secs(1))
        .messages()
        .await
        .expect("fetch");
    let mut messages = Vec::new();
    while let Some(message) = batch.next().await {
        let message = message.expect("a message");
        let id = message
            .headers
            .as_ref()
            .and_then(|headers| headers.get("Nats-Msg-Id"))
            .map(|value| value.to_string())
            .unwrap_or_default();
        messages.push((
            id,
            serde_json::from_slice(&message.payload).expect("SubmissionReceived"),
        ));
    }
    messages
}
