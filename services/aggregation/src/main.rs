//! The aggregation service: settings from the environment, stops on ctrl-c or SIGTERM.

use anyhow::Context;
use jvap_aggregation::{Config, build};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    jvap_bus::telemetry::init("aggregation");
    let config =
        Config::from_vars(|name| std::env::var(name).ok()).context("invalid configuration")?;
    let app = build(config)
        .await
        .context("cannot start the aggregation service")?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal())
        .await
        .context("the aggregation service stopped with an error")
}
