//! jvap-bus: the NATS JetStream plumbing every service shares.
//!
//! It owns nothing of the domain: the subjects, buckets and message bodies are defined in
//! `jvap_record::messages`. This crate connects, makes sure the stream and buckets exist, publishes with
//! de-duplication, keeps submission statuses in KV, and runs durable consumers with the delivery rules
//! of DESIGN.md: ack only after the effect is durable, nak with backoff on system failures, and after the
//! maximum deliveries mark the submission failed.
//!
//! # Layout
//! - [`config`]: [`NatsConfig`], the server list, replica count and object-store limits from `JVAP_*`.
//! - [`bus`]: [`Bus`], the connection with its stream, KV buckets and object stores, created with the
//!   configured replicas and limits (existing ones updated), and reads that create no consumer.
//! - [`status`]: reading and updating submission statuses (compare-and-set).
//! - [`sessions`]: web sessions in an expiring KV bucket, shared by intake replicas.
//! - [`audit`]: the audit log of admin actions, an append-only stream read newest first.
//! - [`committee`]: the Steering Committee's distribution list, summary requests and deliveries.
//! - [`partners`]: each partner's focal points and the reminders sent to them (KV `partners`).
//! - [`consumer`]: the durable pull-consumer loop and its [`Outcome`].
//! - [`ops`]: [`ops::Health`], the `/metrics`, `/livez` and `/readyz` listener of every service, its
//!   heartbeat in KV `services`, and the names of the metrics.
//! - [`trace`]: the trace id that follows a submission through NATS headers into every service's log.
//! - [`telemetry`], [`shutdown`]: logging set-up (text or JSON) and the stop signal, the same in every
//!   service.

pub mod audit;
pub mod bus;
pub mod committee;
pub mod config;
pub mod consumer;
pub mod ops;
pub mod partners;
pub mod sessions;
pub mod shutdown;
pub mod status;
pub mod telemetry;
pub mod trace;

pub use bus::{Bus, BusError, ObjectEntry, Objects, SESSION_TTL};
pub use config::{ConfigError, NatsConfig};
pub use consumer::{ConsumerSpec, Outcome};
pub use ops::Health;
pub use tokio_util::sync::CancellationToken;
