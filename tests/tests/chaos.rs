//! Fault injection: the three services as real processes under a round's load (hundreds of uploads
//! from dozens of partners, replace and merge, accepted, rejected and hostile files, identical
//! re-uploads), killed with SIGKILL at random moments and started again, and after it nothing lost,
//! nothing duplicated, nothing stuck, and every dataset version exactly what the accepted files imply.
//!
//! One test per setting, run one at a time (they share the machine's two cores):
//! - one nats-server and SQLite: each service killed three times, nats-server once;
//! - a 3-node JetStream cluster, every stream and bucket with 3 replicas (`JVAP_NATS_REPLICAS=3`,
//!   `JVAP_NATS_URL` naming the three nodes): one node killed, then started again on its store;
//! - PostgreSQL with two aggregation processes sharing the database and the durable consumer: one of
//!   them killed, three times.
//!
//! The seed of each run is printed; `JVAP_CHAOS_SEED=N` replays its plan and its faults. Figures are
//! printed (`cargo test -p jvap-tests --test chaos -- --nocapture` shows them). The services run from
//! their binaries in the target directory: `cargo test --workspace` (`make test`) builds them; to run
//! this file alone, `cargo build --bins` first, or it tests the binaries of the last build.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jvap_bus::CancellationToken;
use jvap_tests::invariants;
use jvap_tests::load::{self, Pace, Plan, Rng};
use jvap_tests::processes::{self, Fleet, Service};
use jvap_tests::{Client, NatsCluster, NatsServer, Postgres};

/// The scenarios take the machine in turn.
static SERIAL: Mutex<()> = Mutex::new(());

const ADMIN_TOKEN: &str = "chaos-admin-token-0123456789abcdef";
const PARTNERS: usize = 32;
const UPLOADS_PER_PARTNER: usize = 7;
/// Upload tasks running at once, and the longest pause of each between two uploads.
const TASKS: usize = 4;
const PAUSE: Duration = Duration::from_millis(500);
/// Each object store's `max_bytes`: far more than a run stores (a few tens of MB).
const OBJECT_STORE_LIMIT: u64 = 256 * 1024 * 1024;
/// How long one upload is tried while the server cannot take it.
const UPLOAD_LIMIT: Duration = Duration::from_secs(120);
/// How long every submission has to end once the load is over: a delivery held by a killed process
/// comes back after the consumers' ack wait (60 s), possibly more than once.
const SETTLE_LIMIT: Duration = Duration::from_secs(240);

#[test]
fn single_node_kills_of_every_service_and_of_nats_lose_and_duplicate_nothing() {
    let _turn = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    runtime().block_on(single_node());
}

#[test]
fn a_three_node_cluster_with_one_node_killed_loses_and_duplicates_nothing() {
    let _turn = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    runtime().block_on(cluster());
}

#[test]
fn two_aggregation_processes_on_postgres_one_killed_lose_and_duplicate_nothing() {
    let _turn = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    runtime().block_on(postgres_two_aggregations());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// What a fault hits.
#[derive(Debug, Clone)]
enum Target {
    Service(String),
    /// The single nats-server.
    Nats,
    /// Node `i` of the cluster.
    Node(usize),
}

/// One nats-server, or a cluster of three.
enum Nats {
    Single(NatsServer),
    Cluster(NatsCluster),
}

impl Nats {
    /// What `JVAP_NATS_URL` says.
    fn urls(&self) -> String {
        match self {
            Nats::Single(server) => server.url(),
            Nats::Cluster(cluster) => cluster.urls(),
        }
    }
}

/// Kill `target` once `after` uploads are done, and start it again `down` later.
#[derive(Debug, Clone)]
struct Fault {
    after: usize,
    target: Target,
    down: Duration,
}

/// Everything one scenario runs: NATS, the service processes, where their logs go.
struct World {
    dir: tempfile::TempDir,
    nats: Nats,
    fleet: Fleet,
    base: String,
    /// Faults done: what, after how many uploads, at which second.
    done: Vec<String>,
}

async fn single_node() {
    let seed = load::seed();
    let mut rng = Rng::new(seed);
    println!("chaos single node: seed {seed} (JVAP_CHAOS_SEED={seed} replays it)");
    let nats = NatsServer::start().expect("nats-server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data").display().to_string();
    let world = world(
        dir,
        Nats::Single(nats),
        &[],
        &[("aggregation", vec![("JVAP_DATA_DIR".into(), data_dir)])],
    );
    let total = PARTNERS * UPLOADS_PER_PARTNER;
    let mut faults = Vec::new();
    for service in ["intake", "validation", "aggregation"] {
        for _ in 0..3 {
            faults.push(Fault {
                after: moment(&mut rng, total),
                target: Target::Service(service.into()),
                down: rng.millis(200, 2000),
            });
        }
    }
    faults.push(Fault {
        after: moment(&mut rng, total),
        target: Target::Nats,
        down: rng.millis(500, 3000),
    });
    scenario("single node", seed, rng, world, faults).await;
}

async fn cluster() {
    let seed = load::seed();
    let mut rng = Rng::new(seed);
    println!("chaos 3-node cluster: seed {seed} (JVAP_CHAOS_SEED={seed} replays it)");
    let cluster = NatsCluster::start().expect("the cluster starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data").display().to_string();
    let world = world(
        dir,
        Nats::Cluster(cluster),
        &[("JVAP_NATS_REPLICAS".into(), "3".into())],
        &[("aggregation", vec![("JVAP_DATA_DIR".into(), data_dir)])],
    );
    let total = PARTNERS * UPLOADS_PER_PARTNER;
    let faults = vec![Fault {
        after: moment(&mut rng, total),
        target: Target::Node(rng.below(3)),
        down: rng.millis(2000, 6000),
    }];
    scenario("3-node cluster", seed, rng, world, faults).await;
}

async fn postgres_two_aggregations() {
    let seed = load::seed();
    let mut rng = Rng::new(seed);
    println!("chaos PostgreSQL, two aggregations: seed {seed} (JVAP_CHAOS_SEED={seed} replays it)");
    let postgres = Postgres::start().expect("PostgreSQL starts");
    let nats = NatsServer::start().expect("nats-server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let database = vec![("DATABASE_URL".to_string(), postgres.url().to_string())];
    let world = world(
        dir,
        Nats::Single(nats),
        &[],
        &[
            ("aggregation-1", database.clone()),
            ("aggregation-2", database),
        ],
    );
    let total = PARTNERS * UPLOADS_PER_PARTNER;
    let faults = (0..3)
        .map(|_| Fault {
            after: moment(&mut rng, total),
            target: Target::Service(format!("aggregation-{}", 1 + rng.below(2))),
            down: rng.millis(200, 3000),
        })
        .collect();
    scenario("PostgreSQL, two aggregations", seed, rng, world, faults).await;
    drop(postgres);
}

/// A random moment of the load, as a number of uploads done: between 5 % and 80 % of them.
fn moment(rng: &mut Rng, total: usize) -> usize {
    rng.between(total as u64 / 20, total as u64 * 4 / 5) as usize
}

/// NATS and the services as processes: intake on a fixed free port, validation, and one process
/// per `aggregations` entry (name, its own variables); `common` goes to every service.
fn world(
    dir: tempfile::TempDir,
    nats: Nats,
    common: &[(String, String)],
    aggregations: &[(&str, Vec<(String, String)>)],
) -> World {
    let logs = processes::log_dir(dir.path()).expect("log dir");
    let port = jvap_tests::free_port();
    let mut env = vec![("JVAP_NATS_URL".to_string(), nats.urls())];
    // The object stores' limits are reserved on every node's disk; a test machine has little.
    for limit in [
        "JVAP_UPLOADS_MAX_BYTES",
        "JVAP_REPORTS_MAX_BYTES",
        "JVAP_DATASETS_MAX_BYTES",
    ] {
        env.push((limit.to_string(), OBJECT_STORE_LIMIT.to_string()));
    }
    env.extend_from_slice(common);
    let with = |more: Vec<(String, String)>| -> Vec<(String, String)> {
        env.iter().cloned().chain(more).collect()
    };
    let mut fleet = Fleet::default();
    let intake_env = with(vec![
        ("JVAP_HTTP_ADDR".into(), format!("127.0.0.1:{port}")),
        ("JVAP_ROUND".into(), load::ROUND.into()),
        ("JVAP_ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
        // Every simulated partner uploads from this one address: the per-address limits would
        // throttle the load itself, which is not what these tests measure.
        ("JVAP_UPLOADS_PER_MINUTE".into(), "1000000".into()),
        ("JVAP_SIGNIN_PER_MINUTE".into(), "1000000".into()),
    ]);
    fleet.add(Service::new("intake", "jvap-intake", intake_env, &logs).expect("intake binary"));
    fleet.add(
        Service::new("validation", "jvap-validation", with(vec![]), &logs)
            .expect("validation binary"),
    );
    for (name, own) in aggregations {
        fleet.add(
            Service::new(name, "jvap-aggregation", with(own.clone()), &logs)
                .expect("aggregation binary"),
        );
    }
    World {
        dir,
        nats,
        fleet,
        base: format!("http://127.0.0.1:{port}"),
        done: Vec::new(),
    }
}

/// Start the world, drive the plan's load while `faults` happen, then check everything.
async fn scenario(name: &str, seed: u64, mut rng: Rng, mut world: World, mut faults: Vec<Fault>) {
    let started = Instant::now();
    world.fleet.start_all().expect("services start");
    // Started at once, as after a reboot; a service that cannot start yet is started again.
    let health = format!("{}/healthz", world.base);
    let fleet = &mut world.fleet;
    let ready = processes::wait_healthy(&health, Duration::from_secs(60), || supervise(fleet));
    if let Err(e) = ready.await {
        panic!("{e:#}\n{}", world.fleet.log_tails(30));
    }
    let admin = Client::new(&world.base, ADMIN_TOKEN);
    let analyst = admin.issue("analyst", None).await.expect("analyst token");
    let partners = load::partner_codes(PARTNERS).expect("partner codes");
    let mut tokens = HashMap::new();
    for partner in &partners {
        let client = admin
            .issue("partner", Some(partner))
            .await
            .expect("partner token");
        tokens.insert(partner.clone(), client.token);
    }
    let mut hostile: Vec<(String, Vec<u8>)> = jvap_tests::hostile::files()
        .into_iter()
        .map(|h| (h.file_name.to_string(), h.bytes))
        .collect();
    hostile.extend(load::damaged_files(&mut rng));
    let plan = Plan::generate(&mut rng, &partners, UPLOADS_PER_PARTNER, &hostile)
        .expect("the plan's files are generated");
    let (accepted, rejected, hostile_files, again) = plan.mix();
    println!(
        "  plan: {} uploads from {} partners: {accepted} accepted, {rejected} rejected, \
         {hostile_files} hostile or damaged, {again} identical re-uploads",
        plan.uploads.len(),
        partners.len()
    );
    assert!(plan.uploads.len() >= 200 && partners.len() >= 30);
    assert!(accepted > 0 && rejected > 0 && hostile_files > 0 && again > 0);

    // Act: the load from several tasks, the faults at their moments, a supervisor restarting any
    // service that ends on its own.
    faults.sort_by_key(|f| f.after);
    let base = world.base.clone();
    let progress = Arc::new(AtomicUsize::new(0));
    let faults_done = Arc::new(AtomicBool::new(false));
    let stop = CancellationToken::new();
    let chaos = tokio::spawn(run_faults(
        world,
        faults,
        progress.clone(),
        faults_done.clone(),
        stop.clone(),
    ));
    let pace = Pace {
        tasks: TASKS,
        pause: PAUSE,
        limit: UPLOAD_LIMIT,
        seed,
    };
    let driven = load::drive(&plan, &base, &tokens, pace, progress).await;
    println!(
        "  load: {} uploads in {:.1} s, {} tries failed at the HTTP level and were tried again",
        plan.uploads.len(),
        driven.elapsed.as_secs_f64(),
        driven.retries
    );
    // The last fault starts at 80 % of the load at the latest; let it end (the service is back).
    let waited = Instant::now();
    while !faults_done.load(Ordering::SeqCst) && waited.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(faults_done.load(Ordering::SeqCst), "the faults did not end");
    let findings = invariants::check(&plan, &driven, &analyst, SETTLE_LIMIT).await;
    stop.cancel();
    let mut world = chaos.await.expect("the fault task ends");

    // Assert
    let exits = world.fleet.exits.clone();
    let down = world.fleet.down();
    world.fleet.sample_memory();
    println!("  faults: {}", world.done.join("; "));
    let mut too_big = Vec::new();
    for service in world.fleet.services() {
        println!(
            "    {}: started {} times, killed {} times, peak memory {} MiB",
            service.name(),
            service.starts,
            service.kills,
            service.peak_rss >> 20
        );
        if service.peak_rss >= 1 << 30 {
            too_big.push(format!(
                "{} peaked at {} MiB, over 1 GiB",
                service.name(),
                service.peak_rss >> 20
            ));
        }
    }
    println!(
        "  exits the test did not cause (restarted as systemd would): {}",
        if exits.is_empty() {
            "none".to_string()
        } else {
            exits
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        }
    );
    println!(
        "{name}:\n{findings}\n  took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut problems = findings.problems.clone();
    problems.extend(
        exits
            .iter()
            .filter(|e| e.by_signal().is_some())
            .map(|e| format!("{e}: a service must never die on its own")),
    );
    problems.extend(
        down.iter()
            .map(|s| format!("{s} is not running at the end")),
    );
    problems.extend(too_big);
    if !problems.is_empty() {
        eprintln!("{}", world.fleet.log_tails(40));
        let kept = world.dir.keep();
        eprintln!("logs and data kept in {}", kept.display());
        eprintln!("problems found:\n{}", shown(&problems));
    }
    assert_eq!(findings.lost, 0, "lost");
    assert_eq!(findings.duplicated, 0, "duplicated");
    assert_eq!(findings.stuck, 0, "stuck");
    assert!(problems.is_empty(), "{}", shown(&problems));
}

/// Inject `faults` as the load progresses, and restart any service that exits on its own, until
/// `stop`; then hand the world back.
async fn run_faults(
    mut world: World,
    faults: Vec<Fault>,
    progress: Arc<AtomicUsize>,
    faults_done: Arc<AtomicBool>,
    stop: CancellationToken,
) -> World {
    let started = Instant::now();
    let mut pending = faults.into_iter().peekable();
    loop {
        supervise(&mut world.fleet);
        let uploads = progress.load(Ordering::SeqCst);
        if let Some(fault) = pending.next_if(|f| uploads >= f.after) {
            inject(&mut world, &fault, uploads, started).await;
            continue;
        }
        if pending.peek().is_none() {
            faults_done.store(true, Ordering::SeqCst);
            if stop.is_cancelled() {
                return world;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Kill the fault's target with SIGKILL, wait while it is down (still supervising the others), start
/// it again.
async fn inject(world: &mut World, fault: &Fault, uploads: usize, started: Instant) {
    let at = started.elapsed().as_secs_f64();
    match (&fault.target, &mut world.nats) {
        (Target::Service(name), _) => world.fleet.service(name).expect("service").kill(),
        (Target::Nats, Nats::Single(server)) => server.stop(),
        (Target::Node(i), Nats::Cluster(cluster)) => cluster.kill(*i),
        (target, _) => panic!("{target:?} is not part of this setting"),
    }
    let down = Instant::now();
    while down.elapsed() < fault.down {
        supervise(&mut world.fleet);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let restarted = match (&fault.target, &mut world.nats) {
        (Target::Service(name), _) => world.fleet.service(name).and_then(Service::start),
        (Target::Nats, Nats::Single(server)) => tokio::task::block_in_place(|| server.restart()),
        (Target::Node(i), Nats::Cluster(cluster)) => {
            tokio::task::block_in_place(|| cluster.restart(*i))
        }
        (target, _) => panic!("{target:?} is not part of this setting"),
    };
    if let Err(e) = restarted {
        panic!("{fault:?}: cannot start it again: {e:#}");
    }
    let what = match &fault.target {
        Target::Service(name) => name.clone(),
        Target::Nats => "nats-server".to_string(),
        Target::Node(i) => format!("cluster node {}", i + 1),
    };
    world.done.push(format!(
        "{what} killed after {uploads} uploads ({at:.1} s), down {:.1} s",
        fault.down.as_secs_f64()
    ));
}

/// Restart what exited on its own, saying so.
fn supervise(fleet: &mut Fleet) {
    match fleet.supervise() {
        Ok(exits) => {
            for exit in exits {
                let tail = fleet
                    .service(&exit.service)
                    .map(|s| s.log_tail(8))
                    .unwrap_or_default();
                eprintln!("  {exit}; starting it again. The end of its log:\n{tail}");
            }
        }
        Err(e) => eprintln!("  a service cannot be started again: {e:#}"),
    }
}

fn shown(problems: &[String]) -> String {
    let mut text = problems
        .iter()
        .take(40)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > 40 {
        text.push_str(&format!("\n... and {} more", problems.len() - 40));
    }
    text
}
