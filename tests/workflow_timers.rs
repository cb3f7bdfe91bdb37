//! Inactivity auto-close (`AUTO_CLOSE_AFTER`, `AUTO_CLOSE_WARNING`) through the emulator: the
//! warning that pings only the opener, the close with its reason, a ticket spared by its
//! opener's answer, the one log line for a ticket that waits on staff, and the timers rebuilt
//! after a restart.

use std::time::Duration;

use serde_json::json;
use ticketbot::db::models::{AuditEntry, Ticket, TicketStatus};
use ticketbot::db::queries;
use ticketbot::texts;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT};
use crate::support::discord::{MessageState, RecordedRequest};

/// Part of the warning's text, which names no time.
const WARNING: &str = "automatisch geschlossen; schreib einfach";

async fn audit_rows(bot: &TestBot, id: i64) -> Vec<AuditEntry> {
    bot.db
        .run(move |c| queries::audit_of(c, id))
        .await
        .expect("audit rows")
}

fn warning_posts(bot: &TestBot, channel: u64) -> Vec<RecordedRequest> {
    let path = format!("/channels/{channel}/messages");
    bot.emu
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", &path) && r.succeeded() && r.content().contains(WARNING))
        .collect()
}

async fn wait_warning(bot: &TestBot, channel: u64) -> MessageState {
    bot.emu
        .wait_for_message(channel, |m| m.content.contains(WARNING), WAIT)
        .await
        .expect("the opener is warned")
}

async fn wait_closed(bot: &TestBot, id: i64) -> Ticket {
    bot.wait_ticket(|t| t.id == id && t.status() == TicketStatus::Closed)
        .await
}

/// Log-channel entries titled `title` about ticket `id`.
fn log_entries(bot: &TestBot, title: &str, id: i64) -> Vec<MessageState> {
    let ticket = format!("Ticket: #{id}\n");
    bot.emu
        .messages(bot.spec().log_channel)
        .into_iter()
        .filter(|m| m.embeds.iter().any(|e| e["title"] == title))
        .filter(|m| format!("{}\n", m.embed_text()).contains(&ticket))
        .collect()
}

fn warned_at(rows: &[AuditEntry]) -> i64 {
    rows.iter()
        .find(|r| r.action == "auto_close_warned")
        .expect("the warning is audited")
        .created_at
}

#[tokio::test]
async fn a_silent_ticket_is_warned_then_closed_and_one_whose_opener_answered_stays_open() {
    let bot =
        TestBot::start_with(&[("AUTO_CLOSE_AFTER", "4s"), ("AUTO_CLOSE_WARNING", "2s")]).await;
    let button = bot.setup_button().await;
    let silent = bot.open_ticket(button, USERS[0]).await;
    let answered = bot.open_ticket(button, USERS[1]).await;
    let (silent_channel, answered_channel) = (
        silent.channel_id.unwrap() as u64,
        answered.channel_id.unwrap() as u64,
    );
    // Staff asked in the second ticket; its opener answers the warning.
    bot.emu
        .user_message(SUPPORTERS[0], answered_channel, "Was genau ist passiert?")
        .await;
    wait_warning(&bot, answered_channel).await;
    bot.emu
        .user_message(USERS[1], answered_channel, "Bin noch da, Moment.")
        .await;

    let warning = wait_warning(&bot, silent_channel).await;
    assert!(
        warning.content.starts_with(&format!("<@{}>", USERS[0])),
        "{}",
        warning.content
    );
    let posts = warning_posts(&bot, silent_channel);
    assert_eq!(posts.len(), 1, "one warning");
    let mentions = &posts[0].json.as_ref().unwrap()["allowed_mentions"];
    assert_eq!(
        mentions["users"],
        json!([USERS[0].to_string()]),
        "{mentions}"
    );
    assert_eq!(mentions["parse"], json!([]), "{mentions}");
    assert!(
        mentions["roles"].as_array().is_none_or(Vec::is_empty),
        "{mentions}"
    );

    let closed = wait_closed(&bot, silent.id).await;
    let reason = texts::auto_close_reason(Duration::from_secs(4));
    assert_eq!(reason, "keine Antwort seit 4s");
    let rows = audit_rows(&bot, silent.id).await;
    let close = rows.iter().find(|r| r.action == "closed").expect("closed");
    assert_eq!(close.detail, texts::closed_log(Some(&reason)));
    assert_eq!(closed.close_reason.as_deref(), Some(reason.as_str()));
    assert_eq!(close.actor_id, None, "closed by the bot");
    assert!(
        closed.closed_at.unwrap() - warned_at(&rows) >= 1_900,
        "the warning came AUTO_CLOSE_WARNING (2 s) before the close"
    );
    assert_eq!(bot.transcripts(silent.id).await.len(), 1);
    let notice = bot
        .emu
        .wait_for_message(
            silent_channel,
            |m| m.content.starts_with(texts::CLOSED_NOTICE),
            WAIT,
        )
        .await
        .expect("close notice");
    assert!(notice.content.contains(&reason), "{}", notice.content);
    let spec = bot.spec();
    bot.emu
        .wait_for(WAIT, |e| {
            (e.channel(silent_channel)?.parent_id == Some(spec.closed_cat)).then_some(())
        })
        .await
        .expect("the channel is archived");
    bot.emu
        .wait_for(WAIT, |_| {
            log_entries(&bot, texts::LOG_CLOSED, silent.id)
                .into_iter()
                .find(|m| m.embed_text().contains(&reason))
        })
        .await
        .expect("the close is logged with its reason");

    // The answered ticket waits on staff now: it is told to the log channel, never closed.
    bot.emu
        .wait_for(WAIT, |_| {
            log_entries(&bot, texts::LOG_WAITING_ON_STAFF, answered.id)
                .into_iter()
                .next()
        })
        .await
        .expect("the log channel hears that it waits on staff");
    let t = bot.ticket(answered.id).await;
    assert_eq!(t.status(), TicketStatus::Open);
    assert_eq!(warning_posts(&bot, answered_channel).len(), 1);
    assert!(!bot.audit(answered.id).await.contains(&"closed".to_owned()));
}

/// The opener answers each of Sigrid's questions of the scripted intake until she hands over.
pub async fn hand_over(bot: &TestBot, ticket: &Ticket, channel: u64) {
    for (text, then) in [
        ("Hallo, ich bin gebannt", texts::SECRETARY_ASK_ID),
        ("76561198012345678", "Bitte nenne den Grund"),
        ("Es war ein Versehen.", texts::SECRETARY_HANDOVER),
    ] {
        bot.emu
            .user_message(ticket.opener_id as u64, channel, text)
            .await;
        bot.emu
            .wait_for_message(channel, |m| m.content.contains(then), WAIT)
            .await
            .unwrap_or_else(|| panic!("Sigrid answers {text:?}"));
    }
    bot.wait_ticket(|t| t.id == ticket.id && t.ai_state == "handed_over")
        .await;
}

#[tokio::test]
async fn a_ticket_waiting_on_staff_is_not_closed_and_the_log_channel_is_told_once() {
    let mut bot =
        TestBot::start_with(&[("AUTO_CLOSE_AFTER", "6s"), ("AUTO_CLOSE_WARNING", "3s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    hand_over(&bot, &ticket, channel).await;
    bot.emu
        .wait_for(WAIT, |_| {
            log_entries(&bot, texts::LOG_WAITING_ON_STAFF, ticket.id)
                .into_iter()
                .next()
        })
        .await
        .expect("the log channel hears that it waits on staff");
    // Told already: a restart neither tells again (its time is long past) nor closes.
    bot.restart().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        log_entries(&bot, texts::LOG_WAITING_ON_STAFF, ticket.id).len(),
        1
    );
    let actions = bot.audit(ticket.id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "waiting_on_staff").count(),
        1,
        "{actions:?}"
    );
    assert!(!actions.contains(&"closed".to_owned()), "{actions:?}");
    assert!(
        !actions.contains(&"auto_close_warned".to_owned()),
        "{actions:?}"
    );
    assert_eq!(bot.ticket(ticket.id).await.status(), TicketStatus::Open);
}

#[tokio::test]
async fn a_restart_between_warning_and_close_still_closes_on_time() {
    let mut bot =
        TestBot::start_with(&[("AUTO_CLOSE_AFTER", "10s"), ("AUTO_CLOSE_WARNING", "5s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    wait_warning(&bot, channel).await;
    bot.restart().await;
    let closed = wait_closed(&bot, ticket.id).await;
    let warned = warned_at(&audit_rows(&bot, ticket.id).await);
    let after_warning = closed.closed_at.unwrap() - warned;
    assert!(
        (4_900..9_000).contains(&after_warning),
        "closed {after_warning} ms after the warning, due 5,000"
    );
    assert_eq!(warning_posts(&bot, channel).len(), 1, "warned once");
}

#[tokio::test]
async fn a_warning_due_during_a_downtime_comes_first_with_the_full_warning_period() {
    let mut bot =
        TestBot::start_with(&[("AUTO_CLOSE_AFTER", "6s"), ("AUTO_CLOSE_WARNING", "3s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.shutdown().await;
    assert!(warning_posts(&bot, channel).is_empty());
    // Down past the time the ticket was to be closed.
    tokio::time::sleep(Duration::from_secs(7)).await;
    bot.restart().await;
    wait_warning(&bot, channel).await;
    assert!(bot.ticket(ticket.id).await.status().is_active());
    let closed = wait_closed(&bot, ticket.id).await;
    let warned = warned_at(&audit_rows(&bot, ticket.id).await);
    assert!(
        closed.closed_at.unwrap() - warned >= 2_950,
        "the full warning period of 3 s"
    );
    assert_eq!(warning_posts(&bot, channel).len(), 1);
}

#[tokio::test]
async fn an_opener_message_cancels_the_close_and_a_new_staff_question_starts_over() {
    let bot =
        TestBot::start_with(&[("AUTO_CLOSE_AFTER", "4s"), ("AUTO_CLOSE_WARNING", "2s")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(SUPPORTERS[0], channel, "Bist du noch da?")
        .await;
    wait_warning(&bot, channel).await;
    bot.emu.user_message(USERS[0], channel, "Ja!").await;
    bot.emu
        .user_message(SUPPORTERS[0], channel, "Dann schick bitte die ID.")
        .await;
    // A second waiting period: warned again, then closed.
    bot.emu
        .wait_for(WAIT, |_| {
            (warning_posts(&bot, channel).len() == 2).then_some(())
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "not warned again; channel: {:?}",
                bot.emu
                    .messages(channel)
                    .iter()
                    .map(|m| (m.author_id, m.timestamp.clone(), m.content.clone()))
                    .collect::<Vec<_>>()
            )
        });
    let closed = wait_closed(&bot, ticket.id).await;
    let rows = audit_rows(&bot, ticket.id).await;
    let second_warning = rows
        .iter()
        .filter(|r| r.action == "auto_close_warned")
        .map(|r| r.created_at)
        .max()
        .unwrap();
    assert!(closed.closed_at.unwrap() - second_warning >= 1_900);
}

/// The bot binary with the settings it needs and `extra`; returns its exit code and stderr.
fn start_binary(extra: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.arg("bot").current_dir(dir.path()).env_clear();
    let base = [
        ("BOT_TOKEN", "token"),
        ("GUILD_ID", "123456789012345678"),
        ("SUPPORT_ROLE_ID", "111111111111111111"),
        ("ADMIN_ROLE_ID", "222222222222222222"),
        ("CREATED_TICKETS_CATEGORY_ID", "444444444444444444"),
        ("CLAIMED_TICKETS_CATEGORY_ID", "666666666666666666"),
        ("CLOSED_TICKETS_CATEGORY_ID", "777777777777777777"),
        ("TICKET_LOG_CHANNEL_ID", "555555555555555555"),
        (
            "FLASK_SECRET_KEY",
            "ZufallsString-mindestens-32-Zeichen-lang",
        ),
        ("DISCORD_CLIENT_ID", "555555555555555555"),
        ("DISCORD_CLIENT_SECRET", "supergeheim"),
        ("DISCORD_REDIRECT_URI", "http://example.com/callback"),
    ];
    for (key, value) in base.iter().chain(extra) {
        command.env(key, value);
    }
    let output = command.output().expect("binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

#[test]
fn bad_auto_close_values_stop_start_up_naming_the_key_with_an_example() {
    let (code, stderr) = start_binary(&[("AUTO_CLOSE_AFTER", "zwei Tage")]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        r#"AUTO_CLOSE_AFTER: expected a duration such as 48h, 90m or 20s, got "zwei Tage""#
    );
    let (code, stderr) = start_binary(&[("AUTO_CLOSE_AFTER", "4s"), ("AUTO_CLOSE_WARNING", "3s")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("AUTO_CLOSE_WARNING: must be more than 0 and at most half of AUTO_CLOSE_AFTER (4s), got 3s; e.g. AUTO_CLOSE_AFTER=48h with AUTO_CLOSE_WARNING=12h"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let (code, stderr) =
        start_binary(&[("AUTO_CLOSE_AFTER", "48h"), ("AUTO_CLOSE_WARNING", "bald")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("AUTO_CLOSE_WARNING: expected a duration"),
        "{stderr}"
    );
    let (code, stderr) = start_binary(&[("AUTO_ASSIGN", "vielleicht")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("AUTO_ASSIGN: expected true or false"),
        "{stderr}"
    );
}
