//! `manifest.json`: what a backup holds, where, and the SHA-256 of every file, checked before a
//! restore touches anything.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use jvap_aggregation::tables::Column;
use serde::{Deserialize, Serialize};

use crate::error::{AdminError, Result};
use crate::files::{self, FileEntry};

/// The name of the manifest in a backup directory.
pub const MANIFEST: &str = "manifest.json";
/// What `format` says.
pub const FORMAT: &str = "jvap-backup";
/// The layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A backup directory's table of contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The jvap that wrote it.
    pub jvap_version: String,
    pub created_at: DateTime<Utc>,
    pub source: Source,
    /// Every stream other than the KV and object-store ones (`JVAP`, and any added later).
    pub streams: Vec<StreamPart>,
    /// Every KV bucket but the ephemeral `sessions` and `services`.
    pub buckets: Vec<BucketPart>,
    pub object_stores: Vec<StorePart>,
    pub database: DatabasePart,
    /// What the operator should know (services were running during the backup).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Every other file of the backup with its size and SHA-256.
    pub files: Vec<FileEntry>,
}

/// Where the backup was taken from (no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub nats: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// A stream: its configuration and durable consumers (`config`), and its messages in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamPart {
    pub name: String,
    pub config: String,
    pub messages_file: String,
    pub messages: u64,
    /// The stream's first and last sequence when it was read.
    pub first_sequence: u64,
    pub last_sequence: u64,
    pub consumers: Vec<ConsumerPart>,
}

/// A durable consumer and how far it had got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerPart {
    pub name: String,
    /// The stream sequence below which (included) every message it takes was acknowledged.
    pub ack_floor: u64,
    /// Messages it had been given and not yet acknowledged (they are given again after a restore).
    pub ack_pending: u64,
    /// Messages it had not been given yet.
    pub pending: u64,
}

/// A KV bucket: its stream's configuration, and the latest value of every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketPart {
    pub name: String,
    pub config: String,
    pub entries_file: String,
    pub keys: u64,
}

/// An object store: its stream's configuration, one line per object, and each object's bytes in a
/// file of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorePart {
    pub name: String,
    pub config: String,
    pub objects_file: String,
    pub objects: u64,
    pub bytes: u64,
}

/// Aggregation's database: the schema (the last migration applied) and every table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabasePart {
    pub backend: String,
    pub schema_version: i64,
    pub tables: Vec<TablePart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePart {
    pub name: String,
    pub file: String,
    pub rows: u64,
    pub columns: Vec<Column>,
}

impl Manifest {
    /// Read the manifest of `dir` (not checking the files; see [`Manifest::verify`]).
    pub async fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        if !tokio::fs::try_exists(&path)
            .await
            .map_err(|e| AdminError::io(&path, e))?
        {
            return Err(AdminError::Invalid(format!(
                "{} has no {MANIFEST}: it is not a jvap backup",
                dir.display()
            )));
        }
        let manifest: Manifest = files::read_json(dir, MANIFEST).await?;
        if manifest.format != FORMAT {
            return Err(AdminError::Invalid(format!(
                "{MANIFEST} says format {:?}, not {FORMAT:?}",
                manifest.format
            )));
        }
        if manifest.format_version != FORMAT_VERSION {
            return Err(AdminError::Unsupported(format!(
                "the backup has format version {} (jvap {}); this jvap reads version {FORMAT_VERSION}",
                manifest.format_version, manifest.jvap_version
            )));
        }
        Ok(manifest)
    }

    /// Write `manifest.json` into `dir`, last, once every file it lists is written.
    pub(crate) async fn write(&self, dir: &Path) -> Result<()> {
        files::write_json(dir, MANIFEST, self).await.map(|_| ())
    }

    /// Check that every file the backup names is listed, and that every listed file is there with
    /// its size and SHA-256; the first that is not says which.
    pub async fn verify(&self, dir: &Path) -> Result<()> {
        let listed: BTreeMap<&str, &FileEntry> =
            self.files.iter().map(|f| (f.path.as_str(), f)).collect();
        for named in self.named_files() {
            if !listed.contains_key(named) {
                return Err(AdminError::Invalid(format!(
                    "{named} is named but not listed with a checksum"
                )));
            }
        }
        for entry in &self.files {
            let path = files::resolve(dir, &entry.path)?;
            if !tokio::fs::try_exists(&path)
                .await
                .map_err(|e| AdminError::io(&path, e))?
            {
                return Err(AdminError::Invalid(format!("{} is missing", entry.path)));
            }
            let (bytes, sha256) = files::sha256_of(&path).await?;
            if bytes != entry.bytes || sha256 != entry.sha256 {
                return Err(AdminError::Invalid(format!(
                    "{} has changed since the backup: {bytes} bytes with SHA-256 {sha256}, \
                     {} bytes with SHA-256 {} expected",
                    entry.path, entry.bytes, entry.sha256
                )));
            }
        }
        Ok(())
    }

    /// The paths of every listed file.
    pub(crate) fn listed(&self) -> std::collections::BTreeSet<&str> {
        self.files.iter().map(|f| f.path.as_str()).collect()
    }

    /// Every file the parts name (object files are named by their store's lines, checked as read).
    fn named_files(&self) -> Vec<&str> {
        let mut named = Vec::new();
        for stream in &self.streams {
            named.extend([stream.config.as_str(), stream.messages_file.as_str()]);
        }
        for bucket in &self.buckets {
            named.extend([bucket.config.as_str(), bucket.entries_file.as_str()]);
        }
        for store in &self.object_stores {
            named.extend([store.config.as_str(), store.objects_file.as_str()]);
        }
        named.extend(self.database.tables.iter().map(|t| t.file.as_str()));
        named
    }
}
