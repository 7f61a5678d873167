//! The running service: a bound listener, a NATS connection and the router.

use anyhow::Context;
use jvap_bus::{Bus, CancellationToken, Health, ops};
use tokio::net::TcpListener;

use std::net::SocketAddr;
use std::sync::Arc;

use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::Config;
use crate::http::{self, AppState};
use crate::web;

/// Intake, built and ready to serve.
pub struct App {
    /// Bound in [`App::build`], so the port is known (and taken) before serving starts.
    listener: TcpListener,
    router: axum::Router,
    /// `/metrics`, `/livez` and `/readyz` on their own address too (the main router has them as well).
    ops_listener: TcpListener,
    health: Health,
    /// Kept to drain the NATS connection after the last request.
    bus: Bus,
}

impl App {
    /// Connect to NATS (creating the stream and buckets if needed), store the bootstrap admin token,
    /// and bind the HTTP and ops listeners.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        // Boxed: the set-up's future is large, and callers' stacks (a test's, a debug build's) are not.
        Box::pin(App::build_app(config)).await
    }

    async fn build_app(config: Config) -> anyhow::Result<App> {
        let bus = Box::pin(Bus::connect_with(&config.nats))
            .await
            .context("failed to connect to NATS")?;
        if let Some(token) = &config.admin_token {
            http::auth::ensure_bootstrap_admin(&bus, token)
                .await
                .context("failed to store the bootstrap admin token")?;
        }
        let state = AppState {
            bus: bus.clone(),
            round: config.round.as_str().into(),
            max_upload_bytes: config.max_upload_bytes,
            quota: config.quota,
            limits: Arc::new(http::rate::Limits::new(&config.rates)),
            body_timeout: Duration::from_secs(config.rates.body_timeout_secs),
        };
        ops::recorder();
        let health = Health::new("intake", bus.clone());
        let listener = TcpListener::bind(&config.http_addr)
            .await
            .with_context(|| format!("failed to listen on {}", config.http_addr))?;
        let ops_listener = TcpListener::bind(&config.metrics_addr)
            .await
            .with_context(|| format!("failed to listen on {}", config.metrics_addr))?;
        Ok(App {
            listener,
            router: router(state).merge(health.router()),
            ops_listener,
            health,
            bus,
        })
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|address| address.port())
            .unwrap_or(0)
    }

    /// The port of the ops listener (`/metrics`, `/livez`, `/readyz`).
    pub fn ops_port(&self) -> u16 {
        ops::port_of(&self.ops_listener)
    }

    /// Serve until `stop` is cancelled, then let requests in flight finish and drain NATS.
    pub async fn run_until_stopped(self, stop: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(port = self.port(), "intake listening");
        self.health.serve(self.ops_listener, stop.clone());
        let heartbeat = self.health.heartbeat(stop.clone());
        // The peer address is what rate limits count by.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .context("the HTTP server failed")?;
        heartbeat.end().await;
        if let Err(e) = self.bus.client.drain().await {
            tracing::warn!(error.message = %e, "cannot drain the NATS connection");
        }
        Ok(())
    }
}

/// The whole API and the web pages.
fn router(state: AppState) -> Router {
    let body_limit = state
        .max_upload_bytes
        .saturating_add(http::MULTIPART_OVERHEAD);
    let body_timeout = state.body_timeout;
    Router::new()
        .merge(Router::from(http::api()))
        .merge(web::router())
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(count_request))
        .layer(DefaultBodyLimit::max(body_limit))
        // A body that stops arriving frees its connection and memory (408 on uploads).
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(
            // Spans and events under this crate's target, so the default log filter shows them.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = request.uri().path(),
                    )
                })
                .on_response(|response: &Response, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = response.status().as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "response"
                    );
                }),
        )
        .with_state(state)
}

/// Count each request by route (its pattern, never the raw path, so ids do not make new series) and
/// status, with its latency.
async fn count_request(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!(ops::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(ops::HTTP_SECONDS, &labels[..2]).record(started.elapsed().as_secs_f64());
    response
}

/// What a browser is told on every answer: no sniffing of content types, no framing, no referrer to
/// other sites, nothing kept in caches (pages, statuses, reports and downloads are a partner's or the
/// round's own), and a Content-Security-Policy: the pages' own ([`web::content_security_policy`]);
/// for the API, whose files a browser may show (a summary's HTML), no script at all and a sandbox.
async fn security_headers(request: Request, next: Next) -> Response {
    static PAGE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
        HeaderValue::try_from(web::content_security_policy())
            .unwrap_or_else(|_| HeaderValue::from_static(API_POLICY))
    });
    const API_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
        frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    let policy = if api {
        HeaderValue::from_static(API_POLICY)
    } else {
        PAGE_POLICY.clone()
    };
    headers.entry(CONTENT_SECURITY_POLICY).or_insert(policy);
    response
}

async fn not_found() -> http::Error {
    http::Error::NotFound(jvap_record::Said::new(
        "there is no such endpoint",
        "ce point d'accès n'existe pas",
    ))
}
