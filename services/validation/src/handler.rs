//! What happens to one `SubmissionReceived`.
//!
//! Delivery is at-least-once, so the handler is idempotent by submission id: a submission whose report
//! is already stored and whose status is final only has its outcome published again (the message id
//! makes that a no-op on the stream), unless the message asks for a new run (`revalidation`: an
//! admin's replay or re-validation). Otherwise every step overwrites what an interrupted earlier
//! attempt may have left, and the status moves to its final state last, after the outcome is published.
//!
//! The partner's bytes are never parsed in this process: a [`Worker`] validates them in a child
//! process under its budget and writes the report, the records and the annotated workbooks (English
//! and French). A worker that dies or overruns on the file gives the file one issue
//! (`file.too_complex`), and the submission is rejected like any other; only a failure of the system
//! (NATS, no worker binary, a full disk) is retried.
//!
//! What is stored in `reports`, under the submission id: `report.json` (verdict, counts and issues;
//! `records` is empty), `records.json` (the records, once), `annotated.en.xlsx`, `annotated.fr.xlsx`.

use std::path::Path;

use bytes::Bytes;
use chrono::Utc;
use jvap_bus::{Bus, BusError, Outcome, ops};
use jvap_ingest::Limits;
use jvap_record::ids::{IdCheck, KnownIds};
use jvap_record::messages::{
    self as m, SubmissionReceived, SubmissionRejected, SubmissionState, SubmissionStatus,
    SubmissionValidated, annotated_object, records_object, report_object,
};
use jvap_record::{Lang, Report, Verdict};
use jvap_worker::{Mapping, Worker, WorkerError};

/// The languages of the annotated workbooks written for every submission.
pub const ANNOTATED_LANGS: [Lang; 2] = [Lang::En, Lang::Fr];

/// How files are validated: the worker and the readers' limits.
#[derive(Debug, Clone)]
pub struct Validator {
    pub worker: Worker,
    pub limits: Limits,
}

impl Validator {
    /// The report of the file at `input` (sent as `file_name`), records left out, without annotated
    /// workbooks: a dry run. A file that overruns its worker is reported as such, like a submission.
    pub async fn check(&self, input: &Path, file_name: &str) -> Result<Report, HandleError> {
        let (worker, limits, input, file_name) = (
            self.worker.clone(),
            self.limits.clone(),
            input.to_path_buf(),
            file_name.to_string(),
        );
        let validated =
            tokio::task::spawn_blocking(move || worker.validate(&input, &file_name, &limits, &[]))
                .await
                .map_err(|e| HandleError::Files(std::io::Error::other(e)))?;
        match validated {
            Ok(validated) => Ok(validated.report),
            Err(error) => match error.file_issue() {
                Some(issue) => Ok(Report::file_error(issue)),
                None => Err(error.into()),
            },
        }
    }
}

/// Why an attempt must be retried. Every variant is a failure of the system, not of the file: a file
/// the validator cannot read becomes a rejection, never an error here.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error("the upload {0} is not in the uploads store")]
    MissingUpload(String),
    #[error(transparent)]
    Worker(#[from] WorkerError),
    #[error("the worker's files: {0}")]
    Files(#[from] std::io::Error),
}

/// Handle one message from the consumer loop.
#[tracing::instrument(skip_all, fields(submission_id, partner))]
pub async fn handle(bus: &Bus, validator: &Validator, payload: Bytes) -> Outcome {
    let received: SubmissionReceived = match serde_json::from_slice(&payload) {
        Ok(received) => received,
        Err(e) => {
            // Redelivering cannot fix it; acknowledge so it does not block the consumer.
            tracing::error!(error.message = %e, "dropping a malformed submission.received message");
            return Outcome::Done;
        }
    };
    tracing::Span::current()
        .record("submission_id", received.submission_id.as_str())
        .record("partner", received.partner.as_str());
    match process(bus, validator, &received).await {
        Ok(()) => Outcome::Done,
        Err(e) => {
            tracing::warn!(error.message = %e, "validation attempt failed");
            Outcome::Retry(e.to_string())
        }
    }
}

async fn process(
    bus: &Bus,
    validator: &Validator,
    received: &SubmissionReceived,
) -> Result<(), HandleError> {
    let id = &received.submission_id;
    let status = match bus.status(id).await? {
        Some(status) => status,
        None => {
            // Intake writes the status before publishing; a replayed message may outlive it.
            let status = new_status(received);
            bus.create_status(&status).await?;
            status
        }
    };
    if received.revalidation.is_none()
        && matches!(
            status.state,
            SubmissionState::Accepted | SubmissionState::Rejected | SubmissionState::Failed
        )
        && let Some(report) = stored_report(bus, id).await?
    {
        tracing::info!("already validated; publishing the outcome again");
        publish_outcome(bus, received, &report).await?;
        return Ok(());
    }

    bus.update_status(id, |status| {
        status.state = SubmissionState::Validating;
        status.reason = None;
    })
    .await?;
    let bytes = bus
        .uploads
        .get(id)
        .await?
        .ok_or_else(|| HandleError::MissingUpload(id.clone()))?;
    let report = validate_and_store(bus, validator, received, bytes).await?;
    publish_outcome(bus, received, &report).await?;
    let final_state = match report.verdict {
        Verdict::Accepted => SubmissionState::Accepted,
        Verdict::Rejected => SubmissionState::Rejected,
    };
    bus.update_status(id, |status| {
        // A later stage may already have moved on; never step back over it.
        if matches!(
            status.state,
            SubmissionState::Received | SubmissionState::Validating
        ) {
            status.state = final_state;
        }
        status.counts = Some(report.counts);
    })
    .await?;
    tracing::info!(verdict = ?report.verdict, errors = report.counts.errors, "submission validated");
    Ok(())
}

/// Validate the bytes in a worker and store what it wrote; the report, without its records.
async fn validate_and_store(
    bus: &Bus,
    validator: &Validator,
    received: &SubmissionReceived,
    bytes: Vec<u8>,
) -> Result<Report, HandleError> {
    let id = &received.submission_id;
    let scratch = tempfile::Builder::new().prefix("jvap-upload-").tempdir()?;
    let input = scratch.path().join("upload");
    tokio::fs::write(&input, &bytes).await?;
    drop(bytes);
    let ids = id_check(bus, &received.partner).await?;
    let mapping = Mapping {
        remembered: bus.mapping(&received.partner).await?,
        given: received.mapping.clone(),
    };
    let (worker, limits, file_name) = (
        validator.worker.clone(),
        validator.limits.clone(),
        received.file_name.clone(),
    );
    metrics::histogram!(ops::FILE_BYTES).record(received.size as f64);
    let started = std::time::Instant::now();
    let validated = tokio::task::spawn_blocking(move || {
        worker.validate_mapped(
            &input,
            &file_name,
            &limits,
            &ANNOTATED_LANGS,
            Some(&ids),
            &mapping,
        )
    })
    .await
    .map_err(|e| HandleError::Files(std::io::Error::other(e)))?;
    metrics::histogram!(ops::VALIDATION_SECONDS).record(started.elapsed().as_secs_f64());
    let validated = match validated {
        Ok(validated) => validated,
        Err(error) => match error.file_issue() {
            Some(issue) => {
                tracing::warn!(error.message = %error, "the file overran its worker; rejecting it");
                let report = Report::file_error(issue);
                bus.reports.put(&records_object(id), b"[]").await?;
                bus.reports
                    .put(
                        &report_object(id),
                        &serde_json::to_vec(&report).map_err(BusError::from)?,
                    )
                    .await?;
                return Ok(report);
            }
            None => return Err(error.into()),
        },
    };
    if let Some(error) = &validated.annotation_error {
        tracing::warn!(error.message = %error, "no annotated workbook for this file");
    }
    for (lang, path) in &validated.annotated {
        put_file(bus, &annotated_object(id, *lang), path).await?;
    }
    put_file(bus, &records_object(id), &validated.records_path()).await?;
    // The report last: a stored report means the submission's files are all there.
    put_file(bus, &report_object(id), &validated.report_path()).await?;
    remember_mapping(bus, received, &validated.report).await?;
    Ok(validated.report)
}

/// Remember the mapping given with a file for its partner, once the file was found to have each of
/// its headers: the partner's next file with the same headers is read the same way, unasked.
async fn remember_mapping(
    bus: &Bus,
    received: &SubmissionReceived,
    report: &Report,
) -> Result<(), BusError> {
    let header_missing = jvap_record::catalogue::MAPPING_HEADER_MISSING.code;
    if received.mapping.is_empty() || report.issues.iter().any(|i| i.code == header_missing) {
        return Ok(());
    }
    bus.remember_mapping(&received.partner, &received.mapping)
        .await?;
    tracing::info!(
        headers = received.mapping.columns.len(),
        "column mapping remembered for the partner"
    );
    Ok(())
}

/// What the file's JVAP ids are checked against: the database's ids as aggregation last wrote them
/// (none yet: every id is unknown) and the partner sending it.
async fn id_check(bus: &Bus, partner: &str) -> Result<IdCheck, HandleError> {
    let known = match bus.datasets.get(m::IDS_OBJECT).await? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(BusError::from)?,
        None => KnownIds::default(),
    };
    Ok(IdCheck {
        partner: partner.to_string(),
        known,
    })
}

/// Store a file of the worker's in the `reports` object store, read as it is sent.
async fn put_file(bus: &Bus, name: &str, path: &Path) -> Result<(), HandleError> {
    let mut file = tokio::fs::File::open(path).await?;
    bus.reports.put_reader(name, &mut file).await?;
    Ok(())
}

/// The report stored by an earlier attempt, if there is a readable one.
async fn stored_report(bus: &Bus, id: &str) -> Result<Option<Report>, BusError> {
    let Some(bytes) = bus.reports.get(&report_object(id)).await? else {
        return Ok(None);
    };
    match serde_json::from_slice(&bytes) {
        Ok(report) => Ok(Some(report)),
        Err(e) => {
            tracing::warn!(error.message = %e, "the stored report is unreadable; validating again");
            Ok(None)
        }
    }
}

async fn publish_outcome(
    bus: &Bus,
    received: &SubmissionReceived,
    report: &Report,
) -> Result<(), BusError> {
    let id = &received.submission_id;
    let now = Utc::now();
    match report.verdict {
        Verdict::Accepted => {
            let message = SubmissionValidated {
                submission_id: id.clone(),
                partner: received.partner.clone(),
                round: received.round.clone(),
                mode: received.mode,
                counts: report.counts,
                validated_at: now,
                revalidation: received.revalidation.clone(),
                columns: report.columns.clone(),
            };
            let subject = m::subject_validated(&received.partner);
            bus.publish(&subject, &outcome_msg_id(received, "validated"), &message)
                .await
        }
        Verdict::Rejected => {
            let message = SubmissionRejected {
                submission_id: id.clone(),
                partner: received.partner.clone(),
                round: received.round.clone(),
                counts: report.counts,
                validated_at: now,
                revalidation: received.revalidation.clone(),
                columns: report.columns.clone(),
            };
            let subject = m::subject_rejected(&received.partner);
            bus.publish(&subject, &outcome_msg_id(received, "rejected"), &message)
                .await
        }
    }
}

/// The message id of an outcome: `<id>-validated`, or `<id>-validated-<run>` for an admin's new run,
/// so that the stream does not take it for a duplicate of the first outcome.
fn outcome_msg_id(received: &SubmissionReceived, outcome: &str) -> String {
    let id = &received.submission_id;
    match &received.revalidation {
        Some(run) => format!("{id}-{outcome}-{run}"),
        None => format!("{id}-{outcome}"),
    }
}

fn new_status(received: &SubmissionReceived) -> SubmissionStatus {
    SubmissionStatus {
        submission_id: received.submission_id.clone(),
        partner: received.partner.clone(),
        round: received.round.clone(),
        mode: received.mode,
        file_name: received.file_name.clone(),
        size: received.size,
        state: SubmissionState::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: received.received_at,
        updated_at: Utc::now(),
    }
}
