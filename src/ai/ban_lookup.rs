//! The community's ban database: `BAN_LOOKUP_URL` with `{id}`, answering `{reason, player_name}`
//! and, as the original's database does, `attachments`: URLs of evidence screenshots.

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
    /// A list of URLs; anything else in it is ignored rather than failing the lookup.
    #[serde(default)]
    attachments: Option<serde_json::Value>,
}

pub async fn lookup(http: &reqwest::Client, template: Option<&str>, id: &str) -> Lookup {
    lookup_with_evidence(http, template, id).await.0
}

/// The lookup and the evidence URLs of a found record (empty otherwise).
pub async fn lookup_with_evidence(
    http: &reqwest::Client,
    template: Option<&str>,
    id: &str,
) -> (Lookup, Vec<String>) {
    let Some(template) = template else {
        return (Lookup::NotConfigured, Vec::new());
    };
    // IDs are ASCII letters and digits only, so they need no escaping.
    let url = template.replace("{id}", id);
    let response = match tokio::time::timeout(TIMEOUT, http.get(&url).send()).await {
        Err(_) => return (Lookup::Failed("Zeitüberschreitung".into()), Vec::new()),
        Ok(Err(err)) => return (Lookup::Failed(err.to_string()), Vec::new()),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return (Lookup::Unknown, Vec::new());
    }
    if !status.is_success() {
        return (Lookup::Failed(format!("HTTP {status}")), Vec::new());
    }
    match tokio::time::timeout(TIMEOUT, response.json::<BanRecord>()).await {
        Ok(Ok(BanRecord {
            reason: Some(reason),
            player_name,
            attachments,
        })) if !reason.trim().is_empty() => (
            Lookup::Found {
                reason,
                player_name,
            },
            urls(attachments),
        ),
        Ok(Ok(_)) => (Lookup::Unknown, Vec::new()),
        Ok(Err(err)) => (Lookup::Failed(err.to_string()), Vec::new()),
        Err(_) => (Lookup::Failed("Zeitüberschreitung".into()), Vec::new()),
    }
}

/// The strings of a JSON list (a single string counts as a list of one).
fn urls(attachments: Option<serde_json::Value>) -> Vec<String> {
    match attachments {
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                serde_json::Value::String(url) => Some(url),
                _ => None,
            })
            .collect(),
        Some(serde_json::Value::String(url)) => vec![url],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::urls;
    use serde_json::json;

    #[test]
    fn evidence_urls_are_the_strings_of_the_list() {
        assert_eq!(
            urls(Some(json!(["http://a/1.png", 7, null, "http://a/2.png"]))),
            vec!["http://a/1.png", "http://a/2.png"]
        );
        assert_eq!(urls(Some(json!("http://a/1.png"))), vec!["http://a/1.png"]);
        assert!(urls(Some(json!({"x": 1}))).is_empty());
        assert!(urls(None).is_empty());
    }
}
