//! An audit entry serialises exactly as `schemas/messages/audit_entry.schema.json` describes it, and
//! the schema names exactly the actions the code knows.

use chrono::{TimeZone, Utc};
use jvap_record::Lang;
use jvap_record::messages::{AuditAction, AuditActor, AuditEntry, Role, subject_audit};
use jvap_record::vocabulary::code;
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("../../../schemas/messages/audit_entry.schema.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is JSON")
}

fn entry(action: AuditAction) -> AuditEntry {
    AuditEntry {
        seq: 7,
        at: Utc.with_ymd_and_hms(2022, 12, 31, 12, 0, 0).unwrap(),
        who: AuditActor {
            token_key: "ab".repeat(32),
            label: Some("Secretariat".into()),
            role: Role::Admin,
        },
        action,
        round: Some("2022".into()),
        detail: json!({ "partners": ["NER", "EU"], "was_open": true })
            .as_object()
            .cloned()
            .unwrap_or_default(),
    }
}

#[test]
fn every_action_matches_the_schema_and_has_words_in_both_languages() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the schema compiles");
    for action in AuditAction::ALL {
        let value = serde_json::to_value(entry(action)).expect("serialises");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{action:?}");
        assert_eq!(subject_audit(action), format!("audit.{}", code(&action)));
        assert!(!action.label(Lang::En).is_empty() && !action.label(Lang::Fr).is_empty());
        assert_ne!(action.label(Lang::En), action.label(Lang::Fr), "{action:?}");
    }
    let mut anonymous = serde_json::to_value(entry(AuditAction::TokenIssued)).expect("serialises");
    anonymous["who"]["token_key"] = json!("not a key");
    assert!(!validator.is_valid(&anonymous));
}

#[test]
fn the_schema_lists_exactly_the_actions_of_the_code() {
    let listed: Vec<String> = schema()["properties"]["action"]["enum"]
        .as_array()
        .expect("an enum")
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let known: Vec<String> = AuditAction::ALL.iter().map(code).collect();
    assert_eq!(listed, known);
}

#[test]
fn a_stored_entry_without_its_number_reads_back() {
    let mut value = serde_json::to_value(entry(AuditAction::RoundClosed)).expect("serialises");
    value.as_object_mut().expect("an object").remove("seq");
    let read: AuditEntry = serde_json::from_value(value).expect("reads");
    assert_eq!(read.seq, 0);
    assert_eq!(read.action, AuditAction::RoundClosed);
}
