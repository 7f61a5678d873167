//! At-least-once delivery: duplicates, restarts and crashes neither lose nor duplicate anything.

use std::collections::BTreeSet;

use jvap_aggregation::{Aggregator, NewInitiative};
use jvap_record::messages::Mode;

use crate::helpers::{Env, ROUND, Submission, initiative, wait_for};

on_both_backends!(
    the_same_validated_submission_delivered_twice_makes_one_version_and_restores_missing_objects,
    stopping_the_service_mid_round_and_starting_it_again_loses_and_duplicates_nothing,
    a_crash_between_commit_and_publish_is_healed_by_the_redelivery,
);

async fn the_same_validated_submission_delivered_twice_makes_one_version_and_restores_missing_objects(
    env: Env,
) {
    let service = env.run().await;
    let validated = env
        .submit(&Submission::new(
            "sub-1",
            "SEN",
            Mode::Replace,
            vec![initiative(Some("SEN-1"), "Return and reintegration", 2)],
        ))
        .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    let csv = format!("{ROUND}/v1/dataset.csv");
    wait_for("version 1's files", || async {
        env.dataset_object(&csv).await.map(|_| ())
    })
    .await;
    env.bus
        .datasets
        .store
        .delete(&csv)
        .await
        .expect("object deleted");
    assert_eq!(env.dataset_object(&csv).await, None);

    // A redelivery: the same body under another message id, so the stream does not drop it.
    env.publish_validated(&validated, "sub-1-redelivered").await;
    wait_for("the deleted dataset object to be written again", || async {
        env.dataset_object(&csv).await.map(|_| ())
    })
    .await;
    // And once more through the handler itself.
    let aggregator = Aggregator::new(env.bus.clone(), service.store.clone());
    assert_eq!(aggregator.process(&validated).await.expect("handled"), 1);

    env.submit(&Submission::new(
        "sub-2",
        "MLI",
        Mode::Replace,
        vec![initiative(Some("MLI-1"), "Youth employment", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);
    let versions = service.store.versions(ROUND).await.expect("query");
    let taken: Vec<(u32, &str)> = versions
        .iter()
        .map(|v| (v.version, v.submission_id.as_str()))
        .collect();
    assert_eq!(taken, [(1, "sub-1"), (2, "sub-2")]);
    let published = env.wait_for_published(2).await;
    assert_eq!(
        published.iter().map(|p| p.version).collect::<Vec<_>>(),
        [1, 2],
        "the re-publications of version 1 were de-duplicated by the stream"
    );
    service.stop().await;
}

async fn stopping_the_service_mid_round_and_starting_it_again_loses_and_duplicates_nothing(
    env: Env,
) {
    let partners = ["SEN", "MLI", "NER", "GMB", "GIN", "CIV"];
    let submission = |n: usize| {
        let partner = partners[n];
        Submission::new(
            &format!("sub-{n}"),
            partner,
            Mode::Replace,
            vec![
                initiative(Some(&format!("{partner}-1")), "Return and reintegration", 2),
                initiative(Some(&format!("{partner}-2")), "Border management", 3),
            ],
        )
    };

    let first = env.run().await;
    env.submit(&submission(0)).await;
    env.wait_for_version("sub-0").await;
    // Stopped with these two just published: handled, pulled but not handled, or not yet pulled.
    env.submit(&submission(1)).await;
    env.submit(&submission(2)).await;
    first.stop().await;
    for n in 3..6 {
        env.submit(&submission(n)).await;
    }
    let second = env.run().await;
    let mut by_status = BTreeSet::new();
    for n in 0..6 {
        by_status.insert(env.wait_for_version(&format!("sub-{n}")).await);
    }
    assert_eq!(
        by_status,
        (1..=6).collect(),
        "six submissions, six versions"
    );

    let store = &second.store;
    let versions = store.versions(ROUND).await.expect("query");
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    let ids: BTreeSet<&str> = versions.iter().map(|v| v.submission_id.as_str()).collect();
    assert_eq!(ids.len(), 6);
    for n in 0..6 {
        let id = format!("sub-{n}");
        let status = env.bus.status(&id).await.expect("status").expect("exists");
        assert_eq!(
            store.applied(&id).await.expect("query"),
            status.dataset_version
        );
    }
    assert_eq!(
        store.initiatives_at(ROUND, 6).await.expect("query").len(),
        12
    );
    let published = env.wait_for_published(6).await;
    let mut published: Vec<u32> = published.iter().map(|p| p.version).collect();
    published.sort();
    assert_eq!(published, [1, 2, 3, 4, 5, 6]);
    assert_eq!(env.latest().await.map(|l| l.version), Some(6));
    second.stop().await;
}

async fn a_crash_between_commit_and_publish_is_healed_by_the_redelivery(env: Env) {
    let submission = Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![initiative(Some("SEN-1"), "Return and reintegration", 2)],
    );
    let validated = env.stage(&submission).await;
    // The transaction committed, then the process died before publishing anything.
    let crashed = env.app().await;
    let applied = crashed
        .store()
        .apply(
            &validated,
            &[NewInitiative {
                record: submission.records[0].clone(),
                warnings: vec![],
            }],
        )
        .await
        .expect("applied");
    assert!(applied.newly);
    drop(crashed);
    assert!(env.published().await.is_empty());

    let service = env.run().await;
    env.publish_validated(&validated, "sub-1").await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    for file in jvap_outputs::DatasetFile::ALL.map(jvap_outputs::DatasetFile::name) {
        let name = format!("{ROUND}/v1/{file}");
        assert!(!env.dataset_file(&name).await.is_empty(), "{name} written");
    }
    let published = env.wait_for_published(1).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].initiatives, 1);
    assert_eq!(service.store.versions(ROUND).await.expect("query").len(), 1);
    service.stop().await;
}
