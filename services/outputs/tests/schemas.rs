//! The JSON Schemas in `schemas/` describe exactly what the code serialises.
//!
//! Each schema is embedded with `include_str!` and registered under its `$id`, so the cross-file `$ref`s
//! (report → initiative, message → report's counts) resolve without a network or a file system.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use jsonschema::{Registry, Validator};
use serde_json::{Value, json};

use jvap_outputs::RoundData;
use jvap_outputs::dataset::write_json;
use jvap_outputs::figures::Figures;
use jvap_outputs::{DatasetInitiative, DatasetMeta};
use jvap_record::catalogue;
use jvap_record::messages::{
    DatasetPublished, Mode, SubmissionFailed, SubmissionReceived, SubmissionRejected,
    SubmissionState, SubmissionStatus, SubmissionValidated,
};
use jvap_record::record::SourceRef;
use jvap_record::tracker::Tracker;
use jvap_record::{Counts, FIELDS, Initiative, Issue, Report, reference};

const BASE: &str = "https://jvap.example/schemas/";

/// (path under schemas/, text) for every schema.
const SCHEMAS: &[(&str, &str)] = &[
    (
        "initiative.schema.json",
        include_str!("../../../schemas/initiative.schema.json"),
    ),
    (
        "report.schema.json",
        include_str!("../../../schemas/report.schema.json"),
    ),
    (
        "dataset.schema.json",
        include_str!("../../../schemas/dataset.schema.json"),
    ),
    (
        "figures.schema.json",
        include_str!("../../../schemas/figures.schema.json"),
    ),
    (
        "messages/dataset_build_requested.schema.json",
        include_str!("../../../schemas/messages/dataset_build_requested.schema.json"),
    ),
    (
        "messages/summary_requested.schema.json",
        include_str!("../../../schemas/messages/summary_requested.schema.json"),
    ),
    (
        "messages/summary_delivery.schema.json",
        include_str!("../../../schemas/messages/summary_delivery.schema.json"),
    ),
    (
        "messages/submission_received.schema.json",
        include_str!("../../../schemas/messages/submission_received.schema.json"),
    ),
    (
        "messages/submission_validated.schema.json",
        include_str!("../../../schemas/messages/submission_validated.schema.json"),
    ),
    (
        "messages/submission_rejected.schema.json",
        include_str!("../../../schemas/messages/submission_rejected.schema.json"),
    ),
    (
        "messages/submission_failed.schema.json",
        include_str!("../../../schemas/messages/submission_failed.schema.json"),
    ),
    (
        "messages/dataset_published.schema.json",
        include_str!("../../../schemas/messages/dataset_published.schema.json"),
    ),
    (
        "messages/submission_status.schema.json",
        include_str!("../../../schemas/messages/submission_status.schema.json"),
    ),
    (
        "messages/audit_entry.schema.json",
        include_str!("../../../schemas/messages/audit_entry.schema.json"),
    ),
];

fn schema(path: &str) -> Value {
    let (_, text) = SCHEMAS
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("no schema {path}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// Assert that `instance` is valid against `schemas/<path>`, listing every error if not.
fn assert_valid(path: &str, instance: &Value) {
    let validator = validator(path);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{path}:\n{}", errors.join("\n"));
}

fn validator(path: &str) -> Validator {
    let mut builder = Registry::new();
    for (p, _) in SCHEMAS {
        let uri = format!("{BASE}{p}");
        builder = builder.add(&uri, schema(p)).expect("a valid schema URI");
    }
    let registry = builder.prepare().expect("schemas register");
    let root = schema(path);
    assert_eq!(root["$id"], format!("{BASE}{path}"), "$id of {path}");
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{path} does not compile: {e}"))
}

fn at(hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 11, 14, hour, 0, 0)
        .single()
        .expect("an instant")
}

fn record() -> Initiative {
    Initiative {
        partner_ref: Some("SEN-01".into()),
        initiative_type: "project".into(),
        title: "Appui à la migration légale".into(),
        description: None,
        status: "ongoing".into(),
        start_date: NaiveDate::from_ymd_opt(2019, 3, 15).expect("date"),
        end_date: Some(NaiveDate::from_ymd_opt(2023, 3, 15).expect("date")),
        jvap_domains: vec!["D1".into(), "D3".into()],
        primary_domain: "D1".into(),
        jvap_priorities: vec!["1.2".into()],
        marrakesh_objectives: vec!["O1".into()],
        countries: vec!["SEN".into(), "MLI".into()],
        geographic_scope: "bilateral".into(),
        lead_funder: Some("EU".into()),
        other_funders: vec![],
        funder_category: Some("eu_institution".into()),
        implementers: vec!["IOM".into()],
        budget: Some(1_200_000.0),
        currency: Some("EUR".into()),
        budget_eur: Some(1_200_000.0),
        target_groups: vec!["youth".into()],
        website: Some("https://example.org".into()),
        contact_email: Some("a@example.org".into()),
        jvap_id: Some("JVAP-000007".into()),
        source: SourceRef {
            sheet: Some("Initiatives".into()),
            row: 7,
        },
    }
}

/// A rejected report: one cell-level error, one whole-file issue (all locations null), one record.
/// A column read as confirmed and one not placed, with its guesses.
fn columns() -> Vec<jvap_record::columns::ColumnRead> {
    use jvap_record::columns::{ColumnRead, ReadAs};
    vec![
        ColumnRead {
            sheet: Some("Initiatives".into()),
            cell: "F1".into(),
            header: "Financier".into(),
            field: Some("lead_funder".into()),
            read_as: ReadAs::Confirmed,
            guesses: vec![],
        },
        ColumnRead {
            sheet: None,
            cell: "G1".into(),
            header: "Origine des fonds".into(),
            field: None,
            read_as: ReadAs::Unknown,
            guesses: vec!["lead_funder".into(), "budget".into()],
        },
    ]
}

fn report() -> Report {
    let error = Issue::new(&catalogue::FILE_NO_HEADER, "")
        .at(Some("Initiatives"), 8, 6)
        .column("start_date")
        .value("31/02/2019");
    let whole_file = Issue::new(&catalogue::SHEET_SKIPPED, "hidden sheet");
    let mut report = Report::from_parts(2, vec![error, whole_file], vec![record()]);
    report.columns = columns();
    report
}

fn counts_example() -> Counts {
    counts()
}

fn counts() -> Counts {
    Counts {
        rows: 41,
        records: 40,
        errors: 1,
        warnings: 3,
    }
}

#[test]
fn report_matches_its_schema() {
    let value = serde_json::to_value(report()).expect("serialises");
    assert_eq!(value["verdict"], "rejected");
    assert_eq!(value["issues"][1]["cell"], Value::Null);
    assert_valid("report.schema.json", &value);
}

#[test]
fn report_schema_is_not_vacuous() {
    let validator = validator("report.schema.json");
    let good = serde_json::to_value(report()).expect("serialises");
    let mut extra_key = good.clone();
    extra_key["records"][0]["surprise"] = json!(1);
    let mut bad_verdict = good.clone();
    bad_verdict["verdict"] = json!("maybe");
    let mut bad_date = good.clone();
    bad_date["records"][0]["start_date"] = json!("15/03/2019");
    let mut missing_cell = good.clone();
    if let Some(issue) = missing_cell["issues"][0].as_object_mut() {
        issue.remove("cell");
    }
    for bad in [extra_key, bad_verdict, bad_date, missing_cell] {
        assert!(!validator.is_valid(&bad), "accepted {bad}");
    }
}

#[test]
fn dataset_json_matches_its_schema() {
    let meta = DatasetMeta {
        round: "2022".into(),
        version: 1,
        generated_at: at(9),
    };
    let mut csv_record = record();
    csv_record.source.sheet = None;
    csv_record.budget = None;
    csv_record.budget_eur = None;
    let initiatives = vec![
        DatasetInitiative {
            partner: "SEN".into(),
            submission_id: "0b7e".into(),
            record: record(),
            warnings: vec!["currency.assumed_eur@S7".into()],
        },
        DatasetInitiative {
            partner: "EU".into(),
            submission_id: "9f1c".into(),
            record: csv_record,
            warnings: vec![],
        },
    ];
    let value = dataset_json(&meta, &initiatives, None);
    assert_valid("dataset.schema.json", &value);

    let validator = validator("dataset.schema.json");
    let mut extra = value.clone();
    extra["initiatives"][0]["surprise"] = json!(true);
    let mut float_money = value.clone();
    float_money["figures"]["totals"]["budget_eur"] = json!(1200000.0);
    let mut no_figures = value.clone();
    if let Some(object) = no_figures.as_object_mut() {
        object.remove("figures");
    }
    for bad in [extra, float_money, no_figures] {
        assert!(!validator.is_valid(&bad), "accepted {bad}");
    }
}

/// The dataset JSON of `initiatives`, with a tracker expecting SEN, EU and NER (one rejected
/// submission of NER's) and `previous` as the version before.
fn dataset_json(
    meta: &DatasetMeta,
    initiatives: &[DatasetInitiative],
    previous: Option<(u32, &[DatasetInitiative])>,
) -> Value {
    let mut counts = BTreeMap::new();
    for initiative in initiatives {
        *counts.entry(initiative.partner.clone()).or_insert(0) += 1;
    }
    let rejected = SubmissionStatus {
        submission_id: "77aa".into(),
        partner: "NER".into(),
        round: meta.round.clone(),
        mode: Mode::Replace,
        file_name: "NER.xlsx".into(),
        size: 10,
        state: SubmissionState::Rejected,
        counts: Some(counts_example()),
        reason: None,
        dataset_version: None,
        received_at: at(8),
        updated_at: at(9),
    };
    let expected = ["SEN", "EU", "NER"].map(String::from);
    let tracker = Tracker::build(&meta.round, &expected, &[rejected], &counts);
    let data = RoundData {
        meta,
        initiatives,
        previous,
        tracker: &tracker,
    };
    let figures = Figures::compute(&data);
    let bytes = write_json(&data, &figures).expect("json");
    serde_json::from_slice(&bytes).expect("JSON")
}

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

#[test]
fn a_dataset_built_from_every_accepted_sample_matches_its_schema() {
    let mut initiatives = Vec::new();
    for entry in std::fs::read_dir(SAMPLES).expect("the samples directory") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".json") || name.ends_with(".md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("a sample");
        let report = jvap_ingest::validate(&name, &bytes);
        if report.verdict == jvap_record::Verdict::Accepted {
            let partner = name.split('_').next().expect("a partner code");
            initiatives.extend(DatasetInitiative::from_report(partner, &name, &report));
        }
    }
    assert!(initiatives.len() > 50, "{} initiatives", initiatives.len());
    // In the database every initiative has its JVAP id (aggregation gives them).
    for (n, initiative) in initiatives.iter_mut().enumerate() {
        initiative.record.jvap_id = Some(jvap_record::ids::format(n as u64 + 1));
    }
    let meta = DatasetMeta {
        round: "2022".into(),
        version: 2,
        generated_at: at(9),
    };
    let previous = &initiatives[..initiatives.len() / 2];
    let value = dataset_json(&meta, &initiatives, Some((1, previous)));
    assert_valid("dataset.schema.json", &value);
    assert_valid("figures.schema.json", &value["figures"]);
    assert_eq!(value["changes"]["previous_version"], 1);
    assert!(
        !value["duplicates"]
            .as_array()
            .expect("duplicates")
            .is_empty()
    );
    assert!(
        !value["figures"]["gaps"]
            .as_array()
            .expect("gaps")
            .is_empty()
    );
}

#[test]
fn every_message_matches_its_schema() {
    let received = SubmissionReceived {
        submission_id: "0b7e".into(),
        partner: "SEN".into(),
        round: "2022".into(),
        mode: Mode::Merge,
        file_name: "SEN.xlsx".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        received_at: at(9),
        revalidation: None,
        mapping: jvap_record::columns::ColumnMapping::from_pairs(["Financier=lead_funder"])
            .expect("a mapping"),
    };
    let validated = SubmissionValidated {
        submission_id: "0b7e".into(),
        partner: "SEN".into(),
        round: "2022".into(),
        mode: Mode::Replace,
        counts: counts(),
        validated_at: at(10),
        revalidation: None,
        columns: columns(),
    };
    let rejected = SubmissionRejected {
        submission_id: "0b7e".into(),
        partner: "SEN".into(),
        round: "2022".into(),
        counts: counts(),
        validated_at: at(10),
        revalidation: None,
        columns: columns(),
    };
    let failed = SubmissionFailed {
        submission_id: "0b7e".into(),
        partner: "SEN".into(),
        stage: "validation".into(),
        reason: "max deliveries".into(),
        failed_at: at(11),
    };
    let published = DatasetPublished {
        round: "2022".into(),
        version: 4,
        objects: BTreeMap::from([(
            "dataset.xlsx".to_string(),
            "2022/v4/dataset.xlsx".to_string(),
        )]),
        initiatives: 40,
        by_partner: BTreeMap::from([("SEN".to_string(), 40)]),
        submission_id: "0b7e".into(),
        published_at: at(12),
    };
    let status = |state, counts, version| SubmissionStatus {
        submission_id: "0b7e".into(),
        partner: "SEN".into(),
        round: "2022".into(),
        mode: Mode::Replace,
        file_name: "SEN.xlsx".into(),
        size: 1234,
        state,
        counts,
        reason: None,
        dataset_version: version,
        received_at: at(9),
        updated_at: at(10),
    };
    let examples: [(&str, Value); 7] = [
        ("submission_received", json!(received)),
        ("submission_validated", json!(validated)),
        ("submission_rejected", json!(rejected)),
        ("submission_failed", json!(failed)),
        ("dataset_published", json!(published)),
        (
            "submission_status",
            json!(status(SubmissionState::Received, None, None)),
        ),
        (
            "submission_status",
            json!(status(SubmissionState::Accepted, Some(counts()), Some(4))),
        ),
    ];
    for (name, value) in &examples {
        assert_valid(&format!("messages/{name}.schema.json"), value);
    }
}

#[test]
fn initiative_schema_properties_are_the_fields_plus_derived_keys() {
    let schema = schema("initiative.schema.json");
    let mut properties: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut expected: Vec<&str> = FIELDS.iter().map(|f| f.key.as_str()).collect();
    expected.extend(["budget_eur", "source"]);
    properties.sort_unstable();
    required.sort_unstable();
    expected.sort_unstable();
    assert_eq!(properties, expected);
    assert_eq!(required, expected, "serde always writes every key");
}

#[test]
fn initiative_schema_enums_are_the_reference_code_lists() {
    let schema = schema("initiative.schema.json");
    let enum_of = |pointer: &str| -> Vec<String> {
        schema
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no enum at {pointer}"))
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    };
    let codes = |list: &str| -> Vec<String> {
        reference::code_list(list).map(|c| c.code.clone()).collect()
    };
    for key in [
        "initiative_type",
        "status",
        "geographic_scope",
        "funder_category",
    ] {
        assert_eq!(
            enum_of(&format!("/properties/{key}/enum")),
            codes(key),
            "{key}"
        );
    }
    assert_eq!(
        enum_of("/properties/target_groups/items/enum"),
        codes("target_group")
    );
    let domains: Vec<String> = reference::DOMAINS.iter().map(|d| d.code.clone()).collect();
    assert_eq!(enum_of("/$defs/domain/enum"), domains);
}

#[test]
fn every_schema_file_is_listed_and_compiles() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas");
    let mut on_disk = Vec::new();
    for sub in ["", "messages/"] {
        let entries = std::fs::read_dir(format!("{dir}/{sub}")).expect("schemas dir");
        for entry in entries {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".schema.json") {
                on_disk.push(format!("{sub}{name}"));
            }
        }
    }
    let mut listed: Vec<String> = SCHEMAS.iter().map(|(p, _)| p.to_string()).collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(on_disk, listed);
    for (path, _) in SCHEMAS {
        validator(path);
    }
}
