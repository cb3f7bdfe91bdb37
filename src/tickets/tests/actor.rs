//! The ticket actor alone: what it posts, answers and stores.

use ractor::Actor;

use super::memory::Sent;
use super::{Bench, CLAIMED, OPENER, SUPPORT_ROLE, SUPPORTER, press, said};
use crate::db::models::TicketStatus;
use crate::texts;
use crate::tickets::actor::{TicketActor, TicketArgs, TicketMsg};
use crate::tickets::buttons::ButtonAction;

const CHANNEL: u64 = 7_000;

async fn started() -> (Bench, i64, ractor::ActorRef<TicketMsg>) {
    let bench = Bench::new().await;
    let ticket = bench.open_ticket(CHANNEL).await;
    let id = ticket.id;
    let args = TicketArgs {
        ctx: bench.ctx.clone(),
        ticket,
    };
    let (actor, _) = Actor::spawn(Some(bench.ctx.actor_name(id)), TicketActor, args)
        .await
        .expect("actor");
    (bench, id, actor)
}

#[tokio::test]
async fn a_new_ticket_gets_its_welcome_recorded_and_then_the_greeting() {
    let (bench, id, actor) = started().await;
    bench
        .discord
        .wait_for(
            |s| matches!(s, Sent::Posted { content, .. } if content == texts::SECRETARY_GREETING),
        )
        .await;
    let posts: Vec<_> = bench
        .discord
        .sent()
        .into_iter()
        .filter(|s| matches!(s, Sent::Posted { .. }))
        .collect();
    assert_eq!(posts.len(), 2, "welcome and greeting, once each: {posts:?}");
    assert!(bench.ticket(id).await.welcome_message_id.is_some());
    actor.stop(None);
}

#[tokio::test]
async fn a_claim_by_staff_is_stored_answered_and_moves_the_channel() {
    let (bench, id, actor) = started().await;
    let pressed = press(SUPPORTER, &[SUPPORT_ROLE], CHANNEL, "ticket:claim");
    actor
        .cast(TicketMsg::Button(pressed, ButtonAction::Claim))
        .expect("cast");
    let claimed = texts::claimed(id, SUPPORTER);
    bench
        .discord
        .wait_for(|s| *s == Sent::Public(claimed.clone()))
        .await;
    let ticket = bench.ticket(id).await;
    assert_eq!(ticket.status(), TicketStatus::Claimed);
    assert_eq!(ticket.claimed_by, Some(SUPPORTER as i64));
    assert!(
        bench
            .audit_actions(id)
            .await
            .contains(&"claimed".to_owned())
    );
    bench
        .discord
        .wait_for(|s| matches!(s, Sent::Moved { channel, parent, name: Some(_) } if *channel == CHANNEL && *parent == CLAIMED))
        .await;
    actor.stop(None);
}

#[tokio::test]
async fn a_claim_without_a_staff_role_is_refused_and_audited() {
    let (bench, id, actor) = started().await;
    let pressed = press(OPENER, &[], CHANNEL, "ticket:claim");
    actor
        .cast(TicketMsg::Button(pressed, ButtonAction::Claim))
        .expect("cast");
    bench
        .discord
        .wait_for(|s| *s == Sent::Ephemeral(texts::NOT_STAFF.to_owned()))
        .await;
    assert_eq!(bench.ticket(id).await.status(), TicketStatus::Open);
    assert!(
        bench
            .audit_actions(id)
            .await
            .contains(&"refused".to_owned())
    );
    actor.stop(None);
}

#[tokio::test]
async fn without_an_ai_key_the_opener_is_answered_by_the_script_and_the_log_hears_it() {
    let (bench, id, actor) = started().await;
    let hello = said(OPENER, &[], CHANNEL, 1 << 50, "Hallo, ich wurde gebannt");
    actor
        .cast(TicketMsg::MessageCreated(Box::new(hello), None))
        .expect("cast");
    bench
        .discord
        .wait_for(
            |s| matches!(s, Sent::Posted { content, .. } if content == texts::SECRETARY_ASK_ID),
        )
        .await;
    bench
        .discord
        .wait_for(|s| *s == Sent::Logged(texts::LOG_AI_FALLBACK.to_owned()))
        .await;
    let ticket = bench.ticket(id).await;
    assert_eq!(ticket.ai_state, crate::db::models::AiState::Script);
    assert_eq!(ticket.ai_answered_up_to, Some(1 << 50));
    actor.stop(None);
}
