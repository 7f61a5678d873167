//! `GET /api/v1/template.xlsx?lang=en|fr`: the official template, for anyone.

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::{AppState, Error, LangQuery, Result, XLSX};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/template.xlsx", get(download))
}

async fn download(query: Result<Query<LangQuery>, QueryRejection>) -> Result<impl IntoResponse> {
    let lang = super::lang_of(query)?;
    let bytes = tokio::task::spawn_blocking(move || jvap_core::template::template(lang))
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
