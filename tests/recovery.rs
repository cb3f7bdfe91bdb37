//! Fault tolerance: a crashing ticket actor, a ticket that keeps crashing, Discord errors.

use std::time::{Duration, Instant};

use ticketbot::db::models::TicketStatus;
use ticketbot::fault;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT};

#[tokio::test]
async fn a_panicking_ticket_actor_is_restarted_while_the_others_keep_answering() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let mut tickets = Vec::new();
    for user in USERS {
        tickets.push(bot.open_ticket(button, user).await);
    }
    let crashed = &tickets[0];
    let crashed_channel = crashed.channel_id.unwrap() as u64;
    bot.emu.user_message(USERS[0], crashed_channel, fault::PANIC).await;
    let crash_at = Instant::now();
    // The others chat on while ticket 0's actor is down.
    for round in 0..10 {
        for (i, ticket) in tickets.iter().enumerate().skip(1) {
            let text = format!("runde {round} von {i}");
            bot.emu.user_message(USERS[i], ticket.channel_id.unwrap() as u64, &text).await;
        }
        bot.emu.user_message(USERS[0], crashed_channel, &format!("nach dem absturz {round}")).await;
    }
    for (i, ticket) in tickets.iter().enumerate() {
        let expected = if i == 0 { "nach dem absturz " } else { "runde " };
        bot.wait_messages(ticket.id, |m| m.iter().filter(|m| m.content.starts_with(expected)).count() == 10)
            .await;
    }
    let back = crash_at.elapsed();
    assert!(bot.messages(crashed.id).await.iter().any(|m| m.content == fault::PANIC), "the message that crashed it is stored");
    // The restarted actor answers buttons again.
    let ir = bot
        .emu
        .click_button(SUPPORTERS[0], crashed_channel, crashed.welcome_message_id.unwrap() as u64, "ticket:claim")
        .await;
    bot.emu.wait_interaction_response(&ir, WAIT).await.expect("answered");
    bot.wait_ticket(|t| t.id == crashed.id && t.status() == TicketStatus::Claimed).await;
    assert!(!bot.ticket(crashed.id).await.degraded);
    eprintln!("recovered and caught up within {back:?}");
}

#[tokio::test]
async fn a_ticket_that_crashes_on_every_message_ends_degraded_and_keeps_storing() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    for _ in 0..7 {
        bot.emu.user_message(USERS[0], channel, fault::PANIC).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.wait_ticket(|t| t.id == ticket.id && t.degraded).await;
    bot.emu
        .wait_for_message(spec.log_channel, |m| m.embed_text().contains("Ticket gestört"), WAIT)
        .await
        .expect("log channel told");
    bot.emu.user_message(USERS[0], channel, "noch jemand da?").await;
    bot.wait_messages(ticket.id, |m| m.iter().any(|m| m.content == "noch jemand da?")).await;
    // Presses get an answer instead of silence.
    let ir = bot
        .emu
        .click_button(SUPPORTERS[0], channel, ticket.welcome_message_id.unwrap() as u64, "ticket:claim")
        .await;
    let answer = bot.emu.wait_interaction_response(&ir, WAIT).await.expect("answered");
    assert!(answer.content().contains("gestört"), "{}", answer.content());
}

#[tokio::test]
async fn discord_429s_and_500s_are_retried_without_duplicates() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    bot.emu.fail_next("POST", &format!("/guilds/{}/channels", spec.guild_id), 429, 2);
    bot.emu.fail_next("POST", &format!("/guilds/{}/channels", spec.guild_id), 500, 2);
    let ticket = bot.open_ticket(button, USERS[0]).await;
    assert_eq!(bot.emu.channels_in(spec.created_cat).len(), 1, "exactly one channel");
    let channel = ticket.channel_id.unwrap() as u64;
    bot.emu.fail_next("POST", &format!("/channels/{channel}/messages"), 500, 1);
    bot.emu.fail_next("PATCH", &format!("/channels/{channel}"), 429, 1);
    let ir = bot
        .emu
        .click_button(SUPPORTERS[0], channel, ticket.welcome_message_id.unwrap() as u64, "ticket:claim")
        .await;
    bot.emu.wait_interaction_response(&ir, WAIT).await.expect("answered");
    bot.emu
        .wait_for(WAIT, |e| e.channel(channel).filter(|c| c.parent_id == Some(spec.claimed_cat)))
        .await
        .expect("moved despite a 429");
    let failed: Vec<_> = bot.emu.requests().into_iter().filter(|r| r.status >= 429).collect();
    assert!(failed.len() >= 5, "the faults were injected: {}", failed.len());
    assert_eq!(bot.all_tickets().await.len(), 1);
}
