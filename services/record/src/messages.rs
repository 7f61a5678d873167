//! The NATS contract: subject names, bucket names and message bodies (`schemas/messages/*.json`).
//!
//! Every message is JSON. Subjects end with the partner code so consumers can filter by partner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::columns::{ColumnMapping, ColumnRead};
use crate::lang::Said;
use crate::report::Counts;

/// The one JetStream stream, over `jvap.>`.
pub const STREAM: &str = "JVAP";
pub const STREAM_SUBJECTS: &str = "jvap.>";
/// Object store of raw uploads, kept forever, keyed by submission id.
pub const BUCKET_UPLOADS: &str = "uploads";
/// Object store of what validation made of each submission, under its id: [`report_object`],
/// [`records_object`] and [`annotated_object`] in each language.
pub const BUCKET_REPORTS: &str = "reports";

/// The report of a submission in [`BUCKET_REPORTS`]: verdict, counts and issues; its `records` list is
/// empty, the records are stored once, in [`records_object`]. Written last: when it is there, so are
/// the others.
pub fn report_object(submission_id: &str) -> String {
    format!("{submission_id}/report.json")
}

/// The normalised records of a submission in [`BUCKET_REPORTS`]: a JSON array, one record per line.
pub fn records_object(submission_id: &str) -> String {
    format!("{submission_id}/records.json")
}

/// The annotated workbook of a submission in `lang` in [`BUCKET_REPORTS`], written by validation's
/// worker (none when the file could not be read far enough).
pub fn annotated_object(submission_id: &str, lang: crate::Lang) -> String {
    format!("{submission_id}/annotated.{}.xlsx", lang.code())
}
/// Object store of published datasets: `<round>/v<N>/<file>`, each `jvap_outputs::DatasetFile`.
pub const BUCKET_DATASETS: &str = "datasets";
/// Every JVAP id of the database and the partner whose initiative it is (`ids::KnownIds` as JSON),
/// in [`BUCKET_DATASETS`]: aggregation writes it after each change, validation checks files
/// against it.
pub const IDS_OBJECT: &str = "ids/owners.json";
/// KV bucket of submission statuses, keyed by submission id.
pub const KV_SUBMISSIONS: &str = "submissions";
/// KV bucket of access tokens, keyed by the token's SHA-256 (the token itself is never stored).
pub const KV_TOKENS: &str = "tokens";
/// KV bucket of rounds (open or closed), keyed by round.
pub const KV_ROUNDS: &str = "rounds";
/// KV bucket of each round's latest published dataset version, keyed by round.
pub const KV_DATASETS: &str = "datasets";
/// KV bucket of the column mappings partners confirmed (`columns::ColumnMapping` as JSON), keyed by
/// partner code: validation applies a partner's to each of its files, and adds to it each mapping
/// given with a file whose headers it all found.
pub const KV_MAPPINGS: &str = "mappings";

pub fn subject_received(partner: &str) -> String {
    format!("jvap.submission.received.{partner}")
}
pub fn subject_validated(partner: &str) -> String {
    format!("jvap.submission.validated.{partner}")
}
pub fn subject_rejected(partner: &str) -> String {
    format!("jvap.submission.rejected.{partner}")
}
pub fn subject_failed(partner: &str) -> String {
    format!("jvap.submission.failed.{partner}")
}
pub const SUBJECT_RECEIVED_ALL: &str = "jvap.submission.received.>";
pub const SUBJECT_VALIDATED_ALL: &str = "jvap.submission.validated.>";
pub const SUBJECT_DATASET_PUBLISHED: &str = "jvap.dataset.published";

/// Asks aggregation's builder for the files of a dataset version (see [`BuildRequested`]).
pub const SUBJECT_BUILD_REQUESTED: &str = "jvap.dataset.build.requested";

/// Why the files of a dataset version are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildReason {
    /// The version was just committed: built only while it is still the round's newest (requests
    /// for versions overtaken while they waited are skipped, so a queue of versions builds once).
    Latest,
    /// Someone asked for a file of it (a download, a summary e-mail): built whatever its age.
    OnDemand,
}

/// A request for the seven files of dataset version `version` of `round`, published on
/// [`SUBJECT_BUILD_REQUESTED`] by aggregation when a version commits and by intake when a file
/// asked for is not in the `datasets` store (not built yet, or removed by retention). The builder
/// builds it from the database, so the files are the same whenever they are built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildRequested {
    pub round: String,
    pub version: u32,
    pub reason: BuildReason,
}

impl BuildRequested {
    /// The message id, de-duplicated by the stream: `bucket` is the caller's choice of how often the
    /// same request may come (intake's on-demand requests: one per version every ten seconds,
    /// whatever the clients' polling; aggregation's: every one, since a redelivery must reach the
    /// builder to heal missing files).
    pub fn msg_id(&self, bucket: i64) -> String {
        let reason = match self.reason {
            BuildReason::Latest => "latest",
            BuildReason::OnDemand => "on-demand",
        };
        format!("build-{}-v{}-{reason}-{bucket}", self.round, self.version)
    }
}

/// How an accepted submission changes the partner's initiatives: `replace` all of them, or `merge` by
/// `partner_ref` (SPEC section 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Replace all of the partner's initiatives for the round.
    #[default]
    Replace,
    /// Update initiatives by partner_ref and add the rest.
    Merge,
}

impl std::str::FromStr for Mode {
    type Err = Said;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "replace" => Ok(Mode::Replace),
            "merge" => Ok(Mode::Merge),
            other => Err(Said::new(
                format!("unknown mode {other:?}: use replace or merge"),
                format!("mode inconnu {other:?} : utilisez replace ou merge"),
            )),
        }
    }
}

/// Published by intake once the raw bytes are in the `uploads` object store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionReceived {
    pub submission_id: String,
    pub partner: String,
    pub round: String,
    pub mode: Mode,
    pub file_name: String,
    pub size: u64,
    /// Hex SHA-256 of the raw bytes.
    pub sha256: String,
    pub received_at: DateTime<Utc>,
    /// Set when an admin re-runs this submission (`replay`, `revalidate`): the run's id. Validation then
    /// validates again even when the submission is final, and the outcome's message id carries it, so
    /// the new outcome is not taken for a duplicate of the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revalidation: Option<String>,
    /// The columns the partner said how to read with this file (`map` of the upload, or a mapping
    /// confirmed on the report page): applied before scoring, over the partner's remembered mapping.
    #[serde(default, skip_serializing_if = "ColumnMapping::is_empty")]
    pub mapping: ColumnMapping,
}

/// Published by validation for an accepted file; the records are in [`records_object`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionValidated {
    pub submission_id: String,
    pub partner: String,
    pub round: String,
    pub mode: Mode,
    pub counts: Counts,
    pub validated_at: DateTime<Utc>,
    /// Set when an admin re-runs this submission (`replay`, `revalidate`): the run's id. Validation then
    /// validates again even when the submission is final, and the outcome's message id carries it, so
    /// the new outcome is not taken for a duplicate of the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revalidation: Option<String>,
    /// The header cells not read exactly as the template's (by meaning, as confirmed, repeated or
    /// not placed, with the best guesses for these): the report's `columns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnRead>,
}

/// Published by validation for a rejected file; the report is in [`report_object`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRejected {
    pub submission_id: String,
    pub partner: String,
    pub round: String,
    pub counts: Counts,
    pub validated_at: DateTime<Utc>,
    /// Set when an admin re-runs this submission (`replay`, `revalidate`): the run's id. Validation then
    /// validates again even when the submission is final, and the outcome's message id carries it, so
    /// the new outcome is not taken for a duplicate of the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revalidation: Option<String>,
    /// The header cells not read exactly as the template's (by meaning, as confirmed, repeated or
    /// not placed, with the best guesses for these): the report's `columns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnRead>,
}

/// Published when a stage gave up on a submission after its maximum deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionFailed {
    pub submission_id: String,
    pub partner: String,
    pub stage: String,
    pub reason: String,
    pub failed_at: DateTime<Utc>,
}

/// Published by aggregation when dataset version `version` of `round` is committed in its database
/// (its files follow in the `datasets` store, built by aggregation's builder: `objects` names where
/// they are or will be); also the value of KV `datasets` under the round (its latest version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetPublished {
    pub round: String,
    pub version: u32,
    /// Object names in the `datasets` store, by file name (every `jvap_outputs::DatasetFile`).
    pub objects: std::collections::BTreeMap<String, String>,
    pub initiatives: u64,
    /// How many initiatives each partner has in this version (partners with none are left out), so
    /// the round tracker can be built without reading the dataset.
    #[serde(default)]
    pub by_partner: std::collections::BTreeMap<String, u64>,
    /// The submission whose acceptance led to this version.
    pub submission_id: String,
    pub published_at: DateTime<Utc>,
}

impl DatasetPublished {
    /// The name in the `datasets` object store of `file` (the name of a `jvap_outputs::DatasetFile`) of
    /// version `version` of `round`: `2022/v3/summary.en.html`.
    pub fn object_name(round: &str, version: u32, file: &str) -> String {
        format!("{round}/v{version}/{file}")
    }
}

/// Where a submission is in its life: `received`, then `validating`, then `accepted`, `rejected` or
/// `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionState {
    Received,
    Validating,
    Accepted,
    Rejected,
    Failed,
}

/// One submission (one file from one partner in one round) and where it is: the value in the
/// `submissions` KV bucket, written by every stage, read by intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SubmissionStatus {
    /// 24 hex characters, derived from the partner, the round and the bytes.
    pub submission_id: String,
    /// The partner's code, e.g. `NER`.
    pub partner: String,
    pub round: String,
    pub mode: Mode,
    pub file_name: String,
    /// In bytes.
    pub size: u64,
    pub state: SubmissionState,
    pub counts: Option<Counts>,
    /// Why the submission failed, when it did.
    pub reason: Option<String>,
    /// The dataset version that includes this submission, once published.
    pub dataset_version: Option<u32>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An access token's record in the `tokens` KV bucket (keyed by the token's hash, never the token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub role: Role,
    /// The partner code for partner tokens.
    pub partner: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Who a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Partner,
    Analyst,
    Admin,
}

impl std::str::FromStr for Role {
    type Err = Said;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "partner" => Ok(Role::Partner),
            "analyst" => Ok(Role::Analyst),
            "admin" => Ok(Role::Admin),
            other => Err(Said::new(
                format!("unknown role {other:?}: use partner, analyst or admin"),
                format!("rôle inconnu {other:?} : utilisez partner, analyst ou admin"),
            )),
        }
    }
}

/// Whether a round takes submissions, and from whom: the round's record in the `rounds` KV bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoundRecord {
    pub round: String,
    pub open: bool,
    /// The partner codes expected to submit, as an admin set them; null means every partner of
    /// `reference/partners.csv`.
    #[serde(default)]
    pub expected_partners: Option<Vec<String>>,
    /// The last day partners are asked to send their file (`2022-06-30`), as an admin set it; null
    /// while none is set. Files received after it are accepted and flagged late; aggregation
    /// e-mails reminders before it (see [`Reminder`]).
    #[serde(default)]
    pub deadline: Option<chrono::NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// KV bucket of the Steering Committee's distribution list (key [`KEY_COMMITTEE_RECIPIENTS`]), the
/// latest summary request of each round (`request.<round>`) and each round's summary deliveries
/// (`deliveries.<round>`). Round names never hold a dot, so these keys cannot collide.
pub const KV_COMMITTEE: &str = "committee";
/// The key of the distribution list in [`KV_COMMITTEE`].
pub const KEY_COMMITTEE_RECIPIENTS: &str = "recipients";
/// Asks for a round's summary to be e-mailed to the Committee; consumed by aggregation.
pub const SUBJECT_SUMMARY_REQUESTED: &str = "jvap.summary.requested";

/// The Steering Committee's distribution list, kept by an admin (`PUT /api/v1/committee`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommitteeList {
    /// E-mail addresses, each checked when the list is set.
    pub recipients: Vec<String>,
    /// When the list was last set; null while it has never been.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Why a summary was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SummaryReason {
    /// An admin closed the round.
    RoundClosed,
    /// An admin asked for it (`jvap summary send`).
    OnDemand,
}

impl SummaryReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SummaryReason::RoundClosed => "round_closed",
            SummaryReason::OnDemand => "on_demand",
        }
    }
}

/// A request to e-mail a round's latest summary to the Committee, published on
/// `jvap.summary.requested` (message id = `request_id`); it is sent at most once, whatever the
/// redeliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SummaryRequested {
    pub request_id: String,
    pub round: String,
    pub reason: SummaryReason,
    pub requested_at: DateTime<Utc>,
}

/// Where a summary delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    /// The SMTP server accepted the e-mail.
    Sent,
    /// Nothing to send or nowhere to send it (no recipients, no SMTP server, no dataset yet).
    Skipped,
    /// Sending failed and will be tried again.
    Retrying,
    /// Sending failed on every attempt; given up.
    Failed,
}

/// One summary request and what became of it: a row of aggregation's `deliveries` table, mirrored
/// in KV `committee` under `deliveries.<round>` for intake to serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SummaryDelivery {
    pub request_id: String,
    pub round: String,
    pub reason: SummaryReason,
    /// The dataset version whose summary was (or would have been) sent.
    pub version: Option<u32>,
    pub recipients: Vec<String>,
    pub outcome: DeliveryOutcome,
    /// Why it was skipped or failed, or the last error while retrying.
    pub detail: Option<String>,
    /// The e-mail's Message-ID header (derived from the request id, so a resend is recognisable).
    pub message_id: Option<String>,
    /// Sending attempts so far.
    pub attempts: u32,
    pub requested_at: DateTime<Utc>,
    /// When the SMTP server accepted the e-mail.
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}
/// Whether a round takes files ([`RoundRecord::open`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundState {
    Open,
    Closed,
}

impl RoundRecord {
    pub fn state(&self) -> RoundState {
        if self.open {
            RoundState::Open
        } else {
            RoundState::Closed
        }
    }

    /// The record of a round nobody has changed yet: open, every partner expected.
    pub fn new(round: &str) -> RoundRecord {
        RoundRecord {
            round: round.to_string(),
            open: true,
            expected_partners: None,
            deadline: None,
            updated_at: Utc::now(),
        }
    }

    /// The partner codes expected to submit: the round's own list, or every partner of the reference
    /// list, in the list's order.
    pub fn expected(&self) -> Vec<String> {
        match &self.expected_partners {
            Some(codes) => codes.clone(),
            None => crate::reference::PARTNERS
                .iter()
                .map(|p| p.code.clone())
                .collect(),
        }
    }
}

/// The audit log: a stream of its own, append-only (deletes and purges denied), kept forever.
pub const AUDIT_STREAM: &str = "JVAP_AUDIT";
/// The audit stream's subjects: `audit.<action>`.
pub const AUDIT_SUBJECTS: &str = "audit.>";

/// The subject an audit entry of `action` is published on.
pub fn subject_audit(action: AuditAction) -> String {
    format!("audit.{}", crate::vocabulary::code(&action))
}

/// What an admin or analyst did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    TokenIssued,
    TokenRevoked,
    RoundOpened,
    RoundClosed,
    ExpectedPartnersSet,
    CommitteeListSet,
    SummaryRequested,
    SubmissionReplayed,
    RoundRevalidated,
    /// A round's deadline set or removed.
    DeadlineSet,
    /// A partner's focal points set.
    ContactsSet,
    /// A partner confirmed how a file's columns are read: the stored upload is validated again with
    /// that mapping (a new submission), and the mapping is remembered for the partner.
    MappingConfirmed,
}

/// Who did it: the token that asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditActor {
    /// The token's key, as `GET /api/v1/tokens` lists it (the bootstrap admin's too).
    pub token_key: String,
    pub label: Option<String>,
    pub role: Role,
}

/// One entry of the audit log (`GET /api/v1/audit`), as `schemas/messages/audit_entry.schema.json`
/// describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Its position in the log, from 1 (0 in the stored message: the stream numbers it).
    #[serde(default)]
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub who: AuditActor,
    pub action: AuditAction,
    /// The round it concerned, when it concerned one.
    pub round: Option<String>,
    /// What it acted on, as plain values (a token's key, role and partner; the partner codes; the
    /// number of recipients; the run and its submissions), never a secret.
    #[schema(value_type = Object)]
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// Object store of dry runs (`POST /api/v1/validate`, "check only"): the file under
/// [`check_upload_object`] while it is checked, then its report under [`check_report_object`]; intake
/// deletes both once it has answered, and the store drops anything older than an hour.
pub const BUCKET_CHECKS: &str = "checks";
/// The core NATS subject of dry runs, answered by validation's instances as one queue group. It is
/// outside the stream's `jvap.>` on purpose: a dry run leaves nothing behind to replay.
pub const SUBJECT_CHECK: &str = "checks.requested";
/// The queue group of validation's instances on [`SUBJECT_CHECK`].
pub const CHECK_QUEUE: &str = "validation";

/// The file of a dry run in [`BUCKET_CHECKS`].
pub fn check_upload_object(check_id: &str) -> String {
    format!("{check_id}/upload")
}

/// The report of a dry run in [`BUCKET_CHECKS`] (as a submission's `report.json`, records left out).
pub fn check_report_object(check_id: &str) -> String {
    format!("{check_id}/report.json")
}

/// A dry run asked of validation on [`SUBJECT_CHECK`] (a request: the answer is a [`CheckAnswered`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequested {
    pub check_id: String,
    /// As the person's computer named it; the extension tells the reader.
    pub file_name: String,
    pub size: u64,
}

/// What became of a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The report is in [`check_report_object`].
    Reported,
    /// Every slot for dry runs was taken for too long; try again in a moment.
    Busy,
    /// The system failed (not the file: a file that cannot be read is reported like any other).
    Failed,
}

/// Validation's answer to a [`CheckRequested`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckAnswered {
    pub check_id: String,
    pub outcome: CheckOutcome,
    /// What failed, for the logs; never shown to the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// KV bucket of what the round knows about each partner beyond the reference list: its focal points
/// (`contacts.<partner>`, a [`PartnerContacts`]) and the reminders sent to it in each round
/// (`reminders.<round>`, a list of [`Reminder`]). Neither a round name nor a partner code holds a
/// dot, so the keys cannot collide.
pub const KV_PARTNERS: &str = "partners";

/// The key of a partner's focal points in [`KV_PARTNERS`].
pub fn key_contacts(partner: &str) -> String {
    format!("contacts.{partner}")
}

/// The key of a round's reminders in [`KV_PARTNERS`].
pub fn key_reminders(round: &str) -> String {
    format!("reminders.{round}")
}

/// One focal point of a partner: where reminders go, and in which language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    /// An e-mail address, checked when the list is set.
    pub address: String,
    /// The language of the e-mails this person gets.
    #[schema(value_type = String)]
    pub lang: crate::Lang,
}

/// A partner's focal points, kept by an admin (`PUT /api/v1/partners/{code}/contacts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartnerContacts {
    /// The partner code of `reference/partners.csv`.
    pub partner: String,
    pub contacts: Vec<Contact>,
    /// When the list was last set; null while it has never been.
    pub updated_at: Option<DateTime<Utc>>,
}

impl PartnerContacts {
    /// The list of a partner nobody set: empty.
    pub fn none(partner: &str) -> PartnerContacts {
        PartnerContacts {
            partner: partner.to_string(),
            contacts: Vec::new(),
            updated_at: None,
        }
    }
}

/// Why a partner was reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The deadline is near (or today) and the round has no accepted data from the partner.
    Deadline,
    /// The partner's latest file was rejected and no other followed it.
    Rejected,
}

/// One reminder to one partner on one day, and what became of it: a row of aggregation's
/// `reminders` table (one per round, partner and day: never two a day), mirrored in KV
/// [`KV_PARTNERS`] under `reminders.<round>` for intake to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reminder {
    pub round: String,
    pub partner: String,
    /// The day (UTC) it is for.
    pub day: chrono::NaiveDate,
    pub kind: ReminderKind,
    /// The round's deadline then.
    pub deadline: chrono::NaiveDate,
    /// Days from `day` to the deadline (0 on the day, negative after it).
    pub days_left: i64,
    /// The rejected submission it is about (kind `rejected`).
    pub submission_id: Option<String>,
    /// The addresses written to (the partner's focal points then).
    pub recipients: Vec<String>,
    /// `sent`, `skipped` (no focal point, no SMTP server), `retrying` or `failed`.
    pub outcome: DeliveryOutcome,
    pub detail: Option<String>,
    pub attempts: u32,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}
