//! The OpenAPI document at `/api/v1/openapi.json` and the `/api` page rendered from it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::spawn_app;

/// Every operation under `/api/v1` the router serves, written out by hand: the document must list
/// exactly these, so a route added without its `#[utoipa::path]` (or the other way round) fails here.
const API_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/submissions"),
    ("post", "/api/v1/submissions"),
    ("post", "/api/v1/validate"),
    ("get", "/api/v1/submissions/{id}"),
    ("get", "/api/v1/submissions/{id}/report"),
    ("get", "/api/v1/submissions/{id}/annotated.xlsx"),
    ("get", "/api/v1/submissions/{id}/issues.csv"),
    ("get", "/api/v1/submissions/{id}/issues.xlsx"),
    ("post", "/api/v1/submissions/{id}/mapping"),
    ("post", "/api/v1/submissions/{id}/replay"),
    ("get", "/api/v1/template.xlsx"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{key}"),
    ("get", "/api/v1/datasets"),
    ("get", "/api/v1/datasets/{file}"),
    ("get", "/api/v1/datasets/{round}/{version}/{file}"),
    ("get", "/api/v1/rounds/{round}"),
    ("post", "/api/v1/rounds/{round}/open"),
    ("post", "/api/v1/rounds/{round}/close"),
    ("put", "/api/v1/rounds/{round}/partners"),
    ("delete", "/api/v1/rounds/{round}/partners"),
    ("put", "/api/v1/rounds/{round}/deadline"),
    ("get", "/api/v1/partners/contacts"),
    ("get", "/api/v1/partners/{code}/contacts"),
    ("put", "/api/v1/partners/{code}/contacts"),
    ("get", "/api/v1/rounds/{round}/tracker"),
    ("post", "/api/v1/rounds/{round}/revalidate"),
    ("post", "/api/v1/rounds/{round}/summary/send"),
    ("get", "/api/v1/rounds/{round}/deliveries"),
    ("get", "/api/v1/committee"),
    ("put", "/api/v1/committee"),
];

/// An example value for each path parameter, so every documented route can be called.
fn concrete(path: &str) -> String {
    path.replace("{id}", &"a".repeat(24))
        .replace("{key}", &"b".repeat(64))
        .replace("{round}", "2022")
        .replace("{version}", "latest")
        .replace("{file}", "latest.json")
        .replace("{code}", "NER")
}

async fn document(app: &crate::helpers::TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("the document is JSON")
}

fn operations(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("a path item")
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_api_route() {
    let app = spawn_app().await;

    let document = document(&app).await;

    let version = document["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.1."), "openapi {version}");
    let documented: BTreeSet<_> = operations(&document)
        .into_iter()
        .filter(|(_, path)| path.starts_with("/api/v1/"))
        .collect();
    let expected: BTreeSet<_> = API_ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented, expected);
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let document = document(&app).await;

    for (method, path) in operations(&document) {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.url(&concrete(&path)))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_ne!(status, 405, "{method} {path} is routed");
        assert!(
            !body.contains("there is no such endpoint"),
            "{method} {path} reaches a handler, not the fallback: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_api_page_shows_every_operation_in_the_page_language() {
    let app = spawn_app().await;
    let document = document(&app).await;

    for (lang, heading) in [("en", "Who may call it"), ("fr", "Qui peut l'appeler")] {
        let response = app
            .client
            .get(app.url("/api"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(page.contains(heading), "{lang}: {heading}");
        for (method, path) in operations(&document) {
            let title = format!("{} {path}", method.to_uppercase());
            assert!(page.contains(&title), "{lang}: the page shows {title}");
        }
        assert!(page.contains("id=\"schema-SubmissionStatus\""));
        assert!(page.contains("href=\"/api/v1/openapi.json\""));
    }
}
