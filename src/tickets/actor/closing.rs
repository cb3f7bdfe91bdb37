//! Closing a ticket by anyone, the bot included: transcript, status with its audit row, the
//! channel archived, the close notice and the log entry. The staff's close button and
//! inactivity auto-close both end here.

use super::{Flow, TicketState};
use crate::audit::AuditAction;
use crate::db::queries;
use crate::error::Result;
use crate::overwrites::Stage;
use crate::texts;
use crate::tickets::port::{Post, RED};
use crate::who::Who;

impl TicketState {
    /// Closes the ticket for `who` (None: the bot) with `reason`, which the audit row, the
    /// close notice and the log entry carry. A ticket that is no longer open stays as it is.
    pub(super) async fn close_by(
        &mut self,
        who: Option<&Who>,
        reason: Option<String>,
    ) -> Result<Flow> {
        if !self.ticket.status().is_active() {
            return Ok(Flow::Continue);
        }
        if crate::ai::secretary::listens(&self.ticket) {
            self.secretary_steps_back(None).await;
        }
        let detail = reason.clone().unwrap_or_default();
        self.save_transcript("close", who).await?;
        self.transition(AuditAction::Closed, who, &detail, queries::set_closed)
            .await?;
        self.reload().await?;
        self.apply_channel_stage(Stage::Closed, None).await;
        if let Some(channel) = self.channel() {
            let content = match reason.as_deref() {
                Some(reason) => texts::closed_notice_with_reason(reason),
                None => texts::CLOSED_NOTICE.to_owned(),
            };
            let notice = Post {
                content: &content,
                ..Post::default()
            };
            let notice = self.discord().post("closed notice", channel, notice).await;
            if let Ok(notice) = notice {
                let _ = self.store(&notice, None).await;
            }
        }
        self.log(texts::LOG_CLOSED, who, detail, RED);
        Ok(Flow::Linger)
    }
}
