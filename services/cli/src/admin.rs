//! `jvap admin backup DIR` and `jvap admin restore DIR [--force]`: straight to NATS and the
//! database, with the services' settings (`JVAP_NATS_URL`…, `DATABASE_URL`, `JVAP_DATA_DIR`). The
//! work is `jvap_admin`'s; this prints what it did.

use std::process::ExitCode;

use anyhow::Context;

use crate::args::{BackupArgs, RestoreArgs, StateArgs};

pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let target = target(args.state);
    let report = runtime()?.block_on(jvap_admin::backup(&target, &args.dir))?;
    print!("{report}");
    println!("Backup written to {}.", args.dir.display());
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let target = target(args.state);
    let options = jvap_admin::RestoreOptions { force: args.force };
    let report = runtime()?.block_on(jvap_admin::restore(&target, &args.dir, options))?;
    print!("{report}");
    println!("Start the services on it now.");
    Ok(ExitCode::SUCCESS)
}

fn target(state: StateArgs) -> jvap_admin::Target {
    jvap_admin::Target {
        database: state.database.database(),
        nats: state.nats,
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
