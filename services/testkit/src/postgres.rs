//! A real PostgreSQL for tests: a throwaway cluster, or the server `$JVAP_TEST_DATABASE_URL` names.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A PostgreSQL server with a fresh database; a cluster this harness started is stopped on drop.
pub struct Postgres {
    url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    bin: PathBuf,
    data: tempfile::TempDir,
    as_postgres: bool,
}

impl Postgres {
    /// Use `$JVAP_TEST_DATABASE_URL` (a fresh database is created on it), else start a cluster with
    /// `initdb` and `pg_ctl` from `/usr/lib/postgresql/*/bin` (as the `postgres` user when root).
    pub fn start() -> anyhow::Result<Postgres> {
        if let Ok(url) = std::env::var("JVAP_TEST_DATABASE_URL") {
            return Ok(Postgres { url, cluster: None });
        }
        let bin = pg_bin()?;
        let as_postgres = is_root();
        let data = tempfile::Builder::new().prefix("jvap-pg-").tempdir()?;
        let port = crate::free_port();
        let dir = data.path().display().to_string();
        if as_postgres {
            run("chown", &["-R", "postgres:postgres", &dir], false)?;
            run("chmod", &["755", &dir], false)?;
        }
        let initdb = format!("{}/initdb", bin.display());
        let init_args =
            format!("-D {dir}/db -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8");
        run_shell(&format!("{initdb} {init_args}"), as_postgres)?;
        let options = format!("-p {port} -c listen_addresses=127.0.0.1 -k {dir} -c fsync=off");
        let pg_ctl = format!("{}/pg_ctl", bin.display());
        run_shell(
            &format!("{pg_ctl} -D {dir}/db -l {dir}/server.log -o '{options}' -w start"),
            as_postgres,
        )?;
        crate::nats::wait_for_port(port, Duration::from_secs(10))?;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        Ok(Postgres {
            url,
            cluster: Some(Cluster {
                bin,
                data,
                as_postgres,
            }),
        })
    }

    /// The connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let pg_ctl = format!("{}/pg_ctl", cluster.bin.display());
            let dir = cluster.data.path().display();
            let _ = run_shell(
                &format!("{pg_ctl} -D {dir}/db -m immediate stop"),
                cluster.as_postgres,
            );
        }
    }
}

fn pg_bin() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| anyhow::anyhow!("PostgreSQL is not installed: run `make setup`"))?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no initdb under /usr/lib/postgresql: run `make setup`"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

fn run_shell(command: &str, as_postgres: bool) -> anyhow::Result<()> {
    if as_postgres {
        run("su", &["postgres", "-s", "/bin/sh", "-c", command], true)
    } else {
        run("sh", &["-c", command], true)
    }
}

fn run(program: &str, args: &[&str], quiet: bool) -> anyhow::Result<()> {
    let mut command = Command::new(program);
    command.args(args);
    if quiet {
        command.stdout(std::process::Stdio::null());
    }
    let output = command
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {program}: {e}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{program} {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}
