//! The running service: a NATS connection and the consumer loop.

use anyhow::Context;
use jvap_bus::{Bus, CancellationToken, ConsumerSpec, Health};
use tokio::net::TcpListener;

use crate::Config;
use crate::checks;
use crate::handler::{self, Validator};

/// Validation, connected and ready to consume.
pub struct App {
    bus: Bus,
    health: Health,
    /// `/metrics`, `/livez`, `/readyz`; bound at build so its port is known.
    ops_listener: TcpListener,
    consumer: ConsumerSpec,
    validator: Validator,
    check_workers: usize,
}

impl App {
    /// Connect to NATS (creating the stream and buckets if needed) and bind the ops listener.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        // Boxed: the set-up's future is large, and callers' stacks (a test's, a debug build's) are not.
        Box::pin(App::build_app(config)).await
    }

    async fn build_app(config: Config) -> anyhow::Result<App> {
        let bus = Box::pin(Bus::connect_with(&config.nats))
            .await
            .context("failed to connect to NATS")?;
        jvap_bus::ops::recorder();
        let health = Health::new("validation", bus.clone()).with_consumer(config.consumer.durable);
        let ops_listener = TcpListener::bind(&config.metrics_addr)
            .await
            .with_context(|| format!("failed to listen on {}", config.metrics_addr))?;
        Ok(App {
            bus,
            health,
            ops_listener,
            consumer: config.consumer,
            validator: Validator {
                worker: config.worker,
                limits: config.limits,
            },
            check_workers: config.check_workers,
        })
    }

    /// The port of `/metrics`, `/livez` and `/readyz`.
    pub fn ops_port(&self) -> u16 {
        jvap_bus::ops::port_of(&self.ops_listener)
    }

    /// Serve the ops listener and consume until `stop` is cancelled; the message in hand is finished
    /// first. Then drain NATS.
    pub async fn run_until_stopped(self, stop: CancellationToken) -> anyhow::Result<()> {
        self.health.serve(self.ops_listener, stop.clone());
        let heartbeat = self.health.heartbeat(stop.clone());
        tracing::info!(
            durable = self.consumer.durable,
            concurrency = self.consumer.concurrency,
            "validation consuming"
        );
        let checks = checks::serve(
            self.bus.clone(),
            self.validator.clone(),
            self.check_workers,
            stop.clone(),
        );
        let submissions = jvap_bus::consumer::run(&self.bus, &self.consumer, stop, |payload| {
            handler::handle(&self.bus, &self.validator, payload)
        });
        let (checks, submissions) = tokio::join!(checks, submissions);
        submissions.context("the validation consumer failed")?;
        checks.context("the dry runs failed")?;
        heartbeat.end().await;
        if let Err(e) = self.bus.client.drain().await {
            tracing::warn!(error.message = %e, "cannot drain the NATS connection");
        }
        Ok(())
    }
}
