//! jvap-worker: partner bytes are parsed only in a child process with a budget.
//!
//! A hostile or damaged file of a few kilobytes can ask a reader for gigabytes: an allocation that
//! fails aborts the process (`catch_unwind` cannot catch it), and a sparse sheet can take gigabytes and
//! tens of seconds. So no service and no CLI command reads a partner's file in its own process. They
//! hand the file to a [`Worker`]: the same binary re-executed with the hidden argument [`WORKER_ARG`]
//! (or the `jvap-worker` binary), which caps its own address space (`RLIMIT_AS`) and CPU time
//! (`RLIMIT_CPU`) before it reads a byte, while the parent holds a wall-clock deadline. A worker that
//! dies or overruns costs the file one file-level issue, `file.too_complex`, and nothing else.
//!
//! # Layout
//! - [`budget`]: [`Budget`], what one file may cost (memory, CPU seconds, wall seconds).
//! - [`job`]: the [`Job`] a worker is given, and the names of the files it leaves in its directory.
//! - [`records`]: the records file a validation leaves (a JSON array, one record per line) and the
//!   sink that writes it.
//! - [`child`]: the worker side: apply the budget, run the job, exit.
//! - [`spawn`]: the parent side: [`Worker`], which runs a job and says what became of it.

pub mod budget;
pub mod child;
pub mod job;
pub mod records;
pub mod spawn;

pub use budget::{Budget, BudgetArgs};
pub use job::Job;
pub use spawn::{Mapping, Overrun, Validated, Worker, WorkerError};

/// The hidden first argument that makes a jvap binary run as a worker (see [`child::run_if_worker`]).
pub const WORKER_ARG: &str = "__jvap-worker";
