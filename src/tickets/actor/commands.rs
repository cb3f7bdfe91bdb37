//! `/ticket <subcommand>` and `/tag`: each one is carried out by the ticket's actor like a
//! button.

use ractor::ActorRef;
use twilight_model::application::interaction::Interaction;

use super::{Flow, TicketMsg, TicketState};
use crate::error::Result;
use crate::tickets::commands::TicketCommand;

impl TicketState {
    pub(super) async fn command(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        interaction: &Interaction,
        command: TicketCommand,
    ) -> Result<Flow> {
        match command {
            TicketCommand::CloseRequest { reason } => {
                self.request_close(myself, interaction, reason).await
            }
            TicketCommand::Transfer { user } => Box::pin(self.transfer(interaction, user)).await,
            TicketCommand::Add { user } => self.add_member(interaction, user).await,
            TicketCommand::Remove { user } => self.remove_member(interaction, user).await,
            TicketCommand::Rename { name } => self.rename_command(interaction, &name).await,
            TicketCommand::Tag { name } => self.post_tag(interaction, &name).await,
        }
    }
}
