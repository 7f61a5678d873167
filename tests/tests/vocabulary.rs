//! Every output says the same words for the same state: the summaries, the consolidated workbook, the
//! template, the annotated workbook and the CLI's report all take them from `jvap_record::vocabulary`.
//! (The pages are checked by intake's `every_state_on_the_pages_reads_as_the_shared_vocabulary_says`.)

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::Utc;
use jvap_outputs::{DatasetInitiative, DatasetMeta, RoundData};
use jvap_record::messages::SubmissionState;
use jvap_record::record::FIELDS;
use jvap_record::tracker::{PartnerState, Tracker};
use jvap_record::vocabulary::{capitalized, code};
use jvap_record::{Lang, Report, Severity};
use jvap_tests::{processes, received_status, samples_dir};

const LANGS: [Lang; 2] = [Lang::En, Lang::Fr];

fn sample(file: &str) -> (Vec<u8>, Report) {
    let bytes = std::fs::read(samples_dir().join(file)).expect("the sample is readable");
    let report = jvap_ingest::validate(file, &bytes);
    (bytes, report)
}

/// A round with a partner in every state: BEL accepted (its sample), BFA rejected, CIV failed, EGY
/// still validating, GMB expected with nothing sent.
fn round_in_every_state() -> (Vec<DatasetInitiative>, Tracker) {
    let (_, report) = sample("BEL_Enabel_collecte_JVAP_2022.csv");
    let initiatives = DatasetInitiative::from_report("BEL", "bel", &report);
    let statuses: Vec<_> = [
        ("BEL", SubmissionState::Accepted),
        ("BFA", SubmissionState::Rejected),
        ("CIV", SubmissionState::Failed),
        ("EGY", SubmissionState::Validating),
    ]
    .into_iter()
    .map(|(partner, state)| {
        let mut status = received_status(&partner.to_lowercase());
        status.partner = partner.into();
        status.state = state;
        status
    })
    .collect();
    let expected: Vec<String> = ["BEL", "BFA", "CIV", "EGY", "GMB"].map(String::from).into();
    let counts = BTreeMap::from([("BEL".to_string(), initiatives.len() as u64)]);
    let tracker = Tracker::build("2022", &expected, &statuses, &counts);
    let states: Vec<PartnerState> = tracker.partners.iter().map(|row| row.state).collect();
    for state in PartnerState::ALL {
        assert!(states.contains(&state), "the round has a partner {state:?}");
    }
    (initiatives, tracker)
}

/// The cells of sheet `sheet` (the first one when `None`), as text.
fn sheet_rows(xlsx: &[u8], sheet: Option<&str>) -> Vec<Vec<String>> {
    let mut workbook = Xlsx::new(Cursor::new(xlsx)).expect("an xlsx workbook");
    let name = sheet.map_or_else(|| workbook.sheet_names()[0].clone(), String::from);
    let range = workbook.worksheet_range(&name).expect("the sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_summaries_and_the_workbook_name_every_partner_state_as_the_vocabulary_does() {
    let (initiatives, tracker) = round_in_every_state();
    let meta = DatasetMeta {
        round: "2022".into(),
        version: 1,
        generated_at: Utc::now(),
    };
    let files = jvap_outputs::build(&RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: None,
        tracker: &tracker,
    })
    .expect("the files build");
    let file = |name: &str| {
        let file = files.iter().find(|f| f.name == name).expect("the file");
        String::from_utf8_lossy(&file.bytes).into_owned()
    };
    for lang in LANGS {
        for format in ["md", "html"] {
            let summary = file(&format!("summary.{}.{format}", lang.code()));
            // The summaries list the partners they wait for by state; accepted ones are counted as
            // the partners with data.
            for state in PartnerState::ALL
                .into_iter()
                .filter(|s| *s != PartnerState::Accepted)
            {
                let mut label = capitalized(state.label(lang));
                if format == "html" {
                    label = label.replace('\'', "&#39;");
                }
                assert!(
                    summary.contains(&label),
                    "summary.{}.{format} says {label:?}",
                    lang.code()
                );
            }
        }
    }
    // The workbook's tracker holds the states as codes, the JSON dataset's names.
    let workbook = &files
        .iter()
        .find(|f| f.name == "dataset.xlsx")
        .expect("xlsx");
    let rows = sheet_rows(&workbook.bytes, Some("Tracker"));
    for row in &tracker.partners {
        let line = rows
            .iter()
            .find(|cells| cells.first() == Some(&row.partner))
            .expect("the partner's row");
        assert!(line.contains(&code(&row.state)), "{line:?}");
    }
}

#[test]
fn the_template_says_when_each_field_is_required_as_the_vocabulary_does() {
    for lang in LANGS {
        let xlsx = jvap_outputs::template::template(lang).expect("the template");
        let cells: Vec<String> = sheet_rows(&xlsx, None).concat();
        for field in FIELDS.iter() {
            let label = field.required.label(lang);
            assert!(
                cells.iter().any(|c| c == label),
                "{lang:?} template says {label:?}"
            );
        }
    }
}

/// A rejected sample with errors, and one accepted with warnings and notes.
const REPORTED: [&str; 2] = [
    "GMB_MoI_JVAP_2022.xlsx",
    "BEL_Enabel_collecte_JVAP_2022.csv",
];

#[test]
fn the_annotated_workbook_and_the_cli_report_name_severities_and_verdicts_as_the_vocabulary_does() {
    let jvap = processes::binary("jvap").expect("the jvap binary");
    let mut seen = Vec::new();
    for file in REPORTED {
        let (bytes, report) = sample(file);
        for lang in LANGS {
            // The annotated workbook's issues sheet: one row per issue, its severity first.
            let annotated = jvap_ingest::annotate::annotate(file, &bytes, &report, lang)
                .expect("the annotated workbook");
            let rows = sheet_rows(&annotated, None);
            // The CLI's text report: the verdict on the first line, one line per issue.
            let out = std::process::Command::new(&jvap)
                .args(["--lang", lang.code(), "validate", "--format", "text"])
                .arg(samples_dir().join(file))
                .output()
                .expect("jvap runs");
            let text = String::from_utf8_lossy(&out.stdout);
            let first = text.lines().next().unwrap_or_default();
            assert!(first.ends_with(report.verdict.label(lang)), "{first}");
            for severity in Severity::ALL {
                let expected = report
                    .issues
                    .iter()
                    .filter(|i| i.severity == severity)
                    .count();
                let label = severity.label(lang);
                let lines = text
                    .lines()
                    .filter(|l| l.trim_start().starts_with(&format!("{label} ")))
                    .count();
                assert_eq!(lines, expected, "{file} {lang:?} {severity:?} in the CLI");
                let capital = capitalized(label);
                let in_sheet = rows.iter().filter(|r| r.first() == Some(&capital)).count();
                assert_eq!(in_sheet, expected, "{file} {lang:?} {severity:?} annotated");
                if expected > 0 {
                    seen.push(severity);
                }
            }
        }
    }
    for severity in Severity::ALL {
        assert!(seen.contains(&severity), "the samples show {severity:?}");
    }
}
