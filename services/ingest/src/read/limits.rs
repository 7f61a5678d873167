//! The bounds every reader enforces, so a hostile or accidentally huge file is refused before it costs much.

/// Bounds that protect the service from hostile or accidental huge input.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Largest upload accepted, in bytes.
    pub max_bytes: u64,
    /// Most data rows in one sheet.
    pub max_rows: u32,
    /// Most bytes the parts of a zip-based workbook may inflate to, in total, whatever its size.
    pub max_inflated_bytes: u64,
    /// Most times its own size a zip-based workbook may inflate to (above [`INFLATION_FLOOR`]).
    pub max_inflation_ratio: u64,
}

/// What any zip-based workbook may inflate to, however small it is: a small sheet with thousands of
/// formatted empty rows compresses far better than 100:1 and is still no bomb.
pub const INFLATION_FLOOR: u64 = 64 * 1024 * 1024;

impl Default for Limits {
    /// The service's limits: uploads up to 50 MB, parts inflating to 1 GB at most.
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_rows: 1_048_576,
            max_inflated_bytes: 1024 * 1024 * 1024,
            max_inflation_ratio: 100,
        }
    }
}

impl Limits {
    /// The limits of `jvap validate` on the user's own disk: no upload limit to mirror (a file of a
    /// million rows is about 85 MB), and a workbook may inflate to 100 times its size up to 64 GB; the
    /// ratio still refuses a bomb, and the rows are streamed so memory stays flat.
    pub fn offline() -> Limits {
        Limits {
            max_bytes: 4 * 1024 * 1024 * 1024,
            max_inflated_bytes: 64 * 1024 * 1024 * 1024,
            ..Limits::default()
        }
    }

    /// The most the parts of a zip-based workbook of `archive_len` bytes may inflate to.
    pub fn inflation_limit(&self, archive_len: u64) -> u64 {
        archive_len
            .saturating_mul(self.max_inflation_ratio)
            .max(INFLATION_FLOOR)
            .min(self.max_inflated_bytes)
    }
}
