//! `POST /api/v1/validate`: a dry run. The file is checked exactly as a submission would be (the
//! same limits, by validation's worker) and the report comes back in the answer; no submission,
//! status or upload is kept, and nothing reaches the dataset. The web page's "check only" sends
//! its form here too ([`run`]).
//!
//! The file goes through the `checks` object store (deleted once answered, dropped after an hour
//! whatever happens) and a core NATS request to validation ([`jvap_validation`'s `checks`]): see
//! `jvap_record::messages::SUBJECT_CHECK`.

use std::time::Duration;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use jvap_record::messages::{
    self as m, CheckAnswered, CheckOutcome, CheckRequested, check_report_object,
    check_upload_object,
};
use jvap_record::{Report, Said};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::rate::Client;
use super::submissions::{self, Upload};
use super::{AppState, Error, Result};

/// How long a dry run may take: a wait for a free slot, the worker's whole budget, and storing.
const CHECK_WAIT: Duration = Duration::from_secs(300);

/// Seconds to wait before asking again when validation is busy or not running.
const RETRY_AFTER: u64 = 10;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(validate))
}

/// Check a file without submitting it
///
/// Send the file as for an upload (multipart/form-data, field `file`). It is validated with the same
/// rules and limits as a submission, and the answer is its report (`verdict`, `counts`, `issues`
/// with their messages in English and French; `records` is empty). Nothing is stored: no
/// submission, no status, no dataset version, and the round need not be open. Counts against the
/// same per-minute upload rate as submissions.
#[utoipa::path(
    post,
    path = "/api/v1/validate",
    operation_id = "validate_file",
    tag = "submissions",
    request_body(content = submissions::UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The report of the file", body = Report),
        (status = 400, description = "No file, or a file name too long or with control characters", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 413, description = "The file is over the upload limit", body = ErrorBody),
        (status = 408, description = "The file stalled or took too long to arrive", body = ErrorBody),
        (status = 429, description = "Too many uploads in the last minute from this address or token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a file may be sent again"))),
        (status = 503, description = "Validation is busy or not running; nothing was kept", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until it is worth trying again"))),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn validate(
    State(state): State<AppState>,
    caller: Caller,
    client: Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse> {
    let upload = read_form(&state, &caller, &client, multipart).await?;
    let report = run(&state, &upload).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], report))
}

/// Read a dry run's form: within the caller's rate of uploads, whether or not the round is open.
pub(crate) async fn read_form(
    state: &AppState,
    caller: &Caller,
    client: &Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload> {
    submissions::take_upload(state, caller, client)?;
    submissions::read_body(state, multipart).await
}

/// Check `upload` and give its report as JSON; the checks store is left as it was found.
pub(crate) async fn run(state: &AppState, upload: &Upload) -> Result<Bytes> {
    let check_id = super::auth::new_token()?;
    let bus = &state.bus;
    bus.checks
        .put(&check_upload_object(&check_id), &upload.bytes)
        .await?;
    let answered = ask(state, &check_id, upload).await;
    let report = match answered {
        Ok(()) => bus
            .checks
            .get(&check_report_object(&check_id))
            .await
            .map_err(Error::from),
        Err(e) => Err(e),
    };
    for object in [
        check_upload_object(&check_id),
        check_report_object(&check_id),
    ] {
        if let Err(e) = bus.checks.store.delete(&object).await {
            tracing::debug!(error.message = %e, object, "a dry run's object is left to expire");
        }
    }
    match report? {
        Some(report) => Ok(Bytes::from(report)),
        None => Err(Error::Internal(format!(
            "dry run {check_id} was answered without a report"
        ))),
    }
}

/// The report of a dry run, decoded (for the web page).
pub(crate) async fn report(state: &AppState, upload: &Upload) -> Result<Report> {
    let bytes = run(state, upload).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Internal(format!("a dry run's report does not decode: {e}")))
}

/// Ask validation to check the stored file and wait for its answer.
async fn ask(state: &AppState, check_id: &str, upload: &Upload) -> Result<()> {
    let asked = CheckRequested {
        check_id: check_id.to_string(),
        file_name: upload.file_name.clone(),
        size: upload.bytes.len() as u64,
    };
    let payload = serde_json::to_vec(&asked).map_err(|e| Error::Internal(e.to_string()))?;
    let request = async_nats::Request::new()
        .payload(payload.into())
        .timeout(Some(CHECK_WAIT));
    let reply = state
        .bus
        .client
        .send_request(m::SUBJECT_CHECK, request)
        .await
        .map_err(|e| match e.kind() {
            async_nats::RequestErrorKind::NoResponders => Error::Busy {
                message: Said::new(
                    "validation is not running right now, so the file was not checked; nothing \
                     was kept. Please try again in a few minutes.",
                    "la validation ne tourne pas en ce moment, le fichier n'a donc pas été \
                     vérifié ; rien n'a été gardé. Veuillez réessayer dans quelques minutes.",
                ),
                retry_after: RETRY_AFTER,
            },
            async_nats::RequestErrorKind::TimedOut => Error::Busy {
                message: Said::new(
                    "the check took too long; nothing was kept. Please try again later.",
                    "la vérification a pris trop de temps ; rien n'a été gardé. Veuillez \
                     réessayer plus tard.",
                ),
                retry_after: RETRY_AFTER,
            },
            _ => Error::Internal(format!("a dry run's request failed: {e}")),
        })?;
    let answer: CheckAnswered = serde_json::from_slice(&reply.payload)
        .map_err(|e| Error::Internal(format!("a dry run's answer does not decode: {e}")))?;
    match answer.outcome {
        CheckOutcome::Reported => Ok(()),
        CheckOutcome::Busy => Err(Error::Busy {
            message: Said::new(
                "every place for checking files is taken at the moment; nothing was kept. \
                 Please try again in a moment.",
                "toutes les places pour vérifier des fichiers sont prises en ce moment ; rien \
                 n'a été gardé. Veuillez réessayer dans un instant.",
            ),
            retry_after: RETRY_AFTER,
        }),
        CheckOutcome::Failed => Err(Error::Internal(format!(
            "dry run {check_id} failed: {}",
            answer.detail.unwrap_or_default()
        ))),
    }
}
