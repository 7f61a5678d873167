//! jvap-intake: the HTTP API partners, analysts and administrators talk to.
//!
//! It takes uploads, stores the raw bytes in the `uploads` object store before answering, records each
//! submission's status in the `submissions` KV bucket and announces it on
//! `jvap.submission.received.<partner>`. It serves those statuses, the validation reports the validation
//! service leaves in `reports`, and the datasets the aggregation service publishes in `datasets`. It also
//! issues access tokens (kept in KV `tokens` by their SHA-256 only) and opens and closes rounds. It owns no
//! other state: every replica is interchangeable.
//!
//! # Layout
//! - [`config`]: settings read from the environment.
//! - [`app`]: [`App`], which binds the listener, connects to NATS and serves until stopped.
//! - `http`: one router per resource (submissions, datasets, tokens, rounds, template, health, and
//!   `admin` re-runs: replay and revalidate), the per-partner upload `quota`, the bearer-token
//!   [`http::auth`] and the one [`http::error::Error`] every handler returns.
//! - `web`: the pages people use in a browser, in English and French, on top of the same functions.

pub mod app;
pub mod config;
pub mod http;
mod web;

pub use app::App;
pub use config::Config;
pub use http::submission_id;
