//! What an operator scrapes and probes, on the three services as separate processes (each with its
//! own metrics registry): after a file goes from upload to dataset, each service's `/metrics` shows
//! its own counters moved, and each `/readyz` says ready with the checks it made.

use std::time::Duration;

use jvap_tests::processes::{self, Fleet, Service};
use jvap_tests::{Client, NatsServer, free_port, samples_dir};
use serde_json::Value;

const ADMIN_TOKEN: &str = "ops-admin-token-0123456789abcdef";
const LIMIT: Duration = Duration::from_secs(60);

/// The value of the first sample of `name` whose labels hold every one of `labels`, if any.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| line.starts_with(name) && labels.iter().all(|l| line.contains(l)))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse().ok())
        .next()
}

async fn scrape(http: &reqwest::Client, port: u16, path: &str) -> (u16, String) {
    let response = http
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()
        .await
        .expect("ops listener answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_services_metrics_move_and_each_is_ready_after_a_file_reaches_the_dataset() {
    // Arrange: NATS and the three services, each with its own ops port.
    let nats = NatsServer::start().expect("nats-server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = processes::log_dir(dir.path()).expect("log dir");
    let http_port = free_port();
    let ports = [
        ("intake", free_port()),
        ("validation", free_port()),
        ("aggregation", free_port()),
    ];
    let mut fleet = Fleet::default();
    for (name, port) in ports {
        let mut env = vec![
            ("JVAP_NATS_URL".to_string(), nats.url()),
            ("JVAP_METRICS_ADDR".to_string(), format!("127.0.0.1:{port}")),
            ("JVAP_LOG_FORMAT".to_string(), "json".to_string()),
            ("JVAP_UPLOADS_MAX_BYTES".to_string(), "64MiB".to_string()),
            ("JVAP_REPORTS_MAX_BYTES".to_string(), "64MiB".to_string()),
            ("JVAP_DATASETS_MAX_BYTES".to_string(), "64MiB".to_string()),
        ];
        if name == "intake" {
            env.push(("JVAP_HTTP_ADDR".into(), format!("127.0.0.1:{http_port}")));
            env.push(("JVAP_ADMIN_TOKEN".into(), ADMIN_TOKEN.into()));
        }
        if name == "aggregation" {
            env.push(("JVAP_DATA_DIR".into(), dir.path().display().to_string()));
        }
        let binary = format!("jvap-{name}");
        fleet.add(Service::new(name, &binary, env, &logs).expect("binary built"));
    }
    fleet.start_all().expect("services start");
    let base = format!("http://127.0.0.1:{http_port}");
    let http = reqwest::Client::new();
    for (name, port) in ports {
        let url = format!("http://127.0.0.1:{port}/readyz");
        let ready = processes::wait_healthy(&url, LIMIT, || {}).await;
        if let Err(e) = ready {
            panic!("{name}: {e:#}\n{}", fleet.log_tails(20));
        }
    }
    let admin = Client::new(&base, ADMIN_TOKEN);
    let partner = admin
        .issue("partner", Some("NER"))
        .await
        .expect("partner token");

    // Act: one partner file from upload to a published dataset version.
    let file = "NER_Donnees_JVAP_2022.xlsx";
    let bytes = std::fs::read(samples_dir().join(file)).expect("sample");
    let (code, status) = partner.submit(file, bytes, None).await.expect("upload");
    assert_eq!(code, 202, "{status}");
    let id = status["submission_id"].as_str().expect("id").to_string();
    let done = partner.wait_final(&id, true, LIMIT).await.expect("final");
    assert_eq!(done["state"], "accepted", "{done}");

    // Assert: each service's own counters moved.
    let (_, intake) = scrape(&http, ports[0].1, "/metrics").await;
    let uploads = sample(
        &intake,
        "jvap_http_requests_total",
        &[r#"route="/api/v1/submissions""#, r#"status="202""#],
    );
    assert_eq!(uploads, Some(1.0), "{intake}");
    assert!(
        sample(&intake, "jvap_submissions_total", &[r#"state="received""#]).is_some(),
        "{intake}"
    );
    let (_, validation) = scrape(&http, ports[1].1, "/metrics").await;
    assert_eq!(
        sample(&validation, "jvap_validation_seconds_count", &[]),
        Some(1.0),
        "{validation}"
    );
    assert_eq!(
        sample(&validation, "jvap_file_bytes_count", &[]),
        Some(1.0),
        "{validation}"
    );
    assert!(
        sample(&validation, "jvap_deliveries_total", &[]).is_some_and(|n| n >= 1.0),
        "{validation}"
    );
    assert!(
        !validation.contains("jvap_http_requests_total"),
        "validation has its own registry"
    );
    // The files of a version are built after it is listed (the builder): wait for the build.
    let started = std::time::Instant::now();
    let aggregation = loop {
        let (_, aggregation) = scrape(&http, ports[2].1, "/metrics").await;
        let built =
            sample(&aggregation, "jvap_dataset_build_seconds_count", &[]).is_some_and(|n| n >= 1.0);
        if built || started.elapsed() > std::time::Duration::from_secs(30) {
            break aggregation;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(
        sample(&aggregation, "jvap_dataset_versions_total", &[]).is_some_and(|n| n >= 1.0),
        "{aggregation}"
    );
    assert!(
        sample(&aggregation, "jvap_dataset_build_seconds_count", &[]).is_some_and(|n| n >= 1.0),
        "{aggregation}"
    );

    // Each is ready, and says what it checked.
    for (name, port) in ports {
        let (code, body) = scrape(&http, port, "/readyz").await;
        assert_eq!(code, 200, "{name}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        let checks: Vec<&str> = body["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert!(checks.contains(&"nats"), "{name}: {body}");
        if name == "aggregation" {
            assert!(
                checks.contains(&"database") && checks.contains(&"smtp"),
                "{body}"
            );
        }
    }
    // JSON logs carry the trace id made at upload, in intake and in validation.
    let log =
        |name: &str| std::fs::read_to_string(logs.join(format!("{name}.log"))).unwrap_or_default();
    let trace = log("intake")
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|line| line["span"]["trace_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no trace_id in intake's log:\n{}", log("intake")));
    assert!(log("validation").contains(&trace), "{}", log("validation"));
}
