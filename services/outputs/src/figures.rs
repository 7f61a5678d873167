//! The figures of a round: ONE computation that every output renders (workbook summary sheets, JSON,
//! Steering Committee summaries, web pages). Nothing else adds up initiatives or budgets.
//!
//! Money is exact decimal ([`Money`]): each initiative's `budget_eur` enters the figures rounded to the
//! cent, and totals are exact sums of those, so the same total reads the same everywhere.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::changes::{ChangeLog, warning_code};
use crate::duplicates::{self, PossibleDuplicate};
use crate::round::DatasetInitiative;
use crate::round::RoundData;
use crate::threads::joined;
use jvap_record::reference;
use jvap_record::tracker::Tracker;

/// An amount in euros, exact to the cent; serialised as a decimal string (`"1200000.00"`).
pub type Money = Decimal;

/// Everything every output shows about one dataset version of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub round: String,
    pub version: u32,
    pub generated_at: DateTime<Utc>,
    pub totals: Totals,
    pub response: Response,
    /// By primary domain (each initiative once), every domain of the reference list, in code order.
    pub by_primary_domain: Vec<Group>,
    /// By any of the initiative's domains (an initiative counts under each of its domains).
    pub by_domain: Vec<Group>,
    /// By Marrakesh objective (an initiative counts under each of its objectives), O1..O10.
    pub by_objective: Vec<Group>,
    /// By region of the initiative's countries (each initiative once per region it touches).
    pub by_region: Vec<Group>,
    /// By country (each initiative once per country), most initiatives first.
    pub by_country: Vec<Group>,
    /// By reporting partner, most initiatives first.
    pub by_partner: Vec<Group>,
    /// By funder category, every category of the code list plus `unknown`.
    pub by_funder_category: Vec<Group>,
    pub by_type: Vec<Group>,
    pub by_status: Vec<Group>,
    /// By start year, oldest first, without gaps between the first and last year.
    pub by_start_year: Vec<Group>,
    /// Domains, objectives and regions with few or no initiatives.
    pub gaps: Vec<Gap>,
    pub quality: Quality,
    pub tracker: Tracker,
    pub changes: ChangeLog,
}

/// The round at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub initiatives: u64,
    pub projects: u64,
    pub policies: u64,
    /// Partners with at least one initiative.
    pub partners: u64,
    /// Distinct beneficiary countries.
    pub countries: u64,
    /// Initiatives with a budget in euros.
    pub with_budget: u64,
    pub budget_eur: Money,
}

/// How many expected partners answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub expected: u64,
    /// Expected partners with at least one submission.
    pub submitted: u64,
    /// Expected partners with initiatives in the dataset.
    pub accepted: u64,
    /// `accepted / expected`, in percent with one decimal.
    pub rate_percent: Decimal,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The code (`D1`, `west_africa`, `SEN`, `EU`, `2019`, ...).
    pub key: String,
    pub label_en: String,
    pub label_fr: String,
    pub initiatives: u64,
    pub budget_eur: Money,
}

/// A part of the JVAP with few or no initiatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// `domain`, `objective` or `region`.
    pub dimension: String,
    pub key: String,
    pub label_en: String,
    pub label_fr: String,
    pub initiatives: u64,
}

/// What an analyst should know before quoting the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub missing_budget: u64,
    /// Initiatives whose budget was converted to euros from another currency.
    pub converted_currency: u64,
    /// Initiatives that carry at least one validation warning.
    pub with_warnings: u64,
    /// Warning codes and how many initiatives carry each, most frequent first.
    pub warnings_by_code: Vec<(String, u64)>,
    pub duplicates: Vec<PossibleDuplicate>,
    /// Partners that alone make up more than [`DOMINANT_SHARE_PERCENT`] of the round's initiatives
    /// or budget (in a round of at least [`DOMINANT_MIN_PARTNERS`] partners), largest first.
    #[serde(default)]
    pub dominant: Vec<Dominant>,
    /// Initiatives whose budget is far outside the round's range, largest first: more than
    /// [`OUTLIER_FACTOR`] times the median budget, or less than the median over it.
    #[serde(default)]
    pub budget_outliers: Vec<BudgetOutlier>,
}

/// A partner that weighs more than a set share of the round: its file may be a test, a copy or a
/// whole database, and the round's figures are mostly its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dominant {
    pub partner: String,
    /// Its share of the round's initiatives and of its budget in euros, in percent, one decimal.
    pub initiatives_percent: Decimal,
    pub budget_percent: Decimal,
}

/// An initiative whose budget is far outside the round's range (a budget in cents or in
/// thousands, a typo of three zeros).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetOutlier {
    pub partner: String,
    pub title: String,
    pub budget_eur: Money,
    /// The round's median budget it is compared with.
    pub median_eur: Money,
}

/// A partner is flagged when it makes up more than this share of the round, in percent…
pub const DOMINANT_SHARE_PERCENT: u64 = 50;
/// …in a round of at least this many partners (with fewer, every partner is a large share).
pub const DOMINANT_MIN_PARTNERS: u64 = 3;
/// A budget is an outlier when it is more than this many times the round's median, or less than
/// the median divided by it…
pub const OUTLIER_FACTOR: u64 = 1000;
/// …among at least this many budgets (fewer say nothing about the round's range).
pub const OUTLIER_MIN_BUDGETS: usize = 10;

/// A domain, objective or region is a gap when it has fewer initiatives than this many…
pub const GAP_MIN_INITIATIVES: u64 = 3;
/// …or fewer than this share of all initiatives, in percent.
pub const GAP_MIN_PERCENT: u64 = 5;

/// The region of countries that are not partners of either Process.
pub const REGION_OTHER: &str = "other";

/// The funder category of initiatives without one.
pub const FUNDER_UNKNOWN: &str = "unknown";

impl Figures {
    /// The figures of `data`. The duplicate search and the change log, the longest parts, run on
    /// their own threads while the breakdowns are added up.
    pub fn compute(data: &RoundData<'_>) -> Figures {
        let initiatives = data.initiatives;
        std::thread::scope(|scope| {
            let duplicates = scope.spawn(|| duplicates::find(initiatives));
            let changes = scope.spawn(|| match data.previous {
                Some((version, previous)) => {
                    ChangeLog::between(Some(version), previous, initiatives)
                }
                None => ChangeLog::between(None, &[], initiatives),
            });
            let budgets: Vec<Option<Money>> = initiatives
                .iter()
                .map(|i| i.record.budget_eur.and_then(money))
                .collect();
            let rows: Vec<(&DatasetInitiative, Option<Money>)> =
                initiatives.iter().zip(budgets.iter().copied()).collect();

            let by_domain = groups(domain_labels(), &rows, |i| {
                let mut domains = i.record.jvap_domains.clone();
                domains.push(i.record.primary_domain.clone());
                domains
            });
            let by_objective = groups(objective_labels(), &rows, |i| {
                i.record.marrakesh_objectives.clone()
            });
            let by_region = groups(region_labels(), &rows, |i| {
                i.record
                    .countries
                    .iter()
                    .map(|c| region_of(c).to_string())
                    .collect()
            });
            let gaps = gaps(
                initiatives.len() as u64,
                [
                    ("domain", &by_domain),
                    ("objective", &by_objective),
                    ("region", &by_region),
                ],
            );

            Figures {
                round: data.meta.round.clone(),
                version: data.meta.version,
                generated_at: data.meta.generated_at,
                totals: totals(&rows),
                response: response(data.tracker),
                by_primary_domain: groups(domain_labels(), &rows, |i| {
                    vec![i.record.primary_domain.clone()]
                }),
                by_domain,
                by_objective,
                by_region,
                by_country: most_first(groups(Vec::new(), &rows, |i| i.record.countries.clone())),
                by_partner: most_first(groups(Vec::new(), &rows, |i| vec![i.partner.clone()])),
                by_funder_category: groups(funder_category_labels(), &rows, |i| {
                    vec![
                        i.record
                            .funder_category
                            .as_deref()
                            .unwrap_or(FUNDER_UNKNOWN)
                            .to_string(),
                    ]
                }),
                by_type: groups(code_labels("initiative_type"), &rows, |i| {
                    vec![i.record.initiative_type.clone()]
                }),
                by_status: groups(code_labels("status"), &rows, |i| {
                    vec![i.record.status.clone()]
                }),
                by_start_year: by_start_year(&rows),
                gaps,
                quality: quality(&rows, joined(duplicates)),
                tracker: data.tracker.clone(),
                changes: joined(changes),
            }
        })
    }

    /// Every breakdown with the JSON key it appears under, in the order of the struct.
    pub fn breakdowns(&self) -> [(&'static str, &[Group]); 10] {
        [
            ("by_primary_domain", &self.by_primary_domain),
            ("by_domain", &self.by_domain),
            ("by_objective", &self.by_objective),
            ("by_region", &self.by_region),
            ("by_country", &self.by_country),
            ("by_partner", &self.by_partner),
            ("by_funder_category", &self.by_funder_category),
            ("by_type", &self.by_type),
            ("by_status", &self.by_status),
            ("by_start_year", &self.by_start_year),
        ]
    }
}

/// A budget in euros as [`Money`]: rounded to the cent (half away from zero); None when not finite.
pub fn money(budget_eur: f64) -> Option<Money> {
    Decimal::from_f64(budget_eur).map(|d| {
        let mut cents = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        cents.rescale(2);
        cents
    })
}

/// `money` with exactly two decimals, so every amount is written alike (`0.00`, `12.50`).
fn cents(mut money: Money) -> Money {
    money.rescale(2);
    money
}

/// No euros, written `0.00` like every other amount.
pub const ZERO_EUR: Money = Decimal::from_parts(0, 0, 0, false, 2);

/// The region code of a country: its `region` in the partner list, [`REGION_OTHER`] outside it.
pub fn region_of(country: &str) -> &'static str {
    reference::partner(country)
        .filter(|p| p.is_country() && !p.region.is_empty())
        .map_or(REGION_OTHER, |p| p.region.as_str())
}

/// The English and French names of a country: the partner list's, else ISO 3166's English name for both.
pub fn country_labels(code: &str) -> (String, String) {
    if let Some(p) = reference::partner(code) {
        return (p.name_en.clone(), p.name_fr.clone());
    }
    match jvap_record::country::find_country(code) {
        Some(country) => (country.name_en.clone(), country.name_en),
        None => (code.to_string(), code.to_string()),
    }
}

/// A known key and its labels, in the order a breakdown lists them.
type Label = (String, String, String);

fn domain_labels() -> Vec<Label> {
    reference::DOMAINS
        .iter()
        .map(|d| (d.code.clone(), d.name_en.clone(), d.name_fr.clone()))
        .collect()
}

fn objective_labels() -> Vec<Label> {
    reference::OBJECTIVES
        .iter()
        .map(|o| (o.code.clone(), o.name_en.clone(), o.name_fr.clone()))
        .collect()
}

fn code_labels(list: &str) -> Vec<Label> {
    reference::code_list(list)
        .map(|c| (c.code.clone(), c.name_en.clone(), c.name_fr.clone()))
        .collect()
}

fn region_labels() -> Vec<Label> {
    let mut labels = code_labels("region");
    labels.push((
        REGION_OTHER.into(),
        "Other countries".into(),
        "Autres pays".into(),
    ));
    labels
}

fn funder_category_labels() -> Vec<Label> {
    let mut labels = code_labels("funder_category");
    labels.push((
        FUNDER_UNKNOWN.into(),
        "Not given".into(),
        "Non indiquée".into(),
    ));
    labels
}

/// The labels of a key outside the known list (a country, a partner, a code no list has).
fn labels_of(key: &str) -> (String, String) {
    match reference::partner(key) {
        Some(p) => (p.name_en.clone(), p.name_fr.clone()),
        None => country_labels(key),
    }
}

/// One group per key of `known` (in that order, even when empty), then any other key met, in key
/// order. Each initiative counts once under each distinct key `keys` gives it.
fn groups(
    known: Vec<Label>,
    rows: &[(&DatasetInitiative, Option<Money>)],
    keys: impl Fn(&DatasetInitiative) -> Vec<String>,
) -> Vec<Group> {
    let mut sums: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    for (initiative, budget) in rows {
        let mut own = keys(initiative);
        own.sort_unstable();
        own.dedup();
        for key in own {
            let sum = sums.entry(key).or_insert((0, ZERO_EUR));
            sum.0 += 1;
            if let Some(budget) = budget {
                sum.1 += *budget;
            }
        }
    }
    let mut out: Vec<Group> = known
        .into_iter()
        .map(|(key, label_en, label_fr)| {
            let (initiatives, budget_eur) = sums.remove(key.as_str()).unwrap_or((0, ZERO_EUR));
            Group {
                key,
                label_en,
                label_fr,
                initiatives,
                budget_eur: cents(budget_eur),
            }
        })
        .collect();
    out.extend(sums.into_iter().map(|(key, (initiatives, budget_eur))| {
        let (label_en, label_fr) = labels_of(&key);
        Group {
            key,
            label_en,
            label_fr,
            initiatives,
            budget_eur: cents(budget_eur),
        }
    }));
    out
}

/// Most initiatives first, then the larger budget, then by key.
fn most_first(mut groups: Vec<Group>) -> Vec<Group> {
    groups.sort_by(|a, b| {
        b.initiatives
            .cmp(&a.initiatives)
            .then_with(|| b.budget_eur.cmp(&a.budget_eur))
            .then_with(|| a.key.cmp(&b.key))
    });
    groups
}

fn by_start_year(rows: &[(&DatasetInitiative, Option<Money>)]) -> Vec<Group> {
    let year = |i: &DatasetInitiative| i.record.start_date.year();
    let years = rows.iter().map(|(i, _)| year(i));
    let (Some(first), Some(last)) = (years.clone().min(), years.max()) else {
        return Vec::new();
    };
    let known = (first..=last)
        .map(|y| (y.to_string(), y.to_string(), y.to_string()))
        .collect();
    groups(known, rows, |i| vec![year(i).to_string()])
}

fn totals(rows: &[(&DatasetInitiative, Option<Money>)]) -> Totals {
    let count =
        |f: &dyn Fn(&DatasetInitiative) -> bool| rows.iter().filter(|(i, _)| f(i)).count() as u64;
    let partners: BTreeSet<&str> = rows.iter().map(|(i, _)| i.partner.as_str()).collect();
    let countries: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(i, _)| i.record.countries.iter().map(String::as_str))
        .collect();
    Totals {
        initiatives: rows.len() as u64,
        projects: count(&|i| i.record.initiative_type == "project"),
        policies: count(&|i| i.record.initiative_type == "policy"),
        partners: partners.len() as u64,
        countries: countries.len() as u64,
        with_budget: rows.iter().filter(|(_, b)| b.is_some()).count() as u64,
        budget_eur: rows
            .iter()
            .filter_map(|(_, b)| *b)
            .fold(ZERO_EUR, |sum, b| sum + b),
    }
}

fn response(tracker: &Tracker) -> Response {
    let expected: Vec<_> = tracker.partners.iter().filter(|p| p.expected).collect();
    let submitted = expected.iter().filter(|p| p.submissions > 0).count() as u64;
    let accepted = expected.iter().filter(|p| p.initiatives > 0).count() as u64;
    let rate_percent = if expected.is_empty() {
        Decimal::ZERO
    } else {
        (Decimal::from(accepted) * Decimal::ONE_HUNDRED / Decimal::from(expected.len() as u64))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    };
    Response {
        expected: expected.len() as u64,
        submitted,
        accepted,
        rate_percent,
    }
}

/// The parts with fewer than [`GAP_MIN_INITIATIVES`] initiatives or fewer than [`GAP_MIN_PERCENT`]
/// percent of them. Countries outside the Processes (region `other`) are not a gap to fill.
fn gaps<'a>(
    total: u64,
    dimensions: impl IntoIterator<Item = (&'a str, &'a Vec<Group>)>,
) -> Vec<Gap> {
    let is_gap = |n: u64| n < GAP_MIN_INITIATIVES || n * 100 < total * GAP_MIN_PERCENT;
    dimensions
        .into_iter()
        .flat_map(|(dimension, groups)| {
            groups
                .iter()
                .filter(move |g| {
                    is_gap(g.initiatives) && !(dimension == "region" && g.key == REGION_OTHER)
                })
                .map(move |g| Gap {
                    dimension: dimension.to_string(),
                    key: g.key.clone(),
                    label_en: g.label_en.clone(),
                    label_fr: g.label_fr.clone(),
                    initiatives: g.initiatives,
                })
        })
        .collect()
}

fn quality(
    rows: &[(&DatasetInitiative, Option<Money>)],
    duplicates: Vec<PossibleDuplicate>,
) -> Quality {
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for (initiative, _) in rows {
        let codes: BTreeSet<&str> = initiative
            .warnings
            .iter()
            .map(|w| warning_code(w))
            .collect();
        for code in codes {
            *by_code.entry(code).or_default() += 1;
        }
    }
    let mut warnings_by_code: Vec<(String, u64)> = by_code
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    warnings_by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Quality {
        missing_budget: rows.iter().filter(|(_, b)| b.is_none()).count() as u64,
        converted_currency: rows
            .iter()
            .filter(|(i, b)| {
                b.is_some()
                    && i.record
                        .currency
                        .as_deref()
                        .is_some_and(|c| !c.eq_ignore_ascii_case("EUR"))
            })
            .count() as u64,
        with_warnings: rows.iter().filter(|(i, _)| !i.warnings.is_empty()).count() as u64,
        warnings_by_code,
        duplicates,
        dominant: dominant(rows),
        budget_outliers: budget_outliers(rows),
    }
}

/// `part / whole` in percent with one decimal (0 for an empty whole).
fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    (part * Decimal::ONE_HUNDRED / whole)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

fn dominant(rows: &[(&DatasetInitiative, Option<Money>)]) -> Vec<Dominant> {
    let mut by_partner: BTreeMap<&str, (u64, Money)> = BTreeMap::new();
    for (initiative, budget) in rows {
        let sum = by_partner
            .entry(initiative.partner.as_str())
            .or_insert((0, ZERO_EUR));
        sum.0 += 1;
        sum.1 += budget.unwrap_or(ZERO_EUR);
    }
    if (by_partner.len() as u64) < DOMINANT_MIN_PARTNERS {
        return Vec::new();
    }
    let initiatives = Decimal::from(rows.len() as u64);
    let budget: Money = by_partner.values().map(|(_, b)| *b).sum();
    let share = Decimal::from(DOMINANT_SHARE_PERCENT);
    let mut dominant: Vec<Dominant> = by_partner
        .into_iter()
        .map(|(partner, (n, b))| Dominant {
            partner: partner.to_string(),
            initiatives_percent: percent(Decimal::from(n), initiatives),
            budget_percent: percent(b, budget),
        })
        .filter(|d| d.initiatives_percent > share || d.budget_percent > share)
        .collect();
    dominant.sort_by(|a, b| {
        b.initiatives_percent
            .max(b.budget_percent)
            .cmp(&a.initiatives_percent.max(a.budget_percent))
            .then_with(|| a.partner.cmp(&b.partner))
    });
    dominant
}

fn budget_outliers(rows: &[(&DatasetInitiative, Option<Money>)]) -> Vec<BudgetOutlier> {
    let mut budgets: Vec<Money> = rows
        .iter()
        .filter_map(|(_, b)| *b)
        .filter(|b| b.is_sign_positive() && !b.is_zero())
        .collect();
    if budgets.len() < OUTLIER_MIN_BUDGETS {
        return Vec::new();
    }
    budgets.sort_unstable();
    let median = budgets[budgets.len() / 2];
    let factor = Decimal::from(OUTLIER_FACTOR);
    let mut outliers: Vec<BudgetOutlier> = rows
        .iter()
        .filter_map(|(initiative, budget)| budget.map(|b| (initiative, b)))
        .filter(|(_, b)| !b.is_zero() && (*b > median * factor || *b * factor < median))
        .map(|(initiative, b)| BudgetOutlier {
            partner: initiative.partner.clone(),
            title: initiative.record.title.clone(),
            budget_eur: b,
            median_eur: median,
        })
        .collect();
    outliers.sort_by(|a, b| {
        b.budget_eur
            .cmp(&a.budget_eur)
            .then_with(|| a.title.cmp(&b.title))
    });
    outliers
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::str::FromStr;

    use chrono::NaiveDate;

    use super::*;
    use crate::sample::{project, round};
    use jvap_record::messages::{Mode, SubmissionState, SubmissionStatus};

    fn eur(s: &str) -> Money {
        Money::from_str(s).expect("a decimal")
    }

    fn initiative(partner: &str, budget_eur: Option<f64>) -> DatasetInitiative {
        let mut record = project();
        record.budget_eur = budget_eur;
        record.budget = budget_eur;
        DatasetInitiative {
            partner: partner.into(),
            submission_id: format!("sub-{partner}"),
            record,
            warnings: vec![],
        }
    }

    fn empty_tracker() -> Tracker {
        Tracker::build("2022", &[], &[], &BTreeMap::new())
    }

    #[test]
    fn a_partner_that_is_most_of_the_round_and_a_budget_far_outside_its_range_are_flagged() {
        // 60 of SEN's, 20 of NER's, 20 of GMB's: SEN is 60 % of the initiatives.
        let mut initiatives: Vec<DatasetInitiative> = Vec::new();
        for (partner, n) in [("SEN", 60), ("NER", 20), ("GMB", 20)] {
            initiatives.extend((0..n).map(|_| initiative(partner, Some(1_000_000.0))));
        }
        // A budget typed in cents: 1,000,000,000,000 euros against a median of a million.
        initiatives[70].record.budget_eur = Some(1.0e12);
        initiatives[70].record.title = "Typed in cents".into();
        let tracker = empty_tracker();
        let figures = Figures::compute(&round(&initiatives, &tracker));
        // NER's one outlier is nearly all the budget, so NER is flagged by budget; SEN by count.
        let dominant = &figures.quality.dominant;
        let partners: Vec<&str> = dominant.iter().map(|d| d.partner.as_str()).collect();
        assert_eq!(partners, ["NER", "SEN"], "{dominant:?}");
        assert_eq!(dominant[0].initiatives_percent, eur("20.0"));
        assert_eq!(dominant[0].budget_percent, eur("100.0"));
        assert_eq!(dominant[1].initiatives_percent, eur("60.0"));
        let outliers = &figures.quality.budget_outliers;
        assert_eq!(outliers.len(), 1, "{outliers:?}");
        assert_eq!(outliers[0].title, "Typed in cents");
        assert_eq!(outliers[0].partner, "NER");
        assert_eq!(outliers[0].median_eur, eur("1000000.00"));

        // Spread evenly, nothing is flagged.
        let even: Vec<DatasetInitiative> = ["SEN", "NER", "GMB", "MLI"]
            .iter()
            .flat_map(|p| (0..5).map(move |_| initiative(p, Some(1_000_000.0))))
            .collect();
        let figures = Figures::compute(&round(&even, &tracker));
        assert!(figures.quality.dominant.is_empty());
        assert!(figures.quality.budget_outliers.is_empty());
    }

    #[test]
    fn totals_are_exact_decimal_sums_of_budgets_rounded_to_the_cent() {
        let budgets = [0.1, 0.2, 0.3];
        assert_ne!(budgets.iter().sum::<f64>(), 0.6, "f64 gets this wrong");
        let mut initiatives: Vec<DatasetInitiative> = budgets
            .iter()
            .map(|b| initiative("SEN", Some(*b)))
            .collect();
        initiatives.push(initiative("NER", Some(1_000_000.005)));
        initiatives.push(initiative("NER", None));
        let tracker = empty_tracker();
        let figures = Figures::compute(&round(&initiatives, &tracker));
        assert_eq!(figures.totals.budget_eur, eur("1000000.61"));
        assert_eq!(figures.totals.budget_eur.to_string(), "1000000.61");
        assert_eq!(figures.totals.initiatives, 5);
        assert_eq!(figures.totals.with_budget, 4);
        assert_eq!(figures.totals.partners, 2);
        assert_eq!(figures.totals.countries, 2);
        assert_eq!(figures.quality.missing_budget, 1);

        let d5 = figures
            .by_primary_domain
            .iter()
            .find(|g| g.key == "D5")
            .expect("D5");
        assert_eq!((d5.initiatives, d5.budget_eur), (5, eur("1000000.61")));
        let d1 = &figures.by_primary_domain[0];
        assert_eq!(
            (
                d1.key.as_str(),
                d1.initiatives,
                d1.budget_eur.to_string().as_str()
            ),
            ("D1", 0, "0.00")
        );
        assert_eq!(d1.label_fr, reference::DOMAINS[0].name_fr);
        let sen = figures
            .by_partner
            .iter()
            .find(|g| g.key == "SEN")
            .expect("SEN");
        assert_eq!((sen.initiatives, sen.budget_eur), (3, eur("0.60")));
        assert_eq!(sen.label_fr, "Sénégal");
        assert_eq!(figures.by_partner[0].key, "SEN", "most initiatives first");
    }

    #[test]
    fn every_breakdown_uses_the_reference_lists_and_counts_each_initiative_once_per_key() {
        let mut a = initiative("EU", Some(100.0));
        a.record.countries = vec!["SEN".into(), "MLI".into(), "USA".into()];
        a.record.jvap_domains = vec!["D1".into(), "D3".into()];
        a.record.primary_domain = "D1".into();
        a.record.funder_category = None;
        a.record.start_date = NaiveDate::from_ymd_opt(2016, 5, 1).expect("date");
        let b = initiative("NER", Some(50.0));
        let initiatives = [a, b];
        let tracker = empty_tracker();
        let figures = Figures::compute(&round(&initiatives, &tracker));

        let keys = |groups: &[Group]| groups.iter().map(|g| g.key.clone()).collect::<Vec<_>>();
        assert_eq!(
            keys(&figures.by_primary_domain),
            ["D1", "D2", "D3", "D4", "D5"]
        );
        assert_eq!(keys(&figures.by_objective).len(), 10);
        let west = figures
            .by_region
            .iter()
            .find(|g| g.key == "west_africa")
            .expect("region");
        assert_eq!(
            (west.initiatives, west.budget_eur),
            (2, eur("150.00")),
            "once per region"
        );
        let other = figures.by_region.last().expect("other");
        assert_eq!((other.key.as_str(), other.initiatives), (REGION_OTHER, 1));
        let usa = figures
            .by_country
            .iter()
            .find(|g| g.key == "USA")
            .expect("USA");
        assert!(usa.label_en.contains("United States"), "{}", usa.label_en);
        let unknown = figures.by_funder_category.last().expect("unknown");
        assert_eq!(
            (unknown.key.as_str(), unknown.initiatives),
            (FUNDER_UNKNOWN, 1)
        );
        assert_eq!(
            keys(&figures.by_start_year),
            ["2016", "2017", "2018", "2019"],
            "no gaps"
        );
        assert_eq!(figures.by_start_year[1].initiatives, 0);
        let d3 = figures
            .by_domain
            .iter()
            .find(|g| g.key == "D3")
            .expect("D3");
        assert_eq!(d3.initiatives, 1);
        assert_eq!(keys(&figures.by_type), ["project", "policy"]);
        assert_eq!(figures.by_status[1].key, "ongoing");
    }

    #[test]
    fn gaps_are_parts_with_fewer_than_three_or_five_percent_of_initiatives() {
        let mut initiatives: Vec<DatasetInitiative> =
            (0..100).map(|_| initiative("SEN", Some(1.0))).collect();
        for (i, initiative) in initiatives.iter_mut().enumerate() {
            let domain = if i < 4 { "D2" } else { "D5" };
            initiative.record.primary_domain = domain.into();
            initiative.record.jvap_domains = vec![domain.into()];
        }
        let tracker = empty_tracker();
        let figures = Figures::compute(&round(&initiatives, &tracker));
        let domain_gaps: Vec<(&str, u64)> = figures
            .gaps
            .iter()
            .filter(|g| g.dimension == "domain")
            .map(|g| (g.key.as_str(), g.initiatives))
            .collect();
        assert_eq!(domain_gaps, [("D1", 0), ("D2", 4), ("D3", 0), ("D4", 0)]);
        assert!(figures.gaps.iter().any(|g| g.dimension == "objective"));
        assert!(figures.gaps.iter().any(|g| g.key == "europe"));
        assert!(!figures.gaps.iter().any(|g| g.key == "west_africa"));
        assert!(!figures.gaps.iter().any(|g| g.key == REGION_OTHER));
    }

    #[test]
    fn response_comes_from_the_tracker_and_quality_from_warnings_currency_and_duplicates() {
        let status = |partner: &str| SubmissionStatus {
            submission_id: format!("s-{partner}"),
            partner: partner.into(),
            round: "2022".into(),
            mode: Mode::Replace,
            file_name: "f.xlsx".into(),
            size: 1,
            state: SubmissionState::Rejected,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        let expected: Vec<String> = ["EU", "NER", "SEN"].map(String::from).into();
        let counts = BTreeMap::from([("NER".to_string(), 1)]);
        let tracker = Tracker::build("2022", &expected, &[status("NER"), status("SEN")], &counts);

        let mut usd = initiative("NER", Some(10.0));
        usd.record.currency = Some("USD".into());
        usd.warnings = vec![
            "currency.assumed_eur@S2".into(),
            "description.empty@D2".into(),
        ];
        let mut same = initiative("EU", Some(10.0));
        same.warnings = vec!["description.empty@D7".into()];
        let initiatives = [usd, same];
        let figures = Figures::compute(&round(&initiatives, &tracker));

        assert_eq!(figures.response.expected, 3);
        assert_eq!(figures.response.submitted, 2);
        assert_eq!(figures.response.accepted, 1);
        assert_eq!(figures.response.rate_percent.to_string(), "33.3");
        assert_eq!(figures.tracker, tracker);

        assert_eq!(figures.quality.converted_currency, 1);
        assert_eq!(figures.quality.with_warnings, 2);
        assert_eq!(
            figures.quality.warnings_by_code,
            [
                ("description.empty".to_string(), 2),
                ("currency.assumed_eur".to_string(), 1)
            ]
        );
        assert_eq!(
            figures.quality.duplicates.len(),
            1,
            "same project, two partners"
        );
        assert_eq!(figures.changes.added, 2);
        assert_eq!(figures.changes.previous_version, None);
    }

    #[test]
    fn money_serialises_as_a_decimal_string() {
        let initiatives = [initiative("SEN", Some(1_200_000.0))];
        let tracker = empty_tracker();
        let figures = Figures::compute(&round(&initiatives, &tracker));
        let value = serde_json::to_value(&figures).expect("JSON");
        assert_eq!(value["totals"]["budget_eur"], "1200000.00");
        assert_eq!(value["by_primary_domain"][0]["budget_eur"], "0.00");
        let back: Figures = serde_json::from_value(value).expect("reads back");
        assert_eq!(back, figures);
    }
}
