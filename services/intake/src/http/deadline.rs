//! `PUT /api/v1/rounds/{round}/deadline`: the last day partners are asked to send their file. Files
//! received after it are accepted and flagged late in the tracker; aggregation e-mails reminders
//! before it (see the README, "Deadlines and reminders").

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use jvap_bus::Bus;
use jvap_record::messages::{AuditAction, Role, RoundRecord};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::Caller;
use super::openapi::ErrorBody;
use super::rounds::{round_record, update};
use super::{AppState, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set))
}

/// The round's new deadline.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct DeadlineRequest {
    /// The last day, `YYYY-MM-DD`; null removes the deadline (and with it the reminders).
    deadline: Option<NaiveDate>,
}

/// Set the deadline
///
/// `{"deadline": "2022-06-30"}`, or `{"deadline": null}` for none. Partners without accepted data
/// are reminded by e-mail before it (`JVAP_REMINDER_DAYS`); files received after it are accepted and
/// flagged late.
#[utoipa::path(
    put,
    path = "/api/v1/rounds/{round}/deadline",
    operation_id = "set_round_deadline",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    request_body = DeadlineRequest,
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecord),
        (status = 400, description = "Not a date, or not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    body: std::result::Result<Json<DeadlineRequest>, JsonRejection>,
) -> Result<Json<RoundRecord>> {
    let Json(request) = body.map_err(|e| super::bad_json(r#"{"deadline": "2022-06-30"}"#, e))?;
    Ok(Json(
        set_deadline(&state.bus, &caller, &round, request.deadline).await?,
    ))
}

/// Set or remove `round`'s deadline (admins only); the API and the admin's page both come here.
pub(crate) async fn set_deadline(
    bus: &Bus,
    caller: &Caller,
    round: &str,
    deadline: Option<NaiveDate>,
) -> Result<RoundRecord> {
    caller.require(&[Role::Admin])?;
    check_round(round)?;
    let previous = round_record(bus, round).await?.deadline;
    let record = update(bus, round, |record| record.deadline = deadline).await?;
    tracing::info!(round = %record.round, ?deadline, "deadline set");
    let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let detail = serde_json::json!({ "deadline": day(deadline), "previous": day(previous) });
    audit::record(bus, caller, AuditAction::DeadlineSet, Some(round), detail).await;
    Ok(record)
}
