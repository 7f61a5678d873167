//! Handling one `SubmissionValidated`: apply it to the database, then publish the dataset version.
//!
//! The database transaction is the point of no return; everything after it (objects, KV, message,
//! status) is rebuilt from the database for version N, so a redelivery after a crash between commit
//! and publish heals it, and a redelivery after success only re-publishes (de-duplicated by NATS).
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
use jvap_outputs::DatasetMeta;
use jvap_outputs::{OutputFile, RoundData};
use jvap_record::messages::{
    self as m, DatasetPublished, RoundRecord, SubmissionRejected, SubmissionStatus,
    SubmissionValidated,
};
use jvap_record::tracker::Tracker;
use jvap_record::{Initiative, Issue, Verdict, report};
use serde::Deserialize;

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
        self.publish(&submission.round, version).await?;
        self.bus
            .update_status(&submission.submission_id, |status| {
                status.dataset_version = Some(version);
            })
            .await?;
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

    /// Build dataset version `version` of `round` from the database and publish it: the objects
    /// that are missing (every [`DatasetFile`]), the round's latest version in KV (never
    /// moved backwards), and the message.
    pub async fn publish(&self, round: &str, version: u32) -> Result<DatasetPublished> {
        let info =
            self.store.version(round, version).await?.ok_or_else(|| {
                Error::Corrupt(format!("no dataset version {version} of {round}"))
            })?;
        let by_partner = self.store.initiatives_by_partner(round, version).await?;
        let objects: BTreeMap<String, String> = DatasetFile::ALL
            .iter()
            .map(|file| {
                let name = DatasetPublished::object_name(round, version, file.name());
                (file.name().to_string(), name)
            })
            .collect();
        let mut missing = Vec::new();
        for (file, name) in &objects {
            if !self.object_exists(name).await? {
                missing.push((file.as_str(), name.as_str()));
            }
        }
        if !missing.is_empty() {
            let meta = DatasetMeta {
                round: round.to_string(),
                version,
                generated_at: info.published_at,
            };
            let started = std::time::Instant::now();
            let files = self.build_outputs(&meta, &by_partner).await?;
            metrics::histogram!(jvap_bus::ops::BUILD_SECONDS)
                .record(started.elapsed().as_secs_f64());
            for (file, name) in missing {
                let output = files
                    .iter()
                    .find(|f| f.name == file)
                    .ok_or_else(|| Error::Corrupt(format!("jvap_outputs::build made no {file}")))?;
                self.bus.datasets.put(name, &output.bytes).await?;
            }
        }
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

    /// Every file of dataset version `meta.version`, from the database (its initiatives, and the
    /// previous version's for the change log) and KV (the round's expected partners and submission
    /// statuses, for the tracker).
    async fn build_outputs(
        &self,
        meta: &DatasetMeta,
        by_partner: &BTreeMap<String, u64>,
    ) -> Result<Vec<OutputFile>> {
        let (round, version) = (meta.round.as_str(), meta.version);
        let initiatives = self.store.initiatives_at(round, version).await?;
        let previous = match version.checked_sub(1).filter(|v| *v > 0) {
            Some(previous) => Some((previous, self.store.initiatives_at(round, previous).await?)),
            None => None,
        };
        let tracker = self.tracker(round, by_partner).await?;
        // Seconds of CPU for a large round: off the async workers, which keep serving NATS meanwhile.
        let meta = meta.clone();
        let build = tokio::task::spawn_blocking(move || {
            jvap_outputs::build(&RoundData {
                meta: &meta,
                initiatives: &initiatives,
                previous: previous.as_ref().map(|(v, list)| (*v, list.as_slice())),
                tracker: &tracker,
            })
        });
        Ok(build.await.map_err(|e| Error::Build(e.to_string()))??)
    }

    /// The round tracker as it stands: the round's expected partners, every submission status of
    /// the round, and the counts of the version being built.
    async fn tracker(&self, round: &str, by_partner: &BTreeMap<String, u64>) -> Result<Tracker> {
        let bus = &self.bus;
        let record: Option<RoundRecord> = bus.kv_get(&bus.rounds, round).await?;
        let expected = record.unwrap_or_else(|| RoundRecord::new(round)).expected();
        let statuses: Vec<SubmissionStatus> = bus
            .all_statuses()
            .await?
            .into_iter()
            .filter(|status| status.round == round)
            .collect();
        Ok(Tracker::build(round, &expected, &statuses, by_partner))
    }

    async fn object_exists(&self, name: &str) -> Result<bool> {
        use async_nats::jetstream::object_store::InfoErrorKind;
        match self.bus.datasets.store.info(name).await {
            Ok(info) => Ok(!info.deleted),
            Err(e) if e.kind() == InfoErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::Bus(jvap_bus::BusError::Object {
                bucket: m::BUCKET_DATASETS.to_string(),
                detail: format!("info {name}: {e}"),
            })),
        }
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
