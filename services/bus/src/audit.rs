//! The audit log: who did what, and when, for every admin action (tokens issued and revoked, rounds
//! opened and closed, expected partners, the Committee's list and summary, replays and
//! revalidations).
//!
//! Entries are [`AuditEntry`] messages on the `JVAP_AUDIT` stream (`audit.<action>`), which denies
//! deletes and purges: the log only grows. The stream numbers the entries; [`page`] reads them
//! newest first, one direct read per entry, so a page costs the same at any length of the log.

use async_nats::jetstream::stream;
use jvap_record::messages::{self as m, AuditEntry};

use crate::bus::{Bus, BusError};

/// The most entries one [`page`] returns.
pub const MAX_PAGE: usize = 500;

/// Append `entry` to the log (its `seq` is ignored: the stream numbers it). Published with a message
/// id of its own, so a retry after a lost acknowledgement is not recorded twice.
pub async fn record(bus: &Bus, entry: &AuditEntry) -> Result<(), BusError> {
    let subject = m::subject_audit(entry.action);
    let msg_id = format!("audit-{}", uuid::Uuid::new_v4().simple());
    bus.publish(&subject, &msg_id, entry).await
}

/// Up to `limit` entries (at most [`MAX_PAGE`]) before sequence `before` (all when `None`), newest
/// first, and the `before` of the next page when there are older ones.
pub async fn page(
    bus: &Bus,
    limit: usize,
    before: Option<u64>,
) -> Result<(Vec<AuditEntry>, Option<u64>), BusError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let last = last_sequence(bus).await?;
    let mut seq = match before {
        Some(before) => before.saturating_sub(1).min(last),
        None => last,
    };
    let mut entries = Vec::with_capacity(limit.min(seq as usize));
    while seq >= 1 && entries.len() < limit {
        match bus.audit.get_raw_message(seq).await {
            Ok(message) => {
                let mut entry: AuditEntry = serde_json::from_slice(&message.payload)?;
                entry.seq = message.sequence;
                entries.push(entry);
            }
            // Never deleted, but a log restored from a backup may have gaps: skip them.
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => {}
            Err(e) => return Err(audit_error(e)),
        }
        seq -= 1;
    }
    let next = (seq >= 1).then_some(seq + 1);
    Ok((entries, next))
}

async fn last_sequence(bus: &Bus) -> Result<u64, BusError> {
    let info = bus.audit.get_info().await.map_err(audit_error)?;
    Ok(info.state.last_sequence)
}

fn audit_error(e: impl std::fmt::Display) -> BusError {
    BusError::Audit(e.to_string())
}
