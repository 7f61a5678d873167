//! The Steering Committee summary: a self-contained HTML page (charts as inline SVG, print styles for
//! A4) and the same content in Markdown, in English and French, rendered from [`Figures`] only.
//!
//! `content` decides what the summary says (every sentence, label and table, in both languages) and
//! builds a `document::Document`; the `html` and `markdown` modules lay that one document out, so both
//! formats carry the same sections and numbers. [`format`] writes numbers, money and dates per
//! language; `svg` draws the charts.

mod content;
mod document;
mod escape;
pub mod format;
mod html;
mod markdown;
mod svg;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

use crate::figures::Figures;
use jvap_record::Lang;

/// The summary as one self-contained HTML document.
pub fn html(figures: &Figures, lang: Lang) -> String {
    html::render(&content::build(figures, lang))
}

/// The summary as Markdown.
pub fn markdown(figures: &Figures, lang: Lang) -> String {
    markdown::render(&content::build(figures, lang))
}
