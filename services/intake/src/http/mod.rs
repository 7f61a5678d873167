//! The HTTP API: one router per resource, and what the web pages ([`crate::web`]) share with it: the
//! state, errors, callers, sessions and cookies. [`crate::app`] merges the API and the pages.

pub mod auth;
pub mod error;

pub(crate) mod admin;
pub(crate) mod audit;
pub(crate) mod checks;
pub(crate) mod committee;
pub(crate) mod cookies;
mod datasets;
pub(crate) mod deadline;
mod health;
pub mod openapi;
pub(crate) mod partners;
pub(crate) mod quota;
pub(crate) mod rate;
pub(crate) mod rounds;
pub(crate) mod submissions;
mod template;
pub(crate) mod tokens;
pub(crate) mod tracker;

use std::sync::Arc;

use jvap_bus::Bus;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use error::{Error, Result};
pub use submissions::submission_id;

/// Room for the multipart framing and the small text fields around the file, so that a file of exactly
/// the configured size still fits; the file itself is checked against the exact limit.
pub(crate) const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The media type of an xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `?lang=en|fr` on downloads that come in either language.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LangQuery {
    /// `en` or `fr`; English when absent.
    lang: Option<String>,
}

/// The language asked for (English when none), or a 400 that says what is allowed.
pub(crate) fn lang_of(
    query: std::result::Result<
        axum::extract::Query<LangQuery>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<jvap_record::Lang> {
    let axum::extract::Query(query) = query.map_err(bad_query)?;
    match query.lang.as_deref() {
        Some(lang) => lang.parse().map_err(Error::BadRequest),
        None => Ok(jvap_record::Lang::En),
    }
}

/// A query string that does not read (an unknown value, a missing parameter).
pub(crate) fn bad_query(rejection: axum::extract::rejection::QueryRejection) -> Error {
    let detail = rejection.body_text();
    Error::BadRequest(jvap_record::Said::new(
        format!("bad query: {detail}"),
        format!("paramètres de la requête incorrects : {detail}"),
    ))
}

/// A JSON body that does not read, with `example`, one that does.
pub(crate) fn bad_json(example: &str, rejection: axum::extract::rejection::JsonRejection) -> Error {
    let detail = rejection.body_text();
    Error::BadRequest(jvap_record::Said::new(
        format!("send JSON like {example}: {detail}"),
        format!("envoyez du JSON comme {example} : {detail}"),
    ))
}

/// A partner code that is not in `schemas/reference/partners.csv`.
pub(crate) fn unknown_partner(code: &str) -> jvap_record::Said {
    jvap_record::Said::new(
        format!("{code:?} is not a known partner code"),
        format!("{code:?} n'est pas un code de partenaire connu"),
    )
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub bus: Bus,
    /// The round new submissions belong to and downloads default to.
    pub round: Arc<str>,
    /// The largest file accepted, in bytes.
    pub max_upload_bytes: usize,
    /// What one partner may upload.
    pub quota: crate::config::Quota,
    /// How fast one client may sign in and upload.
    pub limits: Arc<rate::Limits>,
    /// How long a request body may stall; an upload must arrive within [`UPLOAD_STALLS`] of it.
    pub body_timeout: std::time::Duration,
}

/// An upload must arrive in full within this many body timeouts (10 minutes by default: 50 MB at
/// 85 KB/s, a slow line).
pub(crate) const UPLOAD_STALLS: u32 = 20;

/// The API: every route of every resource, each registered from its handler's `#[utoipa::path]`, with
/// the OpenAPI document they make together ([`openapi`]).
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(submissions::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(checks::router())
        .merge(datasets::router())
        .merge(tokens::router())
        .merge(rounds::router())
        .merge(deadline::router())
        .merge(partners::router())
        .merge(committee::router())
        .merge(tracker::router())
        .merge(template::router())
        .merge(health::router())
        .merge(openapi::router())
}

/// A round name as it may appear in KV keys, object names and file names.
fn check_round(round: &str) -> Result<()> {
    let valid = !round.is_empty()
        && round.len() <= 32
        && round
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::BadRequest(jvap_record::Said::new(
            format!("{round:?} is not a round: use letters, digits, - or _ (for example 2022)"),
            format!(
                "{round:?} n'est pas une collecte : utilisez des lettres, des chiffres, - ou _ \
                 (par exemple 2022)"
            ),
        )))
    }
}

/// A byte count as people read it: `50 MiB`, `12 KiB`, `900 bytes`.
pub(crate) fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A size of [`human_size`] with French units: `50 Mio`, `900 octets`.
pub(crate) fn in_french(size: &str) -> String {
    size.replace("MiB", "Mio")
        .replace("KiB", "Kio")
        .replace("bytes", "octets")
        .replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(50 * 1024 * 1024), "50 MiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(4096), "4 KiB");
        assert_eq!(human_size(900), "900 bytes");
    }

    #[test]
    fn a_round_must_be_safe_in_keys_and_file_names() {
        assert!(check_round("2022").is_ok());
        assert!(check_round("2022-bis").is_ok());
        assert!(check_round("").is_err());
        assert!(check_round("2022.1").is_err());
        assert!(check_round("../x").is_err());
    }
}
