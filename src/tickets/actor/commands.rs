//! `/ticket <subcommand>`: each one is carried out by the ticket's actor like a button.

use ractor::ActorRef;
use twilight_model::application::interaction::Interaction;

use super::{Flow, TicketMsg, TicketState};
use crate::error::Result;
use crate::tickets::commands::TicketCommand;

/// Said for a subcommand that is registered but whose behaviour has not landed yet.
const NOT_YET: &str = "Dieser Befehl ist noch nicht verfügbar.";

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
            TicketCommand::Transfer { .. } => self.not_yet(interaction).await,
            TicketCommand::Add { .. } => self.not_yet(interaction).await,
            TicketCommand::Remove { .. } => self.not_yet(interaction).await,
            TicketCommand::Rename { .. } => self.not_yet(interaction).await,
        }
    }

    async fn not_yet(&self, interaction: &Interaction) -> Result<Flow> {
        self.discord().ephemeral(interaction, NOT_YET).await?;
        Ok(Flow::Continue)
    }
}
