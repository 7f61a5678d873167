//! A header's words as matching compares them: folded, small words dropped, EN and FR endings
//! stemmed, and what brackets hold (units, explanations) kept aside.

use jvap_record::reference::EUR_RATES;

/// The signal that a header names a currency: `(EUR)`, `€`, `en euros`.
pub(crate) const CURRENCY: &str = "#currency";
/// The signal that a header names one year: `Budget 2021`.
pub(crate) const YEAR: &str = "#year";

/// A header cell's words, stemmed, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Words {
    /// The words outside brackets, in order.
    pub main: Vec<String>,
    /// The words inside brackets and the signals [`CURRENCY`] and [`YEAR`]: they may say what the
    /// column is, and are never held against a field that does not explain them.
    pub aside: Vec<String>,
}

impl Words {
    /// Whether the header holds this stem, outside or inside brackets.
    pub(crate) fn has(&self, stem: &str) -> bool {
        self.main.iter().chain(&self.aside).any(|s| s == stem)
    }

    /// Every stem, each once.
    pub(crate) fn all(&self) -> impl Iterator<Item = &String> {
        let main = &self.main;
        main.iter()
            .chain(self.aside.iter().filter(move |s| !main.contains(s)))
    }
}

/// Words too small to say anything, EN and FR (one-letter words are dropped too).
const SMALL: &[&str] = &[
    "the", "of", "and", "or", "for", "in", "on", "by", "with", "at", "as", "is", "are", "be",
    "its", "this", "that", "if", "any", "le", "la", "les", "de", "du", "des", "un", "une", "et",
    "ou", "en", "au", "aux", "pour", "sur", "dans", "avec", "sa", "son", "ses", "leur", "leurs",
    "qui", "que", "est", "sont",
];

/// Words whose ending is part of the word.
const KEEP: &[&str] = &["pays", "fonds", "status", "progress", "address"];

/// Endings removed after the plural, longest first; at least [`MIN_STEM`] letters stay.
const ENDINGS: &[&str] = &[
    "issement", "ement", "ment", "ation", "ition", "ical", "ique", "ance", "ence", "iere", "aire",
    "ing", "ion", "ial", "ier", "eur", "ive", "ite", "ity", "ee", "ed", "er", "if", "al", "ic",
    "e",
];

const MIN_STEM: usize = 4;

/// Read a header cell's text into its words.
pub(crate) fn words(text: &str) -> Words {
    let text = without_plural_marks(text);
    let mut main = String::new();
    let mut aside = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                aside.push(' ');
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                aside.push(' ');
            }
            _ if depth > 0 => aside.push(c),
            _ => main.push(c),
        }
    }
    let mut words = Words::default();
    let mut signals = Signals::default();
    stems_into(&main, &mut words.main, &mut signals);
    stems_into(&aside, &mut words.aside, &mut signals);
    if signals.currency {
        words.aside.push(CURRENCY.to_string());
    }
    if signals.years == 1 {
        words.aside.push(YEAR.to_string());
    }
    words
}

#[derive(Default)]
struct Signals {
    currency: bool,
    years: usize,
}

/// `Country(ies)`, `organisation(s)`, `concerné(e)s` without their plural marks: a bracket right
/// after a letter, holding at most three letters.
fn without_plural_marks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('(') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let before = &rest[..open];
        let after = &rest[open + 1..];
        let mark = after.find(')').filter(|&close| {
            let inside = &after[..close];
            close <= 3 * 4 && inside.chars().count() <= 3 && inside.chars().all(char::is_alphabetic)
        });
        let glued = before.chars().last().is_some_and(char::is_alphabetic);
        out.push_str(before);
        match mark {
            Some(close) if glued => rest = &after[close + 1..],
            _ => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn stems_into(text: &str, out: &mut Vec<String>, signals: &mut Signals) {
    if text.contains(['€', '$', '£']) {
        signals.currency = true;
    }
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        if raw.len() == 3
            && raw.bytes().all(|b| b.is_ascii_uppercase())
            && EUR_RATES.contains_key(raw)
        {
            signals.currency = true;
            continue;
        }
        let word = jvap_record::text::fold(raw);
        if word.bytes().all(|b| b.is_ascii_digit()) {
            if word.len() == 4 && ("1900".."2101").contains(&word.as_str()) {
                signals.years += 1;
            }
            continue;
        }
        if word == "euro" || word == "euros" {
            signals.currency = true;
            continue;
        }
        if word.len() < 2 || SMALL.contains(&word.as_str()) {
            continue;
        }
        let stem = stem(&word);
        if !out.contains(&stem) {
            out.push(stem);
        }
    }
}

/// A folded word's stem: its EN or FR plural and one common ending removed (`countries` → `country`,
/// `funders` and `funding` → `fund`, `lancement` → `lanc`). The vocabulary lists English and French
/// words apart, so the stem only needs to join the forms of one word.
pub(crate) fn stem(word: &str) -> String {
    if KEEP.contains(&word) {
        return word.to_string();
    }
    let mut w = word.replace("iz", "is");
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 4 && w.ends_with("aux") {
        w.truncate(w.len() - 3);
        w.push_str("al");
    } else if w.len() > 3 && ((w.ends_with('s') && !w.ends_with("ss")) || w.ends_with('x')) {
        w.pop();
    }
    // A French feminine or a silent e (`globale`, `finance`): `global` and `financ` after it.
    if w.len() > MIN_STEM && w.ends_with('e') {
        w.pop();
    }
    if let Some(ending) = ENDINGS
        .iter()
        .find(|e| w.len() >= e.len() + MIN_STEM && w.ends_with(*e))
    {
        w.truncate(w.len() - ending.len());
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn main(text: &str) -> Vec<String> {
        words(text).main
    }

    #[test]
    fn forms_of_one_word_share_a_stem_in_english_and_french() {
        for (a, b) in [
            ("countries", "country"),
            ("funders", "funding"),
            ("fund", "funder"),
            ("financing", "financement"),
            ("financier", "financeur"),
            ("implementing", "implementation"),
            ("implementers", "implemented"),
            ("organization", "organisations"),
            ("domaines", "domaine"),
            ("lancement", "lance"),
            ("bailleurs", "bailleur"),
            ("beneficiaires", "beneficiaire"),
            ("disbursed", "disbursement"),
            ("globale", "global"),
            ("enveloppe", "enveloppes"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("pays"), stem("payment"));
        assert_ne!(stem("final"), stem("fin"));
    }

    #[test]
    fn small_words_accents_case_and_plural_marks_go() {
        assert_eq!(main("Date de début"), vec!["date", "debut"]);
        assert_eq!(main("Country(ies)"), vec!["country"]);
        assert_eq!(main("Pays concerné(e)s"), main("pays concernes"));
        assert_eq!(
            main("Organisation(s) de mise en œuvre"),
            vec!["organis", "mise", "oeuvr"]
        );
        assert_eq!(main("E-MAIL"), vec!["mail"]);
    }

    #[test]
    fn brackets_currencies_and_years_are_kept_aside() {
        let w = words("Montant global (EUR)");
        assert_eq!(w.main, vec!["montant", "glob"]);
        assert_eq!(w.aside, vec![CURRENCY]);
        let w = words("Start date (or adoption date for a policy)");
        assert_eq!(w.main, vec!["start", "date"]);
        assert!(w.has("adopt") && w.has("policy"));
        assert_eq!(words("Budget 2021").aside, vec![YEAR]);
        assert!(words("Budget 2016-2020").aside.is_empty());
        assert_eq!(words("Coût en euros").aside, vec![CURRENCY]);
        assert_eq!(words("Total (€)").aside, vec![CURRENCY]);
        assert_eq!(words("all costs").aside, Vec::<String>::new());
    }
}
