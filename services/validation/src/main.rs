//! `jvap-validation`: configuration from the environment, telemetry, then consume until ctrl-c or
//! SIGTERM.

use jvap_validation::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    jvap_bus::telemetry::init("validation");
    let app = App::build(Config::from_env()).await?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
}
