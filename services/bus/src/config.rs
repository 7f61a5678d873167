//! The NATS settings, the same for every service: which servers, how many replicas, and how large
//! each object store may grow. Read once at start by [`NatsConfig::from_env`].

use std::str::FromStr;

use async_nats::ServerAddr;

/// The server list when `JVAP_NATS_URL` is not set.
pub const DEFAULT_URL: &str = "nats://127.0.0.1:4222";
/// `JVAP_UPLOADS_MAX_BYTES` when not set: 4 GiB of raw uploads.
pub const DEFAULT_UPLOADS_MAX_BYTES: i64 = 4 * GIB;
/// `JVAP_REPORTS_MAX_BYTES` when not set: 4 GiB of reports and records.
pub const DEFAULT_REPORTS_MAX_BYTES: i64 = 4 * GIB;
/// `JVAP_DATASETS_MAX_BYTES` when not set: 2 GiB of published dataset files.
pub const DEFAULT_DATASETS_MAX_BYTES: i64 = 2 * GIB;
/// The largest replica count JetStream allows.
pub const MAX_REPLICAS: usize = 5;

const KIB: i64 = 1024;
const MIB: i64 = 1024 * KIB;
const GIB: i64 = 1024 * MIB;

/// Where NATS is and how the stream, buckets and object stores are kept: the same settings, read the
/// same way, in every service (flattened into each service's command line, so `--help` lists them).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct NatsConfig {
    /// NATS servers, comma-separated: the client connects to any of them and fails over to the others.
    #[arg(
        long = "nats-url",
        env = "JVAP_NATS_URL",
        value_name = "URLS",
        default_value = DEFAULT_URL,
        value_parser = servers_arg,
    )]
    pub servers: Servers,
    /// Copies of the stream, every KV bucket and every object store (1 to 5): 3 on a 3-node cluster,
    /// so that losing one node loses nothing. More than the cluster has nodes stops the start.
    #[arg(long = "nats-replicas", env = "JVAP_NATS_REPLICAS", default_value_t = 1, value_parser = replicas_arg)]
    pub replicas: usize,
    /// Size limit of object store `uploads` (bytes, or KiB/MiB/GiB).
    #[arg(long, env = "JVAP_UPLOADS_MAX_BYTES", value_name = "BYTES", default_value = "4GiB", value_parser = bytes_arg)]
    pub uploads_max_bytes: i64,
    /// Size limit of object store `reports` (bytes, or KiB/MiB/GiB).
    #[arg(long, env = "JVAP_REPORTS_MAX_BYTES", value_name = "BYTES", default_value = "4GiB", value_parser = bytes_arg)]
    pub reports_max_bytes: i64,
    /// Size limit of object store `datasets` (bytes, or KiB/MiB/GiB).
    #[arg(long, env = "JVAP_DATASETS_MAX_BYTES", value_name = "BYTES", default_value = "2GiB", value_parser = bytes_arg)]
    pub datasets_max_bytes: i64,
}

/// One or more NATS servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Servers(pub Vec<ServerAddr>);

impl std::ops::Deref for Servers {
    type Target = [ServerAddr];
    fn deref(&self) -> &[ServerAddr] {
        &self.0
    }
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
        "JVAP_NATS_REPLICAS is {replicas} but NATS cannot keep that many copies: each copy needs its own \
         server of the cluster, and {servers} are known and up here. Set JVAP_NATS_REPLICAS to at most the \
         number of NATS servers (1 for a single server), or start the missing ones"
    )]
    TooManyReplicas { replicas: usize, servers: usize },
    #[error(
        "{name} must be a positive number of bytes (e.g. 4294967296, 4096MiB or 4GiB), not {value:?}"
    )]
    Bytes { name: &'static str, value: String },
}

impl NatsConfig {
    /// One server, replicas 1 and the default object-store limits (what tests on one node use).
    pub fn new(url: &str) -> Result<NatsConfig, ConfigError> {
        Ok(NatsConfig {
            servers: Servers(parse_servers(url)?),
            replicas: 1,
            uploads_max_bytes: DEFAULT_UPLOADS_MAX_BYTES,
            reports_max_bytes: DEFAULT_REPORTS_MAX_BYTES,
            datasets_max_bytes: DEFAULT_DATASETS_MAX_BYTES,
        })
    }

    /// Read `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the `JVAP_*_MAX_BYTES` limits from the
    /// environment (for tools; services read them with the rest of their command line). An unset or
    /// empty variable takes its default; a bad value is an error naming it.
    pub fn from_env() -> Result<NatsConfig, clap::Error> {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            nats: NatsConfig,
        }
        <Only as clap::Parser>::try_parse_from(["jvap"]).map(|only| only.nats)
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

fn servers_arg(text: &str) -> Result<Servers, String> {
    parse_servers(text).map(Servers).map_err(|e| e.to_string())
}

fn replicas_arg(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_REPLICAS).contains(&n) => Ok(n),
        _ => Err(ConfigError::Replicas(text.to_string()).to_string()),
    }
}

fn bytes_arg(text: &str) -> Result<i64, String> {
    parse_bytes(text).ok_or_else(|| {
        format!("a positive number of bytes (e.g. 4294967296, 4096MiB or 4GiB), not {text:?}")
    })
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

/// A service's settings from its command line and the environment; on a bad value, print the
/// error with the variable it came from (operators set variables, not flags) and exit with status 2.
pub fn settings<C: clap::Parser>() -> C {
    try_settings_from(std::env::args_os()).unwrap_or_else(|error| error.exit())
}

/// As [`settings`], from `args` (the first is the program's name); the error names the variable.
pub fn try_settings_from<C, I, T>(args: I) -> Result<C, clap::Error>
where
    C: clap::Parser,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    C::try_parse_from(args).map_err(|error| {
        let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
            return error;
        };
        let long = arg
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_start_matches("--");
        let mut command = C::command();
        let found = command.get_arguments().find(|a| a.get_long() == Some(long));
        let variable = found
            .and_then(|a| a.get_env())
            .map(|env| env.to_string_lossy().into_owned());
        // A secret's value (a URL with its password) is never echoed: only what its parser says.
        let secret = found.is_some_and(|a| a.is_hide_env_values_set());
        let Some(variable) = variable else {
            return error;
        };
        let rendered = error.render().to_string();
        let first_line = rendered
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        let message = match std::error::Error::source(&error) {
            Some(reason) if secret => format!("invalid value: {reason}"),
            _ if secret => "invalid value".to_string(),
            _ => first_line,
        };
        let kind = match error.kind() {
            ErrorKind::InvalidValue => ErrorKind::InvalidValue,
            _ => ErrorKind::ValueValidation,
        };
        command.error(kind, format!("{variable} (or {arg}): {message}"))
    })
}

/// A listening address, `host:port` with a port from 0 to 65535 (0: any free port).
pub fn address_arg(text: &str) -> Result<String, String> {
    let text = text.trim();
    let valid = text
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!(
            "{text:?} is not host:port with a port from 0 to 65535 (e.g. 127.0.0.1:8080)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        nats: NatsConfig,
    }

    fn parse(args: &[&str]) -> Result<NatsConfig, clap::Error> {
        try_settings_from::<Cli, _, _>(std::iter::once("jvap").chain(args.iter().copied()))
            .map(|c| c.nats)
    }

    #[test]
    fn without_settings_it_is_one_local_server_with_one_replica() {
        let config = parse(&[]).expect("defaults");
        assert_eq!(config.servers_shown(), "127.0.0.1:4222");
        assert_eq!(config.replicas, 1);
        assert_eq!(config.uploads_max_bytes, DEFAULT_UPLOADS_MAX_BYTES);
        assert_eq!(config.reports_max_bytes, DEFAULT_REPORTS_MAX_BYTES);
        assert_eq!(config.datasets_max_bytes, DEFAULT_DATASETS_MAX_BYTES);
        assert_eq!(config, NatsConfig::new(DEFAULT_URL).expect("valid"));
    }

    #[test]
    fn several_comma_separated_urls_are_several_servers() {
        let config = parse(&[
            "--nats-url",
            "nats://a:4222, nats://b:4223,c:4224,",
            "--nats-replicas",
            "3",
        ])
        .expect("valid");
        assert_eq!(config.servers.len(), 3);
        assert_eq!(config.servers_shown(), "a:4222,b:4223,c:4224");
        assert_eq!(config.replicas, 3);
    }

    #[test]
    fn a_bad_url_is_an_error_naming_the_setting_and_the_value() {
        for bad in [
            "http://a:4222",
            "nats://a:port",
            "nats://a:4222,nats://b:99999",
        ] {
            let error = parse(&["--nats-url", bad])
                .expect_err("refused")
                .to_string();
            assert!(error.contains("JVAP_NATS_URL"), "{error}");
            assert!(error.contains("is not a NATS server URL"), "{bad}: {error}");
        }
        let error = parse(&["--nats-url", " , "]).expect_err("refused");
        assert!(error.to_string().contains("names no server"), "{error}");
    }

    #[test]
    fn replicas_outside_one_to_five_are_refused() {
        for bad in ["0", "6", "-1", "three", "2.5"] {
            let error = parse(&[&format!("--nats-replicas={bad}")]).expect_err("refused");
            assert!(error.to_string().contains("JVAP_NATS_REPLICAS"), "{error}");
        }
        for good in 1..=5 {
            let config = parse(&["--nats-replicas", &good.to_string()]).expect("valid");
            assert_eq!(config.replicas, good);
        }
    }

    #[test]
    fn object_store_limits_take_bytes_or_binary_units() {
        let config = parse(&[
            "--uploads-max-bytes",
            "1048576",
            "--reports-max-bytes",
            "512MiB",
            "--datasets-max-bytes",
            "2 GiB",
        ])
        .expect("valid");
        assert_eq!(config.uploads_max_bytes, MIB);
        assert_eq!(config.reports_max_bytes, 512 * MIB);
        assert_eq!(config.datasets_max_bytes, 2 * GIB);
        for bad in ["0", "-5", "10GB", "lots", "99999999999999999999"] {
            let error = parse(&[&format!("--datasets-max-bytes={bad}")]).expect_err("refused");
            assert!(
                error.to_string().contains("JVAP_DATASETS_MAX_BYTES"),
                "{error}"
            );
        }
    }
}
