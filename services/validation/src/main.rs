//! `jvap-validation`: settings from the command line and the environment, telemetry, then consume
//! until ctrl-c or SIGTERM. Run with `jvap_worker::WORKER_ARG` first, it is the worker that parses
//! one file.

use anyhow::Context;
use jvap_validation::{App, Settings};

fn main() -> anyhow::Result<()> {
    jvap_worker::child::run_if_worker();
    let settings: Settings = jvap_bus::config::settings();
    jvap_bus::telemetry::init("validation", settings.log_format);
    tokio::runtime::Runtime::new()?.block_on(async {
        let config = settings.config().context("invalid configuration")?;
        let app = App::build(config).await?;
        app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
    })
}
