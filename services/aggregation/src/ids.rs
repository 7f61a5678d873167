//! JVAP ids in the database: which id each initiative a submission brings takes, the sequence they
//! come from, and whose each id is (what validation checks a file's ids against).
//!
//! An initiative gets its id when it first enters the database, from one sequence per database
//! (`jvap_ids.number`, MAX + 1 inside the applying transaction), and keeps it in every later
//! version and round. A row of a submission takes, in this order:
//! 1. the id the partner wrote back (validation checked it is one of the partner's);
//! 2. the id of the partner's current initiative it supersedes with the same `partner_ref`;
//! 3. the id of a superseded current initiative with the same title and start date (a file sent
//!    again without references or ids keeps the ids of what it sends again);
//! 4. a new id.
//!
//! An id is never given to two current initiatives: each superseded row lends its id once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use jvap_record::Initiative;
use jvap_record::ids::{self, KnownIds};
use jvap_record::messages::{Mode, SubmissionValidated};
use sqlx::Row;

use crate::error::{Error, Result};
use crate::incoming::NewInitiative;

type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

/// One current initiative of the partner, as the assignment matches it.
struct Current {
    jvap_id: String,
    partner_ref: Option<String>,
    title: String,
    start_date: NaiveDate,
}

/// The records of `submission` with the ids they take (see the module's order), new ids recorded in
/// `jvap_ids`; to run in the applying transaction before the superseded rows end. `taken` says what
/// a unique violation means (another writer took the same number: try again).
pub(crate) async fn assign(
    tx: &mut Tx<'_>,
    submission: &SubmissionValidated,
    records: &[NewInitiative],
    taken: &impl Fn(sqlx::Error) -> Error,
) -> Result<Vec<NewInitiative>> {
    let (round, partner) = (&submission.round, &submission.partner);
    let current = Box::pin(current_rows(tx, round, partner)).await?;
    let references: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.record.partner_ref.as_deref())
        .collect();
    let given: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.record.jvap_id.as_deref())
        .collect();
    // The rows this submission ends: they lend their ids to what replaces them.
    let superseded: Vec<&Current> = current
        .iter()
        .filter(|row| match submission.mode {
            Mode::Replace => true,
            Mode::Merge => {
                row.partner_ref
                    .as_deref()
                    .is_some_and(|r| references.contains(r))
                    || given.contains(row.jvap_id.as_str())
            }
        })
        .collect();
    let owners = Box::pin(owners_of(tx, &given)).await?;
    let mut lent: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::with_capacity(records.len());
    // Ids written back first: a row with an id keeps it, whatever the other rows match.
    for new in records {
        if let Some(id) = new.record.jvap_id.as_deref()
            && owners.get(id).is_some_and(|owner| owner == partner)
        {
            lent.insert(id);
        }
    }
    for new in records {
        let mut record = new.record.clone();
        let own = record
            .jvap_id
            .as_deref()
            .filter(|id| owners.get(*id).is_some_and(|owner| owner == partner))
            .map(str::to_string);
        if own.is_none()
            && let Some(id) = &record.jvap_id
        {
            // Validation refuses such a row; an id given since (a race) is not taken over.
            tracing::warn!(submission_id = %submission.submission_id, jvap_id = %id,
                "a row's JVAP id is not the partner's; the row gets an id of its own");
        }
        let id = match own {
            Some(id) => id,
            None => match inherited(&superseded, &lent, &record) {
                Some(id) => {
                    lent.insert(id);
                    id.to_string()
                }
                None => {
                    Box::pin(new_id(tx, partner, round, &submission.submission_id, taken)).await?
                }
            },
        };
        record.jvap_id = Some(id);
        out.push(NewInitiative {
            record,
            warnings: new.warnings.clone(),
        });
    }
    Ok(out)
}

/// The id of a superseded row not lent yet that `record` replaces: same reference, else same title
/// and start date.
fn inherited<'c>(
    superseded: &[&'c Current],
    lent: &BTreeSet<&str>,
    record: &Initiative,
) -> Option<&'c str> {
    let free = |row: &&&'c Current| !lent.contains(row.jvap_id.as_str());
    let by_reference = record.partner_ref.as_deref().and_then(|reference| {
        superseded
            .iter()
            .filter(free)
            .find(|row| row.partner_ref.as_deref() == Some(reference))
    });
    by_reference
        .or_else(|| {
            superseded
                .iter()
                .filter(free)
                .find(|row| row.title == record.title && row.start_date == record.start_date)
        })
        .map(|row| row.jvap_id.as_str())
}

/// End the partner's current rows whose id a row of the submission (applied in `version`) gives
/// again: the row updates that initiative, whatever its reference.
pub(crate) async fn end_updated(
    tx: &mut Tx<'_>,
    submission: &SubmissionValidated,
    records: &[NewInitiative],
    version: i64,
) -> Result<()> {
    for id in records.iter().filter_map(|r| r.record.jvap_id.as_deref()) {
        sqlx::query(
            "UPDATE initiatives SET to_version = $1 \
             WHERE round = $2 AND partner = $3 AND jvap_id = $4 AND to_version IS NULL",
        )
        .bind(version)
        .bind(&submission.round)
        .bind(&submission.partner)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Each accepted submission's records with the ids its rows were given when first applied (a
/// rebuild keeps them); a row never applied gets the id a row of the same reference had, or a new
/// one.
pub(crate) async fn keep_for_rebuild(
    tx: &mut Tx<'_>,
    round: &str,
    partner: &str,
    records: &BTreeMap<String, Vec<NewInitiative>>,
    taken: &impl Fn(sqlx::Error) -> Error,
) -> Result<BTreeMap<String, Vec<NewInitiative>>> {
    let rows = sqlx::query(
        "SELECT DISTINCT submission_id, seq, jvap_id FROM initiatives \
         WHERE round = $1 AND partner = $2 AND jvap_id IS NOT NULL",
    )
    .bind(round)
    .bind(partner)
    .fetch_all(&mut **tx)
    .await?;
    let mut given: HashMap<(String, i64), String> = HashMap::new();
    for row in &rows {
        given.insert(
            (row.try_get("submission_id")?, row.try_get("seq")?),
            row.try_get("jvap_id")?,
        );
    }
    let mut out = BTreeMap::new();
    for (submission_id, list) in records {
        let mut kept = Vec::with_capacity(list.len());
        for (seq, new) in list.iter().enumerate() {
            let seq = i64::try_from(seq).unwrap_or(i64::MAX);
            let mut record = new.record.clone();
            let id = match given.get(&(submission_id.clone(), seq)) {
                Some(id) => id.clone(),
                None => match record.jvap_id.take() {
                    Some(id) => id,
                    None => Box::pin(new_id(tx, partner, round, submission_id, taken)).await?,
                },
            };
            record.jvap_id = Some(id);
            kept.push(NewInitiative {
                record,
                warnings: new.warnings.clone(),
            });
        }
        out.insert(submission_id.clone(), kept);
    }
    Ok(out)
}

/// Give an id to every stored row that has none (rows of a schema before ids), oldest first; run
/// when the store migrates. The rows of one initiative row (its submission and position) share it.
pub(crate) async fn assign_missing(pool: &sqlx::AnyPool) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "SELECT submission_id, seq, round, partner, MIN(from_version) AS first FROM initiatives \
         WHERE jvap_id IS NULL GROUP BY submission_id, seq, round, partner \
         ORDER BY round, first, submission_id, seq",
    )
    .fetch_all(&mut *tx)
    .await?;
    let no_race = Error::Database;
    for row in &rows {
        let submission_id: String = row.try_get("submission_id")?;
        let seq: i64 = row.try_get("seq")?;
        let round: String = row.try_get("round")?;
        let partner: String = row.try_get("partner")?;
        let id = Box::pin(new_id(&mut tx, &partner, &round, &submission_id, &no_race)).await?;
        sqlx::query("UPDATE initiatives SET jvap_id = $1 WHERE submission_id = $2 AND seq = $3")
            .bind(&id)
            .bind(&submission_id)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Every id of the database and the partner whose initiative it is.
pub async fn owners(pool: &sqlx::AnyPool) -> Result<KnownIds> {
    // Runs of consecutive numbers of one partner, in SQL (the classic gaps-and-islands grouping:
    // within a partner's ids, number minus rank is the same along a run), so that a version of a
    // large round reads a few hundred rows, not one per initiative.
    let rows = sqlx::query(
        "SELECT partner, MIN(number) AS first, MAX(number) AS last FROM ( \
           SELECT partner, number, \
                  number - ROW_NUMBER() OVER (PARTITION BY partner ORDER BY number) AS island \
           FROM jvap_ids) AS numbered \
         GROUP BY partner, island",
    )
    .fetch_all(pool)
    .await?;
    let number =
        |n: i64| u64::try_from(n).map_err(|_| Error::Corrupt(format!("a JVAP id numbered {n}")));
    let mut runs = Vec::with_capacity(rows.len());
    for row in &rows {
        runs.push(ids::Run {
            first: number(row.try_get("first")?)?,
            last: number(row.try_get("last")?)?,
            partner: row.try_get("partner")?,
        });
    }
    runs.sort_by_key(|run| run.first);
    Ok(KnownIds { runs })
}

/// The partner of each of `ids` that the database has.
async fn owners_of(tx: &mut Tx<'_>, ids: &BTreeSet<&str>) -> Result<HashMap<String, String>> {
    let mut owners = HashMap::new();
    for id in ids {
        let owner: Option<String> =
            sqlx::query_scalar("SELECT partner FROM jvap_ids WHERE jvap_id = $1")
                .bind(*id)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(owner) = owner {
            owners.insert(id.to_string(), owner);
        }
    }
    Ok(owners)
}

/// The partner's current initiatives in the round, with their ids.
async fn current_rows(tx: &mut Tx<'_>, round: &str, partner: &str) -> Result<Vec<Current>> {
    let rows = sqlx::query(
        "SELECT jvap_id, partner_ref, record_json FROM initiatives \
         WHERE round = $1 AND partner = $2 AND to_version IS NULL AND jvap_id IS NOT NULL \
         ORDER BY from_version, submission_id, seq",
    )
    .bind(round)
    .bind(partner)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let json: String = row.try_get("record_json")?;
            let record: Initiative = serde_json::from_str(&json)
                .map_err(|e| Error::Corrupt(format!("a stored record does not decode: {e}")))?;
            Ok(Current {
                jvap_id: row.try_get("jvap_id")?,
                partner_ref: row.try_get("partner_ref")?,
                title: record.title,
                start_date: record.start_date,
            })
        })
        .collect()
}

/// The next id of the sequence, recorded as `partner`'s, first given in `round` by `submission_id`.
pub(crate) async fn new_id(
    tx: &mut Tx<'_>,
    partner: &str,
    round: &str,
    submission_id: &str,
    taken: &impl Fn(sqlx::Error) -> Error,
) -> Result<String> {
    let previous: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) FROM jvap_ids")
        .fetch_one(&mut **tx)
        .await?;
    let number = previous + 1;
    let id = ids::format(u64::try_from(number).unwrap_or(u64::MAX));
    sqlx::query(
        "INSERT INTO jvap_ids (number, jvap_id, partner, round, submission_id, assigned_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(number)
    .bind(&id)
    .bind(partner)
    .bind(round)
    .bind(submission_id)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut **tx)
    .await
    .map_err(taken)?;
    Ok(id)
}

/// Write every id and its partner ([`owners`]) to [`jvap_record::messages::IDS_OBJECT`] in the
/// `datasets` store, for validation. What is written is what the database holds, so a redelivery
/// after a crash heals it; at the cost of what changed: nothing when no id was given since, the
/// new ids added to what is there when only new ones were (ids are given in increasing order and
/// never taken back), and read whole from the database otherwise (no object yet, one that does not
/// decode, or one that does not add up).
pub async fn publish_owners(bus: &jvap_bus::Bus, store: &crate::Store) -> Result<()> {
    let (count, newest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(number) FROM jvap_ids")
            .fetch_one(store.pool())
            .await?;
    let (count, newest) = (count.unsigned_abs(), newest.map(i64::unsigned_abs));
    let published: Option<KnownIds> = bus
        .datasets
        .get(jvap_record::messages::IDS_OBJECT)
        .await?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let known = match published {
        Some(known) if known.len() == count && known.last_number() == newest => return Ok(()),
        Some(mut known) if known.len() < count => {
            let above = known.last_number().unwrap_or(0);
            let rows = sqlx::query(
                "SELECT number, partner FROM jvap_ids WHERE number > $1 ORDER BY number",
            )
            .bind(i64::try_from(above).unwrap_or(i64::MAX))
            .fetch_all(store.pool())
            .await?;
            let mut newer = Vec::with_capacity(rows.len());
            for row in &rows {
                let number: i64 = row.try_get("number")?;
                newer.push((number.unsigned_abs(), row.try_get("partner")?));
            }
            if known.extend(newer) && known.len() == count {
                known
            } else {
                owners(store.pool()).await?
            }
        }
        _ => owners(store.pool()).await?,
    };
    let bytes = serde_json::to_vec(&known).map_err(|e| Error::Bus(jvap_bus::BusError::Json(e)))?;
    bus.datasets
        .put(jvap_record::messages::IDS_OBJECT, &bytes)
        .await?;
    Ok(())
}
