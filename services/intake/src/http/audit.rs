//! `GET /api/v1/audit`: the audit log of admin actions, newest first, for admins.
//!
//! Every handler that changes what the round is (tokens, the round's state and partners, the
//! Committee's list and summary, replays and revalidations) records what it did with [`record`],
//! after it is done, through the same functions the admin's page calls.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::Utc;
use jvap_bus::Bus;
use jvap_record::messages::{AuditAction, AuditActor, AuditEntry, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Result};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

/// A page of the log: how many, and before which entry.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// How many entries (1 to 500); 100 when absent.
    limit: Option<usize>,
    /// Only entries older than this `seq` (the `next_before` of the previous page).
    before: Option<u64>,
}

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// The `before` of the next (older) page; null on the last page.
    pub next_before: Option<u64>,
}

/// Read the audit log
///
/// Who did what and when: tokens issued and revoked, rounds opened and closed, expected partners
/// set, the Committee's list set and its summary requested, submissions run again and rounds
/// validated again. Newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "audit_log",
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "The newest entries", body = AuditPage),
        (status = 400, description = "A limit or before that is not a number", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    query: std::result::Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>> {
    caller.require(&[Role::Admin])?;
    let Query(query) = query.map_err(super::bad_query)?;
    let page = latest(
        &state.bus,
        &caller,
        query.limit.unwrap_or(100),
        query.before,
    )
    .await?;
    Ok(Json(page))
}

/// Up to `limit` entries before `before`, newest first (admins only); the page and the API show this.
pub(crate) async fn latest(
    bus: &Bus,
    caller: &Caller,
    limit: usize,
    before: Option<u64>,
) -> Result<AuditPage> {
    caller.require(&[Role::Admin])?;
    let (entries, next_before) = jvap_bus::audit::page(bus, limit, before).await?;
    Ok(AuditPage {
        entries,
        next_before,
    })
}

/// Record that `caller` did `action`. The action is done by now: when the log cannot take the entry
/// the failure is logged (and counted) rather than undoing or failing what was done.
pub(crate) async fn record(
    bus: &Bus,
    caller: &Caller,
    action: AuditAction,
    round: Option<&str>,
    detail: serde_json::Value,
) {
    let detail = match detail {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let entry = AuditEntry {
        seq: 0,
        at: Utc::now(),
        who: AuditActor {
            token_key: caller.token_key.clone(),
            label: caller.label.clone(),
            role: caller.role,
        },
        action,
        round: round.map(String::from),
        detail,
    };
    if let Err(e) = jvap_bus::audit::record(bus, &entry).await {
        metrics::counter!(jvap_bus::ops::AUDIT_FAILURES).increment(1);
        tracing::error!(error.message = %e, ?action, "cannot record an admin action in the audit log");
    }
}
