//! A validated submission becomes a published dataset version.

use jvap_record::messages::Mode;

use crate::helpers::{Env, ROUND, Submission, initiative, titles};

on_both_backends!(
    a_validated_submission_becomes_dataset_version_one_with_its_objects_and_a_published_message
);

async fn a_validated_submission_becomes_dataset_version_one_with_its_objects_and_a_published_message(
    env: Env,
) {
    let service = env.run().await;
    let mut submission = Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("SEN-2"), "Border management", 3),
            initiative(Some("SEN-1"), "Return and reintegration", 2),
        ],
    );
    submission.warnings = vec![(3, "currency.assumed_eur", "S3")];
    env.submit(&submission).await;

    assert_eq!(env.wait_for_version("sub-1").await, 1);

    let published = env.wait_for_published(1).await;
    assert_eq!(published.len(), 1);
    let message = &published[0];
    assert_eq!(message.round, ROUND);
    assert_eq!(message.version, 1);
    assert_eq!(message.initiatives, 2);
    assert_eq!(message.submission_id, "sub-1");
    assert_eq!(message.by_partner.get("SEN"), Some(&2));
    assert_eq!(message.objects.len(), jvap_outputs::DatasetFile::ALL.len());
    for file in jvap_outputs::DatasetFile::ALL.map(jvap_outputs::DatasetFile::name) {
        let name = format!("{ROUND}/v1/{file}");
        assert_eq!(message.objects.get(file), Some(&name));
        let bytes = env.dataset_file(&name).await;
        assert!(!bytes.is_empty(), "{name} is in the datasets store");
    }
    assert_eq!(env.latest().await.as_ref(), Some(message));

    let store = &service.store;
    let current = store.initiatives_at(ROUND, 1).await.expect("query");
    assert_eq!(
        titles(&current),
        ["Return and reintegration", "Border management"],
        "sorted by partner, then sheet and row"
    );
    assert!(
        current
            .iter()
            .all(|i| i.partner == "SEN" && i.submission_id == "sub-1")
    );
    assert_eq!(current[0].warnings, Vec::<String>::new());
    assert_eq!(current[1].warnings, ["currency.assumed_eur@S3"]);
    // The record as sent, with the JVAP id it was given.
    let mut stored = current[1].record.clone();
    assert!(
        stored
            .jvap_id
            .take()
            .is_some_and(|id| id.starts_with("JVAP-"))
    );
    assert_eq!(stored, submission.records[0]);

    let versions = store.versions(ROUND).await.expect("query");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].published_at, message.published_at);
    service.stop().await;
}
