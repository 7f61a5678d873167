//! Settings: the command line and the environment (`JVAP_*`), read once by `main` with clap into
//! [`Settings`] (so `jvap-validation --help` lists every one with its variable and default), then
//! made into the [`Config`] [`crate::App::build`] takes. Tests build [`Config`] directly.

use anyhow::Context;
use clap::Parser;
use jvap_bus::config::address_arg;
use jvap_bus::telemetry::LogFormat;
use jvap_bus::{ConsumerSpec, NatsConfig};
use jvap_ingest::Limits;
use jvap_record::messages::SUBJECT_RECEIVED_ALL;
use jvap_worker::{Budget, BudgetArgs, Worker};

/// What an operator sets.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "jvap-validation",
    version,
    about = "Validates each received JVAP workbook cell by cell, in a worker process under a budget."
)]
pub struct Settings {
    #[command(flatten)]
    pub nats: NatsConfig,
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Files validated at once [default: the number of cores].
    #[arg(long, env = "JVAP_VALIDATION_WORKERS", value_parser = clap::value_parser!(u32).range(1..))]
    pub validation_workers: Option<u32>,
    /// Dry runs ("check only", `POST /api/v1/validate`) checked at once, beside the submissions.
    #[arg(long, env = "JVAP_CHECK_WORKERS", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub check_workers: u32,
    /// Where `/metrics`, `/livez` and `/readyz` are served, for Prometheus and probes.
    #[arg(long, env = "JVAP_METRICS_ADDR", default_value = "127.0.0.1:9102", value_parser = address_arg)]
    pub metrics_addr: String,
    /// `text` or `json` (one JSON object per line, with the trace id of each submission).
    #[arg(long, env = "JVAP_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,
}

/// Everything validation needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub nats: NatsConfig,
    /// The durable consumer every replica shares; tests shorten its retries.
    pub consumer: ConsumerSpec,
    /// Where partner bytes are parsed: this binary run again as a worker, under its budget.
    pub worker: Worker,
    /// The readers' limits (upload size, rows, inflation).
    pub limits: Limits,
    /// Dry runs checked at once, in slots of their own (see [`crate::checks`]).
    pub check_workers: usize,
    /// The ops listener's address (`127.0.0.1:0` in tests).
    pub metrics_addr: String,
}

impl Settings {
    /// The service's configuration: this binary as the worker, the consumer sized to the budget.
    pub fn config(self) -> anyhow::Result<Config> {
        let budget = self.budget.budget();
        let worker =
            Worker::this_binary(budget).context("cannot find this binary to run it as a worker")?;
        let mut consumer = consumer_spec(&budget);
        if let Some(workers) = self.validation_workers {
            consumer.concurrency = workers as usize;
        }
        Ok(Config {
            nats: self.nats,
            consumer,
            worker,
            limits: Limits::default(),
            check_workers: self.check_workers as usize,
            metrics_addr: self.metrics_addr,
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
