//! The audit log: every admin action recorded with who, when and what, served newest first at
//! `GET /api/v1/audit` to admins only.

use jvap_intake::http::auth::token_hash;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp, spawn_app};

async fn audit(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/audit{query}"), ADMIN_TOKEN).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn send(request: reqwest::RequestBuilder) -> u16 {
    request
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_admin_action_is_recorded_with_who_when_and_what_newest_first() {
    let app = spawn_app().await;
    assert_eq!(audit(&app, "").await["entries"], json!([]));

    let partner = app.issue_token("partner", Some("NER")).await;
    let key = token_hash(&partner);
    let c = &app.client;
    assert_eq!(
        send(c.delete(app.url(&format!("/api/v1/tokens/{key}")))).await,
        204
    );
    let close = c.post(app.url("/api/v1/rounds/2022/close"));
    assert_eq!(send(close).await, 200);
    assert_eq!(send(c.post(app.url("/api/v1/rounds/2022/open"))).await, 200);
    let partners = c
        .put(app.url("/api/v1/rounds/2022/partners"))
        .json(&json!(["NER", "EU"]));
    assert_eq!(send(partners).await, 200);
    let list = c
        .put(app.url("/api/v1/committee"))
        .json(&json!({ "recipients": ["chair@example.org", "sec@example.org"] }));
    assert_eq!(send(list).await, 200);
    assert_eq!(
        send(c.post(app.url("/api/v1/rounds/2022/summary/send"))).await,
        202
    );
    assert_eq!(
        send(c.post(app.url("/api/v1/rounds/2022/revalidate"))).await,
        202
    );
    // A refused action changes nothing, so it records nothing.
    let refused = c
        .put(app.url("/api/v1/rounds/2022/partners"))
        .json(&json!(["NOPE"]));
    assert_eq!(send(refused).await, 400);

    let page = audit(&app, "").await;
    assert_eq!(
        actions(&page),
        [
            "round_revalidated",
            "summary_requested",
            "committee_list_set",
            "expected_partners_set",
            "round_opened",
            "round_closed",
            "token_revoked",
            "token_issued",
        ]
    );
    let entries = page["entries"].as_array().unwrap();
    let admin_key = token_hash(ADMIN_TOKEN);
    for (n, entry) in entries.iter().enumerate() {
        assert_eq!(entry["who"]["token_key"], admin_key.as_str(), "{entry}");
        assert_eq!(entry["who"]["role"], "admin");
        assert_eq!(entry["seq"], json!(entries.len() - n), "{entry}");
        assert!(entry["at"].as_str().is_some_and(|at| at.starts_with("20")));
    }
    let issued = &entries[7];
    assert_eq!(issued["detail"]["key"], key.as_str());
    assert_eq!(issued["detail"]["partner"], "NER");
    assert_eq!(issued["detail"]["role"], "partner");
    assert_eq!(entries[6]["detail"]["key"], key.as_str());
    assert_eq!(entries[5]["round"], "2022");
    assert!(
        entries[5]["detail"]["summary_request"].is_string(),
        "{}",
        entries[5]
    );
    assert_eq!(entries[3]["detail"]["partners"], json!(["NER", "EU"]));
    assert_eq!(entries[2]["detail"]["recipients"], 2);
    // No secret in the log: neither the token issued nor the admin's.
    let text = page.to_string();
    assert!(!text.contains(&partner) && !text.contains(ADMIN_TOKEN));
    assert_eq!(page["next_before"], Value::Null);
}

#[tokio::test]
async fn the_log_is_read_a_page_at_a_time_and_by_admins_only() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.issue_token("analyst", None).await;
    }
    let first = audit(&app, "?limit=2").await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 2);
    assert_eq!(first["entries"][0]["seq"], 5);
    assert_eq!(first["next_before"], 4);
    let second = audit(&app, "?limit=2&before=4").await;
    let seqs: Vec<&Value> = second["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["seq"])
        .collect();
    assert_eq!(seqs, [&json!(3), &json!(2)]);
    let last = audit(&app, "?limit=2&before=2").await;
    assert_eq!(last["entries"].as_array().unwrap().len(), 1);
    assert_eq!(last["next_before"], Value::Null);

    assert_eq!(
        app.get("/api/v1/audit?limit=many", ADMIN_TOKEN)
            .await
            .status(),
        400
    );
    let analyst = app.issue_token("analyst", None).await;
    assert_eq!(app.get("/api/v1/audit", &analyst).await.status(), 403);
    let partner = app.issue_token("partner", Some("NER")).await;
    assert_eq!(app.get("/api/v1/audit", &partner).await.status(), 403);
    assert_eq!(
        app.client
            .get(app.url("/api/v1/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
