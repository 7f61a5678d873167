//! The worker side: cap this process, run the job, exit.
//!
//! Exit codes: 0 done; 101 a panic (Rust's own: the file broke a reader); [`EXIT_SYSTEM`] the job
//! could not be done for a reason that is not the file's (an unreadable job, a full disk). An abort
//! (an allocation over the cap fails) or a signal (`SIGXCPU`, `SIGKILL`) needs no code of ours.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use rlimit::Resource;

use crate::job::{self, Job, Task};
use crate::records::RecordsSink;
use crate::{Budget, WORKER_ARG};

/// The worker could not do its job, and the file is not to blame.
pub const EXIT_SYSTEM: i32 = 3;

/// Call first thing in `main` of every binary that hands files to a [`crate::Worker`] running it
/// again: when the first argument is [`WORKER_ARG`], run the job it names and exit; otherwise return.
pub fn run_if_worker() {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(WORKER_ARG)) {
        return;
    }
    let code = match args.next() {
        Some(job) => run(Path::new(&job)),
        None => {
            eprintln!("{WORKER_ARG} needs the path of a job file");
            EXIT_SYSTEM
        }
    };
    std::process::exit(code);
}

/// Run the job in the file at `job_path` (its directory receives the results); the exit code.
pub fn run(job_path: &Path) -> i32 {
    match try_run(job_path) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("jvap worker: {error}");
            EXIT_SYSTEM
        }
    }
}

fn try_run(job_path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let job: Job = serde_json::from_slice(&std::fs::read(job_path)?)?;
    apply(&job.budget)?;
    watch_parent();
    let dir = job_path.parent().unwrap_or(Path::new("."));
    let Task::Validate {
        limits,
        annotate,
        ids,
        mapping,
        given,
    } = &job.task;
    let mut sink = RecordsSink::create(&dir.join(job::RECORDS))?;
    jvap_ingest::validate_path_checked_into(&job.input, limits, mapping, ids.as_ref(), &mut sink)?;
    let report = sink.close_given(given)?;
    // Written under another name and renamed: a report on disk is a whole one.
    let partial = dir.join("report.json.partial");
    write_json(&partial, &report)?;
    std::fs::rename(&partial, dir.join(job::REPORT))?;
    if annotate.is_empty() {
        return Ok(());
    }
    let bytes = std::fs::read(&job.input)?;
    for lang in annotate {
        let workbook = jvap_ingest::annotate::annotate(&job.file_name, &bytes, &report, *lang)?;
        let partial = dir.join("annotated.partial");
        std::fs::write(&partial, workbook)?;
        std::fs::rename(&partial, job::annotated(dir, *lang))?;
    }
    Ok(())
}

/// Cap this process before it reads anything: no core dumps, the address space and the CPU time of
/// the budget (never above a hard limit already set, which an unprivileged process cannot raise).
fn apply(budget: &Budget) -> std::io::Result<()> {
    Resource::CORE.set(0, 0)?;
    let cap = |resource: Resource, soft: u64, hard: u64| -> std::io::Result<()> {
        let (_, current_hard) = resource.get()?;
        resource.set(soft.min(current_hard), hard.min(current_hard))
    };
    cap(Resource::AS, budget.memory_bytes, budget.memory_bytes)?;
    // The soft limit sends SIGXCPU; a second later the hard one SIGKILL.
    cap(
        Resource::CPU,
        budget.cpu_seconds,
        budget.cpu_seconds.saturating_add(1),
    )
}

/// End this worker when its parent goes (a killed service must not leave workers running on).
fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    // Without the watch (no memory left for a thread), the CPU cap still ends an orphan.
    let _ = std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(250));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(EXIT_SYSTEM);
                }
            }
        });
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut out, value)?;
    out.flush()
}
