//! How the workbook's sheets print, and the language of their words.
//!
//! Every sheet prints on A4 in landscape, one page wide (as many pages tall as it needs), its header
//! rows repeated at the top of each page, and a footer naming the round, the dataset version, the
//! sheet and the page. Charts sit beside the top of their table, so they print whole on the first
//! page.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::round::DatasetMeta;
use jvap_record::Lang;
use jvap_record::vocabulary::{Bilingual, PROGRAMME};

/// Excel's paper size code for A4.
pub const PAPER_A4: u8 = 9;

/// A sheet's words in both languages; the workbook shows the one of its language.
pub(crate) const fn tr(en: &'static str, fr: &'static str) -> Bilingual {
    Bilingual { en, fr }
}

/// The language of a workbook and the footer of its pages.
pub(crate) struct Print {
    pub lang: Lang,
    footer: String,
}

impl Print {
    pub fn of(meta: &DatasetMeta, lang: Lang) -> Print {
        // `&` starts a control code in a footer; `&&` is the character itself.
        let round = meta.round.replace('&', "&&");
        let page = match lang {
            Lang::En => "Page &P of &N",
            Lang::Fr => "Page &P sur &N",
        };
        let footer = format!(
            "&L{} {round}, version {}&C&A&R{page}",
            PROGRAMME.get(lang),
            meta.version
        );
        Print { lang, footer }
    }

    /// `words` in the workbook's language.
    pub fn tr(&self, words: Bilingual) -> &'static str {
        words.get(self.lang)
    }

    /// Set up `sheet` to print, the rows `header` (first and last, if any) repeated on each page.
    pub fn setup(
        &self,
        sheet: &mut Worksheet,
        header: Option<(u32, u32)>,
    ) -> Result<(), XlsxError> {
        sheet
            .set_paper_size(PAPER_A4)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_print_center_horizontally(true)
            .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3)
            .set_footer(&self.footer);
        if let Some((first, last)) = header {
            sheet.set_repeat_rows(first, last)?;
        }
        Ok(())
    }
}

/// A column width (in characters) that shows `texts` whole, between `min` and `max`.
pub(crate) fn width_of<'a>(texts: impl IntoIterator<Item = &'a str>, min: f64, max: f64) -> f64 {
    let longest = texts
        .into_iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or_default();
    (longest as f64 + 2.0).clamp(min, max)
}
