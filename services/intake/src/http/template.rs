//! `GET /api/v1/template.xlsx?lang=en|fr`: the official template, for anyone.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ErrorBody;
use super::{AppState, Error, LangQuery, Result, XLSX};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// Download the template
///
/// The official workbook partners fill in, with its sheets, columns and code lists in English or
/// French.
#[utoipa::path(
    get,
    path = "/api/v1/template.xlsx",
    operation_id = "download_template",
    tag = "public",
    params(LangQuery),
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "An unknown language", body = ErrorBody),
    ),
    extensions(("x-roles" = json!([]))),
)]
async fn download(query: Result<Query<LangQuery>, QueryRejection>) -> Result<impl IntoResponse> {
    let lang = super::lang_of(query)?;
    let bytes = tokio::task::spawn_blocking(move || jvap_outputs::template::template(lang))
        .await
        .map_err(|e| Error::Internal(format!("the template writer stopped: {e}")))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let code = lang.code();
    let disposition = format!("attachment; filename=\"jvap-template-{code}.xlsx\"");
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}
