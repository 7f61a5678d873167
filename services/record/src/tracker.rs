//! The round tracker: every expected partner of a round and where it stands.
//!
//! Built from the expected partners (the reference list, or the round's own list an admin keeps), the
//! submission statuses, and the current initiatives. Shown in the workbook, the JSON API
//! (`GET /api/v1/rounds/{round}/tracker`), `jvap status --round`, the summary and the web page.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::messages::{Reminder, SubmissionState, SubmissionStatus};
use crate::reference;

/// Every expected partner of a round (and any other partner that submitted), in partner-code order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tracker {
    pub round: String,
    pub partners: Vec<TrackerRow>,
    /// The round's deadline, when an admin set one.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// Days from today (UTC) to the deadline: 0 on the day, negative after it.
    #[serde(default)]
    pub days_left: Option<i64>,
}

/// One partner's line in the tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackerRow {
    /// The partner code of `reference/partners.csv`.
    pub partner: String,
    pub name_en: String,
    pub name_fr: String,
    /// False for a partner that submitted without being on the round's expected list.
    pub expected: bool,
    pub state: PartnerState,
    /// The partner's initiatives in the current dataset.
    pub initiatives: u64,
    /// Submissions received from the partner this round.
    pub submissions: u32,
    pub last_submission_id: Option<String>,
    /// When the partner's latest submission last changed state.
    pub last_activity: Option<DateTime<Utc>>,
    /// The partner's latest file arrived after the round's deadline (it is accepted all the same).
    #[serde(default)]
    pub late: bool,
    /// The reminders e-mailed to the partner this round, oldest first.
    #[serde(default)]
    pub reminders: Vec<Reminder>,
}

/// Where a partner stands in the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerState {
    NotSubmitted,
    /// Its latest submission is still being received or validated.
    InProgress,
    Rejected,
    Accepted,
    Failed,
}

impl Tracker {
    /// The tracker of `round` from its expected partner codes, every submission status of the round,
    /// and how many initiatives each partner has in the current dataset.
    ///
    /// A partner's state: `accepted` when it has initiatives in the dataset (even if a later
    /// submission was rejected: that one still shows through `last_submission_id` and
    /// `last_activity`); otherwise the state of its latest submission (`received` and `validating`
    /// are `in_progress`); `not_submitted` without any. Statuses of other rounds are ignored.
    pub fn build(
        round: &str,
        expected: &[String],
        statuses: &[SubmissionStatus],
        initiatives_by_partner: &BTreeMap<String, u64>,
    ) -> Tracker {
        let mut by_partner: BTreeMap<&str, Vec<&SubmissionStatus>> = BTreeMap::new();
        for status in statuses.iter().filter(|s| s.round == round) {
            by_partner.entry(&status.partner).or_default().push(status);
        }
        let mut codes: BTreeMap<&str, bool> = BTreeMap::new();
        for code in expected {
            codes.insert(code, true);
        }
        let active = by_partner.keys().copied().chain(
            initiatives_by_partner
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(p, _)| p.as_str()),
        );
        for code in active {
            codes.entry(code).or_insert(false);
        }
        let partners = codes
            .into_iter()
            .map(|(code, expected)| {
                let submissions = by_partner.get(code).map_or(&[][..], Vec::as_slice);
                let initiatives = initiatives_by_partner.get(code).copied().unwrap_or(0);
                row(code, expected, submissions, initiatives)
            })
            .collect();
        Tracker {
            round: round.to_string(),
            partners,
            deadline: None,
            days_left: None,
        }
    }

    /// The tracker with the round's `deadline` as seen on `today`: the days left, each partner's
    /// latest file flagged `late` when it arrived after the deadline, and each partner's reminders
    /// (of this round) in the order they were for.
    pub fn with_deadline(
        mut self,
        deadline: Option<NaiveDate>,
        today: NaiveDate,
        statuses: &[SubmissionStatus],
        reminders: &[Reminder],
    ) -> Tracker {
        self.deadline = deadline;
        self.days_left = deadline.map(|deadline| days_left(deadline, today));
        for row in &mut self.partners {
            let latest = row.last_submission_id.as_deref().and_then(|id| {
                statuses
                    .iter()
                    .find(|s| s.submission_id == id && s.round == self.round)
            });
            row.late = match (deadline, latest) {
                (Some(deadline), Some(latest)) => is_late(latest.received_at, deadline),
                _ => false,
            };
            row.reminders = reminders
                .iter()
                .filter(|r| r.partner == row.partner && r.round == self.round)
                .cloned()
                .collect();
            row.reminders.sort_by_key(|r| (r.day, r.updated_at));
        }
        self
    }
}

/// Days from `today` to `deadline`: 0 on the day, negative after it.
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

/// Whether a file received at `received_at` is late for `deadline`: it arrived after the deadline's
/// day (UTC) ended.
pub fn is_late(received_at: DateTime<Utc>, deadline: NaiveDate) -> bool {
    received_at.date_naive() > deadline
}

/// The round at a glance: how many of the partners it expects have sent a file, and where they
/// stand. Partners that sent without being expected are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Headline {
    pub expected: u64,
    /// Expected partners with at least one submission this round.
    pub sent: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub failed: u64,
    pub in_progress: u64,
    /// Expected partners that have sent nothing.
    pub missing: u64,
}

impl Headline {
    /// `accepted / expected` in tenths of a percent (the Committee summary's response rate), 0 when
    /// nobody is expected.
    pub fn response_rate_tenths(&self) -> u64 {
        (self.accepted * 1000 + self.expected / 2)
            .checked_div(self.expected)
            .unwrap_or(0)
    }

    /// [`Headline::response_rate_tenths`] as people read it: `37.5 %` (`37,5 %` in French).
    pub fn response_rate(&self, lang: crate::Lang) -> String {
        let tenths = self.response_rate_tenths();
        let separator = if lang == crate::Lang::Fr { ',' } else { '.' };
        format!("{}{separator}{} %", tenths / 10, tenths % 10)
    }
}

impl PartnerState {
    /// The states in the order the Secretariat acts on them: who sent nothing, whose file failed or
    /// was rejected, who is being validated, who is done.
    pub const BY_ATTENTION: [PartnerState; 5] = [
        PartnerState::NotSubmitted,
        PartnerState::Failed,
        PartnerState::Rejected,
        PartnerState::InProgress,
        PartnerState::Accepted,
    ];

    /// The place of the state in [`PartnerState::BY_ATTENTION`].
    pub fn attention(self) -> usize {
        PartnerState::BY_ATTENTION
            .iter()
            .position(|state| *state == self)
            .unwrap_or(0)
    }
}

impl Tracker {
    /// The headline counts of the expected partners.
    pub fn headline(&self) -> Headline {
        let mut headline = Headline::default();
        for row in self.partners.iter().filter(|row| row.expected) {
            headline.expected += 1;
            if row.submissions > 0 {
                headline.sent += 1;
            }
            match row.state {
                PartnerState::Accepted => headline.accepted += 1,
                PartnerState::Rejected => headline.rejected += 1,
                PartnerState::Failed => headline.failed += 1,
                PartnerState::InProgress => headline.in_progress += 1,
                PartnerState::NotSubmitted => headline.missing += 1,
            }
        }
        headline
    }

    /// The rows in the order of [`PartnerState::BY_ATTENTION`], then by partner code; only those in
    /// `state` when given.
    pub fn by_attention(&self, state: Option<PartnerState>) -> Vec<&TrackerRow> {
        let mut rows: Vec<&TrackerRow> = self
            .partners
            .iter()
            .filter(|row| state.is_none_or(|state| row.state == state))
            .collect();
        rows.sort_by(|a, b| {
            (a.state.attention(), &a.partner).cmp(&(b.state.attention(), &b.partner))
        });
        rows
    }
}

fn row(
    code: &str,
    expected: bool,
    submissions: &[&SubmissionStatus],
    initiatives: u64,
) -> TrackerRow {
    let latest = submissions
        .iter()
        .max_by(|a, b| {
            (a.received_at, a.updated_at, &a.submission_id).cmp(&(
                b.received_at,
                b.updated_at,
                &b.submission_id,
            ))
        })
        .copied();
    let state = match latest.map(|s| s.state) {
        _ if initiatives > 0 => PartnerState::Accepted,
        None => PartnerState::NotSubmitted,
        Some(SubmissionState::Received | SubmissionState::Validating) => PartnerState::InProgress,
        Some(SubmissionState::Accepted) => PartnerState::Accepted,
        Some(SubmissionState::Rejected) => PartnerState::Rejected,
        Some(SubmissionState::Failed) => PartnerState::Failed,
    };
    let partner = reference::partner(code);
    TrackerRow {
        partner: code.to_string(),
        name_en: partner.map_or_else(|| code.to_string(), |p| p.name_en.clone()),
        name_fr: partner.map_or_else(|| code.to_string(), |p| p.name_fr.clone()),
        expected,
        state,
        initiatives,
        submissions: u32::try_from(submissions.len()).unwrap_or(u32::MAX),
        last_submission_id: latest.map(|s| s.submission_id.clone()),
        last_activity: latest.map(|s| s.updated_at),
        late: false,
        reminders: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::messages::Mode;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 11, 14, hour, 0, 0)
            .single()
            .expect("an instant")
    }

    fn status(
        id: &str,
        partner: &str,
        round: &str,
        state: SubmissionState,
        hour: u32,
    ) -> SubmissionStatus {
        SubmissionStatus {
            submission_id: id.into(),
            partner: partner.into(),
            round: round.into(),
            mode: Mode::Replace,
            file_name: format!("{partner}.xlsx"),
            size: 100,
            state,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: at(hour),
            updated_at: at(hour + 1),
        }
    }

    fn codes(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn with_a_deadline_the_tracker_counts_days_left_flags_late_files_and_lists_reminders() {
        // Both files are received on 14 November 2022, the day after a deadline of the 13th.
        let statuses = [
            status("s1", "SEN", "2022", SubmissionState::Accepted, 9),
            status("s2", "NER", "2022", SubmissionState::Rejected, 8),
        ];
        let day = |d: u32| NaiveDate::from_ymd_opt(2022, 11, d).expect("a day");
        let reminder = |partner: &str, on: u32| Reminder {
            round: "2022".into(),
            partner: partner.into(),
            day: day(on),
            kind: crate::messages::ReminderKind::Deadline,
            deadline: day(13),
            days_left: 13 - i64::from(on),
            submission_id: None,
            recipients: vec!["a@b.org".into()],
            outcome: crate::messages::DeliveryOutcome::Sent,
            detail: None,
            attempts: 1,
            sent_at: Some(at(7)),
            updated_at: at(7),
        };
        let mut other_round = reminder("NER", 12);
        other_round.round = "2021".into();
        let reminders = [reminder("NER", 12), reminder("NER", 6), other_round];
        let expected = codes(&["NER", "SEN", "MLI"]);

        let tracker = Tracker::build("2022", &expected, &statuses, &BTreeMap::new()).with_deadline(
            Some(day(13)),
            day(10),
            &statuses,
            &reminders,
        );

        assert_eq!(tracker.deadline, Some(day(13)));
        assert_eq!(tracker.days_left, Some(3));
        let row = |code: &str| {
            tracker
                .partners
                .iter()
                .find(|r| r.partner == code)
                .expect("a row")
        };
        assert!(row("SEN").late && row("NER").late);
        assert!(!row("MLI").late, "nothing sent is not late");
        let days: Vec<NaiveDate> = row("NER").reminders.iter().map(|r| r.day).collect();
        assert_eq!(days, [day(6), day(12)], "this round's, oldest first");
        assert!(row("SEN").reminders.is_empty());

        let on_time = Tracker::build("2022", &expected, &statuses, &BTreeMap::new()).with_deadline(
            Some(day(14)),
            day(15),
            &statuses,
            &[],
        );
        assert_eq!(on_time.days_left, Some(-1));
        assert!(
            on_time.partners.iter().all(|r| !r.late),
            "on the day is on time"
        );
        let none = Tracker::build("2022", &expected, &statuses, &BTreeMap::new()).with_deadline(
            None,
            day(15),
            &statuses,
            &[],
        );
        assert_eq!(none.days_left, None);
        assert!(none.partners.iter().all(|r| !r.late));
    }

    #[test]
    fn every_expected_partner_gets_a_row_with_its_state_in_code_order() {
        let statuses = [
            status("s1", "SEN", "2022", SubmissionState::Accepted, 1),
            status("s2", "SEN", "2022", SubmissionState::Rejected, 3),
            status("s3", "NER", "2022", SubmissionState::Rejected, 2),
            status("s4", "MLI", "2022", SubmissionState::Validating, 4),
            status("s5", "GHA", "2022", SubmissionState::Failed, 5),
            status("s6", "TCD", "2021", SubmissionState::Accepted, 1),
        ];
        let counts = BTreeMap::from([("SEN".to_string(), 7)]);
        let tracker = Tracker::build(
            "2022",
            &codes(&["SEN", "NER", "MLI", "GHA", "TCD"]),
            &statuses,
            &counts,
        );
        assert_eq!(tracker.round, "2022");
        let summary: Vec<(&str, PartnerState, u64, u32)> = tracker
            .partners
            .iter()
            .map(|r| (r.partner.as_str(), r.state, r.initiatives, r.submissions))
            .collect();
        assert_eq!(
            summary,
            [
                ("GHA", PartnerState::Failed, 0, 1),
                ("MLI", PartnerState::InProgress, 0, 1),
                ("NER", PartnerState::Rejected, 0, 1),
                ("SEN", PartnerState::Accepted, 7, 2),
                ("TCD", PartnerState::NotSubmitted, 0, 0),
            ]
        );
        let sen = &tracker.partners[3];
        assert_eq!(sen.name_fr, "Sénégal");
        assert_eq!(
            sen.last_submission_id.as_deref(),
            Some("s2"),
            "the rejected resubmission shows"
        );
        assert_eq!(sen.last_activity, Some(at(4)));
        let tcd = &tracker.partners[4];
        assert_eq!(
            (tcd.last_submission_id.as_ref(), tcd.last_activity),
            (None, None)
        );
        assert!(tracker.partners.iter().all(|r| r.expected));
    }

    #[test]
    fn a_partner_that_submitted_without_being_expected_is_listed_as_unexpected() {
        let statuses = [status("s1", "IOM", "2022", SubmissionState::Received, 1)];
        let tracker = Tracker::build("2022", &codes(&["SEN"]), &statuses, &BTreeMap::new());
        let iom = &tracker.partners[0];
        assert_eq!(iom.partner, "IOM");
        assert!(!iom.expected);
        assert_eq!(iom.state, PartnerState::InProgress);
        assert_eq!(iom.name_en, "International Organization for Migration");
        assert!(tracker.partners[1].expected);
    }

    #[test]
    fn an_unknown_partner_code_is_named_by_its_code() {
        let counts = BTreeMap::from([("XYZ".to_string(), 2)]);
        let tracker = Tracker::build("2022", &[], &[], &counts);
        assert_eq!(tracker.partners.len(), 1);
        assert_eq!(tracker.partners[0].name_en, "XYZ");
        assert_eq!(tracker.partners[0].state, PartnerState::Accepted);
        assert!(!tracker.partners[0].expected);
    }

    #[test]
    fn the_headline_counts_expected_partners_and_rows_come_in_the_order_they_need_attention() {
        let statuses = [
            status("s1", "SEN", "2022", SubmissionState::Accepted, 1),
            status("s2", "NER", "2022", SubmissionState::Rejected, 2),
            status("s3", "MLI", "2022", SubmissionState::Validating, 4),
            status("s4", "GHA", "2022", SubmissionState::Failed, 5),
            // Sent without being expected: listed, not counted.
            status("s5", "EU", "2022", SubmissionState::Rejected, 1),
        ];
        let counts = BTreeMap::from([("SEN".to_string(), 7)]);
        let expected = codes(&["SEN", "NER", "MLI", "GHA", "TCD", "BFA", "CIV", "GMB"]);
        let tracker = Tracker::build("2022", &expected, &statuses, &counts);

        let headline = tracker.headline();
        assert_eq!(
            headline,
            Headline {
                expected: 8,
                sent: 4,
                accepted: 1,
                rejected: 1,
                failed: 1,
                in_progress: 1,
                missing: 4,
            }
        );
        assert_eq!(headline.response_rate_tenths(), 125);
        assert_eq!(headline.response_rate(crate::Lang::En), "12.5 %");
        assert_eq!(headline.response_rate(crate::Lang::Fr), "12,5 %");
        assert_eq!(Headline::default().response_rate_tenths(), 0);

        let order: Vec<&str> = tracker
            .by_attention(None)
            .iter()
            .map(|row| row.partner.as_str())
            .collect();
        assert_eq!(
            order,
            ["BFA", "CIV", "GMB", "TCD", "GHA", "EU", "NER", "MLI", "SEN"]
        );
        let rejected: Vec<&str> = tracker
            .by_attention(Some(PartnerState::Rejected))
            .iter()
            .map(|row| row.partner.as_str())
            .collect();
        assert_eq!(rejected, ["EU", "NER"]);
    }
}
