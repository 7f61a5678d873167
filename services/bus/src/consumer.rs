//! The durable pull-consumer loop shared by validation and aggregation.
//!
//! Delivery is at-least-once, so every handler is idempotent (keyed by submission id). A handler says
//! what happened with an [`Outcome`]; the loop acks only [`Outcome::Done`], naks a
//! [`Outcome::Retry`] with a growing delay, and after `max_deliver` attempts marks the submission
//! `failed` with the reason, publishes `jvap.submission.failed.<partner>` and stops redelivery.
//!
//! Poison messages end, whatever stopped them:
//! - a handler that returns is timed: past [`ConsumerSpec::handle_timeout`] its attempt is a retry
//!   (while it runs, the loop tells the server it is in progress, so `ack_wait` is not a deadline);
//! - a delivery past `max_deliver` means the earlier attempts never answered (the process died on
//!   them): it is marked failed before it is attempted again;
//! - JetStream's max-deliveries advisory for the consumer is watched as a last net: a submission it
//!   names that is not final yet is marked failed.
//!
//! Up to [`ConsumerSpec::concurrency`] messages are handled at once (validation: one per core; a
//! consumer whose order matters, aggregation, keeps 1).

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{AckKind, consumer::pull};
use chrono::Utc;
use futures::StreamExt;
use jvap_record::messages::{self as m, SubmissionFailed, SubmissionState};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::{Bus, ops, trace};
use tracing::Instrument;

/// Which messages a consumer takes and how hard it tries.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// Durable name: replicas with the same name share the work.
    pub durable: &'static str,
    /// Subject filter on the `JVAP` stream.
    pub filter: &'static str,
    /// The stage named in a failure (`validation`, `aggregation`).
    pub stage: &'static str,
    /// Deliveries before the submission is marked failed.
    pub max_deliver: i64,
    /// How long a delivery may stay unacknowledged before the server redelivers it. Short (15 s), since
    /// an attempt in progress tells the server so every third of it: a message a killed process held
    /// comes back within seconds, and a long file is not redelivered under its worker.
    pub ack_wait: Duration,
    /// Nak delays by attempt (the last one repeats).
    pub backoff: Vec<Duration>,
    /// Messages handled at once.
    pub concurrency: usize,
    /// The longest one attempt may take before it counts as failed (and is retried).
    pub handle_timeout: Duration,
}

impl ConsumerSpec {
    /// The delivery settings every jvap consumer uses.
    pub fn new(durable: &'static str, filter: &'static str, stage: &'static str) -> ConsumerSpec {
        ConsumerSpec {
            durable,
            filter,
            stage,
            max_deliver: 5,
            ack_wait: Duration::from_secs(15),
            backoff: vec![
                Duration::from_millis(500),
                Duration::from_secs(2),
                Duration::from_secs(5),
            ],
            concurrency: 1,
            handle_timeout: Duration::from_secs(300),
        }
    }
}

/// What a handler made of one message.
#[derive(Debug)]
pub enum Outcome {
    /// The effect is durable (or the message was a duplicate): acknowledge it.
    Done,
    /// A system failure (NATS, database): try again later.
    Retry(String),
}

/// The ids every submission message carries, enough to mark it failed.
#[derive(Deserialize)]
struct Ids {
    submission_id: String,
    partner: String,
}

/// Consume until `stop` is cancelled, handling up to `spec.concurrency` messages at a time. Messages
/// in hand are finished before it returns.
pub async fn run<F, Fut>(
    bus: &Bus,
    spec: &ConsumerSpec,
    stop: CancellationToken,
    handle: F,
) -> anyhow::Result<()>
where
    F: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let consumer = create(bus, spec).await?;
    let advisories = watch_max_deliveries(bus, spec, stop.clone()).await;
    let concurrency = spec.concurrency.max(1);
    let mut in_hand = futures::stream::FuturesUnordered::new();
    'pull: while !stop.is_cancelled() {
        let mut messages = match consumer
            .stream()
            .max_messages_per_batch(concurrency)
            .messages()
            .await
        {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot pull messages, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            if in_hand.len() >= concurrency {
                in_hand.next().await;
                continue;
            }
            let next = tokio::select! {
                _ = stop.cancelled() => break 'pull,
                Some(()) = in_hand.next(), if !in_hand.is_empty() => continue,
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => in_hand.push(settle(bus, spec, message, &handle)),
                Some(Err(e)) => tracing::warn!(error.message = %e, "error while pulling messages"),
                None => break,
            }
        }
    }
    while in_hand.next().await.is_some() {}
    if let Some(advisories) = advisories {
        advisories.abort();
    }
    Ok(())
}

/// Mark failed the submission of every message JetStream gives up on (its max-deliveries advisory),
/// in case no delivery of it ever answered. `None` when the advisories cannot be watched (logged).
async fn watch_max_deliveries(
    bus: &Bus,
    spec: &ConsumerSpec,
    stop: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    #[derive(Deserialize)]
    struct Advisory {
        stream_seq: u64,
        deliveries: i64,
    }
    let subject = format!(
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.{}",
        m::STREAM,
        spec.durable
    );
    let mut advisories = match bus.client.subscribe(subject).await {
        Ok(subscriber) => subscriber,
        Err(e) => {
            tracing::warn!(error.message = %e, "cannot watch max-deliveries advisories");
            return None;
        }
    };
    let (bus, spec) = (bus.clone(), spec.clone());
    Some(tokio::spawn(async move {
        loop {
            let advisory = tokio::select! {
                _ = stop.cancelled() => return,
                advisory = advisories.next() => advisory,
            };
            let Some(advisory) = advisory else { return };
            let Ok(advisory) = serde_json::from_slice::<Advisory>(&advisory.payload) else {
                continue;
            };
            let reason = format!(
                "{} stopped without an answer on each of its {} attempts",
                spec.stage, advisory.deliveries
            );
            if let Err(e) = fail_by_sequence(&bus, &spec, advisory.stream_seq, &reason).await {
                tracing::error!(error.message = %e, seq = advisory.stream_seq, "cannot mark the message of an advisory failed");
            }
        }
    }))
}

/// Mark failed the submission of stream message `seq`, unless it is final already.
async fn fail_by_sequence(
    bus: &Bus,
    spec: &ConsumerSpec,
    seq: u64,
    reason: &str,
) -> anyhow::Result<()> {
    let stream = bus
        .js
        .get_stream(m::STREAM)
        .await
        .map_err(|e| anyhow::anyhow!("stream {}: {e}", m::STREAM))?;
    let message = stream
        .get_raw_message(seq)
        .await
        .map_err(|e| anyhow::anyhow!("message {seq}: {e}"))?;
    let Ok(ids) = serde_json::from_slice::<Ids>(&message.payload) else {
        return Ok(());
    };
    let finished = bus.status(&ids.submission_id).await?.is_none_or(|status| {
        matches!(
            status.state,
            SubmissionState::Accepted | SubmissionState::Rejected | SubmissionState::Failed
        )
    });
    if finished {
        return Ok(());
    }
    tracing::error!(submission_id = %ids.submission_id, %reason, "max deliveries reached; marking failed");
    mark_failed(bus, spec, &message.payload, reason).await
}

async fn create(
    bus: &Bus,
    spec: &ConsumerSpec,
) -> anyhow::Result<async_nats::jetstream::consumer::PullConsumer> {
    let stream = bus
        .js
        .get_stream(m::STREAM)
        .await
        .map_err(|e| anyhow::anyhow!("stream {}: {e}", m::STREAM))?;
    let config = pull::Config {
        durable_name: Some(spec.durable.to_string()),
        filter_subject: spec.filter.to_string(),
        ack_policy: async_nats::jetstream::consumer::AckPolicy::Explicit,
        ack_wait: spec.ack_wait,
        // One more than ours, so the server never drops a message before we have marked it failed.
        max_deliver: spec.max_deliver + 1,
        ..Default::default()
    };
    stream
        .get_or_create_consumer(spec.durable, config)
        .await
        .map_err(|e| anyhow::anyhow!("consumer {}: {e}", spec.durable))
}

async fn settle<F, Fut>(
    bus: &Bus,
    spec: &ConsumerSpec,
    message: async_nats::jetstream::Message,
    handle: &F,
) where
    F: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let (delivered, pending) = message
        .info()
        .map(|info| (info.delivered, info.pending))
        .unwrap_or((1, 0));
    metrics::counter!(ops::DELIVERIES, "consumer" => spec.durable).increment(1);
    if delivered > 1 {
        metrics::counter!(ops::REDELIVERIES, "consumer" => spec.durable).increment(1);
    }
    metrics::gauge!(ops::CONSUMER_PENDING, "consumer" => spec.durable).set(pending as f64);
    let trace_id = trace::from_headers(message.headers.as_ref()).unwrap_or_else(trace::new_id);
    let span = tracing::info_span!("message", consumer = spec.durable, trace_id = %trace_id);
    trace::scope(
        trace_id,
        settle_traced(bus, spec, message, handle, delivered),
    )
    .instrument(span)
    .await
}

async fn settle_traced<F, Fut>(
    bus: &Bus,
    spec: &ConsumerSpec,
    message: async_nats::jetstream::Message,
    handle: &F,
    delivered: i64,
) where
    F: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = Outcome>,
{
    if delivered > spec.max_deliver {
        // Every earlier delivery ended without an answer: the process stopped on it. Not again.
        let reason = format!(
            "{} stopped without an answer on each of its {} attempts",
            spec.stage, spec.max_deliver
        );
        give_up(bus, spec, &message, &reason).await;
        return;
    }
    let reason = match attempt(spec, &message, handle).await {
        Outcome::Done => {
            if let Err(e) = message.double_ack().await {
                tracing::warn!(error.message = %e, "ack not confirmed; the message may come again");
            }
            return;
        }
        Outcome::Retry(reason) => reason,
    };
    if delivered < spec.max_deliver {
        let attempt = (delivered.max(1) - 1) as usize;
        let delay = spec.backoff.get(attempt).or(spec.backoff.last()).copied();
        tracing::warn!(%reason, delivered, "handling failed, will retry");
        ops::record_failure(
            submission_of(&message.payload).as_deref(),
            &format!(
                "{} attempt {delivered} failed, will retry: {reason}",
                spec.stage
            ),
        );
        if let Err(e) = message.ack_with(AckKind::Nak(delay)).await {
            tracing::warn!(error.message = %e, "nak failed; the message will come again after ack_wait");
        }
        return;
    }
    tracing::error!(%reason, delivered, "giving up on message after its maximum deliveries");
    let detail = format!(
        "{} failed after {} attempts: {reason}",
        spec.stage, spec.max_deliver
    );
    give_up(bus, spec, &message, &detail).await;
}

/// One attempt: the handler within its timeout, telling the server it is in progress meanwhile.
async fn attempt<F, Fut>(
    spec: &ConsumerSpec,
    message: &async_nats::jetstream::Message,
    handle: &F,
) -> Outcome
where
    F: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let handled = tokio::time::timeout(spec.handle_timeout, handle(message.payload.clone()));
    tokio::pin!(handled);
    let mut progress = tokio::time::interval(spec.ack_wait / 3);
    progress.tick().await;
    loop {
        tokio::select! {
            outcome = &mut handled => {
                return outcome.unwrap_or_else(|_| {
                    Outcome::Retry(format!("no answer within {} s", spec.handle_timeout.as_secs()))
                });
            }
            _ = progress.tick() => {
                if let Err(e) = message.ack_with(AckKind::Progress).await {
                    tracing::warn!(error.message = %e, "cannot tell the server the message is in progress");
                }
            }
        }
    }
}

/// Mark the message's submission failed and stop its redelivery; if that cannot be recorded, let
/// it come again.
async fn give_up(
    bus: &Bus,
    spec: &ConsumerSpec,
    message: &async_nats::jetstream::Message,
    detail: &str,
) {
    match mark_failed(bus, spec, &message.payload, detail).await {
        Ok(()) => {
            metrics::counter!(ops::FAILED, "consumer" => spec.durable).increment(1);
            ops::record_failure(submission_of(&message.payload).as_deref(), detail);
            let _ = message.ack_with(AckKind::Term).await;
        }
        Err(e) => {
            tracing::error!(error.message = %e, "cannot record the failure; the message will come again");
            let _ = message
                .ack_with(AckKind::Nak(spec.backoff.last().copied()))
                .await;
        }
    }
}

/// The submission id a message names, if it names one.
fn submission_of(payload: &[u8]) -> Option<String> {
    serde_json::from_slice::<Ids>(payload)
        .ok()
        .map(|ids| ids.submission_id)
}

async fn mark_failed(
    bus: &Bus,
    spec: &ConsumerSpec,
    payload: &[u8],
    detail: &str,
) -> anyhow::Result<()> {
    let Ok(ids) = serde_json::from_slice::<Ids>(payload) else {
        tracing::error!("a message without submission id cannot be marked failed; dropping it");
        return Ok(());
    };
    let detail = detail.to_string();
    bus.update_status(&ids.submission_id, |status| {
        status.state = SubmissionState::Failed;
        status.reason = Some(detail.clone());
    })
    .await?;
    let failed = SubmissionFailed {
        submission_id: ids.submission_id.clone(),
        partner: ids.partner.clone(),
        stage: spec.stage.to_string(),
        reason: detail,
        failed_at: Utc::now(),
    };
    let msg_id = format!("{}-failed-{}", ids.submission_id, spec.stage);
    bus.publish(&m::subject_failed(&ids.partner), &msg_id, &failed)
        .await?;
    Ok(())
}
