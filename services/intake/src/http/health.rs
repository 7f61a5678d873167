//! `GET /healthz`: 200 while the NATS connection is up, 503 otherwise.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Health check
///
/// For load balancers and orchestrators: whether this replica reaches NATS.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    tag = "public",
    responses(
        (status = 200, description = "`{\"status\": \"ok\"}`"),
        (status = 503, description = "NATS is unreachable: `{\"status\": \"unavailable\", \"nats\": \"<state>\"}`"),
    ),
    extensions(("x-roles" = json!([]))),
)]
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
