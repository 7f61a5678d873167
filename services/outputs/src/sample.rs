//! Initiatives for the writers' tests, including the awkward cases (formula-like text, empty lists,
//! CSV sources without a sheet, accents, quotes and line breaks).

use chrono::{NaiveDate, TimeZone, Utc};

use crate::round::{DatasetInitiative, DatasetMeta};
use jvap_record::Initiative;
use jvap_record::record::SourceRef;

pub fn meta() -> DatasetMeta {
    DatasetMeta {
        round: "2022".into(),
        version: 3,
        generated_at: Utc
            .with_ymd_and_hms(2022, 11, 14, 9, 30, 0)
            .single()
            .expect("a valid instant"),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn project() -> Initiative {
    Initiative {
        partner_ref: Some("NER-2019-04".into()),
        initiative_type: "project".into(),
        title: "Appui à la réintégration des migrants de retour".into(),
        description: Some("Formation \"professionnelle\"\net microcrédit".into()),
        status: "ongoing".into(),
        start_date: date(2019, 3, 15),
        end_date: Some(date(2023, 12, 31)),
        jvap_domains: strings(&["D1", "D5"]),
        primary_domain: "D5".into(),
        jvap_priorities: strings(&["5.1", "1.2"]),
        marrakesh_objectives: strings(&["O9"]),
        countries: strings(&["NER", "MLI"]),
        geographic_scope: "bilateral".into(),
        lead_funder: Some("EU".into()),
        other_funders: strings(&["DEU"]),
        funder_category: Some("eu_institution".into()),
        implementers: strings(&["IOM", "Ministère de l'Intérieur"]),
        budget: Some(1_200_000.5),
        currency: Some("EUR".into()),
        budget_eur: Some(1_200_000.5),
        target_groups: strings(&["returnees", "youth"]),
        website: Some("https://example.org/projet".into()),
        contact_email: Some("contact@example.org".into()),
        jvap_id: Some("JVAP-000001".into()),
        source: SourceRef {
            sheet: Some("Initiatives".into()),
            row: 7,
        },
    }
}

pub fn sample() -> Vec<DatasetInitiative> {
    let policy = Initiative {
        partner_ref: None,
        initiative_type: "policy".into(),
        title: "National migration policy".into(),
        description: None,
        status: "completed".into(),
        start_date: date(2016, 1, 28),
        end_date: None,
        jvap_domains: strings(&["D2"]),
        primary_domain: "D2".into(),
        jvap_priorities: vec![],
        marrakesh_objectives: vec![],
        countries: strings(&["SEN"]),
        geographic_scope: "national".into(),
        lead_funder: None,
        other_funders: vec![],
        funder_category: None,
        implementers: vec![],
        budget: None,
        currency: None,
        budget_eur: None,
        target_groups: vec![],
        website: None,
        contact_email: None,
        jvap_id: Some("JVAP-000002".into()),
        source: SourceRef {
            sheet: None,
            row: 2,
        },
    };
    let hostile = Initiative {
        partner_ref: Some("-12".into()),
        title: "=HYPERLINK(\"http://evil.example\",\"click\")".into(),
        description: Some("+cmd|' /C calc'!A0".into()),
        lead_funder: Some("@SUM(1+1)".into()),
        implementers: strings(&["\tTabbed org", "\rReturn org"]),
        budget: Some(0.0),
        currency: Some("USD".into()),
        budget_eur: Some(0.0),
        jvap_id: Some("JVAP-000003".into()),
        ..project()
    };
    vec![
        DatasetInitiative {
            partner: "NER".into(),
            submission_id: "sub-0001".into(),
            record: project(),
            warnings: strings(&["currency.assumed_eur@S7"]),
        },
        DatasetInitiative {
            partner: "SEN".into(),
            submission_id: "sub-0002".into(),
            record: policy,
            warnings: vec![],
        },
        DatasetInitiative {
            partner: "SEN".into(),
            submission_id: "sub-0002".into(),
            record: hostile,
            warnings: strings(&["description.empty@D9", "date.ambiguous@F9"]),
        },
    ]
}

static META: std::sync::LazyLock<DatasetMeta> = std::sync::LazyLock::new(meta);

/// Version 3 of round 2022 with these initiatives and no previous version.
pub fn round<'a>(
    initiatives: &'a [DatasetInitiative],
    tracker: &'a jvap_record::tracker::Tracker,
) -> crate::round::RoundData<'a> {
    crate::round::RoundData {
        meta: &META,
        initiatives,
        previous: None,
        tracker,
    }
}

pub fn figures(data: &crate::round::RoundData<'_>) -> crate::figures::Figures {
    crate::figures::Figures::compute(data)
}
