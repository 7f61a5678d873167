//! The whole system in one test process: a real nats-server and the three services, each started
//! from its library exactly as its `main` does, so tests can stop and start any of them.

use std::time::Duration;

use jvap_bus::CancellationToken;
use tokio::task::JoinHandle;

use crate::{Client, NatsServer, Postgres};

/// Where aggregation keeps its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A service running in this process until stopped.
struct Running {
    stop: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn stop(self) -> anyhow::Result<()> {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(30), self.task).await???;
        Ok(())
    }
}

/// NATS, intake, validation and aggregation, with an admin client of the HTTP API.
pub struct System {
    pub nats: NatsServer,
    pub admin: Client,
    pub data: tempfile::TempDir,
    database: jvap_aggregation::Database,
    /// Where aggregation e-mails the Committee summary; `None`: not at all.
    mail: Option<jvap_aggregation::MailConfig>,
    intake: Option<Running>,
    validation: Option<Running>,
    aggregation: Option<Running>,
    /// Each service's ops listener (`/metrics`, `/livez`, `/readyz`), by service name; a restarted
    /// service gets a new port.
    pub ops_ports: std::collections::BTreeMap<&'static str, u16>,
    _postgres: Option<Postgres>,
}

const ADMIN_TOKEN: &str = "e2e-admin-token-0123456789abcdef";

impl System {
    /// Start everything on free ports with fresh storage, without e-mail.
    pub async fn start(backend: Backend) -> anyhow::Result<System> {
        System::start_with_mail(backend, None).await
    }

    /// Start everything, with aggregation sending the Committee summary through `mail` (for
    /// instance to an [`crate::SmtpSink`]: `MailConfig { smtp_url: sink.url(), from: .. }`).
    pub async fn start_with_mail(
        backend: Backend,
        mail: Option<jvap_aggregation::MailConfig>,
    ) -> anyhow::Result<System> {
        let mut system = System::prepare(backend, mail)?;
        system.start_services().await?;
        Ok(system)
    }

    /// A fresh NATS and database with no service running yet (to restore a backup into, say);
    /// [`System::start_services`] starts them.
    pub fn prepare(
        backend: Backend,
        mail: Option<jvap_aggregation::MailConfig>,
    ) -> anyhow::Result<System> {
        let nats = NatsServer::start()?;
        let data = tempfile::tempdir()?;
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(Postgres::start()?),
        };
        let database = match &postgres {
            Some(pg) => jvap_aggregation::Database::Postgres(pg.url().to_string()),
            None => jvap_aggregation::Database::Sqlite(data.path().join("jvap.db")),
        };
        Ok(System {
            nats,
            // Its address is known once intake listens.
            admin: Client::new("http://127.0.0.1:0", ADMIN_TOKEN),
            data,
            database,
            mail,
            intake: None,
            validation: None,
            aggregation: None,
            ops_ports: Default::default(),
            _postgres: postgres,
        })
    }

    /// Start intake, validation and aggregation.
    pub async fn start_services(&mut self) -> anyhow::Result<()> {
        self.start_intake().await?;
        self.start_validation().await?;
        self.start_aggregation().await
    }

    /// Stop every service, leaving NATS and the database as they are.
    pub async fn stop_services(&mut self) -> anyhow::Result<()> {
        for running in [
            self.intake.take(),
            self.validation.take(),
            self.aggregation.take(),
        ]
        .into_iter()
        .flatten()
        {
            running.stop().await?;
        }
        Ok(())
    }

    /// Where aggregation keeps its database.
    pub fn database(&self) -> &jvap_aggregation::Database {
        &self.database
    }

    pub async fn start_intake(&mut self) -> anyhow::Result<()> {
        let config = intake_config(nats_config(&self.nats)?);
        let intake = jvap_intake::App::build(config).await?;
        self.admin = Client::new(&format!("http://127.0.0.1:{}", intake.port()), ADMIN_TOKEN);
        self.ops_ports.insert("intake", intake.ops_port());
        self.intake = Some(spawn(|stop| intake.run_until_stopped(stop)));
        Ok(())
    }

    pub async fn start_validation(&mut self) -> anyhow::Result<()> {
        let worker = crate::worker();
        let config = jvap_validation::Config {
            nats: nats_config(&self.nats)?,
            consumer: jvap_validation::config::consumer_spec(&worker.budget),
            worker,
            limits: jvap_ingest::Limits::default(),
            check_workers: 1,
            metrics_addr: "127.0.0.1:0".into(),
        };
        let app = jvap_validation::App::build(config).await?;
        self.ops_ports.insert("validation", app.ops_port());
        self.validation = Some(spawn(|stop| app.run_until_stopped(stop)));
        Ok(())
    }

    pub async fn stop_validation(&mut self) -> anyhow::Result<()> {
        match self.validation.take() {
            Some(running) => running.stop().await,
            None => Ok(()),
        }
    }

    pub async fn start_aggregation(&mut self) -> anyhow::Result<()> {
        let mut config =
            jvap_aggregation::Config::new(nats_config(&self.nats)?, self.database.clone());
        // Messages a stopped instance had pulled come back after ack_wait; keep restarts quick.
        config.ack_wait = Duration::from_secs(3);
        config.mail = self.mail.clone();
        let app = jvap_aggregation::build(config).await?;
        self.ops_ports.insert("aggregation", app.ops_port());
        self.aggregation = Some(spawn(|stop| async move {
            Ok(app.run_until_stopped(stop).await?)
        }));
        Ok(())
    }

    /// Another aggregation instance on the same NATS and database, not consuming: for driving its
    /// parts (the reminder scheduler on a test's clock) by hand.
    pub async fn aggregation_app(
        &self,
        reminders: jvap_aggregation::ReminderConfig,
    ) -> anyhow::Result<jvap_aggregation::App> {
        let mut config =
            jvap_aggregation::Config::new(nats_config(&self.nats)?, self.database.clone());
        config.mail = self.mail.clone();
        config.reminders = reminders;
        Ok(jvap_aggregation::build(config).await?)
    }

    pub async fn stop_aggregation(&mut self) -> anyhow::Result<()> {
        match self.aggregation.take() {
            Some(running) => running.stop().await,
            None => Ok(()),
        }
    }

    /// Stop every service (NATS stops when the system is dropped).
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop_services().await
    }
}

/// The NATS settings of every service: the test server, one replica, the default limits.
fn nats_config(nats: &NatsServer) -> anyhow::Result<jvap_bus::NatsConfig> {
    Ok(jvap_bus::NatsConfig::new(&nats.url())?)
}

fn intake_config(nats: jvap_bus::NatsConfig) -> jvap_intake::Config {
    jvap_intake::Config {
        admin_token: Some(ADMIN_TOKEN.into()),
        // Every simulated partner knocks from this one address; the limits have their own tests.
        rates: jvap_intake::config::Rates {
            signin_per_minute: 1_000_000,
            uploads_per_minute: 1_000_000,
            ..jvap_intake::config::Rates::default()
        },
        ..jvap_intake::Config::for_tests(nats)
    }
}

fn spawn<F, Fut>(run: F) -> Running
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let stop = CancellationToken::new();
    let task = tokio::spawn(run(stop.clone()));
    Running { stop, task }
}
