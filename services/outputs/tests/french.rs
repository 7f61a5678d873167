//! No English where a French reader expects French: every French output of the sample round (the
//! summaries, the consolidated workbook with its duplicates, the template, the issue lists of the
//! rejected files) is searched for the English words of the record, and for its field codes, in the
//! places that hold words rather than data.
//!
//! The English words are not listed here: they are the English side of everything that has a French
//! one (the vocabulary, `fields.csv`'s headers and rules, the code lists, domains and Marrakesh
//! objectives, the validator's messages), so a new field or state is searched for as soon as it
//! exists. A word that also reads
//! as French (`Description`, `info`, `budget`) is left out.

use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use jvap_outputs::RoundData;
use jvap_outputs::dataset::table;
use jvap_outputs::dataset::xlsx::{
    SHEET_DUPLICATES, SHEET_QUALITY, SHEET_README, SHEET_TRACKER, SHEETS,
};
use jvap_outputs::template;
use jvap_record::Lang;
use jvap_record::catalogue::Severity;
use jvap_record::cells::Cell;
use jvap_record::messages::{AuditAction, Role, RoundState, SubmissionState};
use jvap_record::record::Required;
use jvap_record::reference;
use jvap_record::report::Verdict;
use jvap_record::tracker::PartnerState;
use jvap_record::vocabulary::{Bilingual, DUPLICATE_REASONS, PROGRAMME};

mod round;

/// Every text the record has in both languages, as (English, French).
fn bilingual() -> Vec<(String, String)> {
    let mut pairs: Vec<Bilingual> = Vec::new();
    pairs.extend(SubmissionState::ALL.map(SubmissionState::words));
    pairs.extend(PartnerState::ALL.map(PartnerState::words));
    pairs.extend(Severity::ALL.map(Severity::words));
    pairs.extend(Verdict::ALL.map(Verdict::words));
    pairs.extend(Role::ALL.map(Role::words));
    pairs.extend(RoundState::ALL.map(RoundState::words));
    pairs.extend(Required::ALL.map(Required::words));
    pairs.extend(AuditAction::ALL.map(AuditAction::words));
    pairs.extend(DUPLICATE_REASONS.map(|(_, words)| words));
    pairs.push(PROGRAMME);
    let mut all: Vec<(String, String)> = pairs
        .into_iter()
        .map(|w| (w.en.to_string(), w.fr.to_string()))
        .collect();
    for column in table::columns() {
        all.push((column.header_en.into(), column.header_fr.into()));
        all.push((column.rule_en.into(), column.rule_fr.into()));
    }
    for code in reference::CODES.iter() {
        all.push((code.name_en.clone(), code.name_fr.clone()));
    }
    for domain in reference::DOMAINS.iter() {
        all.push((domain.name_en.clone(), domain.name_fr.clone()));
    }
    for objective in reference::OBJECTIVES.iter() {
        all.push((objective.name_en.clone(), objective.name_fr.clone()));
    }
    // The validator's messages, each part around the value it cites.
    for kind in jvap_record::catalogue::ALL {
        let french = kind.fr.replace("{detail}", " ");
        for part in kind.en.split("{detail}").map(str::trim) {
            if part.split(' ').count() > 2 {
                all.push((part.to_string(), french.clone()));
            }
        }
    }
    all
}

/// The words of `text`, lower-cased: runs of letters, digits and `_`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// What a French output must not say: the English texts that do not read as French, and the field
/// codes (`partner_ref`).
fn english() -> Vec<String> {
    let pairs = bilingual();
    let french: BTreeSet<String> = pairs.iter().flat_map(|(_, fr)| words(fr)).collect();
    let french_texts: BTreeSet<String> = pairs.iter().map(|(_, fr)| fr.to_lowercase()).collect();
    let reads_as_french = |text: &str| {
        let lower = text.to_lowercase();
        french_texts.contains(&lower) || words(text).all(|w| french.contains(&w))
    };
    let mut english: BTreeSet<String> = pairs
        .iter()
        .filter(|(en, fr)| en != fr && !reads_as_french(en))
        .map(|(en, _)| en.to_lowercase())
        .collect();
    english.extend(
        table::columns()
            .iter()
            .map(|c| c.key.to_string())
            .filter(|key| !french.contains(key)),
    );
    assert!(english.contains("partner_ref") && english.contains("not submitted"));
    english.into_iter().collect()
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Where `phrase` (lower-case) stands as whole words in `lower`, by byte offset.
fn whole_words<'a>(lower: &'a str, phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    lower.match_indices(phrase).filter_map(move |(at, _)| {
        (!is_word(lower[..at].chars().next_back())
            && !is_word(lower[at + phrase.len()..].chars().next()))
        .then_some(at)
    })
}

/// The English texts found in `text` (as whole words, in any case), each with the words around it.
fn found_in(text: &str, english: &[String]) -> Vec<(String, String)> {
    let lower = text.to_lowercase();
    english
        .iter()
        .filter_map(|phrase| {
            let at = whole_words(&lower, phrase).next()?;
            let around: String = lower[at..].chars().take(phrase.len() + 40).collect();
            let before: String = lower[..at]
                .chars()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Some((phrase.clone(), format!("…{before}{around}…")))
        })
        .collect()
}

/// Every English text found, by where it was found.
#[derive(Default)]
struct Leaks(Vec<String>);

impl Leaks {
    fn check(&mut self, place: &str, text: &str, english: &[String]) {
        for (phrase, around) in found_in(text, english) {
            self.0.push(format!("{place}: {phrase:?} in {around:?}"));
        }
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The rows of `sheet`, each cell as text.
fn rows(workbook: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<String>> {
    let range = workbook.worksheet_range(sheet).expect("the sheet");
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook")
}

/// `text` without the round's data (titles, funders, references…, each where it stands as whole
/// words) and the workbook's sheet names: what is left is the output's own words.
fn without_data(text: &str, data: &[String]) -> String {
    let mut text = text.to_string();
    for value in data.iter().map(String::as_str).chain(SHEETS) {
        let lower = text.to_lowercase();
        let value = value.to_lowercase();
        let mut at: Vec<usize> = whole_words(&lower, &value).collect();
        // The lower-cased text has the same byte offsets as long as case changes keep lengths,
        // which holds for the round's texts; otherwise leave the value in.
        if lower.len() != text.len() {
            at.clear();
        }
        for start in at.into_iter().rev() {
            text.replace_range(start..start + value.len(), " ");
        }
    }
    text
}

/// An HTML page's text: its style sheet and tags dropped, the entities the writer uses read back.
fn html_text(html: &str) -> String {
    let html = match (html.find("<style"), html.find("</style>")) {
        (Some(start), Some(end)) if start < end => format!("{}{}", &html[..start], &html[end..]),
        _ => html.to_string(),
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn no_french_output_says_an_english_word_of_the_record() {
    let english = english();
    let initiatives = round::accepted_samples();
    let meta = round::meta();
    let tracker = round::tracker(&initiatives);
    let data = RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: None,
        tracker: &tracker,
    };
    let files = jvap_outputs::build_in(Lang::Fr, &data).expect("the files build");
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .bytes
            .clone()
    };
    // The round's own texts, longest first (so a title goes before a word inside it).
    let mut values: Vec<String> = initiatives
        .iter()
        .flat_map(|i| i.record.cells())
        .filter_map(|(_, cell)| match cell {
            Cell::Text(text) => Some(text),
            _ => None,
        })
        .flat_map(|text| {
            let parts: Vec<String> = text
                .split(table::LIST_SEPARATOR)
                .map(String::from)
                .collect();
            std::iter::once(text).chain(parts)
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let mut leaks = Leaks::default();

    // The summaries, whole, but for the warning codes they cite (`currency.assumed_eur`).
    let codes: Vec<String> = jvap_record::catalogue::ALL
        .iter()
        .flat_map(|entry| [entry.code.to_string(), entry.code.replace('_', "\\_")])
        .collect();
    values.extend(codes);
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let markdown = String::from_utf8(file("summary.fr.md")).expect("UTF-8");
    leaks.check("summary.fr.md", &without_data(&markdown, &values), &english);
    let html = html_text(&String::from_utf8(file("summary.fr.html")).expect("UTF-8"));
    leaks.check("summary.fr.html", &without_data(&html, &values), &english);

    // The workbook: every header row, and the cells that hold words.
    let mut workbook = open(file("dataset.xlsx"));
    for sheet in SHEETS {
        let rows = rows(&mut workbook, sheet);
        let place = |row: usize| format!("dataset.xlsx {sheet} row {}", row + 1);
        match sheet {
            SHEET_README => {
                // Up to the data dictionary, which gives each key with its words in both languages.
                for (i, row) in rows
                    .iter()
                    .enumerate()
                    .take_while(|(_, r)| r[0] != "Dictionnaire des données")
                {
                    leaks.check(&place(i), &row.join(" | "), &english);
                }
            }
            SHEET_TRACKER => {
                leaks.check(&place(0), &rows[0].join(" | "), &english);
                for (i, row) in rows.iter().enumerate().skip(1) {
                    // Expected, and the state's label (the code before it is the JSON's).
                    leaks.check(&place(i), &format!("{} | {}", row[3], row[5]), &english);
                }
            }
            SHEET_DUPLICATES => {
                assert!(rows.len() > 1, "the samples hold a duplicate");
                for (i, row) in rows.iter().enumerate() {
                    let cells = if i == 0 {
                        row.join(" | ")
                    } else {
                        row[1].clone()
                    };
                    leaks.check(&place(i), &cells, &english);
                }
            }
            SHEET_QUALITY => {
                for (i, row) in rows.iter().enumerate() {
                    // Warning codes (`date.order`) are codes.
                    if !row[0].contains('.') {
                        leaks.check(&place(i), &row[0], &english);
                    }
                }
            }
            _ if SHEETS[3..9].contains(&sheet) => {
                // A breakdown: its titles and headers, and the French labels (the keys are codes,
                // the English labels are the English column).
                for (i, row) in rows.iter().enumerate() {
                    let cells = match row.get(1).map(String::as_str) {
                        Some("") | None => row[0].clone(),
                        _ if row[0] == "Code" => row.join(" | "),
                        _ => row.get(2).cloned().unwrap_or_default(),
                    };
                    leaks.check(&place(i), &cells, &english);
                }
            }
            _ => leaks.check(&place(0), &rows[0].join(" | "), &english),
        }
    }

    // The template: every cell of the instructions and the lists, and the header.
    let mut workbook = open(template::template(Lang::Fr).expect("the template"));
    for sheet in workbook.sheet_names() {
        for (i, row) in rows(&mut workbook, &sheet).iter().enumerate() {
            let cells = row.join(" | ");
            if sheet == template::SHEET_INITIATIVES && i > 0 {
                break;
            }
            leaks.check(&format!("template {sheet} row {}", i + 1), &cells, &english);
        }
    }

    // The issue lists of the rejected samples: the words of each line (not the partner's values,
    // nor the issue codes).
    for entry in round::manifest() {
        if entry["verdict"] != "rejected" {
            continue;
        }
        let name = entry["file"].as_str().expect("a file name");
        let report = round::report(name);
        let mut workbook =
            open(jvap_outputs::issues::issues_xlsx(&report, Lang::Fr).expect("xlsx"));
        let sheet = workbook.sheet_names()[0].clone();
        let csv =
            String::from_utf8(jvap_outputs::issues::issues_csv(&report, Lang::Fr).expect("csv"))
                .expect("UTF-8");
        let header = csv.lines().next().unwrap_or_default().to_string();
        leaks.check(&format!("{name} issues.csv header"), &header, &english);
        for (i, row) in rows(&mut workbook, &sheet).iter().enumerate() {
            let own: Vec<&str> = [0, 5, 7, 8].iter().map(|&c| row[c].as_str()).collect();
            let text = without_data(&own.join(" | "), &[row[6].clone()]);
            leaks.check(
                &format!("{name} issues.xlsx row {}", i + 1),
                &text,
                &english,
            );
        }
    }

    assert!(
        leaks.0.is_empty(),
        "English in French outputs:\n{}",
        leaks.0.join("\n")
    );

    // The search finds English where there is some: in the English workbook's header.
    let english_files = jvap_outputs::build(&data).expect("the files build");
    let xlsx = english_files
        .into_iter()
        .find(|f| f.name == "dataset.xlsx")
        .expect("xlsx");
    let header = rows(&mut open(xlsx.bytes), SHEETS[1]).remove(0).join(" | ");
    let found: Vec<String> = found_in(&header, &english)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        found.contains(&"countries of implementation".to_string()),
        "{found:?}"
    );
}
