//! JVAP ids: given when an initiative first enters the database, from one sequence, never reused,
//! kept across versions; a row that gives its id back updates that initiative.

use jvap_record::ids::KnownIds;
use jvap_record::messages::{self as m, Mode};

use crate::helpers::{Env, ROUND, Submission, initiative};

on_both_backends!(
    ids_are_given_once_kept_across_versions_and_never_reused,
    a_row_that_gives_its_id_back_updates_that_initiative_whatever_its_reference,
);

/// (title, id) of every initiative of a version, in the dataset's order.
async fn ids_at(store: &jvap_aggregation::Store, version: u32) -> Vec<(String, String)> {
    store
        .initiatives_at(ROUND, version)
        .await
        .expect("query")
        .into_iter()
        .map(|i| {
            let id = i
                .record
                .jvap_id
                .clone()
                .expect("every initiative has an id");
            (i.record.title, id)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(t, i)| (t.to_string(), i.to_string()))
        .collect()
}

async fn ids_are_given_once_kept_across_versions_and_never_reused(env: Env) {
    let service = env.run().await;
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("SEN-1"), "Return and reintegration", 2),
            initiative(None, "Border management", 3),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    env.submit(&Submission::new(
        "sub-2",
        "MLI",
        Mode::Replace,
        vec![initiative(None, "Legal pathways", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);
    let store = &service.store;
    assert_eq!(
        ids_at(store, 2).await,
        pairs(&[
            ("Legal pathways", "JVAP-000003"),
            ("Return and reintegration", "JVAP-000001"),
            ("Border management", "JVAP-000002"),
        ])
    );

    // SEN sends its file again, the referenced row changed, the other as it was, one new row; and
    // drops nothing else: every kept initiative keeps its id, the new one takes the next.
    let mut changed = initiative(Some("SEN-1"), "Return, readmission and reintegration", 2);
    changed.status = "completed".into();
    env.submit(&Submission::new(
        "sub-3",
        "SEN",
        Mode::Replace,
        vec![
            changed,
            initiative(None, "Border management", 3),
            initiative(None, "Labour migration", 4),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-3").await, 3);
    assert_eq!(
        ids_at(store, 3).await,
        pairs(&[
            ("Legal pathways", "JVAP-000003"),
            ("Return, readmission and reintegration", "JVAP-000001"),
            ("Border management", "JVAP-000002"),
            ("Labour migration", "JVAP-000004"),
        ])
    );
    // Version 1 still shows what was then, with the same ids.
    assert_eq!(
        ids_at(store, 1).await,
        pairs(&[
            ("Return and reintegration", "JVAP-000001"),
            ("Border management", "JVAP-000002"),
        ])
    );

    // A replace that drops an initiative ends it; its id is not given again.
    env.submit(&Submission::new(
        "sub-4",
        "SEN",
        Mode::Replace,
        vec![initiative(None, "Protection of migrants", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-4").await, 4);
    assert_eq!(
        ids_at(store, 4).await,
        pairs(&[
            ("Legal pathways", "JVAP-000003"),
            ("Protection of migrants", "JVAP-000005"),
        ])
    );

    // The JSON dataset carries them, and validation is told whose each id is.
    let json = env.dataset_file(&format!("{ROUND}/v4/dataset.json")).await;
    let json: serde_json::Value = serde_json::from_slice(&json).expect("json");
    let ids: Vec<&str> = json["initiatives"]
        .as_array()
        .expect("initiatives")
        .iter()
        .filter_map(|i| i["jvap_id"].as_str())
        .collect();
    assert_eq!(ids, ["JVAP-000003", "JVAP-000005"]);
    let owners: KnownIds =
        serde_json::from_slice(&env.dataset_object(m::IDS_OBJECT).await.expect("owners"))
            .expect("owners decode");
    let mine: Vec<String> = (1..=6)
        .map(jvap_record::ids::format)
        .filter(|id| owners.partner_of(id) == Some("SEN"))
        .collect();
    assert_eq!(
        mine,
        ["JVAP-000001", "JVAP-000002", "JVAP-000004", "JVAP-000005"]
    );
    assert_eq!(owners.partner_of("JVAP-000003"), Some("MLI"));
    assert!(
        owners.runs.len() <= 4,
        "ids given a file at a time are held as runs: {owners:?}"
    );
    service.stop().await;
}

async fn a_row_that_gives_its_id_back_updates_that_initiative_whatever_its_reference(env: Env) {
    let service = env.run().await;
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("A"), "Return and reintegration", 2),
            initiative(Some("B"), "Border management", 3),
        ],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    // A merge whose row names JVAP-000002 under a new reference and a new title: it updates that
    // initiative, and the other stays.
    let mut update = initiative(Some("B-renamed"), "Integrated border management", 2);
    update.jvap_id = Some("JVAP-000002".into());
    env.submit(&Submission::new("sub-2", "SEN", Mode::Merge, vec![update]))
        .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);
    let store = &service.store;
    assert_eq!(
        ids_at(store, 2).await,
        pairs(&[
            ("Return and reintegration", "JVAP-000001"),
            ("Integrated border management", "JVAP-000002"),
        ])
    );
    service.stop().await;
}
