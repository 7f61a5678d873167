//! What the summary says, in English and French: every heading, label and sentence, and which figures
//! go where. Builds a [`Document`] from [`Figures`] only; nothing here adds up initiatives or budgets
//! (a total line shows a total of [`Figures`], never a sum made here).

use crate::figures::{Figures, Gap, Group};
use jvap_record::Lang;
use jvap_record::catalogue;
use jvap_record::reference;
use jvap_record::tracker::PartnerState;
use jvap_record::vocabulary::{self, PROGRAMME, capitalized};

use super::document::{Bar, Block, Chart, ChartKind, Column, Document, Section, Stat, Table};
use super::format::{amount, count, date_time, money_full, money_short, percent, score};

/// How many possible duplicates the summary lists; the workbook lists them all.
const DUPLICATES_SHOWN: usize = 10;
/// How many warning codes the summary lists.
const WARNINGS_SHOWN: usize = 5;
/// Budgets far outside the round's range named in the data-quality section.
const OUTLIERS_SHOWN: usize = 5;
/// How many countries the summary lists.
const COUNTRIES_SHOWN: usize = 10;

/// The summary of `figures` in `lang`.
pub fn build(figures: &Figures, lang: Lang) -> Document {
    let w = Words { lang, figures };
    Document {
        lang: lang.code(),
        kicker: w.tr(
            "Joint Valletta Action Plan",
            "Plan d'action conjoint de La Valette",
        ),
        title: match lang {
            Lang::En => format!("{} data round {}", PROGRAMME.en, figures.round),
            Lang::Fr => format!("Collecte de données {} {}", PROGRAMME.fr, figures.round),
        },
        subtitle: w.tr(
            "Summary for the joint Khartoum/Rabat Steering Committee",
            "Synthèse pour le Comité de pilotage conjoint des Processus de Khartoum et de Rabat",
        ),
        meta: match lang {
            Lang::En => format!(
                "Dataset version {} · generated {}",
                figures.version,
                date_time(figures.generated_at, lang)
            ),
            Lang::Fr => format!(
                "Version {} du jeu de données · produite le {}",
                figures.version,
                date_time(figures.generated_at, lang)
            ),
        },
        sections: vec![
            w.glance(),
            w.response(),
            w.domains(),
            w.regions(),
            w.funder_categories(),
            w.type_and_status(),
            w.start_years(),
            w.countries(),
            w.gaps(),
            w.quality(),
            w.changes(),
            w.about(),
        ],
    }
}

/// The figures and the language, with one method per section.
struct Words<'a> {
    lang: Lang,
    figures: &'a Figures,
}

impl Words<'_> {
    fn tr(&self, en: &str, fr: &str) -> String {
        match self.lang {
            Lang::En => en.to_owned(),
            Lang::Fr => fr.to_owned(),
        }
    }

    /// [`tr`](Self::tr), with `{programme}` standing for the programme's name in the vocabulary.
    fn named(&self, en: &str, fr: &str) -> String {
        self.tr(en, fr)
            .replace("{programme}", PROGRAMME.get(self.lang))
    }

    fn count(&self, n: u64) -> String {
        count(n, self.lang)
    }

    fn amount(&self, money: crate::figures::Money) -> String {
        amount(money, self.lang)
    }

    /// `n` followed by the right form of the noun, given in the document's language:
    /// `1 initiative`, `3 initiatives`, `0 projet` (French counts 0 and 1 as singular).
    fn counted(&self, n: u64, one: &str, many: &str) -> String {
        let singular = match self.lang {
            Lang::En => n == 1,
            Lang::Fr => n <= 1,
        };
        format!("{} {}", self.count(n), if singular { one } else { many })
    }

    fn initiatives(&self, n: u64) -> String {
        self.counted(n, "initiative", "initiatives")
    }

    /// A quoted text (a title from a partner's file, a sheet name): “…” / « … ».
    fn quoted(&self, text: &str) -> String {
        match self.lang {
            Lang::En => format!("“{text}”"),
            Lang::Fr => format!("«\u{A0}{text}\u{A0}»"),
        }
    }

    fn label<'g>(&self, group: &'g Group) -> &'g str {
        match self.lang {
            Lang::En => &group.label_en,
            Lang::Fr => &group.label_fr,
        }
    }

    /// A domain or objective with its code first (`D2 – Legal migration and mobility`).
    fn coded_label(&self, group: &Group) -> String {
        format!("{} – {}", group.key, self.label(group))
    }

    /// A partner's name in the language, from the tracker (or the partner list), else its code.
    fn partner_name(&self, code: &str) -> String {
        let tracked = self
            .figures
            .tracker
            .partners
            .iter()
            .find(|row| row.partner == code);
        let (en, fr) = match (tracked, reference::partner(code)) {
            (Some(row), _) => (row.name_en.as_str(), row.name_fr.as_str()),
            (None, Some(partner)) => (partner.name_en.as_str(), partner.name_fr.as_str()),
            (None, None) => (code, code),
        };
        match self.lang {
            Lang::En => en.to_owned(),
            Lang::Fr => fr.to_owned(),
        }
    }

    /// Where a section's figures are in the consolidated workbook.
    fn source(&self, sheets: &[&str]) -> Option<String> {
        let quoted: Vec<String> = sheets.iter().map(|sheet| self.quoted(sheet)).collect();
        let listed = self.join(&quoted);
        Some(match (self.lang, sheets.len()) {
            (Lang::En, 1) => format!("Source: consolidated workbook, sheet {listed}."),
            (Lang::En, _) => format!("Source: consolidated workbook, sheets {listed}."),
            (Lang::Fr, 1) => format!("Source\u{A0}: classeur consolidé, feuille {listed}."),
            (Lang::Fr, _) => format!("Source\u{A0}: classeur consolidé, feuilles {listed}."),
        })
    }

    /// `a, b and c` / `a, b et c`.
    fn join(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => {
                let and = self.tr("and", "et");
                format!("{} {and} {last}", rest.join(", "))
            }
        }
    }

    fn glance(&self) -> Section {
        let totals = &self.figures.totals;
        let detail_mix = match self.lang {
            Lang::En => format!(
                "{} and {}",
                self.counted(totals.projects, "project", "projects"),
                self.counted(totals.policies, "policy", "policies")
            ),
            Lang::Fr => format!(
                "{} et {}",
                self.counted(totals.projects, "projet", "projets"),
                self.counted(totals.policies, "politique", "politiques")
            ),
        };
        let budget_detail = match self.lang {
            Lang::En => format!(
                "{} for the {} with a budget",
                money_full(totals.budget_eur, self.lang),
                self.initiatives(totals.with_budget)
            ),
            Lang::Fr => format!(
                "{} pour les {} dont le budget est connu",
                money_full(totals.budget_eur, self.lang),
                self.initiatives(totals.with_budget)
            ),
        };
        Section {
            id: "glance",
            heading: self.tr("The round at a glance", "La collecte en bref"),
            blocks: vec![Block::Stats(vec![
                Stat {
                    value: self.count(totals.initiatives),
                    label: self.tr("initiatives reported", "initiatives déclarées"),
                    detail: Some(detail_mix),
                },
                Stat {
                    value: self.count(totals.partners),
                    label: self.tr("partners reporting", "partenaires déclarants"),
                    detail: Some(self.tr(
                        "with at least one initiative",
                        "avec au moins une initiative",
                    )),
                },
                Stat {
                    value: self.count(totals.countries),
                    label: self.tr("countries covered", "pays couverts"),
                    detail: Some(self.tr(
                        "where initiatives take place",
                        "où des initiatives sont menées",
                    )),
                },
                Stat {
                    value: money_short(totals.budget_eur, self.lang),
                    label: self.tr("total budget", "budget total"),
                    detail: Some(budget_detail),
                },
            ])],
            source: self.source(&["Read me", "Initiatives"]),
        }
    }

    fn response(&self) -> Section {
        let response = &self.figures.response;
        let mut blocks = vec![Block::Stats(vec![
            Stat {
                value: self.count(response.expected),
                label: self.tr("partners expected", "partenaires attendus"),
                detail: None,
            },
            Stat {
                value: self.count(response.submitted),
                label: self.tr("have sent a file", "ont envoyé un fichier"),
                detail: None,
            },
            Stat {
                value: self.count(response.accepted),
                label: self.tr("have data in the dataset", "ont des données acceptées"),
                detail: None,
            },
            Stat {
                value: percent(response.rate_percent, self.lang),
                label: self.tr("response rate", "taux de réponse"),
                detail: Some(self.tr(
                    "partners with data, out of those expected",
                    "partenaires avec des données, sur ceux attendus",
                )),
            },
        ])];

        let waiting: Vec<String> = [
            PartnerState::Rejected,
            PartnerState::Failed,
            PartnerState::InProgress,
            PartnerState::NotSubmitted,
        ]
        .into_iter()
        .filter_map(|state| {
            let names: Vec<String> = self
                .figures
                .tracker
                .partners
                .iter()
                .filter(|row| row.expected && row.state == state)
                .map(|row| self.partner_name(&row.partner))
                .collect();
            (!names.is_empty()).then(|| {
                let (state, n, names) = (
                    self.state_label(state),
                    self.count(names.len() as u64),
                    names.join(", "),
                );
                match self.lang {
                    Lang::En => format!("{state} ({n}): {names}."),
                    Lang::Fr => format!("{state} ({n})\u{A0}: {names}."),
                }
            })
        })
        .collect();
        if waiting.is_empty() {
            blocks.push(Block::Paragraph(self.tr(
                "Every expected partner has data in the dataset.",
                "Tous les partenaires attendus ont des données dans le jeu de données.",
            )));
        } else {
            blocks.push(Block::Paragraph(self.tr(
                "Expected partners without accepted data yet:",
                "Partenaires attendus sans données acceptées à ce jour\u{A0}:",
            )));
            blocks.push(Block::List(waiting));
        }

        let unexpected: Vec<String> = self
            .figures
            .tracker
            .partners
            .iter()
            .filter(|row| !row.expected && row.state == PartnerState::Accepted)
            .map(|row| self.partner_name(&row.partner))
            .collect();
        if !unexpected.is_empty() {
            blocks.push(Block::Paragraph(match self.lang {
                Lang::En => format!(
                    "Also reported, without being on the list of expected partners: {}.",
                    self.join(&unexpected)
                ),
                Lang::Fr => format!(
                    "Ont aussi transmis des données sans figurer parmi les partenaires attendus\u{A0}: {}.",
                    self.join(&unexpected)
                ),
            }));
        }
        Section {
            id: "response",
            heading: self.tr("Response of partners", "Réponse des partenaires"),
            blocks,
            source: self.source(&["Tracker"]),
        }
    }

    fn state_label(&self, state: PartnerState) -> String {
        capitalized(state.label(self.lang))
    }

    fn budget_column(&self) -> Column {
        Column::number(self.tr("Budget (EUR)", "Budget (EUR)"))
    }

    fn initiatives_column(&self) -> Column {
        Column::number(self.tr("Initiatives", "Initiatives"))
    }

    /// The total line of a breakdown that counts each initiative once.
    fn total_line(&self, columns: usize) -> Vec<String> {
        let totals = &self.figures.totals;
        let mut line = vec![
            self.tr("Total", "Total"),
            self.count(totals.initiatives),
            self.amount(totals.budget_eur),
        ];
        line.resize(columns, String::new());
        line
    }

    /// A simple breakdown table: label, initiatives, budget.
    fn breakdown(&self, caption: String, first: String, groups: &[Group], total: bool) -> Table {
        Table {
            caption,
            columns: vec![
                Column::text(first),
                self.initiatives_column(),
                self.budget_column(),
            ],
            rows: groups
                .iter()
                .map(|group| {
                    vec![
                        self.label(group).to_owned(),
                        self.count(group.initiatives),
                        self.amount(group.budget_eur),
                    ]
                })
                .collect(),
            total: total.then(|| self.total_line(3)),
        }
    }

    fn bars(&self, groups: &[Group], label: impl Fn(&Group) -> String) -> Vec<Bar> {
        groups
            .iter()
            .map(|group| Bar {
                label: label(group),
                value: group.initiatives,
                value_text: self.count(group.initiatives),
            })
            .collect()
    }

    fn domains(&self) -> Section {
        let figures = self.figures;
        let any_domain = |key: &str| {
            figures
                .by_domain
                .iter()
                .find(|group| group.key == key)
                .map_or(0, |group| group.initiatives)
        };
        let table = Table {
            caption: self.named(
                "Initiatives and budget by primary {programme} domain",
                "Initiatives et budget par domaine principal du {programme}",
            ),
            columns: vec![
                Column::text(self.tr("Domain", "Domaine")),
                Column::number(self.tr(
                    "Initiatives (primary domain)",
                    "Initiatives (domaine principal)",
                )),
                self.budget_column(),
                Column::number(self.tr("Initiatives (any domain)", "Initiatives (tout domaine)")),
            ],
            rows: figures
                .by_primary_domain
                .iter()
                .map(|group| {
                    vec![
                        self.coded_label(group),
                        self.count(group.initiatives),
                        self.amount(group.budget_eur),
                        self.count(any_domain(&group.key)),
                    ]
                })
                .collect(),
            total: Some(self.total_line(4)),
        };
        Section {
            id: "domains",
            heading: self.named(
                "Initiatives by {programme} domain",
                "Initiatives par domaine du {programme}",
            ),
            blocks: vec![
                Block::Chart(Chart {
                    kind: ChartKind::Horizontal,
                    title: self.named(
                        "Number of initiatives by primary {programme} domain",
                        "Nombre d'initiatives par domaine principal du {programme}",
                    ),
                    bars: self.bars(&figures.by_primary_domain, |group| self.coded_label(group)),
                }),
                Block::Table(table),
                Block::Paragraph(self.tr(
                    "Each initiative counts once under its primary domain, which carries its whole budget. \
                     The last column counts it under every domain it addresses, so that column adds up to more than the total.",
                    "Chaque initiative compte une fois, sous son domaine principal, qui porte tout son budget. \
                     La dernière colonne la compte sous chacun des domaines qu'elle couvre\u{A0}; son total dépasse donc celui des initiatives.",
                )),
            ],
            source: self.source(&["By domain"]),
        }
    }

    fn regions(&self) -> Section {
        let groups = &self.figures.by_region;
        Section {
            id: "regions",
            heading: self.tr("Initiatives by region", "Initiatives par région"),
            blocks: vec![
                Block::Chart(Chart {
                    kind: ChartKind::Horizontal,
                    title: self.tr(
                        "Number of initiatives by region",
                        "Nombre d'initiatives par région",
                    ),
                    bars: self.bars(groups, |group| self.label(group).to_owned()),
                }),
                Block::Table(self.breakdown(
                    self.tr(
                        "Initiatives and budget by region of the countries concerned",
                        "Initiatives et budget par région des pays concernés",
                    ),
                    self.tr("Region", "Région"),
                    groups,
                    false,
                )),
                Block::Paragraph(self.tr(
                    "An initiative that takes place in several regions counts, with its whole budget, in each of them.",
                    "Une initiative menée dans plusieurs régions compte, avec tout son budget, dans chacune d'elles.",
                )),
            ],
            source: self.source(&["By region"]),
        }
    }

    fn funder_categories(&self) -> Section {
        Section {
            id: "funders",
            heading: self.tr(
                "Initiatives by funder category",
                "Initiatives par catégorie de bailleur",
            ),
            blocks: vec![Block::Table(self.breakdown(
                self.tr(
                    "Initiatives and budget by category of the lead funder",
                    "Initiatives et budget par catégorie du bailleur principal",
                ),
                self.tr("Lead funder category", "Catégorie du bailleur principal"),
                &self.figures.by_funder_category,
                true,
            ))],
            source: self.source(&["By funder category"]),
        }
    }

    fn type_and_status(&self) -> Section {
        let source = match self.lang {
            Lang::En => {
                "Source: consolidated workbook, sheet “Initiatives” (columns Type and Status)."
            }
            Lang::Fr => {
                "Source\u{A0}: classeur consolidé, feuille «\u{A0}Initiatives\u{A0}» (colonnes Type et Statut)."
            }
        };
        Section {
            id: "type-status",
            heading: self.tr("Type and status", "Type et statut"),
            blocks: vec![Block::Tables(vec![
                self.breakdown(
                    self.tr("By type", "Par type"),
                    self.tr("Type", "Type"),
                    &self.figures.by_type,
                    true,
                ),
                self.breakdown(
                    self.tr("By status", "Par statut"),
                    self.tr("Status", "Statut"),
                    &self.figures.by_status,
                    true,
                ),
            ])],
            source: Some(source.to_owned()),
        }
    }

    fn start_years(&self) -> Section {
        let groups = &self.figures.by_start_year;
        let mut blocks = Vec::new();
        if groups.is_empty() {
            blocks.push(Block::Paragraph(self.tr(
                "No initiative has a start date yet.",
                "Aucune initiative n'a encore de date de début.",
            )));
        } else {
            blocks.push(Block::Chart(Chart {
                kind: ChartKind::Columns,
                title: self.tr(
                    "Number of initiatives by start year",
                    "Nombre d'initiatives par année de début",
                ),
                bars: self.bars(groups, |group| group.key.clone()),
            }));
            blocks.push(Block::Table(Table {
                caption: self.tr(
                    "Initiatives and budget by start year",
                    "Initiatives et budget par année de début",
                ),
                columns: vec![
                    Column::text(self.tr("Start year", "Année de début")),
                    self.initiatives_column(),
                    self.budget_column(),
                ],
                rows: groups
                    .iter()
                    .map(|group| {
                        vec![
                            group.key.clone(),
                            self.count(group.initiatives),
                            self.amount(group.budget_eur),
                        ]
                    })
                    .collect(),
                total: Some(self.total_line(3)),
            }));
        }
        blocks.push(Block::Paragraph(self.tr(
            "The year a project started or a policy was adopted.",
            "L'année de début d'un projet ou d'adoption d'une politique.",
        )));
        Section {
            id: "years",
            heading: self.tr("Trend by start year", "Évolution par année de début"),
            blocks,
            source: self.source(&["By start year"]),
        }
    }

    fn countries(&self) -> Section {
        let groups = &self.figures.by_country;
        let shown = &groups[..groups.len().min(COUNTRIES_SHOWN)];
        let table = Table {
            caption: self.tr(
                "The countries with the most initiatives",
                "Les pays qui comptent le plus d'initiatives",
            ),
            columns: vec![
                Column::text(self.tr("Rank", "Rang")),
                Column::text(self.tr("Country", "Pays")),
                self.initiatives_column(),
                self.budget_column(),
            ],
            rows: shown
                .iter()
                .enumerate()
                .map(|(rank, group)| {
                    vec![
                        (rank + 1).to_string(),
                        self.label(group).to_owned(),
                        self.count(group.initiatives),
                        self.amount(group.budget_eur),
                    ]
                })
                .collect(),
            total: None,
        };
        let note = match self.lang {
            Lang::En => format!(
                "Initiatives take place in {} countries in all. An initiative in several countries counts, \
                 with its whole budget, in each of them.",
                self.count(self.figures.totals.countries)
            ),
            Lang::Fr => format!(
                "Les initiatives sont menées dans {} pays au total. Une initiative menée dans plusieurs pays \
                 compte, avec tout son budget, dans chacun d'eux.",
                self.count(self.figures.totals.countries)
            ),
        };
        Section {
            id: "countries",
            heading: match self.lang {
                Lang::En => format!("Top {} countries", self.count(shown.len() as u64)),
                Lang::Fr => format!("Les {} premiers pays", self.count(shown.len() as u64)),
            },
            blocks: vec![Block::Table(table), Block::Paragraph(note)],
            source: self.source(&["By country"]),
        }
    }

    fn gaps(&self) -> Section {
        let sentences: Vec<String> = self.figures.gaps.iter().map(|gap| self.gap(gap)).collect();
        let blocks = if sentences.is_empty() {
            vec![Block::Paragraph(self.named(
                "Every {programme} domain, Marrakesh objective and region has initiatives.",
                "Chaque domaine du {programme}, objectif de Marrakech et région compte des initiatives.",
            ))]
        } else {
            vec![Block::List(sentences)]
        };
        Section {
            id: "gaps",
            heading: self.tr("Coverage gaps", "Lacunes de couverture"),
            blocks,
            source: self.source(&["By domain", "By region", "Initiatives"]),
        }
    }

    /// One gap as a plain sentence.
    fn gap(&self, gap: &Gap) -> String {
        let label = match self.lang {
            Lang::En => &gap.label_en,
            Lang::Fr => &gap.label_fr,
        };
        let what = match (self.lang, gap.dimension.as_str()) {
            (Lang::En, "domain") => format!("{} domain {} – {label}", PROGRAMME.en, gap.key),
            (Lang::En, "objective") => format!("Marrakesh objective {} – {label}", gap.key),
            (Lang::En, "region") => format!("the region {label}"),
            (Lang::Fr, "domain") => format!("le domaine du {} {} – {label}", PROGRAMME.fr, gap.key),
            (Lang::Fr, "objective") => format!("l'objectif de Marrakech {} – {label}", gap.key),
            (Lang::Fr, "region") => format!("la région {label}"),
            (_, _) => format!("{} – {label}", gap.key),
        };
        match (self.lang, gap.initiatives) {
            (Lang::En, 0) => format!("No initiative addresses {what}."),
            (Lang::En, 1) => format!("Only 1 initiative addresses {what}."),
            (Lang::En, n) => format!("Only {} initiatives address {what}.", self.count(n)),
            (Lang::Fr, 0) => format!("Aucune initiative ne porte sur {what}."),
            (Lang::Fr, 1) => format!("Une seule initiative porte sur {what}."),
            (Lang::Fr, n) => format!("Seules {} initiatives portent sur {what}.", self.count(n)),
        }
    }

    /// What points at a file that is not what its partner meant to send: a partner that alone is
    /// most of the round, a budget far outside the round's range.
    fn weight_flags(&self) -> Vec<String> {
        let quality = &self.figures.quality;
        let mut flags: Vec<String> = quality
            .dominant
            .iter()
            .map(|d| {
                let name = self.partner_name(&d.partner);
                let (n, b) = (
                    percent(d.initiatives_percent, self.lang),
                    percent(d.budget_percent, self.lang),
                );
                match self.lang {
                    Lang::En => format!(
                        "To check: {name} ({}) alone makes up {n} of the initiatives and {b} of the budget; \
                         make sure its file is the one it meant to send before quoting the round's figures.",
                        d.partner
                    ),
                    Lang::Fr => format!(
                        "À vérifier\u{A0}: {name} ({}) représente à lui seul {n} des initiatives et {b} du budget\u{A0}; \
                         assurez-vous que son fichier est bien celui qu'il voulait envoyer avant de citer les chiffres du cycle.",
                        d.partner
                    ),
                }
            })
            .collect();
        let outliers = &quality.budget_outliers;
        if let Some(first) = outliers.first() {
            let shown: Vec<String> = outliers
                .iter()
                .take(OUTLIERS_SHOWN)
                .map(|o| {
                    format!(
                        "{} ({}, {})",
                        self.quoted(&o.title),
                        o.partner,
                        self.amount(o.budget_eur)
                    )
                })
                .collect();
            let factor = self.count(crate::figures::OUTLIER_FACTOR);
            let median = self.amount(first.median_eur);
            let n = outliers.len() as u64;
            flags.push(match self.lang {
                Lang::En => format!(
                    "To check: {} a budget over {factor} times the round's median of {median}, or under a {factor}th of it: {}.",
                    self.counted(n, "initiative has", "initiatives have"),
                    shown.join("; ")
                ),
                Lang::Fr => format!(
                    "À vérifier\u{A0}: {} un budget plus de {factor} fois supérieur à la médiane du cycle ({median}) ou {factor} fois inférieur\u{A0}: {}.",
                    self.counted(n, "initiative a", "initiatives ont"),
                    shown.join("\u{A0}; ")
                ),
            });
        }
        flags
    }

    fn quality(&self) -> Section {
        let quality = &self.figures.quality;
        let totals = &self.figures.totals;
        let notes = vec![
            match self.lang {
                Lang::En => format!(
                    "{} of {} have no budget in euros; the total budget covers the {} with one.",
                    self.count(quality.missing_budget),
                    self.initiatives(totals.initiatives),
                    self.count(totals.with_budget)
                ),
                Lang::Fr => format!(
                    "{} sur {} n'ont pas de budget en euros\u{A0}; le budget total porte sur les {} qui en ont un.",
                    self.count(quality.missing_budget),
                    self.initiatives(totals.initiatives),
                    self.count(totals.with_budget)
                ),
            },
            match self.lang {
                Lang::En => format!(
                    "{} were given in another currency and converted to euros at the annual average rate of their start year.",
                    self.counted(quality.converted_currency, "budget", "budgets")
                ),
                Lang::Fr => format!(
                    "{} dans une autre devise ont été convertis en euros au taux moyen annuel de leur année de début.",
                    self.counted(quality.converted_currency, "budget donné", "budgets donnés")
                ),
            },
            match self.lang {
                Lang::En => format!(
                    "{} carry at least one warning from validation: accepted, but worth a second look.",
                    self.initiatives(quality.with_warnings)
                ),
                Lang::Fr => format!(
                    "{} portent au moins un avertissement de la validation\u{A0}: acceptées, mais à revoir.",
                    self.initiatives(quality.with_warnings)
                ),
            },
        ];
        let mut notes = notes;
        notes.extend(self.weight_flags());
        let mut blocks = vec![Block::List(notes)];

        if !quality.warnings_by_code.is_empty() {
            blocks.push(Block::Table(Table {
                caption: self.tr(
                    "The most frequent warnings",
                    "Les avertissements les plus fréquents",
                ),
                columns: vec![
                    Column::text(self.tr("Warning", "Avertissement")),
                    Column::text(self.tr("Code", "Code")),
                    self.initiatives_column(),
                ],
                rows: quality
                    .warnings_by_code
                    .iter()
                    .take(WARNINGS_SHOWN)
                    .map(|(code, n)| vec![self.warning_meaning(code), code.clone(), self.count(*n)])
                    .collect(),
                total: None,
            }));
        }

        let duplicates = &quality.duplicates;
        if duplicates.is_empty() {
            blocks.push(Block::Paragraph(self.tr(
                "No possible duplicate was found between partners.",
                "Aucun doublon possible n'a été trouvé entre partenaires.",
            )));
        } else {
            blocks.push(Block::Paragraph(match self.lang {
                Lang::En => format!(
                    "Possible duplicates ({}): initiatives of different partners that look like the same one, \
                     for instance reported by both its funder and its implementer. Both are kept, never merged; \
                     the partners concerned are asked to confirm.",
                    self.count(duplicates.len() as u64)
                ),
                Lang::Fr => format!(
                    "Doublons possibles ({})\u{A0}: initiatives de partenaires différents qui semblent être la même, \
                     par exemple déclarée par son bailleur et par son opérateur. Les deux sont conservées, jamais \
                     fusionnées\u{A0}; les partenaires concernés sont invités à confirmer.",
                    self.count(duplicates.len() as u64)
                ),
            }));
            let mut pairs: Vec<String> = duplicates
                .iter()
                .take(DUPLICATES_SHOWN)
                .map(|duplicate| {
                    let reasons: Vec<String> = duplicate
                        .reasons
                        .iter()
                        .map(|reason| self.reason(reason))
                        .collect();
                    let a = format!(
                        "{} ({})",
                        self.quoted(&duplicate.a.title),
                        self.partner_name(&duplicate.a.partner)
                    );
                    let b = format!(
                        "{} ({})",
                        self.quoted(&duplicate.b.title),
                        self.partner_name(&duplicate.b.partner)
                    );
                    match self.lang {
                        Lang::En => format!(
                            "{a} and {b}: {}; similarity {}.",
                            self.join(&reasons),
                            score(duplicate.score, self.lang)
                        ),
                        Lang::Fr => format!(
                            "{a} et {b}\u{A0}: {}\u{A0}; similarité {}.",
                            self.join(&reasons),
                            score(duplicate.score, self.lang)
                        ),
                    }
                })
                .collect();
            let more = duplicates.len().saturating_sub(DUPLICATES_SHOWN) as u64;
            if more > 0 {
                pairs.push(match self.lang {
                    Lang::En => format!("And {} more in the workbook.", self.count(more)),
                    Lang::Fr => format!("Et {} autres dans le classeur.", self.count(more)),
                });
            }
            blocks.push(Block::List(pairs));
        }
        Section {
            id: "quality",
            heading: self.tr(
                "Notes on data quality",
                "Remarques sur la qualité des données",
            ),
            blocks,
            source: self.source(&["Data quality", "Possible duplicates"]),
        }
    }

    /// What a warning code means, from the issue catalogue (its `{detail}` left as `…`).
    fn warning_meaning(&self, code: &str) -> String {
        match catalogue::ALL.iter().find(|kind| kind.code == code) {
            Some(kind) => match self.lang {
                Lang::En => kind.render_en("…"),
                Lang::Fr => kind.render_fr("…"),
            },
            None => code.to_owned(),
        }
    }

    /// Why two initiatives look alike, from the reason codes of [`crate::duplicates`].
    fn reason(&self, code: &str) -> String {
        vocabulary::duplicate_reason(code, self.lang).to_owned()
    }

    fn changes(&self) -> Section {
        let changes = &self.figures.changes;
        let version = self.figures.version;
        let Some(previous) = changes.previous_version else {
            return Section {
                id: "changes",
                heading: self.tr("What changed", "Ce qui a changé"),
                blocks: vec![Block::Paragraph(self.tr(
                    "This is the first published version of the round: there is nothing to compare it with yet.",
                    "C'est la première version publiée de la collecte\u{A0}: il n'y a encore rien à comparer.",
                ))],
                source: None,
            };
        };
        let summary = match self.lang {
            Lang::En => format!(
                "Since version {previous}: {} added, {} updated and {} removed.",
                self.initiatives(changes.added),
                self.count(changes.updated),
                self.count(changes.removed)
            ),
            Lang::Fr => format!(
                "Depuis la version {previous}\u{A0}: {} {}, {} {} et {} {}.",
                self.initiatives(changes.added),
                if changes.added <= 1 {
                    "ajoutée"
                } else {
                    "ajoutées"
                },
                self.count(changes.updated),
                if changes.updated <= 1 {
                    "modifiée"
                } else {
                    "modifiées"
                },
                self.count(changes.removed),
                if changes.removed <= 1 {
                    "retirée"
                } else {
                    "retirées"
                },
            ),
        };
        let mut blocks = vec![Block::Paragraph(summary)];
        if !changes.partners.is_empty() {
            blocks.push(Block::Table(Table {
                caption: self.tr("Changes by partner", "Changements par partenaire"),
                columns: vec![
                    Column::text(self.tr("Partner", "Partenaire")),
                    Column::number(self.tr("Added", "Ajoutées")),
                    Column::number(self.tr("Updated", "Modifiées")),
                    Column::number(self.tr("Removed", "Retirées")),
                ],
                rows: changes
                    .partners
                    .iter()
                    .map(|partner| {
                        vec![
                            self.partner_name(&partner.partner),
                            self.count(partner.added),
                            self.count(partner.updated),
                            self.count(partner.removed),
                        ]
                    })
                    .collect(),
                total: Some(vec![
                    self.tr("Total", "Total"),
                    self.count(changes.added),
                    self.count(changes.updated),
                    self.count(changes.removed),
                ]),
            }));
        }
        Section {
            id: "changes",
            heading: match self.lang {
                Lang::En => format!("What changed since version {previous}"),
                Lang::Fr => format!("Ce qui a changé depuis la version {previous}"),
            },
            blocks,
            source: Some(match self.lang {
                Lang::En => format!(
                    "Source: comparison of dataset versions {previous} and {version}, both downloadable."
                ),
                Lang::Fr => format!(
                    "Source\u{A0}: comparaison des versions {previous} et {version} du jeu de données, toutes deux téléchargeables."
                ),
            }),
        }
    }

    fn about(&self) -> Section {
        let figures = self.figures;
        let when = date_time(figures.generated_at, self.lang);
        let text = match self.lang {
            Lang::En => format!(
                "Every figure in this summary comes from the consolidated workbook of dataset version {} \
                 of the JVAP data round {} (dataset.xlsx), generated on {when} from the partners' accepted \
                 submissions; each section names the sheet to look at. The same figures are in the JSON \
                 and CSV datasets. Budgets are in euros; budgets given in other currencies were converted \
                 at annual average rates.",
                figures.version, figures.round
            ),
            Lang::Fr => format!(
                "Tous les chiffres de cette synthèse proviennent du classeur consolidé de la version {} du jeu \
                 de données de la collecte JVAP {} (dataset.xlsx), produit le {when} à partir des envois \
                 acceptés des partenaires\u{A0}; chaque section indique la feuille à consulter. Les mêmes \
                 chiffres figurent dans les jeux de données JSON et CSV. Les budgets sont en euros\u{A0}; ceux \
                 donnés dans d'autres devises ont été convertis aux taux moyens annuels.",
                figures.version, figures.round
            ),
        };
        Section {
            id: "about",
            heading: self.tr("About these figures", "À propos de ces chiffres"),
            blocks: vec![Block::Paragraph(text)],
            source: None,
        }
    }
}
