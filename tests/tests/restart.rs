//! Stopping and restarting any part in the middle of a round loses nothing and duplicates nothing.

use std::collections::BTreeSet;
use std::time::Duration;

use jvap_tests::{Backend, System, samples_dir};

const LIMIT: Duration = Duration::from_secs(60);
const FILES: [(&str, &str); 4] = [
    ("EU", "EU_DG-INTPA_JVAP_2022.xlsx"),
    ("NER", "NER_Donnees_JVAP_2022.xlsx"),
    ("ITA", "ITA_MAECI_JVAP_2022.xls"),
    ("GMB", "GMB_MoI_JVAP_2022.xlsx"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_survives_services_and_nats_restarting_without_losing_or_duplicating_anything() {
    // Arrange: uploads arrive while validation and aggregation are down.
    let mut system = System::start(Backend::Sqlite).await.expect("system starts");
    system.stop_validation().await.expect("validation stops");
    system.stop_aggregation().await.expect("aggregation stops");
    let analyst = system.admin.issue("analyst", None).await.expect("analyst");
    let mut submitted = Vec::new();
    for (partner, file) in FILES {
        let client = system
            .admin
            .issue("partner", Some(partner))
            .await
            .expect("token");
        let bytes = std::fs::read(samples_dir().join(file)).expect("sample");
        let (code, status) = client
            .submit(file, bytes.clone(), None)
            .await
            .expect("upload");
        assert_eq!(code, 202);
        assert_eq!(status["state"], "received");
        submitted.push((
            client,
            bytes,
            status["submission_id"].as_str().expect("id").to_string(),
        ));
    }

    // Act: NATS restarts on its store; validation comes back, then aggregation, which restarts again.
    system.nats.restart().expect("nats restarts");
    system.start_validation().await.expect("validation starts");
    for (client, _, id) in &submitted {
        client
            .wait_final(id, false, LIMIT)
            .await
            .expect("validated");
    }
    system
        .start_aggregation()
        .await
        .expect("aggregation starts");
    for (client, _, id) in &submitted {
        client.wait_final(id, true, LIMIT).await.expect("published");
    }
    system
        .stop_aggregation()
        .await
        .expect("aggregation stops again");
    system
        .start_aggregation()
        .await
        .expect("aggregation starts again");
    let (first_client, first_bytes, first_id) = &submitted[0];
    let (code, again) = first_client
        .submit(FILES[0].1, first_bytes.clone(), None)
        .await
        .expect("re-upload");

    // Assert: the same bytes are the same submission; one dataset version per accepted file; every
    // accepted initiative once.
    assert_eq!(code, 200);
    assert_eq!(again["submission_id"].as_str(), Some(first_id.as_str()));
    let versions = analyst
        .get_json("/api/v1/datasets")
        .await
        .expect("versions")
        .expect("listed");
    assert_eq!(versions.as_array().map(Vec::len), Some(3), "{versions}");
    let dataset = analyst
        .get_json("/api/v1/datasets/latest.json")
        .await
        .expect("dataset")
        .expect("published");
    let initiatives = dataset["initiatives"].as_array().expect("initiatives");
    assert_eq!(initiatives.len(), 10 + 8 + 6);
    let keys: BTreeSet<String> = initiatives
        .iter()
        .map(|i| {
            format!(
                "{}/{}/{}",
                i["partner"], i["source"]["sheet"], i["source"]["row"]
            )
        })
        .collect();
    assert_eq!(keys.len(), initiatives.len(), "no initiative appears twice");
    let rejected = first_client
        .get_json(&format!("/api/v1/submissions/{}", submitted[3].2))
        .await
        .expect("status");
    assert_eq!(
        rejected, None,
        "a partner never sees another partner's submission"
    );
    system.shutdown().await.expect("clean shutdown");
}
