//! What the corpus is made of: initiatives as partners write them with the values they must become,
//! and the headers partners write for each column. Invented here, never taken from the samples.

/// A column of the template, by its key in `fields.csv`.
pub type Key = &'static str;

/// One initiative: each cell as written (EN and FR labels where they differ) and what it becomes.
pub struct Initiative {
    pub reference: &'static str,
    pub project: bool,
    pub title: &'static str,
    pub description: &'static str,
    /// Status as written in EN and in FR.
    pub status: (&'static str, &'static str),
    /// Start as written, and as an ISO date.
    pub start: (&'static str, &'static str),
    pub end: &'static str,
    pub domains: (&'static str, &'static [&'static str]),
    pub primary: (&'static str, &'static str),
    pub countries: (&'static str, &'static [&'static str]),
    /// Lead funder as written, and as normalised (a partner code or the name).
    pub lead: (&'static str, &'static str),
    pub implementers: &'static str,
    /// The budget as written, in euros.
    pub budget: (&'static str, f64),
    pub targets: (&'static str, &'static [&'static str]),
    pub email: &'static str,
}

pub const INITIATIVES: &[Initiative] = &[
    Initiative {
        reference: "SAH-2019-014",
        project: true,
        title: "Cross-border mobility corridors between Niger and Chad",
        description: "Supports seasonal workers crossing the Lake Chad basin.",
        status: ("Ongoing", "En cours"),
        start: ("14/02/2019", "2019-02-14"),
        end: ("31/12/2023"),
        domains: ("D2; D4", &["D2", "D4"]),
        primary: ("D2", "D2"),
        countries: ("Niger; Chad", &["NER", "TCD"]),
        lead: ("European Union", "EU"),
        implementers: "IOM; Caritas",
        budget: ("2 400 000", 2_400_000.0),
        targets: ("Migrants; Youth", &["migrants", "youth"]),
        email: "desk.sahel@example.org",
    },
    Initiative {
        reference: "GH-REINT-07",
        project: true,
        title: "Reintegration grants for returnees in the Ashanti region",
        description: "Small business grants and coaching for returning migrants.",
        status: ("Completed", "Achevé"),
        start: ("2017-06-01", "2017-06-01"),
        end: ("2020-05-31"),
        domains: ("D5", &["D5"]),
        primary: ("", "D5"),
        countries: ("Ghana", &["GHA"]),
        lead: ("Germany", "DEU"),
        implementers: "GIZ",
        budget: ("980000", 980_000.0),
        targets: ("Returnees", &["returnees"]),
        email: "reintegration@example.de",
    },
    Initiative {
        reference: "MA-LEGAL-3",
        project: true,
        title: "Skills partnership for nurses between Morocco and Belgium",
        description: "Training and placement of nurses under fair recruitment rules.",
        status: ("Planned", "Prévu"),
        start: ("1 mars 2022", "2022-03-01"),
        end: ("28/02/2026"),
        domains: ("Domain 2", &["D2"]),
        primary: ("", "D2"),
        countries: ("Maroc", &["MAR"]),
        lead: ("Belgique", "BEL"),
        implementers: "Enabel; ANAPEC",
        budget: ("1.500.000,00", 1_500_000.0),
        targets: ("Youth; Women", &["youth", "women"]),
        email: "nurses.ma@example.be",
    },
    Initiative {
        reference: "SN-ASYL-22",
        project: true,
        title: "Strengthening the asylum commission of Senegal",
        description: "Case management software and training for eligibility officers.",
        status: ("Ongoing", "En cours"),
        start: ("2020-09-15", "2020-09-15"),
        end: ("2024-09-14"),
        domains: ("D3", &["D3"]),
        primary: ("", "D3"),
        countries: ("SN", &["SEN"]),
        lead: ("UNHCR", "UNHCR"),
        implementers: "Ministry of Interior",
        budget: ("650 000", 650_000.0),
        targets: ("Refugees and asylum seekers", &["refugees_asylum_seekers"]),
        email: "asylum.sn@example.org",
    },
    Initiative {
        reference: "ML-BORDER-5",
        project: true,
        title: "Integrated border posts on the Mali and Burkina Faso border",
        description: "Builds two joint border posts and trains their staff.",
        status: ("Completed", "Achevé"),
        start: ("03/07/2016", "2016-07-03"),
        end: ("2019-12-31"),
        domains: ("D4", &["D4"]),
        primary: ("", "D4"),
        countries: ("Mali; Burkina Faso", &["MLI", "BFA"]),
        lead: ("Spain (AECID)", "ESP"),
        implementers: "FIIAPP; Civipol",
        budget: ("3 100 000", 3_100_000.0),
        targets: ("Government officials", &["officials"]),
        email: "borders@example.es",
    },
    Initiative {
        reference: "ET-ROOT-11",
        project: true,
        title: "Jobs for young people in the Amhara and Tigray highlands",
        description: "Vocational training and cooperatives in areas of high emigration.",
        status: ("Ongoing", "En cours"),
        start: ("12/10/2021", "2021-10-12"),
        end: ("2025-10-11"),
        domains: ("D1", &["D1"]),
        primary: ("", "D1"),
        countries: ("Ethiopia", &["ETH"]),
        lead: ("World Bank", "World Bank"),
        implementers: "Expertise France; ILO",
        budget: ("5200000", 5_200_000.0),
        targets: ("Youth", &["youth"]),
        email: "amhara.jobs@example.fr",
    },
    Initiative {
        reference: "NG-TIP-02",
        project: true,
        title: "Shelters and legal aid for victims of trafficking in Edo State",
        description: "Runs two shelters and a legal clinic with the state task force.",
        status: ("Suspended or cancelled", "Suspendu ou annulé"),
        start: ("2018-01-08", "2018-01-08"),
        end: ("2021-01-07"),
        domains: ("D4; D3", &["D4", "D3"]),
        primary: ("D4", "D4"),
        countries: ("Nigeria", &["NGA"]),
        lead: ("Italy", "ITA"),
        implementers: "UNODC; NAPTIP",
        budget: ("1 750 000", 1_750_000.0),
        targets: (
            "Victims of trafficking; Women",
            &["victims_of_trafficking", "women"],
        ),
        email: "edo.shelters@example.it",
    },
    Initiative {
        reference: "TN-POL-01",
        project: false,
        title: "National strategy on migration of Tunisia",
        description: "The strategy sets the government's priorities on migration.",
        status: ("Ongoing", "En cours"),
        start: ("2017-07-20", "2017-07-20"),
        end: "",
        domains: ("D1; D2", &["D1", "D2"]),
        primary: ("D2", "D2"),
        countries: ("Tunisia", &["TUN"]),
        lead: ("", ""),
        implementers: "",
        budget: ("", 0.0),
        targets: ("Migrants; Diaspora", &["migrants", "diaspora"]),
        email: "strategy@example.tn",
    },
];

/// The headers partners write for each column, beyond the template's own (none of these is in
/// `fields.csv` as written, except where a case of it or a plural is). The first is the template's.
pub const HEADERS: &[(Key, &[&str])] = &[
    (
        "partner_ref",
        &[
            "Reference",
            "Réf. interne",
            "Project No.",
            "Identifiant",
            "Internal ID",
            "Numéro de référence",
            "REFERENCE",
        ],
    ),
    (
        "initiative_type",
        &[
            "Type",
            "Nature",
            "Project/Policy",
            "Nature de l'initiative",
            "Kind of initiative",
            "Types",
        ],
    ),
    (
        "title",
        &[
            "Title",
            "Nom de l'initiative",
            "Name of the initiative",
            "Project",
            "Libellé",
            "Project titles",
            "TITLE OF THE PROJECT",
        ],
    ),
    (
        "description",
        &[
            "Description",
            "Brief summary",
            "Résumé",
            "Descriptif",
            "Overview",
        ],
    ),
    (
        "status",
        &[
            "Status",
            "État d'avancement",
            "Stage of implementation",
            "Current status",
            "STATUT",
        ],
    ),
    (
        "start_date",
        &[
            "Start date (or adoption date for a policy)",
            "Date de lancement",
            "Launch date",
            "Date of commencement",
            "Starting date (dd/mm/yyyy)",
            "Date de démarrage",
        ],
    ),
    (
        "end_date",
        &[
            "End date",
            "Date de clôture",
            "Expected end",
            "Completion date (dd/mm/yyyy)",
            "Date de fin prévue",
            "Closing",
        ],
    ),
    (
        "jvap_domains",
        &[
            "JVAP domains",
            "Thematic areas",
            "Valletta pillars",
            "JVAP domain(s)",
            "Domaine(s) PACV",
            "Domaines thématiques",
        ],
    ),
    (
        "primary_domain",
        &[
            "Primary domain",
            "Main pillar",
            "Principal domain",
            "Main JVAP domain",
        ],
    ),
    (
        "countries",
        &[
            "Countries of implementation",
            "Countries concerned",
            "Beneficiary country(ies)",
            "Zone d'intervention",
            "Country(ies) of implementation (ISO)",
            "Location",
        ],
    ),
    (
        "lead_funder",
        &[
            "Lead funder",
            "Financing body",
            "Donor organisation",
            "Organisme financeur",
            "Bailleur de fonds principal",
            "Source of funds",
            "Main funder",
        ],
    ),
    (
        "implementers",
        &[
            "Implementing organisations",
            "Implementing Organisation",
            "Executing agency",
            "Opérateurs de mise en œuvre",
            "Organisme(s) d'exécution",
        ],
    ),
    (
        "budget",
        &[
            "Total budget",
            "Montant global (EUR)",
            "Total cost (EUR)",
            "Coût total du projet",
            "Overall amount",
            "Budget total (en euros)",
            "Enveloppe globale",
        ],
    ),
    (
        "currency",
        &[
            "Currency",
            "Currency of the budget",
            "Devise du montant",
            "Currency (ISO code)",
        ],
    ),
    (
        "target_groups",
        &[
            "Target groups",
            "Direct beneficiaries",
            "Public visé",
            "Target Group(s)",
            "Beneficiary groups",
        ],
    ),
    (
        "contact_email",
        &[
            "Contact e-mail",
            "E-mail du point focal",
            "Email address of focal point",
            "Focal point e-mail",
        ],
    ),
];

/// Columns next to the budget that are amounts but not the total budget: each must stay unknown.
pub const DECOYS: &[&str] = &[
    "Amount spent (EUR)",
    "Montant décaissé",
    "Disbursed to date",
    "Annual budget",
    "Budget 2022",
    "Dépenses à ce jour",
    "Yearly amount",
    "EU contribution (EUR)",
    "Total paid",
];

/// Headers that only probably are a required column (they score 2): the error names them.
pub const PROBABLE: &[(Key, &str)] = &[
    ("title", "Label"),
    ("end_date", "Until"),
    ("budget", "Value"),
    ("implementers", "Partners"),
];

/// Domain cells holding names with commas, and the codes they are; the primary domain to write.
pub const COMMA_DOMAINS: &[(&str, &[&str], &str)] = &[
    (
        "D1, Return, readmission and reintegration",
        &["D1", "D5"],
        "D5",
    ),
    ("Return, readmission and reintegration", &["D5"], ""),
    (
        "D4 - Prevention of and fight against irregular migration, migrant smuggling and trafficking in human beings; D2",
        &["D4", "D2"],
        "D4",
    ),
    (
        "Retour, réadmission et réintégration / Protection et asile",
        &["D5", "D3"],
        "D3",
    ),
    ("1, 5", &["D1", "D5"], "5"),
    ("D1/D4", &["D1", "D4"], "D1"),
    ("Domaine 2", &["D2"], ""),
];

/// Country cells holding names with commas, and their ISO codes; and how many are no partners.
pub const COMMA_COUNTRIES: &[(&str, &[&str], usize)] = &[
    ("Korea, Republic of; Senegal", &["KOR", "SEN"], 1),
    ("Congo, Dem. Rep., Cameroon", &["COD", "CMR"], 0),
    ("Gambia, The, Mali", &["GMB", "MLI"], 0),
    ("Tanzania, United Republic of", &["TZA"], 1),
    ("Niger, Tchad", &["NER", "TCD"], 0),
    ("Corée, République de / Maroc", &["KOR", "MAR"], 1),
];

/// A target-group cell holding a name with a slash.
pub const SLASH_TARGETS: (&str, &[&str]) = (
    "Refugees/asylum seekers; Youth",
    &["refugees_asylum_seekers", "youth"],
);

/// Rows above the header that partners add.
pub const BANNERS: &[&str] = &[
    "Ministry of Foreign Affairs – JVAP data collection 2022",
    "Reporting partner: Directorate for Migration",
    "Collecte de données PACV 2022",
];
