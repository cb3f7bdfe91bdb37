//! The close workflow through the emulator: close with a reason, the close message, reopening,
//! close requests, and the opener's DM with transcript and rating. Each test checks what
//! reached Discord and the rows written.

use std::time::Duration;

use serde_json::json;
use ticketbot::db::models::{AuditEntry, CloseRequest, Rating, Ticket, TicketStatus};
use ticketbot::db::queries;

use crate::support::app::{ADMIN, SUPPORTERS, TestBot, USERS, WAIT, bot_env};
use crate::support::db::TestDb;
use crate::support::discord::{DiscordEmu, InteractionRef, MessageState, Origin, RecordedRequest};

const SEND: u64 = 1 << 11;

/// The first answer with text the presser got, and whether only they saw it.
async fn reply(emu: &DiscordEmu, ir: &InteractionRef) -> (String, bool) {
    let found = emu
        .wait_for(WAIT, |e| {
            e.interaction_replies(ir)
                .into_iter()
                .filter(RecordedRequest::succeeded)
                .find(|r| !r.content().is_empty())
        })
        .await
        .unwrap_or_else(|| panic!("no answer; replies: {:#?}", emu.interaction_replies(ir)));
    let ephemeral = emu
        .interaction_replies(ir)
        .iter()
        .filter_map(|r| r.json.as_ref())
        .any(|j| j["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0);
    (found.content().to_owned(), ephemeral)
}

async fn audit_rows(bot: &TestBot, id: i64) -> Vec<AuditEntry> {
    bot.db.run(move |c| queries::audit_of(c, id)).await.unwrap()
}

fn count(rows: &[AuditEntry], action: &str) -> usize {
    rows.iter().filter(|r| r.action == action).count()
}

async fn wait_log(bot: &TestBot, needle: &str) -> MessageState {
    let log = bot.spec().log_channel;
    bot.emu
        .wait_for_message(log, |m| m.embed_text().contains(needle), WAIT)
        .await
        .unwrap_or_else(|| panic!("no log entry with {needle:?}"))
}

/// The close message in `channel` (the `n`-th, oldest first).
async fn close_message(bot: &TestBot, channel: u64, n: usize) -> MessageState {
    bot.emu
        .wait_for(WAIT, |e| {
            e.messages(channel)
                .into_iter()
                .filter(|m| m.button("ticket:reopen").is_some())
                .nth(n)
        })
        .await
        .expect("close message posted")
}

/// The `n`-th DM (oldest first) the bot sent `user`.
async fn dm(bot: &TestBot, user: u64, n: usize) -> MessageState {
    bot.emu
        .wait_for(WAIT, |e| {
            let channel = e.dm_channel_with(user)?;
            e.messages(channel).into_iter().nth(n)
        })
        .await
        .expect("DM sent")
}

async fn wait_status(bot: &TestBot, id: i64, status: TicketStatus) -> Ticket {
    bot.wait_ticket(|t| t.id == id && t.status() == status)
        .await
}

async fn close_by_button(bot: &TestBot, ticket: &Ticket) -> Ticket {
    let ir = bot.press(SUPPORTERS[0], ticket, "ticket:close").await;
    let (text, _) = reply(&bot.emu, &ir).await;
    assert!(text.contains("geschlossen"), "{text}");
    wait_status(bot, ticket.id, TicketStatus::Closed).await
}

async fn click_reopen(bot: &TestBot, user: u64, channel: u64, n: usize) -> InteractionRef {
    let message = close_message(bot, channel, n).await;
    bot.emu
        .click_button(user, channel, message.id, "ticket:reopen")
        .await
}

#[tokio::test]
async fn close_with_reason_is_stored_and_shown_in_channel_log_and_dm() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(USERS[0], channel, "Bitte prüft meinen Bann")
        .await;
    bot.wait_stored_with_prefix(ticket.id, "Bitte prüft", 1)
        .await;

    // Somebody else's click is refused and opens no modal.
    let stranger = bot.press(USERS[2], &ticket, "ticket:close_reason").await;
    let (text, ephemeral) = reply(&bot.emu, &stranger).await;
    assert!(ephemeral && text.contains("Nur das Team"), "{text}");
    assert!(bot.emu.modal_of(&stranger).is_none());

    let ir = bot
        .press(SUPPORTERS[0], &ticket, "ticket:close_reason")
        .await;
    let modal = bot
        .emu
        .wait_for(WAIT, |e| e.modal_of(&ir))
        .await
        .expect("modal opened");
    assert_eq!(modal["custom_id"], "ticket:close_reason");
    assert_eq!(modal["components"][0]["label"], "Grund");
    assert_eq!(modal["components"][0]["component"]["required"], true);
    assert_eq!(modal["components"][0]["component"]["max_length"], 1000);
    assert_eq!(modal["components"][0]["component"]["style"], 2);

    let submit = bot
        .emu
        .submit_modal(
            Origin::Home,
            SUPPORTERS[0],
            &ir,
            &[("text", "Bann wurde aufgehoben")],
        )
        .await;
    let (text, ephemeral) = reply(&bot.emu, &submit).await;
    assert!(!ephemeral && text.contains("geschlossen"), "{text}");
    let closed = wait_status(&bot, ticket.id, TicketStatus::Closed).await;
    assert_eq!(
        closed.close_reason.as_deref(),
        Some("Bann wurde aufgehoben")
    );
    let rows = audit_rows(&bot, ticket.id).await;
    let close_row = rows.iter().find(|r| r.action == "closed").unwrap();
    assert!(close_row.detail.contains("Bann wurde aufgehoben"));
    assert_eq!(close_row.actor_id, Some(SUPPORTERS[0] as i64));

    let notice = close_message(&bot, channel, 0).await;
    assert!(
        notice.content.contains("Bann wurde aufgehoben"),
        "{}",
        notice.content
    );
    let labels: Vec<_> = notice
        .buttons()
        .into_iter()
        .filter_map(|b| b.label)
        .collect();
    assert_eq!(labels, ["Wieder öffnen", "Ticket löschen"]);
    assert!(notice.button("ticket:delete").is_some());
    let logged = wait_log(&bot, "Ticket geschlossen").await;
    assert!(logged.embed_text().contains("Bann wurde aufgehoben"));

    let message = dm(&bot, USERS[0], 0).await;
    let text = message.embed_text();
    assert!(text.contains(&format!("Ticket #{}", ticket.id)), "{text}");
    assert!(
        text.contains("Bann wurde aufgehoben") && text.contains("supporter0"),
        "{text}"
    );
    assert_eq!(message.attachments.len(), 1);
    let file = &message.attachments[0];
    assert_eq!(file.filename, format!("ticket-{}.html", ticket.id));
    assert!(String::from_utf8_lossy(&file.data).contains("Bitte prüft meinen Bann"));
    let ratings: Vec<_> = message
        .buttons()
        .into_iter()
        .map(|b| (b.label.unwrap_or_default(), b.custom_id.unwrap_or_default()))
        .collect();
    let expected: Vec<_> = (1..=5)
        .map(|n| (n.to_string(), format!("rating:{}:{n}", ticket.id)))
        .collect();
    assert_eq!(ratings, expected);

    // The same modal submitted again finds the ticket closed: refused, nothing changes.
    let again = bot
        .emu
        .submit_modal(Origin::Home, SUPPORTERS[0], &ir, &[("text", "nochmal")])
        .await;
    let (text, ephemeral) = reply(&bot.emu, &again).await;
    assert!(ephemeral && text.contains("bereits geschlossen"), "{text}");
    let rows = audit_rows(&bot, ticket.id).await;
    assert_eq!(count(&rows, "closed"), 1);
    assert_eq!(count(&rows, "refused"), 2);
    let after = bot.ticket(ticket.id).await;
    assert_eq!(after.close_reason.as_deref(), Some("Bann wurde aufgehoben"));
    assert_eq!(after.closed_at, closed.closed_at);
    let notices = bot.emu.messages(channel);
    assert_eq!(
        notices
            .iter()
            .filter(|m| m.button("ticket:reopen").is_some())
            .count(),
        1
    );
}

#[tokio::test]
async fn the_opener_and_staff_reopen_and_sigrid_stays_off() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let first = close_by_button(&bot, &ticket).await;

    // Somebody else may not.
    let stranger = click_reopen(&bot, USERS[2], channel, 0).await;
    let (text, ephemeral) = reply(&bot.emu, &stranger).await;
    assert!(
        ephemeral && text.contains("darf es wieder öffnen"),
        "{text}"
    );
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Closed);

    let ir = click_reopen(&bot, USERS[0], channel, 0).await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    assert!(
        !ephemeral && text.contains(&format!("wieder geöffnet von <@{}>", USERS[0])),
        "{text}"
    );
    let reopened = wait_status(&bot, ticket.id, TicketStatus::Open).await;
    assert_eq!(reopened.claimed_by, None);
    assert_eq!(reopened.closed_at, None, "not counted by the cleanup");
    assert!(
        !ticketbot::ai::secretary::listens(&reopened),
        "Sigrid stays off"
    );
    let moved = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel).filter(|c| {
                c.parent_id == Some(spec.created_cat)
                    && c.overwrite(USERS[0]).is_some_and(|o| o.allow & SEND != 0)
            })
        })
        .await;
    assert!(
        moved.is_some(),
        "back in 'created', the opener writes again"
    );
    assert_eq!(count(&audit_rows(&bot, ticket.id).await, "reopened"), 1);
    wait_log(&bot, "Ticket wieder geöffnet").await;
    // The cleanup sweep does not see it.
    let due = bot
        .db
        .run(|c| queries::closed_before(c, i64::MAX))
        .await
        .unwrap();
    assert!(due.iter().all(|t| t.id != ticket.id));

    // Claimed, closed again (a new close time), reopened by staff: unclaimed.
    let ir = bot.press(SUPPORTERS[1], &ticket, "ticket:claim").await;
    reply(&bot.emu, &ir).await;
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Claimed)
        .await;
    let ir = bot.press(SUPPORTERS[1], &ticket, "ticket:close").await;
    reply(&bot.emu, &ir).await;
    let second = wait_status(&bot, ticket.id, TicketStatus::Closed).await;
    assert!(second.closed_at > first.closed_at, "closed_at set anew");
    let ir = click_reopen(&bot, ADMIN, channel, 1).await;
    let (text, _) = reply(&bot.emu, &ir).await;
    assert!(text.contains("wieder geöffnet"), "{text}");
    let again = wait_status(&bot, ticket.id, TicketStatus::Open).await;
    assert_eq!(again.claimed_by, None);
    assert_eq!(count(&audit_rows(&bot, ticket.id).await, "reopened"), 2);
    bot.emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(spec.created_cat))
        })
        .await
        .expect("moved back from 'claimed'");
}

#[tokio::test]
async fn the_opener_may_not_reopen_with_reopen_by_opener_false() {
    let bot = TestBot::start_with(&[("REOPEN_BY_OPENER", "false")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    close_by_button(&bot, &ticket).await;
    let ir = click_reopen(&bot, USERS[0], channel, 0).await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("Nur das Team"), "{text}");
    let rows = audit_rows(&bot, ticket.id).await;
    assert_eq!(count(&rows, "reopened"), 0);
    assert_eq!(count(&rows, "refused"), 1);
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Closed);
    // Staff still may.
    let ir = click_reopen(&bot, SUPPORTERS[0], channel, 0).await;
    reply(&bot.emu, &ir).await;
    wait_status(&bot, ticket.id, TicketStatus::Open).await;
}

#[tokio::test]
async fn reopen_is_refused_while_the_opener_has_another_open_ticket() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    close_by_button(&bot, &ticket).await;
    let other = bot.open_ticket(button, USERS[0]).await;
    assert_ne!(other.id, ticket.id);

    let ir = click_reopen(&bot, SUPPORTERS[0], channel, 0).await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    let link = format!("<#{}>", other.channel_id.unwrap());
    assert!(ephemeral && text.contains(&link), "{text}");
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Closed);
    let rows = audit_rows(&bot, ticket.id).await;
    assert_eq!(count(&rows, "reopened"), 0);
    assert_eq!(count(&rows, "refused"), 1);
}

async fn rating_of(bot: &TestBot, id: i64) -> Option<Rating> {
    bot.db
        .run(move |c| queries::rating_of(c, id))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_opener_rates_once_from_the_dm_and_may_comment_once() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    close_by_button(&bot, &ticket).await;
    let message = dm(&bot, USERS[0], 0).await;
    let dm_channel = message.channel_id;
    let button = format!("rating:{}:4", ticket.id);

    // Another member cannot rate someone else's ticket (say, a forwarded message).
    let stranger = bot
        .emu
        .click_button_from(Origin::Dm, USERS[1], dm_channel, message.id, &button)
        .await;
    let (text, ephemeral) = reply(&bot.emu, &stranger).await;
    assert!(ephemeral && text.contains("Nur die Person"), "{text}");
    assert!(rating_of(&bot, ticket.id).await.is_none());

    let ir = bot
        .emu
        .click_button_from(Origin::Dm, USERS[0], dm_channel, message.id, &button)
        .await;
    let modal = bot
        .emu
        .wait_for(WAIT, |e| e.modal_of(&ir))
        .await
        .expect("comment modal offered");
    assert_eq!(modal["custom_id"], format!("rating_comment:{}", ticket.id));
    assert_eq!(modal["components"][0]["component"]["required"], false);
    let rating = rating_of(&bot, ticket.id).await.expect("rating stored");
    assert_eq!((rating.stars, rating.rater_id), (4, USERS[0] as i64));
    let edited = bot
        .emu
        .wait_for(WAIT, |e| {
            e.message(message.id)
                .filter(|m| m.buttons().iter().all(|b| b.disabled))
        })
        .await
        .expect("DM edited with the buttons disabled");
    assert!(edited.content.contains("4 von 5"), "{}", edited.content);
    assert_eq!(edited.buttons().len(), 5);
    assert!(bot.emu.requests().iter().any(|r| r.is(
        "PATCH",
        &format!("/channels/{dm_channel}/messages/{}", message.id)
    ) && r.succeeded()));
    wait_log(&bot, "Ticket bewertet").await;

    let submit = bot
        .emu
        .submit_modal(
            Origin::Dm,
            USERS[0],
            &ir,
            &[("text", "Schnell und freundlich")],
        )
        .await;
    let (text, ephemeral) = reply(&bot.emu, &submit).await;
    assert!(
        ephemeral && text.contains("Kommentar wurde gespeichert"),
        "{text}"
    );
    let rating = rating_of(&bot, ticket.id).await.unwrap();
    assert_eq!(rating.comment.as_deref(), Some("Schnell und freundlich"));
    let logged = wait_log(&bot, "Kommentar zur Bewertung").await;
    assert!(logged.embed_text().contains("Schnell und freundlich"));
    // Submitted twice: refused, the first comment stays.
    let twice = bot
        .emu
        .submit_modal(Origin::Dm, USERS[0], &ir, &[("text", "doch nicht")])
        .await;
    let (text, ephemeral) = reply(&bot.emu, &twice).await;
    assert!(
        ephemeral && text.contains("bereits einen Kommentar"),
        "{text}"
    );
    assert_eq!(
        rating_of(&bot, ticket.id).await.unwrap().comment.as_deref(),
        Some("Schnell und freundlich")
    );

    // Reopened and closed again: a new DM, whose rating is refused as the second one.
    let ir = click_reopen(&bot, SUPPORTERS[0], channel, 0).await;
    reply(&bot.emu, &ir).await;
    wait_status(&bot, ticket.id, TicketStatus::Open).await;
    close_by_button(&bot, &ticket).await;
    let second = dm(&bot, USERS[0], 1).await;
    let click = bot
        .emu
        .click_button_from(
            Origin::Dm,
            USERS[0],
            dm_channel,
            second.id,
            &format!("rating:{}:1", ticket.id),
        )
        .await;
    let (text, ephemeral) = reply(&bot.emu, &click).await;
    assert!(ephemeral && text.contains("bereits bewertet"), "{text}");
    assert_eq!(rating_of(&bot, ticket.id).await.unwrap().stars, 4);
    let rows = audit_rows(&bot, ticket.id).await;
    assert_eq!(count(&rows, "rated"), 1);
    assert_eq!(count(&rows, "rating_commented"), 1);
    assert_eq!(count(&rows, "refused"), 3);
}

#[tokio::test]
async fn an_opener_who_takes_no_dms_costs_one_audit_row_and_one_log_line() {
    let bot = TestBot::start().await;
    bot.emu.refuse_dms(USERS[0]);
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    close_by_button(&bot, &ticket).await;
    close_message(&bot, channel, 0).await;
    wait_log(&bot, "Direktnachricht nicht zustellbar").await;
    let refused = bot
        .emu
        .wait_for_request(|r| r.is("POST", "/messages") && r.status == 403, WAIT)
        .await
        .expect("the DM was tried");
    assert_eq!(refused.response.as_ref().unwrap()["code"], 50007);
    let rows = audit_rows(&bot, ticket.id).await;
    assert_eq!(count(&rows, "dm_refused"), 1);
    assert_eq!(count(&rows, "closed"), 1);
    let closed = bot.ticket(ticket.id).await;
    assert_eq!(closed.status(), TicketStatus::Closed);
    assert!(!closed.degraded);
    let log = bot.emu.messages(bot.spec().log_channel);
    assert_eq!(
        log.iter()
            .filter(|m| m.embed_text().contains("Direktnachricht nicht zustellbar"))
            .count(),
        1
    );
}

async fn request_close(bot: &TestBot, channel: u64, reason: &str) -> (CloseRequest, MessageState) {
    let ir = bot
        .emu
        .slash_command_with_options(
            SUPPORTERS[0],
            channel,
            "ticket",
            json!([{"name": "closerequest", "type": 1, "options": [
                {"name": "reason", "type": 3, "value": reason}
            ]}]),
        )
        .await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("Schließanfrage"), "{text}");
    let message = bot
        .emu
        .wait_for_message(
            channel,
            |m| {
                m.buttons()
                    .iter()
                    .any(|b| b.label.as_deref() == Some("Schließen bestätigen"))
            },
            WAIT,
        )
        .await
        .expect("close request posted");
    let ticket = bot
        .wait_ticket(|t| t.channel_id == Some(channel as i64))
        .await;
    let request = bot
        .db
        .run(move |c| queries::pending_close_request(c, ticket.id))
        .await
        .unwrap()
        .expect("request stored");
    (request, message)
}

fn button_id(message: &MessageState, label: &str) -> String {
    message
        .buttons()
        .into_iter()
        .find(|b| b.label.as_deref() == Some(label))
        .and_then(|b| b.custom_id)
        .unwrap()
}

async fn stored_request(bot: &TestBot, id: i64) -> CloseRequest {
    bot.db
        .run(move |c| queries::close_request(c, id))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_opener_confirms_a_close_request_and_only_the_opener_may() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    // Only staff ask.
    let ir = bot
        .emu
        .slash_command_with_options(
            USERS[0],
            channel,
            "ticket",
            json!([{"name": "closerequest", "type": 1, "options": []}]),
        )
        .await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("kein Supporter"), "{text}");

    let (request, message) = request_close(&bot, channel, "alles geklärt").await;
    assert!(message.content.contains(&format!("<@{}>", USERS[0])));
    assert_eq!(message.mentions, [USERS[0]], "only the opener is pinged");
    assert!(message.content.contains("alles geklärt"));
    assert!(count(&audit_rows(&bot, ticket.id).await, "close_requested") == 1);
    wait_log(&bot, "Schließen angefragt").await;

    let confirm = button_id(&message, "Schließen bestätigen");
    let staff = bot
        .emu
        .click_button(SUPPORTERS[1], channel, message.id, &confirm)
        .await;
    let (text, ephemeral) = reply(&bot.emu, &staff).await;
    assert!(ephemeral && text.contains("Nur die Person"), "{text}");
    assert!(bot.ticket(ticket.id).await.status().is_active());

    let ir = bot
        .emu
        .click_button(USERS[0], channel, message.id, &confirm)
        .await;
    let (text, _) = reply(&bot.emu, &ir).await;
    assert!(text.contains("bestätigt"), "{text}");
    let closed = wait_status(&bot, ticket.id, TicketStatus::Closed).await;
    assert_eq!(closed.close_reason.as_deref(), Some("alles geklärt"));
    let rows = audit_rows(&bot, ticket.id).await;
    let close_row = rows.iter().find(|r| r.action == "closed").unwrap();
    assert_eq!(
        close_row.actor_id,
        Some(SUPPORTERS[0] as i64),
        "closed by the requester"
    );
    assert_eq!(
        stored_request(&bot, request.id).await.state,
        CloseRequest::CONFIRMED
    );
    bot.emu
        .wait_for(WAIT, |e| {
            e.message(message.id)
                .filter(|m| m.buttons().iter().all(|b| b.disabled))
        })
        .await
        .expect("request buttons disabled");
    close_message(&bot, channel, 0).await;
    let dm = dm(&bot, USERS[0], 0).await;
    assert!(dm.embed_text().contains("supporter0") && dm.embed_text().contains("alles geklärt"));

    // A client that still shows the buttons: told the request is over, nothing changes.
    let keep = button_id(&message, "Offen lassen");
    let late = bot
        .emu
        .click_stale_button(Origin::Home, USERS[0], channel, message.id, &keep)
        .await;
    let (text, ephemeral) = reply(&bot.emu, &late).await;
    assert!(ephemeral && text.contains("nicht mehr offen"), "{text}");
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Closed);
}

#[tokio::test]
async fn the_opener_keeps_the_ticket_open() {
    let bot = TestBot::start_with(&[("CLOSE_REQUEST_TIMEOUT", "3s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (request, message) = request_close(&bot, channel, "fertig?").await;
    let keep = button_id(&message, "Offen lassen");
    let ir = bot
        .emu
        .click_button(USERS[0], channel, message.id, &keep)
        .await;
    let (text, ephemeral) = reply(&bot.emu, &ir).await;
    assert!(!ephemeral && text.contains("offen lassen"), "{text}");
    assert_eq!(
        stored_request(&bot, request.id).await.state,
        CloseRequest::KEPT
    );
    let edited = bot
        .emu
        .wait_for(WAIT, |e| {
            e.message(message.id)
                .filter(|m| m.buttons().iter().all(|b| b.disabled))
        })
        .await
        .expect("request buttons disabled");
    assert!(
        edited.content.contains("bleibt offen"),
        "{}",
        edited.content
    );
    assert_eq!(
        count(&audit_rows(&bot, ticket.id).await, "close_request_kept"),
        1
    );
    wait_log(&bot, "Schließanfrage abgelehnt").await;
    // Its timer does not close the ticket.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    assert!(bot.ticket(ticket.id).await.status().is_active());
    // Confirming the answered request (a stale client) is refused.
    let confirm = button_id(&message, "Schließen bestätigen");
    let late = bot
        .emu
        .click_stale_button(Origin::Home, USERS[0], channel, message.id, &confirm)
        .await;
    let (text, ephemeral) = reply(&bot.emu, &late).await;
    assert!(ephemeral && text.contains("nicht mehr offen"), "{text}");
    assert!(bot.ticket(ticket.id).await.status().is_active());
}

#[tokio::test]
async fn an_unanswered_close_request_closes_the_ticket() {
    let bot = TestBot::start_with(&[("CLOSE_REQUEST_TIMEOUT", "2s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (request, message) = request_close(&bot, channel, "keine Rückmeldung").await;
    let closed = wait_status(&bot, ticket.id, TicketStatus::Closed).await;
    assert!(closed.closed_at.unwrap() >= request.due_at);
    assert_eq!(closed.close_reason.as_deref(), Some("keine Rückmeldung"));
    assert_eq!(
        stored_request(&bot, request.id).await.state,
        CloseRequest::EXPIRED
    );
    let rows = audit_rows(&bot, ticket.id).await;
    let close_row = rows.iter().find(|r| r.action == "closed").unwrap();
    assert_eq!(close_row.actor_id, Some(SUPPORTERS[0] as i64));
    close_message(&bot, channel, 0).await;
    bot.emu
        .wait_for(WAIT, |e| {
            e.message(message.id)
                .filter(|m| m.buttons().iter().all(|b| b.disabled))
        })
        .await
        .expect("request buttons disabled");
}

#[tokio::test]
async fn a_close_request_outlives_a_restart() {
    let mut bot = TestBot::start_with(&[("CLOSE_REQUEST_TIMEOUT", "2s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (request, _) = request_close(&bot, channel, "erledigt").await;
    bot.shutdown().await;
    // Falls due while the bot is down: closed at the next start.
    let left = request.due_at - ticketbot::db::now_ms() + 300;
    if left > 0 {
        tokio::time::sleep(Duration::from_millis(left as u64)).await;
    }
    assert!(bot.ticket(ticket.id).await.status().is_active());
    bot.restart().await;
    let closed = wait_status(&bot, ticket.id, TicketStatus::Closed).await;
    assert_eq!(closed.close_reason.as_deref(), Some("erledigt"));
    assert_eq!(
        stored_request(&bot, request.id).await.state,
        CloseRequest::EXPIRED
    );
    assert_eq!(count(&audit_rows(&bot, ticket.id).await, "closed"), 1);
    close_message(&bot, channel, 0).await;
}

#[tokio::test]
async fn deleting_an_open_ticket_sends_the_dm_and_a_deleted_ticket_may_still_be_rated() {
    let bot = TestBot::start().await;
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:delete").await;
    reply(&bot.emu, &ir).await;
    wait_status(&bot, ticket.id, TicketStatus::Deleted).await;
    let message = dm(&bot, USERS[0], 0).await;
    assert_eq!(message.attachments.len(), 1);
    let ir = bot
        .emu
        .click_button_from(
            Origin::Dm,
            USERS[0],
            message.channel_id,
            message.id,
            &format!("rating:{}:2", ticket.id),
        )
        .await;
    bot.emu
        .wait_for(WAIT, |e| e.modal_of(&ir))
        .await
        .expect("comment modal offered");
    assert_eq!(rating_of(&bot, ticket.id).await.unwrap().stars, 2);
}

#[tokio::test]
async fn bad_workflow_settings_name_their_key() {
    let emu = DiscordEmu::start(Default::default()).await;
    let db = TestDb::sqlite();
    for (key, value) in [
        ("REOPEN_BY_OPENER", "vielleicht"),
        ("CLOSE_REQUEST_TIMEOUT", "bald"),
    ] {
        let env = bot_env(&emu, &db, &[(key, value)]);
        let err = ticketbot::Config::from_lookup(|k| env.get(k).cloned()).unwrap_err();
        assert_eq!(err.key, key);
        assert!(err.problem.contains(value), "{}", err.problem);
    }
    let env = bot_env(&emu, &db, &[]);
    let config = ticketbot::Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    assert_eq!(config.close_request_timeout, Duration::from_secs(24 * 3600));
    assert!(config.reopen_by_opener);
}

#[tokio::test]
async fn the_panel_shows_the_close_reason_and_the_rating() {
    use crate::panel::{body, login, panel, seed_conversation};
    use diesel::prelude::*;
    use ticketbot::db::schema::tickets;

    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;
    let id = seeded.id;
    panel
        .db
        .write(move |c| {
            diesel::update(tickets::table.find(id))
                .set(tickets::close_reason.eq("Bann <b>aufgehoben</b>"))
                .execute(c)?;
            queries::insert_rating(
                c,
                &Rating {
                    ticket_id: id,
                    rater_id: USERS[0] as i64,
                    stars: 4,
                    comment: None,
                    rated_at: 1_764_000_000_000,
                    commented_at: None,
                },
            )?;
            queries::set_rating_comment(c, id, "Sehr hilfreich", 1_764_000_000_001)?;
            Ok(())
        })
        .await
        .unwrap();
    login(&panel, ADMIN).await;
    let page = body(panel.client.get(format!("/tickets/{id}")).dispatch().await).await;
    assert!(
        page.contains("Bann &lt;b&gt;aufgehoben&lt;&#x2F;b&gt;")
            || page.contains("Bann &lt;b&gt;aufgehoben&lt;/b&gt;"),
        "reason shown, escaped"
    );
    assert!(page.contains("4 von 5"));
    assert!(page.contains("Sehr hilfreich"));
}
