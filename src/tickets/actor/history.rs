//! The channel's history and the storage of its messages: where a catch-up starts, the
//! catch-up itself, and storing new, edited and deleted messages.

use std::time::Duration;

use ractor::ActorRef;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker};

use super::{TicketMsg, TicketState};
use crate::db::batch::Receipt;
use crate::db::models::Message;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::tickets::context::Ctx;
use crate::tickets::port::HISTORY_PAGE;
use crate::tickets::record;

/// The longest pause between tries to read a channel's history while Discord is unreachable.
const BACKFILL_RETRY_MAX: Duration = Duration::from_secs(300);
/// The smallest message id: `after` it, the history is read from its start.
const OLDEST: Id<MessageMarker> = Id::new(1);

impl TicketState {
    /// Where the catch-up on channel history starts: where the last one ended; before the
    /// first, the newest stored message (a message stored live while a catch-up was in flight
    /// is newer than those it had yet to store, so only then); for a ticket without any, its
    /// welcome (imported from the original bot) or the channel's own id, which is older than
    /// every message in it. With the channel; None without one.
    pub(super) async fn catch_up_position(&self) -> Result<Option<(Id<ChannelMarker>, i64)>> {
        let Some(channel) = self.channel() else {
            return Ok(None);
        };
        if let Some(synced) = self.ticket.history_synced_id {
            return Ok(Some((channel, synced)));
        }
        let id = self.id();
        let newest = self
            .ctx
            .db
            .run(move |conn| queries::newest_message_id(conn, id))
            .await?;
        let after = newest
            .or(self.ticket.welcome_message_id)
            .unwrap_or(ids::stored(channel));
        Ok(Some((channel, after)))
    }

    /// Fetches what the channel got after message id `after` in a task of its own, so the
    /// actor answers at once; the messages come back as [`TicketMsg::Backfilled`].
    pub(super) fn start_backfill(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        channel: Id<ChannelMarker>,
        after: i64,
    ) {
        let id = self.id();
        // Nothing new and the position already recorded: no write (all actors start at once).
        let recorded = self.ticket.history_synced_id.is_some();
        let (ctx, myself) = (self.ctx.clone(), myself.clone());
        let task = tokio::spawn(async move {
            let missed = missed_messages_retrying(&ctx, id, channel, after).await;
            if let Some(missed) = missed
                && (!missed.is_empty() || !recorded)
            {
                let _ = myself.cast(TicketMsg::Backfilled { after, missed });
            }
        });
        self.backfill = Some(task.abort_handle());
    }

    /// Stores backfilled messages, oldest first, once each, and moves the ticket's catch-up
    /// position past them in the same transaction.
    pub(super) async fn store_backfilled(
        &mut self,
        after: i64,
        missed: &[DiscordMessage],
    ) -> Result<()> {
        let id = self.id();
        let synced = missed
            .iter()
            .map(|m| ids::stored(m.id))
            .fold(after, i64::max);
        let rows: Vec<Message> = missed
            .iter()
            .map(|m| record::message_row(id, m, false))
            .collect();
        let stored = self
            .ctx
            .db
            .write(move |conn| {
                let mut new = 0;
                for row in &rows {
                    new += usize::from(queries::insert_message(conn, row)?);
                }
                queries::record_history_synced(conn, id, synced)?;
                Ok(new)
            })
            .await?;
        self.ticket.history_synced_id = self.ticket.history_synced_id.max(Some(synced));
        if stored > 0 {
            // Their attachments were recorded with them; the archiver fetches them now.
            self.ctx.messages.notify_stored();
            tracing::info!(
                ticket = id,
                stored,
                "backfilled messages from channel history"
            );
        }
        Ok(())
    }

    pub(super) async fn store(
        &self,
        message: &DiscordMessage,
        receipt: Option<Receipt>,
    ) -> Result<()> {
        match receipt {
            Some(receipt) => receipt.stored().await?,
            None => {
                let row = record::message_row(self.id(), message, false);
                self.ctx.messages.insert(row).await?
            }
        };
        #[cfg(feature = "fault-injection")]
        crate::fault::after_store(&message.content);
        Ok(())
    }

    pub(super) async fn store_edit(&self, message: &DiscordMessage) -> Result<()> {
        store_edit(&self.ctx, self.id(), message).await
    }

    pub(super) async fn store_delete(&self, message: Id<MessageMarker>) -> Result<()> {
        store_delete(&self.ctx, message).await
    }
}

/// Stores an edit of a message of ticket `ticket`; an edit of a message never seen is kept
/// as it is now. Also what a degraded ticket does with an edit.
pub async fn store_edit(ctx: &Ctx, ticket: i64, message: &DiscordMessage) -> Result<()> {
    let row = record::message_row(ticket, message, false);
    let edited_at = row.edited_at.unwrap_or_else(now_ms);
    ctx.db
        .write(move |conn| {
            if !queries::record_edit(conn, row.id, &row.content, edited_at)? {
                queries::insert_message(conn, &row)?;
            }
            Ok(())
        })
        .await
}

/// Marks a message deleted (it stays stored).
pub async fn store_delete(ctx: &Ctx, message: Id<MessageMarker>) -> Result<()> {
    let id = ids::stored(message);
    ctx.db
        .write(move |conn| queries::record_delete(conn, id, now_ms()))
        .await
}

/// [`missed_messages`], tried again with growing pauses while Discord is unreachable (the task
/// ends with the actor). A refusal (4xx) is final: the channel is gone or the bot lacks rights.
async fn missed_messages_retrying(
    ctx: &Ctx,
    ticket: i64,
    channel: Id<ChannelMarker>,
    after: i64,
) -> Option<Vec<DiscordMessage>> {
    let mut pause = Duration::from_secs(1);
    loop {
        match missed_messages(ctx, channel, after).await {
            Ok(missed) => return Some(missed),
            Err(err)
                if err
                    .discord_status()
                    .is_some_and(|s| (400..500).contains(&s) && s != 429) =>
            {
                tracing::warn!(ticket, error = %err, "could not backfill channel history");
                return None;
            }
            Err(err) => {
                tracing::warn!(ticket, error = %err, retry_in = ?pause, "could not backfill channel history; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(BACKFILL_RETRY_MAX);
            }
        }
    }
}

/// Every message of `channel` after message id `after`, oldest first.
async fn missed_messages(
    ctx: &Ctx,
    channel: Id<ChannelMarker>,
    mut after: i64,
) -> Result<Vec<DiscordMessage>> {
    let mut missed = Vec::new();
    loop {
        // Before every message (a position below any id) the history starts at the oldest.
        let after_id = ids::read(after).unwrap_or(OLDEST);
        let mut page = ctx.discord.history_after(channel, after_id).await?;
        page.sort_by_key(|m| m.id);
        let full_page = page.len() == usize::from(HISTORY_PAGE);
        after = page.last().map_or(after, |m| ids::stored(m.id));
        missed.extend(page);
        if !full_page {
            return Ok(missed);
        }
    }
}
