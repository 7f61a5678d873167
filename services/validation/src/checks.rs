//! Dry runs: a file checked without being submitted (`POST /api/v1/validate`, the partner page's
//! "check only").
//!
//! Intake puts the file in the `checks` object store and asks on [`m::SUBJECT_CHECK`], a core NATS
//! request that validation's instances answer as one queue group (nothing is kept in the stream:
//! a dry run that nobody answers is simply asked again by the person). The file is validated by
//! the same [`Validator`] as a submission (the same worker process, budget and limits), without
//! annotated workbooks, and its report is put back in the store for intake to read.
//!
//! Dry runs have their own slots ([`Config::check_workers`](crate::Config), one by default) beside
//! the consumer's, so a burst of them waits for its own turn and never takes a submission's place;
//! a request that finds no slot free within [`SLOT_WAIT`] is answered "busy" (intake says to try
//! again in a moment).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jvap_bus::{Bus, CancellationToken};
use jvap_record::messages::{
    self as m, CheckAnswered, CheckOutcome, CheckRequested, check_report_object,
    check_upload_object,
};
use tokio::sync::Semaphore;

use crate::handler::Validator;

/// How long a dry run waits for a free slot before it is answered "busy".
pub const SLOT_WAIT: Duration = Duration::from_secs(20);

/// Answer dry runs until `stop`; those in hand are finished first.
pub async fn serve(
    bus: Bus,
    validator: Validator,
    slots: usize,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let mut requests = bus
        .client
        .queue_subscribe(m::SUBJECT_CHECK, m::CHECK_QUEUE.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("cannot subscribe to {}: {e}", m::SUBJECT_CHECK))?;
    let slots = Arc::new(Semaphore::new(slots.max(1)));
    let mut running = tokio::task::JoinSet::new();
    loop {
        let request = tokio::select! {
            _ = stop.cancelled() => break,
            request = requests.next() => match request {
                Some(request) => request,
                None => break,
            },
        };
        let Some(reply) = request.reply.clone() else {
            continue;
        };
        let (bus, validator, slots) = (bus.clone(), validator.clone(), slots.clone());
        running.spawn(async move {
            let answer = match serde_json::from_slice::<CheckRequested>(&request.payload) {
                Ok(asked) => answer(&bus, &validator, &slots, asked).await,
                Err(e) => {
                    tracing::warn!(error.message = %e, "dropping a malformed dry-run request");
                    return;
                }
            };
            let body = match serde_json::to_vec(&answer) {
                Ok(body) => body,
                Err(e) => {
                    tracing::error!(error.message = %e, "cannot encode a dry-run answer");
                    return;
                }
            };
            if let Err(e) = bus.client.publish(reply, body.into()).await {
                tracing::warn!(error.message = %e, "cannot answer a dry run");
            }
        });
        // Finished ones are collected as they go, so the set holds only those in hand.
        while running.try_join_next().is_some() {}
    }
    let _ = requests.unsubscribe().await;
    while running.join_next().await.is_some() {}
    Ok(())
}

/// Check one file in a free slot and store its report.
#[tracing::instrument(skip_all, fields(check_id = %asked.check_id))]
async fn answer(
    bus: &Bus,
    validator: &Validator,
    slots: &Semaphore,
    asked: CheckRequested,
) -> CheckAnswered {
    let answered = |outcome, detail: Option<String>| CheckAnswered {
        check_id: asked.check_id.clone(),
        outcome,
        detail,
    };
    let Ok(Ok(_slot)) = tokio::time::timeout(SLOT_WAIT, slots.acquire()).await else {
        tracing::info!("every dry-run slot is taken; answering busy");
        return answered(CheckOutcome::Busy, None);
    };
    match check(bus, validator, &asked).await {
        Ok(()) => answered(CheckOutcome::Reported, None),
        Err(e) => {
            tracing::warn!(error.message = %e, "a dry run failed");
            answered(CheckOutcome::Failed, Some(e.to_string()))
        }
    }
}

async fn check(bus: &Bus, validator: &Validator, asked: &CheckRequested) -> anyhow::Result<()> {
    let id = &asked.check_id;
    let bytes = bus
        .checks
        .get(&check_upload_object(id))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the file of dry run {id} is not in the checks store"))?;
    let scratch = tempfile::Builder::new().prefix("jvap-check-").tempdir()?;
    let input = scratch.path().join("upload");
    tokio::fs::write(&input, &bytes).await?;
    drop(bytes);
    let report = validator.check(&input, &asked.file_name).await?;
    bus.checks
        .put(&check_report_object(id), &serde_json::to_vec(&report)?)
        .await?;
    Ok(())
}
