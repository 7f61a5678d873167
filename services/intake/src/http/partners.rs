//! A partner's focal points: where its reminders go, and in which language.
//!
//! - `GET /api/v1/partners/contacts` (admin): every partner's focal points.
//! - `GET|PUT /api/v1/partners/{code}/contacts` (admin): one partner's,
//!   `{"contacts": [{"address": "a@x.org", "lang": "fr"}]}`.
//!
//! Kept in KV `partners` (so a backup holds them); aggregation reads them when it sends reminders.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use chrono::Utc;
use jvap_bus::Bus;
use jvap_record::Said;
use jvap_record::messages::{AuditAction, Contact, PartnerContacts, Role};
use jvap_record::reference;
use jvap_record::text::is_email;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use super::auth::Caller;
use super::openapi::ErrorBody;
use super::{AppState, Error, Result};

/// The most focal points one partner may have.
const MAX_CONTACTS: usize = 20;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all))
        .routes(routes!(show, set))
}

/// Every partner's focal points
///
/// The partners that have focal points, by partner code.
#[utoipa::path(
    get,
    path = "/api/v1/partners/contacts",
    operation_id = "all_partner_contacts",
    tag = "rounds",
    responses(
        (status = 200, description = "The lists", body = Vec<PartnerContacts>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn all(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<PartnerContacts>>> {
    caller.require(&[Role::Admin])?;
    Ok(Json(state.bus.all_contacts().await?))
}

/// A partner's focal points
///
/// The addresses its reminders go to, each with its language.
#[utoipa::path(
    get,
    path = "/api/v1/partners/{code}/contacts",
    operation_id = "show_partner_contacts",
    tag = "rounds",
    params(("code" = String, Path, description = "The partner code, e.g. `NER`")),
    responses(
        (status = 200, description = "The list", body = PartnerContacts),
        (status = 400, description = "Not a partner code", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<PartnerContacts>> {
    caller.require(&[Role::Admin])?;
    let code = partner_code(&code)?;
    Ok(Json(state.bus.contacts(&code).await?))
}

/// A partner's new focal points.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ContactsRequest {
    /// Every focal point; an empty list reminds nobody.
    pub contacts: Vec<Contact>,
}

/// Set a partner's focal points
///
/// Replaces the whole list; addresses are trimmed and repeats dropped, and a bad address changes
/// nothing.
#[utoipa::path(
    put,
    path = "/api/v1/partners/{code}/contacts",
    operation_id = "set_partner_contacts",
    tag = "rounds",
    params(("code" = String, Path, description = "The partner code, e.g. `NER`")),
    request_body = ContactsRequest,
    responses(
        (status = 200, description = "The list as stored", body = PartnerContacts),
        (status = 400, description = "Not a partner, not e-mail addresses, or too many", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
)]
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: std::result::Result<Json<ContactsRequest>, JsonRejection>,
) -> Result<Json<PartnerContacts>> {
    let Json(request) = body.map_err(|e| {
        super::bad_json(
            r#"{"contacts": [{"address": "focal.point@example.org", "lang": "fr"}]}"#,
            e,
        )
    })?;
    Ok(Json(
        set_contacts(&state.bus, &caller, &code, &request.contacts).await?,
    ))
}

/// Replace a partner's focal points (admins only); the API and the admin's page both come here.
pub(crate) async fn set_contacts(
    bus: &Bus,
    caller: &Caller,
    code: &str,
    contacts: &[Contact],
) -> Result<PartnerContacts> {
    caller.require(&[Role::Admin])?;
    let partner = partner_code(code)?;
    let contacts = PartnerContacts {
        partner,
        contacts: checked(contacts).map_err(Error::BadRequest)?,
        updated_at: Some(Utc::now()),
    };
    bus.set_contacts(&contacts).await?;
    tracing::info!(partner = %contacts.partner, contacts = contacts.contacts.len(), "focal points set");
    let languages: Vec<&str> = contacts.contacts.iter().map(|c| c.lang.code()).collect();
    let detail = serde_json::json!({
        "partner": contacts.partner,
        "contacts": contacts.contacts.len(),
        "languages": languages,
    });
    audit::record(bus, caller, AuditAction::ContactsSet, None, detail).await;
    Ok(contacts)
}

/// The code as the reference list spells it, or a 400.
fn partner_code(code: &str) -> Result<String> {
    reference::partner(code.trim())
        .map(|p| p.code.clone())
        .ok_or_else(|| {
            Error::BadRequest(Said::new(
                format!("{code:?} is not a partner code of the reference list"),
                format!("{code:?} n'est pas un code de partenaire de la liste de référence"),
            ))
        })
}

/// The focal points trimmed, without repeated addresses (ignoring case), or a message naming every
/// bad address.
fn checked(contacts: &[Contact]) -> std::result::Result<Vec<Contact>, Said> {
    let bad: Vec<String> = contacts
        .iter()
        .filter(|c| !is_email(&c.address))
        .map(|c| format!("{:?}", c.address))
        .collect();
    if !bad.is_empty() {
        let bad = bad.join(", ");
        return Err(Said::new(
            format!("not e-mail addresses: {bad}; nothing was changed"),
            format!("pas des adresses électroniques : {bad} ; rien n'a été changé"),
        ));
    }
    let mut list: Vec<Contact> = Vec::new();
    for contact in contacts {
        let address = contact.address.trim();
        if !list.iter().any(|c| c.address.eq_ignore_ascii_case(address)) {
            list.push(Contact {
                address: address.to_string(),
                lang: contact.lang,
            });
        }
    }
    if list.len() > MAX_CONTACTS {
        let count = list.len();
        return Err(Said::new(
            format!("{count} focal points: at most {MAX_CONTACTS}; nothing was changed"),
            format!("{count} points focaux : {MAX_CONTACTS} au plus ; rien n'a été changé"),
        ));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jvap_record::Lang;

    fn contact(address: &str, lang: Lang) -> Contact {
        Contact {
            address: address.into(),
            lang,
        }
    }

    #[test]
    fn addresses_are_trimmed_without_repeats_and_bad_ones_are_named() {
        let list = checked(&[
            contact(" a@niger.example.org ", Lang::Fr),
            contact("A@niger.example.org", Lang::En),
            contact("b@niger.example.org", Lang::En),
        ])
        .expect("valid");
        assert_eq!(
            list,
            [
                contact("a@niger.example.org", Lang::Fr),
                contact("b@niger.example.org", Lang::En)
            ]
        );
        let error = checked(&[contact("niger at example", Lang::Fr)]).expect_err("refused");
        assert!(error.en.contains("niger at example"), "{error}");
        assert!(error.fr.contains("niger at example"), "{error}");
        assert!(partner_code("ner").is_ok_and(|c| c == "NER"));
        assert!(partner_code("Atlantis").is_err());
    }
}
