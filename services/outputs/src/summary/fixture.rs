//! A realistic set of [`Figures`] built by hand for the summary's tests and previews: five domains, six
//! regions, 21 countries, 15 reporting partners, a tracker with every state, two possible duplicates,
//! a change log and budgets in the hundreds of millions. Labels come from the reference lists.

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use crate::changes::{ChangeLog, PartnerChanges};
use crate::duplicates::{InitiativeRef, PossibleDuplicate};
use crate::figures::{Figures, Gap, Group, Money, Quality, Response, Totals};
use jvap_record::record::SourceRef;
use jvap_record::reference;
use jvap_record::tracker::{PartnerState, Tracker, TrackerRow};

pub fn money(text: &str) -> Money {
    Decimal::from_str(text).unwrap()
}

fn group(key: &str, label_en: &str, label_fr: &str, initiatives: u64, budget: &str) -> Group {
    Group {
        key: key.to_owned(),
        label_en: label_en.to_owned(),
        label_fr: label_fr.to_owned(),
        initiatives,
        budget_eur: money(budget),
    }
}

/// A group of a code list of `codes.csv` (`region`, `status`, `funder_category`, ...).
fn coded(list: &str, key: &str, initiatives: u64, budget: &str) -> Group {
    let code = reference::code_list(list)
        .find(|code| code.code == key)
        .unwrap();
    group(key, &code.name_en, &code.name_fr, initiatives, budget)
}

fn domain(key: &str, initiatives: u64, budget: &str) -> Group {
    let domain = reference::DOMAINS.iter().find(|d| d.code == key).unwrap();
    group(key, &domain.name_en, &domain.name_fr, initiatives, budget)
}

fn objective(key: &str, initiatives: u64, budget: &str) -> Group {
    let objective = reference::OBJECTIVES
        .iter()
        .find(|o| o.code == key)
        .unwrap();
    group(
        key,
        &objective.name_en,
        &objective.name_fr,
        initiatives,
        budget,
    )
}

/// A country or organisation of `partners.csv`.
fn partner(key: &str, initiatives: u64, budget: &str) -> Group {
    let partner = reference::partner(key).unwrap();
    group(key, &partner.name_en, &partner.name_fr, initiatives, budget)
}

fn gap(dimension: &str, group: &Group) -> Gap {
    Gap {
        dimension: dimension.to_owned(),
        key: group.key.clone(),
        label_en: group.label_en.clone(),
        label_fr: group.label_fr.clone(),
        initiatives: group.initiatives,
    }
}

fn row(
    code: &str,
    expected: bool,
    state: PartnerState,
    initiatives: u64,
    submissions: u32,
) -> TrackerRow {
    let partner = reference::partner(code).unwrap();
    TrackerRow {
        partner: code.to_owned(),
        name_en: partner.name_en.clone(),
        name_fr: partner.name_fr.clone(),
        expected,
        state,
        initiatives,
        submissions,
        last_submission_id: (submissions > 0).then(|| format!("sub-{}", code.to_lowercase())),
        last_activity: (submissions > 0)
            .then(|| Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap()),
        late: false,
        reminders: Vec::new(),
    }
}

fn initiative(partner: &str, title: &str, row: u32) -> InitiativeRef {
    InitiativeRef {
        partner: partner.to_owned(),
        submission_id: format!("sub-{}", partner.to_lowercase()),
        partner_ref: Some(format!("{partner}-{row:03}")),
        title: title.to_owned(),
        source: SourceRef {
            sheet: Some("Initiatives".to_owned()),
            row,
        },
    }
}

/// Version 7 of the 2022 round.
pub fn figures() -> Figures {
    use PartnerState::*;
    let objectives = vec![
        objective("O1", 96, "181200000"),
        objective("O2", 74, "120450000"),
        objective("O3", 41, "60300000"),
        objective("O4", 22, "18200000"),
        objective("O5", 88, "130100000"),
        objective("O6", 35, "52000000"),
        objective("O7", 0, "0"),
        objective("O8", 61, "98000000"),
        objective("O9", 47, "71500000"),
        objective("O10", 3, "2400000"),
    ];
    let regions = vec![
        coded("region", "north_africa", 96, "171240500.00"),
        coded("region", "west_africa", 231, "402118930.25"),
        coded("region", "central_africa", 12, "14650000.00"),
        coded("region", "horn_of_africa", 88, "148900120.00"),
        coded("region", "east_africa", 41, "61022000.00"),
        coded("region", "europe", 19, "9870000.00"),
    ];
    let gaps = vec![
        gap("objective", &objectives[6]),
        gap("objective", &objectives[9]),
        gap("region", &regions[2]),
    ];
    Figures {
        round: "2022".to_owned(),
        version: 7,
        generated_at: Utc.with_ymd_and_hms(2026, 11, 27, 21, 40, 12).unwrap(),
        totals: Totals {
            initiatives: 412,
            projects: 356,
            policies: 56,
            partners: 15,
            countries: 21,
            with_budget: 371,
            budget_eur: money("687412935.47"),
        },
        response: Response {
            expected: 22,
            submitted: 18,
            accepted: 14,
            rate_percent: money("63.6"),
        },
        by_primary_domain: vec![
            domain("D1", 148, "251300450.00"),
            domain("D2", 61, "98775120.25"),
            domain("D3", 83, "142018300.00"),
            domain("D4", 89, "160511065.22"),
            domain("D5", 31, "34808000.00"),
        ],
        by_domain: vec![
            domain("D1", 201, "312000450.00"),
            domain("D2", 97, "140775120.25"),
            domain("D3", 140, "210018300.00"),
            domain("D4", 133, "231511065.22"),
            domain("D5", 58, "61808000.00"),
        ],
        by_objective: objectives,
        by_region: regions,
        by_country: vec![
            partner("SEN", 64, "98120500.00"),
            partner("MAR", 58, "110240000.00"),
            partner("NGA", 47, "87300000.00"),
            partner("ETH", 41, "70210000.00"),
            partner("MLI", 39, "61400120.25"),
            partner("NER", 36, "66100000.00"),
            partner("SDN", 29, "41000000.00"),
            partner("GMB", 27, "19870000.00"),
            partner("TUN", 24, "30150500.00"),
            partner("CIV", 22, "27630000.00"),
            partner("KEN", 21, "33420000.00"),
            partner("GIN", 19, "18200000.00"),
            partner("ERI", 17, "21300000.00"),
            partner("EGY", 14, "30850000.00"),
            partner("SOM", 12, "15400000.00"),
            partner("UGA", 11, "14802000.00"),
            partner("BFA", 10, "12100000.00"),
            partner("GHA", 9, "8800000.00"),
            partner("CMR", 7, "9650000.00"),
            partner("ITA", 6, "3900000.00"),
            partner("ESP", 5, "2400000.00"),
        ],
        by_partner: vec![
            partner("EU", 96, "301200450.00"),
            partner("IOM", 61, "88400000.00"),
            partner("DEU", 44, "70120000.25"),
            partner("FRA", 39, "51300500.00"),
            partner("ITA", 33, "40150000.00"),
            partner("ESP", 29, "33020000.00"),
            partner("UNHCR", 24, "30800000.00"),
            partner("SEN", 18, "12000000.00"),
            partner("MAR", 16, "21400000.00"),
            partner("NLD", 13, "14800000.00"),
            partner("GMB", 11, "4320000.00"),
            partner("NER", 10, "6900000.00"),
            partner("BEL", 8, "5300000.00"),
            partner("ETH", 6, "3900000.00"),
            partner("UNODC", 4, "3801985.22"),
        ],
        by_funder_category: vec![
            coded("funder_category", "african_country", 41, "22120000.00"),
            coded("funder_category", "african_organisation", 9, "6300000.00"),
            coded("funder_category", "eu_institution", 118, "331900450.00"),
            coded("funder_category", "european_country", 139, "204990500.25"),
            coded(
                "funder_category",
                "international_organisation",
                87,
                "118401985.22",
            ),
            coded("funder_category", "other", 6, "3700000.00"),
            group("unknown", "Not given", "Non indiquée", 12, "0"),
        ],
        by_type: vec![
            coded("initiative_type", "project", 356, "680112935.47"),
            coded("initiative_type", "policy", 56, "7300000.00"),
        ],
        by_status: vec![
            coded("status", "planned", 38, "61200000.00"),
            coded("status", "ongoing", 201, "398712935.47"),
            coded("status", "completed", 159, "219500000.00"),
            coded("status", "suspended", 14, "8000000.00"),
        ],
        by_start_year: vec![
            group("2015", "2015", "2015", 18, "21400000.00"),
            group("2016", "2016", "2016", 35, "74120000.00"),
            group("2017", "2017", "2017", 52, "112300450.00"),
            group("2018", "2018", "2018", 61, "98750000.00"),
            group("2019", "2019", "2019", 70, "121842485.47"),
            group("2020", "2020", "2020", 58, "80300000.00"),
            group("2021", "2021", "2021", 64, "102700000.00"),
            group("2022", "2022", "2022", 54, "76000000.00"),
        ],
        gaps,
        quality: Quality {
            missing_budget: 41,
            converted_currency: 37,
            with_warnings: 96,
            warnings_by_code: vec![
                ("description.empty".to_owned(), 54),
                ("currency.assumed_eur".to_owned(), 23),
                ("country.not_partner".to_owned(), 11),
                ("cell.merged".to_owned(), 8),
                ("cell.formula".to_owned(), 5),
                ("column.unknown".to_owned(), 2),
            ],
            duplicates: vec![
                PossibleDuplicate {
                    score: 0.93,
                    reasons: vec![
                        "title".into(),
                        "countries".into(),
                        "dates".into(),
                        "budget".into(),
                    ],
                    a: initiative(
                        "EU",
                        "Better Migration Management in the Horn of Africa (phase II)",
                        14,
                    ),
                    b: initiative(
                        "DEU",
                        "Better Migration Management – Horn of Africa, phase 2",
                        8,
                    ),
                },
                PossibleDuplicate {
                    score: 0.78,
                    reasons: vec!["title".into(), "countries".into()],
                    a: initiative(
                        "IOM",
                        "Assisted voluntary return and reintegration from Niger",
                        33,
                    ),
                    b: initiative(
                        "NER",
                        "Retour volontaire assisté et réintégration depuis le Niger",
                        5,
                    ),
                },
            ],
            dominant: vec![],
            budget_outliers: vec![],
        },
        tracker: Tracker {
            round: "2022".to_owned(),
            partners: vec![
                row("BEL", true, Accepted, 8, 1),
                row("BFA", true, NotSubmitted, 0, 0),
                row("CIV", true, Rejected, 0, 2),
                row("CMR", true, NotSubmitted, 0, 0),
                row("DEU", true, Accepted, 44, 2),
                row("ECOWAS", true, NotSubmitted, 0, 0),
                row("ESP", true, Accepted, 29, 1),
                row("ETH", true, Accepted, 6, 1),
                row("EU", true, Accepted, 96, 3),
                row("FRA", true, Accepted, 39, 1),
                row("GHA", true, InProgress, 0, 1),
                row("GIN", true, Rejected, 0, 1),
                row("GMB", true, Accepted, 11, 2),
                row("IOM", true, Accepted, 61, 1),
                row("ITA", true, Accepted, 33, 1),
                row("MAR", true, Accepted, 16, 1),
                row("MLI", true, Failed, 0, 1),
                row("NER", true, Accepted, 10, 1),
                row("NLD", true, Accepted, 13, 1),
                row("SEN", true, Accepted, 18, 2),
                row("TCD", true, NotSubmitted, 0, 0),
                row("UNHCR", true, Accepted, 24, 1),
                row("UNODC", false, Accepted, 4, 1),
            ],
            deadline: None,
            days_left: None,
        },
        changes: ChangeLog {
            previous_version: Some(6),
            added: 23,
            updated: 9,
            removed: 4,
            partners: vec![
                PartnerChanges {
                    partner: "DEU".to_owned(),
                    added: 12,
                    updated: 3,
                    removed: 4,
                },
                PartnerChanges {
                    partner: "GMB".to_owned(),
                    added: 0,
                    updated: 6,
                    removed: 0,
                },
                PartnerChanges {
                    partner: "SEN".to_owned(),
                    added: 11,
                    updated: 0,
                    removed: 0,
                },
            ],
        },
    }
}
