//! The round's deadline and the partners' focal points on the admin's page, and the days left, late
//! files and reminders on the tracker. The forms are handled by the same functions as the API
//! (`http::deadline`, `http::partners`).
//!
//! Its words are here: this page alone uses them, except those of `vocabulary::deadline` and the
//! reminder kinds, which the e-mails share.

use axum::extract::State;
use axum::response::Redirect;
use axum::routing::post;
use axum::{Form, Router};
use chrono::NaiveDate;
use jvap_record::messages::{Contact, PartnerContacts, Reminder, RoundRecord, SubmissionStatus};
use jvap_record::tracker::{Tracker, TrackerRow, days_left, is_late};
use jvap_record::vocabulary::{Bilingual, capitalized, code, deadline as words};
use jvap_record::{Lang, Said};
use maud::{Markup, html};
use serde::Deserialize;

use super::session::SignedIn;
use super::{PageError, View};
use crate::http::{AppState, Error, deadline, partners};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/deadline", post(set_deadline))
        .route("/admin/contacts", post(set_contacts))
}

const fn w(en: &'static str, fr: &'static str) -> Bilingual {
    Bilingual { en, fr }
}

const DEADLINE_NONE: Bilingual = w(
    "No deadline is set: nobody is reminded.",
    "Aucune date limite n'est fixée : personne n'est relancé.",
);
const DEADLINE_HINT: Bilingual = w(
    "Partners without accepted data are reminded by e-mail before it; files sent after it are accepted and flagged late.",
    "Les partenaires sans données acceptées sont relancés par courriel avant cette date ; les fichiers envoyés après sont acceptés et signalés en retard.",
);
const DEADLINE_SAVE: Bilingual = w("Save the deadline", "Enregistrer la date limite");
const DEADLINE_CLEAR: Bilingual = w("Remove the deadline", "Supprimer la date limite");
const CONTACTS_HINT: Bilingual = w(
    "One address a line, followed by en or fr for the language of its e-mails (en when absent). An empty list reminds nobody.",
    "Une adresse par ligne, suivie de en ou fr pour la langue de ses courriels (en si absent). Une liste vide ne relance personne.",
);
const CONTACTS_PARTNER: Bilingual = w("Partner", "Partenaire");
const CONTACTS_SAVE: Bilingual = w("Save the focal points", "Enregistrer les points focaux");
const CONTACTS_NONE: Bilingual = w(
    "No partner has focal points yet.",
    "Aucun partenaire n'a encore de point focal.",
);

/// The deadline, and the form that sets it.
pub(super) fn deadline_section(view: &View, user: &SignedIn, round: &RoundRecord) -> Markup {
    let lang = view.lang;
    let today = chrono::Utc::now().date_naive();
    html! {
    section aria-labelledby="deadline" {
        h2 #deadline { (capitalized(words::DEADLINE.get(lang))) }
        form.card method="post" action="/admin/deadline" {
            input type="hidden" name="csrf" value=(user.csrf);
            p #deadline-state role="status" {
                @match round.deadline {
                    Some(deadline) => (deadline_line(lang, deadline, days_left(deadline, today))),
                    None => (DEADLINE_NONE.get(lang)),
                }
            }
            p.hint #deadline-hint { (DEADLINE_HINT.get(lang)) }
            label for="deadline-day" { (capitalized(words::DEADLINE.get(lang))) }
            input #deadline-day type="date" name="deadline" aria-describedby="deadline-hint"
                value=(round.deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
            div {
                button type="submit" name="action" value="set" { (DEADLINE_SAVE.get(lang)) } " "
                @if round.deadline.is_some() {
                    button.secondary type="submit" name="action" value="clear" { (DEADLINE_CLEAR.get(lang)) }
                }
            }
        }
    }
    }
}

/// `Deadline: 2022-06-30 (days left: 7)`.
fn deadline_line(lang: Lang, deadline: NaiveDate, left: i64) -> String {
    let colon = if lang == Lang::Fr { " :" } else { ":" };
    format!(
        "{}{colon} {} ({}{colon} {left})",
        capitalized(words::DEADLINE.get(lang)),
        deadline.format("%Y-%m-%d"),
        words::DAYS_LEFT.get(lang)
    )
}

/// Every partner's focal points, and the form that sets one partner's.
pub(super) fn contacts_section(view: &View, user: &SignedIn, all: &[PartnerContacts]) -> Markup {
    let lang = view.lang;
    let name = |code: &str| {
        jvap_record::reference::partner(code).map_or_else(
            || code.to_string(),
            |p| {
                if lang == Lang::Fr {
                    p.name_fr.clone()
                } else {
                    p.name_en.clone()
                }
            },
        )
    };
    let listed: Vec<&PartnerContacts> = all.iter().filter(|c| !c.contacts.is_empty()).collect();
    html! {
    section aria-labelledby="focal-points" {
        h2 #focal-points { (capitalized(words::FOCAL_POINTS.get(lang))) }
        form.card method="post" action="/admin/contacts" {
            input type="hidden" name="csrf" value=(user.csrf);
            label for="contacts-partner" { (CONTACTS_PARTNER.get(lang)) }
            select #contacts-partner name="partner" {
                @for partner in jvap_record::reference::PARTNERS.iter() {
                    option value=(partner.code) { (partner.code) " — " (name(&partner.code)) }
                }
            }
            label for="contacts" { (capitalized(words::FOCAL_POINTS.get(lang))) }
            p.hint #contacts-hint { (CONTACTS_HINT.get(lang)) }
            textarea #contacts name="contacts" rows="4" cols="50" aria-describedby="contacts-hint" {}
            div { button type="submit" { (CONTACTS_SAVE.get(lang)) } }
        }
        @if listed.is_empty() {
            p { (CONTACTS_NONE.get(lang)) }
        } @else {
            table #focal-point-list {
                thead { tr {
                    th scope="col" { (CONTACTS_PARTNER.get(lang)) }
                    th scope="col" { (capitalized(words::FOCAL_POINTS.get(lang))) }
                } }
                tbody {
                    @for contacts in listed {
                        tr data-partner=(contacts.partner) {
                            th scope="row" { (contacts.partner) " — " (name(&contacts.partner)) }
                            td { ul.plain {
                                @for contact in &contacts.contacts {
                                    li { (contact.address) " (" (contact.lang.code()) ")" }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
    }
}

/// The round's deadline and days left above the tracker (nothing when none is set).
pub(super) fn tracker_deadline(view: &View, tracker: &Tracker) -> Markup {
    html! {
        @if let (Some(deadline), Some(left)) = (tracker.deadline, tracker.days_left) {
            p #tracker-deadline role="status" { (deadline_line(view.lang, deadline, left)) }
        }
    }
}

const PARTNER_LATE: Bilingual = w(
    "Your latest file arrived after the deadline: it is taken all the same, and flagged late.",
    "Votre dernier fichier est arrivé après la date limite : il est pris en compte, et signalé en retard.",
);

/// The deadline on the partner's page, and whether its latest file came after it.
pub(super) fn partner_deadline(
    view: &View,
    round: &RoundRecord,
    statuses: &[SubmissionStatus],
) -> Markup {
    let today = chrono::Utc::now().date_naive();
    let latest = statuses
        .iter()
        .filter(|s| s.round == round.round)
        .max_by_key(|s| s.received_at);
    html! {
        @if let Some(deadline) = round.deadline {
            p #partner-deadline role="status" { (deadline_line(view.lang, deadline, days_left(deadline, today))) }
            @if latest.is_some_and(|s| is_late(s.received_at, deadline)) {
                p.notice #partner-late { (PARTNER_LATE.get(view.lang)) }
            }
        }
    }
}

/// The heading of the tracker's reminders column.
pub(super) fn reminders_heading(lang: Lang) -> String {
    capitalized(words::REMINDED.get(lang))
}

/// A row's late flag, shown after its state.
pub(super) fn late_flag(view: &View, row: &TrackerRow) -> Markup {
    html! {
        @if row.late { " " span.state.state-failed data-late="true" { (words::LATE.get(view.lang)) } }
    }
}

/// A row's reminders: when, why and what became of each.
pub(super) fn reminders_cell(view: &View, row: &TrackerRow) -> Markup {
    html! {
        @if !row.reminders.is_empty() {
            ul.plain {
                @for reminder in &row.reminders {
                    li data-reminder=(code(&reminder.kind)) data-outcome=(code(&reminder.outcome)) {
                        (reminder_text(view.lang, reminder))
                    }
                }
            }
        }
    }
}

fn reminder_text(lang: Lang, reminder: &Reminder) -> String {
    let mut text = format!(
        "{} — {} ({})",
        reminder.day.format("%Y-%m-%d"),
        reminder.kind.label(lang),
        reminder.outcome.label(lang)
    );
    if let Some(detail) = &reminder.detail {
        text.push_str(": ");
        text.push_str(detail);
    }
    text
}

#[derive(Deserialize)]
struct DeadlineForm {
    csrf: Option<String>,
    deadline: Option<String>,
    action: Option<String>,
}

/// `POST /admin/deadline`: set the date (`action=set`) or remove it (`action=clear`).
async fn set_deadline(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<DeadlineForm>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    let day = match form.action.as_deref() {
        Some("clear") => None,
        _ => {
            let text = form.deadline.unwrap_or_default();
            let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                view.fail(Error::BadRequest(Said::new(
                    format!("{text:?} is not a date: give it as YYYY-MM-DD"),
                    format!("{text:?} n'est pas une date : donnez-la sous la forme AAAA-MM-JJ"),
                )))
            })?;
            Some(day)
        }
    };
    deadline::set_deadline(&state.bus, &user.caller, &view.round, day)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/#deadline"))
}

#[derive(Deserialize)]
struct ContactsForm {
    csrf: Option<String>,
    partner: String,
    contacts: String,
}

/// `POST /admin/contacts`: one address a line, each optionally followed by `en` or `fr`.
async fn set_contacts(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<ContactsForm>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    let contacts = contact_lines(&form.contacts);
    partners::set_contacts(&state.bus, &user.caller, &form.partner, &contacts)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to("/#focal-points"))
}

/// `a@x.org fr` → a French contact; a line without a language is English.
fn contact_lines(text: &str) -> Vec<Contact> {
    text.lines()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line
                .split([' ', '\t', ',', ';'])
                .filter(|p| !p.is_empty())
                .collect();
            match parts.as_slice() {
                [address, lang] if lang.parse::<Lang>().is_ok() => Contact {
                    address: (*address).to_string(),
                    lang: lang.parse().unwrap_or_default(),
                },
                _ => Contact {
                    address: line.to_string(),
                    lang: Lang::En,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_line_is_an_address_and_an_optional_language() {
        let contacts =
            contact_lines("a@niger.example.org fr\n\n b@niger.example.org\nc@x.org, en\n");
        let got: Vec<(&str, Lang)> = contacts
            .iter()
            .map(|c| (c.address.as_str(), c.lang))
            .collect();
        assert_eq!(
            got,
            [
                ("a@niger.example.org", Lang::Fr),
                ("b@niger.example.org", Lang::En),
                ("c@x.org", Lang::En)
            ]
        );
        assert_eq!(
            deadline_line(
                Lang::Fr,
                NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default(),
                7
            ),
            "Date limite : 2022-06-30 (jours restants : 7)"
        );
    }
}
