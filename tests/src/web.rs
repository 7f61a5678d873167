//! The web pages as a browser without script uses them: sign in with the form (its cookie and CSRF
//! field), then read pages and send forms with the session cookie.

use anyhow::Context;
use reqwest::header::{COOKIE, SET_COOKIE};

/// A signed-in person on the web pages, in a language.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    /// `jvap_session=…; jvap_lang=…`
    cookies: String,
}

/// The value of cookie `name` set by a response.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_string())
}

/// The first `csrf` hidden field of a page.
pub fn csrf_of(page: &str) -> anyhow::Result<String> {
    let at = page
        .find(r#"name="csrf" value=""#)
        .context("a csrf field on the page")?
        + 19;
    page.get(at..at + 64)
        .map(str::to_string)
        .context("a whole csrf token")
}

impl Browser {
    /// Sign in with `token` through the sign-in form, reading pages in `lang` (`en` or `fr`).
    pub async fn sign_in(base: &str, token: &str, lang: &str) -> anyhow::Result<Browser> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let lang_cookie = format!("jvap_lang={lang}");
        let page = http
            .get(format!("{base}/"))
            .header(COOKIE, &lang_cookie)
            .send()
            .await?;
        let signin = set_cookie(&page, "jvap_signin").context("a sign-in cookie")?;
        let csrf = csrf_of(&page.text().await?)?;
        let answer = http
            .post(format!("{base}/signin"))
            .header(COOKIE, format!("jvap_signin={signin}; {lang_cookie}"))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            // Both are URL-safe: hex.
            .body(format!("csrf={csrf}&token={token}"))
            .send()
            .await?;
        anyhow::ensure!(
            answer.status() == 303,
            "sign-in answered {}",
            answer.status()
        );
        let session = set_cookie(&answer, "jvap_session").context("a session cookie")?;
        Ok(Browser {
            base: base.trim_end_matches('/').to_string(),
            http,
            cookies: format!("jvap_session={session}; {lang_cookie}"),
        })
    }

    /// A page's HTML (any status).
    pub async fn get(&self, path: &str) -> anyhow::Result<String> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .send()
            .await?;
        Ok(response.text().await?)
    }

    /// Send a file with the upload form's fields (the CSRF token of the home page) to `path`, as
    /// the form's buttons do; the status and the page answered.
    pub async fn post_file(
        &self,
        path: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<(u16, String)> {
        let csrf = csrf_of(&self.get("/").await?)?;
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .multipart(form)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    }
}
