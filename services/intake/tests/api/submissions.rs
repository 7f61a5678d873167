//! Uploading, de-duplicating and reading submissions.

use jvap_record::messages::{SubmissionReceived, SubmissionState, SubmissionStatus};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{error_message, spawn_app};

#[tokio::test]
async fn an_upload_is_stored_byte_for_byte_announced_and_answered_with_202() {
    // Arrange
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let bytes = b"not even a spreadsheet, but kept all the same".to_vec();

    // Act
    let response = app.upload(&token, "initiatives.xlsx", &bytes).await;

    // Assert
    assert_eq!(response.status(), 202);
    let status: SubmissionStatus = response.json().await.expect("status JSON");
    assert_eq!(status.submission_id.len(), 24);
    assert_eq!(status.partner, "NER");
    assert_eq!(status.round, "2022");
    assert_eq!(status.state, SubmissionState::Received);
    assert_eq!(status.file_name, "initiatives.xlsx");
    assert_eq!(status.size, bytes.len() as u64);
    let stored = app
        .bus
        .uploads
        .get(&status.submission_id)
        .await
        .expect("object store");
    assert_eq!(stored.as_deref(), Some(&bytes[..]));
    assert_eq!(app.messages_on("jvap.submission.received.NER").await, 1);
    let in_kv = app.bus.status(&status.submission_id).await.expect("kv");
    assert_eq!(in_kv.map(|s| s.state), Some(SubmissionState::Received));
}

#[tokio::test]
async fn the_received_message_describes_the_upload() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("SEN")).await;
    let form = Form::new()
        .part(
            "file",
            Part::bytes(b"a,b\n1,2\n".to_vec()).file_name("data.csv"),
        )
        .text("mode", "merge");

    let status: SubmissionStatus = app.upload_form(&token, form).await.json().await.unwrap();

    let stream = app.bus.js.get_stream("JVAP").await.unwrap();
    let message = stream
        .get_last_raw_message_by_subject("jvap.submission.received.SEN")
        .await
        .expect("a received message");
    let received: SubmissionReceived = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(received.submission_id, status.submission_id);
    assert_eq!(received.mode, jvap_record::messages::Mode::Merge);
    assert_eq!(received.file_name, "data.csv");
    assert_eq!(received.size, 8);
    assert_eq!(received.sha256.len(), 64);
}

#[tokio::test]
async fn the_same_bytes_again_answer_200_with_the_same_id_and_no_second_message() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let first: SubmissionStatus = app
        .upload(&token, "a.xlsx", b"same bytes")
        .await
        .json()
        .await
        .unwrap();

    let again = app.upload(&token, "renamed.xlsx", b"same bytes").await;

    assert_eq!(again.status(), 200);
    let second: SubmissionStatus = again.json().await.unwrap();
    assert_eq!(second.submission_id, first.submission_id);
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 1);
}

#[tokio::test]
async fn the_same_bytes_from_another_partner_are_another_submission() {
    let app = spawn_app().await;
    let niger = app.issue_token("partner", Some("NER")).await;
    let senegal = app.issue_token("partner", Some("SEN")).await;

    let first: SubmissionStatus = app
        .upload(&niger, "a.xlsx", b"bytes")
        .await
        .json()
        .await
        .unwrap();
    let response = app.upload(&senegal, "a.xlsx", b"bytes").await;

    assert_eq!(response.status(), 202);
    let second: SubmissionStatus = response.json().await.unwrap();
    assert_ne!(second.submission_id, first.submission_id);
}

#[tokio::test]
async fn a_partner_cannot_see_another_partners_submission_report_or_listing_entry() {
    // Arrange
    let app = spawn_app().await;
    let niger = app.issue_token("partner", Some("NER")).await;
    let senegal = app.issue_token("partner", Some("SEN")).await;
    let status: SubmissionStatus = app
        .upload(&niger, "a.xlsx", b"niger's file")
        .await
        .json()
        .await
        .unwrap();
    let id = status.submission_id;
    app.bus
        .reports
        .put(&format!("{id}/report.json"), br#"{"verdict":"accepted"}"#)
        .await
        .unwrap();

    // Act
    let other_status = app
        .get(&format!("/api/v1/submissions/{id}"), &senegal)
        .await;
    let other_report = app
        .get(&format!("/api/v1/submissions/{id}/report"), &senegal)
        .await;
    let other_list: Vec<Value> = app
        .get("/api/v1/submissions", &senegal)
        .await
        .json()
        .await
        .unwrap();
    let own_list: Vec<Value> = app
        .get("/api/v1/submissions", &niger)
        .await
        .json()
        .await
        .unwrap();
    let own_report = app
        .get(&format!("/api/v1/submissions/{id}/report"), &niger)
        .await;

    // Assert
    assert_eq!(other_status.status(), 404);
    assert_eq!(other_report.status(), 404);
    assert!(other_list.is_empty());
    assert_eq!(own_list.len(), 1);
    assert_eq!(own_report.status(), 200);
    let report: Value = own_report.json().await.unwrap();
    assert_eq!(report["verdict"], "accepted");
}

#[tokio::test]
async fn an_analyst_sees_every_partners_submissions() {
    let app = spawn_app().await;
    let niger = app.issue_token("partner", Some("NER")).await;
    let senegal = app.issue_token("partner", Some("SEN")).await;
    let analyst = app.issue_token("analyst", None).await;
    app.upload(&niger, "a.xlsx", b"one").await;
    app.upload(&senegal, "b.xlsx", b"two").await;

    let all: Vec<SubmissionStatus> = app
        .get("/api/v1/submissions", &analyst)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_report_is_404_until_the_submission_is_validated() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let status: SubmissionStatus = app
        .upload(&token, "a.xlsx", b"x")
        .await
        .json()
        .await
        .unwrap();

    let response = app
        .get(
            &format!("/api/v1/submissions/{}/report", status.submission_id),
            &token,
        )
        .await;

    assert_eq!(response.status(), 404);
    assert!(error_message(response).await.contains("not ready"));
}

#[tokio::test]
async fn an_admin_submits_for_a_partner_named_in_the_form() {
    let app = spawn_app().await;
    let admin = app.issue_token("admin", None).await;
    let without = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.xlsx"));
    let unknown = Form::new()
        .part("file", Part::bytes(b"x".to_vec()).file_name("a.xlsx"))
        .text("partner", "XXX");
    let known = Form::new()
        .text("partner", "ner")
        .part("file", Part::bytes(b"x".to_vec()).file_name("a.xlsx"));

    assert_eq!(app.upload_form(&admin, without).await.status(), 400);
    assert_eq!(app.upload_form(&admin, unknown).await.status(), 400);
    let response = app.upload_form(&admin, known).await;
    assert_eq!(response.status(), 202);
    let status: SubmissionStatus = response.json().await.unwrap();
    assert_eq!(status.partner, "NER");
}

#[tokio::test]
async fn a_bad_mode_or_a_missing_file_is_a_400_with_a_message() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let bad_mode = Form::new()
        .part("file", Part::bytes(b"x".to_vec()).file_name("a.xlsx"))
        .text("mode", "append");
    let no_file = Form::new().text("mode", "merge");

    let response = app.upload_form(&token, bad_mode).await;
    assert_eq!(response.status(), 400);
    assert!(error_message(response).await.contains("replace or merge"));
    let response = app.upload_form(&token, no_file).await;
    assert_eq!(response.status(), 400);
    assert!(error_message(response).await.contains("file"));
}

#[tokio::test]
async fn an_unknown_or_malformed_submission_id_is_404() {
    let app = spawn_app().await;
    let token = app.issue_token("analyst", None).await;

    assert_eq!(
        app.get("/api/v1/submissions/0123456789abcdef01234567", &token)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get("/api/v1/submissions/not.a.key", &token)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn uploading_again_heals_a_submission_stored_but_never_announced() {
    // Arrange: the state a crash between storing and publishing leaves behind.
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let bytes = b"stored, then the process died".to_vec();
    let id = jvap_intake::submission_id("NER", "2022", &bytes);
    app.bus.uploads.put(&id, &bytes).await.unwrap();
    let now = chrono::Utc::now();
    let status = SubmissionStatus {
        submission_id: id.clone(),
        partner: "NER".into(),
        round: "2022".into(),
        mode: jvap_record::messages::Mode::Replace,
        file_name: "a.xlsx".into(),
        size: bytes.len() as u64,
        state: SubmissionState::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: now,
        updated_at: now,
    };
    assert!(app.bus.create_status(&status).await.unwrap());
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 0);

    // Act
    let response = app.upload(&token, "a.xlsx", &bytes).await;

    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(app.messages_on("jvap.submission.received.NER").await, 1);
}

#[tokio::test]
async fn the_issue_list_downloads_as_csv_and_xlsx_in_the_language_asked_for_the_partner_only() {
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let status: Value = app
        .upload(&token, "NER file.xlsx", b"bytes")
        .await
        .json()
        .await
        .unwrap();
    let id = status["submission_id"].as_str().unwrap().to_string();
    let mut issue = jvap_record::Issue::new(&jvap_record::catalogue::ALL[0], "x");
    issue.sheet = Some("Initiatives".into());
    issue.cell = Some("F7".into());
    issue.column = Some("start_date".into());
    issue.value = Some("=1+1".into());
    let report = jvap_record::Report::from_parts(1, vec![issue.clone()], vec![]);
    app.bus
        .reports
        .put(
            &jvap_record::messages::report_object(&id),
            &serde_json::to_vec(&report).unwrap(),
        )
        .await
        .unwrap();

    let csv = app
        .get(
            &format!("/api/v1/submissions/{id}/issues.csv?lang=fr"),
            &token,
        )
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"NER file-issues.fr.csv\""
    );
    assert_eq!(csv.headers()["cache-control"], "no-store");
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\u{feff}Gravité,Code,Feuille"), "{text}");
    assert!(text.contains(&issue.message_fr), "{text}");
    assert!(text.contains("F7") && text.contains("'=1+1"), "{text}");

    let xlsx = app
        .get(&format!("/api/v1/submissions/{id}/issues.xlsx"), &token)
        .await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // Another partner cannot learn the submission exists; a bad language is said.
    let other = app.issue_token("partner", Some("SEN")).await;
    let hidden = app
        .get(&format!("/api/v1/submissions/{id}/issues.csv"), &other)
        .await;
    assert_eq!(hidden.status(), 404);
    let bad = app
        .get(
            &format!("/api/v1/submissions/{id}/issues.csv?lang=de"),
            &token,
        )
        .await;
    assert_eq!(bad.status(), 400);
}
