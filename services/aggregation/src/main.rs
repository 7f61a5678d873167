//! The aggregation service: settings from the command line and the environment (`--help` lists
//! them), telemetry, then consume until ctrl-c or SIGTERM.

use anyhow::Context;
use jvap_aggregation::{Settings, build};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings: Settings = jvap_bus::config::settings();
    jvap_bus::telemetry::init("aggregation", settings.log_format);
    let app = build(settings.config())
        .await
        .context("cannot start the aggregation service")?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal())
        .await
        .context("the aggregation service stopped with an error")
}
