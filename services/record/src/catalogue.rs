//! Every issue code the validator can report, with its severity and its English and French messages.
//!
//! This is the one catalogue: the validator builds issues only from these constants, `jvap codes` prints
//! them, and the README's table is generated from them. A message template may use `{detail}`, which the
//! caller fills (a value, a column header, a limit).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How much an issue matters: an error rejects the file, a warning and an info do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One kind of issue.
#[derive(Debug, Clone, Serialize)]
pub struct IssueKind {
    pub code: &'static str,
    pub severity: Severity,
    pub en: &'static str,
    pub fr: &'static str,
}

impl IssueKind {
    pub fn render_en(&self, detail: &str) -> String {
        self.en.replace("{detail}", detail)
    }
    pub fn render_fr(&self, detail: &str) -> String {
        self.fr.replace("{detail}", detail)
    }
}

macro_rules! catalogue {
    ($( $name:ident = $code:literal, $sev:ident, $en:literal, $fr:literal; )*) => {
        $( pub const $name: IssueKind = IssueKind { code: $code, severity: Severity::$sev, en: $en, fr: $fr }; )*
        /// Every issue kind, in catalogue order.
        pub const ALL: &[IssueKind] = &[ $( $name ),* ];
    };
}

catalogue! {
    // Whole-file problems.
    FILE_CORRUPT = "file.corrupt", Error,
        "The file is damaged and cannot be opened ({detail}). Save it again from your spreadsheet program and upload it once more.",
        "Le fichier est endommagé et ne peut pas être ouvert (détail technique, en anglais : {detail}). Enregistrez-le à nouveau depuis votre tableur et renvoyez-le.";
    FILE_WRONG_TYPE = "file.wrong_type", Error,
        "This is not a spreadsheet ({detail}). Upload an .xlsx, .xls, .xlsb, .ods or .csv file.",
        "Ce fichier n'est pas un tableur ({detail}). Envoyez un fichier .xlsx, .xls, .xlsb, .ods ou .csv.";
    FILE_ENCRYPTED = "file.encrypted", Error,
        "The workbook is protected by a password. Remove the password and upload it again.",
        "Le classeur est protégé par un mot de passe. Retirez le mot de passe et renvoyez-le.";
    FILE_EMPTY = "file.empty", Error,
        "The workbook contains no data. Fill in the template and upload it again.",
        "Le classeur ne contient aucune donnée. Remplissez le modèle et renvoyez-le.";
    FILE_TOO_LARGE = "file.too_large", Error,
        "The file is too large ({detail}).",
        "Le fichier est trop volumineux ({detail}).";
    FILE_ZIP_BOMB = "file.zip_bomb", Error,
        "The file would expand to far more data than a spreadsheet holds ({detail}); it was not opened.",
        "Le fichier se décompresserait en beaucoup plus de données qu'un tableur n'en contient ({detail}) ; il n'a pas été ouvert.";
    FILE_TOO_COMPLEX = "file.too_complex", Error,
        "This file needs more memory or time than a spreadsheet of its size should ({detail}); it may be damaged, or have cells far outside its data. Save it again as a new workbook, keeping only your data, and upload it once more.",
        "Ce fichier demande plus de mémoire ou de temps qu'un tableur de sa taille ne le devrait (détail technique, en anglais : {detail}) ; il est peut-être endommagé, ou a des cellules très loin de ses données. Enregistrez-le à nouveau comme nouveau classeur, en ne gardant que vos données, et renvoyez-le.";
    FILE_NO_HEADER = "file.no_header", Error,
        "No sheet has the template's column headers (Title, Type, Start date, ...). Use the official template.",
        "Aucune feuille ne porte les en-têtes de colonnes du modèle (Titre, Type, Date de début, ...). Utilisez le modèle officiel.";
    SHEET_TOO_MANY_ROWS = "sheet.too_many_rows", Error,
        "The sheet has more rows than allowed ({detail}).",
        "La feuille a plus de lignes que permis ({detail}).";
    SHEET_SKIPPED = "sheet.skipped", Info,
        "Sheet skipped: {detail}.",
        "Feuille ignorée : {detail}.";
    // Columns.
    COLUMN_UNKNOWN = "column.unknown", Warning,
        "Unknown column \"{detail}\": its values are kept with the submission but not validated.",
        "Colonne inconnue « {detail} » : ses valeurs sont conservées avec l'envoi mais ne sont pas validées.";
    COLUMN_MISSING = "column.missing", Error,
        "The required column \"{detail}\" is missing.",
        "La colonne obligatoire « {detail} » est absente.";
    COLUMN_DUPLICATE = "column.duplicate", Warning,
        "The column \"{detail}\" appears twice; only the first one is read.",
        "La colonne « {detail} » apparaît deux fois ; seule la première est lue.";
    COLUMN_READ_AS = "column.read_as", Info,
        "Column {detail}. If it holds something else, rename its header as in the template.",
        "La colonne {detail}. Si elle contient autre chose, renommez son en-tête comme dans le modèle.";
    COLUMN_CONFIRMED = "column.confirmed", Info,
        "Column {detail}, as you confirmed.",
        "La colonne {detail}, comme vous l'avez confirmé.";
    COLUMN_PROBABLE = "column.probable", Error,
        "The required column {detail}. Rename that header as in the template, or confirm that it is this column.",
        "La colonne obligatoire {detail}. Renommez cet en-tête comme dans le modèle, ou confirmez qu'il s'agit de cette colonne.";
    MAPPING_HEADER_MISSING = "mapping.header_missing", Error,
        "The mapping given names the header {detail}, which no data sheet of this file has: check its spelling, or leave it out.",
        "La correspondance donnée nomme l'en-tête {detail}, qu'aucune feuille de données de ce fichier ne contient : vérifiez son orthographe, ou retirez-le.";
    // Cells.
    CELL_MERGED = "cell.merged", Warning,
        "This cell is part of a merged range; its value \"{detail}\" was applied to each row of the range.",
        "Cette cellule fait partie d'une plage fusionnée ; sa valeur « {detail} » a été appliquée à chaque ligne de la plage.";
    CELL_FORMULA = "cell.formula", Warning,
        "This cell holds a formula; its last calculated value {detail} was used.",
        "Cette cellule contient une formule ; sa dernière valeur calculée {detail} a été utilisée.";
    CELL_FORMULA_UNCALCULATED = "cell.formula_uncalculated", Warning,
        "This cell holds a formula that was never calculated, so it has no value to read. Open the file in Excel or LibreOffice, save it, and upload it again.",
        "Cette cellule contient une formule qui n'a jamais été calculée : elle n'a pas de valeur à lire. Ouvrez le fichier dans Excel ou LibreOffice, enregistrez-le et renvoyez-le.";
    CELL_CONTROL_REMOVED = "cell.control_removed", Warning,
        "Invisible control characters (such as NUL, ESC or a right-to-left override) were removed from this cell.",
        "Des caractères de contrôle invisibles (comme NUL, ESC ou un forçage du sens d'écriture) ont été retirés de cette cellule.";
    VALUE_REQUIRED = "value.required", Error,
        "{detail} is required.",
        "{detail} est obligatoire.";
    VALUE_TOO_SHORT = "value.too_short", Error,
        "The title must have at least 3 characters.",
        "Le titre doit comporter au moins 3 caractères.";
    VALUE_TOO_LONG = "value.too_long", Error,
        "The text is too long ({detail}).",
        "Le texte est trop long ({detail}).";
    CODE_UNKNOWN = "code.unknown", Error,
        "\"{detail}\" is not one of the allowed values: {allowed}.",
        "« {detail} » ne fait pas partie des valeurs autorisées : {allowed}.";
    DESCRIPTION_EMPTY = "description.empty", Warning,
        "The description is empty; a sentence or two helps readers of the database.",
        "La description est vide ; une ou deux phrases aident les lecteurs de la base de données.";
    DATE_UNPARSEABLE = "date.unparseable", Error,
        "\"{detail}\" is not a date. Write it as dd/mm/yyyy, e.g. 15/03/2019.",
        "« {detail} » n'est pas une date. Écrivez-la sous la forme jj/mm/aaaa, par ex. 15/03/2019.";
    DATE_IMPOSSIBLE = "date.impossible", Error,
        "{detail}. Check the day and the month (day first, dd/mm/yyyy).",
        "{detail}. Vérifiez le jour et le mois (jour en premier, jj/mm/aaaa).";
    DATE_AMBIGUOUS = "date.ambiguous", Info,
        "\"{detail}\" could be read two ways; it was read day first. Check it is right.",
        "« {detail} » peut se lire de deux façons ; elle a été lue jour en premier. Vérifiez qu'elle est juste.";
    DATE_END_BEFORE_START = "date.end_before_start", Error,
        "The end date {detail} is before the start date.",
        "La date de fin {detail} est antérieure à la date de début.";
    DATE_OUT_OF_SCOPE = "date.out_of_scope", Error,
        "The initiative ended on {detail}, before the JVAP was adopted (November 2015): it is out of scope.",
        "L'initiative s'est terminée le {detail}, avant l'adoption du PACV (novembre 2015) : elle est hors du champ.";
    DOMAIN_UNKNOWN = "domain.unknown", Error,
        "\"{detail}\" is not a JVAP domain (D1 to D5).",
        "« {detail} » n'est pas un domaine JVAP (D1 à D5).";
    DOMAIN_PRIMARY_MISSING = "domain.primary_missing", Error,
        "Several domains are given: say which one is the primary domain.",
        "Plusieurs domaines sont indiqués : précisez le domaine principal.";
    DOMAIN_PRIMARY_NOT_LISTED = "domain.primary_not_listed", Error,
        "The primary domain {detail} is not among the JVAP domains of this row.",
        "Le domaine principal {detail} ne figure pas parmi les domaines JVAP de cette ligne.";
    PRIORITY_UNKNOWN = "priority.unknown", Error,
        "\"{detail}\" is not a JVAP priority code such as 1.2.",
        "« {detail} » n'est pas un code de priorité JVAP comme 1.2.";
    PRIORITY_DOMAIN_MISMATCH = "priority.domain_mismatch", Error,
        "The priority {detail} belongs to a domain that is not among the JVAP domains of this row.",
        "La priorité {detail} relève d'un domaine qui ne figure pas parmi les domaines JVAP de cette ligne.";
    OBJECTIVE_UNKNOWN = "objective.unknown", Error,
        "\"{detail}\" is not a Marrakesh Action Plan objective (O1 to O10).",
        "« {detail} » n'est pas un objectif du Plan d'action de Marrakech (O1 à O10).";
    COUNTRY_UNKNOWN = "country.unknown", Error,
        "\"{detail}\" is not a country we recognise. Use the English or French name or the ISO code.",
        "« {detail} » n'est pas un pays reconnu. Utilisez le nom anglais ou français ou le code ISO.";
    COUNTRY_NOT_PARTNER = "country.not_partner", Warning,
        "{detail} is not a partner of the Rabat or Khartoum Process; it was accepted.",
        "{detail} n'est pas partenaire du Processus de Rabat ou de Khartoum ; il a été accepté.";
    AMOUNT_UNPARSEABLE = "amount.unparseable", Error,
        "\"{detail}\" is not an amount. Write it as a number, e.g. 1200000.",
        "« {detail} » n'est pas un montant. Écrivez-le sous forme de nombre, par ex. 1200000.";
    AMOUNT_NEGATIVE = "amount.negative", Error,
        "The budget {detail} is negative.",
        "Le budget {detail} est négatif.";
    AMOUNT_AMBIGUOUS = "amount.ambiguous", Info,
        "\"{detail}\" could be read two ways; check the amount that was read.",
        "« {detail} » peut se lire de deux façons ; vérifiez le montant retenu.";
    CURRENCY_UNKNOWN = "currency.unknown", Error,
        "\"{detail}\" is not a currency we can convert to euros.",
        "« {detail} » n'est pas une devise que nous pouvons convertir en euros.";
    CURRENCY_ASSUMED_EUR = "currency.assumed_eur", Warning,
        "No currency is given: the budget was taken to be in euros.",
        "Aucune devise n'est indiquée : le budget a été considéré en euros.";
    CURRENCY_CONFLICT = "currency.conflict", Error,
        "The amount says {detail}, which differs from the currency column.",
        "Le montant indique {detail}, ce qui diffère de la colonne devise.";
    EMAIL_INVALID = "email.invalid", Error,
        "\"{detail}\" is not an e-mail address.",
        "« {detail} » n'est pas une adresse électronique.";
    URL_INVALID = "url.invalid", Error,
        "\"{detail}\" is not a web address starting with http:// or https://.",
        "« {detail} » n'est pas une adresse web commençant par http:// ou https://.";
    REFERENCE_DUPLICATE = "reference.duplicate", Error,
        "The reference \"{detail}\" is already used on an earlier row.",
        "La référence « {detail} » est déjà utilisée sur une ligne précédente.";

    // JVAP ids (`jvap_id`): the database's own id of an initiative, kept across versions and rounds.
    ID_INVALID = "id.invalid", Error,
        "\"{detail}\" is not a JVAP id, which is written like JVAP-000123. Leave the cell empty for a new initiative.",
        "« {detail} » n'est pas un identifiant PACV, qui s'écrit comme JVAP-000123. Laissez la cellule vide pour une nouvelle initiative.";
    ID_DUPLICATE = "id.duplicate", Error,
        "The JVAP id {detail} is already used on an earlier row: each initiative appears once.",
        "L'identifiant PACV {detail} est déjà utilisé sur une ligne précédente : chaque initiative figure une seule fois.";
    ID_UNKNOWN = "id.unknown", Error,
        "The JVAP id {detail} is not in the JVAP database. Copy it from your pre-filled workbook, or leave the cell empty for a new initiative.",
        "L'identifiant PACV {detail} ne figure pas dans la base du PACV. Copiez-le depuis votre classeur prérempli, ou laissez la cellule vide pour une nouvelle initiative.";
    ID_NOT_YOURS = "id.not_yours", Error,
        "The JVAP id {detail} belongs to an initiative of another partner: you can update only your own. Leave the cell empty for a new initiative.",
        "L'identifiant PACV {detail} appartient à une initiative d'un autre partenaire : vous ne pouvez mettre à jour que les vôtres. Laissez la cellule vide pour une nouvelle initiative.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_has_both_languages() {
        let mut codes: Vec<&str> = ALL.iter().map(|k| k.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        assert!(
            ALL.iter()
                .all(|k| !k.en.is_empty() && !k.fr.is_empty() && k.en != k.fr)
        );
    }
}
