//! `/api/v1/tokens`: admins issue access tokens (shown only in the answer), list them and revoke them.
//!
//! A token is known by its key, the SHA-256 the `tokens` bucket stores it under: the listing shows keys,
//! never tokens, and `DELETE /api/v1/tokens/{key}` revokes one.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jvap_bus::Bus;
use jvap_record::Said;
use jvap_record::messages::{AuditAction, Role, TokenRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::{self, Caller};
use super::openapi::ErrorBody;
use super::{AppState, Error, Result};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue, list))
        .routes(routes!(revoke))
}

/// What token to issue.
#[derive(Deserialize, ToSchema)]
pub(crate) struct TokenRequest {
    /// `partner`, `analyst` or `admin`.
    #[schema(example = "partner")]
    pub role: String,
    /// Required for a partner token: a code of the partner list (e.g. `NER`).
    #[schema(example = "NER")]
    pub partner: Option<String>,
    /// A note for the listing, e.g. who holds the token.
    pub label: Option<String>,
}

/// A new token: the only time it is shown.
#[derive(Serialize, ToSchema)]
pub(crate) struct IssuedToken {
    /// 64 hex characters; send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub role: Role,
    pub partner: Option<String>,
}

/// A stored token as the listing shows it: its key, never the token.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenEntry {
    /// The token's SHA-256, hex; revoke the token with it.
    pub key: String,
    pub role: Role,
    pub partner: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Issue a token
///
/// A partner token needs the partner's code and sees only that partner's submissions; analyst and
/// admin tokens see everything. The token is in this answer only: the service keeps its hash.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    operation_id = "issue_token",
    tag = "tokens",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "The new token, shown once", body = IssuedToken),
        (status = 400, description = "An unknown role or partner, or a partner token without one", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    request: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<IssuedToken>)> {
    let Json(request) =
        request.map_err(|e| super::bad_json(r#"{"role": "partner", "partner": "NER"}"#, e))?;
    let issued = issue_token(&state.bus, &caller, request).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// List tokens
///
/// Every stored token by its key (never the token itself), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "list_tokens",
    tag = "tokens",
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenEntry>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<TokenEntry>>> {
    Ok(Json(all_tokens(&state.bus, &caller).await?))
}

/// Revoke a token
///
/// The token stops working at once, and so does every web session opened with it.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{key}",
    operation_id = "revoke_token",
    tag = "tokens",
    params(("key" = String, Path, description = "The token's key, as the listing shows it")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
        (status = 404, description = "No token has this key", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<StatusCode> {
    revoke_token(&state.bus, &caller, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issue a token (admins only): check the request, store the token's hash, return the token once.
pub(crate) async fn issue_token(
    bus: &Bus,
    caller: &Caller,
    request: TokenRequest,
) -> Result<IssuedToken> {
    caller.require(&[Role::Admin])?;
    let role: Role = request.role.parse().map_err(Error::BadRequest)?;
    let partner = match (role, request.partner.as_deref().map(str::trim)) {
        (Role::Partner, None | Some("")) => {
            return Err(Error::BadRequest(Said::new(
                r#"a partner token needs the partner code, e.g. "partner": "NER""#,
                r#"un jeton de partenaire demande le code du partenaire, par exemple "partner": "NER""#,
            )));
        }
        (Role::Partner, Some(code)) => Some(
            jvap_record::reference::partner(code)
                .map(|partner| partner.code.clone())
                .ok_or_else(|| Error::BadRequest(super::unknown_partner(code)))?,
        ),
        // Analysts and admins see every partner; a partner given with them means nothing.
        (Role::Analyst | Role::Admin, _) => None,
    };
    let token = auth::new_token()?;
    let label = request
        .label
        .map(|label| label.trim().to_string())
        .filter(|label| !label.is_empty());
    let record = TokenRecord {
        role,
        partner: partner.clone(),
        label,
        created_at: Utc::now(),
    };
    auth::store_token(bus, &token, &record).await?;
    tracing::info!(?role, partner = partner.as_deref(), "token issued");
    let detail = serde_json::json!({
        "key": auth::token_hash(&token),
        "role": role,
        "partner": partner,
        "label": record.label,
    });
    audit::record(bus, caller, AuditAction::TokenIssued, None, detail).await;
    Ok(IssuedToken {
        token,
        role,
        partner,
    })
}

/// Every stored token (admins only), newest first.
pub(crate) async fn all_tokens(bus: &Bus, caller: &Caller) -> Result<Vec<TokenEntry>> {
    caller.require(&[Role::Admin])?;
    let keys = bus.kv_keys(&bus.tokens).await?;
    let mut entries = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(record) = bus.kv_get::<TokenRecord>(&bus.tokens, &key).await? {
            entries.push(TokenEntry {
                key,
                role: record.role,
                partner: record.partner,
                label: record.label,
                created_at: record.created_at,
            });
        }
    }
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.created_at));
    Ok(entries)
}

/// Revoke the token stored under `key` (admins only); its web sessions end at their next request.
pub(crate) async fn revoke_token(bus: &Bus, caller: &Caller, key: &str) -> Result<()> {
    caller.require(&[Role::Admin])?;
    let is_key = key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let not_found = || {
        Error::NotFound(Said::new(
            format!("there is no token with the key {key}"),
            format!("il n'y a pas de jeton de clé {key}"),
        ))
    };
    if !is_key {
        return Err(not_found());
    }
    let Some(record) = bus.kv_get::<TokenRecord>(&bus.tokens, key).await? else {
        return Err(not_found());
    };
    bus.kv_purge(&bus.tokens, key).await?;
    tracing::info!(key, "token revoked");
    let detail = serde_json::json!({
        "key": key,
        "role": record.role,
        "partner": record.partner,
        "label": record.label,
    });
    audit::record(bus, caller, AuditAction::TokenRevoked, None, detail).await;
    Ok(())
}
