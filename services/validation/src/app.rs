//! The running service: a NATS connection and the consumer loop.

use anyhow::Context;
use jvap_bus::{Bus, CancellationToken, ConsumerSpec};

use crate::{Config, handler};

/// Validation, connected and ready to consume.
pub struct App {
    bus: Bus,
    consumer: ConsumerSpec,
}

impl App {
    /// Connect to NATS, creating the stream and buckets if needed.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let bus = Bus::connect_with(&config.nats)
            .await
            .context("failed to connect to NATS")?;
        Ok(App {
            bus,
            consumer: config.consumer,
        })
    }

    /// Consume until `stop` is cancelled; the message in hand is finished first. Then drain NATS.
    pub async fn run_until_stopped(self, stop: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(durable = self.consumer.durable, "validation consuming");
        jvap_bus::consumer::run(&self.bus, &self.consumer, stop, |payload| {
            handler::handle(&self.bus, payload)
        })
        .await
        .context("the validation consumer failed")?;
        if let Err(e) = self.bus.client.drain().await {
            tracing::warn!(error.message = %e, "cannot drain the NATS connection");
        }
        Ok(())
    }
}
