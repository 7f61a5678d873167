//! The OpenAPI 3.1 document of the HTTP API, served at `/api/v1/openapi.json` and shown by the `/api` page.
//!
//! Every handler carries a `#[utoipa::path]` attribute, and each module's router registers its handlers
//! with [`utoipa_axum::routes!`], which takes the route from that same attribute: the router that serves
//! the API and the document that describes it are built from the same lines and cannot disagree.
//! [`ApiDoc`] adds what no handler says: the title, the two ways to authenticate, and the schemas of the
//! jvap-record types the API sends. Those types derive `utoipa::ToSchema` where they are defined, from
//! the same serde attributes that shape their JSON and with their doc comments as descriptions: there
//! is no second copy of them to keep in step. Who may call an operation is in its `x-roles` extension.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use jvap_record::Severity;
use jvap_record::messages::{
    CommitteeList, Contact, DeliveryOutcome, Mode, PartnerContacts, Reminder, ReminderKind, Role,
    RoundRecord, SubmissionState, SubmissionStatus, SummaryDelivery, SummaryReason,
    SummaryRequested,
};
use jvap_record::report::{Counts, Issue, Report, Verdict};
use jvap_record::tracker::{PartnerState, Tracker, TrackerRow};
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
        Role,
        Mode,
        SubmissionState,
        Counts,
        SubmissionStatus,
        RoundRecord,
        Report,
        Verdict,
        Issue,
        Severity,
        Tracker,
        TrackerRow,
        PartnerState,
        CommitteeList,
        SummaryReason,
        SummaryRequested,
        DeliveryOutcome,
        SummaryDelivery,
        Contact,
        PartnerContacts,
        ReminderKind,
        Reminder
    )),
    modifiers(&Authentication),
    tags(
        (name = "submissions", description = "Uploads, their statuses, reports and annotated workbooks"),
        (name = "datasets", description = "The consolidated datasets, every version"),
        (name = "rounds", description = "Whether a round takes submissions, which partners it expects, where each stands"),
        (name = "committee", description = "The Steering Committee's distribution list and the summary e-mails"),
        (name = "tokens", description = "Access tokens"),
        (name = "admin", description = "The audit log of admin actions"),
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
    /// What happened, in plain English (English whatever the request's language).
    error: String,
    /// The same, in French.
    error_fr: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

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
