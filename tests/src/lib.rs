//! The harness of the tests that run several services: the whole system in-process ([`System`]), its
//! HTTP client, hostile files, a round's generated load and what must hold after a fault run. The
//! servers and samples come from `jvap-testkit`, re-exported here.
//!
//! - [`hostile`]: small hostile spreadsheets, generated, that must each end `rejected`.
//! - [`load`]: a round's generated uploads and the load driver; [`invariants`]: what must hold
//!   after a fault run.

pub mod client;
pub mod hostile;
pub mod invariants;
pub mod load;
pub mod system;
pub mod web;

pub use client::Client;
pub use jvap_testkit::{
    MailAttachment, NatsCluster, NatsServer, Postgres, ReceivedMail, SmtpSink, cluster, free_port,
    manifest, nats, postgres, processes, received_status, samples_dir, smtp,
};
pub use system::{Backend, System};

/// The parsing worker of in-process services: the `jvap-worker` binary of this build (`cargo test
/// --workspace` builds it), with the default budget.
pub fn worker() -> jvap_worker::Worker {
    let binary = processes::binary("jvap-worker").unwrap_or_else(|e| panic!("{e:#}"));
    jvap_worker::Worker::binary(binary, jvap_worker::Budget::default())
}
