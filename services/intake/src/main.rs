//! `jvap-intake`: settings from the command line and the environment (`--help` lists them),
//! telemetry, then serve until ctrl-c or SIGTERM.

use jvap_intake::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config: Config = jvap_bus::config::settings();
    // An empty JVAP_ADMIN_TOKEN (a blank line in an env file) is no token.
    config.admin_token = config.admin_token.filter(|token| !token.trim().is_empty());
    jvap_bus::telemetry::init("intake", config.log_format);
    let app = App::build(config).await?;
    app.run_until_stopped(jvap_bus::shutdown::on_signal()).await
}
