//! The official template, generated from the record definition.
