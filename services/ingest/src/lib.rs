//! jvap-ingest: a partner's file read, parsed and validated into a [`Report`], and given back annotated.
//!
//! Everything here reads bytes a partner sent, so it is what the parsing worker (`jvap-worker`) runs
//! under its memory and time caps; nothing above the worker calls it on an upload directly.
//!
//! # Layout
//! - [`sheet`]: the row model every reader produces; [`read`]: the readers (xlsx, xls, xlsb, ods, csv),
//!   with the [`Limits`] they enforce.
//! - [`parse`]: dates, amounts and codes as partners write them; [`validate`]: rows to records and
//!   issues.
//! - [`annotate`]: the partner's workbook given back with problem cells coloured and commented.
//!
//! [`Report`]: jvap_record::Report

pub mod annotate;
pub mod parse;
pub mod read;
pub mod sheet;
pub mod validate;

pub use read::Limits;
pub use validate::{
    validate, validate_checked_into, validate_into, validate_mapped, validate_mapped_into,
    validate_path_checked_into, validate_path_into, validate_path_mapped_into, validate_with,
};
