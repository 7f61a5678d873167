//! The README's table of issue codes is the catalogue, exactly: a new or changed code fails this test
//! until the table is regenerated (`jvap codes --format json`, or copy the expected rows printed below).

use jvap_record::catalogue::ALL;

#[test]
fn the_readme_lists_every_issue_code_with_its_messages() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let begin = readme
        .find("<!-- codes:begin -->")
        .expect("codes:begin marker");
    let end = readme.find("<!-- codes:end -->").expect("codes:end marker");
    let table: Vec<&str> = readme[begin..end]
        .lines()
        .skip(1)
        .filter(|l| l.starts_with('|'))
        .collect();

    let escape = |text: &str| text.replace('|', "\\|");
    let mut expected = vec![
        "| code | severity | English | Français |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    for kind in ALL {
        let severity = serde_json::to_value(kind.severity).expect("severity serialises");
        let severity = severity.as_str().unwrap_or_default().to_string();
        expected.push(format!(
            "| `{}` | {severity} | {} | {} |",
            kind.code,
            escape(kind.en),
            escape(kind.fr)
        ));
    }
    assert_eq!(
        table,
        expected,
        "the README's issue-code table differs from the catalogue:\n{}",
        expected.join("\n")
    );
}
