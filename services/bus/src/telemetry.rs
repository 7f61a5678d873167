//! Logging set-up, the same in every service.

use tracing_subscriber::EnvFilter;

/// Log to stderr, filtered by `RUST_LOG` (default: info for jvap crates, warn for the rest).
/// Safe to call more than once (later calls do nothing), which tests rely on.
pub fn init(service: &str) {
    let default = format!("warn,jvap_{service}=info,jvap_bus=info");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
