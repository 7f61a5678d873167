//! The one bilingual vocabulary: the words for the record's states, severities, verdicts, roles,
//! round states and requirements, the programme's name and the reasons two initiatives look alike, in
//! English and French, which every output shows (pages, CLI, workbooks, summaries,
//! template, annotated workbook).
//!
//! Each label is a [`Bilingual`], whose two texts are both required fields, so a label without its
//! French cannot compile; each enum's `label` is an exhaustive `match`, so a new variant without words
//! cannot either. Labels are written as they read inside a sentence ("signed in as administrator",
//! "3 files rejected"); an output that starts a cell or a line with one capitalises it
//! ([`capitalized`]). Words that one output alone uses stay with that output.

use crate::catalogue::Severity;
use crate::lang::{Lang, Said};
use crate::messages::{
    AuditAction, DeliveryOutcome, ReminderKind, Role, RoundState, SubmissionState, SummaryReason,
};
use crate::record::Required;
use crate::report::Verdict;
use crate::tracker::PartnerState;

/// One text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bilingual {
    pub en: &'static str,
    pub fr: &'static str,
}

impl Bilingual {
    /// The text in `lang`.
    pub const fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Fr => self.fr,
        }
    }
}

impl From<Bilingual> for Said {
    fn from(words: Bilingual) -> Said {
        Said::new(words.en, words.fr)
    }
}

const fn words(en: &'static str, fr: &'static str) -> Bilingual {
    Bilingual { en, fr }
}

/// The programme's name, as its own documents abbreviate it: the Joint Valletta Action Plan, in
/// French le Plan d'action conjoint de La Valette.
pub const PROGRAMME: Bilingual = words("JVAP", "PACV");

/// Why two initiatives of different partners look like the same one, by the code the duplicate
/// search gives each reason (`jvap_outputs::duplicates`), in the order it weighs them.
pub const DUPLICATE_REASONS: [(&str, Bilingual); 4] = [
    ("title", words("similar titles", "titres proches")),
    ("countries", words("the same countries", "mêmes pays")),
    (
        "dates",
        words("overlapping dates", "dates qui se chevauchent"),
    ),
    ("budget", words("close budgets", "budgets proches")),
];

/// The words of a duplicate reason code in `lang`; an unknown code stands as it is.
pub fn duplicate_reason(code: &str, lang: Lang) -> &str {
    DUPLICATE_REASONS
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(code, |(_, words)| words.get(lang))
}

/// The code of a value as the JSON files write it (`not_submitted`, `error`): its serde name, so the
/// code is defined once, by the type's `serde` attributes. Empty for a value that is not a string.
pub fn code<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

/// `text` with its first letter upper-cased, for a label that starts a cell or a line.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl SubmissionState {
    /// Every state, in the order of a submission's life.
    pub const ALL: [SubmissionState; 5] = [
        SubmissionState::Received,
        SubmissionState::Validating,
        SubmissionState::Accepted,
        SubmissionState::Rejected,
        SubmissionState::Failed,
    ];

    pub const fn words(self) -> Bilingual {
        match self {
            SubmissionState::Received => words("received", "reçu"),
            SubmissionState::Validating => words("validating", "en vérification"),
            SubmissionState::Accepted => words("accepted", "accepté"),
            SubmissionState::Rejected => words("rejected", "rejeté"),
            SubmissionState::Failed => words("failed", "échec"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl PartnerState {
    /// Every state, in the order the summaries list them.
    pub const ALL: [PartnerState; 5] = [
        PartnerState::Accepted,
        PartnerState::Rejected,
        PartnerState::Failed,
        PartnerState::InProgress,
        PartnerState::NotSubmitted,
    ];

    pub const fn words(self) -> Bilingual {
        match self {
            PartnerState::NotSubmitted => words("not submitted", "pas d'envoi"),
            PartnerState::InProgress => words("in progress", "en cours"),
            PartnerState::Rejected => words("rejected", "rejeté"),
            PartnerState::Accepted => words("accepted", "accepté"),
            PartnerState::Failed => words("failed", "échec"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    pub const fn words(self) -> Bilingual {
        match self {
            Severity::Error => words("error", "erreur"),
            Severity::Warning => words("warning", "avertissement"),
            Severity::Info => words("info", "info"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl Verdict {
    pub const ALL: [Verdict; 2] = [Verdict::Accepted, Verdict::Rejected];

    /// The same words as the submission states of the same name.
    pub const fn words(self) -> Bilingual {
        match self {
            Verdict::Accepted => SubmissionState::Accepted.words(),
            Verdict::Rejected => SubmissionState::Rejected.words(),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Partner, Role::Analyst, Role::Admin];

    pub const fn words(self) -> Bilingual {
        match self {
            Role::Partner => words("partner", "partenaire"),
            Role::Analyst => words("analyst", "analyste"),
            Role::Admin => words("administrator", "administrateur"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl RoundState {
    pub const ALL: [RoundState; 2] = [RoundState::Open, RoundState::Closed];

    /// As a round reads: "la collecte est ouverte".
    pub const fn words(self) -> Bilingual {
        match self {
            RoundState::Open => words("open", "ouverte"),
            RoundState::Closed => words("closed", "fermée"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl Required {
    pub const ALL: [Required; 5] = [
        Required::Yes,
        Required::No,
        Required::Projects,
        Required::WithBudget,
        Required::MultiDomain,
    ];

    /// When the field must be filled, as the template's instructions and the field pages say it.
    pub const fn words(self) -> Bilingual {
        match self {
            Required::Yes => words("yes", "oui"),
            Required::No => words("no", "non"),
            Required::Projects => words("projects only", "projets uniquement"),
            Required::WithBudget => words("when a budget is given", "si un budget est indiqué"),
            Required::MultiDomain => words("when several domains", "si plusieurs domaines"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl AuditAction {
    pub const ALL: [AuditAction; 12] = [
        AuditAction::TokenIssued,
        AuditAction::TokenRevoked,
        AuditAction::RoundOpened,
        AuditAction::RoundClosed,
        AuditAction::ExpectedPartnersSet,
        AuditAction::CommitteeListSet,
        AuditAction::SummaryRequested,
        AuditAction::SubmissionReplayed,
        AuditAction::RoundRevalidated,
        AuditAction::DeadlineSet,
        AuditAction::ContactsSet,
        AuditAction::MappingConfirmed,
    ];

    pub const fn words(self) -> Bilingual {
        match self {
            AuditAction::TokenIssued => words("token issued", "jeton délivré"),
            AuditAction::TokenRevoked => words("token revoked", "jeton révoqué"),
            AuditAction::RoundOpened => words("round opened", "collecte ouverte"),
            AuditAction::RoundClosed => words("round closed", "collecte fermée"),
            AuditAction::ExpectedPartnersSet => {
                words("expected partners set", "partenaires attendus définis")
            }
            AuditAction::CommitteeListSet => words("Committee list set", "liste du Comité définie"),
            AuditAction::SummaryRequested => words(
                "summary sent to the Committee",
                "synthèse envoyée au Comité",
            ),
            AuditAction::SubmissionReplayed => words("submission run again", "envoi relancé"),
            AuditAction::RoundRevalidated => words("round validated again", "collecte revérifiée"),
            AuditAction::DeadlineSet => words("deadline set", "date limite fixée"),
            AuditAction::ContactsSet => words("focal points set", "points focaux définis"),
            AuditAction::MappingConfirmed => words(
                "column mapping confirmed",
                "correspondance des colonnes confirmée",
            ),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl DeliveryOutcome {
    pub const fn words(self) -> Bilingual {
        match self {
            DeliveryOutcome::Sent => words("sent", "envoyée"),
            DeliveryOutcome::Skipped => words("not sent", "non envoyée"),
            DeliveryOutcome::Retrying => words("being tried again", "nouvel essai en cours"),
            DeliveryOutcome::Failed => words("failed", "échec"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl SummaryReason {
    pub const fn words(self) -> Bilingual {
        match self {
            SummaryReason::RoundClosed => words("round closed", "collecte fermée"),
            SummaryReason::OnDemand => words("asked for", "demandée"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [ReminderKind::Deadline, ReminderKind::Rejected];

    /// Why a partner was reminded, as the tracker says it.
    pub const fn words(self) -> Bilingual {
        match self {
            ReminderKind::Deadline => words("deadline reminder", "rappel de la date limite"),
            ReminderKind::Rejected => words("file rejected", "fichier rejeté"),
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

/// The words of a deadline: "deadline", "days left", "late".
pub mod deadline {
    use super::{Bilingual, words};

    pub const DEADLINE: Bilingual = words("deadline", "date limite");
    pub const DAYS_LEFT: Bilingual = words("days left", "jours restants");
    /// A file received after the deadline.
    pub const LATE: Bilingual = words("late", "en retard");
    pub const REMINDED: Bilingual = words("reminded", "relancé");
    pub const FOCAL_POINTS: Bilingual = words("focal points", "points focaux");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_values_of_one_enum_share_a_label() {
        fn distinct(labels: Vec<Bilingual>) {
            for lang in [Lang::En, Lang::Fr] {
                let mut seen: Vec<&str> = labels.iter().map(|w| w.get(lang)).collect();
                seen.sort_unstable();
                let before = seen.len();
                seen.dedup();
                assert_eq!(seen.len(), before, "{labels:?}");
            }
        }
        distinct(SubmissionState::ALL.map(SubmissionState::words).to_vec());
        distinct(PartnerState::ALL.map(PartnerState::words).to_vec());
        distinct(Severity::ALL.map(Severity::words).to_vec());
        distinct(Verdict::ALL.map(Verdict::words).to_vec());
        distinct(Role::ALL.map(Role::words).to_vec());
        distinct(RoundState::ALL.map(RoundState::words).to_vec());
        distinct(Required::ALL.map(Required::words).to_vec());
        distinct(DUPLICATE_REASONS.map(|(_, words)| words).to_vec());

        distinct(ReminderKind::ALL.map(ReminderKind::words).to_vec());
    }

    #[test]
    fn a_label_starts_a_cell_capitalised() {
        assert_eq!(capitalized(PartnerState::Failed.label(Lang::Fr)), "Échec");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn a_duplicate_reason_reads_in_the_language_asked() {
        assert_eq!(duplicate_reason("title", Lang::Fr), "titres proches");
        assert_eq!(duplicate_reason("budget", Lang::En), "close budgets");
        assert_eq!(duplicate_reason("colour", Lang::Fr), "colour");
    }

    #[test]
    fn a_code_is_the_json_name() {
        assert_eq!(code(&PartnerState::NotSubmitted), "not_submitted");
        assert_eq!(code(&Severity::Warning), "warning");
    }
}
