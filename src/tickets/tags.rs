//! `/tags set name text`, `/tags delete name`, `/tags list` (admins) and the names `/tag`
//! offers while one types. Posting a tag is the ticket actor's (`actor::tag`).

use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::application::interaction::{Interaction, InteractionData};

use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, Tag};
use crate::db::now_ms;
use crate::db::queries::{self, TagSaved};
use crate::error::Result;
use crate::ids;
use crate::texts;
use crate::tickets::blacklist::{log, refuse, subcommand};
use crate::tickets::commands::string_option;
use crate::tickets::context::Ctx;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{BLUE, ORANGE};
use crate::who::{self, Who};

pub const TAGS: &str = "tags";
pub const SET: &str = "set";
pub const DELETE: &str = "delete";
pub const LIST: &str = "list";

/// At most this many tags, each name at most [`NAME_CHARS`] long without spaces, each text at
/// most [`TEXT_CHARS`] (one Discord message).
pub const MAX_TAGS: i64 = 100;
pub const NAME_CHARS: usize = 32;
pub const TEXT_CHARS: usize = 2_000;
/// Discord shows at most 25 autocomplete choices.
const CHOICES: usize = 25;

/// A tag name: 1 to [`NAME_CHARS`] characters, none of them white space.
pub fn valid_name(name: &str) -> bool {
    (1..=NAME_CHARS).contains(&name.chars().count()) && !name.chars().any(char::is_whitespace)
}

pub async fn command(ctx: &Ctx, interaction: &Interaction) -> Result<()> {
    let who = Who::of(interaction);
    let asker = Asker {
        id: who.as_ref().map(|w| w.id),
        roles: who::roles(interaction),
    };
    if let Err(text) = policy::edit_tags(&ctx.config.roles, asker) {
        return refuse(ctx, interaction, who.as_ref(), &text).await;
    }
    let (Some((_, sub, options)), Some(by)) = (subcommand(interaction), who) else {
        return ctx
            .discord
            .ephemeral(interaction, texts::UNKNOWN_ACTION)
            .await;
    };
    let name = string_option(options, "name").unwrap_or_default();
    match sub {
        SET => {
            let text = string_option(options, "text").unwrap_or_default();
            if !valid_name(&name) {
                return refuse(
                    ctx,
                    interaction,
                    Some(&by),
                    &texts::bad_tag_name(NAME_CHARS),
                )
                .await;
            }
            if !(1..=TEXT_CHARS).contains(&text.trim().chars().count()) {
                return refuse(
                    ctx,
                    interaction,
                    Some(&by),
                    &texts::bad_tag_text(TEXT_CHARS),
                )
                .await;
            }
            let tag = Tag {
                name: name.clone(),
                body: text.trim().to_owned(),
                updated_by: ids::stored(by.id),
                updated_at: now_ms(),
            };
            let entry = NewAuditEntry::new(None, AuditAction::TagSaved, Some(&by), name.clone());
            let saved = ctx
                .db
                .write(move |conn| {
                    let saved = queries::save_tag(conn, &tag, MAX_TAGS)?;
                    if saved != TagSaved::Full {
                        queries::audit(conn, &entry)?;
                    }
                    Ok(saved)
                })
                .await?;
            if saved == TagSaved::Full {
                return refuse(ctx, interaction, Some(&by), &texts::tags_full(MAX_TAGS)).await;
            }
            ctx.discord
                .ephemeral(interaction, &texts::tag_saved(&name))
                .await?;
            log(ctx, texts::LOG_TAG_SAVED, Some(&by), name, BLUE);
            Ok(())
        }
        DELETE => {
            let entry = NewAuditEntry::new(None, AuditAction::TagDeleted, Some(&by), name.clone());
            let lookup = name.clone();
            let deleted = ctx
                .db
                .write(move |conn| {
                    let deleted = queries::delete_tag(conn, &lookup)?;
                    if deleted {
                        queries::audit(conn, &entry)?;
                    }
                    Ok(deleted)
                })
                .await?;
            if !deleted {
                return ctx
                    .discord
                    .ephemeral(interaction, &texts::unknown_tag(&name))
                    .await;
            }
            ctx.discord
                .ephemeral(interaction, &texts::tag_deleted(&name))
                .await?;
            log(ctx, texts::LOG_TAG_DELETED, Some(&by), name, ORANGE);
            Ok(())
        }
        LIST => {
            let tags = ctx.db.run(queries::tags_all).await?;
            let text = if tags.is_empty() {
                texts::TAGS_EMPTY.to_owned()
            } else {
                let names: Vec<String> = tags.iter().map(|t| format!("`{}`", t.name)).collect();
                format!(
                    "**{}** ({})\n{}",
                    texts::TAGS_TITLE,
                    tags.len(),
                    names.join(", ")
                )
            };
            ctx.discord.ephemeral(interaction, &text).await
        }
        _ => {
            ctx.discord
                .ephemeral(interaction, texts::UNKNOWN_ACTION)
                .await
        }
    }
}

/// The names `/tag` offers for what was typed so far: staff see those that contain it;
/// others see none (the names are the team's).
pub async fn autocomplete(ctx: &Ctx, interaction: &Interaction) -> Result<()> {
    let typed = focused(interaction).unwrap_or_default().to_lowercase();
    let choices = if ctx.config.roles.is_staff(who::roles(interaction)) {
        let tags = ctx.db.run(queries::tags_all).await?;
        let mut names: Vec<String> = tags.into_iter().map(|t| t.name).collect();
        // Names that start with what was typed first, then those that contain it.
        names.retain(|n| n.to_lowercase().contains(&typed));
        names.sort_by_key(|n| !n.to_lowercase().starts_with(&typed));
        names.truncate(CHOICES);
        names
    } else {
        Vec::new()
    };
    ctx.discord.autocomplete(interaction, choices).await
}

/// What the member has typed into the option being completed.
fn focused(interaction: &Interaction) -> Option<String> {
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        return None;
    };
    data.options.iter().find_map(|o| match &o.value {
        CommandOptionValue::Focused(typed, _) => Some(typed.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn a_tag_name_has_no_spaces_and_at_most_32_characters() {
        assert!(valid_name("regeln"));
        assert!(valid_name(&"ä".repeat(32)));
        assert!(!valid_name("zwei worte"));
        assert!(!valid_name(""));
        assert!(!valid_name(&"a".repeat(200)));
    }
}
