//! Parsers for the values partners write: dates, amounts, countries, domains and code lists.
//!
//! Every function here is pure: a cell's text (or value) in, a normalised value or a reason out. The
//! validator decides which issue each outcome becomes.
//!
//! # Layout
//! Text folding and the countries are in `jvap_record` (`text`, `country`): the outputs use them too.
//! - [`date`]: Excel date cells, serial numbers and text dates in EN and FR.
//! - [`amount`]: budgets with thousands separators, decimal commas, currency symbols and `m` suffixes.
//! - [`codes`]: code lists, JVAP domains, priorities, Marrakesh objectives and funders.

pub mod amount;
pub mod codes;
pub mod date;
