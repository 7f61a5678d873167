//! The workbook's report sheets, all from [`Figures`]: one sheet per breakdown (with a native chart),
//! the round tracker, the possible duplicates and the data-quality notes.

use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::print::{Print, tr, width_of};
use super::{EUR_FORMAT, money_number, truncate};
use crate::figures::{Figures, Group, Money};
use jvap_record::Lang;
use jvap_record::record::field;
use jvap_record::vocabulary::{self, Bilingual, PROGRAMME, capitalized};

pub const SHEET_BY_DOMAIN: &str = "By domain";
pub const SHEET_BY_REGION: &str = "By region";
pub const SHEET_BY_COUNTRY: &str = "By country";
pub const SHEET_BY_PARTNER: &str = "By partner";
pub const SHEET_BY_FUNDER_CATEGORY: &str = "By funder category";
pub const SHEET_BY_START_YEAR: &str = "By start year";
pub const SHEET_TRACKER: &str = "Tracker";
pub const SHEET_DUPLICATES: &str = "Possible duplicates";
pub const SHEET_QUALITY: &str = "Data quality";

/// The header of every breakdown table, in the workbook's language (both label columns are always
/// there: a group's label in English, then in French).
pub const BREAKDOWN_HEADERS: [Bilingual; 5] = [
    tr("Key", "Code"),
    tr("Label (EN)", "Libellé (EN)"),
    tr("Label (FR)", "Libellé (FR)"),
    tr("Initiatives", "Initiatives"),
    tr("Budget (EUR)", "Budget (EUR)"),
];

/// Charts of long breakdowns (countries, partners) show this many groups, the largest first.
const CHART_MAX_GROUPS: usize = 20;

/// How a breakdown sheet is laid out.
struct Breakdown<'a> {
    sheet: &'static str,
    title: String,
    groups: &'a [Group],
    /// The groups partition the initiatives (each counted once), so a Total row is meaningful.
    total: Option<(u64, Money)>,
    chart: ChartType,
}

/// Write every report sheet after the Initiatives and Initiative countries sheets.
pub fn write(workbook: &mut Workbook, figures: &Figures, print: &Print) -> Result<(), XlsxError> {
    let total = Some((figures.totals.initiatives, figures.totals.budget_eur));
    let programme = print.tr(PROGRAMME);
    let title = |en: &str, fr: &str| match print.lang {
        Lang::En => format!("Initiatives {en}"),
        Lang::Fr => format!("Initiatives {fr}"),
    };
    let breakdowns = [
        Breakdown {
            sheet: SHEET_BY_DOMAIN,
            title: title(
                &format!("by primary {programme} domain"),
                &format!("par domaine principal du {programme}"),
            ),
            groups: &figures.by_primary_domain,
            total,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_REGION,
            title: title(
                "by region (once per region reached)",
                "par région (une fois par région touchée)",
            ),
            groups: &figures.by_region,
            total: None,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_COUNTRY,
            title: title(
                "by country (once per country)",
                "par pays (une fois par pays)",
            ),
            groups: &figures.by_country,
            total: None,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_PARTNER,
            title: title("by reporting partner", "par partenaire déclarant"),
            groups: &figures.by_partner,
            total,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_FUNDER_CATEGORY,
            title: title("by funder category", "par catégorie de bailleur"),
            groups: &figures.by_funder_category,
            total,
            chart: ChartType::Column,
        },
        Breakdown {
            sheet: SHEET_BY_START_YEAR,
            title: title("by start year", "par année de début"),
            groups: &figures.by_start_year,
            total,
            chart: ChartType::Line,
        },
    ];
    for breakdown in &breakdowns {
        let sheet = workbook.add_worksheet();
        if breakdown.sheet == SHEET_BY_DOMAIN {
            // Also by any of an initiative's domains, and by Marrakesh objective.
            let more = [&figures.by_domain, &figures.by_objective];
            let next = write_breakdown(sheet, breakdown, &more, print)?;
            let next = write_table(
                sheet,
                next + 2,
                &title(
                    "by any of their domains",
                    "par l'un quelconque de leurs domaines",
                ),
                &figures.by_domain,
                None,
                print,
            )?;
            write_table(
                sheet,
                next + 2,
                &title("by Marrakesh objective", "par objectif de Marrakech"),
                &figures.by_objective,
                None,
                print,
            )?;
        } else {
            write_breakdown(sheet, breakdown, &[], print)?;
        }
    }
    write_tracker(workbook.add_worksheet(), figures, print)?;
    write_duplicates(workbook.add_worksheet(), figures, print)?;
    write_quality(workbook.add_worksheet(), figures, print)?;
    Ok(())
}

/// A breakdown table from row 0 with its chart beside its top, so the chart prints whole on the
/// first page; returns the last row written. The columns are as wide as the groups of the sheet
/// (`more` are the other tables the sheet will hold) need.
fn write_breakdown(
    sheet: &mut Worksheet,
    breakdown: &Breakdown<'_>,
    more: &[&Vec<Group>],
    print: &Print,
) -> Result<u32, XlsxError> {
    sheet.set_name(breakdown.sheet)?;
    print.setup(sheet, Some((0, 1)))?;
    let groups = || {
        breakdown
            .groups
            .iter()
            .chain(more.iter().flat_map(|groups| groups.iter()))
    };
    let headers = BREAKDOWN_HEADERS.map(|h| print.tr(h));
    let widths = [
        width_of(
            groups()
                .map(|g| g.key.as_str())
                .chain(["Total", headers[0]]),
            8.0,
            20.0,
        ),
        width_of(groups().map(|g| g.label_en.as_str()), 20.0, 45.0),
        width_of(groups().map(|g| g.label_fr.as_str()), 20.0, 45.0),
        12.0,
        20.0,
    ];
    for (col, width) in widths.into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    let last = write_table(
        sheet,
        0,
        &breakdown.title,
        breakdown.groups,
        breakdown.total,
        print,
    )?;
    if !breakdown.groups.is_empty() {
        // Rows 2.. hold the groups (row 0 the title, row 1 the header); the categories are the labels
        // in the workbook's language.
        let shown = breakdown.groups.len().min(CHART_MAX_GROUPS) as u32;
        let (first, end) = (2, 1 + shown);
        let label_col = match print.lang {
            Lang::En => 1,
            Lang::Fr => 2,
        };
        let mut chart = Chart::new(breakdown.chart);
        chart
            .add_series()
            .set_name(print.tr(BREAKDOWN_HEADERS[3]))
            .set_categories((breakdown.sheet, first, label_col, end, label_col))
            .set_values((breakdown.sheet, first, 3, end, 3));
        chart.title().set_name(&breakdown.title);
        chart.legend().set_hidden();
        if breakdown.chart == ChartType::Bar {
            // Bars list the first category at the bottom; reverse so the table order reads down.
            chart.y_axis().set_reverse();
            chart.set_height(120 + 22 * shown);
        }
        chart.set_width(640);
        sheet.insert_chart(1, 6, &chart)?;
    }
    Ok(last)
}

/// A titled table of groups from `row`, with a Total row when given; returns the last row written.
fn write_table(
    sheet: &mut Worksheet,
    mut row: u32,
    title: &str,
    groups: &[Group],
    total: Option<(u64, Money)>,
    print: &Print,
) -> Result<u32, XlsxError> {
    let bold = Format::new().set_bold();
    let euros = Format::new().set_num_format(EUR_FORMAT);
    let bold_euros = Format::new().set_bold().set_num_format(EUR_FORMAT);
    sheet.write_string_with_format(row, 0, title, &bold)?;
    row += 1;
    for (col, header) in BREAKDOWN_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, print.tr(*header), &bold)?;
    }
    for group in groups {
        row += 1;
        sheet.write_string(row, 0, &group.key)?;
        sheet.write_string(row, 1, &group.label_en)?;
        sheet.write_string(row, 2, &group.label_fr)?;
        sheet.write_number(row, 3, group.initiatives as f64)?;
        sheet.write_number_with_format(row, 4, money_number(group.budget_eur), &euros)?;
    }
    if let Some((initiatives, budget)) = total {
        row += 1;
        sheet.write_string_with_format(row, 0, "Total", &bold)?;
        sheet.write_number_with_format(row, 3, initiatives as f64, &bold)?;
        sheet.write_number_with_format(row, 4, money_number(budget), &bold_euros)?;
    }
    Ok(row)
}

fn write_tracker(sheet: &mut Worksheet, figures: &Figures, print: &Print) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_TRACKER)?;
    print.setup(sheet, Some((0, 0)))?;
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(0xDDEBF7);
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let headers = [
        (tr("Partner", "Partenaire"), 11.0),
        (tr("Name (EN)", "Nom (EN)"), 36.0),
        (tr("Name (FR)", "Nom (FR)"), 36.0),
        (tr("Expected", "Attendu"), 10.0),
        (tr("State (code)", "État (code)"), 14.0),
        (tr("State", "État"), 14.0),
        (tr("Initiatives", "Initiatives"), 11.0),
        (tr("Submissions", "Envois"), 12.0),
        (tr("Last submission", "Dernier envoi"), 38.0),
        (tr("Last activity (UTC)", "Dernière activité (UTC)"), 18.0),
    ];
    for (col, (header, width)) in headers.iter().enumerate() {
        sheet.set_column_width(col as u16, width_of([print.tr(*header)], *width, 40.0))?;
        sheet.write_string_with_format(0, col as u16, print.tr(*header), &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let rows = &figures.tracker.partners;
    sheet.autofilter(0, 0, rows.len().max(1) as u32, headers.len() as u16 - 1)?;
    let (yes, no) = (tr("yes", "oui"), tr("no", "non"));
    for (i, partner) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &partner.partner)?;
        sheet.write_string(row, 1, &partner.name_en)?;
        sheet.write_string(row, 2, &partner.name_fr)?;
        sheet.write_string(row, 3, print.tr(if partner.expected { yes } else { no }))?;
        sheet.write_string(row, 4, vocabulary::code(&partner.state))?;
        sheet.write_string(row, 5, capitalized(partner.state.label(print.lang)))?;
        sheet.write_number(row, 6, partner.initiatives as f64)?;
        sheet.write_number(row, 7, f64::from(partner.submissions))?;
        if let Some(id) = &partner.last_submission_id {
            sheet.write_string(row, 8, id)?;
        }
        if let Some(at) = partner.last_activity {
            let naive = at.naive_utc();
            match ExcelDateTime::from_timestamp(naive.and_utc().timestamp()) {
                Ok(excel) => sheet.write_datetime_with_format(row, 9, excel, &when)?,
                Err(_) => sheet.write_string(row, 9, at.to_rfc3339())?,
            };
        }
    }
    Ok(())
}

/// The words of the duplicates sheet's "why" column: the reasons in the workbook's language.
fn reasons(reasons: &[String], lang: Lang) -> String {
    let words: Vec<&str> = reasons
        .iter()
        .map(|code| vocabulary::duplicate_reason(code, lang))
        .collect();
    words.join(", ")
}

fn write_duplicates(
    sheet: &mut Worksheet,
    figures: &Figures,
    print: &Print,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_DUPLICATES)?;
    print.setup(sheet, Some((0, 0)))?;
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(0xDDEBF7);
    let score = Format::new().set_num_format("0.00");
    let lang = print.lang;
    let side = |label: &str, letter: char| format!("{label} ({letter})");
    let partner = print.tr(tr("Partner", "Partenaire"));
    let reference = field("partner_ref").header(lang);
    let title = field("title").header(lang);
    let sheet_word = print.tr(tr("Sheet", "Feuille"));
    let row_word = print.tr(tr("Row", "Ligne"));
    let mut headers = vec![
        (print.tr(tr("Score", "Score")).to_string(), 8.0),
        (print.tr(tr("Why", "Pourquoi")).to_string(), 30.0),
    ];
    for letter in ['A', 'B'] {
        headers.extend([
            (side(partner, letter), 12.0),
            (side(reference, letter), 18.0),
            (side(title, letter), 45.0),
            (side(sheet_word, letter), 14.0),
            (side(row_word, letter), 9.0),
        ]);
    }
    for (col, (header, width)) in headers.iter().enumerate() {
        sheet.set_column_width(col as u16, width_of([header.as_str()], *width, 45.0))?;
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let pairs = &figures.quality.duplicates;
    sheet.autofilter(0, 0, pairs.len().max(1) as u32, headers.len() as u16 - 1)?;
    for (i, pair) in pairs.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number_with_format(row, 0, pair.score, &score)?;
        sheet.write_string(row, 1, reasons(&pair.reasons, lang))?;
        for (offset, side) in [(2u16, &pair.a), (7, &pair.b)] {
            sheet.write_string(row, offset, &side.partner)?;
            if let Some(r) = &side.partner_ref {
                sheet.write_string(row, offset + 1, truncate(r))?;
            }
            sheet.write_string(row, offset + 2, truncate(&side.title))?;
            if let Some(s) = &side.source.sheet {
                sheet.write_string(row, offset + 3, s)?;
            }
            sheet.write_number(row, offset + 4, f64::from(side.source.row))?;
        }
    }
    Ok(())
}

fn write_quality(sheet: &mut Worksheet, figures: &Figures, print: &Print) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_QUALITY)?;
    print.setup(sheet, None)?;
    let bold = Format::new().set_bold();
    let quality = &figures.quality;
    let facts: [(Bilingual, u64); 6] = [
        (tr("Initiatives", "Initiatives"), figures.totals.initiatives),
        (
            tr("Without a budget in euros", "Sans budget en euros"),
            quality.missing_budget,
        ),
        (
            tr(
                "Budget converted from another currency",
                "Budget converti d'une autre devise",
            ),
            quality.converted_currency,
        ),
        (
            tr(
                "With at least one warning",
                "Avec au moins un avertissement",
            ),
            quality.with_warnings,
        ),
        (
            tr("Possible duplicate pairs", "Paires de doublons possibles"),
            quality.duplicates.len() as u64,
        ),
        (
            tr("Coverage gaps", "Lacunes de couverture"),
            figures.gaps.len() as u64,
        ),
    ];
    let first = width_of(
        facts
            .iter()
            .map(|(label, _)| print.tr(*label))
            .chain(
                quality
                    .warnings_by_code
                    .iter()
                    .map(|(code, _)| code.as_str()),
            )
            .chain(
                figures
                    .gaps
                    .iter()
                    .map(|g| print.tr(dimension(&g.dimension))),
            ),
        14.0,
        45.0,
    );
    for (col, width) in [first, 14.0, 45.0, 45.0, 12.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.write_string_with_format(
        0,
        0,
        print.tr(tr("Data quality", "Qualité des données")),
        &bold,
    )?;
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, print.tr(*label))?;
        sheet.write_number(row, 1, *value as f64)?;
    }

    let mut row = facts.len() as u32 + 3;
    sheet.write_string_with_format(
        row,
        0,
        print.tr(tr(
            "Warnings by code (initiatives)",
            "Avertissements par code (initiatives)",
        )),
        &bold,
    )?;
    for (code, count) in &quality.warnings_by_code {
        row += 1;
        sheet.write_string(row, 0, code)?;
        sheet.write_number(row, 1, *count as f64)?;
    }

    row += 2;
    sheet.write_string_with_format(
        row,
        0,
        print.tr(tr("Coverage gaps", "Lacunes de couverture")),
        &bold,
    )?;
    row += 1;
    let headers = [
        tr("Dimension", "Dimension"),
        BREAKDOWN_HEADERS[0],
        BREAKDOWN_HEADERS[1],
        BREAKDOWN_HEADERS[2],
        BREAKDOWN_HEADERS[3],
    ];
    for (col, header) in headers.into_iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, print.tr(header), &bold)?;
    }
    for gap in &figures.gaps {
        row += 1;
        sheet.write_string(row, 0, capitalized(print.tr(dimension(&gap.dimension))))?;
        sheet.write_string(row, 1, &gap.key)?;
        sheet.write_string(row, 2, &gap.label_en)?;
        sheet.write_string(row, 3, &gap.label_fr)?;
        sheet.write_number(row, 4, gap.initiatives as f64)?;
    }
    Ok(())
}

/// The words of a coverage gap's dimension (`domain`, `objective`, `region`).
fn dimension(code: &str) -> Bilingual {
    match code {
        "domain" => tr("domain", "domaine"),
        "objective" => tr("Marrakesh objective", "objectif de Marrakech"),
        "region" => tr("region", "région"),
        _ => tr("other", "autre"),
    }
}
