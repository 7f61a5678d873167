//! The figures of a round: ONE computation that every output renders (workbook summary sheets, JSON,
//! Steering Committee summaries, web pages). Nothing else adds up initiatives or budgets.
//!
//! Money is exact decimal ([`Money`]): each initiative's `budget_eur` enters the figures rounded to the
//! cent, and totals are exact sums of those, so the same total reads the same everywhere.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::changes::ChangeLog;
use crate::duplicates::PossibleDuplicate;
use crate::outputs::RoundData;
use crate::tracker::Tracker;

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
}

impl Figures {
    /// The figures of `data`.
    pub fn compute(data: &RoundData<'_>) -> Figures {
        todo!("figures of {} v{}", data.meta.round, data.meta.version)
    }
}
