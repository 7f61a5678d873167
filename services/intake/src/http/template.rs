//! `GET /api/v1/template.xlsx?lang=en|fr`: the official template, for anyone.

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use jvap_core::Lang;
use serde::Deserialize;

use super::{AppState, Error, Result};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/template.xlsx", get(download))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn download(query: Result<Query<LangQuery>, QueryRejection>) -> Result<impl IntoResponse> {
    let Query(query) =
        query.map_err(|e| Error::BadRequest(format!("bad query: {}", e.body_text())))?;
    let lang: Lang = match query.lang.as_deref() {
        Some(lang) => lang.parse().map_err(Error::BadRequest)?,
        None => Lang::En,
    };
    let bytes = tokio::task::spawn_blocking(move || jvap_core::template::template(lang))
        .await
        .map_err(|e| Error::Internal(format!("the template writer stopped: {e}")))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let code = match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
    };
    let disposition = format!("attachment; filename=\"jvap-template-{code}.xlsx\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}
