//! The analyst's page opens on the answer: the round at a glance (expected, sent, accepted, rejected,
//! missing, response rate), then the round tracker (the same [`round_tracker`] the API serves) in the
//! order partners need attention, with a filter by state, the largest contributors, the published
//! datasets with every file of every version, what changed in the latest version, its data quality and
//! possible duplicates (read from that version's `dataset.json`), and the way to every submission.

use axum::response::Html;
use jvap_outputs::DatasetFile;
use jvap_outputs::dataset::Dataset;
use jvap_outputs::figures::{Figures, Money};
use jvap_outputs::summary::format::money_full;
use jvap_record::Lang;
use jvap_record::messages::DatasetPublished;
use jvap_record::tracker::{Headline, PartnerState, Tracker};
use maud::{Markup, html};

use super::i18n::{Words, fill};
use super::layout::{self, column_heads, when};
use super::session::SignedIn;
use super::{PageError, View};
use crate::http::AppState;
use crate::http::tracker::round_tracker;

/// How many partners the largest contributors list.
const CONTRIBUTORS: usize = 10;

/// The analyst's home; `filter` shows the partners in one state only.
pub(super) async fn home(
    state: &AppState,
    view: &View,
    _user: &SignedIn,
    filter: Option<PartnerState>,
) -> Result<Html<String>, PageError> {
    let w = view.words;
    let tracker = round_tracker(&state.bus, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let dataset = latest_dataset(state, view).await?;
    let figures = dataset.as_ref().and_then(|d| d.figures.as_ref());
    let body = html! {
        h1 { (w.datasets_title) }
        (headline_section(view, &tracker.headline()))
        (tracker_section(view, &tracker, filter))
        @if let Some(figures) = figures { (contributors_section(view, figures)) }
        (datasets_section(state, view).await?)
        @if let Some(dataset) = &dataset { (latest_details(view, dataset)) }
        p { a href="/submissions" { (w.all_submissions) } }
    };
    Ok(layout::page(view, w.datasets_title, html! {}, body))
}

/// The latest version's summary and a table of every version, newest first, with its downloads.
/// Versions are numbered 1, 2, 3… per round and each stays downloadable.
pub(super) async fn datasets_section(state: &AppState, view: &View) -> Result<Markup, PageError> {
    let w = view.words;
    let bus = &state.bus;
    let latest: Option<DatasetPublished> = bus
        .kv_get(&bus.dataset_versions, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(html! {
        section aria-labelledby="datasets" {
            h2 #datasets { (w.datasets_title) }
            @match &latest {
                None => p { (w.no_datasets) },
                Some(latest) => {
                    p { (fill(w.latest_summary, &[
                        ("version", &latest.version.to_string()),
                        ("initiatives", &latest.initiatives.to_string()),
                        ("published", &when(latest.published_at)),
                    ])) }
                    table {
                        (column_heads(&[w.col_dataset, w.col_downloads]))
                        tbody {
                            @for version in (1..=latest.version).rev() {
                                tr {
                                    th scope="row" {
                                        (version)
                                        @if version == latest.version { " (" (w.latest) ")" }
                                    }
                                    td {
                                        @for file in DatasetFile::ALL.map(DatasetFile::name) {
                                            a href={ "/api/v1/datasets/" (view.round) "/v" (version) "/" (file) } download {
                                                (file)
                                                span.visually-hidden { " v" (version) }
                                            }
                                            " "
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The headline counts of the partners the round expects.
fn headline_section(view: &View, headline: &Headline) -> Markup {
    let w = view.words;
    let facts = [
        (
            "expected",
            w.headline_expected,
            headline.expected.to_string(),
        ),
        ("sent", w.headline_sent, headline.sent.to_string()),
        (
            "accepted",
            w.headline_accepted,
            headline.accepted.to_string(),
        ),
        (
            "rejected",
            w.headline_rejected,
            headline.rejected.to_string(),
        ),
        ("failed", w.headline_failed, headline.failed.to_string()),
        (
            "in_progress",
            w.headline_in_progress,
            headline.in_progress.to_string(),
        ),
        ("missing", w.headline_missing, headline.missing.to_string()),
        ("rate", w.headline_rate, headline.response_rate(view.lang)),
    ];
    html! {
        section aria-labelledby="headline" {
            h2 #headline { (w.headline_title) }
            dl.facts #headline-facts {
                @for (key, label, value) in facts {
                    dt { (label) } dd data-fact=(key) { (value) }
                }
            }
        }
    }
}

/// Every partner the round expects and where it stands, those needing attention first; with links
/// that show one state only (they work without script).
fn tracker_section(view: &View, tracker: &Tracker, filter: Option<PartnerState>) -> Markup {
    let w = view.words;
    let rows = tracker.by_attention(filter);
    let count = |state: PartnerState| tracker.partners.iter().filter(|r| r.state == state).count();
    html! {
        section aria-labelledby="tracker" {
            h2 #tracker { (w.tracker_title) }
            p { (w.tracker_intro) }
            (super::reminders::tracker_deadline(view, tracker))
            nav.filter aria-label=(w.filter_label) {
                (w.filter_label) " "
                @if filter.is_none() {
                    strong aria-current="true" { (w.filter_every_partner) " (" (tracker.partners.len()) ")" }
                } @else {
                    a href="/#tracker" { (w.filter_every_partner) " (" (tracker.partners.len()) ")" }
                }
                @for state in PartnerState::BY_ATTENTION {
                    " · "
                    @if filter == Some(state) {
                        strong aria-current="true" { (w.partner_state(state)) " (" (count(state)) ")" }
                    } @else {
                        a href={ "/?state=" (jvap_record::vocabulary::code(&state)) "#tracker" } {
                            (w.partner_state(state)) " (" (count(state)) ")"
                        }
                    }
                }
            }
            table #tracker-table {
                (column_heads(&[w.col_partner, w.col_state, w.col_submissions, w.col_initiatives, w.col_last_activity, &super::reminders::reminders_heading(view.lang)]))
                tbody {
                    @for row in rows {
                        tr data-partner=(row.partner) data-state=(jvap_record::vocabulary::code(&row.state)) {
                            th scope="row" {
                                (row.partner) " — " (if view.lang == Lang::Fr { &row.name_fr } else { &row.name_en })
                                @if !row.expected { " (" (w.col_expected) ": " (w.no) ")" }
                            }
                            td { (partner_state_badge(w, row.state)) (super::reminders::late_flag(view, row)) }
                            td {
                                @if let Some(id) = &row.last_submission_id {
                                    a href={ "/submissions/" (id) } { (row.submissions) }
                                } @else { (row.submissions) }
                            }
                            td { (row.initiatives) }
                            td { (row.last_activity.map(when).unwrap_or_default()) }
                            td { (super::reminders::reminders_cell(view, row)) }
                        }
                    }
                }
            }
        }
    }
}

/// The partners with the most initiatives in the latest version, with their shares of the round.
fn contributors_section(view: &View, figures: &Figures) -> Markup {
    let w = view.words;
    let total = &figures.totals;
    html! {
        section aria-labelledby="contributors" {
            h2 #contributors { (w.contributors_title) }
            p { (w.contributors_intro) }
            table #contributors-table {
                (column_heads(&[w.col_partner, w.col_initiatives, w.col_share_initiatives, w.col_budget, w.col_share_budget]))
                tbody {
                    @for group in figures.by_partner.iter().take(CONTRIBUTORS) {
                        tr data-partner=(group.key) {
                            th scope="row" { (group.key) " — " (if view.lang == Lang::Fr { &group.label_fr } else { &group.label_en }) }
                            td { (group.initiatives) }
                            td { (share(Money::from(group.initiatives), Money::from(total.initiatives), view.lang)) }
                            td { (money_full(group.budget_eur, view.lang)) }
                            td { (share(group.budget_eur, total.budget_eur, view.lang)) }
                        }
                    }
                }
            }
        }
    }
}

/// `part / whole` in percent with one decimal (`42.5 %`, `42,5 %`); a dash when the whole is zero.
/// Why a pair looks like one initiative, in the page's language (the vocabulary's words).
fn reasons(codes: &[String], lang: Lang) -> String {
    let words: Vec<&str> = codes
        .iter()
        .map(|code| jvap_record::vocabulary::duplicate_reason(code, lang))
        .collect();
    words.join(match lang {
        Lang::En => "; ",
        Lang::Fr => " ; ",
    })
}

fn share(part: Money, whole: Money, lang: Lang) -> String {
    if whole.is_zero() {
        return "—".into();
    }
    let percent = (part * Money::from(100) / whole).round_dp(1);
    let text = format!("{percent:.1} %");
    if lang == Lang::Fr {
        text.replace('.', ",")
    } else {
        text
    }
}

/// A partner's state as a word with a symbol, coloured too (but never only coloured).
fn partner_state_badge(w: &Words, state: PartnerState) -> Markup {
    let (class, symbol) = match state {
        PartnerState::Accepted => ("state state-accepted", "✓"),
        PartnerState::Rejected => ("state state-rejected", "✗"),
        PartnerState::Failed => ("state state-rejected", "!"),
        PartnerState::InProgress => ("state state-received", "…"),
        PartnerState::NotSubmitted => ("state state-received", "✗"),
    };
    html! { span class=(class) { span aria-hidden="true" { (symbol) " " } (w.partner_state(state)) } }
}

/// The latest version's `dataset.json`; none while no version is published.
async fn latest_dataset(state: &AppState, view: &View) -> Result<Option<Dataset>, PageError> {
    let bus = &state.bus;
    let latest: Option<DatasetPublished> = bus
        .kv_get(&bus.dataset_versions, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let Some(latest) = latest else {
        return Ok(None);
    };
    let object = DatasetPublished::object_name(&view.round, latest.version, "dataset.json");
    let Some(bytes) = bus.datasets.get(&object).await.map_err(|e| view.fail(e))? else {
        return Ok(None);
    };
    let dataset = serde_json::from_slice(&bytes).map_err(|e| {
        view.fail(crate::http::Error::Internal(format!(
            "{object} does not decode: {e}"
        )))
    })?;
    Ok(Some(dataset))
}

/// What the latest version's `dataset.json` says about itself: its change log, data quality and
/// possible duplicates.
fn latest_details(view: &View, dataset: &Dataset) -> Markup {
    let w = view.words;
    html! {
        @if let Some(changes) = &dataset.changes {
            section aria-labelledby="changes" {
                h2 #changes { (w.changes_title) }
                @match changes.previous_version {
                    None => p { (w.changes_first) },
                    Some(previous) => p { (fill(w.changes_summary, &[
                        ("added", &changes.added.to_string()),
                        ("updated", &changes.updated.to_string()),
                        ("removed", &changes.removed.to_string()),
                        ("previous", &previous.to_string()),
                    ])) },
                }
                @if !changes.partners.is_empty() {
                    table {
                        (column_heads(&[w.col_partner, w.col_added, w.col_updated, w.col_removed]))
                        tbody {
                            @for partner in &changes.partners {
                                tr {
                                    th scope="row" { (partner.partner) }
                                    td { (partner.added) }
                                    td { (partner.updated) }
                                    td { (partner.removed) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(figures) = &dataset.figures {
            section aria-labelledby="quality" {
                h2 #quality { (w.quality_title) }
                dl.facts {
                    dt { (w.quality_missing_budget) } dd { (figures.quality.missing_budget) }
                    dt { (w.quality_converted) } dd { (figures.quality.converted_currency) }
                    dt { (w.quality_warnings) } dd { (figures.quality.with_warnings) }
                }
                @if !figures.quality.warnings_by_code.is_empty() {
                    table {
                        (column_heads(&[w.col_code, w.col_initiatives]))
                        tbody {
                            @for (code, count) in &figures.quality.warnings_by_code {
                                tr { th scope="row" { code { (code) } } td { (count) } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="duplicates" {
            h2 #duplicates { (w.duplicates_title) }
            @match dataset.duplicates.as_deref() {
                None | Some([]) => p { (w.no_duplicates) },
                Some(duplicates) => table {
                    (column_heads(&[w.col_score, w.col_first, w.col_second, w.col_reasons]))
                    tbody {
                        @for duplicate in duplicates {
                            tr {
                                td { (format!("{:.2}", duplicate.score)) }
                                td { strong { (duplicate.a.partner) } " " (duplicate.a.title) }
                                td { strong { (duplicate.b.partner) } " " (duplicate.b.title) }
                                td { (reasons(&duplicate.reasons, view.lang)) }
                            }
                        }
                    }
                },
            }
        }
    }
}
