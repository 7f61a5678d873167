//! A partner confirms a column mapping once (issue 13, item 3): through the API, against the real
//! services on a real nats-server. The browser's side is in `tests/browser/partner.mjs`.

use std::time::Duration;

use jvap_tests::{Backend, System};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);

/// A CSV whose lead funder column is headed "Paymaster", which nothing reads as a funder; `place`
/// makes each file's bytes its own.
fn paymaster_csv(place: &str) -> Vec<u8> {
    format!(
        "Reference,Type,Title,Status,Start date,End date,JVAP domains,Countries of implementation,\
         Paymaster,Implementing organisations,Total budget,Currency\n\
         R1,Project,Border management training in {place},Ongoing,15/02/2021,31/12/2023,D4,Niger,\
         European Union,IOM,1200000,EUR\n\
         R2,Project,Return and reintegration support,Completed,15/03/2019,30/06/2022,D5,Senegal,\
         Belgium,Enabel,800000,EUR\n"
    )
    .into_bytes()
}

fn codes(report: &Value) -> Vec<String> {
    report["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["severity"] == "error")
        .map(|i| i["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The report's entry for the header `header`.
fn column<'a>(report: &'a Value, header: &str) -> &'a Value {
    report["columns"]
        .as_array()
        .and_then(|columns| columns.iter().find(|c| c["header"] == header))
        .unwrap_or(&Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_confirmed_once_revalidates_the_stored_file_and_reads_the_partners_next_files() {
    // Arrange
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let niger = system
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("NER");
    let senegal = system
        .admin
        .issue("partner", Some("SEN"))
        .await
        .expect("SEN");

    // Act: the file is rejected, its unplaced column named with the report.
    let (code, first) = niger
        .submit("initiatives.csv", paymaster_csv("Niger"), None)
        .await
        .expect("upload");
    assert_eq!(code, 202, "{first}");
    let first_id = first["submission_id"].as_str().expect("id").to_string();
    let status = niger
        .wait_final(&first_id, false, LIMIT)
        .await
        .expect("final");
    assert_eq!(status["state"], "rejected", "{status}");
    let report = niger
        .get_json(&format!("/api/v1/submissions/{first_id}/report"))
        .await
        .expect("report")
        .expect("stored");
    assert_eq!(codes(&report), ["column.missing"], "{report}");
    let paymaster = column(&report, "Paymaster");
    assert_eq!(paymaster["read_as"], "unknown", "{report}");
    assert_eq!(paymaster["cell"], "I1");

    // A mapping naming no field is refused, in English and French.
    let (code, refused) = niger
        .post_form(
            &format!("/api/v1/submissions/{first_id}/mapping"),
            &[("map", "Paymaster=payer")],
        )
        .await
        .expect("answer");
    assert_eq!(code, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("is not a field"),
        "{refused}"
    );
    assert!(
        refused["error_fr"]
            .as_str()
            .unwrap_or_default()
            .contains("n'est pas un champ"),
        "{refused}"
    );

    // Confirming re-validates the stored bytes, as a new submission, and it is accepted.
    let (code, confirmed) = niger
        .post_form(
            &format!("/api/v1/submissions/{first_id}/mapping"),
            &[("map", "Paymaster=lead_funder")],
        )
        .await
        .expect("confirmed");
    assert_eq!(code, 202, "{confirmed}");
    let second_id = confirmed["submission_id"].as_str().expect("id").to_string();
    assert_ne!(second_id, first_id);
    assert_eq!(confirmed["file_name"], "initiatives.csv");
    let status = niger
        .wait_final(&second_id, false, LIMIT)
        .await
        .expect("final");
    assert_eq!(status["state"], "accepted", "{status}");
    assert_eq!(status["counts"]["records"], 2, "{status}");

    // The partner's next file with the same headers is accepted with no mapping given, and its
    // report names the mapping used.
    let (_, next) = niger
        .submit("next.csv", paymaster_csv("Mali"), None)
        .await
        .expect("upload");
    let next_id = next["submission_id"].as_str().expect("id").to_string();
    let status = niger
        .wait_final(&next_id, false, LIMIT)
        .await
        .expect("final");
    assert_eq!(status["state"], "accepted", "{status}");
    let report = niger
        .get_json(&format!("/api/v1/submissions/{next_id}/report"))
        .await
        .expect("report")
        .expect("stored");
    let paymaster = column(&report, "Paymaster");
    assert_eq!(paymaster["read_as"], "confirmed", "{report}");
    assert_eq!(paymaster["field"], "lead_funder", "{report}");

    // Another partner does not get it.
    let (_, other) = senegal
        .submit("initiatives.csv", paymaster_csv("Senegal"), None)
        .await
        .expect("upload");
    let other_id = other["submission_id"].as_str().expect("id").to_string();
    let status = senegal
        .wait_final(&other_id, false, LIMIT)
        .await
        .expect("final");
    assert_eq!(status["state"], "rejected", "{status}");

    // A mapping given with an upload names a header the file has not: a clear error.
    let (code, sent) = senegal
        .submit_mapped(
            "typo.csv",
            paymaster_csv("Gambia"),
            &["Paymastre=lead_funder"],
        )
        .await
        .expect("upload");
    assert_eq!(code, 202, "{sent}");
    let typo_id = sent["submission_id"].as_str().expect("id").to_string();
    let status = senegal
        .wait_final(&typo_id, false, LIMIT)
        .await
        .expect("final");
    assert_eq!(status["state"], "rejected", "{status}");
    let report = senegal
        .get_json(&format!("/api/v1/submissions/{typo_id}/report"))
        .await
        .expect("report")
        .expect("stored");
    let missing = report["issues"]
        .as_array()
        .and_then(|issues| {
            issues
                .iter()
                .find(|i| i["code"] == "mapping.header_missing")
        })
        .cloned()
        .unwrap_or_default();
    assert!(
        missing["message_en"]
            .as_str()
            .unwrap_or_default()
            .contains("\"Paymastre\""),
        "{report}"
    );
    assert!(
        missing["message_fr"]
            .as_str()
            .unwrap_or_default()
            .contains("« Paymastre »"),
        "{report}"
    );

    // The confirmation is in the audit log.
    let audit = system
        .admin
        .get_json("/api/v1/audit")
        .await
        .expect("audit")
        .expect("a page");
    let entry = audit["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["action"] == "mapping_confirmed"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        entry["detail"]["submission_id"],
        first_id.as_str(),
        "{audit}"
    );
    assert_eq!(
        entry["detail"]["new_submission_id"],
        second_id.as_str(),
        "{audit}"
    );
    system.shutdown().await.expect("clean shutdown");
}
