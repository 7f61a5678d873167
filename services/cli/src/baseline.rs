//! `jvap admin import-baseline FILE --round R` and the first part of `jvap round open --from F`:
//! a round's version 1 from an earlier round's data, straight to NATS and the database (as
//! `jvap admin backup`), the work being `jvap_aggregation::baseline`'s.
//!
//! A baseline is checked with the rules of an upload, in the worker: each partner's initiatives
//! are written into the official template (the pre-filled workbook a partner downloads, ids in
//! their column) and validated as that partner's file. An error anywhere refuses the whole file
//! (nothing is imported): a baseline is the database as it stood, and half of it would be a
//! different database; every problem is printed with its partner, initiative and cell, and the
//! command exits 1. Warnings are kept with their rows, as for an upload.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;
use jvap_aggregation::baseline::{self, Carried, Started};
use jvap_aggregation::incoming::NewInitiative;
use jvap_aggregation::{Database, Store};
use jvap_ingest::Limits;
use jvap_outputs::DatasetInitiative;
use jvap_record::catalogue::Severity;
use jvap_record::{Initiative, Lang, report};
use jvap_worker::Worker;
use serde::Deserialize;

use crate::args::{ImportBaselineArgs, StateArgs};

/// The part of a `dataset.json` a baseline reads.
#[derive(Deserialize)]
struct DatasetDocument {
    initiatives: Vec<DatasetInitiative>,
}

/// One problem of a baseline, where it is.
struct Problem {
    partner: String,
    initiative: String,
    cell: String,
    message: String,
}

pub fn import(args: ImportBaselineArgs, lang: Lang, worker: &Worker) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let document: DatasetDocument = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a dataset.json written by jvap (only that format is imported for now)",
            args.file.display()
        )
    })?;
    let mut by_partner: BTreeMap<String, Vec<Initiative>> = BTreeMap::new();
    for initiative in document.initiatives {
        by_partner
            .entry(initiative.partner)
            .or_default()
            .push(initiative.record);
    }
    let (carried, problems) = checked(&by_partner, worker)?;
    if !problems.is_empty() {
        for problem in &problems {
            println!(
                "{} {} ({}): {}",
                problem.partner, problem.initiative, problem.cell, problem.message
            );
        }
        println!(
            "{}",
            match lang {
                Lang::En => format!(
                    "{} problem(s): nothing was imported. Correct them and import the file again.",
                    problems.len()
                ),
                Lang::Fr => format!(
                    "{} problème(s) : rien n'a été importé. Corrigez-les et importez à nouveau le fichier.",
                    problems.len()
                ),
            }
        );
        return Ok(ExitCode::from(1));
    }
    let database = args.state.database.database();
    let origin = baseline::baseline_origin(&args.round);
    let started = runtime()?.block_on(start(
        &args.state,
        &database,
        &args.round,
        &origin,
        &carried,
    ))?;
    print_started(&started, lang);
    Ok(ExitCode::SUCCESS)
}

/// Version 1 of `round` carrying the current initiatives of `from`.
pub fn open_from(round: &str, from: &str, state: &StateArgs) -> anyhow::Result<()> {
    let database = state.database.database();
    let origin = baseline::from_origin(from);
    let started = runtime()?.block_on(async {
        let store = store(&database).await?;
        // Opened from `from` already (a second `make run`, a command tried again): nothing to do.
        if let Some(first) = store.version(round, 1).await?
            && first.submission_id == origin
        {
            return Ok(None);
        }
        let carried = store.carried_from(from).await?;
        anyhow::ensure!(
            !carried.is_empty(),
            "round {from} has no initiatives to carry (import its baseline first: jvap admin import-baseline FILE --round {from})"
        );
        start(state, &database, round, &origin, &carried).await.map(Some)
    })?;
    let Some(started) = started else {
        println!("Round {round}: version 1 already carries the initiatives of round {from}.");
        return Ok(());
    };
    println!(
        "Round {round}: version {} carries the {} current initiatives of round {from} ({} partners), their JVAP ids kept.",
        started.version, started.initiatives, started.partners
    );
    Ok(())
}

/// Each partner's initiatives validated as its file would be; the records taken, with their
/// warnings, or the problems.
fn checked(
    by_partner: &BTreeMap<String, Vec<Initiative>>,
    worker: &Worker,
) -> anyhow::Result<(Vec<Carried>, Vec<Problem>)> {
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let mut carried = Vec::new();
    let mut problems = Vec::new();
    for (partner, initiatives) in by_partner {
        let workbook = jvap_outputs::template::prefilled(Lang::En, initiatives)
            .context("cannot write the baseline as a template")?;
        let name = format!("{partner}_baseline.xlsx");
        let path = dir.path().join(&name);
        std::fs::write(&path, workbook)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let validated = worker
            .validate(&path, &name, &Limits::default(), &[])
            .with_context(|| format!("the baseline of {partner} could not be validated"))?;
        for issue in validated
            .report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
        {
            // Row 2 of the workbook is the partner's first initiative.
            let initiative = issue
                .row
                .and_then(|row| row.checked_sub(2))
                .and_then(|index| initiatives.get(index as usize))
                .map(|i| match &i.jvap_id {
                    Some(id) => format!("{id} \"{}\"", i.title),
                    None => format!("\"{}\"", i.title),
                })
                .unwrap_or_default();
            problems.push(Problem {
                partner: partner.clone(),
                initiative,
                cell: issue.cell.clone().unwrap_or_default(),
                message: issue.message_en.clone(),
            });
        }
        let mut records = Vec::new();
        jvap_worker::records::for_each(&validated.records_path(), |record| {
            records.push(record);
            Ok(())
        })
        .with_context(|| format!("cannot read the records of {partner}'s baseline"))?;
        carried.extend(
            report::with_warnings(records, &validated.report.issues).map(|(record, warnings)| {
                Carried {
                    partner: partner.clone(),
                    initiative: NewInitiative { record, warnings },
                }
            }),
        );
    }
    Ok((carried, problems))
}

async fn store(database: &Database) -> anyhow::Result<Store> {
    let store = Store::connect(database)
        .await
        .context("cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

async fn start(
    state: &StateArgs,
    database: &Database,
    round: &str,
    origin: &str,
    carried: &[Carried],
) -> anyhow::Result<Started> {
    let store = store(database).await?;
    let bus = jvap_bus::Bus::connect_with(&state.nats)
        .await
        .context("cannot connect to NATS")?;
    Ok(baseline::start_and_publish(&bus, &store, round, origin, carried).await?)
}

fn print_started(started: &Started, lang: Lang) {
    match lang {
        Lang::En => println!(
            "Round {}: the baseline is version {}: {} initiatives of {} partners ({} JVAP ids kept, {} given).",
            started.round,
            started.version,
            started.initiatives,
            started.partners,
            started.kept_ids,
            started.new_ids
        ),
        Lang::Fr => println!(
            "Cycle {} : la base de référence est la version {} : {} initiatives de {} partenaires ({} identifiants PACV conservés, {} attribués).",
            started.round,
            started.version,
            started.initiatives,
            started.partners,
            started.kept_ids,
            started.new_ids
        ),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
