//! What can stop a backup or a restore.

/// Every failure of a backup or restore; each message says what to do where there is something to do.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("NATS: {what}: {detail}")]
    Nats { what: String, detail: String },
    #[error(transparent)]
    Bus(#[from] jvap_bus::BusError),
    #[error(transparent)]
    Database(#[from] jvap_aggregation::Error),
    #[error("{path}: not the JSON expected: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    /// The backup is damaged or incomplete: nothing was restored.
    #[error("the backup is not usable: {0}")]
    Invalid(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "the target is not empty: {}; restore into a new NATS and database, or pass --force to replace what the backup holds",
        .0.join("; ")
    )]
    NotEmpty(Vec<String>),
    #[error(
        "services are running on the target: {}; stop every jvap service first (a stopped service \
         counts as running until {} s after its last heartbeat)",
        .0.join(", "),
        crate::RUNNING_WITHIN.as_secs()
    )]
    ServicesRunning(Vec<String>),
    #[error("{0} is not empty: give a new or empty directory for the backup")]
    DirectoryNotEmpty(String),
}

impl AdminError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> AdminError {
        AdminError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub(crate) fn nats(what: impl Into<String>, detail: impl std::fmt::Display) -> AdminError {
        AdminError::Nats {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

pub type Result<T, E = AdminError> = std::result::Result<T, E>;
