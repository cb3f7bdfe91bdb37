//! One actor per ticket: owns the ticket's claim status and conversation, persists every
//! change before it answers Discord, and stores every message of its channel. This file holds
//! its lifecycle and dispatch; the staff actions, the channel's history and storage, the
//! welcome and Sigrid's effects each have a file of their own.

mod assignment;
mod close_reason;
mod close_request;
mod closing;
mod commands;
mod end_dm;
mod handover;
mod history;
mod inactivity;
mod members;
mod rename;
mod reopen;
mod report;
mod retry;
mod secretary;
mod staff;
mod steps;
mod tag;
mod welcome;

pub use history::{store_delete, store_edit};
pub use report::report_discord_failure;
use retry::retry_later;

use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, UserMarker};

use crate::ai::secretary::Thought;
use crate::db::batch::Receipt;
use crate::db::models::Ticket;
use crate::db::queries;
use crate::error::Result;
use crate::tickets::buttons::ButtonAction;
use crate::tickets::commands::TicketCommand;
use crate::tickets::context::Ctx;

/// How long the actor of a closed ticket stays to store late messages before it stops.
const CLOSED_LINGER: Duration = Duration::from_secs(30);
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
    /// This actor, for what it schedules for itself (a rename Discord put off).
    me: ActorRef<TicketMsg>,
    ticket: Ticket,
    /// Sigrid thinks: new opener messages wait for her and are answered together.
    secretary_busy: bool,
    /// The channel-history catch-up in flight; it ends with the actor.
    backfill: Option<tokio::task::AbortHandle>,
    /// Sigrid's greeting is still to be posted (a new ticket whose welcome is not up yet).
    greeting_due: bool,
    /// The inactivity timer; None while `AUTO_CLOSE_AFTER` is unset or nothing was read yet.
    inactivity: Option<Box<inactivity::Clock>>,
}

pub enum TicketMsg {
    Button(Box<Interaction>, ButtonAction),
    TranscriptCommand(Box<Interaction>),
    /// The reason modal was submitted (its text, when not empty).
    CloseWithReason(Box<Interaction>, Option<String>),
    /// Close request `.0` fell due.
    CloseRequestDue(i64),
    /// `/ticket <subcommand>` inside this ticket's channel.
    Command(Box<Interaction>, TicketCommand),
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
    /// The inactivity timer of this generation fired (an older one is ignored).
    Inactivity(u32),
    /// A channel rename that Discord's limit put off is due.
    RenameDue,
}

impl Actor for TicketActor {
    type Msg = TicketMsg;
    type State = TicketState;
    type Arguments = TicketArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<TicketMsg>,
        args: TicketArgs,
    ) -> Result<TicketState, ActorProcessingErr> {
        Ok(TicketState {
            me: myself,
            secretary_busy: false,
            backfill: None,
            greeting_due: false,
            inactivity: None,
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
        // Its timer with it (the clock aborts it when dropped).
        state.inactivity = None;
        Ok(())
    }
}

/// What the actor does after an action.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    /// Closed: stay a little for late messages, then stop.
    Linger,
    Stop,
}

impl TicketState {
    async fn on_message(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        message: TicketMsg,
    ) -> Result<(), ActorProcessingErr> {
        let touch = inactivity::Touch::of(&message, self.ticket.opener_id);
        match message {
            TicketMsg::Button(interaction, action) => {
                let outcome = match action {
                    ButtonAction::Claim => Box::pin(self.claim(&interaction)).await,
                    ButtonAction::Close => self.close(&interaction).await,
                    ButtonAction::Delete => self.delete(&interaction).await,
                    ButtonAction::Unclaim => Box::pin(self.unclaim(&interaction)).await,
                    ButtonAction::CloseReason => self.close_reason_modal(&interaction).await,
                    ButtonAction::Reopen => self.reopen(&interaction).await,
                    ButtonAction::ConfirmClose(r) => self.confirm_close(&interaction, r).await,
                    ButtonAction::KeepOpen(r) => self.keep_open(&interaction, r).await,
                    // Opening happens before a ticket exists; the router never sends it here.
                    ButtonAction::Open => Ok(Flow::Continue),
                };
                self.finish(myself, &interaction, outcome).await;
            }
            TicketMsg::CloseWithReason(interaction, reason) => {
                let outcome = self.close_with_reason(&interaction, reason).await;
                self.finish(myself, &interaction, outcome).await;
            }
            TicketMsg::CloseRequestDue(request) => {
                if self.close_request_due(myself, request).await? == Flow::Linger {
                    myself.send_after(CLOSED_LINGER, || TicketMsg::IdleStop);
                }
            }
            TicketMsg::TranscriptCommand(interaction) => {
                let outcome = self.transcript_command(&interaction).await;
                self.finish(myself, &interaction, outcome).await;
            }
            TicketMsg::Command(interaction, command) => {
                let outcome = Box::pin(self.command(myself, &interaction, command)).await;
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
            TicketMsg::MessageDeleted(id) => match self.store_delete(id).await {
                Err(err) if err.is_transient_storage() => {
                    retry_later(myself, self.id(), &err, TicketMsg::MessageDeleted(id));
                }
                stored => stored?,
            },
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
            TicketMsg::RenameDue => Box::pin(self.rename_due()).await?,
            TicketMsg::PostWelcome(pause) => {
                if self.ticket.status().is_active() {
                    Box::pin(self.welcome_or_retry(myself, pause)).await;
                }
            }
            TicketMsg::Inactivity(generation) => self.inactivity_fired(myself, generation).await?,
        }
        self.inactivity_touched(myself, touch).await;
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
        if status.is_active() {
            self.resume_close_request(myself).await;
        } else {
            myself.send_after(CLOSED_LINGER, || TicketMsg::IdleStop);
        }
        self.resume_rename().await;
        // A restarted actor answers what the opener wrote while nobody answered, including
        // what the router queued for storage while its predecessor died.
        self.ctx.messages.flush().await;
        self.secretary_turn(myself).await;
        self.inactivity_start(myself).await;
    }

    fn id(&self) -> i64 {
        self.ticket.id
    }

    fn channel(&self) -> Option<Id<ChannelMarker>> {
        self.ticket.channel_id.and_then(crate::ids::read)
    }

    /// None only for a row whose opener is no Discord id (corrupt or hand-made).
    fn opener(&self) -> Option<Id<UserMarker>> {
        crate::ids::read(self.ticket.opener_id)
    }

    fn discord(&self) -> &dyn crate::tickets::port::Discord {
        self.ctx.discord.as_ref()
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
}
