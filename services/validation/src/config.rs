//! Settings, read once from the environment in `main` and passed to [`crate::App::build`].

use jvap_bus::ConsumerSpec;
use jvap_core::messages::SUBJECT_RECEIVED_ALL;

/// Everything validation needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `JVAP_NATS_URL`.
    pub nats_url: String,
    /// The durable consumer every replica shares; tests shorten its retries.
    pub consumer: ConsumerSpec,
}

impl Config {
    /// Read the settings from `JVAP_*` variables, with the defaults of a local run.
    pub fn from_env() -> Config {
        let nats_url = std::env::var("JVAP_NATS_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
        Config {
            nats_url,
            consumer: consumer_spec(),
        }
    }
}

/// The consumer of received submissions, with the delivery settings every jvap consumer uses.
pub fn consumer_spec() -> ConsumerSpec {
    ConsumerSpec::new("validation", SUBJECT_RECEIVED_ALL, "validation")
}
