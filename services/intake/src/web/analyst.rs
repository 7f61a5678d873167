//! The analyst's page: the round's published datasets, every version downloadable in each format,
//! and the way to every submission.

use axum::response::Html;
use jvap_core::messages::DatasetPublished;
use maud::{Markup, html};

use super::i18n::fill;
use super::layout::{self, when};
use super::session::SignedIn;
use super::{PageError, View};
use crate::http::AppState;

/// The formats every dataset version is published in.
const FORMATS: [&str; 3] = ["xlsx", "json", "csv"];

pub(super) async fn home(
    state: &AppState,
    view: &View,
    _user: &SignedIn,
) -> Result<Html<String>, PageError> {
    let w = view.words;
    let body = html! {
        h1 { (w.datasets_title) }
        (datasets_section(state, view).await?)
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
                        thead { tr {
                            th scope="col" { (w.col_dataset) }
                            th scope="col" { (w.col_downloads) }
                        } }
                        tbody {
                            @for version in (1..=latest.version).rev() {
                                tr {
                                    th scope="row" {
                                        (version)
                                        @if version == latest.version { " (" (w.latest) ")" }
                                    }
                                    td {
                                        @for format in FORMATS {
                                            a href={ "/api/v1/datasets/" (version) "." (format) "?round=" (view.round) } download {
                                                (format.to_uppercase())
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
