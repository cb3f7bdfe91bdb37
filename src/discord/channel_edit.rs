//! The port's channel edits that Discord limits or that touch one member: renames (two per
//! channel in 10 minutes, reported instead of waited for), single overwrites, member lookups
//! and autocomplete answers.

use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, UserMarker};

use super::adapter::DiscordRest;
use super::rest::{self, SentOrLater};
use crate::error::Result;
use crate::overwrites;
use crate::tickets::port::{Member, Renamed};

/// Discord answers at most 25 autocomplete choices of up to 100 characters.
const CHOICES: usize = 25;
const CHOICE_CHARS: usize = 100;

/// The rate limiter's name of a channel's PATCH route.
fn path(channel: Id<ChannelMarker>) -> String {
    format!("channels/{channel}")
}

impl DiscordRest {
    /// The move with the rename in one request; when the rename is put off, the move alone.
    pub(super) async fn move_or_rename_later(
        &self,
        channel: Id<ChannelMarker>,
        parent: Id<ChannelMarker>,
        overwrites: &[PermissionOverwrite],
        name: Option<&str>,
    ) -> Result<Renamed> {
        if let Some(name) = name {
            let sent =
                rest::send_or_later("move ticket channel", &self.renamer, path(channel), || {
                    self.renamer
                        .update_channel(channel)
                        .parent_id(Some(parent))
                        .permission_overwrites(overwrites)
                        .name(name)
                })
                .await?;
            let SentOrLater::Later(after) = sent else {
                return Ok(Renamed::Done);
            };
            rest::send("move ticket channel", || {
                self.http
                    .update_channel(channel)
                    .parent_id(Some(parent))
                    .permission_overwrites(overwrites)
            })
            .await?;
            return Ok(Renamed::Later(after));
        }
        rest::send("move ticket channel", || {
            self.http
                .update_channel(channel)
                .parent_id(Some(parent))
                .permission_overwrites(overwrites)
        })
        .await?;
        Ok(Renamed::Done)
    }

    pub(super) async fn rename_or_later(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
    ) -> Result<Renamed> {
        let sent = rest::send_or_later(
            "rename ticket channel",
            &self.renamer,
            path(channel),
            || self.renamer.update_channel(channel).name(name),
        )
        .await?;
        Ok(match sent {
            SentOrLater::Sent(_) => Renamed::Done,
            SentOrLater::Later(after) => Renamed::Later(after),
        })
    }

    pub(super) async fn put_overwrite(
        &self,
        channel: Id<ChannelMarker>,
        overwrite: &PermissionOverwrite,
    ) -> Result<()> {
        let overwrite = overwrites::for_http(overwrite);
        rest::send("set channel overwrite", || {
            self.http.update_channel_permission(channel, &overwrite)
        })
        .await?;
        Ok(())
    }

    pub(super) async fn delete_overwrite(
        &self,
        channel: Id<ChannelMarker>,
        user: Id<UserMarker>,
    ) -> Result<()> {
        rest::send("remove channel overwrite", || {
            self.http.delete_channel_permission(channel).member(user)
        })
        .await?;
        Ok(())
    }

    pub(super) async fn fetch_member(&self, user: Id<UserMarker>) -> Result<Option<Member>> {
        let fetched = rest::send("guild member", || self.http.guild_member(self.guild, user)).await;
        let member = match fetched {
            Ok(response) => response.model().await?,
            Err(err) if err.discord_status() == Some(404) => return Ok(None),
            Err(err) => return Err(err),
        };
        Ok(Some(Member {
            name: crate::who::display_name(member.nick.as_deref(), &member.user),
            roles: member.roles,
        }))
    }

    pub(super) async fn answer_choices(
        &self,
        interaction: &Interaction,
        choices: Vec<String>,
    ) -> Result<()> {
        let choices = choices
            .into_iter()
            .filter(|c| !c.is_empty() && c.chars().count() <= CHOICE_CHARS)
            .take(CHOICES)
            .map(|c| CommandOptionChoice {
                name: c.clone(),
                name_localizations: None,
                value: CommandOptionChoiceValue::String(c),
            })
            .collect();
        let response = InteractionResponse {
            kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
            data: Some(InteractionResponseData {
                choices: Some(choices),
                ..Default::default()
            }),
        };
        self.respond(interaction, response).await
    }
}
