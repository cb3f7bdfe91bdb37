//! What Sigrid's decisions (`ai::secretary`) come to in the ticket: the thinking task with its
//! typing indicator, and storing, posting and logging what she decided.

use std::sync::Arc;
use std::time::Duration;

use ractor::ActorRef;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::channel::message::AllowedMentions;
use twilight_model::channel::message::embed::Embed;
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::{TicketMsg, TicketState};
use crate::ai::ban_lookup::Lookup;
use crate::ai::evidence::Evidence;
use crate::ai::secretary::{self, Handover, IdFound, Pending, Then, Thought, listens};
use crate::ai::thinking;
use crate::audit::AuditAction;
use crate::db::evidence::NewEvidence;
use crate::db::models::{AiState, NewAuditEntry, Ticket};
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::limits::clip;
use crate::texts;
use crate::tickets::context::Ctx;
use crate::tickets::port::{BLUE, GREEN, ORANGE, Post, RED};
use crate::tickets::record;

/// How often the typing indicator is renewed (Discord shows it for about 10 s).
const TYPING_EVERY: Duration = Duration::from_secs(8);

impl TicketState {
    /// Sigrid hears a channel message: the opener's are answered, a staff member's makes her
    /// step back; bots and other members are context only.
    pub(super) async fn secretary_hears(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        message: &DiscordMessage,
    ) {
        if message.author.bot || !listens(&self.ticket) {
            return;
        }
        let staff = message
            .member
            .as_ref()
            .is_some_and(|m| self.ctx.config.roles.is_staff(&m.roles));
        if staff {
            self.secretary_steps_back(Some(texts::SECRETARY_STEPS_BACK_STAFF))
                .await;
        } else if Some(message.author.id) == self.opener() {
            self.secretary_turn(myself).await;
        }
    }

    /// Starts thinking about the opener's unanswered messages, unless she already thinks; the
    /// AI request runs in its own task and reports back with [`TicketMsg::AiDone`].
    pub(super) async fn secretary_turn(&mut self, myself: &ActorRef<TicketMsg>) {
        if self.secretary_busy || !listens(&self.ticket) {
            return;
        }
        let pending = match self.pending().await {
            Ok(Some(pending)) => pending,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(ticket = self.id(), error = %err, "could not read unanswered messages");
                return;
            }
        };
        self.secretary_busy = true;
        let (ctx, ticket, me) = (self.ctx.clone(), self.ticket.clone(), myself.clone());
        tokio::spawn(async move {
            let typing = ticket
                .channel_id
                .and_then(crate::ids::read)
                .map(|channel| tokio::spawn(keep_typing(ctx.clone(), channel)));
            let id = ticket.id;
            let history = ctx.db.run(move |conn| queries::ai_turns_of(conn, id));
            let thought = thinking::think(ctx.ai.clone(), &ticket, pending, history).await;
            if let Some(typing) = typing {
                typing.abort();
            }
            // A stopped actor drops the thought; its successor answers from the database.
            let _ = me.cast(TicketMsg::AiDone(Box::new(thought)));
        });
    }

    pub(super) async fn secretary_done(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        thought: Thought,
    ) -> Result<()> {
        self.secretary_busy = false;
        self.reload().await?;
        if !listens(&self.ticket) {
            return Ok(());
        }
        let applied = self.apply(thought).await;
        self.reload().await?;
        match applied {
            // Messages that came while she thought are answered together now.
            Ok(()) => self.secretary_turn(myself).await,
            Err(err) => {
                tracing::error!(ticket = self.id(), code = err.code(), error = %err, "secretary could not answer");
            }
        }
        Ok(())
    }

    pub(super) async fn secretary_steps_back(&mut self, text: Option<&str>) {
        if let Err(err) = self.step_back(text).await {
            tracing::error!(ticket = self.id(), error = %err, "secretary could not step back");
        }
        if let Err(err) = self.reload().await {
            tracing::error!(ticket = self.id(), error = %err, "could not reload the ticket");
        }
    }

    /// The opener's messages she has not answered yet.
    async fn pending(&self) -> Result<Option<Pending>> {
        let (id, opener, after) = (
            self.ticket.id,
            self.ticket.opener_id,
            self.ticket.ai_answered_up_to.unwrap_or(0),
        );
        let unanswered = self
            .ctx
            .db
            .run(move |conn| queries::unanswered_messages(conn, id, opener, after))
            .await?;
        Ok(secretary::pending(&unanswered))
    }

    /// Does what a thought comes to: database first, then Discord.
    async fn apply(&mut self, mut thought: Thought) -> Result<()> {
        let evidence = std::mem::take(&mut thought.evidence);
        if let Some(found) = &thought.found {
            self.record_lookup(found, evidence).await?;
        }
        self.reload().await?;
        let decision = secretary::decide(&self.ticket, thought);
        if let Some(cause) = &decision.fall_back {
            self.fall_back(cause).await;
        }
        let (id, turns, tokens, up_to) =
            (self.id(), decision.turns, decision.tokens, decision.up_to);
        self.ctx
            .db
            .write(move |conn| {
                queries::insert_ai_turns(conn, &turns)?;
                queries::record_ai_turn(conn, id, tokens, up_to)
            })
            .await?;
        match decision.then {
            Then::Say(text) => self.say(&text).await,
            Then::HandOver { verdict, closing } => self.hand_over(verdict, &closing).await,
        }
    }

    async fn record_lookup(&self, found: &IdFound, evidence: Vec<Evidence>) -> Result<()> {
        let id = self.id();
        if let Some((player_name, reason)) = secretary::lookup_facts(found) {
            let ban_id = found.id.clone();
            self.ctx
                .db
                .write(move |conn| {
                    queries::set_ban_facts(
                        conn,
                        id,
                        &ban_id,
                        player_name.as_deref(),
                        reason.as_deref(),
                    )?;
                    let images: Vec<NewEvidence<'_>> = evidence
                        .iter()
                        .map(|e| NewEvidence {
                            url: &e.url,
                            file: e.file.as_ref(),
                            text: e.text.as_deref(),
                            error: e.error.as_deref(),
                        })
                        .collect();
                    crate::db::evidence::insert(conn, id, &ban_id, &images, now_ms())
                })
                .await?;
        }
        if let Lookup::Failed(cause) = &found.lookup {
            tracing::warn!(ticket = id, error = %cause, "ban lookup failed");
            self.log(
                texts::LOG_BAN_LOOKUP_FAILED,
                None,
                format!("ID {}: {cause}. Bitte den Bann von Hand prüfen.", found.id),
                ORANGE,
            );
        }
        Ok(())
    }

    /// Switches the ticket to the scripted intake; the log channel hears it.
    async fn fall_back(&self, cause: &str) {
        let id = self.id();
        if let Err(err) = self
            .ctx
            .db
            .write(move |conn| queries::set_ai_state(conn, id, AiState::Script))
            .await
        {
            tracing::error!(ticket = id, error = %err, "could not switch to the scripted intake");
        }
        tracing::warn!(
            ticket = id,
            cause,
            "AI unavailable; scripted intake takes over"
        );
        self.log(
            texts::LOG_AI_FALLBACK,
            None,
            format!("KI nicht verfügbar ({cause}); die Sekretärin fragt nach Skript."),
            ORANGE,
        );
    }

    /// Stores the verdict with its audit row, then says `closing`, posts the verdict with the
    /// one role ping, and logs it.
    async fn hand_over(&mut self, verdict: Handover, closing: &str) -> Result<()> {
        let id = self.id();
        let entry =
            NewAuditEntry::new(Some(id), AuditAction::Verdict, None, verdict.state.as_str());
        self.ctx
            .db
            .write(move |conn| {
                queries::set_verdict(
                    conn,
                    id,
                    verdict.source,
                    verdict.ban_id.as_deref(),
                    verdict.ban_reason.as_deref(),
                    verdict.cooperative,
                    &verdict.summary,
                    verdict.state,
                    now_ms(),
                )?;
                queries::audit(conn, &entry)
            })
            .await?;
        self.reload().await?;
        self.say(closing).await?;
        let ticket = &self.ticket;
        // Logged whatever happens to the post below: the log channel is where staff look when a
        // hand-over did not show up in the ticket.
        let color = if ticket.verdict_cooperative == Some(false) {
            RED
        } else {
            GREEN
        };
        self.log(texts::LOG_VERDICT, None, verdict_text(ticket), color);
        // With AUTO_ASSIGN only the supporter it went to is pinged, not the staff roles.
        let assigned = match self.assign_on_duty().await {
            Ok(assigned) => assigned,
            Err(err) => {
                tracing::error!(ticket = id, error = %err, "automatic assignment failed; the roles are pinged");
                None
            }
        };
        if let Some(channel) = self.channel() {
            let roles = &self.ctx.config.roles;
            let (content, mentions) = match &assigned {
                Some(supporter) => (
                    texts::assigned(id, supporter.id.get()),
                    AllowedMentions {
                        users: vec![supporter.id],
                        ..AllowedMentions::default()
                    },
                ),
                // The staff roles, by id, nothing parsed.
                None => (
                    format!("<@&{}> <@&{}>", roles.support, roles.admin),
                    AllowedMentions {
                        roles: vec![roles.support, roles.admin],
                        ..AllowedMentions::default()
                    },
                ),
            };
            let ticket = &self.ticket;
            let verdict = Post {
                content: &content,
                embeds: vec![verdict_embed(ticket)],
                mentions: Some(mentions),
                ..Post::default()
            };
            let posted = self.discord().post("verdict", channel, verdict).await?;
            let row = record::message_row(id, &posted, true);
            self.ctx
                .db
                .write(move |conn| queries::insert_message(conn, &row))
                .await?;
        }
        Ok(())
    }

    /// Posts Sigrid's text with every mention disabled and stores it as hers.
    async fn say(&self, text: &str) -> Result<()> {
        let Some(channel) = self.channel() else {
            return Ok(());
        };
        let message = Post {
            content: text,
            mentions: Some(AllowedMentions::default()),
            ..Post::default()
        };
        let posted = self
            .discord()
            .post("secretary message", channel, message)
            .await?;
        let row = record::message_row(self.id(), &posted, true);
        self.ctx
            .db
            .write(move |conn| queries::insert_message(conn, &row))
            .await?;
        Ok(())
    }

    /// She stops answering for good; `text` is said once when given.
    async fn step_back(&self, text: Option<&str>) -> Result<()> {
        let id = self.id();
        self.ctx
            .db
            .write(move |conn| queries::set_ai_state(conn, id, AiState::Stopped))
            .await?;
        if let Some(text) = text {
            self.say(text).await?;
        }
        Ok(())
    }
}

/// Renews the typing indicator until aborted (Discord shows it for about 10 s).
async fn keep_typing(ctx: Arc<Ctx>, channel: Id<ChannelMarker>) {
    loop {
        let _ = ctx.discord.typing(channel).await;
        tokio::time::sleep(TYPING_EVERY).await;
    }
}

fn facts(ticket: &Ticket) -> [(&'static str, String); 5] {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_owned());
    [
        (texts::VERDICT_BAN_ID, or_dash(&ticket.verdict_ban_id)),
        (texts::VERDICT_PLAYER, or_dash(&ticket.verdict_player_name)),
        (texts::VERDICT_REASON, or_dash(&ticket.verdict_ban_reason)),
        (
            texts::VERDICT_COOPERATIVE,
            match ticket.verdict_cooperative {
                Some(true) => "Ja".to_owned(),
                Some(false) => "Nein".to_owned(),
                None => "–".to_owned(),
            },
        ),
        (
            texts::VERDICT_SOURCE,
            match ticket.verdict_source.as_deref() {
                Some("script") => "Skript".to_owned(),
                _ => "KI".to_owned(),
            },
        ),
    ]
}

fn verdict_embed(ticket: &Ticket) -> Embed {
    let summary = ticket.verdict_summary.clone().unwrap_or_default();
    let mut embed = EmbedBuilder::new()
        .title(texts::VERDICT_TITLE)
        .description(summary)
        .color(if ticket.verdict_cooperative == Some(false) {
            RED
        } else {
            BLUE
        });
    for (name, value) in facts(ticket) {
        embed = embed.field(EmbedFieldBuilder::new(name, value).inline());
    }
    embed.build()
}

fn verdict_text(ticket: &Ticket) -> String {
    let mut lines: Vec<String> = facts(ticket)
        .iter()
        .map(|(name, value)| format!("**{name}:** {}", clip(value, 500)))
        .collect();
    // The log fits the description; what is cut is the end of the summary.
    lines.push(ticket.verdict_summary.clone().unwrap_or_default());
    lines.join("\n")
}
