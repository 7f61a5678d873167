//! Poison messages end: a message whose every delivery went unanswered (the process died on it) is
//! marked failed with the reason before it is attempted again, and the consumer goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, pull};
use chrono::Utc;
use futures::StreamExt;
use jvap_bus::{CancellationToken, ConsumerSpec, Outcome};
use jvap_record::messages::{Mode, STREAM, SubmissionState, SubmissionStatus};

use crate::helpers::{spawn_validation, wait_for};

const DURABLE: &str = "poison-test";
const FILTER: &str = "jvap.test.poison.>";

#[tokio::test]
async fn a_message_no_delivery_answered_is_marked_failed_without_being_attempted_again() {
    // Arrange: a submission whose message was delivered `max_deliver` times and never answered, as
    // when each attempt killed the process.
    let system = spawn_validation(|_| {}).await;
    let mut spec = ConsumerSpec::new(DURABLE, FILTER, "validation");
    spec.max_deliver = 2;
    spec.ack_wait = Duration::from_secs(1);
    let id = "feedfacefeedfacefeedface".to_string();
    let now = Utc::now();
    system
        .bus
        .create_status(&SubmissionStatus {
            submission_id: id.clone(),
            partner: "NER".into(),
            round: "2022".into(),
            mode: Mode::Replace,
            file_name: "killer.xlsx".into(),
            size: 10,
            state: SubmissionState::Validating,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: now,
            updated_at: now,
        })
        .await
        .expect("status");
    let stream = system.bus.js.get_stream(STREAM).await.expect("stream");
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some(DURABLE.into()),
            filter_subject: FILTER.into(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: spec.ack_wait,
            max_deliver: spec.max_deliver + 1,
            ..Default::default()
        })
        .await
        .expect("consumer");
    system
        .bus
        .publish(
            "jvap.test.poison.NER",
            &id,
            &serde_json::json!({ "submission_id": id, "partner": "NER" }),
        )
        .await
        .expect("published");
    for delivery in 1..=spec.max_deliver {
        let mut batch = consumer
            .fetch()
            .max_messages(1)
            .expires(Duration::from_secs(5))
            .messages()
            .await
            .expect("fetch");
        let message = batch.next().await.expect("delivered").expect("a message");
        assert_eq!(message.info().expect("info").delivered, delivery);
        // Not acknowledged: the "process" died on it.
    }

    // Act: the consumer loop gets the next delivery.
    let attempts = Arc::new(AtomicUsize::new(0));
    let stop = CancellationToken::new();
    let loop_attempts = attempts.clone();
    let bus = system.bus.clone();
    let running = tokio::spawn({
        let stop = stop.clone();
        async move {
            jvap_bus::consumer::run(&bus, &spec, stop, |_| {
                loop_attempts.fetch_add(1, Ordering::SeqCst);
                async { Outcome::Done }
            })
            .await
        }
    });
    let failed = wait_for("the submission to be marked failed", || async {
        let status = system.bus.status(&id).await.ok()??;
        (status.state == SubmissionState::Failed).then_some(status)
    })
    .await;
    stop.cancel();
    running
        .await
        .expect("joined")
        .expect("the loop ends cleanly");

    // Assert
    assert_eq!(attempts.load(Ordering::SeqCst), 0, "not attempted again");
    let reason = failed.reason.expect("a reason");
    assert!(reason.contains("stopped without an answer"), "{reason}");
    assert_eq!(system.messages_on("jvap.submission.failed.NER").await, 1);
}
