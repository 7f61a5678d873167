//! The corpus: partner workbooks made from [`super::data`], each with its exact expectation in the
//! manifest format of `shared/samples/manifest.json`. Deterministic: the same seed gives the same
//! files, byte for byte.

use serde_json::{Value, json};

use super::data::{
    BANNERS, COMMA_COUNTRIES, COMMA_DOMAINS, DECOYS, HEADERS, INITIATIVES, Initiative, Key,
    PROBABLE, SLASH_TARGETS,
};
use super::writers::{Book, Format, Sheet};
use jvap_record::record::FIELDS;
use jvap_record::report::cell_name;

/// One workbook of the corpus and what validating it must give.
pub struct Case {
    pub file: String,
    pub format: Format,
    pub book: Book,
    /// The manifest entry: verdict, records, errors, warnings_min, checks, kinds.
    pub entry: Value,
}

/// SplitMix64: small, deterministic, good enough to pick headers and orders.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The columns every data sheet of the corpus has; the others are added at random.
const REQUIRED: &[Key] = &[
    "initiative_type",
    "title",
    "status",
    "start_date",
    "end_date",
    "jvap_domains",
    "primary_domain",
    "countries",
    "lead_funder",
    "implementers",
    "budget",
];
const OPTIONAL: &[Key] = &[
    "partner_ref",
    "description",
    "currency",
    "target_groups",
    "contact_email",
];

const FORMATS: &[Format] = &[
    Format::Xlsx,
    Format::Ods,
    Format::Xls,
    Format::CsvComma,
    Format::CsvSemicolon,
];

/// A data sheet being made: its columns (key and header), the banner rows above its header, and
/// the language of its labels.
struct Layout {
    columns: Vec<(Option<Key>, String)>,
    banners: usize,
    french: bool,
    sheet: String,
}

impl Layout {
    /// The 1-based row of the header.
    fn header_row(&self) -> u32 {
        match self.banners {
            0 => 1,
            n => n as u32 + 2,
        }
    }

    fn column_of(&self, key: Key) -> Option<usize> {
        self.columns.iter().position(|(k, _)| *k == Some(key))
    }
}

/// A cell of an initiative for a column, as the partner writes it.
fn cell(key: Key, initiative: &Initiative, french: bool) -> String {
    let text = match key {
        "partner_ref" => initiative.reference,
        "initiative_type" => match (initiative.project, french) {
            (true, false) => "Project",
            (true, true) => "Projet",
            (false, false) => "Policy",
            (false, true) => "Politique",
        },
        "title" => initiative.title,
        "description" => initiative.description,
        "status" if french => initiative.status.1,
        "status" => initiative.status.0,
        "start_date" => initiative.start.0,
        "end_date" => initiative.end,
        "jvap_domains" => initiative.domains.0,
        "primary_domain" => initiative.primary.0,
        "countries" => initiative.countries.0,
        "lead_funder" => initiative.lead.0,
        "implementers" => initiative.implementers,
        "budget" => initiative.budget.0,
        "currency" if initiative.project => "EUR",
        "target_groups" => initiative.targets.0,
        "contact_email" => initiative.email,
        _ => "",
    };
    text.to_string()
}

/// What one row of an initiative must become, as manifest checks.
fn checks(sheet: Option<&str>, row: u32, initiative: &Initiative) -> Vec<Value> {
    let check = |field: &str, expected: Value| json!({"sheet": sheet, "row": row, "field": field, "expected": expected});
    let mut out = vec![
        check("title", json!(initiative.title)),
        check("start_date", json!(initiative.start.1)),
        check("jvap_domains", json!(initiative.domains.1)),
        check("primary_domain", json!(initiative.primary.1)),
        check("countries", json!(initiative.countries.1)),
        check(
            "initiative_type",
            json!(if initiative.project {
                "project"
            } else {
                "policy"
            }),
        ),
    ];
    if initiative.project {
        out.push(check("lead_funder", json!(initiative.lead.1)));
        out.push(check("budget_eur", json!({"approx": initiative.budget.1})));
    }
    out
}

/// The rows of a data sheet: banners, an empty row, the header, one row per initiative (`patch`
/// may change a cell: key, initiative, written → written).
fn sheet_rows(
    layout: &Layout,
    initiatives: &[&Initiative],
    patch: &dyn Fn(Option<Key>, usize, String) -> String,
) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = BANNERS
        .iter()
        .take(layout.banners)
        .map(|b| vec![(*b).to_string()])
        .collect();
    if layout.banners > 0 {
        rows.push(vec![]);
    }
    rows.push(layout.columns.iter().map(|(_, h)| h.clone()).collect());
    for (i, initiative) in initiatives.iter().enumerate() {
        let row = layout
            .columns
            .iter()
            .map(|(key, _)| {
                let written = key
                    .map(|k| cell(k, initiative, layout.french))
                    .unwrap_or_default();
                patch(*key, i, written)
            })
            .collect();
        rows.push(row);
    }
    rows
}

fn keep(_: Option<Key>, _: usize, written: String) -> String {
    written
}

fn template_header(key: Key, french: bool) -> String {
    let field = FIELDS.iter().find(|f| f.key == key).expect("a field");
    if french {
        field.header_fr.clone()
    } else {
        field.header_en.clone()
    }
}

fn variants(key: Key) -> &'static [&'static str] {
    HEADERS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .expect("every corpus column has variants")
}

/// The projects come first in [`INITIATIVES`], then one policy.
const PROJECTS: usize = 7;

/// The initiatives of a case: `n` of them, from `first`, round the list.
fn pick(first: usize, n: usize) -> Vec<&'static Initiative> {
    (0..n)
        .map(|i| &INITIATIVES[(first + i) % INITIATIVES.len()])
        .collect()
}

/// `n` projects from `first`, round the projects, then the policy.
fn projects_then_policy(first: usize, n: usize) -> Vec<&'static Initiative> {
    (0..n)
        .map(|i| &INITIATIVES[(first + i) % PROJECTS])
        .chain([&INITIATIVES[PROJECTS]])
        .collect()
}

/// The columns of a case: the required ones and some optional ones, each with a header chosen by
/// `header`, shuffled when `shuffle`.
fn columns(
    dice: &mut Dice,
    shuffle: bool,
    header: &mut dyn FnMut(&mut Dice, Key) -> String,
) -> Vec<(Option<Key>, String)> {
    let mut keys: Vec<Key> = REQUIRED.to_vec();
    keys.extend(OPTIONAL.iter().filter(|_| dice.chance(60)));
    if shuffle {
        dice.shuffle(&mut keys);
    }
    keys.into_iter()
        .map(|key| (Some(key), header(dice, key)))
        .collect()
}

struct Builder {
    cases: Vec<Case>,
    formats: usize,
}

impl Builder {
    fn next_format(&mut self, sheets: bool) -> Format {
        loop {
            let format = FORMATS[self.formats % FORMATS.len()];
            self.formats += 1;
            if !sheets || format.has_sheets() {
                return format;
            }
        }
    }

    fn push(&mut self, class: &str, format: Format, sheets: Vec<Sheet>, mut entry: Value) {
        let file = format!(
            "GEN{:02}_{class}_{}.{}",
            self.cases.len() + 1,
            format.name(),
            format.extension()
        );
        entry["file"] = json!(file);
        entry["partner"] = json!("GEN");
        entry["format"] = json!(format.name());
        self.cases.push(Case {
            file,
            format,
            book: Book { sheets },
            entry,
        });
    }
}

fn data_sheet(layout: &Layout, rows: Vec<Vec<String>>) -> Sheet {
    Sheet {
        name: layout.sheet.clone(),
        hidden: false,
        rows,
    }
}

/// Whether rows of a sheet are read with the sheet's name (workbooks) or none (csv).
fn sheet_name(layout: &Layout, format: Format) -> Option<String> {
    format.has_sheets().then(|| layout.sheet.clone())
}

fn accepted(
    layout: &Layout,
    format: Format,
    initiatives: &[&Initiative],
    kinds: &[&str],
    warnings: usize,
) -> Value {
    let sheet = sheet_name(layout, format);
    let first = layout.header_row() + 1;
    let checks: Vec<Value> = initiatives
        .iter()
        .zip(first..)
        .flat_map(|(initiative, row)| checks(sheet.as_deref(), row, initiative))
        .collect();
    json!({
        "verdict": "accepted",
        "records": initiatives.len(),
        "errors": [],
        "warnings_min": warnings,
        "checks": checks,
        "kinds": kinds,
    })
}

fn layout(
    dice: &mut Dice,
    format: Format,
    columns: Vec<(Option<Key>, String)>,
    french: bool,
) -> Layout {
    let banners = if format.has_sheets() {
        dice.below(BANNERS.len() + 1)
    } else {
        0
    };
    let names = ["Initiatives", "Projets", "Data 2022", "Sheet1"];
    Layout {
        columns,
        banners,
        french,
        sheet: names[dice.below(names.len())].to_string(),
    }
}

/// Every case of the corpus.
pub fn corpus() -> Vec<Case> {
    corpus_seeded(2022)
}

/// The corpus drawn with another seed: other headers, orders, banners and rows, the same classes.
pub fn corpus_seeded(seed: u64) -> Vec<Case> {
    let mut builder = Builder {
        cases: Vec::new(),
        formats: 0,
    };
    let mut dice = Dice(seed);
    exact_template(&mut builder, &mut dice);
    header_variants(&mut builder, &mut dice);
    decoy_amounts(&mut builder, &mut dice);
    probable_headers(&mut builder, &mut dice);
    comma_names(&mut builder, &mut dice);
    visible_lists(&mut builder, &mut dice);
    builder.cases
}

/// The template's own headers, EN and FR, every column in order.
fn exact_template(builder: &mut Builder, dice: &mut Dice) {
    for french in [false, true, false, true] {
        let format = builder.next_format(false);
        let columns = FIELDS
            .iter()
            .map(|f| (Some(f.key.as_str()), template_header(&f.key, french)))
            .collect();
        let layout = layout(dice, format, columns, french);
        let initiatives = pick(dice.below(INITIATIVES.len()), 3);
        let rows = sheet_rows(&layout, &initiatives, &keep);
        let entry = accepted(
            &layout,
            format,
            &initiatives,
            &[
                "exact_template",
                if french { "fr_headers" } else { "en_headers" },
            ],
            0,
        );
        builder.push("exact", format, vec![data_sheet(&layout, rows)], entry);
    }
}

/// Headers in other words: EN and FR synonyms the list does not hold, case, accents, plurals, units
/// in brackets, `(s)`; columns in any order, banners above.
fn header_variants(builder: &mut Builder, dice: &mut Dice) {
    for _ in 0..16 {
        let format = builder.next_format(false);
        let french = dice.chance(50);
        let columns = columns(dice, true, &mut |dice, key| {
            let options = variants(key);
            let at = if dice.chance(85) {
                1 + dice.below(options.len() - 1)
            } else {
                0
            };
            options[at].to_string()
        });
        let layout = layout(dice, format, columns, french);
        let initiatives = pick(dice.below(INITIATIVES.len()), 2 + dice.below(3));
        let rows = sheet_rows(&layout, &initiatives, &keep);
        let entry = accepted(
            &layout,
            format,
            &initiatives,
            &["header_variants", "reordered_columns"],
            0,
        );
        builder.push("headers", format, vec![data_sheet(&layout, rows)], entry);
    }
}

/// Amounts that are not the total budget (spent, disbursed, yearly, a contribution) beside it, or
/// instead of it.
fn decoy_amounts(builder: &mut Builder, dice: &mut Dice) {
    for case in 0..9 {
        let format = builder.next_format(false);
        let only_decoys = case >= 6;
        let mut columns = columns(dice, true, &mut |dice, key| {
            let options = variants(key);
            options[dice.below(options.len())].to_string()
        });
        let budget_at = columns
            .iter()
            .position(|(k, _)| *k == Some("budget"))
            .expect("a budget column");
        if only_decoys {
            columns.remove(budget_at);
        }
        let decoys = 1 + dice.below(3);
        let first = dice.below(DECOYS.len());
        for i in 0..decoys {
            let header = DECOYS[(first + i) % DECOYS.len()];
            columns.insert(budget_at, (None, header.to_string()));
        }
        let french = dice.chance(50);
        let layout = layout(dice, format, columns, french);
        let initiatives = if only_decoys {
            projects_then_policy(dice.below(PROJECTS), 3)
        } else {
            pick(dice.below(INITIATIVES.len()), 3)
        };
        let amounts = initiatives.clone();
        let decoy_value = move |key: Option<Key>, i: usize, written: String| match key {
            None if amounts[i].project => format!("{}", (amounts[i].budget.1 * 0.37).round()),
            _ => written,
        };
        let rows = sheet_rows(&layout, &initiatives, &decoy_value);
        let sheet = sheet_name(&layout, format);
        let entry = if only_decoys {
            let policies = initiatives.iter().filter(|i| !i.project).count();
            json!({
                "verdict": "rejected",
                "records": policies,
                "errors": [{"sheet": sheet, "cell": null, "column": "budget"}],
                "warnings_min": decoys,
                "checks": [],
                "kinds": ["decoy_amounts", "error_missing_budget_column"],
            })
        } else {
            accepted(
                &layout,
                format,
                &initiatives,
                &["decoy_amounts", "header_variants"],
                decoys,
            )
        };
        builder.push(
            if only_decoys { "decoys_only" } else { "decoys" },
            format,
            vec![data_sheet(&layout, rows)],
            entry,
        );
    }
}

/// A required column whose header only probably is it: the error names the header and its cell.
fn probable_headers(builder: &mut Builder, dice: &mut Dice) {
    for (key, weak) in PROBABLE {
        let format = builder.next_format(false);
        let columns = columns(dice, false, &mut |_, k| {
            if k == *key {
                (*weak).to_string()
            } else {
                template_header(k, false)
            }
        });
        let layout = layout(dice, format, columns, false);
        let initiatives = projects_then_policy(dice.below(PROJECTS), 2);
        let rows = sheet_rows(&layout, &initiatives, &keep);
        let col = layout.column_of(key).expect("the weak column");
        let cell = cell_name(layout.header_row(), col);
        let required_always = *key == "title";
        let records = if required_always {
            0
        } else {
            initiatives.iter().filter(|i| !i.project).count()
        };
        let entry = json!({
            "verdict": "rejected",
            "records": records,
            "errors": [{"sheet": sheet_name(&layout, format), "cell": cell, "column": key}],
            "warnings_min": 1,
            "checks": [],
            "kinds": ["probable_header", "error_missing_column"],
        });
        builder.push("probable", format, vec![data_sheet(&layout, rows)], entry);
    }
}

/// Domains, countries and target groups whose own names hold commas or slashes.
fn comma_names(builder: &mut Builder, dice: &mut Dice) {
    for case in 0..6 {
        let format = builder.next_format(false);
        let columns = columns(dice, true, &mut |dice, key| {
            let options = variants(key);
            options[dice.below(options.len())].to_string()
        });
        let mut columns = columns;
        if !columns.iter().any(|(k, _)| *k == Some("target_groups")) {
            columns.push((
                Some("target_groups"),
                template_header("target_groups", false),
            ));
        }
        let layout = layout(dice, format, columns, false);
        let initiatives = pick(case, 3);
        let domains: Vec<_> = (0..3)
            .map(|i| COMMA_DOMAINS[(case + i) % COMMA_DOMAINS.len()])
            .collect();
        let countries: Vec<_> = (0..3)
            .map(|i| COMMA_COUNTRIES[(case * 2 + i) % COMMA_COUNTRIES.len()])
            .collect();
        let (d, c) = (domains.clone(), countries.clone());
        let patch = move |key: Option<Key>, i: usize, written: String| match key {
            Some("jvap_domains") => d[i].0.to_string(),
            Some("primary_domain") => d[i].2.to_string(),
            Some("countries") => c[i].0.to_string(),
            Some("target_groups") if i == 0 => SLASH_TARGETS.0.to_string(),
            _ => written,
        };
        let rows = sheet_rows(&layout, &initiatives, &patch);
        let sheet = sheet_name(&layout, format);
        let mut checks = Vec::new();
        for (i, row) in (layout.header_row() + 1..).take(3).enumerate() {
            let check = |field: &str, expected: Value| json!({"sheet": sheet, "row": row, "field": field, "expected": expected});
            checks.push(check("jvap_domains", json!(domains[i].1)));
            checks.push(check("countries", json!(countries[i].1)));
            checks.push(check("title", json!(initiatives[i].title)));
            if i == 0 {
                checks.push(check("target_groups", json!(SLASH_TARGETS.1)));
            }
        }
        let not_partners: usize = countries.iter().map(|c| c.2).sum();
        let entry = json!({
            "verdict": "accepted",
            "records": 3,
            "errors": [],
            "warnings_min": not_partners,
            "checks": checks,
            "kinds": ["comma_names", "multi_country_cell", "header_variants"],
        });
        builder.push("commas", format, vec![data_sheet(&layout, rows)], entry);
    }
}

/// The template's lists sheet, un-hidden, beside the data (before or after it), and blank files
/// with one: the lists never fail a file.
fn visible_lists(builder: &mut Builder, dice: &mut Dice) {
    for case in 0..8 {
        let format = builder.next_format(true);
        let french = case % 2 == 1;
        let blank = case >= 6;
        let columns = FIELDS
            .iter()
            .map(|f| (Some(f.key.as_str()), template_header(&f.key, french)))
            .collect();
        let mut layout = layout(dice, format, columns, french);
        layout.banners = 0;
        let initiatives = if blank { vec![] } else { pick(case, 3) };
        let data = data_sheet(&layout, sheet_rows(&layout, &initiatives, &keep));
        let lists = lists_sheet(case % 4 < 2, french);
        let mut sheets = vec![instructions(french), data];
        if case % 3 == 0 {
            sheets.insert(1, lists);
        } else {
            sheets.push(lists);
        }
        let entry = if blank {
            json!({
                "verdict": "rejected",
                "records": 0,
                "errors": [{"sheet": null, "cell": null, "column": null}],
                "warnings_min": 0,
                "checks": [],
                "kinds": ["visible_lists_sheet", "blank_template", "instructions_sheet"],
            })
        } else {
            accepted(
                &layout,
                format,
                &initiatives,
                &["visible_lists_sheet", "instructions_sheet"],
                0,
            )
        };
        builder.push(
            if blank { "lists_blank" } else { "lists" },
            format,
            sheets,
            entry,
        );
    }
}

/// A lists sheet: the template's (field keys on its first row, labels below) or a partner's own
/// (labels as headers, like the samples' hidden ones).
fn lists_sheet(template: bool, french: bool) -> Sheet {
    let header: Vec<&str> = if template {
        vec![
            "initiative_type",
            "status",
            "geographic_scope",
            "funder_category",
            "primary_domain",
            "jvap_domains",
        ]
    } else if french {
        vec![
            "Type",
            "Statut",
            "Domaines JVAP",
            "Portée géographique",
            "Groupes cibles",
            "Pays",
        ]
    } else {
        vec![
            "Type",
            "Status",
            "JVAP domains",
            "Geographic scope",
            "Target groups",
            "Countries",
        ]
    };
    let lists: &[&[&str]] = if french {
        &[
            &["Projet", "Politique"],
            &["Prévu", "En cours", "Achevé", "Suspendu ou annulé"],
            &[
                "National",
                "Bilatéral",
                "Régional",
                "Multirégional",
                "Continental",
            ],
            &[
                "Pays africain",
                "Organisation africaine",
                "Institution de l'UE",
                "Pays européen",
            ],
            &["D1", "D2", "D3", "D4", "D5"],
            &["Migrants", "Jeunes", "Femmes", "Diaspora"],
        ]
    } else {
        &[
            &["Project", "Policy"],
            &["Planned", "Ongoing", "Completed", "Suspended or cancelled"],
            &[
                "National",
                "Bilateral",
                "Regional",
                "Multi-regional",
                "Continental",
            ],
            &[
                "African country",
                "African organisation",
                "EU institution",
                "European country",
            ],
            &["D1", "D2", "D3", "D4", "D5"],
            &["Migrants", "Youth", "Women", "Diaspora"],
        ]
    };
    let mut rows = vec![header.iter().map(|h| (*h).to_string()).collect::<Vec<_>>()];
    for i in 0..5 {
        rows.push(
            lists
                .iter()
                .map(|l| l.get(i).copied().unwrap_or_default().to_string())
                .collect(),
        );
    }
    Sheet {
        name: if french { "Listes" } else { "Lists" }.to_string(),
        hidden: false,
        rows,
    }
}

fn instructions(french: bool) -> Sheet {
    let (title, table) = if french {
        (
            "Collecte de données PACV 2022 : modèle des initiatives",
            ["Colonne", "Obligatoire", "Règle"],
        )
    } else {
        (
            "JVAP data collection 2022: initiatives template",
            ["Column", "Required", "Rule"],
        )
    };
    let mut rows = vec![
        vec![title.to_string()],
        vec![],
        table.iter().map(|t| t.to_string()).collect(),
    ];
    for field in FIELDS.iter() {
        let (header, rule) = if french {
            (&field.header_fr, &field.rule_fr)
        } else {
            (&field.header_en, &field.rule_en)
        };
        rows.push(vec![header.clone(), String::new(), rule.clone()]);
    }
    Sheet {
        name: "Instructions".to_string(),
        hidden: false,
        rows,
    }
}
