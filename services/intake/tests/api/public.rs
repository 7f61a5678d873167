//! What needs no token: the template and the health check.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_template_downloads_as_an_xlsx_in_english_and_french() {
    let app = spawn_app().await;

    for lang in ["en", "fr"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/template.xlsx?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.contains("spreadsheetml"));
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    }
}

#[tokio::test]
async fn the_template_in_an_unknown_language_is_400() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/api/v1/template.xlsx?lang=de"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn healthz_says_ok_while_nats_is_connected() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/healthz")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn an_unknown_path_is_a_json_404() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn healthz_says_unavailable_once_nats_is_gone() {
    let mut app = spawn_app().await;

    app.nats.stop();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = app.client.get(app.url("/healthz")).send().await.unwrap();
        if response.status() == 503 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "healthz never said 503"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_home_page_links_the_templates_in_both_languages() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("/api/v1/template.xlsx?lang=en"));
    assert!(page.contains("/api/v1/template.xlsx?lang=fr"));
}
