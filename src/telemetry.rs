//! Logging setup: `RUST_LOG` filters, `info` by default.

use tracing_subscriber::EnvFilter;

/// `info`, without Rocket's line per request (its guards forwarding is normal operation).
const DEFAULT_FILTER: &str = "info,rocket=warn,rocket::server=error,ticketbot::web::pages::_=error";

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // A second init (tests start several apps in one process) keeps the first subscriber.
    // Colours only on a terminal: journald and log files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .try_init();
}
