//! Header matching by meaning: how well a header's words say each field.
//!
//! A header is folded, split into words, stemmed in English and French ([`words`]) and compared with
//! each field's vocabulary ([`vocabulary`]: its template headers and synonyms, and the weighted words
//! of `schemas/header_words.csv`). For each field, each word of the header earns the best weight of the
//! field's terms that match (a term matches when all its words are in the header), and each word
//! outside brackets that the field does not explain costs 1. A header with exactly the words of a
//! template header or synonym scores [`SAME_WORDS`]; one holding a `never` term of a field is never
//! that field. [`assign`] then gives each column to at most one field, for the best total.
//!
//! # Layout
//! - [`words`]: normalising and stemming; [`vocabulary`]: the fields' words; [`assign`]: the
//!   one-to-one assignment.

pub(crate) mod assign;
pub(crate) mod vocabulary;
pub(crate) mod words;

use vocabulary::{FieldWords, VOCABULARY};
pub(crate) use words::Words;

/// A header scoring this much for a field is read as that field (when the assignment gives it).
pub(crate) const READ_AT: i32 = 3;
/// A header scoring this much (and less than [`READ_AT`]) is only named as the probable column of a
/// required field that has none.
pub(crate) const PROBABLE_AT: i32 = 2;
/// The score of a header whose words are exactly those of a template header or synonym
/// (`Implementing organisation`, `Countries of implementation (ISO)`).
pub(crate) const SAME_WORDS: i32 = 10;

/// Headers longer than this are sentences, not column names: they are not scored.
const MAX_HEADER_CHARS: usize = 120;

/// How well a header says a field; `None` when it can never be that field.
pub(crate) type Score = Option<i32>;

/// The words of a header, or `None` for text too long to be a column name.
pub(crate) fn header_words(text: &str) -> Option<Words> {
    (text.len() <= MAX_HEADER_CHARS).then(|| words::words(text))
}

/// The score of a header's words for every field, in `FIELDS` order.
pub(crate) fn scores(words: &Words) -> Vec<Score> {
    VOCABULARY
        .fields
        .iter()
        .map(|field| score(words, field))
        .collect()
}

fn score(words: &Words, field: &FieldWords) -> Score {
    if field
        .never
        .iter()
        .any(|term| term.iter().all(|stem| words.has(stem)))
    {
        return None;
    }
    let neutral = &VOCABULARY.neutral;
    let mut own: Vec<&String> = words
        .main
        .iter()
        .filter(|s| !neutral.contains(*s))
        .collect();
    own.sort_unstable();
    if !own.is_empty()
        && field
            .names
            .iter()
            .any(|name| name.iter().eq(own.iter().copied()))
    {
        return Some(SAME_WORDS);
    }
    let mut total = 0;
    for stem in words.all() {
        let credit = field
            .terms
            .iter()
            .filter(|term| term.stems.contains(stem))
            .filter(|term| term.stems.iter().all(|s| words.has(s)))
            .map(|term| term.weight)
            .max();
        match credit {
            Some(weight) => total += weight,
            None if words.main.contains(stem) && !neutral.contains(stem) => total -= 1,
            None => {}
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests;
