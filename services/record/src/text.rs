//! Text helpers: folding for matching, list splitting, e-mail and URL checks.

/// Fold a header or label for matching: accents transliterated, case ignored, and everything that is not
/// a letter or a digit dropped (`"Pays de mise en œuvre"` and `"PAYS DE MISE EN OEUVRE"` fold alike).
pub fn fold(s: &str) -> String {
    deunicode::deunicode(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Fold but keep word boundaries as single spaces (`"15 Mars, 2019"` becomes `"15 mars 2019"`).
pub fn fold_words(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_ascii_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Split a list of countries, domains or codes: `;`, `,`, `/` and new lines separate items.
pub fn split_list(s: &str) -> Vec<String> {
    split_on(s, &[';', ',', '/', '\n', '\r'])
}

/// Split a list of organisation names: only `;` and new lines separate items, since names hold commas
/// and slashes (`"GIZ, Bonn"`, `"IOM/OIM"`).
pub fn split_organisations(s: &str) -> Vec<String> {
    split_on(s, &[';', '\n', '\r'])
}

/// Names that hold a list separator (`"Return, readmission and reintegration"`, `"Korea, Republic
/// of"`), folded, for [`split_known`] to keep whole.
#[derive(Debug, Default)]
pub struct KnownNames {
    /// Each name folded whole.
    names: std::collections::HashSet<String>,
    /// The folded text before the name's first `,` or `/`: only a piece that starts one is joined.
    starts: std::collections::HashSet<String>,
    /// The most pieces a name splits into.
    max_pieces: usize,
}

impl KnownNames {
    /// The names of `names` that hold a `,` or a `/`; the others never need joining.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> KnownNames {
        let mut known = KnownNames::default();
        for name in names {
            let pieces = name.split([',', '/']).count();
            if pieces < 2 {
                continue;
            }
            let first = name.split([',', '/']).next().unwrap_or_default();
            known.names.insert(fold(name));
            known.starts.insert(fold(first));
            known.max_pieces = known.max_pieces.max(pieces);
        }
        known
    }
}

/// Split a list of countries, domains or codes, keeping whole the known names that hold a separator:
/// `;` and new lines always separate; `,` and `/` separate unless the pieces around them make one of
/// `known` (`"Korea, Republic of; Mali"` is two items). Items are slices of `s`, trimmed; the work is
/// linear in `s`, and a piece is folded only when it can start a known name.
pub fn split_known<'a>(s: &'a str, known: &KnownNames) -> Vec<&'a str> {
    let mut items = Vec::new();
    let mut folded = String::new();
    for part in s.split([';', '\n', '\r']) {
        if known.max_pieces < 2 || !part.contains([',', '/']) {
            push_trimmed(&mut items, part);
            continue;
        }
        // The byte ranges of the pieces between `,` and `/`.
        let mut pieces = Vec::new();
        let mut start = 0;
        for (at, c) in part.char_indices() {
            if c == ',' || c == '/' {
                pieces.push((start, at));
                start = at + 1;
            }
        }
        pieces.push((start, part.len()));
        let mut i = 0;
        while i < pieces.len() {
            let (from, to) = pieces[i];
            let mut end = to;
            let mut taken = 1;
            fold_into(&part[from..to], &mut folded);
            if known.starts.contains(&folded) {
                let longest = known.max_pieces.min(pieces.len() - i);
                for n in (2..=longest).rev() {
                    let candidate = pieces[i + n - 1].1;
                    fold_into(&part[from..candidate], &mut folded);
                    if known.names.contains(&folded) {
                        end = candidate;
                        taken = n;
                        break;
                    }
                }
            }
            push_trimmed(&mut items, &part[from..end]);
            i += taken;
        }
    }
    items
}

fn push_trimmed<'a>(items: &mut Vec<&'a str>, item: &'a str) {
    let item = item.trim();
    if !item.is_empty() {
        items.push(item);
    }
}

/// [`fold`] into a buffer that is reused, so that folding many short pieces allocates nothing.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
            continue;
        }
        for d in deunicode::deunicode_char(c).unwrap_or_default().chars() {
            if d.is_ascii_alphanumeric() {
                out.push(d.to_ascii_lowercase());
            }
        }
    }
}

fn split_on(s: &str, separators: &[char]) -> Vec<String> {
    s.split(|c| separators.contains(&c))
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(String::from)
        .collect()
}

/// A sound, simple e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-'".contains(c));
    local_ok && is_domain(domain)
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2)
}

/// An http(s) URL with a dotted host (or `localhost`) and no spaces.
pub fn is_url(s: &str) -> bool {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let rest = match lower
        .strip_prefix("https://")
        .or(lower.strip_prefix("http://"))
    {
        Some(rest) => rest,
        None => return false,
    };
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = host_port.split(':').next().unwrap_or_default();
    host == "localhost" || is_domain(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_punctuation_and_spacing() {
        assert_eq!(fold("Pays de mise en œuvre"), "paysdemiseenoeuvre");
        assert_eq!(fold("PAYS DE MISE EN OEUVRE"), "paysdemiseenoeuvre");
        assert_eq!(
            fold("Date de début (ou d'adoption)"),
            "datededebutoudadoption"
        );
        assert_eq!(fold("  Budget (EUR) "), "budgeteur");
        assert_eq!(fold("Côte d’Ivoire"), fold("Cote d'Ivoire"));
    }

    #[test]
    fn folding_words_keeps_single_spaces_between_words() {
        assert_eq!(fold_words(" 15  Mars, 2019"), "15 mars 2019");
        assert_eq!(fold_words("1er février 2018"), "1er fevrier 2018");
    }

    #[test]
    fn lists_split_on_semicolons_commas_slashes_and_new_lines() {
        assert_eq!(
            split_list("Senegal; Mali, Niger/Chad\nGhana\r\n; "),
            vec!["Senegal", "Mali", "Niger", "Chad", "Ghana"]
        );
        assert!(split_list(" ; , ").is_empty());
    }

    #[test]
    fn known_names_holding_commas_stay_whole_and_the_rest_splits() {
        let known = KnownNames::new([
            "Return, readmission and reintegration",
            "Korea, Republic of",
            "Prévention de la migration irrégulière, du trafic de migrants et de la traite, et lutte",
            "Mali",
        ]);
        assert_eq!(
            split_known("Korea, Republic of; Mali, Niger", &known),
            vec!["Korea, Republic of", "Mali", "Niger"]
        );
        assert_eq!(
            split_known("D1, Return, readmission and reintegration/D4", &known),
            vec!["D1", "Return, readmission and reintegration", "D4"]
        );
        assert_eq!(
            split_known(
                "prevention de la migration irreguliere , du trafic de migrants et de la traite, et lutte",
                &known
            )
            .len(),
            1
        );
        assert_eq!(split_known("1, 5", &known), vec!["1", "5"]);
        assert_eq!(split_known("D1/D4\nD2", &known), vec!["D1", "D4", "D2"]);
        assert_eq!(split_known("Return, Mali", &known), vec!["Return", "Mali"]);
        assert!(split_known(" ; , ", &known).is_empty());
    }

    #[test]
    fn folding_into_a_buffer_folds_as_fold_does() {
        let mut out = String::new();
        for s in ["Pays de mise en œuvre", "Côte d’Ivoire", "Ünïcödé 42", ""] {
            fold_into(s, &mut out);
            assert_eq!(out, fold(s));
        }
    }

    #[test]
    fn organisation_lists_keep_commas_and_slashes_inside_names() {
        assert_eq!(
            split_organisations("GIZ, Bonn; IOM/OIM\nEnabel"),
            vec!["GIZ, Bonn", "IOM/OIM", "Enabel"]
        );
    }

    #[test]
    fn ordinary_email_addresses_pass() {
        assert!(is_email("lamin.jallow@moi.gov.gm"));
        assert!(is_email(" a.b+c@x-y.org "));
        assert!(is_email("élodie@ministère.fr"));
    }

    #[test]
    fn broken_email_addresses_fail() {
        for bad in [
            "lamin.jallow@@moi.gov.gm",
            "no-at-sign.org",
            "@moi.gov.gm",
            "a@b",
            "a b@c.org",
            "a@.org",
            "a@b..org",
            "a@b.c",
            "",
        ] {
            assert!(!is_email(bad), "{bad} should fail");
        }
    }

    #[test]
    fn http_and_https_urls_pass_and_others_fail() {
        assert!(is_url("https://www.enabel.be/projects?id=3#top"));
        assert!(is_url("http://iom.int"));
        assert!(is_url("HTTPS://EXAMPLE.ORG:8080/x"));
        assert!(!is_url("www.enabel.be"));
        assert!(!is_url("ftp://example.org"));
        assert!(!is_url("https://"));
        assert!(!is_url("https://exa mple.org"));
        assert!(!is_url("https://nodot"));
    }
}
