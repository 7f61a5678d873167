//! The annotated workbook: the partner's own file given back as xlsx, every problem cell highlighted and
//! commented, with a first sheet listing every issue and linking to its cell.
//!
//! [`annotate`] re-reads the original upload with the same readers as validation ([`crate::read::read`],
//! default [`Limits`]), so whatever the format sent (xlsx, xls, xlsb, ods, csv), the cells land at the
//! positions the [`Report`] names. What is written:
//! - a first sheet `Issues` (`Problèmes` in French): title, file, verdict and counts, then one row per
//!   issue (severity, sheet, row, cell as an internal link, column header, value, message, code) with a
//!   frozen header and an autofilter;
//! - every sheet of the original, in its order and under its name (made valid for Excel when needed; a
//!   CSV file becomes one sheet `Data`/`Données`), each value at its original position as text, number,
//!   date (with a date format) or boolean; hidden sheets stay hidden. Formulas are written as their cached
//!   values and merged ranges as the value spread to every cell, exactly as the validator saw them;
//! - each cell with an issue filled in the colour of its most severe issue (error light red with a dark
//!   red border, warning light amber, info light blue) and given a note (author "JVAP") with every message
//!   for that cell in the requested language. Issues located to a row but no cell (a missing column) and
//!   whole-file issues only appear on the issues sheet.
//!
//! A file that cannot be read at all (the report is a whole-file error) gives a workbook with only the
//! issues sheet. Every sheet is written in row order, in rust_xlsxwriter's "low memory" mode (one row
//! buffered, finished rows flushed to a temporary file; formats, notes and links are supported) when the
//! temporary directory is writable, in normal mode otherwise. Notes are the costly part (about 12 KB each
//! until saved), so only the first 10,000 problem cells get one; every issue is still listed.

use std::collections::{BTreeMap, HashSet};

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Url, Workbook, Worksheet,
    XlsxError, utility::quote_sheet_name,
};

use crate::read::Limits;
use crate::sheet::{CellValue, Row, Sheet, Visibility};
use jvap_record::Lang;
use jvap_record::Severity;
use jvap_record::report::{Issue, Report, Verdict};
use jvap_record::vocabulary::capitalized;

/// Why the annotated workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    #[error("the annotated workbook could not be written: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Excel's limits: rows and columns (0-based maxima) and characters in a cell.
const MAX_ROW: u32 = 1_048_575;
const MAX_COL: u16 = 16_383;
const MAX_CELL_CHARS: usize = 32_767;
/// Notes keep room for the author prefix rust_xlsxwriter adds.
const MAX_NOTE_CHARS: usize = 32_000;
/// Notes cost rust_xlsxwriter about 12 KB each until the workbook is saved: past this many problem
/// cells, the later ones are coloured but carry no note (the issues sheet still lists every issue).
const MAX_NOTES: usize = 10_000;
/// Excel refuses more hyperlinks than this on one worksheet; later cells are written as plain text.
const MAX_LINKS: usize = 65_530;
/// Excel's sheet name limit.
const MAX_SHEET_NAME: usize = 31;

/// The row of the issues table's header (0-based): title, file, verdict, counts, hint and a line left
/// blank (or saying notes were capped) above it.
const HEADER_ROW: u32 = 6;

/// Write the annotated workbook for one validated file. `report` is the report validation gave for
/// these bytes; messages, labels and the issues sheet's name are in `lang`.
pub fn annotate(
    file_name: &str,
    bytes: &[u8],
    report: &Report,
    lang: Lang,
) -> Result<Vec<u8>, AnnotateError> {
    // A file the readers refuse has nothing to annotate: the issues sheet says why.
    let sheets = crate::read::read(file_name, bytes, &Limits::default()).unwrap_or_default();
    let styles = Styles::new();
    let names = SheetNames::new(&sheets, lang);

    // Each located issue: the sheet it is on (index in `sheets`) and its 0-based row and column.
    let places: Vec<Option<Place>> = report
        .issues
        .iter()
        .map(|issue| place(issue, &sheets))
        .collect();

    // The issues located on each sheet, by cell.
    let marks: Vec<Marks> = (0..sheets.len())
        .map(|index| marks_of(index, report, &places))
        .collect();
    let notes_capped = marks.iter().map(BTreeMap::len).sum::<usize>() > MAX_NOTES;

    let mut workbook = Workbook::new();
    // Every sheet is written row by row in order, so all can be low-memory ones when temp files work.
    let low_memory = workbook.set_tempdir(std::env::temp_dir()).is_ok();
    let layout = Layout {
        sheets: &sheets,
        places: &places,
        names: &names,
    };
    let issues = add_sheet(&mut workbook, low_memory)?;
    write_issues_sheet(
        issues,
        file_name,
        report,
        &layout,
        notes_capped,
        &styles,
        lang,
    )?;

    let mut notes_left = MAX_NOTES;
    for ((index, sheet), marks) in sheets.iter().enumerate().zip(&marks) {
        let worksheet = add_sheet(&mut workbook, low_memory)?;
        worksheet.set_name(&names.sheets[index])?;
        if sheet.visibility == Visibility::Hidden {
            worksheet.set_hidden(true);
        }
        write_data_sheet(worksheet, sheet, marks, &mut notes_left, &styles, lang)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A worksheet in rust_xlsxwriter's low-memory mode (rows flushed to a temp file as they are done,
/// strings shared; cell formats, notes, links, panes and autofilters all supported) or normal mode.
fn add_sheet(workbook: &mut Workbook, low_memory: bool) -> Result<&mut Worksheet, XlsxError> {
    if low_memory {
        workbook.add_worksheet_with_low_memory()
    } else {
        Ok(workbook.add_worksheet())
    }
}

/// The issues of one sheet by 0-based (row, column), in report order within a cell.
type Marks<'r> = BTreeMap<(u32, u16), Vec<&'r Issue>>;

/// The read sheets, where each issue is, and the names of the annotated workbook's sheets.
struct Layout<'a> {
    sheets: &'a [Sheet],
    /// By index in the report's issues.
    places: &'a [Option<Place>],
    names: &'a SheetNames,
}

/// Where an issue is in the annotated workbook: sheet index in the read sheets, 0-based row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    sheet: usize,
    row: u32,
    col: u16,
}

/// The read sheet an issue is on. Issues without a sheet but with a row or cell are on the CSV's
/// single sheet (the one read without a name); whole-file issues are on none.
fn sheet_of(issue: &Issue, sheets: &[Sheet]) -> Option<usize> {
    if issue.sheet.is_none() && issue.row.is_none() && issue.cell.is_none() {
        return None;
    }
    sheets
        .iter()
        .position(|s| s.name.as_deref() == issue.sheet.as_deref())
}

/// The cell of an issue, when it names one on a sheet that was read and within Excel's grid.
fn place(issue: &Issue, sheets: &[Sheet]) -> Option<Place> {
    let (row, col) = parse_a1(issue.cell.as_deref()?)?;
    let sheet = sheet_of(issue, sheets)?;
    Some(Place { sheet, row, col })
}

/// `G7` to (6, 6): 0-based row and column, None when it is not an A1 reference inside Excel's grid.
fn parse_a1(cell: &str) -> Option<(u32, u16)> {
    let cell = cell.trim().trim_start_matches('$');
    let split = cell.find(|c: char| !c.is_ascii_alphabetic())?;
    let (letters, digits) = cell.split_at(split);
    let digits = digits.trim_start_matches('$');
    if letters.is_empty() || letters.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |acc, b| {
        Some(acc * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1)
    })? - 1;
    let row = digits.parse::<u32>().ok()?.checked_sub(1)?;
    (row <= MAX_ROW && col <= u32::from(MAX_COL)).then_some((row, u16::try_from(col).ok()?))
}

/// The issues located on one sheet.
fn marks_of<'r>(sheet: usize, report: &'r Report, places: &[Option<Place>]) -> Marks<'r> {
    let mut marks = Marks::new();
    for (issue, place) in report.issues.iter().zip(places) {
        if let Some(p) = place.filter(|p| p.sheet == sheet) {
            marks.entry((p.row, p.col)).or_default().push(issue);
        }
    }
    marks
}

/// The sheet names of the annotated workbook: the issues sheet and each original sheet's, made valid
/// for Excel (length, forbidden characters) and unique ignoring case.
struct SheetNames {
    issues: String,
    /// By index in the read sheets.
    sheets: Vec<String>,
}

impl SheetNames {
    fn new(sheets: &[Sheet], lang: Lang) -> SheetNames {
        let mut taken: HashSet<String> = HashSet::new();
        let mut names = Vec::with_capacity(sheets.len());
        for sheet in sheets {
            let wanted = match &sheet.name {
                Some(name) => name.as_str(),
                None => tr(lang, "Data", "Données"),
            };
            names.push(unique(&valid_sheet_name(wanted), &mut taken));
        }
        // The partner's own names win; the issues sheet takes another name if one is already used.
        let issues = unique(tr(lang, "Issues", "Problèmes"), &mut taken);
        SheetNames {
            issues,
            sheets: names,
        }
    }

    /// The annotated workbook's name of the sheet an issue's cell is on, if that sheet was read.
    fn of(&self, place: Option<Place>) -> Option<&str> {
        place.map(|p| self.sheets[p.sheet].as_str())
    }
}

/// A name Excel accepts: no `[]:*?/\`, no leading or trailing apostrophe, 1..=31 characters, not the
/// reserved `History`.
fn valid_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let mut cleaned: String = cleaned.chars().take(MAX_SHEET_NAME).collect();
    if cleaned.is_empty() {
        cleaned = "Sheet".to_string();
    }
    if cleaned.eq_ignore_ascii_case("history") {
        cleaned.push('_');
    }
    cleaned
}

/// `base`, or `base (2)`, `base (3)`... (shortened to fit 31 characters) if already taken.
fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.to_string();
    let mut n = 2;
    while taken.contains(&candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = MAX_SHEET_NAME - suffix.chars().count();
        let stem: String = base.chars().take(keep).collect();
        candidate = format!("{}{suffix}", stem.trim_end().trim_end_matches('\''));
        n += 1;
    }
    taken.insert(candidate.to_lowercase());
    candidate
}

/// The cell formats used, built once.
struct Styles {
    title: Format,
    bold: Format,
    header: Format,
    wrap: Format,
    date: Format,
    /// By [`severity_index`]: the fill of a cell with that worst issue, and the same with a date format.
    fill: [Format; 3],
    fill_date: [Format; 3],
}

const DATE_FORMAT: &str = "yyyy-mm-dd";

/// (fill, border) colours: errors light red with dark red, warnings light amber, info light blue.
const COLOURS: [(u32, u32); 3] = [
    (0xFFC7CE, 0x9C0006),
    (0xFFEB9C, 0x9C5700),
    (0xDDEBF7, 0x2F5597),
];

fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

impl Styles {
    fn new() -> Styles {
        let fill = |(background, border): (u32, u32)| {
            Format::new()
                .set_background_color(Color::RGB(background))
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(border))
        };
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border(FormatBorder::Thin),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            date: Format::new().set_num_format(DATE_FORMAT),
            fill: COLOURS.map(fill),
            fill_date: COLOURS.map(|c| fill(c).set_num_format(DATE_FORMAT)),
        }
    }

    /// The format of a data cell: its worst issue's fill, a date format, both or none.
    fn cell(&self, worst: Option<Severity>, date: bool) -> Option<&Format> {
        match (worst, date) {
            (Some(s), false) => Some(&self.fill[severity_index(s)]),
            (Some(s), true) => Some(&self.fill_date[severity_index(s)]),
            (None, true) => Some(&self.date),
            (None, false) => None,
        }
    }
}

/// English or French.
fn tr(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// A severity as it starts a cell ([`jvap_record::vocabulary`]).
fn severity_label(severity: Severity, lang: Lang) -> String {
    capitalized(severity.label(lang))
}

/// The header of an issue's column in `lang` when the column is a field of the record, else its key.
fn column_header(issue: &Issue, lang: Lang) -> String {
    match &issue.column {
        Some(key) => jvap_record::FIELDS
            .iter()
            .find(|f| &f.key == key)
            .map_or_else(|| key.clone(), |f| f.header(lang).to_string()),
        None => String::new(),
    }
}

/// Text cut to what one Excel cell can hold.
fn fit(text: &str, max: usize) -> &str {
    // Excel counts UTF-16 units; a char is at most two, so this cut is always within the limit.
    if text.len() <= max {
        return text;
    }
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..at];
        }
    }
    text
}

/// The issues sheet, written top to bottom (it may be a low-memory sheet). `notes_capped` says that there are
/// more problem cells than notes.
fn write_issues_sheet(
    ws: &mut Worksheet,
    file_name: &str,
    report: &Report,
    layout: &Layout,
    notes_capped: bool,
    styles: &Styles,
    lang: Lang,
) -> Result<(), AnnotateError> {
    let &Layout {
        sheets,
        places,
        names,
    } = layout;
    ws.set_name(&names.issues)?;
    // Panes and the filter's range are set before the rows are written.
    let listed = u32::try_from(report.issues.len().max(1)).unwrap_or(u32::MAX);
    let last_row = HEADER_ROW.saturating_add(listed).min(MAX_ROW);
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.autofilter(HEADER_ROW, 0, last_row, 7)?;

    ws.write_string_with_format(
        0,
        0,
        tr(
            lang,
            "JVAP 2022 data round: validation issues",
            "Collecte JVAP 2022 : problèmes de validation",
        ),
        &styles.title,
    )?;
    let file_label = tr(lang, "File", "Fichier");
    let sep = tr(lang, ": ", " : ");
    ws.write_string(
        1,
        0,
        fit(&format!("{file_label}{sep}{file_name}"), MAX_CELL_CHARS),
    )?;
    let verdict = match (report.verdict, lang) {
        (Verdict::Accepted, Lang::En) => "Verdict: accepted. The submission has no errors.",
        (Verdict::Accepted, Lang::Fr) => {
            "Verdict : acceptée. La soumission ne contient aucune erreur."
        }
        (Verdict::Rejected, Lang::En) => {
            "Verdict: rejected. Correct the errors below and send the file again."
        }
        (Verdict::Rejected, Lang::Fr) => {
            "Verdict : rejetée. Corrigez les erreurs ci-dessous et renvoyez le fichier."
        }
    };
    ws.write_string_with_format(2, 0, verdict, &styles.bold)?;
    let infos = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Info)
        .count();
    let c = &report.counts;
    let counts = match lang {
        Lang::En => format!(
            "Rows read: {} · records: {} · errors: {} · warnings: {} · information: {infos}",
            c.rows, c.records, c.errors, c.warnings
        ),
        Lang::Fr => format!(
            "Lignes lues : {} · enregistrements : {} · erreurs : {} · avertissements : {} · informations : {infos}",
            c.rows, c.records, c.errors, c.warnings
        ),
    };
    ws.write_string(3, 0, counts)?;
    ws.write_string(
        4,
        0,
        tr(
            lang,
            "Click a cell reference to go to the cell. Cells with a problem are coloured (red: error, amber: warning, blue: information) and carry a note with the message.",
            "Cliquez sur une référence de cellule pour y aller. Les cellules en cause sont colorées (rouge : erreur, orange : avertissement, bleu : information) et portent une note avec le message.",
        ),
    )?;
    if notes_capped {
        let only = match lang {
            Lang::En => format!(
                "Only the first {MAX_NOTES} cells with a problem carry a note; every issue is listed below."
            ),
            Lang::Fr => format!(
                "Seules les {MAX_NOTES} premières cellules en cause portent une note ; tous les problèmes sont listés ci-dessous."
            ),
        };
        ws.write_string_with_format(5, 0, only, &styles.bold)?;
    }

    let headers: [(&str, &str, f64); 8] = [
        ("Severity", "Gravité", 14.0),
        ("Sheet", "Feuille", 20.0),
        ("Row", "Ligne", 7.0),
        ("Cell", "Cellule", 9.0),
        ("Column", "Colonne", 28.0),
        ("Value", "Valeur", 30.0),
        ("Message", "Message", 80.0),
        ("Code", "Code", 26.0),
    ];
    for (col, (en, fr, width)) in (0u16..).zip(headers) {
        ws.write_string_with_format(HEADER_ROW, col, tr(lang, en, fr), &styles.header)?;
        ws.set_column_width(col, width)?;
    }

    let mut row = HEADER_ROW;
    let mut links = 0;
    for (issue, place) in report.issues.iter().zip(places) {
        row += 1;
        if row > MAX_ROW {
            break;
        }
        let severity = issue.severity;
        ws.write_string_with_format(
            row,
            0,
            severity_label(severity, lang),
            &styles.fill[severity_index(severity)],
        )?;
        // The sheet as named in this workbook when it is here; as reported otherwise.
        let sheet_name = match sheet_of(issue, sheets) {
            Some(index) => Some(names.sheets[index].as_str()),
            None => issue.sheet.as_deref(),
        };
        if let Some(name) = &sheet_name {
            ws.write_string(row, 1, fit(name, MAX_CELL_CHARS))?;
        }
        if let Some(number) = issue.row {
            ws.write_number(row, 2, f64::from(number))?;
        }
        match (names.of(*place), &issue.cell) {
            (Some(sheet), Some(cell)) if links < MAX_LINKS => {
                links += 1;
                let link = format!("internal:{}!{}", quote_sheet_name(sheet), cell.trim());
                ws.write_url_with_text(row, 3, Url::new(link), cell.trim())?;
            }
            (_, Some(cell)) => {
                ws.write_string(row, 3, fit(cell, MAX_CELL_CHARS))?;
            }
            _ => {}
        }
        ws.write_string(row, 4, fit(&column_header(issue, lang), MAX_CELL_CHARS))?;
        if let Some(value) = &issue.value {
            ws.write_string(row, 5, fit(value, MAX_CELL_CHARS))?;
        }
        ws.write_string_with_format(
            row,
            6,
            fit(issue.message(lang), MAX_CELL_CHARS),
            &styles.wrap,
        )?;
        ws.write_string(row, 7, fit(&issue.code, MAX_CELL_CHARS))?;
    }
    if report.issues.is_empty() {
        row += 1;
        ws.write_string(row, 0, tr(lang, "No issues.", "Aucun problème."))?;
    }
    Ok(())
}

/// Write one original sheet, row by row in order (required by low-memory mode), with fills and notes.
fn write_data_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    marks: &Marks,
    notes_left: &mut usize,
    styles: &Styles,
    lang: Lang,
) -> Result<(), AnnotateError> {
    let worst = |at: (u32, u16)| {
        marks
            .get(&at)
            .and_then(|issues| issues.iter().map(|i| i.severity).min())
    };

    let mut rows: Vec<&Row> = sheet
        .rows
        .iter()
        .filter(|r| r.number >= 1 && r.number - 1 <= MAX_ROW)
        .collect();
    rows.sort_by_key(|r| r.number);

    let mut widest: Option<u16> = None;
    let mut pending = marks.iter().peekable();
    for data_row in rows {
        let row = data_row.number - 1;
        // Issues on rows the reader did not return (nothing in them): blank cells to colour.
        while let Some(((r, c), _)) = pending.next_if(|((r, _), _)| *r < row) {
            write_blank_mark(ws, (*r, *c), worst((*r, *c)), styles)?;
        }
        for (col, cell) in data_row.cells.iter().enumerate() {
            let Some(col) = u16::try_from(col).ok().filter(|c| *c <= MAX_COL) else {
                break;
            };
            let mark = worst((row, col));
            if !cell.value.is_empty() {
                widest = widest.max(Some(col));
            }
            write_value(ws, row, col, &cell.value, mark, styles)?;
        }
        // Issues in this row on cells past the row's last value.
        while let Some(((r, c), _)) = pending.next_if(|((r, _), _)| *r == row) {
            if usize::from(*c) >= data_row.cells.len() {
                write_blank_mark(ws, (*r, *c), worst((*r, *c)), styles)?;
            }
        }
    }
    for ((r, c), _) in pending {
        write_blank_mark(ws, (*r, *c), worst((*r, *c)), styles)?;
    }

    for (&(row, col), issues) in marks {
        if *notes_left == 0 {
            break;
        }
        *notes_left -= 1;
        ws.insert_note(row, col, &note(issues, lang))?;
    }
    if let Some(last) = widest {
        ws.set_column_range_width(0, last, 16.0)?;
    }
    Ok(())
}

fn write_blank_mark(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    worst: Option<Severity>,
    styles: &Styles,
) -> Result<(), AnnotateError> {
    if let Some(format) = styles.cell(worst, false) {
        ws.write_blank(row, col, format)?;
    }
    Ok(())
}

/// One value at its place: text, number, date (date format), boolean; error values such as `#REF!` as
/// text. Empty cells are only written (blank, coloured) when they carry an issue.
fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &CellValue,
    worst: Option<Severity>,
    styles: &Styles,
) -> Result<(), AnnotateError> {
    let format = styles.cell(worst, false);
    match value {
        CellValue::Empty => {
            if let Some(format) = format {
                ws.write_blank(row, col, format)?;
            }
        }
        CellValue::Text(text) | CellValue::Error(text) => {
            write_text(ws, row, col, fit(text, MAX_CELL_CHARS), format)?;
        }
        CellValue::Number(n) if n.is_finite() => match format {
            Some(f) => ws.write_number_with_format(row, col, *n, f).map(|_| ())?,
            None => ws.write_number(row, col, *n).map(|_| ())?,
        },
        CellValue::Number(n) => write_text(ws, row, col, &n.to_string(), format)?,
        CellValue::Bool(b) => match format {
            Some(f) => ws.write_boolean_with_format(row, col, *b, f).map(|_| ())?,
            None => ws.write_boolean(row, col, *b).map(|_| ())?,
        },
        CellValue::Date(date) => match excel_date(*date) {
            Some(excel) => {
                let format = styles.cell(worst, true).unwrap_or(&styles.date);
                ws.write_datetime_with_format(row, col, &excel, format)?;
            }
            // Before 1900 Excel has no date serial: keep the ISO date as text.
            None => write_text(ws, row, col, &date.to_string(), format)?,
        },
    }
    Ok(())
}

fn write_text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: Option<&Format>,
) -> Result<(), AnnotateError> {
    match format {
        Some(f) => ws.write_string_with_format(row, col, text, f)?,
        None if text.is_empty() => return Ok(()),
        None => ws.write_string(row, col, text)?,
    };
    Ok(())
}

fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).ok()?;
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    ExcelDateTime::from_ymd(year, month, day).ok()
}

/// The note of a cell: every message for it in `lang`, each after its severity, sized to be readable.
fn note(issues: &[&Issue], lang: Lang) -> Note {
    let lines: Vec<String> = issues
        .iter()
        .map(|i| {
            format!(
                "{}{}{}",
                severity_label(i.severity, lang),
                tr(lang, ": ", " : "),
                i.message(lang)
            )
        })
        .collect();
    let text = lines.join("\n");
    let text = fit(&text, MAX_NOTE_CHARS);
    // About 45 characters a line at the note's width, 15 pixels a line.
    let wrapped: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(45).max(1))
        .sum();
    let height = u32::try_from(30 + 15 * wrapped)
        .unwrap_or(u32::MAX)
        .min(600);
    Note::new(text)
        .set_author("JVAP")
        .set_width(320)
        .set_height(height)
}

#[cfg(test)]
mod tests;
