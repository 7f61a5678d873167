//! The restore drill, through the `jvap` binary as an operator runs it: a round is backed up
//! (`jvap admin backup DIR`) from a system whose services were stopped, restored
//! (`jvap admin restore DIR`) into a fresh system (a new nats-server and a new database), and the
//! services started on it. Everything a user had comes back: the same submission statuses, the
//! partner's token still works on the API and on the web sign-in, every dataset file is
//! byte-identical, no work is done again, and the round goes on (a new file becomes the next version).
//! On SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use jvap_aggregation::Database;
use jvap_tests::{Backend, Client, System};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/");
const LIMIT: Duration = Duration::from_secs(60);

/// Two partners' accepted files and a third partner's rejected one.
const FILES: [(&str, &str); 3] = [
    ("EU", "EU_DG-INTPA_JVAP_2022.xlsx"),
    ("GHA", "GHA_MoI_JVAP_submission_final.xlsx"),
    ("GMB", "GMB_MoI_JVAP_2022.xlsx"),
];

/// `jvap admin ACTION DIR` against `system`'s NATS and database, off the async runtime.
async fn admin(system: &System, action: &'static str, dir: &Path) -> Output {
    let binary = jvap_tests::processes::binary("jvap").expect("the jvap binary");
    let mut command = std::process::Command::new(binary);
    command
        .args(["admin", action])
        .arg(dir)
        .env("JVAP_NATS_URL", system.nats.url())
        .env_remove("DATABASE_URL")
        .env_remove("JVAP_DATA_DIR");
    match system.database() {
        Database::Postgres(url) => command.env("DATABASE_URL", url),
        Database::Sqlite(path) => {
            command.env("DATABASE_URL", format!("sqlite://{}", path.display()))
        }
    };
    tokio::task::spawn_blocking(move || command.output().expect("the jvap binary runs"))
        .await
        .expect("jvap ran")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// What a user can see of the round: each submission's status, and every file of every version.
#[derive(Debug, PartialEq)]
struct Seen {
    statuses: BTreeMap<String, Value>,
    files: BTreeMap<String, Vec<u8>>,
}

async fn seen(analyst: &Client, ids: &[String]) -> Seen {
    let mut statuses = BTreeMap::new();
    for id in ids {
        let status = analyst
            .get_json(&format!("/api/v1/submissions/{id}"))
            .await
            .expect("status")
            .expect("the submission exists");
        statuses.insert(id.clone(), status);
    }
    let mut files = BTreeMap::new();
    let versions = analyst
        .get_json("/api/v1/datasets")
        .await
        .expect("listing")
        .expect("versions");
    for version in versions.as_array().expect("a list") {
        let number = &version["version"];
        for file in version["files"].as_array().expect("files") {
            let file = file.as_str().expect("a name");
            let path = format!("/api/v1/datasets/2022/v{number}/{file}");
            let (status, bytes) = analyst.get_bytes(&path).await.expect("download");
            assert_eq!(status, 200, "{path}");
            files.insert(path, bytes);
        }
    }
    Seen { statuses, files }
}

async fn drill(backend: Backend) {
    // Arrange: a round with two accepted files and a rejected one, every version published.
    let mut before = System::start(backend).await.expect("system starts");
    let analyst = before.admin.issue("analyst", None).await.expect("analyst");
    let mut partners = BTreeMap::new();
    let mut ids = Vec::new();
    for (partner, file) in FILES {
        let client = before
            .admin
            .issue("partner", Some(partner))
            .await
            .expect("partner");
        let bytes = std::fs::read(format!("{SAMPLES}{file}")).expect("sample");
        let (status, body) = client.submit(file, bytes, None).await.expect("upload");
        assert_eq!(status, 202, "{body}");
        let id = body["submission_id"].as_str().expect("an id").to_string();
        client.wait_final(&id, true, LIMIT).await.expect("final");
        partners.insert(partner, client);
        ids.push(id);
    }
    let was = seen(&analyst, &ids).await;
    let states: Vec<&str> = ids
        .iter()
        .map(|id| was.statuses[id]["state"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        states,
        ["accepted", "accepted", "rejected"],
        "{:?}",
        was.statuses
    );
    assert!(
        was.files.len() >= 14,
        "two versions of seven files: {:?}",
        was.files.keys()
    );

    // Act: stop the services, back up, restore into a fresh system, start the services on it.
    before.stop_services().await.expect("services stop");
    let backup = tempfile::tempdir().expect("temp dir");
    let dir = backup.path().join("round-2022");
    let output = admin(&before, "backup", &dir).await;
    assert!(output.status.success(), "backup: {}", said(&output));
    assert!(
        !said(&output).contains("running"),
        "stopped services leave no heartbeat behind: {}",
        said(&output)
    );
    let mut after = System::prepare(backend, None).expect("a fresh system");
    let output = admin(&after, "restore", &dir).await;
    assert!(output.status.success(), "restore: {}", said(&output));
    after
        .start_services()
        .await
        .expect("services start on the restored state");
    // The same tokens, on the new system's address.
    let analyst = Client::new(&after.admin.base, &analyst.token);
    let partner = Client::new(&after.admin.base, &partners["EU"].token);

    // Assert: the same statuses and byte-identical files.
    let now = seen(&analyst, &ids).await;
    assert_eq!(now.statuses, was.statuses);
    assert_eq!(
        now.files.keys().collect::<Vec<_>>(),
        was.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &was.files {
        assert!(
            now.files[path] == *bytes,
            "{path} differs after the restore"
        );
    }
    // The partner's token works on the API, and on the web sign-in.
    let own = partner
        .get_json(&format!("/api/v1/submissions/{}", ids[0]))
        .await
        .expect("status");
    assert_eq!(own.expect("its own submission")["state"], "accepted");
    let browser = jvap_tests::web::Browser::sign_in(&after.admin.base, &partner.token, "en")
        .await
        .expect("the token signs in on the web");
    let home = browser.get("/").await.expect("home");
    assert!(
        home.contains(FILES[0].1),
        "the partner's page lists its file"
    );
    // Nothing is done again: no version is published beyond the two, after a while.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(seen(&analyst, &ids).await.files.len(), was.files.len());
    // The same bytes again are still the same submission…
    let bytes = std::fs::read(format!("{SAMPLES}{}", FILES[0].1)).expect("sample");
    let (status, body) = partner
        .submit(FILES[0].1, bytes, None)
        .await
        .expect("upload");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["submission_id"], ids[0].as_str());
    // …and the round goes on: a new partner's file becomes version 3.
    let newcomer = after
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("partner");
    let file = "NER_Donnees_JVAP_2022.xlsx";
    let bytes = std::fs::read(format!("{SAMPLES}{file}")).expect("sample");
    let (status, body) = newcomer.submit(file, bytes, None).await.expect("upload");
    assert_eq!(status, 202, "{body}");
    let id = body["submission_id"].as_str().expect("an id");
    let last = newcomer.wait_final(id, true, LIMIT).await.expect("final");
    assert_eq!(last["dataset_version"], 3, "{last}");

    after.shutdown().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_restored_into_a_fresh_system_on_sqlite_is_where_it_was() {
    drill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_restored_into_a_fresh_system_on_postgres_is_where_it_was() {
    drill(Backend::Postgres).await;
}
