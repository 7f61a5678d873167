//! End to end: the Steering Committee gets the round's summary by e-mail when an admin closes the
//! round. The three services on a real nats-server, samples uploaded over HTTP, and a real local
//! SMTP server (aiosmtpd) that keeps what it receives.

use std::time::{Duration, Instant};

use jvap_aggregation::MailConfig;
use jvap_tests::{Backend, SmtpSink, System, manifest, samples_dir};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(90);
const CHAIR: &str = "chair@khartoum-process.example.org";
const SECRETARIAT: &str = "secretariat@rabat-process.example.org";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_round_emails_the_summaries_to_the_committee_once() {
    // Arrange: the system with e-mail to the sink; an admin sets the distribution list.
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

    let (code, refused) = admin
        .put_json(
            "/api/v1/committee",
            &json!({ "recipients": [CHAIR, "secretariat at rabat"] }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 400, "{refused}");
    let error = refused["error"].as_str().unwrap_or_default();
    assert!(error.contains("secretariat at rabat"), "{error}");
    let (code, list) = analyst
        .put_json("/api/v1/committee", &json!({ "recipients": [CHAIR] }))
        .await
        .expect("answer");
    assert_eq!(code, 403, "only admins keep the list: {list}");
    let (code, list) = admin
        .put_json(
            "/api/v1/committee",
            &json!({ "recipients": [CHAIR, SECRETARIAT] }),
        )
        .await
        .expect("answer");
    assert_eq!(code, 200, "{list}");
    let shown = admin
        .get_json("/api/v1/committee")
        .await
        .expect("list")
        .expect("exists");
    assert_eq!(shown["recipients"], json!([CHAIR, SECRETARIAT]));

    // The partners upload the files the manifest accepts.
    for entry in manifest()
        .expect("manifest")
        .iter()
        .filter(|e| e["verdict"] == "accepted")
    {
        let partner = entry["partner"].as_str().expect("partner");
        let file = entry["file"].as_str().expect("file");
        let client = admin.issue("partner", Some(partner)).await.expect("token");
        let bytes = std::fs::read(samples_dir().join(file)).expect("sample readable");
        let (code, status) = client.submit(file, bytes, None).await.expect("upload");
        assert!(code == 202 || code == 200, "{file}: {status}");
        let id = status["submission_id"].as_str().expect("id");
        let done = client.wait_final(id, true, LIMIT).await.expect("final");
        assert_eq!(done["state"], "accepted", "{file}: {done}");
    }
    let nothing_yet = sink.messages().expect("read");
    assert!(nothing_yet.is_empty(), "no e-mail before the round closes");

    // Act: the admin closes the round.
    let closed = admin
        .post_json("/api/v1/rounds/2022/close", &json!({}))
        .await
        .expect("round closed");
    assert_eq!(closed["open"], false);

    // Assert: one e-mail to the list, the English summary as its body, the five files attached.
    // (Waiting on the record first: should it fail, its detail says why.)
    let delivery = wait_for_sent(&analyst).await;
    let mails = sink.wait_for(1, LIMIT).await.expect("the e-mail arrives");
    let mail = &mails[0];
    assert_eq!(mail.envelope_to, [CHAIR, SECRETARIAT]);
    assert_eq!(delivery["reason"], "round_closed");
    let version = delivery["version"].as_u64().expect("a version");

    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus connects");
    let mut attached = Vec::new();
    for attachment in &mail.attachments {
        let file = attachment
            .name
            .strip_prefix(&format!("jvap-2022-v{version}-"))
            .unwrap_or_else(|| panic!("attachment {} names the version", attachment.name));
        let published = bus
            .datasets
            .get(&format!("2022/v{version}/{file}"))
            .await
            .expect("object store")
            .unwrap_or_else(|| panic!("{file} is published"));
        assert_eq!(attachment.bytes, published, "{file} arrives as published");
        attached.push(file.to_string());
    }
    assert_eq!(
        attached,
        [
            "summary.en.html",
            "summary.fr.html",
            "summary.en.md",
            "summary.fr.md",
            "dataset.xlsx"
        ]
    );
    let summary = bus
        .datasets
        .get(&format!("2022/v{version}/summary.en.html"))
        .await
        .expect("object store")
        .expect("published");
    let html = mail.html.as_deref().expect("an HTML body");
    // A text body travels with CRLF line ends (RFC 5322); the attachments stay byte for byte.
    assert_eq!(
        html.replace("\r\n", "\n").trim(),
        String::from_utf8_lossy(&summary).trim()
    );
    assert!(mail.text.as_deref().is_some_and(|t| !t.trim().is_empty()));
    let (code, latest) = analyst
        .get_bytes("/api/v1/datasets/latest.xlsx")
        .await
        .expect("download");
    assert_eq!(code, 200);
    let workbook = mail
        .attachments
        .iter()
        .find(|a| a.name.ends_with("dataset.xlsx"))
        .expect("the workbook");
    assert_eq!(workbook.bytes, latest, "the workbook is the latest dataset");

    // Closing the closed round again asks for nothing more.
    admin
        .post_json("/api/v1/rounds/2022/close", &json!({}))
        .await
        .expect("closed again");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let deliveries = deliveries(&analyst).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(sink.messages().expect("read").len(), 1);

    system.shutdown().await.expect("clean stop");
}

async fn deliveries(client: &jvap_tests::Client) -> Vec<Value> {
    client
        .get_json("/api/v1/rounds/2022/deliveries")
        .await
        .expect("deliveries")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

/// The round's one delivery, once recorded as sent.
async fn wait_for_sent(client: &jvap_tests::Client) -> Value {
    let started = Instant::now();
    loop {
        let deliveries = deliveries(client).await;
        if let [delivery] = deliveries.as_slice()
            && delivery["outcome"] == "sent"
        {
            return delivery.clone();
        }
        assert!(
            started.elapsed() < LIMIT,
            "no sent delivery after {LIMIT:?}: {deliveries:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
