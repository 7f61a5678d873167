//! Possible duplicates across partners: initiatives of different partners that are probably the same
//! (similar normalised titles in EN or FR, overlapping countries and dates, close budgets). Listed with a
//! score and the reasons; never merged.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::round::DatasetInitiative;
use crate::threads::joined;
use jvap_record::record::SourceRef;
use jvap_record::text::fold_words;

/// Two initiatives of different partners that are probably the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PossibleDuplicate {
    /// From 0 to 1; pairs under the threshold are not listed.
    pub score: f64,
    /// Why they look alike, as codes: `title`, `countries`, `dates`, `budget`.
    pub reasons: Vec<String>,
    pub a: InitiativeRef,
    pub b: InitiativeRef,
}

/// Enough of an initiative to find it in the workbook and in the partner's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeRef {
    pub partner: String,
    pub submission_id: String,
    pub partner_ref: Option<String>,
    pub title: String,
    pub source: SourceRef,
}

/// Pairs scoring at least this are listed.
///
/// The score weighs four signs: title similarity 0.4 (Dice over the titles' significant words), shared
/// countries 0.2 (Jaccard), dates 0.2 (half for start dates within [`CLOSE_DAYS`], half for end
/// dates within it, a quarter when an end date is missing), budget 0.2 (both within
/// [`BUDGET_TOLERANCE`] of the larger). Identical titles with one shared country and close dates
/// pass; so does a project titled in English by one partner and in French by another when its
/// countries, both dates and its budget agree; a similar title alone does not, and nothing passes
/// when the starts are more than [`MAX_START_GAP_DAYS`] apart.
pub const THRESHOLD: f64 = 0.6;

/// Initiatives whose start dates are further apart than this (in days) are never the same one, however
/// alike their titles: they are typically two phases of one programme.
pub const MAX_START_GAP_DAYS: i64 = 365;

/// Two dates this close (in days) count as the same.
pub const CLOSE_DAYS: i64 = 31;

/// Two budgets in euros within this fraction of the larger count as the same.
pub const BUDGET_TOLERANCE: f64 = 0.2;

/// Blocks (initiatives sharing a title word, or a country and a start month) larger than this are
/// skipped: a word or a month that common says nothing, and skipping keeps the work near-linear
/// (at most `MAX_BLOCK` candidates per initiative and block).
pub const MAX_BLOCK: usize = 64;

/// Words that say nothing about which initiative a title names (English and French), in byte order (a
/// test keeps it so, for the binary search). Phase numbers (`II`, `III`) are kept: they tell two
/// phases of a programme apart.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "appui",
    "at",
    "au",
    "aux",
    "avec",
    "by",
    "d",
    "dans",
    "de",
    "des",
    "du",
    "en",
    "et",
    "for",
    "from",
    "in",
    "into",
    "l",
    "la",
    "le",
    "les",
    "of",
    "on",
    "or",
    "par",
    "phase",
    "pour",
    "program",
    "programme",
    "project",
    "projet",
    "support",
    "sur",
    "the",
    "to",
    "un",
    "une",
    "with",
];

/// Every pair of initiatives of different partners that look like the same one, best score first.
pub fn find(initiatives: &[DatasetInitiative]) -> Vec<PossibleDuplicate> {
    search(initiatives).0
}

/// [`find`], and how many pairs it scored (the work done, which tests keep near-linear).
fn search(initiatives: &[DatasetInitiative]) -> (Vec<PossibleDuplicate>, usize) {
    // In start date order, so the members of a month's blocks lie together in memory.
    let mut by_start: Vec<usize> = (0..initiatives.len()).collect();
    by_start.sort_by_key(|&i| initiatives[i].record.start_date);
    let mut ids = Ids::default();
    let features: Vec<Features> = by_start
        .into_iter()
        .map(|i| Features::of(i, &initiatives[i], &mut ids))
        .collect();
    let blocks = Blocks::build(&features);

    // The initiatives are shared out between threads, each comparing its own with their block mates.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut pairs, scored) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let (features, blocks) = (&features, &blocks);
                let own = (first..features.len()).step_by(threads);
                scope.spawn(move || compare(own, initiatives, features, blocks))
            })
            .collect();
        let mut all = (Vec::new(), 0);
        for worker in workers {
            let (pairs, scored) = joined(worker);
            all.0.extend(pairs);
            all.1 += scored;
        }
        all
    });
    // Best score first; pairs alike in score, partners and rows (possible when a partner's files
    // have rows in common) in dataset order, so every run lists them alike.
    pairs.sort_by(|(x_at, x), (y_at, y)| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| order(&x.a, &x.b).cmp(&order(&y.a, &y.b)))
            .then_with(|| x_at.cmp(y_at))
    });
    (pairs.into_iter().map(|(_, pair)| pair).collect(), scored)
}

/// A pair found, with the indexes of its two initiatives in the dataset.
type Found = ((usize, usize), PossibleDuplicate);

/// The pairs passing [`THRESHOLD`] between `own` initiatives and the later members of their blocks
/// (each with the two initiatives' indexes), and how many pairs were scored. Each pair is met once:
/// `seen` remembers which initiative last met each other one.
fn compare(
    own: impl Iterator<Item = usize>,
    initiatives: &[DatasetInitiative],
    features: &[Features],
    blocks: &Blocks,
) -> (Vec<Found>, usize) {
    let mut seen = vec![u32::MAX; features.len()];
    let mut scored = 0;
    let mut pairs = Vec::new();
    for a in own {
        let feature = &features[a];
        for &block in blocks.containing(a) {
            for &b in blocks.members(block).iter().filter(|&&b| b as usize > a) {
                let other = &features[b as usize];
                if seen[b as usize] == a as u32 || other.partner == feature.partner {
                    continue;
                }
                seen[b as usize] = a as u32;
                scored += 1;
                if let Some((score, reasons)) = score(feature, other) {
                    // `a` is the one listed first.
                    let first = feature.initiative.min(other.initiative);
                    let second = feature.initiative.max(other.initiative);
                    let pair = PossibleDuplicate {
                        score,
                        reasons,
                        a: InitiativeRef::of(&initiatives[first]),
                        b: InitiativeRef::of(&initiatives[second]),
                    };
                    pairs.push(((first, second), pair));
                }
            }
        }
    }
    (pairs, scored)
}

impl InitiativeRef {
    /// The reference to `initiative`.
    pub fn of(initiative: &DatasetInitiative) -> InitiativeRef {
        InitiativeRef {
            partner: initiative.partner.clone(),
            submission_id: initiative.submission_id.clone(),
            partner_ref: initiative.record.partner_ref.clone(),
            title: initiative.record.title.clone(),
            source: initiative.record.source.clone(),
        }
    }
}

/// A stable order between pairs of equal score.
fn order<'a>(a: &'a InitiativeRef, b: &'a InitiativeRef) -> (&'a str, u32, &'a str, u32) {
    (&a.partner, a.source.row, &b.partner, b.source.row)
}

/// The significant words of a title: folded (case, accents, punctuation), stop words dropped.
pub fn title_words(title: &str) -> BTreeSet<String> {
    significant(&fold_words(title)).map(String::from).collect()
}

/// The words of a folded title that are not stop words.
fn significant(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(' ')
        .filter(|w| w.len() > 1 && STOP_WORDS.binary_search(w).is_err())
}

/// Small numbers for the words, partners and countries met, so comparing them is comparing integers.
#[derive(Default)]
struct Ids {
    words: Numbering,
    partners: Numbering,
    countries: Numbering,
}

#[derive(Default)]
struct Numbering(HashMap<String, u32>);

impl Numbering {
    fn of(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.0.get(name) {
            return id;
        }
        let id = self.0.len() as u32;
        self.0.insert(name.to_string(), id);
        id
    }
}

/// What the comparison looks at, computed once per initiative.
struct Features {
    /// The initiative's index in the list searched.
    initiative: usize,
    partner: u32,
    /// Sorted word ids.
    words: Vec<u32>,
    /// Sorted country ids, without repeats.
    countries: Vec<u32>,
    start: NaiveDate,
    start_month: i32,
    end: Option<NaiveDate>,
    budget_eur: Option<f64>,
}

impl Features {
    fn of(index: usize, initiative: &DatasetInitiative, ids: &mut Ids) -> Features {
        let record = &initiative.record;
        let mut words: Vec<u32> = significant(&fold_words(&record.title))
            .map(|w| ids.words.of(w))
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut countries: Vec<u32> = record
            .countries
            .iter()
            .map(|c| ids.countries.of(c))
            .collect();
        countries.sort_unstable();
        countries.dedup();
        Features {
            initiative: index,
            partner: ids.partners.of(&initiative.partner),
            words,
            countries,
            start: record.start_date,
            start_month: record.start_date.year() * 12 + record.start_date.month0() as i32,
            end: record.end_date,
            budget_eur: record.budget_eur.filter(|b| b.is_finite() && *b > 0.0),
        }
    }

    /// The blocks this initiative belongs to: each title word, and each country in its start month.
    fn block_keys(&self) -> impl Iterator<Item = BlockKey> + '_ {
        let words = self.words.iter().map(|&w| BlockKey::Word(w));
        let places = self
            .countries
            .iter()
            .map(|&c| BlockKey::CountryMonth(c, self.start_month));
        words.chain(places)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BlockKey {
    Word(u32),
    CountryMonth(u32, i32),
}

/// The blocks worth comparing within (2 to [`MAX_BLOCK`] members), and which blocks each initiative
/// is in.
struct Blocks {
    /// Initiative indexes, block after block, ascending within a block.
    members: Vec<u32>,
    /// Where each block starts and ends in `members`.
    bounds: Vec<(usize, usize)>,
    /// For each initiative, its blocks.
    of: Vec<Vec<usize>>,
}

impl Blocks {
    fn build(features: &[Features]) -> Blocks {
        let mut keyed: Vec<(BlockKey, u32)> = features
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.block_keys().map(move |key| (key, i as u32)))
            .collect();
        keyed.sort_unstable();
        let mut blocks = Blocks {
            members: Vec::new(),
            bounds: Vec::new(),
            of: vec![Vec::new(); features.len()],
        };
        for run in keyed.chunk_by(|x, y| x.0 == y.0) {
            if run.len() < 2 || run.len() > MAX_BLOCK {
                continue;
            }
            let start = blocks.members.len();
            for &(_, i) in run {
                blocks.of[i as usize].push(blocks.bounds.len());
                blocks.members.push(i);
            }
            blocks.bounds.push((start, blocks.members.len()));
        }
        blocks
    }

    fn containing(&self, initiative: usize) -> &[usize] {
        &self.of[initiative]
    }

    fn members(&self, block: usize) -> &[u32] {
        let (start, end) = self.bounds[block];
        &self.members[start..end]
    }
}

/// The score of a pair and the reasons that contributed, when it reaches [`THRESHOLD`]; never when
/// the starts are over [`MAX_START_GAP_DAYS`] apart.
fn score(a: &Features, b: &Features) -> Option<(f64, Vec<String>)> {
    if (a.start - b.start).num_days().abs() > MAX_START_GAP_DAYS {
        return None;
    }
    let title = dice(&a.words, &b.words);
    let countries = jaccard(&a.countries, &b.countries);
    let close = |x: NaiveDate, y: NaiveDate| (x - y).num_days().abs() <= CLOSE_DAYS;
    let start = if close(a.start, b.start) { 0.5 } else { 0.0 };
    let end = match (a.end, b.end) {
        (Some(x), Some(y)) if close(x, y) => 0.5,
        (Some(_), Some(_)) => 0.0,
        _ => 0.25,
    };
    let dates = if start > 0.0 { start + end } else { 0.0 };
    let budget = match (a.budget_eur, b.budget_eur) {
        (Some(x), Some(y)) if (x - y).abs() <= BUDGET_TOLERANCE * x.max(y) => 1.0,
        _ => 0.0,
    };
    let total =
        ((0.4 * title + 0.2 * countries + 0.2 * dates + 0.2 * budget) * 1000.0).round() / 1000.0;
    if total < THRESHOLD {
        return None;
    }
    let reasons = [
        ("title", title >= 0.5),
        ("countries", countries > 0.0),
        ("dates", dates >= 0.5),
        ("budget", budget > 0.0),
    ]
    .into_iter()
    .filter(|(_, yes)| *yes)
    .map(|(reason, _)| reason.to_string())
    .collect();
    Some((total, reasons))
}

/// Dice's coefficient of two sorted sets: 2|A∩B| / (|A|+|B|).
fn dice<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    2.0 * common(a, b) as f64 / (a.len() + b.len()) as f64
}

/// Jaccard's coefficient of two sorted sets: |A∩B| / |A∪B|.
fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let shared = common(a, b);
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

/// How many items two sorted sets share.
fn common<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::sample::project;

    fn initiative(partner: &str, row: u32, title: &str) -> DatasetInitiative {
        let mut record = project();
        record.title = title.into();
        record.source.row = row;
        DatasetInitiative {
            partner: partner.into(),
            submission_id: format!("sub-{partner}"),
            record,
            warnings: vec![],
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn stop_words_are_in_byte_order_for_the_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "{STOP_WORDS:?}");
    }

    #[test]
    fn title_words_fold_case_accents_punctuation_and_stop_words() {
        let words =
            title_words("Projet d'Appui à la Gestion Intégrée des Frontières au Niger – PAGIF");
        let expected: BTreeSet<String> = ["gestion", "integree", "frontieres", "niger", "pagif"]
            .map(String::from)
            .into();
        assert_eq!(words, expected);
    }

    #[test]
    fn the_same_initiative_reported_by_two_partners_is_found_once_with_its_reasons() {
        let initiatives = [
            initiative(
                "EU",
                6,
                "Projet d'appui à la gestion intégrée des frontières au Niger (PAGIF)",
            ),
            initiative(
                "NER",
                5,
                "Projet d'Appui à la Gestion Intégrée des Frontières au Niger – PAGIF",
            ),
            initiative("NER", 9, "Politique nationale de migration"),
        ];
        let mut initiatives = initiatives;
        initiatives[2].record.start_date = date(2020, 9, 28);
        let pairs = find(&initiatives);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(pairs[0].score, 1.0);
        assert_eq!(pairs[0].reasons, ["title", "countries", "dates", "budget"]);
        let partners = [pairs[0].a.partner.as_str(), pairs[0].b.partner.as_str()];
        assert!(partners.contains(&"EU") && partners.contains(&"NER"));
    }

    #[test]
    fn the_same_partner_twice_is_not_a_duplicate_across_partners() {
        let initiatives = [
            initiative("NER", 2, "Border management"),
            initiative("NER", 3, "Border management"),
        ];
        assert!(find(&initiatives).is_empty());
    }

    #[test]
    fn an_english_and_a_french_title_match_on_countries_dates_and_budget() {
        let initiatives = [
            initiative("EU", 2, "Support to the reintegration of returnees"),
            initiative("NER", 4, "Réinsertion durable des migrants de retour"),
        ];
        let pairs = find(&initiatives);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].reasons, ["countries", "dates", "budget"]);
        assert!((pairs[0].score - 0.6).abs() < 1e-9);

        let mut later = initiatives.clone();
        later[1].record.start_date = date(2020, 6, 1);
        assert!(
            find(&later).is_empty(),
            "other dates, other titles: not the same"
        );
    }

    #[test]
    fn a_similar_title_elsewhere_and_at_another_time_is_not_a_duplicate() {
        let mut chad = initiative("EU", 4, "Climate resilience and food security in Chad");
        chad.record.countries = vec!["TCD".into()];
        chad.record.start_date = date(2017, 3, 14);
        chad.record.end_date = Some(date(2019, 3, 13));
        chad.record.budget_eur = Some(130_000.0);
        let senegal = initiative("DEU", 2, "Climate resilience and food security in Senegal");
        assert!(find(&[chad, senegal]).is_empty());
    }

    #[test]
    fn budgets_within_twenty_percent_count_as_close() {
        let a = initiative("EU", 2, "Alpha");
        let mut b = initiative("NER", 2, "Beta");
        b.record.budget_eur = a.record.budget_eur.map(|x| x * 0.85);
        assert_eq!(find(&[a.clone(), b.clone()]).len(), 1);
        b.record.budget_eur = a.record.budget_eur.map(|x| x * 0.75);
        assert!(find(&[a, b]).is_empty());
    }

    #[test]
    fn common_words_and_busy_months_do_not_make_the_work_quadratic() {
        // 5,000 initiatives of 50 partners, all in one country and month with the same title words:
        // every block is over the cap, so nothing is compared.
        let initiatives: Vec<DatasetInitiative> = (0..5_000)
            .map(|i| initiative(&format!("P{}", i % 50), i, "Border management in Niger"))
            .collect();
        assert_eq!(search(&initiatives), (vec![], 0));

        // The same 5,000 spread over 499 months: each block (a month, or a title word now rare
        // enough) holds 10, so each initiative is scored against at most its block mates.
        let mut spread = initiatives;
        for (i, initiative) in spread.iter_mut().enumerate() {
            initiative.record.start_date = date(1990, 1, 1) + chrono::Months::new(i as u32 % 499);
            initiative.record.title = format!("Border management {}", i % 499);
        }
        let (_, scored) = search(&spread);
        assert!(scored > 0);
        assert!(scored <= spread.len() * MAX_BLOCK, "{scored} pairs scored");
    }
}
