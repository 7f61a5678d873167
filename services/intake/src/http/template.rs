//! `GET /api/v1/template.xlsx?lang=en|fr`: the official template, for anyone; with `prefill=true`,
//! the signed-in partner's (or, for analysts and admins, `partner`'s) current initiatives of the
//! server's round in it, their JVAP ids in a locked column.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use jvap_outputs::DatasetInitiative;
use jvap_record::Initiative;
use jvap_record::messages::DatasetPublished;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use jvap_record::messages::Role;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Error, Result, XLSX};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub(super) struct TemplateQuery {
    /// `en` or `fr`; English when absent.
    lang: Option<String>,
    /// `true`: pre-filled with the partner's current initiatives (signed in).
    prefill: Option<bool>,
    /// The partner whose initiatives a pre-filled template holds (analysts and admins; a partner
    /// gets its own).
    partner: Option<String>,
}

/// The part of `dataset.json` the pre-filled template reads.
#[derive(serde::Deserialize)]
struct DatasetDocument {
    initiatives: Vec<DatasetInitiative>,
}

/// Download the template
///
/// The official workbook partners fill in, with its sheets, columns and code lists in English or
/// French. With `prefill=true` (signed in), it holds the partner's current initiatives of the
/// round as its latest dataset version has them, each with its JVAP id in a locked column, and
/// says how to update, add and withdraw; 202 with `Retry-After` while that version's files are
/// being built.
#[utoipa::path(
    get,
    path = "/api/v1/template.xlsx",
    operation_id = "download_template",
    tag = "public",
    params(TemplateQuery),
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 202, description = "Pre-filled: the round's latest files are being built: ask again after `Retry-After` seconds", body = ErrorBody),
        (status = 400, description = "An unknown language, or a pre-filled template without a partner", body = ErrorBody),
        (status = 401, description = "Pre-filled, and not signed in", body = ErrorBody),
    ),
    extensions(("x-roles" = json!([]))),
)]
async fn download(
    State(state): State<AppState>,
    caller: std::result::Result<Caller, Error>,
    query: std::result::Result<Query<TemplateQuery>, QueryRejection>,
) -> Result<axum::response::Response> {
    let Query(query) = query.map_err(super::bad_query)?;
    let lang = match query.lang.as_deref() {
        Some(lang) => lang.parse().map_err(Error::BadRequest)?,
        None => jvap_record::Lang::En,
    };
    let code = lang.code();
    let (initiatives, name) = if query.prefill == Some(true) {
        let caller = caller?;
        let partner = match caller.role {
            Role::Partner => caller.partner.clone().ok_or_else(|| {
                Error::BadRequest(jvap_record::Said::new(
                    "this partner token names no partner",
                    "ce jeton de partenaire ne nomme aucun partenaire",
                ))
            })?,
            Role::Analyst | Role::Admin => query.partner.clone().ok_or_else(|| {
                Error::BadRequest(jvap_record::Said::new(
                    "say whose initiatives: partner=CODE",
                    "dites de quel partenaire : partner=CODE",
                ))
            })?,
        };
        let round = state.round.to_string();
        match current(&state, &round, &partner).await? {
            Ok(initiatives) => (
                Some(initiatives),
                format!("jvap-{round}-{partner}-initiatives-{code}.xlsx"),
            ),
            Err(preparing) => return Ok(preparing),
        }
    } else {
        (None, format!("jvap-template-{code}.xlsx"))
    };
    let bytes = tokio::task::spawn_blocking(move || match initiatives {
        Some(initiatives) => jvap_outputs::template::prefilled(lang, &initiatives),
        None => jvap_outputs::template::template(lang),
    })
    .await
    .map_err(|e| Error::Internal(format!("the template writer stopped: {e}")))?
    .map_err(|e| Error::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The partner's initiatives in the round's latest dataset version (none before the first), or
/// the 202 answer while that version's files are being built.
async fn current(
    state: &AppState,
    round: &str,
    partner: &str,
) -> Result<std::result::Result<Vec<Initiative>, axum::response::Response>> {
    let bus = &state.bus;
    let Some(latest) = bus
        .kv_get::<DatasetPublished>(&bus.dataset_versions, round)
        .await?
    else {
        return Ok(Ok(Vec::new()));
    };
    let object = DatasetPublished::object_name(round, latest.version, "dataset.json");
    let Some(bytes) = bus.datasets.get(&object).await? else {
        return Ok(Err(super::datasets::preparing(
            bus,
            round,
            latest.version,
            "dataset.json",
        )
        .await?));
    };
    let partner = partner.to_string();
    let initiatives = tokio::task::spawn_blocking(move || {
        serde_json::from_slice::<DatasetDocument>(&bytes).map(|document| {
            document
                .initiatives
                .into_iter()
                .filter(|i| i.partner == partner)
                .map(|i| i.record)
                .collect::<Vec<_>>()
        })
    })
    .await
    .map_err(|e| Error::Internal(format!("reading the dataset stopped: {e}")))?
    .map_err(|e| Error::Internal(format!("the dataset of {object} does not decode: {e}")))?;
    Ok(Ok(initiatives))
}
