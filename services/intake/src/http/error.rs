//! The one error every handler returns: user errors go through in plain English, system errors are
//! logged and hidden behind a generic message.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jvap_bus::BusError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No token, or one we do not know.
    #[error("{0}")]
    Unauthorized(String),
    /// A known token whose role may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A bad request said in English and French (`error` and `error_fr`).
    #[error("{en}")]
    BadRequestIn { en: String, fr: String },
    /// The request is valid but the state forbids it (a closed round).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// The body stalled or did not arrive in time (408).
    #[error("{0}")]
    Timeout(String),
    /// A partner's upload quota is used up (429), said in English and French.
    #[error("{}", .0.en)]
    TooMany(Box<super::quota::Exceeded>),
    /// Nobody can do it right now (validation busy or not running); nothing was kept (503 with
    /// `Retry-After`).
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
    /// NATS failed; the user may try again shortly.
    #[error("the message system failed: {0}")]
    Bus(#[from] BusError),
    /// Anything else of ours.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) | Error::BadRequestIn { .. } => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy { .. } | Error::Bus(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Error::Bus(_) => {
                tracing::error!(error.message = %self, "request failed on NATS");
                "the service is briefly unavailable; please try again in a moment".to_string()
            }
            Error::Internal(_) => {
                tracing::error!(error.message = %self, "request failed");
                "something went wrong on our side; please try again later".to_string()
            }
            _ => self.to_string(),
        };
        if let Error::TooMany(exceeded) = &self {
            let body = Json(serde_json::json!({ "error": exceeded.en, "error_fr": exceeded.fr }));
            return match exceeded.retry_after {
                Some(seconds) => {
                    (status, [(header::RETRY_AFTER, seconds.to_string())], body).into_response()
                }
                None => (status, body).into_response(),
            };
        }
        if let Error::BadRequestIn { en, fr } = &self {
            return (
                status,
                Json(serde_json::json!({ "error": en, "error_fr": fr })),
            )
                .into_response();
        }
        let body = Json(serde_json::json!({ "error": message }));
        if let Error::Busy { retry_after, .. } = &self {
            return (
                status,
                [(header::RETRY_AFTER, retry_after.to_string())],
                body,
            )
                .into_response();
        }
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}
