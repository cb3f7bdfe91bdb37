//! Limits on opening tickets (`MAX_TICKETS_PER_USER_PER_DAY`, `TICKET_COOLDOWN`) and the
//! warning before a ticket category reaches Discord's 50 channels, through the emulator.

use std::process::Command;

use diesel::prelude::*;
use serde_json::Value;
use ticketbot::db::models::{AuditEntry, Ticket, TicketStatus};
use ticketbot::db::schema::audit_log;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT, guild};
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::DiscordEmu;

const DAY_SECS: i64 = 86_400;
const NEARLY_FULL: &str = "Ticket-Kategorie fast voll";

/// `user` opens a ticket and closes it again; returns the ticket as it was opened.
async fn open_and_close(bot: &TestBot, button: u64, user: u64) -> Ticket {
    let ticket = bot.open_ticket(button, user).await;
    bot.press(user, &ticket, "ticket:close").await;
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Closed)
        .await;
    ticket
}

/// `user` clicks the open button; returns what they were told.
async fn click_open(bot: &TestBot, button: u64, user: u64) -> String {
    let ir = bot
        .emu
        .click_button(user, bot.spec().support_channel, button, "ticket:open")
        .await;
    bot.answer_text(&ir).await
}

/// Audit rows `refused` without a ticket, for `user`.
async fn open_refusals(bot: &TestBot, user: u64) -> Vec<AuditEntry> {
    bot.db
        .run(move |c| {
            Ok(audit_log::table
                .filter(audit_log::action.eq("refused"))
                .filter(audit_log::ticket_id.is_null())
                .filter(audit_log::actor_id.eq(user as i64))
                .select(AuditEntry::as_select())
                .load(c)?)
        })
        .await
        .unwrap()
}

/// Every embed posted to the log channel, each as its title, description and fields.
fn log_embeds(emu: &DiscordEmu) -> Vec<String> {
    let field = |f: &Value| {
        format!(
            "{}: {}",
            f["name"].as_str().unwrap_or(""),
            f["value"].as_str().unwrap_or("")
        )
    };
    emu.messages(emu.spec().log_channel)
        .iter()
        .flat_map(|m| m.embeds.clone())
        .map(|e| {
            let mut parts = vec![
                e["title"].as_str().unwrap_or("").to_owned(),
                e["description"].as_str().unwrap_or("").to_owned(),
            ];
            parts.extend(e["fields"].as_array().into_iter().flatten().map(field));
            parts.join("\n")
        })
        .collect()
}

/// Waits for a log embed holding every one of `parts`; returns it.
async fn wait_log(emu: &DiscordEmu, parts: &[&str]) -> String {
    emu.wait_for(WAIT, |e| {
        log_embeds(e)
            .into_iter()
            .find(|embed| parts.iter().all(|p| embed.contains(p)))
    })
    .await
    .unwrap_or_else(|| panic!("no log entry with {parts:?}; have {:#?}", log_embeds(emu)))
}

/// Requests to `/guilds/{id}/channels` with `method` and, if given, status `status`.
fn guild_channel_requests(emu: &DiscordEmu, method: &str, status: Option<u16>) -> usize {
    let path = format!("/guilds/{}/channels", emu.spec().guild_id);
    emu.requests()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(&path))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .count()
}

fn ticket_channels_created(emu: &DiscordEmu) -> usize {
    guild_channel_requests(emu, "POST", Some(201))
}

/// Discord's timestamp markup for the second at or after `ms`.
fn discord_time(ms: i64) -> String {
    format!("<t:{}:f>", (ms + 999).div_euclid(1000))
}

#[tokio::test]
async fn the_eleventh_ticket_within_a_day_is_refused_with_the_next_possible_time() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let mut opened = Vec::new();
    for _ in 0..10 {
        opened.push(open_and_close(&bot, button, USERS[0]).await);
    }
    assert_eq!(ticket_channels_created(&bot.emu), 10);

    let text = click_open(&bot, button, USERS[0]).await;
    let next = discord_time(opened[0].created_at + DAY_SECS * 1000);
    assert!(text.contains("24 Stunden"), "{text}");
    assert!(text.contains(&next), "expected {next} in {text}");
    // No reservation, no channel for the refused one.
    assert_eq!(bot.all_tickets().await.len(), 10);
    assert_eq!(ticket_channels_created(&bot.emu), 10);
    let refusals = open_refusals(&bot, USERS[0]).await;
    assert_eq!(refusals.len(), 1, "{refusals:#?}");
    assert!(refusals[0].detail.contains(&next), "{refusals:#?}");
    wait_log(&bot.emu, &["Aktion abgelehnt", &next]).await;

    // Another member is not affected.
    let other = bot.open_ticket(button, USERS[1]).await;
    assert!(other.channel_id.is_some());
}

#[tokio::test]
async fn staff_are_not_limited() {
    let bot = TestBot::start_with(&[
        ("MAX_TICKETS_PER_USER_PER_DAY", "2"),
        ("TICKET_COOLDOWN", "1h"),
    ])
    .await;
    let button = bot.setup_button().await;
    for _ in 0..3 {
        open_and_close(&bot, button, SUPPORTERS[0]).await;
    }
    assert_eq!(ticket_channels_created(&bot.emu), 3);
    assert!(open_refusals(&bot, SUPPORTERS[0]).await.is_empty());
}

#[tokio::test]
async fn a_daily_limit_of_two_refuses_the_third_and_failed_openings_do_not_count() {
    let bot = TestBot::start_with(&[("MAX_TICKETS_PER_USER_PER_DAY", "2")]).await;
    refuses_the_third_of_two(&bot).await;
}

#[tokio::test]
async fn a_daily_limit_of_two_holds_on_postgresql() {
    let Some(test_db) = postgres_or_skip("a_daily_limit_of_two_holds_on_postgresql") else {
        return;
    };
    let bot = TestBot::launch(
        guild().await,
        test_db,
        &[("MAX_TICKETS_PER_USER_PER_DAY", "2")],
    )
    .await;
    refuses_the_third_of_two(&bot).await;
}

/// With `MAX_TICKETS_PER_USER_PER_DAY=2`: a failed opening, two tickets, a refused third.
async fn refuses_the_third_of_two(bot: &TestBot) {
    let button = bot.setup_button().await;
    // An opening whose channel Discord refused is released and does not count.
    bot.emu.fail_next(
        "POST",
        &format!("/guilds/{}/channels", bot.spec().guild_id),
        403,
        1,
    );
    let text = click_open(bot, button, USERS[0]).await;
    assert!(text.contains("nicht erstellt werden"), "{text}");
    bot.wait_ticket(|t| t.status() == TicketStatus::Failed)
        .await;

    let first = open_and_close(bot, button, USERS[0]).await;
    open_and_close(bot, button, USERS[0]).await;
    let text = click_open(bot, button, USERS[0]).await;
    assert!(text.contains("bereits 2 Tickets"), "{text}");
    assert!(
        text.contains(&discord_time(first.created_at + DAY_SECS * 1000)),
        "{text}"
    );
    assert_eq!(ticket_channels_created(&bot.emu), 2);
    assert_eq!(open_refusals(bot, USERS[0]).await.len(), 1);
}

#[tokio::test]
async fn a_cooldown_refuses_a_second_ticket_right_after_the_first_closes() {
    let bot = TestBot::start_with(&[("TICKET_COOLDOWN", "20s")]).await;
    let button = bot.setup_button().await;
    let first = open_and_close(&bot, button, USERS[0]).await;
    let text = click_open(&bot, button, USERS[0]).await;
    let next = discord_time(first.created_at + 20_000);
    assert!(text.contains("Zwischen zwei Tickets"), "{text}");
    assert!(text.contains(&next), "expected {next} in {text}");
    assert_eq!(bot.all_tickets().await.len(), 1);
    assert_eq!(open_refusals(&bot, USERS[0]).await.len(), 1);
    wait_log(&bot.emu, &["Aktion abgelehnt", "Zwischen zwei Tickets"]).await;
}

#[tokio::test]
async fn a_category_nearly_full_is_warned_of_once_until_it_had_room() {
    let emu = guild().await;
    let spec = emu.spec().clone();
    for i in 0..44 {
        emu.create_text_channel(&format!("alt-{i}"), Some(spec.created_cat));
    }
    let bot = TestBot::launch(emu, TestDb::sqlite(), &[]).await;
    let button = bot.setup_button().await;
    let count_warnings = |emu: &DiscordEmu| {
        log_embeds(emu)
            .iter()
            .filter(|e| e.contains(NEARLY_FULL))
            .count()
    };

    // The 45th channel lands in the category: one warning naming it and the count.
    let first = bot.open_ticket(button, USERS[0]).await;
    let warning = wait_log(&bot.emu, &[NEARLY_FULL]).await;
    assert!(warning.contains(&spec.created_cat.to_string()), "{warning}");
    assert!(warning.contains("45 von 50"), "{warning}");
    assert!(warning.contains("TICKET_CLEANUP_DAYS"), "{warning}");

    // The 46th: no second warning (the check runs before the opening's own log entry).
    let second = bot.open_ticket(button, USERS[1]).await;
    wait_log(&bot.emu, &["Ticket erstellt", &format!("#{}", second.id)]).await;
    assert_eq!(count_warnings(&bot.emu), 1);

    // Both are claimed out of the category (44 again); the next 45th warns again.
    for (supporter, ticket) in [(SUPPORTERS[0], &first), (SUPPORTERS[1], &second)] {
        bot.press(supporter, ticket, "ticket:claim").await;
        wait_log(
            &bot.emu,
            &["Ticket beansprucht", &format!("#{}", ticket.id)],
        )
        .await;
    }
    assert_eq!(bot.emu.channels_in(spec.created_cat).len(), 44);
    let third = bot.open_ticket(button, USERS[2]).await;
    wait_log(&bot.emu, &["Ticket erstellt", &format!("#{}", third.id)]).await;
    assert_eq!(count_warnings(&bot.emu), 2);
    // One listing of the guild's channels per create or move, not per message.
    assert_eq!(guild_channel_requests(&bot.emu, "GET", None), 5);
}

#[tokio::test]
async fn a_full_category_refuses_the_channel_as_discord_does() {
    let emu = guild().await;
    let spec = emu.spec().clone();
    for i in 0..50 {
        emu.create_text_channel(&format!("alt-{i}"), Some(spec.created_cat));
    }
    let bot = TestBot::launch(emu, TestDb::sqlite(), &[]).await;
    let button = bot.setup_button().await;
    let text = click_open(&bot, button, USERS[0]).await;
    assert!(text.contains("nicht erstellt werden"), "{text}");
    let refused = bot
        .emu
        .wait_for_request(|r| r.is("POST", "/guilds/") && r.status == 400, WAIT)
        .await
        .expect("the create was answered 400");
    let body = refused.response.expect("an error body");
    assert_eq!(body["code"], 50035);
    assert_eq!(
        body["errors"]["parent_id"]["_errors"][0]["code"],
        "CHANNEL_PARENT_MAX_CHANNELS"
    );
    bot.wait_ticket(|t| t.status() == TicketStatus::Failed)
        .await;
    assert_eq!(bot.emu.channels_in(spec.created_cat).len(), 50);
}

/// A complete set of the required keys.
const KEYS: [(&str, &str); 12] = [
    ("BOT_TOKEN", "token"),
    ("GUILD_ID", "123456789012345678"),
    ("SUPPORT_ROLE_ID", "111111111111111111"),
    ("ADMIN_ROLE_ID", "222222222222222222"),
    ("CREATED_TICKETS_CATEGORY_ID", "444444444444444444"),
    ("CLAIMED_TICKETS_CATEGORY_ID", "666666666666666666"),
    ("CLOSED_TICKETS_CATEGORY_ID", "777777777777777777"),
    ("TICKET_LOG_CHANNEL_ID", "555555555555555555"),
    ("FLASK_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
    ("DISCORD_CLIENT_ID", "555555555555555555"),
    ("DISCORD_CLIENT_SECRET", "secret"),
    ("DISCORD_REDIRECT_URI", "http://127.0.0.1:1/callback"),
];

/// The binary with a complete set of keys plus `extra`, in an empty directory.
fn run_bot_with(extra: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.arg("bot").current_dir(dir.path()).env_clear();
    for (key, value) in KEYS.iter().chain(extra) {
        command.env(key, value);
    }
    command.output().expect("binary runs")
}

#[test]
fn malformed_opening_limits_exit_2_naming_the_key() {
    for (key, value, expected) in [
        (
            "MAX_TICKETS_PER_USER_PER_DAY",
            "zehn",
            r#"MAX_TICKETS_PER_USER_PER_DAY: expected a whole number from 1 to 10000, got "zehn""#,
        ),
        (
            "MAX_TICKETS_PER_USER_PER_DAY",
            "0",
            r#"MAX_TICKETS_PER_USER_PER_DAY: expected a whole number from 1 to 10000, got "0""#,
        ),
        (
            "TICKET_COOLDOWN",
            "zwei Tage",
            r#"TICKET_COOLDOWN: expected a duration such as 48h, 90m or 20s, got "zwei Tage""#,
        ),
    ] {
        let output = run_bot_with(&[(key, value)]);
        assert_eq!(output.status.code(), Some(2), "{key}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim(), expected);
    }
}

#[test]
fn opening_limits_default_to_ten_a_day_and_no_cooldown() {
    let keys: std::collections::HashMap<&str, &str> = KEYS.into_iter().collect();
    let load = |extra: &[(&str, &str)]| {
        ticketbot::Config::from_lookup(|key| {
            extra
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
                .or_else(|| keys.get(key).map(|v| (*v).to_owned()))
        })
        .unwrap()
    };
    let config = load(&[]);
    assert_eq!(config.max_tickets_per_user_per_day, 10);
    assert!(config.ticket_cooldown.is_zero());
    let config = load(&[
        ("TICKET_COOLDOWN", "1h 30m"),
        ("MAX_TICKETS_PER_USER_PER_DAY", "3"),
    ]);
    assert_eq!(config.ticket_cooldown.as_secs(), 5_400);
    assert_eq!(config.max_tickets_per_user_per_day, 3);
    assert!(load(&[("TICKET_COOLDOWN", "0")]).ticket_cooldown.is_zero());
}
