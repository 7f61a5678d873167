//! Start and end dates: readable, end not before start, and not ended before the JVAP existed.

use chrono::NaiveDate;

use super::ctx::RowCtx;
use crate::parse::date::{NoSuchDay, no_such_day, parse_date};
use crate::sheet::CellValue;
use jvap_record::catalogue;

/// The JVAP was adopted at the Valletta Summit in November 2015: initiatives that ended earlier are out
/// of its scope.
const JVAP_START: (i32, u32, u32) = (2015, 11, 1);

pub(super) struct Dates {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

pub(super) fn check(ctx: &mut RowCtx, is_project: bool) -> Dates {
    let start = ctx
        .required("start_date")
        .and_then(|v| read(ctx, "start_date", v));
    let end_value = if is_project {
        ctx.required("end_date")
    } else {
        ctx.value("end_date")
    };
    let end = end_value.and_then(|v| read(ctx, "end_date", v));
    if let Some(end) = end {
        check_end(ctx, start, end);
    }
    Dates { start, end }
}

fn read(ctx: &mut RowCtx, key: &str, value: &CellValue) -> Option<NaiveDate> {
    let written = value.display();
    let Some(parsed) = parse_date(value) else {
        match no_such_day(&written) {
            Some(why) => {
                let (en, fr) = no_such_day_detail(&written, why);
                ctx.report_in(&catalogue::DATE_IMPOSSIBLE, key, &en, &fr);
            }
            None => ctx.report(&catalogue::DATE_UNPARSEABLE, key, &written),
        }
        return None;
    };
    if parsed.ambiguous {
        ctx.report(&catalogue::DATE_AMBIGUOUS, key, &written);
    }
    Some(parsed.date)
}

fn check_end(ctx: &mut RowCtx, start: Option<NaiveDate>, end: NaiveDate) {
    let (y, m, d) = JVAP_START;
    if NaiveDate::from_ymd_opt(y, m, d).is_some_and(|jvap| end < jvap) {
        ctx.report(&catalogue::DATE_OUT_OF_SCOPE, "end_date", &end.to_string());
    }
    if start.is_some_and(|start| end < start) {
        ctx.report(
            &catalogue::DATE_END_BEFORE_START,
            "end_date",
            &end.to_string(),
        );
    }
}

const MONTHS_EN: [&str; 12] = [
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
const MONTHS_FR: [&str; 12] = [
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

/// `30/02/2020: February has no 30th` (and `février n'a pas de 30`) for `date.impossible`.
fn no_such_day_detail(written: &str, why: NoSuchDay) -> (String, String) {
    match why {
        NoSuchDay::PastMonthEnd { day, month, year } => {
            let at = month as usize - 1;
            let leap = month == 2 && day == 29;
            let (en_tail, fr_tail) = if leap {
                (format!(" in {year}"), format!(" en {year}"))
            } else {
                (String::new(), String::new())
            };
            (
                format!(
                    "{written}: {} has no {}{en_tail}",
                    MONTHS_EN[at],
                    ordinal(day)
                ),
                format!("{written} : {} n'a pas de {day}{fr_tail}", MONTHS_FR[at]),
            )
        }
        NoSuchDay::NoMonth { month } => (
            format!("{written}: there is no month {month}; the day comes first, as dd/mm/yyyy"),
            format!(
                "{written} : il n'y a pas de mois {month} ; le jour vient en premier, jj/mm/aaaa"
            ),
        ),
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`, `30th`.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
