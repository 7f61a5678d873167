//! A small client of the JVAP HTTP API (`/api/v1`), with the server's errors made readable.

use std::time::Duration;

use anyhow::Context;
use jvap_record::{Bilingual, Lang};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The server answered with an error status. Its message, in the language of `--lang`, is what the
/// user sees.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {})", self.message, self.status.as_u16())
    }
}

impl std::error::Error for ApiError {}

/// How long a download waits for a file the server is preparing.
pub const PREPARING_LIMIT: Duration = Duration::from_secs(300);

/// The server's error body: `error` in English, `error_fr` in French (absent from an older server,
/// or a proxy's answer).
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_fr: Option<String>,
}

impl ErrorBody {
    /// The message in `lang`, English when the server gave no French.
    fn message(self, lang: Lang) -> String {
        match (lang, self.error_fr) {
            (Lang::Fr, Some(fr)) if !fr.trim().is_empty() => fr,
            _ => self.error,
        }
    }
}

/// What follows a 401 when no token was given.
const NO_TOKEN: Bilingual = Bilingual {
    en: " (no token given: use --token or set JVAP_TOKEN)",
    fr: " (aucun jeton donné : utilisez --token ou définissez JVAP_TOKEN)",
};

pub struct Api {
    base: String,
    token: Option<String>,
    /// The language of the server's messages shown to the user.
    lang: Lang,
    http: reqwest::Client,
}

impl Api {
    pub fn new(server: &str, token: Option<&str>, lang: Lang) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(600))
            .user_agent(concat!("jvap-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Api {
            base: server.trim_end_matches('/').to_string(),
            token: token.map(String::from),
            lang,
            http,
        })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Send a request; a non-2xx answer becomes an [`ApiError`] carrying the server's message.
    async fn send(&self, request: RequestBuilder) -> anyhow::Result<Response> {
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let mut message = match serde_json::from_str::<ErrorBody>(&body) {
            Ok(body) => body.message(self.lang),
            Err(_) if !body.trim().is_empty() => body.trim().chars().take(300).collect(),
            Err(_) => status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_string(),
        };
        if status == StatusCode::UNAUTHORIZED && self.token.is_none() {
            message.push_str(NO_TOKEN.get(self.lang));
        }
        Err(ApiError { status, message }.into())
    }

    fn transport_error(&self, error: reqwest::Error) -> anyhow::Error {
        if error.is_connect() || error.is_timeout() {
            // reqwest's own message names the URL; the root cause (refused, timed out, no such host)
            // is what helps.
            let mut cause: &dyn std::error::Error = &error;
            while let Some(source) = cause.source() {
                cause = source;
            }
            anyhow::anyhow!(
                "could not reach the jvap server at {} ({cause}); check --server or JVAP_SERVER",
                self.base
            )
        } else {
            anyhow::Error::new(error).context(format!("request to {} failed", self.base))
        }
    }

    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self.send(self.request(Method::GET, path)).await?;
        json(response, path).await
    }

    /// GET a file. While the server prepares it (202 Accepted: a dataset version's files are built
    /// after the version commits) ask again after its `Retry-After`, for at most [`PREPARING_LIMIT`].
    pub async fn get_bytes(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Vec<u8>> {
        let started = std::time::Instant::now();
        let response = loop {
            let response = self
                .send(self.request(Method::GET, path).query(query))
                .await?;
            if response.status() != StatusCode::ACCEPTED {
                break response;
            }
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(2)
                .clamp(1, 30);
            if started.elapsed() + Duration::from_secs(wait) > PREPARING_LIMIT {
                anyhow::bail!(
                    "{path} is still being prepared after {} s; try again later",
                    PREPARING_LIMIT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_secs(wait)).await;
        };
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("reading {path} from the server"))?;
        Ok(bytes.to_vec())
    }

    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let response = self
            .send(self.request(Method::POST, path).json(body))
            .await?;
        json(response, path).await
    }

    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let response = self
            .send(self.request(Method::PUT, path).json(body))
            .await?;
        json(response, path).await
    }

    pub async fn delete_json<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self.send(self.request(Method::DELETE, path)).await?;
        json(response, path).await
    }

    pub async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self.send(self.request(Method::POST, path)).await?;
        json(response, path).await
    }

    /// Upload a file as multipart field `file` (with its name), `mode` and each `map`; returns the status code
    /// (202 new, 200 already submitted) and the body.
    pub async fn post_file<T: DeserializeOwned>(
        &self,
        path: &str,
        file_name: &str,
        bytes: Vec<u8>,
        mode: &str,
        map: &[String],
    ) -> anyhow::Result<(StatusCode, T)> {
        let mut form = Form::new()
            .part("file", Part::bytes(bytes).file_name(file_name.to_string()))
            .text("mode", mode.to_string());
        for pair in map {
            form = form.text("map", pair.clone());
        }
        let response = self
            .send(self.request(Method::POST, path).multipart(form))
            .await?;
        let status = response.status();
        Ok((status, json(response, path).await?))
    }
}

async fn json<T: DeserializeOwned>(response: Response, path: &str) -> anyhow::Result<T> {
    let bytes = response
        .bytes()
        .await
        .with_context(|| format!("reading the answer to {path}"))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("the server's answer to {path} is not what this jvap expects"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> ErrorBody {
        serde_json::from_str(json).expect("an error body")
    }

    #[test]
    fn the_message_is_in_the_language_asked_for_and_english_without_french() {
        let both = r#"{"error": "the round is closed", "error_fr": "la collecte est fermée"}"#;
        assert_eq!(body(both).message(Lang::En), "the round is closed");
        assert_eq!(body(both).message(Lang::Fr), "la collecte est fermée");
        let english = r#"{"error": "the round is closed"}"#;
        assert_eq!(body(english).message(Lang::Fr), "the round is closed");
    }
}
