//! `/api/v1/submissions`: upload a file, list and read statuses, read a submission's report.
//!
//! An upload is stored before it is answered, whatever it contains. The submission id is derived from
//! the partner, the round and the bytes, so the same file sent twice by the same partner is one
//! submission: the second upload answers 200 with the existing status instead of 202.

use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use bytes::Bytes;
use chrono::Utc;
use jvap_bus::Bus;
use jvap_record::Said;
use jvap_record::columns::ColumnMapping;
use jvap_record::messages::{
    self as m, AuditAction, Mode, Role, RoundRecord, SubmissionReceived, SubmissionState,
    SubmissionStatus,
};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::rate::{Action, Client};
use super::{AppState, Error, LangQuery, Result, XLSX, human_size};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(show))
        .routes(routes!(report))
        .routes(routes!(confirm_mapping))
        .routes(routes!(annotated))
        .routes(routes!(issues_csv))
        .routes(routes!(issues_xlsx))
}

/// The fields of an upload form.
pub(crate) struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
    mode: Mode,
    /// Given by analysts and admins, who submit on a partner's behalf.
    partner: Option<String>,
    /// The CSRF token of the web form (the API ignores it).
    pub csrf: Option<String>,
    /// How to read some of the file's columns (`map` fields, `HEADER=FIELD`).
    pub mapping: ColumnMapping,
}

/// The upload form, as the OpenAPI document describes it; [`read_upload`] reads it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct UploadForm {
    /// The workbook: xlsx, xls, ods or csv.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    mode: Option<Mode>,
    /// For analysts and admins: the partner's code, e.g. `NER`.
    partner: Option<String>,
    /// How to read a column, `HEADER=FIELD` (repeat the field for several): the header as written
    /// in the file, the field by its key (`lead_funder`) or template header. Applied before the
    /// headers are read by meaning, and remembered for the partner once the file has each header.
    map: Option<Vec<String>>,
}

/// The longest file name taken, in bytes of UTF-8 (what most file systems allow).
pub(crate) const MAX_FILE_NAME_BYTES: usize = 255;

/// What an upload answers: the submission's status and, when the same file was already received
/// with the other mode, a notice saying so (the stored mode stays).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct UploadAnswer {
    #[schema(inline)]
    #[serde(flatten)]
    pub status: SubmissionStatus,
    /// Only when the same file was already received with the other mode: says so, in English
    /// ("already received, as replace: ..."); the stored mode is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The same notice in French.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_fr: Option<String>,
}

/// Upload a file
///
/// Send the file as multipart/form-data in the field `file` (xlsx, xls, ods or csv), with `mode`
/// (`replace`, the default, or `merge`) and, for analysts and admins submitting on a partner's behalf,
/// `partner`. The file is stored before the answer; validation follows. The same bytes from the same
/// partner in the same round are one submission: sending them again answers 200 with its status
/// (and a `notice` when the mode asked differs from the stored one, which stays). Each partner may
/// send a limited number of new files an hour and of bytes a round: over it, 429 says the limit and
/// when to try again (`Retry-After` for the hourly one).
#[utoipa::path(
    post,
    path = "/api/v1/submissions",
    operation_id = "upload_submission",
    tag = "submissions",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "Received; validation follows", body = UploadAnswer),
        (status = 200, description = "The same file was already submitted", body = UploadAnswer),
        (status = 400, description = "No file, a file name too long or with control characters, an unknown mode or partner", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token submitting for another partner", body = ErrorBody),
        (status = 409, description = "The round is closed", body = ErrorBody),
        (status = 413, description = "The file is over the upload limit", body = ErrorBody),
        (status = 408, description = "The file stalled or took too long to arrive", body = ErrorBody),
        (status = 429, description = "Too many uploads in the last minute from this address or token, or the partner's quota of files per hour or bytes per round is used up", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a file may be sent again"))),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    client: Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadAnswer>)> {
    let upload = read_form(&state, &caller, &client, multipart).await?;
    let (code, answer) = receive(&state, &caller, upload).await?;
    Ok((code, Json(answer)))
}

/// Read an upload form, after checking that the caller is within its rate of uploads and that the
/// round takes submissions; the form must arrive within [`super::UPLOAD_STALLS`] body timeouts. The
/// API and the web page both send their forms here.
pub(crate) async fn read_form(
    state: &AppState,
    caller: &Caller,
    client: &Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload> {
    take_upload(state, caller, client)?;
    ensure_round_open(&state.bus, &state.round).await?;
    read_body(state, multipart).await
}

/// Count one upload (a submission or a dry run) against the caller's per-minute rate.
pub(crate) fn take_upload(state: &AppState, caller: &Caller, client: &Client) -> Result<()> {
    state
        .limits
        .take(Action::Upload, client, &caller.token_key)
        .map_err(|e| Error::TooMany(Box::new(e)))
}

/// Read an upload form's body within [`super::UPLOAD_STALLS`] body timeouts (the rate and the
/// round are the caller's to check first).
pub(crate) async fn read_body(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload> {
    let multipart = multipart.map_err(|_| {
        Error::BadRequest(Said::new(
            "send the file as multipart/form-data in a field named file",
            "envoyez le fichier en multipart/form-data dans un champ nommé file",
        ))
    })?;
    let deadline = state.body_timeout * super::UPLOAD_STALLS;
    tokio::time::timeout(deadline, read_upload(multipart, state.max_upload_bytes))
        .await
        .unwrap_or_else(|_| Err(timed_out()))
}

/// Store an upload and announce it: 202 with the new status, or 200 with the existing one when the
/// same bytes were already submitted (with a notice when the mode asked is not the stored one). A new
/// file over the partner's quota is refused before anything is stored.
///
/// A new trace id is made here and goes with every message about this file
/// ([`jvap_bus::trace`]), so its lines can be found in every service's log.
pub(crate) async fn receive(
    state: &AppState,
    caller: &Caller,
    upload: Upload,
) -> Result<(StatusCode, UploadAnswer)> {
    jvap_bus::trace::scope(
        jvap_bus::trace::new_id(),
        receive_traced(state, caller, upload),
    )
    .await
}

#[tracing::instrument(skip_all, fields(submission_id, partner, trace_id = jvap_bus::trace::current()))]
async fn receive_traced(
    state: &AppState,
    caller: &Caller,
    upload: Upload,
) -> Result<(StatusCode, UploadAnswer)> {
    let partner = submitting_partner(caller, upload.partner.as_deref())?;
    let id = mapped_submission_id(&partner, &state.round, &upload.bytes, &upload.mapping);
    tracing::Span::current()
        .record("submission_id", id.as_str())
        .record("partner", partner.as_str());

    if let Some(status) = state.bus.status(&id).await? {
        // A crash between storing and publishing leaves a `received` status that nobody processes;
        // publishing again heals it, and the message id makes it harmless otherwise.
        if status.state == SubmissionState::Received {
            publish_received(
                &state.bus,
                &status,
                hex::encode(Sha256::digest(&upload.bytes)),
                None,
                &upload.mapping,
            )
            .await?;
        }
        return Ok((StatusCode::OK, already_received(status, upload.mode)));
    }

    let size = upload.bytes.len() as u64;
    let statuses = state.bus.all_statuses().await?;
    if let Err(exceeded) = super::quota::check(
        &state.quota,
        &statuses,
        &partner,
        &state.round,
        size,
        Utc::now(),
    ) {
        tracing::info!(size, reason = %exceeded.message, "upload refused by the partner's quota");
        return Err(Error::TooMany(Box::new(exceeded)));
    }

    state.bus.uploads.put(&id, &upload.bytes).await?;
    let now = Utc::now();
    let status = SubmissionStatus {
        submission_id: id.clone(),
        partner,
        round: state.round.to_string(),
        mode: upload.mode,
        file_name: upload.file_name,
        size: upload.bytes.len() as u64,
        state: SubmissionState::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: now,
        updated_at: now,
    };
    if !state.bus.create_status(&status).await? {
        // The same file arrived twice at once; the other request publishes.
        let existing = state.bus.status(&id).await?.unwrap_or(status);
        return Ok((StatusCode::OK, already_received(existing, upload.mode)));
    }
    publish_received(
        &state.bus,
        &status,
        hex::encode(Sha256::digest(&upload.bytes)),
        None,
        &upload.mapping,
    )
    .await?;
    tracing::info!(size = status.size, "submission received");
    let answer = UploadAnswer {
        status,
        notice: None,
        notice_fr: None,
    };
    Ok((StatusCode::ACCEPTED, answer))
}

/// The answer for a file already received: its status, and a notice when `asked` is not the mode it
/// was received with (the stored mode stays: the same bytes are one submission).
fn already_received(status: SubmissionStatus, asked: Mode) -> UploadAnswer {
    let (notice, notice_fr) = if asked == status.mode {
        (None, None)
    } else {
        let (en, fr) = match status.mode {
            Mode::Replace => ("replace", "remplacement"),
            Mode::Merge => ("merge", "fusion"),
        };
        let (asked_en, asked_fr) = match asked {
            Mode::Replace => ("replace", "remplacement"),
            Mode::Merge => ("merge", "fusion"),
        };
        (
            Some(format!(
                "already received, as {en}: this file was sent before in {en} mode and stays a \
                 {en}; it was not changed to {asked_en}. To {asked_en}, send a changed file"
            )),
            Some(format!(
                "déjà reçu, en {fr} : ce fichier a déjà été envoyé en mode {fr} et le reste ; il \
                 n'a pas été changé en {asked_fr}. Pour un envoi en {asked_fr}, envoyez un \
                 fichier modifié"
            )),
        )
    };
    UploadAnswer {
        status,
        notice,
        notice_fr,
    }
}

/// List submissions
///
/// Every submission of the round the caller may see: a partner's own, or all of them for analysts and
/// admins.
#[utoipa::path(
    get,
    path = "/api/v1/submissions",
    operation_id = "list_submissions",
    tag = "submissions",
    responses(
        (status = 200, description = "The submissions", body = Vec<SubmissionStatus>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SubmissionStatus>>> {
    let mut statuses = state.bus.all_statuses().await?;
    statuses.retain(|status| caller.may_see(status));
    Ok(Json(statuses))
}

/// Read a submission's status
///
/// Another partner's submission is 404, as if it did not exist.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}",
    operation_id = "show_submission",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)")),
    responses(
        (status = 200, description = "Its status", body = SubmissionStatus),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, or another partner's", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SubmissionStatus>> {
    Ok(Json(visible_status(&state.bus, &caller, &id).await?))
}

/// The form of [`confirm_mapping`], as the OpenAPI document describes it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct MappingForm {
    /// `HEADER=FIELD`, once per column: the header as written in the file, the field by its key
    /// (`lead_funder`) or template header.
    map: Vec<String>,
}

/// Confirm how a submission's columns are read
///
/// Validates the stored upload of submission `id` again, as a new submission, with the columns of
/// `map` read as given (multipart/form-data, `map` repeated, `HEADER=FIELD`). Nothing is uploaded
/// again. Once the file is found to have each header, the mapping is remembered for the partner:
/// the partner's next files with the same headers are read the same way, unasked. The answer is the
/// new submission's status, as for an upload.
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/mapping",
    operation_id = "confirm_mapping",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission whose stored upload is validated again")),
    request_body(content = MappingForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "The new submission; validation follows", body = UploadAnswer),
        (status = 200, description = "The same file with the same mapping was already submitted", body = UploadAnswer),
        (status = 400, description = "No map, or a map naming no field (`error` in English, `error_fr` in French)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, another partner's, or its upload is no longer stored", body = ErrorBody),
        (status = 409, description = "The round is closed", body = ErrorBody),
        (status = 429, description = "Too many uploads, or the partner's quota is used up", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn confirm_mapping(
    State(state): State<AppState>,
    caller: Caller,
    client: Client,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadAnswer>)> {
    let form = read_mapping_form(multipart).await?;
    let (code, answer) = confirm(&state, &caller, &client, &id, form.mapping).await?;
    Ok((code, Json(answer)))
}

/// A mapping form: its `map` fields and the web form's CSRF token.
pub(crate) struct MappingFields {
    pub mapping: ColumnMapping,
    pub csrf: Option<String>,
}

pub(crate) async fn read_mapping_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<MappingFields> {
    let mut multipart = multipart.map_err(|_| {
        Error::BadRequest(Said::new(
            "send the mapping as multipart/form-data in fields named map",
            "envoyez la correspondance en multipart/form-data dans des champs nommés map",
        ))
    })?;
    let mut fields = MappingFields {
        mapping: ColumnMapping::default(),
        csrf: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| form_error(&e))? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "map" && name != "csrf" {
            continue;
        }
        let text = field.text().await.map_err(|e| form_error(&e))?;
        if name == "csrf" {
            fields.csrf = Some(text.trim().to_string());
        } else {
            add_pair(&mut fields.mapping, &text)?;
        }
    }
    Ok(fields)
}

/// Validate the stored upload of submission `id` again with `mapping`, as a new submission of the
/// same partner, file name and mode; recorded in the audit log. The API and the report page both
/// confirm here.
pub(crate) async fn confirm(
    state: &AppState,
    caller: &Caller,
    client: &Client,
    id: &str,
    mapping: ColumnMapping,
) -> Result<(StatusCode, UploadAnswer)> {
    if mapping.is_empty() {
        return Err(Error::BadRequest(Said::new(
            "choose a field for at least one column (map: HEADER=FIELD)",
            "choisissez un champ pour au moins une colonne (map : EN-TÊTE=CHAMP)",
        )));
    }
    let original = visible_status(&state.bus, caller, id).await?;
    take_upload(state, caller, client)?;
    ensure_round_open(&state.bus, &state.round).await?;
    let bytes = state.bus.uploads.get(id).await?.ok_or_else(|| {
        Error::NotFound(Said::new(
            format!("the upload of submission {id} is no longer stored"),
            format!("le fichier de l'envoi {id} n'est plus conservé"),
        ))
    })?;
    let upload = Upload {
        file_name: original.file_name.clone(),
        bytes: Bytes::from(bytes),
        mode: original.mode,
        partner: Some(original.partner.clone()),
        csrf: None,
        mapping: mapping.clone(),
    };
    let (code, answer) = receive(state, caller, upload).await?;
    let detail = serde_json::json!({
        "submission_id": id,
        "partner": original.partner,
        "new_submission_id": answer.status.submission_id,
        "columns": mapping.columns,
    });
    super::audit::record(
        &state.bus,
        caller,
        AuditAction::MappingConfirmed,
        Some(&answer.status.round),
        detail,
    )
    .await;
    Ok((code, answer))
}

/// Read a submission's report
///
/// Every issue found (severity, sheet, cell, column, value, message in English and French) and the
/// records that passed; 404 until validation has written it.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}/report",
    operation_id = "submission_report",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)")),
    responses(
        (status = 200, description = "The report", body = jvap_record::Report),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, or its report is not ready yet", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse> {
    visible_status(&state.bus, &caller, &id).await?;
    let pieces = report_bytes(&state.bus, &id).await?;
    let body = axum::body::Body::from_stream(futures::stream::iter(
        pieces.into_iter().map(Ok::<_, std::convert::Infallible>),
    ));
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

/// The stored report of a submission with its records, as the pieces of a JSON body; not found until
/// validation has written it. The records are stored apart ([`m::records_object`]) and are sent as
/// they are, never decoded or copied: the body is the report without its `records`, then the records.
async fn report_bytes(bus: &Bus, id: &str) -> Result<Vec<Bytes>> {
    let report = stored_report(bus, id).await?;
    let Some(records) = bus.reports.get(&m::records_object(id)).await? else {
        return Ok(vec![Bytes::from(report)]);
    };
    let mut parts: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(&report)
        .map_err(|e| Error::Internal(format!("the report of {id} does not decode: {e}")))?;
    if parts.get("records").is_some_and(|r| r.get().trim() != "[]") {
        // Reports stored before the records moved out hold them already.
        return Ok(vec![Bytes::from(report)]);
    }
    parts.remove("records");
    let mut head = serde_json::to_vec(&parts).map_err(|e| Error::Internal(e.to_string()))?;
    head.pop(); // the closing brace
    head.extend_from_slice(if parts.is_empty() {
        b"\"records\":"
    } else {
        b",\"records\":"
    });
    Ok(vec![
        Bytes::from(head),
        Bytes::from(records),
        Bytes::from_static(b"}"),
    ])
}

/// The stored report without its records.
async fn stored_report(bus: &Bus, id: &str) -> Result<Vec<u8>> {
    bus.reports
        .get(&m::report_object(id))
        .await?
        .ok_or_else(|| {
            Error::NotFound(Said::new(
                format!(
                    "the report of submission {id} is not ready yet; try again in a few seconds"
                ),
                format!(
                    "le rapport de l'envoi {id} n'est pas encore prêt ; réessayez dans quelques \
                     secondes"
                ),
            ))
        })
}

/// The report of a submission, decoded, without its records.
pub(crate) async fn load_report(bus: &Bus, id: &str) -> Result<jvap_record::Report> {
    let report = stored_report(bus, id).await?;
    serde_json::from_slice(&report)
        .map_err(|e| Error::Internal(format!("the report of {id} does not decode: {e}")))
}

/// Download the annotated workbook
///
/// The partner's own workbook back, as xlsx, with each problem cell coloured and noted in `?lang=`,
/// and a first sheet listing every issue with a link to its cell.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}/annotated.xlsx",
    operation_id = "annotated_workbook",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)"), LangQuery),
    responses(
        (status = 200, description = "The annotated workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "An unknown language", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, its report is not ready yet, or its file could not be read far enough to annotate it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn annotated(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    let status = visible_status(&state.bus, &caller, &id).await?;
    let lang = super::lang_of(query)?;
    // Built by validation's worker with the report: partner bytes are never parsed here.
    stored_report(&state.bus, &id).await?;
    let bytes = state
        .bus
        .reports
        .get(&m::annotated_object(&id, lang))
        .await?
        .ok_or_else(|| {
            Error::NotFound(Said::new(
                format!(
                    "submission {id} has no annotated workbook: its file could not be read far \
                     enough to annotate it; its report says why"
                ),
                format!(
                    "l'envoi {id} n'a pas de classeur annoté : son fichier n'a pas pu être lu assez \
                     loin pour l'annoter ; son rapport dit pourquoi"
                ),
            ))
        })?;
    let disposition = attachment(&status, "annotated.xlsx");
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

/// `attachment; filename="<the partner's file name without extension>-<suffix>"`, the name kept to
/// letters, digits, `-`, `_` and spaces.
fn attachment(status: &SubmissionStatus, suffix: &str) -> String {
    let stem = status
        .file_name
        .rsplit_once('.')
        .map_or(status.file_name.as_str(), |(stem, _)| stem);
    let stem: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || "-_ ".contains(*c))
        .collect();
    format!("attachment; filename=\"{stem}-{suffix}\"")
}

/// Download the issue list as CSV
///
/// Every issue of the report, one line each, in the language asked for (`?lang=fr`): severity, code,
/// sheet, cell, row, column, the value found, the message and how to fix it (the column's rule).
/// UTF-8 with a byte-order mark; text that a spreadsheet would read as a formula is prefixed with `'`.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}/issues.csv",
    operation_id = "issues_csv",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)"), LangQuery),
    responses(
        (status = 200, description = "The issue list", content_type = "text/csv"),
        (status = 400, description = "An unknown language", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, or its report is not ready yet", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn issues_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    issue_list(&state, &caller, &id, query, IssueFile::Csv).await
}

/// Download the issue list as xlsx
///
/// The same lines as `issues.csv`, as a workbook with a frozen header and a filter.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}/issues.xlsx",
    operation_id = "issues_xlsx",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)"), LangQuery),
    responses(
        (status = 200, description = "The issue list", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "An unknown language", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such submission, or its report is not ready yet", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["partner", "analyst", "admin"]))),
)]
async fn issues_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    issue_list(&state, &caller, &id, query, IssueFile::Xlsx).await
}

#[derive(Clone, Copy)]
enum IssueFile {
    Csv,
    Xlsx,
}

async fn issue_list(
    state: &AppState,
    caller: &Caller,
    id: &str,
    query: Result<Query<LangQuery>, QueryRejection>,
    file: IssueFile,
) -> Result<impl IntoResponse + use<>> {
    let status = visible_status(&state.bus, caller, id).await?;
    let lang = super::lang_of(query)?;
    let report = load_report(&state.bus, id).await?;
    let written = match file {
        IssueFile::Csv => jvap_outputs::issues::issues_csv(&report, lang),
        IssueFile::Xlsx => jvap_outputs::issues::issues_xlsx(&report, lang),
    };
    let bytes = written.map_err(|e| Error::Internal(e.to_string()))?;
    let (content_type, suffix) = match file {
        IssueFile::Csv => (
            "text/csv; charset=utf-8",
            format!("issues.{}.csv", lang.code()),
        ),
        IssueFile::Xlsx => (XLSX, format!("issues.{}.xlsx", lang.code())),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&status, &suffix)),
        ],
        bytes,
    ))
}

/// The status of a submission the caller may see. Another partner's submission is "not found", so a
/// partner cannot even learn that it exists.
pub(crate) async fn visible_status(
    bus: &Bus,
    caller: &Caller,
    id: &str,
) -> Result<SubmissionStatus> {
    let not_found = || {
        Error::NotFound(Said::new(
            format!("there is no submission {id}"),
            format!("il n'y a pas d'envoi {id}"),
        ))
    };
    if !is_submission_id(id) {
        return Err(not_found());
    }
    match bus.status(id).await? {
        Some(status) if caller.may_see(&status) => Ok(status),
        _ => Err(not_found()),
    }
}

/// Refuse uploads to a closed round; a round without a record is open.
pub(crate) async fn ensure_round_open(bus: &Bus, round: &str) -> Result<()> {
    let record: Option<RoundRecord> = bus.kv_get(&bus.rounds, round).await?;
    match record {
        Some(record) if !record.open => Err(Error::Conflict(Said::new(
            format!("the {round} data round is closed: no more submissions are accepted"),
            format!("la collecte {round} est fermée : plus aucun envoi n'est accepté"),
        ))),
        _ => Ok(()),
    }
}

async fn read_upload(mut multipart: Multipart, max_bytes: usize) -> Result<Upload> {
    let mut file = None;
    let mut mode = Mode::default();
    let mut partner = None;
    let mut csrf = None;
    let mut mapping = ColumnMapping::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, max_bytes))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().map(base_name).unwrap_or_default();
                // Before the bytes are even read: nothing of a refused upload is kept.
                check_file_name(&file_name)?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(&e, max_bytes))?;
                file = Some((file_name, bytes));
            }
            "map" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(&e, max_bytes))?;
                add_pair(&mut mapping, &text)?;
            }
            "mode" | "partner" | "csrf" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(&e, max_bytes))?;
                let text = text.trim();
                match name.as_str() {
                    "mode" => mode = text.parse().map_err(Error::BadRequest)?,
                    "csrf" => csrf = Some(text.to_string()),
                    _ if !text.is_empty() => partner = Some(text.to_string()),
                    _ => {}
                }
            }
            // Other fields (a browser's submit button, say) are read past and ignored.
            _ => {}
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| {
        Error::BadRequest(Said::new(
            "the upload has no field named file",
            "l'envoi n'a pas de champ nommé file",
        ))
    })?;
    if file_name.is_empty() {
        return Err(Error::BadRequest(Said::new(
            "the file field has no file name; send it as a file, e.g. initiatives.xlsx",
            "le champ file n'a pas de nom de fichier ; envoyez-le comme un fichier, par exemple \
             initiatives.xlsx",
        )));
    }
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    Ok(Upload {
        file_name,
        bytes,
        mode,
        partner,
        csrf,
        mapping,
    })
}

/// Add a `map` field, `HEADER=FIELD`, to `mapping` (an empty field is no pair: a form's unchosen
/// column); a field that names no field of the record is refused in English and French.
pub(crate) fn add_pair(mapping: &mut ColumnMapping, pair: &str) -> Result<()> {
    if pair.trim().is_empty() || pair.trim_end().ends_with('=') {
        return Ok(());
    }
    let pair = ColumnMapping::from_pairs([pair]).map_err(|e| {
        Error::BadRequest(Said::new(
            format!("map: {e}"),
            format!("map : {}", e.message_fr()),
        ))
    })?;
    *mapping = mapping.overlaid(&pair);
    Ok(())
}

/// Refuse a file name longer than [`MAX_FILE_NAME_BYTES`] or holding a control character (a line
/// break, a tab, an escape): it is shown on pages, in reports and in download names.
fn check_file_name(name: &str) -> Result<()> {
    if name.len() > MAX_FILE_NAME_BYTES {
        let size = human_size(name.len());
        return Err(Error::BadRequest(Said::new(
            format!(
                "the file name is {size} long; the limit is {MAX_FILE_NAME_BYTES} bytes (about as \
                 many letters): rename the file and send it again"
            ),
            format!(
                "le nom du fichier fait {} ; la limite est de {MAX_FILE_NAME_BYTES} octets (à peu \
                 près autant de lettres) : renommez le fichier et envoyez-le à nouveau",
                super::in_french(&size)
            ),
        )));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        let code = u32::from(c);
        return Err(Error::BadRequest(Said::new(
            format!(
                "the file name holds a control character (U+{code:04X}); rename the file with \
                 letters, digits, spaces and punctuation only, and send it again"
            ),
            format!(
                "le nom du fichier contient un caractère de contrôle (U+{code:04X}) ; renommez le \
                 fichier avec seulement des lettres, des chiffres, des espaces et de la \
                 ponctuation, et envoyez-le à nouveau"
            ),
        )));
    }
    Ok(())
}

/// The partner a submission belongs to: a partner token's own, or the `partner` field for analysts and
/// admins (who must give a known partner code).
fn submitting_partner(caller: &Caller, field: Option<&str>) -> Result<String> {
    match (caller.role, &caller.partner, field) {
        (Role::Partner, Some(own), None) => Ok(own.clone()),
        (Role::Partner, Some(own), Some(asked)) if asked.eq_ignore_ascii_case(own) => {
            Ok(own.clone())
        }
        (Role::Partner, _, _) => Err(Error::Forbidden(Said::new(
            "a partner token can only submit for its own partner",
            "un jeton de partenaire ne peut envoyer que pour son propre partenaire",
        ))),
        (_, _, None) => Err(Error::BadRequest(Said::new(
            "say which partner this submission is for in the field partner (e.g. NER)",
            "indiquez pour quel partenaire est cet envoi dans le champ partner (par exemple NER)",
        ))),
        (_, _, Some(code)) => jvap_record::reference::partner(code)
            .map(|partner| partner.code.clone())
            .ok_or_else(|| Error::BadRequest(super::unknown_partner(code))),
    }
}

/// A submission's id: the first 24 hex characters of SHA-256 over partner, round and bytes (each
/// separated by a zero byte), so the same file from the same partner in the same round is one submission.
pub fn submission_id(partner: &str, round: &str, bytes: &[u8]) -> String {
    mapped_submission_id(partner, round, bytes, &ColumnMapping::default())
}

/// [`submission_id`] for bytes sent with a mapping: with one, the mapping's pairs follow the bytes,
/// so the same file sent again with a mapping confirmed is a new submission.
pub fn mapped_submission_id(
    partner: &str,
    round: &str,
    bytes: &[u8],
    mapping: &ColumnMapping,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(partner.as_bytes());
    hasher.update([0]);
    hasher.update(round.as_bytes());
    hasher.update([0]);
    hasher.update(bytes);
    for (header, field) in &mapping.columns {
        hasher.update([0]);
        hasher.update(header.as_bytes());
        hasher.update([b'=']);
        hasher.update(field.as_bytes());
    }
    let mut id = hex::encode(hasher.finalize());
    id.truncate(24);
    id
}

fn is_submission_id(id: &str) -> bool {
    id.len() == 24
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Announce a stored submission on `jvap.submission.received.<partner>`. The first announcement's
/// message id is the submission id; an admin's re-run (`revalidation`) gets `<id>-<run>`, so the
/// stream takes it as a new message.
pub(crate) async fn publish_received(
    bus: &Bus,
    status: &SubmissionStatus,
    sha256: String,
    revalidation: Option<&str>,
    mapping: &ColumnMapping,
) -> Result<()> {
    let message = SubmissionReceived {
        submission_id: status.submission_id.clone(),
        partner: status.partner.clone(),
        round: status.round.clone(),
        mode: status.mode,
        file_name: status.file_name.clone(),
        size: status.size,
        sha256,
        received_at: status.received_at,
        revalidation: revalidation.map(String::from),
        mapping: mapping.clone(),
    };
    let subject = m::subject_received(&status.partner);
    let msg_id = match revalidation {
        Some(run) => format!("{}-{run}", status.submission_id),
        None => status.submission_id.clone(),
    };
    bus.publish(&subject, &msg_id, &message).await?;
    Ok(())
}

/// The last component of a client's file name (browsers on Windows may send a full path).
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .trim()
        .to_string()
}

/// A mapping form that could not be read.
fn form_error(error: &MultipartError) -> Error {
    let detail = error.body_text();
    Error::BadRequest(Said::new(
        format!("the form could not be read: {detail}"),
        format!("le formulaire n'a pas pu être lu : {detail}"),
    ))
}

fn multipart_error(error: &MultipartError, max_bytes: usize) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(max_bytes);
    }
    if stalled(error) {
        return timed_out();
    }
    let detail = error.body_text();
    Error::BadRequest(Said::new(
        format!("the upload could not be read: {detail}"),
        format!("l'envoi n'a pas pu être lu : {detail}"),
    ))
}

/// Whether the body stopped arriving (the body timeout of [`crate::app`] fired under the form).
fn stalled(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = error.source();
    }
    false
}

fn timed_out() -> Error {
    Error::Timeout(Said::new(
        "the file stopped arriving or took too long; check the connection and send it again",
        "le fichier a cessé d'arriver ou a pris trop de temps ; vérifiez la connexion et \
         envoyez-le à nouveau",
    ))
}

fn too_large(max_bytes: usize) -> Error {
    let limit = human_size(max_bytes);
    Error::TooLarge(Said::new(
        format!(
            "the file is larger than the upload limit of {limit}; split it or remove unused sheets"
        ),
        format!(
            "le fichier dépasse la limite d'envoi de {} ; scindez-le ou retirez les feuilles \
             inutilisées",
            super::in_french(&limit)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_from_the_same_partner_and_round_give_the_same_id() {
        let id = submission_id("NER", "2022", b"bytes");
        assert_eq!(id, submission_id("NER", "2022", b"bytes"));
        assert_eq!(id.len(), 24);
        assert!(is_submission_id(&id));
        assert_ne!(id, submission_id("SEN", "2022", b"bytes"));
        assert_ne!(id, submission_id("NER", "2023", b"bytes"));
    }

    #[test]
    fn a_windows_path_is_reduced_to_its_file_name() {
        assert_eq!(
            base_name(r"C:\Users\me\initiatives.xlsx"),
            "initiatives.xlsx"
        );
        assert_eq!(base_name("dir/initiatives.csv"), "initiatives.csv");
        assert_eq!(base_name("plain.ods"), "plain.ods");
    }

    #[test]
    fn a_long_name_or_one_with_control_characters_is_refused() {
        assert!(check_file_name(&"a".repeat(MAX_FILE_NAME_BYTES)).is_ok());
        assert!(check_file_name("Rapport été 2022 (v2).xlsx").is_ok());
        let long = check_file_name(&"é".repeat(200)).expect_err("400 bytes");
        assert!(long.to_string().contains("255 bytes"), "{long}");
        let control = check_file_name("a\nb.xlsx").expect_err("a line break");
        assert!(control.to_string().contains("U+000A"), "{control}");
    }

    #[test]
    fn a_duplicate_with_the_other_mode_says_the_stored_mode_stays() {
        let status = SubmissionStatus {
            submission_id: "0".repeat(24),
            partner: "NER".into(),
            round: "2022".into(),
            mode: Mode::Replace,
            file_name: "a.xlsx".into(),
            size: 1,
            state: SubmissionState::Accepted,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let same = already_received(status.clone(), Mode::Replace);
        assert_eq!(same.notice, None);
        let other = already_received(status, Mode::Merge);
        let notice = other.notice.expect("a notice");
        assert!(
            notice.starts_with("already received, as replace"),
            "{notice}"
        );
        assert!(
            other
                .notice_fr
                .expect("in French")
                .starts_with("déjà reçu, en remplacement")
        );
        assert_eq!(other.status.mode, Mode::Replace);
    }

    #[test]
    fn only_lowercase_hex_of_the_right_length_is_an_id() {
        assert!(!is_submission_id("../../etc/passwd"));
        assert!(!is_submission_id("ABCDEFABCDEFABCDEFABCDEF"));
        assert!(!is_submission_id("abc"));
    }
}
