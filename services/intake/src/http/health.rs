//! `GET /healthz`: 200 while the NATS connection is up, 503 otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.bus.client.connection_state() {
        async_nats::connection::State::Connected => {
            (StatusCode::OK, Json(json!({ "status": "ok" })))
        }
        other => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "nats": other.to_string() })),
        ),
    }
}
