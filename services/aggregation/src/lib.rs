//! jvap-aggregation: consumes validated submissions, keeps every version of every initiative in its
//! own database (SQLite or PostgreSQL, same migrations and queries), and publishes dataset versions.
//!
//! For each `SubmissionValidated` (at-least-once, idempotent by submission id) it applies the
//! submission in one transaction — **replace** ends the partner's current initiatives in the round,
//! **merge** ends only those whose `partner_ref` comes again — and takes the round's next version N.
//! After the commit it builds version N from the database with `jvap_core::outputs::build` (the
//! dataset in xlsx, JSON and CSV and the Committee summaries, with the change log against N-1 and the
//! round tracker), writes each file to `<round>/v<N>/<file>` in the `datasets` object store, puts the
//! `DatasetPublished` under the round in KV `datasets`, publishes it on `jvap.dataset.published` and
//! records N in the submission's status.
//!
//! # Layout
//! - [`config`]: settings from the environment.
//! - [`store`]: the database and its query API ([`Store::initiatives_at`], [`Store::history`],
//!   [`Store::versions`]).
//! - [`aggregate`]: the message handler and the publication of a version.

pub mod aggregate;
pub mod config;
pub mod error;
pub mod store;

pub use aggregate::Aggregator;
pub use config::{Config, Database};
pub use error::{Error, Result};
pub use store::{Applied, Backend, InitiativeVersion, NewInitiative, Store, VersionInfo};

use jvap_bus::{Bus, CancellationToken, ConsumerSpec, consumer};
use jvap_core::messages as m;

/// The durable consumer name; replicas share it.
pub const DURABLE: &str = "aggregation";

/// A connected, migrated service, ready to consume.
pub struct App {
    config: Config,
    bus: Bus,
    store: Store,
}

/// Connect to NATS and the database and apply the migrations.
pub async fn build(config: Config) -> Result<App> {
    let bus = Bus::connect(&config.nats_url).await?;
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    tracing::info!(nats = %config.nats_url, backend = ?store.backend(), "aggregation ready");
    Ok(App { config, bus, store })
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

    /// Consume `jvap.submission.validated.>` until `stop` is cancelled; the message in hand is
    /// finished first.
    pub async fn run_until_stopped(self, stop: CancellationToken) -> Result<()> {
        let mut spec = ConsumerSpec::new(DURABLE, m::SUBJECT_VALIDATED_ALL, "aggregation");
        spec.ack_wait = self.config.ack_wait;
        let aggregator = self.aggregator();
        consumer::run(&self.bus, &spec, stop, |payload| {
            let aggregator = aggregator.clone();
            async move { aggregator.handle(&payload).await }
        })
        .await
        .map_err(|e| Error::Consumer(format!("{e:#}")))?;
        self.store.pool().close().await;
        Ok(())
    }
}
