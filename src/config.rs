//! Typed settings from the environment (and `.env`). Every key of the original Python bot is
//! read unchanged; a missing or malformed value names the key and what it expects.

pub mod attachments;
pub mod database;
mod dotenv;
pub mod ocr;
mod values;
mod workflow;

use std::net::IpAddr;
use std::time::Duration;

use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use url::Url;

pub use database::DEFAULT_DATABASE_URL;
pub use dotenv::dotenv_values;
use values::{Env, parse_id_list, parse_url};
pub use workflow::AutoClose;

/// A setting that is missing or malformed; shown to the operator as `KEY: problem`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl ConfigError {
    fn new(key: &str, problem: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bot_token: String,
    pub guild_id: Id<GuildMarker>,
    pub roles: Roles,
    pub categories: Categories,
    pub log_channel_id: Id<ChannelMarker>,
    pub max_tickets_per_supporter: u32,
    /// `MAX_TICKETS_PER_USER_PER_DAY`: tickets one member (not staff) may open in any 24 hours.
    pub max_tickets_per_user_per_day: u32,
    /// `TICKET_COOLDOWN`: least time between the openings of two tickets of one member (not
    /// staff); zero means none.
    pub ticket_cooldown: Duration,
    pub cleanup_after: Duration,
    /// `AUTO_CLOSE_AFTER` / `AUTO_CLOSE_WARNING`; None: no inactivity auto-close.
    pub auto_close: Option<AutoClose>,
    /// `AUTO_ASSIGN`: a handed-over ticket is claimed for the least-loaded supporter on duty.
    pub auto_assign: bool,
    /// How often closed channels are checked for cleanup (`TICKET_CLEANUP_INTERVAL_SECONDS`).
    pub cleanup_every: Duration,
    /// `TRANSCRIPT_RETENTION_DAYS`: closed and deleted tickets older than this are removed;
    /// None keeps them forever.
    pub retention: Option<Duration>,
    /// `CLOSE_REQUEST_TIMEOUT`: a close request nobody answers closes the ticket after this.
    pub close_request_timeout: Duration,
    /// `REOPEN_BY_OPENER`: the opener may reopen their closed ticket (staff always may).
    pub reopen_by_opener: bool,
    pub ai: AiConfig,
    pub panel: PanelConfig,
    pub database_url: String,
    pub discord: DiscordEndpoints,
    /// `ATTACHMENT_STORE`, `ATTACHMENT_MAX_MB` and the `AWS_*` keys of an S3 store.
    pub attachments: attachments::AttachmentConfig,
    /// `TESSERACT_PATH` and `OCR_TIMEOUT`: reading ban evidence and the opener's screenshots.
    pub ocr: ocr::OcrConfig,
}

#[derive(Debug, Clone)]
pub struct Roles {
    pub support: Id<RoleMarker>,
    pub admin: Id<RoleMarker>,
    /// `VIEWER_ROLE_ID` and `VIEWER2_ROLE_ID`; unset or `0` means "no such role", as in the original.
    pub viewers: Vec<Id<RoleMarker>>,
}

impl Roles {
    pub fn is_staff(&self, member_roles: &[Id<RoleMarker>]) -> bool {
        member_roles.contains(&self.support) || member_roles.contains(&self.admin)
    }

    pub fn is_admin(&self, member_roles: &[Id<RoleMarker>]) -> bool {
        member_roles.contains(&self.admin)
    }
}

#[derive(Debug, Clone)]
pub struct Categories {
    pub created: Id<ChannelMarker>,
    pub claimed: Id<ChannelMarker>,
    pub closed: Id<ChannelMarker>,
}

#[derive(Debug, Clone)]
pub struct AiConfig {
    /// `None`: the secretary runs the scripted intake.
    pub api_key: Option<String>,
    pub model: String,
    pub base_url: String,
    /// `BAN_LOOKUP_URL`, with `{id}` where the player id goes.
    pub ban_lookup_url: Option<String>,
    /// `OPENAI_TIMEOUT_SECONDS`: the longest one AI request may take before the scripted
    /// intake takes over.
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct PanelConfig {
    pub secret_key: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: Url,
    pub allowed_roles: Vec<Id<RoleMarker>>,
    pub address: IpAddr,
    pub port: u16,
    /// `METRICS_TOKEN`: the bearer token that opens `/metrics` from elsewhere than loopback.
    pub metrics_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DiscordEndpoints {
    /// Scheme, host and port standing in for `https://discord.com`.
    pub api_base: Url,
    /// Websocket URL of the gateway; `None` uses Discord's.
    pub gateway_url: Option<String>,
}

impl DiscordEndpoints {
    /// `host[:port]` for twilight-http's proxy mode, and whether to use plain http.
    pub fn rest_proxy(&self) -> Option<(String, bool)> {
        if self.api_base.host_str() == Some("discord.com") && self.api_base.port().is_none() {
            return None;
        }
        let host = self.api_base.host_str().unwrap_or("discord.com");
        let authority = match self.api_base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Some((authority, self.api_base.scheme() == "http"))
    }

    /// `{base}/{path}` with `path` relative to the base (no leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.api_base.as_str().trim_end_matches('/'), path)
    }
}

/// Which part of the program is starting; each needs its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Bot,
    Panel,
    Both,
}

impl Config {
    /// Reads the settings through `lookup`; tests pass a map.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let roles = Roles {
            support: env.id("SUPPORT_ROLE_ID")?,
            admin: env.id("ADMIN_ROLE_ID")?,
            viewers: [
                env.optional_id("VIEWER_ROLE_ID")?,
                env.optional_id("VIEWER2_ROLE_ID")?,
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        let allowed_roles = match env.optional("ALLOWED_ROLES") {
            Some(list) => allowed_roles(&list)?,
            None => [roles.admin, roles.support]
                .into_iter()
                .chain(roles.viewers.iter().copied())
                .collect(),
        };
        let secret_key = secret_key(&env)?;
        let api_base = env.url(
            "DISCORD_API_BASE",
            "https://discord.com",
            &["http", "https"],
        )?;
        let gateway_url = match env.optional("DISCORD_GATEWAY_URL") {
            Some(raw) => {
                parse_url("DISCORD_GATEWAY_URL", &raw, &["ws", "wss"])?;
                Some(raw.trim_end_matches('/').to_owned())
            }
            None => None,
        };
        let openai_base = env.url(
            "OPENAI_BASE_URL",
            "https://api.openai.com/v1",
            &["http", "https"],
        )?;
        let ban_lookup_url = match env.optional("BAN_LOOKUP_URL") {
            Some(raw) => {
                parse_url(
                    "BAN_LOOKUP_URL",
                    &raw.replace("{id}", "x"),
                    &["http", "https"],
                )?;
                if !raw.contains("{id}") {
                    return Err(ConfigError::new(
                        "BAN_LOOKUP_URL",
                        format!(
                            "expected a URL containing {{id}} where the player id goes, got {raw:?}"
                        ),
                    ));
                }
                Some(raw)
            }
            None => None,
        };
        let database_url = database::url_or_default(env.optional("DATABASE_URL"));
        database::Backend::from_url(&database_url)?;

        Ok(Self {
            bot_token: env.required("BOT_TOKEN")?,
            guild_id: env.id("GUILD_ID")?,
            roles,
            categories: Categories {
                created: env.id("CREATED_TICKETS_CATEGORY_ID")?,
                claimed: env.id("CLAIMED_TICKETS_CATEGORY_ID")?,
                closed: env.id("CLOSED_TICKETS_CATEGORY_ID")?,
            },
            log_channel_id: env.id("TICKET_LOG_CHANNEL_ID")?,
            max_tickets_per_supporter: env.number("MAX_TICKETS_PER_SUPPORTER", 3, 1..=1000)?,
            max_tickets_per_user_per_day: env.number(
                "MAX_TICKETS_PER_USER_PER_DAY",
                10,
                1..=10_000,
            )?,
            ticket_cooldown: env.duration("TICKET_COOLDOWN", Duration::ZERO)?,
            cleanup_after: Duration::from_secs(
                u64::from(env.number("TICKET_CLEANUP_DAYS", 7, 0..=3650)?) * 86_400,
            ),
            auto_close: workflow::auto_close(&env)?,
            auto_assign: env.boolean("AUTO_ASSIGN", false)?,
            cleanup_every: Duration::from_secs(u64::from(env.number(
                "TICKET_CLEANUP_INTERVAL_SECONDS",
                900,
                1..=86_400,
            )?)),
            retention: env
                .optional("TRANSCRIPT_RETENTION_DAYS")
                .map(|_| env.number("TRANSCRIPT_RETENTION_DAYS", 0, 1..=36_500))
                .transpose()?
                .map(|days| Duration::from_secs(u64::from(days) * 86_400)),
            close_request_timeout: env
                .duration("CLOSE_REQUEST_TIMEOUT", Duration::from_secs(24 * 3600))?,
            reopen_by_opener: env.boolean("REOPEN_BY_OPENER", true)?,
            ai: AiConfig {
                api_key: env.optional("OPENAI_API_KEY"),
                model: env
                    .optional("OPENAI_MODEL")
                    .unwrap_or_else(|| "gpt-3.5-turbo".to_owned()),
                base_url: openai_base.as_str().trim_end_matches('/').to_owned(),
                ban_lookup_url,
                timeout: Duration::from_secs(u64::from(env.number(
                    "OPENAI_TIMEOUT_SECONDS",
                    20,
                    1..=600,
                )?)),
            },
            panel: PanelConfig {
                secret_key,
                client_id: env.required("DISCORD_CLIENT_ID")?,
                client_secret: env.required("DISCORD_CLIENT_SECRET")?,
                redirect_uri: redirect_uri(&env)?,
                allowed_roles,
                address: match env.optional("PANEL_ADDRESS") {
                    Some(raw) => raw.parse().map_err(|_| {
                        ConfigError::new(
                            "PANEL_ADDRESS",
                            format!("expected an IP address like 127.0.0.1, got {raw:?}"),
                        )
                    })?,
                    None => IpAddr::from([127, 0, 0, 1]),
                },
                port: env.number("PANEL_PORT", 60123, 0..=65535)? as u16,
                metrics_token: metrics_token(env.optional("METRICS_TOKEN"))?,
            },
            database_url,
            discord: DiscordEndpoints {
                api_base,
                gateway_url,
            },
            attachments: attachments::AttachmentConfig::read(&env)?,
            ocr: ocr::OcrConfig::read(&env)?,
        })
    }
}

/// Shortest `METRICS_TOKEN` accepted: a guessable token would open the metrics to anyone.
const METRICS_TOKEN_MIN_CHARS: usize = 16;

fn metrics_token(raw: Option<String>) -> Result<Option<String>, ConfigError> {
    match raw {
        Some(token) if token.chars().count() < METRICS_TOKEN_MIN_CHARS => Err(ConfigError::new(
            "METRICS_TOKEN",
            format!(
                "too short ({} characters); use a random string of at least \
                 {METRICS_TOKEN_MIN_CHARS}, e.g. from `openssl rand -hex 24`",
                token.chars().count()
            ),
        )),
        other => Ok(other),
    }
}

/// The panel's cookie secret must hold enough randomness that sessions cannot be forged.
pub const MIN_SECRET_KEY_BYTES: usize = 32;

/// `FLASK_SECRET_KEY` (the original's name) or `PANEL_SECRET_KEY`, at least 32 bytes.
fn secret_key(env: &Env<'_>) -> Result<String, ConfigError> {
    const HOW: &str = "make one with: openssl rand -hex 32";
    let (key, value) = match env.optional("FLASK_SECRET_KEY") {
        Some(value) => ("FLASK_SECRET_KEY", value),
        None => match env.optional("PANEL_SECRET_KEY") {
            Some(value) => ("PANEL_SECRET_KEY", value),
            None => {
                return Err(ConfigError::new(
                    "FLASK_SECRET_KEY",
                    format!(
                        "missing; expected a random string of at least {MIN_SECRET_KEY_BYTES} \
                         bytes (PANEL_SECRET_KEY is accepted too); {HOW}"
                    ),
                ));
            }
        },
    };
    if value.len() < MIN_SECRET_KEY_BYTES {
        return Err(ConfigError::new(
            key,
            format!(
                "too short ({} bytes); the panel's session cookies need at least \
                 {MIN_SECRET_KEY_BYTES} random bytes; {HOW}",
                value.len()
            ),
        ));
    }
    Ok(value)
}

/// `ALLOWED_ROLES`: a list that names no role at all (`,,,`) is a mistake, not "nobody".
fn allowed_roles(list: &str) -> Result<Vec<Id<RoleMarker>>, ConfigError> {
    let roles = parse_id_list("ALLOWED_ROLES", list)?;
    if roles.is_empty() {
        return Err(ConfigError::new(
            "ALLOWED_ROLES",
            format!(
                "names no role id, got {list:?}; expected comma-separated Discord ids, or leave \
                 it unset for admin, support and viewers"
            ),
        ));
    }
    Ok(roles)
}

/// `DISCORD_REDIRECT_URI`: the panel serves its login callback at this URI's path, so it needs
/// one of its own (`/callback`), not the site root.
fn redirect_uri(env: &Env<'_>) -> Result<Url, ConfigError> {
    let raw = env.required("DISCORD_REDIRECT_URI")?;
    let url = parse_url("DISCORD_REDIRECT_URI", &raw, &["http", "https"])?;
    if url.path().trim_end_matches('/').is_empty() {
        return Err(ConfigError::new(
            "DISCORD_REDIRECT_URI",
            format!(
                "needs a path for the login callback, like https://panel.example/callback; \
                 got {raw:?}"
            ),
        ));
    }
    Ok(url)
}
