//! Logging setup: `RUST_LOG` filters, `info` by default. A `RUST_LOG` that cannot be used
//! falls back to the default with one warning: a typo must not silence the log.

use std::str::FromStr;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;

/// `info`, without Rocket's own lines (see [`QUIET_ROCKET`]).
const DEFAULT_FILTER: &str = "info";

/// Rocket writes its launch line at warn, a request for a page that does not exist at error
/// and a guard forwarding (no session: the login follows) at warn; the panel says these
/// itself at the right level (`web panel listening` at info, unknown pages at debug, a
/// failing handler at error). Added to every filter that does not name `rocket` itself.
const QUIET_ROCKET: [&str; 9] = [
    "rocket=warn",
    "rocket::launch=off",
    "rocket::server=off",
    "ticketbot::web::pages::_=error",
    "ticketbot::web::list_page::_=error",
    "ticketbot::web::monitoring::_=error",
    "ticketbot::web::auth::_=error",
    "ticketbot::web::session::_=error",
    "ticketbot::web::health::_=error",
];

pub fn init() {
    let (filter, problem) = filter_from(std::env::var("RUST_LOG").ok().as_deref());
    // A second init (tests start several apps in one process) keeps the first subscriber.
    // Colours only on a terminal: journald and log files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .try_init();
    if let Some(problem) = problem {
        tracing::warn!("RUST_LOG: {problem}; logging at the default level (info) instead");
    }
}

/// The filter `raw` asks for, or the default and why `raw` was not usable.
pub fn filter_from(raw: Option<&str>) -> (EnvFilter, Option<String>) {
    let (filter, problem) = filter_as_written(raw);
    if raw.is_some_and(|raw| raw.contains("rocket")) {
        return (filter, problem);
    }
    let filter = QUIET_ROCKET
        .iter()
        .filter_map(|directive| directive.parse().ok())
        .fold(filter, EnvFilter::add_directive);
    (filter, problem)
}

fn filter_as_written(raw: Option<&str>) -> (EnvFilter, Option<String>) {
    let default = || EnvFilter::new(DEFAULT_FILTER);
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return (default(), None);
    };
    if let Some(word) = raw.split(',').map(str::trim).find(|d| is_stray_word(d)) {
        let problem = format!(
            "{word:?} is neither a level (trace, debug, info, warn, error, off) nor a module \
             path; write module=level, e.g. info,ticketbot=debug"
        );
        return (default(), Some(problem));
    }
    match EnvFilter::builder().parse(raw) {
        Ok(filter) => (filter, None),
        Err(err) => (default(), Some(format!("cannot parse {raw:?}: {err}"))),
    }
}

/// A bare word that is not a level. tracing reads it as a module name and then shows only
/// that module, which for a misspelt level (`verbose`, `info;debug`) is nothing at all. A
/// module path (`ticketbot`, `twilight_gateway::shard`) is still taken as one.
fn is_stray_word(directive: &str) -> bool {
    if directive.is_empty() || directive.contains(['=', '[']) {
        return false;
    }
    if LevelFilter::from_str(directive).is_ok() {
        return false;
    }
    let is_our_crate = directive == "ticketbot" || directive.starts_with("ticketbot::");
    let is_module_path = directive.contains("::")
        && directive
            .split("::")
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'));
    !(is_our_crate || is_module_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_rust_log_falls_back_with_a_reason() {
        for raw in ["verbose", "debug2", "info;debug", "info,ticketbot=loud"] {
            let (_, problem) = filter_from(Some(raw));
            assert!(problem.is_some(), "{raw} was taken");
        }
        for raw in [
            "info",
            "WARN",
            "info,ticketbot=debug",
            "ticketbot",
            "twilight_gateway::shard",
            "",
        ] {
            let (_, problem) = filter_from(Some(raw));
            assert_eq!(problem, None, "{raw}");
        }
    }
}
