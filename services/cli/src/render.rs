//! Text output for people: reports, the issue catalogue and submission statuses.
//!
//! Everything returns a `String` so it can be tested without a terminal.

use std::fmt::Write as _;

use jvap_record::catalogue::IssueKind;
use jvap_record::messages::SubmissionStatus;
use jvap_record::tracker::{PartnerState, Tracker};
use jvap_record::{Counts, Issue, Lang, Report};

/// Longest value shown in an issue line; longer ones are cut with `…`.
const VALUE_WIDTH: usize = 32;

/// A report as a short summary and one aligned line per issue.
pub fn report(report: &Report, file_name: &str, lang: Lang) -> String {
    let mut out = String::new();
    let verdict = report.verdict.label(lang);
    let colon = if lang == Lang::Fr { " :" } else { ":" };
    let _ = writeln!(out, "{file_name}{colon} {verdict}");
    let _ = writeln!(out, "  {}", counts(&report.counts, lang));
    if !report.issues.is_empty() {
        out.push('\n');
        out.push_str(&issues(report.issues.iter(), lang));
    }
    out
}

/// "41 rows read, 40 records, 2 errors, 3 warnings" in `lang`.
pub fn counts(counts: &Counts, lang: Lang) -> String {
    let n = |count: u64, en: (&str, &str), fr: (&str, &str)| {
        let (one, many) = if lang == Lang::En { en } else { fr };
        // French uses the singular for 0 and 1.
        let singular = count == 1 || (count == 0 && lang == Lang::Fr);
        format!("{count} {}", if singular { one } else { many })
    };
    [
        n(
            counts.rows,
            ("row read", "rows read"),
            ("ligne lue", "lignes lues"),
        ),
        n(
            counts.records,
            ("record", "records"),
            ("enregistrement", "enregistrements"),
        ),
        n(counts.errors, ("error", "errors"), ("erreur", "erreurs")),
        n(
            counts.warnings,
            ("warning", "warnings"),
            ("avertissement", "avertissements"),
        ),
    ]
    .join(", ")
}

/// One aligned line per issue: severity, sheet!cell, column, value, message.
pub fn issues<'a>(issues: impl Iterator<Item = &'a Issue>, lang: Lang) -> String {
    let rows: Vec<[String; 5]> = issues
        .map(|issue| {
            [
                issue.severity.label(lang).to_string(),
                location(issue, lang),
                issue.column.clone().unwrap_or_else(|| "-".into()),
                issue.value.as_deref().map_or_else(|| "-".into(), quoted),
                issue.message(lang).to_string(),
            ]
        })
        .collect();
    let widths: [usize; 4] =
        std::array::from_fn(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0));
    let mut out = String::new();
    for row in &rows {
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
    }
    out
}

/// `Sheet!G7`, `G7` for CSV, or "(file)" for a problem with the whole file.
fn location(issue: &Issue, lang: Lang) -> String {
    match (&issue.sheet, &issue.cell) {
        (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
        (None, Some(cell)) => cell.clone(),
        (Some(sheet), None) => sheet.clone(),
        (None, None) if lang == Lang::Fr => "(fichier)".into(),
        (None, None) => "(file)".into(),
    }
}

/// A value in quotes, on one line, cut to [`VALUE_WIDTH`].
fn quoted(value: &str) -> String {
    let flat: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > VALUE_WIDTH {
        let cut: String = flat.chars().take(VALUE_WIDTH - 1).collect();
        format!("\"{cut}…\"")
    } else {
        format!("\"{flat}\"")
    }
}

/// The issue catalogue: code and severity, then the English and French messages.
pub fn codes(kinds: &[IssueKind]) -> String {
    let width = kinds.iter().map(|k| k.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for kind in kinds {
        let _ = writeln!(
            out,
            "{:<width$}  {}",
            kind.code,
            kind.severity.label(Lang::En)
        );
        let _ = writeln!(out, "{:<width$}  en: {}", "", kind.en);
        let _ = writeln!(out, "{:<width$}  fr: {}", "", kind.fr);
    }
    out
}

/// One submission, one fact per line.
pub fn status(status: &SubmissionStatus, lang: Lang) -> String {
    let labels = match lang {
        Lang::En => [
            "submission",
            "partner",
            "round",
            "file",
            "mode",
            "state",
            "counts",
            "reason",
            "dataset",
            "received",
            "updated",
        ],
        Lang::Fr => [
            "envoi",
            "partenaire",
            "cycle",
            "fichier",
            "mode",
            "état",
            "décompte",
            "motif",
            "jeu de données",
            "reçu le",
            "mis à jour",
        ],
    };
    let mode = match status.mode {
        jvap_record::messages::Mode::Replace => "replace",
        jvap_record::messages::Mode::Merge => "merge",
    };
    let facts = [
        Some(status.submission_id.clone()),
        Some(status.partner.clone()),
        Some(status.round.clone()),
        Some(format!("{} ({})", status.file_name, size(status.size))),
        Some(mode.to_string()),
        Some(status.state.label(lang).to_string()),
        status.counts.as_ref().map(|c| counts(c, lang)),
        status.reason.clone(),
        status.dataset_version.map(|v| format!("v{v}")),
        Some(
            status
                .received_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
        ),
        Some(
            status
                .updated_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
        ),
    ];
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (label, fact) in labels.iter().zip(facts) {
        if let Some(fact) = fact {
            let _ = writeln!(out, "{label:<width$}  {fact}");
        }
    }
    out
}

/// Submissions as a table, newest first as the server lists them.
pub fn status_table(statuses: &[SubmissionStatus], lang: Lang) -> String {
    if statuses.is_empty() {
        return match lang {
            Lang::En => "No submissions yet.\n".into(),
            Lang::Fr => "Aucun envoi pour l'instant.\n".into(),
        };
    }
    let header = match lang {
        Lang::En => [
            "SUBMISSION",
            "PARTNER",
            "STATE",
            "RECORDS",
            "ERRORS",
            "WARNINGS",
            "RECEIVED",
            "FILE",
        ],
        Lang::Fr => [
            "ENVOI",
            "PARTENAIRE",
            "ÉTAT",
            "ENREG.",
            "ERREURS",
            "AVERT.",
            "REÇU LE",
            "FICHIER",
        ],
    };
    let count = |s: &SubmissionStatus, f: fn(&Counts) -> u64| {
        s.counts
            .as_ref()
            .map_or_else(|| "-".into(), |c| f(c).to_string())
    };
    let mut rows: Vec<[String; 8]> = vec![header.map(String::from)];
    rows.extend(statuses.iter().map(|s| {
        [
            s.submission_id.clone(),
            s.partner.clone(),
            s.state.label(lang).to_string(),
            count(s, |c| c.records),
            count(s, |c| c.errors),
            count(s, |c| c.warnings),
            s.received_at.format("%Y-%m-%d %H:%M").to_string(),
            s.file_name.clone(),
        ]
    }));
    let widths: [usize; 7] =
        std::array::from_fn(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0));
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        line.push_str(&row[7]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The round tracker: one aligned line per partner (code, name, state, initiatives, submissions,
/// last activity); a partner that submitted without being expected is marked with `*`.
pub fn tracker(tracker: &Tracker, lang: Lang) -> String {
    let header = match lang {
        Lang::En => [
            "PARTNER",
            "NAME",
            "STATE",
            "INITIATIVES",
            "SUBMISSIONS",
            "LAST ACTIVITY",
        ],
        Lang::Fr => [
            "PARTENAIRE",
            "NOM",
            "ÉTAT",
            "INITIATIVES",
            "ENVOIS",
            "DERNIÈRE ACTIVITÉ",
        ],
    };
    let mut rows: Vec<[String; 6]> = vec![header.map(String::from)];
    rows.extend(tracker.partners.iter().map(|row| {
        let mark = if row.expected { "" } else { " *" };
        [
            format!("{}{mark}", row.partner),
            match lang {
                Lang::En => row.name_en.clone(),
                Lang::Fr => row.name_fr.clone(),
            },
            row.state.label(lang).to_string(),
            row.initiatives.to_string(),
            row.submissions.to_string(),
            row.last_activity
                .map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
        ]
    }));
    let widths: [usize; 5] =
        std::array::from_fn(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0));
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        line.push_str(&row[5]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let heard = tracker
        .partners
        .iter()
        .filter(|row| row.expected && row.state != PartnerState::NotSubmitted)
        .count();
    let expected = tracker.partners.iter().filter(|row| row.expected).count();
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "\nRound {}: {heard} of {expected} expected partners have submitted.",
            tracker.round
        ),
        Lang::Fr => writeln!(
            out,
            "\nCycle {} : {heard} partenaires attendus sur {expected} ont envoyé leurs données.",
            tracker.round
        ),
    };
    if expected < tracker.partners.len() {
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Lang::En => "* submitted without being on the round's expected list",
                Lang::Fr => "* a envoyé sans figurer sur la liste attendue du cycle",
            }
        );
    }
    out
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use jvap_record::catalogue;
    use jvap_record::messages::{Mode, SubmissionState};
    use jvap_record::tracker::TrackerRow;

    use super::*;

    fn sample_report() -> Report {
        let date = Issue::new(&catalogue::FILE_NO_HEADER, "")
            .at(Some("Initiatives"), 7, 6)
            .column("start_date")
            .value("31/02/2019");
        let long = Issue::new(&catalogue::COLUMN_UNKNOWN, "Notes")
            .at(None, 12, 27)
            .value("a very long value that goes on\nand on beyond the width");
        let file = Issue::new(&catalogue::SHEET_SKIPPED, "hidden");
        Report::from_parts(41, vec![date, long, file], vec![])
    }

    #[test]
    fn report_text_has_the_verdict_counts_and_aligned_issue_lines() {
        let text = report(&sample_report(), "SEN.xlsx", Lang::En);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "SEN.xlsx: rejected");
        assert_eq!(lines[1], "  41 rows read, 0 records, 1 error, 1 warning");
        assert_eq!(lines[2], "");
        assert!(
            lines[3].starts_with("  error    Initiatives!G7  start_date  \"31/02/2019\""),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with(
                "  warning  AB12            -           \"a very long value that goes on …\""
            ),
            "{}",
            lines[4]
        );
        assert!(
            lines[5].starts_with("  info     (file)          -           -  "),
            "{}",
            lines[5]
        );
        // The messages start in the same column.
        let message_column = |line: &str, message: &str| line.find(message).expect("message");
        assert_eq!(
            message_column(lines[3], "No sheet"),
            message_column(lines[5], "Sheet skipped")
        );
    }

    #[test]
    fn report_text_speaks_french() {
        let text = report(&sample_report(), "SEN.xlsx", Lang::Fr);
        assert!(text.starts_with(
            "SEN.xlsx : rejeté\n  41 lignes lues, 0 enregistrement, 1 erreur, 1 avertissement\n"
        ));
        assert!(text.contains("Aucune feuille"));
        assert!(text.contains("(fichier)"));
    }

    #[test]
    fn an_accepted_report_without_issues_is_two_lines() {
        let text = report(&Report::from_parts(0, vec![], vec![]), "a.csv", Lang::En);
        assert_eq!(
            text,
            "a.csv: accepted\n  0 rows read, 0 records, 0 errors, 0 warnings\n"
        );
    }

    #[test]
    fn codes_text_lists_every_code_with_both_messages() {
        let text = codes(catalogue::ALL);
        assert_eq!(text.lines().count(), catalogue::ALL.len() * 3);
        assert!(text.contains("file.corrupt"));
        assert!(text.contains("fr: Le fichier est endommagé"));
    }

    fn status_of(state: SubmissionState, counts: Option<Counts>) -> SubmissionStatus {
        let at = Utc
            .with_ymd_and_hms(2022, 11, 14, 9, 5, 0)
            .single()
            .expect("instant");
        SubmissionStatus {
            submission_id: "0b7e".into(),
            partner: "SEN".into(),
            round: "2022".into(),
            mode: Mode::Replace,
            file_name: "SEN.xlsx".into(),
            size: 2048,
            state,
            counts,
            reason: None,
            dataset_version: None,
            received_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn status_shows_known_facts_only() {
        let text = status(&status_of(SubmissionState::Received, None), Lang::En);
        assert!(text.contains("state       received\n"), "{text}");
        assert!(text.contains("file        SEN.xlsx (2.0 kB)\n"), "{text}");
        assert!(!text.contains("counts"));
        assert!(!text.contains("dataset"));
    }

    #[test]
    fn the_tracker_is_a_table_of_partners_with_a_line_on_who_submitted() {
        let row = |partner: &str, name: &str, state, initiatives, expected| TrackerRow {
            partner: partner.into(),
            name_en: name.into(),
            name_fr: format!("{name} (fr)"),
            expected,
            state,
            initiatives,
            submissions: u32::from(state != PartnerState::NotSubmitted),
            last_submission_id: None,
            last_activity: None,
            late: false,
            reminders: Vec::new(),
        };
        let tracker = Tracker {
            round: "2022".into(),
            partners: vec![
                row("EU", "European Union", PartnerState::Accepted, 10, true),
                row("GMB", "Gambia", PartnerState::Rejected, 0, true),
                row("SEN", "Senegal", PartnerState::NotSubmitted, 0, true),
                row("UNDP", "UNDP", PartnerState::Accepted, 3, false),
            ],
            deadline: None,
            days_left: None,
        };
        let text = super::tracker(&tracker, Lang::En);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("PARTNER  NAME"), "{text}");
        assert!(
            lines[1].starts_with("EU       European Union  accepted"),
            "{text}"
        );
        assert!(lines[3].contains("not submitted"), "{text}");
        assert!(lines[4].starts_with("UNDP *"), "{text}");
        assert!(
            text.contains("2 of 3 expected partners have submitted"),
            "{text}"
        );
        assert!(super::tracker(&tracker, Lang::Fr).contains("Senegal (fr)"));
    }

    #[test]
    fn status_table_aligns_columns() {
        let counts = Counts {
            rows: 41,
            records: 40,
            errors: 0,
            warnings: 3,
        };
        let text = status_table(
            &[
                status_of(SubmissionState::Accepted, Some(counts)),
                status_of(SubmissionState::Validating, None),
            ],
            Lang::En,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let state_col = lines[0].find("STATE").expect("STATE");
        assert_eq!(lines[1].find("accepted"), Some(state_col));
        assert_eq!(lines[2].find("validating"), Some(state_col));
        assert!(lines[2].contains(" -  "));
        assert_eq!(status_table(&[], Lang::Fr), "Aucun envoi pour l'instant.\n");
    }
}
