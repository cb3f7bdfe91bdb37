//! Answers to interactions, the messages the bot posts, and the log channel.

use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::channel::message::{AllowedMentions, Component, Embed, MessageFlags};
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::custom_id;
use super::limits;
use super::rest;
use crate::context::Ctx;
use crate::error::Result;
use crate::texts;

/// Who did something, as shown in logs: name and id.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: u64,
    pub name: String,
}

impl Actor {
    /// The member or user behind an interaction.
    pub fn of(interaction: &Interaction) -> Option<Self> {
        let user = interaction.author()?;
        let nick = interaction.member.as_ref().and_then(|m| m.nick.clone());
        Some(Self {
            id: user.id.get(),
            name: nick
                .or_else(|| user.global_name.clone())
                .unwrap_or_else(|| user.name.clone()),
        })
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

/// Every interaction answer passes here, so none can exceed Discord's limits.
async fn respond(
    ctx: &Ctx,
    interaction: &Interaction,
    mut response: InteractionResponse,
) -> Result<()> {
    response.data = response.data.map(limits::response);
    let client = ctx.http.interaction(interaction.application_id);
    rest::send("interaction response", || {
        client.create_response(interaction.id, &interaction.token, &response)
    })
    .await?;
    Ok(())
}

/// A message only the presser sees.
pub async fn ephemeral(ctx: &Ctx, interaction: &Interaction, content: &str) -> Result<()> {
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(message(content, Some(MessageFlags::EPHEMERAL))),
    };
    respond(ctx, interaction, response).await
}

/// A message everyone in the channel sees.
pub async fn public(ctx: &Ctx, interaction: &Interaction, content: &str) -> Result<()> {
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(message(content, None)),
    };
    respond(ctx, interaction, response).await
}

/// An ephemeral message with one file attached.
pub async fn ephemeral_with_file(
    ctx: &Ctx,
    interaction: &Interaction,
    content: &str,
    filename: String,
    file: Vec<u8>,
) -> Result<()> {
    let mut data = message(content, Some(MessageFlags::EPHEMERAL));
    data.attachments = Some(vec![Attachment::from_bytes(filename, file, 0)]);
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(data),
    };
    respond(ctx, interaction, response).await
}

/// "Thinking…" for work that may take longer than Discord's 3 s; only the presser sees it.
pub async fn defer_ephemeral(ctx: &Ctx, interaction: &Interaction) -> Result<()> {
    let response = InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: Some(InteractionResponseData {
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    respond(ctx, interaction, response).await
}

/// Replaces the deferred answer with `content`.
pub async fn finish_deferred(ctx: &Ctx, interaction: &Interaction, content: &str) -> Result<()> {
    let client = ctx.http.interaction(interaction.application_id);
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

fn button(custom_id: &str, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id.to_owned()),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style,
        url: None,
    })
}

pub fn open_button_row() -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components: vec![button(
            custom_id::OPEN,
            texts::LABEL_OPEN,
            ButtonStyle::Danger,
        )],
        id: None,
    })]
}

pub fn staff_button_row() -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components: vec![
            button(custom_id::CLAIM, texts::LABEL_CLAIM, ButtonStyle::Success),
            button(custom_id::CLOSE, texts::LABEL_CLOSE, ButtonStyle::Danger),
            button(custom_id::DELETE, texts::LABEL_DELETE, ButtonStyle::Danger),
        ],
        id: None,
    })]
}

pub fn simple_embed(title: &str, description: &str, color: u32) -> Embed {
    EmbedBuilder::new()
        .title(title)
        .description(description)
        .color(color)
        .build()
}

/// A message for a channel, as [`post`] sends it.
#[derive(Default)]
pub struct Post<'a> {
    pub content: &'a str,
    pub embeds: Vec<Embed>,
    pub components: Vec<Component>,
    /// Who may be pinged; `None` keeps the client's default: nobody.
    pub mentions: Option<AllowedMentions>,
}

/// Posts `message` to `channel`, fitted to Discord's limits: the one way the bot writes a
/// channel message (the log channel's poster fits its own batches).
pub async fn post(
    ctx: &Ctx,
    what: &str,
    channel: Id<ChannelMarker>,
    message: Post<'_>,
) -> Result<Message> {
    let content = limits::content(message.content);
    let embeds = limits::embeds(message.embeds);
    rest::fetch(what, || {
        let mut request = ctx.http.create_message(channel);
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

pub const GREEN: u32 = 0x2e_cc_71;
pub const BLUE: u32 = 0x34_98_db;
pub const RED: u32 = 0xe7_4c_3c;
pub const ORANGE: u32 = 0xe6_7e_22;

/// One event for the log channel: what happened, to which ticket, by whom.
pub struct LogEntry<'a> {
    pub title: &'a str,
    pub ticket: Option<i64>,
    pub actor: Option<&'a Actor>,
    pub detail: String,
    pub color: u32,
}

/// Queues `entry` for the log channel. Failures are logged, never raised: the log channel is
/// a report, not part of the ticket's state (the audit table is).
pub fn log(ctx: &Ctx, entry: LogEntry<'_>) {
    ctx.log.post(log_embed(entry));
}

fn log_embed(entry: LogEntry<'_>) -> Embed {
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
        let who = Actor {
            id: 1,
            name: name.clone(),
        };
        let entry = log_embed(LogEntry {
            title: &name,
            ticket: Some(7),
            actor: Some(&who),
            detail: format!("{text}{text}"),
            color: RED,
        });
        assert!(!accepted(std::slice::from_ref(&entry)), "too long as built");
        // What the log poster and `post` send.
        assert!(accepted(&[limits::embed(entry)]));
        let welcome = simple_embed(&name, &format!("{text}{text}"), BLUE);
        assert!(accepted(&limits::embeds(vec![welcome.clone(), welcome])));
        let answer = limits::response(message(&format!("{text}{name}"), None));
        assert!(
            answer
                .content
                .is_some_and(|c| c.chars().count() <= limits::CONTENT)
        );
    }
}
