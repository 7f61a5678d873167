//! Uploads over the size limit and into a closed round.

use jvap_record::messages::RoundRecord;

use crate::helpers::{ADMIN_TOKEN, error_message, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_file_over_the_limit_is_413_with_a_clear_message() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 1024).await;
    let token = app.issue_token("partner", Some("NER")).await;

    let response = app.upload(&token, "big.xlsx", &[7u8; 4096]).await;

    assert_eq!(response.status(), 413);
    assert!(error_message(response).await.contains("1 KiB"));
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 0);
}

#[tokio::test]
async fn a_body_that_overflows_the_limit_mid_stream_is_still_our_413() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 1024).await;
    let token = app.issue_token("partner", Some("NER")).await;

    let response = app
        .upload(&token, "huge.xlsx", &vec![7u8; 256 * 1024])
        .await;

    assert_eq!(response.status(), 413);
    assert!(error_message(response).await.contains("upload limit"));
}

#[tokio::test]
async fn a_file_of_exactly_the_limit_is_accepted() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 1024).await;
    let token = app.issue_token("partner", Some("NER")).await;

    let response = app.upload(&token, "exact.xlsx", &[7u8; 1024]).await;

    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn an_upload_to_a_closed_round_is_409_and_reopening_allows_it_again() {
    // Arrange
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let admin = |action: &str| {
        app.client
            .post(app.url(&format!("/api/v1/rounds/2022/{action}")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };

    // Act
    let closed: RoundRecord = admin("close").await.unwrap().json().await.unwrap();
    let refused = app.upload(&token, "a.xlsx", b"x").await;
    let shown: RoundRecord = app
        .get("/api/v1/rounds/2022", &token)
        .await
        .json()
        .await
        .unwrap();
    admin("open").await.unwrap();
    let accepted = app.upload(&token, "a.xlsx", b"x").await;

    // Assert
    assert!(!closed.open);
    assert_eq!(refused.status(), 409);
    assert!(error_message(refused).await.contains("closed"));
    assert!(!shown.open);
    assert_eq!(accepted.status(), 202);
}

#[tokio::test]
async fn a_round_without_a_record_is_open_and_only_admins_change_it() {
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;

    let shown: RoundRecord = app
        .get("/api/v1/rounds/2031", &analyst)
        .await
        .json()
        .await
        .unwrap();
    let refused = app
        .client
        .post(app.url("/api/v1/rounds/2031/close"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();

    assert!(shown.open);
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn an_admin_sets_the_expected_partners_unknown_codes_are_named_and_closing_keeps_the_list() {
    // Arrange
    let app = spawn_app().await;
    let analyst = app.issue_token("analyst", None).await;
    let put = |token: &str, body: serde_json::Value| {
        app.client
            .put(app.url("/api/v1/rounds/2022/partners"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };

    // Act
    let unknown = put(ADMIN_TOKEN, serde_json::json!(["NER", "XYZ", "Atlantis"]))
        .await
        .unwrap();
    let refused = put(&analyst, serde_json::json!(["NER"])).await.unwrap();
    let set: RoundRecord = put(ADMIN_TOKEN, serde_json::json!(["ner", "EU", "NER"]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.client
        .post(app.url("/api/v1/rounds/2022/close"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let shown: RoundRecord = app
        .get("/api/v1/rounds/2022", &analyst)
        .await
        .json()
        .await
        .unwrap();
    let reset: RoundRecord = app
        .client
        .delete(app.url("/api/v1/rounds/2022/partners"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Assert
    assert_eq!(unknown.status(), 400);
    let message = error_message(unknown).await;
    assert!(
        message.contains("\"XYZ\"") && message.contains("\"Atlantis\""),
        "{message}"
    );
    assert_eq!(refused.status(), 403);
    let expected = Some(vec!["NER".to_string(), "EU".to_string()]);
    assert_eq!(set.expected_partners, expected);
    assert!(!shown.open, "closed");
    assert_eq!(shown.expected_partners, expected, "closing kept the list");
    assert_eq!(reset.expected_partners, None);
    assert!(!reset.open);
    assert!(
        reset.expected().len() > 70,
        "every partner of the reference list"
    );
}
