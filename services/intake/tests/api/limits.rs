//! Uploads over the size limit and into a closed round.

use jvap_core::messages::RoundRecord;

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
