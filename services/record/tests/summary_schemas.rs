//! The summary request and delivery record serialise exactly as `schemas/messages/` describes them.

use chrono::{TimeZone, Utc};
use jvap_record::messages::{DeliveryOutcome, SummaryDelivery, SummaryReason, SummaryRequested};
use serde_json::{Value, json};

fn validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn a_summary_request_matches_its_schema_for_both_reasons() {
    let validator = validator(include_str!(
        "../../../schemas/messages/summary_requested.schema.json"
    ));
    for reason in [SummaryReason::RoundClosed, SummaryReason::OnDemand] {
        let request = SummaryRequested {
            request_id: "summary-2022-20221231T120000.000Z".into(),
            round: "2022".into(),
            reason,
            requested_at: Utc.with_ymd_and_hms(2022, 12, 31, 12, 0, 0).unwrap(),
        };
        let value = serde_json::to_value(&request).expect("serialises");
        assert_eq!(value["reason"], json!(reason.as_str()));
        assert_eq!(errors(&validator, &value), Vec::<String>::new());
    }
    let unknown_reason = json!({
        "request_id": "x", "round": "2022", "reason": "whim", "requested_at": "2022-12-31T12:00:00Z"
    });
    assert!(!validator.is_valid(&unknown_reason));
}

#[test]
fn a_delivery_record_matches_its_schema_sent_or_skipped() {
    let validator = validator(include_str!(
        "../../../schemas/messages/summary_delivery.schema.json"
    ));
    let at = Utc.with_ymd_and_hms(2022, 12, 31, 12, 0, 0).unwrap();
    let sent = SummaryDelivery {
        request_id: "summary-2022-1".into(),
        round: "2022".into(),
        reason: SummaryReason::RoundClosed,
        version: Some(7),
        recipients: vec!["chair@example.org".into()],
        outcome: DeliveryOutcome::Sent,
        detail: None,
        message_id: Some("<summary-2022-1@jvap>".into()),
        attempts: 1,
        requested_at: at,
        sent_at: Some(at),
        updated_at: at,
    };
    let skipped = SummaryDelivery {
        version: None,
        recipients: vec![],
        outcome: DeliveryOutcome::Skipped,
        detail: Some("the distribution list is empty".into()),
        message_id: None,
        attempts: 0,
        sent_at: None,
        ..sent.clone()
    };
    for record in [sent, skipped] {
        let value = serde_json::to_value(&record).expect("serialises");
        assert_eq!(errors(&validator, &value), Vec::<String>::new());
        let back: SummaryDelivery = serde_json::from_value(value).expect("reads back");
        assert_eq!(back, record);
    }
}
