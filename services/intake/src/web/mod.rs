//! The web pages partners, analysts and administrators use, rendered on the server.
//!
//! Pages are HTML written with [`maud`] and compiled into the binary; they work without JavaScript and
//! a few lines of inline script make them better (drag and drop, an upload progress bar, live status).
//! Every text comes from [`i18n`] in English or French. A person signs in once with an access token;
//! [`session`] then keeps a session cookie, and GET requests to the HTTP API (downloads, statuses) accept
//! that cookie as well as a bearer token, so pages link straight to the API.
//!
//! # Layout
//! - [`session`]: sign-in, sign-out, the language switch, the [`View`] every page handler takes.
//! - [`partner`]: templates, upload, the list of submissions and one submission with its report.
//! - [`analyst`]: the published datasets by version.
//! - [`admin`]: open and close the round, issue and revoke tokens.
//! - [`api`]: the HTTP API's reference, rendered from its OpenAPI document.
//! - [`layout`]: the frame around every page, the stylesheet and the script.
//! - [`i18n`]: texts in both languages.

mod admin;
mod analyst;
mod api;
mod i18n;
mod layout;
mod partner;
mod reminders;
pub(crate) mod session;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jvap_record::Lang;
use jvap_record::messages::Role;
use serde::Deserialize;

use crate::http::{AppState, Error, human_size};

pub(crate) use layout::content_security_policy;
pub(crate) use session::View;

/// Every page route; `/` is the entry point for everyone.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/api", get(api::page))
        .merge(session::router())
        .merge(partner::router())
        .merge(admin::router())
        .merge(reminders::router())
}

/// A one-line message shown on the home page after a redirect, named in the query (`?notice=`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Notice {
    Expired,
    /// The session ended because its access token was revoked.
    Revoked,
    SignedOut,
    /// An admin asked for the summary to be e-mailed now.
    SummaryRequested,
    /// An admin closed the round (which requests its summary).
    RoundClosed,
}

#[derive(Deserialize)]
struct HomeQuery {
    notice: Option<Notice>,
    /// The analyst's tracker shows the partners in this state only.
    state: Option<jvap_record::tracker::PartnerState>,
}

/// `/`: the sign-in page, or the signed-in person's page for their role.
async fn home(
    State(state): State<AppState>,
    view: View,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.ok().map(|Query(q)| q);
    let notice = query.as_ref().and_then(|q| q.notice);
    let filter = query.as_ref().and_then(|q| q.state);
    let Some(user) = &view.user else {
        return Ok(session::signin_page(&view, notice, StatusCode::OK));
    };
    let page = match user.caller.role {
        Role::Partner => partner::home(&state, &view, user).await,
        Role::Analyst => analyst::home(&state, &view, user, filter).await,
        Role::Admin => {
            let notice = match notice {
                Some(Notice::SummaryRequested) => admin::AdminNotice::SummaryRequested,
                Some(Notice::RoundClosed) => admin::AdminNotice::RoundClosed,
                _ => admin::AdminNotice::None,
            };
            admin::home(&state, &view, user, None, notice).await
        }
    };
    page.map(IntoResponse::into_response)
}

/// Why a page handler did not render its page: a redirect (to sign in), or a failure shown as a page in
/// the person's language.
#[derive(Debug)]
pub(crate) enum PageError {
    Redirect(String),
    Failed {
        lang: Lang,
        max_upload_bytes: usize,
        error: Error,
    },
}

impl View {
    /// `error` as a page in this view's language.
    pub(crate) fn fail(&self, error: impl Into<Error>) -> PageError {
        PageError::Failed {
            lang: self.lang,
            max_upload_bytes: self.max_upload_bytes,
            error: error.into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Redirect(to) => Redirect::to(&to).into_response(),
            PageError::Failed {
                lang,
                max_upload_bytes,
                error,
            } => {
                let words = i18n::words(lang);
                let (status, message) = match &error {
                    Error::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, words.err_timeout.into()),
                    Error::TooLarge(_) => (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        i18n::fill(
                            words.err_too_large,
                            &[("limit", &human_size(max_upload_bytes))],
                        ),
                    ),
                    Error::TooMany(exceeded) => (
                        StatusCode::TOO_MANY_REQUESTS,
                        match lang {
                            Lang::En => exceeded.en.clone(),
                            Lang::Fr => exceeded.fr.clone(),
                        },
                    ),
                    Error::Conflict(_) => (StatusCode::CONFLICT, words.err_round_closed.into()),
                    Error::NotFound(_) => (StatusCode::NOT_FOUND, words.err_not_found.into()),
                    Error::Forbidden(_) => (StatusCode::FORBIDDEN, words.err_forbidden.into()),
                    Error::Unauthorized(_) => {
                        (StatusCode::UNAUTHORIZED, words.session_expired.into())
                    }
                    Error::BadRequest(detail) => (
                        StatusCode::BAD_REQUEST,
                        i18n::fill(words.err_bad_request, &[("detail", detail)]),
                    ),
                    Error::BadRequestIn { en, fr } => (
                        StatusCode::BAD_REQUEST,
                        match lang {
                            Lang::En => en.clone(),
                            Lang::Fr => fr.clone(),
                        },
                    ),
                    Error::Busy { .. } => {
                        (StatusCode::SERVICE_UNAVAILABLE, words.err_check_busy.into())
                    }
                    Error::Bus(_) => {
                        tracing::error!(error.message = %error, "page failed on NATS");
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            words.err_unavailable.into(),
                        )
                    }
                    Error::Internal(_) => {
                        tracing::error!(error.message = %error, "page failed");
                        (StatusCode::INTERNAL_SERVER_ERROR, words.err_internal.into())
                    }
                };
                let retry_after = match &error {
                    Error::TooMany(exceeded) => exceeded.retry_after,
                    Error::Busy { retry_after, .. } => Some(*retry_after),
                    _ => None,
                };
                let page = layout::error_page(lang, &message);
                match retry_after {
                    Some(seconds) => {
                        let wait = [(axum::http::header::RETRY_AFTER, seconds.to_string())];
                        (status, wait, page).into_response()
                    }
                    None => (status, page).into_response(),
                }
            }
        }
    }
}
