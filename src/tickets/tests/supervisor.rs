//! The supervisor with real ticket actors under it.

use ractor::Actor;

use super::memory::Sent;
use super::{Bench, OPENER, SUPPORT_ROLE, SUPPORTER, press, said};
use crate::texts;
use crate::tickets::actor::TicketMsg;
use crate::tickets::buttons::ButtonAction;
use crate::tickets::supervisor::{SupervisorArgs, SupervisorMsg, TicketSupervisor};

const CHANNEL: u64 = 8_000;

async fn supervising() -> (
    Bench,
    crate::db::models::Ticket,
    ractor::ActorRef<SupervisorMsg>,
) {
    let bench = Bench::new().await;
    let ticket = bench.open_ticket(CHANNEL).await;
    let args = SupervisorArgs {
        ctx: bench.ctx.clone(),
    };
    let (supervisor, _) = Actor::spawn(None, TicketSupervisor, args)
        .await
        .expect("supervisor");
    (bench, ticket, supervisor)
}

#[tokio::test]
async fn open_tickets_are_resumed_and_presses_reach_their_actor() {
    let (bench, ticket, supervisor) = supervising().await;
    let pressed = press(SUPPORTER, &[SUPPORT_ROLE], CHANNEL, "ticket:claim");
    supervisor
        .cast(SupervisorMsg::Deliver(
            ticket.id,
            TicketMsg::Button(pressed, ButtonAction::Claim),
        ))
        .expect("cast");
    let claimed = texts::claimed(ticket.id, SUPPORTER);
    bench
        .discord
        .wait_for(|s| *s == Sent::Public(claimed.clone()))
        .await;
    supervisor.stop(None);
}

#[tokio::test]
async fn a_spawn_that_meets_a_live_actor_leaves_its_messages_flowing() {
    let (bench, ticket, supervisor) = supervising().await;
    // The resumed actor greets the ticket: it is live.
    bench
        .discord
        .wait_for(
            |s| matches!(s, Sent::Posted { content, .. } if content == texts::SECRETARY_GREETING),
        )
        .await;
    // The opening's `Spawn` arrives after a first message already started the actor.
    supervisor
        .cast(SupervisorMsg::Spawn(Box::new(ticket.clone())))
        .expect("cast");
    let hello = said(OPENER, &[], CHANNEL, 1 << 50, "Hallo");
    supervisor
        .cast(SupervisorMsg::Deliver(
            ticket.id,
            TicketMsg::MessageCreated(Box::new(hello), None),
        ))
        .expect("cast");
    bench
        .discord
        .wait_for(
            |s| matches!(s, Sent::Posted { content, .. } if content == texts::SECRETARY_ASK_ID),
        )
        .await;
    supervisor.stop(None);
}
