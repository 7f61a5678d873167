//! The Steering Committee's side of KV `committee`: the distribution list an admin keeps, summary
//! requests, and the record of each summary delivery (written by aggregation, served by intake).

use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use jvap_record::messages::{
    self as m, CommitteeList, SummaryDelivery, SummaryReason, SummaryRequested,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bus::{Bus, BusError, kv_error};

/// Requests for the same round closer together than this are one request (a double click, a
/// retried HTTP call): the later ones reuse the first one's id, which NATS then de-duplicates.
pub const REQUEST_WINDOW: Duration = Duration::from_secs(60);

impl Bus {
    /// The distribution list (empty while an admin has never set it).
    pub async fn committee_list(&self) -> Result<CommitteeList, BusError> {
        Ok(self
            .kv_get(&self.committee, m::KEY_COMMITTEE_RECIPIENTS)
            .await?
            .unwrap_or_default())
    }

    /// Replace the distribution list (the addresses are checked by the caller).
    pub async fn set_committee_list(&self, list: &CommitteeList) -> Result<(), BusError> {
        self.kv_put(&self.committee, m::KEY_COMMITTEE_RECIPIENTS, list)
            .await
    }

    /// Ask for `round`'s summary to be e-mailed: publish a [`SummaryRequested`] on
    /// `jvap.summary.requested` with its request id as the message id. A request for the same round
    /// within [`REQUEST_WINDOW`] of the previous one is that previous request (returned as is).
    pub async fn request_summary(
        &self,
        round: &str,
        reason: SummaryReason,
    ) -> Result<SummaryRequested, BusError> {
        let key = format!("request.{round}");
        let now = Utc::now();
        let fresh = SummaryRequested {
            request_id: format!("summary-{round}-{}", now.format("%Y%m%dT%H%M%S%.3fZ")),
            round: round.to_string(),
            reason,
            requested_at: now,
        };
        let request = update_json(
            &self.committee,
            &key,
            |previous: Option<SummaryRequested>| match previous {
                Some(previous) if within_window(previous.requested_at, now) => None,
                _ => Some(fresh.clone()),
            },
        )
        .await?
        .ok_or_else(|| kv_error(&self.committee, format!("{key} has no request")))?;
        self.publish(m::SUBJECT_SUMMARY_REQUESTED, &request.request_id, &request)
            .await?;
        Ok(request)
    }

    /// Every summary delivery of `round`, in the order they were requested.
    pub async fn deliveries(&self, round: &str) -> Result<Vec<SummaryDelivery>, BusError> {
        Ok(self
            .kv_get(&self.committee, &format!("deliveries.{round}"))
            .await?
            .unwrap_or_default())
    }

    /// Put `delivery` in its round's list, replacing the earlier record of the same request.
    pub async fn record_delivery(&self, delivery: &SummaryDelivery) -> Result<(), BusError> {
        let key = format!("deliveries.{}", delivery.round);
        update_json(
            &self.committee,
            &key,
            |list: Option<Vec<SummaryDelivery>>| {
                let mut list = list.unwrap_or_default();
                match list
                    .iter_mut()
                    .find(|d| d.request_id == delivery.request_id)
                {
                    Some(existing) => *existing = delivery.clone(),
                    None => list.push(delivery.clone()),
                }
                list.sort_by_key(|d| d.requested_at);
                Some(list)
            },
        )
        .await?;
        Ok(())
    }
}

fn within_window(earlier: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    (now - earlier)
        .to_std()
        .is_ok_and(|elapsed| elapsed < REQUEST_WINDOW)
}

/// Read-modify-write of one JSON value with compare-and-set, retrying when another writer got
/// there first. `change` gets the current value and returns the new one, or `None` to keep it.
/// Returns the value as it stands afterwards.
pub(crate) async fn update_json<T, F>(
    store: &kv::Store,
    key: &str,
    change: F,
) -> Result<Option<T>, BusError>
where
    T: Serialize + DeserializeOwned,
    F: Fn(Option<T>) -> Option<T>,
{
    for _ in 0..20 {
        let entry = store.entry(key).await.map_err(|e| kv_error(store, e))?;
        let entry = entry.filter(|e| e.operation == kv::Operation::Put);
        let current: Option<T> = entry
            .as_ref()
            .map(|e| serde_json::from_slice(&e.value))
            .transpose()?;
        let Some(new) = change(current) else {
            return Ok(match entry {
                Some(e) => Some(serde_json::from_slice(&e.value)?),
                None => None,
            });
        };
        let bytes = Bytes::from(serde_json::to_vec(&new)?);
        let written = match &entry {
            Some(e) => store.update(key, bytes, e.revision).await.is_ok(),
            None => store.create(key, bytes).await.is_ok(),
        };
        if written {
            return Ok(Some(new));
        }
    }
    Err(kv_error(store, format!("{key} kept changing under us")))
}
