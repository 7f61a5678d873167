//! What changed between two dataset versions, per partner: initiatives added, updated and removed.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::round::DatasetInitiative;
use jvap_record::Initiative;
use jvap_record::text::fold_words;

/// The change log of a dataset version against the previous one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeLog {
    /// The version compared against; None for the first version.
    pub previous_version: Option<u32>,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    /// Partners with at least one change, in partner-code order.
    pub partners: Vec<PartnerChanges>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerChanges {
    pub partner: String,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
}

impl ChangeLog {
    /// The changes from `previous` (version `previous_version`, None when there is none) to `current`.
    /// An initiative is the same one when it has the same partner and `partner_ref`, or, without a
    /// reference, the same partner, normalised title and start date.
    ///
    /// It is *updated* when its record differs in any field other than `source`, or its warnings
    /// differ by code. Where a row sits in the partner's file (`source`), the cell in each warning, and
    /// the submission it came from are not changes: a partner that sends the same initiatives again, in
    /// another order or another file, changes nothing the readers of the dataset care about.
    ///
    /// Initiatives that share an identity within one version are paired in file order; the extra
    /// ones are added or removed.
    pub fn between(
        previous_version: Option<u32>,
        previous: &[DatasetInitiative],
        current: &[DatasetInitiative],
    ) -> ChangeLog {
        let mut by_identity: HashMap<
            Identity<'_>,
            (Vec<&DatasetInitiative>, Vec<&DatasetInitiative>),
        > = HashMap::new();
        for initiative in previous {
            by_identity
                .entry(identity(initiative))
                .or_default()
                .0
                .push(initiative);
        }
        for initiative in current {
            by_identity
                .entry(identity(initiative))
                .or_default()
                .1
                .push(initiative);
        }

        let mut partners: BTreeMap<&str, PartnerChanges> = BTreeMap::new();
        for (identity, (before, after)) in &by_identity {
            let changes = partners
                .entry(identity.partner)
                .or_insert_with(|| PartnerChanges {
                    partner: identity.partner.to_string(),
                    ..PartnerChanges::default()
                });
            let paired = before.len().min(after.len());
            changes.updated += before
                .iter()
                .zip(after)
                .filter(|(b, a)| !same_content(b, a))
                .count() as u64;
            changes.removed += (before.len() - paired) as u64;
            changes.added += (after.len() - paired) as u64;
        }
        let partners: Vec<PartnerChanges> = partners
            .into_values()
            .filter(|p| p.added + p.updated + p.removed > 0)
            .collect();
        ChangeLog {
            previous_version,
            added: partners.iter().map(|p| p.added).sum(),
            updated: partners.iter().map(|p| p.updated).sum(),
            removed: partners.iter().map(|p| p.removed).sum(),
            partners,
        }
    }
}

/// What makes two initiatives of two versions the same one.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Identity<'a> {
    partner: &'a str,
    reference: Reference<'a>,
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum Reference<'a> {
    PartnerRef(&'a str),
    TitleAndStart(String, NaiveDate),
}

fn identity(initiative: &DatasetInitiative) -> Identity<'_> {
    let record = &initiative.record;
    let reference = match record.partner_ref.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => Reference::PartnerRef(r),
        _ => Reference::TitleAndStart(fold_words(&record.title), record.start_date),
    };
    Identity {
        partner: &initiative.partner,
        reference,
    }
}

/// Equal records apart from `source`, and equal warning codes apart from their cells.
fn same_content(a: &DatasetInitiative, b: &DatasetInitiative) -> bool {
    let codes = |i: &DatasetInitiative| -> Vec<String> {
        let mut codes: Vec<String> = i
            .warnings
            .iter()
            .map(|w| warning_code(w).to_string())
            .collect();
        codes.sort_unstable();
        codes
    };
    let same_record = if a.record.source == b.record.source {
        a.record == b.record
    } else {
        Initiative {
            source: b.record.source.clone(),
            ..a.record.clone()
        } == b.record
    };
    same_record && (a.warnings == b.warnings || codes(a) == codes(b))
}

/// The code of a warning written as `code@cell`.
pub fn warning_code(warning: &str) -> &str {
    warning.split_once('@').map_or(warning, |(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample;
    use jvap_record::record::SourceRef;

    fn with(partner: &str, partner_ref: Option<&str>, title: &str) -> DatasetInitiative {
        let mut initiative = sample()[0].clone();
        initiative.partner = partner.into();
        initiative.record.partner_ref = partner_ref.map(String::from);
        initiative.record.title = title.into();
        initiative
    }

    #[test]
    fn the_first_version_adds_everything() {
        let current = sample();
        let log = ChangeLog::between(None, &[], &current);
        assert_eq!(log.previous_version, None);
        assert_eq!((log.added, log.updated, log.removed), (3, 0, 0));
        assert_eq!(
            log.partners,
            [
                PartnerChanges {
                    partner: "NER".into(),
                    added: 1,
                    updated: 0,
                    removed: 0
                },
                PartnerChanges {
                    partner: "SEN".into(),
                    added: 2,
                    updated: 0,
                    removed: 0
                },
            ]
        );
    }

    #[test]
    fn added_updated_and_removed_are_counted_per_partner() {
        let previous = vec![
            with("SEN", Some("A"), "Alpha"),
            with("SEN", Some("B"), "Beta"),
            with("NER", None, "Gamma project"),
            with("MLI", Some("M"), "Unchanged"),
        ];
        let mut budget_changed = with("SEN", Some("A"), "Alpha");
        budget_changed.record.budget_eur = Some(1.0);
        let current = vec![
            budget_changed,
            with("SEN", Some("C"), "Gamma"),
            // Same title up to case and punctuation, same start date, no reference: the same one.
            with("NER", None, "GAMMA  project!"),
            with("MLI", Some("M"), "Unchanged"),
        ];
        let log = ChangeLog::between(Some(4), &previous, &current);
        assert_eq!(log.previous_version, Some(4));
        assert_eq!((log.added, log.updated, log.removed), (1, 2, 1));
        let sen = &log.partners[1];
        assert_eq!(
            (sen.partner.as_str(), sen.added, sen.updated, sen.removed),
            ("SEN", 1, 1, 1)
        );
        let ner = &log.partners[0];
        assert_eq!(
            (ner.partner.as_str(), ner.updated),
            ("NER", 1),
            "the title's text changed"
        );
        assert!(!log.partners.iter().any(|p| p.partner == "MLI"));
    }

    #[test]
    fn a_resubmission_of_the_same_content_elsewhere_in_the_file_changes_nothing() {
        let previous = sample();
        let mut current = sample();
        for (i, initiative) in current.iter_mut().enumerate() {
            initiative.submission_id = "sub-new".into();
            initiative.record.source = SourceRef {
                sheet: Some("Feuil1".into()),
                row: 40 + i as u32,
            };
            for warning in &mut initiative.warnings {
                *warning = format!("{}@Z{}", warning_code(warning), 40 + i);
            }
        }
        current.reverse();
        let log = ChangeLog::between(Some(1), &previous, &current);
        assert_eq!((log.added, log.updated, log.removed), (0, 0, 0));
        assert!(log.partners.is_empty());
    }

    #[test]
    fn a_new_warning_is_an_update() {
        let previous = sample();
        let mut current = sample();
        current[1].warnings.push("description.empty@D2".into());
        let log = ChangeLog::between(Some(1), &previous, &current);
        assert_eq!((log.added, log.updated, log.removed), (0, 1, 0));
    }
}
