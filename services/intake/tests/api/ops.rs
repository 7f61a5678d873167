//! What an operator and a security review ask of intake: rate limits with `Retry-After`, a body
//! that stalls freed, `/livez` and `/readyz` that follow NATS, and `/metrics` that move.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{ADMIN_TOKEN, spawn_app_with};

fn rates(signin: u32, uploads: u32, body_timeout_secs: u64) -> jvap_intake::config::Rates {
    jvap_intake::config::Rates {
        signin_per_minute: signin,
        uploads_per_minute: uploads,
        body_timeout_secs,
    }
}

#[tokio::test]
async fn uploads_beyond_the_rate_are_429_with_retry_after_in_both_languages_and_nothing_stored() {
    // Arrange
    let app = spawn_app_with(|config| config.rates = rates(100, 3, 30)).await;
    let token = app.issue_token("partner", Some("NER")).await;
    for i in 0..3u8 {
        let response = app.upload(&token, "a.xlsx", &[i; 16]).await;
        assert_eq!(response.status(), 202);
    }

    // Act
    let refused = app.upload(&token, "a.xlsx", b"one too many").await;

    // Assert
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("too many uploads"),
        "{body}"
    );
    assert!(
        body["error_fr"].as_str().unwrap().contains("trop d'envois"),
        "{body}"
    );
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 3);
    // Another partner's token from the same address waits too: the limit is per address as well
    // as per token.
    let other = app.issue_token("partner", Some("MLI")).await;
    assert_eq!(app.upload(&other, "b.xlsx", b"b").await.status(), 429);
}

#[tokio::test]
async fn wrong_tokens_beyond_the_rate_lock_the_address_out_even_with_the_right_token() {
    // Arrange
    let app = spawn_app_with(|config| config.rates = rates(5, 100, 30)).await;
    for i in 0..5 {
        let response = app.get("/api/v1/submissions", &format!("guess-{i}")).await;
        assert_eq!(response.status(), 401);
    }

    // Act
    let sixth = app.get("/api/v1/submissions", "guess-6").await;
    let right = app.get("/api/v1/submissions", ADMIN_TOKEN).await;

    // Assert: a right guess cannot be told from a wrong one.
    assert_eq!(sixth.status(), 429);
    assert!(sixth.headers().contains_key("retry-after"));
    assert_eq!(right.status(), 429);
}

#[tokio::test]
async fn an_upload_that_stops_half_way_is_answered_408_and_its_connection_freed() {
    // Arrange: a body announced at 100 KB of which 1 KB arrives, then nothing.
    let app = spawn_app_with(|config| config.rates = rates(100, 100, 1)).await;
    let token = app.issue_token("partner", Some("NER")).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let boundary = "jvapboundary";
    let head = format!(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 102400\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.xlsx\"\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'x'; 1024]).await.unwrap();

    // Act
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut answer)).await;

    // Assert
    assert!(read.is_ok(), "the connection was held open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("stopped arriving"), "{answer}");
    assert_eq!(app.messages_on("jvap.submission.received.>").await, 0);
}

#[tokio::test]
async fn readyz_is_503_while_nats_is_down_and_200_when_it_is_back() {
    // Arrange
    let mut app = spawn_app_with(|_| {}).await;
    let client = reqwest::Client::new();
    let probe = |path: &'static str| {
        let url = format!("{}{path}", app.ops_address);
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let ready = probe("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true, "{body}");

    // Act: NATS goes away.
    app.nats.stop();
    let down = wait_for_status(&client, &format!("{}/readyz", app.ops_address), 503).await;

    // Assert: not ready, and says why; still alive.
    assert!(down.contains("nats"), "{down}");
    assert_eq!(probe("/livez").await.status(), 200);

    // Act: NATS is back.
    app.nats.restart().expect("nats restarts");
    wait_for_status(&client, &format!("{}/readyz", app.ops_address), 200).await;
}

/// Poll `url` until it answers `status` (within 20 s); its body.
async fn wait_for_status(client: &reqwest::Client, url: &str, status: u16) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let response = client.get(url).send().await.unwrap();
        if response.status() == status {
            return response.text().await.unwrap();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} never answered {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    // Arrange
    let app = spawn_app_with(|_| {}).await;
    let token = app.issue_token("partner", Some("NER")).await;

    // Act
    assert_eq!(app.upload(&token, "a.xlsx", b"a").await.status(), 202);
    assert_eq!(
        app.get("/api/v1/submissions/nope", &token).await.status(),
        404
    );
    let text = reqwest::get(format!("{}/metrics", app.ops_address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // Assert: the route's pattern, never the raw path.
    let line = |route: &str, status: &str| {
        text.lines().any(|line| {
            line.starts_with("jvap_http_requests_total")
                && line.contains(&format!("route=\"{route}\""))
                && line.contains(&format!("status=\"{status}\""))
        })
    };
    assert!(line("/api/v1/submissions", "202"), "{text}");
    assert!(line("/api/v1/submissions/{id}", "404"), "{text}");
    assert!(!text.contains("/nope"), "{text}");
    assert!(text.contains("jvap_http_request_seconds"), "{text}");
    // The main listener answers the same probes.
    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
}
