//! A round's load for fault injection, and what must hold after it.
//!
//! - [`Plan::generate`]: partner workbooks made in the test from the template's headers
//!   (`schemas/fields.csv`), each row with a known `partner_ref` and a title naming its file, so the
//!   test knows exactly which initiatives each accepted file implies. Files are accepted ones (replace
//!   and merge), rejected ones (one bad date), hostile ones and identical re-uploads; every generated
//!   workbook is checked with `jvap_ingest::validate` before it is sent, so its verdict is certain.
//! - [`drive`]: several tasks upload the plan concurrently, each partner's files in order, retrying
//!   an upload the server could not take (connection refused or reset, 5xx) until it answers 200/202.
//! - [`crate::invariants::check`] then says what must hold after it.
//! - [`Rng`]: a small seeded generator, so a run can be replayed from its printed seed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use jvap_record::{FIELDS, Lang, Verdict};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

/// The round the services run.
pub const ROUND: &str = "2022";

/// SplitMix64: small, seeded, good enough to pick partners, files and moments.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A duration between `low` and `high` milliseconds.
    pub fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(self.between(low, high))
    }
}

/// The seed: `$JVAP_CHAOS_SEED` when set (to replay a run), else the clock.
pub fn seed() -> u64 {
    if let Some(seed) = std::env::var("JVAP_CHAOS_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return seed;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

/// The first `n` partner codes of `schemas/reference/partners.csv`.
pub fn partner_codes(n: usize) -> anyhow::Result<Vec<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/reference/partners.csv"
    );
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let codes: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .filter(|code| !code.is_empty())
        .take(n)
        .map(str::to_string)
        .collect();
    anyhow::ensure!(codes.len() == n, "partners.csv has fewer than {n} partners");
    Ok(codes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Replace,
    Merge,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Replace => "replace",
            Mode::Merge => "merge",
        }
    }

    fn other(self) -> Mode {
        match self {
            Mode::Replace => Mode::Merge,
            Mode::Merge => Mode::Replace,
        }
    }
}

/// What a file is, hence how it must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Valid rows: `accepted`, its rows in the dataset.
    Accepted,
    /// Valid rows and one bad date: `rejected`.
    Rejected,
    /// A damaged or hostile file: `rejected`, and nothing else harmed.
    Hostile,
}

impl Kind {
    /// The state a submission of this file must end in.
    pub fn expected_state(self) -> &'static str {
        match self {
            Kind::Accepted => "accepted",
            Kind::Rejected | Kind::Hostile => "rejected",
        }
    }
}

/// One initiative row of a generated workbook.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub reference: Option<String>,
    pub title: String,
}

/// One upload of the plan.
#[derive(Debug, Clone)]
pub struct Upload {
    pub partner: String,
    pub file_name: String,
    pub bytes: Arc<Vec<u8>>,
    pub mode: Mode,
    pub kind: Kind,
    /// The rows (empty for hostile files).
    pub rows: Vec<Row>,
    /// For an identical re-upload: the plan index of the upload whose bytes it sends again.
    pub original: Option<usize>,
}

/// Every upload of a round, each partner's in the order they must be sent.
pub struct Plan {
    pub uploads: Vec<Upload>,
    pub partners: Vec<String>,
}

impl Plan {
    /// `per_partner` uploads for each of `partners`: the first an accepted replace, then accepted
    /// merges and replaces, rejected files, hostile files (from `hostile`, each used once per partner)
    /// and identical re-uploads of an earlier file (sometimes with the other mode).
    pub fn generate(
        rng: &mut Rng,
        partners: &[String],
        per_partner: usize,
        hostile: &[(String, Vec<u8>)],
    ) -> anyhow::Result<Plan> {
        let mut uploads: Vec<Upload> = Vec::new();
        let mut hostile_next = 0;
        for partner in partners {
            let mut own: Vec<usize> = Vec::new();
            for n in 0..per_partner {
                let upload = if n == 0 {
                    generated(rng, partner, n, Mode::Replace, Kind::Accepted)?
                } else {
                    let roll = rng.below(100);
                    if roll < 22 && !own.is_empty() {
                        let original = own[rng.below(own.len())];
                        let mut again = uploads[original].clone();
                        if rng.chance(0.25) {
                            // The same bytes with the other mode are still the same submission.
                            again.mode = again.mode.other();
                        }
                        again.original = Some(original);
                        again
                    } else if roll < 30 && !hostile.is_empty() {
                        let (name, bytes) = &hostile[hostile_next % hostile.len()];
                        hostile_next += 1;
                        Upload {
                            partner: partner.clone(),
                            file_name: format!("{partner}_{n}_{name}"),
                            bytes: Arc::new(bytes.clone()),
                            mode: if rng.chance(0.5) {
                                Mode::Replace
                            } else {
                                Mode::Merge
                            },
                            kind: Kind::Hostile,
                            rows: Vec::new(),
                            original: None,
                        }
                    } else if roll < 50 {
                        let mode = if rng.chance(0.5) {
                            Mode::Replace
                        } else {
                            Mode::Merge
                        };
                        generated(rng, partner, n, mode, Kind::Rejected)?
                    } else if roll < 65 {
                        generated(rng, partner, n, Mode::Replace, Kind::Accepted)?
                    } else {
                        generated(rng, partner, n, Mode::Merge, Kind::Accepted)?
                    }
                };
                own.push(uploads.len());
                uploads.push(upload);
            }
        }
        Ok(Plan {
            uploads,
            partners: partners.to_vec(),
        })
    }

    /// How many uploads of each sort: (accepted, rejected, hostile, re-uploads).
    pub fn mix(&self) -> (usize, usize, usize, usize) {
        let count = |f: &dyn Fn(&Upload) -> bool| self.uploads.iter().filter(|u| f(u)).count();
        (
            count(&|u| u.original.is_none() && u.kind == Kind::Accepted),
            count(&|u| u.original.is_none() && u.kind == Kind::Rejected),
            count(&|u| u.original.is_none() && u.kind == Kind::Hostile),
            count(&|u| u.original.is_some()),
        )
    }
}

/// Stand-ins for hostile files until the harness has its own: bytes that are no spreadsheet under
/// spreadsheet names, and a zip that ends in the middle.
pub fn damaged_files(rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let noise =
        |rng: &mut Rng, len: usize| -> Vec<u8> { (0..len).map(|_| rng.next_u64() as u8).collect() };
    let mut truncated = workbook(
        &[Row {
            reference: Some("X".into()),
            title: "Truncated workbook".into(),
        }],
        false,
    )
    .unwrap_or_default();
    truncated.truncate(truncated.len() / 2);
    vec![
        ("noise.xlsx".to_string(), noise(rng, 2048)),
        ("noise.xls".to_string(), noise(rng, 4096)),
        ("noise.ods".to_string(), noise(rng, 1024)),
        ("truncated.xlsx".to_string(), truncated),
    ]
}

/// An accepted or rejected workbook of 1 to 5 rows for `partner`: references drawn from the
/// partner's eight (`R1`..`R8`), now and then a row without one; titles name the file and row.
fn generated(
    rng: &mut Rng,
    partner: &str,
    n: usize,
    mode: Mode,
    kind: Kind,
) -> anyhow::Result<Upload> {
    let count = rng.between(1, 5) as usize;
    let mut references: Vec<usize> = (1..=8).collect();
    let mut rows = Vec::new();
    for i in 0..count {
        let reference = if rng.chance(0.15) {
            None
        } else {
            let pick = references.remove(rng.below(references.len()));
            Some(format!("{partner}-R{pick}"))
        };
        rows.push(Row {
            reference,
            title: format!("{partner} initiative, file {n} row {}", i + 1),
        });
    }
    let bytes = workbook(&rows, kind == Kind::Rejected)?;
    let file_name = format!("{partner}_chaos_{n}.xlsx");
    let report = jvap_ingest::validate(&file_name, &bytes);
    let verdict = match kind {
        Kind::Accepted => Verdict::Accepted,
        _ => Verdict::Rejected,
    };
    anyhow::ensure!(
        report.verdict == verdict
            && report.records.len() == rows.len() - usize::from(kind == Kind::Rejected),
        "the generated {file_name} is not {verdict:?} with its rows: {:?}",
        report.issues
    );
    Ok(Upload {
        partner: partner.to_string(),
        file_name,
        bytes: Arc::new(bytes),
        mode,
        kind,
        rows,
        original: None,
    })
}

/// The value of field `key` in a valid row.
fn cell(key: &str, row: &Row) -> Option<String> {
    let text = match key {
        "partner_ref" => return row.reference.clone(),
        "title" => return Some(row.title.clone()),
        "initiative_type" => "Project",
        "description" => "An initiative generated by the fault-injection test.",
        "status" => "Ongoing",
        "start_date" => "15/03/2019",
        "end_date" => "31/12/2024",
        "jvap_domains" => "D1",
        "primary_domain" => "D1",
        "countries" => "Niger",
        "lead_funder" => "EU",
        "implementers" => "IOM",
        "budget" => "1000000",
        "currency" => "EUR",
        _ => return None,
    };
    Some(text.to_string())
}

/// The workbook of `rows` under the English template headers; with `bad_date`, the last row's start
/// date is not a date (so the file is rejected, its other rows valid).
pub fn workbook(rows: &[Row], bad_date: bool) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(jvap_outputs::template::SHEET_INITIATIVES)?;
    for (col, field) in FIELDS.iter().enumerate() {
        sheet.write_string(0, col as u16, field.header(Lang::En))?;
    }
    for (i, row) in rows.iter().enumerate() {
        let last = i + 1 == rows.len();
        for (col, field) in FIELDS.iter().enumerate() {
            let value = if bad_date && last && field.key == "start_date" {
                Some("sometime in spring".to_string())
            } else {
                cell(&field.key, row)
            };
            if let Some(value) = value {
                sheet.write_string(i as u32 + 1, col as u16, value)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// What became of one upload of the plan.
#[derive(Debug, Clone)]
pub enum Sent {
    /// 200 or 202 with this submission id, after `attempts` tries.
    Taken {
        code: u16,
        id: String,
        attempts: u32,
    },
    /// A 4xx the test did not expect (an upload is never refused here).
    Refused { code: u16, body: String },
    /// No 200/202 within the limit.
    GaveUp { last_error: String },
}

/// Figures of the upload phase.
#[derive(Debug, Default, Clone)]
pub struct Driven {
    /// `plan.uploads[i]`'s fate at index `i`.
    pub sent: Vec<Option<Sent>>,
    /// Attempts that failed at the HTTP level or with 5xx and were tried again.
    pub retries: u32,
    pub elapsed: Duration,
}

/// How the load is driven.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Upload tasks running at once.
    pub tasks: usize,
    /// The longest pause of a task between two uploads (each pause is drawn up to it).
    pub pause: Duration,
    /// How long one upload is tried while the server cannot take it.
    pub limit: Duration,
    /// Seeds the pauses.
    pub seed: u64,
}

/// Upload the plan from `pace.tasks` concurrent tasks (partners shared among them, each partner's
/// files in order, the tasks interleaving their partners); `progress` counts uploads done. An upload
/// is tried until it gets 200/202, for at most `pace.limit`.
pub async fn drive(
    plan: &Plan,
    base: &str,
    tokens: &HashMap<String, String>,
    pace: Pace,
    progress: Arc<AtomicUsize>,
) -> Driven {
    let Pace {
        tasks,
        pause,
        limit,
        seed,
    } = pace;
    let started = Instant::now();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_default();
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); tasks];
    for (p, partner) in plan.partners.iter().enumerate() {
        queues[p % tasks].extend(
            plan.uploads
                .iter()
                .enumerate()
                .filter(|(_, u)| &u.partner == partner)
                .map(|(i, _)| i),
        );
    }
    let mut handles = Vec::new();
    for (t, queue) in queues.into_iter().enumerate() {
        // Interleave the task's partners: one file of each in turn, each partner's in order.
        let mut by_partner: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for i in queue {
            by_partner
                .entry(&plan.uploads[i].partner)
                .or_default()
                .push(i);
        }
        let mut order = Vec::new();
        let longest = by_partner.values().map(Vec::len).max().unwrap_or(0);
        for k in 0..longest {
            order.extend(by_partner.values().filter_map(|v| v.get(k).copied()));
        }
        let jobs: Vec<(usize, Upload, String)> = order
            .into_iter()
            .map(|i| {
                let upload = plan.uploads[i].clone();
                let token = tokens.get(&upload.partner).cloned().unwrap_or_default();
                (i, upload, token)
            })
            .collect();
        let http = http.clone();
        let base = base.to_string();
        let progress = progress.clone();
        let mut rng = Rng::new(seed ^ (t as u64 + 1).wrapping_mul(0x5851_F42D_4C95_7F2D));
        handles.push(tokio::spawn(async move {
            let mut done = Vec::new();
            let mut retries = 0;
            for (i, upload, token) in jobs {
                let (sent, tries) = send(&http, &base, &token, &upload, limit).await;
                retries += tries;
                done.push((i, sent));
                progress.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(rng.millis(0, pause.as_millis() as u64)).await;
            }
            (done, retries)
        }));
    }
    let mut driven = Driven {
        sent: vec![None; plan.uploads.len()],
        ..Driven::default()
    };
    for handle in handles {
        match handle.await {
            Ok((done, retries)) => {
                driven.retries += retries;
                for (i, sent) in done {
                    driven.sent[i] = Some(sent);
                }
            }
            Err(e) => eprintln!("an upload task panicked: {e}"),
        }
    }
    driven.elapsed = started.elapsed();
    driven
}

/// One upload, tried again while the server cannot take it; the outcome and the failed tries.
async fn send(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    upload: &Upload,
    limit: Duration,
) -> (Sent, u32) {
    let started = Instant::now();
    let mut failed = 0;
    loop {
        let part = reqwest::multipart::Part::bytes(upload.bytes.to_vec())
            .file_name(upload.file_name.clone());
        let form = reqwest::multipart::Form::new()
            .part("file", part)
            .text("mode", upload.mode.as_str());
        let answer = http
            .post(format!("{base}/api/v1/submissions"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await;
        let last_error = match answer {
            Ok(response) => {
                let code = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                match code {
                    200 | 202 => {
                        let id = serde_json::from_str::<Value>(&body)
                            .ok()
                            .and_then(|v| v["submission_id"].as_str().map(str::to_string));
                        match id {
                            Some(id) => {
                                let sent = Sent::Taken {
                                    code,
                                    id,
                                    attempts: failed + 1,
                                };
                                return (sent, failed);
                            }
                            None => format!("{code} without a submission id: {body}"),
                        }
                    }
                    500.. => format!("{code}: {body}"),
                    _ => return (Sent::Refused { code, body }, failed),
                }
            }
            Err(e) => format!("{e}"),
        };
        failed += 1;
        if started.elapsed() > limit {
            return (Sent::GaveUp { last_error }, failed);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_makes_the_same_plan_and_every_generated_file_ends_as_planned() {
        let partners = partner_codes(3).expect("partners");
        let hostile = vec![("noise.xlsx".to_string(), vec![1, 2, 3])];
        let one = Plan::generate(&mut Rng::new(7), &partners, 6, &hostile).expect("plan");
        let two = Plan::generate(&mut Rng::new(7), &partners, 6, &hostile).expect("plan");
        assert_eq!(one.uploads.len(), 18);
        let shape = |plan: &Plan| -> Vec<String> {
            let shown = |u: &Upload| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    u.file_name, u.mode, u.kind, u.rows, u.original
                )
            };
            plan.uploads.iter().map(shown).collect()
        };
        assert_eq!(shape(&one), shape(&two));
        assert!(
            one.uploads
                .iter()
                .all(|u| u.original.is_none_or(|o| o < one.uploads.len()))
        );
    }
}
