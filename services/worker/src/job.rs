//! The job a worker is given, and where it leaves what it made.
//!
//! The parent writes the job as `job.json` into a fresh directory and names that file on the worker's
//! command line; the worker writes its results beside it under the names below.

use std::path::{Path, PathBuf};

use jvap_ingest::Limits;
use jvap_record::Lang;
use jvap_record::columns::ColumnMapping;
use jvap_record::ids::IdCheck;

use crate::Budget;

/// What the worker does.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub budget: Budget,
    /// The partner's file on disk.
    pub input: PathBuf,
    /// The name it was sent under (the readers look at its extension).
    pub file_name: String,
    pub task: Task,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Task {
    /// Validate the file: [`RECORDS`], then [`REPORT`] (the report without its records), written
    /// whole or not at all; then the annotated workbook in each of `annotate` ([`annotated`]).
    /// With `ids`, the file's JVAP ids are checked against the database's
    /// ([`jvap_ingest::validate_path_checked_into`]).
    Validate {
        limits: Limits,
        annotate: Vec<Lang>,
        #[serde(default)]
        ids: Option<IdCheck>,
        /// How the partner said to read the file's columns (what it remembered, overlaid with what it
        /// gave with this file), applied before scoring.
        #[serde(default)]
        mapping: ColumnMapping,
        /// The part of `mapping` given with this file: each of its headers must be in the file.
        #[serde(default)]
        given: ColumnMapping,
    },
}

/// The job itself.
pub const JOB: &str = "job.json";
/// The report, without its records (`records` is an empty list): verdict, counts and issues.
pub const REPORT: &str = "report.json";
/// The normalised records, a JSON array with one record per line (see [`crate::records`]).
pub const RECORDS: &str = "records.json";
/// What the worker wrote on its standard error (the end of it goes into the log when it fails).
pub const STDERR: &str = "stderr.txt";

/// The annotated workbook in `lang`: `annotated.en.xlsx`.
pub fn annotated(dir: &Path, lang: Lang) -> PathBuf {
    dir.join(format!("annotated.{}.xlsx", lang.code()))
}
