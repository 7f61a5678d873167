//! jvap-outputs: everything published from a round's accepted initiatives, and the blank template.
//!
//! It never reads a partner's file: it starts from records already validated ([`round`]), so the
//! aggregation service links no spreadsheet reader.
//!
//! # Layout
//! Each module uses only those listed before it.
//! - [`round`]: what a dataset version is built from ([`RoundData`]): its initiatives, each with its
//!   warnings, joined from a report in one place ([`round::DatasetInitiative::from_report`]).
//! - [`changes`]: the change log against the previous version; [`duplicates`]: possible duplicates
//!   across partners.
//! - [`figures`]: the one computation of a version's figures, from the tracker, changes and duplicates.
//! - [`dataset`]: the consolidated workbook, JSON and CSV; [`summary`]: the Committee summaries.
//! - [`files`]: every published file of a version ([`build`], or [`build_in`] a language for the
//!   workbook), from one [`figures::Figures`].
//! - [`template`]: the official template, generated from the record's fields.
//! - [`issues`]: a report's issue list as CSV or xlsx, to share with whoever fixes the file.

pub mod changes;
pub mod dataset;
pub mod duplicates;
pub mod figures;
pub mod files;
pub mod issues;
pub mod round;
pub mod summary;
pub mod template;
mod threads;

#[cfg(test)]
pub(crate) mod sample;

pub use files::{DatasetFile, OutputFile, XLSX, build, build_in};
pub use round::{DatasetInitiative, DatasetMeta, RoundData};
