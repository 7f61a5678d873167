//! The OpenAPI 3.1 document of the HTTP API, served at `/api/v1/openapi.json` and shown by the `/api` page.
//!
//! Every handler carries a `#[utoipa::path]` attribute, and each module's router registers its handlers
//! with [`utoipa_axum::routes!`], which takes the route from that same attribute: the router that serves
//! the API and the document that describes it are built from the same lines and cannot disagree.
//! [`ApiDoc`] adds what no handler says: the title, the two ways to authenticate, and the schemas of the
//! jvap-core types the API sends. Those are mirrored here (jvap-core stays free of utoipa); a test checks
//! that each mirror has exactly the fields its type serializes. Who may call an operation is in its
//! `x-roles` extension.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// The parts of the document that come from no handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "JVAP intake API",
        description = "Partners upload their initiatives and follow their submissions; analysts read \
            every submission and download the consolidated datasets; administrators open and close the \
            round and issue access tokens. Send an access token as `Authorization: Bearer <token>`; in a \
            browser signed in to the web pages, GET requests also accept the session cookie. Who may call \
            an operation is listed in its `x-roles` extension (no roles: anyone). Errors answer \
            `{\"error\": \"<what happened>\"}`."
    ),
    components(schemas(
        ErrorBody,
        RoleSchema,
        ModeSchema,
        StateSchema,
        CountsSchema,
        SubmissionStatusSchema,
        RoundRecordSchema,
        ReportSchema,
        IssueSchema,
        TrackerSchema,
        TrackerRowSchema,
        PartnerStateSchema,
        CommitteeListSchema,
        SummaryReasonSchema,
        SummaryRequestedSchema,
        DeliveryOutcomeSchema,
        SummaryDeliverySchema
    )),
    modifiers(&Authentication),
    tags(
        (name = "submissions", description = "Uploads, their statuses, reports and annotated workbooks"),
        (name = "datasets", description = "The consolidated datasets, every version"),
        (name = "rounds", description = "Whether a round takes submissions, which partners it expects, where each stands"),
        (name = "committee", description = "The Steering Committee's distribution list and the summary e-mails"),
        (name = "tokens", description = "Access tokens"),
        (name = "public", description = "What needs no token"),
    )
)]
pub struct ApiDoc;

/// The two security schemes: the bearer token, and the web session's cookie (GET and HEAD only).
struct Authentication;

impl Modify for Authentication {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access token issued by an administrator."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::auth::SESSION_COOKIE,
                "The web pages' session cookie, set by signing in at /; accepted on GET and HEAD only.",
            ))),
        );
    }
}

/// The document, built once from the routers the server serves.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> =
        LazyLock::new(|| super::api().into_openapi());
    &DOCUMENT
}

/// The document as JSON, serialized once.
fn document_json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        // Serializing a document of strings and maps cannot fail; an empty object would show it if it did.
        serde_json::to_string_pretty(document()).unwrap_or_else(|_| "{}".into())
    });
    &JSON
}

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// This document
///
/// The OpenAPI 3.1 description of every operation of the API, generated from the handlers.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi_document",
    tag = "public",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
    extensions(("x-roles" = json!([]))),
)]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
}

/// What every error answers.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// What happened, in plain English.
    error: String,
}

// Mirrors of the jvap-core types the API sends, for the document only (see the module doc).

/// Who a token belongs to.
#[derive(ToSchema)]
#[schema(as = Role)]
#[allow(dead_code)]
#[schema(rename_all = "lowercase")]
pub(crate) enum RoleSchema {
    Partner,
    Analyst,
    Admin,
}

/// How an accepted submission changes the partner's initiatives: `replace` all of them, or `merge` by
/// `partner_ref`.
#[derive(ToSchema)]
#[schema(as = Mode)]
#[allow(dead_code)]
#[schema(rename_all = "lowercase")]
pub(crate) enum ModeSchema {
    Replace,
    Merge,
}

/// Where a submission is: `received`, then `validating`, then `accepted`, `rejected` or `failed`.
#[derive(ToSchema)]
#[schema(as = State)]
#[allow(dead_code)]
#[schema(rename_all = "lowercase")]
pub(crate) enum StateSchema {
    Received,
    Validating,
    Accepted,
    Rejected,
    Failed,
}

/// What validation counted in a file.
#[derive(ToSchema)]
#[schema(as = Counts)]
#[allow(dead_code)]
pub(crate) struct CountsSchema {
    /// Non-empty data rows read, over every data sheet.
    rows: u64,
    /// Rows that became records.
    records: u64,
    errors: u64,
    warnings: u64,
}

/// One submission: one file from one partner in one round.
#[derive(ToSchema)]
#[schema(as = SubmissionStatus)]
#[allow(dead_code)]
pub(crate) struct SubmissionStatusSchema {
    /// 24 hex characters, derived from the partner, the round and the bytes.
    submission_id: String,
    /// The partner's code, e.g. `NER`.
    partner: String,
    round: String,
    mode: ModeSchema,
    file_name: String,
    /// In bytes.
    size: u64,
    state: StateSchema,
    counts: Option<CountsSchema>,
    /// Why the submission failed, when it did.
    reason: Option<String>,
    /// The dataset version that includes this submission, once published.
    dataset_version: Option<u32>,
    received_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Whether a round takes submissions.
#[derive(ToSchema)]
#[schema(as = RoundRecord)]
#[allow(dead_code)]
pub(crate) struct RoundRecordSchema {
    round: String,
    open: bool,
    /// The partner codes expected to submit; null means every partner of the reference list.
    expected_partners: Option<Vec<String>>,
    updated_at: DateTime<Utc>,
}

/// Every expected partner of a round (and any other that submitted), in partner-code order.
#[derive(ToSchema)]
#[schema(as = Tracker)]
#[allow(dead_code)]
pub(crate) struct TrackerSchema {
    round: String,
    partners: Vec<TrackerRowSchema>,
}

/// One partner's line in the tracker.
#[derive(ToSchema)]
#[schema(as = TrackerRow)]
#[allow(dead_code)]
pub(crate) struct TrackerRowSchema {
    /// The partner code of `reference/partners.csv`.
    partner: String,
    name_en: String,
    name_fr: String,
    /// False for a partner that submitted without being on the round's expected list.
    expected: bool,
    state: PartnerStateSchema,
    /// The partner's initiatives in the current dataset.
    initiatives: u64,
    /// Submissions received from the partner this round.
    submissions: u32,
    last_submission_id: Option<String>,
    /// When the partner's latest submission last changed state.
    last_activity: Option<DateTime<Utc>>,
}

/// Where a partner stands in the round.
#[derive(ToSchema)]
#[schema(as = PartnerState, rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum PartnerStateSchema {
    NotSubmitted,
    InProgress,
    Rejected,
    Accepted,
    Failed,
}

/// The Steering Committee's distribution list.
#[derive(ToSchema)]
#[schema(as = CommitteeList)]
#[allow(dead_code)]
pub(crate) struct CommitteeListSchema {
    recipients: Vec<String>,
    /// When the list was last set; null while it never was.
    updated_at: Option<DateTime<Utc>>,
}

/// Why a summary was requested.
#[derive(ToSchema)]
#[schema(as = SummaryReason, rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum SummaryReasonSchema {
    RoundClosed,
    OnDemand,
}

/// A request to e-mail a round's latest summary to the Committee.
#[derive(ToSchema)]
#[schema(as = SummaryRequested)]
#[allow(dead_code)]
pub(crate) struct SummaryRequestedSchema {
    request_id: String,
    round: String,
    reason: SummaryReasonSchema,
    requested_at: DateTime<Utc>,
}

/// Where a summary delivery stands.
#[derive(ToSchema)]
#[schema(as = DeliveryOutcome, rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum DeliveryOutcomeSchema {
    Sent,
    Skipped,
    Retrying,
    Failed,
}

/// One summary request and what became of it.
#[derive(ToSchema)]
#[schema(as = SummaryDelivery)]
#[allow(dead_code)]
pub(crate) struct SummaryDeliverySchema {
    request_id: String,
    round: String,
    reason: SummaryReasonSchema,
    /// The dataset version whose summary was (or would have been) sent.
    version: Option<u32>,
    recipients: Vec<String>,
    outcome: DeliveryOutcomeSchema,
    /// Why it was skipped or failed, or the last error while retrying.
    detail: Option<String>,
    /// The e-mail's Message-ID header.
    message_id: Option<String>,
    /// Sending attempts so far.
    attempts: u32,
    requested_at: DateTime<Utc>,
    /// When the SMTP server accepted the e-mail.
    sent_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// The validation report of a submission.
#[derive(ToSchema)]
#[schema(as = Report)]
#[allow(dead_code)]
pub(crate) struct ReportSchema {
    /// `accepted` or `rejected`.
    verdict: String,
    counts: CountsSchema,
    issues: Vec<IssueSchema>,
    /// The rows that passed, one object per initiative with the fields of `schemas/fields.csv`.
    #[schema(value_type = Vec<Object>)]
    records: Vec<()>,
}

/// One problem found in a file.
#[derive(ToSchema)]
#[schema(as = Issue)]
#[allow(dead_code)]
pub(crate) struct IssueSchema {
    /// `error`, `warning` or `info`.
    severity: String,
    /// A machine code, e.g. `date.unparseable`.
    code: String,
    /// Null for CSV and for whole-file problems.
    sheet: Option<String>,
    /// A1-style cell; null for whole-file problems.
    cell: Option<String>,
    /// 1-based sheet row (CSV: record number, header = 1).
    row: Option<u32>,
    /// The record key of the column, when the column is a known field.
    column: Option<String>,
    /// The value found, as the partner wrote it.
    value: Option<String>,
    message_en: String,
    message_fr: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jvap_record::messages as m;
    use serde_json::{Value, json};

    use super::*;

    /// The property names of a component of the document.
    fn properties(name: &str) -> BTreeSet<String> {
        let document = serde_json::to_value(document()).expect("the document serializes");
        let schema = &document["components"]["schemas"][name];
        schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has properties in {schema}"))
            .keys()
            .cloned()
            .collect()
    }

    fn keys(value: &Value) -> BTreeSet<String> {
        value
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    }

    fn values(name: &str) -> BTreeSet<String> {
        let document = serde_json::to_value(document()).expect("the document serializes");
        document["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .iter()
            .map(|v| v.as_str().expect("a string").to_string())
            .collect()
    }

    #[test]
    fn each_mirrored_schema_has_exactly_the_fields_its_type_sends() {
        let now = Utc::now();
        let counts = jvap_record::report::Counts::default();
        let status = m::SubmissionStatus {
            submission_id: "0".repeat(24),
            partner: "NER".into(),
            round: "2022".into(),
            mode: m::Mode::Replace,
            file_name: "a.xlsx".into(),
            size: 1,
            state: m::SubmissionState::Received,
            counts: None,
            reason: None,
            dataset_version: None,
            received_at: now,
            updated_at: now,
        };
        let round = m::RoundRecord::new("2022");
        let tracker =
            jvap_record::tracker::Tracker::build("2022", &["NER".into()], &[], &Default::default());
        let committee = m::CommitteeList::default();
        let requested = m::SummaryRequested {
            request_id: "r".into(),
            round: "2022".into(),
            reason: m::SummaryReason::OnDemand,
            requested_at: now,
        };
        let delivery = m::SummaryDelivery {
            request_id: "r".into(),
            round: "2022".into(),
            reason: m::SummaryReason::OnDemand,
            version: None,
            recipients: vec![],
            outcome: m::DeliveryOutcome::Sent,
            detail: None,
            message_id: None,
            attempts: 1,
            requested_at: now,
            sent_at: None,
            updated_at: now,
        };
        let issue = jvap_record::report::Issue::new(&jvap_record::catalogue::ALL[0], "x");
        let report = jvap_record::Report {
            verdict: jvap_record::report::Verdict::Rejected,
            counts,
            issues: vec![issue.clone()],
            records: vec![],
        };
        for (name, value) in [
            ("SubmissionStatus", json!(status)),
            ("RoundRecord", json!(round)),
            ("Counts", json!(counts)),
            ("Report", json!(report)),
            ("Issue", json!(issue)),
            ("Tracker", json!(tracker)),
            ("TrackerRow", json!(tracker.partners[0])),
            ("CommitteeList", json!(committee)),
            ("SummaryRequested", json!(requested)),
            ("SummaryDelivery", json!(delivery)),
        ] {
            assert_eq!(properties(name), keys(&value), "the fields of {name}");
        }
        let names = |all: &[Value]| -> BTreeSet<String> {
            all.iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let roles = [m::Role::Partner, m::Role::Analyst, m::Role::Admin].map(|r| json!(r));
        assert_eq!(values("Role"), names(&roles));
        let modes = [m::Mode::Replace, m::Mode::Merge].map(|r| json!(r));
        assert_eq!(values("Mode"), names(&modes));
        let states = [
            m::SubmissionState::Received,
            m::SubmissionState::Validating,
            m::SubmissionState::Accepted,
            m::SubmissionState::Rejected,
            m::SubmissionState::Failed,
        ]
        .map(|r| json!(r));
        assert_eq!(values("State"), names(&states));
    }

    #[test]
    #[ignore = "prints the document: cargo test -p jvap-intake --lib print_document -- --ignored"]
    fn print_document() {
        println!("{}", document_json());
    }

    #[test]
    fn every_operation_says_who_may_call_it_and_what_it_answers() {
        let document = serde_json::to_value(document()).expect("the document serializes");
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1."));
        let mut ids = BTreeSet::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let at = format!("{method} {path}");
                assert!(operation["x-roles"].is_array(), "{at} lists its roles");
                let id = operation["operationId"].as_str().expect("an operation id");
                assert!(
                    ids.insert(id.to_string()),
                    "{at}: the operation id {id} is taken"
                );
                assert!(operation["summary"].is_string(), "{at} has a summary");
                assert!(
                    !operation["responses"]
                        .as_object()
                        .expect("responses")
                        .is_empty(),
                    "{at} lists its responses"
                );
            }
        }
    }
}
