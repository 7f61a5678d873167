//! Charts as inline SVG: horizontal bars for categories, columns for years.
//!
//! Every bar has its label and its value written as text beside it, so a chart reads in black-and-white
//! print and without colour vision; `role="img"` with a `<title>` and a `<desc>` listing every value
//! makes it accessible. All text is escaped: labels may come from partners' files.

use super::document::{Bar, Chart, ChartKind};
use super::escape::escape;

/// The chart's width in SVG units; it scales to the page width.
const WIDTH: u32 = 680;
const ACCENT: &str = "#1f4e79";
const INK: &str = "#1a1a1a";
const RULE: &str = "#8a8f96";
const FONT: &str = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif";

/// The chart as one `<svg>` element; `id` makes its title's id unique in the page.
pub fn render(chart: &Chart, id: &str) -> String {
    let (height, body) = match chart.kind {
        ChartKind::Horizontal => horizontal(&chart.bars),
        ChartKind::Columns => columns(&chart.bars),
    };
    let desc: Vec<String> = chart
        .bars
        .iter()
        .map(|bar| format!("{}: {}", bar.label, bar.value_text))
        .collect();
    format!(
        "<svg role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"{FONT}\" \
         font-size=\"12\" fill=\"{INK}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{body}</svg>",
        escape(&chart.title),
        escape(&desc.join("; ")),
    )
}

/// Labels on the left (wrapped on up to three lines), bars to the right, values after the bars.
fn horizontal(bars: &[Bar]) -> (u32, String) {
    const LABEL_CHARS: usize = 40;
    const LINE: u32 = 14;
    const BAR: u32 = 14;
    const BAR_X: u32 = 270;
    const BAR_SPACE: u32 = WIDTH - BAR_X - 64;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let mut out = String::new();
    let mut y = 6;
    for bar in bars {
        let lines = wrap(&bar.label, LABEL_CHARS, 3);
        let row = (lines.len() as u32 * LINE + 8).max(BAR + 10);
        let middle = y + row / 2;
        let first_line = middle + 4 - (lines.len() as u32 - 1) * LINE / 2;
        for (i, line) in lines.iter().enumerate() {
            out.push_str(&format!(
                "<text x=\"0\" y=\"{}\">{}</text>",
                first_line + i as u32 * LINE,
                escape(line)
            ));
        }
        let length = scaled(bar.value, max, BAR_SPACE);
        if length > 0 {
            out.push_str(&format!(
                "<rect x=\"{BAR_X}\" y=\"{}\" width=\"{length}\" height=\"{BAR}\" fill=\"{ACCENT}\"/>",
                middle - BAR / 2
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-weight=\"600\">{}</text>",
            BAR_X + length + 6,
            middle + 4,
            escape(&bar.value_text)
        ));
        y += row;
    }
    let height = y + 6;
    out.push_str(&format!(
        "<line x1=\"{BAR_X}\" y1=\"2\" x2=\"{BAR_X}\" y2=\"{}\" stroke=\"{RULE}\" stroke-width=\"1\"/>",
        height - 2
    ));
    (height, out)
}

/// Columns along a baseline, the label under each column and the value above it.
fn columns(bars: &[Bar]) -> (u32, String) {
    const HEIGHT: u32 = 190;
    const TOP: u32 = 22;
    const BASELINE: u32 = HEIGHT - 26;
    const MARGIN: u32 = 10;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let count = (bars.len() as u32).max(1);
    let slot = (WIDTH - 2 * MARGIN) / count;
    let column = (slot * 3 / 5).min(46);
    let label_size = if slot < 34 { 10 } else { 12 };
    // With many years, a label every few columns keeps them from overlapping (the values all stay).
    let label_every = if slot >= 34 {
        1
    } else {
        (34 / slot.max(1) + 1) as usize
    };
    let value_size = if slot < 26 { 9 } else { label_size };
    let mut out = String::new();
    for (i, bar) in bars.iter().enumerate() {
        let centre = MARGIN + slot * i as u32 + slot / 2;
        let length = scaled(bar.value, max, BASELINE - TOP);
        if length > 0 {
            out.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{column}\" height=\"{length}\" fill=\"{ACCENT}\"/>",
                centre - column / 2,
                BASELINE - length
            ));
        }
        out.push_str(&format!(
            "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"600\" font-size=\"{value_size}\">{}</text>",
            BASELINE - length - 5,
            escape(&bar.value_text)
        ));
        if i % label_every == 0 {
            out.push_str(&format!(
                "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{label_size}\">{}</text>",
                BASELINE + 17,
                escape(&bar.label)
            ));
        }
    }
    out.push_str(&format!(
        "<line x1=\"{MARGIN}\" y1=\"{BASELINE}\" x2=\"{}\" y2=\"{BASELINE}\" stroke=\"{RULE}\" stroke-width=\"1\"/>",
        WIDTH - MARGIN
    ));
    (HEIGHT, out)
}

/// `value` out of `max` as a length out of `space`; any non-zero value gets at least one unit.
fn scaled(value: u64, max: u64, space: u32) -> u32 {
    if value == 0 {
        return 0;
    }
    let length = (value as f64 / max as f64 * f64::from(space)).round() as u32;
    length.clamp(1, space)
}

/// Words on lines of at most `width` characters, at most `lines` lines; a cut text ends with `…`.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", kept.trim_end_matches([' ', ',', ';']));
        }
    }
    // A single word longer than a line is cut too.
    for line in &mut out {
        if line.chars().count() > width + 1 {
            let kept: String = line.chars().take(width.saturating_sub(1)).collect();
            *line = format!("{kept}…");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_on_three_lines_at_most() {
        let lines = wrap(
            "Development benefits of migration and addressing root causes of irregular migration and forced displacement",
            30,
            3,
        );
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|line| line.chars().count() <= 31));
        assert!(lines[2].ends_with('…'));
        assert_eq!(wrap("Europe", 40, 3), vec!["Europe"]);
    }

    #[test]
    fn bars_are_proportional_and_never_vanish() {
        assert_eq!(scaled(50, 100, 300), 150);
        assert_eq!(scaled(1, 100_000, 300), 1);
        assert_eq!(scaled(0, 100, 300), 0);
    }
}
