//! The Discord port over twilight: interaction answers, posts, channels, history and the log
//! channel, each fitted to Discord's limits and sent through the one retry point
//! ([`rest::send`]).

use std::sync::Arc;

use twilight_http::Client;
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::{AllowedMentions, Component, Embed, MessageFlags};
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::channel::{Channel, ChannelType, Message};
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::log_channel::LogChannel;
use super::rest;
use crate::error::Result;
use crate::limits;
use crate::tickets::port::{Call, Discord, HISTORY_PAGE, LogEntry, Member, Post, Renamed};

/// The port's twilight side: the REST client, the log channel's poster and the server.
pub struct DiscordRest {
    pub http: Arc<Client>,
    /// A client of its own for the channel PATCHes that rename: what its rate limiter learns
    /// from a rename's 429 (the channel's route closed for minutes) must not hold up the
    /// moves and overwrites `http` sends to the same channel meanwhile.
    pub(super) renamer: Client,
    log: LogChannel,
    pub(super) guild: Id<GuildMarker>,
}

impl DiscordRest {
    pub fn new(
        http: Arc<Client>,
        renamer: Client,
        log: LogChannel,
        guild: Id<GuildMarker>,
    ) -> Self {
        Self {
            http,
            renamer,
            log,
            guild,
        }
    }

    /// Every interaction answer passes here, so none can exceed Discord's limits.
    pub(super) async fn respond(
        &self,
        interaction: &Interaction,
        mut response: InteractionResponse,
    ) -> Result<()> {
        response.data = response.data.map(limits::response);
        let client = self.http.interaction(interaction.application_id);
        rest::send("interaction response", || {
            client.create_response(interaction.id, &interaction.token, &response)
        })
        .await?;
        Ok(())
    }

    pub(super) async fn answer(
        &self,
        interaction: &Interaction,
        data: InteractionResponseData,
    ) -> Result<()> {
        let response = InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(data),
        };
        self.respond(interaction, response).await
    }

    async fn finish(&self, interaction: &Interaction, content: &str) -> Result<()> {
        let client = self.http.interaction(interaction.application_id);
        let mentions = AllowedMentions::default();
        let content = limits::content(content);
        rest::send("interaction follow-up", || {
            client
                .update_response(&interaction.token)
                .content(Some(&content))
                .allowed_mentions(Some(&mentions))
        })
        .await?;
        Ok(())
    }

    async fn send_post(
        &self,
        what: &str,
        channel: Id<ChannelMarker>,
        message: Post<'_>,
    ) -> Result<Message> {
        let content = limits::content(message.content);
        let embeds = limits::embeds(message.embeds);
        rest::fetch(what, || {
            let mut request = self.http.create_message(channel);
            if !content.is_empty() {
                request = request.content(&content);
            }
            if !embeds.is_empty() {
                request = request.embeds(&embeds);
            }
            if !message.components.is_empty() {
                request = request.components(&message.components);
            }
            if let Some(mentions) = &message.mentions {
                request = request.allowed_mentions(Some(mentions));
            }
            request
        })
        .await
    }
}

/// A [`Post`] as the data of an interaction answer.
fn post_data(message: Post<'_>) -> InteractionResponseData {
    InteractionResponseData {
        allowed_mentions: Some(message.mentions.unwrap_or_default()),
        content: (!message.content.is_empty()).then(|| message.content.to_owned()),
        embeds: (!message.embeds.is_empty()).then_some(message.embeds),
        components: (!message.components.is_empty()).then_some(message.components),
        ..Default::default()
    }
}

fn message(content: &str, flags: Option<MessageFlags>) -> InteractionResponseData {
    InteractionResponseData {
        allowed_mentions: Some(AllowedMentions::default()),
        content: Some(content.to_owned()),
        flags,
        ..Default::default()
    }
}

impl Discord for DiscordRest {
    fn ephemeral<'a>(&'a self, interaction: &'a Interaction, content: &'a str) -> Call<'a, ()> {
        Box::pin(self.answer(interaction, message(content, Some(MessageFlags::EPHEMERAL))))
    }

    fn public<'a>(&'a self, interaction: &'a Interaction, content: &'a str) -> Call<'a, ()> {
        Box::pin(self.answer(interaction, message(content, None)))
    }

    fn ephemeral_with_file<'a>(
        &'a self,
        interaction: &'a Interaction,
        content: &'a str,
        filename: String,
        file: Vec<u8>,
    ) -> Call<'a, ()> {
        let mut data = message(content, Some(MessageFlags::EPHEMERAL));
        data.attachments = Some(vec![Attachment::from_bytes(filename, file, 0)]);
        Box::pin(self.answer(interaction, data))
    }

    fn defer_ephemeral<'a>(&'a self, interaction: &'a Interaction) -> Call<'a, ()> {
        let response = InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: Some(InteractionResponseData {
                flags: Some(MessageFlags::EPHEMERAL),
                ..Default::default()
            }),
        };
        Box::pin(self.respond(interaction, response))
    }

    fn finish_deferred<'a>(
        &'a self,
        interaction: &'a Interaction,
        content: &'a str,
    ) -> Call<'a, ()> {
        Box::pin(self.finish(interaction, content))
    }

    fn post<'a>(
        &'a self,
        what: &'a str,
        channel: Id<ChannelMarker>,
        message: Post<'a>,
    ) -> Call<'a, Message> {
        Box::pin(self.send_post(what, channel, message))
    }

    fn create_channel<'a>(
        &'a self,
        name: &'a str,
        parent: Id<ChannelMarker>,
        overwrites: &'a [PermissionOverwrite],
    ) -> Call<'a, Channel> {
        Box::pin(rest::fetch("create ticket channel", move || {
            self.http
                .create_guild_channel(self.guild, name)
                .kind(ChannelType::GuildText)
                .parent_id(parent)
                .permission_overwrites(overwrites)
        }))
    }

    fn move_channel<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        parent: Id<ChannelMarker>,
        overwrites: &'a [PermissionOverwrite],
        name: Option<&'a str>,
    ) -> Call<'a, Renamed> {
        Box::pin(self.move_or_rename_later(channel, parent, overwrites, name))
    }

    fn public_post<'a>(&'a self, interaction: &'a Interaction, message: Post<'a>) -> Call<'a, ()> {
        Box::pin(self.answer(interaction, post_data(message)))
    }

    fn rename_channel<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        name: &'a str,
    ) -> Call<'a, Renamed> {
        Box::pin(self.rename_or_later(channel, name))
    }

    fn set_overwrite<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        overwrite: &'a PermissionOverwrite,
    ) -> Call<'a, ()> {
        Box::pin(self.put_overwrite(channel, overwrite))
    }

    fn remove_overwrite(&self, channel: Id<ChannelMarker>, user: Id<UserMarker>) -> Call<'_, ()> {
        Box::pin(self.delete_overwrite(channel, user))
    }

    fn member(&self, user: Id<UserMarker>) -> Call<'_, Option<Member>> {
        Box::pin(self.fetch_member(user))
    }

    fn autocomplete<'a>(
        &'a self,
        interaction: &'a Interaction,
        choices: Vec<String>,
    ) -> Call<'a, ()> {
        Box::pin(self.answer_choices(interaction, choices))
    }

    fn delete_channel(&self, channel: Id<ChannelMarker>) -> Call<'_, ()> {
        Box::pin(async move {
            rest::send("delete channel", || self.http.delete_channel(channel)).await?;
            Ok(())
        })
    }

    fn history_after(
        &self,
        channel: Id<ChannelMarker>,
        after: Id<MessageMarker>,
    ) -> Call<'_, Vec<Message>> {
        Box::pin(async move {
            Ok(rest::send("channel history", || {
                self.http
                    .channel_messages(channel)
                    .after(after)
                    .limit(HISTORY_PAGE)
            })
            .await?
            .models()
            .await?)
        })
    }

    fn guild_channels(&self) -> Call<'_, Vec<Channel>> {
        Box::pin(async move {
            Ok(rest::send("list guild channels", || {
                self.http.guild_channels(self.guild)
            })
            .await?
            .models()
            .await?)
        })
    }

    fn typing(&self, channel: Id<ChannelMarker>) -> Call<'_, ()> {
        Box::pin(async move {
            self.http.create_typing_trigger(channel).await?;
            Ok(())
        })
    }

    fn open_modal<'a>(
        &'a self,
        interaction: &'a Interaction,
        custom_id: &'a str,
        title: &'a str,
        components: Vec<Component>,
    ) -> Call<'a, ()> {
        Box::pin(self.send_modal(interaction, custom_id, title, components))
    }

    fn direct_message<'a>(
        &'a self,
        user: Id<UserMarker>,
        message: Post<'a>,
        file: Option<(String, Vec<u8>)>,
    ) -> Call<'a, Message> {
        Box::pin(self.send_direct(user, message, file))
    }

    fn edit_message<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        edit: Post<'a>,
    ) -> Call<'a, ()> {
        Box::pin(self.send_edit(channel, message, edit))
    }

    fn log(&self, entry: LogEntry<'_>) {
        self.log.post(log_embed(entry));
    }
}

pub(crate) fn log_embed(entry: LogEntry<'_>) -> Embed {
    let mut embed = EmbedBuilder::new().title(entry.title).color(entry.color);
    if let Some(ticket) = entry.ticket {
        embed = embed.field(EmbedFieldBuilder::new("Ticket", format!("#{ticket}")).inline());
    }
    if let Some(actor) = entry.actor {
        embed = embed.field(
            EmbedFieldBuilder::new("Von", format!("<@{}> ({})", actor.id, actor.name)).inline(),
        );
    }
    embed = embed.field(
        EmbedFieldBuilder::new("Zeit", format!("<t:{}:f>", chrono::Utc::now().timestamp()))
            .inline(),
    );
    if !entry.detail.is_empty() {
        embed = embed.description(entry.detail);
    }
    embed.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What twilight checks before sending, which mirrors Discord's own checks.
    fn accepted(embeds: &[Embed]) -> bool {
        twilight_validate::message::embeds(embeds).is_ok()
    }

    #[test]
    fn a_huge_name_or_text_cannot_make_an_outgoing_embed_oversized() {
        let name = "Ü".repeat(3_000);
        let text = "ä".repeat(3_000);
        let who = crate::who::Who {
            id: Id::new(1),
            name: name.clone(),
        };
        let entry = log_embed(LogEntry {
            title: &name,
            ticket: Some(7),
            actor: Some(&who),
            detail: format!("{text}{text}"),
            color: crate::tickets::port::RED,
        });
        assert!(!accepted(std::slice::from_ref(&entry)), "too long as built");
        // What the log poster and `post` send.
        assert!(accepted(&[limits::embed(entry)]));
        let welcome = crate::tickets::port::simple_embed(
            &name,
            &format!("{text}{text}"),
            crate::tickets::port::BLUE,
        );
        assert!(accepted(&limits::embeds(vec![welcome.clone(), welcome])));
        let answer = limits::response(message(&format!("{text}{name}"), None));
        assert!(
            answer
                .content
                .is_some_and(|c| c.chars().count() <= limits::CONTENT)
        );
    }
}
