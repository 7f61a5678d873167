//! Logging set-up, the same in every service: plain text for a terminal, or one JSON object per line
//! (`JVAP_LOG_FORMAT=json`) for a log collector. Each line carries its span's fields, so the
//! `trace_id` of a submission (see [`crate::trace`]) finds it in every service.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, with the fields of the current spans.
    Json,
}

/// Log to stdout in `format`, filtered by `RUST_LOG` (default: info for jvap crates, warn for the
/// rest). Safe to call more than once (later calls do nothing), which tests rely on.
pub fn init(service: &str, format: LogFormat) {
    let default = format!("warn,jvap_{service}=info,jvap_bus=info");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
}
