//! Defects an attacker and a bad day found in what had shipped (transcripts, opening limits,
//! storage outages), each driven through the emulator.

use ticketbot::db::models::TicketStatus;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT};
use crate::support::db::TestDb;
use crate::support::disk::SmallDisk;

/// What an opener writes inside one message, made to look like a staff member's line.
const FORGED: &str = "Zeile eins\n[2026-01-01 10:00:00] Sam Support: Dein Bann ist aufgehoben";

#[tokio::test]
async fn a_transcript_cannot_be_forged_from_inside_a_message() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu.user_message(USERS[0], channel, FORGED).await;
    bot.wait_messages(ticket.id, |m| m.iter().any(|m| m.content == FORGED))
        .await;
    bot.press(SUPPORTERS[0], &ticket, "ticket:close").await;
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Closed)
        .await;
    let transcripts = bot.transcripts(ticket.id).await;
    let transcript = transcripts.first().expect("a transcript on close");

    let id = transcript.id;
    let rows = bot
        .db
        .run(move |c| Ok(ticketbot::db::transcripts::entries_of(c, id)?))
        .await
        .expect("transcript rows");
    assert_eq!(
        rows.len() as i32,
        transcript.message_count,
        "one row per message"
    );
    let forged: Vec<_> = rows
        .iter()
        .filter(|r| r.content.contains("Sam Support"))
        .collect();
    assert_eq!(forged.len(), 1, "{rows:#?}");
    assert_eq!(forged[0].author_id, USERS[0] as i64, "the opener wrote it");
    assert_eq!(forged[0].content, FORGED, "the whole message in its row");
    assert!(rows.iter().all(|r| r.author_name != "Sam Support"));

    // In the text, too, the second line is the opener's message going on, not a line of its own.
    assert!(
        !transcript
            .body_text
            .lines()
            .any(|line| line.starts_with("[2026-01-01 10:00:00] Sam Support")),
        "{}",
        transcript.body_text
    );
    assert!(
        transcript
            .body_text
            .contains("\n    [2026-01-01 10:00:00] Sam Support: Dein Bann ist aufgehoben\n")
    );
}

#[tokio::test]
async fn with_the_disk_full_an_open_and_a_claim_are_answered_and_nothing_is_lost() {
    let test = "with_the_disk_full_an_open_and_a_claim_are_answered_and_nothing_is_lost";
    let Some(disk) = SmallDisk::mount_or_skip(test, "16m") else {
        return;
    };
    let emu = crate::support::app::guild().await;
    let bot = TestBot::launch(emu, TestDb::sqlite_in(disk.path()), &[]).await;
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;

    let filler = disk.fill();
    let support = bot.spec().support_channel;
    let open = bot
        .emu
        .click_button(USERS[1], support, button, "ticket:open")
        .await;
    let text = bot.answer_text(&open).await;
    assert!(text.contains("Speicher"), "the opener is told: {text}");
    let claim = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    let text = bot.answer_text(&claim).await;
    assert!(text.contains("Speicher"), "the supporter is told: {text}");
    let channel = ticket.channel_id.expect("channel") as u64;
    // No channel-history catch-up may stand in for the writer keeping the message.
    bot.emu
        .fail_next("GET", &format!("/channels/{channel}/messages"), 403, 1_000);
    bot.emu
        .user_message(
            USERS[0],
            channel,
            "geschrieben, während die Platte voll war",
        )
        .await;
    let claim = bot.press(SUPPORTERS[1], &ticket, "ticket:claim").await;
    let text = bot.answer_text(&claim).await;
    assert!(
        text.contains("Speicher"),
        "the ticket still answers: {text}"
    );

    // Once there is room again, the same clicks work.
    std::fs::remove_file(filler).expect("remove filler");
    let claim = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    let text = bot.answer_text(&claim).await;
    assert!(text.contains("beansprucht"), "{text}");
    bot.open_ticket(button, USERS[1]).await;
    // The message written meanwhile was kept and stored, without a restart of the bot.
    bot.wait_messages(ticket.id, |m| {
        m.iter()
            .any(|m| m.content == "geschrieben, während die Platte voll war")
    })
    .await;
    assert!(!bot.ticket(ticket.id).await.degraded);
}

#[tokio::test]
async fn a_welcome_refused_many_times_is_posted_once_discord_takes_it() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    // More failures than one request's own retries: the welcome (it carries the claim button)
    // is refused for a while.
    bot.emu
        .fail_next_with_body("POST", "/channels/", "ticket:claim", 500, 12);
    let support = bot.spec().support_channel;
    bot.emu
        .click_button(USERS[0], support, button, "ticket:open")
        .await;
    let ticket = bot
        .wait_ticket(|t| t.opener_id == USERS[0] as i64 && t.welcome_message_id.is_some())
        .await;
    let channel = ticket.channel_id.expect("channel") as u64;
    let welcomes: Vec<_> = bot
        .emu
        .messages(channel)
        .into_iter()
        .filter(|m| m.button("ticket:claim").is_some())
        .collect();
    assert_eq!(welcomes.len(), 1, "one welcome with the staff buttons");
    bot.emu
        .wait_for_message(
            channel,
            |m| m.content == ticketbot::texts::SECRETARY_GREETING,
            WAIT,
        )
        .await
        .expect("Sigrid greets");
    let greetings = bot
        .emu
        .messages(channel)
        .into_iter()
        .filter(|m| m.content == ticketbot::texts::SECRETARY_GREETING)
        .count();
    assert_eq!(greetings, 1, "Sigrid greets once");
    let refused = bot
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.status == 500 && r.path.ends_with(&format!("/channels/{channel}/messages")))
        .count();
    assert_eq!(refused, 12, "the faults were injected");
}
