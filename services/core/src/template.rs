//! The official template, generated from the record definition.

use crate::Lang;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot write the template: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The template workbook in the given language (stub until the writer lands).
pub fn template(_lang: Lang) -> Result<Vec<u8>, TemplateError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet().set_name("Initiatives")?;
    Ok(workbook.save_to_buffer()?)
}
