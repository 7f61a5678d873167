//! The analyst's page: the round tracker (the same [`round_tracker`] the API serves), the published
//! datasets with every file of every version, what changed in the latest version, its data quality and
//! possible duplicates (read from that version's `dataset.json`), and the way to every submission.

use axum::response::Html;
use jvap_outputs::DatasetFile;
use jvap_outputs::dataset::Dataset;
use jvap_record::Lang;
use jvap_record::messages::DatasetPublished;
use jvap_record::tracker::PartnerState;
use maud::{Markup, html};

use super::i18n::{Words, fill};
use super::layout::{self, column_heads, when};
use super::session::SignedIn;
use super::{PageError, View};
use crate::http::AppState;
use crate::http::tracker::round_tracker;

pub(super) async fn home(
    state: &AppState,
    view: &View,
    _user: &SignedIn,
) -> Result<Html<String>, PageError> {
    let w = view.words;
    let body = html! {
        h1 { (w.datasets_title) }
        (tracker_section(state, view).await?)
        (datasets_section(state, view).await?)
        (latest_details(state, view).await?)
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

/// Every partner the round expects and where it stands, from the tracker the API serves.
async fn tracker_section(state: &AppState, view: &View) -> Result<Markup, PageError> {
    let w = view.words;
    let tracker = round_tracker(&state.bus, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(html! {
        section aria-labelledby="tracker" {
            h2 #tracker { (w.tracker_title) }
            p { (w.tracker_intro) }
            table {
                (column_heads(&[w.col_partner, w.col_state, w.col_submissions, w.col_initiatives, w.col_last_activity]))
                tbody {
                    @for row in &tracker.partners {
                        tr {
                            th scope="row" {
                                (row.partner) " — " (if view.lang == Lang::Fr { &row.name_fr } else { &row.name_en })
                                @if !row.expected { " (" (w.col_expected) ": " (w.no) ")" }
                            }
                            td { (partner_state_badge(w, row.state)) }
                            td {
                                @if let Some(id) = &row.last_submission_id {
                                    a href={ "/submissions/" (id) } { (row.submissions) }
                                } @else { (row.submissions) }
                            }
                            td { (row.initiatives) }
                            td { (row.last_activity.map(when).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    })
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

/// What the latest version's `dataset.json` says about itself: its change log, data quality and
/// possible duplicates. Nothing while no version is published.
async fn latest_details(state: &AppState, view: &View) -> Result<Markup, PageError> {
    let w = view.words;
    let bus = &state.bus;
    let latest: Option<DatasetPublished> = bus
        .kv_get(&bus.dataset_versions, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let Some(latest) = latest else {
        return Ok(html! {});
    };
    let object = DatasetPublished::object_name(&view.round, latest.version, "dataset.json");
    let Some(bytes) = bus.datasets.get(&object).await.map_err(|e| view.fail(e))? else {
        return Ok(html! {});
    };
    let dataset: Dataset = serde_json::from_slice(&bytes).map_err(|e| {
        view.fail(crate::http::Error::Internal(format!(
            "{object} does not decode: {e}"
        )))
    })?;
    let lang_fr = view.lang == Lang::Fr;
    Ok(html! {
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
                                td { (duplicate.reasons.join(if lang_fr { " ; " } else { "; " })) }
                            }
                        }
                    }
                },
            }
        }
    })
}
