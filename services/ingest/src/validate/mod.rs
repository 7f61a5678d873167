//! Validation: rows to records and issues, following the record definition.
//!
//! # Layout
//! - this file: the entry points, sheet by sheet (skipped sheets, header, missing columns, rows);
//! - [`header`]: finding the header row and mapping its cells to fields;
//! - [`row`]: one data row's context (cells by field, issue reporting) and its record;
//! - one file per rule family: [`basics`] (type, title, status, reference, ...), [`dates`],
//!   [`domains`], [`places`] (countries and scope), [`money`] (funders, budget, currency), [`contact`].

mod basics;
mod contact;
mod ctx;
mod dates;
mod domains;
mod header;
mod money;
mod places;
mod row;
#[cfg(test)]
mod tests;

mod references;

use crate::read::{Limits, RowVisitor};
use crate::sheet::{Sheet, Visibility};
use jvap_record::catalogue::{self, IssueKind};
use jvap_record::record::{FIELDS, Required};
use jvap_record::report::{CollectSink, Issue, Report, ReportSink};

pub(crate) use references::References;

use header::Header;

/// Validate a file with the default limits.
pub fn validate(file_name: &str, bytes: &[u8]) -> Report {
    validate_with(file_name, bytes, &Limits::default())
}

/// Validate a file: read it, find the data sheets and their header rows, check every row.
pub fn validate_with(file_name: &str, bytes: &[u8], limits: &Limits) -> Report {
    let mut sink = CollectSink::default();
    validate_into(file_name, bytes, limits, &mut sink);
    sink.into_report()
}

/// [`validate_with`], streaming: rows are validated as the reader produces them and what is found goes
/// to `sink` as it is found, so neither the sheet nor the records are held (a sink may still keep them).
///
/// A file of more than [`PIPELINE_BYTES`] is read on a second thread while this one validates: reading
/// and checking take about as long as each other, so the two together take little more than reading.
pub fn validate_into(file_name: &str, bytes: &[u8], limits: &Limits, sink: &mut dyn ReportSink) {
    let mut validator = Validator::new(sink);
    let read = if bytes.len() > PIPELINE_BYTES {
        pipelined(&mut validator, |visitor| {
            crate::read::read_rows(file_name, bytes, limits, visitor)
        })
        .unwrap_or_else(|| Err(internal_error()))
    } else {
        crate::read::read_rows(file_name, bytes, limits, &mut validator)
    };
    match read {
        Ok(()) => validator.finish(),
        Err(error) => {
            sink.reset();
            sink.finish(0, Some(error.issue()));
        }
    }
}

/// Files larger than this are read and validated on two threads.
pub const PIPELINE_BYTES: usize = 64 << 10;

/// What the reading thread hands the validating one, in batches.
enum Event {
    Start(Option<String>, Visibility),
    Row(crate::sheet::Row),
    End,
    Restart,
}

const BATCH: usize = 256;

/// The reading side of [`pipelined`]: visits become events sent in batches.
struct Sender {
    batch: Vec<Event>,
    channel: std::sync::mpsc::SyncSender<Vec<Event>>,
}

impl Sender {
    fn push(&mut self, event: Event) {
        self.batch.push(event);
        if self.batch.len() >= BATCH {
            self.send();
        }
    }
    fn send(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            // The validating side only goes away once everything is sent.
            let _ = self.channel.send(batch);
        }
    }
}

impl RowVisitor for Sender {
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.push(Event::Start(name.map(String::from), visibility));
    }
    fn row(&mut self, row: crate::sheet::Row) {
        self.push(Event::Row(row));
    }
    fn sheet_end(&mut self) {
        self.push(Event::End);
    }
    fn restart(&mut self) {
        self.push(Event::Restart);
    }
}

/// [`validate_into`] for a file on disk: an xlsx is read from the file as needed, never loaded whole
/// ([`crate::read::read_rows_path`]). The error is the file's own: it cannot be opened or read.
pub fn validate_path_into(
    path: &std::path::Path,
    limits: &Limits,
    sink: &mut dyn ReportSink,
) -> std::io::Result<()> {
    let mut validator = Validator::new(sink);
    let large = std::fs::metadata(path)?.len() > PIPELINE_BYTES as u64;
    let read = if large {
        pipelined(&mut validator, |visitor| {
            crate::read::read_rows_path(path, limits, visitor)
        })
        .unwrap_or_else(|| Ok(Err(internal_error())))?
    } else {
        crate::read::read_rows_path(path, limits, &mut validator)?
    };
    match read {
        Ok(()) => validator.finish(),
        Err(error) => {
            sink.reset();
            sink.finish(0, Some(error.issue()));
        }
    }
    Ok(())
}

/// A reader that panicked outside calamine's guard.
fn internal_error() -> crate::read::FileError {
    crate::read::FileError::Corrupt("the workbook's internal structure is invalid".into())
}

/// Run `read` on a scoped thread, validating the rows here as they come; None if the thread panicked.
fn pipelined<T: Send>(
    validator: &mut Validator<'_>,
    read: impl FnOnce(&mut dyn RowVisitor) -> T + Send,
) -> Option<T> {
    let (channel, batches) = std::sync::mpsc::sync_channel::<Vec<Event>>(16);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut sender = Sender {
                batch: Vec::with_capacity(BATCH),
                channel,
            };
            let read = read(&mut sender);
            sender.send();
            read
        });
        for batch in batches {
            for event in batch {
                match event {
                    Event::Start(name, visibility) => validator.start(name.as_deref(), visibility),
                    Event::Row(row) => validator.visit(&row),
                    Event::End => validator.sheet_end(),
                    Event::Restart => validator.restart(),
                }
            }
        }
        reader.join().ok()
    })
}

/// Validate sheets already read (the part of [`validate_with`] after reading).
pub fn validate_sheets(sheets: &[Sheet]) -> Report {
    let mut sink = CollectSink::default();
    let mut validator = Validator::new(&mut sink);
    for sheet in sheets {
        validator.start(sheet.name.as_deref(), sheet.visibility);
        for row in &sheet.rows {
            validator.visit(row);
        }
        validator.sheet_end();
    }
    validator.finish();
    sink.into_report()
}

/// The streaming validator: a [`RowVisitor`] checking each row as it comes and handing issues and
/// records to a [`ReportSink`].
///
/// A sheet's header is looked for in its first [`header::HEADER_SEARCH_ROWS`] rows; the rows after it
/// are data. Issues keep the order a whole-sheet pass gives them: the one thing a row cannot know is
/// whether a missing project-only column is an issue (only when the sheet has a project row), so when
/// such a column is missing, the sheet's issues wait until its first project row, or its end.
pub struct Validator<'s> {
    sink: &'s mut dyn ReportSink,
    rows: u64,
    data_sheets: usize,
    /// Partner references seen so far, across sheets: unique within the submission.
    references: References,
    sheet: Option<String>,
    phase: Phase,
}

enum Phase {
    /// Nothing more to read in this sheet (hidden, no header, or between sheets).
    Skip,
    /// Looking for the header: this many rows seen.
    Searching(usize),
    Data(Box<DataSheet>),
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
        Validator {
            sink,
            rows: 0,
            data_sheets: 0,
            references: References::default(),
            sheet: None,
            phase: Phase::Skip,
        }
    }

    fn start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.sheet = name.map(String::from);
        if visibility == Visibility::Hidden {
            self.sink.issue(skipped(name, SKIP_HIDDEN));
            self.phase = Phase::Skip;
        } else {
            self.phase = Phase::Searching(0);
        }
    }

    fn visit(&mut self, row: &crate::sheet::Row) {
        // Control characters never reach a header, a record, a page or a dataset file.
        let cleaned = row.without_controls();
        let (row, cleaned_columns): (&crate::sheet::Row, &[usize]) = match &cleaned {
            Some((row, columns)) => (row, columns),
            None => (row, &[]),
        };
        match &mut self.phase {
            Phase::Skip => {}
            Phase::Searching(seen) => {
                let index = *seen;
                *seen += 1;
                if let Some(mut header) = header::header_at(self.sheet.as_deref(), row, index) {
                    self.data_sheets += 1;
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
                } else if index + 1 >= header::HEADER_SEARCH_ROWS {
                    self.sink
                        .issue(skipped(self.sheet.as_deref(), SKIP_NO_HEADER));
                    self.phase = Phase::Skip;
                }
            }
            Phase::Data(data) => {
                if !row.cells.iter().any(|c| !c.value.is_empty()) {
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
                let mut ctx = ctx::RowCtx::new(name, row, &data.header, &mut self.references);
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
        }
    }

    fn finish(self) {
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
        self.start(name, visibility);
    }

    fn row(&mut self, row: crate::sheet::Row) {
        self.visit(&row);
    }

    fn sheet_end(&mut self) {
        match std::mem::replace(&mut self.phase, Phase::Skip) {
            Phase::Skip => {}
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

fn skipped(sheet: Option<&str>, (en, fr): (&str, &str)) -> Issue {
    let mut issue = issue_in(&catalogue::SHEET_SKIPPED, en, fr);
    issue.sheet = sheet.map(String::from);
    issue
}

/// An issue whose `{detail}` differs by language.
pub(crate) fn issue_in(kind: &IssueKind, en: &str, fr: &str) -> Issue {
    let mut issue = Issue::new(kind, en);
    issue.message_fr = kind.render_fr(fr);
    issue
}

/// Required columns absent from the header. Project-only columns are only missed on a sheet that has
/// projects (a policy sheet needs no budget or end date).
fn missing_columns(sheet: Option<&str>, header: &Header, has_projects: bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    for field in FIELDS.iter() {
        let needed = match field.required {
            Required::Yes => true,
            Required::Projects => has_projects,
            _ => false,
        };
        if needed && header.column(&field.key).is_none() {
            let mut issue = issue_in(
                &catalogue::COLUMN_MISSING,
                &field.header_en,
                &field.header_fr,
            )
            .column(&field.key);
            issue.sheet = sheet.map(String::from);
            issue.row = Some(header.row);
            issues.push(issue);
        }
    }
    issues
}
