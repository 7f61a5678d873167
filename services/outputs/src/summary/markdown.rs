//! The summary as GitHub-flavoured Markdown: the same sections, sentences and tables as the HTML page;
//! charts are left out, their numbers being in the tables beside them. Every text is escaped, so a title
//! from a partner's file cannot add markup or break a table.

use super::document::{Block, Document, Table};

/// The document as Markdown.
pub fn render(document: &Document) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n**{}**\n\n{}\n",
        escape(&document.title),
        escape(&document.kicker),
        escape(&document.subtitle),
        escape(&document.meta)
    );
    for section in &document.sections {
        out.push_str(&format!("\n## {}\n", escape(&section.heading)));
        for block in &section.blocks {
            let text = self::block(block);
            if !text.is_empty() {
                out.push('\n');
                out.push_str(&text);
            }
        }
        if let Some(source) = &section.source {
            out.push_str(&format!("\n_{}_\n", escape(source)));
        }
    }
    out
}

fn block(block: &Block) -> String {
    match block {
        Block::Stats(stats) => stats
            .iter()
            .map(|stat| {
                let detail = stat
                    .detail
                    .as_ref()
                    .map(|detail| format!(" ({})", escape(detail)))
                    .unwrap_or_default();
                format!(
                    "- **{}** {}{detail}\n",
                    escape(&stat.value),
                    escape(&stat.label)
                )
            })
            .collect(),
        Block::Paragraph(text) => format!("{}\n", escape(text)),
        Block::List(items) => items
            .iter()
            .map(|item| format!("- {}\n", escape(item)))
            .collect(),
        Block::Table(table) => self::table(table),
        Block::Tables(tables) => tables
            .iter()
            .map(self::table)
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Chart(_) => String::new(),
    }
}

fn table(table: &Table) -> String {
    let line = |cells: &[String], bold: bool| {
        let cells: Vec<String> = (0..table.columns.len())
            .map(|i| {
                let cell = cells.get(i).map(|cell| escape(cell)).unwrap_or_default();
                if bold && !cell.is_empty() {
                    format!("**{cell}**")
                } else {
                    cell
                }
            })
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let labels: Vec<String> = table.columns.iter().map(|c| c.label.clone()).collect();
    let mut out = format!("**{}**\n\n", escape(&table.caption));
    out.push_str(&line(&labels, false));
    let rule: Vec<&str> = table
        .columns
        .iter()
        .map(|column| if column.numeric { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in &table.rows {
        out.push_str(&line(row, false));
    }
    if let Some(total) = &table.total {
        out.push_str(&line(total, true));
    }
    out
}

/// Plain text made safe for Markdown: characters that could start markup are backslash-escaped
/// (CommonMark allows it before any ASCII punctuation) and line breaks become spaces, so a table row stays
/// one row.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            other => out.push(other),
        }
    }
    out
}
