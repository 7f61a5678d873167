//! A sanity check of an OLE compound file's sector chains before calamine opens it (xls, encrypted OOXML).
//!
//! calamine follows a chain of sectors until it meets the end-of-chain mark, with no bound on the
//! directory chain and only the declared stream length on the others: a file whose allocation table
//! (FAT) or mini-FAT loops (sector 0 pointing to itself) makes it append the same sector forever, until
//! the process runs out of memory, or spin on an empty sector forever. Neither is a panic that
//! `catch_unwind` could stop, so the tables are read here the way calamine reads them, and a file
//! with a loop in either is refused as corrupt.

use super::FileError;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// DIFAT entries at or above this are not sectors (DIFSECT, FATSECT, ENDOFCHAIN, FREESECT).
const DIFSECT: u32 = 0xFFFF_FFFC;
/// Chain pointers at or above this are marks, not sectors.
const MAXREGSECT: u32 = 0xFFFF_FFFA;

/// Refuse a compound file whose FAT or mini-FAT has a loop. Anything else odd is left to calamine.
pub(crate) fn check(bytes: &[u8]) -> Result<(), FileError> {
    let Some(header) = bytes.get(..512) else {
        return Ok(()); // calamine refuses a short header itself
    };
    let sector_size = match u16_at(header, 30) {
        9 => 512,
        12 => 4096,
        _ => return Ok(()),
    };
    let sector = |id: u32| -> &[u8] {
        let start = (id as usize).saturating_add(1).saturating_mul(sector_size);
        let end = start.saturating_add(sector_size).min(bytes.len());
        bytes.get(start..end).unwrap_or(&[])
    };
    let sectors = bytes.len() / sector_size;

    // The DIFAT: 109 entries in the header, then a chain of DIFAT sectors (bounded as calamine does).
    let mut difat: Vec<u32> = u32s(&header[76..512]).collect();
    let mut id = u32_at(header, 68);
    let mut steps = 0;
    while id < MAXREGSECT && steps <= sectors {
        difat.extend(u32s(sector(id)));
        id = difat.pop().unwrap_or(ENDOFCHAIN);
        steps += 1;
    }
    let fat: Vec<u32> = difat
        .iter()
        .filter(|id| **id < DIFSECT)
        .flat_map(|id| u32s(sector(*id)))
        .collect();
    if has_loop(&fat) {
        return Err(corrupt("allocation table"));
    }

    // The mini-FAT: a chain of sectors in the FAT, as long as the header says.
    let mini_fat_len = u32_at(header, 64) as usize;
    if mini_fat_len > 0 {
        let mut mini_fat = Vec::new();
        let mut id = u32_at(header, 60);
        while (id as usize) < fat.len() && mini_fat.len() < mini_fat_len * sector_size / 4 {
            mini_fat.extend(u32s(sector(id)));
            id = fat[id as usize];
        }
        if has_loop(&mini_fat) {
            return Err(corrupt("mini allocation table"));
        }
    }
    Ok(())
}

fn corrupt(table: &str) -> FileError {
    FileError::Corrupt(format!(
        "the workbook's {table} makes a chain of sectors loop back on itself"
    ))
}

/// Whether following `next[i]` from some entry comes back to an entry already on the path. Every entry
/// is visited once: a path joining one already checked stops there.
fn has_loop(next: &[u32]) -> bool {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; next.len()];
    for start in 0..next.len() {
        let mut path = Vec::new();
        let mut at = start;
        loop {
            match state[at] {
                DONE => break,
                ON_PATH => return true,
                _ => {}
            }
            state[at] = ON_PATH;
            path.push(at);
            match next[at] {
                id if id < MAXREGSECT && (id as usize) < next.len() => at = id as usize,
                _ => break,
            }
        }
        for at in path {
            state[at] = DONE;
        }
    }
    false
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-3 compound file: header, then one FAT sector (sector 0) holding `fat`, then
    /// `extra_sectors` zeroed sectors. The directory chain starts at sector 1.
    fn compound_file(fat: &[u32], extra_sectors: usize, mini_fat: Option<(u32, u32)>) -> Vec<u8> {
        let mut bytes = vec![0u8; 512];
        bytes[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        bytes[26..28].copy_from_slice(&3u16.to_le_bytes());
        bytes[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        bytes[30..32].copy_from_slice(&9u16.to_le_bytes());
        bytes[32..34].copy_from_slice(&6u16.to_le_bytes());
        bytes[44..48].copy_from_slice(&1u32.to_le_bytes()); // one FAT sector
        bytes[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory at sector 1
        bytes[56..60].copy_from_slice(&4096u32.to_le_bytes());
        let (mini_start, mini_len) = mini_fat.unwrap_or((ENDOFCHAIN, 0));
        bytes[60..64].copy_from_slice(&mini_start.to_le_bytes());
        bytes[64..68].copy_from_slice(&mini_len.to_le_bytes());
        bytes[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes()); // no DIFAT sectors
        for (i, entry) in bytes[76..512].chunks_exact_mut(4).enumerate() {
            let id: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
            entry.copy_from_slice(&id.to_le_bytes());
        }
        let mut fat_sector = vec![0xFFu8; 512];
        for (i, next) in fat.iter().enumerate() {
            fat_sector[i * 4..i * 4 + 4].copy_from_slice(&next.to_le_bytes());
        }
        bytes.extend(fat_sector);
        bytes.extend(vec![0u8; 512 * extra_sectors]);
        bytes
    }

    const FATSECT: u32 = 0xFFFF_FFFD;

    /// Fuzzing `validate_bytes`: a 5.7 KB mutated xls whose FAT was all zeros (sector 0 pointing to
    /// itself) made calamine append sector 0 to the directory chain until the fuzzer's 2 GB limit.
    #[test]
    fn a_fat_that_loops_is_a_corrupt_file() {
        let bytes = compound_file(&[FATSECT, 2, 3, 1], 3, None); // 1 -> 2 -> 3 -> 1
        let error = check(&bytes).unwrap_err();
        assert!(
            matches!(error, FileError::Corrupt(ref d) if d.contains("allocation table")),
            "{error:?}"
        );
        let bytes = compound_file(&[0; 4], 3, None); // the fuzzer's input: every entry is 0
        assert!(check(&bytes).is_err());
    }

    #[test]
    fn a_mini_fat_that_loops_is_a_corrupt_file() {
        // The mini-FAT is sector 2; its entry 5 points to itself.
        let bytes = {
            let mut b = compound_file(&[FATSECT, ENDOFCHAIN, ENDOFCHAIN], 2, Some((2, 1)));
            let mini = 3 * 512; // sector 2
            b[mini..mini + 512].fill(0xFF);
            b[mini + 20..mini + 24].copy_from_slice(&5u32.to_le_bytes());
            b
        };
        let error = check(&bytes).unwrap_err();
        assert!(
            matches!(error, FileError::Corrupt(ref d) if d.contains("mini allocation table")),
            "{error:?}"
        );
    }

    #[test]
    fn chains_that_end_and_the_xls_sample_pass() {
        let bytes = compound_file(&[FATSECT, 2, 3, ENDOFCHAIN], 3, None);
        assert_eq!(check(&bytes), Ok(()));
        let sample = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/samples/ITA_MAECI_JVAP_2022.xls"
        ))
        .expect("the ITA sample");
        assert_eq!(check(&sample), Ok(()));
    }
}
