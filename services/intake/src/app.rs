//! The running service: a bound listener, a NATS connection and the router.

use anyhow::Context;
use jvap_bus::{Bus, CancellationToken};
use tokio::net::TcpListener;

use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::{self, Next};
use axum::response::Response;
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
    /// Kept to drain the NATS connection after the last request.
    bus: Bus,
}

impl App {
    /// Connect to NATS (creating the stream and buckets if needed), store the bootstrap admin token,
    /// and bind the HTTP listener.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let bus = Bus::connect_with(&config.nats)
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
        };
        let listener = TcpListener::bind(&config.http_addr)
            .await
            .with_context(|| format!("failed to listen on {}", config.http_addr))?;
        Ok(App {
            listener,
            router: router(state),
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

    /// Serve until `stop` is cancelled, then let requests in flight finish and drain NATS.
    pub async fn run_until_stopped(self, stop: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(port = self.port(), "intake listening");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .context("the HTTP server failed")?;
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
    Router::new()
        .merge(Router::from(http::api()))
        .merge(web::router())
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
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
    http::Error::NotFound("there is no such endpoint".into())
}
