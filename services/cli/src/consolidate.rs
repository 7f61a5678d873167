//! `jvap consolidate DIR --out OUTDIR`: a round consolidated offline from a folder of partner files,
//! written as the service would publish it.
//!
//! Every spreadsheet of the folder (xlsx, xls, xlsb, ods, csv), in name order, is validated by the same
//! jvap-ingest code as the service. Its partner is the code that starts its name (`NER_Donnees.xlsx` is
//! Niger's); a name that starts with no partner code is reported and left out. An accepted file
//! replaces its partner's initiatives, as a `replace` submission does. The round tracker comes from
//! those results (one submission per file, the file name as its id), and [`jvap_outputs::build_in`]
//! writes dataset version 1 and its summaries, the workbook in the language of `--lang`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use jvap_ingest::Limits;
use jvap_outputs::RoundData;
use jvap_outputs::{DatasetInitiative, DatasetMeta};
use jvap_record::messages::{Mode, RoundRecord, SubmissionState, SubmissionStatus};
use jvap_record::report::Report;
use jvap_record::tracker::Tracker;
use jvap_record::{Counts, Initiative, Lang, Verdict, reference};
use jvap_worker::Worker;

/// The extensions of the files that are read; anything else in the folder is passed over.
const SPREADSHEETS: [&str; 5] = ["xlsx", "xls", "xlsb", "ods", "csv"];

/// What became of one file of the folder.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted {
        partner: String,
        counts: Counts,
    },
    Rejected {
        partner: String,
        counts: Counts,
    },
    /// The name does not start with a partner code.
    NoPartner,
    /// The file could not be read from the disk.
    Unreadable(String),
}

/// The folder, validated: each file's outcome, the initiatives of the accepted files, and one
/// submission status per attributed file.
#[derive(Debug, Default)]
pub struct Consolidation {
    pub files: Vec<(String, Outcome)>,
    pub initiatives: Vec<DatasetInitiative>,
    pub statuses: Vec<SubmissionStatus>,
}

/// Run the command: validate, build, write, and print a summary. Exit 0 when every file was accepted,
/// 1 when some were rejected or named no partner, 2 when a file or the output could not be read or
/// written.
pub fn run(
    dir: &Path,
    out: &Path,
    round: &str,
    lang: Lang,
    worker: &Worker,
) -> anyhow::Result<ExitCode> {
    let consolidation = collect(dir, round, worker)?;
    for (file, outcome) in &consolidation.files {
        match outcome {
            Outcome::NoPartner => eprintln!("jvap: {file}: {}", no_partner(lang)),
            Outcome::Unreadable(error) => eprintln!("jvap: {file}: {error}"),
            _ => {}
        }
    }
    let written = write(&consolidation, round, out, lang, Utc::now())?;
    print!("{}", summary(&consolidation, out, &written, lang));
    let files = || consolidation.files.iter().map(|(_, outcome)| outcome);
    Ok(if files().any(|o| matches!(o, Outcome::Unreadable(_))) {
        ExitCode::from(2)
    } else if files().all(|o| matches!(o, Outcome::Accepted { .. })) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Validate every spreadsheet of `dir` in name order; accepted files replace their partner's
/// initiatives. An error only when the folder cannot be listed or holds no spreadsheet.
pub fn collect(dir: &Path, round: &str, worker: &Worker) -> anyhow::Result<Consolidation> {
    let paths = spreadsheets(dir)?;
    anyhow::ensure!(
        !paths.is_empty(),
        "{} holds no spreadsheet (.xlsx, .xls, .xlsb, .ods or .csv)",
        dir.display()
    );
    let mut consolidation = Consolidation::default();
    let mut by_partner: BTreeMap<String, Vec<DatasetInitiative>> = BTreeMap::new();
    for path in paths {
        let file = file_name(&path);
        let Some(partner) = partner_of(&file) else {
            consolidation.files.push((file, Outcome::NoPartner));
            continue;
        };
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) => {
                let error = format!("cannot read {}: {error}", path.display());
                consolidation.files.push((file, Outcome::Unreadable(error)));
                continue;
            }
        };
        let (report, records) = match validated(worker, &path, &file) {
            Ok(validated) => validated,
            Err(error) => {
                let error = format!("cannot validate {}: {error}", path.display());
                consolidation.files.push((file, Outcome::Unreadable(error)));
                continue;
            }
        };
        let modified: DateTime<Utc> = metadata.modified().map_or_else(|_| Utc::now(), Into::into);
        let accepted = report.verdict == Verdict::Accepted;
        consolidation.statuses.push(SubmissionStatus {
            submission_id: file.clone(),
            partner: partner.clone(),
            round: round.to_string(),
            mode: Mode::Replace,
            file_name: file.clone(),
            size: metadata.len(),
            state: if accepted {
                SubmissionState::Accepted
            } else {
                SubmissionState::Rejected
            },
            counts: Some(report.counts),
            reason: None,
            dataset_version: accepted.then_some(1),
            received_at: modified,
            updated_at: modified,
        });
        let outcome = if accepted {
            let initiatives =
                DatasetInitiative::from_records(&partner, &file, records, &report.issues);
            by_partner.insert(partner.clone(), initiatives);
            Outcome::Accepted {
                partner,
                counts: report.counts,
            }
        } else {
            Outcome::Rejected {
                partner,
                counts: report.counts,
            }
        };
        consolidation.files.push((file, outcome));
    }
    // In partner-code order, then by sheet and row, as the service orders a dataset version.
    for (_, mut initiatives) in by_partner {
        initiatives.sort_by(|a, b| {
            (&a.record.source.sheet, a.record.source.row)
                .cmp(&(&b.record.source.sheet, b.record.source.row))
        });
        consolidation.initiatives.extend(initiatives);
    }
    // Offline there is no database: ids a file gave are kept, the others are numbered after the
    // highest one, in dataset order, so that every initiative of the output has one.
    let mut next = consolidation
        .initiatives
        .iter()
        .filter_map(|i| {
            i.record
                .jvap_id
                .as_deref()
                .and_then(jvap_record::ids::number)
        })
        .max()
        .unwrap_or(0);
    for initiative in &mut consolidation.initiatives {
        if initiative.record.jvap_id.is_none() {
            next += 1;
            initiative.record.jvap_id = Some(jvap_record::ids::format(next));
        }
    }
    Ok(consolidation)
}

/// A file validated by the worker as the service validates it: the report without its records, and
/// the records. A file that overruns the worker's budget is rejected with its one file-level issue.
fn validated(
    worker: &Worker,
    path: &Path,
    file: &str,
) -> anyhow::Result<(Report, Vec<Initiative>)> {
    match worker.validate(path, file, &Limits::default(), &[]) {
        Ok(validated) => {
            let mut records = Vec::new();
            jvap_worker::records::for_each(&validated.records_path(), |record| {
                records.push(record);
                Ok(())
            })?;
            Ok((validated.report, records))
        }
        Err(error) => match error.file_issue() {
            Some(issue) => Ok((Report::file_error(issue), Vec::new())),
            None => Err(error.into()),
        },
    }
}

/// Build version 1 of `round` (tracker, dataset with its workbook in `lang`, summaries) and write its
/// files into `out`; returns the paths written, in the order of [`jvap_outputs::DatasetFile::ALL`].
pub fn write(
    consolidation: &Consolidation,
    round: &str,
    out: &Path,
    lang: Lang,
    generated_at: DateTime<Utc>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for initiative in &consolidation.initiatives {
        *counts.entry(initiative.partner.clone()).or_default() += 1;
    }
    let expected = RoundRecord::new(round).expected();
    let tracker = Tracker::build(round, &expected, &consolidation.statuses, &counts);
    let meta = DatasetMeta {
        round: round.to_string(),
        version: 1,
        generated_at,
    };
    let data = RoundData {
        meta: &meta,
        initiatives: &consolidation.initiatives,
        previous: None,
        tracker: &tracker,
    };
    let files = jvap_outputs::build_in(lang, &data).context("could not build the dataset files")?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    files
        .into_iter()
        .map(|file| {
            let path = out.join(file.name);
            std::fs::write(&path, &file.bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// The spreadsheets of `dir`, sorted by file name.
fn spreadsheets(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if path.is_file() && extension.is_some_and(|e| SPREADSHEETS.contains(&e.as_str())) {
            paths.push(path);
        }
    }
    paths.sort_by_key(|path| file_name(path));
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The partner whose code starts `file_name`, up to the first character that is not a letter or
/// digit: `EU_DG-INTPA_JVAP_2022.xlsx` is `EU`, `ner-2022.csv` is `NER`.
pub fn partner_of(file_name: &str) -> Option<String> {
    let prefix: String = file_name
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    reference::partner(&prefix).map(|partner| partner.code.clone())
}

fn no_partner(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "the file name does not start with a partner code of the reference list (such as \
             NER_...xlsx); it was left out"
        }
        Lang::Fr => {
            "le nom du fichier ne commence pas par un code de partenaire de la liste de référence \
             (par ex. NER_...xlsx) ; il a été écarté"
        }
    }
}

/// One line per file, then the totals and where the files are.
fn summary(consolidation: &Consolidation, out: &Path, written: &[PathBuf], lang: Lang) -> String {
    use std::fmt::Write as _;
    let mut rows: Vec<[String; 4]> = Vec::new();
    let (mut accepted, mut rejected, mut other) = (0, 0, 0);
    for (file, outcome) in &consolidation.files {
        let (partner, verdict, detail) = match outcome {
            Outcome::Accepted { partner, counts } => {
                accepted += 1;
                let detail = match lang {
                    Lang::En => format!("{} initiatives", counts.records),
                    Lang::Fr => format!("{} initiatives", counts.records),
                };
                (partner.as_str(), verdict_word(true, lang), detail)
            }
            Outcome::Rejected { partner, counts } => {
                rejected += 1;
                let errors = match lang {
                    Lang::En => format!("{} errors", counts.errors),
                    Lang::Fr => format!("{} erreurs", counts.errors),
                };
                (partner.as_str(), verdict_word(false, lang), errors)
            }
            Outcome::NoPartner | Outcome::Unreadable(_) => {
                other += 1;
                let left_out = match lang {
                    Lang::En => "left out",
                    Lang::Fr => "écarté",
                };
                ("-", left_out, String::new())
            }
        };
        rows.push([
            file.clone(),
            partner.to_string(),
            verdict.to_string(),
            detail,
        ]);
    }
    let widths: [usize; 3] =
        std::array::from_fn(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0));
    let mut text = String::new();
    for row in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        let _ = writeln!(text, "{}", line.trim_end());
    }
    let partners = consolidation
        .initiatives
        .iter()
        .map(|i| i.partner.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let names: Vec<String> = written.iter().map(|p| file_name(p)).collect();
    let total = consolidation.files.len();
    let initiatives = consolidation.initiatives.len();
    let _ = match lang {
        Lang::En => writeln!(
            text,
            "\n{total} files: {accepted} accepted, {rejected} rejected, {other} left out.\n\
             {initiatives} initiatives from {partners} partners.\n\
             Written to {}: {}",
            out.display(),
            names.join(", ")
        ),
        Lang::Fr => writeln!(
            text,
            "\n{total} fichiers : {accepted} acceptés, {rejected} rejetés, {other} écartés.\n\
             {initiatives} initiatives de {partners} partenaires.\n\
             Écrits dans {} : {}",
            out.display(),
            names.join(", ")
        ),
    };
    text
}

fn verdict_word(accepted: bool, lang: Lang) -> &'static str {
    if accepted {
        Verdict::Accepted.label(lang)
    } else {
        Verdict::Rejected.label(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `jvap` binary of this build as the worker, as `jvap consolidate` runs it.
    fn worker() -> Worker {
        Worker::binary(
            jvap_testkit::processes::binary("jvap").expect("the jvap binary"),
            jvap_worker::Budget::default(),
        )
    }

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

    #[test]
    fn the_partner_is_the_code_that_starts_the_file_name() {
        assert_eq!(
            partner_of("NER_Donnees_JVAP_2022.xlsx").as_deref(),
            Some("NER")
        );
        assert_eq!(
            partner_of("EU_DG-INTPA_JVAP_2022.xlsx").as_deref(),
            Some("EU")
        );
        assert_eq!(partner_of("unhcr-export.csv").as_deref(), Some("UNHCR"));
        assert_eq!(partner_of("Donnees_NER.xlsx"), None);
        assert_eq!(partner_of("NERX_2022.xlsx"), None);
        assert_eq!(partner_of("_NER.xlsx"), None);
    }

    /// Every sample, validated as the service does: the manifest's verdicts and records, the accepted
    /// partners' initiatives kept, a misnamed file reported and left out.
    #[test]
    fn the_samples_consolidate_as_the_manifest_says() {
        let manifest: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(format!("{SAMPLES}manifest.json")).expect("manifest"),
        )
        .expect("manifest JSON");
        let consolidation = collect(Path::new(SAMPLES), "2022", &worker()).expect("consolidated");

        let names: Vec<&str> = consolidation
            .files
            .iter()
            .map(|(f, _)| f.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "in name order");
        assert_eq!(
            names.len(),
            manifest.len(),
            "README and manifest are not read"
        );
        for entry in &manifest {
            let file = entry["file"].as_str().expect("file");
            let (_, outcome) = consolidation
                .files
                .iter()
                .find(|(f, _)| f == file)
                .expect("every sample");
            let partner = entry["partner"].as_str().expect("partner").to_string();
            let records = entry["records"].as_u64().expect("records");
            match (entry["verdict"].as_str(), outcome) {
                (Some("accepted"), Outcome::Accepted { partner: p, counts })
                | (Some("rejected"), Outcome::Rejected { partner: p, counts }) => {
                    assert_eq!(p, &partner, "{file}");
                    assert_eq!(counts.records, records, "{file}");
                }
                (verdict, outcome) => panic!("{file}: {outcome:?}, expected {verdict:?}"),
            }
            let kept = consolidation
                .initiatives
                .iter()
                .filter(|i| i.partner == partner)
                .count() as u64;
            let expected = if entry["verdict"] == "accepted" {
                records
            } else {
                0
            };
            assert_eq!(kept, expected, "{file}");
        }
        assert_eq!(consolidation.statuses.len(), manifest.len());
        let gmb = consolidation
            .statuses
            .iter()
            .find(|s| s.partner == "GMB")
            .expect("GMB status");
        assert_eq!(gmb.state, SubmissionState::Rejected);
        assert_eq!(gmb.submission_id, "GMB_MoI_JVAP_2022.xlsx");
    }

    #[test]
    fn a_later_file_replaces_its_partners_initiatives_and_a_misnamed_one_is_left_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ner = std::fs::read(format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx")).expect("NER");
        let bel =
            std::fs::read(format!("{SAMPLES}BEL_Enabel_collecte_JVAP_2022.csv")).expect("BEL");
        std::fs::write(dir.path().join("NER_a.xlsx"), &ner).expect("written");
        std::fs::write(dir.path().join("NER_b.xlsx"), &ner).expect("written");
        std::fs::write(dir.path().join("Niger.xlsx"), &ner).expect("written");
        std::fs::write(dir.path().join("BEL.csv"), &bel).expect("written");
        std::fs::write(dir.path().join("notes.txt"), "not a spreadsheet").expect("written");

        let consolidation = collect(dir.path(), "2022", &worker()).expect("consolidated");

        let outcomes: Vec<(&str, &Outcome)> = consolidation
            .files
            .iter()
            .map(|(f, o)| (f.as_str(), o))
            .collect();
        assert_eq!(outcomes.len(), 4, "{outcomes:?}");
        assert_eq!(outcomes[3], ("Niger.xlsx", &Outcome::NoPartner));
        let ner: Vec<&DatasetInitiative> = consolidation
            .initiatives
            .iter()
            .filter(|i| i.partner == "NER")
            .collect();
        assert_eq!(ner.len(), 8, "the second file replaces the first");
        assert!(ner.iter().all(|i| i.submission_id == "NER_b.xlsx"));
        assert_eq!(consolidation.initiatives[0].partner, "BEL", "partner order");
        assert_eq!(consolidation.statuses.len(), 3);
    }

    #[test]
    fn an_empty_or_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(collect(dir.path(), "2022", &worker()).is_err());
        assert!(collect(&dir.path().join("missing"), "2022", &worker()).is_err());
    }
}
