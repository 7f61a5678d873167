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
    for file in jvap_outputs::DatasetFile::ALL.map(jvap_outputs::DatasetFile::name) {
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

#[test]
fn validate_issues_writes_the_issue_list_as_csv_or_xlsx_in_the_language_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gmb = format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx");
    let report: Value =
        serde_json::from_str(&stdout(&jvap(&["validate", &gmb, "--format", "json"])))
            .expect("the JSON report");
    let issues = report["issues"].as_array().expect("issues").len();
    assert!(issues > 0, "GMB has issues");

    let xlsx = dir.path().join("problemes.xlsx");
    let output = jvap(&[
        "validate",
        &gmb,
        "--lang",
        "fr",
        "--issues",
        xlsx.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1), "GMB is rejected");
    let mut workbook: Xlsx<_> = open_workbook(&xlsx).expect("an xlsx");
    let sheet = workbook.sheet_names()[0].clone();
    let rows: Vec<Vec<String>> = workbook
        .worksheet_range(&sheet)
        .expect("the sheet")
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), issues + 1, "a header and a line per issue");
    assert_eq!(rows[0][0], "Gravité", "in French");
    assert!(rows.iter().any(|r| r[3] == "C6"), "the cells are given");

    let csv = dir.path().join("issues.csv");
    let output = jvap(&["validate", &gmb, "--issues", csv.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let text = std::fs::read_to_string(&csv).expect("the CSV");
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    assert!(header.starts_with("Severity,Code,Sheet,Cell"), "{header}");

    let output = jvap(&["validate", &gmb, "--issues", "issues.txt"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a name that is neither .csv nor .xlsx"
    );
    assert!(
        stderr(&output).contains(".csv or .xlsx"),
        "{}",
        stderr(&output)
    );
}
