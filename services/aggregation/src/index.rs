//! What a dataset version holds, read back at a cost that grows with what the version changed, not
//! with the round or its history: its counts by partner (kept in its row when it commits), the
//! partners its transaction touched and its change log against the previous version (from the rows
//! it started and ended), the round tracker as it stood when it committed, and which versions have
//! their files built.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use jvap_outputs::DatasetInitiative;
use jvap_outputs::changes::ChangeLog;
use jvap_record::tracker::Tracker;
use sqlx::any::AnyRow;

use crate::error::{Error, Result};
use crate::store::{AssertAt, Store, by_partner_of, in_dataset_order, timestamp, to_u32};

impl Store {
    /// How many initiatives each partner has in dataset version `version` (partners with none left
    /// out), as kept when it committed; counted from the rows for a version committed before counts
    /// were kept.
    pub async fn counts(&self, round: &str, version: u32) -> Result<BTreeMap<String, u64>> {
        let kept: Option<Option<String>> = sqlx::query_scalar(
            "SELECT by_partner_json FROM dataset_versions WHERE round = $1 AND version = $2",
        )
        .bind(round)
        .bind(i64::from(version))
        .fetch_optional(self.pool())
        .await?;
        match kept {
            Some(Some(json)) => by_partner_of(&json),
            _ => self.initiatives_by_partner(round, version).await,
        }
    }

    /// The partners whose initiatives version `version` changed: those of the rows it started or
    /// ended (one partner for a submission or a rebuild).
    pub async fn touched_partners(&self, round: &str, version: u32) -> Result<Vec<String>> {
        let partners: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT partner FROM initiatives WHERE round = $1 AND from_version = $2 \
             UNION SELECT DISTINCT partner FROM initiatives WHERE round = $1 AND to_version = $2",
        )
        .bind(round)
        .bind(i64::from(version))
        .fetch_all(self.pool())
        .await?;
        let sorted: BTreeSet<String> = partners.into_iter().collect();
        Ok(sorted.into_iter().collect())
    }

    /// The initiatives of `partners` in dataset version `version`, in the dataset's order.
    pub async fn initiatives_of(
        &self,
        round: &str,
        version: u32,
        partners: &[String],
    ) -> Result<Vec<DatasetInitiative>> {
        let mut rows: Vec<AnyRow> = Vec::new();
        for partner in partners {
            let sql = sqlx::AssertSqlSafe(format!("{} AND partner = $3", AssertAt::select().0));
            rows.extend(
                sqlx::query(sql)
                    .bind(round)
                    .bind(i64::from(version))
                    .bind(partner)
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        in_dataset_order(&rows)
    }

    /// The change log of dataset version `version` against the one before (none for the first),
    /// from the rows of the partners it touched: every other partner's rows are the same in both.
    pub async fn changes(&self, round: &str, version: u32) -> Result<ChangeLog> {
        let touched = self.touched_partners(round, version).await?;
        let current = self.initiatives_of(round, version, &touched).await?;
        match version.checked_sub(1).filter(|v| *v > 0) {
            Some(previous) => {
                let before = self.initiatives_of(round, previous, &touched).await?;
                Ok(ChangeLog::between(Some(previous), &before, &current))
            }
            None => Ok(ChangeLog::between(None, &[], &current)),
        }
    }

    /// The round tracker kept with version `version` when it committed, if it was taken.
    pub async fn tracker(&self, round: &str, version: u32) -> Result<Option<Tracker>> {
        let kept: Option<Option<String>> = sqlx::query_scalar(
            "SELECT tracker_json FROM dataset_versions WHERE round = $1 AND version = $2",
        )
        .bind(round)
        .bind(i64::from(version))
        .fetch_optional(self.pool())
        .await?;
        kept.flatten()
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| Error::Corrupt(format!("a kept tracker does not decode: {e}")))
            })
            .transpose()
    }

    /// Keep `tracker` with version `version` unless one is kept already, and return the one kept:
    /// the first taken wins, so every build of the version uses the same.
    pub async fn keep_tracker(
        &self,
        round: &str,
        version: u32,
        tracker: &Tracker,
    ) -> Result<Tracker> {
        let json = serde_json::to_string(tracker)
            .map_err(|e| Error::Corrupt(format!("cannot encode a tracker as JSON: {e}")))?;
        sqlx::query(
            "UPDATE dataset_versions SET tracker_json = $1 \
             WHERE round = $2 AND version = $3 AND tracker_json IS NULL",
        )
        .bind(json)
        .bind(round)
        .bind(i64::from(version))
        .execute(self.pool())
        .await?;
        self.tracker(round, version).await?.ok_or_else(|| {
            Error::Corrupt(format!(
                "no dataset version {version} of {round} to keep a tracker with"
            ))
        })
    }

    /// Record that every file of version `version` is in the `datasets` store.
    pub async fn record_files(&self, round: &str, version: u32) -> Result<()> {
        sqlx::query(
            "INSERT INTO dataset_files (round, version, built_at) VALUES ($1, $2, $3) \
             ON CONFLICT (round, version) DO NOTHING",
        )
        .bind(round)
        .bind(i64::from(version))
        .bind(timestamp(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The versions of `round` older than `before` whose files are in the `datasets` store.
    pub async fn built_before(&self, round: &str, before: u32) -> Result<Vec<u32>> {
        let versions: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM dataset_files WHERE round = $1 AND version < $2 ORDER BY version",
        )
        .bind(round)
        .bind(i64::from(before))
        .fetch_all(self.pool())
        .await?;
        versions.into_iter().map(to_u32).collect()
    }

    /// Every version of `round` whose files are in the `datasets` store.
    pub async fn built(&self, round: &str) -> Result<Vec<u32>> {
        self.built_before(round, u32::MAX).await
    }

    /// Forget that version `version` has its files (they were removed).
    pub async fn forget_files(&self, round: &str, version: u32) -> Result<()> {
        sqlx::query("DELETE FROM dataset_files WHERE round = $1 AND version = $2")
            .bind(round)
            .bind(i64::from(version))
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
