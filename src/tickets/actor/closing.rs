//! The one close path every way of closing takes (the buttons, the reason modal, a confirmed
//! or expired close request, inactivity): transcript, status, reason, close time and audit row
//! in one transaction, then the channel moved to "closed", the close message with "Wieder
//! öffnen" and "Ticket löschen", the log entry and the opener's DM.

use super::{Flow, TicketState};
use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, NewTranscript};
use crate::db::{DbConn, now_ms, queries, transcripts};
use crate::error::Result;
use crate::ids;
use crate::overwrites::Stage;
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::port::{Post, RED};
use crate::transcript;
use crate::who::Who;

/// The close request a close answers, and the state it is answered with.
pub(super) type AnsweredRequest = (i64, &'static str);

/// Saves a transcript snapshot of ticket `id` inside the caller's transaction; returns the
/// number of messages and the transcript's text.
pub(super) fn write_transcript(
    conn: &mut DbConn,
    id: i64,
    kind: &str,
    who: Option<&Who>,
) -> Result<(usize, String)> {
    let messages = queries::messages_of(conn, id)?;
    let body_text = transcript::render_text(&messages);
    let stored = queries::insert_transcript(
        conn,
        NewTranscript {
            ticket_id: id,
            reason: kind.to_owned(),
            created_by: who.map(|w| ids::stored(w.id)),
            created_by_name: who.map(|w| w.name.clone()),
            created_at: now_ms(),
            message_count: messages.len() as i32,
            body_text: body_text.clone(),
        },
    )?;
    transcripts::insert_entries(conn, &transcript::rows(stored.id, &messages))?;
    Ok((messages.len(), body_text))
}

impl TicketState {
    /// Closes the ticket for `who` (None: the bot itself, e.g. inactivity) with `reason`.
    /// The caller has checked who may close and answered any interaction.
    // The entry point of closes without an interaction (inactivity auto-close lands beside
    // this); the handlers with one persist, answer, then announce.
    #[allow(dead_code)]
    pub(super) async fn close_by(
        &mut self,
        who: Option<&Who>,
        reason: Option<String>,
    ) -> Result<Flow> {
        self.record_close(who, reason.as_deref(), None).await?;
        self.announce_close(who).await;
        Ok(Flow::Linger)
    }

    /// The close in the database, in one transaction; Sigrid steps back first. With
    /// `request`, that close request is answered by it; false (and nothing changed) when it
    /// was no longer pending.
    pub(super) async fn record_close(
        &mut self,
        who: Option<&Who>,
        reason: Option<&str>,
        request: Option<AnsweredRequest>,
    ) -> Result<bool> {
        if crate::ai::secretary::listens(&self.ticket) {
            self.secretary_steps_back(None).await;
        }
        let id = self.id();
        let who = who.cloned();
        let reason = reason.map(str::to_owned);
        let closed = self
            .ctx
            .db
            .write(move |conn| {
                if let Some((request, state)) = request
                    && !queries::answer_close_request(conn, request, state, now_ms())?
                {
                    return Ok(false);
                }
                write_transcript(conn, id, "close", who.as_ref())?;
                queries::set_closed_with_reason(conn, id, reason.as_deref(), now_ms())?;
                let detail = texts::closed_log(reason.as_deref());
                queries::audit(
                    conn,
                    &NewAuditEntry::new(Some(id), AuditAction::Closed, who.as_ref(), detail),
                )?;
                Ok(true)
            })
            .await?;
        if closed {
            self.reload().await?;
        }
        Ok(closed)
    }

    /// What a recorded close does on Discord. Failures are reported, not raised: the
    /// database already holds the close.
    pub(super) async fn announce_close(&mut self, who: Option<&Who>) {
        self.apply_channel_stage(Stage::Closed, None).await;
        let reason = self.ticket.close_reason.clone();
        if let Some(channel) = self.channel() {
            let content = texts::closed_notice(reason.as_deref());
            let notice = Post {
                content: &content,
                components: buttons::closed_row(),
                ..Post::default()
            };
            match self.discord().post("close message", channel, notice).await {
                Ok(notice) => {
                    let _ = self.store(&notice, None).await;
                }
                Err(err) => {
                    super::report_discord_failure(
                        &self.ctx,
                        self.id(),
                        "Schließnachricht senden",
                        &err,
                    )
                    .await;
                }
            }
        }
        self.log(
            texts::LOG_CLOSED,
            who,
            texts::closed_log(reason.as_deref()),
            RED,
        );
        self.send_end_dm(who, reason.as_deref()).await;
    }
}
