//! The steps every action of the ticket actor ends with: answering a failure, writing a
//! state change with its audit row, and the log-channel entry.

use ractor::ActorRef;
use twilight_model::application::interaction::Interaction;

use super::{CLOSED_LINGER, Flow, TicketMsg, TicketState};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{DbConn, now_ms, queries};
use crate::error::Result;
use crate::texts;
use crate::tickets::port::LogEntry;
use crate::who::Who;

impl TicketState {
    /// Answers the presser when an action failed, so nobody waits on a silent button.
    pub(super) async fn finish(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        interaction: &Interaction,
        outcome: Result<Flow>,
    ) {
        match outcome {
            Ok(Flow::Continue) => {}
            Ok(Flow::Linger) => {
                myself.send_after(CLOSED_LINGER, || TicketMsg::IdleStop);
            }
            Ok(Flow::Stop) => myself.stop(None),
            Err(err) => {
                tracing::error!(ticket = self.id(), code = err.code(), error = %err, "ticket action failed");
                let _ = self
                    .discord()
                    .ephemeral(interaction, texts::action_failed(&err))
                    .await;
                // The database is the truth; whatever was half done is re-read.
                let _ = self.reload().await;
            }
        }
    }

    /// Writes a state change and its audit row in one transaction.
    pub(super) async fn transition(
        &self,
        action: AuditAction,
        who: Option<&Who>,
        detail: &str,
        change: fn(&mut DbConn, i64, i64) -> Result<()>,
    ) -> Result<()> {
        let id = self.id();
        let entry = NewAuditEntry::new(Some(id), action, who, detail);
        self.ctx
            .db
            .write(move |conn| {
                change(conn, id, now_ms())?;
                queries::audit(conn, &entry)
            })
            .await
    }

    /// Posts an event of this ticket to the log channel.
    pub(super) fn log(&self, title: &str, who: Option<&Who>, detail: String, color: u32) {
        self.discord().log(LogEntry {
            title,
            ticket: Some(self.id()),
            actor: who,
            detail,
            color,
        });
    }
}
