//! Reminders of a round's deadline: real NATS, a real database (SQLite and PostgreSQL) and a real
//! local SMTP server (aiosmtpd). The scheduler runs on a clock the test sets, day by day, twice a
//! day and as two instances at once; the round, the focal points and the statuses are put in KV as
//! intake and validation leave them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jvap_aggregation::reminders::{FixedClock, Reminders};
use jvap_aggregation::{App, Config, Database, MailConfig, ReminderConfig};
use jvap_bus::Bus;
use jvap_record::Lang;
use jvap_record::messages::{
    Contact, DatasetPublished, DeliveryOutcome, Mode, PartnerContacts, ReminderKind, RoundRecord,
    SubmissionState, SubmissionStatus,
};
use jvap_testkit::{NatsServer, Postgres, ReceivedMail, SmtpSink};

const ROUND: &str = "2022";
const NIGER: &str = "focal.point@niger.example.org";
const SENEGAL_FR: &str = "point.focal@senegal.example.org";
const SENEGAL_EN: &str = "focal.point@senegal.example.org";
const MALI: &str = "point.focal@mali.example.org";
const PAGE: &str = "https://jvap.example.org/";

macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                Box::pin(super::$scenario(super::Env::start(false).await)).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                Box::pin(super::$scenario(super::Env::start(true).await)).await
            }
        }
    )*};
}

on_both_backends!(
    reminders_go_to_the_partners_without_data_on_the_configured_days_in_their_language_once_a_day,
    without_an_smtp_server_a_due_reminder_is_recorded_as_skipped_and_not_tried_again,
);

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, month, day).expect("a day")
}

fn at(on: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&on.and_hms_opt(hour, 0, 0).expect("a time"))
}

async fn reminders_go_to_the_partners_without_data_on_the_configured_days_in_their_language_once_a_day(
    env: Env,
) {
    // Arrange: round 2022 due on 30 June, expecting EU (accepted), Niger and Senegal (nothing
    // yet), Mali (its file rejected on 10 June) and Chad (nothing, and no focal point).
    let sink = SmtpSink::start().expect("the SMTP sink starts");
    let deadline = day(6, 30);
    env.round(deadline, &["EU", "NER", "SEN", "MLI", "TCD"])
        .await;
    env.contacts("NER", &[(NIGER, Lang::En)]).await;
    env.contacts("SEN", &[(SENEGAL_FR, Lang::Fr), (SENEGAL_EN, Lang::En)])
        .await;
    env.contacts("MLI", &[(MALI, Lang::Fr)]).await;
    env.status("eu-1", "EU", SubmissionState::Accepted, at(day(6, 1), 9))
        .await;
    env.status("mli-1", "MLI", SubmissionState::Rejected, at(day(6, 10), 9))
        .await;
    env.published(&[("EU", 12)]).await;
    let clock = FixedClock::at(at(day(6, 1), 7));
    let first = env.app(Some(&sink)).await;
    let second = env.app(Some(&sink)).await;
    let (one, two) = (
        env.reminders(&first, &clock),
        env.reminders(&second, &clock),
    );

    // Act: every day from 1 June to 3 July, both instances at once, at 07:00 and again at 18:00;
    // Niger's file is accepted on 25 June.
    let mut by_day: BTreeMap<NaiveDate, Vec<ReceivedMail>> = BTreeMap::new();
    let mut seen = 0;
    let mut today = day(6, 1);
    while today <= day(7, 3) {
        if today == day(6, 25) {
            env.status("ner-1", "NER", SubmissionState::Accepted, at(today, 6))
                .await;
            env.published(&[("EU", 12), ("NER", 4)]).await;
        }
        for hour in [7, 18] {
            clock.set(at(today, hour));
            let (a, b) = tokio::join!(Box::pin(one.tick()), Box::pin(two.tick()));
            a.expect("a tick");
            b.expect("a tick");
        }
        let mails = sink.messages().expect("read the sink");
        if mails.len() > seen {
            by_day.insert(today, mails[seen..].to_vec());
            seen = mails.len();
        }
        today = today.succ_opt().expect("a next day");
    }

    // Assert: Mali 3 days after its rejection; then 7 days, 1 day and 0 days before the deadline,
    // everyone without accepted data that has a focal point, one e-mail per language; Niger no
    // more once its file is accepted; nothing twice, nothing after the deadline.
    let to = |mails: &[ReceivedMail]| {
        let mut to: Vec<String> = mails.iter().flat_map(|m| m.envelope_to.clone()).collect();
        to.sort();
        to
    };
    let days: Vec<NaiveDate> = by_day.keys().copied().collect();
    assert_eq!(days, [day(6, 13), day(6, 23), day(6, 29), day(6, 30)]);
    assert_eq!(to(&by_day[&day(6, 13)]), [MALI]);
    let sorted = |addresses: &[&str]| {
        let mut addresses: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
        addresses.sort();
        addresses
    };
    assert_eq!(
        to(&by_day[&day(6, 23)]),
        sorted(&[NIGER, SENEGAL_EN, SENEGAL_FR, MALI])
    );
    for last_days in [day(6, 29), day(6, 30)] {
        assert_eq!(
            to(&by_day[&last_days]),
            sorted(&[MALI, SENEGAL_EN, SENEGAL_FR]),
            "{last_days}"
        );
    }
    assert_eq!(seen, 1 + 4 + 3 + 3, "never twice a day");

    // In the focal point's language, saying what is missing, the deadline, the days left, the page.
    let mail_to = |on: NaiveDate, address: &str| {
        by_day[&on]
            .iter()
            .find(|m| m.envelope_to == [address])
            .unwrap_or_else(|| panic!("a mail to {address} on {on}"))
            .clone()
    };
    let english = mail_to(day(6, 23), NIGER);
    let text = english.text.as_deref().expect("a text body");
    assert!(english.subject.contains("Niger"), "{}", english.subject);
    assert!(
        english.subject.contains("2022-06-30"),
        "{}",
        english.subject
    );
    assert!(text.contains("no accepted data from Niger"), "{text}");
    assert!(text.contains("not submitted"), "{text}");
    assert!(
        text.contains("Deadline: 2022-06-30 (days left: 7)"),
        "{text}"
    );
    assert!(text.contains(PAGE), "{text}");
    let french = mail_to(day(6, 29), SENEGAL_FR);
    let text = french.text.as_deref().expect("a text body");
    assert!(french.subject.contains("Sénégal"), "{}", french.subject);
    assert!(french.subject.contains("demain"), "{}", french.subject);
    assert!(text.contains("pas d'envoi"), "{text}");
    assert!(
        text.contains("Date limite : 2022-06-30 (jours restants : 1)"),
        "{text}"
    );
    assert!(!text.contains("Deadline"), "{text}");
    let on_the_day = mail_to(day(6, 30), SENEGAL_EN);
    assert!(
        on_the_day.subject.contains("today"),
        "{}",
        on_the_day.subject
    );
    let rejected = mail_to(day(6, 13), MALI);
    let text = rejected.text.as_deref().expect("a text body");
    assert!(text.contains("mli-1.xlsx"), "{text}");
    assert!(text.contains("rejeté"), "{text}");
    assert!(text.contains("jours restants : 17"), "{text}");

    // Each reminder recorded once, in the database and in KV, Chad's as skipped with the reason.
    let recorded = env.bus.reminders(ROUND).await.expect("KV reminders");
    let in_db = one.all(ROUND).await.expect("database reminders");
    assert_eq!(recorded, in_db);
    let of = |partner: &str| -> Vec<(NaiveDate, ReminderKind, DeliveryOutcome)> {
        recorded
            .iter()
            .filter(|r| r.partner == partner)
            .map(|r| (r.day, r.kind, r.outcome))
            .collect()
    };
    let sent = DeliveryOutcome::Sent;
    assert_eq!(
        of("MLI"),
        [
            (day(6, 13), ReminderKind::Rejected, sent),
            (day(6, 23), ReminderKind::Deadline, sent),
            (day(6, 29), ReminderKind::Deadline, sent),
            (day(6, 30), ReminderKind::Deadline, sent),
        ]
    );
    assert_eq!(of("NER").len(), 1);
    assert!(of("EU").is_empty());
    let chad: Vec<_> = recorded.iter().filter(|r| r.partner == "TCD").collect();
    assert_eq!(chad.len(), 3);
    assert!(chad.iter().all(|r| {
        r.outcome == DeliveryOutcome::Skipped
            && r.detail
                .as_deref()
                .unwrap_or_default()
                .contains("no focal point")
    }));
    let senegal = recorded
        .iter()
        .find(|r| r.partner == "SEN" && r.day == day(6, 30))
        .expect("Senegal on the day");
    assert_eq!(senegal.days_left, 0);
    assert_eq!(senegal.attempts, 1);
    assert!(senegal.sent_at.is_some());
    assert_eq!(senegal.recipients, [SENEGAL_FR, SENEGAL_EN]);

    // A restarted instance on the same day sends nothing again.
    clock.set(at(day(6, 30), 23));
    let third = env.app(Some(&sink)).await;
    let handled = Box::pin(env.reminders(&third, &clock).tick())
        .await
        .expect("a tick");
    assert!(handled.is_empty(), "{handled:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().expect("read").len(), seen);
}

async fn without_an_smtp_server_a_due_reminder_is_recorded_as_skipped_and_not_tried_again(
    env: Env,
) {
    // Arrange: Niger expected, with a focal point, nothing sent; no SMTP server.
    env.round(day(6, 30), &["NER"]).await;
    env.contacts("NER", &[(NIGER, Lang::En)]).await;
    let clock = FixedClock::at(at(day(6, 30), 9));
    let app = env.app(None).await;
    let reminders = env.reminders(&app, &clock);

    // Act
    let first = Box::pin(reminders.tick()).await.expect("a tick");
    let again = Box::pin(reminders.tick()).await.expect("a tick");

    // Assert
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].outcome, DeliveryOutcome::Skipped);
    let detail = first[0].detail.as_deref().unwrap_or_default();
    assert!(detail.contains("JVAP_SMTP_URL"), "{detail}");
    assert!(again.is_empty(), "{again:?}");
    let recorded = env.bus.reminders(ROUND).await.expect("KV");
    assert_eq!(recorded, first);

    // A closed round reminds nobody.
    clock.set(at(day(7, 1), 9));
    let mut record: RoundRecord = env
        .bus
        .kv_get(&env.bus.rounds, ROUND)
        .await
        .expect("KV")
        .expect("the round");
    record.open = false;
    record.deadline = Some(day(7, 1));
    env.bus
        .kv_put(&env.bus.rounds, ROUND, &record)
        .await
        .expect("KV");
    assert!(Box::pin(reminders.tick()).await.expect("a tick").is_empty());
}

struct Env {
    bus: Bus,
    database: Database,
    nats: NatsServer,
    _postgres: Option<Postgres>,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn start(postgres: bool) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database, postgres) = if postgres {
            let postgres = tokio::task::spawn_blocking(Postgres::start)
                .await
                .expect("postgres start task")
                .expect("postgres starts");
            (
                Database::Postgres(postgres.url().to_string()),
                Some(postgres),
            )
        } else {
            (Database::Sqlite(dir.path().join("jvap.db")), None)
        };
        let nats = NatsServer::start().expect("nats-server starts");
        let bus = Bus::connect(&nats.url()).await.expect("bus connects");
        Env {
            bus,
            database,
            nats,
            _postgres: postgres,
            _dir: dir,
        }
    }

    async fn app(&self, sink: Option<&SmtpSink>) -> App {
        let mut config = Config::new(
            jvap_bus::NatsConfig::new(&self.nats.url()).expect("a valid NATS URL"),
            self.database.clone(),
        );
        config.mail = sink.map(|sink| MailConfig {
            smtp_url: sink.url(),
            from: "JVAP Secretariat <jvap@example.org>".into(),
        });
        config.reminders = ReminderConfig {
            days: vec![7, 1, 0],
            rejected_days: Some(3),
            public_url: PAGE.trim_end_matches('/').into(),
        };
        jvap_aggregation::build(config)
            .await
            .expect("the service builds")
    }

    fn reminders(&self, app: &App, clock: &FixedClock) -> Reminders {
        app.reminders(Arc::new(clock.clone()))
    }

    async fn round(&self, deadline: NaiveDate, expected: &[&str]) {
        let mut record = RoundRecord::new(ROUND);
        record.deadline = Some(deadline);
        record.expected_partners = Some(expected.iter().map(|c| c.to_string()).collect());
        self.bus
            .kv_put(&self.bus.rounds, ROUND, &record)
            .await
            .expect("round stored");
    }

    async fn contacts(&self, partner: &str, contacts: &[(&str, Lang)]) {
        let contacts = PartnerContacts {
            partner: partner.into(),
            contacts: contacts
                .iter()
                .map(|(address, lang)| Contact {
                    address: address.to_string(),
                    lang: *lang,
                })
                .collect(),
            updated_at: Some(Utc::now()),
        };
        self.bus
            .set_contacts(&contacts)
            .await
            .expect("contacts stored");
    }

    async fn status(&self, id: &str, partner: &str, state: SubmissionState, at: DateTime<Utc>) {
        let status = SubmissionStatus {
            submission_id: id.into(),
            partner: partner.into(),
            round: ROUND.into(),
            mode: Mode::Replace,
            file_name: format!("{id}.xlsx"),
            size: 1,
            state,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: at,
            updated_at: at,
        };
        self.bus
            .kv_put(&self.bus.submissions, id, &status)
            .await
            .expect("status stored");
    }

    async fn published(&self, by_partner: &[(&str, u64)]) {
        let latest = DatasetPublished {
            round: ROUND.into(),
            version: 1,
            objects: BTreeMap::new(),
            initiatives: by_partner.iter().map(|(_, n)| n).sum(),
            by_partner: by_partner
                .iter()
                .map(|(p, n)| (p.to_string(), *n))
                .collect(),
            submission_id: "eu-1".into(),
            published_at: Utc::now(),
        };
        self.bus
            .kv_put(&self.bus.dataset_versions, ROUND, &latest)
            .await
            .expect("version stored");
    }
}
