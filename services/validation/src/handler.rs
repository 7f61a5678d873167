//! What happens to one `SubmissionReceived`.
//!
//! Delivery is at-least-once, so the handler is idempotent by submission id: a submission whose report
//! is already stored and whose status is final only has its outcome published again (the message id
//! makes that a no-op on the stream). Otherwise every step overwrites what an interrupted earlier
//! attempt may have left, and the status moves to its final state last, after the outcome is published.

use bytes::Bytes;
use chrono::Utc;
use jvap_bus::{Bus, BusError, Outcome};
use jvap_core::messages::{
    self as m, State, SubmissionReceived, SubmissionRejected, SubmissionStatus, SubmissionValidated,
};
use jvap_core::{Issue, Report, Verdict, catalogue};

/// Why an attempt must be retried. Every variant is a failure of the system, not of the file: a file
/// the validator cannot read becomes a rejection, never an error here.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error("the upload {0} is not in the uploads store")]
    MissingUpload(String),
}

/// Handle one message from the consumer loop.
#[tracing::instrument(skip_all, fields(submission_id, partner))]
pub async fn handle(bus: &Bus, payload: Bytes) -> Outcome {
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
    match process(bus, &received).await {
        Ok(()) => Outcome::Done,
        Err(e) => {
            tracing::warn!(error.message = %e, "validation attempt failed");
            Outcome::Retry(e.to_string())
        }
    }
}

async fn process(bus: &Bus, received: &SubmissionReceived) -> Result<(), HandleError> {
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
    if matches!(
        status.state,
        State::Accepted | State::Rejected | State::Failed
    ) && let Some(report) = stored_report(bus, id).await?
    {
        tracing::info!("already validated; publishing the outcome again");
        publish_outcome(bus, received, &report).await?;
        return Ok(());
    }

    bus.update_status(id, |status| {
        status.state = State::Validating;
        status.reason = None;
    })
    .await?;
    let bytes = bus
        .uploads
        .get(id)
        .await?
        .ok_or_else(|| HandleError::MissingUpload(id.clone()))?;
    let file_name = received.file_name.clone();
    let report = run_validator(move || jvap_core::validate(&file_name, &bytes)).await;

    bus.reports
        .put(
            &format!("{id}/report.json"),
            &serde_json::to_vec(&report).map_err(BusError::from)?,
        )
        .await?;
    bus.reports
        .put(
            &format!("{id}/records.json"),
            &serde_json::to_vec(&report.records).map_err(BusError::from)?,
        )
        .await?;
    publish_outcome(bus, received, &report).await?;
    let final_state = match report.verdict {
        Verdict::Accepted => State::Accepted,
        Verdict::Rejected => State::Rejected,
    };
    bus.update_status(id, |status| {
        // A later stage may already have moved on; never step back over it.
        if matches!(status.state, State::Received | State::Validating) {
            status.state = final_state;
        }
        status.counts = Some(report.counts);
    })
    .await?;
    tracing::info!(verdict = ?report.verdict, errors = report.counts.errors, "submission validated");
    Ok(())
}

/// Run the validator on a blocking thread. A panic in it is the file's doing (a reader choking on
/// hostile input), so it becomes a rejection with a file-level error instead of a retry that would
/// panic again.
pub async fn run_validator<F>(validate: F) -> Report
where
    F: FnOnce() -> Report + Send + 'static,
{
    match tokio::task::spawn_blocking(validate).await {
        Ok(report) => report,
        Err(e) => {
            tracing::error!(error.message = %e, "the validator stopped on this file");
            Report::file_error(Issue::new(
                &catalogue::FILE_CORRUPT,
                "the validator could not read it",
            ))
        }
    }
}

/// The report stored by an earlier attempt, if there is a readable one.
async fn stored_report(bus: &Bus, id: &str) -> Result<Option<Report>, BusError> {
    let Some(bytes) = bus.reports.get(&format!("{id}/report.json")).await? else {
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
            };
            let subject = m::subject_validated(&received.partner);
            bus.publish(&subject, &format!("{id}-validated"), &message)
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
            };
            let subject = m::subject_rejected(&received.partner);
            bus.publish(&subject, &format!("{id}-rejected"), &message)
                .await
        }
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
        state: State::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: received.received_at,
        updated_at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_validator_rejects_the_file_as_corrupt_instead_of_crashing() {
        let report = run_validator(|| panic!("calamine choked")).await;

        assert_eq!(report.verdict, Verdict::Rejected);
        assert_eq!(report.counts.errors, 1);
        assert_eq!(report.issues[0].code, "file.corrupt");
        assert_eq!(report.issues[0].cell, None);
    }

    #[tokio::test]
    async fn a_validator_that_returns_gives_its_report_unchanged() {
        let expected = Report::from_parts(0, vec![], vec![]);
        let returned = expected.clone();

        let report = run_validator(move || returned).await;

        assert_eq!(report, expected);
    }
}
