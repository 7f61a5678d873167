//! Target groups, website and contact e-mail.

use super::ctx::RowCtx;
use crate::parse::codes::{code, list_names};
use jvap_record::catalogue;
use jvap_record::text::{is_email, is_url, split_known};

pub(super) struct Contact {
    pub target_groups: Vec<String>,
    pub website: Option<String>,
    pub email: Option<String>,
}

pub(super) fn check(ctx: &mut RowCtx) -> Contact {
    Contact {
        target_groups: target_groups(ctx),
        website: checked(ctx, "website", is_url, &catalogue::URL_INVALID),
        email: checked(ctx, "contact_email", is_email, &catalogue::EMAIL_INVALID),
    }
}

fn target_groups(ctx: &mut RowCtx) -> Vec<String> {
    let Some(written) = ctx.text("target_groups") else {
        return vec![];
    };
    let mut found: Vec<String> = Vec::new();
    for item in split_known(&written, list_names("target_group")) {
        match code("target_group", item) {
            Some(c) if !found.iter().any(|f| f == c) => found.push(c.to_string()),
            Some(_) => {}
            None => ctx.report_not_listed("target_groups", "target_group", item),
        }
    }
    found
}

fn checked(
    ctx: &mut RowCtx,
    key: &str,
    check: fn(&str) -> bool,
    kind: &jvap_record::catalogue::IssueKind,
) -> Option<String> {
    let written = ctx.text(key)?;
    if !check(&written) {
        ctx.report(kind, key, &written);
    }
    Some(written)
}
