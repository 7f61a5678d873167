//! Start and end dates: readable, end not before start, and not ended before the JVAP existed.

use chrono::NaiveDate;

use super::ctx::RowCtx;
use crate::parse::date::parse_date;
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
        ctx.report(&catalogue::DATE_UNPARSEABLE, key, &written);
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
