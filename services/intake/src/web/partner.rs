//! The partner's pages: the templates, the upload form, the list of submissions, and one submission
//! with its live status, its report as a table and its annotated workbook.
//!
//! Analysts and admins see the same list and submission pages for every partner.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use jvap_record::Lang;
use jvap_record::columns::{ColumnRead, ReadAs};
use jvap_record::messages::{self as m, Mode, SubmissionState, SubmissionStatus};
use jvap_record::report::{Issue, Report};
use jvap_record::{Severity, Verdict};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::fill;
use super::layout::{self, column_heads, when};
use super::session::SignedIn;
use super::{PageError, View};
use crate::http::rate::Client;
use crate::http::{AppState, checks, human_size, submissions};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/upload", post(upload))
        .route("/check", post(check))
        .route("/submissions", get(list))
        .route("/submissions/{id}", get(submission))
        .route("/submissions/{id}/mapping", post(confirm_mapping))
}

/// The partner's home: templates, the upload form, and their submissions.
pub(super) async fn home(
    state: &AppState,
    view: &View,
    user: &SignedIn,
) -> Result<Html<String>, PageError> {
    let w = view.words;
    let statuses = visible_statuses(state, view, user).await?;
    let round = crate::http::rounds::round_record(&state.bus, &view.round)
        .await
        .map_err(|e| view.fail(e))?;
    let body = html! {
        h1 { (w.upload_title) }
        (super::reminders::partner_deadline(view, &round, &statuses))
        @if round.open {
            (upload_form(view, user))
        } @else {
            p.notice #round-closed role="status" { (fill(w.partner_round_closed, &[("round", &view.round)])) }
        }
        (layout::templates_section(view))
        section aria-labelledby="my-initiatives" {
            h2 #my-initiatives { (w.my_initiatives_title) }
            ul {
                li { a href="/api/v1/template.xlsx?prefill=true&lang=en" hreflang="en" download { (w.my_initiatives_en) } }
                li { a href="/api/v1/template.xlsx?prefill=true&lang=fr" hreflang="fr" download { (w.my_initiatives_fr) } }
            }
        }
        section aria-labelledby="mine" {
            h2 #mine { (w.my_submissions) }
            (submissions_table(view, &statuses, false))
        }
    };
    Ok(layout::page(view, w.upload_title, html! {}, body))
}

/// The upload form: a plain multipart form, which the script turns into drag and drop with a
/// progress bar.
fn upload_form(view: &View, user: &SignedIn) -> Markup {
    let w = view.words;
    let hint = fill(
        w.file_hint,
        &[("limit", &human_size(view.max_upload_bytes))],
    );
    html! {
        form.card #upload method="post" action="/upload" enctype="multipart/form-data" data-upload
            data-uploading=(w.uploading) data-failed=(w.err_unavailable) {
            input type="hidden" name="csrf" value=(user.csrf);
            div.drop {
                label for="file" { (w.file_label) }
                p.hint #file-hint { (hint) " " (w.drop_hint) }
                input #file type="file" name="file" required aria-describedby="file-hint"
                    accept=".xlsx,.xls,.xlsb,.ods,.csv";
            }
            fieldset {
                legend { (w.mode_legend) }
                div.choice {
                    input #mode-replace type="radio" name="mode" value="replace" checked;
                    label for="mode-replace" { (w.mode_replace) }
                }
                div.choice {
                    input #mode-merge type="radio" name="mode" value="merge";
                    label for="mode-merge" { (w.mode_merge) }
                }
            }
            button type="submit" { (w.upload_button) }
            " "
            // A plain form post (the script leaves it alone): the page of the check comes back.
            button.secondary #check type="submit" formaction="/check" data-plain { (w.check_button) }
            progress max="100" value="0" hidden aria-label=(w.upload_progress) {}
            p data-message role="status" aria-live="polite" tabindex="-1" {}
        }
    }
}

/// `POST /upload`: the same upload as the API, then the submission's page.
async fn upload(
    State(state): State<AppState>,
    view: View,
    client: Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    let upload = submissions::read_form(&state, &user.caller, &client, multipart)
        .await
        .map_err(|e| view.fail(e))?;
    user.check_csrf(&view, upload.csrf.as_deref())?;
    let (_, answer) = submissions::receive(&state, &user.caller, upload)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to(&format!(
        "/submissions/{}",
        answer.status.submission_id
    )))
}

/// `POST /check`: the file checked as a submission would be, its report on a page, nothing kept;
/// the upload form follows, to send it once it is right.
async fn check(
    State(state): State<AppState>,
    view: View,
    client: Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Html<String>, PageError> {
    let user = view.user()?;
    let w = view.words;
    let upload = checks::read_form(&state, &user.caller, &client, multipart)
        .await
        .map_err(|e| view.fail(e))?;
    user.check_csrf(&view, upload.csrf.as_deref())?;
    let report = checks::report(&state, &upload)
        .await
        .map_err(|e| view.fail(e))?;
    let verdict = match report.verdict {
        Verdict::Accepted => w.check_accepted,
        Verdict::Rejected => w.check_rejected,
    };
    let counts = &report.counts;
    let body = html! {
        h1 { (w.check_title) " — " (upload.file_name) }
        div.card #check-result data-verdict=(match report.verdict { Verdict::Accepted => "accepted", Verdict::Rejected => "rejected" }) {
            p.notice role="status" { (w.check_intro) }
            p #verdict { strong { (verdict) } }
            dl.facts {
                dt { (w.count_rows) } dd { (counts.rows) }
                dt { (w.count_records) } dd { (counts.records) }
                dt { (w.count_errors) } dd { (counts.errors) }
                dt { (w.count_warnings) } dd { (counts.warnings) }
            }
        }
        (report_section(&view, None, &report, &ReportFilter::default()))
        (upload_form(&view, user))
    };
    Ok(layout::page(&view, w.check_title, html! {}, body))
}

/// `GET /submissions`: every submission the person may see.
async fn list(State(state): State<AppState>, view: View) -> Result<Html<String>, PageError> {
    let user = view.user()?;
    let w = view.words;
    let statuses = visible_statuses(&state, &view, user).await?;
    let partner = user.caller.partner.is_none();
    let title = if partner {
        w.all_submissions
    } else {
        w.my_submissions
    };
    let body = html! {
        h1 { (title) }
        (submissions_table(&view, &statuses, partner))
    };
    Ok(layout::page(&view, title, html! {}, body))
}

async fn visible_statuses(
    state: &AppState,
    view: &View,
    user: &SignedIn,
) -> Result<Vec<SubmissionStatus>, PageError> {
    let mut statuses = state.bus.all_statuses().await.map_err(|e| view.fail(e))?;
    statuses.retain(|status| user.caller.may_see(status));
    Ok(statuses)
}

/// Submissions, newest first, each linked to its page; with the partner column for analysts.
pub(super) fn submissions_table(
    view: &View,
    statuses: &[SubmissionStatus],
    with_partner: bool,
) -> Markup {
    let w = view.words;
    html! {
        @if statuses.is_empty() {
            p { (w.no_submissions) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (w.col_file) }
                    @if with_partner { th scope="col" { (w.col_partner) } }
                    th scope="col" { (w.col_received) }
                    th scope="col" { (w.col_state) }
                    th scope="col" { (w.col_errors) }
                    th scope="col" { (w.col_warnings) }
                    th scope="col" { (w.col_version) }
                } }
                tbody {
                    @for status in statuses {
                        tr {
                            td { a href={ "/submissions/" (status.submission_id) } { (status.file_name) } }
                            @if with_partner { td { (status.partner) } }
                            td { (when(status.received_at)) }
                            td { (state_badge(view, status.state)) }
                            td { @if let Some(c) = &status.counts { (c.errors) } }
                            td { @if let Some(c) = &status.counts { (c.warnings) } }
                            td { @if let Some(v) = status.dataset_version { (v) } }
                        }
                    }
                }
            }
        }
    }
}

/// A state as a word with a symbol, coloured too (but never only coloured).
fn state_badge(view: &View, state: SubmissionState) -> Markup {
    let (class, symbol) = match state {
        SubmissionState::Received => ("state state-received", "…"),
        SubmissionState::Validating => ("state state-validating", "…"),
        SubmissionState::Accepted => ("state state-accepted", "✓"),
        SubmissionState::Rejected => ("state state-rejected", "✗"),
        SubmissionState::Failed => ("state state-failed", "!"),
    };
    html! { span class=(class) { span aria-hidden="true" { (symbol) " " } (view.words.state(state)) } }
}

/// `?severity=error&sheet=Initiatives`: which issues of the report to show.
#[derive(Debug, Default, Deserialize)]
struct ReportFilter {
    severity: Option<String>,
    sheet: Option<String>,
}

impl ReportFilter {
    fn severity(&self) -> Option<Severity> {
        match self.severity.as_deref() {
            Some("error") => Some(Severity::Error),
            Some("warning") => Some(Severity::Warning),
            Some("info") => Some(Severity::Info),
            _ => None,
        }
    }

    fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref().filter(|sheet| !sheet.is_empty())
    }

    fn keeps(&self, issue: &Issue) -> bool {
        self.severity().is_none_or(|s| s == issue.severity)
            && self
                .sheet()
                .is_none_or(|s| issue.sheet.as_deref() == Some(s))
    }
}

/// `GET /submissions/{id}`: the state, live while pending, then the report.
async fn submission(
    State(state): State<AppState>,
    view: View,
    Path(id): Path<String>,
    filter: Result<Query<ReportFilter>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let user = view.user()?;
    let w = view.words;
    // A filter that does not parse shows everything.
    let filter = filter.map(|Query(f)| f).unwrap_or_default();
    let status = submissions::visible_status(&state.bus, &user.caller, &id)
        .await
        .map_err(|e| view.fail(e))?;
    let pending = matches!(
        status.state,
        SubmissionState::Received | SubmissionState::Validating
    );
    let report = match status.state {
        SubmissionState::Accepted | SubmissionState::Rejected => Some(
            submissions::load_report(&state.bus, &id)
                .await
                .map_err(|e| view.fail(e))?,
        ),
        _ => None,
    };
    // Validation's worker writes the annotated workbooks with the report, unless the file could not
    // be read far enough; then the page says so instead of offering links that lead nowhere.
    let annotated = report.is_some()
        && state
            .bus
            .reports
            .store
            .info(m::annotated_object(&id, view.lang))
            .await
            .is_ok();
    let head = html! {
        @if pending { noscript { meta http-equiv="refresh" content="3"; } }
    };
    let body = html! {
        h1 { (w.submission_title) " — " (status.file_name) }
        div.card {
            p #state role="status" aria-live="polite"
                data-poll=[pending.then(|| format!("/api/v1/submissions/{id}"))]
                data-state=(state_key(status.state)) {
                (state_badge(&view, status.state)) " " (w.state_explained(status.state))
            }
            @if pending { p.hint { (w.live_note) } }
            @if let Some(reason) = &status.reason { p { (reason) } }
            @if let Some(version) = status.dataset_version {
                p { (fill(w.in_version, &[("version", &version.to_string())])) }
            }
            dl.facts {
                dt { (w.col_partner) } dd { (status.partner) }
                dt { (w.col_received) } dd { (when(status.received_at)) }
                dt { (w.mode_was) } dd { (match status.mode { Mode::Replace => w.mode_replace_name, Mode::Merge => w.mode_merge_name }) }
                @if let Some(counts) = &status.counts {
                    dt { (w.count_rows) } dd { (counts.rows) }
                    dt { (w.count_records) } dd { (counts.records) }
                    dt { (w.count_errors) } dd { (counts.errors) }
                    dt { (w.count_warnings) } dd { (counts.warnings) }
                }
            }
        }
        @if let Some(report) = &report {
            section aria-labelledby="annotated" {
                h2 #annotated { (w.annotated_title) }
                @if !annotated { p { (w.annotated_missing) } }
                @else { ul {
                    li { a href={ "/api/v1/submissions/" (id) "/annotated.xlsx?lang=" (view.lang.code()) } download {
                        (if view.lang == Lang::En { w.annotated_en } else { w.annotated_fr })
                    } }
                    @let other = if view.lang == Lang::En { Lang::Fr } else { Lang::En };
                    li { a href={ "/api/v1/submissions/" (id) "/annotated.xlsx?lang=" (other.code()) } download {
                        (if other == Lang::En { w.annotated_en } else { w.annotated_fr })
                    } }
                } }
            }
            @if !report.issues.is_empty() {
                section aria-labelledby="issue-list" {
                    h2 #issue-list { (w.issue_list_title) }
                    p { (w.issue_list_intro) }
                    ul {
                        li { a href={ "/api/v1/submissions/" (id) "/issues.xlsx?lang=" (view.lang.code()) } download { (w.issue_list_xlsx) } }
                        li { a href={ "/api/v1/submissions/" (id) "/issues.csv?lang=" (view.lang.code()) } download { (w.issue_list_csv) } }
                    }
                }
            }
            @if report.needs_mapping() && status.state == SubmissionState::Rejected {
                (mapping_form(&view, user, &id, report))
            }
            (columns_section(&view, report))
            (report_section(&view, Some(&id), report, &filter))
        }
        @if user.caller.partner.is_some()
            && matches!(status.state, SubmissionState::Rejected | SubmissionState::Failed) {
            p { a href="/#upload" { (w.upload_again) } }
        }
    };
    Ok(layout::page(&view, w.submission_title, head, body))
}

/// `POST /submissions/{id}/mapping`: the mapping chosen on the report page, confirmed as by the API
/// (the stored upload validated again with it), then the new submission's page.
async fn confirm_mapping(
    State(state): State<AppState>,
    view: View,
    client: Client,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, PageError> {
    let user = view.user()?;
    let form = submissions::read_mapping_form(multipart)
        .await
        .map_err(|e| view.fail(e))?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    let (_, answer) = submissions::confirm(&state, &user.caller, &client, &id, form.mapping)
        .await
        .map_err(|e| view.fail(e))?;
    Ok(Redirect::to(&format!(
        "/submissions/{}",
        answer.status.submission_id
    )))
}

/// For a file rejected only for its columns: each column not placed, with a choice of field (the
/// best guesses first, then every other field), to confirm.
fn mapping_form(view: &View, user: &SignedIn, id: &str, report: &Report) -> Markup {
    let w = view.words;
    let mut seen = std::collections::HashSet::new();
    let unplaced: Vec<&ColumnRead> = report
        .unplaced()
        .filter(|c| seen.insert(jvap_record::text::fold(&c.header)))
        .collect();
    html! {
        section aria-labelledby="mapping-title" {
            h2 #mapping-title { (w.mapping_title) }
            form.card #mapping method="post" action={ "/submissions/" (id) "/mapping" } enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(user.csrf);
                p { (w.mapping_intro) }
                @for (n, column) in unplaced.iter().enumerate() {
                    @let select_id = format!("map-{n}");
                    div {
                        label for=(select_id) {
                            (column.sheet.as_deref().map(|s| format!("{s}!")).unwrap_or_default()) (column.cell)
                            @if view.lang == Lang::Fr { " « " (column.header) " »" } @else { " “" (column.header) "”" }
                        }
                        select id=(select_id) name="map" data-header=(column.header) {
                            option value="" { (w.mapping_leave) }
                            @for key in &column.guesses {
                                option value={ (column.header) "=" (key) } { (column_name(key, view.lang)) }
                            }
                            optgroup label=(w.mapping_other) {
                                @for field in jvap_record::FIELDS.iter().filter(|f| !column.guesses.contains(&f.key)) {
                                    option value={ (column.header) "=" (field.key) } { (column_name(&field.key, view.lang)) }
                                }
                            }
                        }
                    }
                }
                button type="submit" { (w.mapping_button) }
            }
        }
    }
}

/// The mapping used, where it was not the template's: each such header and how it was read.
fn columns_section(view: &View, report: &Report) -> Markup {
    let w = view.words;
    html! {
        @if !report.columns.is_empty() {
            section aria-labelledby="columns-title" {
                h2 #columns-title { (w.columns_title) }
                p { (w.columns_intro) }
                table #columns {
                    (column_heads(&[w.col_sheet, w.col_cell, w.col_header, w.col_read_as, w.col_field]))
                    tbody {
                        @for column in &report.columns {
                            tr data-read=(jvap_record::vocabulary::code(&column.read_as)) {
                                td { (column.sheet.as_deref().unwrap_or("")) }
                                td { (column.cell) }
                                td { (column.header) }
                                td { (match column.read_as {
                                    ReadAs::Exact => "",
                                    ReadAs::Meaning => w.read_meaning,
                                    ReadAs::Confirmed => w.read_confirmed,
                                    ReadAs::Duplicate => w.read_duplicate,
                                    ReadAs::Unknown => w.read_unknown,
                                }) }
                                td { (column.field.as_deref().map(|key| column_name(key, view.lang)).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn state_key(state: SubmissionState) -> &'static str {
    match state {
        SubmissionState::Received => "received",
        SubmissionState::Validating => "validating",
        SubmissionState::Accepted => "accepted",
        SubmissionState::Rejected => "rejected",
        SubmissionState::Failed => "failed",
    }
}

/// The issues as a table, with a filter form that works without script (a GET to the page of
/// submission `id`; a dry run, which has no page to come back to, has none).
fn report_section(view: &View, id: Option<&str>, report: &Report, filter: &ReportFilter) -> Markup {
    let w = view.words;
    let mut sheets: Vec<&str> = report
        .issues
        .iter()
        .filter_map(|i| i.sheet.as_deref())
        .collect();
    sheets.sort_unstable();
    sheets.dedup();
    let shown: Vec<&Issue> = report.issues.iter().filter(|i| filter.keeps(i)).collect();
    let severities = [Severity::Error, Severity::Warning, Severity::Info];
    html! {
        section aria-labelledby="report" {
            h2 #report { (w.report_title) }
            @if report.issues.is_empty() {
                p { (w.no_issues) }
            } @else {
                @if let Some(id) = id { form.filters method="get" action={ "/submissions/" (id) } {
                    div {
                        label for="severity" { (w.filter_severity) }
                        select #severity name="severity" {
                            option value="" { (w.filter_all) }
                            @for severity in severities {
                                @let key = severity_key(severity);
                                option value=(key) selected[filter.severity() == Some(severity)] { (w.severity(severity)) }
                            }
                        }
                    }
                    div {
                        label for="sheet" { (w.filter_sheet) }
                        select #sheet name="sheet" {
                            option value="" { (w.filter_all) }
                            @for sheet in &sheets {
                                option value=(sheet) selected[filter.sheet() == Some(*sheet)] { (sheet) }
                            }
                        }
                    }
                    button.secondary type="submit" { (w.filter_button) }
                } }
                p role="status" {
                    (fill(w.shown_of, &[("shown", &shown.len().to_string()), ("total", &report.issues.len().to_string())]))
                }
                table #issues {
                    (column_heads(&[w.col_severity, w.col_sheet, w.col_cell, w.col_column, w.col_value, w.col_message]))
                    tbody {
                        @for issue in shown {
                            tr {
                                td class={ "sev sev-" (severity_key(issue.severity)) } {
                                    span aria-hidden="true" { (severity_symbol(issue.severity)) " " }
                                    (w.severity(issue.severity))
                                }
                                td { (issue.sheet.as_deref().unwrap_or("")) }
                                td { (issue.cell.as_deref().unwrap_or("")) }
                                td { (issue.column.as_deref().map(|key| column_name(key, view.lang)).unwrap_or_default()) }
                                td { (issue.value.as_deref().unwrap_or("")) }
                                td { (issue.message(view.lang)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn severity_key(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn severity_symbol(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "✗",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}

/// A column's header in the template of `lang` (from `schemas/fields.csv`), or its key.
fn column_name(key: &str, lang: Lang) -> String {
    jvap_record::FIELDS
        .iter()
        .find(|field| field.key == key)
        .map_or_else(
            || key.to_string(),
            |field| match lang {
                Lang::En => field.header_en.clone(),
                Lang::Fr => field.header_fr.clone(),
            },
        )
}
