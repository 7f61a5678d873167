//! jvap-admin: backup and restore of a whole jvap system, for `jvap admin backup DIR` and
//! `jvap admin restore DIR [--force]`. It talks to NATS and to aggregation's database directly, with
//! the services' own settings ([`NatsConfig`], [`Database`]).
//!
//! A backup is a directory: `manifest.json` ([`Manifest`]: format version, jvap version, when,
//! counts and the SHA-256 of every file), and one file per stream, bucket, object store and table
//! (JSON lines, payloads in base64, each object's bytes in a file of its own). What is in it and
//! how each part comes back is in [`nats`] and [`database`]; in short, after a restore the system
//! is where it was: the same statuses, tokens, reports and dataset files, and every consumer goes
//! on after its ack floor, so nothing already handled is handled again.
//!
//! # Layout
//! - [`manifest`]: the manifest and its check.
//! - [`files`]: files written with their checksum as they go, read line by line.
//! - [`nats`]: streams (messages, consumers), KV buckets and object stores.
//! - [`database`]: the tables.
//! - [`error`]: what can stop a backup or a restore ([`AdminError`]).

pub mod database;
pub mod error;
pub mod files;
pub mod manifest;
pub mod nats;

use std::fmt;
use std::path::Path;

use chrono::Utc;
use jvap_aggregation::{Database, Store};
use jvap_bus::NatsConfig;

pub use error::{AdminError, Result};
pub use manifest::Manifest;
pub use nats::StreamRestored;

/// A service whose heartbeat (KV `services`) is younger than this is taken to be running: a
/// restore refuses to start, a backup says it was not taken at one moment.
pub const RUNNING_WITHIN: std::time::Duration =
    std::time::Duration::from_secs(jvap_bus::ops::HEARTBEAT.as_secs() * 3);

/// The system to back up, or to restore into.
#[derive(Debug, Clone)]
pub struct Target {
    pub nats: NatsConfig,
    pub database: Database,
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub manifest: Manifest,
}

/// Back up everything of `target` into `dir` (created; it must not hold anything yet).
///
/// For a backup that is exactly one moment of the round, stop the three services first. A backup
/// of a running system is taken part by part (streams, then buckets, object stores and the
/// database), and says so in its warnings; consumers are read before their messages and the
/// database last, so what such a backup misses is given again to the services after a restore.
pub async fn backup(target: &Target, dir: &Path) -> Result<BackupReport> {
    prepare_directory(dir).await?;
    let nats = nats::connect(&target.nats).await?;
    let mut warnings = Vec::new();
    let running = nats::running_services(&nats.js).await?;
    if !running.is_empty() {
        let warning = format!(
            "services were running during the backup ({}): it was taken part by part, not at one \
             moment; stop them for a consistent backup",
            running.join(", ")
        );
        tracing::warn!("{warning}");
        warnings.push(warning);
    }
    let store = database::open_existing(&target.database).await?;
    let mut files = Vec::new();
    let (mut streams, mut buckets, mut object_stores) = (Vec::new(), Vec::new(), Vec::new());
    let inventory = nats::inventory(&nats.js).await?;
    for kind in &inventory {
        if let nats::Kind::Stream(name) = kind {
            streams.push(nats::backup_stream(&nats.js, name, dir, &mut files).await?);
        }
    }
    for kind in &inventory {
        match kind {
            nats::Kind::Bucket(name) => {
                buckets.push(nats::backup_bucket(&nats.js, name, dir, &mut files).await?);
            }
            nats::Kind::Store(name) => {
                object_stores.push(nats::backup_store(&nats.js, name, dir, &mut files).await?);
            }
            nats::Kind::Stream(_) => {}
        }
    }
    let database = database::backup(&store, dir, &mut files).await?;
    store.pool().close().await;
    let manifest = Manifest {
        format: manifest::FORMAT.to_string(),
        format_version: manifest::FORMAT_VERSION,
        jvap_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: Utc::now(),
        source: manifest::Source {
            nats: nats.servers.clone(),
            database: database.backend.clone(),
        },
        streams,
        buckets,
        object_stores,
        database,
        warnings,
        files,
    };
    manifest.write(dir).await?;
    Ok(BackupReport { manifest })
}

/// How a restore may treat a target that is not empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Replace the streams, buckets, stores and tables the backup holds even when the target
    /// holds data in them.
    pub force: bool,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub created_at: chrono::DateTime<Utc>,
    /// What held data in the target and was replaced (with `--force`).
    pub replaced: Vec<String>,
    pub streams: Vec<StreamRestored>,
    /// Buckets with their keys.
    pub buckets: Vec<(String, u64)>,
    /// Object stores with their objects and bytes.
    pub object_stores: Vec<(String, u64, u64)>,
    /// Tables with their rows.
    pub tables: Vec<(String, u64)>,
    /// The backup's own warnings.
    pub warnings: Vec<String>,
}

/// Check `dir`'s manifest and every file's checksum, touching nothing.
pub async fn verify(dir: &Path) -> Result<Manifest> {
    let manifest = Manifest::read(dir).await?;
    manifest.verify(dir).await?;
    Ok(manifest)
}

/// Restore the backup in `dir` into `target`: the checksums first, then (with every service
/// stopped, and into an empty target unless `options.force`) the database, the streams with their
/// consumers, the buckets and the object stores. Streams, buckets and stores the target has and the
/// backup does not are left as they are; the services create `sessions` and `services` at start.
pub async fn restore(
    target: &Target,
    dir: &Path,
    options: RestoreOptions,
) -> Result<RestoreReport> {
    let manifest = verify(dir).await?;
    let nats = nats::connect(&target.nats).await?;
    let running = nats::running_services(&nats.js).await?;
    if !running.is_empty() {
        return Err(AdminError::ServicesRunning(running));
    }
    let store = Store::connect(&target.database).await?;
    let mut occupied = nats::occupied(&nats.js, &manifest).await?;
    occupied.extend(database::occupied(&store).await?);
    if !occupied.is_empty() && !options.force {
        return Err(AdminError::NotEmpty(occupied));
    }
    let tables = database::restore(&store, dir, &manifest.database).await?;
    store.pool().close().await;
    let mut streams = Vec::new();
    for part in &manifest.streams {
        streams.push(nats::restore_stream(&nats, dir, part).await?);
    }
    let mut buckets = Vec::new();
    for part in &manifest.buckets {
        let keys = nats::restore_bucket(&nats, dir, part).await?;
        buckets.push((part.name.clone(), keys));
    }
    let listed = manifest.listed();
    let mut object_stores = Vec::new();
    for part in &manifest.object_stores {
        let (objects, bytes) = nats::restore_store(&nats, dir, part, &listed).await?;
        object_stores.push((part.name.clone(), objects, bytes));
    }
    Ok(RestoreReport {
        created_at: manifest.created_at,
        replaced: occupied,
        streams,
        buckets,
        object_stores,
        tables,
        warnings: manifest.warnings.clone(),
    })
}

/// `dir` made, or found empty: a backup never mixes with what was there.
async fn prepare_directory(dir: &Path) -> Result<()> {
    if tokio::fs::try_exists(dir)
        .await
        .map_err(|e| AdminError::io(dir, e))?
    {
        let mut entries = tokio::fs::read_dir(dir)
            .await
            .map_err(|e| AdminError::io(dir, e))?;
        if entries
            .next_entry()
            .await
            .map_err(|e| AdminError::io(dir, e))?
            .is_some()
        {
            return Err(AdminError::DirectoryNotEmpty(dir.display().to_string()));
        }
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| AdminError::io(dir, e))
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.manifest;
        writeln!(
            f,
            "Backed up {} at {}:",
            m.source.nats,
            m.created_at.to_rfc3339()
        )?;
        for stream in &m.streams {
            let consumers: Vec<String> = stream
                .consumers
                .iter()
                .map(|c| format!("{} (acknowledged to {})", c.name, c.ack_floor))
                .collect();
            writeln!(
                f,
                "  stream {}: {} messages; consumers {}",
                stream.name,
                stream.messages,
                list_or_none(&consumers)
            )?;
        }
        for bucket in &m.buckets {
            writeln!(
                f,
                "  key-value bucket {}: {} keys",
                bucket.name, bucket.keys
            )?;
        }
        for store in &m.object_stores {
            writeln!(
                f,
                "  object store {}: {} objects, {} bytes",
                store.name, store.objects, store.bytes
            )?;
        }
        writeln!(
            f,
            "  database ({}, schema {}): {}",
            m.database.backend,
            m.database.schema_version,
            list_or_none(
                &m.database
                    .tables
                    .iter()
                    .map(|t| format!("{} {} rows", t.name, t.rows))
                    .collect::<Vec<_>>()
            )
        )?;
        for warning in &m.warnings {
            writeln!(f, "Warning: {warning}")?;
        }
        Ok(())
    }
}

impl fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Restored the backup of {}:",
            self.created_at.to_rfc3339()
        )?;
        for replaced in &self.replaced {
            writeln!(f, "  replaced: {replaced}")?;
        }
        for stream in &self.streams {
            let consumers: Vec<String> = stream
                .consumers
                .iter()
                .map(|(name, start)| format!("{name} (from {start})"))
                .collect();
            write!(
                f,
                "  stream {}: {} messages; consumers {}",
                stream.name,
                stream.messages,
                list_or_none(&consumers)
            )?;
            if stream.renumbered {
                write!(f, "; sequences renumbered (the source had gaps)")?;
            }
            if stream.ids_dropped > 0 {
                write!(
                    f,
                    "; {} messages without their repeated Nats-Msg-Id",
                    stream.ids_dropped
                )?;
            }
            writeln!(f)?;
        }
        for (name, keys) in &self.buckets {
            writeln!(f, "  key-value bucket {name}: {keys} keys")?;
        }
        for (name, objects, bytes) in &self.object_stores {
            writeln!(f, "  object store {name}: {objects} objects, {bytes} bytes")?;
        }
        let tables: Vec<String> = self
            .tables
            .iter()
            .map(|(name, rows)| format!("{name} {rows} rows"))
            .collect();
        writeln!(f, "  database: {}", list_or_none(&tables))?;
        writeln!(
            f,
            "Web sessions are not restored: everyone signs in again with their token."
        )?;
        for warning in &self.warnings {
            writeln!(f, "Warning from the backup: {warning}")?;
        }
        Ok(())
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
