//! `GET /api/v1/rounds/{round}/tracker`: every expected partner of a round and where it stands, for
//! analysts and admins.
//!
//! Built live from KV: the round's expected partners (`rounds`), every submission status of the round
//! (`submissions`), the initiatives by partner of the latest published version (`datasets`), and
//! the reminders sent (`partners`).

use axum::Json;
use axum::extract::{Path, State};
use jvap_bus::Bus;
use jvap_record::messages::{DatasetPublished, Role};
use jvap_record::tracker::Tracker;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::rounds::round_record;
use super::{AppState, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tracker))
}

/// Follow the round
///
/// Every expected partner (and any other that submitted), in partner-code order: its state, its
/// submissions, its initiatives in the current dataset, its last activity, whether its latest file
/// came after the deadline (`late`) and the reminders it was sent; with the round's deadline and the
/// days left to it.
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{round}/tracker",
    operation_id = "round_tracker",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The tracker", body = Tracker),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn tracker(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<Tracker>> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    check_round(&round)?;
    Ok(Json(round_tracker(&state.bus, &round).await?))
}

/// The tracker of `round` as it stands now; the API and the analyst's page both show this.
pub(crate) async fn round_tracker(bus: &Bus, round: &str) -> Result<Tracker> {
    let record = round_record(bus, round).await?;
    let expected = record.expected();
    let statuses: Vec<_> = bus
        .all_statuses()
        .await?
        .into_iter()
        .filter(|status| status.round == round)
        .collect();
    let latest: Option<DatasetPublished> = bus.kv_get(&bus.dataset_versions, round).await?;
    let by_partner = latest.map(|l| l.by_partner).unwrap_or_default();
    let reminders = bus.reminders(round).await?;
    let today = chrono::Utc::now().date_naive();
    Ok(
        Tracker::build(round, &expected, &statuses, &by_partner).with_deadline(
            record.deadline,
            today,
            &statuses,
            &reminders,
        ),
    )
}
