//! jvap-aggregation: consumes validated submissions, keeps every version of every initiative in its
//! own database (SQLite or PostgreSQL, same migrations and queries), and publishes dataset versions.
//!
//! For each `SubmissionValidated` (at-least-once, idempotent by submission id) it applies the
//! submission in one transaction — **replace** ends the partner's current initiatives in the round,
//! **merge** ends only those whose `partner_ref` comes again — and takes the round's next version N.
//! After the commit it builds version N from the database with `jvap_outputs::build` (the
//! dataset in xlsx, JSON and CSV and the Committee summaries, with the change log against N-1 and the
//! round tracker), writes each file to `<round>/v<N>/<file>` in the `datasets` object store, puts the
//! `DatasetPublished` under the round in KV `datasets`, publishes it on `jvap.dataset.published` and
//! records N in the submission's status.
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
//! # Layout
//! - [`config`]: settings from the environment.
//! - [`store`]: the database and its query API ([`Store::initiatives_at`], [`Store::history`],
//!   [`Store::versions`]).
//! - [`aggregate`]: the message handlers (validated, and revalidated rejections) and the publication
//!   of a version.
//! - [`delivery`]: the summary request handler; [`mail`]: the e-mail and the SMTP transport.

pub mod aggregate;
pub mod config;
pub mod delivery;
pub mod error;
pub mod mail;
pub mod store;

pub use aggregate::Aggregator;
pub use config::{Config, Database, MailConfig};
pub use delivery::Delivery;
pub use error::{Error, Result};
pub use store::{
    Applied, AppliedSubmission, Backend, InitiativeVersion, NewInitiative, Rebuilt, Revalidated,
    Store, VersionInfo,
};

use jvap_bus::{Bus, CancellationToken, ConsumerSpec, consumer};
use jvap_record::messages as m;

/// The durable consumer name; replicas share it.
pub const DURABLE: &str = "aggregation";
/// The durable consumer of rejections (only revalidated ones matter to aggregation); replicas share it.
pub const DURABLE_REJECTED: &str = "aggregation-rejected";
/// Every rejection; `jvap_record::messages` names the per-partner subject.
const SUBJECT_REJECTED_ALL: &str = "jvap.submission.rejected.>";
/// The durable consumer of summary requests; replicas share it.
pub const DURABLE_SUMMARY: &str = "summary-delivery";

/// A connected, migrated service, ready to consume.
pub struct App {
    config: Config,
    bus: Bus,
    store: Store,
    mailer: Option<mail::Mailer>,
}

/// Check the e-mail settings, connect to NATS and the database and apply the migrations.
pub async fn build(config: Config) -> Result<App> {
    let mailer = config.mail.as_ref().map(mail::Mailer::new).transpose()?;
    let bus = Bus::connect_with(&config.nats).await?;
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
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
    })
}

impl App {
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

    /// The summary request handler, to drive it without a consumer.
    pub fn delivery(&self) -> Delivery {
        Delivery::new(
            self.bus.clone(),
            self.store.clone(),
            self.mailer.clone(),
            u32::try_from(self.summary_spec().max_deliver).unwrap_or(1),
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
    pub async fn run_until_stopped(self, stop: CancellationToken) -> Result<()> {
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
        let summary_spec = self.summary_spec();
        let delivery = self.delivery();
        let summaries = consumer::run(&self.bus, &summary_spec, stop, |payload| {
            let delivery = delivery.clone();
            async move { delivery.handle(&payload).await }
        });
        let (validated, rejected, summaries) = tokio::join!(validated, rejected, summaries);
        validated
            .and(rejected)
            .and(summaries)
            .map_err(|e| Error::Consumer(format!("{e:#}")))?;
        self.store.pool().close().await;
        Ok(())
    }
}
