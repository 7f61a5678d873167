//! Settings, read once from the environment in `main` and passed to [`crate::App::build`].

use anyhow::Context;
use jvap_bus::{ConsumerSpec, NatsConfig};
use jvap_ingest::Limits;
use jvap_record::messages::SUBJECT_RECEIVED_ALL;
use jvap_worker::{Budget, Worker};

/// Everything validation needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the object-store limits (see [`NatsConfig`]).
    pub nats: NatsConfig,
    /// The durable consumer every replica shares; tests shorten its retries. Its `concurrency` is
    /// `JVAP_VALIDATION_WORKERS` (default: the number of cores).
    pub consumer: ConsumerSpec,
    /// Where partner bytes are parsed: this binary run again as a worker, with the budget of
    /// `JVAP_WORKER_MEMORY_BYTES`, `JVAP_WORKER_CPU_SECONDS` and `JVAP_WORKER_SECONDS`.
    pub worker: Worker,
    /// The readers' limits (upload size, rows, inflation).
    pub limits: Limits,
}

impl Config {
    /// Read the settings from `JVAP_*` variables, with the defaults of a local run.
    pub fn from_env() -> anyhow::Result<Config> {
        let nats = NatsConfig::from_env()?;
        let budget = Budget::from_env()?;
        let worker =
            Worker::this_binary(budget).context("cannot find this binary to run it as a worker")?;
        let mut consumer = consumer_spec(&budget);
        if let Ok(value) = std::env::var("JVAP_VALIDATION_WORKERS") {
            consumer.concurrency =
                value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| {
                        format!(
                            "JVAP_VALIDATION_WORKERS must be a positive whole number, not {value:?}"
                        )
                    })?;
        }
        Ok(Config {
            nats,
            consumer,
            worker,
            limits: Limits::default(),
        })
    }
}

/// The consumer of received submissions: one file per core at once, and an attempt may last as long
/// as its two workers (validation, then the annotated workbooks) may, with a minute to store results.
pub fn consumer_spec(budget: &Budget) -> ConsumerSpec {
    let mut spec = ConsumerSpec::new("validation", SUBJECT_RECEIVED_ALL, "validation");
    spec.concurrency = std::thread::available_parallelism().map_or(2, |n| n.get());
    spec.handle_timeout = budget.wall * 2 + std::time::Duration::from_secs(60);
    spec
}
