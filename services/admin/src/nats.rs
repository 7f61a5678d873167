//! The JetStream half of a backup: every stream, KV bucket and object store found by listing the
//! server's streams (so one added later, an audit stream say, is backed up without a change here),
//! except the ephemeral buckets `sessions` and `services`.
//!
//! - A stream (`JVAP`…): its configuration, its durable consumers (configuration and ack floor), and
//!   every message in sequence order with its subject, headers and payload. Restored by publishing
//!   the messages again in order into a stream made from the configuration, starting at the same
//!   first sequence; each consumer is then created to start just after its ack floor (see
//!   [`restore_stream`]).
//! - A KV bucket (stream `KV_<bucket>`): the stream's configuration and the latest value of every
//!   live key (history and deleted keys are not kept).
//! - An object store (stream `OBJ_<bucket>`): the stream's configuration, each object's name,
//!   description, metadata and headers, and its bytes in a file of its own, read chunk by chunk.
//!
//! Reads create no consumer: messages, KV entries and chunks are read one by one by sequence or by
//! subject, as the services read them (see `jvap_bus::bus`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::{self, RawMessageErrorKind};
use async_nats::jetstream::{self, ErrorCode, consumer, kv, object_store};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use jvap_bus::NatsConfig;
use jvap_bus::bus::{KV_SERVICES, KV_SESSIONS};
use jvap_bus::ops::ServiceState;
use serde::{Deserialize, Serialize};

use crate::RUNNING_WITHIN;
use crate::error::{AdminError, Result};
use crate::files::{self, FileEntry, Lines, Out};
use crate::manifest::{BucketPart, ConsumerPart, Manifest, StorePart, StreamPart};

/// Buckets whose entries only matter while the services run: web sessions (people sign in again)
/// and the services' heartbeats.
const EPHEMERAL_BUCKETS: [&str; 2] = [KV_SESSIONS, KV_SERVICES];

/// Object stores that hold nothing once a request is answered: the files of dry runs.
const EPHEMERAL_STORES: [&str; 1] = [jvap_record::messages::BUCKET_CHECKS];

/// Reads of one object that found a chunk gone (the object was replaced meanwhile) start again.
const READ_ATTEMPTS: usize = 3;

/// Requests in flight at once while reading messages and KV entries.
const IN_FLIGHT: usize = 16;

/// A connection to NATS, nothing created.
pub(crate) struct Nats {
    pub(crate) js: jetstream::Context,
    /// Copies of every stream restored (the target's `JVAP_NATS_REPLICAS`, not the source's).
    pub(crate) replicas: usize,
    pub(crate) servers: String,
}

/// Connect to any of `config`'s servers; fail at once rather than wait for one to come up.
pub(crate) async fn connect(config: &NatsConfig) -> Result<Nats> {
    let client = async_nats::ConnectOptions::new()
        .name("jvap-admin")
        .connection_timeout(Duration::from_secs(5))
        .connect(config.servers.0.clone())
        .await
        .map_err(|e| AdminError::nats(format!("connect to {}", config.servers_shown()), e))?;
    Ok(Nats {
        js: jetstream::new(client),
        replicas: config.replicas,
        servers: config.servers_shown(),
    })
}

/// What a stream of the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Stream(String),
    Bucket(String),
    Store(String),
}

fn kind_of(stream: &str) -> Kind {
    if let Some(bucket) = stream.strip_prefix("KV_") {
        Kind::Bucket(bucket.to_string())
    } else if let Some(store) = stream.strip_prefix("OBJ_") {
        Kind::Store(store.to_string())
    } else {
        Kind::Stream(stream.to_string())
    }
}

/// Every stream, bucket and store of the server to back up, by name.
pub(crate) async fn inventory(js: &jetstream::Context) -> Result<Vec<Kind>> {
    let mut names: Vec<String> = js
        .stream_names()
        .try_collect()
        .await
        .map_err(|e| AdminError::nats("list the streams", e))?;
    names.sort();
    Ok(names
        .iter()
        .map(|name| kind_of(name))
        .filter(|kind| match kind {
            Kind::Bucket(b) => !EPHEMERAL_BUCKETS.contains(&b.as_str()),
            Kind::Store(s) => !EPHEMERAL_STORES.contains(&s.as_str()),
            Kind::Stream(_) => true,
        })
        .collect())
}

/// The services whose heartbeat (KV `services`) is younger than [`RUNNING_WITHIN`], as
/// "aggregation (host-123) 2 s ago".
pub(crate) async fn running_services(js: &jetstream::Context) -> Result<Vec<String>> {
    if existing(js, &format!("KV_{KV_SERVICES}")).await?.is_none() {
        return Ok(Vec::new());
    }
    let store = js
        .get_key_value(KV_SERVICES)
        .await
        .map_err(|e| AdminError::nats(format!("bucket {KV_SERVICES}"), e))?;
    let now = Utc::now();
    let mut running = Vec::new();
    for entry in live_entries(&store).await? {
        let Ok(state) = serde_json::from_slice::<ServiceState>(&entry.value) else {
            continue;
        };
        let age = now.signed_duration_since(state.at).num_seconds().max(0);
        if age < RUNNING_WITHIN.as_secs() as i64 {
            running.push(format!(
                "{} ({}) {age} s ago",
                state.service, state.instance
            ));
        }
    }
    running.sort();
    Ok(running)
}

/// A stream's configuration file: the stream's, and each durable consumer's with its progress.
#[derive(Debug, Serialize, Deserialize)]
struct StreamFile {
    config: stream::Config,
    consumers: Vec<ConsumerFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConsumerFile {
    config: consumer::Config,
    /// The stream sequence of the consumer's ack floor.
    ack_floor: u64,
    /// The stream sequence of the last message it was given.
    delivered: u64,
}

/// The configuration file of a bucket or store: its stream's.
#[derive(Debug, Serialize, Deserialize)]
struct ConfigFile {
    config: stream::Config,
}

/// One message of a stream.
#[derive(Debug, Serialize, Deserialize)]
struct MessageLine {
    seq: u64,
    subject: String,
    /// When the source stored it (a restored message has the time of the restore).
    time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, Vec<String>>,
    /// Base64.
    payload: String,
}

/// The latest value of one KV key.
#[derive(Debug, Serialize, Deserialize)]
struct EntryLine {
    key: String,
    revision: u64,
    created: Option<DateTime<Utc>>,
    /// Base64.
    value: String,
}

/// One object; its bytes are in `file`.
#[derive(Debug, Serialize, Deserialize)]
struct ObjectLine {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    headers: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    chunk_size: Option<usize>,
    size: u64,
    /// Hex SHA-256 of the bytes.
    sha256: String,
    modified: Option<DateTime<Utc>>,
    file: String,
}

/// Back up stream `name`: its consumers first, then its messages up to its last sequence at that
/// moment, so no consumer's ack floor is past the messages kept.
pub(crate) async fn backup_stream(
    js: &jetstream::Context,
    name: &str,
    dir: &Path,
    files: &mut Vec<FileEntry>,
) -> Result<StreamPart> {
    let file_name = files::file_name(name)?;
    let error = |e: &dyn std::fmt::Display| AdminError::nats(format!("stream {name}"), e);
    let stream = js.get_stream(name).await.map_err(|e| error(&e))?;
    let config = stream.cached_info().config.clone();
    if config.mirror.is_some() || config.sources.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(AdminError::Unsupported(format!(
            "stream {name} is a mirror or has sources; jvap makes none and cannot restore one"
        )));
    }
    let mut consumers: Vec<consumer::Info> = stream
        .consumers()
        .try_collect()
        .await
        .map_err(|e| error(&e))?;
    consumers.retain(|c| c.config.durable_name.is_some());
    consumers.sort_by(|a, b| a.name.cmp(&b.name));
    let info = stream.get_info().await.map_err(|e| error(&e))?;
    let (first, last) = (info.state.first_sequence, info.state.last_sequence);

    let messages_file = format!("streams/{file_name}.jsonl");
    let mut out = Out::create(dir, &messages_file).await?;
    let mut count = 0u64;
    if info.state.messages > 0 {
        let stream = &stream;
        let mut messages = futures::stream::iter(first..=last)
            .map(|seq| async move {
                match stream.get_raw_message(seq).await {
                    Ok(message) => Ok(Some(message)),
                    // Deleted: a gap in the sequence.
                    Err(e) if e.kind() == RawMessageErrorKind::NoMessageFound => Ok(None),
                    Err(e) => Err(AdminError::nats(format!("stream {name} message {seq}"), e)),
                }
            })
            .buffered(IN_FLIGHT);
        while let Some(message) = messages.try_next().await? {
            let Some(message) = message else { continue };
            out.line(&MessageLine {
                seq: message.sequence,
                subject: message.subject.to_string(),
                time: utc(message.time),
                headers: headers_of(&message.headers),
                payload: STANDARD.encode(&message.payload),
            })
            .await?;
            count += 1;
        }
    }
    files.push(out.finish().await?);

    let config_file = format!("streams/{file_name}.json");
    let parts = consumers
        .iter()
        .map(|c| ConsumerPart {
            name: c.name.clone(),
            ack_floor: c.ack_floor.stream_sequence,
            ack_pending: c.num_ack_pending as u64,
            pending: c.num_pending,
        })
        .collect();
    let contents = StreamFile {
        config,
        consumers: consumers
            .into_iter()
            .map(|c| ConsumerFile {
                ack_floor: c.ack_floor.stream_sequence,
                delivered: c.delivered.stream_sequence,
                config: c.config,
            })
            .collect(),
    };
    files.push(files::write_json(dir, &config_file, &contents).await?);
    Ok(StreamPart {
        name: name.to_string(),
        config: config_file,
        messages_file,
        messages: count,
        first_sequence: first,
        last_sequence: last,
        consumers: parts,
    })
}

/// Back up KV bucket `bucket`: its stream's configuration and the latest value of every live key.
pub(crate) async fn backup_bucket(
    js: &jetstream::Context,
    bucket: &str,
    dir: &Path,
    files: &mut Vec<FileEntry>,
) -> Result<BucketPart> {
    let file_name = files::file_name(bucket)?;
    let store = js
        .get_key_value(bucket)
        .await
        .map_err(|e| AdminError::nats(format!("bucket {bucket}"), e))?;
    let config = store
        .stream
        .get_info()
        .await
        .map_err(|e| AdminError::nats(format!("bucket {bucket}"), e))?
        .config;
    let config_file = format!("kv/{file_name}.json");
    files.push(files::write_json(dir, &config_file, &ConfigFile { config }).await?);
    let entries_file = format!("kv/{file_name}.jsonl");
    let mut out = Out::create(dir, &entries_file).await?;
    let mut keys = 0u64;
    for entry in live_entries(&store).await? {
        out.line(&EntryLine {
            key: entry.key,
            revision: entry.revision,
            created: utc(entry.created),
            value: STANDARD.encode(&entry.value),
        })
        .await?;
        keys += 1;
    }
    files.push(out.finish().await?);
    Ok(BucketPart {
        name: bucket.to_string(),
        config: config_file,
        entries_file,
        keys,
    })
}

/// Back up object store `bucket`: its stream's configuration, a line per object (by name) and
/// each object's bytes in `objects/<bucket>/<n>.bin`, streamed chunk by chunk to disk.
pub(crate) async fn backup_store(
    js: &jetstream::Context,
    bucket: &str,
    dir: &Path,
    files: &mut Vec<FileEntry>,
) -> Result<StorePart> {
    let file_name = files::file_name(bucket)?;
    let error = |e: &dyn std::fmt::Display| AdminError::nats(format!("object store {bucket}"), e);
    let stream = js
        .get_stream(format!("OBJ_{bucket}"))
        .await
        .map_err(|e| error(&e))?;
    let config_file = format!("objects/{file_name}.json");
    let config = stream.cached_info().config.clone();
    files.push(files::write_json(dir, &config_file, &ConfigFile { config }).await?);

    let mut objects = Vec::new();
    for subject in subjects(&stream, &format!("$O.{bucket}.M.>")).await? {
        if let Some(info) = object_info(&stream, &subject).await? {
            objects.push((subject, info));
        }
    }
    objects.sort_by(|a, b| a.1.name.cmp(&b.1.name));

    let objects_file = format!("objects/{file_name}.jsonl");
    let mut lines = Out::create(dir, &objects_file).await?;
    let (mut count, mut bytes) = (0u64, 0u64);
    for (subject, info) in objects {
        let file = format!("objects/{file_name}/{:06}.bin", count + 1);
        let Some((info, entry)) = read_object(&stream, bucket, &subject, info, dir, &file).await?
        else {
            // Deleted while the backup ran.
            continue;
        };
        lines
            .line(&ObjectLine {
                name: info.name.clone(),
                description: info.description.clone(),
                metadata: info.metadata.clone().into_iter().collect(),
                headers: info.headers.as_ref().map(headers_of),
                chunk_size: info.options.as_ref().and_then(|o| o.max_chunk_size),
                size: entry.bytes,
                sha256: entry.sha256.clone(),
                modified: info.modified.and_then(utc),
                file,
            })
            .await?;
        count += 1;
        bytes += entry.bytes;
        files.push(entry);
    }
    files.push(lines.finish().await?);
    Ok(StorePart {
        name: bucket.to_string(),
        config: config_file,
        objects_file,
        objects: count,
        bytes,
    })
}

/// The info of the object whose meta subject is `subject`; `None` when it is deleted or purged.
async fn object_info(
    stream: &stream::Stream,
    subject: &str,
) -> Result<Option<object_store::ObjectInfo>> {
    let message = match stream.get_last_raw_message_by_subject(subject).await {
        Ok(message) => message,
        Err(e) if e.kind() == RawMessageErrorKind::NoMessageFound => return Ok(None),
        Err(e) => return Err(AdminError::nats(format!("object info {subject}"), e)),
    };
    let info: object_store::ObjectInfo =
        serde_json::from_slice(&message.payload).map_err(|source| AdminError::Json {
            path: subject.to_string(),
            source,
        })?;
    if info.deleted {
        return Ok(None);
    }
    if info.options.as_ref().is_some_and(|o| o.link.is_some()) {
        return Err(AdminError::Unsupported(format!(
            "object {} of {} is a link; jvap makes none and cannot back one up",
            info.name, info.bucket
        )));
    }
    Ok(Some(info))
}

/// Write an object's chunks into `file`, checked against its size and digest, starting again
/// from its new info when it was replaced meanwhile; `None` when it was deleted meanwhile.
async fn read_object(
    stream: &stream::Stream,
    bucket: &str,
    subject: &str,
    mut info: object_store::ObjectInfo,
    dir: &Path,
    file: &str,
) -> Result<Option<(object_store::ObjectInfo, FileEntry)>> {
    for _ in 0..READ_ATTEMPTS {
        let mut out = Out::create(dir, file).await?;
        if write_chunks(stream, bucket, &info, &mut out).await? {
            let entry = out.finish().await?;
            return Ok(Some((info, entry)));
        }
        match object_info(stream, subject).await? {
            Some(newer) => info = newer,
            None => {
                let path = files::resolve(dir, file)?;
                tokio::fs::remove_file(&path)
                    .await
                    .map_err(|e| AdminError::io(&path, e))?;
                return Ok(None);
            }
        }
    }
    Err(AdminError::nats(
        format!("object {} of {bucket}", info.name),
        "it kept being replaced while it was read",
    ))
}

/// The chunks of `info` in order into `out`; false when a chunk is gone (the object was replaced).
async fn write_chunks(
    stream: &stream::Stream,
    bucket: &str,
    info: &object_store::ObjectInfo,
    out: &mut Out,
) -> Result<bool> {
    let what = || format!("object {} of {bucket}", info.name);
    let subject = format!("$O.{bucket}.C.{}", info.nuid);
    let mut from = 1;
    for _ in 0..info.chunks {
        match stream
            .get_first_raw_message_by_subject(&subject, from)
            .await
        {
            Ok(chunk) => {
                from = chunk.sequence + 1;
                out.write(&chunk.payload).await?;
            }
            Err(e) if e.kind() == RawMessageErrorKind::NoMessageFound => return Ok(false),
            Err(e) => return Err(AdminError::nats(what(), e)),
        }
    }
    if out.bytes() != info.size as u64 {
        return Err(AdminError::nats(
            what(),
            format!("{} bytes read, {} expected", out.bytes(), info.size),
        ));
    }
    if let Some(expected) = info.digest.as_deref() {
        let found = format!("SHA-256={}", URL_SAFE.encode(out.digest()));
        if found != expected {
            return Err(AdminError::nats(
                what(),
                "its bytes do not match its digest",
            ));
        }
    }
    Ok(true)
}

/// What already holds messages in the target among the streams, buckets and stores of `manifest`.
pub(crate) async fn occupied(js: &jetstream::Context, manifest: &Manifest) -> Result<Vec<String>> {
    let wanted = manifest
        .streams
        .iter()
        .map(|s| (s.name.clone(), format!("stream {}", s.name)))
        .chain(manifest.buckets.iter().map(|b| {
            (
                format!("KV_{}", b.name),
                format!("key-value bucket {}", b.name),
            )
        }))
        .chain(manifest.object_stores.iter().map(|s| {
            (
                format!("OBJ_{}", s.name),
                format!("object store {}", s.name),
            )
        }));
    let mut occupied = Vec::new();
    for (stream, label) in wanted {
        if let Some(info) = existing(js, &stream).await?
            && info.state.messages > 0
        {
            occupied.push(format!("{label} holds {} messages", info.state.messages));
        }
    }
    Ok(occupied)
}

/// What restoring a stream did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRestored {
    pub name: String,
    pub messages: u64,
    /// True when a message got another sequence than in the source (the source had gaps).
    pub renumbered: bool,
    /// Messages published again without their `Nats-Msg-Id`, which an earlier message of the backup
    /// also had (the source stored both, more than its duplicate window apart).
    pub ids_dropped: u64,
    /// Each durable consumer and the first stream sequence it will be given.
    pub consumers: Vec<(String, u64)>,
}

/// Restore a stream: made again from its configuration (with the target's replicas) at the same
/// first sequence, every message published again in order, then each durable consumer created
/// with its configuration, to start at the first message after its ack floor.
///
/// A consumer restored this way is given exactly what it had not acknowledged: messages after its
/// ack floor that it had been given without acknowledging yet (in progress when the backup was
/// taken) come again, as after a crash, and the handlers are idempotent. Everything up to the ack
/// floor is not given again, so aggregation does not apply any submission a second time (and
/// validation does not validate one again) after a restore.
pub(crate) async fn restore_stream(
    nats: &Nats,
    dir: &Path,
    part: &StreamPart,
) -> Result<StreamRestored> {
    let name = part.name.as_str();
    let error = |e: &dyn std::fmt::Display| AdminError::nats(format!("stream {name}"), e);
    let contents: StreamFile = files::read_json(dir, &part.config).await?;
    let sealed = contents.config.sealed;
    let mut config = for_target(contents.config, nats.replicas);
    config.first_sequence = (part.first_sequence > 1).then_some(part.first_sequence);
    replace(&nats.js, name).await?;
    let stream = nats
        .js
        .create_stream(config.clone())
        .await
        .map_err(|e| error(&e))?;
    let mut last = stream.cached_info().state.last_sequence;

    let mut starts: Vec<Option<u64>> = vec![None; contents.consumers.len()];
    let mut lines = Lines::open(dir, &part.messages_file).await?;
    let (mut messages, mut renumbered, mut ids_dropped) = (0u64, false, 0u64);
    while let Some(line) = lines.next::<MessageLine>().await? {
        let (sequence, dropped) = publish(&nats.js, name, &line).await?;
        for (start, consumer) in starts.iter_mut().zip(&contents.consumers) {
            if start.is_none() && line.seq > consumer.ack_floor {
                *start = Some(sequence);
            }
        }
        renumbered |= sequence != line.seq;
        ids_dropped += u64::from(dropped);
        last = sequence;
        messages += 1;
    }
    if messages != part.messages {
        return Err(AdminError::Invalid(format!(
            "{} holds {messages} messages, the manifest says {}",
            part.messages_file, part.messages
        )));
    }

    let mut consumers = Vec::new();
    for (start, consumer) in starts.into_iter().zip(contents.consumers) {
        let start = start.unwrap_or(last + 1);
        let mut config = consumer.config;
        let consumer_name = config
            .durable_name
            .clone()
            .or_else(|| config.name.clone())
            .unwrap_or_default();
        config.deliver_policy = consumer::DeliverPolicy::ByStartSequence {
            start_sequence: start,
        };
        config.metadata.retain(|key, _| !key.starts_with("_nats."));
        if config.num_replicas > nats.replicas {
            config.num_replicas = 0;
        }
        stream
            .create_consumer(config)
            .await
            .map_err(|e| AdminError::nats(format!("consumer {consumer_name} of {name}"), e))?;
        consumers.push((consumer_name, start));
    }
    if sealed {
        config.sealed = true;
        nats.js
            .update_stream(&config)
            .await
            .map_err(|e| error(&e))?;
    }
    Ok(StreamRestored {
        name: name.to_string(),
        messages,
        renumbered,
        ids_dropped,
        consumers,
    })
}

/// Publish one message of a backup; its new sequence, and whether its `Nats-Msg-Id` was dropped
/// (the stream took it for a duplicate of an earlier message of the backup with the same id).
async fn publish(js: &jetstream::Context, stream: &str, line: &MessageLine) -> Result<(u64, bool)> {
    let payload = Bytes::from(STANDARD.decode(&line.payload).map_err(|e| {
        AdminError::Invalid(format!("message {} of {stream}: payload: {e}", line.seq))
    })?);
    // The conditions of the original publish held then; checked again here they could only fail.
    let headers: Vec<(&str, &str)> = line
        .headers
        .iter()
        .filter(|(name, _)| !name.to_ascii_lowercase().starts_with("nats-expected-"))
        .flat_map(|(name, values)| values.iter().map(move |v| (name.as_str(), v.as_str())))
        .collect();
    let ack = send(js, stream, line, payload.clone(), &headers).await?;
    if !ack.duplicate {
        return Ok((ack.sequence, false));
    }
    let without_id: Vec<(&str, &str)> = headers
        .into_iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("Nats-Msg-Id"))
        .collect();
    let ack = send(js, stream, line, payload, &without_id).await?;
    if ack.duplicate {
        return Err(AdminError::nats(
            format!("stream {stream} message {}", line.seq),
            "taken for a duplicate even without its message id",
        ));
    }
    Ok((ack.sequence, true))
}

async fn send(
    js: &jetstream::Context,
    stream: &str,
    line: &MessageLine,
    payload: Bytes,
    headers: &[(&str, &str)],
) -> Result<jetstream::publish::PublishAck> {
    let error = |e: &dyn std::fmt::Display| {
        AdminError::nats(format!("stream {stream} message {}", line.seq), e)
    };
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(*name, *value);
    }
    let mut message = jetstream::message::PublishMessage::build().payload(payload);
    if !headers.is_empty() {
        message = message.headers(map);
    }
    js.send_publish(line.subject.clone(), message)
        .await
        .map_err(|e| error(&e))?
        .await
        .map_err(|e| error(&e))
}

/// Restore a KV bucket: its stream made again from the configuration, then every key put.
pub(crate) async fn restore_bucket(nats: &Nats, dir: &Path, part: &BucketPart) -> Result<u64> {
    let bucket = part.name.as_str();
    let error = |e: &dyn std::fmt::Display| AdminError::nats(format!("bucket {bucket}"), e);
    let contents: ConfigFile = files::read_json(dir, &part.config).await?;
    let stream = format!("KV_{bucket}");
    replace(&nats.js, &stream).await?;
    nats.js
        .create_stream(for_target(contents.config, nats.replicas))
        .await
        .map_err(|e| error(&e))?;
    let store = nats.js.get_key_value(bucket).await.map_err(|e| error(&e))?;
    let mut lines = Lines::open(dir, &part.entries_file).await?;
    let mut keys = 0u64;
    while let Some(line) = lines.next::<EntryLine>().await? {
        let value = STANDARD
            .decode(&line.value)
            .map_err(|e| AdminError::Invalid(format!("key {} of {bucket}: {e}", line.key)))?;
        store
            .put(&line.key, Bytes::from(value))
            .await
            .map_err(|e| error(&e))?;
        keys += 1;
    }
    if keys != part.keys {
        return Err(AdminError::Invalid(format!(
            "{} holds {keys} keys, the manifest says {}",
            part.entries_file, part.keys
        )));
    }
    Ok(keys)
}

/// Restore an object store: its stream made again, then every object put from its file (streamed)
/// and checked against the size and SHA-256 it had. Returns the objects and bytes restored.
pub(crate) async fn restore_store(
    nats: &Nats,
    dir: &Path,
    part: &StorePart,
    listed: &BTreeSet<&str>,
) -> Result<(u64, u64)> {
    let bucket = part.name.as_str();
    let error = |e: &dyn std::fmt::Display| AdminError::nats(format!("object store {bucket}"), e);
    let contents: ConfigFile = files::read_json(dir, &part.config).await?;
    let stream = format!("OBJ_{bucket}");
    replace(&nats.js, &stream).await?;
    nats.js
        .create_stream(for_target(contents.config, nats.replicas))
        .await
        .map_err(|e| error(&e))?;
    let store = nats
        .js
        .get_object_store(bucket)
        .await
        .map_err(|e| error(&e))?;
    let mut lines = Lines::open(dir, &part.objects_file).await?;
    let (mut objects, mut bytes) = (0u64, 0u64);
    while let Some(line) = lines.next::<ObjectLine>().await? {
        if !listed.contains(line.file.as_str()) {
            return Err(AdminError::Invalid(format!(
                "{} names {}, which has no checksum in the manifest",
                part.objects_file, line.file
            )));
        }
        let path = files::resolve(dir, &line.file)?;
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| AdminError::io(&path, e))?;
        let meta = object_store::ObjectMetadata {
            name: line.name.clone(),
            description: line.description.clone(),
            chunk_size: line.chunk_size,
            metadata: line.metadata.clone().into_iter().collect::<HashMap<_, _>>(),
            headers: line.headers.as_ref().map(header_map),
        };
        let info = store
            .put(meta, &mut file)
            .await
            .map_err(|e| AdminError::nats(format!("object {} of {bucket}", line.name), e))?;
        let digest = info
            .digest
            .as_deref()
            .and_then(|d| d.strip_prefix("SHA-256="))
            .and_then(|b64| URL_SAFE.decode(b64).ok())
            .map(hex::encode);
        if info.size as u64 != line.size || digest.as_deref() != Some(line.sha256.as_str()) {
            return Err(AdminError::nats(
                format!("object {} of {bucket}", line.name),
                "stored with another size or digest than it had",
            ));
        }
        objects += 1;
        bytes += line.size;
    }
    if objects != part.objects {
        return Err(AdminError::Invalid(format!(
            "{} holds {objects} objects, the manifest says {}",
            part.objects_file, part.objects
        )));
    }
    Ok((objects, bytes))
}

/// A backed-up stream configuration as the target should have it: the target's replica count, no
/// placement (the source's cluster names mean nothing here), not sealed (messages go in first),
/// without the server's own `_nats.*` metadata.
fn for_target(mut config: stream::Config, replicas: usize) -> stream::Config {
    config.num_replicas = replicas;
    config.placement = None;
    config.sealed = false;
    config.metadata.retain(|key, _| !key.starts_with("_nats."));
    config
}

/// Delete stream `name` if it exists (after the emptiness check, or with `--force`).
async fn replace(js: &jetstream::Context, name: &str) -> Result<()> {
    if existing(js, name).await?.is_some() {
        js.delete_stream(name)
            .await
            .map_err(|e| AdminError::nats(format!("delete stream {name}"), e))?;
    }
    Ok(())
}

/// The info of stream `name`, `None` when there is none.
async fn existing(js: &jetstream::Context, name: &str) -> Result<Option<stream::Info>> {
    match js.get_stream(name).await {
        Ok(stream) => Ok(Some(stream.cached_info().clone())),
        Err(e)
            if matches!(e.kind(), GetStreamErrorKind::JetStream(ref inner)
                if inner.error_code() == ErrorCode::STREAM_NOT_FOUND) =>
        {
            Ok(None)
        }
        Err(e) => Err(AdminError::nats(format!("stream {name}"), e)),
    }
}

/// The subjects of `stream` matching `filter` (one stream-info request, paged), sorted.
async fn subjects(stream: &stream::Stream, filter: &str) -> Result<Vec<String>> {
    let mut subjects: Vec<String> = stream
        .info_builder()
        .subjects(filter.to_string())
        .fetch()
        .await
        .map_err(|e| AdminError::nats(format!("subjects {filter}"), e))?
        .map_ok(|(subject, _)| subject)
        .try_collect()
        .await
        .map_err(|e| AdminError::nats(format!("subjects {filter}"), e))?;
    subjects.sort();
    Ok(subjects)
}

/// The latest entry of every live key of a bucket, by key.
async fn live_entries(store: &kv::Store) -> Result<Vec<kv::Entry>> {
    let prefix = store.prefix.clone();
    let keys: Vec<String> = subjects(&store.stream, &format!("{prefix}>"))
        .await?
        .into_iter()
        .filter_map(|subject| subject.strip_prefix(prefix.as_str()).map(str::to_string))
        .collect();
    let entries: Vec<Option<kv::Entry>> = futures::stream::iter(keys)
        .map(|key| async move { store.entry(key).await })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
        .map_err(|e| AdminError::nats(format!("bucket {}", store.name), e))?;
    Ok(entries
        .into_iter()
        .flatten()
        .filter(|entry| entry.operation == kv::Operation::Put)
        .collect())
}

fn headers_of(headers: &HeaderMap) -> BTreeMap<String, Vec<String>> {
    headers
        .iter()
        .map(|(name, values)| {
            (
                name.to_string(),
                values.iter().map(|v| v.as_str().to_string()).collect(),
            )
        })
        .collect()
}

fn header_map(headers: &BTreeMap<String, Vec<String>>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, values) in headers {
        for value in values {
            map.append(name.as_str(), value.as_str());
        }
    }
    map
}

/// A NATS time as chrono's.
fn utc(time: async_nats::datetime::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.unix_timestamp(), time.nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_told_apart_by_their_prefix_and_ephemeral_buckets_are_known() {
        assert_eq!(kind_of("JVAP"), Kind::Stream("JVAP".into()));
        assert_eq!(kind_of("AUDIT"), Kind::Stream("AUDIT".into()));
        assert_eq!(kind_of("KV_tokens"), Kind::Bucket("tokens".into()));
        assert_eq!(kind_of("OBJ_uploads"), Kind::Store("uploads".into()));
        assert!(EPHEMERAL_BUCKETS.contains(&"sessions"));
        assert!(EPHEMERAL_BUCKETS.contains(&"services"));
        assert!(EPHEMERAL_STORES.contains(&"checks"));
    }

    #[test]
    fn a_restored_stream_takes_the_targets_replicas_and_none_of_the_servers_metadata() {
        let mut config = stream::Config {
            name: "JVAP".into(),
            num_replicas: 3,
            sealed: true,
            ..Default::default()
        };
        config.metadata.insert("_nats.req.level".into(), "1".into());
        config.metadata.insert("owner".into(), "jvap".into());
        let config = for_target(config, 1);
        assert_eq!(config.num_replicas, 1);
        assert!(!config.sealed);
        assert_eq!(config.metadata.len(), 1);
        assert_eq!(
            config.metadata.get("owner").map(String::as_str),
            Some("jvap")
        );
    }
}
