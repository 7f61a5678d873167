//! The built `jvap` binary, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

fn jvap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jvap"))
        .args(args)
        .env_remove("JVAP_LANG")
        .env_remove("JVAP_SERVER")
        .env_remove("JVAP_TOKEN")
        .output()
        .expect("the jvap binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn template_writes_a_workbook_calamine_can_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("modele.xlsx");
    let path_str = path.to_str().expect("utf-8 path");
    let output = jvap(&["template", "--lang", "fr", "-o", path_str]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(path.exists());

    let mut workbook: Xlsx<_> = open_workbook(&path).expect("calamine opens it");
    let range = workbook
        .worksheet_range("Initiatives")
        .expect("Initiatives");
    let first = range.get((0, 0)).cloned();
    assert_eq!(first, Some(Data::String("Référence".into())));
}

#[test]
fn codes_json_is_the_catalogue() {
    let output = jvap(&["codes", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let codes: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let codes = codes.as_array().expect("an array");
    assert_eq!(codes.len(), jvap_record::catalogue::ALL.len());
    for code in codes {
        for key in ["code", "severity", "en", "fr"] {
            assert!(code[key].is_string(), "{key} in {code}");
        }
    }
}

#[test]
fn validate_a_missing_file_exits_2() {
    let output = jvap(&["validate", "/nonexistent/nothing.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read /nonexistent/nothing.xlsx"));
    assert!(stdout(&output).is_empty());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["validate"][..],
        &["validate", "x", "--format", "yaml"],
        &["bogus"],
    ] {
        let output = jvap(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(jvap(&["--help"]).status.code(), Some(0));
}

fn check_report_shape(report: &Value) {
    for key in ["verdict", "counts", "issues", "records"] {
        assert!(report.get(key).is_some(), "no {key}");
    }
    assert!(matches!(
        report["verdict"].as_str(),
        Some("accepted" | "rejected")
    ));
    for key in ["rows", "records", "errors", "warnings"] {
        assert!(report["counts"][key].is_u64(), "counts.{key}");
    }
    for issue in report["issues"].as_array().expect("issues") {
        for key in [
            "severity",
            "code",
            "sheet",
            "cell",
            "row",
            "column",
            "value",
            "message_en",
            "message_fr",
        ] {
            assert!(issue.get(key).is_some(), "issue.{key}");
        }
    }
}

#[test]
fn validate_annotate_writes_the_workbook_back_with_an_issues_sheet_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("gmb-annotated.xlsx");
    let gmb = format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx");
    let output = jvap(&["validate", &gmb, "--annotate", out.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "GMB is rejected");
    let mut workbook: Xlsx<_> = open_workbook(&out).expect("an xlsx");
    let names = workbook.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Issues"));
    assert!(names.iter().any(|n| n == "Initiatives"));
    let issues = workbook.worksheet_range("Issues").expect("issues sheet");
    let cells: Vec<String> = issues
        .rows()
        .flat_map(|row| row.iter().map(|c| c.to_string()))
        .collect();
    for cell in ["C6", "G7", "H9", "J10", "V11", "R13"] {
        assert!(cells.iter().any(|c| c == cell), "{cell} listed");
    }
}

#[test]
fn validate_a_sample_prints_a_report_whose_verdict_is_the_exit_status() {
    let samples = [
        "NER_Donnees_JVAP_2022.xlsx",
        "BEL_Enabel_collecte_JVAP_2022.csv",
    ];
    for sample in samples {
        let path = format!("{SAMPLES}{sample}");
        assert!(Path::new(&path).exists(), "sample {path}");
        let output = jvap(&["validate", &path, "--format", "json"]);
        let report: Value = serde_json::from_str(&stdout(&output))
            .unwrap_or_else(|e| panic!("{sample}: not JSON ({e}): {}", stdout(&output)));
        check_report_shape(&report);
        let expected = match report["verdict"].as_str() {
            Some("accepted") => 0,
            _ => 1,
        };
        assert_eq!(output.status.code(), Some(expected), "{sample}");

        let text = jvap(&["validate", &path, "--lang", "fr"]);
        assert_eq!(text.status.code(), Some(expected), "{sample} (text)");
        assert!(
            stdout(&text).starts_with(&format!("{sample} : ")),
            "{}",
            stdout(&text)
        );
    }
}

#[test]
fn consolidate_writes_every_file_of_a_version_from_the_samples_with_the_accepted_partners() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("round-2022");
    let manifest: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(format!("{SAMPLES}manifest.json")).expect("manifest"),
    )
    .expect("manifest JSON");

    // Act
    let output = jvap(&[
        "consolidate",
        SAMPLES,
        "--out",
        out.to_str().expect("utf-8"),
    ]);

    // Assert: some samples are rejected, so exit 1, and every file is written.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    for (file, _) in jvap_outputs::FILES {
        let path = out.join(file);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 0, "{} written", path.display());
    }
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("dataset.json")).expect("json"))
            .expect("JSON");
    assert_eq!(json["version"], 1);
    let initiatives = json["initiatives"].as_array().expect("initiatives");
    for entry in &manifest {
        let partner = &entry["partner"];
        let found = initiatives
            .iter()
            .filter(|i| &i["partner"] == partner)
            .count() as u64;
        let expected = match entry["verdict"].as_str() {
            Some("accepted") => entry["records"].as_u64().expect("records"),
            _ => 0,
        };
        assert_eq!(found, expected, "{partner}");
    }
    let accepted = manifest
        .iter()
        .filter(|e| e["verdict"] == "accepted")
        .count();
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "{} files: {accepted} accepted, {} rejected",
            manifest.len(),
            manifest.len() - accepted
        )),
        "{text}"
    );
    assert!(text.contains("GMB_MoI_JVAP_2022.xlsx"), "{text}");
}

#[test]
fn consolidate_names_a_file_without_a_partner_code_and_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("dir");
    let ner = std::fs::read(format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx")).expect("NER");
    std::fs::write(input.join("NER_2022.xlsx"), &ner).expect("written");
    std::fs::write(input.join("Niger_2022.xlsx"), &ner).expect("written");
    let out = dir.path().join("out");

    let output = jvap(&[
        "consolidate",
        input.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("Niger_2022.xlsx: the file name does not start with a partner code"),
        "{}",
        stderr(&output)
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("dataset.json")).expect("json"))
            .expect("JSON");
    assert_eq!(json["initiatives"].as_array().map(Vec::len), Some(8));
}

#[test]
fn consolidate_of_a_missing_folder_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let output = jvap(&[
        "consolidate",
        "/nonexistent/samples",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read /nonexistent/samples"));
}

mod against_the_real_system {
    //! The binary against the real services: intake, validation and aggregation on a real nats-server
    //! (the `jvap-tests` harness), as a partner, an analyst and an admin would use it.

    use std::net::TcpListener;

    use jvap_tests::{Backend, System};

    use super::*;

    /// Run `jvap` off the async runtime (the services run on it).
    async fn run(args: Vec<String>) -> Output {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            jvap(&args)
        })
        .await
        .expect("jvap ran")
    }

    fn args(server: &str, token: &str, rest: &[&str]) -> Vec<String> {
        let mut all = vec!["--server", server, "--token", token];
        all.extend_from_slice(rest);
        all.into_iter().map(String::from).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_partner_submits_sees_its_errors_downloads_the_annotated_workbook_and_an_analyst_the_dataset()
     {
        // Arrange: a running system; the admin issues tokens with the CLI.
        let system = System::start(Backend::Sqlite).await.expect("system starts");
        let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
        let issue = |role: &str, partner: Option<&str>| {
            let mut rest = vec!["token", "issue", "--role", role];
            rest.extend(partner.map(|p| ["--partner", p]).into_iter().flatten());
            args(&server, &admin, &rest)
        };
        let output = run(issue("partner", Some("GMB"))).await;
        assert!(output.status.success(), "{}", stderr(&output));
        let gambia = stdout(&output).trim().to_string();
        assert!(
            !gambia.is_empty() && !gambia.contains(' '),
            "only the token is printed"
        );
        let niger = stdout(&run(issue("partner", Some("NER"))).await)
            .trim()
            .to_string();
        let analyst = stdout(&run(issue("analyst", None)).await)
            .trim()
            .to_string();

        // Act and assert: a rejected file lists its six cells and exits 1.
        let gmb = format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx");
        let output = run(args(&server, &gambia, &["submit", &gmb, "--wait"])).await;
        let out = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{out}\n{}", stderr(&output));
        for cell in ["C6", "G7", "H9", "J10", "V11", "R13"] {
            assert!(out.contains(cell), "{cell} listed in:\n{out}");
        }
        let id = out
            .split_whitespace()
            .next()
            .expect("the submission id comes first")
            .to_string();

        // The annotated workbook, in French.
        let dir = tempfile::tempdir().expect("temp dir");
        let annotated = dir.path().join("annotated.xlsx");
        let annotated_str = annotated.to_str().expect("utf-8");
        let rest = [
            "--lang",
            "fr",
            "download",
            "annotated",
            &id,
            "-o",
            annotated_str,
        ];
        let output = run(args(&server, &gambia, &rest)).await;
        assert!(output.status.success(), "{}", stderr(&output));
        let workbook: Xlsx<_> = open_workbook(&annotated).expect("an xlsx");
        assert_eq!(
            workbook.sheet_names().first().map(String::as_str),
            Some("Problèmes")
        );

        // Another partner cannot see it: the server's message, exit 1.
        let output = run(args(&server, &niger, &["status", &id])).await;
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains("there is no submission"),
            "{}",
            stderr(&output)
        );

        // An accepted file exits 0 and lands in the dataset the analyst downloads.
        let ner = format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx");
        let output = run(args(&server, &niger, &["submit", &ner, "--wait"])).await;
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        let dataset = dir.path().join("dataset.json");
        let dataset_str = dataset.to_str().expect("utf-8");
        let rest = ["download", "latest", "--format", "json", "-o", dataset_str];
        let mut output = run(args(&server, &analyst, &rest)).await;
        for _ in 0..100 {
            if output.status.success() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            output = run(args(&server, &analyst, &rest)).await;
        }
        assert!(output.status.success(), "{}", stderr(&output));
        let json: Value =
            serde_json::from_slice(&std::fs::read(&dataset).expect("written")).expect("JSON");
        assert_eq!(json["initiatives"].as_array().map(Vec::len), Some(8));

        // The analyst sees the round tracker; the admin narrows the expected partners.
        let output = run(args(
            &server,
            &admin,
            &["round", "partners", "2022", "--set", "NER,GMB,SEN"],
        ))
        .await;
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains("It expects 3 partners: NER, GMB, SEN."),
            "{}",
            stdout(&output)
        );
        let output = run(args(&server, &analyst, &["status", "--round", "2022"])).await;
        assert!(output.status.success(), "{}", stderr(&output));
        let table = stdout(&output);
        let line = |partner: &str| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("{partner} ")))
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            line("NER").contains("accepted") && line("NER").contains(" 8 "),
            "{table}"
        );
        assert!(line("GMB").contains("rejected"), "{table}");
        assert!(line("SEN").contains("not submitted"), "{table}");
        assert!(
            table.contains("2 of 3 expected partners have submitted"),
            "{table}"
        );
        let output = run(args(
            &server,
            &analyst,
            &["status", "--round", "2022", "--format", "json"],
        ))
        .await;
        let tracker: Value = serde_json::from_str(&stdout(&output)).expect("tracker JSON");
        assert_eq!(tracker["partners"].as_array().map(Vec::len), Some(3));
        let output = run(args(
            &server,
            &admin,
            &["round", "partners", "2022", "--set", "NER,XYZ"],
        ))
        .await;
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr(&output).contains("\"XYZ\""), "{}", stderr(&output));

        // The French summary of the latest version.
        let summary = dir.path().join("summary.fr.html");
        let rest = [
            "download",
            "latest",
            "--format",
            "summary-fr-html",
            "-o",
            summary.to_str().expect("utf-8"),
        ];
        let output = run(args(&server, &analyst, &rest)).await;
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            std::fs::read_to_string(&summary)
                .expect("written")
                .contains("<html")
        );

        // A closed round refuses submissions with a clear message.
        let output = run(args(
            &server,
            &admin,
            &["round", "close", "--round", "2022"],
        ))
        .await;
        assert!(output.status.success(), "{}", stderr(&output));
        let output = run(args(&server, &niger, &["submit", &gmb])).await;
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr(&output).contains("closed"), "{}", stderr(&output));
        system.shutdown().await.expect("clean shutdown");
    }

    /// The id `jvap submit` prints first.
    fn submitted_id(output: &Output) -> String {
        stdout(output)
            .split_whitespace()
            .next()
            .expect("the submission id comes first")
            .to_string()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_replays_a_submission_that_failed_for_real_and_it_ends_accepted() {
        // Arrange: validation is down while NER's file arrives, and its upload goes missing; when
        // validation comes back it fails for real, attempt after attempt, until `failed`.
        let mut system = System::start(Backend::Sqlite).await.expect("system starts");
        let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
        let niger = system
            .admin
            .issue("partner", Some("NER"))
            .await
            .expect("token")
            .token;
        let file = format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx");
        let bytes = std::fs::read(&file).expect("the sample");
        system.stop_validation().await.expect("validation stops");
        let output = run(args(&server, &niger, &["submit", &file])).await;
        assert!(output.status.success(), "{}", stderr(&output));
        let id = submitted_id(&output);
        let bus = jvap_bus::Bus::connect(&system.nats.url())
            .await
            .expect("bus");
        bus.uploads.store.delete(&id).await.expect("upload removed");
        system.start_validation().await.expect("validation starts");
        let failed = system
            .admin
            .wait_final(&id, false, std::time::Duration::from_secs(120))
            .await
            .expect("it ends");
        assert_eq!(failed["state"], "failed", "{failed}");

        // The same file again with the other mode says it stays a replace.
        let output = run(args(&server, &niger, &["submit", &file, "--mode", "merge"])).await;
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains("already received, as replace"),
            "{}",
            stdout(&output)
        );
        let output = run(args(
            &server,
            &niger,
            &["--lang", "fr", "submit", &file, "--mode", "merge"],
        ))
        .await;
        assert!(
            stdout(&output).contains("déjà reçu, en remplacement"),
            "{}",
            stdout(&output)
        );

        // Act: the upload is back; the admin replays.
        bus.uploads.put(&id, &bytes).await.expect("upload restored");
        let by_partner = run(args(&server, &niger, &["admin", "replay", &id])).await;
        let output = run(args(&server, &admin, &["admin", "replay", &id])).await;

        // Assert
        assert_eq!(by_partner.status.code(), Some(1), "partners may not replay");
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains(&format!("Submission {id} is received again")),
            "{}",
            stdout(&output)
        );
        let done = system
            .admin
            .wait_final(&id, true, std::time::Duration::from_secs(120))
            .await
            .expect("it ends");
        assert_eq!(done["state"], "accepted", "{done}");
        assert_eq!(done["dataset_version"], 1, "{done}");
        let again = run(args(&server, &admin, &["admin", "replay", &id])).await;
        assert_eq!(again.status.code(), Some(1));
        assert!(
            stderr(&again).contains("is accepted, not failed"),
            "{}",
            stderr(&again)
        );

        // Revalidating the round starts it again, recorded with the run.
        let output = run(args(
            &server,
            &admin,
            &["admin", "revalidate", "--round", "2022", "--format", "json"],
        ))
        .await;
        assert!(output.status.success(), "{}", stderr(&output));
        let record: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        assert_eq!(record["action"], "revalidate");
        assert_eq!(record["submissions"], serde_json::json!([id]));
        assert!(
            record["run"]
                .as_str()
                .is_some_and(|run| run.starts_with("rv-"))
        );
        system.shutdown().await.expect("clean shutdown");
    }

    /// Needs validation's handling of `revalidation` (it validates a final submission again and
    /// publishes the outcome under `<id>-validated-<run>`), which lands with the validation handler's
    /// change on main; until then validation only re-publishes the first outcome.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn revalidating_a_round_publishes_a_new_version_under_the_new_verdicts() {
        // Arrange: NER and EU accepted, versions 1 and 2.
        let system = System::start(Backend::Sqlite).await.expect("system starts");
        let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
        let mut ids = Vec::new();
        for (partner, file) in [
            ("NER", "NER_Donnees_JVAP_2022.xlsx"),
            ("EU", "EU_DG-INTPA_JVAP_2022.xlsx"),
        ] {
            let token = system
                .admin
                .issue("partner", Some(partner))
                .await
                .expect("token")
                .token;
            let path = format!("{SAMPLES}{file}");
            let output = run(args(&server, &token, &["submit", &path, "--wait"])).await;
            assert!(output.status.success(), "{}", stdout(&output));
            ids.push(submitted_id(&output));
        }
        // The rules change so that NER's file no longer passes: here, its stored bytes become
        // those of a file that never did.
        let bus = jvap_bus::Bus::connect(&system.nats.url())
            .await
            .expect("bus");
        let rejected = std::fs::read(format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx")).expect("sample");
        bus.uploads.put(&ids[0], &rejected).await.expect("replaced");

        // Act
        let output = run(args(
            &server,
            &admin,
            &["admin", "revalidate", "--round", "2022"],
        ))
        .await;

        // Assert: NER rejected and out of a new version 3; EU still in it.
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains("Round 2022: 2 submission(s) are being validated again"),
            "{}",
            stdout(&output)
        );
        let ner = system
            .admin
            .wait_final(&ids[0], false, std::time::Duration::from_secs(120))
            .await
            .expect("it ends");
        assert_eq!(ner["state"], "rejected", "{ner}");
        let started = std::time::Instant::now();
        let latest = loop {
            let latest = system
                .admin
                .get_json("/api/v1/datasets/latest.json")
                .await
                .expect("GET");
            if let Some(latest) = latest.filter(|l| l["version"] == 3) {
                break latest;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "no version 3"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        assert_eq!(latest["changes"]["removed"], 8, "{}", latest["changes"]);
        let partners: Vec<&str> = latest["initiatives"]
            .as_array()
            .expect("initiatives")
            .iter()
            .filter_map(|i| i["partner"].as_str())
            .collect();
        assert!(
            partners.iter().all(|p| *p == "EU") && partners.len() == 10,
            "{partners:?}"
        );
        system.shutdown().await.expect("clean shutdown");
    }

    #[test]
    fn an_unreachable_server_is_named_and_exits_2() {
        // Bind then drop a listener so the port is (very likely) closed.
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let server = format!("http://127.0.0.1:{port}");
        let output = jvap(&["--server", &server, "status"]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains(&format!("could not reach the jvap server at {server}")),
            "{}",
            stderr(&output)
        );
    }
}
