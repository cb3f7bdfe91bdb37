//! The Discord half of `ticketbot check`: token, privileged intents, the server, its roles and
//! channels, and what the bot may do in them. Each step that the next ones need stops the
//! list when it fails, so a wrong token is one line, not ten.

use twilight_http::Client;
use twilight_model::channel::{Channel, ChannelType};
use twilight_model::guild::{Permissions, Role};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, RoleMarker};
use twilight_model::oauth::ApplicationFlags;
use twilight_util::permission_calculator::PermissionCalculator;

use super::Finding;
use crate::config::Config;

/// What the bot needs in the server and in each ticket category.
const NEEDED: [(Permissions, &str); 7] = [
    (Permissions::MANAGE_CHANNELS, "Manage Channels"),
    (Permissions::MANAGE_ROLES, "Manage Roles"),
    (Permissions::VIEW_CHANNEL, "View Channels"),
    (Permissions::SEND_MESSAGES, "Send Messages"),
    (Permissions::EMBED_LINKS, "Embed Links"),
    (Permissions::ATTACH_FILES, "Attach Files"),
    (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
];

pub async fn check(config: &Config) -> Vec<Finding> {
    let http = crate::discord::rest::client(config);
    let mut out = Vec::new();
    let bot = match http.current_user().await {
        Ok(response) => match response.model().await {
            Ok(user) => user,
            Err(err) => {
                out.push(unreadable("GET /users/@me", &err.to_string()));
                return out;
            }
        },
        Err(err) => {
            out.push(token_problem(config, &err));
            return out;
        }
    };
    out.push(Finding::ok(format!(
        "BOT_TOKEN: Discord accepts it; the bot is {} ({})",
        bot.name, bot.id
    )));
    match http.current_user_application().await {
        Ok(response) => match response.model().await {
            Ok(app) => out.extend(application(config, &app)),
            Err(err) => out.push(unreadable("GET /applications/@me", &err.to_string())),
        },
        Err(err) => out.push(unreadable("GET /applications/@me", &err.to_string())),
    }
    let Some(member_roles) = membership(config, &http, bot.id, &mut out).await else {
        return out;
    };
    let roles = match fetch_roles(config, &http).await {
        Ok(roles) => roles,
        Err(finding) => {
            out.push(finding);
            return out;
        }
    };
    out.extend(role_settings(config, &roles));
    let channels = match http.guild_channels(config.guild_id).await {
        Ok(response) => response.models().await.unwrap_or_default(),
        Err(err) => {
            out.push(unreadable("the server's channels", &err.to_string()));
            return out;
        }
    };
    out.extend(channel_settings(config, &channels));
    out.extend(permissions(
        config,
        bot.id,
        &roles,
        &member_roles,
        &channels,
    ));
    out
}

fn token_problem(config: &Config, err: &twilight_http::Error) -> Finding {
    use twilight_http::error::ErrorType;
    match err.kind() {
        ErrorType::Unauthorized | ErrorType::Response { .. } if status_of(err) == Some(401) => {
            Finding::problem(
                "BOT_TOKEN: Discord refuses the token (401)",
                "Developer Portal → your application → Bot → Reset Token; put the new token in BOT_TOKEN",
            )
        }
        _ => Finding::problem(
            format!(
                "Discord at {} cannot be asked: {err}",
                config.discord.api_base
            ),
            "check the network, a proxy, or DISCORD_API_BASE",
        ),
    }
}

fn status_of(err: &twilight_http::Error) -> Option<u16> {
    match err.kind() {
        twilight_http::error::ErrorType::Response { status, .. } => Some(status.get()),
        twilight_http::error::ErrorType::Unauthorized => Some(401),
        _ => None,
    }
}

fn unreadable(what: &str, cause: &str) -> Finding {
    Finding::problem(
        format!("{what}: Discord's answer could not be read: {cause}"),
        "try again; if it stays, report it with this line",
    )
}

/// The privileged intents the bot asks for, and the panel's client id.
fn application(config: &Config, app: &twilight_model::oauth::Application) -> Vec<Finding> {
    let flags = app.flags.unwrap_or_else(ApplicationFlags::empty);
    let mut out = Vec::new();
    for (name, full, limited) in [
        (
            "Message Content Intent",
            ApplicationFlags::GATEWAY_MESSAGE_CONTENT,
            ApplicationFlags::GATEWAY_MESSAGE_CONTENT_LIMITED,
        ),
        (
            "Server Members Intent",
            ApplicationFlags::GATEWAY_GUILD_MEMBERS,
            ApplicationFlags::GATEWAY_GUILD_MEMBERS_LIMITED,
        ),
    ] {
        if flags.intersects(full | limited) {
            out.push(Finding::ok(format!("{name} is on")));
        } else {
            out.push(Finding::problem(
                format!("{name} is off: Discord refuses the bot's connection without it (4014)"),
                format!("Developer Portal → your application → Bot → Privileged Gateway Intents: turn on {name}"),
            ));
        }
    }
    if config.panel.client_id.trim() != app.id.to_string() {
        out.push(Finding::problem(
            format!(
                "DISCORD_CLIENT_ID {} is not this bot's application ({})",
                config.panel.client_id, app.id
            ),
            "Developer Portal → your application → OAuth2: copy the Client ID into DISCORD_CLIENT_ID",
        ));
    }
    let redirect = config.panel.redirect_uri.as_str();
    match &app.redirect_uris {
        Some(registered) if registered.iter().any(|uri| uri == redirect) => {
            out.push(Finding::ok(format!(
                "DISCORD_REDIRECT_URI {redirect} is registered"
            )));
        }
        Some(_) => out.push(Finding::problem(
            format!("DISCORD_REDIRECT_URI {redirect} is not registered: the panel login fails"),
            format!("Developer Portal → your application → OAuth2 → Redirects: add {redirect}"),
        )),
        None => {}
    }
    out
}

/// The bot's roles in `GUILD_ID`, or None (with the finding) when it is not there.
async fn membership(
    config: &Config,
    http: &Client,
    bot: Id<twilight_model::id::marker::UserMarker>,
    out: &mut Vec<Finding>,
) -> Option<Vec<Id<RoleMarker>>> {
    let guild = config.guild_id;
    match http.guild_member(guild, bot).await {
        Ok(response) => match response.model().await {
            Ok(member) => {
                out.push(Finding::ok(format!(
                    "GUILD_ID {guild}: the bot is a member"
                )));
                Some(member.roles)
            }
            Err(err) => {
                out.push(unreadable("the bot's membership", &err.to_string()));
                None
            }
        },
        Err(err) if matches!(status_of(&err), Some(403 | 404)) => {
            out.push(Finding::problem(
                format!("GUILD_ID {guild}: the bot is not a member of this server (or the id is wrong)"),
                format!(
                    "copy the server's id (developer mode on, right-click the server → Copy Server ID) into GUILD_ID, \
                     and invite the bot: https://discord.com/oauth2/authorize?client_id={bot}&scope=bot+applications.commands&permissions={}",
                    NEEDED.iter().fold(Permissions::empty(), |all, (p, _)| all | *p).bits()
                ),
            ));
            None
        }
        Err(err) => {
            out.push(unreadable("the bot's membership", &err.to_string()));
            None
        }
    }
}

async fn fetch_roles(config: &Config, http: &Client) -> Result<Vec<Role>, Finding> {
    match http.roles(config.guild_id).await {
        Ok(response) => response
            .models()
            .await
            .map_err(|err| unreadable("the server's roles", &err.to_string())),
        Err(err) => Err(unreadable("the server's roles", &err.to_string())),
    }
}

fn role_settings(config: &Config, roles: &[Role]) -> Vec<Finding> {
    let mut wanted = vec![
        ("SUPPORT_ROLE_ID", config.roles.support),
        ("ADMIN_ROLE_ID", config.roles.admin),
    ];
    wanted.extend(
        config
            .roles
            .viewers
            .iter()
            .map(|id| ("VIEWER_ROLE_ID/VIEWER2_ROLE_ID", *id)),
    );
    wanted.extend(
        config
            .panel
            .allowed_roles
            .iter()
            .map(|id| ("ALLOWED_ROLES", *id)),
    );
    wanted
        .into_iter()
        .map(|(key, id)| match roles.iter().find(|role| role.id == id) {
            Some(role) => Finding::ok(format!("{key} {id}: role \"{}\"", role.name)),
            None => Finding::problem(
                format!("{key} {id}: no such role in the server"),
                format!("Server Settings → Roles → right-click the role → Copy Role ID, and put it in {key}"),
            ),
        })
        .collect()
}

fn channel_settings(config: &Config, channels: &[Channel]) -> Vec<Finding> {
    let categories = [
        ("CREATED_TICKETS_CATEGORY_ID", config.categories.created),
        ("CLAIMED_TICKETS_CATEGORY_ID", config.categories.claimed),
        ("CLOSED_TICKETS_CATEGORY_ID", config.categories.closed),
    ];
    let mut out: Vec<Finding> = categories
        .iter()
        .map(|(key, id)| {
            kind_of(
                channels,
                key,
                *id,
                &[ChannelType::GuildCategory],
                "a category",
            )
        })
        .collect();
    out.push(kind_of(
        channels,
        "TICKET_LOG_CHANNEL_ID",
        config.log_channel_id,
        &[ChannelType::GuildText, ChannelType::GuildAnnouncement],
        "a text channel",
    ));
    out
}

fn kind_of(
    channels: &[Channel],
    key: &str,
    id: Id<ChannelMarker>,
    kinds: &[ChannelType],
    expected: &str,
) -> Finding {
    match channels.iter().find(|channel| channel.id == id) {
        Some(channel) if kinds.contains(&channel.kind) => Finding::ok(format!(
            "{key} {id}: {expected} \"{}\"",
            channel.name.as_deref().unwrap_or("")
        )),
        Some(channel) => Finding::problem(
            format!(
                "{key} {id}: \"{}\" is not {expected}",
                channel.name.as_deref().unwrap_or("")
            ),
            format!("put the id of {expected} in {key} (right-click it → Copy Channel ID)"),
        ),
        None => Finding::problem(
            format!("{key} {id}: no such channel in the server"),
            format!(
                "create {expected} or copy the id of the existing one into {key} (right-click it → Copy Channel ID)"
            ),
        ),
    }
}

/// The bot's permissions in the server and where it creates, moves and posts.
fn permissions(
    config: &Config,
    bot: Id<twilight_model::id::marker::UserMarker>,
    roles: &[Role],
    member_roles: &[Id<RoleMarker>],
    channels: &[Channel],
) -> Vec<Finding> {
    let everyone = roles
        .iter()
        .find(|role| role.id.get() == config.guild_id.get())
        .map_or(Permissions::empty(), |role| role.permissions);
    let own: Vec<(Id<RoleMarker>, Permissions)> = roles
        .iter()
        .filter(|role| member_roles.contains(&role.id))
        .map(|role| (role.id, role.permissions))
        .collect();
    let calculator = PermissionCalculator::new(config.guild_id, bot, everyone, &own);
    let mut out = vec![missing_in(
        "the server",
        calculator.root(),
        &NEEDED,
        "Server Settings → Roles → the bot's role: allow",
    )];
    let places = [
        ("CREATED_TICKETS_CATEGORY_ID", config.categories.created),
        ("CLAIMED_TICKETS_CATEGORY_ID", config.categories.claimed),
        ("CLOSED_TICKETS_CATEGORY_ID", config.categories.closed),
        ("TICKET_LOG_CHANNEL_ID", config.log_channel_id),
    ];
    for (key, id) in places {
        let Some(channel) = channels.iter().find(|channel| channel.id == id) else {
            continue;
        };
        let overwrites = channel.permission_overwrites.clone().unwrap_or_default();
        let granted = PermissionCalculator::new(config.guild_id, bot, everyone, &own)
            .in_channel(channel.kind, &overwrites);
        let needed: &[(Permissions, &str)] = if key == "TICKET_LOG_CHANNEL_ID" {
            &NEEDED[2..5]
        } else {
            &NEEDED
        };
        out.push(missing_in(
            &format!("{key} {id}"),
            granted,
            needed,
            "edit its permissions (Edit Channel → Permissions) and allow the bot's role",
        ));
    }
    out
}

fn missing_in(
    place: &str,
    granted: Permissions,
    needed: &[(Permissions, &str)],
    fix: &str,
) -> Finding {
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(permission, _)| !granted.contains(*permission))
        .map(|(_, name)| *name)
        .collect();
    if missing.is_empty() {
        Finding::ok(format!("bot permissions in {place}: all it needs"))
    } else {
        let list = missing.join(", ");
        Finding::problem(
            format!("bot permissions in {place}: missing {list}"),
            format!("{fix} {list}"),
        )
    }
}
