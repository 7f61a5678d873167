//! Settings, read once from the environment in `main` and passed to [`crate::App::build`].

use anyhow::Context;
use jvap_bus::NatsConfig;

/// Everything intake needs to start. Tests build it directly (port 0, a small upload limit).
#[derive(Debug, Clone)]
pub struct Config {
    /// `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the object-store limits (see [`NatsConfig`]).
    pub nats: NatsConfig,
    /// `JVAP_HTTP_ADDR`, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub http_addr: String,
    /// `JVAP_ROUND`: the round new submissions belong to and downloads default to.
    pub round: String,
    /// `JVAP_MAX_UPLOAD_BYTES`: the largest file accepted.
    pub max_upload_bytes: usize,
    /// `JVAP_ADMIN_TOKEN`: when set, its hash is stored as an admin token at start, so a fresh system
    /// can issue its other tokens.
    pub admin_token: Option<String>,
}

impl Config {
    /// Read the settings from `JVAP_*` variables, with the defaults of a local run.
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let max_upload_bytes = match var("JVAP_MAX_UPLOAD_BYTES") {
            Some(text) => text.parse().with_context(|| {
                format!("JVAP_MAX_UPLOAD_BYTES is not a number of bytes: {text}")
            })?,
            None => 50 * 1024 * 1024,
        };
        Ok(Config {
            nats: NatsConfig::from_env()?,
            http_addr: var("JVAP_HTTP_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            round: var("JVAP_ROUND").unwrap_or_else(|| "2022".into()),
            max_upload_bytes,
            admin_token: var("JVAP_ADMIN_TOKEN"),
        })
    }
}
