//! `/api/v1/datasets`: the published dataset versions of a round, for analysts and admins.
//!
//! The aggregation service puts each version's files at `<round>/v<N>/dataset.<ext>` in the `datasets`
//! object store and the latest version's [`DatasetPublished`] under the round in the `datasets` KV
//! bucket. The listing reads the object store, since every version stays downloadable while the KV
//! bucket keeps only a short history.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use futures::TryStreamExt;
use jvap_bus::BusError;
use jvap_core::messages::{BUCKET_DATASETS, DatasetPublished, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Error, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(download))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RoundQuery {
    /// The round, e.g. `2022`; the service's current round when absent.
    round: Option<String>,
}

/// One published version in the listing.
#[derive(Debug, Serialize, ToSchema)]
struct DatasetVersion {
    round: String,
    version: u32,
    /// The formats it can be downloaded in (`csv`, `json`, `xlsx`).
    formats: BTreeSet<String>,
}

/// The downloadable formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Json,
    Csv,
}

impl Format {
    fn parse(ext: &str) -> Option<Format> {
        match ext {
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// List dataset versions
///
/// Every published version of the round's consolidated dataset, oldest first, with its formats.
#[utoipa::path(
    get,
    path = "/api/v1/datasets",
    operation_id = "list_datasets",
    tag = "datasets",
    params(RoundQuery),
    responses(
        (status = 200, description = "The versions", body = Vec<DatasetVersion>),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<Json<Vec<DatasetVersion>>> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    let round = requested_round(&state, query)?;
    let object_error = |e: &dyn std::fmt::Display| BusError::Object {
        bucket: BUCKET_DATASETS.into(),
        detail: format!("list: {e}"),
    };
    let objects: Vec<_> = state
        .bus
        .datasets
        .store
        .list()
        .await
        .map_err(|e| object_error(&e))?
        .try_collect()
        .await
        .map_err(|e| object_error(&e))?;
    let mut versions: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for object in objects {
        if let Some((object_round, version, format)) = parse_object_name(&object.name)
            && object_round == round
        {
            versions.entry(version).or_default().insert(format.into());
        }
    }
    let listing = versions
        .into_iter()
        .map(|(version, formats)| DatasetVersion {
            round: round.clone(),
            version,
            formats,
        })
        .collect();
    Ok(Json(listing))
}

/// Download a dataset
///
/// `latest.xlsx`, `latest.json`, `latest.csv`, or a version such as `3.xlsx`.
#[utoipa::path(
    get,
    path = "/api/v1/datasets/{file}",
    operation_id = "download_dataset",
    tag = "datasets",
    params(("file" = String, Path, description = "`latest.<ext>` or `<version>.<ext>`, ext one of xlsx, json, csv"), RoundQuery),
    responses(
        (status = 200, description = "The file", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/json"),
            ("text/csv"),
        )),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
        (status = 404, description = "No such file, version or format", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    let round = requested_round(&state, query)?;
    let (version, format) = parse_file(&file)?;
    let bus = &state.bus;
    let (version, object) = match version {
        Some(version) => (version, object_name(&round, version, format)),
        None => {
            let latest: DatasetPublished = bus
                .kv_get(&bus.dataset_versions, &round)
                .await?
                .ok_or_else(|| {
                    Error::NotFound(format!("no dataset of round {round} is published yet"))
                })?;
            let object = latest
                .objects
                .get(format.ext())
                .cloned()
                .unwrap_or_else(|| object_name(&round, latest.version, format));
            (latest.version, object)
        }
    };
    let bytes = bus.datasets.get(&object).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "version {version} of the round {round} dataset has no {} file",
            format.ext()
        ))
    })?;
    let disposition = format!(
        "attachment; filename=\"jvap-{round}-v{version}.{}\"",
        format.ext()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

fn requested_round(
    state: &AppState,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<String> {
    let Query(query) =
        query.map_err(|e| Error::BadRequest(format!("bad query: {}", e.body_text())))?;
    let round = query.round.unwrap_or_else(|| state.round.to_string());
    check_round(&round)?;
    Ok(round)
}

/// `latest.xlsx`, `3.json` or `v3.csv`: the version (`None` for latest) and the format.
fn parse_file(file: &str) -> Result<(Option<u32>, Format)> {
    let bad = || {
        Error::NotFound(format!(
            "no dataset file {file:?}: ask for latest.xlsx, latest.json, latest.csv or a version such as 3.xlsx"
        ))
    };
    let (version, ext) = file.rsplit_once('.').ok_or_else(bad)?;
    let format = Format::parse(ext).ok_or_else(bad)?;
    if version == "latest" {
        return Ok((None, format));
    }
    let number = version.strip_prefix('v').unwrap_or(version);
    let version = number.parse::<u32>().map_err(|_| bad())?;
    Ok((Some(version), format))
}

fn object_name(round: &str, version: u32, format: Format) -> String {
    format!("{round}/v{version}/dataset.{}", format.ext())
}

/// The round, version and format of an object named `<round>/v<N>/dataset.<ext>`.
fn parse_object_name(name: &str) -> Option<(&str, u32, &'static str)> {
    let mut parts = name.split('/');
    let (round, version, file) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let version = version.strip_prefix('v')?.parse().ok()?;
    let format = Format::parse(file.strip_prefix("dataset.")?)?;
    Some((round, version, format.ext()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_file_names_its_version_and_format() {
        assert_eq!(parse_file("latest.xlsx").ok(), Some((None, Format::Xlsx)));
        assert_eq!(parse_file("3.json").ok(), Some((Some(3), Format::Json)));
        assert_eq!(parse_file("v12.csv").ok(), Some((Some(12), Format::Csv)));
        assert!(parse_file("latest.pdf").is_err());
        assert!(parse_file("three.xlsx").is_err());
        assert!(parse_file("latest").is_err());
    }

    #[test]
    fn object_names_round_trip() {
        let name = object_name("2022", 3, Format::Xlsx);
        assert_eq!(name, "2022/v3/dataset.xlsx");
        assert_eq!(parse_object_name(&name), Some(("2022", 3, "xlsx")));
        assert_eq!(parse_object_name("2022/v3/summary.en.html"), None);
    }
}
