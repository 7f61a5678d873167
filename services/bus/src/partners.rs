//! KV `partners`: each partner's focal points, kept by an admin, and the reminders sent to them in
//! each round (written by aggregation, shown by intake's tracker).

use jvap_record::messages::{self as m, PartnerContacts, Reminder};

use crate::bus::{Bus, BusError, live_entries};
use crate::committee::update_json;

impl Bus {
    /// The focal points of `partner` (an empty list while an admin has never set them).
    pub async fn contacts(&self, partner: &str) -> Result<PartnerContacts, BusError> {
        Ok(self
            .kv_get(&self.partners, &m::key_contacts(partner))
            .await?
            .unwrap_or_else(|| PartnerContacts::none(partner)))
    }

    /// The focal points of every partner that has some, by partner code.
    pub async fn all_contacts(&self) -> Result<Vec<PartnerContacts>, BusError> {
        let mut all = Vec::new();
        for entry in live_entries(&self.partners).await? {
            if entry.key.starts_with("contacts.") {
                all.push(serde_json::from_slice::<PartnerContacts>(&entry.value)?);
            }
        }
        all.sort_by(|a, b| a.partner.cmp(&b.partner));
        Ok(all)
    }

    /// Replace the focal points of `contacts.partner` (the addresses are checked by the caller).
    pub async fn set_contacts(&self, contacts: &PartnerContacts) -> Result<(), BusError> {
        self.kv_put(
            &self.partners,
            &m::key_contacts(&contacts.partner),
            contacts,
        )
        .await
    }

    /// Every reminder of `round`, in the order of their days.
    pub async fn reminders(&self, round: &str) -> Result<Vec<Reminder>, BusError> {
        Ok(self
            .kv_get(&self.partners, &m::key_reminders(round))
            .await?
            .unwrap_or_default())
    }

    /// Put `reminder` in its round's list, replacing the earlier record of the same partner and day.
    pub async fn record_reminder(&self, reminder: &Reminder) -> Result<(), BusError> {
        update_json(
            &self.partners,
            &m::key_reminders(&reminder.round),
            |list: Option<Vec<Reminder>>| {
                let mut list = list.unwrap_or_default();
                match list
                    .iter_mut()
                    .find(|r| r.partner == reminder.partner && r.day == reminder.day)
                {
                    Some(existing) => *existing = reminder.clone(),
                    None => list.push(reminder.clone()),
                }
                list.sort_by(|a, b| (a.day, &a.partner).cmp(&(b.day, &b.partner)));
                Some(list)
            },
        )
        .await?;
        Ok(())
    }
}
