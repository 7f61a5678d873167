//! Every word the pages show, in English and French, and how a request's language is chosen.
//!
//! [`Words`] is one struct with a field per text, and there is one value of it per language, so the
//! compiler refuses a text that exists in one language only. Texts with a `{…}` placeholder are filled
//! with [`fill`]. Issue messages are not here: they come in both languages with each report; nor are the words of
//! states, severities and roles, which every output shares ([`jvap_record::vocabulary`]).

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use jvap_record::Lang;
use jvap_record::Severity;
use jvap_record::messages::{Role, SubmissionState};
use jvap_record::tracker::PartnerState;
use jvap_record::vocabulary::capitalized;

use crate::http::cookies;

/// The cookie that keeps the language a person picked with the switch.
pub(crate) const LANG_COOKIE: &str = "jvap_lang";

/// The page language: the switch's cookie, else the first of English or French in `Accept-Language`
/// (by preference), else English.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(lang) = cookies::get(headers, LANG_COOKIE).and_then(|v| v.parse().ok()) {
        return lang;
    }
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(preferred)
        .unwrap_or_default()
}

/// The English or French entry of an `Accept-Language` value with the highest weight, e.g.
/// `de-CH, fr;q=0.9, en;q=0.8` gives French.
fn preferred(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Ok(lang) = primary.parse::<Lang>() else {
            continue;
        };
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// `text` with each `{name}` replaced by its value.
pub(crate) fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// The texts of one language.
pub(crate) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

impl Words {
    /// A submission's state, as it starts a badge ([`jvap_record::vocabulary`]).
    pub(crate) fn state(&self, state: SubmissionState) -> String {
        capitalized(state.label(self.lang))
    }

    /// A partner's state in the round, as it starts a cell.
    pub(crate) fn partner_state(&self, state: PartnerState) -> String {
        capitalized(state.label(self.lang))
    }

    pub(crate) fn state_explained(&self, state: SubmissionState) -> &'static str {
        match state {
            SubmissionState::Received => self.explain_received,
            SubmissionState::Validating => self.explain_validating,
            SubmissionState::Accepted => self.explain_accepted,
            SubmissionState::Rejected => self.explain_rejected,
            SubmissionState::Failed => self.explain_failed,
        }
    }

    pub(crate) fn severity(&self, severity: Severity) -> String {
        capitalized(severity.label(self.lang))
    }

    /// A role, as it reads in a sentence ("signed in as administrator").
    pub(crate) fn role(&self, role: Role) -> &'static str {
        role.label(self.lang)
    }
}

/// One field per text the pages show.
pub(crate) struct Words {
    /// The language of these words; the shared vocabulary is looked up in it.
    pub lang: Lang,
    pub site: &'static str,
    pub skip: &'static str,
    /// The switch to the other language, written in that language.
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub nav_home: &'static str,
    pub nav_submissions: &'static str,

    pub signin_title: &'static str,
    pub signin_intro: &'static str,
    pub token_label: &'static str,
    pub token_hint: &'static str,
    pub signin_button: &'static str,
    pub session_expired: &'static str,
    pub access_revoked: &'static str,
    pub signed_out: &'static str,
    pub bad_token: &'static str,
    pub form_expired: &'static str,
    /// A link whose address holds a control character.
    pub bad_link: &'static str,

    pub templates_title: &'static str,
    pub template_en: &'static str,
    pub template_fr: &'static str,

    pub upload_title: &'static str,
    pub file_label: &'static str,
    pub file_hint: &'static str,
    pub drop_hint: &'static str,
    pub mode_legend: &'static str,
    pub mode_replace: &'static str,
    pub mode_merge: &'static str,
    pub upload_button: &'static str,
    pub uploading: &'static str,
    pub upload_progress: &'static str,

    pub my_submissions: &'static str,
    pub all_submissions: &'static str,
    pub no_submissions: &'static str,
    pub col_file: &'static str,
    pub col_partner: &'static str,
    pub col_received: &'static str,
    pub col_state: &'static str,
    pub col_errors: &'static str,
    pub col_warnings: &'static str,
    pub col_version: &'static str,

    pub submission_title: &'static str,
    pub explain_received: &'static str,
    pub explain_validating: &'static str,
    pub explain_accepted: &'static str,
    pub explain_rejected: &'static str,
    pub explain_failed: &'static str,
    pub live_note: &'static str,
    pub in_version: &'static str,
    pub mode_was: &'static str,
    pub mode_replace_name: &'static str,
    pub mode_merge_name: &'static str,
    pub count_rows: &'static str,
    pub count_records: &'static str,
    pub count_errors: &'static str,
    pub count_warnings: &'static str,
    pub report_title: &'static str,
    pub filter_severity: &'static str,
    pub filter_sheet: &'static str,
    pub filter_all: &'static str,
    pub filter_button: &'static str,
    pub shown_of: &'static str,
    pub col_severity: &'static str,
    pub col_sheet: &'static str,
    pub col_cell: &'static str,
    pub col_column: &'static str,
    pub col_value: &'static str,
    pub col_message: &'static str,
    pub no_issues: &'static str,
    pub annotated_title: &'static str,
    pub annotated_en: &'static str,
    pub annotated_fr: &'static str,
    /// Said instead of the links when validation could not write the annotated workbook.
    pub annotated_missing: &'static str,
    pub upload_again: &'static str,

    pub datasets_title: &'static str,
    pub no_datasets: &'static str,
    pub col_dataset: &'static str,
    pub col_downloads: &'static str,
    pub latest: &'static str,
    pub latest_summary: &'static str,

    pub round_title: &'static str,
    /// After the round's state ([`jvap_record::messages::RoundState`]): what it means.
    pub round_open: &'static str,
    pub round_closed: &'static str,
    pub open_round: &'static str,
    pub close_round: &'static str,
    pub tokens_title: &'static str,
    pub issue_title: &'static str,
    pub role_label: &'static str,
    pub partner_label: &'static str,
    pub partner_hint: &'static str,
    pub label_label: &'static str,
    pub issue_button: &'static str,
    pub token_issued: &'static str,
    pub col_role: &'static str,
    pub col_label: &'static str,
    pub col_created: &'static str,
    pub col_key: &'static str,
    pub revoke: &'static str,
    pub no_tokens: &'static str,
    pub services_title: &'static str,
    pub services_intro: &'static str,
    pub services_none: &'static str,
    pub col_service: &'static str,
    pub col_instance: &'static str,
    pub col_ready: &'static str,
    pub col_checks: &'static str,
    pub col_lag: &'static str,
    pub col_failures: &'static str,
    pub ready_yes: &'static str,
    pub ready_no: &'static str,
    pub no_failures: &'static str,
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub audit_none: &'static str,
    pub audit_all: &'static str,
    pub col_when: &'static str,
    pub col_who: &'static str,
    pub col_action: &'static str,
    pub col_detail: &'static str,

    pub tracker_title: &'static str,
    pub tracker_intro: &'static str,
    pub col_expected: &'static str,
    pub headline_title: &'static str,
    pub headline_expected: &'static str,
    pub headline_sent: &'static str,
    pub headline_accepted: &'static str,
    pub headline_rejected: &'static str,
    pub headline_failed: &'static str,
    pub headline_in_progress: &'static str,
    pub headline_missing: &'static str,
    pub headline_rate: &'static str,
    pub filter_label: &'static str,
    pub filter_every_partner: &'static str,
    pub contributors_title: &'static str,
    pub contributors_intro: &'static str,
    pub col_share_initiatives: &'static str,
    pub col_budget: &'static str,
    pub col_share_budget: &'static str,
    pub col_submissions: &'static str,
    pub col_initiatives: &'static str,
    pub col_last_activity: &'static str,
    pub changes_title: &'static str,
    pub changes_summary: &'static str,
    pub changes_first: &'static str,
    pub col_added: &'static str,
    pub col_updated: &'static str,
    pub col_removed: &'static str,
    pub quality_title: &'static str,
    pub quality_missing_budget: &'static str,
    pub quality_converted: &'static str,
    pub quality_warnings: &'static str,
    pub col_code: &'static str,
    pub duplicates_title: &'static str,
    pub no_duplicates: &'static str,
    pub col_score: &'static str,
    pub col_first: &'static str,
    pub col_second: &'static str,
    pub col_reasons: &'static str,
    pub partners_title: &'static str,
    pub partners_every: &'static str,
    pub partners_some: &'static str,
    pub partners_legend: &'static str,
    pub partners_save: &'static str,
    pub partners_all: &'static str,
    pub committee_title: &'static str,
    pub committee_label: &'static str,
    pub committee_hint: &'static str,
    pub committee_save: &'static str,
    pub summary_send: &'static str,
    pub summary_requested: &'static str,
    pub api_title: &'static str,
    pub api_intro: &'static str,
    pub api_document: &'static str,
    pub api_auth_title: &'static str,
    pub api_contents: &'static str,
    pub api_roles: &'static str,
    pub api_anyone: &'static str,
    pub api_auth: &'static str,
    pub api_none: &'static str,
    pub api_parameters: &'static str,
    pub api_body: &'static str,
    pub api_responses: &'static str,
    pub api_schemas: &'static str,
    pub col_name: &'static str,
    pub col_in: &'static str,
    pub col_required: &'static str,
    pub col_type: &'static str,
    pub col_description: &'static str,
    pub col_status: &'static str,
    pub col_content: &'static str,
    pub yes: &'static str,
    pub no: &'static str,

    pub error_title: &'static str,
    pub err_too_large: &'static str,
    pub err_timeout: &'static str,
    pub err_round_closed: &'static str,
    pub err_not_found: &'static str,
    pub err_forbidden: &'static str,
    pub err_bad_request: &'static str,
    pub err_unavailable: &'static str,
    pub err_internal: &'static str,
    pub back_home: &'static str,
}

const EN: Words = Words {
    lang: Lang::En,
    site: "JVAP database — data round {round}",
    skip: "Skip to content",
    other_lang: "Français",
    other_lang_name: "Version française",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    nav_home: "Home",
    nav_submissions: "Submissions",

    signin_title: "Sign in",
    signin_intro: "Partners of the Rabat and Khartoum Processes send the spreadsheets of their initiatives here. Each file is checked cell by cell within seconds.",
    token_label: "Access token",
    token_hint: "The token the Secretariat sent you. You enter it once; this browser then stays signed in for the day.",
    signin_button: "Sign in",
    session_expired: "Your session has expired. Please sign in again.",
    access_revoked: "Your access token was revoked, so your session has ended. Ask the Secretariat for a new one.",
    signed_out: "You are signed out.",
    bad_token: "This access token is not valid. Check that you copied all of it, or ask the Secretariat for a new one.",
    form_expired: "This form had expired. Please try again.",
    bad_link: "This link is not valid: its address holds a control character.",

    templates_title: "Download the template",
    template_en: "Template in English (xlsx)",
    template_fr: "Template in French (xlsx)",

    upload_title: "Send your workbook",
    file_label: "Workbook",
    file_hint: "An .xlsx, .xls, .xlsb, .ods or .csv file, up to {limit}.",
    drop_hint: "You can also drop the file here.",
    mode_legend: "What this file does",
    mode_replace: "Replace: this file holds all our initiatives for the round",
    mode_merge: "Merge: update the initiatives in this file (by reference) and add new ones",
    upload_button: "Send",
    uploading: "Sending…",
    upload_progress: "Upload progress",

    my_submissions: "Your submissions",
    all_submissions: "All submissions",
    no_submissions: "No submission yet.",
    col_file: "File",
    col_partner: "Partner",
    col_received: "Received (UTC)",
    col_state: "SubmissionState",
    col_errors: "Errors",
    col_warnings: "Warnings",
    col_version: "Dataset version",

    submission_title: "Submission",
    explain_received: "Your file is stored and waiting to be checked.",
    explain_validating: "Your file is being checked, cell by cell.",
    explain_accepted: "Your file is accepted and its initiatives are in the database.",
    explain_rejected: "Your file has errors, listed below. Correct them and send the file again.",
    explain_failed: "We could not process your file because of a problem on our side. The Secretariat has been told; you may send it again later.",
    live_note: "This page updates by itself.",
    in_version: "Included in dataset version {version}.",
    mode_was: "Mode",
    mode_replace_name: "replace",
    mode_merge_name: "merge",
    count_rows: "Rows read",
    count_records: "Initiatives kept",
    count_errors: "Errors",
    count_warnings: "Warnings",
    report_title: "What we found",
    filter_severity: "Severity",
    filter_sheet: "Sheet",
    filter_all: "All",
    filter_button: "Filter",
    shown_of: "{shown} of {total} problems shown.",
    col_severity: "Severity",
    col_sheet: "Sheet",
    col_cell: "Cell",
    col_column: "Column",
    col_value: "Value found",
    col_message: "What to do",
    no_issues: "No problem found.",
    annotated_title: "Your workbook with the problems highlighted",
    annotated_en: "Annotated workbook, notes in English (xlsx)",
    annotated_fr: "Annotated workbook, notes in French (xlsx)",
    annotated_missing: "There is no annotated workbook for this file: it could not be read far enough to annotate it. The report below says why.",
    upload_again: "Send a corrected file",

    datasets_title: "Consolidated datasets",
    no_datasets: "No dataset is published yet: one is published after each accepted submission.",
    col_dataset: "Version",
    col_downloads: "Download",
    latest: "latest",
    latest_summary: "Version {version}, {initiatives} initiatives, published {published} (UTC).",

    round_title: "The {round} data round",
    round_open: ": partners can send files.",
    round_closed: ": uploads are refused.",
    open_round: "Open the round",
    close_round: "Close the round",
    tokens_title: "Access tokens",
    issue_title: "Issue a token",
    role_label: "Role",
    partner_label: "Partner (for a partner token)",
    partner_hint: "A partner only ever sees its own submissions.",
    label_label: "Label (who it is for)",
    issue_button: "Issue the token",
    token_issued: "The new token is below. Copy it now and send it to its holder: it is shown only this once.",
    col_role: "Role",
    col_label: "Label",
    col_created: "Created (UTC)",
    col_key: "Key",
    revoke: "Revoke",
    no_tokens: "No token yet.",
    services_title: "Services",
    services_intro: "Each service reports every few seconds; one silent for 30 seconds drops off the list.",
    services_none: "No service has reported in the last 30 seconds.",
    col_service: "Service",
    col_instance: "Instance",
    col_ready: "Ready",
    col_checks: "Checks",
    col_lag: "Waiting messages",
    col_failures: "Last failures",
    ready_yes: "ready",
    ready_no: "not ready",
    no_failures: "none",
    audit_title: "Audit log",
    audit_intro: "Every admin action, newest first: who, when and what.",
    audit_none: "No admin action yet.",
    audit_all: "The whole log (JSON)",
    col_when: "When",
    col_who: "Who",
    col_action: "Action",
    col_detail: "Detail",

    tracker_title: "Round tracker",
    tracker_intro: "Every partner the round expects, and where each stands.",
    col_expected: "Expected",
    headline_title: "The round at a glance",
    headline_expected: "Partners expected",
    headline_sent: "Sent a file",
    headline_accepted: "Accepted",
    headline_rejected: "Rejected",
    headline_failed: "Failed",
    headline_in_progress: "Being validated",
    headline_missing: "Sent nothing",
    headline_rate: "Response rate (accepted / expected)",
    filter_label: "Show",
    filter_every_partner: "every partner",
    contributors_title: "Largest contributors",
    contributors_intro: "Partners with the most initiatives in the latest version, with their share of the round's initiatives and budget.",
    col_share_initiatives: "Share of initiatives",
    col_budget: "Budget (EUR)",
    col_share_budget: "Share of budget",
    col_submissions: "Submissions",
    col_initiatives: "Initiatives",
    col_last_activity: "Last activity (UTC)",
    changes_title: "What changed in the latest version",
    changes_summary: "{added} added, {updated} updated, {removed} removed since version {previous}.",
    changes_first: "The first version of the round: every initiative is new.",
    col_added: "Added",
    col_updated: "Updated",
    col_removed: "Removed",
    quality_title: "Data quality",
    quality_missing_budget: "Initiatives without a budget",
    quality_converted: "Budgets converted to euros",
    quality_warnings: "Initiatives with a warning",
    col_code: "Warning",
    duplicates_title: "Possible duplicates",
    no_duplicates: "No possible duplicate found.",
    col_score: "Score",
    col_first: "Initiative",
    col_second: "Looks like",
    col_reasons: "Why",
    partners_title: "Expected partners",
    partners_every: "The round expects every partner of the reference list.",
    partners_some: "The round expects {count} partners; the tracker lists them.",
    partners_legend: "Partners expected to send their initiatives",
    partners_save: "Save the list",
    partners_all: "Expect every partner",
    committee_title: "Steering Committee distribution list",
    committee_label: "E-mail addresses",
    committee_hint: "One address per line. The summary is e-mailed to them when the round closes, or now with the button below.",
    committee_save: "Save the distribution list",
    summary_send: "Send the summary now",
    summary_requested: "The summary was requested; it is e-mailed in a few moments.",
    api_title: "HTTP API",
    api_intro: "Every operation of the API, read from its OpenAPI 3.1 document. Descriptions are in English.",
    api_document: "The OpenAPI document (JSON)",
    api_auth_title: "Authentication",
    api_contents: "Operations",
    api_roles: "Who may call it",
    api_anyone: "anyone, without a token",
    api_auth: "Send",
    api_none: "nothing",
    api_parameters: "Parameters",
    api_body: "Request body",
    api_responses: "Responses",
    api_schemas: "Schemas",
    col_name: "Name",
    col_in: "In",
    col_required: "Required",
    col_type: "Type",
    col_description: "Description",
    col_status: "Status",
    col_content: "Content",
    yes: "yes",
    no: "no",

    error_title: "Something went wrong",
    err_timeout: "The file stopped arriving or took too long. Check the connection and send it again.",
    err_too_large: "The file is too large: the limit is {limit}. Remove unused sheets or split the file.",
    err_round_closed: "The data round is closed: no more files are accepted. Contact the Secretariat.",
    err_not_found: "There is no such page, or it is not yours to see.",
    err_forbidden: "Your access token does not allow this.",
    err_bad_request: "The request could not be understood: {detail}",
    err_unavailable: "The service is briefly unavailable. Please try again in a moment.",
    err_internal: "Something went wrong on our side. Please try again later.",
    back_home: "Back to the home page",
};

const FR: Words = Words {
    lang: Lang::Fr,
    site: "Base de données du PACV — collecte {round}",
    skip: "Aller au contenu",
    other_lang: "English",
    other_lang_name: "English version",
    sign_out: "Se déconnecter",
    signed_in_as: "Connecté en tant que",
    nav_home: "Accueil",
    nav_submissions: "Envois",

    signin_title: "Connexion",
    signin_intro: "Les partenaires des Processus de Rabat et de Khartoum envoient ici les tableaux de leurs initiatives. Chaque fichier est vérifié cellule par cellule en quelques secondes.",
    token_label: "Jeton d'accès",
    token_hint: "Le jeton que le Secrétariat vous a envoyé. Vous le saisissez une fois ; ce navigateur reste ensuite connecté pour la journée.",
    signin_button: "Se connecter",
    session_expired: "Votre session a expiré. Veuillez vous reconnecter.",
    access_revoked: "Votre jeton d'accès a été révoqué : votre session est terminée. Demandez-en un nouveau au Secrétariat.",
    signed_out: "Vous êtes déconnecté.",
    bad_token: "Ce jeton d'accès n'est pas valide. Vérifiez que vous l'avez copié en entier, ou demandez-en un nouveau au Secrétariat.",
    form_expired: "Ce formulaire avait expiré. Veuillez réessayer.",
    bad_link: "Ce lien n'est pas valide : son adresse contient un caractère de contrôle.",

    templates_title: "Télécharger le modèle",
    template_en: "Modèle en anglais (xlsx)",
    template_fr: "Modèle en français (xlsx)",

    upload_title: "Envoyer votre classeur",
    file_label: "Classeur",
    file_hint: "Un fichier .xlsx, .xls, .xlsb, .ods ou .csv, jusqu'à {limit}.",
    drop_hint: "Vous pouvez aussi déposer le fichier ici.",
    mode_legend: "Ce que fait ce fichier",
    mode_replace: "Remplacer : ce fichier contient toutes nos initiatives de la collecte",
    mode_merge: "Fusionner : mettre à jour les initiatives de ce fichier (par référence) et ajouter les nouvelles",
    upload_button: "Envoyer",
    uploading: "Envoi en cours…",
    upload_progress: "Progression de l'envoi",

    my_submissions: "Vos envois",
    all_submissions: "Tous les envois",
    no_submissions: "Aucun envoi pour l'instant.",
    col_file: "Fichier",
    col_partner: "Partenaire",
    col_received: "Reçu (UTC)",
    col_state: "État",
    col_errors: "Erreurs",
    col_warnings: "Avertissements",
    col_version: "Version du jeu de données",

    submission_title: "Envoi",
    explain_received: "Votre fichier est enregistré et attend d'être vérifié.",
    explain_validating: "Votre fichier est en cours de vérification, cellule par cellule.",
    explain_accepted: "Votre fichier est accepté et ses initiatives sont dans la base de données.",
    explain_rejected: "Votre fichier contient des erreurs, listées ci-dessous. Corrigez-les et renvoyez le fichier.",
    explain_failed: "Nous n'avons pas pu traiter votre fichier à cause d'un problème de notre côté. Le Secrétariat est prévenu ; vous pourrez le renvoyer plus tard.",
    live_note: "Cette page se met à jour d'elle-même.",
    in_version: "Inclus dans la version {version} du jeu de données.",
    mode_was: "Mode",
    mode_replace_name: "remplacer",
    mode_merge_name: "fusionner",
    count_rows: "Lignes lues",
    count_records: "Initiatives retenues",
    count_errors: "Erreurs",
    count_warnings: "Avertissements",
    report_title: "Ce que nous avons trouvé",
    filter_severity: "Gravité",
    filter_sheet: "Feuille",
    filter_all: "Toutes",
    filter_button: "Filtrer",
    shown_of: "{shown} problèmes affichés sur {total}.",
    col_severity: "Gravité",
    col_sheet: "Feuille",
    col_cell: "Cellule",
    col_column: "Colonne",
    col_value: "Valeur trouvée",
    col_message: "Que faire",
    no_issues: "Aucun problème trouvé.",
    annotated_title: "Votre classeur avec les problèmes surlignés",
    annotated_en: "Classeur annoté, notes en anglais (xlsx)",
    annotated_fr: "Classeur annoté, notes en français (xlsx)",
    annotated_missing: "Il n'y a pas de classeur annoté pour ce fichier : il n'a pas pu être lu assez loin pour être annoté. Le rapport ci-dessous dit pourquoi.",
    upload_again: "Envoyer un fichier corrigé",

    datasets_title: "Jeux de données consolidés",
    no_datasets: "Aucun jeu de données n'est encore publié : une version est publiée après chaque envoi accepté.",
    col_dataset: "Version",
    col_downloads: "Télécharger",
    latest: "la plus récente",
    latest_summary: "Version {version}, {initiatives} initiatives, publiée le {published} (UTC).",

    round_title: "La collecte {round}",
    round_open: " : les partenaires peuvent envoyer des fichiers.",
    round_closed: " : les envois sont refusés.",
    open_round: "Ouvrir la collecte",
    close_round: "Fermer la collecte",
    tokens_title: "Jetons d'accès",
    issue_title: "Créer un jeton",
    role_label: "Rôle",
    partner_label: "Partenaire (pour un jeton de partenaire)",
    partner_hint: "Un partenaire ne voit jamais que ses propres envois.",
    label_label: "Libellé (à qui il est destiné)",
    issue_button: "Créer le jeton",
    token_issued: "Le nouveau jeton est ci-dessous. Copiez-le maintenant et envoyez-le à son titulaire : il n'est affiché qu'une seule fois.",
    col_role: "Rôle",
    col_label: "Libellé",
    col_created: "Créé (UTC)",
    col_key: "Clé",
    revoke: "Révoquer",
    no_tokens: "Aucun jeton pour l'instant.",
    services_title: "Services",
    services_intro: "Chaque service se signale toutes les quelques secondes ; un service muet depuis 30 secondes disparaît de la liste.",
    services_none: "Aucun service ne s'est signalé depuis 30 secondes.",
    col_service: "Service",
    col_instance: "Instance",
    col_ready: "Prêt",
    col_checks: "Contrôles",
    col_lag: "Messages en attente",
    col_failures: "Derniers échecs",
    ready_yes: "prêt",
    ready_no: "pas prêt",
    no_failures: "aucun",
    audit_title: "Journal d'audit",
    audit_intro: "Chaque action d'administration, la plus récente d'abord : qui, quand et quoi.",
    audit_none: "Aucune action d'administration pour l'instant.",
    audit_all: "Le journal complet (JSON)",
    col_when: "Quand",
    col_who: "Qui",
    col_action: "Action",
    col_detail: "Détail",

    tracker_title: "Suivi de la collecte",
    tracker_intro: "Chaque partenaire attendu pour la collecte, et où il en est.",
    col_expected: "Attendu",
    headline_title: "La collecte en bref",
    headline_expected: "Partenaires attendus",
    headline_sent: "Ont envoyé un fichier",
    headline_accepted: "Acceptés",
    headline_rejected: "Rejetés",
    headline_failed: "En échec",
    headline_in_progress: "En vérification",
    headline_missing: "N'ont rien envoyé",
    headline_rate: "Taux de réponse (acceptés / attendus)",
    filter_label: "Afficher",
    filter_every_partner: "tous les partenaires",
    contributors_title: "Principaux contributeurs",
    contributors_intro: "Les partenaires qui ont le plus d'initiatives dans la dernière version, avec leur part des initiatives et du budget de la collecte.",
    col_share_initiatives: "Part des initiatives",
    col_budget: "Budget (EUR)",
    col_share_budget: "Part du budget",
    col_submissions: "Envois",
    col_initiatives: "Initiatives",
    col_last_activity: "Dernière activité (UTC)",
    changes_title: "Ce qui a changé dans la dernière version",
    changes_summary: "{added} ajoutées, {updated} modifiées, {removed} retirées depuis la version {previous}.",
    changes_first: "La première version de la collecte : toutes les initiatives sont nouvelles.",
    col_added: "Ajoutées",
    col_updated: "Modifiées",
    col_removed: "Retirées",
    quality_title: "Qualité des données",
    quality_missing_budget: "Initiatives sans budget",
    quality_converted: "Budgets convertis en euros",
    quality_warnings: "Initiatives avec un avertissement",
    col_code: "Avertissement",
    duplicates_title: "Doublons possibles",
    no_duplicates: "Aucun doublon possible trouvé.",
    col_score: "Score",
    col_first: "Initiative",
    col_second: "Ressemble à",
    col_reasons: "Pourquoi",
    partners_title: "Partenaires attendus",
    partners_every: "La collecte attend tous les partenaires de la liste de référence.",
    partners_some: "La collecte attend {count} partenaires ; le suivi les liste.",
    partners_legend: "Partenaires qui doivent envoyer leurs initiatives",
    partners_save: "Enregistrer la liste",
    partners_all: "Attendre tous les partenaires",
    committee_title: "Liste de diffusion du Comité de pilotage",
    committee_label: "Adresses e-mail",
    committee_hint: "Une adresse par ligne. La synthèse leur est envoyée à la fermeture de la collecte, ou maintenant avec le bouton ci-dessous.",
    committee_save: "Enregistrer la liste de diffusion",
    summary_send: "Envoyer la synthèse maintenant",
    summary_requested: "La synthèse a été demandée ; elle est envoyée dans quelques instants.",
    api_title: "API HTTP",
    api_intro: "Toutes les opérations de l'API, lues dans son document OpenAPI 3.1. Les descriptions sont en anglais.",
    api_document: "Le document OpenAPI (JSON)",
    api_auth_title: "Authentification",
    api_contents: "Opérations",
    api_roles: "Qui peut l'appeler",
    api_anyone: "tout le monde, sans jeton",
    api_auth: "Envoyer",
    api_none: "rien",
    api_parameters: "Paramètres",
    api_body: "Corps de la requête",
    api_responses: "Réponses",
    api_schemas: "Schémas",
    col_name: "Nom",
    col_in: "Dans",
    col_required: "Obligatoire",
    col_type: "Type",
    col_description: "Description",
    col_status: "Statut",
    col_content: "Contenu",
    yes: "oui",
    no: "non",

    error_title: "Un problème est survenu",
    err_timeout: "Le fichier a cessé d'arriver ou a mis trop de temps. Vérifiez la connexion et renvoyez-le.",
    err_too_large: "Le fichier est trop volumineux : la limite est de {limit}. Retirez les feuilles inutiles ou divisez le fichier.",
    err_round_closed: "La collecte est fermée : plus aucun fichier n'est accepté. Contactez le Secrétariat.",
    err_not_found: "Cette page n'existe pas, ou vous n'avez pas accès à son contenu.",
    err_forbidden: "Votre jeton d'accès ne permet pas cette action.",
    err_bad_request: "La demande n'a pas pu être comprise : {detail}",
    err_unavailable: "Le service est momentanément indisponible. Veuillez réessayer dans un instant.",
    err_internal: "Un problème est survenu de notre côté. Veuillez réessayer plus tard.",
    back_home: "Retour à l'accueil",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preferred_of_english_and_french_wins() {
        assert_eq!(preferred("fr-FR,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(preferred("de-CH, en;q=0.5, fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(preferred("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(preferred("de, ar"), None);
        assert_eq!(preferred("fr;q=0, en"), Some(Lang::En));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(EN.in_version, &[("version", "3")]),
            "Included in dataset version 3."
        );
    }
}
