//! The port's requests for the close workflow over twilight: modals, direct messages with a
//! file, and edits of a posted message; each through the one retry point.

use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message;
use twilight_model::channel::message::Component;
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, UserMarker};

use super::adapter::DiscordRest;
use super::rest;
use crate::error::Result;
use crate::limits;
use crate::tickets::port::Post;

impl DiscordRest {
    pub(super) async fn send_modal(
        &self,
        interaction: &Interaction,
        custom_id: &str,
        title: &str,
        components: Vec<Component>,
    ) -> Result<()> {
        let response = InteractionResponse {
            kind: InteractionResponseType::Modal,
            data: Some(InteractionResponseData {
                custom_id: Some(custom_id.to_owned()),
                title: Some(title.chars().take(45).collect()),
                components: Some(components),
                ..Default::default()
            }),
        };
        let client = self.http.interaction(interaction.application_id);
        rest::send("modal", || {
            client.create_response(interaction.id, &interaction.token, &response)
        })
        .await?;
        Ok(())
    }

    pub(super) async fn send_direct(
        &self,
        user: Id<UserMarker>,
        message: Post<'_>,
        file: Option<(String, Vec<u8>)>,
    ) -> Result<Message> {
        let channel: twilight_model::channel::Channel =
            rest::fetch("open DM channel", || self.http.create_private_channel(user)).await?;
        let content = limits::content(message.content);
        let embeds = limits::embeds(message.embeds);
        let attachments: Vec<Attachment> = file
            .into_iter()
            .map(|(name, bytes)| Attachment::from_bytes(name, bytes, 0))
            .collect();
        rest::fetch("direct message", || {
            let mut request = self.http.create_message(channel.id);
            if !content.is_empty() {
                request = request.content(&content);
            }
            if !embeds.is_empty() {
                request = request.embeds(&embeds);
            }
            if !message.components.is_empty() {
                request = request.components(&message.components);
            }
            if !attachments.is_empty() {
                request = request.attachments(&attachments);
            }
            request
        })
        .await
    }

    pub(super) async fn send_edit(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        edit: Post<'_>,
    ) -> Result<()> {
        let content = limits::content(edit.content);
        let embeds = limits::embeds(edit.embeds);
        rest::send("edit message", || {
            self.http
                .update_message(channel, message)
                .content(Some(&content))
                .embeds(Some(&embeds))
                .components(Some(&edit.components))
        })
        .await?;
        Ok(())
    }
}
