//! What an operator probes and scrapes: every service serves `GET /metrics` (Prometheus), `GET /livez`
//! and `GET /readyz` on its own address (`JVAP_METRICS_ADDR`), and every few seconds writes how it is
//! (ready or not, each check, its consumer's lag, its last failures) to the `services` KV bucket, where
//! the admin page reads every service at once.
//!
//! Metrics are recorded with the `metrics` macros wherever the thing happens (statuses in
//! [`crate::status`], deliveries in [`crate::consumer`], the rest in each service); [`recorder`]
//! installs the one Prometheus recorder of the process. Their names are the constants below, so a
//! test and a dashboard name the same series.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use jvap_record::messages as m;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::Bus;

/// Submissions entering each state, by `state` and `partner_type` (`country`, `organisation`).
pub const SUBMISSIONS: &str = "jvap_submissions_total";
/// Messages a consumer was handed, by `consumer`.
pub const DELIVERIES: &str = "jvap_deliveries_total";
/// Deliveries that were not the first of their message, by `consumer`.
pub const REDELIVERIES: &str = "jvap_redeliveries_total";
/// Messages given up on (their submission marked failed), by `consumer`.
pub const FAILED: &str = "jvap_failed_total";
/// Messages waiting for a consumer (its lag), by `consumer`.
pub const CONSUMER_PENDING: &str = "jvap_consumer_pending";
/// Seconds one file took to validate (histogram).
pub const VALIDATION_SECONDS: &str = "jvap_validation_seconds";
/// Bytes of each file validated (histogram).
pub const FILE_BYTES: &str = "jvap_file_bytes";
/// Dataset versions published.
pub const DATASET_VERSIONS: &str = "jvap_dataset_versions_total";
/// Seconds one dataset version took to build and store (histogram).
pub const BUILD_SECONDS: &str = "jvap_dataset_build_seconds";
/// E-mails to the Committee, by `outcome` (`sent`, `failed`, `skipped`).
pub const EMAILS: &str = "jvap_emails_total";
/// HTTP requests, by `route` (the matched pattern) and `status`.
pub const HTTP_REQUESTS: &str = "jvap_http_requests_total";
/// Seconds from request to response head, by `route` (histogram).
pub const HTTP_SECONDS: &str = "jvap_http_request_seconds";
/// Admin actions done but not recorded in the audit log (NATS refused the entry).
pub const AUDIT_FAILURES: &str = "jvap_audit_failures_total";

/// One run of the checks, and when it ran.
type LastChecks = (std::time::Instant, Vec<Check>);

/// How long one run of the readiness checks answers every probe.
const CHECKS_FRESH: Duration = Duration::from_millis(500);

/// The port a listener is bound to (0 when it cannot tell).
pub fn port_of(listener: &tokio::net::TcpListener) -> u16 {
    listener
        .local_addr()
        .map(|address| address.port())
        .unwrap_or(0)
}

/// How often a service writes its state to the `services` bucket.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// The failures a service keeps to show.
const RECENT_FAILURES: usize = 10;

/// The process's Prometheus recorder, installed on first use (later calls return the same one).
/// `None` when another recorder was installed first, which jvap never does.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let seconds = [
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 180.0,
            ];
            let bytes = [1e3, 1e4, 1e5, 1e6, 5e6, 1e7, 5e7, 1e8, 5e8, 1e9, 4e9];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), &bytes));
            match builder.and_then(|b| b.install_recorder()) {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error.message = %e, "cannot install the metrics recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// One thing readiness depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    /// What was found, e.g. `connected`, `off (JVAP_SMTP_URL not set)`, or the error.
    pub detail: String,
}

impl Check {
    pub fn new(name: &str, ok: bool, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            ok,
            detail: detail.into(),
        }
    }
}

/// A failure a service saw, as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub at: DateTime<Utc>,
    /// The submission, when the failure was one's.
    pub submission_id: Option<String>,
    pub reason: String,
}

/// A service's heartbeat task ([`Health::heartbeat`]).
pub struct Heartbeat {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Heartbeat {
    /// Stop beating and delete the service's entry, once the service has stopped.
    pub async fn end(self) {
        self.stop.cancel();
        if let Err(e) = self.task.await {
            tracing::debug!(error.message = %e, "the heartbeat task failed");
        }
    }
}

/// What a service writes to the `services` bucket every [`HEARTBEAT`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    /// `intake`, `validation` or `aggregation`.
    pub service: String,
    /// This process: host and process id.
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub ready: bool,
    pub checks: Vec<Check>,
    /// Each durable consumer's messages not yet handled.
    pub lag: Vec<(String, u64)>,
    /// The latest failures, newest first.
    pub failures: Vec<Failure>,
}

type CheckFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Check> + Send>> + Send + Sync>;

/// A service's health: its NATS checks, the checks it adds (the database, SMTP), its consumers and
/// the process's recent failures. Cheap to clone.
#[derive(Clone)]
pub struct Health {
    service: &'static str,
    instance: String,
    started_at: DateTime<Utc>,
    bus: Bus,
    checks: Vec<CheckFn>,
    /// The last checks and when they ran: probes in a burst (the probes are public) share one run
    /// instead of each sending a dozen requests to NATS.
    last: Arc<tokio::sync::Mutex<Option<LastChecks>>>,
    consumers: Vec<&'static str>,
}

/// The process's latest failures, newest first (the consumer loop records them).
static FAILURES: Mutex<VecDeque<Failure>> = Mutex::new(VecDeque::new());

/// Remember a failure to show on the admin page: an attempt that will be retried, or a message
/// given up on.
pub fn record_failure(submission_id: Option<&str>, reason: &str) {
    if let Ok(mut failures) = FAILURES.lock() {
        failures.push_front(Failure {
            at: Utc::now(),
            submission_id: submission_id.map(str::to_string),
            reason: reason.to_string(),
        });
        failures.truncate(RECENT_FAILURES);
    }
}

impl Health {
    pub fn new(service: &'static str, bus: Bus) -> Health {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|name| name.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        Health {
            service,
            instance: format!("{host}-{}", std::process::id()),
            started_at: Utc::now(),
            bus,
            checks: Vec::new(),
            consumers: Vec::new(),
            last: Arc::default(),
        }
    }

    /// Add a check of readiness (run on every probe and heartbeat).
    pub fn with_check<F, Fut>(mut self, check: F) -> Health
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Check> + Send + 'static,
    {
        self.checks.push(Arc::new(move || Box::pin(check())));
        self
    }

    /// Report the lag of this durable consumer.
    pub fn with_consumer(mut self, durable: &'static str) -> Health {
        self.consumers.push(durable);
        self
    }

    /// Every check: NATS connected, the stream and every bucket present, then the service's own.
    pub async fn checks(&self) -> Vec<Check> {
        let mut last = self.last.lock().await;
        if let Some((at, checks)) = last.as_ref()
            && at.elapsed() < CHECKS_FRESH
        {
            return checks.clone();
        }
        let checks = self.run_checks().await;
        *last = Some((std::time::Instant::now(), checks.clone()));
        checks
    }

    async fn run_checks(&self) -> Vec<Check> {
        let state = self.bus.client.connection_state();
        let connected = state == async_nats::connection::State::Connected;
        let mut checks = vec![Check::new("nats", connected, state.to_string())];
        if connected {
            checks.push(self.stores_check().await);
        } else {
            checks.push(Check::new("stream and buckets", false, "not checked"));
        }
        for check in &self.checks {
            checks.push(check().await);
        }
        checks
    }

    /// The stream, each KV bucket and each object store, by a stream-info request each.
    async fn stores_check(&self) -> Check {
        let mut names = vec![m::STREAM.to_string(), m::AUDIT_STREAM.to_string()];
        names.extend(self.bus.kv_names().iter().map(|name| format!("KV_{name}")));
        names.extend(
            self.bus
                .object_names()
                .iter()
                .map(|name| format!("OBJ_{name}")),
        );
        let mut missing = Vec::new();
        for name in &names {
            let found = tokio::time::timeout(Duration::from_secs(2), self.bus.js.get_stream(name));
            if !matches!(found.await, Ok(Ok(_))) {
                missing.push(name.clone());
            }
        }
        if missing.is_empty() {
            Check::new(
                "stream and buckets",
                true,
                format!("{} present", names.len()),
            )
        } else {
            Check::new(
                "stream and buckets",
                false,
                format!("missing or unreachable: {}", missing.join(", ")),
            )
        }
    }

    /// Each consumer's pending messages (also set as [`CONSUMER_PENDING`]).
    async fn lag(&self) -> Vec<(String, u64)> {
        let mut lag = Vec::new();
        let Ok(stream) = self.bus.js.get_stream(m::STREAM).await else {
            return lag;
        };
        for durable in &self.consumers {
            let info = stream
                .consumer_info(*durable)
                .await
                .map(|info| info.num_pending + info.num_ack_pending as u64);
            if let Ok(pending) = info {
                metrics::gauge!(CONSUMER_PENDING, "consumer" => *durable).set(pending as f64);
                lag.push((durable.to_string(), pending));
            }
        }
        lag
    }

    /// The state written to the `services` bucket.
    pub async fn state(&self) -> ServiceState {
        let checks = self.checks().await;
        let lag = if checks.iter().all(|c| c.ok) {
            self.lag().await
        } else {
            Vec::new()
        };
        ServiceState {
            service: self.service.to_string(),
            instance: self.instance.clone(),
            started_at: self.started_at,
            at: Utc::now(),
            ready: checks.iter().all(|c| c.ok),
            checks,
            lag,
            failures: FAILURES
                .lock()
                .map(|f| f.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }

    /// Write [`Health::state`] every [`HEARTBEAT`] until `stop` (or [`Heartbeat::end`]), then delete it: a service that
    /// stopped cleanly leaves no heartbeat behind (so `jvap admin backup` and `restore` need not
    /// wait for it to age), one that crashed leaves its last one, which ages. End it
    /// with [`Heartbeat::end`] after the service stops.
    pub fn heartbeat(&self, stop: CancellationToken) -> Heartbeat {
        let health = self.clone();
        let stop = stop.child_token();
        let beating = stop.clone();
        let task = tokio::spawn(async move {
            let key = format!("{}.{}", health.service, health.instance).replace(['/', ' '], "-");
            let mut tick = tokio::time::interval(HEARTBEAT);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => {
                        let gone = health.bus.services.delete(&key);
                        match tokio::time::timeout(Duration::from_secs(2), gone).await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => tracing::debug!(error.message = %e, "cannot delete the heartbeat"),
                            Err(_) => tracing::debug!("cannot delete the heartbeat in time"),
                        }
                        return;
                    }
                    _ = tick.tick() => {}
                }
                let state = health.state().await;
                if let Err(e) = health.bus.kv_put(&health.bus.services, &key, &state).await {
                    tracing::debug!(error.message = %e, "cannot write the heartbeat");
                }
            }
        });
        Heartbeat {
            stop: beating,
            task,
        }
    }

    /// `/metrics`, `/livez` and `/readyz`, for the ops listener (and intake's own).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/metrics", get(metrics_text))
            .route("/livez", get(livez))
            .route("/readyz", get(readyz))
            .with_state(self.clone())
    }

    /// Serve [`Health::router`] on `listener` (bound by the service at build, so its port is known
    /// before it runs) until `stop`.
    pub fn serve(&self, listener: tokio::net::TcpListener, stop: CancellationToken) {
        let router = self.router();
        if let Ok(bound) = listener.local_addr() {
            tracing::info!(%bound, "ops listener: /metrics /livez /readyz");
        }
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!(error.message = %e, "the ops listener stopped");
            }
        });
    }
}

/// Every service state in the `services` bucket, by service then instance.
pub async fn service_states(bus: &Bus) -> Result<Vec<ServiceState>, crate::BusError> {
    let mut states = crate::bus::live_entries(&bus.services)
        .await?
        .into_iter()
        .filter_map(|entry| serde_json::from_slice::<ServiceState>(&entry.value).ok())
        .collect::<Vec<_>>();
    states.sort_by(|a, b| (&a.service, &a.instance).cmp(&(&b.service, &b.instance)));
    Ok(states)
}

async fn metrics_text() -> Response {
    match recorder() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder").into_response(),
    }
}

async fn livez() -> &'static str {
    "ok\n"
}

async fn readyz(State(health): State<Health>) -> Response {
    let checks = health.checks().await;
    let ready = checks.iter().all(|check| check.ok);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "service": health.service,
        "ready": ready,
        "checks": checks,
    });
    (status, axum::Json(body)).into_response()
}
