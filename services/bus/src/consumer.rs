//! The durable pull-consumer loop shared by validation and aggregation.
//!
//! Delivery is at-least-once, so every handler is idempotent (keyed by submission id). A handler says
//! what happened with an [`Outcome`]; the loop acks only [`Outcome::Done`], naks a
//! [`Outcome::Retry`] with a growing delay, and after `max_deliver` attempts marks the submission
//! `failed` with the reason, publishes `jvap.submission.failed.<partner>` and stops redelivery.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{AckKind, consumer::pull};
use chrono::Utc;
use futures::StreamExt;
use jvap_core::messages::{self as m, State, SubmissionFailed};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::Bus;

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
    /// How long a delivery may stay unacknowledged before the server redelivers it.
    pub ack_wait: Duration,
    /// Nak delays by attempt (the last one repeats).
    pub backoff: Vec<Duration>,
}

impl ConsumerSpec {
    /// The delivery settings every jvap consumer uses.
    pub fn new(durable: &'static str, filter: &'static str, stage: &'static str) -> ConsumerSpec {
        ConsumerSpec {
            durable,
            filter,
            stage,
            max_deliver: 5,
            ack_wait: Duration::from_secs(60),
            backoff: vec![
                Duration::from_millis(500),
                Duration::from_secs(2),
                Duration::from_secs(5),
            ],
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

/// Consume until `stop` is cancelled, handling one message at a time.
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
    while !stop.is_cancelled() {
        let mut messages = match consumer.messages().await {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot pull messages, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            let next = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => settle(bus, spec, message, &handle).await,
                Some(Err(e)) => tracing::warn!(error.message = %e, "error while pulling messages"),
                None => break,
            }
        }
    }
    Ok(())
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
    let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
    let reason = match handle(message.payload.clone()).await {
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
        if let Err(e) = message.ack_with(AckKind::Nak(delay)).await {
            tracing::warn!(error.message = %e, "nak failed; the message will come again after ack_wait");
        }
        return;
    }
    tracing::error!(%reason, delivered, "giving up on message after its maximum deliveries");
    match mark_failed(bus, spec, &message.payload, &reason).await {
        Ok(()) => {
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

async fn mark_failed(
    bus: &Bus,
    spec: &ConsumerSpec,
    payload: &[u8],
    reason: &str,
) -> anyhow::Result<()> {
    let Ok(ids) = serde_json::from_slice::<Ids>(payload) else {
        tracing::error!("a message without submission id cannot be marked failed; dropping it");
        return Ok(());
    };
    let detail = format!(
        "{} failed after {} attempts: {reason}",
        spec.stage, spec.max_deliver
    );
    bus.update_status(&ids.submission_id, |status| {
        status.state = State::Failed;
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
