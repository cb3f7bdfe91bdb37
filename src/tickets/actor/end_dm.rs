//! The direct message to the opener when their ticket ends: number, who closed it, the
//! reason, the transcript as an `.html` file and the rating buttons. A member who takes no
//! DMs (Discord's 50007) costs one audit row and one log line.

use super::{TicketState, report_discord_failure};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::queries;
use crate::error::Result;
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::port::{BLUE, ORANGE, Post, simple_embed};
use crate::transcript;
use crate::who::Who;

/// "Cannot send messages to this user": the member's privacy settings refuse the bot's DMs.
const CANNOT_MESSAGE_USER: u64 = 50_007;

impl TicketState {
    pub(super) async fn send_end_dm(&self, who: Option<&Who>, reason: Option<&str>) {
        let Some(opener) = self.opener() else {
            return;
        };
        let sent = self.try_end_dm(opener, who, reason).await;
        let Err(err) = sent else {
            return;
        };
        if err.discord_code() == Some(CANNOT_MESSAGE_USER) {
            tracing::info!(ticket = self.id(), "the opener takes no direct messages");
            let text = texts::dm_refused(self.ticket.opener_id);
            let entry = NewAuditEntry::new(Some(self.id()), AuditAction::DmRefused, None, &text);
            if let Err(err) = self
                .ctx
                .db
                .write(move |conn| queries::audit(conn, &entry))
                .await
            {
                tracing::error!(ticket = self.id(), error = %err, "could not record the refused DM");
            }
            self.log(texts::LOG_DM_REFUSED, None, text, ORANGE);
        } else {
            report_discord_failure(
                &self.ctx,
                self.id(),
                "Direktnachricht an den Ersteller",
                &err,
            )
            .await;
        }
    }

    async fn try_end_dm(
        &self,
        opener: twilight_model::id::Id<twilight_model::id::marker::UserMarker>,
        who: Option<&Who>,
        reason: Option<&str>,
    ) -> Result<()> {
        let id = self.id();
        let (ticket, messages) = self
            .ctx
            .db
            .run(move |conn| Ok((queries::ticket(conn, id)?, queries::messages_of(conn, id)?)))
            .await?;
        let links = crate::tickets::transcript_files::file_links(&self.ctx, id).await;
        let html = transcript::render_html(&ticket, &messages, &links);
        let message = Post {
            embeds: vec![simple_embed(
                &texts::ended_dm_title(id),
                &texts::ended_dm(who.map(|w| w.name.as_str()), reason),
                BLUE,
            )],
            components: buttons::rating_row(id, false),
            ..Post::default()
        };
        self.discord()
            .direct_message(
                opener,
                message,
                Some((format!("ticket-{id}.html"), html.into_bytes())),
            )
            .await?;
        Ok(())
    }
}
