//! `jvap`: validate, template and consolidate offline; submit, status, download, tokens, rounds, the
//! Committee list and summary e-mails against a running system; back up and restore it.
//!
//! Exit status: 0 accepted (or done), 1 rejected or refused by the server, 2 when the command itself
//! could not run (bad arguments, unreadable file, unreachable server).

mod admin;
mod args;
mod baseline;
mod client;
mod consolidate;
mod offline;
mod remote;
mod render;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::args::{AdminAction, Cli, Command, RoundAction};
use crate::client::ApiError;

fn main() -> ExitCode {
    // Run again as a worker, this binary parses one file under its budget and exits.
    jvap_worker::child::run_if_worker();
    // clap prints usage errors and exits with status 2 itself.
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("jvap: {error:#}");
            if error.downcast_ref::<ApiError>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang.into();
    match cli.command {
        Command::Validate {
            file,
            format,
            annotate,
            issues,
        } => offline::validate(
            &file,
            format,
            offline::Outputs {
                annotate: annotate.as_deref(),
                issues: issues.as_deref(),
            },
            lang,
            &worker()?,
        ),
        Command::Template {
            output,
            prefill: false,
            ..
        } => offline::template(output, lang),
        Command::Codes { format } => offline::codes(format),
        Command::Consolidate { dir, out, round } => {
            consolidate::run(&dir, &out, &round, lang, &worker()?)
        }
        Command::Admin {
            action: AdminAction::Backup(args),
        } => admin::backup(args),
        Command::Admin {
            action: AdminAction::Restore(args),
        } => admin::restore(args),
        Command::Admin {
            action: AdminAction::ImportBaseline(args),
        } => baseline::import(args, lang, &worker()?),
        Command::Round {
            action:
                RoundAction::Open {
                    round,
                    from: Some(from),
                    state,
                },
        } => {
            baseline::open_from(&round, &from, &state)?;
            let open = Command::Round {
                action: RoundAction::Open {
                    round,
                    from: None,
                    state,
                },
            };
            remote::run(&cli.server, cli.token.as_deref(), lang, open)
        }
        remote_command => remote::run(&cli.server, cli.token.as_deref(), lang, remote_command),
    }
}

/// This binary as the worker that reads partner files, with the budget of `JVAP_WORKER_*`.
fn worker() -> anyhow::Result<jvap_worker::Worker> {
    let budget = jvap_worker::Budget::from_env()?;
    jvap_worker::Worker::this_binary(budget)
        .context("cannot find this binary to run it as a worker")
}
