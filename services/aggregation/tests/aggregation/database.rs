//! The database set-up itself.

use jvap_aggregation::{NewInitiative, Store};
use jvap_core::messages::Mode;

use crate::helpers::{Env, ROUND, Submission, initiative};

on_both_backends!(migrations_run_twice_are_a_no_op_and_keep_the_data);

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
    assert_eq!(applied, 1);
    assert_eq!(again.versions(ROUND).await.expect("query").len(), 1);
    let current = again.initiatives_at(ROUND, 1).await.expect("query");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].warnings, ["description.empty@D2"]);
    assert_eq!(current[0].record, submission.records[0]);
    // Applying the same submission again takes no new version.
    let twice = again.apply(&validated, &records).await.expect("applied");
    assert_eq!((twice.version, twice.newly), (1, false));
}
