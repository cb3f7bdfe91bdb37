//! `/tag name`: a saved text posted in the ticket by the bot, under the staff member's name,
//! and stored like any message of the channel.

use twilight_model::application::interaction::Interaction;
use twilight_util::builder::embed::{EmbedAuthorBuilder, EmbedBuilder};

use super::{Flow, TicketState};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::queries;
use crate::error::Result;
use crate::texts;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{BLUE, Post};
use crate::who::{self, Who};

impl TicketState {
    pub(super) async fn post_tag(&mut self, interaction: &Interaction, name: &str) -> Result<Flow> {
        let who = Who::of(interaction);
        let asker = Asker {
            id: who.as_ref().map(|w| w.id),
            roles: who::roles(interaction),
        };
        if let Err(text) = policy::manage(&self.ctx.config.roles, asker, &self.ticket) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let (Some(by), Some(channel)) = (who, self.channel()) else {
            return Ok(Flow::Continue);
        };
        let lookup = name.to_owned();
        let Some(tag) = self
            .ctx
            .db
            .run(move |conn| queries::tag(conn, &lookup))
            .await?
        else {
            self.discord()
                .ephemeral(interaction, &texts::unknown_tag(name))
                .await?;
            return Ok(Flow::Continue);
        };
        let entry = NewAuditEntry::new(
            Some(self.id()),
            AuditAction::TagPosted,
            Some(&by),
            tag.name.clone(),
        );
        self.ctx
            .db
            .write(move |conn| queries::audit(conn, &entry))
            .await?;
        let embed = EmbedBuilder::new()
            .author(EmbedAuthorBuilder::new(by.name.clone()))
            .description(tag.body)
            .color(BLUE)
            .build();
        let message = Post {
            embeds: vec![embed],
            ..Post::default()
        };
        let posted = self.discord().post("tag", channel, message).await?;
        self.store(&posted, None).await?;
        self.discord()
            .ephemeral(interaction, &texts::tag_posted(&tag.name))
            .await?;
        self.log(texts::LOG_TAG_POSTED, Some(&by), tag.name, BLUE);
        Ok(Flow::Continue)
    }
}
