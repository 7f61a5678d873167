//! The commit is the version; the files follow from the builder, newest first, the same whenever
//! they are built.

use std::collections::BTreeMap;
use std::io::Read;

use jvap_aggregation::Built;
use jvap_outputs::DatasetFile;
use jvap_record::messages::{self as m, BuildReason, BuildRequested, Mode};
use serde_json::Value;

use crate::helpers::{Env, ROUND, Submission, initiative, wait_for};

on_both_backends!(
    a_version_is_listed_and_named_in_its_status_when_it_commits_before_any_file_is_built,
    versions_queued_for_the_builder_build_the_newest_only,
    an_earlier_versions_files_built_on_request_equal_those_built_at_the_time,
    the_service_killed_mid_build_builds_the_files_when_it_starts_again,
);

fn latest(version: u32) -> BuildRequested {
    BuildRequested {
        round: ROUND.into(),
        version,
        reason: BuildReason::Latest,
    }
}

async fn files_of(env: &Env, version: u32) -> BTreeMap<&'static str, Option<Vec<u8>>> {
    let mut files = BTreeMap::new();
    for file in DatasetFile::ALL.map(DatasetFile::name) {
        let name = m::DatasetPublished::object_name(ROUND, version, file);
        files.insert(file, env.dataset_object(&name).await);
    }
    files
}

async fn a_version_is_listed_and_named_in_its_status_when_it_commits_before_any_file_is_built(
    env: Env,
) {
    // No consumer runs: what the handler leaves is what readers see before the builder runs.
    let app = env.app().await;
    let (store, aggregator, builder) = (app.store(), app.aggregator(), app.builder());
    let first = env
        .stage(&Submission::new(
            "sub-1",
            "SEN",
            Mode::Replace,
            vec![
                initiative(Some("SEN-1"), "Return and reintegration", 2),
                initiative(Some("SEN-2"), "Border management", 3),
            ],
        ))
        .await;
    assert_eq!(aggregator.process(&first).await.expect("applied"), 1);

    let listed = env.latest().await.expect("the version is listed");
    assert_eq!((listed.version, listed.initiatives), (1, 2));
    assert_eq!(listed.by_partner, BTreeMap::from([("SEN".to_string(), 2)]));
    let status = env.bus.status("sub-1").await.expect("kv").expect("status");
    assert_eq!(status.dataset_version, Some(1));
    assert_eq!(env.published().await.len(), 1);
    assert!(
        files_of(&env, 1).await.values().all(Option::is_none),
        "no file is built by the commit"
    );
    let requests: Vec<BuildRequested> = env.messages(m::SUBJECT_BUILD_REQUESTED).await;
    assert_eq!(requests, [latest(1)]);

    let second = env
        .stage(&Submission::new(
            "sub-2",
            "MLI",
            Mode::Replace,
            vec![initiative(Some("MLI-1"), "Youth employment", 2)],
        ))
        .await;
    assert_eq!(aggregator.process(&second).await.expect("applied"), 2);

    // What version 2 holds, from the database.
    assert_eq!(
        store.counts(ROUND, 2).await.expect("counts"),
        BTreeMap::from([("MLI".to_string(), 1), ("SEN".to_string(), 2)])
    );
    assert_eq!(store.touched_partners(ROUND, 2).await.expect("q"), ["MLI"]);
    let changes = store.changes(ROUND, 2).await.expect("changes");
    assert_eq!(changes.previous_version, Some(1));
    assert_eq!((changes.added, changes.updated, changes.removed), (1, 0, 0));
    let first_changes = store.changes(ROUND, 1).await.expect("changes");
    assert_eq!(
        (first_changes.previous_version, first_changes.added),
        (None, 2)
    );
    let tracker = store.tracker(ROUND, 2).await.expect("q").expect("kept");
    let mli = tracker.partners.iter().find(|p| p.partner == "MLI");
    assert_eq!(mli.map(|p| p.initiatives), Some(1));

    // Version 1's request was overtaken: skipped. Version 2 is built once.
    assert_eq!(
        builder.process(&latest(1)).await.expect("handled"),
        Built::Skipped { newest: 2 }
    );
    assert_eq!(
        builder.process(&latest(2)).await.expect("built"),
        Built::Built
    );
    assert_eq!(
        builder.process(&latest(2)).await.expect("again"),
        Built::Present
    );
    assert!(files_of(&env, 2).await.values().all(Option::is_some));
    assert!(files_of(&env, 1).await.values().all(Option::is_none));

    // The change log in the file is the database's.
    let json = env
        .dataset_object(&m::DatasetPublished::object_name(ROUND, 2, "dataset.json"))
        .await
        .expect("built");
    let dataset: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(
        dataset["changes"],
        serde_json::to_value(&changes).expect("JSON")
    );
}

async fn versions_queued_for_the_builder_build_the_newest_only(env: Env) {
    let app = env.app().await;
    let aggregator = app.aggregator();
    for (i, partner) in ["SEN", "MLI", "NER"].iter().enumerate() {
        let id = format!("sub-{i}");
        let staged = env
            .stage(&Submission::new(
                &id,
                partner,
                Mode::Replace,
                vec![initiative(Some("X-1"), "Youth employment", 2)],
            ))
            .await;
        aggregator.process(&staged).await.expect("applied");
    }
    drop(app);
    assert_eq!(
        env.messages::<BuildRequested>(m::SUBJECT_BUILD_REQUESTED)
            .await
            .len(),
        3
    );

    // The builder's consumer takes the three requests in order: only the last is built.
    let service = env.run().await;
    wait_for("version 3's files", || async {
        files_of(&env, 3)
            .await
            .values()
            .all(Option::is_some)
            .then_some(())
    })
    .await;
    for version in [1, 2] {
        assert!(
            files_of(&env, version).await.values().all(Option::is_none),
            "version {version} was overtaken and never built"
        );
    }
    let store = service.store.clone();
    let built = wait_for("version 3 recorded as built", || async {
        let built = store.built(ROUND).await.expect("q");
        (!built.is_empty()).then_some(built)
    })
    .await;
    assert_eq!(built, [3]);
    service.stop().await;
}

async fn an_earlier_versions_files_built_on_request_equal_those_built_at_the_time(env: Env) {
    // Keep no version but the newest: version 1's files are removed once version 2 is built.
    let mut config = env.config();
    config.dataset_files_keep = 0;
    let service = env.run_with(config).await;
    let mut submission = Submission::new(
        "sub-1",
        "SEN",
        Mode::Replace,
        vec![
            initiative(Some("SEN-1"), "Return and reintegration", 2),
            initiative(None, "Border management", 3),
        ],
    );
    submission.warnings = vec![(3, "currency.assumed_eur", "S3")];
    env.submit(&submission).await;
    assert_eq!(env.wait_for_version("sub-1").await, 1);
    let at_the_time = wait_for("version 1's files", || async {
        let files = files_of(&env, 1).await;
        files.values().all(Option::is_some).then_some(files)
    })
    .await;

    // The round moves on: another partner, another status, another version.
    env.submit(&Submission::new(
        "sub-2",
        "MLI",
        Mode::Replace,
        vec![initiative(Some("MLI-1"), "Youth employment", 2)],
    ))
    .await;
    assert_eq!(env.wait_for_version("sub-2").await, 2);
    wait_for("version 1's files to be removed by retention", || async {
        files_of(&env, 1)
            .await
            .values()
            .all(Option::is_none)
            .then_some(())
    })
    .await;
    let store = service.store.clone();
    wait_for("only version 2 recorded as built", || async {
        (store.built(ROUND).await.expect("q") == [2]).then_some(())
    })
    .await;

    for (file, then) in at_the_time {
        let then = then.expect("built at the time");
        let now = env
            .dataset_file(&m::DatasetPublished::object_name(ROUND, 1, file))
            .await;
        if file == "dataset.xlsx" {
            assert_eq!(parts(&now), parts(&then), "{file}, part by part");
        } else {
            assert_eq!(
                String::from_utf8_lossy(&now),
                String::from_utf8_lossy(&then),
                "{file}"
            );
        }
    }
    service.stop().await;
}

/// Initiatives enough that building their files takes seconds (in a debug build, tens).
const LARGE_ROUND: u32 = 20_000;

async fn the_service_killed_mid_build_builds_the_files_when_it_starts_again(env: Env) {
    use jvap_testkit::processes::{Service, log_dir};
    // The real binary, so that the kill is a SIGKILL of a process in the middle of its build.
    let logs_dir = tempfile::tempdir().expect("temp dir");
    let logs = log_dir(logs_dir.path()).expect("log dir");
    let database = match &env.database {
        jvap_aggregation::Database::Sqlite(path) => (
            "DATABASE_URL".to_string(),
            format!("sqlite:{}", path.display()),
        ),
        jvap_aggregation::Database::Postgres(url) => ("DATABASE_URL".to_string(), url.clone()),
    };
    let vars = vec![("JVAP_NATS_URL".to_string(), env.nats_url()), database];
    let mut service = Service::new("aggregation", "jvap-aggregation", vars, &logs)
        .expect("the aggregation binary (cargo build --bins)");
    let records = (0..LARGE_ROUND)
        .map(|i| initiative(Some(&format!("SEN-{i}")), &format!("Initiative {i}"), i + 2))
        .collect();
    env.submit(&Submission::new("sub-1", "SEN", Mode::Replace, records))
        .await;
    service.start().expect("aggregation starts");
    assert_eq!(env.wait_for_version("sub-1").await, 1);

    // Committed, announced: the build has begun (or is about to). Kill it there.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    service.kill();
    let missing = files_of(&env, 1)
        .await
        .values()
        .filter(|f| f.is_none())
        .count();
    assert!(
        missing > 0,
        "the kill came after the build; a larger round is needed for this test\n{}",
        service.log_tail(20)
    );

    // Started again: the request it held comes back (ack wait) and the files are built.
    service.start().expect("aggregation starts again");
    let files = wait_for("every file of version 1 after the restart", || async {
        let files = files_of(&env, 1).await;
        files.values().all(Option::is_some).then_some(files)
    })
    .await;
    service.kill();
    let json = files["dataset.json"].as_deref().expect("built");
    let dataset: Value = serde_json::from_slice(json).expect("JSON");
    assert_eq!(dataset["version"], 1);
    assert_eq!(
        dataset["initiatives"].as_array().map(Vec::len),
        Some(LARGE_ROUND as usize)
    );
}

/// Every part of an xlsx (a zip), by name.
fn parts(xlsx: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip");
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("a part");
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).expect("readable");
        let name = part.name().expect("a part name").to_string();
        parts.insert(name, bytes);
    }
    parts
}
