//! `deploy/jvap.env.example` against the settings the services define with clap: every variable a
//! service reads is in the example (set or commented out), and the example holds no variable that
//! nothing reads (a typo there would be silently ignored in production).

use std::collections::BTreeSet;

use clap::CommandFactory;

/// Every variable the three services read, from their clap definitions.
fn defined() -> BTreeSet<String> {
    [
        jvap_intake::Config::command(),
        jvap_validation::Settings::command(),
        jvap_aggregation::Settings::command(),
    ]
    .iter()
    .flat_map(|command| {
        command
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    })
    .collect()
}

/// Every `NAME=` of the example, set or commented out (`# NAME=`).
fn in_example() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/jvap.env.example");
    let text = std::fs::read_to_string(path).expect("deploy/jvap.env.example is readable");
    text.lines()
        .map(|line| line.trim_start_matches('#').trim())
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name.trim())
        .filter(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_env_example_lists_every_setting_and_nothing_else() {
    let defined = defined();
    let mut example = in_example();
    // Read by the logging library, not by a setting of ours.
    example.remove("RUST_LOG");
    let missing: Vec<_> = defined.difference(&example).collect();
    let unknown: Vec<_> = example.difference(&defined).collect();
    assert!(
        missing.is_empty(),
        "read by a service but not in deploy/jvap.env.example: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "in deploy/jvap.env.example but read by no service: {unknown:?}"
    );
}

#[test]
fn every_setting_is_listed_by_help_with_its_variable() {
    for mut command in [
        jvap_intake::Config::command(),
        jvap_validation::Settings::command(),
        jvap_aggregation::Settings::command(),
    ] {
        let help = command.render_long_help().to_string();
        let variables: Vec<String> = command
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .collect();
        assert!(!variables.is_empty());
        for variable in variables {
            assert!(
                help.contains(&format!("env: {variable}")),
                "{variable}: {help}"
            );
        }
    }
}
