//! The published files built from every accepted sample of `shared/samples/`: the workbook opens with
//! its sheets, and the workbook, the JSON and the [`Figures`] agree on every total. Also the one
//! cross-partner duplicate the samples hold (the PAGIF project, reported by the EU and by Niger).

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;
use serde_json::Value;

use jvap_outputs::DatasetInitiative;
use jvap_outputs::RoundData;
use jvap_outputs::dataset::xlsx::{SHEET_BY_DOMAIN, SHEETS};
use jvap_outputs::dataset::{write_csv, write_json, write_xlsx};
use jvap_outputs::duplicates;
use jvap_outputs::figures::{Figures, Money};

mod round;
use round::{accepted_samples, meta, sample, tracker};

/// A number cell as [`Money`], to the cent.
fn money(cell: &Data) -> Money {
    let number = match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    jvap_outputs::figures::money(number).expect("a finite amount")
}

#[test]
fn the_workbook_the_json_and_the_figures_agree_on_the_totals() {
    let initiatives = accepted_samples();
    assert_eq!(initiatives.len(), 65, "the manifest's accepted records");
    let meta = meta();
    let tracker = tracker(&initiatives);
    let data = RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: None,
        tracker: &tracker,
    };
    let figures = Figures::compute(&data);
    assert_eq!(figures.totals.initiatives, 65);
    assert_eq!(figures.totals.partners, 8);

    let xlsx = write_xlsx(&data, &figures).expect("the workbook");
    let mut workbook = Xlsx::new(Cursor::new(xlsx)).expect("calamine opens the workbook");
    assert_eq!(workbook.sheet_names(), SHEETS);
    let by_domain = workbook
        .worksheet_range(SHEET_BY_DOMAIN)
        .expect("By domain");
    let total = by_domain
        .rows()
        .find(|r| r[0] == Data::String("Total".into()))
        .expect("a Total row");
    assert_eq!(total[3], Data::Float(figures.totals.initiatives as f64));
    assert_eq!(money(&total[4]), figures.totals.budget_eur);
    let domain_sum: Money = by_domain
        .rows()
        .filter(|r| matches!(&r[0], Data::String(k) if k.len() == 2 && k.starts_with('D')))
        .take(5)
        .map(|r| money(&r[4]))
        .sum();
    assert_eq!(
        domain_sum, figures.totals.budget_eur,
        "the domains add up to the total"
    );

    let json: Value =
        serde_json::from_slice(&write_json(&data, &figures).expect("the JSON")).expect("JSON");
    let from_json: Figures =
        serde_json::from_value(json["figures"].clone()).expect("the figures read back");
    assert_eq!(from_json, figures);
    assert_eq!(
        Decimal::from_str(
            json["figures"]["totals"]["budget_eur"]
                .as_str()
                .expect("a string")
        )
        .expect("a decimal"),
        figures.totals.budget_eur
    );
    assert_eq!(json["counts"]["initiatives"], 65);
    assert_eq!(
        json["duplicates"].as_array().map(Vec::len),
        Some(1),
        "the PAGIF pair"
    );

    let csv = write_csv(&meta, &initiatives).expect("the CSV");
    let lines = csv.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    assert!(
        lines > 65,
        "a header and a line per initiative (some span lines)"
    );
}

/// What SPEC §5 asks: every figure of the summary equals the same figure in the workbook and the JSON.
/// The files come from `outputs::build`, as the service and `jvap consolidate` publish them.
#[test]
fn the_summaries_show_the_totals_of_the_workbook_and_the_json() {
    use jvap_outputs::summary::format;
    use jvap_record::Lang;

    let initiatives = accepted_samples();
    let meta = meta();
    let tracker = tracker(&initiatives);
    let data = RoundData {
        meta: &meta,
        initiatives: &initiatives,
        previous: None,
        tracker: &tracker,
    };
    let files = jvap_outputs::build(&data).expect("the outputs");
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} is built"))
            .bytes
            .clone()
    };

    let json: Value = serde_json::from_slice(&file("dataset.json")).expect("JSON");
    let total = Decimal::from_str(
        json["figures"]["totals"]["budget_eur"]
            .as_str()
            .expect("a string"),
    )
    .expect("a decimal");
    let initiatives_total = json["figures"]["totals"]["initiatives"]
        .as_u64()
        .expect("a count");

    let mut workbook = Xlsx::new(Cursor::new(file("dataset.xlsx"))).expect("the workbook opens");
    let by_domain = workbook
        .worksheet_range(SHEET_BY_DOMAIN)
        .expect("By domain");
    let row = by_domain
        .rows()
        .find(|r| r[0] == Data::String("Total".into()))
        .expect("a Total row");
    assert_eq!(money(&row[4]), total, "workbook and JSON");
    assert_eq!(row[3], Data::Float(initiatives_total as f64));

    for (name, lang) in [
        ("summary.en.html", Lang::En),
        ("summary.fr.html", Lang::Fr),
        ("summary.en.md", Lang::En),
        ("summary.fr.md", Lang::Fr),
    ] {
        let text = String::from_utf8(file(name)).expect("UTF-8");
        // HTML writes the apostrophe of "millions d'euros" as an entity.
        let text = text.replace("&#39;", "'");
        for shown in [
            format::money_full(total, lang),
            format::money_short(total, lang),
            format::count(initiatives_total, lang),
        ] {
            assert!(text.contains(&shown), "{name} shows {shown:?}");
        }
    }
    let english = String::from_utf8(file("summary.en.html")).expect("UTF-8");
    assert!(
        english.contains("EUR 372,928,642.42"),
        "the exact total, to the cent"
    );
}

#[test]
fn the_pagif_project_of_the_eu_and_niger_is_the_only_duplicate_across_the_samples() {
    let (_, eu) = sample("EU_DG-INTPA_JVAP_2022.xlsx");
    let (_, ner) = sample("NER_Donnees_JVAP_2022.xlsx");
    let both: Vec<DatasetInitiative> = eu.into_iter().chain(ner).collect();
    let pairs = duplicates::find(&both);
    assert_eq!(pairs.len(), 1, "{pairs:#?}");
    let pair = &pairs[0];
    let mut sides = [
        (pair.a.partner.as_str(), pair.a.source.row),
        (pair.b.partner.as_str(), pair.b.source.row),
    ];
    sides.sort();
    assert_eq!(sides, [("EU", 6), ("NER", 5)]);
    assert!(pair.score >= duplicates::THRESHOLD);
    assert_eq!(pair.reasons, ["title", "countries", "dates", "budget"]);

    let all = duplicates::find(&accepted_samples());
    assert_eq!(all, pairs, "no other pair among the samples");
}
