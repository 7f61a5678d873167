//! Every error answers in both languages: `error` in English (as clients have always read it) and
//! `error_fr` in French.

use jvap_intake::config::Quota;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{ADMIN_TOKEN, spawn_app_with};

/// The status and the `(error, error_fr)` of an error answer, asserting both are there, differ, and
/// the French one reads as French.
async fn said(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error body");
    let en = body["error"].as_str().unwrap_or_default().to_string();
    let fr = body["error_fr"].as_str().unwrap_or_default().to_string();
    assert!(!en.trim().is_empty(), "{status}: no English in {body}");
    assert!(!fr.trim().is_empty(), "{status}: no French in {body}");
    assert_ne!(en, fr, "{status}: the French is the English");
    (status, en, fr)
}

#[tokio::test]
async fn representative_errors_carry_english_and_french() {
    // Arrange: one new file an hour, so the second is a 429.
    let app = spawn_app_with(|config| {
        config.quota = Quota {
            files_per_hour: 1,
            ..Quota::default()
        }
    })
    .await;
    let niger = app.issue_token("partner", Some("NER")).await;
    assert_eq!(app.upload(&niger, "a.xlsx", b"first").await.status(), 202);

    // 404: an unknown submission.
    let unknown = "0123456789abcdef01234567";
    let (status, en, fr) = said(
        app.get(&format!("/api/v1/submissions/{unknown}"), &niger)
            .await,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(en, format!("there is no submission {unknown}"));
    assert_eq!(fr, format!("il n'y a pas d'envoi {unknown}"));

    // 400: a body that is not multipart.
    let not_multipart = app
        .client
        .post(app.url("/api/v1/submissions"))
        .bearer_auth(&niger)
        .body("just text")
        .send()
        .await
        .expect("sent");
    let (status, en, fr) = said(not_multipart).await;
    assert_eq!(status, 400);
    assert!(en.contains("multipart/form-data"), "{en}");
    assert!(fr.contains("envoyez le fichier"), "{fr}");

    // 400: a multipart form without a file.
    let no_file = app
        .upload_form(&niger, Form::new().text("mode", "replace"))
        .await;
    let (status, _, fr) = said(no_file).await;
    assert_eq!(status, 400);
    assert!(fr.contains("champ nommé file"), "{fr}");

    // 400: a bad mode, from the record's own parser.
    let bad_mode = Form::new()
        .text("mode", "append")
        .part("file", Part::bytes(b"x".to_vec()).file_name("b.xlsx"));
    let (status, _, fr) = said(app.upload_form(&niger, bad_mode).await).await;
    assert_eq!(status, 400);
    assert!(fr.contains("mode inconnu"), "{fr}");

    // 401: no token, and a wrong one.
    let none = app
        .client
        .get(app.url("/api/v1/submissions"))
        .send()
        .await
        .expect("sent");
    let (status, _, fr) = said(none).await;
    assert_eq!(status, 401);
    assert!(fr.contains("jeton d'accès"), "{fr}");
    let (status, _, fr) = said(app.get("/api/v1/submissions", "not-a-token").await).await;
    assert_eq!(status, 401);
    assert!(fr.contains("n'est pas valable"), "{fr}");

    // 403: a partner at an admin's endpoint.
    let (status, en, fr) = said(app.get("/api/v1/tokens", &niger).await).await;
    assert_eq!(status, 403);
    assert_eq!(en, "a partner token may not do this");
    assert!(fr.contains("partenaire"), "{fr}");

    // 429: a second new file within the hour.
    let (status, _, fr) = said(app.upload(&niger, "b.xlsx", b"second").await).await;
    assert_eq!(status, 429);
    assert!(fr.contains("nouveaux fichiers"), "{fr}");

    // 409: the round closed.
    let closed = app
        .client
        .post(app.url("/api/v1/rounds/2022/close"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(closed.status(), 200);
    let senegal = app.issue_token("partner", Some("SEN")).await;
    let (status, en, fr) = said(app.upload(&senegal, "a.xlsx", b"late").await).await;
    assert_eq!(status, 409);
    assert!(en.contains("the 2022 data round is closed"), "{en}");
    assert!(fr.contains("la collecte 2022 est fermée"), "{fr}");

    // An endpoint that does not exist.
    let (status, _, fr) = said(app.get("/api/v1/nowhere", &niger).await).await;
    assert_eq!(status, 404);
    assert!(fr.contains("n'existe pas"), "{fr}");
}
