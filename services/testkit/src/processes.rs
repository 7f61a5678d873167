//! The services as real child processes, for fault injection: the built binaries `jvap-intake`,
//! `jvap-validation` and `jvap-aggregation`, configured by environment variables exactly as in
//! production, each writing its log to a file.
//!
//! [`Service::kill`] is `kill -9` (SIGKILL); [`Service::start`] spawns the binary again with the same
//! environment. A [`Fleet`] holds every service of a system and, like systemd's
//! `Restart=on-failure` in `deploy/systemd/`, [`Fleet::supervise`] starts again any service that
//! exited on its own, remembering how it ended.
//!
//! The binaries are looked up next to the test executable (`target/debug/` when the test runs from
//! `target/debug/deps/`); `cargo test --workspace` builds them, since their packages have integration
//! tests, and `cargo build --bins` does too.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// The directory holding the workspace's binaries: the test executable's parent's parent.
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("the test executable's path")?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .with_context(|| format!("no target directory above {}", exe.display()))
}

/// The path of a workspace binary, e.g. `jvap-intake`, with a clear error when it was not built.
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    // A workspace binary itself (`target/release/jvap-bench-e2e`) finds its siblings beside it.
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)));
    if let Some(path) = beside.filter(|p| p.exists()) {
        return Ok(path);
    }
    let path = bin_dir()?.join(name);
    anyhow::ensure!(
        path.exists(),
        "{} not found: build the services first (`cargo build --bins`; `cargo test --workspace` \
         and `make test` do it)",
        path.display()
    );
    Ok(path)
}

/// The most memory process `pid` (a number, or `self`) has held: `VmHWM` of `/proc/<pid>/status`, in
/// bytes; 0 when it cannot be read (the process is gone).
pub fn peak_rss(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// How long [`Fleet::supervise`] waits before starting again a service that ended on its own
/// (`RestartSec=2` in `deploy/systemd/`; shorter here, to keep the tests quick).
pub const RESTART_DELAY: Duration = Duration::from_secs(1);

/// How a service process ended without the test killing it.
#[derive(Debug, Clone)]
pub struct Exit {
    pub service: String,
    pub status: ExitStatus,
}

impl Exit {
    /// Killed by a signal the test did not send (an abort, a segmentation fault, an OOM kill).
    pub fn by_signal(&self) -> Option<i32> {
        self.status.signal()
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status.signal() {
            Some(signal) => write!(f, "{} was killed by signal {signal}", self.service),
            None => write!(f, "{} exited with {}", self.service, self.status),
        }
    }
}

/// One service process, started and killed at will with the same binary and environment.
pub struct Service {
    name: String,
    binary: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    /// When the process was found ended on its own, until it is started again.
    exited_at: Option<Instant>,
    /// Times the process was spawned.
    pub starts: u32,
    /// Times the test killed it with SIGKILL.
    pub kills: u32,
    /// The most memory any of its processes held (`VmHWM`), in bytes, as last sampled.
    pub peak_rss: u64,
}

impl Service {
    /// A service named `name` (e.g. `aggregation-2`) running `binary` (e.g. `jvap-aggregation`) with
    /// exactly `env` on top of `RUST_LOG=info` (and the test's `PATH`, `HOME`, `TMPDIR` and `LANG`;
    /// nothing else of the test's environment), logging to `<log_dir>/<name>.log`. Not started yet.
    /// Its ops listener takes a free port unless `env` sets `JVAP_METRICS_ADDR`, so several
    /// instances of a service run side by side.
    pub fn new(
        name: &str,
        binary_name: &str,
        mut env: Vec<(String, String)>,
        log_dir: &Path,
    ) -> anyhow::Result<Service> {
        if !env.iter().any(|(key, _)| key == "JVAP_METRICS_ADDR") {
            env.push(("JVAP_METRICS_ADDR".into(), "127.0.0.1:0".into()));
        }
        Ok(Service {
            name: name.to_string(),
            binary: binary(binary_name)?,
            env,
            log: log_dir.join(format!("{name}.log")),
            child: None,
            exited_at: None,
            starts: 0,
            kills: 0,
            peak_rss: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Spawn the process (nothing when it is running), its stdout and stderr appended to its log.
    pub fn start(&mut self) -> anyhow::Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        self.starts += 1;
        writeln!(log, "===== start {} of {} =====", self.starts, self.name)?;
        let stderr = log.try_clone()?;
        let child = Command::new(&self.binary)
            .env_clear()
            .envs(
                ["PATH", "HOME", "TMPDIR", "LANG"]
                    .into_iter()
                    .filter_map(|k| Some((k, std::env::var_os(k)?))),
            )
            .env("RUST_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            .spawn()
            .with_context(|| format!("cannot start {}", self.binary.display()))?;
        self.child = Some(child);
        self.exited_at = None;
        Ok(())
    }

    /// `kill -9` the process and reap it (nothing when it is not running).
    pub fn kill(&mut self) {
        self.sample_memory();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            self.kills += 1;
            self.note(&format!(
                "===== killed (SIGKILL) by the test: {} =====",
                self.name
            ));
        }
    }

    /// Note the running process's peak memory (`VmHWM` of `/proc/<pid>/status`) into [`Service::peak_rss`].
    pub fn sample_memory(&mut self) {
        let Some(child) = self.child.as_ref() else {
            return;
        };
        let peak = peak_rss(&child.id().to_string());
        self.peak_rss = self.peak_rss.max(peak);
    }

    /// Whether the process is alive.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) | None => false,
        }
    }

    /// When the process ended on its own since the last look: how (and it counts as stopped).
    pub fn exited(&mut self) -> Option<Exit> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        self.child = None;
        self.exited_at = Some(Instant::now());
        self.note(&format!("===== exited on its own: {status} ====="));
        Some(Exit {
            service: self.name.clone(),
            status,
        })
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The whole log, to search it.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn note(&self, line: &str) {
        if let Ok(mut file) = OpenOptions::new().append(true).open(&self.log) {
            let _ = writeln!(file, "{line}");
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Every service process of one system, with the exits the test did not cause.
#[derive(Default)]
pub struct Fleet {
    services: Vec<Service>,
    /// Services that ended on their own, in order; each was started again by [`Fleet::supervise`].
    pub exits: Vec<Exit>,
}

impl Fleet {
    pub fn add(&mut self, service: Service) {
        self.services.push(service);
    }

    /// Start every service that is not running.
    pub fn start_all(&mut self) -> anyhow::Result<()> {
        self.services.iter_mut().try_for_each(Service::start)
    }

    /// The service called `name`.
    pub fn service(&mut self, name: &str) -> anyhow::Result<&mut Service> {
        self.services
            .iter_mut()
            .find(|s| s.name == name)
            .with_context(|| format!("no service called {name}"))
    }

    /// Note every running service's peak memory (see [`Service::sample_memory`]).
    pub fn sample_memory(&mut self) {
        self.services.iter_mut().for_each(Service::sample_memory);
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Start again, [`RESTART_DELAY`] after it ended, any service that exited on its own (as
    /// systemd's `Restart=on-failure` does), recording how it ended; the exits found this time.
    pub fn supervise(&mut self) -> anyhow::Result<Vec<Exit>> {
        let mut found = Vec::new();
        for service in &mut self.services {
            service.sample_memory();
            if let Some(exit) = service.exited() {
                found.push(exit);
            }
            if service
                .exited_at
                .is_some_and(|at| at.elapsed() >= RESTART_DELAY)
            {
                service.start()?;
            }
        }
        self.exits.extend(found.iter().cloned());
        Ok(found)
    }

    /// Services not running now, by name.
    pub fn down(&mut self) -> Vec<String> {
        self.services
            .iter_mut()
            .filter_map(|s| (!s.is_running()).then(|| s.name.clone()))
            .collect()
    }

    /// The tail of every service's log, each under its name.
    pub fn log_tails(&self, lines: usize) -> String {
        self.services
            .iter()
            .map(|s| {
                format!(
                    "----- {} (last {lines} lines) -----\n{}",
                    s.name,
                    s.log_tail(lines)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Wait until `url` answers 200 (e.g. intake's `/healthz`), polling and calling `between` after
/// each miss (to supervise the services meanwhile); an error after `limit`.
pub async fn wait_healthy(
    url: &str,
    limit: Duration,
    mut between: impl FnMut(),
) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let started = Instant::now();
    loop {
        if let Ok(response) = http.get(url).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < limit,
            "{url} did not answer 200 within {limit:?}"
        );
        between();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Create `dir/logs` and return it.
pub fn log_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    Ok(logs)
}
