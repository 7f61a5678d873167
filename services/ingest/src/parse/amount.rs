//! Amounts as partners write them: `1,200,000`, `1 200 000`, `1.200.000,00`, `€1.2m`, `USD 2.5m`,
//! `3 450 000 EUR`, `500 000 000 XOF`. Returns the value, the currency named in the text, and whether the
//! separators could be read two ways (`1,500` alone).

use crate::sheet::CellValue;

/// An amount read from a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAmount {
    pub value: f64,
    /// An ISO 4217 code named in the text by symbol or code, if any.
    pub currency: Option<String>,
    /// The only separator could be a thousands or a decimal separator (`1,500`, `1.500`).
    pub ambiguous: bool,
}

/// Read a cell as an amount. `None` when it is not a number.
pub fn parse_amount(value: &CellValue) -> Option<ParsedAmount> {
    match value {
        CellValue::Number(n) if n.is_finite() => Some(ParsedAmount {
            value: *n,
            currency: None,
            ambiguous: false,
        }),
        CellValue::Text(s) => parse_amount_text(s),
        _ => None,
    }
}

/// Read an amount written as text.
pub fn parse_amount_text(s: &str) -> Option<ParsedAmount> {
    let (rest, currency) = take_currency(s.trim())?;
    let (rest, multiplier) = take_multiplier(rest.trim());
    let (negative, digits) = take_sign(rest.trim());
    let (number, ambiguous) = read_number(digits, multiplier != 1.0)?;
    let value = if negative { -number } else { number } * multiplier;
    // 310 digits, or fewer with a scale word, overflow to infinity: not an amount anyone can budget.
    if !value.is_finite() {
        return None;
    }
    Some(ParsedAmount {
        value,
        currency,
        ambiguous,
    })
}

/// Symbols and words that name a currency, mapped to ISO 4217.
const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("€", "EUR"),
    ("$", "USD"),
    ("£", "GBP"),
    ("FCFA", "XOF"),
    ("CFA", "XOF"),
    ("euros", "EUR"),
    ("euro", "EUR"),
];

/// Take a currency symbol or code from the start or end of the text. `None` when the text names two
/// different currencies.
fn take_currency(s: &str) -> Option<(&str, Option<String>)> {
    let (rest, first) = strip_currency(s);
    let (rest, second) = strip_currency(rest.trim());
    match (first, second) {
        (Some(a), Some(b)) if a != b => None,
        (a, b) => Some((rest, a.or(b))),
    }
}

fn strip_currency(s: &str) -> (&str, Option<String>) {
    for (word, code) in CURRENCY_WORDS {
        if let Some(rest) = strip_prefix_ci(s, word).or_else(|| strip_suffix_ci(s, word)) {
            return (rest, Some((*code).to_string()));
        }
    }
    strip_iso_code(s)
}

/// A three-letter code at either end, separated from the number by a space or nothing (`USD 2.5m`,
/// `3 450 000 EUR`, `CHF3,400,000`).
fn strip_iso_code(s: &str) -> (&str, Option<String>) {
    let is_code = |c: &str| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic());
    if let Some(code) = s.get(..3).filter(|c| is_code(c)) {
        let rest = &s[3..];
        if rest.starts_with(|c: char| !c.is_ascii_alphabetic()) {
            return (rest, Some(code.to_ascii_uppercase()));
        }
    }
    let cut = s.len().saturating_sub(3);
    if let Some(code) = s.get(cut..).filter(|c| is_code(c)) {
        let rest = &s[..cut];
        if rest.ends_with(|c: char| c.is_whitespace() || c.is_ascii_digit()) {
            return (rest, Some(code.to_ascii_uppercase()));
        }
    }
    (s, None)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

/// A trailing `m`, `mn`, `million(s)`, `k`, `bn` scale word.
fn take_multiplier(s: &str) -> (&str, f64) {
    const SCALES: &[(&str, f64)] = &[
        ("millions", 1e6),
        ("million", 1e6),
        ("billions", 1e9),
        ("billion", 1e9),
        ("mio", 1e6),
        ("mn", 1e6),
        ("bn", 1e9),
        ("m", 1e6),
        ("k", 1e3),
    ];
    for (word, scale) in SCALES {
        if let Some(rest) = strip_suffix_ci(s, word)
            && rest.trim_end().ends_with(|c: char| c.is_ascii_digit())
        {
            return (rest.trim_end(), *scale);
        }
    }
    (s, 1.0)
}

fn take_sign(s: &str) -> (bool, &str) {
    match s.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s.strip_prefix('+').unwrap_or(s).trim_start()),
    }
}

/// Read digits with thousands and decimal separators. With a scale word (`1.200m`) a lone separator is
/// a decimal point.
fn read_number(s: &str, scaled: bool) -> Option<(f64, bool)> {
    let compact: String = s
        .chars()
        .filter(|c| !is_group_space(*c) && *c != '\'' && *c != '’')
        .collect();
    if compact.is_empty()
        || !compact
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    let (integer, fraction, ambiguous) = split_separators(&compact, scaled)?;
    let plain = format!("{integer}.{fraction}");
    plain.parse().ok().map(|v| (v, ambiguous))
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}')
}

/// The integer digits, the fraction digits and the ambiguity of a number with `,` and `.` in it.
fn split_separators(s: &str, scaled: bool) -> Option<(String, String, bool)> {
    let last = s.rfind([',', '.']);
    let Some(at) = last else {
        return Some((s.to_string(), "0".into(), false));
    };
    let sep = s[at..].chars().next()?;
    let other = if sep == ',' { '.' } else { ',' };
    let count = s.matches(sep).count();
    let after = &s[at + 1..];
    if s.contains(other) || (count == 1 && (after.len() != 3 || scaled || s.starts_with("0"))) {
        let integer = &s[..at];
        let integer_sep = if s.contains(other) { other } else { sep };
        let digits = thousands(integer, integer_sep)?;
        return Some((digits, non_empty(after)?, false));
    }
    let digits = thousands(s, sep)?;
    Some((digits, "0".into(), count == 1))
}

/// Remove thousands separators, checking every group after the first has three digits.
fn thousands(s: &str, sep: char) -> Option<String> {
    let groups: Vec<&str> = s.split(sep).collect();
    let (first, rest) = groups.split_first()?;
    let ok = !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    (ok && (groups.len() == 1 || first.len() <= 3)).then(|| groups.concat())
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn amount(s: &str) -> Option<(f64, Option<&'static str>, bool)> {
        let parsed = parse_amount_text(s)?;
        let currency = parsed.currency.as_deref().map(|c| match c {
            "EUR" => "EUR",
            "USD" => "USD",
            "GBP" => "GBP",
            "CHF" => "CHF",
            "XOF" => "XOF",
            _ => "other",
        });
        Some((parsed.value, currency, parsed.ambiguous))
    }

    #[test]
    fn plain_and_grouped_numbers_are_read() {
        assert_eq!(amount("1200000"), Some((1_200_000.0, None, false)));
        assert_eq!(amount("1,200,000"), Some((1_200_000.0, None, false)));
        assert_eq!(amount("1 200 000"), Some((1_200_000.0, None, false)));
        assert_eq!(
            amount("1\u{a0}200\u{a0}000"),
            Some((1_200_000.0, None, false))
        );
        assert_eq!(
            amount("1\u{202f}200\u{202f}000"),
            Some((1_200_000.0, None, false))
        );
        assert_eq!(amount("1'200'000"), Some((1_200_000.0, None, false)));
    }

    #[test]
    fn decimal_commas_and_dot_thousands_are_read() {
        assert_eq!(amount("1.200.000,00"), Some((1_200_000.0, None, false)));
        assert_eq!(amount("1 250 000,00"), Some((1_250_000.0, None, false)));
        assert_eq!(amount("2.750.000,00"), Some((2_750_000.0, None, false)));
        assert_eq!(amount("1,200,000.50"), Some((1_200_000.5, None, false)));
        assert_eq!(amount("1250000,5"), Some((1_250_000.5, None, false)));
    }

    #[test]
    fn currency_symbols_and_codes_are_found_on_either_side() {
        assert_eq!(
            amount("€1,200,000"),
            Some((1_200_000.0, Some("EUR"), false))
        );
        assert_eq!(
            amount("3 450 000 EUR"),
            Some((3_450_000.0, Some("EUR"), false))
        );
        assert_eq!(
            amount("CHF 3,400,000"),
            Some((3_400_000.0, Some("CHF"), false))
        );
        assert_eq!(
            amount("500 000 000 XOF"),
            Some((500_000_000.0, Some("XOF"), false))
        );
        assert_eq!(amount("£750,000"), Some((750_000.0, Some("GBP"), true)));
        assert_eq!(
            amount("1 000 000 €"),
            Some((1_000_000.0, Some("EUR"), false))
        );
        assert_eq!(
            amount("usd3400000"),
            Some((3_400_000.0, Some("USD"), false))
        );
        assert_eq!(
            amount("2 000 000 FCFA"),
            Some((2_000_000.0, Some("XOF"), false))
        );
    }

    #[test]
    fn million_suffixes_scale_the_number() {
        assert_eq!(amount("USD 2.5m"), Some((2_500_000.0, Some("USD"), false)));
        assert_eq!(amount("€1.2m"), Some((1_200_000.0, Some("EUR"), false)));
        assert_eq!(amount("1,5 M"), Some((1_500_000.0, None, false)));
        assert_eq!(
            amount("3 million EUR"),
            Some((3_000_000.0, Some("EUR"), false))
        );
        assert_eq!(amount("750k"), Some((750_000.0, None, false)));
    }

    #[test]
    fn negative_amounts_are_values_for_the_rule_to_reject() {
        assert_eq!(amount("-150000"), Some((-150_000.0, None, false)));
        assert_eq!(amount("- 1 000 EUR"), Some((-1_000.0, Some("EUR"), false)));
    }

    #[test]
    fn a_lone_separator_before_three_digits_is_flagged_ambiguous() {
        assert_eq!(amount("1,500"), Some((1_500.0, None, true)));
        assert_eq!(amount("1.500"), Some((1_500.0, None, true)));
        assert_eq!(amount("1.50"), Some((1.5, None, false)));
        assert_eq!(amount("0,500"), Some((0.5, None, false)));
    }

    #[test]
    fn text_that_is_not_an_amount_is_refused() {
        for bad in [
            "",
            "n/a",
            "TBD",
            "1,20,000",
            "12.5.2019",
            "1,,000",
            "€",
            "EUR",
            "1.000,000.00",
            "€100 USD",
            "about 3000",
            "1 200 000 Dollars",
        ] {
            assert_eq!(parse_amount_text(bad), None, "{bad} should be refused");
        }
    }

    #[test]
    fn number_cells_are_taken_as_they_are() {
        let parsed = parse_amount(&CellValue::Number(18_850_000.0)).expect("a number");
        assert_eq!(parsed.value, 18_850_000.0);
        assert_eq!(parse_amount(&CellValue::Bool(true)), None);
    }

    proptest! {
        #[test]
        fn whole_amounts_written_with_any_thousands_style_read_back(n in 1_000u64..10_000_000_000) {
            let plain = n.to_string();
            let grouped = group(&plain);
            for sep in [",", " ", "\u{a0}", "."] {
                let written = grouped.join(sep);
                let parsed = parse_amount_text(&written).expect("parses");
                prop_assert_eq!(parsed.value, n as f64);
            }
            let decimal = format!("{} EUR", grouped.join(".") + ",00");
            prop_assert_eq!(parse_amount_text(&decimal).map(|p| p.value), Some(n as f64));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = parse_amount_text(&s);
        }
    }

    /// Fuzzing `parse_values`: `"9"` repeated 400 times (or `1` and 308 zeros with a `bn` suffix) read
    /// as an infinite budget, which validated as a valid amount and summed to infinity.
    #[test]
    fn amounts_too_large_for_a_number_are_not_amounts() {
        assert_eq!(amount(&"9".repeat(400)), None);
        assert_eq!(amount(&format!("1{}bn", "0".repeat(308))), None);
        assert_eq!(amount(&format!("-{} EUR", "9".repeat(400))), None);
        let largest = format!("1{}", "0".repeat(300));
        assert_eq!(amount(&largest).map(|a| a.0), Some(1e300));
    }

    fn group(digits: &str) -> Vec<String> {
        let head = digits.len() % 3;
        let mut groups = Vec::new();
        if head > 0 {
            groups.push(digits[..head].to_string());
        }
        groups.extend(
            digits.as_bytes()[head..]
                .chunks(3)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
        groups
    }
}
