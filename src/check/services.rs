//! The other half of `ticketbot check`: the OpenAI key and model, the ban database, and
//! whether the OAuth2 callback reaches a panel.

use std::time::Duration;

use super::Finding;
use crate::config::Config;

const TIMEOUT: Duration = Duration::from_secs(10);
/// A player ID of the right shape that no ban database holds.
const PROBE_PLAYER_ID: &str = "0000000000000000";

pub async fn check(config: &Config) -> Vec<Finding> {
    let http = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(http) => http,
        Err(err) => {
            return vec![Finding::problem(
                format!("no HTTP client: {err}"),
                "report this line",
            )];
        }
    };
    let mut out = vec![openai(config, &http).await];
    if let Some(template) = &config.ai.ban_lookup_url {
        out.push(ban_lookup(template, &http).await);
    }
    out.push(callback(config, &http).await);
    out
}

/// `GET {OPENAI_BASE_URL}/models/{OPENAI_MODEL}`: costs no tokens and says whether the key
/// and the model are good.
async fn openai(config: &Config, http: &reqwest::Client) -> Finding {
    let Some(key) = &config.ai.api_key else {
        return Finding::ok("OPENAI_API_KEY is not set: Sigrid runs the scripted intake");
    };
    let model = &config.ai.model;
    let url = format!(
        "{}/models/{model}",
        config.ai.base_url.trim_end_matches('/')
    );
    match http.get(&url).bearer_auth(key).send().await {
        Ok(response) => match response.status().as_u16() {
            200..=299 => Finding::ok(format!("OPENAI_API_KEY and OPENAI_MODEL {model}: accepted")),
            401 | 403 => Finding::problem(
                "OPENAI_API_KEY: refused by the API",
                "create a key at your provider and put it in OPENAI_API_KEY (or remove it for the scripted intake)",
            ),
            404 => Finding::problem(
                format!("OPENAI_MODEL {model}: the API knows no such model"),
                "put a model your key may use in OPENAI_MODEL, e.g. gpt-4o-mini",
            ),
            status => Finding::problem(
                format!("OpenAI at {}: answered {status}", config.ai.base_url),
                "try again later; check OPENAI_BASE_URL",
            ),
        },
        Err(err) => Finding::problem(
            format!("OpenAI at {} cannot be reached: {err}", config.ai.base_url),
            "check the network or OPENAI_BASE_URL",
        ),
    }
}

/// Any answer of the ban database counts (an unknown ID is a 404); no answer does not.
async fn ban_lookup(template: &str, http: &reqwest::Client) -> Finding {
    let url = template.replace("{id}", PROBE_PLAYER_ID);
    match http.get(&url).send().await {
        Ok(response) if response.status().is_server_error() => Finding::problem(
            format!(
                "BAN_LOOKUP_URL: the ban database answered {}",
                response.status()
            ),
            "check the ban database's server",
        ),
        Ok(response) => Finding::ok(format!(
            "BAN_LOOKUP_URL answers ({} for a test ID)",
            response.status().as_u16()
        )),
        Err(err) => Finding::problem(
            format!("BAN_LOOKUP_URL cannot be reached: {err}"),
            "check the address in BAN_LOOKUP_URL ({id} stands for the player ID) or the ban database's server",
        ),
    }
}

/// The OAuth2 callback: a panel there answers it (without a login it sends the browser on);
/// a server that says 404 is not the panel. Nothing answering is fine while the panel is not
/// started yet.
async fn callback(config: &Config, http: &reqwest::Client) -> Finding {
    let uri = config.panel.redirect_uri.as_str();
    let no_redirects = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| http.clone());
    match no_redirects.get(uri).send().await {
        Ok(response) if response.status() == reqwest::StatusCode::NOT_FOUND => Finding::problem(
            format!("DISCORD_REDIRECT_URI {uri}: the server there does not know this path (404)"),
            "point DISCORD_REDIRECT_URI (and the proxy in front of the panel) at the panel; it serves the callback at that path",
        ),
        Ok(_) => Finding::ok(format!("DISCORD_REDIRECT_URI {uri}: a panel answers")),
        Err(_) => Finding::ok(format!(
            "DISCORD_REDIRECT_URI {uri}: nothing answers yet (fine while the panel is not running)"
        )),
    }
}
