//! The community's ban database: `BAN_LOOKUP_URL` with `{id}`, answering `{reason, player_name}`.

use std::time::Duration;

use serde::Deserialize;

const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found {
        reason: String,
        player_name: Option<String>,
    },
    /// 404, or an answer without a reason: the user should check the ID.
    Unknown,
    /// Unreachable, timed out or a server error: go on without it and tell the staff.
    Failed(String),
    /// No `BAN_LOOKUP_URL`.
    NotConfigured,
}

#[derive(Deserialize)]
struct BanRecord {
    reason: Option<String>,
    player_name: Option<String>,
}

pub async fn lookup(http: &reqwest::Client, template: Option<&str>, id: &str) -> Lookup {
    let Some(template) = template else {
        return Lookup::NotConfigured;
    };
    // IDs are ASCII letters and digits only, so they need no escaping.
    let url = template.replace("{id}", id);
    let response = match tokio::time::timeout(TIMEOUT, http.get(&url).send()).await {
        Err(_) => return Lookup::Failed("Zeitüberschreitung".into()),
        Ok(Err(err)) => return Lookup::Failed(err.to_string()),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Lookup::Unknown;
    }
    if !status.is_success() {
        return Lookup::Failed(format!("HTTP {status}"));
    }
    match tokio::time::timeout(TIMEOUT, response.json::<BanRecord>()).await {
        Ok(Ok(BanRecord {
            reason: Some(reason),
            player_name,
        })) if !reason.trim().is_empty() => Lookup::Found {
            reason,
            player_name,
        },
        Ok(Ok(_)) => Lookup::Unknown,
        Ok(Err(err)) => Lookup::Failed(err.to_string()),
        Err(_) => Lookup::Failed("Zeitüberschreitung".into()),
    }
}
