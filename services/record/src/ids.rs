//! JVAP ids: the database's own id of an initiative (`JVAP-000123`), given by aggregation when the
//! initiative first enters the database, from one sequence per database, never reused, and kept
//! across versions and rounds.
//!
//! A partner writes an id back (from its pre-filled workbook) to say which initiative a row updates.
//! [`parse`] reads what was written; [`KnownIds`] is what validation knows of the database's ids (whose
//! each one is), so that a row with an unknown id or another partner's is an error at its cell.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What every id starts with.
pub const PREFIX: &str = "JVAP-";

/// Digits an id has at least (more once the sequence passes 999,999).
const DIGITS: usize = 6;

/// The id of the `number`-th initiative of the database (1 for the first): `JVAP-000001`.
pub fn format(number: u64) -> String {
    format!("{PREFIX}{number:0DIGITS$}")
}

/// The number of a written id, when it has an id's shape: `JVAP-` (any case, a space or none
/// instead of the dash) and digits, at least one; surrounding spaces aside. `JVAP-000000` is no id.
pub fn number(written: &str) -> Option<u64> {
    let text = written.trim();
    let head = text.get(..4)?;
    if !head.eq_ignore_ascii_case("JVAP") {
        return None;
    }
    let rest = &text[4..];
    let digits = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix(' '))
        .unwrap_or(rest);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// The id as the database writes it, when `written` has an id's shape: ` jvap-42 ` is `JVAP-000042`.
pub fn parse(written: &str) -> Option<String> {
    number(written).map(format)
}

/// Whom a written id belongs to, as far as validation can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The partner that sent the file: the row updates its initiative.
    Own,
    /// Another partner's initiative.
    Other,
    /// No initiative of the database has it.
    Unknown,
}

/// The ids in the database and the partner each belongs to, given to validation so that it can
/// tell a partner's own ids from another's and from none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownIds {
    /// Id (as [`format`] writes it) → the partner code of its initiative.
    pub owners: BTreeMap<String, String>,
}

impl KnownIds {
    /// Whose the id is, for a file of `partner`.
    pub fn owner(&self, id: &str, partner: &str) -> Owner {
        match self.owners.get(id) {
            Some(owner) if owner == partner => Owner::Own,
            Some(_) => Owner::Other,
            None => Owner::Unknown,
        }
    }
}

/// What validation checks a file's ids against: the database's ids and the partner sending it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCheck {
    pub partner: String,
    pub known: KnownIds,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_with_six_digits_and_read_back_however_a_partner_types_them() {
        assert_eq!(format(1), "JVAP-000001");
        assert_eq!(format(4711), "JVAP-004711");
        assert_eq!(format(1_234_567), "JVAP-1234567");
        for written in ["JVAP-004711", " jvap-4711 ", "JVAP 004711", "Jvap004711"] {
            assert_eq!(parse(written).as_deref(), Some("JVAP-004711"), "{written}");
        }
        for wrong in [
            "",
            "4711",
            "JVAP-",
            "JVAP-12a",
            "PACV-000001",
            "JVAP-000000",
            "JVAP--1",
        ] {
            assert_eq!(parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn an_id_is_the_partners_own_another_partners_or_unknown() {
        let known = KnownIds {
            owners: [("JVAP-000001".to_string(), "SEN".to_string())].into(),
        };
        assert_eq!(known.owner("JVAP-000001", "SEN"), Owner::Own);
        assert_eq!(known.owner("JVAP-000001", "MLI"), Owner::Other);
        assert_eq!(known.owner("JVAP-000002", "SEN"), Owner::Unknown);
    }
}
