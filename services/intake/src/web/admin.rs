//! The administrator's page: open or close the round, the partners it expects, the Steering Committee's
//! distribution list and "send the summary now", issue tokens (each shown once) and revoke them.
//! Every action is a POST form carrying the session's CSRF token, handled by the same functions as the
//! HTTP API.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jvap_bus::ops::{self, ServiceState};
use jvap_record::messages::{
    AuditEntry, CommitteeList, Role, RoundRecord, RoundState, SummaryDelivery,
};
use jvap_record::vocabulary::{self, capitalized};
use maud::{Markup, html};
use serde::Deserialize;

use super::analyst::datasets_section;
use super::i18n::fill;
use super::layout::{self, when};
use super::session::SignedIn;
use super::{PageError, View};
use crate::http::tokens::{self, IssuedToken, TokenEntry, TokenRequest};
use crate::http::{AppState, audit, committee as committee_api, rounds};

/// How many audit entries the page shows (the API pages through the rest).
const AUDIT_ON_PAGE: usize = 20;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/round/open", post(open_round))
        .route("/admin/round/close", get(confirm_close).post(close_round))
        .route("/admin/partners", post(partners))
        .route("/admin/committee", post(committee))
        .route("/admin/summary/send", post(send_summary))
        .route("/admin/tokens", post(issue))
        .route("/admin/tokens/{key}/revoke", post(revoke))
}

/// The admin's home; `issued` is a token just issued, shown this once.
pub(super) async fn home(
    state: &AppState,
    view: &View,
    user: &SignedIn,
    issued: Option<IssuedToken>,
    notice: AdminNotice,
) -> Result<Html<String>, PageError> {
    let w = view.words;
    let bus = &state.bus;
    let round: RoundRecord = rounds::round_record(bus, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let committee = bus.committee_list().await.map_err(|e| view.fail(e))?;
    let contacts = bus.all_contacts().await.map_err(|e| view.fail(e))?;
    let deliveries = bus
        .deliveries(&view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let entries = tokens::all_tokens(bus, &user.caller)
        .await
        .map_err(|e| view.fail(e))?;
    let services = ops::service_states(bus).await.map_err(|e| view.fail(e))?;
    let log = audit::latest(bus, &user.caller, AUDIT_ON_PAGE, None)
        .await
        .map_err(|e| view.fail(e))?;
    let title = fill(w.round_title, &[("round", &view.round)]);
    let body = html! {
        h1 { (title) }
        @if notice == AdminNotice::RoundClosed {
            p.notice #round-closed-notice role="status" { (w.round_closed_notice) }
        }
        (round_section(view, user, round.state()))
        (super::reminders::deadline_section(view, user, &round))
        (partners_section(view, user, &round))
        (super::reminders::contacts_section(view, user, &contacts))
        (committee_section(view, user, &committee, notice == AdminNotice::SummaryRequested))
        (deliveries_section(view, &deliveries))
        (tokens_section(view, user, issued.as_ref(), &entries))
        (datasets_section(state, view).await?)
        (services_section(view, &services))
        (audit_section(view, &log.entries))
        p { a href="/submissions" { (w.all_submissions) } }
    };
    Ok(layout::page(view, &title, html! {}, body))
}

/// Each running service (instance) as it last reported: ready or not and why, the messages its
/// consumers have not handled yet, its latest failures.
fn services_section(view: &View, services: &[ServiceState]) -> Markup {
    let w = view.words;
    html! {
    section aria-labelledby="services" {
        h2 #services { (w.services_title) }
        p.hint { (w.services_intro) }
        @if services.is_empty() {
            p role="status" { (w.services_none) }
        } @else {
            table #service-states {
                thead { tr {
                    th scope="col" { (w.col_service) }
                    th scope="col" { (w.col_instance) }
                    th scope="col" { (w.col_ready) }
                    th scope="col" { (w.col_checks) }
                    th scope="col" { (w.col_lag) }
                    th scope="col" { (w.col_failures) }
                } }
                tbody {
                    @for service in services {
                        tr data-service=(service.service) {
                            th scope="row" { (service.service) }
                            td { code { (service.instance) } }
                            td {
                                @if service.ready {
                                    span.state.state-accepted { (w.ready_yes) }
                                } @else {
                                    span.state.state-rejected { (w.ready_no) }
                                }
                            }
                            td { ul.plain {
                                @for check in &service.checks {
                                    li { (if check.ok { "✓ " } else { "✗ " }) (check.name) ": " (check.detail) }
                                }
                            } }
                            td { ul.plain {
                                @for (durable, pending) in &service.lag {
                                    li { code { (durable) } " " (pending) }
                                }
                            } }
                            td {
                                @if service.failures.is_empty() {
                                    (w.no_failures)
                                } @else {
                                    ul.plain {
                                        @for failure in service.failures.iter().take(5) {
                                            li {
                                                (when(failure.at)) " "
                                                @if let Some(id) = &failure.submission_id {
                                                    a href={ "/submissions/" (id) } { code { (id) } } " "
                                                }
                                                (failure.reason)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    }
}

/// The latest admin actions, newest first.
fn audit_section(view: &View, entries: &[AuditEntry]) -> Markup {
    let w = view.words;
    html! {
    section aria-labelledby="audit" {
        h2 #audit { (w.audit_title) }
        p.hint { (w.audit_intro) }
        @if entries.is_empty() {
            p role="status" { (w.audit_none) }
        } @else {
            table #audit-log {
                thead { tr {
                    th scope="col" { (w.col_when) }
                    th scope="col" { (w.col_who) }
                    th scope="col" { (w.col_action) }
                    th scope="col" { (w.col_detail) }
                } }
                tbody {
                    @for entry in entries {
                        tr data-action=(vocabulary::code(&entry.action)) {
                            td { (when(entry.at)) }
                            td {
                                (w.role(entry.who.role)) " "
                                @if let Some(label) = &entry.who.label { (label) " " }
                                code { (entry.who.token_key.get(..12).unwrap_or_default()) }
                            }
                            td { (capitalized(entry.action.label(view.lang))) @if let Some(round) = &entry.round { " " (round) } }
                            td { (detail_text(&entry.detail)) }
                        }
                    }
                }
            }
            p { a href="/api/v1/audit" { (w.audit_all) } }
        }
    }
    }
}

/// An entry's detail as `name: value` pairs, values as plain text.
fn detail_text(detail: &serde_json::Map<String, serde_json::Value>) -> String {
    detail
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| {
            let value = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map_or_else(|| item.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            format!("{name}: {value}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A one-line message on the admin's home after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AdminNotice {
    None,
    SummaryRequested,
    RoundClosed,
}

/// Every summary e-mail of the round and what became of it, newest first.
fn deliveries_section(view: &View, deliveries: &[SummaryDelivery]) -> Markup {
    let w = view.words;
    let mut deliveries: Vec<&SummaryDelivery> = deliveries.iter().collect();
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.requested_at));
    html! {
    section aria-labelledby="deliveries" {
        h2 #deliveries { (w.deliveries_title) }
        @if deliveries.is_empty() {
            p { (w.deliveries_none) }
        } @else {
            table #delivery-outcomes {
                thead { tr {
                    th scope="col" { (w.col_requested) }
                    th scope="col" { (w.col_reason) }
                    th scope="col" { (w.col_version) }
                    th scope="col" { (w.col_recipients) }
                    th scope="col" { (w.col_outcome) }
                } }
                tbody {
                    @for delivery in deliveries {
                        tr data-outcome=(vocabulary::code(&delivery.outcome)) {
                            td { (when(delivery.requested_at)) }
                            td { (capitalized(delivery.reason.label(view.lang))) }
                            td { (delivery.version.map(|v| v.to_string()).unwrap_or_default()) }
                            td { (delivery.recipients.len()) }
                            td {
                                (capitalized(delivery.outcome.label(view.lang)))
                                @if let Some(detail) = &delivery.detail { " — " (detail) }
                            }
                        }
                    }
                }
            }
        }
    }
    }
}

/// `GET /admin/round/close`: what closing will do, and the button that does it.
async fn confirm_close(
    State(state): State<AppState>,
    view: View,
) -> Result<Html<String>, PageError> {
    let user = view.user()?;
    user.caller
        .require(&[Role::Admin])
        .map_err(|e| view.fail(e))?;
    let w = view.words;
    let tracker = crate::http::tracker::round_tracker(&state.bus, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let headline = tracker.headline();
    let committee = state.bus.committee_list().await.map_err(|e| view.fail(e))?;
    let title = fill(w.close_confirm_title, &[("round", &view.round)]);
    let body = html! {
        h1 { (title) }
        p { (fill(w.close_confirm_files, &[
            ("missing", &headline.missing.to_string()),
            ("expected", &headline.expected.to_string()),
        ])) }
        @if committee.recipients.is_empty() {
            p { (w.close_confirm_no_list) }
        } @else {
            p { (fill(w.close_confirm_summary, &[("count", &committee.recipients.len().to_string())])) }
        }
        p { (w.close_confirm_reopen) }
        form.card method="post" action="/admin/round/close" {
            input type="hidden" name="csrf" value=(user.csrf);
            button type="submit" { (w.close_confirm_button) } " "
            a href="/" { (w.cancel) }
        }
    };
    Ok(layout::page(&view, &title, html! {}, body))
}

/// Whether the round is open, and the button that turns it: opening at once, closing after the
/// confirmation page ([`confirm_close`]).
fn round_section(view: &View, user: &SignedIn, state: RoundState) -> Markup {
    let w = view.words;
    let open = state == RoundState::Open;
    html! {
    form.card method=(if open { "get" } else { "post" }) action={ "/admin/round/" (if open { "close" } else { "open" }) } {
        @if !open { input type="hidden" name="csrf" value=(user.csrf); }
        p #round-state role="status" {
            @match state {
                RoundState::Open => span.state.state-accepted { (capitalized(state.label(view.lang))) (w.round_open) },
                RoundState::Closed => span.state.state-rejected { (capitalized(state.label(view.lang))) (w.round_closed) },
            }
        }
        button type="submit" { (if open { w.close_round } else { w.open_round }) }
    }
    }
}

/// The partners the round expects.
fn partners_section(view: &View, user: &SignedIn, round: &RoundRecord) -> Markup {
    let w = view.words;
    html! {
    section aria-labelledby="partners" {
        h2 #partners { (w.partners_title) }
        form.card method="post" action="/admin/partners" {
            input type="hidden" name="csrf" value=(user.csrf);
            p role="status" {
                @match &round.expected_partners {
                    None => (w.partners_every),
                    Some(codes) => (fill(w.partners_some, &[("count", &codes.len().to_string())])),
                }
            }
            fieldset {
                legend { (w.partners_legend) }
                @for partner in jvap_record::reference::PARTNERS.iter() {
                    div.choice {
                        input type="checkbox" name="partner" value=(partner.code) id={ "expect-" (partner.code) }
                            checked[round.expected_partners.as_ref().is_none_or(|codes| codes.contains(&partner.code))];
                        label for={ "expect-" (partner.code) } {
                            (partner.code) " — " (if view.lang == jvap_record::Lang::Fr { &partner.name_fr } else { &partner.name_en })
                        }
                    }
                }
            }
            button type="submit" name="action" value="set" { (w.partners_save) } " "
            button.secondary type="submit" name="action" value="all" { (w.partners_all) }
        }
    }
    }
}

/// The Committee's distribution list, and the button that e-mails it the summary.
fn committee_section(
    view: &View,
    user: &SignedIn,
    committee: &CommitteeList,
    summary_requested: bool,
) -> Markup {
    let w = view.words;
    html! {
    section aria-labelledby="committee" {
        h2 #committee { (w.committee_title) }
        form.card method="post" action="/admin/committee" {
            input type="hidden" name="csrf" value=(user.csrf);
            label for="recipients" { (w.committee_label) }
            p.hint #recipients-hint { (w.committee_hint) }
            textarea #recipients name="recipients" rows="5" cols="50" aria-describedby="recipients-hint" {
                (committee.recipients.join("\n"))
            }
            div { button type="submit" { (w.committee_save) } }
        }
        @if summary_requested {
            p.notice #summary-requested role="status" { (w.summary_requested) }
        }
        form.card method="post" action="/admin/summary/send" {
            input type="hidden" name="csrf" value=(user.csrf);
            button type="submit" { (w.summary_send) }
        }
    }
    }
}

/// Issuing and revoking access tokens; `issued`, a token just issued, is shown this once.
fn tokens_section(
    view: &View,
    user: &SignedIn,
    issued: Option<&IssuedToken>,
    entries: &[TokenEntry],
) -> Markup {
    let w = view.words;
    html! {
    section aria-labelledby="tokens" {
        h2 #tokens { (w.tokens_title) }
        @if let Some(issued) = issued {
            div.notice role="status" {
                p { (w.token_issued) }
                output #issued-token .token { (issued.token) }
                p { (w.role(issued.role)) @if let Some(p) = &issued.partner { " — " (p) } }
            }
        }
        form.card method="post" action="/admin/tokens" {
            h3 { (w.issue_title) }
            input type="hidden" name="csrf" value=(user.csrf);
            label for="role" { (w.role_label) }
            select #role name="role" {
                @for role in Role::ALL {
                    option value=(vocabulary::code(&role)) { (w.role(role)) }
                }
            }
            label for="partner" { (w.partner_label) }
            p.hint #partner-hint { (w.partner_hint) }
            select #partner name="partner" aria-describedby="partner-hint" {
                option value="" { "—" }
                @for partner in jvap_record::reference::PARTNERS.iter() {
                    option value=(partner.code) {
                        (partner.code) " — " (if view.lang == jvap_record::Lang::Fr { &partner.name_fr } else { &partner.name_en })
                    }
                }
            }
            label for="label" { (w.label_label) }
            input #label type="text" name="label" maxlength="200";
            div { button type="submit" { (w.issue_button) } }
        }
        @if entries.is_empty() {
            p { (w.no_tokens) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (w.col_role) }
                    th scope="col" { (w.col_partner) }
                    th scope="col" { (w.col_label) }
                    th scope="col" { (w.col_created) }
                    th scope="col" { (w.col_key) }
                    th scope="col" { span.visually-hidden { (w.revoke) } }
                } }
                tbody {
                    @for entry in entries {
                        tr {
                            td { (w.role(entry.role)) }
                            td { (entry.partner.as_deref().unwrap_or("")) }
                            td { (entry.label.as_deref().unwrap_or("")) }
                            td { (when(entry.created_at)) }
                            td { code { (&entry.key[..12]) } }
                            td {
                                form.inline method="post" action={ "/admin/tokens/" (entry.key) "/revoke" } {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    button.secondary type="submit" aria-label={ (w.revoke) " " (&entry.key[..12]) } { (w.revoke) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /admin/round/open`.
async fn open_round(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    set_round(&state, &view, form, true).await
}

/// `POST /admin/round/close`, from the confirmation page.
async fn close_round(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    set_round(&state, &view, form, false).await
}

async fn set_round(
    state: &AppState,
    view: &View,
    form: CsrfForm,
    open: bool,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(view, form.csrf.as_deref())?;
    let _round = rounds::set_open(state, &user.caller, view.round.clone(), open)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to(if open {
        "/"
    } else {
        "/?notice=round_closed#deliveries"
    }))
}

#[derive(Deserialize)]
struct IssueForm {
    csrf: Option<String>,
    role: String,
    partner: Option<String>,
    label: Option<String>,
}

/// `POST /admin/tokens`: issue a token and show the page with it, once.
async fn issue(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<IssueForm>,
) -> Result<Response, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    let request = TokenRequest {
        role: form.role,
        partner: form.partner,
        label: form.label,
    };
    let issued = tokens::issue_token(&state.bus, &user.caller, request)
        .await
        .map_err(|e| view.fail(e))?;
    let page = home(&state, &view, user, Some(issued), AdminNotice::None).await?;
    // The token must not stay in a cache.
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
}

/// `POST /admin/tokens/{key}/revoke`.
async fn revoke(
    State(state): State<AppState>,
    view: View,
    Path(key): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    tokens::revoke_token(&state.bus, &user.caller, &key)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/"))
}

/// `POST /admin/partners`: the checked partners (`action=set`) or every partner (`action=all`).
async fn partners(
    State(state): State<AppState>,
    view: View,
    // The pairs as sent: a struct cannot hold the repeated `partner` field.
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    user.check_csrf(&view, field("csrf"))?;
    let codes: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "partner")
        .map(|(_, v)| v.clone())
        .collect();
    let codes = (field("action") != Some("all")).then_some(codes.as_slice());
    rounds::set_expected(&state.bus, &user.caller, &view.round, codes)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/#partners"))
}

#[derive(Deserialize)]
struct CommitteeForm {
    csrf: Option<String>,
    recipients: String,
}

/// `POST /admin/committee`: one address per line (commas and semicolons also separate).
async fn committee(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<CommitteeForm>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    let recipients: Vec<String> = form
        .recipients
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect();
    committee_api::set_list(&state.bus, &user.caller, &recipients)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/#committee"))
}

/// `POST /admin/summary/send`.
async fn send_summary(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    committee_api::send_summary(&state.bus, &user.caller, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/?notice=summary_requested#committee"))
}
