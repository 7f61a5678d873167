//! A real `nats-server` for tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `nats-server` with JetStream; killed (and its store deleted) on drop.
pub struct NatsServer {
    child: Option<Child>,
    port: u16,
    store: tempfile::TempDir,
}

impl NatsServer {
    /// Start a server on a free port with a fresh store.
    pub fn start() -> anyhow::Result<NatsServer> {
        let store = tempfile::tempdir()?;
        let port = crate::free_port();
        let mut server = NatsServer {
            child: None,
            port,
            store,
        };
        server.spawn()?;
        Ok(server)
    }

    /// The client URL, e.g. `nats://127.0.0.1:4222`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kill the server, keeping its store (to test what survives a restart).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start the server again on the same port with the same store.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let binary = binary()?;
        let limits = limits_config(self.store.path())?;
        let child = Command::new(&binary)
            .arg("-c")
            .arg(limits)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        self.child = Some(child);
        wait_for_port(self.port, Duration::from_secs(10))
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A config file in `dir` with explicit JetStream limits. Without them the server allows 75% of the
/// free disk, and the object stores' `max_bytes` (reserved in full at creation, 10 GiB by default)
/// would make the tests depend on how full the machine's disk is; the tests store little.
pub(crate) fn limits_config(dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("limits.conf");
    std::fs::write(
        &path,
        "jetstream {\n  max_file_store: 1TB\n  max_memory_store: 256MB\n}\n",
    )?;
    Ok(path)
}

pub(crate) fn binary() -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var("JVAP_NATS_SERVER") {
        return Ok(PathBuf::from(path));
    }
    let installed = Path::new("/opt/jvap-tools/bin/nats-server");
    if installed.exists() {
        return Ok(installed.to_path_buf());
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.exists());
    on_path.ok_or_else(|| {
        anyhow::anyhow!("nats-server not found: run `make setup` (or set JVAP_NATS_SERVER)")
    })
}

pub(crate) fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("nothing listened on port {port} within {limit:?}")
}
