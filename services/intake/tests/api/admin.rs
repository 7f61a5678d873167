//! Admin re-runs: replaying a failed submission and revalidating a round publish new
//! `SubmissionReceived` messages with a `revalidation`, and are recorded.

use jvap_intake::http::auth::token_hash;
use jvap_record::messages::{SubmissionState, SubmissionStatus};
use serde_json::Value;

use crate::helpers::{ADMIN_TOKEN, TestApp, error_message, received_messages, spawn_app};

async fn post(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request is sent")
}

/// Upload `bytes` as NER and return the submission's id.
async fn uploaded(app: &TestApp, token: &str, bytes: &[u8]) -> String {
    let response = app.upload(token, "a.xlsx", bytes).await;
    assert_eq!(response.status(), 202);
    let status: SubmissionStatus = response.json().await.expect("status JSON");
    status.submission_id
}

#[tokio::test]
async fn replaying_a_failed_submission_receives_it_again_with_a_new_message_and_records_who() {
    // Arrange: a submission a stage gave up on.
    let app = spawn_app().await;
    let partner = app.issue_token("partner", Some("NER")).await;
    let id = uploaded(&app, &partner, b"bytes that failed").await;
    app.bus
        .update_status(&id, |status| {
            status.state = SubmissionState::Failed;
            status.reason = Some("aggregation: the database was away".into());
        })
        .await
        .expect("status set to failed");

    // Act
    let response = post(
        &app,
        &format!("/api/v1/submissions/{id}/replay"),
        ADMIN_TOKEN,
    )
    .await;

    // Assert
    assert_eq!(response.status(), 202);
    let record: Value = response.json().await.expect("the run's record");
    let run = record["run"].as_str().expect("a run id").to_string();
    assert_eq!(record["action"], "replay");
    assert_eq!(record["submissions"], serde_json::json!([id]));
    assert_eq!(record["by_token"], token_hash(ADMIN_TOKEN));
    assert_eq!(record["by_label"], "bootstrap (JVAP_ADMIN_TOKEN)");
    let status = app.bus.status(&id).await.expect("kv").expect("a status");
    assert_eq!(status.state, SubmissionState::Received);
    assert_eq!(status.reason, None);
    let messages = received_messages(&app, "jvap.submission.received.NER").await;
    assert_eq!(messages.len(), 2, "the first announcement and the replay");
    let (msg_id, replayed) = &messages[1];
    assert_eq!(msg_id, &format!("{id}-{run}"));
    assert_eq!(replayed.submission_id, id);
    assert_eq!(replayed.revalidation.as_deref(), Some(run.as_str()));
    assert_eq!(messages[0].1.revalidation, None);
    let stored: Value = app
        .bus
        .kv_get(&app.bus.rounds, &format!("run.{run}"))
        .await
        .expect("kv")
        .expect("the run is recorded");
    assert_eq!(stored, record);
}

#[tokio::test]
async fn only_an_admin_replays_and_only_a_failed_submission() {
    let app = spawn_app().await;
    let partner = app.issue_token("partner", Some("NER")).await;
    let analyst = app.issue_token("analyst", None).await;
    let id = uploaded(&app, &partner, b"received, not failed").await;
    let path = format!("/api/v1/submissions/{id}/replay");

    let not_failed = post(&app, &path, ADMIN_TOKEN).await;
    let by_partner = post(&app, &path, &partner).await;
    let by_analyst = post(&app, &path, &analyst).await;
    let unknown = post(
        &app,
        &format!("/api/v1/submissions/{}/replay", "0".repeat(24)),
        ADMIN_TOKEN,
    )
    .await;

    assert_eq!(not_failed.status(), 409);
    let message = error_message(not_failed).await;
    assert!(message.contains("is received, not failed"), "{message}");
    assert!(
        message.contains("only a failed submission can be replayed"),
        "{message}"
    );
    assert_eq!(by_partner.status(), 403);
    assert_eq!(by_analyst.status(), 403);
    assert_eq!(unknown.status(), 404);
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 1);
}

#[tokio::test]
async fn revalidating_a_round_announces_every_stored_submission_of_it_with_one_run() {
    // Arrange: two partners' submissions in 2022, one accepted and one rejected; one whose upload
    // is gone.
    let app = spawn_app().await;
    let niger = app.issue_token("partner", Some("NER")).await;
    let senegal = app.issue_token("partner", Some("SEN")).await;
    let accepted = uploaded(&app, &niger, b"accepted").await;
    let rejected = uploaded(&app, &senegal, b"rejected").await;
    let lost = uploaded(&app, &senegal, b"lost").await;
    for (id, state) in [
        (&accepted, SubmissionState::Accepted),
        (&rejected, SubmissionState::Rejected),
    ] {
        app.bus
            .update_status(id, |status| status.state = state)
            .await
            .expect("status set");
    }
    app.bus
        .uploads
        .store
        .delete(&lost)
        .await
        .expect("upload removed");

    // Act
    let by_partner = post(&app, "/api/v1/rounds/2022/revalidate", &niger).await;
    let response = post(&app, "/api/v1/rounds/2022/revalidate", ADMIN_TOKEN).await;

    // Assert
    assert_eq!(by_partner.status(), 403);
    assert_eq!(response.status(), 202);
    let record: Value = response.json().await.expect("the run's record");
    let run = record["run"].as_str().expect("a run id").to_string();
    assert_eq!(record["action"], "revalidate");
    assert_eq!(record["round"], "2022");
    assert_eq!(
        record["submissions"],
        serde_json::json!([accepted, rejected])
    );
    assert_eq!(record["skipped"][0]["submission_id"], lost.as_str());
    let rerun: Vec<_> = received_messages(&app, "jvap.submission.received.>")
        .await
        .into_iter()
        .filter(|(_, message)| message.revalidation.as_deref() == Some(run.as_str()))
        .map(|(msg_id, message)| (msg_id, message.submission_id))
        .collect();
    assert_eq!(
        rerun,
        vec![
            (format!("{accepted}-{run}"), accepted.clone()),
            (format!("{rejected}-{run}"), rejected.clone()),
        ]
    );
    let status = app
        .bus
        .status(&accepted)
        .await
        .expect("kv")
        .expect("status");
    assert_eq!(
        status.state,
        SubmissionState::Accepted,
        "the state stays until validation decides"
    );
    let stored: Value = app
        .bus
        .kv_get(&app.bus.rounds, &format!("run.{run}"))
        .await
        .expect("kv")
        .expect("the run is recorded");
    assert_eq!(stored, record);
}
