//! A small HTTP client of the intake API, as a partner, analyst or admin would use it.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

/// One user's view of the API: the server address and a bearer token.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        Client {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// Issue a token (the caller must be an admin) and return a client that uses it.
    pub async fn issue(&self, role: &str, partner: Option<&str>) -> anyhow::Result<Client> {
        let body = json!({ "role": role, "partner": partner, "label": "test" });
        let response = self.post_json("/api/v1/tokens", &body).await?;
        let token = response["token"].as_str().context("token in response")?;
        Ok(Client::new(&self.base, token))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        json_of(response).await
    }

    /// PUT a JSON body; returns the HTTP status and the JSON answer, whatever the status.
    pub async fn put_json(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let response = self
            .http
            .put(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Upload a file; returns the HTTP status and the submission status body.
    pub async fn submit(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
        mode: Option<&str>,
    ) -> anyhow::Result<(u16, Value)> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(mode) = mode {
            form = form.text("mode", mode.to_string());
        }
        let response = self
            .http
            .post(self.url("/api/v1/submissions"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// POST a multipart form of text fields (a field may repeat); the HTTP status and the JSON answer.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<(u16, Value)> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Upload a file with `map` fields (`HEADER=FIELD`); the HTTP status and the JSON answer.
    pub async fn submit_mapped(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
        map: &[&str],
    ) -> anyhow::Result<(u16, Value)> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        for pair in map {
            form = form.text("map", pair.to_string());
        }
        let response = self
            .http
            .post(self.url("/api/v1/submissions"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    /// Check a file without submitting it (`POST /api/v1/validate`); the HTTP status, the
    /// `Retry-After` header if any, and the JSON answer.
    pub async fn check(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<(u16, Option<String>, Value)> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = self
            .http
            .post(self.url("/api/v1/validate"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok((status, retry_after, response.json().await?))
    }

    /// GET `path`, asking again while the server answers 202 (a dataset version's files being
    /// prepared; more often than its `Retry-After`, to keep tests short), for at most two minutes.
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let started = std::time::Instant::now();
        loop {
            let response = self.get_once(path).await?;
            if response.status() != reqwest::StatusCode::ACCEPTED
                || started.elapsed() > std::time::Duration::from_secs(120)
            {
                return Ok(response);
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// GET `path` once, whatever it answers.
    pub async fn get_once(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await?)
    }

    /// GET a JSON document; `None` on 404.
    pub async fn get_json(&self, path: &str) -> anyhow::Result<Option<Value>> {
        let response = self.get(path).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(json_of(response).await?))
    }

    /// GET raw bytes with the HTTP status.
    pub async fn get_bytes(&self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let response = self.get(path).await?;
        Ok((response.status().as_u16(), response.bytes().await?.to_vec()))
    }

    /// GET raw bytes with the HTTP status and the `Content-Type`.
    pub async fn get_typed(&self, path: &str) -> anyhow::Result<(u16, String, Vec<u8>)> {
        let response = self.get(path).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok((
            response.status().as_u16(),
            content_type,
            response.bytes().await?.to_vec(),
        ))
    }

    /// Poll a submission until it is accepted, rejected or failed (and, when accepted, until its
    /// dataset version is published when `published` is set).
    pub async fn wait_final(
        &self,
        id: &str,
        published: bool,
        limit: Duration,
    ) -> anyhow::Result<Value> {
        let started = Instant::now();
        loop {
            let status = self
                .get_json(&format!("/api/v1/submissions/{id}"))
                .await?
                .context("submission exists")?;
            let state = status["state"].as_str().unwrap_or_default();
            let done = match state {
                "rejected" | "failed" => true,
                "accepted" => !published || !status["dataset_version"].is_null(),
                _ => false,
            };
            if done {
                return Ok(status);
            }
            anyhow::ensure!(
                started.elapsed() < limit,
                "submission {id} still {state} after {limit:?}: {status}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn json_of(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let text = response.text().await?;
    anyhow::ensure!(status.is_success(), "HTTP {status}: {text}");
    Ok(serde_json::from_str(&text)?)
}
