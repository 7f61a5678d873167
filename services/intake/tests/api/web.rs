//! The web pages over plain HTTP: sessions, cookies, CSRF, revocation, language and page errors. The
//! flows a person follows are in the browser tests (`tests/tests/browser.rs`).

use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{ADMIN_TOKEN, TestApp, spawn_app, spawn_app_with};

/// The body type of a page form (the values the tests send need no escaping).
const FORM: &str = "application/x-www-form-urlencoded";

/// A client that does not follow redirects, so the tests see them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The `Set-Cookie` value of cookie `name` in a response.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=')
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// The first `csrf` hidden field of a page.
fn csrf_of(page: &str) -> String {
    let start = page.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    page[start..start + 64].to_string()
}

/// Sign in as a browser would; returns the `Set-Cookie` of the session.
async fn sign_in(app: &TestApp, token: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let client = browser();
    let page = client.get(app.url("/")).send().await.unwrap();
    let signin = cookie_value(&set_cookie(&page, "jvap_signin").expect("a sign-in cookie"));
    let csrf = csrf_of(&page.text().await.unwrap());
    let mut request = client
        .post(app.url("/signin"))
        .header(COOKIE, format!("jvap_signin={signin}"))
        .header(CONTENT_TYPE, FORM)
        .body(format!("csrf={csrf}&token={token}"));
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn session_of(app: &TestApp, token: &str) -> String {
    let response = sign_in(app, token, &[]).await;
    assert_eq!(response.status(), 303);
    format!(
        "jvap_session={}",
        cookie_value(&set_cookie(&response, "jvap_session").expect("a session cookie"))
    )
}

#[tokio::test]
async fn signing_in_sets_an_http_only_same_site_cookie_secure_behind_tls() {
    let app = spawn_app().await;

    let plain = sign_in(&app, ADMIN_TOKEN, &[]).await;
    let tls = sign_in(&app, ADMIN_TOKEN, &[("x-forwarded-proto", "https")]).await;

    assert_eq!(plain.status(), 303);
    let cookie = set_cookie(&plain, "jvap_session").expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    let cookie = set_cookie(&tls, "jvap_session").expect("a session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_token_or_a_forged_sign_in_form_opens_no_session() {
    let app = spawn_app().await;

    let wrong = sign_in(&app, "not-a-token", &[]).await;
    let forged = browser()
        .post(app.url("/signin"))
        .header(CONTENT_TYPE, FORM)
        .body(format!("csrf={}&token={ADMIN_TOKEN}", "x".repeat(64)))
        .send()
        .await
        .unwrap();

    assert_eq!(wrong.status(), 401);
    assert!(set_cookie(&wrong, "jvap_session").is_none());
    assert_eq!(forged.status(), 403);
    assert!(set_cookie(&forged, "jvap_session").is_none());
}

#[tokio::test]
async fn the_session_cookie_reads_the_api_but_never_changes_anything_through_it() {
    let app = spawn_app().await;
    let session = session_of(&app, ADMIN_TOKEN).await;

    let read = browser()
        .get(app.url("/api/v1/submissions"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    let write = browser()
        .post(app.url("/api/v1/tokens"))
        .header(COOKIE, &session)
        .json(&serde_json::json!({ "role": "admin" }))
        .send()
        .await
        .unwrap();

    assert_eq!(read.status(), 200);
    assert_eq!(write.status(), 401);
}

#[tokio::test]
async fn a_page_form_without_the_sessions_csrf_token_is_refused() {
    let app = spawn_app().await;
    let session = session_of(&app, ADMIN_TOKEN).await;

    let response = browser()
        .post(app.url("/admin/round/close"))
        .header(COOKIE, &session)
        .header(CONTENT_TYPE, FORM)
        .body(format!("csrf={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
    let round = app.get("/api/v1/rounds/2022", ADMIN_TOKEN).await;
    let round: Value = round.json().await.unwrap();
    assert_eq!(round["open"], true, "the round was closed by a forged form");
}

#[tokio::test]
async fn a_revoked_token_and_its_sessions_stop_working() {
    let app = spawn_app().await;
    let token = app.issue_token("analyst", None).await;
    let session = session_of(&app, &token).await;
    let listing: Vec<Value> = app
        .get("/api/v1/tokens", ADMIN_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    let key = listing
        .iter()
        .find(|entry| entry["role"] == "analyst")
        .and_then(|entry| entry["key"].as_str())
        .expect("the analyst token is listed")
        .to_string();
    assert!(
        !listing
            .iter()
            .any(|entry| entry.to_string().contains(&token))
    );

    let revoked = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{key}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();

    assert_eq!(revoked.status(), 204);
    assert_eq!(app.get("/api/v1/submissions", &token).await.status(), 401);
    let page = browser()
        .get(app.url("/submissions"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/?notice=revoked");
    let home = browser()
        .get(app.url("/?notice=revoked"))
        .header(ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("jeton d'accès a été révoqué"), "{home}");
    // The session ended with the token: the cookie now stands for no session at all.
    let again = browser()
        .get(app.url("/submissions"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["location"], "/?notice=expired");
}

#[tokio::test]
async fn pages_follow_the_browsers_language_unless_the_switch_was_used() {
    let app = spawn_app().await;
    let get = |headers: Vec<(reqwest::header::HeaderName, &'static str)>| {
        let mut request = browser().get(app.url("/"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };

    let french = get(vec![(ACCEPT_LANGUAGE, "fr-SN,fr;q=0.9,en;q=0.5")])
        .await
        .unwrap();
    let switched = get(vec![
        (ACCEPT_LANGUAGE, "fr-SN,fr;q=0.9"),
        (COOKIE, "jvap_lang=en"),
    ])
    .await
    .unwrap();
    let switch = browser()
        .get(app.url("/lang/fr?next=/submissions"))
        .send()
        .await
        .unwrap();

    assert!(french.text().await.unwrap().contains(r#"<html lang="fr">"#));
    assert!(
        switched
            .text()
            .await
            .unwrap()
            .contains(r#"<html lang="en">"#)
    );
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/submissions");
    assert!(set_cookie(&switch, "jvap_lang").is_some_and(|c| c.starts_with("jvap_lang=fr;")));
}

#[tokio::test]
async fn an_upload_refused_by_the_page_says_why_in_the_pages_language() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 1024).await;
    let token = app.issue_token("partner", Some("NER")).await;
    let session = session_of(&app, &token).await;
    let home = browser()
        .get(app.url("/"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&home.text().await.unwrap());
    let upload = |bytes: Vec<u8>| {
        let form = Form::new()
            .text("csrf", csrf.clone())
            .part("file", Part::bytes(bytes).file_name("initiatives.xlsx"));
        browser()
            .post(app.url("/upload"))
            .header(COOKIE, &session)
            .header(ACCEPT_LANGUAGE, "fr")
            .multipart(form)
            .send()
    };

    let too_large = upload(vec![b'x'; 4096]).await.unwrap();
    let not_a_form = browser()
        .post(app.url("/upload"))
        .header(COOKIE, &session)
        .header(ACCEPT_LANGUAGE, "fr")
        .body("initiatives")
        .send()
        .await
        .unwrap();
    app.client
        .post(app.url("/api/v1/rounds/2022/close"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let closed = upload(b"a,b\n".to_vec()).await.unwrap();

    assert_eq!(too_large.status(), 413);
    assert!(
        too_large
            .text()
            .await
            .unwrap()
            .contains("Le fichier est trop volumineux")
    );
    assert_eq!(closed.status(), 409);
    assert!(
        closed
            .text()
            .await
            .unwrap()
            .contains("La collecte est fermée")
    );
    // The server's own detail of a bad request, in French on a French page.
    assert_eq!(not_a_form.status(), 400);
    let page = not_a_form.text().await.unwrap();
    assert!(
        page.contains("envoyez le fichier en multipart/form-data dans un champ nommé file"),
        "{page}"
    );
    assert!(!page.contains("send the file"), "{page}");
}

#[tokio::test]
async fn a_submission_page_offers_the_annotated_workbooks_only_when_validation_wrote_them() {
    // Arrange: two validated submissions, only the first with its annotated workbooks.
    let app = spawn_app().await;
    let token = app.issue_token("partner", Some("NER")).await;
    let session = session_of(&app, &token).await;
    let mut ids = Vec::new();
    for (name, bytes) in [
        ("kept.xlsx", &b"a file"[..]),
        ("too-complex.xlsx", &b"another"[..]),
    ] {
        let status: Value = app.upload(&token, name, bytes).await.json().await.unwrap();
        let id = status["submission_id"].as_str().unwrap().to_string();
        let report = jvap_record::Report::from_parts(0, vec![], vec![]);
        app.bus
            .reports
            .put(
                &jvap_record::messages::report_object(&id),
                &serde_json::to_vec(&report).unwrap(),
            )
            .await
            .unwrap();
        app.bus
            .update_status(&id, |s| {
                s.state = jvap_record::messages::SubmissionState::Rejected
            })
            .await
            .unwrap();
        ids.push(id);
    }
    for lang in [jvap_record::Lang::En, jvap_record::Lang::Fr] {
        app.bus
            .reports
            .put(
                &jvap_record::messages::annotated_object(&ids[0], lang),
                b"PK",
            )
            .await
            .unwrap();
    }

    // Act
    let mut pages = Vec::new();
    for id in &ids {
        let page = browser()
            .get(app.url(&format!("/submissions/{id}")))
            .header(COOKIE, &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        pages.push(page.text().await.unwrap());
    }

    // Assert
    assert!(pages[0].contains(&format!("/api/v1/submissions/{}/annotated.xlsx", ids[0])));
    assert!(!pages[0].contains("no annotated workbook"));
    assert!(!pages[1].contains("annotated.xlsx"));
    assert!(
        pages[1].contains("no annotated workbook for this file"),
        "{}",
        pages[1]
    );
}

#[tokio::test]
async fn every_state_on_the_pages_reads_as_the_shared_vocabulary_says() {
    use jvap_record::catalogue::{COLUMN_UNKNOWN, FILE_CORRUPT, SHEET_SKIPPED};
    use jvap_record::messages::{SubmissionState, report_object};
    use jvap_record::tracker::PartnerState;
    use jvap_record::vocabulary::capitalized;
    use jvap_record::{Issue, Lang, Report, Severity};

    // Arrange: one partner per submission state, each report with an issue of every severity, and
    // one expected partner that sent nothing.
    let app = spawn_app().await;
    let partners = ["NER", "BFA", "CIV", "EGY", "GMB"];
    let mut submissions = Vec::new();
    for (partner, state) in partners.into_iter().zip(SubmissionState::ALL) {
        let token = app.issue_token("partner", Some(partner)).await;
        let status: Value = app
            .upload(&token, "f.xlsx", partner.as_bytes())
            .await
            .json()
            .await
            .unwrap();
        let id = status["submission_id"].as_str().unwrap().to_string();
        let issues =
            [&FILE_CORRUPT, &COLUMN_UNKNOWN, &SHEET_SKIPPED].map(|kind| Issue::new(kind, "x"));
        let report = Report::from_parts(1, issues.to_vec(), vec![]);
        let bytes = serde_json::to_vec(&report).unwrap();
        app.bus
            .reports
            .put(&report_object(&id), &bytes)
            .await
            .unwrap();
        app.bus
            .update_status(&id, |s| s.state = state)
            .await
            .unwrap();
        submissions.push((token, id, state));
    }
    let expected: Vec<&str> = partners.iter().copied().chain(["TUN"]).collect();
    let put = app
        .client
        .put(app.url("/api/v1/rounds/2022/partners"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&expected)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let analyst = session_of(&app, &app.issue_token("analyst", None).await).await;

    for (lang, accept) in [(Lang::En, "en"), (Lang::Fr, "fr")] {
        let page = |path: String, session: String| {
            let url = app.url(&path);
            async move {
                let response = browser()
                    .get(url)
                    .header(COOKIE, session)
                    .header(ACCEPT_LANGUAGE, accept)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.text().await.unwrap()
            }
        };
        // Act and assert: each submission's page names its state and every severity.
        for (token, id, state) in &submissions {
            let session = session_of(&app, token).await;
            let text = page(format!("/submissions/{id}"), session).await;
            let label = capitalized(state.label(lang));
            assert!(
                text.contains(&label),
                "{lang:?} page of a {state:?} submission says {label}"
            );
            // A final submission's page shows its report.
            if matches!(state, SubmissionState::Accepted | SubmissionState::Rejected) {
                for severity in Severity::ALL {
                    let label = capitalized(severity.label(lang));
                    assert!(text.contains(&label), "{lang:?} report says {label}");
                }
            }
            let role = jvap_record::messages::Role::Partner.label(lang);
            assert!(
                text.contains(role),
                "{lang:?} page says who is signed in: {role}"
            );
        }
        // The admin's page says whether the round is open.
        let admin = session_of(&app, ADMIN_TOKEN).await;
        let text = page("/".into(), admin).await;
        let label = capitalized(jvap_record::messages::RoundState::Open.label(lang));
        assert!(text.contains(&label), "{lang:?} admin page says {label}");
        // The tracker names every partner state.
        let text = page("/".into(), analyst.clone()).await;
        for state in PartnerState::ALL {
            let label = capitalized(state.label(lang));
            assert!(text.contains(&label), "{lang:?} tracker says {label}");
        }
    }
}

#[tokio::test]
async fn the_language_switch_goes_back_to_this_site_only_and_refuses_control_characters() {
    let app = spawn_app().await;
    let switch = |next: &'static str| {
        let url = format!("{}/lang/fr?next={next}", app.address);
        async move { browser().get(url).send().await.unwrap() }
    };
    // Tab, new lines, NUL and DEL: browsers drop some of them from a URL, so they are refused.
    for next in [
        "/%09/evil.example/",
        "/%0a/evil.example/",
        "/%0d/evil.example/",
        "/%00",
        "/%7f",
    ] {
        let response = switch(next).await;
        assert_eq!(response.status(), 400, "{next}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains("caractère de contrôle"),
            "in the chosen language: {text}"
        );
    }
    // Another site, however written, sends people home.
    for next in [
        "//evil.example/",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "https://evil.example/",
        "evil.example",
        "javascript:alert(1)",
    ] {
        let response = switch(next).await;
        assert_eq!(response.status(), 303, "{next}");
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
    let response = switch("/submissions?severity=error").await;
    assert_eq!(
        response.headers()["location"],
        "/submissions?severity=error"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_the_pages_policy_allows_only_their_own_style_and_script()
 {
    use base64::Engine;
    use sha2::{Digest, Sha256};

    let app = spawn_app().await;
    let analyst = session_of(&app, &app.issue_token("analyst", None).await).await;
    for path in [
        "/",
        "/submissions",
        "/api",
        "/api/v1/openapi.json",
        "/api/v1/nothing-here",
    ] {
        let response = browser()
            .get(app.url(path))
            .header(COOKIE, &analyst)
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .unwrap_or_else(|| panic!("{path} has {name}"))
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
        if path.starts_with("/api/") {
            assert!(
                !policy.contains("script-src"),
                "no script runs from the API: {policy}"
            );
            continue;
        }
        // A page's own inline style and script are allowed by their hash, and nothing else is.
        let page = response.text().await.unwrap();
        let inline = |tag: &str| {
            let open = format!("<{tag}>");
            let start = page
                .find(&open)
                .unwrap_or_else(|| panic!("{path} has a {tag}"))
                + open.len();
            let end = start + page[start..].find(&format!("</{tag}>")).expect("closed");
            let digest = Sha256::digest(&page[start..end]);
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        };
        assert!(
            policy.contains(&format!("style-src {}", inline("style"))),
            "{path}: {policy}"
        );
        assert!(
            policy.contains(&format!("script-src {}", inline("script"))),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn sign_in_attempts_beyond_the_rate_get_a_429_page_in_the_persons_language() {
    // Arrange
    let app = spawn_app_with(|config| {
        config.rates = jvap_intake::config::Rates {
            signin_per_minute: 3,
            ..jvap_intake::config::Rates::default()
        }
    })
    .await;
    for _ in 0..3 {
        let wrong = sign_in(&app, "wrong-token", &[]).await;
        assert_eq!(wrong.status(), 401);
    }

    // Act: the right token, once the address has used its attempts.
    let refused = sign_in(&app, ADMIN_TOKEN, &[("accept-language", "fr")]).await;

    // Assert
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(set_cookie(&refused, "jvap_session").is_none());
    let page = refused.text().await.unwrap();
    assert!(page.contains("trop de tentatives de connexion"), "{page}");
}

#[tokio::test]
async fn the_admin_page_shows_each_services_readiness_and_the_latest_admin_actions() {
    let app = spawn_app().await;
    app.issue_token("partner", Some("NER")).await;
    let session = session_of(&app, ADMIN_TOKEN).await;
    let admin_page = || async {
        browser()
            .get(app.url("/"))
            .header(COOKIE, &session)
            .header(ACCEPT_LANGUAGE, "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    // The service writes its state at start, then every few seconds.
    let mut page = admin_page().await;
    for _ in 0..50 {
        if page.contains(r#"data-service="intake""#) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = admin_page().await;
    }
    assert!(
        page.contains(r#"<h2 id="services">Services</h2>"#),
        "{page}"
    );
    let row = &page[page
        .find(r#"data-service="intake""#)
        .expect("intake reports")..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    assert!(row.contains("prêt"), "{row}");
    assert!(row.contains("nats"), "{row}");

    assert!(
        page.contains("Journal d&#39;audit") || page.contains("Journal d'audit"),
        "{page}"
    );
    let entry = &page[page
        .find(r#"data-action="token_issued""#)
        .expect("the issue is logged")..];
    let entry = &entry[..entry.find("</tr>").unwrap_or(entry.len())];
    assert!(entry.contains("Jeton délivré"), "{entry}");
    assert!(entry.contains("partner: NER"), "{entry}");
}

#[tokio::test]
async fn the_analyst_page_opens_on_the_headline_then_the_partners_that_need_attention_first() {
    use jvap_record::messages::SubmissionState;
    let app = spawn_app().await;
    let set = app
        .client
        .put(app.url("/api/v1/rounds/2022/partners"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!(["NER", "SEN", "MLI", "GHA"]))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    for (id, partner, state) in [
        ("s-ner", "NER", SubmissionState::Rejected),
        ("s-mli", "MLI", SubmissionState::Validating),
    ] {
        let mut status = jvap_testkit::received_status(id);
        status.partner = partner.into();
        status.state = state;
        assert!(
            app.bus
                .create_status(&status)
                .await
                .expect("status written")
        );
    }
    let analyst = app.issue_token("analyst", None).await;
    let session = session_of(&app, &analyst).await;
    let page = |query: &'static str| {
        let session = session.clone();
        let url = app.url(query);
        async move {
            browser()
                .get(url)
                .header(COOKIE, session)
                .header(ACCEPT_LANGUAGE, "fr")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let fact = |page: &str, key: &str| {
        let at = page
            .find(&format!(r#"data-fact="{key}">"#))
            .unwrap_or_else(|| panic!("no {key} in {page}"));
        let rest = &page[at + key.len() + 13..];
        rest[..rest.find('<').unwrap_or(0)].to_string()
    };
    let rows = |page: &str| -> Vec<String> {
        page.match_indices(r#"tr data-partner=""#)
            .map(|(at, _)| {
                let rest = &page[at + 17..];
                rest[..rest.find('"').unwrap_or(0)].to_string()
            })
            .collect()
    };

    let home = page("/").await;
    assert!(home.contains("La collecte en bref"), "{home}");
    assert_eq!(fact(&home, "expected"), "4");
    assert_eq!(fact(&home, "sent"), "2");
    assert_eq!(fact(&home, "rejected"), "1");
    assert_eq!(fact(&home, "in_progress"), "1");
    assert_eq!(fact(&home, "missing"), "2");
    assert_eq!(fact(&home, "rate"), "0,0 %");
    assert!(home.find("headline-facts") < home.find("tracker-table"));
    // Who sent nothing, then whose file was rejected, then who is being validated.
    assert_eq!(rows(&home), ["GHA", "SEN", "NER", "MLI"]);

    let rejected = page("/?state=rejected").await;
    assert_eq!(rows(&rejected), ["NER"]);
    assert!(rejected.contains(r#"aria-current="true""#));
    // A state that is not one shows everyone rather than failing.
    assert_eq!(rows(&page("/?state=bogus").await).len(), 4);
}

#[tokio::test]
async fn closing_asks_first_then_says_what_it_did_and_partners_see_the_round_closed_before_any_upload()
 {
    use jvap_record::messages::{DeliveryOutcome, SummaryDelivery, SummaryReason};
    let app = spawn_app().await;
    let set = app
        .client
        .put(app.url("/api/v1/rounds/2022/partners"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!(["NER", "SEN"]))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let admin = session_of(&app, ADMIN_TOKEN).await;
    let get = |path: &str, session: &str| {
        browser()
            .get(app.url(path))
            .header(COOKIE, session)
            .header(ACCEPT_LANGUAGE, "fr")
            .send()
    };
    let round_open = || async {
        let round: Value = app
            .get("/api/v1/rounds/2022", ADMIN_TOKEN)
            .await
            .json()
            .await
            .unwrap();
        round["open"] == true
    };

    // The button leads to a page that says what closing does, and closes nothing yet.
    let home = get("/", &admin).await.unwrap().text().await.unwrap();
    assert!(
        home.contains(r#"method="get" action="/admin/round/close""#),
        "{home}"
    );
    let confirm = get("/admin/round/close", &admin).await.unwrap();
    assert_eq!(confirm.status(), 200);
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Fermer la collecte 2022 ?"), "{confirm}");
    assert!(
        confirm.contains("2 des 2 partenaires attendus"),
        "{confirm}"
    );
    assert!(
        confirm.contains("La liste du Comité de pilotage est vide"),
        "{confirm}"
    );
    assert!(
        round_open().await,
        "showing the confirmation closed the round"
    );

    // Confirmed: closed, and the admin's page says so and lists the deliveries.
    let closed = browser()
        .post(app.url("/admin/round/close"))
        .header(COOKIE, &admin)
        .header(CONTENT_TYPE, FORM)
        .body(format!("csrf={}", csrf_of(&confirm)))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 303);
    assert_eq!(
        closed.headers()["location"],
        "/?notice=round_closed#deliveries"
    );
    assert!(!round_open().await);
    let at = chrono::Utc::now();
    app.bus
        .record_delivery(&SummaryDelivery {
            request_id: "summary-2022-1".into(),
            round: "2022".into(),
            reason: SummaryReason::RoundClosed,
            version: None,
            recipients: vec![],
            outcome: DeliveryOutcome::Skipped,
            detail: Some("no SMTP server is configured (JVAP_SMTP_URL)".into()),
            message_id: None,
            attempts: 0,
            requested_at: at,
            sent_at: None,
            updated_at: at,
        })
        .await
        .expect("delivery recorded");
    let after = get("/?notice=round_closed", &admin)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains(r#"id="round-closed-notice""#), "{after}");
    let row = &after[after
        .find(r#"data-outcome="skipped""#)
        .expect("the delivery")..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    assert!(row.contains("Collecte fermée"), "{row}");
    assert!(row.contains("Non envoyée — no SMTP server"), "{row}");

    // A partner sees the round closed on arrival, with no upload form to fill in vain.
    let partner = app.issue_token("partner", Some("NER")).await;
    let partner = session_of(&app, &partner).await;
    let page = get("/", &partner).await.unwrap().text().await.unwrap();
    assert!(page.contains("La collecte 2022 est fermée"), "{page}");
    assert!(!page.contains(r#"action="/upload""#), "{page}");
}
