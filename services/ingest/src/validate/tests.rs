//! Rules checked on small sheets built in memory.

use super::validate_sheets;
use crate::sheet::{Cell, CellValue, Row, Sheet, Visibility};
use jvap_record::Severity;
use jvap_record::report::{Issue, Report, ReportSink, Verdict};

const HEADER: &[&str] = &[
    "Reference",
    "Type",
    "Title",
    "Description",
    "Status",
    "Start date",
    "End date",
    "JVAP domains",
    "Primary domain",
    "JVAP priorities",
    "Countries of implementation",
    "Lead funder",
    "Implementing organisations",
    "Total budget",
    "Currency",
    "Contact e-mail",
    "Website",
];

/// A valid project row for [`HEADER`], to be changed by each test.
fn project() -> Vec<&'static str> {
    vec![
        "REF-1",
        "Project",
        "Support to integrated border management",
        "The action builds capacities.",
        "Ongoing",
        "15/03/2019",
        "2022-12-31",
        "D1; D4",
        "D4",
        "4.1",
        "Senegal; Mali",
        "European Union",
        "IOM; GIZ",
        "1 200 000",
        "EUR",
        "focal.point@moi.gov.sn",
        "https://example.org",
    ]
}

fn text_row(number: u32, texts: &[&str]) -> Row {
    let cells = texts
        .iter()
        .map(|t| Cell::new(CellValue::Text((*t).into())))
        .collect();
    Row { number, cells }
}

fn sheet(name: &str, header: &[&str], rows: Vec<Vec<&str>>) -> Sheet {
    let mut all = vec![text_row(1, header)];
    all.extend(rows.iter().zip(2..).map(|(r, n)| text_row(n, r)));
    Sheet {
        name: Some(name.into()),
        visibility: Visibility::Visible,
        rows: all,
    }
}

fn one_row(change: impl FnOnce(&mut Vec<&'static str>)) -> Report {
    let mut row = project();
    change(&mut row);
    validate_sheets(&[sheet("Initiatives", HEADER, vec![row])])
}

fn codes(report: &Report, severity: Severity) -> Vec<(String, Option<String>)> {
    report
        .issues
        .iter()
        .filter(|i| i.severity == severity)
        .map(|i| (i.code.clone(), i.cell.clone()))
        .collect()
}

fn errors(report: &Report) -> Vec<(String, Option<String>)> {
    codes(report, Severity::Error)
}

fn pair(code: &str, cell: &str) -> (String, Option<String>) {
    (code.to_string(), Some(cell.to_string()))
}

#[test]
fn a_valid_row_becomes_a_record_that_says_where_it_came_from() {
    let report = one_row(|_| {});
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let record = &report.records[0];
    assert_eq!(record.source.sheet.as_deref(), Some("Initiatives"));
    assert_eq!(record.source.row, 2);
    assert_eq!(record.jvap_domains, vec!["D1", "D4"]);
    assert_eq!(record.countries, vec!["SEN", "MLI"]);
    assert_eq!(record.geographic_scope, "regional");
    assert_eq!(record.lead_funder.as_deref(), Some("EU"));
    assert_eq!(record.funder_category.as_deref(), Some("eu_institution"));
    assert_eq!(record.implementers, vec!["IOM", "GIZ"]);
    assert_eq!(record.budget_eur, Some(1_200_000.0));
    assert_eq!(report.counts.rows, 1);
}

#[test]
fn a_row_with_an_error_yields_no_record_and_rejects_the_file() {
    let report = one_row(|r| r[2] = "");
    assert_eq!(report.verdict, Verdict::Rejected);
    assert!(report.records.is_empty());
    assert_eq!(errors(&report), vec![pair("value.required", "C2")]);
    assert_eq!(report.issues[0].message_fr, "« Titre » est obligatoire.");
}

#[test]
fn titles_and_descriptions_have_length_limits() {
    assert_eq!(
        errors(&one_row(|r| r[2] = " ab ")),
        vec![pair("value.too_short", "C2")]
    );
    let long = "x".repeat(301).leak();
    assert_eq!(
        errors(&one_row(|r| r[2] = long)),
        vec![pair("value.too_long", "C2")]
    );
    let longer = "x".repeat(4001).leak();
    assert_eq!(
        errors(&one_row(|r| r[3] = longer)),
        vec![pair("value.too_long", "D2")]
    );
    let empty = one_row(|r| r[3] = "");
    assert_eq!(
        codes(&empty, Severity::Warning),
        vec![pair("description.empty", "D2")]
    );
}

#[test]
fn dates_must_be_real_in_order_and_within_the_jvap() {
    let impossible = one_row(|r| r[5] = "31/02/2019");
    assert_eq!(errors(&impossible), vec![pair("date.impossible", "F2")]);
    assert_eq!(
        impossible.issues[0].message_en,
        "31/02/2019: February has no 31st. Check the day and the month (day first, dd/mm/yyyy)."
    );
    assert_eq!(
        impossible.issues[0].message_fr,
        "31/02/2019 : février n'a pas de 31. Vérifiez le jour et le mois (jour en premier, jj/mm/aaaa)."
    );
    assert_eq!(
        errors(&one_row(|r| r[5] = "sometime in 2019")),
        vec![pair("date.unparseable", "F2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[6] = "01/01/2019")),
        vec![pair("date.end_before_start", "G2")]
    );
    let out = one_row(|r| {
        r[5] = "2012-01-01";
        r[6] = "2015-10-31";
    });
    assert_eq!(errors(&out), vec![pair("date.out_of_scope", "G2")]);
    let ambiguous = one_row(|r| r[5] = "05/04/2019");
    assert_eq!(
        codes(&ambiguous, Severity::Info),
        vec![pair("date.ambiguous", "F2")]
    );
    assert_eq!(ambiguous.records[0].start_date.to_string(), "2019-04-05");
}

#[test]
fn an_end_date_is_required_for_projects_only() {
    assert_eq!(
        errors(&one_row(|r| r[6] = "")),
        vec![pair("value.required", "G2")]
    );
    let policy = one_row(|r| {
        r[1] = "Politique";
        r[6] = "";
        r[11] = "";
        r[12] = "";
        r[13] = "";
    });
    assert_eq!(policy.verdict, Verdict::Accepted, "{:?}", policy.issues);
    assert_eq!(policy.records[0].initiative_type, "policy");
}

#[test]
fn the_primary_domain_defaults_to_the_only_domain_and_is_required_among_several() {
    let single = one_row(|r| {
        r[7] = "Domaine 4";
        r[8] = "";
    });
    assert_eq!(single.records[0].primary_domain, "D4");
    assert_eq!(
        errors(&one_row(|r| r[8] = "")),
        vec![pair("domain.primary_missing", "I2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[8] = "D2")),
        vec![pair("domain.primary_not_listed", "I2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[7] = "D4; D9")),
        vec![pair("domain.unknown", "H2")]
    );
}

#[test]
fn a_priority_must_belong_to_one_of_the_rows_domains() {
    assert_eq!(
        errors(&one_row(|r| r[9] = "1.2; 3.1")),
        vec![pair("priority.domain_mismatch", "J2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[9] = "priority one")),
        vec![pair("priority.unknown", "J2")]
    );
}

#[test]
fn countries_outside_the_partner_list_warn_and_unknown_ones_are_errors() {
    let burundi = one_row(|r| r[10] = "RDC; Burundi");
    assert_eq!(burundi.records[0].countries, vec!["COD", "BDI"]);
    assert_eq!(burundi.records[0].geographic_scope, "multi_regional");
    assert_eq!(
        codes(&burundi, Severity::Warning),
        vec![pair("country.not_partner", "K2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[10] = "Mali; Atlantis")),
        vec![pair("country.unknown", "K2")]
    );
    assert_eq!(
        one_row(|r| r[10] = "Niger").records[0].geographic_scope,
        "national"
    );
}

#[test]
fn the_currency_comes_from_the_column_the_amount_or_is_assumed_euro() {
    let usd = one_row(|r| {
        r[13] = "USD 2.5m";
        r[14] = "";
    });
    let record = &usd.records[0];
    assert_eq!(record.currency.as_deref(), Some("USD"));
    let expected = 2_500_000.0 / jvap_record::reference::eur_rate("USD", 2019).unwrap_or(1.0);
    assert_eq!(record.budget_eur, Some(expected));
    let assumed = one_row(|r| r[14] = "");
    assert_eq!(
        codes(&assumed, Severity::Warning),
        vec![pair("currency.assumed_eur", "O2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[13] = "$1,200,000")),
        vec![pair("currency.conflict", "N2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[14] = "JPY")),
        vec![pair("currency.unknown", "O2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[13] = "-150000")),
        vec![pair("amount.negative", "N2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[13] = "a lot")),
        vec![pair("amount.unparseable", "N2")]
    );
}

#[test]
fn a_budget_header_naming_euros_needs_no_currency_column() {
    let header: Vec<&str> = HEADER[..13]
        .iter()
        .copied()
        .chain(["Budget (EUR)"])
        .collect();
    let report = validate_sheets(&[sheet(
        "Initiatives",
        &header,
        vec![project()[..14].to_vec()],
    )]);
    assert!(
        codes(&report, Severity::Warning).is_empty(),
        "{:?}",
        report.issues
    );
    assert_eq!(report.records[0].currency.as_deref(), Some("EUR"));
}

#[test]
fn e_mails_and_websites_are_checked() {
    assert_eq!(
        errors(&one_row(|r| r[15] = "a@@b.org")),
        vec![pair("email.invalid", "P2")]
    );
    assert_eq!(
        errors(&one_row(|r| r[16] = "www.x.org")),
        vec![pair("url.invalid", "Q2")]
    );
}

#[test]
fn a_repeated_reference_is_an_error_on_the_later_row_only_across_sheets() {
    let report = validate_sheets(&[
        sheet("Projects", HEADER, vec![project()]),
        sheet("More", HEADER, vec![project()]),
    ]);
    assert_eq!(errors(&report), vec![pair("reference.duplicate", "A2")]);
    assert_eq!(report.issues[0].sheet.as_deref(), Some("More"));
    assert_eq!(report.records.len(), 1);
}

#[test]
fn a_policy_sheet_may_lack_project_columns_but_a_project_sheet_may_not() {
    let header = [
        "Type",
        "Title",
        "Status",
        "Start date",
        "JVAP domains",
        "Countries",
    ];
    let policy = vec![
        "Policy",
        "Skilled Immigration Act",
        "Ongoing",
        "2019-08-15",
        "D2",
        "DE",
    ];
    let report = validate_sheets(&[sheet("Policies", &header, vec![policy.clone()])]);
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let mut project = policy;
    project[0] = "Project";
    let report = validate_sheets(&[sheet("Projects", &header, vec![project])]);
    let missing: Vec<Option<String>> = report.issues.iter().map(|i| i.column.clone()).collect();
    let keys = ["end_date", "lead_funder", "implementers", "budget"];
    assert_eq!(missing, keys.map(|k| Some(k.to_string())).to_vec());
    assert!(report.records.is_empty());
}

#[test]
fn hidden_and_headerless_sheets_are_skipped_and_a_file_without_a_header_is_rejected() {
    let mut hidden = sheet("Lists", HEADER, vec![project()]);
    hidden.visibility = Visibility::Hidden;
    let notes = sheet("Instructions", &["Fill in one row per initiative"], vec![]);
    let report = validate_sheets(&[notes, hidden]);
    let found: Vec<(&str, Option<&str>)> = report
        .issues
        .iter()
        .map(|i: &Issue| (i.code.as_str(), i.sheet.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("file.no_header", None),
            ("sheet.skipped", Some("Instructions")),
            ("sheet.skipped", Some("Lists")),
        ]
    );
    assert_eq!(report.verdict, Verdict::Rejected);
}

#[test]
fn merged_and_formula_cells_warn_and_their_values_are_used() {
    let mut s = sheet("Initiatives", HEADER, vec![project()]);
    s.rows[1].cells[11].merged = true;
    s.rows[1].cells[13] = Cell {
        value: CellValue::Number(1_200_000.0),
        merged: false,
        formula: true,
    };
    let report = validate_sheets(&[s]);
    let warnings = codes(&report, Severity::Warning);
    assert_eq!(
        warnings,
        vec![pair("cell.merged", "L2"), pair("cell.formula", "N2")]
    );
    assert_eq!(report.records[0].budget, Some(1_200_000.0));
}

#[test]
fn unknown_columns_warn_at_their_header_cell() {
    let header: Vec<&str> = HEADER.iter().copied().chain(["Comments"]).collect();
    let mut row = project();
    row.push("provisional");
    let report = validate_sheets(&[sheet("Initiatives", &header, vec![row])]);
    assert_eq!(
        codes(&report, Severity::Warning),
        vec![pair("column.unknown", "R1")]
    );
    assert_eq!(report.verdict, Verdict::Accepted);
}

#[test]
fn a_template_with_headers_but_no_rows_is_an_empty_workbook() {
    let report = validate_sheets(&[sheet("Initiatives", HEADER, vec![])]);
    assert_eq!(report.verdict, Verdict::Rejected);
    assert_eq!(report.issues[0].code, "file.empty");
    assert_eq!(report.issues[0].sheet, None);
}

/// Rows are checked as they stream by, but a project row far down still puts the sheet's missing
/// project columns before the issues of the rows above it, as a whole-sheet pass does.
#[test]
fn missing_project_columns_come_before_row_issues_whatever_row_is_the_first_project() {
    let header = [
        "Type",
        "Title",
        "Status",
        "Start date",
        "JVAP domains",
        "Countries",
    ];
    let policy = vec![
        "Policy",
        "Skilled Immigration Act",
        "Unheard of",
        "2019-08-15",
        "D2",
        "DE",
    ];
    let mut project = policy.clone();
    project[0] = "Project";
    project[2] = "Ongoing";
    let rows = vec![policy.clone(), policy.clone(), project];
    let report = validate_sheets(&[sheet("Mixed", &header, rows)]);
    let found: Vec<(String, Option<u32>)> = report
        .issues
        .iter()
        .map(|i| (i.code.clone(), i.row))
        .collect();
    let mut expected = vec![("column.missing".to_string(), Some(1)); 4];
    expected.push(("code.unknown".to_string(), Some(2)));
    expected.push(("code.unknown".to_string(), Some(3)));
    assert_eq!(found, expected);

    let report = validate_sheets(&[sheet("Policies", &header, vec![policy])]);
    let codes: Vec<&str> = report.issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, vec!["code.unknown"]);
}

/// Reading on a second thread (big files) gives exactly the report of reading on this one.
#[test]
fn a_pipelined_validation_gives_the_same_report() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("samples") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let bytes = std::fs::read(&path).expect("sample");
        let limits = crate::Limits::default();
        let expected = super::validate_with(&name, &bytes, &limits);
        let mut sink = jvap_record::report::CollectSink::default();
        let mut validator = super::Validator::new(&mut sink);
        let read = super::pipeline::pipelined(&mut validator, |visitor| {
            crate::read::read_rows(&name, &bytes, &limits, visitor)
        });
        match read.expect("no panic") {
            Ok(()) => validator.finish(),
            Err(error) => {
                sink.reset();
                sink.finish(0, Some(error.issue()));
            }
        }
        assert_eq!(sink.into_report(), expected, "{name}");
        checked += 1;
    }
    assert!(checked > 0);
}

/// A file on disk (an xlsx read from the file itself, the others loaded) gives the report its bytes give.
#[test]
fn validating_a_path_gives_the_report_of_its_bytes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("samples") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let bytes = std::fs::read(&path).expect("sample");
        let limits = crate::Limits::default();
        let expected = super::validate_with(&name, &bytes, &limits);
        let mut sink = jvap_record::report::CollectSink::default();
        super::validate_path_into(&path, &limits, &mut sink).expect("readable");
        assert_eq!(sink.into_report(), expected, "{name}");
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn control_characters_and_direction_overrides_are_removed_with_a_warning_at_their_cell() {
    let report = one_row(|r| {
        r[2] = "Support\u{0} to border\u{7} management\u{1b}[31m";
        r[3] = "The action \u{202E}builds\u{202C} capacities.\nSecond line.";
    });
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let record = &report.records[0];
    assert_eq!(record.title, "Support to border management[31m");
    assert_eq!(
        record.description.as_deref(),
        Some("The action builds capacities.\nSecond line.")
    );
    assert_eq!(
        codes(&report, Severity::Warning),
        vec![
            pair("cell.control_removed", "C2"),
            pair("cell.control_removed", "D2")
        ]
    );
    let shown = report.issues[0].value.as_deref().unwrap_or_default();
    assert!(
        !shown.chars().any(char::is_control),
        "the report shows no control: {shown:?}"
    );
}

#[test]
fn a_header_cell_with_control_characters_is_read_without_them() {
    let mut header: Vec<&str> = HEADER.to_vec();
    header[2] = "Title\u{0}";
    header.push("Notes\u{202E}");
    let mut row = project();
    row.push("kept aside");
    let report = validate_sheets(&[sheet("Initiatives", &header, vec![row])]);
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let unknown = report
        .issues
        .iter()
        .find(|i| i.code == "column.unknown")
        .expect("the unknown column is reported");
    assert!(
        !unknown
            .message_en
            .chars()
            .any(|c| c.is_control() || c == '\u{202E}'),
        "{}",
        unknown.message_en
    );
    assert!(
        unknown.message_en.contains("\"Notes\""),
        "{}",
        unknown.message_en
    );
}

#[test]
fn list_cells_keep_whole_the_names_that_hold_commas() {
    let report = one_row(|r| {
        r[7] = "D1, Return, readmission and reintegration";
        r[8] = "D5";
        r[9] = "";
        r[10] = "Korea, Republic of; Senegal, Mali";
    });
    assert_eq!(report.records.len(), 1, "{:?}", report.issues);
    assert_eq!(report.records[0].jvap_domains, vec!["D1", "D5"]);
    assert_eq!(report.records[0].countries, vec!["KOR", "SEN", "MLI"]);
}

/// [`HEADER`] in other words: French, synonyms the list does not hold, plurals and units.
const OTHER_WORDS: &[&str] = &[
    "Réf. interne",
    "Nature",
    "Nom de l'initiative",
    "Brief summary",
    "État d'avancement",
    "Date de lancement",
    "Expected end",
    "Thematic areas",
    "Main pillar",
    "Priority areas",
    "Countries concerned",
    "Financing body",
    "Opérateurs",
    "Montant global (EUR)",
    "Currency of the budget",
    "E-mail du point focal",
    "Web link",
];

#[test]
fn a_sheet_in_other_words_is_read_with_an_info_for_each_column_read_by_meaning() {
    let report = validate_sheets(&[sheet("Initiatives", OTHER_WORDS, vec![project()])]);
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let record = &report.records[0];
    assert_eq!(record.title, "Support to integrated border management");
    assert_eq!(record.lead_funder.as_deref(), Some("EU"));
    assert_eq!(record.budget_eur, Some(1_200_000.0));
    assert_eq!(record.start_date.to_string(), "2019-03-15");
    let infos: Vec<String> = codes(&report, Severity::Info)
        .into_iter()
        .filter(|(code, _)| code == "column.read_as")
        .filter_map(|(_, cell)| cell)
        .collect();
    // "Opérateurs" is a synonym; every other header is read by meaning.
    let expected: Vec<String> = [
        "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "N", "O",
    ]
    .iter()
    .chain(&["P", "Q"])
    .map(|c| format!("{c}1"))
    .collect();
    assert_eq!(infos, expected);
}

#[test]
fn a_missing_required_column_names_the_header_that_probably_is_it() {
    let mut header: Vec<&str> = HEADER.to_vec();
    header[11] = "Financial partner";
    header[2] = "Label";
    let report = validate_sheets(&[sheet("Initiatives", &header, vec![project()])]);
    let probable: Vec<&Issue> = report
        .issues
        .iter()
        .filter(|i| i.code == "column.probable")
        .collect();
    let found: Vec<_> = probable
        .iter()
        .map(|i| (i.column.as_deref(), i.cell.as_deref(), i.value.as_deref()))
        .collect();
    assert_eq!(found, vec![(Some("title"), Some("C1"), Some("Label"))]);
    assert_eq!(
        probable[0].message_en,
        "The required column \"Title\" is missing; column C \"Label\" is probably it. Rename that \
         header as in the template, or confirm that it is this column."
    );
    assert_eq!(
        probable[0].message_fr,
        "La colonne obligatoire « Titre » est absente ; la colonne C « Label » est probablement \
         celle-ci. Renommez cet en-tête comme dans le modèle, ou confirmez qu'il s'agit de cette \
         colonne."
    );
    // The other renamed header says the lead funder well enough to be read as it.
    assert_eq!(report.records.len(), 0);
    assert!(
        !report
            .issues
            .iter()
            .any(|i| i.column.as_deref() == Some("lead_funder") && i.severity == Severity::Error)
    );
}

#[test]
fn a_confirmed_mapping_places_the_columns_and_is_listed_in_the_mapping_used() {
    let mut header: Vec<&str> = HEADER.to_vec();
    header[2] = "Label";
    let mapping =
        jvap_record::columns::ColumnMapping::from_pairs(["label=title"]).expect("a mapping");
    let (report, columns) =
        super::validate_sheets_mapped(&[sheet("Initiatives", &header, vec![project()])], &mapping);
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    assert_eq!(
        codes(&report, Severity::Info),
        vec![pair("column.confirmed", "C1")]
    );
    assert_eq!(columns.len(), header.len());
    let title = &columns[2];
    assert_eq!(
        (title.cell.as_str(), title.field.as_deref(), title.read_as),
        ("C1", Some("title"), jvap_record::columns::ReadAs::Confirmed)
    );
}

/// The template's own lists sheet: its first row names fields by their keys, its rows are labels.
fn lists_sheet() -> Sheet {
    sheet(
        "Lists",
        &[
            "initiative_type",
            "status",
            "geographic_scope",
            "funder_category",
            "primary_domain",
            "jvap_domains",
        ],
        vec![
            vec![
                "Project",
                "Planned",
                "National",
                "African country",
                "D1",
                "D1",
            ],
            vec![
                "Policy",
                "Ongoing",
                "Bilateral",
                "African organisation",
                "D2",
                "D2",
            ],
            vec!["", "Completed", "Regional", "EU institution", "D3", "D3"],
        ],
    )
}

#[test]
fn a_visible_lists_sheet_is_skipped_with_an_info_naming_it() {
    let report = validate_sheets(&[sheet("Initiatives", HEADER, vec![project()]), lists_sheet()]);
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.issues);
    let skipped: Vec<_> = report
        .issues
        .iter()
        .map(|i| (i.code.as_str(), i.sheet.as_deref(), i.severity))
        .collect();
    assert_eq!(
        skipped,
        vec![("sheet.skipped", Some("Lists"), Severity::Info)]
    );
    let empty = validate_sheets(&[sheet("Initiatives", HEADER, vec![]), lists_sheet()]);
    let found: Vec<&str> = empty.issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(found, vec!["file.empty", "sheet.skipped"]);
}

#[test]
fn a_data_sheet_without_a_title_column_is_still_read_and_says_the_title_is_missing() {
    let header: Vec<&str> = HEADER
        .iter()
        .map(|h| if *h == "Title" { "Xyz" } else { h })
        .collect();
    let report = validate_sheets(&[sheet("Initiatives", &header, vec![project()])]);
    assert_eq!(errors(&report), vec![("column.missing".to_string(), None)]);
    assert_eq!(
        report
            .issues
            .iter()
            .find(|i| i.severity == Severity::Error)
            .and_then(|i| i.column.as_deref()),
        Some("title")
    );
}

#[test]
fn a_formula_never_calculated_says_to_save_the_file_in_a_spreadsheet_program() {
    let mut s = sheet("Initiatives", HEADER, vec![project()]);
    s.rows[1].cells[3] = Cell {
        value: CellValue::Empty,
        merged: false,
        formula: true,
    };
    let report = validate_sheets(&[s]);
    let warnings = codes(&report, Severity::Warning);
    assert!(
        warnings.contains(&pair("cell.formula_uncalculated", "D2")),
        "{warnings:?}"
    );
}

#[test]
fn a_value_outside_a_code_list_is_told_the_allowed_values() {
    let report = one_row(|r| r[1] = "Programme");
    assert_eq!(errors(&report), vec![pair("code.unknown", "B2")]);
    assert_eq!(
        report.issues[0].message_en,
        "\"Programme\" is not one of the allowed values: Project, Policy."
    );
    assert_eq!(
        report.issues[0].message_fr,
        "« Programme » ne fait pas partie des valeurs autorisées : Projet, Politique."
    );
}

/// [`HEADER`] with a JVAP id column (R), rows checked against `check` when given.
fn with_ids(ids: &[&'static str], check: Option<jvap_record::ids::IdCheck>) -> Report {
    let mut header = HEADER.to_vec();
    header.push("JVAP id");
    let rows = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut row = project();
            row[0] = ["REF-1", "REF-2", "REF-3", "REF-4", "REF-5"][i];
            row.push(id);
            row
        })
        .collect();
    use crate::read::RowVisitor as _;
    let sheet = sheet("Initiatives", &header, rows);
    let mut sink = jvap_record::report::CollectSink::default();
    let mut validator = super::Validator::new(&mut sink).with_ids(check);
    validator.sheet_start(sheet.name.as_deref(), sheet.visibility);
    for row in &sheet.rows {
        validator.visit(row);
    }
    validator.sheet_end();
    validator.finish();
    sink.into_report()
}

#[test]
fn a_jvap_id_is_read_in_its_canonical_form_and_a_malformed_or_repeated_one_is_an_error_at_its_cell()
{
    let report = with_ids(&["jvap-12", "", "JVAP-12", "PACV-3", "JVAP-000013"], None);
    assert_eq!(
        errors(&report),
        vec![pair("id.duplicate", "R4"), pair("id.invalid", "R5")]
    );
    let ids: Vec<Option<&str>> = report
        .records
        .iter()
        .map(|r| r.jvap_id.as_deref())
        .collect();
    assert_eq!(ids, [Some("JVAP-000012"), None, Some("JVAP-000013")]);
}

#[test]
fn with_the_databases_ids_another_partners_id_and_an_unknown_one_are_errors_at_their_cells() {
    let check = jvap_record::ids::IdCheck {
        partner: "SEN".into(),
        known: jvap_record::ids::KnownIds::from_owners([
            (1, "SEN".to_string()),
            (2, "MLI".to_string()),
        ]),
    };
    let report = with_ids(&["JVAP-000001", "JVAP-000002", "JVAP-000003"], Some(check));
    assert_eq!(
        errors(&report),
        vec![pair("id.not_yours", "R3"), pair("id.unknown", "R4")]
    );
    assert_eq!(report.verdict, Verdict::Rejected);
    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].jvap_id.as_deref(), Some("JVAP-000001"));
    let issue = &report.issues[0];
    assert_eq!(issue.column.as_deref(), Some("jvap_id"));
    assert_eq!(issue.value.as_deref(), Some("JVAP-000002"));
    assert!(
        issue.message_fr.contains("autre partenaire"),
        "{}",
        issue.message_fr
    );
}
