//! Text made safe for the HTML summary and its inline SVG charts.

/// Text made safe for HTML and XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML (the charts) and mean nothing on a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}
