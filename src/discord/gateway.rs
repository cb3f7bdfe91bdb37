//! The gateway actor: routes every event of the websocket to where it belongs. Interactions it
//! owns (setup, open) it answers itself; everything of a ticket channel goes to that ticket.

use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use twilight_gateway::Event;
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::channel::message::Component;

use super::commands;
use crate::texts;
use crate::tickets::actor::TicketMsg;
use crate::tickets::buttons::{self, ButtonAction, RatingClick};
use crate::tickets::commands::{self as ticket, TicketCommand};
use crate::tickets::context::Ctx;
use crate::tickets::duty;
use crate::tickets::supervisor::SupervisorMsg;
use crate::tickets::{blacklist, open, rating, record, tags};

pub struct GatewayActor;

pub struct GatewayArgs {
    pub ctx: Arc<Ctx>,
    pub supervisor: ActorRef<SupervisorMsg>,
}

pub struct GatewayState {
    ctx: Arc<Ctx>,
    supervisor: ActorRef<SupervisorMsg>,
}

pub enum GatewayMsg {
    Event(Box<Event>),
}

impl Actor for GatewayActor {
    type Msg = GatewayMsg;
    type State = GatewayState;
    type Arguments = GatewayArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<GatewayMsg>,
        args: GatewayArgs,
    ) -> Result<GatewayState, ActorProcessingErr> {
        Ok(GatewayState {
            ctx: args.ctx,
            supervisor: args.supervisor,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<GatewayMsg>,
        message: GatewayMsg,
        state: &mut GatewayState,
    ) -> Result<(), ActorProcessingErr> {
        let GatewayMsg::Event(event) = message;
        // Routing does no I/O and holds no lock, so a panic in it leaves nothing half done:
        // it costs this one event, not the events queued behind it in the mailbox.
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| state.route(*event)));
        if routed.is_err() {
            tracing::error!("gateway router panicked on an event; it was skipped");
        }
        Ok(())
    }
}

impl GatewayState {
    fn to_ticket(
        &self,
        channel: twilight_model::id::Id<twilight_model::id::marker::ChannelMarker>,
        msg: TicketMsg,
    ) -> Result<(), TicketMsg> {
        match self.ctx.channels.get(channel) {
            Some(ticket) => {
                let _ = self.supervisor.cast(SupervisorMsg::Deliver(ticket, msg));
                Ok(())
            }
            None => Err(msg),
        }
    }

    fn route(&self, event: Event) {
        match event {
            Event::InteractionCreate(interaction) => {
                self.route_interaction(Box::new((*interaction).0))
            }
            Event::MessageCreate(message) => {
                #[cfg(feature = "fault-injection")]
                crate::fault::in_router(&message.content);
                if message.guild_id != Some(self.ctx.config.guild_id) {
                    return;
                }
                let Some(ticket) = self.ctx.channels.get(message.channel_id) else {
                    return;
                };
                // Queued for storage before any actor sees it: a crash of the ticket's actor
                // cannot lose it. The bot's own posts are stored by the actor that wrote them,
                // which knows whether Sigrid said them.
                let receipt = (!self.ctx.is_own_user(message.author.id)).then(|| {
                    let receipt = self
                        .ctx
                        .messages
                        .submit(record::message_row(ticket, &message, false));
                    tracing::debug!(ticket, message = %message.id, "message queued for storage");
                    receipt
                });
                let msg = TicketMsg::MessageCreated(Box::new(message.message), receipt);
                let _ = self.supervisor.cast(SupervisorMsg::Deliver(ticket, msg));
            }
            Event::MessageUpdate(message) => {
                let _ = self.to_ticket(
                    message.channel_id,
                    TicketMsg::MessageUpdated(Box::new((*message).0)),
                );
            }
            Event::MessageDelete(deleted) => {
                let _ = self.to_ticket(deleted.channel_id, TicketMsg::MessageDeleted(deleted.id));
            }
            Event::MessageDeleteBulk(deleted) => {
                for id in deleted.ids {
                    let _ = self.to_ticket(deleted.channel_id, TicketMsg::MessageDeleted(id));
                }
            }
            Event::ChannelDelete(channel) => {
                let _ = self.to_ticket(channel.id, TicketMsg::ChannelDeleted);
            }
            _ => {}
        }
    }

    fn route_interaction(&self, interaction: Box<Interaction>) {
        let ctx = self.ctx.clone();
        // The opener rates an ended ticket from the DM the bot sent them: the one thing a
        // direct message may do.
        if interaction.guild_id.is_none() && self.route_rating(&interaction) {
            return;
        }
        // The bot serves one server: a click in another server the bot was added to, or in a
        // direct message, must not create or touch anything in `GUILD_ID`.
        if interaction.guild_id != Some(ctx.config.guild_id) {
            if interaction.data.is_some() {
                tracing::warn!(guild = ?interaction.guild_id, "interaction from outside the bot's server refused");
                answer(ctx, interaction, texts::OTHER_GUILD);
            }
            return;
        }
        match &interaction.data {
            // Only `/tag` completes an option.
            Some(InteractionData::ApplicationCommand(command))
                if interaction.kind == InteractionType::ApplicationCommandAutocomplete
                    && command.name == ticket::TAG =>
            {
                spawn_command(ctx, interaction, "/tag autocomplete", |ctx, i| {
                    Box::pin(async move { tags::autocomplete(&ctx, &i).await })
                });
            }
            Some(InteractionData::ApplicationCommand(_))
                if interaction.kind == InteractionType::ApplicationCommandAutocomplete => {}
            Some(InteractionData::ApplicationCommand(command)) => match command.name.as_str() {
                commands::SETUP_TICKET_BUTTON => {
                    tokio::spawn(async move {
                        if let Err(err) = commands::setup_ticket_button(&ctx, &interaction).await {
                            tracing::error!(error = %err, "/setup_ticket_button failed");
                            let _ = ctx
                                .discord
                                .ephemeral(&interaction, texts::INTERNAL_ERROR)
                                .await;
                        }
                    });
                }
                commands::TICKET_TRANSCRIPT => {
                    let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
                        return;
                    };
                    if let Err(TicketMsg::TranscriptCommand(interaction)) =
                        self.to_ticket(channel, TicketMsg::TranscriptCommand(interaction))
                    {
                        answer(ctx, interaction, texts::NOT_A_TICKET);
                    }
                }
                ticket::TICKET => {
                    let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
                        return;
                    };
                    let Some(sub) = TicketCommand::from_data(command) else {
                        tracing::warn!(?command.options, "unknown /ticket subcommand");
                        answer(ctx, interaction, texts::UNKNOWN_ACTION);
                        return;
                    };
                    if let Err(TicketMsg::Command(interaction, _)) =
                        self.to_ticket(channel, TicketMsg::Command(interaction, sub))
                    {
                        answer(ctx, interaction, texts::NOT_A_TICKET);
                    }
                }
                duty::DUTY => {
                    let Some(on) = duty::from_data(command) else {
                        answer(ctx, interaction, texts::UNKNOWN_ACTION);
                        return;
                    };
                    tokio::spawn(async move {
                        if let Err(err) = duty::duty_command(&ctx, &interaction, on).await {
                            tracing::error!(error = %err, code = err.code(), "/duty failed");
                            let _ = ctx
                                .discord
                                .ephemeral(&interaction, texts::action_failed(&err))
                                .await;
                        }
                    });
                }
                ticket::TAG => {
                    let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
                        return;
                    };
                    let Some(tag) = TicketCommand::tag_from_data(command) else {
                        answer(ctx, interaction, texts::UNKNOWN_ACTION);
                        return;
                    };
                    if let Err(TicketMsg::Command(interaction, _)) =
                        self.to_ticket(channel, TicketMsg::Command(interaction, tag))
                    {
                        answer(ctx, interaction, texts::NOT_A_TICKET);
                    }
                }
                blacklist::BLACKLIST => {
                    spawn_command(ctx, interaction, "/blacklist", |ctx, i| {
                        Box::pin(async move { blacklist::command(&ctx, &i).await })
                    });
                }
                tags::TAGS => {
                    spawn_command(ctx, interaction, "/tags", |ctx, i| {
                        Box::pin(async move { tags::command(&ctx, &i).await })
                    });
                }
                other => {
                    tracing::warn!(command = other, "unknown slash command");
                    answer(ctx, interaction, texts::UNKNOWN_ACTION);
                }
            },
            Some(InteractionData::MessageComponent(data)) => {
                let action = ButtonAction::from_custom_id(&data.custom_id)
                    .or_else(|| self.legacy_label_action(&interaction, &data.custom_id));
                let Some(action) = action else {
                    tracing::warn!(custom_id = %data.custom_id, "button with unknown custom_id");
                    answer(ctx, interaction, texts::UNKNOWN_ACTION);
                    return;
                };
                if action == ButtonAction::Open {
                    let supervisor = self.supervisor.clone();
                    tokio::spawn(async move {
                        if let Err(err) = open::open_ticket(ctx, supervisor, interaction).await {
                            tracing::error!(error = %err, code = err.code(), "opening a ticket failed");
                        }
                    });
                    return;
                }
                let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
                    return;
                };
                if let Err(TicketMsg::Button(interaction, _)) =
                    self.to_ticket(channel, TicketMsg::Button(interaction, action))
                {
                    tracing::warn!(channel = %channel, "ticket button pressed outside a ticket channel");
                    answer(ctx, interaction, texts::NOT_A_TICKET);
                }
            }
            Some(InteractionData::ModalSubmit(data)) if data.custom_id == buttons::CLOSE_REASON => {
                let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
                    return;
                };
                let reason = buttons::submitted_text(data);
                if let Err(TicketMsg::CloseWithReason(interaction, _)) =
                    self.to_ticket(channel, TicketMsg::CloseWithReason(interaction, reason))
                {
                    answer(ctx, interaction, texts::NOT_A_TICKET);
                }
            }
            Some(InteractionData::ModalSubmit(data)) => {
                tracing::warn!(custom_id = %data.custom_id, "modal with unknown custom_id");
                answer(ctx, interaction, texts::UNKNOWN_ACTION);
            }
            _ => {}
        }
    }

    /// A rating button or the rating's comment modal from a DM: handed to `tickets::rating`,
    /// which checks that the presser opened the ticket. False for anything else.
    fn route_rating(&self, interaction: &Interaction) -> bool {
        let ctx = self.ctx.clone();
        let boxed = Box::new(interaction.clone());
        match &interaction.data {
            Some(InteractionData::MessageComponent(data)) => {
                let Some(click) = RatingClick::from_custom_id(&data.custom_id) else {
                    return false;
                };
                tokio::spawn(rating::rate(ctx, boxed, click));
                true
            }
            Some(InteractionData::ModalSubmit(data)) => {
                let Some(ticket) = buttons::rating_comment_ticket(&data.custom_id) else {
                    return false;
                };
                let text = buttons::submitted_text(data);
                tokio::spawn(rating::comment(ctx, boxed, ticket, text));
                true
            }
            _ => false,
        }
    }

    /// A button of a message our bot user posted, with an id we do not know: the original
    /// bot's later versions used random ids, so the label tells what it does.
    fn legacy_label_action(
        &self,
        interaction: &Interaction,
        custom_id: &str,
    ) -> Option<ButtonAction> {
        let message = interaction.message.as_ref()?;
        if !self.ctx.is_own_user(message.author.id) {
            return None;
        }
        let label = message.components.iter().find_map(|row| match row {
            Component::ActionRow(row) => row.components.iter().find_map(|c| match c {
                Component::Button(b) if b.custom_id.as_deref() == Some(custom_id) => {
                    b.label.clone()
                }
                _ => None,
            }),
            _ => None,
        })?;
        ButtonAction::from_label(&label)
    }
}

type CommandTask = std::pin::Pin<Box<dyn std::future::Future<Output = crate::Result<()>> + Send>>;

/// Runs a server-wide command in a task, so routing never waits on it; a failure is answered.
fn spawn_command(
    ctx: Arc<Ctx>,
    interaction: Box<Interaction>,
    what: &'static str,
    run: impl FnOnce(Arc<Ctx>, Arc<Interaction>) -> CommandTask + Send + 'static,
) {
    let interaction: Arc<Interaction> = Arc::from(interaction);
    tokio::spawn(async move {
        if let Err(err) = run(ctx.clone(), interaction.clone()).await {
            tracing::error!(command = what, code = err.code(), error = %err, "command failed");
            let _ = ctx
                .discord
                .ephemeral(&interaction, texts::action_failed(&err))
                .await;
        }
    });
}

/// An ephemeral answer from a task, so routing never waits on Discord.
fn answer(ctx: Arc<Ctx>, interaction: Box<Interaction>, text: &'static str) {
    tokio::spawn(async move {
        if let Err(err) = ctx.discord.ephemeral(&interaction, text).await {
            tracing::error!(error = %err, "could not answer an interaction");
        }
    });
}
