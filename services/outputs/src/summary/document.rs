//! The summary's content in one language: sections of headline numbers, sentences, tables and charts,
//! built from [`Figures`] only. [`super::html`] and [`super::markdown`] lay the same document out, so
//! both formats always say the same things with the same numbers.
//!
//! Every string here is plain text (never markup): the renderers escape all of it.

/// The whole summary in one language.
#[derive(Debug, Clone)]
pub struct Document {
    /// `en` or `fr`, for the `lang` attribute.
    pub lang: &'static str,
    pub kicker: String,
    pub title: String,
    pub subtitle: String,
    /// Dataset version and generation date.
    pub meta: String,
    pub sections: Vec<Section>,
}

/// One titled part of the summary.
#[derive(Debug, Clone)]
pub struct Section {
    /// A stable anchor (`glance`, `response`, `domains`, ...).
    pub id: &'static str,
    pub heading: String,
    pub blocks: Vec<Block>,
    /// Where the figures of the section come from in the consolidated workbook.
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A few big numbers.
    Stats(Vec<Stat>),
    Paragraph(String),
    /// A short list of sentences.
    List(Vec<String>),
    Table(Table),
    /// Small tables shown side by side (stacked in Markdown).
    Tables(Vec<Table>),
    /// A chart; Markdown leaves charts out (the tables beside them hold the same numbers).
    Chart(Chart),
}

/// A headline number.
#[derive(Debug, Clone)]
pub struct Stat {
    pub value: String,
    pub label: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    /// The first cell of each row is its header (`<th scope="row">`).
    pub rows: Vec<Vec<String>>,
    /// A closing total line, when the rows count each initiative once.
    pub total: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    /// Right-aligned figures.
    pub numeric: bool,
}

impl Column {
    pub fn text(label: impl Into<String>) -> Column {
        Column {
            label: label.into(),
            numeric: false,
        }
    }
    pub fn number(label: impl Into<String>) -> Column {
        Column {
            label: label.into(),
            numeric: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    /// Says what the chart shows, for screen readers and as the figure caption.
    pub title: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Labels on the left, bars to the right: for named categories.
    Horizontal,
    /// Columns along a time axis: for years.
    Columns,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    /// The value as written next to the bar.
    pub value_text: String,
}
