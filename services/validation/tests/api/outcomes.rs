//! A submitted file becomes a report, an outcome message and a final status.

use jvap_record::messages::{SubmissionReceived, SubmissionState, SubmissionStatus};
use jvap_record::{Report, Verdict};

use crate::helpers::{TestSystem, spawn_validation, wait_for};

/// Wait until the submission's status is final and return it.
async fn final_status(system: &TestSystem, id: &str) -> SubmissionStatus {
    wait_for("the submission to be accepted or rejected", || async {
        let status = system.bus.status(id).await.ok()??;
        matches!(
            status.state,
            SubmissionState::Accepted | SubmissionState::Rejected
        )
        .then_some(status)
    })
    .await
}

#[tokio::test]
async fn a_submitted_workbook_ends_accepted_or_rejected_with_its_report_and_one_outcome() {
    // Arrange
    let system = spawn_validation(|_| {}).await;
    let sample = jvap_testkit::samples_dir().join("NER_Donnees_JVAP_2022.xlsx");
    let bytes = std::fs::read(&sample).expect("the NER sample");

    // Act
    let id = system
        .upload("NER", "NER_Donnees_JVAP_2022.xlsx", bytes)
        .await;
    let status = final_status(&system, &id).await;

    // Assert
    let report_bytes = system
        .bus
        .reports
        .get(&format!("{id}/report.json"))
        .await
        .unwrap()
        .expect("the report is stored");
    let report: Report = serde_json::from_slice(&report_bytes).expect("a report");
    assert_eq!(status.counts, Some(report.counts));
    let expected_state = match report.verdict {
        Verdict::Accepted => SubmissionState::Accepted,
        Verdict::Rejected => SubmissionState::Rejected,
    };
    assert_eq!(status.state, expected_state);
    let records = system
        .bus
        .reports
        .get(&format!("{id}/records.json"))
        .await
        .unwrap();
    assert!(records.is_some(), "the records are stored");
    let outcomes = system.messages_on("jvap.submission.validated.NER").await
        + system.messages_on("jvap.submission.rejected.NER").await;
    assert_eq!(outcomes, 1);
}

#[tokio::test]
async fn garbage_bytes_are_rejected_with_a_file_level_error_not_retried() {
    let system = spawn_validation(|_| {}).await;

    let id = system
        .upload("SEN", "initiatives.xlsx", b"this is no workbook".to_vec())
        .await;
    let status = final_status(&system, &id).await;

    assert_eq!(status.state, SubmissionState::Rejected);
    let report: Report = serde_json::from_slice(
        &system
            .bus
            .reports
            .get(&format!("{id}/report.json"))
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(report.counts.errors >= 1);
    assert!(report.issues.iter().all(|issue| issue.cell.is_none()));
    assert_eq!(system.messages_on("jvap.submission.rejected.SEN").await, 1);
}

#[tokio::test]
async fn a_received_message_delivered_again_publishes_no_second_outcome() {
    // Arrange
    let system = spawn_validation(|_| {}).await;
    let id = system
        .upload("NER", "a.csv", b"Title,Type\nx,project\n".to_vec())
        .await;
    let status = final_status(&system, &id).await;
    let replay = SubmissionReceived {
        submission_id: id.clone(),
        partner: status.partner.clone(),
        round: status.round.clone(),
        mode: status.mode,
        file_name: status.file_name.clone(),
        size: status.size,
        sha256: String::new(),
        received_at: status.received_at,
        revalidation: None,
        mapping: Default::default(),
    };

    // Act: a new message id gets past the stream's de-duplication, as a manual replay would.
    let sequence = system
        .publish_received(&replay, &format!("{id}-replay"))
        .await;
    system.wait_until_handled(sequence).await;

    // Assert
    let outcomes = system.messages_on("jvap.submission.validated.>").await
        + system.messages_on("jvap.submission.rejected.>").await;
    assert_eq!(outcomes, 1);
    let after = system.bus.status(&id).await.unwrap().unwrap();
    assert_eq!(after.state, status.state);
}

#[tokio::test]
async fn a_malformed_message_is_acknowledged_and_dropped() {
    let system = spawn_validation(|_| {}).await;

    let stream_ack = system
        .bus
        .js
        .publish("jvap.submission.received.NER", "{not json".into())
        .await
        .unwrap()
        .await
        .unwrap();
    system.wait_until_handled(stream_ack.sequence).await;

    assert_eq!(system.messages_on("jvap.submission.failed.>").await, 0);
}
