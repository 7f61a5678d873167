//! `jvap-validation`: configuration from the environment, telemetry, then consume until ctrl-c or
//! SIGTERM. Run with `jvap_worker::WORKER_ARG` first, it is the worker that parses one file.

use anyhow::Context;
use jvap_validation::{App, Config};

fn main() -> anyhow::Result<()> {
    jvap_worker::child::run_if_worker();
    tokio::runtime::Runtime::new()?.block_on(async {
        jvap_bus::telemetry::init("validation");
        let config = Config::from_env().context("invalid configuration")?;
        let app = App::build(config).await?;
        app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
    })
}
