//! What an accepted submission brings to the database, before it is stored: each initiative with
//! the warnings validation gave its row. The store applies them and [`crate::ids`] gives them their
//! JVAP ids; both read this type, so neither has to know the other's module.

use jvap_record::Initiative;

/// An initiative to add, with the warnings validation gave its row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInitiative {
    pub record: Initiative,
    pub warnings: Vec<String>,
}
