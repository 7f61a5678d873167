//! Zip bomb checks for zip-based workbooks (xlsx, xlsb, ods), run before calamine inflates anything.
//!
//! Two passes over the archive:
//! 1. **Declared sizes** (free: the central directory is already parsed): any entry, or all entries
//!    together, declaring more than `max_inflated_bytes` is refused without inflating a byte. This is
//!    what stops an honest-header bomb such as a 3.5 MB xlsx whose sheet declares 1.2 GB, in microseconds.
//! 2. **Actual sizes**: headers can lie, so every entry is inflated once into a sink (a 64 KB buffer that
//!    is overwritten, nothing kept), aborting as soon as an entry produces more than it declared (zip 9
//!    also enforces this in its reader, which calamine uses too) or the running total passes the limit. The cost is one extra inflate of the workbook: inflating runs at
//!    a few hundred MB/s, so an ordinary 100 KB-10 MB upload pays about 1-50 ms, while calamine's XML
//!    parsing of the same bytes costs 10-20 times more. Memory stays at the buffer.
//!
//! Every entry is checked, not only the parts calamine reads: entries can overlap in a crafted archive,
//! so the only safe bound is on what inflating each of them produces.

use std::io::{Read, Seek};

use super::{FileError, human_size};
use crate::validate::Limits;

/// Refuse an archive whose entries declare, or actually inflate to, more than the limit.
pub(crate) fn check<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), FileError> {
    let limit = limits.max_inflated_bytes;
    let mut declared = Vec::with_capacity(archive.len());
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        let size = entry.size();
        if size > limit {
            return Err(FileError::ZipBomb(format!(
                "the part {} declares {}, the limit is {}",
                entry.name().unwrap_or_default(),
                human_size(size),
                human_size(limit)
            )));
        }
        declared_total = declared_total.saturating_add(size);
        declared.push(size);
    }
    if declared_total > limit {
        return Err(FileError::ZipBomb(format!(
            "its parts declare {} together, the limit is {}",
            human_size(declared_total),
            human_size(limit)
        )));
    }

    let mut buffer = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    for (index, declared) in declared.into_iter().enumerate() {
        let mut entry = archive.by_index(index).map_err(zip_error)?;
        if entry.is_dir() {
            continue;
        }
        let mut inflated: u64 = 0;
        loop {
            let n = match entry.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // zip 9 enforces the declared size itself, with this message.
                Err(e) if e.to_string().contains("declared uncompressed size") => {
                    return Err(FileError::ZipBomb(format!(
                        "the part {} inflates beyond the {} it declares",
                        entry.name().unwrap_or_default(),
                        human_size(declared)
                    )));
                }
                Err(e) => {
                    return Err(FileError::Corrupt(format!(
                        "the part {} cannot be decompressed: {e}",
                        entry.name().unwrap_or_default()
                    )));
                }
            };
            inflated += n;
            total += n;
            if inflated > declared {
                return Err(FileError::ZipBomb(format!(
                    "the part {} inflates beyond the {} it declares",
                    entry.name().unwrap_or_default(),
                    human_size(declared)
                )));
            }
            if total > limit {
                return Err(FileError::ZipBomb(format!(
                    "its parts inflate to more than {}",
                    human_size(limit)
                )));
            }
        }
    }
    Ok(())
}

/// A zip error as a file error: a password-protected entry is [`FileError::Encrypted`], anything else
/// (no central directory, truncated download, bad header) is [`FileError::Corrupt`].
pub(crate) fn zip_error(error: zip::result::ZipError) -> FileError {
    let text = error.to_string();
    if text.to_ascii_lowercase().contains("password") {
        return FileError::Encrypted;
    }
    match error {
        zip::result::ZipError::InvalidArchive(_) | zip::result::ZipError::Io(_) => {
            FileError::Corrupt(format!(
                "the zip archive is incomplete or damaged, as after an interrupted download: {text}"
            ))
        }
        _ => FileError::Corrupt(format!("the zip archive cannot be read: {text}")),
    }
}
