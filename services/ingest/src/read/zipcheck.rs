//! Zip bomb checks for zip-based workbooks (xlsx, xlsb, ods), run before calamine inflates anything.
//!
//! The bound is [`Limits::inflation_limit`]: at most `max_inflation_ratio` times the archive's own size
//! (100:1; spreadsheets compress about 5-20:1, a bomb hundreds or thousands to one), never less than a
//! floor for small files and never more than `max_inflated_bytes`. So the work a file can cause grows with
//! the file, and a big honest workbook is not mistaken for a bomb.
//!
//! Two passes over the archive:
//! 1. **Declared sizes** (free: the central directory is already parsed): any entry, or all entries
//!    together, declaring more than the bound is refused without inflating a byte. This is
//!    what stops an honest-header bomb such as a 3.5 MB xlsx whose sheet declares 1.2 GB, in microseconds.
//! 2. **Actual sizes**: headers can lie, so every deflated entry's raw bytes are inflated once with
//!    flate2 into a sink (a 64 KB buffer that is overwritten, nothing kept). It stops as soon as the
//!    running total passes the limit, or an entry goes well past the size it declares (twice it plus
//!    1 MB: a bomb, refused after little work). An entry that overshoots a little and then ends, or whose
//!    deflate stream is broken, is damage, not a bomb: [`FileError::Corrupt`]. Stored entries are not
//!    inflated: their size is their length in the file.
//!
//! Cost of pass 2 on an honest file: one extra inflate of the workbook. zlib-rs inflates several hundred
//! MB/s, so an ordinary 100 KB-10 MB upload pays about 1-50 ms, while calamine's XML parsing of the same
//! bytes costs 10-20 times more. Memory stays at the buffer.
//!
//! Every entry is checked, not only the parts calamine reads: entries can overlap in a crafted archive,
//! so the only safe bound is on what inflating each of them produces. (zip 9 also refuses, while
//! reading, to produce more than an entry declares, so calamine's own reads are bounded by pass 1.)

use std::io::{Read, Seek};

use zip::CompressionMethod;

use super::{Detail, FileError, human_size, human_size_fr};
use crate::read::Limits;

/// How far past its declared size an entry may inflate before it is called a bomb rather than damage.
fn overshoot_allowed(declared: u64) -> u64 {
    declared.saturating_mul(2).saturating_add(1024 * 1024)
}

/// What the actual-size pass saw on the way, for the readers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Inspected {
    /// Some xlsx worksheet part (`xl/worksheets/*.xml`) holds a `<mergeCell` element. When none does,
    /// the reader skips calamine's merged-range pass, a second full parse of every sheet (about 40% of
    /// the read time of a big sheet).
    pub(crate) worksheet_merges: bool,
}

const MERGE_CELL: &[u8] = b"<mergeCell";

/// Refuse an archive of `archive_len` bytes whose entries declare, or actually inflate to, more than
/// [`Limits::inflation_limit`] allows.
pub(crate) fn check<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    archive_len: u64,
    limits: &Limits,
) -> Result<Inspected, FileError> {
    let mut inspected = Inspected::default();
    let finder = memchr::memmem::Finder::new(MERGE_CELL);
    let limit = limits.inflation_limit(archive_len);
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        let size = entry.size();
        if size > limit {
            let part = entry.name().unwrap_or_default();
            return Err(FileError::ZipBomb(Detail::new(
                format!(
                    "the part {part} declares {}, the limit for this file is {}",
                    human_size(size),
                    human_size(limit)
                ),
                format!(
                    "la partie {part} annonce {}, la limite pour ce fichier est de {}",
                    human_size_fr(size),
                    human_size_fr(limit)
                ),
            )));
        }
        declared_total = declared_total.saturating_add(size);
    }
    if declared_total > limit {
        return Err(FileError::ZipBomb(Detail::new(
            format!(
                "its parts declare {} together, the limit for this file is {}",
                human_size(declared_total),
                human_size(limit)
            ),
            format!(
                "ses parties annoncent {} au total, la limite pour ce fichier est de {}",
                human_size_fr(declared_total),
                human_size_fr(limit)
            ),
        )));
    }

    let mut buffer = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        if entry.is_dir() {
            continue;
        }
        if entry.encrypted() {
            return Err(FileError::Encrypted);
        }
        let name = entry.name().unwrap_or_default().into_owned();
        let declared = entry.size();
        let is_worksheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        // The last bytes of the previous buffer, so a `<mergeCell` split across two reads is found.
        let mut carry: Vec<u8> = Vec::with_capacity(2 * MERGE_CELL.len());
        let inflated = match entry.compression() {
            CompressionMethod::Stored => {
                let length = entry.compressed_size();
                if length != declared {
                    return Err(FileError::Corrupt(format!(
                        "the part {name} is {} long but declares {}",
                        human_size(length),
                        human_size(declared)
                    )));
                }
                total = total.saturating_add(length);
                if is_worksheet && !inspected.worksheet_merges {
                    let mut data = entry;
                    loop {
                        let n = data.read(&mut buffer).map_err(|e| {
                            FileError::Corrupt(format!("the part {name} cannot be read: {e}"))
                        })?;
                        if n == 0 {
                            break;
                        }
                        inspected.worksheet_merges |=
                            found_across(&finder, &mut carry, &buffer[..n]);
                    }
                }
                length
            }
            CompressionMethod::Deflated => {
                let mut inflater = flate2::read::DeflateDecoder::new(entry);
                let mut inflated: u64 = 0;
                loop {
                    let n = match inflater.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => n as u64,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            return Err(FileError::Corrupt(format!(
                                "the part {name} cannot be decompressed: {e}"
                            )));
                        }
                    };
                    if is_worksheet && !inspected.worksheet_merges {
                        inspected.worksheet_merges |=
                            found_across(&finder, &mut carry, &buffer[..n as usize]);
                    }
                    inflated += n;
                    total = total.saturating_add(n);
                    if total > limit {
                        return Err(FileError::ZipBomb(Detail::new(
                            format!("its parts inflate to more than {}", human_size(limit)),
                            format!(
                                "ses parties se décompressent en plus de {}",
                                human_size_fr(limit)
                            ),
                        )));
                    }
                    if inflated > overshoot_allowed(declared) {
                        return Err(FileError::ZipBomb(Detail::new(
                            format!(
                                "the part {name} inflates to far more than the {} it declares",
                                human_size(declared)
                            ),
                            format!(
                                "la partie {name} se décompresse en bien plus que les {} annoncés",
                                human_size_fr(declared)
                            ),
                        )));
                    }
                }
                inflated
            }
            other => {
                return Err(FileError::Corrupt(format!(
                    "the part {name} uses the compression method {other}, which spreadsheet programs do not write"
                )));
            }
        };
        if inflated != declared {
            return Err(FileError::Corrupt(format!(
                "the part {name} inflates to {} but declares {}",
                human_size(inflated),
                human_size(declared)
            )));
        }
    }
    Ok(inspected)
}

/// Whether `needle` occurs in `chunk`, or across the end of the previous chunk (kept in `carry`).
fn found_across(finder: &memchr::memmem::Finder<'_>, carry: &mut Vec<u8>, chunk: &[u8]) -> bool {
    let keep = finder.needle().len() - 1;
    carry.extend_from_slice(&chunk[..chunk.len().min(keep)]);
    if finder.find(carry).is_some() || finder.find(chunk).is_some() {
        return true;
    }
    carry.clear();
    carry.extend_from_slice(&chunk[chunk.len().saturating_sub(keep)..]);
    false
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_cell_tag_split_across_two_reads_is_found() {
        let finder = memchr::memmem::Finder::new(MERGE_CELL);
        let mut carry = Vec::new();
        assert!(!found_across(
            &finder,
            &mut carry,
            b"</sheetData><autoFilter ref=\"A1:X8\"/><merg"
        ));
        assert!(found_across(
            &finder,
            &mut carry,
            b"eCells count=\"1\"><mergeCell ref=\"A1:C1\"/>"
        ));
        let mut carry = Vec::new();
        assert!(!found_across(
            &finder,
            &mut carry,
            b"<row r=\"1\"><c r=\"A1\"/></row>"
        ));
        assert!(!found_across(
            &finder,
            &mut carry,
            b"</sheetData></worksheet>"
        ));
    }
}
