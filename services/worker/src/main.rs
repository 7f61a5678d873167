//! `jvap-worker __jvap-worker JOB`: run one parsing job under its budget (see `jvap_worker`).
//! Services and the CLI run themselves as the worker; this binary serves tests, and deployments that
//! prefer a separate one (`JVAP_WORKER`).

fn main() {
    jvap_worker::child::run_if_worker();
    eprintln!("usage: jvap-worker {} JOB_FILE", jvap_worker::WORKER_ARG);
    std::process::exit(jvap_worker::child::EXIT_SYSTEM);
}
