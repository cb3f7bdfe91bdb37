//! Automatic assignment (`AUTO_ASSIGN=true`) and `/duty on|off` through the emulator: the
//! least-loaded supporter on duty gets Sigrid's hand-over and alone is pinged; nobody on duty
//! or everyone at `MAX_TICKETS_PER_SUPPORTER` falls back to the role ping.

use diesel::prelude::*;
use serde_json::{Value, json};
use ticketbot::db::models::{AuditEntry, Ticket};
use ticketbot::db::schema::{audit_log, on_duty};
use ticketbot::texts;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT};
use crate::support::discord::InteractionRef;
use crate::workflow_timers::hand_over;

async fn duty(bot: &TestBot, user: u64, sub: &str) -> InteractionRef {
    bot.emu
        .slash_command_with_options(
            user,
            bot.spec().support_channel,
            "duty",
            json!([{"name": sub, "type": 1, "options": []}]),
        )
        .await
}

/// The answer to `ir`, which must be ephemeral.
async fn ephemeral_answer(bot: &TestBot, ir: &InteractionRef) -> String {
    let text = bot.answer_text(ir).await;
    let reply = bot
        .emu
        .interaction_replies(ir)
        .into_iter()
        .find(|r| r.content() == text)
        .expect("the answer");
    assert_eq!(
        reply.json.as_ref().unwrap()["data"]["flags"],
        json!(64),
        "ephemeral"
    );
    text
}

async fn on_duty_members(bot: &TestBot) -> Vec<i64> {
    bot.db
        .run(|c| {
            Ok(on_duty::table
                .select(on_duty::user_id)
                .order(on_duty::user_id)
                .load(c)?)
        })
        .await
        .unwrap()
}

/// Audit rows that belong to no ticket.
async fn server_audit(bot: &TestBot) -> Vec<AuditEntry> {
    bot.db
        .run(|c| {
            Ok(audit_log::table
                .filter(audit_log::ticket_id.is_null())
                .order(audit_log::id)
                .select(AuditEntry::as_select())
                .load(c)?)
        })
        .await
        .unwrap()
}

/// The body of the hand-over post (the verdict embed) in `channel`.
async fn verdict_post(bot: &TestBot, channel: u64) -> Value {
    let path = format!("/channels/{channel}/messages");
    bot.emu
        .wait_for(WAIT, |e| {
            e.requests()
                .into_iter()
                .filter(|r| r.is("POST", &path) && r.succeeded())
                .filter_map(|r| r.json)
                .find(|j| j["embeds"][0]["title"] == texts::VERDICT_TITLE)
        })
        .await
        .expect("the hand-over was posted")
}

async fn claim(bot: &TestBot, supporter: u64, ticket: &Ticket) {
    let ir = bot.press(supporter, ticket, "ticket:claim").await;
    bot.answer_text(&ir).await;
    bot.wait_ticket(|t| t.id == ticket.id && t.claimed_by == Some(supporter as i64))
        .await;
}

#[tokio::test]
async fn a_hand_over_goes_to_the_least_loaded_supporter_on_duty_who_alone_is_pinged() {
    let bot =
        TestBot::start_with(&[("AUTO_ASSIGN", "true"), ("MAX_TICKETS_PER_SUPPORTER", "2")]).await;
    for supporter in [SUPPORTERS[0], SUPPORTERS[1]] {
        let ir = duty(&bot, supporter, "on").await;
        assert_eq!(ephemeral_answer(&bot, &ir).await, texts::DUTY_ON);
    }
    let button = bot.setup_button().await;
    let busy = bot.open_ticket(button, USERS[1]).await;
    claim(&bot, SUPPORTERS[0], &busy).await;

    let ticket = bot.open_ticket(button, USERS[0]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    hand_over(&bot, &ticket, channel).await;
    let assigned = bot
        .wait_ticket(|t| t.id == ticket.id && t.claimed_by.is_some())
        .await;
    assert_eq!(assigned.claimed_by, Some(SUPPORTERS[1] as i64));
    assert_eq!(assigned.status(), "claimed");
    let rows = bot
        .db
        .run(move |c| ticketbot::db::queries::audit_of(c, ticket.id));
    let rows = rows.await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.action == "assigned")
        .expect("audited");
    assert_eq!(row.actor_id, Some(SUPPORTERS[1] as i64));

    let post = verdict_post(&bot, channel).await;
    assert_eq!(post["content"], texts::assigned(ticket.id, SUPPORTERS[1]));
    let mentions = &post["allowed_mentions"];
    assert_eq!(
        mentions["users"],
        json!([SUPPORTERS[1].to_string()]),
        "{mentions}"
    );
    assert!(
        mentions["roles"].as_array().is_none_or(Vec::is_empty),
        "{mentions}"
    );
    assert_eq!(mentions["parse"], json!([]), "{mentions}");

    let spec = bot.spec();
    bot.emu
        .wait_for(WAIT, |e| {
            let c = e.channel(channel)?;
            (c.parent_id == Some(spec.claimed_cat) && c.name.contains("supporter1")).then_some(())
        })
        .await
        .expect("the channel is moved and renamed like at a claim");
    bot.emu
        .wait_for_message(
            spec.log_channel,
            |m| m.embeds.iter().any(|e| e["title"] == texts::LOG_ASSIGNED),
            WAIT,
        )
        .await
        .expect("the assignment is logged");
}

#[tokio::test]
async fn nobody_on_duty_or_everyone_at_the_limit_falls_back_to_the_role_ping() {
    let bot =
        TestBot::start_with(&[("AUTO_ASSIGN", "true"), ("MAX_TICKETS_PER_SUPPORTER", "1")]).await;
    let spec = bot.spec();
    let role_ping = json!([spec.support_role.to_string(), spec.admin_role.to_string()]);
    let button = bot.setup_button().await;

    let nobody = bot.open_ticket(button, USERS[0]).await;
    let channel = nobody.channel_id.unwrap() as u64;
    hand_over(&bot, &nobody, channel).await;
    let post = verdict_post(&bot, channel).await;
    assert_eq!(post["allowed_mentions"]["roles"], role_ping);
    assert!(
        post["allowed_mentions"]["users"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    assert_eq!(bot.ticket(nobody.id).await.claimed_by, None);

    let ir = duty(&bot, SUPPORTERS[0], "on").await;
    ephemeral_answer(&bot, &ir).await;
    let busy = bot.open_ticket(button, USERS[1]).await;
    claim(&bot, SUPPORTERS[0], &busy).await;
    let full = bot.open_ticket(button, USERS[2]).await;
    let channel = full.channel_id.unwrap() as u64;
    hand_over(&bot, &full, channel).await;
    let post = verdict_post(&bot, channel).await;
    assert_eq!(post["allowed_mentions"]["roles"], role_ping);
    let t = bot.ticket(full.id).await;
    assert_eq!(
        t.claimed_by, None,
        "the only supporter on duty is at the limit"
    );
    assert_eq!(t.status(), "open");
    for id in [nobody.id, full.id] {
        assert!(!bot.audit(id).await.contains(&"assigned".to_owned()));
    }
}

#[tokio::test]
async fn duty_by_a_non_supporter_is_refused_and_a_supporter_goes_on_and_off() {
    let bot = TestBot::start().await;
    let ir = duty(&bot, USERS[0], "on").await;
    assert_eq!(ephemeral_answer(&bot, &ir).await, texts::NOT_STAFF);
    assert!(on_duty_members(&bot).await.is_empty());
    let refused = server_audit(&bot).await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].action, "refused");
    assert_eq!(refused[0].actor_id, Some(USERS[0] as i64));
    assert!(
        refused[0].detail.starts_with("/duty"),
        "{}",
        refused[0].detail
    );

    let ir = duty(&bot, SUPPORTERS[2], "on").await;
    assert_eq!(ephemeral_answer(&bot, &ir).await, texts::DUTY_ON);
    assert_eq!(on_duty_members(&bot).await, [SUPPORTERS[2] as i64]);
    let ir = duty(&bot, SUPPORTERS[2], "off").await;
    assert_eq!(ephemeral_answer(&bot, &ir).await, texts::DUTY_OFF);
    assert!(on_duty_members(&bot).await.is_empty());
    let actions: Vec<String> = server_audit(&bot)
        .await
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["refused", "duty_on", "duty_off"]);
}
