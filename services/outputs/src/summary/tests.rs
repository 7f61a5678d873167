//! What the Committee's readers rely on: every section in both languages, every total of the figures
//! written out, a page that needs nothing from the network, partners' text escaped, charts that parse.

use quick_xml::XmlVersion;
use quick_xml::events::Event;

use super::content;
use super::fixture::{self, money};
use super::format::{amount, count, money_full, money_short, percent};
use crate::figures::Figures;
use jvap_record::Lang;

const LANGS: [Lang; 2] = [Lang::En, Lang::Fr];

fn outputs(figures: &Figures, lang: Lang) -> [(&'static str, String); 2] {
    [
        ("html", super::html(figures, lang)),
        ("markdown", super::markdown(figures, lang)),
    ]
}

/// How a text from the document appears once rendered in `format`.
fn rendered(format: &str, text: &str) -> String {
    match format {
        "html" => super::escape::escape(text),
        _ => super::markdown::escape(text),
    }
}

#[test]
fn both_languages_render_every_section_in_order() {
    let figures = fixture::figures();
    for lang in LANGS {
        let document = content::build(&figures, lang);
        let ids: Vec<&str> = document.sections.iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "glance",
                "response",
                "domains",
                "regions",
                "funders",
                "type-status",
                "years",
                "countries",
                "gaps",
                "quality",
                "changes",
                "about"
            ]
        );
        for (format, output) in outputs(&figures, lang) {
            let mut from = 0;
            for section in &document.sections {
                let heading = rendered(format, &section.heading);
                let at = output[from..].find(&heading).unwrap_or_else(|| {
                    panic!("{lang:?} {format}: no heading {heading:?} after byte {from}")
                });
                from += at + heading.len();
            }
            assert!(
                output.contains(&rendered(format, &document.title)),
                "{lang:?} {format}: title"
            );
            assert!(
                output.contains(&rendered(format, &document.meta)),
                "{lang:?} {format}: version and date"
            );
        }
    }
}

#[test]
fn every_total_appears_formatted_in_html_and_markdown() {
    let figures = fixture::figures();
    let totals = &figures.totals;
    let response = &figures.response;
    for lang in LANGS {
        let mut expected = vec![
            count(totals.initiatives, lang),
            count(totals.projects, lang),
            count(totals.policies, lang),
            count(totals.partners, lang),
            count(totals.countries, lang),
            count(totals.with_budget, lang),
            money_full(totals.budget_eur, lang),
            money_short(totals.budget_eur, lang),
            count(response.expected, lang),
            count(response.submitted, lang),
            count(response.accepted, lang),
            percent(response.rate_percent, lang),
            count(figures.quality.missing_budget, lang),
            count(figures.quality.converted_currency, lang),
            count(figures.quality.with_warnings, lang),
            count(figures.changes.added, lang),
            count(figures.changes.updated, lang),
            count(figures.changes.removed, lang),
        ];
        let breakdowns = [
            &figures.by_primary_domain,
            &figures.by_region,
            &figures.by_funder_category,
            &figures.by_type,
            &figures.by_status,
            &figures.by_start_year,
            &figures.by_country[..10].to_vec(),
        ];
        for group in breakdowns.into_iter().flatten() {
            expected.push(amount(group.budget_eur, lang));
        }
        for (format, output) in outputs(&figures, lang) {
            for text in &expected {
                let text = rendered(format, text);
                assert!(
                    output.contains(&text),
                    "{lang:?} {format}: {text:?} missing"
                );
            }
        }
    }
    // The French total is written the French way, exactly to the cent.
    let french = super::html(&figures, Lang::Fr);
    assert!(french.contains("687\u{202F}412\u{202F}935,47\u{A0}€"));
    assert!(
        french.contains("687,4 millions d'euros") || french.contains("687,4 millions d&#39;euros")
    );
    assert!(super::html(&figures, Lang::En).contains("EUR 687,412,935.47"));
}

#[test]
fn html_is_one_self_contained_document() {
    let figures = fixture::figures();
    for lang in LANGS {
        let page = super::html(&figures, lang);
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.contains(&format!("<html lang=\"{}\">", lang.code())));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("@page { size: A4; margin: 18mm; }"));
        let lower = page.to_lowercase();
        for forbidden in [
            "http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(",
        ] {
            assert!(
                !lower.contains(forbidden),
                "{lang:?}: {forbidden} in the page"
            );
        }
        // Tables are accessible: a caption and scoped headers each.
        assert_eq!(
            page.matches("<table>").count(),
            page.matches("<caption>").count()
        );
        assert!(page.contains("<th scope=\"col\""));
        assert!(page.contains("<th scope=\"row\""));
        // Three charts: domains, regions, start years.
        assert_eq!(page.matches("<svg role=\"img\"").count(), 3);
    }
}

#[test]
fn partners_text_is_escaped() {
    let mut figures = fixture::figures();
    let hostile = "<script>alert('x')</script> Plan & \"Co\" | *bold* [link](javascript:x)\nnext";
    figures.quality.duplicates[0].a.title = hostile.to_owned();
    figures.by_region[0].label_en = "<b>Region</b>".to_owned();
    figures.by_region[0].label_fr = "<b>Région</b>".to_owned();
    for lang in LANGS {
        let page = super::html(&figures, lang);
        assert!(!page.to_lowercase().contains("<script"), "{lang:?}");
        assert!(!page.contains("<b>"), "{lang:?}");
        assert!(
            page.contains(
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Plan &amp; &quot;Co&quot;"
            )
        );
        assert_svgs_are_well_formed(&page);

        let markdown = super::markdown(&figures, lang);
        // No markup gets through: every `<` is backslash-escaped.
        assert!(!markdown.replace("\\<", "").contains('<'), "{lang:?}");
        assert!(markdown.contains(
            "\\<script\\>alert('x')\\</script\\> Plan \\& \"Co\" \\| \\*bold\\* \\[link\\]"
        ));
        assert_tables_are_consistent(&markdown);
    }
}

#[test]
fn french_output_has_no_english_heading_or_caption() {
    let figures = fixture::figures();
    let english = content::build(&figures, Lang::En);
    let mut texts: Vec<String> = vec![english.title.clone(), english.subtitle.clone()];
    for section in &english.sections {
        texts.push(section.heading.clone());
        for block in &section.blocks {
            let tables = match block {
                super::document::Block::Table(table) => vec![table],
                super::document::Block::Tables(tables) => tables.iter().collect(),
                _ => vec![],
            };
            texts.extend(tables.iter().map(|table| table.caption.clone()));
        }
    }
    for (format, output) in outputs(&figures, Lang::Fr) {
        for text in &texts {
            assert!(
                !output.contains(&rendered(format, text)),
                "French {format} says {text:?}"
            );
        }
        for english_word in [
            "Source:",
            "initiatives reported",
            "total budget",
            "Warning",
            "Since version",
        ] {
            assert!(
                !output.contains(english_word),
                "French {format} says {english_word:?}"
            );
        }
    }
}

#[test]
fn charts_are_well_formed_accessible_svg() {
    let figures = fixture::figures();
    for lang in LANGS {
        let page = super::html(&figures, lang);
        let svgs = assert_svgs_are_well_formed(&page);
        assert_eq!(svgs, 3);
        // Each bar's value is written in the chart, so it reads in black and white.
        let domains = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
        for group in &figures.by_primary_domain {
            assert!(domains.contains(&format!(">{}</text>", count(group.initiatives, lang))));
        }
        assert!(domains.contains("<title id=\"domains-0-title\">"));
    }
}

#[test]
fn markdown_tables_have_consistent_columns() {
    let figures = fixture::figures();
    for lang in LANGS {
        let markdown = super::markdown(&figures, lang);
        let tables = assert_tables_are_consistent(&markdown);
        // Domains, regions, funder categories, type, status, years, countries, warnings, changes.
        assert_eq!(tables, 9, "{lang:?}");
        assert!(!markdown.contains("<svg"));
    }
}

#[test]
fn a_first_version_with_no_gaps_duplicates_or_dates_still_reads_well() {
    let mut figures = fixture::figures();
    figures.version = 1;
    figures.changes = Default::default();
    figures.gaps.clear();
    figures.quality.duplicates.clear();
    figures.quality.warnings_by_code.clear();
    figures.by_start_year.clear();
    figures.by_country.truncate(3);
    for tracker_row in &mut figures.tracker.partners {
        tracker_row.state = jvap_record::tracker::PartnerState::Accepted;
    }
    let english = super::markdown(&figures, Lang::En);
    assert!(english.contains("This is the first published version of the round"));
    assert!(english.contains("Every JVAP domain, Marrakesh objective and region has initiatives."));
    assert!(english.contains("No possible duplicate was found between partners."));
    assert!(english.contains("Every expected partner has data in the dataset."));
    assert!(english.contains("## Top 3 countries"));
    let french = super::html(&figures, Lang::Fr);
    assert!(french.contains("C&#39;est la première version publiée de la collecte"));
    assert_eq!(assert_svgs_are_well_formed(&french), 2);
    assert_tables_are_consistent(&english);
}

#[test]
fn an_empty_round_and_a_long_history_render_without_broken_charts() {
    let mut figures = fixture::figures();
    figures.totals = crate::figures::Totals {
        initiatives: 0,
        projects: 0,
        policies: 0,
        partners: 0,
        countries: 0,
        with_budget: 0,
        budget_eur: money("0"),
    };
    for group in figures
        .by_primary_domain
        .iter_mut()
        .chain(figures.by_region.iter_mut())
    {
        group.initiatives = 0;
        group.budget_eur = money("0");
    }
    figures.by_country.clear();
    for lang in LANGS {
        let page = super::html(&figures, lang);
        // Only the start years are left to draw.
        assert_eq!(assert_svgs_are_well_formed(&page), 1);
        assert!(!page.contains("NaN"));
        assert_tables_are_consistent(&super::markdown(&figures, lang));
    }
    // Thirty-seven start years: every value stays, the year labels thin out.
    figures.by_start_year = (1990u32..2027)
        .map(|year| crate::figures::Group {
            key: year.to_string(),
            label_en: year.to_string(),
            label_fr: year.to_string(),
            initiatives: 100 + u64::from(year % 7),
            budget_eur: money("1000"),
        })
        .collect();
    let page = super::html(&figures, Lang::En);
    assert_eq!(assert_svgs_are_well_formed(&page), 1);
    let chart = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    assert!(chart.contains(">1990</text>") && !chart.contains(">1991</text>"));
    assert_eq!(chart.matches("<rect").count(), 37);
}

#[test]
fn lists_name_the_partners_and_quote_the_duplicates() {
    let figures = fixture::figures();
    let english = super::markdown(&figures, Lang::En);
    assert!(english.contains("Rejected (2): Côte d'Ivoire, Guinea."));
    assert!(english.contains("Not submitted (4): Burkina Faso, Cameroon, "));
    assert!(english.contains(
        "without being on the list of expected partners: United Nations Office on Drugs and Crime"
    ));
    assert!(english.contains(
        "“Better Migration Management in the Horn of Africa (phase II)” (European Union) and \
         “Better Migration Management – Horn of Africa, phase 2” (Germany): similar titles"
    ));
    assert!(english.contains("No initiative addresses Marrakesh objective O7"));
    assert!(english.contains("Only 12 initiatives address the region Central Africa."));
    let french = super::markdown(&figures, Lang::Fr);
    assert!(french.contains("Aucune initiative ne porte sur l'objectif de Marrakech O7"));
    assert!(french.contains(
        "Depuis la version 6\u{A0}: 23 initiatives ajoutées, 9 modifiées et 4 retirées."
    ));
    assert!(french.contains("(Allemagne)"));
    // The five most frequent warnings, not the sixth.
    assert!(french.contains("description.empty"));
    assert!(!french.contains("column.unknown"));
}

/// Parses every `<svg>` of `page` as XML; returns how many there are.
fn assert_svgs_are_well_formed(page: &str) -> usize {
    let mut found = 0;
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        let end =
            rest[start..].find("</svg>").expect("an <svg> is closed") + start + "</svg>".len();
        let svg = &rest[start..end];
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut depth = 0i32;
        let mut has_title = false;
        loop {
            match reader
                .read_event()
                .unwrap_or_else(|e| panic!("bad SVG {e}: {svg}"))
            {
                Event::Start(element) => {
                    depth += 1;
                    for attribute in element.attributes() {
                        attribute
                            .unwrap()
                            .normalized_value(XmlVersion::Implicit1_0)
                            .unwrap();
                    }
                    has_title |= element.name().as_ref() == "title";
                    if element.name().as_ref() == "svg" {
                        let role = element.try_get_attribute("role").unwrap().unwrap();
                        assert_eq!(role.value, "img");
                    }
                }
                Event::End(_) => depth -= 1,
                Event::Empty(element) => {
                    for attribute in element.attributes() {
                        attribute
                            .unwrap()
                            .normalized_value(XmlVersion::Implicit1_0)
                            .unwrap();
                    }
                }
                Event::GeneralRef(reference) => {
                    let name = reference.as_ref();
                    assert!(
                        reference.is_char_ref()
                            || ["amp", "lt", "gt", "quot", "apos"].contains(&name),
                        "unknown entity in SVG: {svg}"
                    );
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unbalanced SVG: {svg}");
        assert!(has_title, "SVG without a title: {svg}");
        found += 1;
        rest = &rest[end..];
    }
    found
}

/// Checks that every line of every Markdown table has the same number of cells; returns the tables.
fn assert_tables_are_consistent(markdown: &str) -> usize {
    let cells = |line: &str| {
        let mut count = 0;
        let mut escaped = false;
        for c in line.chars() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '|' => count += 1,
                _ => {}
            }
        }
        count
    };
    let mut tables = 0;
    let mut width: Option<usize> = None;
    for line in markdown.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            match width {
                None => {
                    tables += 1;
                    width = Some(n);
                }
                Some(w) => assert_eq!(n, w, "ragged table line: {line}"),
            }
        } else {
            width = None;
        }
    }
    tables
}

/// `cargo test -p jvap-outputs summary::tests::write_previews -- --ignored` writes the fixture's summaries
/// to `$TMPDIR/jvap-summary/`, to look at them in a browser and print them.
#[test]
#[ignore = "writes preview files for a person to look at"]
fn write_previews() {
    let dir = std::env::temp_dir().join("jvap-summary");
    std::fs::create_dir_all(&dir).unwrap();
    let figures = fixture::figures();
    for lang in LANGS {
        let code = lang.code();
        std::fs::write(
            dir.join(format!("summary.{code}.html")),
            super::html(&figures, lang),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("summary.{code}.md")),
            super::markdown(&figures, lang),
        )
        .unwrap();
    }
}

#[test]
fn the_quality_section_points_at_a_partner_that_is_most_of_the_round_and_an_outlying_budget() {
    use crate::figures::{BudgetOutlier, Dominant};
    let mut figures = fixture::figures();
    figures.quality.dominant = vec![Dominant {
        partner: "NER".to_owned(),
        initiatives_percent: "99.0".parse().expect("decimal"),
        budget_percent: "12.5".parse().expect("decimal"),
    }];
    figures.quality.budget_outliers = vec![BudgetOutlier {
        partner: "SEN".to_owned(),
        title: "Typed in cents".to_owned(),
        budget_eur: "120000000000.00".parse().expect("decimal"),
        median_eur: "850000.00".parse().expect("decimal"),
    }];
    let english = super::markdown(&figures, Lang::En);
    assert!(
        english.contains("alone makes up 99% of the initiatives and 12.5% of the budget"),
        "{english}"
    );
    assert!(
        english.contains("1 initiative has a budget over 1,000 times the round's median"),
        "{english}"
    );
    assert!(english.contains("“Typed in cents” (SEN"), "{english}");
    let french = super::markdown(&figures, Lang::Fr);
    assert!(
        french.contains("représente à lui seul 99\u{202F}% des initiatives"),
        "{french}"
    );
    assert!(
        french.contains("1 initiative a un budget plus de 1\u{202F}000 fois"),
        "{french}"
    );
    // Nothing flagged, nothing said.
    let plain = super::markdown(&fixture::figures(), Lang::En);
    assert!(!plain.contains("To check:"));
}
