//! Each field's vocabulary: the words of its headers and synonyms (`fields.csv`) and the weighted words
//! of `schemas/header_words.csv`, stemmed as headers are.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::words::{Words, words};
use jvap_record::record::FIELDS;

/// The weight each word of a template header or synonym gives its field.
const NAME_WEIGHT: i32 = 2;

/// What the words of headers say about the fields.
pub(crate) struct Vocabulary {
    /// By field, in `FIELDS` order.
    pub fields: Vec<FieldWords>,
    /// Stems that say nothing about any field and are held against none.
    pub neutral: HashSet<String>,
}

/// The words of one field.
#[derive(Default)]
pub(crate) struct FieldWords {
    pub terms: Vec<Term>,
    /// A header holding every stem of one of these is never the field.
    pub never: Vec<Vec<String>>,
    /// The field's headers and synonyms as sorted stems (small and neutral words left out): a header
    /// with exactly these words says the field as well as the template does.
    pub names: Vec<Vec<String>>,
}

/// Words that count for a field when all of them are in a header.
pub(crate) struct Term {
    pub stems: Vec<String>,
    pub weight: i32,
}

pub(crate) static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let rows = rows(include_str!("../../../../../schemas/header_words.csv"));
    let neutral: HashSet<String> = rows
        .iter()
        .filter(|row| row.field == "*")
        .flat_map(|row| words(&row.words).main)
        .collect();
    let fields = FIELDS
        .iter()
        .map(|field| {
            let mut own = FieldWords::default();
            let names = [&field.header_en, &field.header_fr]
                .into_iter()
                .chain(field.synonyms.iter());
            for name in names {
                let stems = words(name).main;
                let mut key: Vec<String> = stems
                    .iter()
                    .filter(|s| !neutral.contains(*s))
                    .cloned()
                    .collect();
                key.sort_unstable();
                if !key.is_empty() && !own.names.contains(&key) {
                    own.names.push(key);
                }
                if !stems.is_empty() {
                    own.terms.push(Term {
                        stems,
                        weight: NAME_WEIGHT,
                    });
                }
            }
            for row in rows.iter().filter(|row| row.field == field.key) {
                let stems = signal_or_words(&row.words);
                match row.weight {
                    None => own.never.push(stems),
                    Some(weight) => own.terms.push(Term { stems, weight }),
                }
            }
            own.terms.retain(|t| !t.stems.is_empty());
            own.never.retain(|t| !t.is_empty());
            own
        })
        .collect();
    Vocabulary { fields, neutral }
});

/// The stems of a vocabulary entry: its words as a header's, or a signal (`#currency`) as it is.
fn signal_or_words(text: &str) -> Vec<String> {
    if text.starts_with('#') {
        return vec![text.to_string()];
    }
    let Words { mut main, aside } = words(text);
    main.extend(aside);
    main
}

/// One line of `header_words.csv`; a weight of `None` is `never`.
pub(crate) struct Row {
    pub field: String,
    pub words: String,
    pub weight: Option<i32>,
}

pub(crate) fn rows(text: &str) -> Vec<Row> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(Result::ok)
        .filter_map(|record| {
            let weight = match record.get(2)?.trim() {
                "never" => None,
                number => Some(number.parse().ok()?),
            };
            Some(Row {
                field: record.get(0)?.trim().to_string(),
                words: record.get(1)?.trim().to_string(),
                weight,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_vocabulary_names_a_field_and_a_weight() {
        let text = include_str!("../../../../../schemas/header_words.csv");
        let lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        let rows = rows(text);
        // The header line is not a row.
        assert_eq!(rows.len(), lines - 1, "a line that does not parse");
        for row in &rows {
            let known = row.field == "*" || FIELDS.iter().any(|f| f.key == row.field);
            assert!(known, "{} is not a field of fields.csv", row.field);
            assert!(
                row.weight.is_none_or(|w| (0..=3).contains(&w)),
                "{}: {}",
                row.field,
                row.words
            );
            assert!(
                !signal_or_words(&row.words).is_empty(),
                "{:?} has no word",
                row.words
            );
        }
    }

    #[test]
    fn each_field_has_words_of_its_own() {
        assert_eq!(VOCABULARY.fields.len(), FIELDS.len());
        for (field, own) in FIELDS.iter().zip(&VOCABULARY.fields) {
            assert!(own.terms.iter().any(|t| t.weight == 3), "{}", field.key);
        }
    }
}
