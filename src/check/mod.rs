//! `ticketbot check`: what a new admin gets wrong, asked of Discord, OpenAI and the ban
//! database, and printed as a checklist with the fix for each problem. It needs neither the
//! bot nor the panel running, and changes nothing.

mod discord;
mod services;
mod store;

use crate::config::Config;
use crate::error::{Error, Result};

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    /// What was checked and what was found.
    pub what: String,
    /// How to fix it; only for a problem.
    pub fix: Option<String>,
}

impl Finding {
    pub fn ok(what: impl Into<String>) -> Self {
        Self {
            ok: true,
            what: what.into(),
            fix: None,
        }
    }

    pub fn problem(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            ok: false,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Every check, in the order an admin fixes things: Discord first (token, intents, server,
/// roles, channels, permissions), then the panel's login, the AI and the ban database, then
/// the attachment store.
pub async fn run(config: &Config) -> Vec<Finding> {
    crate::process::install_crypto_provider();
    let mut findings = discord::check(config).await;
    findings.extend(services::check(config).await);
    findings.push(store::check(config).await);
    findings
}

/// Prints the checklist; an error when anything is wrong, so the exit code says so.
pub async fn cli(config: &Config) -> Result<()> {
    let findings = run(config).await;
    for finding in &findings {
        let mark = if finding.ok { "ok " } else { "FAIL" };
        println!("[{mark}] {}", finding.what);
        if let Some(fix) = &finding.fix {
            println!("       fix: {fix}");
        }
    }
    let problems = findings.iter().filter(|f| !f.ok).count();
    if problems == 0 {
        println!("Everything checked is in order.");
        Ok(())
    } else {
        Err(Error::CheckFailed(problems))
    }
}
