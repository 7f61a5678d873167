//! Admin re-runs of stored submissions: `POST /api/v1/submissions/{id}/replay` runs a `failed`
//! submission again, `POST /api/v1/rounds/{round}/revalidate` validates every submission of a round
//! again (after the rules changed).
//!
//! Both publish a new `SubmissionReceived` with `revalidation` set to a fresh run id (and the message
//! id `<submission id>-<run>`, so the stream does not drop it as a duplicate). Validation then
//! validates again even a final submission and publishes the outcome with the same run id;
//! aggregation rebuilds the round's dataset under the new verdicts.
//!
//! Each run is recorded in KV `rounds` under `run.<run id>` (round names hold no dot, so the keys
//! cannot collide): what was done, to which submissions, by which token (key and label), and when.
//! The record is also the answer.

use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jvap_record::Said;
use jvap_record::messages::{AuditAction, Role, SubmissionState, SubmissionStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::Caller;
use super::openapi::ErrorBody;
use super::submissions::{publish_received, visible_status};
use super::{AppState, Error, Result, check_round};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(replay))
        .routes(routes!(revalidate))
}

/// What an admin run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunAction {
    /// One failed submission run again.
    Replay,
    /// Every submission of a round validated again.
    Revalidate,
}

/// The record of an admin run, kept in KV `rounds` under `run.<run>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunRecord {
    /// The run id, e.g. `rv-1700000000000-1a2b3c4d`: the `revalidation` of the messages it published.
    pub run: String,
    pub action: RunAction,
    pub round: String,
    /// The submissions it started again.
    pub submissions: Vec<String>,
    /// Submissions of the round it could not start (their upload is missing from the store), with why.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// The key of the admin token that asked (as `GET /api/v1/tokens` lists it).
    pub by_token: String,
    /// That token's label, when it has one.
    pub by_label: Option<String>,
    pub at: DateTime<Utc>,
}

/// A submission a run could not start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Skipped {
    pub submission_id: String,
    pub reason: String,
}

/// The KV key of a run's record in `rounds`.
pub fn run_key(run: &str) -> String {
    format!("run.{run}")
}

/// Run a failed submission again
///
/// Only a `failed` submission (409 otherwise): its status goes back to `received` (the reason is
/// cleared) and it is announced again with a new message id and a fresh `revalidation`, so it is
/// validated and aggregated as if just received. The run is recorded (KV `rounds`, `run.<run>`).
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/replay",
    operation_id = "replay_submission",
    tag = "submissions",
    params(("id" = String, Path, description = "The submission id (24 hex characters)")),
    responses(
        (status = 202, description = "Started again; the record of the run", body = RunRecord),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
        (status = 409, description = "The submission is not failed, or its upload is missing", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<RunRecord>)> {
    caller.require(&[Role::Admin])?;
    let bus = &state.bus;
    let status = visible_status(bus, &caller, &id).await?;
    if status.state != SubmissionState::Failed {
        return Err(not_failed(&status));
    }
    let sha256 = bus.uploads.sha256(&id).await?.ok_or_else(|| {
        Error::Conflict(Said::new(
            format!(
                "the upload of submission {id} is missing from the store, so it cannot be run \
                 again; the partner must send the file again"
            ),
            format!(
                "le fichier de l'envoi {id} manque dans le stockage, il ne peut donc pas être \
                 repassé ; le partenaire doit envoyer le fichier à nouveau"
            ),
        ))
    })?;

    // Compare-and-set: of two replays at once, only one moves the submission out of `failed`.
    let moved = AtomicBool::new(false);
    let updated = bus
        .update_status(&id, |status| {
            let failed = status.state == SubmissionState::Failed;
            moved.store(failed, Ordering::SeqCst);
            if failed {
                status.state = SubmissionState::Received;
                status.reason = None;
            }
        })
        .await?;
    let Some(received) = updated.filter(|_| moved.load(Ordering::SeqCst)) else {
        let now = bus.status(&id).await?.unwrap_or(status);
        return Err(not_failed(&now));
    };

    let record = RunRecord {
        run: new_run_id()?,
        action: RunAction::Replay,
        round: received.round.clone(),
        submissions: vec![id.clone()],
        skipped: Vec::new(),
        by_token: caller.token_key.clone(),
        by_label: caller.label.clone(),
        at: Utc::now(),
    };
    bus.kv_put(&bus.rounds, &run_key(&record.run), &record)
        .await?;
    if let Err(e) = publish_received(
        bus,
        &received,
        sha256,
        Some(&record.run),
        &Default::default(),
    )
    .await
    {
        // Not announced: put it back to `failed`, so the admin can replay it again.
        let reason = status.reason.clone();
        let _ = bus
            .update_status(&id, |status| {
                if status.state == SubmissionState::Received {
                    status.state = SubmissionState::Failed;
                    status.reason = reason.clone();
                }
            })
            .await;
        return Err(e);
    }
    tracing::info!(submission_id = %id, run = %record.run, by = %record.by_token, "submission replayed");
    let detail = serde_json::json!({ "run": record.run, "submission_id": id });
    audit::record(
        bus,
        &caller,
        AuditAction::SubmissionReplayed,
        Some(&record.round),
        detail,
    )
    .await;
    Ok((StatusCode::ACCEPTED, Json(record)))
}

/// Validate a round again
///
/// Every submission of the round whose upload is stored, whatever its state, is announced again with
/// a fresh `revalidation` (one run id for the round): validation checks it under the current rules
/// and stores the new report, and aggregation publishes a new dataset version with what changed.
/// The answer is the record of the run (KV `rounds`, `run.<run>`): what it started and what it could
/// not.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{round}/revalidate",
    operation_id = "revalidate_round",
    tag = "rounds",
    params(("round" = String, Path, description = "The round, e.g. `2022`")),
    responses(
        (status = 202, description = "Started; the record of the run", body = RunRecord),
        (status = 400, description = "Not a round name", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn revalidate(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<(StatusCode, Json<RunRecord>)> {
    caller.require(&[Role::Admin])?;
    check_round(&round)?;
    let bus = &state.bus;
    let mut statuses: Vec<SubmissionStatus> = bus
        .all_statuses()
        .await?
        .into_iter()
        .filter(|status| status.round == round)
        .collect();
    // In the order they came, so validation (one at a time or not) starts with the oldest.
    statuses.sort_by_key(|status| status.received_at);

    let mut record = RunRecord {
        run: new_run_id()?,
        action: RunAction::Revalidate,
        round: round.clone(),
        submissions: Vec::new(),
        skipped: Vec::new(),
        by_token: caller.token_key.clone(),
        by_label: caller.label.clone(),
        at: Utc::now(),
    };
    // Recorded before anything is published, and again with what was started.
    bus.kv_put(&bus.rounds, &run_key(&record.run), &record)
        .await?;
    for status in &statuses {
        let id = &status.submission_id;
        let Some(sha256) = bus.uploads.sha256(id).await? else {
            record.skipped.push(Skipped {
                submission_id: id.clone(),
                reason: "the upload is missing from the store".into(),
            });
            continue;
        };
        // A mapping given with the file is not kept with its status; once its headers were found it
        // is the partner's remembered mapping, which validation applies again.
        publish_received(bus, status, sha256, Some(&record.run), &Default::default()).await?;
        record.submissions.push(id.clone());
    }
    bus.kv_put(&bus.rounds, &run_key(&record.run), &record)
        .await?;
    tracing::info!(
        %round,
        run = %record.run,
        started = record.submissions.len(),
        skipped = record.skipped.len(),
        by = %record.by_token,
        "round revalidation started"
    );
    let detail = serde_json::json!({
        "run": record.run,
        "submissions": record.submissions.len(),
        "skipped": record.skipped.len(),
    });
    audit::record(
        bus,
        &caller,
        AuditAction::RoundRevalidated,
        Some(&round),
        detail,
    )
    .await;
    Ok((StatusCode::ACCEPTED, Json(record)))
}

fn not_failed(status: &SubmissionStatus) -> Error {
    let id = &status.submission_id;
    let state = status.state.words();
    let failed = SubmissionState::Failed.words();
    Error::Conflict(Said::new(
        format!(
            "submission {id} is {}, not {}: only a failed submission can be replayed (to \
             validate accepted or rejected ones again, revalidate their round)",
            state.en, failed.en
        ),
        format!(
            "l'envoi {id} est « {} », pas « {} » : seul un envoi en échec peut être repassé \
             (pour valider à nouveau des envois acceptés ou rejetés, revalidez leur collecte)",
            state.fr, failed.fr
        ),
    ))
}

/// A run id that sorts by time: `rv-<unix milliseconds, 13 digits>-<8 random hex>`.
fn new_run_id() -> Result<String> {
    let mut random = [0u8; 4];
    getrandom::fill(&mut random)
        .map_err(|e| Error::Internal(format!("no randomness for a run id: {e}")))?;
    Ok(format!(
        "rv-{:013}-{}",
        Utc::now().timestamp_millis(),
        hex::encode(random)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_by_time_and_are_safe_in_keys_and_message_ids() {
        let first = new_run_id().expect("a run id");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_run_id().expect("a run id");
        assert!(first < second, "{first} {second}");
        assert_eq!(first.len(), "rv-".len() + 13 + 1 + 8);
        assert!(
            run_key(&first)
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
        );
    }
}
