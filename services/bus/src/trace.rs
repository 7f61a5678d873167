//! One id that follows a submission across services: intake makes it at upload, every message
//! published while it is current carries it in the [`HEADER`] header, and the consumer loop makes it
//! current again (and puts it on the log span) while the next service handles that message. So
//! `trace_id=<id>` finds one submission's lines in every service's log.

use std::future::Future;

/// The NATS message header that carries the trace id.
pub const HEADER: &str = "Jvap-Trace-Id";

tokio::task_local! {
    static CURRENT: String;
}

/// A new trace id: 16 random bytes in hex, as W3C trace context has them.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The trace id of the task, when one is current.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Run `future` with `id` as the current trace id.
pub async fn scope<F: Future>(id: String, future: F) -> F::Output {
    CURRENT.scope(id, future).await
}

/// The trace id a message carries, if any (and if it is a plain token, as ours are).
pub fn from_headers(headers: Option<&async_nats::HeaderMap>) -> Option<String> {
    let value = headers?.get(HEADER)?.as_str();
    let plain = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plain.then(|| value.to_string())
}
