//! A real 3-node JetStream cluster for tests: three `nats-server` processes on free ports (client,
//! cluster and monitoring), each with its own temporary store, routed to one another.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! let mut cluster = jvap_testkit::NatsCluster::start()?;
//! let url = cluster.urls(); // "nats://127.0.0.1:p1,nats://127.0.0.1:p2,nats://127.0.0.1:p3"
//! cluster.kill(0); // SIGKILL, the store is kept
//! cluster.restart(0)?; // same ports, same store; back once the cluster has a meta leader again
//! # Ok(()) }
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a node (or the whole cluster) may take to be ready.
const READY_LIMIT: Duration = Duration::from_secs(30);

/// The cluster name every node joins.
const CLUSTER_NAME: &str = "jvap-test";

/// Three `nats-server` processes forming one JetStream cluster; all killed (stores deleted) on drop.
pub struct NatsCluster {
    nodes: Vec<Node>,
}

struct Node {
    name: String,
    client_port: u16,
    cluster_port: u16,
    monitor_port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsCluster {
    /// Start three nodes and wait until the cluster has a JetStream meta leader and every node is
    /// healthy.
    pub fn start() -> anyhow::Result<NatsCluster> {
        let ports = distinct_free_ports(9);
        let mut nodes = Vec::new();
        for (i, ports) in ports.chunks(3).enumerate() {
            nodes.push(Node {
                name: format!("jvap-test-{}", i + 1),
                client_port: ports[0],
                cluster_port: ports[1],
                monitor_port: ports[2],
                store: tempfile::tempdir()?,
                child: None,
            });
        }
        let mut cluster = NatsCluster { nodes };
        let routes = cluster.routes();
        for node in &mut cluster.nodes {
            node.spawn(&routes)?;
        }
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// The number of nodes (3).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always `false`: a cluster has nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node's client URL, comma-separated, as `JVAP_NATS_URL` takes them.
    pub fn urls(&self) -> String {
        (0..self.nodes.len())
            .map(|i| self.url(i))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The client URL of node `i` (0-based).
    pub fn url(&self, i: usize) -> String {
        format!("nats://127.0.0.1:{}", self.nodes[i].client_port)
    }

    /// Kill node `i` with SIGKILL, keeping its store. Killing a stopped node does nothing.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    /// Start node `i` again on the same ports with the same store (killing it first if it runs), and
    /// wait until it is healthy and the cluster has a meta leader.
    pub fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        let routes = self.routes();
        let node = &mut self.nodes[i];
        node.kill();
        node.spawn(&routes)?;
        self.wait_ready()
    }

    /// Wait (at most 30 s) until every running node answers `/healthz` and one of them reports a
    /// JetStream meta leader.
    pub fn wait_ready(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < READY_LIMIT {
            match self.readiness() {
                Ok(()) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("the NATS cluster was not ready within {READY_LIMIT:?}: {last}")
    }

    fn readiness(&self) -> anyhow::Result<()> {
        let running: Vec<&Node> = self.nodes.iter().filter(|n| n.child.is_some()).collect();
        anyhow::ensure!(!running.is_empty(), "no node is running");
        for node in &running {
            let (status, body) = http_get(node.monitor_port, "/healthz")?;
            anyhow::ensure!(status == 200, "{} /healthz: {status} {body}", node.name);
        }
        for node in &running {
            let (_, body) = http_get(node.monitor_port, "/jsz")?;
            let jsz: serde_json::Value = serde_json::from_str(&body)?;
            let leader = jsz["meta_cluster"]["leader"].as_str().unwrap_or_default();
            anyhow::ensure!(!leader.is_empty(), "{} sees no meta leader", node.name);
        }
        Ok(())
    }

    fn routes(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("nats://127.0.0.1:{}", n.cluster_port))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }
}

impl Node {
    fn spawn(&mut self, routes: &str) -> anyhow::Result<()> {
        let binary: PathBuf = crate::nats::binary()?;
        let limits = crate::nats::limits_config(self.store.path())?;
        let child = Command::new(&binary)
            .arg("-c")
            .arg(limits)
            .args(["-a", "127.0.0.1", "-p", &self.client_port.to_string()])
            .args(["-n", &self.name, "-m", &self.monitor_port.to_string()])
            .args(["--cluster_name", CLUSTER_NAME])
            .arg("--cluster")
            .arg(format!("nats://127.0.0.1:{}", self.cluster_port))
            .args(["--routes", routes, "-js", "-sd"])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        self.child = Some(child);
        crate::nats::wait_for_port(self.client_port, READY_LIMIT)
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix: no clean shutdown, as a crashed machine.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `count` free loopback ports, all different.
fn distinct_free_ports(count: usize) -> Vec<u16> {
    let mut ports: Vec<u16> = Vec::new();
    while ports.len() < count {
        let port = crate::free_port();
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
    ports
}

/// A plain HTTP/1.0 GET on the monitoring port: the status code and the body.
fn http_get(port: u16, path: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    Ok((status, body))
}
