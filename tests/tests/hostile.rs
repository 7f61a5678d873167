//! Hostile files cost their sender a clear rejection and nobody else anything: through the service
//! (rejected within seconds, the raw bytes kept, the services alive and small, the next partner's file
//! accepted) and through `jvap validate` under a 2 GB address-space limit (exit 1 with a JSON report).

use std::process::Command;
use std::time::{Duration, Instant};

use jvap_tests::hostile::{self, Hostile};
use jvap_tests::{Backend, System, samples_dir};

/// Each hostile file must be rejected well within this (the worker's memory cap ends them fast).
const LIMIT: Duration = Duration::from_secs(60);

/// The file-level codes a hostile file may end with: too complex for the worker, or refused by a
/// reader's own check before it allocated.
const FILE_CODES: [&str; 5] = [
    "file.too_complex",
    "file.corrupt",
    "file.zip_bomb",
    "file.no_header",
    "file.too_large",
];

fn first_error_code(report: &serde_json::Value) -> String {
    report["issues"]
        .as_array()
        .and_then(|issues| issues.iter().find(|i| i["severity"] == "error"))
        .and_then(|issue| issue["code"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_file_is_rejected_by_the_service_which_stays_up_for_the_next_partner() {
    // Arrange
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus");
    let attacker = system
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("token");
    let files = hostile::files();

    // Act: every hostile file, one after the other, then a valid file from another partner.
    let mut outcomes = Vec::new();
    for Hostile {
        class,
        file_name,
        bytes,
    } in &files
    {
        let started = Instant::now();
        let (code, status) = attacker
            .submit(file_name, bytes.clone(), None)
            .await
            .expect("upload answered");
        assert_eq!(code, 202, "{class}: {status}");
        let id = status["submission_id"].as_str().expect("id").to_string();
        let status = attacker.wait_final(&id, false, LIMIT).await.expect(class);
        let report = attacker
            .get_json(&format!("/api/v1/submissions/{id}/report"))
            .await
            .expect("report")
            .expect("a report");
        let kept = bus.uploads.get(&id).await.expect("uploads store");
        println!(
            "{class}: {} with {} in {:.1} s",
            status["state"],
            first_error_code(&report),
            started.elapsed().as_secs_f64()
        );
        outcomes.push((class, status, report, kept.map(|k| k == *bytes)));
    }
    let partner = system
        .admin
        .issue("partner", Some("EU"))
        .await
        .expect("token");
    let valid = std::fs::read(samples_dir().join("EU_DG-INTPA_JVAP_2022.xlsx")).expect("sample");
    let (_, status) = partner
        .submit("EU_DG-INTPA_JVAP_2022.xlsx", valid, None)
        .await
        .expect("upload");
    let id = status["submission_id"].as_str().expect("id");
    let after = partner
        .wait_final(id, true, LIMIT)
        .await
        .expect("valid file");

    // Assert
    for (class, status, report, kept) in &outcomes {
        assert_eq!(status["state"], "rejected", "{class}: {status}");
        let code = first_error_code(report);
        assert!(
            FILE_CODES.contains(&code.as_str()),
            "{class}: {code} in {report}"
        );
        assert_eq!(
            report["issues"][0]["cell"],
            serde_json::Value::Null,
            "{class}: a file-level issue first"
        );
        assert!(
            !report["issues"][0]["message_fr"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
        assert_eq!(*kept, Some(true), "{class}: the raw upload is kept");
    }
    assert!(
        outcomes
            .iter()
            .any(|(_, _, report, _)| first_error_code(report) == "file.too_complex"),
        "at least one class needs the worker's cap"
    );
    assert_eq!(after["state"], "accepted", "{after}");
    let peak = jvap_tests::processes::peak_rss("self");
    println!(
        "peak memory of the process running the three services: {} MiB",
        peak >> 20
    );
    assert!(peak < 1 << 30, "the services peaked at {} MiB", peak >> 20);
    system
        .shutdown()
        .await
        .expect("every service was still running and stops");
}

#[test]
fn jvap_validate_under_a_2_gb_address_space_exits_1_with_a_json_report_for_every_hostile_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jvap = jvap_tests::processes::binary("jvap").expect("the jvap binary");
    for Hostile {
        class,
        file_name,
        bytes,
    } in hostile::files()
    {
        let path = dir.path().join(file_name);
        std::fs::write(&path, &bytes).expect("written");

        let output = Command::new("prlimit")
            .arg("--as=2000000000")
            .arg(&jvap)
            .args(["validate", "--format", "json"])
            .arg(&path)
            .output()
            .expect("prlimit runs jvap");

        assert_eq!(
            output.status.code(),
            Some(1),
            "{class}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a JSON report on stdout");
        assert_eq!(report["verdict"], "rejected", "{class}");
        let code = first_error_code(&report);
        assert!(FILE_CODES.contains(&code.as_str()), "{class}: {code}");
    }
}
