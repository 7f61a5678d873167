//! Commands that need no server: validate, template, codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::io::{Seek, SeekFrom, Write};

use anyhow::Context;
use jvap_core::report::{ReportSink, Tally};
use jvap_core::{Counts, Initiative, Issue, Lang, Limits, Report, Verdict};

use crate::args::OutputFormat;
use crate::render;

pub fn validate(
    file: &Path,
    format: OutputFormat,
    annotate: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    // Records are only printed as JSON: they go to a spool file as they are found, the issues (few)
    // stay in memory, and the report is written once verdict and counts are known.
    let mut sink = StreamedReport::new(format == OutputFormat::Json)?;
    // An xlsx is read from the file as needed, not loaded whole; the user's own file gets the offline
    // limits (no upload limit to mirror; the inflation ratio still refuses a zip bomb).
    jvap_core::validate_path_into(file, &Limits::offline(), &mut sink)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let report = sink.summary();
    match format {
        OutputFormat::Json => {
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            sink.write_json(&report, &mut out)?;
            out.flush()?;
        }
        OutputFormat::Text => print!("{}", render::report(&report, &file_name, lang)),
    }
    if let Some(out) = annotate {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let annotated = jvap_core::annotate::annotate(&file_name, &bytes, &report, lang)
            .context("could not write the annotated workbook")?;
        std::fs::write(out, annotated)
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("annotated workbook: {}", out.display());
    }
    Ok(verdict_code(report.verdict))
}

/// A report as validation streams it: issues and counts in memory, records (when they are to be
/// printed) written to a temporary spool file as pretty JSON array items, in the layout
/// `serde_json::to_string_pretty` gives the whole report.
struct StreamedReport {
    rows: u64,
    tally: Tally,
    issues: Vec<Issue>,
    spool: Option<Spool>,
}

struct Spool {
    file: std::io::BufWriter<std::fs::File>,
    /// One record's pretty JSON, reused.
    buffer: Vec<u8>,
    /// The first write error: reported when the report is written.
    error: Option<std::io::Error>,
}

impl Spool {
    fn new() -> anyhow::Result<Spool> {
        let file = spool_file().context("cannot create a temporary file for the records")?;
        Ok(Spool {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            buffer: Vec::with_capacity(4096),
            error: None,
        })
    }
}

/// A new, empty temporary file, already unlinked where the system allows (it goes when closed).
fn spool_file() -> std::io::Result<std::fs::File> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir();
    loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("jvap-records-{}-{n}.json", std::process::id()));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => {
                let _ = std::fs::remove_file(&path);
                return Ok(file);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
}

impl StreamedReport {
    fn new(records: bool) -> anyhow::Result<Self> {
        Ok(StreamedReport {
            rows: 0,
            tally: Tally::default(),
            issues: Vec::new(),
            spool: if records { Some(Spool::new()?) } else { None },
        })
    }

    /// The report without its records (verdict, counts and issues are complete).
    fn summary(&self) -> Report {
        Report {
            verdict: self.tally.verdict(),
            counts: Counts {
                rows: self.rows,
                ..self.tally.counts
            },
            issues: self.issues.clone(),
            records: Vec::new(),
        }
    }

    /// Write the whole report as `serde_json::to_string_pretty` would, records from the spool, and a
    /// new line.
    fn write_json(&mut self, summary: &Report, out: &mut impl Write) -> anyhow::Result<()> {
        out.write_all(b"{\n  \"verdict\": ")?;
        serde_json::to_writer(&mut *out, &summary.verdict)?;
        out.write_all(b",\n  \"counts\": ")?;
        write_indented(out, &serde_json::to_vec_pretty(&summary.counts)?, b"  ")?;
        out.write_all(b",\n  \"issues\": ")?;
        write_indented(out, &serde_json::to_vec_pretty(&summary.issues)?, b"  ")?;
        out.write_all(b",\n  \"records\": ")?;
        match self.spool.as_mut() {
            Some(spool) if summary.counts.records > 0 => {
                if let Some(error) = spool.error.take() {
                    return Err(error).context("cannot write the records to a temporary file");
                }
                spool.file.flush()?;
                let file = spool.file.get_mut();
                file.seek(SeekFrom::Start(0))?;
                out.write_all(b"[\n")?;
                std::io::copy(file, out)?;
                out.write_all(b"\n  ]")?;
            }
            _ => out.write_all(b"[]")?,
        }
        out.write_all(b"\n}\n")?;
        Ok(())
    }
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

impl ReportSink for StreamedReport {
    fn issue(&mut self, issue: Issue) {
        self.tally.issue(&issue);
        self.issues.push(issue);
    }

    fn record(&mut self, record: Initiative) {
        let first = self.tally.counts.records == 0;
        self.tally.record();
        let Some(spool) = self.spool.as_mut() else {
            return;
        };
        if spool.error.is_some() {
            return;
        }
        spool.buffer.clear();
        let written = serde_json::to_writer_pretty(&mut spool.buffer, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| {
                if !first {
                    spool.file.write_all(b",\n")?;
                }
                spool.file.write_all(b"    ")?;
                write_indented(&mut spool.file, &spool.buffer, b"    ")
            });
        if let Err(error) = written {
            spool.error = Some(error);
        }
    }

    fn reset(&mut self) {
        self.tally = Tally::default();
        self.issues.clear();
        if self.spool.is_some() {
            // A new spool; if none can be made, the old one's error says so when the report is written.
            match Spool::new() {
                Ok(spool) => self.spool = Some(spool),
                Err(error) => {
                    if let Some(spool) = self.spool.as_mut() {
                        spool.error = Some(std::io::Error::other(error.to_string()));
                    }
                }
            }
        }
    }

    fn finish(&mut self, rows: u64, first: Option<Issue>) {
        self.rows = rows;
        if let Some(first) = first {
            self.tally.issue(&first);
            self.issues.insert(0, first);
        }
    }
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
    let bytes = jvap_core::template::template(lang).context("could not build the template")?;
    std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    println!("{}", output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn codes(format: OutputFormat) -> anyhow::Result<ExitCode> {
    let kinds = jvap_core::catalogue::ALL;
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(kinds)?),
        OutputFormat::Text => print!("{}", render::codes(kinds)),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let expected = serde_json::to_string_pretty(&jvap_core::validate(&name, &bytes))
                .expect("json")
                + "\n";
            let mut sink = StreamedReport::new(true).expect("spool");
            jvap_core::validate_into(&name, &bytes, &Limits::default(), &mut sink);
            let summary = sink.summary();
            let mut out = Vec::new();
            sink.write_json(&summary, &mut out).expect("written");
            assert_eq!(String::from_utf8_lossy(&out), expected, "{name}");
            checked += 1;
        }
        assert!(checked > 0);
    }
}
