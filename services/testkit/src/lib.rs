//! jvap-testkit: real servers for tests, started on free ports with temporary storage and stopped
//! when dropped, and the partner samples. It depends on no service (only on `jvap-record`, for a
//! status to store), so `cargo test -p jvap-intake` builds intake and this, never the database or
//! mail code of aggregation. Tests that run several services live in `tests/` (`jvap-tests`).
//!
//! # Layout
//! - [`NatsServer`]: a `nats-server` (2.10 or newer) with JetStream. The binary is `$JVAP_NATS_SERVER`,
//!   else `nats-server` on `PATH`, else the one `make setup` installs under `/opt/jvap-tools/bin`.
//! - [`NatsCluster`]: three such servers forming one JetStream cluster, with nodes to kill and restart.
//! - [`Postgres`]: a throwaway PostgreSQL cluster (`initdb` + `pg_ctl`), or the server named by
//!   `$JVAP_TEST_DATABASE_URL` when set.
//! - [`SmtpSink`]: a local SMTP server (Python's `aiosmtpd`) that keeps every e-mail it receives.
//! - [`processes`]: built binaries of this workspace as child processes, killed with SIGKILL and
//!   started again.
//! - [`samples_dir`] and [`manifest`]: the partner samples in `../shared/samples`, never copied.

pub mod cluster;
pub mod nats;
pub mod postgres;
pub mod processes;
pub mod smtp;

pub use cluster::NatsCluster;
pub use nats::NatsServer;
pub use postgres::Postgres;
pub use smtp::{MailAttachment, ReceivedMail, SmtpSink};

use std::path::PathBuf;

/// The shared sample workbooks (`../shared/samples` beside the project).
pub fn samples_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/samples"
    ))
}

/// The samples' manifest with the exact expected outcome of each file.
pub fn manifest() -> anyhow::Result<Vec<serde_json::Value>> {
    let path = samples_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// A submission status as intake writes it for a new upload, to store straight into KV: EU's
/// `EU.xlsx` of round 2022, one byte, received now.
pub fn received_status(id: &str) -> jvap_record::messages::SubmissionStatus {
    use jvap_record::messages::{Mode, SubmissionState, SubmissionStatus};
    let now = chrono::Utc::now();
    SubmissionStatus {
        submission_id: id.to_string(),
        partner: "EU".into(),
        round: "2022".into(),
        mode: Mode::Replace,
        file_name: "EU.xlsx".into(),
        size: 1,
        state: SubmissionState::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: now,
        updated_at: now,
    }
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("the loopback interface has a free port")
}
