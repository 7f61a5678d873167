//! A round's version 1 from data that did not come as its partners' files: an earlier round's
//! consolidated data imported as a **baseline** (`jvap admin import-baseline`), or the current
//! initiatives of the round a new round is **opened from** (`jvap round open --from`).
//!
//! Either way the round must have no version yet, and version 1 is committed in one transaction
//! like any version: every initiative a row of `initiatives` current from version 1, with the
//! origin (`baseline-<round>` or `from-<round>`) as its submission id and its position as its seq;
//! the version's counts kept beside it. Ids are kept: an id the data gives is the initiative's if
//! the database knows it as the same partner's, or is recorded as that partner's if the database
//! has never given it (a baseline from before jvap); an id of another partner's, or given twice,
//! refuses the whole import. An initiative without an id gets a new one from the sequence, after
//! every kept id, so none is given twice.
//!
//! The origin is not recorded in `submissions`: it has no stored upload, so a revalidation leaves
//! it alone (a partner whose submission is revalidated in the new round is rebuilt from its own
//! submissions of that round).

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use jvap_bus::Bus;
use jvap_record::ids;

use crate::aggregate::Aggregator;
use crate::error::{Error, Result};
use crate::incoming::NewInitiative;
use crate::store::{self, PartnerRow, Store, timestamp};

/// One initiative of a round's first version: its partner, and the record with its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Carried {
    pub partner: String,
    pub initiative: NewInitiative,
}

/// What a round's first version holds, once committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub round: String,
    pub version: u32,
    /// `baseline-<round>` or `from-<round>`: the submission id of its rows and of the version.
    pub origin: String,
    pub initiatives: u64,
    pub partners: u64,
    /// Ids the data gave, kept.
    pub kept_ids: u64,
    /// Ids given now, to initiatives that had none.
    pub new_ids: u64,
}

/// The origin of a round's first version imported as the baseline of `round`.
pub fn baseline_origin(round: &str) -> String {
    format!("baseline-{round}")
}

/// The origin of a round's first version carried from round `from`.
pub fn from_origin(from: &str) -> String {
    format!("from-{from}")
}

impl Store {
    /// Commit `initiatives` as version 1 of `round` (see the module): refused when the round has a
    /// version already, or when an id is another partner's or given twice.
    pub async fn start_round(
        &self,
        round: &str,
        origin: &str,
        initiatives: &[Carried],
    ) -> Result<Started> {
        let mut tx = self.pool().begin().await?;
        let existing: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE round = $1",
        )
        .bind(round)
        .fetch_one(&mut *tx)
        .await?;
        if existing > 0 {
            tx.rollback().await?;
            return Err(Error::RoundStarted {
                round: round.to_string(),
                version: store::to_u32(existing)?,
            });
        }
        let version = store::take_next_version(&mut tx, round, origin, None).await?;
        let taken = store::version_taken(round, version);
        let kept = keep_ids(&mut tx, round, origin, initiatives).await?;
        let mut new_ids = 0u64;
        let mut by_partner: BTreeMap<String, u64> = BTreeMap::new();
        for (seq, carried) in initiatives.iter().enumerate() {
            let mut new = carried.initiative.clone();
            new.record.jvap_id = new.record.jvap_id.as_deref().and_then(ids::parse);
            if new.record.jvap_id.is_none() {
                let id = Box::pin(crate::ids::new_id(
                    &mut tx,
                    &carried.partner,
                    round,
                    origin,
                    &taken,
                ))
                .await?;
                new.record.jvap_id = Some(id);
                new_ids += 1;
            }
            let row = PartnerRow::new(origin, seq, &new)?;
            store::insert_row(&mut tx, round, &carried.partner, &row, version).await?;
            *by_partner.entry(carried.partner.clone()).or_default() += 1;
        }
        store::keep_counts(&mut tx, round, version, &by_partner).await?;
        let total: u64 = by_partner.values().sum();
        tx.commit().await.map_err(&taken)?;
        Ok(Started {
            round: round.to_string(),
            version: store::to_u32(version)?,
            origin: origin.to_string(),
            initiatives: total,
            partners: by_partner.len() as u64,
            kept_ids: kept,
            new_ids,
        })
    }

    /// The current initiatives of round `from` (its latest version), ids and warnings kept, as
    /// version 1 of `round` would carry them. Empty when `from` has no version.
    pub async fn carried_from(&self, from: &str) -> Result<Vec<Carried>> {
        let Some(latest) = self.latest_version(from).await? else {
            return Ok(Vec::new());
        };
        Ok(self
            .initiatives_at(from, latest)
            .await?
            .into_iter()
            .map(|i| Carried {
                partner: i.partner,
                initiative: NewInitiative {
                    record: i.record,
                    warnings: i.warnings,
                },
            })
            .collect())
    }
}

/// Check the ids `initiatives` give and record those the database never gave as their partner's;
/// how many were kept.
async fn keep_ids(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round: &str,
    origin: &str,
    initiatives: &[Carried],
) -> Result<u64> {
    let mut seen = BTreeSet::new();
    let mut kept = 0;
    for carried in initiatives {
        let Some(id) = carried.initiative.record.jvap_id.as_deref() else {
            continue;
        };
        let number =
            ids::number(id).ok_or_else(|| Error::Baseline(format!("{id} is not a JVAP id")))?;
        let id = ids::format(number);
        if !seen.insert(id.clone()) {
            return Err(Error::Baseline(format!(
                "the JVAP id {id} is given to two initiatives"
            )));
        }
        let owner: Option<String> =
            sqlx::query_scalar("SELECT partner FROM jvap_ids WHERE jvap_id = $1")
                .bind(&id)
                .fetch_optional(&mut **tx)
                .await?;
        match owner {
            Some(owner) if owner == carried.partner => {}
            Some(owner) => {
                return Err(Error::Baseline(format!(
                    "the JVAP id {id} is an initiative of {owner}, not of {}",
                    carried.partner
                )));
            }
            None => {
                sqlx::query(
                    "INSERT INTO jvap_ids \
                     (number, jvap_id, partner, round, submission_id, assigned_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(i64::try_from(number).unwrap_or(i64::MAX))
                .bind(&id)
                .bind(&carried.partner)
                .bind(round)
                .bind(origin)
                .bind(timestamp(Utc::now()))
                .execute(&mut **tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => Error::Baseline(
                        format!("the number of the JVAP id {id} is already another id's"),
                    ),
                    _ => Error::Database(e),
                })?;
            }
        }
        kept += 1;
    }
    Ok(kept)
}

/// Commit `initiatives` as version 1 of `round` ([`Store::start_round`]), then publish it as any
/// version: the ids for validation, the round's latest version, its tracker and its files.
pub async fn start_and_publish(
    bus: &Bus,
    store: &Store,
    round: &str,
    origin: &str,
    initiatives: &[Carried],
) -> Result<Started> {
    let started = store.start_round(round, origin, initiatives).await?;
    Box::pin(crate::ids::publish_owners(bus, store)).await?;
    Aggregator::new(bus.clone(), store.clone())
        .publish(round, started.version)
        .await?;
    Ok(started)
}
