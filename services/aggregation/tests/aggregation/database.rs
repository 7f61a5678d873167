//! The database set-up itself.

use std::collections::BTreeSet;

use jvap_aggregation::{Error, NewInitiative, Store};
use jvap_record::messages::{Mode, SubmissionValidated};

use crate::helpers::{Env, ROUND, Submission, initiative};

on_both_backends!(
    migrations_run_twice_are_a_no_op_and_keep_the_data,
    two_replicas_applying_at_once_take_distinct_versions_and_lose_nothing,
);

async fn migrations_run_twice_are_a_no_op_and_keep_the_data(env: Env) {
    let store = Store::connect(&env.database).await.expect("connects");
    store.migrate().await.expect("first migration");
    let submission = Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![initiative(Some("SEN-1"), "Return and reintegration", 2)],
    );
    let validated = env.stage(&submission).await;
    let records = [NewInitiative {
        record: submission.records[0].clone(),
        warnings: vec!["description.empty@D2".into()],
    }];
    store.apply(&validated, &records).await.expect("applied");

    store.migrate().await.expect("second migration");
    // And again through a whole new service on the same database.
    let app = env.app().await;
    let again = app.store();

    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(again.pool())
        .await
        .expect("query");
    assert_eq!(
        applied, 6,
        "0001_versions, 0002_deliveries, 0003_revalidations, 0004_reminders, 0005_version_index and 0006_ids"
    );
    assert_eq!(again.versions(ROUND).await.expect("query").len(), 1);
    let current = again.initiatives_at(ROUND, 1).await.expect("query");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].warnings, ["description.empty@D2"]);
    // The record as sent, with the JVAP id it was given.
    let mut stored = current[0].record.clone();
    assert_eq!(stored.jvap_id.take().as_deref(), Some("JVAP-000001"));
    assert_eq!(stored, submission.records[0]);
    // Applying the same submission again takes no new version.
    let twice = again.apply(&validated, &records).await.expect("applied");
    assert_eq!((twice.version, twice.newly), (1, false));
}

async fn two_replicas_applying_at_once_take_distinct_versions_and_lose_nothing(env: Env) {
    let first = Store::connect(&env.database).await.expect("connects");
    first.migrate().await.expect("migrates");
    let second = Store::connect(&env.database).await.expect("connects");
    let mut work = Vec::new();
    for n in 0..8 {
        let partner = ["SEN", "MLI"][n % 2];
        let submission = Submission::new(
            &format!("sub-{n}"),
            partner,
            if n < 2 { Mode::Replace } else { Mode::Merge },
            vec![initiative(
                Some(&format!("{partner}-{n}")),
                "Return and reintegration",
                2,
            )],
        );
        let validated = env.stage(&submission).await;
        let records = vec![NewInitiative {
            record: submission.records[0].clone(),
            warnings: vec![],
        }];
        work.push((validated, records));
    }
    let (even, odd): (Vec<_>, Vec<_>) = work.iter().enumerate().partition(|(n, _)| n % 2 == 0);
    let conflicts = tokio::join!(
        apply_all(&first, even.into_iter().map(|(_, w)| w).collect()),
        apply_all(&second, odd.into_iter().map(|(_, w)| w).collect()),
    );

    let versions = first.versions(ROUND).await.expect("query");
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>(),
        "conflicts retried: {conflicts:?}"
    );
    let ids: BTreeSet<&str> = versions.iter().map(|v| v.submission_id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    let current = first.initiatives_at(ROUND, 8).await.expect("query");
    assert_eq!(current.len(), 8, "merge submissions keep every initiative");
    assert_eq!(versions[7].initiatives, 8);
}

/// Apply each submission, retrying with a growing pause (as the consumer would) when another replica
/// took the version or held the database lock.
/// Returns how many attempts conflicted.
async fn apply_all(store: &Store, work: Vec<&(SubmissionValidated, Vec<NewInitiative>)>) -> usize {
    let mut conflicts = 0;
    for (validated, records) in work {
        let mut attempts = 0;
        loop {
            match store.apply(validated, records).await {
                Ok(_) => break,
                Err(e @ (Error::VersionTaken { .. } | Error::Database(_))) => {
                    conflicts += 1;
                    attempts += 1;
                    assert!(attempts < 50, "still conflicting after 50 attempts: {e}");
                    // As the consumer's nak backoff does: give the other writer time to commit
                    // (SQLite answers "database is locked" while it holds the write lock).
                    tokio::time::sleep(std::time::Duration::from_millis(10 * attempts)).await;
                }
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
    }
    conflicts
}
