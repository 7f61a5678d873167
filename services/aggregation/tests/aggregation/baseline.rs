//! A round's version 1 from a baseline: an earlier round imported with its ids (kept, or given),
//! a new round opened from it carrying its current initiatives and ids, and a partner of the new
//! round giving an id back updating that initiative without a new id.

use jvap_aggregation::Error;
use jvap_aggregation::baseline::{self, Carried};
use jvap_aggregation::incoming::NewInitiative;
use jvap_record::messages::Mode;

use crate::helpers::{Env, ROUND, Submission, initiative, wait_for};

on_both_backends!(
    a_baseline_is_version_1_and_a_round_opened_from_it_carries_its_initiatives_and_ids,
    a_baseline_with_another_partners_id_or_over_a_started_round_is_refused,
);

const BASELINE: &str = "2020";

fn carried(partner: &str, title: &str, row: u32, id: Option<&str>) -> Carried {
    let mut record = initiative(None, title, row);
    record.jvap_id = id.map(String::from);
    Carried {
        partner: partner.into(),
        initiative: NewInitiative {
            record,
            warnings: Vec::new(),
        },
    }
}

/// (partner, title, id) of every initiative of a version, in the dataset's order.
async fn held(
    store: &jvap_aggregation::Store,
    round: &str,
    version: u32,
) -> Vec<(String, String, String)> {
    store
        .initiatives_at(round, version)
        .await
        .expect("query")
        .into_iter()
        .map(|i| {
            let id = i
                .record
                .jvap_id
                .clone()
                .expect("every initiative has an id");
            (i.partner, i.record.title, id)
        })
        .collect()
}

fn triples(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(p, t, i)| (p.to_string(), t.to_string(), i.to_string()))
        .collect()
}

async fn a_baseline_is_version_1_and_a_round_opened_from_it_carries_its_initiatives_and_ids(
    env: Env,
) {
    let service = env.run().await;
    let store = &service.store;
    let initiatives = vec![
        carried("MLI", "Legal pathways", 2, None),
        carried("SEN", "Return and reintegration", 2, Some("JVAP-000050")),
        carried("SEN", "Border management", 3, None),
    ];
    let started = baseline::start_and_publish(
        &env.bus,
        store,
        BASELINE,
        &baseline::baseline_origin(BASELINE),
        &initiatives,
    )
    .await
    .expect("the baseline is imported");
    assert_eq!(
        (started.version, started.initiatives, started.partners),
        (1, 3, 2)
    );
    assert_eq!((started.kept_ids, started.new_ids), (1, 2));
    // The kept id stays; the others come after it, so none is given twice.
    let expected = triples(&[
        ("MLI", "Legal pathways", "JVAP-000051"),
        ("SEN", "Return and reintegration", "JVAP-000050"),
        ("SEN", "Border management", "JVAP-000052"),
    ]);
    assert_eq!(held(store, BASELINE, 1).await, expected);
    // Published like any version: listed in KV, its files built.
    wait_for("the baseline's workbook", || async {
        env.dataset_object(&format!("{BASELINE}/v1/dataset.xlsx"))
            .await
    })
    .await;

    // 2022 opened from 2020: version 1 carries every current initiative with its id.
    let from = store.carried_from(BASELINE).await.expect("query");
    let opened = baseline::start_and_publish(
        &env.bus,
        store,
        ROUND,
        &baseline::from_origin(BASELINE),
        &from,
    )
    .await
    .expect("the round opens from the baseline");
    assert_eq!((opened.version, opened.kept_ids, opened.new_ids), (1, 3, 0));
    assert_eq!(held(store, ROUND, 1).await, expected);

    // SEN sends, as a merge, one of its initiatives back with its id and changed, and a new one:
    // the first keeps its id, the new one takes the next, and nothing else moves.
    let mut changed = initiative(None, "Return, readmission and reintegration", 2);
    changed.jvap_id = Some("JVAP-000050".into());
    changed.status = "completed".into();
    env.submit(&Submission::new(
        "sub-1",
        "SEN",
        Mode::Merge,
        vec![changed, initiative(None, "Labour migration", 4)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-1").await, 2);
    let now = held(store, ROUND, 2).await;
    assert_eq!(now.len(), 4, "{now:?}");
    assert!(now.contains(&(
        "SEN".into(),
        "Return, readmission and reintegration".into(),
        "JVAP-000050".into()
    )));
    assert!(now.contains(&(
        "SEN".into(),
        "Labour migration".into(),
        "JVAP-000053".into()
    )));
    assert!(now.contains(&("MLI".into(), "Legal pathways".into(), "JVAP-000051".into())));
    // The baseline round is as it was.
    assert_eq!(held(store, BASELINE, 1).await, expected);
    service.stop().await;
}

async fn a_baseline_with_another_partners_id_or_over_a_started_round_is_refused(env: Env) {
    let service = env.run().await;
    let store = &service.store;
    let origin = baseline::baseline_origin(BASELINE);
    store
        .start_round(
            BASELINE,
            &origin,
            &[carried("SEN", "Return", 2, Some("JVAP-000007"))],
        )
        .await
        .expect("imported");
    // Another round whose data gives SEN's id to MLI: nothing of it is kept.
    let refused = store
        .start_round(
            "2018",
            "baseline-2018",
            &[carried("MLI", "Legal", 2, Some("JVAP-7"))],
        )
        .await;
    assert!(matches!(refused, Err(Error::Baseline(_))), "{refused:?}");
    assert_eq!(store.latest_version("2018").await.expect("query"), None);
    // The same id twice.
    let twice = store
        .start_round(
            "2016",
            "baseline-2016",
            &[
                carried("MLI", "Legal", 2, Some("JVAP-000009")),
                carried("MLI", "Legal too", 3, Some("JVAP-000009")),
            ],
        )
        .await;
    assert!(matches!(twice, Err(Error::Baseline(_))), "{twice:?}");
    // A round that has a version already.
    let again = store.start_round(BASELINE, &origin, &[]).await;
    assert!(
        matches!(again, Err(Error::RoundStarted { version: 1, .. })),
        "{again:?}"
    );
    service.stop().await;
}
