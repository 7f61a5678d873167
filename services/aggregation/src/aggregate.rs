//! Handling one `SubmissionValidated`: apply it to the database, then publish the dataset version.
//!
//! The database transaction is the point of no return, and the version: right after it the round's
//! latest version in KV and `jvap.dataset.published` announce it, the submission's status names it,
//! the round tracker is kept with it and its files are asked of the builder ([`crate::builder`]),
//! which builds them apart. Everything after the commit is made again from the database for
//! version N, so a redelivery after a crash between commit and publish heals it, and a redelivery
//! after success only re-publishes (de-duplicated by NATS).
//!
//! A revalidated outcome (`revalidation` set: an admin's replay or round revalidation) of a
//! submission not applied yet is applied like any other. Of one already applied, whether
//! `SubmissionValidated` or `SubmissionRejected`, it rebuilds the partner's initiatives from its
//! accepted submissions in their original order of acceptance, with each one's records as validation
//! last stored them, and publishes a new version when they changed ([`Store::rebuild`]).

use std::collections::BTreeMap;

use async_nats::jetstream::kv;
use bytes::Bytes;
use jvap_bus::{Bus, Outcome};
use jvap_outputs::DatasetFile;
use jvap_record::messages::{
    self as m, BuildReason, DatasetPublished, SubmissionRejected, SubmissionValidated,
};
use jvap_record::{Initiative, Issue, Verdict, report};
use serde::Deserialize;

use crate::builder;
use crate::error::{Error, Result};
use crate::store::{NewInitiative, Rebuilt, Revalidated, Store};

/// Attempts at applying a submission before a version conflict is left to redelivery.
const IMMEDIATE_ATTEMPTS: u32 = 5;

/// The part of `report.json` aggregation needs.
#[derive(Deserialize)]
struct ReportIssues {
    issues: Vec<Issue>,
}

/// The handler, shared by every delivery. Cheap to clone.
#[derive(Clone)]
pub struct Aggregator {
    bus: Bus,
    store: Store,
}

impl Aggregator {
    pub fn new(bus: Bus, store: Store) -> Aggregator {
        Aggregator { bus, store }
    }

    /// Handle one delivery of `jvap.submission.validated.<partner>`.
    pub async fn handle(&self, payload: &[u8]) -> Outcome {
        let submission: SubmissionValidated = match serde_json::from_slice(payload) {
            Ok(submission) => submission,
            Err(e) => {
                // Retrying cannot fix it: there is nothing to aggregate.
                tracing::error!(error.message = %e, "dropping a validated message that does not decode");
                return Outcome::Done;
            }
        };
        match self.process(&submission).await {
            Ok(version) => {
                tracing::info!(
                    submission_id = %submission.submission_id,
                    partner = %submission.partner,
                    round = %submission.round,
                    version,
                    "dataset version published"
                );
                Outcome::Done
            }
            Err(e) => {
                tracing::warn!(
                    submission_id = %submission.submission_id,
                    error.message = %e,
                    "aggregation failed, will retry"
                );
                Outcome::Retry(e.to_string())
            }
        }
    }

    /// Handle one delivery of `jvap.submission.rejected.<partner>`: only a revalidated rejection
    /// matters here (a submission accepted before leaves the dataset); the others are acknowledged.
    pub async fn handle_rejected(&self, payload: &[u8]) -> Outcome {
        let rejected: SubmissionRejected = match serde_json::from_slice(payload) {
            Ok(rejected) => rejected,
            Err(e) => {
                tracing::error!(error.message = %e, "dropping a rejected message that does not decode");
                return Outcome::Done;
            }
        };
        match self.process_rejected(&rejected).await {
            Ok(version) => {
                if let Some(version) = version {
                    tracing::info!(
                        submission_id = %rejected.submission_id,
                        partner = %rejected.partner,
                        round = %rejected.round,
                        version,
                        "revalidated rejection: dataset version published without it"
                    );
                }
                Outcome::Done
            }
            Err(e) => {
                tracing::warn!(
                    submission_id = %rejected.submission_id,
                    error.message = %e,
                    "aggregation of a revalidated rejection failed, will retry"
                );
                Outcome::Retry(e.to_string())
            }
        }
    }

    /// A revalidated rejection of an applied submission: rebuild its partner's initiatives without
    /// it, and publish the new version if they changed. `None` when nothing was published.
    pub async fn process_rejected(&self, rejected: &SubmissionRejected) -> Result<Option<u32>> {
        let Some(run) = &rejected.revalidation else {
            return Ok(None);
        };
        if self.store.applied(&rejected.submission_id).await?.is_none() {
            // Never in a dataset: nothing to take out.
            return Ok(None);
        }
        let outcome = Revalidated {
            submission_id: rejected.submission_id.clone(),
            partner: rejected.partner.clone(),
            round: rejected.round.clone(),
            revalidation: run.clone(),
            verdict: Verdict::Rejected,
        };
        let rebuilt = self.rebuild(&outcome).await?;
        if rebuilt.superseded {
            return Ok(None);
        }
        if let Some(version) = rebuilt.version {
            self.publish(&rejected.round, version).await?;
        }
        self.bus
            .update_status(&rejected.submission_id, |status| {
                status.dataset_version = None;
            })
            .await?;
        Ok(rebuilt.version)
    }

    /// Apply the submission (unless already applied) and publish its dataset version. A revalidated
    /// submission already applied rebuilds its partner's initiatives instead; the version returned is
    /// the new one, or the round's latest when nothing changed.
    pub async fn process(&self, submission: &SubmissionValidated) -> Result<u32> {
        let applied = self.store.applied(&submission.submission_id).await?;
        if let (Some(run), Some(_)) = (&submission.revalidation, applied) {
            return self.process_revalidated(submission, run).await;
        }
        let version = match applied {
            Some(version) => version,
            None => {
                let records = self.records(&submission.submission_id).await?;
                self.apply(submission, &records).await?
            }
        };
        Box::pin(crate::ids::publish_owners(&self.bus, &self.store)).await?;
        self.announce(&submission.round, version).await?;
        self.bus
            .update_status(&submission.submission_id, |status| {
                status.dataset_version = Some(version);
            })
            .await?;
        self.prepare(&submission.round, version).await?;
        Ok(version)
    }

    async fn process_revalidated(
        &self,
        submission: &SubmissionValidated,
        run: &str,
    ) -> Result<u32> {
        let outcome = Revalidated {
            submission_id: submission.submission_id.clone(),
            partner: submission.partner.clone(),
            round: submission.round.clone(),
            revalidation: run.to_string(),
            verdict: Verdict::Accepted,
        };
        let rebuilt = self.rebuild(&outcome).await?;
        Box::pin(crate::ids::publish_owners(&self.bus, &self.store)).await?;
        let version = match rebuilt.version {
            Some(version) => version,
            None => self
                .store
                .latest_version(&submission.round)
                .await?
                .ok_or_else(|| {
                    Error::Corrupt(format!(
                        "an applied submission but no version of {}",
                        submission.round
                    ))
                })?,
        };
        self.publish(&submission.round, version).await?;
        if !rebuilt.superseded {
            self.bus
                .update_status(&submission.submission_id, |status| {
                    status.dataset_version = Some(version);
                })
                .await?;
        }
        Ok(version)
    }

    /// Rebuild the partner's initiatives for a revalidated outcome, with the records of each of its
    /// accepted submissions as validation last stored them; trying again at once when another writer
    /// took the version or applied a submission of the partner meanwhile.
    async fn rebuild(&self, outcome: &Revalidated) -> Result<Rebuilt> {
        let mut attempt = 1;
        loop {
            let mut records = BTreeMap::new();
            for applied in self
                .store
                .partner_submissions(&outcome.round, &outcome.partner)
                .await?
            {
                let id = applied.submission_id;
                let kept = if id == outcome.submission_id {
                    outcome.verdict == Verdict::Accepted
                } else {
                    applied.rejected_by.is_none()
                };
                if kept {
                    let new = self.records(&id).await?;
                    records.insert(id, new);
                }
            }
            match self.store.rebuild(outcome, &records).await {
                Err(e @ (Error::VersionTaken { .. } | Error::Changed(_)))
                    if attempt < IMMEDIATE_ATTEMPTS =>
                {
                    tracing::info!(error.message = %e, attempt, "rebuild raced another writer, trying again");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Apply, trying again at once when another replica took the version first (its transaction
    /// rolled back; the next attempt sees the new state), before falling back to a redelivery.
    async fn apply(
        &self,
        submission: &SubmissionValidated,
        records: &[NewInitiative],
    ) -> Result<u32> {
        let mut attempt = 1;
        loop {
            match self.store.apply(submission, records).await {
                Err(Error::VersionTaken { round, version }) if attempt < IMMEDIATE_ATTEMPTS => {
                    tracing::info!(%round, version, attempt, "version taken by another replica, trying again");
                    attempt += 1;
                }
                result => return Ok(result?.version),
            }
        }
    }

    /// The submission's records with the warnings of their rows, from the `reports` store.
    async fn records(&self, submission_id: &str) -> Result<Vec<NewInitiative>> {
        let records: Vec<Initiative> = self
            .json_object(&format!("{submission_id}/records.json"))
            .await?;
        let report: ReportIssues = self
            .json_object(&format!("{submission_id}/report.json"))
            .await?;
        Ok(report::with_warnings(records, &report.issues)
            .map(|(record, warnings)| NewInitiative { record, warnings })
            .collect())
    }

    async fn json_object<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T> {
        let bytes = self
            .bus
            .reports
            .get(name)
            .await?
            .ok_or_else(|| Error::MissingObject {
                bucket: m::BUCKET_REPORTS.to_string(),
                name: name.to_string(),
            })?;
        serde_json::from_slice(&bytes).map_err(|source| Error::BadObject {
            name: name.to_string(),
            source,
        })
    }

    /// Publish dataset version `version` of `round`, committed in the database: announce it
    /// ([`Aggregator::announce`]), then keep its tracker and ask for its files
    /// ([`Aggregator::prepare`]).
    pub async fn publish(&self, round: &str, version: u32) -> Result<DatasetPublished> {
        let published = self.announce(round, version).await?;
        self.prepare(round, version).await?;
        Ok(published)
    }

    /// What readers see as soon as the version commits: the round's latest version in KV (never
    /// moved backwards), with what it holds (from the database, at the cost of what the version
    /// changed), and the message. Its files are not built here: `objects` names where they will be.
    pub async fn announce(&self, round: &str, version: u32) -> Result<DatasetPublished> {
        let info =
            self.store.version(round, version).await?.ok_or_else(|| {
                Error::Corrupt(format!("no dataset version {version} of {round}"))
            })?;
        let by_partner = self.store.counts(round, version).await?;
        let objects: BTreeMap<String, String> = DatasetFile::ALL
            .iter()
            .map(|file| {
                let name = DatasetPublished::object_name(round, version, file.name());
                (file.name().to_string(), name)
            })
            .collect();
        let published = DatasetPublished {
            round: round.to_string(),
            version,
            objects,
            initiatives: info.initiatives,
            by_partner,
            submission_id: info.submission_id,
            published_at: info.published_at,
        };
        self.set_latest(&published).await?;
        metrics::counter!(jvap_bus::ops::DATASET_VERSIONS).increment(1);
        self.bus
            .publish(
                m::SUBJECT_DATASET_PUBLISHED,
                &format!("{round}-v{version}"),
                &published,
            )
            .await?;
        Ok(published)
    }

    /// After the announcement: keep the round tracker with the version (unless kept already), so
    /// its files are the same whenever they are built, and ask the builder for them.
    pub async fn prepare(&self, round: &str, version: u32) -> Result<()> {
        if self.store.tracker(round, version).await?.is_none() {
            builder::keep_tracker(&self.bus, &self.store, round, version).await?;
        }
        builder::request(&self.bus, round, version, BuildReason::Latest).await
    }

    /// Put `published` under its round in KV `datasets` unless a newer version is already there
    /// (a late redelivery of an old submission must not move readers back), with compare-and-set.
    async fn set_latest(&self, published: &DatasetPublished) -> Result<()> {
        let store = &self.bus.dataset_versions;
        let key = published.round.as_str();
        let bytes = Bytes::from(
            serde_json::to_vec(published).map_err(|e| Error::Bus(jvap_bus::BusError::Json(e)))?,
        );
        let kv_error = |e: &dyn std::fmt::Display| {
            Error::Bus(jvap_bus::BusError::Kv {
                bucket: m::KV_DATASETS.to_string(),
                detail: e.to_string(),
            })
        };
        for _ in 0..20 {
            let entry = store.entry(key).await.map_err(|e| kv_error(&e))?;
            let written = match entry {
                Some(entry) => {
                    let current = (entry.operation == kv::Operation::Put)
                        .then(|| serde_json::from_slice::<DatasetPublished>(&entry.value).ok())
                        .flatten();
                    if current.is_some_and(|c| c.version >= published.version) {
                        return Ok(());
                    }
                    store
                        .update(key, bytes.clone(), entry.revision)
                        .await
                        .is_ok()
                }
                None => store.create(key, bytes.clone()).await.is_ok(),
            };
            if written {
                return Ok(());
            }
        }
        Err(kv_error(&format!(
            "the latest version of {key} kept changing under us"
        )))
    }
}
