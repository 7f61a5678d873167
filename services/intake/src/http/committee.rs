//! The Steering Committee: the distribution list an admin keeps, summary requests, and the record
//! of each summary e-mail.
//!
//! - `GET|PUT /api/v1/committee` (admin): the list, `{"recipients": ["a@x.org", ...]}`.
//! - `POST /api/v1/rounds/{round}/summary/send` (admin): e-mail the round's latest summary now.
//! - `GET /api/v1/rounds/{round}/deliveries` (analyst, admin): every sending of the round.
//!
//! The e-mail itself is sent by aggregation, on `jvap.summary.requested`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use jvap_bus::Bus;
use jvap_record::Said;
use jvap_record::messages::{
    AuditAction, CommitteeList, Role, SummaryDelivery, SummaryReason, SummaryRequested,
};
use jvap_record::text::is_email;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Error, Result, check_round};

/// The most addresses a list may hold (a committee, not a mailing campaign).
const MAX_RECIPIENTS: usize = 200;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, set))
        .routes(routes!(send))
        .routes(routes!(deliveries))
}

/// Read the Committee list
///
/// The e-mail addresses the round's summary is sent to.
#[utoipa::path(
    get,
    path = "/api/v1/committee",
    operation_id = "show_committee",
    tag = "committee",
    responses(
        (status = 200, description = "The list", body = CommitteeList),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn show(State(state): State<AppState>, caller: Caller) -> Result<Json<CommitteeList>> {
    caller.require(&[Role::Admin])?;
    Ok(Json(state.bus.committee_list().await?))
}

/// The Committee's new distribution list.
#[derive(Deserialize, utoipa::ToSchema)]
struct ListRequest {
    /// E-mail addresses; an empty list sends to nobody.
    recipients: Vec<String>,
}

/// Set the Committee list
///
/// Replaces the whole list; addresses are trimmed and repeats dropped, and a bad address changes
/// nothing.
#[utoipa::path(
    put,
    path = "/api/v1/committee",
    operation_id = "set_committee",
    tag = "committee",
    request_body = ListRequest,
    responses(
        (status = 200, description = "The list as stored", body = CommitteeList),
        (status = 400, description = "Not e-mail addresses, or too many", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    request: Result<Json<ListRequest>, JsonRejection>,
) -> Result<Json<CommitteeList>> {
    let Json(request) =
        request.map_err(|e| super::bad_json(r#"{"recipients": ["chair@example.org"]}"#, e))?;
    Ok(Json(
        set_list(&state.bus, &caller, &request.recipients).await?,
    ))
}

/// Replace the Committee's list (admins only); the API and the admin's page both come here.
pub(crate) async fn set_list(
    bus: &Bus,
    caller: &Caller,
    recipients: &[String],
) -> Result<CommitteeList> {
    caller.require(&[Role::Admin])?;
    let list = CommitteeList {
        recipients: checked_recipients(recipients).map_err(Error::BadRequest)?,
        updated_at: Some(Utc::now()),
    };
    bus.set_committee_list(&list).await?;
    tracing::info!(recipients = list.recipients.len(), "committee list set");
    let detail = serde_json::json!({ "recipients": list.recipients.len() });
    audit::record(bus, caller, AuditAction::CommitteeListSet, None, detail).await;
    Ok(list)
}

/// The addresses trimmed, without repeats (ignoring case), or a message naming every bad one.
fn checked_recipients(recipients: &[String]) -> std::result::Result<Vec<String>, Said> {
    let bad: Vec<String> = recipients
        .iter()
        .filter(|r| !is_email(r))
        .map(|r| format!("{r:?}"))
        .collect();
    if !bad.is_empty() {
        let bad = bad.join(", ");
        return Err(Said::new(
            format!("not e-mail addresses: {bad}; nothing was changed"),
            format!("pas des adresses électroniques : {bad} ; rien n'a été changé"),
        ));
    }
    let mut list: Vec<String> = Vec::new();
    for recipient in recipients.iter().map(|r| r.trim()) {
        if !list.iter().any(|r| r.eq_ignore_ascii_case(recipient)) {
            list.push(recipient.to_string());
        }
    }
    if list.len() > MAX_RECIPIENTS {
        let count = list.len();
        return Err(Said::new(
            format!("{count} addresses is more than the {MAX_RECIPIENTS} a list may hold"),
            format!(
                "{count} adresses, c'est plus que les {MAX_RECIPIENTS} qu'une liste peut contenir"
            ),
        ));
    }
    Ok(list)
}

/// Send the summary now
///
/// Asks for the round's latest summary to be e-mailed to the Committee list; the aggregation
/// service sends it and records the delivery.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{round}/summary/send",
    operation_id = "send_summary",
    tag = "committee",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 202, description = "Requested", body = SummaryRequested),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<(StatusCode, Json<SummaryRequested>)> {
    let request = send_summary(&state.bus, &caller, &round).await?;
    Ok((StatusCode::ACCEPTED, Json(request)))
}

/// Ask for the round's latest summary to be e-mailed to the Committee now (admins only).
pub(crate) async fn send_summary(
    bus: &Bus,
    caller: &Caller,
    round: &str,
) -> Result<SummaryRequested> {
    caller.require(&[Role::Admin])?;
    check_round(round)?;
    let request = bus.request_summary(round, SummaryReason::OnDemand).await?;
    tracing::info!(%round, request_id = %request.request_id, "summary requested");
    let detail = serde_json::json!({ "request_id": request.request_id });
    audit::record(
        bus,
        caller,
        AuditAction::SummaryRequested,
        Some(round),
        detail,
    )
    .await;
    Ok(request)
}

/// List summary deliveries
///
/// Every summary e-mail of the round and what became of it.
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{round}/deliveries",
    operation_id = "summary_deliveries",
    tag = "committee",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The deliveries", body = Vec<SummaryDelivery>),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<Vec<SummaryDelivery>>> {
    caller.require(&[Role::Admin, Role::Analyst])?;
    check_round(&round)?;
    Ok(Json(state.bus.deliveries(&round).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recipients_are_trimmed_and_repeats_dropped() {
        let list = checked_recipients(&strings(&[
            " chair@example.org",
            "sec@rabat-process.org ",
            "CHAIR@example.org",
        ]))
        .expect("valid");
        assert_eq!(list, ["chair@example.org", "sec@rabat-process.org"]);
        assert_eq!(
            checked_recipients(&[]).expect("empty is allowed"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_bad_address_is_named() {
        let error = checked_recipients(&strings(&["ok@example.org", "chair", "a@b", ""]))
            .expect_err("bad addresses");
        let error = error.en;
        assert!(error.contains("\"chair\""), "{error}");
        assert!(error.contains("\"a@b\""), "{error}");
        assert!(error.contains("\"\""), "{error}");
        assert!(!error.contains("ok@example.org"), "{error}");
    }
}
