//! The summary as one self-contained HTML document: no external stylesheet, script, font or image;
//! charts are inline SVG; the print styles lay it out on A4. Every text is escaped.

use super::document::{Block, Document, Section, Stat, Table};
use super::escape::escape;
use super::svg;

/// The page's styles: a restrained official look, one accent colour, and print rules for A4.
const STYLE: &str = r#"
:root { --accent: #1f4e79; --ink: #1a1a1a; --muted: #5b6168; --rule: #d5d9de; }
* { box-sizing: border-box; }
html { color: var(--ink); background: #fff; font: 11pt/1.5 Georgia, "Times New Roman", Times, serif; }
body { margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 14mm 8mm 18mm; }
.sans, table, .stat, .meta, .kicker, .source, figcaption, footer { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header.title { border-top: 5px solid var(--accent); padding-top: 10px; margin-bottom: 22px; }
.kicker { margin: 0; font-size: 9pt; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); }
h1 { margin: 4px 0 2px; font-size: 25pt; font-weight: normal; line-height: 1.2; }
.subtitle { margin: 0; font-size: 13pt; font-style: italic; }
.meta { margin: 8px 0 0; font-size: 9pt; color: var(--muted); }
section { margin: 0 0 20px; }
h2 { margin: 26px 0 10px; padding-bottom: 3px; font-size: 14pt; font-weight: normal; color: var(--accent); border-bottom: 1px solid var(--rule); break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0 8px; }
ul { margin: 6px 0 10px; padding-left: 20px; }
li { margin: 3px 0; }
.stats { display: flex; gap: 14px; margin: 10px 0 6px; break-inside: avoid; }
.stat { flex: 1 1 0; min-width: 0; border-left: 3px solid var(--accent); padding: 2px 0 2px 10px; }
.stat:last-child { flex-grow: 1.5; }
.stat .value { display: block; font-size: 17pt; line-height: 1.15; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat .label { display: block; font-size: 9.5pt; font-weight: 600; }
.stat .detail { display: block; font-size: 8.5pt; color: var(--muted); margin-top: 2px; }
table { width: 100%; border-collapse: collapse; margin: 10px 0 8px; font-size: 9pt; break-inside: avoid; page-break-inside: avoid; }
caption { caption-side: top; text-align: left; font-weight: 600; font-size: 9.5pt; padding-bottom: 4px; }
th, td { padding: 3px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 1.5px solid var(--ink); font-weight: 600; vertical-align: bottom; }
tbody th { font-weight: normal; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
thead th.num { white-space: normal; }
tfoot th, tfoot td { border-top: 1.5px solid var(--ink); border-bottom: none; font-weight: 600; }
.tables { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; break-inside: avoid; }
figure { margin: 10px 0 6px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-width: 680px; }
figcaption { font-size: 9pt; color: var(--muted); margin-top: 4px; }
.source { font-size: 8.5pt; color: var(--muted); font-style: italic; margin-top: 4px; }
footer { margin-top: 28px; padding-top: 8px; border-top: 1px solid var(--rule); font-size: 9pt; color: var(--muted); }
footer h2 { border: none; font-size: 10pt; margin: 0 0 4px; color: var(--muted); }
@page { size: A4; margin: 18mm; }
@media print {
  html { font-size: 10pt; }
  .stat .value { font-size: 15pt; }
  main { max-width: none; padding: 0; }
  h2 { margin-top: 14px; }
  header.title { margin-bottom: 12px; }
  th, td { padding: 2px 8px; }
  .stats, table, figure, .tables, li { break-inside: avoid; page-break-inside: avoid; }
}
"#;

/// The document as HTML.
pub fn render(document: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(&format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(document.lang),
        escape(&document.title),
        escape(&document.subtitle),
    ));
    out.push_str(&format!(
        "<header class=\"title\">\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<p class=\"meta\">{}</p>\n</header>\n",
        escape(&document.kicker),
        escape(&document.title),
        escape(&document.subtitle),
        escape(&document.meta),
    ));
    let (last, body) = match document.sections.split_last() {
        // The last section says where the figures come from: it is the footer.
        Some((last, body)) if last.id == "about" => (Some(last), body),
        _ => (None, document.sections.as_slice()),
    };
    for section in body {
        out.push_str(&self::section(section, "section"));
    }
    if let Some(last) = last {
        out.push_str(&self::section(last, "footer"));
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn section(section: &Section, element: &str) -> String {
    let mut out = format!(
        "<{element} id=\"{}\" aria-labelledby=\"{}-heading\">\n<h2 id=\"{}-heading\">{}</h2>\n",
        section.id,
        section.id,
        section.id,
        escape(&section.heading)
    );
    for (i, block) in section.blocks.iter().enumerate() {
        out.push_str(&self::block(block, &format!("{}-{i}", section.id)));
    }
    if let Some(source) = &section.source {
        out.push_str(&format!("<p class=\"source\">{}</p>\n", escape(source)));
    }
    out.push_str(&format!("</{element}>\n"));
    out
}

fn block(block: &Block, id: &str) -> String {
    match block {
        Block::Stats(stats) => {
            let items: String = stats.iter().map(stat).collect();
            format!("<div class=\"stats\">\n{items}</div>\n")
        }
        Block::Paragraph(text) => format!("<p>{}</p>\n", escape(text)),
        Block::List(items) => {
            let items: String = items
                .iter()
                .map(|item| format!("<li>{}</li>\n", escape(item)))
                .collect();
            format!("<ul>\n{items}</ul>\n")
        }
        Block::Table(table) => self::table(table),
        Block::Tables(tables) => {
            let tables: String = tables
                .iter()
                .map(|t| format!("<div>{}</div>\n", self::table(t)))
                .collect();
            format!("<div class=\"tables\">\n{tables}</div>\n")
        }
        // Nothing to draw: the table beside it says the zeros.
        Block::Chart(chart) if chart.bars.iter().all(|bar| bar.value == 0) => String::new(),
        Block::Chart(chart) => format!(
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            svg::render(chart, id),
            escape(&chart.title)
        ),
    }
}

fn stat(stat: &Stat) -> String {
    let detail = stat
        .detail
        .as_ref()
        .map(|detail| format!("<span class=\"detail\">{}</span>", escape(detail)))
        .unwrap_or_default();
    format!(
        "<div class=\"stat\"><span class=\"value\">{}</span><span class=\"label\">{}</span>{detail}</div>\n",
        escape(&stat.value),
        escape(&stat.label)
    )
}

fn table(table: &Table) -> String {
    let class = |numeric: bool| if numeric { " class=\"num\"" } else { "" };
    let mut out = format!(
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        escape(&table.caption)
    );
    for column in &table.columns {
        out.push_str(&format!(
            "<th scope=\"col\"{}>{}</th>",
            class(column.numeric),
            escape(&column.label)
        ));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let line = |cells: &[String]| {
        let mut row = String::from("<tr>");
        for (i, cell) in cells.iter().enumerate() {
            let numeric = table.columns.get(i).is_some_and(|column| column.numeric);
            let element = if i == 0 { "th scope=\"row\"" } else { "td" };
            let close = if i == 0 { "th" } else { "td" };
            row.push_str(&format!(
                "<{element}{}>{}</{close}>",
                class(numeric),
                escape(cell)
            ));
        }
        row.push_str("</tr>\n");
        row
    };
    for row in &table.rows {
        out.push_str(&line(row));
    }
    out.push_str("</tbody>\n");
    if let Some(total) = &table.total {
        out.push_str(&format!("<tfoot>\n{}</tfoot>\n", line(total)));
    }
    out.push_str("</table>\n");
    out
}
