//! Who may do what: tokens and roles.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, error_message, spawn_app};

#[tokio::test]
async fn a_request_without_a_token_or_with_an_unknown_one_is_401() {
    let app = spawn_app().await;

    let without = app
        .client
        .get(app.url("/api/v1/submissions"))
        .send()
        .await
        .unwrap();
    let unknown = app.get("/api/v1/submissions", "made-up").await;

    assert_eq!(without.status(), 401);
    assert!(error_message(without).await.contains("Bearer"));
    assert_eq!(unknown.status(), 401);
}

#[tokio::test]
async fn a_partner_may_not_download_datasets_or_issue_tokens() {
    let app = spawn_app().await;
    let partner = app.issue_token("partner", Some("NER")).await;

    let dataset = app.get("/api/v1/datasets/latest.xlsx", &partner).await;
    let listing = app.get("/api/v1/datasets", &partner).await;
    let token = app
        .client
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&partner)
        .json(&json!({ "role": "admin" }))
        .send()
        .await
        .unwrap();

    assert_eq!(dataset.status(), 403);
    assert_eq!(listing.status(), 403);
    assert_eq!(token.status(), 403);
    assert!(!error_message(token).await.is_empty());
}

#[tokio::test]
async fn a_partner_token_may_not_submit_for_another_partner() {
    let app = spawn_app().await;
    let partner = app.issue_token("partner", Some("NER")).await;
    let form = reqwest::multipart::Form::new().text("partner", "SEN").part(
        "file",
        reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.xlsx"),
    );

    assert_eq!(app.upload_form(&partner, form).await.status(), 403);
}

#[tokio::test]
async fn tokens_are_stored_by_hash_and_a_partner_token_needs_a_known_partner() {
    let app = spawn_app().await;
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/tokens"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
    };

    let issued = post(json!({ "role": "partner", "partner": "ner", "label": "focal point" }))
        .await
        .unwrap();
    let unknown_partner = post(json!({ "role": "partner", "partner": "ZZZ" }))
        .await
        .unwrap();
    let no_partner = post(json!({ "role": "partner" })).await.unwrap();
    let bad_role = post(json!({ "role": "king" })).await.unwrap();

    assert_eq!(issued.status(), 201);
    let body: Value = issued.json().await.unwrap();
    assert_eq!(body["role"], "partner");
    assert_eq!(body["partner"], "NER");
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert!(app.bus.tokens.get(token).await.unwrap().is_none());
    assert_eq!(unknown_partner.status(), 400);
    assert_eq!(no_partner.status(), 400);
    assert_eq!(bad_role.status(), 400);
}
