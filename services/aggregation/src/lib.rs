//! jvap-aggregation: consumes validated submissions, keeps every version of every initiative in its
//! own database (SQLite or PostgreSQL, same migrations and queries), and publishes dataset versions.
//!
//! For each `SubmissionValidated` (at-least-once, idempotent by submission id) it applies the
//! submission in one transaction — **replace** ends the partner's current initiatives in the round,
//! **merge** ends only those whose `partner_ref` comes again — and takes the round's next version N.
//! Right after the commit it puts the `DatasetPublished` under the round in KV `datasets`, publishes
//! it on `jvap.dataset.published`, records N in the submission's status, keeps the round tracker with
//! N and asks the builder for N's files. The builder ([`builder`], its own durable consumer of
//! `jvap.dataset.build.requested`) builds the newest version from the database with
//! `jvap_outputs::build` (the dataset in xlsx, JSON and CSV and the Committee summaries, with the
//! change log against N-1 and the round tracker) and writes each file to `<round>/v<N>/<file>` in
//! the `datasets` object store; versions it was overtaken on, and those retention removed, are built
//! when asked for.
//!
//! A revalidated outcome (an admin's replay or round revalidation: `revalidation` set), on
//! `jvap.submission.validated.>` or, through a second durable consumer, `jvap.submission.rejected.>`,
//! of a submission already applied rebuilds its partner's initiatives from the accepted submissions
//! in their original order of acceptance and publishes a new version when they changed
//! ([`Store::rebuild`]).
//!
//! A second consumer takes `jvap.summary.requested` (a round closed, or `jvap summary send`) and
//! e-mails the round's latest summary to the Steering Committee over SMTP, recording each sending
//! in its `deliveries` table and in KV `committee` (see [`delivery`]).
//!
//! A scheduler reminds partners of a round's deadline by e-mail, and after a rejected file nothing
//! followed, at most once a day each (see [`reminders`]).
//!
//! # Layout
//! - [`config`]: settings from the environment.
//! - [`store`]: the database and its query API ([`Store::initiatives_at`], [`Store::history`],
//!   [`Store::versions`]).
//! - [`incoming`]: an accepted submission's initiatives, as the store and the ids take them.
//! - [`ids`]: the JVAP id each initiative takes, their sequence, and whose each id is.
//! - [`baseline`]: a round's version 1 from an earlier round's data (an imported baseline, or the
//!   current initiatives of the round it is opened from).
//! - [`aggregate`]: the message handlers (validated, and revalidated rejections) and the publication
//!   of a version.
//! - [`builder`]: the files of a version, built apart from its commit, coalescing, on demand, kept
//!   by retention; [`index`]: what a version holds, read at the cost of what it changed.
//! - [`delivery`]: the summary request handler; [`mail`]: the e-mail and the SMTP transport.
//! - [`reminders`]: the reminder scheduler and its [`reminders::Clock`].
//! - [`tables`]: every table as plain rows, and loading them back (`jvap admin backup`/`restore`).

pub mod aggregate;
pub mod baseline;
pub mod builder;
pub mod config;
pub mod delivery;
pub mod error;
pub mod ids;
pub mod incoming;
pub mod index;
pub mod mail;
pub mod reminders;
pub mod store;
pub mod tables;

pub use aggregate::Aggregator;
pub use builder::{Builder, Built};
pub use config::{Config, Database, DatabaseSettings, MailConfig, ReminderConfig, Settings};
pub use delivery::Delivery;
pub use error::{Error, Result};
pub use store::{
    Applied, AppliedSubmission, Backend, InitiativeVersion, NewInitiative, Rebuilt, Revalidated,
    Store, VersionInfo,
};

use jvap_bus::ops::Check;
use jvap_bus::{Bus, CancellationToken, ConsumerSpec, Health, consumer};
use jvap_record::messages as m;

/// The durable consumer name; replicas share it.
pub const DURABLE: &str = "aggregation";
/// The durable consumer of rejections (only revalidated ones matter to aggregation); replicas share it.
pub const DURABLE_REJECTED: &str = "aggregation-rejected";
/// Every rejection; `jvap_record::messages` names the per-partner subject.
const SUBJECT_REJECTED_ALL: &str = "jvap.submission.rejected.>";
/// The durable consumer of build requests (the builder); replicas share it.
pub const DURABLE_BUILDER: &str = "aggregation-builder";
/// The durable consumer of summary requests; replicas share it.
pub const DURABLE_SUMMARY: &str = "summary-delivery";

/// A connected, migrated service, ready to consume.
pub struct App {
    config: Config,
    bus: Bus,
    store: Store,
    mailer: Option<mail::Mailer>,
    health: Health,
    /// `/metrics`, `/livez`, `/readyz`; bound at build so its port is known.
    ops_listener: Option<tokio::net::TcpListener>,
}

/// Check the e-mail settings, connect to NATS and the database and apply the migrations.
pub async fn build(config: Config) -> Result<App> {
    // Boxed: the set-up's future is large, and callers' stacks (a test's, a debug build's) are not.
    Box::pin(build_app(config)).await
}

async fn build_app(config: Config) -> Result<App> {
    let mailer = config.mail.as_ref().map(mail::Mailer::new).transpose()?;
    let bus = Box::pin(Bus::connect_with(&config.nats)).await?;
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    jvap_bus::ops::recorder();
    let health = health(&bus, &store, config.mail.is_some());
    let ops_listener = tokio::net::TcpListener::bind(&config.metrics_addr)
        .await
        .map_err(|e| Error::Consumer(format!("cannot listen on {}: {e}", config.metrics_addr)))?;
    tracing::info!(
        nats = %config.nats.servers_shown(),
        replicas = config.nats.replicas,
        backend = ?store.backend(),
        mail = ?config.mail,
        "aggregation ready"
    );
    Ok(App {
        config,
        bus,
        store,
        mailer,
        health,
        ops_listener: Some(ops_listener),
    })
}

/// Ready when NATS and its stores are (see [`Health`]), the database answers, and mail is either
/// configured or deliberately off (no `JVAP_SMTP_URL`: each summary request is recorded as skipped).
fn health(bus: &Bus, store: &Store, mail: bool) -> Health {
    let store = store.clone();
    Health::new("aggregation", bus.clone())
        .with_check(move || {
            let store = store.clone();
            async move {
                let ping = sqlx::query("SELECT 1").execute(store.pool());
                match tokio::time::timeout(std::time::Duration::from_secs(2), ping).await {
                    Ok(Ok(_)) => Check::new("database", true, format!("{:?}", store.backend())),
                    Ok(Err(e)) => Check::new("database", false, e.to_string()),
                    Err(_) => Check::new("database", false, "no answer within 2 s"),
                }
            }
        })
        .with_check(move || async move {
            let detail = if mail {
                "configured"
            } else {
                "off: JVAP_SMTP_URL is not set"
            };
            Check::new("smtp", true, detail)
        })
        .with_consumer(DURABLE)
        .with_consumer(DURABLE_REJECTED)
        .with_consumer(DURABLE_BUILDER)
        .with_consumer(DURABLE_SUMMARY)
}

impl App {
    /// The port of `/metrics`, `/livez` and `/readyz`.
    pub fn ops_port(&self) -> u16 {
        self.ops_listener.as_ref().map_or(0, jvap_bus::ops::port_of)
    }

    /// The database, for queries.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// The NATS connection.
    pub fn bus(&self) -> Bus {
        self.bus.clone()
    }

    /// The handler, to drive it without a consumer.
    pub fn aggregator(&self) -> Aggregator {
        Aggregator::new(self.bus.clone(), self.store.clone())
    }

    /// The builder of dataset files, to drive it without a consumer.
    pub fn builder(&self) -> Builder {
        Builder::new(
            self.bus.clone(),
            self.store.clone(),
            self.config.dataset_files_keep,
        )
    }

    /// The summary request handler, to drive it without a consumer.
    pub fn delivery(&self) -> Delivery {
        Delivery::new(
            self.bus.clone(),
            self.store.clone(),
            self.mailer.clone(),
            u32::try_from(self.summary_spec().max_deliver).unwrap_or(1),
            self.builder(),
        )
    }

    /// The reminder scheduler, on `clock` (tests give it a [`reminders::FixedClock`]).
    pub fn reminders(&self, clock: std::sync::Arc<dyn reminders::Clock>) -> reminders::Reminders {
        reminders::Reminders::new(
            self.bus.clone(),
            self.store.clone(),
            self.mailer.clone(),
            self.config.reminders.clone(),
            clock,
        )
    }

    fn summary_spec(&self) -> ConsumerSpec {
        let mut spec = ConsumerSpec::new(DURABLE_SUMMARY, m::SUBJECT_SUMMARY_REQUESTED, "delivery");
        spec.ack_wait = self.config.ack_wait;
        spec
    }

    /// Consume `jvap.submission.validated.>`, `jvap.submission.rejected.>` (for revalidated
    /// rejections) and `jvap.summary.requested` until `stop` is cancelled; the messages in hand are
    /// finished first.
    pub async fn run_until_stopped(mut self, stop: CancellationToken) -> Result<()> {
        if let Some(listener) = self.ops_listener.take() {
            self.health.serve(listener, stop.clone());
        }
        let heartbeat = self.health.heartbeat(stop.clone());
        let mut spec = ConsumerSpec::new(DURABLE, m::SUBJECT_VALIDATED_ALL, "aggregation");
        spec.ack_wait = self.config.ack_wait;
        let aggregator = self.aggregator();
        let validated = consumer::run(&self.bus, &spec, stop.clone(), |payload| {
            let aggregator = aggregator.clone();
            async move { aggregator.handle(&payload).await }
        });
        let mut rejected_spec =
            ConsumerSpec::new(DURABLE_REJECTED, SUBJECT_REJECTED_ALL, "aggregation");
        rejected_spec.ack_wait = self.config.ack_wait;
        let rejected_aggregator = self.aggregator();
        let rejected = consumer::run(&self.bus, &rejected_spec, stop.clone(), |payload| {
            let aggregator = rejected_aggregator.clone();
            async move { aggregator.handle_rejected(&payload).await }
        });
        let mut builder_spec =
            ConsumerSpec::new(DURABLE_BUILDER, m::SUBJECT_BUILD_REQUESTED, "builder");
        builder_spec.ack_wait = self.config.ack_wait;
        // A build of a large round takes seconds; the loop tells the server it is in progress.
        builder_spec.handle_timeout = std::time::Duration::from_secs(900);
        let builder = self.builder();
        let builds = consumer::run(&self.bus, &builder_spec, stop.clone(), |payload| {
            let builder = builder.clone();
            async move { builder.handle(&payload).await }
        });
        let summary_spec = self.summary_spec();
        let delivery = self.delivery();
        let summaries = consumer::run(&self.bus, &summary_spec, stop.clone(), |payload| {
            let delivery = delivery.clone();
            async move { delivery.handle(&payload).await }
        });
        let reminders = self
            .reminders(std::sync::Arc::new(reminders::SystemClock))
            .run(stop);
        let (validated, rejected, builds, summaries, ()) =
            tokio::join!(validated, rejected, builds, summaries, reminders);
        validated
            .and(rejected)
            .and(builds)
            .and(summaries)
            .map_err(|e| Error::Consumer(format!("{e:#}")))?;
        heartbeat.end().await;
        self.store.pool().close().await;
        Ok(())
    }
}
