//! Renaming a ticket's channel. Discord allows two renames of a channel per 10 minutes and
//! answers a third with a 429 whose `retry_after` runs for minutes: such a rename is recorded
//! (surviving a restart) and done by this actor when it is due, so the ticket keeps answering
//! meanwhile.

use std::time::Duration;

use twilight_model::application::interaction::Interaction;

use super::{Flow, TicketMsg, TicketState, report_discord_failure};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::texts;
use crate::tickets::policy;
use crate::tickets::port::{BLUE, ORANGE, Renamed};
use crate::who::{self, Who};

/// Discord's limit on a channel name.
const NAME_CHARS: std::ops::RangeInclusive<usize> = 1..=100;

fn unix_seconds(ms: i64) -> i64 {
    (ms + 999).div_euclid(1000)
}

impl TicketState {
    /// Records that the channel is to be called `name` once Discord allows it (`after`), and
    /// schedules it; the newest name wins. Returns when it happens (Unix seconds).
    pub(super) async fn rename_later(
        &self,
        name: &str,
        after: Duration,
        who: Option<&Who>,
    ) -> Option<i64> {
        let due_ms = now_ms().saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
        let due = unix_seconds(due_ms);
        let text = texts::rename_later(name, due);
        let (id, stored_name) = (self.id(), name.to_owned());
        let entry = NewAuditEntry::new(Some(id), AuditAction::Renamed, who, text.clone());
        let recorded = self
            .ctx
            .db
            .write(move |conn| {
                queries::set_pending_rename(conn, id, &stored_name, due_ms)?;
                queries::audit(conn, &entry)
            })
            .await;
        if let Err(err) = recorded {
            // Still done at its time by this actor; only a restart before then forgets it.
            tracing::warn!(ticket = id, error = %err, "could not record a put-off rename");
        }
        self.me.send_after(after, || TicketMsg::RenameDue);
        self.log(texts::LOG_RENAME_LATER, who, text, ORANGE);
        Some(due)
    }

    /// `/ticket rename name` (staff).
    pub(super) async fn rename_command(
        &mut self,
        interaction: &Interaction,
        name: &str,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        let asker = policy::Asker {
            id: who.as_ref().map(|w| w.id),
            roles: who::roles(interaction),
        };
        if let Err(text) = policy::manage(&self.ctx.config.roles, asker, &self.ticket) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let name = name.trim();
        if !NAME_CHARS.contains(&name.chars().count()) {
            return self
                .refuse(interaction, who.as_ref(), texts::BAD_CHANNEL_NAME)
                .await;
        }
        let Some(channel) = self.channel() else {
            self.discord()
                .ephemeral(interaction, texts::NOT_A_TICKET)
                .await?;
            return Ok(Flow::Continue);
        };
        let id = self.id();
        // A rename waits already: Discord would refuse this one as well. It takes its place.
        if let Some((_, due_ms)) = self
            .ctx
            .db
            .run(move |conn| queries::pending_rename(conn, id))
            .await?
        {
            let text = texts::rename_later(name, unix_seconds(due_ms));
            let (stored_name, detail) = (name.to_owned(), text.clone());
            let entry = NewAuditEntry::new(Some(id), AuditAction::Renamed, who.as_ref(), detail);
            self.ctx
                .db
                .write(move |conn| {
                    queries::set_pending_rename(conn, id, &stored_name, due_ms)?;
                    queries::audit(conn, &entry)
                })
                .await?;
            self.discord().ephemeral(interaction, &text).await?;
            self.log(texts::LOG_RENAME_LATER, who.as_ref(), text, ORANGE);
            return Ok(Flow::Continue);
        }
        match self.discord().rename_channel(channel, name).await? {
            Renamed::Done => {
                let text = texts::renamed(name);
                let entry =
                    NewAuditEntry::new(Some(id), AuditAction::Renamed, who.as_ref(), text.clone());
                self.ctx
                    .db
                    .write(move |conn| queries::audit(conn, &entry))
                    .await?;
                self.discord().ephemeral(interaction, &text).await?;
                self.log(texts::LOG_RENAMED, who.as_ref(), text, BLUE);
            }
            Renamed::Later(after) => {
                let due = self.rename_later(name, after, who.as_ref()).await;
                let text = texts::rename_later(name, due.unwrap_or_default());
                self.discord().ephemeral(interaction, &text).await?;
            }
        }
        Ok(Flow::Continue)
    }

    /// Does the rename that waited, or waits again when Discord still refuses it.
    pub(super) async fn rename_due(&mut self) -> Result<()> {
        let id = self.id();
        let Some((name, due_ms)) = self
            .ctx
            .db
            .run(move |conn| queries::pending_rename(conn, id))
            .await?
        else {
            return Ok(());
        };
        let early = due_ms - now_ms();
        if early > 0 {
            // A newer wish kept the earlier time, or a restart scheduled it anew.
            let wait = Duration::from_millis(early.unsigned_abs());
            self.me.send_after(wait, || TicketMsg::RenameDue);
            return Ok(());
        }
        let Some(channel) = self.channel() else {
            return self
                .ctx
                .db
                .write(move |conn| queries::clear_pending_rename(conn, id))
                .await;
        };
        match self.discord().rename_channel(channel, &name).await {
            Ok(Renamed::Done) => {
                let text = texts::renamed(&name);
                let entry = NewAuditEntry::new(Some(id), AuditAction::Renamed, None, text.clone());
                self.ctx
                    .db
                    .write(move |conn| {
                        queries::clear_pending_rename(conn, id)?;
                        queries::audit(conn, &entry)
                    })
                    .await?;
                self.log(texts::LOG_RENAMED, None, text, BLUE);
            }
            Ok(Renamed::Later(after)) => {
                let due_ms =
                    now_ms().saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
                self.ctx
                    .db
                    .write(move |conn| queries::set_pending_rename(conn, id, &name, due_ms))
                    .await?;
                self.me.send_after(after, || TicketMsg::RenameDue);
            }
            Err(err) => {
                // A refusal retrying cannot fix: the operator is told, the wish dropped.
                report_discord_failure(&self.ctx, id, "Kanal umbenennen", &err).await;
                self.ctx
                    .db
                    .write(move |conn| queries::clear_pending_rename(conn, id))
                    .await?;
            }
        }
        Ok(())
    }

    /// After a restart: the rename that waited is scheduled again.
    pub(super) async fn resume_rename(&self) {
        let id = self.id();
        match self
            .ctx
            .db
            .run(move |conn| queries::pending_rename(conn, id))
            .await
        {
            Ok(Some((_, due_ms))) => {
                let wait = Duration::from_millis((due_ms - now_ms()).max(0).unsigned_abs());
                self.me.send_after(wait, || TicketMsg::RenameDue);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(ticket = id, error = %err, "could not read a put-off rename")
            }
        }
    }
}
