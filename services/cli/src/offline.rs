//! Commands that need no server: validate, template, codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use jvap_core::{Lang, Verdict};

use crate::args::OutputFormat;
use crate::render;

pub fn validate(
    file: &Path,
    format: OutputFormat,
    annotate: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let report = jvap_core::validate(&file_name, &bytes);
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        OutputFormat::Text => print!("{}", render::report(&report, &file_name, lang)),
    }
    if let Some(out) = annotate {
        let annotated = jvap_core::annotate::annotate(&file_name, &bytes, &report, lang)
            .context("could not write the annotated workbook")?;
        std::fs::write(out, annotated)
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("annotated workbook: {}", out.display());
    }
    Ok(verdict_code(report.verdict))
}

pub fn verdict_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Accepted => ExitCode::SUCCESS,
        Verdict::Rejected => ExitCode::from(1),
    }
}

pub fn template(output: Option<PathBuf>, lang: Lang) -> anyhow::Result<ExitCode> {
    let output = output.unwrap_or_else(|| {
        let code = lang.code();
        PathBuf::from(format!("jvap-template-{code}.xlsx"))
    });
    let bytes = jvap_core::template::template(lang).context("could not build the template")?;
    std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    println!("{}", output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn codes(format: OutputFormat) -> anyhow::Result<ExitCode> {
    let kinds = jvap_core::catalogue::ALL;
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(kinds)?),
        OutputFormat::Text => print!("{}", render::codes(kinds)),
    }
    Ok(ExitCode::SUCCESS)
}
