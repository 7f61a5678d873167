//! The Steering Committee summary: a self-contained HTML page (charts as inline SVG, print styles for
//! A4) and the same content in Markdown, in English and French, rendered from [`Figures`] only.

use crate::Lang;
use crate::figures::Figures;

/// The summary as one self-contained HTML document.
pub fn html(figures: &Figures, lang: Lang) -> String {
    todo!("summary html v{} {lang:?}", figures.version)
}

/// The summary as Markdown.
pub fn markdown(figures: &Figures, lang: Lang) -> String {
    todo!("summary markdown v{} {lang:?}", figures.version)
}
