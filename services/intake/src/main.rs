//! `jvap-intake`: configuration from the environment, telemetry, then serve until ctrl-c or SIGTERM.

use anyhow::Context;
use jvap_intake::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    jvap_bus::telemetry::init("intake");
    let config = Config::from_env().context("invalid configuration")?;
    let app = App::build(config).await?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
}
