//! Merged ranges of an ODS workbook, which calamine does not expose.

use std::collections::HashMap;

use super::rows::Merge;

/// The merged ranges of every sheet, by sheet name. Not read yet: none.
pub(crate) fn merges(_bytes: &[u8]) -> HashMap<String, Vec<Merge>> {
    HashMap::new()
}
