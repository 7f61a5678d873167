//! The builder: the seven files of a dataset version ([`DatasetFile`]), built from the database, apart
//! from the commit of the version.
//!
//! A version is listed, and its submission's status names it, as soon as its transaction commits
//! ([`crate::aggregate`]); its files come after, from this module, fed by its own durable consumer of
//! `jvap.dataset.build.requested` ([`BuildRequested`]):
//!
//! - **Coalescing.** Aggregation asks for each version it commits with reason `latest`. Such a
//!   request is skipped when a newer version of the round is committed already (its own request is
//!   queued behind), so when versions arrive faster than they are built, the newest is built once
//!   and the ones it overtook are not built at all.
//! - **On demand.** A file asked for that is not in the `datasets` store (a version overtaken, or
//!   removed by retention) is asked for with reason `on_demand` (intake, answering 202 meanwhile;
//!   the summary e-mail builds it in place). Built whatever the version's age.
//! - **The same bytes whenever built.** A version's files are made from what the database keeps of
//!   it: its initiatives, the previous version's rows of the partners it touched (the change log),
//!   the round tracker kept with it when it committed ([`Store::keep_tracker`]), and its commit time
//!   as "generated at". The workbook's creation time is that time too, so its parts are the same.
//! - **Crash-safe.** Files are written one by one, then the version is recorded in `dataset_files`.
//!   A builder that dies mid-build leaves its message unacknowledged: it comes again (to this
//!   process restarted, or another replica) and the files still missing are built.
//! - **Retention.** After the newest version is built, the files of versions older than the newest
//!   `keep` before it are removed (`JVAP_DATASET_FILES_KEEP`): the store grows with the round, not
//!   with versions × round. A removed version is built again when asked for.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use jvap_bus::{Bus, Outcome};
use jvap_outputs::{DatasetFile, DatasetInitiative, DatasetMeta, OutputFile, RoundData};
use jvap_record::messages::{
    self as m, BuildReason, BuildRequested, DatasetPublished, RoundRecord, SubmissionStatus,
};
use jvap_record::tracker::Tracker;

use crate::error::{Error, Result};
use crate::store::Store;

/// What a build request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Built {
    /// A `latest` request overtaken by version `newest`: nothing built.
    Skipped { newest: u32 },
    /// Every file was in the store already.
    Present,
    /// The files missing were built and stored.
    Built,
}

/// The builder, shared by the consumer and the summary e-mail. Cheap to clone; one build at a time
/// per process (a build of a large round holds the round in memory).
#[derive(Clone)]
pub struct Builder {
    bus: Bus,
    store: Store,
    keep: u32,
    one_at_a_time: Arc<tokio::sync::Mutex<()>>,
}

impl Builder {
    /// A builder that keeps the files of the newest version and of the `keep` versions before it.
    pub fn new(bus: Bus, store: Store, keep: u32) -> Builder {
        Builder {
            bus,
            store,
            keep,
            one_at_a_time: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Handle one delivery of `jvap.dataset.build.requested`.
    pub async fn handle(&self, payload: &[u8]) -> Outcome {
        let request: BuildRequested = match serde_json::from_slice(payload) {
            Ok(request) => request,
            Err(e) => {
                tracing::error!(error.message = %e, "dropping a build request that does not decode");
                return Outcome::Done;
            }
        };
        match self.process(&request).await {
            Ok(built) => {
                tracing::info!(round = %request.round, version = request.version, reason = ?request.reason, ?built, "build request handled");
                Outcome::Done
            }
            Err(e) => {
                tracing::warn!(round = %request.round, version = request.version, error.message = %e, "building the dataset files failed, will retry");
                Outcome::Retry(e.to_string())
            }
        }
    }

    /// Build the files of the request's version unless it is a `latest` request overtaken by a
    /// newer version; after the newest version, remove the files retention no longer keeps.
    pub async fn process(&self, request: &BuildRequested) -> Result<Built> {
        let (round, version) = (request.round.as_str(), request.version);
        let newest = self.store.latest_version(round).await?.unwrap_or(0);
        if version > newest {
            // A version given back by a rebuild that changed nothing, or never committed.
            return Ok(Built::Skipped { newest });
        }
        if request.reason == BuildReason::Latest && newest > version {
            return Ok(Built::Skipped { newest });
        }
        let built = self.ensure(round, version).await?;
        if version == newest {
            self.retain(round, version).await?;
        }
        Ok(built)
    }

    /// Make sure every file of version `version` is in the `datasets` store, building those
    /// missing.
    pub async fn ensure(&self, round: &str, version: u32) -> Result<Built> {
        let _one = self.one_at_a_time.lock().await;
        let mut missing = Vec::new();
        for file in DatasetFile::ALL {
            let name = DatasetPublished::object_name(round, version, file.name());
            if !self.object_exists(&name).await? {
                missing.push((file, name));
            }
        }
        if missing.is_empty() {
            self.store.record_files(round, version).await?;
            return Ok(Built::Present);
        }
        let started = std::time::Instant::now();
        let files = self.build(round, version).await?;
        metrics::histogram!(jvap_bus::ops::BUILD_SECONDS).record(started.elapsed().as_secs_f64());
        for (file, name) in missing {
            let output = files
                .iter()
                .find(|f| f.name == file.name())
                .ok_or_else(|| {
                    Error::Corrupt(format!("jvap_outputs::build made no {}", file.name()))
                })?;
            self.bus.datasets.put(&name, &output.bytes).await?;
        }
        self.store.record_files(round, version).await?;
        Ok(Built::Built)
    }

    /// Every file of dataset version `version`, built from the database (nothing is stored).
    pub async fn build(&self, round: &str, version: u32) -> Result<Vec<OutputFile>> {
        let info =
            self.store.version(round, version).await?.ok_or_else(|| {
                Error::Corrupt(format!("no dataset version {version} of {round}"))
            })?;
        let initiatives = self.store.initiatives_at(round, version).await?;
        let previous = match version.checked_sub(1).filter(|v| *v > 0) {
            Some(previous) => Some((previous, self.previous(round, version, &initiatives).await?)),
            None => None,
        };
        let tracker = self.tracker(round, version).await?;
        let meta = DatasetMeta {
            round: round.to_string(),
            version,
            generated_at: info.published_at,
        };
        // Seconds of CPU for a large round: off the async workers, which keep serving NATS meanwhile.
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

    /// The initiatives of version `version - 1` for the change log, without reading it whole: the
    /// rows of the partners `version` did not touch are the same in both.
    async fn previous(
        &self,
        round: &str,
        version: u32,
        current: &[DatasetInitiative],
    ) -> Result<Vec<DatasetInitiative>> {
        let touched = self.store.touched_partners(round, version).await?;
        let touched_set: BTreeSet<&str> = touched.iter().map(String::as_str).collect();
        let mut previous: Vec<DatasetInitiative> = current
            .iter()
            .filter(|i| !touched_set.contains(i.partner.as_str()))
            .cloned()
            .collect();
        previous.extend(
            self.store
                .initiatives_of(round, version - 1, &touched)
                .await?,
        );
        Ok(previous)
    }

    /// The tracker kept with the version, taken now if it never was (a version committed before
    /// trackers were kept, or one whose commit stopped before it).
    pub async fn tracker(&self, round: &str, version: u32) -> Result<Tracker> {
        match self.store.tracker(round, version).await? {
            Some(tracker) => Ok(tracker),
            None => keep_tracker(&self.bus, &self.store, round, version).await,
        }
    }

    /// Remove the files of the versions before `newest` that retention does not keep.
    async fn retain(&self, round: &str, newest: u32) -> Result<()> {
        let oldest_kept = newest.saturating_sub(self.keep);
        for version in self.store.built_before(round, oldest_kept).await? {
            for file in DatasetFile::ALL {
                let name = DatasetPublished::object_name(round, version, file.name());
                self.delete_object(&name).await?;
            }
            self.store.forget_files(round, version).await?;
            tracing::info!(%round, version, "files removed by retention; built again when asked for");
        }
        Ok(())
    }

    async fn object_exists(&self, name: &str) -> Result<bool> {
        use async_nats::jetstream::object_store::InfoErrorKind;
        match self.bus.datasets.store.info(name).await {
            Ok(info) => Ok(!info.deleted),
            Err(e) if e.kind() == InfoErrorKind::NotFound => Ok(false),
            Err(e) => Err(object_error("info", name, e)),
        }
    }

    async fn delete_object(&self, name: &str) -> Result<()> {
        use async_nats::jetstream::object_store::DeleteErrorKind;
        match self.bus.datasets.store.delete(name).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == DeleteErrorKind::NotFound => Ok(()),
            Err(e) => Err(object_error("delete", name, e)),
        }
    }
}

/// Ask the builder for the files of `version` of `round`.
pub async fn request(bus: &Bus, round: &str, version: u32, reason: BuildReason) -> Result<()> {
    let request = BuildRequested {
        round: round.to_string(),
        version,
        reason,
    };
    // Every request its own id: the builder finds the files present when they are.
    let bucket = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    bus.publish(
        m::SUBJECT_BUILD_REQUESTED,
        &request.msg_id(bucket),
        &request,
    )
    .await?;
    Ok(())
}

/// Take the round tracker as it stands (the round's expected partners, every submission status of
/// the round, version `version`'s counts) and keep it with the version; the one kept first wins.
pub async fn keep_tracker(bus: &Bus, store: &Store, round: &str, version: u32) -> Result<Tracker> {
    let by_partner = store.counts(round, version).await?;
    let tracker = tracker_now(bus, round, &by_partner).await?;
    store.keep_tracker(round, version, &tracker).await
}

/// The round tracker as it stands now, with the counts `by_partner`.
async fn tracker_now(
    bus: &Bus,
    round: &str,
    by_partner: &BTreeMap<String, u64>,
) -> Result<Tracker> {
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

fn object_error(action: &str, name: &str, e: impl std::fmt::Display) -> Error {
    Error::Bus(jvap_bus::BusError::Object {
        bucket: m::BUCKET_DATASETS.to_string(),
        detail: format!("{action} {name}: {e}"),
    })
}
