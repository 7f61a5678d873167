//! A row's JVAP id: its shape, its repeats in the file, and, when validation is given the
//! database's ids ([`IdCheck`]), whether it is one of the sending partner's.
//!
//! The ownership check needs the database, which a worker never sees: the validation service gives
//! the worker the ids it knows (aggregation publishes them), so every problem is found here, at its
//! cell, in the report and the annotated workbook like any other. Offline (`jvap validate`) there is
//! no check: only the shape and the repeats.

use super::References;
use super::ctx::RowCtx;
use jvap_record::catalogue;
use jvap_record::ids::{self, IdCheck, Owner};

/// The ids a file has used so far, and what to check them against.
#[derive(Default)]
pub(crate) struct FileIds {
    seen: References,
    check: Option<IdCheck>,
}

impl FileIds {
    pub(crate) fn new(check: Option<IdCheck>) -> FileIds {
        FileIds {
            seen: References::default(),
            check,
        }
    }

    /// Forget the ids seen (the file is read again from its start); the check stays.
    pub(crate) fn restart(&mut self) {
        self.seen = References::default();
    }
}

/// The row's id in its canonical form (`JVAP-000123`), when it has one and it is valid.
pub(super) fn check(ctx: &mut RowCtx) -> Option<String> {
    let written = ctx.text("jvap_id")?;
    let Some(id) = ids::parse(&written) else {
        ctx.report(&catalogue::ID_INVALID, "jvap_id", &written);
        return None;
    };
    if !ctx.ids.seen.insert(&id) {
        ctx.report(&catalogue::ID_DUPLICATE, "jvap_id", &id);
        return None;
    }
    if let Some(check) = &ctx.ids.check {
        match check.known.owner(&id, &check.partner) {
            Owner::Own => {}
            Owner::Other => {
                ctx.report(&catalogue::ID_NOT_YOURS, "jvap_id", &id);
                return None;
            }
            Owner::Unknown => {
                ctx.report(&catalogue::ID_UNKNOWN, "jvap_id", &id);
                return None;
            }
        }
    }
    Some(id)
}
