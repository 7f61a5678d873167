//! The NATS settings, the same for every service: which servers, how many replicas, and how large
//! each object store may grow. Read once at start by [`NatsConfig::from_env`].

use std::str::FromStr;

use async_nats::ServerAddr;

/// The server list when `JVAP_NATS_URL` is not set.
pub const DEFAULT_URL: &str = "nats://127.0.0.1:4222";
/// `JVAP_UPLOADS_MAX_BYTES` when not set: 8 GiB of raw uploads.
pub const DEFAULT_UPLOADS_MAX_BYTES: i64 = 8 * GIB;
/// `JVAP_REPORTS_MAX_BYTES` when not set: 4 GiB of reports and records.
pub const DEFAULT_REPORTS_MAX_BYTES: i64 = 4 * GIB;
/// `JVAP_DATASETS_MAX_BYTES` when not set: 4 GiB of published dataset files.
pub const DEFAULT_DATASETS_MAX_BYTES: i64 = 4 * GIB;
/// The largest replica count JetStream allows.
pub const MAX_REPLICAS: usize = 5;

const KIB: i64 = 1024;
const MIB: i64 = 1024 * KIB;
const GIB: i64 = 1024 * MIB;

/// Where NATS is and how the stream, buckets and object stores are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsConfig {
    /// `JVAP_NATS_URL`: one or more servers, comma-separated; the client connects to any of them and
    /// fails over to the others.
    pub servers: Vec<ServerAddr>,
    /// `JVAP_NATS_REPLICAS` (1 to 5, default 1): copies of the stream, every KV bucket and every
    /// object store. 3 on a 3-node cluster, so that losing one node loses nothing.
    pub replicas: usize,
    /// `JVAP_UPLOADS_MAX_BYTES`: the size limit of object store `uploads`.
    pub uploads_max_bytes: i64,
    /// `JVAP_REPORTS_MAX_BYTES`: the size limit of object store `reports`.
    pub reports_max_bytes: i64,
    /// `JVAP_DATASETS_MAX_BYTES`: the size limit of object store `datasets`.
    pub datasets_max_bytes: i64,
}

/// A NATS setting that cannot be used; the service refuses to start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "JVAP_NATS_URL: {value:?} is not a NATS server URL ({reason}); give one or more nats://host:port, separated by commas"
    )]
    Url { value: String, reason: String },
    #[error(
        "JVAP_NATS_URL is set but names no server; give one or more nats://host:port, separated by commas"
    )]
    NoServer,
    #[error("JVAP_NATS_REPLICAS must be a whole number from 1 to {MAX_REPLICAS}, not {0:?}")]
    Replicas(String),
    #[error(
        "{name} must be a positive number of bytes (e.g. 4294967296, 4096MiB or 4GiB), not {value:?}"
    )]
    Bytes { name: &'static str, value: String },
}

impl NatsConfig {
    /// One server, replicas 1 and the default object-store limits (what tests on one node use).
    pub fn new(url: &str) -> Result<NatsConfig, ConfigError> {
        Ok(NatsConfig {
            servers: parse_servers(url)?,
            replicas: 1,
            uploads_max_bytes: DEFAULT_UPLOADS_MAX_BYTES,
            reports_max_bytes: DEFAULT_REPORTS_MAX_BYTES,
            datasets_max_bytes: DEFAULT_DATASETS_MAX_BYTES,
        })
    }

    /// Read `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the `JVAP_*_MAX_BYTES` limits from the
    /// environment. An unset or empty variable takes its default; a bad value is an error.
    pub fn from_env() -> Result<NatsConfig, ConfigError> {
        NatsConfig::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`NatsConfig::from_env`], reading the variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<NatsConfig, ConfigError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let mut config = NatsConfig::new(var("JVAP_NATS_URL").as_deref().unwrap_or(DEFAULT_URL))?;
        if let Some(text) = var("JVAP_NATS_REPLICAS") {
            config.replicas = match text.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_REPLICAS).contains(&n) => n,
                _ => return Err(ConfigError::Replicas(text)),
            };
        }
        let bytes = |name: &'static str, default: i64| match var(name) {
            Some(text) => parse_bytes(&text).ok_or(ConfigError::Bytes { name, value: text }),
            None => Ok(default),
        };
        config.uploads_max_bytes = bytes("JVAP_UPLOADS_MAX_BYTES", DEFAULT_UPLOADS_MAX_BYTES)?;
        config.reports_max_bytes = bytes("JVAP_REPORTS_MAX_BYTES", DEFAULT_REPORTS_MAX_BYTES)?;
        config.datasets_max_bytes = bytes("JVAP_DATASETS_MAX_BYTES", DEFAULT_DATASETS_MAX_BYTES)?;
        Ok(config)
    }

    /// The servers as `host:port`, comma-separated, for logs and errors (never a password).
    pub fn servers_shown(&self) -> String {
        self.servers
            .iter()
            .map(|server| format!("{}:{}", server.host(), server.port()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `nats://a:4222,nats://b:4222` into its servers; `a:4222` means `nats://a:4222`.
fn parse_servers(text: &str) -> Result<Vec<ServerAddr>, ConfigError> {
    let servers = text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            ServerAddr::from_str(part).map_err(|e| ConfigError::Url {
                value: part.to_string(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if servers.is_empty() {
        return Err(ConfigError::NoServer);
    }
    Ok(servers)
}

/// A positive byte count: digits, optionally followed by `KiB`, `MiB` or `GiB`.
fn parse_bytes(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" => 1,
        "kib" => KIB,
        "mib" => MIB,
        "gib" => GIB,
        _ => return None,
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn without_settings_it_is_one_local_server_with_one_replica() {
        let config = NatsConfig::from_vars(vars(&[])).expect("defaults");
        assert_eq!(config.servers_shown(), "127.0.0.1:4222");
        assert_eq!(config.replicas, 1);
        assert_eq!(config.uploads_max_bytes, DEFAULT_UPLOADS_MAX_BYTES);
        assert_eq!(config.reports_max_bytes, DEFAULT_REPORTS_MAX_BYTES);
        assert_eq!(config.datasets_max_bytes, DEFAULT_DATASETS_MAX_BYTES);
    }

    #[test]
    fn several_comma_separated_urls_are_several_servers() {
        let config = NatsConfig::from_vars(vars(&[
            ("JVAP_NATS_URL", "nats://a:4222, nats://b:4223,c:4224,"),
            ("JVAP_NATS_REPLICAS", "3"),
        ]))
        .expect("valid");
        assert_eq!(config.servers.len(), 3);
        assert_eq!(config.servers_shown(), "a:4222,b:4223,c:4224");
        assert_eq!(config.replicas, 3);
    }

    #[test]
    fn a_bad_url_is_an_error_naming_the_variable_and_the_value() {
        for bad in [
            "http://a:4222",
            "nats://a:port",
            "nats://a:4222,nats://b:99999",
        ] {
            let error =
                NatsConfig::from_vars(vars(&[("JVAP_NATS_URL", bad)])).expect_err("refused");
            let text = error.to_string();
            assert!(text.starts_with("JVAP_NATS_URL"), "{text}");
            assert!(matches!(error, ConfigError::Url { .. }), "{bad}: {text}");
        }
        let error = NatsConfig::from_vars(vars(&[("JVAP_NATS_URL", " , ")])).expect_err("refused");
        assert_eq!(error, ConfigError::NoServer);
    }

    #[test]
    fn replicas_outside_one_to_five_are_refused() {
        for bad in ["0", "6", "-1", "three", "2.5"] {
            let error =
                NatsConfig::from_vars(vars(&[("JVAP_NATS_REPLICAS", bad)])).expect_err("refused");
            assert_eq!(error, ConfigError::Replicas(bad.to_string()));
            assert!(error.to_string().contains("JVAP_NATS_REPLICAS"), "{error}");
        }
        for good in 1..=5 {
            let config = NatsConfig::from_vars(vars(&[("JVAP_NATS_REPLICAS", &good.to_string())]))
                .expect("valid");
            assert_eq!(config.replicas, good);
        }
    }

    #[test]
    fn object_store_limits_take_bytes_or_binary_units() {
        let config = NatsConfig::from_vars(vars(&[
            ("JVAP_UPLOADS_MAX_BYTES", "1048576"),
            ("JVAP_REPORTS_MAX_BYTES", "512MiB"),
            ("JVAP_DATASETS_MAX_BYTES", "2 GiB"),
        ]))
        .expect("valid");
        assert_eq!(config.uploads_max_bytes, MIB);
        assert_eq!(config.reports_max_bytes, 512 * MIB);
        assert_eq!(config.datasets_max_bytes, 2 * GIB);
        for bad in ["0", "-5", "10GB", "lots", "99999999999999999999"] {
            let error = NatsConfig::from_vars(vars(&[("JVAP_DATASETS_MAX_BYTES", bad)]))
                .expect_err("refused");
            assert!(
                error.to_string().starts_with("JVAP_DATASETS_MAX_BYTES"),
                "{error}"
            );
        }
    }
}
