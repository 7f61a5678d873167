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
///
/// Held as runs of consecutive numbers of one partner: ids are given a file at a time, so a round
/// of 100,000 initiatives from a few hundred files is a few hundred runs, and what aggregation
/// writes for each version and validation reads for each file stays small however large the round.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownIds {
    /// Ordered by `first`, never overlapping.
    pub runs: Vec<Run>,
}

/// Ids `first..=last` (their numbers), all the initiatives of `partner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub first: u64,
    pub last: u64,
    pub partner: String,
}

impl KnownIds {
    /// From every id's number and partner, in any order.
    pub fn from_owners(owners: impl IntoIterator<Item = (u64, String)>) -> KnownIds {
        let owners: BTreeMap<u64, String> = owners.into_iter().collect();
        let mut known = KnownIds::default();
        known.extend(owners);
        known
    }

    /// How many ids there are.
    pub fn len(&self) -> u64 {
        self.runs.iter().map(|run| run.last - run.first + 1).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The highest id's number.
    pub fn last_number(&self) -> Option<u64> {
        self.runs.last().map(|run| run.last)
    }

    /// Add ids numbered above [`KnownIds::last_number`], in increasing order; `false` (and nothing
    /// added) when one is not above it.
    pub fn extend(&mut self, newer: impl IntoIterator<Item = (u64, String)>) -> bool {
        let mut added = KnownIds {
            runs: self.runs.clone(),
        };
        for (number, partner) in newer {
            match added.runs.last_mut() {
                Some(run) if number <= run.last => return false,
                Some(run) if run.last + 1 == number && run.partner == partner => run.last = number,
                _ => added.runs.push(Run {
                    first: number,
                    last: number,
                    partner,
                }),
            }
        }
        *self = added;
        true
    }

    /// The partner whose initiative has the id, if the database has it.
    pub fn partner_of(&self, id: &str) -> Option<&str> {
        let number = number(id)?;
        let at = self.runs.partition_point(|run| run.last < number);
        self.runs
            .get(at)
            .filter(|run| run.first <= number)
            .map(|run| run.partner.as_str())
    }

    /// Whose the id is, for a file of `partner`.
    pub fn owner(&self, id: &str, partner: &str) -> Owner {
        match self.partner_of(id) {
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
        let known = KnownIds::from_owners([
            (1, "SEN".to_string()),
            (2, "SEN".to_string()),
            (3, "MLI".to_string()),
            (5, "SEN".to_string()),
        ]);
        assert_eq!(known.runs.len(), 3, "{known:?}");
        assert_eq!(known.owner("JVAP-000001", "SEN"), Owner::Own);
        assert_eq!(known.owner("jvap 2", "SEN"), Owner::Own);
        assert_eq!(known.owner("JVAP-000001", "MLI"), Owner::Other);
        assert_eq!(known.owner("JVAP-000003", "MLI"), Owner::Own);
        assert_eq!(known.owner("JVAP-000004", "SEN"), Owner::Unknown);
        assert_eq!(known.owner("JVAP-000005", "MLI"), Owner::Other);
        assert_eq!(known.owner("JVAP-000006", "SEN"), Owner::Unknown);
        assert_eq!(known.owner("not an id", "SEN"), Owner::Unknown);
        assert_eq!((known.len(), known.last_number()), (4, Some(5)));

        let mut more = known.clone();
        assert!(more.extend([(6, "SEN".to_string()), (7, "GMB".to_string())]));
        assert_eq!(more.runs.len(), 4, "6 joins SEN's run of 5");
        assert_eq!(more.owner("JVAP-000007", "GMB"), Owner::Own);
        assert!(!more.extend([(4, "SEN".to_string())]), "4 is not above 7");
        assert_eq!(more.len(), 6);
    }
}
