//! Settings, read once from the environment in `main` and passed to [`crate::App::build`].

use jvap_bus::{ConsumerSpec, NatsConfig};
use jvap_core::messages::SUBJECT_RECEIVED_ALL;

/// Everything validation needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the object-store limits (see [`NatsConfig`]).
    pub nats: NatsConfig,
    /// The durable consumer every replica shares; tests shorten its retries.
    pub consumer: ConsumerSpec,
}

impl Config {
    /// Read the settings from `JVAP_*` variables, with the defaults of a local run.
    pub fn from_env() -> Result<Config, jvap_bus::ConfigError> {
        Ok(Config {
            nats: NatsConfig::from_env()?,
            consumer: consumer_spec(),
        })
    }
}

/// The consumer of received submissions, with the delivery settings every jvap consumer uses.
pub fn consumer_spec() -> ConsumerSpec {
    ConsumerSpec::new("validation", SUBJECT_RECEIVED_ALL, "validation")
}
