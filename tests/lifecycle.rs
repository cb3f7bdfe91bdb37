//! The ticket lifecycle on Discord, driven through the emulator: what reached "Discord" and
//! what is in the database after each step.

use std::time::Duration;

use ticketbot::db::models::TicketStatus;

use crate::support::app::{ADMIN, SUPPORTERS, TestBot, USERS, VIEWER, WAIT};
use crate::support::discord::{DiscordEmu, InteractionRef, RecordedRequest};

const VIEW: u64 = 1 << 10;
const SEND: u64 = 1 << 11;

/// The first answer with text the presser got (callback, or the edit of a deferred answer).
async fn reply_text(emu: &DiscordEmu, ir: &InteractionRef) -> (String, bool) {
    let found = emu
        .wait_for(WAIT, |e| {
            e.interaction_replies(ir)
                .into_iter()
                .filter(RecordedRequest::succeeded)
                .find(|r| !r.content().is_empty())
        })
        .await
        .expect("the presser got an answer");
    let ephemeral = emu
        .interaction_replies(ir)
        .iter()
        .filter_map(|r| r.json.as_ref())
        .any(|j| j["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0);
    (found.content().to_owned(), ephemeral)
}

async fn press(
    bot: &TestBot,
    user: u64,
    ticket: &ticketbot::db::models::Ticket,
    custom_id: &str,
) -> (String, bool) {
    let ir = bot.press(user, ticket, custom_id).await;
    reply_text(&bot.emu, &ir).await
}

#[tokio::test]
async fn bot_logs_in_and_registers_its_commands() {
    let bot = TestBot::start().await;
    let put = bot
        .emu
        .wait_for_request(|r| r.is("PUT", "/commands") && r.succeeded(), WAIT)
        .await
        .expect("bulk overwrite of guild commands");
    assert!(
        put.path
            .contains(&format!("/guilds/{}/commands", bot.spec().guild_id))
    );
    let names: Vec<String> = put
        .json
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "setup_ticket_button",
            "ticket_transcript",
            "ticket",
            "duty",
            "tag",
            "blacklist",
            "tags"
        ]
    );

    // Category rights as the original bot set them at start-up.
    let spec = bot.spec();
    let emu = &bot.emu;
    let closed = emu
        .wait_for(WAIT, |e| {
            e.channel(spec.closed_cat)
                .filter(|c| c.overwrite(spec.viewer2_role).is_some())
        })
        .await
        .expect("category permissions set");
    let created = emu.channel(spec.created_cat).unwrap();
    let everyone = created.overwrite(spec.guild_id).unwrap();
    assert!(everyone.deny & VIEW != 0 && everyone.deny & SEND != 0);
    let support = created.overwrite(spec.support_role).unwrap();
    assert!(support.allow & VIEW != 0 && support.allow & SEND != 0);
    let viewer = created.overwrite(spec.viewer_role).unwrap();
    assert!(viewer.allow & VIEW != 0 && viewer.deny & SEND != 0);
    let closed_support = closed.overwrite(spec.support_role).unwrap();
    assert!(
        closed_support.allow & VIEW != 0 && closed_support.deny & SEND != 0,
        "nobody but the bot writes in closed"
    );
}

#[tokio::test]
async fn setup_button_is_for_admins_only() {
    let bot = TestBot::start().await;
    let channel = bot.spec().support_channel;
    let ir = bot
        .emu
        .slash_command(SUPPORTERS[0], channel, "setup_ticket_button")
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("Nur Admins"), "{text}");
    assert!(
        bot.emu
            .messages(channel)
            .iter()
            .all(|m| m.button("ticket:open").is_none())
    );

    let message = bot.setup_button().await;
    let ir = bot
        .emu
        .slash_command(ADMIN, channel, "setup_ticket_button")
        .await;
    let (text, _) = reply_text(&bot.emu, &ir).await;
    assert!(text.contains("platziert"), "{text}");
    let posted = bot.emu.message(message).unwrap();
    assert_eq!(
        posted.buttons()[0].label.as_deref(),
        Some("Ticket erstellen")
    );
    let saved = bot
        .db
        .run(|c| ticketbot::db::queries::setting(c, "TICKET_BUTTON_MESSAGE_ID"))
        .await
        .unwrap();
    let newest = bot
        .emu
        .messages(channel)
        .into_iter()
        .rfind(|m| m.button("ticket:open").is_some())
        .unwrap();
    assert_ne!(newest.id, message);
    assert_eq!(saved, Some(newest.id.to_string()));
}

#[tokio::test]
async fn click_opens_a_private_channel_with_welcome_and_staff_buttons() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    let ir = bot
        .emu
        .click_button(USERS[0], spec.support_channel, button, "ticket:open")
        .await;
    let ticket = bot
        .wait_ticket(|t| t.opener_id == USERS[0] as i64 && t.welcome_message_id.is_some())
        .await;
    assert_eq!(ticket.status(), TicketStatus::Open);
    let channel = bot
        .emu
        .channel(ticket.channel_id.unwrap() as u64)
        .expect("channel exists");
    assert_eq!(channel.parent_id, Some(spec.created_cat));
    assert_eq!(channel.name, format!("spieler-0-{}", ticket.id));
    let everyone = channel
        .overwrite(spec.guild_id)
        .expect("@everyone overwrite");
    assert!(everyone.deny & VIEW != 0, "nobody else sees it");
    let opener = channel.overwrite(USERS[0]).expect("opener overwrite");
    assert!(opener.allow & VIEW != 0 && opener.allow & SEND != 0);
    let viewer = channel
        .overwrite(spec.viewer_role)
        .expect("viewer overwrite");
    assert!(viewer.allow & VIEW != 0 && viewer.deny & SEND != 0);

    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral);
    assert!(text.contains(&format!("<#{}>", channel.id)), "{text}");

    let welcome = bot
        .emu
        .message(ticket.welcome_message_id.unwrap() as u64)
        .unwrap();
    let labels: Vec<_> = welcome
        .buttons()
        .into_iter()
        .filter_map(|b| b.label)
        .collect();
    assert_eq!(
        labels,
        [
            "Ticket beanspruchen",
            "Ticket schließen",
            "Mit Grund schließen",
            "Ticket löschen"
        ]
    );
    // Welcome and greeting are stored like every other message of the channel.
    bot.wait_messages(ticket.id, |m| m.len() >= 2).await;
    assert!(bot.audit(ticket.id).await.contains(&"opened".to_owned()));
    bot.emu
        .wait_for_message(
            spec.log_channel,
            |m| m.embed_text().contains("Ticket erstellt"),
            WAIT,
        )
        .await
        .expect("log channel told");
}

#[tokio::test]
async fn second_click_points_to_the_existing_ticket() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let ir = bot
        .emu
        .click_button(USERS[0], bot.spec().support_channel, button, "ticket:open")
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral);
    assert!(
        text.contains(&format!("<#{}>", ticket.channel_id.unwrap())),
        "{text}"
    );
    assert_eq!(bot.all_tickets().await.len(), 1);
    assert_eq!(bot.emu.channels_in(bot.spec().created_cat).len(), 1);
}

#[tokio::test]
async fn two_users_opening_at_the_same_moment_get_two_channels() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let channel = bot.spec().support_channel;
    let (a, b) = tokio::join!(
        bot.emu
            .click_button(USERS[0], channel, button, "ticket:open"),
        bot.emu
            .click_button(USERS[1], channel, button, "ticket:open"),
    );
    reply_text(&bot.emu, &a).await;
    reply_text(&bot.emu, &b).await;
    let emu = &bot.emu;
    let created = bot.spec().created_cat;
    emu.wait_for(WAIT, |e| (e.channels_in(created).len() == 2).then_some(()))
        .await
        .expect("two channels");
    let tickets = bot.all_tickets().await;
    assert_eq!(tickets.len(), 2);
    assert_ne!(tickets[0].channel_id, tickets[1].channel_id);
}

#[tokio::test]
async fn claim_moves_renames_and_records_the_claimer() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, _) = bot.first_ticket(USERS[0]).await;

    let (text, ephemeral) = press(&bot, USERS[1], &ticket, "ticket:claim").await;
    assert!(ephemeral && text.contains("kein Supporter"), "{text}");
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Open);

    let (text, ephemeral) = press(&bot, SUPPORTERS[0], &ticket, "ticket:claim").await;
    assert!(!ephemeral && text.contains("beansprucht"), "{text}");
    let claimed = bot.ticket(ticket.id).await;
    assert_eq!(claimed.status(), TicketStatus::Claimed);
    assert_eq!(claimed.claimed_by, Some(SUPPORTERS[0] as i64));
    let channel_id = ticket.channel_id.unwrap() as u64;
    let channel = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel_id)
                .filter(|c| c.parent_id == Some(spec.claimed_cat))
        })
        .await
        .expect("moved to claimed");
    assert_eq!(channel.name, format!("spieler-0-supporter0-{}", ticket.id));
    let support = channel.overwrite(spec.support_role).unwrap();
    assert!(support.deny & SEND != 0, "other supporters only read");
    let claimer = channel.overwrite(SUPPORTERS[0]).unwrap();
    assert!(claimer.allow & SEND != 0);

    let (text, _) = press(&bot, SUPPORTERS[1], &ticket, "ticket:claim").await;
    assert!(text.contains("bereits"), "{text}");
    assert_eq!(
        bot.ticket(ticket.id).await.claimed_by,
        Some(SUPPORTERS[0] as i64)
    );

    let (text, ephemeral) = press(&bot, ADMIN, &ticket, "ticket:claim").await;
    assert!(!ephemeral && text.contains("übernommen"), "{text}");
    assert_eq!(bot.ticket(ticket.id).await.claimed_by, Some(ADMIN as i64));
}

#[tokio::test]
async fn fourth_claim_beyond_a_limit_of_three_is_refused() {
    let bot = TestBot::start_with(&[("MAX_TICKETS_PER_SUPPORTER", "3")]).await;
    let button = bot.setup_button().await;
    let mut tickets = Vec::new();
    for user in &USERS[..4] {
        tickets.push(bot.open_ticket(button, *user).await);
    }
    for ticket in &tickets[..3] {
        let (text, _) = press(&bot, SUPPORTERS[0], ticket, "ticket:claim").await;
        assert!(text.contains("beansprucht"), "{text}");
    }
    let (text, ephemeral) = press(&bot, SUPPORTERS[0], &tickets[3], "ticket:claim").await;
    assert!(ephemeral && text.contains("bereits 3"), "{text}");
    assert_eq!(bot.ticket(tickets[3].id).await.status(), TicketStatus::Open);
    assert!(
        bot.audit(tickets[3].id)
            .await
            .contains(&"refused".to_owned())
    );
}

#[tokio::test]
async fn close_archives_the_channel_and_saves_a_transcript() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel_id) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(USERS[0], channel_id, "Meine ID ist 76561198000000001")
        .await;
    bot.wait_messages(ticket.id, |m| {
        m.iter().any(|m| m.content.contains("76561198000000001"))
    })
    .await;

    let (text, _) = press(&bot, USERS[2], &ticket, "ticket:close").await;
    assert!(text.contains("Nur das Team"), "{text}");

    // The opener may close their own ticket.
    let (text, _) = press(&bot, USERS[0], &ticket, "ticket:close").await;
    assert!(text.contains("geschlossen"), "{text}");
    let closed = bot.ticket(ticket.id).await;
    assert_eq!(closed.status(), TicketStatus::Closed);
    let channel = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel_id)
                .filter(|c| c.parent_id == Some(spec.closed_cat))
        })
        .await
        .expect("moved to closed");
    let opener = channel.overwrite(USERS[0]).unwrap();
    assert!(opener.deny & SEND != 0, "the opener can no longer write");
    let transcripts = bot.transcripts(ticket.id).await;
    assert_eq!(transcripts.len(), 1);
    assert!(
        transcripts[0]
            .body_text
            .contains("Meine ID ist 76561198000000001")
    );

    let (text, _) = press(&bot, SUPPORTERS[0], &ticket, "ticket:claim").await;
    assert!(text.contains("bereits geschlossen"), "{text}");
}

#[tokio::test]
async fn delete_removes_the_channel_and_keeps_everything_stored() {
    let bot = TestBot::start().await;
    let (ticket, channel_id) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(USERS[0], channel_id, "bitte entbannen")
        .await;
    bot.wait_messages(ticket.id, |m| {
        m.iter().any(|m| m.content == "bitte entbannen")
    })
    .await;

    let (text, _) = press(&bot, USERS[0], &ticket, "ticket:delete").await;
    assert!(text.contains("kein Supporter"), "{text}");
    let (text, ephemeral) = press(&bot, SUPPORTERS[0], &ticket, "ticket:delete").await;
    assert!(ephemeral && text.contains("gelöscht"), "{text}");
    bot.emu
        .wait_for(WAIT, |e| e.channel(channel_id).is_none().then_some(()))
        .await
        .expect("channel deleted");
    let deleted = bot.ticket(ticket.id).await;
    assert_eq!(deleted.status(), TicketStatus::Deleted);
    assert!(
        bot.messages(ticket.id)
            .await
            .iter()
            .any(|m| m.content == "bitte entbannen")
    );
    let transcripts = bot.transcripts(ticket.id).await;
    assert_eq!(transcripts[0].reason, "delete");
}

#[tokio::test]
async fn transcript_command_saves_a_snapshot_and_attaches_html() {
    let bot = TestBot::start().await;
    let (ticket, channel_id) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(USERS[0], channel_id, "<b>fett</b> & Co")
        .await;
    bot.wait_messages(ticket.id, |m| m.iter().any(|m| m.content.contains("fett")))
        .await;

    let ir = bot
        .emu
        .slash_command(VIEWER, channel_id, "ticket_transcript")
        .await;
    let (text, _) = reply_text(&bot.emu, &ir).await;
    assert!(text.contains("kein Supporter"), "{text}");

    let ir = bot
        .emu
        .slash_command(SUPPORTERS[0], channel_id, "ticket_transcript")
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(
        ephemeral && text.contains(&format!("Ticket #{}", ticket.id)),
        "{text}"
    );
    let answer = bot
        .emu
        .interaction_replies(&ir)
        .into_iter()
        .find(|r| !r.files.is_empty())
        .expect("file attached");
    let (name, bytes) = &answer.files[0];
    assert_eq!(name, &format!("ticket-{}.html", ticket.id));
    let html = String::from_utf8_lossy(bytes);
    assert!(
        html.contains("&lt;b&gt;fett&lt;/b&gt; &amp; Co"),
        "user text is escaped"
    );

    let outside = bot
        .emu
        .slash_command(
            SUPPORTERS[0],
            bot.spec().support_channel,
            "ticket_transcript",
        )
        .await;
    let (text, _) = reply_text(&bot.emu, &outside).await;
    assert!(text.contains("kein Ticket"), "{text}");
}

#[tokio::test]
async fn five_hundred_messages_are_all_in_the_transcript_in_order() {
    let bot = TestBot::start().await;
    let (ticket, channel_id) = bot.first_ticket(USERS[0]).await;
    for i in 0..500 {
        bot.emu
            .user_message(USERS[0], channel_id, &format!("Nachricht {i:03}"))
            .await;
    }
    bot.wait_stored_with_prefix(ticket.id, "Nachricht ", 500)
        .await;
    let ir = bot
        .emu
        .slash_command(SUPPORTERS[0], channel_id, "ticket_transcript")
        .await;
    reply_text(&bot.emu, &ir).await;
    let transcripts = bot.transcripts(ticket.id).await;
    let lines: Vec<&str> = transcripts[0]
        .body_text
        .lines()
        .filter_map(|l| l.split_once(": Nachricht ").map(|(_, n)| n))
        .collect();
    let expected: Vec<String> = (0..500).map(|i| format!("{i:03}")).collect();
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn channel_deleted_by_hand_ends_the_ticket_with_a_transcript() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    bot.emu
        .delete_channel_by_hand(ticket.channel_id.unwrap() as u64)
        .await;
    let gone = bot
        .wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Deleted)
        .await;
    assert!(gone.deleted_at.is_some());
    let transcripts = bot.transcripts(ticket.id).await;
    assert_eq!(transcripts.len(), 1);
    // The user can open a new ticket afterwards.
    let again = bot.open_ticket(button, USERS[0]).await;
    assert_ne!(again.id, ticket.id);
}

#[tokio::test]
async fn closed_channels_are_cleaned_up_after_the_retention_time() {
    let bot = TestBot::start_with(&[
        ("TICKET_CLEANUP_DAYS", "0"),
        ("TICKET_CLEANUP_INTERVAL_SECONDS", "1"),
    ])
    .await;
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    press(&bot, SUPPORTERS[0], &ticket, "ticket:close").await;
    let channel_id = ticket.channel_id.unwrap() as u64;
    bot.emu
        .wait_for(Duration::from_secs(15), |e| {
            e.channel(channel_id).is_none().then_some(())
        })
        .await
        .expect("closed channel cleaned up");
    let ticket = bot
        .wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Deleted)
        .await;
    assert!(bot.audit(ticket.id).await.contains(&"cleanup".to_owned()));
}

#[tokio::test]
async fn a_restart_resumes_open_tickets_and_old_buttons_keep_working() {
    let mut bot = TestBot::start().await;
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    bot.shutdown().await;
    // Said while the bot was away: found in the channel history at the next start.
    let channel_id = ticket.channel_id.unwrap() as u64;
    bot.emu
        .store_message_silently(USERS[0], channel_id, "bist du noch da?");
    bot.restart().await;
    bot.wait_messages(ticket.id, |m| {
        m.iter().any(|m| m.content == "bist du noch da?")
    })
    .await;
    let (text, _) = press(&bot, SUPPORTERS[0], &ticket, "ticket:claim").await;
    assert!(text.contains("beansprucht"), "{text}");
}

#[tokio::test]
async fn the_bot_resumes_after_the_websocket_drops() {
    let bot = TestBot::start().await;
    let (ticket, channel_id) = bot.first_ticket(USERS[0]).await;
    bot.emu.drop_gateway();
    bot.emu
        .user_message(USERS[0], channel_id, "während der Trennung")
        .await;
    bot.emu
        .wait_for(WAIT, |e| {
            (e.resume_count() >= 1 && e.is_connected()).then_some(())
        })
        .await
        .expect("twilight resumed");
    bot.wait_messages(ticket.id, |m| {
        m.iter().any(|m| m.content == "während der Trennung")
    })
    .await;
    assert_eq!(bot.emu.identify_count(), 1, "resumed, not re-identified");
}

/// Posts a message with one button as the bot user, through the REST API like the original
/// Python bot did.
async fn post_legacy_button(bot: &TestBot, channel: u64, custom_id: &str, label: &str) -> u64 {
    use twilight_model::channel::message::Component;
    use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
    use twilight_model::id::Id;
    let http = twilight_http::Client::builder()
        .token(bot.emu.bot_token().to_owned())
        .proxy(bot.emu.http_proxy(), true)
        .build();
    let components = [Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::Button(Button {
            custom_id: Some(custom_id.to_owned()),
            disabled: false,
            emoji: None,
            id: None,
            label: Some(label.to_owned()),
            sku_id: None,
            style: ButtonStyle::Danger,
            url: None,
        })],
    })];
    http.create_message(Id::new(channel))
        .content("altes Panel")
        .components(&components)
        .await
        .expect("posted")
        .model()
        .await
        .expect("message")
        .id
        .get()
}

#[tokio::test]
async fn buttons_of_the_original_bot_keep_working() {
    ticketbot::app::install_crypto_provider();
    let bot = TestBot::start().await;
    let support = bot.spec().support_channel;
    // Early versions: fixed custom_ids.
    let old_open =
        post_legacy_button(&bot, support, "create_ticket_button", "Ticket erstellen").await;
    let ticket = bot
        .open_ticket_with(old_open, "create_ticket_button", USERS[0])
        .await;
    let channel = ticket.channel_id.unwrap() as u64;
    let old_claim = post_legacy_button(
        &bot,
        channel,
        &format!("claim_ticket_{}", ticket.id),
        "Ticket beanspruchen",
    )
    .await;
    let ir = bot
        .emu
        .click_button(
            SUPPORTERS[0],
            channel,
            old_claim,
            &format!("claim_ticket_{}", ticket.id),
        )
        .await;
    let (text, _) = reply_text(&bot.emu, &ir).await;
    assert!(text.contains("beansprucht"), "{text}");
    // Later versions: random custom_ids; the label says what the button does.
    let random_open =
        post_legacy_button(&bot, support, "9f1c2e7a0b3d4c5e", "Ticket erstellen").await;
    let second = bot
        .open_ticket_with(random_open, "9f1c2e7a0b3d4c5e", USERS[1])
        .await;
    assert_ne!(second.id, ticket.id);
    let second_channel = second.channel_id.unwrap() as u64;
    let random_close =
        post_legacy_button(&bot, second_channel, "77aa0c19d2e84f60", "Ticket schließen").await;
    let ir = bot
        .emu
        .click_button(
            SUPPORTERS[1],
            second_channel,
            random_close,
            "77aa0c19d2e84f60",
        )
        .await;
    reply_text(&bot.emu, &ir).await;
    bot.wait_ticket(|t| t.id == second.id && t.status() == TicketStatus::Closed)
        .await;
}

#[tokio::test]
async fn an_unknown_button_gets_an_ephemeral_answer_and_changes_nothing() {
    ticketbot::app::install_crypto_provider();
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    let odd = post_legacy_button(&bot, channel, "f00dfeed", "Kaffee holen").await;
    let ir = bot
        .emu
        .click_button(SUPPORTERS[0], channel, odd, "f00dfeed")
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("kenne ich nicht"), "{text}");
    // A staff button in a channel that is no ticket.
    let stray = post_legacy_button(
        &bot,
        bot.spec().support_channel,
        "ticket:claim",
        "Ticket beanspruchen",
    )
    .await;
    let ir = bot
        .emu
        .click_button(
            SUPPORTERS[0],
            bot.spec().support_channel,
            stray,
            "ticket:claim",
        )
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("kein Ticket"), "{text}");
    let unchanged = bot.ticket(ticket.id).await;
    assert_eq!(unchanged.status(), TicketStatus::Open);
    assert_eq!(unchanged.claimed_by, None);
}

#[tokio::test]
async fn an_opening_interrupted_by_a_crash_does_not_block_the_user() {
    use crate::support::app::guild;
    use crate::support::db::TestDb;
    let test_db = TestDb::sqlite();
    let db = ticketbot::db::Db::connect(&test_db.url).await.unwrap();
    // The process died after reserving the number, before the channel existed.
    db.write(|c| ticketbot::db::queries::reserve_ticket(c, USERS[0] as i64, "Spieler 0", 0))
        .await
        .unwrap();
    drop(db);
    let bot = TestBot::launch(guild().await, test_db, &[]).await;
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    assert_eq!(ticket.id, 2);
    assert_eq!(bot.ticket(1).await.status(), TicketStatus::Failed);
}

#[tokio::test]
async fn a_ticket_subcommand_outside_a_ticket_channel_is_refused() {
    let bot = TestBot::start().await;
    let ir = bot
        .emu
        .slash_command_with_options(
            SUPPORTERS[0],
            bot.spec().log_channel,
            "ticket",
            serde_json::json!([{"name": "rename", "type": 1, "options": [
                {"name": "name", "type": 3, "value": "neu"}
            ]}]),
        )
        .await;
    let (text, ephemeral) = reply_text(&bot.emu, &ir).await;
    assert!(ephemeral && text.contains("kein Ticket-Kanal"), "{text}");
}
