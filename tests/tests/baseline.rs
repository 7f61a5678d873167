//! Issue 14, items 2 and 3, end to end on SQLite and PostgreSQL: the accepted samples consolidated
//! as round 2020 are imported as its baseline, 2022 is opened from it (version 1 holds the
//! baseline's initiatives with their ids), a partner downloads its pre-filled workbook in English
//! and French (exactly its initiatives and ids), and sends it back unchanged: accepted, every id
//! kept, none given.

use std::collections::BTreeSet;
use std::process::Output;

use calamine::{Data, Reader, Xlsx};
use jvap_tests::{Backend, System};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/");

/// Run `jvap` off the async runtime, talking to the system's NATS and database.
async fn jvap(system: &System, args: &[&str]) -> Output {
    let binary = jvap_tests::processes::binary("jvap").expect("the jvap binary");
    let database = match system.database() {
        jvap_aggregation::Database::Sqlite(path) => format!("sqlite:{}", path.display()),
        jvap_aggregation::Database::Postgres(url) => url.clone(),
    };
    let nats = system.nats.url();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(binary)
            .args(&args)
            .env_remove("JVAP_LANG")
            .env_remove("JVAP_SERVER")
            .env_remove("JVAP_TOKEN")
            .env("JVAP_NATS_URL", nats)
            .env("DATABASE_URL", database)
            .output()
            .expect("the jvap binary runs")
    })
    .await
    .expect("jvap ran")
}

fn said(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// (partner, id) of every initiative of a published dataset.json.
fn ids_of(dataset: &Value) -> BTreeSet<(String, String)> {
    dataset["initiatives"]
        .as_array()
        .expect("initiatives")
        .iter()
        .map(|i| {
            (
                i["partner"].as_str().expect("partner").to_string(),
                i["jvap_id"]
                    .as_str()
                    .expect("every initiative has an id")
                    .to_string(),
            )
        })
        .collect()
}

async fn dataset(system: &System, round: &str, version: &str) -> Value {
    let path = format!("/api/v1/datasets/{round}/{version}/dataset.json");
    for _ in 0..300 {
        let (status, bytes) = system.admin.get_bytes(&path).await.expect("download");
        if status == 200 {
            return serde_json::from_slice(&bytes).expect("dataset.json is JSON");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{path} was never built");
}

/// The JVAP ids of the Initiatives sheet of a workbook.
fn workbook_ids(path: &std::path::Path) -> BTreeSet<String> {
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).expect("an xlsx");
    let range = workbook
        .worksheet_range("Initiatives")
        .expect("Initiatives");
    let column = jvap_record::record::column_index("jvap_id").expect("an id column");
    range
        .rows()
        .skip(1)
        .filter_map(|row| match row.get(column) {
            Some(Data::String(id)) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

async fn baseline_then_2022_then_an_unchanged_prefilled_workbook(backend: Backend) {
    let system = System::start(backend).await.expect("system starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("2020");
    let out_text = out.display().to_string();
    // The accepted samples as round 2020 (some samples are rejected: exit 1 is expected).
    jvap(
        &system,
        &[
            "consolidate",
            SAMPLES,
            "--out",
            &out_text,
            "--round",
            "2020",
        ],
    )
    .await;
    let json = out.join("dataset.json").display().to_string();
    let output = jvap(
        &system,
        &["admin", "import-baseline", &json, "--round", "2020"],
    )
    .await;
    assert!(output.status.success(), "{}", said(&output));
    assert!(said(&output).contains("version 1"), "{}", said(&output));
    let baseline = dataset(&system, "2020", "v1").await;
    let ids = ids_of(&baseline);
    assert!(ids.len() > 20, "{ids:?}");

    let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
    let output = jvap(
        &system,
        &[
            "--server", &server, "--token", &admin, "round", "open", "--round", "2022", "--from",
            "2020",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", said(&output));
    assert_eq!(ids_of(&dataset(&system, "2022", "v1").await), ids);
    // A second import of the same round is refused and changes nothing.
    let again = jvap(
        &system,
        &["admin", "import-baseline", &json, "--round", "2020"],
    )
    .await;
    assert!(!again.status.success(), "{}", said(&again));

    // NER's pre-filled workbook, in both languages: exactly its initiatives and ids.
    let ner: BTreeSet<String> = ids
        .iter()
        .filter(|(p, _)| p == "NER")
        .map(|(_, id)| id.clone())
        .collect();
    assert!(!ner.is_empty());
    let partner = system
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("a token");
    for lang in ["en", "fr"] {
        let file = dir.path().join(format!("ner-{lang}.xlsx"));
        let file_text = file.display().to_string();
        let output = jvap(
            &system,
            &[
                "--server",
                &server,
                "--token",
                &partner.token,
                "--lang",
                lang,
                "template",
                "--prefill",
                "-o",
                &file_text,
            ],
        )
        .await;
        assert!(output.status.success(), "{}", said(&output));
        assert_eq!(workbook_ids(&file), ner, "{lang}");
    }

    // Sent back unchanged: accepted, and every id is kept (none given).
    let french = dir.path().join("ner-fr.xlsx").display().to_string();
    let output = jvap(
        &system,
        &[
            "--server",
            &server,
            "--token",
            &partner.token,
            "submit",
            &french,
            "--wait",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", said(&output));
    assert_eq!(ids_of(&dataset(&system, "2022", "v2").await), ids);
    system.shutdown().await.expect("system stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite() {
    baseline_then_2022_then_an_unchanged_prefilled_workbook(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres() {
    baseline_then_2022_then_an_unchanged_prefilled_workbook(Backend::Postgres).await;
}
