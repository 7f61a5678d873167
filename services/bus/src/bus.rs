//! The connection to NATS with the stream, key-value buckets and object stores the services use.

use std::time::Duration;

use async_nats::jetstream::{self, kv, object_store, stream};
use bytes::Bytes;
use jvap_record::columns::ColumnMapping;
use jvap_record::messages as m;
use serde::Serialize;
use tokio::io::AsyncRead;

use crate::config::{ConfigError, NatsConfig};

/// What can go wrong talking to NATS. Every variant is a system failure (retry later), never the
/// fault of a message.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error(transparent)]
    Config(#[from] ConfigError),
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
    #[error("audit log: {0}")]
    Audit(String),
    #[error("cannot encode or decode JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The KV bucket of web sessions.
pub const KV_SESSIONS: &str = "sessions";

/// How long a service's state stays in the `services` bucket after its last heartbeat.
pub const SERVICES_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// The KV bucket where each service writes its state every few seconds (the ops module's heartbeat).
pub const KV_SERVICES: &str = "services";

/// The longest a dry run's file or report stays in the `checks` store (each is deleted once
/// answered; this bounds what a crash leaves behind).
pub const CHECKS_TTL: Duration = Duration::from_secs(3600);

/// The `checks` store's size limit (at most the uploads' own): room for the dry runs in hand, which
/// are each at most one upload, without reserving much disk.
pub const CHECKS_MAX_BYTES: i64 = 1 << 30;

/// How long a session lasts after sign-in: a working day, then the person signs in again.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

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
    /// Web sessions by the SHA-256 of their cookie; entries expire after [`SESSION_TTL`].
    pub sessions: kv::Store,
    /// The Committee's distribution list, summary requests and deliveries (see [`crate::committee`]).
    pub committee: kv::Store,
    /// Each partner's focal points and the reminders sent to them (see [`crate::partners`]).
    pub partners: kv::Store,
    /// The column mappings partners confirmed, by partner code (see [`Bus::mapping`]).
    pub mappings: kv::Store,
    /// Each running service's readiness, lag and last failures; entries expire when a service stops
    /// writing them (after [`SERVICES_TTL`]).
    pub services: kv::Store,
    /// Raw uploads, kept forever.
    pub uploads: Objects,
    /// Reports and normalised records of each submission.
    pub reports: Objects,
    /// Published dataset files.
    pub datasets: Objects,
    /// The files and reports of dry runs, for as long as one takes; anything older than
    /// [`CHECKS_TTL`] is dropped.
    pub checks: Objects,
    /// The audit log of admin actions (see [`crate::audit`]).
    pub audit: stream::Stream,
}

impl Bus {
    /// Connect to one server with replicas 1 and the default object-store limits, making sure the
    /// stream and buckets exist (idempotent). For tests and tools; services use [`Bus::connect_with`].
    pub async fn connect(url: &str) -> Result<Bus, BusError> {
        Bus::connect_with(&NatsConfig::new(url)?).await
    }

    /// Connect to any of `config`'s servers (failing over to the others), then create the stream,
    /// KV buckets and object stores with `config.replicas` copies and the object stores' size limits,
    /// updating (and logging) those that exist with other settings.
    pub async fn connect_with(config: &NatsConfig) -> Result<Bus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name("jvap")
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(config.servers.0.clone())
            .await
            .map_err(|source| BusError::Connect {
                url: config.servers_shown(),
                source,
            })?;
        // A service may start while the cluster elects new leaders (a node just lost): JetStream
        // requests time out meanwhile, so the set-up is tried again for a bounded time.
        let started = std::time::Instant::now();
        loop {
            match Box::pin(Bus::set_up(client.clone(), config)).await {
                Err(BusError::Setup { what, detail })
                    if detail.contains("timed out") && started.elapsed() < SETUP_LIMIT =>
                {
                    tracing::warn!(%what, %detail, "NATS not ready yet, trying again");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                done => return done,
            }
        }
    }

    /// Create or reconcile the stream, buckets and object stores on a connected client.
    async fn set_up(client: async_nats::Client, config: &NatsConfig) -> Result<Bus, BusError> {
        let js = jetstream::new(client.clone());
        let replicas = config.replicas;
        // Each set-up future is boxed: inline, their async-nats futures made the caller's future
        // (a service's whole start, a test's body) big enough to overflow a 2 MiB stack in debug builds.
        let stream = Box::pin(ensure_stream(&js, replicas)).await;
        // After a first request: the server has told who it is by now, unless it did not answer.
        check_replicas(&client, replicas)?;
        stream?;
        let audit = Box::pin(ensure_audit_stream(&js, replicas)).await?;
        let kv =
            |bucket, history| Box::pin(ensure_kv(&js, bucket, history, Duration::ZERO, replicas));
        let objects = |bucket, max_bytes| {
            Box::pin(ensure_objects(
                &js,
                bucket,
                replicas,
                max_bytes,
                Duration::ZERO,
            ))
        };
        let bus = Bus {
            submissions: kv(m::KV_SUBMISSIONS, 10).await?,
            tokens: kv(m::KV_TOKENS, 1).await?,
            rounds: kv(m::KV_ROUNDS, 5).await?,
            dataset_versions: kv(m::KV_DATASETS, 5).await?,
            sessions: Box::pin(ensure_kv(&js, KV_SESSIONS, 1, SESSION_TTL, replicas)).await?,
            committee: kv(m::KV_COMMITTEE, 5).await?,
            partners: kv(m::KV_PARTNERS, 5).await?,
            mappings: kv(m::KV_MAPPINGS, 5).await?,
            services: Box::pin(ensure_kv(&js, KV_SERVICES, 1, SERVICES_TTL, replicas)).await?,
            uploads: objects(m::BUCKET_UPLOADS, config.uploads_max_bytes).await?,
            reports: objects(m::BUCKET_REPORTS, config.reports_max_bytes).await?,
            datasets: objects(m::BUCKET_DATASETS, config.datasets_max_bytes).await?,
            checks: Box::pin(ensure_objects(
                &js,
                m::BUCKET_CHECKS,
                replicas,
                config.uploads_max_bytes.min(CHECKS_MAX_BYTES),
                CHECKS_TTL,
            ))
            .await?,
            audit,
            client,
            js,
        };
        tracing::info!(
            servers = %config.servers_shown(),
            replicas,
            "connected to NATS; stream, buckets and object stores ready"
        );
        Ok(bus)
    }

    /// The names of every KV bucket the bus opens.
    pub fn kv_names(&self) -> Vec<&str> {
        [
            &self.submissions,
            &self.tokens,
            &self.rounds,
            &self.dataset_versions,
            &self.sessions,
            &self.committee,
            &self.partners,
            &self.mappings,
            &self.services,
        ]
        .iter()
        .map(|store| store.name.as_str())
        .collect()
    }

    /// The column mapping partner `partner` confirmed (empty when none).
    pub async fn mapping(&self, partner: &str) -> Result<ColumnMapping, BusError> {
        Ok(self
            .kv_get(&self.mappings, partner)
            .await?
            .unwrap_or_default())
    }

    /// Remember `confirmed` for `partner`, over what it had confirmed before (a header confirmed
    /// again takes the new field).
    pub async fn remember_mapping(
        &self,
        partner: &str,
        confirmed: &ColumnMapping,
    ) -> Result<(), BusError> {
        let mapping = self.mapping(partner).await?.overlaid(confirmed);
        self.kv_put(&self.mappings, partner, &mapping).await
    }

    /// The names of every object store the bus opens.
    pub fn object_names(&self) -> [&'static str; 4] {
        [
            self.uploads.bucket,
            self.reports.bucket,
            self.datasets.bucket,
            self.checks.bucket,
        ]
    }

    /// Publish a JSON message and wait for the stream's ack. `msg_id` de-duplicates: a second publish
    /// with the same id inside the stream's window is acknowledged but not stored again. The current
    /// trace id ([`crate::trace`]), if any, goes with it.
    pub async fn publish<T: Serialize>(
        &self,
        subject: &str,
        msg_id: &str,
        body: &T,
    ) -> Result<(), BusError> {
        let payload = Bytes::from(serde_json::to_vec(body)?);
        let mut message = jetstream::message::PublishMessage::build()
            .payload(payload)
            .message_id(msg_id);
        if let Some(trace_id) = crate::trace::current() {
            message = message.header(crate::trace::HEADER, trace_id.as_str());
        }
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
    /// Every live key of a KV bucket, sorted (for small buckets: tokens, rounds). Deleted and purged
    /// keys are left out. No consumer: the keys come from the stream's subjects, see [`live_entries`].
    pub async fn kv_keys(&self, store: &kv::Store) -> Result<Vec<String>, BusError> {
        let mut keys: Vec<String> = live_entries(store)
            .await?
            .into_iter()
            .map(|entry| entry.key)
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// Remove a key and its history from a KV bucket; removing a missing key is not an error.
    pub async fn kv_purge(&self, store: &kv::Store, key: &str) -> Result<(), BusError> {
        store.purge(key).await.map_err(|e| kv_error(store, e))
    }
}

/// The latest entry of every key of `store` that is not deleted or purged, without a consumer (a KV
/// `keys()` or `watch` creates one per call, and a stream allows only so many): one stream-info
/// request lists the subjects `$KV.<bucket>.>`, then one direct get per key reads its last value.
pub(crate) async fn live_entries(store: &kv::Store) -> Result<Vec<kv::Entry>, BusError> {
    use futures::{StreamExt, TryStreamExt};
    let subjects: Vec<(String, usize)> = store
        .stream
        .info_builder()
        .subjects(format!("{}>", store.prefix))
        .fetch()
        .await
        .map_err(|e| kv_error(store, e))?
        .try_collect()
        .await
        .map_err(|e| kv_error(store, e))?;
    let keys = subjects.into_iter().filter_map(|(subject, _)| {
        subject
            .strip_prefix(store.prefix.as_str())
            .map(str::to_string)
    });
    let entries: Vec<Option<kv::Entry>> = futures::stream::iter(keys)
        .map(|key| async move { store.entry(key).await })
        .buffered(16)
        .try_collect()
        .await
        .map_err(|e| kv_error(store, e))?;
    Ok(entries
        .into_iter()
        .flatten()
        .filter(|entry| entry.operation == kv::Operation::Put)
        .collect())
}

pub(crate) fn kv_error(store: &kv::Store, e: impl std::fmt::Display) -> BusError {
    BusError::Kv {
        bucket: store.name.clone(),
        detail: e.to_string(),
    }
}

/// An object store with its bucket name (for error messages) and its stream `OBJ_<bucket>`.
///
/// Reads use no consumer: the object's info is its last meta message and each chunk is read by a
/// direct get (async-nats' `get`, `list` and `watch` create an ordered consumer per call).
#[derive(Clone)]
pub struct Objects {
    pub bucket: &'static str,
    pub store: object_store::ObjectStore,
    stream: stream::Stream,
}

/// An object's name and size, as [`Objects::list`] gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEntry {
    pub name: String,
    pub size: usize,
}

/// Reads of one object that found a chunk gone (the object was replaced meanwhile) start again from
/// its new info, at most this many times.
const READ_ATTEMPTS: usize = 3;

impl Objects {
    /// Store bytes under `name`, replacing any earlier object of that name.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> Result<(), BusError> {
        let mut reader = bytes;
        self.put_reader(name, &mut reader).await
    }

    /// Store what `reader` yields under `name` (a file on disk, say), chunk by chunk, without holding
    /// it whole in memory; replaces any earlier object of that name.
    pub async fn put_reader(
        &self,
        name: &str,
        reader: &mut (impl AsyncRead + Unpin),
    ) -> Result<(), BusError> {
        self.store
            .put(name, reader)
            .await
            .map_err(|e| self.error("put", name, e))?;
        Ok(())
    }

    /// Read a whole object; `None` when there is no object of that name.
    pub async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, BusError> {
        for _ in 0..READ_ATTEMPTS {
            let Some(info) = self.info(name).await? else {
                return Ok(None);
            };
            if let Some(bytes) = self.read_chunks(&info).await? {
                return Ok(Some(bytes));
            }
        }
        Err(self.error("get", name, "it kept being replaced while it was read"))
    }

    /// The hex SHA-256 of an object, from its info (nothing of the object itself is read); `None`
    /// when there is no object of that name.
    pub async fn sha256(&self, name: &str) -> Result<Option<String>, BusError> {
        use base64::Engine;
        let Some(info) = self.info(name).await? else {
            return Ok(None);
        };
        let digest = info
            .digest
            .as_deref()
            .and_then(|d| d.strip_prefix("SHA-256="))
            .and_then(|b64| base64::engine::general_purpose::URL_SAFE.decode(b64).ok())
            .ok_or_else(|| self.error("info", name, "no SHA-256 digest"))?;
        Ok(Some(hex::encode(digest)))
    }

    /// Every object (not deleted) with its size, sorted by name.
    pub async fn list(&self) -> Result<Vec<ObjectEntry>, BusError> {
        use futures::TryStreamExt;
        let meta = format!("$O.{}.M.>", self.bucket);
        let subjects: Vec<(String, usize)> = self
            .stream
            .info_builder()
            .subjects(meta)
            .fetch()
            .await
            .map_err(|e| self.error("list", "", e))?
            .try_collect()
            .await
            .map_err(|e| self.error("list", "", e))?;
        let mut objects = Vec::new();
        for (subject, _) in subjects {
            let message = match self.stream.direct_get_last_for_subject(&subject).await {
                Ok(message) => message,
                // Purged between the listing and this read.
                Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => continue,
                Err(e) => return Err(self.error("list", &subject, e)),
            };
            let info: object_store::ObjectInfo = serde_json::from_slice(&message.payload)?;
            if !info.deleted {
                objects.push(ObjectEntry {
                    name: info.name,
                    size: info.size,
                });
            }
        }
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    /// The object's info (its last meta message); `None` when missing or deleted.
    async fn info(&self, name: &str) -> Result<Option<object_store::ObjectInfo>, BusError> {
        match self.store.info(name).await {
            Ok(info) if info.deleted => Ok(None),
            Ok(info) => {
                let linked = info.options.as_ref().is_some_and(|o| o.link.is_some());
                if linked {
                    return Err(self.error("get", name, "links are not supported"));
                }
                Ok(Some(info))
            }
            Err(e) if e.kind() == object_store::InfoErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error("info", name, e)),
        }
    }

    /// The chunks of `info` in order, checked against its size and digest; `None` when a chunk is
    /// gone (the object was replaced or deleted since its info was read).
    async fn read_chunks(
        &self,
        info: &object_store::ObjectInfo,
    ) -> Result<Option<Vec<u8>>, BusError> {
        use sha2::Digest;
        let subject = format!("$O.{}.C.{}", self.bucket, info.nuid);
        let mut bytes = Vec::with_capacity(info.size);
        let mut digest = sha2::Sha256::new();
        let mut from = 1;
        for _ in 0..info.chunks {
            let Some(chunk) = self.chunk(&subject, from).await? else {
                return Ok(None);
            };
            from = chunk.sequence + 1;
            digest.update(&chunk.payload);
            bytes.extend_from_slice(&chunk.payload);
        }
        if bytes.len() != info.size {
            return Err(self.error(
                "read",
                &info.name,
                format!("{} bytes read, {} expected", bytes.len(), info.size),
            ));
        }
        if let Some(expected) = &info.digest {
            use base64::Engine;
            let found = format!(
                "SHA-256={}",
                base64::engine::general_purpose::URL_SAFE.encode(digest.finalize())
            );
            if &found != expected {
                return Err(self.error("read", &info.name, "wrong digest"));
            }
        }
        Ok(Some(bytes))
    }

    /// The first message on `subject` at or after sequence `from`: a direct get (any replica), then
    /// the leader when that replica does not have it yet.
    async fn chunk(
        &self,
        subject: &str,
        from: u64,
    ) -> Result<Option<jetstream::message::StreamMessage>, BusError> {
        match self
            .stream
            .direct_get_next_for_subject(subject, Some(from))
            .await
        {
            Ok(message) => return Ok(Some(message)),
            Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => {}
            Err(e) => return Err(self.error("read", subject, e)),
        }
        match self
            .stream
            .get_first_raw_message_by_subject(subject, from)
            .await
        {
            Ok(message) => Ok(Some(message)),
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(self.error("read", subject, e)),
        }
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
    if let Err(e) = js.get_or_create_stream(config).await {
        let detail = e.to_string();
        return Err(replicas_refused(&js.client(), replicas, &detail)
            .unwrap_or_else(|| setup_error(&format!("stream {}", m::STREAM), detail)));
    }
    let wanted = Wanted {
        replicas,
        max_bytes: None,
        allow_direct: false,
    };
    reconcile(js, m::STREAM, &wanted).await
}

/// The audit log's stream: every entry kept, none deleted or purged.
async fn ensure_audit_stream(
    js: &jetstream::Context,
    replicas: usize,
) -> Result<stream::Stream, BusError> {
    let what = format!("stream {}", m::AUDIT_STREAM);
    let config = stream::Config {
        name: m::AUDIT_STREAM.to_string(),
        subjects: vec![m::AUDIT_SUBJECTS.to_string()],
        storage: stream::StorageType::File,
        deny_delete: true,
        deny_purge: true,
        // An entry is a few hundred bytes; nothing a caller sends can make one large.
        max_message_size: 64 * 1024,
        num_replicas: replicas,
        ..Default::default()
    };
    js.get_or_create_stream(config)
        .await
        .map_err(|e| setup_error(&what, e))?;
    let wanted = Wanted {
        replicas,
        max_bytes: None,
        allow_direct: false,
    };
    reconcile(js, m::AUDIT_STREAM, &wanted).await?;
    js.get_stream(m::AUDIT_STREAM)
        .await
        .map_err(|e| setup_error(&what, e))
}

/// Refuse a replica count a server outside any cluster cannot hold (it keeps one copy). In a cluster, JetStream refuses what it cannot place and
/// [`ensure_stream`] says why ([`replicas_refused`]); the servers a client is told about are not
/// counted here, since they are still being learnt while a cluster forms.
fn check_replicas(client: &async_nats::Client, replicas: usize) -> Result<(), BusError> {
    let connected = client.connection_state() == async_nats::connection::State::Connected;
    let info = client.server_info();
    if connected && !info.server_id.is_empty() && info.cluster.is_none() && replicas > 1 {
        return Err(BusError::Config(ConfigError::TooManyReplicas {
            replicas,
            servers: 1,
        }));
    }
    Ok(())
}

/// The refusal of a stream with `replicas` copies, said in terms of the setting that asked for them.
fn replicas_refused(
    client: &async_nats::Client,
    replicas: usize,
    detail: &str,
) -> Option<BusError> {
    // 10074: replicas > 1 on a server outside a cluster; 10005 (no suitable peers for placement) and
    // 10023 (insufficient resources): not enough servers up to place them.
    let refused = ["10074", "10005", "10023"]
        .iter()
        .any(|code| detail.contains(&format!("error code {code}")));
    if replicas <= 1 || !refused {
        return None;
    }
    let info = client.server_info();
    let servers = if info.cluster.is_none() {
        1
    } else {
        info.connect_urls.len()
    };
    Some(BusError::Config(ConfigError::TooManyReplicas {
        replicas,
        servers,
    }))
}

/// A KV bucket (one value per key when `history` is 1); NATS deletes entries once they are
/// `max_age` old unless it is zero.
async fn ensure_kv(
    js: &jetstream::Context,
    bucket: &str,
    history: i64,
    max_age: Duration,
    replicas: usize,
) -> Result<kv::Store, BusError> {
    let what = format!("key-value bucket {bucket}");
    if js.get_key_value(bucket).await.is_err() {
        let config = kv::Config {
            bucket: bucket.to_string(),
            history,
            max_age,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        };
        // Another service may create it at the same moment: then it exists below all the same.
        if let Err(e) = js.create_key_value(config).await
            && js.get_key_value(bucket).await.is_err()
        {
            return Err(setup_error(&what, e));
        }
    }
    let wanted = Wanted {
        replicas,
        max_bytes: None,
        allow_direct: true,
    };
    reconcile(js, &format!("KV_{bucket}"), &wanted).await?;
    // Opened after the reconciliation, so the store sees the stream's settings as they now are.
    js.get_key_value(bucket)
        .await
        .map_err(|e| setup_error(&what, e))
}

async fn ensure_objects(
    js: &jetstream::Context,
    bucket: &'static str,
    replicas: usize,
    max_bytes: i64,
    max_age: Duration,
) -> Result<Objects, BusError> {
    let what = format!("object store {bucket}");
    if js.get_object_store(bucket).await.is_err() {
        let config = object_store::Config {
            bucket: bucket.to_string(),
            storage: stream::StorageType::File,
            num_replicas: replicas,
            max_bytes,
            max_age,
            ..Default::default()
        };
        if let Err(e) = js.create_object_store(config).await
            && js.get_object_store(bucket).await.is_err()
        {
            return Err(setup_error(&what, with_storage_hint(e.to_string())));
        }
    }
    let stream_name = format!("OBJ_{bucket}");
    let wanted = Wanted {
        replicas,
        max_bytes: Some(max_bytes),
        allow_direct: true,
    };
    reconcile(js, &stream_name, &wanted).await?;
    let store = js
        .get_object_store(bucket)
        .await
        .map_err(|e| setup_error(&what, e))?;
    let stream = js
        .get_stream(&stream_name)
        .await
        .map_err(|e| setup_error(&what, e))?;
    Ok(Objects {
        bucket,
        store,
        stream,
    })
}

/// The settings of a stream jvap keeps as configured; the others are left as they are.
struct Wanted {
    replicas: usize,
    /// `None`: not managed (no limit set by jvap).
    max_bytes: Option<i64>,
    /// Direct gets let any replica answer reads without a consumer.
    allow_direct: bool,
}

/// Update stream `name` where its replicas, size limit or direct gets differ from `wanted`, and log
/// what changed ("stream KV_tokens: replicas 1 → 3").
async fn reconcile(js: &jetstream::Context, name: &str, wanted: &Wanted) -> Result<(), BusError> {
    let what = format!("stream {name}");
    let stream = js
        .get_stream(name)
        .await
        .map_err(|e| setup_error(&what, e))?;
    let mut config = stream.cached_info().config.clone();
    let mut changes = Vec::new();
    if config.num_replicas != wanted.replicas {
        changes.push(format!(
            "replicas {} → {}",
            config.num_replicas, wanted.replicas
        ));
        config.num_replicas = wanted.replicas;
    }
    if let Some(max_bytes) = wanted.max_bytes
        && config.max_bytes != max_bytes
    {
        changes.push(format!("max_bytes {} → {max_bytes}", config.max_bytes));
        config.max_bytes = max_bytes;
    }
    if wanted.allow_direct && !config.allow_direct {
        changes.push("allow_direct false → true".to_string());
        config.allow_direct = true;
    }
    if changes.is_empty() {
        return Ok(());
    }
    js.update_stream(&config).await.map_err(|e| {
        let what = format!("{what} ({})", changes.join(", "));
        setup_error(&what, with_storage_hint(e.to_string()))
    })?;
    tracing::info!(stream = name, "stream {name}: {}", changes.join(", "));
    if wanted.replicas > 1 {
        wait_until_current(js, name, wanted.replicas).await;
    }
    Ok(())
}

/// How long [`Bus::connect_with`] tries again a set-up whose JetStream requests time out.
const SETUP_LIMIT: Duration = Duration::from_secs(30);

/// How long a stream whose replicas changed may take to have a leader and every replica caught up.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(30);

/// Wait until stream `name` has a leader and `replicas - 1` current followers, so the service starts
/// on a stream that takes writes; after [`CATCH_UP_LIMIT`] go on anyway (writes retry) with a warning.
async fn wait_until_current(js: &jetstream::Context, name: &str, replicas: usize) {
    let started = std::time::Instant::now();
    while started.elapsed() < CATCH_UP_LIMIT {
        if let Ok(mut stream) = js.get_stream(name).await
            && let Ok(info) = stream.info().await
            && let Some(cluster) = &info.cluster
            && cluster.leader.is_some()
            && cluster.replicas.iter().filter(|peer| peer.current).count() + 1 >= replicas
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tracing::warn!(
        stream = name,
        "stream {name}: its {replicas} replicas are not all current after {CATCH_UP_LIMIT:?}; going on"
    );
}

/// JetStream reserves an object store's whole `max_bytes` when it is created: say what to change
/// when the server has not that much room (error 10047).
fn with_storage_hint(detail: String) -> String {
    if detail.contains("10047") {
        format!(
            "{detail}; the NATS server's max_file_store (by default 75% of its free disk) must hold \
             JVAP_UPLOADS_MAX_BYTES + JVAP_REPORTS_MAX_BYTES + JVAP_DATASETS_MAX_BYTES: raise it or \
             lower them"
        )
    } else {
        detail
    }
}

fn setup_error(what: &str, e: impl std::fmt::Display) -> BusError {
    BusError::Setup {
        what: what.to_string(),
        detail: e.to_string(),
    }
}
