//! The records a validation leaves: a JSON array with one record per line.
//!
//! ```text
//! [
//! {"title":"…",…},
//! {"title":"…",…}
//! ]
//! ```
//! Any JSON reader takes it whole (aggregation reads it as `Vec<Initiative>`), and [`for_each`] takes
//! it a line at a time, so a file of a million records is never held in memory to be printed or copied.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use jvap_record::catalogue;
use jvap_record::columns::{ColumnMapping, ColumnRead, not_exact};
use jvap_record::report::{ReportSink, Tally};
use jvap_record::{Counts, Initiative, Issue, Report};

/// A [`ReportSink`] that writes records to a file as they come and keeps the issues (few) in memory.
pub struct RecordsSink {
    file: BufWriter<File>,
    written: u64,
    rows: u64,
    tally: Tally,
    issues: Vec<Issue>,
    /// How every header cell of every data sheet was read.
    columns: Vec<ColumnRead>,
    /// The first write error, returned by [`RecordsSink::close`].
    error: Option<std::io::Error>,
}

impl RecordsSink {
    /// Create (or empty) the records file at `path`.
    pub fn create(path: &Path) -> std::io::Result<RecordsSink> {
        let mut file = BufWriter::with_capacity(1 << 16, File::create(path)?);
        file.write_all(b"[")?;
        Ok(RecordsSink {
            file,
            written: 0,
            rows: 0,
            tally: Tally::default(),
            issues: Vec::new(),
            columns: Vec::new(),
            error: None,
        })
    }

    /// End the array and give the report without its records.
    pub fn close(self) -> std::io::Result<Report> {
        self.close_given(&ColumnMapping::default())
    }

    /// [`RecordsSink::close`], for a file sent with the mapping `given`: each of its headers that no
    /// data sheet has is an error first in the report (`mapping.header_missing`).
    pub fn close_given(mut self, given: &ColumnMapping) -> std::io::Result<Report> {
        let missing: Vec<Issue> = given
            .missing_from(&self.columns)
            .into_iter()
            .map(|header| {
                Issue::new_in(
                    &catalogue::MAPPING_HEADER_MISSING,
                    &format!("\"{header}\""),
                    &format!("« {header} »"),
                )
                .value(header)
            })
            .collect();
        for issue in missing.into_iter().rev() {
            self.tally.issue(&issue);
            self.issues.insert(0, issue);
        }
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.file.write_all(b"\n]\n")?;
        self.file.flush()?;
        Ok(Report {
            verdict: self.tally.verdict(),
            counts: Counts {
                rows: self.rows,
                ..self.tally.counts
            },
            issues: self.issues,
            records: Vec::new(),
            columns: not_exact(&self.columns),
        })
    }

    fn write(&mut self, record: &Initiative) -> std::io::Result<()> {
        self.file
            .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut self.file, record)?;
        self.written += 1;
        Ok(())
    }

    fn restart_file(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        let file = self.file.get_mut();
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        self.file.write_all(b"[")?;
        self.written = 0;
        Ok(())
    }
}

impl ReportSink for RecordsSink {
    fn issue(&mut self, issue: Issue) {
        self.tally.issue(&issue);
        self.issues.push(issue);
    }

    fn record(&mut self, record: Initiative) {
        self.tally.record();
        if self.error.is_none()
            && let Err(error) = self.write(&record)
        {
            self.error = Some(error);
        }
    }

    fn reset(&mut self) {
        self.tally = Tally::default();
        self.issues.clear();
        self.columns.clear();
        if self.error.is_none()
            && let Err(error) = self.restart_file()
        {
            self.error = Some(error);
        }
    }

    fn finish(&mut self, rows: u64, first: Option<Issue>) {
        self.rows = rows;
        if let Some(first) = first {
            self.tally.issue(&first);
            self.issues.insert(0, first);
        }
    }

    fn columns(&mut self, columns: &[ColumnRead]) {
        self.columns.extend_from_slice(columns);
    }
}

/// Why a records file could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("cannot read the records file: {0}")]
    Io(#[from] std::io::Error),
    #[error("record {line} of the records file is not a record: {source}")]
    Json {
        line: usize,
        source: serde_json::Error,
    },
}

/// Call `visit` with each record of the file at `path`, in order, one line at a time.
pub fn for_each(
    path: &Path,
    mut visit: impl FnMut(Initiative) -> std::io::Result<()>,
) -> Result<(), RecordsError> {
    let reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        let item = line.trim_end().trim_end_matches(',');
        if item.is_empty() || item == "[" || item == "]" {
            continue;
        }
        let record = serde_json::from_str(item).map_err(|source| RecordsError::Json {
            line: n + 1,
            source,
        })?;
        visit(record)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

    #[test]
    fn the_records_file_is_a_json_array_of_the_reports_records_read_back_line_by_line() {
        let bytes = std::fs::read(format!("{SAMPLES}EU_DG-INTPA_JVAP_2022.xlsx")).expect("sample");
        let expected = jvap_ingest::validate("EU_DG-INTPA_JVAP_2022.xlsx", &bytes);
        assert!(!expected.records.is_empty());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("records.json");

        let mut sink = RecordsSink::create(&path).expect("created");
        jvap_ingest::validate_into(
            "EU_DG-INTPA_JVAP_2022.xlsx",
            &bytes,
            &jvap_ingest::Limits::default(),
            &mut sink,
        );
        let summary = sink.close().expect("closed");
        let whole: Vec<Initiative> =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("a JSON array");
        let mut lines = Vec::new();
        for_each(&path, |record| {
            lines.push(record);
            Ok(())
        })
        .expect("read back");

        assert_eq!(whole, expected.records);
        assert_eq!(lines, expected.records);
        assert_eq!(summary.counts, expected.counts);
        assert_eq!(summary.issues, expected.issues);
        assert!(summary.records.is_empty());
    }

    #[test]
    fn a_file_without_records_is_an_empty_array() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("records.json");

        let sink = RecordsSink::create(&path).expect("created");
        sink.close().expect("closed");
        let whole: Vec<Initiative> =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("a JSON array");

        assert!(whole.is_empty());
    }
}
