//! Submission statuses in the `submissions` KV bucket: every stage writes, intake reads.

use async_nats::jetstream::kv;
use bytes::Bytes;
use chrono::Utc;
use jvap_record::messages::SubmissionStatus;

use crate::bus::{Bus, BusError, kv_error, live_entries};

impl Bus {
    /// The status of a submission, if it exists.
    pub async fn status(&self, submission_id: &str) -> Result<Option<SubmissionStatus>, BusError> {
        self.kv_get(&self.submissions, submission_id).await
    }

    /// Create the status of a new submission. Returns `false` (and writes nothing) when a status with
    /// that id already exists: the same bytes were already submitted.
    pub async fn create_status(&self, status: &SubmissionStatus) -> Result<bool, BusError> {
        let bytes = Bytes::from(serde_json::to_vec(status)?);
        match self.submissions.create(&status.submission_id, bytes).await {
            Ok(_) => {
                count_state(status);
                Ok(true)
            }
            Err(e) if e.kind() == async_nats::jetstream::kv::CreateErrorKind::AlreadyExists => {
                Ok(false)
            }
            Err(e) => Err(kv_error(&self.submissions, e)),
        }
    }

    /// Change a submission's status with compare-and-set, retrying when another writer got there first.
    /// `change` may be called more than once. Returns the status as written, or `None` when unknown.
    pub async fn update_status(
        &self,
        submission_id: &str,
        change: impl Fn(&mut SubmissionStatus),
    ) -> Result<Option<SubmissionStatus>, BusError> {
        for _ in 0..20 {
            let Some(entry) = self
                .submissions
                .entry(submission_id)
                .await
                .map_err(|e| kv_error(&self.submissions, e))?
            else {
                return Ok(None);
            };
            let mut status: SubmissionStatus = serde_json::from_slice(&entry.value)?;
            let before = status.state;
            change(&mut status);
            status.updated_at = Utc::now();
            let bytes = Bytes::from(serde_json::to_vec(&status)?);
            match self
                .submissions
                .update(submission_id, bytes, entry.revision)
                .await
            {
                Ok(_) => {
                    if status.state != before {
                        count_state(&status);
                    }
                    return Ok(Some(status));
                }
                // Another writer got there first: read again and re-apply the change.
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => continue,
                Err(e) => return Err(kv_error(&self.submissions, e)),
            }
        }
        Err(kv_error(
            &self.submissions,
            format!("status of {submission_id} kept changing under us"),
        ))
    }

    /// Every submission status, newest first (for listings; a round holds at most a few hundred).
    /// Creates no consumer, so any number of listings at once cost the server nothing that lasts.
    pub async fn all_statuses(&self) -> Result<Vec<SubmissionStatus>, BusError> {
        let mut statuses = live_entries(&self.submissions)
            .await?
            .into_iter()
            .map(|entry| serde_json::from_slice(&entry.value))
            .collect::<Result<Vec<SubmissionStatus>, _>>()?;
        statuses.sort_by_key(|s| std::cmp::Reverse(s.received_at));
        Ok(statuses)
    }
}

/// One more submission in its state, by the kind of partner (see [`crate::ops::SUBMISSIONS`]).
fn count_state(status: &SubmissionStatus) {
    let partner_type = jvap_record::reference::partner(&status.partner)
        .map_or("unknown", |partner| partner.kind.as_str());
    metrics::counter!(
        crate::ops::SUBMISSIONS,
        "state" => jvap_record::vocabulary::code(&status.state),
        "partner_type" => partner_type.to_string(),
    )
    .increment(1);
}
