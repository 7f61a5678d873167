//! Headers partners write, and the field each must (or must never) be read as on its own.

use super::*;
use jvap_record::record::FIELDS;

/// The field a header alone is read as: the best score at [`READ_AT`] or more.
fn read_as(header: &str) -> Option<&'static str> {
    let words = header_words(header)?;
    let scores = scores(&words);
    let (best, score) = scores
        .iter()
        .enumerate()
        .filter_map(|(f, s)| Some((f, (*s)?)))
        .max_by_key(|(f, s)| (*s, std::cmp::Reverse(*f)))?;
    (score >= READ_AT).then(|| FIELDS[best].key.as_str())
}

fn score_of(header: &str, key: &str) -> Score {
    let words = header_words(header)?;
    let at = FIELDS.iter().position(|f| f.key == key)?;
    scores(&words)[at]
}

#[test]
fn headers_in_other_words_are_read_as_their_field() {
    let mut wrong = Vec::new();
    for (header, key) in [
        ("Financing body", "lead_funder"),
        ("Donor organisation", "lead_funder"),
        ("Organisme financeur", "lead_funder"),
        ("Bailleur de fonds principal", "lead_funder"),
        ("Source of funds", "lead_funder"),
        ("Date de lancement", "start_date"),
        ("Launch date", "start_date"),
        ("Date of commencement", "start_date"),
        ("Year of adoption", "start_date"),
        ("Date de clôture", "end_date"),
        ("Expected end", "end_date"),
        ("Montant global (EUR)", "budget"),
        ("Total (EUR)", "budget"),
        ("Coût total du projet", "budget"),
        ("Overall amount", "budget"),
        ("Total funding", "budget"),
        ("Countries concerned", "countries"),
        ("Beneficiary country(ies)", "countries"),
        ("Zone d'intervention", "countries"),
        ("Implementing Organisation", "implementers"),
        ("Executing agency", "implementers"),
        ("Opérateurs de mise en œuvre", "implementers"),
        ("Other donors", "other_funders"),
        ("Co-funders", "other_funders"),
        ("Additional financing partners", "other_funders"),
        ("Type of donor", "funder_category"),
        ("Catégorie du bailleur", "funder_category"),
        ("Project/Policy", "initiative_type"),
        ("Nature de l'initiative", "initiative_type"),
        ("Name of the initiative", "title"),
        ("Project", "title"),
        ("Libellé", "title"),
        ("Brief summary", "description"),
        ("Stage of implementation", "status"),
        ("État d'avancement", "status"),
        ("Thematic area", "jvap_domains"),
        ("Valletta pillars", "jvap_domains"),
        ("Main pillar", "primary_domain"),
        ("Priority areas", "jvap_priorities"),
        ("Marrakech Action Plan", "marrakesh_objectives"),
        ("Geographical coverage", "geographic_scope"),
        ("Currency of the budget", "currency"),
        ("Direct beneficiaries", "target_groups"),
        ("Public visé", "target_groups"),
        ("Web link", "website"),
        ("E-mail du point focal", "contact_email"),
        ("Identifiant interne", "partner_ref"),
        ("Project No.", "partner_ref"),
        ("Titles", "title"),
        ("Target Group(s)", "target_groups"),
    ] {
        if read_as(header) != Some(key) {
            wrong.push(format!(
                "{header}: {:?} {:?}",
                read_as(header),
                header_words(header)
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn headers_that_say_no_field_are_read_as_none() {
    for header in [
        "Comments",
        "Responsible officer",
        "Remarks",
        "Contact person",
        "Contact name",
        "BMZ contribution (EUR)",
        "Co-financing (EUR)",
        "Percentage of completion",
        "Notes",
        "Observations",
        "Last update",
    ] {
        assert_eq!(
            read_as(header),
            None,
            "{header}: {:?}",
            header_words(header)
        );
    }
}

#[test]
fn an_amount_spent_paid_yearly_or_shared_is_never_the_budget() {
    for header in [
        "Amount spent",
        "Amount disbursed to date",
        "Disbursements (EUR)",
        "Annual budget",
        "Budget 2021",
        "Yearly amount (USD)",
        "Montant décaissé",
        "Montant versé",
        "Dépenses à ce jour",
        "Total paid",
        "Budget exécuté",
        "Budget per year",
        "Montant annuel",
        "Remaining balance",
        "BMZ contribution",
        "Co-financing amount",
        "Share of the budget (%)",
    ] {
        assert_eq!(
            score_of(header, "budget"),
            None,
            "{header}: {:?}",
            header_words(header)
        );
    }
    assert!(score_of("Budget 2016-2020", "budget").is_some_and(|s| s >= READ_AT));
}

#[test]
fn a_header_with_the_words_of_a_template_header_scores_as_high_as_it_can() {
    for (header, key) in [
        ("Implementing organisation", "implementers"),
        ("Countries of implementation (ISO codes)", "countries"),
        ("JVAP domain(s)", "jvap_domains"),
        ("Date of start", "start_date"),
    ] {
        assert_eq!(score_of(header, key), Some(SAME_WORDS), "{header}");
    }
}
