//! jvap-core: the JVAP record and everything that can be done to it without a network.
//!
//! It reads partner spreadsheets (xlsx, xls, xlsb, ods, csv) into rows, validates them against the record
//! definition into a [`Report`], and writes the template and the consolidated datasets. Services and the
//! CLI call into it; it never talks to NATS or a database.
//!
//! # Layout
//! - [`record`]: the record's fields (from `schemas/fields.csv`) and the normalised [`Initiative`].
//! - [`reference`]: the code lists of `schemas/reference/` (partners, domains, objectives, codes, rates).
//! - [`catalogue`]: every issue code with its severity and English and French messages.
//! - [`report`]: the validation report, exactly SPEC's "The report, as data".
//! - [`sheet`]: the row model every reader produces; [`read`]: the readers.
//! - [`parse`]: dates, amounts, countries, codes; [`validate`]: rows to records and issues.
//! - [`template`]: the official template; [`dataset`]: the consolidated workbook, JSON and CSV.
//! - [`annotate`]: the partner's workbook given back with problem cells coloured and commented.
//! - [`figures`]: the one computation of a round's figures ([`tracker`], [`duplicates`], [`changes`] feed it);
//!   [`outputs`] builds every published file from it, [`summary`] renders the Committee summaries.
//! - [`messages`]: the NATS subjects and message bodies the services exchange.

pub mod annotate;
pub mod catalogue;
pub mod changes;
pub mod dataset;
pub mod duplicates;
pub mod figures;
pub mod messages;
pub mod outputs;
pub mod parse;
pub mod read;
pub mod record;
pub mod reference;
pub mod report;
pub mod sheet;
pub mod summary;
pub mod template;
mod threads;
pub mod tracker;
pub mod validate;

pub use record::{FIELDS, Field, Initiative};
pub use report::{Counts, Issue, Report, Severity, Verdict};
pub use validate::{Limits, validate, validate_into, validate_path_into, validate_with};

/// The language of a user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// The ISO 639-1 code: `en` or `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            other => Err(format!("unknown language {other:?}: use en or fr")),
        }
    }
}
