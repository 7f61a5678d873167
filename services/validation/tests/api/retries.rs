//! System failures are retried, and after the last attempt the submission says it failed.

use std::time::Duration;

use chrono::Utc;
use jvap_record::messages::{Mode, SubmissionReceived, SubmissionState, SubmissionStatus};

use crate::helpers::{spawn_validation, wait_for};

#[tokio::test]
async fn a_submission_whose_upload_is_missing_is_retried_then_marked_failed_with_a_reason() {
    // Arrange
    let system = spawn_validation(|config| {
        config.consumer.max_deliver = 3;
        config.consumer.ack_wait = Duration::from_secs(5);
        config.consumer.backoff = vec![Duration::from_millis(50)];
    })
    .await;
    let id = "0123456789abcdef01234567".to_string();
    let now = Utc::now();
    let status = SubmissionStatus {
        submission_id: id.clone(),
        partner: "NER".into(),
        round: "2022".into(),
        mode: Mode::Replace,
        file_name: "lost.xlsx".into(),
        size: 10,
        state: SubmissionState::Received,
        counts: None,
        reason: None,
        dataset_version: None,
        received_at: now,
        updated_at: now,
    };
    system.bus.create_status(&status).await.unwrap();
    let received = SubmissionReceived {
        submission_id: id.clone(),
        partner: "NER".into(),
        round: "2022".into(),
        mode: Mode::Replace,
        file_name: "lost.xlsx".into(),
        size: 10,
        sha256: String::new(),
        revalidation: None,
        mapping: Default::default(),
        received_at: now,
    };

    // Act
    system.publish_received(&received, &id).await;
    let failed = wait_for("the submission to be marked failed", || async {
        let status = system.bus.status(&id).await.ok()??;
        (status.state == SubmissionState::Failed).then_some(status)
    })
    .await;

    // Assert
    let reason = failed.reason.expect("a reason");
    assert!(reason.contains("validation"), "{reason}");
    assert!(reason.contains("not in the uploads store"), "{reason}");
    assert_eq!(system.messages_on("jvap.submission.failed.NER").await, 1);
    assert_eq!(system.messages_on("jvap.submission.validated.>").await, 0);
}
