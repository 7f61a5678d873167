//! Numbers, money, percentages and dates written the way each language writes them.
//!
//! English groups thousands with commas (`1,234,567`) and writes decimals with a point; French groups
//! with a narrow no-break space (`1 234 567`) and writes decimals with a comma. Money is formatted
//! from its exact decimal value: no amount goes through a floating-point number on its way to the page.

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::figures::Money;
use jvap_record::Lang;

/// The French thousands separator: U+202F NARROW NO-BREAK SPACE.
pub const FR_GROUP: char = '\u{202F}';
/// The no-break space French puts between a number and its unit (`€`, `%`).
const NBSP: char = '\u{00A0}';

/// A count: `1,234` / `1 234`.
pub fn count(n: u64, lang: Lang) -> String {
    group(&n.to_string(), lang)
}

/// An amount in full, exact to the cent, without a currency: `1,234,567.50` / `1 234 567,50`.
/// Always two decimals, so the figures of a column line up on the decimal mark.
pub fn amount(money: Money, lang: Lang) -> String {
    let mut cents = money.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    cents.rescale(2);
    decimal(cents, lang)
}

/// An amount in full with its currency, in a sentence: `EUR 1,234,567` / `1 234 567 €`, and
/// `EUR 1,234,567.50` when there are cents.
pub fn money_full(money: Money, lang: Lang) -> String {
    let full = amount(money, lang);
    let whole_euros = format!("{}00", decimal_mark(lang));
    let text = full.strip_suffix(&whole_euros).unwrap_or(&full);
    match lang {
        Lang::En => format!("EUR {text}"),
        Lang::Fr => format!("{text}{NBSP}€"),
    }
}

/// An amount rounded for a headline: `€1.2 million`, `€3.4 billion`, `€850,000`
/// (`1,2 million d'euros`, `3,4 milliards d'euros`, `850 000 €` in French).
pub fn money_short(money: Money, lang: Lang) -> String {
    let million = Decimal::from(1_000_000);
    let billion = Decimal::from(1_000_000_000);
    let one_decimal = |value: Decimal| {
        value
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    };
    let (value, billions) = if money.abs() >= billion {
        (one_decimal(money / billion), true)
    } else if money.abs() >= million {
        let millions = one_decimal(money / million);
        // 999.96 million reads better as 1 billion than as 1,000 million.
        if millions.abs() >= Decimal::from(1000) {
            (one_decimal(money / billion), true)
        } else {
            (millions, false)
        }
    } else {
        let euros = money.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        return match lang {
            Lang::En => format!("€{}", decimal(euros, lang)),
            Lang::Fr => format!("{}{NBSP}€", decimal(euros, lang)),
        };
    };
    let number = decimal(value, lang);
    match lang {
        Lang::En => format!("€{number} {}", if billions { "billion" } else { "million" }),
        Lang::Fr => {
            let plural = value.abs() >= Decimal::from(2);
            let unit = match (billions, plural) {
                (true, true) => "milliards",
                (true, false) => "milliard",
                (false, true) => "millions",
                (false, false) => "million",
            };
            format!("{number} {unit} d'euros")
        }
    }
}

/// A percentage as given (`85.7%` / `85,7 %`), trailing zeros dropped (`100%`).
pub fn percent(value: Decimal, lang: Lang) -> String {
    let number = decimal(value.normalize(), lang);
    match lang {
        Lang::En => format!("{number}%"),
        Lang::Fr => format!("{number}{FR_GROUP}%"),
    }
}

/// A score between 0 and 1 with two decimals: `0.87` / `0,87`.
pub fn score(value: f64, lang: Lang) -> String {
    let text = format!("{value:.2}");
    match lang {
        Lang::En => text,
        Lang::Fr => text.replace('.', ","),
    }
}

/// A date and time in UTC: `27 November 2026, 21:43 UTC` / `27 novembre 2026, 21 h 43 UTC`.
pub fn date_time(at: DateTime<Utc>, lang: Lang) -> String {
    let (hour, minute) = (at.hour(), at.minute());
    match lang {
        Lang::En => format!("{}, {hour:02}:{minute:02} UTC", date(at, lang)),
        Lang::Fr => format!("{}, {hour}{NBSP}h{NBSP}{minute:02} UTC", date(at, lang)),
    }
}

/// A date: `27 November 2026` / `27 novembre 2026`.
pub fn date(at: DateTime<Utc>, lang: Lang) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = at.month0() as usize;
    let (day, year) = (at.day(), at.year());
    match lang {
        Lang::En => format!("{day} {} {year}", EN[month]),
        // The first of the month is written `1er` in French.
        Lang::Fr if day == 1 => format!("1er {} {year}", FR[month]),
        Lang::Fr => format!("{day} {} {year}", FR[month]),
    }
}

fn decimal_mark(lang: Lang) -> char {
    match lang {
        Lang::En => '.',
        Lang::Fr => ',',
    }
}

/// A decimal as written, digits grouped, with the language's decimal mark.
fn decimal(value: Decimal, lang: Lang) -> String {
    let text = value.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    let whole = group(whole, lang);
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}{}{fraction}", decimal_mark(lang))
    }
}

/// Digits grouped by three from the right.
fn group(digits: &str, lang: Lang) -> String {
    let separator = match lang {
        Lang::En => ',',
        Lang::Fr => FR_GROUP,
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    fn money(text: &str) -> Money {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn counts_group_thousands_per_language() {
        assert_eq!(count(1_234_567, Lang::En), "1,234,567");
        assert_eq!(count(1_234_567, Lang::Fr), "1\u{202F}234\u{202F}567");
        assert_eq!(count(999, Lang::En), "999");
        assert_eq!(count(0, Lang::Fr), "0");
    }

    #[test]
    fn amounts_are_exact_to_the_cent() {
        assert_eq!(amount(money("1234567"), Lang::En), "1,234,567.00");
        assert_eq!(amount(money("1234567.5"), Lang::En), "1,234,567.50");
        assert_eq!(
            amount(money("1234567.05"), Lang::Fr),
            "1\u{202F}234\u{202F}567,05"
        );
        // Beyond what an f64 holds exactly.
        assert_eq!(
            amount(money("98765432109876.01"), Lang::En),
            "98,765,432,109,876.01"
        );
        assert_eq!(amount(money("0.005"), Lang::En), "0.01");
        assert_eq!(money_full(money("1234567"), Lang::En), "EUR 1,234,567");
        assert_eq!(money_full(money("1234567.5"), Lang::En), "EUR 1,234,567.50");
        assert_eq!(
            money_full(money("1234567.4"), Lang::Fr),
            "1\u{202F}234\u{202F}567,40\u{A0}€"
        );
    }

    #[test]
    fn headline_money_reads_in_millions_and_billions() {
        assert_eq!(money_short(money("1234567"), Lang::En), "€1.2 million");
        assert_eq!(
            money_short(money("1234567"), Lang::Fr),
            "1,2 million d'euros"
        );
        assert_eq!(
            money_short(money("25000000"), Lang::Fr),
            "25 millions d'euros"
        );
        assert_eq!(money_short(money("3450000000"), Lang::En), "€3.5 billion");
        assert_eq!(
            money_short(money("3450000000"), Lang::Fr),
            "3,5 milliards d'euros"
        );
        assert_eq!(money_short(money("999960000"), Lang::En), "€1 billion");
        assert_eq!(money_short(money("850000.40"), Lang::En), "€850,000");
        assert_eq!(
            money_short(money("850000"), Lang::Fr),
            "850\u{202F}000\u{A0}€"
        );
    }

    #[test]
    fn percentages_and_dates_per_language() {
        assert_eq!(percent(money("85.7"), Lang::En), "85.7%");
        assert_eq!(percent(money("85.7"), Lang::Fr), "85,7\u{202F}%");
        assert_eq!(percent(money("100.0"), Lang::En), "100%");
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 9, 5, 0).unwrap();
        assert_eq!(date_time(at, Lang::En), "27 November 2026, 09:05 UTC");
        assert_eq!(
            date_time(at, Lang::Fr),
            "27 novembre 2026, 9\u{A0}h\u{A0}05 UTC"
        );
        let first = Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0).unwrap();
        assert_eq!(date(first, Lang::Fr), "1er août 2026");
    }
}
