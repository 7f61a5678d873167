//! Replace and merge, across partners, with every earlier version kept.

use jvap_record::messages::Mode;

use crate::helpers::{Env, ROUND, Submission, initiative, titles};

on_both_backends!(
    a_second_replace_submission_ends_the_old_initiatives_but_keeps_them_in_history_and_in_version_one,
    a_merge_submission_updates_initiatives_by_partner_ref_and_adds_the_rest,
    another_partners_submission_adds_without_touching_the_first_partners_initiatives,
);

async fn a_second_replace_submission_ends_the_old_initiatives_but_keeps_them_in_history_and_in_version_one(
    env: Env,
) {
    let service = env.run().await;
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("SEN-1"), "Return and reintegration", 2),
            initiative(Some("SEN-2"), "Border management", 3),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    env.submit(&Submission::new(
        "sub-2",
        "SEN",
        Mode::Replace,
        vec![initiative(Some("SEN-3"), "Legal pathways", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);

    let store = &service.store;
    let v2 = store.initiatives_at(ROUND, 2).await.expect("query");
    assert_eq!(titles(&v2), ["Legal pathways"]);
    let v1 = store.initiatives_at(ROUND, 1).await.expect("query");
    assert_eq!(
        titles(&v1),
        ["Return and reintegration", "Border management"]
    );

    let history = store.history(ROUND, "SEN", "SEN-1").await.expect("query");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].from_version, 1);
    assert_eq!(history[0].to_version, Some(2));
    assert_eq!(history[0].submission_id, "sub-1");
    assert_eq!(history[0].record.title, "Return and reintegration");

    let versions = store.versions(ROUND).await.expect("query");
    let counts: Vec<(u32, u64)> = versions
        .iter()
        .map(|v| (v.version, v.initiatives))
        .collect();
    assert_eq!(counts, [(1, 2), (2, 1)]);

    // Version 1 stays downloadable, built from the initiatives current at 1.
    let json = env.dataset_file(&format!("{ROUND}/v1/dataset.json")).await;
    assert!(String::from_utf8_lossy(&json).contains("Border management"));
    let published = env.wait_for_published(2).await;
    assert_eq!(
        published.iter().map(|p| p.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(env.latest().await.map(|l| l.version), Some(2));
    service.stop().await;
}

async fn a_merge_submission_updates_initiatives_by_partner_ref_and_adds_the_rest(env: Env) {
    let service = env.run().await;
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("SEN-1"), "Return and reintegration", 2),
            initiative(Some("SEN-2"), "Border management", 3),
            initiative(None, "Awareness campaign", 4),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    env.submit(&Submission::new(
        "sub-2",
        "SEN",
        Mode::Merge,
        vec![
            initiative(Some("SEN-2"), "Border management, phase 2", 2),
            initiative(Some("SEN-4"), "Diaspora investment", 3),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);

    let store = &service.store;
    let v2 = store.initiatives_at(ROUND, 2).await.expect("query");
    let mut current = titles(&v2);
    current.sort();
    assert_eq!(
        current,
        [
            "Awareness campaign",
            "Border management, phase 2",
            "Diaspora investment",
            "Return and reintegration",
        ]
    );

    let history = store.history(ROUND, "SEN", "SEN-2").await.expect("query");
    let versions: Vec<(u32, Option<u32>, &str)> = history
        .iter()
        .map(|h| (h.from_version, h.to_version, h.record.title.as_str()))
        .collect();
    assert_eq!(
        versions,
        [
            (1, Some(2), "Border management"),
            (2, None, "Border management, phase 2"),
        ]
    );
    let untouched = store.history(ROUND, "SEN", "SEN-1").await.expect("query");
    assert_eq!(untouched.len(), 1);
    assert_eq!(untouched[0].to_version, None);
    service.stop().await;
}

async fn another_partners_submission_adds_without_touching_the_first_partners_initiatives(
    env: Env,
) {
    let service = env.run().await;
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("X-1"), "Return and reintegration", 2),
            initiative(Some("X-2"), "Border management", 3),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    // The same partner_ref as SEN's, on purpose: references are the partner's own.
    env.submit(&Submission::new(
        "sub-2",
        "MLI",
        Mode::Replace,
        vec![initiative(Some("X-1"), "Youth employment", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);

    let store = &service.store;
    let v2 = store.initiatives_at(ROUND, 2).await.expect("query");
    let rows: Vec<(&str, &str)> = v2
        .iter()
        .map(|i| (i.partner.as_str(), i.record.title.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("MLI", "Youth employment"),
            ("SEN", "Return and reintegration"),
            ("SEN", "Border management"),
        ]
    );
    let sen = store.history(ROUND, "SEN", "X-1").await.expect("query");
    assert_eq!(sen.len(), 1);
    assert_eq!((sen[0].from_version, sen[0].to_version), (1, None));
    service.stop().await;
}
