//! The one error every handler returns: user errors go through in English and French, system errors
//! are logged and hidden behind a generic message (also in both languages).
//!
//! The JSON body is `{"error": <English>, "error_fr": <French>}` for every error: `error` stays
//! English whatever the request's language, so clients written against it keep working, and a client
//! that shows French reads `error_fr`. The web pages show their own words ([`crate::web`]).

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jvap_bus::BusError;
use jvap_record::Said;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No token, or one we do not know.
    #[error("{0}")]
    Unauthorized(Said),
    /// A known token whose role may not do this.
    #[error("{0}")]
    Forbidden(Said),
    #[error("{0}")]
    NotFound(Said),
    #[error("{0}")]
    BadRequest(Said),
    /// The request is valid but the state forbids it (a closed round).
    #[error("{0}")]
    Conflict(Said),
    #[error("{0}")]
    TooLarge(Said),
    /// The body stalled or did not arrive in time (408).
    #[error("{0}")]
    Timeout(Said),
    /// A partner's upload quota or a rate limit is used up (429).
    #[error("{}", .0.message)]
    TooMany(Box<super::quota::Exceeded>),
    /// Nobody can do it right now (validation busy or not running); nothing was kept (503 with
    /// `Retry-After`).
    #[error("{message}")]
    Busy { message: Said, retry_after: u64 },
    /// NATS failed; the user may try again shortly.
    #[error("the message system failed: {0}")]
    Bus(#[from] BusError),
    /// Anything else of ours: logged in English, never shown (the user reads [`INTERNAL`]).
    #[error("{0}")]
    Internal(String),
}

/// What the user reads when NATS failed.
pub const UNAVAILABLE: jvap_record::Bilingual = jvap_record::Bilingual {
    en: "the service is briefly unavailable; please try again in a moment",
    fr: "le service est brièvement indisponible ; veuillez réessayer dans un instant",
};

/// What the user reads when something else of ours failed.
pub const INTERNAL: jvap_record::Bilingual = jvap_record::Bilingual {
    en: "something went wrong on our side; please try again later",
    fr: "un problème est survenu de notre côté ; veuillez réessayer plus tard",
};

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy { .. } | Error::Bus(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user is told, in both languages; a system error is logged here and told generically.
    pub(crate) fn said(&self) -> Said {
        match self {
            Error::Unauthorized(said)
            | Error::Forbidden(said)
            | Error::NotFound(said)
            | Error::BadRequest(said)
            | Error::Conflict(said)
            | Error::TooLarge(said)
            | Error::Timeout(said)
            | Error::Busy { message: said, .. } => said.clone(),
            Error::TooMany(exceeded) => exceeded.message.clone(),
            Error::Bus(_) => {
                tracing::error!(error.message = %self, "request failed on NATS");
                UNAVAILABLE.into()
            }
            Error::Internal(_) => {
                tracing::error!(error.message = %self, "request failed");
                INTERNAL.into()
            }
        }
    }

    /// The seconds to send in `Retry-After`, when waiting helps.
    pub(crate) fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooMany(exceeded) => exceeded.retry_after,
            Error::Busy { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let said = self.said();
        let body = Json(serde_json::json!({ "error": said.en, "error_fr": said.fr }));
        if let Some(seconds) = self.retry_after() {
            return (status, [(header::RETRY_AFTER, seconds.to_string())], body).into_response();
        }
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}
