//! Handling one `SubmissionValidated`: apply it to the database, then publish the dataset version.
//!
//! The database transaction is the point of no return; everything after it (objects, KV, message,
//! status) is rebuilt from the database for version N, so a redelivery after a crash between commit
//! and publish heals it, and a redelivery after success only re-publishes (de-duplicated by NATS).

use std::collections::{BTreeMap, HashMap};

use async_nats::jetstream::kv;
use bytes::Bytes;
use jvap_bus::{Bus, Outcome};
use jvap_core::dataset::{self, DatasetMeta};
use jvap_core::messages::{self as m, DatasetPublished, SubmissionValidated};
use jvap_core::{Initiative, Issue, Severity};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::store::{NewInitiative, Store};

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

    /// Apply the submission (unless already applied) and publish its dataset version.
    pub async fn process(&self, submission: &SubmissionValidated) -> Result<u32> {
        let version = match self.store.applied(&submission.submission_id).await? {
            Some(version) => version,
            None => {
                let records = self.records(&submission.submission_id).await?;
                self.apply(submission, &records).await?
            }
        };
        self.publish(&submission.round, version).await?;
        self.bus
            .update_status(&submission.submission_id, |status| {
                status.dataset_version = Some(version);
            })
            .await?;
        Ok(version)
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
        let mut warnings = warnings_by_row(&report.issues);
        Ok(records
            .into_iter()
            .map(|record| {
                let key = (record.source.sheet.clone(), record.source.row);
                NewInitiative {
                    warnings: warnings.remove(&key).unwrap_or_default(),
                    record,
                }
            })
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
    /// that are missing, the round's latest version in KV (never moved backwards), and the message.
    pub async fn publish(&self, round: &str, version: u32) -> Result<DatasetPublished> {
        let info =
            self.store.version(round, version).await?.ok_or_else(|| {
                Error::Corrupt(format!("no dataset version {version} of {round}"))
            })?;
        let prefix = format!("{round}/v{version}");
        let objects: BTreeMap<String, String> = ["xlsx", "json", "csv"]
            .into_iter()
            .map(|format| (format.to_string(), format!("{prefix}/dataset.{format}")))
            .collect();
        let mut missing = Vec::new();
        for (format, name) in &objects {
            if !self.object_exists(name).await? {
                missing.push((format.as_str(), name.as_str()));
            }
        }
        if !missing.is_empty() {
            let initiatives = self.store.initiatives_at(round, version).await?;
            let meta = DatasetMeta {
                round: round.to_string(),
                version,
                generated_at: info.published_at,
            };
            // Until the publisher builds the tracker and the previous version (another change), the
            // figures see the partners with initiatives and no change log.
            let mut counts = std::collections::BTreeMap::new();
            for initiative in &initiatives {
                *counts.entry(initiative.partner.clone()).or_insert(0) += 1;
            }
            let tracker = jvap_core::tracker::Tracker::build(round, &[], &[], &counts);
            let data = jvap_core::outputs::RoundData {
                meta: &meta,
                initiatives: &initiatives,
                previous: None,
                tracker: &tracker,
            };
            let figures = jvap_core::figures::Figures::compute(&data);
            for (format, name) in missing {
                let bytes = match format {
                    "xlsx" => dataset::write_xlsx(&data, &figures)?,
                    "json" => dataset::write_json(&data, &figures)?,
                    _ => dataset::write_csv(&meta, &initiatives)?,
                };
                self.bus.datasets.put(name, &bytes).await?;
            }
        }
        let published = DatasetPublished {
            round: round.to_string(),
            version,
            objects,
            initiatives: info.initiatives,
            submission_id: info.submission_id,
            published_at: info.published_at,
        };
        self.set_latest(&published).await?;
        self.bus
            .publish(
                m::SUBJECT_DATASET_PUBLISHED,
                &format!("{round}-v{version}"),
                &published,
            )
            .await?;
        Ok(published)
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

/// The warnings of each row, as `code@CELL` (or just the code when the issue has no cell).
fn warnings_by_row(issues: &[Issue]) -> HashMap<(Option<String>, u32), Vec<String>> {
    let mut by_row: HashMap<(Option<String>, u32), Vec<String>> = HashMap::new();
    for issue in issues.iter().filter(|i| i.severity == Severity::Warning) {
        let Some(row) = issue.row else { continue };
        let text = match &issue.cell {
            Some(cell) => format!("{}@{cell}", issue.code),
            None => issue.code.clone(),
        };
        by_row
            .entry((issue.sheet.clone(), row))
            .or_default()
            .push(text);
    }
    by_row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(
        severity: Severity,
        code: &str,
        sheet: Option<&str>,
        cell: Option<&str>,
        row: Option<u32>,
    ) -> Issue {
        Issue {
            severity,
            code: code.into(),
            sheet: sheet.map(String::from),
            cell: cell.map(String::from),
            row,
            column: None,
            value: None,
            message_en: String::new(),
            message_fr: String::new(),
        }
    }

    #[test]
    fn warnings_are_grouped_by_sheet_and_row_as_code_at_cell_and_errors_are_left_out() {
        let issues = vec![
            issue(
                Severity::Warning,
                "currency.assumed_eur",
                Some("Initiatives"),
                Some("S9"),
                Some(9),
            ),
            issue(
                Severity::Warning,
                "description.empty",
                Some("Initiatives"),
                Some("D9"),
                Some(9),
            ),
            issue(
                Severity::Warning,
                "x.other_sheet",
                Some("Policies"),
                Some("B9"),
                Some(9),
            ),
            issue(
                Severity::Error,
                "date.unparseable",
                Some("Initiatives"),
                Some("G9"),
                Some(9),
            ),
            issue(Severity::Warning, "file.formulas", None, None, None),
            issue(Severity::Warning, "csv.row", None, None, Some(3)),
        ];
        let by_row = warnings_by_row(&issues);
        assert_eq!(
            by_row[&(Some("Initiatives".into()), 9)],
            vec!["currency.assumed_eur@S9", "description.empty@D9"]
        );
        assert_eq!(
            by_row[&(Some("Policies".into()), 9)],
            vec!["x.other_sheet@B9"]
        );
        assert_eq!(by_row[&(None, 3)], vec!["csv.row"]);
        assert_eq!(by_row.len(), 3);
    }
}
