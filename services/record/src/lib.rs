//! jvap-record: the JVAP record and the words every service shares, with no I/O.
//!
//! What a submission is (the record's fields, the code lists, the issue catalogue, the report) and what
//! the services say to each other about it (the NATS messages, the round tracker). Every other crate
//! depends on this one; it depends on none of them, and links no spreadsheet reader or writer, so the
//! message bus and the services that only route files stay small.
//!
//! The types the HTTP API sends (statuses, reports, rounds, the tracker, the Committee's list and
//! deliveries) derive `utoipa::ToSchema`: intake's OpenAPI document describes them from these
//! definitions, and their doc comments are its descriptions, so write those for the API's readers too.
//!
//! # Layout
//! - [`lang`]: [`Lang`], the two languages of every user-facing text.
//! - [`record`]: the record's fields (from `schemas/fields.csv`) and the normalised [`Initiative`];
//!   [`cells`]: its fields as table cells.
//! - [`reference`]: the code lists of `schemas/reference/` (partners, domains, objectives, codes, rates);
//!   [`country`]: countries by ISO code, name or alias; [`text`]: the text folding and checks they use.
//! - [`ids`]: JVAP ids (`JVAP-000123`), their shape, and whose each one is.
//! - [`catalogue`]: every issue code with its [`Severity`] and English and French messages.
//! - [`columns`]: the column mapping a partner confirms, and how validation read each header.
//! - [`report`]: the validation report, exactly SPEC's "The report, as data".
//! - [`messages`]: the NATS subjects and message bodies the services exchange.
//! - [`tracker`]: where every expected partner of a round stands, from the submission statuses.
//! - [`vocabulary`]: the words of every state, severity, verdict, role and requirement, in both
//!   languages ([`vocabulary::Bilingual`]), which every output shows; [`lang::Said`] is a message
//!   made at run time in both.

pub mod catalogue;
pub mod cells;
pub mod columns;
pub mod country;
pub mod ids;
pub mod lang;
pub mod messages;
pub mod record;
pub mod reference;
pub mod report;
pub mod text;
pub mod tracker;
pub mod vocabulary;

pub use catalogue::Severity;
pub use lang::{Lang, Said};
pub use record::{FIELDS, Field, Initiative};
pub use report::{Counts, Issue, Report, Verdict};
pub use vocabulary::Bilingual;
