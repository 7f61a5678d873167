//! The workbook's report sheets, all from [`Figures`]: one sheet per breakdown (with a native chart),
//! the round tracker, the possible duplicates and the data-quality notes.

use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{EUR_FORMAT, money_number, truncate};
use crate::figures::{Figures, Group, Money};
use jvap_record::vocabulary;

pub const SHEET_BY_DOMAIN: &str = "By domain";
pub const SHEET_BY_REGION: &str = "By region";
pub const SHEET_BY_COUNTRY: &str = "By country";
pub const SHEET_BY_PARTNER: &str = "By partner";
pub const SHEET_BY_FUNDER_CATEGORY: &str = "By funder category";
pub const SHEET_BY_START_YEAR: &str = "By start year";
pub const SHEET_TRACKER: &str = "Tracker";
pub const SHEET_DUPLICATES: &str = "Possible duplicates";
pub const SHEET_QUALITY: &str = "Data quality";

/// The header of every breakdown table.
pub const BREAKDOWN_HEADERS: [&str; 5] = [
    "Key",
    "Label (EN)",
    "Libellé (FR)",
    "Initiatives",
    "Budget (EUR)",
];

/// Charts of long breakdowns (countries, partners) show this many groups, the largest first.
const CHART_MAX_GROUPS: usize = 20;

/// How a breakdown sheet is laid out.
struct Breakdown<'a> {
    sheet: &'static str,
    title: &'static str,
    groups: &'a [Group],
    /// The groups partition the initiatives (each counted once), so a Total row is meaningful.
    total: Option<(u64, Money)>,
    chart: ChartType,
}

/// Write every report sheet after the Initiatives and Initiative countries sheets.
pub fn write(workbook: &mut Workbook, figures: &Figures) -> Result<(), XlsxError> {
    let total = Some((figures.totals.initiatives, figures.totals.budget_eur));
    let breakdowns = [
        Breakdown {
            sheet: SHEET_BY_DOMAIN,
            title: "Initiatives by primary JVAP domain / par domaine principal du PAVC",
            groups: &figures.by_primary_domain,
            total,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_REGION,
            title: "Initiatives by region (once per region reached) / par région",
            groups: &figures.by_region,
            total: None,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_COUNTRY,
            title: "Initiatives by country (once per country) / par pays",
            groups: &figures.by_country,
            total: None,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_PARTNER,
            title: "Initiatives by reporting partner / par partenaire déclarant",
            groups: &figures.by_partner,
            total,
            chart: ChartType::Bar,
        },
        Breakdown {
            sheet: SHEET_BY_FUNDER_CATEGORY,
            title: "Initiatives by funder category / par catégorie de bailleur",
            groups: &figures.by_funder_category,
            total,
            chart: ChartType::Column,
        },
        Breakdown {
            sheet: SHEET_BY_START_YEAR,
            title: "Initiatives by start year / par année de début",
            groups: &figures.by_start_year,
            total,
            chart: ChartType::Line,
        },
    ];
    for breakdown in &breakdowns {
        let sheet = workbook.add_worksheet();
        let next = write_breakdown(sheet, breakdown)?;
        if breakdown.sheet == SHEET_BY_DOMAIN {
            // Also by any of an initiative's domains, and by Marrakesh objective.
            let next = write_table(
                sheet,
                next + 2,
                "By any of the initiative's domains / par l'un quelconque de ses domaines",
                &figures.by_domain,
                None,
            )?;
            write_table(
                sheet,
                next + 2,
                "By Marrakesh objective / par objectif de Marrakech",
                &figures.by_objective,
                None,
            )?;
        }
    }
    write_tracker(workbook.add_worksheet(), figures)?;
    write_duplicates(workbook.add_worksheet(), figures)?;
    write_quality(workbook.add_worksheet(), figures)?;
    Ok(())
}

/// A breakdown table from row 0 with its chart beside it; returns the last row written.
fn write_breakdown(sheet: &mut Worksheet, breakdown: &Breakdown<'_>) -> Result<u32, XlsxError> {
    sheet.set_name(breakdown.sheet)?;
    for (col, width) in [14.0, 45.0, 45.0, 12.0, 20.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    let last = write_table(sheet, 0, breakdown.title, breakdown.groups, breakdown.total)?;
    if !breakdown.groups.is_empty() {
        // Rows 2.. hold the groups (row 0 the title, row 1 the header).
        let shown = breakdown.groups.len().min(CHART_MAX_GROUPS) as u32;
        let (first, end) = (2, 1 + shown);
        let mut chart = Chart::new(breakdown.chart);
        chart
            .add_series()
            .set_name("Initiatives")
            .set_categories((breakdown.sheet, first, 1, end, 1))
            .set_values((breakdown.sheet, first, 3, end, 3));
        chart.title().set_name(breakdown.title);
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
) -> Result<u32, XlsxError> {
    let bold = Format::new().set_bold();
    let euros = Format::new().set_num_format(EUR_FORMAT);
    let bold_euros = Format::new().set_bold().set_num_format(EUR_FORMAT);
    sheet.write_string_with_format(row, 0, title, &bold)?;
    row += 1;
    for (col, header) in BREAKDOWN_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *header, &bold)?;
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

fn write_tracker(sheet: &mut Worksheet, figures: &Figures) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_TRACKER)?;
    let bold = Format::new().set_bold().set_background_color(0xDDEBF7);
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let headers = [
        ("partner", 10.0),
        ("name_en", 36.0),
        ("name_fr", 36.0),
        ("expected", 10.0),
        ("state", 14.0),
        ("initiatives", 11.0),
        ("submissions", 12.0),
        ("last_submission_id", 38.0),
        ("last_activity (UTC)", 18.0),
    ];
    for (col, (header, width)) in headers.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let rows = &figures.tracker.partners;
    sheet.autofilter(0, 0, rows.len().max(1) as u32, headers.len() as u16 - 1)?;
    for (i, partner) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &partner.partner)?;
        sheet.write_string(row, 1, &partner.name_en)?;
        sheet.write_string(row, 2, &partner.name_fr)?;
        sheet.write_string(row, 3, if partner.expected { "yes" } else { "no" })?;
        sheet.write_string(row, 4, vocabulary::code(&partner.state))?;
        sheet.write_number(row, 5, partner.initiatives as f64)?;
        sheet.write_number(row, 6, f64::from(partner.submissions))?;
        if let Some(id) = &partner.last_submission_id {
            sheet.write_string(row, 7, id)?;
        }
        if let Some(at) = partner.last_activity {
            let naive = at.naive_utc();
            match ExcelDateTime::from_timestamp(naive.and_utc().timestamp()) {
                Ok(excel) => sheet.write_datetime_with_format(row, 8, excel, &when)?,
                Err(_) => sheet.write_string(row, 8, at.to_rfc3339())?,
            };
        }
    }
    Ok(())
}

fn write_duplicates(sheet: &mut Worksheet, figures: &Figures) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_DUPLICATES)?;
    let bold = Format::new().set_bold().set_background_color(0xDDEBF7);
    let score = Format::new().set_num_format("0.00");
    let headers = [
        ("score", 8.0),
        ("reasons", 28.0),
        ("a_partner", 10.0),
        ("a_partner_ref", 18.0),
        ("a_title", 45.0),
        ("a_sheet", 14.0),
        ("a_row", 7.0),
        ("b_partner", 10.0),
        ("b_partner_ref", 18.0),
        ("b_title", 45.0),
        ("b_sheet", 14.0),
        ("b_row", 7.0),
    ];
    for (col, (header, width)) in headers.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let pairs = &figures.quality.duplicates;
    sheet.autofilter(0, 0, pairs.len().max(1) as u32, headers.len() as u16 - 1)?;
    for (i, pair) in pairs.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number_with_format(row, 0, pair.score, &score)?;
        sheet.write_string(row, 1, pair.reasons.join(", "))?;
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

fn write_quality(sheet: &mut Worksheet, figures: &Figures) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_QUALITY)?;
    let bold = Format::new().set_bold();
    for (col, width) in [40.0, 14.0, 45.0, 45.0, 12.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    let quality = &figures.quality;
    let facts: [(&str, u64); 6] = [
        ("Initiatives / Initiatives", figures.totals.initiatives),
        (
            "Without a budget in euros / Sans budget en euros",
            quality.missing_budget,
        ),
        (
            "Budget converted from another currency / Budget converti d'une autre devise",
            quality.converted_currency,
        ),
        (
            "With at least one warning / Avec au moins un avertissement",
            quality.with_warnings,
        ),
        (
            "Possible duplicate pairs / Paires de doublons possibles",
            quality.duplicates.len() as u64,
        ),
        (
            "Coverage gaps / Lacunes de couverture",
            figures.gaps.len() as u64,
        ),
    ];
    sheet.write_string_with_format(0, 0, "Data quality / Qualité des données", &bold)?;
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, *label)?;
        sheet.write_number(row, 1, *value as f64)?;
    }

    let mut row = facts.len() as u32 + 3;
    sheet.write_string_with_format(
        row,
        0,
        "Warnings by code (initiatives) / Avertissements par code (initiatives)",
        &bold,
    )?;
    for (code, count) in &quality.warnings_by_code {
        row += 1;
        sheet.write_string(row, 0, code)?;
        sheet.write_number(row, 1, *count as f64)?;
    }

    row += 2;
    sheet.write_string_with_format(row, 0, "Coverage gaps / Lacunes de couverture", &bold)?;
    row += 1;
    for (col, header) in [
        "Dimension",
        "Key",
        "Label (EN)",
        "Libellé (FR)",
        "Initiatives",
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, header, &bold)?;
    }
    for gap in &figures.gaps {
        row += 1;
        sheet.write_string(row, 0, &gap.dimension)?;
        sheet.write_string(row, 1, &gap.key)?;
        sheet.write_string(row, 2, &gap.label_en)?;
        sheet.write_string(row, 3, &gap.label_fr)?;
        sheet.write_number(row, 4, gap.initiatives as f64)?;
    }
    Ok(())
}
