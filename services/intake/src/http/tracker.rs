//! `GET /api/v1/rounds/{round}/tracker`: every expected partner of a round and where it stands, for
//! analysts and admins.
//!
//! Built live from KV: the round's expected partners (`rounds`), every submission status of the round
//! (`submissions`), and the initiatives by partner of the latest published version (`datasets`).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use jvap_core::messages::{DatasetPublished, Role};
use jvap_core::tracker::Tracker;

use super::auth::Caller;
use super::rounds::round_record;
use super::{AppState, Result, check_round};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/rounds/{round}/tracker", get(tracker))
}

async fn tracker(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<Tracker>> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    check_round(&round)?;
    let bus = &state.bus;
    let expected = round_record(bus, &round).await?.expected();
    let statuses: Vec<_> = bus
        .all_statuses()
        .await?
        .into_iter()
        .filter(|status| status.round == round)
        .collect();
    let latest: Option<DatasetPublished> = bus.kv_get(&bus.dataset_versions, &round).await?;
    let by_partner = latest.map(|l| l.by_partner).unwrap_or_default();
    Ok(Json(Tracker::build(
        &round,
        &expected,
        &statuses,
        &by_partner,
    )))
}
