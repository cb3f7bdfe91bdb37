//! The ticket supervisor: one actor per ticket, restarted with back-off when it fails, and
//! marked degraded when it keeps failing. Written out by hand: ractor's default reaction to a
//! failed child is to stop the supervisor.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ractor::{Actor, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};

use super::actor::{self, TicketActor, TicketArgs, TicketMsg};
use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, Ticket};
use crate::db::queries;
use crate::error::Result;
use crate::texts;
use crate::tickets::context::Ctx;
use crate::tickets::port::{LogEntry, RED};

use crate::tickets::slot::{FIRST_BACKOFF, INTENSITY_WINDOW, MAX_RESTARTS, State};

type Slot = crate::tickets::slot::Slot<ActorRef<TicketMsg>, TicketMsg>;

const REVIVAL_CHECK: Duration = Duration::from_secs(2);

pub struct TicketSupervisor;

pub struct SupervisorArgs {
    pub ctx: Arc<Ctx>,
}

pub enum SupervisorMsg {
    /// Hand a message to a ticket's actor, starting it when needed.
    Deliver(i64, TicketMsg),
    /// A ticket was just opened: start its actor.
    Spawn(Box<Ticket>),
    /// A failed actor's back-off elapsed.
    Restart(i64),
    /// Looks for degraded tickets an operator cleared in the database
    /// (`ticketbot restart-ticket`, possibly from another process).
    CheckRevivals,
}

pub struct SupervisorState {
    ctx: Arc<Ctx>,
    slots: HashMap<i64, Slot>,
    by_actor: HashMap<ActorId, i64>,
}

impl Actor for TicketSupervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<SupervisorMsg>,
        args: SupervisorArgs,
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let settled = args
            .ctx
            .db
            .write(queries::settle_interrupted_openings)
            .await?;
        if settled > 0 {
            tracing::warn!(
                tickets = settled,
                "settled tickets whose opening was interrupted"
            );
        }
        let index = args.ctx.db.run(queries::channel_index).await?;
        args.ctx.channels.replace_all(
            index
                .into_iter()
                .filter_map(|(channel, ticket)| crate::ids::read(channel).map(|c| (c, ticket))),
        );
        Ok(SupervisorState {
            ctx: args.ctx,
            slots: HashMap::new(),
            by_actor: HashMap::new(),
        })
    }

    async fn post_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let active = state.ctx.db.run(queries::active_tickets).await?;
        let count = active.len();
        for ticket in active {
            if ticket.degraded {
                state.slots.insert(ticket.id, Slot::degraded());
                state.publish(ticket.id);
                continue;
            }
            state.spawn(&myself, ticket).await;
        }
        tracing::info!(tickets = count, "open tickets resumed");
        myself.send_interval(REVIVAL_CHECK, || SupervisorMsg::CheckRevivals);
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        message: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SupervisorMsg::Deliver(id, msg) => state.deliver(&myself, id, msg).await,
            SupervisorMsg::Spawn(ticket) => state.spawn(&myself, *ticket).await,
            SupervisorMsg::Restart(id) => state.restart(&myself, id).await,
            SupervisorMsg::CheckRevivals => {
                let degraded: Vec<i64> = state
                    .slots
                    .iter()
                    .filter(|(_, slot)| slot.is_degraded())
                    .map(|(id, _)| *id)
                    .collect();
                if !degraded.is_empty() {
                    let cleared = state
                        .ctx
                        .db
                        .run(move |conn| queries::revived_among(conn, &degraded))
                        .await
                        .unwrap_or_default();
                    for id in cleared {
                        tracing::info!(ticket = id, "operator revived a degraded ticket");
                        state.revive(&myself, id).await;
                    }
                }
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                let Some(id) = state.by_actor.remove(&cell.get_id()) else {
                    return Ok(());
                };
                let waiting = state.slots.get_mut(&id).is_some_and(Slot::stopped);
                if waiting {
                    // Messages came in while it was stopping: they need an actor.
                    state.restart(&myself, id).await;
                } else {
                    state.slots.remove(&id);
                    state.publish(id);
                }
            }
            SupervisionEvent::ActorFailed(cell, err) => {
                let Some(id) = state.by_actor.remove(&cell.get_id()) else {
                    return Ok(());
                };
                tracing::error!(ticket = id, actor = %state.ctx.actor_name(id), error = %err, "ticket actor failed");
                state.failed(&myself, id).await;
            }
            _ => {}
        }
        Ok(())
    }
}

impl SupervisorState {
    async fn revive(&mut self, myself: &ActorRef<SupervisorMsg>, id: i64) {
        if let Some(slot) = self.slots.get_mut(&id) {
            slot.revive();
        }
        self.restart(myself, id).await;
    }

    /// Tells the metrics what the supervisor knows of ticket `id` now.
    fn publish(&self, id: i64) {
        let view = self.slots.get(&id).map(|slot| crate::metrics::ActorView {
            alive: slot.actor().is_some(),
            restarts: slot.total_restarts as u64,
            degraded: slot.is_degraded(),
        });
        crate::metrics::set_actor(id, view);
    }

    async fn spawn(&mut self, myself: &ActorRef<SupervisorMsg>, ticket: Ticket) {
        let id = ticket.id;
        // A ticket whose first message started its actor before the opening's `Spawn`
        // arrived: that actor read the same row and stays.
        if self.slots.get(&id).is_some_and(|s| s.actor().is_some()) {
            return;
        }
        let args = TicketArgs {
            ctx: self.ctx.clone(),
            ticket,
        };
        match Actor::spawn_linked(
            Some(self.ctx.actor_name(id)),
            TicketActor,
            args,
            myself.get_cell(),
        )
        .await
        {
            Ok((actor, _)) => {
                self.by_actor.insert(actor.get_id(), id);
                let slot = self
                    .slots
                    .entry(id)
                    .or_insert_with(|| Slot::starting(Vec::new()));
                for msg in slot.started(actor.clone()) {
                    let _ = actor.cast(msg);
                }
                self.publish(id);
            }
            Err(err) => {
                // Typically the old actor's name is not released yet; try again shortly.
                tracing::warn!(ticket = id, error = %err, "could not start ticket actor; retrying");
                if let Some(slot) = self.slots.get_mut(&id) {
                    slot.down();
                }
                myself.send_after(FIRST_BACKOFF, move || SupervisorMsg::Restart(id));
            }
        }
    }

    async fn deliver(&mut self, myself: &ActorRef<SupervisorMsg>, id: i64, msg: TicketMsg) {
        let Some(slot) = self.slots.get_mut(&id) else {
            self.slots.insert(id, Slot::starting(vec![msg]));
            self.restart(myself, id).await;
            return;
        };
        match &mut slot.state {
            State::Degraded => {
                let ctx = self.ctx.clone();
                tokio::spawn(async move { handle_degraded(&ctx, id, msg).await });
            }
            State::Restarting { waiting } => waiting.push(msg),
            State::Running { actor, waiting } => match actor.cast(msg) {
                Ok(()) => {}
                // The actor is stopping; its termination event restarts it for this message.
                Err(ractor::MessagingErr::SendErr(msg)) => waiting.push(msg),
                Err(_) => {}
            },
        }
    }

    /// Starts the actor of ticket `id` afresh from the database.
    async fn restart(&mut self, myself: &ActorRef<SupervisorMsg>, id: i64) {
        if self
            .slots
            .get(&id)
            .is_some_and(|s| s.actor().is_some() || s.is_degraded())
        {
            return;
        }
        match self.ctx.db.run(move |conn| queries::ticket(conn, id)).await {
            Ok(ticket) => self.spawn(myself, ticket).await,
            Err(crate::error::Error::TicketNotFound(_)) => {
                // Nothing to restart; whatever waited for it cannot be delivered.
                tracing::warn!(
                    ticket = id,
                    "event for a ticket that does not exist; dropped"
                );
                self.slots.remove(&id);
                self.publish(id);
            }
            Err(err) => {
                tracing::error!(ticket = id, error = %err, "cannot load ticket to restart its actor");
                let backoff = self.record_restart(id);
                myself.send_after(backoff, move || SupervisorMsg::Restart(id));
            }
        }
    }

    /// Notes a restart; returns the back-off before the next attempt.
    fn record_restart(&mut self, id: i64) -> Duration {
        crate::metrics::actor_restarted();
        self.slots
            .entry(id)
            .or_insert_with(|| Slot::starting(Vec::new()))
            .record_restart(Instant::now())
    }

    async fn failed(&mut self, myself: &ActorRef<SupervisorMsg>, id: i64) {
        if let Some(slot) = self.slots.get_mut(&id) {
            slot.down();
        }
        self.publish(id);
        let backoff = self.record_restart(id);
        let over_limit = self.slots.get(&id).is_some_and(Slot::over_limit);
        if !over_limit {
            if backoff.is_zero() {
                self.restart(myself, id).await;
            } else {
                myself.send_after(backoff, move || SupervisorMsg::Restart(id));
            }
            return;
        }
        let pending = self
            .slots
            .get_mut(&id)
            .map(Slot::degrade)
            .unwrap_or_default();
        self.publish(id);
        tracing::error!(ticket = id, "ticket actor keeps failing; marked degraded");
        let ctx = self.ctx.clone();
        tokio::spawn(async move {
            let detail = format!(
                "Der Ticket-Prozess ist mehr als {MAX_RESTARTS}× in {} s abgestürzt und wird nicht mehr neu gestartet. \
                 Nachrichten werden weiter gespeichert. Nach Behebung: `ticketbot restart-ticket {id}`.",
                INTENSITY_WINDOW.as_secs()
            );
            let entry = NewAuditEntry::new(Some(id), AuditAction::Degraded, None, detail.clone());
            if let Err(err) = ctx
                .db
                .write(move |conn| {
                    queries::set_degraded(conn, id, true)?;
                    queries::audit(conn, &entry)
                })
                .await
            {
                tracing::error!(ticket = id, error = %err, "could not mark ticket degraded");
            }
            ctx.discord.log(LogEntry {
                title: texts::LOG_DEGRADED,
                ticket: Some(id),
                actor: None,
                detail,
                color: RED,
            });
            for msg in pending {
                handle_degraded(&ctx, id, msg).await;
            }
        });
    }
}

/// A degraded ticket has no actor: its messages are still stored, and presses are answered.
async fn handle_degraded(ctx: &Ctx, id: i64, msg: TicketMsg) {
    let stored = match msg {
        TicketMsg::MessageCreated(_, Some(receipt)) => receipt.stored().await.map(drop),
        TicketMsg::MessageCreated(message, None) | TicketMsg::MessageUpdated(message) => {
            actor::store_edit(ctx, id, &message).await
        }
        TicketMsg::MessageDeleted(message) => actor::store_delete(ctx, message).await,
        TicketMsg::Button(interaction, _)
        | TicketMsg::Command(interaction, _)
        | TicketMsg::TranscriptCommand(interaction) => {
            ctx.discord
                .ephemeral(&interaction, texts::TEMPORARILY_UNAVAILABLE)
                .await
        }
        // Lifecycle and AI events need a live actor; a revived actor rebuilds from the database.
        _ => Ok(()),
    };
    if let Err(err) = stored {
        tracing::error!(ticket = id, error = %err, "degraded ticket: could not handle event");
    }
}
