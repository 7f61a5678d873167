//! The streaming validator: sheet by sheet, the header, the first rows that place its columns, then
//! every row.

use super::header::{self, Header, HeaderRow};
use super::references::References;
use super::{basics, ctx, issue_in, probe, row};
use crate::read::RowVisitor;
use crate::sheet::{Row, Visibility};
use jvap_record::catalogue;
use jvap_record::columns::ColumnMapping;
use jvap_record::record::{FIELDS, Required, field};
use jvap_record::report::{Issue, ReportSink, column_letters};

/// A [`RowVisitor`] checking each row as it comes and handing issues and records to a [`ReportSink`].
///
/// A sheet's header is looked for in its first [`header::HEADER_SEARCH_ROWS`] rows; the rows after it
/// are data. The first [`probe::PROBE_ROWS`] data rows are held until the columns are placed (a
/// column read by meaning must hold values that fit) and the sheet is known to hold initiatives (a
/// visible lists sheet is skipped). Issues keep the order a whole-sheet pass gives them: the one
/// thing a row cannot know is whether a missing project-only column is an issue (only when the sheet
/// has a project row), so when such a column is missing, the sheet's issues wait until its first
/// project row, or its end.
pub struct Validator<'s> {
    sink: &'s mut dyn ReportSink,
    rows: u64,
    data_sheets: usize,
    /// Partner references seen so far, across sheets: unique within the submission.
    references: References,
    /// JVAP ids seen so far, and the database's ids to check them against.
    ids: super::FileIds,
    sheet: Option<String>,
    phase: Phase,
    /// Headers the partner confirmed as fields.
    mapping: ColumnMapping,
}

enum Phase {
    /// Nothing more to read in this sheet (hidden, no header, lists, or between sheets).
    Skip,
    /// Looking for the header: this many rows seen.
    Searching(usize),
    /// The header is found; its first data rows wait for its columns to be placed.
    Probing(Box<Probe>),
    Data(Box<DataSheet>),
}

struct Probe {
    header: HeaderRow,
    /// Data rows held, each with the columns control characters were removed from.
    rows: Vec<(Row, Vec<usize>)>,
}

struct DataSheet {
    header: Header,
    /// Missing columns waiting to know whether the sheet has projects.
    pending: Option<Pending>,
}

struct Pending {
    /// The missing-column issues if the sheet has a project row, and if it has none.
    with_projects: Vec<Issue>,
    without: Vec<Issue>,
    /// The sheet's issues found since, in order.
    held: Vec<Issue>,
}

impl<'s> Validator<'s> {
    pub fn new(sink: &'s mut dyn ReportSink) -> Self {
        Validator::mapped(sink, ColumnMapping::default())
    }

    /// A validator that reads the headers of `mapping` as the partner confirmed them.
    pub fn mapped(sink: &'s mut dyn ReportSink, mapping: ColumnMapping) -> Self {
        Validator {
            sink,
            rows: 0,
            data_sheets: 0,
            references: References::default(),
            ids: super::FileIds::default(),
            sheet: None,
            phase: Phase::Skip,
            mapping,
        }
    }

    /// Check the file's JVAP ids against the database's ids (see [`super::validate_checked_into`]).
    pub fn with_ids(mut self, check: Option<jvap_record::ids::IdCheck>) -> Self {
        self.ids = super::FileIds::new(check);
        self
    }

    pub(super) fn visit(&mut self, row: &Row) {
        // Control characters never reach a header, a record, a page or a dataset file.
        let cleaned = row.without_controls();
        let (row, cleaned_columns): (&Row, &[usize]) = match &cleaned {
            Some((row, columns)) => (row, columns),
            None => (row, &[]),
        };
        match &mut self.phase {
            Phase::Skip => {}
            Phase::Searching(seen) => {
                let index = *seen;
                *seen += 1;
                if let Some(header) = header::header_at(row, index, &self.mapping) {
                    self.phase = Phase::Probing(Box::new(Probe {
                        header,
                        rows: Vec::new(),
                    }));
                } else if index + 1 >= header::HEADER_SEARCH_ROWS {
                    self.sink
                        .issue(skipped(self.sheet.as_deref(), SKIP_NO_HEADER));
                    self.phase = Phase::Skip;
                }
            }
            Phase::Probing(probe) => {
                if row.cells.iter().all(|c| c.value.is_empty()) {
                    return;
                }
                probe.rows.push((row.clone(), cleaned_columns.to_vec()));
                if probe.rows.len() >= probe::PROBE_ROWS {
                    self.read_probed();
                }
            }
            Phase::Data(_) => self.data_row(row, cleaned_columns),
        }
    }

    /// Place the columns of the probed sheet and read it, or skip it when it holds no initiatives.
    fn read_probed(&mut self) {
        let Phase::Probing(probe) = std::mem::replace(&mut self.phase, Phase::Skip) else {
            return;
        };
        let Probe { header, rows } = *probe;
        let sample: Vec<&Row> = rows.iter().map(|(row, _)| row).collect();
        let header = header::place(self.sheet.as_deref(), header, &sample);
        let dates: Vec<usize> = ["start_date", "end_date"]
            .iter()
            .filter_map(|key| header.column(key))
            .collect();
        if !probe::looks_like_initiatives(&sample, header.column("title"), &dates) {
            self.sink.issue(skipped(self.sheet.as_deref(), SKIP_LISTS));
            return;
        }
        self.start_data(header);
        for (row, cleaned_columns) in &rows {
            self.data_row(row, cleaned_columns);
        }
    }

    /// The sheet is data: its header's issues, its missing columns, then its rows.
    fn start_data(&mut self, mut header: Header) {
        self.data_sheets += 1;
        self.sink.columns(&header.reads);
        for issue in header.issues.drain(..) {
            self.sink.issue(issue);
        }
        let name = self.sheet.as_deref();
        let with_projects = missing_columns(name, &header, true);
        let without = missing_columns(name, &header, false);
        let pending = if with_projects == without {
            for issue in without {
                self.sink.issue(issue);
            }
            None
        } else {
            Some(Pending {
                with_projects,
                without,
                held: Vec::new(),
            })
        };
        self.phase = Phase::Data(Box::new(DataSheet { header, pending }));
    }

    fn data_row(&mut self, row: &Row, cleaned_columns: &[usize]) {
        let Phase::Data(data) = &mut self.phase else {
            return;
        };
        if row.cells.iter().all(|c| c.value.is_empty()) {
            return;
        }
        if data.pending.is_some()
            && basics::is_project_row(row, &data.header)
            && let Some(pending) = data.pending.take()
        {
            for issue in pending.with_projects.into_iter().chain(pending.held) {
                self.sink.issue(issue);
            }
        }
        self.rows += 1;
        let name = self.sheet.as_deref();
        let mut ctx =
            ctx::RowCtx::new(name, row, &data.header, &mut self.references, &mut self.ids);
        for col in cleaned_columns {
            if let Some((key, _)) = data.header.columns.iter().find(|(_, c)| *c == col) {
                ctx.report(&catalogue::CELL_CONTROL_REMOVED, key, "");
            }
        }
        let record = row::check_row(&mut ctx);
        match data.pending.as_mut() {
            Some(pending) => pending.held.append(&mut ctx.issues),
            None => {
                for issue in ctx.issues {
                    self.sink.issue(issue);
                }
            }
        }
        if let Some(record) = record {
            self.sink.record(record);
        }
    }

    pub(super) fn finish(self) {
        let whole_file = match (self.data_sheets, self.rows) {
            (0, _) => Some(&catalogue::FILE_NO_HEADER),
            (_, 0) => Some(&catalogue::FILE_EMPTY),
            _ => None,
        };
        match whole_file {
            Some(kind) => self.sink.finish(0, Some(Issue::new(kind, ""))),
            None => self.sink.finish(self.rows, None),
        }
    }
}

impl RowVisitor for Validator<'_> {
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.sheet = name.map(String::from);
        if visibility == Visibility::Hidden {
            self.sink.issue(skipped(name, SKIP_HIDDEN));
            self.phase = Phase::Skip;
        } else {
            self.phase = Phase::Searching(0);
        }
    }

    fn row(&mut self, row: Row) {
        self.visit(&row);
    }

    fn sheet_end(&mut self) {
        if matches!(self.phase, Phase::Probing(_)) {
            self.read_probed();
        }
        match std::mem::replace(&mut self.phase, Phase::Skip) {
            Phase::Skip | Phase::Probing(_) => {}
            Phase::Searching(_) => self
                .sink
                .issue(skipped(self.sheet.as_deref(), SKIP_NO_HEADER)),
            Phase::Data(data) => {
                if let Some(pending) = data.pending {
                    for issue in pending.without.into_iter().chain(pending.held) {
                        self.sink.issue(issue);
                    }
                }
            }
        }
        self.sheet = None;
    }

    fn restart(&mut self) {
        self.rows = 0;
        self.data_sheets = 0;
        self.references = References::default();
        self.ids.restart();
        self.sheet = None;
        self.phase = Phase::Skip;
        self.sink.reset();
    }
}

/// Why a sheet is skipped, in English and French.
const SKIP_HIDDEN: (&str, &str) = ("the sheet is hidden", "la feuille est masquée");
const SKIP_NO_HEADER: (&str, &str) = (
    "no row of template column headers in its first 30 rows (instructions, lists or an empty sheet)",
    "aucune ligne d'en-têtes du modèle dans ses 30 premières lignes (instructions, listes ou feuille vide)",
);
const SKIP_LISTS: (&str, &str) = (
    "its rows are lists of codes and labels, not initiatives (no title, no dates)",
    "ses lignes sont des listes de codes et de libellés, pas des initiatives (ni titre ni dates)",
);

fn skipped(sheet: Option<&str>, (en, fr): (&str, &str)) -> Issue {
    let mut issue = issue_in(&catalogue::SHEET_SKIPPED, en, fr);
    issue.sheet = sheet.map(String::from);
    issue
}

/// Required columns absent from the header. Project-only columns are only missed on a sheet that has
/// projects (a policy sheet needs no budget or end date). A column that probably is the missing one
/// is named, at its header cell.
fn missing_columns(sheet: Option<&str>, header: &Header, has_projects: bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    for def in FIELDS.iter() {
        let needed = match def.required {
            Required::Yes => true,
            Required::Projects => has_projects,
            _ => false,
        };
        if !needed || header.column(&def.key).is_some() {
            continue;
        }
        let mut issue = match header.probable.get(def.key.as_str()) {
            Some((col, text)) => probable(&def.key, *col, text)
                .value(text.as_str())
                .at(sheet, header.row, *col),
            None => issue_in(&catalogue::COLUMN_MISSING, &def.header_en, &def.header_fr),
        };
        issue = issue.column(&def.key);
        issue.sheet = sheet.map(String::from);
        issue.row = Some(header.row);
        issues.push(issue);
    }
    issues
}

/// `column.probable`: the required column is missing, and the column at `col` is probably it.
fn probable(key: &str, col: usize, text: &str) -> Issue {
    let def = field(key);
    let letters = column_letters(col);
    let en = format!(
        "\"{}\" is missing; column {letters} \"{text}\" is probably it",
        def.header_en
    );
    let fr = format!(
        "« {} » est absente ; la colonne {letters} « {text} » est probablement celle-ci",
        def.header_fr
    );
    issue_in(&catalogue::COLUMN_PROBABLE, &en, &fr)
}
