//! Reminders: e-mails to a partner's focal points before a round's deadline, and after a rejected
//! file that nothing followed.
//!
//! The scheduler ticks (every [`TICK`]) and decides from its [`Clock`]'s day (UTC), so tests drive a
//! clock instead of waiting for days. On each tick, for every open round with a deadline:
//!
//! - **deadline**: on each day of `JVAP_REMINDER_DAYS` before the deadline (0: the day itself), every
//!   expected partner without accepted data (nothing sent, or its latest file rejected or failed);
//! - **rejected**: a partner whose latest file was rejected `JVAP_REMINDER_REJECTED_DAYS` days ago
//!   or more and not followed by another, once for that file.
//!
//! A partner gets at most one reminder a day: each has one row in the `reminders` table keyed by
//! round, partner and day, and an instance sends only after its `INSERT` of that row took (or after
//! it moved a `retrying` row back to `sending` itself), so replicas and restarts never send twice. A
//! partner with focal points in both languages gets one e-mail per language. Each row is mirrored in
//! KV `partners` under `reminders.<round>` for the tracker. A crash between the SMTP server's answer
//! and the record leaves the row `sending`: that reminder is not sent again (never twice beats
//! always).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use jvap_bus::{Bus, BusError, CancellationToken};
use jvap_record::Lang;
use jvap_record::messages::{
    Contact, DatasetPublished, DeliveryOutcome, Reminder, ReminderKind, RoundRecord,
    SubmissionState, SubmissionStatus,
};
use jvap_record::reference;
use jvap_record::tracker::{PartnerState, Tracker, TrackerRow, days_left};
use jvap_record::vocabulary::{self, deadline as words};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::config::ReminderConfig;
use crate::mail::{self, Mailer, Plain};
use crate::store::Store;

/// How often the scheduler looks at the clock.
pub const TICK: Duration = Duration::from_secs(60);
/// SMTP attempts (one a tick) before a reminder is recorded as failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// Where the scheduler takes the time from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told, for tests: set it, or move it on. Clones share the time.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<DateTime<Utc>>>);

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> FixedClock {
        FixedClock(Arc::new(Mutex::new(now)))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A failure of the system (database, NATS) during a tick: the next tick tries again.
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Bus(#[from] BusError),
    #[error("a stored reminder is inconsistent: {0}")]
    Corrupt(String),
}

/// The scheduler. Cheap to clone; instances sharing a database never send the same reminder twice.
#[derive(Clone)]
pub struct Reminders {
    bus: Bus,
    store: Store,
    mailer: Option<Mailer>,
    config: ReminderConfig,
    clock: Arc<dyn Clock>,
}

/// One reminder due on a tick, before it is claimed.
struct Due<'a> {
    round: &'a str,
    deadline: NaiveDate,
    day: NaiveDate,
    kind: ReminderKind,
    row: &'a TrackerRow,
    /// The partner's latest file when it was rejected.
    rejected: Option<&'a SubmissionStatus>,
    /// The rejected file this reminder answers (kind `rejected`).
    submission_id: Option<String>,
}

impl Reminders {
    pub fn new(
        bus: Bus,
        store: Store,
        mailer: Option<Mailer>,
        config: ReminderConfig,
        clock: Arc<dyn Clock>,
    ) -> Reminders {
        Reminders {
            bus,
            store,
            mailer,
            config,
            clock,
        }
    }

    /// Tick every [`TICK`] until `stop` is cancelled; a failed tick is logged and the next one tries
    /// again.
    pub async fn run(self, stop: CancellationToken) {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = interval.tick() => {}
            }
            match Box::pin(self.tick()).await {
                Ok(sent) if !sent.is_empty() => {
                    tracing::info!(reminders = sent.len(), "reminders handled");
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error.message = %e, "reminders not handled, next tick tries again")
                }
            }
        }
    }

    /// One look at the clock: handle every reminder due today that this instance claims, and
    /// return what became of them (those another instance or an earlier tick handled are left out).
    pub async fn tick(&self) -> Result<Vec<Reminder>, ReminderError> {
        let today = self.clock.now().date_naive();
        let mut rounds = Vec::new();
        for key in self.bus.kv_keys(&self.bus.rounds).await? {
            let record: Option<RoundRecord> = self.bus.kv_get(&self.bus.rounds, &key).await?;
            if let Some(record) = record.filter(|r| r.open && r.deadline.is_some()) {
                rounds.push(record);
            }
        }
        if rounds.is_empty() {
            return Ok(Vec::new());
        }
        let statuses = self.bus.all_statuses().await?;
        let mut handled = Vec::new();
        for record in &rounds {
            // Boxed: the SMTP conversation's futures are large for a debug build's stack.
            handled.extend(Box::pin(self.round(record, today, &statuses)).await?);
        }
        Ok(handled)
    }

    async fn round(
        &self,
        record: &RoundRecord,
        today: NaiveDate,
        statuses: &[SubmissionStatus],
    ) -> Result<Vec<Reminder>, ReminderError> {
        let Some(deadline) = record.deadline else {
            return Ok(Vec::new());
        };
        let round = record.round.as_str();
        let latest: Option<DatasetPublished> =
            self.bus.kv_get(&self.bus.dataset_versions, round).await?;
        let by_partner = latest.map(|l| l.by_partner).unwrap_or_default();
        let tracker = Tracker::build(round, &record.expected(), statuses, &by_partner);
        let left = days_left(deadline, today);
        let deadline_day = u32::try_from(left).is_ok_and(|left| self.config.days.contains(&left));
        let mut handled = Vec::new();
        for row in &tracker.partners {
            let latest = row.last_submission_id.as_deref().and_then(|id| {
                statuses
                    .iter()
                    .find(|s| s.submission_id == id && s.round == round)
            });
            let rejected = latest.filter(|s| s.state == SubmissionState::Rejected);
            let missing = matches!(
                row.state,
                PartnerState::NotSubmitted | PartnerState::Rejected | PartnerState::Failed
            );
            let rejected_due = match (rejected, self.config.rejected_days) {
                (Some(status), Some(after)) => {
                    (today - status.updated_at.date_naive()).num_days() >= i64::from(after)
                        && !self
                            .reminded_about(round, &row.partner, &status.submission_id)
                            .await?
                }
                _ => false,
            };
            let kind = if deadline_day && missing && row.expected {
                ReminderKind::Deadline
            } else if rejected_due {
                ReminderKind::Rejected
            } else {
                continue;
            };
            let due = Due {
                round,
                deadline,
                day: today,
                kind,
                row,
                rejected,
                submission_id: rejected
                    .filter(|_| rejected_due)
                    .map(|s| s.submission_id.clone()),
            };
            if let Some(reminder) = Box::pin(self.send(&due)).await? {
                handled.push(reminder);
            }
        }
        Ok(handled)
    }

    /// Whether a reminder of this round already answered the rejected file `submission_id`.
    async fn reminded_about(
        &self,
        round: &str,
        partner: &str,
        submission_id: &str,
    ) -> Result<bool, ReminderError> {
        let row = sqlx::query(
            "SELECT 1 FROM reminders WHERE round = $1 AND partner = $2 AND submission_id = $3",
        )
        .bind(round)
        .bind(partner)
        .bind(submission_id)
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Claim the day's row of the partner, then send and record; `None` when another instance or
    /// an earlier tick has it.
    async fn send(&self, due: &Due<'_>) -> Result<Option<Reminder>, ReminderError> {
        let partner = due.row.partner.as_str();
        let contacts = self.bus.contacts(partner).await?.contacts;
        let mut reminder = Reminder {
            round: due.round.to_string(),
            partner: partner.to_string(),
            day: due.day,
            kind: due.kind,
            deadline: due.deadline,
            days_left: days_left(due.deadline, due.day),
            submission_id: due.submission_id.clone(),
            recipients: contacts.iter().map(|c| c.address.clone()).collect(),
            outcome: DeliveryOutcome::Retrying,
            detail: None,
            attempts: 1,
            sent_at: None,
            updated_at: Utc::now().trunc_subsecs(6),
        };
        if !self.claim(&mut reminder).await? {
            return Ok(None);
        }
        let outcome = match (&self.mailer, contacts.is_empty()) {
            (None, _) => Err((
                DeliveryOutcome::Skipped,
                "no SMTP server is configured (JVAP_SMTP_URL)".to_string(),
            )),
            (_, true) => Err((
                DeliveryOutcome::Skipped,
                format!("{partner} has no focal point (PUT /api/v1/partners/{partner}/contacts)"),
            )),
            (Some(mailer), false) => {
                Box::pin(self.mail(mailer, due, &contacts))
                    .await
                    .map_err(|e| {
                        if reminder.attempts >= MAX_ATTEMPTS {
                            let detail =
                                format!("gave up after {} attempts: {e}", reminder.attempts);
                            (DeliveryOutcome::Failed, detail)
                        } else {
                            (DeliveryOutcome::Retrying, e.to_string())
                        }
                    })
            }
        };
        match outcome {
            Ok(()) => {
                reminder.outcome = DeliveryOutcome::Sent;
                reminder.sent_at = Some(Utc::now().trunc_subsecs(6));
            }
            Err((outcome, detail)) => {
                reminder.outcome = outcome;
                reminder.detail = Some(detail);
            }
        }
        metrics::counter!(jvap_bus::ops::EMAILS, "outcome" => vocabulary::code(&reminder.outcome))
            .increment(1);
        tracing::info!(
            round = %reminder.round,
            partner = %reminder.partner,
            kind = ?reminder.kind,
            days_left = reminder.days_left,
            outcome = ?reminder.outcome,
            detail = reminder.detail.as_deref(),
            "reminder handled"
        );
        self.save(&mut reminder).await?;
        Ok(Some(reminder))
    }

    /// Take the day's row for this instance: insert it as `sending`, or move a `retrying` one back
    /// to `sending` (counting the attempt). False when the row is someone else's or final.
    async fn claim(&self, reminder: &mut Reminder) -> Result<bool, ReminderError> {
        let inserted = sqlx::query(
            "INSERT INTO reminders (round, partner, day, kind, deadline, days_left, submission_id, \
             recipients, outcome, detail, attempts, sent_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sending', NULL, 1, NULL, $9) \
             ON CONFLICT (round, partner, day) DO NOTHING",
        )
        .bind(&reminder.round)
        .bind(&reminder.partner)
        .bind(day(reminder.day))
        .bind(vocabulary::code(&reminder.kind))
        .bind(day(reminder.deadline))
        .bind(reminder.days_left)
        .bind(reminder.submission_id.as_deref())
        .bind(recipients(&reminder.recipients)?)
        .bind(timestamp(reminder.updated_at))
        .execute(self.store.pool())
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(true);
        }
        let Some(earlier) = self
            .load(&reminder.round, &reminder.partner, reminder.day)
            .await?
        else {
            return Ok(false);
        };
        if earlier.stored != "retrying" {
            return Ok(false);
        }
        let retried = sqlx::query(
            "UPDATE reminders SET outcome = 'sending', attempts = $4, updated_at = $5 \
             WHERE round = $1 AND partner = $2 AND day = $3 AND outcome = 'retrying' \
             AND attempts = $6",
        )
        .bind(&reminder.round)
        .bind(&reminder.partner)
        .bind(day(reminder.day))
        .bind(i64::from(earlier.reminder.attempts + 1))
        .bind(timestamp(Utc::now().trunc_subsecs(6)))
        .bind(i64::from(earlier.reminder.attempts))
        .execute(self.store.pool())
        .await?;
        if retried.rows_affected() != 1 {
            return Ok(false);
        }
        // The retry keeps what the day's first attempt was for.
        let attempts = earlier.reminder.attempts + 1;
        *reminder = Reminder {
            attempts,
            recipients: reminder.recipients.clone(),
            ..earlier.reminder
        };
        Ok(true)
    }

    /// One e-mail per language of the partner's focal points.
    async fn mail(
        &self,
        mailer: &Mailer,
        due: &Due<'_>,
        contacts: &[Contact],
    ) -> Result<(), mail::MailError> {
        let mut by_lang: BTreeMap<&str, (Lang, Vec<String>)> = BTreeMap::new();
        for contact in contacts {
            by_lang
                .entry(contact.lang.code())
                .or_insert_with(|| (contact.lang, Vec::new()))
                .1
                .push(contact.address.clone());
        }
        for (code, (lang, recipients)) in by_lang {
            let (subject, text) = message(due, lang, &self.config.public_url);
            let id = format!(
                "reminder-{}-{}-{}-{code}",
                due.round,
                due.row.partner,
                due.day.format("%Y%m%d")
            );
            mailer
                .send_plain(&Plain {
                    recipients: &recipients,
                    subject: &subject,
                    text: &text,
                    message_id: mail::message_id(&id),
                })
                .await?;
        }
        Ok(())
    }

    /// Write the record to the database and to KV.
    async fn save(&self, reminder: &mut Reminder) -> Result<(), ReminderError> {
        reminder.updated_at = Utc::now().trunc_subsecs(6);
        sqlx::query(
            "UPDATE reminders SET recipients = $4, outcome = $5, detail = $6, attempts = $7, \
             sent_at = $8, updated_at = $9 WHERE round = $1 AND partner = $2 AND day = $3",
        )
        .bind(&reminder.round)
        .bind(&reminder.partner)
        .bind(day(reminder.day))
        .bind(recipients(&reminder.recipients)?)
        .bind(vocabulary::code(&reminder.outcome))
        .bind(reminder.detail.as_deref())
        .bind(i64::from(reminder.attempts))
        .bind(reminder.sent_at.map(timestamp))
        .bind(timestamp(reminder.updated_at))
        .execute(self.store.pool())
        .await?;
        self.bus.record_reminder(reminder).await?;
        Ok(())
    }

    async fn load(
        &self,
        round: &str,
        partner: &str,
        on: NaiveDate,
    ) -> Result<Option<Stored>, ReminderError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM reminders WHERE round = $1 AND partner = $2 AND day = $3"
        )))
        .bind(round)
        .bind(partner)
        .bind(day(on))
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(stored_of).transpose()
    }

    /// Every reminder of `round` in the database, by day then partner.
    pub async fn all(&self, round: &str) -> Result<Vec<Reminder>, ReminderError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM reminders WHERE round = $1 ORDER BY day, partner"
        )))
        .bind(round)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|row| stored_of(row).map(|s| s.reminder))
            .collect()
    }
}

const COLUMNS: &str = "round, partner, day, kind, deadline, days_left, submission_id, recipients, \
                       outcome, detail, attempts, sent_at, updated_at";

/// A row, and its outcome as stored (`sending` reads as `retrying`).
struct Stored {
    reminder: Reminder,
    stored: String,
}

/// The subject and text of a reminder in `lang`.
fn message(due: &Due<'_>, lang: Lang, public_url: &str) -> (String, String) {
    let partner = reference::partner(&due.row.partner);
    let name = match (partner, lang) {
        (Some(p), Lang::En) => p.name_en.clone(),
        (Some(p), Lang::Fr) => p.name_fr.clone(),
        (None, _) => due.row.partner.clone(),
    };
    let left = days_left(due.deadline, due.day);
    let deadline = due.deadline.format("%Y-%m-%d").to_string();
    let round = due.round;
    let state = due.row.state.label(lang);
    let page = format!("{public_url}/");
    let (deadline_word, days_word) = (
        vocabulary::capitalized(words::DEADLINE.get(lang)),
        words::DAYS_LEFT.get(lang),
    );
    match lang {
        Lang::En => {
            let when = match left {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                n if n > 0 => format!("in {n} days"),
                n => format!("{} days ago", -n),
            };
            let subject =
                format!("JVAP data round {round}: {name}, the deadline is {when} ({deadline})");
            let missing = match due.rejected {
                Some(file) => format!(
                    "Your file {} received on {} was {} and no other file followed it.",
                    file.file_name,
                    file.received_at.format("%Y-%m-%d"),
                    SubmissionState::Rejected.label(lang)
                ),
                None => {
                    format!("The round has no accepted data from {name} yet (tracker: {state}).")
                }
            };
            let text = format!(
                "Dear colleague,\n\n\
                 This is a reminder of the JVAP data round {round} for {name}.\n\n\
                 What is missing: {missing}\n\n\
                 {deadline_word}: {deadline} ({days_word}: {left}).\n\n\
                 Send your file, and see what the check found, on your partner page:\n{page}\n\n\
                 Files sent after the deadline are still accepted, and flagged late.\n\n\
                 The JVAP Secretariat\n"
            );
            (subject, text)
        }
        Lang::Fr => {
            let when = match left {
                0 => "aujourd'hui".to_string(),
                1 => "demain".to_string(),
                n if n > 0 => format!("dans {n} jours"),
                n => format!("il y a {} jours", -n),
            };
            let subject = format!(
                "Cycle de collecte PACV {round} : {name}, la date limite est {when} ({deadline})"
            );
            let missing = match due.rejected {
                Some(file) => format!(
                    "Votre fichier {} reçu le {} a été {} et aucun autre fichier ne l'a suivi.",
                    file.file_name,
                    file.received_at.format("%Y-%m-%d"),
                    SubmissionState::Rejected.label(lang)
                ),
                None => format!(
                    "La collecte n'a encore aucune donnée acceptée de {name} (suivi : {state})."
                ),
            };
            let text = format!(
                "Madame, Monsieur,\n\n\
                 Ceci est un rappel du cycle de collecte PACV {round} pour {name}.\n\n\
                 Ce qui manque : {missing}\n\n\
                 {deadline_word} : {deadline} ({days_word} : {left}).\n\n\
                 Envoyez votre fichier, et consultez le résultat de la vérification, sur votre page \
                 partenaire :\n{page}\n\n\
                 Les fichiers envoyés après la date limite sont acceptés, et signalés en retard.\n\n\
                 Le Secrétariat du PACV\n"
            );
            (subject, text)
        }
    }
}

fn stored_of(row: &AnyRow) -> Result<Stored, ReminderError> {
    let corrupt = |what: &str, value: &str| ReminderError::Corrupt(format!("{what} {value:?}"));
    let kind: String = row.try_get("kind")?;
    let outcome: String = row.try_get("outcome")?;
    let recipients: String = row.try_get("recipients")?;
    let attempts: i64 = row.try_get("attempts")?;
    let sent_at: Option<String> = row.try_get("sent_at")?;
    let reminder = Reminder {
        round: row.try_get("round")?,
        partner: row.try_get("partner")?,
        day: parse_day(&row.try_get::<String, _>("day")?)?,
        kind: match kind.as_str() {
            "deadline" => ReminderKind::Deadline,
            "rejected" => ReminderKind::Rejected,
            other => return Err(corrupt("kind", other)),
        },
        deadline: parse_day(&row.try_get::<String, _>("deadline")?)?,
        days_left: row.try_get("days_left")?,
        submission_id: row.try_get("submission_id")?,
        recipients: serde_json::from_str(&recipients)
            .map_err(|_| corrupt("recipients", &recipients))?,
        outcome: match outcome.as_str() {
            "sent" => DeliveryOutcome::Sent,
            "skipped" => DeliveryOutcome::Skipped,
            "retrying" | "sending" => DeliveryOutcome::Retrying,
            "failed" => DeliveryOutcome::Failed,
            other => return Err(corrupt("outcome", other)),
        },
        detail: row.try_get("detail")?,
        attempts: u32::try_from(attempts)
            .map_err(|_| corrupt("attempts", &attempts.to_string()))?,
        sent_at: sent_at.as_deref().map(parse_timestamp).transpose()?,
        updated_at: parse_timestamp(&row.try_get::<String, _>("updated_at")?)?,
    };
    Ok(Stored {
        reminder,
        stored: outcome,
    })
}

fn recipients(list: &[String]) -> Result<String, ReminderError> {
    serde_json::to_string(list)
        .map_err(|e| ReminderError::Corrupt(format!("cannot encode recipients: {e}")))
}

fn day(on: NaiveDate) -> String {
    on.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str) -> Result<NaiveDate, ReminderError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| ReminderError::Corrupt(format!("day {text:?}: {e}")))
}

/// RFC 3339 text with microseconds, UTC, as every timestamp in the database (see `store`).
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, ReminderError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ReminderError::Corrupt(format!("timestamp {text:?}: {e}")))
}
