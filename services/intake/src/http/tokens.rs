//! `POST /api/v1/tokens`: an admin issues an access token; the token is shown only in this answer.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use jvap_core::messages::{Role, TokenRecord};
use serde::{Deserialize, Serialize};

use super::auth::{self, Caller};
use super::{AppState, Error, Result};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/tokens", post(issue))
}

#[derive(Deserialize)]
struct TokenRequest {
    role: String,
    /// Required for a partner token: a code of the partner list (e.g. `NER`).
    partner: Option<String>,
    label: Option<String>,
}

#[derive(Serialize)]
struct IssuedToken {
    token: String,
    role: Role,
    partner: Option<String>,
}

async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    request: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<IssuedToken>)> {
    caller.require(&[Role::Admin])?;
    let Json(request) = request.map_err(|e| {
        Error::BadRequest(format!(
            "send JSON like {{\"role\": \"partner\", \"partner\": \"NER\"}}: {}",
            e.body_text()
        ))
    })?;
    let role: Role = request.role.parse().map_err(Error::BadRequest)?;
    let partner = match (role, request.partner.as_deref().map(str::trim)) {
        (Role::Partner, None | Some("")) => {
            return Err(Error::BadRequest(
                "a partner token needs the partner code, e.g. \"partner\": \"NER\"".into(),
            ));
        }
        (Role::Partner, Some(code)) => Some(
            jvap_core::reference::partner(code)
                .map(|partner| partner.code.clone())
                .ok_or_else(|| {
                    Error::BadRequest(format!("{code:?} is not a known partner code"))
                })?,
        ),
        // Analysts and admins see every partner; a partner given with them means nothing.
        (Role::Analyst | Role::Admin, _) => None,
    };
    let token = auth::new_token()?;
    let record = TokenRecord {
        role,
        partner: partner.clone(),
        label: request.label,
        created_at: Utc::now(),
    };
    auth::store_token(&state.bus, &token, &record).await?;
    tracing::info!(?role, partner = partner.as_deref(), "token issued");
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            token,
            role,
            partner,
        }),
    ))
}
