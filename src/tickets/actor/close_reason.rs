//! "Mit Grund schließen": the button opens a modal with one paragraph field, its submission
//! closes the ticket with that reason. A modal submitted twice finds the ticket closed and is
//! refused like any late click.

use twilight_model::application::interaction::Interaction;

use super::staff::asker;
use super::{Flow, TicketState};
use crate::error::Result;
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::policy;
use crate::who::Who;

impl TicketState {
    pub(super) async fn close_reason_modal(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        if let Err(text) = policy::close(
            &self.ctx.config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        ) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        // A modal must be the first answer to the click.
        self.discord()
            .open_modal(
                interaction,
                buttons::CLOSE_REASON,
                texts::CLOSE_REASON_TITLE,
                buttons::text_field(texts::CLOSE_REASON_LABEL, true),
            )
            .await?;
        Ok(Flow::Continue)
    }

    pub(super) async fn close_with_reason(
        &mut self,
        interaction: &Interaction,
        reason: Option<String>,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        if let Err(text) = policy::close(
            &self.ctx.config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        ) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(reason) = reason else {
            return self
                .refuse(interaction, who.as_ref(), texts::CLOSE_REASON_MISSING)
                .await;
        };
        self.record_close(who.as_ref(), Some(&reason), None).await?;
        self.discord()
            .public(interaction, &texts::closing(self.id()))
            .await?;
        self.announce_close(who.as_ref()).await;
        Ok(Flow::Linger)
    }
}
