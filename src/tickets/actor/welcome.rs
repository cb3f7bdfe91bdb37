//! A new ticket's welcome: the message with the staff buttons, then Sigrid's greeting, posted
//! again with growing pauses while Discord refuses them.

use std::time::Duration;

use ractor::ActorRef;
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;

use super::{
    TicketMsg, TicketState, WELCOME_RETRY_FIRST, WELCOME_RETRY_MAX, report_discord_failure,
};
use crate::db::queries;
use crate::error::{Error, Result};
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::port::{BLUE, Post, simple_embed};
use crate::tickets::record;

impl TicketState {
    /// Posts what is missing of the welcome; when Discord refuses, tries again after `pause`
    /// (doubling), since without it the staff have no buttons in this ticket. The log channel
    /// hears of the first failure.
    pub(super) async fn welcome_or_retry(&mut self, myself: &ActorRef<TicketMsg>, pause: Duration) {
        let Err(err) = self.post_welcome().await else {
            return;
        };
        tracing::error!(ticket = self.id(), error = %err, retry_in = ?pause, "could not post the welcome message");
        if pause == WELCOME_RETRY_FIRST {
            report_discord_failure(&self.ctx, self.id(), "Willkommensnachricht senden", &err).await;
        }
        let next = (pause * 2).min(WELCOME_RETRY_MAX);
        myself.send_after(pause, move || TicketMsg::PostWelcome(next));
    }

    /// The welcome with the staff buttons, recorded as soon as it is posted (so a retry never
    /// posts it twice), then Sigrid's greeting.
    async fn post_welcome(&mut self) -> Result<()> {
        let Some(channel) = self.channel() else {
            return Ok(());
        };
        if self.ticket.welcome_message_id.is_none() {
            self.post_welcome_message(channel).await?;
        }
        if self.greeting_due {
            let greeting = Post {
                content: texts::SECRETARY_GREETING,
                ..Post::default()
            };
            let greeting = self
                .discord()
                .post("secretary greeting", channel, greeting)
                .await?;
            self.greeting_due = false;
            let row = record::message_row(self.id(), &greeting, true);
            self.ctx
                .db
                .write(move |conn| {
                    queries::insert_message(conn, &row)?;
                    Ok(())
                })
                .await?;
        }
        Ok(())
    }

    async fn post_welcome_message(&mut self, channel: Id<ChannelMarker>) -> Result<()> {
        let opener = self.opener().ok_or_else(|| {
            Error::Internal(format!(
                "ticket #{}: the opener is no Discord id",
                self.id()
            ))
        })?;
        let content = format!("<@{opener}>");
        let welcome = Post {
            content: &content,
            embeds: vec![simple_embed(
                &texts::ticket_title(self.id()),
                &texts::welcome(opener.get()),
                BLUE,
            )],
            components: buttons::staff_button_row(),
            mentions: None,
        };
        let welcome = self
            .discord()
            .post("welcome message", channel, welcome)
            .await?;
        let id = self.id();
        let row = record::message_row(id, &welcome, false);
        let welcome_id = crate::ids::stored(welcome.id);
        self.ctx
            .db
            .write(move |conn| {
                queries::set_welcome_message(conn, id, welcome_id)?;
                queries::insert_message(conn, &row)?;
                Ok(())
            })
            .await?;
        self.ticket.welcome_message_id = Some(welcome_id);
        Ok(())
    }
}
