//! `jvap-validation`: configuration from the environment, telemetry, then consume until ctrl-c or
//! SIGTERM.

use anyhow::Context;
use jvap_validation::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    jvap_bus::telemetry::init("validation");
    let config = Config::from_env().context("invalid configuration")?;
    let app = App::build(config).await?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
}
