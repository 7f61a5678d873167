//! Revalidated outcomes (an admin's replay or round revalidation): the round's dataset becomes what
//! the accepted submissions imply under the new verdicts, in their original order of acceptance, as
//! a new version with its change log; redeliveries and older runs change nothing.

use jvap_aggregation::Store;
use jvap_record::Counts;
use jvap_record::messages::{self as m, Mode, SubmissionRejected, SubmissionValidated};
use serde_json::Value;

use crate::helpers::{Env, ROUND, Submission, initiative, titles, wait_for};

fn rerun(validated: &SubmissionValidated, run: &str) -> SubmissionValidated {
    SubmissionValidated {
        revalidation: Some(run.into()),
        ..validated.clone()
    }
}

fn rejection(validated: &SubmissionValidated, run: &str) -> SubmissionRejected {
    SubmissionRejected {
        submission_id: validated.submission_id.clone(),
        partner: validated.partner.clone(),
        round: validated.round.clone(),
        counts: Counts {
            rows: 1,
            records: 0,
            errors: 1,
            warnings: 0,
        },
        validated_at: validated.validated_at,
        revalidation: Some(run.into()),
        columns: vec![],
    }
}

async fn titles_at(store: &Store, version: u32) -> Vec<String> {
    titles(&store.initiatives_at(ROUND, version).await.expect("query"))
}

/// The `changes` of a published version's dataset.json.
async fn changes(env: &Env, version: u32) -> Value {
    let name = m::DatasetPublished::object_name(ROUND, version, "dataset.json");
    let bytes = env.dataset_file(&name).await;
    let dataset: Value = serde_json::from_slice(&bytes).expect("JSON");
    dataset["changes"].clone()
}

async fn a_revalidated_rejection_reaches_aggregation_and_brings_back_what_the_submission_replaced(
    env: Env,
) {
    // Arrange: NER replaces, then merges (updating A2, adding B1); SEN submits in between.
    let running = env.run().await;
    let first = Submission::new(
        "a00000000000000000000001",
        "NER",
        Mode::Replace,
        vec![
            initiative(Some("A1"), "Border posts", 2),
            initiative(Some("A2"), "Return desk", 3),
        ],
    );
    let senegal = Submission::new(
        "c00000000000000000000001",
        "SEN",
        Mode::Replace,
        vec![initiative(Some("C1"), "Youth jobs", 2)],
    );
    let merge = Submission::new(
        "b00000000000000000000001",
        "NER",
        Mode::Merge,
        vec![
            initiative(Some("A2"), "Return desk, second phase", 2),
            initiative(Some("B1"), "Legal aid", 3),
        ],
    );
    Box::pin(env.submit(&first)).await;
    env.wait_for_version(&first.id).await;
    Box::pin(env.submit(&senegal)).await;
    env.wait_for_version(&senegal.id).await;
    let merged = Box::pin(env.submit(&merge)).await;
    assert_eq!(env.wait_for_version(&merge.id).await, 3);

    // Act: the merge is rejected under the new rules; the message goes through the consumers.
    let run = "rv-0000000000001-00000001";
    let rejected = rejection(&merged, run);
    env.bus
        .publish(
            &m::subject_rejected("NER"),
            &format!("{}-rejected-{run}", merge.id),
            &rejected,
        )
        .await
        .expect("published");
    let published = env.wait_for_published(4).await;

    // Assert: version 4 is NER's first file again, beside SEN's.
    assert_eq!(published[3].version, 4);
    assert_eq!(published[3].submission_id, merge.id);
    let mut now = titles_at(&running.store, 4).await;
    now.sort();
    assert_eq!(now, ["Border posts", "Return desk", "Youth jobs"]);
    let log = changes(&env, 4).await;
    assert_eq!(log["previous_version"], 3);
    assert_eq!(
        (
            log["added"].as_u64(),
            log["updated"].as_u64(),
            log["removed"].as_u64()
        ),
        (Some(0), Some(1), Some(1))
    );
    let status = env
        .bus
        .status(&merge.id)
        .await
        .expect("kv")
        .expect("status");
    assert_eq!(
        status.dataset_version, None,
        "no version includes it any more"
    );
    assert_eq!(env.latest().await.map(|l| l.version), Some(4));
    let history = running
        .store
        .history(ROUND, "NER", "A2")
        .await
        .expect("history");
    assert_eq!(
        history.len(),
        3,
        "A2 first, its update, and A2 back from version 4"
    );
    running.stop().await;
    // Boxed: the whole scenario in one future overflows a test thread's stack in a debug build.
    Box::pin(redelivered(&env, &rejected)).await;
}

/// A redelivery of a handled rejection changes nothing.
async fn redelivered(env: &Env, rejected: &SubmissionRejected) {
    let app = env.app().await;
    let aggregator = app.aggregator();
    assert_eq!(
        aggregator
            .process_rejected(rejected)
            .await
            .expect("handled"),
        Some(4)
    );
    assert_eq!(
        app.store().versions(ROUND).await.expect("versions").len(),
        4
    );
    // A rejection that is not a revalidation is none of aggregation's business.
    let plain = SubmissionRejected {
        revalidation: None,
        ..rejected.clone()
    };
    assert_eq!(
        aggregator.process_rejected(&plain).await.expect("handled"),
        None
    );
}

async fn a_revalidated_acceptance_publishes_a_version_only_when_the_initiatives_change(env: Env) {
    // Arrange
    let app = env.app().await;
    let aggregator = app.aggregator();
    let store = app.store();
    let mut submission = Submission::new(
        "a00000000000000000000002",
        "NER",
        Mode::Replace,
        vec![initiative(Some("X"), "Old title", 2)],
    );
    let validated = env.stage(&submission).await;
    assert_eq!(aggregator.process(&validated).await.expect("applied"), 1);

    // Act: validation, under new rules, leaves other records; then the same again; then a
    // rejection; then an acceptance once more.
    submission.records = vec![initiative(Some("X"), "New title", 2)];
    env.stage(&submission).await;
    let changed = aggregator
        .process(&rerun(&validated, "rv-0000000000002-00000001"))
        .await
        .expect("rebuilt");
    let same = aggregator
        .process(&rerun(&validated, "rv-0000000000003-00000001"))
        .await
        .expect("rebuilt");
    let out = aggregator
        .process_rejected(&rejection(&validated, "rv-0000000000004-00000001"))
        .await
        .expect("rebuilt");
    let back = aggregator
        .process(&rerun(&validated, "rv-0000000000005-00000001"))
        .await
        .expect("rebuilt");
    // A late redelivery of an older run's rejection undoes nothing.
    let stale = aggregator
        .process_rejected(&rejection(&validated, "rv-0000000000001-00000001"))
        .await
        .expect("handled");

    // Assert
    assert_eq!(changed, 2);
    assert_eq!(titles_at(&store, 2).await, ["New title"]);
    assert_eq!(changes(&env, 2).await["updated"], 1);
    assert_eq!(same, 2, "nothing changed: no new version");
    assert_eq!(out, Some(3));
    assert!(titles_at(&store, 3).await.is_empty());
    assert_eq!(back, 4);
    assert_eq!(titles_at(&store, 4).await, ["New title"]);
    assert_eq!(stale, None);
    assert_eq!(store.versions(ROUND).await.expect("versions").len(), 4);
    assert_eq!(
        titles_at(&store, 1).await,
        ["Old title"],
        "old versions stay as they were"
    );
    let status = env
        .bus
        .status(&submission.id)
        .await
        .expect("kv")
        .expect("status");
    assert_eq!(status.dataset_version, Some(4));
}

async fn a_rebuild_keeps_the_order_of_acceptance(env: Env) {
    // Arrange: NER replaces twice; the second file is the dataset.
    let app = env.app().await;
    let aggregator = app.aggregator();
    let store = app.store();
    let mut older = Submission::new(
        "a00000000000000000000003",
        "NER",
        Mode::Replace,
        vec![initiative(Some("O"), "Older file", 2)],
    );
    let newer = Submission::new(
        "b00000000000000000000003",
        "NER",
        Mode::Replace,
        vec![initiative(Some("N"), "Newer file", 2)],
    );
    let older_validated = env.stage(&older).await;
    aggregator.process(&older_validated).await.expect("applied");
    let newer_validated = env.stage(&newer).await;
    aggregator.process(&newer_validated).await.expect("applied");

    // Act: the older file is revalidated with other records, then the newer one is rejected.
    older.records = vec![initiative(Some("O"), "Older file, revised", 2)];
    env.stage(&older).await;
    let revalidated = aggregator
        .process(&rerun(&older_validated, "rv-0000000000006-00000001"))
        .await
        .expect("rebuilt");
    let without_newer = aggregator
        .process_rejected(&rejection(&newer_validated, "rv-0000000000007-00000001"))
        .await
        .expect("rebuilt");

    // Assert: the newer file still replaces the older, so the first run changes nothing; without
    // it, the older file as revalidated is the dataset.
    assert_eq!(revalidated, 2);
    assert_eq!(titles_at(&store, 2).await, ["Newer file"]);
    assert_eq!(without_newer, Some(3));
    assert_eq!(titles_at(&store, 3).await, ["Older file, revised"]);
    wait_for("the version in KV", || async {
        env.latest().await.filter(|l| l.version == 3)
    })
    .await;
}

on_both_backends!(
    a_revalidated_rejection_reaches_aggregation_and_brings_back_what_the_submission_replaced,
    a_revalidated_acceptance_publishes_a_version_only_when_the_initiatives_change,
    a_rebuild_keeps_the_order_of_acceptance,
);
