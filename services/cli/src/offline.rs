//! Commands that need no server: validate, template, codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::io::Write;

use anyhow::Context;
use jvap_ingest::Limits;
use jvap_record::{Lang, Report, Verdict};
use jvap_worker::Worker;

use crate::args::OutputFormat;
use crate::render;

/// The files `jvap validate` writes besides its report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outputs<'a> {
    /// The workbook back with its problem cells coloured and noted (`--annotate`).
    pub annotate: Option<&'a Path>,
    /// The issue list, CSV or xlsx by the extension (`--issues`).
    pub issues: Option<&'a Path>,
}

/// How an issue list is written, from its file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IssuesFormat {
    Csv,
    Xlsx,
}

impl IssuesFormat {
    fn of(path: &Path) -> anyhow::Result<IssuesFormat> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("csv") => Ok(IssuesFormat::Csv),
            Some("xlsx") => Ok(IssuesFormat::Xlsx),
            _ => anyhow::bail!(
                "--issues {}: the name must end in .csv or .xlsx",
                path.display()
            ),
        }
    }
}

/// `jvap validate`: the file is read by a worker process under its budget (never in this one), so a
/// hostile file gets a report with `file.too_complex`, never a crash.
pub fn validate(
    file: &Path,
    format: OutputFormat,
    outputs: Outputs<'_>,
    lang: Lang,
    worker: &Worker,
) -> anyhow::Result<ExitCode> {
    let Outputs { annotate, issues } = outputs;
    // A bad name is said before the file is read.
    let issues_format = issues.map(IssuesFormat::of).transpose()?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let langs: Vec<Lang> = annotate.iter().map(|_| lang).collect();
    // The user's own file gets the offline limits (no upload limit to mirror; the inflation ratio
    // still refuses a zip bomb); an xlsx is read from the file as needed, not loaded whole.
    let (validated, report) = match worker.validate(file, &file_name, &Limits::offline(), &langs) {
        Ok(validated) => {
            let report = validated.report.clone();
            (Some(validated), report)
        }
        Err(error) => match error.file_issue() {
            Some(issue) => (None, Report::file_error(issue)),
            None => return Err(error).context("the file could not be validated"),
        },
    };
    match format {
        OutputFormat::Json => {
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let records = validated.as_ref().map(|v| v.records_path());
            write_json(&report, records.as_deref(), &mut out)?;
            out.flush()?;
        }
        OutputFormat::Text => print!("{}", render::report(&report, &file_name, lang)),
    }
    if let Some(out) = annotate {
        let written = validated
            .as_ref()
            .and_then(|v| v.annotated.first())
            .map(|(_, path)| path.clone());
        match written {
            Some(path) => {
                std::fs::copy(&path, out)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                eprintln!("annotated workbook: {}", out.display());
            }
            None => {
                let why = validated
                    .as_ref()
                    .and_then(|v| v.annotation_error.as_ref())
                    .map_or_else(
                        || "the file could not be read".to_string(),
                        |e| e.to_string(),
                    );
                eprintln!("no annotated workbook: {why}");
            }
        }
    }
    if let (Some(out), Some(issues_format)) = (issues, issues_format) {
        let bytes = match issues_format {
            IssuesFormat::Csv => jvap_outputs::issues::issues_csv(&report, lang),
            IssuesFormat::Xlsx => jvap_outputs::issues::issues_xlsx(&report, lang),
        }
        .context("the issue list could not be written")?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("issue list: {}", out.display());
    }
    Ok(verdict_code(report.verdict))
}

/// Write the whole report as `serde_json::to_string_pretty` would, its records read one at a time
/// from the worker's records file, and a new line.
fn write_json(
    summary: &Report,
    records: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    out.write_all(b"{\n  \"verdict\": ")?;
    serde_json::to_writer(&mut *out, &summary.verdict)?;
    out.write_all(b",\n  \"counts\": ")?;
    write_indented(out, &serde_json::to_vec_pretty(&summary.counts)?, b"  ")?;
    out.write_all(b",\n  \"issues\": ")?;
    write_indented(out, &serde_json::to_vec_pretty(&summary.issues)?, b"  ")?;
    out.write_all(b",\n  \"records\": ")?;
    match records {
        Some(path) if summary.counts.records > 0 => {
            out.write_all(b"[\n")?;
            let mut first = true;
            let mut buffer = Vec::with_capacity(4096);
            jvap_worker::records::for_each(path, |record| {
                if !first {
                    out.write_all(b",\n")?;
                }
                first = false;
                buffer.clear();
                serde_json::to_writer_pretty(&mut buffer, &record)?;
                out.write_all(b"    ")?;
                write_indented(out, &buffer, b"    ")
            })?;
            out.write_all(b"\n  ]")?;
        }
        _ => out.write_all(b"[]")?,
    }
    // As `Report` serialises it: left out when every header is the template's.
    if !summary.columns.is_empty() {
        out.write_all(b",\n  \"columns\": ")?;
        write_indented(out, &serde_json::to_vec_pretty(&summary.columns)?, b"  ")?;
    }
    out.write_all(b"\n}\n")?;
    Ok(())
}

/// Pretty JSON nested `indent` deeper: the indent after every new line (JSON strings hold none raw).
fn write_indented(out: &mut impl Write, json: &[u8], indent: &[u8]) -> std::io::Result<()> {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent)?;
        out.write_all(line)?;
    }
    Ok(())
}

pub fn verdict_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Accepted => ExitCode::SUCCESS,
        Verdict::Rejected => ExitCode::from(1),
    }
}

pub fn template(output: Option<PathBuf>, lang: Lang) -> anyhow::Result<ExitCode> {
    let output = output.unwrap_or_else(|| {
        let code = lang.code();
        PathBuf::from(format!("jvap-template-{code}.xlsx"))
    });
    let bytes = jvap_outputs::template::template(lang).context("could not build the template")?;
    std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    println!("{}", output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn codes(format: OutputFormat) -> anyhow::Result<ExitCode> {
    let kinds = jvap_record::catalogue::ALL;
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(kinds)?),
        OutputFormat::Text => print!("{}", render::codes(kinds)),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jvap_worker::records::RecordsSink;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

    /// The streamed JSON is byte for byte what serialising the whole report gives.
    #[test]
    fn streamed_json_is_the_pretty_report() {
        let mut checked = 0;
        for entry in std::fs::read_dir(SAMPLES).expect("samples") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let expected = serde_json::to_string_pretty(&jvap_ingest::validate(&name, &bytes))
                .expect("json")
                + "\n";
            let dir = tempfile::tempdir().expect("temp dir");
            let records = dir.path().join("records.json");
            let mut sink = RecordsSink::create(&records).expect("records file");
            jvap_ingest::validate_into(&name, &bytes, &Limits::default(), &mut sink);
            let summary = sink.close().expect("closed");
            let mut out = Vec::new();
            write_json(&summary, Some(&records), &mut out).expect("written");
            assert_eq!(String::from_utf8_lossy(&out), expected, "{name}");
            checked += 1;
        }
        assert!(checked > 0);
    }
}
