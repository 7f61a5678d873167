//! JVAP domains, the primary domain, priorities and Marrakesh objectives.

use super::ctx::{RowCtx, cell_text};
use crate::parse::codes::{domain, domain_names, objective, priority};
use jvap_record::catalogue;
use jvap_record::text::{split_known, split_list};

pub(super) struct Domains {
    pub domains: Vec<String>,
    pub primary: Option<&'static str>,
    pub priorities: Vec<String>,
    pub objectives: Vec<String>,
}

pub(super) fn check(ctx: &mut RowCtx) -> Domains {
    let domains = domain_list(ctx);
    let primary = primary(ctx, &domains);
    Domains {
        priorities: priorities(ctx, &domains),
        objectives: objectives(ctx),
        domains: domains.iter().map(|d| d.to_string()).collect(),
        primary,
    }
}

fn domain_list(ctx: &mut RowCtx) -> Vec<&'static str> {
    let Some(value) = ctx.required("jvap_domains") else {
        return vec![];
    };
    let mut found = Vec::new();
    let written = cell_text(value);
    for item in split_known(&written, domain_names()) {
        match domain(item) {
            Some(code) if !found.contains(&code) => found.push(code),
            Some(_) => {}
            None => ctx.report(&catalogue::DOMAIN_UNKNOWN, "jvap_domains", item),
        }
    }
    found
}

/// The primary domain: as written, or the only domain; required when there are several.
fn primary(ctx: &mut RowCtx, domains: &[&'static str]) -> Option<&'static str> {
    let Some(written) = ctx.text("primary_domain") else {
        return match domains {
            [only] => Some(only),
            [] => None,
            _ => {
                ctx.report(&catalogue::DOMAIN_PRIMARY_MISSING, "primary_domain", "");
                None
            }
        };
    };
    let Some(code) = domain(&written) else {
        ctx.report(&catalogue::DOMAIN_UNKNOWN, "primary_domain", &written);
        return None;
    };
    if !domains.is_empty() && !domains.contains(&code) {
        ctx.report(
            &catalogue::DOMAIN_PRIMARY_NOT_LISTED,
            "primary_domain",
            code,
        );
    }
    Some(code)
}

/// Priorities such as `1.2`, whose domain number must be among the row's domains.
fn priorities(ctx: &mut RowCtx, domains: &[&'static str]) -> Vec<String> {
    let Some(written) = ctx.text("jvap_priorities") else {
        return vec![];
    };
    let mut found = Vec::new();
    for item in split_priorities(&written) {
        let Some((code, number)) = priority(&item) else {
            ctx.report(&catalogue::PRIORITY_UNKNOWN, "jvap_priorities", &item);
            continue;
        };
        let listed = domains.iter().any(|d| d[1..] == number.to_string());
        if !domains.is_empty() && !listed {
            ctx.report(
                &catalogue::PRIORITY_DOMAIN_MISMATCH,
                "jvap_priorities",
                &code,
            );
        }
        if !found.contains(&code) {
            found.push(code);
        }
    }
    found
}

/// Priorities are separated like other lists, except that `1,2` alone is one priority written with a
/// decimal comma.
fn split_priorities(s: &str) -> Vec<String> {
    s.split([';', '/', '\n', '\r'])
        .flat_map(|piece| {
            let decimal_comma = piece.matches(',').count() == 1
                && piece
                    .split(',')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                && piece.split(',').next().is_some_and(|d| d.len() == 1);
            if decimal_comma {
                vec![piece.to_string()]
            } else {
                piece.split(',').map(String::from).collect()
            }
        })
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn objectives(ctx: &mut RowCtx) -> Vec<String> {
    let Some(written) = ctx.text("marrakesh_objectives") else {
        return vec![];
    };
    let mut found = Vec::new();
    for item in split_list(&written) {
        match objective(&item) {
            Some(code) if !found.contains(&code) => found.push(code),
            Some(_) => {}
            None => ctx.report(&catalogue::OBJECTIVE_UNKNOWN, "marrakesh_objectives", &item),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_split_on_separators_but_keep_a_decimal_comma() {
        assert_eq!(split_priorities("1.2; 4.3"), vec!["1.2", "4.3"]);
        assert_eq!(split_priorities("1,2"), vec!["1,2"]);
        assert_eq!(split_priorities("1.2,1.3\n5.1"), vec!["1.2", "1.3", "5.1"]);
        assert_eq!(split_priorities("Priority 1.2"), vec!["Priority 1.2"]);
    }
}
