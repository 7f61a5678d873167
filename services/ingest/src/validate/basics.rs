//! The initiative's identity: JVAP id ([`super::ids`]), reference, type, title, description and status.

use super::ctx::{RowCtx, cell_text};
use super::header::Header;
use crate::parse::codes::code;
use crate::sheet::Row;
use jvap_record::catalogue;

const TITLE_MIN: usize = 3;
const TITLE_MAX: usize = 300;
const DESCRIPTION_MAX: usize = 4000;

pub(super) struct Basics {
    pub jvap_id: Option<String>,
    pub partner_ref: Option<String>,
    pub initiative_type: Option<&'static str>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<&'static str>,
}

impl Basics {
    /// Project-only requirements apply to projects; a row whose type is unknown gets none of them.
    pub fn is_project(&self) -> bool {
        self.initiative_type == Some("project")
    }
}

pub(super) fn check(ctx: &mut RowCtx) -> Basics {
    Basics {
        jvap_id: super::ids::check(ctx),
        partner_ref: reference(ctx),
        initiative_type: listed(ctx, "initiative_type", "initiative_type"),
        title: title(ctx),
        description: description(ctx),
        status: listed(ctx, "status", "status"),
    }
}

/// Whether a data row is a project, before it is checked (for the sheet's missing columns).
pub(super) fn is_project_row(row: &Row, header: &Header) -> bool {
    let Some(cell) = header.column("initiative_type").and_then(|c| row.get(c)) else {
        return true;
    };
    code("initiative_type", &cell_text(&cell.value)) == Some("project")
}

/// The partner's own reference; a repeat of an earlier row's is an error on the later row only.
fn reference(ctx: &mut RowCtx) -> Option<String> {
    let reference = ctx.text("partner_ref")?;
    if !ctx.references.insert(&reference) {
        ctx.report(&catalogue::REFERENCE_DUPLICATE, "partner_ref", &reference);
    }
    Some(reference)
}

/// A required value from a code list.
fn listed(ctx: &mut RowCtx, key: &str, list: &str) -> Option<&'static str> {
    let value = ctx.required(key)?;
    let written = cell_text(value);
    let found = code(list, &written);
    if found.is_none() {
        ctx.report_not_listed(key, list, &written);
    }
    found
}

fn title(ctx: &mut RowCtx) -> Option<String> {
    let title = cell_text(ctx.required("title")?);
    let length = title.chars().count();
    if length < TITLE_MIN {
        ctx.report(&catalogue::VALUE_TOO_SHORT, "title", &title);
    } else if length > TITLE_MAX {
        too_long(ctx, "title", length, TITLE_MAX);
    }
    Some(title)
}

fn description(ctx: &mut RowCtx) -> Option<String> {
    let Some(text) = ctx.text("description") else {
        if ctx.header.column("description").is_some() {
            ctx.report(&catalogue::DESCRIPTION_EMPTY, "description", "");
        }
        return None;
    };
    let length = text.chars().count();
    if length > DESCRIPTION_MAX {
        too_long(ctx, "description", length, DESCRIPTION_MAX);
    }
    Some(text)
}

fn too_long(ctx: &mut RowCtx, key: &str, length: usize, max: usize) {
    let en = format!("{length} characters, at most {max}");
    let fr = format!("{length} caractères, au plus {max}");
    ctx.report_in(&catalogue::VALUE_TOO_LONG, key, &en, &fr);
}
