//! What can go wrong in the aggregation service.

/// Every failure of the library. All of them are failures of the system (database, NATS, stored
/// objects), so the consumer retries them; a message that cannot even be decoded is dropped earlier.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("dataset version {version} of round {round} was taken by another writer")]
    VersionTaken { round: String, version: u32 },
    /// The partner's submissions changed under a rebuild; it is tried again.
    #[error("{0}")]
    Changed(String),
    #[error("{0}")]
    Bus(#[from] jvap_bus::BusError),
    #[error("object {bucket}/{name} is missing")]
    MissingObject { bucket: String, name: String },
    #[error("object {name} is not valid JSON of the expected shape: {source}")]
    BadObject {
        name: String,
        source: serde_json::Error,
    },
    /// A round's first version was asked for when the round has versions already.
    #[error("round {round} has already started: its latest dataset version is {version}")]
    RoundStarted { round: String, version: u32 },
    /// A baseline's ids cannot be kept as given; nothing of it was imported.
    #[error("{0}")]
    Baseline(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Dataset(#[from] jvap_outputs::dataset::DatasetError),
    #[error("building the dataset files stopped: {0}")]
    Build(String),
    #[error("the consumer stopped: {0}")]
    Consumer(String),
    #[error("e-mail settings: {0}")]
    Mail(#[from] crate::mail::MailError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
