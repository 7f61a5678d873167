//! Shared set-up: real NATS and a real database per test, submissions as validation would leave
//! them, and polling with a deadline.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use jvap_aggregation::{App, Config, Database, Store};
use jvap_bus::{Bus, CancellationToken};
use jvap_record::messages::{
    self as m, DatasetPublished, Mode, SubmissionState, SubmissionStatus, SubmissionValidated,
};
use jvap_record::record::SourceRef;
use jvap_record::{Counts, Initiative, Issue, Report, Severity, Verdict};
use jvap_testkit::{NatsServer, Postgres};

pub const ROUND: &str = "2022";
const DEADLINE: Duration = Duration::from_secs(60);

/// Write a scenario once as `async fn name(env: Env)`, then `on_both_backends!(name);` runs it as
/// `name::on_sqlite` and `name::on_postgres`.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$scenario(crate::helpers::Env::start(crate::helpers::Kind::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$scenario(crate::helpers::Env::start(crate::helpers::Kind::Postgres).await).await
            }
        }
    )*};
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A NATS server, a database, and a bus client for the test's own publishing and checking.
pub struct Env {
    pub bus: Bus,
    pub database: Database,
    nats: NatsServer,
    _postgres: Option<Postgres>,
    _dir: tempfile::TempDir,
}

impl Env {
    pub async fn start(kind: Kind) -> Env {
        if std::env::var_os("RUST_LOG").is_some() {
            jvap_bus::telemetry::init("aggregation", jvap_bus::telemetry::LogFormat::Text);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let (database, postgres) = match kind {
            Kind::Sqlite => (
                Database::Sqlite(dir.path().join("data").join("jvap.db")),
                None,
            ),
            Kind::Postgres => {
                let postgres = tokio::task::spawn_blocking(Postgres::start)
                    .await
                    .expect("postgres start task")
                    .expect("postgres starts");
                (
                    Database::Postgres(postgres.url().to_string()),
                    Some(postgres),
                )
            }
        };
        let nats = NatsServer::start().expect("nats-server starts");
        let bus = Bus::connect(&nats.url()).await.expect("bus connects");
        Env {
            bus,
            database,
            nats,
            _postgres: postgres,
            _dir: dir,
        }
    }

    /// The service's settings, with a short ack wait so that messages a stopped instance had
    /// pulled come to the next one quickly.
    pub fn config(&self) -> Config {
        let mut config = Config::new(
            jvap_bus::NatsConfig::new(&self.nats.url()).expect("a valid NATS URL"),
            self.database.clone(),
        );
        config.ack_wait = Duration::from_secs(3);
        config
    }

    /// The NATS server's URL, for a service started as a process.
    pub fn nats_url(&self) -> String {
        self.nats.url()
    }

    /// A built (migrated) service, not yet consuming.
    pub async fn app(&self) -> App {
        jvap_aggregation::build(self.config())
            .await
            .expect("the service builds")
    }

    /// A service consuming in the background.
    pub async fn run(&self) -> Running {
        self.run_with(self.config()).await
    }

    /// A service with these settings consuming in the background.
    pub async fn run_with(&self, config: Config) -> Running {
        let app = jvap_aggregation::build(config)
            .await
            .expect("the service builds");
        let store = app.store();
        let stop = CancellationToken::new();
        let task = tokio::spawn(app.run_until_stopped(stop.clone()));
        Running { store, stop, task }
    }

    /// Put records and report where validation leaves them, create the status, and publish
    /// `SubmissionValidated` (with its id as the message id).
    pub async fn submit(&self, submission: &Submission) -> SubmissionValidated {
        let validated = self.stage(submission).await;
        self.publish_validated(&validated, &submission.id).await;
        validated
    }

    /// Everything of [`Env::submit`] but the message.
    pub async fn stage(&self, submission: &Submission) -> SubmissionValidated {
        let counts = Counts {
            rows: submission.records.len() as u64,
            records: submission.records.len() as u64,
            errors: 0,
            warnings: submission.warnings.len() as u64,
        };
        let issues = submission
            .warnings
            .iter()
            .map(|(row, code, cell)| Issue {
                severity: Severity::Warning,
                code: code.to_string(),
                sheet: Some("Initiatives".into()),
                cell: Some(cell.to_string()),
                row: Some(*row),
                column: None,
                value: None,
                message_en: "warning".into(),
                message_fr: "avertissement".into(),
            })
            .collect();
        let report = Report {
            verdict: Verdict::Accepted,
            counts,
            issues,
            records: submission.records.clone(),
            columns: vec![],
        };
        let id = &submission.id;
        self.bus
            .reports
            .put(
                &format!("{id}/records.json"),
                &serde_json::to_vec(&submission.records).expect("records encode"),
            )
            .await
            .expect("records stored");
        self.bus
            .reports
            .put(
                &format!("{id}/report.json"),
                &serde_json::to_vec(&report).expect("report encodes"),
            )
            .await
            .expect("report stored");
        let now = Utc::now();
        let status = SubmissionStatus {
            submission_id: id.clone(),
            partner: submission.partner.clone(),
            round: ROUND.into(),
            mode: submission.mode,
            file_name: "initiatives.xlsx".into(),
            size: 1000,
            state: SubmissionState::Accepted,
            counts: Some(counts),
            reason: None,
            dataset_version: None,
            received_at: now,
            updated_at: now,
        };
        self.bus
            .create_status(&status)
            .await
            .expect("status created");
        SubmissionValidated {
            submission_id: id.clone(),
            partner: submission.partner.clone(),
            round: ROUND.into(),
            mode: submission.mode,
            counts,
            validated_at: now,
            revalidation: None,
            columns: vec![],
        }
    }

    pub async fn publish_validated(&self, validated: &SubmissionValidated, msg_id: &str) {
        self.bus
            .publish(&m::subject_validated(&validated.partner), msg_id, validated)
            .await
            .expect("validated published");
    }

    /// The dataset version in the submission's status, once set.
    pub async fn wait_for_version(&self, submission_id: &str) -> u32 {
        let bus = self.bus.clone();
        let id = submission_id.to_string();
        wait_for(&format!("a dataset version for {submission_id}"), || {
            let bus = bus.clone();
            let id = id.clone();
            async move {
                bus.status(&id)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|s| s.dataset_version)
            }
        })
        .await
    }

    /// Every `DatasetPublished` message in the stream, in order.
    pub async fn published(&self) -> Vec<DatasetPublished> {
        use async_nats::jetstream::consumer::{AckPolicy, pull};
        let stream = self.bus.js.get_stream(m::STREAM).await.expect("stream");
        let consumer = stream
            .create_consumer(pull::Config {
                filter_subject: m::SUBJECT_DATASET_PUBLISHED.into(),
                ack_policy: AckPolicy::None,
                ..Default::default()
            })
            .await
            .expect("ephemeral consumer");
        let mut messages = consumer
            .fetch()
            .max_messages(1000)
            .messages()
            .await
            .expect("fetch");
        let mut published = Vec::new();
        while let Some(message) = messages.next().await {
            let message = message.expect("message");
            published.push(serde_json::from_slice(&message.payload).expect("DatasetPublished"));
        }
        published
    }

    /// Wait until the stream holds `count` `DatasetPublished` messages, and return them.
    pub async fn wait_for_published(&self, count: usize) -> Vec<DatasetPublished> {
        wait_for(&format!("{count} DatasetPublished messages"), || async {
            let published = self.published().await;
            (published.len() >= count).then_some(published)
        })
        .await
    }

    /// The bytes of an object in the `datasets` store.
    pub async fn dataset_object(&self, name: &str) -> Option<Vec<u8>> {
        self.bus.datasets.get(name).await.expect("object store get")
    }

    /// The bytes of a file of a dataset version (`<round>/v<N>/<file>`), built first when it is
    /// not in the store, by the builder as it answers an on-demand request (here in the test's own
    /// process, so it works without a consumer running).
    pub async fn dataset_file(&self, name: &str) -> Vec<u8> {
        let version: u32 = name
            .split('/')
            .nth(1)
            .and_then(|v| v.strip_prefix('v'))
            .and_then(|v| v.parse().ok())
            .expect("a dataset object name");
        let store = Store::connect(&self.database).await.expect("database");
        jvap_aggregation::Builder::new(self.bus.clone(), store, 3)
            .ensure(ROUND, version)
            .await
            .expect("built");
        self.dataset_object(name).await.expect("built and stored")
    }

    /// Every message on `subject` in the stream, decoded, in order.
    pub async fn messages<T: serde::de::DeserializeOwned>(&self, subject: &str) -> Vec<T> {
        use async_nats::jetstream::consumer::{AckPolicy, pull};
        let stream = self.bus.js.get_stream(m::STREAM).await.expect("stream");
        let consumer = stream
            .create_consumer(pull::Config {
                filter_subject: subject.into(),
                ack_policy: AckPolicy::None,
                ..Default::default()
            })
            .await
            .expect("ephemeral consumer");
        let pending = consumer.cached_info().num_pending;
        if pending == 0 {
            return Vec::new();
        }
        let mut messages = consumer
            .fetch()
            .max_messages(pending as usize)
            .messages()
            .await
            .expect("fetch");
        let mut decoded = Vec::new();
        while let Some(message) = messages.next().await {
            let message = message.expect("message");
            decoded.push(serde_json::from_slice(&message.payload).expect("a message of the type"));
        }
        decoded
    }

    /// The round's latest version as intake reads it.
    pub async fn latest(&self) -> Option<DatasetPublished> {
        self.bus
            .kv_get(&self.bus.dataset_versions, ROUND)
            .await
            .expect("kv get")
    }
}

/// A service consuming in the background; stop it to get its result.
pub struct Running {
    pub store: Store,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<jvap_aggregation::Result<()>>,
}

impl Running {
    pub async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(DEADLINE, self.task)
            .await
            .expect("the service stops in time")
            .expect("the service task did not panic")
            .expect("the service stopped cleanly");
    }
}

/// One submission as validation accepted it.
pub struct Submission {
    pub id: String,
    pub partner: String,
    pub mode: Mode,
    pub records: Vec<Initiative>,
    /// Warnings as (row, code, cell).
    pub warnings: Vec<(u32, &'static str, &'static str)>,
}

impl Submission {
    pub fn new(id: &str, partner: &str, mode: Mode, records: Vec<Initiative>) -> Submission {
        Submission {
            id: id.into(),
            partner: partner.into(),
            mode,
            records,
            warnings: Vec::new(),
        }
    }
}

/// A valid project on sheet `Initiatives`, row `row`.
pub fn initiative(partner_ref: Option<&str>, title: &str, row: u32) -> Initiative {
    Initiative {
        partner_ref: partner_ref.map(String::from),
        initiative_type: "project".into(),
        title: title.into(),
        description: Some("Support to returnees".into()),
        status: "ongoing".into(),
        start_date: NaiveDate::from_ymd_opt(2019, 3, 15).expect("a real date"),
        end_date: NaiveDate::from_ymd_opt(2023, 12, 31),
        jvap_domains: vec!["D1".into(), "D3".into()],
        primary_domain: "D1".into(),
        jvap_priorities: vec!["1.2".into()],
        marrakesh_objectives: vec![],
        countries: vec!["SEN".into(), "MLI".into()],
        geographic_scope: "regional".into(),
        lead_funder: Some("EU".into()),
        other_funders: vec![],
        funder_category: Some("eu_institution".into()),
        implementers: vec!["IOM".into()],
        budget: Some(1_200_000.0),
        currency: Some("EUR".into()),
        budget_eur: Some(1_200_000.0),
        target_groups: vec![],
        website: None,
        contact_email: None,
        jvap_id: None,
        source: SourceRef {
            sheet: Some("Initiatives".into()),
            row,
        },
    }
}

/// Poll `probe` until it gives a value, failing the test after the deadline.
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The titles of a list of dataset initiatives, in order.
pub fn titles(initiatives: &[jvap_outputs::DatasetInitiative]) -> Vec<String> {
    initiatives.iter().map(|i| i.record.title.clone()).collect()
}
