//! jvap-validation: turns each received upload into a report and an outcome.
//!
//! It consumes `jvap.submission.received.>` through one durable pull consumer that any number of
//! replicas share, several submissions at once (one per core). For each submission it reads the raw
//! bytes from the `uploads` object store and hands them to a `jvap_worker::Worker`: a child process
//! with a memory, CPU and time budget, so no file can take this process down. It stores what the
//! worker wrote (the report, the records once, the annotated workbooks in EN and FR) in the `reports`
//! object store, publishes `jvap.submission.validated.<partner>` or
//! `jvap.submission.rejected.<partner>`, and moves the submission's status to `accepted` or `rejected`.
//! A message is acknowledged only once all of that is durable; NATS failures are retried, and after the
//! last attempt the shared consumer loop marks the submission `failed`. It keeps no state of its own.
//!
//! # Layout
//! - [`config`]: settings read from the environment, including the consumer's delivery settings.
//! - [`app`]: [`App`], which connects and consumes until stopped.
//! - [`handler`]: what happens to one `SubmissionReceived`.
//! - [`checks`]: dry runs, a file checked without being submitted (a core NATS request).

pub mod app;
pub mod checks;
pub mod config;
pub mod handler;

pub use app::App;
pub use config::{Config, Settings};
