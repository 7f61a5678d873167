//! E-mailing the Committee summary: real NATS, a real database (SQLite and PostgreSQL) and a real
//! local SMTP server (aiosmtpd) that keeps what it receives. Nothing of ours is mocked.

use std::time::{Duration, Instant};

use chrono::Utc;
use jvap_aggregation::{App, Config, Database, MailConfig};
use jvap_bus::{Bus, CancellationToken};
use jvap_outputs::DatasetFile;
use jvap_record::messages::{
    self as m, CommitteeList, DatasetPublished, DeliveryOutcome, SummaryDelivery, SummaryReason,
    SummaryRequested,
};
use jvap_testkit::{NatsServer, Postgres, SmtpSink};

const ROUND: &str = "2022";
const VERSION: u32 = 3;
const LIMIT: Duration = Duration::from_secs(30);
const CHAIR: &str = "chair@khartoum-process.example.org";
const SECRETARIAT: &str = "secretariat@rabat-process.example.org";

macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$scenario(super::Env::start(false).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$scenario(super::Env::start(true).await).await
            }
        }
    )*};
}

on_both_backends!(
    a_request_emails_the_summary_with_its_five_files_once_and_records_it,
    no_recipients_or_no_smtp_server_is_recorded_as_skipped_without_retrying,
    an_unreachable_smtp_server_is_retried_then_recorded_as_failed,
);

/// The published files of version [`VERSION`] have bodies that name them, so each can be found.
fn content(name: &str) -> Vec<u8> {
    match name {
        "summary.en.html" => {
            b"<html><body><h1>JVAP 2022: summary</h1><p>42 initiatives</p></body></html>".to_vec()
        }
        "summary.fr.html" => "<html><body><h1>PACV 2022 : résumé</h1></body></html>"
            .as_bytes()
            .to_vec(),
        "summary.en.md" => b"# JVAP 2022: summary\n\n42 initiatives\n".to_vec(),
        "summary.fr.md" => "# PACV 2022 : résumé\n".as_bytes().to_vec(),
        other => format!("the bytes of {other}").into_bytes(),
    }
}

async fn a_request_emails_the_summary_with_its_five_files_once_and_records_it(env: Env) {
    // Arrange: a published version, a distribution list, the service consuming.
    let sink = SmtpSink::start().expect("the SMTP sink starts");
    env.publish_version().await;
    env.set_recipients(&[CHAIR, SECRETARIAT]).await;
    let app = env.app(Some(env.mail_to(&sink.url()))).await;
    let delivery = app.delivery();
    let stop = CancellationToken::new();
    let service = tokio::spawn(app.run_until_stopped(stop.clone()));

    // Act
    let request = env
        .bus
        .request_summary(ROUND, SummaryReason::RoundClosed)
        .await
        .expect("requested");

    // Assert: one e-mail, the summary as its body, five attachments.
    let mails = sink.wait_for(1, LIMIT).await.expect("an e-mail arrives");
    let mail = &mails[0];
    assert_eq!(mail.envelope_to, [CHAIR, SECRETARIAT]);
    assert_eq!(mail.to, [CHAIR, SECRETARIAT]);
    assert!(mail.subject.contains("2022"), "{}", mail.subject);
    assert!(mail.subject.contains("v3"), "{}", mail.subject);
    assert_eq!(
        mail.message_id.as_deref(),
        Some(format!("{}@jvap", request.request_id).as_str())
    );
    let html = mail.html.as_deref().expect("an HTML body");
    assert!(html.contains("<h1>JVAP 2022: summary</h1>"), "{html}");
    let text = mail.text.as_deref().expect("a plain-text body");
    assert!(text.contains("# JVAP 2022: summary"), "{text}");
    let attached: Vec<(&str, &str)> = mail
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.content_type.as_str()))
        .collect();
    assert_eq!(
        attached,
        [
            ("jvap-2022-v3-summary.en.html", "text/html"),
            ("jvap-2022-v3-summary.fr.html", "text/html"),
            ("jvap-2022-v3-summary.en.md", "text/markdown"),
            ("jvap-2022-v3-summary.fr.md", "text/markdown"),
            ("jvap-2022-v3-dataset.xlsx", jvap_outputs::XLSX),
        ]
    );
    for (attachment, name) in mail
        .attachments
        .iter()
        .zip(jvap_aggregation::mail::ATTACHED.map(jvap_outputs::DatasetFile::name))
    {
        assert_eq!(attachment.bytes, content(name), "{name} arrives intact");
    }

    // The sending is recorded in the database and in KV.
    let recorded = env
        .wait_for_delivery(&request.request_id, DeliveryOutcome::Sent)
        .await;
    assert_eq!(recorded.version, Some(VERSION));
    assert_eq!(recorded.reason, SummaryReason::RoundClosed);
    assert_eq!(recorded.recipients, [CHAIR, SECRETARIAT]);
    assert_eq!(recorded.attempts, 1);
    assert!(recorded.sent_at.is_some());
    let row = delivery
        .load(&request.request_id)
        .await
        .expect("query")
        .expect("a row");
    assert_eq!(row, recorded);

    // A second click within the window is the same request: NATS drops it.
    let again = env
        .bus
        .request_summary(ROUND, SummaryReason::OnDemand)
        .await
        .expect("requested again");
    assert_eq!(again.request_id, request.request_id);
    // A redelivery (the same body under another message id), and the handler called directly,
    // find the request sent and send nothing.
    env.bus
        .publish(m::SUBJECT_SUMMARY_REQUESTED, "redelivered", &request)
        .await
        .expect("published");
    let direct = delivery.process(&request).await.expect("handled");
    assert_eq!(direct.outcome, DeliveryOutcome::Sent);
    // A later request (another round, nothing published) is handled after the redelivery.
    let other = env
        .bus
        .request_summary("2023", SummaryReason::OnDemand)
        .await
        .expect("requested");
    env.wait_for_delivery(&other.request_id, DeliveryOutcome::Skipped)
        .await;
    assert_eq!(sink.messages().expect("read").len(), 1, "sent once");

    stop.cancel();
    service
        .await
        .expect("no panic")
        .expect("the service stops cleanly");
}

async fn no_recipients_or_no_smtp_server_is_recorded_as_skipped_without_retrying(env: Env) {
    let sink = SmtpSink::start().expect("the SMTP sink starts");
    env.publish_version().await;

    // No distribution list yet.
    let with_smtp = env.app(Some(env.mail_to(&sink.url()))).await.delivery();
    let no_list = request("no-list");
    let record = with_smtp.process(&no_list).await.expect("handled");
    assert_eq!(record.outcome, DeliveryOutcome::Skipped);
    let detail = record.detail.clone().unwrap_or_default();
    assert!(detail.contains("distribution list is empty"), "{detail}");
    assert_eq!(record.attempts, 0);
    assert_eq!(env.kv_delivery("no-list").await, Some(record));

    // A list, but no SMTP server configured.
    env.set_recipients(&[CHAIR]).await;
    let without_smtp = env.app(None).await.delivery();
    let record = without_smtp
        .process(&request("no-smtp"))
        .await
        .expect("handled");
    assert_eq!(record.outcome, DeliveryOutcome::Skipped);
    assert!(
        record
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("JVAP_SMTP_URL"),
        "{record:?}"
    );
    assert_eq!(record.recipients, [CHAIR]);

    // A skipped request stays skipped: handled again, it sends nothing even now that it could.
    let again = with_smtp.process(&no_list).await.expect("handled");
    assert_eq!(again.outcome, DeliveryOutcome::Skipped);
    assert!(matches!(
        with_smtp
            .handle(&serde_json::to_vec(&no_list).expect("encodes"))
            .await,
        jvap_bus::Outcome::Done
    ));
    assert!(sink.messages().expect("read").is_empty());
}

async fn an_unreachable_smtp_server_is_retried_then_recorded_as_failed(env: Env) {
    env.publish_version().await;
    env.set_recipients(&[CHAIR]).await;
    let nothing_listens = jvap_testkit::free_port();
    let delivery = env
        .app(Some(
            env.mail_to(&format!("smtp://127.0.0.1:{nothing_listens}")),
        ))
        .await
        .delivery();
    let request = request("smtp-down");
    let payload = serde_json::to_vec(&request).expect("encodes");

    for attempt in 1..delivery.max_attempts {
        let outcome = delivery.handle(&payload).await;
        assert!(
            matches!(outcome, jvap_bus::Outcome::Retry(_)),
            "attempt {attempt}: {outcome:?}"
        );
        let record = env.kv_delivery("smtp-down").await.expect("recorded");
        assert_eq!(record.outcome, DeliveryOutcome::Retrying);
        assert_eq!(record.attempts, attempt);
        assert!(record.detail.is_some(), "{record:?}");
    }
    assert!(matches!(
        delivery.handle(&payload).await,
        jvap_bus::Outcome::Done
    ));
    let failed = delivery
        .load("smtp-down")
        .await
        .expect("query")
        .expect("a row");
    assert_eq!(failed.outcome, DeliveryOutcome::Failed);
    assert_eq!(failed.attempts, delivery.max_attempts);
    let detail = failed.detail.clone().unwrap_or_default();
    assert!(detail.contains("gave up after 5 attempts"), "{detail}");
    assert_eq!(env.kv_delivery("smtp-down").await, Some(failed.clone()));
    // Given up is final: a later redelivery does not try again.
    let after = delivery.process(&request).await.expect("handled");
    assert_eq!(after.attempts, failed.attempts);
    assert_eq!(after.outcome, DeliveryOutcome::Failed);
}

fn request(id: &str) -> SummaryRequested {
    SummaryRequested {
        request_id: id.to_string(),
        round: ROUND.to_string(),
        reason: SummaryReason::OnDemand,
        requested_at: Utc::now(),
    }
}

/// NATS, a database, and a bus client for the test's own writing and checking.
struct Env {
    bus: Bus,
    database: Database,
    nats: NatsServer,
    _postgres: Option<Postgres>,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn start(postgres: bool) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database, postgres) = if postgres {
            let postgres = tokio::task::spawn_blocking(Postgres::start)
                .await
                .expect("postgres start task")
                .expect("postgres starts");
            (
                Database::Postgres(postgres.url().to_string()),
                Some(postgres),
            )
        } else {
            (Database::Sqlite(dir.path().join("jvap.db")), None)
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

    fn mail_to(&self, smtp_url: &str) -> MailConfig {
        MailConfig {
            smtp_url: smtp_url.to_string(),
            from: "JVAP Secretariat <jvap@example.org>".into(),
        }
    }

    async fn app(&self, mail: Option<MailConfig>) -> App {
        let mut config = Config::new(
            jvap_bus::NatsConfig::new(&self.nats.url()).expect("a valid NATS URL"),
            self.database.clone(),
        );
        config.ack_wait = Duration::from_secs(3);
        config.mail = mail;
        jvap_aggregation::build(config)
            .await
            .expect("the service builds")
    }

    /// Version [`VERSION`] of [`ROUND`] as aggregation leaves it: every file under
    /// `<round>/v<N>/` in the `datasets` store, then the round's latest version in KV `datasets`.
    async fn publish_version(&self) {
        let prefix = format!("{ROUND}/v{VERSION}");
        for name in DatasetFile::ALL.map(DatasetFile::name) {
            self.bus
                .datasets
                .put(&format!("{prefix}/{name}"), &content(name))
                .await
                .expect("object stored");
        }
        let published = DatasetPublished {
            round: ROUND.into(),
            version: VERSION,
            objects: DatasetFile::ALL
                .map(DatasetFile::name)
                .iter()
                .map(|name| (name.to_string(), format!("{prefix}/{name}")))
                .collect(),
            initiatives: 42,
            by_partner: [("NER".to_string(), 42)].into(),
            submission_id: "sub-3".into(),
            published_at: Utc::now(),
        };
        self.bus
            .kv_put(&self.bus.dataset_versions, ROUND, &published)
            .await
            .expect("latest version stored");
    }

    async fn set_recipients(&self, recipients: &[&str]) {
        let list = CommitteeList {
            recipients: recipients.iter().map(|r| r.to_string()).collect(),
            updated_at: Some(Utc::now()),
        };
        self.bus.set_committee_list(&list).await.expect("list set");
    }

    /// The KV record of a request (of any round).
    async fn kv_delivery(&self, request_id: &str) -> Option<SummaryDelivery> {
        for round in [ROUND, "2023"] {
            let found = self
                .bus
                .deliveries(round)
                .await
                .expect("kv read")
                .into_iter()
                .find(|d| d.request_id == request_id);
            if found.is_some() {
                return found;
            }
        }
        None
    }

    async fn wait_for_delivery(
        &self,
        request_id: &str,
        outcome: DeliveryOutcome,
    ) -> SummaryDelivery {
        let started = Instant::now();
        loop {
            if let Some(record) = self.kv_delivery(request_id).await
                && record.outcome == outcome
            {
                return record;
            }
            assert!(
                started.elapsed() < LIMIT,
                "{request_id} not {outcome:?} after {LIMIT:?}: {:?}",
                self.kv_delivery(request_id).await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
