//! The worker binary, run as services run it: results as in-process validation gives them, and a
//! budget overrun that costs the file one issue and the parent nothing.

use std::path::PathBuf;
use std::time::Duration;

use jvap_ingest::Limits;
use jvap_record::{Initiative, Lang, Verdict};
use jvap_worker::{Budget, Worker, WorkerError};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/samples"
    ))
    .join(name)
}

fn worker(budget: Budget) -> Worker {
    Worker::binary(env!("CARGO_BIN_EXE_jvap-worker"), budget)
}

#[test]
fn a_file_validated_in_the_worker_gives_the_report_and_records_of_in_process_validation() {
    for name in [
        "EU_DG-INTPA_JVAP_2022.xlsx",
        "ITA_MAECI_JVAP_2022.xls",
        "BEL_Enabel_collecte_JVAP_2022.csv",
    ] {
        let path = sample(name);
        let expected = jvap_ingest::validate(name, &std::fs::read(&path).expect("sample"));

        let validated = worker(Budget::default())
            .validate(&path, name, &Limits::default(), &[])
            .expect("validated");
        let records: Vec<Initiative> =
            serde_json::from_slice(&std::fs::read(validated.records_path()).expect("records"))
                .expect("a JSON array");

        assert_eq!(validated.report.verdict, expected.verdict, "{name}");
        assert_eq!(validated.report.counts, expected.counts, "{name}");
        assert_eq!(validated.report.issues, expected.issues, "{name}");
        assert_eq!(records, expected.records, "{name}");
    }
}

#[test]
fn a_file_that_needs_more_memory_than_the_budget_is_too_complex_and_the_parent_lives_on() {
    let budget = Budget {
        memory_bytes: 4 << 20,
        ..Budget::default()
    };

    let error = worker(budget)
        .validate(
            &sample("EU_DG-INTPA_JVAP_2022.xlsx"),
            "EU.xlsx",
            &Limits::default(),
            &[],
        )
        .expect_err("over its budget");

    let issue = error.file_issue().expect("the file's doing");
    assert_eq!(issue.code, "file.too_complex");
    assert!(
        issue.message_en.contains("more than 4 MiB of memory"),
        "{}",
        issue.message_en
    );
    assert!(
        issue.message_fr.contains("Enregistrez-le à nouveau"),
        "{}",
        issue.message_fr
    );
}

#[test]
fn a_worker_still_running_at_its_deadline_is_killed_and_the_file_is_too_complex() {
    let budget = Budget {
        wall: Duration::from_millis(1),
        ..Budget::default()
    };

    let error = worker(budget)
        .validate(
            &sample("DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx"),
            "DEU.xlsx",
            &Limits::default(),
            &[],
        )
        .expect_err("past its deadline");

    assert!(matches!(error, WorkerError::Overran(_)), "{error:?}");
    assert!(
        error
            .file_issue()
            .expect("the file's doing")
            .message_en
            .contains("still being read")
    );
}

#[test]
fn a_worker_that_cannot_start_is_a_system_failure_not_the_files() {
    let error = Worker::binary("/nonexistent/jvap-worker", Budget::default())
        .validate(
            &sample("EU_DG-INTPA_JVAP_2022.xlsx"),
            "EU.xlsx",
            &Limits::default(),
            &[],
        )
        .expect_err("no worker");

    assert!(matches!(error, WorkerError::Start { .. }), "{error:?}");
    assert!(error.file_issue().is_none());
}

#[test]
fn the_annotated_workbooks_are_written_in_each_language_after_the_report() {
    let path = sample("NER_Donnees_JVAP_2022.xlsx");

    let validated = worker(Budget::default())
        .validate(
            &path,
            "NER_Donnees_JVAP_2022.xlsx",
            &Limits::default(),
            &[Lang::En, Lang::Fr],
        )
        .expect("validated");

    assert_eq!(validated.report.verdict, Verdict::Accepted);
    assert!(validated.annotation_error.is_none());
    let langs: Vec<Lang> = validated.annotated.iter().map(|(lang, _)| *lang).collect();
    assert_eq!(langs, [Lang::En, Lang::Fr]);
    for (lang, file) in &validated.annotated {
        let bytes = std::fs::read(file).expect("written");
        assert!(bytes.starts_with(b"PK"), "{lang:?} is an xlsx");
    }
}
