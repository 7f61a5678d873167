//! Code lists (`reference::CODES`), JVAP domains, priorities, Marrakesh objectives and funders.
//!
//! Everything is matched folded (case, accents, punctuation and spacing ignored).

use std::collections::HashMap;
use std::sync::LazyLock;

use jvap_record::reference::{CODES, DOMAINS, PARTNERS};
use jvap_record::text::{KnownNames, fold};

/// The code of an entry of `list` written as its code, EN or FR label, or a known alias.
pub fn code(list: &str, s: &str) -> Option<&'static str> {
    CODE_INDEX.get(&(list.to_string(), fold(s))).copied()
}

/// (list, folded code, label or alias) to code; codes.csv first, then our aliases for known codes.
static CODE_INDEX: LazyLock<HashMap<(String, String), &'static str>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for c in CODES.iter() {
        for name in [&c.code, &c.name_en, &c.name_fr] {
            index.insert((c.list.clone(), fold(name)), c.code.as_str());
        }
    }
    for alias in ALIASES.iter() {
        let [list, written, code] = alias.as_slice() else {
            continue;
        };
        let known = CODES.iter().find(|c| c.list == *list && c.code == *code);
        if let Some(c) = known {
            index
                .entry((list.clone(), fold(written)))
                .or_insert(c.code.as_str());
        }
    }
    index
});

/// The names of code list `list` (labels and aliases) that hold a `,` or `/`, for
/// [`split_known`](jvap_record::text::split_known): a list cell is split around them.
pub fn list_names(list: &str) -> &'static KnownNames {
    static EMPTY: LazyLock<KnownNames> = LazyLock::new(KnownNames::default);
    LIST_NAMES.get(list).unwrap_or(&EMPTY)
}

static LIST_NAMES: LazyLock<HashMap<String, KnownNames>> = LazyLock::new(|| {
    let mut by_list: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in CODES.iter() {
        let names = by_list.entry(c.list.as_str()).or_default();
        names.extend([c.name_en.as_str(), c.name_fr.as_str()]);
    }
    for alias in ALIASES.iter() {
        if let [list, written, _] = alias.as_slice() {
            by_list
                .entry(list.as_str())
                .or_default()
                .push(written.as_str());
        }
    }
    by_list
        .into_iter()
        .map(|(list, names)| (list.to_string(), KnownNames::new(names)))
        .collect()
});

static ALIASES: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    records(include_str!(
        "../../../../schemas/reference/code_aliases.csv"
    ))
});

fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(String::from).collect())
        .collect()
}

/// The ways a domain's name is written in a list, with or without its number before it (`D5 - `,
/// `Domaine 5 : `, `5. `): each folded, with its code.
fn domain_forms() -> impl Iterator<Item = (String, &'static str)> {
    DOMAINS.iter().flat_map(|d| {
        let n = d.number;
        let prefixes = [
            String::new(),
            format!("D{n} "),
            format!("Domain {n} "),
            format!("Domaine {n} "),
            format!("{n} "),
        ];
        [&d.name_en, &d.name_fr].into_iter().flat_map(move |name| {
            prefixes
                .clone()
                .into_iter()
                .map(move |prefix| (format!("{prefix}{name}"), d.code.as_str()))
        })
    })
}

/// The domain names that hold a `,` or `/` (`"Return, readmission and reintegration"`), also with
/// their number before them, for [`split_known`](jvap_record::text::split_known).
pub fn domain_names() -> &'static KnownNames {
    static NAMES: LazyLock<KnownNames> = LazyLock::new(|| {
        let forms: Vec<(String, &str)> = domain_forms().collect();
        KnownNames::new(forms.iter().map(|(name, _)| name.as_str()))
    });
    &NAMES
}

/// A JVAP domain code `D1`..`D5` from `D1`, `1`, `Domain 1`, `Domaine 1`, `D1 - Legal migration` or the
/// domain's EN or FR name.
pub fn domain(s: &str) -> Option<&'static str> {
    let key = fold(s);
    if let Some(code) = DOMAIN_NAMES.get(&key) {
        return Some(code);
    }
    let number = numbered(&key, &["domaine", "domain", "d", ""])?;
    DOMAINS
        .iter()
        .find(|d| u32::from(d.number) == number)
        .map(|d| d.code.as_str())
}

static DOMAIN_NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    domain_forms()
        .map(|(name, code)| (fold(&name), code))
        .collect()
});

/// The number after one of `prefixes` in a folded key, when it is followed by nothing or by letters
/// (`domaine1`, `d1legalmigration`), never by more digits (`d12`).
fn numbered(key: &str, prefixes: &[&str]) -> Option<u32> {
    prefixes.iter().find_map(|prefix| {
        let rest = key.strip_prefix(prefix)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let tail = &rest[digits.len()..];
        let label_ok = tail.is_empty()
            || (!prefix.is_empty() && !tail.starts_with(|c: char| c.is_ascii_digit()));
        (!digits.is_empty() && digits.len() <= 2 && label_ok).then(|| digits.parse().ok())?
    })
}

/// A JVAP priority such as `1.2` (also `1,2`, `P1.2`, `Priority 1.2`): the code and its domain number.
pub fn priority(s: &str) -> Option<(String, u8)> {
    let trimmed = s.trim();
    let start = trimmed.find(|c: char| c.is_ascii_digit())?;
    let prefix = fold(&trimmed[..start]);
    if !["", "p", "priority", "priorite"].contains(&prefix.as_str()) {
        return None;
    }
    let (domain, item) = trimmed[start..].split_once(['.', ','])?;
    let domain: u8 = domain.parse().ok().filter(|d| (1..=5).contains(d))?;
    let item: u8 = item.trim().parse().ok().filter(|i| *i >= 1)?;
    Some((format!("{domain}.{item}"), domain))
}

/// A Marrakesh Action Plan objective `O1`..`O10` from `O3`, `O 3`, `3`, `Objective 3`, `Objectif 3`.
pub fn objective(s: &str) -> Option<String> {
    let key = fold(s);
    let number = numbered(&key, &["objective", "objectif", "o", ""])?;
    (1..=10).contains(&number).then(|| format!("O{number}"))
}

/// A funder as recognised: a partner code, or the name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Funder {
    Partner(&'static str),
    Other(String),
}

/// Recognise a funder: a partner by code, EN or FR name, a country alias, or a known acronym (`UE`,
/// `OIM`, `HCR`, `BIT`, `ONUDC`, `PNUD`, `UA`, `CEDEAO`); otherwise the name as written, trimmed.
pub fn funder(s: &str) -> Funder {
    match partner_funder(s).or_else(|| bracketed(s).find_map(partner_funder)) {
        Some(code) => Funder::Partner(code),
        None => Funder::Other(s.trim().to_string()),
    }
}

/// The text before and inside brackets, for names such as `Germany (BMZ)` or `Union européenne (UE)`.
fn bracketed(s: &str) -> impl Iterator<Item = &str> {
    let (before, rest) = s.split_once('(').unwrap_or((s, ""));
    let inside = rest.split(')').next().unwrap_or_default();
    [before, inside]
        .into_iter()
        .filter(|part| !part.trim().is_empty())
}

fn partner_funder(s: &str) -> Option<&'static str> {
    let key = fold(s);
    PARTNER_NAMES
        .get(&key)
        .copied()
        .or_else(|| funder_alias(&key))
        .or_else(|| {
            jvap_record::country::find_country(s)?
                .partner
                .map(|p| p.code.as_str())
        })
}

/// Folded partner code, EN and FR name to partner code.
static PARTNER_NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for p in PARTNERS.iter() {
        for name in [&p.code, &p.name_en, &p.name_fr] {
            index.entry(fold(name)).or_insert(p.code.as_str());
        }
    }
    index
});

fn funder_alias(key: &str) -> Option<&'static str> {
    let code = FUNDER_ALIASES.get(key)?;
    PARTNERS
        .iter()
        .find(|p| p.code == *code)
        .map(|p| p.code.as_str())
}

static FUNDER_ALIASES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    records(include_str!(
        "../../../../schemas/reference/funder_aliases.csv"
    ))
    .into_iter()
    .filter_map(|r| Some((fold(r.first()?), r.get(1)?.clone())))
    .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_match_codes_and_english_and_french_labels() {
        assert_eq!(code("initiative_type", "Projet"), Some("project"));
        assert_eq!(code("initiative_type", "POLICY"), Some("policy"));
        assert_eq!(code("status", "En cours"), Some("ongoing"));
        assert_eq!(code("status", "achevé"), Some("completed"));
        assert_eq!(code("status", "Suspended or cancelled"), Some("suspended"));
        assert_eq!(
            code("geographic_scope", "Multi-regional"),
            Some("multi_regional")
        );
        assert_eq!(
            code("geographic_scope", "multirégional"),
            Some("multi_regional")
        );
        assert_eq!(
            code("target_group", "Réfugiés et demandeurs d'asile"),
            Some("refugees_asylum_seekers")
        );
        assert_eq!(
            code("funder_category", "eu_institution"),
            Some("eu_institution")
        );
    }

    #[test]
    fn code_aliases_from_our_list_are_recognised() {
        assert_eq!(code("status", "Cancelled"), Some("suspended"));
        assert_eq!(code("status", "Terminé"), Some("completed"));
        assert_eq!(code("status", "in progress"), Some("ongoing"));
    }

    #[test]
    fn values_outside_a_code_list_are_refused() {
        assert_eq!(code("initiative_type", "Programme"), None);
        assert_eq!(code("status", "project"), None);
        assert_eq!(code("status", ""), None);
    }

    #[test]
    fn domains_are_read_from_codes_numbers_and_names() {
        for written in [
            "D1",
            "d 1",
            "1",
            "Domain 1",
            "Domaine 1",
            "D1 - Development benefits",
        ] {
            assert_eq!(domain(written), Some("D1"), "{written}");
        }
        assert_eq!(domain("Legal migration and mobility"), Some("D2"));
        assert_eq!(domain("Protection et asile"), Some("D3"));
        assert_eq!(domain("Domaine 5"), Some("D5"));
    }

    #[test]
    fn domain_names_holding_commas_are_known_whole_with_or_without_their_number() {
        use jvap_record::text::split_known;
        for written in [
            "D1; Return, readmission and reintegration",
            "Domain 1, D5 - Return, readmission and reintegration",
            "1/5. Retour, réadmission et réintégration",
        ] {
            let codes: Vec<Option<&str>> = split_known(written, domain_names())
                .into_iter()
                .map(domain)
                .collect();
            assert_eq!(codes, vec![Some("D1"), Some("D5")], "{written}");
        }
        let d4 = "Prévention de la migration irrégulière, du trafic de migrants et de la traite des \
                  êtres humains, et lutte contre ces phénomènes";
        assert_eq!(split_known(d4, domain_names()).len(), 1);
        assert_eq!(domain(d4), Some("D4"));
        assert_eq!(split_known("1, 5", domain_names()), vec!["1", "5"]);
    }

    #[test]
    fn code_list_names_holding_a_slash_are_known_whole() {
        use jvap_record::text::split_known;
        let items = split_known("Refugees/asylum seekers; Youth", list_names("target_group"));
        assert_eq!(items, vec!["Refugees/asylum seekers", "Youth"]);
        assert_eq!(
            code("target_group", items[0]),
            Some("refugees_asylum_seekers")
        );
    }

    #[test]
    fn domains_outside_d1_to_d5_are_refused() {
        for written in ["D7", "D0", "6", "D12", "Domain", "migration", ""] {
            assert_eq!(domain(written), None, "{written}");
        }
    }

    #[test]
    fn priorities_carry_their_domain_number() {
        assert_eq!(priority("1.2"), Some(("1.2".into(), 1)));
        assert_eq!(priority("3,1"), Some(("3.1".into(), 3)));
        assert_eq!(priority("P 4.10"), Some(("4.10".into(), 4)));
        assert_eq!(priority("Priorité 5.1"), Some(("5.1".into(), 5)));
        assert_eq!(priority("6.1"), None);
        assert_eq!(priority("1"), None);
        assert_eq!(priority("1.x"), None);
        assert_eq!(priority("Action 1.2"), None);
    }

    #[test]
    fn objectives_are_o1_to_o10_however_written() {
        assert_eq!(objective("O3"), Some("O3".into()));
        assert_eq!(objective("O 3"), Some("O3".into()));
        assert_eq!(objective("Objective 3"), Some("O3".into()));
        assert_eq!(objective("Objectif 10"), Some("O10".into()));
        assert_eq!(objective("7"), Some("O7".into()));
        assert_eq!(objective("O11"), None);
        assert_eq!(objective("O0"), None);
        assert_eq!(objective("X3"), None);
    }

    #[test]
    fn funders_that_are_partners_become_partner_codes() {
        assert_eq!(funder("EU"), Funder::Partner("EU"));
        assert_eq!(funder("European Union"), Funder::Partner("EU"));
        assert_eq!(funder("Union européenne"), Funder::Partner("EU"));
        assert_eq!(funder("UE"), Funder::Partner("EU"));
        assert_eq!(funder("Germany"), Funder::Partner("DEU"));
        assert_eq!(funder("Allemagne"), Funder::Partner("DEU"));
        assert_eq!(funder("Germany (BMZ)"), Funder::Partner("DEU"));
        assert_eq!(
            funder("Ministry of Foreign Affairs (UE)"),
            Funder::Partner("EU")
        );
        for (acronym, code) in [
            ("OIM", "IOM"),
            ("HCR", "UNHCR"),
            ("BIT", "ILO"),
            ("ONUDC", "UNODC"),
            ("PNUD", "UNDP"),
            ("UA", "AU"),
            ("CEDEAO", "ECOWAS"),
        ] {
            assert_eq!(funder(acronym), Funder::Partner(code), "{acronym}");
        }
    }

    #[test]
    fn other_funders_keep_the_name_as_written() {
        assert_eq!(funder(" World Bank "), Funder::Other("World Bank".into()));
        assert_eq!(funder("Burundi"), Funder::Other("Burundi".into()));
    }
}
