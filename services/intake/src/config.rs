//! Settings: the command line and the environment (`JVAP_*`), read once by `main` with clap, so
//! `jvap-intake --help` lists every setting with its variable and default. Tests build [`Config`]
//! directly (port 0, a small upload limit).

use clap::Parser;
use jvap_bus::NatsConfig;
use jvap_bus::config::address_arg;
use jvap_bus::telemetry::LogFormat;

/// Everything intake needs to start.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "jvap-intake",
    version,
    about = "The JVAP HTTP API and web pages: uploads, statuses, reports, datasets, tokens, rounds."
)]
pub struct Config {
    #[command(flatten)]
    pub nats: NatsConfig,
    /// Where the API and pages listen (`host:port`; port 0 picks a free port).
    #[arg(long, env = "JVAP_HTTP_ADDR", default_value = "127.0.0.1:8080", value_parser = address_arg)]
    pub http_addr: String,
    /// Where `/metrics`, `/livez` and `/readyz` are also served, for Prometheus and probes.
    #[arg(long, env = "JVAP_METRICS_ADDR", default_value = "127.0.0.1:9101", value_parser = address_arg)]
    pub metrics_addr: String,
    /// `text` or `json` (one JSON object per line, with the trace id of each submission).
    #[arg(long, env = "JVAP_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,
    /// The round new submissions belong to and downloads default to.
    #[arg(long, env = "JVAP_ROUND", default_value = "2022")]
    pub round: String,
    /// The largest file accepted, in bytes.
    #[arg(long, env = "JVAP_MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// When set, its hash is stored as an admin token at start, so a fresh system can issue its
    /// other tokens (32 random bytes, hex).
    #[arg(long, env = "JVAP_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    #[command(flatten)]
    pub quota: Quota,
    #[command(flatten)]
    pub rates: Rates,
}

/// What one partner may upload, counted from the stored statuses (so every replica agrees).
/// Re-sending a file already received never counts: it is the same submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct Quota {
    /// New files one partner may send in any sliding hour (429 over it).
    #[arg(
        long = "quota-files-per-hour",
        env = "JVAP_QUOTA_FILES_PER_HOUR",
        default_value_t = 60
    )]
    pub files_per_hour: u32,
    /// Bytes of every file one partner may send to a round, whatever became of them (429 over it).
    #[arg(long = "quota-bytes-per-round", env = "JVAP_QUOTA_BYTES_PER_ROUND", default_value_t = 1024 * 1024 * 1024)]
    pub bytes_per_round: u64,
}

impl Default for Quota {
    /// 60 files an hour and 1 GiB a round: far above what a partner sends (a few files over weeks),
    /// far below what fills the store.
    fn default() -> Quota {
        Quota {
            files_per_hour: 60,
            bytes_per_round: 1024 * 1024 * 1024,
        }
    }
}

/// How fast one client may knock: sign-in attempts and uploads per minute, per client address and
/// per token, answered 429 with `Retry-After` beyond; and how long a request body may take to arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct Rates {
    /// Sign-in attempts per minute from one address (and with one token).
    #[arg(long, env = "JVAP_SIGNIN_PER_MINUTE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub signin_per_minute: u32,
    /// Uploads per minute from one address (and with one token).
    #[arg(long, env = "JVAP_UPLOADS_PER_MINUTE", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub uploads_per_minute: u32,
    /// Seconds a request body may take to arrive in full before the request is refused (408).
    #[arg(long, env = "JVAP_BODY_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,
}

impl Default for Rates {
    fn default() -> Rates {
        Rates {
            signin_per_minute: 10,
            uploads_per_minute: 30,
            body_timeout_secs: 30,
        }
    }
}

impl Config {
    /// The settings of a test: NATS at `nats_url`, a free port, no admin token, defaults elsewhere.
    pub fn for_tests(nats: NatsConfig) -> Config {
        Config {
            nats,
            http_addr: "127.0.0.1:0".into(),
            metrics_addr: "127.0.0.1:0".into(),
            log_format: LogFormat::Text,
            round: "2022".into(),
            max_upload_bytes: 50 * 1024 * 1024,
            admin_token: None,
            quota: Quota::default(),
            rates: Rates::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        jvap_bus::config::try_settings_from(
            std::iter::once("jvap-intake").chain(args.iter().copied()),
        )
    }

    #[test]
    fn the_defaults_are_a_local_run() {
        let config = parse(&[]).expect("defaults");
        assert_eq!(config.http_addr, "127.0.0.1:8080");
        assert_eq!(config.quota, Quota::default());
        assert_eq!(config.rates, Rates::default());
    }

    #[test]
    fn a_port_out_of_range_or_a_zero_rate_stops_the_start_naming_the_setting() {
        let error = parse(&["--http-addr", "127.0.0.1:70000"]).expect_err("refused");
        assert!(error.to_string().contains("JVAP_HTTP_ADDR"), "{error}");
        let error = parse(&["--signin-per-minute", "0"]).expect_err("refused");
        assert!(
            error.to_string().contains("JVAP_SIGNIN_PER_MINUTE"),
            "{error}"
        );
    }
}
