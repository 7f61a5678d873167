//! The parent side: run a job in a worker process and say what became of it.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jvap_ingest::Limits;
use jvap_record::columns::ColumnMapping;
use jvap_record::ids::IdCheck;
use jvap_record::{Issue, Lang, Report, catalogue};
use wait_timeout::ChildExt;

use crate::child::EXIT_SYSTEM;
use crate::job::{self, Job, Task};
use crate::{Budget, WORKER_ARG};

/// How a partner said to read a file's columns.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// What the partner confirmed for earlier files (applied where the file has the header).
    pub remembered: ColumnMapping,
    /// Given with this file: it wins over `remembered`, and each of its headers must be in the file.
    pub given: ColumnMapping,
}

impl Mapping {
    /// What is applied: `remembered` overlaid with `given`.
    pub fn applied(&self) -> ColumnMapping {
        self.remembered.overlaid(&self.given)
    }
}

/// How to start a worker (a program given [`WORKER_ARG`] and the job file), and its budget.
#[derive(Debug, Clone)]
pub struct Worker {
    program: PathBuf,
    pub budget: Budget,
}

/// Why a job gave no result.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The file's doing: the worker died or overran its budget on it.
    #[error("the worker stopped on this file: {0}")]
    Overran(Overrun),
    /// The file's doing: a reader panicked on it.
    #[error("the worker's reader panicked on this file")]
    Panicked,
    /// Not the file's doing: no worker could be started.
    #[error("cannot start the worker {program}: {source}")]
    Start {
        program: String,
        source: std::io::Error,
    },
    /// Not the file's doing: the worker's directory or results could not be written or read.
    #[error("the worker's files: {0}")]
    Files(String),
    /// Not the file's doing: the worker said it could not do its job.
    #[error("the worker could not do its job: {0}")]
    Failed(String),
}

/// How a worker overran its budget, in words for the file-level issue (English, technical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overrun {
    /// Still running at the wall-clock deadline (seconds).
    Deadline(u64),
    /// Out of processor time (seconds).
    Cpu(u64),
    /// Ended by another signal: an allocation over the memory cap aborts (bytes).
    Memory(u64),
}

impl std::fmt::Display for Overrun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Overrun::Deadline(s) => write!(f, "it was still being read after {s} s"),
            Overrun::Cpu(s) => write!(f, "it needed more than {s} s of processor time"),
            Overrun::Memory(bytes) => {
                write!(f, "it needed more than {} MiB of memory", bytes >> 20)
            }
        }
    }
}

impl WorkerError {
    /// The file-level issue this gives the file, when it is the file's doing; `None` for a failure of
    /// the system (retry later).
    pub fn file_issue(&self) -> Option<Issue> {
        match self {
            WorkerError::Overran(overrun) => Some(Issue::new(
                &catalogue::FILE_TOO_COMPLEX,
                &overrun.to_string(),
            )),
            WorkerError::Panicked => Some(Issue::new(
                &catalogue::FILE_CORRUPT,
                "the validator could not read it",
            )),
            _ => None,
        }
    }
}

/// What a validation left: the report without its records, the records file, and the annotated
/// workbooks that could be written.
#[derive(Debug)]
pub struct Validated {
    dir: tempfile::TempDir,
    /// Verdict, counts and issues; `records` is empty (they are in [`Validated::records_path`]).
    pub report: Report,
    /// The annotated workbook in each language asked for that was written.
    pub annotated: Vec<(Lang, PathBuf)>,
    /// Why the annotated workbooks are missing, when the worker stopped after the report.
    pub annotation_error: Option<WorkerError>,
}

impl Validated {
    /// The records, a JSON array with one record per line ([`crate::records`]).
    pub fn records_path(&self) -> PathBuf {
        self.dir.path().join(job::RECORDS)
    }
    /// The report without its records, as JSON.
    pub fn report_path(&self) -> PathBuf {
        self.dir.path().join(job::REPORT)
    }
}

impl Worker {
    /// This very binary run again: its `main` must call [`crate::child::run_if_worker`] first.
    /// `JVAP_WORKER`, when set, names another binary instead (such as `jvap-worker`).
    pub fn this_binary(budget: Budget) -> std::io::Result<Worker> {
        let program = match std::env::var_os("JVAP_WORKER").filter(|p| !p.is_empty()) {
            Some(program) => PathBuf::from(program),
            None => std::env::current_exe()?,
        };
        Ok(Worker::binary(program, budget))
    }

    /// Another binary that runs jobs: `jvap-worker`, or any whose `main` calls
    /// [`crate::child::run_if_worker`] first.
    pub fn binary(program: impl Into<PathBuf>, budget: Budget) -> Worker {
        Worker {
            program: program.into(),
            budget,
        }
    }

    /// Validate the file at `input` (sent as `file_name`) in a worker, then write its annotated
    /// workbook in each of `annotate`. A worker that stops after the report still gives the report.
    pub fn validate(
        &self,
        input: &Path,
        file_name: &str,
        limits: &Limits,
        annotate: &[Lang],
    ) -> Result<Validated, WorkerError> {
        self.validate_checked(input, file_name, limits, annotate, None)
    }

    /// [`Worker::validate_checked`] with the file's columns read as the partner said
    /// ([`Mapping`]).
    pub fn validate_mapped(
        &self,
        input: &Path,
        file_name: &str,
        limits: &Limits,
        annotate: &[Lang],
        ids: Option<&IdCheck>,
        mapping: &Mapping,
    ) -> Result<Validated, WorkerError> {
        let task = Task::Validate {
            limits: limits.clone(),
            annotate: annotate.to_vec(),
            ids: ids.cloned(),
            mapping: mapping.applied(),
            given: mapping.given.clone(),
        };
        self.validate_task(input, file_name, annotate, task)
    }

    /// [`Worker::validate`], checking the file's JVAP ids against the database's (`ids`): a row
    /// with an unknown id or another partner's is an error at its cell.
    pub fn validate_checked(
        &self,
        input: &Path,
        file_name: &str,
        limits: &Limits,
        annotate: &[Lang],
        ids: Option<&IdCheck>,
    ) -> Result<Validated, WorkerError> {
        self.validate_mapped(input, file_name, limits, annotate, ids, &Mapping::default())
    }

    fn validate_task(
        &self,
        input: &Path,
        file_name: &str,
        annotate: &[Lang],
        task: Task,
    ) -> Result<Validated, WorkerError> {
        let dir = scratch()?;
        let ran = self.run(dir.path(), input, file_name, task);
        let report_path = dir.path().join(job::REPORT);
        let annotation_error = match ran {
            Ok(()) => None,
            Err(error) if report_path.exists() => Some(error),
            Err(error) => return Err(error),
        };
        let report = read_report(&report_path)?;
        let annotated = annotate
            .iter()
            .map(|&lang| (lang, job::annotated(dir.path(), lang)))
            .filter(|(_, path)| path.exists())
            .collect();
        Ok(Validated {
            dir,
            report,
            annotated,
            annotation_error,
        })
    }

    /// Run one job in `dir` and wait for it within the budget.
    fn run(
        &self,
        dir: &Path,
        input: &Path,
        file_name: &str,
        task: Task,
    ) -> Result<(), WorkerError> {
        let job = Job {
            budget: self.budget,
            input: input.to_path_buf(),
            file_name: file_name.to_string(),
            task,
        };
        let job_path = dir.join(job::JOB);
        std::fs::write(&job_path, serde_json::to_vec(&job).map_err(files)?).map_err(files)?;
        let stderr = std::fs::File::create(dir.join(job::STDERR)).map_err(files)?;
        let mut child = Command::new(&self.program)
            .arg(WORKER_ARG)
            .arg(&job_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            // Few malloc arenas: each reserves 64 MiB of address space, which counts against the cap.
            .env("MALLOC_ARENA_MAX", "2")
            .env("RUST_BACKTRACE", "0")
            .spawn()
            .map_err(|source| WorkerError::Start {
                program: self.program.display().to_string(),
                source,
            })?;
        let status = match child.wait_timeout(self.budget.wall).map_err(files)? {
            Some(status) => status,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(WorkerError::Overran(Overrun::Deadline(
                    self.budget.wall.as_secs(),
                )));
            }
        };
        if status.success() {
            return Ok(());
        }
        let said = stderr_tail(&dir.join(job::STDERR));
        tracing::warn!(%status, stderr = %said, "the worker did not finish its job");
        match (status.code(), status.signal()) {
            (Some(101), _) => Err(WorkerError::Panicked),
            (Some(EXIT_SYSTEM), _) => Err(WorkerError::Failed(said)),
            // SIGXCPU at the soft limit, or SIGKILL at the hard one a second later.
            (_, Some(24)) => Err(WorkerError::Overran(Overrun::Cpu(self.budget.cpu_seconds))),
            (_, Some(9)) if said.is_empty() => {
                Err(WorkerError::Overran(Overrun::Cpu(self.budget.cpu_seconds)))
            }
            _ => Err(WorkerError::Overran(Overrun::Memory(
                self.budget.memory_bytes,
            ))),
        }
    }
}

/// A fresh directory for one job, removed when its result is dropped.
fn scratch() -> Result<tempfile::TempDir, WorkerError> {
    tempfile::Builder::new()
        .prefix("jvap-worker-")
        .tempdir()
        .map_err(files)
}

fn read_report(path: &Path) -> Result<Report, WorkerError> {
    let bytes = std::fs::read(path).map_err(files)?;
    serde_json::from_slice(&bytes).map_err(files)
}

fn files(error: impl std::fmt::Display) -> WorkerError {
    WorkerError::Files(error.to_string())
}

/// The last lines the worker wrote on its standard error (at most 2 KB).
fn stderr_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    let start = text.len().saturating_sub(2048);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].trim().to_string()
}
