//! Handling one `SummaryRequested`: e-mail the round's latest summary to the Steering Committee,
//! once per request, and record what happened.
//!
//! Each request has one row in the `deliveries` table (keyed by request id), mirrored in KV
//! `committee` under `deliveries.<round>` for intake to serve. A request whose row is final (sent,
//! skipped, failed) is never sent again, whatever the redeliveries. The attempt is counted in the row
//! before the SMTP conversation; an SMTP failure is retried until [`Delivery::max_attempts`], then
//! the request is recorded as failed. Nowhere to send (no SMTP server, an empty distribution list)
//! or nothing to send (no published dataset) is recorded as skipped, with the reason, at once.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use jvap_bus::{Bus, BusError, Outcome};
use jvap_record::messages::{
    DatasetPublished, DeliveryOutcome, SummaryDelivery, SummaryReason, SummaryRequested,
};

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::builder::Builder;
use crate::mail::{self, MailError, Mailer, Summary};
use crate::store::Store;

/// A failure of the system (database, NATS) while handling a request: the message is retried.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Bus(#[from] BusError),
    #[error("a stored delivery is inconsistent: {0}")]
    Corrupt(String),
    #[error("building the files to send: {0}")]
    Build(String),
}

/// The handler of `jvap.summary.requested`, shared by every delivery. Cheap to clone.
#[derive(Clone)]
pub struct Delivery {
    bus: Bus,
    store: Store,
    /// `None` when no SMTP server is configured.
    mailer: Option<Mailer>,
    /// SMTP attempts before a request is recorded as failed (the consumer's maximum deliveries).
    pub max_attempts: u32,
    /// Builds the files of the version sent when they are not in the store yet.
    builder: Builder,
}

impl Delivery {
    pub fn new(
        bus: Bus,
        store: Store,
        mailer: Option<Mailer>,
        max_attempts: u32,
        builder: Builder,
    ) -> Delivery {
        Delivery {
            bus,
            store,
            mailer,
            max_attempts,
            builder,
        }
    }

    /// Handle one delivery of `jvap.summary.requested`.
    pub async fn handle(&self, payload: &[u8]) -> Outcome {
        let request: SummaryRequested = match serde_json::from_slice(payload) {
            Ok(request) => request,
            Err(e) => {
                tracing::error!(error.message = %e, "dropping a summary request that does not decode");
                return Outcome::Done;
            }
        };
        let processed = self.process(&request).await;
        let outcome = match &processed {
            Ok(delivery) => format!("{:?}", delivery.outcome).to_lowercase(),
            Err(_) => "error".into(),
        };
        metrics::counter!(jvap_bus::ops::EMAILS, "outcome" => outcome).increment(1);
        match processed {
            Ok(delivery) if delivery.outcome == DeliveryOutcome::Retrying => {
                let reason = delivery.detail.unwrap_or_default();
                tracing::warn!(request_id = %request.request_id, attempts = delivery.attempts, %reason, "summary e-mail not sent, will retry");
                Outcome::Retry(reason)
            }
            Ok(delivery) => {
                tracing::info!(
                    request_id = %request.request_id,
                    round = %request.round,
                    outcome = ?delivery.outcome,
                    detail = delivery.detail.as_deref(),
                    recipients = delivery.recipients.len(),
                    "summary request handled"
                );
                Outcome::Done
            }
            Err(e) => {
                tracing::warn!(request_id = %request.request_id, error.message = %e, "summary request failed, will retry");
                Outcome::Retry(e.to_string())
            }
        }
    }

    /// Send the request's e-mail unless its record is already final, and return the record as it
    /// now stands (`Retrying` when the SMTP attempt failed and another is due).
    pub async fn process(
        &self,
        request: &SummaryRequested,
    ) -> Result<SummaryDelivery, DeliveryError> {
        let earlier = self.load(&request.request_id).await?;
        if let Some(done) = earlier.as_ref().filter(|d| is_final(d.outcome)) {
            // Already handled: only make sure KV shows it (the redelivery may follow a lost write).
            self.bus.record_delivery(done).await?;
            return Ok(done.clone());
        }
        let recipients = self.bus.committee_list().await?.recipients;
        let latest: Option<DatasetPublished> = self
            .bus
            .kv_get(&self.bus.dataset_versions, &request.round)
            .await?;
        let mut delivery = SummaryDelivery {
            request_id: request.request_id.clone(),
            round: request.round.clone(),
            reason: request.reason,
            version: latest.as_ref().map(|l| l.version),
            recipients,
            outcome: DeliveryOutcome::Retrying,
            detail: None,
            message_id: None,
            attempts: earlier.map_or(0, |d| d.attempts),
            requested_at: request.requested_at,
            sent_at: None,
            updated_at: Utc::now(),
        };
        let (mailer, version) = match (&self.mailer, delivery.version) {
            (None, _) => {
                return self
                    .finish(
                        delivery,
                        DeliveryOutcome::Skipped,
                        Some("no SMTP server is configured (JVAP_SMTP_URL)".into()),
                    )
                    .await;
            }
            (_, None) => {
                let detail = format!("round {} has no published dataset yet", request.round);
                return self
                    .finish(delivery, DeliveryOutcome::Skipped, Some(detail))
                    .await;
            }
            _ if delivery.recipients.is_empty() => {
                let detail = "the Committee's distribution list is empty (PUT /api/v1/committee)";
                return self
                    .finish(delivery, DeliveryOutcome::Skipped, Some(detail.into()))
                    .await;
            }
            (Some(mailer), Some(version)) => (mailer, version),
        };

        // Count the attempt before talking to the SMTP server.
        delivery.attempts += 1;
        delivery.message_id = Some(mail::message_id(&request.request_id));
        self.save(&mut delivery).await?;
        let sent = async {
            let files = self.files(&request.round, version).await?;
            let summary = Summary {
                round: &request.round,
                version,
                message_id: mail::message_id(&request.request_id),
                recipients: &delivery.recipients,
                files: &files,
            };
            mailer.send(&summary).await.map_err(SendFailure::Mail)
        }
        .await;
        match sent {
            Ok(()) => {
                delivery.sent_at = Some(Utc::now());
                self.finish(delivery, DeliveryOutcome::Sent, None).await
            }
            Err(SendFailure::System(e)) => Err(e),
            Err(SendFailure::Mail(e)) if delivery.attempts >= self.max_attempts => {
                let detail = format!("gave up after {} attempts: {e}", delivery.attempts);
                self.finish(delivery, DeliveryOutcome::Failed, Some(detail))
                    .await
            }
            Err(SendFailure::Mail(e)) => {
                self.finish(delivery, DeliveryOutcome::Retrying, Some(e.to_string()))
                    .await
            }
        }
    }

    /// The files of the e-mail from `<round>/v<version>/` in the `datasets` store, built first
    /// when they are not there yet (the builder has not reached the version, or retention removed
    /// its files).
    async fn files(&self, round: &str, version: u32) -> Result<Vec<mail::File>, SendFailure> {
        self.builder
            .ensure(round, version)
            .await
            .map_err(|e| SendFailure::System(DeliveryError::Build(e.to_string())))?;
        let mut files = Vec::new();
        for file in mail::ATTACHED {
            let (name, content_type) = (file.name(), file.content_type());
            let object = format!("{round}/v{version}/{name}");
            let bytes = self
                .bus
                .datasets
                .get(&object)
                .await
                .map_err(|e| SendFailure::System(e.into()))?
                .ok_or(SendFailure::Mail(MailError::MissingFile(name)))?;
            files.push(mail::File {
                name,
                content_type,
                bytes,
            });
        }
        Ok(files)
    }

    async fn finish(
        &self,
        mut delivery: SummaryDelivery,
        outcome: DeliveryOutcome,
        detail: Option<String>,
    ) -> Result<SummaryDelivery, DeliveryError> {
        delivery.outcome = outcome;
        delivery.detail = detail;
        self.save(&mut delivery).await?;
        Ok(delivery)
    }

    /// Stamp the record, then write it to the database and to KV. Its times are cut to the
    /// microseconds the database keeps, so that both say exactly the same.
    async fn save(&self, delivery: &mut SummaryDelivery) -> Result<(), DeliveryError> {
        delivery.updated_at = Utc::now().trunc_subsecs(6);
        delivery.requested_at = delivery.requested_at.trunc_subsecs(6);
        delivery.sent_at = delivery.sent_at.map(|at| at.trunc_subsecs(6));
        let recipients = serde_json::to_string(&delivery.recipients)
            .map_err(|e| DeliveryError::Corrupt(format!("cannot encode recipients: {e}")))?;
        sqlx::query(
            "INSERT INTO deliveries (request_id, round, reason, version, recipients, outcome, \
             detail, message_id, attempts, requested_at, sent_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (request_id) DO UPDATE SET version = $4, recipients = $5, outcome = $6, \
             detail = $7, message_id = $8, attempts = $9, sent_at = $11, updated_at = $12",
        )
        .bind(&delivery.request_id)
        .bind(&delivery.round)
        .bind(delivery.reason.as_str())
        .bind(delivery.version.map(i64::from))
        .bind(recipients)
        .bind(outcome_name(delivery.outcome))
        .bind(delivery.detail.as_deref())
        .bind(delivery.message_id.as_deref())
        .bind(i64::from(delivery.attempts))
        .bind(timestamp(delivery.requested_at))
        .bind(delivery.sent_at.map(timestamp))
        .bind(timestamp(delivery.updated_at))
        .execute(self.store.pool())
        .await?;
        self.bus.record_delivery(delivery).await?;
        Ok(())
    }

    /// The record of a request, if it has one.
    pub async fn load(&self, request_id: &str) -> Result<Option<SummaryDelivery>, DeliveryError> {
        let row = sqlx::query(
            "SELECT request_id, round, reason, version, recipients, outcome, detail, message_id, \
             attempts, requested_at, sent_at, updated_at FROM deliveries WHERE request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(delivery_of).transpose()
    }

    /// Every record of a round, in the order requested.
    pub async fn deliveries(&self, round: &str) -> Result<Vec<SummaryDelivery>, DeliveryError> {
        let rows = sqlx::query(
            "SELECT request_id, round, reason, version, recipients, outcome, detail, message_id, \
             attempts, requested_at, sent_at, updated_at FROM deliveries WHERE round = $1 \
             ORDER BY requested_at, request_id",
        )
        .bind(round)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(delivery_of).collect()
    }
}

/// Why an attempt did not send: the e-mail (SMTP, a missing file: counted against the attempts) or
/// the system (retried without counting).
enum SendFailure {
    Mail(MailError),
    System(DeliveryError),
}

fn is_final(outcome: DeliveryOutcome) -> bool {
    outcome != DeliveryOutcome::Retrying
}

fn outcome_name(outcome: DeliveryOutcome) -> &'static str {
    match outcome {
        DeliveryOutcome::Sent => "sent",
        DeliveryOutcome::Skipped => "skipped",
        DeliveryOutcome::Retrying => "retrying",
        DeliveryOutcome::Failed => "failed",
    }
}

fn delivery_of(row: &AnyRow) -> Result<SummaryDelivery, DeliveryError> {
    let corrupt = |what: &str, value: &str| DeliveryError::Corrupt(format!("{what} {value:?}"));
    let reason: String = row.try_get("reason")?;
    let outcome: String = row.try_get("outcome")?;
    let recipients: String = row.try_get("recipients")?;
    let version: Option<i64> = row.try_get("version")?;
    let attempts: i64 = row.try_get("attempts")?;
    let sent_at: Option<String> = row.try_get("sent_at")?;
    Ok(SummaryDelivery {
        request_id: row.try_get("request_id")?,
        round: row.try_get("round")?,
        reason: match reason.as_str() {
            "round_closed" => SummaryReason::RoundClosed,
            "on_demand" => SummaryReason::OnDemand,
            other => return Err(corrupt("reason", other)),
        },
        version: version
            .map(|v| u32::try_from(v).map_err(|_| corrupt("version", &v.to_string())))
            .transpose()?,
        recipients: serde_json::from_str(&recipients)
            .map_err(|_| corrupt("recipients", &recipients))?,
        outcome: match outcome.as_str() {
            "sent" => DeliveryOutcome::Sent,
            "skipped" => DeliveryOutcome::Skipped,
            "retrying" => DeliveryOutcome::Retrying,
            "failed" => DeliveryOutcome::Failed,
            other => return Err(corrupt("outcome", other)),
        },
        detail: row.try_get("detail")?,
        message_id: row.try_get("message_id")?,
        attempts: u32::try_from(attempts)
            .map_err(|_| corrupt("attempts", &attempts.to_string()))?,
        requested_at: parse_timestamp(&row.try_get::<String, _>("requested_at")?)?,
        sent_at: sent_at.as_deref().map(parse_timestamp).transpose()?,
        updated_at: parse_timestamp(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// RFC 3339 text with microseconds, UTC, as every timestamp in the database (see `store`).
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, DeliveryError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DeliveryError::Corrupt(format!("timestamp {text:?}: {e}")))
}
