//! "Wieder öffnen" on the close message: staff always, the opener while `REOPEN_BY_OPENER`
//! allows it. The ticket is open again and unclaimed in the "created" category, its opener can
//! write again, and Sigrid stays off: she must not start the intake over. One active ticket per
//! member still holds.

use twilight_model::application::interaction::Interaction;

use super::staff::asker;
use super::{Flow, TicketState};
use crate::audit::AuditAction;
use crate::db::models::{AiState, NewAuditEntry};
use crate::db::queries;
use crate::error::Result;
use crate::overwrites::Stage;
use crate::texts;
use crate::tickets::policy;
use crate::tickets::port::GREEN;
use crate::who::Who;

/// What the reopen transaction found.
enum Reopen {
    Done,
    /// The opener has another active ticket (its channel, when it has one yet).
    OtherOpen(Option<i64>),
}

impl TicketState {
    pub(super) async fn reopen(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let config = &self.ctx.config;
        if let Err(text) = policy::reopen(
            &config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
            config.reopen_by_opener,
        ) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(who) = who else {
            return Ok(Flow::Continue);
        };
        let (id, opener) = (self.id(), self.ticket.opener_id);
        let sigrid_on = matches!(self.ticket.ai_state, AiState::Active | AiState::Script);
        let entry = NewAuditEntry::new(Some(id), AuditAction::Reopened, Some(&who), "");
        let outcome = self
            .ctx
            .db
            .write(move |conn| {
                // Read in the write transaction: the partial unique index on active tickets
                // backs it against an opening at the same moment.
                if let Some(other) = queries::active_ticket_of(conn, opener)? {
                    return Ok(Reopen::OtherOpen(other.channel_id));
                }
                queries::set_reopened(conn, id)?;
                if sigrid_on {
                    queries::set_ai_state(conn, id, AiState::Stopped)?;
                }
                queries::audit(conn, &entry)?;
                Ok(Reopen::Done)
            })
            .await?;
        if let Reopen::OtherOpen(channel) = outcome {
            return self
                .refuse(interaction, Some(&who), &texts::reopen_other_open(channel))
                .await;
        }
        self.reload().await?;
        let text = texts::reopened(id, who.id.get());
        self.discord().public(interaction, &text).await?;
        self.apply_channel_stage(Stage::Created, None).await;
        self.log(texts::LOG_REOPENED, Some(&who), text, GREEN);
        Ok(Flow::Continue)
    }
}
