//! `/api/v1/datasets`: the published dataset versions of a round, for analysts and admins.
//!
//! The aggregation service puts every file of each version ([`DatasetFile`]: the dataset in xlsx,
//! JSON and CSV, and the Committee summaries) at `<round>/v<N>/<file>` in the `datasets` object store,
//! and the latest version's [`DatasetPublished`] under the round in the `datasets` KV bucket as soon
//! as the version commits. The listing reads that one key (versions are numbered without gaps). A
//! version's files are built after its commit, and the files of older versions are removed from
//! the store by retention: a file not in the store is asked of aggregation's builder, and the answer
//! is 202 with `Retry-After` until it is there.
//!
//! Two ways to name a file: `/api/v1/datasets/{round}/{v3|latest}/{file}` with the file's own name
//! (`summary.fr.html`), and the shortcut `/api/v1/datasets/{latest|3}.{xlsx|json|csv|summary.en.html|...}`
//! in the server's round (or `?round=`).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use jvap_outputs::DatasetFile;
use jvap_record::Said;
use jvap_record::messages::{self as m, BuildReason, BuildRequested, DatasetPublished, Role};
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
        .routes(routes!(download_shortcut))
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
    /// The dataset formats it can be downloaded in (`csv`, `json`, `xlsx`).
    formats: BTreeSet<String>,
    /// Every file of the version, by its name (`dataset.xlsx`, `summary.en.html`, ...).
    files: BTreeSet<String>,
}

/// A [`DatasetFile`]: its name and content type.
type OutputFile = (&'static str, &'static str);

/// The [`DatasetFile`] called `name`, or, for a dataset file, named by its bare format (`xlsx`).
fn output_file(name: &str) -> Option<OutputFile> {
    DatasetFile::ALL
        .iter()
        .map(|file| (file.name(), file.content_type()))
        .find(|(file, _)| *file == name || file.strip_prefix("dataset.") == Some(name))
}

/// List dataset versions
///
/// Every published version of the round, oldest first, with its files.
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
    // One KV get, whatever the number of versions: aggregation numbers a round's versions 1, 2, 3…
    // without gaps and puts the latest under the round as soon as it commits; every version's files
    // can be downloaded (built on request when not in the store).
    let latest: Option<DatasetPublished> = state
        .bus
        .kv_get(&state.bus.dataset_versions, &round)
        .await?;
    let files: BTreeSet<String> = DatasetFile::ALL
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let formats: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix("dataset."))
        .map(String::from)
        .collect();
    let listing = (1..=latest.map_or(0, |l| l.version))
        .map(|version| DatasetVersion {
            round: round.clone(),
            version,
            formats: formats.clone(),
            files: files.clone(),
        })
        .collect();
    Ok(Json(listing))
}

/// Download a file of a version
///
/// Any of the seven files of a version: `dataset.xlsx`, `dataset.json`, `dataset.csv`,
/// `summary.en.html`, `summary.fr.html`, `summary.en.md`, `summary.fr.md`.
#[utoipa::path(
    get,
    path = "/api/v1/datasets/{round}/{version}/{file}",
    operation_id = "download_dataset_file",
    tag = "datasets",
    params(("round" = String, Path, description = "The round, e.g. `2022`"), ("version" = String, Path, description = "`latest`, or a version such as `v3`"), ("file" = String, Path, description = "The file's name, e.g. `summary.en.html`")),
    responses(
        (status = 202, description = "The version's files are being built: ask again after `Retry-After` seconds", body = ErrorBody),
        (status = 200, description = "The file", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/json"),
            ("text/csv"),
            ("text/html"),
            ("text/markdown"),
        )),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
        (status = 404, description = "No such version or file", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, version, file)): Path<(String, String, String)>,
) -> Result<impl IntoResponse> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    check_round(&round)?;
    let version = parse_version(&version).ok_or_else(|| {
        Error::NotFound(Said::new(
            format!("no dataset version {version:?}: ask for latest or a version such as v3"),
            format!(
                "pas de version {version:?} du jeu de données : demandez latest ou une version \
                 comme v3"
            ),
        ))
    })?;
    let file = output_file(&file).ok_or_else(|| {
        let names = file_names();
        Error::NotFound(Said::new(
            format!("a dataset version has no file {file:?}; its files are {names}"),
            format!(
                "une version du jeu de données n'a pas de fichier {file:?} ; ses fichiers sont \
                 {names}"
            ),
        ))
    })?;
    send(&state, &round, version, file).await
}

/// Download a dataset (shortcut)
///
/// `latest.xlsx`, `3.json`, `latest.summary.fr.html`…: a version (or `latest`) and a file, in the
/// round of `?round=` or the server's.
#[utoipa::path(
    get,
    path = "/api/v1/datasets/{file}",
    operation_id = "download_dataset",
    tag = "datasets",
    params(("file" = String, Path, description = "`<latest|N>.<xlsx|json|csv|summary.en.html|summary.fr.html|summary.en.md|summary.fr.md>`"), RoundQuery),
    responses(
        (status = 202, description = "The version's files are being built: ask again after `Retry-After` seconds", body = ErrorBody),
        (status = 200, description = "The file", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/json"),
            ("text/csv"),
            ("text/html"),
            ("text/markdown"),
        )),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A partner token", body = ErrorBody),
        (status = 404, description = "No such version or file", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["analyst", "admin"]))),
)]
async fn download_shortcut(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    caller.require(&[Role::Analyst, Role::Admin])?;
    let round = requested_round(&state, query)?;
    let (version, file) = parse_file(&file)?;
    send(&state, &round, version, file).await
}

/// The bytes of `file` of `version` (`None`: the latest) of `round`, with its type and a file name.
async fn send(
    state: &AppState,
    round: &str,
    version: Option<u32>,
    (file, content_type): OutputFile,
) -> Result<axum::response::Response> {
    let bus = &state.bus;
    let version = match version {
        Some(version) => version,
        None => {
            let latest: DatasetPublished = bus
                .kv_get(&bus.dataset_versions, round)
                .await?
                .ok_or_else(|| {
                    Error::NotFound(Said::new(
                        format!("no dataset of round {round} is published yet"),
                        format!("aucun jeu de données de la collecte {round} n'est encore publié"),
                    ))
                })?;
            latest.version
        }
    };
    let object = DatasetPublished::object_name(round, version, file);
    let Some(bytes) = bus.datasets.get(&object).await? else {
        return preparing(bus, round, version, file).await;
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        download_name(round, version, file)
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Seconds a client is asked to wait before asking again for a file being built.
pub(crate) const RETRY_AFTER_SECONDS: u64 = 2;

/// A file not in the store: 404 past the round's latest version; otherwise its files are being built
/// (the builder has not reached the version, or retention removed them): ask the builder for them
/// and answer 202 with `Retry-After`.
pub(super) async fn preparing(
    bus: &jvap_bus::Bus,
    round: &str,
    version: u32,
    file: &str,
) -> Result<axum::response::Response> {
    let latest: Option<DatasetPublished> = bus.kv_get(&bus.dataset_versions, round).await?;
    if latest.is_none_or(|latest| version > latest.version) {
        return Err(Error::NotFound(Said::new(
            format!("version {version} of the round {round} dataset has no {file} file"),
            format!(
                "la version {version} du jeu de données de la collecte {round} n'a pas de \
                 fichier {file}"
            ),
        )));
    }
    let request = BuildRequested {
        round: round.to_string(),
        version,
        reason: BuildReason::OnDemand,
    };
    let bucket = chrono::Utc::now().timestamp() / 10;
    bus.publish(
        m::SUBJECT_BUILD_REQUESTED,
        &request.msg_id(bucket),
        &request,
    )
    .await?;
    let body = Json(serde_json::json!({
        "error": format!(
            "the files of version {version} of the round {round} dataset are being prepared; \
             ask again in {RETRY_AFTER_SECONDS} s"
        ),
        "error_fr": format!(
            "les fichiers de la version {version} du jeu de données de la collecte {round} sont \
             en préparation ; redemandez dans {RETRY_AFTER_SECONDS} s"
        ),
        "round": round,
        "version": version,
        "retry_after": RETRY_AFTER_SECONDS,
    }));
    Ok((
        StatusCode::ACCEPTED,
        [(header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string())],
        body,
    )
        .into_response())
}

/// `jvap-2022-v3.xlsx` for a dataset file, `jvap-2022-v3-summary.fr.html` for the others.
fn download_name(round: &str, version: u32, file: &str) -> String {
    match file.strip_prefix("dataset.") {
        Some(ext) => format!("jvap-{round}-v{version}.{ext}"),
        None => format!("jvap-{round}-v{version}-{file}"),
    }
}

fn requested_round(
    state: &AppState,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<String> {
    let Query(query) = query.map_err(super::bad_query)?;
    let round = query.round.unwrap_or_else(|| state.round.to_string());
    check_round(&round)?;
    Ok(round)
}

/// `latest` (`Some(None)`), `3` or `v3` (`Some(Some(3))`).
fn parse_version(text: &str) -> Option<Option<u32>> {
    if text == "latest" {
        return Some(None);
    }
    let number = text.strip_prefix('v').unwrap_or(text);
    number.parse::<u32>().ok().map(Some)
}

/// `latest.xlsx`, `3.json`, `v3.csv` or `latest.summary.fr.html`: the version (`None` for latest)
/// and the file.
fn parse_file(name: &str) -> Result<(Option<u32>, OutputFile)> {
    let bad = || {
        Error::NotFound(Said::new(
            format!(
                "no dataset file {name:?}: ask for latest.xlsx, latest.json, latest.csv, \
                 latest.summary.en.html (or .fr.html, .en.md, .fr.md) or a version such as 3.xlsx"
            ),
            format!(
                "pas de fichier {name:?} de jeu de données : demandez latest.xlsx, latest.json, \
                 latest.csv, latest.summary.fr.html (ou .en.html, .fr.md, .en.md) ou une version \
                 comme 3.xlsx"
            ),
        ))
    };
    let (version, file) = name.split_once('.').ok_or_else(bad)?;
    let file = output_file(file).ok_or_else(bad)?;
    let version = parse_version(version).ok_or_else(bad)?;
    Ok((version, file))
}

/// Every file name of a version, for messages.
fn file_names() -> String {
    DatasetFile::ALL.map(DatasetFile::name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Option<(Option<u32>, &'static str)> {
        parse_file(name)
            .ok()
            .map(|(version, (file, _))| (version, file))
    }

    #[test]
    fn a_shortcut_names_its_version_and_file() {
        assert_eq!(named("latest.xlsx"), Some((None, "dataset.xlsx")));
        assert_eq!(named("3.json"), Some((Some(3), "dataset.json")));
        assert_eq!(named("v12.csv"), Some((Some(12), "dataset.csv")));
        assert_eq!(
            named("latest.summary.fr.html"),
            Some((None, "summary.fr.html"))
        );
        assert_eq!(named("2.summary.en.md"), Some((Some(2), "summary.en.md")));
        assert_eq!(named("latest.pdf"), None);
        assert_eq!(named("latest.summary.de.html"), None);
        assert_eq!(named("three.xlsx"), None);
        assert_eq!(named("latest"), None);
    }

    #[test]
    fn downloads_are_named_after_round_version_and_file() {
        assert_eq!(
            download_name("2022", 3, "dataset.xlsx"),
            "jvap-2022-v3.xlsx"
        );
        assert_eq!(
            download_name("2022", 3, "summary.fr.html"),
            "jvap-2022-v3-summary.fr.html"
        );
    }
}
