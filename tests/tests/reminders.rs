//! End to end: an admin sets the round's deadline and the partners' focal points over HTTP, partners
//! upload after the deadline (accepted, and flagged late), and the reminder scheduler, on a clock the
//! test sets, e-mails the partners without accepted data through a real SMTP sink; the tracker shows
//! the days left and who was reminded when, and the audit log has both settings.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use jvap_aggregation::reminders::FixedClock;
use jvap_aggregation::{MailConfig, ReminderConfig};
use jvap_tests::{Backend, SmtpSink, System, samples_dir};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(90);
const NIGER: &str = "focal.point@niger.example.org";
const SENEGAL: &str = "point.focal@senegal.example.org";
const GAMBIA: &str = "focal.point@gambia.example.org";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_and_focal_points_set_over_http_drive_reminders_late_flags_and_the_tracker() {
    // Arrange: the system with e-mail to the sink; the round expects four partners.
    let sink = SmtpSink::start().expect("the SMTP sink starts");
    let mail = MailConfig {
        smtp_url: sink.url(),
        from: "JVAP Secretariat <jvap@example.org>".into(),
    };
    let system = System::start_with_mail(Backend::Sqlite, Some(mail))
        .await
        .expect("system starts");
    let admin = &system.admin;
    let analyst = admin.issue("analyst", None).await.expect("analyst token");
    let (code, body) = admin
        .put_json(
            "/api/v1/rounds/2022/partners",
            &json!(["BEL", "GMB", "NER", "SEN"]),
        )
        .await
        .expect("answer");
    assert_eq!(code, 200, "{body}");

    // Act: the deadline (refused from an analyst, or not a date), then the focal points.
    let (code, _) = analyst
        .put_json(
            "/api/v1/rounds/2022/deadline",
            &json!({ "deadline": "2022-06-30" }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 403);
    let (code, refused) = admin
        .put_json(
            "/api/v1/rounds/2022/deadline",
            &json!({ "deadline": "30/06/2022" }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 400, "{refused}");
    let (code, round) = admin
        .put_json(
            "/api/v1/rounds/2022/deadline",
            &json!({ "deadline": "2022-06-30" }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 200, "{round}");
    assert_eq!(round["deadline"], "2022-06-30");
    let shown = admin
        .get_json("/api/v1/rounds/2022")
        .await
        .expect("round")
        .expect("exists");
    assert_eq!(shown["deadline"], "2022-06-30");

    let (code, refused) = admin
        .put_json(
            "/api/v1/partners/NER/contacts",
            &json!({ "contacts": [{ "address": "niger at example", "lang": "en" }] }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("niger at example"),
        "{refused}"
    );
    for (partner, address, lang) in [
        ("NER", NIGER, "en"),
        ("SEN", SENEGAL, "fr"),
        ("GMB", GAMBIA, "en"),
    ] {
        let (code, contacts) = admin
            .put_json(
                &format!("/api/v1/partners/{partner}/contacts"),
                &json!({ "contacts": [{ "address": address, "lang": lang }] }),
            )
            .await
            .expect("answer");
        assert_eq!(code, 200, "{contacts}");
        assert_eq!(contacts["contacts"][0]["lang"], lang);
    }
    let all = admin
        .get_json("/api/v1/partners/contacts")
        .await
        .expect("contacts")
        .expect("exist");
    let partners: Vec<&str> = all
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["partner"].as_str())
        .collect();
    assert_eq!(partners, ["GMB", "NER", "SEN"]);

    // Belgium's file is accepted and Gambia's rejected, both after the deadline.
    for (partner, file, state) in [
        ("BEL", "BEL_Enabel_collecte_JVAP_2022.csv", "accepted"),
        ("GMB", "GMB_MoI_JVAP_2022.xlsx", "rejected"),
    ] {
        let client = admin.issue("partner", Some(partner)).await.expect("token");
        let bytes = std::fs::read(samples_dir().join(file)).expect("sample readable");
        let (code, status) = client.submit(file, bytes, None).await.expect("upload");
        assert!(code == 202 || code == 200, "{file}: {status}");
        let id = status["submission_id"].as_str().expect("id");
        let done = client.wait_final(id, true, LIMIT).await.expect("final");
        assert_eq!(done["state"], state, "{file}: {done}");
    }
    wait_for_initiatives(&analyst, "BEL").await;

    // The scheduler, as another aggregation instance, on 29 June 2022 (the day before).
    let app = system
        .aggregation_app(ReminderConfig {
            days: vec![7, 1, 0],
            rejected_days: Some(3),
            public_url: "https://jvap.example.org".into(),
        })
        .await
        .expect("aggregation builds");
    let clock = FixedClock::at(
        Utc.with_ymd_and_hms(2022, 6, 29, 9, 0, 0)
            .single()
            .expect("a time"),
    );
    let reminders = app.reminders(Arc::new(clock.clone()));
    let handled = Box::pin(reminders.tick()).await.expect("a tick");
    let again = Box::pin(reminders.tick()).await.expect("a tick");

    // Assert: Niger, Senegal (in French) and Gambia are reminded, once; Belgium is not.
    assert_eq!(handled.len(), 3, "{handled:?}");
    assert!(again.is_empty(), "{again:?}");
    let mails = sink.wait_for(3, LIMIT).await.expect("the e-mails arrive");
    let mut to: Vec<&str> = mails.iter().map(|m| m.envelope_to[0].as_str()).collect();
    to.sort_unstable();
    let mut expected = [GAMBIA, NIGER, SENEGAL];
    expected.sort_unstable();
    assert_eq!(to, expected);
    let french = mails
        .iter()
        .find(|m| m.envelope_to == [SENEGAL])
        .expect("Senegal's e-mail");
    let text = french.text.as_deref().unwrap_or_default();
    assert!(text.contains("jours restants : 1"), "{text}");
    assert!(text.contains("https://jvap.example.org/"), "{text}");
    let gambia = mails
        .iter()
        .find(|m| m.envelope_to == [GAMBIA])
        .expect("Gambia's e-mail");
    let text = gambia.text.as_deref().unwrap_or_default();
    assert!(text.contains("GMB_MoI_JVAP_2022.xlsx"), "{text}");
    assert!(text.contains("rejected"), "{text}");

    // The tracker: the deadline, days left (it has passed), late files, who was reminded when.
    let tracker = analyst
        .get_json("/api/v1/rounds/2022/tracker")
        .await
        .expect("tracker")
        .expect("exists");
    assert_eq!(tracker["deadline"], "2022-06-30");
    let days_left = tracker["days_left"].as_i64().expect("days left");
    let today = Utc::now().date_naive();
    let deadline = NaiveDate::from_ymd_opt(2022, 6, 30).expect("a day");
    assert_eq!(days_left, (deadline - today).num_days());
    let row = |partner: &str| -> Value {
        tracker["partners"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["partner"] == partner)
            .unwrap_or_else(|| panic!("a row for {partner}"))
            .clone()
    };
    assert_eq!(row("BEL")["state"], "accepted");
    assert_eq!(row("BEL")["late"], true);
    assert_eq!(row("GMB")["late"], true);
    assert_eq!(row("NER")["late"], false);
    assert_eq!(row("BEL")["reminders"], json!([]));
    for partner in ["NER", "SEN", "GMB"] {
        let reminders = row(partner)["reminders"].clone();
        assert_eq!(
            reminders.as_array().map(Vec::len),
            Some(1),
            "{partner}: {reminders}"
        );
        assert_eq!(reminders[0]["day"], "2022-06-29");
        assert_eq!(reminders[0]["kind"], "deadline");
        assert_eq!(reminders[0]["outcome"], "sent");
        assert_eq!(reminders[0]["days_left"], 1);
    }

    // The audit log has both settings.
    let log = admin
        .get_json("/api/v1/audit")
        .await
        .expect("audit")
        .expect("exists");
    let entries = log["entries"].as_array().expect("entries");
    let deadline_set = entries
        .iter()
        .find(|e| e["action"] == "deadline_set")
        .expect("the deadline is in the log");
    assert_eq!(deadline_set["round"], "2022");
    assert_eq!(deadline_set["detail"]["deadline"], "2022-06-30");
    let contacts_set: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "contacts_set")
        .collect();
    assert_eq!(contacts_set.len(), 3, "only the lists that were set");
    assert!(
        contacts_set
            .iter()
            .any(|e| e["detail"]["partner"] == "SEN" && e["detail"]["languages"] == json!(["fr"]))
    );

    system.shutdown().await.expect("clean shutdown");
}

/// Wait until the tracker counts `partner`'s initiatives (the dataset version is published).
async fn wait_for_initiatives(analyst: &jvap_tests::Client, partner: &str) {
    let started = std::time::Instant::now();
    loop {
        let tracker = analyst
            .get_json("/api/v1/rounds/2022/tracker")
            .await
            .expect("tracker")
            .expect("exists");
        let count = tracker["partners"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["partner"] == partner))
            .and_then(|r| r["initiatives"].as_u64())
            .unwrap_or(0);
        if count > 0 {
            return;
        }
        assert!(
            started.elapsed() < LIMIT,
            "{partner} never counted: {tracker}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
