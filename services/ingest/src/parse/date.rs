//! Dates as partners write them: Excel date cells, serial numbers typed as plain numbers, ISO text,
//! day-first `dd/mm/yyyy` (and `d.m.yy`, `d-m-yyyy`) and `15 mars 2019` / `March 15, 2019` in EN or FR.

use chrono::{Datelike, NaiveDate};

use crate::sheet::CellValue;
use jvap_record::text::fold_words;

/// A date read from a cell; `ambiguous` when the text could also be read month first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    pub date: NaiveDate,
    pub ambiguous: bool,
}

impl ParsedDate {
    fn clear(date: NaiveDate) -> ParsedDate {
        ParsedDate {
            date,
            ambiguous: false,
        }
    }
}

/// The smallest and largest serial numbers read as dates (1927-05-18 and 9999-12-31). Smaller numbers
/// are more likely a year or a typo than a date, and are refused.
const SERIAL_RANGE: std::ops::RangeInclusive<f64> = 10_000.0..=2_958_465.0;

/// Read a cell as a date. `None` when it is not a date or names a day that does not exist.
pub fn parse_date(value: &CellValue) -> Option<ParsedDate> {
    match value {
        CellValue::Date(date) => Some(ParsedDate::clear(*date)),
        CellValue::Number(n) => from_serial(*n).map(ParsedDate::clear),
        CellValue::Text(s) => parse_date_text(s),
        _ => None,
    }
}

/// A 1900-system Excel serial number (44033 is 2020-07-21); the time of day is dropped.
pub fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !SERIAL_RANGE.contains(&serial) {
        return None;
    }
    // Serial 60 is Excel's phantom 1900-02-29; every serial used here is past it, so day 0 is 1899-12-30.
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_days(chrono::Days::new(serial.trunc() as u64))
}

/// Read a date written as text.
pub fn parse_date_text(s: &str) -> Option<ParsedDate> {
    let s = s.trim();
    if let Ok(serial) = s.parse::<f64>() {
        return from_serial(serial).map(ParsedDate::clear);
    }
    parse_numeric(s).or_else(|| parse_words(s))
}

/// Why a date written in the right form names no day (`30/02/2020`): what to say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSuchDay {
    /// The month has fewer days (`30/02/2020`: day 30, month 2, year 2020).
    PastMonthEnd { day: u32, month: u32, year: i32 },
    /// There is no such month (`15/13/2020`).
    NoMonth { month: u32 },
}

/// A text in a date form this reader takes (`dd/mm/yyyy`, ISO) whose day does not exist; `None` for
/// real days and for texts that are no date form at all.
pub fn no_such_day(s: &str) -> Option<NoSuchDay> {
    let date_part = s.trim().split(['T', ' ']).next()?;
    let parts: Vec<&str> = date_part.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if ![a, b, c].iter().all(|p| is_digits(p, 1..=4)) {
        return None;
    }
    let (day, month, year) = if a.len() == 4 {
        (c.parse().ok()?, b.parse().ok()?, a.parse().ok()?)
    } else if a.len() <= 2 && b.len() <= 2 && matches!(c.len(), 2 | 4) {
        let year: i32 = c.parse().ok()?;
        (a.parse().ok()?, b.parse().ok()?, full_year(year, c.len()))
    } else {
        return None;
    };
    if !(1..=12).contains(&month) {
        return Some(NoSuchDay::NoMonth { month });
    }
    let fits = ymd(year, month, day).is_some();
    (!fits && day >= 1 && (1000..=9999).contains(&year)).then_some(NoSuchDay::PastMonthEnd {
        day,
        month,
        year,
    })
}

/// `2019-03-15`, `2019/03/15`, `2019-03-15T00:00:00`, `15/03/2019`, `15.03.19`, `5-3-2019`.
fn parse_numeric(s: &str) -> Option<ParsedDate> {
    let date_part = s.split(['T', ' ']).next()?;
    let parts: Vec<&str> = date_part.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if ![a, b, c].iter().all(|p| is_digits(p, 1..=4)) {
        return None;
    }
    if a.len() == 4 {
        let date = ymd(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)?;
        return Some(ParsedDate::clear(date));
    }
    day_first(a, b, c)
}

fn day_first(d: &str, m: &str, y: &str) -> Option<ParsedDate> {
    if d.len() > 2 || m.len() > 2 || y.len() == 3 || y.len() == 1 {
        return None;
    }
    let (day, month): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
    let date = ymd(full_year(y.parse().ok()?, y.len()), month, day)?;
    Some(ParsedDate {
        date,
        ambiguous: day <= 12 && month <= 12 && day != month,
    })
}

/// A two-digit year is in 2000..=2069 when below 70, else in the 1900s.
fn full_year(year: i32, digits: usize) -> i32 {
    match (digits, year) {
        (2, y) if y < 70 => 2000 + y,
        (2, y) => 1900 + y,
        (_, y) => y,
    }
}

/// `15 mars 2019`, `1er mai 2018`, `15 March 2019`, `March 15, 2019`, `15-Mar-2019`.
fn parse_words(s: &str) -> Option<ParsedDate> {
    let folded = fold_words(s);
    let words: Vec<&str> = folded.split(' ').collect();
    let (day, month, year) = match words.as_slice() {
        [d, m, y] if month_number(m).is_some() => (*d, month_number(m)?, *y),
        [m, d, y] if month_number(m).is_some() => (*d, month_number(m)?, *y),
        _ => return None,
    };
    let day = day.strip_suffix("er").unwrap_or(day);
    if !is_digits(day, 1..=2) || !is_digits(year, 2..=4) || year.len() == 3 {
        return None;
    }
    let date = ymd(
        full_year(year.parse().ok()?, year.len()),
        month,
        day.parse().ok()?,
    )?;
    Some(ParsedDate::clear(date))
}

/// The month of an English or French month name or common abbreviation, accents already folded.
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["january", "jan", "janvier", "janv"],
        &["february", "feb", "fevrier", "fev", "fevr"],
        &["march", "mar", "mars"],
        &["april", "apr", "avril", "avr"],
        &["may", "mai"],
        &["june", "jun", "juin"],
        &["july", "jul", "juillet", "juil"],
        &["august", "aug", "aout"],
        &["september", "sep", "sept", "septembre"],
        &["october", "oct", "octobre"],
        &["november", "nov", "novembre"],
        &["december", "dec", "decembre"],
    ];
    let index = MONTHS.iter().position(|names| names.contains(&word))?;
    u32::try_from(index + 1).ok()
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).filter(|d| (1000..=9999).contains(&d.year()))
}

fn is_digits(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn text(s: &str) -> Option<ParsedDate> {
        parse_date(&CellValue::Text(s.into()))
    }

    #[test]
    fn date_cells_are_taken_as_they_are() {
        let parsed = parse_date(&CellValue::Date(d(2017, 1, 28)));
        assert_eq!(parsed, Some(ParsedDate::clear(d(2017, 1, 28))));
    }

    #[test]
    fn serial_numbers_typed_as_plain_numbers_are_excel_dates() {
        assert_eq!(
            parse_date(&CellValue::Number(44033.0)).map(|p| p.date),
            Some(d(2020, 7, 21))
        );
        assert_eq!(text("43466").map(|p| p.date), Some(d(2019, 1, 1)));
        assert_eq!(
            parse_date(&CellValue::Number(45351.75)).map(|p| p.date),
            Some(d(2024, 2, 29))
        );
    }

    #[test]
    fn small_numbers_such_as_a_year_are_not_dates() {
        assert_eq!(parse_date(&CellValue::Number(2019.0)), None);
        assert_eq!(parse_date(&CellValue::Number(-5.0)), None);
    }

    #[test]
    fn iso_text_dates_are_read() {
        assert_eq!(text("2019-03-15"), Some(ParsedDate::clear(d(2019, 3, 15))));
        assert_eq!(text(" 2019/03/05 "), Some(ParsedDate::clear(d(2019, 3, 5))));
        assert_eq!(
            text("2019-03-15T00:00:00").map(|p| p.date),
            Some(d(2019, 3, 15))
        );
        assert_eq!(
            text("2019-03-15 00:00:00").map(|p| p.date),
            Some(d(2019, 3, 15))
        );
    }

    #[test]
    fn slashed_dates_are_read_day_first() {
        assert_eq!(text("15/03/2018"), Some(ParsedDate::clear(d(2018, 3, 15))));
        assert_eq!(text("5.3.19").map(|p| p.date), Some(d(2019, 3, 5)));
        assert_eq!(text("25-12-2020").map(|p| p.date), Some(d(2020, 12, 25)));
    }

    #[test]
    fn dates_that_read_both_ways_are_flagged_ambiguous() {
        let parsed = text("05/04/2021").expect("a date");
        assert_eq!(parsed.date, d(2021, 4, 5));
        assert!(parsed.ambiguous);
        assert!(!text("04/04/2021").expect("a date").ambiguous);
        assert!(!text("13/04/2021").expect("a date").ambiguous);
    }

    #[test]
    fn month_names_are_read_in_english_and_french_with_or_without_accents() {
        assert_eq!(text("15 mars 2019").map(|p| p.date), Some(d(2019, 3, 15)));
        assert_eq!(text("1 mai 2018").map(|p| p.date), Some(d(2018, 5, 1)));
        assert_eq!(text("1er mai 2018").map(|p| p.date), Some(d(2018, 5, 1)));
        assert_eq!(text("15 March 2019").map(|p| p.date), Some(d(2019, 3, 15)));
        assert_eq!(text("March 15, 2019").map(|p| p.date), Some(d(2019, 3, 15)));
        assert_eq!(text("3 février 2020").map(|p| p.date), Some(d(2020, 2, 3)));
        assert_eq!(text("3 fevrier 2020").map(|p| p.date), Some(d(2020, 2, 3)));
        assert_eq!(text("12 Août 2016").map(|p| p.date), Some(d(2016, 8, 12)));
        assert_eq!(text("15-Mar-2019").map(|p| p.date), Some(d(2019, 3, 15)));
    }

    #[test]
    fn impossible_and_garbled_dates_are_refused() {
        for bad in [
            "31/02/2019",
            "29/02/2019",
            "2019-13-01",
            "32 mars 2019",
            "15 Smarch 2019",
            "soon",
            "Q3 2019",
            "2019",
            "15/03",
            "",
        ] {
            assert_eq!(text(bad), None, "{bad} should be refused");
        }
        assert_eq!(parse_date(&CellValue::Bool(true)), None);
    }

    #[test]
    fn days_that_do_not_exist_in_a_date_form_say_why() {
        assert_eq!(
            no_such_day("30/02/2020"),
            Some(NoSuchDay::PastMonthEnd {
                day: 30,
                month: 2,
                year: 2020
            })
        );
        assert_eq!(
            no_such_day("2019-04-31"),
            Some(NoSuchDay::PastMonthEnd {
                day: 31,
                month: 4,
                year: 2019
            })
        );
        assert_eq!(
            no_such_day("15/13/2020"),
            Some(NoSuchDay::NoMonth { month: 13 })
        );
        for fine_or_no_form in [
            "28/02/2020",
            "29/02/2020",
            "soon",
            "2019",
            "15/03",
            "0/03/2020",
        ] {
            assert_eq!(no_such_day(fine_or_no_form), None, "{fine_or_no_form}");
        }
    }

    proptest! {
        #[test]
        fn every_real_day_written_dd_mm_yyyy_reads_back(days in 0i64..40_000) {
            let date = d(1950, 1, 1) + chrono::Duration::days(days);
            let written = date.format("%d/%m/%Y").to_string();
            prop_assert_eq!(text(&written).map(|p| p.date), Some(date));
        }

        #[test]
        fn every_real_day_written_iso_reads_back_unambiguous(days in 0i64..40_000) {
            let date = d(1950, 1, 1) + chrono::Duration::days(days);
            let parsed = text(&date.format("%Y-%m-%d").to_string());
            prop_assert_eq!(parsed, Some(ParsedDate::clear(date)));
        }

        #[test]
        fn serials_and_dates_agree(serial in 10_000u32..100_000) {
            let date = from_serial(f64::from(serial)).expect("in range");
            let back = (date - d(1899, 12, 30)).num_days();
            prop_assert_eq!(back, i64::from(serial));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = text(&s);
        }
    }
}
