//! The connection to NATS with the stream, key-value buckets and object stores the services use.

use std::time::Duration;

use async_nats::jetstream::{self, kv, object_store, stream};
use bytes::Bytes;
use jvap_core::messages as m;
use serde::Serialize;
use tokio::io::AsyncReadExt;

use crate::sessions::{KV_SESSIONS, SESSION_TTL};

/// What can go wrong talking to NATS. Every variant is a system failure (retry later), never the
/// fault of a message.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        url: String,
        source: async_nats::ConnectError,
    },
    #[error("cannot set up {what}: {detail}")]
    Setup { what: String, detail: String },
    #[error("cannot publish to {subject}: {detail}")]
    Publish { subject: String, detail: String },
    #[error("object store {bucket}: {detail}")]
    Object { bucket: String, detail: String },
    #[error("key-value bucket {bucket}: {detail}")]
    Kv { bucket: String, detail: String },
    #[error("cannot encode or decode JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// A connection with every bucket opened. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    /// Submission statuses by submission id.
    pub submissions: kv::Store,
    /// Access tokens by the SHA-256 of the token.
    pub tokens: kv::Store,
    /// Rounds (open or closed) by round.
    pub rounds: kv::Store,
    /// Latest published dataset version by round.
    pub dataset_versions: kv::Store,
    /// Web sessions by the SHA-256 of their cookie; entries expire after [`crate::sessions::SESSION_TTL`].
    pub sessions: kv::Store,
    /// The Committee's distribution list, summary requests and deliveries (see [`crate::committee`]).
    pub committee: kv::Store,
    /// Raw uploads, kept forever.
    pub uploads: Objects,
    /// Reports and normalised records of each submission.
    pub reports: Objects,
    /// Published dataset files.
    pub datasets: Objects,
}

impl Bus {
    /// Connect to a single node and make sure the stream and buckets exist (idempotent).
    pub async fn connect(url: &str) -> Result<Bus, BusError> {
        Bus::connect_with(url, 1).await
    }

    /// Connect and make sure the stream and buckets exist with `replicas` copies (3 on a cluster).
    pub async fn connect_with(url: &str, replicas: usize) -> Result<Bus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name("jvap")
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| BusError::Connect {
                url: url.to_string(),
                source,
            })?;
        let js = jetstream::new(client.clone());
        ensure_stream(&js, replicas).await?;
        Ok(Bus {
            submissions: ensure_kv(&js, m::KV_SUBMISSIONS, 10, replicas).await?,
            tokens: ensure_kv(&js, m::KV_TOKENS, 1, replicas).await?,
            rounds: ensure_kv(&js, m::KV_ROUNDS, 5, replicas).await?,
            dataset_versions: ensure_kv(&js, m::KV_DATASETS, 5, replicas).await?,
            sessions: ensure_kv_expiring(&js, KV_SESSIONS, SESSION_TTL, replicas).await?,
            committee: ensure_kv(&js, m::KV_COMMITTEE, 5, replicas).await?,
            uploads: ensure_objects(&js, m::BUCKET_UPLOADS, replicas).await?,
            reports: ensure_objects(&js, m::BUCKET_REPORTS, replicas).await?,
            datasets: ensure_objects(&js, m::BUCKET_DATASETS, replicas).await?,
            client,
            js,
        })
    }

    /// Publish a JSON message and wait for the stream's ack. `msg_id` de-duplicates: a second publish
    /// with the same id inside the stream's window is acknowledged but not stored again.
    pub async fn publish<T: Serialize>(
        &self,
        subject: &str,
        msg_id: &str,
        body: &T,
    ) -> Result<(), BusError> {
        let payload = Bytes::from(serde_json::to_vec(body)?);
        let message = jetstream::message::PublishMessage::build()
            .payload(payload)
            .message_id(msg_id);
        let error = |e: &dyn std::fmt::Display| BusError::Publish {
            subject: subject.into(),
            detail: e.to_string(),
        };
        let ack = self
            .js
            .send_publish(subject.to_string(), message)
            .await
            .map_err(|e| error(&e))?;
        ack.await.map_err(|e| error(&e))?;
        Ok(())
    }

    /// Read a JSON value from a KV bucket.
    pub async fn kv_get<T: serde::de::DeserializeOwned>(
        &self,
        store: &kv::Store,
        key: &str,
    ) -> Result<Option<T>, BusError> {
        let value = store.get(key).await.map_err(|e| kv_error(store, e))?;
        value
            .map(|bytes| serde_json::from_slice(&bytes))
            .transpose()
            .map_err(BusError::from)
    }

    /// Write a JSON value to a KV bucket.
    pub async fn kv_put<T: Serialize>(
        &self,
        store: &kv::Store,
        key: &str,
        value: &T,
    ) -> Result<(), BusError> {
        let bytes = Bytes::from(serde_json::to_vec(value)?);
        store
            .put(key, bytes)
            .await
            .map_err(|e| kv_error(store, e))?;
        Ok(())
    }
}

impl Bus {
    /// Every key of a KV bucket (for small buckets: tokens, rounds).
    pub async fn kv_keys(&self, store: &kv::Store) -> Result<Vec<String>, BusError> {
        use futures::TryStreamExt;
        let keys = store.keys().await.map_err(|e| kv_error(store, e))?;
        keys.try_collect().await.map_err(|e| kv_error(store, e))
    }

    /// Remove a key and its history from a KV bucket; removing a missing key is not an error.
    pub async fn kv_purge(&self, store: &kv::Store, key: &str) -> Result<(), BusError> {
        store.purge(key).await.map_err(|e| kv_error(store, e))
    }
}

pub(crate) fn kv_error(store: &kv::Store, e: impl std::fmt::Display) -> BusError {
    BusError::Kv {
        bucket: store.name.clone(),
        detail: e.to_string(),
    }
}

/// An object store with its bucket name (for error messages).
#[derive(Clone)]
pub struct Objects {
    pub bucket: &'static str,
    pub store: object_store::ObjectStore,
}

impl Objects {
    /// Store bytes under `name`, replacing any earlier object of that name.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> Result<(), BusError> {
        let mut reader = bytes;
        self.store
            .put(name, &mut reader)
            .await
            .map_err(|e| self.error("put", name, e))?;
        Ok(())
    }

    /// Read a whole object; `None` when there is no object of that name.
    pub async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, BusError> {
        let mut object = match self.store.get(name).await {
            Ok(object) => object,
            Err(e) if e.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error("get", name, e)),
        };
        let mut bytes = Vec::new();
        object
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| self.error("read", name, e))?;
        Ok(Some(bytes))
    }

    fn error(&self, action: &str, name: &str, e: impl std::fmt::Display) -> BusError {
        BusError::Object {
            bucket: self.bucket.to_string(),
            detail: format!("{action} {name}: {e}"),
        }
    }
}

async fn ensure_stream(js: &jetstream::Context, replicas: usize) -> Result<(), BusError> {
    let config = stream::Config {
        name: m::STREAM.to_string(),
        subjects: vec![m::STREAM_SUBJECTS.to_string()],
        storage: stream::StorageType::File,
        // Identical uploads are also caught by the submission id in KV; the window covers retries.
        duplicate_window: Duration::from_secs(24 * 3600),
        num_replicas: replicas,
        ..Default::default()
    };
    js.get_or_create_stream(config)
        .await
        .map_err(|e| BusError::Setup {
            what: format!("stream {}", m::STREAM),
            detail: e.to_string(),
        })?;
    Ok(())
}

async fn ensure_kv(
    js: &jetstream::Context,
    bucket: &str,
    history: i64,
    replicas: usize,
) -> Result<kv::Store, BusError> {
    let config = kv::Config {
        bucket: bucket.to_string(),
        history,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    open_kv(js, config).await
}

/// A bucket whose entries NATS deletes once they are `max_age` old (one value per key, no history).
async fn ensure_kv_expiring(
    js: &jetstream::Context,
    bucket: &str,
    max_age: Duration,
    replicas: usize,
) -> Result<kv::Store, BusError> {
    let config = kv::Config {
        bucket: bucket.to_string(),
        history: 1,
        max_age,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    open_kv(js, config).await
}

/// Open the bucket of `config`, creating it when it does not exist yet.
async fn open_kv(js: &jetstream::Context, config: kv::Config) -> Result<kv::Store, BusError> {
    let bucket = config.bucket.clone();
    if let Ok(store) = js.get_key_value(&bucket).await {
        return Ok(store);
    }
    match js.create_key_value(config).await {
        Ok(store) => Ok(store),
        // Another service may have created it in the meantime.
        Err(first) => js
            .get_key_value(&bucket)
            .await
            .map_err(|_| BusError::Setup {
                what: format!("key-value bucket {bucket}"),
                detail: first.to_string(),
            }),
    }
}

async fn ensure_objects(
    js: &jetstream::Context,
    bucket: &'static str,
    replicas: usize,
) -> Result<Objects, BusError> {
    let store = open_objects(js, bucket, replicas).await?;
    Ok(Objects { bucket, store })
}

async fn open_objects(
    js: &jetstream::Context,
    bucket: &str,
    replicas: usize,
) -> Result<object_store::ObjectStore, BusError> {
    if let Ok(store) = js.get_object_store(bucket).await {
        return Ok(store);
    }
    let config = object_store::Config {
        bucket: bucket.to_string(),
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    match js.create_object_store(config).await {
        Ok(store) => Ok(store),
        Err(first) => js
            .get_object_store(bucket)
            .await
            .map_err(|_| BusError::Setup {
                what: format!("object store {bucket}"),
                detail: first.to_string(),
            }),
    }
}
