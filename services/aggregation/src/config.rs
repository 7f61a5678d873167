//! The service's settings, read from the environment by `main` and built directly by tests.

use std::path::PathBuf;
use std::time::Duration;

use jvap_bus::{ConfigError, NatsConfig};

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A PostgreSQL URL (`postgres://` or `postgresql://`): several replicas may share it.
    Postgres(String),
    /// A SQLite file, created (with its directory) when missing and put in WAL mode.
    Sqlite(PathBuf),
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `JVAP_NATS_URL`, `JVAP_NATS_REPLICAS` and the object-store limits (see [`NatsConfig`]).
    pub nats: NatsConfig,
    pub database: Database,
    /// How long a delivery may stay unacknowledged before NATS redelivers it (also how long the
    /// messages a stopped instance had pulled but not handled wait before another instance gets them).
    pub ack_wait: Duration,
    /// Where the Committee summary is e-mailed from; `None` records every request as skipped.
    pub mail: Option<MailConfig>,
}

/// The SMTP server and sender of the Committee summary (`JVAP_SMTP_URL`, `JVAP_MAIL_FROM`).
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `smtp://host:25` (plain, for a local relay), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host` (TLS); see lettre's `from_url`.
    pub smtp_url: String,
    /// The From address, e.g. `JVAP Secretariat <jvap@example.org>`.
    pub from: String,
}

/// The default sender when `JVAP_MAIL_FROM` is not set.
pub const DEFAULT_MAIL_FROM: &str = "JVAP data round <jvap@localhost>";

impl std::fmt::Debug for MailConfig {
    /// Without the password the URL may hold.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match self.smtp_url.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}"),
                None => self.smtp_url.clone(),
            },
            None => self.smtp_url.clone(),
        };
        f.debug_struct("MailConfig")
            .field("smtp_url", &url)
            .field("from", &self.from)
            .finish()
    }
}

impl Config {
    /// The defaults for the given NATS settings and database.
    pub fn new(nats: NatsConfig, database: Database) -> Config {
        Config {
            nats,
            database,
            ack_wait: Duration::from_secs(60),
            mail: None,
        }
    }

    /// Read the NATS settings ([`NatsConfig::from_vars`]), `DATABASE_URL`, `JVAP_DATA_DIR`, `JVAP_SMTP_URL` and `JVAP_MAIL_FROM`
    /// through `var` (`std::env::var` in main).
    ///
    /// `DATABASE_URL` naming PostgreSQL selects it; a `sqlite:` URL names the SQLite file; anything
    /// else (or nothing) means SQLite at `$JVAP_DATA_DIR/jvap.db`, `JVAP_DATA_DIR` defaulting to `./data`.
    /// Without `JVAP_SMTP_URL` no e-mail is sent (summary requests are recorded as skipped).
    /// A bad NATS setting is an error.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let nats = NatsConfig::from_vars(&var)?;
        let data_dir = var("JVAP_DATA_DIR")
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "./data".to_string());
        let database = match var("DATABASE_URL").map(|v| v.trim().to_string()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url)
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = path.split('?').next().unwrap_or(path);
                Database::Sqlite(PathBuf::from(path))
            }
            _ => Database::Sqlite(PathBuf::from(data_dir).join("jvap.db")),
        };
        let mut config = Config::new(nats, database);
        config.mail = var("JVAP_SMTP_URL")
            .map(|url| url.trim().to_string())
            .filter(|url| !url.is_empty())
            .map(|smtp_url| MailConfig {
                smtp_url,
                from: var("JVAP_MAIL_FROM")
                    .map(|from| from.trim().to_string())
                    .filter(|from| !from.is_empty())
                    .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_string()),
            });
        Ok(config)
    }
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

    fn config_of(var: impl Fn(&str) -> Option<String>) -> Config {
        Config::from_vars(var).expect("valid settings")
    }

    #[test]
    fn without_settings_it_uses_local_nats_and_sqlite_under_data() {
        let config = Config::from_vars(vars(&[])).expect("defaults");
        assert_eq!(config.nats.servers_shown(), "127.0.0.1:4222");
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("./data/jvap.db"))
        );
    }

    #[test]
    fn a_postgres_database_url_selects_postgres() {
        let config = Config::from_vars(vars(&[
            ("DATABASE_URL", "postgres://u@h:5432/app"),
            ("JVAP_NATS_URL", "nats://n:4222"),
        ]))
        .expect("valid");
        assert_eq!(config.nats.servers_shown(), "n:4222");
        assert_eq!(
            config.database,
            Database::Postgres("postgres://u@h:5432/app".into())
        );
    }

    #[test]
    fn mail_is_off_without_an_smtp_url_and_the_sender_has_a_default() {
        assert_eq!(config_of(vars(&[])).mail, None);
        assert_eq!(config_of(vars(&[("JVAP_MAIL_FROM", "a@b.org")])).mail, None);
        let config = config_of(vars(&[("JVAP_SMTP_URL", "smtp://127.0.0.1:2525")]));
        assert_eq!(
            config.mail,
            Some(MailConfig {
                smtp_url: "smtp://127.0.0.1:2525".into(),
                from: DEFAULT_MAIL_FROM.into(),
            })
        );
        let config = config_of(vars(&[
            ("JVAP_SMTP_URL", "smtps://user:secret@mail.example.org"),
            ("JVAP_MAIL_FROM", "JVAP <jvap@example.org>"),
        ]));
        let mail = config.mail.expect("mail configured");
        assert_eq!(mail.from, "JVAP <jvap@example.org>");
        let shown = format!("{mail:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("mail.example.org"), "{shown}");
    }

    #[test]
    fn another_database_url_means_sqlite_in_the_data_dir() {
        let config = config_of(vars(&[
            ("DATABASE_URL", "mysql://x"),
            ("JVAP_DATA_DIR", "/srv/jvap"),
        ]));
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/srv/jvap/jvap.db"))
        );
        let config = config_of(vars(&[("DATABASE_URL", "sqlite:///tmp/x.db?mode=rwc")]));
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/tmp/x.db"))
        );
    }
}
