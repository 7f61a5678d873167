//! The files of a backup: written with their SHA-256 as they go (never held whole), read back line
//! by line, and paths inside the backup directory that cannot leave it.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};

use crate::error::{AdminError, Result};

/// One file of a backup as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup directory, with `/` between the parts.
    pub path: String,
    pub bytes: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
}

/// A file being written into the backup directory.
pub(crate) struct Out {
    relative: String,
    path: PathBuf,
    file: BufWriter<tokio::fs::File>,
    hasher: Sha256,
    bytes: u64,
}

impl Out {
    /// Create (or truncate) `relative` under `dir`, with its parent directories.
    pub(crate) async fn create(dir: &Path, relative: &str) -> Result<Out> {
        let path = resolve(dir, relative)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| AdminError::io(parent, e))?;
        }
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AdminError::io(&path, e))?;
        Ok(Out {
            relative: relative.to_string(),
            path,
            file: BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    pub(crate) async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        self.file
            .write_all(data)
            .await
            .map_err(|e| AdminError::io(&self.path, e))
    }

    /// One JSON value and a new line.
    pub(crate) async fn line<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let mut bytes = serde_json::to_vec(value).map_err(|source| AdminError::Json {
            path: self.relative.clone(),
            source,
        })?;
        bytes.push(b'\n');
        self.write(&bytes).await
    }

    /// The SHA-256 of what was written so far (the bytes of an object read into this file).
    pub(crate) fn digest(&self) -> [u8; 32] {
        self.hasher.clone().finalize().into()
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flush the file to disk and give its entry for the manifest.
    pub(crate) async fn finish(mut self) -> Result<FileEntry> {
        self.file
            .flush()
            .await
            .map_err(|e| AdminError::io(&self.path, e))?;
        self.file
            .get_ref()
            .sync_all()
            .await
            .map_err(|e| AdminError::io(&self.path, e))?;
        Ok(FileEntry {
            path: self.relative,
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

/// Write a whole small file (a configuration) as pretty JSON.
pub(crate) async fn write_json<T: Serialize>(
    dir: &Path,
    relative: &str,
    value: &T,
) -> Result<FileEntry> {
    let mut out = Out::create(dir, relative).await?;
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| AdminError::Json {
        path: relative.to_string(),
        source,
    })?;
    bytes.push(b'\n');
    out.write(&bytes).await?;
    out.finish().await
}

/// Read a whole small JSON file of the backup.
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    dir: &Path,
    relative: &str,
) -> Result<T> {
    let path = resolve(dir, relative)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AdminError::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|source| AdminError::Json {
        path: relative.to_string(),
        source,
    })
}

/// A JSON-lines file of the backup, read one value at a time.
pub(crate) struct Lines {
    relative: String,
    reader: BufReader<tokio::fs::File>,
    number: u64,
    buffer: String,
}

impl Lines {
    pub(crate) async fn open(dir: &Path, relative: &str) -> Result<Lines> {
        let path = resolve(dir, relative)?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| AdminError::io(&path, e))?;
        Ok(Lines {
            relative: relative.to_string(),
            reader: BufReader::with_capacity(256 * 1024, file),
            number: 0,
            buffer: String::new(),
        })
    }

    /// The next value; `None` at the end.
    pub(crate) async fn next<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>> {
        loop {
            self.buffer.clear();
            let read =
                self.reader
                    .read_line(&mut self.buffer)
                    .await
                    .map_err(|e| AdminError::Io {
                        path: self.relative.clone(),
                        source: e,
                    })?;
            if read == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.buffer.trim().is_empty() {
                continue;
            }
            return serde_json::from_str(&self.buffer)
                .map(Some)
                .map_err(|source| AdminError::Json {
                    path: format!("{} line {}", self.relative, self.number),
                    source,
                });
        }
    }
}

/// The size and hex SHA-256 of a file, read in pieces.
pub(crate) async fn sha256_of(path: &Path) -> Result<(u64, String)> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| AdminError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .await
            .map_err(|e| AdminError::io(path, e))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// `relative` under `dir`, refused when it is absolute or would leave `dir` (a manifest is input).
pub(crate) fn resolve(dir: &Path, relative: &str) -> Result<PathBuf> {
    let path = Path::new(relative);
    let plain = !relative.is_empty()
        && path
            .components()
            .all(|component| matches!(component, Component::Normal(_)));
    if !plain {
        return Err(AdminError::Invalid(format!(
            "{relative:?} is not a path inside the backup"
        )));
    }
    Ok(dir.join(path))
}

/// A stream, bucket or table name as a file name: only what NATS and SQL names jvap uses are made of.
pub(crate) fn file_name(name: &str) -> Result<&str> {
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        Ok(name)
    } else {
        Err(AdminError::Unsupported(format!(
            "{name:?} cannot be backed up: only letters, digits, '_' and '-' are expected in names"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_a_manifest_stay_inside_the_backup() {
        let dir = Path::new("/backup");
        assert_eq!(
            resolve(dir, "objects/uploads/000001.bin").expect("inside"),
            PathBuf::from("/backup/objects/uploads/000001.bin")
        );
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a", "a//b/.."] {
            assert!(resolve(dir, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_become_file_names_only_when_plain() {
        assert_eq!(file_name("KV_tokens").expect("plain"), "KV_tokens");
        assert_eq!(
            file_name("summary-delivery").expect("plain"),
            "summary-delivery"
        );
        for bad in ["", "a/b", "..", "a b", "x.y"] {
            assert!(file_name(bad).is_err(), "{bad}");
        }
    }
}
