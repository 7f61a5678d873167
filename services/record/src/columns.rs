//! How a file's columns were read: the mapping a partner confirms, and the mapping validation used.
//!
//! Validation reads each header cell of a data sheet as a field of `schemas/fields.csv`: exactly (the
//! template's header or a synonym), by meaning (its words and a weighted vocabulary), or as the partner
//! confirmed it ([`ColumnMapping`]). What it did with every header cell is a [`ColumnRead`]: the
//! report page shows them, and the columns it could not place come with its best guesses, so the
//! partner can confirm one mapping and have it remembered.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::record::{FIELDS, Field};
use crate::text::fold;

/// Headers a partner confirmed: each header, as written, read as the field with that key. It overrides
/// the automatic reading of those headers on every sheet; a header the file does not have is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ColumnMapping {
    /// Header as the partner wrote it → field key (`"Financier" → "lead_funder"`).
    pub columns: BTreeMap<String, String>,
}

/// A mapping that names no field of the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("{0:?} is not HEADER=FIELD")]
    NotAPair(String),
    #[error("{field:?} is not a field (use a key such as lead_funder, or a template header)")]
    UnknownField { field: String },
}

impl MappingError {
    /// The same message in French.
    pub fn message_fr(&self) -> String {
        match self {
            MappingError::NotAPair(pair) => format!("{pair:?} n'est pas de la forme EN-TÊTE=CHAMP"),
            MappingError::UnknownField { field } => format!(
                "{field:?} n'est pas un champ (utilisez une clé comme lead_funder, ou un en-tête du \
                 modèle)"
            ),
        }
    }
}

impl ColumnMapping {
    /// Add `header → field`, the field given by its key or by its EN or FR template header.
    pub fn insert(&mut self, header: &str, field: &str) -> Result<(), MappingError> {
        let key = field_named(field).ok_or_else(|| MappingError::UnknownField {
            field: field.to_string(),
        })?;
        self.columns
            .insert(header.trim().to_string(), key.key.clone());
        Ok(())
    }

    /// A mapping from `HEADER=FIELD` pairs, as `jvap submit --map` takes them.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = &'a str>,
    ) -> Result<ColumnMapping, MappingError> {
        let mut mapping = ColumnMapping::default();
        for pair in pairs {
            let Some((header, field)) = pair.rsplit_once('=') else {
                return Err(MappingError::NotAPair(pair.to_string()));
            };
            if header.trim().is_empty() {
                return Err(MappingError::NotAPair(pair.to_string()));
            }
            mapping.insert(header, field)?;
        }
        Ok(mapping)
    }

    /// The field a header cell is confirmed as; headers compare folded (case, accents, spacing).
    pub fn field_for(&self, header: &str) -> Option<&'static Field> {
        if self.columns.is_empty() {
            return None;
        }
        let folded = fold(header);
        let key = self
            .columns
            .iter()
            .find(|(written, _)| fold(written) == folded)?
            .1;
        FIELDS.iter().find(|f| f.key == *key)
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// This mapping with `over`'s headers added, `over` winning where both name a header (folded).
    pub fn overlaid(&self, over: &ColumnMapping) -> ColumnMapping {
        let mut out = self.clone();
        for (header, field) in &over.columns {
            let folded = fold(header);
            out.columns.retain(|written, _| fold(written) != folded);
            out.columns.insert(header.clone(), field.clone());
        }
        out
    }

    /// The headers of this mapping that no header cell of `reads` has (folded), in order.
    pub fn missing_from<'a>(&'a self, reads: &[ColumnRead]) -> Vec<&'a str> {
        let present: std::collections::HashSet<String> =
            reads.iter().map(|r| fold(&r.header)).collect();
        self.columns
            .keys()
            .filter(|header| !present.contains(&fold(header)))
            .map(String::as_str)
            .collect()
    }
}

/// The reads that were not the template's exact headers: what a report shows of the mapping used.
pub fn not_exact(reads: &[ColumnRead]) -> Vec<ColumnRead> {
    reads
        .iter()
        .filter(|r| r.read_as != ReadAs::Exact)
        .cloned()
        .collect()
}

/// The field with this key, or whose EN or FR header this is (folded).
fn field_named(name: &str) -> Option<&'static Field> {
    let folded = fold(name);
    FIELDS.iter().find(|f| {
        f.key == name.trim() || fold(&f.header_en) == folded || fold(&f.header_fr) == folded
    })
}

/// How a header cell was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadAs {
    /// The template's header or a synonym of `fields.csv`, case, accents and spacing aside.
    Exact,
    /// By the meaning of its words (reported as `column.read_as`, an info).
    Meaning,
    /// As the partner confirmed it (`column.confirmed`).
    Confirmed,
    /// Another column of the sheet was read as the same field first (`column.duplicate`).
    Duplicate,
    /// Not placed (`column.unknown`): its values are kept, not validated.
    Unknown,
}

/// What validation did with one header cell of a data sheet: one entry of the mapping used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ColumnRead {
    /// Null for CSV.
    pub sheet: Option<String>,
    /// The header cell, A1 style.
    pub cell: String,
    /// The header as written.
    pub header: String,
    /// The field key it was read as; null when it was not placed.
    pub field: Option<String>,
    pub read_as: ReadAs,
    /// For a column not placed, the fields it may be, best first (at most three); empty otherwise.
    #[serde(default)]
    pub guesses: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_name_fields_by_key_or_by_template_header() {
        let mapping = ColumnMapping::from_pairs([
            "Financier=lead_funder",
            "Lancé le=Date de début (ou d'adoption)",
        ])
        .expect("a mapping");
        assert_eq!(
            mapping.field_for("FINANCIER").map(|f| f.key.as_str()),
            Some("lead_funder")
        );
        assert_eq!(
            mapping.field_for("lance le").map(|f| f.key.as_str()),
            Some("start_date")
        );
        assert!(mapping.field_for("Donor").is_none());
    }

    #[test]
    fn a_pair_without_a_field_is_refused() {
        assert_eq!(
            ColumnMapping::from_pairs(["Financier"]),
            Err(MappingError::NotAPair("Financier".into()))
        );
        assert!(matches!(
            ColumnMapping::from_pairs(["Financier=money"]),
            Err(MappingError::UnknownField { .. })
        ));
    }
}
