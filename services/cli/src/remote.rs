//! Commands against a running system: submit, status (and the round tracker), download, token issue,
//! round open|close|partners, committee show|set, summary send|deliveries, admin replay|revalidate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use jvap_record::columns::ColumnMapping;
use jvap_record::messages::{
    CommitteeList, DeliveryOutcome, Mode, Role, RoundRecord, SubmissionState, SubmissionStatus,
    SummaryDelivery, SummaryRequested,
};
use jvap_record::tracker::Tracker;
use jvap_record::{Lang, Report, Severity};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::args::{
    AdminAction, Command, CommitteeAction, DatasetFormat, DatasetRef, ModeArg, OutputFormat,
    RoundAction, SummaryAction, TokenAction,
};
use crate::client::Api;
use crate::offline::verdict_code;
use crate::render;

/// Run a remote command on a small single-threaded runtime.
pub fn run(
    server: &str,
    token: Option<&str>,
    lang: Lang,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let api = Api::new(server, token, lang)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        match command {
            Command::Submit {
                file,
                mode,
                wait,
                timeout,
                map,
            } => {
                submit(
                    &api,
                    &file,
                    mode,
                    &map,
                    wait.then(|| Duration::from_secs(timeout)),
                    lang,
                )
                .await
            }
            Command::Status {
                round: Some(round),
                format,
                ..
            } => tracker(&api, &round, format, lang).await,
            Command::Status { id, format, .. } => status(&api, id.as_deref(), format, lang).await,
            Command::Download {
                version: DatasetRef::Annotated,
                id,
                output,
                ..
            } => annotated(&api, id, output, lang).await,
            Command::Download {
                version,
                format,
                output,
                round,
                ..
            } => {
                let format = format.context(
                    "say which file: --format xlsx, json, csv, summary-en-html, summary-fr-html, \
                     summary-en-md or summary-fr-md",
                )?;
                download(&api, version, format, output, round.as_deref()).await
            }
            Command::Token {
                action:
                    TokenAction::Issue {
                        role,
                        partner,
                        label,
                    },
            } => issue_token(&api, role.into(), partner, label).await,
            Command::Template {
                output,
                prefill: true,
                partner,
            } => prefilled_template(&api, output, partner.as_deref(), lang).await,
            Command::Round { action } => round(&api, action).await,
            Command::Committee { action } => committee(&api, action).await,
            Command::Summary { action } => summary(&api, action).await,
            Command::Admin { action } => admin(&api, action).await,
            Command::Validate { .. }
            | Command::Template { .. }
            | Command::Codes { .. }
            | Command::Consolidate { .. } => {
                anyhow::bail!("this command runs offline")
            }
        }
    })
}

async fn submit(
    api: &Api,
    file: &Path,
    mode: ModeArg,
    map: &[String],
    wait: Option<Duration>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    // Checked here first, so a mistyped field is said before the file is sent.
    if let Err(e) = ColumnMapping::from_pairs(map.iter().map(String::as_str)) {
        match lang {
            Lang::En => anyhow::bail!("--map: {e}"),
            Lang::Fr => anyhow::bail!("--map : {}", e.message_fr()),
        }
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .with_context(|| format!("{} is not a file", file.display()))?;
    let mode = match Mode::from(mode) {
        Mode::Replace => "replace",
        Mode::Merge => "merge",
    };
    let (code, answer): (_, UploadAnswer) = api
        .post_file("/api/v1/submissions", &file_name, bytes, mode, map)
        .await?;
    let mut status = answer.status;
    println!("{}  {}", status.submission_id, status.state.label(lang));
    if code == StatusCode::OK {
        eprintln!("This file was already submitted: the earlier submission is shown.");
    }
    // The same file with the other mode: the server kept the first one's and says so.
    let notice = match lang {
        Lang::En => answer.notice,
        Lang::Fr => answer.notice_fr.or(answer.notice),
    };
    if let Some(notice) = notice {
        println!("{notice}");
    }
    let Some(timeout) = wait else {
        return Ok(ExitCode::SUCCESS);
    };

    let path = format!("/api/v1/submissions/{}", status.submission_id);
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    while !is_final(status.state) {
        if started.elapsed() >= timeout {
            anyhow::bail!(
                "submission {} is still {} after {}s; check later with `jvap status {}`",
                status.submission_id,
                status.state.label(lang),
                timeout.as_secs(),
                status.submission_id
            );
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
        let previous = status.state;
        status = api.get_json(&path).await?;
        if status.state != previous {
            eprintln!("{}", status.state.label(lang));
        }
    }
    finished(api, &status, &file_name, lang).await
}

fn is_final(state: SubmissionState) -> bool {
    matches!(
        state,
        SubmissionState::Accepted | SubmissionState::Rejected | SubmissionState::Failed
    )
}

/// Print the outcome of a finished submission; the exit status follows the verdict.
async fn finished(
    api: &Api,
    status: &SubmissionStatus,
    file_name: &str,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    if let Some(counts) = &status.counts {
        println!("  {}", render::counts(counts, lang));
    }
    match status.state {
        SubmissionState::Rejected => {
            let path = format!("/api/v1/submissions/{}/report", status.submission_id);
            let report: Report = api.get_json(&path).await?;
            let errors = report
                .issues
                .iter()
                .filter(|i| i.severity == Severity::Error);
            println!("\n{}", render::issues(errors, lang));
            println!(
                "{}",
                match lang {
                    Lang::En => format!(
                        "Correct {file_name} and submit it again; `jvap validate` checks it offline first."
                    ),
                    Lang::Fr => format!(
                        "Corrigez {file_name} et renvoyez-le ; `jvap validate` le vérifie d'abord hors ligne."
                    ),
                }
            );
            Ok(verdict_code(report.verdict))
        }
        SubmissionState::Failed => {
            let reason = status.reason.as_deref().unwrap_or("no reason given");
            println!("  {reason}");
            Ok(ExitCode::from(1))
        }
        _ => {
            if let Some(version) = status.dataset_version {
                println!("  dataset v{version}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn status(
    api: &Api,
    id: Option<&str>,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    match id {
        Some(id) => {
            let status: SubmissionStatus =
                api.get_json(&format!("/api/v1/submissions/{id}")).await?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&status)?),
                OutputFormat::Text => print!("{}", render::status(&status, lang)),
            }
        }
        None => {
            let statuses: Vec<SubmissionStatus> = api.get_json("/api/v1/submissions").await?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&statuses)?),
                OutputFormat::Text => print!("{}", render::status_table(&statuses, lang)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The round tracker, as a table or JSON.
async fn tracker(
    api: &Api,
    round: &str,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let tracker: Tracker = api
        .get_json(&format!("/api/v1/rounds/{round}/tracker"))
        .await?;
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&tracker)?),
        OutputFormat::Text => print!("{}", render::tracker(&tracker, lang)),
    }
    Ok(ExitCode::SUCCESS)
}

async fn download(
    api: &Api,
    version: DatasetRef,
    format: DatasetFormat,
    output: Option<PathBuf>,
    round: Option<&str>,
) -> anyhow::Result<ExitCode> {
    // `dataset.xlsx` is asked for as `latest.xlsx`, `summary.fr.html` as `latest.summary.fr.html`.
    let file = format.file_name();
    let short = file.strip_prefix("dataset.").unwrap_or(file);
    let path = format!("/api/v1/datasets/{version}.{short}");
    let query: Vec<(&str, &str)> = round.map(|r| ("round", r)).into_iter().collect();
    let bytes = api.get_bytes(&path, &query).await?;
    let output = output.unwrap_or_else(|| {
        // dataset.xlsx -> jvap-dataset-2022-latest.xlsx; summary.fr.html -> jvap-summary-2022-latest.fr.html
        let (stem, rest) = file.split_once('.').unwrap_or((file, ""));
        match round {
            Some(round) => PathBuf::from(format!("jvap-{stem}-{round}-{version}.{rest}")),
            None => PathBuf::from(format!("jvap-{stem}-{version}.{rest}")),
        }
    });
    std::fs::write(&output, &bytes)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("{} ({} bytes)", output.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

async fn annotated(
    api: &Api,
    id: Option<String>,
    output: Option<PathBuf>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let id = id.context("say which submission: jvap download annotated ID")?;
    let code = lang.code();
    let path = format!("/api/v1/submissions/{id}/annotated.xlsx");
    let bytes = api.get_bytes(&path, &[("lang", code)]).await?;
    let output = output.unwrap_or_else(|| PathBuf::from(format!("{id}-annotated.xlsx")));
    std::fs::write(&output, &bytes)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("{} ({} bytes)", output.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// `template --prefill [--partner CODE]`: the official template holding the partner's current
/// initiatives, from the server.
async fn prefilled_template(
    api: &Api,
    output: Option<PathBuf>,
    partner: Option<&str>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let code = lang.code();
    let mut query = vec![("lang", code), ("prefill", "true")];
    if let Some(partner) = partner {
        query.push(("partner", partner));
    }
    let bytes = api.get_bytes("/api/v1/template.xlsx", &query).await?;
    let output = output.unwrap_or_else(|| {
        let who = partner.unwrap_or("my");
        PathBuf::from(format!("jvap-initiatives-{who}-{code}.xlsx"))
    });
    std::fs::write(&output, &bytes)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("{} ({} bytes)", output.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// What an upload answers: the status, and a notice when the same file came with the other mode.
#[derive(Deserialize)]
struct UploadAnswer {
    #[serde(flatten)]
    status: SubmissionStatus,
    notice: Option<String>,
    notice_fr: Option<String>,
}

/// The record of an admin run, as intake answers it.
#[derive(Debug, Serialize, Deserialize)]
struct RunRecord {
    run: String,
    action: String,
    round: String,
    submissions: Vec<String>,
    #[serde(default)]
    skipped: Vec<Skipped>,
    by_token: String,
    by_label: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Skipped {
    submission_id: String,
    reason: String,
}

/// `admin replay ID` and `admin revalidate --round R`.
async fn admin(api: &Api, action: AdminAction) -> anyhow::Result<ExitCode> {
    let (record, format): (RunRecord, _) = match action {
        AdminAction::Replay { id, format } => (
            api.post_empty(&format!("/api/v1/submissions/{id}/replay"))
                .await?,
            format,
        ),
        AdminAction::Revalidate { round, format } => (
            api.post_empty(&format!("/api/v1/rounds/{round}/revalidate"))
                .await?,
            format,
        ),
        AdminAction::Backup(_) | AdminAction::Restore(_) | AdminAction::ImportBaseline(_) => {
            anyhow::bail!(
                "backup, restore and import-baseline talk to NATS and the database, not to the server"
            )
        }
    };
    if format == OutputFormat::Json {
        println!("{}", serde_json::to_string_pretty(&record)?);
        return Ok(ExitCode::SUCCESS);
    }
    match record.action.as_str() {
        "replay" => println!(
            "Submission {} is received again (run {}); follow it with `jvap status {}`.",
            record.submissions.join(", "),
            record.run,
            record.submissions.join(" ")
        ),
        _ => println!(
            "Round {}: {} submission(s) are being validated again (run {}).",
            record.round,
            record.submissions.len(),
            record.run
        ),
    }
    for skipped in &record.skipped {
        println!(
            "  not started: {}: {}",
            skipped.submission_id, skipped.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `round open|close|partners`.
async fn round(api: &Api, action: RoundAction) -> anyhow::Result<ExitCode> {
    let record: RoundRecord = match action {
        RoundAction::Open { round, .. } => {
            api.post_empty(&format!("/api/v1/rounds/{round}/open"))
                .await?
        }
        RoundAction::Close { round } => {
            api.post_empty(&format!("/api/v1/rounds/{round}/close"))
                .await?
        }
        RoundAction::Partners { round, set, all } => {
            let path = format!("/api/v1/rounds/{round}/partners");
            match (set, all) {
                (Some(codes), _) => api.put_json(&path, &codes).await?,
                (None, true) => api.delete_json(&path).await?,
                (None, false) => api.get_json(&format!("/api/v1/rounds/{round}")).await?,
            }
        }
        RoundAction::Deadline { round, day, clear } => {
            if day.is_some() || clear {
                let body = serde_json::json!({ "deadline": day });
                api.put_json(&format!("/api/v1/rounds/{round}/deadline"), &body)
                    .await?
            } else {
                api.get_json(&format!("/api/v1/rounds/{round}")).await?
            }
        }
    };
    // The sentence is English; the state's word comes from the vocabulary.
    let state = record.state().label(Lang::En);
    println!("Round {} is {state}.", record.round);
    match &record.expected_partners {
        Some(codes) => println!("It expects {} partners: {}.", codes.len(), codes.join(", ")),
        None => println!(
            "It expects every partner of the reference list ({}).",
            record.expected().len()
        ),
    }
    match record.deadline {
        Some(day) => println!("Its deadline is {}.", day.format("%Y-%m-%d")),
        None => println!("It has no deadline."),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct TokenRequest {
    role: Role,
    partner: Option<String>,
    label: Option<String>,
}

#[derive(Deserialize)]
struct IssuedToken {
    token: String,
    role: Role,
    partner: Option<String>,
}

async fn issue_token(
    api: &Api,
    role: Role,
    partner: Option<String>,
    label: Option<String>,
) -> anyhow::Result<ExitCode> {
    let request = TokenRequest {
        role,
        partner,
        label,
    };
    let issued: IssuedToken = api.post_json("/api/v1/tokens", &request).await?;
    // The token alone on stdout, so that it can be captured; the advice on stderr.
    println!("{}", issued.token);
    let role = serde_json::to_value(issued.role)?;
    let holder = issued
        .partner
        .map(|p| format!(" for {p}"))
        .unwrap_or_default();
    eprintln!(
        "Token issued: role {}{holder}. It is shown only this once; give it to its holder by a safe channel.",
        role.as_str().unwrap_or("?")
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ListRequest {
    recipients: Vec<String>,
}

async fn committee(api: &Api, action: CommitteeAction) -> anyhow::Result<ExitCode> {
    let list: CommitteeList = match action {
        CommitteeAction::Show {
            format: OutputFormat::Json,
        } => {
            let list: CommitteeList = api.get_json("/api/v1/committee").await?;
            println!("{}", serde_json::to_string_pretty(&list)?);
            return Ok(ExitCode::SUCCESS);
        }
        CommitteeAction::Show { .. } => api.get_json("/api/v1/committee").await?,
        CommitteeAction::Set { recipients } => {
            let recipients = recipients
                .split([',', ';'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect();
            api.put_json("/api/v1/committee", &ListRequest { recipients })
                .await?
        }
    };
    if list.recipients.is_empty() {
        println!("The Committee's distribution list is empty: summaries are not e-mailed.");
    } else {
        println!(
            "The summary is e-mailed to {} address(es):",
            list.recipients.len()
        );
        for recipient in &list.recipients {
            println!("  {recipient}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn summary(api: &Api, action: SummaryAction) -> anyhow::Result<ExitCode> {
    match action {
        SummaryAction::Send { round } => {
            let request: SummaryRequested = api
                .post_empty(&format!("/api/v1/rounds/{round}/summary/send"))
                .await?;
            println!(
                "The summary of round {} is on its way to the Committee (request {}).",
                request.round, request.request_id
            );
            eprintln!("Follow it with `jvap summary deliveries --round {round}`.");
        }
        SummaryAction::Deliveries { round, format } => {
            let deliveries: Vec<SummaryDelivery> = api
                .get_json(&format!("/api/v1/rounds/{round}/deliveries"))
                .await?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&deliveries)?),
                OutputFormat::Text if deliveries.is_empty() => {
                    println!("No summary of round {round} was requested yet.");
                }
                OutputFormat::Text => {
                    for delivery in &deliveries {
                        println!("{}", delivery_line(delivery));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One delivery on one line: when, why, what, to how many, and the outcome with its reason.
fn delivery_line(delivery: &SummaryDelivery) -> String {
    let outcome = match delivery.outcome {
        DeliveryOutcome::Sent => "sent",
        DeliveryOutcome::Skipped => "skipped",
        DeliveryOutcome::Retrying => "retrying",
        DeliveryOutcome::Failed => "failed",
    };
    let version = delivery
        .version
        .map(|v| format!("v{v}"))
        .unwrap_or_else(|| "-".into());
    let detail = delivery
        .detail
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    format!(
        "{}  {:<12}  {:<4}  {} recipient(s)  {outcome}{detail}",
        delivery.requested_at.format("%Y-%m-%d %H:%M"),
        delivery.reason.as_str(),
        version,
        delivery.recipients.len(),
    )
}
