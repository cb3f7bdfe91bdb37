//! The few Discord HTTP calls the panel makes: the OAuth2 token exchange (through the `oauth2`
//! crate, carried by our reqwest client), the logged-in user, and the guild member lookup with
//! the bot token.

use std::time::Duration;

use serde::Deserialize;

use crate::config::Config;

/// Why a Discord call failed; the text is for the log only.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request to {url} failed: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} sent an unexpected body: {source}")]
    Body {
        url: String,
        #[source]
        source: reqwest::Error,
    },
}

/// A Discord user as `/users/@me` and the member object describe it.
#[derive(Debug, Clone, Deserialize)]
pub struct DiscordUser {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub global_name: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
}

impl DiscordUser {
    pub fn display_name(&self) -> &str {
        self.global_name
            .as_deref()
            .filter(|name| !name.is_empty())
            .unwrap_or(&self.username)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct GuildMember {
    #[serde(default)]
    pub user: Option<DiscordUser>,
    #[serde(default)]
    pub nick: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

impl GuildMember {
    pub fn role_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.roles.iter().filter_map(|role| role.parse().ok())
    }
}

/// A role or channel as the guild lists it (only what mentions need).
#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// HTTP client and the settings the calls need.
pub struct DiscordApi {
    http: reqwest::Client,
    users_me: String,
    member_base: String,
    guild_base: String,
    bot_token: String,
}

impl DiscordApi {
    pub fn new(config: &Config) -> Result<Self, reqwest::Error> {
        crate::process::install_crypto_provider();
        let http = reqwest::Client::builder()
            // The token endpoint must never be followed elsewhere (RFC 6749 §10.9-style
            // safety); none of these calls expects a redirect.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("ticketbot-panel/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            users_me: config.discord.url("api/v10/users/@me"),
            member_base: config
                .discord
                .url(&format!("api/v10/guilds/{}/members", config.guild_id)),
            guild_base: config
                .discord
                .url(&format!("api/v10/guilds/{}", config.guild_id)),
            bot_token: config.bot_token.clone(),
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The user an OAuth2 access token belongs to.
    pub async fn current_user(&self, access_token: &str) -> Result<DiscordUser, ApiError> {
        let request = self.http.get(&self.users_me).bearer_auth(access_token);
        let response = send(request, &self.users_me).await?;
        response.json().await.map_err(|source| ApiError::Body {
            url: self.users_me.clone(),
            source,
        })
    }

    /// The guild member `user_id`, looked up with the bot token; `None` when not a member.
    pub async fn member(&self, user_id: u64) -> Result<Option<GuildMember>, ApiError> {
        let url = format!("{}/{user_id}", self.member_base);
        let request = self
            .http
            .get(&url)
            .header("Authorization", format!("Bot {}", self.bot_token));
        match send(request, &url).await {
            Ok(response) => response
                .json()
                .await
                .map(Some)
                .map_err(|source| ApiError::Body { url, source }),
            Err(ApiError::Status { status: 404, .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The guild's roles or channels (`what`: "roles" or "channels"), with the bot token.
    pub async fn guild_list(&self, what: &str) -> Result<Vec<Named>, ApiError> {
        let url = format!("{}/{what}", self.guild_base);
        let request = self
            .http
            .get(&url)
            .header("Authorization", format!("Bot {}", self.bot_token));
        let response = send(request, &url).await?;
        response
            .json()
            .await
            .map_err(|source| ApiError::Body { url, source })
    }
}

async fn send(request: reqwest::RequestBuilder, url: &str) -> Result<reqwest::Response, ApiError> {
    let response = request.send().await.map_err(|source| ApiError::Transport {
        url: url.to_owned(),
        source,
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let mut body = response.text().await.unwrap_or_default();
    body.truncate(300);
    Err(ApiError::Status {
        url: url.to_owned(),
        status: status.as_u16(),
        body,
    })
}

/// Carries one `oauth2` request over reqwest (oauth2 5 takes any such async function).
pub async fn oauth_http(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    let mut answer = oauth2::HttpResponse::new(body);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}
