//! Settings: the command line and the environment, read once by `main` with clap into [`Settings`]
//! (so `jvap-aggregation --help` lists every one with its variable and default), then made into the
//! [`Config`] [`crate::build`] takes. Tests build [`Config`] directly.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use jvap_bus::NatsConfig;
use jvap_bus::config::address_arg;
use jvap_bus::telemetry::LogFormat;

/// What an operator sets.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "jvap-aggregation",
    version,
    about = "Keeps every version of every JVAP initiative, publishes dataset versions and e-mails the Committee summary."
)]
pub struct Settings {
    #[command(flatten)]
    pub nats: NatsConfig,
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// The SMTP server the Committee summary is sent through: `smtp://host:25` (plain, a local
    /// relay), `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS).
    /// Unset: no e-mail is sent, and each request is recorded as skipped.
    #[arg(long, env = "JVAP_SMTP_URL", hide_env_values = true, value_parser = smtp_arg)]
    pub smtp_url: Option<Blank<String>>,
    /// The From address of the Committee summary.
    #[arg(long, env = "JVAP_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,
    /// Where `/metrics`, `/livez` and `/readyz` are served, for Prometheus and probes.
    #[arg(long, env = "JVAP_METRICS_ADDR", default_value = "127.0.0.1:9103", value_parser = address_arg)]
    pub metrics_addr: String,
    #[command(flatten)]
    pub reminders: ReminderSettings,
    /// `text` or `json` (one JSON object per line, with the trace id of each submission).
    #[arg(long, env = "JVAP_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,
    /// How many dataset versions before a round's newest keep their built files in the `datasets`
    /// object store; the files of older versions are removed, and built again (the same bytes)
    /// when someone asks for them.
    #[arg(long, env = "JVAP_DATASET_FILES_KEEP", default_value_t = DEFAULT_DATASET_FILES_KEEP)]
    pub dataset_files_keep: u32,
}

/// The default of `JVAP_DATASET_FILES_KEEP`.
pub const DEFAULT_DATASET_FILES_KEEP: u32 = 3;

/// Where the database is: `DATABASE_URL`, else SQLite under `JVAP_DATA_DIR`. Its own group so that
/// every program that opens aggregation's database (the service, `jvap admin backup` and `restore`)
/// reads it the same way.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct DatabaseSettings {
    /// The database: `postgres://user:pass@host:5432/db`, or `sqlite:PATH`
    /// [default: SQLite at $JVAP_DATA_DIR/jvap.db]. Another scheme stops the start.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = database_arg)]
    pub database_url: Option<Blank<Database>>,
    /// Where the SQLite database is kept when DATABASE_URL is not set.
    #[arg(long, env = "JVAP_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

impl DatabaseSettings {
    /// The database these settings name.
    pub fn database(&self) -> Database {
        self.database_url
            .clone()
            .and_then(|Blank(database)| database)
            .unwrap_or_else(|| Database::Sqlite(self.data_dir.join("jvap.db")))
    }
}

impl Settings {
    pub fn config(self) -> Config {
        let database = self.database.database();
        let mut config = Config::new(self.nats, database);
        config.mail = self
            .smtp_url
            .and_then(|Blank(url)| url)
            .map(|smtp_url| MailConfig {
                smtp_url,
                from: self.mail_from,
            });
        config.metrics_addr = self.metrics_addr;
        config.reminders = self.reminders.config();

        config.dataset_files_keep = self.dataset_files_keep;
        config
    }
}

/// When partners are reminded of the deadline, and where the e-mail sends them.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ReminderSettings {
    /// The days before a round's deadline on which partners without accepted data are reminded,
    /// comma-separated; 0 is the day itself. Empty: no deadline reminders.
    #[arg(long, env = "JVAP_REMINDER_DAYS", default_value = "7,1,0", value_parser = days_arg)]
    pub reminder_days: Days,
    /// Days after a rejected file, not followed by another, when its partner is reminded (once per
    /// file). Empty: no such reminders.
    #[arg(long, env = "JVAP_REMINDER_REJECTED_DAYS", default_value = "3", value_parser = rejected_days_arg)]
    pub reminder_rejected_days: Blank<u32>,
    /// The address partners open the upload page at, named in the reminders.
    #[arg(long, env = "JVAP_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
}

impl ReminderSettings {
    pub fn config(self) -> ReminderConfig {
        ReminderConfig {
            days: self.reminder_days.0,
            rejected_days: self.reminder_rejected_days.0,
            public_url: self.public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// `JVAP_REMINDER_DAYS`: days before the deadline, without repeats, largest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Days(pub Vec<u32>);

fn days_arg(text: &str) -> Result<Days, String> {
    let mut days = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let day: u32 = part.parse().map_err(|_| {
            format!("{part:?} is not a number of days; give days before the deadline such as 7,1,0")
        })?;
        if day > 366 {
            return Err(format!(
                "{day} days is more than a year before the deadline"
            ));
        }
        days.push(day);
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    Ok(Days(days))
}

fn rejected_days_arg(text: &str) -> Result<Blank<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Blank(None));
    }
    match text.parse::<u32>() {
        Ok(days) if days <= 366 => Ok(Blank(Some(days))),
        _ => Err(format!("{text:?} is not a number of days (0 to 366)")),
    }
}

/// When reminders go out (see [`crate::reminders`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderConfig {
    /// Days before the deadline (0: the day itself) on which partners without accepted data are
    /// reminded.
    pub days: Vec<u32>,
    /// Days after a rejected file not followed by another when its partner is reminded; `None`: never.
    pub rejected_days: Option<u32>,
    /// The upload page's address, without a trailing slash.
    pub public_url: String,
}

impl Default for ReminderConfig {
    fn default() -> ReminderConfig {
        ReminderConfig {
            days: vec![7, 1, 0],
            rejected_days: Some(3),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// `DATABASE_URL` into a [`Database`]; an unknown scheme (`postgress://`, `mysql://`) is refused
/// rather than taken for SQLite. Empty (`DATABASE_URL=` in an env file) is not set.
fn database_arg(text: &str) -> Result<Blank<Database>, String> {
    let url = text.trim();
    if url.is_empty() {
        return Ok(Blank(None));
    }
    database_of(url).map(|database| Blank(Some(database)))
}

/// A setting given empty (`NAME=` in an env file), which is the same as not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blank<T>(pub Option<T>);

fn database_of(url: &str) -> Result<Database, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Database::Postgres(url.to_string()));
    }
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if !path.is_empty() {
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
    }
    Err(format!(
        "{:?} is not a database URL jvap knows; give postgres://user:pass@host:5432/db or sqlite:/path/jvap.db",
        shown_url(url)
    ))
}

/// `JVAP_SMTP_URL`; empty is not set (mail off).
fn smtp_arg(text: &str) -> Result<Blank<String>, String> {
    let url = text.trim();
    if url.is_empty() {
        Ok(Blank(None))
    } else if url.starts_with("smtp://") || url.starts_with("smtps://") {
        Ok(Blank(Some(url.to_string())))
    } else {
        Err(format!(
            "{:?} is not an SMTP URL; give smtp://host:25, smtp://user:pass@host:587?tls=required or smtps://user:pass@host",
            shown_url(url)
        ))
    }
}

/// A URL without the password it may hold.
fn shown_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

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
    /// The ops listener's address (`127.0.0.1:0`, any free port, unless set).
    pub metrics_addr: String,
    /// When partners are reminded of the deadline.
    pub reminders: ReminderConfig,

    /// Versions before the newest whose files stay in the object store (`JVAP_DATASET_FILES_KEEP`).
    pub dataset_files_keep: u32,
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
        f.debug_struct("MailConfig")
            .field("smtp_url", &shown_url(&self.smtp_url))
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
            ack_wait: Duration::from_secs(15),
            mail: None,
            metrics_addr: "127.0.0.1:0".into(),
            reminders: ReminderConfig::default(),

            dataset_files_keep: DEFAULT_DATASET_FILES_KEEP,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        jvap_bus::config::try_settings_from::<Settings, _, _>(
            std::iter::once("jvap-aggregation").chain(args.iter().copied()),
        )
        .map(Settings::config)
    }

    fn config_of(args: &[&str]) -> Config {
        parse(args).expect("valid settings")
    }

    #[test]
    fn without_settings_it_uses_local_nats_and_sqlite_under_data() {
        let config = config_of(&[]);
        assert_eq!(config.nats.servers_shown(), "127.0.0.1:4222");
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("./data/jvap.db"))
        );
    }

    #[test]
    fn a_postgres_database_url_selects_postgres() {
        let config = config_of(&[
            "--database-url",
            "postgres://u@h:5432/app",
            "--nats-url",
            "nats://n:4222",
        ]);
        assert_eq!(config.nats.servers_shown(), "n:4222");
        assert_eq!(
            config.database,
            Database::Postgres("postgres://u@h:5432/app".into())
        );
    }

    #[test]
    fn mail_is_off_without_an_smtp_url_and_the_sender_has_a_default() {
        assert_eq!(config_of(&[]).mail, None);
        assert_eq!(config_of(&["--mail-from", "a@b.org"]).mail, None);
        let config = config_of(&["--smtp-url", "smtp://127.0.0.1:2525"]);
        assert_eq!(
            config.mail,
            Some(MailConfig {
                smtp_url: "smtp://127.0.0.1:2525".into(),
                from: DEFAULT_MAIL_FROM.into(),
            })
        );
        let config = config_of(&[
            "--smtp-url",
            "smtps://user:secret@mail.example.org",
            "--mail-from",
            "JVAP <jvap@example.org>",
        ]);
        let mail = config.mail.expect("mail configured");
        assert_eq!(mail.from, "JVAP <jvap@example.org>");
        let shown = format!("{mail:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("mail.example.org"), "{shown}");
    }

    #[test]
    fn reminder_days_are_a_list_and_empty_turns_reminders_off() {
        let config = config_of(&[]);
        assert_eq!(config.reminders, ReminderConfig::default());
        let config = config_of(&[
            "--reminder-days",
            "1, 14,0,1",
            "--reminder-rejected-days",
            "",
            "--public-url",
            "https://jvap.example.org/",
        ]);
        assert_eq!(config.reminders.days, [14, 1, 0]);
        assert_eq!(config.reminders.rejected_days, None);
        assert_eq!(config.reminders.public_url, "https://jvap.example.org");
        assert!(
            config_of(&["--reminder-days", ""])
                .reminders
                .days
                .is_empty()
        );
        let error = parse(&["--reminder-days", "7,one"]).expect_err("refused");
        assert!(error.to_string().contains("JVAP_REMINDER_DAYS"), "{error}");
        let error = parse(&["--reminder-rejected-days", "three"]).expect_err("refused");
        assert!(
            error.to_string().contains("JVAP_REMINDER_REJECTED_DAYS"),
            "{error}"
        );
    }

    #[test]
    fn a_sqlite_url_names_the_file_and_the_data_dir_holds_the_default() {
        let config = config_of(&["--data-dir", "/srv/jvap"]);
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/srv/jvap/jvap.db"))
        );
        let config = config_of(&["--database-url", "sqlite:///tmp/x.db?mode=rwc"]);
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/tmp/x.db"))
        );
    }

    #[test]
    fn a_mistyped_database_or_smtp_url_stops_the_start_naming_the_variable_not_the_password() {
        for bad in ["postgress://jvap:secret@db/jvap", "mysql://x", "sqlite:"] {
            let error = parse(&["--database-url", bad])
                .expect_err("refused")
                .to_string();
            assert!(error.contains("DATABASE_URL"), "{error}");
            assert!(!error.contains("secret"), "{error}");
        }
        let error = parse(&["--smtp-url", "mail.example.org:25"]).expect_err("refused");
        assert!(error.to_string().contains("JVAP_SMTP_URL"), "{error}");
        assert_eq!(config_of(&["--smtp-url", ""]).mail, None);
        assert!(matches!(
            config_of(&["--database-url", " "]).database,
            Database::Sqlite(_)
        ));
        let error = parse(&["--metrics-addr", "localhost:99999"]).expect_err("refused");
        assert!(error.to_string().contains("JVAP_METRICS_ADDR"), "{error}");
    }
}
