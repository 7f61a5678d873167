//! The database: submissions, every version of every initiative, and the published dataset versions.
//!
//! One set of migrations and queries serves SQLite and PostgreSQL through sqlx's `Any` driver (`$1`
//! placeholders work on both: sqlx-sqlite binds `$N` by its number). Values are restricted to what
//! both backends and `Any` carry: TEXT and BIGINT, timestamps as RFC 3339 text, JSON as text.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use jvap_outputs::DatasetInitiative;
use jvap_record::Initiative;
use jvap_record::Verdict;
use jvap_record::messages::{Mode, SubmissionValidated};
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, Row, SqlSafeStr};

use crate::config::Database;
use crate::error::{Error, Result};

/// The migrations, embedded at compile time (without sqlx's `macros` feature, which would build
/// the database drivers a second time for the host).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "versions",
        include_str!("../migrations/0001_versions.sql"),
    ),
    (
        2,
        "deliveries",
        include_str!("../migrations/0002_deliveries.sql"),
    ),
    (
        3,
        "revalidations",
        include_str!("../migrations/0003_revalidations.sql"),
    ),
    (
        4,
        "reminders",
        include_str!("../migrations/0004_reminders.sql"),
    ),
    (
        5,
        "version_index",
        include_str!("../migrations/0005_version_index.sql"),
    ),
    (6, "ids", include_str!("../migrations/0006_ids.sql")),
];

/// The version of the newest migration: the schema this build reads and writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The rows of dataset version N: current from N and not yet ended at N. Binds `$1` round, `$2` N.
pub(crate) const AT_VERSION: &str =
    "round = $1 AND from_version <= $2 AND (to_version IS NULL OR to_version > $2)";

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

pub use crate::incoming::NewInitiative;

/// The result of applying a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The dataset version the submission led to.
    pub version: u32,
    /// False when the submission had already been applied (a redelivery).
    pub newly: bool,
}

/// A revalidated outcome (an admin's replay or round revalidation) of a submission already applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Revalidated {
    pub submission_id: String,
    pub partner: String,
    pub round: String,
    /// The run id.
    pub revalidation: String,
    pub verdict: Verdict,
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    /// The new dataset version, or `None` when the partner's initiatives came out the same (or the
    /// outcome was older than one already handled for the submission).
    pub version: Option<u32>,
    /// False when this outcome had already been handled (a redelivery).
    pub newly: bool,
    /// True when a newer run's outcome for the submission was handled already: this one changed
    /// nothing, and says nothing of the submission's place in the dataset.
    pub superseded: bool,
}

/// An applied submission of a partner, in the order it was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedSubmission {
    pub submission_id: String,
    pub mode: Mode,
    /// The version its acceptance led to (its place in the order of acceptance).
    pub dataset_version: u32,
    /// The run that rejected it since, if one did: rebuilds leave it out.
    pub rejected_by: Option<String>,
}

/// One row of a partner's initiatives, as a rebuild compares them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PartnerRow {
    submission_id: String,
    seq: i64,
    partner_ref: Option<String>,
    jvap_id: Option<String>,
    record_json: String,
    warnings_json: String,
}

impl PartnerRow {
    /// The `seq`-th initiative of a submission, as it is stored.
    pub(crate) fn new(submission_id: &str, seq: usize, new: &NewInitiative) -> Result<PartnerRow> {
        Ok(PartnerRow {
            submission_id: submission_id.to_string(),
            seq: i64::try_from(seq).unwrap_or(i64::MAX),
            partner_ref: new.record.partner_ref.clone(),
            jvap_id: new.record.jvap_id.clone(),
            record_json: serde_json::to_string(&new.record)
                .map_err(|e| Error::Corrupt(format!("cannot encode a record as JSON: {e}")))?,
            warnings_json: serde_json::to_string(&new.warnings)
                .map_err(|e| Error::Corrupt(format!("cannot encode warnings as JSON: {e}")))?,
        })
    }
}

/// One published dataset version.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub round: String,
    pub version: u32,
    pub submission_id: String,
    pub published_at: DateTime<Utc>,
    pub initiatives: u64,
}

/// One version of one initiative: current in dataset versions `from_version..to_version`.
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativeVersion {
    pub partner: String,
    pub submission_id: String,
    pub from_version: u32,
    /// The first dataset version without this row; `None` while it is current.
    pub to_version: Option<u32>,
    pub record: Initiative,
    pub warnings: Vec<String>,
}

impl Store {
    /// Connect (creating a SQLite file and its directory when missing, in WAL mode). Does not migrate.
    pub async fn connect(database: &Database) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend, max) = match database {
            Database::Postgres(url) => (url.clone(), Backend::Postgres, 8),
            Database::Sqlite(path) => (sqlite_url(path).await?, Backend::Sqlite, 4),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .connect(&url)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Apply the migrations not yet applied (a no-op when all are).
    pub async fn migrate(&self) -> Result<()> {
        self.migrate_to(SCHEMA_VERSION).await?;
        let given = Box::pin(crate::ids::assign_missing(&self.pool)).await?;
        if given > 0 {
            tracing::info!(given, "JVAP ids given to the initiatives stored before ids");
        }
        Ok(())
    }

    /// Apply the migrations not yet applied up to `version` included (a restore loads rows into
    /// the schema they were dumped from, then migrates the rest).
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        let migrations = MIGRATIONS
            .iter()
            .filter(|(number, _, _)| *number <= version)
            .map(|(number, description, sql)| {
                Migration::new(
                    *number,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for queries the API below does not cover (tests count migrations with it).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The dataset version a submission led to, if it has been applied.
    pub async fn applied(&self, submission_id: &str) -> Result<Option<u32>> {
        applied_version(&self.pool, submission_id).await
    }

    /// Apply an accepted submission in one transaction, in the round's next dataset version: record
    /// it ([`record_submission`]), end the initiatives it supersedes ([`end_superseded`]), add its
    /// own ([`insert_row`]). Idempotent by submission id.
    ///
    /// Two writers taking the same version conflict on the `(round, version)` key; the loser gets
    /// [`Error::VersionTaken`] and nothing of its work is kept.
    pub async fn apply(
        &self,
        submission: &SubmissionValidated,
        records: &[NewInitiative],
    ) -> Result<Applied> {
        let mut tx = self.pool.begin().await?;
        if let Some(version) = applied_version(&mut *tx, &submission.submission_id).await? {
            tx.rollback().await?;
            return Ok(Applied {
                version,
                newly: false,
            });
        }
        // Taken first, so a racing writer of the same round waits here and then fails early.
        let version =
            take_next_version(&mut tx, &submission.round, &submission.submission_id, None).await?;
        let taken = version_taken(&submission.round, version);
        record_submission(&mut tx, submission, records.len(), version)
            .await
            .map_err(&taken)?;
        // Boxed, as every large future here: inline it made the service's future overflow a debug stack.
        let records = Box::pin(crate::ids::assign(&mut tx, submission, records, &taken)).await?;
        end_superseded(&mut tx, submission, &records, version).await?;
        Box::pin(crate::ids::end_updated(
            &mut tx, submission, &records, version,
        ))
        .await?;
        for (seq, new) in records.iter().enumerate() {
            let row = PartnerRow::new(&submission.submission_id, seq, new)?;
            insert_row(
                &mut tx,
                &submission.round,
                &submission.partner,
                &row,
                version,
            )
            .await?;
        }
        set_initiative_count(&mut tx, &submission.round, &submission.partner, version).await?;
        tx.commit().await.map_err(&taken)?;
        Ok(Applied {
            version: to_u32(version)?,
            newly: true,
        })
    }

    /// Every applied submission of a partner in a round (rejected since or not), in the order of
    /// acceptance.
    pub async fn partner_submissions(
        &self,
        round: &str,
        partner: &str,
    ) -> Result<Vec<AppliedSubmission>> {
        let rows = sqlx::query(
            "SELECT submission_id, mode, dataset_version, rejected_by FROM submissions \
             WHERE round = $1 AND partner = $2 ORDER BY dataset_version",
        )
        .bind(round)
        .bind(partner)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let mode: String = row.try_get("mode")?;
                Ok(AppliedSubmission {
                    submission_id: row.try_get("submission_id")?,
                    mode: mode
                        .parse()
                        .map_err(|e: jvap_record::Said| Error::Corrupt(e.en))?,
                    dataset_version: to_u32(row.try_get("dataset_version")?)?,
                    rejected_by: row.try_get("rejected_by")?,
                })
            })
            .collect()
    }

    /// Rebuild a partner's initiatives after a revalidated outcome of one of its applied
    /// submissions, in one transaction: the submission is kept (accepted) or left out (rejected),
    /// then the partner's accepted submissions are applied again in their original order of
    /// acceptance (replace and merge by `partner_ref`), with `records` (each submission's records
    /// as validation last left them). Rows that differ from the current ones end, new ones start,
    /// in the round's next version; when nothing differs no version is taken. Idempotent by
    /// submission and run; an outcome older than one already handled for the submission changes
    /// nothing.
    ///
    /// `records` must hold every accepted submission of the partner (the one revalidated included,
    /// when accepted); a submission applied meanwhile gives [`Error::Changed`], to try again.
    pub async fn rebuild(
        &self,
        outcome: &Revalidated,
        records: &BTreeMap<String, Vec<NewInitiative>>,
    ) -> Result<Rebuilt> {
        let mut tx = self.pool.begin().await?;
        let handled: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT dataset_version FROM revalidations WHERE submission_id = $1 AND revalidation = $2",
        )
        .bind(&outcome.submission_id)
        .bind(&outcome.revalidation)
        .fetch_optional(&mut *tx)
        .await?;
        // Run ids sort by time: a late redelivery of an older run must not undo a newer one.
        let newer: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM revalidations WHERE submission_id = $1 AND revalidation > $2",
        )
        .bind(&outcome.submission_id)
        .bind(&outcome.revalidation)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(version) = handled {
            tx.rollback().await?;
            return Ok(Rebuilt {
                version: version.map(to_u32).transpose()?,
                newly: false,
                superseded: newer > 0,
            });
        }
        let verdict = match outcome.verdict {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
        };
        let record_handled = |version: Option<i64>| {
            sqlx::query(
                "INSERT INTO revalidations \
                 (submission_id, revalidation, round, verdict, dataset_version, handled_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(outcome.submission_id.clone())
            .bind(outcome.revalidation.clone())
            .bind(outcome.round.clone())
            .bind(verdict)
            .bind(version)
            .bind(timestamp(Utc::now()))
        };
        if newer > 0 {
            record_handled(None).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(Rebuilt {
                version: None,
                newly: true,
                superseded: true,
            });
        }

        // The version first, as in `apply`: a racing writer of the round waits here.
        let version = take_next_version(
            &mut tx,
            &outcome.round,
            &outcome.submission_id,
            Some(outcome.revalidation.as_str()),
        )
        .await?;
        let taken = version_taken(&outcome.round, version);
        let rejected_by = match outcome.verdict {
            Verdict::Accepted => None,
            Verdict::Rejected => Some(outcome.revalidation.as_str()),
        };
        sqlx::query("UPDATE submissions SET rejected_by = $1 WHERE submission_id = $2")
            .bind(rejected_by)
            .bind(&outcome.submission_id)
            .execute(&mut *tx)
            .await?;

        let accepted = sqlx::query(
            "SELECT submission_id, mode FROM submissions \
             WHERE round = $1 AND partner = $2 AND rejected_by IS NULL ORDER BY dataset_version",
        )
        .bind(&outcome.round)
        .bind(&outcome.partner)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            let mode: String = row.try_get("mode")?;
            Ok((
                row.try_get("submission_id")?,
                mode.parse()
                    .map_err(|e: jvap_record::Said| Error::Corrupt(e.en))?,
            ))
        })
        .collect::<Result<Vec<(String, Mode)>>>()?;
        let records = Box::pin(crate::ids::keep_for_rebuild(
            &mut tx,
            &outcome.round,
            &outcome.partner,
            records,
            &taken,
        ))
        .await?;
        let desired = replay(&accepted, &records)?;
        let current = sqlx::query(
            "SELECT submission_id, seq, partner_ref, jvap_id, record_json, warnings_json, from_version \
             FROM initiatives WHERE round = $1 AND partner = $2 AND to_version IS NULL",
        )
        .bind(&outcome.round)
        .bind(&outcome.partner)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            let current = PartnerRow {
                submission_id: row.try_get("submission_id")?,
                seq: row.try_get("seq")?,
                partner_ref: row.try_get("partner_ref")?,
                jvap_id: row.try_get("jvap_id")?,
                record_json: row.try_get("record_json")?,
                warnings_json: row.try_get("warnings_json")?,
            };
            Ok((current, row.try_get::<i64, _>("from_version")?))
        })
        .collect::<Result<Vec<(PartnerRow, i64)>>>()?;
        let (ends, adds) = difference(&current, &desired);

        if ends.is_empty() && adds.is_empty() {
            // The same dataset: give the version back, keep the verdict.
            sqlx::query("DELETE FROM dataset_versions WHERE round = $1 AND version = $2")
                .bind(&outcome.round)
                .bind(version)
                .execute(&mut *tx)
                .await?;
            record_handled(None).execute(&mut *tx).await?;
            tx.commit().await.map_err(&taken)?;
            return Ok(Rebuilt {
                version: None,
                newly: true,
                superseded: false,
            });
        }
        for (row, from_version) in ends {
            sqlx::query(
                "UPDATE initiatives SET to_version = $1 \
                 WHERE submission_id = $2 AND seq = $3 AND from_version = $4 AND to_version IS NULL",
            )
            .bind(version)
            .bind(&row.submission_id)
            .bind(row.seq)
            .bind(from_version)
            .execute(&mut *tx)
            .await?;
        }
        for row in adds {
            insert_row(&mut tx, &outcome.round, &outcome.partner, &row, version).await?;
        }
        set_initiative_count(&mut tx, &outcome.round, &outcome.partner, version).await?;
        record_handled(Some(version)).execute(&mut *tx).await?;
        tx.commit().await.map_err(&taken)?;
        Ok(Rebuilt {
            version: Some(to_u32(version)?),
            newly: true,
            superseded: false,
        })
    }

    /// The latest version of a round, if any was published.
    pub async fn latest_version(&self, round: &str) -> Result<Option<u32>> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM dataset_versions WHERE round = $1")
                .bind(round)
                .fetch_one(&self.pool)
                .await?;
        version.map(to_u32).transpose()
    }

    /// One published version of a round.
    pub async fn version(&self, round: &str, version: u32) -> Result<Option<VersionInfo>> {
        let row = sqlx::query(
            "SELECT round, version, submission_id, published_at, initiatives \
             FROM dataset_versions WHERE round = $1 AND version = $2",
        )
        .bind(round)
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(version_info).transpose()
    }

    /// Every published version of a round, oldest first.
    pub async fn versions(&self, round: &str) -> Result<Vec<VersionInfo>> {
        let rows = sqlx::query(
            "SELECT round, version, submission_id, published_at, initiatives \
             FROM dataset_versions WHERE round = $1 ORDER BY version",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_info).collect()
    }

    /// The initiatives of dataset version `version`, sorted by partner, then source sheet and row
    /// (then submission and position, so the order is total and the build reproducible).
    pub async fn initiatives_at(
        &self,
        round: &str,
        version: u32,
    ) -> Result<Vec<DatasetInitiative>> {
        let rows = sqlx::query(AssertAt::select())
            .bind(round)
            .bind(i64::from(version))
            .fetch_all(&self.pool)
            .await?;
        in_dataset_order(&rows)
    }

    /// How many initiatives each partner has in dataset version `version` (partners with none are
    /// left out), in partner-code order.
    pub async fn initiatives_by_partner(
        &self,
        round: &str,
        version: u32,
    ) -> Result<BTreeMap<String, u64>> {
        let rows = sqlx::query(AssertAt::count_by_partner())
            .bind(round)
            .bind(i64::from(version))
            .fetch_all(&self.pool)
            .await?;
        counts_of(&rows)
    }

    /// Every version of one initiative (by the partner's reference), oldest first.
    pub async fn history(
        &self,
        round: &str,
        partner: &str,
        partner_ref: &str,
    ) -> Result<Vec<InitiativeVersion>> {
        let rows = sqlx::query(
            "SELECT partner, submission_id, seq, jvap_id, record_json, warnings_json, from_version, \
             to_version FROM initiatives WHERE round = $1 AND partner = $2 AND partner_ref = $3 \
             ORDER BY from_version, submission_id, seq",
        )
        .bind(round)
        .bind(partner)
        .bind(partner_ref)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(initiative_version).collect()
    }
}

/// Rows of `initiatives` as dataset initiatives, sorted by partner, then source sheet and row (then
/// submission and position, so the order is total and the build reproducible).
pub(crate) fn in_dataset_order(rows: &[AnyRow]) -> Result<Vec<DatasetInitiative>> {
    let mut keyed = rows
        .iter()
        .map(|row| {
            let version = initiative_version(row)?;
            let seq: i64 = row.try_get("seq")?;
            Ok((seq, version))
        })
        .collect::<Result<Vec<_>>>()?;
    keyed.sort_by(|(seq_a, a), (seq_b, b)| {
        (
            &a.partner,
            &a.record.source.sheet,
            a.record.source.row,
            &a.submission_id,
            seq_a,
        )
            .cmp(&(
                &b.partner,
                &b.record.source.sheet,
                b.record.source.row,
                &b.submission_id,
                seq_b,
            ))
    });
    Ok(keyed
        .into_iter()
        .map(|(_, v)| DatasetInitiative {
            partner: v.partner,
            submission_id: v.submission_id,
            record: v.record,
            warnings: v.warnings,
        })
        .collect())
}

/// Counts by partner as kept in `dataset_versions.by_partner_json`.
pub(crate) fn by_partner_of(json: &str) -> Result<BTreeMap<String, u64>> {
    serde_json::from_str(json)
        .map_err(|e| Error::Corrupt(format!("kept counts do not decode: {e}")))
}

/// Counts by partner from rows of `partner` and `initiatives` (a `GROUP BY partner`).
pub(crate) fn counts_of(rows: &[AnyRow]) -> Result<BTreeMap<String, u64>> {
    rows.iter()
        .map(|row| {
            let partner: String = row.try_get("partner")?;
            let count: i64 = row.try_get("initiatives")?;
            let count = u64::try_from(count)
                .map_err(|_| Error::Corrupt("negative initiative count".into()))?;
            Ok((partner, count))
        })
        .collect()
}

/// A partner's rows after applying `accepted` (submission id and mode, in order of acceptance) one
/// after the other, as [`Store::apply`] does: replace ends every row, merge those whose
/// `partner_ref` or JVAP id comes again.
fn replay(
    accepted: &[(String, Mode)],
    records: &BTreeMap<String, Vec<NewInitiative>>,
) -> Result<Vec<PartnerRow>> {
    let mut rows: Vec<PartnerRow> = Vec::new();
    for (submission_id, mode) in accepted {
        let new = records.get(submission_id).ok_or_else(|| {
            Error::Changed(format!(
                "submission {submission_id} was applied while the partner's initiatives were rebuilt"
            ))
        })?;
        match mode {
            Mode::Replace => rows.clear(),
            Mode::Merge => {
                let references: BTreeSet<&str> = new
                    .iter()
                    .filter_map(|n| n.record.partner_ref.as_deref())
                    .collect();
                let ids: BTreeSet<&str> = new
                    .iter()
                    .filter_map(|n| n.record.jvap_id.as_deref())
                    .collect();
                rows.retain(|row| {
                    row.partner_ref
                        .as_deref()
                        .is_none_or(|reference| !references.contains(reference))
                        && row.jvap_id.as_deref().is_none_or(|id| !ids.contains(id))
                });
            }
        }
        for (seq, initiative) in new.iter().enumerate() {
            rows.push(PartnerRow::new(submission_id, seq, initiative)?);
        }
    }
    Ok(rows)
}

/// What turns `current` (rows with their `from_version`) into `desired`: the rows to end and the
/// rows to add. A row equal to a current one (same submission, position, record and warnings) stays.
fn difference(
    current: &[(PartnerRow, i64)],
    desired: &[PartnerRow],
) -> (Vec<(PartnerRow, i64)>, Vec<PartnerRow>) {
    let mut wanted: HashMap<&PartnerRow, usize> = HashMap::new();
    for row in desired {
        *wanted.entry(row).or_default() += 1;
    }
    let mut ends = Vec::new();
    for (row, from_version) in current {
        match wanted.get_mut(row) {
            Some(count) if *count > 0 => *count -= 1,
            _ => ends.push((row.clone(), *from_version)),
        }
    }
    let mut adds = Vec::new();
    for row in desired {
        if let Some(count) = wanted.get_mut(row)
            && *count > 0
        {
            *count -= 1;
            adds.push(row.clone());
        }
    }
    (ends, adds)
}

/// The queries over [`AT_VERSION`], as static strings (sqlx 0.9 takes only `&'static str` or
/// an asserted-safe string; these are built from constants only).
pub(crate) struct AssertAt;

impl AssertAt {
    /// Binds `$3` the partner.
    pub(crate) fn count_of_partner() -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM initiatives WHERE {AT_VERSION} AND partner = $3"
        ))
    }

    pub(crate) fn count_by_partner() -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(format!(
            "SELECT partner, COUNT(*) AS initiatives FROM initiatives WHERE {AT_VERSION} \
             GROUP BY partner ORDER BY partner"
        ))
    }

    pub(crate) fn select() -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(format!(
            "SELECT partner, submission_id, seq, jvap_id, record_json, warnings_json, \
             from_version, to_version FROM initiatives WHERE {AT_VERSION}"
        ))
    }
}

/// Create the file (and its directory) in WAL mode with the native driver, then name it by URL for
/// `Any`. WAL is a property of the file, so every later connection uses it.
async fn sqlite_url(path: &Path) -> Result<String> {
    let path = std::path::absolute(path).map_err(|source| Error::DataDir {
        path: path.display().to_string(),
        source,
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    options.connect().await?.close().await?;
    Ok(options.to_url_lossy().to_string())
}

fn version_info(row: &AnyRow) -> Result<VersionInfo> {
    let published_at: String = row.try_get("published_at")?;
    Ok(VersionInfo {
        round: row.try_get("round")?,
        version: to_u32(row.try_get("version")?)?,
        submission_id: row.try_get("submission_id")?,
        published_at: parse_timestamp(&published_at)?,
        initiatives: u64::try_from(row.try_get::<i64, _>("initiatives")?)
            .map_err(|_| Error::Corrupt("negative initiative count".into()))?,
    })
}

pub(crate) fn initiative_version(row: &AnyRow) -> Result<InitiativeVersion> {
    let record: String = row.try_get("record_json")?;
    let warnings: String = row.try_get("warnings_json")?;
    let to_version: Option<i64> = row.try_get("to_version")?;
    let jvap_id: Option<String> = row.try_get("jvap_id")?;
    let mut record: Initiative = serde_json::from_str(&record)
        .map_err(|e| Error::Corrupt(format!("a stored record does not decode: {e}")))?;
    // The column is the truth: rows stored before ids got theirs there only.
    if jvap_id.is_some() {
        record.jvap_id = jvap_id;
    }
    Ok(InitiativeVersion {
        partner: row.try_get("partner")?,
        submission_id: row.try_get("submission_id")?,
        from_version: to_u32(row.try_get("from_version")?)?,
        to_version: to_version.map(to_u32).transpose()?,
        record,
        warnings: serde_json::from_str(&warnings)
            .map_err(|e| Error::Corrupt(format!("stored warnings do not decode: {e}")))?,
    })
}

/// The dataset version a submission led to, when it was applied already: on the pool, or inside
/// a transaction.
async fn applied_version<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    submission_id: &str,
) -> Result<Option<u32>> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT dataset_version FROM submissions WHERE submission_id = $1")
            .bind(submission_id)
            .fetch_optional(executor)
            .await?;
    version.map(to_u32).transpose()
}

/// The first step of [`Store::apply`]: the submission is recorded as leading to `version`.
async fn record_submission(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    submission: &SubmissionValidated,
    records: usize,
    version: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO submissions \
         (submission_id, partner, round, mode, accepted_at, dataset_version, records) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&submission.submission_id)
    .bind(&submission.partner)
    .bind(&submission.round)
    .bind(mode_name(submission.mode))
    .bind(timestamp(submission.validated_at))
    .bind(version)
    .bind(i64::try_from(records).unwrap_or(i64::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The second step of [`Store::apply`]: the partner's current initiatives that the submission
/// supersedes end at `version`: all of them for a replace, those whose `partner_ref` comes again for
/// a merge.
async fn end_superseded(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    submission: &SubmissionValidated,
    records: &[NewInitiative],
    version: i64,
) -> Result<()> {
    match submission.mode {
        Mode::Replace => {
            sqlx::query(
                "UPDATE initiatives SET to_version = $1 \
                 WHERE round = $2 AND partner = $3 AND to_version IS NULL",
            )
            .bind(version)
            .bind(&submission.round)
            .bind(&submission.partner)
            .execute(&mut **tx)
            .await?;
        }
        Mode::Merge => {
            for reference in records
                .iter()
                .filter_map(|r| r.record.partner_ref.as_deref())
            {
                sqlx::query(
                    "UPDATE initiatives SET to_version = $1 \
                     WHERE round = $2 AND partner = $3 AND partner_ref = $4 \
                     AND to_version IS NULL",
                )
                .bind(version)
                .bind(&submission.round)
                .bind(&submission.partner)
                .bind(reference)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(())
}

/// The third step of [`Store::apply`], and how a rebuild adds a row: one initiative of `partner`
/// in `round`, current from `version`.
pub(crate) async fn insert_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: &str,
    partner: &str,
    row: &PartnerRow,
    version: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO initiatives (submission_id, seq, round, partner, partner_ref, \
         record_json, warnings_json, from_version, to_version, jvap_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
    )
    .bind(&row.submission_id)
    .bind(row.seq)
    .bind(round)
    .bind(partner)
    .bind(row.partner_ref.as_deref())
    .bind(&row.record_json)
    .bind(&row.warnings_json)
    .bind(version)
    .bind(row.jvap_id.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Take the next dataset version of `round` for `submission_id` (and the admin's run that led to it),
/// inside `tx`. Taking it first makes a racing writer of the round wait, then fail with
/// [`Error::VersionTaken`] on the unique `(round, version)`.
pub(crate) async fn take_next_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: &str,
    submission_id: &str,
    revalidation: Option<&str>,
) -> Result<i64> {
    let previous: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE round = $1",
    )
    .bind(round)
    .fetch_one(&mut **tx)
    .await?;
    let version = previous + 1;
    sqlx::query(
        "INSERT INTO dataset_versions \
         (round, version, submission_id, published_at, initiatives, revalidation) \
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(round)
    .bind(version)
    .bind(submission_id)
    .bind(timestamp(Utc::now()))
    .bind(revalidation)
    .execute(&mut **tx)
    .await
    .map_err(version_taken(round, version))?;
    Ok(version)
}

/// Record in `dataset_versions` how many initiatives `version` of `round` holds, in all and by
/// partner, as written in `tx`. A version changes one partner's rows (`partner`), so it is the
/// previous version's counts with that partner's counted again: the cost grows with the partner's
/// rows, not the round's. Before the previous version had its counts kept (a database of an
/// earlier jvap), the whole version is counted once.
async fn set_initiative_count(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: &str,
    partner: &str,
    version: i64,
) -> Result<()> {
    let previous: Option<Option<String>> = sqlx::query_scalar(
        "SELECT by_partner_json FROM dataset_versions WHERE round = $1 AND version = $2",
    )
    .bind(round)
    .bind(version - 1)
    .fetch_optional(&mut **tx)
    .await?;
    let mut by_partner: BTreeMap<String, u64> = match previous {
        None => BTreeMap::new(),
        Some(Some(json)) => by_partner_of(&json)?,
        Some(None) => {
            let rows = sqlx::query(AssertAt::count_by_partner())
                .bind(round)
                .bind(version)
                .fetch_all(&mut **tx)
                .await?;
            counts_of(&rows)?
        }
    };
    let count: i64 = sqlx::query_scalar(AssertAt::count_of_partner())
        .bind(round)
        .bind(version)
        .bind(partner)
        .fetch_one(&mut **tx)
        .await?;
    match u64::try_from(count).unwrap_or(0) {
        0 => by_partner.remove(partner),
        count => by_partner.insert(partner.to_string(), count),
    };
    keep_counts(tx, round, version, &by_partner).await
}

/// Keep with `version` of `round` its initiatives, in all and by partner (what the API and the
/// tracker read without counting rows).
pub(crate) async fn keep_counts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: &str,
    version: i64,
    by_partner: &BTreeMap<String, u64>,
) -> Result<()> {
    let total: u64 = by_partner.values().sum();
    let json = serde_json::to_string(by_partner)
        .map_err(|e| Error::Corrupt(format!("cannot encode counts as JSON: {e}")))?;
    sqlx::query(
        "UPDATE dataset_versions SET initiatives = $1, by_partner_json = $2 \
         WHERE round = $3 AND version = $4",
    )
    .bind(i64::try_from(total).unwrap_or(i64::MAX))
    .bind(json)
    .bind(round)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A unique violation on writing `version` of `round` is [`Error::VersionTaken`]: another writer got
/// that version first.
pub(crate) fn version_taken(round: &str, version: i64) -> impl Fn(sqlx::Error) -> Error {
    let round = round.to_string();
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::VersionTaken {
            round: round.clone(),
            version: u32::try_from(version).unwrap_or(u32::MAX),
        },
        _ => Error::Database(e),
    }
}

pub(crate) fn to_u32(value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::Corrupt(format!("version {value} out of range")))
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Replace => "replace",
        Mode::Merge => "merge",
    }
}

/// Timestamps are stored as RFC 3339 text with microseconds, UTC: the same on both backends, and
/// sortable as text.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Corrupt(format!("stored timestamp {text:?}: {e}")))
}
