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
    assert_eq!(codes.len(), jvap_core::catalogue::ALL.len());
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

mod against_a_server {
    //! A tiny stand-in for the intake service: canned answers following the API contract.

    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::thread;

    use super::*;

    /// One request as the fake server saw it.
    #[derive(Debug, Clone)]
    struct Seen {
        line: String,
        authorization: Option<String>,
        body: String,
    }

    /// Serve `answer(method_and_path) -> (status, json)` on a free port until the test ends.
    fn serve(answer: fn(&str) -> (u16, String)) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let (mut length, mut authorization) = (0usize, None);
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    let lower = header.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("authorization:") {
                        authorization = Some(header["authorization:".len()..].trim().to_string());
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let request_line = line
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ");
                let (status, json) = answer(&request_line);
                log.lock().expect("log").push(Seen {
                    line: request_line,
                    authorization,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                    json.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        (address, seen)
    }

    fn status_json(state: &str, counts: bool) -> String {
        let counts = if counts {
            r#"{"rows":3,"records":2,"errors":1,"warnings":0}"#
        } else {
            "null"
        };
        format!(
            r#"{{"submission_id":"s-1","partner":"SEN","round":"2022","mode":"merge","file_name":"a.csv","size":10,"state":"{state}","counts":{counts},"reason":null,"dataset_version":null,"received_at":"2022-11-14T09:00:00Z","updated_at":"2022-11-14T09:00:01Z"}}"#
        )
    }

    fn rejecting(request: &str) -> (u16, String) {
        match request {
            "POST /api/v1/submissions" => (202, status_json("received", false)),
            "GET /api/v1/submissions/s-1" => (200, status_json("rejected", true)),
            "GET /api/v1/submissions/s-1/report" => {
                let issue = r#"{"severity":"error","code":"date.unparseable","sheet":null,"cell":"F3","row":3,"column":"start_date","value":"31/02/2019","message_en":"Not a date.","message_fr":"Pas une date."}"#;
                let report = format!(
                    r#"{{"verdict":"rejected","counts":{{"rows":3,"records":2,"errors":1,"warnings":0}},"issues":[{issue}],"records":[]}}"#
                );
                (200, report)
            }
            _ => (404, r#"{"error":"no such thing"}"#.into()),
        }
    }

    fn file() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "Title\nx\n").expect("write");
        let path = path.to_str().expect("utf-8").to_string();
        (dir, path)
    }

    #[test]
    fn submit_wait_prints_the_errors_of_a_rejected_file_and_exits_1() {
        let (server, seen) = serve(rejecting);
        let (_dir, path) = file();
        let output = jvap(&[
            "--server", &server, "--token", "t0k", "submit", &path, "--mode", "merge", "--wait",
        ]);
        let out = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{out}\n{}", stderr(&output));
        assert!(out.starts_with("s-1  received\n"), "{out}");
        assert!(
            out.contains("3 rows read, 2 records, 1 error, 0 warnings"),
            "{out}"
        );
        assert!(
            out.contains("error  F3  start_date  \"31/02/2019\"  Not a date."),
            "{out}"
        );

        let seen = seen.lock().expect("log").clone();
        assert_eq!(seen[0].line, "POST /api/v1/submissions");
        assert_eq!(seen[0].authorization.as_deref(), Some("Bearer t0k"));
        assert!(
            seen[0].body.contains("name=\"file\"; filename=\"a.csv\""),
            "{}",
            seen[0].body
        );
        assert!(
            seen[0].body.contains("name=\"mode\"\r\n\r\nmerge"),
            "{}",
            seen[0].body
        );
        assert_eq!(
            seen.last().map(|s| s.line.as_str()),
            Some("GET /api/v1/submissions/s-1/report")
        );
    }

    #[test]
    fn a_server_error_prints_its_message_and_exits_1() {
        let (server, _) = serve(|_| {
            (
                403,
                r#"{"error":"partners may only see their own submissions"}"#.into(),
            )
        });
        let output = jvap(&["--server", &server, "status", "other"]);
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr(&output).contains("partners may only see their own submissions (HTTP 403)"));
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

    #[test]
    fn download_writes_the_bytes_the_server_sends() {
        let (server, seen) = serve(|_| (200, r#"{"round":"2022"}"#.into()));
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("d.json");
        let path_str = path.to_str().expect("utf-8");
        let output = jvap(&[
            "--server", &server, "download", "latest", "--format", "json", "-o", path_str,
            "--round", "2022",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            std::fs::read_to_string(&path).expect("written"),
            r#"{"round":"2022"}"#
        );
        assert_eq!(
            seen.lock().expect("log")[0].line,
            "GET /api/v1/datasets/latest.json?round=2022"
        );
    }

    #[test]
    fn token_issue_prints_only_the_token_on_stdout() {
        let (server, seen) = serve(|_| {
            (
                201,
                r#"{"token":"jvap_secret","role":"partner","partner":"SEN"}"#.into(),
            )
        });
        let output = jvap(&[
            "--server",
            &server,
            "token",
            "issue",
            "--role",
            "partner",
            "--partner",
            "SEN",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output), "jvap_secret\n");
        let body: Value =
            serde_json::from_str(&seen.lock().expect("log")[0].body).expect("JSON body");
        assert_eq!(body["role"], "partner");
        assert_eq!(body["partner"], "SEN");
    }
}
