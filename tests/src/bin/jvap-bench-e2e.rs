//! The service path, end to end (`make bench-e2e`): intake, validation and aggregation on one
//! nats-server and SQLite (the whole system of [`jvap_tests::System`], its own servers, stopped at the
//! end), a round loaded with 70 partners, then 200-row submissions one at a time and 8 at once:
//! upload → HTTP answer, → accepted, → its dataset version listed (`GET /api/v1/datasets`), →
//! its files downloadable; p50, p95 and max of each, beside the offline `jvap_outputs::build` of the
//! same round in the same run. It asserts nothing about time.
//!
//! `jvap-bench-e2e [ROUND_SIZE...]` (default `14000 100000`); `JVAP_BENCH_SAMPLES` one-at-a-time
//! submissions per round (default 12), `JVAP_BENCH_BATCHES` batches of 8 (default 3).

use std::time::{Duration, Instant};

use anyhow::Context;
use jvap_tests::load::{self, Row};
use jvap_tests::{Backend, Client, System};

const PARTNERS: usize = 70;
const ROWS_PER_SUBMISSION: usize = 200;
const AT_ONCE: usize = 8;
const LIMIT: Duration = Duration::from_secs(900);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // The services run in this process: `RUST_LOG=info` shows their lines, to see where time goes.
    if std::env::var_os("RUST_LOG").is_some() {
        jvap_bus::telemetry::init("bench", jvap_bus::telemetry::LogFormat::Text);
    }
    let sizes: Vec<usize> = match std::env::args().skip(1).collect::<Vec<_>>() {
        args if args.is_empty() => vec![14_000, 100_000],
        args => args
            .iter()
            .map(|a| a.parse().context("usage: jvap-bench-e2e [ROUND_SIZE...]"))
            .collect::<anyhow::Result<_>>()?,
    };
    let samples = env_number("JVAP_BENCH_SAMPLES", 12);
    let batches = env_number("JVAP_BENCH_BATCHES", 3);
    for size in sizes {
        bench_round(size, samples, batches).await?;
    }
    Ok(())
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one submission took, from the moment its upload started.
#[derive(Debug, Default, Clone, Copy)]
struct Timing {
    answer: Duration,
    accepted: Duration,
    listed: Duration,
    files: Duration,
}

async fn bench_round(size: usize, samples: usize, batches: usize) -> anyhow::Result<()> {
    println!("\n== round of {size} initiatives, {PARTNERS} partners ==");
    let system = System::start(Backend::Sqlite).await?;
    let analyst = system.admin.issue("analyst", None).await?;
    let partners = load::partner_codes(PARTNERS)?;
    let mut clients = Vec::new();
    for partner in &partners {
        clients.push((
            partner.clone(),
            system.admin.issue("partner", Some(partner)).await?,
        ));
    }

    // Load the round: each partner's share, four uploads at a time.
    let started = Instant::now();
    let per_partner = size.div_ceil(PARTNERS);
    for chunk in clients.chunks(4) {
        let mut uploads = Vec::new();
        for (partner, client) in chunk {
            uploads.push(submit(
                client,
                &analyst,
                partner,
                per_partner,
                "load".to_string(),
                false,
            ));
        }
        for upload in futures::future::join_all(uploads).await {
            upload?;
        }
    }
    let dataset: serde_json::Value = analyst
        .get_json("/api/v1/datasets/latest.json")
        .await?
        .context("the round's dataset")?;
    let loaded = dataset["initiatives"].as_array().map_or(0, Vec::len);
    println!(
        "loaded {loaded} initiatives in {:.1} s (version {})",
        started.elapsed().as_secs_f64(),
        dataset["version"]
    );

    // One at a time.
    let mut one = Vec::new();
    for i in 0..samples {
        let (partner, client) = &clients[i % clients.len()];
        let tag = format!("one-{i}");
        one.push(submit(client, &analyst, partner, ROWS_PER_SUBMISSION, tag, true).await?);
    }
    // Eight at once.
    let mut eight = Vec::new();
    for batch in 0..batches {
        let mut uploads = Vec::new();
        for k in 0..AT_ONCE {
            let (partner, client) = &clients[(batch * AT_ONCE + k + 17) % clients.len()];
            let tag = format!("eight-{batch}-{k}");
            uploads.push(submit(
                client,
                &analyst,
                partner,
                ROWS_PER_SUBMISSION,
                tag,
                true,
            ));
        }
        for timing in futures::future::join_all(uploads).await {
            eight.push(timing?);
        }
    }

    // The offline build of the same round, in this process.
    let store = jvap_aggregation::Store::connect(&jvap_aggregation::Database::Sqlite(
        system.data.path().join("jvap.db"),
    ))
    .await?;
    let latest = store
        .latest_version(load::ROUND)
        .await?
        .context("a version")?;
    let initiatives = store.initiatives_at(load::ROUND, latest).await?;
    let tracker = jvap_record::tracker::Tracker::build(
        load::ROUND,
        &[],
        &[],
        &std::collections::BTreeMap::new(),
    );
    let meta = jvap_outputs::DatasetMeta {
        round: load::ROUND.into(),
        version: latest,
        generated_at: chrono::Utc::now(),
    };
    let built = Instant::now();
    jvap_outputs::build(&jvap_outputs::RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: Some((latest - 1, &initiatives)),
        tracker: &tracker,
    })?;
    let offline = built.elapsed();

    println!(
        "\n{:<44} {:>9} {:>9} {:>9}",
        "ms (p50 / p95 / max)", "p50", "p95", "max"
    );
    for (label, timings) in [("one at a time", &one), ("8 at once", &eight)] {
        for (what, pick) in [
            (
                "upload → HTTP answer",
                (|t: &Timing| t.answer) as fn(&Timing) -> Duration,
            ),
            ("upload → accepted", |t: &Timing| t.accepted),
            ("upload → its version listed", |t: &Timing| t.listed),
            ("upload → its version's files", |t: &Timing| t.files),
        ] {
            let mut values: Vec<Duration> = timings.iter().map(pick).collect();
            values.sort();
            println!(
                "{:<44} {:>9.0} {:>9.0} {:>9.0}",
                format!("{label}: {what}"),
                ms(percentile(&values, 50)),
                ms(percentile(&values, 95)),
                ms(values.last().copied().unwrap_or_default()),
            );
        }
    }
    println!(
        "{:<44} {:>9.0}   ({} initiatives)",
        "offline outputs::build of the same round",
        ms(offline),
        initiatives.len()
    );
    system.shutdown().await?;
    Ok(())
}

/// Upload `rows` rows for `partner` (titles tagged, so each file is new) and time it: the answer,
/// accepted, its version listed, its version's files (when `files` is set; for a version overtaken
/// by another, the files of the newest version are what is built, so those are timed).
async fn submit(
    client: &Client,
    analyst: &Client,
    partner: &str,
    rows: usize,
    tag: String,
    files: bool,
) -> anyhow::Result<Timing> {
    let rows: Vec<Row> = (0..rows)
        .map(|i| Row {
            reference: Some(format!("{partner}-{i}")),
            title: format!("Initiative {i} of {partner} ({tag})"),
        })
        .collect();
    let bytes = load::workbook(&rows, false)?;
    let started = Instant::now();
    let (code, status) = client
        .submit(&format!("{partner}_{tag}.xlsx"), bytes, Some("replace"))
        .await?;
    let answer = started.elapsed();
    anyhow::ensure!(code == 202, "upload answered {code}: {status}");
    let id = status["submission_id"]
        .as_str()
        .context("a submission id")?
        .to_string();
    let mut timing = Timing {
        answer,
        ..Timing::default()
    };
    let version = loop {
        anyhow::ensure!(started.elapsed() < LIMIT, "{id} took too long");
        let status = client
            .get_json(&format!("/api/v1/submissions/{id}"))
            .await?
            .context("the status")?;
        match status["state"].as_str() {
            Some("accepted") => {
                if timing.accepted.is_zero() {
                    timing.accepted = started.elapsed();
                }
                if let Some(version) = status["dataset_version"].as_u64() {
                    break version;
                }
            }
            Some("rejected" | "failed") => anyhow::bail!("{id} ended {status}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    loop {
        anyhow::ensure!(started.elapsed() < LIMIT, "{id}'s version was never listed");
        let listing = analyst.get_json("/api/v1/datasets").await?;
        let newest = listing
            .as_ref()
            .and_then(|l| l.as_array())
            .and_then(|l| l.last())
            .and_then(|v| v["version"].as_u64())
            .unwrap_or(0);
        if newest >= version {
            timing.listed = started.elapsed();
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if files {
        loop {
            anyhow::ensure!(started.elapsed() < LIMIT, "{id}'s files never came");
            let response = analyst
                .get_once("/api/v1/datasets/latest.summary.en.md")
                .await?;
            if response.status() == 200 {
                timing.files = started.elapsed();
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(timing)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
