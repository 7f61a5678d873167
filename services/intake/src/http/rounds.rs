//! `/api/v1/rounds/{round}`: whether a round takes submissions and which partners it expects; admins
//! open and close it and set its expected partners. Closing an open round also asks for its summary to
//! be e-mailed to the Steering Committee.

use async_nats::jetstream::kv;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use bytes::Bytes;
use chrono::Utc;
use jvap_bus::{Bus, BusError};
use jvap_record::messages::{AuditAction, KV_ROUNDS, Role, RoundRecord, SummaryReason};
use jvap_record::{Said, reference};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Error, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(open))
        .routes(routes!(close))
        .routes(routes!(set_partners, all_partners))
}

/// The record of `round`; a round without one is open and expects every partner.
pub(crate) async fn round_record(bus: &Bus, round: &str) -> Result<RoundRecord> {
    let record: Option<RoundRecord> = bus.kv_get(&bus.rounds, round).await?;
    Ok(record.unwrap_or_else(|| RoundRecord::new(round)))
}

/// Read a round
///
/// Whether the round takes submissions and which partners it expects; a round nobody changed is
/// open and expects every partner.
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{round}",
    operation_id = "show_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round", body = RoundRecord),
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
    Ok(Json(round_record(&state.bus, &round).await?))
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
        (status = 200, description = "The round as it is now", body = RoundRecord),
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
/// Uploads are refused with 409 until the round opens again; closing an open round asks for its
/// summary to be e-mailed to the Steering Committee.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{round}/close",
    operation_id = "close_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecord),
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
    // Whether the round was open just before this change (a round nobody set yet is open).
    // (An atomic rather than a Cell: the handler's future must be Send.)
    let was_open = std::sync::atomic::AtomicBool::new(true);
    let record = update(&state.bus, &round, |record| {
        was_open.store(record.open, std::sync::atomic::Ordering::Relaxed);
        record.open = open;
    })
    .await?;
    let was_open = was_open.into_inner();
    tracing::info!(round = %record.round, open, "round changed");
    let mut detail = serde_json::json!({ "was_open": was_open });
    if was_open && !open {
        let request = state
            .bus
            .request_summary(&record.round, SummaryReason::RoundClosed)
            .await?;
        tracing::info!(round = %record.round, request_id = %request.request_id, "summary requested");
        detail["summary_request"] = request.request_id.into();
    }
    let action = if open {
        AuditAction::RoundOpened
    } else {
        AuditAction::RoundClosed
    };
    audit::record(&state.bus, caller, action, Some(&record.round), detail).await;
    Ok(Json(record))
}

/// Set the expected partners
///
/// A JSON list of partner codes (`["NER", "EU"]`): the round expects exactly those partners, and the
/// tracker lists them.
#[utoipa::path(
    put,
    path = "/api/v1/rounds/{round}/partners",
    operation_id = "set_expected_partners",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    request_body = Vec<String>,
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecord),
        (status = 400, description = "A code that is not a partner, or an empty list", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn set_partners(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    body: std::result::Result<Json<Vec<String>>, JsonRejection>,
) -> Result<Json<RoundRecord>> {
    caller.require(&[Role::Admin])?;
    check_round(&round)?;
    let Json(codes) = body.map_err(|e| {
        let detail = e.body_text();
        Error::BadRequest(Said::new(
            format!(r#"send a JSON list of partner codes such as ["NER", "EU"]: {detail}"#),
            format!(
                r#"envoyez une liste JSON de codes de partenaires comme ["NER", "EU"] : {detail}"#
            ),
        ))
    })?;
    Ok(Json(
        set_expected(&state.bus, &caller, &round, Some(&codes)).await?,
    ))
}

/// Set the partners `round` expects (admins only): exactly `codes`, or every partner for `None`.
/// The API and the admin's page both come here.
pub(crate) async fn set_expected(
    bus: &Bus,
    caller: &Caller,
    round: &str,
    codes: Option<&[String]>,
) -> Result<RoundRecord> {
    caller.require(&[Role::Admin])?;
    check_round(round)?;
    let expected = codes.map(partner_codes).transpose()?;
    let record = update(bus, round, |record| {
        record.expected_partners = expected.clone();
    })
    .await?;
    tracing::info!(
        round = %record.round,
        partners = expected.as_ref().map(Vec::len),
        "expected partners set"
    );
    let detail = serde_json::json!({ "partners": expected });
    audit::record(
        bus,
        caller,
        AuditAction::ExpectedPartnersSet,
        Some(round),
        detail,
    )
    .await;
    Ok(record)
}

/// Expect every partner
///
/// Drops the round's list: the round expects every partner of the reference list again.
#[utoipa::path(
    delete,
    path = "/api/v1/rounds/{round}/partners",
    operation_id = "expect_every_partner",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 200, description = "The round as it is now", body = RoundRecord),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn all_partners(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<Json<RoundRecord>> {
    Ok(Json(set_expected(&state.bus, &caller, &round, None).await?))
}

/// The codes as the reference list spells them, without repeats, in the order given; a 400 naming
/// every code that is not a partner.
fn partner_codes(codes: &[String]) -> Result<Vec<String>> {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for code in codes {
        match reference::partner(code.trim()) {
            Some(partner) if !known.contains(&partner.code) => known.push(partner.code.clone()),
            Some(_) => {}
            None => unknown.push(format!("{code:?}")),
        }
    }
    if !unknown.is_empty() {
        let unknown = unknown.join(", ");
        return Err(Error::BadRequest(Said::new(
            format!("not a partner code of the reference list: {unknown}"),
            format!("pas un code de partenaire de la liste de référence : {unknown}"),
        )));
    }
    if known.is_empty() {
        return Err(Error::BadRequest(Said::new(
            "name at least one partner; DELETE the list to expect every partner",
            "nommez au moins un partenaire ; supprimez la liste (DELETE) pour attendre tous les \
             partenaires",
        )));
    }
    Ok(known)
}

/// Change the round's record with compare-and-set (another admin may change it at the same time),
/// starting from [`RoundRecord::new`] when there is none.
pub(crate) async fn update(
    bus: &Bus,
    round: &str,
    change: impl Fn(&mut RoundRecord),
) -> Result<RoundRecord> {
    let kv_error = |e: &dyn std::fmt::Display| {
        Error::Bus(BusError::Kv {
            bucket: KV_ROUNDS.into(),
            detail: e.to_string(),
        })
    };
    for _ in 0..20 {
        let entry = bus.rounds.entry(round).await.map_err(|e| kv_error(&e))?;
        let (mut record, revision) = match entry {
            Some(entry) if entry.operation == kv::Operation::Put => {
                let record = serde_json::from_slice(&entry.value).map_err(BusError::from)?;
                (record, Some(entry.revision))
            }
            Some(entry) => (RoundRecord::new(round), Some(entry.revision)),
            None => (RoundRecord::new(round), None),
        };
        change(&mut record);
        record.updated_at = Utc::now();
        let bytes = Bytes::from(serde_json::to_vec(&record).map_err(BusError::from)?);
        let written = match revision {
            Some(revision) => bus.rounds.update(round, bytes, revision).await.is_ok(),
            None => bus.rounds.create(round, bytes).await.is_ok(),
        };
        if written {
            return Ok(record);
        }
    }
    Err(kv_error(&format!(
        "the record of round {round} kept changing under us"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_codes_are_spelled_as_the_reference_list_and_unknown_ones_are_named() {
        let codes = |list: &[&str]| list.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            partner_codes(&codes(&["ner", "EU", " IOM ", "NER"])).ok(),
            Some(codes(&["NER", "EU", "IOM"]))
        );
        let error = partner_codes(&codes(&["NER", "XYZ", "Atlantis"]))
            .expect_err("unknown codes")
            .to_string();
        assert!(
            error.contains("\"XYZ\"") && error.contains("\"Atlantis\""),
            "{error}"
        );
        assert!(!error.contains("NER"), "{error}");
        assert!(partner_codes(&[]).is_err());
    }
}
