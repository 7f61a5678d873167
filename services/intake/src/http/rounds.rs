//! `/api/v1/rounds/{round}`: whether a round takes submissions; admins open and close it. Closing an
//! open round also asks for its summary to be e-mailed to the Steering Committee.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use jvap_core::messages::{Role, RoundRecord, SummaryReason};

use super::auth::Caller;
use super::{AppState, Result, check_round};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rounds/{round}", get(show))
        .route("/api/v1/rounds/{round}/open", post(open))
        .route("/api/v1/rounds/{round}/close", post(close))
}

/// A round without a record is open.
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

async fn open(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<RoundRecord>> {
    set_open(&state, &caller, round, true).await
}

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
    let previous: Option<RoundRecord> = state.bus.kv_get(&state.bus.rounds, &round).await?;
    let was_open = previous.is_none_or(|p| p.open);
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
    if was_open && !open {
        let request = state
            .bus
            .request_summary(&record.round, SummaryReason::RoundClosed)
            .await?;
        tracing::info!(round = %record.round, request_id = %request.request_id, "summary requested");
    }
    Ok(Json(record))
}
