//! Per-partner quotas and file names: refused with a clear message before anything is stored.

use jvap_intake::config::Quota;
use jvap_intake::submission_id;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{error_message, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_new_file_over_the_hourly_quota_is_429_with_retry_after_and_is_not_stored() {
    // Arrange: two new files an hour.
    let app = spawn_app_with(|config| {
        config.quota = Quota {
            files_per_hour: 2,
            ..Quota::default()
        }
    })
    .await;
    let niger = app.issue_token("partner", Some("NER")).await;
    let senegal = app.issue_token("partner", Some("SEN")).await;
    assert_eq!(app.upload(&niger, "a.xlsx", b"first").await.status(), 202);
    assert_eq!(app.upload(&niger, "b.xlsx", b"second").await.status(), 202);

    // Act
    let again = app.upload(&niger, "a.xlsx", b"first").await;
    let third = app.upload(&niger, "c.xlsx", b"third").await;
    let other_partner = app.upload(&senegal, "a.xlsx", b"first").await;

    // Assert: the same file again is the same submission and does not count.
    assert_eq!(again.status(), 200);
    assert_eq!(third.status(), 429);
    let retry_after: u64 = third.headers()["retry-after"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let body: Value = third.json().await.expect("a JSON error");
    let message = body["error"].as_str().expect("an error");
    assert!(
        message.contains("2 new files in the last hour"),
        "{message}"
    );
    assert!(message.contains("minute"), "{message}");
    let french = body["error_fr"].as_str().expect("the error in French");
    assert!(french.contains("2 nouveaux fichiers"), "{french}");
    let refused = submission_id("NER", "2022", b"third");
    assert_eq!(app.bus.uploads.get(&refused).await.expect("get"), None);
    assert_eq!(app.bus.status(&refused).await.expect("kv"), None);
    assert_eq!(
        other_partner.status(),
        202,
        "another partner has its own quota"
    );
    assert_eq!(app.messages_on("jvap.submission.received.NER").await, 2);
}

#[tokio::test]
async fn a_file_that_would_go_over_the_bytes_of_the_round_is_429_without_retry_after() {
    let app = spawn_app_with(|config| {
        config.quota = Quota {
            bytes_per_round: 1000,
            ..Quota::default()
        }
    })
    .await;
    let token = app.issue_token("partner", Some("NER")).await;
    assert_eq!(
        app.upload(&token, "a.xlsx", &[1u8; 600]).await.status(),
        202
    );

    let over = app.upload(&token, "b.xlsx", &[2u8; 500]).await;
    let fits = app.upload(&token, "c.xlsx", &[3u8; 400]).await;

    assert_eq!(over.status(), 429);
    assert!(
        over.headers().get("retry-after").is_none(),
        "waiting does not help"
    );
    let message = error_message(over).await;
    assert!(message.contains("600 bytes"), "{message}");
    assert!(message.contains("1000 bytes allowed"), "{message}");
    assert!(message.contains("Secretariat"), "{message}");
    let refused = submission_id("NER", "2022", &[2u8; 500]);
    assert_eq!(app.bus.uploads.get(&refused).await.expect("get"), None);
    assert_eq!(
        fits.status(),
        202,
        "what is left of the quota can still be used"
    );
}

#[tokio::test]
async fn a_file_name_over_255_bytes_is_400_and_nothing_is_stored() {
    // A name of 100 KiB fits the body limit, as the 1.5 MB one of the issue fits a 50 MiB one.
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let long = format!("{}.xlsx", "n".repeat(100 * 1024));
    let bytes = b"a file with a name too long".to_vec();

    let response = app.upload(&token, &long, &bytes).await;
    let just_fits = app
        .upload(&token, &format!("{}.xlsx", "n".repeat(250)), b"fits")
        .await;

    assert_eq!(response.status(), 400);
    let message = error_message(response).await;
    assert!(message.contains("the limit is 255 bytes"), "{message}");
    assert!(message.contains("rename the file"), "{message}");
    let id = submission_id("NER", "2022", &bytes);
    assert_eq!(app.bus.uploads.get(&id).await.expect("get"), None);
    assert_eq!(app.bus.status(&id).await.expect("kv"), None);
    assert_eq!(just_fits.status(), 202);
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 1);
}

#[tokio::test]
async fn a_file_name_with_a_control_character_is_400_and_nothing_is_stored() {
    // Written by hand: an HTTP client would escape the tab.
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let body = "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\tb.xlsx\"\r\n\
                Content-Type: application/octet-stream\r\n\r\nbytes\r\n--XYZ--\r\n";

    let response = app
        .client
        .post(app.url("/api/v1/submissions"))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(body)
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), 400);
    let message = error_message(response).await;
    assert!(message.contains("control character (U+0009)"), "{message}");
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 0);
    let id = submission_id("NER", "2022", b"bytes");
    assert_eq!(app.bus.uploads.get(&id).await.expect("get"), None);
}

#[tokio::test]
async fn the_same_file_with_the_other_mode_says_it_was_already_received_as_the_first() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let form = |mode: &str| {
        Form::new()
            .part(
                "file",
                Part::bytes(b"same bytes".to_vec()).file_name("a.xlsx"),
            )
            .text("mode", mode.to_string())
    };

    let first = app.upload_form(&token, form("replace")).await;
    let other: Value = {
        let response = app.upload_form(&token, form("merge")).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON")
    };
    let same: Value = app
        .upload_form(&token, form("replace"))
        .await
        .json()
        .await
        .expect("JSON");

    assert_eq!(first.status(), 202);
    let notice = other["notice"].as_str().expect("a notice");
    assert!(
        notice.starts_with("already received, as replace"),
        "{notice}"
    );
    let french = other["notice_fr"].as_str().expect("a French notice");
    assert!(french.starts_with("déjà reçu, en remplacement"), "{french}");
    assert_eq!(other["mode"], "replace", "the stored mode is kept");
    assert!(
        same.get("notice").is_none(),
        "the same mode needs no notice: {same}"
    );
    let id = other["submission_id"].as_str().expect("an id");
    let stored = app.bus.status(id).await.expect("kv").expect("a status");
    assert_eq!(stored.mode, jvap_record::messages::Mode::Replace);
}
