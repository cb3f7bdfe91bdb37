//! One actor per ticket: owns the ticket's claim status and conversation, persists every
//! change before it answers Discord, and stores every message of its channel.

use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, UserMarker};

use crate::ai::secretary::{self, Secretary, Thought};
use crate::context::Ctx;
use crate::db::batch::Receipt;
use crate::db::models::{Message, NewAuditEntry, NewTranscript, Ticket, TicketStatus};
use crate::db::{DbConn, now_ms, queries, transcripts};
use crate::discord::category_fill;
use crate::discord::custom_id::ButtonAction;
use crate::discord::permissions::{self, Stage};
use crate::discord::reply::{self, Actor as Who, LogEntry, Post};
use crate::discord::rest;
use crate::error::{Error, Result};
use crate::texts;
use crate::tickets::{record, transcript};

/// How long the actor of a closed ticket stays to store late messages before it stops.
const CLOSED_LINGER: Duration = Duration::from_secs(30);
/// The longest pause between tries to read a channel's history while Discord is unreachable.
const BACKFILL_RETRY_MAX: Duration = Duration::from_secs(300);
/// Pauses between tries to post a new ticket's welcome while Discord refuses it.
const WELCOME_RETRY_FIRST: Duration = Duration::from_secs(1);
const WELCOME_RETRY_MAX: Duration = Duration::from_secs(300);

pub struct TicketActor;

pub struct TicketArgs {
    pub ctx: Arc<Ctx>,
    pub ticket: Ticket,
}

pub struct TicketState {
    ctx: Arc<Ctx>,
    ticket: Ticket,
    secretary: Secretary,
    /// The channel-history catch-up in flight; it ends with the actor.
    backfill: Option<tokio::task::AbortHandle>,
    /// Sigrid's greeting is still to be posted (a new ticket whose welcome is not up yet).
    greeting_due: bool,
}

pub enum TicketMsg {
    Button(Box<Interaction>, ButtonAction),
    TranscriptCommand(Box<Interaction>),
    /// A channel message; with the receipt of its storage when the router already queued it.
    MessageCreated(Box<DiscordMessage>, Option<Receipt>),
    /// Messages of the channel after message id `after` (oldest first): what arrived while no
    /// actor listened.
    Backfilled {
        after: i64,
        missed: Vec<DiscordMessage>,
    },
    MessageUpdated(Box<DiscordMessage>),
    MessageDeleted(Id<MessageMarker>),
    /// The channel was deleted by hand in Discord.
    ChannelDeleted,
    /// The closed channel is older than `TICKET_CLEANUP_DAYS`.
    Cleanup,
    IdleStop,
    /// Sigrid finished thinking about the opener's messages.
    AiDone(Box<Thought>),
    /// Try again to post the welcome (and greeting) that Discord refused; the next pause.
    PostWelcome(Duration),
}

impl Actor for TicketActor {
    type Msg = TicketMsg;
    type State = TicketState;
    type Arguments = TicketArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<TicketMsg>,
        args: TicketArgs,
    ) -> Result<TicketState, ActorProcessingErr> {
        Ok(TicketState {
            secretary: Secretary::new(&args.ctx.ai),
            backfill: None,
            greeting_due: false,
            ctx: args.ctx,
            ticket: args.ticket,
        })
    }

    async fn post_start(
        &self,
        myself: ActorRef<TicketMsg>,
        state: &mut TicketState,
    ) -> Result<(), ActorProcessingErr> {
        Box::pin(state.on_start(&myself)).await;
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<TicketMsg>,
        message: TicketMsg,
        state: &mut TicketState,
    ) -> Result<(), ActorProcessingErr> {
        // An actor's task is as big as the largest future it may await, for as long as it
        // lives; boxing the work keeps an idle ticket at a few hundred bytes instead of
        // tens of KiB (measured by the load tool's memory scenario).
        Box::pin(state.on_message(&myself, message)).await
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<TicketMsg>,
        state: &mut TicketState,
    ) -> Result<(), ActorProcessingErr> {
        // A successor starts its own catch-up; this one would only hold a Discord request slot.
        if let Some(backfill) = state.backfill.take() {
            backfill.abort();
        }
        Ok(())
    }
}

/// How long a change the database could not take waits before it is tried again.
const STORAGE_RETRY: Duration = Duration::from_secs(2);

/// Hands `msg` back to the actor after a pause: the database takes no writes (full disk,
/// server down), and failing the actor would only restart it into the same wall, over and
/// over, until the ticket is marked degraded.
fn retry_later(myself: &ActorRef<TicketMsg>, ticket: i64, err: &Error, msg: TicketMsg) {
    tracing::warn!(ticket, error = %err, retry_in = ?STORAGE_RETRY, "could not store a change; trying again");
    myself.send_after(STORAGE_RETRY, move || msg);
}

/// What the actor does after an action.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    /// Closed: stay a little for late messages, then stop.
    Linger,
    Stop,
}

fn roles(interaction: &Interaction) -> &[Id<twilight_model::id::marker::RoleMarker>] {
    interaction
        .member
        .as_ref()
        .map(|m| m.roles.as_slice())
        .unwrap_or_default()
}

fn audit(ticket: i64, action: &str, who: Option<&Who>, detail: impl Into<String>) -> NewAuditEntry {
    NewAuditEntry {
        ticket_id: Some(ticket),
        action: action.to_owned(),
        actor_id: who.map(|w| w.id as i64),
        actor_name: who.map(|w| w.name.clone()),
        detail: detail.into(),
        created_at: now_ms(),
    }
}

/// The channel name after a claim: `<opener>-<claimer>-<number>`.
fn claimed_channel_name(opener: &str, claimer: &str, number: i64) -> String {
    format!(
        "{}-{}-{number}",
        super::open::name_part(opener),
        super::open::name_part(claimer)
    )
}

impl TicketState {
    async fn on_message(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        message: TicketMsg,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            TicketMsg::Button(interaction, action) => {
                let outcome = match action {
                    ButtonAction::Claim => self.claim(&interaction).await,
                    ButtonAction::Close => self.close(&interaction).await,
                    ButtonAction::Delete => self.delete(&interaction).await,
                    // Opening happens before a ticket exists; the router never sends it here.
                    ButtonAction::Open => Ok(Flow::Continue),
                };
                self.finish(myself, &interaction, outcome).await;
            }
            TicketMsg::TranscriptCommand(interaction) => {
                let outcome = self.transcript_command(&interaction).await;
                self.finish(myself, &interaction, outcome).await;
            }
            TicketMsg::Backfilled { after, missed } => {
                match self.store_backfilled(after, &missed).await {
                    Err(err) if err.is_transient_storage() => {
                        retry_later(
                            myself,
                            self.id(),
                            &err,
                            TicketMsg::Backfilled { after, missed },
                        );
                    }
                    stored => {
                        stored?;
                        // The opener may have written while nobody answered.
                        if !missed.is_empty() {
                            self.secretary_turn(myself).await;
                        }
                    }
                }
            }
            TicketMsg::MessageCreated(message, receipt) => {
                match self.store(&message, receipt).await {
                    // The message writer keeps it and writes it again once the database
                    // takes writes; the ticket goes on meanwhile.
                    Err(err) if err.is_transient_storage() => {
                        tracing::warn!(ticket = self.id(), error = %err, "message not stored yet");
                    }
                    stored => stored?,
                }
                self.secretary_hears(myself, &message).await;
            }
            TicketMsg::MessageUpdated(message) => match self.store_edit(&message).await {
                Err(err) if err.is_transient_storage() => {
                    retry_later(myself, self.id(), &err, TicketMsg::MessageUpdated(message));
                }
                stored => stored?,
            },
            TicketMsg::MessageDeleted(id) => {
                let stored = self
                    .ctx
                    .db
                    .write(move |conn| queries::record_delete(conn, id.get() as i64, now_ms()))
                    .await;
                match stored {
                    Err(err) if err.is_transient_storage() => {
                        retry_later(myself, self.id(), &err, TicketMsg::MessageDeleted(id));
                    }
                    stored => stored?,
                }
            }
            TicketMsg::ChannelDeleted => match self.channel_gone().await {
                Err(err) if err.is_transient_storage() => {
                    retry_later(myself, self.id(), &err, TicketMsg::ChannelDeleted);
                }
                gone => {
                    gone?;
                    myself.stop(None);
                }
            },
            TicketMsg::Cleanup => {
                if self.cleanup().await? == Flow::Stop {
                    myself.stop(None);
                }
            }
            TicketMsg::IdleStop => {
                if !self.ticket.status().is_active() {
                    myself.stop(None);
                }
            }
            TicketMsg::AiDone(thought) => self.secretary_done(myself, *thought).await?,
            TicketMsg::PostWelcome(pause) => {
                if self.ticket.status().is_active() {
                    Box::pin(self.welcome_or_retry(myself, pause)).await;
                }
            }
        }
        Ok(())
    }

    /// Greets a new ticket, catches up on the channel and on unanswered opener messages.
    async fn on_start(&mut self, myself: &ActorRef<TicketMsg>) {
        let status = self.ticket.status();
        // Where the catch-up on channel history starts is read before this actor posts
        // anything: a welcome posted now (its predecessor died before recording one) is
        // newer than what users wrote meanwhile.
        let catch_up_from = match self.catch_up_position().await {
            Ok(position) => position,
            Err(err) => {
                tracing::warn!(ticket = self.ticket.id, error = %err, "could not backfill channel history");
                None
            }
        };
        if status.is_active() && self.ticket.welcome_message_id.is_none() {
            self.greeting_due = true;
            // Boxed: all actors start at once, and only a new ticket needs this big future.
            Box::pin(self.welcome_or_retry(myself, WELCOME_RETRY_FIRST)).await;
        }
        // Messages that reached the channel while no actor listened.
        if let Some((channel, after)) = catch_up_from {
            self.start_backfill(myself, channel, after);
        }
        if !status.is_active() {
            myself.send_after(CLOSED_LINGER, || TicketMsg::IdleStop);
        }
        // A restarted actor answers what the opener wrote while nobody answered, including
        // what the router queued for storage while its predecessor died.
        self.ctx.messages.flush().await;
        self.secretary_turn(myself).await;
    }

    fn id(&self) -> i64 {
        self.ticket.id
    }

    fn channel(&self) -> Option<Id<ChannelMarker>> {
        self.ticket
            .channel_id
            .and_then(|c| Id::new_checked(c as u64))
    }

    fn opener(&self) -> Id<UserMarker> {
        Id::new_checked(self.ticket.opener_id as u64).unwrap_or(Id::new(1))
    }

    async fn reload(&mut self) -> Result<()> {
        let id = self.id();
        self.ticket = self
            .ctx
            .db
            .run(move |conn| queries::ticket(conn, id))
            .await?;
        Ok(())
    }

    /// Answers the presser when an action failed, so nobody waits on a silent button.
    async fn finish(
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
                let _ = reply::ephemeral(&self.ctx, interaction, texts::action_failed(&err)).await;
                // The database is the truth; whatever was half done is re-read.
                let _ = self.reload().await;
            }
        }
    }

    /// Writes a state change and its audit row in one transaction.
    async fn transition(
        &self,
        action: &str,
        who: Option<&Who>,
        detail: &str,
        change: fn(&mut DbConn, i64, i64) -> Result<()>,
    ) -> Result<()> {
        let id = self.id();
        let entry = audit(id, action, who, detail);
        self.ctx
            .db
            .write(move |conn| {
                change(conn, id, now_ms())?;
                queries::audit(conn, &entry)
            })
            .await
    }

    /// Posts an event of this ticket to the log channel.
    fn log(&self, title: &str, who: Option<&Who>, detail: String, color: u32) {
        let entry = LogEntry {
            title,
            ticket: Some(self.id()),
            actor: who,
            detail,
            color,
        };
        reply::log(&self.ctx, entry);
    }

    /// Refuses an action: ephemeral answer, audit row, log channel.
    async fn refuse(
        &self,
        interaction: &Interaction,
        who: Option<&Who>,
        text: &str,
    ) -> Result<Flow> {
        let entry = audit(self.id(), "refused", who, text);
        self.ctx
            .db
            .write(move |conn| queries::audit(conn, &entry))
            .await?;
        reply::ephemeral(&self.ctx, interaction, text).await?;
        self.log(texts::LOG_REFUSED, who, text.to_owned(), reply::ORANGE);
        Ok(Flow::Continue)
    }

    /// Posts what is missing of the welcome; when Discord refuses, tries again after `pause`
    /// (doubling), since without it the staff have no buttons in this ticket. The log channel
    /// hears of the first failure.
    async fn welcome_or_retry(&mut self, myself: &ActorRef<TicketMsg>, pause: Duration) {
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
            let greeting = reply::post(&self.ctx, "secretary greeting", channel, greeting).await?;
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
        let content = format!("<@{}>", self.opener());
        let welcome = Post {
            content: &content,
            embeds: vec![reply::simple_embed(
                &texts::ticket_title(self.id()),
                &texts::welcome(self.opener().get()),
                reply::BLUE,
            )],
            components: reply::staff_button_row(),
            mentions: None,
        };
        let welcome = reply::post(&self.ctx, "welcome message", channel, welcome).await?;
        let id = self.id();
        let row = record::message_row(id, &welcome, false);
        let welcome_id = welcome.id.get() as i64;
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

    /// Where the catch-up on channel history starts: where the last one ended; before the
    /// first, the newest stored message (a message stored live while a catch-up was in flight
    /// is newer than those it had yet to store, so only then); for a ticket without any, its
    /// welcome (imported from the original bot) or the channel's own id, which is older than
    /// every message in it. With the channel; None without one.
    async fn catch_up_position(&self) -> Result<Option<(Id<ChannelMarker>, i64)>> {
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
            .unwrap_or(channel.get() as i64);
        Ok(Some((channel, after)))
    }

    /// Fetches what the channel got after message id `after` in a task of its own, so the
    /// actor answers at once; the messages come back as [`TicketMsg::Backfilled`].
    fn start_backfill(
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
    async fn store_backfilled(&mut self, after: i64, missed: &[DiscordMessage]) -> Result<()> {
        let id = self.id();
        let synced = missed
            .iter()
            .map(|m| m.id.get() as i64)
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
            tracing::info!(
                ticket = id,
                stored,
                "backfilled messages from channel history"
            );
        }
        Ok(())
    }

    async fn store(&self, message: &DiscordMessage, receipt: Option<Receipt>) -> Result<()> {
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

    /// Sigrid hears a channel message: the opener's are answered, a staff member's makes her
    /// step back; bots and other members are context only.
    async fn secretary_hears(&mut self, myself: &ActorRef<TicketMsg>, message: &DiscordMessage) {
        if message.author.bot || !secretary::listens(&self.ticket) {
            return;
        }
        let staff = message
            .member
            .as_ref()
            .is_some_and(|m| self.ctx.config.roles.is_staff(&m.roles));
        if staff {
            self.secretary_steps_back(Some(texts::SECRETARY_STEPS_BACK_STAFF))
                .await;
        } else if message.author.id == self.opener() {
            self.secretary_turn(myself).await;
        }
    }

    /// Starts thinking about the opener's unanswered messages, unless she already thinks; the
    /// AI request runs in its own task and reports back with [`TicketMsg::AiDone`].
    async fn secretary_turn(&mut self, myself: &ActorRef<TicketMsg>) {
        if self.secretary.busy || !secretary::listens(&self.ticket) {
            return;
        }
        let pending = match secretary::pending(&self.ctx, &self.ticket).await {
            Ok(Some(pending)) => pending,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(ticket = self.id(), error = %err, "could not read unanswered messages");
                return;
            }
        };
        self.secretary.busy = true;
        let (ctx, ticket, me) = (self.ctx.clone(), self.ticket.clone(), myself.clone());
        let handles = secretary::handles(&self.secretary);
        tokio::spawn(async move {
            let thought = secretary::think(ctx, handles, ticket, pending).await;
            // A stopped actor drops the thought; its successor answers from the database.
            let _ = me.cast(TicketMsg::AiDone(Box::new(thought)));
        });
    }

    async fn secretary_done(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        thought: Thought,
    ) -> Result<()> {
        self.secretary.busy = false;
        self.reload().await?;
        if !secretary::listens(&self.ticket) {
            return Ok(());
        }
        let applied = secretary::apply(&self.ctx, self.id(), thought).await;
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

    async fn secretary_steps_back(&mut self, text: Option<&str>) {
        if let Err(err) = secretary::step_back(&self.ctx, &self.ticket, text).await {
            tracing::error!(ticket = self.id(), error = %err, "secretary could not step back");
        }
        if let Err(err) = self.reload().await {
            tracing::error!(ticket = self.id(), error = %err, "could not reload the ticket");
        }
    }

    async fn store_edit(&self, message: &DiscordMessage) -> Result<()> {
        let row = record::message_row(self.id(), message, false);
        let edited_at = row.edited_at.unwrap_or_else(now_ms);
        self.ctx
            .db
            .write(move |conn| {
                if !queries::record_edit(conn, row.id, &row.content, edited_at)? {
                    // An edit of a message we never saw: keep it as it is now.
                    queries::insert_message(conn, &row)?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn claim(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let config = &self.ctx.config;
        let roles = roles(interaction);
        if !config.roles.is_staff(roles) {
            return self
                .refuse(interaction, who.as_ref(), texts::NOT_STAFF)
                .await;
        }
        let Some(who) = who else {
            return Ok(Flow::Continue);
        };
        let sigrid_listened = secretary::listens(&self.ticket);
        let takeover = match (self.ticket.status(), self.ticket.claimed_by) {
            (TicketStatus::Open, _) => false,
            (TicketStatus::Claimed, Some(holder)) if holder == who.id as i64 => {
                return self
                    .refuse(interaction, Some(&who), texts::ALREADY_CLAIMED_BY_YOU)
                    .await;
            }
            (TicketStatus::Claimed, Some(_)) if config.roles.is_admin(roles) => true,
            (TicketStatus::Claimed, holder) => {
                let text = texts::claimed_by_other(holder.unwrap_or_default());
                return self.refuse(interaction, Some(&who), &text).await;
            }
            _ => {
                return self
                    .refuse(interaction, Some(&who), texts::TICKET_NOT_OPEN)
                    .await;
            }
        };
        let limit = config.max_tickets_per_supporter;
        let (id, claimer, claimer_name) = (self.id(), who.id as i64, who.name.clone());
        let previous = self.ticket.claimed_by;
        let granted = self
            .ctx
            .db
            .write(move |conn| {
                let limit = i64::from(limit);
                if !queries::claim_within_limit(conn, id, claimer, &claimer_name, limit, now_ms())?
                {
                    return Ok(false);
                }
                let detail = match previous {
                    Some(previous) => format!("übernommen von {previous}"),
                    None => String::new(),
                };
                queries::audit(
                    conn,
                    &audit(
                        id,
                        "claimed",
                        Some(&Who {
                            id: claimer as u64,
                            name: claimer_name.clone(),
                        }),
                        detail,
                    ),
                )?;
                Ok(true)
            })
            .await?;
        if !granted {
            return self
                .refuse(interaction, Some(&who), &texts::claim_limit(limit))
                .await;
        }
        self.reload().await?;
        let text = if takeover {
            texts::taken_over(id, who.id)
        } else {
            texts::claimed(id, who.id)
        };
        reply::public(&self.ctx, interaction, &text).await?;
        if sigrid_listened {
            self.secretary_steps_back(Some(texts::SECRETARY_STEPS_BACK_CLAIMED))
                .await;
        }
        self.apply_channel_stage(Stage::Claimed, Some(&who)).await;
        self.log(texts::LOG_CLAIMED, Some(&who), text, reply::GREEN);
        Ok(Flow::Continue)
    }

    /// Moves, renames and re-permissions the channel for `stage`. Failures are reported to the
    /// log channel: the ticket's state in the database stays what it is.
    async fn apply_channel_stage(&self, stage: Stage, claimer: Option<&Who>) {
        let Some(channel) = self.channel() else {
            return;
        };
        let config = &self.ctx.config;
        let parent = match stage {
            Stage::Created => config.categories.created,
            Stage::Claimed => config.categories.claimed,
            Stage::Closed => config.categories.closed,
        };
        let claimer_id = claimer.and_then(|c| Id::new_checked(c.id));
        let overwrites = permissions::ticket_channel(
            config,
            stage,
            self.opener(),
            claimer_id,
            self.ctx.bot_user_id.get().copied(),
        );
        let name =
            claimer.map(|c| claimed_channel_name(&self.ticket.opener_name, &c.name, self.id()));
        let result = rest::send("move ticket channel", || {
            let mut request = self
                .ctx
                .http
                .update_channel(channel)
                .parent_id(Some(parent))
                .permission_overwrites(&overwrites);
            if let Some(name) = &name {
                request = request.name(name);
            }
            request
        })
        .await;
        match result {
            Ok(_) => category_fill::check(&self.ctx, parent).await,
            Err(err) => {
                report_discord_failure(&self.ctx, self.id(), "Kanal verschieben", &err).await
            }
        }
    }

    async fn save_transcript(&self, reason: &str, who: Option<&Who>) -> Result<(usize, String)> {
        let id = self.id();
        let reason = reason.to_owned();
        let (by_id, by_name) = (who.map(|w| w.id as i64), who.map(|w| w.name.clone()));
        self.ctx
            .db
            .write(move |conn| {
                let messages = queries::messages_of(conn, id)?;
                let body_text = transcript::render_text(&messages);
                let stored = queries::insert_transcript(
                    conn,
                    NewTranscript {
                        ticket_id: id,
                        reason,
                        created_by: by_id,
                        created_by_name: by_name,
                        created_at: now_ms(),
                        message_count: messages.len() as i32,
                        body_text: body_text.clone(),
                    },
                )?;
                transcripts::insert_entries(conn, &transcript::rows(stored.id, &messages))?;
                Ok((messages.len(), body_text))
            })
            .await
    }

    async fn close(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let is_staff = self.ctx.config.roles.is_staff(roles(interaction));
        let is_opener = who
            .as_ref()
            .is_some_and(|w| w.id as i64 == self.ticket.opener_id);
        if !is_staff && !is_opener {
            return self
                .refuse(interaction, who.as_ref(), texts::NOT_STAFF_OR_OPENER)
                .await;
        }
        if !self.ticket.status().is_active() {
            return self
                .refuse(interaction, who.as_ref(), texts::TICKET_NOT_OPEN)
                .await;
        }
        if secretary::listens(&self.ticket) {
            self.secretary_steps_back(None).await;
        }
        let id = self.id();
        self.save_transcript("close", who.as_ref()).await?;
        self.transition("closed", who.as_ref(), "", queries::set_closed)
            .await?;
        self.reload().await?;
        reply::public(&self.ctx, interaction, &texts::closing(id)).await?;
        self.apply_channel_stage(Stage::Closed, None).await;
        if let Some(channel) = self.channel() {
            let notice = Post {
                content: texts::CLOSED_NOTICE,
                ..Post::default()
            };
            let notice = reply::post(&self.ctx, "closed notice", channel, notice).await;
            if let Ok(notice) = notice {
                let _ = self.store(&notice, None).await;
            }
        }
        self.log(texts::LOG_CLOSED, who.as_ref(), String::new(), reply::RED);
        Ok(Flow::Linger)
    }

    async fn delete(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        if !self.ctx.config.roles.is_staff(roles(interaction)) {
            return self
                .refuse(interaction, who.as_ref(), texts::NOT_STAFF)
                .await;
        }
        if self.ticket.status() == TicketStatus::Deleted {
            return self
                .refuse(interaction, who.as_ref(), texts::TICKET_NOT_OPEN)
                .await;
        }
        let id = self.id();
        self.save_transcript("delete", who.as_ref()).await?;
        self.transition("deleted", who.as_ref(), "", queries::set_deleted)
            .await?;
        reply::ephemeral(&self.ctx, interaction, &texts::deleting(id)).await?;
        self.remove_channel("Kanal löschen").await;
        self.log(texts::LOG_DELETED, who.as_ref(), String::new(), reply::RED);
        Ok(Flow::Stop)
    }

    async fn remove_channel(&self, what: &str) {
        let Some(channel) = self.channel() else {
            return;
        };
        self.ctx.channels.remove(channel);
        let result = rest::send("delete channel", || self.ctx.http.delete_channel(channel)).await;
        match result {
            Ok(_) => {}
            // Already gone: what we wanted.
            Err(err) if err.discord_status() == Some(404) => {}
            Err(err) => report_discord_failure(&self.ctx, self.id(), what, &err).await,
        }
    }

    async fn channel_gone(&mut self) -> Result<()> {
        if let Some(channel) = self.channel() {
            self.ctx.channels.remove(channel);
        }
        if self.ticket.status() == TicketStatus::Deleted {
            return Ok(());
        }
        self.save_transcript("channel_deleted", None).await?;
        self.transition(
            "channel_deleted",
            None,
            "Kanal in Discord gelöscht",
            queries::set_deleted,
        )
        .await?;
        self.log(texts::LOG_CHANNEL_GONE, None, String::new(), reply::RED);
        Ok(())
    }

    async fn cleanup(&mut self) -> Result<Flow> {
        if self.ticket.status() != TicketStatus::Closed {
            return Ok(Flow::Continue);
        }

        self.transition(
            "cleanup",
            None,
            "Kanal nach Ablauf der Aufbewahrungszeit gelöscht",
            queries::set_deleted,
        )
        .await?;
        self.remove_channel("Kanal aufräumen").await;
        self.log(texts::LOG_CLEANUP, None, String::new(), reply::ORANGE);
        Ok(Flow::Stop)
    }

    async fn transcript_command(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        if !self.ctx.config.roles.is_staff(roles(interaction)) {
            return self
                .refuse(interaction, who.as_ref(), texts::NOT_STAFF)
                .await;
        }
        let (count, _) = self.save_transcript("manual", who.as_ref()).await?;
        let id = self.id();
        let (ticket, messages) = self
            .ctx
            .db
            .run(move |conn| Ok((queries::ticket(conn, id)?, queries::messages_of(conn, id)?)))
            .await?;
        let html = transcript::render_html(&ticket, &messages);
        reply::ephemeral_with_file(
            &self.ctx,
            interaction,
            &texts::transcript_saved(id, count),
            format!("ticket-{id}.html"),
            html.into_bytes(),
        )
        .await?;
        let entry = audit(
            id,
            "transcript",
            who.as_ref(),
            format!("{count} Nachrichten"),
        );
        self.ctx
            .db
            .write(move |conn| queries::audit(conn, &entry))
            .await?;
        self.log(
            texts::LOG_TRANSCRIPT,
            who.as_ref(),
            format!("{count} Nachrichten"),
            reply::BLUE,
        );
        Ok(Flow::Continue)
    }
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
        let after_id = Id::new_checked(after as u64).unwrap_or(Id::new(1));
        let mut page: Vec<DiscordMessage> = rest::send("channel history", || {
            ctx.http
                .channel_messages(channel)
                .after(after_id)
                .limit(100)
        })
        .await?
        .models()
        .await?;
        page.sort_by_key(|m| m.id);
        let full_page = page.len() == 100;
        after = page.last().map_or(after, |m| m.id.get() as i64);
        missed.extend(page);
        if !full_page {
            return Ok(missed);
        }
    }
}

/// A Discord refusal that retrying cannot fix: tell the operator what to fix.
pub async fn report_discord_failure(ctx: &Ctx, ticket: i64, what: &str, err: &Error) {
    let hint = match err.discord_status() {
        Some(403) => "Dem Bot fehlen Rechte (Kanäle verwalten, Berechtigungen verwalten).",
        Some(404) => "Kanal oder Kategorie existiert nicht (mehr); *_CATEGORY_ID prüfen.",
        _ => "Discord war nicht erreichbar.",
    };
    tracing::error!(ticket, action = what, error = %err, hint, "Discord refused a ticket action");
    reply::log(
        ctx,
        LogEntry {
            title: "Discord-Fehler",
            ticket: Some(ticket),
            actor: None,
            detail: format!("{what} fehlgeschlagen: {err}. {hint}"),
            color: reply::RED,
        },
    );
}
