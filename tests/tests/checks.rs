//! Dry runs (`POST /api/v1/validate`, the partner page's "check only") on the real services: the
//! report comes back exactly as a submission's would, and nothing is kept: no submission, no
//! status, no upload, no dataset version, no file left in the checks store. A closed round can
//! still be checked against; with validation stopped, the answer is a 503 with `Retry-After` and
//! still nothing is kept.

use std::time::Duration;

use jvap_tests::{Backend, Client, System};
use serde_json::{Value, json};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/");
const LIMIT: Duration = Duration::from_secs(60);

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}{name}")).expect("sample")
}

/// What a check might have left behind, as an analyst and NATS see it.
async fn nothing_kept(system: &System, analyst: &Client) {
    let submissions = analyst
        .get_json("/api/v1/submissions")
        .await
        .expect("list")
        .expect("a list");
    assert_eq!(submissions, json!([]), "no submission");
    let versions = analyst
        .get_json("/api/v1/datasets")
        .await
        .expect("list")
        .expect("a list");
    assert_eq!(versions, json!([]), "no dataset version");
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus");
    assert!(
        bus.uploads.list().await.expect("uploads").is_empty(),
        "no upload"
    );
    assert!(
        bus.checks.list().await.expect("checks").is_empty(),
        "the checks store is left empty"
    );
    assert!(bus.all_statuses().await.expect("statuses").is_empty());
}

fn codes(report: &Value) -> Vec<String> {
    report["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|issue| issue["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_answers_the_same_report_as_a_submission_and_keeps_nothing() {
    let mut system = System::start(Backend::Sqlite).await.expect("system starts");
    let analyst = system.admin.issue("analyst", None).await.expect("analyst");
    let partner = system
        .admin
        .issue("partner", Some("GMB"))
        .await
        .expect("partner");

    // A file that a submission would reject: the same verdict, counts and issues, EN and FR.
    let (status, _, rejected) = partner
        .check("GMB_MoI_JVAP_2022.xlsx", sample("GMB_MoI_JVAP_2022.xlsx"))
        .await
        .expect("check");
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["verdict"], "rejected");
    assert!(rejected["counts"]["errors"].as_u64().unwrap_or_default() > 0);
    let first = &rejected["issues"][0];
    assert!(!first["message_en"].as_str().unwrap_or_default().is_empty());
    assert!(!first["message_fr"].as_str().unwrap_or_default().is_empty());
    // An accepted file, by an analyst (any signed-in user may check).
    let (status, _, accepted) = analyst
        .check(
            "EU_DG-INTPA_JVAP_2022.xlsx",
            sample("EU_DG-INTPA_JVAP_2022.xlsx"),
        )
        .await
        .expect("check");
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["verdict"], "accepted");
    assert_eq!(accepted["counts"]["records"], 10);
    nothing_kept(&system, &analyst).await;

    // The same file submitted gives the very report the dry run gave.
    let (status, body) = partner
        .submit(
            "GMB_MoI_JVAP_2022.xlsx",
            sample("GMB_MoI_JVAP_2022.xlsx"),
            None,
        )
        .await
        .expect("upload");
    assert_eq!(status, 202, "{body}");
    let id = body["submission_id"].as_str().expect("id").to_string();
    partner.wait_final(&id, false, LIMIT).await.expect("final");
    let report = partner
        .get_json(&format!("/api/v1/submissions/{id}/report"))
        .await
        .expect("report")
        .expect("a report");
    assert_eq!(report["verdict"], rejected["verdict"]);
    assert_eq!(report["counts"], rejected["counts"]);
    assert_eq!(codes(&report), codes(&rejected));

    // A closed round can still be checked against.
    system
        .admin
        .post_json("/api/v1/rounds/2022/close", &json!({}))
        .await
        .expect("closed");
    let (status, _, again) = partner
        .check("GMB_MoI_JVAP_2022.xlsx", sample("GMB_MoI_JVAP_2022.xlsx"))
        .await
        .expect("check");
    assert_eq!(status, 200, "{again}");
    assert_eq!(codes(&again), codes(&rejected));

    // With validation stopped: 503, try again later, nothing kept.
    system.stop_validation().await.expect("validation stops");
    let (status, retry_after, refused) = partner
        .check("GMB_MoI_JVAP_2022.xlsx", sample("GMB_MoI_JVAP_2022.xlsx"))
        .await
        .expect("check");
    assert_eq!(status, 503, "{refused}");
    assert!(retry_after.is_some(), "a Retry-After");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not checked"),
        "{refused}"
    );
    assert!(
        refused["error_fr"]
            .as_str()
            .unwrap_or_default()
            .contains("n'a donc pas été vérifié"),
        "{refused}"
    );
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus");
    assert!(bus.checks.list().await.expect("checks").is_empty());

    system.shutdown().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_only_on_the_partner_page_shows_the_report_and_sends_nothing() {
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let analyst = system.admin.issue("analyst", None).await.expect("analyst");
    let partner = system
        .admin
        .issue("partner", Some("GMB"))
        .await
        .expect("partner");
    let browser = jvap_tests::web::Browser::sign_in(&system.admin.base, &partner.token, "fr")
        .await
        .expect("signed in");
    let home = browser.get("/").await.expect("home");
    assert!(home.contains("Vérifier seulement"), "the check button");
    let (status, page) = browser
        .post_file(
            "/check",
            "GMB_MoI_JVAP_2022.xlsx",
            sample("GMB_MoI_JVAP_2022.xlsx"),
        )
        .await
        .expect("check");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"data-verdict="rejected""#), "{page}");
    assert!(
        page.contains("rien n"),
        "says that nothing was kept: {page}"
    );
    assert!(
        page.contains(r#"<table id="issues""#),
        "the issues as a table"
    );
    nothing_kept(&system, &analyst).await;
    system.shutdown().await.expect("stops");
}
