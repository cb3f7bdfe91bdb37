//! `/blacklist add user [reason]`, `/blacklist remove user`, `/blacklist list` (admins): who
//! may not open tickets. Server-wide, so carried out here, not by a ticket's actor.

use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};
use twilight_model::application::interaction::{Interaction, InteractionData};

use crate::audit::AuditAction;
use crate::db::models::{BlacklistEntry, NewAuditEntry};
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::texts;
use crate::tickets::commands::{string_option, user_option};
use crate::tickets::context::Ctx;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{GREEN, LogEntry, ORANGE};
use crate::tickets::target;
use crate::who::{self, Who};

pub const BLACKLIST: &str = "blacklist";
pub const ADD: &str = "add";
pub const REMOVE: &str = "remove";
pub const LIST: &str = "list";

/// The subcommand's name and options of a command with subcommands.
pub fn subcommand(
    interaction: &Interaction,
) -> Option<(
    &CommandData,
    &str,
    &[twilight_model::application::interaction::application_command::CommandDataOption],
)> {
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        return None;
    };
    let sub = data.options.first()?;
    let CommandOptionValue::SubCommand(options) = &sub.value else {
        return None;
    };
    Some((data, sub.name.as_str(), options.as_slice()))
}

/// A refused server-wide command: ephemeral answer, audit row (no ticket), log channel.
pub async fn refuse(
    ctx: &Ctx,
    interaction: &Interaction,
    who: Option<&Who>,
    text: &str,
) -> Result<()> {
    let entry = NewAuditEntry::new(None, AuditAction::Refused, who, text);
    ctx.db
        .write(move |conn| queries::audit(conn, &entry))
        .await?;
    ctx.discord.ephemeral(interaction, text).await?;
    log(ctx, texts::LOG_REFUSED, who, text.to_owned(), ORANGE);
    Ok(())
}

pub fn log(ctx: &Ctx, title: &str, who: Option<&Who>, detail: String, color: u32) {
    ctx.discord.log(LogEntry {
        title,
        ticket: None,
        actor: who,
        detail,
        color,
    });
}

pub async fn command(ctx: &Ctx, interaction: &Interaction) -> Result<()> {
    let who = Who::of(interaction);
    let asker = Asker {
        id: who.as_ref().map(|w| w.id),
        roles: who::roles(interaction),
    };
    let roles = &ctx.config.roles;
    let Some((_, sub, options)) = subcommand(interaction) else {
        return ctx
            .discord
            .ephemeral(interaction, texts::UNKNOWN_ACTION)
            .await;
    };
    let user = user_option(options, "user");
    match (sub, user, who) {
        (ADD, Some(user), Some(by)) => {
            let member = target::member(ctx.discord.as_ref(), interaction, user).await?;
            let target_roles = member.as_ref().map(|m| m.roles.as_slice());
            if let Err(text) =
                policy::blacklist(roles, asker, Some(target_roles.unwrap_or_default()))
            {
                return refuse(ctx, interaction, Some(&by), &text).await;
            }
            let reason = string_option(options, "reason").unwrap_or_default();
            let text = texts::blacklisted(user.get(), reason.trim());
            let row = BlacklistEntry {
                user_id: ids::stored(user),
                user_name: member.map(|m| m.name).unwrap_or_else(|| user.to_string()),
                reason: reason.trim().to_owned(),
                added_by: ids::stored(by.id),
                added_at: now_ms(),
            };
            let entry = NewAuditEntry::new(None, AuditAction::Blacklisted, Some(&by), text.clone());
            let added = ctx
                .db
                .write(move |conn| {
                    let added = queries::blacklist_add(conn, &row)?;
                    if added {
                        queries::audit(conn, &entry)?;
                    }
                    Ok(added)
                })
                .await?;
            if !added {
                return ctx
                    .discord
                    .ephemeral(interaction, &texts::already_blacklisted(user.get()))
                    .await;
            }
            ctx.discord.ephemeral(interaction, &text).await?;
            log(ctx, texts::LOG_BLACKLISTED, Some(&by), text, ORANGE);
            Ok(())
        }
        (REMOVE, Some(user), Some(by)) => {
            if let Err(text) = policy::blacklist(roles, asker, None) {
                return refuse(ctx, interaction, Some(&by), &text).await;
            }
            let text = texts::unblacklisted(user.get());
            let entry =
                NewAuditEntry::new(None, AuditAction::Unblacklisted, Some(&by), text.clone());
            let stored = ids::stored(user);
            let removed = ctx
                .db
                .write(move |conn| {
                    let removed = queries::blacklist_remove(conn, stored)?;
                    if removed {
                        queries::audit(conn, &entry)?;
                    }
                    Ok(removed)
                })
                .await?;
            if !removed {
                return ctx
                    .discord
                    .ephemeral(interaction, &texts::not_blacklisted(user.get()))
                    .await;
            }
            ctx.discord.ephemeral(interaction, &text).await?;
            log(ctx, texts::LOG_UNBLACKLISTED, Some(&by), text, GREEN);
            Ok(())
        }
        (LIST, _, who) => {
            if let Err(text) = policy::blacklist(roles, asker, None) {
                return refuse(ctx, interaction, who.as_ref(), &text).await;
            }
            let entries = ctx.db.run(queries::blacklist_all).await?;
            ctx.discord
                .ephemeral(interaction, &list_text(&entries))
                .await
        }
        _ => {
            ctx.discord
                .ephemeral(interaction, texts::UNKNOWN_ACTION)
                .await
        }
    }
}

fn list_text(entries: &[BlacklistEntry]) -> String {
    if entries.is_empty() {
        return texts::BLACKLIST_EMPTY.to_owned();
    }
    let mut text = format!("**{}**", texts::BLACKLIST_TITLE);
    for entry in entries {
        let since = entry.added_at.div_euclid(1000);
        text.push_str(&format!("\n<@{}> seit <t:{since}:d>", entry.user_id));
        if !entry.reason.is_empty() {
            text.push_str(&format!(": {}", entry.reason));
        }
    }
    text
}
