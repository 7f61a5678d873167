//! Per-partner upload quotas: new files per sliding hour and bytes per round.
//!
//! They are counted from the submission statuses in KV, which every intake replica shares, so two
//! replicas cannot each let a partner use the whole quota. The check runs before the bytes are
//! stored; a file already received is the same submission and never reaches it. Two uploads racing
//! through different replicas may both pass the last free place: the quota is a guard against
//! filling the store, not an exact meter.

use chrono::{DateTime, Duration, Utc};
use jvap_record::Said;
use jvap_record::messages::SubmissionStatus;

use super::{human_size, in_french};
use crate::config::Quota;

/// A used-up quota: what to tell the partner, in both languages, and when to try again (seconds,
/// for `Retry-After`) when waiting helps.
#[derive(Debug)]
pub struct Exceeded {
    pub message: Said,
    pub retry_after: Option<u64>,
}

/// Whether `partner` may store a new file of `size` bytes in `round` at `now`, given every stored
/// status (of any partner and round).
pub(crate) fn check(
    quota: &Quota,
    statuses: &[SubmissionStatus],
    partner: &str,
    round: &str,
    size: u64,
    now: DateTime<Utc>,
) -> Result<(), Exceeded> {
    let own: Vec<&SubmissionStatus> = statuses
        .iter()
        .filter(|status| status.partner == partner && status.round == round)
        .collect();

    let hour_ago = now - Duration::hours(1);
    let mut last_hour: Vec<DateTime<Utc>> = own
        .iter()
        .map(|status| status.received_at)
        .filter(|at| *at > hour_ago)
        .collect();
    // At least one file an hour, or a partner could never send anything.
    let limit = quota.files_per_hour.max(1);
    if last_hour.len() >= limit as usize {
        last_hour.sort();
        // A place frees up when enough of the hour's oldest files are an hour old.
        let frees_at = last_hour[last_hour.len() - limit as usize] + Duration::hours(1);
        let wait = u64::try_from((frees_at - now).num_seconds())
            .unwrap_or(0)
            .max(1);
        let minutes = wait.div_ceil(60);
        return Err(Exceeded {
            message: Said::new(
                format!(
                    "you have sent {limit} new files in the last hour, the most allowed per hour; \
                 send this one again in {minutes} minute(s), at {}",
                    frees_at.format("%H:%M UTC")
                ),
                format!(
                    "vous avez envoyé {limit} nouveaux fichiers dans la dernière heure, le maximum \
                 permis par heure ; renvoyez celui-ci dans {minutes} minute(s), à {}",
                    frees_at.format("%H:%M UTC")
                ),
            ),
            retry_after: Some(wait),
        });
    }

    let used: u64 = own.iter().map(|status| status.size).sum();
    if used.saturating_add(size) > quota.bytes_per_round {
        let sizes = [used, size, quota.bytes_per_round]
            .map(|bytes| human_size(usize::try_from(bytes).unwrap_or(usize::MAX)));
        let [used_h, size_h, limit_h] = sizes.clone();
        let [used_fr, size_fr, limit_fr] = sizes.map(|size| in_french(&size));
        return Err(Exceeded {
            message: Said::new(
                format!(
                    "your files for the {round} round already take {used_h}; this one ({size_h}) \
                 would go over the {limit_h} allowed per partner and round. Waiting does not \
                 help: ask the Secretariat to raise the limit"
                ),
                format!(
                    "vos fichiers de la collecte {round} occupent déjà {used_fr} ; celui-ci ({size_fr}) \
                 dépasserait les {limit_fr} permis par partenaire et par collecte. Attendre n'y \
                 change rien : demandez au Secrétariat de relever la limite"
                ),
            ),
            retry_after: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jvap_record::messages::{Mode, SubmissionState};

    use super::*;

    fn status(
        partner: &str,
        round: &str,
        size: u64,
        received_at: DateTime<Utc>,
    ) -> SubmissionStatus {
        SubmissionStatus {
            submission_id: "0".repeat(24),
            partner: partner.into(),
            round: round.into(),
            mode: Mode::Replace,
            file_name: "a.xlsx".into(),
            size,
            state: SubmissionState::Accepted,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at,
            updated_at: received_at,
        }
    }

    const QUOTA: Quota = Quota {
        files_per_hour: 2,
        bytes_per_round: 1000,
    };

    #[test]
    fn the_hourly_quota_counts_only_the_partners_files_of_the_last_hour() {
        let now = Utc::now();
        let statuses = vec![
            status("NER", "2022", 1, now - Duration::minutes(90)),
            status("NER", "2022", 1, now - Duration::minutes(50)),
            status("SEN", "2022", 1, now - Duration::minutes(5)),
        ];
        assert!(check(&QUOTA, &statuses, "NER", "2022", 1, now).is_ok());

        let mut full = statuses.clone();
        full.push(status("NER", "2022", 1, now - Duration::minutes(20)));
        let exceeded = check(&QUOTA, &full, "NER", "2022", 1, now).expect_err("two this hour");
        // The file of 50 minutes ago is an hour old in 10 minutes.
        let wait = exceeded.retry_after.expect("a retry time");
        assert!((599..=601).contains(&wait), "{wait}");
        assert!(
            exceeded.message.en.contains("2 new files"),
            "{}",
            exceeded.message.en
        );
        assert!(
            exceeded.message.en.contains("10 minute"),
            "{}",
            exceeded.message.en
        );
        assert!(
            exceeded.message.fr.contains("10 minute"),
            "{}",
            exceeded.message.fr
        );
    }

    #[test]
    fn the_round_quota_counts_every_byte_the_partner_sent_to_the_round() {
        let now = Utc::now();
        let long_ago = now - Duration::days(3);
        let statuses = vec![
            status("NER", "2022", 600, long_ago),
            status("NER", "2021", 900, long_ago),
            status("SEN", "2022", 900, long_ago),
        ];
        assert!(check(&QUOTA, &statuses, "NER", "2022", 400, now).is_ok());
        let exceeded = check(&QUOTA, &statuses, "NER", "2022", 401, now).expect_err("over");
        assert_eq!(exceeded.retry_after, None);
        assert!(
            exceeded.message.en.contains("600 bytes"),
            "{}",
            exceeded.message.en
        );
        assert!(
            exceeded.message.fr.contains("1000 octets"),
            "{}",
            exceeded.message.fr
        );
    }
}
