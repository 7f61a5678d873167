//! `/api/v1/rounds/{round}`: whether a round takes submissions; admins open and close it.

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use jvap_core::messages::{Role, RoundRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::{ErrorBody, RoundRecordSchema};
use super::{AppState, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(open))
        .routes(routes!(close))
}

/// Read a round
///
/// Whether the round takes submissions; a round never opened or closed is open.
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{round}",
    operation_id = "show_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round", body = RoundRecordSchema),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<RoundRecord>> {
    check_round(&round)?;
    let bus = &state.bus;
    let record = bus.kv_get(&bus.rounds, &round).await?;
    Ok(Json(record.unwrap_or(RoundRecord {
        round,
        open: true,
        updated_at: Utc::now(),
    })))
}

/// Open a round
///
/// Partners can send files again.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{round}/open",
    operation_id = "open_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecordSchema),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn open(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<RoundRecord>> {
    set_open(&state, &caller, round, true).await
}

/// Close a round
///
/// Uploads are refused with 409 until the round is opened again.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{round}/close",
    operation_id = "close_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecordSchema),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<RoundRecord>> {
    set_open(&state, &caller, round, false).await
}

pub(crate) async fn set_open(
    state: &AppState,
    caller: &Caller,
    round: String,
    open: bool,
) -> Result<Json<RoundRecord>> {
    caller.require(&[Role::Admin])?;
    check_round(&round)?;
    let record = RoundRecord {
        round,
        open,
        updated_at: Utc::now(),
    };
    state
        .bus
        .kv_put(&state.bus.rounds, &record.round, &record)
        .await?;
    tracing::info!(round = %record.round, open, "round changed");
    Ok(Json(record))
}
