//! Parsers for the values partners write: dates, amounts, countries, domains and code lists.
