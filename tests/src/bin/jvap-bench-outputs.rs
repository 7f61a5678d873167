//! Times the outputs of a large round: `jvap-bench-outputs [INITIATIVES]` (100,000 by default).
//!
//! Builds that many synthetic but realistic initiatives in memory (every partner reports, every domain,
//! objective and currency appears, partner and other countries, budgets and missing budgets,
//! warnings, and one initiative in 200 reported again by a second partner so duplicates are found),
//! then times `jvap_outputs::build` (the seven files, as the aggregation service and `jvap consolidate`
//! make them) against a baseline: the bare rust_xlsxwriter write of the same Initiatives cells, already
//! in memory, to a one-sheet constant-memory workbook with the library's defaults. It also times each
//! step alone (`Figures::compute`, `write_xlsx`, `write_json`, `write_csv`, the four summaries), to show
//! where the time goes, and prints one line.
//! Run it in release: `cargo run --release -p jvap-tests --bin jvap-bench-outputs`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use jvap_outputs::RoundData;
use jvap_outputs::dataset::table::{self, Cell};
use jvap_outputs::dataset::{write_csv, write_json, write_xlsx};
use jvap_outputs::figures::Figures;
use jvap_outputs::summary;
use jvap_outputs::{DatasetInitiative, DatasetMeta};
use jvap_record::record::SourceRef;
use jvap_record::reference::{self, PARTNERS};
use jvap_record::tracker::Tracker;
use jvap_record::{Initiative, Lang};

fn main() -> anyhow::Result<()> {
    let usage = "usage: jvap-bench-outputs [INITIATIVES] [all|build|bare|steps]";
    let mut args = std::env::args().skip(1);
    let count: usize = match args.next() {
        Some(n) => n.parse().context(usage)?,
        None => 100_000,
    };
    let part = args.next().unwrap_or_else(|| "all".into());
    anyhow::ensure!(
        ["all", "build", "bare", "steps"].contains(&part.as_str()),
        "{usage}"
    );

    let started = Instant::now();
    let initiatives = synthetic(count)?;
    let mut line = format!(
        "initiatives={count} made={:.2}s",
        started.elapsed().as_secs_f64()
    );

    let meta = DatasetMeta {
        round: "2022".into(),
        version: 2,
        generated_at: Utc::now(),
    };
    let mut by_partner = BTreeMap::new();
    for initiative in &initiatives {
        *by_partner.entry(initiative.partner.clone()).or_insert(0) += 1;
    }
    let expected: Vec<String> = PARTNERS.iter().map(|p| p.code.clone()).collect();
    let tracker = Tracker::build(&meta.round, &expected, &[], &by_partner);
    let previous = &initiatives[..initiatives.len() * 9 / 10];
    let data = RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: Some((1, previous)),
        tracker: &tracker,
    };

    let mut build = None;
    if part == "all" || part == "build" {
        let t = Instant::now();
        let files = jvap_outputs::build(&data)?;
        let elapsed = t.elapsed().as_secs_f64();
        let sizes: Vec<String> = files
            .iter()
            .map(|f| format!("{} {:.1} MB", f.name, f.bytes.len() as f64 / 1_048_576.0))
            .collect();
        line += &format!(" build={elapsed:.3}s ({})", sizes.join(", "));
        build = Some(elapsed);
    }
    if part == "all" || part == "bare" {
        let bare = bare_write(&initiatives)?.as_secs_f64();
        line += &format!(" bare_xlsx={bare:.3}s");
        if let Some(build) = build.filter(|_| bare > 0.0) {
            line += &format!(" ratio={:.2}", build / bare);
        }
    }
    if part == "all" || part == "steps" {
        line += &steps(&data)?;
    }
    println!("{line}");
    Ok(())
}

/// Each step of `jvap_outputs::build` alone, one after the other on one thread (the figures' duplicate
/// search and the workbook's two long sheets still use their own threads).
fn steps(data: &RoundData<'_>) -> anyhow::Result<String> {
    let t = Instant::now();
    let figures = Figures::compute(data);
    let figures_time = t.elapsed();
    let t = Instant::now();
    let xlsx = write_xlsx(data, &figures)?;
    let xlsx_time = t.elapsed();
    let t = Instant::now();
    let json = write_json(data, &figures)?;
    let json_time = t.elapsed();
    let t = Instant::now();
    let csv = write_csv(data.meta, data.initiatives)?;
    let csv_time = t.elapsed();
    let t = Instant::now();
    let summaries: usize = [Lang::En, Lang::Fr]
        .into_iter()
        .map(|lang| summary::html(&figures, lang).len() + summary::markdown(&figures, lang).len())
        .sum();
    let summaries_time = t.elapsed();
    let mb = |bytes: &[u8]| bytes.len() as f64 / 1_048_576.0;
    Ok(format!(
        " steps: figures={:.2}s xlsx={:.2}s ({:.1} MB) json={:.2}s ({:.1} MB) csv={:.2}s ({:.1} MB) \
         summaries={:.2}s ({:.0} KB) budget_eur={} duplicates={} gaps={} added={}",
        figures_time.as_secs_f64(),
        xlsx_time.as_secs_f64(),
        mb(&xlsx),
        json_time.as_secs_f64(),
        mb(&json),
        csv_time.as_secs_f64(),
        mb(&csv),
        summaries_time.as_secs_f64(),
        summaries as f64 / 1024.0,
        figures.totals.budget_eur,
        figures.quality.duplicates.len(),
        figures.gaps.len(),
        figures.changes.added,
    ))
}

/// The baseline: the Initiatives cells (made beforehand) written to a one-sheet constant-memory
/// workbook with rust_xlsxwriter's defaults, and saved.
fn bare_write(initiatives: &[DatasetInitiative]) -> anyhow::Result<std::time::Duration> {
    let rows: Vec<Vec<Cell>> = initiatives.iter().map(table::row).collect();
    let started = Instant::now();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    sheet.write_string(r, c, text)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Cell::Date(d) => {
                    sheet.write_string(r, c, d.to_string())?;
                }
            }
        }
    }
    let bytes = workbook.save_to_buffer()?;
    let elapsed = started.elapsed();
    anyhow::ensure!(!bytes.is_empty(), "the bare workbook is empty");
    Ok(elapsed)
}

/// A small deterministic generator (xorshift), so every run builds the same round.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const THEMES: [&str; 12] = [
    "Support to the reintegration of returnees",
    "Border management and the fight against smuggling",
    "Protection of refugees and host communities",
    "Skills partnership for legal labour migration",
    "Diaspora investment for local development",
    "Appui à la gestion intégrée des frontières",
    "Lutte contre la traite des êtres humains",
    "Création d'emplois pour les jeunes",
    "Assisted voluntary return and reintegration",
    "Migration data and evidence for policy",
    "Protection des enfants migrants non accompagnés",
    "Climate resilience and food security",
];

/// Countries outside both Processes, which the figures put in the `other` region.
const OTHER_COUNTRIES: [&str; 3] = ["USA", "CHN", "TUR"];

fn synthetic(count: usize) -> anyhow::Result<Vec<DatasetInitiative>> {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let partners: Vec<&str> = PARTNERS.iter().map(|p| p.code.as_str()).collect();
    let mut countries: Vec<&str> = PARTNERS
        .iter()
        .filter(|p| p.is_country())
        .map(|p| p.code.as_str())
        .collect();
    countries.extend(OTHER_COUNTRIES);
    let domains: Vec<&str> = reference::DOMAINS.iter().map(|d| d.code.as_str()).collect();
    let objectives: Vec<&str> = reference::OBJECTIVES
        .iter()
        .map(|o| o.code.as_str())
        .collect();
    let currencies: Vec<&str> = reference::EUR_RATES.keys().map(String::as_str).collect();
    let codes = |list: &str| -> Vec<&'static str> {
        reference::code_list(list)
            .map(|c| c.code.as_str())
            .collect()
    };
    let (statuses, categories, targets) = (
        codes("status"),
        codes("funder_category"),
        codes("target_group"),
    );
    let scopes = codes("geographic_scope");

    let mut initiatives: Vec<DatasetInitiative> = Vec::with_capacity(count);
    for i in 0..count {
        if i % 200 == 199 {
            // The same initiative reported by another partner (its funder and its implementer).
            let mut copy = initiatives[i - 1].clone();
            copy.partner = partners[(random.below(partners.len()) + 1) % partners.len()].into();
            copy.submission_id = format!("sub-{}", copy.partner);
            copy.record.partner_ref = Some(format!("DUP-{i:06}"));
            initiatives.push(copy);
            continue;
        }
        let partner = partners[i % partners.len()];
        let start = NaiveDate::from_ymd_opt(
            2015 + random.below(8) as i32,
            1 + random.below(12) as u32,
            1 + random.below(28) as u32,
        )
        .context("a start date")?;
        let end = (random.below(4) > 0)
            .then(|| start + chrono::Days::new(180 + random.below(1800) as u64));
        let mut own_domains: Vec<String> = (0..1 + random.below(2))
            .map(|_| random.pick(&domains).to_string())
            .collect();
        own_domains.dedup();
        let own_countries: Vec<String> = (0..1 + random.below(3))
            .map(|_| random.pick(&countries).to_string())
            .collect();
        let currency = random.pick(&currencies).to_string();
        let budget =
            (random.below(10) > 0).then(|| 10_000.0 + random.below(50_000_000) as f64 + 0.25);
        let budget_eur = budget
            .map(|b| b / reference::eur_rate(&currency, 2019).unwrap_or(1.0))
            .map(|b| (b * 100.0).round() / 100.0);
        let record = Initiative {
            partner_ref: (random.below(10) > 0).then(|| format!("{partner}-{i:06}")),
            initiative_type: if i % 5 == 0 { "policy" } else { "project" }.into(),
            title: format!(
                "{} in {} – action {i}",
                random.pick(&THEMES),
                own_countries[0]
            ),
            description: Some("The action builds the capacities of national authorities.".into()),
            status: random.pick(&statuses).to_string(),
            start_date: start,
            end_date: end,
            primary_domain: own_domains[0].clone(),
            jvap_priorities: vec![format!("{}.1", &own_domains[0][1..])],
            jvap_domains: own_domains,
            marrakesh_objectives: vec![random.pick(&objectives).to_string()],
            geographic_scope: random.pick(&scopes).to_string(),
            countries: own_countries,
            lead_funder: Some(random.pick(&partners).to_string()),
            other_funders: vec![],
            funder_category: (random.below(8) > 0).then(|| random.pick(&categories).to_string()),
            implementers: vec!["IOM".into(), "Ministry of the Interior".into()],
            budget,
            currency: budget.map(|_| currency.clone()),
            budget_eur,
            target_groups: vec![random.pick(&targets).to_string()],
            website: Some("https://example.org/initiative".into()),
            contact_email: Some("contact@example.org".into()),
            jvap_id: None,
            source: SourceRef {
                sheet: Some("Initiatives".into()),
                row: 2 + (i / partners.len()) as u32,
            },
        };
        let warnings = if i % 7 == 0 {
            vec![format!("description.empty@D{}", record.source.row)]
        } else {
            vec![]
        };
        initiatives.push(DatasetInitiative {
            partner: partner.into(),
            submission_id: format!("sub-{partner}"),
            record,
            warnings,
        });
    }
    Ok(initiatives)
}
